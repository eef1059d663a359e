//! Concurrency must not make results flaky: cases on one resource never interleave, while cases
//! on different resources do run in parallel. Shown against an in-test server that records how
//! many requests are in flight per resource.

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
