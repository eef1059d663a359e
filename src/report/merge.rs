//! `conform report merge`: shard reports combined into the report one unsharded run would have
//! written. Cases are taken as the shards recorded them, totals are recounted, and the verdict
//! comes from the same gate rule as a run. Anything that would make the merged verdict a lie is
//! bad input: a file that is not a whole report, a run that could not start, a case in two
//! files, shards of different plans, or a missing shard.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use super::console::Console;
use super::gate::{self, Policy};
use super::model::{self, StoredCase, StoredReport};
use super::{Finished, Outputs};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::secrets::Secrets;

/// What to merge and where to write it.
#[derive(Debug, Clone, Default)]
pub struct MergeArgs {
    /// The shard reports (JSON, as `conform run --report-json` writes them), in any order.
    pub inputs: Vec<PathBuf>,
    /// The merged reports to write (JSON, JUnit, Markdown, HTML).
    pub outputs: Outputs,
    /// Baseline and quarantine, applied to the merged cases.
    pub policy: Policy,
}

/// Reads and checks the inputs; every problem found is reported, each naming its file.
fn read_all(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, StoredReport)>, Error> {
    let mut problems = Vec::new();
    let mut reports = Vec::new();
    for p in inputs {
        match model::read(p) {
            Ok(r) => match &r.error {
                Some(e) => problems.push(Diagnostic::file(
                    p,
                    format!(
                        "this shard could not run: {}",
                        e.get("message")
                            .and_then(|m| m.as_str())
                            .unwrap_or("see the report")
                    ),
                )),
                None => reports.push((p.clone(), r)),
            },
            Err(d) => problems.push(d),
        }
    }
    if !problems.is_empty() {
        return Err(Error::BadInput(problems));
    }
    if reports.is_empty() {
        return Err(Error::bad("report merge: no report given"));
    }
    // Shards of one plan: same mode and N, each K once, none missing.
    let shards: Vec<(&PathBuf, Option<crate::report::shard::Shard>)> = reports
        .iter()
        .map(|(p, r)| (p, r.shard.as_deref().and_then(|s| s.parse().ok())))
        .collect();
    if shards.iter().any(|(_, s)| s.is_some()) {
        let mut seen: BTreeMap<usize, &PathBuf> = BTreeMap::new();
        let first = shards.iter().find_map(|(_, s)| *s);
        for (p, s) in &shards {
            match (s, first) {
                (None, _) => problems.push(Diagnostic::file(
                    *p,
                    "not a shard report, but others are: merge the shards of one run",
                )),
                (Some(s), Some(f)) if s.mode != f.mode || s.total != f.total => problems.push(
                    Diagnostic::file(*p, format!("shard {s} is of another plan than {f}")),
                ),
                (Some(s), _) => {
                    if let Some(other) = seen.insert(s.index, p) {
                        problems.push(Diagnostic::file(
                            *p,
                            format!("shard {s} is also in {}", other.display()),
                        ));
                    }
                }
            }
        }
        // Shards of different suites (or selections) have different plans, even when their
        // mode and count agree.
        let mut plans = reports.iter().filter(|(_, r)| r.shard.is_some());
        if let Some((first_path, first_report)) = plans.next() {
            for (p, r) in plans {
                if r.plan != first_report.plan {
                    problems.push(
                        Diagnostic::file(
                            p,
                            format!(
                                "shard {} is of another plan than {} ({}): the shards ran different case sets",
                                r.shard.as_deref().unwrap_or_default(),
                                first_path.display(),
                                first_report.shard.as_deref().unwrap_or_default()
                            ),
                        )
                        .with_help("merge the shards of one run: the same suite, selection and --shard N"),
                    );
                }
            }
        }
        if let Some(f) = first {
            let missing: Vec<String> = (1..=f.total)
                .filter(|k| !seen.contains_key(k))
                .map(|k| format!("{k}/{}", f.total))
                .collect();
            if !missing.is_empty() && problems.is_empty() {
                problems.push(
                    Diagnostic::plain(format!(
                        "shard(s) {} missing: a merge of some shards is not the whole run",
                        missing.join(", ")
                    ))
                    .with_help("pass every shard's --report-json"),
                );
            }
        }
    }
    let mut owner: BTreeMap<&str, &PathBuf> = BTreeMap::new();
    for (p, r) in &reports {
        for c in &r.cases {
            if let Some(other) = owner.insert(c.id.as_str(), p) {
                if other != p {
                    problems.push(Diagnostic::file(
                        p,
                        format!("case '{}' is also in {}", c.id, other.display()),
                    ));
                }
            }
        }
    }
    let target = &reports[0].1.target;
    for (p, r) in &reports {
        if &r.target != target {
            problems.push(Diagnostic::file(
                p,
                format!(
                    "target '{}' differs from '{target}' in {}",
                    r.target,
                    reports[0].0.display()
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(reports)
    } else {
        Err(Error::BadInput(problems))
    }
}

/// Merges the reports, writes the requested outputs, prints the summary to `out` and returns
/// the exit code an unsharded run would have had.
pub fn merge(args: &MergeArgs, out: impl Write) -> Result<i32, Error> {
    let reports = read_all(&args.inputs)?;
    let target = reports[0].1.target.clone();
    let aborted = reports.iter().any(|(_, r)| r.summary.aborted);
    // Shards run side by side: the merged wall time is the longest shard's.
    let duration_ms = reports
        .iter()
        .map(|(_, r)| r.summary.duration_ms)
        .max()
        .unwrap_or(0);
    let mut cases: Vec<StoredCase> = reports.into_iter().flat_map(|(_, r)| r.cases).collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let mut summary = model::summarize(&cases);
    summary.aborted = aborted;
    summary.duration_ms = duration_ms;
    let outcome = args
        .policy
        .judge(cases.iter().map(|c| (c.id.as_str(), c.verdict)));
    let code = gate::exit_code(&summary, &outcome);
    // The inputs were scrubbed when written; secrets are not known here.
    let redactor = Secrets::default();
    if let Some(p) = &args.outputs.json {
        let mut extra = serde_json::Map::new();
        extra.insert(
            "merged_from".into(),
            serde_json::json!(args
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()),
        );
        if outcome.baseline || outcome.quarantine {
            extra.insert(
                "gate".into(),
                serde_json::to_value(&outcome).unwrap_or_default(),
            );
        }
        let merged = StoredReport {
            tool: "conform".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            target: target.clone(),
            shard: None,
            plan: None,
            cases: cases.clone(),
            summary: summary.clone(),
            error: None,
            exit_code: code,
            extra,
        };
        let text = serde_json::to_string(&merged)
            .map_err(|e| Error::Io(format!("--json {}: {e}", p.display())))?;
        super::json::write_atomic(p, format!("{text}\n").as_bytes())
            .map_err(|e| Error::Io(format!("--json {}: {e}", p.display())))?;
    }
    let failed = args.outputs.write_whole(
        &Finished {
            target: &target,
            shard: None,
            cases: &cases,
            summary: &summary,
            gate: &outcome,
            exit_code: code,
            redactor: &redactor,
            coverage: None,
        },
        None,
    );
    if !failed.is_empty() {
        return Err(Error::BadInput(
            failed
                .into_iter()
                .map(|f| crate::diagnostic::Diagnostic::plain(format!("cannot write {f}")))
                .collect(),
        ));
    }
    let mut console = Console::new(out, redactor, None);
    console.notice_plain(&format!("merged {} report(s)", args.inputs.len()));
    console.summary(&summary);
    console.gate(&outcome);
    Ok(code)
}
