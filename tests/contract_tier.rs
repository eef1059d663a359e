//! The mock's contract tier: a service nobody emulated by hand (VPC, derived from its pages) is
//! served from the contract: validated requests, documented statuses and envelopes, and
//! stateful create / read / update / delete for a kind in the resource table.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use conform::contract::derive::{self, manifest::Manifest, write};
use conform::contract::{Contract, SchemaKind};
use conform::mock::faults::{Fault, Faults};
use conform::mock::{self, MockConfig};
use serde_json::{json, Value};

fn vpc_contract() -> (tempfile::TempDir, Arc<Contract>) {
    let pages = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/pages/vpc");
    let derived = derive::derive(&[pages], &Manifest::default()).expect("the VPC set derives");
    let dir = tempfile::tempdir().unwrap();
    write::write(&derived, dir.path()).unwrap();
    // A resource entry is all it takes for VPCs to be stateful: no Rust.
    let table = json!([{
        "kind": "vpc",
        "service": "vpc",
        "collection": "vpcs",
        "read": {"method": "GET", "path": "/v1/{project_id}/vpcs/{id}"},
        "fields": {"name": "/vpc/name"},
        "update": {"method": "PUT", "path": "/v1/{project_id}/vpcs/{id}", "body": {"vpc": {"name": "{name}"}}},
        "delete": {"method": "DELETE", "path": "/v1/{project_id}/vpcs/{id}"},
        "created_id": "/vpc/id"
    }]);
    std::fs::write(dir.path().join("resources.json"), table.to_string()).unwrap();
    let contract = Contract::load(dir.path()).expect("the derived contract loads");
    (dir, Arc::new(contract))
}

async fn call(method: reqwest::Method, url: &str, body: Option<Value>) -> (u16, String, Value) {
    let (status, ct, bytes) = common::send(method, url, body.as_ref()).await;
    (
        status,
        ct,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unemulated_service_is_served_from_its_contract_with_state_from_the_table() {
    let (_dir, contract) = vpc_contract();
    let m = mock::spawn(MockConfig {
        contract: Some(contract.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let base = format!("{}/v1/p1/vpcs", m.base_url());
    use reqwest::Method as M;
    // Create: the documented success status, a body the documented response schema accepts.
    let (status, _, created) = call(
        M::POST,
        &base,
        Some(json!({"vpc": {"name": "conform", "cidr": "192.168.0.0/16"}})),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let validator = contract
        .validator("vpc.create_vpc.v1", SchemaKind::Response(200))
        .unwrap();
    assert!(validator.is_valid(&created), "{created}");
    assert_eq!(created["vpc"]["name"], "conform", "the request is echoed");
    let id = created["vpc"]["id"].as_str().unwrap().to_string();
    // Read, update, read back, delete, read again.
    let item = format!("{base}/{id}");
    let (status, _, read) = call(M::GET, &item, None).await;
    assert_eq!((status, &read["vpc"]["name"]), (200, &json!("conform")));
    let (status, _, _) = call(M::PUT, &item, Some(json!({"vpc": {"name": "renamed"}}))).await;
    assert_eq!(status, 200);
    let (_, _, read) = call(M::GET, &item, None).await;
    assert_eq!(
        read["vpc"]["name"], "renamed",
        "a PUT then a GET shows the change"
    );
    let (status, _, _) = call(M::DELETE, &item, None).await;
    assert_eq!(status, 200);
    let (status, _, gone) = call(M::GET, &item, None).await;
    assert_eq!(status, 404, "a DELETE then a GET is 404: {gone}");
    // The documented envelope, with a documented code.
    let codes = &contract.error_codes["vpc"][&404];
    assert!(
        codes.iter().any(|c| json!(c.code) == gone["error_code"]),
        "{gone}"
    );
    // An invalid body: 400 with the envelope, whatever the mistake (type, length).
    for bad in [
        json!({"vpc": {"name": 5}}),
        json!({"vpc": {"name": "x".repeat(65)}}),
        json!({}),
    ] {
        let (status, _, err) = call(M::POST, &base, Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad} → {err}");
        assert!(
            err["error_code"].as_str().is_some_and(|c| !c.is_empty()),
            "{err}"
        );
        assert!(err["error_msg"].is_string(), "{err}");
    }
    // The hand-written emulations are untouched.
    let v = mock::state::Fixtures::defaults().vars;
    let (status, _, snap) = call(
        M::GET,
        &format!(
            "{}/v2/{}/snapshots/{}",
            m.base_url(),
            v["project_id"],
            v["snapshot_id"]
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{snap}");
    // A path the contract does not have is still 404.
    let (status, _, _) = call(M::GET, &format!("{}/v9/nowhere", m.base_url()), None).await;
    assert_eq!(status, 404);
    m.stop().await;
}

/// `GET /__mock/resources` shows what the tier holds (what a run left behind shows there), and
/// `POST /__mock/reset` forgets what requests created, as it does the emulations' changes.
#[tokio::test(flavor = "multi_thread")]
async fn the_admin_api_shows_what_the_tier_holds_and_reset_forgets_it() {
    let (_dir, contract) = vpc_contract();
    let m = mock::spawn(MockConfig {
        contract: Some(contract),
        ..Default::default()
    })
    .await
    .unwrap();
    use reqwest::Method as M;
    let held = format!("{}/__mock/resources", m.base_url());
    let (status, _, before) = call(M::GET, &held, None).await;
    assert_eq!(
        (status, &before),
        (200, &json!({"created": {}, "documented": {}})),
        "nothing is held yet"
    );
    let base = format!("{}/v1/p1/vpcs", m.base_url());
    let (_, _, created) = call(
        M::POST,
        &base,
        Some(json!({"vpc": {"name": "conform", "cidr": "192.168.0.0/16"}})),
    )
    .await;
    let id = created["vpc"]["id"].as_str().unwrap().to_string();
    let (_, _, after) = call(M::GET, &held, None).await;
    assert_eq!(after["created"]["/v1/p1/vpcs"], json!([id]), "{after}");
    let (status, _, _) = call(M::POST, &format!("{}/__mock/reset", m.base_url()), None).await;
    assert_eq!(status, 204);
    let (_, _, reset) = call(M::GET, &held, None).await;
    assert_eq!(reset["created"], json!({}), "a reset forgets it: {reset}");
    let (status, _, _) = call(M::GET, &format!("{base}/{id}"), None).await;
    assert_eq!(status, 404, "the created VPC is gone");
    m.stop().await;

    // With the table derive infers, the pages' instances are seeded: they are `documented`,
    // never taken for what a run left behind.
    let pages = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/pages/vpc");
    let derived = derive::derive(&[pages], &Manifest::default()).expect("the VPC set derives");
    let dir = tempfile::tempdir().unwrap();
    write::write(&derived, dir.path()).unwrap();
    let m = mock::spawn(MockConfig {
        contract: Some(Arc::new(Contract::load(dir.path()).unwrap())),
        ..Default::default()
    })
    .await
    .unwrap();
    let (status, _, _) = call(M::GET, &format!("{}/v1/p1/vpcs", m.base_url()), None).await;
    assert_eq!(status, 200);
    let (_, _, seeded) = call(M::GET, &format!("{}/__mock/resources", m.base_url()), None).await;
    assert_eq!(seeded["created"], json!({}), "{seeded}");
    assert!(
        seeded["documented"]["/v1/p1/vpcs"]
            .as_array()
            .is_some_and(|ids| ids.len() == 1),
        "{seeded}"
    );
    m.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fault_modes_apply_to_the_contract_tier() {
    let (_dir, contract) = vpc_contract();
    let m = mock::spawn(MockConfig {
        contract: Some(contract),
        faults: Faults::new([Fault::TextContentType]),
        ..Default::default()
    })
    .await
    .unwrap();
    let (status, ct, _) = call(
        reqwest::Method::POST,
        &format!("{}/v1/p1/vpcs", m.base_url()),
        Some(json!({"vpc": {"name": "x"}})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/plain"), "{ct}");
    m.stop().await;
}

/// A 405 names what the path takes (RFC 9110), whoever answers it: the hand-written emulation's
/// methods and the contract's, and the contract's alone on a path only the contract has.
#[tokio::test(flavor = "multi_thread")]
async fn a_405_lists_the_methods_of_the_emulation_and_of_the_contract() {
    let (_dir, contract) = vpc_contract();
    let m = mock::spawn(MockConfig {
        contract: Some(contract),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let v = mock::state::Fixtures::defaults().vars;
    let client = reqwest::Client::new();
    let allow = |url: String| {
        let client = client.clone();
        async move {
            let r = client.patch(url).send().await.unwrap();
            let allow = r
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_string());
            (r.status().as_u16(), allow)
        }
    };
    let snapshot = format!(
        "{}/v2/{}/snapshots/{}",
        m.base_url(),
        v["project_id"],
        v["snapshot_id"]
    );
    let (status, listed) = allow(snapshot).await;
    let listed = listed.expect("the emulation's 405 carries Allow");
    assert_eq!(status, 405);
    for method in ["GET", "PUT"] {
        assert!(listed.split(',').any(|m| m == method), "{listed}");
    }
    let vpc = format!("{}/v1/{}/vpcs/some-vpc", m.base_url(), v["project_id"]);
    let (status, listed) = allow(vpc).await;
    let listed = listed.expect("the contract's 405 carries Allow");
    assert_eq!(status, 405);
    for method in ["GET", "PUT", "DELETE"] {
        assert!(listed.split(',').any(|m| m == method), "{listed}");
    }
    assert!(!listed.contains("PATCH"), "{listed}");
    m.stop().await;
}

/// A request is routed among its method's operations: `DELETE …/tags/action` is the delete of
/// the tag `action` (here the documented 404 of an unknown VPC), though `POST …/tags/action` is
/// another operation at the same path; a 405 there lists both methods.
#[test]
fn each_method_is_routed_among_its_own_operations() {
    let (_dir, contract) = inferred_vpc_contract();
    let op = |method: &str, path: &str| {
        contract
            .operations
            .iter()
            .any(|o| o.method == method && o.path == path)
    };
    assert!(op("POST", "/v2.0/{project_id}/vpcs/{vpc_id}/tags/action"));
    assert!(op("DELETE", "/v2.0/{project_id}/vpcs/{vpc_id}/tags/{key}"));
    let tier = conform::mock::contract_tier::Tier::new(contract.clone(), Faults::default());
    let path = "/v2.0/p1/vpcs/v-1/tags/action";
    let (status, body) = tier
        .answer(None, "DELETE", path, None, b"")
        .expect("routed");
    assert_eq!(status.as_u16(), 404, "{body:?}");
    let (status, _) = tier
        .answer(None, "PATCH", path, None, b"")
        .expect("a known path");
    assert_eq!(status.as_u16(), 405);
    assert_eq!(tier.methods(path), ["POST", "DELETE"]);
    // A trailing slash and doubled slashes are ignored, as they always were by the tier.
    assert_eq!(
        tier.methods("/v2.0//p1/vpcs/v-1/tags/action/"),
        ["POST", "DELETE"]
    );
}

/// The VPC contract as derived, with the resource table derive inferred (no declaration).
fn inferred_vpc_contract() -> (tempfile::TempDir, Arc<Contract>) {
    let pages = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/pages/vpc");
    let derived = derive::derive(&[pages], &Manifest::default()).expect("the VPC set derives");
    let dir = tempfile::tempdir().unwrap();
    write::write(&derived, dir.path()).unwrap();
    let contract = Contract::load(dir.path()).expect("the derived contract loads");
    (dir, Arc::new(contract))
}

/// Every inferred kind remembers: an empty list in its envelope, a create with a new id and a
/// timestamp in the contract's layout, list / read / update / delete of what is stored, and an
/// id nobody created is the documented 404 for reads, updates, deletes and actions alike, with
/// the not-found code about that kind (chosen by meaning, not by its place in the table).
#[tokio::test(flavor = "multi_thread")]
async fn every_inferred_kind_remembers_and_an_unknown_id_is_the_documented_404() {
    let (_dir, contract) = inferred_vpc_contract();
    let network = contract
        .resources
        .kinds
        .iter()
        .find(|k| k.collection_path.as_deref() == Some("/v2.0/networks"))
        .expect("networks are an inferred kind");
    assert_eq!(
        network.origin,
        conform::contract::resources::Origin::Inferred
    );
    assert_eq!(network.created_id.as_deref(), Some("/network/id"));
    let m = mock::spawn(MockConfig {
        contract: Some(contract.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    use reqwest::Method as M;
    let valid = |op: &str, body: &Value| {
        contract
            .validator(op, SchemaKind::Response(200))
            .is_some_and(|v| v.is_valid(body))
    };
    let base = format!("{}/v2.0/networks", m.base_url());
    // Before anything is created, the list holds the pages' example network, and reads find it.
    let (_, documented) = network.example_id().expect("the network pages show one");
    let documented = documented.to_string();
    let (status, _, start) = call(M::GET, &base, None).await;
    assert_eq!(status, 200, "{start}");
    assert_eq!(start["networks"][0]["id"], json!(documented), "{start}");
    assert_eq!(
        start["networks"].as_array().map(Vec::len),
        Some(1),
        "{start}"
    );
    assert!(valid("vpc.list_networks.v2_0", &start), "{start}");
    let (status, _, shown) = call(M::GET, &format!("{base}/{documented}"), None).await;
    assert_eq!(
        (status, &shown["network"]["name"]),
        (200, &network.example.as_ref().unwrap()["network"]["name"]),
        "{shown}"
    );
    let (status, _, made) = call(M::POST, &base, Some(json!({"network": {"name": "n1"}}))).await;
    assert_eq!(status, 200, "{made}");
    assert!(valid("vpc.create_network.v2_0", &made), "{made}");
    let id = made["network"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        made["network"]["name"], "n1",
        "what the request sent is kept"
    );
    let (_, _, listed) = call(M::GET, &base, None).await;
    assert_eq!(listed["networks"][1]["id"], json!(id), "{listed}");
    assert!(valid("vpc.list_networks.v2_0", &listed), "{listed}");
    let item = format!("{base}/{id}");
    let (status, _, _) = call(M::PUT, &item, Some(json!({"network": {"name": "n2"}}))).await;
    assert_eq!(status, 200);
    let (status, _, read) = call(M::GET, &item, None).await;
    assert_eq!((status, &read["network"]["name"]), (200, &json!("n2")));
    assert!(valid("vpc.show_network.v2_0", &read), "{read}");
    let (status, _, _) = call(M::DELETE, &item, None).await;
    assert_eq!(status, 200);
    let (_, _, listed) = call(M::GET, &base, None).await;
    assert_eq!(
        listed["networks"], start["networks"],
        "a delete removes it from the list"
    );
    for (method, body) in [
        (M::GET, None),
        (M::PUT, Some(json!({"network": {"name": "n3"}}))),
        (M::DELETE, None),
    ] {
        let (status, _, gone) = call(method.clone(), &item, body).await;
        assert_eq!(status, 404, "{method} after the delete: {gone}");
        assert!(gone["error_code"].is_string(), "{gone}");
    }
    // The not-found code about ports (VPC.2500 'Port xx not found'), not the table's first 404.
    let (status, _, port) = call(M::GET, &format!("{}/v2.0/ports/nope", m.base_url()), None).await;
    assert_eq!(
        (status, &port["error_code"]),
        (404, &json!("VPC.2500")),
        "{port}"
    );
    // A timestamp in the layout the contract states, and an action on a stored or unknown VPC.
    let vpcs = format!("{}/v1/p1/vpcs", m.base_url());
    let (_, _, vpc) = call(M::POST, &vpcs, Some(json!({"vpc": {"name": "v"}}))).await;
    assert!(valid("vpc.create_vpc.v1", &vpc), "{vpc}");
    let vpc_id = vpc["vpc"]["id"].as_str().unwrap().to_string();
    if let Some(pattern) = contract
        .schema("vpc.create_vpc.v1", SchemaKind::Response(200))
        .and_then(|s| s.pointer("/properties/vpc/properties/created_at/pattern"))
        .and_then(Value::as_str)
    {
        let created = vpc["vpc"]["created_at"].as_str().unwrap_or_default();
        assert!(
            regex::Regex::new(pattern).unwrap().is_match(created),
            "{created}"
        );
    }
    let action = |id: &str| format!("{}/v2.0/p1/vpcs/{id}/tags/action", m.base_url());
    let tags = json!({"action": "create", "tags": [{"key": "k", "value": "v"}]});
    let (status, _, out) = call(M::POST, &action(&vpc_id), Some(tags.clone())).await;
    assert_ne!(status, 404, "an action on a stored VPC: {out}");
    let (status, _, out) = call(M::POST, &action("nope"), Some(tags)).await;
    assert_eq!(status, 404, "an action on an unknown VPC: {out}");
    m.stop().await;
}

/// An asynchronous create answers a `job_id`; the job query answers that job completed, with
/// the new resource's id in `entities`; a job nobody started is not found.
#[tokio::test(flavor = "multi_thread")]
async fn the_mock_completes_the_jobs_of_asynchronous_creates() {
    let pages = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/pages/ims");
    let derived = derive::derive(&[pages], &Manifest::default()).expect("the IMS set derives");
    let dir = tempfile::tempdir().unwrap();
    write::write(&derived, dir.path()).unwrap();
    let contract = Arc::new(Contract::load(dir.path()).expect("the derived contract loads"));
    let m = mock::spawn(MockConfig {
        contract: Some(contract.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    use reqwest::Method as M;
    let body = json!({"name": "img", "instance_id": "9f3e6a10-0000-4000-8000-0000000000a1"});
    let (status, _, started) = call(
        M::POST,
        &format!("{}/v2/cloudimages/action", m.base_url()),
        Some(body),
    )
    .await;
    assert!((200..300).contains(&status), "{status} {started}");
    let job = started["job_id"].as_str().unwrap().to_string();
    let query = |id: &str| format!("{}/v1/p1/jobs/{id}", m.base_url());
    // Running when first read, as a region's job is: a client polls.
    let (status, _, running) = call(M::GET, &query(&job), None).await;
    assert_eq!(
        (status, &running["status"]),
        (200, &json!("RUNNING")),
        "{running}"
    );
    let (status, _, done) = call(M::GET, &query(&job), None).await;
    assert_eq!(
        (status, &done["status"]),
        (200, &json!("SUCCESS")),
        "{done}"
    );
    let image = done["entities"]["image_id"].as_str().unwrap_or_default();
    assert!(uuid::Uuid::parse_str(image).is_ok(), "{done}");
    let validator = contract
        .validator("ims.show_job.v1", SchemaKind::Response(200))
        .unwrap();
    assert!(validator.is_valid(&done), "{done}");
    let (status, _, _) = call(M::GET, &query("nope"), None).await;
    assert_eq!(status, 404);
    m.stop().await;
}

/// A page whose path has two parameters in one segment (`{region}:{floatingip_id}`).
const TWO_IN_ONE_SEGMENT: &str = r##"# 设置弹性公网IP的反向解析

## URI

PUT /v2/reverse/floatingips/\{region\}:\{floatingip\_id\}

|参数|是否必选|参数类型|描述|
|--|--|--|--|
|region|是|String|区域。|
|floatingip_id|是|String|弹性公网IP ID。|

## 请求参数

|参数|是否必选|参数类型|描述|
|--|--|--|--|
|ptrdname|是|String|域名。|

## 响应参数

|参数|参数类型|描述|
|--|--|--|
|id|String|ID。|
|ptrdname|String|域名。|

## 状态码

|状态码|描述|
|--|--|
|200|OK|
"##;

/// Each parameter of a mixed segment is a path parameter through derive, the export, the
/// runner's rendering and the contract tier's routing (issue 32).
#[test]
fn several_parameters_in_one_segment_are_each_a_path_parameter_end_to_end() {
    let pages = tempfile::tempdir().unwrap();
    let svc = pages.path().join("dns");
    std::fs::create_dir_all(&svc).unwrap();
    std::fs::write(svc.join("ptr.md"), TWO_IN_ONE_SEGMENT).unwrap();
    let derived = derive::derive(&[pages.path().to_path_buf()], &Manifest::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write::write(&derived, dir.path()).unwrap();
    let contract = Arc::new(Contract::load(dir.path()).unwrap());
    let op = &contract.operations[0];
    assert_eq!(op.path, "/v2/reverse/floatingips/{region}:{floatingip_id}");
    assert_eq!(op.path_params, vec!["region", "floatingip_id"]);
    assert!(op.query_params.is_empty(), "{:?}", op.query_params);

    let doc =
        conform::contract::openapi::document(&contract, conform::contract::openapi::Scope::Pages)
            .unwrap();
    let put = &doc["paths"][&op.path]["put"];
    let in_path: Vec<&str> = put["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "path")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(in_path, vec!["region", "floatingip_id"]);

    let tier = conform::mock::contract_tier::Tier::new(contract.clone(), Faults::default());
    // The floating IP is nobody's create: the tier serves the one id it seeds for it.
    let fip = tier.seeds.vars()["floatingip_id"].clone();
    let path = op
        .render_path(|n| {
            Some(if n == "region" {
                "cn-north-4".into()
            } else {
                fip.clone()
            })
        })
        .unwrap();
    assert_eq!(path, format!("/v2/reverse/floatingips/cn-north-4:{fip}"));
    let (status, body) = tier
        .answer(
            None,
            "PUT",
            &path,
            None,
            br#"{"ptrdname": "a.example.com."}"#,
        )
        .expect("the tier routes the mixed segment");
    assert_eq!(status.as_u16(), 200, "{body:?}");
    assert!(tier
        .answer(
            None,
            "PUT",
            "/v2/reverse/floatingips/cn-north-4",
            None,
            b"{}"
        )
        .is_none());
}

/// The tier checks query parameters as the pages state them: a value outside the documented
/// range or enum, or not of the documented type, is a 400 in the service's own error envelope
/// naming the parameter; a query within them is served.
#[tokio::test]
async fn query_parameters_outside_their_documented_limits_are_refused() {
    let (dir, contract) = inferred_vpc_contract();
    let op = contract
        .operations
        .iter()
        .find(|o| o.id == "vpc.list_networks.v2_0")
        .expect("the networks list is derived");
    let declared = |name: &str| {
        op.query_params
            .iter()
            .find(|q| q.name == name)
            .map(|q| q.schema.clone())
            .unwrap_or_default()
    };
    // What the refusals below rest on: the page's range for limit and enum for status.
    assert_eq!(declared("limit")["minimum"], json!(0));
    assert_eq!(
        declared("status")["enum"],
        json!(["ACTIVE", "BUILD", "DOWN"])
    );
    let m = mock::spawn(MockConfig {
        contract: Some(contract.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let errors = contract
        .validator("vpc.list_networks.v2_0", SchemaKind::Error)
        .expect("the VPC pages document an error envelope");
    let base = format!("{}/v2.0/networks", m.base_url());
    for (query, names) in [
        ("limit=-1", "'limit'"),
        ("limit=ten", "'limit'"),
        ("status=GONE", "'status'"),
        ("admin_state_up=maybe", "'admin_state_up'"),
    ] {
        let (status, _, body) = call(reqwest::Method::GET, &format!("{base}?{query}"), None).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            errors.is_valid(&body),
            "{query}: not the service's envelope: {body}"
        );
        assert!(body.to_string().contains(names), "{query}: {body}");
    }
    let (status, _, body) = call(
        reqwest::Method::GET,
        &format!("{base}?limit=5&status=ACTIVE&admin_state_up=true&unknown=x"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // `generate` writes a case at and past each of those limits; against the tier, each passes.
    let options = conform::generate::Options {
        operations: vec!["vpc.list_networks.v2_0".into()],
        ..Default::default()
    };
    let cases = conform::generate::generate(&contract, &options).unwrap();
    // The status each case expects, as written.
    let expects = |name: &str| {
        let case = cases
            .iter()
            .find(|c| c.id == format!("vpc/list_networks_v2_0/{name}"))
            .unwrap_or_else(|| panic!("no case {name}"));
        let at = case.yaml.find("status: ").expect("a status") + "status: ".len();
        case.yaml[at..]
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    // The page points to VPC's shared status page for its codes: any success listed there.
    let success = match op.success.as_slice() {
        [one] => one.to_string(),
        many => json!(many).to_string(),
    };
    assert_eq!(expects("query_limit__minimum_at_limit"), success);
    assert_eq!(expects("query_limit__minimum_past"), "400");
    assert_eq!(expects("query_limit__type_wrong"), "400");
    assert_eq!(expects("query_status__enum_inside"), success);
    // A filter value the page does not list may also match nothing: never a 5xx.
    assert_eq!(expects("query_status__enum_outside"), r#"["2xx","4xx"]"#);
    let cases_dir = tempfile::tempdir().unwrap();
    conform::generate::write(&cases, cases_dir.path()).unwrap();
    let args = conform::commands::run::RunArgs::new(
        cases_dir.path().to_path_buf(),
        dir.path().to_path_buf(),
        conform::commands::run::TargetChoice::Url(m.base_url()),
    );
    let mut out = Vec::new();
    let code = conform::commands::run::run(args, &mut out).await.unwrap();
    let out = String::from_utf8_lossy(&out);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("query_limit__minimum_past"), "{out}");
    m.stop().await;
}

/// The contract of training sets (`evs`, `ecs`), derived with its resource table.
fn training_contract(sets: &[&str]) -> (tempfile::TempDir, Arc<Contract>) {
    let pages: Vec<PathBuf> = sets
        .iter()
        .map(|s| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/pages")
                .join(s)
        })
        .collect();
    let derived = derive::derive(&pages, &Manifest::default()).expect("the sets derive");
    let dir = tempfile::tempdir().unwrap();
    write::write(&derived, dir.path()).unwrap();
    let contract = Contract::load(dir.path()).expect("the derived contract loads");
    (dir, Arc::new(contract))
}

/// The two tiers of one mock: requests to the hand-written routes go through the whole service,
/// requests to the contract tier straight to it.
struct Tiers {
    svc: mock::MockService,
}

impl Tiers {
    fn new(contract: Arc<Contract>) -> Tiers {
        Tiers {
            svc: mock::app(MockConfig {
                contract: Some(contract),
                ..Default::default()
            }),
        }
    }

    async fn hand(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        use tower::ServiceExt;
        let mut req = axum::http::Request::builder().method(method).uri(path);
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let resp = self
            .svc
            .clone()
            .oneshot(req.body(axum::body::Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    fn tier(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let tier = self.svc.mock().tier.as_ref().expect("a contract is served");
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let (status, answer) = tier
            .answer(None, method, path, None, body.as_bytes())
            .unwrap_or_else(|| panic!("the contract has no {method} {path}"));
        (status.as_u16(), answer.unwrap_or(Value::Null))
    }
}

/// Issue 37: one state for both tiers. A snapshot the contract tier creates is shown, updated,
/// listed and given metadata by the hand-written routes, and one they delete is gone for the
/// tier; a fixture snapshot the tier updates and deletes is changed and gone for the
/// hand-written routes.
#[tokio::test(flavor = "multi_thread")]
async fn both_tiers_read_and_write_one_store() {
    let (_dir, contract) = training_contract(&["evs", "ecs"]);
    let t = Tiers::new(contract);
    let v = mock::state::Fixtures::defaults().vars;
    let p = &v["project_id"];

    // Created through the contract tier.
    let (status, made) = t.tier(
        "POST",
        &format!("/v2/{p}/snapshots"),
        Some(json!({"snapshot": {"volume_id": "vol-1", "name": "from-tier", "metadata": {"k": "v"}}})),
    );
    assert_eq!(status, 202, "{made}");
    let id = made["snapshot"]["id"].as_str().unwrap().to_string();
    for version in ["v2", "v3"] {
        let (status, shown) = t
            .hand("GET", &format!("/{version}/{p}/snapshots/{id}"), None)
            .await;
        assert_eq!(status, 200, "{version}: {shown}");
        assert_eq!(shown["snapshot"]["name"], "from-tier");
        assert_eq!(shown["snapshot"]["volume_id"], "vol-1");
        assert_eq!(shown["snapshot"]["metadata"], json!({"k": "v"}));
    }
    let (status, listed) = t.hand("GET", &format!("/v2/{p}/snapshots"), None).await;
    assert_eq!(status, 200);
    assert!(lists(&listed, &id), "{listed}");
    let item = format!("/v2/{p}/snapshots/{id}");
    let (status, _) = t
        .hand("PUT", &item, Some(json!({"snapshot": {"name": "by-hand"}})))
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .hand(
            "PUT",
            &format!("{item}/metadata/k2"),
            Some(json!({"meta": {"k2": "v2"}})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = t.hand("GET", &format!("{item}/metadata/k"), None).await;
    assert_eq!(status, 200, "the metadata the tier's create sent");
    // The tier sees what the hand-written routes changed.
    let (status, read) = t.tier("GET", &item, None);
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["snapshot"]["name"], "by-hand");
    assert_eq!(read["snapshot"]["metadata"], json!({"k": "v", "k2": "v2"}));
    let (status, listed) = t.tier("GET", &format!("/v3/{p}/snapshots"), None);
    assert_eq!(status, 200);
    assert!(lists(&listed, &id), "{listed}");
    // Deleted by hand: gone for the tier.
    let (status, _) = t.hand("DELETE", &item, None).await;
    assert_eq!(status, 202);
    assert_eq!(t.tier("GET", &item, None).0, 404);
    assert_eq!(t.tier("DELETE", &item, None).0, 404);
    assert_eq!(
        t.tier("PUT", &item, Some(json!({"snapshot": {"name": "x"}})))
            .0,
        404
    );

    // Created by hand: the tier shows, lists, updates and deletes it.
    let (status, made) = t
        .hand(
            "POST",
            &format!("/v3/{p}/snapshots"),
            Some(json!({"snapshot": {"volume_id": "vol-2", "name": "by-hand"}})),
        )
        .await;
    assert_eq!(status, 202, "{made}");
    let id = made["snapshot"]["id"].as_str().unwrap().to_string();
    let item = format!("/v3/{p}/snapshots/{id}");
    // Shown once by hand first: the body it renders is cached until a write, the tier's too.
    assert_eq!(t.hand("GET", &item, None).await.0, 200);
    let (status, read) = t.tier("GET", &item, None);
    assert_eq!(
        (status, &read["snapshot"]["name"]),
        (200, &json!("by-hand"))
    );
    let (status, _) = t.tier(
        "PUT",
        &item,
        Some(json!({"snapshot": {"name": "tier-renamed"}})),
    );
    assert_eq!(status, 200);
    let (_, shown) = t.hand("GET", &item, None).await;
    assert_eq!(shown["snapshot"]["name"], "tier-renamed", "{shown}");
    let (status, _) = t.tier("DELETE", &item, None);
    assert_eq!(status, 202);
    assert_eq!(t.hand("GET", &item, None).await.0, 404);
    assert_eq!(t.hand("DELETE", &item, None).await.0, 404);
    assert_eq!(
        t.hand("GET", &format!("{item}/metadata"), None).await.0,
        404
    );

    // A fixture snapshot: the tier finds it and its metadata, and deletes it for both.
    let fixture = format!("/v2/{p}/snapshots/{}", v["snapshot_with_metadata_id"]);
    let (_, shown) = t.hand("GET", &fixture, None).await;
    let key = shown["snapshot"]["metadata"]
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .expect("the fixture holds metadata");
    let (status, read) = t.tier("GET", &fixture, None);
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["snapshot"]["name"], shown["snapshot"]["name"]);
    assert_eq!(
        t.tier("GET", &format!("{fixture}/metadata/{key}"), None).0,
        200
    );
    assert_eq!(
        t.tier("GET", &format!("{fixture}/metadata/nokey"), None).0,
        404
    );
    assert_eq!(t.tier("DELETE", &fixture, None).0, 202);
    assert_eq!(t.hand("GET", &fixture, None).await.0, 404);
    assert_eq!(t.tier("GET", &fixture, None).0, 404);

    // Another project's snapshot stays another project's for the tier.
    let other = format!("/v2/{p}/snapshots/{}", v["other_project_snapshot_id"]);
    assert_eq!(t.tier("GET", &other, None).0, 404);

    // Servers: a fixture server's metadata item is one the tier knows; an unknown server's, or
    // an unknown key, is its 404.
    let server = format!("/v2.1/{p}/servers/{}/metadata", v["server_id"]);
    let (_, items) = t.hand("GET", &server, None).await;
    let key = items["metadata"]
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .expect("the fixture server holds metadata");
    assert_eq!(t.tier("GET", &format!("{server}/{key}"), None).0, 200);
    assert_eq!(t.tier("GET", &format!("{server}/nokey"), None).0, 404);
    let nobody = format!("/v2.1/{p}/servers/{}/metadata/{key}", v["missing_id"]);
    assert_eq!(t.tier("GET", &nobody, None).0, 404);
}

/// The descriptions the contract documents for a code of a service.
/// Whether a snapshot list answer holds the snapshot `id`.
/// Whether a list answer holds the id in any of its top-level arrays (`snapshots`, `volumes`).
fn lists(listed: &Value, id: &str) -> bool {
    listed.as_object().is_some_and(|o| {
        o.values()
            .filter_map(Value::as_array)
            .any(|a| a.iter().any(|s| s["id"] == json!(id)))
    })
}

fn descriptions(contract: &Contract, service: &str, code: &Value) -> Vec<String> {
    contract.error_codes[service]
        .values()
        .flatten()
        .filter(|c| json!(c.code) == *code)
        .map(|c| c.message.to_lowercase())
        .collect()
}

/// Issue 37: the contract tier's codes mean what they say (a bad body's code speaks of an
/// invalid request, an unknown id's of something not found), and a create answers the path's
/// project, the metadata it was sent and timestamps in the contract's layout.
#[tokio::test(flavor = "multi_thread")]
async fn the_contract_tiers_codes_mean_what_they_say_and_a_create_answers_what_it_was_sent() {
    let (_dir, contract) = training_contract(&["evs"]);
    let t = Tiers::new(contract.clone());
    let p = &mock::state::Fixtures::defaults().vars["project_id"];
    let collection = format!("/v2/{p}/snapshots");
    let speaks_of = |code: &Value, words: &[&str], not: &[&str]| {
        let found = descriptions(&contract, "evs", code);
        assert!(!found.is_empty(), "{code} is documented");
        assert!(
            found
                .iter()
                .any(|d| words.iter().any(|w| d.contains(w)) && !not.iter().any(|w| d.contains(w))),
            "{code}: {found:?}"
        );
    };
    for bad in [
        json!({"snapshot": {"volume_id": 5}}),
        json!({"snapshot": "x"}),
        json!([]),
    ] {
        let (status, err) = t.tier("POST", &collection, Some(bad.clone()));
        assert_eq!(status, 400, "{bad}: {err}");
        speaks_of(
            &err["badRequest"]["code"],
            &["parameter", "invalid", "参数", "非法", "无效"],
            &["job", "token"],
        );
    }
    let (status, err) = t.tier(
        "GET",
        &format!("{collection}/{}", uuid::Uuid::new_v4()),
        None,
    );
    assert_eq!(status, 404, "{err}");
    speaks_of(
        &err["itemNotFound"]["code"],
        &["not found", "not be found", "not exist", "不存在"],
        &["kms"],
    );

    let (status, made) = t.tier(
        "POST",
        &collection,
        Some(json!({"snapshot": {"volume_id": "vol-1", "metadata": {"purpose": "test"}}})),
    );
    assert_eq!(status, 202, "{made}");
    let s = &made["snapshot"];
    assert_eq!(s["metadata"], json!({"purpose": "test"}), "{made}");
    assert_eq!(
        s["os-extended-snapshot-attributes:project_id"],
        json!(p),
        "{made}"
    );
    assert_eq!(s["volume_id"], "vol-1");
    let layout = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$").unwrap();
    for field in ["created_at", "updated_at"] {
        assert!(
            layout.is_match(s[field].as_str().unwrap_or_default()),
            "{made}"
        );
    }
    let validator = contract
        .validator("evs.create_snapshot.v2", SchemaKind::Response(202))
        .unwrap();
    assert!(validator.is_valid(&made), "{made}");
}

/// A contract's literal path wins over an emulated route that takes it through a parameter, as
/// within one routing table: BMS's `GET …/servers/detail` is its list, not the emulation's read
/// of a server whose id is `detail`; the emulation still reads real server ids.
#[tokio::test(flavor = "multi_thread")]
async fn a_contract_path_more_literal_than_an_emulated_route_is_the_contracts() {
    use conform::contract::Operation;
    let op = Operation::new(
        "bms.list_servers_detail.v2_1",
        "bms",
        "GET",
        "/v2.1/{project_id}/servers/detail",
    );
    let answer = json!({"type": "object", "required": ["servers"],
        "properties": {"servers": {"type": "array", "items": {"type": "object"}}}});
    let mut schemas = std::collections::BTreeMap::new();
    schemas.insert((op.id.clone(), SchemaKind::Response(200)), answer);
    let dir = tempfile::tempdir().unwrap();
    let contract =
        Contract::from_parts(vec![op], schemas, Default::default(), dir.path()).expect("builds");
    let m = mock::spawn(MockConfig {
        contract: Some(Arc::new(contract)),
        ..Default::default()
    })
    .await
    .unwrap();
    let v = mock::state::Fixtures::defaults().vars;
    let project = format!("{}/v2.1/{}", m.base_url(), v["project_id"]);
    let (status, _, listed) = call(
        reqwest::Method::GET,
        &format!("{project}/servers/detail"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert!(listed["servers"].is_array(), "{listed}");
    let (status, _, read) = call(
        reqwest::Method::GET,
        &format!("{project}/servers/{}", v["server_id"]),
        None,
    )
    .await;
    assert_eq!(
        (status, &read["server"]["id"]),
        (200, &json!(v["server_id"]))
    );
    m.stop().await;
}

/// A contract holding IAM's own pages is served as they say: its token issue and project
/// create are the tier's (the documented 201, a 400 for a body the schema refuses) unless IAM
/// is enabled on the mock (`--iam`), when the emulation issues the mock's token.
#[tokio::test(flavor = "multi_thread")]
async fn iams_own_pages_are_the_tiers_unless_iam_is_enabled() {
    use conform::contract::Operation;
    let mut token = Operation::new("iam.create_auth_token.v3", "iam", "POST", "/v3/auth/tokens");
    let mut project = Operation::new("iam.create_project.v3", "iam", "POST", "/v3/projects");
    for op in [&mut token, &mut project] {
        op.success = vec![201];
        op.request_body = true;
    }
    let request = json!({"type": "object", "required": ["auth"],
        "properties": {"auth": {"type": "object"}}});
    let answer = json!({"type": "object", "required": ["token"],
        "properties": {"token": {"type": "object"}}});
    let mut schemas = std::collections::BTreeMap::new();
    schemas.insert((token.id.clone(), SchemaKind::Request), request);
    schemas.insert((token.id.clone(), SchemaKind::Response(201)), answer);
    schemas.insert(
        (project.id.clone(), SchemaKind::Request),
        json!({"type": "object", "required": ["project"]}),
    );
    schemas.insert(
        (project.id.clone(), SchemaKind::Response(201)),
        json!({"type": "object", "required": ["project"]}),
    );
    let dir = tempfile::tempdir().unwrap();
    let contract = Arc::new(
        Contract::from_parts(
            vec![token, project],
            schemas,
            Default::default(),
            dir.path(),
        )
        .expect("builds"),
    );
    let m = mock::spawn(MockConfig {
        contract: Some(contract.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let tokens = format!("{}/v3/auth/tokens", m.base_url());
    let (status, _, made) = call(reqwest::Method::POST, &tokens, Some(json!({"auth": {}}))).await;
    assert_eq!(status, 201, "{made}");
    assert!(made["token"].is_object(), "{made}");
    let (status, _, refused) = call(reqwest::Method::POST, &tokens, Some(json!({}))).await;
    assert_eq!(status, 400, "{refused}");
    let projects = format!("{}/v3/projects", m.base_url());
    let (status, _, made) = call(
        reqwest::Method::POST,
        &projects,
        Some(json!({"project": {}})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    m.stop().await;

    let m = mock::spawn(MockConfig {
        contract: Some(contract),
        auth: mock::MockAuth::Token("tok".into()),
        iam_user: Some(("alice".into(), "pw".into())),
        ..Default::default()
    })
    .await
    .unwrap();
    let tokens = format!("{}/v3/auth/tokens", m.base_url());
    let (status, _, _) = call(reqwest::Method::POST, &tokens, Some(json!({"auth": {}}))).await;
    assert_eq!(status, 401, "the emulation checks the configured user");
    m.stop().await;
}

/// Where the contract documents the version list (`GET /`, 300 Multiple Choices as Cinder
/// answers it), the emulation's version document is answered with that status.
#[tokio::test(flavor = "multi_thread")]
async fn the_version_list_answers_the_status_the_contract_documents() {
    use conform::contract::Operation;
    let mut op = Operation::new("evs.list", "evs", "GET", "/");
    op.success = vec![300];
    let dir = tempfile::tempdir().unwrap();
    let contract =
        Contract::from_parts(vec![op], Default::default(), Default::default(), dir.path())
            .expect("builds");
    let m = mock::spawn(MockConfig {
        contract: Some(Arc::new(contract)),
        ..Default::default()
    })
    .await
    .unwrap();
    let (status, _, listed) = call(reqwest::Method::GET, &format!("{}/", m.base_url()), None).await;
    assert_eq!(status, 300, "{listed}");
    assert!(listed["versions"].is_array(), "{listed}");
    m.stop().await;
    let m = mock::spawn(MockConfig::default()).await.unwrap();
    let (status, _, _) = call(reqwest::Method::GET, &format!("{}/", m.base_url()), None).await;
    assert_eq!(
        status, 200,
        "without a contract, the emulation's own status"
    );
    m.stop().await;
}

/// Where the contract also documents an operation the emulation answers, a `null` the
/// emulation answers where the contract types a string (Nova's `task_state`, typed string by
/// the ECS pages) is fitted to the contract; the emulation's other fields stay.
#[tokio::test(flavor = "multi_thread")]
async fn an_emulated_answer_is_fitted_to_the_contract_that_documents_it() {
    use conform::contract::Operation;
    let op = Operation::new(
        "ecs.show_server.v2_1",
        "ecs",
        "GET",
        "/v2.1/{project_id}/servers/{server_id}",
    );
    let answer = json!({"type": "object", "properties": {"server": {"type": "object",
        "properties": {"OS-EXT-STS:task_state": {"type": "string"}}}}});
    let mut schemas = std::collections::BTreeMap::new();
    schemas.insert((op.id.clone(), SchemaKind::Response(200)), answer);
    let dir = tempfile::tempdir().unwrap();
    let contract =
        Contract::from_parts(vec![op], schemas, Default::default(), dir.path()).expect("builds");
    let v = mock::state::Fixtures::defaults().vars;
    let read = |base: String| format!("{base}/v2.1/{}/servers/{}", v["project_id"], v["server_id"]);
    let plain = mock::spawn(MockConfig::default()).await.unwrap();
    let (status, _, as_is) = call(reqwest::Method::GET, &read(plain.base_url()), None).await;
    assert_eq!(status, 200, "{as_is}");
    assert!(
        as_is["server"]["OS-EXT-STS:task_state"].is_null(),
        "{as_is}"
    );
    plain.stop().await;
    let m = mock::spawn(MockConfig {
        contract: Some(Arc::new(contract)),
        ..Default::default()
    })
    .await
    .unwrap();
    let (status, _, fitted) = call(reqwest::Method::GET, &read(m.base_url()), None).await;
    assert_eq!(status, 200, "{fitted}");
    assert!(
        fitted["server"]["OS-EXT-STS:task_state"].is_string(),
        "{fitted}"
    );
    assert_eq!(fitted["server"]["id"], json!(v["server_id"]));
    assert!(
        fitted["server"]["OS-SRV-USG:terminated_at"].is_null(),
        "undocumented: kept"
    );
    m.stop().await;
}

/// The contract derived from pages (file name, text) written into a folder named as their
/// service.
fn derived_from(service: &str, pages: &[(&str, String)]) -> (tempfile::TempDir, Arc<Contract>) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join(service);
    std::fs::create_dir(&src).unwrap();
    for (name, text) in pages {
        std::fs::write(src.join(name), text).unwrap();
    }
    let derived = derive::derive(&[src], &Manifest::default()).expect("the pages derive");
    let out = dir.path().join("schemas");
    write::write(&derived, &out).unwrap();
    let contract = Arc::new(Contract::load(&out).expect("the derived contract loads"));
    (dir, contract)
}

/// A synthetic reference page: title, `METHOD path`, the request rows, the response rows
/// (pipe-table rows), tables the rows refer to, and the success status.
fn synthetic_page(
    title: &str,
    route: &str,
    request: &[&str],
    response: &[&str],
    tables: &str,
    status: u16,
) -> String {
    let head = "|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n";
    let rhead = "|参数|参数类型|描述|\n|--|--|--|\n";
    let mut page = format!("# {title}\n\n## URI\n\n{route}\n\n");
    let params: Vec<&str> = route
        .split(['{', '}'])
        .skip(1)
        .step_by(2)
        .map(|p| p.trim_end_matches('\\'))
        .collect();
    if !params.is_empty() {
        page += head;
        for p in params {
            page += &format!("|{p}|是|String|标识。|\n");
        }
        page += "\n";
    }
    if !request.is_empty() {
        page += &format!("## 请求参数\n\n{head}{}\n\n", request.join("\n"));
    }
    if !response.is_empty() {
        page += &format!("## 响应参数\n\n{rhead}{}\n\n", response.join("\n"));
    }
    page += tables;
    page += &format!("\n## 状态码\n\n|状态码|描述|\n|--|--|\n|{status}|OK|\n");
    page
}

/// An asynchronous create under another API version (EVS's `POST /v2.1/…/cloudvolumes`, which
/// has no read of its own) makes what the v2 read shows: its answer lists the new id, the job
/// names it and describes what was made, the v2 read, update (answered with the bare fields),
/// the `…/detail` list and the delete all find it, as the Huawei SDK's create, show, update,
/// list and delete expect.
#[tokio::test(flavor = "multi_thread")]
async fn a_create_under_another_version_makes_what_the_read_shows_and_the_job_describes_it() {
    let volume = "\n**表 3** volume字段说明\n\n|参数|参数类型|描述|\n|--|--|--|\n|id|String|ID。|\n|name|String|名称。|\n|size|Integer|大小。|\n";
    let sent = ["|volume|是|Object|请参见表3。|"];
    let fields = [
        "|id|String|ID。|",
        "|name|String|名称。|",
        "|size|Integer|大小。|",
    ];
    let pages = [
        ("创建v2.md", synthetic_page("创建云硬盘", "POST /v2/\\{project\\_id\\}/cloudvolumes", &sent, &["|job_id|String|任务ID。|"], volume, 202)),
        ("创建v21.md", synthetic_page("创建云硬盘（包周期）", "POST /v2.1/\\{project\\_id\\}/cloudvolumes", &sent, &["|job_id|String|任务ID。|", "|order_id|String|订单ID。|", "|volume_ids|Array of strings|云硬盘ID列表。|"], volume, 202)),
        ("查询.md", synthetic_page("查询云硬盘", "GET /v2/\\{project\\_id\\}/cloudvolumes/\\{volume\\_id\\}", &[], &["|volume|Object|请参见表3。|"], volume, 200)),
        ("更新.md", synthetic_page("更新云硬盘", "PUT /v2/\\{project\\_id\\}/cloudvolumes/\\{volume\\_id\\}", &sent, &fields, volume, 200)),
        ("删除.md", synthetic_page("删除云硬盘", "DELETE /v2/\\{project\\_id\\}/cloudvolumes/\\{volume\\_id\\}", &[], &["|job_id|String|任务ID。|"], "", 202)),
        ("列表.md", synthetic_page("查询云硬盘列表", "GET /v2/\\{project\\_id\\}/cloudvolumes", &[], &["|volumes|Array of objects|请参见表3。|"], volume, 200)),
        ("详情列表.md", synthetic_page("查询云硬盘详情列表", "GET /v2/\\{project\\_id\\}/cloudvolumes/detail", &[], &["|volumes|Array of objects|请参见表3。|", "|count|Integer|数目。|"], volume, 200)),
        ("任务.md", synthetic_page("查询Job的状态", "GET /v1/\\{project\\_id\\}/jobs/\\{job\\_id\\}", &[], &["|status|String|状态。|", "|job_id|String|任务ID。|", "|entities|Object|请参见表3。|"], "\n**表 3** entities字段说明\n\n|参数|参数类型|描述|\n|--|--|--|\n|volume_id|String|ID。|\n|name|String|名称。|\n|size|Integer|大小。|\n", 200)),
    ];
    let (_dir, contract) = derived_from("evs", &pages);
    let m = mock::spawn(MockConfig {
        contract: Some(contract),
        ..Default::default()
    })
    .await
    .unwrap();
    use reqwest::Method as M;
    let base = |v: &str| format!("{}/{v}/p1/cloudvolumes", m.base_url());
    let body = json!({"volume": {"name": "sent", "size": 10}});
    let (status, _, made) = call(M::POST, &base("v2.1"), Some(body)).await;
    assert_eq!(status, 202, "{made}");
    let id = made["volume_ids"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        uuid::Uuid::parse_str(&id).is_ok(),
        "the answer lists the new id: {made}"
    );
    let job = made["job_id"].as_str().unwrap_or_default().to_string();
    let query = format!("{}/v1/p1/jobs/{job}", m.base_url());
    let (_, _, running) = call(M::GET, &query, None).await;
    assert_eq!(running["entities"]["volume_id"], json!(id), "{running}");
    assert_eq!(
        (&running["entities"]["name"], &running["entities"]["size"]),
        (&json!("sent"), &json!(10)),
        "the job describes what was made: {running}"
    );
    let item = format!("{}/{id}", base("v2"));
    let (status, _, shown) = call(M::GET, &item, None).await;
    assert_eq!(
        (status, &shown["volume"]["name"]),
        (200, &json!("sent")),
        "{shown}"
    );
    let rename = json!({"volume": {"name": "renamed"}});
    let (status, _, updated) = call(M::PUT, &item, Some(rename)).await;
    assert_eq!(
        (status, &updated["name"], &updated["id"]),
        (200, &json!("renamed"), &json!(id)),
        "the bare answer holds what is stored: {updated}"
    );
    let (status, _, listed) = call(M::GET, &format!("{}/detail", base("v2")), None).await;
    assert_eq!(status, 200, "{listed}");
    assert!(lists(&listed, &id), "the detail list holds it: {listed}");
    let (status, _, _) = call(M::DELETE, &item, None).await;
    assert_eq!(status, 202);
    let (status, _, _) = call(M::GET, &item, None).await;
    assert_eq!(status, 404);
    let (_, _, listed) = call(M::GET, &format!("{}/detail", base("v2")), None).await;
    assert!(!lists(&listed, &id), "{listed}");
    m.stop().await;
}

/// A kind that is itself a job (SIS's transcriber jobs: the create answers the new job's id as
/// `job_id`, `GET …/jobs/{job_id}` reads it) is stored under the id the create answers: the read
/// finds it. A create of another kind answering a `job_id` starts a job of the job table instead.
#[tokio::test(flavor = "multi_thread")]
async fn a_kind_that_is_a_job_is_read_by_the_id_its_create_answers() {
    let job =
        "\n**表 3** config字段说明\n\n|参数|参数类型|描述|\n|--|--|--|\n|property|String|属性。|\n";
    let pages = [
        (
            "提交.md",
            synthetic_page(
                "提交录音文件识别任务",
                "POST /v1/\\{project\\_id\\}/asr/transcriber/jobs",
                &[
                    "|data_url|是|String|地址。|",
                    "|config|是|Object|请参见表3。|",
                ],
                &["|job_id|String|任务ID。|"],
                job,
                200,
            ),
        ),
        (
            "查询.md",
            synthetic_page(
                "查询录音文件识别结果",
                "GET /v1/\\{project\\_id\\}/asr/transcriber/jobs/\\{job\\_id\\}",
                &[],
                &["|status|String|状态。|", "|create_time|String|创建时间。|"],
                job,
                200,
            ),
        ),
    ];
    let (_dir, contract) = derived_from("sis", &pages);
    let m = mock::spawn(MockConfig {
        contract: Some(contract),
        ..Default::default()
    })
    .await
    .unwrap();
    use reqwest::Method as M;
    let jobs = format!("{}/v1/p1/asr/transcriber/jobs", m.base_url());
    let body = json!({"data_url": "u", "config": {"property": "p"}});
    let (status, _, made) = call(M::POST, &jobs, Some(body)).await;
    assert_eq!(status, 200, "{made}");
    let id = made["job_id"].as_str().unwrap_or_default().to_string();
    let (status, _, shown) = call(M::GET, &format!("{jobs}/{id}"), None).await;
    assert_eq!(status, 200, "the job the create answered is read: {shown}");
    let (status, _, _) = call(M::GET, &format!("{jobs}/nope"), None).await;
    assert_eq!(status, 404);
    m.stop().await;
}

/// Pages of a `thing` kind with a view below its item (`…/things/{thing_id}/labels`, the
/// labels map the create sent) and tags the client names by PUT (`…/tags/{tag}`).
fn things_with_a_view_and_named_tags() -> (tempfile::TempDir, Arc<Contract>) {
    let thing = "\n**表 3** thing字段说明\n\n|参数|参数类型|描述|\n|--|--|--|\n|id|String|ID。|\n|name|String|名称。|\n|labels|Map<String,String>|标签。|\n";
    let pages = [
        (
            "创建.md",
            synthetic_page(
                "创建事物",
                "POST /v2/\\{project\\_id\\}/things",
                &["|thing|是|Object|请参见表3。|"],
                &["|thing|Object|请参见表3。|"],
                thing,
                200,
            ),
        ),
        (
            "查询.md",
            synthetic_page(
                "查询事物",
                "GET /v2/\\{project\\_id\\}/things/\\{thing\\_id\\}",
                &[],
                &["|thing|Object|请参见表3。|"],
                thing,
                200,
            ),
        ),
        (
            "删除.md",
            synthetic_page(
                "删除事物",
                "DELETE /v2/\\{project\\_id\\}/things/\\{thing\\_id\\}",
                &[],
                &[],
                "",
                204,
            ),
        ),
        (
            "标签视图.md",
            synthetic_page(
                "查询事物的标签",
                "GET /v2/\\{project\\_id\\}/things/\\{thing\\_id\\}/labels",
                &[],
                &["|labels|Map<String,String>|标签。|"],
                "",
                200,
            ),
        ),
        (
            "单个标签视图.md",
            synthetic_page(
                "查询事物的单个标签",
                "GET /v2/\\{project\\_id\\}/things/\\{thing\\_id\\}/labels/\\{label\\}",
                &[],
                &["|labels|Map<String,String>|标签。|"],
                "",
                200,
            ),
        ),
        (
            "设置标签.md",
            synthetic_page(
                "设置标签",
                "PUT /v2/\\{project\\_id\\}/things/\\{thing\\_id\\}/tags/\\{tag\\}",
                &[],
                &["|value|String|值。|"],
                "",
                201,
            ),
        ),
        (
            "查询标签.md",
            synthetic_page(
                "查询标签",
                "GET /v2/\\{project\\_id\\}/things/\\{thing\\_id\\}/tags/\\{tag\\}",
                &[],
                &["|value|String|值。|"],
                "",
                200,
            ),
        ),
        (
            "删除标签.md",
            synthetic_page(
                "删除标签",
                "DELETE /v2/\\{project\\_id\\}/things/\\{thing\\_id\\}/tags/\\{tag\\}",
                &[],
                &[],
                "",
                204,
            ),
        ),
    ];
    derived_from("svc", &pages)
}

/// A GET below an item that lists nothing of its own answers the fields of the item it runs
/// below (Nova's `…/servers/{id}/ips` shows the server's addresses): the labels the create sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_view_below_an_item_answers_what_the_item_holds() {
    let (_dir, contract) = things_with_a_view_and_named_tags();
    let m = mock::spawn(MockConfig {
        contract: Some(contract),
        ..Default::default()
    })
    .await
    .unwrap();
    use reqwest::Method as M;
    let body = json!({"thing": {"name": "a", "labels": {"team": "blue"}}});
    let base = format!("{}/v2/p1/things", m.base_url());
    let (status, _, made) = call(M::POST, &base, Some(body)).await;
    assert_eq!(status, 200, "{made}");
    let id = made["thing"]["id"].as_str().unwrap_or_default().to_string();
    let (status, _, view) = call(M::GET, &format!("{base}/{id}/labels"), None).await;
    assert_eq!(
        (status, &view),
        (200, &json!({"labels": {"team": "blue"}})),
        "the view shows what the item holds"
    );
    let (status, _, _) = call(M::GET, &format!("{base}/nope/labels"), None).await;
    assert_eq!(status, 404, "below an unknown item: not found");
    m.stop().await;
}

/// One entry of such a view (Nova's `…/servers/{id}/ips/{networkName}`) is nobody's to
/// create: it exists where the view shows its key, and is the documented 404 elsewhere.
#[tokio::test(flavor = "multi_thread")]
async fn an_entry_of_a_view_below_an_item_is_found_by_the_key_the_view_shows() {
    let (_dir, contract) = things_with_a_view_and_named_tags();
    let m = mock::spawn(MockConfig {
        contract: Some(contract),
        ..Default::default()
    })
    .await
    .unwrap();
    use reqwest::Method as M;
    let body = json!({"thing": {"name": "a", "labels": {"team": "blue"}}});
    let base = format!("{}/v2/p1/things", m.base_url());
    let (status, _, made) = call(M::POST, &base, Some(body)).await;
    assert_eq!(status, 200, "{made}");
    let id = made["thing"]["id"].as_str().unwrap_or_default().to_string();
    let (status, _, entry) = call(M::GET, &format!("{base}/{id}/labels/team"), None).await;
    assert_eq!(status, 200, "the key the view shows: {entry}");
    let (status, _, _) = call(M::GET, &format!("{base}/{id}/labels/nope"), None).await;
    assert_eq!(status, 404, "a key the view does not show: not found");
    let (status, _, _) = call(M::GET, &format!("{base}/nope/labels/team"), None).await;
    assert_eq!(status, 404, "below an unknown item: not found");
    m.stop().await;
}

/// A PUT of an item the client names (a tag) makes it again after a delete: the generated
/// use-after-delete case does not expect it to be refused, and still checks the read.
#[test]
fn use_after_delete_leaves_out_a_put_that_makes_the_named_item_again() {
    let (_dir, contract) = things_with_a_view_and_named_tags();
    let cases = conform::generate::generate(&contract, &conform::generate::Options::default())
        .expect("the contract generates");
    let uad: Vec<&str> = cases
        .iter()
        .filter(|c| c.id.ends_with("/use_after_delete") && c.id.contains("tag"))
        .map(|c| c.yaml.as_str())
        .collect();
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert!(
        !uad.is_empty(),
        "a use-after-delete case of the tag kind: {ids:?}"
    );
    for yaml in uad {
        assert!(
            !yaml.contains("PUT svc.update_thing_tag.v2 after the delete"),
            "no PUT of the tag after its delete:\n{yaml}"
        );
        assert!(
            yaml.contains("GET svc.show_thing_tag.v2 after the delete"),
            "the read is still checked:\n{yaml}"
        );
    }
}

/// A field documented up to 2 MiB ("最长2097152字节", APIG's debug body) is the service's to
/// accept at its limit: the contract tier reads a body that large instead of answering 413 for
/// its size, and still refuses one past what the contract allows.
#[tokio::test(flavor = "multi_thread")]
async fn a_body_holding_a_field_at_its_documented_byte_limit_is_read() {
    let page = synthetic_page(
        "调试接口",
        "POST /v1/{project_id}/debugs",
        &["|body|否|String|请求消息体，最长2097152字节|"],
        &["|id|String|标识。|"],
        "",
        200,
    );
    let (_dir, contract) = derived_from("dbg", &[("调试接口.md", page)]);
    let op = contract
        .operations
        .iter()
        .find(|o| o.method == "POST")
        .expect("the POST is derived");
    let request = contract
        .schemas
        .get(&(op.id.clone(), SchemaKind::Request))
        .expect("the request schema is derived");
    assert_eq!(request["properties"]["body"]["x-maxBytes"], 2_097_152);
    let m = mock::spawn(MockConfig {
        contract: Some(contract.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let url = format!("{}/v1/p1/debugs", m.base_url());
    let at_limit = "x".repeat(2_097_152);
    let (status, _, body) = call(
        reqwest::Method::POST,
        &url,
        Some(json!({ "body": at_limit })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let over = "x".repeat(2_097_153);
    let (status, _, _) = call(reqwest::Method::POST, &url, Some(json!({ "body": over }))).await;
    assert_eq!(
        status, 400,
        "one byte past the field's limit is the schema's refusal"
    );
}

/// An array's documented item counts (`最少1个`, `最多3个`) are cases at and past each limit,
/// and the tier holds the request to them: at a limit it is accepted, under or over it refused,
/// and the generated suite passes against the tier. A list of ids of other resources is only
/// tested past its limit: made-up ids at the limit name nothing.
#[tokio::test(flavor = "multi_thread")]
async fn an_arrays_item_counts_are_tested_at_and_past_each_limit() {
    let member = "\n**表 3** Member\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n|name|是|String|名称。|\n";
    let sent = [
        "|members|是|Array of Member objects|成员，最少1个，最多3个。请参见表3。|",
        "|volume_ids|否|Array of strings|云硬盘ID，最多2个。|",
    ];
    let list = "# 查询组列表\n\n## URI\n\nGET /v1/\\{project\\_id\\}/groups\n\n**表 1**  Query参数\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n|names|否|Array of strings|名称，最多2个。|\n\n## 响应参数\n\n|参数|参数类型|描述|\n|--|--|--|\n|groups|Array of objects|组。|\n\n## 状态码\n\n|状态码|描述|\n|--|--|\n|200|OK|\n";
    let pages = [
        (
            "创建.md",
            synthetic_page(
                "创建组",
                "POST /v1/\\{project\\_id\\}/groups",
                &sent,
                &["|id|String|ID。|"],
                member,
                200,
            ),
        ),
        ("列表.md", list.to_string()),
    ];
    let (dir, contract) = derived_from("sv", &pages);
    let op = "sv.create_group.v1";
    let request = contract
        .schema(op, SchemaKind::Request)
        .expect("the create has a body");
    // What the cases below rest on: the counts as derived.
    assert_eq!(
        (
            &request["properties"]["members"]["minItems"],
            &request["properties"]["members"]["maxItems"],
            &request["properties"]["volume_ids"]["maxItems"],
        ),
        (&json!(1), &json!(3), &json!(2)),
        "{request}"
    );
    let cases = conform::generate::generate(&contract, &Default::default()).unwrap();
    let case = |name: &str| {
        cases
            .iter()
            .find(|c| c.id == format!("sv/create_group_v1/{name}"))
            .map(|c| serde_saphyr::from_str::<Value>(&c.yaml).expect("a case is YAML"))
    };
    // The page documents no error status: a refusal is any 4xx.
    let sent = |name: &str, field: &str| -> (usize, Value) {
        let c = case(name).unwrap_or_else(|| panic!("no case {name}"));
        let step = &c["steps"][0];
        let items = step["request"]["body"][field]
            .as_array()
            .map_or(usize::MAX, Vec::len);
        (items, step["expect"]["status"].clone())
    };
    assert_eq!(
        sent("members__min_items_at_limit", "members"),
        (1, json!(200))
    );
    assert_eq!(
        sent("members__min_items_under", "members"),
        (0, json!("4xx"))
    );
    assert_eq!(
        sent("members__max_items_at_limit", "members"),
        (3, json!(200))
    );
    assert_eq!(
        sent("members__max_items_over", "members"),
        (4, json!("4xx"))
    );
    assert_eq!(
        sent("volume_ids__max_items_over", "volume_ids"),
        (3, json!("4xx"))
    );
    assert!(case("volume_ids__max_items_at_limit").is_none());
    // A list in a query is one comma-separated value, counted by the tier.
    let query = |name: &str| {
        let c = cases
            .iter()
            .find(|c| c.id == format!("sv/list_groups_v1/{name}"))
            .unwrap_or_else(|| panic!("no case {name}"));
        let c = serde_saphyr::from_str::<Value>(&c.yaml).expect("a case is YAML");
        let step = &c["steps"][0];
        (
            step["request"]["query"]["names"].clone(),
            step["expect"]["status"].clone(),
        )
    };
    let names = |n: usize| json!(vec!["conform"; n].join(","));
    assert_eq!(
        query("query_names__max_items_at_limit"),
        (names(2), json!(200))
    );
    assert_eq!(
        query("query_names__max_items_over"),
        (names(3), json!("4xx"))
    );
    let m = mock::spawn(MockConfig {
        contract: Some(contract.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let cases_dir = tempfile::tempdir().unwrap();
    conform::generate::write(&cases, cases_dir.path()).unwrap();
    let mut args = conform::commands::run::RunArgs::new(
        cases_dir.path().to_path_buf(),
        dir.path().join("schemas"),
        conform::commands::run::TargetChoice::Url(m.base_url()),
    );
    args.allow_mutation = true;
    let mut out = Vec::new();
    let code = conform::commands::run::run(args, &mut out).await.unwrap();
    let out = String::from_utf8_lossy(&out);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("members__max_items_over"), "{out}");
    assert!(out.contains("query_names__max_items_over"), "{out}");
    m.stop().await;
}
