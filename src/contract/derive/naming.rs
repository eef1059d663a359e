//! Operation ids from method and path: `service.verb_nouns.version`.
//!
//! The verb comes from the method (and, for GET, whether the path ends at an item or a
//! collection); the nouns are the literal path segments after the version, singular when an id
//! follows them; an uncountable noun followed by an id names an `_item`.

use std::sync::LazyLock;

use regex::Regex;

use crate::contract::template;

static METHOD_PATH: LazyLock<Regex> = LazyLock::new(|| {
    crate::statics::regex(
        r"\b(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS)\s+(?:https?://[^/\s]*)?(/[^\s?]*)(\?\S*)?",
    )
});
/// A method glued to its path (`GET/v1.0/{project_id}/queues`, as DLI's pages write it): only
/// before a version or a parameter, so that `GET/POST` in prose stays prose.
static GLUED: LazyLock<Regex> = LazyLock::new(|| {
    crate::statics::regex(r"\b(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS)(/(?:v\d|\{))")
});
/// A request line split over two lines (`PATH：/v3/{project_id}/items` and `Method：GET`, or
/// a method opening a sentence above a bare path): the method's line and the path's line.
static SPLIT_METHOD: LazyLock<Regex> = LazyLock::new(|| {
    crate::statics::regex(r"^(?:(?i:method|方法)\s*[:：]\s*)?(GET|PUT|POST|DELETE|PATCH|HEAD)\b")
});
static SPLIT_PATH: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"^(?:(?i:path|uri|url)\s*[:：]\s*)?(/\S+)$"));
/// A last segment a page set apart from its path by a space (`/sources/{source_id}/ command`):
/// one lower-case word, then the end of the path (an example's id after the space is not one).
static SPACED_SEGMENT: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"^ ([a-z][a-z_]*)(?:$|[\s?])"));
static VERSION: LazyLock<Regex> = LazyLock::new(|| crate::statics::regex(r"^v\d+(\.\d+)*$"));

/// An optional query list in brackets (`/api-groups[?page_size, page_no, id]`).
static BRACKET_QUERY: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"\[\?([\w\s,.\-、，]*)\]"));

/// A markdown link (`[recordset_id](page.md)`): its text is what the URI says.
static LINK: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"\[([^\]\[]*)\]\([^)\s]*\)"));

/// Markdown escapes left in code blocks (`\{project\_id\}`) are not part of a URI; an
/// optional query list in brackets is written as the RFC 6570 expression it stands for
/// (`[?a, b]` → `{?a,b}`), which the path and query readers know.
fn unescape(text: &str) -> std::borrow::Cow<'_, str> {
    let text = if text.contains('\\') {
        std::borrow::Cow::Owned(
            text.replace("\\{", "{")
                .replace("\\}", "}")
                .replace("\\_", "_"),
        )
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let text = if text.contains("](") {
        std::borrow::Cow::Owned(LINK.replace_all(&text, "$1").into_owned())
    } else {
        text
    };
    if text.contains("[?") {
        let rewritten = BRACKET_QUERY.replace_all(&text, |c: &regex::Captures| {
            let names: Vec<&str> = c[1].split([',', '、', '，']).map(str::trim).collect();
            format!("{{?{}}}", names.join(","))
        });
        std::borrow::Cow::Owned(rewritten.into_owned())
    } else {
        text
    }
}

/// Finds "METHOD /path" in a line of text.
pub fn method_and_path(text: &str) -> Option<(String, String)> {
    let escaped = unescape(text);
    let text = unglued(&escaped);
    let c = METHOD_PATH.captures(&text)?;
    let path = c[2].trim_end_matches(['。', '.', ',']);
    // An RFC 6570 query expression (`/tags{?limit,marker}`) is not part of the path.
    let path = path.strip_suffix('{').unwrap_or(path);
    // What is left of markup or prose glued to the URI (`[`, `<`, `|`, quotes, text in
    // another script) makes no path template: no request line here.
    if !path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/{}_-.:~@$*=,+!'()%".contains(c))
    {
        return None;
    }
    let mut path = plain_params(path);
    if path.ends_with('/') && c.get(3).is_none() {
        let after = c.get(2).map_or("", |m| &text[m.end()..]);
        if let Some(word) = SPACED_SEGMENT.captures(after) {
            path.push_str(&word[1]);
        }
    }
    Some((c[1].to_string(), path))
}

/// The text with a method glued to its path set apart from it ([`GLUED`]).
fn unglued(text: &str) -> std::borrow::Cow<'_, str> {
    GLUED.replace_all(text, "$1 $2")
}

/// A template with markdown emphasis taken out of its parameter names: pages italicise them
/// (`{_project_id_}`, `{*instance_id*}`), and the name is what is inside.
fn plain_params(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..=open]);
        let name = &rest[open + 1..open + len];
        // Emphasis wraps the whole name; a name merely containing `_` keeps it.
        let plain = ['_', '*']
            .iter()
            .find_map(|m| {
                name.strip_prefix(*m)
                    .and_then(|n| n.strip_suffix(*m))
                    .filter(|n| !n.is_empty())
            })
            .unwrap_or(name);
        out.push_str(plain);
        out.push('}');
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The request line of a page that states its method and its path on lines of their own
/// (`lines`: the URI section's, in order).
pub fn split_method_and_path<'a>(lines: impl Iterator<Item = &'a str> + Clone) -> Option<String> {
    let method = lines
        .clone()
        .find_map(|l| SPLIT_METHOD.captures(l.trim()).map(|c| c[1].to_string()))?;
    let path = lines.filter_map(|l| {
        let l = unescape(l.trim()).into_owned();
        SPLIT_PATH.captures(&l).map(|c| c[1].to_string())
    });
    path.map(|p| format!("{method} {p}"))
        .find(|line| method_and_path(line).is_some())
}

/// The query parameter names a URI spells out after `?` (`?id={id}&name=x`, `?marker=...`).
pub fn query_names(text: &str) -> Vec<String> {
    let escaped = unescape(text);
    let text = unglued(&escaped);
    let Some(c) = METHOD_PATH.captures(&text) else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    let Some(q) = c.get(3) else {
        return names;
    };
    let q = q.as_str().trim_start_matches('?');
    // `{?a,b}` lists names; `?a=1&b=2` pairs them with values.
    let pairs: Vec<&str> = if c[2].ends_with('{') {
        q.trim_end_matches('}').split(',').collect()
    } else {
        q.split('&').collect()
    };
    for pair in pairs {
        let name = pair.split('=').next().unwrap_or_default().trim();
        let name = name.trim_matches(['[', ']', '{', '}', '。', '.', ',']);
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
        if plain && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// The `{name}` parameters of a path template, in order; a segment may hold several
/// (`{region}:{floatingip_id}`).
pub fn path_params(path: &str) -> Vec<String> {
    crate::contract::template::params(path)
}

/// The English verb a method and path shape stand for.
pub fn verb(method: &str, ends_with_param: bool) -> &'static str {
    match (method, ends_with_param) {
        ("GET", true) => "show",
        ("GET", false) => "list",
        ("PUT", _) | ("PATCH", _) => "update",
        ("POST", _) => "create",
        ("DELETE", _) => "delete",
        // HEAD returns a resource's headers (its metadata) without the body.
        ("HEAD", _) => "head",
        _ => "call",
    }
}

fn singular(noun: &str) -> String {
    if let Some(stem) = noun.strip_suffix("ies") {
        format!("{stem}y")
    } else if noun.ends_with("ss") {
        noun.to_string()
    } else if let Some(stem) = noun.strip_suffix('s') {
        stem.to_string()
    } else {
        format!("{noun}_item")
    }
}

fn ident(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Ids for endpoints whose plain ids collide (`/v1/ports` and `/v1/{project_id}/ports` both
/// read `create_port.v1`): each gets `_by_` and the path parameters the others lack; the
/// endpoint without any keeps the plain id. Input and output are in the same order.
pub fn disambiguate(base: &str, paths: &[&str]) -> Vec<String> {
    let params: Vec<Vec<String>> = paths.iter().map(|p| path_params(p)).collect();
    let common: Vec<&String> = params[0]
        .iter()
        .filter(|n| params.iter().all(|ps| ps.contains(n)))
        .collect();
    let (head, version) = match base.rsplit_once('.') {
        Some((h, v)) if v.starts_with('v') && h.contains('.') => (h, Some(v)),
        _ => (base, None),
    };
    let mut out: Vec<String> = params
        .iter()
        .map(|ps| {
            let own: Vec<String> = ps
                .iter()
                .filter(|n| !common.contains(n))
                .map(|n| ident(n))
                .collect();
            let mut id = head.to_string();
            if !own.is_empty() {
                id.push_str("_by_");
                id.push_str(&own.join("_"));
            }
            if let Some(v) = version {
                id.push('.');
                id.push_str(v);
            }
            id
        })
        .collect();
    // Same parameters, different literals: number them in path order.
    for i in 0..out.len() {
        let twins: Vec<usize> = (0..out.len()).filter(|&j| out[j] == out[i]).collect();
        if twins.len() > 1 {
            for (n, j) in twins.into_iter().enumerate().skip(1) {
                out[j] = format!("{}_{}", out[j], n + 1);
            }
        }
    }
    out
}

/// The operation id for a service, method and path template.
pub fn operation_id(service: &str, method: &str, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let version = segments
        .iter()
        .find(|s| VERSION.is_match(s))
        .map(|v| ident(v));
    let mut nouns = Vec::new();
    let mut after_version = version.is_none();
    for (i, seg) in segments.iter().enumerate() {
        if VERSION.is_match(seg) && !after_version {
            after_version = true;
            continue;
        }
        if !after_version || template::has_param(seg) {
            continue;
        }
        let followed_by_param = segments.get(i + 1).is_some_and(|n| template::has_param(n));
        let is_last = i + 1 == segments.len();
        let noun = ident(seg);
        nouns.push(if followed_by_param {
            singular(&noun)
        } else if method == "POST" && is_last && noun.ends_with('s') && !noun.ends_with("ss") {
            // Creating in a collection makes one member of it.
            singular(&noun)
        } else {
            noun
        });
    }
    let ends_with_param = segments.last().is_some_and(|s| template::has_param(s));
    // `POST …/{id}/action` carries its verb in the body (`os-extend`, `reboot`): the id names
    // the resource's action endpoint, and a case names the body after `#`.
    let is_action = method == "POST" && segments.last() == Some(&"action");
    let mut id = format!("{}.", ident(service));
    if !is_action {
        id.push_str(verb(method, ends_with_param));
    }
    if !nouns.is_empty() {
        if !is_action {
            id.push('_');
        }
        id.push_str(&nouns.join("_"));
    }
    if let Some(v) = version {
        id.push('.');
        id.push_str(&v);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "evs",
        "PUT",
        "/v2/{project_id}/snapshots/{snapshot_id}",
        "evs.update_snapshot.v2"
    )]
    #[case(
        "evs",
        "PUT",
        "/v3/{project_id}/snapshots/{snapshot_id}",
        "evs.update_snapshot.v3"
    )]
    #[case(
        "evs",
        "PUT",
        "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
        "evs.update_snapshot_metadata_item.v2"
    )]
    #[case(
        "ecs",
        "PUT",
        "/v2.1/{project_id}/servers/{server_id}/metadata/{key}",
        "ecs.update_server_metadata_item.v2_1"
    )]
    #[case("evs", "GET", "/v2/{project_id}/snapshots", "evs.list_snapshots.v2")]
    #[case(
        "evs",
        "GET",
        "/v2/{project_id}/snapshots/detail",
        "evs.list_snapshots_detail.v2"
    )]
    #[case("evs", "POST", "/v3/{project_id}/snapshots", "evs.create_snapshot.v3")]
    #[case("ims", "HEAD", "/v1/images/{image_id}", "ims.head_image.v1")]
    #[case(
        "evs",
        "POST",
        "/v2/{project_id}/volumes/{volume_id}/action",
        "evs.volume_action.v2"
    )]
    #[case(
        "ecs",
        "POST",
        "/v2.1/{project_id}/servers/{server_id}/action",
        "ecs.server_action.v2_1"
    )]
    #[case(
        "ecs",
        "GET",
        "/v2.1/{project_id}/servers/{server_id}/metadata",
        "ecs.list_server_metadata.v2_1"
    )]
    #[case(
        "evs",
        "POST",
        "/v2/{project_id}/snapshots/{snapshot_id}/metadata",
        "evs.create_snapshot_metadata.v2"
    )]
    fn ids_are_derived_from_method_and_path(
        #[case] service: &str,
        #[case] method: &str,
        #[case] path: &str,
        #[case] id: &str,
    ) {
        assert_eq!(operation_id(service, method, path), id);
    }

    #[test]
    fn method_and_path_are_found_in_text() {
        assert_eq!(
            method_and_path(
                "PUT https://{endpoint}/v2.1/{project_id}/servers/{server_id}/metadata/{key}"
            ),
            Some((
                "PUT".into(),
                "/v2.1/{project_id}/servers/{server_id}/metadata/{key}".into()
            ))
        );
        assert_eq!(
            path_params("/v2/{project_id}/snapshots/{snapshot_id}"),
            vec!["project_id", "snapshot_id"]
        );
    }

    #[test]
    fn a_method_on_a_line_of_its_own_is_found() {
        let split = |lines: &[&'static str]| split_method_and_path(lines.iter().copied());
        assert_eq!(
            split(&[
                r"PATH：/\{version\_id\}/\{project\_id\}/items",
                "Method：GET"
            ])
            .as_deref(),
            Some("GET /{version_id}/{project_id}/items")
        );
        assert_eq!(
            split(&["DELETE 参数说明请参见表1。", "/v1/{project_id}/items/{id}"]).as_deref(),
            Some("DELETE /v1/{project_id}/items/{id}")
        );
        assert_eq!(split(&["见下文", "/v1/items"]), None, "no method");
        assert_eq!(split(&["Method：GET", "参数说明"]), None, "no path");
    }

    #[test]
    fn a_method_glued_to_its_path_is_found() {
        assert_eq!(
            method_and_path(r"GET/v1.0/\{project\_id\}/jobs/\{job\_id\}/detail"),
            Some((
                "GET".into(),
                "/v1.0/{project_id}/jobs/{job_id}/detail".into()
            ))
        );
        assert_eq!(
            method_and_path("POST/{project_id}/queues?page=1"),
            Some(("POST".into(), "/{project_id}/queues".into()))
        );
        assert_eq!(
            query_names("GET/v1.0/{project_id}/queues?page=1"),
            vec!["page"]
        );
        assert_eq!(
            method_and_path("either GET/POST, as you like"),
            None,
            "prose"
        );
    }

    #[test]
    fn query_strings_and_templates_are_not_part_of_the_path() {
        let text = "GET /v2.0/security-group-rules?id={id}&direction=ingress";
        assert_eq!(
            method_and_path(text),
            Some(("GET".into(), "/v2.0/security-group-rules".into()))
        );
        assert_eq!(query_names(text), vec!["id", "direction"]);
        let template = "GET /v1/cloudimages/tags{?limit,marker}";
        assert_eq!(
            method_and_path(template),
            Some(("GET".into(), "/v1/cloudimages/tags".into()))
        );
        assert_eq!(query_names(template), vec!["limit", "marker"]);
        // An optional query list in brackets, as some method-and-URI tables write it.
        let bracketed = "GET /v1.0/apigw/api-groups[?page_size, page_no, id, name]";
        assert_eq!(
            method_and_path(bracketed),
            Some(("GET".into(), "/v1.0/apigw/api-groups".into()))
        );
        assert_eq!(
            query_names(bracketed),
            vec!["page_size", "page_no", "id", "name"]
        );
        // A parameter linked to the page that lists it is the parameter.
        assert_eq!(
            method_and_path(
                r"DELETE /v2.1/zones/\{zone\_id\}/recordsets/\{[recordset\_id](list.md)\}"
            ),
            Some((
                "DELETE".into(),
                "/v2.1/zones/{zone_id}/recordsets/{recordset_id}".into()
            ))
        );
        // Markup glued to a URI makes no template.
        assert_eq!(method_and_path("GET /v1/things[<b>"), None);
        assert_eq!(method_and_path("GET /v1/things/名称"), None);
        let listed = "GET /v1.0/apigw/acl-bindings/binded-apis[?page_no、page_size、acl_id]";
        assert_eq!(
            method_and_path(listed),
            Some(("GET".into(), "/v1.0/apigw/acl-bindings/binded-apis".into()))
        );
        assert_eq!(query_names(listed), vec!["page_no", "page_size", "acl_id"]);
        assert_eq!(
            method_and_path(r"GET /v2/\{project\_id\}/images"),
            Some(("GET".into(), "/v2/{project_id}/images".into()))
        );
        assert_eq!(
            method_and_path("HEAD /v2/{project_id}/images/{image_id}"),
            Some(("HEAD".into(), "/v2/{project_id}/images/{image_id}".into()))
        );
        // Emphasised parameter names are the names inside the emphasis.
        assert_eq!(
            method_and_path(
                r"GET https://\{_Endpoint_\}/v3/\{_project\_id_\}/configurations/{*config_id*}"
            ),
            Some((
                "GET".into(),
                "/v3/{project_id}/configurations/{config_id}".into()
            ))
        );
        assert_eq!(
            method_and_path("GET /v1/{_private_id}/x"),
            Some(("GET".into(), "/v1/{_private_id}/x".into()))
        );
        assert_eq!(
            method_and_path("PATCH https://{Endpoint}/v2/cloudimages/{image_id}"),
            Some(("PATCH".into(), "/v2/cloudimages/{image_id}".into()))
        );
        // A last segment set apart by a space is the path's; an example id after one is not.
        assert_eq!(
            method_and_path(r"GET /v1/sms/sources/\{source\_id\}/ command\_result"),
            Some((
                "GET".into(),
                "/v1/sms/sources/{source_id}/command_result".into()
            ))
        );
        assert_eq!(
            method_and_path("PUT https://{endpoint}/v1/server-groups/ e98cefcd-2398-4a4d"),
            Some(("PUT".into(), "/v1/server-groups/".into()))
        );
    }

    #[test]
    fn colliding_ids_are_told_apart_by_their_own_path_parameters() {
        assert_eq!(
            disambiguate(
                "vpc.create_port.v1",
                &["/v1/ports", "/v1/{project_id}/ports"]
            ),
            vec!["vpc.create_port.v1", "vpc.create_port_by_project_id.v1"]
        );
        assert_eq!(
            disambiguate("x.list_tags.v1", &["/v1/a/tags", "/v1/b/tags"]),
            vec!["x.list_tags.v1", "x.list_tags.v1_2"]
        );
    }
}
