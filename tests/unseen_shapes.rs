//! Shapes first met in documentation sets conform was never tuned on (GES, APIG, IAM), each in
//! synthetic pages: `derive` → `generate` → `run` against `conform mock --schemas`, no vars
//! file, nothing failing. Rows noting the version that has a field, one endpoint documented
//! twice with its parameters spelled two ways, actions on jobs nobody started, map entries
//! answered with the fields each entry documents, lists scoped by what the create sent,
//! a kind named by a parameter its own item spells otherwise, a kind named by a parameter
//! that does not look like an id, and a kind the token's project makes asked for under
//! another project's path.

mod common;

use std::path::Path;

use common::{conform, page, standalone, text};
use serde_json::Value;

/// Derives the pages as one service's set, generates its suite and lints it; the folder.
fn prepared(service: &str, pages: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("pages").join(service);
    std::fs::create_dir_all(&src).unwrap();
    for (name, body) in pages {
        std::fs::write(src.join(name), body).unwrap();
    }
    let out = conform(
        dir.path(),
        &["derive", src.to_str().unwrap(), "--out", "schemas", "-q"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = conform(
        dir.path(),
        &["generate", "--schemas", "schemas", "--out", "cases"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = conform(
        dir.path(),
        &["lint", "--cases-dir", "cases", "--schemas", "schemas"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    dir
}

/// Runs the folder's suite against `conform mock --schemas schemas`: it exits 0, and every
/// case named (`operation dir/case`) ran and passed. Returns the report.
fn runs_clean(dir: &Path, passing: &[&str]) -> Value {
    let mock = standalone(dir, &["--schemas", "schemas"]);
    let (out, report) = common::run_against(dir, &mock, &[]);
    let cases = report["cases"].as_array().cloned().unwrap_or_default();
    let bad: Vec<String> = cases
        .iter()
        .filter(|c| c["verdict"] == "failed" || c["verdict"] == "errored")
        .map(|c| c["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(out.status.code(), Some(0), "failed: {bad:?}");
    for want in passing {
        let verdict = cases
            .iter()
            .find(|c| c["id"].as_str().is_some_and(|id| id.ends_with(want)))
            .map(|c| c["verdict"].clone());
        assert_eq!(
            verdict,
            Some(Value::from("passed")),
            "{want}: {:?}",
            cases
                .iter()
                .filter_map(|c| Some((c["id"].as_str()?, c["verdict"].as_str()?)))
                .filter(|(id, _)| id.ends_with("/success") || id.contains("__unknown"))
                .collect::<Vec<_>>()
        );
    }
    report
}

fn schema(dir: &Path, op: &str, file: &str) -> Value {
    let path = dir.join("schemas").join(op).join(file);
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A row noting the version or edition that has a field (`ignoreError（2.2.13）`) documents
/// that field, and a noted row of a field another row names is that field in one edition: no
/// free-form map, so no body key is bound to the path's `{graph_name}`. Two pages of one
/// endpoint spelling its parameters differently (`{projectId}`, `{project_id}`) are one
/// operation, so the mock routes each body to the operation that documents it. An action on
/// a job nobody started is about an unknown job; a case naming a job starts one first (a POST
/// of the service answering a `job_id`), and the job of an unknown graph is the graph's 404.
#[test]
fn noted_rows_twin_spellings_and_unknown_jobs_run_clean() {
    let result = [("表 3 响应参数", "|result|是|String|结果。|")];
    let pages = [
        (
            "新建索引.md",
            page(
                "新建索引",
                "POST /ges/v1/\\{project\\_id\\}/graphs/\\{graph\\_name\\}/indices",
                &[(
                    "表 2 Body参数说明",
                    "|indexName|是|String|索引名称。|\n|hasLabel|否|String|是否有label。|\n|hasLabel（一千亿边（公测版））|否|Boolean|是否有label。|\n|ignoreError（2.2.13）|否|Boolean|是否忽略错误。|",
                )],
                &result,
                200,
            ),
        ),
        (
            "执行查询.md",
            page(
                "执行查询",
                "POST /ges/v1/\\{project\\_id\\}/graphs/\\{graph\\_name\\}/action",
                &[("表 2 Body参数说明", "|command|是|String|命令。|")],
                &result,
                200,
            ),
        ),
        (
            "过滤查询.md",
            page(
                "过滤查询",
                "POST /ges/v1/\\{projectId\\}/graphs/\\{graphName\\}/action",
                &[("表 2 Body参数说明", "|vertices|是|Array of strings|点。|")],
                &result,
                200,
            ),
        ),
        (
            "导出结果.md",
            page(
                "导出job结果",
                "POST /ges/v1/\\{project\\_id\\}/graphs/\\{graph\\_name\\}/jobs/\\{job\\_id\\}/action",
                &[("表 2 Body参数说明", "|exportPath|是|String|路径。|")],
                &[("表 3 响应参数", "|job_id|是|String|任务ID。|")],
                200,
            ),
        ),
        (
            "导出边.md",
            page(
                "导出边",
                "POST /ges/v1/\\{project\\_id\\}/graphs/\\{graph\\_name\\}/edges/action",
                &[("表 2 Body参数说明", "|exportPath|是|String|路径。|")],
                &[("表 3 响应参数", "|job_id|是|String|任务ID。|")],
                200,
            ),
        ),
        (
            "创建图.md",
            page(
                "创建图",
                "POST /v1/\\{project\\_id\\}/graphs",
                &[("表 2 Body参数说明", "|name|是|String|图名称。|")],
                &[("表 3 响应参数", "|id|是|String|图ID。|")],
                200,
            ),
        ),
        (
            "查询图.md",
            page(
                "查询图",
                "GET /v1/\\{project\\_id\\}/graphs/\\{graph\\_id\\}",
                &[],
                &[("表 3 响应参数", "|id|是|String|图ID。|\n|name|是|String|图名称。|")],
                200,
            ),
        ),
        (
            "删除图.md",
            page(
                "删除图",
                "DELETE /v1/\\{project\\_id\\}/graphs/\\{graph\\_id\\}",
                &[],
                &[],
                200,
            ),
        ),
        (
            "备份图.md",
            page(
                "备份图",
                "POST /v1/\\{project\\_id\\}/graphs/\\{graph\\_id\\}/action",
                &[],
                &[("表 3 响应参数", "|job_id|是|String|任务ID。|")],
                200,
            ),
        ),
        (
            "查询job状态.md",
            page(
                "查询job状态",
                "GET /v1/\\{project\\_id\\}/graphs/\\{graph\\_id\\}/jobs/\\{job\\_id\\}/status",
                &[],
                &[("表 3 响应参数", "|status|是|String|状态。|")],
                200,
            ),
        ),
    ];
    let dir = prepared("ges", &pages);
    let indices = schema(
        dir.path(),
        "ges.create_graph_indice.v1",
        "request.schema.json",
    );
    assert_eq!(indices.get("additionalProperties"), None, "{indices}");
    assert_eq!(indices["properties"]["hasLabel"]["type"], "string");
    assert_eq!(indices["properties"]["ignoreError"]["type"], "boolean");
    let ops: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("schemas/operations.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let actions: Vec<&str> = ops
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| {
            o["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/ges/") && p.ends_with("}/action"))
        })
        .filter(|o| !o["path"].as_str().is_some_and(|p| p.contains("/jobs/")))
        .filter_map(|o| o["path"].as_str())
        .collect();
    assert_eq!(
        actions,
        ["/ges/v1/{project_id}/graphs/{graph_name}/action"],
        "{ops}"
    );
    runs_clean(
        dir.path(),
        &[
            "create_graph_indice_v1/success",
            "graph_job_action_v1/path_job_id__unknown",
            "graph_job_action_v1/path_job_id__malformed",
            "graph_job_action_v1/success",
            "list_graph_job_status_v1/success",
            "list_graph_job_status_v1/path_graph_id__unknown",
        ],
    );
}

/// A create's answer documents fields of each entry of a map (`responses`, the answer of one
/// error type): the entries the request sent are answered with them. A read of one entry by
/// its key (`…/{response_type}`) reads the key of an item the case's own setup made with one
/// entry. A list scoped by a query parameter the create sent (`group_id`) shows the new one.
#[test]
fn map_entries_sub_items_and_scoped_lists_run_clean() {
    let group = "|id|是|String|ID。|\n|name|是|String|名称。|";
    let shown = "|id|是|String|ID。|\n|name|是|String|名称。|\n|responses|是|Map&lt;String,ResponseInfo&gt;|每种错误类型的响应。|";
    let info = (
        "表 9 ResponseInfo",
        "|status|是|Integer|状态码。|\n|body|是|String|响应体模板。|",
    );
    let sent_info = (
        "表 8 ResponseInfo",
        "|status|否|Integer|状态码。|\n|body|否|String|响应体模板。|",
    );
    let variable =
        "|id|是|String|ID。|\n|group_id|是|String|分组ID。|\n|variable_name|是|String|名称。|";
    let coll = "/v2/\\{project\\_id\\}/groups";
    let item = "/v2/\\{project\\_id\\}/groups/\\{group\\_id\\}";
    let responses = format!("{item}/responses");
    let response = format!("{item}/responses/\\{{response\\_id\\}}");
    let by_type = format!("{response}/\\{{response\\_type\\}}");
    let vars = "/v2/\\{project\\_id\\}/variables";
    let var_item = "/v2/\\{project\\_id\\}/variables/\\{variable\\_id\\}";
    let pages = [
        ("创建分组.md", page("创建分组", &format!("POST {coll}"), &[("表 2 请求参数", "|name|是|String|名称。|")], &[("表 3 响应参数", group)], 201)),
        ("查询分组.md", page("查询分组", &format!("GET {item}"), &[], &[("表 3 响应参数", group)], 200)),
        ("删除分组.md", page("删除分组", &format!("DELETE {item}"), &[], &[], 204)),
        ("创建响应.md", page("创建自定义响应", &format!("POST {responses}"), &[("表 2 请求参数", "|name|是|String|名称。|\n|responses|否|Map&lt;String,ResponseInfo&gt;|每种错误类型的响应。|"), sent_info], &[("表 3 响应参数", shown), info], 201)),
        ("查询响应.md", page("查询自定义响应", &format!("GET {response}"), &[], &[("表 3 响应参数", shown), info], 200)),
        ("删除响应.md", page("删除自定义响应", &format!("DELETE {response}"), &[], &[], 204)),
        ("查询类型响应.md", page("查询指定错误类型的自定义响应", &format!("GET {by_type}"), &[], &[("表 3 响应参数", "|status|是|Integer|状态码。|\n|body|是|String|响应体模板。|")], 200)),
        ("创建变量.md", page("创建变量", &format!("POST {vars}"), &[("表 2 请求参数", "|group_id|是|String|分组ID。|\n|variable_name|是|String|名称。|")], &[("表 3 响应参数", variable)], 201)),
        ("查询变量.md", page("查询变量", &format!("GET {var_item}"), &[], &[("表 3 响应参数", variable)], 200)),
        ("删除变量.md", page("删除变量", &format!("DELETE {var_item}"), &[], &[], 204)),
        ("变量列表.md", page("查询变量列表", &format!("GET {vars}"), &[("表 2 Query参数", "|group_id|是|String|分组ID。|")], &[("表 3 响应参数", "|variables|是|Array of Variable objects|变量列表。|"), ("表 4 Variable", variable)], 200)),
    ];
    let dir = prepared("apig", &pages);
    runs_clean(
        dir.path(),
        &[
            "create_group_response_v2/body__unknown_field",
            "show_group_response_by_response_type_v2/success",
            "create_variable_v2/lifecycle",
        ],
    );
}

/// A kind whose item is read at `…/providers/{id}` is named `{idp_id}` below it, and by that
/// name in another API version's path (`/v3.0/…/identity-providers/{idp_id}/config`): setups
/// make one for those paths too, and an unknown one is the documented 404 there. A kind named
/// by `{access_key}` (no `_id`) is made by the setups of its reads and updates as well.
#[test]
fn kinds_named_by_aliases_and_keys_are_made_and_checked() {
    let provider = "|id|是|String|ID。|\n|description|否|String|描述。|";
    let credential = (
        "表 4 credential字段说明",
        "|access|是|String|AK。|\n|status|是|String|状态。|",
    );
    let pages = [
        (
            "创建提供商.md",
            page(
                "创建身份提供商",
                "PUT /v3/OS-FEDERATION/identity\\_providers/\\{id\\}",
                &[("表 2 请求参数", "|description|否|String|描述。|")],
                &[("表 3 响应参数", provider)],
                201,
            ),
        ),
        (
            "查询提供商.md",
            page(
                "查询身份提供商",
                "GET /v3/OS-FEDERATION/identity\\_providers/\\{id\\}",
                &[],
                &[("表 3 响应参数", provider)],
                200,
            ),
        ),
        (
            "删除提供商.md",
            page(
                "删除身份提供商",
                "DELETE /v3/OS-FEDERATION/identity\\_providers/\\{id\\}",
                &[],
                &[],
                204,
            ),
        ),
        (
            "协议列表.md",
            page(
                "查询协议列表",
                "GET /v3/OS-FEDERATION/identity\\_providers/\\{idp\\_id\\}/protocols",
                &[],
                &[("表 3 响应参数", "|protocols|是|Array of strings|协议。|")],
                200,
            ),
        ),
        (
            "查询配置.md",
            page(
                "查询OpenID Connect配置",
                "GET /v3.0/OS-FEDERATION/identity-providers/\\{idp\\_id\\}/config",
                &[],
                &[("表 3 响应参数", "|client_id|是|String|客户端ID。|")],
                200,
            ),
        ),
        (
            "创建密钥.md",
            page(
                "创建永久访问密钥",
                "POST /v3.0/OS-CREDENTIAL/credentials",
                &[
                    ("表 2 请求参数", "|credential|是|Object|详情请参见表3。|"),
                    ("表 3 credential字段说明", "|description|否|String|描述。|"),
                ],
                &[
                    ("表 5 响应参数", "|credential|是|Object|详情请参见表4。|"),
                    credential,
                ],
                201,
            ),
        ),
        (
            "查询密钥.md",
            page(
                "查询永久访问密钥",
                "GET /v3.0/OS-CREDENTIAL/credentials/\\{access\\_key\\}",
                &[],
                &[
                    ("表 5 响应参数", "|credential|是|Object|详情请参见表4。|"),
                    credential,
                ],
                200,
            ),
        ),
        (
            "修改密钥.md",
            page(
                "修改永久访问密钥",
                "PUT /v3.0/OS-CREDENTIAL/credentials/\\{access\\_key\\}",
                &[
                    ("表 2 请求参数", "|credential|是|Object|详情请参见表3。|"),
                    (
                        "表 3 credential字段说明",
                        "|status|否|String|状态，取值为active或inactive。|",
                    ),
                ],
                &[
                    ("表 5 响应参数", "|credential|是|Object|详情请参见表4。|"),
                    credential,
                ],
                200,
            ),
        ),
        (
            "删除密钥.md",
            page(
                "删除永久访问密钥",
                "DELETE /v3.0/OS-CREDENTIAL/credentials/\\{access\\_key\\}",
                &[],
                &[],
                204,
            ),
        ),
    ];
    let dir = prepared("iam", &pages);
    let report = runs_clean(
        dir.path(),
        &[
            "list_os_federation_identity_provider_config_v3_0/success",
            "list_os_federation_identity_provider_config_v3_0/path_idp_id__unknown",
            "update_os_credential_credential_v3_0/success",
            "update_os_credential_credential_v3_0/path_access_key__unknown",
        ],
    );
    let skipped = report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["verdict"] == "skipped")
        .count();
    assert_eq!(skipped, 0, "nothing waits for a variable: {report}");
}

/// Sub-items of a bin that no page creates by a POST of their own: metadata entries written
/// by the POST of the whole map (no PUT of one entry is documented), tags made by a PUT with
/// no body, and ports nobody attaches, read and listed below each bin. The read and delete
/// of one entry write it first through the POST, the tag's through the PUT; a port is the
/// one the tier holds below every box (its id the variable of its parameter): they run, and
/// pass, where they skipped for a variable no target defines.
#[test]
fn sub_items_written_by_a_post_or_a_bodiless_put_and_held_ports_run_clean() {
    let boxed = "|id|是|String|ID。|\n|name|是|String|名称。|";
    let coll = "/v1/\\{project\\_id\\}/bins";
    let item = "/v1/\\{project\\_id\\}/bins/\\{bin\\_id\\}";
    let meta = format!("{item}/metadata");
    let tag = format!("{item}/tags/\\{{tag\\}}");
    let ports = format!("{item}/ports");
    let port = format!("{item}/ports/\\{{id\\}}");
    let map = "|metadata|是|Map&lt;String,String&gt;|元数据。|";
    let port_fields = "|port_id|是|String|端口ID。|\n|state|是|String|状态。|";
    let mut pages = box_pages(coll, item, boxed);
    pages.extend([
        (
            "写元数据.md",
            page(
                "创建盒子元数据",
                &format!("POST {meta}"),
                &[("表 2 请求参数", map)],
                &[("表 3 响应参数", map)],
                200,
            ),
        ),
        (
            "元数据列表.md",
            page(
                "查询盒子元数据",
                &format!("GET {meta}"),
                &[],
                &[("表 3 响应参数", map)],
                200,
            ),
        ),
        (
            "删除元数据.md",
            page(
                "删除盒子指定元数据",
                &format!("DELETE {meta}/\\{{key\\}}"),
                &[],
                &[],
                204,
            ),
        ),
        (
            "加标签.md",
            page("添加标签", &format!("PUT {tag}"), &[], &[], 204),
        ),
        (
            "查标签.md",
            page("查询标签", &format!("GET {tag}"), &[], &[], 204),
        ),
        (
            "删标签.md",
            page("删除标签", &format!("DELETE {tag}"), &[], &[], 204),
        ),
        (
            "端口列表.md",
            page(
                "查询端口列表",
                &format!("GET {ports}"),
                &[],
                &[
                    ("表 3 响应参数", "|ports|是|Array of Port objects|端口。|"),
                    ("表 4 Port", port_fields),
                ],
                200,
            ),
        ),
        (
            "查端口.md",
            page(
                "查询端口",
                &format!("GET {port}"),
                &[],
                &[
                    ("表 3 响应参数", "|port|是|Port object|端口。|"),
                    ("表 4 Port", port_fields),
                ],
                200,
            ),
        ),
    ]);
    let dir = prepared("bin", &pages);
    let report = runs_clean(
        dir.path(),
        &[
            "delete_bin_metadata_item_v1/success",
            "show_bin_tag_v1/success",
            "delete_bin_tag_v1/success",
            "show_bin_port_v1/success",
        ],
    );
    let skipped: Vec<&str> = report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["verdict"] == "skipped")
        .filter_map(|c| c["skip_reason"].as_str())
        .filter(|r| r.contains("variable"))
        .collect();
    assert!(skipped.is_empty(), "{skipped:?}");
}

/// A kind made in the token's own project (its create's path names none, as ELB's
/// `/v2.0/lbaas/loadbalancers` does, and its read shows its `tenant_id`) while another
/// operation's path names the project (`/v2.0/{project_id}/boxes/{box_id}/tags`): the
/// namespace case makes one here and asks for it under the other project's path, where it is
/// unknown, rather than skipping for an `other_project_box_id` no step can make. It passes
/// against the contract tier and fails where projects leak.
#[test]
fn a_kind_a_token_makes_is_asked_for_under_another_projects_path() {
    let pages = |boxed: &str| {
        let mut pages = box_pages(
            "/v2.0/lbaas/boxes",
            "/v2.0/lbaas/boxes/\\{box\\_id\\}",
            boxed,
        );
        pages.push((
            "标签.md",
            page(
                "查询盒子标签",
                "GET /v2.0/\\{project\\_id\\}/boxes/\\{box\\_id\\}/tags",
                &[],
                &[("表 3 响应参数", "|tags|是|Array of strings|标签。|")],
                200,
            ),
        ));
        pages
    };
    let boxed = "|id|是|String|ID。|\n|name|是|String|名称。|";
    let dir = prepared(
        "box",
        &pages(&format!("{boxed}\n|tenant_id|是|String|项目ID。|")),
    );
    let case = case_named(dir.path(), "path_box_id__other_project.yaml");
    assert!(
        case.contains(r#"params: {"project_id":"${other_project_id}"}"#)
            && case.contains("capture: {\"box_id\"")
            && !case.contains("other_project_box_id"),
        "{case}"
    );
    passes_and_fails_where_projects_leak(dir.path(), "tags_v2_0/path_box_id__other_project");
    // A read showing no project (IAM's groups show their domain) belongs to none: the case
    // names another project's one, which no step makes.
    let dir = prepared("box", &pages(boxed));
    let case = case_named(dir.path(), "path_box_id__other_project.yaml");
    assert!(case.contains("${other_project_box_id}"), "{case}");
}

/// A box lives in the path's project (`/v1/{project_id}/boxes`) but its create needs a net,
/// which only the token's own project makes (`/v2.0/nets`, as VPC's ports need a network): no
/// step could make another project's box. The namespace case makes one here and asks for it
/// under the other project's path, rather than skipping for a `net_id` no step can make; it
/// passes against the contract tier and fails where projects leak.
#[test]
fn a_kind_whose_parent_only_the_token_makes_is_asked_for_under_another_projects_path() {
    let net = "|id|是|String|ID。|\n|name|是|String|名称。|";
    let boxed = "|id|是|String|ID。|\n|name|是|String|名称。|\n|net_id|是|String|网络ID。|";
    let item = "/v1/\\{project\\_id\\}/boxes/\\{box\\_id\\}";
    let mut pages = box_pages("/v2.0/nets", "/v2.0/nets/\\{net\\_id\\}", net);
    pages.extend([
        (
            "创建箱子.md",
            page(
                "创建箱子",
                "POST /v1/\\{project\\_id\\}/boxes",
                &[(
                    "表 2 请求参数",
                    "|name|是|String|名称。|\n|net_id|是|String|网络ID。|",
                )],
                &[("表 3 响应参数", boxed)],
                200,
            ),
        ),
        (
            "查询箱子.md",
            page(
                "查询箱子",
                &format!("GET {item}"),
                &[],
                &[("表 3 响应参数", boxed)],
                200,
            ),
        ),
        (
            "删除箱子.md",
            page("删除箱子", &format!("DELETE {item}"), &[], &[], 204),
        ),
    ]);
    let dir = prepared("box", &pages);
    let show = op_folder(dir.path(), |f| f.contains("show_box"));
    let case = std::fs::read_to_string(show.join("path_box_id__other_project.yaml")).unwrap();
    assert!(
        case.contains(r#"params: {"project_id":"${other_project_id}"}"#)
            && case.contains("capture: {\"net_id\"")
            && !case.contains("var:net_id"),
        "{case}"
    );
    let id = format!("{}/path_box_id__other_project", folder_name(&show));
    passes_and_fails_where_projects_leak(dir.path(), &id);
}

/// A box's metadata written only by a POST of its one free-form map, one key deleted at
/// `…/metadata/{key}` (ECS's v1 cloud servers): under an unknown, malformed or other project's
/// box the key names nothing whatever it is, so those cases send the generator's key rather
/// than skip for a `key` variable no target defines; they run and pass.
#[test]
fn a_key_under_a_box_that_is_not_there_is_any_key() {
    let boxed = "|id|是|String|ID。|\n|name|是|String|名称。|";
    let item = "/v1/\\{project\\_id\\}/boxes/\\{box\\_id\\}";
    let mut pages = box_pages("/v1/\\{project\\_id\\}/boxes", item, boxed);
    pages.extend([
        (
            "写元数据.md",
            page(
                "写盒子元数据",
                &format!("POST {item}/metadata"),
                &[("表 2 请求参数", "|metadata|是|Map<String,String>|元数据。|")],
                &[("表 3 响应参数", "|metadata|是|Map<String,String>|元数据。|")],
                200,
            ),
        ),
        (
            "删元数据.md",
            page(
                "删除盒子元数据",
                &format!("DELETE {item}/metadata/\\{{key\\}}"),
                &[],
                &[],
                204,
            ),
        ),
    ]);
    let dir = prepared("box", &pages);
    let delete = op_folder(dir.path(), |f| {
        f.starts_with("delete") && f.contains("metadata")
    });
    let success = std::fs::read_to_string(delete.join("success.yaml")).unwrap();
    assert!(success.contains("setup: write key conform"), "{success}");
    let mut ids = Vec::new();
    for name in ["unknown", "malformed", "other_project"] {
        let file = format!("path_box_id__{name}.yaml");
        let case = std::fs::read_to_string(delete.join(&file)).unwrap();
        assert!(
            case.contains(r#""key":"conform""#) && !case.contains("var:key"),
            "{file}: {case}"
        );
        ids.push(format!("{}/path_box_id__{name}", folder_name(&delete)));
    }
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    runs_clean(dir.path(), &ids);
}

/// The one folder of `cases/box` whose name `wanted` takes.
fn op_folder(dir: &Path, wanted: impl Fn(&str) -> bool) -> std::path::PathBuf {
    let cases = dir.join("cases/box");
    let found: Vec<std::path::PathBuf> = std::fs::read_dir(&cases)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| wanted(&folder_name(p)))
        .collect();
    assert_eq!(found.len(), 1, "{found:?} in {}", cases.display());
    found[0].clone()
}

/// A folder's own name.
fn folder_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// The suite runs clean with case `id` passing against the contract tier, and `id` fails
/// against one where projects leak.
fn passes_and_fails_where_projects_leak(dir: &Path, id: &str) {
    runs_clean(dir, &[id]);
    let leak = standalone(dir, &["--schemas", "schemas", "--fault", "cross-project"]);
    let (_, report) = common::run_against(dir, &leak, &[]);
    let verdict = report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"].as_str().is_some_and(|i| i.ends_with(id)))
        .map(|c| c["verdict"].clone());
    assert_eq!(verdict, Some(Value::from("failed")), "{id}: {report}");
}

/// The create (of a name), read and delete pages of a box kind whose read shows `boxed`.
fn box_pages(coll: &str, item: &str, boxed: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "创建.md",
            page(
                "创建盒子",
                &format!("POST {coll}"),
                &[("表 2 请求参数", "|name|是|String|名称。|")],
                &[("表 3 响应参数", boxed)],
                200,
            ),
        ),
        (
            "查询.md",
            page(
                "查询盒子",
                &format!("GET {item}"),
                &[],
                &[("表 3 响应参数", boxed)],
                200,
            ),
        ),
        (
            "删除.md",
            page("删除盒子", &format!("DELETE {item}"), &[], &[], 204),
        ),
    ]
}

/// The text of the one case file of this name under `dir/cases`.
fn case_named(dir: &Path, name: &str) -> String {
    let mut found = Vec::new();
    let mut stack = vec![dir.join("cases")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == name) {
                found.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    assert_eq!(found.len(), 1, "{name} under {}", dir.display());
    found.remove(0)
}
