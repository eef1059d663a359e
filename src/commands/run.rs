//! `conform run`: resolve the target, load and prepare cases, run them, stream the reports, and
//! decide the exit code.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, watch};

use super::select::{select_streaming, streamable, Streaming};
use super::{load_contract, load_vars_file, select_cases, Selection};
use crate::case::vars::Vars;
use crate::case::CaseRef;
use crate::contract::Contract;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::exit_code;
use crate::mock::faults::Faults;
use crate::mock::state::Fixtures;
use crate::mock::{self, MockAuth, MockConfig};
use crate::report::console::Console;
use crate::report::gate::Policy;
use crate::report::{Outputs, Reporters};
use crate::run::client::Http;
use crate::run::result::Event;
use crate::run::target::{Auth, Config, Secret, Target, TargetKind};
use crate::run::{self, Interrupt, RunCtx, RunOptions};
use crate::secrets::Secrets;
use crate::snapshot::{self, Mode as SnapshotMode};

/// Where requests go.
#[derive(Debug, Clone)]
pub enum TargetChoice {
    /// The built-in mock, in-process, with these faults.
    Mock {
        /// Fault modes.
        faults: Faults,
        /// Delay of the `slow` fault.
        slow_delay: Duration,
    },
    /// Any URL.
    Url(String),
    /// A target from the config file.
    Named(String),
}

/// Variables from the command line.
#[derive(Debug, Clone, Default)]
pub struct VarSources {
    /// `--vars-file`, in order.
    pub files: Vec<PathBuf>,
    /// `--var k=v`, in order (win over files).
    pub pairs: Vec<(String, String)>,
}

/// Resolved arguments of `conform run`.
#[derive(Debug, Clone)]
pub struct RunArgs {
    /// Which cases.
    pub selection: Selection,
    /// `--max-skipped`: more skipped cases fail the gate.
    pub max_skipped: Option<crate::report::gate::MaxSkipped>,
    /// The contract folder.
    pub schemas: PathBuf,
    /// The config file.
    pub config: PathBuf,
    /// Whether `--config` was given (then the file must exist).
    pub config_given: bool,
    /// The target.
    pub target: TargetChoice,
    /// Variables.
    pub vars: VarSources,
    /// Runner options.
    pub options: RunOptions,
    /// Drift fails cases (None: the target's default).
    pub strict: Option<bool>,
    /// Print what would run and stop.
    pub list: bool,
    /// Report files.
    pub outputs: Outputs,
    /// Draw a progress bar (the caller knows whether stderr is a terminal).
    pub progress: bool,
    /// `-v` / `-vv`: each step's exchange on stderr (no progress bar then: both are on stderr).
    pub verbosity: crate::report::verbose::Verbosity,
    /// `--status-level` / `-q`: which case lines the console prints.
    pub status_level: crate::report::console::StatusLevel,
    /// `--list --format json`: the listing as one JSON document.
    pub list_json: bool,
    /// Snapshot mode.
    pub snapshots: SnapshotMode,
    /// The snapshots folder (a subfolder per target family).
    pub snapshots_dir: PathBuf,
    /// Let cases that change resources run against a target other than the built-in mock.
    pub allow_mutation: bool,
    /// `--allow-create`: kinds cases may create on a configured target (added to its
    /// `allow_create`).
    pub allow_create: Vec<String>,
    /// Also send every case here and report how the answers differ (differential parity).
    pub compare: Option<TargetChoice>,
    /// The undo ledger: changed resources are saved here first and restored after each case.
    pub ledger: Option<PathBuf>,
    /// `--baseline`: only regressions against this JSON report fail the gate.
    pub baseline: Option<PathBuf>,
    /// The quarantine file (`--quarantine`, or quarantine.yaml of the project root when present).
    pub quarantine: Option<PathBuf>,
    /// `--rerun-failed`: only the cases that failed or errored in this JSON report.
    pub rerun_failed: Option<PathBuf>,
    /// Run changes the resource table cannot undo (with a ledger they are refused otherwise).
    pub allow_unrestorable: bool,
    /// Run the cases the contract implies instead of the cases folder (`--generate`).
    pub generate: Option<crate::generate::Options>,
}

impl RunArgs {
    /// Arguments with the defaults of `conform run`: every case of `cases_dir`, no reports.
    pub fn new(cases_dir: PathBuf, schemas: PathBuf, target: TargetChoice) -> RunArgs {
        RunArgs {
            max_skipped: None,
            selection: Selection {
                cases_dir,
                ..Selection::default()
            },
            schemas,
            config: PathBuf::from("conform.yaml"),
            config_given: false,
            target,
            vars: VarSources::default(),
            options: RunOptions::default(),
            strict: None,
            list: false,
            outputs: Outputs::default(),
            progress: false,
            verbosity: Default::default(),
            status_level: Default::default(),
            list_json: false,
            snapshots: SnapshotMode::Off,
            snapshots_dir: PathBuf::from("snapshots"),
            allow_mutation: false,
            allow_create: Vec::new(),
            compare: None,
            ledger: None,
            baseline: None,
            quarantine: None,
            rerun_failed: None,
            generate: None,
            allow_unrestorable: false,
        }
    }
}

/// The variables the built-in mock provides for `contract`: what `GET /__mock/vars` of a
/// standalone mock serving it answers (the values its contract tier seeds for what the contract
/// cannot create, then the fixtures'), so a run needs the same vars file, or none, whichever
/// way the mock is started.
pub fn mock_target_vars(fixtures: &Fixtures, contract: &Contract) -> BTreeMap<String, Value> {
    crate::mock::vars_of(fixtures, Some(contract))
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}

/// The variable of the not-found cases.
const MISSING_ID: &str = "missing_id";

/// Target variables, then vars files, then `--var` pairs; `missing_id` is a fresh id unless one
/// of them names it.
pub fn base_vars(target: &BTreeMap<String, Value>, sources: &VarSources) -> Result<Vars, Error> {
    let mut vars = Vars::new(uuid::Uuid::new_v4().simple().to_string()[..12].to_string());
    for (k, v) in target {
        vars.set(k.clone(), v.clone());
    }
    for f in &sources.files {
        for (k, v) in load_vars_file(f)? {
            vars.set(k, v);
        }
    }
    for (k, v) in &sources.pairs {
        vars.set(k.clone(), Value::String(v.clone()));
    }
    // An id nobody created, for the not-found cases: a fresh one per run is unknown to any
    // target, so none needs to name one.
    if !vars.contains(MISSING_ID) {
        vars.set(MISSING_ID, Value::String(uuid::Uuid::new_v4().to_string()));
    }
    Ok(vars)
}

/// A password login becomes a token once, before anything is sent; the password and the token
/// join the secrets scrubbed from every output.
async fn login(
    http: &Http,
    target: &mut Target,
    secrets: &mut Vec<String>,
    timeout: Duration,
) -> Result<(), Error> {
    if let Auth::Password(login) = &target.auth {
        let token = crate::run::auth::iam::token(http, login, timeout)
            .await
            .map_err(|e| match e {
                crate::run::auth::iam::LoginError::Unreachable(m) => Error::Unreachable(m),
                crate::run::auth::iam::LoginError::Refused(m) => Error::bad(m),
            })?;
        secrets.push(token.expose().to_string());
        target.auth = Auth::Token(token);
    }
    Ok(())
}

/// Fills the variables nothing named from the target: a conform mock's own (`--target-url`),
/// then `project_id` (and `other_project_id`) from the target's IAM project list; `-v` says what
/// was asked and found. A target offering neither keeps them undefined, so the cases that need
/// them are skipped, each saying why.
async fn discover_vars(http: &Http, target: &Target, vars: &mut Vars, args: &RunArgs) {
    // A conform mock names what its contract cannot create; a run's own values win.
    if let (TargetKind::Url, Some(base)) = (target.kind, target.fallback.as_deref()) {
        let base = base.trim_end_matches('/');
        let offered =
            crate::run::discover::mock_vars(http, base, &target.auth, args.options.timeout).await;
        for (k, v) in offered {
            if !vars.contains(&k) {
                vars.set(k, Value::String(v));
            }
        }
    }
    if vars.contains("project_id") {
        return;
    }
    let found = crate::run::discover::projects(http, target, args.options.timeout).await;
    let verbose = args.verbosity != Default::default();
    match found {
        Ok(f) => {
            if verbose {
                eprintln!(
                    "project_id {} (project {} in {})",
                    f.project_id, f.region, f.url
                );
            }
            vars.set("project_id", Value::String(f.project_id));
            if let Some(other) = f
                .other_project_id
                .filter(|_| !vars.contains("other_project_id"))
            {
                vars.set("other_project_id", Value::String(other));
            }
        }
        Err(e) if verbose => eprintln!("project_id not found: {e}"),
        Err(_) => {}
    }
}

/// Resolves a target choice; the built-in mock is started here, on an ephemeral port.
async fn resolve_target(
    choice: &TargetChoice,
    (config, loaded): (&Path, Option<&Config>),
    flag: &str,
    contract: &Arc<Contract>,
) -> Result<(Target, Option<mock::RunningMock>), Error> {
    Ok(match choice {
        TargetChoice::Mock { faults, slow_delay } => {
            let fixtures = Fixtures::defaults();
            // A per-run token: the mock checks it, so auth cases run against the default target.
            let token = uuid::Uuid::new_v4().simple().to_string();
            let m = mock::spawn(MockConfig {
                faults: faults.clone(),
                auth: MockAuth::Token(token.clone()),
                // Open: the in-process mock listens on loopback for this run only.
                admin: true,
                admin_token: None,
                fixtures: fixtures.clone(),
                slow_delay: *slow_delay,
                iam_user: None,
                limits: Default::default(),
                // Operations nobody emulated by hand are served from the contract.
                contract: Some(contract.clone()),
            })
            .await
            .map_err(|e| Error::Io(format!("cannot start the built-in mock: {e}")))?;
            let t = Target {
                name: "mock".into(),
                kind: TargetKind::Mock,
                services: BTreeMap::new(),
                fallback: Some(m.base_url()),
                vars: mock_target_vars(&fixtures, contract),
                auth: Auth::Token(Secret::new(token)),
                strict: true,
                snapshot_rules: Default::default(),
                mutations_allowed: true,
                creates: Default::default(),
                allow_create: Vec::new(),
                region: None,
            };
            (t, Some(m))
        }
        TargetChoice::Url(u) => {
            crate::run::target::check_base_url(u)
                .map_err(|e| Error::bad(format!("{flag}-url {u}: {e}")))?;
            (Target::url(u), None)
        }
        TargetChoice::Named(name) => {
            let Some(c) = loaded else {
                return Err(Error::bad(format!(
                    "{flag} {name}: config file {} not found",
                    config.display()
                )));
            };
            let mut t = c.target(name, config, flag)?;
            t.cover(contract.operations.iter().map(|o| o.service.as_str()));
            (t, None)
        }
    })
}

/// Which kinds a target's cases may create: on a configured target, those its `allow_create`
/// and `--allow-create` name; anywhere else, any. A flag naming no kind of the contract is bad
/// input (a typo must not quietly skip the creates it meant to allow); a config entry naming
/// none is a warning, since one `conform.yaml` serves runs of several contracts.
fn allow_creates(
    target: &mut Target,
    args: &RunArgs,
    contract: &Contract,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let table = &contract.resources;
    let flags = crate::run::creates::resolve(args.allow_create.iter().map(String::as_str), table)
        .map_err(|e| Error::bad(format!("--allow-create: {e}")))?;
    if target.kind != TargetKind::Configured {
        return Ok(());
    }
    let mut allowed = flags;
    for name in &target.allow_create {
        match crate::run::creates::resolve([name.as_str()], table) {
            Ok(more) => allowed = allowed.union(more),
            Err(e) => warnings.push(format!("target {}: allow_create: {e}", target.name)),
        }
    }
    target.creates = allowed;
    Ok(())
}

/// Whether one base URL accepts TCP connections (5 s per address).
pub async fn reachable(target: &str, base: &str) -> Result<(), Error> {
    let url = reqwest::Url::parse(base)
        .map_err(|e| Error::bad(format!("target {target}: invalid base URL '{base}': {e}")))?;
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<_> = match (host.as_str(), port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            return Err(Error::Unreachable(format!(
                "target {target} is unreachable: cannot resolve {host}: {e}"
            )))
        }
    };
    let mut last = String::from("no address");
    for a in addrs {
        match tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(a)).await
        {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) => last = e.to_string(),
            Err(_) => last = "connection timed out after 5s".into(),
        }
    }
    Err(Error::Unreachable(format!(
        "target {target} is unreachable: {base}: {last}"
    )))
}

/// Checks that every base URL accepts TCP connections, so an unreachable target is one line.
async fn preflight(target: &Target) -> Result<(), Error> {
    for base in target.base_urls() {
        reachable(&target.name, &base).await?;
    }
    Ok(())
}

/// Everything a run needs once its input has been checked.
struct Prepared {
    contract: Arc<Contract>,
    target: Target,
    mock: Option<mock::RunningMock>,
    compare: Option<(Target, Option<mock::RunningMock>)>,
    vars: Vars,
    cases: Vec<CaseRef>,
    coverage: Vec<crate::report::coverage::CaseInfo>,
    warnings: Vec<String>,
    unreachable: Option<Error>,
    policy: Policy,
    /// The selection to stream into the run (then `cases` is empty): see [`select_streaming`].
    stream: Option<Selection>,
    /// A shard's plan fingerprint.
    plan: Option<String>,
}

/// `--rerun-failed`: the case ids to run and the report they came from.
type OnlyIds = Option<(BTreeSet<String>, String)>;

/// The gate policy and the rerun filter: every report and file read before anything is sent.
fn gate_inputs(args: &RunArgs) -> Result<(Policy, OnlyIds), Error> {
    let policy = Policy::load(args.baseline.as_deref(), args.quarantine.as_deref())?;
    let only = match &args.rerun_failed {
        Some(p) => {
            let report = crate::report::model::read(p).map_err(|d| {
                Error::from(Diagnostic {
                    message: format!("--rerun-failed: {}", d.message),
                    ..d
                })
            })?;
            if report.error.is_some() {
                return Err(Error::from(Diagnostic::file(
                    p,
                    "--rerun-failed: this report is of a run that could not start, so it names no failed case; run the selection whole",
                )));
            }
            let ids = report
                .cases
                .iter()
                .filter(|c| c.is_failure())
                .map(|c| c.id.clone())
                .collect();
            Some((ids, p.display().to_string()))
        }
        None => None,
    };
    Ok((policy, only))
}

/// Checks every input (contract, config, target, variables, cases) before anything is sent.
async fn prepare(args: &RunArgs) -> Result<Prepared, Error> {
    let (policy, only) = gate_inputs(args)?;
    let contract = Arc::new(load_contract(&args.schemas)?);
    // A --config that names a missing file is a typo, even when no target needs it.
    if args.config_given && !args.config.is_file() {
        return Err(Error::bad(format!(
            "--config {}: no such file",
            args.config.display()
        )));
    }
    // A broken config is bad input even when this run names no target from it; it is read
    // once, for every target the run names.
    let loaded = if args.config.is_file() {
        Some(Config::load(&args.config)?)
    } else {
        None
    };
    let config = (args.config.as_path(), loaded.as_ref());
    let (mut target, mock) = resolve_target(&args.target, config, "--target", &contract).await?;
    let compare = match &args.compare {
        Some(choice) => Some(resolve_target(choice, config, "--compare-target", &contract).await?),
        None => None,
    };
    target.mutations_allowed |= args.allow_mutation;
    let mut warnings = Vec::new();
    allow_creates(&mut target, args, &contract, &mut warnings)?;
    let compare = match compare {
        Some((mut ct, m)) => {
            allow_creates(&mut ct, args, &contract, &mut warnings)?;
            Some((ct, m))
        }
        None => None,
    };
    let vars = base_vars(&target.vars, &args.vars)?;
    // A target that cannot be reached says so before anything else is judged (--list sends nothing).
    let unreachable = if args.list {
        None
    } else {
        preflight(&target).await.err()
    };
    let mut selection = args.selection.clone();
    selection.only = only;
    // A configured target without a base URL for some service of the contract: every case is
    // read first, and one that needs a missing service stops the run before anything is sent.
    if target.fallback.is_none()
        && contract
            .operations
            .iter()
            .any(|o| !target.services.contains_key(&o.service))
    {
        selection.services = Some((
            target.name.clone(),
            target.services.keys().cloned().collect(),
        ));
    }
    if let Some(options) = &args.generate {
        // Generated on the fly from the contract, parsed from memory: nothing is written.
        let mut options = options.clone();
        options.operations = args.selection.operations.clone();
        let cases = crate::generate::generate(&contract, &options)
            .map_err(|e| Error::bad(format!("--generate: {e}")))?;
        selection.generated = Some(cases);
    }
    // A reachable target gets its first case as soon as that case is read; a listing, or a
    // selection whose matches need every case read, is read whole first.
    if !args.list && unreachable.is_none() && streamable(&selection) {
        return Ok(Prepared {
            contract,
            target,
            mock,
            compare,
            vars,
            cases: Vec::new(),
            coverage: Vec::new(),
            warnings,
            unreachable,
            policy,
            stream: Some(selection),
            plan: None,
        });
    }
    let selected = select_cases(&selection, &contract, &vars)?;
    if unreachable.is_none() && !selected.prepare_errors.is_empty() {
        return Err(Error::BadInput(selected.prepare_errors));
    }
    Ok(Prepared {
        contract,
        target,
        mock,
        compare,
        vars,
        cases: selected.cases,
        coverage: selected.coverage,
        warnings: warnings.into_iter().chain(selected.warnings).collect(),
        unreachable,
        policy,
        stream: None,
        plan: selected.plan,
    })
}

/// Watches for Ctrl-C, SIGTERM (what a CI runner sends to cancel a job) and SIGHUP. The first
/// stops the run from starting cases and says what it waits for; the second stops waiting for
/// the answers in flight (teardown and undo still run).
fn watch_signals(
    cancel: watch::Sender<Interrupt>,
    // Weak: the reporters drain events until every sender is gone, and this one never ends.
    events: mpsc::WeakUnboundedSender<Event>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for (level, notice) in [
            (
                Interrupt::Stopping,
                "interrupted: no more cases start; waiting for the running ones to finish their current step, tear down and undo what they changed (interrupt again to stop waiting for answers)",
            ),
            (
                Interrupt::Abandoning,
                "interrupted again: not waiting for answers in flight; teardown and undo still run (what they cannot undo stays in the ledger for `conform restore`)",
            ),
        ] {
            if !interrupt().await {
                return;
            }
            if let Some(events) = events.upgrade() {
                let _ = events.send(Event::Notice(notice.to_string()));
            }
            let _ = cancel.send(level);
        }
    })
}

/// Resolves on the next Ctrl-C, SIGTERM or SIGHUP; false when none can be listened for.
async fn interrupt() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            tokio::select! {
                r = tokio::signal::ctrl_c() => return r.is_ok(),
                _ = term.recv() => return true,
                _ = hup.recv() => return true,
            }
        }
    }
    tokio::signal::ctrl_c().await.is_ok()
}

/// Runs the cases; writes case lines to `out`; returns the exit code. Whatever happens after
/// the flags were parsed, the requested reports are written: a run that cannot start leaves
/// reports holding the error.
pub async fn run(args: RunArgs, out: impl Write + Send) -> Result<i32, Error> {
    // Unusable report paths are said before anything else (and no report can be written).
    args.outputs.check()?;
    let result = run_prepared(&args, out).await;
    // An error after cases ran is already in the reports, beside the cases.
    if let Some(e) = result
        .as_ref()
        .err()
        .filter(|e| !matches!(e, Error::Reported(_)))
    {
        let name = match &args.target {
            TargetChoice::Mock { .. } => "mock",
            TargetChoice::Url(u) => u.as_str(),
            TargetChoice::Named(n) => n.as_str(),
        };
        args.outputs
            .write_error(name, e, e.exit_code(), &Secrets::default());
    }
    result
}

async fn run_prepared(args: &RunArgs, mut out: impl Write + Send) -> Result<i32, Error> {
    let p = prepare(args).await?;
    if args.list {
        if args.list_json {
            let list: Vec<Value> = p
                .cases
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id,
                        "operation": c.operation,
                        "tags": c.tags,
                        "file": c.path.display().to_string(),
                    })
                })
                .collect();
            let _ = writeln!(out, "{}", Value::Array(list));
        } else {
            for c in &p.cases {
                let _ = writeln!(out, "{}\t{}\t{}", c.id, c.operation, c.tags.join(","));
            }
        }
        return Ok(exit_code::OK);
    }
    if let Some(e) = p.unreachable {
        return Err(e);
    }
    let mut p = p;
    let http = Http::new().map_err(|e| Error::Io(e.to_string()))?;
    // A password login becomes a token once, before anything is sent; the password is scrubbed
    // from every output along with the token.
    let mut secrets = p.target.auth.secrets();
    login(&http, &mut p.target, &mut secrets, args.options.timeout).await?;
    // The project ids come from the target's IAM when nothing names them, before any case is
    // read: a case's resources (its locks, its shard) depend on them.
    discover_vars(&http, &p.target, &mut p.vars, args).await;
    // Cases are read on a thread of their own and start as they come (see `select_streaming`);
    // or they were all read already.
    let (queue, total, loading, _closer) = match p.stream {
        Some(selection) => {
            let queue = Arc::new(run::CaseQueue::default());
            // The reader waits for room in the queue: if this returns before the run drains
            // it (a failed login, an unwritable report), dropping the guard lets it go.
            let closer = queue.close_on_drop();
            let (total_tx, total_rx) = tokio::sync::oneshot::channel();
            let (q, contract, vars) = (queue.clone(), p.contract.clone(), p.vars.clone());
            let loading = tokio::task::spawn_blocking(move || {
                let stream = Streaming {
                    queue: &q,
                    total: total_tx,
                };
                let selected = select_streaming(&selection, &contract, &vars, stream);
                q.close();
                selected
            });
            match total_rx.await {
                Ok(total) => (queue, total, Some(loading), Some(closer)),
                // Refused before any case was pushed (a glob matching nothing, an empty folder).
                Err(_) => {
                    return Err(finish_loading(loading).await.err().unwrap_or_else(|| {
                        Error::Io("case selection stopped without a word".into())
                    }))
                }
            }
        }
        None => {
            let total = p.cases.len();
            (Arc::new(run::CaseQueue::of(p.cases)), total, None, None)
        }
    };
    let target = p.target;
    // The compare target (differential parity) is reached, logged into and scrubbed the same way.
    let mut compare_target = None;
    let mut compare_mock = None;
    if let Some((mut ct, m)) = p.compare {
        compare_mock = m;
        ct.mutations_allowed |= args.allow_mutation;
        preflight(&ct).await?;
        secrets.extend(ct.auth.secrets());
        login(&http, &mut ct, &mut secrets, args.options.timeout).await?;
        compare_target = Some(ct);
    }
    let secrets = Secrets::new(secrets);
    let console = Console::new(
        out,
        secrets.clone(),
        (args.progress && total >= 20 && args.verbosity == Default::default())
            .then_some(total as u64),
    )
    .with_level(args.status_level);
    let mut reporters = Reporters::open(
        &args.outputs,
        &target.name,
        &secrets,
        console,
        p.policy,
        args.selection.shard.map(|s| s.to_string()),
    )?;
    reporters.with_verbose(args.verbosity, Box::new(std::io::stderr()));
    for w in &p.warnings {
        reporters.event(&Event::Notice(w.clone()));
    }
    if let Some(plan) = p.plan {
        reporters.with_plan(plan);
    }
    reporters.with_max_skipped(args.max_skipped);
    // The coverage section of the reports (and the Markdown summary's figures); a streamed
    // selection knows what its cases cover once it has read them all.
    if loading.is_none() {
        reporters.with_coverage(
            crate::contract::rules::all_rules(&p.contract, &[]),
            p.coverage,
        );
    }
    let (cancel_tx, cancel_rx) = watch::channel(Interrupt::None);
    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let signals = watch_signals(cancel_tx, events_tx.downgrade());
    // One run path for every target: the built-in mock keeps its ledger in memory, so a case
    // that changes what it should not is undone there too and cannot leak into later cases.
    let ledger = match (&args.ledger, &args.target) {
        (Some(path), _) => Some(Arc::new(
            crate::run::ledger::Ledger::open(path).map_err(Error::Io)?,
        )),
        (None, TargetChoice::Mock { .. }) => {
            Some(Arc::new(crate::run::ledger::Ledger::in_memory()))
        }
        (None, _) => None,
    };
    let compare_ctx = match compare_target {
        Some(ct) => Some(Arc::new(RunCtx {
            rate: args.options.rate.map(crate::run::rate::RateLimit::new),
            snapshots: None,
            contract: p.contract.clone(),
            vars: base_vars(&ct.vars, &args.vars)?,
            target: Arc::new(ct),
            http: http.clone(),
            options: args.options.clone(),
            strict: false,
            events: events_tx.clone(),
            cancel: cancel_rx.clone(),
            locks: Default::default(),
            compare: None,
            is_compare: true,
            ledger: None,
            allow_unrestorable: args.allow_unrestorable,
        })),
        None => None,
    };
    let ctx = Arc::new(RunCtx {
        ledger,
        compare: compare_ctx,
        is_compare: false,
        allow_unrestorable: args.allow_unrestorable,
        rate: args.options.rate.map(crate::run::rate::RateLimit::new),
        snapshots: snapshot_store(args, &target, secrets, p.vars.run_id())?,
        strict: args.strict.unwrap_or(target.strict),
        contract: p.contract.clone(),
        target: Arc::new(target),
        http,
        options: args.options.clone(),
        events: events_tx,
        cancel: cancel_rx,
        vars: p.vars,
        locks: Default::default(),
    });
    let runner = tokio::spawn(run::execute(queue, total, ctx));
    reporters.drain(&mut events_rx).await;
    let summary = runner
        .await
        .map_err(|e| Error::Io(format!("runner stopped: {e}")))?;
    // A broken case found while others ran: the run is bad input (those that ran were
    // undone); the reports hold every case that ran and the error beside them.
    let mut late = None;
    if let Some(loading) = loading {
        match finish_loading(loading).await {
            Ok(selected) if !selected.prepare_errors.is_empty() => {
                late = Some(Error::BadInput(selected.prepare_errors));
            }
            Ok(selected) => {
                for w in &selected.warnings {
                    reporters.event(&Event::Notice(w.clone()));
                }
                reporters.with_coverage(
                    crate::contract::rules::all_rules(&p.contract, &[]),
                    selected.coverage,
                );
            }
            Err(e) => late = Some(e),
        }
    }
    // A fault of the built-in mock that never took effect proves nothing: a passing suite has
    // not shown it would catch it (the failures speak for the others).
    if let TargetChoice::Mock { faults, .. } = &args.target {
        for (fault, _) in faults.fired().into_iter().filter(|(_, n)| *n == 0) {
            reporters.event(&Event::Notice(mock::faults::fired_line(fault, 0)));
        }
    }
    signals.abort();
    let code = reporters.finish(&summary, late)?;
    for m in [p.mock, compare_mock].into_iter().flatten() {
        m.stop().await;
    }
    Ok(code)
}

/// The streaming selection's outcome, once every case file is read.
async fn finish_loading(
    loading: tokio::task::JoinHandle<Result<super::Selected, Error>>,
) -> Result<super::Selected, Error> {
    loading
        .await
        .map_err(|e| Error::Io(format!("case selection stopped: {e}")))?
}

/// Where responses are recorded (None: `--snapshots off`). A mock with faults is compared with
/// the faithful baseline but never writes to it.
fn snapshot_store(
    args: &RunArgs,
    target: &Target,
    secrets: Secrets,
    run_id: &str,
) -> Result<Option<Arc<snapshot::Store>>, Error> {
    if args.snapshots == SnapshotMode::Off {
        return Ok(None);
    }
    let family = match target.kind {
        TargetKind::Mock => "mock".to_string(),
        TargetKind::Url => "url".to_string(),
        TargetKind::Configured => target.name.clone(),
    };
    let faulty = matches!(&args.target, TargetChoice::Mock { faults, .. } if !faults.is_empty());
    let dir = args.snapshots_dir.join(&family);
    let cwd = std::env::current_dir().unwrap_or_default();
    let index = snapshot::FileIndex::open(&dir)
        .map_err(|e| Error::Io(format!("cannot start the snapshot writer: {e}")))?;
    Ok(Some(Arc::new(snapshot::Store {
        index,
        root: {
            let snapshots = snapshot::lexical(&cwd.join(&args.snapshots_dir));
            snapshots
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or(snapshots)
        },
        cwd,
        dir,
        mode: if faulty {
            SnapshotMode::Compare
        } else {
            args.snapshots
        },
        policy: if faulty {
            snapshot::WritePolicy::No
        } else {
            snapshot::WritePolicy::from_env()
        },
        ci: snapshot::is_ci(),
        family,
        rules: target.snapshot_rules.clone(),
        secrets,
        run_id: run_id.to_string(),
    })))
}

/// Where the default paths are, relative to the working directory.
pub fn default_paths() -> (PathBuf, PathBuf, PathBuf) {
    (
        Path::new("cases").into(),
        Path::new("schemas").into(),
        Path::new("conform.yaml").into(),
    )
}
