//! Mock throughput against a bare axum hello-world, side by side in one run:
//! `cargo bench --bench mock` (needs `wrk`: `apt-get install wrk`).
//!
//! The servers run in this process on 127.0.0.1 ephemeral ports; wrk drives each in turn with
//! the same settings, for several interleaved rounds. Reported, for a read (GET a snapshot) and
//! a write (PUT a metadata item): the median requests/second of each and the mock/bare ratio,
//! and the process CPU each request cost (wrk shares the 2 cores with the servers, so the
//! request rate swings with it; the CPU a request costs the server is the steadier figure).

use std::process::Command;

use axum::routing::get;
use axum::{Json, Router};
use conform::mock::{self, MockConfig};
use serde_json::json;

mod common;
use common::cpu_time;

const DURATION: &str = "3s";
const CONNECTIONS: &str = "32";
const ROUNDS: usize = 3;

/// One wrk run: requests/second, and this process's CPU per request in microseconds.
fn wrk(url: &str, script: Option<&str>) -> Option<(f64, f64)> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t1", "-c", CONNECTIONS, "-d", DURATION]);
    if let Some(s) = script {
        cmd.args(["-s", s]);
    }
    let cpu = cpu_time();
    let out = cmd.arg(url).output().ok()?;
    let spent = cpu_time() - cpu;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("Non-2xx") {
        eprintln!("wrk saw non-2xx answers from {url}:\n{text}");
        return None;
    }
    let rate: f64 = text.lines().find_map(|l| {
        l.strip_prefix("Requests/sec:")
            .and_then(|v| v.trim().parse().ok())
    })?;
    // "  123456 requests in 3.00s, …"
    let requests: f64 = text.lines().find_map(|l| {
        l.split_once(" requests in ")
            .map(|(n, _)| n.trim().parse().ok())
    })??;
    Some((rate, spent.as_secs_f64() * 1e6 / requests.max(1.0)))
}

/// The bare hello-world the mock is measured against.
fn bare_router() -> Router {
    Router::new().route(
        "/",
        get(|| async { Json(json!({"hello": "world"})) })
            .put(|| async { Json(json!({"meta": {"k": "v"}})) }),
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    conform::allocator::configure();
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed: apt-get install wrk");
        std::process::exit(1);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (mock_url, bare_url, looped_url) = rt.block_on(async {
        let m = mock::spawn(MockConfig::default())
            .await
            .expect("mock starts");
        let bare = bare_router();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, bare).await;
        });
        // The same bare router behind the mock's own accept loop (header timeout, graceful
        // shutdown): what the loop costs, apart from the mock's middleware and handlers.
        let looped = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let looped_addr = looped.local_addr().expect("addr");
        tokio::spawn(mock::server::run(
            looped,
            bare_router(),
            mock::limits::Limits::default(),
            std::future::pending(),
        ));
        let url = m.base_url();
        std::mem::forget(m); // runs until the bench process exits
        (
            url,
            format!("http://{addr}/"),
            format!("http://{looped_addr}/"),
        )
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
        // [bare, mock, bare in the mock's loop] × (rate, CPU µs per request), per round.
        let mut runs: [Vec<(f64, f64)>; 3] = Default::default();
        for _ in 0..ROUNDS {
            for (i, url) in [bare_url.as_str(), mock_target, looped_url.as_str()]
                .into_iter()
                .enumerate()
            {
                match wrk(url, script) {
                    Some(r) => runs[i].push(r),
                    None => {
                        eprintln!("{label}: wrk failed on {url}");
                        std::process::exit(1);
                    }
                }
            }
        }
        let rate = |i: usize| median(runs[i].iter().map(|r| r.0).collect());
        let cpu = |i: usize| median(runs[i].iter().map(|r| r.1).collect());
        let ratios: Vec<String> = (0..ROUNDS)
            .map(|k| format!("{:.2}", runs[1][k].0 / runs[0][k].0))
            .collect();
        println!(
            "{label:<18} mock {:>7.0} req/s, bare axum {:>7.0} req/s: {:.2}x (rounds {}); CPU a request: mock {:.1} µs, bare {:.1} µs: bare/mock {:.2}x; bare axum in the mock's accept loop {:.2}x the rate, {:.1} µs",
            rate(1),
            rate(0),
            rate(1) / rate(0),
            ratios.join(", "),
            cpu(1),
            cpu(0),
            cpu(0) / cpu(1),
            rate(2) / rate(0),
            cpu(2),
        );
    }
}
