//! Snapshots: every step's response, redacted, recorded as an insta `.snap` file under
//! `snapshots/<target family>/<case id>__<step>.snap`, compared on later runs, reviewable with
//! `cargo insta review`. Knows nothing about targets beyond the family name it is given.

pub mod format;
pub mod lane;
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
    /// What is on disk, learnt once, so recording does no failed `mkdir` or `unlink`; it
    /// also writes, directly or through its lane.
    pub index: std::sync::Arc<FileIndex>,
}

/// A snapshot file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// A file or folder operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The writer thread is gone.
    #[error(transparent)]
    Lane(#[from] lane::LaneStopped),
}

/// The snapshot files and folders under a family folder, scanned once at the start of a run
/// and kept up to date as the run writes: a write makes its folder only the first time, and
/// a pending file is removed only when one exists.
///
/// With a [`lane::FileLane`], writes and removals are queued to the lane and the caller goes on
/// at once; each operation belongs to a case, and [`FileIndex::settle`] waits for a case's
/// operations and hands back its failures. Without a lane they happen on the calling thread.
#[derive(Debug, Default)]
pub struct FileIndex {
    inner: std::sync::Mutex<IndexInner>,
    lane: Option<lane::FileLane>,
    failures: std::sync::Arc<std::sync::Mutex<Vec<(String, SnapshotError)>>>,
}

#[derive(Debug, Default)]
struct IndexInner {
    dirs: std::collections::HashSet<PathBuf>,
    files: std::collections::HashSet<PathBuf>,
    /// Cases with operations queued and not yet settled.
    queued: std::collections::HashSet<String>,
}

/// One file operation, as queued.
enum FileOp {
    Write {
        mkdir: Option<PathBuf>,
        path: PathBuf,
        text: String,
    },
    Remove(PathBuf),
}

impl FileOp {
    fn apply(self) -> Result<(), SnapshotError> {
        let io = |path: PathBuf| move |source| SnapshotError::Io { path, source };
        match self {
            FileOp::Write { mkdir, path, text } => {
                if let Some(dir) = mkdir {
                    std::fs::create_dir_all(&dir).map_err(io(dir))?;
                }
                std::fs::write(&path, text).map_err(io(path))
            }
            FileOp::Remove(path) => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
                _ => Ok(()),
            },
        }
    }
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
            ..FileIndex::default()
        }
    }

    /// Sends writes and removals to `lane` rather than doing them on the caller's thread.
    pub fn with_lane(mut self, lane: lane::FileLane) -> FileIndex {
        self.lane = Some(lane);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, IndexInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a file is there (or queued to be).
    pub fn has(&self, path: &Path) -> bool {
        self.lock().files.contains(path)
    }

    fn run(&self, owner: &str, op: FileOp) -> Result<(), SnapshotError> {
        match &self.lane {
            None => op.apply(),
            Some(lane) => {
                self.lock().queued.insert(owner.to_string());
                let failures = self.failures.clone();
                let owner = owner.to_string();
                lane.submit(move || {
                    if let Err(e) = op.apply() {
                        let mut f = failures.lock().unwrap_or_else(|p| p.into_inner());
                        f.push((owner, e));
                    }
                })?;
                Ok(())
            }
        }
    }

    /// Writes a file for a case, making its folder the first time only.
    fn write(&self, owner: &str, path: &Path, text: String) -> Result<(), SnapshotError> {
        let mkdir = {
            let mut inner = self.lock();
            inner.files.insert(path.to_path_buf());
            path.parent()
                .filter(|p| inner.dirs.insert(p.to_path_buf()))
                .map(Path::to_path_buf)
        };
        self.run(
            owner,
            FileOp::Write {
                mkdir,
                path: path.to_path_buf(),
                text,
            },
        )
    }

    /// Removes a case's file if the index knows it is there.
    fn remove(&self, owner: &str, path: &Path) -> Result<(), SnapshotError> {
        if self.lock().files.remove(path) {
            self.run(owner, FileOp::Remove(path.to_path_buf()))?;
        }
        Ok(())
    }

    /// Waits until the operations of one case are done and returns those that failed; a case
    /// with nothing queued returns at once.
    pub async fn settle(&self, owner: &str) -> Vec<SnapshotError> {
        if !self.lock().queued.remove(owner) {
            return Vec::new();
        }
        if let Some(lane) = &self.lane {
            // The lane runs in order: once this no-op has run, so has everything queued before.
            if let Err(e) = lane.run(|| ()).await {
                return vec![e.into()];
            }
        }
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let (mine, others) = std::mem::take(&mut *failures)
            .into_iter()
            .partition(|(o, _)| o == owner);
        *failures = others;
        mine.into_iter().map(|(_, e)| e).collect()
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

    fn meta(&self, o: &Observation<'_>) -> Meta {
        let source = o
            .case_file
            .strip_prefix(&self.root)
            .unwrap_or(o.case_file)
            .to_string_lossy()
            .replace('\\', "/");
        Meta {
            source,
            assertion_line: None,
            description: o.template.to_string(),
            expression: o.step_name.to_string(),
            info: vec![
                ("operation".into(), InfoValue::Str(o.operation.to_string())),
                ("status".into(), InfoValue::Int(i64::from(o.status))),
                ("target".into(), InfoValue::Str(self.family.clone())),
            ],
        }
    }

    /// What an observation records, computed from the response alone (no file is touched).
    fn prepare(&self, o: &Observation<'_>) -> Option<Prepared> {
        if self.mode == Mode::Off {
            return None;
        }
        Some(Prepared {
            owner: o.case_id.to_string(),
            path: self.file_for(o.case_id, &o.step_key),
            body: self.body(o),
            meta: self.meta(o),
            line: o.step_line,
        })
    }

    /// Records one observation according to the mode and policy, on the calling thread.
    pub fn record(&self, o: &Observation<'_>) -> Result<Option<Outcome>, SnapshotError> {
        self.prepare(o).map(|p| self.apply(p)).transpose()
    }

    /// Compares a prepared snapshot with the accepted file and writes what the mode and policy
    /// say: the file part of recording.
    fn apply(&self, p: Prepared) -> Result<Outcome, SnapshotError> {
        let Prepared {
            owner,
            path,
            body,
            mut meta,
            line,
        } = p;
        let pending = path.with_extension("snap.new");
        let accept = |current: Option<&str>| -> Result<Outcome, SnapshotError> {
            let text = format::render(&meta, &body);
            // An unchanged file is left alone: no write, no new mtime.
            if current != Some(text.as_str()) {
                self.index.write(&owner, &path, text)?;
            }
            self.index.remove(&owner, &pending)?;
            Ok(Outcome::Written(path.clone()))
        };
        // Only files the index knows are read: a fresh folder costs no failed open.
        let current = if self.index.has(&path) {
            std::fs::read_to_string(&path).ok()
        } else {
            None
        };
        if self.mode == Mode::Update {
            return accept(current.as_deref());
        }
        let existing = current.as_deref().and_then(format::body_of);
        let write_pending = |meta: &mut Meta| -> Result<(), SnapshotError> {
            meta.assertion_line = Some(line);
            self.index
                .write(&owner, &pending, format::render(meta, &body))
        };
        Ok(match existing {
            Some(old) if old == body => {
                // A passing comparison drops a stale pending file, as insta does.
                self.index.remove(&owner, &pending)?;
                Outcome::Matched
            }
            None => match self.policy {
                WritePolicy::Always | WritePolicy::Unseen => accept(current.as_deref())?,
                WritePolicy::No => Outcome::New(pending),
                WritePolicy::Auto => {
                    write_pending(&mut meta)?;
                    Outcome::New(pending)
                }
            },
            Some(old) => match self.policy {
                WritePolicy::Always => accept(current.as_deref())?,
                WritePolicy::No => Outcome::Changed {
                    path,
                    old,
                    new: body,
                },
                WritePolicy::Auto | WritePolicy::Unseen => {
                    write_pending(&mut meta)?;
                    Outcome::Changed {
                        path,
                        old,
                        new: body,
                    }
                }
            },
        })
    }
}

/// A snapshot rendered from a response, not yet compared or written ([`Store::prepare`]).
#[derive(Debug)]
struct Prepared {
    /// The case id (whose failures [`FileIndex::settle`] returns).
    owner: String,
    /// The accepted file.
    path: PathBuf,
    /// The normalised body.
    body: String,
    /// Metadata of the accepted file.
    meta: Meta,
    /// The step's line (pending files name it).
    line: usize,
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
