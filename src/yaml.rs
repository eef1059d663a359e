//! One place that turns a serde-saphyr error into (line, column, message), so every YAML file
//! (cases, fixtures, config, manifest, vars) reports problems the same way.

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
