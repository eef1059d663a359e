//! How long generating the cases of the four seed operations takes, and how long running the
//! generated suite against the built-in mock takes: `cargo bench --bench generate`.
//!
//! Prints the number of cases per operation, the mean generation time over several rounds, and
//! the wall time of one run of the generated suite alone (in-process mock, 127.0.0.1 ephemeral
//! port, snapshots off).
//!
//! Then a whole service from its pages (issue 31's finish line: under 10 s): the VPC training
//! set is derived (not timed), its suite generated and written, and run against the contract
//! tier over loopback with no vars (setup steps create what the cases read); it prints the
//! generate and run times and their sum.

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

    whole_vpc(&root, &runtime);
}

/// Generate plus run of the VPC training set against the contract tier.
fn whole_vpc(root: &std::path::Path, runtime: &tokio::runtime::Runtime) {
    use conform::contract::derive::{self, manifest::Manifest, write};
    let pages = root.join("../shared/pages/vpc");
    if !pages.is_dir() {
        println!("vpc: ../shared/pages/vpc is missing; skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("a temp dir");
    let schemas = dir.path().join("schemas");
    let derived = derive::derive(&[pages], &Manifest::default()).expect("the VPC set derives");
    write::write(&derived, &schemas).expect("the contract is written");
    let contract =
        std::sync::Arc::new(Contract::load(&schemas).expect("the derived contract loads"));
    let started = Instant::now();
    let cases = generate::generate(&contract, &Options::default()).expect("generation succeeds");
    let cases_dir = dir.path().join("cases");
    generate::write(&cases, &cases_dir).expect("cases are written");
    let generated = started.elapsed();
    let mock = runtime
        .block_on(conform::mock::spawn(conform::mock::MockConfig {
            contract: Some(contract),
            ..Default::default()
        }))
        .expect("the contract tier starts");
    let mut args = RunArgs::new(cases_dir, schemas, TargetChoice::Url(mock.base_url()));
    args.allow_mutation = true;
    args.snapshots = conform::snapshot::Mode::Off;
    let started = Instant::now();
    let mut out = Vec::new();
    let code = runtime
        .block_on(run(args, &mut out))
        .expect("the VPC suite runs");
    let ran = started.elapsed();
    let summary = String::from_utf8_lossy(&out);
    println!(
        "vpc: generate {} cases {:.0} ms, run {:.0} ms ({}; exit {code}): {:.2} s in all (target: < 10 s)",
        cases.len(),
        generated.as_secs_f64() * 1e3,
        ran.as_secs_f64() * 1e3,
        summary.lines().last().unwrap_or_default(),
        (generated + ran).as_secs_f64()
    );
}
