//! A create whose answer table names another field than its example shows (MRS's create
//! cluster: the table lists `type`, the example answers `cluster_id`), for a kind read under a
//! collection named for it and deleted under the plain one. The kind captures the id where the
//! example answers it, so the answer's schema documents that field: the generated suite runs
//! with nothing failing against the built-in mock, whose checking is strict.

mod common;

use std::path::Path;

use common::{conform, derive_service, page, run_in_process, text};
use serde_json::Value;

/// `page` with a response example before its status section.
fn with_example(page: String, example: &str) -> String {
    page.replace(
        "## 返回值",
        &format!("## 响应示例\n\n```\n{example}\n```\n\n## 返回值"),
    )
}

/// Writes the synthetic service's pages.
fn write_pages(svc: &Path) {
    let cluster = (
        "表 3 cluster字段说明",
        "|cluster_id|是|String|集群ID。|\n|cluster_name|是|String|集群名称。|",
    );
    let pages = [
        (
            "create.md",
            with_example(
                page(
                    "创建集群",
                    "POST /v2/\\{project\\_id\\}/clusters",
                    &[("表 1 请求Body参数", "|cluster_name|是|String|集群名称。|")],
                    &[("表 2 响应Body参数", "|type|否|String|集群ID。|")],
                    200,
                ),
                r#"{"cluster_id": "da1592c2-bb7e-468d-9ac9-83246e95447a"}"#,
            ),
        ),
        (
            "show.md",
            page(
                "查询集群详情",
                "GET /v1.1/\\{project\\_id\\}/cluster\\_infos/\\{cluster\\_id\\}",
                &[],
                &[
                    ("表 2 响应Body参数", "|cluster|是|Object|详情请参见表3。|"),
                    cluster,
                ],
                200,
            ),
        ),
        (
            "list.md",
            page(
                "查询集群列表",
                "GET /v1.1/\\{project\\_id\\}/cluster\\_infos",
                &[],
                &[
                    (
                        "表 2 响应Body参数",
                        "|clusters|是|Array of objects|详情请参见表3。|",
                    ),
                    cluster,
                ],
                200,
            ),
        ),
        (
            "delete.md",
            page(
                "删除集群",
                "DELETE /v1.1/\\{project\\_id\\}/clusters/\\{cluster\\_id\\}",
                &[],
                &[],
                200,
            ),
        ),
    ];
    common::write_pages(svc, &pages);
}

/// The id field the example shows is in the create's answer schema, and the generated suite
/// runs in process (strict) with nothing failed or errored.
#[test]
fn the_id_a_create_example_answers_is_documented_and_the_suite_runs_clean() {
    let dir = derive_service("svc", write_pages, false);
    let read = |path: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(path)).unwrap()).unwrap()
    };
    let kinds = read("schemas/resources.json");
    let kind = kinds
        .as_array()
        .and_then(|k| k.iter().find(|k| k["created_id"] == "/cluster_id"))
        .unwrap_or_else(|| panic!("no kind captures /cluster_id: {kinds}"));
    let create = kind["create"]["path"].as_str().unwrap_or_default();
    assert_eq!(create, "/v2/{project_id}/clusters", "{kind}");
    let answer = read("schemas/svc.create_cluster.v2/response.200.schema.json");
    assert_eq!(
        answer["properties"]["cluster_id"]["type"], "string",
        "{answer}"
    );
    // What the table documents stays.
    assert!(answer["properties"].get("type").is_some(), "{answer}");
    let out = conform(
        dir.path(),
        &["generate", "--schemas", "schemas", "--out", "cases"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (out, report) = run_in_process(dir.path(), "r.json");
    let bad: Vec<&Value> = report["cases"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter(|c| c["verdict"] == "failed" || c["verdict"] == "errored")
                .map(|c| &c["id"])
                .collect()
        })
        .unwrap_or_default();
    assert!(bad.is_empty(), "{bad:?}\n{}", text(&out.stdout));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
