//! Every YAML file of the project (cases, fixtures, config, manifest, vars, quarantine) is read
//! by serde-saphyr alone, positions by its `Spanned`; this module is the one place that turns
//! its errors into (line, column, message) in plain words, so every file reports problems the
//! same way.

/// 1-based line and column (0 when unknown) and the message without saphyr's own position prefix.
pub fn error_parts(e: &serde_saphyr::Error) -> (usize, usize, String) {
    let (line, column) = e
        .location()
        .map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
    let full = e.to_string();
    let first = full.lines().next().unwrap_or_default();
    let rest = first.strip_prefix("error: ").unwrap_or(first);
    let message = match rest.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((pos, msg)) if pos.contains("column") => msg.to_string(),
        _ => rest.to_string(),
    };
    (line, column, message)
}

/// A serde-saphyr error as a diagnostic at its position, in plain words.
pub fn diagnostic(
    path: &std::path::Path,
    e: &serde_saphyr::Error,
) -> crate::diagnostic::Diagnostic {
    let (line, column, message) = error_parts(e);
    crate::diagnostic::Diagnostic::at(path, line, column, plain_words(&message))
}

/// Rewrites the parser's internal phrasing (budget structs, option names, grammar terms) into
/// what a case author can act on.
pub fn plain_words(message: &str) -> String {
    let m = message.trim();
    if m.contains("budget breached") {
        if let Some(depth) = m
            .split("depth:")
            .nth(1)
            .and_then(|r| r.trim_start().split(|c: char| !c.is_ascii_digit()).next())
            .filter(|d| !d.is_empty())
        {
            return format!("the document is nested too deeply (more than {depth} levels)");
        }
        return "the document is too large or too deeply nested to read safely (size, nesting or alias limits)".into();
    }
    if m.contains("DuplicateKeyPolicy") || m.to_ascii_lowercase().contains("duplicate") {
        let key = m.split('`').nth(1).or_else(|| m.split('\'').nth(1));
        return match key {
            Some(k) => format!("duplicate key '{k}': each key may appear once in a map"),
            None => "duplicate key: each key may appear once in a map".into(),
        };
    }
    if let Some(kind) = ["i64", "u64", "i32", "u32", "u16", "u8", "f64"]
        .into_iter()
        .find(|k| m.starts_with(&format!("invalid {k}")) || m.contains(&format!("expected {k}")))
    {
        let what = if kind == "f64" {
            "a number"
        } else {
            "a whole number"
        };
        return format!("expected {what} here");
    }
    if m.starts_with("multiple YAML documents") {
        return "a second YAML document (after a `---` line): a file holds one document".into();
    }
    for (from, to) in [
        ("expected sequence start", "expected a list here"),
        ("expected mapping start", "expected a map (key: value) here"),
        ("expected a sequence", "expected a list here"),
        ("expected a mapping", "expected a map (key: value) here"),
    ] {
        if m.contains(from) {
            return m.replace(from, to);
        }
    }
    m.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_internals_become_plain_words() {
        assert_eq!(
            plain_words("budget breached: Depth { depth: 65 }"),
            "the document is nested too deeply (more than 65 levels)"
        );
        let dup = plain_words(
            "duplicate mapping key `a`; set DuplicateKeyPolicy in Options if acceptable",
        );
        assert!(dup.starts_with("duplicate key 'a'"), "{dup}");
        assert!(!dup.contains("DuplicateKeyPolicy"));
        assert_eq!(
            plain_words("expected sequence start"),
            "expected a list here"
        );
    }
}
