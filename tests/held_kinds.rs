//! Kinds the contract cannot create, end to end from synthetic pages shaped like a data
//! warehouse's: a cluster read, listed, deleted and acted on but never created by any page, a
//! stream named by `job_id` (no create either) beside the service's job status query, and a
//! queue keyed by the name its create sends and answers. With no vars file, the contract tier
//! holds one instance of each kind nobody creates and hands out its id, keeps it through a
//! delete, answers a job the variables name, admits the longest value the contract documents,
//! and the generated suite runs with nothing failing.

mod common;

use std::path::Path;

use common::{
    conform, derive_service, page, resources, run_against, run_in_process, standalone, text,
    verdict_of,
};
use serde_json::Value;

/// Writes the synthetic service's pages.
fn write_pages(dir: &Path) {
    let cluster = (
        "表 3 cluster字段说明",
        "|id|是|String|集群ID。|\n|name|是|String|集群名称。|\n|status|是|String|状态。|",
    );
    let stream = (
        "表 3 stream字段说明",
        "|job_id|是|String|作业ID。|\n|name|是|String|作业名称。|",
    );
    let queue =
        "|queue_name|是|String|队列名称。只能包含数字、英文字母和下划线，长度为1~64个字符。|";
    let pages = [
        (
            "cluster_list.md",
            page(
                "查询集群列表",
                "GET /v1.0/\\{project\\_id\\}/clusters",
                &[],
                &[
                    (
                        "表 2 响应参数",
                        "|clusters|是|Array of objects|详情请参见表3。|",
                    ),
                    cluster,
                ],
                200,
            ),
        ),
        (
            "cluster_show.md",
            page(
                "查询集群详情",
                "GET /v1.0/\\{project\\_id\\}/clusters/\\{cluster\\_id\\}",
                &[],
                &[
                    ("表 2 响应参数", "|cluster|是|Object|详情请参见表3。|"),
                    cluster,
                ],
                200,
            ),
        ),
        (
            "cluster_delete.md",
            page(
                "删除集群",
                "DELETE /v1.0/\\{project\\_id\\}/clusters/\\{cluster\\_id\\}",
                &[],
                &[],
                202,
            ),
        ),
        (
            "cluster_restart.md",
            page(
                "重启集群",
                "POST /v1.0/\\{project\\_id\\}/clusters/\\{cluster\\_id\\}/restart",
                &[(
                    "表 1 请求参数",
                    "|statement|否|String|重启前执行的语句。长度限制：0-1024*1024个字符。|",
                )],
                &[("表 2 响应参数", "|result|是|String|结果。|")],
                200,
            ),
        ),
        (
            "stream_list.md",
            page(
                "查询流作业列表",
                "GET /v1.0/\\{project\\_id\\}/streams",
                &[],
                &[
                    (
                        "表 2 响应参数",
                        "|streams|是|Array of objects|详情请参见表3。|",
                    ),
                    stream,
                ],
                200,
            ),
        ),
        (
            "stream_show.md",
            page(
                "查询流作业详情",
                "GET /v1.0/\\{project\\_id\\}/streams/\\{job\\_id\\}",
                &[],
                &[
                    ("表 2 响应参数", "|stream|是|Object|详情请参见表3。|"),
                    stream,
                ],
                200,
            ),
        ),
        (
            "stream_delete.md",
            page(
                "删除流作业",
                "DELETE /v1.0/\\{project\\_id\\}/streams/\\{job\\_id\\}",
                &[],
                &[],
                204,
            ),
        ),
        (
            "job_status.md",
            page(
                "查询作业状态",
                "GET /v1.0/\\{project\\_id\\}/jobs/\\{job\\_id\\}/status",
                &[],
                &[(
                    "表 2 响应参数",
                    "|job_id|是|String|作业ID。|\n|status|是|String|作业状态。|",
                )],
                200,
            ),
        ),
        // A job-starting export beside the streams named by `job_id`: a case naming a job
        // takes the job the variables name, not one an export starts; its cancel leaves it.
        (
            "export.md",
            page(
                "导出数据",
                "POST /v1.0/\\{project\\_id\\}/jobs/export-table",
                &[("表 1 请求参数", "|table_name|是|String|表名。|")],
                &[("表 2 响应参数", "|job_id|是|String|作业ID。|")],
                200,
            ),
        ),
        (
            "job_cancel.md",
            page(
                "取消作业",
                "DELETE /v1.0/\\{project\\_id\\}/jobs/\\{job\\_id\\}",
                &[],
                &[],
                204,
            ),
        ),
        (
            "queue_create.md",
            page(
                "创建队列",
                "POST /v1.0/\\{project\\_id\\}/queues",
                &[(
                    "表 1 请求参数",
                    &format!("{queue}\n|cu_count|是|Integer|计算单元。|"),
                )],
                &[(
                    "表 2 响应参数",
                    &format!("{queue}\n|is_success|是|Boolean|是否成功。|"),
                )],
                200,
            ),
        ),
        (
            "queue_show.md",
            page(
                "查询队列详情",
                "GET /v1.0/\\{project\\_id\\}/queues/\\{queue\\_name\\}",
                &[],
                &[(
                    "表 2 响应参数",
                    &format!("{queue}\n|cu_count|是|Integer|计算单元。|"),
                )],
                200,
            ),
        ),
        (
            "queue_delete.md",
            page(
                "删除队列",
                "DELETE /v1.0/\\{project\\_id\\}/queues/\\{queue\\_name\\}",
                &[],
                &[],
                204,
            ),
        ),
    ];
    for (file, body) in &pages {
        std::fs::write(dir.join(file), body).unwrap();
    }
}

#[test]
fn kinds_nobody_creates_are_held_by_the_tier_and_the_suite_runs_clean() {
    let dir = derive_service("wh", write_pages, false);
    let d = dir.path();
    let table = resources(d);
    let queue = table
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id_param"] == "queue_name")
        .unwrap_or_else(|| panic!("a queue kind: {table}"));
    assert_eq!(
        queue["client_key"],
        serde_json::json!({"body": "/queue_name"})
    );
    let restart: Value = serde_json::from_slice(
        &std::fs::read(d.join("schemas/wh.create_cluster_restart.v1_0/request.schema.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        restart.pointer("/properties/statement/maxLength"),
        Some(&Value::from(1024 * 1024)),
        "a product bounds the length: {restart}"
    );

    let out = conform(d, &["generate", "--schemas", "schemas", "--out", "cases"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The tier's variables name the held cluster and stream, their other project's twins and
    // the job they share the parameter of.
    let out = conform(d, &["mock", "--schemas", "schemas", "--print-vars"]);
    let vars = text(&out.stdout);
    for name in ["cluster_id:", "other_project_cluster_id:", "job_id:"] {
        assert!(vars.contains(name), "{name} in {vars}");
    }

    let mock = standalone(d, &["--schemas", "schemas"]);
    let (out, report) = run_against(d, &mock, &[]);
    let bad: Vec<&Value> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "failed" || c["verdict"] == "errored")
        .collect();
    assert!(bad.is_empty(), "{bad:#?}\n{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for id in [
        // The held cluster is read, acted on and deleted; the delete leaves it for the others.
        "wh/show_cluster_v1_0/success",
        "wh/create_cluster_restart_v1_0/success",
        "wh/delete_cluster_v1_0/success",
        "wh/show_cluster_v1_0/path_cluster_id__other_project",
        // The longest documented statement is admitted, not refused as too large.
        "wh/create_cluster_restart_v1_0/statement__max_length_at_limit",
        // A stream named by `job_id` is the memory's, the job status the job table's.
        "wh/show_stream_v1_0/success",
        "wh/list_job_status_v1_0/success",
        "wh/delete_job_v1_0/success",
        // A queue's create answers the key it was sent, the one the case checks.
        "wh/create_queue_v1_0/queue_name__pattern_inside",
    ] {
        assert_eq!(verdict_of(&report, id), "passed", "{id}");
    }
    // The built-in mock of a run with no target serves the same contract with the same
    // variables: nothing is skipped for want of one, and the held kinds' cases pass there too.
    let (out, inproc) = run_in_process(d, "in-process.json");
    let wanting: Vec<&Value> = inproc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["skip_reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("requires variable"))
        })
        .collect();
    assert!(wanting.is_empty(), "{wanting:#?}\n{}", text(&out.stderr));
    for id in [
        "wh/show_cluster_v1_0/success",
        "wh/show_stream_v1_0/success",
        "wh/list_job_status_v1_0/success",
    ] {
        assert_eq!(verdict_of(&inproc, id), "passed", "{id} in process");
    }
    // A held instance survives a delete: it is still read after every case ran.
    let var = |name: &str| {
        vars.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(|v| v.trim().trim_matches('"').to_string())
            .unwrap_or_default()
    };
    let url = format!(
        "{}/v1.0/{}/clusters/{}",
        mock.1,
        var("project_id"),
        var("cluster_id")
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async { reqwest::get(&url).await.map(|r| r.status().as_u16()) });
    assert_eq!(status.ok(), Some(200), "{url}");
    // So does the job the variables name, through its cancel.
    let url = format!(
        "{}/v1.0/{}/jobs/{}/status",
        mock.1,
        var("project_id"),
        var("job_id")
    );
    let status = runtime.block_on(async { reqwest::get(&url).await.map(|r| r.status().as_u16()) });
    assert_eq!(status.ok(), Some(200), "{url}");
}

/// Writes a message queue's pages: instances made by a create, topics made below one by a
/// POST that sends the topic's name in its body, and reads naming a topic and a partition by
/// path parameters that are no ids and that no kind of the table names.
fn write_queue_pages(dir: &Path) {
    let pages = [
        (
            "instance_create.md",
            page(
                "创建实例",
                "POST /v2/\\{project\\_id\\}/instances",
                &[("表 1 请求参数", "|name|是|String|实例名称。|")],
                &[("表 2 响应参数", "|instance_id|是|String|实例ID。|")],
                200,
            ),
        ),
        (
            "instance_show.md",
            page(
                "查询实例",
                "GET /v2/\\{project\\_id\\}/instances/\\{instance\\_id\\}",
                &[],
                &[(
                    "表 2 响应参数",
                    "|instance_id|是|String|实例ID。|\n|name|是|String|实例名称。|",
                )],
                200,
            ),
        ),
        (
            "instance_delete.md",
            page(
                "删除实例",
                "DELETE /v2/\\{project\\_id\\}/instances/\\{instance\\_id\\}",
                &[],
                &[],
                204,
            ),
        ),
        (
            "topic_create.md",
            page(
                "创建Topic",
                "POST /v2/\\{project\\_id\\}/instances/\\{instance\\_id\\}/topics",
                &[(
                    "表 1 请求参数",
                    "|id|是|String|Topic名称。|\n|partition|否|Integer|分区数。取值范围：1-100。|",
                )],
                &[("表 2 响应参数", "|name|是|String|Topic名称。|")],
                200,
            ),
        ),
        (
            "topic_show.md",
            page(
                "查询Topic详情",
                "GET /v2/\\{project\\_id\\}/instances/\\{instance\\_id\\}/management/topics/\\{topic\\}",
                &[],
                &[("表 2 响应参数", "|topic|是|String|Topic名称。|")],
                200,
            ),
        ),
        (
            "partition_end.md",
            page(
                "查询分区最新消息的位置",
                "GET /v2/\\{project\\_id\\}/instances/\\{instance\\_id\\}/management/topics/\\{topic\\}/partitions/\\{partition\\}/end-message",
                &[],
                &[(
                    "表 2 响应参数",
                    "|topic|是|String|Topic名称。|\n|partition|是|Integer|分区编号。|\n|message\\_offset|是|Integer|最新消息位置。|",
                )],
                200,
            ),
        ),
    ];
    for (file, body) in &pages {
        std::fs::write(dir.join(file), body).unwrap();
    }
}

/// A path parameter that is no id and that no kind names (`{topic}`, `{partition}`) is a
/// variable the contract tier hands out, valued as the contract documents a field of that
/// name (a partition at its least valid number): the reads naming them run instead of
/// skipping for a variable no target defines, and pass.
#[test]
fn path_parameters_no_kind_names_are_variables_of_the_tier() {
    let dir = derive_service("mq", write_queue_pages, true);
    let d = dir.path();
    let out = conform(d, &["mock", "--schemas", "schemas", "--print-vars"]);
    let vars = text(&out.stdout);
    assert!(vars.contains("topic: \"conform-topic\""), "{vars}");
    assert!(vars.contains("partition: \"1\""), "{vars}");
    assert!(
        !vars.contains("other_project_topic"),
        "no id, no twin: {vars}"
    );

    let mock = standalone(d, &["--schemas", "schemas"]);
    let (out, report) = run_against(d, &mock, &[]);
    let bad: Vec<&Value> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "failed" || c["verdict"] == "errored")
        .collect();
    assert!(bad.is_empty(), "{bad:#?}\n{}", text(&out.stderr));
    for id in [
        "mq/show_instance_management_topic_v2/success",
        "mq/list_instance_management_topic_partition_end_message_v2/success",
    ] {
        assert_eq!(verdict_of(&report, id), "passed", "{id}");
    }
}
