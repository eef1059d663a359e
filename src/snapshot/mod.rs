//! Snapshots: every step's response, redacted, recorded as an insta `.snap` file under
//! `snapshots/<target family>/<case id>__<step>.snap`, compared on later runs, reviewable with
//! `cargo insta review`. Knows nothing about targets beyond the family name it is given.

pub mod format;
pub mod redact;
pub mod volatile;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

use self::format::{InfoValue, Meta};
use self::redact::{Redactor, Rules};
use crate::secrets::Secrets;

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
#[derive(Debug)]
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
    pub secrets: Secrets,
    /// The run id (redacted as `<run_id>`).
    pub run_id: String,
    /// What is on disk, learnt once, so recording does no failed `mkdir` or `unlink`.
    pub index: FileIndex,
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
    /// The writer thread is gone (it stopped part-way).
    #[error("the snapshot writer thread stopped")]
    WriterStopped,
}

/// The snapshot files under a family folder, scanned once at the start of a run and kept up to
/// date as the run records, so only files that exist are read, and a pending file is removed
/// only when one exists; and the writes and removals each case queued, until the case ends and
/// [`FileIndex::write_case`] hands them to the writer thread.
///
/// Why one writer thread: creating files in one folder from several threads at once makes them
/// wait on the folder's lock, and a worker blocked on the disk sends no requests. Written inline
/// by the workers (one at a time), 1,000 two-step cases updating a fresh folder on tmpfs took
/// 1.2 times the wall time they take with the writer (21 interleaved runs of each).
#[derive(Debug)]
pub struct FileIndex {
    /// Hashed with foldhash: the index's lookups, SipHash of a path several times a step, were
    /// a sixth of what recording a snapshot cost, and are an eighth with it (the keys are the
    /// run's own file names, not an attacker's).
    files: Mutex<foldhash::HashSet<PathBuf>>,
    /// Each case's operations, in order, by case id.
    queued: Mutex<foldhash::HashMap<String, Vec<FileOp>>>,
    /// The writer thread's queue; it ends when this is dropped.
    writer: std::sync::mpsc::Sender<Batch>,
}

/// One case's operations, and where the writer answers with those that failed.
type Batch = (
    Vec<FileOp>,
    tokio::sync::oneshot::Sender<Vec<SnapshotError>>,
);

/// A file operation, queued.
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

/// Locks a mutex, whether or not a thread panicked holding it (what it guards stays whole:
/// every change is one insert or removal).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl FileIndex {
    /// Scans a folder (missing: empty) and starts the writer thread.
    pub fn open(dir: &Path) -> std::io::Result<FileIndex> {
        let files = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| !e.file_type().is_dir())
            .map(|e| e.into_path())
            .collect();
        let (writer, batches) = std::sync::mpsc::channel::<Batch>();
        std::thread::Builder::new()
            .name("conform-snapshots".into())
            .spawn(move || {
                for (ops, done) in batches {
                    let failed = ops.into_iter().filter_map(|op| op.apply().err());
                    let _ = done.send(failed.collect());
                }
            })?;
        Ok(FileIndex {
            files: Mutex::new(files),
            queued: Mutex::default(),
            writer,
        })
    }

    /// Whether a file is there (or queued to be).
    pub fn has(&self, path: &Path) -> bool {
        lock(&self.files).contains(path)
    }

    fn queue(&self, case: &str, op: FileOp) {
        let mut queued = lock(&self.queued);
        match queued.get_mut(case) {
            Some(ops) => ops.push(op),
            None => {
                queued.insert(case.to_string(), vec![op]);
            }
        }
    }

    /// Queues the writing of a case's file (and its folder, when missing).
    fn write(&self, case: &str, path: &Path, text: String) {
        lock(&self.files).insert(path.to_path_buf());
        let path = path.to_path_buf();
        self.queue(case, FileOp::Write { path, text });
    }

    /// Queues the removal of a case's file, if the index knows it is there.
    fn remove(&self, case: &str, path: &Path) {
        if lock(&self.files).remove(path) {
            self.queue(case, FileOp::Remove(path.to_path_buf()));
        }
    }

    /// Carries out what a case queued, in order, on the writer thread, and returns what failed.
    /// A case is not over until its files are written: the runner calls this when the case
    /// ends, and a failure errs it.
    pub async fn write_case(&self, case: &str) -> Vec<SnapshotError> {
        let Some(ops) = lock(&self.queued).remove(case) else {
            return Vec::new();
        };
        let (done, answer) = tokio::sync::oneshot::channel();
        if self.writer.send((ops, done)).is_err() {
            return vec![SnapshotError::WriterStopped];
        }
        answer
            .await
            .unwrap_or_else(|_| vec![SnapshotError::WriterStopped])
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
                .filter(|h| !crate::secrets::is_secret_header(h) && h != "content-type")
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
                let mut bytes = std::mem::take(&mut out).into_bytes();
                // A `Value` always serialises (its keys are strings), and as UTF-8.
                let _ = serde_json::to_writer_pretty(&mut bytes, &r.json(j));
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

    /// Records one observation according to the mode and policy: compared here, its files
    /// queued for [`FileIndex::write_case`] (None: `--snapshots off`).
    pub fn record(&self, o: &Observation<'_>) -> Option<Outcome> {
        if self.mode == Mode::Off {
            return None;
        }
        let path = self.file_for(o.case_id, &o.step_key);
        Some(self.apply(o, path, self.body(o)))
    }

    /// Compares a snapshot body with the accepted file and queues what the mode and policy say
    /// to write: the file part of recording. The file's metadata is made only when a file is
    /// written (a matching comparison, the usual case, needs none).
    fn apply(&self, o: &Observation<'_>, path: PathBuf, body: String) -> Outcome {
        let pending = path.with_extension("snap.new");
        let accept = |current: Option<&str>| {
            let text = format::render(&self.meta(o), &body);
            // An unchanged file is left alone: no write, no new mtime.
            if current != Some(text.as_str()) {
                self.index.write(o.case_id, &path, text);
            }
            self.index.remove(o.case_id, &pending);
            Outcome::Written(path.clone())
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
        let write_pending = || {
            let meta = Meta {
                assertion_line: Some(o.step_line),
                ..self.meta(o)
            };
            let text = format::render(&meta, &body);
            self.index.write(o.case_id, &pending, text);
        };
        match existing {
            Some(old) if *old == *body => {
                // A passing comparison drops a stale pending file, as insta does.
                self.index.remove(o.case_id, &pending);
                Outcome::Matched
            }
            None => match self.policy {
                WritePolicy::Always | WritePolicy::Unseen => accept(current.as_deref()),
                WritePolicy::No => Outcome::New(pending),
                WritePolicy::Auto => {
                    write_pending();
                    Outcome::New(pending)
                }
            },
            Some(old) => match self.policy {
                WritePolicy::Always => accept(current.as_deref()),
                WritePolicy::No => Outcome::Changed {
                    path,
                    old: old.into_owned(),
                    new: body,
                },
                WritePolicy::Auto | WritePolicy::Unseen => {
                    write_pending();
                    Outcome::Changed {
                        path,
                        old: old.into_owned(),
                        new: body,
                    }
                }
            },
        }
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

    #[tokio::test]
    async fn a_cases_files_are_written_when_it_ends_and_only_its_failures_come_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = FileIndex::open(dir.path()).expect("index");
        let deep = dir.path().join("fresh/deep/a__1.snap");
        index.write("a", &deep, "x".into());
        // A folder that is a file: the write of case b must fail, and only b hears of it.
        std::fs::write(dir.path().join("blocked"), "").expect("file");
        let bad = dir.path().join("blocked/b__1.snap");
        index.write("b", &bad, "y".into());
        assert!(!deep.exists(), "nothing is written before the case ends");
        assert!(index.has(&deep), "the index knows what is queued");
        assert!(index.write_case("a").await.is_empty());
        assert_eq!(std::fs::read_to_string(&deep).expect("written"), "x");
        let failures = index.write_case("b").await;
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(
            failures[0].to_string().contains("blocked"),
            "{}",
            failures[0]
        );
        assert!(index.write_case("c").await.is_empty(), "nothing queued");
    }

    #[tokio::test]
    async fn only_files_the_index_knows_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let known = dir.path().join("a__1.snap.new");
        std::fs::write(&known, "old").expect("file");
        let index = FileIndex::open(dir.path()).expect("index");
        assert!(index.has(&known), "found by the scan");
        // Made after the scan: unknown to the index, so left alone (no unlink is tried).
        let unknown = dir.path().join("b__1.snap.new");
        std::fs::write(&unknown, "new").expect("file");
        index.remove("a", &known);
        index.remove("a", &unknown);
        assert!(known.exists(), "removed when the case ends");
        assert!(index.write_case("a").await.is_empty());
        assert!(!known.exists() && !index.has(&known));
        assert!(unknown.exists());
    }
}
