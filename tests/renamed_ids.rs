//! Ids a service names otherwise than its kinds do, end to end from synthetic pages shaped like
//! a machine-learning service's: training jobs are created, listed, changed and deleted, never
//! read one by one, and share the `{job_id}` parameter with visualization jobs, which are; a
//! dataset's export task is read below the dataset named `{resource_id}` while every other path
//! names it `{dataset_id}`; a workforce task is answered as `task_id` by its create and named
//! `{workforce_task_id}` by its paths. The derived table and the generated cases make what each
//! request names in the right collection, the suite runs green against the contract tier with
//! only the auth cases skipped, and the tier's faults fail it.

mod common;

use std::path::Path;

use common::{derive_service, page, run_against, standalone, text, DerivedService};
use serde_json::json;

const DONE: &str = "|is_success|是|Boolean|是否成功。|";

/// Writes the synthetic service's pages.
fn write_pages(dir: &Path) {
    let job = |title: &str, call: &str, request: &[(&str, &str)], status: u16| {
        page(title, call, request, &[("表 2 响应参数", DONE)], status)
    };
    let pages = [
        (
            "create_job.md",
            page(
                "创建训练作业",
                "POST /v1/\\{project\\_id\\}/training-jobs",
                &[("表 1 请求参数", "|job_name|是|String|作业名称。|")],
                &[(
                    "表 2 响应参数",
                    "|job_id|是|Long|作业ID。|\n|job_name|是|String|作业名称。|\n|version_id|是|Long|版本ID。|",
                )],
                200,
            ),
        ),
        (
            "list_jobs.md",
            page(
                "查询训练作业列表",
                "GET /v1/\\{project\\_id\\}/training-jobs",
                &[],
                &[
                    (
                        "表 2 响应参数",
                        "|jobs|是|Array of objects|详情请参见表3。|\n|job_total_count|是|Integer|总数。|",
                    ),
                    (
                        "表 3 jobs字段说明",
                        "|job_id|是|Long|作业ID。|\n|job_name|是|String|作业名称。|\n|description|否|String|描述。|",
                    ),
                ],
                200,
            ),
        ),
        (
            "update_job.md",
            job(
                "修改训练作业描述",
                "PUT /v1/\\{project\\_id\\}/training-jobs/\\{job\\_id\\}",
                &[("表 1 请求参数", "|description|是|String|描述。|")],
                200,
            ),
        ),
        (
            "delete_job.md",
            job(
                "删除训练作业",
                "DELETE /v1/\\{project\\_id\\}/training-jobs/\\{job\\_id\\}",
                &[],
                200,
            ),
        ),
        (
            "stop_job.md",
            job(
                "停止训练作业",
                "POST /v1/\\{project\\_id\\}/training-jobs/\\{job\\_id\\}/stop",
                &[],
                200,
            ),
        ),
        (
            "create_vis.md",
            page(
                "创建可视化作业",
                "POST /v1/\\{project\\_id\\}/visualization-jobs",
                &[("表 1 请求参数", "|job_name|是|String|作业名称。|")],
                &[("表 2 响应参数", "|job_id|是|Long|作业ID。|")],
                200,
            ),
        ),
        (
            "show_vis.md",
            page(
                "查询可视化作业详情",
                "GET /v1/\\{project\\_id\\}/visualization-jobs/\\{job\\_id\\}",
                &[],
                &[(
                    "表 2 响应参数",
                    "|job_id|是|Long|作业ID。|\n|job_name|是|String|作业名称。|",
                )],
                200,
            ),
        ),
        (
            "delete_vis.md",
            job(
                "删除可视化作业",
                "DELETE /v1/\\{project\\_id\\}/visualization-jobs/\\{job\\_id\\}",
                &[],
                200,
            ),
        ),
        (
            "create_dataset.md",
            page(
                "创建数据集",
                "POST /v2/\\{project\\_id\\}/datasets",
                &[("表 1 请求参数", "|dataset_name|是|String|数据集名称。|")],
                &[("表 2 响应参数", "|dataset_id|是|String|数据集ID。|")],
                201,
            ),
        ),
        (
            "show_dataset.md",
            page(
                "查询数据集详情",
                "GET /v2/\\{project\\_id\\}/datasets/\\{dataset\\_id\\}",
                &[],
                &[(
                    "表 2 响应参数",
                    "|dataset_id|是|String|数据集ID。|\n|dataset_name|是|String|数据集名称。|",
                )],
                200,
            ),
        ),
        (
            "delete_dataset.md",
            page(
                "删除数据集",
                "DELETE /v2/\\{project\\_id\\}/datasets/\\{dataset\\_id\\}",
                &[],
                &[],
                204,
            ),
        ),
        (
            "create_export.md",
            page(
                "创建数据集导出任务",
                "POST /v2/\\{project\\_id\\}/datasets/\\{dataset\\_id\\}/export-tasks",
                &[("表 1 请求参数", "|path|是|String|导出路径。|")],
                &[("表 2 响应参数", "|task_id|是|String|任务ID。|")],
                200,
            ),
        ),
        (
            "show_export.md",
            page(
                "查询数据集导出任务",
                "GET /v2/\\{project\\_id\\}/datasets/\\{resource\\_id\\}/export-tasks/\\{task\\_id\\}",
                &[],
                &[(
                    "表 2 响应参数",
                    "|task_id|是|String|任务ID。|\n|path|是|String|导出路径。|",
                )],
                200,
            ),
        ),
        (
            "create_wtask.md",
            page(
                "创建团队标注任务",
                "POST /v2/\\{project\\_id\\}/datasets/\\{dataset\\_id\\}/workforce-tasks",
                &[("表 1 请求参数", "|task_name|是|String|任务名称。|")],
                &[("表 2 响应参数", "|task_id|是|String|任务ID。|")],
                200,
            ),
        ),
        (
            "show_wtask.md",
            page(
                "查询团队标注任务详情",
                "GET /v2/\\{project\\_id\\}/datasets/\\{dataset\\_id\\}/workforce-tasks/\\{workforce\\_task\\_id\\}",
                &[],
                &[("表 2 响应参数", "|task_name|是|String|任务名称。|")],
                200,
            ),
        ),
        (
            "delete_wtask.md",
            page(
                "删除团队标注任务",
                "DELETE /v2/\\{project\\_id\\}/datasets/\\{dataset\\_id\\}/workforce-tasks/\\{workforce\\_task\\_id\\}",
                &[],
                &[],
                204,
            ),
        ),
    ];
    common::write_pages(dir, &pages);
}

/// Derives and generates the synthetic service into a fresh folder.
fn prepared() -> DerivedService {
    derive_service("mlx", write_pages, true)
}

/// The text of every generated case of an operation (its folder under `cases/mlx/`).
fn cases_of(dir: &Path, op: &str) -> Vec<(String, String)> {
    let folder = dir.join("cases/mlx").join(op);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The table: training jobs are a kind read through their list (its items carry the integer
/// `job_id`, the list has no filter), beside the visualization jobs read one by one; the
/// workforce task's create answers its id as `task_id`. The cases: what runs below a training
/// job makes a training job, never a visualization job; the export task is read below the
/// dataset the setup makes, named `{resource_id}` there; the workforce task needs no variable.
#[test]
fn each_request_names_what_its_setup_makes() {
    let dir = prepared();
    let d = dir.path();
    let jobs = common::kind(d, "training-jobs");
    assert_eq!(
        jobs["read"]["path"], "/v1/{project_id}/training-jobs",
        "{jobs}"
    );
    assert_eq!(
        jobs["read_by_list"],
        json!({"array": "/jobs", "key": "job_id"}),
        "{jobs}"
    );
    let vis = common::kind(d, "visualization-jobs");
    assert_eq!(
        vis["read"]["path"], "/v1/{project_id}/visualization-jobs/{id}",
        "{vis}"
    );
    let wtask = common::kind(d, "workforce-tasks");
    assert_eq!(wtask["created_id"], "/task_id", "{wtask}");

    for op in ["create_training_job_stop_v1", "update_training_job_v1"] {
        for (name, case) in cases_of(d, op) {
            assert!(!case.contains("visualization_job"), "{op}/{name}:\n{case}");
        }
    }
    let stop = cases_of(d, "create_training_job_stop_v1");
    let (_, success) = stop.iter().find(|(n, _)| n == "success.yaml").unwrap();
    assert!(
        success.contains("setup: create training_job.v1 (job_id)"),
        "{success}"
    );

    let export = cases_of(d, "show_dataset_export_task_v2");
    let (_, success) = export.iter().find(|(n, _)| n == "success.yaml").unwrap();
    assert!(
        success.contains(r#"params: {"resource_id":"${dataset_id}"}"#),
        "{success}"
    );
    assert!(!success.contains("var:resource_id"), "{success}");
    assert_eq!(
        success.matches("setup: create dataset.v2").count(),
        1,
        "{success}"
    );

    for (name, case) in cases_of(d, "show_dataset_workforce_task_v2") {
        assert!(!case.contains("var:workforce_task_id"), "{name}:\n{case}");
    }
}

/// Against the contract tier the suite passes with only the cases needing auth skipped; the
/// export task's and the workforce task's reads run and pass.
#[test]
fn the_suite_runs_green_and_unskipped() {
    let dir = prepared();
    let mock = standalone(dir.path(), &["--schemas", "schemas"]);
    let (out, report) = run_against(dir.path(), &mock, &[]);
    let all = common::verdicts(&report);
    assert_eq!(out.status.code(), Some(0), "{all:?}\n{}", text(&out.stderr));
    let skipped: Vec<&(String, String, String)> = all
        .iter()
        .filter(|(id, v, _)| v == "skipped" && !id.contains("/auth__"))
        .collect();
    assert!(skipped.is_empty(), "{skipped:?}");
    for id in [
        "mlx/show_dataset_export_task_v2/success",
        "mlx/show_dataset_workforce_task_v2/success",
        "mlx/create_training_job_stop_v1/success",
        "mlx/create_training_job_v1/lifecycle",
    ] {
        assert!(
            all.iter().any(|(i, v, _)| i == id && v == "passed"),
            "{id}: {all:?}"
        );
    }
}

/// The contract tier keeps a kind with no read of one like any other: each fault fails the
/// checker that tests it, and an unknown job id answered as found fails the cases naming one
/// (its update, its delete, the action below it).
#[test]
fn faults_of_a_kind_without_a_read_fail_its_checkers() {
    let dir = prepared();
    for (fault, caught_by) in [
        ("delete-keeps", "create_training_job_v1/use_after_delete"),
        ("list-misses", "create_training_job_v1/lifecycle"),
        ("update-ignored", "create_training_job_v1/lifecycle"),
        (
            "unknown-id-ok",
            "update_training_job_v1/path_job_id__unknown",
        ),
        (
            "unknown-id-ok",
            "delete_training_job_v1/path_job_id__unknown",
        ),
        (
            "unknown-id-ok",
            "create_training_job_stop_v1/path_job_id__unknown",
        ),
        (
            "unknown-id-ok",
            "show_dataset_export_task_v2/path_resource_id__unknown",
        ),
    ] {
        let mock = standalone(dir.path(), &["--schemas", "schemas", "--fault", fault]);
        let (out, report) = run_against(dir.path(), &mock, &[]);
        let all: Vec<(String, String)> = common::verdicts(&report)
            .into_iter()
            .map(|(id, v, _)| (id, v))
            .collect();
        assert_eq!(out.status.code(), Some(1), "{fault}: {all:?}");
        let id = format!("mlx/{caught_by}");
        assert!(
            all.iter().any(|(i, v)| *i == id && v == "failed"),
            "{fault}: {id} in {all:?}"
        );
    }
}
