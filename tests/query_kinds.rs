//! A kind no path names, end to end from synthetic pages shaped like a media service's assets:
//! created by a POST of the collection that answers `asset_id`, deleted by a DELETE of the
//! same collection requiring `asset_id` in its query, read at `…/details` by the same query
//! parameter, updated by a PUT whose body names it, listed at `…/list`. The derived table makes
//! it a kind whose id travels in the query; the generated checkers name it there; the suite runs
//! with nothing failing, each contract-tier fault it can see fails it, and the in-process undo
//! deletes every asset a case made by the query id.

mod common;

use std::path::Path;

use common::{derive_service, page, run_against, run_in_process, standalone, text, DerivedService};
use serde_json::Value;

/// Writes the synthetic service's pages.
fn write_pages(dir: &Path) {
    let by_id = ("表 1 Query参数", "|asset_id|是|String|媒资ID。|");
    let pages = [
        (
            "create.md",
            page(
                "创建媒资",
                "POST /v1.0/\\{project\\_id\\}/asset",
                &[(
                    "表 2 请求Body参数",
                    "|title|是|String|媒资标题。|\n|video_name|是|String|视频文件名。|",
                )],
                &[("表 3 响应Body参数", "|asset_id|是|String|媒资ID。|")],
                200,
            ),
        ),
        (
            "delete.md",
            page(
                "删除媒资",
                "DELETE /v1.0/\\{project\\_id\\}/asset",
                &[by_id],
                &[],
                204,
            ),
        ),
        (
            "details.md",
            page(
                "查询媒资详细信息",
                "GET /v1.0/\\{project\\_id\\}/asset/details",
                &[by_id],
                &[(
                    "表 2 响应Body参数",
                    "|asset_id|是|String|媒资ID。|\n|title|是|String|媒资标题。|",
                )],
                200,
            ),
        ),
        (
            "info.md",
            page(
                "修改媒资属性",
                "PUT /v1.0/\\{project\\_id\\}/asset/info",
                &[(
                    "表 2 请求Body参数",
                    "|asset_id|是|String|媒资ID。|\n|title|否|String|媒资标题。|\n|description|否|String|媒资描述。|",
                )],
                &[],
                204,
            ),
        ),
        (
            "list.md",
            page(
                "查询媒资列表",
                "GET /v1.0/\\{project\\_id\\}/asset/list",
                &[("表 1 Query参数", "|title|否|String|媒资标题。|")],
                &[
                    (
                        "表 2 响应Body参数",
                        "|assets|是|Array of AssetSummary objects|媒资列表。|\n|total|是|Integer|总数。|",
                    ),
                    (
                        "表 3 AssetSummary",
                        "|asset_id|是|String|媒资ID。|\n|title|是|String|媒资标题。|",
                    ),
                ],
                200,
            ),
        ),
    ];
    common::write_pages(dir, &pages);
}

/// Derives and generates the synthetic service into a fresh folder.
fn prepared() -> DerivedService {
    derive_service("vod", write_pages, true)
}

/// The table's asset kind names one by `asset_id` in the query of its read and delete, and in
/// the body of its update; the lifecycle names it there and deletes by it.
#[test]
fn a_kind_named_in_the_query_is_derived_and_checked_by_its_query_id() {
    let dir = prepared();
    let kind = common::kind(dir.path(), "asset");
    assert_eq!(kind["id_query"], "asset_id", "{kind}");
    assert_eq!(kind["read"]["path"], "/v1.0/{project_id}/asset/details");
    assert_eq!(kind["read"]["query"]["asset_id"], "{id}", "{kind}");
    assert_eq!(kind["delete"]["path"], "/v1.0/{project_id}/asset");
    assert_eq!(kind["delete"]["query"]["asset_id"], "{id}", "{kind}");
    assert_eq!(kind["update"]["body"]["asset_id"], "{id}", "{kind}");
    assert_eq!(kind["list"]["path"], "/v1.0/{project_id}/asset/list");
    let lifecycle = std::fs::read_to_string(
        dir.path()
            .join("cases/vod/create_asset_v1_0/lifecycle.yaml"),
    )
    .unwrap();
    for wanted in [
        r#"capture: {"asset_id": "/asset_id"}"#,
        r#"query: {"asset_id":"${asset_id}"}"#,
        r#""asset_id":"${asset_id}""#,
        r#"{"includes":{"asset_id":"${asset_id}"},"pointer":"/assets"}"#,
    ] {
        assert!(lifecycle.contains(wanted), "{wanted} in\n{lifecycle}");
    }
    // A read of one by its id makes one first, and deletes it after.
    let read = std::fs::read_to_string(
        dir.path()
            .join("cases/vod/list_asset_details_v1_0/success.yaml"),
    )
    .unwrap();
    assert!(read.contains("setup: create asset"), "{read}");
    assert!(
        read.contains(r#"query: {"asset_id":"${asset_id}"}"#),
        "{read}"
    );
}

/// The suite passes against the contract tier; each fault it can see in the kind fails it: in
/// the lifecycle, and in the read or delete by an unknown id and by another project's id.
#[test]
fn faults_of_a_kind_named_in_the_query_fail_its_checkers() {
    let dir = prepared();
    let mock = standalone(dir.path(), &["--schemas", "schemas"]);
    let (out, report) = run_against(dir.path(), &mock, &[]);
    let all = common::verdicts(&report);
    assert_eq!(out.status.code(), Some(0), "{all:?}\n{}", text(&out.stderr));
    let passed = |id: &str| all.iter().any(|(c, v, _)| c.ends_with(id) && v == "passed");
    assert!(passed("create_asset_v1_0/lifecycle"), "{all:?}");
    for (fault, caught_by) in [
        ("delete-keeps", "create_asset_v1_0/lifecycle"),
        ("list-misses", "create_asset_v1_0/lifecycle"),
        ("unknown-id-ok", "create_asset_v1_0/lifecycle"),
        (
            "unknown-id-ok",
            "list_asset_details_v1_0/query_asset_id__unknown",
        ),
        (
            "cross-project",
            "list_asset_details_v1_0/query_asset_id__other_project",
        ),
        (
            "cross-project",
            "delete_asset_v1_0/query_asset_id__other_project",
        ),
    ] {
        let mock = standalone(dir.path(), &["--schemas", "schemas", "--fault", fault]);
        let (out, report) = run_against(dir.path(), &mock, &[]);
        let all = common::verdicts(&report);
        assert_eq!(out.status.code(), Some(1), "{fault}: {all:?}");
        assert!(
            all.iter()
                .any(|(id, v, _)| id.ends_with(caught_by) && v == "failed"),
            "{fault} in {caught_by}: {all:?}"
        );
    }
}

/// Run in process, every asset a case made is undone by the delete with its id in the query,
/// and verified gone by the read with it.
#[test]
fn the_undo_deletes_a_kind_named_in_the_query_by_its_query_id() {
    let dir = prepared();
    let (out, report) = run_in_process(dir.path(), "r.json");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let undone: Vec<Value> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["mutations"].as_array().cloned().unwrap_or_default())
        .filter(|m| m["resource"]["collection"] == "asset")
        .collect();
    assert!(!undone.is_empty(), "assets are created and undone");
    for m in &undone {
        assert_eq!(m["restored"], true, "{m}");
    }
}
