//! Request signing. `none`, `X-Auth-Token`, and Huawei Cloud AK/SK (`SDK-HMAC-SHA256`), the
//! latter written out by hand because the domain demands byte-exact canonicalisation, and pinned
//! to the official SDK's vectors (`tests/signing.rs`). Nothing here logs or formats a secret.

pub mod aksk;
pub mod iam;

use crate::contract::percent_encode_segment;

use super::target::Auth;

/// Encodes query pairs for a URL (unreserved characters kept, everything else `%XX`).
pub fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                percent_encode_segment(k),
                percent_encode_segment(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Adds a target's auth to a request: the `X-Auth-Token` header, or an AK/SK signature over
/// everything (a request that already has `Authorization` is sent unsigned, as the SDK does).
/// Returns the URL to send (for AK/SK, with the canonical query) and the headers.
pub fn authorize(
    auth: &Auth,
    method: &str,
    base: &str,
    path: &str,
    query: &[(String, String)],
    mut headers: Vec<(String, String)>,
    body: Option<&[u8]>,
) -> Result<(String, Vec<(String, String)>), String> {
    let mut url = format!("{base}{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query_string(query));
    }
    match auth {
        Auth::Token(t)
            if !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("x-auth-token")) =>
        {
            headers.push(("x-auth-token".into(), t.expose().to_string()));
        }
        Auth::AkSk {
            ak,
            sk,
            security_token,
            project_id,
        } if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization")) =>
        {
            // Signed over the path that goes out: one URL parsing would change is refused
            // here, before signing, as the client refuses it unsigned.
            let parsed = crate::run::client::parse_url(&format!("{base}{path}"))
                .map_err(|e| e.to_string())?;
            let host = match parsed.port() {
                Some(p) => format!("{}:{p}", parsed.host_str().unwrap_or_default()),
                None => parsed.host_str().unwrap_or_default().to_string(),
            };
            let signed = aksk::sign(
                &aksk::Request {
                    method,
                    scheme: parsed.scheme(),
                    host: &host,
                    path: parsed.path(),
                    query,
                    headers: &headers,
                    body,
                },
                &aksk::Credentials {
                    ak: ak.expose(),
                    sk: sk.expose(),
                    project_id: project_id.as_deref(),
                    security_token: security_token.as_ref().map(|t| t.expose()),
                },
                &aksk::sdk_date_now(),
            );
            return Ok((signed.url, signed.headers));
        }
        _ => {}
    }
    // A case that sets a credential header to "" sends no credential at all (and the target's
    // own was not added above): how a case asks for an unauthenticated request.
    headers.retain(|(n, v)| {
        !(v.is_empty()
            && (n.eq_ignore_ascii_case("x-auth-token") || n.eq_ignore_ascii_case("authorization")))
    });
    Ok((url, headers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::target::Secret;

    #[test]
    fn the_signed_path_is_the_path_sent_and_one_url_parsing_would_change_is_refused() {
        let aksk = Auth::AkSk {
            ak: Secret::new("AK"),
            sk: Secret::new("SK"),
            security_token: None,
            project_id: None,
        };
        let sign = |path: &str| {
            authorize(
                &aksk,
                "GET",
                "http://127.0.0.1:1",
                path,
                &[],
                Vec::new(),
                None,
            )
        };
        let (url, headers) = sign("/v1/a%2Fb/c d").expect("signed");
        assert_eq!(url, "http://127.0.0.1:1/v1/a%2Fb/c%20d");
        assert!(headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization")));
        assert_eq!(
            sign("/v1/../x").err().as_deref(),
            Some(
                "invalid request: path '/v1/../x' cannot be sent as written: URL parsing would send '/x'"
            )
        );
    }
}
