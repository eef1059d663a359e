//! Results are data: what was sent, what came back, and the findings. Reporters only read these.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::Finding;

/// A case's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check held.
    Passed,
    /// A check failed.
    Failed,
    /// The case could not be checked (transport error, timeout, runtime variable error).
    Errored,
    /// Skipped: a requirement the target does not meet, or interrupted once started.
    Skipped,
    /// Never started: the run was interrupted, or `--fail-fast` stopped it, first.
    NotRun,
}

impl Verdict {
    /// The console label.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Passed => "PASS",
            Verdict::Failed => "FAIL",
            Verdict::Errored => "ERROR",
            Verdict::Skipped => "SKIP",
            Verdict::NotRun => "NOT RUN",
        }
    }
}

/// The request as sent (secrets redacted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Method.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The response as received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseRecord {
    /// Status.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body as text (lossy UTF-8).
    pub body: String,
    /// Body as JSON when it parses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
}

/// One step's outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepResult {
    /// Step label (name, or `step N`).
    pub name: String,
    /// Line of the step in the case file.
    pub line: usize,
    /// A teardown step.
    pub teardown: bool,
    /// Operation id (or `METHOD path` for out-of-contract steps).
    pub operation: String,
    /// Request sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestRecord>,
    /// Response received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseRecord>,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Why the step could not be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether the error was the target's fault (unreachable, timeout) rather than the case's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transport_error: bool,
    /// The run stopped waiting for the answer (a second interrupt): no verdict on the target.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// The documented rules this exchange exercised ([`crate::check::observed`]), by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// Attempts made (more than 1 after retries).
    pub attempts: u32,
    /// Duration in milliseconds.
    pub duration_ms: u64,
}

impl StepResult {
    /// A step record with nothing sent yet.
    pub fn blank(name: &str, operation: &str) -> StepResult {
        StepResult {
            name: name.into(),
            line: 0,
            teardown: false,
            operation: operation.into(),
            request: None,
            response: None,
            findings: Vec::new(),
            error: None,
            transport_error: false,
            interrupted: false,
            rules: Vec::new(),
            attempts: 0,
            duration_ms: 0,
        }
    }
}

/// One case's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// Case file.
    pub file: String,
    /// Operation.
    pub operation: String,
    /// What the case shows (the documented rule it exercises).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Verdict.
    pub verdict: Verdict,
    /// Passed only after a retry.
    pub flaky: bool,
    /// Why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// Steps run.
    pub steps: Vec<StepResult>,
    /// Resources the case changed, and how each was restored (with an undo ledger).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mutations: Vec<crate::run::ledger::Mutation>,
    /// Duration in milliseconds.
    pub duration_ms: u64,
}

impl CaseResult {
    /// A case that never started (interrupted, or stopped by `--fail-fast`, first).
    pub fn not_run(id: &str, file: &str, operation: &str, reason: impl Into<String>) -> CaseResult {
        CaseResult {
            verdict: Verdict::NotRun,
            ..CaseResult::skipped(id, file, operation, reason)
        }
    }

    /// A case that was skipped.
    pub fn skipped(id: &str, file: &str, operation: &str, reason: impl Into<String>) -> CaseResult {
        CaseResult {
            id: id.into(),
            file: file.into(),
            operation: operation.into(),
            description: None,
            verdict: Verdict::Skipped,
            flaky: false,
            skip_reason: Some(reason.into()),
            steps: Vec::new(),
            mutations: Vec::new(),
            duration_ms: 0,
        }
    }
}

/// Totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    /// Passed cases.
    pub passed: usize,
    /// Failed cases.
    pub failed: usize,
    /// Errored cases.
    pub errored: usize,
    /// Skipped cases.
    pub skipped: usize,
    /// Cases that never started (interrupted or `--fail-fast`).
    pub not_run: usize,
    /// Cases that passed only on retry.
    pub flaky: usize,
    /// Cases errored because the target could not be reached or timed out.
    pub transport_errors: usize,
    /// Cancelled by a signal (Ctrl-C, SIGTERM, SIGHUP).
    pub aborted: bool,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

impl Summary {
    /// Adds a case.
    pub fn add(&mut self, r: &CaseResult) {
        self.count(
            r.verdict,
            r.flaky,
            r.steps.iter().any(|s| s.transport_error),
        );
    }

    /// Adds a case given its facts (a case read back from a report counts the same way).
    pub fn count(&mut self, verdict: Verdict, flaky: bool, transport_error: bool) {
        match verdict {
            Verdict::Passed => self.passed += 1,
            Verdict::Failed => self.failed += 1,
            Verdict::Errored => self.errored += 1,
            Verdict::Skipped => self.skipped += 1,
            Verdict::NotRun => self.not_run += 1,
        }
        if flaky {
            self.flaky += 1;
        }
        if transport_error {
            self.transport_errors += 1;
        }
    }

    /// The closing line: `N passed, N failed, N errored, N skipped` (and `, N not run` when
    /// some never started).
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} passed, {} failed, {} errored, {} skipped",
            self.passed, self.failed, self.errored, self.skipped
        );
        if self.not_run > 0 {
            line.push_str(&format!(", {} not run", self.not_run));
        }
        line
    }
}

/// Events the scheduler emits; reporters render them.
#[derive(Debug, Clone)]
pub enum Event {
    /// The run begins.
    RunStarted {
        /// Cases planned.
        total: usize,
    },
    /// A case finished (or was skipped).
    CaseFinished(Box<CaseResult>),
    /// Something the user should know that is not a case (a warning about the selection).
    Notice(String),
    /// A request is retried.
    Retry {
        /// Case id.
        case: String,
        /// Attempt number that failed.
        attempt: u32,
        /// Why.
        reason: String,
    },
}
