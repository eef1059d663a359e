//! Parser for the Chinese reference pages: markdown with embedded HTML tables.
//!
//! The pages are line-oriented markdown (`#` title, `##` sections, fenced examples, list items as
//! captions) with `<table>` blocks copied from the documentation site. Tables go through an HTML
//! parser (scraper), everything else is read line by line.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Selector};

use super::page::{Block, Cell, Lang, Link, Page, Section, SectionKind, Table, Text};
use super::DeriveError;

static ANCHOR: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r#"<a\s+name="([^"]*)"\s*>\s*</a>"#));
static HTML_LINK: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r#"(?s)<a\s+href="([^"]*)"[^>]*>(.*?)</a>"#));
// A link's target may hold one level of parentheses: `[x](数据结构(查询详情).md)`.
static MD_LINK: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))*)\)"));
static TAG: LazyLock<Regex> = LazyLock::new(|| crate::statics::regex(r"<[^>]*>"));
static CAPTION_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"^(?:表|Table)\s*(\d+)\s*"));

/// Parses one markdown page.
pub fn parse(path: &std::path::Path, file_name: &str, source: &str) -> Result<Page, DeriveError> {
    let fail = |line: usize, message: String| DeriveError::Page {
        file: path.display().to_string(),
        line,
        message,
    };
    let mut page = Page {
        path: path.to_path_buf(),
        file_name: file_name.to_string(),
        lang: Lang::Zh,
        title: String::new(),
        preamble: Vec::new(),
        sections: Vec::new(),
    };
    let lines: Vec<&str> = source.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line = raw.trim();
        let line_no = i + 1;
        i += 1;
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            if page.title.is_empty() {
                page.title = inline_text(rest).text;
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("## ") {
            let heading = inline_text(rest).text;
            page.sections.push(Section {
                kind: SectionKind::from_heading(&heading),
                heading,
                line: line_no,
                blocks: Vec::new(),
            });
            continue;
        }
        let block = if line.starts_with("```") {
            let mut body = Vec::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                if l.trim().starts_with("```") {
                    closed = true;
                    break;
                }
                body.push(l);
            }
            if !closed {
                return Err(fail(line_no, "code block is never closed (```)".into()));
            }
            Block::Code {
                text: body.join("\n"),
                line: line_no,
            }
        } else if line.starts_with('|') {
            // A markdown pipe table: header row, separator row, body rows, until a line that is
            // not a row.
            let mut rows = vec![line];
            while i < lines.len() && lines[i].trim().starts_with('|') {
                rows.push(lines[i].trim());
                i += 1;
            }
            let mut table = parse_pipe_table(&rows).map_err(|m| fail(line_no, m))?;
            table.line = line_no;
            // parse_pipe_table gives each body row's offset from the header line.
            table.row_lines = table.row_lines.iter().map(|k| line_no + k).collect();
            Block::Table(table)
        } else if line.contains("<table") {
            let mut html = String::from(raw);
            let mut closed = raw.contains("</table>");
            while !closed && i < lines.len() {
                html.push('\n');
                html.push_str(lines[i]);
                closed = lines[i].contains("</table>");
                i += 1;
            }
            if !closed {
                return Err(fail(
                    line_no,
                    "table is never closed (</table> missing): the page looks truncated".into(),
                ));
            }
            let mut table = parse_table(&html).map_err(|m| fail(line_no, m))?;
            table.line = line_no;
            // Each `<tr` starts a row; the first is the header.
            table.row_lines = html
                .lines()
                .enumerate()
                .flat_map(|(k, l)| std::iter::repeat_n(line_no + k, l.matches("<tr").count()))
                .skip(1)
                .collect();
            Block::Table(table)
        } else {
            let mut text = inline_text(line);
            text.line = line_no;
            if text.text.is_empty() && text.anchors.is_empty() {
                continue;
            }
            Block::Text(text)
        };
        match page.sections.last_mut() {
            Some(section) => section.blocks.push(block),
            None => page.preamble.push(block),
        }
    }
    if page.title.is_empty() {
        return Err(fail(1, "no page title (a line starting with '# ')".into()));
    }
    // Markdown pages are Chinese unless their title has no CJK character at all.
    if !page.title.chars().any(is_cjk) {
        page.lang = Lang::En;
    }
    attach_captions(&mut page.preamble);
    for section in &mut page.sections {
        attach_captions(&mut section.blocks);
    }
    Ok(page)
}

/// A CJK ideograph (the basic block and extension A).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Turns one markdown line into plain text, collecting anchors and links.
pub fn inline_text(line: &str) -> Text {
    let anchors = ANCHOR
        .captures_iter(line)
        .map(|c| c[1].to_string())
        .collect();
    let without_anchors = ANCHOR.replace_all(line, "");
    let mut links: Vec<Link> = HTML_LINK
        .captures_iter(&without_anchors)
        .map(|c| Link {
            href: c[1].to_string(),
            text: clean(&strip_tags(&c[2])),
        })
        .collect();
    links.extend(MD_LINK.captures_iter(&without_anchors).map(|c| Link {
        href: c[2].to_string(),
        text: clean(&c[1]),
    }));
    let md_links_as_text = MD_LINK.replace_all(&without_anchors, "$1");
    let text = clean(&strip_tags(&md_links_as_text));
    Text {
        anchors,
        text,
        links,
        line: 0,
    }
}

/// Removes HTML tags, but not a generic type's angle brackets: `Map<String,Transfer>` and
/// `List<String>` follow a word directly, a tag never does.
fn strip_tags(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('<') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for m in TAG.find_iter(s) {
        let generic = s[..m.start()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        out.push_str(&s[last..m.start()]);
        if generic {
            out.push_str(m.as_str());
        }
        last = m.end();
    }
    out.push_str(&s[last..]);
    std::borrow::Cow::Owned(out)
}

/// Removes markdown escapes, list markers and emphasis, and folds white space.
fn clean(s: &str) -> String {
    // Most text holds no escape or entity: skip the rewriting (a set has ~10^5 cells).
    if !s.contains(['\\', '*', '&']) {
        return clean_spaces(s);
    }
    let unescaped = s
        .replace("\\_", "_")
        .replace("\\{", "{")
        .replace("\\}", "}")
        .replace("\\*", "*")
        .replace("\\[", "[")
        .replace("\\]", "]")
        .replace("**", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&nbsp;", " ");
    clean_spaces(&unescaped)
}

/// Removes a list marker and folds white space.
fn clean_spaces(unescaped: &str) -> String {
    let trimmed = unescaped.trim();
    let trimmed = trimmed
        .strip_prefix("- ")
        .or_else(|| trimmed.strip_prefix("* "))
        .unwrap_or(trimmed);
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A CSS selector literal.
fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("invalid static selector {css:?}: {e}"))
}

// Selectors are parsed once: a documentation set has tens of thousands of cells.
static TR: LazyLock<Selector> = LazyLock::new(|| selector("tr"));
static TH: LazyLock<Selector> = LazyLock::new(|| selector("th"));
static CELL: LazyLock<Selector> = LazyLock::new(|| selector("th, td"));
static A_HREF: LazyLock<Selector> = LazyLock::new(|| selector("a[href]"));

/// Splits one pipe-table row into cells, honouring `\|` escapes.
fn pipe_cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    cells.push(cur);
    cells
}

/// Parses a markdown pipe table (`|a|b|` / `|--|--|` / rows).
fn parse_pipe_table(rows: &[&str]) -> Result<Table, String> {
    let is_separator = |r: &str| {
        let cells = pipe_cells(r);
        !cells.is_empty()
            && cells.iter().all(|c| {
                let c = c.trim();
                !c.is_empty() && c.chars().all(|x| matches!(x, '-' | ':' | ' '))
            })
    };
    let header_row = rows
        .first()
        .ok_or_else(|| "table has no rows".to_string())?;
    let header: Vec<String> = pipe_cells(header_row)
        .iter()
        .map(|c| inline_text(c).text)
        .collect();
    if header.iter().all(|h| h.is_empty()) {
        return Err("table header is empty".into());
    }
    let row_offsets: Vec<usize> = rows
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| !is_separator(r))
        .map(|(k, _)| k)
        .collect();
    let body = rows.iter().skip(1).filter(|r| !is_separator(r));
    let rows = body
        .map(|r| {
            pipe_cells(r)
                .iter()
                .map(|c| {
                    let t = inline_text(&c.replace("<br>", "\n").replace("<br/>", "\n"));
                    let paragraphs = t
                        .text
                        .split('\n')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect();
                    Cell {
                        paragraphs,
                        links: t.links,
                    }
                })
                .collect()
        })
        .collect();
    Ok(Table {
        title: None,
        anchors: Vec::new(),
        number: None,
        header,
        rows,
        line: 0,
        row_lines: row_offsets,
    })
}

/// Parses one `<table>` with an HTML parser.
fn parse_table(html: &str) -> Result<Table, String> {
    let doc = Html::parse_fragment(html);
    let tr = &*TR;
    let cell = &*CELL;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut header: Option<Vec<String>> = None;
    // Cells spanning rows below them, per column: (cell, rows still to fill).
    let mut pending: Vec<Option<(Cell, usize)>> = Vec::new();
    for row in doc.select(tr) {
        let cells = expand_spans(row.select(cell), &mut pending);
        if cells.is_empty() {
            continue;
        }
        let is_header = row.select(&TH).next().is_some();
        if header.is_none() && (is_header || rows.is_empty()) {
            header = Some(cells.iter().map(Cell::text).collect());
        } else {
            rows.push(cells);
        }
    }
    let header = header.ok_or_else(|| "table has no rows".to_string())?;
    if header.iter().all(|h| h.is_empty()) {
        return Err("table header is empty".into());
    }
    Ok(Table {
        title: None,
        anchors: Vec::new(),
        number: None,
        header,
        rows,
        line: 0,
        row_lines: Vec::new(),
    })
}

/// The cells of one row with `rowspan` and `colspan` expanded, so every row has one cell per
/// column (an error-code table's status cell spans the rows of its codes).
fn expand_spans<'a>(
    html_cells: impl Iterator<Item = ElementRef<'a>>,
    pending: &mut Vec<Option<(Cell, usize)>>,
) -> Vec<Cell> {
    // Spans are capped: a hostile `rowspan="99999999"` must not allocate without bound.
    let span = |e: &ElementRef<'_>, attr: &str, cap: usize| {
        e.value()
            .attr(attr)
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, cap)
    };
    let mut out: Vec<Cell> = Vec::new();
    let take_pending = |out: &mut Vec<Cell>, pending: &mut Vec<Option<(Cell, usize)>>| {
        while let Some(slot) = pending.get_mut(out.len()) {
            let Some((cell, left)) = slot.as_mut() else {
                break;
            };
            out.push(cell.clone());
            *left -= 1;
            if *left == 0 {
                *slot = None;
            }
        }
    };
    let mut any = false;
    for e in html_cells {
        any = true;
        take_pending(&mut out, pending);
        let cell = parse_cell(e);
        let rows = span(&e, "rowspan", 1000);
        for _ in 0..span(&e, "colspan", 100) {
            let col = out.len();
            if rows > 1 {
                if pending.len() <= col {
                    pending.resize(col + 1, None);
                }
                pending[col] = Some((cell.clone(), rows - 1));
            }
            out.push(cell.clone());
        }
    }
    if any {
        take_pending(&mut out, pending);
    }
    out
}

/// Elements that end a paragraph of a cell: a list item's words are not the next item's.
const BLOCKS: &[&str] = &[
    "p", "li", "ul", "ol", "div", "br", "dl", "dt", "dd", "pre", "table", "tr", "h1", "h2", "h3",
    "h4", "h5", "h6",
];

/// The text of a cell, a paragraph per block element (`<p>`, `<li>`, `<br>`, …), in order.
fn block_paragraphs(e: ElementRef<'_>, depth: usize, current: &mut String, out: &mut Vec<String>) {
    let flush = |current: &mut String, out: &mut Vec<String>| {
        // Most boundaries hold only the white space between tags.
        if !current.trim().is_empty() {
            out.push(clean(current));
        }
        current.clear();
    };
    for child in e.children() {
        if let Some(text) = child.value().as_text() {
            current.push_str(text);
        } else if let Some(inner) = ElementRef::wrap(child) {
            let block = BLOCKS.contains(&inner.value().name());
            if block {
                flush(current, out);
            }
            // Markup nested deeper than any page writes is read as plain text.
            if depth < 64 {
                block_paragraphs(inner, depth + 1, current, out);
            } else {
                current.extend(inner.text());
            }
            if block {
                flush(current, out);
            }
        }
    }
}

/// A cell's paragraphs (one per block element: `<p>`, `<li>`, …) and links.
fn parse_cell(cell: ElementRef<'_>) -> Cell {
    let a = &*A_HREF;
    let element_text = |e: ElementRef<'_>| clean(&e.text().collect::<String>());
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    block_paragraphs(cell, 0, &mut current, &mut paragraphs);
    let rest = clean(&current);
    if !rest.is_empty() {
        paragraphs.push(rest);
    }
    let links = cell
        .select(a)
        .map(|e| Link {
            href: e.value().attr("href").unwrap_or_default().to_string(),
            text: element_text(e),
        })
        .collect();
    Cell { paragraphs, links }
}

/// Gives each table the caption and anchors written just before it.
fn attach_captions(blocks: &mut [Block]) {
    for idx in 0..blocks.len() {
        if !matches!(blocks[idx], Block::Table(_)) {
            continue;
        }
        let mut anchors = Vec::new();
        let mut title = None;
        let mut number = None;
        let mut j = idx;
        while j > 0 {
            j -= 1;
            match &blocks[j] {
                Block::Text(t) if t.text.is_empty() => anchors.extend(t.anchors.iter().cloned()),
                Block::Text(t) => {
                    anchors.extend(t.anchors.iter().cloned());
                    number = CAPTION_NUMBER.captures(&t.text).map(|c| c[1].to_string());
                    title = Some(CAPTION_NUMBER.replace(&t.text, "").trim().to_string());
                    break;
                }
                _ => break,
            }
        }
        if let Block::Table(table) = &mut blocks[idx] {
            table.anchors = anchors;
            table.title = title;
            table.number = number;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_and_column_spans_give_every_row_a_cell_per_column() {
        let t = parse_table(
            "<table><tr><th>状态码</th><th>错误码</th><th>错误信息</th></tr>\
             <tr><td rowspan=\"2\">400</td><td>A.1</td><td>a</td></tr>\
             <tr><td>A.2</td><td>b</td></tr>\
             <tr><td>404</td><td colspan=\"2\">gone</td></tr></table>",
        )
        .unwrap();
        let texts: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::text).collect())
            .collect();
        assert_eq!(
            texts,
            vec![
                vec!["400", "A.1", "a"],
                vec!["400", "A.2", "b"],
                vec!["404", "gone", "gone"],
            ]
        );
    }

    /// Each list item and paragraph of a cell is a paragraph of its own, in order, also when
    /// the cell mixes `<p>` with lists (a note below a list must not hide the list).
    #[test]
    fn a_cell_has_a_paragraph_per_block_element() {
        let t = parse_table(
            "<table><tr><th>参数</th><th>描述</th></tr><tr><td><p>a</p></td><td>\
             <p>功能说明：策略</p><div class=\"p\">取值范围：<ul><li>allow表示允许</li>\
             <li>deny<br>表示拒绝</li></ul></div><p>约束：默认值为<b>allow</b></p>\
             <div class=\"note\"><span>说明：</span><div><p>见<a href=\"x.md\">其他</a>。</p></div></div>\
             </td></tr></table>",
        )
        .unwrap();
        let cell = &t.rows[0][1];
        assert_eq!(
            cell.paragraphs,
            vec![
                "功能说明：策略",
                "取值范围：",
                "allow表示允许",
                "deny",
                "表示拒绝",
                "约束：默认值为allow",
                "说明：",
                "见其他。"
            ]
        );
        assert_eq!(cell.links.len(), 1);
    }

    /// A page name may hold parentheses; the link ends at the parenthesis closing it.
    #[test]
    fn markdown_links_to_pages_with_parentheses_in_their_names() {
        let t = inline_text("见[详情](数据(详情).md#t1)与[概述](概述.md)。");
        let hrefs: Vec<&str> = t.links.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(hrefs, vec!["数据(详情).md#t1", "概述.md"]);
        assert_eq!(t.text, "见详情与概述。");
    }

    #[test]
    fn pipe_tables_split_on_unescaped_bars() {
        let t = parse_pipe_table(&["|参数|描述|", "|--|--|", r"|a|x \| y|"]).unwrap();
        assert_eq!(t.header, vec!["参数", "描述"]);
        assert_eq!(t.rows[0][1].text(), "x | y");
    }
}
