//! Expected against actual as diff lines, shared by the Markdown and HTML reports (the console
//! colours its own): JSON is pretty-printed first so a diff points at the field that changed.

use crate::check::Finding;

/// One diff line: `-` expected only, `+` actual only, ` ` both.
pub type Line = (char, String);

fn pretty(s: &str) -> String {
    serde_json::from_str::<serde_json::Value>(s)
        .ok()
        .filter(|v| v.is_object() || v.is_array())
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| s.to_string())
}

/// The finding's expected and actual values as diff lines.
pub fn lines(f: &Finding) -> Vec<Line> {
    let (expected, actual) = (pretty(&f.expected), pretty(&f.actual));
    if !expected.contains('\n') && !actual.contains('\n') {
        return vec![('-', expected), ('+', actual)];
    }
    similar::TextDiff::from_lines(&expected, &actual)
        .iter_all_changes()
        .map(|c| {
            let sign = match c.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            (sign, c.value().trim_end_matches('\n').to_string())
        })
        .collect()
}

/// The changed lines with `context` unchanged lines around each, at most `max` lines; a cut is
/// marked with `…`.
pub fn short(lines: &[Line], context: usize, max: usize) -> Vec<Line> {
    let keep: Vec<bool> = (0..lines.len())
        .map(|i| {
            let lo = i.saturating_sub(context);
            let hi = (i + context + 1).min(lines.len());
            lines[lo..hi].iter().any(|(s, _)| *s != ' ')
        })
        .collect();
    let mut out = Vec::new();
    let mut skipped = false;
    for (line, k) in lines.iter().zip(keep) {
        if k {
            if skipped && !out.is_empty() {
                out.push((' ', "…".to_string()));
            }
            skipped = false;
            out.push(line.clone());
        } else {
            skipped = true;
        }
        if out.len() >= max {
            out.push((' ', "…".to_string()));
            break;
        }
    }
    out
}
