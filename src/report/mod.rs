//! Reports read the runner's events; they never change a verdict. Every writer scrubs secrets.
//!
//! [`Reporters`] fans each event out to the console and to every file report asked for, as
//! nextest's reporter does; [`exit_code`] is the one rule from a summary to the process's code.

pub mod console;
pub mod json;
pub mod jsonl;
pub mod junit;

use std::io::Write;
use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::run::result::{Event, Summary};

/// The exit code of a finished run: 3 when it was aborted or the target failed at the transport
/// level, 1 when a case failed or errored, else 0.
pub fn exit_code(s: &Summary) -> i32 {
    if s.aborted || s.transport_errors > 0 {
        crate::exit_code::UNREACHABLE
    } else if s.failed + s.errored > 0 {
        crate::exit_code::FAILED
    } else {
        crate::exit_code::OK
    }
}

/// The report files a run was asked for.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// `--report-json`: one document, renamed into place when complete.
    pub json: Option<PathBuf>,
    /// `--report-jsonl`: a record a line, streamed.
    pub jsonl: Option<PathBuf>,
    /// `--report-junit`: JUnit XML, renamed into place when complete.
    pub junit: Option<PathBuf>,
}

impl Outputs {
    /// Writes every requested report for a run that could not start, each holding one error
    /// entry that says why, so a CI step uploading them finds them.
    pub fn write_error(&self, target: &str, error: &Error, code: i32, redactor: &Redactor) {
        let diagnostics = error.diagnostics();
        let message = diagnostics
            .iter()
            .map(Diagnostic::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        let record = serde_json::json!({
            "kind": match code {
                crate::exit_code::UNREACHABLE => "unreachable",
                _ => "bad_input",
            },
            "message": message,
            "problems": diagnostics.iter().map(|d| serde_json::json!({
                "file": d.file.as_ref().map(|f| f.display().to_string()),
                "line": d.position.map(|p| p.line),
                "column": d.position.map(|p| p.column),
                "message": d.message,
            })).collect::<Vec<_>>(),
        });
        let summary = Summary {
            aborted: code == crate::exit_code::UNREACHABLE,
            ..Summary::default()
        };
        if let Some(p) = &self.json {
            if let Ok(j) = json::JsonReport::create(p, target, redactor.clone()) {
                let mut extra = serde_json::Map::new();
                extra.insert("error".into(), record.clone());
                let _ = j.finish(&summary, &extra, code);
            }
        }
        if let Some(p) = &self.jsonl {
            if let Ok(mut j) = jsonl::JsonlReport::create(p, target, redactor.clone()) {
                let _ = j.record("error", &record);
                let _ = j.finish(&summary, code);
            }
        }
        if let Some(p) = &self.junit {
            let mut j = junit::JunitReport::new(target, redactor.clone());
            j.error("conform", &message);
            let _ = j.write(p);
        }
    }
}

/// Every reporter of a run, fed the same events.
pub struct Reporters<W: Write> {
    /// The console.
    pub console: console::Console<W>,
    json: Option<json::JsonReport>,
    jsonl: Option<jsonl::JsonlReport>,
    junit: Option<(junit::JunitReport, PathBuf)>,
    write_error: Option<String>,
}

impl<W: Write> Reporters<W> {
    /// Opens the file reports (an unwritable path is an error before anything is sent).
    pub fn open(
        outputs: &Outputs,
        target: &str,
        redactor: &Redactor,
        console: console::Console<W>,
    ) -> Result<Reporters<W>, Error> {
        let json = match &outputs.json {
            Some(p) => Some(
                json::JsonReport::create(p, target, redactor.clone())
                    .map_err(|e| Error::Io(format!("--report-json {}: {e}", p.display())))?,
            ),
            None => None,
        };
        let jsonl = match &outputs.jsonl {
            Some(p) => Some(
                jsonl::JsonlReport::create(p, target, redactor.clone())
                    .map_err(|e| Error::Io(format!("--report-jsonl {}: {e}", p.display())))?,
            ),
            None => None,
        };
        let junit = outputs
            .junit
            .as_ref()
            .map(|p| (junit::JunitReport::new(target, redactor.clone()), p.clone()));
        Ok(Reporters {
            console,
            json,
            jsonl,
            junit,
            write_error: None,
        })
    }

    /// Renders one event everywhere.
    pub fn event(&mut self, event: &Event) {
        match event {
            Event::CaseFinished(r) => {
                self.console.case(r);
                if let Some(j) = &mut self.json {
                    if let Err(e) = j.case(r) {
                        self.write_error
                            .get_or_insert(format!("--report-json: {e}"));
                    }
                }
                if let Some(j) = &mut self.jsonl {
                    if let Err(e) = j.case(r) {
                        self.write_error
                            .get_or_insert(format!("--report-jsonl: {e}"));
                    }
                }
                if let Some((j, _)) = &mut self.junit {
                    j.case(r);
                }
            }
            Event::Retry {
                case,
                attempt,
                reason,
            } => self.console.retry(case, *attempt, reason),
            Event::Notice(text) => self.console.notice(text),
            Event::RunStarted { .. } => {}
        }
    }

    /// Closes every report with the summary and exit code.
    pub fn finish(mut self, summary: &Summary, code: i32) -> Result<(), Error> {
        self.console.summary(summary);
        if let Some(j) = self.json.take() {
            j.finish(summary, &serde_json::Map::new(), code)
                .map_err(|e| Error::Io(format!("--report-json: {e}")))?;
        }
        if let Some(j) = self.jsonl.take() {
            j.finish(summary, code)
                .map_err(|e| Error::Io(format!("--report-jsonl: {e}")))?;
        }
        if let Some((j, p)) = self.junit.take() {
            j.write(&p)
                .map_err(|e| Error::Io(format!("--report-junit {}: {e}", p.display())))?;
        }
        match self.write_error {
            Some(e) => Err(Error::Io(e)),
            None => Ok(()),
        }
    }
}

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
