//! The reference mock, in-process: every documented rule, errors, admin, auth, and a property
//! test showing that no input yields a 5xx or a panic.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use conform::mock::faults::{Fault, Faults};
use conform::mock::state::Fixtures;
use conform::mock::{app as build_app, MockAuth, MockConfig, MockService};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

mod common;

fn vars() -> std::collections::BTreeMap<String, String> {
    Fixtures::defaults().vars
}

fn var(name: &str) -> String {
    vars()[name].clone()
}

fn mock() -> MockService {
    build_app(MockConfig::default())
}

async fn call(
    app: &MockService,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    call_raw(
        app,
        method,
        path,
        body.map(|b| b.to_string().into_bytes()),
        &[],
    )
    .await
}

async fn call_raw(
    app: &MockService,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
    headers: &[(&str, &str)],
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(body.map(Body::from).unwrap_or_else(Body::empty))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json, headers)
}

fn snap(version: &str) -> String {
    format!(
        "/{version}/{}/snapshots/{}",
        var("project_id"),
        var("snapshot_id")
    )
}

#[tokio::test]
async fn v2_update_applies_name_and_description_and_refreshes_updated_at() {
    let app = mock();
    let (_, before, _) = call(&app, Method::GET, &snap("v2"), None).await;
    let (s, body, h) = call(
        &app,
        Method::PUT,
        &snap("v2"),
        Some(json!({"snapshot": {"name": "n1", "description": "d1"}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["snapshot"]["name"], "n1");
    assert_eq!(body["snapshot"]["description"], "d1");
    assert_ne!(
        body["snapshot"]["updated_at"],
        before["snapshot"]["updated_at"]
    );
    assert!(h.get("x-request-id").is_some());
    assert!(h["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let (_, after, _) = call(&app, Method::GET, &snap("v3"), None).await;
    assert_eq!(
        after["snapshot"]["name"], "n1",
        "the update persists and is visible through v3"
    );
}

#[tokio::test]
async fn v2_name_wins_over_display_name_and_aliases_work() {
    let app = mock();
    let (_, b, _) = call(
        &app,
        Method::PUT,
        &snap("v2"),
        Some(json!({"snapshot": {"name": "a", "display_name": "b"}})),
    )
    .await;
    assert_eq!(b["snapshot"]["name"], "a");
    let (_, b, _) = call(
        &app,
        Method::PUT,
        &snap("v2"),
        Some(json!({"snapshot": {"display_name": "c", "display_description": "dd"}})),
    )
    .await;
    assert_eq!(
        (
            b["snapshot"]["name"].as_str(),
            b["snapshot"]["description"].as_str()
        ),
        (Some("c"), Some("dd"))
    );
}

#[tokio::test]
async fn limits_are_utf8_bytes_for_snapshots() {
    let app = mock();
    let (s, _, _) = call(
        &app,
        Method::PUT,
        &snap("v2"),
        Some(json!({"snapshot": {"name": "字".repeat(85)}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &snap("v3"),
        Some(json!({"snapshot": {"name": "字".repeat(86)}})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["badRequest"]["code"], "EVS.2108");
}

#[tokio::test]
async fn bad_update_bodies_are_400_and_unknown_snapshots_404() {
    let app = mock();
    for body in [
        json!({}),
        json!({"snapshot": "x"}),
        json!({"snapshot": {}}),
        json!({"snapshot": {"name": 5}}),
    ] {
        let (s, b, _) = call(&app, Method::PUT, &snap("v2"), Some(body.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert!(b["badRequest"]["message"].is_string());
    }
    let (s, _, _) = call(
        &app,
        Method::PUT,
        &snap("v3"),
        Some(json!({"snapshot": {"display_name": "x"}})),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "v3 documents name and description only"
    );
    let path = format!("/v2/{}/snapshots/{}", var("project_id"), var("missing_id"));
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &path,
        Some(json!({"snapshot": {"name": "x"}})),
    )
    .await;
    assert_eq!(
        (s, b["itemNotFound"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("EVS.5404"))
    );
}

#[tokio::test]
async fn automatic_snapshots_are_marked_by_metadata_not_by_name() {
    let app = mock();
    let project = var("project_id");
    let autobk = var("autobk_snapshot_id");
    let forbidden = |s: StatusCode, b: &Value| {
        assert_eq!(
            (s, b["forbidden"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("EVS.5403")),
            "{b}"
        );
    };
    // The backup-made snapshot (`__system__enableActive` in its metadata): v2, v3 and metadata.
    for version in ["v2", "v3"] {
        let path = format!("/{version}/{project}/snapshots/{autobk}");
        let (s, b, _) = call(
            &app,
            Method::PUT,
            &path,
            Some(json!({"snapshot": {"name": "x"}})),
        )
        .await;
        forbidden(s, &b);
        let item = format!("{path}/metadata/k");
        let (s, b, _) = call(&app, Method::PUT, &item, Some(json!({"meta": {"k": "v"}}))).await;
        forbidden(s, &b);
        let (s, b, _) = call(
            &app,
            Method::DELETE,
            &format!("{path}/metadata/{}", conform::mock::evs::AUTOMATIC_MARK),
            None,
        )
        .await;
        forbidden(s, &b);
        let (s, _, _) = call(&app, Method::GET, &path, None).await;
        assert_eq!(s, StatusCode::OK, "reads are allowed");
    }
    // Renaming an ordinary snapshot to the prefix is allowed and locks nothing.
    for version in ["v2", "v3"] {
        let path = format!("/{version}/{project}/snapshots/{}", var("snapshot_id"));
        for name in ["autobk_snapshot_mine", "snap-001"] {
            let (s, b, _) = call(
                &app,
                Method::PUT,
                &path,
                Some(json!({"snapshot": {"name": name}})),
            )
            .await;
            assert_eq!(
                (s, b["snapshot"]["name"].as_str()),
                (StatusCode::OK, Some(name))
            );
        }
    }
    // Nobody can make a snapshot automatic: system keys cannot be set or deleted.
    let item = format!(
        "/v2/{project}/snapshots/{}/metadata/{}",
        var("snapshot_id"),
        conform::mock::evs::AUTOMATIC_MARK
    );
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &item,
        Some(json!({"meta": {conform::mock::evs::AUTOMATIC_MARK: "true"}})),
    )
    .await;
    forbidden(s, &b);
    let (s, _, _) = call(&app, Method::GET, &item, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not stored");
}

#[tokio::test]
async fn v2_show_carries_the_documented_reserved_attributes_and_v2_update_follows_seed_002() {
    let app = mock();
    let (_, b, _) = call(&app, Method::GET, &snap("v2"), None).await;
    assert_eq!(
        b["snapshot"]["os-extended-snapshot-attributes:project_id"],
        var("project_id")
    );
    assert_eq!(
        b["snapshot"]["os-extended-snapshot-attributes:progress"],
        "100%"
    );
    let (_, b, _) = call(
        &app,
        Method::PUT,
        &snap("v2"),
        Some(json!({"snapshot": {"name": "snap-001"}})),
    )
    .await;
    let fields = b["snapshot"].as_object().unwrap();
    assert!(
        !fields.contains_key("os-extended-snapshot-attributes:progress"),
        "seed 002 documents no reserved attributes for the v2 update"
    );
}

#[tokio::test]
async fn evs_metadata_keys_follow_cinder() {
    let app = mock();
    let base = format!("{}/metadata", snap("v2"));
    for (key, expected) in [
        ("with space", StatusCode::OK),
        ("a:b.c-d_e", StatusCode::OK),
        ("ключ", StatusCode::BAD_REQUEST),
        ("a/b", StatusCode::NOT_FOUND),
    ] {
        let encoded = key
            .replace(' ', "%20")
            .replace("ключ", "%D0%BA%D0%BB%D1%8E%D1%87");
        let (s, _, _) = call(
            &app,
            Method::PUT,
            &format!("{base}/{encoded}"),
            Some(json!({"meta": {key: "v"}})),
        )
        .await;
        assert_eq!(s, expected, "{key}");
    }
}

#[tokio::test]
async fn v3_responses_carry_the_reserved_attributes() {
    let (_, b, _) = call(&mock(), Method::GET, &snap("v3"), None).await;
    assert_eq!(
        b["snapshot"]["os-extended-snapshot-attributes:project_id"],
        json!(var("project_id"))
    );
    assert!(b["snapshot"]["os-extended-snapshot-attributes:progress"].is_string());
    let (_, b, _) = call(
        &mock(),
        Method::PUT,
        &snap("v3"),
        Some(json!({"snapshot": {"name": "snap-001"}})),
    )
    .await;
    assert_eq!(
        b["snapshot"]["os-extended-snapshot-attributes:project_id"],
        json!(var("project_id")),
        "seeds 003/004 document them for the v3 update"
    );
}

#[tokio::test]
async fn snapshot_metadata_item_rules_and_persistence() {
    let app = mock();
    let item = |k: &str| format!("{}/metadata/{k}", snap("v2"));
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &item("k1"),
        Some(json!({"meta": {"k1": "v1"}})),
    )
    .await;
    assert_eq!((s, b), (StatusCode::OK, json!({"meta": {"k1": "v1"}})));
    let (_, b, _) = call(&app, Method::GET, &snap("v2"), None).await;
    assert_eq!(b["snapshot"]["metadata"]["k1"], "v1");
    let (_, b, _) = call(&app, Method::GET, &item("k1"), None).await;
    assert_eq!(b, json!({"meta": {"k1": "v1"}}));
    let (s, _, _) = call(&app, Method::DELETE, &item("k1"), None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = call(&app, Method::DELETE, &item("k1"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "deleted once, gone");
    let (_, b, _) = call(&app, Method::GET, &snap("v2"), None).await;
    assert_eq!(b["snapshot"]["metadata"], json!({}));
    call(
        &app,
        Method::PUT,
        &item("k1"),
        Some(json!({"meta": {"k1": "v1"}})),
    )
    .await;
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &item("k1"),
        Some(json!({"meta": {"k2": "v"}})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["badRequest"]["message"], "Request body and URI mismatch");
    for bad in [
        json!({}),
        json!({"meta": {}}),
        json!({"meta": {"k1": "a", "k2": "b"}}),
        json!({"meta": {"k1": 1}}),
        json!({"meta": {"k1": "x".repeat(256)}}),
    ] {
        let (s, _, _) = call(&app, Method::PUT, &item("k1"), Some(bad.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn server_metadata_rules() {
    let app = mock();
    let item = |server: &str, k: &str| {
        format!(
            "/v2.1/{}/servers/{}/metadata/{k}",
            var("project_id"),
            var(server)
        )
    };
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &item("server_id", "a:b.c-d_e"),
        Some(json!({"meta": {"a:b.c-d_e": "字".repeat(255)}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _, _) = call(
        &app,
        Method::PUT,
        &item("server_id", "k"),
        Some(json!({"meta": {"k": "a".repeat(256)}})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &item("server_id", "bad%20key"),
        Some(json!({"meta": {"bad key": "v"}})),
    )
    .await;
    assert_eq!(
        (s, b["badRequest"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("Ecs.0005"))
    );
    for allowed in [
        "stopped_server_id",
        "paused_server_id",
        "suspended_server_id",
    ] {
        let (s, _, _) = call(
            &app,
            Method::PUT,
            &item(allowed, "k"),
            Some(json!({"meta": {"k": "v"}})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{allowed}");
    }
    for refused in ["building_server_id", "error_server_id"] {
        let (s, b, _) = call(
            &app,
            Method::PUT,
            &item(refused, "k"),
            Some(json!({"meta": {"k": "v"}})),
        )
        .await;
        assert_eq!(
            (s, b["conflictingRequest"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("Ecs.0100")),
            "{refused}"
        );
    }
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &item("missing_id", "k"),
        Some(json!({"meta": {"k": "v"}})),
    )
    .await;
    assert_eq!(
        (s, b["itemNotFound"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("Ecs.0114"))
    );
    let list = format!(
        "/v2.1/{}/servers/{}/metadata",
        var("project_id"),
        var("server_id")
    );
    let (_, b, _) = call(&app, Method::GET, &list, None).await;
    assert!(b["metadata"]["a:b.c-d_e"].is_string());
}

#[tokio::test]
async fn projects_are_isolated() {
    let app = mock();
    let leak = format!(
        "/v2/{}/snapshots/{}",
        var("project_id"),
        var("other_project_snapshot_id")
    );
    let (s, _, _) = call(
        &app,
        Method::PUT,
        &leak,
        Some(json!({"snapshot": {"name": "x"}})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = call(&app, Method::GET, &leak, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let leaky = build_app(MockConfig {
        faults: Faults::new([Fault::CrossProjectLeak]),
        ..MockConfig::default()
    });
    let (s, _, _) = call(&leaky, Method::GET, &leak, None).await;
    assert_eq!(s, StatusCode::OK, "the fault is what makes it leak");
}

/// `GET /__mock/faults` says how often each fault changed an answer: a read of the path's own
/// snapshot is no leak and a metadata item within the limits no unchecked length, while
/// another project's snapshot and an over-long key are; a reset starts the counts again.
#[tokio::test]
async fn the_admin_api_counts_what_each_fault_changed() {
    let app = build_app(MockConfig {
        faults: Faults::new([Fault::CrossProjectLeak, Fault::NoLengthCheck]),
        ..MockConfig::default()
    });
    let counts = |b: Value| {
        (
            b["cross-project-leak"].as_u64(),
            b["no-length-check"].as_u64(),
        )
    };
    let (s, b, _) = call(&app, Method::GET, "/__mock/faults", None).await;
    assert_eq!((s, counts(b)), (StatusCode::OK, (Some(0), Some(0))));
    let (s, _, _) = call(&app, Method::GET, &snap("v2"), None).await;
    assert_eq!(s, StatusCode::OK);
    let item = format!("{}/metadata/k", snap("v2"));
    let (s, _, _) = call(&app, Method::PUT, &item, Some(json!({"meta": {"k": "v"}}))).await;
    assert_eq!(s, StatusCode::OK);
    let (_, b, _) = call(&app, Method::GET, "/__mock/faults", None).await;
    assert_eq!(counts(b), (Some(0), Some(0)), "nothing the faults changed");
    let other = format!(
        "/v2/{}/snapshots/{}",
        var("project_id"),
        var("other_project_snapshot_id")
    );
    let (s, _, _) = call(&app, Method::GET, &other, None).await;
    assert_eq!(s, StatusCode::OK);
    let long = "k".repeat(300);
    let item = format!("{}/metadata/{long}", snap("v2"));
    let body = json!({"meta": {long.clone(): "v"}});
    let (s, _, _) = call(&app, Method::PUT, &item, Some(body)).await;
    assert_eq!(s, StatusCode::OK);
    let (_, b, _) = call(&app, Method::GET, "/__mock/faults", None).await;
    assert_eq!(counts(b), (Some(1), Some(1)));
    let (s, _, _) = call(&app, Method::POST, "/__mock/reset", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, b, _) = call(&app, Method::GET, "/__mock/faults", None).await;
    assert_eq!(counts(b), (Some(0), Some(0)));
}

#[tokio::test]
async fn robustness_errors_keep_the_envelope() {
    let app = mock();
    let (s, b, h) = call(&app, Method::GET, "/nope", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(b["itemNotFound"]["message"].is_string());
    assert!(h.get("x-request-id").is_some());
    let (s, b, _) = call(&app, Method::POST, &snap("v2"), None).await;
    // No code is documented for 405: Nova's fault name, the status as the code.
    assert_eq!(
        (s, b["badMethod"]["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("405"))
    );
    let (s, _, h) = call(
        &app,
        Method::POST,
        &format!("{}/metadata/k", snap("v2")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let allow = h
        .get("allow")
        .expect("405 carries Allow (RFC 9110)")
        .to_str()
        .unwrap();
    assert!(allow.contains("GET") && allow.contains("PUT"), "{allow}");
    let (s, b, _) = call_raw(
        &app,
        Method::PUT,
        &snap("v2"),
        Some(b"{\"snapshot\":".to_vec()),
        &[],
    )
    .await;
    assert_eq!(
        (s, b["badRequest"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("EVS.5400"))
    );
    let big = format!(
        "{{\"snapshot\": {{\"name\": \"{}\"}}}}",
        "a".repeat(1024 * 1024 + 1)
    );
    let (s, b, h) = call_raw(&app, Method::PUT, &snap("v2"), Some(big.into_bytes()), &[]).await;
    assert_eq!(
        h.get("connection").and_then(|v| v.to_str().ok()),
        Some("close"),
        "a refused body ends the connection"
    );
    // 413 overLimit (EVS status page), not EVS.1005 (a volume's metadata size, a 400).
    assert_eq!(
        (s, b["overLimit"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("413"))
    );
}

#[tokio::test]
async fn token_auth_rejects_missing_and_wrong_tokens_with_the_gateway_body() {
    let app = build_app(MockConfig {
        auth: MockAuth::Token("t0k3n".into()),
        ..MockConfig::default()
    });
    let (s, b, h) = call(&app, Method::GET, &snap("v2"), None).await;
    assert_eq!(
        (s, b["error_code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("APIGW.0301"))
    );
    assert_eq!(
        b["request_id"].as_str(),
        h["x-request-id"].to_str().ok(),
        "the body's request_id is the header's"
    );
    let (s, _, _) = call_raw(
        &app,
        Method::GET,
        &snap("v2"),
        None,
        &[("x-auth-token", "wrong")],
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = call_raw(
        &app,
        Method::GET,
        &snap("v2"),
        None,
        &[("x-auth-token", "t0k3n")],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // A token is issued to a client that holds none; reading one at the same path needs one.
    let (s, _, _) = call(
        &app,
        Method::POST,
        "/v3/auth/tokens",
        Some(json!({"auth": {}})),
    )
    .await;
    assert_ne!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = call(&app, Method::GET, "/v3/auth/tokens", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admin_api_dumps_resets_and_loads_fixtures() {
    let app = mock();
    call(
        &app,
        Method::PUT,
        &snap("v2"),
        Some(json!({"snapshot": {"name": "changed"}})),
    )
    .await;
    let (_, state, _) = call(&app, Method::GET, "/__mock/state", None).await;
    let names: Vec<&str> = state["projects"][0]["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&"changed"));
    let (s, _, _) = call(&app, Method::POST, "/__mock/reset", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, b, _) = call(&app, Method::GET, &snap("v2"), None).await;
    assert_eq!(b["snapshot"]["name"], "snap-001");
    let fixtures =
        "projects:\n  - id: p1\n    snapshots:\n      - {id: s1, name: only, status: available}\n";
    let (s, _, _) = call_raw(
        &app,
        Method::POST,
        "/__mock/fixtures",
        Some(fixtures.as_bytes().to_vec()),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b, _) = call(&app, Method::GET, "/v2/p1/snapshots/s1", None).await;
    assert_eq!(
        (s, b["snapshot"]["name"].as_str()),
        (StatusCode::OK, Some("only"))
    );
    let (s, b, _) = call_raw(
        &app,
        Method::POST,
        "/__mock/fixtures",
        Some(b"projects:\n  - idd: x\n".to_vec()),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        b["badRequest"]["message"]
            .as_str()
            .unwrap()
            .contains("request body:2:"),
        "{b}"
    );
    let closed = build_app(MockConfig {
        admin: false,
        ..MockConfig::default()
    });
    let (s, _, _) = call(&closed, Method::GET, "/__mock/state", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn concurrent_updates_are_safe() {
    let app = mock();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let item = format!("{}/metadata/k{i}", snap("v2"));
            call(
                &app,
                Method::PUT,
                &item,
                Some(json!({"meta": {format!("k{i}"): "v"}})),
            )
            .await
            .0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let (_, b, _) = call(&app, Method::GET, &format!("{}/metadata", snap("v2")), None).await;
    assert_eq!(
        b["metadata"].as_object().unwrap().len(),
        64,
        "no write is lost"
    );
}

/// The show bodies are cached until the next change: every kind of write must be seen by the
/// next show, in both API versions, and a show before it must have filled the cache.
#[tokio::test]
async fn every_write_is_seen_by_the_next_show_in_both_versions() {
    let app = mock();
    let shows = || async {
        let mut seen = Vec::new();
        for v in ["v2", "v3"] {
            let (s, b, _) = call(&app, Method::GET, &snap(v), None).await;
            assert_eq!(s, StatusCode::OK, "{v}: {b}");
            seen.push(b["snapshot"].clone());
        }
        seen
    };
    let meta = format!("{}/metadata", snap("v2"));
    let item = format!("{meta}/k");
    let writes: Vec<(Method, String, Option<Value>, &str, &str)> = vec![
        (
            Method::PUT,
            snap("v2"),
            Some(json!({"snapshot": {"name": "n2"}})),
            "/name",
            "n2",
        ),
        (
            Method::PUT,
            snap("v3"),
            Some(json!({"snapshot": {"description": "d3"}})),
            "/description",
            "d3",
        ),
        (
            Method::PUT,
            item.clone(),
            Some(json!({"meta": {"k": "v1"}})),
            "/metadata/k",
            "v1",
        ),
        (
            Method::POST,
            meta.clone(),
            Some(json!({"metadata": {"m": "v2"}})),
            "/metadata/m",
            "v2",
        ),
        (
            Method::PUT,
            meta.clone(),
            Some(json!({"metadata": {"r": "v3"}})),
            "/metadata/r",
            "v3",
        ),
    ];
    for (method, path, body, pointer, want) in writes {
        let before = shows().await;
        assert!(before
            .iter()
            .all(|b| b.pointer(pointer) != Some(&json!(want))));
        let (s, b, _) = call(&app, method.clone(), &path, body).await;
        assert_eq!(s, StatusCode::OK, "{method} {path}: {b}");
        for (v, after) in ["v2", "v3"].iter().zip(shows().await) {
            assert_eq!(
                after.pointer(pointer),
                Some(&json!(want)),
                "{v} after {method} {path}"
            );
        }
    }
    // The replace above left only `r`: deleting it empties the metadata both versions show.
    shows().await;
    let (s, _, _) = call(&app, Method::DELETE, &format!("{meta}/r"), None).await;
    assert_eq!(s, StatusCode::OK);
    for after in shows().await {
        assert_eq!(after["metadata"], json!({}));
    }
    // The admin API replaces the whole state: the fixtures' snapshot comes back.
    let (s, _, _) = call(&app, Method::POST, "/__mock/reset", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    for after in shows().await {
        assert_eq!(after["name"], "snap-001");
    }
}

/// Readers filling the cache while a writer changes the snapshot never make a stale body
/// outlive the write that changed it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_show_after_a_write_never_sees_the_state_before_it_under_concurrent_reads() {
    let app = mock();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for i in 0..6 {
        let (app, stop) = (app.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let version = if i % 2 == 0 { "v2" } else { "v3" };
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (s, _, _) = call(&app, Method::GET, &snap(version), None).await;
                assert_eq!(s, StatusCode::OK);
                // The mock answers without waiting: give the runtime back, so that a failed
                // writer can end the test.
                tokio::task::yield_now().await;
            }
        }));
    }
    let item = format!("{}/metadata/k", snap("v2"));
    for n in 0..300 {
        let value = format!("v{n}");
        let (s, _, _) = call(
            &app,
            Method::PUT,
            &item,
            Some(json!({"meta": {"k": value}})),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        for v in ["v2", "v3"] {
            let (_, b, _) = call(&app, Method::GET, &snap(v), None).await;
            assert_eq!(
                b["snapshot"]["metadata"]["k"],
                json!(value),
                "{v} after write {n}"
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        r.await.expect("reader");
    }
}

fn arb_path() -> impl Strategy<Value = String> {
    let seg = prop_oneof![
        Just("v2".to_string()),
        Just("v3".to_string()),
        Just("v2.1".to_string()),
        Just("snapshots".to_string()),
        Just("servers".to_string()),
        Just("metadata".to_string()),
        Just("__mock".to_string()),
        Just(var("project_id")),
        Just(var("snapshot_id")),
        Just(var("server_id")),
        Just(var("autobk_snapshot_id")),
        Just("%ff%fe".to_string()),
        Just("%2F".to_string()),
        "[a-zA-Z0-9%._~:-]{0,12}",
    ];
    prop::collection::vec(seg, 0..7).prop_map(|s| format!("/{}", s.join("/")))
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        ".{0,300}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("snapshot".to_string()),
                    Just("meta".to_string()),
                    Just("name".to_string()),
                    Just("description".to_string()),
                    Just("display_name".to_string()),
                    ".{0,8}".prop_map(|s| s)
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_body() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        Just(None),
        arb_json().prop_map(|v| Some(v.to_string().into_bytes())),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// 10,000 generated requests: methods, paths, bodies and headers. None gets a 5xx.
    #[test]
    fn no_input_causes_a_5xx_or_a_panic(
        method in prop_oneof![Just(Method::GET), Just(Method::PUT), Just(Method::POST), Just(Method::DELETE), Just(Method::PATCH)],
        path in arb_path(),
        body in arb_body(),
        token in prop::option::of("[ -~]{0,20}"),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let status = rt.block_on(async {
            let app = mock();
            let mut req = Request::builder().method(method).uri(&path).header("content-type", "application/json");
            if let Some(t) = &token {
                req = req.header("x-auth-token", t.as_str());
            }
            let req = req.body(body.map(Body::from).unwrap_or_else(Body::empty)).unwrap();
            let resp = app.oneshot(req).await.unwrap();
            let status = resp.status();
            let _ = resp.into_body().collect().await.unwrap();
            status
        });
        prop_assert!(status.as_u16() < 500, "{} {} gave {}", "request", path, status);
    }
}

// ---------------------------------------------------------------------------------------------
// On the wire: a real listener on 127.0.0.1:0, raw HTTP/1.1 over TCP, so connection handling
// (early answers, draining, timeouts) is what is tested, not the router alone.

use conform::mock::limits::{Limits, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What a raw client saw.
#[derive(Debug)]
enum Wire {
    /// A complete answer: status and body.
    Answer(u16, Vec<u8>),
    /// The connection ended (EOF or error) before a complete answer.
    Dropped(String),
}

/// Reads one HTTP/1.1 response: the head, then `Content-Length` bytes (none for HEAD).
async fn read_answer(stream: &mut TcpStream, head_request: bool) -> Wire {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) => return Wire::Dropped(format!("EOF after {} bytes", buf.len())),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Wire::Dropped(e.to_string()),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let want = if head_request { 0 } else { length };
    let mut body = buf[head_end..].to_vec();
    while body.len() < want {
        match stream.read(&mut chunk).await {
            Ok(0) => return Wire::Dropped(format!("EOF in the body of a {status}")),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) => return Wire::Dropped(format!("{e} in the body of a {status}")),
        }
    }
    Wire::Answer(status, body)
}

/// Sends one request the way python's http.client does (everything, then read) and reads the
/// answer. A failed write counts as dropped, as it does for that client (a broken pipe or a
/// reset while sending means the server closed before taking the request).
async fn exchange(addr: std::net::SocketAddr, request: &[u8], head_request: bool) -> Wire {
    let mut stream = match TcpStream::connect(addr).await {
        Ok(s) => s,
        Err(e) => return Wire::Dropped(format!("connect: {e}")),
    };
    // Like a client on a real network, large requests go out in pieces over time, so the
    // server's early answer (and close) can overtake them; loopback buffers would hide it.
    for (i, piece) in request.chunks(64 * 1024).enumerate() {
        if let Err(e) = stream.write_all(piece).await {
            return Wire::Dropped(format!("while sending: {e}"));
        }
        if i >= 4 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    read_answer(&mut stream, head_request).await
}

fn http_request(
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
    declared: Option<u64>,
) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if !body.is_empty() || declared.is_some() {
        let n = declared.unwrap_or(body.len() as u64);
        out.extend_from_slice(format!("Content-Length: {n}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A small deterministic generator (no seed file, same requests every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() as usize) % items.len()]
    }
}

/// How many hostile requests the test sends, and how many at once.
const HOSTILE_REQUESTS: usize = 3_000;
const HOSTILE_CONCURRENCY: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_hostile_requests_all_get_an_answer_below_500() {
    let mock = conform::mock::spawn(MockConfig::default()).await.unwrap();
    let addr = mock.addr;
    let (project, snapshot, server) = (var("project_id"), var("snapshot_id"), var("server_id"));
    let paths: Vec<String> = vec![
        format!("/v2/{project}/snapshots/{snapshot}"),
        format!("/v3/{project}/snapshots/{snapshot}"),
        format!("/v2/{project}/snapshots/{snapshot}/metadata/k"),
        format!("/v2.1/{project}/servers/{server}/metadata/k"),
        format!("/v2.1/{project}/servers/{server}"),
        "/".into(),
        "/nope".into(),
        "/v2/../../etc/passwd".into(),
        "/%ff%fe/%2F".into(),
        format!("/v2/{project}/snapshots/{}", "a".repeat(4000)),
        "/__mock/state".into(),
        "/v3/auth/tokens".into(),
    ];
    let methods = [
        "GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "BREW",
    ];
    let types = [
        None,
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("text/plain"),
        Some("application/xml"),
        Some("multipart/form-data; boundary=x"),
        Some("application/x-www-form-urlencoded"),
        Some("x/y"),
    ];
    let started = Instant::now();
    let mut rng = Lcg(15);
    let mut jobs = Vec::with_capacity(HOSTILE_REQUESTS);
    for i in 0..HOSTILE_REQUESTS {
        let method = *rng.pick(&methods);
        let path = rng.pick(&paths).clone();
        let body: Vec<u8> = match rng.next() % 20 {
            // One in ten: a body between 1 and 2 MB (over the 1 MiB limit, or just under it).
            0 | 1 => vec![b'x'; 1_000_000 + (rng.next() as usize % 1_000_000)],
            2..=7 => br#"{"snapshot": {"name": "n"}, "meta": {"k": "v"}}"#.to_vec(),
            8..=10 => (0..(rng.next() % 512)).map(|_| rng.next() as u8).collect(),
            _ => Vec::new(),
        };
        // One in fifty declares a gigabyte and sends a few bytes.
        let declared = rng.next().is_multiple_of(50).then_some(1u64 << 30);
        let mut headers = Vec::new();
        if let Some(t) = rng.pick(&types) {
            headers.push(("Content-Type", t.to_string()));
        }
        if i % 2 == 0 {
            headers.push(("Connection", "close".to_string()));
        }
        jobs.push((
            format!("{method} {path} ({} bytes)", body.len()),
            http_request(method, &path, &headers, &body, declared),
            method == "HEAD",
        ));
    }
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(HOSTILE_CONCURRENCY));
    let mut tasks = Vec::with_capacity(jobs.len());
    for (label, request, head) in jobs {
        let sem = sem.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            (label, exchange(addr, &request, head).await)
        }));
    }
    let mut dropped = Vec::new();
    let mut server_errors = Vec::new();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for t in tasks {
        let (label, wire) = t.await.unwrap();
        match wire {
            Wire::Answer(status, _) => {
                *statuses.entry(status).or_default() += 1;
                if !(100..500).contains(&status) {
                    server_errors.push(format!("{label}: {status}"));
                }
            }
            Wire::Dropped(why) => dropped.push(format!("{label}: {why}")),
        }
    }
    eprintln!(
        "{HOSTILE_REQUESTS} hostile requests in {:?}: {statuses:?}",
        started.elapsed()
    );
    assert!(
        dropped.is_empty(),
        "{} dropped: {dropped:#?}",
        dropped.len()
    );
    assert!(server_errors.is_empty(), "{server_errors:#?}");
    assert_eq!(statuses.values().sum::<usize>(), HOSTILE_REQUESTS);
    for expected in [200, 404, 405, 413, 415] {
        assert!(
            statuses.contains_key(&expected),
            "no {expected} in {statuses:?}"
        );
    }
    mock.stop().await;
}

#[tokio::test]
async fn early_answers_are_read_by_the_client_and_a_huge_declared_length_is_413_at_once() {
    let mock = conform::mock::spawn(MockConfig::default()).await.unwrap();
    let (project, snapshot) = (var("project_id"), var("snapshot_id"));
    let json = [("Content-Type", "application/json".to_string())];
    let big = vec![b'x'; 2_000_000];
    let medium = vec![b'x'; 500_000];
    let snapshot_path = format!("/v2/{project}/snapshots/{snapshot}");
    // A route that would answer without reading (405, 404, GET), with 2 MB and 500 KB bodies.
    for (method, path, small_status) in [
        ("POST", snapshot_path.as_str(), 405),
        ("PUT", "/nope", 404),
        ("GET", snapshot_path.as_str(), 200),
    ] {
        for (body, expected) in [(&big, 413), (&medium, small_status)] {
            let wire = exchange(
                mock.addr,
                &http_request(method, path, &json, body, None),
                false,
            )
            .await;
            match wire {
                Wire::Answer(s, _) => assert_eq!(s, expected, "{method} {path} {}", body.len()),
                Wire::Dropped(why) => panic!("{method} {path} {}: {why}", body.len()),
            }
        }
    }
    // 1 GB declared, 10 bytes sent: 413 without waiting for the rest.
    let started = Instant::now();
    let mut stream = TcpStream::connect(mock.addr).await.unwrap();
    stream
        .write_all(&http_request(
            "PUT",
            &snapshot_path,
            &json,
            b"{\"snapshot",
            Some(1 << 30),
        ))
        .await
        .unwrap();
    // Waiting for the body would last the body timeout (10 s): answered well before it.
    let wire = tokio::time::timeout(Duration::from_secs(8), read_answer(&mut stream, false))
        .await
        .expect("answered without waiting for the body");
    let Wire::Answer(status, body) = wire else {
        panic!("{wire:?}")
    };
    assert_eq!(status, 413);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["overLimit"]["code"], "413");
    assert!(started.elapsed() < Limits::default().body_timeout);
    mock.stop().await;
}

/// Opens half-requests (headers never finished; headers done but the body short of its declared
/// length) and checks that each is closed (or answered 408) after about the timeout, while a
/// well-behaved client is answered at once throughout.
async fn slow_clients_are_cut_off(limits: Limits, connections: usize) {
    let mock = conform::mock::spawn(MockConfig {
        limits,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let addr = mock.addr;
    let started = Instant::now();
    let path = snap("v2");
    let mut slow = Vec::new();
    for i in 0..connections {
        let path = path.clone();
        slow.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let partial = if i % 2 == 0 {
                // Headers never finished.
                format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            } else {
                // Headers complete, 10 of 100 body bytes.
                format!("PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"snapshot")
            };
            stream.write_all(partial.as_bytes()).await.unwrap();
            let wire = read_answer(&mut stream, false).await;
            (i % 2 == 0, wire, started.elapsed())
        }));
    }
    // Meanwhile, a normal client is served promptly.
    let deadline = limits.header_timeout.max(limits.body_timeout);
    while started.elapsed() < deadline {
        let t = Instant::now();
        let wire = exchange(addr, &http_request("GET", &path, &[], b"", None), false).await;
        assert!(matches!(wire, Wire::Answer(200, _)), "{wire:?}");
        // Served while the slow connections are still open: a mock that queued it behind them
        // would answer only once they time out. The bound is that, not a speed: a loaded
        // 2-core machine may take a while, never until the slow ones are cut off.
        assert!(t.elapsed() < deadline, "{:?}", t.elapsed());
        tokio::time::sleep(deadline / 10).await;
    }
    for t in slow {
        let (headers_unfinished, wire, after) = tokio::time::timeout(deadline * 3, t)
            .await
            .expect("the slow connection was closed")
            .unwrap();
        let (timeout, ok) = if headers_unfinished {
            // Nothing to answer: closed.
            (limits.header_timeout, matches!(wire, Wire::Dropped(_)))
        } else {
            (limits.body_timeout, matches!(wire, Wire::Answer(408, _)))
        };
        assert!(ok, "{wire:?}");
        // Never before the timeout; the upper bound only tells "cut off" from "held open until
        // the test's own timeout", so it is generous for a loaded 2-core machine.
        assert!(
            after >= timeout && after < timeout * 2 + Duration::from_secs(3),
            "closed after {after:?}, timeout {timeout:?}"
        );
    }
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_after_the_default_timeouts() {
    assert_eq!(
        Limits::default(),
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10)
        }
    );
    assert_eq!(
        (DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_TIMEOUT),
        (Duration::from_secs(10), Duration::from_secs(10))
    );
    slow_clients_are_cut_off(Limits::default(), 100).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_client_timeouts_are_configurable() {
    slow_clients_are_cut_off(
        Limits {
            header_timeout: Duration::from_millis(400),
            body_timeout: Duration::from_millis(700),
        },
        20,
    )
    .await;
}

#[tokio::test]
async fn content_types_other_than_json_are_415_as_in_nova() {
    let app = mock();
    let body = br#"{"snapshot": {"name": "n"}}"#.to_vec();
    for (label, expected) in [
        ("application/json", 200),
        ("application/json; charset=utf-8", 200),
        ("application/vnd.openstack.volume+json", 200),
        ("text/plain", 200),
        ("Application/JSON", 200),
        (" TEXT/Plain ; charset=utf-8", 200),
        ("application/jsonx", 415),
        ("application/xml", 415),
        ("application/x-www-form-urlencoded", 415),
        ("multipart/form-data; boundary=x", 415),
    ] {
        let (s, b, _) = call_raw(
            &app,
            Method::PUT,
            &snap("v2"),
            Some(body.clone()),
            &[("content-type", label)],
        )
        .await;
        assert_eq!(s.as_u16(), expected, "{label}");
        if expected == 415 {
            assert_eq!(b["badMediaType"]["code"], "415", "{label}");
        }
    }
    let (s, _, _) = call_raw(&app, Method::PUT, &snap("v2"), Some(body), &[]).await;
    assert_eq!(s, StatusCode::OK, "no Content-Type: parsed as JSON");
    // The type is checked for the methods a path serves, after the method: a method no
    // handler takes is 405 whatever its type, as axum's route layer answered.
    let xml = [("content-type", "application/xml")];
    let (s, b, _) = call_raw(&app, Method::GET, &snap("v3"), None, &xml).await;
    assert_eq!(
        (s.as_u16(), &b["badMediaType"]["code"]),
        (415, &json!("415"))
    );
    let (s, b, _) = call_raw(&app, Method::PATCH, &snap("v3"), None, &xml).await;
    assert_eq!((s.as_u16(), &b["badMethod"]["code"]), (405, &json!("405")));
}

/// The operation of an OpenAPI document with this `operationId`, wherever it sits.
fn exported<'a>(doc: &'a Value, id: &str) -> Option<&'a Value> {
    doc["paths"]
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|o| o["operationId"] == id)
}

#[test]
fn every_deviation_is_complete_documented_and_exported() {
    use conform::contract::openapi::{self, Scope};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("src/mock/deviations.json")).unwrap(),
    )
    .expect("deviations.json parses");
    // The mock's chapter explains every deviation, in its table of named deviations.
    let chapter = common::doc("docs/mock.md");
    let table = &chapter[chapter
        .find("| deviation | the mock does |")
        .expect("the deviations table of docs/mock.md")..];
    let table = &table[..table.find("\n\n").unwrap_or(table.len())];
    let contract = conform::contract::Contract::load(&root.join("schemas")).unwrap();
    let doc = openapi::document(&contract, Scope::Mock).unwrap();
    let list = file["deviations"].as_array().unwrap();
    assert!(list.len() >= 8);
    for d in list {
        let id = d["id"].as_str().unwrap();
        for field in ["rule", "docs", "follows", "source"] {
            assert!(
                d[field].as_str().is_some_and(|s| !s.is_empty()),
                "{id}: {field}"
            );
        }
        assert!(
            table.contains(&format!("| `{id}` |")),
            "{id} is not in the deviations table of docs/mock.md"
        );
        for op in d["operations"].as_array().unwrap() {
            let op = op.as_str().unwrap();
            let targets: Vec<&str> = if op == "*" {
                contract.operations.iter().map(|o| o.id.as_str()).collect()
            } else {
                vec![op]
            };
            for o in targets {
                let operation = exported(&doc, o)
                    .unwrap_or_else(|| panic!("{id}: no operation {o} in the contract or added"));
                assert!(
                    operation[conform::contract::deviations::MARK]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x["id"] == id)),
                    "{id} not exported on {o}"
                );
            }
        }
        // An added operation is one no page documents: once the contract derives it, the
        // deviation is stale.
        for added in d["adds"].as_array().into_iter().flatten() {
            let op = added["id"].as_str().unwrap();
            assert!(
                contract.operation(op).is_none(),
                "{id}: the pages derive {op} now"
            );
            let operation = exported(&doc, op).unwrap_or_else(|| panic!("{id}: {op} not exported"));
            assert_eq!(operation["x-conform-origin"]["deviation"], id);
        }
    }
    // Every constraint a deviation states is stated on the shipped contract: none conflicts
    // with what the pages say, and none points at an object the request schema lacks.
    assert_eq!(openapi::unstated(&contract).unwrap(), vec![]);
    // Only the pages' contract without them.
    let pages = openapi::document(&contract, Scope::Pages).unwrap();
    assert!(exported(&pages, "ecs.delete_server_metadata_item.v2_1").is_none());
    assert!(!pages["components"]
        .to_string()
        .contains("\"x-conform-deviation\""));
    assert!(doc["components"]
        .to_string()
        .contains("\"x-conform-deviation\""));
}

/// The request constraints the export states for the mock are what the mock refuses: a body that
/// breaks one is 400, the smallest body that keeps it is accepted. Each pair is checked against
/// the exported schema too, so the test breaks if either side moves.
#[tokio::test]
async fn the_exported_deviation_constraints_are_what_the_mock_refuses() {
    use conform::contract::openapi::{self, Scope};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = conform::contract::Contract::load(&root.join("schemas")).unwrap();
    let doc = openapi::document(&contract, Scope::Mock).unwrap();
    let request_schema = |id: &str| {
        let reference = exported(&doc, id).unwrap()["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let mut schema = doc["components"]["schemas"][reference].clone();
        schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        jsonschema::validator_for(&schema).unwrap()
    };
    let (p, s, v) = (var("project_id"), var("snapshot_id"), var("server_id"));
    let item = |svc: &str, key: &str| match svc {
        "evs" => format!("/v2/{p}/snapshots/{s}/metadata/{key}"),
        _ => format!("/v2.1/{p}/servers/{v}/metadata/{key}"),
    };
    let cases: Vec<(&str, String, Value, bool)> = vec![
        (
            "evs.update_snapshot.v2",
            snap("v2"),
            json!({"snapshot": {}}),
            false,
        ),
        (
            "evs.update_snapshot.v2",
            snap("v2"),
            json!({"snapshot": {"display_name": "n"}}),
            true,
        ),
        (
            "evs.update_snapshot.v2",
            snap("v2"),
            json!({"snapshot": {"name": "n", "foo": 1}}),
            false,
        ),
        (
            "evs.update_snapshot.v2",
            snap("v2"),
            json!({"snapshot": {"name": "n"}, "foo": 1}),
            false,
        ),
        (
            "evs.update_snapshot.v3",
            snap("v3"),
            json!({"snapshot": {}}),
            false,
        ),
        (
            "evs.update_snapshot.v3",
            snap("v3"),
            json!({"snapshot": {"display_name": "n"}}),
            false,
        ),
        (
            "evs.update_snapshot.v3",
            snap("v3"),
            json!({"snapshot": {"description": "d", "display_name": "n"}}),
            true,
        ),
        (
            "evs.update_snapshot.v3",
            snap("v3"),
            json!({"snapshot": {"name": "n", "foo": 1}}),
            false,
        ),
        (
            "evs.update_snapshot_metadata_item.v2",
            item("evs", "k"),
            json!({"meta": {}}),
            false,
        ),
        (
            "evs.update_snapshot_metadata_item.v2",
            item("evs", "k"),
            json!({"meta": {"k": "v", "k2": "v"}}),
            false,
        ),
        (
            "evs.update_snapshot_metadata_item.v2",
            item("evs", "a%20b"),
            json!({"meta": {"a b": "v"}}),
            true,
        ),
        (
            "evs.update_snapshot_metadata_item.v2",
            item("evs", "a%2Fb"),
            json!({"meta": {"a/b": "v"}}),
            false,
        ),
        (
            "evs.update_snapshot_metadata_item.v2",
            item("evs", "k"),
            json!({"meta": {"k": "v".repeat(256)}}),
            false,
        ),
        (
            "evs.update_snapshot_metadata_item.v2",
            item("evs", "k"),
            json!({"meta": {"k": "v".repeat(255)}}),
            true,
        ),
        (
            "ecs.update_server_metadata_item.v2_1",
            item("ecs", "k"),
            json!({"meta": {}}),
            false,
        ),
        (
            "ecs.update_server_metadata_item.v2_1",
            item("ecs", "k"),
            json!({"meta": {"k": "v", "k2": "v"}}),
            false,
        ),
        (
            "ecs.update_server_metadata_item.v2_1",
            item("ecs", "k"),
            json!({"meta": {"k": "v"}}),
            true,
        ),
    ];
    let app = mock();
    for (op, path, body, valid) in cases {
        assert_eq!(
            request_schema(op).is_valid(&body),
            valid,
            "{op} {body}: the export"
        );
        let (status, answer, _) = call(&app, Method::PUT, &path, Some(body.clone())).await;
        let expected = if valid {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_eq!(status, expected, "{op} {body}: the mock answered {answer}");
    }
}

/// For every path of the export, the methods the mock's 405 lists in `Allow` are the methods the
/// export holds there (HEAD aside: the mock answers it as GET, as RFC 9110 allows, and the export
/// states GET). Schemathesis checks `Allow` this way; a method the mock serves that the export
/// lacks (DELETE of a server metadata item) was its finding.
#[tokio::test]
async fn allow_lists_exactly_the_exported_methods_of_every_path() {
    use std::collections::BTreeSet;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = conform::contract::Contract::load(&root.join("schemas")).unwrap();
    let doc = conform::contract::openapi::document(&contract, Default::default()).unwrap();
    let app = mock();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 4);
    for (template, item) in paths {
        let path: String = template
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let (status, _, headers) = call(&app, Method::OPTIONS, &path, None).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{template}");
        let allow: BTreeSet<String> = headers["allow"]
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_string())
            .filter(|m| m != "HEAD")
            .collect();
        let exported: BTreeSet<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        assert_eq!(allow, exported, "{template}");
    }
}

/// A child process killed when dropped, so that a failed assertion leaves no server behind.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Schemathesis, every check, on `conform openapi` against `conform mock`, finds nothing: the
/// export states what the mock enforces (its deviations' constraints, the operations it serves
/// beyond the pages) and the mock answers what the export promises. The path ids come from the
/// mock's fixtures as Schemathesis dictionaries, so most requests reach a resource instead of
/// the 404 of a random id; `examples/schemathesis_hooks.py` honours `x-conform-binding`.
/// Deterministic generation, 20 examples an operation: a few seconds. CI installs
/// Schemathesis 4 and sets CONFORM_REQUIRE_SCHEMATHESIS=1; elsewhere the test says it was
/// skipped.
#[test]
fn schemathesis_finds_nothing_in_the_mock_against_its_openapi_export() {
    use std::io::BufRead;
    if !common::external_tool(
        &["st", "--version"],
        "CONFORM_REQUIRE_SCHEMATHESIS",
        "pip install 'schemathesis>=4,<5'",
    ) {
        return;
    }
    let version = common::text(
        &std::process::Command::new("st")
            .arg("--version")
            .output()
            .unwrap()
            .stdout,
    );
    assert!(
        version.contains("version 4."),
        "Schemathesis 4 is needed (its `st run` flags): {version}"
    );
    let root = common::root();
    let dir = tempfile::tempdir().unwrap();
    let export = common::conform(
        dir.path(),
        &[
            "openapi",
            "--schemas",
            root.join("schemas").to_str().unwrap(),
        ],
    );
    assert_eq!(
        export.status.code(),
        Some(0),
        "{}",
        common::text(&export.stderr)
    );
    std::fs::write(dir.path().join("openapi.json"), &export.stdout).unwrap();
    // The fixtures' ids and metadata keys, a dictionary per path parameter.
    let fixtures = Fixtures::defaults();
    let mut values: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for p in &fixtures.projects {
        values.entry("project_id").or_default().insert(&p.id);
        for s in &p.snapshots {
            values.entry("snapshot_id").or_default().insert(&s.id);
            values
                .entry("key")
                .or_default()
                .extend(s.metadata.keys().map(String::as_str));
        }
        for v in &p.servers {
            values.entry("server_id").or_default().insert(&v.id);
            values
                .entry("key")
                .or_default()
                .extend(v.metadata.keys().map(String::as_str));
        }
    }
    assert_eq!(values.len(), 4, "ids and keys of every kind: {values:?}");
    let mut config = String::new();
    let mut parameters = String::from("[parameters]\n");
    for (param, list) in &values {
        let list: Vec<String> = list.iter().map(|v| format!("{v:?}")).collect();
        config.push_str(&format!(
            "[dictionaries.{param}]\nvalues = [{}]\n\n",
            list.join(", ")
        ));
        parameters.push_str(&format!(
            "\"path.{param}\" = {{ dictionary = \"{param}\", probability = 0.9 }}\n"
        ));
    }
    config.push_str(&parameters);
    std::fs::write(dir.path().join("schemathesis.toml"), config).unwrap();
    let mock = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "mock",
            "--listen",
            "127.0.0.1:0",
            "--auth",
            "none",
            "--schemas",
        ])
        .arg(root.join("schemas"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut mock = KillOnDrop(mock);
    // Kept open until the mock is stopped: a closed pipe would fail its next write.
    let mut stderr = std::io::BufReader::new(mock.0.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let report = dir.path().join("st.json");
    let log = dir.path().join("st.out");
    let st = std::process::Command::new("st")
        .args(["--config-file", "schemathesis.toml", "run", "openapi.json"])
        .args(["--checks", "all", "--max-examples", "20"])
        .args(["--generation-deterministic", "--workers", "1"])
        .args(["--request-timeout", "10", "--no-color", "--url", &url])
        .args(["--report", "json", "--report-json-path"])
        .arg(&report)
        .env(
            "SCHEMATHESIS_HOOKS",
            root.join("examples/schemathesis_hooks.py"),
        )
        .current_dir(dir.path())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    // A bound on the whole run (a few seconds here): a hung run fails instead of hanging CI.
    let mut st = KillOnDrop(st);
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = st.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "st run took over 300 s");
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(mock);
    drop(stderr);
    let stdout = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(status.code(), Some(0), "{stdout}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["failures"], json!([]), "{stdout}");
    assert_eq!(report["errors"], json!([]), "{stdout}");
    assert_eq!(report["test_cases"]["with_failures"], 0, "{stdout}");
    assert_eq!(
        report["operations"]["tested"], 12,
        "every operation, the added DELETEs too"
    );
    // The fixtures' ids reach the handlers: every operation that takes a body had bodies drawn
    // as valid accepted (2xx), so a constraint the export lacked would have shown.
    let rates = report["valid_rates"].as_object().unwrap();
    let with_body: Vec<&String> = rates
        .keys()
        .filter(|label| label.starts_with("PUT "))
        .collect();
    assert_eq!(with_body.len(), 4, "{rates:?}");
    for label in with_body {
        assert!(
            rates[label]["fuzzing"]["accepted"]
                .as_u64()
                .is_some_and(|n| n > 0),
            "{label}: no valid body accepted: {}",
            rates[label]
        );
    }
}

#[tokio::test]
async fn conform_mock_takes_the_timeouts_from_its_flags() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "mock",
            "--listen",
            "127.0.0.1:0",
            "--header-timeout",
            "300ms",
            "--body-timeout",
            "300ms",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let stderr = child.stderr.take().unwrap();
    std::io::BufReader::new(stderr)
        .read_line(&mut line)
        .unwrap();
    let addr: std::net::SocketAddr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let wire = tokio::time::timeout(Duration::from_secs(8), read_answer(&mut stream, false)).await;
    let closed_after = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    assert!(matches!(wire, Ok(Wire::Dropped(_))), "{wire:?}");
    // Not before the flag's 300 ms; the upper bound tells the flag from the default (10 s),
    // generous for a loaded machine.
    assert!(
        closed_after >= Duration::from_millis(300) && closed_after < Duration::from_secs(5),
        "{closed_after:?}"
    );
}

#[tokio::test]
async fn snapshot_lists_filter_and_page_as_the_list_pages_say() {
    let app = mock();
    let project = var("project_id");
    for version in ["v2", "v3"] {
        let (s, b, _) = call(
            &app,
            Method::GET,
            &format!("/{version}/{project}/snapshots/detail"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let list = b["snapshots"].as_array().unwrap();
        assert_eq!(
            list.len(),
            5,
            "the project's five snapshots, not the other project's"
        );
        assert!(list
            .iter()
            .all(|x| x["os-extended-snapshot-attributes:project_id"] == json!(project)));
        assert!(b.get("snapshots_links").is_none(), "no limit, no links");
        let (_, b, _) = call(
            &app,
            Method::GET,
            &format!("/{version}/{project}/snapshots"),
            None,
        )
        .await;
        let brief = b["snapshots"].as_array().unwrap();
        assert_eq!(brief.len(), 5);
        // The plain list pages answer a null link, and v3 the count.
        assert_eq!(b.get("snapshots_links"), Some(&Value::Null), "{version}");
        let count = (version == "v3").then(|| json!(5));
        assert_eq!(b.get("count"), count.as_ref(), "{version}");
        assert!(brief[0]
            .get("os-extended-snapshot-attributes:progress")
            .is_none());
    }
    let detail = format!("/v2/{project}/snapshots/detail");
    let (_, b, _) = call(
        &app,
        Method::GET,
        &format!("{detail}?status=creating"),
        None,
    )
    .await;
    assert_eq!(b["snapshots"][0]["id"], json!(var("creating_snapshot_id")));
    assert_eq!(b["snapshots"].as_array().unwrap().len(), 1);
    let (_, b, _) = call(&app, Method::GET, &format!("{detail}?limit=2"), None).await;
    assert_eq!(b["snapshots"].as_array().unwrap().len(), 2);
    let next = b["snapshots_links"][0]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let marker = next.split("marker=").nth(1).unwrap();
    let (_, b, _) = call(
        &app,
        Method::GET,
        &format!("{detail}?limit=2&marker={marker}"),
        None,
    )
    .await;
    assert_eq!(b["snapshots"].as_array().unwrap().len(), 2);
    assert_ne!(b["snapshots"][0]["id"], json!(marker));
    let (_, b, _) = call(
        &app,
        Method::GET,
        &format!("{detail}?offset=4&limit=2"),
        None,
    )
    .await;
    assert_eq!(b["snapshots"].as_array().unwrap().len(), 1);
    assert!(b.get("snapshots_links").is_none(), "nothing remains");
    for bad in ["limit=0", "limit=1001", "offset=-1", "limit=x"] {
        let (s, _, _) = call(&app, Method::GET, &format!("{detail}?{bad}"), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn metadata_collections_merge_replace_and_keep_their_rules() {
    let app = mock();
    let meta = format!(
        "/v3/{}/snapshots/{}/metadata",
        var("project_id"),
        var("snapshot_with_metadata_id")
    );
    let (s, b, _) = call(
        &app,
        Method::POST,
        &meta,
        Some(json!({"metadata": {"key1": "new", "k3": "v3"}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        b["metadata"],
        json!({"key1": "new", "k3": "v3", "owner": "team-a"}),
        "merged"
    );
    let (_, b, _) = call(
        &app,
        Method::PUT,
        &meta,
        Some(json!({"metadata": {"only": "one"}})),
    )
    .await;
    assert_eq!(b["metadata"], json!({"only": "one"}), "replaced");
    let (_, b, _) = call(&app, Method::GET, &meta, None).await;
    assert_eq!(b["metadata"], json!({"only": "one"}));
    for bad in [
        json!({}),
        json!({"metadata": []}),
        json!({"metadata": {"k": 1}}),
        json!({"metadata": {"k": "v".repeat(256)}}),
    ] {
        let (s, _, _) = call(&app, Method::POST, &meta, Some(bad.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (s, _, _) = call(
        &app,
        Method::POST,
        &meta,
        Some(json!({"metadata": {"__system__enableActive": "true"}})),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "nobody makes a snapshot automatic"
    );
    let autobk = format!(
        "/v2/{}/snapshots/{}/metadata",
        var("project_id"),
        var("autobk_snapshot_id")
    );
    for method in [Method::POST, Method::PUT] {
        let (s, _, _) = call(&app, method, &autobk, Some(json!({"metadata": {"k": "v"}}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // Servers: a read, and POST adds or updates with seed 001's rules and the vm_state check.
    let server = format!("/v2.1/{}/servers/{}", var("project_id"), var("server_id"));
    let (s, b, _) = call(&app, Method::GET, &server, None).await;
    assert_eq!(
        (s, b["server"]["status"].as_str()),
        (StatusCode::OK, Some("ACTIVE"))
    );
    let (s, b, _) = call(
        &app,
        Method::POST,
        &format!("{server}/metadata"),
        Some(json!({"metadata": {"k2": "v2"}})),
    )
    .await;
    assert_eq!(
        (s, b["metadata"].clone()),
        (StatusCode::OK, json!({"key1": "value1", "k2": "v2"}))
    );
    let (s, _, _) = call(
        &app,
        Method::POST,
        &format!("{server}/metadata"),
        Some(json!({"metadata": {"bad key": "v"}})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "seed 001: no space in keys");
    let building = format!(
        "/v2.1/{}/servers/{}/metadata",
        var("project_id"),
        var("building_server_id")
    );
    let (s, _, _) = call(
        &app,
        Method::POST,
        &building,
        Some(json!({"metadata": {"k": "v"}})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let other = format!(
        "/v2.1/{}/servers/{}",
        var("project_id"),
        var("other_project_server_id")
    );
    let (s, _, _) = call(&app, Method::GET, &other, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// python-cinderclient (v3) and python-novaclient (2.1) list, get, update, set and delete
/// metadata against the mock with a token (`tests/openstack/clients.py`). Skipped when they are
/// not installed, unless CONFORM_REQUIRE_OPENSTACK is set (CI installs them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openstack_clients_drive_the_mock() {
    if !common::external_tool(
        &["python3", "-c", "import cinderclient, novaclient"],
        "CONFORM_REQUIRE_OPENSTACK",
        "pip install python-cinderclient python-novaclient",
    ) {
        return;
    }
    python_client_drives_the_mock(
        "clients.py",
        &[
            "cinder list",
            "cinder update all metadata: ok",
            "nova delete metadata: ok",
        ],
    )
    .await;
}

/// Runs `tests/openstack/<script>` against a mock behind a token, with the base URL, the
/// token and the fixtures' project, snapshot and server as its arguments (no clouds.yaml or
/// `OS_*` variable of the caller's steering it). It must succeed, print each of `lines`, never
/// print the token, and leave the mock's state as it found it.
async fn python_client_drives_the_mock(script: &str, lines: &[&str]) {
    let token = "openstack-t0k3n";
    let mock = conform::mock::spawn(MockConfig {
        auth: MockAuth::Token(token.into()),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let before = mock_state(&mock.base_url()).await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/openstack")
        .join(script);
    let args = vec![
        script.display().to_string(),
        mock.base_url(),
        token.to_string(),
        var("project_id"),
        var("snapshot_id"),
        var("server_id"),
    ];
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .args(&args)
            .env("OS_CLIENT_CONFIG_FILE", "/dev/null")
            .env_remove("OS_CLOUD")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        !stdout.contains(token) && !stderr.contains(token),
        "the token leaked"
    );
    for line in lines {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }
    assert_eq!(
        mock_state(&mock.base_url()).await,
        before,
        "the client undid its changes"
    );
    mock.stop().await;
}

async fn mock_state(base: &str) -> Value {
    let mut stream = TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    stream
        // The mock asks for its services' token on the admin API too.
        .write_all(b"GET /__mock/state HTTP/1.1\r\nHost: x\r\nX-Auth-Token: openstack-t0k3n\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let Wire::Answer(200, body) = read_answer(&mut stream, false).await else {
        panic!("no state")
    };
    let mut state: Value = serde_json::from_slice(&body).unwrap();
    // Timestamps move with every write; the comparison is about names and metadata.
    for p in state["projects"].as_array_mut().unwrap() {
        for s in p["snapshots"].as_array_mut().unwrap() {
            s.as_object_mut().unwrap().remove("updated_at");
        }
        for s in p["servers"].as_array_mut().unwrap() {
            s.as_object_mut().unwrap().remove("updated");
        }
    }
    state
}

/// openstacksdk connects the normal way (`openstack.connect(auth_type="admin_token", …)`, the
/// version discovered, no endpoint or version override) and drives block storage v2 and v3 and
/// compute (`tests/openstack/sdk.py`); any client error fails the test with it. Skipped when
/// openstacksdk is not installed, unless CONFORM_REQUIRE_OPENSTACK is set (CI installs it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openstacksdk_connects_and_drives_the_mock() {
    if !common::external_tool(
        &["python3", "-c", "import openstack"],
        "CONFORM_REQUIRE_OPENSTACK",
        "pip install openstacksdk",
    ) {
        return;
    }
    python_client_drives_the_mock(
        "sdk.py",
        &[
            "block-storage v2 get snapshot: snap-001",
            "block-storage v2 update snapshot: ok",
            "block-storage v2 set snapshot metadata: ok",
            "block-storage v2 replace snapshot metadata: ok",
            "block-storage v2 delete snapshot metadata: ok",
            "block-storage v2 snapshots(details=True, limit=2): 5 detail items",
            "block-storage v3 get snapshot: snap-001",
            "block-storage v3 update snapshot: ok",
            "block-storage v3 set snapshot metadata: ok",
            "block-storage v3 replace snapshot metadata: ok",
            "block-storage v3 delete snapshot metadata: ok",
            "block-storage v3 snapshots(details=True, limit=2): 5 detail items",
            "compute get server: ecs-active ACTIVE",
            "compute set server metadata: ok",
            "compute replace server metadata: ok",
            "compute delete server metadata: ok",
        ],
    )
    .await;
}

/// Snapshot answers are serialised straight from the state: the text must be exactly what a
/// JSON map would print (keys sorted, no gaps), with and without the faults that change fields.
#[tokio::test]
async fn snapshot_answers_print_their_keys_in_order_with_every_field_fault() {
    for faults in [
        Faults::new([]),
        Faults::new([
            Fault::WrongFieldType,
            Fault::MissingField,
            Fault::ExtraField,
        ]),
    ] {
        let app = build_app(MockConfig {
            faults: faults.clone(),
            ..MockConfig::default()
        });
        for (method, version, body) in [
            (Method::GET, "v2", None),
            (Method::GET, "v3", None),
            (Method::PUT, "v2", Some(r#"{"snapshot": {"name": "n"}}"#)),
            (Method::PUT, "v3", Some(r#"{"snapshot": {"name": "n"}}"#)),
        ] {
            let mut req = Request::builder()
                .method(method.clone())
                .uri(snap(version))
                .header("content-type", "application/json");
            if body.is_none() {
                req = req.header("content-length", "0");
            }
            let req = req
                .body(body.map(Body::from).unwrap_or_else(Body::empty))
                .unwrap();
            let resp = app.clone().oneshot(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{method} {version}");
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            let parsed: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(text, parsed.to_string(), "{method} {version} {faults:?}");
            let s = &parsed["snapshot"];
            let broken = faults.has(Fault::WrongFieldType);
            assert_eq!(s["size"].is_string(), broken, "{text}");
            assert_eq!(s.get("updated_at").is_none(), broken, "{text}");
            assert_eq!(s.get("x_mock_internal").is_some(), broken, "{text}");
            assert_eq!(
                s.get("user_id").is_some(),
                method == Method::GET && version == "v3",
                "{text}"
            );
            assert_eq!(
                s.get("os-extended-snapshot-attributes:progress").is_some(),
                !(method == Method::PUT && version == "v2"),
                "{text}"
            );
        }
    }
}

/// Issue #37: a next link is absolute (from the request's Host) and names the list it came from,
/// `/detail` included, keeping the filters and limit; without a Host it is an absolute path.
#[tokio::test]
async fn next_links_are_absolute_and_stay_on_the_list_they_came_from() {
    let app = mock();
    let project = var("project_id");
    let host = [("Host", "evs.example.test:8776")];
    for version in ["v2", "v3"] {
        for list in ["snapshots", "snapshots/detail"] {
            let path = format!("/{version}/{project}/{list}");
            let (s, b, _) = call_raw(
                &app,
                Method::GET,
                &format!("{path}?limit=2&offset=1"),
                None,
                &host,
            )
            .await;
            assert_eq!(s, StatusCode::OK);
            let last = b["snapshots"][1]["id"].as_str().unwrap().to_string();
            let href = b["snapshots_links"][0]["href"].as_str().unwrap();
            assert_eq!(b["snapshots_links"][0]["rel"], "next");
            assert_eq!(
                href,
                format!("http://evs.example.test:8776{path}?limit=2&marker={last}"),
                "{path}: offset applied once, the marker says where to go on"
            );
            // Following it gives the next page of the same list.
            let follow = href.strip_prefix("http://evs.example.test:8776").unwrap();
            let (s, next, _) = call_raw(&app, Method::GET, follow, None, &host).await;
            assert_eq!(s, StatusCode::OK);
            let first = &next["snapshots"][0];
            assert_ne!(first["id"], json!(last));
            assert_eq!(
                first
                    .get("os-extended-snapshot-attributes:progress")
                    .is_some(),
                list.ends_with("detail"),
                "{follow}: the same kind of list"
            );
            // Filters are kept.
            let (_, b, _) = call_raw(
                &app,
                Method::GET,
                &format!("{path}?status=available&limit=1"),
                None,
                &host,
            )
            .await;
            let href = b["snapshots_links"][0]["href"].as_str().unwrap();
            let kept =
                format!("http://evs.example.test:8776{path}?limit=1&status=available&marker=");
            assert!(href.starts_with(&kept), "{href}");
            // No Host: still a reference that resolves to the same list from any base.
            let (_, b, _) = call(&app, Method::GET, &format!("{path}?limit=1"), None).await;
            let href = b["snapshots_links"][0]["href"].as_str().unwrap();
            assert!(
                href.starts_with(&format!("{path}?limit=1&marker=")),
                "{href}"
            );
        }
    }
}

/// Issue #37: the v3 detail list carries `user_id` (its page documents it, as v3 show does);
/// the v2 detail list and the summary lists do not.
#[tokio::test]
async fn the_v3_detail_list_carries_user_id_as_its_page_documents() {
    let app = mock();
    let project = var("project_id");
    let (_, show, _) = call(&app, Method::GET, &snap("v3"), None).await;
    let user = show["snapshot"]["user_id"].clone();
    assert!(user.is_string());
    for (path, expected) in [
        ("v3/{p}/snapshots/detail", true),
        ("v2/{p}/snapshots/detail", false),
        ("v3/{p}/snapshots", false),
        ("v2/{p}/snapshots", false),
    ] {
        let (s, b, _) = call(
            &app,
            Method::GET,
            &format!("/{}", path.replace("{p}", &project)),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        for item in b["snapshots"].as_array().unwrap() {
            assert_eq!(item.get("user_id").is_some(), expected, "{path}");
            if expected {
                assert_eq!(item["user_id"], user);
            }
        }
    }
}

/// Issue #37: Cinder's update schema forbids additional properties at both levels, so a field
/// beside a known one is 400 EVS.2108 (not ignored), and nothing is changed.
#[tokio::test]
async fn unknown_fields_beside_a_known_one_are_400_at_both_levels() {
    let app = mock();
    for version in ["v2", "v3"] {
        for body in [
            json!({"snapshot": {"name": "x", "foo": 1}}),
            json!({"snapshot": {"name": "x"}, "foo": 1}),
        ] {
            let (s, b, _) = call(&app, Method::PUT, &snap(version), Some(body.clone())).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{version} {body}");
            assert_eq!(b["badRequest"]["code"], "EVS.2108", "{version} {body}");
            assert!(b["badRequest"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("'foo'")));
        }
        let (_, b, _) = call(&app, Method::GET, &snap(version), None).await;
        assert_ne!(b["snapshot"]["name"], "x", "{version}: nothing applied");
    }
    // The known fields alone still update.
    let (s, _, _) = call(
        &app,
        Method::PUT,
        &snap("v2"),
        Some(json!({"snapshot": {"name": "x", "display_description": "d"}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

/// A mock whose building and error servers hold a key, `held`.
fn mock_with_keys_on_unsettled_servers() -> MockService {
    let mut fixtures = Fixtures::defaults();
    let unsettled = [var("building_server_id"), var("error_server_id")];
    for project in &mut fixtures.projects {
        for server in &mut project.servers {
            if unsettled.contains(&server.id) {
                server.metadata.insert("held".into(), "v".into());
            }
        }
    }
    build_app(MockConfig {
        fixtures,
        ..MockConfig::default()
    })
}

/// Issue #37: deleting a server's metadata item obeys the vm_state rule of the writes (409
/// conflictingRequest Ecs.0100 for building and error), after the key's own 404.
#[tokio::test]
async fn deleting_server_metadata_obeys_the_vm_state_rule_of_the_writes() {
    let app = mock_with_keys_on_unsettled_servers();
    let project = var("project_id");
    for server in ["building_server_id", "error_server_id"] {
        let item = format!("/v2.1/{project}/servers/{}/metadata/held", var(server));
        let (s, b, _) = call(&app, Method::DELETE, &item, None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{server}");
        assert_eq!(b["conflictingRequest"]["code"], "Ecs.0100");
        // The write answers the same, and the key is still there.
        let (s, _, _) = call(
            &app,
            Method::PUT,
            &item,
            Some(json!({"meta": {"held": "w"}})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{server}");
        let (s, b, _) = call(&app, Method::GET, &item, None).await;
        assert_eq!((s, b["meta"]["held"].as_str()), (StatusCode::OK, Some("v")));
        let missing = format!("/v2.1/{project}/servers/{}/metadata/nope", var(server));
        let (s, _, _) = call(&app, Method::DELETE, &missing, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "an unknown key is 404 first");
    }
    for server in [
        "server_id",
        "stopped_server_id",
        "paused_server_id",
        "suspended_server_id",
    ] {
        let meta = format!("/v2.1/{project}/servers/{}/metadata", var(server));
        let (s, _, _) = call(
            &app,
            Method::PUT,
            &format!("{meta}/k"),
            Some(json!({"meta": {"k": "v"}})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{server}");
        let (s, _, _) = call(&app, Method::DELETE, &format!("{meta}/k"), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{server}");
    }
}

/// Issue #37: Nova's replace-all, `PUT /servers/{id}/metadata`: the body's items become the
/// whole set, answered 200 `{"metadata": …}`, with the POST's key/value and vm_state rules.
#[tokio::test]
async fn server_metadata_put_replaces_the_whole_set_with_the_post_rules() {
    let app = mock_with_keys_on_unsettled_servers();
    let project = var("project_id");
    let meta = format!("/v2.1/{project}/servers/{}/metadata", var("server_id"));
    let (_, before, _) = call(&app, Method::GET, &meta, None).await;
    assert!(before["metadata"]["key1"].is_string(), "{before}");
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &meta,
        Some(json!({"metadata": {"only": "one", "two": "2"}})),
    )
    .await;
    assert_eq!(
        (s, b),
        (
            StatusCode::OK,
            json!({"metadata": {"only": "one", "two": "2"}})
        )
    );
    let (_, b, _) = call(&app, Method::GET, &meta, None).await;
    assert_eq!(
        b,
        json!({"metadata": {"only": "one", "two": "2"}}),
        "replaced"
    );
    let (s, b, _) = call(&app, Method::PUT, &meta, Some(json!({"metadata": {}}))).await;
    assert_eq!((s, b), (StatusCode::OK, json!({"metadata": {}})), "emptied");
    for bad in [
        json!({}),
        json!({"metadata": []}),
        json!({"metadata": {"k": 1}}),
        json!({"metadata": {"bad key": "v"}}),
        json!({"metadata": {"k": "v".repeat(256)}}),
    ] {
        let (s, b, _) = call(&app, Method::PUT, &meta, Some(bad.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(b["badRequest"]["code"], "Ecs.0005", "{bad}");
    }
    let building = format!(
        "/v2.1/{project}/servers/{}/metadata",
        var("building_server_id")
    );
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &building,
        Some(json!({"metadata": {"k": "v"}})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(b["conflictingRequest"]["code"], "Ecs.0100");
    let (_, b, _) = call(&app, Method::GET, &building, None).await;
    assert_eq!(b, json!({"metadata": {"held": "v"}}), "untouched");
    let missing = format!("/v2.1/{project}/servers/{}/metadata", var("missing_id"));
    let (s, _, _) = call(&app, Method::PUT, &missing, Some(json!({"metadata": {}}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A method the route does not serve lists PUT among those it does.
    let (s, _, h) = call(&app, Method::PATCH, &meta, Some(json!({"metadata": {}}))).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(h["allow"], "GET,HEAD,POST,PUT");
}

/// Issue #37: an unknown path answers the 404 of the service whose prefix it is under: ECS's
/// (`Ecs.0114`) for `/v2.1/…` and `/v1/{project_id}/cloudservers/…`, EVS's (`EVS.5404`) for
/// `/v2` and `/v3`.
#[tokio::test]
async fn each_service_answers_its_own_404_for_unknown_paths() {
    let app = mock();
    let p = var("project_id");
    let s = var("server_id");
    for (path, code) in [
        (format!("/v2.1/{p}/nothing"), "Ecs.0114"),
        (format!("/v2.1/{p}/servers/{s}/nothing"), "Ecs.0114"),
        (format!("/v2.1/{p}/servers"), "Ecs.0114"),
        (format!("/v1/{p}/cloudservers/{s}/nothing"), "Ecs.0114"),
        (format!("/v2/{p}/nothing"), "EVS.5404"),
        (format!("/v3/{p}/snapshots/x/nothing"), "EVS.5404"),
        (format!("/v3/{p}/servers/{s}"), "EVS.5404"),
    ] {
        let (status, b, _) = call(&app, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(b["itemNotFound"]["code"], code, "{path}: {b}");
    }
}

/// Issue #37: version discovery as Cinder and Nova serve it, without a token: `GET /` lists the
/// versions, each version's root (with or without a slash) is its own document, with the
/// microversion range the emulation honours and an absolute `self` link.
#[tokio::test]
async fn version_discovery_finds_a_document_for_each_api_without_a_token() {
    let app = build_app(MockConfig {
        auth: MockAuth::Token("secret".into()),
        ..MockConfig::default()
    });
    let host = [("Host", "mock.example.test:8080")];
    let (s, b, _) = call_raw(&app, Method::GET, "/", None, &host).await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = b["versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["id"].as_str())
        .collect();
    assert_eq!(ids, ["v2.0", "v3.0", "v2.1"]);
    for (root, id, min, max, status) in [
        ("/v2", "v2.0", "", "", "SUPPORTED"),
        ("/v3", "v3.0", "3.0", "3.0", "CURRENT"),
        ("/v2.1", "v2.1", "2.1", "2.1", "CURRENT"),
    ] {
        for path in [root.to_string(), format!("{root}/")] {
            let (s, b, _) = call_raw(&app, Method::GET, &path, None, &host).await;
            assert_eq!(s, StatusCode::OK, "{path}");
            let v = &b["version"];
            assert_eq!(
                (v["id"].as_str(), v["status"].as_str()),
                (Some(id), Some(status)),
                "{path}"
            );
            assert_eq!(
                (v["min_version"].as_str(), v["version"].as_str()),
                (Some(min), Some(max)),
                "{path}"
            );
            let self_link = v["links"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["rel"] == "self")
                .unwrap();
            assert_eq!(
                self_link["href"],
                format!("http://mock.example.test:8080{root}/"),
                "{path}"
            );
        }
    }
    // The services themselves still need the token.
    let (s, _, _) = call_raw(&app, Method::GET, &snap("v3"), None, &host).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// Issue #37: a client that sends `Expect: 100-continue` with a body over the limit and sends the
/// body anyway (RFC 9110 lets it stop waiting for the 100) reads the 413, not a reset: the rest is
/// drained as for every early answer, and no `100 Continue` precedes the 413 (the drain starts
/// only once the answer's head is out). Repeated, since a reset is a race the client may win.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expect_continue_with_an_over_limit_body_still_reads_the_413() {
    let mock = conform::mock::spawn(MockConfig::default()).await.unwrap();
    let path = snap("v2");
    let headers = [
        ("Content-Type", "application/json".to_string()),
        ("Expect", "100-continue".to_string()),
    ];
    let big = vec![b'x'; 2_000_000];
    for round in 0..8 {
        // Headers and body at once, in pieces over time (see `exchange`).
        let request = http_request("PUT", &path, &headers, &big, None);
        let wire = tokio::time::timeout(
            Duration::from_secs(10),
            exchange(mock.addr, &request, false),
        )
        .await
        .expect("answered within the drain's bounds");
        match wire {
            Wire::Answer(status, body) => {
                assert_eq!(
                    status, 413,
                    "round {round}: the final answer, no 100 before it"
                );
                let body: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(body["overLimit"]["code"], "413");
            }
            Wire::Dropped(why) => panic!("round {round}: {why}"),
        }
        // A client that waits for the 100 reads the 413 instead, and sends nothing.
        let mut stream = TcpStream::connect(mock.addr).await.unwrap();
        let head = http_request("PUT", &path, &headers, b"", Some(big.len() as u64));
        stream.write_all(&head).await.unwrap();
        let wire = tokio::time::timeout(Duration::from_secs(3), read_answer(&mut stream, false))
            .await
            .expect("answered at once");
        assert!(
            matches!(wire, Wire::Answer(413, _)),
            "round {round}: {wire:?}"
        );
    }
    mock.stop().await;
}

/// Status of an admin request with these headers.
async fn admin(
    app: &MockService,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> StatusCode {
    call_raw(app, method, path, None, headers).await.0
}

#[tokio::test]
async fn with_token_auth_the_admin_api_asks_for_the_services_token() {
    let app = build_app(MockConfig {
        auth: MockAuth::Token("t0k3n".into()),
        ..MockConfig::default()
    });
    let none: &[(&str, &str)] = &[];
    let wrong: &[(&str, &str)] = &[("x-auth-token", "guess")];
    let right: &[(&str, &str)] = &[("x-auth-token", "t0k3n")];
    for headers in [none, wrong] {
        assert_eq!(
            admin(&app, Method::POST, "/__mock/reset", headers).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            admin(&app, Method::GET, "/__mock/state", headers).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            admin(&app, Method::POST, "/__mock/fixtures", headers).await,
            StatusCode::UNAUTHORIZED
        );
        // An admin path that serves nothing is refused too, not told apart from one that does.
        assert_eq!(
            admin(&app, Method::GET, "/__mock/other", headers).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        admin(&app, Method::POST, "/__mock/reset", right).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin(&app, Method::GET, "/__mock/state", right).await,
        StatusCode::OK
    );
    // The faults that let service requests through leave the admin API closed.
    let faulty = build_app(MockConfig {
        auth: MockAuth::Token("t0k3n".into()),
        faults: Faults::new([Fault::AuthBypass, Fault::MissingTokenAccepted]),
        ..MockConfig::default()
    });
    assert_eq!(
        admin(&faulty, Method::POST, "/__mock/reset", none).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        admin(&faulty, Method::GET, &snap("v2"), none).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_admin_token_is_asked_for_instead_of_the_services_credentials() {
    let app = build_app(MockConfig {
        auth: MockAuth::Token("service".into()),
        admin_token: Some("admin".into()),
        ..MockConfig::default()
    });
    let service: &[(&str, &str)] = &[("x-auth-token", "service")];
    let admin_token: &[(&str, &str)] = &[("x-auth-token", "admin")];
    assert_eq!(
        admin(&app, Method::POST, "/__mock/reset", service).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        admin(&app, Method::POST, "/__mock/reset", admin_token).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin(&app, Method::GET, &snap("v2"), admin_token).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        admin(&app, Method::GET, &snap("v2"), service).await,
        StatusCode::OK
    );
    // Without --auth the services stay open and only the admin API asks.
    let app = build_app(MockConfig {
        admin_token: Some("admin".into()),
        ..MockConfig::default()
    });
    assert_eq!(
        admin(&app, Method::POST, "/__mock/reset", &[]).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        admin(&app, Method::POST, "/__mock/reset", admin_token).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin(&app, Method::GET, &snap("v2"), &[]).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn with_aksk_auth_the_admin_api_asks_for_a_signature() {
    use conform::run::auth::aksk::{sdk_date_now, sign, Credentials, Request as Signed};
    let (ak, sk) = ("HPUAADMINAK000000001", "admin-test-secret/key");
    let app = build_app(MockConfig {
        auth: MockAuth::AkSk {
            ak: ak.into(),
            sk: sk.into(),
        },
        ..MockConfig::default()
    });
    assert_eq!(
        admin(&app, Method::POST, "/__mock/reset", &[]).await,
        StatusCode::UNAUTHORIZED
    );
    let date = sdk_date_now();
    let headers = vec![("X-Sdk-Date".to_string(), date.clone())];
    let signed = |sk: &str| {
        sign(
            &Signed {
                method: "POST",
                scheme: "http",
                host: "mock.local",
                path: "/__mock/reset",
                query: &[],
                headers: &headers,
                body: None,
            },
            &Credentials {
                ak,
                sk,
                project_id: None,
                security_token: None,
            },
            &date,
        )
        .headers
    };
    let send = |headers: Vec<(String, String)>| {
        let app = app.clone();
        async move {
            let borrowed: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            admin(&app, Method::POST, "/__mock/reset", &borrowed).await
        }
    };
    assert_eq!(
        send(signed("not-the-secret")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(send(signed(sk)).await, StatusCode::NO_CONTENT);
}

/// A derived EVS suite's setup creates the snapshots it reads in the emulation itself: a
/// create answers 202 `creating` and the next read finds it `available`; a delete answers 202
/// and the next read is the documented 404; a create without `volume_id` or with a non-boolean
/// `force` is 400.
#[tokio::test]
async fn snapshots_are_created_and_deleted_in_the_emulation() {
    let app = mock();
    let project = var("project_id");
    for version in ["v2", "v3"] {
        let body =
            json!({"snapshot": {"volume_id": "v-1", "name": "made", "metadata": {"k": "v"}}});
        let (s, b, _) = call(
            &app,
            Method::POST,
            &format!("/{version}/{project}/snapshots"),
            Some(body),
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{version}: {b}");
        assert_eq!(b["snapshot"]["status"], "creating");
        let id = b["snapshot"]["id"].as_str().unwrap().to_string();
        let item = format!("/{version}/{project}/snapshots/{id}");
        let (s, b, _) = call(&app, Method::GET, &item, None).await;
        assert_eq!(s, StatusCode::OK, "{version}: {b}");
        assert_eq!(b["snapshot"]["status"], "available");
        assert_eq!(b["snapshot"]["name"], "made");
        assert_eq!(b["snapshot"]["metadata"]["k"], "v");
        let (s, _, _) = call(&app, Method::DELETE, &item, None).await;
        assert_eq!(s, StatusCode::ACCEPTED);
        let (s, b, _) = call(&app, Method::GET, &item, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        let (s, _, _) = call(&app, Method::DELETE, &item, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        for bad in [
            json!({"snapshot": {"name": "x"}}),
            json!({"snapshot": {"volume_id": "v", "force": "true"}}),
            json!({"snapshot": "x"}),
        ] {
            let (s, _, _) = call(
                &app,
                Method::POST,
                &format!("/{version}/{project}/snapshots"),
                Some(bad.clone()),
            )
            .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{version}: {bad}");
        }
    }
}

/// A path that no operation of the contract and no emulated route has is the API gateway's 404
/// (`APIGW.0101`), in front of every service, not one service's envelope; a known path of the
/// emulation keeps its own 404.
#[tokio::test]
async fn a_path_no_api_has_is_the_gateways_404() {
    let contract = conform::contract::Contract::load(&common::root().join("schemas")).unwrap();
    let app = build_app(MockConfig {
        contract: Some(std::sync::Arc::new(contract)),
        ..MockConfig::default()
    });
    let p = var("project_id");
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("/v1/{p}/no-such-things/x"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error_code"], "APIGW.0101", "{body}");
    assert!(body["error_msg"].is_string(), "{body}");
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("/v2/{p}/snapshots/{}", var("missing_id")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["itemNotFound"]["code"].is_string(), "{body}");
}

/// A JSON file of `tests/data/`.
fn test_data(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// GETs a server from a running mock over HTTP (so links are built from a real `Host`).
async fn get_server(base: &str, project: &str, id: &str) -> Value {
    let resp = reqwest::Client::new()
        .get(format!("{base}/v2.1/{project}/servers/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{id}");
    serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap()
}

/// Tempest's `get_server` schema (`tests/data/tempest_get_server_v2_1.json`), as it stands
/// (`strict`) and with the page's differences the deviations name applied.
fn tempest_validators() -> (jsonschema::Validator, jsonschema::Validator) {
    let tempest = test_data("tempest_get_server_v2_1.json");
    let named: Vec<String> = test_data("../../src/mock/deviations.json")["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    let mut patched = tempest.clone();
    let server = &mut patched["properties"]["server"]["properties"];
    assert!(named.contains(&"ecs-server-host-status".to_string()));
    server["host_status"] = json!({"type": "string"});
    assert!(named.contains(&"ecs-server-power-state".to_string()));
    server["OS-EXT-STS:power_state"]["enum"] = json!([0, 1, 2, 3, 4]);
    let build = |schema: &Value| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(schema)
            .unwrap()
    };
    (build(&tempest), build(&patched))
}

/// The JSON type name of a value, as the page's table names types.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every way a server read departs from the page's field table
/// (`tests/data/ecs_nova_show_server_fields.json`); empty when it follows it.
fn page_mismatches(page: &Value, server: &Value, booted_from_disk: bool) -> Vec<String> {
    let mut out = Vec::new();
    let fields = page["fields"].as_object().unwrap();
    let listed = |key: &str, list: &str| page[list].as_array().unwrap().iter().any(|k| k == key);
    let obj = server.as_object().unwrap();
    for (name, spec) in fields {
        let Some(value) = obj.get(name) else {
            if !listed(name, "conditional") {
                out.push(format!("{name}: missing"));
            }
            continue;
        };
        let ty = json_type(value);
        let ok = ty == spec["type"]
            || (ty == "null" && listed(name, "nullable"))
            || (name == "image" && booted_from_disk && value == "");
        if !ok {
            out.push(format!("{name}: {ty}, the page says {}", spec["type"]));
        }
        if let Some(values) = page["values"][name].as_array() {
            if !values.contains(value) {
                out.push(format!("{name}: {value} is none of the page's values"));
            }
        }
        if let (Some(layout), Some(text)) = (page["layouts"][name].as_str(), value.as_str()) {
            if !regex::Regex::new(layout).unwrap().is_match(text) {
                out.push(format!("{name}: {text} is not in the page's layout"));
            }
        }
    }
    for name in obj.keys() {
        if !fields.contains_key(name) {
            out.push(format!("{name}: not in the page's table"));
        }
    }
    for (name, spec) in page["later_microversions"].as_object().unwrap() {
        if obj.contains_key(name) {
            out.push(format!(
                "{name}: shown at 2.1, the page says from {}",
                spec["since"]
            ));
        }
    }
    // The nested tables: each object holds the page's keys, of the page's types.
    let nested = |path: &str| -> Vec<&Value> {
        match path {
            "flavor" | "image" | "fault" => obj
                .get(path)
                .filter(|v| v.is_object())
                .into_iter()
                .collect(),
            "addresses.*[]" => obj["addresses"]
                .as_object()
                .unwrap()
                .values()
                .flat_map(|l| l.as_array().unwrap())
                .collect(),
            other => obj[other.trim_end_matches("[]")]
                .as_array()
                .unwrap()
                .iter()
                .collect(),
        }
    };
    for (path, keys) in page["nested"].as_object().unwrap() {
        let keys = keys.as_object().unwrap();
        for item in nested(path) {
            let item = item.as_object().unwrap();
            for (k, v) in item {
                match keys.get(k) {
                    Some(ty) if ty == json_type(v) => {}
                    Some(ty) => {
                        out.push(format!("{path}.{k}: {}, the page says {ty}", json_type(v)))
                    }
                    None => out.push(format!("{path}.{k}: not in the page's table")),
                }
            }
            for k in keys.keys() {
                if !item.contains_key(k) {
                    out.push(format!("{path}.{k}: missing"));
                }
            }
        }
    }
    out
}

/// The server read is the whole server: for every fixture server, Tempest's `get_server` schema
/// (v2.1) passes once the two differences the page documents and the deviations name are
/// applied, and fails on exactly those without them; every field the page's table lists is
/// there with its type (the later microversions' fields absent, nothing the table lacks), and
/// the values are the fixture's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_read_is_the_whole_server_tempest_and_the_page_accept() {
    let (strict, with_deviations) = tempest_validators();
    let page = test_data("ecs_nova_show_server_fields.json");
    let mock = conform::mock::spawn(MockConfig::default()).await.unwrap();
    let fixtures = Fixtures::defaults();
    let mut seen = 0;
    for project in &fixtures.projects {
        for s in &project.servers {
            let body = get_server(&mock.base_url(), &project.id, &s.id).await;
            let errors: Vec<String> = with_deviations
                .iter_errors(&body)
                .map(|e| format!("{}: {e}", e.instance_path().as_str()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}\n{body:#}", s.name);
            let mut strict_errors: Vec<(String, String)> = strict
                .iter_errors(&body)
                .map(|e| {
                    assert!(
                        e.kind().keyword() != "additionalProperties"
                            || e.to_string().contains("host_status"),
                        "{e}"
                    );
                    (
                        e.instance_path().as_str().to_string(),
                        e.kind().keyword().to_string(),
                    )
                })
                .collect();
            strict_errors.sort();
            let mut expected = vec![("/server".to_string(), "additionalProperties".to_string())];
            if s.vm_state == "paused" {
                expected.push((
                    "/server/OS-EXT-STS:power_state".to_string(),
                    "enum".to_string(),
                ));
            }
            expected.sort();
            assert_eq!(strict_errors, expected, "{}", s.name);

            let server = &body["server"];
            let mismatches = page_mismatches(&page, server, s.image_id.is_none());
            assert!(mismatches.is_empty(), "{}: {mismatches:#?}", s.name);
            // The values are the fixture's.
            assert_eq!(server["id"], json!(s.id));
            assert_eq!(server["name"], json!(s.name));
            assert_eq!(server["tenant_id"], json!(project.id));
            assert_eq!(server["OS-EXT-STS:vm_state"], json!(s.vm_state));
            assert_eq!(server["metadata"], json!(s.metadata));
            assert_eq!(server["user_id"], json!(s.user_id));
            assert_eq!(server["created"], json!(s.created));
            assert_eq!(server["flavor"]["id"], json!(s.flavor_id));
            assert_eq!(
                server["OS-EXT-AZ:availability_zone"],
                json!(s.availability_zone)
            );
            assert_eq!(server["OS-EXT-SRV-ATTR:host"], json!(s.host));
            let addrs: Vec<&Value> = server["addresses"]
                .as_object()
                .unwrap()
                .values()
                .flat_map(|l| l.as_array().unwrap())
                .map(|a| &a["addr"])
                .collect();
            let fixture_addrs: Vec<Value> = s
                .addresses
                .values()
                .flatten()
                .map(|a| json!(a.addr))
                .collect();
            assert_eq!(addrs, fixture_addrs.iter().collect::<Vec<_>>());
            match &s.image_id {
                Some(id) => assert_eq!(server["image"]["id"], json!(id)),
                None => assert_eq!(server["image"], json!("")),
            }
            assert_eq!(
                server["links"][0]["href"],
                json!(format!(
                    "{}/v2.1/{}/servers/{}",
                    mock.base_url(),
                    project.id,
                    s.id
                ))
            );
            // A server without a host shows no host, a hostId of nothing, and no host status.
            assert_eq!(server["hostId"] == "", s.host.is_none(), "{}", s.name);
            assert_eq!(server["host_status"] == "", s.host.is_none(), "{}", s.name);
            assert_eq!(
                server.get("fault").is_some(),
                s.vm_state == "error",
                "{}",
                s.name
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 7);
    // The same host looks different to two projects (Nova hashes project and host).
    let a = get_server(
        &mock.base_url(),
        &fixtures.projects[0].id,
        &var("server_id"),
    )
    .await;
    let b = get_server(
        &mock.base_url(),
        &fixtures.projects[0].id,
        &var("stopped_server_id"),
    )
    .await;
    assert_eq!(a["server"]["hostId"], b["server"]["hostId"]);
    assert_eq!(a["server"]["hostId"].as_str().unwrap().len(), 56);
    mock.stop().await;
}

/// Fixtures written before the read became whole (a server with only id, name and vm_state) still
/// load, and their servers read as whole servers Tempest accepts; a metadata change moves
/// `updated` and nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_fixtures_read_as_whole_servers_and_metadata_changes_move_updated() {
    let (_, with_deviations) = tempest_validators();
    let page = test_data("ecs_nova_show_server_fields.json");
    let fixtures = Fixtures::parse(
        "projects:\n  - id: p1\n    servers:\n      - {id: s-old, name: old, vm_state: active}\n",
        "old.yaml",
    )
    .unwrap();
    let mock = conform::mock::spawn(MockConfig {
        fixtures,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let before = get_server(&mock.base_url(), "p1", "s-old").await;
    let errors: Vec<String> = with_deviations
        .iter_errors(&before)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{before:#}");
    let mismatches = page_mismatches(&page, &before["server"], true);
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert_eq!(before["server"]["created"], before["server"]["updated"]);
    // `updated` has a resolution of one second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let resp = reqwest::Client::new()
        .put(format!(
            "{}/v2.1/p1/servers/s-old/metadata/k",
            mock.base_url()
        ))
        .body(r#"{"meta": {"k": "v"}}"#)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let after = get_server(&mock.base_url(), "p1", "s-old").await;
    assert!(
        after["server"]["updated"].as_str() > before["server"]["updated"].as_str(),
        "{after:#}"
    );
    let mut unchanged = after.clone();
    unchanged["server"]["updated"] = before["server"]["updated"].clone();
    unchanged["server"]["metadata"] = json!({});
    assert_eq!(unchanged, before);
    mock.stop().await;
}

/// Tempest's snapshot response schemas (`tests/data/tempest_volume_snapshots.json`), one
/// validator per operation, each its `response_body` with the shared definitions beside it.
/// `patch` edits each operation's schema before it is built (the deviations applied).
fn tempest_snapshot_validators(
    patch: impl Fn(&str, &mut Value),
) -> std::collections::BTreeMap<String, (Vec<u64>, jsonschema::Validator)> {
    let tempest = test_data("tempest_volume_snapshots.json");
    let mut definitions = tempest["definitions"].clone();
    patch("definitions", &mut definitions);
    tempest["operations"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, op)| {
            let mut schema = op["response_body"].clone();
            patch(name, &mut schema);
            schema["$schema"] = tempest["$schema"].clone();
            schema["definitions"] = definitions.clone();
            let codes = op["status_code"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap())
                .collect();
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .with_format("iso8601-date-time", is_iso8601_date_time)
                .with_format("uuid", is_uuid_as_python_parses_it)
                .build(&schema)
                .unwrap();
            (name.clone(), (codes, validator))
        })
        .collect()
}

/// Tempest's `iso8601-date-time` format (`tempest/lib/common/jsonschema_validator.py`): what
/// `oslo_utils.timeutils.parse_isotime` (the `iso8601` package) parses: a date, optionally a time
/// with optional seconds and fraction, optionally a zone; no zone is allowed (Cinder's own
/// timestamps carry none).
fn is_iso8601_date_time(text: &str) -> bool {
    let layout = regex::Regex::new(
        r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$",
    )
    .unwrap();
    let Some(c) = layout.captures(text) else {
        return false;
    };
    let n = |i: usize| {
        c.get(i)
            .map_or(0, |m| m.as_str().parse::<u32>().unwrap_or(99))
    };
    let Ok(month) = time::Month::try_from(n(2) as u8) else {
        return false;
    };
    time::Date::from_calendar_date(n(1) as i32, month, n(3) as u8).is_ok()
        && n(4) < 24
        && n(5) < 60
        && n(6) < 60
}

/// `uuid`: Tempest validates with Draft 4's format checker, which has no `uuid` (python-jsonschema
/// registers it from draft 2019-09 on), so Tempest checks nothing. Checked here anyway, as
/// Python's `uuid.UUID` parses one: 32 hex digits, bare or in the hyphenated 8-4-4-4-12 form
/// (Keystone's project ids are the bare form).
fn is_uuid_as_python_parses_it(text: &str) -> bool {
    regex::Regex::new(
        r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$",
    )
    .unwrap()
    .is_match(text)
}

/// Where and by which keyword an answer fails a schema, sorted.
fn schema_failures(validator: &jsonschema::Validator, body: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = validator
        .iter_errors(body)
        .map(|e| {
            (
                e.instance_path().as_str().to_string(),
                e.kind().keyword().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The snapshot calls Tempest's snapshots client makes, each with its schema's name, for one API
/// version: show, the two lists (whole and a page of one with its next link), update, and the
/// metadata reads and writes.
fn tempest_snapshot_calls(
    v: &str,
    p: &str,
    id: &str,
) -> Vec<(&'static str, Method, String, Option<Value>)> {
    let s = format!("/{v}/{p}/snapshots");
    vec![
        ("show_snapshot", Method::GET, format!("{s}/{id}"), None),
        ("list_snapshots_no_detail", Method::GET, s.clone(), None),
        (
            "list_snapshots_no_detail",
            Method::GET,
            format!("{s}?limit=1"),
            None,
        ),
        (
            "list_snapshots_with_detail",
            Method::GET,
            format!("{s}/detail"),
            None,
        ),
        (
            "list_snapshots_with_detail",
            Method::GET,
            format!("{s}/detail?limit=1"),
            None,
        ),
        (
            "update_snapshot",
            Method::PUT,
            format!("{s}/{id}"),
            Some(
                json!({"snapshot": {"name": format!("tempest-{v}"), "description": "by tempest"}}),
            ),
        ),
        (
            "show_snapshot_metadata",
            Method::GET,
            format!("{s}/{id}/metadata"),
            None,
        ),
        (
            "update_snapshot_metadata",
            Method::PUT,
            format!("{s}/{id}/metadata"),
            Some(json!({"metadata": {"key1": "value1", "key2": "value2"}})),
        ),
        (
            "show_snapshot_metadata_item",
            Method::GET,
            format!("{s}/{id}/metadata/key1"),
            None,
        ),
        (
            "update_snapshot_metadata_item",
            Method::PUT,
            format!("{s}/{id}/metadata/key2"),
            Some(json!({"meta": {"key2": "value2b"}})),
        ),
    ]
}

/// Sends one call to a running mock; its status and JSON body.
async fn http_call(base: &str, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    let (status, _, bytes) = common::send(method, &format!("{base}{path}"), body).await;
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// Tempest's snapshot schemas for one API version with the differences the EVS pages document,
/// each named in the deviations, applied: v2 and v3 plain lists may answer `snapshots_links:
/// null`; v3's plain list adds `count`, its show and detail list `user_id`, and its update the
/// two reserved attributes.
fn tempest_snapshot_validators_with_deviations(
    version: &str,
) -> std::collections::BTreeMap<String, (Vec<u64>, jsonschema::Validator)> {
    let named: Vec<String> = test_data("../../src/mock/deviations.json")["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    for id in [
        "evs-snapshot-list-links-null",
        "evs-v3-snapshot-list-count",
        "evs-v3-snapshot-user-id",
        "evs-v3-update-reserved-attributes",
    ] {
        assert!(named.contains(&id.to_string()), "{id} is not named");
    }
    let v3 = version == "v3";
    tempest_snapshot_validators(|name, schema| match name {
        "list_snapshots_no_detail" => {
            // evs-snapshot-list-links-null
            schema["properties"]["snapshots_links"] =
                json!({"oneOf": [{"$ref": "#/definitions/links"}, {"type": "null"}]});
            if v3 {
                // evs-v3-snapshot-list-count
                schema["properties"]["count"] = json!({"type": "integer"});
            }
        }
        "definitions" if v3 => {
            // evs-v3-snapshot-user-id: as Tempest's commented-out 3.41 line states it.
            schema["common_snapshot_detail_schema"]["properties"]["user_id"] =
                json!({"type": "string", "format": "uuid"});
        }
        "update_snapshot" if v3 => {
            // evs-v3-update-reserved-attributes: the summary plus the two reserved attributes.
            let tempest = test_data("tempest_volume_snapshots.json");
            let mut snapshot = tempest["definitions"]["common_snapshot_schema"].clone();
            let detail = &tempest["definitions"]["common_snapshot_detail_schema"];
            for key in [
                "os-extended-snapshot-attributes:progress",
                "os-extended-snapshot-attributes:project_id",
            ] {
                snapshot["properties"][key] = detail["properties"][key].clone();
                snapshot["required"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!(key));
            }
            schema["properties"]["snapshot"] = snapshot;
        }
        _ => {}
    })
}

/// Tempest's response schemas for the snapshot operations (show, both lists, update, metadata
/// and metadata item reads and writes), v2 and v3, against a running mock: each answer passes
/// once the differences the EVS pages document and the deviations name are applied, and
/// without them fails on exactly those; every status is one Tempest expects, and the answers
/// hold what was sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tempest_snapshot_schemas_accept_the_mock_but_for_the_named_differences() {
    let strict = tempest_snapshot_validators(|_, _| {});
    let mock = conform::mock::spawn(MockConfig::default()).await.unwrap();
    let base = mock.base_url();
    let p = var("project_id");
    let id = var("snapshot_with_metadata_id");
    let in_project = Fixtures::defaults().projects[0].snapshots.len();
    for v in ["v2", "v3"] {
        let with_deviations = tempest_snapshot_validators_with_deviations(v);
        for (op, method, path, body) in tempest_snapshot_calls(v, &p, &id) {
            let (status, answer) = http_call(&base, method, &path, body.as_ref()).await;
            let (codes, validator) = &with_deviations[op];
            assert!(codes.contains(&u64::from(status)), "{path}: {status}");
            let errors: Vec<String> = validator
                .iter_errors(&answer)
                .map(|e| format!("{}: {e}", e.instance_path().as_str()))
                .collect();
            assert!(
                errors.is_empty(),
                "{v} {op} {path}: {errors:#?}\n{answer:#}"
            );

            // Without the deviations Tempest fails exactly where the pages differ.
            let at = |p: &str, k: &str| (p.to_string(), k.to_string());
            let paged = path.contains("limit=");
            let expected: Vec<(String, String)> = match (v, op) {
                (_, "list_snapshots_no_detail") if !paged && v == "v2" => {
                    vec![at("/snapshots_links", "type")]
                }
                ("v3", "list_snapshots_no_detail") if paged => vec![at("", "additionalProperties")],
                ("v3", "list_snapshots_no_detail") => vec![
                    at("", "additionalProperties"),
                    at("/snapshots_links", "type"),
                ],
                ("v3", "show_snapshot" | "update_snapshot") => {
                    vec![at("/snapshot", "additionalProperties")]
                }
                ("v3", "list_snapshots_with_detail") => {
                    (0..answer["snapshots"].as_array().unwrap().len())
                        .map(|i| at(&format!("/snapshots/{i}"), "additionalProperties"))
                        .collect()
                }
                _ => vec![],
            };
            assert_eq!(
                schema_failures(&strict[op].1, &answer),
                expected,
                "{v} {op} {path}\n{answer:#}"
            );

            // The answers are the calls': the snapshot asked for, the lists whole or a page of
            // one with its next link, and what was written.
            match op {
                "show_snapshot" => assert_eq!(answer["snapshot"]["id"], json!(id)),
                "list_snapshots_no_detail" | "list_snapshots_with_detail" => {
                    let n = answer["snapshots"].as_array().unwrap().len();
                    if paged {
                        assert_eq!(n, 1);
                        let next = answer["snapshots_links"][0]["href"].as_str().unwrap();
                        assert!(
                            next.starts_with(&format!("{base}/{v}/{p}/snapshots")),
                            "{next}"
                        );
                    } else {
                        assert_eq!(n, in_project);
                    }
                }
                "update_snapshot" => {
                    assert_eq!(answer["snapshot"]["name"], json!(format!("tempest-{v}")));
                    assert_eq!(answer["snapshot"]["description"], "by tempest");
                }
                "show_snapshot_metadata_item" => {
                    assert_eq!(answer, json!({"meta": {"key1": "value1"}}))
                }
                "update_snapshot_metadata" | "update_snapshot_metadata_item" => {
                    assert_eq!(&answer, body.as_ref().unwrap())
                }
                _ => {}
            }
        }
    }
    mock.stop().await;
}

/// The snapshot schemas catch a bad answer: a planted date that is no date and a volume id that
/// is no UUID (fixtures), and the fault modes that change a field's type, drop `updated_at` or
/// add a field, each fail Tempest's show schema with the deviations applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tempest_snapshot_schemas_refuse_planted_bad_values() {
    let p = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
    let fixtures = Fixtures::parse(
        &format!(
            "projects:\n  - id: {p}\n    snapshots:\n      - {{id: 5c7f0c1e-0000-4000-8000-0000000000aa, name: planted, description: '', status: available, volume_id: not-a-uuid, size: 1, metadata: {{}}, created_at: '2026-13-45T10:00:00.000000', updated_at: '2026-01-01T10:00:00'}}\n"
        ),
        "planted.yaml",
    )
    .unwrap();
    let mock = conform::mock::spawn(MockConfig {
        fixtures,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    for v in ["v2", "v3"] {
        let validators = tempest_snapshot_validators_with_deviations(v);
        let path = format!("/{v}/{p}/snapshots/5c7f0c1e-0000-4000-8000-0000000000aa");
        let (_, answer) = http_call(&mock.base_url(), Method::GET, &path, None).await;
        assert_eq!(
            schema_failures(&validators["show_snapshot"].1, &answer),
            vec![
                ("/snapshot/created_at".to_string(), "format".to_string()),
                ("/snapshot/volume_id".to_string(), "format".to_string()),
            ],
            "{answer:#}"
        );
        // The fixture's other layouts are Tempest's: a zone-less stamp passes.
        assert_eq!(answer["snapshot"]["updated_at"], "2026-01-01T10:00:00");
    }
    mock.stop().await;

    let show = format!("/v3/{p}/snapshots/{}", var("snapshot_id"));
    let validators = tempest_snapshot_validators_with_deviations("v3");
    for (fault, at, keyword) in [
        (Fault::WrongFieldType, "/snapshot/size", "type"),
        (Fault::MissingField, "/snapshot", "required"),
        (Fault::ExtraField, "/snapshot", "additionalProperties"),
    ] {
        let mock = conform::mock::spawn(MockConfig {
            faults: Faults::new([fault]),
            ..MockConfig::default()
        })
        .await
        .unwrap();
        let (_, answer) = http_call(&mock.base_url(), Method::GET, &show, None).await;
        assert_eq!(
            schema_failures(&validators["show_snapshot"].1, &answer),
            vec![(at.to_string(), keyword.to_string())],
            "{fault:?}: {answer:#}"
        );
        mock.stop().await;
    }
}
