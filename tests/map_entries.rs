//! One entry of a map a resource holds, addressed by its key below the resource (APIG's
//! `…/gateway-responses/{response_id}/{response_type}` of a response's `responses` map), end to
//! end from synthetic pages: the generator writes a read of a key the resource does not hold,
//! and the contract tier answers the entry it holds, the documented 404 for one it does not,
//! and removes the entry a delete names.

mod common;

use std::path::Path;

use common::{derive_service, page, run_against, send, standalone, text};
use serde_json::{json, Value};

/// A group service: groups hold a `tags` map, one tag is read, written and deleted at
/// `/groups/{group_id}/{tag_key}`, and the service documents 404.
fn write_pages(dir: &Path) {
    write_pages_keyed(dir, "tag_key", true);
}

/// [`write_pages`] with the entry's path parameter named `key`, with or without the PUT of
/// one entry.
fn write_pages_keyed(dir: &Path, key: &str, put: bool) {
    let entry = |method: &str| {
        format!(
            "{method} /v1/\\{{project\\_id\\}}/groups/\\{{group\\_id\\}}/\\{{{}\\}}",
            key.replace('_', "\\_")
        )
    };
    let group_path = (
        "表 1 路径参数",
        "|project_id|是|String|项目ID。|\n|group_id|是|String|分组ID。|",
    );
    let tag_row = format!(
        "|project_id|是|String|项目ID。|\n|group_id|是|String|分组ID。|\n|{key}|是|String|标签键。|"
    );
    let tag_path = ("表 1 路径参数", tag_row.as_str());
    let group = (
        "表 3 响应Body参数",
        "|id|是|String|分组ID。|\n|name|是|String|名称。|\n|tags|否|Map<String,String>|标签。|",
    );
    let pages = [
        (
            "create.md",
            page(
                "创建分组",
                "POST /v1/\\{project\\_id\\}/groups",
                &[
                    ("表 1 路径参数", "|project_id|是|String|项目ID。|"),
                    (
                        "表 2 请求Body参数",
                        "|name|是|String|名称。|\n|tags|否|Map<String,String>|标签。|",
                    ),
                ],
                &[group],
                201,
            ),
        ),
        (
            "show.md",
            page(
                "查询分组",
                "GET /v1/\\{project\\_id\\}/groups/\\{group\\_id\\}",
                &[group_path],
                &[group],
                200,
            ),
        ),
        (
            "delete.md",
            page(
                "删除分组",
                "DELETE /v1/\\{project\\_id\\}/groups/\\{group\\_id\\}",
                &[group_path],
                &[],
                204,
            ),
        ),
        (
            "show_tag.md",
            page("查询分组标签", &entry("GET"), &[tag_path], &[], 200),
        ),
        (
            "put_tag.md",
            page(
                "设置分组标签",
                &entry("PUT"),
                &[
                    tag_path,
                    ("表 2 请求Body参数", "|tag|是|Map<String,String>|标签。|"),
                ],
                &[],
                200,
            ),
        ),
        (
            "delete_tag.md",
            page("删除分组标签", &entry("DELETE"), &[tag_path], &[], 204),
        ),
        (
            "错误码.md",
            "# 错误码\n\n|状态码|错误码|错误信息|\n|--|--|--|\n|404|GW.0404|not found|\n".into(),
        ),
    ];
    let pages: Vec<_> = pages
        .into_iter()
        .filter(|(file, _)| put || *file != "put_tag.md")
        .collect();
    common::write_pages(dir, &pages);
}

/// The generated suite holds a case for an absent key of each entry operation, and runs clean
/// against the contract tier.
#[test]
fn an_absent_map_entry_is_a_generated_case_the_tier_answers_404() {
    let dir = derive_service("gw", write_pages, true);
    let mut absent: Vec<String> = Vec::new();
    for entry in walk(&dir.path().join("cases")) {
        if entry.ends_with("path_tag_key__absent.yaml") {
            let yaml = std::fs::read_to_string(&entry).unwrap();
            assert!(yaml.contains("status: 404"), "{yaml}");
            assert!(yaml.contains("setup: create"), "{yaml}");
            absent.push(yaml);
        }
    }
    assert_eq!(absent.len(), 1, "the read's case");
    let mock = standalone(dir.path(), &["--schemas", "schemas"]);
    let (out, report) = run_against(dir.path(), &mock, &[]);
    let all = common::verdicts(&report);
    assert_eq!(out.status.code(), Some(0), "{all:?}\n{}", text(&out.stderr));
    let passed = all
        .iter()
        .filter(|(id, v, _)| id.ends_with("/path_tag_key__absent") && v == "passed")
        .count();
    assert_eq!(passed, 1, "{all:?}");
}

/// Against the tier directly: a held entry is answered, an absent one is 404, a delete
/// removes the entry and a PUT of one at its own path adds it (the group's read shows both).
#[tokio::test]
async fn the_tier_answers_held_entries_and_removes_deleted_ones() {
    let dir = derive_service("gw", write_pages, false);
    let mock = standalone(dir.path(), &["--schemas", "schemas"]);
    let base = format!("{}/v1/p1/groups", mock.1);
    let made = json!({"name": "g", "tags": {"a": "1", "b": "2", "50%20off": "4"}});
    let (status, _, body) = send(reqwest::Method::POST, &base, Some(&made)).await;
    assert_eq!(status, 201, "{}", text(&body));
    let made: Value = serde_json::from_slice(&body).unwrap();
    let group = format!("{base}/{}", made["id"].as_str().expect("an id"));
    let url = |key: &str| format!("{group}/{key}");
    let (status, _, body) = send(reqwest::Method::GET, &url("a"), None).await;
    assert_eq!(status, 200, "{}", text(&body));
    assert!(text(&body).contains("\"1\""), "{}", text(&body));
    assert_eq!(send(reqwest::Method::GET, &url("c"), None).await.0, 404);
    // A key holding `%` is decoded once: `50%2520off` names `50%20off`, not `50 off`.
    let (status, _, body) = send(reqwest::Method::GET, &url("50%2520off"), None).await;
    assert_eq!(status, 200, "{}", text(&body));
    assert!(text(&body).contains("\"4\""), "{}", text(&body));
    assert_eq!(
        send(reqwest::Method::DELETE, &url("50%2520off"), None)
            .await
            .0,
        204
    );
    assert_eq!(send(reqwest::Method::DELETE, &url("a"), None).await.0, 204);
    assert_eq!(send(reqwest::Method::GET, &url("a"), None).await.0, 404);
    // An entry written at its own path is held: read there and shown by the group.
    let put = json!({"tag": {"c": "3"}});
    assert_eq!(
        send(reqwest::Method::PUT, &url("c"), Some(&put)).await.0,
        200
    );
    let (status, _, body) = send(reqwest::Method::GET, &url("c"), None).await;
    assert_eq!(status, 200, "{}", text(&body));
    assert!(text(&body).contains("\"3\""), "{}", text(&body));
    let (_, _, body) = send(reqwest::Method::GET, &group, None).await;
    let shown: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(shown["tags"], json!({"b": "2", "c": "3"}), "{shown}");
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// An entry's key named `{name}` (SMN's topic attribute, which nothing writes at its own path)
/// is the entry's, not the `name` the group's create sent: no case binds it to that field,
/// and a read takes a key the list shows.
#[test]
fn an_entry_key_is_not_taken_from_the_creates_field_of_its_name() {
    let dir = derive_service("gw", |d| write_pages_keyed(d, "name", false), true);
    for entry in walk(&dir.path().join("cases")) {
        let yaml = std::fs::read_to_string(&entry).unwrap();
        assert!(
            !yaml.contains(r#""name": {sent: "/body/name"}"#),
            "{}:\n{yaml}",
            entry.display()
        );
    }
    let files = walk(&dir.path().join("cases"));
    let success = files
        .iter()
        .find(|p| p.ends_with("show_group_by_name_v1/success.yaml"))
        .unwrap_or_else(|| panic!("no entry read's success case in {files:#?}"));
    let yaml = std::fs::read_to_string(success).unwrap();
    assert!(yaml.contains("setup: read a name of the list"), "{yaml}");
}
