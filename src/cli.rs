//! Command-line definitions (clap) and their conversion, once, into the library's arguments.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use conform::commands::run::{RunArgs, TargetChoice, VarSources};
use conform::commands::Selection;
use conform::mock::faults::{Fault, Faults};
use conform::mock::state::Fixtures;
use conform::mock::{MockAuth, MockConfig};
use conform::run::RunOptions;
use conform::snapshot::Mode as SnapshotMode;

/// conform: contract tests derived from API reference pages.
#[derive(Debug, Parser)]
#[command(name = "conform", version, about, propagate_version = true)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run cases against a target (default: the built-in mock, in-process).
    Run(Box<RunCmd>),
    /// Load and validate every case without sending anything.
    Lint(LintCmd),
    /// Derive the contract (schemas/) from reference pages.
    Derive(DeriveCmd),
    /// Print the contract as one OpenAPI 3.1 document.
    Openapi(OpenapiCmd),
    /// Run the reference mock server.
    Mock(MockCmd),
    /// Manage response snapshots.
    #[command(subcommand)]
    Snapshots(SnapshotsCmd),
    /// Check that a target is ready: reachability, auth, scratch resources (read-only calls).
    Doctor {
        /// The target to check.
        #[arg(long)]
        target: String,
        /// The config file.
        #[arg(long, default_value = "conform.yaml")]
        config: PathBuf,
        /// Per-request timeout.
        #[arg(long, default_value = "10s", value_parser = parse_duration)]
        timeout: Duration,
    },
    /// Restore every resource an interrupted run left changed, from its undo ledger.
    Restore {
        /// The ledger file.
        ledger: PathBuf,
        /// The target whose auth to use (none: no auth).
        #[arg(long)]
        target: Option<String>,
        /// The config file.
        #[arg(long, default_value = "conform.yaml")]
        config: PathBuf,
        /// Per-request timeout.
        #[arg(long, default_value = "30s", value_parser = parse_duration)]
        timeout: Duration,
    },
    /// Write a commented example conform.yaml.
    Init {
        /// Where to write it.
        #[arg(long, default_value = "conform.yaml")]
        config: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

/// `conform snapshots …`.
#[derive(Debug, Subcommand)]
pub enum SnapshotsCmd {
    /// List and remove snapshots whose case no longer exists.
    Prune {
        /// The snapshots folder.
        #[arg(long, default_value = "snapshots")]
        snapshots_dir: PathBuf,
        /// The cases folder.
        #[arg(long, default_value = "cases")]
        cases_dir: PathBuf,
        /// Only list them.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Case selection and variables, shared by run and lint.
#[derive(Debug, Args)]
pub struct CaseArgs {
    /// Case ids or globs over ids and paths (default: every case).
    pub cases: Vec<String>,
    /// The cases folder.
    #[arg(long, default_value = "cases")]
    pub cases_dir: PathBuf,
    /// The contract folder.
    #[arg(long, default_value = "schemas")]
    pub schemas: PathBuf,
    /// Only cases with this tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Only cases of this operation id (repeatable).
    #[arg(long = "operation")]
    pub operations: Vec<String>,
    /// Set a variable: NAME=VALUE (repeatable; wins over --vars-file).
    #[arg(long = "var", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// A YAML or JSON map of variables (repeatable).
    #[arg(long = "vars-file")]
    pub vars_files: Vec<PathBuf>,
}

impl CaseArgs {
    fn selection(&self) -> Selection {
        Selection {
            cases_dir: self.cases_dir.clone(),
            globs: self.cases.clone(),
            tags: self.tags.clone(),
            operations: self.operations.clone(),
        }
    }

    fn var_sources(&self) -> VarSources {
        VarSources {
            files: self.vars_files.clone(),
            pairs: self.vars.clone(),
        }
    }
}

/// `conform run`.
#[derive(Debug, Args)]
pub struct RunCmd {
    /// Cases and variables.
    #[command(flatten)]
    pub cases: CaseArgs,
    /// A target from the config file.
    #[arg(long, conflicts_with = "target_url")]
    pub target: Option<String>,
    /// Any endpoint: every service at this base URL.
    #[arg(long)]
    pub target_url: Option<String>,
    /// The config file.
    #[arg(long, default_value = "conform.yaml")]
    pub config: PathBuf,
    /// Concurrent cases (default: number of CPUs).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Per-request timeout: 500ms, 10s, 2m (a bare number is seconds).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Retries for connection errors and 429/503 (honouring Retry-After).
    #[arg(long, default_value_t = 0)]
    pub retries: u32,
    /// Start no case after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// At most N requests a second to the target: `10/s`, `0.5/s` or `10`.
    #[arg(long, value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Print the cases that would run and exit.
    #[arg(long)]
    pub list: bool,
    /// Undocumented fields fail the case (default for the built-in mock).
    #[arg(long, conflicts_with = "no_strict")]
    pub strict: bool,
    /// Undocumented fields only warn (default for other targets).
    #[arg(long)]
    pub no_strict: bool,
    /// Write the JSON report here.
    #[arg(long)]
    pub report_json: Option<PathBuf>,
    /// Write the JUnit XML report here.
    #[arg(long)]
    pub report_junit: Option<PathBuf>,
    /// Run the built-in mock with this fault mode (repeatable; only without --target/--target-url).
    #[arg(long = "fault", value_parser = parse_fault, conflicts_with_all = ["target", "target_url"])]
    pub faults: Vec<Fault>,
    /// Delay of the `slow` fault.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub slow_delay: Duration,
    /// Snapshots: compare (default; differences and new ones go to .snap.new), update, off.
    #[arg(long, default_value = "compare", value_parser = parse_snapshot_mode)]
    pub snapshots: SnapshotMode,
    /// The snapshots folder (a subfolder per target family).
    #[arg(long, default_value = "snapshots")]
    pub snapshots_dir: PathBuf,
    /// Let cases that change resources (PUT, POST, DELETE …) run against a target other than the
    /// built-in mock.
    #[arg(long)]
    pub allow_mutation: bool,
    /// Also send every case to this target (`mock` for the built-in mock, or a name from the
    /// config file) and report how the answers differ: differential parity.
    #[arg(long)]
    pub compare_target: Option<String>,
    /// The undo ledger (default for --target: conform.ledger.jsonl; none for the built-in mock).
    #[arg(long)]
    pub ledger: Option<PathBuf>,
}

impl RunCmd {
    /// The library arguments.
    pub fn resolve(&self, progress: bool) -> RunArgs {
        let target = match (&self.target, &self.target_url) {
            (Some(n), _) => TargetChoice::Named(n.clone()),
            (None, Some(u)) => TargetChoice::Url(u.clone()),
            (None, None) => TargetChoice::Mock {
                faults: Faults::new(self.faults.iter().copied()),
                slow_delay: self.slow_delay,
            },
        };
        let defaults = RunOptions::default();
        RunArgs {
            selection: self.cases.selection(),
            schemas: self.cases.schemas.clone(),
            config: self.config.clone(),
            target,
            vars: self.cases.var_sources(),
            options: RunOptions {
                jobs: self.jobs.unwrap_or(defaults.jobs).max(1),
                timeout: self.timeout,
                retries: self.retries,
                fail_fast: self.fail_fast,
                rate: self.rate,
            },
            strict: if self.strict {
                Some(true)
            } else if self.no_strict {
                Some(false)
            } else {
                None
            },
            list: self.list,
            report_json: self.report_json.clone(),
            report_junit: self.report_junit.clone(),
            progress,
            snapshots: self.snapshots,
            snapshots_dir: self.snapshots_dir.clone(),
            allow_mutation: self.allow_mutation,
            // A configured target is a real endpoint: its changes are saved and undone by default.
            ledger: self.ledger.clone().or_else(|| {
                self.target
                    .as_ref()
                    .map(|_| PathBuf::from("conform.ledger.jsonl"))
            }),
            compare: self.compare_target.as_ref().map(|c| match c.as_str() {
                "mock" => TargetChoice::Mock {
                    faults: Faults::default(),
                    slow_delay: self.slow_delay,
                },
                name => TargetChoice::Named(name.to_string()),
            }),
        }
    }
}

/// `conform lint`.
#[derive(Debug, Args)]
pub struct LintCmd {
    /// Cases and variables.
    #[command(flatten)]
    pub cases: CaseArgs,
}

impl LintCmd {
    /// Selection and variables.
    pub fn resolve(&self) -> (Selection, PathBuf, VarSources) {
        (
            self.cases.selection(),
            self.cases.schemas.clone(),
            self.cases.var_sources(),
        )
    }
}

/// `conform derive`.
#[derive(Debug, Args)]
pub struct DeriveCmd {
    /// Pages or folders of pages.
    #[arg(required = true)]
    pub pages: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, default_value = "schemas")]
    pub out: PathBuf,
    /// The manifest (default: pages.yaml when it exists).
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Print only the summary line and the defect counts, not the log or one line per defect.
    #[arg(long, short)]
    pub quiet: bool,
    /// Fail (exit 2) after writing if there is any of these: `defects`, `skipped`.
    #[arg(long, value_enum)]
    pub deny: Vec<conform::commands::derive::Deny>,
}

/// `conform openapi`.
#[derive(Debug, Args)]
pub struct OpenapiCmd {
    /// The contract folder.
    #[arg(long, default_value = "schemas")]
    pub schemas: PathBuf,
}

/// `conform mock`.
#[derive(Debug, Args)]
pub struct MockCmd {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Fault mode (repeatable).
    #[arg(long = "fault", value_parser = parse_fault)]
    pub faults: Vec<Fault>,
    /// Auth: token:TOKEN (checks X-Auth-Token) or none.
    #[arg(long, default_value = "none", value_parser = parse_auth)]
    pub auth: MockAuth,
    /// Serve no /__mock/ admin API.
    #[arg(long)]
    pub no_admin: bool,
    /// IAM user USER:PASSWORD that POST /v3/auth/tokens gives the --auth token to.
    #[arg(long, value_parser = parse_iam_user)]
    pub iam: Option<(String, String)>,
    /// Fixtures YAML replacing the defaults.
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
    /// Delay of the `slow` fault.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub slow_delay: Duration,
    /// Log one line per request (debug level).
    #[arg(long, short)]
    pub verbose: bool,
}

impl MockCmd {
    /// The mock's configuration (reads the fixtures file).
    pub fn resolve(&self) -> Result<MockConfig, String> {
        let fixtures = match &self.fixtures {
            Some(p) => Fixtures::load(p).map_err(|e| e.to_string())?,
            None => Fixtures::defaults(),
        };
        Ok(MockConfig {
            faults: Faults::new(self.faults.iter().copied()),
            auth: self.auth.clone(),
            admin: !self.no_admin,
            fixtures,
            slow_delay: self.slow_delay,
            iam_user: self.iam.clone(),
        })
    }
}

fn parse_iam_user(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((u, p)) if !u.is_empty() && !p.is_empty() => Ok((u.to_string(), p.to_string())),
        _ => Err("expected USER:PASSWORD".into()),
    }
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got '{s}'")),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let n: f64 = s
        .trim()
        .trim_end_matches("/s")
        .parse()
        .map_err(|_| format!("invalid rate '{s}': expected e.g. 10/s"))?;
    if n.is_finite() && n > 0.0 {
        Ok(n)
    } else {
        Err(format!("invalid rate '{s}': must be positive"))
    }
}

fn parse_snapshot_mode(s: &str) -> Result<SnapshotMode, String> {
    match s {
        "compare" => Ok(SnapshotMode::Compare),
        "update" => Ok(SnapshotMode::Update),
        "off" => Ok(SnapshotMode::Off),
        _ => Err(format!("'{s}': expected compare, update or off")),
    }
}

fn parse_fault(s: &str) -> Result<Fault, String> {
    s.parse()
}

fn parse_auth(s: &str) -> Result<MockAuth, String> {
    s.parse()
}

/// `500ms`, `10s`, `2m`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| (&s[..i], &s[i..]));
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration '{s}': expected e.g. 500ms, 10s, 2m"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("invalid duration unit in '{s}': use ms, s or m")),
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(format!("invalid duration '{s}': must be positive"));
    }
    Ok(Duration::from_secs_f64(secs))
}
