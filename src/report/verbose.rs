//! `conform run -v` / `-vv`: each step's exchange on stderr, as Hurl's `--verbose` and
//! `--very-verbose` show it. `-v` gives the request line and the status with the step's time;
//! `-vv` adds both sides' headers and bodies, a body cut at [`BODY_LIMIT`] bytes with a note of
//! how much was cut.
//!
//! It renders the steps a case's result already holds (the runner never prints), when the case
//! ends, in one write: with several jobs a case's lines stay together. Secrets are hidden as in
//! every report: the records hold secret headers already redacted ([`crate::secrets`]), and
//! [`Secrets`] scrubs the target's secret values from the text.

use std::fmt::Write as _;
use std::io::Write;

use crate::run::result::{CaseResult, StepResult};
use crate::secrets::Secrets;

/// The most of a body `-vv` prints, in bytes (cut at a character boundary at or below it).
pub const BODY_LIMIT: usize = 4096;

/// How much of each exchange `conform run` prints on stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Nothing (the default).
    #[default]
    Quiet,
    /// `-v`: request line, status and time of each step.
    Verbose,
    /// `-vv`: also headers and bodies.
    VeryVerbose,
}

impl Verbosity {
    /// The level of `-v` given `count` times, or `--very-verbose`.
    pub fn from_flags(count: u8, very_verbose: bool) -> Verbosity {
        match (count, very_verbose) {
            (_, true) | (2.., _) => Verbosity::VeryVerbose,
            (1, false) => Verbosity::Verbose,
            (0, false) => Verbosity::Quiet,
        }
    }
}

/// The `-v` reporter: writes each finished case's exchanges to its stream (stderr).
pub struct Verbose {
    out: Box<dyn Write + Send>,
    level: Verbosity,
    redactor: Secrets,
}

impl Verbose {
    /// A reporter at `level` writing to `out`.
    pub fn new(out: Box<dyn Write + Send>, level: Verbosity, redactor: Secrets) -> Verbose {
        Verbose {
            out,
            level,
            redactor,
        }
    }

    /// One case's exchanges, in one write.
    pub fn case(&mut self, r: &CaseResult) {
        let text = render(r, self.level, &self.redactor);
        if !text.is_empty() {
            let _ = self.out.write_all(text.as_bytes());
            let _ = self.out.flush();
        }
    }
}

/// The text `level` prints for a case (empty for a case that sent nothing, or when quiet).
pub fn render(r: &CaseResult, level: Verbosity, redactor: &Secrets) -> String {
    if level == Verbosity::Quiet || r.steps.is_empty() {
        return String::new();
    }
    let mut text = format!("* case {} ({})\n", r.id, r.verdict.label());
    for step in &r.steps {
        exchange(&mut text, step, level, redactor);
    }
    text.push('\n');
    redactor.scrub(&text).into_owned()
}

/// One step: `*` lines about it, `>` what was sent, `<` what came back.
fn exchange(text: &mut String, step: &StepResult, level: Verbosity, redactor: &Secrets) {
    // Writing to a String cannot fail.
    let _ = writeln!(
        text,
        "* {}{} ({})",
        if step.teardown { "teardown " } else { "" },
        step.name,
        step.operation
    );
    if step.attempts > 1 {
        let _ = writeln!(text, "* {} attempts", step.attempts);
    }
    if let Some(req) = &step.request {
        let _ = writeln!(text, "> {} {}", req.method, req.url);
        if level == Verbosity::VeryVerbose {
            for (k, v) in &req.headers {
                let _ = writeln!(text, "> {k}: {v}");
            }
            if let Some(body) = req.body.as_deref().filter(|b| !b.is_empty()) {
                text.push_str(">\n");
                body_lines(text, '>', body, "request", redactor);
            }
        }
    }
    if let Some(resp) = &step.response {
        let _ = writeln!(text, "< {} in {} ms", resp.status, step.duration_ms);
        if level == Verbosity::VeryVerbose {
            for (k, v) in &resp.headers {
                let _ = writeln!(text, "< {k}: {v}");
            }
            if !resp.body.is_empty() {
                text.push_str("<\n");
                body_lines(text, '<', &resp.body, "response", redactor);
            }
        }
    }
    if let Some(e) = &step.error {
        let _ = writeln!(text, "* error after {} ms: {e}", step.duration_ms);
    }
}

/// A body, each line behind `mark`, cut at [`BODY_LIMIT`] bytes. Scrubbed before it is cut: a
/// secret straddling the cut would otherwise leave its first bytes that no scrub then matches.
fn body_lines(text: &mut String, mark: char, body: &str, side: &str, redactor: &Secrets) {
    let body = redactor.scrub(body);
    let mut end = body.len().min(BODY_LIMIT);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    for line in body[..end].lines() {
        let _ = writeln!(text, "{mark} {line}");
    }
    if end < body.len() {
        let _ = writeln!(
            text,
            "* {side} body cut at {BODY_LIMIT} bytes: {} more bytes not shown",
            body.len() - end
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::result::{RequestRecord, ResponseRecord, Verdict};

    fn case(request_body: &str, response_body: &str) -> CaseResult {
        let mut step = StepResult::blank("step 1", "evs.update_snapshot.v2");
        step.request = Some(RequestRecord {
            method: "PUT".into(),
            url: "http://127.0.0.1:1/v2/p/snapshots/s".into(),
            headers: vec![("x-auth-token".into(), "<redacted>".into())],
            body: Some(request_body.into()),
        });
        step.response = Some(ResponseRecord {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: response_body.into(),
            json: None,
        });
        step.duration_ms = 7;
        let mut r = CaseResult::skipped("c", "c.yaml", "evs.update_snapshot.v2", "x");
        r.verdict = Verdict::Passed;
        r.steps = vec![step];
        r
    }

    #[test]
    fn verbose_prints_the_request_line_and_status_and_very_verbose_adds_headers_and_bodies() {
        let r = case("{\"a\":1}", "{\"b\":2}");
        let none = Secrets::default();
        let v = render(&r, Verbosity::Verbose, &none);
        assert!(
            v.contains("> PUT http://127.0.0.1:1/v2/p/snapshots/s\n"),
            "{v}"
        );
        assert!(v.contains("< 200 in 7 ms\n"), "{v}");
        assert!(
            !v.contains("{\"b\":2}") && !v.contains("content-type"),
            "{v}"
        );
        let vv = render(&r, Verbosity::VeryVerbose, &none);
        for want in [
            "> x-auth-token: <redacted>\n",
            "> {\"a\":1}\n",
            "< content-type: application/json\n",
            "< {\"b\":2}\n",
        ] {
            assert!(vv.contains(want), "{want} in {vv}");
        }
        assert_eq!(render(&r, Verbosity::Quiet, &none), "");
    }

    #[test]
    fn a_long_body_is_cut_at_the_limit_with_a_note_and_a_secret_across_the_cut_stays_hidden() {
        let secret = "s3cr3t-value-straddling";
        let body = format!("{}{secret}{}", "é".repeat(2046), "x".repeat(100));
        let r = case("", &body);
        let text = render(
            &r,
            Verbosity::VeryVerbose,
            &Secrets::new(vec![secret.into()]),
        );
        assert!(!text.contains("s3cr"), "{text}");
        let shown = text
            .lines()
            .find(|l| l.starts_with("< é"))
            .expect("the body line");
        assert!(shown.len() - 2 <= BODY_LIMIT, "{}", shown.len());
        assert!(
            text.contains("* response body cut at 4096 bytes: "),
            "{text}"
        );
    }

    #[test]
    fn flags_map_to_levels() {
        assert_eq!(Verbosity::from_flags(0, false), Verbosity::Quiet);
        assert_eq!(Verbosity::from_flags(1, false), Verbosity::Verbose);
        assert_eq!(Verbosity::from_flags(2, false), Verbosity::VeryVerbose);
        assert_eq!(Verbosity::from_flags(0, true), Verbosity::VeryVerbose);
    }
}
