//! `conform derive` and `conform openapi`.

use std::path::{Path, PathBuf};

use crate::contract::derive::{self, defects, manifest::Manifest, write};
use crate::contract::openapi;
use crate::error::Error;

/// What `--deny` can turn into a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Any documentation defect (`defects.json` not empty).
    Defects,
    /// Any page that yields no operation (`skipped.json` not empty).
    Skipped,
}

/// The project's manifest applies to a derive that names none only when the pages it is given
/// are ones the manifest names (the project's own set, such as its seeds): a derive of other
/// pages derives what it is given, not the project's includes and resource table as well.
/// Returns whether `project_manifest` applies to `inputs`; a manifest that does not load applies
/// (its error is then reported where it is read).
pub fn manifest_applies(project_manifest: &Path, inputs: &[PathBuf]) -> bool {
    let Ok(manifest) = Manifest::load(project_manifest) else {
        return true;
    };
    inputs.iter().any(|input| {
        walkdir::WalkDir::new(input)
            .max_depth(3)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .any(|e| manifest.names_file(e.path()))
    })
}

/// The outcome of `conform derive`, ready to print.
#[derive(Debug, Default)]
pub struct DeriveOutcome {
    /// The derive log (joins, inferences, conflicts), for stdout.
    pub log: Vec<String>,
    /// The summary line, for stdout.
    pub summary: String,
    /// One line per defect and per skipped page, for stderr.
    pub problems: Vec<String>,
    /// Counts per defect kind and of skipped pages, for stderr (`-q` prints only these).
    pub counts: Vec<String>,
    /// What `--deny` refused, one line each (empty: exit 0).
    pub denied: Vec<String>,
}

/// Derives the contract from pages and writes it (`defects.json` and `skipped.json` beside the
/// schemas). `deny` lists what makes the run fail after writing.
pub fn derive(
    inputs: &[PathBuf],
    out: &Path,
    manifest: Option<&Path>,
    deny: &[Deny],
    force: bool,
) -> Result<DeriveOutcome, Error> {
    let manifest = match manifest {
        Some(p) => Manifest::load(p).map_err(|e| Error::from(diagnostic(&e)))?,
        None => Manifest::default(),
    };
    let derived = derive::derive(inputs, &manifest).map_err(|e| Error::from(diagnostic(&e)))?;
    // Never wipe a contract by accident: a folder whose operations would disappear is kept
    // unless --force says to replace it.
    let existing = out.join(crate::contract::INDEX_FILE);
    if !force && existing.is_file() {
        let old: Vec<crate::contract::Operation> = std::fs::read_to_string(&existing)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let gone: Vec<&str> = old
            .iter()
            .map(|o| o.id.as_str())
            .filter(|id| !derived.operations.iter().any(|n| n.id == *id))
            .collect();
        if !gone.is_empty() {
            return Err(Error::bad(format!(
                "--out {}: the contract there has {} operation(s) these pages do not derive ({}{}); nothing was written: choose another --out, or pass --force to replace it",
                out.display(),
                gone.len(),
                gone.iter().take(3).copied().collect::<Vec<_>>().join(", "),
                if gone.len() > 3 { ", …" } else { "" }
            )));
        }
    }
    write::write(&derived, out).map_err(|e| Error::Io(e.to_string()))?;
    let mut outcome = DeriveOutcome {
        log: derived.log.clone(),
        summary: format!(
            "wrote {} operations to {} ({} defects, {} pages skipped)",
            derived.operations.len(),
            out.display(),
            derived.defects.len(),
            derived.skipped.len()
        ),
        ..DeriveOutcome::default()
    };
    outcome
        .problems
        .extend(derived.skipped.iter().map(ToString::to_string));
    outcome
        .problems
        .extend(derived.defects.iter().map(ToString::to_string));
    for (kind, n) in defects::counts(&derived.defects) {
        outcome.counts.push(format!("{n} {kind}"));
    }
    if !derived.skipped.is_empty() {
        outcome
            .counts
            .push(format!("{} skipped-page", derived.skipped.len()));
    }
    // Notes (unread constraint phrases) ask for review, not for a refusal.
    let contradictions = derived.defects.iter().filter(|d| !d.kind.is_note()).count();
    if deny.contains(&Deny::Defects) && contradictions > 0 {
        outcome.denied.push(format!(
            "{} documentation defects (--deny defects): see {}",
            contradictions,
            out.join(write::DEFECTS_FILE).display()
        ));
    }
    if deny.contains(&Deny::Skipped) && !derived.skipped.is_empty() {
        outcome.denied.push(format!(
            "{} pages skipped (--deny skipped): see {}",
            derived.skipped.len(),
            out.join(write::SKIPPED_FILE).display()
        ));
    }
    Ok(outcome)
}

/// `conform derive --explain OPERATION`: derives without writing and returns one line per
/// request field of the operation (type, constraints, the phrase each came from).
pub fn explain(
    inputs: &[PathBuf],
    manifest: Option<&Path>,
    operation: &str,
) -> Result<Vec<String>, Error> {
    let manifest = match manifest {
        Some(p) => Manifest::load(p).map_err(|e| Error::from(diagnostic(&e)))?,
        None => Manifest::default(),
    };
    let derived = derive::derive(inputs, &manifest).map_err(|e| Error::from(diagnostic(&e)))?;
    let Some(op) = derived.operations.iter().find(|o| o.id == operation) else {
        let closest = derived
            .operations
            .iter()
            .map(|o| (strsim::levenshtein(&o.id, operation), &o.id))
            .min()
            .map(|(_, id)| format!(": did you mean {id}?"))
            .unwrap_or_default();
        return Err(Error::bad(format!(
            "--explain {operation}: these pages derive no such operation{closest}"
        )));
    };
    let request = derived
        .schemas
        .get(&(op.id.clone(), crate::contract::SchemaKind::Request));
    let mut lines = vec![format!("{} {} {}", op.id, op.method, op.path)];
    lines.extend(derive::constraints::explain(request, &op.query_params));
    Ok(lines)
}

/// The OpenAPI 3.1 document of a schemas folder, pretty-printed; `scope` says whether it states
/// what the built-in mock enforces beyond the pages.
pub fn openapi(schemas: &Path, scope: openapi::Scope) -> Result<String, Error> {
    let contract = super::load_contract(schemas)?;
    let document = openapi::document(&contract, scope).map_err(|e| Error::Io(e.to_string()))?;
    Ok(write::to_pretty(&document))
}

/// A derive error as a positioned diagnostic (file, line, column where known).
pub fn diagnostic(e: &derive::DeriveError) -> crate::diagnostic::Diagnostic {
    use crate::diagnostic::Diagnostic;
    use derive::DeriveError as D;
    match e {
        D::Io { path, source } => Diagnostic::file(path, format!("cannot read: {source}")),
        D::Page {
            file,
            line,
            message,
        }
        | D::Join {
            file,
            line,
            message,
        } => Diagnostic::at(file, *line, 1, message.clone()),
        D::Manifest {
            file,
            line,
            column,
            message,
        } => Diagnostic::at(file, *line, *column, message.clone()),
        other => Diagnostic::plain(other.to_string()),
    }
}

/// What `conform derive` was asked.
#[derive(Debug, Clone, Default)]
pub struct DeriveArgs {
    /// Pages or folders of pages.
    pub pages: Vec<PathBuf>,
    /// Output folder (default: schemas/ of the project root).
    pub out: Option<PathBuf>,
    /// Replace a contract even if operations would disappear from it.
    pub force: bool,
    /// The manifest (default: the project's pages.yaml when it names a page given).
    pub manifest: Option<PathBuf>,
    /// Print only the summary and the defect counts.
    pub quiet: bool,
    /// Fail after writing if there is any of these.
    pub deny: Vec<Deny>,
    /// Write nothing; explain this operation's request fields.
    pub explain: Option<String>,
}

/// `conform derive`: derives (or explains), prints the log, the problems and the summary, and
/// fails (exit 2) on what `--deny` names.
pub fn main(args: DeriveArgs, root: Option<&Path>) -> Result<i32, Error> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::project::default_path(root, "schemas"));
    // The manifest beside the project's contract, wherever the command runs from, when the
    // pages given are the ones it names; other pages are derived as given.
    let manifest = args.manifest.clone().or_else(|| {
        let project = crate::project::default_path(root, "pages.yaml");
        if !project.is_file() {
            return None;
        }
        if manifest_applies(&project, &args.pages) {
            return Some(project);
        }
        eprintln!(
            "note: {} not applied: it names none of these pages (--manifest {} applies it)",
            project.display(),
            project.display()
        );
        None
    });
    if let Some(operation) = &args.explain {
        let lines = explain(&args.pages, manifest.as_deref(), operation)?;
        lines.iter().for_each(|l| println!("{l}"));
        return Ok(crate::exit_code::OK);
    }
    let outcome = derive(
        &args.pages,
        &out,
        manifest.as_deref(),
        &args.deny,
        args.force,
    )?;
    if !args.quiet {
        outcome.log.iter().for_each(|l| println!("{l}"));
        outcome.problems.iter().for_each(|l| eprintln!("{l}"));
    }
    outcome.counts.iter().for_each(|l| eprintln!("{l}"));
    println!("{}", outcome.summary);
    if outcome.denied.is_empty() {
        Ok(crate::exit_code::OK)
    } else {
        Err(Error::BadInput(
            outcome
                .denied
                .into_iter()
                .map(crate::diagnostic::Diagnostic::plain)
                .collect(),
        ))
    }
}
