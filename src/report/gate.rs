//! The gate: which failures fail a run, and the one rule from a run's outcome to its exit code.
//!
//! Without a policy every failed or errored case fails the gate. `--baseline REPORT.json` lets
//! only regressions fail it: a case that fails now and did not fail in the baseline (it passed,
//! was skipped, or did not exist); cases that failed there and pass now are listed as fixed.
//! `quarantine.yaml` excuses named cases until an expiry date: a quarantined failure is reported
//! but does not fail the gate; once the entry has expired the failure fails it again; a
//! quarantined case that passes is reported so the entry can be removed. An entry whose case is
//! not in this run (another shard) says nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use time::Date;

use super::model::{self, StoredCase};
use crate::diagnostic::Diagnostic;
use crate::run::result::{Summary, Verdict};

/// The file name looked for at the project root.
pub const QUARANTINE_FILE: &str = "quarantine.yaml";

/// The verdicts of a baseline report, by case id.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// The report it was read from.
    pub source: PathBuf,
    verdicts: BTreeMap<String, Verdict>,
}

impl Baseline {
    /// Reads a JSON report as a baseline.
    pub fn load(path: &Path) -> Result<Baseline, Diagnostic> {
        let report = model::read(path)?;
        if report.error.is_some() {
            return Err(Diagnostic::file(
                path,
                "this report is of a run that could not start: it has no verdicts to compare with",
            ));
        }
        Ok(Baseline::from_cases(path, &report.cases))
    }

    /// A baseline of these cases.
    pub fn from_cases(source: &Path, cases: &[StoredCase]) -> Baseline {
        Baseline {
            source: source.to_path_buf(),
            verdicts: cases.iter().map(|c| (c.id.clone(), c.verdict)).collect(),
        }
    }

    fn failed(&self, id: &str) -> bool {
        matches!(
            self.verdicts.get(id),
            Some(Verdict::Failed | Verdict::Errored)
        )
    }
}

/// One quarantined case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Case id.
    pub case: String,
    /// Why (a ticket, a known defect of the target).
    pub reason: String,
    /// The last day the entry holds (it has expired from the next day on).
    pub expires: Date,
}

/// The quarantine file: case ids excused until a date.
#[derive(Debug, Clone, Default)]
pub struct Quarantine {
    /// The file.
    pub source: PathBuf,
    entries: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    quarantine: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    case: Spanned<String>,
    reason: Spanned<String>,
    expires: Spanned<String>,
}

impl Quarantine {
    /// Reads a quarantine file; every problem is a diagnostic at its line and column.
    pub fn load(path: &Path) -> Result<Quarantine, Vec<Diagnostic>> {
        let text = crate::input::read_text(path, crate::input::DOCUMENT)
            .map_err(|e| vec![Diagnostic::file(path, e.to_string())])?;
        Quarantine::parse(path, &text)
    }

    /// Parses quarantine YAML (`path` names it in diagnostics).
    pub fn parse(path: &Path, text: &str) -> Result<Quarantine, Vec<Diagnostic>> {
        let help =
            "each entry: `- case: ID`, `reason: WHY`, `expires: YYYY-MM-DD` under `quarantine:`";
        let raw: Option<RawFile> = serde_saphyr::from_str(text)
            .map_err(|e| vec![crate::yaml::diagnostic(path, &e).with_help(help)])?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let mut q = Quarantine {
            source: path.to_path_buf(),
            entries: BTreeMap::new(),
        };
        let mut problems = Vec::new();
        let at = |loc: &serde_saphyr::Location, msg: String| {
            Diagnostic::at(path, loc.line() as usize, loc.column() as usize, msg)
        };
        for e in raw.map(|r| r.quarantine).unwrap_or_default() {
            let expires = match Date::parse(e.expires.value.trim(), &format) {
                Ok(d) => d,
                Err(_) => {
                    problems.push(
                        at(
                            &e.expires.referenced,
                            format!(
                                "expires: '{}' is not a date: expected YYYY-MM-DD",
                                e.expires.value
                            ),
                        )
                        .with_help(help),
                    );
                    continue;
                }
            };
            if e.reason.value.trim().is_empty() {
                problems.push(at(
                    &e.reason.referenced,
                    "reason: say why the case is quarantined (a ticket, a known defect)".into(),
                ));
                continue;
            }
            if e.case.value.trim().is_empty() {
                problems.push(at(&e.case.referenced, "case: a case id is needed".into()));
                continue;
            }
            if q.entries.contains_key(&e.case.value) {
                problems.push(at(
                    &e.case.referenced,
                    format!("case '{}' is quarantined twice", e.case.value),
                ));
                continue;
            }
            q.entries.insert(
                e.case.value.clone(),
                Entry {
                    case: e.case.value,
                    reason: e.reason.value,
                    expires,
                },
            );
        }
        if problems.is_empty() {
            Ok(q)
        } else {
            Err(problems)
        }
    }

    /// The entry of a case.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }

    /// Every entry.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }
}

/// What decides which failures fail the gate.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `--baseline`.
    pub baseline: Option<Baseline>,
    /// The quarantine file.
    pub quarantine: Option<Quarantine>,
    /// Today (UTC): entries expire after their date.
    pub today: Date,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            baseline: None,
            quarantine: None,
            today: time::OffsetDateTime::now_utc().date(),
        }
    }
}

impl Policy {
    /// Reads `--baseline` and the quarantine file, when given; every problem names its file.
    pub fn load(
        baseline: Option<&Path>,
        quarantine: Option<&Path>,
    ) -> Result<Policy, crate::error::Error> {
        let mut policy = Policy::default();
        if let Some(p) = baseline {
            policy.baseline = Some(Baseline::load(p).map_err(|d| Diagnostic {
                message: format!("--baseline: {}", d.message),
                ..d
            })?);
        }
        if let Some(p) = quarantine {
            policy.quarantine = Some(Quarantine::load(p).map_err(crate::error::Error::BadInput)?);
        }
        Ok(policy)
    }
}

/// One excused or flagged case, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Case id.
    pub case: String,
    /// Why it is listed (quarantine reason, expiry).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// How the policy judged a run's cases. Every list is sorted by case id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Outcome {
    /// Failures that fail the gate (with a baseline: the regressions).
    pub blocking: Vec<Note>,
    /// Failures the baseline already had (do not fail the gate).
    pub known: Vec<Note>,
    /// Failed in the baseline, pass now.
    pub fixed: Vec<Note>,
    /// Quarantined failures (do not fail the gate).
    pub quarantined: Vec<Note>,
    /// Failures whose quarantine entry has expired (they are also blocking).
    pub expired: Vec<Note>,
    /// Quarantined cases that pass now: remove their entries.
    pub unquarantine: Vec<Note>,
    /// Whether a baseline was used.
    pub baseline: bool,
    /// Whether a quarantine file was used.
    pub quarantine: bool,
}

impl Policy {
    /// Judges a run's cases (id and verdict).
    pub fn judge<'a>(&self, cases: impl IntoIterator<Item = (&'a str, Verdict)>) -> Outcome {
        let mut o = Outcome {
            baseline: self.baseline.is_some(),
            quarantine: self.quarantine.is_some(),
            ..Outcome::default()
        };
        let note = |case: &str, detail: String| Note {
            case: case.to_string(),
            detail,
        };
        for (id, verdict) in cases {
            let entry = self.quarantine.as_ref().and_then(|q| q.get(id));
            let failed = matches!(verdict, Verdict::Failed | Verdict::Errored);
            let in_baseline = self.baseline.as_ref().is_some_and(|b| b.failed(id));
            if failed {
                match entry {
                    Some(e) if e.expires < self.today => {
                        let d = format!("quarantine expired on {}: {}", e.expires, e.reason);
                        o.expired.push(note(id, d.clone()));
                        o.blocking.push(note(id, d));
                    }
                    Some(e) => o
                        .quarantined
                        .push(note(id, format!("{} (until {})", e.reason, e.expires))),
                    None if in_baseline => o.known.push(note(id, String::new())),
                    None => o.blocking.push(note(
                        id,
                        if self.baseline.is_some() {
                            "regression: did not fail in the baseline".into()
                        } else {
                            String::new()
                        },
                    )),
                }
            } else if verdict == Verdict::Passed {
                if in_baseline {
                    o.fixed.push(note(id, String::new()));
                }
                if let Some(e) = entry {
                    o.unquarantine.push(note(
                        id,
                        format!("passes: remove its quarantine entry ({})", e.reason),
                    ));
                }
            }
        }
        for list in [
            &mut o.blocking,
            &mut o.known,
            &mut o.fixed,
            &mut o.quarantined,
            &mut o.expired,
            &mut o.unquarantine,
        ] {
            list.sort_by(|a, b| a.case.cmp(&b.case));
        }
        o
    }
}

/// `--max-skipped`: how many skipped cases a run may have and still pass the gate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxSkipped {
    /// At most this many.
    Count(usize),
    /// At most this share of the cases that were selected, in percent.
    Percent(f64),
}

impl std::str::FromStr for MaxSkipped {
    type Err = String;

    fn from_str(s: &str) -> Result<MaxSkipped, String> {
        let bad = || format!("'{s}': expected a count (0 or more) or a percentage (0% to 100%)");
        match s.strip_suffix('%') {
            Some(p) => match p.trim().parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => Ok(MaxSkipped::Percent(p)),
                _ => Err(bad()),
            },
            None => s
                .trim()
                .parse::<usize>()
                .map(MaxSkipped::Count)
                .map_err(|_| bad()),
        }
    }
}

impl MaxSkipped {
    /// Whether `skipped` of `total` cases is more than this allows.
    pub fn exceeded(self, skipped: usize, total: usize) -> bool {
        match self {
            MaxSkipped::Count(n) => skipped > n,
            MaxSkipped::Percent(p) => total > 0 && skipped as f64 * 100.0 > p * total as f64,
        }
    }
}

/// A run whose every selected case was skipped ran nothing: like a selection that matched
/// nothing, it is no green gate. Says why, with the most common skip reason.
pub fn all_skipped(s: &Summary, reasons: &[Option<&str>]) -> Option<String> {
    if s.aborted || s.skipped == 0 || s.passed + s.failed + s.errored > 0 {
        return None;
    }
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in reasons.iter().flatten() {
        *counts.entry(r).or_default() += 1;
    }
    let (reason, n) = counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .unwrap_or(("no reason given", 0));
    Some(format!(
        "every selected case was skipped ({}), so the run checked nothing; most often ({n}): {reason}",
        s.skipped
    ))
}

/// The exit code of a finished run, the one rule: 3 when it was aborted or the target failed at
/// the transport level; 1 when a failure fails the gate (see [`Policy`]); else 0.
pub fn exit_code(s: &Summary, gate: &Outcome) -> i32 {
    if s.aborted || s.transport_errors > 0 {
        crate::exit_code::UNREACHABLE
    } else if !gate.blocking.is_empty() {
        crate::exit_code::FAILED
    } else {
        crate::exit_code::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(baseline: &[(&str, Verdict)], quarantine: &str) -> Policy {
        let cases: Vec<StoredCase> = baseline
            .iter()
            .map(|(id, v)| {
                serde_json::from_value(serde_json::json!({
                    "id": id, "file": "f", "operation": "o", "verdict": v
                }))
                .expect("a stored case")
            })
            .collect();
        Policy {
            baseline: (!baseline.is_empty()).then(|| Baseline::from_cases(Path::new("b"), &cases)),
            quarantine: (!quarantine.is_empty())
                .then(|| Quarantine::parse(Path::new("q.yaml"), quarantine).expect("valid")),
            today: time::macros::date!(2026 - 06 - 01),
        }
    }

    #[test]
    fn only_regressions_block_and_fixed_are_listed() {
        let p = policy(
            &[
                ("a", Verdict::Failed),
                ("b", Verdict::Passed),
                ("c", Verdict::Failed),
            ],
            "",
        );
        let o = p.judge([
            ("a", Verdict::Failed),
            ("b", Verdict::Failed),
            ("c", Verdict::Passed),
            ("new", Verdict::Errored),
        ]);
        let ids = |l: &[Note]| l.iter().map(|n| n.case.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&o.blocking), ["b", "new"]);
        assert_eq!(ids(&o.known), ["a"]);
        assert_eq!(ids(&o.fixed), ["c"]);
        assert_eq!(exit_code(&Summary::default(), &o), 1);
    }

    #[test]
    fn quarantine_excuses_until_expiry_and_flags_passing_entries() {
        let q = "quarantine:\n  - case: a\n    reason: T-1\n    expires: 2026-06-01\n  - case: b\n    reason: T-2\n    expires: 2026-05-31\n  - case: c\n    reason: T-3\n    expires: 2027-01-01\n";
        let p = policy(&[], q);
        let o = p.judge([("a", Verdict::Failed), ("c", Verdict::Passed)]);
        assert!(o.blocking.is_empty(), "{o:?}");
        assert_eq!(o.quarantined[0].case, "a");
        assert_eq!(o.unquarantine[0].case, "c");
        assert_eq!(exit_code(&Summary::default(), &o), 0);
        let o = p.judge([("b", Verdict::Failed)]);
        assert_eq!(o.expired[0].case, "b");
        assert_eq!(exit_code(&Summary::default(), &o), 1);
    }

    #[test]
    fn a_bad_date_is_a_positioned_diagnostic() {
        let e = Quarantine::parse(
            Path::new("q.yaml"),
            "quarantine:\n  - case: a\n    reason: r\n    expires: 31/12/2026\n",
        )
        .expect_err("bad date");
        assert_eq!(e[0].position.map(|p| p.line), Some(4), "{e:?}");
        assert!(e[0].message.contains("YYYY-MM-DD"));
        let e = Quarantine::parse(
            Path::new("q.yaml"),
            "quarantine:\n  - case: a\n    why: r\n",
        )
        .expect_err("unknown key");
        assert_eq!(e[0].position.map(|p| p.line), Some(3), "{e:?}");
    }
}
