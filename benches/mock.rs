//! Mock throughput against a bare axum hello-world, side by side in one run:
//! `cargo bench --bench mock` (needs `wrk`: `apt-get install wrk`).
//!
//! Both servers run in this process on 127.0.0.1 ephemeral ports; wrk drives each in turn with
//! the same settings. Reported: requests/second of each and the mock/bare ratio, for a read
//! (GET a snapshot) and a write (PUT a metadata item).

use std::process::Command;

use axum::routing::get;
use axum::{Json, Router};
use conform::mock::{self, MockConfig};
use serde_json::json;

const DURATION: &str = "5s";
const CONNECTIONS: &str = "32";

fn wrk(url: &str, script: Option<&str>) -> Option<f64> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t1", "-c", CONNECTIONS, "-d", DURATION, "--latency"]);
    if let Some(s) = script {
        cmd.args(["-s", s]);
    }
    let out = cmd.arg(url).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("Non-2xx") {
        eprintln!("wrk saw non-2xx answers from {url}:\n{text}");
        return None;
    }
    text.lines().find_map(|l| {
        l.strip_prefix("Requests/sec:")
            .and_then(|v| v.trim().parse().ok())
    })
}

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed: apt-get install wrk");
        std::process::exit(1);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (mock_url, bare_url) = rt.block_on(async {
        let m = mock::spawn(MockConfig::default())
            .await
            .expect("mock starts");
        let bare = Router::new().route(
            "/",
            get(|| async { Json(json!({"hello": "world"})) })
                .put(|| async { Json(json!({"meta": {"k": "v"}})) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, bare).await;
        });
        let url = m.base_url();
        std::mem::forget(m); // runs until the bench process exits
        (url, format!("http://{addr}/"))
    });
    let vars = conform::mock::state::Fixtures::defaults().vars;
    let read = format!(
        "{mock_url}/v2/{}/snapshots/{}",
        vars["project_id"], vars["snapshot_id"]
    );
    let write = format!(
        "{mock_url}/v2.1/{}/servers/{}/metadata/k",
        vars["project_id"], vars["server_id"]
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let put = dir.path().join("put.lua");
    std::fs::write(&put, "wrk.method = \"PUT\"\nwrk.body = '{\"meta\": {\"k\": \"v\"}}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n").expect("script");
    let put = put.to_str().expect("utf-8 path");
    for (label, mock_target, script) in [
        ("GET snapshot", read.as_str(), None),
        ("PUT metadata item", write.as_str(), Some(put)),
    ] {
        let bare = wrk(&bare_url, script);
        let mocked = wrk(mock_target, script);
        match (mocked, bare) {
            (Some(m), Some(b)) => println!(
                "{label:<18} mock {m:>9.0} req/s, bare axum {b:>9.0} req/s, ratio {:.2}x",
                m / b
            ),
            _ => {
                eprintln!("{label}: wrk failed");
                std::process::exit(1);
            }
        }
    }
}
