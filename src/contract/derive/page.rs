//! The parsed form of one reference page, whatever its source format.
//!
//! Both parsers (Chinese markdown with HTML tables, English plain text) produce this model, so
//! everything after parsing (field trees, joins, merging) is written once for both languages.

use std::path::PathBuf;

/// Language of a reference page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Chinese.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The ISO code used in the operation index.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// What a top-level section of an operation page is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// Purpose of the operation.
    Function,
    /// Preconditions (接口约束).
    Constraints,
    /// Method, path template and path/query parameters.
    Uri,
    /// Request body fields and examples.
    Request,
    /// Response body fields and examples.
    Response,
    /// Request examples kept in a section of their own (ECS style).
    RequestExample,
    /// Response examples kept in a section of their own (ECS style).
    ResponseExample,
    /// Examples of both directions in one section (样例): request examples come first, a
    /// response example follows a status line or a response caption.
    Examples,
    /// Documented status codes (状态码 / 返回值).
    Status,
    /// Pointer to the error-code page.
    ErrorCodes,
    /// Anything else (debugging links, background notes).
    Other,
}

impl SectionKind {
    /// Classifies a section heading in either language.
    pub fn from_heading(heading: &str) -> SectionKind {
        let h = heading.trim().to_lowercase();
        // A trailing remark in parentheses ("请求消息（可选）") does not change the section.
        let h = match h.find(['（', '(']) {
            Some(i) if i > 0 && h.ends_with([')', '）']) => h[..i].trim_end(),
            _ => h.as_str(),
        };
        match h {
            "功能介绍" | "功能说明" | "function" | "functions" => SectionKind::Function,
            "接口约束" | "constraints" => SectionKind::Constraints,
            "uri" => SectionKind::Uri,
            "请求" | "请求消息" | "请求参数" | "请求消息体" | "request" | "requests"
            | "request parameters" => SectionKind::Request,
            "响应"
            | "正常响应"
            | "返回参数"
            | "响应消息"
            | "响应参数"
            | "响应消息体"
            | "response"
            | "responses"
            | "response parameters" => SectionKind::Response,
            "请求示例" | "请求样例" | "example request" | "example requests" => {
                SectionKind::RequestExample
            }
            "响应示例" | "响应样例" | "返回示例" | "example response" | "example responses" => {
                SectionKind::ResponseExample
            }
            "样例" | "示例" | "example" | "examples" => SectionKind::Examples,
            "状态码" | "返回值" | "响应码" | "返回码" | "status code" | "status codes"
            | "returned values" => SectionKind::Status,
            "错误码" | "错误码说明" | "error code" | "error codes" => {
                SectionKind::ErrorCodes
            }
            _ => SectionKind::Other,
        }
    }
}

/// A hyperlink found in text or in a table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The target: `#anchor` or a page file name.
    pub href: String,
    /// The visible text.
    pub text: String,
}

/// A piece of running text (a paragraph, list item or bold caption).
#[derive(Debug, Clone, Default)]
pub struct Text {
    /// Anchors (`<a name=…>`) declared on this line.
    pub anchors: Vec<String>,
    /// Plain text with markup removed.
    pub text: String,
    /// Links inside the text.
    pub links: Vec<Link>,
    /// 1-based line in its page (0 when unknown).
    pub line: usize,
}

/// One table cell: its paragraphs and links.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// Paragraphs of plain text, in order.
    pub paragraphs: Vec<String>,
    /// Links found in the cell.
    pub links: Vec<Link>,
}

impl Cell {
    /// All paragraphs joined by a space.
    pub fn text(&self) -> String {
        self.paragraphs.join(" ")
    }
}

/// A table with its caption.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Caption text (the list item or bold line before the table), if any.
    pub title: Option<String>,
    /// Anchors that point at this table (on the caption or just before the table).
    pub anchors: Vec<String>,
    /// The caption's table number ("表 2", "Table 2"), which descriptions refer to.
    pub number: Option<String>,
    /// Header cells, as text.
    pub header: Vec<String>,
    /// Body rows.
    pub rows: Vec<Vec<Cell>>,
    /// 1-based line of the table in its page, for error messages.
    pub line: usize,
    /// 1-based line where each body row starts (as many as `rows`, where the parser knows them),
    /// so a derived rule can name the line that states it.
    pub row_lines: Vec<usize>,
}

/// A block of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// Running text.
    Text(Text),
    /// A table.
    Table(Table),
    /// A fenced code block (or an inline JSON example in plain text).
    Code {
        /// The block's text.
        text: String,
        /// 1-based line where it starts in its page.
        line: usize,
    },
}

/// A top-level section of a page.
#[derive(Debug, Clone)]
pub struct Section {
    /// What the section is about.
    pub kind: SectionKind,
    /// The heading as written.
    pub heading: String,
    /// 1-based line of the heading.
    pub line: usize,
    /// Its blocks in order.
    pub blocks: Vec<Block>,
}

/// One parsed reference page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Where the page was read from.
    pub path: PathBuf,
    /// The file name, used in the index and in messages.
    pub file_name: String,
    /// Language of the page.
    pub lang: Lang,
    /// The page title.
    pub title: String,
    /// Text before the first section heading (some pages put tables there).
    pub preamble: Vec<Block>,
    /// Sections in order.
    pub sections: Vec<Section>,
}

impl Page {
    /// The first section of a kind.
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }

    /// Every section of a kind.
    pub fn sections_of(&self, kind: SectionKind) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(move |s| s.kind == kind)
    }

    /// Every table in the page, preamble first.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.preamble
            .iter()
            .chain(self.sections.iter().flat_map(|s| s.blocks.iter()))
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_headings_in_every_variant() {
        for (h, kind) in [
            ("请求参数", SectionKind::Request),
            ("响应参数", SectionKind::Response),
            ("请求示例", SectionKind::RequestExample),
            ("响应示例", SectionKind::ResponseExample),
            ("样例", SectionKind::Examples),
            ("返回值", SectionKind::Status),
            ("请求消息（可选）", SectionKind::Request),
            ("Example Responses", SectionKind::ResponseExample),
            ("Status Codes", SectionKind::Status),
            ("调试", SectionKind::Other),
            // RDS's and VOD's older pages.
            ("正常响应", SectionKind::Response),
            ("返回参数", SectionKind::Response),
            ("返回示例", SectionKind::ResponseExample),
            ("异常响应", SectionKind::Other),
        ] {
            assert_eq!(SectionKind::from_heading(h), kind, "{h}");
        }
    }
}
