//! Secrets: the one list of headers whose values never leave the process, the one placeholder
//! that replaces them, and the one scrubber of the target's secret values (AK, SK, tokens,
//! passwords). Console output, verbose exchanges, every report and every snapshot go through
//! these.

use std::borrow::Cow;

/// What a secret header's value or a secret value is replaced by, in every output.
pub const PLACEHOLDER: &str = "<redacted>";

/// Headers whose values are secret, lower-case: credentials, tokens and the AK/SK signature
/// (carried by `Authorization`; `X-Security-Token` is a temporary credential's token).
pub const HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-auth-token",
    "x-subject-token",
    "x-security-token",
    "cookie",
    "set-cookie",
];

/// Whether a header's value is secret, whatever the case of its name.
pub fn is_secret_header(name: &str) -> bool {
    HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s))
}

/// Headers with every secret value replaced by [`PLACEHOLDER`], in place.
pub fn redact_headers(mut headers: Vec<(String, String)>) -> Vec<(String, String)> {
    for (name, value) in &mut headers {
        if is_secret_header(name) {
            *value = PLACEHOLDER.into();
        }
    }
    headers
}

/// The secret values of a run, replaced by [`PLACEHOLDER`] wherever they appear in text written
/// out.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// Each value and its JSON-escaped spelling, longest first (a secret holding another is
    /// replaced whole).
    values: Vec<String>,
}

impl Secrets {
    /// The scrubber of these values (empty ones are ignored).
    pub fn new(values: Vec<String>) -> Secrets {
        let mut values: Vec<String> = values.into_iter().filter(|s| !s.is_empty()).collect();
        // JSON-escaped spellings too, for secrets written inside serialised documents.
        let escaped: Vec<String> = values
            .iter()
            .filter_map(|s| serde_json::to_string(s).ok())
            .map(|q| q[1..q.len() - 1].to_string())
            .collect();
        values.extend(escaped);
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        Secrets { values }
    }

    /// Whether there is nothing to scrub.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The text with every secret value replaced by [`PLACEHOLDER`]; borrowed when there is
    /// nothing to replace (the common case: no copy).
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for s in &self.values {
            if out.contains(s.as_str()) {
                out = Cow::Owned(out.replace(s.as_str(), PLACEHOLDER));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_headers_are_redacted_whatever_the_case_of_their_name() {
        let headers: Vec<(String, String)> = [
            ("content-type", "application/json"),
            ("X-Subject-Token", "tok-123"),
            ("Authorization", "SDK-HMAC-SHA256 Access=AK, Signature=abc"),
            ("set-cookie", "s=1"),
            ("X-Security-Token", "sts"),
            ("x-request-id", "r-1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let redacted = redact_headers(headers);
        let values: Vec<&str> = redacted.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(
            values,
            [
                "application/json",
                PLACEHOLDER,
                PLACEHOLDER,
                PLACEHOLDER,
                PLACEHOLDER,
                "r-1"
            ]
        );
    }

    #[test]
    fn secrets_are_scrubbed_in_plain_and_json_escaped_form_longest_first() {
        let s = Secrets::new(vec!["tok\"en-123".into(), String::new(), "abc".into()]);
        assert_eq!(s.scrub("a tok\"en-123 b"), "a <redacted> b");
        assert_eq!(s.scrub(r#"{"h":"tok\"en-123"}"#), r#"{"h":"<redacted>"}"#);
        assert_eq!(s.scrub("x abc y"), "x <redacted> y", "short secrets too");
        let nested = Secrets::new(vec!["key".into(), "secret-key-1".into()]);
        assert_eq!(
            nested.scrub("secret-key-1 key"),
            "<redacted> <redacted>",
            "a secret holding another is replaced whole"
        );
        assert!(matches!(s.scrub("nothing here"), Cow::Borrowed(_)));
        assert!(Secrets::new(vec![String::new()]).is_empty());
    }
}
