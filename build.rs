//! Embeds what `conform --version` reports beside the crate version: the git commit the binary
//! was built from and the fingerprint of the contract (`schemas/`) it was built with.
//!
//! Both are read here, once, because neither can be known later: a binary has no work tree,
//! and the project it runs in may hold another contract. A build outside git (a crates tarball,
//! a `git archive`) says `unknown` rather than guessing.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=schemas");
    println!("cargo:rustc-env=CONFORM_COMMIT={}", commit(&root));
    println!(
        "cargo:rustc-env=CONFORM_CONTRACT_SHA256={}",
        contract_fingerprint(&root.join("schemas"))
    );
}

/// `git` run in `root`, its output trimmed; None when git is missing or fails.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

/// The short commit of HEAD, when this source tree is the repository's: a tarball unpacked
/// inside some other repository must not report that repository's commit, so build.rs has to
/// be a file git tracks here.
fn commit(root: &Path) -> String {
    // Rebuilt when HEAD moves (checkout, commit: its reflog is written on every move), and so
    // when build.rs is first committed. Only files that exist are named: a missing one would
    // rerun this script on every build.
    for name in ["HEAD", "logs/HEAD"] {
        if let Some(p) = git(root, &["rev-parse", "--git-path", name]) {
            let p = root.join(p);
            if p.is_file() {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
    }
    if git(root, &["ls-files", "--error-unmatch", "build.rs"]).is_none() {
        return "unknown".into();
    }
    git(root, &["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unknown".into())
}

/// The first 12 hex digits of a sha256 over the contract's files: `operations.json`,
/// `error-codes.json`, `resources.json` and every file of the per-operation folders, in path
/// order, each as its `/`-separated path, a NUL, its length and its bytes. The derive
/// by-products (`defects.json`, `skipped.json`) and the case format's schema are not the
/// contract. `none` when there is no `schemas/`.
fn contract_fingerprint(schemas: &Path) -> String {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let Ok(entries) = std::fs::read_dir(schemas) else {
        return "none".into();
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            collect(&path, &name, &mut files);
        } else if ["operations.json", "error-codes.json", "resources.json"].contains(&name.as_str())
        {
            files.push((name, path));
        }
    }
    files.sort();
    let mut hash = Sha256::new();
    for (name, path) in &files {
        let bytes = std::fs::read(path).unwrap_or_default();
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    let digest = hash.finalize();
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// Every file under `dir`, named by its path from `schemas/`.
fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        if path.is_dir() {
            collect(&path, &name, out);
        } else {
            out.push((name, path));
        }
    }
}
