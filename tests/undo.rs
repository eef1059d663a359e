//! The in-process run's undo deletes what a generated suite creates the way the generator's
//! teardown does: with the query parameters and the body its delete documents, below the
//! parent the create named in its body, and what no teardown step deletes before the teardown
//! deletes its parent. Synthetic pages, derived and generated, run against the built-in mock.

mod common;

use std::path::Path;

use common::{derive_service, kind, run_in_process, text, DerivedService};
use serde_json::Value;

/// A table under a caption: `|name|required|type|description|` rows.
fn table(caption: &str, rows: &str) -> String {
    format!("**{caption}**\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n{rows}\n\n")
}

/// A page: title, `METHOD path` with its URI tables, request and response tables, status.
fn page(
    title: &str,
    call: &str,
    uri: &[String],
    request: &[String],
    response: &[String],
    status: u16,
) -> String {
    format!(
        "# {title}\n\n## URI\n\n{call}\n\n{}## 请求参数\n\n{}## 响应参数\n\n{}## 返回值\n\n-   正常\n\n    {status}\n",
        uri.concat(),
        if request.is_empty() { "无\n\n".to_string() } else { request.concat() },
        if response.is_empty() { "无\n\n".to_string() } else { response.concat() },
    )
}

/// Widgets, whose delete requires a query parameter and a body; parts, created with their
/// widget named in the body (an id of a fixed length) and deleted below it; and signs, made
/// below a widget and read only through its list.
fn write_pages(svc: &Path) {
    let project = table("表 1 路径参数", "|project_id|是|String|项目ID。|");
    let widget_in = table("表 3 widget字段说明", "|name|是|String|名称。|");
    let widget_out = table(
        "表 4 widget字段说明",
        "|id|是|String|ID。|\n|name|是|String|名称。|",
    );
    // The widget's id has a documented length, so the generator's own value for it is text of
    // that length, not its placeholder: it must still become the widget the setup makes.
    let part_in = table(
        "表 3 part字段说明",
        "|name|是|String|名称。|\n|widget_id|是|String|所属widget的ID。长度：36|",
    );
    let part_out = table(
        "表 4 part字段说明",
        "|id|是|String|ID。|\n|name|是|String|名称。|\n|widget_id|是|String|所属widget的ID。|",
    );
    let widget_path = table(
        "表 1 路径参数",
        "|project_id|是|String|项目ID。|\n|widget_id|是|String|ID。|",
    );
    let pages = [
        ("create_widget.md", page("创建widget", "POST /v1/\\{project\\_id\\}/widgets", std::slice::from_ref(&project),
            &[table("表 2 请求Body参数", "|widget|是|Object|详情请参见表3。|"), widget_in.clone()],
            &[table("表 5 响应Body参数", "|widget|是|Object|详情请参见表4。|"), widget_out.clone()], 200)),
        ("show_widget.md", page("查询widget", "GET /v1/\\{project\\_id\\}/widgets/\\{widget\\_id\\}", std::slice::from_ref(&widget_path),
            &[], &[table("表 5 响应Body参数", "|widget|是|Object|详情请参见表4。|"), widget_out.clone()], 200)),
        ("list_widgets.md", page("查询widget列表", "GET /v1/\\{project\\_id\\}/widgets", std::slice::from_ref(&project),
            &[], &[table("表 5 响应Body参数", "|widgets|是|Array of objects|详情请参见表4。|"), widget_out.clone()], 200)),
        ("delete_widget.md", page("删除widget", "DELETE /v1/\\{project\\_id\\}/widgets/\\{widget\\_id\\}",
            &[widget_path.clone(), table("表 2 Query参数", "|force|是|Boolean|是否强制删除。|")],
            &[table("表 3 请求Body参数", "|reason|是|String|删除原因。|")], &[], 204)),
        ("create_part.md", page("创建part", "POST /v1/\\{project\\_id\\}/parts", std::slice::from_ref(&project),
            &[table("表 2 请求Body参数", "|part|是|Object|详情请参见表3。|"), part_in],
            &[table("表 5 响应Body参数", "|part|是|Object|详情请参见表4。|"), part_out.clone()], 200)),
        ("show_part.md", page("查询part", "GET /v1/\\{project\\_id\\}/parts/\\{part\\_id\\}",
            &[table("表 1 路径参数", "|project_id|是|String|项目ID。|\n|part_id|是|String|ID。|")],
            &[], &[table("表 5 响应Body参数", "|part|是|Object|详情请参见表4。|"), part_out.clone()], 200)),
        ("list_parts.md", page("查询part列表", "GET /v1/\\{project\\_id\\}/parts", &[project],
            &[], &[table("表 5 响应Body参数", "|parts|是|Array of objects|详情请参见表4。|"), part_out], 200)),
        ("delete_part.md", page("删除part", "DELETE /v1/\\{project\\_id\\}/widgets/\\{widget\\_id\\}/parts/\\{part\\_id\\}",
            &[table("表 1 路径参数", "|project_id|是|String|项目ID。|\n|widget_id|是|String|widget的ID。|\n|part_id|是|String|ID。|")],
            &[], &[], 204)),
        // Signs: made below a widget and read only through its list (filtered by `id`).
        ("create_sign.md", page("创建sign", "POST /v1/\\{project\\_id\\}/widgets/\\{widget\\_id\\}/signs", std::slice::from_ref(&widget_path),
            &[table("表 2 请求Body参数", "|name|是|String|名称。|")],
            &[table("表 3 响应Body参数", "|id|是|String|ID。|\n|name|是|String|名称。|")], 201)),
        ("list_signs.md", page("查询sign列表", "GET /v1/\\{project\\_id\\}/widgets/\\{widget\\_id\\}/signs",
            &[widget_path.clone(), table("表 2 Query参数", "|id|否|String|ID。|\n|name|否|String|名称。|")],
            &[], &[table("表 3 响应Body参数", "|signs|是|Array of objects|详情请参见表4。|"), table("表 4 sign字段说明", "|id|是|String|ID。|\n|name|是|String|名称。|")], 200)),
        ("delete_sign.md", page("删除sign", "DELETE /v1/\\{project\\_id\\}/widgets/\\{widget\\_id\\}/signs/\\{sign\\_id\\}",
            &[table("表 1 路径参数", "|project_id|是|String|项目ID。|\n|widget_id|是|String|widget的ID。|\n|sign_id|是|String|ID。|")],
            &[], &[], 204)),
    ];
    common::write_pages(svc, &pages);
}

/// Derives and generates the synthetic pages into a fresh project folder.
fn prepared() -> DerivedService {
    derive_service("svc", write_pages, true)
}

/// The table's delete carries what the page requires: the query parameter and the body.
#[test]
fn a_kinds_delete_carries_its_required_query_and_body() {
    let dir = prepared();
    let widget = kind(dir.path(), "widgets");
    let delete = &widget["delete"];
    assert!(delete["query"].get("force").is_some(), "{widget}");
    assert!(delete["body"].get("reason").is_some(), "{widget}");
    // A delete that documents neither sends neither.
    let part = kind(dir.path(), "parts");
    assert!(part["delete"].get("query").is_none(), "{part}");
    assert!(part["delete"].get("body").is_none(), "{part}");
}

/// The generated suite run in process: every create is undone and verified, none errs.
#[test]
fn the_in_process_undo_deletes_as_the_teardown_does() {
    let dir = prepared();
    let (out, report) = run_in_process(dir.path(), "r.json");
    let cases = report["cases"].as_array().unwrap();
    let failed: Vec<(&Value, &Value)> = cases
        .iter()
        .filter(|c| c["verdict"] != "passed" && c["verdict"] != "skipped")
        .map(|c| (&c["id"], &c["mutations"]))
        .collect();
    assert!(failed.is_empty(), "{failed:?}\n{}", text(&out.stdout));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let undone = |collection: &str| {
        cases
            .iter()
            .flat_map(|c| c["mutations"].as_array().cloned().unwrap_or_default())
            .filter(|m| m["resource"]["collection"] == collection)
            .inspect(|m| assert_eq!(m["restored"], true, "{m}"))
            .count()
    };
    assert!(undone("widgets") > 0, "widgets are created and undone");
    assert!(undone("parts") > 0, "parts are created and undone");
    // A kind read through its parent's list is gone once that list is (its parent deleted).
    assert!(undone("signs") > 0, "signs are created and undone");
}
