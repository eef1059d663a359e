//! The gate never lies: selections that match nothing, silent literals, absurd flags, signals,
//! torn reports and bad input each end with the right exit code and complete reports.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{conform, project, root, text};
use rstest::rstest;

const GOOD: &str = "operation: evs.update_snapshot.v2\ntags: [smoke]\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n    expect:\n      status: 200\n";

#[rstest]
#[case::outside_folder(&["run", "../mycases"], "no such case file or folder")]
#[case::outside_file(&["run", "../mycases/x.json"], "no such case file or folder")]
#[case::no_such_case(&["run", "no_such_case"], "'no_such_case' matches no case")]
#[case::typo_gets_a_suggestion(&["run", "evs/renam"], "did you mean 'evs/rename'")]
#[case::unknown_tag(&["run", "--tag", "smok"], "--tag smok matches no case (did you mean 'smoke'?)")]
#[case::unknown_operation(&["run", "--operation", "evs.update_snapshot.v9"], "no such operation in the contract (did you mean 'evs.update_snapshot.v")]
#[case::known_operation_without_cases(&["run", "--operation", "evs.update_snapshot.v3"], "--operation evs.update_snapshot.v3 matches no case")]
#[case::lint_too(&["lint", "--tag", "nosuchtag"], "--tag nosuchtag matches no case")]
#[case::empty_cases_dir(&["run", "--cases-dir", "empty"], "holds no case files")]
fn a_selection_that_matches_nothing_is_bad_input(#[case] args: &[&str], #[case] needle: &str) {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    std::fs::create_dir_all(p.path().join("empty")).unwrap();
    let out = conform(p.path(), args);
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: {err}{}",
        text(&out.stdout)
    );
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(!text(&out.stdout).contains("0 passed"), "{args:?}");
}

#[test]
fn an_empty_folder_named_on_the_command_line_is_bad_input_for_lint_and_run() {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = elsewhere.path().display().to_string();
    for cmd in ["lint", "run"] {
        let out = conform(p.path(), &[cmd, &folder]);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("matches no case"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn no_cases_pass_and_warn_let_scripts_accept_an_empty_selection() {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    let pass = conform(p.path(), &["run", "--tag", "none", "--no-cases", "pass"]);
    assert_eq!(pass.status.code(), Some(0), "{}", text(&pass.stderr));
    assert!(text(&pass.stderr).is_empty(), "{}", text(&pass.stderr));
    let warn = conform(p.path(), &["run", "--tag", "none", "--no-cases", "warn"]);
    assert_eq!(warn.status.code(), Some(0));
    assert!(
        text(&warn.stdout).contains("warning: --tag none matches no case"),
        "{}",
        text(&warn.stdout)
    );
    let bad = conform(p.path(), &["run", "--no-cases", "maybe"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn files_and_folders_anywhere_are_run_like_hurl_test_dir() {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.yaml"), GOOD).unwrap();
    std::fs::create_dir_all(outside.path().join("more")).unwrap();
    std::fs::write(
        outside.path().join("more/y.json"),
        serde_json::json!({
            "operation": "evs.update_snapshot.v2",
            "steps": [{"request": {"body": {"snapshot": {"name": "y"}}}, "expect": {"status": 200}}]
        })
        .to_string(),
    )
    .unwrap();
    let file = outside.path().join("x.yaml").display().to_string();
    let folder = outside.path().join("more").display().to_string();
    let inside = p.path().join("cases/evs/rename.yaml").display().to_string();
    let out = conform(
        p.path(),
        &["run", "--snapshots", "off", &file, &folder, &inside],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("3 passed"), "{stdout}");
    // A file inside the cases folder keeps its usual id.
    assert!(stdout.contains(" evs/rename"), "{stdout}");
}

#[rstest]
#[case::missing_config(&["run", "--config", "nope.yaml"], "--config nope.yaml: no such file")]
#[case::zero_jobs(&["run", "--jobs", "0"], "--jobs")]
#[case::ftp_target(&["run", "--target-url", "ftp://example.com"], "unsupported scheme 'ftp'")]
#[case::garbage_target(&["run", "--target-url", "not a url"], "not a URL")]
#[case::huge_timeout(&["run", "--timeout", "99999999999999999999s"], "out of range")]
#[case::huge_slow_delay(&["run", "--slow-delay", "99999999999999999999s"], "out of range")]
#[case::tiny_rate(&["run", "--rate", "1e-300/s"], "out of range")]
#[case::huge_retries(&["run", "--retries", "4000000000"], "out of range")]
fn absurd_flags_are_bad_input_not_a_panic(#[case] args: &[&str], #[case] needle: &str) {
    let out = conform(&root(), args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_malformed_url_in_the_config_is_bad_input_for_run_and_doctor() {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    std::fs::write(
        p.path().join("conform.yaml"),
        "targets:\n  lab:\n    services:\n      evs: \"ftp://evs.example\"\n",
    )
    .unwrap();
    for args in [
        &["run", "--target", "lab"][..],
        &["doctor", "--target", "lab"][..],
    ] {
        let out = conform(p.path(), args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("conform.yaml:4:13") && err.contains("unsupported scheme 'ftp'"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn case_vars_are_expanded_in_order_and_sent_expanded() {
    let case = "operation: evs.update_snapshot.v2\nvars:\n  base: renamed-${run_id}\n  new_name: \"${base}-x\"\nsteps:\n  - request:\n      body: {snapshot: {name: \"${new_name}\"}}\n    expect:\n      status: 200\n      body:\n        - {pointer: /snapshot/name, equals: \"${new_name}\"}\n";
    let p = project(&[("v.yaml", case)]);
    let out = conform(
        p.path(),
        &["run", "--snapshots", "off", "--report-json", "r.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("r.json")).unwrap()).unwrap();
    let sent = report["cases"][0]["steps"][0]["request"]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        sent.contains("\"renamed-") && sent.contains("-x\""),
        "{sent}"
    );
    assert!(!sent.contains("${"), "a literal was sent: {sent}");
}

#[rstest]
#[case::cycle(
    "vars: {a: \"${b}\", b: \"${a}\"}",
    "cases/v.yaml:2:",
    "variable 'a' refers to 'b', which is not defined before it"
)]
#[case::unclosed("vars: {a: \"${unclosed\"}", "cases/v.yaml:2:", "unclosed expression")]
#[case::unknown(
    "vars: {a: \"${nowhere}\"}",
    "cases/v.yaml:2:",
    "undefined variable 'nowhere'"
)]
#[case::unclosed_in_body_too("vars: {}", "cases/v.yaml:", "unclosed expression")]
fn broken_vars_are_refused_at_load_with_their_position(
    #[case] vars: &str,
    #[case] position: &str,
    #[case] message: &str,
) {
    let body = if vars == "vars: {}" { "${oops" } else { "x" };
    let case = format!("operation: evs.update_snapshot.v2\n{vars}\nsteps:\n  - request:\n      body: {{snapshot: {{name: \"{body}\"}}}}\n    expect: {{status: 200}}\n");
    let p = project(&[("v.yaml", &case)]);
    for cmd in ["lint", "run"] {
        let out = conform(p.path(), &[cmd]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {err}");
        assert!(
            err.contains(position) && err.contains(message),
            "{cmd}: {err}"
        );
    }
}

#[test]
fn bad_input_still_writes_every_requested_report_with_the_error() {
    let p = project(&[("bad.yaml", "operation: nope\nsteps:\n  - {}\n")]);
    let out = conform(
        p.path(),
        &[
            "run",
            "--report-json",
            "r.json",
            "--report-junit",
            "j.xml",
            "--report-jsonl",
            "r.jsonl",
            "--report-html",
            "r.html",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let html = std::fs::read_to_string(p.path().join("r.html")).unwrap();
    assert!(
        html.contains("The run could not start") && html.contains("unknown operation"),
        "the page says why"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["exit_code"], 2);
    assert_eq!(json["error"]["problems"][0]["file"], "cases/bad.yaml");
    assert_eq!(json["error"]["problems"][0]["line"], 1);
    let xml = std::fs::read_to_string(p.path().join("j.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert!(doc.descendants().any(|n| n.has_tag_name("error")
        && n.attribute("message")
            .is_some_and(|m| m.contains("unknown operation"))));
    let lines = std::fs::read_to_string(p.path().join("r.jsonl")).unwrap();
    let kinds: Vec<String> = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["type"].to_string())
        .collect();
    assert_eq!(kinds, ["\"run\"", "\"error\"", "\"summary\""]);
}

#[test]
fn every_command_works_from_a_subfolder_of_the_project() {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    let sub = p.path().join("cases/evs");
    let out = conform(&sub, &["run", "--snapshots", "off"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 passed"));
    let lint = conform(&sub, &["lint"]);
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint.stderr));
}

#[test]
fn a_failure_names_the_rule_and_shows_the_body_behind_an_absent_pointer() {
    let case = "operation: evs.update_snapshot.v2\ndescription: The name is echoed back (documented response field).\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n    expect:\n      status: 200\n      body:\n        - {pointer: /snapshot/nickname, equals: x}\n";
    let p = project(&[("r.yaml", case)]);
    let out = conform(p.path(), &["run", "--snapshots", "off"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("rule: The name is echoed back"), "{stdout}");
    assert!(
        stdout.contains("/snapshot/nickname is missing; the body was: {\"snapshot\""),
        "{stdout}"
    );
}

/// A run of slow cases, killed by `signal` after `after`: the exit code and the reports.
fn interrupted(signal: &str, after: Duration) -> (Option<i32>, tempfile::TempDir) {
    let cases: Vec<(String, String)> = (0..6)
        .map(|i| (format!("c{i}.yaml"), GOOD.to_string()))
        .collect();
    let refs: Vec<(&str, &str)> = cases
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let p = project(&refs);
    let child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "run",
            "--fault",
            "slow",
            "--slow-delay",
            "3s",
            "--jobs",
            "2",
            "--snapshots",
            "off",
            "--report-json",
            "r.json",
            "--report-junit",
            "j.xml",
            "--report-jsonl",
            "r.jsonl",
        ])
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    assert!(Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let status = child.wait_with_output().unwrap().status;
    (status.code(), p)
}

#[rstest]
#[case::sigterm("-TERM")]
#[case::sighup("-HUP")]
fn sigterm_and_sighup_end_like_ctrl_c_with_complete_reports(#[case] signal: &str) {
    let (code, p) = interrupted(signal, Duration::from_millis(800));
    assert_eq!(code, Some(3), "{signal} ends the run with 3");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("r.json")).unwrap())
            .expect("the JSON report is whole");
    assert_eq!(json["summary"]["aborted"], true);
    assert_eq!(json["exit_code"], 3);
    let xml = std::fs::read_to_string(p.path().join("j.xml")).expect("JUnit is written");
    roxmltree::Document::parse(&xml).expect("JUnit parses");
    let last = std::fs::read_to_string(p.path().join("r.jsonl")).unwrap();
    assert!(last
        .lines()
        .last()
        .unwrap()
        .contains("\"type\":\"summary\""));
}

#[test]
fn after_sigkill_no_report_is_torn() {
    let (code, p) = interrupted("-KILL", Duration::from_millis(800));
    assert_eq!(code, None, "killed");
    // The JSON report is renamed into place only when whole: after a kill there is none, and no
    // temporary file is mistaken for it.
    assert!(!p.path().join("r.json").exists());
    assert!(!p.path().join("j.xml").exists());
    // Every complete JSONL line is a valid record.
    let lines = std::fs::read_to_string(p.path().join("r.jsonl")).unwrap();
    assert!(lines.ends_with('\n'));
    for l in lines.lines() {
        serde_json::from_str::<serde_json::Value>(l).expect("a valid record");
    }
    assert!(lines.starts_with("{") && lines.contains("\"type\":\"run\""));
}

#[test]
fn the_mock_prints_its_fixture_variables_for_a_vars_file() {
    let out = conform(&root(), &["mock", "--print-vars"]);
    assert_eq!(out.status.code(), Some(0));
    let vars: std::collections::BTreeMap<String, String> =
        serde_saphyr::from_str(&text(&out.stdout)).expect("YAML a --vars-file takes");
    let fixtures = conform::mock::state::Fixtures::defaults().vars;
    assert_eq!(vars, fixtures.into_iter().collect());
    assert!(vars.contains_key("snapshot_id"), "{vars:?}");
}

#[test]
fn the_markdown_summary_carries_the_rule_coverage_figures() {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    let out = conform(
        p.path(),
        &["run", "--snapshots", "off", "--report-markdown", "r.md"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let md = std::fs::read_to_string(p.path().join("r.md")).unwrap();
    assert!(md.contains("Rule coverage: **"), "{md}");
    // The one case covers the documented success status of its operation.
    assert!(md.contains("| `evs.update_snapshot.v2` |"), "{md}");
}

#[test]
fn a_teardown_whose_input_was_never_captured_is_not_run() {
    let case = "operation: evs.update_snapshot.v2\nsteps:\n  - name: read\n    operation: evs.show_snapshot.v2\n    request: {params: {snapshot_id: \"${missing_id}\"}}\n    capture: {old_name: /snapshot/name}\nteardown:\n  - name: restore\n    request:\n      body: {snapshot: {name: \"${old_name}\"}}\n";
    let p = project(&[("t.yaml", case)]);
    let out = conform(
        p.path(),
        &["run", "--snapshots", "off", "--report-json", "r.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("r.json")).unwrap()).unwrap();
    let c = &report["cases"][0];
    // The read failed (404, nothing captured): a failure, not an error from the teardown.
    assert_eq!(c["verdict"], "failed", "{c}");
    let steps: Vec<&str> = c["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["read"], "{c}");
}

#[test]
fn a_broken_config_is_bad_input_even_without_a_target() {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    std::fs::write(p.path().join("conform.yaml"), "targets: [\n").unwrap();
    let out = conform(p.path(), &["run", "--snapshots", "off"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("conform.yaml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_folder_prefix_selects_its_cases_and_an_unknown_operation_is_never_excused() {
    let p = project(&[("evs/rename.yaml", GOOD), ("evs/more/x.yaml", GOOD)]);
    for arg in ["evs", "evs/", "evs/more"] {
        let out = conform(p.path(), &["run", "--list", arg]);
        assert_eq!(out.status.code(), Some(0), "{arg}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("evs/more/x"), "{arg}");
    }
    let out = conform(
        p.path(),
        &["run", "--operation", "nope", "--no-cases", "pass"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("no such operation"));
}

#[test]
fn derive_never_wipes_a_contract_by_accident() {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    let vpc = root().join("../shared/pages/vpc");
    let before = std::fs::read_to_string(p.path().join("schemas/operations.json")).unwrap();
    // Without --out the project's own schemas/ is the target: the VPC pages would remove its
    // operations, so nothing is written.
    let out = conform(p.path(), &["derive", vpc.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("nothing was written"),
        "{}",
        text(&out.stderr)
    );
    let after = std::fs::read_to_string(p.path().join("schemas/operations.json")).unwrap();
    assert_eq!(before, after);
    // --force replaces it on purpose.
    let forced = conform(
        p.path(),
        &["derive", vpc.to_str().unwrap(), "-q", "--force"],
    );
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert_ne!(
        before,
        std::fs::read_to_string(p.path().join("schemas/operations.json")).unwrap()
    );
}

#[test]
fn small_suites_are_parsed_once_and_large_ones_keep_only_references() {
    use conform::commands::select::{select_cases, Selection, HOLD_CASES};
    let contract = conform::contract::Contract::load(&root().join("schemas")).unwrap();
    let mut vars = conform::case::vars::Vars::new("r");
    for (k, v) in conform::mock::state::Fixtures::defaults().vars {
        vars.set(k, serde_json::Value::String(v));
    }
    let dir = tempfile::tempdir().unwrap();
    let sel = Selection {
        cases_dir: dir.path().to_path_buf(),
        ..Selection::default()
    };
    for i in 0..HOLD_CASES {
        std::fs::write(dir.path().join(format!("c{i}.yaml")), GOOD).unwrap();
    }
    let small = select_cases(&sel, &contract, &vars).unwrap();
    assert!(
        small.cases.iter().all(|c| c.case.is_some()),
        "held: parsed once"
    );
    assert_eq!(small.coverage.len(), HOLD_CASES);
    std::fs::write(dir.path().join("one_more.yaml"), GOOD).unwrap();
    let large = select_cases(&sel, &contract, &vars).unwrap();
    assert!(
        large.cases.iter().all(|c| c.case.is_none()),
        "references only"
    );
    // Coverage still knows every case.
    assert_eq!(large.coverage.len(), HOLD_CASES + 1);
}

#[rstest]
#[case::stdout(&["run", "--report-json", "-"], "reports are written to files")]
#[case::same_path(&["run", "--report-json", "r", "--report-junit", "r"], "writes there too")]
fn report_paths_that_cannot_work_are_bad_input(#[case] args: &[&str], #[case] needle: &str) {
    let p = project(&[("evs/rename.yaml", GOOD)]);
    let out = conform(p.path(), args);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(needle), "{}", text(&out.stderr));
    assert!(!p.path().join("-").exists());
}

/// Cases start as they are read; the first broken one (in file order) stops any later case
/// from starting, and the run ends as bad input naming it.
#[test]
fn a_broken_case_among_streamed_ones_stops_the_later_ones_and_is_bad_input() {
    const OK: &str = "operation: evs.update_snapshot.v3\nsteps:\n  - request:\n      body: {snapshot: {name: snap-001}}\n    expect: {status: 200}\n";
    let p = project(&[
        ("a_first.yaml", OK),
        ("b_broken.yaml", "operation: nope\nsteps:\n  - {}\n"),
        ("c_later.yaml", OK),
    ]);
    let out = conform(p.path(), &["run", "--report-json", "r.json"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("cases/b_broken.yaml") && stderr.contains("unknown operation"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("c_later"),
        "a case after the broken one never starts: {stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["exit_code"], 2);
    assert_eq!(json["error"]["problems"][0]["file"], "cases/b_broken.yaml");
}
