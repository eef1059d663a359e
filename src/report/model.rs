//! Reports read back: the JSON report is the interchange format between shards, baselines,
//! `--rerun-failed` and `conform report merge`. A case is read into [`StoredCase`], which keeps
//! every field it does not name (mutations, later additions), so a merged report loses nothing.
//! The live run converts each finished case into the same shape, so the Markdown, HTML and
//! JUnit writers have one input whether the cases were just run or read from shard files.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::run::result::{CaseResult, StepResult, Summary, Verdict};

/// One case as the JSON report holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredCase {
    /// Case id.
    pub id: String,
    /// Case file.
    pub file: String,
    /// Operation.
    pub operation: String,
    /// The documented rule the case exercises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Verdict.
    pub verdict: Verdict,
    /// Passed only after a retry.
    #[serde(default)]
    pub flaky: bool,
    /// Why it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// Steps run.
    #[serde(default)]
    pub steps: Vec<StepResult>,
    /// Duration in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
    /// Every other field, kept as written.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl StoredCase {
    /// The live result in the stored shape (the same serialisation the JSON report writes).
    pub fn from_result(r: &CaseResult) -> Result<StoredCase, serde_json::Error> {
        serde_json::to_value(r).and_then(serde_json::from_value)
    }

    /// The live result without what only the HTML report shows (requests, responses, other
    /// fields), so a run that writes no HTML keeps small facts per case, not every body, until
    /// the end; built directly, since serialising every body only to drop it cost a tenth of a
    /// run's CPU.
    pub fn slim_from(r: &CaseResult) -> StoredCase {
        StoredCase {
            id: r.id.clone(),
            file: r.file.clone(),
            operation: r.operation.clone(),
            description: r.description.clone(),
            verdict: r.verdict,
            flaky: r.flaky,
            skip_reason: r.skip_reason.clone(),
            steps: r
                .steps
                .iter()
                .map(|s| StepResult {
                    name: s.name.clone(),
                    line: s.line,
                    teardown: s.teardown,
                    operation: s.operation.clone(),
                    request: None,
                    response: None,
                    findings: s.findings.clone(),
                    error: s.error.clone(),
                    transport_error: s.transport_error,
                    interrupted: s.interrupted,
                    rules: s.rules.clone(),
                    attempts: s.attempts,
                    duration_ms: s.duration_ms,
                })
                .collect(),
            duration_ms: r.duration_ms,
            extra: Map::new(),
        }
    }

    /// Failed or errored.
    pub fn is_failure(&self) -> bool {
        matches!(self.verdict, Verdict::Failed | Verdict::Errored)
    }

    /// A step could not reach the target.
    pub fn transport_error(&self) -> bool {
        self.steps.iter().any(|s| s.transport_error)
    }
}

/// A whole JSON report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredReport {
    /// Always `conform`.
    pub tool: String,
    /// The conform version that wrote it.
    #[serde(default)]
    pub version: String,
    /// The target's name.
    #[serde(default)]
    pub target: String,
    /// The shard this report holds (`count:2/4`), when the run was sharded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// With a shard: the fingerprint of the whole plan it was cut from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Cases.
    #[serde(default)]
    pub cases: Vec<StoredCase>,
    /// Totals.
    #[serde(default)]
    pub summary: Summary,
    /// Why the run could not start, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// The run's exit code.
    #[serde(default)]
    pub exit_code: i32,
    /// Every other field, kept as written.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Reads a JSON report written by `conform run --report-json` (or `report merge`). A file that
/// is not one (torn, truncated, another tool's) is a diagnostic naming the file and, for bad
/// JSON, the line and column.
pub fn read(path: &Path) -> Result<StoredReport, Diagnostic> {
    let bytes = crate::input::read(path, crate::input::REPORT)
        .map_err(|e| Diagnostic::file(path, format!("the report: {e}")))?;
    // Bytes, not text: a write torn inside a character is still told as a torn report.
    let report: StoredReport = serde_json::from_slice(&bytes).map_err(|e| {
        let what = if e.is_eof() {
            "the report is truncated (torn write?)".to_string()
        } else {
            format!("not a conform JSON report: {e}")
        };
        Diagnostic::at(path, e.line(), e.column(), what)
            .with_help("pass the files written by `conform run --report-json`")
    })?;
    if report.tool != "conform" {
        return Err(Diagnostic::file(
            path,
            format!("not a conform report (tool is '{}')", report.tool),
        ));
    }
    Ok(report)
}

/// Totals of stored cases, counted as a live run counts them.
pub fn summarize(cases: &[StoredCase]) -> Summary {
    let mut s = Summary::default();
    for c in cases {
        s.count(c.verdict, c.flaky, c.transport_error());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::result::{RequestRecord, ResponseRecord};

    #[test]
    fn a_slim_case_is_the_full_one_without_requests_responses_and_other_fields() {
        let mut step = StepResult::blank("step 1", "evs.x");
        step.line = 4;
        step.attempts = 2;
        step.error = Some("boom".into());
        step.request = Some(RequestRecord {
            method: "GET".into(),
            url: "http://h/x".into(),
            headers: vec![],
            body: None,
        });
        step.response = Some(ResponseRecord {
            status: 200,
            headers: vec![("a".into(), "b".into())],
            body: "{}".into(),
            json: Some(serde_json::json!({})),
        });
        let mut r = CaseResult::skipped("a/b", "cases/a/b.yaml", "evs.x", "why");
        r.verdict = Verdict::Failed;
        r.description = Some("d".into());
        r.steps = vec![step];
        r.duration_ms = 7;
        let mut full = StoredCase::from_result(&r).expect("round trip");
        full.steps[0].request = None;
        full.steps[0].response = None;
        full.extra.clear();
        let slim = StoredCase::slim_from(&r);
        assert_eq!(
            serde_json::to_value(&slim).expect("slim"),
            serde_json::to_value(&full).expect("full")
        );
        assert!(slim.steps[0].response.is_none());
        assert_eq!(slim.steps[0].error.as_deref(), Some("boom"));
    }
}
