//! The JUnit XML report (quick-junit): one testsuite per run, one testcase per case.

use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::model::StoredCase;
use crate::run::result::Verdict;
use crate::secrets::Secrets;

/// Collects the small per-case facts JUnit needs (not the bodies). Testcases are written sorted
/// by case id, so a run and the merge of its shards give the same file.
pub struct JunitReport {
    suite: TestSuite,
    cases: Vec<(String, TestCase)>,
    redactor: Secrets,
}

impl JunitReport {
    /// A report for a target.
    pub fn new(target: &str, redactor: Secrets) -> JunitReport {
        JunitReport {
            suite: TestSuite::new(format!("conform ({target})")),
            cases: Vec::new(),
            redactor,
        }
    }

    /// Adds a case. `excused` says why a failure does not fail the gate (its quarantine
    /// entry, or the baseline that already had it): such a case is written as skipped with
    /// that reason, so CI test views agree with the gate instead of showing red.
    pub fn case(&mut self, r: &StoredCase, excused: Option<&str>) {
        let failing = matches!(r.verdict, Verdict::Failed | Verdict::Errored);
        let mut status = match (r.verdict, excused) {
            (Verdict::Failed | Verdict::Errored, Some(_)) => TestCaseStatus::skipped(),
            (Verdict::Passed, _) => TestCaseStatus::success(),
            (Verdict::Failed, None) => TestCaseStatus::non_success(NonSuccessKind::Failure),
            (Verdict::Errored, None) => TestCaseStatus::non_success(NonSuccessKind::Error),
            (Verdict::Skipped | Verdict::NotRun, _) => TestCaseStatus::skipped(),
        };
        let mut lines = Vec::new();
        for s in &r.steps {
            if let Some(e) = &s.error {
                lines.push(format!("{}: the step could not complete: {e}", s.name));
            }
            for f in &s.findings {
                lines.push(sentence(&s.name, f));
            }
        }
        match (lines.first(), excused) {
            (Some(first), Some(why)) if failing => {
                let first = first.lines().next().unwrap_or_default();
                status.set_message(self.redactor.scrub(&format!("{why}; it failed: {first}")));
                status.set_description(self.redactor.scrub(&lines.join("\n")));
            }
            (Some(first), _) => {
                status.set_message(
                    self.redactor
                        .scrub(first.lines().next().unwrap_or_default()),
                );
                status.set_description(self.redactor.scrub(&lines.join("\n")));
            }
            (None, _) => {
                if let Some(reason) = &r.skip_reason {
                    status.set_message(reason.clone());
                }
            }
        }
        let mut tc = TestCase::new(r.id.clone(), status);
        tc.set_classname(r.operation.clone());
        tc.set_time(Duration::from_millis(r.duration_ms));
        self.cases.push((r.id.clone(), tc));
    }

    /// Adds one errored testcase saying why the run could not start (bad input, an
    /// unreachable target), so a CI step that uploads the file always finds one.
    pub fn error(&mut self, name: &str, message: &str) {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        let first = message.lines().next().unwrap_or_default();
        status.set_message(self.redactor.scrub(first));
        status.set_description(self.redactor.scrub(message));
        let mut tc = TestCase::new(name.to_string(), status);
        tc.set_classname("conform");
        self.cases.push((name.to_string(), tc));
    }

    /// Writes the XML file atomically (a temporary file renamed into place).
    pub fn write(mut self, path: &Path) -> std::io::Result<()> {
        self.cases.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, tc) in self.cases {
            self.suite.add_test_case(tc);
        }
        let mut report = Report::new("conform");
        report.add_test_suite(self.suite);
        let xml = report.to_string().map_err(std::io::Error::other)?;
        super::json::write_atomic(path, xml.as_bytes())
    }
}

/// A finding as a sentence: where, what, and what was expected against what came back.
fn sentence(step: &str, f: &crate::check::Finding) -> String {
    let mut s = format!("{step}: {}", f.message);
    if !f.pointer.is_empty() && !f.message.contains(&f.pointer) {
        s.push_str(&format!(" (at {})", f.pointer));
    }
    // Said once: many messages already name what came back.
    if (!f.expected.is_empty() || !f.actual.is_empty()) && !f.message.contains(&f.actual) {
        s.push_str(&format!(": expected {}, got {}", f.expected, f.actual));
    }
    s
}
