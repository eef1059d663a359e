//! Running cases: targets, the pooled HTTP client, resource locks and the scheduler.
//!
//! The scheduler never prints: it sends [`result::Event`]s to whoever renders them (console,
//! JSON, JUnit), as nextest's runner does. Concurrency is bounded by `--jobs`; cases that touch
//! one resource never interleave; teardown steps always run.

pub mod auth;
pub mod client;
pub mod config_schema;
pub mod creates;
pub mod discover;
pub mod ledger;
pub mod locks;
pub mod rate;
pub mod result;
pub mod step;
pub mod target;
pub mod undo;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use self::client::Http;
use self::result::{CaseResult, Event, StepResult, Summary, Verdict};
use self::target::Target;
use crate::case::vars::Vars;
use crate::case::{Case, CaseRef};
use crate::contract::Contract;

/// Run options.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Concurrent cases.
    pub jobs: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries for connection errors and 429/503.
    pub retries: u32,
    /// Stop starting cases after the first failure.
    pub fail_fast: bool,
    /// Requests per second at most (`--rate N/s`).
    pub rate: Option<f64>,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            // The harness waits on the network far more than it computes: four cases a CPU kept
            // both cores busy where one a CPU left them half idle (2,000 cases against the mock
            // on 2 cores: jobs 2 took 2.9 s, jobs 8 1.5 s, jobs 16 1.7-2.0 s).
            jobs: std::thread::available_parallelism().map_or(8, |n| (n.get() * 4).clamp(4, 64)),
            timeout: Duration::from_secs(30),
            retries: 0,
            fail_fast: false,
            rate: None,
        }
    }
}

/// Everything a step needs, shared by all cases of a run.
pub struct RunCtx {
    /// The contract, validators compiled once.
    pub contract: Arc<Contract>,
    /// The target.
    pub target: Arc<Target>,
    /// The pooled client.
    pub http: Http,
    /// Options.
    pub options: RunOptions,
    /// Drift fails cases.
    pub strict: bool,
    /// Event sink.
    pub events: mpsc::UnboundedSender<Event>,
    /// How far an interrupt has gone ([`Interrupt`]).
    pub cancel: watch::Receiver<Interrupt>,
    /// Variables of the run (target, --var, --vars-file).
    pub vars: Vars,
    /// Resource locks.
    pub locks: locks::Locks,
    /// Where responses are recorded (None: `--snapshots off`).
    pub snapshots: Option<Arc<crate::snapshot::Store>>,
    /// Spacing of requests (`--rate`).
    pub rate: Option<rate::RateLimit>,
    /// The target each case is also sent to, for differential parity.
    pub compare: Option<Arc<RunCtx>>,
    /// This context is the compare target's.
    pub is_compare: bool,
    /// The undo ledger (None: changes are not saved and restored).
    pub ledger: Option<Arc<ledger::Ledger>>,
    /// Run changes the resource table cannot undo (`--allow-unrestorable`).
    pub allow_unrestorable: bool,
}

/// The resources a case touches: key → exclusive.
pub fn resources(case: &Case, scope: &Vars, ctx: &RunCtx) -> BTreeMap<String, bool> {
    let mut out: BTreeMap<String, bool> = BTreeMap::new();
    if let Some(r) = &case.resource {
        out.insert(scope.expand_text(r).unwrap_or_else(|_| r.clone()), true);
    }
    for step in case.all_steps() {
        let Some(route) = step.route(&ctx.contract) else {
            continue;
        };
        if let Ok(p) = step.render_path(&route, scope) {
            let e = out.entry(locks::resource_key(&p)).or_insert(false);
            *e |= route.mutates();
        }
    }
    out
}

/// Why a target cannot run a case (a requirement it lacks, or a mutation it forbids).
fn unmet(case: &Case, ctx: &RunCtx) -> Option<String> {
    let auth = ctx.target.auth.kind();
    for r in &case.requires {
        if let Some(name) = r.strip_prefix("var:") {
            if !ctx.vars.contains(name) && !case.vars.iter().any(|(k, _, _)| k == name) {
                return Some(format!(
                    "requires variable {name}: the target{} does not define it",
                    label(ctx)
                ));
            }
            continue;
        }
        let met = match r.as_str() {
            "auth" => auth.is_some(),
            // The `X-Project-Id` header chooses the project for AK/SK credentials and for a
            // target without any (a mock); a token's own scope chooses it otherwise.
            "project-header" => auth != Some("token"),
            kind => auth == Some(kind),
        };
        if !met {
            let why = if r.as_str() == "project-header" {
                ", whose scope chooses the project, not X-Project-Id"
            } else {
                ""
            };
            return Some(format!(
                "requires {r}: the target{} has {}{why}",
                label(ctx),
                auth.unwrap_or("no auth")
            ));
        }
    }
    // A real endpoint is precious: nothing changes it without explicit permission.
    if !ctx.target.mutations_allowed {
        let first = case.all_steps().find_map(|s| {
            let route = s.route(&ctx.contract)?;
            route
                .mutates()
                .then(|| (route.method.to_string(), s.label()))
        });
        if let Some((method, what)) = first {
            return Some(format!("mutates ({method} {what}): pass --allow-mutation or set mutations: allowed on the target{}", label(ctx)));
        }
    }
    // Each kind a real region gets is opt-in: a create makes something that costs and lingers.
    if let Some(why) = forbidden_create(case, ctx) {
        return Some(why);
    }
    None
}

/// The first step that creates a kind the target does not allow, said with how to allow it.
fn forbidden_create(case: &Case, ctx: &RunCtx) -> Option<String> {
    let table = &ctx.contract.resources;
    case.all_steps().find_map(|s| {
        let route = s.route(&ctx.contract)?;
        let kind = table.creating(route.method, route.template)?;
        if ctx.target.creates.allows(&kind.kind) {
            return None;
        }
        let target = &ctx.target.name;
        let who = if ctx.is_compare { "compare target" } else { "target" };
        Some(format!(
            "creates {kind} (step '{step}', {method} {path}): {who} {target} may not create {kind}; pass --allow-create {kind} (or --allow-create {short}, or all), or add it to allow_create of target {target} in conform.yaml",
            kind = kind.kind,
            step = s.name,
            method = route.method,
            path = route.template,
            short = creates::short_name(&kind.kind),
        ))
    })
}

/// " (compare target NAME)" for the compare context, empty for the main one.
fn label(ctx: &RunCtx) -> String {
    if ctx.is_compare {
        format!(" (compare target {})", ctx.target.name)
    } else {
        String::new()
    }
}

/// How far an interrupt (Ctrl-C, SIGTERM, SIGHUP) has gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Interrupt {
    /// None: the run goes on.
    #[default]
    None,
    /// The first: no case starts any more, running cases stop after their current step, and
    /// teardown and undo run.
    Stopping,
    /// The second: the requests in flight are no longer waited for; teardown and undo still run
    /// (what they cannot do stays in the ledger for `conform restore`).
    Abandoning,
}

impl RunCtx {
    /// Whether the run was interrupted.
    pub fn stopping(&self) -> bool {
        *self.cancel.borrow() >= Interrupt::Stopping
    }
}

/// Runs a case's steps, then its teardown steps (always), holding the case's resource locks.
/// With a ledger, every resource the case changes is saved before the change and restored
/// after, and every resource it creates is deleted.
async fn run_steps(
    ctx: &RunCtx,
    case: &Case,
    mut scope: Vars,
) -> (Vec<StepResult>, bool, Vec<ledger::Mutation>) {
    let wanted = resources(case, &scope, ctx);
    let _guards = ctx.locks.acquire(&wanted).await;
    let mut undo = undo::CaseUndo::new(ctx, case);
    let mut steps = Vec::new();
    let mut flaky = false;
    let all = case.steps.iter().map(|s| (s, false));
    let teardown = case.teardown.iter().map(|s| (s, true));
    let mut stopped = false;
    let mut ran = false;
    let captures: Vec<&str> = case
        .all_steps()
        .flat_map(|s| s.captures.iter().map(|(k, _)| k.as_str()))
        .collect();
    let mut tearing_down = false;
    for (step, is_teardown) in all.chain(teardown) {
        // Teardown always runs after a step ran: after a failure, a timeout or a signal. A case
        // interrupted before its first step has nothing to undo.
        if !is_teardown && (stopped || ctx.stopping()) {
            continue;
        }
        if is_teardown && (!ran || uses_missing_capture(step, &captures, &scope)) {
            // Its input was never captured (the step that reads it did not run): nothing to undo.
            continue;
        }
        if let (true, false, Some(u)) = (is_teardown, tearing_down, &mut undo) {
            // What no teardown step deletes goes first: it may sit below what they delete.
            let remaining: Vec<&crate::case::typed::Step> = case
                .teardown
                .iter()
                .filter(|s| !uses_missing_capture(s, &captures, &scope))
                .collect();
            u.before_teardown(&remaining, &scope).await;
        }
        tearing_down |= is_teardown;
        ran |= !is_teardown;
        if let Some(u) = &mut undo {
            if let Err(e) = u.before(step, &scope).await {
                // Never change what could not be saved.
                let mut refused = StepResult::blank(&step.name, &step.label());
                refused.error = Some(format!("not sent: the undo ledger cannot be written: {e}"));
                steps.push(refused);
                stopped = true;
                continue;
            }
        }
        let outcome = match &mut undo {
            Some(u) => {
                let mut intend = |out: &client::Outgoing| u.intend(step, out);
                step::run_step(ctx, case, step, &mut scope, &mut intend).await
            }
            None => step::run_step(ctx, case, step, &mut scope, &mut |_| Ok(())).await,
        };
        if let Some(u) = &mut undo {
            u.after(step, &outcome.result);
        }
        flaky |= outcome.retried;
        steps.push(outcome.result);
        stopped |= !is_teardown && ends_the_case(&steps[steps.len() - 1]);
    }
    let mutations = match undo {
        Some(u) => u.finish().await,
        None => Vec::new(),
    };
    (steps, flaky, mutations)
}

/// Whether a step's outcome leaves the later steps without ground to stand on: an error, or a
/// failed check of what the step did (status, body, headers, schema, a capture). A response
/// that differs from its snapshot, from the compare target or by undocumented fields did what
/// was asked, so the later steps still run and report (one mismatch does not hide the rest).
fn ends_the_case(step: &StepResult) -> bool {
    use crate::check::{CheckKind, Severity};
    step.error.is_some()
        || step.findings.iter().any(|f| {
            f.severity == Severity::Failure
                && !matches!(
                    f.check,
                    CheckKind::Snapshot | CheckKind::Parity | CheckKind::Drift
                )
        })
}

/// Whether a step refers to a value the case captures that was not captured.
fn uses_missing_capture(step: &crate::case::typed::Step, captures: &[&str], scope: &Vars) -> bool {
    use crate::case::typed::{Body, Endpoint};
    let mut texts: Vec<String> = Vec::new();
    for v in step
        .params
        .values()
        .chain(step.query.iter().map(|(_, v)| v))
    {
        crate::case::vars::strings_of(v, &mut texts);
    }
    match &step.body {
        Body::Json(b) => crate::case::vars::strings_of(b, &mut texts),
        Body::Raw(t) => texts.push(t.clone()),
        Body::None => {}
    }
    if let Endpoint::Raw { path, .. } = &step.endpoint {
        texts.push(path.clone());
    }
    texts.extend(step.headers.iter().map(|(_, v)| v.clone()));
    texts.iter().any(|t| {
        crate::case::vars::references(t)
            .iter()
            .any(|r| captures.contains(&r.as_str()) && !scope.contains(r))
    })
}

/// A step's response as parity compares it: redacted with the target's and the case's rules.
fn redacted(ctx: &RunCtx, case: &Case, r: &StepResult) -> Option<(u16, serde_json::Value)> {
    let resp = r.response.as_ref()?;
    let rules = ctx.target.snapshot_rules.merged(&case.snapshot_rules);
    let secrets = crate::secrets::Secrets::new(ctx.target.auth.secrets());
    let mut red = crate::snapshot::redact::Redactor::new(&rules, &secrets, ctx.vars.run_id());
    let body = match &resp.json {
        Some(j) => red.json(j),
        None => serde_json::Value::String(red.text(&resp.body)),
    };
    Some((resp.status, body))
}

/// Sends the case to the compare target too and adds, to each step, how the answers differ.
async fn add_parity(ctx: &RunCtx, compare: &RunCtx, case: &Case, steps: &mut [StepResult]) {
    let other = compare.target.name.clone();
    let note = |step: &mut StepResult, message: String| {
        step.findings.push(crate::check::Finding {
            check: crate::check::CheckKind::Parity,
            severity: crate::check::Severity::Failure,
            pointer: String::new(),
            expected: String::new(),
            actual: String::new(),
            message,
        });
    };
    if let Some(why) = unmet(case, compare) {
        if let Some(first) = steps.first_mut() {
            note(first, format!("not compared: {why}"));
        }
        return;
    }
    let scope = match case.scope(&compare.vars) {
        Ok(s) => s,
        Err((_, e)) => {
            if let Some(first) = steps.first_mut() {
                note(first, format!("not compared: {e}"));
            }
            return;
        }
    };
    let (theirs, _, _) = run_steps(compare, case, scope).await;
    for ours in steps.iter_mut() {
        let Some(t) = theirs
            .iter()
            .find(|t| t.teardown == ours.teardown && t.name == ours.name)
        else {
            continue;
        };
        match (redacted(ctx, case, ours), redacted(compare, case, t)) {
            (Some((s1, v1)), Some((s2, v2))) => ours
                .findings
                .extend(crate::check::parity::compare(s1, &v1, s2, &v2, &other)),
            (Some(_), None) => note(
                ours,
                format!(
                    "{other} gave no answer: {}",
                    t.error.clone().unwrap_or_default()
                ),
            ),
            _ => {}
        }
    }
}

async fn run_case(ctx: &RunCtx, case: &Case) -> CaseResult {
    let started = Instant::now();
    let file = case.path.display().to_string();
    if let Some(why) = unmet(case, ctx) {
        return CaseResult::skipped(&case.id, &file, &case.operation, why);
    }
    if let Some(why) = undo::refusal(case, ctx) {
        let mut r = CaseResult::skipped(&case.id, &file, &case.operation, why);
        r.verdict = Verdict::Errored;
        return r;
    }
    let scope = match case.scope(&ctx.vars) {
        Ok(s) => s,
        Err((_, e)) => {
            let mut r = CaseResult::skipped(&case.id, &file, &case.operation, "");
            r.verdict = Verdict::Errored;
            r.skip_reason = Some(e.to_string());
            return r;
        }
    };
    let (mut steps, flaky, mutations) = run_steps(ctx, case, scope).await;
    if let Some(compare) = &ctx.compare {
        add_parity(ctx, compare, case, &mut steps).await;
    }
    // A request the run stopped waiting for (a second interrupt) is no error of the target's.
    let errored = steps.iter().any(|s| s.error.is_some() && !s.interrupted)
        || mutations.iter().any(|m| !m.restored);
    let failed = steps.iter().any(|s| crate::check::failed(&s.findings));
    let cut = steps.iter().any(|s| s.interrupted)
        || steps.iter().filter(|s| !s.teardown).count() < case.steps.len();
    let aborted = ctx.stopping() && cut && !failed && !errored;
    let verdict = if errored {
        Verdict::Errored
    } else if failed {
        Verdict::Failed
    } else if aborted {
        Verdict::Skipped
    } else {
        Verdict::Passed
    };
    CaseResult {
        id: case.id.clone(),
        file,
        operation: case.operation.clone(),
        description: case.description.clone(),
        verdict,
        flaky: flaky && verdict == Verdict::Passed,
        skip_reason: aborted
            .then(|| "aborted: interrupted (Ctrl-C, SIGTERM or SIGHUP)".to_string()),
        steps,
        mutations,
        duration_ms: started.elapsed().as_millis() as u64,
    }
}

/// The cases of a run, in the order they start: filled up front, or by selection while the run
/// goes on (cases start as soon as they are loaded, the rest still being read).
#[derive(Debug, Default)]
pub struct CaseQueue {
    inner: std::sync::Mutex<QueueInner>,
    more: tokio::sync::Notify,
    /// Wakes a producer waiting in [`CaseQueue::push_within`] for room.
    room: std::sync::Condvar,
}

#[derive(Debug, Default)]
struct QueueInner {
    cases: std::collections::VecDeque<CaseRef>,
    closed: bool,
    /// A producer waits for room until fewer than this many cases wait (0: nobody waits). It
    /// is woken once the queue is half drained, not at every pop, so it reads in bursts rather
    /// than switching threads once a case.
    resume_below: usize,
}

impl CaseQueue {
    /// A queue holding these cases and nothing more.
    pub fn of(cases: Vec<CaseRef>) -> CaseQueue {
        let q = CaseQueue::default();
        {
            let mut inner = q.lock();
            inner.cases = cases.into();
            inner.closed = true;
        }
        q
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a case at the end once fewer than `limit` cases wait, blocking the calling thread
    /// (a reader on a thread of its own, never an async worker) until the workers make room: a
    /// streamed suite then holds at most `limit` resolved cases, and each is parsed once.
    /// Returns false, adding nothing, once the queue is closed (`usize::MAX`: never waits).
    pub fn push_within(&self, case: CaseRef, limit: usize) -> bool {
        {
            let mut inner = self.lock();
            while !inner.closed && inner.cases.len() >= limit.max(1) {
                inner.resume_below = (limit / 2).max(1);
                inner = self.room.wait(inner).unwrap_or_else(|p| p.into_inner());
            }
            if inner.closed {
                return false;
            }
            inner.cases.push_back(case);
        }
        self.more.notify_one();
        true
    }

    /// Cases waiting to start.
    pub fn waiting(&self) -> usize {
        self.lock().cases.len()
    }

    /// No case will start any more: the waiting ones are dropped and the queue is closed (a
    /// broken case was found; the running ones finish).
    pub fn abandon(&self) {
        {
            let mut inner = self.lock();
            inner.cases.clear();
            inner.closed = true;
        }
        self.more.notify_waiters();
        self.room.notify_all();
    }

    /// No case will be added: workers stop once the queue is empty.
    pub fn close(&self) {
        self.lock().closed = true;
        self.more.notify_waiters();
        self.room.notify_all();
    }

    /// A guard that closes the queue when dropped: whoever fills the queue from a reader that
    /// waits for room holds one, so an early return (a failed login, an unwritable report)
    /// never leaves the reader waiting, and the process exits.
    pub fn close_on_drop(self: &Arc<Self>) -> CloseOnDrop {
        CloseOnDrop(self.clone())
    }

    /// The next case, waiting for one while the queue is open; None once closed and empty.
    pub async fn next(&self) -> Option<CaseRef> {
        loop {
            // Registered before looking, so a push or close in between is not missed.
            let more = self.more.notified();
            tokio::pin!(more);
            more.as_mut().enable();
            {
                let mut inner = self.lock();
                if let Some(c) = inner.cases.pop_front() {
                    if inner.cases.len() < inner.resume_below {
                        inner.resume_below = 0;
                        self.room.notify_one();
                    }
                    return Some(c);
                }
                if inner.closed {
                    return None;
                }
            }
            more.await;
        }
    }
}

/// Runs the cases and emits one [`Event::CaseFinished`] per case. Returns the summary.
///
/// `--jobs` workers pull cases from one queue, so only as many case futures exist as run at
/// once: memory does not grow with the number of cases waiting. `total` is how many cases the
/// queue will have held (for the progress display).
pub async fn execute(queue: Arc<CaseQueue>, total: usize, ctx: Arc<RunCtx>) -> Summary {
    let started = Instant::now();
    // However the run ends (even dropped mid-way), a reader waiting for room is let go.
    let _closer = queue.close_on_drop();
    let _ = ctx.events.send(Event::RunStarted { total });
    let finish = Finish {
        counted: Arc::new(std::sync::Mutex::new(Summary::default())),
        stop: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        fail_fast: ctx.options.fail_fast,
        events: ctx.events.clone(),
    };
    let mut workers = Vec::new();
    for _ in 0..ctx.options.jobs.max(1) {
        let (ctx, queue, finish) = (ctx.clone(), queue.clone(), finish.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let Some(mut r) = queue.next().await else {
                    break;
                };
                let file = r.path.display().to_string();
                let mut result = if ctx.stopping()
                    || finish.stop.load(std::sync::atomic::Ordering::Relaxed)
                {
                    let why = if ctx.stopping() {
                        "not run: the run was interrupted (Ctrl-C, SIGTERM or SIGHUP) first"
                    } else {
                        "not run: --fail-fast after a failure"
                    };
                    CaseResult::not_run(&r.id, &file, &r.operation, why)
                } else {
                    // Resolved once at selection; a reference without its case is loaded here.
                    let loaded = match r.case.take() {
                        Some(c) => Ok(c),
                        None => crate::case::load_case(&r.id, &r.path, &ctx.contract).map(Arc::new),
                    };
                    match loaded {
                        Ok(case) => run_case(&ctx, &case).await,
                        Err(e) => CaseResult {
                            verdict: Verdict::Errored,
                            skip_reason: Some(format!("the case file changed during the run: {e}")),
                            ..CaseResult::skipped(&r.id, &file, &r.operation, "")
                        },
                    }
                };
                // A case is over when its snapshot files are written: a failed write errs it.
                if let Some(store) = &ctx.snapshots {
                    let failures = store.index.write_case(&result.id).await;
                    add_write_failures(&mut result, failures);
                }
                if !finish.finish(result) {
                    break;
                }
            }
        }));
    }
    let mut lost = 0;
    for w in workers {
        // A worker that panicked lost the case it was running: the run cannot pass.
        lost += usize::from(w.await.is_err());
    }
    let mut summary = finish
        .counted
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    summary.errored += lost;
    summary.aborted = ctx.stopping();
    summary.duration_ms = started.elapsed().as_millis() as u64;
    summary
}

/// Where a worker's finished case goes: counted, watched for `--fail-fast`, handed straight to
/// the reporters (a relay task between them cost a channel hop and a wake-up a case).
#[derive(Clone)]
struct Finish {
    counted: Arc<std::sync::Mutex<Summary>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    fail_fast: bool,
    events: mpsc::UnboundedSender<Event>,
}

impl Finish {
    /// Counts and reports a case (after a failure, with `--fail-fast`, no case starts any
    /// more); false once nobody listens any more.
    fn finish(&self, result: CaseResult) -> bool {
        if self.fail_fast && matches!(result.verdict, Verdict::Failed | Verdict::Errored) {
            self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        self.counted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .add(&result);
        self.events
            .send(Event::CaseFinished(Box::new(result)))
            .is_ok()
    }
}

/// A case is not over until its snapshots are on disk: a write that failed errs the case that
/// made it, on the first step with a response (the message names the file).
fn add_write_failures(result: &mut CaseResult, failures: Vec<crate::snapshot::SnapshotError>) {
    if failures.is_empty() {
        return;
    }
    let Some(step) = result.steps.iter_mut().find(|s| s.response.is_some()) else {
        return;
    };
    for e in failures {
        let error = format!("cannot write the snapshot: {e}");
        step.error = Some(match step.error.take() {
            Some(earlier) => format!("{earlier}; {error}"),
            None => error,
        });
    }
    result.verdict = Verdict::Errored;
    result.flaky = false;
    // An errored case is not reported as interrupted.
    result.skip_reason = None;
}

/// Closes a [`CaseQueue`] when dropped ([`CaseQueue::close_on_drop`]).
#[derive(Debug)]
pub struct CloseOnDrop(Arc<CaseQueue>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str) -> CaseRef {
        CaseRef {
            id: id.into(),
            path: format!("{id}.yaml").into(),
            operation: "op".into(),
            tags: Vec::new(),
            case: None,
        }
    }

    #[test]
    fn a_failed_snapshot_write_errs_a_passed_or_interrupted_case_on_its_first_answered_step() {
        let step = |name: &str, answered: bool| {
            let mut s = StepResult::blank(name, name);
            if answered {
                s.response = Some(result::ResponseRecord {
                    status: 200,
                    headers: Vec::new(),
                    body: String::new(),
                    json: None,
                });
            }
            s
        };
        let failure = || crate::snapshot::SnapshotError::Io {
            path: "snapshots/mock/evs".into(),
            source: std::io::Error::other("not a folder"),
        };
        let mut passed = CaseResult::skipped("a", "a.yaml", "op", "");
        passed.verdict = Verdict::Passed;
        passed.skip_reason = None;
        passed.flaky = true;
        passed.steps = vec![step("1", false), step("2", true), step("3", true)];
        add_write_failures(&mut passed, vec![failure(), failure()]);
        assert_eq!(passed.verdict, Verdict::Errored);
        assert!(!passed.flaky, "an errored case is not flaky");
        let error = passed.steps[1].error.as_deref().unwrap_or_default();
        assert_eq!(
            error
                .matches("cannot write the snapshot: snapshots/mock/evs")
                .count(),
            2,
            "{error}"
        );
        assert!(passed.steps[0].error.is_none() && passed.steps[2].error.is_none());

        let mut interrupted = CaseResult::skipped("b", "b.yaml", "op", "aborted: interrupted");
        interrupted.steps = vec![step("1", true)];
        add_write_failures(&mut interrupted, vec![failure()]);
        assert_eq!(interrupted.verdict, Verdict::Errored);
        assert_eq!(interrupted.skip_reason, None);

        let mut untouched = CaseResult::skipped("c", "c.yaml", "op", "");
        untouched.verdict = Verdict::Passed;
        untouched.steps = vec![step("1", true)];
        add_write_failures(&mut untouched, Vec::new());
        assert_eq!(untouched.verdict, Verdict::Passed, "nothing failed");
    }

    #[tokio::test]
    async fn waiting_workers_get_cases_pushed_later_and_stop_when_the_queue_closes() {
        let queue = Arc::new(CaseQueue::default());
        let workers: Vec<_> = (0..3)
            .map(|_| {
                let q = queue.clone();
                tokio::spawn(async move {
                    let mut got = Vec::new();
                    while let Some(c) = q.next().await {
                        got.push(c.id);
                        tokio::task::yield_now().await;
                    }
                    got
                })
            })
            .collect();
        for i in 0..50 {
            queue.push_within(case(&format!("c{i:02}")), usize::MAX);
            if i % 7 == 0 {
                tokio::task::yield_now().await;
            }
        }
        queue.close();
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.expect("worker"));
        }
        all.sort();
        let expected: Vec<String> = (0..50).map(|i| format!("c{i:02}")).collect();
        assert_eq!(
            all, expected,
            "every case exactly once, and every worker ended"
        );
    }

    #[tokio::test]
    async fn a_bounded_push_waits_for_room_and_every_case_arrives_once_in_order() {
        let queue = Arc::new(CaseQueue::default());
        let q = queue.clone();
        let reader = std::thread::spawn(move || {
            (0..100).all(|i| q.push_within(case(&format!("c{i:03}")), 4))
        });
        let mut got = Vec::new();
        let mut most_waiting = 0;
        while got.len() < 100 {
            most_waiting = most_waiting.max(queue.waiting());
            if let Some(c) = queue.next().await {
                got.push(c.id);
            }
            tokio::task::yield_now().await;
        }
        assert!(reader.join().expect("reader"), "every push was taken");
        assert!(most_waiting <= 4, "at most the limit waits: {most_waiting}");
        let expected: Vec<String> = (0..100).map(|i| format!("c{i:03}")).collect();
        assert_eq!(got, expected);
    }

    #[tokio::test]
    async fn closing_the_queue_lets_a_waiting_reader_go() {
        let queue = Arc::new(CaseQueue::default());
        assert!(queue.push_within(case("a"), 1));
        let q = queue.clone();
        let reader = std::thread::spawn(move || q.push_within(case("b"), 1));
        // The reader waits for room that never comes until the run ends.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!reader.is_finished(), "a full queue holds the reader");
        queue.abandon();
        assert!(
            !reader.join().expect("reader"),
            "a closed queue takes nothing"
        );
        assert_eq!(queue.waiting(), 0);
        // Dropping the guard closes the queue too (a run that ends early).
        let queue = Arc::new(CaseQueue::default());
        assert!(queue.push_within(case("a"), 1));
        let guard = queue.close_on_drop();
        let q = queue.clone();
        let reader = std::thread::spawn(move || q.push_within(case("b"), 1));
        drop(guard);
        assert!(!reader.join().expect("reader"));
    }

    #[tokio::test]
    async fn an_abandoned_queue_starts_nothing_more() {
        let queue = CaseQueue::default();
        queue.push_within(case("a"), usize::MAX);
        queue.push_within(case("b"), usize::MAX);
        queue.abandon();
        assert!(!queue.push_within(case("late"), usize::MAX));
        assert_eq!(queue.waiting(), 0);
        assert!(queue.next().await.is_none());
    }

    #[tokio::test]
    async fn a_filled_queue_is_closed_and_drains_in_order() {
        let queue = CaseQueue::of(vec![case("a"), case("b")]);
        assert_eq!(queue.waiting(), 2);
        assert_eq!(queue.next().await.map(|c| c.id).as_deref(), Some("a"));
        assert_eq!(queue.next().await.map(|c| c.id).as_deref(), Some("b"));
        assert!(queue.next().await.is_none());
    }
}
