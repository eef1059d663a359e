//! Safe on a real region: creates are opt-in per kind on a configured target, what a create
//! sends is named with the run id, the ledger holds the intent of a create before it is sent,
//! and `conform restore` deletes what an interrupted run made: by id when the id arrived, by
//! the run-id name when it did not. Against a standalone `conform mock --schemas` serving the
//! VPC set derived from its pages, checked through the mock's own list endpoints.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{conform, root, text};
use serde_json::{json, Value};

fn standalone(dir: &Path) -> common::Standalone {
    standalone_with(dir, &[])
}

fn standalone_with(dir: &Path, args: &[&str]) -> common::Standalone {
    let mut all = vec!["--schemas", "schemas"];
    all.extend_from_slice(args);
    common::standalone(dir, &all)
}

/// A project with the VPC contract derived from its pages.
fn vpc_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pages = root().join("../shared/pages/vpc");
    let out = conform(
        dir.path(),
        &["derive", pages.to_str().unwrap(), "--out", "schemas", "-q"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::create_dir_all(dir.path().join("cases")).unwrap();
    dir
}

/// One HTTP/1.1 exchange (`Connection: close`), enough for the mock's JSON answers.
fn http(base: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(addr).unwrap();
    let payload = body.map(Value::to_string).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    let (head, rest) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, serde_json::from_str(rest).unwrap_or(Value::Null))
}

fn project_id(base: &str) -> String {
    let (_, vars) = http(base, "GET", "/__mock/vars", None);
    vars["project_id"].as_str().unwrap().to_string()
}

/// The names of what the mock's list of a collection holds.
fn names(base: &str, collection_path: &str) -> Vec<String> {
    let (status, v) = http(base, "GET", collection_path, None);
    assert_eq!(status, 200, "GET {collection_path}: {v}");
    v.as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|i| i["name"].as_str().map(str::to_string))
        .collect()
}

const CREATE_VPC: &str = r#"operation: vpc.create_vpc.v1
steps:
  - name: create
    request:
      body: {vpc: {name: "conform-${run_id}", cidr: "192.168.0.0/16"}}
    expect: {status: 200}
    capture: {vpc_id: /vpc/id}
teardown:
  - operation: vpc.delete_vpc.v1
    request:
      params: {vpc_id: "${vpc_id}"}
    expect: {status: ["2xx", "4xx"]}
"#;

const CREATE_SG: &str = r#"operation: vpc.create_security_group.v1
steps:
  - name: create
    request:
      body: {security_group: {name: "conform-${run_id}"}}
    expect: {status: 200}
    capture: {security_group_id: /security_group/id}
teardown:
  - operation: vpc.delete_security_group.v1
    request:
      params: {security_group_id: "${security_group_id}"}
    expect: {status: ["2xx", "4xx"]}
"#;

/// The (id, verdict, skip reason) of each case of the JSON report at `report`.
fn verdicts(report: &Path) -> Vec<(String, String, String)> {
    common::verdicts(&serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap())
}

#[test]
fn an_unknown_kind_in_allow_create_is_bad_input_with_a_suggestion() {
    let dir = vpc_project();
    std::fs::write(dir.path().join("cases/vpc.yaml"), CREATE_VPC).unwrap();
    for flag in ["vpcc", "vpc,subnett"] {
        let out = conform(
            dir.path(),
            &[
                "run",
                "--schemas",
                "schemas",
                "--target-url",
                "http://127.0.0.1:9",
                "--allow-create",
                flag,
            ],
        );
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains("--allow-create"), "{err}");
        assert!(
            err.contains("is no resource kind of this contract"),
            "{err}"
        );
        assert!(
            err.contains("did you mean 'vpc'?") || err.contains("did you mean 'subnet'?"),
            "{err}"
        );
        assert!(err.contains("vpc.v1"), "the kinds are listed: {err}");
    }
    // `all`, exact and short names are accepted (the run then fails to reach the port: 3).
    let out = conform(
        dir.path(),
        &[
            "run",
            "--schemas",
            "schemas",
            "--target-url",
            "http://127.0.0.1:9",
            "--allow-create",
            "all",
            "--allow-create",
            "vpc.v1,security_group",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

/// On a configured target a create runs only when its kind is allowed, by flag or by the
/// target's `allow_create`; nothing is sent otherwise. The built-in mock and --target-url need
/// no permission.
#[test]
fn creates_on_a_configured_target_are_skipped_unless_the_kind_is_allowed() {
    let dir = vpc_project();
    std::fs::write(dir.path().join("cases/vpc.yaml"), CREATE_VPC).unwrap();
    std::fs::write(dir.path().join("cases/sg.yaml"), CREATE_SG).unwrap();
    let mock = standalone(dir.path());
    let project = project_id(&mock.1);
    let config = |extra: &str| {
        std::fs::write(
            dir.path().join("conform.yaml"),
            format!(
                "targets:\n  region:\n    services: {{vpc: \"{}\"}}\n    mutations: allowed\n{extra}    vars: {{project_id: \"{project}\"}}\n",
                mock.1
            ),
        )
        .unwrap();
    };
    let run = |args: &[&str]| {
        let mut all = vec![
            "run",
            "--schemas",
            "schemas",
            "--snapshots",
            "off",
            "--report-json",
            "r.json",
        ];
        all.extend_from_slice(args);
        let out = conform(dir.path(), &all);
        (
            out.status.code(),
            verdicts(&dir.path().join("r.json")),
            text(&out.stderr),
        )
    };
    let vpcs = format!("/v1/{project}/vpcs");
    let groups = format!("/v1/{project}/security-groups");
    // What the project holds before any run: the pages' example of each kind.
    let documented = (names(&mock.1, &vpcs), names(&mock.1, &groups));

    config("");
    let (code, cases, err) = run(&["--target", "region"]);
    // Every case skipped: the run checked nothing, which the gate refuses.
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("every selected case was skipped"), "{err}");
    for (id, verdict, why) in &cases {
        assert_eq!(verdict, "skipped", "{id}");
        assert!(
            why.contains("may not create")
                && why.contains("--allow-create")
                && why.contains("allow_create of target region"),
            "{why}"
        );
    }
    let vpc_why = &cases.iter().find(|c| c.0 == "vpc").unwrap().2;
    assert!(
        vpc_why.contains("creates vpc.v1")
            && vpc_why.contains("--allow-create vpc.v1")
            && vpc_why.contains("--allow-create vpc,"),
        "{vpc_why}"
    );
    assert_eq!(
        (names(&mock.1, &vpcs), names(&mock.1, &groups)),
        documented,
        "nothing was sent"
    );

    // A flag allows one kind; the other is still skipped.
    let (code, cases, err) = run(&["--target", "region", "--allow-create", "vpc"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        cases.contains(&("vpc".into(), "passed".into(), String::new())),
        "{cases:?}"
    );
    assert!(
        cases.iter().any(|c| c.0 == "sg" && c.1 == "skipped"),
        "{cases:?}"
    );

    // The target's setting adds to the flag.
    config("    allow_create: [security_group.v1]\n");
    let (code, cases, err) = run(&["--target", "region", "--allow-create", "vpc"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(cases.iter().all(|c| c.1 == "passed"), "{cases:?}");
    // A config entry naming no kind is a warning, not a refusal: one conform.yaml serves several contracts.
    config("    allow_create: [all, evs_snapshot]\n");
    let (code, cases, err) = run(&["--target", "region"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(cases.iter().all(|c| c.1 == "passed"), "{cases:?}");

    // --target-url and the built-in mock create without permission.
    let (code, cases, err) = run(&["--target-url", &mock.1, "--allow-mutation"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(cases.iter().all(|c| c.1 == "passed"), "{cases:?}");
    let (code, cases, err) = run(&[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        cases.iter().all(|c| c.1 == "passed"),
        "built-in mock: {cases:?}"
    );
    // Every run deleted what it made.
    assert_eq!((names(&mock.1, &vpcs), names(&mock.1, &groups)), documented);
}

/// Runs the project's cases in `dir` against `base` with mutations allowed, the ledger at
/// `ledger`, the project id given and a JSON report `r.json`.
fn ledgered_create(dir: &Path, base: &str, ledger: &Path, project: &str) -> std::process::Output {
    conform(
        dir,
        &[
            "run",
            "--schemas",
            "schemas",
            "--target-url",
            base,
            "--allow-mutation",
            "--ledger",
            ledger.to_str().unwrap(),
            "--var",
            &format!("project_id={project}"),
            "--snapshots",
            "off",
            "--timeout",
            "3s",
            "--report-json",
            "r.json",
        ],
    )
}

/// The intent of a create is on disk before its request leaves: a server that reads the ledger
/// when the POST arrives finds it there, with the kind, the path, the run id and the name; the
/// create never answers, so the intent stays open and the case says so.
#[test]
fn the_ledger_holds_the_intent_before_the_create_is_sent() {
    let dir = vpc_project();
    std::fs::write(dir.path().join("cases/vpc.yaml"), CREATE_VPC).unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = ledger.clone();
    let server = std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            if request.starts_with("POST ") {
                // What the ledger holds the moment the create arrives; then no answer at all.
                return (request, std::fs::read_to_string(&seen).unwrap_or_default());
            }
            let _ = s.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
        unreachable!()
    });
    let out = ledgered_create(dir.path(), &base, &ledger, "p1");
    let (request, at_arrival) = server.join().unwrap();
    assert!(request.starts_with("POST /v1/p1/vpcs "), "{request}");
    let intent: Value = at_arrival
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|e| e["event"] == "create_intent")
        .unwrap_or_else(|| {
            panic!("no intent in the ledger when the create arrived:\n{at_arrival}")
        });
    assert_eq!(intent["resource"]["kind"], "vpc.v1");
    assert_eq!(intent["resource"]["project"], "p1");
    assert_eq!(intent["resource"]["id"], "");
    assert_eq!(intent["intent"]["path"], "/v1/p1/vpcs");
    assert_eq!(intent["intent"]["operation"], "vpc.create_vpc.v1");
    let run_id = intent["intent"]["run_id"].as_str().unwrap();
    assert_eq!(run_id.len(), 12);
    assert_eq!(intent["intent"]["name"], format!("conform-{run_id}"));
    assert!(
        request.contains(&format!("conform-{run_id}")),
        "the name sent is the one recorded"
    );
    // No answer: nothing settles the intent, and the case errs saying where it is left.
    let after = std::fs::read_to_string(&ledger).unwrap();
    assert!(
        !after.contains("\"created\"") && !after.contains("\"not_created\""),
        "{after}"
    );
    // The target hung up: 3, as for any target that cannot be reached.
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    let detail = report["cases"][0]["mutations"][0]["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("got no id back") && detail.contains("conform restore"),
        "{report}"
    );
}

/// A create whose path the client would refuse (`..` would send it to another path) is refused
/// before the ledger announces it: no intent is left open for a request that never went out,
/// and nothing reaches the target.
#[test]
fn a_create_the_client_refuses_leaves_no_intent_in_the_ledger() {
    let dir = vpc_project();
    std::fs::write(dir.path().join("cases/vpc.yaml"), CREATE_VPC).unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Records the request line of whatever arrives, and answers 404.
    let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            seen.lock()
                .unwrap()
                .push(head.lines().next().unwrap_or_default().to_string());
            let _ = s.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let out = ledgered_create(dir.path(), &base, &ledger, "..");
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    let error = report["cases"][0]["steps"][0]["error"]
        .as_str()
        .unwrap_or_default();
    assert!(error.contains("cannot be sent as written"), "{report}");
    assert_ne!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let entries = std::fs::read_to_string(&ledger).unwrap_or_default();
    assert!(!entries.contains("create_intent"), "{entries}");
    let requests = requests.lock().unwrap();
    assert!(
        !requests.iter().any(|r| r.starts_with("POST")),
        "the refused create reached the target: {requests:?}"
    );
}

/// `conform restore` deletes by id what the ledger knows the id of, and by its run-id name what
/// a create made whose id never arrived; a name without the run id is never looked for; what
/// it settled stays settled.
#[test]
fn restore_deletes_by_id_and_by_the_run_id_name() {
    let dir = vpc_project();
    let mock = standalone(dir.path());
    let project = project_id(&mock.1);
    let vpcs = format!("/v1/{project}/vpcs");
    // The pages' example VPC is there before and after: restore leaves it alone.
    let documented = names(&mock.1, &vpcs);
    let run_id = "0123456789ab";
    let create = |name: &str| {
        let (status, v) = http(
            &mock.1,
            "POST",
            &vpcs,
            Some(&json!({"vpc": {"name": name, "cidr": "10.0.0.0/8"}})),
        );
        assert_eq!(status, 200, "{v}");
        v["vpc"]["id"].as_str().unwrap().to_string()
    };
    let by_id = create("known-id");
    let _lost = create(&format!("conform-{run_id}"));
    let _also_lost = create(&format!("conform-{run_id}"));
    let _users = create("someone-elses");
    let _same_name_no_run_id = create("plain");
    let resource = |id: &str| json!({"kind": "vpc.v1", "collection": "vpcs", "project": project, "id": id, "base_url": mock.1});
    let intent = |token: &str, name: &str| json!({"token": token, "operation": "vpc.create_vpc.v1", "method": "POST", "path": vpcs, "run_id": run_id, "name": name, "at": "2026-01-01T00:00:00Z"});
    let lines = [
        json!({"event": "create_intent", "case": "a", "resource": resource(""), "intent": intent("t1", "known-id")}),
        json!({"event": "created", "case": "a", "resource": resource(&by_id), "intent": intent("t1", "known-id")}),
        json!({"event": "create_intent", "case": "b", "resource": resource(""), "intent": intent("t2", &format!("conform-{run_id}"))}),
        json!({"event": "create_intent", "case": "c", "resource": resource(""), "intent": intent("t3", "plain")}),
        json!({"event": "create_intent", "case": "e", "resource": resource(""), "intent": {"expects_refusal": true, "token": "t5", "operation": "vpc.create_vpc.v1", "method": "POST", "path": vpcs, "run_id": run_id, "at": "2026-01-01T00:00:00Z"}}),
        json!({"event": "create_intent", "case": "d", "resource": resource(""), "intent": intent("t4", "refused")}),
        json!({"event": "not_created", "case": "d", "resource": resource(""), "intent": intent("t4", "refused"), "detail": "answered 400"}),
    ];
    let ledger = dir.path().join("ledger.jsonl");
    std::fs::write(
        &ledger,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();

    let out = conform(
        dir.path(),
        &["restore", "ledger.jsonl", "--schemas", "schemas"],
    );
    let stdout = text(&out.stdout);
    // The name without the run id could be anyone's: it is reported, not searched for.
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("ok    vpc.v1 {by_id}"))
            && stdout.contains("deleted and verified"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("ok    vpc.v1 named conform-{run_id}"))
            && stdout.contains("found by name"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL  vpc.v1 named plain") && stdout.contains("does not carry run id"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("named refused"),
        "a refused create is settled: {stdout}"
    );
    // A negative case's create, sent without a name: said, not failed.
    assert!(
        stdout.contains("warn  vpc.v1 named (no name) (project")
            && stdout.contains("expected to be refused"),
        "{stdout}"
    );
    assert!(
        stdout.contains("4 resource(s) to restore, 1 failed"),
        "{stdout}"
    );
    let mut left = names(&mock.1, &vpcs);
    left.retain(|n| !documented.contains(n));
    left.sort();
    assert_eq!(left, ["plain", "someone-elses"]);

    // Again: only the unsettled one is left, and it is still not searched for.
    let out = conform(
        dir.path(),
        &["restore", "ledger.jsonl", "--schemas", "schemas"],
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("1 resource(s) to restore, 1 failed"),
        "{stdout}"
    );
    assert_eq!(names(&mock.1, &vpcs).len(), 2 + documented.len());
}

/// A create whose id never arrived, of a kind with no list (VPC's private IPs are listed only
/// under their subnet): restore sends nothing and says it cannot search for the leftover, a
/// warning and not a failed request. The ledger names a closed loopback port, so any request
/// sent would fail the entry.
#[test]
fn restore_by_name_of_a_kind_without_a_list_says_so_and_sends_nothing() {
    let dir = vpc_project();
    let table: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.path().join("schemas/resources.json")).unwrap())
            .unwrap();
    let kind = table
        .iter()
        .find(|k| k["kind"] == "privateip.v1")
        .unwrap_or_else(|| panic!("no privateip.v1 kind: {table:?}"));
    assert!(kind.get("list").is_none(), "{kind}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let run_id = "0123456789ab";
    let path = "/v1/p1/privateips";
    let line = json!({"event": "create_intent", "case": "a",
        "resource": {"kind": "privateip.v1", "collection": "privateips", "project": "p1", "id": "", "base_url": base},
        "intent": {"token": "t1", "operation": "vpc.create_privateip.v1", "method": "POST", "path": path, "run_id": run_id, "name": format!("conform-{run_id}"), "at": "2026-01-01T00:00:00Z"}});
    std::fs::write(dir.path().join("ledger.jsonl"), format!("{line}\n")).unwrap();
    let out = conform(
        dir.path(),
        &["restore", "ledger.jsonl", "--schemas", "schemas"],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("warn  privateip.v1 named conform-{run_id}"))
            && stdout.contains("kind privateip.v1 has no list: cannot find leftovers by name"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 resource(s) to restore, 0 failed"),
        "{stdout}"
    );
}

/// The checker's scenario: a generated, create-heavy suite runs with the ledger against a
/// standalone mock, is killed with SIGKILL mid-way, and `conform restore` leaves nothing the run
/// created: no list of the mock holds anything it did not hold before the run. The mock answers
/// every request 150 ms after acting on it, so the kill always finds creates made whose id never
/// arrived (found by name) beside creates whose id did (deleted by id).
#[test]
fn a_generated_run_killed_with_sigkill_leaves_nothing_after_restore() {
    let dir = vpc_project();
    let mock = standalone_with(dir.path(), &["--fault", "slow", "--slow-delay", "150ms"]);
    let project = project_id(&mock.1);
    let table: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.path().join("schemas/resources.json")).unwrap())
            .unwrap();
    // Every collection the mock lists (in the project the run uses).
    let lists: Vec<String> = table
        .iter()
        .filter_map(|k| k["list"]["path"].as_str())
        .map(|p| p.replace("{project_id}", &project))
        .filter(|p| !p.contains('{'))
        .collect();
    assert!(lists.len() > 10, "{lists:?}");
    let state = || -> Vec<(String, Vec<String>)> {
        lists
            .iter()
            .map(|p| {
                let (_, v) = http(&mock.1, "GET", p, None);
                let mut ids: Vec<String> = v
                    .as_object()
                    .map(|o| {
                        o.values()
                            .filter_map(Value::as_array)
                            .flatten()
                            .filter_map(|i| i["id"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                ids.sort();
                (p.clone(), ids)
            })
            .collect()
    };
    let before = state();
    let ledger = dir.path().join("ledger.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "run",
            "--generate",
            "--schemas",
            "schemas",
            "--target-url",
            &mock.1,
            "--allow-mutation",
            "--ledger",
            "ledger.jsonl",
            "--snapshots",
            "off",
            "--jobs",
            "4",
            "-q",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Mid-way: once a good number of creates have been announced, and the last one, named
    // with the run id, has been on its way for a while without an answer (the mock acted on it).
    let started = Instant::now();
    let mut waiting_since: Option<(String, Instant)> = None;
    loop {
        let text = std::fs::read_to_string(&ledger).unwrap_or_default();
        let entries: Vec<Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let intents = entries
            .iter()
            .filter(|e| e["event"] == "create_intent")
            .count();
        let open = entries.iter().rev().find_map(|e| {
            let i = &e["intent"];
            let token = i["token"].as_str()?;
            let named = i["name"]
                .as_str()
                .zip(i["run_id"].as_str())
                .is_some_and(|(n, r)| n.contains(r));
            let settled = entries
                .iter()
                .any(|o| o["event"] != "create_intent" && o["intent"]["token"] == token);
            (e["event"] == "create_intent" && named && !settled).then(|| token.to_string())
        });
        match (&waiting_since, open) {
            (Some((t, since)), Some(o))
                if *t == o && since.elapsed() > Duration::from_millis(60) && intents >= 12 =>
            {
                break
            }
            (Some((t, _)), Some(o)) if *t == o => {}
            (_, o) => waiting_since = o.map(|o| (o, Instant::now())),
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the run makes too few creates"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL: no teardown, no undo.
    child.wait().unwrap();
    let written = std::fs::read_to_string(&ledger).unwrap();
    let run_id = written
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|e| e["intent"]["run_id"].as_str().map(str::to_string))
        .unwrap();
    assert_ne!(state(), before, "the killed run left resources behind");

    let out = conform(
        dir.path(),
        &["restore", "ledger.jsonl", "--schemas", "schemas"],
    );
    let said = text(&out.stdout);
    assert!(
        said.contains("found by name") && said.contains("deleted and verified"),
        "both ways: {said}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // What is listed now was there before (a generated delete may have removed a seeded item:
    // that is no leftover).
    let after = state();
    let leftovers: Vec<(String, String)> = after
        .iter()
        .zip(&before)
        .flat_map(|((p, now), (_, was))| {
            now.iter()
                .filter(|id| !was.contains(id))
                .map(|id| (p.clone(), id.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "restore left what the run created: {leftovers:?}\n{}",
        text(&out.stdout)
    );
    // And nothing named with the run id is left anywhere.
    for p in &lists {
        assert!(
            !names(&mock.1, p).iter().any(|n| n.contains(&run_id)),
            "{p}"
        );
    }
}
