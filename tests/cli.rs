//! The harness as a user meets it: the binary, its exit codes, its one-line errors, its reports,
//! and the suite against the faithful mock and against every fault mode.

use std::process::Command;

use conform::commands::run::{run, RunArgs, TargetChoice};
use conform::mock::faults::{Faults, EMULATION};
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
#[case::empty(
    "empty.yaml",
    "\n# nothing yet\n",
    "cases/empty.yaml",
    "the case file is empty"
)]
#[case::two_documents(
    "two.yaml",
    "operation: evs.update_snapshot.v2\nsteps: []\n---\noperation: x\n",
    "cases/two.yaml:4:1",
    "a second YAML document"
)]
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
#[case::bad_fault(&["run", "--fault", "nope"], "invalid value 'nope' for '--fault")]
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
    let (mut uncaught, mut idle) = (Vec::new(), Vec::new());
    for fault in EMULATION {
        let mut out = Vec::new();
        let code = run(args(Faults::new([*fault]), None), &mut out)
            .await
            .unwrap();
        let summary = text(&out);
        // The run says when a fault never took effect: each of these must have.
        if summary.contains("took effect 0 times") {
            idle.push(fault.name());
        }
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
    assert!(idle.is_empty(), "faults no case gave a chance: {idle:?}");
}

/// A fault that no selected case gave anything to change (a delete where no case deletes) is
/// no proof either way: the run passes and says so.
#[test]
fn a_run_says_which_fault_of_the_mock_never_took_effect() {
    let p = project(&[(
        "ecs/meta.yaml",
        "operation: ecs.update_server_metadata_item.v2_1\nsteps:\n  - request:\n      params: {key: k}\n      body: {meta: {k: v}}\n    expect:\n      status: 200\n",
    )]);
    let out = conform(
        p.path(),
        &[
            "run",
            "--fault",
            "delete-keeps",
            "--fault",
            "metadata-not-persisted",
            "--snapshots",
            "off",
        ],
    );
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("fault delete-keeps took effect 0 times"),
        "{all}"
    );
    assert!(
        !all.contains("metadata-not-persisted took effect 0"),
        "the write was not kept: {all}"
    );
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
    let staging = config.target("staging", &path, "--target").unwrap();
    assert_eq!(
        staging.base_url("evs"),
        Some("https://evs.cn-north-4.myhuaweicloud.com")
    );
    assert!(!staging.mutations_allowed);
    assert!(
        config
            .target("local", &path, "--target")
            .unwrap()
            .mutations_allowed
    );
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
    // In a subfolder of the project, init finds the project's config rather than writing a
    // second one there (which would take over project discovery below it).
    std::fs::create_dir_all(dir.path().join("cases/evs")).unwrap();
    let sub = conform(&dir.path().join("cases/evs"), &["init"]);
    assert_eq!(sub.status.code(), Some(2), "{}", text(&sub.stdout));
    assert!(!dir.path().join("cases/evs/conform.yaml").exists());
}

/// In an empty folder, `conform init` starts a project that runs: the shipped contract, suite
/// and mock baseline, and a `local` target whose variables are the built-in fixtures', so
/// `conform run` and `conform run --target local` against `conform mock` both run the suite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_in_an_empty_folder_starts_a_project_whose_suite_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = conform(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (total, _) = common::shipped_cases();
    let run = conform(dir.path(), &["run"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stdout));
    assert!(
        text(&run.stdout).contains(" 0 failed, 0 errored"),
        "{}",
        text(&run.stdout)
    );
    let mock = conform::mock::spawn(conform::mock::MockConfig::default())
        .await
        .unwrap();
    let config = std::fs::read_to_string(dir.path().join("conform.yaml"))
        .unwrap()
        .replace("http://127.0.0.1:8080", &mock.base_url());
    std::fs::write(dir.path().join("conform.yaml"), config).unwrap();
    let d = dir.path().to_path_buf();
    let local = tokio::task::spawn_blocking(move || {
        conform(&d, &["run", "--target", "local", "--report-json", "r.json"])
    })
    .await
    .unwrap();
    assert_eq!(
        local.status.code(),
        Some(0),
        "{}{}",
        text(&local.stdout),
        text(&local.stderr)
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["failed"], 0, "{}", report["summary"]);
    assert_eq!(report["summary"]["errored"], 0, "{}", report["summary"]);
    let ran = report["summary"]["passed"].as_u64().unwrap() as usize;
    assert!(
        ran + 5 >= total,
        "{ran} of {total} cases ran: {}",
        report["summary"]
    );
    mock.stop().await;
}

/// Every example config a user meets (`conform init`'s, the docs', the shapes the tests
/// write) is valid by the committed schema, as the loader finds it; broken ones are refused.
#[test]
fn every_example_config_is_valid_by_the_committed_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/conform.schema.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let mut examples: Vec<(String, String)> =
        vec![("conform init".into(), conform::commands::init::example())];
    for (file, text) in common::docs() {
        for (i, block) in text.split("```yaml\n").skip(1).enumerate() {
            let block = &block[..block.find("```").unwrap()];
            if block.starts_with("targets:") {
                examples.push((format!("{file} yaml block {i}"), block.to_string()));
            }
        }
        for (i, heredoc) in text.split("<<'YAML'\n").skip(1).enumerate() {
            let body = &heredoc[..heredoc.find("\nYAML\n").unwrap() + 1];
            examples.push((format!("{file} heredoc {i}"), body.to_string()));
        }
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

/// Reading a map is linear in its keys: 100,000 `vars` (YAML and JSON) lint in well under the
/// bound. The bound is generous on purpose (a noisy 2-core machine, a debug build): the
/// quadratic reader this guards against took about 30 s for this file in a release build.
#[test]
fn a_case_with_a_hundred_thousand_vars_is_read_in_linear_time() {
    let n = 100_000;
    let yaml: String = (0..n).map(|i| format!("  k{i}: v{i}\n")).collect();
    let yaml = format!(
        "operation: evs.update_snapshot.v2\nvars:\n{yaml}steps:\n  - request:\n      body: {{snapshot: {{name: x}}}}\n"
    );
    let vars: serde_json::Map<String, Value> = (0..n)
        .map(|i| (format!("k{i}"), Value::String(format!("v{i}"))))
        .collect();
    let json = serde_json::json!({
        "operation": "evs.update_snapshot.v2",
        "vars": vars,
        "steps": [{"request": {"body": {"snapshot": {"name": "x"}}}}],
    });
    let p = project(&[("big.yaml", &yaml), ("big_json.json", &json.to_string())]);
    let started = std::time::Instant::now();
    let out = conform(p.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

/// Every input is read from regular files only and within its limit: a link to `/dev/zero`
/// or a FIFO is refused at once (exit 2, naming the file) instead of eating memory or hanging.
#[cfg(unix)]
#[test]
fn inputs_that_are_devices_fifos_or_over_the_limit_are_bad_input() {
    let p = project(&[]);
    let dir = p.path();
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.yaml")).unwrap();
    assert!(Command::new("mkfifo")
        .arg(dir.join("fifo.yaml"))
        .status()
        .unwrap()
        .success());
    // One byte over the 16 MiB limit of a case or vars file.
    let big = dir.join("big.yaml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(16 * 1024 * 1024 + 1).unwrap();
    for (args, needle) in [
        (vec!["lint", "zero.yaml"], "zero.yaml"),
        (vec!["lint", "fifo.yaml"], "fifo.yaml"),
        (vec!["run", "--vars-file", "zero.yaml"], "a device"),
        (vec!["run", "--vars-file", "fifo.yaml"], "a FIFO"),
        (vec!["run", "--vars-file", "big.yaml"], "16 MiB"),
        (vec!["run", "--baseline", "fifo.yaml"], "a FIFO"),
        (vec!["run", "--rerun-failed", "zero.yaml"], "a device"),
        (vec!["run", "--quarantine", "fifo.yaml"], "a FIFO"),
        (vec!["report", "merge", "zero.yaml"], "a device"),
        (vec!["restore", "fifo.yaml"], "a FIFO"),
        (vec!["lint", "big.yaml"], "16 MiB"),
    ] {
        let (tx, rx) = std::sync::mpsc::channel();
        let d = dir.to_path_buf();
        let a = args.clone();
        std::thread::spawn(move || {
            let argv: Vec<&str> = a.iter().map(|s| &**s).collect();
            let _ = tx.send(conform(&d, &argv));
        });
        // A hang is the failure this guards against: give up on it rather than block the suite.
        let out = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("{args:?} hung"));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(needle),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

/// Container runtimes and CI service containers stop a service with SIGTERM: the standalone
/// mock stops gracefully, says how often each fault took effect, and exits 0, as on Ctrl-C.
#[cfg(unix)]
#[test]
fn the_standalone_mock_exits_0_on_sigterm() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["mock", "--listen", "127.0.0.1:0", "--fault", "delete-keeps"])
        .current_dir(root())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("listening on http://127.0.0.1:"), "{line}");
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    // On its way out it says what each fault did: nothing was deleted here.
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(
        rest.contains("fault delete-keeps took effect 0 times"),
        "{rest}"
    );
}

/// Config mistakes are bad input (exit 2) before anything is sent, naming the file and line
/// or the flag: a region that is no region name, a redaction regex that does not compile, a
/// target without a base URL for a service the selected cases use, a --compare-target that
/// does not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_mistakes_are_bad_input_before_anything_is_sent() {
    let mock = conform::mock::spawn(conform::mock::MockConfig::default())
        .await
        .unwrap();
    let base = mock.base_url();
    let fixtures = conform::mock::state::Fixtures::defaults();
    let p = project(&[(
        "ecs/meta.yaml",
        "operation: ecs.update_server_metadata_item.v2_1\nsteps:\n  - request:\n      params: {key: k}\n      body: {meta: {k: v}}\n",
    )]);
    let cases: Vec<(String, Vec<&str>, &str)> = vec![
        (
            "targets:\n  r:\n    region: \"../../etc\"\n".into(),
            vec!["run", "--target", "r"],
            "conform.yaml:3:",
        ),
        (
            format!("targets:\n  t:\n    services: {{evs: \"{base}\", ecs: \"{base}\"}}\n    snapshot:\n      redact:\n        - {{regex: \"([\"}}\n"),
            vec!["run", "--target", "t"],
            "conform.yaml:4:",
        ),
        (
            format!(
                "targets:\n  t:\n    services: {{evs: \"{base}\"}}\n    mutations: allowed\n    vars: {{project_id: \"{}\", server_id: \"{}\"}}\n",
                fixtures.vars["project_id"], fixtures.vars["server_id"]
            ),
            vec!["run", "--target", "t"],
            "no base URL for service 'ecs'",
        ),
        (
            format!("targets:\n  t:\n    services: {{evs: \"{base}\", ecs: \"{base}\"}}\n"),
            vec!["run", "--target", "t", "--compare-target", "nosuch"],
            "--compare-target nosuch: no such target",
        ),
    ];
    for (config, args, needle) in cases {
        std::fs::write(p.path().join("conform.yaml"), &config).unwrap();
        let d = p.path().to_path_buf();
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let out = tokio::task::spawn_blocking(move || {
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            conform(&d, &argv)
        })
        .await
        .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{config}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(needle),
            "{config}: {}",
            text(&out.stderr)
        );
        assert!(
            !text(&out.stdout).contains("PASS"),
            "nothing ran: {}",
            text(&out.stdout)
        );
    }
    // Nothing reached the mock: its server metadata is as the fixtures made it.
    let body = reqwest::get(format!("{base}/__mock/state"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let state: Value = serde_json::from_slice(&body).unwrap();
    assert!(!state.to_string().contains("\"k\":\"v\""), "{state}");
    mock.stop().await;
}

/// What `run` would refuse, `lint` refuses too: a header a request cannot carry, an
/// out-of-contract step to a service the contract does not have.
#[rstest]
#[case("      headers: {\"bad name\": x}\n", "not a valid header name")]
#[case("      headers: {x-a: \"one\\ntwo\"}\n", "header x-a")]
#[case(
    "      method: GET\n      path: /v1/x\n      service: vpc\n",
    "service 'vpc' is not in the contract"
)]
fn lint_refuses_what_run_would(#[case] request: &str, #[case] needle: &str) {
    let case = format!(
        "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n{request}      body: {{snapshot: {{name: x}}}}\n"
    );
    let case = if request.contains("service:") {
        case.replace("      body: {snapshot: {name: x}}\n", "")
    } else {
        case
    };
    let p = project(&[("evs/x.yaml", &case)]);
    let out = conform(p.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2), "{case}: {}", text(&out.stdout));
    assert!(text(&out.stderr).contains(needle), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("evs/x.yaml:3:"),
        "{}",
        text(&out.stderr)
    );
}

/// A variable holding a map or a list has no spelling as a path segment: bad input naming the
/// parameter, not a request sent to an URL-encoded JSON path.
#[test]
fn a_map_valued_path_parameter_is_bad_input() {
    let p = project(&[(
        "evs/m.yaml",
        "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n",
    )]);
    std::fs::write(p.path().join("v.yaml"), "snapshot_id: {nested: map}\n").unwrap();
    for cmd in ["lint", "run"] {
        let out = conform(p.path(), &[cmd, "--vars-file", "v.yaml"]);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", text(&out.stdout));
        assert!(
            text(&out.stderr).contains("path parameter 'snapshot_id' is a map"),
            "{cmd}: {}",
            text(&out.stderr)
        );
    }
}

/// `lint` checks the project's `conform.yaml` too: what `run` would refuse is not linted clean.
#[test]
fn lint_refuses_a_broken_config() {
    let p = project(&[]);
    std::fs::write(
        p.path().join("conform.yaml"),
        "targets:\n  t:\n    regoin: x\n",
    )
    .unwrap();
    let out = conform(p.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("conform.yaml:3:"),
        "{}",
        text(&out.stderr)
    );
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

/// A signed run whose response echoes the secret key: no output (console, `-vv`, any report,
/// any snapshot) shows the AK, the SK or the signature, whatever the case asks to record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_output_shows_the_access_key_secret_key_or_signature_of_a_signed_run() {
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
    // The SK goes out in the body and comes back in the response; the case asks to record
    // every secret header.
    let case = format!("operation: evs.update_snapshot.v2\nsnapshot:\n  headers: [authorization, x-sdk-date, x-auth-token, x-security-token, set-cookie]\nsteps:\n  - request:\n      body: {{snapshot: {{name: x, description: \"{SK}\"}}}}\n    expect:\n      status: 200\n");
    let dir = project(&[("signed.yaml", &case)]);
    std::fs::write(
        dir.path().join("conform.yaml"),
        common::mock_target_config(
            "signed",
            &mock.base_url(),
            "    auth: {type: aksk, ak_env: VERBOSE_AK, sk_env: VERBOSE_SK}\n    mutations: allowed\n",
        ),
    )
    .unwrap();
    let reports = ["r.json", "r.jsonl", "r.xml", "r.md", "r.html"];
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--target", "signed", "-vv", "--snapshots", "update"])
        .args(["--report-json", reports[0], "--report-jsonl", reports[1]])
        .args([
            "--report-junit",
            reports[2],
            "--report-markdown",
            reports[3],
        ])
        .args(["--report-html", reports[4]])
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
    let snapshot = dir.path().join("snapshots/signed/signed__1.snap");
    let recorded = std::fs::read_to_string(&snapshot).unwrap();
    assert!(
        recorded.contains("\"description\": \"<redacted>\""),
        "the echoed secret is recorded redacted: {recorded}"
    );
    let mut outputs = vec![("stdout".to_string(), stdout), ("stderr".into(), stderr)];
    for name in reports {
        outputs.push((
            name.into(),
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
        ));
    }
    assert!(
        outputs[2].1.contains(r#"["Authorization","<redacted>"]"#),
        "the JSON report holds the request's headers, redacted: {}",
        outputs[2].1
    );
    outputs.push(("the snapshot".into(), recorded));
    for (name, text) in &outputs {
        for leak in [AK, SK, "SDK-HMAC-SHA256", "Signature=", "Access="] {
            assert!(!text.contains(leak), "{leak} leaked in {name}: {text}");
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

/// An interrupt says at once that the run is stopping and what it waits for; cases that never
/// started are "not run" (no line each, one count); a second interrupt stops waiting for the
/// answer in flight, whose case is then cut short rather than an error, and teardown still runs.
#[rstest]
#[case::once(1)]
#[case::twice(2)]
fn interrupting_says_what_it_waits_for_and_counts_what_never_started(#[case] times: usize) {
    let case = "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: changed}}\n    expect: {status: 200}\nteardown:\n  - name: restore\n    request:\n      body: {snapshot: {name: snap-001}}\n    expect: {status: 200}\n";
    let p = project(&[("a.yaml", case), ("b.yaml", case), ("c.yaml", case)]);
    let child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "run",
            "--jobs",
            "1",
            "--fault",
            "slow",
            "--slow-delay",
            "1500ms",
            "--timeout",
            "10s",
            "--snapshots",
            "off",
            "--report-json",
            "r.json",
        ])
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..times {
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert!(Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap()
            .success());
    }
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("interrupted: no more cases start"),
        "{stdout}"
    );
    assert!(stdout.contains(", 2 not run"), "{stdout}");
    assert!(!stdout.contains("ERROR"), "no failure noise: {stdout}");
    assert!(
        !stdout.contains(" b\n") && !stdout.contains(" c\n"),
        "{stdout}"
    );
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("r.json")).unwrap()).unwrap();
    let verdicts: Vec<&str> = r["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["verdict"].as_str().unwrap())
        .collect();
    if times == 2 {
        assert!(
            stdout.contains("interrupted again: not waiting"),
            "{stdout}"
        );
        assert_eq!(verdicts, ["skipped", "not_run", "not_run"], "{stdout}");
    } else {
        assert_eq!(verdicts, ["passed", "not_run", "not_run"], "{stdout}");
    }
    let teardown = r["cases"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["teardown"] == true)
        .cloned()
        .expect("the teardown ran");
    assert_eq!(teardown["response"]["status"], 200, "{teardown}");
}

/// `--tag '!T'` leaves out the cases tagged T; the failures are listed again under the summary.
#[test]
fn tag_exclusion_and_the_failure_recap() {
    let ok = "operation: evs.update_snapshot.v2\ntags: [good]\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n";
    let bad = "operation: evs.update_snapshot.v2\ntags: [bad]\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n    expect: {status: 418}\n";
    let p = project(&[("ok.yaml", ok), ("z_bad.yaml", bad)]);
    let out = conform(p.path(), &["run", "--snapshots", "off", "--tag", "!bad"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("1 passed, 0 failed"),
        "{}",
        text(&out.stdout)
    );
    let out = conform(p.path(), &["run", "--snapshots", "off", "--tag", "!good"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let out = conform(p.path(), &["run", "--snapshots", "off"]);
    let stdout = text(&out.stdout);
    let recap = stdout.split("failures (1):").nth(1).expect("a recap");
    assert!(recap.contains("FAIL z_bad"), "{stdout}");
    let out = conform(p.path(), &["run", "--snapshots", "off", "--tag", "!goood"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean 'good'"),
        "{}",
        text(&out.stderr)
    );
}

/// What a nextest user reaches for: `-q` and `--status-level`, `--list --format json`,
/// `--color always|never` (and FORCE_COLOR), and a negative number answered with the range.
#[test]
fn quiet_status_levels_json_listing_colour_and_negative_numbers() {
    let ok = "operation: evs.update_snapshot.v2\ntags: [t]\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n";
    let bad = "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: x}}\n    expect: {status: 418}\n";
    let p = project(&[("ok.yaml", ok), ("bad.yaml", bad)]);
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--snapshots", "off"];
        args.extend_from_slice(extra);
        conform(p.path(), &args)
    };
    let quiet = text(&run(&["-q"]).stdout);
    assert!(
        quiet.contains(" FAIL ") && !quiet.contains(" PASS "),
        "{quiet}"
    );
    assert!(quiet.contains("1 passed, 1 failed"), "{quiet}");
    let none = text(&run(&["--status-level", "none"]).stdout);
    assert!(
        !none.contains(" FAIL [") && none.contains("failures (1):"),
        "{none}"
    );
    let list = run(&["--list", "--format", "json"]);
    let listed: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert_eq!(listed[1]["id"], "ok");
    assert_eq!(listed[1]["tags"], serde_json::json!(["t"]));
    assert!(text(&run(&["--color", "always"]).stdout).contains("\u{1b}["));
    assert!(!text(&run(&["--color", "never"]).stdout).contains("\u{1b}["));
    let forced = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--snapshots", "off"])
        .current_dir(p.path())
        .env_remove("NO_COLOR")
        .env("FORCE_COLOR", "1")
        .env_remove("CI")
        .output()
        .unwrap();
    assert!(text(&forced.stdout).contains("\u{1b}["));
    for (flag, value, range) in [
        ("--jobs", "-1", "from 1 to 1024"),
        ("--retries", "-2", "from 0 to 100"),
        ("--timeout", "-5s", "from 1ms to 24h"),
    ] {
        let out = run(&[flag, value]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains(range),
            "{flag}: {}",
            text(&out.stderr)
        );
        assert!(
            !text(&out.stderr).contains("'-- "),
            "{flag}: {}",
            text(&out.stderr)
        );
    }
}

/// `doctor --vars-file` takes the variables `run --vars-file` would, so a target whose ids
/// live in a vars file (the signed-mock recipe) is checked as it will run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_takes_a_vars_file_as_run_does() {
    let mock = conform::mock::spawn(conform::mock::MockConfig::default())
        .await
        .unwrap();
    let p = project(&[]);
    std::fs::write(
        p.path().join("conform.yaml"),
        format!(
            "targets:\n  local:\n    services: {{evs: \"{0}\", ecs: \"{0}\"}}\n",
            mock.base_url()
        ),
    )
    .unwrap();
    common::write_fixture_vars(p.path());
    let d = p.path().to_path_buf();
    let (without, with) = tokio::task::spawn_blocking(move || {
        (
            conform(&d, &["doctor", "--target", "local"]),
            conform(
                &d,
                &["doctor", "--target", "local", "--vars-file", "vars.yaml"],
            ),
        )
    })
    .await
    .unwrap();
    assert_eq!(without.status.code(), Some(1), "{}", text(&without.stdout));
    assert_eq!(with.status.code(), Some(0), "{}", text(&with.stdout));
    mock.stop().await;
}

/// `conform init --pages DIR` starts a project for a new service from its pages alone: the
/// contract derived, its suite generated, a config; the next `conform run` runs that suite
/// against the built-in mock serving the contract.
#[test]
fn init_from_pages_starts_a_project_whose_generated_suite_runs() {
    let pages = root().join("../shared/pages/ecs");
    if !pages.is_dir() {
        panic!("../shared/pages must sit beside the checkout");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = conform(dir.path(), &["init", "--pages", pages.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.path().join("schemas/operations.json").is_file());
    assert!(dir.path().join("cases/generated").is_dir());
    let run = conform(dir.path(), &["run", "--snapshots", "off"]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    assert!(
        text(&run.stdout).contains(" 0 failed, 0 errored"),
        "{}",
        text(&run.stdout)
    );
    // A second init --pages does not replace the project it made.
    let again = conform(dir.path(), &["init", "--pages", pages.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("already holds"),
        "{}",
        text(&again.stderr)
    );
}

/// The success cases of the metadata item of a server: their answers carry no snapshot.
const ECS_SUCCESS: &str = "ecs/update_server_metadata_item_v2_1/{add_or_update_existing_key,example,key_of_255_characters,paused_server,stopped_server,suspended_server,value_of_255_characters}";
/// The success cases whose answers (or reads) carry a snapshot.
const EVS_SUCCESS: &[&str] = &[
    "evs/update_snapshot_metadata_item_v2/{example,visible_in_the_snapshot_list}",
    "evs/update_snapshot_v2/{description_wins_over_display_description,display_name_alone,display_name_of_255_bytes,example,name_of_255_bytes,name_wins_over_display_name,rename_to_autobk_prefix,show_carries_reserved_attributes}",
    "evs/update_snapshot_v3/{example,persists,rename_to_autobk_prefix}",
];

/// What one fault must fail: the cases matching `globs`, or, with `all_but`, every case that ran
/// except those.
struct Caught {
    fault: &'static str,
    globs: Vec<&'static str>,
    all_but: bool,
}

fn caught(fault: &'static str, globs: &[&'static str]) -> Caught {
    Caught {
        fault,
        globs: globs.to_vec(),
        all_but: false,
    }
}

fn all_but(fault: &'static str, globs: &[&'static str]) -> Caught {
    Caught {
        all_but: true,
        ..caught(fault, globs)
    }
}

/// The fault table (docs/mock.md) as cases: each fault, snapshots compared, fails exactly the
/// cases that detect it and no other. The built-in mock undoes what each case changed (the
/// in-memory ledger), so an over-limit name a faulty mock accepted does not leak into the
/// snapshots of the cases after it. Exhaustive over the emulation's faults except `slow`, whose
/// cost is the timeout on every case (every case errs, as with `drop-connection`).
#[test]
fn each_fault_fails_exactly_the_cases_that_detect_it() {
    // A refused system key, then a read of the snapshot: an error case and a success case.
    let system_key = "evs/update_snapshot_metadata_item_v2/system_key";
    let snapshot_answers: Vec<&str> = EVS_SUCCESS.iter().copied().chain([system_key]).collect();
    let success: Vec<&str> = snapshot_answers
        .iter()
        .copied()
        .chain([ECS_SUCCESS])
        .collect();
    let only_success: Vec<&str> = EVS_SUCCESS.iter().copied().chain([ECS_SUCCESS]).collect();
    let other_errors: Vec<&str> = only_success.iter().copied().chain(["auth/*"]).collect();
    let table = [
        caught("wrong-success-status", &success),
        caught("missing-field", &snapshot_answers),
        caught("wrong-field-type", &snapshot_answers),
        caught("extra-field", &snapshot_answers),
        caught(
            "ignore-update",
            &[
                "evs/update_snapshot_v2/{description_wins_over_display_description,display_name_alone,display_name_of_255_bytes,example,name_of_255_bytes,name_wins_over_display_name,rename_to_autobk_prefix}",
                "evs/update_snapshot_v3/{persists,rename_to_autobk_prefix}",
            ],
        ),
        caught(
            "display-name-wins",
            &["evs/update_snapshot_v2/name_wins_over_display_name"],
        ),
        caught(
            "no-length-check",
            &[
                "ecs/update_server_metadata_item_v2_1/{key_charset,key_of_256_characters,value_over_255_characters}",
                "evs/update_snapshot_metadata_item_v2/value_over_255_characters",
                "evs/update_snapshot_v2/*_over_255_bytes",
                "evs/update_snapshot_v3/description_over_255_bytes",
            ],
        ),
        caught(
            "chars-not-bytes",
            &[
                "evs/update_snapshot_v2/*_over_255_bytes",
                "evs/update_snapshot_v3/description_over_255_bytes",
            ],
        ),
        // The auth errors are the gateway's, whose envelope the fault leaves alone.
        all_but("flat-error-envelope", &other_errors),
        all_but("error-as-500", &only_success),
        caught(
            "metadata-not-persisted",
            &[
                ECS_SUCCESS,
                "evs/update_snapshot_metadata_item_v2/{example,visible_in_the_snapshot_list}",
            ],
        ),
        caught(
            "ignore-vm-state",
            &["ecs/update_server_metadata_item_v2_1/{building_server,error_server}"],
        ),
        caught(
            "uri-key-mismatch-accepted",
            &[
                "ecs/update_server_metadata_item_v2_1/{empty_key,uri_key_mismatch}",
                "evs/update_snapshot_metadata_item_v2/uri_key_mismatch",
            ],
        ),
        caught(
            "cross-project-leak",
            &["evs/update_snapshot_v2/other_project"],
        ),
        caught("auth-bypass", &["auth/{missing_token,no_token,wrong_token}"]),
        caught(
            "missing-token-accepted",
            &["auth/{missing_token,no_token}"],
        ),
        all_but("text-content-type", &[]),
        caught(
            "no-display-name-limit",
            &["evs/update_snapshot_v2/display_{name,description}_over_255_bytes"],
        ),
        caught(
            "paused-refused",
            &["ecs/update_server_metadata_item_v2_1/paused_server"],
        ),
        // The seed operations neither list nor delete nor read by id: one case reads the
        // snapshot list; the generated stateful checkers catch the other two
        // (tests/whole_service.rs). An unknown id answered on a read only is no case's concern
        // here, and the undo leaves a refused change alone instead of tripping over that read.
        caught(
            "list-misses",
            &["evs/update_snapshot_metadata_item_v2/visible_in_the_snapshot_list"],
        ),
        caught("unknown-id-ok", &[]),
        caught("delete-keeps", &[]),
    ];
    let named: std::collections::BTreeSet<&str> = table.iter().map(|c| c.fault).collect();
    let untested: Vec<&str> = EMULATION
        .iter()
        .chain(conform::mock::faults::CONTRACT_TIER)
        .map(|f| f.name())
        .filter(|n| !named.contains(n) && !["slow", "drop-connection"].contains(n))
        .collect();
    assert!(untested.is_empty(), "faults the table misses: {untested:?}");

    let dir = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    for c in table.iter().chain([&caught("drop-connection", &[])]) {
        let report = dir.path().join(format!("{}.json", c.fault));
        let out = conform(
            &root(),
            &[
                "run",
                "--fault",
                c.fault,
                "--report-json",
                report.to_str().unwrap(),
            ],
        );
        let report: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        let verdicts: Vec<(String, String)> = report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_string(),
                    c["verdict"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        if c.fault == "drop-connection" {
            assert_eq!(out.status.code(), Some(3), "{}", text(&out.stdout));
            assert!(verdicts
                .iter()
                .all(|(_, v)| v == "errored" || v == "skipped"));
            continue;
        }
        let mut set = globset::GlobSetBuilder::new();
        for g in &c.globs {
            set.add(globset::Glob::new(g).unwrap());
        }
        let set = set.build().unwrap();
        let expected: Vec<&str> = verdicts
            .iter()
            .filter(|(_, v)| v != "skipped")
            .map(|(id, _)| id.as_str())
            .filter(|id| set.is_match(id) != c.all_but)
            .collect();
        let failed: Vec<&str> = verdicts
            .iter()
            .filter(|(_, v)| v != "passed" && v != "skipped")
            .map(|(id, _)| id.as_str())
            .collect();
        assert!(!verdicts.is_empty());
        let code = if expected.is_empty() { 0 } else { 1 };
        if failed != expected || out.status.code() != Some(code) {
            wrong.push(format!(
                "{} (exit {:?}, expected {code}): failed {failed:?}, expected {expected:?}",
                c.fault,
                out.status.code()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
