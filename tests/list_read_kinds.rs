//! A kind no operation reads one of, end to end from synthetic pages shaped like a document
//! database's instances: created by a POST to the collection, changed and deleted at the item,
//! acted on below it, and read only through the list, which narrows to one by an `id` query
//! parameter. The derived table reads the kind through its list; the generated checkers read
//! it back there (what was sent, the update, gone after the delete), the suite runs with
//! nothing failing, and each contract-tier fault that breaks what the list shows fails it.

mod common;

use std::path::Path;

use common::{derive_service, page, run_against, standalone, text, DerivedService};
use serde_json::Value;

/// Writes the synthetic service's pages.
fn write_pages(dir: &Path) {
    let instance = (
        "表 3 instance字段说明",
        "|id|是|String|实例ID。|\n|name|是|String|实例名称。|\n|status|是|String|状态。|",
    );
    let pages = [
        (
            "create.md",
            page(
                "创建实例",
                "POST /v3/\\{project\\_id\\}/instances",
                &[(
                    "表 1 请求参数",
                    "|name|是|String|实例名称。|\n|mode|是|String|实例类型。|",
                )],
                &[(
                    "表 2 响应参数",
                    "|id|是|String|实例ID。|\n|name|是|String|实例名称。|\n|job_id|是|String|任务ID。|",
                )],
                202,
            ),
        ),
        (
            "list.md",
            page(
                "查询实例列表",
                "GET /v3/\\{project\\_id\\}/instances",
                &[(
                    "表 1 Query参数",
                    "|id|否|String|实例ID。|\n|name|否|String|实例名称。|",
                )],
                &[
                    (
                        "表 2 响应参数",
                        "|instances|是|Array of objects|详情请参见表3。|\n|total_count|是|Integer|总数。|",
                    ),
                    instance,
                ],
                200,
            ),
        ),
        (
            "rename.md",
            page(
                "修改实例名称",
                "PUT /v3/\\{project\\_id\\}/instances/\\{instance\\_id\\}",
                &[("表 1 请求参数", "|name|是|String|新的实例名称。|")],
                &[],
                204,
            ),
        ),
        (
            "delete.md",
            page(
                "删除实例",
                "DELETE /v3/\\{project\\_id\\}/instances/\\{instance\\_id\\}",
                &[],
                &[("表 2 响应参数", "|job_id|是|String|任务ID。|")],
                202,
            ),
        ),
        (
            "restart.md",
            page(
                "重启实例",
                "POST /v3/\\{project\\_id\\}/instances/\\{instance\\_id\\}/restart",
                &[],
                &[("表 2 响应参数", "|job_id|是|String|任务ID。|")],
                202,
            ),
        ),
    ];
    common::write_pages(dir, &pages);
}

/// Derives and generates the synthetic service into a fresh folder.
fn prepared() -> DerivedService {
    derive_service("dds", write_pages, true)
}

/// The run's (case id, verdict) pairs.
fn verdicts(report: &Value) -> Vec<(String, String)> {
    common::verdicts(report)
        .into_iter()
        .map(|(id, verdict, _)| (id, verdict))
        .collect()
}

/// The table reads the instance through its list, narrowed by the `id` query parameter, and
/// the lifecycle reads it back there: the list holds one with the id and the name sent, then
/// the updated name, and after the delete none with the id.
#[test]
fn a_kind_with_no_item_read_is_read_through_its_list() {
    let dir = prepared();
    let kind = common::kind(dir.path(), "instances");
    assert_eq!(kind["read"]["path"], "/v3/{project_id}/instances", "{kind}");
    assert_eq!(
        kind["read_by_list"],
        serde_json::json!({"filter": "id", "array": "/instances", "key": "id"}),
        "{kind}"
    );
    assert_eq!(kind["id_param"], "instance_id", "{kind}");
    let lifecycle = std::fs::read_to_string(
        dir.path()
            .join("cases/dds/create_instance_v3/lifecycle.yaml"),
    )
    .unwrap();
    for wanted in [
        r#"query: {"id":"${instance_id}"}"#,
        r#"{"includes":{"id":"${instance_id}","name":"conform-${run_id}"},"pointer":"/instances"}"#,
        r#"{"includes":{"id":"${instance_id}","name":"conform-updated"},"pointer":"/instances"}"#,
        r#"{"excludes":{"id":"${instance_id}"},"pointer":"/instances"}"#,
    ] {
        assert!(lifecycle.contains(wanted), "{wanted} in\n{lifecycle}");
    }

    let mock = standalone(dir.path(), &["--schemas", "schemas"]);
    let (out, report) = run_against(dir.path(), &mock, &[]);
    let all = verdicts(&report);
    assert_eq!(out.status.code(), Some(0), "{all:?}\n{}", text(&out.stderr));
    for property in ["lifecycle", "use_after_delete", "idempotent_update"] {
        assert!(
            all.iter()
                .any(|(id, v)| id.ends_with(&format!("/{property}")) && v == "passed"),
            "{property}: {all:?}"
        );
    }
}

/// Each fault that breaks what the list shows of the kind fails the generated suite, in the
/// checker that tests that property.
#[test]
fn faults_of_a_kind_read_through_its_list_fail_its_checkers() {
    let dir = prepared();
    for (fault, caught_by) in [
        ("delete-keeps", "use_after_delete"),
        ("list-misses", "lifecycle"),
        ("update-ignored", "lifecycle"),
        ("cross-project", "path_instance_id__other_project"),
    ] {
        let mock = standalone(dir.path(), &["--schemas", "schemas", "--fault", fault]);
        let (out, report) = run_against(dir.path(), &mock, &[]);
        let all = verdicts(&report);
        assert_eq!(out.status.code(), Some(1), "{fault}: {all:?}");
        assert!(
            all.iter()
                .any(|(id, v)| id.ends_with(&format!("/{caught_by}")) && v == "failed"),
            "{fault}: {all:?}"
        );
    }
}
