//! Running cases: targets, the pooled HTTP client, resource locks and the scheduler.
//!
//! The scheduler never prints: it sends [`result::Event`]s to whoever renders them (console,
//! JSON, JUnit), as nextest's runner does. Concurrency is bounded by `--jobs`; cases that touch
//! one resource never interleave; teardown steps always run.

pub mod client;
pub mod locks;
pub mod result;
pub mod step;
pub mod target;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch, Semaphore};

use self::client::Http;
use self::result::{CaseResult, Event, Summary, Verdict};
use self::target::{Auth, Target};
use crate::case::vars::Vars;
use crate::case::Case;
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
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            timeout: Duration::from_secs(30),
            retries: 0,
            fail_fast: false,
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

async fn run_case(ctx: &RunCtx, case: &Case) -> CaseResult {
    let started = Instant::now();
    let file = case.path.display().to_string();
    if case.file.requires.iter().any(|r| r.value == "auth") && ctx.target.auth == Auth::None {
        return CaseResult::skipped(
            &case.id,
            &file,
            &case.file.operation.value,
            "requires auth: the target has none",
        );
    }
    let wanted = resources(case, ctx);
    let _guards = ctx.locks.acquire(&wanted).await;
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
    let errored = steps.iter().any(|s| s.error.is_some());
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
        duration_ms: started.elapsed().as_millis() as u64,
    }
}

/// Runs the cases and emits one [`Event::CaseFinished`] per case. Returns the summary.
pub async fn execute(cases: Vec<Arc<Case>>, ctx: Arc<RunCtx>) -> Summary {
    let started = Instant::now();
    let _ = ctx.events.send(Event::RunStarted { total: cases.len() });
    let semaphore = Arc::new(Semaphore::new(ctx.options.jobs.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<CaseResult>();
    let mut handles = Vec::with_capacity(cases.len());
    for case in cases {
        let ctx = ctx.clone();
        let semaphore = semaphore.clone();
        let stop = stop_rx.clone();
        let done = done_tx.clone();
        let stop_tx = stop_tx.clone();
        handles.push(tokio::spawn(async move {
            let permit = semaphore.acquire_owned().await;
            let result = if permit.is_err() || *stop.borrow() || *ctx.cancel.borrow() {
                let why = if *ctx.cancel.borrow() {
                    "aborted by Ctrl-C"
                } else {
                    "not run: --fail-fast after a failure"
                };
                CaseResult::skipped(
                    &case.id,
                    &case.path.display().to_string(),
                    &case.file.operation.value,
                    why,
                )
            } else {
                run_case(&ctx, &case).await
            };
            if ctx.options.fail_fast && matches!(result.verdict, Verdict::Failed | Verdict::Errored)
            {
                let _ = stop_tx.send(true);
            }
            let _ = done.send(result);
        }));
    }
    drop(done_tx);
    let mut summary = Summary::default();
    while let Some(result) = done_rx.recv().await {
        summary.add(&result);
        let _ = ctx.events.send(Event::CaseFinished(Box::new(result)));
    }
    for h in handles {
        let _ = h.await;
    }
    summary.aborted = *ctx.cancel.borrow();
    summary.duration_ms = started.elapsed().as_millis() as u64;
    summary
}
