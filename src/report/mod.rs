//! Reports read finished results; they never change a verdict. Every writer scrubs secrets.

pub mod console;
pub mod json;
pub mod junit;

/// Replaces secret values wherever they appear in text written out.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for these secrets (empty ones are ignored).
    pub fn new(secrets: Vec<String>) -> Redactor {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        // JSON-escaped spellings too, for secrets written inside serialised documents.
        let escaped: Vec<String> = secrets
            .iter()
            .filter_map(|s| serde_json::to_string(s).ok())
            .map(|q| q[1..q.len() - 1].to_string())
            .collect();
        secrets.extend(escaped);
        secrets.sort();
        secrets.dedup();
        Redactor { secrets }
    }

    /// The text with every secret replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "<redacted>");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_in_plain_and_json_escaped_form() {
        let r = Redactor::new(vec!["tok\"en-123".into()]);
        assert_eq!(r.scrub("a tok\"en-123 b"), "a <redacted> b");
        assert_eq!(r.scrub(r#"{"h":"tok\"en-123"}"#), r#"{"h":"<redacted>"}"#);
    }
}
