//! Command-line definitions (clap) and their conversion, once, into the library's arguments.

use clap::builder::TypedValueParser as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use std::path::Path;

use conform::commands::run::{RunArgs, TargetChoice, VarSources};
use conform::commands::{NoCases, Selection};
use conform::mock::faults::{Fault, Faults};
use conform::mock::state::Fixtures;
use conform::mock::{MockAuth, MockConfig};
use conform::project::default_path;
use conform::report::shard::Shard;
use conform::report::Outputs;
use conform::run::RunOptions;
use conform::snapshot::Mode as SnapshotMode;

/// conform: contract tests derived from API reference pages.
#[derive(Debug, Parser)]
#[command(
    name = "conform",
    version = conform::VERSION,
    about,
    propagate_version = true,
    after_help = "`conform --version` prints the version, the git commit the binary was built from \
(`unknown` when built outside a git checkout) and `contract sha256:` the first 12 hex digits of \
a sha256 over the contract in schemas/ (operations.json, error-codes.json, resources.json and \
the per-operation schemas) of the source tree it was built from, computed at build time: the \
contract compiled in, not the one a project holds when conform runs."
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
    /// Colours: auto (when the output is a terminal; NO_COLOR turns them off, FORCE_COLOR on),
    /// always or never.
    #[arg(long, global = true, default_value = "auto", value_parser = clap::builder::PossibleValuesParser::new(["auto", "always", "never"]))]
    pub color: String,
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
        /// The contract folder (default: schemas/ of the project root).
        #[arg(long)]
        schemas: Option<PathBuf>,
        /// The cases whose resource kinds are checked (default: cases/ of the project root).
        #[arg(long)]
        cases_dir: Option<PathBuf>,
        /// The config file (default: conform.yaml of the project root).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Variables added to the target's (repeatable), as `run --vars-file` takes them.
        #[arg(long = "vars-file")]
        vars_files: Vec<PathBuf>,
        /// Per-request timeout.
        #[arg(long, default_value = "10s", value_parser = parse_duration, allow_hyphen_values = true)]
        timeout: Duration,
    },
    /// Restore every resource an interrupted run left changed and delete what it created, from
    /// its undo ledger: by id, or, for a create whose id never arrived, by the run-id name it
    /// was sent with (found in the kind's list).
    ///
    /// Prints one line per resource (ok, warn or FAIL) and exits 1 when any could not be
    /// restored or found.
    Restore {
        /// The ledger file.
        ledger: PathBuf,
        /// The contract folder whose resource table says how (default: schemas/ of the project root).
        #[arg(long)]
        schemas: Option<PathBuf>,
        /// The target whose auth to use (none: no auth).
        #[arg(long)]
        target: Option<String>,
        /// The config file (default: conform.yaml of the project root).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Per-request timeout.
        #[arg(long, default_value = "30s", value_parser = parse_duration, allow_hyphen_values = true)]
        timeout: Duration,
    },
    /// Work with run reports.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Print a shell completion script (generated from these definitions).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (or, with --out-dir, write one page per command there).
    Man {
        /// Write conform.1 and a page per subcommand into this folder.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
    /// Generate cases from the contract: boundaries, types, patterns, enums, ids, random bodies.
    Generate(GenerateCmd),
    /// List every documented rule, the cases that exercise it and the last run's observation.
    Coverage(CoverageCmd),
    /// Print the JSON Schema of conform.yaml (the committed schemas/conform.schema.json).
    #[command(hide = true)]
    ConfigSchema,
    /// Write a commented example conform.yaml, and the schema its first line names
    /// (schemas/conform.schema.json beside it) when that is missing.
    Init {
        /// Where to write it (default: conform.yaml of the project root, else of this folder).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Overwrite an existing config file.
        #[arg(long)]
        force: bool,
        /// Write only the config: no starter contract, suite and mock baseline in a new folder.
        #[arg(long, conflicts_with = "pages")]
        config_only: bool,
        /// Start a project for a new service from its reference pages: derive the contract
        /// from this folder, generate its suite into cases/generated, and write the config; the
        /// next `conform run` runs the suite against the built-in mock serving that contract.
        #[arg(long)]
        pages: Option<PathBuf>,
    },
}

/// `conform snapshots …`.
#[derive(Debug, Subcommand)]
pub enum SnapshotsCmd {
    /// List and remove snapshots whose case no longer exists.
    Prune {
        /// The snapshots folder (default: snapshots/ of the project root, or beside a
        /// --cases-dir outside the project).
        #[arg(long)]
        snapshots_dir: Option<PathBuf>,
        /// The cases folder (default: cases/ of the project root).
        #[arg(long)]
        cases_dir: Option<PathBuf>,
        /// Only list them.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `conform report …`.
#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Combine shard reports (`--report-json` of each shard) into the report, verdict and exit
    /// code one unsharded run gives.
    Merge(MergeCmd),
}

/// `conform report merge`.
#[derive(Debug, Args)]
pub struct MergeCmd {
    /// The shard JSON reports, in any order.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// Write the merged JSON report here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the merged JUnit XML here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write the Markdown summary here (also appended to $GITHUB_STEP_SUMMARY when set).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write the HTML report here.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Gate and quarantine, applied to the merged cases.
    #[command(flatten)]
    pub gate: GateArgs,
}

/// Baseline and quarantine, shared by run and report merge.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Only regressions fail the gate: cases that fail now and did not fail in this JSON report.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Quarantined cases, with a reason and an expiry date (default: quarantine.yaml of the
    /// project root, when it exists).
    #[arg(long)]
    pub quarantine: Option<PathBuf>,
}

impl GateArgs {
    /// The quarantine file: the one named, else the project's when it exists.
    pub fn quarantine(&self, root: Option<&Path>) -> Option<PathBuf> {
        self.quarantine.clone().or_else(|| {
            let p = default_path(root, conform::report::gate::QUARANTINE_FILE);
            p.is_file().then_some(p)
        })
    }
}

/// Case selection and variables, shared by run and lint.
#[derive(Debug, Args)]
pub struct CaseArgs {
    /// Case ids, globs over ids and paths (`evs/**`), case files or folders (default: every case).
    pub cases: Vec<String>,
    /// The cases folder (default: cases/ of the project root).
    #[arg(long)]
    pub cases_dir: Option<PathBuf>,
    /// The contract folder (default: schemas/ of the project root).
    #[arg(long)]
    pub schemas: Option<PathBuf>,
    /// What a selection that matches no case means: fail (exit 2), warn, or pass.
    #[arg(long, default_value = "fail", value_parser = no_cases_values())]
    pub no_cases: NoCases,
    /// Only cases with this tag (repeatable); `!TAG` leaves out the cases that have it.
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
    fn selection(&self, root: Option<&Path>) -> Selection {
        Selection {
            cases_dir: self
                .cases_dir
                .clone()
                .unwrap_or_else(|| default_path(root, "cases")),
            globs: self.cases.clone(),
            tags: self.tags.clone(),
            operations: self.operations.clone(),
            no_cases: self.no_cases,
            shard: None,
            only: None,
            generated: None,
            services: None,
        }
    }

    fn schemas(&self, root: Option<&Path>) -> PathBuf {
        self.schemas
            .clone()
            .unwrap_or_else(|| default_path(root, "schemas"))
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
    /// The config file (default: conform.yaml of the project root; a named file must exist).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Concurrent cases, 1 to 1024 (default: 4 per CPU, from 4 to 64).
    #[arg(long, short = 'j', value_parser = parse_jobs, allow_hyphen_values = true)]
    pub jobs: Option<usize>,
    /// Per-request timeout: 500ms, 10s, 2m, 1h (a bare number is seconds), up to 24h.
    #[arg(long, default_value = "30s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub timeout: Duration,
    /// Retries of connection errors and 503, 0 to 100, honouring Retry-After; a 429 is always
    /// retried up to 3 times (more when this is higher).
    #[arg(long, default_value_t = 0, value_parser = parse_retries, allow_hyphen_values = true)]
    pub retries: u32,
    /// Start no case after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// Fail the gate (exit 1) when more cases than this were skipped: a count, or a share of
    /// the selection such as 10%. A run that skipped every case it selected is bad input
    /// (exit 2) whatever this says.
    #[arg(long, value_parser = parse_max_skipped, allow_hyphen_values = true)]
    pub max_skipped: Option<conform::report::gate::MaxSkipped>,
    /// At most N requests a second to the target: `10/s`, `0.5/s` or `10`.
    #[arg(long, value_parser = parse_rate, allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// Print the cases that would run and exit.
    #[arg(long)]
    pub list: bool,
    /// With --list: `text` (id, operation, tags; tab-separated) or `json` (one document).
    #[arg(long, default_value = "text", requires = "list", value_parser = clap::builder::PossibleValuesParser::new(["text", "json"]))]
    pub format: String,
    /// Which case lines to print: none, fail, pass or all (the summary and the recap of
    /// failures are always printed).
    #[arg(long, default_value = "all", value_parser = status_levels())]
    pub status_level: conform::report::console::StatusLevel,
    /// Print only failed and errored cases, then the summary (`--status-level fail`).
    #[arg(long, short = 'q', conflicts_with = "status_level")]
    pub quiet: bool,
    /// Print each step's request line, status and time on stderr when its case ends; -vv also
    /// headers and bodies (each cut at 4 KiB), secrets redacted as in the reports.
    #[arg(long, short = 'v', action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The same as -vv.
    #[arg(long)]
    pub very_verbose: bool,
    /// Undocumented fields fail the case (default for the built-in mock).
    #[arg(long, conflicts_with = "no_strict")]
    pub strict: bool,
    /// Undocumented fields only warn (default for other targets).
    #[arg(long)]
    pub no_strict: bool,
    /// Write the JSON report here (written whole, renamed into place at the end).
    #[arg(long)]
    pub report_json: Option<PathBuf>,
    /// Write a JSON Lines report here: a record a line, streamed; every complete line is valid.
    #[arg(long)]
    pub report_jsonl: Option<PathBuf>,
    /// Write the JUnit XML report here.
    #[arg(long)]
    pub report_junit: Option<PathBuf>,
    /// Write a Markdown summary here (also appended to $GITHUB_STEP_SUMMARY when that is set).
    #[arg(long)]
    pub report_markdown: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long)]
    pub report_html: Option<PathBuf>,
    /// Run one shard of the selection: K/N, count:K/N (even shards, the default) or hash:K/N
    /// (a case keeps its shard as the suite grows). Cases sharing a resource share a shard.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Run only the cases that failed or errored in this JSON report.
    #[arg(long)]
    pub rerun_failed: Option<PathBuf>,
    /// Baseline and quarantine.
    #[command(flatten)]
    pub gate: GateArgs,
    /// Run the built-in mock with this fault mode (repeatable; only without --target/--target-url).
    #[arg(long = "fault", value_parser = fault_names(), conflicts_with_all = ["target", "target_url"])]
    pub faults: Vec<Fault>,
    /// Delay of the `slow` fault.
    #[arg(long, default_value = "5s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub slow_delay: Duration,
    /// Snapshots: compare (default; differences and new ones go to .snap.new), update, off.
    #[arg(long, default_value = "compare", value_parser = snapshot_modes())]
    pub snapshots: SnapshotMode,
    /// The snapshots folder, a subfolder per target family (default: snapshots/ of the project
    /// root, or beside a --cases-dir outside the project).
    #[arg(long)]
    pub snapshots_dir: Option<PathBuf>,
    /// Let cases that change resources (PUT, POST, DELETE …) run against a target other than the
    /// built-in mock.
    #[arg(long)]
    pub allow_mutation: bool,
    /// Let cases create this resource kind on a configured target (repeatable, or
    /// comma-separated): a kind of the resource table (`vpc.v1`), a kind without its API version
    /// (`vpc`), or `all`. Adds to the target's `allow_create`. The built-in mock and
    /// --target-url need none.
    #[arg(long = "allow-create", value_name = "KIND", value_delimiter = ',')]
    pub allow_create: Vec<String>,
    /// Also send every case to this target (`mock` for the built-in mock, or a name from the
    /// config file) and report how the answers differ: differential parity.
    #[arg(long)]
    pub compare_target: Option<String>,
    /// The undo ledger (default for --target: conform.ledger.jsonl; in memory for the built-in mock).
    #[arg(long)]
    pub ledger: Option<PathBuf>,
    /// With a ledger, run cases whose changes the resource table cannot undo (refused otherwise).
    #[arg(long)]
    pub allow_unrestorable: bool,
    /// Run the cases the contract implies (see `conform generate`) instead of the cases folder,
    /// without writing files; `--operation` narrows them. Snapshots are off for them.
    #[arg(long)]
    pub generate: bool,
    /// Seed of the generated random bodies (with --generate).
    #[arg(long, requires = "generate")]
    pub seed: Option<u64>,
}

impl RunCmd {
    /// The library arguments; defaults are taken from the project root.
    pub fn resolve(
        &self,
        progress: bool,
        root: Option<&Path>,
    ) -> Result<RunArgs, conform::error::Error> {
        let target = match (&self.target, &self.target_url) {
            (Some(n), _) => TargetChoice::Named(n.clone()),
            (None, Some(u)) => TargetChoice::Url(u.clone()),
            (None, None) => TargetChoice::Mock {
                faults: Faults::new(self.faults.iter().copied()),
                slow_delay: self.slow_delay,
            },
        };
        let defaults = RunOptions::default();
        let mut selection = self.cases.selection(root);
        selection.shard = self.shard;
        // Generated cases have no accepted baseline to compare with.
        let snapshots = if self.generate {
            SnapshotMode::Off
        } else {
            self.snapshots
        };
        let snapshots_dir = match (&self.snapshots_dir, &self.cases.cases_dir) {
            (Some(dir), _) => dir.clone(),
            (None, Some(cases)) => conform::project::snapshots_dir(root, Some(cases)),
            (None, None) => {
                let (paths, globs): (Vec<&String>, Vec<&String>) =
                    self.cases.cases.iter().partition(|c| Path::new(c).exists());
                let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
                match conform::project::snapshots_for_paths(
                    &selection.cases_dir,
                    conform::project::snapshots_dir(root, None),
                    &paths,
                    !globs.is_empty(),
                ) {
                    Ok(dir) => dir,
                    Err(_) if snapshots == SnapshotMode::Off => PathBuf::from("snapshots"),
                    Err(why) => return Err(conform::error::Error::bad(why)),
                }
            }
        };
        Ok(RunArgs {
            max_skipped: self.max_skipped,
            baseline: self.gate.baseline.clone(),
            quarantine: self.gate.quarantine(root),
            rerun_failed: self.rerun_failed.clone(),
            selection,
            schemas: self.cases.schemas(root),
            config: self
                .config
                .clone()
                .unwrap_or_else(|| default_path(root, "conform.yaml")),
            config_given: self.config.is_some(),
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
            outputs: Outputs {
                json: self.report_json.clone(),
                jsonl: self.report_jsonl.clone(),
                junit: self.report_junit.clone(),
                markdown: self.report_markdown.clone(),
                html: self.report_html.clone(),
            },
            progress,
            status_level: if self.quiet {
                conform::report::console::StatusLevel::Fail
            } else {
                self.status_level
            },
            list_json: self.format == "json",
            verbosity: conform::report::verbose::Verbosity::from_flags(
                self.verbose,
                self.very_verbose,
            ),
            snapshots,
            snapshots_dir,
            allow_mutation: self.allow_mutation,
            allow_create: self.allow_create.clone(),
            allow_unrestorable: self.allow_unrestorable,
            generate: self.generate.then(|| conform::generate::Options {
                seed: self
                    .seed
                    .unwrap_or(conform::generate::Options::default().seed),
                ..Default::default()
            }),
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
        })
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
    pub fn resolve(&self, root: Option<&Path>) -> (Selection, PathBuf, VarSources) {
        (
            self.cases.selection(root),
            self.cases.schemas(root),
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
    /// Output folder (default: schemas/ of the project root). A contract there is replaced only
    /// if every operation it has is derived again, unless --force.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the contract in the output folder even if operations would disappear from it.
    #[arg(long)]
    pub force: bool,
    /// The manifest (default: pages.yaml of the project root, when it names one of the pages
    /// given).
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Print only the summary line and the defect counts, not the log or one line per defect.
    #[arg(long, short)]
    pub quiet: bool,
    /// Fail (exit 2) after writing if there is any of these: `defects`, `skipped`.
    #[arg(long, value_enum)]
    pub deny: Vec<conform::commands::derive::Deny>,
    /// Write nothing; print each request field of OPERATION (body properties, then query
    /// parameters) with its type, its constraints and the phrase each came from, one per line.
    #[arg(long, value_name = "OPERATION")]
    pub explain: Option<String>,
}

/// `conform openapi`.
#[derive(Debug, Args)]
pub struct OpenapiCmd {
    /// The contract folder (default: schemas/ of the project root).
    #[arg(long)]
    pub schemas: Option<PathBuf>,
    /// State only what the pages say: leave out the request constraints of the built-in mock's
    /// named deviations and the operations it serves that no page documents (for fuzzing a real
    /// region, which need not refuse what the mock refuses).
    #[arg(long)]
    pub pages_only: bool,
}

/// `conform mock`.
#[derive(Debug, Args)]
pub struct MockCmd {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Fault mode (repeatable).
    #[arg(long = "fault", value_parser = fault_names())]
    pub faults: Vec<Fault>,
    /// Auth: token:TOKEN (checks X-Auth-Token), aksk:AK:SK (checks SDK-HMAC-SHA256 signatures)
    /// or none. The /__mock/ admin API asks for the same credentials (or for --admin-token).
    #[arg(long, default_value = "none", value_parser = parse_auth)]
    pub auth: MockAuth,
    /// Serve no /__mock/ admin API.
    #[arg(long)]
    pub no_admin: bool,
    /// The X-Auth-Token the /__mock/ admin API asks for, instead of the --auth credentials.
    #[arg(long, value_name = "TOKEN", conflicts_with = "no_admin", value_parser = parse_admin_token)]
    pub admin_token: Option<String>,
    /// IAM user USER:PASSWORD that POST /v3/auth/tokens gives the --auth token to.
    #[arg(long, value_parser = parse_iam_user)]
    pub iam: Option<(String, String)>,
    /// Fixtures YAML replacing the defaults.
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
    /// Delay of the `slow` fault.
    #[arg(long, default_value = "5s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub slow_delay: Duration,
    /// Time a client has to send request headers (also the idle keep-alive timeout).
    #[arg(long, default_value = "10s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub header_timeout: Duration,
    /// Time a client has to send a request body (then 408 and the connection closes).
    #[arg(long, default_value = "10s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub body_timeout: Duration,
    /// Log one line per request (debug level).
    #[arg(long, short)]
    pub verbose: bool,
    /// Print the fixtures' variables as YAML (for `conform run --vars-file`) and exit.
    #[arg(long)]
    pub print_vars: bool,
    /// Serve every operation of this contract that has no hand-written emulation from the
    /// contract (default: schemas/ of the project root, when there is one).
    #[arg(long)]
    pub schemas: Option<PathBuf>,
}

impl MockCmd {
    /// The mock's configuration (reads the fixtures file).
    pub fn resolve(&self) -> Result<MockConfig, conform::diagnostic::Diagnostic> {
        let fixtures = match &self.fixtures {
            Some(p) => Fixtures::load(p).map_err(|e| {
                conform::diagnostic::Diagnostic::at(&e.file, e.line, e.column, e.message)
            })?,
            None => Fixtures::defaults(),
        };
        Ok(MockConfig {
            faults: Faults::new(self.faults.iter().copied()),
            auth: self.auth.clone(),
            admin: !self.no_admin,
            admin_token: self.admin_token.clone(),
            fixtures,
            slow_delay: self.slow_delay,
            iam_user: self.iam.clone(),
            limits: conform::mock::limits::Limits {
                header_timeout: self.header_timeout,
                body_timeout: self.body_timeout,
            },
            contract: None,
        })
    }
}

fn parse_max_skipped(s: &str) -> Result<conform::report::gate::MaxSkipped, String> {
    s.parse()
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    s.parse()
        .map_err(|e: conform::report::shard::ShardError| e.to_string())
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
    conform::flags::rate(s).map_err(|e| e.to_string())
}

fn parse_jobs(s: &str) -> Result<usize, String> {
    conform::flags::count(s, "jobs", 1, conform::flags::MAX_JOBS).map_err(|e| e.to_string())
}

fn parse_retries(s: &str) -> Result<u32, String> {
    conform::flags::count(s, "retries", 0, conform::flags::MAX_RETRIES).map_err(|e| e.to_string())
}

fn parse_samples(s: &str) -> Result<usize, String> {
    conform::flags::count(s, "samples", 0, 1000).map_err(|e| e.to_string())
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "invalid percentage '{s}': expected a number from 0 to 100"
        )),
    }
}

// The closed sets of values below are offered by shell completions (clap lists possible
// values only for a parser that knows them).

fn no_cases_values() -> impl clap::builder::TypedValueParser<Value = NoCases> {
    clap::builder::PossibleValuesParser::new(["fail", "warn", "pass"])
        .try_map(|s: String| s.parse::<NoCases>())
}

fn status_levels(
) -> impl clap::builder::TypedValueParser<Value = conform::report::console::StatusLevel> {
    clap::builder::PossibleValuesParser::new(["none", "fail", "pass", "all"])
        .try_map(|s: String| s.parse::<conform::report::console::StatusLevel>())
}

fn snapshot_modes() -> impl clap::builder::TypedValueParser<Value = SnapshotMode> {
    clap::builder::PossibleValuesParser::new(["compare", "update", "off"])
        .try_map(|s: String| parse_snapshot_mode(&s))
}

fn fault_names() -> impl clap::builder::TypedValueParser<Value = Fault> {
    clap::builder::PossibleValuesParser::new(
        conform::mock::faults::all()
            .map(|f| clap::builder::PossibleValue::new(f.name()).aliases(f.alias())),
    )
    .try_map(|s: String| s.parse::<Fault>())
}

fn parse_snapshot_mode(s: &str) -> Result<SnapshotMode, String> {
    match s {
        "compare" => Ok(SnapshotMode::Compare),
        "update" => Ok(SnapshotMode::Update),
        "off" => Ok(SnapshotMode::Off),
        _ => Err(format!("'{s}': expected compare, update or off")),
    }
}

fn parse_auth(s: &str) -> Result<MockAuth, String> {
    s.parse()
}

fn parse_admin_token(s: &str) -> Result<String, String> {
    // An empty token would be a header anyone can send.
    if s.is_empty() {
        Err("expected a non-empty token".into())
    } else {
        Ok(s.to_string())
    }
}

/// `500ms`, `10s`, `2m`, `1h`, or a bare number of seconds; from 1 ms to 24 h.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    conform::flags::duration(s).map_err(|e| e.to_string())
}

/// `conform generate`.
#[derive(Debug, Args)]
pub struct GenerateCmd {
    /// Only these operations (repeatable; default: all).
    #[arg(long = "operation")]
    pub operations: Vec<String>,
    /// Seed of the random valid and invalid bodies.
    #[arg(long, default_value_t = conform::generate::DEFAULT_SEED)]
    pub seed: u64,
    /// Random valid bodies per operation (and as many invalid ones), 0 to 1,000.
    #[arg(long, default_value_t = conform::generate::DEFAULT_SAMPLES, value_parser = parse_samples, allow_hyphen_values = true)]
    pub samples: usize,
    /// Output folder.
    #[arg(long, default_value = "cases/generated")]
    pub out: PathBuf,
    /// The contract folder (default: schemas/ of the project root).
    #[arg(long)]
    pub schemas: Option<PathBuf>,
    /// Which operations get a case sending no credential (expecting the documented 401).
    #[arg(long, value_enum, default_value_t = conform::generate::AuthCases::default())]
    pub auth_cases: conform::generate::AuthCases,
}

impl GenerateCmd {
    /// The generator's options.
    pub fn options(&self) -> conform::generate::Options {
        conform::generate::Options {
            operations: self.operations.clone(),
            seed: self.seed,
            samples: self.samples,
            auth_cases: self.auth_cases,
        }
    }
}

/// `conform coverage`.
#[derive(Debug, Args)]
pub struct CoverageCmd {
    /// A run's JSON report (`conform run --report-json F`) for the observations.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Write the scorecard and the matrix as Markdown (for a pull request or CI summary).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write the matrix as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the conformance scorecard as one self-contained HTML page (per service a
    /// headline; per operation defects, cases, rules covered, response fields seen).
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Exit 1 when an operation's coverage is below this percentage (0 to 100).
    #[arg(long, value_parser = parse_percent, allow_hyphen_values = true)]
    pub min_coverage: Option<f64>,
    /// Only these operations (repeatable; default: all).
    #[arg(long = "operation")]
    pub operations: Vec<String>,
    /// The cases folder (default: cases/ of the project root); named as on every command.
    #[arg(long = "cases-dir", alias = "cases")]
    pub cases: Option<PathBuf>,
    /// The contract folder (default: schemas/ of the project root).
    #[arg(long)]
    pub schemas: Option<PathBuf>,
}

impl From<DeriveCmd> for conform::commands::derive::DeriveArgs {
    fn from(cmd: DeriveCmd) -> Self {
        conform::commands::derive::DeriveArgs {
            pages: cmd.pages,
            out: cmd.out,
            force: cmd.force,
            manifest: cmd.manifest,
            quiet: cmd.quiet,
            deny: cmd.deny,
            explain: cmd.explain,
        }
    }
}

impl CoverageCmd {
    /// What to cover (defaults from the project root) and where to write it.
    pub fn resolve(
        self,
        root: Option<&Path>,
    ) -> (
        conform::commands::coverage::CoverageArgs,
        conform::commands::coverage::CoverageOutputs,
    ) {
        let args = conform::commands::coverage::CoverageArgs {
            schemas: self
                .schemas
                .unwrap_or_else(|| default_path(root, "schemas")),
            cases_dir: self.cases.unwrap_or_else(|| default_path(root, "cases")),
            operations: self.operations,
            report: self.report,
        };
        let outputs = conform::commands::coverage::CoverageOutputs {
            markdown: self.markdown,
            html: self.html,
            json: self.json,
            min_coverage: self.min_coverage,
        };
        (args, outputs)
    }
}

impl MergeCmd {
    /// `conform report merge`: the gate's policy loaded, the shard reports merged.
    pub fn merge(self, root: Option<&Path>) -> Result<i32, conform::error::Error> {
        let policy = conform::report::gate::Policy::load(
            self.gate.baseline.as_deref(),
            self.gate.quarantine(root).as_deref(),
        )?;
        let args = conform::report::merge::MergeArgs {
            inputs: self.reports,
            outputs: Outputs {
                json: self.json,
                jsonl: None,
                junit: self.junit,
                markdown: self.markdown,
                html: self.html,
            },
            policy,
        };
        conform::report::merge::merge(&args, anstream::stdout())
    }
}

/// `conform completions SHELL`: the script, generated from these definitions.
pub fn completions(shell: clap_complete::Shell) -> Result<i32, conform::error::Error> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut cmd, "conform", &mut std::io::stdout());
    Ok(conform::exit_code::OK)
}

/// `conform man`: the man page on stdout, or one page per command into `out_dir`.
pub fn man(out_dir: Option<PathBuf>) -> Result<i32, conform::error::Error> {
    use conform::error::Error;
    use std::io::Write;
    let cmd = <Cli as clap::CommandFactory>::command();
    match out_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .and_then(|_| clap_mangen::generate_to(cmd, &dir))
                .map_err(|e| Error::Io(format!("--out-dir {}: {e}", dir.display())))?;
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(|e| Error::Io(format!("man page: {e}")))?;
            std::io::stdout()
                .write_all(&out)
                .map_err(|e| Error::Io(format!("stdout: {e}")))?;
        }
    }
    Ok(conform::exit_code::OK)
}
