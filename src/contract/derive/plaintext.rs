//! Parser for the English reference pages: plain text with tables flattened into lines.
//!
//! A flattened table is one indented line: the header words ("Parameter Type Mandatory
//! Description") followed by every row's cells separated by spaces. Rows are recovered by
//! recognising where a row starts: a field-name-like token followed by a value of each typed
//! column (a type word, then Yes/No).

use std::sync::LazyLock;

use regex::Regex;

use super::page::{Block, Cell, Lang, Page, Section, SectionKind, Table, Text};
use super::DeriveError;

static FIELD_NAME: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"^[A-Za-z_][A-Za-z0-9_:.~\-]*$"));

/// Column kinds a flattened header can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Type,
    Mandatory,
    Description,
}

impl Column {
    fn from_word(w: &str) -> Option<Column> {
        match w {
            "Parameter" | "Name" => Some(Column::Name),
            "Type" => Some(Column::Type),
            "Mandatory" | "Required" => Some(Column::Mandatory),
            "Description" => Some(Column::Description),
            _ => None,
        }
    }

    /// The canonical (Chinese) header text, so later stages see one vocabulary.
    fn header(self) -> &'static str {
        match self {
            Column::Name => "参数",
            Column::Type => "参数类型",
            Column::Mandatory => "是否必选",
            Column::Description => "描述",
        }
    }
}

/// Type words a flattened row may use in its type column.
const TYPE_WORDS: &[&str] = &[
    "String", "string", "Integer", "integer", "Int", "int", "Long", "long", "Boolean", "boolean",
    "Bool", "Object", "object", "Map", "map", "Array", "array", "List", "list", "Float", "Double",
    "Number", "number",
];

/// Parses one plain-text page.
pub fn parse(path: &std::path::Path, file_name: &str, source: &str) -> Result<Page, DeriveError> {
    let fail = |line: usize, message: String| DeriveError::Page {
        file: path.display().to_string(),
        line,
        message,
    };
    let mut page = Page {
        path: path.to_path_buf(),
        file_name: file_name.to_string(),
        lang: Lang::En,
        title: String::new(),
        preamble: Vec::new(),
        sections: Vec::new(),
    };
    let mut caption: Option<String> = None;
    for (idx, raw) in source.lines().enumerate() {
        let line_no = idx + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if page.title.is_empty() {
            page.title = line.to_string();
            continue;
        }
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        if !indented && !line.starts_with('-') {
            let kind = SectionKind::from_heading(line);
            if kind != SectionKind::Other || is_heading_like(line) {
                page.sections.push(Section {
                    kind,
                    heading: line.to_string(),
                    line: line_no,
                    blocks: Vec::new(),
                });
                caption = None;
                continue;
            }
        }
        let mut blocks = Vec::new();
        if let Some(rest) = line.strip_prefix('-') {
            let text = rest.trim().to_string();
            caption = Some(text.clone());
            blocks.push(Block::Text(Text {
                text,
                line: line_no,
                ..Text::default()
            }));
        } else if let Some(mut table) = parse_flat_table(line).map_err(|m| fail(line_no, m))? {
            table.title = caption.take();
            table.line = line_no;
            // A flattened table is one line: every row is stated there.
            table.row_lines = vec![line_no; table.rows.len()];
            blocks.push(Block::Table(table));
        } else if line.contains('{') {
            let (examples, rest) = extract_json(line);
            blocks.extend(examples.into_iter().map(|text| Block::Code {
                text,
                line: line_no,
            }));
            if !rest.trim().is_empty() {
                blocks.push(Block::Text(Text {
                    text: rest,
                    line: line_no,
                    ..Text::default()
                }));
            }
        } else {
            blocks.push(Block::Text(Text {
                text: line.to_string(),
                line: line_no,
                ..Text::default()
            }));
        }
        match page.sections.last_mut() {
            Some(section) => section.blocks.extend(blocks),
            None => page.preamble.extend(blocks),
        }
    }
    if page.title.is_empty() {
        return Err(fail(1, "the page is empty".into()));
    }
    Ok(page)
}

/// A short capitalised line without a full stop reads as a heading (e.g. "Feedback").
fn is_heading_like(line: &str) -> bool {
    line.split_whitespace().count() <= 3
        && line.chars().next().is_some_and(char::is_uppercase)
        && !line.ends_with('.')
        && !line.ends_with('?')
}

/// Recognises a flattened table line and splits it into rows.
fn parse_flat_table(line: &str) -> Result<Option<Table>, String> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let mut columns = Vec::new();
    for t in &tokens {
        match Column::from_word(t) {
            Some(c) if !columns.contains(&c) => columns.push(c),
            _ => break,
        }
    }
    if columns.first() != Some(&Column::Name) || !columns.contains(&Column::Description) {
        return Ok(None);
    }
    if columns.last() != Some(&Column::Description) {
        return Err("flattened table: the Description column must come last".into());
    }
    let body = &tokens[columns.len()..];
    let mut starts = Vec::new();
    let mut k = 0;
    while k < body.len() {
        if let Some(width) = row_start(body, k, &columns) {
            starts.push((k, width));
            k += width;
        } else {
            k += 1;
        }
    }
    if starts.first().map(|s| s.0) != Some(0) {
        return Err(format!(
            "flattened table: no row could be recognised after the header '{}'",
            columns
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    let mut rows = Vec::new();
    for (n, &(start, width)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(body.len(), |s| s.0);
        let mut cells = Vec::new();
        let mut pos = start;
        for column in &columns {
            let value = match column {
                Column::Description => body[start + width..end].join(" "),
                Column::Type => {
                    let w = type_width(body, pos);
                    let v = body[pos..pos + w].join(" ");
                    pos += w;
                    v
                }
                _ => {
                    pos += 1;
                    body[pos - 1].to_string()
                }
            };
            cells.push(Cell {
                paragraphs: if value.is_empty() {
                    Vec::new()
                } else {
                    vec![value]
                },
                links: Vec::new(),
            });
        }
        rows.push(cells);
    }
    Ok(Some(Table {
        title: None,
        anchors: Vec::new(),
        number: None,
        header: columns.iter().map(|c| c.header().to_string()).collect(),
        rows,
        line: 0,
        row_lines: Vec::new(),
    }))
}

/// If a row starts at `k`, how many tokens its non-description cells take.
fn row_start(body: &[&str], k: usize, columns: &[Column]) -> Option<usize> {
    let mut pos = k;
    for column in columns {
        let token = body.get(pos)?;
        match column {
            Column::Name => {
                if !FIELD_NAME.is_match(token)
                    || !token.chars().any(|c| c.is_lowercase() || c == '_')
                {
                    return None;
                }
                pos += 1;
            }
            Column::Type => {
                if !TYPE_WORDS.contains(token) && !token.contains('<') {
                    return None;
                }
                pos += type_width(body, pos);
            }
            Column::Mandatory => {
                if !matches!(*token, "Yes" | "No") {
                    return None;
                }
                pos += 1;
            }
            Column::Description => {}
        }
    }
    Some(pos - k)
}

/// Type cells may span tokens: "Array of strings", "List<String>".
fn type_width(body: &[&str], pos: usize) -> usize {
    match (body.get(pos), body.get(pos + 1)) {
        (Some(t), Some(&"of"))
            if matches!(*t, "Array" | "array" | "List" | "list") && body.get(pos + 2).is_some() =>
        {
            3
        }
        _ => 1,
    }
}

/// Pulls every balanced JSON object out of a line, returning them and the remaining prose.
pub fn extract_json(line: &str) -> (Vec<String>, String) {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut prose = String::new();
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            // Each brace is scanned at most once more than the text after it: an unbalanced
            // brace ends the search and a balanced non-JSON span is stepped over, so a hostile
            // line of braces costs linear time, not quadratic.
            let Some(end) = balanced_end(bytes, i) else {
                break;
            };
            let candidate = &line[i..=end];
            let is_json = serde_json::from_str::<serde_json::Value>(candidate).is_ok();
            if is_json {
                prose.push_str(&line[last..i]);
                prose.push(' ');
                found.push(candidate.to_string());
            }
            i = end + 1;
            if is_json {
                last = i;
            }
            continue;
        }
        i += 1;
    }
    prose.push_str(&line[last..]);
    (
        found,
        prose.split_whitespace().collect::<Vec<_>>().join(" "),
    )
}

/// Index of the brace closing the one at `start`, honouring JSON strings.
fn balanced_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_rows_are_split_at_field_names() {
        let t = parse_flat_table(
            "Parameter Type Mandatory Description name String No The name, at most 255 bytes. description String No The description.",
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][0].text(), "name");
        assert_eq!(t.rows[0][1].text(), "String");
        assert_eq!(t.rows[0][2].text(), "No");
        assert_eq!(t.rows[1][0].text(), "description");
        assert_eq!(t.rows[1][3].text(), "The description.");
    }

    #[test]
    fn json_examples_are_pulled_out_of_prose() {
        let (found, prose) = extract_json(r#"{ "a": { "b": "}" } }or { "c": 1 } trailing"#);
        assert_eq!(found.len(), 2);
        assert_eq!(prose, "or trailing");
    }

    #[test]
    fn a_header_without_rows_is_an_error() {
        assert!(parse_flat_table("Parameter Type Description").is_err());
    }

    #[test]
    fn a_hostile_line_of_braces_is_scanned_in_linear_time() {
        let line = "{".repeat(200_000) + &"{\"a\": 1}".repeat(2);
        let start = std::time::Instant::now();
        let (found, _) = extract_json(&line);
        assert!(found.is_empty(), "an unbalanced brace ends the search");
        let balanced = "{x} ".repeat(100_000) + r#"{"a": 1}"#;
        let (found, _) = extract_json(&balanced);
        assert_eq!(found, vec![r#"{"a": 1}"#.to_string()]);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
