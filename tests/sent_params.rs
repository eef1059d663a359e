//! A consumer's path parameter that is no id but a field the producer's create sends
//! (`event_type_code`, beside the new `trigger_id`): the setup captures it from the request it
//! sent, so the case needs no variable of the target and runs against the contract tier.

mod common;

use std::path::Path;

use common::{derive_service, run_against, standalone};

/// A reference page: title, the call, request and response tables, the success status.
fn page(title: &str, call: &str, request: &str, response: &str, status: u16) -> String {
    let table = |caption: &str, rows: &str| {
        if rows.is_empty() {
            String::new()
        } else {
            format!("**{caption}**\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n{rows}\n")
        }
    };
    format!(
        "# {title}\n\n## URI\n\n{call}\n\n## 请求参数\n\n{}\n## 响应参数\n\n{}\n## 返回值\n\n-   正常\n\n    {status}\n",
        table("表 1 请求参数", request),
        table("表 2 响应参数", response),
    )
}

/// Writes the synthetic service's pages: triggers keyed by the id their create answers, and the
/// events of one, named by the `event_type_code` the trigger's create sent.
fn write_pages(dir: &Path) {
    let trigger = "|trigger_id|是|String|触发器ID。|\n|event_type_code|是|String|事件类型。|";
    let pages = [
        ("create.md", page("创建触发器", "POST /v2/\\{project\\_id\\}/triggers",
            "|event_type_code|是|String|事件类型。枚举值：TIMER, APIG|\n|name|否|String|名称。|",
            trigger, 201)),
        ("list.md", page("查询触发器列表", "GET /v2/\\{project\\_id\\}/triggers",
            "", "|count|是|Integer|数目。|", 200)),
        ("show.md", page("查询触发器", "GET /v2/\\{project\\_id\\}/triggers/\\{trigger\\_id\\}",
            "", trigger, 200)),
        ("delete.md", page("删除触发器", "DELETE /v2/\\{project\\_id\\}/triggers/\\{trigger\\_id\\}",
            "", "", 204)),
        ("event.md", page("查询触发器事件", "GET /v2/\\{project\\_id\\}/triggers/\\{trigger\\_id\\}/events/\\{event\\_type\\_code\\}",
            "", "|count|是|Integer|事件数目。|", 200)),
    ];
    for (file, body) in &pages {
        std::fs::write(dir.join(file), body).unwrap();
    }
}

#[test]
fn a_path_parameter_the_create_sends_is_captured_from_the_request() {
    let dir = derive_service("fgs", write_pages, true);
    let d = dir.path();

    let dirs: Vec<String> = std::fs::read_dir(d.join("cases/fgs"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let show_dir = dirs
        .iter()
        .find(|n| n.contains("event"))
        .unwrap_or_else(|| panic!("no event cases: {dirs:?}"));
    let show =
        std::fs::read_to_string(d.join("cases/fgs").join(show_dir).join("success.yaml")).unwrap();
    assert!(
        show.contains("\"event_type_code\": {sent: \"/body/event_type_code\"}"),
        "{show}"
    );
    assert!(
        show.contains("\"event_type_code\":\"TIMER\""),
        "an enum value is sent: {show}"
    );
    assert!(!show.contains("var:event_type_code"), "{show}");

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
    assert!(with("failed").is_empty(), "failed: {:?}", with("failed"));
    assert!(with("errored").is_empty(), "errored: {:?}", with("errored"));
    let id = format!("fgs/{show_dir}/success");
    assert!(
        with("passed").contains(&id),
        "{id} did not pass; skipped: {:?}",
        with("skipped")
    );
}
