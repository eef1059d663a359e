//! Kinds keyed by what the client chooses, end to end from synthetic pages: a secret named by the
//! `name` its create sends, a namespace by its `namespace` field, an identity provider created by
//! a PUT naming its own id (and its protocols, below `{idp_id}`). `derive` says how each key is
//! chosen, the generated setups send run-unique keys and capture them from the request, and the
//! suite runs against the contract tier with nothing failing and nothing left to a variable.

mod common;

use std::path::Path;

use common::{conform, derive_service, page, resources, run_against, standalone, text};
use serde_json::Value;

/// Writes the synthetic service's pages.
fn write_pages(dir: &Path) {
    let secret = (
        "表 3 secret字段说明",
        "|id|是|String|凭据ID。|\n|name|是|String|凭据名称。|\n|description|否|String|描述。|",
    );
    let version = (
        "表 3 version_metadata字段说明",
        "|id|是|String|版本ID。|\n|secret_name|是|String|凭据名称。|",
    );
    let ns = (
        "表 2 响应参数",
        "|name|是|String|名称。|\n|creator|否|String|创建者。|",
    );
    let idp = (
        "表 3 provider字段说明",
        "|id|是|String|ID。|\n|description|否|String|描述。|",
    );
    let idp_in = ("表 2 provider字段说明", "|description|否|String|描述。|");
    let protocol = (
        "表 3 protocol字段说明",
        "|id|是|String|协议ID。|\n|mapping_id|否|String|映射。|",
    );
    let pages = [
        ("secret_create.md", page("创建凭据", "POST /v1/\\{project\\_id\\}/secrets",
            &[("表 1 请求参数", "|name|是|String|凭据名称。|\n|description|否|String|描述。|")],
            &[("表 2 响应参数", "|secret|是|Object|详情请参见表3。|"), secret], 200)),
        ("secret_show.md", page("查询凭据", "GET /v1/\\{project\\_id\\}/secrets/\\{secret\\_name\\}",
            &[], &[("表 2 响应参数", "|secret|是|Object|详情请参见表3。|"), secret], 200)),
        ("secret_update.md", page("更新凭据", "PUT /v1/\\{project\\_id\\}/secrets/\\{secret\\_name\\}",
            &[("表 1 请求参数", "|description|否|String|描述。|")],
            &[("表 2 响应参数", "|secret|是|Object|详情请参见表3。|"), secret], 200)),
        ("secret_list.md", page("查询凭据列表", "GET /v1/\\{project\\_id\\}/secrets",
            &[], &[("表 2 响应参数", "|secrets|是|Array of objects|详情请参见表3。|"), secret], 200)),
        ("secret_delete.md", page("删除凭据", "DELETE /v1/\\{project\\_id\\}/secrets/\\{secret\\_name\\}",
            &[], &[], 204)),
        ("version_create.md", page("创建凭据版本", "POST /v1/\\{project\\_id\\}/secrets/\\{secret\\_name\\}/versions",
            &[("表 1 请求参数", "|secret_string|否|String|凭据值。|")],
            &[("表 2 响应参数", "|version_metadata|是|Object|详情请参见表3。|"), version], 200)),
        ("version_show.md", page("查询凭据版本", "GET /v1/\\{project\\_id\\}/secrets/\\{secret\\_name\\}/versions/\\{version\\_id\\}",
            &[], &[("表 2 响应参数", "|version_metadata|是|Object|详情请参见表3。|"), version], 200)),
        ("ns_create.md", page("创建组织", "POST /v2/manage/namespaces",
            &[("表 1 请求参数", "|namespace|是|String|组织名称，取值满足表达式[a-z0-9_]*。|")], &[], 201)),
        ("ns_show.md", page("获取组织详情", "GET /v2/manage/namespaces/\\{namespace\\}",
            &[], &[ns], 200)),
        ("ns_delete.md", page("删除组织", "DELETE /v2/manage/namespaces/\\{namespace\\}",
            &[], &[], 204)),
        ("idp_create.md", page("创建身份提供商", "PUT /v3/providers/\\{id\\}",
            &[("表 1 请求参数", "|provider|是|Object|详情请参见表2。|"), idp_in],
            &[("表 2 响应参数", "|provider|是|Object|详情请参见表3。|"), idp], 201)),
        ("idp_show.md", page("查询身份提供商", "GET /v3/providers/\\{id\\}",
            &[], &[("表 2 响应参数", "|provider|是|Object|详情请参见表3。|"), idp], 200)),
        ("idp_update.md", page("修改身份提供商", "PATCH /v3/providers/\\{id\\}",
            &[("表 1 请求参数", "|provider|是|Object|详情请参见表2。|"), idp_in],
            &[("表 2 响应参数", "|provider|是|Object|详情请参见表3。|"), idp], 200)),
        ("idp_delete.md", page("删除身份提供商", "DELETE /v3/providers/\\{id\\}",
            &[], &[], 204)),
        ("protocol_create.md", page("注册协议", "PUT /v3/providers/\\{idp\\_id\\}/protocols/\\{protocol\\_id\\}",
            &[("表 1 请求参数", "|protocol|是|Object|详情请参见表2。|"), ("表 2 protocol字段说明", "|mapping_id|是|String|映射。|")],
            &[("表 2 响应参数", "|protocol|是|Object|详情请参见表3。|"), protocol], 201)),
        ("protocol_show.md", page("查询协议", "GET /v3/providers/\\{idp\\_id\\}/protocols/\\{protocol\\_id\\}",
            &[], &[("表 2 响应参数", "|protocol|是|Object|详情请参见表3。|"), protocol], 200)),
        ("protocol_delete.md", page("删除协议", "DELETE /v3/providers/\\{idp\\_id\\}/protocols/\\{protocol\\_id\\}",
            &[], &[], 204)),
    ];
    for (file, body) in &pages {
        std::fs::write(dir.join(file), body).unwrap();
    }
}

/// The resources.json entry of the kind whose read path ends so.
fn kind<'t>(table: &'t Value, read_suffix: &str) -> &'t Value {
    table
        .as_array()
        .unwrap()
        .iter()
        .find(|k| {
            k["read"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with(read_suffix))
        })
        .unwrap_or_else(|| panic!("no kind read at …{read_suffix}: {table}"))
}

#[test]
fn kinds_keyed_by_the_clients_choice_are_created_found_and_deleted() {
    let dir = derive_service("vault", write_pages, false);
    let d = dir.path();

    // How each key is chosen, in the table.
    let table = resources(d);
    assert_eq!(
        kind(&table, "/secrets/{id}")["client_key"],
        serde_json::json!({"body": "/name"})
    );
    assert_eq!(
        kind(&table, "/namespaces/{id}")["client_key"],
        serde_json::json!({"body": "/namespace"})
    );
    let idp = kind(&table, "/providers/{id}");
    assert_eq!(idp["client_key"], serde_json::json!({"path": "id"}));
    assert_eq!(idp["create"]["method"], "PUT");
    assert_eq!(
        idp["update"]["method"], "PATCH",
        "the PUT creates: PATCH updates"
    );
    // A version's id is the server's, under its envelope.
    let version = kind(&table, "/versions/{id}");
    assert_eq!(version["created_id"], "/version_metadata/id");
    assert!(version.get("client_key").is_none(), "{version}");

    let out = conform(d, &["generate", "--schemas", "schemas", "--out", "cases"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = conform(d, &["lint", "--cases-dir", "cases", "--schemas", "schemas"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // A read of a secret creates one with a key of its own, captured from the request.
    let show = std::fs::read_to_string(d.join("cases/vault/show_secret_v1/success.yaml")).unwrap();
    assert!(show.contains("{sent: \"/body/name\"}"), "{show}");
    assert!(show.contains("conform-${run_id}-"), "{show}");
    assert!(
        !show.contains("var:secret_name"),
        "the name is no variable of the target: {show}"
    );

    let mock = standalone(d, &["--schemas", "schemas"]);
    let (_, report) = run_against(d, &mock, &[]);
    let cases = report["cases"].as_array().unwrap();
    let with = |v: &str| -> Vec<String> {
        cases
            .iter()
            .filter(|c| c["verdict"] == v)
            .map(|c| c["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    // With an undo ledger, what a setup created is recorded by the key it sent and deleted by it.
    let out = conform(
        d,
        &[
            "run",
            "--cases-dir",
            "cases/vault/show_secret_v1",
            "--schemas",
            "schemas",
            "--target-url",
            &mock.1,
            "--allow-mutation",
            "--snapshots",
            "off",
            "-q",
            "--ledger",
            "l.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let ledger = std::fs::read_to_string(d.join("l.jsonl")).unwrap();
    let ids = |event: &str| -> Vec<String> {
        ledger
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| e["event"] == event)
            .filter_map(|e| e["resource"]["id"].as_str().map(str::to_string))
            .collect()
    };
    let created = ids("created");
    assert_eq!(created.len(), 1, "{ledger}");
    assert!(created[0].starts_with("conform-"), "{ledger}");
    assert_eq!(ids("deleted"), created, "{ledger}");

    assert!(with("failed").is_empty(), "failed: {:?}", with("failed"));
    assert!(with("errored").is_empty(), "errored: {:?}", with("errored"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Reads, updates and children of every keyed kind ran, and so did the checkers.
    for id in [
        "vault/show_secret_v1/success",
        "vault/update_secret_v1/success",
        "vault/create_secret_version_v1/success",
        "vault/show_secret_version_v1/success",
        "vault/show_manage_namespace_v2/success",
        "vault/show_provider_v3/success",
        "vault/update_provider_v3/success",
        "vault/show_provider_protocol_v3/success",
        "vault/create_secret_v1/lifecycle",
        "vault/create_manage_namespace_v2/lifecycle",
        "vault/update_provider_v3_2/lifecycle",
        "vault/update_provider_protocol_v3/hierarchy",
    ] {
        assert!(
            with("passed").iter().any(|p| p == id),
            "{id} did not pass; skipped: {:?}",
            with("skipped")
        );
    }
}

/// A random valid create body never leaves empty the key its client chooses where the page sets
/// no least length (the namespace's `namespace`): what it made could not be read or undone by
/// that key. Many samples, so an unconstrained string draw would show the empty one.
#[test]
fn random_creates_never_send_an_empty_client_key() {
    let dir = derive_service("swr", write_pages, false);
    let out = conform(
        dir.path(),
        &[
            "generate",
            "--schemas",
            "schemas",
            "--out",
            "cases",
            "--samples",
            "40",
        ],
    );
    assert!(out.status.success(), "generate: {}", text(&out.stderr));
    let mut valid = 0;
    for op in std::fs::read_dir(dir.path().join("cases/swr")).unwrap() {
        for entry in std::fs::read_dir(op.unwrap().path()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !name.starts_with("data__valid_") {
                continue;
            }
            let yaml = std::fs::read_to_string(&path).unwrap();
            if !yaml.contains("operation: \"swr.create_manage_namespace.v2\"") {
                continue;
            }
            valid += 1;
            // The generator writes each body as one line of JSON.
            let body = yaml
                .lines()
                .find_map(|l| l.trim().strip_prefix("body: "))
                .unwrap_or_else(|| panic!("{name}: no body"));
            let body: Value = serde_json::from_str(body).unwrap();
            assert_ne!(body["namespace"], "", "{name} sends an empty key");
        }
    }
    assert!(valid > 0, "no valid body of the namespace create");
}
