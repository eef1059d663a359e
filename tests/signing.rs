//! The AK/SK signer reproduces every vector the official SDK's signer produced, byte for byte.

use base64::Engine;
use conform::run::auth::aksk::{sign, Credentials, Request};
use serde_json::Value;

#[test]
fn every_official_vector_is_reproduced_byte_for_byte() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/vectors/sdk-hmac-sha256.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 30);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let i = &v["inputs"];
        let o = &v["outputs"];
        let s = |x: &Value| x.as_str().unwrap().to_string();
        let query: Vec<(String, String)> = i["query"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (s(&p[0]), s(&p[1])))
            .collect();
        let headers: Vec<(String, String)> = i["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), s(v)))
            .collect();
        let body: Option<Vec<u8>> = match (&i["body_utf8"], &i["body_b64"]) {
            (Value::String(t), _) => Some(t.as_bytes().to_vec()),
            (_, Value::String(b)) => {
                Some(base64::engine::general_purpose::STANDARD.decode(b).unwrap())
            }
            _ => None,
        };
        let req = Request {
            method: i["method"].as_str().unwrap(),
            scheme: i["scheme"].as_str().unwrap(),
            host: i["host"].as_str().unwrap(),
            path: i["path"].as_str().unwrap(),
            query: &query,
            headers: &headers,
            body: body.as_deref(),
        };
        let creds = Credentials {
            ak: i["ak"].as_str().unwrap(),
            sk: i["sk"].as_str().unwrap(),
            project_id: i["project_id"].as_str(),
            security_token: i["security_token"].as_str(),
        };
        let got = sign(&req, &creds, i["x_sdk_date"].as_str().unwrap());
        let check = |field: &str, ours: &str| {
            assert_eq!(ours, o[field].as_str().unwrap(), "{name}: {field}")
        };
        check("canonical_uri", &got.canonical_uri);
        check("canonical_query_string", &got.canonical_query_string);
        check("payload_hash", &got.payload_hash);
        check("signed_headers", &got.signed_headers);
        check("canonical_request", &got.canonical_request);
        check("string_to_sign", &got.string_to_sign);
        check("signature", &got.signature);
        check("authorization", &got.authorization);
        check("url", &got.url);
        let sent: serde_json::Map<String, Value> = got
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        assert_eq!(
            &Value::Object(sent),
            &o["headers_sent"],
            "{name}: headers_sent"
        );
    }
}
