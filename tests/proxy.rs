//! A proxy the environment names carries every request (a test binary of its own: it sets
//! `HTTP_PROXY`, which any other client built in the same process would follow too).

use std::time::Duration;

use conform::run::client::{Http, Outgoing};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A one-request forward proxy on loopback: answers itself and returns the request line it got.
async fn proxy() -> (String, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.expect("accept");
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = conn.read(&mut buf).await.expect("read");
            assert!(n > 0, "the request ended early");
            head.extend_from_slice(&buf[..n]);
        }
        conn.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\nvia proxy",
        )
        .await
        .expect("write");
        let head = String::from_utf8_lossy(&head).into_owned();
        head.lines().next().unwrap_or_default().to_string()
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn a_proxy_variable_routes_requests_through_the_proxy_path_as_written() {
    let (proxy, seen) = proxy().await;
    for var in [
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
        "http_proxy",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("HTTP_PROXY", &proxy);
    let http = Http::new().expect("the client builds");
    // A host that resolves nowhere: only the proxy can answer.
    let url = "http://conform.invalid/v1/a%2Fb/%C3%A9?q=1";
    let r = http
        .send(
            &Outgoing {
                method: http::Method::GET,
                url: url.into(),
                headers: Vec::new(),
                body: None,
            },
            Duration::from_secs(10),
        )
        .await
        .expect("answered by the proxy");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"via proxy"[..]));
    assert_eq!(seen.await.expect("proxy"), format!("GET {url} HTTP/1.1"));
}
