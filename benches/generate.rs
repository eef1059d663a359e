//! How long generating the cases of the four seed operations takes, and how long running the
//! generated suite against the built-in mock takes: `cargo bench --bench generate`.
//!
//! Prints the number of cases per operation, the mean generation time over several rounds, and
//! the wall time of one run of the generated suite alone (in-process mock, 127.0.0.1 ephemeral
//! port, snapshots off).

use std::path::PathBuf;
use std::time::Instant;

use conform::commands::run::{run, RunArgs, TargetChoice};
use conform::contract::Contract;
use conform::generate::{self, Options};
use conform::mock::faults::Faults;

const ROUNDS: u32 = 20;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let contract = Contract::load(&root.join("schemas")).expect("the committed contract loads");
    let options = Options::default();
    let started = Instant::now();
    let mut cases = Vec::new();
    for _ in 0..ROUNDS {
        cases = generate::generate(&contract, &options).expect("generation succeeds");
    }
    let per_round = started.elapsed() / ROUNDS;
    let mut per_op: std::collections::BTreeMap<&str, usize> = Default::default();
    for c in &cases {
        let op = c.id.rsplit_once('/').map_or(c.id.as_str(), |(d, _)| d);
        *per_op.entry(op).or_default() += 1;
    }
    for (op, n) in &per_op {
        println!("{op:<45} {n:>4} cases");
    }
    println!(
        "generate: {} cases in {:.2} ms (mean of {ROUNDS} rounds)",
        cases.len(),
        per_round.as_secs_f64() * 1e3
    );

    let dir = tempfile::tempdir().expect("a temp dir");
    let cases_dir = dir.path().join("cases");
    generate::write(&cases, &cases_dir).expect("cases are written");
    let target = TargetChoice::Mock {
        faults: Faults::default(),
        slow_delay: std::time::Duration::from_secs(2),
    };
    let args = RunArgs::new(cases_dir, root.join("schemas"), target);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let started = Instant::now();
    let mut out = Vec::new();
    let code = runtime
        .block_on(run(args, &mut out))
        .expect("the generated suite runs");
    let elapsed = started.elapsed();
    let summary = String::from_utf8_lossy(&out);
    println!(
        "run: {} in {:.1} ms (exit {code})",
        summary.lines().last().unwrap_or_default(),
        elapsed.as_secs_f64() * 1e3
    );
}
