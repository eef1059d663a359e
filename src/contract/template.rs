//! Path templates: the `{name}` parameters of an operation's path, segment by segment.
//!
//! A segment is a literal (`snapshots`), one parameter (`{snapshot_id}`), or literals and
//! parameters mixed (`{region}:{floatingip_id}`, `{id}.json`). Every stage that reads a template
//! (naming, the resource table, the runner's rendering, the mock's routing, the export) goes
//! through here, so a mixed segment is several parameters everywhere, never one parameter named
//! `region}:{floatingip_id`. `{}` (an anonymous parameter, as `normalise` writes templates) is
//! read like a named one.

/// One piece of a template segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text that must appear as written.
    Literal(&'a str),
    /// A parameter, by name (empty for `{}`).
    Param(&'a str),
}

/// The pieces of one segment, in order; an unclosed `{` is literal text.
pub fn pieces(segment: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = segment;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        if start > 0 {
            out.push(Piece::Literal(&rest[..start]));
        }
        out.push(Piece::Param(&rest[start + 1..start + len]));
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

/// The parameter a segment is, when it is exactly one parameter (`{id}` → `id`).
pub fn sole_param(segment: &str) -> Option<&str> {
    match pieces(segment).as_slice() {
        [Piece::Param(name)] => Some(name),
        _ => None,
    }
}

/// Whether a segment holds any parameter.
pub fn has_param(segment: &str) -> bool {
    pieces(segment).iter().any(|p| matches!(p, Piece::Param(_)))
}

/// The parameter names of a path template, in order, every segment's.
pub fn params(path: &str) -> Vec<String> {
    path.split('/')
        .flat_map(pieces)
        .filter_map(|p| match p {
            Piece::Param(name) if !name.is_empty() => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// Whether a concrete path is a version discovery document (`/`, `/v2`, `/v2.1/`): clients
/// read these before they hold a token, so services answer them without one.
pub fn is_version_document(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let root = rest.strip_suffix('/').unwrap_or(rest);
    rest.is_empty() || is_version_segment(root)
}

/// Whether a path template names a version document: `/`, a version literal (`/v3`), or one
/// parameter that stands for the version (`/{api_version}`).
pub fn is_version_template(template: &str) -> bool {
    let Some(rest) = template.strip_prefix('/') else {
        return false;
    };
    let root = rest.strip_suffix('/').unwrap_or(rest);
    rest.is_empty()
        || is_version_segment(root)
        || sole_param(root).is_some_and(|p| p.to_ascii_lowercase().contains("version"))
}

/// Whether a request issues a token: IAM's `POST /v3/auth/tokens`, whose body carries the
/// credentials because the client holds no token yet. Reading, checking or revoking a token at
/// the same path (`GET`, `HEAD`, `DELETE`) needs one.
pub fn is_token_issue(method: &str, path: &str) -> bool {
    method.eq_ignore_ascii_case("POST") && path.trim_end_matches('/') == "/v3/auth/tokens"
}

/// `v` and a dotted number: `v2`, `v2.1`, `v1.0`.
fn is_version_segment(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|n| {
        !n.is_empty()
            && n.split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// How literal a template segment is, for choosing the most literal of several matching
/// templates: 2 for a literal, 1 for a mixed segment, 0 for a sole parameter.
pub fn literal_weight(segment: &str) -> usize {
    let p = pieces(segment);
    let literal = p.iter().any(|x| matches!(x, Piece::Literal(_)));
    let param = p.iter().any(|x| matches!(x, Piece::Param(_)));
    match (literal, param) {
        (true, false) | (false, false) => 2,
        (true, true) => 1,
        (false, true) => 0,
    }
}

/// Matches one concrete segment against a template segment: the parameters' values, raw (still
/// percent-encoded), or None when it does not fit.
///
/// Values are rendered percent-encoded, so the literal text between two parameters (`:`) never
/// occurs inside a value: each parameter takes the text up to the first occurrence of the next
/// literal. A parameter takes at least one character; two adjacent parameters (`{a}{b}`) cannot
/// be told apart, and the first takes one character.
pub fn match_segment<'t, 'c>(
    template: &'t str,
    concrete: &'c str,
) -> Option<Vec<(&'t str, &'c str)>> {
    let pieces = pieces(template);
    let mut out = Vec::new();
    let mut rest = concrete;
    let mut i = 0;
    while i < pieces.len() {
        match pieces[i] {
            Piece::Literal(l) => rest = rest.strip_prefix(l)?,
            Piece::Param(name) => {
                // At least one character, whatever follows.
                let first = rest.chars().next()?.len_utf8();
                let take = match pieces.get(i + 1) {
                    None => rest.len(),
                    Some(Piece::Literal(next)) => first + rest[first..].find(next)?,
                    Some(Piece::Param(_)) => first,
                };
                out.push((name, &rest[..take]));
                rest = &rest[take..];
            }
        }
        i += 1;
    }
    rest.is_empty().then_some(out)
}

/// Whether a concrete path (or another template) fits a template, segment by segment; empty
/// segments (a leading or trailing `/`) are ignored on both sides.
pub fn fits(template: &str, concrete: &str) -> bool {
    bind(template, concrete).is_some()
}

/// The raw values a concrete path gives a template's parameters, in order, or None when the
/// path is not the template's. Empty segments are ignored on both sides.
pub fn bind<'t, 'c>(template: &'t str, concrete: &'c str) -> Option<Vec<(&'t str, &'c str)>> {
    let t: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let c: Vec<&str> = concrete.split('/').filter(|s| !s.is_empty()).collect();
    if t.len() != c.len() {
        return None;
    }
    let mut out = Vec::new();
    for (t, c) in t.iter().zip(&c) {
        out.extend(match_segment(t, c)?);
    }
    Some(out)
}

/// Fills a template from a lookup, each value percent-encoded as (part of) one segment; the
/// first name the lookup lacks is the error.
pub fn render(
    path: &str,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(path.len());
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        for piece in pieces(seg) {
            match piece {
                Piece::Literal(l) => out.push_str(l),
                Piece::Param(name) => {
                    let value = lookup(name).ok_or_else(|| name.to_string())?;
                    out.push_str(&super::percent_encode_segment(&value));
                }
            }
        }
    }
    Ok(out)
}

/// The template with its parameter names dropped (`/v1/{}/ips/{}:{}`), so templates naming one
/// parameter differently still line up; literal parts of a mixed segment stay.
pub fn normalise(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            pieces(seg)
                .into_iter()
                .map(|p| match p {
                    Piece::Literal(l) => l,
                    Piece::Param(_) => "{}",
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the POST of IAM's token path issues a token; the other methods there need one.
    #[test]
    fn only_posting_to_the_token_path_issues_a_token() {
        assert!(is_token_issue("POST", "/v3/auth/tokens"));
        assert!(is_token_issue("post", "/v3/auth/tokens/"));
        for (method, path) in [
            ("GET", "/v3/auth/tokens"),
            ("DELETE", "/v3/auth/tokens"),
            ("HEAD", "/v3/auth/tokens"),
            ("POST", "/v3/auth/tokens/x"),
            ("POST", "/v3/projects"),
        ] {
            assert!(!is_token_issue(method, path), "{method} {path}");
        }
    }

    #[test]
    fn version_documents_are_the_root_and_one_version_segment() {
        for doc in ["/", "/v2", "/v2.1/", "/v1.0", "/v3/"] {
            assert!(is_version_document(doc), "{doc}");
        }
        for not in [
            "",
            "//",
            "v2",
            "/v3/auth/tokens",
            "/v2.1/p/servers",
            "/v",
            "/v2.",
            "/vx",
        ] {
            assert!(!is_version_document(not), "{not}");
        }
        for doc in ["/", "/v3", "/{api_version}", "/{version}/"] {
            assert!(is_version_template(doc), "{doc}");
        }
        for not in [
            "/{project_id}",
            "/v3/{project_id}/topics",
            "/{api_version}/servers",
        ] {
            assert!(!is_version_template(not), "{not}");
        }
    }
    use rstest::rstest;

    #[rstest]
    #[case("/v2/{project_id}/snapshots/{snapshot_id}", &["project_id", "snapshot_id"])]
    #[case("/v2/reverse/floatingips/{region}:{floatingip_id}", &["region", "floatingip_id"])]
    #[case("/v1/{project_id}/files/{name}.{ext}", &["project_id", "name", "ext"])]
    #[case("/v1/items", &[])]
    #[case("/v1/{}/items/{}", &[])]
    fn every_parameter_of_every_segment(#[case] path: &str, #[case] names: &[&str]) {
        assert_eq!(params(path), names);
    }

    #[rstest]
    #[case("{id}", "abc", Some(vec![("id", "abc")]))]
    #[case("snapshots", "snapshots", Some(vec![]))]
    #[case("snapshots", "volumes", None)]
    #[case("{region}:{fip}", "cn-north-4:abc", Some(vec![("region", "cn-north-4"), ("fip", "abc")]))]
    #[case("{region}:{fip}", "cn-north-4", None)]
    #[case("{region}:{fip}", ":abc", None)]
    #[case("{region}:{fip}", "cn:", None)]
    #[case("{}:{}", "a:b", Some(vec![("", "a"), ("", "b")]))]
    #[case("{name}.json", "x.json", Some(vec![("name", "x")]))]
    #[case("{name}.json", "x.yaml", None)]
    #[case("v{n}", "v2", Some(vec![("n", "2")]))]
    #[case("{id}", "", None)]
    fn segments_match_literal_by_literal(
        #[case] template: &str,
        #[case] concrete: &str,
        #[case] expected: Option<Vec<(&str, &str)>>,
    ) {
        assert_eq!(match_segment(template, concrete), expected);
    }

    #[test]
    fn rendering_fills_each_parameter_of_a_mixed_segment() {
        let path = "/v2/reverse/floatingips/{region}:{floatingip_id}";
        let rendered = render(path, |n| Some(format!("<{n}>"))).unwrap();
        assert_eq!(
            rendered,
            "/v2/reverse/floatingips/%3Cregion%3E:%3Cfloatingip_id%3E"
        );
        assert_eq!(render(path, |_| None), Err("region".to_string()));
        // Values are encoded, so a colon inside one does not split it.
        let r = render(path, |n| {
            Some(if n == "region" { "a:b" } else { "c" }.into())
        })
        .unwrap();
        assert_eq!(
            bind(path, &r),
            Some(vec![("region", "a%3Ab"), ("floatingip_id", "c")])
        );
    }

    #[test]
    fn normalised_templates_keep_the_literals_of_mixed_segments() {
        assert_eq!(
            normalise("/v2/{project_id}/ips/{region}:{floatingip_id}"),
            "/v2/{}/ips/{}:{}"
        );
        assert!(fits("/v2/{}/ips/{}:{}", "/v2/p/ips/r:f"));
        assert!(!fits("/v2/{}/ips/{}:{}", "/v2/p/ips/rf"));
        assert_eq!(literal_weight("ips"), 2);
        assert_eq!(literal_weight("{a}:{b}"), 1);
        assert_eq!(literal_weight("{a}"), 0);
        assert_eq!(sole_param("{a}"), Some("a"));
        assert_eq!(sole_param("{a}:{b}"), None);
    }
}
