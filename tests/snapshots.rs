//! Snapshots: recorded, compared, pending under CI, redacted to byte-identical files across
//! runs, compatible with insta and cargo-insta, and pruned when their case is gone.

mod common;

use std::path::Path;
use std::process::Command;

use common::{conform, project, root, text};

const CASE: &str = "operation: evs.update_snapshot.v3\nsteps:\n  - request:\n      body: {snapshot: {name: \"snap-${run_id}\", description: d}}\n    expect: {status: 200}\nteardown:\n  - request:\n      body: {snapshot: {name: snap-001}}\n";

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_snapshot_written_then_compared_passes_and_a_change_fails_naming_the_line() {
    let p = project(&[("evs/rename.yaml", CASE)]);
    let out = conform(p.path(), &["run", "--snapshots", "update"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let snap = p.path().join("snapshots/mock/evs/rename__1.snap");
    let written = std::fs::read_to_string(&snap).unwrap();
    assert!(
        written.starts_with("---\nsource: cases/evs/rename.yaml\ndescription:"),
        "{written}"
    );
    assert!(
        !written.contains("assertion_line"),
        "accepted files carry no assertion_line"
    );
    assert!(written.contains("\"name\": \"snap-<run_id>\""), "{written}");
    assert!(p
        .path()
        .join("snapshots/mock/evs/rename__teardown-1.snap")
        .exists());
    let out = conform(p.path(), &["run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    std::fs::write(
        &snap,
        written.replace("\"description\": \"d\"", "\"description\": \"changed\""),
    )
    .unwrap();
    let out = conform(p.path(), &["run"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("[snapshot]") && stdout.contains("rename__1.snap"),
        "{stdout}"
    );
    assert!(
        stdout.contains("-     \"description\": \"changed\","),
        "the diff names the line: {stdout}"
    );
    assert!(stdout.contains("+     \"description\": \"d\","), "{stdout}");
    assert!(
        snap.with_extension("snap.new").exists(),
        "the new value waits for review"
    );
}

#[test]
fn a_pending_snapshot_fails_under_ci_and_passes_without() {
    let p = project(&[("evs/rename.yaml", CASE)]);
    let out = conform(p.path(), &["run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("PASS")
            && text(&out.stdout).contains("evs/rename (2 new snapshots pending)")
            && text(&out.stdout).lines().count() == 2,
        "{}",
        text(&out.stdout)
    );
    let pending = p.path().join("snapshots/mock/evs/rename__1.snap.new");
    let body = std::fs::read_to_string(&pending).unwrap();
    assert!(body.contains("assertion_line: 3\n"), "{body}");
    let ci = Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("run")
        .current_dir(p.path())
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(ci.status.code(), Some(1), "{}", text(&ci.stdout));
    let ci_false = Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("run")
        .current_dir(p.path())
        .env("CI", "false")
        .output()
        .unwrap();
    assert_eq!(ci_false.status.code(), Some(0), "CI=false is not CI");
}

#[test]
fn two_runs_against_the_mock_produce_byte_identical_snapshots() {
    // Inside the project's target folder: a snapshot's `source` is relative to the folder
    // holding the snapshots folder when the case is under it, so a folder in the system's temp
    // directory would name the cases by where the checkout lives (a clone under /tmp).
    let scratch = root().join("target");
    std::fs::create_dir_all(&scratch).unwrap();
    let a = tempfile::tempdir_in(&scratch).unwrap();
    let b = tempfile::tempdir_in(&scratch).unwrap();
    for dir in [&a, &b] {
        let out = conform(
            &root(),
            &[
                "run",
                "--snapshots",
                "update",
                "--snapshots-dir",
                dir.path().to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    }
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() >= 30, "{} snapshots", fa.len());
    assert_eq!(
        fa, fb,
        "ids, timestamps and run ids differ between runs; snapshots must not"
    );
    assert_eq!(
        fa,
        files(&root().join("snapshots")),
        "the committed snapshots are what the mock answers"
    );
}

#[test]
fn insta_reads_and_rewrites_conform_snapshots_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    for entry in walkdir::WalkDir::new(root().join("snapshots"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "snap"))
    {
        let snap = insta::Snapshot::from_file(entry.path()).unwrap();
        let copy = dir.path().join(format!("{n}.snap"));
        snap.save(&copy).unwrap();
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            std::fs::read(entry.path()).unwrap(),
            "{}",
            entry.path().display()
        );
        n += 1;
    }
    assert!(n >= 30);
}

#[test]
fn cargo_insta_accept_accepts_a_pending_conform_snapshot() {
    if !common::external_tool(
        &["cargo", "insta", "--version"],
        "CONFORM_REQUIRE_CARGO_INSTA",
        "cargo install cargo-insta --locked",
    ) {
        return;
    }
    let p = project(&[("evs/rename.yaml", CASE)]);
    std::fs::write(p.path().join("Cargo.toml"), "[package]\nname = \"accept-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n[lib]\npath = \"lib.rs\"\n").unwrap();
    std::fs::write(p.path().join("lib.rs"), "").unwrap();
    assert_eq!(conform(p.path(), &["run"]).status.code(), Some(0));
    let pending = p.path().join("snapshots/mock/evs/rename__1.snap.new");
    let ours = std::fs::read_to_string(&pending).unwrap();
    let out = Command::new("cargo")
        .args(["insta", "accept", "--manifest-path"])
        .arg(p.path().join("Cargo.toml"))
        .current_dir(p.path())
        .env_remove("CI")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let accepted =
        std::fs::read_to_string(p.path().join("snapshots/mock/evs/rename__1.snap")).unwrap();
    assert!(!pending.exists());
    assert_eq!(
        accepted,
        ours.replace("assertion_line: 3\n", ""),
        "accepting leaves our bytes unchanged but for assertion_line"
    );
    assert_eq!(
        conform(p.path(), &["run"]).status.code(),
        Some(0),
        "and the accepted snapshot matches"
    );
}

#[test]
fn prune_lists_and_removes_snapshots_whose_case_is_gone() {
    let p = project(&[("evs/rename.yaml", CASE), ("evs/gone.yaml", CASE)]);
    assert_eq!(
        conform(p.path(), &["run", "--snapshots", "update"])
            .status
            .code(),
        Some(0)
    );
    std::fs::remove_file(p.path().join("cases/evs/gone.yaml")).unwrap();
    let dry = conform(p.path(), &["snapshots", "prune", "--dry-run"]);
    assert!(
        text(&dry.stdout).contains("would remove snapshots/mock/evs/gone__1.snap"),
        "{}",
        text(&dry.stdout)
    );
    assert!(p.path().join("snapshots/mock/evs/gone__1.snap").exists());
    let out = conform(p.path(), &["snapshots", "prune"]);
    assert!(
        text(&out.stdout).contains("removed 2 orphaned snapshot(s)"),
        "{}",
        text(&out.stdout)
    );
    assert!(!p.path().join("snapshots/mock/evs/gone__1.snap").exists());
    assert!(p.path().join("snapshots/mock/evs/rename__1.snap").exists());
}

/// A step taken out of a case leaves its snapshot behind: prune removes it (and a teardown
/// step's), and the folders it empties, saying what it removed.
#[test]
fn prune_removes_snapshots_of_steps_that_no_longer_exist_and_the_folders_it_empties() {
    let two_steps = CASE.replace(
        "teardown:",
        "  - operation: evs.show_snapshot.v3\nteardown:",
    );
    let p = project(&[
        ("evs/rename.yaml", &two_steps),
        ("ecs/alone/gone.yaml", CASE),
    ]);
    let out = conform(p.path(), &["run", "--snapshots", "update"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(p.path().join("snapshots/mock/evs/rename__2.snap").exists());
    std::fs::write(p.path().join("cases/evs/rename.yaml"), CASE).unwrap();
    std::fs::remove_file(p.path().join("cases/ecs/alone/gone.yaml")).unwrap();
    let out = conform(p.path(), &["snapshots", "prune"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("removed snapshots/mock/evs/rename__2.snap"),
        "{stdout}"
    );
    assert!(p.path().join("snapshots/mock/evs/rename__1.snap").exists());
    assert!(p
        .path()
        .join("snapshots/mock/evs/rename__teardown-1.snap")
        .exists());
    assert!(!p.path().join("snapshots/mock/ecs").exists(), "{stdout}");
    assert!(
        stdout.contains("removed snapshots/mock/ecs/alone"),
        "{stdout}"
    );
    assert!(stdout.contains("and 2 empty folder(s)"), "{stdout}");
}

#[test]
fn a_suite_outside_the_project_records_beside_itself_and_prunes_nothing_of_the_project() {
    let p = project(&[("evs/rename.yaml", CASE)]);
    assert_eq!(
        conform(p.path(), &["run", "--snapshots", "update"])
            .status
            .code(),
        Some(0)
    );
    let ours = p.path().join("snapshots/mock/evs/rename__1.snap");
    let accepted = std::fs::read(&ours).unwrap();
    // A suite elsewhere whose case has the same id, and a different body.
    let elsewhere = tempfile::tempdir().unwrap();
    let suite = elsewhere.path().join("suite/evs");
    std::fs::create_dir_all(&suite).unwrap();
    std::fs::write(
        suite.join("rename.yaml"),
        CASE.replace("description: d", "description: other"),
    )
    .unwrap();
    let cases_dir = elsewhere.path().join("suite");
    let cases_dir = cases_dir.to_str().unwrap();
    let out = conform(
        p.path(),
        &["run", "--cases-dir", cases_dir, "--snapshots", "update"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(
        std::fs::read(&ours).unwrap(),
        accepted,
        "the project's accepted snapshot is not the foreign suite's to overwrite"
    );
    assert!(elsewhere
        .path()
        .join("snapshots/mock/evs/rename__1.snap")
        .is_file());
    let pruned = conform(
        p.path(),
        &["snapshots", "prune", "--dry-run", "--cases-dir", cases_dir],
    );
    assert!(
        text(&pruned.stdout).contains("0 orphaned snapshot(s)"),
        "the project's snapshots are no orphans of another suite: {}",
        text(&pruned.stdout)
    );
}

#[test]
fn case_redactions_and_secret_headers_shape_the_snapshot() {
    let case = "operation: evs.update_snapshot.v2\nsnapshot:\n  headers: [x-request-id, x-auth-token, authorization]\n  redact:\n    - {pointer: /snapshot/volume_id}\n    - {regex: \"snap-0+1\"}\n  skip: [/snapshot/size]\nsteps:\n  - request:\n      body: {snapshot: {description: Daily backup}}\n";
    let p = project(&[("r.yaml", case)]);
    assert_eq!(
        conform(p.path(), &["run", "--snapshots", "update"])
            .status
            .code(),
        Some(0)
    );
    let s = std::fs::read_to_string(p.path().join("snapshots/mock/r__1.snap")).unwrap();
    assert!(s.contains("x-request-id: <id:2>"), "{s}");
    assert!(
        !s.contains("x-auth-token") && !s.contains("authorization"),
        "secret headers are never recorded: {s}"
    );
    assert!(
        s.contains("\"volume_id\": \"<redacted>\"")
            && s.contains("\"name\": \"<redacted>\"")
            && s.contains("\"size\": \"<skipped>\""),
        "{s}"
    );
    let bad = project(&[("r.yaml", "operation: evs.update_snapshot.v2\nsnapshot:\n  redact:\n    - {regex: \"(\"}\nsteps:\n  - {}\n")]);
    let out = conform(bad.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error: snapshot: invalid regex")
            && text(&out.stderr).contains("--> cases/r.yaml:3:3"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_update_that_changes_nothing_leaves_the_files_untouched() {
    let p = project(&[("evs/rename.yaml", CASE)]);
    let first = conform(p.path(), &["run", "--snapshots", "update"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stdout));
    let snap = p.path().join("snapshots/mock/evs/rename__1.snap");
    let before = std::fs::metadata(&snap).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let second = conform(p.path(), &["run", "--snapshots", "update"]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stdout));
    let after = std::fs::metadata(&snap).unwrap().modified().unwrap();
    assert_eq!(before, after, "an unchanged snapshot is not rewritten");
}

#[test]
fn a_snapshot_that_cannot_be_written_errs_its_case_naming_the_file() {
    let p = project(&[("evs/rename.yaml", CASE)]);
    // The case's folder under snapshots/mock is a file: the write of its snapshot must fail.
    std::fs::create_dir_all(p.path().join("snapshots/mock")).unwrap();
    std::fs::write(p.path().join("snapshots/mock/evs"), "not a folder").unwrap();
    let report = p.path().join("r.json");
    let out = conform(
        p.path(),
        &[
            "run",
            "--snapshots",
            "update",
            "--report-json",
            report.to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("ERROR")
            && stdout.contains("cannot write the snapshot: snapshots/mock/evs"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["summary"]["errored"], 1, "{json}");
    assert_eq!(json["cases"][0]["id"], "evs/rename", "{json}");
}

/// `conform run ../other/cases/` (a folder or a single file named on the command line, as
/// `hurl --test dir/`) behaves as `--cases-dir` does: the project's accepted snapshots are
/// neither compared with nor overwritten, no pending file lands in the project, and the outside
/// suite's snapshots land beside it under the ids its cases have there.
#[test]
fn an_outside_suite_named_by_path_leaves_the_projects_snapshots_alone() {
    let p = project(&[("evs/rename.yaml", CASE)]);
    assert_eq!(
        conform(p.path(), &["run", "--snapshots", "update"])
            .status
            .code(),
        Some(0)
    );
    let before = files(&p.path().join("snapshots"));
    let elsewhere = tempfile::tempdir().unwrap();
    let suite = elsewhere.path().join("cases");
    std::fs::create_dir_all(suite.join("evs")).unwrap();
    std::fs::write(
        suite.join("evs/rename.yaml"),
        CASE.replace("description: d", "description: other"),
    )
    .unwrap();
    let folder = suite.to_str().unwrap().to_string() + "/";
    let file = suite.join("evs/rename.yaml");
    let file = file.to_str().unwrap();
    for (args, mode) in [
        (vec![folder.as_str()], "update"),
        (vec![file], "update"),
        (vec![file], "compare"),
        (vec![folder.as_str()], "compare"),
    ] {
        let mut argv = vec!["run", "--snapshots", mode];
        argv.extend(args.iter().copied());
        let out = conform(p.path(), &argv);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{argv:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert_eq!(
            files(&p.path().join("snapshots")),
            before,
            "{argv:?} changed the project's snapshots"
        );
        assert!(
            elsewhere
                .path()
                .join("snapshots/mock/evs/rename__1.snap")
                .is_file(),
            "{argv:?}: the suite's snapshot lands beside it, under the id it has there"
        );
    }
    // The project's cases and the outside suite in one run would share one folder.
    let out = conform(p.path(), &["run", "evs/**", &folder]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--snapshots-dir"),
        "{}",
        text(&out.stderr)
    );
}

/// `source:` is the case file's path from the project, whatever folder the run starts in: an
/// update from a subfolder rewrites nothing that is accepted.
#[test]
fn an_update_from_a_subfolder_rewrites_no_accepted_snapshot() {
    let p = project(&[("evs/rename.yaml", CASE)]);
    let out = conform(p.path(), &["run", "--snapshots", "update"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let before = files(&p.path().join("snapshots"));
    assert!(
        String::from_utf8_lossy(&before[0].1).contains("source: cases/evs/rename.yaml"),
        "{}",
        String::from_utf8_lossy(&before[0].1)
    );
    let out = conform(
        &p.path().join("cases/evs"),
        &["run", "--snapshots", "update"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(files(&p.path().join("snapshots")), before);
}

/// One mismatch does not hide the rest: a step whose answer differs from its snapshot still
/// lets the later steps run, so their own assertions report too.
#[test]
fn a_snapshot_difference_does_not_stop_the_later_steps() {
    let case = |description: &str, expected_name: &str| {
        format!(
            "operation: evs.update_snapshot.v3\nsteps:\n  - request:\n      body: {{snapshot: {{name: renamed, description: {description}}}}}\n  - operation: evs.show_snapshot.v3\n    expect:\n      body:\n        - {{pointer: /snapshot/name, equals: {expected_name}}}\nteardown:\n  - request:\n      body: {{snapshot: {{name: snap-001}}}}\n"
        )
    };
    let p = project(&[("evs/two.yaml", &case("first", "renamed"))]);
    let out = conform(p.path(), &["run", "--snapshots", "update"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    std::fs::write(
        p.path().join("cases/evs/two.yaml"),
        case("second", "something-else"),
    )
    .unwrap();
    let out = conform(p.path(), &["run", "--report-json", "r.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path().join("r.json")).unwrap()).unwrap();
    let steps = report["cases"][0]["steps"].as_array().unwrap();
    let checks = |i: usize| -> Vec<String> {
        steps[i]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "failure")
            .map(|f| f["check"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(checks(0), vec!["snapshot"], "{}", steps[0]);
    assert!(
        checks(1).contains(&"body".to_string()),
        "the second step ran and its assertion reported: {}",
        steps[1]
    );
}

/// A run interrupted (Ctrl-C) while its cases wait on a slow target ends with every answered
/// step's snapshot on disk and whole: a case is not reported before its files are written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_update_leaves_every_answered_steps_snapshot_whole() {
    use conform::mock::faults::{Fault, Faults};
    let mock = conform::mock::spawn(conform::mock::MockConfig {
        faults: Faults::new([Fault::Slow]),
        slow_delay: std::time::Duration::from_millis(300),
        ..Default::default()
    })
    .await
    .unwrap();
    let case = |i: usize| {
        (
            format!("c{i}.yaml"),
            format!("operation: evs.update_snapshot_metadata_item.v2\nsteps:\n  - request:\n      params: {{key: k{i}}}\n      body: {{meta: {{k{i}: v}}}}\n  - request:\n      params: {{key: k{i}}}\n      body: {{meta: {{k{i}: w}}}}\n  - request:\n      params: {{key: k{i}}}\n      body: {{meta: {{k{i}: x}}}}\n"),
        )
    };
    let cases: Vec<(String, String)> = (0..6).map(case).collect();
    let named: Vec<(&str, &str)> = cases
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let p = project(&named);
    common::write_fixture_vars(p.path());
    let child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--target-url", &mock.base_url(), "--allow-mutation"])
        .args([
            "--vars-file",
            "vars.yaml",
            "--snapshots",
            "update",
            "--jobs",
            "3",
        ])
        .args(["--report-json", "r.json"])
        .current_dir(p.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Interrupted once a second step reached the mock (its first step was answered), while it
    // waits 0.3 s to answer. The mock's state is spared the delay.
    let state = format!("{}/__mock/state", mock.base_url());
    let started = std::time::Instant::now();
    loop {
        let now = reqwest::get(&state).await.unwrap().text().await.unwrap();
        if (0..6).any(|i| now.contains(&format!("\"k{i}\":\"w\""))) {
            break;
        }
        assert!(started.elapsed().as_secs() < 30, "no second step: {now}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let status = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap().status)
        .await
        .unwrap();
    assert_eq!(status.code(), Some(3), "Ctrl-C ends the run with 3");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("r.json")).unwrap()).unwrap();
    let mut answered = 0;
    for case in report["cases"].as_array().unwrap() {
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            let Some(status) = step["response"]["status"].as_u64() else {
                continue;
            };
            answered += 1;
            let id = case["id"].as_str().unwrap();
            let file = p.path().join(format!("snapshots/url/{id}__{}.snap", i + 1));
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert!(
                text.starts_with("---\n")
                    && text.contains("\n---\nPUT /v2/")
                    && text.contains(&format!("\nstatus: {status}\n"))
                    && text.ends_with("}\n"),
                "{}: {text}",
                file.display()
            );
        }
    }
    assert!(
        answered > 0,
        "some step was answered (else this test proves nothing)"
    );
    let written = files(&p.path().join("snapshots/url")).len();
    assert_eq!(written, answered, "one file per answered step, no other");
    mock.stop().await;
}
