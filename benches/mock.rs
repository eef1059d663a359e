//! Mock throughput against a bare axum hello-world, side by side in one run:
//! `cargo bench --bench mock` (needs `wrk`: `apt-get install wrk`).
//!
//! The servers run in this process on 127.0.0.1 ephemeral ports; wrk drives each in turn with
//! the same settings, for several interleaved rounds. Reported, for a read (GET a snapshot) and
//! a write (PUT a metadata item): the median requests/second of each and the mock/bare ratio,
//! and the process CPU each request cost.
//!
//! Where `taskset` exists, the servers run on one worker thread pinned to the last CPU and wrk
//! on the first: unpinned, the scheduler moved wrk and the servers' workers across the 2 cores
//! and the same build measured anywhere from 0.63x to 0.91x of bare axum between runs.
//!
//! `mock --serve bare|mock ADDR` serves one of the two until killed, for
//! `benches/mock_instructions.sh` to count the instructions a request costs each under callgrind.

use std::process::Command;

use axum::routing::get;
use axum::{Json, Router};
use conform::mock::{self, MockConfig};
use serde_json::json;

mod common;
use common::cpu_time;

const DURATION: &str = "2s";
const CONNECTIONS: &str = "32";
const ROUNDS: usize = 5;

/// One wrk run: requests/second, and this process's CPU per request in microseconds.
fn wrk(prefix: &[String], url: &str, script: Option<&str>) -> Option<(f64, f64)> {
    let mut cmd = match prefix.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg("wrk");
            c
        }
        None => Command::new("wrk"),
    };
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

/// `--serve bare|mock ADDR`: serves one of the measured servers on ADDR until killed.
fn serve_only(args: &[String]) -> Option<(bool, String)> {
    let at = args.iter().position(|a| a == "--serve")?;
    match (args.get(at + 1).map(String::as_str), args.get(at + 2)) {
        (Some("bare"), Some(addr)) => Some((true, addr.clone())),
        (Some("mock"), Some(addr)) => Some((false, addr.clone())),
        _ => {
            eprintln!("usage: mock --serve bare|mock ADDR");
            std::process::exit(2);
        }
    }
}

fn serve(bare: bool, addr: &str) -> ! {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("cannot listen on {addr}: {e}");
                std::process::exit(1);
            }
        };
        // Ctrl-C ends it (callgrind then writes its counts): a shell's background job starts
        // with SIGINT ignored, and the handler installed here takes it back.
        let interrupted = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let served = if bare {
            axum::serve(listener, bare_router())
                .with_graceful_shutdown(interrupted)
                .await
        } else {
            mock::serve(listener, MockConfig::default(), interrupted).await
        };
        if let Err(e) = served {
            eprintln!("serving {addr}: {e}");
            std::process::exit(1);
        }
    });
    std::process::exit(0)
}

/// Pins every thread of this process to the last CPU, and returns the `taskset` prefix that
/// puts wrk on the first one; empty (nothing pinned) without taskset or with one CPU.
fn pin() -> Vec<String> {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    if cpus < 2 {
        return Vec::new();
    }
    let pid = std::process::id().to_string();
    let last = (cpus - 1).to_string();
    let pinned = Command::new("taskset")
        .args(["-a", "-p", "-c", &last, &pid])
        .output()
        .is_ok_and(|o| o.status.success());
    if !pinned {
        eprintln!("taskset is missing or failed: servers and wrk share the CPUs unpinned");
        return Vec::new();
    }
    vec!["taskset".into(), "-c".into(), "0".into()]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some((bare, addr)) = serve_only(&args) {
        serve(bare, &addr);
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed: apt-get install wrk");
        std::process::exit(1);
    }
    // One worker for all the servers, pinned apart from wrk below: the servers are measured one
    // at a time, each on a core of its own.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
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
    let prefix = pin();
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
                match wrk(&prefix, url, script) {
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
