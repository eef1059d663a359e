//! Derive throughput over every documentation set in `../shared/pages`: `cargo bench --bench derive`.
//!
//! Derives all sets together (read, parse, join, merge, self-check; no writing) a few times and
//! reports the best wall time and pages per second. The budget is 2 s for all sets in
//! release mode; the bench exits 1 when a run is over it, so CI can use it as a gate.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use conform::contract::derive::{self, manifest::Manifest};

const RUNS: usize = 5;
const BUDGET: Duration = Duration::from_secs(2);

fn main() {
    let pages = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/pages");
    let mut sets: Vec<PathBuf> = match std::fs::read_dir(&pages) {
        Ok(dir) => dir
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", pages.display());
            std::process::exit(1);
        }
    };
    sets.sort();
    let files = match derive::collect_files(&sets) {
        Ok(f) => f.len(),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let manifest = Manifest::default();
    let mut best = Duration::MAX;
    let mut operations = 0;
    let mut defects = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        match derive::derive(&sets, &manifest) {
            Ok(d) => {
                operations = d.operations.len();
                defects = d.defects.len();
            }
            Err(e) => {
                eprintln!("derive failed: {e}");
                std::process::exit(1);
            }
        }
        best = best.min(start.elapsed());
    }
    let secs = best.as_secs_f64();
    println!(
        "derive all sets: {files} pages, {operations} operations, {defects} defects in {:.0} ms (best of {RUNS}): {:.0} pages/s",
        secs * 1000.0,
        files as f64 / secs
    );
    if best > BUDGET {
        eprintln!("over the budget of {} s", BUDGET.as_secs());
        std::process::exit(1);
    }
}
