//! `SDK-HMAC-SHA256`, as the official SDK signs (see AUTH.md): canonical request, string to sign,
//! HMAC-SHA256 with the raw SK, and the Authorization header.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// SHA-256 of the empty body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What is signed.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Method.
    pub method: &'a str,
    /// `http` or `https`.
    pub scheme: &'a str,
    /// `host[:port]` exactly as in the endpoint URL.
    pub host: &'a str,
    /// The path as it will be sent (may hold `%XX` escapes).
    pub path: &'a str,
    /// Query pairs, unencoded, in any order.
    pub query: &'a [(String, String)],
    /// Caller headers, in order.
    pub headers: &'a [(String, String)],
    /// Body bytes.
    pub body: Option<&'a [u8]>,
}

/// Credentials (the secret parts never leave this module except as a signature).
#[derive(Clone)]
pub struct Credentials<'a> {
    /// Access key.
    pub ak: &'a str,
    /// Secret key.
    pub sk: &'a str,
    /// Adds `X-Project-Id`.
    pub project_id: Option<&'a str>,
    /// Temporary credentials: adds `X-Security-Token`.
    pub security_token: Option<&'a str>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("ak", &self.ak)
            .field("sk", &"<redacted>")
            .finish()
    }
}

/// Everything signing produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// Canonical URI.
    pub canonical_uri: String,
    /// Canonical query string (also the query sent).
    pub canonical_query_string: String,
    /// Payload hash.
    pub payload_hash: String,
    /// `;`-joined signed header names.
    pub signed_headers: String,
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Hex signature.
    pub signature: String,
    /// The Authorization header value.
    pub authorization: String,
    /// Every header to send, in order, with the Authorization header last.
    pub headers: Vec<(String, String)>,
    /// The URL to send.
    pub url: String,
}

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Percent-encodes with only `A-Z a-z 0-9 - _ . ~` kept, upper-case hex over UTF-8 bytes (the
/// contract's path-segment encoding, which the SDK's canonical request uses too).
pub fn encode(s: &str) -> String {
    crate::contract::percent_encode_segment(s)
}

/// Percent-decodes; an invalid escape keeps its `%`, undecodable bytes become U+FFFD.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The canonical URI: decode the whole path, split on `/`, encode each segment, end with `/`.
pub fn canonical_uri(path: &str) -> String {
    let decoded = decode(path);
    let mut uri = decoded.split('/').map(encode).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The canonical query: pairs sorted by raw (key, value), each side encoded, `&`-joined.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = query.iter().collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn has(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Signs a request at `now` (`YYYYMMDDTHHMMSSZ`, used unless the caller set `X-Sdk-Date`).
pub fn sign(req: &Request<'_>, creds: &Credentials<'_>, now: &str) -> Signed {
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    // A request naming its project itself (a case asking from another project) keeps it.
    if let Some(p) = creds.project_id.filter(|_| !has(&headers, "x-project-id")) {
        headers.push(("X-Project-Id".into(), p.to_string()));
    }
    if let Some(t) = creds.security_token {
        headers.push(("X-Security-Token".into(), t.to_string()));
    }
    let content_type = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone());
    if let Some(ct) = content_type {
        if !ct.starts_with("application/json") && !ct.starts_with("application/bson") {
            headers.push(("X-Sdk-Content-Sha256".into(), "UNSIGNED-PAYLOAD".into()));
        }
    }
    if !has(&headers, "x-sdk-date") {
        headers.push(("X-Sdk-Date".into(), now.to_string()));
    }
    if !has(&headers, "host") {
        headers.push(("Host".into(), req.host.to_string()));
    }
    let date = headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-sdk-date"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    // Signed: every header whose name has no '_', lower-cased, sorted; a name given twice in
    // different cases appears twice with the last value (the SDK's behaviour).
    let mut names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| !n.contains('_'))
        .collect();
    names.sort();
    let value_of = |name: &str| {
        headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let canonical_headers: String = names
        .iter()
        .map(|n| format!("{n}:{}\n", value_of(n).trim()))
        .collect();
    let signed_headers = names.join(";");
    let body = req.body.unwrap_or(&[]);
    let payload_hash = if body.is_empty() {
        EMPTY_SHA256.to_string()
    } else if let Some((_, v)) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-sdk-content-sha256"))
    {
        v.clone()
    } else {
        hex_sha256(body)
    };
    let canonical_uri = canonical_uri(req.path);
    let canonical_query_string = canonical_query(req.query);
    let canonical_request = [
        req.method.to_ascii_uppercase(),
        canonical_uri.clone(),
        canonical_query_string.clone(),
        canonical_headers,
        signed_headers.clone(),
        payload_hash.clone(),
    ]
    .join("\n");
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{}",
        hex_sha256(canonical_request.as_bytes())
    );
    let signature = hmac_hex(creds.sk.as_bytes(), string_to_sign.as_bytes());
    let authorization = format!(
        "{ALGORITHM} Access={}, SignedHeaders={signed_headers}, Signature={signature}",
        creds.ak
    );
    headers.push(("Authorization".into(), authorization.clone()));
    let mut url = format!("{}://{}{}", req.scheme, req.host, req.path);
    if !canonical_query_string.is_empty() {
        url.push('?');
        url.push_str(&canonical_query_string);
    }
    Signed {
        canonical_uri,
        canonical_query_string,
        payload_hash,
        signed_headers,
        canonical_request,
        string_to_sign,
        signature,
        authorization,
        headers,
        url,
    }
}

/// Lower-case hex HMAC-SHA256.
pub fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    // HMAC accepts keys of any length; new_from_slice cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// `YYYYMMDDTHHMMSSZ` for now.
pub fn sdk_date_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request naming its project (a case asking from another one) keeps it: the
    /// credentials' project is not added beside it, and the signature covers the one sent.
    #[test]
    fn a_request_naming_its_project_keeps_it_and_signs_it() {
        let creds = Credentials {
            ak: "AK",
            sk: "SK",
            project_id: Some("own"),
            security_token: None,
        };
        let request = |headers: &[(String, String)]| {
            let req = Request {
                method: "GET",
                scheme: "https",
                host: "aos.example.com",
                path: "/v2/stacks/s1",
                query: &[],
                headers,
                body: None,
            };
            sign(&req, &creds, "20261206T080000Z")
        };
        let projects = |s: &Signed| -> Vec<String> {
            s.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("x-project-id"))
                .map(|(_, v)| v.clone())
                .collect()
        };
        let own = request(&[]);
        assert_eq!(projects(&own), ["own"]);
        let other = request(&[("X-Project-Id".into(), "other".into())]);
        assert_eq!(projects(&other), ["other"]);
        assert!(
            other.signed_headers.contains("x-project-id"),
            "{}",
            other.signed_headers
        );
        assert_ne!(own.signature, other.signature);
    }

    #[test]
    fn decode_keeps_invalid_escapes_and_replaces_bad_utf8() {
        assert_eq!(decode("a%2Fb"), "a/b");
        assert_eq!(decode("%e9%94%ae"), "键");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%ff"), "\u{fffd}");
        assert_eq!(encode("%"), "%25");
    }
}
