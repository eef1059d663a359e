//! Running cases: targets, the pooled HTTP client, resource locks and the scheduler.
//!
//! The scheduler never prints: it sends [`result::Event`]s to whoever renders them (console,
//! JSON, JUnit), as nextest's runner does. Concurrency is bounded by `--jobs`; cases that touch
//! one resource never interleave; teardown steps always run.

pub mod auth;
pub mod client;
pub mod ledger;
pub mod locks;
pub mod rate;
pub mod result;
pub mod step;
pub mod target;

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
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
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
    /// Set on Ctrl-C: running cases stop after the current step (teardown still runs).
    pub cancel: watch::Receiver<bool>,
    /// Variables of the run (target, --var, --vars-file).
    pub vars: Vars,
    /// Resource locks.
    pub locks: locks::Locks,
    /// Where responses are recorded (None: `--snapshots off`).
    pub snapshots: Option<crate::snapshot::Store>,
    /// Spacing of requests (`--rate`).
    pub rate: Option<rate::RateLimit>,
    /// The target each case is also sent to, for differential parity.
    pub compare: Option<Arc<RunCtx>>,
    /// This context is the compare target's.
    pub is_compare: bool,
    /// The undo ledger (None: changes are not saved and restored).
    pub ledger: Option<Arc<ledger::Ledger>>,
}

/// The resources a case touches: key → exclusive.
pub fn resources(case: &Case, ctx: &RunCtx) -> BTreeMap<String, bool> {
    let mut out: BTreeMap<String, bool> = BTreeMap::new();
    if let Some(r) = &case.file.resource {
        out.insert(ctx.vars.expand_text(r).unwrap_or_else(|_| r.clone()), true);
    }
    let mut scope = ctx.vars.clone();
    scope.set_defaults(&case.file.vars);
    for (step, _) in case.all_steps() {
        let s = &step.value;
        let (method, path) = match (&s.request.method, &s.request.path) {
            (Some(m), Some(p)) => (m.clone(), scope.expand_text(p).ok()),
            _ => match ctx.contract.operation(case.operation_of(s)) {
                Some(op) => (
                    op.method.clone(),
                    op.render_path(|n| match s.request.params.get(n) {
                        Some(v) => scope.expand(v).ok().map(|v| {
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string())
                        }),
                        None => scope.get(n).map(|v| {
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string())
                        }),
                    })
                    .ok(),
                ),
                None => continue,
            },
        };
        if let Some(p) = path {
            let key = locks::resource_key(&p);
            let exclusive = method != "GET" && method != "HEAD";
            let e = out.entry(key).or_insert(false);
            *e |= exclusive;
        }
    }
    out
}

/// The first step of a case that changes something: (method, operation or path).
fn first_mutation(case: &Case, ctx: &RunCtx) -> Option<(String, String)> {
    case.all_steps().find_map(|(step, _)| {
        let s = &step.value;
        let (method, what) = match (&s.request.method, &s.request.path) {
            (Some(m), Some(p)) => (m.clone(), p.clone()),
            _ => {
                let op = ctx.contract.operation(case.operation_of(s))?;
                (op.method.clone(), op.id.clone())
            }
        };
        (!matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS")).then_some((method, what))
    })
}

/// Why a target cannot run a case (a requirement it lacks, or a mutation it forbids).
fn unmet(case: &Case, ctx: &RunCtx) -> Option<String> {
    let auth = ctx.target.auth.kind();
    for r in &case.file.requires {
        if let Some(name) = r.value.strip_prefix("var:") {
            if !ctx.vars.contains(name) && !case.file.vars.contains_key(name) {
                return Some(format!(
                    "requires variable {name}: the target{} does not define it",
                    label(ctx)
                ));
            }
            continue;
        }
        let met = match r.value.as_str() {
            "auth" => auth.is_some(),
            kind => auth == Some(kind),
        };
        if !met {
            return Some(format!(
                "requires {}: the target{} has {}",
                r.value,
                label(ctx),
                auth.unwrap_or("no auth")
            ));
        }
    }
    // A real endpoint is precious: nothing changes it without explicit permission.
    if !ctx.target.mutations_allowed {
        if let Some((method, what)) = first_mutation(case, ctx) {
            return Some(format!("mutates ({method} {what}): pass --allow-mutation or set mutations: allowed on the target{}", label(ctx)));
        }
    }
    None
}

/// " (compare target NAME)" for the compare context, empty for the main one.
fn label(ctx: &RunCtx) -> String {
    if ctx.is_compare {
        format!(" (compare target {})", ctx.target.name)
    } else {
        String::new()
    }
}

/// Runs a case's steps, then its teardown steps (always), holding the case's resource locks.
/// With a ledger, every resource the case changes is saved first and restored after.
async fn run_steps(ctx: &RunCtx, case: &Case) -> (Vec<StepResult>, bool, Vec<ledger::Mutation>) {
    let wanted = resources(case, ctx);
    let _guards = ctx.locks.acquire(&wanted).await;
    let restorer = ledger::Restorer {
        http: &ctx.http,
        auth: &ctx.target.auth,
        timeout: ctx.options.timeout,
    };
    let mut saved = Vec::new();
    if let Some(book) = &ctx.ledger {
        for key in wanted
            .iter()
            .filter(|(_, exclusive)| **exclusive)
            .map(|(k, _)| k)
        {
            let Some(res) =
                ledger::Resource::from_key(key, |s| ctx.target.base_url(s).map(str::to_string))
            else {
                continue;
            };
            // A resource that cannot be read (a missing id) has nothing to protect.
            let Ok(state) = restorer.read(&res).await else {
                continue;
            };
            let entry = ledger::Entry {
                event: "saved".into(),
                case: case.id.clone(),
                resource: res.clone(),
                state: Some(state.clone()),
                detail: None,
            };
            if let Err(e) = book.append(&entry) {
                // Never change what could not be saved.
                let mut refused =
                    StepResult::blank("ledger", case.operation_of(&case.file.steps[0].value));
                refused.error = Some(format!("not run: {e}"));
                return (vec![refused], false, Vec::new());
            }
            saved.push((res, state));
        }
    }
    let mut scope = ctx.vars.clone();
    scope.set_defaults(&case.file.vars);
    let mut steps = Vec::new();
    let mut flaky = false;
    for (i, step) in case.file.steps.iter().enumerate() {
        if *ctx.cancel.borrow() {
            break;
        }
        let outcome = step::run_step(ctx, case, step, i, false, &mut scope).await;
        flaky |= outcome.retried;
        let bad = outcome.result.error.is_some() || crate::check::failed(&outcome.result.findings);
        steps.push(outcome.result);
        if bad {
            break;
        }
    }
    // Teardown always runs: after a failure, a timeout or Ctrl-C.
    for (i, step) in case.file.teardown.iter().enumerate() {
        let outcome = step::run_step(ctx, case, step, i, true, &mut scope).await;
        steps.push(outcome.result);
    }
    let mut mutations = Vec::new();
    for (res, state) in saved {
        let (event, restored, detail) = match restorer.restore(&res, &state).await {
            Ok(d) => ("restored", true, d),
            Err(e) => ("restore_failed", false, e),
        };
        if let Some(book) = &ctx.ledger {
            let entry = ledger::Entry {
                event: event.into(),
                case: case.id.clone(),
                resource: res.clone(),
                state: None,
                detail: Some(detail.clone()),
            };
            if let Err(e) = book.append(&entry) {
                mutations.push(ledger::Mutation {
                    resource: res,
                    restored: false,
                    detail: e,
                });
                continue;
            }
        }
        mutations.push(ledger::Mutation {
            resource: res,
            restored,
            detail,
        });
    }
    (steps, flaky, mutations)
}

/// A step's response as parity compares it: redacted with the target's and the case's rules.
fn redacted(ctx: &RunCtx, case: &Case, r: &StepResult) -> Option<(u16, serde_json::Value)> {
    let resp = r.response.as_ref()?;
    let rules = ctx.target.snapshot_rules.merged(&case.snapshot_rules);
    let secrets = ctx.target.auth.secrets();
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
    let (theirs, _, _) = run_steps(compare, case).await;
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
        return CaseResult::skipped(&case.id, &file, &case.file.operation.value, why);
    }
    let (mut steps, flaky, mutations) = run_steps(ctx, case).await;
    if let Some(compare) = &ctx.compare {
        add_parity(ctx, compare, case, &mut steps).await;
    }
    let errored = steps.iter().any(|s| s.error.is_some()) || mutations.iter().any(|m| !m.restored);
    let failed = steps.iter().any(|s| crate::check::failed(&s.findings));
    let aborted = *ctx.cancel.borrow()
        && steps.iter().filter(|s| !s.teardown).count() < case.file.steps.len()
        && !failed
        && !errored;
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
        operation: case.file.operation.value.clone(),
        verdict,
        flaky: flaky && verdict == Verdict::Passed,
        skip_reason: aborted.then(|| "aborted by Ctrl-C".to_string()),
        steps,
        mutations,
        duration_ms: started.elapsed().as_millis() as u64,
    }
}

/// Runs the cases and emits one [`Event::CaseFinished`] per case. Returns the summary.
///
/// `--jobs` workers pull cases from one queue, so only as many case futures exist as run at
/// once: memory does not grow with the number of cases waiting.
pub async fn execute(cases: Vec<CaseRef>, ctx: Arc<RunCtx>) -> Summary {
    let started = Instant::now();
    let _ = ctx.events.send(Event::RunStarted { total: cases.len() });
    let queue = Arc::new(std::sync::Mutex::new(std::collections::VecDeque::from(
        cases,
    )));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<CaseResult>();
    let mut workers = Vec::new();
    for _ in 0..ctx.options.jobs.max(1) {
        let (ctx, queue, stop, done) = (ctx.clone(), queue.clone(), stop.clone(), done_tx.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                let Some(r) = next else { break };
                let file = r.path.display().to_string();
                let result = if *ctx.cancel.borrow()
                    || stop.load(std::sync::atomic::Ordering::Relaxed)
                {
                    let why = if *ctx.cancel.borrow() {
                        "aborted by Ctrl-C"
                    } else {
                        "not run: --fail-fast after a failure"
                    };
                    CaseResult::skipped(&r.id, &file, &r.operation, why)
                } else {
                    // Loaded again here, so only running cases are in memory.
                    match crate::case::load_case(&r.id, &r.path, &ctx.contract) {
                        Ok(case) => run_case(&ctx, &case).await,
                        Err(e) => CaseResult {
                            verdict: Verdict::Errored,
                            skip_reason: Some(format!("the case file changed during the run: {e}")),
                            ..CaseResult::skipped(&r.id, &file, &r.operation, "")
                        },
                    }
                };
                if ctx.options.fail_fast
                    && matches!(result.verdict, Verdict::Failed | Verdict::Errored)
                {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                if done.send(result).is_err() {
                    break;
                }
            }
        }));
    }
    drop(done_tx);
    let mut summary = Summary::default();
    while let Some(result) = done_rx.recv().await {
        summary.add(&result);
        let _ = ctx.events.send(Event::CaseFinished(Box::new(result)));
    }
    for w in workers {
        let _ = w.await;
    }
    summary.aborted = *ctx.cancel.borrow();
    summary.duration_ms = started.elapsed().as_millis() as u64;
    summary
}
