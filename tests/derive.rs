//! Derivation: the committed contract is exactly what the deriver makes of the seeds, and the
//! deriver generalises to every page of the documentation sets and to unseen pages.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use conform::contract::derive::{self, manifest::Manifest, write, Derived};
use conform::contract::{keywords, SchemaKind};
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shared() -> PathBuf {
    root().join("../shared")
}

fn manifest() -> Manifest {
    Manifest::load(&root().join("pages.yaml")).expect("pages.yaml loads")
}

fn derive_seeds() -> Derived {
    derive::derive(&[shared().join("seeds")], &manifest()).expect("seeds derive")
}

#[test]
fn committed_schemas_are_exactly_what_the_seeds_derive() {
    let derived = derive_seeds();
    let files = write::files(&derived);
    let schemas = root().join("schemas");
    for (rel, content) in &files {
        let committed = std::fs::read_to_string(schemas.join(rel))
            .unwrap_or_else(|_| panic!("{} is derived but not committed", rel.display()));
        assert_eq!(&committed, content, "{} differs from what derive produces: run `conform derive ../shared/seeds --out schemas`", rel.display());
    }
    let mut committed = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&schemas)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let rel = entry.path().strip_prefix(&schemas).unwrap().to_path_buf();
        if rel != Path::new("case.schema.json") {
            committed.insert(rel);
        }
    }
    let derived_set: BTreeSet<PathBuf> = files.keys().cloned().collect();
    assert_eq!(
        committed, derived_set,
        "schemas/ holds files derive does not produce"
    );
}

#[test]
fn the_four_operations_have_their_documented_ids_methods_and_paths() {
    let d = derive_seeds();
    let ops: Vec<(&str, &str, &str)> = d
        .operations
        .iter()
        .map(|o| (o.id.as_str(), o.method.as_str(), o.path.as_str()))
        .collect();
    assert_eq!(
        ops,
        vec![
            (
                "ecs.update_server_metadata_item.v2_1",
                "PUT",
                "/v2.1/{project_id}/servers/{server_id}/metadata/{key}"
            ),
            (
                "evs.update_snapshot.v2",
                "PUT",
                "/v2/{project_id}/snapshots/{snapshot_id}"
            ),
            (
                "evs.update_snapshot.v3",
                "PUT",
                "/v3/{project_id}/snapshots/{snapshot_id}"
            ),
            (
                "evs.update_snapshot_metadata_item.v2",
                "PUT",
                "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}"
            ),
        ]
    );
    for o in &d.operations {
        assert_eq!(o.success, vec![200], "{}", o.id);
    }
}

#[test]
fn the_english_page_joins_v3_by_structure_and_adds_its_fields() {
    let d = derive_seeds();
    let v3 = d
        .operations
        .iter()
        .find(|o| o.id == "evs.update_snapshot.v3")
        .unwrap();
    assert!(
        v3.query_params.is_empty(),
        "the English URI table's rows are the path parameters, not a query: {:?}",
        v3.query_params
    );
    let en = v3
        .sources
        .iter()
        .find(|s| s.lang == "en")
        .expect("an English source");
    assert_eq!(en.file, "004_2769b04e8d49b1b4.txt");
    let how = en.joined_by.as_deref().unwrap();
    assert!(
        how.contains("structure match") && how.contains("method PUT"),
        "{how}"
    );
    assert!(d
        .log
        .iter()
        .any(|l| l.starts_with("joined 004_2769b04e8d49b1b4.txt (en) to evs.update_snapshot.v3")));
    let resp = &d.schemas[&(
        "evs.update_snapshot.v3".to_string(),
        SchemaKind::Response(200),
    )];
    let props = resp["properties"]["snapshot"]["properties"]
        .as_object()
        .unwrap();
    assert!(props.contains_key("os-extended-snapshot-attributes:progress"));
    assert!(props.contains_key("os-extended-snapshot-attributes:project_id"));
    let v2 = &d.schemas[&(
        "evs.update_snapshot.v2".to_string(),
        SchemaKind::Response(200),
    )];
    assert!(!v2["properties"]["snapshot"]["properties"]
        .as_object()
        .unwrap()
        .contains_key("os-extended-snapshot-attributes:progress"));
}

#[test]
fn byte_limits_and_character_limits_are_enforced_as_documented() {
    let d = derive_seeds();
    let v2 =
        keywords::compile(&d.schemas[&("evs.update_snapshot.v2".to_string(), SchemaKind::Request)])
            .unwrap();
    assert!(
        !v2.is_valid(&json!({"snapshot": {"name": "字".repeat(86)}})),
        "86 Chinese characters are 258 bytes"
    );
    assert!(v2.is_valid(&json!({"snapshot": {"name": "字".repeat(85)}})));
    let ecs = keywords::compile(
        &d.schemas[&(
            "ecs.update_server_metadata_item.v2_1".to_string(),
            SchemaKind::Request,
        )],
    )
    .unwrap();
    assert!(
        ecs.is_valid(&json!({"meta": {"k": "字".repeat(255)}})),
        "255 characters pass the character limit"
    );
    assert!(!ecs.is_valid(&json!({"meta": {"k": "字".repeat(256)}})));
    assert!(
        !ecs.is_valid(&json!({"meta": {"bad key": "v"}})),
        "the key character set is a pattern"
    );
    assert!(
        !ecs.is_valid(&json!({"meta": {"": "v"}})),
        "keys cannot be empty"
    );
    let time = &d.schemas[&(
        "evs.update_snapshot.v3".to_string(),
        SchemaKind::Response(200),
    )]["properties"]["snapshot"]["properties"]["created_at"];
    assert!(time["pattern"].is_string() && time.get("format").is_none());
    let status = &d.schemas[&(
        "evs.update_snapshot.v3".to_string(),
        SchemaKind::Response(200),
    )]["properties"]["snapshot"]["properties"]["status"];
    assert!(
        status["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("available")),
        "status enumerates the linked status page"
    );
}

#[test]
fn the_error_envelope_is_one_key_holding_message_and_code() {
    let d = derive_seeds();
    for op in &d.operations {
        let env = keywords::compile(&d.schemas[&(op.id.clone(), SchemaKind::Error)]).unwrap();
        assert!(
            env.is_valid(&json!({"badRequest": {"message": "m", "code": "EVS.5400"}})),
            "{}",
            op.id
        );
        assert!(
            !env.is_valid(&json!({"message": "m", "code": "c"})),
            "{}: a flat body is not the envelope",
            op.id
        );
        assert!(!env.is_valid(
            &json!({"a": {"message": "m", "code": "c"}, "b": {"message": "m", "code": "c"}})
        ));
    }
    let evs = &d.error_codes["evs"];
    assert!(evs[&404].iter().any(|c| c.code == "EVS.5404"));
    assert!(d.error_codes["ecs"][&404]
        .iter()
        .any(|c| c.code == "Ecs.0114"));
}

/// Field names in a page's request and response tables (error envelope rows excluded).
fn table_rows(page: &derive::page::Page) -> BTreeSet<String> {
    use derive::page::SectionKind;
    let mut names = BTreeSet::new();
    for kind in [SectionKind::Request, SectionKind::Response] {
        for s in page.sections_of(kind) {
            for b in &s.blocks {
                if let derive::page::Block::Table(t) = b {
                    if let Ok(fields) = derive::fields::read_table(t, &page.file_name) {
                        names.extend(fields.into_iter().map(|f| f.name));
                    }
                }
            }
        }
    }
    for envelope in ["error", "message", "code", "key_val"] {
        names.remove(envelope);
    }
    names
}

fn property_names(v: &Value, out: &mut BTreeSet<String>) {
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        for (k, s) in props {
            out.insert(k.clone());
            property_names(s, out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(s) = v.get(key) {
            property_names(s, out);
        }
    }
}

#[test]
fn every_page_of_the_documentation_sets_derives_and_matches_its_tables() {
    let pages = shared().join("pages");
    let d = derive::derive(std::slice::from_ref(&pages), &Manifest::default())
        .expect("every page derives; every example validates");
    assert_eq!(d.operations.len(), 26, "24 EVS and 2 ECS operation pages");
    for op in &d.operations {
        assert!(
            !op.method.is_empty() && op.path.starts_with('/'),
            "{}: method and path",
            op.id
        );
        assert!(!op.success.is_empty(), "{}", op.id);
        let mut props = BTreeSet::new();
        for ((id, kind), s) in &d.schemas {
            if id == &op.id && *kind != SchemaKind::Error {
                property_names(s, &mut props);
            }
        }
        for src in &op.sources {
            let page = derive::read_page(&pages.join(&op.service).join(&src.file)).unwrap();
            let rows = table_rows(&page);
            assert_eq!(
                rows, props,
                "{}: the schema's property names are the page's table rows",
                op.id
            );
        }
    }
    assert!(d.error_codes.contains_key("evs") && d.error_codes.contains_key("ecs"));
}

fn temp_pages(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let svc = dir.path().join("evs");
    std::fs::create_dir_all(&svc).unwrap();
    for (name, content) in files {
        std::fs::write(svc.join(name), content).unwrap();
    }
    dir
}

const UNSEEN: &str = r##"# 更新云硬盘<a name="x"></a>

## 功能介绍

更新云硬盘。

## URI

-   URI格式

    PUT /v2/\{project\_id\}/volumes/\{volume\_id\}

## 请求消息

-   请求参数

    <table><thead><tr><th><p>参数</p></th><th><p>是否必选</p></th><th><p>参数类型</p></th><th><p>描述</p></th></tr></thead>
    <tbody><tr><td><p>volume</p></td><td><p>是</p></td><td><p>Object</p></td><td><p>请参见<a href="#li1">•volume参数说明</a>。</p></td></tr>
    </tbody></table>

-   <a name="li1"></a>volume参数说明

    <table><thead><tr><th><p>参数</p></th><th><p>参数类型</p></th><th><p>是否必选</p></th><th><p>描述</p></th></tr></thead>
    <tbody><tr><td><p>name</p></td><td><p>String</p></td><td><p>否</p></td><td><p>名称。最大支持64个字节。</p></td></tr>
    <tr><td><p>size</p></td><td><p>Integer</p></td><td><p>是</p></td><td><p>大小。最小值1，最大值100。</p></td></tr>
    </tbody></table>

-   请求样例

    ```
    {"volume": {"name": "v", "size": 10}}
    ```

## 响应消息

-   响应参数

    <table><thead><tr><th><p>参数</p></th><th><p>参数类型</p></th><th><p>描述</p></th></tr></thead>
    <tbody><tr><td><p>volume</p></td><td><p>Object</p></td><td><p>请参见•volume字段说明。</p></td></tr></tbody></table>

-   响应样例

    ```
    {"volume": {"id": "x"}}
    ```

## 状态码

-   正常

    202
"##;

#[test]
fn an_unseen_page_in_the_same_format_derives_method_path_and_schemas() {
    let dir = temp_pages(&[("更新云硬盘.md", UNSEEN.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let op = &d.operations[0];
    assert_eq!(
        (op.id.as_str(), op.method.as_str(), op.path.as_str()),
        (
            "evs.update_volume.v2",
            "PUT",
            "/v2/{project_id}/volumes/{volume_id}"
        )
    );
    assert_eq!(op.success, vec![202]);
    let req = &d.schemas[&(op.id.clone(), SchemaKind::Request)];
    assert_eq!(req["required"], json!(["volume"]));
    let vol = &req["properties"]["volume"];
    assert_eq!(vol["required"], json!(["size"]));
    assert_eq!(vol["properties"]["name"]["x-maxBytes"], json!(64));
    assert_eq!(
        vol["properties"]["size"],
        json!({"type": "integer", "minimum": 1, "maximum": 100, "x-source": "更新云硬盘.md:25"})
    );
}

#[test]
fn an_example_that_contradicts_its_page_fails_derive_naming_page_and_pointer() {
    let broken = UNSEEN.replace(
        r#"{"volume": {"name": "v", "size": 10}}"#,
        r#"{"volume": {"name": "v", "size": "ten"}}"#,
    );
    let dir = temp_pages(&[("p.md", broken.as_bytes())]);
    let err = derive::derive(&[dir.path().to_path_buf()], &Manifest::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("p.md") && err.contains("/volume/size"),
        "{err}"
    );
}

#[test]
fn conflicts_between_pages_of_one_operation_are_reported() {
    let other = UNSEEN.replace("最大支持64个字节", "最大支持32个字节");
    let dir = temp_pages(&[("a.md", UNSEEN.as_bytes()), ("b.md", other.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let conflicts = &d.operations[0].conflicts;
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert!(
        conflicts[0].contains("/volume/name") && conflicts[0].contains("x-maxBytes 64 vs 32"),
        "{}",
        conflicts[0]
    );
    assert!(d
        .log
        .iter()
        .any(|l| l.starts_with("conflict in evs.update_volume.v2")));
}

#[test]
fn hostile_pages_are_clear_errors_naming_the_file() {
    let truncated = &UNSEEN[..UNSEEN.find("</table>").unwrap()];
    let missing_column = UNSEEN.replace(
        "<td><p>否</p></td><td><p>名称。最大支持64个字节。</p></td>",
        "",
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.md", Vec::new(), "empty"),
        (
            "binary.md",
            vec![0x89, b'P', b'N', b'G', 0, 1, 2, 0xff],
            "binary",
        ),
        ("latin1.md", vec![b'#', b' ', 0xe9, b'\n'], "UTF-8"),
        (
            "truncated.md",
            truncated.as_bytes().to_vec(),
            "never closed",
        ),
        ("missing_column.md", missing_column.into_bytes(), "cells"),
    ];
    for (name, bytes, expect) in cases {
        let dir = temp_pages(&[(name, &bytes)]);
        let err = derive::derive(&[dir.path().to_path_buf()], &Manifest::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(name) && err.contains(expect), "{name}: {err}");
    }
}

#[test]
fn openapi_document_has_every_operation_with_bodies_and_envelopes() {
    let contract = conform::contract::Contract::load(&root().join("schemas")).unwrap();
    let doc = conform::contract::openapi::document(&contract);
    assert_eq!(doc["openapi"], "3.1.0");
    let put = &doc["paths"]["/v2/{project_id}/snapshots/{snapshot_id}"]["put"];
    assert_eq!(put["operationId"], "evs.update_snapshot.v2");
    let reference = put["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap();
    let name = reference.rsplit('/').next().unwrap();
    assert!(doc["components"]["schemas"][name].is_object());
    assert!(put["responses"]["200"]["content"].is_object());
    assert!(put["responses"]["4XX"]["content"].is_object());
    let params: Vec<&str> = put["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, vec!["project_id", "snapshot_id"]);
    assert_eq!(doc["paths"].as_object().unwrap().len(), 4);
}

/// Writes the committed contract's OpenAPI document into `dir`.
fn openapi_file(dir: &Path) -> PathBuf {
    let contract = conform::contract::Contract::load(&root().join("schemas")).unwrap();
    let spec = dir.join("openapi.json");
    std::fs::write(
        &spec,
        write::to_pretty(&conform::contract::openapi::document(&contract)),
    )
    .unwrap();
    spec
}

/// Schemathesis loads the OpenAPI export and finds every operation. CI installs Schemathesis
/// and sets CONFORM_REQUIRE_SCHEMATHESIS=1; elsewhere the test says it was skipped.
#[test]
fn schemathesis_loads_the_openapi_document() {
    if !common::external_tool(
        &["python3", "-c", "import schemathesis"],
        "CONFORM_REQUIRE_SCHEMATHESIS",
        "pip install schemathesis",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = openapi_file(dir.path());
    let script = "import sys, schemathesis\nschema = schemathesis.openapi.from_path(sys.argv[1])\nfor r in schema.get_all_operations():\n    print(r.ok().label)\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script, spec.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut labels: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    labels.sort();
    assert_eq!(
        labels,
        vec![
            "PUT /v2.1/{project_id}/servers/{server_id}/metadata/{key}",
            "PUT /v2/{project_id}/snapshots/{snapshot_id}",
            "PUT /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
            "PUT /v3/{project_id}/snapshots/{snapshot_id}",
        ]
    );
}

#[test]
fn the_manifest_can_override_a_structural_join() {
    let mut m = manifest();
    m.joins.insert(
        "004_2769b04e8d49b1b4.txt".into(),
        "evs.update_snapshot.v2".into(),
    );
    let d = derive::derive(&[shared().join("seeds")], &m).unwrap();
    let v2 = d
        .operations
        .iter()
        .find(|o| o.id == "evs.update_snapshot.v2")
        .unwrap();
    let en = v2
        .sources
        .iter()
        .find(|s| s.lang == "en")
        .expect("joined to v2 by the manifest");
    assert_eq!(en.joined_by.as_deref(), Some("manifest join"));
    m.joins
        .insert("004_2769b04e8d49b1b4.txt".into(), "evs.nope.v9".into());
    let err = derive::derive(&[shared().join("seeds")], &m)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("004_2769b04e8d49b1b4.txt") && err.contains("evs.nope.v9"),
        "{err}"
    );
}

/// Prism serves the OpenAPI export as a mock and validates requests against it. CI installs
/// Prism and sets CONFORM_REQUIRE_PRISM=1; elsewhere the test says it was skipped.
#[test]
fn prism_serves_the_openapi_document_and_validates_requests() {
    if !common::external_tool(
        &["prism", "--version"],
        "CONFORM_REQUIRE_PRISM",
        "npm install -g @stoplight/prism-cli",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = openapi_file(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut prism = std::process::Command::new("prism")
        .args([
            "mock",
            spec.to_str().unwrap(),
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let send = |body: &str| -> Option<u16> {
        let out = std::process::Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-X",
                "PUT",
                "-H",
                "Content-Type: application/json",
                "-d",
                body,
            ])
            .arg(format!("http://127.0.0.1:{port}/v3/p/snapshots/s"))
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .parse()
            .ok()
            .filter(|c| *c != 0)
    };
    let mut ok = None;
    for _ in 0..60 {
        ok = send(r#"{"snapshot": {"name": "x"}}"#);
        if ok.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let bad = send(r#"{"snapshot": "not an object"}"#);
    let _ = prism.kill();
    let _ = prism.wait();
    assert_eq!(
        ok,
        Some(200),
        "prism answers a valid request from the contract"
    );
    assert_eq!(
        bad,
        Some(422),
        "prism rejects a request the contract forbids"
    );
}
