//! Snapshots: every step's response, redacted, recorded as an insta `.snap` file under
//! `snapshots/<target family>/<case id>__<step>.snap`, compared on later runs, reviewable with
//! `cargo insta review`. Knows nothing about targets beyond the family name it is given.

pub mod format;
pub mod redact;

use std::path::{Path, PathBuf};

use serde_json::Value;

use self::format::{InfoValue, Meta};
use self::redact::{Redactor, Rules};

/// What a run does with snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Compare with the accepted snapshot; write differences and new ones as `.snap.new`.
    Compare,
    /// Accept everything: write `.snap`.
    Update,
    /// No snapshots.
    Off,
}

/// insta's `INSTA_UPDATE`, honoured in compare mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WritePolicy {
    /// `.snap.new` for new and changed snapshots (insta's `auto`).
    Auto,
    /// Overwrite `.snap` (`always`, `force`).
    Always,
    /// Brand-new snapshots as `.snap`, changed ones as `.snap.new` (`unseen`).
    Unseen,
    /// Write nothing (`no`).
    No,
}

impl WritePolicy {
    /// From the environment, as insta reads it.
    pub fn from_env() -> WritePolicy {
        match std::env::var("INSTA_UPDATE").as_deref() {
            Ok("always") | Ok("force") => WritePolicy::Always,
            Ok("unseen") => WritePolicy::Unseen,
            Ok("no") => WritePolicy::No,
            _ => WritePolicy::Auto,
        }
    }
}

/// Whether we run in CI, as insta decides it: `CI` set and not empty, `0` or `false`, or `TF_BUILD`.
pub fn is_ci() -> bool {
    let ci = std::env::var("CI")
        .map(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "0" | "false"))
        .unwrap_or(false);
    ci || std::env::var_os("TF_BUILD").is_some()
}

/// The snapshot store of one run.
#[derive(Debug, Clone)]
pub struct Store {
    /// `snapshots/<family>`.
    pub dir: PathBuf,
    /// The workspace root, for the `source` path.
    pub root: PathBuf,
    /// Mode.
    pub mode: Mode,
    /// `INSTA_UPDATE`.
    pub policy: WritePolicy,
    /// Running in CI: new snapshots fail.
    pub ci: bool,
    /// The target family (`mock`, a target name, `url`).
    pub family: String,
    /// Target redactions.
    pub rules: Rules,
    /// Secret values that must never reach a file.
    pub secrets: Vec<String>,
    /// The run id (redacted as `<run_id>`).
    pub run_id: String,
    /// What is on disk, learnt once, so recording does no failed `mkdir` or `unlink`.
    pub index: std::sync::Arc<FileIndex>,
}

/// The snapshot files and folders under a family folder, scanned once at the start of a run
/// and kept up to date as the run writes: a write makes its folder only the first time, and
/// a pending file is removed only when one exists.
#[derive(Debug, Default)]
pub struct FileIndex {
    inner: std::sync::Mutex<IndexInner>,
}

#[derive(Debug, Default)]
struct IndexInner {
    dirs: std::collections::HashSet<PathBuf>,
    files: std::collections::HashSet<PathBuf>,
}

impl FileIndex {
    /// Scans a folder (missing: empty).
    pub fn scan(dir: &Path) -> FileIndex {
        let mut inner = IndexInner::default();
        for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
            if e.file_type().is_dir() {
                inner.dirs.insert(e.path().to_path_buf());
            } else {
                inner.files.insert(e.path().to_path_buf());
            }
        }
        FileIndex {
            inner: std::sync::Mutex::new(inner),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, IndexInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a file is there.
    pub fn has(&self, path: &Path) -> bool {
        self.lock().files.contains(path)
    }

    /// Writes a file, making its folder the first time only.
    fn write(&self, path: &Path, text: &str) -> Result<(), String> {
        if let Some(parent) = path.parent() {
            if !self.lock().dirs.contains(parent) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
                self.lock().dirs.insert(parent.to_path_buf());
            }
        }
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        self.lock().files.insert(path.to_path_buf());
        Ok(())
    }

    /// Removes a file if the index knows it is there.
    fn remove(&self, path: &Path) {
        if self.lock().files.remove(path) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// One step's response, as the snapshot records it.
#[derive(Debug)]
pub struct Observation<'a> {
    /// Case id.
    pub case_id: &'a str,
    /// Case file.
    pub case_file: &'a Path,
    /// `1`, `2`, … or `teardown-1`.
    pub step_key: String,
    /// The step's label.
    pub step_name: &'a str,
    /// The step's line.
    pub step_line: usize,
    /// Operation id or `METHOD path`.
    pub operation: &'a str,
    /// Request template (`PUT /v2/{project_id}/…`).
    pub template: &'a str,
    /// The request line as sent (`PUT /v2/<resolved path>`).
    pub request_line: &'a str,
    /// Status.
    pub status: u16,
    /// Response headers (lower-case names).
    pub headers: &'a [(String, String)],
    /// Headers the case selected.
    pub selected: &'a [String],
    /// Body bytes.
    pub body: &'a [u8],
    /// Body as JSON.
    pub json: Option<&'a Value>,
    /// Case redactions.
    pub rules: &'a Rules,
}

/// What recording a snapshot found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Same as the accepted snapshot.
    Matched,
    /// No accepted snapshot; pending file written (unless the policy writes nothing).
    New(PathBuf),
    /// Differs from the accepted snapshot.
    Changed {
        /// The accepted file.
        path: PathBuf,
        /// Accepted body.
        old: String,
        /// New body.
        new: String,
    },
    /// Written as accepted (`--snapshots update`, `INSTA_UPDATE=always|unseen`).
    Written(PathBuf),
}

/// Headers that never reach a snapshot, whatever a case selects.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "x-auth-token",
    "x-subject-token",
    "x-security-token",
    "cookie",
    "set-cookie",
];

impl Store {
    /// The accepted file of a step.
    pub fn file_for(&self, case_id: &str, step_key: &str) -> PathBuf {
        self.dir.join(format!("{case_id}__{step_key}.snap"))
    }

    /// The snapshot body of an observation.
    pub fn body(&self, o: &Observation<'_>) -> String {
        let rules = self.rules.merged(o.rules);
        let mut r = Redactor::new(&rules, &self.secrets, &self.run_id);
        let mut out = format!("{}\nstatus: {}\n", r.text(o.request_line), o.status);
        let header = |name: &str| {
            o.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        if let Some(ct) = header("content-type") {
            out.push_str(&format!("content-type: {ct}\n"));
        }
        let mut selected: Vec<String> = o
            .selected
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .filter(|h| !SECRET_HEADERS.contains(&h.as_str()) && h != "content-type")
            .collect();
        selected.sort();
        selected.dedup();
        for h in selected {
            let v = header(&h)
                .map(|v| r.text(v))
                .unwrap_or_else(|| "(absent)".into());
            out.push_str(&format!("{h}: {v}\n"));
        }
        out.push('\n');
        match o.json {
            Some(j) => out.push_str(&serde_json::to_string_pretty(&r.json(j)).unwrap_or_default()),
            None => out.push_str(&r.text(&String::from_utf8_lossy(o.body))),
        }
        format::normalize(&out)
    }

    fn meta(&self, o: &Observation<'_>, pending: bool) -> Meta {
        let source = o
            .case_file
            .strip_prefix(&self.root)
            .unwrap_or(o.case_file)
            .to_string_lossy()
            .replace('\\', "/");
        Meta {
            source,
            assertion_line: pending.then_some(o.step_line),
            description: o.template.to_string(),
            expression: o.step_name.to_string(),
            info: vec![
                ("operation".into(), InfoValue::Str(o.operation.to_string())),
                ("status".into(), InfoValue::Int(i64::from(o.status))),
                ("target".into(), InfoValue::Str(self.family.clone())),
            ],
        }
    }

    /// Records one observation according to the mode and policy.
    pub fn record(&self, o: &Observation<'_>) -> Result<Option<Outcome>, String> {
        if self.mode == Mode::Off {
            return Ok(None);
        }
        let path = self.file_for(o.case_id, &o.step_key);
        let pending = path.with_extension("snap.new");
        let body = self.body(o);
        let accept = |path: &Path, current: Option<&str>| -> Result<Outcome, String> {
            let text = format::render(&self.meta(o, false), &body);
            // An unchanged file is left alone: no write, no new mtime.
            if current != Some(text.as_str()) {
                self.index.write(path, &text)?;
            }
            self.index.remove(&path.with_extension("snap.new"));
            Ok(Outcome::Written(path.to_path_buf()))
        };
        // Only files the index knows are read: a fresh folder costs no failed open.
        let current = if self.index.has(&path) {
            std::fs::read_to_string(&path).ok()
        } else {
            None
        };
        if self.mode == Mode::Update {
            return accept(&path, current.as_deref()).map(Some);
        }
        let existing = current.as_deref().and_then(format::body_of);
        let outcome = match existing {
            Some(old) if old == body => {
                // A passing comparison drops a stale pending file, as insta does.
                self.index.remove(&pending);
                Outcome::Matched
            }
            None => match self.policy {
                WritePolicy::Always | WritePolicy::Unseen => accept(&path, current.as_deref())?,
                WritePolicy::No => Outcome::New(pending),
                WritePolicy::Auto => {
                    self.index
                        .write(&pending, &format::render(&self.meta(o, true), &body))?;
                    Outcome::New(pending)
                }
            },
            Some(old) => match self.policy {
                WritePolicy::Always => accept(&path, current.as_deref())?,
                WritePolicy::No => Outcome::Changed {
                    path,
                    old,
                    new: body,
                },
                WritePolicy::Auto | WritePolicy::Unseen => {
                    self.index
                        .write(&pending, &format::render(&self.meta(o, true), &body))?;
                    Outcome::Changed {
                        path,
                        old,
                        new: body,
                    }
                }
            },
        };
        Ok(Some(outcome))
    }
}

/// Snapshot files (accepted and pending) under `dir` whose case no longer exists in `cases_dir`.
pub fn orphans(dir: &Path, cases_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(families) = std::fs::read_dir(dir) else {
        return out;
    };
    for family in families.flatten().filter(|f| f.path().is_dir()) {
        for entry in walkdir::WalkDir::new(family.path())
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            let p = entry.path();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !(name.ends_with(".snap") || name.ends_with(".snap.new")) {
                continue;
            }
            let Some((stem, _)) = name.rsplit_once("__") else {
                continue;
            };
            let rel_dir = p
                .parent()
                .and_then(|d| d.strip_prefix(family.path()).ok())
                .unwrap_or(Path::new(""));
            let case = cases_dir.join(rel_dir).join(stem);
            let exists = ["yaml", "yml", "json"]
                .iter()
                .any(|ext| case.with_extension(ext).is_file());
            if !exists {
                out.push(p.to_path_buf());
            }
        }
    }
    out
}
