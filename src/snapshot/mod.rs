//! Snapshots: every step's response, redacted, recorded as an insta `.snap` file under
//! `snapshots/<target family>/<case id>__<step>.snap`, compared on later runs, reviewable with
//! `cargo insta review`. Knows nothing about targets beyond the family name it is given.

pub mod format;
pub mod lane;
pub mod redact;
pub mod volatile;

use std::fmt::Write as _;
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
    /// The folder `source` paths are relative to (the one holding the snapshots folder), as
    /// an absolute path without `.` or `..`.
    pub root: PathBuf,
    /// The working directory, which case file paths are relative to.
    pub cwd: PathBuf,
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

/// The snapshot files under a family folder, scanned once at the start of a run and kept up to
/// date as the run writes, so only files that exist are read, and a pending file is removed
/// only when one exists.
///
/// With a [`lane::FileLane`], a case's writes and removals are kept until
/// [`Pending::settle`] hands them to the lane in one job (one hand-off per case, not per
/// file), which reports their failures; without one they happen on the calling thread.
#[derive(Debug, Default)]
pub struct FileIndex {
    inner: std::sync::Mutex<IndexInner>,
    lane: Option<lane::FileLane>,
}

#[derive(Debug, Default)]
struct IndexInner {
    /// Hashed with foldhash: the index's lookups, SipHash of a path several times a step, were
    /// a sixth of what recording a snapshot cost, and are an eighth with it (the keys are the
    /// run's own file names, not an attacker's).
    files: foldhash::HashSet<PathBuf>,
    /// Each case's operations, in order, not yet handed to the lane.
    batches: foldhash::HashMap<String, Vec<FileOp>>,
}

/// One file operation, as queued.
#[derive(Debug)]
enum FileOp {
    Write { path: PathBuf, text: String },
    Remove(PathBuf),
}

impl FileOp {
    fn apply(self) -> Result<(), SnapshotError> {
        let io = |path: PathBuf| move |source| SnapshotError::Io { path, source };
        match self {
            FileOp::Write { path, text } => match std::fs::write(&path, &text) {
                // The folder is made by the first write that finds it missing (one failed open
                // per folder, not a failed mkdir per file).
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
                    }
                    std::fs::write(&path, text).map_err(io(path))
                }
                other => other.map_err(io(path)),
            },
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
            if !e.file_type().is_dir() {
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
        if self.lane.is_none() {
            return op.apply();
        }
        let mut inner = self.lock();
        // The owner's name is copied once a case, not once a file.
        match inner.batches.get_mut(owner) {
            Some(ops) => ops.push(op),
            None => {
                inner.batches.insert(owner.to_string(), vec![op]);
            }
        }
        Ok(())
    }

    /// Writes a file for a case (and its folder, when missing).
    fn write(&self, owner: &str, path: &Path, text: String) -> Result<(), SnapshotError> {
        self.lock().files.insert(path.to_path_buf());
        self.run(
            owner,
            FileOp::Write {
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

    /// The operations a case queued and the lane has not carried out yet (None: there are
    /// none, or there is no lane and they were carried out as they came).
    pub fn pending(&self, owner: &str) -> Option<Pending<'_>> {
        let lane = self.lane.as_ref()?;
        let ops = self.lock().batches.remove(owner)?;
        Some(Pending { ops, lane })
    }

    /// Waits until the lane has carried out everything queued before this call.
    pub async fn flush(&self) {
        if let Some(lane) = &self.lane {
            // A stopped lane has answered its jobs already (each `Settling` answers on drop).
            let _ = lane.run(|| ()).await;
        }
    }
}

/// A case's operations, not carried out yet, and the lane that will ([`FileIndex::pending`]).
#[derive(Debug)]
pub struct Pending<'a> {
    ops: Vec<FileOp>,
    lane: &'a lane::FileLane,
}

impl Pending<'_> {
    /// Carries out the operations on the lane, in order, then calls `then` there with those
    /// that failed. The caller does not wait. `then` is called exactly once, even when the lane
    /// is gone or stops part-way (with [`lane::LaneStopped`] among the failures).
    pub fn settle<F>(self, then: F)
    where
        F: FnOnce(Vec<SnapshotError>) + Send + 'static,
    {
        let settling = Settling {
            ops: self.ops,
            then: Some(then),
        };
        // A refused job is dropped, and with it `settling`, which answers `then`.
        let _ = self.lane.send(move || settling.run());
    }
}

/// A case's operations on their way through the lane, with the callback that hears how they
/// went: called when they are done, or, should the job be dropped unrun or unwind, on drop.
struct Settling<F: FnOnce(Vec<SnapshotError>)> {
    ops: Vec<FileOp>,
    then: Option<F>,
}

impl<F: FnOnce(Vec<SnapshotError>)> Settling<F> {
    fn run(mut self) {
        let failures = std::mem::take(&mut self.ops)
            .into_iter()
            .filter_map(|op| op.apply().err())
            .collect();
        if let Some(then) = self.then.take() {
            then(failures);
        }
    }
}

impl<F: FnOnce(Vec<SnapshotError>)> Drop for Settling<F> {
    fn drop(&mut self) {
        if let Some(then) = self.then.take() {
            then(vec![lane::LaneStopped.into()]);
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
        // Most cases and targets add no rules: no merged copy then.
        let merged;
        let rules = if o.rules.is_empty() {
            &self.rules
        } else if self.rules.is_empty() {
            o.rules
        } else {
            merged = self.rules.merged(o.rules);
            &merged
        };
        let mut r = Redactor::new(rules, &self.secrets, &self.run_id);
        let mut out = String::with_capacity(o.body.len() * 2 + 128);
        out.push_str(&r.redact(o.request_line));
        // Writing to a String cannot fail.
        let _ = write!(out, "\nstatus: {}\n", o.status);
        let header = |name: &str| {
            o.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        if let Some(ct) = header("content-type") {
            out.push_str("content-type: ");
            out.push_str(ct);
            out.push('\n');
        }
        if !o.selected.is_empty() {
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
                out.push_str(&h);
                out.push_str(": ");
                out.push_str(&v);
                out.push('\n');
            }
        }
        out.push('\n');
        match o.json {
            Some(j) => {
                // Written after the head in one buffer: what the writer writes is UTF-8 (it
                // writes `str`s), so the whole is checked once and never copied.
                let mut bytes = std::mem::take(&mut out).into_bytes();
                r.write_json(j, &mut bytes);
                out = String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            }
            None => out.push_str(&r.text(&String::from_utf8_lossy(o.body))),
        }
        format::normalize_owned(out)
    }

    /// A snapshot's metadata, borrowed from the observation (a file is written a step in
    /// update mode, and copying each field was 4% of recording one).
    fn meta<'o>(&'o self, o: &'o Observation<'o>) -> Meta<'o> {
        // The same from any working directory: relative to the project, not to where the run
        // was started, so a run from a subfolder rewrites no accepted snapshot.
        let absolute = lexical(&self.cwd.join(o.case_file));
        let source = absolute.strip_prefix(&self.root).map_or_else(
            |_| o.case_file.to_string_lossy(),
            |p| p.to_string_lossy().into_owned().into(),
        );
        let source = if source.contains('\\') {
            std::borrow::Cow::Owned(source.replace('\\', "/"))
        } else {
            source
        };
        Meta {
            source,
            assertion_line: None,
            description: o.template,
            expression: o.step_name,
            info: [
                ("operation", InfoValue::Str(o.operation)),
                ("status", InfoValue::Int(i64::from(o.status))),
                ("target", InfoValue::Str(&self.family)),
            ],
        }
    }

    /// Records one observation according to the mode and policy, on the calling thread.
    pub fn record(&self, o: &Observation<'_>) -> Result<Option<Outcome>, SnapshotError> {
        if self.mode == Mode::Off {
            return Ok(None);
        }
        let path = self.file_for(o.case_id, &o.step_key);
        self.apply(o, path, self.body(o)).map(Some)
    }

    /// Compares a snapshot body with the accepted file and writes what the mode and policy say:
    /// the file part of recording. The file's metadata is made only when a file is written (a
    /// matching comparison, the usual case, needs none).
    fn apply(
        &self,
        o: &Observation<'_>,
        path: PathBuf,
        body: String,
    ) -> Result<Outcome, SnapshotError> {
        let owner = o.case_id;
        let pending = path.with_extension("snap.new");
        let accept = |current: Option<&str>| -> Result<Outcome, SnapshotError> {
            let text = format::render(&self.meta(o), &body);
            // An unchanged file is left alone: no write, no new mtime.
            if current != Some(text.as_str()) {
                self.index.write(owner, &path, text)?;
            }
            self.index.remove(owner, &pending)?;
            Ok(Outcome::Written(path.clone()))
        };
        // Only files the index knows are read: a fresh folder costs no failed open.
        let current = if self.index.has(&path) {
            read_text(&path)
        } else {
            None
        };
        if self.mode == Mode::Update {
            return accept(current.as_deref());
        }
        let existing = current.as_deref().and_then(format::body_of);
        let write_pending = || -> Result<(), SnapshotError> {
            let meta = Meta {
                assertion_line: Some(o.step_line),
                ..self.meta(o)
            };
            self.index
                .write(owner, &pending, format::render(&meta, &body))
        };
        Ok(match existing {
            Some(old) if *old == *body => {
                // A passing comparison drops a stale pending file, as insta does.
                self.index.remove(owner, &pending)?;
                Outcome::Matched
            }
            None => match self.policy {
                WritePolicy::Always | WritePolicy::Unseen => accept(current.as_deref())?,
                WritePolicy::No => Outcome::New(pending),
                WritePolicy::Auto => {
                    write_pending()?;
                    Outcome::New(pending)
                }
            },
            Some(old) => match self.policy {
                WritePolicy::Always => accept(current.as_deref())?,
                WritePolicy::No => Outcome::Changed {
                    path,
                    old: old.into_owned(),
                    new: body,
                },
                WritePolicy::Auto | WritePolicy::Unseen => {
                    write_pending()?;
                    Outcome::Changed {
                        path,
                        old: old.into_owned(),
                        new: body,
                    }
                }
            },
        })
    }
}

/// A path without `.` and with each `..` taking away the component before it, as written
/// (links are not followed: the path need not exist).
pub fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// An accepted snapshot's text, when it is there and UTF-8.
fn read_text(path: &Path) -> Option<String> {
    crate::input::read_text(path, crate::input::CONTRACT).ok()
}

/// Snapshot files (accepted and pending) under `dir` whose case no longer exists in
/// `cases_dir`, or whose case no longer has the step they record (a case cut from three steps
/// to two leaves `__3` behind). A case file that cannot be read keeps its snapshots: nothing
/// is taken for an orphan on doubt.
pub fn orphans(dir: &Path, cases_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(families) = std::fs::read_dir(dir) else {
        return out;
    };
    // Steps and teardown steps of each case file, read once.
    let mut counts: std::collections::HashMap<PathBuf, Option<(usize, usize)>> = Default::default();
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
            let Some(base) = name
                .strip_suffix(".snap.new")
                .or_else(|| name.strip_suffix(".snap"))
            else {
                continue;
            };
            let Some((stem, key)) = base.rsplit_once("__") else {
                continue;
            };
            let rel_dir = p
                .parent()
                .and_then(|d| d.strip_prefix(family.path()).ok())
                .unwrap_or(Path::new(""));
            let case = cases_dir.join(rel_dir).join(stem);
            let file = ["yaml", "yml", "json"]
                .iter()
                .map(|ext| case.with_extension(ext))
                .find(|f| f.is_file());
            let orphan = match file {
                None => true,
                Some(f) => {
                    let steps = *counts.entry(f.clone()).or_insert_with(|| step_counts(&f));
                    match steps {
                        None => false,
                        Some((steps, teardown)) => match key.strip_prefix("teardown-") {
                            Some(n) => n.parse::<usize>().is_ok_and(|n| n > teardown),
                            None => key.parse::<usize>().is_ok_and(|n| n > steps),
                        },
                    }
                }
            };
            if orphan {
                out.push(p.to_path_buf());
            }
        }
    }
    out
}

/// How many steps and teardown steps a case file has, read as plain YAML (JSON is YAML too);
/// None when it cannot be read.
fn step_counts(file: &Path) -> Option<(usize, usize)> {
    let text = crate::input::read_text(file, crate::input::DOCUMENT).ok()?;
    let doc: serde_json::Value = serde_saphyr::from_str(&text).ok()?;
    let len = |key: &str| doc.get(key).and_then(|v| v.as_array()).map_or(0, Vec::len);
    Some((len("steps"), len("teardown")))
}

/// What `snapshots prune` removed (or, dry, would remove).
#[derive(Debug, Default)]
pub struct Pruned {
    /// Snapshot files.
    pub files: Vec<PathBuf>,
    /// Folders left empty by it, below the snapshots folder.
    pub folders: Vec<PathBuf>,
}

/// Removes the [`orphans`] and the folders they leave empty (up to, not including, `dir`);
/// with `dry_run`, only says which.
pub fn prune(dir: &Path, cases_dir: &Path, dry_run: bool) -> Result<Pruned, SnapshotError> {
    let files = orphans(dir, cases_dir);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SnapshotError::Io { path, source }
    };
    let mut folders = Vec::new();
    if !dry_run {
        for f in &files {
            std::fs::remove_file(f).map_err(io(f))?;
        }
        let mut candidates: Vec<PathBuf> = files
            .iter()
            .flat_map(|f| f.ancestors().skip(1).take_while(|a| *a != dir))
            .map(Path::to_path_buf)
            .collect();
        // Deepest first, so a parent is judged after its children are gone.
        candidates.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
        candidates.dedup();
        for folder in candidates {
            let empty = std::fs::read_dir(&folder).is_ok_and(|mut d| d.next().is_none());
            if empty {
                std::fs::remove_dir(&folder).map_err(io(&folder))?;
                folders.push(folder);
            }
        }
    }
    Ok(Pruned { files, folders })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_text_is_none_for_a_missing_file_or_one_not_utf8() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("ok"), "é").expect("write");
        assert_eq!(read_text(&dir.path().join("ok")).as_deref(), Some("é"));
        assert_eq!(read_text(&dir.path().join("missing")), None);
        std::fs::write(dir.path().join("bad"), [0xff, 0xfe]).expect("write");
        assert_eq!(read_text(&dir.path().join("bad")), None);
    }

    /// Settles a case's files and waits for the callback's answer.
    async fn settled(index: &FileIndex, owner: &str) -> Vec<SnapshotError> {
        let Some(pending) = index.pending(owner) else {
            return Vec::new();
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        pending.settle(move |failures| {
            let _ = tx.send(failures);
        });
        rx.await.expect("the callback is always called")
    }

    #[tokio::test]
    async fn a_cases_files_wait_for_its_settle_and_only_its_failures_come_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = FileIndex::scan(dir.path()).with_lane(lane::FileLane::spawn().expect("lane"));
        let good = dir.path().join("ok/a__1.snap");
        index.write("a", &good, "x".into()).expect("queued");
        // A folder that is a file: the write of case b must fail, and only b hears of it.
        std::fs::write(dir.path().join("blocked"), "").expect("file");
        let bad = dir.path().join("blocked/b__1.snap");
        index.write("b", &bad, "y".into()).expect("queued");
        assert!(!good.exists(), "nothing is written before the case settles");
        assert!(index.has(&good), "the index knows what is queued");
        assert!(settled(&index, "a").await.is_empty());
        assert_eq!(std::fs::read_to_string(&good).expect("written"), "x");
        let failures = settled(&index, "b").await;
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(
            failures[0].to_string().contains("blocked"),
            "{}",
            failures[0]
        );
        assert!(
            index.pending("c").is_none(),
            "nothing queued, nothing to settle"
        );
    }

    #[tokio::test]
    async fn cases_settling_in_any_order_each_find_their_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = FileIndex::scan(dir.path()).with_lane(lane::FileLane::spawn().expect("lane"));
        let first = dir.path().join("fresh/deep/a__1.snap");
        let second = dir.path().join("fresh/deep/b__1.snap");
        index.write("a", &first, "1".into()).expect("queued");
        index.write("b", &second, "2".into()).expect("queued");
        // b settles before a, whose write was the first into the missing folder.
        assert!(settled(&index, "b").await.is_empty());
        assert!(settled(&index, "a").await.is_empty());
        assert_eq!(std::fs::read_to_string(&second).expect("b"), "2");
        assert_eq!(std::fs::read_to_string(&first).expect("a"), "1");
    }

    #[tokio::test]
    async fn settling_does_not_wait_and_a_flush_waits_for_everything_settled_before_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lane = lane::FileLane::spawn().expect("lane");
        // The lane is busy (a slow disk) until the test lets it go.
        let (go, wait) = std::sync::mpsc::channel::<()>();
        lane.send(move || {
            let _ = wait.recv();
        })
        .expect("queued");
        let index = FileIndex::scan(dir.path()).with_lane(lane);
        let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        for i in 0..40 {
            let owner = format!("c{i}");
            let path = dir.path().join(format!("f/{owner}__1.snap"));
            index.write(&owner, &path, i.to_string()).expect("queued");
            let heard = heard.clone();
            let pending = index.pending(&owner).expect("queued");
            pending.settle(move |failures| {
                heard.lock().expect("heard").push((owner, failures.len()));
            });
        }
        assert!(
            heard.lock().expect("heard").is_empty(),
            "every settle returned while the lane was busy"
        );
        go.send(()).expect("the lane waits");
        index.flush().await;
        let heard = heard.lock().expect("heard");
        assert_eq!(
            heard.len(),
            40,
            "every case heard back before the flush ended"
        );
        assert!(heard.iter().all(|(_, failed)| *failed == 0), "{heard:?}");
        // In the order they were settled: the lane is one thread.
        let order: Vec<&str> = heard.iter().map(|(o, _)| o.as_str()).collect();
        let expected: Vec<String> = (0..40).map(|i| format!("c{i}")).collect();
        assert_eq!(order, expected);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("f/c39__1.snap")).expect("written"),
            "39"
        );
    }

    #[tokio::test]
    async fn a_case_settled_after_the_lane_stopped_hears_so_and_is_not_lost() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lane = lane::FileLane::spawn().expect("lane");
        assert!(lane.run(|| panic!("boom")).await.is_err(), "the lane stops");
        let index = FileIndex::scan(dir.path()).with_lane(lane);
        index
            .write("a", &dir.path().join("a__1.snap"), "x".into())
            .expect("queued");
        let failures = settled(&index, "a").await;
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(
            matches!(failures[0], SnapshotError::Lane(_)),
            "{failures:?}"
        );
        // A flush on a stopped lane returns rather than waiting for ever.
        index.flush().await;
    }
}
