//! A kind shaped as AOS's stacks: the create answers the new id only as a `guid`, the list
//! answers a bare array, and the update sends no name, only other free strings the read shows.
//! The generated lifecycle creates by the guid, reads and lists it, and reads the update back,
//! so it passes against the faithful mock and fails under the `list-misses` and
//! `update-ignored` fault modes.

mod common;

use std::path::Path;

use common::{derive_service, page, run_against, standalone, verdict_of};
use serde_json::Value;

/// The stack's fields as the answers document them.
const STACK: &str = "|guid|是|String|堆栈ID。|\n|name|是|String|名称。|\n|app|是|String|应用名。|";

/// Writes the synthetic service's pages.
fn write_pages(svc: &Path) {
    let pages = [
        (
            "create.md",
            page(
                "创建堆栈",
                "POST /v2/stacks",
                &[(
                    "表 1 请求Body参数",
                    "|name|是|String|名称。|\n|app|否|String|应用名。|",
                )],
                &[("表 2 响应Body参数", STACK)],
                201,
            ),
        ),
        (
            "show.md",
            page(
                "查询堆栈",
                "GET /v2/stacks/\\{stack\\_id\\}",
                &[],
                &[("表 2 响应Body参数", STACK)],
                200,
            ),
        ),
        (
            "update.md",
            page(
                "更新堆栈",
                "PUT /v2/stacks/\\{stack\\_id\\}",
                &[(
                    "表 1 请求Body参数",
                    "|app|是|String|应用名。|\n|callback_url|否|String|回调地址。|",
                )],
                &[("表 2 响应Body参数", STACK)],
                200,
            ),
        ),
        (
            "list.md",
            page(
                "查询堆栈列表",
                "GET /v2/stacks",
                &[],
                &[
                    (
                        "表 2 响应Body参数",
                        "|[数组元素]|是|Array of objects|请参见表3。|",
                    ),
                    ("表 3 堆栈", STACK),
                ],
                200,
            ),
        ),
        (
            "delete.md",
            page(
                "删除堆栈",
                "DELETE /v2/stacks/\\{stack\\_id\\}",
                &[],
                &[],
                204,
            ),
        ),
    ];
    common::write_pages(svc, &pages);
}

/// The lifecycle's verdict against a standalone mock run with `mock_args`.
fn lifecycle_verdict(dir: &Path, mock_args: &[&str]) -> (String, Value) {
    let mut args = vec!["--schemas", "schemas"];
    args.extend_from_slice(mock_args);
    let mock = standalone(dir, &args);
    let (_, report) = run_against(dir, &mock, &[]);
    (verdict_of(&report, "svc/create_stack_v2/lifecycle"), report)
}

/// The lifecycle passes against the faithful mock and fails under either fault.
#[test]
fn a_guid_kind_listed_bare_and_updated_by_a_free_string_catches_both_faults() {
    let dir = derive_service("svc", write_pages, true);
    let d = dir.path();
    let kinds = common::resources(d);
    let kind = kinds
        .as_array()
        .and_then(|k| k.iter().find(|k| k["created_id"] == "/guid"))
        .unwrap_or_else(|| panic!("no kind captures /guid: {kinds}"));
    assert_eq!(kind["id_param"], "stack_id", "{kind}");
    let lifecycle =
        std::fs::read_to_string(d.join("cases/svc/create_stack_v2/lifecycle.yaml")).unwrap();
    // The list step asserts on the bare array; the update changes `app`, never the link.
    assert!(
        lifecycle.contains(r#"{"includes":{"guid":"${stack_id}"},"pointer":""}"#),
        "{lifecycle}"
    );
    assert!(
        lifecycle.contains(r#"{"equals":"conform-updated","pointer":"/app"}"#),
        "{lifecycle}"
    );
    assert!(
        !lifecycle.contains("callback_url\":\"conform-updated"),
        "{lifecycle}"
    );

    let (faithful, report) = lifecycle_verdict(d, &[]);
    assert_eq!(faithful, "passed", "{report}");
    let bad: Vec<&Value> = report["cases"]
        .as_array()
        .map(|c| c.iter().filter(|c| c["verdict"] == "failed").collect())
        .unwrap_or_default();
    assert!(bad.is_empty(), "{bad:?}");
    for fault in ["list-misses", "update-ignored"] {
        let (verdict, report) = lifecycle_verdict(d, &["--fault", fault]);
        assert_eq!(verdict, "failed", "{fault}: {report}");
    }
}

/// A connection whose update sends only a list of hosts (DLI's enhanced connections): the
/// lifecycle sends one whole host with a new name, never its address, and reads it back, so the
/// `update-ignored` fault fails it.
#[test]
fn an_update_sending_only_a_list_is_read_back_by_its_first_item() {
    let hosts = "|hosts|是|Array of objects|请参见表3。|";
    let host = (
        "表 3 hosts字段说明",
        "|ip|是|String|IP地址。|\n|name|是|String|主机名。|",
    );
    let connection = "|connection_id|是|String|连接ID。|\n|name|是|String|名称。|\n|hosts|是|Array of objects|请参见表3。|";
    let write = |svc: &Path| {
        let one = |title: &str, call: &str, request: &[(&str, &str)], status: u16| {
            page(
                title,
                call,
                request,
                &[("表 2 响应Body参数", connection), host],
                status,
            )
        };
        let conn = "/v2/connections";
        let item = "/v2/connections/\\{connection\\_id\\}";
        let pages = [
            (
                "create.md",
                one(
                    "创建连接",
                    &format!("POST {conn}"),
                    &[("表 1 请求Body参数", "|name|是|String|名称。|")],
                    201,
                ),
            ),
            ("show.md", one("查询连接", &format!("GET {item}"), &[], 200)),
            (
                "update.md",
                one(
                    "修改主机信息",
                    &format!("PUT {item}"),
                    &[("表 1 请求Body参数", hosts), host],
                    200,
                ),
            ),
            (
                "delete.md",
                one("删除连接", &format!("DELETE {item}"), &[], 204),
            ),
        ];
        common::write_pages(svc, &pages);
    };
    let dir = derive_service("svc", write, true);
    let d = dir.path();
    let lifecycle =
        std::fs::read_to_string(d.join("cases/svc/create_connection_v2/lifecycle.yaml")).unwrap();
    assert!(
        lifecycle.contains(r#"body: {"hosts":[{"ip":"conform","name":"conform-updated"}]}"#),
        "{lifecycle}"
    );
    assert!(
        lifecycle.contains(r#"{"equals":"conform-updated","pointer":"/hosts/0/name"}"#),
        "{lifecycle}"
    );
    passes_and_fails_when_updates_are_ignored(d, "svc/create_connection_v2/lifecycle");
}

/// A task whose one update path takes either of two bodies (OMS's task update: new keys, or a
/// new description): the lifecycle sends the alternative a read shows, alone, and reads it back,
/// so the `update-ignored` fault fails it.
#[test]
fn an_update_of_several_bodies_is_read_back_through_the_one_a_read_shows() {
    let task = "|id|是|String|任务ID。|\n|name|是|String|名称。|\n|description|否|String|描述。|";
    let write = |svc: &Path| {
        let one = |title: &str, call: &str, request: &[(&str, &str)], status: u16| {
            page(title, call, request, &[("表 2 响应Body参数", task)], status)
        };
        let tasks = "/v1/tasks";
        let item = "/v1/tasks/\\{task\\_id\\}";
        let pages = [
            (
                "create.md",
                one(
                    "创建任务",
                    &format!("POST {tasks}"),
                    &[("表 1 请求Body参数", "|name|是|String|名称。|")],
                    201,
                ),
            ),
            ("show.md", one("查询任务", &format!("GET {item}"), &[], 200)),
            (
                "update_keys.md",
                one(
                    "更新任务密钥",
                    &format!("PUT {item}"),
                    &[(
                        "表 1 请求Body参数",
                        "|source_ak|是|String|源端AK。|\n|source_sk|是|String|源端SK。|",
                    )],
                    200,
                ),
            ),
            (
                "update_description.md",
                one(
                    "更新任务描述",
                    &format!("PUT {item}"),
                    &[("表 1 请求Body参数", "|description|是|String|描述。|")],
                    200,
                ),
            ),
            (
                "delete.md",
                one("删除任务", &format!("DELETE {item}"), &[], 204),
            ),
        ];
        common::write_pages(svc, &pages);
    };
    let dir = derive_service("svc", write, true);
    let d = dir.path();
    let lifecycle =
        std::fs::read_to_string(d.join("cases/svc/create_task_v1/lifecycle.yaml")).unwrap();
    assert!(
        lifecycle.contains(r#"body: {"description":"conform-updated"}"#),
        "{lifecycle}"
    );
    assert!(
        lifecycle.contains(r#"{"equals":"conform-updated","pointer":"/description"}"#),
        "{lifecycle}"
    );
    passes_and_fails_when_updates_are_ignored(d, "svc/create_task_v1/lifecycle");
}

/// A rule updated by a PUT of its collection that names it by the name its create sent, and read
/// one at a time as a list of one (AOM's alarm rules): the table says so (`update_names`), the
/// update's own cases make a rule and name it, the lifecycle reads the update back in the list's
/// item, and the `update-ignored` fault fails it.
#[test]
fn an_update_of_the_collection_naming_one_by_name_is_checked() {
    let rule = "|rule_id|是|String|规则ID。|\n|rule_name|是|String|规则名称。|\n|description|否|String|描述。|";
    let sent = "|rule_name|是|String|规则名称。|\n|description|否|String|描述。|";
    let write = |svc: &Path| {
        let rules = "/v2/\\{project\\_id\\}/rules";
        let item = "/v2/\\{project\\_id\\}/rules/\\{rule\\_id\\}";
        let id = [("表 2 响应Body参数", "|rule_id|是|String|规则ID。|")];
        // The read of one answers a list of it (AOM's `thresholds: [rule]`).
        let shown = [
            (
                "表 2 响应Body参数",
                "|meta_data|是|Object|请参见表4。|\n|rules|是|Array of objects|请参见表3。|",
            ),
            ("表 3 rules字段说明", rule),
            ("表 4 meta_data字段说明", "|count|是|Integer|数目。|"),
        ];
        let pages = [
            (
                "create.md",
                page(
                    "添加规则",
                    &format!("POST {rules}"),
                    &[("表 1 请求Body参数", sent)],
                    &id,
                    200,
                ),
            ),
            (
                "show.md",
                page("查询规则", &format!("GET {item}"), &[], &shown, 200),
            ),
            (
                "update.md",
                page(
                    "修改规则",
                    &format!("PUT {rules}"),
                    &[("表 1 请求Body参数", sent)],
                    &id,
                    200,
                ),
            ),
            (
                "delete.md",
                page("删除规则", &format!("DELETE {item}"), &[], &[], 204),
            ),
        ];
        common::write_pages(svc, &pages);
    };
    let dir = derive_service("svc", write, true);
    let d = dir.path();
    let kind = common::kind(d, "rules");
    assert_eq!(kind["update_names"], "/rule_name", "{kind}");
    let success =
        std::fs::read_to_string(d.join("cases/svc/update_rules_v2/success.yaml")).unwrap();
    assert!(
        success.contains("setup: create rule.v2 (rule_id)"),
        "{success}"
    );
    let lifecycle =
        std::fs::read_to_string(d.join("cases/svc/create_rule_v2/lifecycle.yaml")).unwrap();
    assert!(
        lifecycle.contains(r#"{"equals":"conform-updated","pointer":"/rules/0/description"}"#),
        "{lifecycle}"
    );
    passes_and_fails_when_updates_are_ignored(d, "svc/create_rule_v2/lifecycle");
}

/// A kind the pages give no delete (BMS's servers): no lifecycle, which would delete it, but
/// its update is read back in a case of its own, with no teardown, that passes against the
/// contract tier and fails when updates are ignored.
#[test]
fn a_kind_with_no_delete_still_reads_its_update_back() {
    let dir = derive_service(
        "svc",
        |svc| {
            write_pages(svc);
            std::fs::remove_file(svc.join("delete.md")).unwrap();
        },
        true,
    );
    let d = dir.path();
    let cases = d.join("cases/svc/create_stack_v2");
    assert!(!cases.join("lifecycle.yaml").exists());
    let case = std::fs::read_to_string(cases.join("read_after_write.yaml")).unwrap();
    assert!(
        case.contains(r#"{"equals":"conform-updated","pointer":"/app"}"#)
            && case.contains("property:read_after_write")
            && !case.contains("teardown:"),
        "{case}"
    );
    passes_and_fails_under(d, "svc/create_stack_v2/read_after_write", "update-ignored");
}

/// The whole suite passes against the faithful contract tier, and `case` fails under the
/// `update-ignored` fault.
fn passes_and_fails_when_updates_are_ignored(d: &Path, case: &str) {
    passes_and_fails_under(d, case, "update-ignored");
}

/// The whole suite passes against the faithful contract tier, and `case` fails under `fault`.
fn passes_and_fails_under(d: &Path, case: &str, fault: &str) {
    let mock = standalone(d, &["--schemas", "schemas"]);
    let (out, report) = run_against(d, &mock, &[]);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(verdict_of(&report, case), "passed", "{report}");
    drop(mock);
    let mock = standalone(d, &["--schemas", "schemas", "--fault", fault]);
    let (_, report) = run_against(d, &mock, &[]);
    assert_eq!(verdict_of(&report, case), "failed", "{report}");
}

/// An instance with a setting below it (DDS's `…/instances/{id}/backups/policy`, written by a
/// PUT and read by a GET at the same path, with no update of the instance itself), and one
/// written as a list at another path naming its id: each generated read-after-write case
/// writes every field, an enumerated one's last value and a list's first item whole, reads
/// them back, passes against the contract tier and fails under `update-ignored`.
#[test]
fn a_setting_below_an_item_is_read_back_after_it_is_written() {
    const POLICY: &str = "|keep_days|是|Integer|保留天数。|\n|period|否|String|备份周期。取值为：1,2,3|\n|start_time|否|String|备份时间段。|";
    let policy_path = "/v3/\\{project\\_id\\}/instances/\\{instance\\_id\\}/backups/policy";
    // Another path naming the instance's id last, as MRS's `…/clusters/{cluster_id}/…` names
    // what is read at `…/cluster_infos/{id}`.
    let whitelist_path = "/v3/\\{project\\_id\\}/dbs/\\{instance\\_id\\}/whitelist";
    const WHITELIST: &str = "|groups|是|Array of Group objects|分组。详情请参见表3。|";
    const GROUP: &str = "|group_name|是|String|分组名。|\n|ip_list|否|Array of strings|地址。|";
    let write = |svc: &Path| {
        let item = "/v3/\\{project\\_id\\}/instances/\\{instance\\_id\\}";
        let project = ("表 1 路径参数", "|project_id|是|String|项目ID。|");
        let instance = (
            "表 1 路径参数",
            "|project_id|是|String|项目ID。|\n|instance_id|是|String|实例ID。|",
        );
        let shown = "|id|是|String|实例ID。|\n|name|是|String|名称。|";
        let pages = [
            (
                "create.md",
                page(
                    "创建实例",
                    "POST /v3/\\{project\\_id\\}/instances",
                    &[project, ("表 2 请求Body参数", "|name|是|String|名称。|")],
                    &[("表 3 响应Body参数", shown)],
                    202,
                ),
            ),
            (
                "show.md",
                page(
                    "查询实例",
                    &format!("GET {item}"),
                    &[instance],
                    &[("表 3 响应Body参数", shown)],
                    200,
                ),
            ),
            (
                "delete.md",
                page("删除实例", &format!("DELETE {item}"), &[instance], &[], 202),
            ),
            (
                "set_policy.md",
                page(
                    "设置自动备份策略",
                    &format!("PUT {policy_path}"),
                    &[instance, ("表 2 请求Body参数", POLICY)],
                    &[],
                    200,
                ),
            ),
            (
                "show_policy.md",
                page(
                    "查询自动备份策略",
                    &format!("GET {policy_path}"),
                    &[instance],
                    &[("表 3 响应Body参数", POLICY)],
                    200,
                ),
            ),
            (
                "set_whitelist.md",
                page(
                    "设置白名单",
                    &format!("PUT {whitelist_path}"),
                    &[
                        instance,
                        ("表 2 请求Body参数", WHITELIST),
                        ("表 3 Group", GROUP),
                    ],
                    &[],
                    204,
                ),
            ),
            (
                "show_whitelist.md",
                page(
                    "查询白名单",
                    &format!("GET {whitelist_path}"),
                    &[instance],
                    &[("表 3 响应Body参数", WHITELIST), ("表 4 Group", GROUP)],
                    200,
                ),
            ),
        ];
        common::write_pages(svc, &pages);
    };
    let dir = derive_service("svc", write, true);
    let d = dir.path();
    // Written as a list, at another path naming the instance: the first item reads back.
    let case = "svc/update_db_whitelist_v3/read_after_write";
    let yaml = std::fs::read_to_string(d.join(format!("cases/{case}.yaml")))
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    assert!(
        yaml.contains(r#"{"equals":"conform","pointer":"/groups/0/group_name"}"#),
        "{yaml}"
    );
    passes_and_fails_when_updates_are_ignored(d, case);
    let case = "svc/update_instance_backups_policy_v3/read_after_write";
    let yaml = std::fs::read_to_string(d.join(format!("cases/{case}.yaml")))
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    assert!(
        yaml.contains(r#"{"equals":"3","pointer":"/period"}"#),
        "{yaml}"
    );
    assert!(
        yaml.contains(r#"{"equals":"conform","pointer":"/start_time"}"#),
        "{yaml}"
    );
    passes_and_fails_when_updates_are_ignored(d, case);
}

/// An alarm with no update of its own, switched on and off by a PUT below it (CES's
/// `PUT …/alarms/{alarm_id}/action` with `alarm_enabled`, which the alarm's read shows): the
/// lifecycle sets the switch to false and to true, reading each back, so it passes against the
/// contract tier and fails under `update-ignored` whatever the alarm held first. A PUT below it
/// whose field the read does not show (a password reset) is no switch.
#[test]
fn a_put_below_an_item_setting_a_boolean_the_read_shows_is_its_update() {
    let write = |svc: &Path| {
        let item = "/v1/\\{project\\_id\\}/alarms/\\{alarm\\_id\\}";
        let project = ("表 1 路径参数", "|project_id|是|String|项目ID。|");
        let alarm = (
            "表 1 路径参数",
            "|project_id|是|String|项目ID。|\n|alarm_id|是|String|告警ID。|",
        );
        let shown = "|alarm_id|是|String|告警ID。|\n|alarm_name|是|String|名称。|\n|alarm_enabled|是|Boolean|是否启用。|";
        let pages = [
            (
                "create.md",
                page(
                    "创建告警规则",
                    "POST /v1/\\{project\\_id\\}/alarms",
                    &[
                        project,
                        ("表 2 请求Body参数", "|alarm_name|是|String|名称。|"),
                    ],
                    &[("表 3 响应Body参数", "|alarm_id|是|String|告警ID。|")],
                    201,
                ),
            ),
            (
                "show.md",
                page(
                    "查询告警规则",
                    &format!("GET {item}"),
                    &[alarm],
                    &[("表 3 响应Body参数", shown)],
                    200,
                ),
            ),
            (
                "delete.md",
                page(
                    "删除告警规则",
                    &format!("DELETE {item}"),
                    &[alarm],
                    &[],
                    204,
                ),
            ),
            (
                "action.md",
                page(
                    "启停告警规则",
                    &format!("PUT {item}/action"),
                    &[
                        alarm,
                        ("表 2 请求Body参数", "|alarm_enabled|是|Boolean|是否启用。|"),
                    ],
                    &[],
                    204,
                ),
            ),
            (
                "reset.md",
                page(
                    "重置告警密码",
                    &format!("PUT {item}/password"),
                    &[
                        alarm,
                        ("表 2 请求Body参数", "|new_password|是|String|密码。|"),
                    ],
                    &[],
                    204,
                ),
            ),
        ];
        common::write_pages(svc, &pages);
    };
    let dir = derive_service("svc", write, true);
    let d = dir.path();
    let case = "svc/create_alarm_v1/lifecycle";
    let yaml = std::fs::read_to_string(d.join(format!("cases/{case}.yaml")))
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    for v in ["false", "true"] {
        assert!(
            yaml.contains(&format!(r#"body: {{"alarm_enabled":{v}}}"#)),
            "{yaml}"
        );
        assert!(
            yaml.contains(&format!(r#"{{"equals":{v},"pointer":"/alarm_enabled"}}"#)),
            "{yaml}"
        );
    }
    assert!(!yaml.contains("new_password"), "{yaml}");
    passes_and_fails_when_updates_are_ignored(d, case);
}

/// A request-construction page listing the project header, as a service's common headers
/// are documented.
const PROJECT_HEADER_PAGE: &str = "# 构造请求\n\n## 请求消息头\n\n|名称|描述|是否必选|示例|\n|--|--|--|--|\n|X-Auth-Token|用户Token。|否|-|\n|X-Project-Id|项目ID。AK/SK认证时使用。|否|e9993fc787d94b6c886cbaa340f9c0f4|\n";

/// The stack service (paths naming no project) documenting `X-Project-Id`: the header chooses
/// the project, so each stack asked for from another project gets a namespace case sending it.
/// The case passes against the contract tier and fails where projects leak; it runs signed
/// with AK/SK (its header wins over the target's project, and the signature covers it) and is
/// skipped on a token target, whose scope chooses the project. Without the header documented,
/// no such case is written (the existing tests' set).
#[test]
fn a_project_the_header_chooses_is_asked_from_another_project() {
    let dir = derive_service(
        "svc",
        |svc| {
            write_pages(svc);
            let quotas = page(
                "查询配额",
                "GET /v1/\\{project\\_id\\}/quotas",
                &[("表 1 路径参数", "|project_id|是|String|项目ID。|")],
                &[("表 2 响应Body参数", "|quota|是|Integer|配额。|")],
                200,
            );
            common::write_pages(
                svc,
                &[("构造请求.md", PROJECT_HEADER_PAGE), ("quotas.md", &quotas)],
            );
        },
        true,
    );
    let d = dir.path();
    let index: Value =
        serde_json::from_slice(&std::fs::read(d.join("schemas/operations.json")).unwrap()).unwrap();
    let show = index
        .as_array()
        .and_then(|ops| {
            ops.iter()
                .find(|o| o["path"] == "/v2/stacks/{stack_id}" && o["method"] == "GET")
        })
        .unwrap_or_else(|| panic!("no show: {index}"));
    assert_eq!(show["project_header"], true, "{show}");
    // A path naming its project takes it from there.
    let quotas = index
        .as_array()
        .and_then(|ops| ops.iter().find(|o| o["path"] == "/v1/{project_id}/quotas"))
        .unwrap_or_else(|| panic!("no quotas: {index}"));
    assert_eq!(quotas.get("project_header"), None, "{quotas}");
    let id = "svc/show_stack_v2/path_stack_id__other_project";
    let case = std::fs::read_to_string(d.join(format!("cases/{id}.yaml"))).unwrap();
    assert!(
        case.contains(r#"headers: {"X-Project-Id":"${other_project_id}"}"#)
            && case.contains(r#"requires: ["project-header","var:other_project_id"]"#)
            && case.contains("property:namespace")
            && case.contains("setup: create"),
        "{case}"
    );

    passes_and_fails_under(d, id, "cross-project");

    // Against a signing mock: the target's own project (its `project_id`, sent as the header)
    // is the mock's, and the case asks from the other one.
    for (auth, target, verdict) in [
        (
            "aksk:HPUAPROJECTHEADER01:sk-project-header",
            "    auth: {type: aksk, ak_env: CONFORM_T_AK_PH, sk_env: CONFORM_T_SK_PH}\n",
            "passed",
        ),
        (
            "token:tok-project-header",
            "    auth: {type: token, token_env: CONFORM_T_TOKEN_PH}\n",
            "skipped",
        ),
    ] {
        let mock = standalone(d, &["--schemas", "schemas", "--auth", auth]);
        let config = common::mock_target_config("t", &mock.1, target).replace("{evs: ", "{svc: ");
        std::fs::write(d.join("conform.yaml"), config).unwrap();
        let out = common::conform_env(
            d,
            &[
                "run",
                "--cases-dir",
                "cases",
                "--schemas",
                "schemas",
                "--target",
                "t",
                "--config",
                "conform.yaml",
                "--allow-mutation",
                "--allow-create",
                "all",
                "--snapshots",
                "off",
                "-q",
                "--report-json",
                "r.json",
                id,
            ],
            &[
                ("CONFORM_T_AK_PH", "HPUAPROJECTHEADER01"),
                ("CONFORM_T_SK_PH", "sk-project-header"),
                ("CONFORM_T_TOKEN_PH", "tok-project-header"),
            ],
        );
        let report: Value =
            serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
        assert_eq!(
            verdict_of(&report, id),
            verdict,
            "{auth}: {report}\n{}",
            common::text(&out.stderr)
        );
        if verdict == "skipped" {
            let reason = report["cases"][0]["skip_reason"]
                .as_str()
                .unwrap_or_default();
            assert!(
                reason.contains("requires project-header")
                    && reason.contains("whose scope chooses the project"),
                "{reason}"
            );
        }
    }
    let without = derive_service("svc", write_pages, true);
    assert!(!without.path().join(format!("cases/{id}.yaml")).exists());
}
