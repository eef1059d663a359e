//! The conform binary: parse flags, run a command, map the outcome to an exit code.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use conform::error::Error;
use conform::exit_code;

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
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("conform: error: {line}");
            }
            e.exit_code()
        }
    };
    ExitCode::from(code as u8)
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))
}

fn run(cli: cli::Cli) -> Result<i32, Error> {
    match cli.command {
        cli::Command::Run(cmd) => {
            let args = cmd.resolve(std::io::stderr().is_terminal());
            runtime()?.block_on(conform::commands::run::run(args, anstream::stdout()))
        }
        cli::Command::Lint(cmd) => {
            let (sel, schemas, vars) = cmd.resolve();
            let n = conform::commands::lint::lint(&sel, &schemas, &vars)?;
            println!("{n} cases ok");
            Ok(exit_code::OK)
        }
        cli::Command::Derive(cmd) => {
            let outcome = conform::commands::derive::derive(
                &cmd.pages,
                &cmd.out,
                cmd.manifest.as_deref(),
                &cmd.deny,
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
                Err(Error::BadInput(outcome.denied))
            }
        }
        cli::Command::Snapshots(cli::SnapshotsCmd::Prune {
            snapshots_dir,
            cases_dir,
            dry_run,
        }) => {
            let orphans = conform::snapshot::orphans(&snapshots_dir, &cases_dir);
            for p in &orphans {
                if !dry_run {
                    std::fs::remove_file(p)
                        .map_err(|e| Error::Io(format!("{}: {e}", p.display())))?;
                }
                println!(
                    "{} {}",
                    if dry_run { "would remove" } else { "removed" },
                    p.display()
                );
            }
            println!("{} orphaned snapshot(s)", orphans.len());
            Ok(exit_code::OK)
        }
        cli::Command::Doctor {
            target,
            config,
            timeout,
        } => {
            let checks = runtime()?
                .block_on(conform::commands::doctor::doctor(&config, &target, timeout))?;
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
            target,
            config,
            timeout,
        } => {
            let outcomes = runtime()?.block_on(conform::commands::restore::restore(
                &ledger,
                &config,
                target.as_deref(),
                timeout,
            ))?;
            for (entry, result) in &outcomes {
                let r = &entry.resource;
                match result {
                    Ok(d) => println!(
                        "ok    {} {} (project {}, changed by {}): {d}",
                        r.kind, r.id, r.project, entry.case
                    ),
                    Err(e) => println!("FAIL  {} {} (project {}): {e}", r.kind, r.id, r.project),
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
        cli::Command::Init { config, force } => {
            conform::commands::init::init(&config, force)?;
            println!(
                "wrote {}: edit the targets, then `conform run --target NAME`",
                config.display()
            );
            Ok(exit_code::OK)
        }
        cli::Command::Openapi(cmd) => {
            print!("{}", conform::commands::derive::openapi(&cmd.schemas)?);
            Ok(exit_code::OK)
        }
        cli::Command::Mock(cmd) => {
            let config = cmd.resolve().map_err(Error::bad)?;
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
            runtime()?.block_on(conform::commands::mock::serve(cmd.listen, config, |addr| {
                eprintln!("conform mock listening on http://{addr} (Ctrl-C to stop)");
            }))?;
            Ok(exit_code::OK)
        }
    }
}
