//! The JSON Lines report (`--report-jsonl`): one record a line, flushed as it happens, so every
//! complete line is a valid record even when the process is killed mid-run. Records carry a
//! `type`: `run` (header), `case`, `summary` (last), or `error` (a run that could not start).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{json, Value};

use crate::run::result::{CaseResult, Summary};
use crate::secrets::Secrets;

/// A JSONL report being written.
pub struct JsonlReport {
    out: BufWriter<File>,
    redactor: Secrets,
}

impl JsonlReport {
    /// Creates the file and writes the `run` record.
    pub fn create(path: &Path, target: &str, redactor: Secrets) -> std::io::Result<JsonlReport> {
        let mut r = JsonlReport {
            out: BufWriter::new(File::create(path)?),
            redactor,
        };
        r.line(&json!({"type": "run", "tool": "conform", "version": env!("CARGO_PKG_VERSION"), "target": target}))?;
        Ok(r)
    }

    fn line(&mut self, v: &Value) -> std::io::Result<()> {
        // A line is written whole and flushed, so a kill leaves complete lines only.
        let mut text = self.redactor.scrub(&v.to_string()).into_owned();
        text.push('\n');
        self.out.write_all(text.as_bytes())?;
        self.out.flush()
    }

    /// Appends one case.
    pub fn case(&mut self, r: &CaseResult) -> std::io::Result<()> {
        let mut v = serde_json::to_value(r).map_err(std::io::Error::other)?;
        if let Value::Object(o) = &mut v {
            o.insert("type".into(), json!("case"));
        }
        self.line(&v)
    }

    /// Appends an extra record (`error`, `coverage` …).
    pub fn record(&mut self, kind: &str, body: &Value) -> std::io::Result<()> {
        self.line(&json!({"type": kind, "record": body}))
    }

    /// Writes the `summary` record.
    pub fn finish(mut self, s: &Summary, exit_code: i32) -> std::io::Result<()> {
        self.line(&json!({"type": "summary", "summary": s, "exit_code": exit_code}))?;
        self.out.get_ref().sync_all()
    }
}
