//! Resources as data: a fifth resource kind, declared only in the resource table, is saved,
//! restored, created and deleted by the ledger; a change the table cannot undo is refused with
//! nothing sent; and the suite leaves the mock as it found it.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use common::{conform, root, text};

/// A tiny service with one collection, `volumes`, that logs every request it gets.
#[derive(Default)]
struct Volumes {
    items: BTreeMap<String, Value>,
    log: Vec<String>,
    next: u32,
}

type Shared = Arc<Mutex<Volumes>>;

async fn serve_volumes(state: Shared) -> (String, tokio::task::JoinHandle<()>) {
    async fn create(
        State(s): State<Shared>,
        Path(p): Path<String>,
        Json(b): Json<Value>,
    ) -> (StatusCode, Json<Value>) {
        let mut v = s.lock().unwrap();
        v.next += 1;
        let id = format!("vol-{}", v.next);
        v.log.push(format!("POST /v2/{p}/volumes"));
        let item = json!({"id": id, "name": b["volume"]["name"]});
        v.items.insert(id, item.clone());
        (StatusCode::ACCEPTED, Json(json!({"volume": item})))
    }
    async fn read(
        State(s): State<Shared>,
        Path((p, id)): Path<(String, String)>,
    ) -> (StatusCode, Json<Value>) {
        let mut v = s.lock().unwrap();
        v.log.push(format!("GET /v2/{p}/volumes/{id}"));
        match v.items.get(&id) {
            Some(item) => (StatusCode::OK, Json(json!({"volume": item}))),
            None => (
                StatusCode::NOT_FOUND,
                Json(json!({"itemNotFound": {"code": "X.404"}})),
            ),
        }
    }
    async fn update(
        State(s): State<Shared>,
        Path((p, id)): Path<(String, String)>,
        Json(b): Json<Value>,
    ) -> (StatusCode, Json<Value>) {
        let mut v = s.lock().unwrap();
        v.log.push(format!("PUT /v2/{p}/volumes/{id}"));
        match v.items.get_mut(&id) {
            Some(item) => {
                item["name"] = b["volume"]["name"].clone();
                let out = item.clone();
                (StatusCode::OK, Json(json!({"volume": out})))
            }
            None => (StatusCode::NOT_FOUND, Json(json!({}))),
        }
    }
    async fn delete(State(s): State<Shared>, Path((p, id)): Path<(String, String)>) -> StatusCode {
        let mut v = s.lock().unwrap();
        v.log.push(format!("DELETE /v2/{p}/volumes/{id}"));
        match v.items.remove(&id) {
            Some(_) => StatusCode::ACCEPTED,
            None => StatusCode::NOT_FOUND,
        }
    }
    async fn other(
        State(s): State<Shared>,
        Path((p, c, id)): Path<(String, String, String)>,
    ) -> StatusCode {
        s.lock().unwrap().log.push(format!("PUT /v2/{p}/{c}/{id}"));
        StatusCode::OK
    }
    let app = Router::new()
        .route("/v2/{p}/volumes", post(create))
        .route("/v2/{p}/volumes/{id}", get(read).put(update).delete(delete))
        .route("/v2/{p}/{c}/{id}", axum::routing::put(other))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let h = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), h)
}

/// A project whose contract is the committed one plus a `volume` kind in the resource table.
fn project_with_volumes(cases: &[(&str, &str)]) -> tempfile::TempDir {
    let p = common::project(cases);
    let path = p.path().join("schemas/resources.json");
    let mut table: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    table.push(json!({
        "kind": "volume",
        "service": "blockstore",
        "collection": "volumes",
        "read": {"method": "GET", "path": "/v2/{project_id}/volumes/{id}"},
        "fields": {"name": "/volume/name"},
        "update": {"method": "PUT", "path": "/v2/{project_id}/volumes/{id}", "body": {"volume": {"name": "{name}"}}},
        "delete": {"method": "DELETE", "path": "/v2/{project_id}/volumes/{id}"},
        "created_id": "/volume/id"
    }));
    std::fs::write(&path, serde_json::to_string_pretty(&table).unwrap()).unwrap();
    p
}

const CREATE_AND_RENAME: &str = "operation: evs.update_snapshot.v2\nsteps:\n  - name: create\n    request: {method: POST, path: \"/v2/p1/volumes\", service: blockstore, body: {volume: {name: fresh}}}\n    expect: {status: 202, schema: false}\n    capture: {new_id: /volume/id}\n  - name: rename the new one\n    request: {method: PUT, path: \"/v2/p1/volumes/${new_id}\", service: blockstore, body: {volume: {name: renamed}}}\n    expect: {status: 200, schema: false}\n  - name: rename the existing one\n    request: {method: PUT, path: \"/v2/p1/volumes/vol-keep\", service: blockstore, body: {volume: {name: changed}}}\n    expect: {status: 200, schema: false}\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_kind_declared_only_in_the_table_is_restored_and_its_creations_deleted() {
    let state: Shared = Default::default();
    state.lock().unwrap().items.insert(
        "vol-keep".into(),
        json!({"id": "vol-keep", "name": "original"}),
    );
    let (base, server) = serve_volumes(state.clone()).await;
    let p = project_with_volumes(&[("vol.yaml", CREATE_AND_RENAME)]);
    let ledger = p.path().join("l.jsonl");
    let dir = p.path().to_path_buf();
    let l = ledger.clone();
    let out = tokio::task::spawn_blocking(move || {
        conform(
            &dir,
            &[
                "run",
                "--target-url",
                &base,
                "--allow-mutation",
                "--snapshots",
                "off",
                "--ledger",
                l.to_str().unwrap(),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let v = state.lock().unwrap();
    assert_eq!(
        v.items.keys().collect::<Vec<_>>(),
        ["vol-keep"],
        "what the case created is deleted: {:?}",
        v.log
    );
    assert_eq!(v.items["vol-keep"]["name"], "original", "{:?}", v.log);
    // The existing volume was read before it was changed, and the new one was never "saved".
    let first_put = v
        .log
        .iter()
        .position(|l| l == "PUT /v2/p1/volumes/vol-keep")
        .unwrap();
    assert_eq!(
        v.log[first_put - 1],
        "GET /v2/p1/volumes/vol-keep",
        "{:?}",
        v.log
    );
    assert!(
        v.log.contains(&"DELETE /v2/p1/volumes/vol-1".to_string()),
        "{:?}",
        v.log
    );
    let book = std::fs::read_to_string(&ledger).unwrap();
    for event in ["\"saved\"", "\"created\"", "\"restored\"", "\"deleted\""] {
        assert!(book.contains(event), "{event} missing from {book}");
    }
    server.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_the_table_cannot_undo_is_refused_with_nothing_sent() {
    let state: Shared = Default::default();
    let (base, server) = serve_volumes(state.clone()).await;
    let case = "operation: evs.update_snapshot.v2\nsteps:\n  - request: {method: PUT, path: \"/v2/p1/backups/b1\", service: blockstore, body: {backup: {name: x}}}\n    expect: {status: 200, schema: false}\n";
    let p = project_with_volumes(&[("backup.yaml", case)]);
    let run = |extra: &'static [&'static str]| {
        let dir = p.path().to_path_buf();
        let base = base.clone();
        tokio::task::spawn_blocking(move || {
            let mut args = vec![
                "run",
                "--target-url",
                &base,
                "--allow-mutation",
                "--snapshots",
                "off",
                "--ledger",
                "l.jsonl",
            ];
            args.extend_from_slice(extra);
            conform(&dir, &args)
        })
    };
    let out = run(&[]).await.unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("no undo for backups") && stdout.contains("add it to the resource table"),
        "{stdout}"
    );
    assert!(
        state.lock().unwrap().log.is_empty(),
        "nothing may be sent: {:?}",
        state.lock().unwrap().log
    );
    let allowed = run(&["--allow-unrestorable"]).await.unwrap();
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed.stdout));
    assert_eq!(state.lock().unwrap().log, ["PUT /v2/p1/backups/b1"]);
    server.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_suite_leaves_a_standalone_mock_as_it_found_it() {
    let mock = conform::mock::spawn(conform::mock::MockConfig::default())
        .await
        .unwrap();
    let base = mock.base_url();
    let state = || async {
        let bytes = reqwest::get(format!("{}/__mock/state", mock.base_url()))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    let before = strip_times(state().await);
    let vars = conform::mock::state::Fixtures::defaults()
        .vars
        .iter()
        .map(|(k, v)| format!("{k}: \"{v}\"\n"))
        .collect::<String>();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vars.yaml"), vars).unwrap();
    let d = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        conform(
            &d,
            &[
                "run",
                "--target-url",
                &base,
                "--allow-mutation",
                "--snapshots",
                "off",
                "--vars-file",
                "vars.yaml",
                "--cases-dir",
                root().join("cases").to_str().unwrap(),
                "--schemas",
                root().join("schemas").to_str().unwrap(),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let after = strip_times(state().await);
    assert_eq!(
        before, after,
        "the suite's cases must undo what they change"
    );
    mock.stop().await;
}

/// The state without update times (a restore writes the same values at a new time): a
/// snapshot's `updated_at`, a server's `updated`.
fn strip_times(mut v: Value) -> Value {
    match &mut v {
        Value::Object(o) => {
            o.remove("updated_at");
            o.remove("updated");
            for x in o.values_mut() {
                *x = strip_times(x.take());
            }
        }
        Value::Array(a) => {
            for x in a.iter_mut() {
                *x = strip_times(x.take());
            }
        }
        _ => {}
    }
    v
}
