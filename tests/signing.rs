//! The AK/SK signer reproduces every vector the official SDK's signer produced, byte for byte.

mod common;

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

mod mock_verification {
    use axum::body::Body;
    use axum::http::{Request as HttpRequest, StatusCode};
    use conform::mock::{app, MockAuth, MockConfig};
    use conform::run::auth::aksk::{sdk_date_now, sign, Credentials, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    const AK: &str = "HPUAMOCKAK0000000001";
    const SK: &str = "mockSecretKey/0123456789+ABC";

    fn mock() -> conform::mock::MockService {
        app(MockConfig {
            auth: MockAuth::AkSk {
                ak: AK.into(),
                sk: SK.into(),
            },
            ..MockConfig::default()
        })
    }

    /// Signs with the harness signer, optionally tampers, sends to the mock; status and error message.
    async fn send(
        ak: &str,
        sk: &str,
        date: &str,
        tamper_body: bool,
        drop_auth: bool,
    ) -> (StatusCode, String) {
        let vars = conform::mock::state::Fixtures::defaults().vars;
        let path = format!(
            "/v3/{}/snapshots/{}",
            vars["project_id"], vars["snapshot_id"]
        );
        let body = br#"{"snapshot": {"name": "signed"}}"#.to_vec();
        let headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            ("X-Sdk-Date".to_string(), date.to_string()),
        ];
        let signed = sign(
            &Request {
                method: "PUT",
                scheme: "http",
                host: "mock.local",
                path: &path,
                query: &[],
                headers: &headers,
                body: Some(&body),
            },
            &Credentials {
                ak,
                sk,
                project_id: Some(&vars["project_id"]),
                security_token: None,
            },
            date,
        );
        let mut req = HttpRequest::builder().method("PUT").uri(&path);
        for (k, v) in &signed.headers {
            if drop_auth && k == "Authorization" {
                continue;
            }
            req = req.header(k.as_str(), v.as_str());
        }
        let sent = if tamper_body {
            br#"{"snapshot": {"name": "changed"}}"#.to_vec()
        } else {
            body
        };
        let resp = mock()
            .oneshot(req.body(Body::from(sent)).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if status == StatusCode::UNAUTHORIZED {
            assert_eq!(json["error_code"], "APIGW.0301");
        }
        (
            status,
            json["error_msg"].as_str().unwrap_or_default().to_string(),
        )
    }

    #[tokio::test]
    async fn a_correctly_signed_request_is_accepted() {
        assert_eq!(
            send(AK, SK, &sdk_date_now(), false, false).await.0,
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn each_rejection_reason_is_a_401_with_the_gateway_body() {
        let now = sdk_date_now();
        let (s, m) = send(AK, SK, &now, false, true).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(m.contains("missing"), "{m}");
        let (s, m) = send(AK, "wrong-secret", &now, false, false).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(m.contains("signature"), "{m}");
        let (s, m) = send("HPUAFOREIGNAK0000001", SK, &now, false, false).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(m.contains("unknown access key"), "{m}");
        let (s, m) = send(AK, SK, &now, true, false).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "a body changed after signing");
        assert!(m.contains("signature"), "{m}");
        let (s, m) = send(AK, SK, "20240315T083000Z", false, false).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "a date far in the past");
        assert!(m.contains("15 minutes"), "{m}");
    }
}

mod signed_suite {
    use std::path::PathBuf;

    use conform::commands::run::{run, RunArgs, TargetChoice};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_whole_suite_passes_signed_against_the_aksk_mock_and_no_secret_leaks() {
        const AK: &str = "HPUAAKDISTINCT7781ZZ";
        const SK: &str = "SKdistinct-7781-secret/value+x";
        let mock = conform::mock::spawn(conform::mock::MockConfig {
            auth: conform::mock::MockAuth::AkSk {
                ak: AK.into(),
                sk: SK.into(),
            },
            ..Default::default()
        })
        .await
        .unwrap();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("conform.yaml");
        let auth = "    auth: {type: aksk, ak_env: CONFORM_T_AK_7781, sk_env: CONFORM_T_SK_7781}\n";
        std::fs::write(
            &config,
            super::common::mock_target_config("signed", &mock.base_url(), auth),
        )
        .unwrap();
        std::env::set_var("CONFORM_T_AK_7781", AK);
        std::env::set_var("CONFORM_T_SK_7781", SK);
        let mut args = RunArgs::new(
            root.join("cases"),
            root.join("schemas"),
            TargetChoice::Named("signed".into()),
        );
        args.allow_mutation = true;
        args.config = config;
        args.outputs.json = Some(dir.path().join("r.json"));
        args.outputs.junit = Some(dir.path().join("r.xml"));
        args.snapshots = conform::snapshot::Mode::Update;
        args.snapshots_dir = dir.path().join("snapshots");
        let mut out = Vec::new();
        let code = run(args, &mut out).await.unwrap();
        let console = String::from_utf8_lossy(&out).to_string();
        assert_eq!(code, 0, "{console}");
        assert!(
            console.contains("auth/bad_signature")
                && console.contains("requires token: the target has aksk"),
            "{console}"
        );
        let mut texts = vec![
            console,
            std::fs::read_to_string(dir.path().join("r.json")).unwrap(),
            std::fs::read_to_string(dir.path().join("r.xml")).unwrap(),
        ];
        for e in walkdir::WalkDir::new(dir.path().join("snapshots"))
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            texts.push(std::fs::read_to_string(e.path()).unwrap());
        }
        assert!(texts.len() > 10, "snapshots were written");
        for t in &texts {
            assert!(
                !t.contains(AK) && !t.contains(SK) && !t.contains("distinct-7781"),
                "a credential leaked"
            );
        }
        mock.stop().await;
    }
}
