//! The conform binary: parse flags, run a command, map the outcome to an exit code.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use conform::error::Error;
use conform::exit_code;
use conform::project::default_path;
use std::io::Write;

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

/// Dispatches a command to `commands/`, with the project root found from the current folder.
fn run(cli: cli::Cli) -> Result<i32, Error> {
    use cli::Command;
    use conform::commands;
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = conform::project::find_root(&cwd);
    let root = root.as_deref();
    match cli.command {
        Command::Run(cmd) => {
            let args = cmd.resolve(std::io::stderr().is_terminal(), root)?;
            let stdout = conform::report::console::buffered(
                std::io::stdout(),
                anstream::AutoStream::choice(&std::io::stdout()),
            );
            commands::runtime()?.block_on(commands::run::run(args, stdout))
        }
        Command::Lint(cmd) => {
            let (sel, schemas, vars) = cmd.resolve(root);
            let config = default_path(root, "conform.yaml");
            commands::lint::main(&sel, &schemas, &vars, &config)
        }
        Command::Derive(cmd) => commands::derive::main(cmd.into(), root),
        Command::Snapshots(cli::SnapshotsCmd::Prune {
            snapshots_dir,
            cases_dir,
            dry_run,
        }) => commands::snapshots::prune(snapshots_dir, cases_dir, dry_run, root),
        Command::Doctor {
            target,
            schemas,
            cases_dir,
            config,
            vars_files,
            timeout,
        } => commands::doctor::main(
            commands::doctor::DoctorArgs {
                target,
                schemas,
                cases_dir,
                config,
                vars_files,
                timeout,
            },
            root,
        ),
        Command::Restore {
            ledger,
            schemas,
            target,
            config,
            timeout,
        } => commands::restore::main(&ledger, schemas, config, target.as_deref(), timeout, root),
        Command::Report(cli::ReportCmd::Merge(cmd)) => cmd.merge(root),
        Command::Completions { shell } => cli::completions(shell),
        Command::Man { out_dir } => cli::man(out_dir),
        Command::Init {
            config,
            force,
            config_only,
            pages,
        } => commands::init::main(config, force, config_only, pages.as_deref(), root),
        Command::ConfigSchema => {
            print!("{}", conform::run::config_schema::config_schema_text());
            Ok(exit_code::OK)
        }
        Command::Generate(cmd) => {
            let schemas = cmd
                .schemas
                .clone()
                .unwrap_or_else(|| default_path(root, "schemas"));
            let cases = commands::generate::generate(&schemas, &cmd.out, &cmd.options())?;
            println!(
                "{} cases written to {} (seed {})",
                cases.len(),
                cmd.out.display(),
                cmd.seed
            );
            Ok(exit_code::OK)
        }
        Command::Coverage(cmd) => {
            let (args, outputs) = cmd.resolve(root);
            commands::coverage::main(&args, &outputs)
        }
        Command::Openapi(cmd) => {
            let schemas = cmd.schemas.unwrap_or_else(|| default_path(root, "schemas"));
            let scope = if cmd.pages_only {
                conform::contract::openapi::Scope::Pages
            } else {
                conform::contract::openapi::Scope::Mock
            };
            print!("{}", commands::derive::openapi(&schemas, scope)?);
            Ok(exit_code::OK)
        }
        Command::Mock(cmd) => {
            let config = cmd.resolve()?;
            commands::mock::main(
                cmd.listen,
                config,
                cmd.schemas.clone(),
                cmd.print_vars,
                cmd.verbose,
                root,
            )
        }
    }
}
