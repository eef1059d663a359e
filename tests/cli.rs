//! The harness as a user meets it: the binary, its exit codes, its one-line errors, its reports,
//! and the suite against the faithful mock and against every fault mode.

use std::process::Command;

use conform::commands::run::{run, RunArgs, TargetChoice};
use conform::mock::faults::{Faults, ALL};
use conform::run::RunOptions;
use rstest::rstest;
use serde_json::Value;

mod common;

use common::{conform, project, root, text};

const GOOD: &str = "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n    expect:\n      status: 200\n";

#[test]
fn the_main_command_passes_every_case_against_the_built_in_mock() {
    let out = conform(&root(), &["run"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let last = stdout.lines().last().unwrap();
    assert!(
        last.contains(" passed, 0 failed, 0 errored, 1 skipped"),
        "{last}"
    );
    assert!(
        stdout.contains("auth/bad_signature")
            && stdout.contains("(requires aksk: the target has token)"),
        "only the AK/SK case is skipped: {stdout}"
    );
    assert!(
        stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("PASS"))
            .count()
            >= 12
    );
}

#[test]
fn an_unreachable_target_exits_3_with_one_line() {
    let out = conform(&root(), &["run", "--target-url", "http://127.0.0.1:1"]);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("unreachable") && err.contains("127.0.0.1:1"),
        "{err}"
    );
}

#[rstest]
#[case::field_typo(
    "typo.yaml",
    "operation: evs.update_snapshot.v2\nsteps:\n  - requets: {}\n",
    "cases/typo.yaml:3:5",
    "requets"
)]
#[case::bad_yaml("bad.yaml", "operation: [\nsteps: -\n", "cases/bad.yaml:", "")]
#[case::bad_json(
    "bad.json",
    "{\"operation\": \"evs.update_snapshot.v2\",\n \"steps\": [}\n",
    "cases/bad.json:2:",
    "invalid JSON"
)]
#[case::unknown_operation(
    "op.yaml",
    "operation: evs.update_snapshots.v2\nsteps:\n  - {}\n",
    "cases/op.yaml:1:12",
    "did you mean 'evs.update_snapshot.v2'"
)]
#[case::missing_variable("var.yaml", "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: \"${nope}\"}}\n    expect: {status: 400}\n", "cases/var.yaml:4:13", "undefined variable 'nope'")]
#[case::bad_pointer("ptr.yaml", "operation: evs.update_snapshot.v2\nsteps:\n  - expect:\n      body:\n        - {pointer: snapshot/name, present: true}\n", "cases/ptr.yaml:5:11", "invalid JSON pointer")]
#[case::bad_regex("re.yaml", "operation: evs.update_snapshot.v2\nsteps:\n  - expect:\n      body:\n        - {pointer: /a, matches: \"(\"}\n", "cases/re.yaml:5:11", "invalid regex")]
#[case::bad_status(
    "st.yaml",
    "operation: evs.update_snapshot.v2\nsteps:\n  - expect: {status: 999}\n",
    "cases/st.yaml:3:22",
    "invalid status 999"
)]
#[case::contradicts_contract("cc.yaml", "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: '${repeat(\"字\", 86)}'}}\n    expect: {status: 200}\n", "cases/cc.yaml:4:13", "case contradicts the contract")]
fn broken_case_files_exit_2_with_file_line_column(
    #[case] name: &str,
    #[case] content: &str,
    #[case] position: &str,
    #[case] message: &str,
) {
    let p = project(&[(name, content)]);
    for cmd in [&["lint"][..], &["run"][..]] {
        let out = conform(p.path(), cmd);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {err}");
        // Rendered once, as rustc and Hurl do: the message, the location, the source line
        // and a caret under the column.
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error: ") && first.contains(message),
            "{cmd:?}: {err}"
        );
        assert!(err.contains(&format!("--> {position}")), "{cmd:?}: {err}");
        if position.matches(':').count() == 2 {
            let line: usize = position.split(':').nth(1).unwrap().parse().unwrap();
            let source = content.lines().nth(line - 1).unwrap();
            assert!(err.contains(&format!("{line} | {source}")), "{err}");
            assert!(err.lines().any(|l| l.trim_end().ends_with('^')), "{err}");
        }
        assert!(!err.contains("panicked") && !err.contains(":0:0"), "{err}");
    }
}

#[test]
fn duplicate_case_ids_are_bad_input() {
    let p = project(&[
        ("a.yaml", GOOD),
        (
            "a.json",
            r#"{"operation": "evs.update_snapshot.v2", "steps": [{}]}"#,
        ),
    ]);
    let out = conform(p.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("duplicate case id 'a'"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_unreadable_case_file_is_bad_input() {
    let p = project(&[]);
    std::os::unix::fs::symlink("/nonexistent/target", p.path().join("cases/gone.yaml")).unwrap();
    let out = conform(p.path(), &["lint"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("gone.yaml (the whole file)") && err.lines().count() == 2,
        "{err}"
    );
}

#[rstest]
#[case::unknown_flag(&["run", "--frobnicate"], "--frobnicate")]
#[case::bad_timeout(&["run", "--timeout", "fast"], "--timeout")]
#[case::bad_fault(&["run", "--fault", "nope"], "unknown fault 'nope'")]
#[case::bad_var(&["run", "--var", "novalue"], "NAME=VALUE")]
#[case::missing_target(&["run", "--target", "staging"], "conform.yaml not found")]
fn bad_flags_exit_2_naming_the_flag(#[case] args: &[&str], #[case] needle: &str) {
    let out = conform(&root(), args);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(needle), "{}", text(&out.stderr));
}

#[test]
fn reports_hold_every_case_and_junit_parses() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("r.json");
    let junit_path = dir.path().join("r.xml");
    let out = conform(
        &root(),
        &[
            "run",
            "--report-json",
            json_path.to_str().unwrap(),
            "--report-junit",
            junit_path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let cases = std::fs::read_dir(root().join("cases")).is_ok();
    assert!(cases);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let list = report["cases"].as_array().unwrap();
    let n = list.len();
    assert!(n >= 12);
    assert_eq!(report["summary"]["passed"], n - 1);
    assert_eq!(report["summary"]["skipped"], 1);
    assert_eq!(report["exit_code"], 0);
    // auth/no_token and auth/missing_token send no credential on purpose.
    for c in list.iter().filter(|c| {
        c["verdict"] != "skipped" && c["id"] != "auth/no_token" && c["id"] != "auth/missing_token"
    }) {
        let step = &c["steps"][0];
        assert!(
            step["request"]["url"].is_string()
                && step["response"]["status"].is_u64()
                && step["findings"].is_array(),
            "{c}"
        );
        assert_eq!(
            step["request"]["headers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h[0] == "x-auth-token")
                .map(|h| h[1].clone()),
            Some(Value::from("<redacted>")),
            "the token is redacted"
        );
    }
    let xml = std::fs::read_to_string(&junit_path).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit is XML");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        n
    );
}

#[test]
fn a_failing_run_reports_findings_with_pointers_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("r.json");
    let out = conform(
        &root(),
        &[
            "run",
            "--fault",
            "wrong-field-type",
            "--report-json",
            json_path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("FAIL") && stdout.contains("/snapshot/size"),
        "{stdout}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let finding = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["steps"].as_array().unwrap().iter())
        .flat_map(|s| s["findings"].as_array().unwrap().iter())
        .find(|f| f["check"] == "schema")
        .expect("a schema finding");
    assert_eq!(finding["pointer"], "/snapshot/size");
    assert_eq!(finding["actual"], "\"1\"");
    assert_eq!(report["exit_code"], 1);
}

#[test]
fn list_prints_what_would_run_filtered_by_tag_operation_and_glob() {
    let out = conform(&root(), &["run", "--list", "--tag", "example"]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(s.lines().count(), 4, "{s}");
    let out = conform(
        &root(),
        &[
            "run",
            "--list",
            "--operation",
            "ecs.update_server_metadata_item.v2_1",
            "ecs/**",
        ],
    );
    assert!(
        text(&out.stdout).lines().all(|l| l.starts_with("ecs/")),
        "{}",
        text(&out.stdout)
    );
}

fn args(faults: Faults, strict: Option<bool>) -> RunArgs {
    let target = TargetChoice::Mock {
        faults,
        slow_delay: std::time::Duration::from_secs(2),
    };
    let mut args = RunArgs::new(root().join("cases"), root().join("schemas"), target);
    args.options = RunOptions {
        jobs: 4,
        timeout: std::time::Duration::from_millis(400),
        ..RunOptions::default()
    };
    args.strict = strict;
    args
}

/// Every fault mode is caught by at least one case (a mutation score of 100%), and the faithful
/// mock passes everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_catches_every_fault_and_passes_the_faithful_mock() {
    let mut out = Vec::new();
    assert_eq!(
        run(args(Faults::default(), None), &mut out).await.unwrap(),
        0,
        "{}",
        text(&out)
    );
    let mut uncaught = Vec::new();
    for fault in ALL {
        let mut out = Vec::new();
        let code = run(args(Faults::new([*fault]), None), &mut out)
            .await
            .unwrap();
        let summary = text(&out);
        if code == 0
            || summary
                .lines()
                .last()
                .unwrap_or_default()
                .starts_with("0 passed, 0 failed, 0 errored")
        {
            uncaught.push(fault.name());
        }
    }
    assert!(uncaught.is_empty(), "faults no case catches: {uncaught:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_warns_by_default_on_real_targets_and_fails_when_strict() {
    let mut out = Vec::new();
    let code = run(
        args(
            Faults::new([conform::mock::faults::Fault::ExtraField]),
            Some(false),
        ),
        &mut out,
    )
    .await
    .unwrap();
    assert_eq!(code, 0, "{}", text(&out));
    let mut out = Vec::new();
    let code = run(
        args(
            Faults::new([conform::mock::faults::Fault::ExtraField]),
            Some(true),
        ),
        &mut out,
    )
    .await
    .unwrap();
    assert_eq!(code, 1);
    assert!(
        text(&out).contains("[drift] /snapshot/x_mock_internal"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_case_format_schema_accepts_every_shipped_case_and_rejects_typos() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/case.schema.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let mut n = 0;
    for entry in walkdir::WalkDir::new(root().join("cases"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let value: Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", entry.path().display());
        n += 1;
    }
    assert!(n >= 12);
    let typo: Value = serde_saphyr::from_str("operation: x\nsteps:\n  - requets: {}\n").unwrap();
    assert!(!v.is_valid(&typo));
}

#[test]
fn ctrl_c_runs_teardown_exits_3_and_still_writes_the_reports() {
    let case = "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: changed}}\n    expect: {status: 200}\nteardown:\n  - name: restore\n    request:\n      body: {snapshot: {name: snap-001}}\n    expect: {status: 200}\n";
    let p = project(&[("slow.yaml", case)]);
    let report = p.path().join("r.json");
    let child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "run",
            "--fault",
            "slow",
            "--slow-delay",
            "1500ms",
            "--timeout",
            "10s",
            "--report-json",
            report.to_str().unwrap(),
        ])
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stdout));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap())
        .expect("a complete JSON report");
    assert_eq!(r["summary"]["aborted"], true);
    let steps = r["cases"][0]["steps"].as_array().unwrap();
    let teardown = steps
        .iter()
        .find(|s| s["teardown"] == true)
        .expect("the teardown ran");
    assert_eq!(teardown["response"]["status"], 200, "{teardown}");
}

#[test]
fn init_writes_a_config_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = conform(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let path = dir.path().join("conform.yaml");
    let config = conform::run::target::Config::load(&path).expect("the example parses");
    assert_eq!(
        config.targets.keys().collect::<Vec<_>>(),
        vec!["local", "staging"]
    );
    std::env::set_var("HUAWEICLOUD_SDK_AK", "a");
    std::env::set_var("HUAWEICLOUD_SDK_SK", "b");
    let staging = config.target("staging", &path).unwrap();
    assert_eq!(
        staging.base_url("evs"),
        Some("https://evs.cn-north-4.myhuaweicloud.com")
    );
    assert!(!staging.mutations_allowed);
    assert!(config.target("local", &path).unwrap().mutations_allowed);
    let again = conform(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists"));
    // The first line names the schema for yaml-language-server, and the schema is there.
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        written.lines().next(),
        Some("# yaml-language-server: $schema=schemas/conform.schema.json")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("schemas/conform.schema.json")).unwrap(),
        std::fs::read_to_string(root().join("schemas/conform.schema.json")).unwrap()
    );
}

/// Every example config a user meets (`conform init`'s, the README's, the shapes the tests
/// write) is valid by the committed schema, as the loader finds it; broken ones are refused.
#[test]
fn every_example_config_is_valid_by_the_committed_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/conform.schema.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut examples: Vec<(String, String)> = vec![(
        "conform init".into(),
        conform::commands::init::EXAMPLE.to_string(),
    )];
    for (i, block) in readme.split("```yaml\n").skip(1).enumerate() {
        let block = &block[..block.find("```").unwrap()];
        if block.starts_with("targets:") {
            examples.push((format!("README yaml block {i}"), block.to_string()));
        }
    }
    for (i, heredoc) in readme.split("<<'YAML'\n").skip(1).enumerate() {
        let body = &heredoc[..heredoc.find("\nYAML\n").unwrap() + 1];
        examples.push((format!("README heredoc {i}"), body.to_string()));
    }
    assert!(examples.len() >= 3, "{examples:?}");
    for extra in [
        "",
        "    auth: {type: aksk, ak_env: A, sk_env: B}\n    mutations: allowed\n",
        "    auth: {type: token, token_env: CONFORM_TEST_TOKEN}\n",
    ] {
        examples.push((
            format!("mock_target_config {extra}"),
            common::mock_target_config("t", "http://127.0.0.1:1", extra),
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    for (what, text) in &examples {
        let value: Value = serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
        let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{what}: {errors:?}\n{text}");
        let file = dir.path().join("conform.yaml");
        std::fs::write(&file, text).unwrap();
        conform::run::target::Config::load(&file).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
    for broken in [
        "targets:\n  lab:\n    services:\n      evs: \"ftp://evs.example\"\n",
        "targets:\n  t:\n    region: r\n    auth: {type: token}\n",
        "targets:\n  t:\n    mutations: sometimes\n",
    ] {
        let value: Value = serde_saphyr::from_str(broken).unwrap();
        assert!(!v.is_valid(&value), "{broken}");
        let file = dir.path().join("conform.yaml");
        std::fs::write(&file, broken).unwrap();
        assert!(
            conform::run::target::Config::load(&file).is_err(),
            "{broken}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_checks_reachability_auth_and_scratch_resources() {
    let mock = conform::mock::spawn(conform::mock::MockConfig {
        auth: conform::mock::MockAuth::AkSk {
            ak: "HPUADOCTORAK00000001".into(),
            sk: "doctor-sk".into(),
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let v = conform::mock::state::Fixtures::defaults().vars;
    let config = |server: &str, sk_env: &str| {
        format!(
            "targets:\n  t:\n    services: {{evs: \"{0}\", ecs: \"{0}\"}}\n    auth: {{type: aksk, ak_env: DOC_AK, sk_env: {sk_env}}}\n    vars: {{project_id: \"{1}\", snapshot_id: \"{2}\", server_id: \"{server}\"}}\n  down:\n    services: {{evs: \"http://127.0.0.1:1\"}}\n",
            mock.base_url(),
            v["project_id"],
            v["snapshot_id"]
        )
    };
    let doctor = |cfg: String| {
        std::fs::write(dir.path().join("conform.yaml"), cfg).unwrap();
        Command::new(env!("CARGO_BIN_EXE_conform"))
            .args(["doctor", "--target", "t"])
            .arg("--schemas")
            .arg(root().join("schemas"))
            .arg("--cases-dir")
            .arg(root().join("cases"))
            .current_dir(dir.path())
            .env("DOC_AK", "HPUADOCTORAK00000001")
            .env("DOC_SK", "doctor-sk")
            .env("DOC_SK_BAD", "wrong")
            .output()
            .unwrap()
    };
    let ok = doctor(config(&v["server_id"], "DOC_SK"));
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    assert_eq!(
        text(&ok.stdout)
            .lines()
            .filter(|l| l.starts_with("ok "))
            .count(),
        3,
        "{}",
        text(&ok.stdout)
    );
    let bad_sk = doctor(config(&v["server_id"], "DOC_SK_BAD"));
    assert_eq!(bad_sk.status.code(), Some(1));
    assert!(
        text(&bad_sk.stdout).contains("FAIL  evs: GET")
            && text(&bad_sk.stdout).contains("auth refused (401)"),
        "{}",
        text(&bad_sk.stdout)
    );
    assert!(!text(&bad_sk.stdout).contains("wrong") && !text(&bad_sk.stdout).contains("doctor-sk"));
    let missing = doctor(config("no-such-server", "DOC_SK"));
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stdout).contains("server_id no-such-server was not found"),
        "{}",
        text(&missing.stdout)
    );
    std::fs::write(
        dir.path().join("conform.yaml"),
        config(&v["server_id"], "DOC_SK"),
    )
    .unwrap();
    let down = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["doctor", "--target", "down"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(down.status.code(), Some(3), "{}", text(&down.stdout));
    assert!(
        text(&down.stdout).contains("FAIL  reachable: http://127.0.0.1:1"),
        "{}",
        text(&down.stdout)
    );
    mock.stop().await;
}

/// What `conform mock ARGS` prints on stderr up to its listening line; the child is killed then.
/// The addresses bind port 0 and no request is sent, so nothing leaves the machine.
fn mock_stderr_until_listening(args: &[&str]) -> String {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("mock")
        .args(args)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = String::new();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("listening on") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(seen.contains("listening on"), "{seen}");
    seen
}

#[test]
fn a_mock_reachable_from_other_machines_with_an_open_admin_api_warns() {
    let exposed = mock_stderr_until_listening(&["--listen", "0.0.0.0:0"]);
    assert!(
        exposed.contains("warning:")
            && exposed.contains("--no-admin")
            && exposed.contains("--auth"),
        "{exposed}"
    );
    for quiet in [
        &["--listen", "127.0.0.1:0"][..],
        &["--listen", "0.0.0.0:0", "--no-admin"],
        &["--listen", "0.0.0.0:0", "--auth", "token:T"],
    ] {
        let stderr = mock_stderr_until_listening(quiet);
        assert!(!stderr.contains("warning"), "{quiet:?}: {stderr}");
    }
}

#[test]
fn verbose_prints_each_steps_request_line_and_status_and_very_verbose_the_bodies() {
    let dir = project(&[("v.yaml", GOOD)]);
    let run = |flag: &str| {
        let out = conform(dir.path(), &["run", flag, "--snapshots", "off"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
        text(&out.stderr)
    };
    let v = run("-v");
    assert!(v.contains("* case v (PASS)"), "{v}");
    assert!(v.contains("> PUT http://127.0.0.1:"), "{v}");
    assert!(
        v.lines()
            .any(|l| l.starts_with("< 200 in ") && l.ends_with(" ms")),
        "{v}"
    );
    assert!(
        !v.contains(r#"{"snapshot":{"name":"x"}}"#),
        "-v shows no body: {v}"
    );
    for flag in ["-vv", "--very-verbose"] {
        let vv = run(flag);
        for want in [
            "> x-auth-token: <redacted>",
            r#"> {"snapshot":{"name":"x"}}"#,
            "< content-type: application/json",
            r#"< {"snapshot":{"#,
        ] {
            assert!(vv.contains(want), "{flag}: {want} in {vv}");
        }
    }
    // Without the flag nothing of the exchange is printed.
    let quiet = conform(dir.path(), &["run", "--snapshots", "off"]);
    assert!(
        !text(&quiet.stderr).contains("> PUT"),
        "{}",
        text(&quiet.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn very_verbose_shows_no_access_key_secret_key_or_signature_of_a_signed_run() {
    const AK: &str = "HPUAVERBOSEAK0000077";
    const SK: &str = "verbose-secret-key/0077+x";
    let mock = conform::mock::spawn(conform::mock::MockConfig {
        auth: conform::mock::MockAuth::AkSk {
            ak: AK.into(),
            sk: SK.into(),
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = project(&[("signed.yaml", GOOD)]);
    std::fs::write(
        dir.path().join("conform.yaml"),
        common::mock_target_config(
            "signed",
            &mock.base_url(),
            "    auth: {type: aksk, ak_env: VERBOSE_AK, sk_env: VERBOSE_SK}\n    mutations: allowed\n",
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--target", "signed", "-vv", "--snapshots", "off"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("VERBOSE_AK", AK)
        .env("VERBOSE_SK", SK)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("> PUT ") && stderr.contains("> Authorization: <redacted>"),
        "the exchange is shown, its signature hidden: {stderr}"
    );
    for text in [&stdout, &stderr] {
        for leak in [AK, SK, "SDK-HMAC-SHA256", "Signature=", "Access="] {
            assert!(!text.contains(leak), "{leak} leaked: {text}");
        }
    }
    mock.stop().await;
}

#[test]
fn version_names_the_commit_and_the_contract_it_was_built_from() {
    use sha2::{Digest, Sha256};
    let out = conform(&root(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let line = text(&out.stdout);
    // The commit as git sees it now (the test binary and conform were built from this tree).
    let head = Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| text(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    // The fingerprint recomputed by the rule the help states.
    let schemas = root().join("schemas");
    let mut files: Vec<String> = walkdir::WalkDir::new(&schemas)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&schemas).unwrap();
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .filter(|name| {
            name.contains('/')
                || ["operations.json", "error-codes.json", "resources.json"]
                    .contains(&name.as_str())
        })
        .collect();
    files.sort();
    let mut hash = Sha256::new();
    for name in &files {
        let bytes = std::fs::read(schemas.join(name)).unwrap();
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    let fingerprint = hex::encode(&hash.finalize()[..6]);
    assert_eq!(
        line.trim(),
        format!(
            "conform {} (commit {head}, contract sha256:{fingerprint})",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert!(files.len() > 10, "{files:?}");
    let help = text(&conform(&root(), &["--help"]).stdout);
    assert!(help.contains("computed at build time"), "{help}");
}

#[test]
fn the_readme_opens_with_the_two_commands_then_says_how_to_install() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let first = "```sh\ncargo run --release -- run     # every case in cases/ against the built-in mock\ncargo test                     # the project's tests\n```\n";
    let install = readme.find("\n## Install\n").expect("an install section");
    assert_eq!(
        readme.find(first),
        Some("# conform\n\n".len()),
        "the two commands come first"
    );
    assert!(
        install < readme.find("\n## Commands\n").unwrap(),
        "near the top"
    );
    let section = &readme[install..];
    for command in [
        "cargo install --locked --path .",
        "cargo install --locked --git URL-OF-THIS-REPOSITORY",
    ] {
        assert!(section.contains(command), "{command}");
    }
}
