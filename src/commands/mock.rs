//! `conform mock`: the reference mock, standalone, until Ctrl-C or SIGTERM (what container
//! runtimes and CI service containers send to stop it): it stops accepting, lets the requests
//! in flight finish, and exits 0.

use std::net::SocketAddr;

use crate::error::Error;
use crate::mock::{self, MockConfig};

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
    on_ready(addr);
    mock::serve(listener, config, stop_signal())
        .await
        .map_err(|e| Error::Io(e.to_string()))
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
