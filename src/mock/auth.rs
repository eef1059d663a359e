//! The mock's own verification of `SDK-HMAC-SHA256` signatures. Deliberately a separate code path
//! from the harness's signer (`run::auth::aksk`): if both shared a bug, signed runs against the
//! mock would prove nothing.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Largest clock difference the gateway accepts for `X-Sdk-Date`.
pub const MAX_SKEW_SECS: i64 = 15 * 60;

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'~'
}

fn pct_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if unreserved(b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn pct_decode(s: &str) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut rest = s.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' && tail.len() >= 2 {
            if let Ok(b) = u8::from_str_radix(&String::from_utf8_lossy(&tail[..2]), 16) {
                out.push(b);
                rest = &tail[2..];
                continue;
            }
        }
        out.push(first);
        rest = tail;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
fn parse_authorization(value: &str) -> Option<(String, Vec<String>, String)> {
    let rest = value.strip_prefix("SDK-HMAC-SHA256 ")?;
    let mut access = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Access" => access = Some(v.to_string()),
            "SignedHeaders" => signed = Some(v.split(';').map(str::to_string).collect()),
            "Signature" => signature = Some(v.to_string()),
            _ => return None,
        }
    }
    Some((access?, signed?, signature?))
}

/// Seconds since the epoch of a `YYYYMMDDTHHMMSSZ` date.
fn sdk_date_epoch(s: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(s, format)
        .ok()
        .map(|d| d.assume_utc().unix_timestamp())
}

/// Why a request is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// No Authorization header.
    Missing,
    /// The header is not an SDK-HMAC-SHA256 authorization.
    Malformed,
    /// Another access key.
    ForeignAk,
    /// X-Sdk-Date missing, unparsable or too far from now.
    Date,
    /// The signature does not match the request (changed after signing, or a wrong SK).
    Signature,
}

impl Rejection {
    /// The message of the 401 body.
    pub fn message(&self) -> &'static str {
        match self {
            Rejection::Missing => "Incorrect IAM authentication information: Authorization header is missing",
            Rejection::Malformed => "Incorrect IAM authentication information: Authorization header is malformed",
            Rejection::ForeignAk => "Incorrect IAM authentication information: unknown access key",
            Rejection::Date => "Incorrect IAM authentication information: X-Sdk-Date is missing or more than 15 minutes off",
            Rejection::Signature => "Incorrect IAM authentication information: verify aksk signature fail",
        }
    }
}

/// A request as the mock received it: `path` and `query` raw, as on the wire.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    /// Method.
    pub method: &'a str,
    /// Raw path.
    pub path: &'a str,
    /// Raw query (without `?`).
    pub query: &'a str,
    /// Headers.
    pub headers: &'a HeaderMap,
    /// Body bytes.
    pub body: &'a [u8],
}

/// Verifies a signed request against the one key pair the mock knows, at `now` (Unix seconds).
pub fn verify(r: Received<'_>, ak: &str, sk: &str, now: i64) -> Result<(), Rejection> {
    let Received {
        method,
        path,
        query,
        headers,
        body,
    } = r;
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or(Rejection::Missing)?;
    let value = value.to_str().map_err(|_| Rejection::Malformed)?;
    let (access, signed, signature) = parse_authorization(value).ok_or(Rejection::Malformed)?;
    if access != ak {
        return Err(Rejection::ForeignAk);
    }
    let date = headers
        .get("x-sdk-date")
        .and_then(|d| d.to_str().ok())
        .ok_or(Rejection::Date)?;
    let at = sdk_date_epoch(date).ok_or(Rejection::Date)?;
    if (now - at).abs() > MAX_SKEW_SECS || !signed.iter().any(|h| h == "x-sdk-date") {
        return Err(Rejection::Date);
    }
    let mut uri: String = pct_decode(path)
        .split('/')
        .map(pct_encode)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (pct_decode(k), pct_decode(v))
        })
        .collect();
    pairs.sort();
    let canonical_query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct_encode(k), pct_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in &signed {
        let v = headers.get(name.as_str()).ok_or(Rejection::Signature)?;
        canonical_headers.push_str(&format!(
            "{name}:{}\n",
            String::from_utf8_lossy(v.as_bytes()).trim()
        ));
    }
    let payload = if body.is_empty() {
        hex::encode(Sha256::digest(b""))
    } else if let Some(declared) = headers
        .get("x-sdk-content-sha256")
        .and_then(|v| v.to_str().ok())
    {
        declared.to_string()
    } else {
        hex::encode(Sha256::digest(body))
    };
    let canonical = format!(
        "{method}\n{uri}\n{canonical_query}\n{canonical_headers}\n{}\n{payload}",
        signed.join(";")
    );
    let to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut mac =
        Hmac::<Sha256>::new_from_slice(sk.as_bytes()).map_err(|_| Rejection::Signature)?;
    mac.update(to_sign.as_bytes());
    let expected = hex::decode(&signature).map_err(|_| Rejection::Signature)?;
    // Constant-time comparison.
    mac.verify_slice(&expected)
        .map_err(|_| Rejection::Signature)
}
