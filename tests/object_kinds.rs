//! Kinds shaped as whole objects, end to end from synthetic pages shaped like a container
//! service's Kubernetes-style API: a namespace is keyed by its `metadata.name` and read at
//! `/namespaces/{name}`, while every path below it names it `{namespace}`; a config map below
//! it is keyed by an optional `metadata.name` and replaced by a PUT repeating that name; a
//! cluster's create answers its id nested (`/metadata/uid`) and its list shows whole clusters
//! under `items`. The generated setups make the namespace a request names, every create that
//! should succeed names what it makes, no update renames what it updates, the lifecycle finds
//! the cluster in its list, and the suite runs green against the contract tier while the
//! tier's faults fail it.

mod common;

use std::path::Path;

use common::{derive_service, page, run_against, standalone, text, DerivedService};

const META: (&str, &str) = (
    "表 3 metadata字段说明",
    "|name|否|String|名称。|\n|uid|否|String|唯一标识。|",
);

/// Writes the synthetic service's pages.
fn write_pages(dir: &Path) {
    let object =
        "|apiVersion|否|String|API版本。长度为1-64个字符。|\n|metadata|是|Object|详情请参见表3。|";
    let answer = [("表 2 响应参数", object), META];
    let list = [
        (
            "表 2 响应参数",
            "|items|是|Array of objects|详情请参见表4。|\n|kind|是|String|类型。|",
        ),
        ("表 4 items字段说明", object),
        META,
    ];
    let sent = [("表 1 请求参数", object), META];
    let namespaces = "/api/v1/namespaces";
    let configmaps = "/api/v1/namespaces/\\{namespace\\}/configmaps";
    let clusters = "/api/v3/projects/\\{project\\_id\\}/clusters";
    let pages = [
        (
            "ns_create.md",
            page(
                "创建Namespace",
                &format!("POST {namespaces}"),
                &sent,
                &answer,
                201,
            ),
        ),
        (
            "ns_list.md",
            page(
                "查询Namespace列表",
                &format!("GET {namespaces}"),
                &[],
                &list,
                200,
            ),
        ),
        (
            "ns_show.md",
            page(
                "查询Namespace",
                &format!("GET {namespaces}/\\{{name\\}}"),
                &[],
                &answer,
                200,
            ),
        ),
        (
            "ns_delete.md",
            page(
                "删除Namespace",
                &format!("DELETE {namespaces}/\\{{name\\}}"),
                &[],
                &answer,
                200,
            ),
        ),
        (
            "cm_create.md",
            page(
                "创建ConfigMap",
                &format!("POST {configmaps}"),
                &sent,
                &answer,
                201,
            ),
        ),
        (
            "cm_list.md",
            page(
                "查询ConfigMap列表",
                &format!("GET {configmaps}"),
                &[],
                &list,
                200,
            ),
        ),
        (
            "cm_show.md",
            page(
                "查询ConfigMap",
                &format!("GET {configmaps}/\\{{name\\}}"),
                &[],
                &answer,
                200,
            ),
        ),
        (
            "cm_replace.md",
            page(
                "替换ConfigMap",
                &format!("PUT {configmaps}/\\{{name\\}}"),
                &sent,
                &answer,
                200,
            ),
        ),
        (
            "cm_delete.md",
            page(
                "删除ConfigMap",
                &format!("DELETE {configmaps}/\\{{name\\}}"),
                &[],
                &answer,
                200,
            ),
        ),
        (
            "cl_create.md",
            page("创建集群", &format!("POST {clusters}"), &sent, &answer, 201),
        ),
        (
            "cl_list.md",
            page("获取集群列表", &format!("GET {clusters}"), &[], &list, 200),
        ),
        (
            "cl_show.md",
            page(
                "获取集群",
                &format!("GET {clusters}/\\{{cluster\\_id\\}}"),
                &[],
                &answer,
                200,
            ),
        ),
        (
            "cl_update.md",
            page(
                "更新集群",
                &format!("PUT {clusters}/\\{{cluster\\_id\\}}"),
                &sent,
                &answer,
                200,
            ),
        ),
        (
            "cl_delete.md",
            page(
                "删除集群",
                &format!("DELETE {clusters}/\\{{cluster\\_id\\}}"),
                &[],
                &answer,
                200,
            ),
        ),
    ];
    common::write_pages(dir, &pages);
}

/// Derives and generates the synthetic service into a fresh folder.
fn prepared() -> DerivedService {
    derive_service("kci", write_pages, true)
}

/// A generated case's text (`cases/kci/<op>/<name>.yaml`).
fn case(dir: &Path, op: &str, name: &str) -> String {
    let p = dir.join("cases/kci").join(op).join(format!("{name}.yaml"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The cases: a config map's request makes the namespace it names first; its success case
/// names the map it makes though the name is optional; its lifecycle replaces something else
/// than the name and repeats the name in the PUT; the cluster's lifecycle finds it in the list
/// by its nested id.
#[test]
fn setups_make_the_namespace_and_updates_keep_the_name() {
    let dir = prepared();
    let d = dir.path();
    let success = case(d, "create_namespace_configmap_v1", "success");
    assert!(
        success.contains("setup: create api.v1.namespace (namespace)"),
        "{success}"
    );
    assert!(!success.contains("var:namespace"), "{success}");
    // A case sending only what is required, and expected to make one, names it all the same.
    let at_limit = case(
        d,
        "create_namespace_configmap_v1",
        "apiversion__max_length_at_limit",
    );
    assert!(
        at_limit.contains(r#""metadata":{"name":"conform-${run_id}-"#),
        "{at_limit}"
    );
    assert!(
        at_limit.contains(r#"capture: {"name": {sent: "/body/metadata/name"}}"#),
        "{at_limit}"
    );
    let lifecycle = case(d, "create_namespace_configmap_v1", "lifecycle");
    let update = lifecycle
        .split("- name: ")
        .find(|s| s.starts_with("\"update "))
        .unwrap_or_else(|| panic!("no update step:\n{lifecycle}"));
    assert!(
        update.contains(r#""metadata":{"name":"${name}"}"#),
        "{update}"
    );
    assert!(
        update.contains(r#""apiVersion":"conform-updated""#),
        "{update}"
    );
    let cluster = case(d, "create_project_cluster_v3", "lifecycle");
    assert!(
        cluster.contains(r#"{"includes":{"metadata":{"uid":"${cluster_id}"}},"pointer":"/items"}"#),
        "{cluster}"
    );
}

/// Against the contract tier the suite passes with only the auth cases skipped, and each
/// stateful fault fails the checker that tests it.
#[test]
fn the_suite_runs_green_and_the_faults_fail_it() {
    let dir = prepared();
    let mock = standalone(dir.path(), &["--schemas", "schemas"]);
    let (out, report) = run_against(dir.path(), &mock, &[]);
    let all = common::verdicts(&report);
    assert_eq!(out.status.code(), Some(0), "{all:?}\n{}", text(&out.stderr));
    let skipped: Vec<_> = all
        .iter()
        .filter(|(id, v, _)| v == "skipped" && !id.contains("/auth__"))
        .collect();
    assert!(skipped.is_empty(), "{skipped:?}");
    drop(mock);
    for (fault, caught_by) in [
        ("list-misses", "create_project_cluster_v3/lifecycle"),
        ("update-ignored", "create_namespace_configmap_v1/lifecycle"),
        (
            "delete-keeps",
            "create_namespace_configmap_v1/use_after_delete",
        ),
    ] {
        let mock = standalone(dir.path(), &["--schemas", "schemas", "--fault", fault]);
        let (out, report) = run_against(dir.path(), &mock, &[]);
        let all = common::verdicts(&report);
        assert_eq!(out.status.code(), Some(1), "{fault}: {all:?}");
        let id = format!("kci/{caught_by}");
        assert!(
            all.iter().any(|(i, v, _)| *i == id && v == "failed"),
            "{fault}: {id} in {all:?}"
        );
    }
}
