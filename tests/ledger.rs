//! The undo ledger: a run killed midway (SIGKILL or SIGINT) leaves a ledger from which
//! `conform restore` brings every changed resource back, verified by state dumps.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use conform::mock::faults::{Fault, Faults};
use conform::mock::{spawn, MockConfig};
use serde_json::Value;

/// What the ledger protects, from the mock's state dump: snapshot names, descriptions and
/// metadata, server metadata (timestamps left out).
async fn dump(base: &str) -> BTreeMap<String, Value> {
    let bytes = reqwest::get(format!("{base}/__mock/state"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let state: Value = serde_json::from_slice(&bytes).unwrap();
    let mut out = BTreeMap::new();
    for p in state["projects"].as_array().unwrap() {
        for s in p["snapshots"].as_array().unwrap() {
            out.insert(
                format!("snapshot {}", s["id"]),
                serde_json::json!([s["name"], s["description"], s["metadata"]]),
            );
        }
        for s in p["servers"].as_array().unwrap() {
            out.insert(format!("server {}", s["id"]), s["metadata"].clone());
        }
    }
    out
}

/// A run of the cases in `dir` against `base` with mutations allowed, the mock's fixtures as
/// variables, a ledger `l.jsonl` and a JSON report `r.json` there.
fn ledgered_run(dir: &std::path::Path, base: &str) -> conform::commands::run::RunArgs {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = conform::commands::run::RunArgs::new(
        dir.to_path_buf(),
        root.join("schemas"),
        conform::commands::run::TargetChoice::Url(base.to_string()),
    );
    args.allow_mutation = true;
    args.vars.pairs = conform::mock::state::Fixtures::defaults()
        .vars
        .into_iter()
        .collect();
    args.ledger = Some(dir.join("l.jsonl"));
    args.outputs.json = Some(dir.join("r.json"));
    args
}

/// Every mutation the JSON report `r.json` in `dir` lists.
fn mutations(dir: &std::path::Path) -> Vec<Value> {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["mutations"].as_array().cloned().unwrap_or_default())
        .collect()
}

const CASES: &[(&str, &str)] = &[
    ("rename.yaml", "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {snapshot: {name: renamed, description: changed}}\n"),
    ("server_meta.yaml", "operation: ecs.update_server_metadata_item.v2_1\nsteps:\n  - request:\n      params: {key: added}\n      body: {meta: {added: by-conform}}\n"),
    ("snap_meta.yaml", "operation: evs.update_snapshot_metadata_item.v2\nsteps:\n  - request:\n      params: {snapshot_id: \"${snapshot_with_metadata_id}\", key: key1}\n      body: {meta: {key1: overwritten}}\n"),
];

async fn killed_run_then_restore(signal: &str) {
    let mock = spawn(MockConfig {
        faults: Faults::new([Fault::Slow]),
        slow_delay: Duration::from_millis(800),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let base = mock.base_url();
    let before = dump(&base).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cases")).unwrap();
    for (name, text) in CASES {
        std::fs::write(dir.path().join("cases").join(name), text).unwrap();
    }
    common::write_fixture_vars(dir.path());
    let ledger = dir.path().join("ledger.jsonl");
    let schemas = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "run",
            "--target-url",
            &base,
            "--allow-mutation",
            "--vars-file",
            "vars.yaml",
            "--snapshots",
            "off",
            "--jobs",
            "3",
            "--timeout",
            "10s",
        ])
        .arg("--ledger")
        .arg(&ledger)
        .arg("--schemas")
        .arg(&schemas)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Reads take 0.8 s, so by 1.3 s every PUT has been applied and none answered.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let status = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap().status)
        .await
        .unwrap();
    if signal == "-KILL" {
        assert_ne!(
            dump(&base).await,
            before,
            "the killed run left changes behind (else this test proves nothing)"
        );
    } else {
        assert_eq!(status.code(), Some(3), "Ctrl-C ends the run with 3");
    }
    let ledger_text = std::fs::read_to_string(&ledger).unwrap();
    assert_eq!(
        ledger_text
            .lines()
            .filter(|l| l.contains("\"event\":\"saved\""))
            .count(),
        3,
        "{ledger_text}"
    );
    let restore = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["restore"])
        .arg(&ledger)
        .args(["--timeout", "10s"])
        .arg("--schemas")
        .arg(&schemas)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&restore.stdout).to_string();
    assert_eq!(restore.status.code(), Some(0), "{out}");
    assert_eq!(
        dump(&base).await,
        before,
        "every changed resource is back: {out}"
    );
    if signal == "-KILL" {
        assert!(out.contains("3 resource(s) to restore, 0 failed"), "{out}");
    } else {
        assert!(
            out.contains("0 resource(s) to restore"),
            "the interrupted run restored everything itself: {out}"
        );
    }
    let again = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["restore"])
        .arg(&ledger)
        .arg("--schemas")
        .arg(&schemas)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 resource(s) to restore"),
        "a second restore has nothing left to do"
    );
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_with_sigkill_is_undone_by_conform_restore() {
    killed_run_then_restore("-KILL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_interrupted_with_sigint_restores_what_it_changed() {
    killed_run_then_restore("-INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_lists_every_mutation_and_its_restore() {
    let mock = spawn(MockConfig::default()).await.unwrap();
    let base = mock.base_url();
    let before = dump(&base).await;
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in CASES {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let args = ledgered_run(dir.path(), &base);
    let code = conform::commands::run::run(args, &mut Vec::new())
        .await
        .unwrap();
    assert_eq!(code, 0);
    assert_eq!(
        dump(&base).await,
        before,
        "every case's change was undone after it"
    );
    let mutations = mutations(dir.path());
    assert_eq!(mutations.len(), 3);
    assert!(
        mutations
            .iter()
            .all(|m| m["restored"] == true && m["detail"] == "restored and verified"),
        "{mutations:?}"
    );
    mock.stop().await;
}

/// A change the target refused (a 4xx) changed nothing: the undo records it as unchanged and
/// sends nothing back. Even a mock that answers reads of unknown ids with a made-up body (so
/// the saved state is that body) leaves the case passing rather than erring on a failed undo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_change_is_recorded_unchanged_and_nothing_is_sent_back() {
    let mock = spawn(MockConfig {
        faults: Faults::new([Fault::UnknownIdOk]),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let base = mock.base_url();
    let before = dump(&base).await;
    let dir = tempfile::tempdir().unwrap();
    let long = "n".repeat(300);
    std::fs::write(
        dir.path().join("too_long.yaml"),
        format!("operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {{snapshot: {{name: {long}}}}}\n    expect: {{status: 400}}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("unknown.yaml"),
        "operation: evs.update_snapshot_metadata_item.v2\nsteps:\n  - request:\n      params: {snapshot_id: \"${missing_id}\", key: key1}\n      body: {meta: {key1: v}}\n    expect: {status: 404}\n",
    )
    .unwrap();
    let args = ledgered_run(dir.path(), &base);
    let mut out = Vec::new();
    let code = conform::commands::run::run(args, &mut out).await.unwrap();
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out));
    assert_eq!(dump(&base).await, before);
    let mutations = mutations(dir.path());
    assert_eq!(mutations.len(), 2, "{mutations:?}");
    assert!(
        mutations
            .iter()
            .all(|m| m["restored"] == true
                && m["detail"] == "unchanged: every change was refused (4xx)"),
        "{mutations:?}"
    );
    // The ledger closes both entries, so `conform restore` has nothing left to do.
    let ledger = std::fs::read_to_string(dir.path().join("l.jsonl")).unwrap();
    assert_eq!(ledger.matches("\"event\":\"saved\"").count(), 2, "{ledger}");
    assert_eq!(
        ledger.matches("\"event\":\"restored\"").count(),
        2,
        "{ledger}"
    );
    mock.stop().await;
}

/// A ledger travels (a CI artifact, a colleague's crash), so an entry naming a host that is not
/// one of the target's is refused before anything is sent: the target's token never reaches it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_refuses_an_entry_naming_another_host_and_sends_nothing() {
    let mock = spawn(MockConfig::default()).await.unwrap();
    // The "other host": a listener that counts every connection made to it.
    let rogue = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rogue_url = format!("http://{}", rogue.local_addr().unwrap());
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = connections.clone();
    let accept = tokio::spawn(async move {
        while let Ok((_socket, _)) = rogue.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("conform.yaml"),
        format!(
            "targets:\n  local:\n    services: {{evs: \"{0}\", ecs: \"{0}\"}}\n    auth: {{type: token, token_env: CONFORM_TEST_TOKEN}}\n",
            mock.base_url()
        ),
    )
    .unwrap();
    let entry = |base: &str, id: &str| {
        format!(
            "{{\"event\":\"saved\",\"case\":\"evs/x\",\"resource\":{{\"kind\":\"snapshot\",\"collection\":\"snapshots\",\"project\":\"p\",\"id\":\"{id}\",\"base_url\":\"{base}\"}},\"state\":{{\"fields\":{{\"name\":\"n\"}}}}}}\n"
        )
    };
    let ledger = dir.path().join("ledger.jsonl");
    std::fs::write(
        &ledger,
        entry(&mock.base_url(), "ours") + &entry(&rogue_url, "theirs"),
    )
    .unwrap();
    let schemas = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "restore",
            "ledger.jsonl",
            "--target",
            "local",
            "--timeout",
            "2s",
        ])
        .arg("--schemas")
        .arg(&schemas)
        .env("CONFORM_TEST_TOKEN", "tok-must-not-travel")
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ledger.jsonl:2"),
        "names the entry's line: {stderr}"
    );
    assert!(
        stderr.contains(&rogue_url) && stderr.contains("theirs"),
        "{stderr}"
    );
    assert!(!stderr.contains("tok-must-not-travel"), "{stderr}");
    // Give a stray connection time to land before counting.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing was sent to the host the ledger names"
    );
    accept.abort();
    mock.stop().await;
}
