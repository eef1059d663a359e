//! The JUnit XML report (quick-junit): one testsuite per run, one testcase per case.

use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::model::StoredCase;
use super::Redactor;
use crate::run::result::Verdict;

/// Collects the small per-case facts JUnit needs (not the bodies). Testcases are written sorted
/// by case id, so a run and the merge of its shards give the same file.
pub struct JunitReport {
    suite: TestSuite,
    cases: Vec<(String, TestCase)>,
    redactor: Redactor,
}

impl JunitReport {
    /// A report for a target.
    pub fn new(target: &str, redactor: Redactor) -> JunitReport {
        JunitReport {
            suite: TestSuite::new(format!("conform ({target})")),
            cases: Vec::new(),
            redactor,
        }
    }

    /// Adds a case.
    pub fn case(&mut self, r: &StoredCase) {
        let mut status = match r.verdict {
            Verdict::Passed => TestCaseStatus::success(),
            Verdict::Failed => TestCaseStatus::non_success(NonSuccessKind::Failure),
            Verdict::Errored => TestCaseStatus::non_success(NonSuccessKind::Error),
            Verdict::Skipped => TestCaseStatus::skipped(),
        };
        let mut lines = Vec::new();
        for s in &r.steps {
            if let Some(e) = &s.error {
                lines.push(format!("{}: error: {e}", s.name));
            }
            for f in &s.findings {
                lines.push(format!(
                    "{}: [{:?}] {} {}: expected {}, actual {}",
                    s.name, f.check, f.pointer, f.message, f.expected, f.actual
                ));
            }
        }
        if let Some(first) = lines.first() {
            status.set_message(self.redactor.scrub(first));
            status.set_description(self.redactor.scrub(&lines.join("\n")));
        } else if let Some(reason) = &r.skip_reason {
            status.set_message(reason.clone());
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
