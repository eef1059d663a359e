//! `conform restore LEDGER`: finish what an interrupted run could not: restore every resource
//! the ledger saved and no later entry restored, delete every resource a case created and no
//! later entry deleted (by its id), and, for a create whose id never arrived (the run was
//! killed, or the answer lost), delete what the kind's list holds under the name it was sent
//! with, which carries the run id. Each is verified with a read. How is read from the
//! contract's resource table.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::run::client::Http;
use crate::run::ledger::{self, Entry, Ledger, Restorer};
use crate::run::target::{Auth, Config};

/// One resource's outcome: the entry and what happened (Err: still not restored).
pub type Outcome = (Entry, Result<String, String>);

/// Restores what the ledger left open; `target` (from the config) supplies the auth.
///
/// A ledger is a file that travels (a CI artifact, a colleague's crash), so with a target every
/// open entry must name one of that target's base URLs: an entry naming any other host is
/// refused before anything is sent, and the target's credentials go nowhere else.
pub async fn restore(
    ledger_path: &Path,
    schemas: &Path,
    config: &Path,
    target: Option<&str>,
    timeout: Duration,
) -> Result<Vec<Outcome>, Error> {
    let pending = ledger::pending(ledger_path).map_err(Error::bad)?;
    let target = match target {
        Some(name) => {
            let c = Config::load(config)?;
            Some(c.target(name, config, "--target")?)
        }
        None => None,
    };
    if let Some(t) = &target {
        refuse_foreign(ledger_path, &pending, &t.name, &t.base_urls())?;
    }
    let auth = match target {
        Some(mut t) => {
            let http = Http::new().map_err(|e| Error::Io(e.to_string()))?;
            if let Auth::Password(login) = &t.auth {
                let token = crate::run::auth::iam::token(&http, login, timeout)
                    .await
                    .map_err(|e| Error::bad(e.to_string()))?;
                t.auth = Auth::Token(token);
            }
            t.auth
        }
        None => Auth::None,
    };
    let contract = super::load_contract(schemas)?;
    let book = Ledger::open(ledger_path).map_err(Error::Io)?;
    let http = Http::new().map_err(|e| Error::Io(e.to_string()))?;
    let restorer = Restorer {
        http: &http,
        auth: &auth,
        timeout,
        table: &contract.resources,
    };
    let mut outcomes = Vec::new();
    for (_, entry) in pending {
        let (result, done, failed) = match (&entry.event[..], &entry.state, &entry.intent) {
            ("create_intent", _, Some(intent)) => (
                restorer.delete_by_name(&entry.resource, intent).await,
                "deleted",
                "delete_failed",
            ),
            ("created", _, _) => (
                restorer.delete(&entry.resource).await,
                "deleted",
                "delete_failed",
            ),
            (_, Some(state), _) => (
                restorer.restore(&entry.resource, state).await,
                "restored",
                "restore_failed",
            ),
            _ => continue,
        };
        let (event, detail) = match &result {
            Ok(d) => (done, d.clone()),
            Err(e) => (failed, e.clone()),
        };
        book.append(&Entry {
            event: event.into(),
            case: entry.case.clone(),
            resource: entry.resource.clone(),
            state: None,
            detail: Some(detail),
            // A search by name settles the intent it answers.
            intent: entry.intent.clone().filter(|_| entry.is_open_intent()),
        })
        .map_err(Error::Io)?;
        outcomes.push((entry, result));
    }
    Ok(outcomes)
}

/// Every open entry whose base URL is not one of the target's, as one bad-input error naming
/// each entry's line: nothing is sent when any is found.
fn refuse_foreign(
    ledger_path: &Path,
    pending: &[(usize, Entry)],
    target: &str,
    base_urls: &[String],
) -> Result<(), Error> {
    let foreign: Vec<Diagnostic> = pending
        .iter()
        .filter(|(_, e)| {
            let url = e.resource.base_url.trim_end_matches('/');
            !base_urls.iter().any(|b| b == url)
        })
        .map(|(line, e)| {
            let r = &e.resource;
            Diagnostic::at(
                ledger_path,
                *line,
                1,
                format!(
                    "{} {} (changed by {}) is at {}, which is not a base URL of target {target}; \
                     refusing to send its credentials there",
                    r.kind, r.id, e.case, r.base_url
                ),
            )
            .with_help(format!(
                "target {target} serves {}; restore this ledger with the target its run used",
                base_urls.join(", ")
            ))
        })
        .collect();
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(Error::BadInput(foreign))
    }
}

/// `conform restore`: prints one line per resource (`ok`, `warn` or `FAIL`) and the count;
/// exit 1 when any could not be restored or found.
pub fn main(
    ledger_path: &Path,
    schemas: Option<std::path::PathBuf>,
    config: Option<std::path::PathBuf>,
    target: Option<&str>,
    timeout: Duration,
    root: Option<&Path>,
) -> Result<i32, Error> {
    use crate::project::default_path;
    let config = config.unwrap_or_else(|| default_path(root, "conform.yaml"));
    let schemas = schemas.unwrap_or_else(|| default_path(root, "schemas"));
    let outcomes =
        super::runtime()?.block_on(restore(ledger_path, &schemas, &config, target, timeout))?;
    for (entry, result) in &outcomes {
        let r = &entry.resource;
        // A create whose id never arrived is named by the name it was sent with.
        let what = match (&entry.intent, r.id.is_empty()) {
            (Some(i), true) => format!(
                "{} named {}",
                r.kind,
                i.name.as_deref().unwrap_or("(no name)")
            ),
            _ => format!("{} {}", r.kind, r.id),
        };
        match result {
            Ok(d) if d.starts_with(ledger::UNCONFIRMED) => println!(
                "warn  {what} (project {}, changed by {}): {}",
                r.project,
                entry.case,
                d[ledger::UNCONFIRMED.len()..].trim_start()
            ),
            Ok(d) => println!(
                "ok    {what} (project {}, changed by {}): {d}",
                r.project, entry.case
            ),
            Err(e) => println!("FAIL  {what} (project {}): {e}", r.project),
        }
    }
    let failed = outcomes.iter().filter(|(_, r)| r.is_err()).count();
    println!("{} resource(s) to restore, {failed} failed", outcomes.len());
    Ok(if failed > 0 {
        crate::exit_code::FAILED
    } else {
        crate::exit_code::OK
    })
}
