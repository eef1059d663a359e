//! `conform mock`: the reference mock, standalone, until Ctrl-C.

use std::net::SocketAddr;

use crate::error::Error;
use crate::mock::{self, MockConfig};

/// Serves the mock on `listen` until Ctrl-C; `on_ready` gets the bound address.
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
    mock::serve(listener, config, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| Error::Io(e.to_string()))
}
