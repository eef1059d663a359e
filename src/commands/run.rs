//! `conform run`: resolve the target, load and prepare cases, run them, stream the reports, and
//! decide the exit code.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, watch};

use super::{load_contract, load_vars_file, select_cases, Selection};
use crate::case::vars::Vars;
use crate::error::Error;
use crate::exit_code;
use crate::mock::faults::Faults;
use crate::mock::state::Fixtures;
use crate::mock::{self, MockAuth, MockConfig};
use crate::report::console::Console;
use crate::report::json::JsonReport;
use crate::report::junit::JunitReport;
use crate::report::Redactor;
use crate::run::client::Http;
use crate::run::result::{Event, Summary};
use crate::run::target::{Auth, Config, Secret, Target, TargetKind};
use crate::run::{self, RunCtx, RunOptions};
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
    /// The contract folder.
    pub schemas: PathBuf,
    /// The config file.
    pub config: PathBuf,
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
    /// JSON report path.
    pub report_json: Option<PathBuf>,
    /// JUnit report path.
    pub report_junit: Option<PathBuf>,
    /// Draw a progress bar (the caller knows whether stderr is a terminal).
    pub progress: bool,
    /// Snapshot mode.
    pub snapshots: SnapshotMode,
    /// The snapshots folder (a subfolder per target family).
    pub snapshots_dir: PathBuf,
    /// Let cases that change resources run against a target other than the built-in mock.
    pub allow_mutation: bool,
    /// Also send every case here and report how the answers differ (differential parity).
    pub compare: Option<TargetChoice>,
    /// The undo ledger: changed resources are saved here first and restored after each case.
    pub ledger: Option<PathBuf>,
}

impl RunArgs {
    /// Arguments with the defaults of `conform run`: every case of `cases_dir`, no reports.
    pub fn new(cases_dir: PathBuf, schemas: PathBuf, target: TargetChoice) -> RunArgs {
        RunArgs {
            selection: Selection {
                cases_dir,
                ..Selection::default()
            },
            schemas,
            config: PathBuf::from("conform.yaml"),
            target,
            vars: VarSources::default(),
            options: RunOptions::default(),
            strict: None,
            list: false,
            report_json: None,
            report_junit: None,
            progress: false,
            snapshots: SnapshotMode::Off,
            snapshots_dir: PathBuf::from("snapshots"),
            allow_mutation: false,
            compare: None,
            ledger: None,
        }
    }
}

/// The variables the built-in mock provides.
pub fn mock_target_vars(f: &Fixtures) -> BTreeMap<String, Value> {
    f.vars
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// Target variables, then vars files, then `--var` pairs.
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

/// Resolves a target choice; the built-in mock is started here, on an ephemeral port.
async fn resolve_target(
    choice: &TargetChoice,
    config: &Path,
    flag: &str,
) -> Result<(Target, Option<mock::RunningMock>), Error> {
    Ok(match choice {
        TargetChoice::Mock { faults, slow_delay } => {
            let fixtures = Fixtures::defaults();
            // A per-run token: the mock checks it, so auth cases run against the default target.
            let token = uuid::Uuid::new_v4().simple().to_string();
            let m = mock::spawn(MockConfig {
                faults: faults.clone(),
                auth: MockAuth::Token(token.clone()),
                admin: true,
                fixtures: fixtures.clone(),
                slow_delay: *slow_delay,
                iam_user: None,
                limits: Default::default(),
            })
            .await
            .map_err(|e| Error::Io(format!("cannot start the built-in mock: {e}")))?;
            let t = Target {
                name: "mock".into(),
                kind: TargetKind::Mock,
                services: BTreeMap::new(),
                fallback: Some(m.base_url()),
                vars: mock_target_vars(&fixtures),
                auth: Auth::Token(Secret::new(token)),
                strict: true,
                snapshot_rules: Default::default(),
                mutations_allowed: true,
            };
            (t, Some(m))
        }
        TargetChoice::Url(u) => {
            reqwest::Url::parse(u).map_err(|e| Error::bad(format!("{flag}-url {u}: {e}")))?;
            (Target::url(u), None)
        }
        TargetChoice::Named(name) => {
            if !config.exists() {
                return Err(Error::bad(format!(
                    "{flag} {name}: config file {} not found",
                    config.display()
                )));
            }
            let c = Config::load(config).map_err(Error::bad)?;
            (c.target(name, config).map_err(Error::bad)?, None)
        }
    })
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

/// Runs the cases; writes case lines to `out`; returns the exit code.
pub async fn run(args: RunArgs, out: impl Write + Send) -> Result<i32, Error> {
    let contract = Arc::new(load_contract(&args.schemas)?);

    // The target; the built-in mock starts here, in-process, on an ephemeral port.
    let (target, running_mock) = resolve_target(&args.target, &args.config, "--target").await?;
    let compare = match &args.compare {
        Some(choice) => Some(resolve_target(choice, &args.config, "--compare-target").await?),
        None => None,
    };
    let mut target = target;
    target.mutations_allowed |= args.allow_mutation;
    let vars = base_vars(&target.vars, &args.vars)?;
    let mut out = out;
    // A target that cannot be reached says so before anything else is judged (--list sends nothing).
    let unreachable = if args.list {
        None
    } else {
        preflight(&target).await.err()
    };
    let selected = select_cases(&args.selection, &contract, &vars)?;
    let (cases, prepared) = (selected.cases, selected.prepare_errors);
    if unreachable.is_none() && !prepared.is_empty() {
        return Err(Error::BadInput(prepared));
    }
    if args.list {
        for c in &cases {
            let _ = writeln!(out, "{}\t{}\t{}", c.id, c.operation, c.tags.join(","));
        }
        return Ok(exit_code::OK);
    }
    let http = Http::new().map_err(Error::Io)?;
    // A password login becomes a token once, before anything is sent; the password is scrubbed
    // from every output along with the token.
    let mut secrets = target.auth.secrets();
    login(&http, &mut target, &mut secrets, args.options.timeout).await?;
    // The compare target (differential parity) is reached, logged into and scrubbed the same way.
    let mut compare_target = None;
    let mut compare_mock = None;
    if let Some((mut ct, m)) = compare {
        compare_mock = m;
        ct.mutations_allowed |= args.allow_mutation;
        preflight(&ct).await?;
        secrets.extend(ct.auth.secrets());
        login(&http, &mut ct, &mut secrets, args.options.timeout).await?;
        compare_target = Some(ct);
    }
    let redactor = Redactor::new(secrets.clone());
    let mut json = match &args.report_json {
        Some(p) => Some(
            JsonReport::create(p, &target.name, redactor.clone())
                .map_err(|e| Error::Io(format!("--report-json {}: {e}", p.display())))?,
        ),
        None => None,
    };
    let mut junit = args
        .report_junit
        .as_ref()
        .map(|_| JunitReport::new(&target.name, redactor.clone()));
    let finish_reports = |json: Option<JsonReport>,
                          junit: Option<JunitReport>,
                          summary: &Summary,
                          code: i32|
     -> Result<(), Error> {
        if let Some(j) = json {
            j.finish(summary, code)
                .map_err(|e| Error::Io(format!("--report-json: {e}")))?;
        }
        if let (Some(j), Some(p)) = (junit, &args.report_junit) {
            j.write(p)
                .map_err(|e| Error::Io(format!("--report-junit {}: {e}", p.display())))?;
        }
        Ok(())
    };
    if let Some(e) = unreachable {
        let summary = Summary {
            aborted: true,
            ..Summary::default()
        };
        finish_reports(json, junit, &summary, exit_code::UNREACHABLE)?;
        return Err(e);
    }
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = cancel_tx.send(true);
        }
    });
    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let strict = args.strict.unwrap_or(target.strict);
    let family = match target.kind {
        TargetKind::Mock => "mock".to_string(),
        TargetKind::Url => "url".to_string(),
        TargetKind::Configured => target.name.clone(),
    };
    // A mock with faults is compared with the faithful baseline but never writes to it.
    let faulty = matches!(&args.target, TargetChoice::Mock { faults, .. } if !faults.is_empty());
    let snapshots = (args.snapshots != SnapshotMode::Off).then(|| snapshot::Store {
        dir: args.snapshots_dir.join(&family),
        root: std::env::current_dir().unwrap_or_default(),
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
        run_id: vars.run_id().to_string(),
    });
    let compare_ctx = match compare_target {
        Some(ct) => Some(Arc::new(RunCtx {
            rate: args.options.rate.map(crate::run::rate::RateLimit::new),
            snapshots: None,
            contract: contract.clone(),
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
        })),
        None => None,
    };
    let ledger = match &args.ledger {
        Some(p) => Some(Arc::new(
            crate::run::ledger::Ledger::open(p).map_err(Error::Io)?,
        )),
        None => None,
    };
    let ctx = Arc::new(RunCtx {
        ledger,
        compare: compare_ctx,
        is_compare: false,
        rate: args.options.rate.map(crate::run::rate::RateLimit::new),
        snapshots,
        contract: contract.clone(),
        target: Arc::new(target),
        http,
        options: args.options.clone(),
        strict,
        events: events_tx,
        cancel: cancel_rx,
        vars,
        locks: Default::default(),
    });
    let total = cases.len();
    let runner = tokio::spawn(run::execute(cases, ctx));
    let mut console = Console::new(
        out,
        redactor,
        (args.progress && total >= 20).then_some(total as u64),
    );
    let mut write_error = None;
    while let Some(event) = events_rx.recv().await {
        match event {
            Event::CaseFinished(r) => {
                console.case(&r);
                if let Some(j) = &mut json {
                    if let Err(e) = j.case(&r) {
                        write_error.get_or_insert(e.to_string());
                    }
                }
                if let Some(j) = &mut junit {
                    j.case(&r);
                }
            }
            Event::Retry {
                case,
                attempt,
                reason,
            } => console.retry(&case, attempt, &reason),
            Event::RunStarted { .. } => {}
        }
    }
    let summary = runner
        .await
        .map_err(|e| Error::Io(format!("runner stopped: {e}")))?;
    ctrl_c.abort();
    console.summary(&summary);
    let code = if summary.aborted || summary.transport_errors > 0 {
        exit_code::UNREACHABLE
    } else if summary.failed + summary.errored > 0 {
        exit_code::FAILED
    } else {
        exit_code::OK
    };
    finish_reports(json, junit, &summary, code)?;
    for m in [running_mock, compare_mock].into_iter().flatten() {
        m.stop().await;
    }
    if let Some(e) = write_error {
        return Err(Error::Io(format!("--report-json: {e}")));
    }
    Ok(code)
}

/// Where the default paths are, relative to the working directory.
pub fn default_paths() -> (PathBuf, PathBuf, PathBuf) {
    (
        Path::new("cases").into(),
        Path::new("schemas").into(),
        Path::new("conform.yaml").into(),
    )
}
