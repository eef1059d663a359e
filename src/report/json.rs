//! The JSON report, streamed: the header at the start, each case as it finishes, the summary at
//! the end, so memory stays flat and a run cut short still leaves every finished case on disk.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::json;

use super::Redactor;
use crate::run::result::{CaseResult, Summary};

/// A JSON report being written.
pub struct JsonReport {
    out: BufWriter<File>,
    redactor: Redactor,
    first: bool,
}

impl JsonReport {
    /// Creates the file and writes the header.
    pub fn create(path: &Path, target: &str, redactor: Redactor) -> std::io::Result<JsonReport> {
        let mut out = BufWriter::new(File::create(path)?);
        let header =
            json!({"tool": "conform", "version": env!("CARGO_PKG_VERSION"), "target": target});
        let header = header.to_string();
        // Open the object, keep it open for the cases array.
        write!(out, "{},\"cases\":[", &header[..header.len() - 1])?;
        Ok(JsonReport {
            out,
            redactor,
            first: true,
        })
    }

    /// Appends one case.
    pub fn case(&mut self, r: &CaseResult) -> std::io::Result<()> {
        let text = serde_json::to_string(r).map_err(std::io::Error::other)?;
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.out.write_all(b"\n")?;
        self.out.write_all(self.redactor.scrub(&text).as_bytes())?;
        Ok(())
    }

    /// Closes the document with the summary and exit code.
    pub fn finish(mut self, s: &Summary, exit_code: i32) -> std::io::Result<()> {
        let summary = serde_json::to_string(s).map_err(std::io::Error::other)?;
        write!(
            self.out,
            "\n],\"summary\":{summary},\"exit_code\":{exit_code}}}\n"
        )?;
        self.out.flush()
    }
}
