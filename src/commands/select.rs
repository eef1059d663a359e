//! Which cases a command works on: positional ids, globs, files and folders, `--tag` and
//! `--operation`, and the rule that a selection matching nothing is an error, never a green run
//! (nextest's `--no-tests`, here `--no-cases`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::case::vars::Vars;
use crate::case::{self, CaseRef};
use crate::contract::Contract;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::report::shard::{self, Shard};

/// How many resolved cases a selection keeps in memory (see [`select_cases`]).
pub const HOLD_CASES: usize = 2_000;

/// How many resolved cases may wait in a streaming run's queue when the suite is larger than
/// [`HOLD_CASES`]: enough to keep every worker busy; the reader waits for room beyond it, so
/// memory stays flat and every case is parsed once (10,000 cases held up to 2,000 at a time
/// measured 44 MiB).
const STREAM_WINDOW: usize = 256;

/// What to do when a selection matches no case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoCases {
    /// Bad input, exit 2 (the default: a typo must not turn the gate green).
    #[default]
    Fail,
    /// Say so on stderr and go on.
    Warn,
    /// Go on silently.
    Pass,
}

impl std::str::FromStr for NoCases {
    type Err = String;
    fn from_str(s: &str) -> Result<NoCases, String> {
        match s {
            "fail" => Ok(NoCases::Fail),
            "warn" => Ok(NoCases::Warn),
            "pass" => Ok(NoCases::Pass),
            _ => Err(format!("'{s}': expected fail, warn or pass")),
        }
    }
}

/// Which cases to take.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The cases folder.
    pub cases_dir: PathBuf,
    /// Positional arguments: case ids, globs over ids and paths, files or folders.
    pub globs: Vec<String>,
    /// Only cases with one of these tags.
    pub tags: Vec<String>,
    /// Only cases of one of these operations.
    pub operations: Vec<String>,
    /// What an empty selection means.
    pub no_cases: NoCases,
    /// Cases generated from the contract (`run --generate`), taken instead of the cases folder.
    pub generated: Option<Vec<crate::generate::GeneratedCase>>,
    /// Only this shard of the selection (`--shard`).
    pub shard: Option<Shard>,
    /// Only these case ids (`--rerun-failed`), with where they came from for messages.
    pub only: Option<(BTreeSet<String>, String)>,
    /// The target's name and the services it has base URLs for, when it lacks some the
    /// contract has: a case that needs another is bad input, found before anything is sent.
    pub services: Option<(String, Vec<String>)>,
}

/// The cases a command works on.
#[derive(Debug, Default)]
pub struct Selected {
    /// Selected cases, sorted by id.
    pub cases: Vec<CaseRef>,
    /// Problems that need the variable scope (undefined variables, contract disagreement).
    pub prepare_errors: Vec<Diagnostic>,
    /// What matched nothing, when `--no-cases warn` lets the run go on.
    pub warnings: Vec<String>,
    /// What each selected case exercises, for the rule-coverage matrix.
    pub coverage: Vec<crate::report::coverage::CaseInfo>,
    /// With `--shard`: a fingerprint of the whole plan (every case of the selection, before it
    /// was cut into shards), so `report merge` can tell shards of different suites apart.
    pub plan: Option<String>,
}

/// One positional argument, resolved.
enum Pattern {
    /// A case file (anywhere) with the id it gets.
    File(String, PathBuf),
    /// A folder: every case file under it.
    Folder(PathBuf),
    /// An id or a glob over ids and paths of the cases folder.
    Glob(String, globset::GlobMatcher),
}

fn is_case_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

/// The id of a file: its path under the cases folder without the extension, or, outside it,
/// its path under the folder it was found in.
fn id_under(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file).with_extension("");
    rel.to_string_lossy().replace('\\', "/")
}

fn resolve_pattern(arg: &str, cases_dir: &Path) -> Result<Pattern, Diagnostic> {
    let p = Path::new(arg);
    if p.is_dir() {
        return Ok(Pattern::Folder(p.to_path_buf()));
    }
    if p.is_file() {
        if !is_case_file(p) {
            return Err(Diagnostic::file(
                p,
                "not a case file: case files end in .yaml, .yml or .json",
            ));
        }
        let abs_dir = cases_dir
            .canonicalize()
            .unwrap_or_else(|_| cases_dir.into());
        let abs = p.canonicalize().unwrap_or_else(|_| p.into());
        // Outside the cases folder, the id is taken under the suite the file belongs to, the
        // same root its snapshots are kept under (`project::outside_suite`).
        let root = crate::project::outside_suite(cases_dir, p).map_or(abs_dir, |s| s.cases);
        let id = id_under(&root, &abs);
        return Ok(Pattern::File(id, p.to_path_buf()));
    }
    // There, but a FIFO, a device or a socket: never read (it could hang or never end).
    if p.exists() {
        return Err(Diagnostic::file(
            p,
            "not a regular file: case files are read only from regular files",
        ));
    }
    // A path-shaped argument that does not exist is a typo, not a glob.
    let looks_like_path = !arg.contains(['*', '?', '[', '{'])
        && (is_case_file(p) || arg.starts_with("./") || arg.starts_with("../") || p.is_absolute());
    if looks_like_path {
        return Err(Diagnostic::plain(format!(
            "'{arg}': no such case file or folder"
        )));
    }
    let glob = globset::GlobBuilder::new(arg)
        .literal_separator(false)
        .build()
        .map_err(|e| Diagnostic::plain(format!("case filter '{arg}': {e}")))?;
    Ok(Pattern::Glob(arg.to_string(), glob.compile_matcher()))
}

/// The closest known value, for "did you mean".
fn closest<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (strsim::jaro_winkler(wanted, k), k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn hint(c: Option<&str>) -> String {
    c.map(|c| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

/// Finds, loads, validates, prepares and filters cases one file at a time, keeping only a
/// [`CaseRef`] of each, so memory does not grow with the case models. Load errors (every one)
/// are the error; preparation errors are returned for the caller to rank against others. A
/// selection, or any part of it, that matches no case is an error unless `--no-cases` says
/// otherwise.
pub fn select_cases(sel: &Selection, contract: &Contract, scope: &Vars) -> Result<Selected, Error> {
    select(sel, contract, scope, None)
}

/// Where a streaming selection hands its cases ([`select_streaming`]).
pub struct Streaming<'a> {
    /// The run's queue: each case is pushed as soon as it is loaded and checked.
    pub queue: &'a crate::run::CaseQueue,
    /// Told how many cases the selection holds, before the first is pushed.
    pub total: tokio::sync::oneshot::Sender<usize>,
}

/// Whether a selection can stream: what it takes is known from file names and ids alone (no
/// `--tag` or `--operation`, which need every case read to know what matched nothing; no
/// `--shard`, whose plan needs every case's resources).
pub fn streamable(sel: &Selection) -> bool {
    sel.tags.is_empty()
        && sel.operations.is_empty()
        && sel.shard.is_none()
        && sel.services.is_none()
}

/// Like [`select_cases`], but each case is pushed to the run's queue as soon as it is loaded,
/// while later files are still being read, so the first request leaves at once however large
/// the suite. Everything decided by names (globs that match nothing, an empty selection, a
/// duplicate id) is said before any case is pushed. The first broken case abandons the queue:
/// no case starts any more, those running finish (and are undone), and the error comes back
/// here, with every other problem found, once all files are read. The returned [`Selected`]
/// holds no cases.
pub fn select_streaming(
    sel: &Selection,
    contract: &Contract,
    scope: &Vars,
    stream: Streaming<'_>,
) -> Result<Selected, Error> {
    select(sel, contract, scope, Some(stream))
}

fn select(
    sel: &Selection,
    contract: &Contract,
    scope: &Vars,
    stream: Option<Streaming<'_>>,
) -> Result<Selected, Error> {
    let stream = stream.filter(|_| streamable(sel));
    let patterns = sel
        .globs
        .iter()
        .map(|g| resolve_pattern(g, &sel.cases_dir))
        .collect::<Result<Vec<_>, _>>()?;
    // Files come from the cases folder, plus every file or folder named outside it.
    let mut files: Vec<(String, PathBuf, Vec<usize>)> = Vec::new();
    // Named files and folders stand on their own: a missing cases folder only matters when
    // something is to be taken from it.
    let only_paths = !patterns.is_empty()
        && patterns
            .iter()
            .all(|p| matches!(p, Pattern::File(..) | Pattern::Folder(_)));
    // Generated cases have no file: their text is parsed from memory under a virtual path.
    let texts: std::collections::HashMap<&str, &str> = sel
        .generated
        .iter()
        .flatten()
        .map(|g| (g.id.as_str(), g.yaml.as_str()))
        .collect();
    if let Some(generated) = &sel.generated {
        for g in generated {
            files.push((
                g.id.clone(),
                PathBuf::from(format!("generated/{}.yaml", g.id)),
                Vec::new(),
            ));
        }
    } else if !only_paths {
        // Named files and folders are read on their own: the cases folder is not walked.
        for (id, path) in case::discover(&sel.cases_dir)? {
            files.push((id, path, Vec::new()));
        }
    }
    let abs_dir = sel
        .cases_dir
        .canonicalize()
        .unwrap_or_else(|_| sel.cases_dir.clone());
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    // Canonical paths only when files or folders are named, so plain runs stat nothing twice.
    let mut by_path: std::collections::HashMap<PathBuf, usize> = Default::default();
    if patterns.iter().any(|p| !matches!(p, Pattern::Glob(..))) {
        for (i, (_, f, _)) in files.iter().enumerate() {
            by_path.insert(canonical(f), i);
        }
    }
    let mut add = |files: &mut Vec<(String, PathBuf, Vec<usize>)>, id: String, path: PathBuf, i| {
        let abs = canonical(&path);
        match by_path.get(&abs) {
            Some(&at) => files[at].2.push(i),
            None => {
                by_path.insert(abs, files.len());
                files.push((id, path, vec![i]));
            }
        }
    };
    for (i, p) in patterns.iter().enumerate() {
        match p {
            Pattern::File(id, path) => add(&mut files, id.clone(), path.clone(), i),
            Pattern::Folder(dir) => {
                let root = crate::project::outside_suite(&sel.cases_dir, dir)
                    .map_or_else(|| abs_dir.clone(), |s| s.cases);
                for (_, path) in case::discover(dir)? {
                    let id = id_under(&root, &canonical(&path));
                    add(&mut files, id, path, i);
                }
            }
            Pattern::Glob(..) => {}
        }
    }
    for (id, path, hits) in &mut files {
        for (i, p) in patterns.iter().enumerate() {
            if let Pattern::Glob(text, m) = p {
                // A plain id prefix names a folder of cases (`evs` and `evs/` take `evs/**`).
                let folder = !text.contains(['*', '?', '[', '{'])
                    && id.starts_with(&format!("{}/", text.trim_end_matches('/')));
                if m.is_match(id.as_str()) || m.is_match(&*path) || text == id || folder {
                    hits.push(i);
                }
            }
        }
    }
    let mut hit = vec![false; patterns.len()];
    let mut selected = Selected::default();
    let mut load_errors = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut known_tags: BTreeSet<String> = BTreeSet::new();
    let mut known_ids: Vec<String> = Vec::new();
    // Shard keys render with a fixed run id, so every process of a matrix computes one plan.
    let fixed_scope = scope.with_run_id("shard");
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    let mut tag_hit = vec![false; sel.tags.len()];
    let mut op_hit = vec![false; sel.operations.len()];
    let mut todo: Vec<(String, PathBuf)> = Vec::new();
    for (id, path, hits) in files {
        known_ids.push(id.clone());
        if !patterns.is_empty() && hits.is_empty() {
            continue;
        }
        // A named case that --tag or --operation then leaves out still matched its name.
        for &i in &hits {
            hit[i] = true;
        }
        if sel.only.as_ref().is_some_and(|(ids, _)| !ids.contains(&id)) {
            continue;
        }
        if let Some(first) = seen.get(&id) {
            load_errors.push(Diagnostic::file(
                &path,
                format!(
                    "duplicate case id '{id}': {} has the same path without extension",
                    first.display()
                ),
            ));
            continue;
        }
        seen.insert(id.clone(), path.clone());
        todo.push((id, path));
    }
    // A streaming selection says what names match nothing before anything runs.
    let queue = match stream {
        None => None,
        Some(st) => {
            let nothing = globs_matching_nothing(sel, &hit, &known_ids);
            if judge_empty(sel, nothing, todo.is_empty(), &mut selected)? {
                let _ = st.total.send(0);
                return Ok(selected);
            }
            let _ = st.total.send(todo.len());
            Some(st.queue)
        }
    };
    // Up to HOLD_CASES resolved cases stay in memory, so each is parsed once; a larger suite
    // read whole keeps only references and each worker loads its case again, so memory stays
    // flat. Generated cases have no file to load again: they are always held. A stream of a
    // larger suite holds at most STREAM_WINDOW cases waiting in the run's queue, enough to keep
    // every worker busy: the reader waits for room, so each case is still parsed once.
    let hold_all = todo.len() <= HOLD_CASES || sel.generated.is_some();
    let hold = hold_all || queue.is_some();
    // Parsing and preparing are pure and CPU-bound: they run on every core. Each case is
    // reduced to what selection needs as soon as it is read, so a large suite is never whole
    // in memory.
    let load = |(id, path): &(String, PathBuf)| {
        let case = match texts.get(id.as_str()) {
            Some(text) => case::parse_case(id, path, text, contract)?,
            None => case::load_case(id, path, contract)?,
        };
        if let Some((target, known)) = &sel.services {
            for s in case.all_steps() {
                let Some(route) = s.route(contract) else {
                    continue;
                };
                if !known.iter().any(|k| k == route.service) {
                    return Err(Diagnostic::at(
                        &case.path,
                        s.position.line,
                        s.position.column,
                        format!(
                            "target {target} has no base URL for service '{}' (it has {}): add it to the target's services",
                            route.service,
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        // Which --tag and --operation values this case matches, computed once, here.
        // `--tag !T` leaves out the cases tagged T; the others take the cases tagged with one
        // of them (all cases when there are none).
        let tags: Vec<bool> = sel
            .tags
            .iter()
            .map(|t| {
                case.tags
                    .iter()
                    .any(|c| c == t.strip_prefix('!').unwrap_or(t))
            })
            .collect();
        let ops: Vec<bool> = sel
            .operations
            .iter()
            .map(|o| case.operation == *o || case.all_steps().any(|s| s.label() == *o))
            .collect();
        let mut includes = sel
            .tags
            .iter()
            .zip(&tags)
            .filter(|(t, _)| !t.starts_with('!'));
        let included = sel.tags.iter().all(|t| t.starts_with('!')) || includes.any(|(_, &hit)| hit);
        let excluded = sel
            .tags
            .iter()
            .zip(&tags)
            .any(|(t, &hit)| t.starts_with('!') && hit);
        let is_wanted = included && !excluded && (ops.is_empty() || ops.contains(&true));
        let (prepared, keys, info) = if is_wanted {
            (
                case::prepare(&case, contract, scope).err(),
                sel.shard
                    .is_some()
                    .then(|| shard_keys(&case, contract, &fixed_scope)),
                Some(crate::report::coverage::CaseInfo::from_case(
                    &case, contract,
                )),
            )
        } else {
            (None, None, None)
        };
        let mut r = case.into_ref();
        if !hold {
            r.case = None;
        }
        Ok::<_, Diagnostic>((r, tags, ops, prepared, keys, info))
    };
    // A stream of a large suite reads on one thread: reading stays well ahead of running, and
    // memory does not grow by a second reader's (`cargo bench --bench runner`, 10,000 cases:
    // 39.4 MiB and 10,500 cases/s with two readers, 37 MiB and 12,300 with one). A suite
    // held whole is read on every core, as before streaming.
    let readers = if queue.is_some() && !hold_all {
        1
    } else {
        cores()
    };
    parallel_for_each(&todo, readers, load, |result| {
        let (r, tags, ops, prepared, case_keys, info) = match result {
            Ok(c) => c,
            Err(e) => {
                load_errors.push(e);
                // Nothing more starts; what runs finishes (and is undone).
                if let Some(q) = queue {
                    q.abandon();
                }
                return;
            }
        };
        known_tags.extend(r.tags.iter().cloned());
        for (hit, &matched) in tag_hit.iter_mut().zip(&tags) {
            *hit |= matched;
        }
        for (hit, &matched) in op_hit.iter_mut().zip(&ops) {
            *hit |= matched;
        }
        let Some(info) = info else {
            return; // Left out by --tag or --operation.
        };
        selected.prepare_errors.extend(prepared);
        if let Some(k) = case_keys {
            keys.push((r.id.clone(), k));
        }
        selected.coverage.push(info);
        match queue {
            // Nothing more starts once a problem is found.
            Some(q) if load_errors.is_empty() && selected.prepare_errors.is_empty() => {
                let room = if hold_all { usize::MAX } else { STREAM_WINDOW };
                // False once the run closed the queue: nothing more would start anyway.
                let _ = q.push_within(r, room);
            }
            Some(q) => q.abandon(),
            None => selected.cases.push(r),
        }
    });
    if !load_errors.is_empty() {
        return Err(Error::BadInput(load_errors));
    }
    if queue.is_some() {
        // Names were judged before the first case was pushed; the cases went to the run.
        return Ok(selected);
    }
    selected.cases.sort_by(|a, b| a.id.cmp(&b.id));

    let mut nothing = globs_matching_nothing(sel, &hit, &known_ids);
    for (i, t) in sel.tags.iter().enumerate() {
        if !tag_hit[i] {
            let bare = t.strip_prefix('!').unwrap_or(t);
            let c = closest(bare, known_tags.iter().map(String::as_str));
            nothing.push(format!("--tag {t} matches no case{}", hint(c)));
        }
    }
    for (i, o) in sel.operations.iter().enumerate() {
        if op_hit[i] {
            continue;
        }
        if contract.operation(o).is_none() {
            // A typo, not an empty selection: --no-cases does not excuse it.
            return Err(Error::bad(format!(
                "--operation {o}: no such operation in the contract{}",
                hint(contract.closest_id(o))
            )));
        } else {
            nothing.push(format!("--operation {o} matches no case"));
        }
    }
    let empty = selected.cases.is_empty();
    if judge_empty(sel, nothing, empty, &mut selected)? {
        return Ok(selected);
    }
    if let Some(sh) = sel.shard {
        selected.plan = Some(shard::fingerprint(keys.iter().map(|(id, _)| id.as_str())));
        let plan = shard::assign(&keys, sh.mode, sh.total);
        let mine: BTreeSet<&str> = keys
            .iter()
            .zip(&plan)
            .filter(|(_, &s)| s + 1 == sh.index)
            .map(|((id, _), _)| id.as_str())
            .collect();
        let before = selected.cases.len();
        selected.cases.retain(|c| mine.contains(c.id.as_str()));
        selected.coverage.retain(|c| mine.contains(c.id.as_str()));
        if selected.cases.is_empty() {
            // More shards than groups leaves some empty: not an error, the others run everything.
            selected.warnings.push(format!(
                "shard {sh}: no case falls in this shard ({before} selected in all)"
            ));
        }
    }
    Ok(selected)
}

/// The resources a case touches, as the runner's locks name them: its `resource:` and the
/// resource path of each step. Computed without sending anything.
fn shard_keys(case: &case::Case, contract: &Contract, run: &Vars) -> Vec<String> {
    let scope = case.scope(run).unwrap_or_else(|_| run.clone());
    let mut keys = Vec::new();
    if let Some(r) = &case.resource {
        keys.push(scope.expand_text(r).unwrap_or_else(|_| r.clone()));
    }
    for step in case.all_steps() {
        if let Some(route) = step.route(contract) {
            if let Ok(p) = step.render_path(&route, &scope) {
                keys.push(crate::run::locks::resource_key(&p));
            }
        }
    }
    keys
}

/// The positional arguments that matched no case, each with the closest id.
fn globs_matching_nothing(sel: &Selection, hit: &[bool], known_ids: &[String]) -> Vec<String> {
    sel.globs
        .iter()
        .zip(hit)
        .filter(|(_, &hit)| !hit)
        .map(|(arg, _)| {
            let c = closest(arg, known_ids.iter().map(String::as_str));
            format!("'{arg}' matches no case{}", hint(c))
        })
        .collect()
}

/// Judges what matched nothing and whether no case was selected at all (`empty`): a rerun whose
/// report names no failure is a success said aloud (`Ok(true)`: the selection stops there, with
/// its warning); otherwise `--no-cases` decides (bad input, a warning, or nothing).
fn judge_empty(
    sel: &Selection,
    mut nothing: Vec<String>,
    empty: bool,
    selected: &mut Selected,
) -> Result<bool, Error> {
    if empty && nothing.is_empty() {
        if let Some((_, origin)) = &sel.only {
            // Nothing failed last time: a rerun with nothing to do is a success.
            selected
                .warnings
                .push(format!("no selected case failed or errored in {origin}"));
            return Ok(true);
        }
        nothing.push(no_case_selected(sel));
    }
    if !nothing.is_empty() {
        match sel.no_cases {
            NoCases::Fail => return Err(nothing_error(nothing)),
            NoCases::Warn => selected.warnings = nothing,
            NoCases::Pass => {}
        }
    }
    Ok(false)
}

fn no_case_selected(sel: &Selection) -> String {
    format!(
        "no case selected: {} holds no case files (.yaml, .yml, .json)",
        sel.cases_dir.display()
    )
}

/// An empty selection as bad input, with how to see every case or accept emptiness.
fn nothing_error(nothing: Vec<String>) -> Error {
    let mut d: Vec<Diagnostic> = nothing.into_iter().map(Diagnostic::plain).collect();
    if let Some(last) = d.last_mut() {
        last.help = Some(
            "`conform run --list` shows every case; --no-cases pass|warn accepts an empty selection"
                .into(),
        );
    }
    Error::BadInput(d)
}

/// The machine's cores.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Items a reader thread takes at a time: results reach the consumer in batches, so its
/// thread is woken once a batch rather than once an item (on 2 cores, a wake-up per case was a
/// third of a 10,000-case lint's time, in the kernel's scheduler).
const BATCH: usize = 32;

/// Maps `f` over `items` on `threads` threads and hands each result to `consume`, on the calling
/// thread and in the items' order, as soon as it and every one before it are ready: the first
/// results are used while later ones are still being computed.
fn parallel_for_each<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(R),
) {
    if threads < 2 || items.len() < 64 {
        items.iter().map(&f).for_each(consume);
        return;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Vec<R>)>();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (tx, next, f) = (tx.clone(), &next, &f);
            s.spawn(move || loop {
                let start = next.fetch_add(BATCH, std::sync::atomic::Ordering::Relaxed);
                let Some(batch) = items.get(start..(start + BATCH).min(items.len())) else {
                    break;
                };
                if batch.is_empty() || tx.send((start, batch.iter().map(f).collect())).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Batches arrive in any order; each is consumed once all before it have been.
        let mut ready: BTreeMap<usize, Vec<R>> = BTreeMap::new();
        let mut due = 0;
        for (start, batch) in rx {
            ready.insert(start, batch);
            while let Some(batch) = ready.remove(&due) {
                due += batch.len();
                batch.into_iter().for_each(&mut consume);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "operation: evs.update_snapshot.v3\nsteps:\n  - request:\n      body: {snapshot: {name: n}}\n";

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        dir
    }

    fn contract() -> Contract {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        super::super::load_contract(&root.join("schemas")).expect("the shipped contract")
    }

    fn stream(sel: &Selection) -> (Result<Selected, Error>, Option<usize>, Vec<String>) {
        let queue = crate::run::CaseQueue::default();
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        let mut vars = Vars::new("r");
        vars.set("project_id", "p".into());
        vars.set("snapshot_id", "s".into());
        let out = select_streaming(
            sel,
            &contract(),
            &vars,
            Streaming {
                queue: &queue,
                total: tx,
            },
        );
        queue.close();
        let mut ids = Vec::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        while let Some(c) = rt.block_on(queue.next()) {
            ids.push(c.id);
        }
        (out, rx.try_recv().ok(), ids)
    }

    #[test]
    fn parallel_reading_hands_every_result_over_once_in_order() {
        // More items than a batch on several threads, the last batch short.
        let items: Vec<usize> = (0..1_000 + BATCH / 2).collect();
        for threads in [1, 2, 3] {
            let mut seen = Vec::new();
            parallel_for_each(&items, threads, |i| i * 2, |r| seen.push(r));
            let expected: Vec<usize> = items.iter().map(|i| i * 2).collect();
            assert_eq!(seen, expected, "{threads} threads");
        }
    }

    #[test]
    fn a_stream_says_its_total_then_pushes_every_case_in_file_order() {
        let files: Vec<(String, &str)> = (0..100)
            .map(|i| (format!("evs/c{i:03}.yaml"), OK))
            .collect();
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let dir = folder(&refs);
        let sel = Selection {
            cases_dir: dir.path().to_path_buf(),
            ..Selection::default()
        };
        let (out, total, ids) = stream(&sel);
        let selected = out.expect("selected");
        assert!(selected.cases.is_empty(), "the cases went to the queue");
        assert_eq!(total, Some(100));
        let expected: Vec<String> = (0..100).map(|i| format!("evs/c{i:03}")).collect();
        assert_eq!(ids, expected);
        assert_eq!(selected.coverage.len(), 100);
    }

    #[test]
    fn a_broken_case_abandons_the_waiting_cases_and_comes_back_as_bad_input() {
        let dir = folder(&[
            ("a.yaml", OK),
            ("b.yaml", "operation: nope\nsteps:\n  - {}\n"),
            ("c.yaml", OK),
        ]);
        let sel = Selection {
            cases_dir: dir.path().to_path_buf(),
            ..Selection::default()
        };
        let (out, total, ids) = stream(&sel);
        assert_eq!(total, Some(3));
        // a was pushed, but no worker had taken it when b broke: nothing more starts.
        assert!(ids.is_empty(), "{ids:?}");
        match out {
            Err(Error::BadInput(d)) => assert!(d[0].to_string().contains("b.yaml"), "{}", d[0]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_that_match_nothing_are_refused_before_any_case_is_pushed() {
        let dir = folder(&[("a.yaml", OK)]);
        let sel = Selection {
            cases_dir: dir.path().to_path_buf(),
            globs: vec!["a".into(), "typo".into()],
            ..Selection::default()
        };
        let (out, total, ids) = stream(&sel);
        assert!(matches!(out, Err(Error::BadInput(_))), "{out:?}");
        assert_eq!(total, None, "refused before the total");
        assert!(ids.is_empty());
    }

    #[test]
    fn tags_operations_and_shards_are_read_whole_first() {
        let base = Selection::default();
        assert!(streamable(&base));
        for sel in [
            Selection {
                tags: vec!["t".into()],
                ..base.clone()
            },
            Selection {
                operations: vec!["o".into()],
                ..base.clone()
            },
        ] {
            assert!(!streamable(&sel));
        }
    }
}
