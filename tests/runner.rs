//! Concurrency must not make results flaky: cases on one resource never interleave, while cases
//! on different resources do run in parallel. Shown against an in-test server that records how
//! many requests are in flight per resource.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::put;
use axum::{Json, Router};
use conform::commands::run::{run, RunArgs, TargetChoice, VarSources};
use serde_json::{json, Value};

#[derive(Default)]
struct Meter {
    in_flight: HashMap<String, usize>,
    max_per_resource: HashMap<String, usize>,
    total: usize,
    max_total: usize,
}

type Shared = Arc<Mutex<Meter>>;

async fn update(
    State(m): State<Shared>,
    Path((_v, _p, id)): Path<(String, String, String)>,
    Json(body): Json<Value>,
) -> Json<Value> {
    {
        let mut m = m.lock().unwrap();
        let n = m.in_flight.entry(id.clone()).or_default();
        *n += 1;
        let n = *n;
        let max = m.max_per_resource.entry(id.clone()).or_default();
        *max = (*max).max(n);
        m.total += 1;
        m.max_total = m.max_total.max(m.total);
    }
    // Long enough that unguarded cases would overlap.
    tokio::time::sleep(Duration::from_millis(40)).await;
    {
        let mut m = m.lock().unwrap();
        *m.in_flight.get_mut(&id).unwrap() -= 1;
        m.total -= 1;
    }
    let name = body["snapshot"]["name"].clone();
    Json(
        json!({"snapshot": {"id": id, "name": name, "status": "available", "description": "", "created_at": "2020-01-01T00:00:00.000000", "updated_at": "2020-01-01T00:00:00.000000", "metadata": {}, "volume_id": "v", "size": 1}}),
    )
}

fn case(snapshot: &str, version: &str) -> String {
    format!(
        "operation: evs.update_snapshot.{version}\nsteps:\n  - request:\n      params: {{snapshot_id: {snapshot}}}\n      body: {{snapshot: {{name: a}}}}\n  - request:\n      params: {{snapshot_id: {snapshot}}}\n      body: {{snapshot: {{name: b}}}}\n    expect:\n      body:\n        - {{pointer: /snapshot/name, equals: b}}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_on_one_resource_never_interleave_and_others_run_in_parallel() {
    let meter: Shared = Arc::default();
    let app = Router::new()
        .route("/{v}/{p}/snapshots/{id}", put(update))
        .with_state(meter.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    for i in 0..6 {
        // v2 and v3 of one snapshot are one resource.
        let version = if i % 2 == 0 { "v2" } else { "v3" };
        std::fs::write(
            dir.path().join(format!("a{i}.yaml")),
            case("snap-a", version),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(format!("b{i}.yaml")),
            case("snap-b", version),
        )
        .unwrap();
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = RunArgs::new(
        dir.path().to_path_buf(),
        root.join("schemas"),
        TargetChoice::Url(format!("http://{addr}")),
    );
    args.allow_mutation = true;
    args.vars = VarSources {
        files: Vec::new(),
        pairs: vec![("project_id".into(), "p".into())],
    };
    args.options.jobs = 8;
    let mut out = Vec::new();
    let code = run(args, &mut out).await.unwrap();
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out));
    let m = meter.lock().unwrap();
    assert_eq!(
        m.max_per_resource["snap-a"], 1,
        "cases on snap-a interleaved"
    );
    assert_eq!(
        m.max_per_resource["snap-b"], 1,
        "cases on snap-b interleaved"
    );
    assert!(
        m.max_total >= 2,
        "cases on different resources should run in parallel (max in flight {})",
        m.max_total
    );
    server.abort();
}

/// A server that answers 503 (Retry-After: 0) to the first request of each path, then 200.
async fn flaky_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let app = Router::new()
        .route(
            "/{v}/{p}/snapshots/{id}",
            put(|State(seen): State<Arc<Mutex<HashMap<String, usize>>>>, Path((_v, _p, id)): Path<(String, String, String)>| async move {
                let n = {
                    let mut s = seen.lock().unwrap();
                    let n = s.entry(id.clone()).or_default();
                    *n += 1;
                    *n
                };
                if n == 1 {
                    // Throttled resources answer 429 (always retried), others 503 (only with --retries).
                    let status = if id.starts_with("throttled") { axum::http::StatusCode::TOO_MANY_REQUESTS } else { axum::http::StatusCode::SERVICE_UNAVAILABLE };
                    return (status, [("retry-after", "0")], Json(json!({"serviceUnavailable": {"message": "busy", "code": "X"}})));
                }
                (axum::http::StatusCode::OK, [("retry-after", "0")], Json(json!({"snapshot": {"id": id, "name": "n", "status": "available", "description": "", "created_at": "2020-01-01T00:00:00.000000", "updated_at": "2020-01-01T00:00:00.000000", "metadata": {}, "volume_id": "v", "size": 1}})))
            }),
        )
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (
        addr,
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }),
    )
}

fn one_case_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.yaml"), text).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_honour_retry_after_and_report_the_case_as_flaky() {
    let (addr, server) = flaky_server().await;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let simple = |id: &str| {
        format!("operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      params: {{snapshot_id: {id}}}\n      body: {{snapshot: {{name: n}}}}\n")
    };
    let dir = one_case_dir(&simple("snap-r"));
    let args = |retries: u32| {
        let mut a = RunArgs::new(
            dir.path().to_path_buf(),
            root.join("schemas"),
            TargetChoice::Url(format!("http://{addr}")),
        );
        a.allow_mutation = true;
        a.vars.pairs.push(("project_id".into(), "p".into()));
        a.options.retries = retries;
        a
    };
    let mut out = Vec::new();
    assert_eq!(
        run(args(1), &mut out).await.unwrap(),
        0,
        "{}",
        String::from_utf8_lossy(&out)
    );
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("RETRY")
            && text.contains("(flaky: passed on retry)")
            && text.contains("1 flaky"),
        "{text}"
    );
    // A fresh resource without retries: the 503 is a failure.
    let dir2 = one_case_dir(&simple("snap-s"));
    let mut a = args(0);
    a.selection.cases_dir = dir2.path().to_path_buf();
    let mut out = Vec::new();
    assert_eq!(
        run(a, &mut out).await.unwrap(),
        1,
        "{}",
        String::from_utf8_lossy(&out)
    );
    // A 429 is retried with backoff even without --retries.
    let dir3 = one_case_dir(&simple("throttled-t"));
    let mut a = args(0);
    a.selection.cases_dir = dir3.path().to_path_buf();
    let mut out = Vec::new();
    assert_eq!(
        run(a, &mut out).await.unwrap(),
        0,
        "{}",
        String::from_utf8_lossy(&out)
    );
    assert!(String::from_utf8_lossy(&out).contains("got status 429"));
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_fast_starts_no_case_after_the_first_failure() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a_fails.yaml"), "operation: evs.update_snapshot.v2\nsteps:\n  - request: {body: {snapshot: {name: x}}}\n    expect: {status: 418}\n").unwrap();
    for i in 0..5 {
        std::fs::write(dir.path().join(format!("b{i}.yaml")), "operation: evs.update_snapshot.v2\nsteps:\n  - request: {body: {snapshot: {name: x}}}\n").unwrap();
    }
    let target = TargetChoice::Mock {
        faults: Default::default(),
        slow_delay: Duration::from_secs(1),
    };
    let mut args = RunArgs::new(dir.path().to_path_buf(), root.join("schemas"), target);
    args.allow_mutation = true;
    args.options.jobs = 1;
    args.options.fail_fast = true;
    let mut out = Vec::new();
    assert_eq!(run(args, &mut out).await.unwrap(), 1);
    let text = regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(&String::from_utf8_lossy(&out), "")
        .to_string();
    assert!(
        text.lines()
            .any(|l| l.starts_with("0 passed, 1 failed, 0 errored, 0 skipped, 5 not run")),
        "{text}"
    );
    assert!(text.contains("--fail-fast"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_never_appears_in_any_output_or_report() {
    const TOKEN: &str = "TOKEN-c0nf0rm-d1st1nct1ve-7781";
    let mock = conform::mock::spawn(conform::mock::MockConfig {
        auth: conform::mock::MockAuth::Token(TOKEN.into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conform.yaml");
    let auth = "    auth: {type: token, token_env: CONFORM_TEST_TOKEN_7781}\n";
    std::fs::write(
        &config,
        common::mock_target_config("local", &mock.base_url(), auth),
    )
    .unwrap();
    std::env::set_var("CONFORM_TEST_TOKEN_7781", TOKEN);
    let mut args = RunArgs::new(
        root.join("cases"),
        root.join("schemas"),
        TargetChoice::Named("local".into()),
    );
    args.allow_mutation = true;
    args.config = config;
    args.outputs.json = Some(dir.path().join("r.json"));
    args.outputs.junit = Some(dir.path().join("r.xml"));
    let mut out = Vec::new();
    let code = run(args, &mut out).await.unwrap();
    let console = String::from_utf8_lossy(&out).to_string();
    assert_eq!(code, 0, "{console}");
    assert!(
        console.contains("auth/wrong_token"),
        "the auth case ran against the token target"
    );
    for text in [
        console,
        std::fs::read_to_string(dir.path().join("r.json")).unwrap(),
        std::fs::read_to_string(dir.path().join("r.xml")).unwrap(),
    ] {
        assert!(!text.contains(TOKEN), "the token leaked");
        assert!(!text.contains("c0nf0rm-d1st1nct1ve"));
    }
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutating_cases_are_skipped_on_real_targets_unless_allowed() {
    let mock = conform::mock::spawn(Default::default()).await.unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conform.yaml");
    let write = |mutations: &str| {
        std::fs::write(
            &config,
            common::mock_target_config("region", &mock.base_url(), mutations),
        )
        .unwrap()
    };
    let args = || {
        let mut a = RunArgs::new(
            root.join("cases"),
            root.join("schemas"),
            TargetChoice::Named("region".into()),
        );
        a.config = config.clone();
        a
    };
    // Counted, not written down, so adding a case does not break this test.
    let count = |dir: PathBuf| {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| {
                e.path()
                    .extension()
                    .is_some_and(|x| x == "yaml" || x == "json")
            })
            .count()
    };
    let (total, auth) = (count(root.join("cases")), count(root.join("cases/auth")));
    write("");
    let mut out = Vec::new();
    // Every case skipped: the run checked nothing, which is no green gate.
    let refused = run(args(), &mut out).await.unwrap_err();
    assert_eq!(refused.exit_code(), 2, "{refused}");
    assert!(
        refused
            .to_string()
            .contains("every selected case was skipped"),
        "{refused}"
    );
    let text = String::from_utf8_lossy(&out).to_string();
    assert!(text.contains("mutates (PUT evs.update_snapshot.v2): pass --allow-mutation or set mutations: allowed on the target"), "{text}");
    assert!(
        text.contains(&format!("0 passed, 0 failed, 0 errored, {total} skipped")),
        "every shipped case mutates: {text}"
    );
    write("    mutations: allowed\n");
    let mut out = Vec::new();
    assert_eq!(
        run(args(), &mut out).await.unwrap(),
        0,
        "{}",
        String::from_utf8_lossy(&out)
    );
    assert!(
        String::from_utf8_lossy(&out).contains(&format!("{} passed", total - auth)),
        "{}",
        String::from_utf8_lossy(&out)
    );
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_login_gets_a_token_once_and_nothing_leaks() {
    const PASSWORD: &str = "pw-distinct-9931!";
    const TOKEN: &str = "tok-distinct-9931";
    let mock = conform::mock::spawn(conform::mock::MockConfig {
        auth: conform::mock::MockAuth::Token(TOKEN.into()),
        iam_user: Some(("alice".into(), PASSWORD.into())),
        ..Default::default()
    })
    .await
    .unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conform.yaml");
    let auth = format!("    mutations: allowed\n    auth: {{type: password, user_env: CONFORM_T_USER_9931, password_env: CONFORM_T_PW_9931, domain_env: CONFORM_T_DOMAIN_9931, iam_endpoint: \"{}\"}}\n", mock.base_url());
    std::fs::write(
        &config,
        common::mock_target_config("iam", &mock.base_url(), &auth),
    )
    .unwrap();
    std::env::set_var("CONFORM_T_USER_9931", "alice");
    std::env::set_var("CONFORM_T_DOMAIN_9931", "acme");
    let args = || {
        let mut a = RunArgs::new(
            root.join("cases"),
            root.join("schemas"),
            TargetChoice::Named("iam".into()),
        );
        a.config = config.clone();
        a.outputs.json = Some(dir.path().join("r.json"));
        a
    };
    std::env::set_var("CONFORM_T_PW_9931", "wrong");
    let err = run(args(), &mut Vec::new()).await.unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string()
            .contains("refused for user alice: status 401"),
        "{err}"
    );
    std::env::set_var("CONFORM_T_PW_9931", PASSWORD);
    let mut out = Vec::new();
    let code = run(args(), &mut out).await.unwrap();
    let console = String::from_utf8_lossy(&out).to_string();
    assert_eq!(code, 0, "{console}");
    assert!(
        console.contains("auth/wrong_token") && !console.contains("auth/wrong_token (requires"),
        "the token case ran: {console}"
    );
    let report = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    for t in [&console, &report] {
        assert!(
            !t.contains(PASSWORD) && !t.contains(TOKEN) && !t.contains("distinct-9931"),
            "a credential leaked"
        );
    }
    mock.stop().await;
}

/// Parity findings of a run of the suite against the faithful mock, compared with a faulted one.
async fn parity_findings(fault: conform::mock::faults::Fault) -> Vec<(String, String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let target = TargetChoice::Mock {
        faults: Default::default(),
        slow_delay: Duration::from_secs(1),
    };
    let mut args = RunArgs::new(root.join("cases"), root.join("schemas"), target);
    args.compare = Some(TargetChoice::Mock {
        faults: conform::mock::faults::Faults::new([fault]),
        slow_delay: Duration::from_secs(1),
    });
    args.outputs.json = Some(dir.path().join("r.json"));
    let mut out = Vec::new();
    run(args, &mut out).await.unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let mut found = Vec::new();
    for c in report["cases"].as_array().unwrap() {
        for s in c["steps"].as_array().unwrap() {
            for f in s["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["check"] == "parity")
            {
                found.push((
                    c["id"].as_str().unwrap().to_string(),
                    f["pointer"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parity_against_a_faulted_mock_reports_exactly_what_the_fault_changes() {
    use conform::mock::faults::Fault;
    let size = parity_findings(Fault::WrongFieldType).await;
    assert!(size.len() >= 8, "{size:?}");
    assert!(
        size.iter()
            .all(|(_, p, m)| p.ends_with("/size") && m == "type differs from mock"),
        "{size:?}"
    );
    let extra = parity_findings(Fault::ExtraField).await;
    assert!(!extra.is_empty());
    assert!(
        extra.iter().all(|(_, p, m)| p.ends_with("/x_mock_internal")
            && m == "field missing here, present in mock"),
        "{extra:?}"
    );
    let status = parity_findings(Fault::WrongSuccessStatus).await;
    assert!(
        status
            .iter()
            .all(|(_, p, m)| p.is_empty() && m == "status differs from mock"),
        "{status:?}"
    );
    assert!(status.len() >= 10, "{status:?}");
}

/// A job query: `ok` runs for two reads then succeeds with the server it made, `fail` runs once
/// then fails, `stuck` never ends, `unknown` is not found.
async fn job_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let reads: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let app = Router::new()
        .route(
            "/v1/{p}/jobs/{job}",
            axum::routing::get(
                |State(reads): State<Arc<Mutex<HashMap<String, usize>>>>,
                 Path((_p, job)): Path<(String, String)>| async move {
                    let n = {
                        let mut r = reads.lock().unwrap();
                        let n = r.entry(job.clone()).or_default();
                        *n += 1;
                        *n
                    };
                    let status = match (job.as_str(), n) {
                        ("ok", 3..) => "SUCCESS",
                        ("fail", 2..) => "FAIL",
                        ("unknown", _) => {
                            return (
                                axum::http::StatusCode::NOT_FOUND,
                                Json(json!({"error": {"code": "EVS.0404", "message": "no such job"}})),
                            );
                        }
                        _ => "RUNNING",
                    };
                    (
                        axum::http::StatusCode::OK,
                        Json(json!({"job_id": job, "status": status, "entities": {"server_id": format!("made-by-{job}")}})),
                    )
                },
            ),
        )
        .with_state(reads);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (
        addr,
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }),
    )
}

/// `until:` reads a job again until it ends: a success is captured from the last answer, a
/// FAIL fails the step's own assertion, a job that never ends fails saying what it was when
/// the wait gave up; a job query answering no success (an unknown job) ends the wait at once
/// rather than holding the run for `within`; every read is counted in the step's attempts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn until_follows_a_job_to_its_end_and_reports_a_fail_or_a_wait_given_up() {
    let (addr, server) = job_server().await;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    for (job, within) in [
        ("ok", "5s"),
        ("fail", "5s"),
        ("stuck", "200ms"),
        ("unknown", "10m"),
    ] {
        std::fs::write(
            dir.path().join(format!("{job}.yaml")),
            format!(
                "operation: evs.update_snapshot.v2\nsteps:\n  - request: {{method: GET, path: \"/v1/{{project_id}}/jobs/{job}\", service: evs}}\n    until: {{pointer: /status, in: [SUCCESS, FAIL], every: 20ms, within: {within}}}\n    expect:\n      status: 200\n      body:\n        - {{pointer: /status, equals: SUCCESS}}\n    capture: {{server_id: /entities/server_id}}\n  - request: {{method: GET, path: \"/v1/{{project_id}}/jobs/${{server_id}}\", service: evs}}\n    expect: {{status: 200}}\n"
            ),
        )
        .unwrap();
    }
    let mut args = RunArgs::new(
        dir.path().to_path_buf(),
        root.join("schemas"),
        TargetChoice::Url(format!("http://{addr}")),
    );
    args.vars.pairs.push(("project_id".into(), "p".into()));
    let case = run_to_report(args, dir.path()).await;
    let ok = case("ok");
    assert_eq!(ok["verdict"], "passed", "{ok}");
    assert_eq!(
        ok["steps"][0]["attempts"], 3,
        "two reads while running, one done"
    );
    assert!(
        ok["steps"][1]["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/jobs/made-by-ok"),
        "captured from the last answer: {ok}"
    );
    let fail = case("fail");
    assert_eq!(fail["verdict"], "failed", "{fail}");
    assert_eq!(fail["steps"][0]["attempts"], 2);
    let findings = fail["steps"][0]["findings"].to_string();
    assert!(
        findings.contains("FAIL") && !findings.contains("gave up"),
        "{findings}"
    );
    let unknown = case("unknown");
    assert_eq!(unknown["verdict"], "failed", "{unknown}");
    assert_eq!(unknown["steps"][0]["attempts"], 1, "{unknown}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "the unknown job held the run"
    );
    let stuck = case("stuck");
    assert_eq!(stuck["verdict"], "failed", "{stuck}");
    let findings = stuck["steps"][0]["findings"].to_string();
    assert!(
        findings.contains("gave up waiting after 200ms: /status is \\\"RUNNING\\\""),
        "{findings}"
    );
    server.abort();
}

/// `until:` is refused at load on a step that changes something, and with a bad pointer, no
/// state or a pause longer than the wait, each naming the line.
#[test]
fn until_is_checked_at_load() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let contract = conform::contract::Contract::load(&root.join("schemas")).unwrap();
    let path = root.join("c.yaml");
    for (until, why) in [
        ("{pointer: /status, in: [DONE]}", "until: the step is a PUT"),
        (
            "{pointer: status, in: [DONE]}",
            "must be empty or start with '/'",
        ),
        ("{pointer: /status, in: []}", "lists no state"),
        (
            "{pointer: /s, in: [x], every: 2m, within: 1m}",
            "every (120s) is longer than within (60s)",
        ),
        ("{pointer: /s, in: [x], every: soon}", "until: every:"),
    ] {
        let method = if why.contains("PUT") {
            ""
        } else {
            "{method: GET, path: /x, service: evs, "
        };
        let request = if method.is_empty() {
            "{body: {snapshot: {name: n}}}".to_string()
        } else {
            format!("{method}}}")
        };
        let text = format!(
            "operation: evs.update_snapshot.v2\nsteps:\n  - request: {request}\n    until: {until}\n"
        );
        let err = conform::case::parse_case("c", &path, &text, &contract)
            .map(|_| ())
            .unwrap_err();
        let err = format!("{err:?}");
        assert!(
            err.contains(why) && err.contains("line: 4"),
            "{until}: {err}"
        );
    }
}

/// `{first_key: /p}` captures the first key of the object at `/p`, in the answer's order, so a
/// read of one map item can name one that exists; a pointer at no object fails the capture,
/// saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_key_captures_a_key_of_the_object_at_a_pointer() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let list = "  - request: {method: GET, path: \"/v2/${project_id}/snapshots/${snapshot_with_metadata_id}/metadata\", service: evs}\n    expect: {status: 200}\n";
    std::fs::write(
        dir.path().join("ok.yaml"),
        format!("operation: evs.update_snapshot.v2\nsteps:\n{list}    capture: {{k: {{first_key: /metadata}}}}\n  - request: {{method: GET, path: \"/v2/${{project_id}}/snapshots/${{snapshot_with_metadata_id}}/metadata/${{k}}\", service: evs}}\n    expect:\n      status: 200\n      body:\n        - {{pointer: /meta/key1, equals: value1}}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("none.yaml"),
        format!("operation: evs.update_snapshot.v2\nsteps:\n{list}    capture: {{k: {{first_key: /metadata/key1}}}}\n"),
    )
    .unwrap();
    let target = TargetChoice::Mock {
        faults: Default::default(),
        slow_delay: Duration::from_secs(1),
    };
    let args = RunArgs::new(dir.path().to_path_buf(), root.join("schemas"), target);
    let case = run_to_report(args, dir.path()).await;
    let ok = case("ok");
    assert_eq!(ok["verdict"], "passed", "{ok}");
    let none = case("none");
    assert_eq!(none["verdict"], "failed", "{none}");
    let findings = none["steps"][0]["findings"].to_string();
    assert!(
        findings.contains("cannot capture 'k': nothing at the first key of /metadata/key1"),
        "{findings}"
    );
}

/// Runs (expecting exit 1, a failure among the cases) with the JSON report in `dir`; returns a
/// lookup of the report's cases by id.
async fn run_to_report(mut args: RunArgs, dir: &std::path::Path) -> impl Fn(&str) -> Value {
    args.outputs.json = Some(dir.join("r.json"));
    let mut out = Vec::new();
    assert_eq!(run(args, &mut out).await.unwrap(), 1);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
    move |id: &str| {
        report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no case {id}: {report}"))
    }
}
