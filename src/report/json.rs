//! The JSON report. It is streamed to a temporary file beside the destination (the header at
//! the start, each case as it finishes, the summary at the end, so memory stays flat) and renamed
//! into place when complete: the file at the path is always a whole document, never a torn one,
//! even after SIGKILL. The line-by-line form is [`super::jsonl`].

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::run::result::{CaseResult, Summary};
use crate::secrets::Secrets;

/// A JSON report being written.
pub struct JsonReport {
    out: BufWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
    redactor: Secrets,
    first: bool,
    /// The case being serialised.
    scratch: Vec<u8>,
}

/// The temporary file a report is written to before it is renamed into place.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Removes the temporary files a killed run left beside `path` (`.NAME.PID.tmp` of a process
/// that no longer exists; on systems without `/proc`, of any other process).
pub fn remove_stale_temps(path: &Path) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let prefix = format!(".{name}.");
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = file
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let proc = Path::new("/proc");
        let alive =
            pid == std::process::id() || (proc.is_dir() && proc.join(pid.to_string()).exists());
        if !alive {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Writes a whole file atomically: to a temporary file, then renamed over the destination.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_path(path);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

impl JsonReport {
    /// Creates the temporary file and writes the header.
    pub fn create(path: &Path, target: &str, redactor: Secrets) -> std::io::Result<JsonReport> {
        let tmp = temp_path(path);
        // A case is about 1.5 KiB: 64 KiB a write rather than 8.
        let mut out = BufWriter::with_capacity(64 * 1024, File::create(&tmp)?);
        let header =
            json!({"tool": "conform", "version": env!("CARGO_PKG_VERSION"), "target": target});
        let header = header.to_string();
        // Open the object, keep it open for the cases array.
        write!(out, "{},\"cases\":[", &header[..header.len() - 1])?;
        Ok(JsonReport {
            out,
            tmp,
            path: path.to_path_buf(),
            redactor,
            first: true,
            scratch: Vec::new(),
        })
    }

    /// Appends one case.
    pub fn case(&mut self, r: &CaseResult) -> std::io::Result<()> {
        // One buffer for every case: a fresh string grew (and was copied) ten times a case.
        self.scratch.clear();
        serde_json::to_writer(&mut self.scratch, r).map_err(std::io::Error::other)?;
        let text = std::str::from_utf8(&self.scratch).map_err(std::io::Error::other)?;
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.out.write_all(b"\n")?;
        self.out.write_all(self.redactor.scrub(text).as_bytes())?;
        Ok(())
    }

    /// Closes the document with the summary, extra sections (the error of a run that could not
    /// start) and exit code, then renames it into place.
    pub fn finish(
        mut self,
        s: &Summary,
        extra: &serde_json::Map<String, serde_json::Value>,
        exit_code: i32,
    ) -> std::io::Result<()> {
        let summary = serde_json::to_string(s).map_err(std::io::Error::other)?;
        write!(self.out, "\n],\"summary\":{summary}")?;
        for (k, v) in extra {
            let v = v.to_string();
            let v = self.redactor.scrub(&v);
            write!(self.out, ",{}:{v}", serde_json::Value::String(k.clone()))?;
        }
        writeln!(self.out, ",\"exit_code\":{exit_code}}}")?;
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        std::fs::rename(&self.tmp, &self.path)
    }
}

impl Drop for JsonReport {
    fn drop(&mut self) {
        // An unfinished report leaves no temporary file behind (the rename removed a finished one).
        let _ = std::fs::remove_file(&self.tmp);
    }
}
