//! The case generator and the rule-coverage matrix: generated cases are deterministic, load, pass
//! against the faithful mock, and (run alone) catch every fault mode that breaks a documented
//! rule; coverage lists every rule with its cases and observation.

use std::path::Path;

use conform::commands::run::{run, RunArgs, TargetChoice};
use conform::contract::Contract;
use conform::generate::{self, Options};
use conform::mock::faults::{Fault, Faults, EMULATION};
use conform::run::RunOptions;
use serde_json::Value;

mod common;

use common::{conform, root, text};

fn contract() -> Contract {
    Contract::load(&root().join("schemas")).unwrap()
}

/// A project with the committed contract and only the generated cases.
/// The generator's default options, with a missing-token case for every operation.
fn every_auth_case() -> Options {
    Options {
        auth_cases: generate::AuthCases::PerOperation,
        ..Options::default()
    }
}

fn generated_project(options: &Options) -> tempfile::TempDir {
    let dir = common::project(&[]);
    let cases = generate::generate(&contract(), options).unwrap();
    generate::write(&cases, &dir.path().join("cases")).unwrap();
    dir
}

fn args(dir: &Path, faults: Faults) -> RunArgs {
    let target = TargetChoice::Mock {
        faults,
        slow_delay: std::time::Duration::from_secs(2),
    };
    let mut args = RunArgs::new(dir.join("cases"), dir.join("schemas"), target);
    args.options = RunOptions {
        jobs: 4,
        timeout: std::time::Duration::from_millis(400),
        ..RunOptions::default()
    };
    args.outputs.json = Some(dir.join("report.json"));
    args
}

#[test]
fn the_same_contract_gives_byte_identical_cases_and_the_seed_changes_only_random_bodies() {
    let c = contract();
    let a = generate::generate(&c, &Options::default()).unwrap();
    let b = generate::generate(&c, &Options::default()).unwrap();
    assert_eq!(a, b);
    let other = generate::generate(
        &c,
        &Options {
            seed: 99,
            ..Options::default()
        },
    )
    .unwrap();
    let ids = |v: &[generate::GeneratedCase]| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&other));
    let differ: Vec<&str> = a
        .iter()
        .zip(&other)
        .filter(|(x, y)| x.yaml != y.yaml)
        .map(|(x, _)| x.id.as_str())
        .collect();
    assert!(!differ.is_empty());
    assert!(
        differ.iter().all(|id| id.contains("/data__")),
        "only the random bodies follow the seed: {differ:?}"
    );
}

#[test]
fn the_cli_writes_the_same_files_twice_and_names_the_seed() {
    let dir = common::project(&[]);
    let out = conform(
        dir.path(),
        &["generate", "--out", "cases/generated", "--seed", "7"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("(seed 7)"));
    let read = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(d)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let first = read(&dir.path().join("cases/generated"));
    let out = conform(
        dir.path(),
        &["generate", "--out", "cases/generated", "--seed", "7"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(first, read(&dir.path().join("cases/generated")));
    let lint = conform(dir.path(), &["lint"]);
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint.stderr));
    let unknown = conform(
        dir.path(),
        &["generate", "--operation", "evs.update_snapshot.v9"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("did you mean"),
        "{}",
        text(&unknown.stderr)
    );
}

#[test]
fn every_case_names_its_rule_and_the_page_line_that_states_it() {
    let cases = generate::generate(&contract(), &Options::default()).unwrap();
    let cites_line = regex::Regex::new(r"\.(txt|md):\d+").unwrap();
    for c in &cases {
        assert!(c.yaml.contains("\"rule:"), "{} has no rule tag", c.id);
        let description = c
            .yaml
            .lines()
            .find_map(|l| l.strip_prefix("description: "))
            .unwrap();
        assert!(
            description.contains(".txt") || description.contains(".md"),
            "{}: {description}",
            c.id
        );
        // A field's rule cites the line of the row that states it.
        if c.yaml.contains(":/") && !c.id.contains("data__valid") {
            assert!(cites_line.is_match(description), "{}: {description}", c.id);
        }
    }
    let limit = cases
        .iter()
        .find(|c| c.id == "evs/update_snapshot_v2/snapshot_display_name__max_bytes_over")
        .expect("the display_name limit has a case");
    assert!(limit.yaml.contains("status: 400"), "{}", limit.yaml);
    let key = cases
        .iter()
        .find(|c| c.id == "ecs/update_server_metadata_item_v2_1/meta_keys__max_length_over")
        .expect("the ECS key limit has a case");
    assert!(key.yaml.contains(&"a".repeat(256)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_cases_alone_pass_the_faithful_mock_and_catch_every_fault() {
    // Every operation's 401 rule is to hold, so every operation gets its missing-token case.
    let dir = generated_project(&every_auth_case());
    let mut out = Vec::new();
    let code = run(args(dir.path(), Faults::default()), &mut out)
        .await
        .unwrap();
    assert_eq!(code, 0, "{}", text(&out));
    // A case whose variable the target lacks is skipped, naming the variable.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let active = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "ecs/update_server_metadata_item_v2_1/state_vm_state__active")
        .unwrap();
    assert_eq!(active["verdict"], "skipped");
    assert!(
        active["skip_reason"]
            .as_str()
            .unwrap()
            .contains("requires variable active_server_id"),
        "{active}"
    );
    // The coverage matrix reads the run's observations: every rule held.
    let cov = conform(
        dir.path(),
        &["coverage", "--report", "report.json", "--json", "cov.json"],
    );
    assert_eq!(cov.status.code(), Some(0), "{}", text(&cov.stderr));
    let cov: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("cov.json")).unwrap())
            .unwrap();
    // The seed operations' rules all ran and held; the reads of a sub-item (a metadata key)
    // need a target variable naming one that exists, which the mock's fixtures do not give, so
    // theirs may be not_run, never broken.
    let seeds = [
        "evs.update_snapshot.v2",
        "evs.update_snapshot.v3",
        "evs.update_snapshot_metadata_item.v2",
        "ecs.update_server_metadata_item.v2_1",
    ];
    for r in cov["rules"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        let seed = seeds.iter().any(|s| id.starts_with(&format!("rule:{s}:")));
        let observed = r["observed"].as_str().unwrap();
        if seed {
            assert_eq!(observed, "held", "{r}");
        } else {
            assert_ne!(observed, "broken", "{r}");
        }
    }
    // Faults that break a documented rule; `metadata-not-persisted` shows only on a read-back
    // through another operation (its answer echoes the request); `slow` and `drop-connection`
    // are transport faults.
    let mut uncaught = Vec::new();
    for fault in EMULATION {
        if matches!(
            fault,
            Fault::MetadataNotPersisted | Fault::Slow | Fault::DropConnection
        ) {
            continue;
        }
        let mut out = Vec::new();
        let code = run(args(dir.path(), Faults::new([*fault])), &mut out)
            .await
            .unwrap();
        if code == 0 {
            uncaught.push(fault.name());
        }
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
                .unwrap();
        let failed: Vec<&str> = report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["verdict"] == "failed")
            .filter_map(|c| c["id"].as_str())
            .collect();
        eprintln!(
            "{fault}: caught by {} generated cases, e.g. {:?}",
            failed.len(),
            failed.first()
        );
    }
    assert!(
        uncaught.is_empty(),
        "faults no generated case catches: {uncaught:?}"
    );
}

#[test]
fn coverage_lists_every_rule_and_fails_below_the_minimum() {
    let dir = generated_project(&every_auth_case());
    let out = conform(
        dir.path(),
        &[
            "coverage",
            "--json",
            "cov.json",
            "--markdown",
            "cov.md",
            "--min-coverage",
            "100",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("cov.json")).unwrap())
            .unwrap();
    let ops = json["operations"].as_array().unwrap();
    assert_eq!(ops.len(), contract().operations.len());
    assert!(ops.iter().all(|o| o["percent"] == 100.0), "{ops:?}");
    let md = std::fs::read_to_string(dir.path().join("cov.md")).unwrap();
    assert!(md.contains("/snapshot/display_name:maxBytes"), "{md}");
    // Without the generated cases, rules are uncovered and --min-coverage fails the run.
    std::fs::remove_dir_all(dir.path().join("cases")).unwrap();
    std::fs::create_dir_all(dir.path().join("cases")).unwrap();
    let out = conform(dir.path(), &["coverage", "--min-coverage", "100"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("uncovered rule:"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn status_classes_and_variable_requirements_are_part_of_the_case_format() {
    let ok = "operation: evs.update_snapshot.v2\nrequires: [\"var:snapshot_id\"]\nsteps:\n  - request:\n      body: {snapshot: {name: 5}}\n    expect:\n      status: [\"4xx\", 500]\n";
    let dir = common::project(&[("a.yaml", ok)]);
    let out = conform(dir.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let bad = ok.replace("\"4xx\"", "\"6xx\"");
    let dir = common::project(&[("a.yaml", &bad)]);
    let out = conform(dir.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("a.yaml:7:"),
        "{}",
        text(&out.stderr)
    );
    // Without the variable the case is skipped rather than a load error.
    let missing = ok.replace("var:snapshot_id", "var:no_such_var").replace(
        "body: {snapshot: {name: 5}}",
        "params: {snapshot_id: \"${no_such_var}\"}\n      body: {snapshot: {name: 5}}",
    );
    let dir = common::project(&[("a.yaml", &missing)]);
    let out = conform(dir.path(), &["run", "--snapshots", "off"]);
    // Skipped, and as it was the only case, the run checked nothing: no green gate.
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("every selected case was skipped (1)")
            && text(&out.stderr).contains("requires variable no_such_var"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("requires variable no_such_var"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn hand_written_cases_cover_rules_by_tag_and_by_sound_inference() {
    let out_dir = tempfile::tempdir().unwrap();
    let json_path = out_dir.path().join("cov.json");
    let out = conform(
        &root(),
        &["coverage", "--json", json_path.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let cov: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let row = |id: &str| {
        cov["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no rule {id}"))
            .clone()
    };
    // A body breaking exactly one rule, expecting an error: the rule is exercised.
    let name = row("rule:evs.update_snapshot.v2:/snapshot/name:maxBytes");
    assert_eq!(
        name["inferred"],
        serde_json::json!(["evs/update_snapshot_v2/name_over_255_bytes"])
    );
    let key = row("rule:ecs.update_server_metadata_item.v2_1:/meta/{key}:pattern");
    assert_eq!(
        key["inferred"],
        serde_json::json!(["ecs/update_server_metadata_item_v2_1/key_charset"])
    );
    let isolation = row("rule:evs.update_snapshot.v2:path/snapshot_id:isolation");
    assert_eq!(
        isolation["inferred"],
        serde_json::json!(["evs/update_snapshot_v2/other_project"])
    );
    // An explicit tag.
    let paused = row("rule:ecs.update_server_metadata_item.v2_1:vm_state:precondition");
    assert_eq!(
        paused["cases"],
        serde_json::json!(["ecs/update_server_metadata_item_v2_1/paused_server"])
    );
    // No report: nothing was observed.
    assert_eq!(paused["observed"], "not_run");
    // An uncovered rule says why.
    let unknown = row("rule:evs.update_snapshot.v2:body:type");
    assert!(unknown["reason"]
        .as_str()
        .unwrap()
        .contains("conform generate"));
}

#[test]
fn the_rules_of_the_seed_operations_are_the_documented_ones() {
    let c = contract();
    let rules = conform::contract::rules::all_rules(&c, &[]);
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    for expected in [
        "rule:evs.update_snapshot.v2:status/200:status",
        "rule:evs.update_snapshot.v2:/snapshot:required",
        "rule:evs.update_snapshot.v2:/snapshot/display_name:maxBytes",
        "rule:evs.update_snapshot.v2:/snapshot/display_name:precedence",
        "rule:evs.update_snapshot.v2:path/snapshot_id:isolation",
        "rule:ecs.update_server_metadata_item.v2_1:/meta/{key}:pattern",
        "rule:ecs.update_server_metadata_item.v2_1:/meta/{key}:minLength",
        "rule:ecs.update_server_metadata_item.v2_1:/meta/*:maxLength",
        "rule:ecs.update_server_metadata_item.v2_1:path/key:binding",
        "rule:ecs.update_server_metadata_item.v2_1:vm_state:precondition",
        "rule:evs.update_snapshot_metadata_item.v2:auth:auth",
    ] {
        assert!(ids.contains(&expected), "{expected} missing from {ids:#?}");
    }
    // v3 documents no display_name, and no limit is invented where a page states none.
    assert!(!ids
        .iter()
        .any(|i| i.contains("update_snapshot.v3:/snapshot/display_name")));
    assert!(!ids
        .iter()
        .any(|i| i.starts_with("rule:evs.update_snapshot_metadata_item.v2:/meta/*:max")));
    let limit = rules
        .iter()
        .find(|r| r.id == "rule:evs.update_snapshot.v2:/snapshot/name:maxBytes")
        .unwrap();
    assert_eq!(
        (limit.detail.as_str(), limit.source.as_str()),
        ("at most 255 bytes", "002_fc6945580f3ec467.txt:66")
    );
    assert_eq!(rules, conform::contract::rules::all_rules(&c, &[]));
}

#[test]
fn a_star_in_an_assertion_pointer_reads_the_envelope_code_under_any_kind() {
    let case = |code: &str| {
        format!("operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      params: {{snapshot_id: \"${{missing_id}}\"}}\n      body: {{snapshot: {{name: x}}}}\n    expect:\n      status: 404\n      body:\n        - {{pointer: /*/code, matches: \"^{code}$\"}}\n")
    };
    let dir = common::project(&[("a.yaml", &case("EVS\\\\.5404"))]);
    let out = conform(dir.path(), &["run", "--snapshots", "off"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let dir = common::project(&[("a.yaml", &case("EVS\\\\.9999"))]);
    let out = conform(dir.path(), &["run", "--snapshots", "off"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("/*/code does not match"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn run_generate_runs_the_generated_suite_without_writing_files_and_reports_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--generate", "--operation", "evs.update_snapshot.v3"])
        .arg("--schemas")
        .arg(root.join("schemas"))
        .arg("--report-json")
        .arg(dir.path().join("r.json"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let cases = report["cases"].as_array().unwrap();
    assert!(cases.len() > 10, "{}", cases.len());
    assert!(cases
        .iter()
        .all(|c| c["operation"] == "evs.update_snapshot.v3"));
    // Nothing was written but the report: no cases folder, no snapshots.
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(entries, ["r.json"], "{entries:?}");
    // The run's own report carries the rule-coverage section, observed by this run.
    let rules = report["coverage"]["rules"]
        .as_array()
        .expect("a coverage section");
    let v3: Vec<_> = rules
        .iter()
        .filter(|r| {
            r["id"]
                .as_str()
                .is_some_and(|i| i.starts_with("rule:evs.update_snapshot.v3:"))
        })
        .collect();
    assert!(!v3.is_empty());
    assert!(v3.iter().all(|r| r["observed"] == "held"), "{v3:?}");
}

/// A case's success status counts for the operation whose step expected it, whatever step
/// comes first: every seed update's documented success is covered by the shipped examples.
#[test]
fn every_seed_updates_success_status_is_covered_by_the_shipped_suite() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("cov.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["coverage", "--json"])
        .arg(&json)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.code().is_some(), "{out:?}");
    let cov: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    for op in [
        "evs.update_snapshot.v2",
        "evs.update_snapshot.v3",
        "evs.update_snapshot_metadata_item.v2",
        "ecs.update_server_metadata_item.v2_1",
    ] {
        let id = format!("rule:{op}:status/200:status");
        let rule = cov["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} is a rule"));
        let by =
            rule["cases"].as_array().unwrap().len() + rule["inferred"].as_array().unwrap().len();
        assert!(by > 0, "{id} is covered: {rule}");
    }
}

/// `--max-skipped N|P%` fails the gate (exit 1) of a run that skipped more than that.
#[test]
fn max_skipped_fails_a_run_that_skipped_too_much() {
    let ok = "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n";
    let skips = "operation: evs.update_snapshot.v2\nrequires: [\"var:no_such_var\"]\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n";
    let dir = common::project(&[("a.yaml", ok), ("b.yaml", skips), ("c.yaml", skips)]);
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--snapshots", "off"];
        args.extend_from_slice(extra);
        conform(dir.path(), &args)
    };
    assert_eq!(run(&[]).status.code(), Some(0));
    assert_eq!(run(&["--max-skipped", "2"]).status.code(), Some(0));
    let out = run(&["--max-skipped", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("more than --max-skipped allows"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(run(&["--max-skipped", "50%"]).status.code(), Some(1));
    assert_eq!(run(&["--max-skipped", "70%"]).status.code(), Some(0));
    let out = run(&["--max-skipped", "150%"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--max-skipped"),
        "{}",
        text(&out.stderr)
    );
}

/// Coverage is what the traffic did: a case with no tag, whose body breaks the name's byte
/// limit only through `--var`, covers the byte-limit rule once a run's report says its request
/// did; the static view (no report) cannot see it and says it is static.
#[test]
fn coverage_is_observed_from_a_runs_traffic() {
    let case = "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: \"${long_name}\"}}\n    expect: {status: 400}\n";
    let dir = common::project(&[("evs/by_var.yaml", case)]);
    let long = "n".repeat(256);
    let out = conform(
        dir.path(),
        &[
            "run",
            "--snapshots",
            "off",
            "--var",
            &format!("long_name={long}"),
            "--report-json",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let rule = "rule:evs.update_snapshot.v2:/snapshot/name:maxBytes";
    let row = |args: &[&str]| -> serde_json::Value {
        let mut argv = vec!["coverage", "--cases-dir", "cases", "--json", "cov.json"];
        argv.extend_from_slice(args);
        let out = conform(dir.path(), &argv);
        assert!(out.status.code().is_some(), "{}", text(&out.stderr));
        let cov: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("cov.json")).unwrap()).unwrap();
        cov["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == rule)
            .cloned()
            .unwrap()
    };
    let observed = row(&["--report", "r.json"]);
    assert_eq!(
        observed["exercised"],
        serde_json::json!(["evs/by_var"]),
        "{observed}"
    );
    assert!(observed.get("reason").is_none(), "covered: {observed}");
    let static_view = row(&[]);
    assert!(static_view.get("exercised").is_none(), "{static_view}");
    assert!(
        static_view.get("reason").is_some(),
        "not covered statically: {static_view}"
    );
    let out = conform(dir.path(), &["coverage", "--cases-dir", "cases"]);
    assert!(
        text(&out.stdout).contains("(static:"),
        "{}",
        text(&out.stdout)
    );
}

/// A character limit's at-limit and mixed-width values keep within a byte limit stated on the
/// same field, and a value is asserted to come back unchanged only where the answer's own
/// schema of the field takes it (two pages merged into one operation: the request takes 36
/// characters, the answer 36 bytes).
#[test]
fn at_limit_values_respect_byte_limits_and_are_asserted_only_where_answerable() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");
    let op_dir = schemas.join("net.create_gateway.v2");
    std::fs::create_dir_all(&op_dir).unwrap();
    std::fs::write(
        schemas.join("operations.json"),
        r#"[{"id": "net.create_gateway.v2", "service": "net", "title": "t", "method": "POST",
            "path": "/v2/gateways", "path_params": [], "success": [201],
            "request_body": true, "response_body": true, "sources": [{"file": "t.md", "lang": "zh"}]}]"#,
    )
    .unwrap();
    let field = |limits: &str| {
        format!(
            r#"{{"type": "object", "required": ["gateway"], "properties": {{"gateway": {{"type": "object", "required": ["a", "b"], "properties": {{"a": {{"type": "string", {limits}}}, "b": {{"type": "string", "maxLength": 36}}}}}}}}}}"#
        )
    };
    std::fs::write(
        op_dir.join("request.schema.json"),
        field(r#""maxLength": 36, "x-maxBytes": 40"#),
    )
    .unwrap();
    std::fs::write(
        op_dir.join("response.201.schema.json"),
        field(r#""x-maxBytes": 200"#).replace(r#""maxLength": 36"#, r#""x-maxBytes": 36"#),
    )
    .unwrap();
    let contract = Contract::load(&schemas).unwrap();
    let cases = generate::generate(&contract, &Options::default()).unwrap();
    let case = |suffix: &str| {
        cases
            .iter()
            .find(|c| c.id.ends_with(suffix))
            .unwrap_or_else(|| {
                panic!(
                    "no {suffix}: {:?}",
                    cases.iter().map(|c| &c.id).collect::<Vec<_>>()
                )
            })
    };
    // `a`: 36 characters in at most 40 bytes.
    let at = case("gateway_a__max_length_at_limit");
    let sent: Value = serde_yaml_value(&at.yaml);
    let a = sent["steps"][0]["request"]["body"]["gateway"]["a"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(a.chars().count(), 36, "{}", at.yaml);
    assert!(a.len() <= 40, "{} bytes: {}", a.len(), at.yaml);
    assert!(
        at.yaml.contains(r#""pointer":"/gateway/a""#),
        "the answer takes it back: {}",
        at.yaml
    );
    // `b`: 36 three-byte characters the request takes but the answer's 36 bytes do not.
    let b = case("gateway_b__max_length_at_limit");
    assert!(
        !b.yaml.contains(r#""pointer":"/gateway/b""#),
        "not asserted where the answer refuses it: {}",
        b.yaml
    );
}

/// A generated case's YAML as JSON.
fn serde_yaml_value(yaml: &str) -> Value {
    serde_saphyr::from_str(yaml).unwrap()
}

/// An unknown id's case asserts the documented code where the envelope documents a code field:
/// at the top (`/error_code`), under its one key (`/error/code`) or under whatever kind key
/// (`/*/code`); an envelope whose code field the pages never name gets no code assertion
/// (the tier cannot answer one, and a real service's answer could not be read against it).
#[test]
fn the_code_assertion_reads_the_code_where_the_envelope_documents_it() {
    use conform::contract::{ErrorCode, Operation, SchemaKind};
    use serde_json::json;
    let s = json!({"type": "string"});
    let envelopes = [
        (
            json!({"properties": {"error_code": s, "error_msg": s}}),
            Some("/error_code"),
        ),
        (
            json!({"properties": {"error": {"properties": {"code": s, "message": s}}}}),
            Some("/error/code"),
        ),
        (
            json!({"additionalProperties": {"properties": {"code": s, "message": s}}}),
            Some("/*/code"),
        ),
        (json!({"properties": {"error": {"type": "object"}}}), None),
    ];
    for (envelope, pointer) in envelopes {
        let op = Operation::new(
            "kms.show_key.v1",
            "kms",
            "GET",
            "/v1/{project_id}/keys/{key_id}",
        );
        let mut schemas = std::collections::BTreeMap::new();
        schemas.insert((op.id.clone(), SchemaKind::Error), envelope.clone());
        let mut codes = conform::contract::ErrorCodes::new();
        codes.entry("kms".into()).or_default().insert(
            404,
            vec![ErrorCode {
                code: "KMS.0207".into(),
                message: "not found".into(),
            }],
        );
        let dir = tempfile::tempdir().unwrap();
        let contract = Contract::from_parts(vec![op], schemas, codes, dir.path()).unwrap();
        let cases = generate::generate(&contract, &Options::default()).unwrap();
        let unknown = cases
            .iter()
            .find(|c| c.id.ends_with("/path_key_id__unknown"))
            .unwrap_or_else(|| panic!("no unknown-id case for {envelope}"));
        match pointer {
            Some(p) => assert!(
                unknown.yaml.contains(&format!(r#""pointer":"{p}""#)),
                "{envelope}: {}",
                unknown.yaml
            ),
            None => assert!(!unknown.yaml.contains(r#""pointer""#), "{}", unknown.yaml),
        }
    }
}

/// A body key ending in `_id` that cannot be a variable's name (`func_vpc.vpc_id`, as a page
/// spells a nested field) is not bound to `${…}`: the case would not load. One that can
/// (`vpc_id`) still names the variable.
#[test]
fn only_keys_that_can_be_variable_names_are_bound_to_variables() {
    use conform::contract::{Operation, SchemaKind};
    use serde_json::json;
    let op = Operation {
        request_body: true,
        ..Operation::new(
            "fgs.update_config.v2",
            "fgs",
            "PUT",
            "/v2/{project_id}/functions/config",
        )
    };
    let s = json!({"type": "string"});
    let request = json!({"type": "object", "required": ["func_vpc.vpc_id", "vpc_id"],
        "properties": {"func_vpc.vpc_id": s, "vpc_id": s}});
    let mut schemas = std::collections::BTreeMap::new();
    schemas.insert((op.id.clone(), SchemaKind::Request), request);
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::from_parts(vec![op], schemas, Default::default(), dir.path()).unwrap();
    let cases = generate::generate(&contract, &Options::default()).unwrap();
    let success = cases
        .iter()
        .find(|c| c.id.ends_with("/success"))
        .expect("a success case");
    assert!(
        success.yaml.contains(r#""vpc_id":"${vpc_id}""#),
        "{}",
        success.yaml
    );
    for c in &cases {
        assert!(!c.yaml.contains("${func_vpc"), "{}", c.yaml);
    }
}

/// An id of another resource is the variable naming it whatever its documented shape (a KMS
/// grant id of 64 hex digits, a gateway id of exactly 36 characters): a made-up one that fits
/// names nothing, so a correct server would refuse the case. Its limits are still tested by
/// the refusals past them, never by an "accepted at the limit" case.
#[test]
fn ids_of_other_resources_are_variables_whatever_their_shape() {
    use conform::contract::{Operation, SchemaKind};
    use serde_json::json;
    let op = Operation {
        request_body: true,
        success: vec![200],
        ..Operation::new(
            "nat.create_rule.v2",
            "nat",
            "POST",
            "/v2/{project_id}/rules",
        )
    };
    let request = json!({"type": "object", "required": ["grant_id", "gateway_id", "name"],
        "properties": {
            "grant_id": {"type": "string", "pattern": "^[A-Fa-f0-9]{64}$"},
            "gateway_id": {"type": "string", "minLength": 36, "maxLength": 36},
            "name": {"type": "string", "maxLength": 8}}});
    let mut schemas = std::collections::BTreeMap::new();
    schemas.insert((op.id.clone(), SchemaKind::Request), request);
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::from_parts(vec![op], schemas, Default::default(), dir.path()).unwrap();
    let cases = generate::generate(&contract, &Options::default()).unwrap();
    let case = |name: &str| {
        cases
            .iter()
            .find(|c| c.id.ends_with(&format!("/{name}")))
            .map(|c| c.yaml.as_str())
    };
    let success = case("success").expect("a success case");
    for bound in [
        r#""grant_id":"${grant_id}""#,
        r#""gateway_id":"${gateway_id}""#,
    ] {
        assert!(success.contains(bound), "{bound} in {success}");
    }
    // A limit of a plain field is tested on both sides; an id's only past it.
    assert!(case("name__max_length_at_limit").is_some());
    assert!(case("gateway_id__max_length_at_limit").is_none());
    let over = case("gateway_id__max_length_over").expect("the refusal past the limit");
    assert!(
        over.contains("status: [400]") || over.contains("4xx"),
        "{over}"
    );
    // Every other case sends the variable where it does not test the field itself.
    let past_name = case("name__max_length_over").expect("a refusal of the name");
    assert!(
        past_name.contains(r#""gateway_id":"${gateway_id}""#),
        "{past_name}"
    );
}

/// A version document (`GET /`, `GET /{api_version}`) is read before a client holds a token,
/// and IAM's token issue (`POST /v3/auth/tokens`) is how a client gets one: no case expects
/// either to refuse a request without one, even where the service documents 401. Reading a
/// token at the same path needs one.
#[test]
fn version_documents_and_the_token_issue_get_no_missing_token_case() {
    use conform::contract::{ErrorCode, Operation};
    let ops: Vec<Operation> = [
        ("sv.list.v1", "GET", "/"),
        ("sv.show.v1", "GET", "/{api_version}"),
        ("sv.list_things.v1", "GET", "/v1/{project_id}/things"),
        ("sv.create_auth_token.v3", "POST", "/v3/auth/tokens"),
        ("sv.show_auth_token.v3", "GET", "/v3/auth/tokens"),
    ]
    .into_iter()
    .map(|(id, method, path)| Operation {
        success: vec![200],
        ..Operation::new(id, "sv", method, path)
    })
    .collect();
    let unauthorized = ErrorCode {
        code: "SV.0401".into(),
        message: "unauthorized".into(),
    };
    let mut codes = conform::contract::ErrorCodes::new();
    codes
        .entry("sv".into())
        .or_default()
        .insert(401, vec![unauthorized]);
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::from_parts(ops, Default::default(), codes, dir.path()).unwrap();
    let cases = generate::generate(&contract, &every_auth_case()).unwrap();
    assert_eq!(
        auth_case_ids(&cases),
        [
            "sv/list_things_v1/auth__missing_token",
            "sv/show_auth_token_v3/auth__missing_token"
        ]
    );
}

fn auth_case_ids(cases: &[generate::GeneratedCase]) -> Vec<&str> {
    cases
        .iter()
        .filter(|c| c.id.ends_with("/auth__missing_token"))
        .map(|c| c.id.as_str())
        .collect()
}

/// By default a service's documented 401 gets one case, on the read needing least (fewest ids
/// to name, a read before a write), so a target with no auth skips one case per service; a
/// service documenting no 401 gets none, and `--auth-cases per-operation` gives every
/// operation its own.
#[test]
fn one_missing_token_case_per_service_by_default() {
    use conform::contract::{ErrorCode, Operation};
    let ops: Vec<Operation> = [
        ("sv.create_thing.v1", "POST", "/v1/{project_id}/things"),
        (
            "sv.show_thing.v1",
            "GET",
            "/v1/{project_id}/things/{thing_id}",
        ),
        ("sv.list_things.v1", "GET", "/v1/{project_id}/things"),
        (
            "sv.delete_thing.v1",
            "DELETE",
            "/v1/{project_id}/things/{thing_id}",
        ),
        ("ot.create_item.v1", "POST", "/v1/{project_id}/items"),
        (
            "ot.update_item.v1",
            "PUT",
            "/v1/{project_id}/items/{item_id}",
        ),
        ("quiet.list_notes.v1", "GET", "/v1/{project_id}/notes"),
    ]
    .into_iter()
    .map(|(id, method, path)| Operation {
        success: vec![200],
        ..Operation::new(id, id.split('.').next().unwrap(), method, path)
    })
    .collect();
    let mut codes = conform::contract::ErrorCodes::new();
    for service in ["sv", "ot"] {
        codes.entry(service.into()).or_default().insert(
            401,
            vec![ErrorCode {
                code: "X.0401".into(),
                message: "unauthorized".into(),
            }],
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::from_parts(ops, Default::default(), codes, dir.path()).unwrap();
    let cases = generate::generate(&contract, &Options::default()).unwrap();
    assert_eq!(
        auth_case_ids(&cases),
        [
            "ot/create_item_v1/auth__missing_token",
            "sv/list_things_v1/auth__missing_token"
        ]
    );
    let cases = generate::generate(&contract, &every_auth_case()).unwrap();
    assert_eq!(auth_case_ids(&cases).len(), 6);
    // Generating one operation gives it its own case.
    let one = Options {
        operations: vec!["sv.delete_thing.v1".into()],
        ..Options::default()
    };
    let cases = generate::generate(&contract, &one).unwrap();
    assert_eq!(
        auth_case_ids(&cases),
        ["sv/delete_thing_v1/auth__missing_token"]
    );
}

/// A create whose body names the id of the very kind it makes (`widget_id` in the body of
/// the create of widgets) cannot be planned before itself: no setup sends a variable it only
/// captures afterwards, the suite lints clean, and what needs a widget asks for the variable.
#[test]
fn a_create_naming_its_own_kinds_id_is_not_its_own_producer() {
    let dir = common::derive_service(
        "wd",
        |svc| {
            let project = ("表 1 路径参数", "|project_id|是|String|项目ID。|");
            let item = (
                "表 1 路径参数",
                "|project_id|是|String|项目ID。|\n|widget_id|是|String|组件ID。|",
            );
            let answer = (
                "表 3 响应Body参数",
                "|id|是|String|组件ID。|\n|name|是|String|名称。|",
            );
            let pages = [
                (
                    "create.md",
                    common::page(
                        "创建组件",
                        "POST /v1/{project_id}/widgets",
                        &[
                            project,
                            (
                                "表 2 请求Body参数",
                                "|widget_id|是|String|组件ID。|\n|name|是|String|名称。|",
                            ),
                        ],
                        &[answer],
                        200,
                    ),
                ),
                (
                    "show.md",
                    common::page(
                        "查询组件",
                        "GET /v1/{project_id}/widgets/{widget_id}",
                        &[item],
                        &[answer],
                        200,
                    ),
                ),
                (
                    "delete.md",
                    common::page(
                        "删除组件",
                        "DELETE /v1/{project_id}/widgets/{widget_id}",
                        &[item],
                        &[],
                        204,
                    ),
                ),
            ];
            common::write_pages(svc, &pages);
        },
        true,
    );
    let d = dir.path();
    let out = common::conform(d, &["lint", "--cases-dir", "cases", "--schemas", "schemas"]);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    let show = std::fs::read_to_string(d.join("cases/wd/show_widget_v1/success.yaml")).unwrap();
    assert!(!show.contains("setup: create"), "{show}");
    assert!(show.contains("var:widget_id"), "{show}");
}

/// A task service (create, read, delete; its kind in the resource table) whose create takes
/// `request` and answers `answer`.
fn task_contract(request: Value, answer: Option<Value>) -> (tempfile::TempDir, Contract) {
    use conform::contract::{Operation, SchemaKind};
    use serde_json::json;
    let create = Operation {
        request_body: true,
        success: vec![200],
        ..Operation::new("sv.create_task.v1", "sv", "POST", "/v1/sv/tasks")
    };
    let delete = Operation {
        success: vec![200],
        ..Operation::new(
            "sv.delete_task.v1",
            "sv",
            "DELETE",
            "/v1/sv/tasks/{task_id}",
        )
    };
    let read = Operation {
        success: vec![200],
        ..Operation::new("sv.show_task.v1", "sv", "GET", "/v1/sv/tasks/{task_id}")
    };
    let mut schemas = std::collections::BTreeMap::new();
    schemas.insert((create.id.clone(), SchemaKind::Request), request);
    if let Some(answer) = answer {
        schemas.insert((create.id.clone(), SchemaKind::Response(200)), answer);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut contract = Contract::from_parts(
        vec![create, delete, read],
        schemas,
        Default::default(),
        dir.path(),
    )
    .unwrap();
    contract.resources = serde_json::from_value(json!([{"kind": "task.v1", "service": "sv",
        "collection": "tasks", "collection_path": "/v1/sv/tasks", "id_param": "task_id",
        "create": {"method": "POST", "path": "/v1/sv/tasks"},
        "read": {"method": "GET", "path": "/v1/sv/tasks/{id}"},
        "delete": {"method": "DELETE", "path": "/v1/sv/tasks/{id}"}}]))
    .unwrap();
    (dir, contract)
}

/// A case about a create's required `name` sends no name, even where another object of the
/// body has a name of its own (SMS's task and its `target_server`): the run id that marks what
/// a create made is not carried into a name the case is about leaving out.
#[test]
fn a_required_name_left_out_stays_out_beside_a_nested_name() {
    use serde_json::json;
    let s = json!({"type": "string"});
    let request = json!({"type": "object", "required": ["name", "target_server"],
        "properties": {"name": s, "target_server": {"type": "object", "required": ["name"],
            "properties": {"name": s}}}});
    let (_dir, contract) = task_contract(request, None);
    let cases = generate::generate(&contract, &Options::default()).unwrap();
    let case = |name: &str| {
        cases
            .iter()
            .find(|c| c.id.ends_with(&format!("/{name}")))
            .map(|c| c.yaml.clone())
            .unwrap_or_else(|| panic!("no {name} case"))
    };
    let missing = case("name__required_missing");
    assert!(
        missing.contains(r#"body: {"target_server":{"name":"conform"}}"#),
        "{missing}"
    );
    // A case expected to succeed still names its create with the run id.
    assert!(case("success").contains("conform-${run_id}"));
}

/// A create case sending another field with the placeholder's value (a description of
/// `conform` at its pattern) expects that field back as sent: only the name carries the run id,
/// and only assertions on the name follow it.
#[test]
fn a_field_sent_as_the_placeholder_comes_back_as_sent_beside_the_run_id_name() {
    use serde_json::json;
    let body = json!({"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string"},
        "description": {"type": "string", "pattern": "^[^<>]*$"}}});
    let mut answer = body.clone();
    answer["properties"]["id"] = json!({"type": "string"});
    let (_dir, contract) = task_contract(body, Some(answer));
    let cases = generate::generate(&contract, &Options::default()).unwrap();
    let inside = cases
        .iter()
        .find(|c| c.id.ends_with("/description__pattern_inside"))
        .unwrap_or_else(|| panic!("{:?}", cases.iter().map(|c| &c.id).collect::<Vec<_>>()));
    let case = serde_yaml_value(&inside.yaml);
    let step = &case["steps"][0];
    assert_eq!(
        step["request"]["body"]["description"], "conform",
        "{}",
        inside.yaml
    );
    assert_eq!(
        step["request"]["body"]["name"], "conform-${run_id}",
        "{}",
        inside.yaml
    );
    assert!(
        inside
            .yaml
            .contains(r#"{"equals":"conform","pointer":"/description"}"#),
        "{}",
        inside.yaml
    );
}

/// A delete of a sub-item (a metadata key) on a server held in a state the delete accepts
/// (`${stopped_server_id}`) writes the key first, as the success case does on the server it
/// makes: the delete does not depend on what other cases left on that server.
#[test]
fn a_state_case_of_a_sub_item_delete_writes_the_item_first() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");
    std::fs::create_dir_all(&schemas).unwrap();
    for entry in std::fs::read_dir(root().join("schemas")).unwrap() {
        let entry = entry.unwrap();
        let to = schemas.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
            for f in std::fs::read_dir(entry.path()).unwrap() {
                let f = f.unwrap();
                std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
            }
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    // The project's contract with a delete of the server metadata item, accepted where its
    // update is.
    let index = schemas.join("operations.json");
    let mut ops: Value = serde_json::from_str(&std::fs::read_to_string(&index).unwrap()).unwrap();
    let list = ops.as_array_mut().unwrap();
    let update = list
        .iter()
        .find(|o| o["id"] == "ecs.update_server_metadata_item.v2_1")
        .cloned()
        .unwrap();
    let mut delete = update.clone();
    delete["id"] = "ecs.delete_server_metadata_item.v2_1".into();
    delete["method"] = "DELETE".into();
    delete["success"] = serde_json::json!([204]);
    delete["request_body"] = false.into();
    delete["response_body"] = false.into();
    list.push(delete);
    std::fs::write(&index, ops.to_string()).unwrap();
    let contract = Contract::load(&schemas).unwrap();
    let cases = generate::generate(&contract, &Options::default()).unwrap();
    let case = |id: &str| {
        cases
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.yaml.clone())
            .unwrap_or_else(|| panic!("no case {id}"))
    };
    let stopped = case("ecs/delete_server_metadata_item_v2_1/state_vm_state__stopped");
    let write = stopped
        .find("operation: \"ecs.update_server_metadata_item.v2_1\"")
        .unwrap_or_else(|| panic!("the key is written first: {stopped}"));
    assert!(
        stopped[write..].contains(r#""server_id":"${stopped_server_id}""#),
        "on the same server: {stopped}"
    );
    // A state the delete refuses is not written first (the write would be refused too).
    let building = case("ecs/delete_server_metadata_item_v2_1/state_vm_state__building");
    assert!(
        !building.contains("operation: \"ecs.update_server_metadata_item.v2_1\""),
        "{building}"
    );
}

/// A query parameter that lists its values and states a length limit besides (SCM's
/// `sort_dir`: ASC or DESC, at most 32 characters) gets no "accepted at the limit" case: no
/// string of that length is a value it takes. Its values and what lies past the limit are
/// still tested.
#[test]
fn a_query_length_at_the_limit_is_written_only_where_the_whole_schema_takes_it() {
    use conform::contract::{Operation, QueryParam};
    use serde_json::json;
    let op = Operation {
        success: vec![200],
        query_params: vec![
            QueryParam {
                name: "sort_dir".into(),
                required: false,
                schema: json!({"type": "string", "enum": ["ASC", "DESC"], "maxLength": 32}),
            },
            QueryParam {
                name: "name".into(),
                required: false,
                schema: json!({"type": "string", "maxLength": 32}),
            },
        ],
        ..Operation::new("scm.list.v3", "scm", "GET", "/v3/scm/certificates")
    };
    let dir = tempfile::tempdir().unwrap();
    let contract =
        Contract::from_parts(vec![op], Default::default(), Default::default(), dir.path()).unwrap();
    let cases = generate::generate(&contract, &Options::default()).unwrap();
    let has = |suffix: &str| cases.iter().any(|c| c.id.ends_with(suffix));
    assert!(!has("query_sort_dir__maxlength_at_limit"));
    assert!(has("query_sort_dir__maxlength_past") && has("query_sort_dir__enum_inside"));
    assert!(has("query_name__maxlength_at_limit"));
}

/// Every documented value of an enum is a case expected to succeed (the first `enum_inside`,
/// the k-th `enum_inside_k`), whatever its type, in the body and in the query; `null` (an
/// optional field left empty) is none, and one value outside is refused.
#[test]
fn every_enum_value_is_a_case() {
    use conform::contract::{Operation, QueryParam, SchemaKind};
    use serde_json::json;
    let op = Operation {
        request_body: true,
        success: vec![200],
        query_params: vec![QueryParam {
            name: "sort".into(),
            required: false,
            schema: json!({"type": "string", "enum": ["asc", "desc"]}),
        }],
        ..Operation::new("sv.create_thing.v1", "sv", "POST", "/v1/things")
    };
    let request = json!({"type": "object", "properties": {
        "mode": {"type": "string", "enum": ["a", "b", "c"]},
        "level": {"type": ["integer", "null"], "enum": [1, 2, null]}}});
    let mut schemas = std::collections::BTreeMap::new();
    schemas.insert((op.id.clone(), SchemaKind::Request), request);
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::from_parts(vec![op], schemas, Default::default(), dir.path()).unwrap();
    let cases = generate::generate(&contract, &Options::default()).unwrap();
    let sent = |name: &str, at: &str| -> Value {
        let case = cases
            .iter()
            .find(|c| c.id.ends_with(&format!("/{name}")))
            .unwrap_or_else(|| panic!("no {name}"));
        serde_yaml_value(&case.yaml)["steps"][0]["request"]
            .pointer(at)
            .cloned()
            .unwrap_or_default()
    };
    for (name, value) in [
        ("mode__enum_inside", json!("a")),
        ("mode__enum_inside_2", json!("b")),
        ("mode__enum_inside_3", json!("c")),
    ] {
        assert_eq!(sent(name, "/body/mode"), value, "{name}");
    }
    assert_eq!(sent("level__enum_inside", "/body/level"), json!(1));
    assert_eq!(sent("level__enum_inside_2", "/body/level"), json!(2));
    assert_eq!(
        sent("query_sort__enum_inside_2", "/query/sort"),
        json!("desc")
    );
    let has = |suffix: &str| cases.iter().any(|c| c.id.ends_with(suffix));
    assert!(!has("/level__enum_inside_3"), "null is no value to send");
    assert!(has("/mode__enum_outside"));
}

/// The fields of the objects a list holds carry rules too: each is exercised in the list's
/// first item (`/tags/*/key`), one made where the simplest body has none, and the suite runs
/// clean against the contract tier, which refuses what the item's schema refuses.
#[test]
fn a_lists_item_fields_get_their_own_cases() {
    let write = |svc: &std::path::Path| {
        let create = common::page(
            "创建部件",
            "POST /v1/\\{project\\_id\\}/widgets",
            &[
                ("表 1 路径参数", "|project_id|是|String|项目ID。|"),
                (
                    "表 2 请求Body参数",
                    "|name|是|String|名称。|\n|tags|否|Array of objects|标签列表，请参见表3。|",
                ),
                (
                    "表 3 tags",
                    "|key|是|String|键。长度为1-36个字符。|\n|value|否|String|值。长度为0-43个字符。|",
                ),
            ],
            &[("表 4 响应Body参数", "|id|是|String|部件ID。|")],
            200,
        );
        common::write_pages(svc, &[("create.md", create)]);
    };
    let dir = common::derive_service("svc", write, true);
    let d = dir.path();
    let op = d.join("cases/svc/create_widget_v1");
    let past = std::fs::read_to_string(op.join("tags_values_key__max_length_over.yaml"))
        .unwrap_or_else(|e| {
            let names: Vec<String> = std::fs::read_dir(&op)
                .map(|r| {
                    r.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            panic!("{e}: {names:?}")
        });
    assert!(
        past.contains(&format!(r#""tags":[{{"key":"{}"}}]"#, "a".repeat(37)))
            && past.contains("rule:svc.create_widget.v1:/tags/*/key:maxLength")
            && past.contains(r#"status: "4xx""#),
        "{past}"
    );
    let missing =
        std::fs::read_to_string(op.join("tags_values_key__required_missing.yaml")).unwrap();
    assert!(missing.contains(r#""tags":[{}]"#), "{missing}");
    let mock = common::standalone(d, &["--schemas", "schemas"]);
    let (out, report) = common::run_against(d, &mock, &[]);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let rules: Vec<&str> = report["coverage"]["rules"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        rules.contains(&"rule:svc.create_widget.v1:/tags/*/value:maxLength"),
        "{rules:?}"
    );
}
