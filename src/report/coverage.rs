//! The rule-coverage matrix: every documented rule, the cases that exercise it, and what the last
//! run observed. Pure: callers hand in the rules, a summary of each case and the verdicts of a
//! run (from a `--report-json` file, or straight from a run's results), and get data back that
//! renders as a console table, Markdown or JSON.

use crate::case::typed::Endpoint;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::contract::rules::{self, Constraint, Rule};
use crate::contract::{Contract, SchemaKind};

/// What coverage needs to know of one case.
#[derive(Debug, Clone, Default)]
pub struct CaseInfo {
    /// Case id.
    pub id: String,
    /// Operations its steps address (the case's own first).
    pub operations: Vec<String>,
    /// Its tags (`rule:…` tags name rules explicitly).
    pub tags: Vec<String>,
    /// Statuses its contract steps expect, as written (`200`, `4xx`), each with the operation
    /// of its step: a read's 200 says nothing of the update beside it.
    pub statuses: Vec<(String, String)>,
    /// Rules its steps exercise by construction: a step expecting only errors whose body breaks
    /// exactly one rule of the request schema, or whose path names `${missing_id}` or another
    /// project's resource.
    pub exercised: Vec<String>,
}

impl CaseInfo {
    /// From a loaded case; the contract tells which rule an erroneous body breaks.
    pub fn from_case(case: &crate::case::Case, contract: &Contract) -> CaseInfo {
        let mut operations = vec![case.operation.clone()];
        let mut statuses = Vec::new();
        let mut exercised = Vec::new();
        for s in case.all_steps() {
            // Out-of-contract steps (method + path) address no operation's rules.
            let Endpoint::Operation(op_id) = &s.endpoint else {
                continue;
            };
            operations.push(op_id.clone());
            // A step that names no status expects the documented success, as its check does.
            let expected: Vec<String> = s
                .expect
                .statuses(contract.operation(op_id))
                .iter()
                .map(ToString::to_string)
                .collect();
            let only_errors = !expected.is_empty() && expected.iter().all(|e| e.starts_with('4'));
            if only_errors {
                exercised.extend(step_rules(contract, op_id, s));
            }
            statuses.extend(expected.into_iter().map(|e| (op_id.clone(), e)));
        }
        // The case's own operation stays first; the others follow, sorted, once each.
        let mut others = operations.split_off(1);
        others.sort();
        others.dedup();
        others.retain(|o| *o != operations[0]);
        operations.extend(others);
        CaseInfo {
            id: case.id.clone(),
            operations,
            tags: case.tags.clone(),
            statuses,
            exercised,
        }
    }
}

/// The rules a step expecting an error exercises by construction.
fn step_rules(contract: &Contract, op_id: &str, s: &crate::case::typed::Step) -> Vec<String> {
    let mut out = Vec::new();
    let Some(op) = contract.operation(op_id) else {
        return out;
    };
    for (param, v) in &s.params {
        let Some(text) = v.as_str() else { continue };
        if !rules::is_resource_param(param) {
            continue;
        }
        if text == "${missing_id}" {
            out.push(rules::rule_id(
                op_id,
                &format!("path/{param}"),
                &Constraint::Exists,
            ));
        } else if text.starts_with("${other_project_") {
            out.push(rules::rule_id(
                op_id,
                &format!("path/{param}"),
                &Constraint::Isolation,
            ));
        }
    }
    let (crate::case::typed::Body::Json(body), Some(validator)) =
        (&s.body, contract.validator(&op.id, SchemaKind::Request))
    else {
        return out;
    };
    // Generators such as repeat() need no target variable; a body that needs one is left out.
    let Ok(body) = crate::case::vars::Vars::new("coverage").expand(body) else {
        return out;
    };
    let broken: BTreeSet<String> = validator
        .iter_errors(&body)
        .filter_map(|e| broken_rule(op_id, &e))
        .collect();
    // Only a body that breaks one rule says which rule its error answer is about.
    if broken.len() == 1 {
        out.extend(broken);
    }
    out
}

/// The rule a validation error breaks: the schema path names the field (`properties/x`,
/// `additionalProperties` → `*`, `propertyNames` → `{key}`) and the keyword the constraint.
fn broken_rule(op_id: &str, e: &jsonschema::ValidationError<'_>) -> Option<String> {
    // The schema path ends with the keyword (for a key, the inner error's keyword).
    let keyword = match e.kind() {
        jsonschema::error::ValidationErrorKind::PropertyNames { error } => {
            error.kind().keyword().to_string()
        }
        kind => kind.keyword().to_string(),
    };
    let p = e.schema_path().as_str();
    let path = p.rsplit_once('/').map_or("", |(a, _)| a).to_string();
    let mut pointer = String::new();
    let mut segments = path.split('/').filter(|s| !s.is_empty()).peekable();
    while let Some(seg) = segments.next() {
        match seg {
            "properties" => pointer.push_str(&format!("/{}", segments.next()?)),
            "additionalProperties" => pointer.push_str("/*"),
            "propertyNames" => pointer.push_str("/{key}"),
            _ => return None,
        }
    }
    let constraint = match keyword.as_str() {
        "type" => Constraint::Type,
        "x-maxBytes" => Constraint::MaxBytes,
        "maxLength" => Constraint::MaxLength,
        "minLength" => Constraint::MinLength,
        "pattern" => Constraint::Pattern,
        "enum" => Constraint::Enum,
        "minimum" => Constraint::Minimum,
        "maximum" => Constraint::Maximum,
        "minItems" => Constraint::MinItems,
        "maxItems" => Constraint::MaxItems,
        "required" => {
            if let jsonschema::error::ValidationErrorKind::Required { property } = e.kind() {
                pointer.push_str(&format!("/{}", property.as_str()?));
            }
            Constraint::Required
        }
        _ => return None,
    };
    let target = if pointer.is_empty() {
        "body".to_string()
    } else {
        pointer
    };
    Some(rules::rule_id(op_id, &target, &constraint))
}

/// What the last run observed of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Observation {
    /// Every case of the rule that ran passed.
    Held,
    /// A case of the rule failed.
    Broken,
    /// No case of the rule ran (no report, or all skipped).
    NotRun,
}

impl Observation {
    /// Console and Markdown label.
    pub fn label(self) -> &'static str {
        match self {
            Observation::Held => "held",
            Observation::Broken => "broken",
            Observation::NotRun => "not run",
        }
    }
}

/// One row of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCoverage {
    /// The rule.
    #[serde(flatten)]
    pub rule: Rule,
    /// Cases that name the rule in a tag.
    pub cases: Vec<String>,
    /// Cases that exercise it by inference (they expect the documented success status).
    pub inferred: Vec<String>,
    /// The last run's observation.
    pub observed: Observation,
    /// With a run's traffic: the cases whose requests and answers exercised the rule
    /// ([`crate::check::observed`]); absent in the static view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exercised: Option<Vec<String>>,
    /// Why no case covers it (only for uncovered rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RuleCoverage {
    /// Whether the rule is covered: exercised by the run's traffic when there is one, else
    /// named by a case's tag or inferred from its file (the static view).
    pub fn covered(&self) -> bool {
        match &self.exercised {
            Some(by) => !by.is_empty(),
            None => !self.cases.is_empty() || !self.inferred.is_empty(),
        }
    }
}

/// Per-operation totals.
#[derive(Debug, Clone, Serialize)]
pub struct OperationCoverage {
    /// Operation id.
    pub operation: String,
    /// Rules documented.
    pub rules: usize,
    /// Rules with at least one case.
    pub covered: usize,
    /// Rules whose cases all held in the last run.
    pub held: usize,
    /// Rules with a failing case.
    pub broken: usize,
    /// `covered / rules` in percent (100 when there is no rule).
    pub percent: f64,
}

/// The whole matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Totals per operation, in contract order.
    pub operations: Vec<OperationCoverage>,
    /// One row per rule.
    pub rules: Vec<RuleCoverage>,
    /// Covered rules over all rules, in percent.
    pub percent: f64,
    /// `observed` (what a run's traffic exercised) or `static` (what the case files declare).
    pub basis: &'static str,
    /// With a run's report: per operation, documented response fields no answer carried and
    /// undocumented ones answers did.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub drift: BTreeMap<String, crate::check::response_fields::FieldDrift>,
    /// With a run's report: per service, the documented error codes no answer carried.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub codes_never_seen: BTreeMap<String, Vec<String>>,
}

/// The rules a run's traffic exercised, each with the cases whose steps did (from the
/// `rules` of each step in a JSON report, or of the run's own results).
pub type Traffic = BTreeMap<String, Vec<String>>;

/// Notes that a case's traffic exercised a rule (each case once per rule).
pub fn record(traffic: &mut Traffic, rule: &str, case: &str) {
    let by = traffic.entry(rule.to_string()).or_default();
    if !by.iter().any(|c| c == case) {
        by.push(case.to_string());
    }
}

/// Reads what a `--report-json` document's traffic exercised.
pub fn traffic_from_report(report: &Value) -> Traffic {
    let mut out = Traffic::new();
    for c in report
        .get("cases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(id) = c.get("id").and_then(Value::as_str) else {
            continue;
        };
        for s in c
            .get("steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for r in s
                .get("rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(r) = r.as_str() {
                    record(&mut out, r, id);
                }
            }
        }
    }
    out
}

/// A run's verdict per case id (`passed`, `failed`, `errored`, `skipped`), as in the JSON report.
pub type Verdicts = BTreeMap<String, String>;

/// Reads the verdicts from a `--report-json` document.
pub fn verdicts_from_report(report: &Value) -> Verdicts {
    report
        .get("cases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some((
                c.get("id")?.as_str()?.to_string(),
                c.get("verdict")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

/// The verdicts of a run's cases (for the coverage section of the run's own report).
pub fn verdicts<'a>(
    cases: impl IntoIterator<Item = (&'a str, crate::run::result::Verdict)>,
) -> Verdicts {
    cases
        .into_iter()
        .filter_map(|(id, v)| {
            let v = serde_json::to_value(v).ok()?;
            Some((id.to_string(), v.as_str()?.to_string()))
        })
        .collect()
}

/// Matches cases to rules and reads each rule's observation from the verdicts; with `traffic`,
/// a rule is covered when a run's requests and answers exercised it, whatever the tags say.
pub fn coverage(
    rules: &[Rule],
    cases: &[CaseInfo],
    verdicts: &Verdicts,
    traffic: Option<&Traffic>,
) -> Coverage {
    let mut rows = Vec::new();
    for rule in rules {
        let mut tagged = Vec::new();
        let mut inferred = Vec::new();
        for c in cases {
            if c.tags.iter().any(|t| t == &rule.id) {
                tagged.push(c.id.clone());
            } else if infers(rule, c) {
                inferred.push(c.id.clone());
            }
        }
        // What the traffic alone cannot show (the state a resource was in, which of two fields
        // won, whose project an id is when the target does not say) falls back to the cases
        // that declare it, as in the static view.
        let exercised = traffic
            .map(|t| t.get(&rule.id).cloned().unwrap_or_default())
            .filter(|by| !by.is_empty() || observable(&rule.constraint));
        let observed = match &exercised {
            Some(by) => observe(by.iter(), verdicts),
            None => observe(tagged.iter().chain(&inferred), verdicts),
        };
        let mut row = RuleCoverage {
            rule: rule.clone(),
            cases: tagged,
            inferred,
            observed,
            exercised,
            reason: None,
        };
        if !row.covered() && rule.constraint == Constraint::Auth {
            // `conform generate` writes the 401 case once per service by default.
            row.reason = Some(
                "no request of the run went without credentials here: `conform generate --auth-cases per-operation` writes a case for every operation".into(),
            );
        } else if !row.covered() {
            row.reason = Some(match (&row.exercised, row.cases.first()) {
                (Some(_), Some(declared)) => format!(
                    "declared by a tag ({declared}) but no request of the run exercised it"
                ),
                (Some(_), None) => "no request of the run exercised it: `conform generate` writes a case that does".into(),
                (None, _) => rule.untestable.clone().unwrap_or_else(|| {
                    "no case exercises it: `conform generate` writes one, or tag a hand-written case with the rule id".into()
                }),
            });
        }
        rows.push(row);
    }
    let mut per: BTreeMap<&str, (usize, OperationCoverage)> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let e = per.entry(row.rule.operation.as_str()).or_insert_with(|| {
            (
                i,
                OperationCoverage {
                    operation: row.rule.operation.clone(),
                    rules: 0,
                    covered: 0,
                    held: 0,
                    broken: 0,
                    percent: 100.0,
                },
            )
        });
        e.1.rules += 1;
        e.1.covered += usize::from(row.covered());
        e.1.held += usize::from(row.observed == Observation::Held);
        e.1.broken += usize::from(row.observed == Observation::Broken);
    }
    let mut operations: Vec<(usize, OperationCoverage)> = per.into_values().collect();
    operations.sort_by_key(|(i, _)| *i);
    let operations: Vec<OperationCoverage> = operations
        .into_iter()
        .map(|(_, mut o)| {
            o.percent = percent(o.covered, o.rules);
            o
        })
        .collect();
    let covered = rows.iter().filter(|r| r.covered()).count();
    Coverage {
        operations,
        percent: percent(covered, rows.len()),
        rules: rows,
        basis: if traffic.is_some() {
            "observed"
        } else {
            "static"
        },
        drift: BTreeMap::new(),
        codes_never_seen: BTreeMap::new(),
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        // One decimal, rounded to nearest (4 of 11 is 36.4%), so reports do not churn on float
        // noise; never up to 100 while a rule is uncovered, so `--min-coverage 100` cannot
        // pass on rounding.
        let p = (part as f64 * 1000.0 / whole as f64).round() / 10.0;
        if part < whole {
            p.min(99.9)
        } else {
            p
        }
    }
}

/// Inference that is sound without a tag: a case of the operation that expects a documented
/// success status exercises that status rule; a step expecting an error exercises the one rule
/// its body breaks, or the unknown / other-project id it names.
fn infers(rule: &Rule, case: &CaseInfo) -> bool {
    if case.exercised.iter().any(|r| r == &rule.id) {
        return true;
    }
    match rule.constraint {
        Constraint::Success => rule.target.strip_prefix("status/").is_some_and(|s| {
            case.statuses
                .iter()
                .any(|(op, c)| *op == rule.operation && c == s)
        }),
        _ => false,
    }
}

/// Whether a run's traffic alone shows that a rule of this kind was exercised.
fn observable(c: &Constraint) -> bool {
    !matches!(
        c,
        Constraint::Precondition | Constraint::Precedence | Constraint::Isolation
    )
}

fn observe<'a>(cases: impl Iterator<Item = &'a String>, verdicts: &Verdicts) -> Observation {
    let mut seen = false;
    for c in cases {
        match verdicts.get(c).map(String::as_str) {
            Some("failed") | Some("errored") => return Observation::Broken,
            Some("passed") => seen = true,
            _ => {}
        }
    }
    if seen {
        Observation::Held
    } else {
        Observation::NotRun
    }
}

/// Whether every rule has a case (for `--min-coverage`): the lowest operation percentage.
pub fn lowest_percent(c: &Coverage) -> f64 {
    c.operations.iter().map(|o| o.percent).fold(100.0, f64::min)
}

/// The compact console table: one line per operation, then each uncovered or broken rule.
pub fn console(c: &Coverage) -> String {
    let mut out = String::new();
    let width = c
        .operations
        .iter()
        .map(|o| o.operation.len())
        .max()
        .unwrap_or(9)
        .max(9);
    out.push_str(&format!(
        "{:<width$}  {:>5}  {:>7}  {:>4}  {:>6}  {:>6}\n",
        "operation", "rules", "covered", "held", "broken", "%"
    ));
    for o in &c.operations {
        out.push_str(&format!(
            "{:<width$}  {:>5}  {:>7}  {:>4}  {:>6}  {:>5.1}%\n",
            o.operation, o.rules, o.covered, o.held, o.broken, o.percent
        ));
    }
    for r in &c.rules {
        if !r.covered() {
            out.push_str(&format!(
                "uncovered {} ({}, {}): {}\n",
                r.rule.id,
                r.rule.detail,
                r.rule.source,
                r.reason.as_deref().unwrap_or("")
            ));
        } else if r.observed == Observation::Broken {
            out.push_str(&format!(
                "broken    {} ({}): {}\n",
                r.rule.id,
                r.rule.source,
                r.cases
                    .iter()
                    .chain(&r.inferred)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for (op, d) in &c.drift {
        if !d.never_seen.is_empty() {
            out.push_str(&format!(
                "drift     {op}: documented, never in {} answer(s): {}\n",
                d.answers,
                d.never_seen.join(", ")
            ));
        }
        if !d.undocumented.is_empty() {
            let seen: Vec<String> = d
                .undocumented
                .iter()
                .map(|(f, n)| format!("{f} ({n})"))
                .collect();
            out.push_str(&format!(
                "drift     {op}: undocumented, seen: {}\n",
                seen.join(", ")
            ));
        }
    }
    for (service, codes) in &c.codes_never_seen {
        out.push_str(&format!(
            "codes     {service}: {} documented error code(s) no answer carried (listed in --json)\n",
            codes.len()
        ));
    }
    out.push_str(&format!(
        "{:.1}% of {} rules covered ({})\n",
        c.percent,
        c.rules.len(),
        if c.basis == "observed" {
            "observed: what the run's requests and answers exercised"
        } else {
            "static: what the case files declare; --report R.json counts what a run exercised"
        }
    ));
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown for a CI summary: the totals, then the matrix.
pub fn markdown(c: &Coverage) -> String {
    let mut out = String::from("## Rule coverage\n\n| operation | rules | covered | held | broken | % |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for o in &c.operations {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {:.1} |\n",
            o.operation, o.rules, o.covered, o.held, o.broken, o.percent
        ));
    }
    out.push_str(
        "\n| rule | documented | source | cases | observed |\n| --- | --- | --- | --- | --- |\n",
    );
    for r in &c.rules {
        let cases = if r.covered() {
            let mut list: Vec<String> = r.cases.iter().map(|c| format!("`{c}`")).collect();
            list.extend(r.inferred.iter().map(|c| format!("`{c}` (inferred)")));
            list.join("<br>")
        } else {
            format!("**none**: {}", r.reason.as_deref().unwrap_or(""))
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            md_cell(&r.rule.id),
            md_cell(&r.rule.detail),
            md_cell(&r.rule.source),
            cases,
            r.observed.label()
        ));
    }
    out.push_str(&format!(
        "\n{:.1}% of {} rules covered.\n",
        c.percent,
        c.rules.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, constraint: Constraint, target: &str) -> Rule {
        Rule {
            id: id.into(),
            operation: "op".into(),
            target: target.into(),
            constraint,
            detail: String::new(),
            source: "p:1".into(),
            untestable: None,
        }
    }

    #[test]
    fn tags_and_success_statuses_cover_rules_and_verdicts_observe_them() {
        let rules = vec![
            rule("rule:op:/a:maxBytes", Constraint::MaxBytes, "/a"),
            rule(
                "rule:op:status/200:status",
                Constraint::Success,
                "status/200",
            ),
            rule("rule:op:/b:type", Constraint::Type, "/b"),
        ];
        let cases = vec![
            CaseInfo {
                id: "t".into(),
                operations: vec!["op".into()],
                tags: vec!["rule:op:/a:maxBytes".into()],
                statuses: vec![("op".into(), "400".into())],
                exercised: vec![],
            },
            CaseInfo {
                id: "s".into(),
                operations: vec!["op".into()],
                tags: vec![],
                statuses: vec![("op".into(), "200".into())],
                exercised: vec!["rule:op:/b:type".into()],
            },
        ];
        let verdicts =
            Verdicts::from([("t".into(), "failed".into()), ("s".into(), "passed".into())]);
        let c = coverage(&rules, &cases, &verdicts, None);
        assert_eq!(c.rules[0].cases, vec!["t"]);
        assert_eq!(c.rules[0].observed, Observation::Broken);
        assert_eq!(c.rules[1].inferred, vec!["s"]);
        assert_eq!(c.rules[1].observed, Observation::Held);
        assert_eq!(c.rules[2].inferred, vec!["s"]);
        let c = coverage(&rules[..2], &[], &verdicts, None);
        assert!(!c.rules[1].covered() && c.rules[1].reason.is_some());
        assert_eq!(lowest_percent(&c), 0.0);
        assert!(console(&c).contains("uncovered rule:op:status/200:status"));
        assert!(markdown(&c).contains("| `rule:op:/a:maxBytes` |"));
    }

    /// An uncovered 401 rule says how to get the case the default leaves to one operation of
    /// the service.
    #[test]
    fn an_uncovered_auth_rule_names_the_per_operation_cases() {
        let rules = vec![rule("rule:op:auth:auth", Constraint::Auth, "auth")];
        let c = coverage(&rules, &[], &Verdicts::new(), None);
        let reason = c.rules[0].reason.as_deref().unwrap_or_default();
        assert!(reason.contains("--auth-cases per-operation"), "{reason}");
    }

    #[test]
    fn percentages_round_to_one_decimal_but_never_up_to_complete() {
        assert_eq!(percent(4, 11), 36.4);
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(2, 3), 66.7);
        assert_eq!(percent(1999, 2000), 99.9);
        assert_eq!(percent(2000, 2000), 100.0);
        assert_eq!(percent(0, 0), 100.0);
    }
}
