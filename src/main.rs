//! The conform binary: parse flags, run a command, map the outcome to an exit code.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use std::io::Write;

use clap::Parser;
use conform::error::Error;
use conform::exit_code;
use conform::project::default_path;

/// mimalloc: glibc's malloc takes an arena lock when one async worker frees what another
/// allocated, which hyper and reqwest do on every request (14% of the mock's samples under load
/// waited on it); mimalloc frees across threads without a lock. Transparent huge pages are off
/// (its `no_thp` feature): zeroing 2 MiB pages at start-up doubled a 100-case run's wall time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit_code::BAD_INPUT
            } else {
                exit_code::OK
            };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    color_choice(&cli.color).write_global();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            e.exit_code()
        }
    };
    ExitCode::from(code as u8)
}

/// `--color`, with FORCE_COLOR (set, not empty, not `0`) taken as `always` under `auto`, as
/// many CI systems set it; NO_COLOR and terminal detection are anstream's.
fn color_choice(flag: &str) -> anstream::ColorChoice {
    let forced = std::env::var("FORCE_COLOR").is_ok_and(|v| !v.is_empty() && v != "0");
    match flag {
        "always" => anstream::ColorChoice::Always,
        "never" => anstream::ColorChoice::Never,
        _ if forced => anstream::ColorChoice::Always,
        _ => anstream::ColorChoice::Auto,
    }
}

/// The one place errors are printed: every diagnostic through the one renderer.
fn report(e: &Error) {
    let color = !matches!(
        anstream::AutoStream::choice(&std::io::stderr()),
        anstream::ColorChoice::Never
    );
    let mut err = anstream::stderr();
    for d in e.diagnostics() {
        let _ = writeln!(err, "{}", d.render(color));
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))
}

fn run(cli: cli::Cli) -> Result<i32, Error> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = conform::project::find_root(&cwd);
    let root = root.as_deref();
    match cli.command {
        cli::Command::Run(cmd) => {
            let args = cmd.resolve(std::io::stderr().is_terminal(), root)?;
            let stdout = conform::report::console::buffered(
                std::io::stdout(),
                anstream::AutoStream::choice(&std::io::stdout()),
            );
            runtime()?.block_on(conform::commands::run::run(args, stdout))
        }
        cli::Command::Lint(cmd) => {
            let (sel, schemas, vars) = cmd.resolve(root);
            let linted = conform::commands::lint::lint(
                &sel,
                &schemas,
                &vars,
                &default_path(root, "conform.yaml"),
            )?;
            for w in &linted.warnings {
                eprintln!("warning: {w}");
            }
            println!("{} cases ok", linted.cases);
            Ok(exit_code::OK)
        }
        cli::Command::Derive(cmd) => {
            let out = cmd
                .out
                .clone()
                .unwrap_or_else(|| default_path(root, "schemas"));
            // The manifest beside the project's contract, wherever the command runs from, when
            // the pages given are the ones it names; other pages are derived as given.
            let manifest = cmd.manifest.clone().or_else(|| {
                let project = default_path(root, "pages.yaml");
                if !project.is_file() {
                    return None;
                }
                if conform::commands::derive::manifest_applies(&project, &cmd.pages) {
                    return Some(project);
                }
                eprintln!(
                    "note: {} not applied: it names none of these pages (--manifest {} applies it)",
                    project.display(),
                    project.display()
                );
                None
            });
            if let Some(operation) = &cmd.explain {
                let lines =
                    conform::commands::derive::explain(&cmd.pages, manifest.as_deref(), operation)?;
                lines.iter().for_each(|l| println!("{l}"));
                return Ok(exit_code::OK);
            }
            let outcome = conform::commands::derive::derive(
                &cmd.pages,
                &out,
                manifest.as_deref(),
                &cmd.deny,
                cmd.force,
            )?;
            if !cmd.quiet {
                outcome.log.iter().for_each(|l| println!("{l}"));
                outcome.problems.iter().for_each(|l| eprintln!("{l}"));
            }
            outcome.counts.iter().for_each(|l| eprintln!("{l}"));
            println!("{}", outcome.summary);
            if outcome.denied.is_empty() {
                Ok(exit_code::OK)
            } else {
                Err(Error::BadInput(
                    outcome
                        .denied
                        .into_iter()
                        .map(conform::diagnostic::Diagnostic::plain)
                        .collect(),
                ))
            }
        }
        cli::Command::Snapshots(cli::SnapshotsCmd::Prune {
            snapshots_dir,
            cases_dir,
            dry_run,
        }) => {
            let snapshots_dir = snapshots_dir
                .unwrap_or_else(|| conform::project::snapshots_dir(root, cases_dir.as_deref()));
            let cases_dir = cases_dir.unwrap_or_else(|| default_path(root, "cases"));
            let pruned = conform::snapshot::prune(&snapshots_dir, &cases_dir, dry_run)
                .map_err(|e| Error::Io(e.to_string()))?;
            let verb = if dry_run { "would remove" } else { "removed" };
            for p in pruned.files.iter().chain(&pruned.folders) {
                println!("{verb} {}", p.display());
            }
            println!(
                "{verb} {} orphaned snapshot(s){}",
                pruned.files.len(),
                if pruned.folders.is_empty() {
                    String::new()
                } else {
                    format!(" and {} empty folder(s)", pruned.folders.len())
                }
            );
            Ok(exit_code::OK)
        }
        cli::Command::Doctor {
            target,
            schemas,
            cases_dir,
            config,
            vars_files,
            timeout,
        } => {
            let config = config.unwrap_or_else(|| default_path(root, "conform.yaml"));
            let schemas = schemas.unwrap_or_else(|| default_path(root, "schemas"));
            let cases_dir = cases_dir.unwrap_or_else(|| default_path(root, "cases"));
            let checks = runtime()?.block_on(conform::commands::doctor::doctor(
                &config,
                &target,
                timeout,
                &schemas,
                &cases_dir,
                &vars_files,
            ))?;
            for c in &checks {
                match &c.problem {
                    None => println!("ok    {}", c.what),
                    Some(p) => println!("FAIL  {}: {p}", c.what),
                }
            }
            let unreachable = checks
                .iter()
                .any(|c| c.what.starts_with("reachable") && c.problem.is_some());
            Ok(if unreachable {
                exit_code::UNREACHABLE
            } else if checks.iter().any(|c| c.problem.is_some()) {
                exit_code::FAILED
            } else {
                exit_code::OK
            })
        }
        cli::Command::Restore {
            ledger,
            schemas,
            target,
            config,
            timeout,
        } => {
            let config = config.unwrap_or_else(|| default_path(root, "conform.yaml"));
            let schemas = schemas.unwrap_or_else(|| default_path(root, "schemas"));
            let outcomes = runtime()?.block_on(conform::commands::restore::restore(
                &ledger,
                &schemas,
                &config,
                target.as_deref(),
                timeout,
            ))?;
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
                    Ok(d) if d.starts_with(conform::run::ledger::UNCONFIRMED) => println!(
                        "warn  {what} (project {}, changed by {}): {}",
                        r.project,
                        entry.case,
                        d[conform::run::ledger::UNCONFIRMED.len()..].trim_start()
                    ),
                    Ok(d) => println!(
                        "ok    {what} (project {}, changed by {}): {d}",
                        r.project, entry.case
                    ),
                    Err(e) => println!("FAIL  {what} (project {}): {e}", r.project),
                }
            }
            println!(
                "{} resource(s) to restore, {} failed",
                outcomes.len(),
                outcomes.iter().filter(|(_, r)| r.is_err()).count()
            );
            Ok(if outcomes.iter().any(|(_, r)| r.is_err()) {
                exit_code::FAILED
            } else {
                exit_code::OK
            })
        }
        cli::Command::Report(cli::ReportCmd::Merge(cmd)) => {
            let policy = conform::report::gate::Policy::load(
                cmd.gate.baseline.as_deref(),
                cmd.gate.quarantine(root).as_deref(),
            )?;
            let args = conform::report::merge::MergeArgs {
                inputs: cmd.reports,
                outputs: conform::report::Outputs {
                    json: cmd.json,
                    jsonl: None,
                    junit: cmd.junit,
                    markdown: cmd.markdown,
                    html: cmd.html,
                },
                policy,
            };
            conform::report::merge::merge(&args, anstream::stdout())
        }
        cli::Command::Completions { shell } => {
            let mut cmd = <cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "conform", &mut std::io::stdout());
            Ok(exit_code::OK)
        }
        cli::Command::Man { out_dir } => {
            let cmd = <cli::Cli as clap::CommandFactory>::command();
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
            Ok(exit_code::OK)
        }
        cli::Command::Init {
            config,
            force,
            config_only,
            pages,
        } => {
            // Inside a project, its config: a second conform.yaml in a subfolder would take
            // over project discovery from there down.
            let config = config.unwrap_or_else(|| default_path(root, "conform.yaml"));
            if let Some(pages) = &pages {
                let folder = match config.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => std::path::PathBuf::from("."),
                };
                let (operations, cases) =
                    conform::commands::init::from_pages(&folder, pages, force)?;
                println!(
                    "derived {operations} operation(s) from {} into schemas/, generated {cases} case(s) into cases/generated/",
                    pages.display()
                );
            }
            let written =
                conform::commands::init::init(&config, force, !config_only && pages.is_none())?;
            if written.starter > 0 {
                println!(
                    "wrote the shipped contract, suite and mock baseline ({} files: schemas/, cases/, snapshots/)",
                    written.starter
                );
            }
            if let Some(schema) = &written.schema {
                println!("wrote {} (for editors)", schema.display());
            }
            println!(
                "wrote {}: `conform run` runs the suite against the built-in mock; edit the targets, then `conform run --target NAME`",
                config.display()
            );
            Ok(exit_code::OK)
        }
        cli::Command::ConfigSchema => {
            print!("{}", conform::run::config_schema::config_schema_text());
            Ok(exit_code::OK)
        }
        cli::Command::Generate(cmd) => {
            let schemas = cmd
                .schemas
                .clone()
                .unwrap_or_else(|| default_path(root, "schemas"));
            let cases = conform::commands::generate::generate(&schemas, &cmd.out, &cmd.options())?;
            println!(
                "{} cases written to {} (seed {})",
                cases.len(),
                cmd.out.display(),
                cmd.seed
            );
            Ok(exit_code::OK)
        }
        cli::Command::Coverage(cmd) => {
            let args = conform::commands::coverage::CoverageArgs {
                schemas: cmd
                    .schemas
                    .clone()
                    .unwrap_or_else(|| default_path(root, "schemas")),
                cases_dir: cmd
                    .cases
                    .clone()
                    .unwrap_or_else(|| default_path(root, "cases")),
                operations: cmd.operations.clone(),
                report: cmd.report.clone(),
            };
            let covered = conform::commands::coverage::coverage(&args)?;
            let matrix = &covered.matrix;
            let observed = matrix.basis == "observed";
            print!("{}", conform::generate::coverage::console(matrix));
            let write = |path: &std::path::Path, text: String| {
                std::fs::write(path, text)
                    .map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))
            };
            if let Some(p) = &cmd.markdown {
                let scorecard = conform::report::scorecard::markdown(&covered.scorecard, observed);
                write(
                    p,
                    format!(
                        "{scorecard}\n{}",
                        conform::generate::coverage::markdown(matrix)
                    ),
                )?;
            }
            if let Some(p) = &cmd.html {
                write(
                    p,
                    conform::report::scorecard::html(&covered.scorecard, observed),
                )?;
            }
            if let Some(p) = &cmd.json {
                let text =
                    serde_json::to_string_pretty(matrix).map_err(|e| Error::Io(e.to_string()))?;
                write(p, text + "\n")?;
            }
            let min = cmd.min_coverage.unwrap_or(0.0);
            let below: Vec<String> = matrix
                .operations
                .iter()
                .filter(|o| o.percent < min)
                .map(|o| format!("{} {:.1}%", o.operation, o.percent))
                .collect();
            Ok(if below.is_empty() {
                exit_code::OK
            } else {
                eprintln!("conform: below --min-coverage {min}%: {}", below.join(", "));
                exit_code::FAILED
            })
        }
        cli::Command::Openapi(cmd) => {
            let schemas = cmd.schemas.unwrap_or_else(|| default_path(root, "schemas"));
            let scope = if cmd.pages_only {
                conform::contract::openapi::Scope::Pages
            } else {
                conform::contract::openapi::Scope::Mock
            };
            print!("{}", conform::commands::derive::openapi(&schemas, scope)?);
            Ok(exit_code::OK)
        }
        cli::Command::Mock(cmd) => {
            let mut config = cmd.resolve()?;
            let schemas = match &cmd.schemas {
                Some(s) => Some(s.clone()),
                None => root.map(|r| r.join("schemas")).filter(|s| s.is_dir()),
            };
            if let Some(dir) = schemas {
                config.contract =
                    Some(std::sync::Arc::new(conform::commands::load_contract(&dir)?));
            }
            if cmd.print_vars {
                // Quoted, so ids that look like numbers stay strings.
                for (k, v) in conform::mock::vars(&config, None) {
                    let v = serde_json::Value::String(v);
                    println!("{k}: {v}");
                }
                return Ok(exit_code::OK);
            }
            let filter = if cmd.verbose {
                "conform=debug"
            } else {
                "conform=info"
            };
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_ansi(
                    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                )
                .with_writer(std::io::stderr)
                .init();
            if let Some(warning) = conform::commands::mock::exposure_warning(cmd.listen, &config) {
                eprintln!("{warning}");
            }
            runtime()?.block_on(conform::commands::mock::serve(cmd.listen, config, |addr| {
                eprintln!("conform mock listening on http://{addr} (Ctrl-C or SIGTERM to stop)");
            }))?;
            Ok(exit_code::OK)
        }
    }
}
