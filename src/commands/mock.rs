//! `conform mock`: the reference mock, standalone, until Ctrl-C or SIGTERM (what container
//! runtimes and CI service containers send to stop it): it stops accepting, lets the requests
//! in flight finish, says how often each fault took effect, and exits 0.

use std::io::Write;
use std::net::SocketAddr;

use crate::error::Error;
use crate::mock::{self, MockAuth, MockConfig};

/// The warning `conform mock` prints when anyone who can reach `listen` could reset or
/// replace the mock's state: a non-loopback address, no `--auth` and the admin API on (without
/// an `--admin-token` of its own).
pub fn exposure_warning(listen: SocketAddr, config: &MockConfig) -> Option<String> {
    let open_admin = config.admin && config.admin_token.is_none();
    (!listen.ip().is_loopback() && config.auth == MockAuth::None && open_admin).then(|| {
        format!(
            "warning: --listen {listen} is reachable from other machines and neither the services \
             nor the /__mock/ admin API ask for credentials: anyone who reaches it can reset or \
             replace the mock's state; pass --no-admin (or --admin-token TOKEN) to close the admin \
             API, and --auth token:T or --auth aksk:AK:SK to require credentials"
        )
    })
}

/// Serves the mock on `listen` until Ctrl-C or SIGTERM; `on_ready` gets the bound address.
pub async fn serve(
    listen: SocketAddr,
    config: MockConfig,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Error::Io(format!("--listen {listen}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Io(e.to_string()))?;
    // The handlers are installed before the mock says it is listening: a SIGTERM sent right
    // after that line must find them, not the default action (which kills the process).
    #[cfg(unix)]
    let (mut term, mut int) = {
        use tokio::signal::unix::{signal, SignalKind};
        let watch = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| Error::Io(format!("cannot watch for {name}: {e}")))
        };
        (
            watch(SignalKind::terminate(), "SIGTERM")?,
            watch(SignalKind::interrupt(), "SIGINT")?,
        )
    };
    on_ready(addr);
    let stop = async move {
        #[cfg(unix)]
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    };
    mock::serve(listener, config, stop)
        .await
        .map_err(|e| Error::Io(e.to_string()))
}

/// `conform mock`: serves the contract of `schemas` (default: the project's, when it has one)
/// beside the emulation, or with `print_vars` prints the variables it holds and exits.
pub fn main(
    listen: SocketAddr,
    mut config: MockConfig,
    schemas: Option<std::path::PathBuf>,
    print_vars: bool,
    verbose: bool,
    root: Option<&std::path::Path>,
) -> Result<i32, Error> {
    use std::io::IsTerminal;
    let schemas = schemas.or_else(|| root.map(|r| r.join("schemas")).filter(|s| s.is_dir()));
    if let Some(dir) = schemas {
        config.contract = Some(std::sync::Arc::new(super::load_contract(&dir)?));
    }
    if print_vars {
        // Quoted, so ids that look like numbers stay strings.
        for (k, v) in mock::vars(&config, None) {
            println!("{k}: {}", serde_json::Value::String(v));
        }
        return Ok(crate::exit_code::OK);
    }
    let filter = if verbose {
        "conform=debug"
    } else {
        "conform=info"
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_writer(std::io::stderr)
        .init();
    if let Some(warning) = exposure_warning(listen, &config) {
        eprintln!("{warning}");
    }
    let faults = config.faults.clone();
    super::runtime()?.block_on(serve(listen, config, |addr| {
        eprintln!("conform mock listening on http://{addr} (Ctrl-C or SIGTERM to stop)");
    }))?;
    // What each fault did, for the suite that ran against it: one that never took effect
    // proves nothing either way. Written, not `eprintln!`: a reader that went away must not
    // turn a clean stop into a panic.
    let mut stderr = std::io::stderr().lock();
    for (fault, count) in faults.fired() {
        let _ = writeln!(stderr, "{}", mock::faults::fired_line(fault, count));
    }
    Ok(crate::exit_code::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(addr: &str) -> SocketAddr {
        addr.parse().expect("an address")
    }

    #[test]
    fn only_an_open_admin_api_on_a_non_loopback_address_is_warned_about() {
        let open = MockConfig::default();
        for loopback in ["127.0.0.1:8080", "[::1]:8080"] {
            assert_eq!(exposure_warning(at(loopback), &open), None, "{loopback}");
        }
        for exposed in ["0.0.0.0:0", "[::]:8080", "192.0.2.1:80"] {
            let w = exposure_warning(at(exposed), &open).expect("a warning");
            assert!(w.contains("--no-admin") && w.contains("--auth"), "{w}");
        }
        let token = MockConfig {
            auth: MockAuth::Token("t".into()),
            ..MockConfig::default()
        };
        let closed = MockConfig {
            admin: false,
            ..MockConfig::default()
        };
        let own_token = MockConfig {
            admin_token: Some("a".into()),
            ..MockConfig::default()
        };
        for config in [token, closed, own_token] {
            assert_eq!(exposure_warning(at("0.0.0.0:0"), &config), None);
        }
    }
}
