//! Runner throughput and memory: `cargo bench --bench runner`.
//!
//! For 100, 1,000 and 10,000 generated cases against the in-process mock, prints cases/second,
//! process CPU time (harness + mock, both in this process) and peak RSS. Each size runs in a
//! child process of its own so that peak RSS belongs to that size alone.
//!
//! `cargo bench --bench runner -- --write DIR N` only writes N of these cases into DIR, for
//! timing `conform lint --cases-dir DIR` from outside.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use conform::commands::run::{run, RunArgs, TargetChoice};
use conform::mock::faults::Faults;

mod common;
use common::cpu_time;

const SIZES: &[usize] = &[100, 1_000, 10_000];

/// Peak resident set size in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("VmHWM:")
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Cases that each touch their own resource (404 paths checked against the error envelope),
/// plus one in ten on shared fixtures (success paths, serialised by the resource locks).
fn generate(dir: &std::path::Path, n: usize) {
    for i in 0..n {
        let text = match i % 10 {
            0 => "operation: ecs.update_server_metadata_item.v2_1\nsteps:\n  - request:\n      params: {key: bench}\n      body: {meta: {bench: value}}\n    expect:\n      status: 200\n      body:\n        - {pointer: /meta/bench, equals: value}\n".to_string(),
            k if k % 2 == 0 => format!("operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      params: {{snapshot_id: missing-{i}}}\n      body: {{snapshot: {{name: n{i}}}}}\n    expect:\n      status: 404\n"),
            _ => format!("operation: ecs.update_server_metadata_item.v2_1\nsteps:\n  - request:\n      params: {{server_id: missing-{i}, key: k}}\n      body: {{meta: {{k: v}}}}\n    expect:\n      status: 404\n"),
        };
        std::fs::write(dir.join(format!("c{i:05}.yaml")), text).expect("write case");
    }
}

fn child(n: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), n);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = TargetChoice::Mock {
        faults: Faults::default(),
        slow_delay: Duration::from_secs(5),
    };
    let mut args = RunArgs::new(dir.path().to_path_buf(), root.join("schemas"), target);
    args.outputs.json = Some(dir.path().join("report.json"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    let code = rt.block_on(run(args, std::io::sink())).expect("run");
    let wall = t0.elapsed();
    let cpu = cpu_time() - cpu0;
    assert_eq!(code, 0, "the generated suite passes");
    println!(
        "{n:>6} cases: {:>8.0} cases/s, wall {:>7.1} ms, CPU {:>7.0} ms ({:.2} ms CPU per 1,000 cases), peak RSS {:>6} KiB",
        n as f64 / wall.as_secs_f64(),
        wall.as_secs_f64() * 1000.0,
        cpu.as_millis(),
        cpu.as_secs_f64() * 1000.0 * 1000.0 / n as f64,
        peak_rss_kib()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--write") {
        let (Some(dir), Some(n)) = (
            args.get(i + 1),
            args.get(i + 2).and_then(|v| v.parse().ok()),
        ) else {
            eprintln!("usage: runner --write DIR N");
            std::process::exit(2);
        };
        std::fs::create_dir_all(dir).expect("cases dir");
        generate(std::path::Path::new(dir), n);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let n = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(100);
        child(n);
        return;
    }
    let me = std::env::current_exe().expect("own path");
    for n in SIZES {
        let out = std::process::Command::new(&me)
            .args(["--child", &n.to_string()])
            .output()
            .expect("child runs");
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            eprintln!("size {n} failed: {}", String::from_utf8_lossy(&out.stderr));
            std::process::exit(1);
        }
    }
}
