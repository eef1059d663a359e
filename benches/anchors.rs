//! conform against its anchors, side by side in one run: `cargo bench --bench anchors`.
//!
//! Workload: 1,000 two-step cases (plus a teardown that deletes the item, so every round finds
//! the state the baseline recorded) against one standalone mock (`conform mock`, fixtures with one
//! snapshot per case so nothing serialises on a shared resource): GET the snapshot asserting its
//! id, PUT a metadata item asserting the value. The same requests and asserts are written as
//! Hurl files. Rounds are interleaved (conform off / compare / update-to-a-fresh-folder, Hurl,
//! wrk) so machine noise hits every contender alike; min and median wall times and the ratios
//! are printed.
//!
//! `CONFORM=/path/to/conform` runs another build of conform (an earlier version) in the same
//! harness; `CONFORM_BASE=/path/to/conform` also runs an earlier build's `off`, `compare` and
//! `update` in every round beside this one's, so both face the same noise. `ANCHOR_ROUNDS=N`
//! sets the rounds (default 5). `update`'s multiple of `off` is also given as the median of each round's
//! own ratio, which a slow spell of the machine across rounds moves less.
//!
//! Hurl and wrk are used when installed, and their absence is said with how to install them:
//! `apt-get install wrk`; Hurl 8.0.1 builds with `cargo install hurl --version 8.0.1 --locked`
//! given Debian's `libcurl4-openssl-dev libxml2-dev libclang-dev` packages.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CASES: usize = 1_000;
const ROUNDS: usize = 5;

/// The rounds: `ANCHOR_ROUNDS`, or [`ROUNDS`].
fn rounds() -> usize {
    match std::env::var("ANCHOR_ROUNDS") {
        Ok(v) => match v.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => panic!("ANCHOR_ROUNDS={v}: a number of rounds from 1 to 1000"),
        },
        Err(_) => ROUNDS,
    }
}

/// The median of each round's `update` wall over its `off` wall.
fn ratio_median(update: &[Duration], off: &[Duration]) -> f64 {
    let mut r: Vec<f64> = update
        .iter()
        .zip(off)
        .map(|(u, o)| u.as_secs_f64() / o.as_secs_f64())
        .collect();
    r.sort_by(f64::total_cmp);
    r[r.len() / 2]
}
/// GET-only cases (more than the two-step workload, so the run's millisecond duration is precise).
const GETS: usize = 5_000;
const PROJECT: &str = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";

fn snapshot_id(i: usize) -> String {
    format!("5c7f0c1e-0000-4000-8000-{i:012}")
}

/// Fixtures with one snapshot per case, the cases and the equivalent Hurl files.
fn workload(dir: &Path) {
    let mut fixtures =
        format!("vars:\n  project_id: {PROJECT}\nprojects:\n  - id: {PROJECT}\n    snapshots:\n");
    for i in 0..CASES {
        fixtures.push_str(&format!(
            "      - {{id: {}, name: s{i}, description: d, status: available, volume_id: 5aa119a8-d25b-45a7-8d1b-88e127885635, size: 1, metadata: {{}}}}\n",
            snapshot_id(i)
        ));
    }
    fixtures.push_str("    servers: []\n");
    std::fs::write(dir.join("fixtures.yaml"), fixtures).expect("fixtures");
    std::fs::create_dir_all(dir.join("cases")).expect("cases dir");
    std::fs::create_dir_all(dir.join("hurl")).expect("hurl dir");
    for i in 0..CASES {
        let id = snapshot_id(i);
        std::fs::write(
            dir.join(format!("cases/c{i:04}.yaml")),
            format!("operation: evs.update_snapshot_metadata_item.v2\nsteps:\n  - request: {{method: GET, path: \"/v2/{PROJECT}/snapshots/{id}\", service: evs}}\n    expect:\n      status: 200\n      body:\n        - {{pointer: /snapshot/id, equals: \"{id}\"}}\n  - request:\n      params: {{project_id: {PROJECT}, snapshot_id: \"{id}\", key: k{i}}}\n      body: {{meta: {{k{i}: v}}}}\n    expect:\n      status: 200\n      body:\n        - {{pointer: /meta/k{i}, equals: v}}\nteardown:\n  - operation: evs.delete_snapshot_metadata_item.v2\n    request:\n      params: {{project_id: {PROJECT}, snapshot_id: \"{id}\", key: k{i}}}\n    expect: {{status: 200}}\n"),
        )
        .expect("case");
        std::fs::write(
            dir.join(format!("hurl/c{i:04}.hurl")),
            format!("GET {{{{base}}}}/v2/{PROJECT}/snapshots/{id}\nHTTP 200\n[Asserts]\njsonpath \"$.snapshot.id\" == \"{id}\"\n\nPUT {{{{base}}}}/v2/{PROJECT}/snapshots/{id}/metadata/k{i}\n{{\"meta\": {{\"k{i}\": \"v\"}}}}\nHTTP 200\n[Asserts]\njsonpath \"$.meta.k{i}\" == \"v\"\n\nDELETE {{{{base}}}}/v2/{PROJECT}/snapshots/{id}/metadata/k{i}\nHTTP 200\n"),
        )
        .expect("hurl file");
    }
}

/// Starts `conform mock` on an ephemeral port; returns the child and its base URL.
fn start_mock(bin: &Path, dir: &Path) -> (Child, String) {
    let mut child = Command::new(bin)
        .args(["mock", "--listen", "127.0.0.1:0", "--fixtures"])
        .arg(dir.join("fixtures.yaml"))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("conform mock starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("ready line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the mock says where it listens")
        .to_string();
    (child, url)
}

fn installed(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
}

fn timed(mut cmd: Command) -> Duration {
    let t = Instant::now();
    let out = cmd.output().expect("runs");
    let wall = t.elapsed();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    wall
}

fn conform(bin: &Path, cases: &Path, base: &str, mode: &str, snaps: &Path) -> Command {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut c = Command::new(bin);
    c.args([
        "run",
        "--target-url",
        base,
        "--allow-mutation",
        "--snapshots",
        mode,
    ])
    .arg("--snapshots-dir")
    .arg(snaps)
    .arg("--cases-dir")
    .arg(cases)
    .arg("--schemas")
    .arg(root.join("schemas"))
    .args(["--var", &format!("project_id={PROJECT}")])
    .env("CI", "false");
    c
}

fn wrk_rate(url: &str) -> Option<f64> {
    let out = Command::new("wrk")
        .args(["-t1", "-c32", "-d3s", url])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
        l.strip_prefix("Requests/sec:")
            .and_then(|v| v.trim().parse().ok())
    })
}

/// The run's own duration, from a JSON report.
fn run_duration(report: &Path) -> Duration {
    let text = std::fs::read_to_string(report).expect("report");
    let json: serde_json::Value = serde_json::from_str(&text).expect("report JSON");
    let ms = json["summary"]["duration_ms"]
        .as_u64()
        .expect("summary.duration_ms");
    Duration::from_millis(ms.max(1))
}

fn stats(v: &mut [Duration]) -> (f64, f64) {
    v.sort();
    (v[0].as_secs_f64(), v[v.len() / 2].as_secs_f64())
}

fn main() {
    // `CONFORM=/path/to/conform` measures another build (an earlier version, side by side).
    let bin = std::env::var_os("CONFORM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_conform")));
    let dir = tempfile::tempdir().expect("tempdir");
    workload(dir.path());
    let (mut mock, base) = start_mock(&bin, dir.path());
    // `HURL=/path/to/hurl` when it is not on PATH.
    let hurl_bin = std::env::var("HURL").unwrap_or_else(|_| "hurl".into());
    let hurl = installed(&hurl_bin);
    let wrk = installed("wrk");
    if !hurl {
        eprintln!("hurl is not installed: apt-get install libcurl4-openssl-dev libxml2-dev libclang-dev && cargo install hurl --version 8.0.1 --locked");
    }
    if !wrk {
        eprintln!("wrk is not installed: apt-get install wrk");
    }
    let cases = dir.path().join("cases");
    let baseline = dir.path().join("baseline");
    // The accepted baseline that `compare` runs against.
    timed(conform(&bin, &cases, &base, "update", &baseline));
    let requests = (CASES * 3) as f64;
    let rounds = rounds();
    // An earlier build measured in the same rounds.
    let base_bin = std::env::var_os("CONFORM_BASE").map(PathBuf::from);
    let (mut base_off, mut base_compare, mut base_update) = (vec![], vec![], vec![]);
    let (mut off, mut compare, mut update, mut hurl_t) = (vec![], vec![], vec![], vec![]);
    let mut wrk_rates = vec![];
    let mut conform_get = vec![];
    // The same runs' time from the first request to the last answer (the report's duration):
    // the request rate wrk's steady state compares with, without process start and loading.
    let mut conform_get_run = vec![];
    for round in 0..rounds {
        off.push(timed(conform(&bin, &cases, &base, "off", &baseline)));
        compare.push(timed(conform(&bin, &cases, &base, "compare", &baseline)));
        let fresh = dir.path().join(format!("fresh-{round}"));
        update.push(timed(conform(&bin, &cases, &base, "update", &fresh)));
        if let Some(earlier) = &base_bin {
            base_off.push(timed(conform(earlier, &cases, &base, "off", &baseline)));
            base_compare.push(timed(conform(earlier, &cases, &base, "compare", &baseline)));
            let fresh = dir.path().join(format!("fresh-base-{round}"));
            base_update.push(timed(conform(earlier, &cases, &base, "update", &fresh)));
        }
        if hurl {
            let mut c = Command::new(&hurl_bin);
            c.args([
                "--test",
                "--jobs",
                "4",
                "--variable",
                &format!("base={base}"),
            ])
            .arg(dir.path().join("hurl"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
            hurl_t.push(timed(c));
        }
        if wrk {
            let get = format!("{base}/v2/{PROJECT}/snapshots/{}", snapshot_id(0));
            if let Some(r) = wrk_rate(&get) {
                wrk_rates.push(r);
            }
            // conform's GET-only rate on the same path: the first step of every case alone.
            let gets = dir.path().join("gets");
            if round == 0 {
                std::fs::create_dir_all(&gets).expect("gets dir");
                for i in 0..GETS {
                    std::fs::write(gets.join(format!("g{i:05}.yaml")), format!("operation: evs.update_snapshot_metadata_item.v2\nsteps:\n  - request: {{method: GET, path: \"/v2/{PROJECT}/snapshots/{}\", service: evs}}\n    expect: {{status: 200}}\n", snapshot_id(0))).expect("get case");
                }
            }
            let mut c = conform(&bin, &gets, &base, "off", &baseline);
            let report = dir.path().join("gets.json");
            c.args(["--jobs", "32", "--report-json"]).arg(&report);
            conform_get.push(timed(c));
            conform_get_run.push(run_duration(&report));
        }
    }
    let _ = mock.kill();
    let per_round = ratio_median(&update, &off);
    let base_per_round = (!base_off.is_empty()).then(|| ratio_median(&base_update, &base_off));
    let (off_min, off_med) = stats(&mut off);
    let (cmp_min, cmp_med) = stats(&mut compare);
    let (upd_min, upd_med) = stats(&mut update);
    println!("{CASES} two-step cases, {rounds} interleaved rounds (min / median wall):");
    println!(
        "  conform --snapshots off      {off_min:.3} s / {off_med:.3} s  ({:.0} req/s)",
        requests / off_med
    );
    println!(
        "  conform --snapshots compare  {cmp_min:.3} s / {cmp_med:.3} s  ({:.0} req/s)",
        requests / cmp_med
    );
    println!("  conform --snapshots update   {upd_min:.3} s / {upd_med:.3} s  (fresh folder; {:.2}x the wall of off; {per_round:.2}x by round)", upd_med / off_med);
    if let Some(base_per_round) = base_per_round {
        let (b_off_min, b_off_med) = stats(&mut base_off);
        let (b_cmp_min, b_cmp_med) = stats(&mut base_compare);
        let (b_upd_min, b_upd_med) = stats(&mut base_update);
        println!("  CONFORM_BASE off             {b_off_min:.3} s / {b_off_med:.3} s");
        println!("  CONFORM_BASE compare         {b_cmp_min:.3} s / {b_cmp_med:.3} s");
        println!("  CONFORM_BASE update          {b_upd_min:.3} s / {b_upd_med:.3} s  ({:.2}x the wall of off; {base_per_round:.2}x by round)", b_upd_med / b_off_med);
    }
    if hurl {
        let (h_min, h_med) = stats(&mut hurl_t);
        println!(
            "  hurl --test --jobs 4         {h_min:.3} s / {h_med:.3} s  ({:.0} req/s)",
            requests / h_med
        );
        println!(
            "  request rate vs Hurl: off {:.2}x, compare {:.2}x, update {:.2}x (guard: at least 1.5x in every mode)",
            h_med / off_med,
            h_med / cmp_med,
            h_med / upd_med
        );
    }
    if wrk && !wrk_rates.is_empty() {
        wrk_rates.sort_by(f64::total_cmp);
        let wrk_med = wrk_rates[wrk_rates.len() / 2];
        let (_, get_med) = stats(&mut conform_get);
        let (_, get_run_med) = stats(&mut conform_get_run);
        let whole = GETS as f64 / get_med;
        let running = GETS as f64 / get_run_med;
        println!(
            "  GET only (--jobs 32): conform {running:.0} req/s while running, {whole:.0} req/s including start and loading; wrk -t1 -c32 {wrk_med:.0} req/s: {:.2}x / {:.2}x wrk",
            running / wrk_med,
            whole / wrk_med
        );
    }
}
