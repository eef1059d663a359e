//! The reference mock, in-process: every documented rule, errors, admin, auth, and a property
//! test showing that no input yields a 5xx or a panic.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use conform::mock::faults::{Fault, Faults};
use conform::mock::state::Fixtures;
use conform::mock::{app as build_app, MockAuth, MockConfig};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

fn vars() -> std::collections::BTreeMap<String, String> {
    Fixtures::defaults().vars
}

fn var(name: &str) -> String {
    vars()[name].clone()
}

fn mock() -> Router {
    build_app(MockConfig::default())
}

async fn call(
    app: &Router,
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
    app: &Router,
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
async fn autobk_snapshots_are_forbidden() {
    let app = mock();
    let path = format!(
        "/v2/{}/snapshots/{}",
        var("project_id"),
        var("autobk_snapshot_id")
    );
    let (s, b, _) = call(
        &app,
        Method::PUT,
        &path,
        Some(json!({"snapshot": {"name": "x"}})),
    )
    .await;
    assert_eq!(
        (s, b["forbidden"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("EVS.5403"))
    );
}

#[tokio::test]
async fn v3_responses_carry_the_reserved_attributes() {
    let (_, b, _) = call(&mock(), Method::GET, &snap("v3"), None).await;
    assert_eq!(
        b["snapshot"]["os-extended-snapshot-attributes:project_id"],
        json!(var("project_id"))
    );
    assert!(b["snapshot"]["os-extended-snapshot-attributes:progress"].is_string());
    let (_, b, _) = call(&mock(), Method::GET, &snap("v2"), None).await;
    assert!(b["snapshot"]
        .get("os-extended-snapshot-attributes:progress")
        .is_none());
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

#[tokio::test]
async fn robustness_errors_keep_the_envelope() {
    let app = mock();
    let (s, b, h) = call(&app, Method::GET, "/nope", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(b["itemNotFound"]["message"].is_string());
    assert!(h.get("x-request-id").is_some());
    let (s, b, _) = call(&app, Method::POST, &snap("v2"), None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert!(b["methodNotAllowed"].is_object());
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
    let (s, b, _) = call_raw(&app, Method::PUT, &snap("v2"), Some(big.into_bytes()), &[]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(b["overLimit"].is_object());
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
