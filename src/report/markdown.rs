//! The Markdown summary people read on a pull request: the verdict, counts per operation, what
//! the gate excused or flagged, and each failure with the rule it broke and a short diff. With
//! `GITHUB_STEP_SUMMARY` set it is also appended there (GitHub renders that file on the run page).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::gate::Note;
use super::Finished;
use crate::check::Severity;
use crate::run::result::Verdict;

/// Failures shown in full; the rest are listed by id (a summary must stay readable).
const MAX_FAILURES: usize = 50;

/// Renders the summary.
pub fn render(doc: &Finished<'_>) -> String {
    let mut md = String::new();
    let s = doc.summary;
    let verdict = match doc.exit_code {
        0 => "✅ passed",
        1 => "❌ failed",
        3 => "⛔ aborted or unreachable",
        _ => "⛔ could not run",
    };
    let _ = writeln!(md, "## conform: {verdict} (exit {})\n", doc.exit_code);
    let _ = writeln!(
        md,
        "Target `{}`{}: **{}** in {:.1}s{}.\n",
        doc.target,
        doc.shard
            .map(|s| format!(", shard {s}"))
            .unwrap_or_default(),
        s.line(),
        s.duration_ms as f64 / 1000.0,
        if s.flaky > 0 {
            format!(", {} flaky (passed only on retry)", s.flaky)
        } else {
            String::new()
        }
    );
    let g = doc.gate;
    let section = |md: &mut String, title: &str, notes: &[Note]| {
        if notes.is_empty() {
            return;
        }
        let _ = writeln!(md, "**{title}** ({}):\n", notes.len());
        for n in notes {
            if n.detail.is_empty() {
                let _ = writeln!(md, "- `{}`", n.case);
            } else {
                let _ = writeln!(md, "- `{}`: {}", n.case, n.detail);
            }
        }
        md.push('\n');
    };
    if g.baseline {
        section(&mut md, "Regressions (fail the gate)", &g.blocking);
        section(&mut md, "Known failures (in the baseline)", &g.known);
        section(&mut md, "Fixed since the baseline", &g.fixed);
    } else if g.quarantine {
        section(&mut md, "Failures that fail the gate", &g.blocking);
    }
    section(
        &mut md,
        "Quarantined failures (do not fail the gate)",
        &g.quarantined,
    );
    section(
        &mut md,
        "Expired quarantine entries (fail the gate)",
        &g.expired,
    );
    section(
        &mut md,
        "Quarantined cases that pass (remove their entries)",
        &g.unquarantine,
    );

    let mut per_op: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for c in doc.cases {
        let row = per_op.entry(c.operation.as_str()).or_default();
        row[match c.verdict {
            Verdict::Passed => 0,
            Verdict::Failed => 1,
            Verdict::Errored => 2,
            // The per-operation table folds the cases a run never started into its skipped.
            Verdict::Skipped | Verdict::NotRun => 3,
        }] += 1;
    }
    // A run that sent nothing (bad input) has no operation to list: no empty table.
    if !per_op.is_empty() {
        let _ = writeln!(md, "| operation | passed | failed | errored | skipped |");
        let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: |");
        for (op, [p, f, e, k]) in &per_op {
            let _ = writeln!(md, "| `{op}` | {p} | {f} | {e} | {k} |");
        }
        md.push('\n');
    }

    if let Some(cov) = doc.coverage {
        let rules: usize = cov.operations.iter().map(|o| o.rules).sum();
        let covered: usize = cov.operations.iter().map(|o| o.covered).sum();
        let _ = writeln!(
            md,
            "Rule coverage: **{:.1}%** ({covered} of {rules} documented rules have a case).\n",
            cov.percent
        );
        let _ = writeln!(md, "| operation | rules | covered | held | broken |");
        let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: |");
        for o in cov.operations.iter().filter(|o| o.covered > 0) {
            let _ = writeln!(
                md,
                "| `{}` | {} | {:.0}% | {} | {} |",
                o.operation, o.rules, o.percent, o.held, o.broken
            );
        }
        md.push('\n');
    }
    let failures: Vec<_> = doc.cases.iter().filter(|c| c.is_failure()).collect();
    if !failures.is_empty() {
        let _ = writeln!(md, "### Failures\n");
    }
    for c in failures.iter().take(MAX_FAILURES) {
        let _ = writeln!(
            md,
            "#### {} `{}` ({})\n",
            c.verdict.label(),
            c.id,
            c.operation
        );
        if let Some(d) = &c.description {
            let _ = writeln!(md, "Rule: {}\n", d.replace('\n', " "));
        }
        for step in &c.steps {
            if let Some(e) = &step.error {
                let _ = writeln!(md, "- {}: error: {}", step.name, e.replace('\n', " "));
            }
            for f in step
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Failure)
            {
                let check = f.check.name();
                let at = if f.pointer.is_empty() {
                    String::new()
                } else {
                    format!(" `{}`", f.pointer)
                };
                let _ = writeln!(md, "- {}: [{check}]{at}: {}\n", step.name, f.message);
                let diff = super::diff::short(&super::diff::lines(f), 2, 20);
                // A fence longer than any backtick run inside keeps the block closed.
                let fence = "`".repeat(3.max(longest_backticks(&diff) + 1));
                let _ = writeln!(md, "{fence}diff");
                for (sign, text) in diff {
                    let _ = writeln!(md, "{sign}{text}");
                }
                let _ = writeln!(md, "{fence}\n");
            }
        }
    }
    if failures.len() > MAX_FAILURES {
        let _ = writeln!(md, "… and {} more:\n", failures.len() - MAX_FAILURES);
        for c in failures.iter().skip(MAX_FAILURES) {
            let _ = writeln!(md, "- `{}`", c.id);
        }
    }
    doc.redactor.scrub(&md).into_owned()
}

fn longest_backticks(lines: &[super::diff::Line]) -> usize {
    lines
        .iter()
        .flat_map(|(_, t)| t.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// Appends the summary to `$GITHUB_STEP_SUMMARY` when that is set (GitHub Actions).
pub fn append_step_summary(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::gate::{Note, Outcome};
    use crate::report::model::StoredCase;
    use crate::run::result::Summary;
    use crate::secrets::Secrets;

    fn case(id: &str, verdict: &str, findings: serde_json::Value) -> StoredCase {
        serde_json::from_value(serde_json::json!({
            "id": id, "file": "f", "operation": "evs.update_snapshot.v2", "verdict": verdict,
            "description": "Names over 255 bytes are 400.",
            "steps": [{"name": "step 1", "line": 3, "teardown": false,
                       "operation": "evs.update_snapshot.v2", "findings": findings,
                       "attempts": 1, "duration_ms": 2}],
        }))
        .expect("a stored case")
    }

    #[test]
    fn the_summary_reads_as_documented() {
        let failing = serde_json::json!([{
            "check": "status", "severity": "failure", "pointer": "",
            "expected": "400", "actual": "200 secret-token", "message": "status 200, expected 400"
        }]);
        let cases = [
            case("a/long_name", "failed", failing),
            case("b/ok", "passed", serde_json::json!([])),
        ];
        let summary = Summary {
            passed: 1,
            failed: 1,
            duration_ms: 1500,
            ..Summary::default()
        };
        let gate = Outcome {
            quarantine: true,
            quarantined: vec![Note {
                case: "a/long_name".into(),
                detail: "EVS-1 (until 2026-12-31)".into(),
            }],
            ..Outcome::default()
        };
        let text = render(&Finished {
            target: "staging",
            shard: Some("count:1/2"),
            cases: &cases,
            summary: &summary,
            gate: &gate,
            exit_code: 0,
            redactor: &Secrets::new(vec!["secret-token".into()]),
            coverage: None,
        });
        assert_eq!(
            text,
            "## conform: ✅ passed (exit 0)\n\n\
Target `staging`, shard count:1/2: **1 passed, 1 failed, 0 errored, 0 skipped** in 1.5s.\n\n\
**Quarantined failures (do not fail the gate)** (1):\n\n\
- `a/long_name`: EVS-1 (until 2026-12-31)\n\n\
| operation | passed | failed | errored | skipped |\n\
| --- | ---: | ---: | ---: | ---: |\n\
| `evs.update_snapshot.v2` | 1 | 1 | 0 | 0 |\n\n\
### Failures\n\n\
#### FAIL `a/long_name` (evs.update_snapshot.v2)\n\n\
Rule: Names over 255 bytes are 400.\n\n\
- step 1: [status]: status 200, expected 400\n\n\
```diff\n-400\n+200 <redacted>\n```\n\n"
        );
    }
}
