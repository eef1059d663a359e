//! The insta `.snap` file format, written exactly as insta writes it so that `cargo insta
//! review/accept/reject` work on conform's snapshots and accepting one does not churn it.

/// Metadata of one snapshot (insta's known keys, in insta's order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// Workspace-relative path of the case file, with `/`.
    pub source: String,
    /// The step's line in the case file (pending `.snap.new` files only).
    pub assertion_line: Option<usize>,
    /// The request, as a template (`PUT /v2/{project_id}/snapshots/{snapshot_id}`).
    pub description: String,
    /// The step's label.
    pub expression: String,
    /// Custom metadata under `info` (survives insta's rewrite): operation, status, target.
    pub info: Vec<(String, InfoValue)>,
}

/// A value under `info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfoValue {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
}

/// Whether insta's emitter would double-quote a string.
fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.starts_with(' ') || s.ends_with(' ') {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "&*?|-<>=!%@.".contains(first) || s.starts_with("0x") {
        return true;
    }
    if s.chars()
        .any(|c| ":{}[],#`\"'\\".contains(c) || c.is_control())
    {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
    ) {
        return true;
    }
    s.parse::<f64>().is_ok() || s.parse::<i64>().is_ok()
}

fn scalar(s: &str) -> String {
    if !needs_quotes(s) {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders a snapshot file: `---`, metadata, `---`, the body, one newline.
pub fn render(meta: &Meta, body: &str) -> String {
    let mut out = String::from("---\n");
    out.push_str(&format!("source: {}\n", scalar(&meta.source)));
    if let Some(line) = meta.assertion_line {
        out.push_str(&format!("assertion_line: {line}\n"));
    }
    out.push_str(&format!("description: {}\n", scalar(&meta.description)));
    out.push_str(&format!("expression: {}\n", scalar(&meta.expression)));
    if !meta.info.is_empty() {
        out.push_str("info:\n");
        for (k, v) in &meta.info {
            let v = match v {
                InfoValue::Str(s) => scalar(s),
                InfoValue::Int(n) => n.to_string(),
            };
            out.push_str(&format!("  {}: {v}\n", scalar(k)));
        }
    }
    out.push_str("---\n");
    out.push_str(&normalize(body));
    out.push('\n');
    out
}

/// The body as insta compares it: trailing white space trimmed, CRLF turned into LF.
pub fn normalize(body: &str) -> String {
    normalized(body).into_owned()
}

/// [`normalize`], borrowing when there is no CRLF to replace (compare mode reads every
/// accepted file only to compare it).
fn normalized(body: &str) -> std::borrow::Cow<'_, str> {
    let body = body.trim_end();
    if body.contains("\r\n") {
        std::borrow::Cow::Owned(body.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(body)
    }
}

/// The body of a snapshot file (what follows the second `---` line), if the file has one.
pub fn body_of(file: &str) -> Option<std::borrow::Cow<'_, str>> {
    let rest = file.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(normalized(&rest[end + 5..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_insta() {
        assert_eq!(scalar("cases/evs/a.yaml"), "cases/evs/a.yaml");
        assert_eq!(scalar("PUT /v2/{project_id}"), "\"PUT /v2/{project_id}\"");
        assert_eq!(scalar("200"), "\"200\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("-x"), "\"-x\"");
        assert_eq!(scalar("step 1"), "step 1");
        assert_eq!(scalar(""), "\"\"");
    }

    #[test]
    fn a_rendered_file_reads_back() {
        let meta = Meta {
            source: "cases/a.yaml".into(),
            assertion_line: Some(7),
            description: "GET /x".into(),
            expression: "step 1".into(),
            info: vec![("status".into(), InfoValue::Int(200))],
        };
        let file = render(&meta, "status: 200\r\n\n{}\n\n");
        assert!(file.starts_with("---\nsource: cases/a.yaml\nassertion_line: 7\n"));
        assert_eq!(body_of(&file).as_deref(), Some("status: 200\n\n{}"));
        let crlf = "---\nsource: a\n---\na\r\nb\r\n\r\n";
        assert_eq!(body_of(crlf).as_deref(), Some("a\nb"), "CRLF read as LF");
    }
}
