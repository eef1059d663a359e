//! `conform snapshots prune`: list and remove snapshots whose case no longer exists.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::project::default_path;

/// Prunes orphaned snapshots (or, with `dry_run`, lists them), printing each and the count.
pub fn prune(
    snapshots_dir: Option<PathBuf>,
    cases_dir: Option<PathBuf>,
    dry_run: bool,
    root: Option<&Path>,
) -> Result<i32, Error> {
    let snapshots_dir =
        snapshots_dir.unwrap_or_else(|| crate::project::snapshots_dir(root, cases_dir.as_deref()));
    let cases_dir = cases_dir.unwrap_or_else(|| default_path(root, "cases"));
    let pruned = crate::snapshot::prune(&snapshots_dir, &cases_dir, dry_run)
        .map_err(|e| Error::Io(e.to_string()))?;
    let verb = if dry_run { "would remove" } else { "removed" };
    for p in pruned.files.iter().chain(&pruned.folders) {
        println!("{verb} {}", p.display());
    }
    let folders = if pruned.folders.is_empty() {
        String::new()
    } else {
        format!(" and {} empty folder(s)", pruned.folders.len())
    };
    println!(
        "{verb} {} orphaned snapshot(s){folders}",
        pruned.files.len()
    );
    Ok(crate::exit_code::OK)
}
