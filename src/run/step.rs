//! Executing one step: resolve variables, send (with retries), check, capture.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::auth::authorize;
use super::client::{Incoming, Outgoing, TransportError};
use super::result::{RequestRecord, ResponseRecord, StepResult};
use super::RunCtx;
use crate::case::typed::{Body, Capture, Step};
use crate::case::vars::{VarError, Vars};
use crate::case::Case;
use crate::check::{self, CheckKind, CheckOptions, Finding, Observed, Severity};

/// Outcome of one step plus whether it passed only after a retry.
pub struct StepOutcome {
    /// The record.
    pub result: StepResult,
    /// Passed, but only after retrying.
    pub retried: bool,
}

/// Why a step's request could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A variable did not resolve.
    #[error(transparent)]
    Var(#[from] VarError),
    /// The contract lost the step's operation (changed during the run).
    #[error("operation '{0}' is not in the contract")]
    NoOperation(String),
    /// The target has no base URL for the service.
    #[error("target '{target}' has no base URL for service '{service}'")]
    NoService {
        /// The target.
        target: String,
        /// The service.
        service: String,
    },
    /// The body could not be serialised.
    #[error("cannot serialise the body: {0}")]
    Body(#[from] serde_json::Error),
    /// Signing failed.
    #[error("{0}")]
    Auth(String),
    /// Not an HTTP method.
    #[error("invalid method {0}")]
    Method(String),
}

/// Builds the request of a step.
fn build(ctx: &RunCtx, step: &Step, scope: &Vars) -> Result<Outgoing, BuildError> {
    let route = step
        .route(&ctx.contract)
        .ok_or_else(|| BuildError::NoOperation(step.label()))?;
    let path = step.render_path(&route, scope)?;
    let base = ctx
        .target
        .base_url(route.service)
        .ok_or_else(|| BuildError::NoService {
            target: ctx.target.name.clone(),
            service: route.service.to_string(),
        })?;
    let mut query = Vec::new();
    for (k, v) in &step.query {
        let v = match scope.expand(v)? {
            Value::String(s) => s,
            other => other.to_string(),
        };
        query.push((k.clone(), v));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    let body = match &step.body {
        Body::Json(b) => Some(serde_json::to_vec(&scope.expand(b)?)?),
        Body::Raw(raw) => Some(scope.expand_text(raw)?.into_bytes()),
        Body::None => None,
    };
    if body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
    }
    for (k, v) in &step.headers {
        let value = scope.expand_text(v)?;
        headers.retain(|(n, _)| n != k);
        headers.push((k.clone(), value));
    }
    let (url, headers) = authorize(
        &ctx.target.auth,
        route.method,
        base,
        &path,
        &query,
        headers,
        body.as_deref(),
    )
    .map_err(BuildError::Auth)?;
    let method = reqwest::Method::from_bytes(route.method.as_bytes())
        .map_err(|_| BuildError::Method(route.method.to_string()))?;
    Ok(Outgoing {
        method,
        url,
        headers,
        body,
    })
}

/// Retries a 429 gets even without `--retries`.
const THROTTLE_RETRIES: u32 = 3;

/// How long to wait before retrying: Retry-After (seconds) when the server sent one, else
/// exponential backoff from 100 ms; capped at 30 s.
fn backoff(attempt: u32, retry_after: Option<&str>) -> Duration {
    let from_header = retry_after
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    from_header
        .unwrap_or_else(|| Duration::from_millis(100u64.saturating_mul(1 << attempt.min(8))))
        .min(Duration::from_secs(30))
}

/// The longest first pause of a wait (`until`).
const FIRST_POLL: Duration = Duration::from_millis(50);

/// Sends a read again until its answer reaches one of the states `until` waits for, for at most
/// `within` (an interrupt ends the wait). The first pause is an eighth of `every` (at most
/// 50 ms), doubling up to it: a quick job is seen soon, a slow one is not read more often than
/// `every`. An answer that is no success (the job is unknown: 404) ends the wait at once: no
/// state is coming, and waiting out `within` would hold the run for minutes. Returns the last
/// answer and, when the wait ended without reaching a state, what the value was then.
async fn poll(
    ctx: &RunCtx,
    case: &Case,
    step: &Step,
    scope: &Vars,
    until: &crate::case::typed::Until,
    mut response: Result<Incoming, TransportError>,
    result: &mut StepResult,
) -> (Result<Incoming, TransportError>, Option<String>) {
    let waiting = Instant::now();
    let mut pause = (until.every / 8).min(FIRST_POLL);
    loop {
        let Ok(answer) = &response else {
            return (response, None); // The transport error is the step's outcome.
        };
        let json: Option<Value> = serde_json::from_slice(&answer.body).ok();
        if until.reached(json.as_ref()) {
            return (response, None);
        }
        let now = json
            .as_ref()
            .and_then(|j| crate::pointer::resolve(j, &until.pointer))
            .map_or_else(|| "(absent)".to_string(), Value::to_string);
        if !(200..300).contains(&answer.status) || waiting.elapsed() + pause > until.within {
            return (response, Some(now));
        }
        let mut cancel = ctx.cancel.clone();
        tokio::select! {
            _ = tokio::time::sleep(pause) => pause = (pause * 2).min(until.every),
            _ = cancel.wait_for(|c| *c >= super::Interrupt::Stopping) => return (response, Some(now)),
        }
        // Built again: a signature carries the time it was made.
        let again = match build(ctx, step, scope) {
            Ok(out) => out,
            Err(_) => return (response, Some(now)),
        };
        let (next, attempts) = send_with_retries(ctx, &case.id, &again, !step.teardown).await;
        result.attempts += attempts;
        response = next;
    }
}

/// Sends with retries. Teardown requests are not cancellable: they clean up after a Ctrl-C.
async fn send_with_retries(
    ctx: &RunCtx,
    case_id: &str,
    out: &Outgoing,
    cancellable: bool,
) -> (Result<Incoming, TransportError>, u32) {
    let mut attempt = 0;
    loop {
        attempt += 1;
        if let Some(limit) = &ctx.rate {
            limit.acquire().await;
        }
        let result = if cancellable {
            // The first interrupt lets the request finish; the second stops waiting for it.
            let mut cancel = ctx.cancel.clone();
            tokio::select! {
                r = ctx.http.send(out, ctx.options.timeout) => r,
                _ = cancel.wait_for(|c| *c >= super::Interrupt::Abandoning) => Err(TransportError::Interrupted),
            }
        } else {
            ctx.http.send(out, ctx.options.timeout).await
        };
        let retry_after = match &result {
            Ok(r) if matches!(r.status, 429 | 503) => {
                Some(r.header("retry-after").map(str::to_string))
            }
            Err(e) if e.is_retryable() => Some(None),
            _ => None,
        };
        // 429 is the target asking to slow down, not a failure: it always gets a few retries.
        let budget = match &result {
            Ok(r) if r.status == 429 => ctx.options.retries.max(THROTTLE_RETRIES),
            _ => ctx.options.retries,
        };
        match retry_after {
            Some(ra) if attempt <= budget && !(cancellable && ctx.stopping()) => {
                let reason = match &result {
                    Ok(r) => format!("status {}", r.status),
                    Err(e) => e.to_string(),
                };
                let _ = ctx.events.send(super::result::Event::Retry {
                    case: case_id.to_string(),
                    attempt,
                    reason,
                });
                tokio::time::sleep(backoff(attempt, ra.as_deref())).await;
            }
            _ => return (result, attempt),
        }
    }
}

/// What runs once a step's request is built and before it is sent (the ledger's create
/// intent); an error stops the request from being sent.
pub type BeforeSend<'a> = &'a mut (dyn FnMut(&Outgoing) -> Result<(), String> + Send);

/// Runs one step, updating `scope` with its captures.
pub async fn run_step(
    ctx: &RunCtx,
    case: &Case,
    step: &Step,
    scope: &mut Vars,
    before_send: BeforeSend<'_>,
) -> StepOutcome {
    let started = Instant::now();
    let mut result = StepResult::blank(&step.name, &step.label());
    result.line = step.position.line;
    result.teardown = step.teardown;
    let out = match build(ctx, step, scope) {
        Ok(x) => x,
        Err(e) => {
            result.error = Some(e.to_string());
            return StepOutcome {
                result,
                retried: false,
            };
        }
    };
    result.request = Some(RequestRecord {
        method: out.method.to_string(),
        url: out.url.clone(),
        headers: crate::secrets::redact_headers(out.headers.clone()),
        body: out
            .body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned()),
    });
    // A write the client would refuse is refused here, before the ledger announces a create
    // that could never be sent; reads announce nothing, so they skip the second parse.
    if !out.method.is_safe() {
        if let Err(e) = out.check() {
            result.error = Some(e.to_string());
            return StepOutcome {
                result,
                retried: false,
            };
        }
    }
    if let Err(e) = before_send(&out) {
        // Never create what the ledger could not announce.
        result.error = Some(format!("not sent: the undo ledger cannot be written: {e}"));
        return StepOutcome {
            result,
            retried: false,
        };
    }
    let (response, attempts) = send_with_retries(ctx, &case.id, &out, !step.teardown).await;
    result.attempts = attempts;
    let (response, gave_up) = match &step.until {
        Some(until) => poll(ctx, case, step, scope, until, response, &mut result).await,
        None => (response, None),
    };
    let incoming = match response {
        Ok(r) => r,
        Err(e) => {
            result.interrupted = matches!(e, TransportError::Interrupted);
            result.transport_error =
                !matches!(e, TransportError::Invalid(_) | TransportError::Interrupted);
            result.error = Some(e.to_string());
            result.duration_ms = started.elapsed().as_millis() as u64;
            return StepOutcome {
                result,
                retried: false,
            };
        }
    };
    let json: Option<Value> = if incoming.body.is_empty() {
        None
    } else {
        serde_json::from_slice(&incoming.body).ok()
    };
    let route = step.route(&ctx.contract);
    let op = route.and_then(|r| r.operation);
    if let Some(op) = op {
        result.rules = observed_rules(ctx, op, step, scope, &out, incoming.status);
    }
    match step.expect.expanded(scope) {
        Ok(expect) => {
            let observed = Observed {
                status: incoming.status,
                headers: &incoming.headers,
                body: &incoming.body,
                json: json.as_ref(),
            };
            result.findings = check::check_step(
                &ctx.contract,
                op,
                &expect,
                &observed,
                CheckOptions { strict: ctx.strict },
            );
        }
        Err(e) => result.error = Some(e.to_string()),
    }
    if let (Some(until), Some(actual)) = (&step.until, gave_up) {
        let states: Vec<String> = until.values.iter().map(Value::to_string).collect();
        let states = states.join(", ");
        result.findings.push(Finding {
            check: CheckKind::Body,
            severity: Severity::Failure,
            pointer: until.pointer.clone(),
            expected: format!("one of {states}"),
            actual: actual.clone(),
            message: format!(
                "gave up waiting after {:?}: {} is {actual}, not one of {states}",
                until.within, until.pointer
            ),
        });
    }
    for (var, spec) in &step.captures {
        let value = match spec {
            Capture::Body(p) => json.as_ref().and_then(|j| j.pointer(p)).cloned(),
            Capture::Text(p) => json
                .as_ref()
                .and_then(|j| j.pointer(p))
                .and_then(as_text)
                .map(Value::String),
            Capture::Header(h) => incoming.header(h).map(|v| Value::String(v.to_string())),
            Capture::FirstKey(p) => json
                .as_ref()
                .and_then(|j| j.pointer(p))
                .and_then(Value::as_object)
                .and_then(|o| o.keys().next())
                .map(|k| Value::String(k.clone())),
            Capture::Sent(p) => sent(step, scope, &out).pointer(p).cloned(),
        };
        match value {
            Some(v) => scope.set(var.clone(), v),
            None => result.findings.push(Finding {
                check: CheckKind::Capture,
                severity: Severity::Failure,
                pointer: var.clone(),
                expected: spec.to_string(),
                actual: "(absent)".into(),
                message: format!("cannot capture '{var}': nothing at {spec}"),
            }),
        }
    }
    if let Some(store) = &ctx.snapshots {
        let path_and_query = super::client::path_and_query(&out.url);
        let template = route
            .map(|r| format!("{} {}", r.method, r.template))
            .unwrap_or_default();
        let observation = crate::snapshot::Observation {
            case_id: &case.id,
            case_file: &case.path,
            step_key: if step.teardown {
                format!("teardown-{}", step.index + 1)
            } else {
                (step.index + 1).to_string()
            },
            step_name: &result.name,
            step_line: result.line,
            operation: &result.operation,
            template: &template,
            request_line: &format!("{} {path_and_query}", out.method),
            status: incoming.status,
            headers: &incoming.headers,
            selected: &case.snapshot_headers,
            body: &incoming.body,
            json: json.as_ref(),
            rules: &case.snapshot_rules,
        };
        // Compared here (a small read from the page cache costs less than a thread hand-off);
        // the files are written when the case ends.
        result
            .findings
            .extend(snapshot_finding(store.record(&observation), store.ci));
    }
    // The response is not needed any more: its headers and body move into the record.
    let body = match String::from_utf8(incoming.body) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    result.response = Some(ResponseRecord {
        status: incoming.status,
        headers: crate::secrets::redact_headers(incoming.headers),
        body,
        json,
    });
    result.duration_ms = started.elapsed().as_millis() as u64;
    let retried = attempts > 1 && !check::failed(&result.findings);
    StepOutcome { result, retried }
}

/// A snapshot outcome as a finding: a change fails; a new snapshot fails in CI and warns elsewhere.
fn snapshot_finding(outcome: Option<crate::snapshot::Outcome>, ci: bool) -> Option<Finding> {
    use crate::snapshot::Outcome;
    match outcome? {
        Outcome::Matched | Outcome::Written(_) => None,
        Outcome::New(path) => Some(Finding {
            check: CheckKind::Snapshot,
            severity: if ci {
                Severity::Failure
            } else {
                Severity::Warning
            },
            pointer: path.display().to_string(),
            expected: "an accepted snapshot".into(),
            actual: "none yet".into(),
            message: format!(
                "new snapshot, pending as {} (review with cargo insta review)",
                path.display()
            ),
        }),
        Outcome::Changed { path, old, new } => Some(Finding {
            check: CheckKind::Snapshot,
            severity: Severity::Failure,
            pointer: path.display().to_string(),
            expected: old,
            actual: new,
            message: format!("the response differs from {}", path.display()),
        }),
    }
}

/// The request a step sent, as a `{sent: …}` capture reads it: its JSON body and its path
/// parameters' values (a parameter the step does not set is the variable of the same name).
/// A captured scalar as text (`{text: /p}`): a string as it is, a number or boolean as JSON
/// writes it; an object, array or null is no text.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn sent(step: &Step, scope: &Vars, out: &Outgoing) -> Value {
    let body: Value = out
        .body
        .as_deref()
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or(Value::Null);
    let mut path = serde_json::Map::new();
    for (name, v) in &step.params {
        if let Ok(v) = scope.expand(v) {
            path.insert(name.clone(), v);
        }
    }
    serde_json::json!({"body": body, "path": path})
}

/// The documented rules this exchange exercised (observed coverage): what was sent, to which
/// ids, and what came back.
fn observed_rules(
    ctx: &RunCtx,
    op: &crate::contract::Operation,
    step: &Step,
    scope: &Vars,
    out: &Outgoing,
    status: u16,
) -> Vec<String> {
    let request: Option<Value> = out
        .body
        .as_deref()
        .and_then(|b| serde_json::from_slice(b).ok());
    let foreign_ids: Vec<(String, bool)> = op
        .path_params
        .iter()
        .filter(|p| crate::contract::rules::is_resource_param(p))
        .map(|p| {
            let value = match step.params.get(p) {
                Some(v) => scope.expand(v).ok(),
                None => scope.get(p).cloned(),
            };
            let foreign = value.is_some_and(|v| scope.is_other_projects(&v));
            (p.clone(), foreign)
        })
        .collect();
    crate::check::observed::exercised(
        &ctx.contract,
        op,
        &crate::check::observed::Exchange {
            request: request.as_ref(),
            foreign_ids: &foreign_ids,
            status,
        },
    )
}
