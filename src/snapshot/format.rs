//! The insta `.snap` file format, written exactly as insta writes it so that `cargo insta
//! review/accept/reject` work on conform's snapshots and accepting one does not churn it.

use std::fmt::Write as _;

/// Metadata of one snapshot (insta's known keys, in insta's order), borrowed from what it
/// describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta<'a> {
    /// Workspace-relative path of the case file, with `/`.
    pub source: std::borrow::Cow<'a, str>,
    /// The step's line in the case file (pending `.snap.new` files only).
    pub assertion_line: Option<usize>,
    /// The request, as a template (`PUT /v2/{project_id}/snapshots/{snapshot_id}`).
    pub description: &'a str,
    /// The step's label.
    pub expression: &'a str,
    /// Custom metadata under `info` (survives insta's rewrite): operation, status, target.
    pub info: [(&'a str, InfoValue<'a>); 3],
}

/// A value under `info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfoValue<'a> {
    /// A string.
    Str(&'a str),
    /// An integer.
    Int(i64),
}

/// A table of the bytes that need a second look: the ASCII controls, `C2` (which leads the C1
/// controls U+0080–U+009F, `C2 80`–`C2 9F`, the only other characters `char::is_control`
/// admits), and `also`.
const fn controls_and(also: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    let mut i = 0;
    while i < also.len() {
        t[also[i] as usize] = true;
        i += 1;
    }
    t
}

/// The bytes that make insta's emitter quote a string: a control, a flow or quote character.
const QUOTING: [bool; 256] = controls_and(b":{}[],#`\"'\\");

/// The bytes that may need an escape inside quotes: a control, `"` and `\\`.
const ESCAPING: [bool; 256] = controls_and(b"\"\\");

/// Whether `s` holds a byte or character that makes insta's emitter quote it, in one pass.
fn holds_quoting(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        QUOTING[usize::from(c)] && (c != 0xc2 || b.get(i + 1).is_some_and(|n| *n < 0xa0))
    })
}

/// Whether insta's emitter would double-quote a string.
fn needs_quotes(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return true;
    };
    if s.starts_with(' ') || s.ends_with(' ') {
        return true;
    }
    // Judged by the byte: the indicators are ASCII, and a multi-byte character's bytes are all
    // at or above 0x80 (the only ones that matter there are the C1 controls).
    if b"&*?|-<>=!%@.".contains(&first) || s.starts_with("0x") {
        return true;
    }
    if holds_quoting(s) {
        return true;
    }
    const KEYWORDS: [&str; 10] = [
        "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n",
    ];
    if s.len() <= 5 && KEYWORDS.iter().any(|k| s.eq_ignore_ascii_case(k)) {
        return true;
    }
    // Only text that starts like a number (or `inf`, `nan`) can parse as one; every `i64` is
    // an `f64` too.
    matches!(first, b'+' | b'0'..=b'9' | b'i' | b'I' | b'n' | b'N') && s.parse::<f64>().is_ok()
}

/// Appends `s` as insta's emitter writes it: plain, or double-quoted and escaped.
fn push_scalar(out: &mut String, s: &str) {
    if !needs_quotes(s) {
        out.push_str(s);
        return;
    }
    out.push('"');
    // Most quoted text (a template's braces, a colon) holds nothing to escape: copied whole.
    if !s.bytes().any(|b| ESCAPING[usize::from(b)]) {
        out.push_str(s);
        out.push('"');
        return;
    }
    // Runs of characters that need no escape are copied whole.
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            c if c.is_control() => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        plain = i + c.len_utf8();
        if escaped.is_empty() {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(escaped);
        }
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

#[cfg(test)]
fn scalar(s: &str) -> String {
    let mut out = String::new();
    push_scalar(&mut out, s);
    out
}

/// Renders a snapshot file: `---`, metadata, `---`, the body, one newline.
pub fn render(meta: &Meta<'_>, body: &str) -> String {
    let body = normalized(body);
    let mut out = String::with_capacity(body.len() + 256);
    out.push_str("---\nsource: ");
    push_scalar(&mut out, &meta.source);
    if let Some(line) = meta.assertion_line {
        let _ = write!(out, "\nassertion_line: {line}");
    }
    out.push_str("\ndescription: ");
    push_scalar(&mut out, meta.description);
    out.push_str("\nexpression: ");
    push_scalar(&mut out, meta.expression);
    out.push_str("\ninfo:\n");
    for (k, v) in &meta.info {
        out.push_str("  ");
        push_scalar(&mut out, k);
        out.push_str(": ");
        match v {
            InfoValue::Str(s) => push_scalar(&mut out, s),
            InfoValue::Int(n) => {
                let _ = write!(out, "{n}");
            }
        }
        out.push('\n');
    }
    out.push_str("---\n");
    out.push_str(&body);
    out.push('\n');
    out
}

/// The body as insta compares it: trailing white space trimmed, CRLF turned into LF.
pub fn normalize(body: &str) -> String {
    normalized(body).into_owned()
}

/// [`normalize`] of a body already owned: trimmed in place, copied only to replace a CRLF.
pub fn normalize_owned(mut body: String) -> String {
    match normalized(&body) {
        // What `normalized` borrows is the body without its trailing white space.
        std::borrow::Cow::Borrowed(kept) => {
            let len = kept.len();
            body.truncate(len);
            body
        }
        std::borrow::Cow::Owned(replaced) => replaced,
    }
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

    /// The quoting rule as insta's emitter states it, character by character.
    fn quoted_by_the_rule(s: &str) -> bool {
        let lower = s.to_ascii_lowercase();
        s.is_empty()
            || s.starts_with(' ')
            || s.ends_with(' ')
            || "&*?|-<>=!%@.".contains(s.chars().next().unwrap_or(' '))
            || s.starts_with("0x")
            || s.chars()
                .any(|c| ":{}[],#`\"'\\".contains(c) || c.is_control())
            || matches!(
                lower.as_str(),
                "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
            )
            || s.parse::<f64>().is_ok()
            || s.parse::<i64>().is_ok()
    }

    /// Escaping as insta's emitter states it, character by character.
    fn escaped_by_the_rule(s: &str) -> String {
        let mut out = String::from('"');
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

    proptest::proptest! {
        /// The quoting rule, shortcuts and all, says what its plain statement says: quoted when
        /// empty, padded, led by an indicator or `0x`, holding a flow or quote character or a
        /// control, a YAML keyword in any case, or a number.
        #[test]
        fn quoting_shortcuts_change_nothing(s in "([-+.0-9eEiInNfatyrulsox_~: ]|inf|nan|true|Yes|0x|1e5){0,4}") {
            proptest::prop_assert_eq!(needs_quotes(&s), quoted_by_the_rule(&s));
        }

        /// The same for any text, controls (ASCII and C1), quotes and other characters among
        /// it, and the escaped form is the one the rule writes character by character.
        #[test]
        fn quoting_and_escaping_by_the_byte_change_nothing(
            s in "(\\PC|[\u{0}-\u{1f}\u{7f}-\u{a0}\u{100}\u{c0}:{}\\[\\],#`\"'\\\\ &*?|<>=!%@.-]){0,10}",
        ) {
            proptest::prop_assert_eq!(needs_quotes(&s), quoted_by_the_rule(&s));
            let written = scalar(&s);
            if needs_quotes(&s) {
                proptest::prop_assert_eq!(written, escaped_by_the_rule(&s));
            } else {
                proptest::prop_assert_eq!(written, s);
            }
        }
    }

    #[test]
    fn a_rendered_file_reads_back() {
        let meta = Meta {
            source: "cases/a.yaml".into(),
            assertion_line: Some(7),
            description: "GET /x",
            expression: "step 1",
            info: [
                ("operation", InfoValue::Str("PUT /v2/{id}")),
                ("status", InfoValue::Int(200)),
                ("target", InfoValue::Str("mock")),
            ],
        };
        let file = render(&meta, "status: 200\r\n\n{}\n\n");
        assert!(file.starts_with("---\nsource: cases/a.yaml\nassertion_line: 7\n"));
        assert!(
            file.contains(
                "\ninfo:\n  operation: \"PUT /v2/{id}\"\n  status: 200\n  target: mock\n---\n"
            ),
            "{file}"
        );
        assert_eq!(body_of(&file).as_deref(), Some("status: 200\n\n{}"));
        for body in ["status: 200\r\n\n{}\n\n", "a\r\nb \t\r\n", "", " \n"] {
            assert_eq!(
                normalize_owned(body.to_string()),
                normalize(body),
                "{body:?}"
            );
        }
        let crlf = "---\nsource: a\n---\na\r\nb\r\n\r\n";
        assert_eq!(body_of(crlf).as_deref(), Some("a\nb"), "CRLF read as LF");
    }
}
