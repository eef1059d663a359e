//! The mock's contract tier: a service nobody emulated by hand (VPC, derived from its pages) is
//! served from the contract: validated requests, documented statuses and envelopes, and
//! stateful create / read / update / delete for a kind in the resource table.

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
    let client = reqwest::Client::new();
    let mut req = client.request(method, url);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = resp.bytes().await.unwrap();
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
