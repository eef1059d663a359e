//! Derivation: the committed contract is exactly what the deriver makes of the seeds, and the
//! deriver generalises to every page of the documentation sets and to unseen pages.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use conform::contract::derive::defects::DefectKind;
use conform::contract::derive::{self, manifest::Manifest, write, Derived};
use conform::contract::openapi::Scope;
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
        // The format schemas of case files and conform.yaml are not derived.
        if rel != Path::new("case.schema.json") && rel != Path::new("conform.schema.json") {
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
fn the_operations_and_their_reads_have_their_documented_ids_methods_and_paths() {
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
                "ecs.show_server_metadata_item.v2_1",
                "GET",
                "/v2.1/{project_id}/servers/{server_id}/metadata/{key}"
            ),
            (
                "ecs.update_server_metadata_item.v2_1",
                "PUT",
                "/v2.1/{project_id}/servers/{server_id}/metadata/{key}"
            ),
            (
                "evs.delete_snapshot_metadata_item.v2",
                "DELETE",
                "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}"
            ),
            (
                "evs.show_snapshot.v2",
                "GET",
                "/v2/{project_id}/snapshots/{snapshot_id}"
            ),
            (
                "evs.show_snapshot.v3",
                "GET",
                "/v3/{project_id}/snapshots/{snapshot_id}"
            ),
            (
                "evs.show_snapshot_metadata_item.v2",
                "GET",
                "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}"
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
        // The ECS read states no status of its own and points to the shared status page
        // beside it, which lists every normal code; the seed pages' links lead nowhere read.
        let expected: &[u16] = if o.id == "ecs.show_server_metadata_item.v2_1" {
            &[200, 201, 202, 204]
        } else {
            &[200]
        };
        assert_eq!(o.success, expected, "{}", o.id);
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
        // Each service keeps its own envelope: the ECS pages state none, so no ECS operation
        // borrows the EVS one (issue 32).
        let Some(schema) = d.schemas.get(&(op.id.clone(), SchemaKind::Error)) else {
            assert_eq!(op.service, "ecs", "{}: no error envelope", op.id);
            continue;
        };
        assert_eq!(
            op.service, "evs",
            "{}: an envelope its pages do not state",
            op.id
        );
        let env = keywords::compile(schema).unwrap();
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
    let d = derive::derive(
        &[pages.join("evs"), pages.join("ecs")],
        &Manifest::default(),
    )
    .expect("every page derives");
    assert_eq!(d.operations.len(), 26, "24 EVS and 2 ECS operation pages");
    // Unread constraint phrases are notes for a reviewer, not contradictions.
    let contradictions: Vec<_> = d.defects.iter().filter(|d| !d.kind.is_note()).collect();
    assert_eq!(
        contradictions,
        Vec::<&conform::contract::derive::defects::Defect>::new(),
        "the EVS and ECS pages agree with themselves"
    );
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

/// Each defect's kind and JSON pointer, in the order derive reports them.
fn kinds_at(d: &derive::Derived) -> Vec<(DefectKind, &str)> {
    d.defects
        .iter()
        .map(|x| (x.kind, x.pointer.as_str()))
        .collect()
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
        json!({"type": "integer", "minimum": 1, "maximum": 100, "x-source": "更新云硬盘.md:25",
            "x-phrases": {"minimum": "最小值1", "maximum": "最大值100"}})
    );
}

/// A table that lists one field twice still yields a schema that compiles: `required` names it
/// once (a duplicate there makes the contract loader, and so the mock, refuse the schema).
#[test]
fn a_field_listed_twice_is_required_once_and_every_schema_compiles() {
    let size_row = "<tr><td><p>size</p></td><td><p>Integer</p></td><td><p>是</p></td><td><p>大小。最小值1，最大值100。</p></td></tr>";
    let page = UNSEEN
        .replace(size_row, &format!("{size_row}\n    {size_row}"))
        .replace(
            "<tbody><tr><td><p>volume</p></td><td><p>Object</p></td><td><p>请参见•volume字段说明。</p></td></tr></tbody>",
            "<tbody><tr><td><p>id</p></td><td><p>String</p></td><td><p>ID。</p></td></tr><tr><td><p>id</p></td><td><p>String</p></td><td><p>ID。</p></td></tr></tbody>",
        )
        .replace(r#"{"volume": {"id": "x"}}"#, r#"{"id": "x"}"#);
    let dir = temp_pages(&[("更新云硬盘.md", page.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let op = &d.operations[0];
    let req = &d.schemas[&(op.id.clone(), SchemaKind::Request)];
    assert_eq!(req["properties"]["volume"]["required"], json!(["size"]));
    let resp = &d.schemas[&(op.id.clone(), SchemaKind::Response(202))];
    assert_eq!(resp["required"], json!(["id"]), "{resp}");
    for ((id, kind), schema) in &d.schemas {
        assert!(keywords::compile(schema).is_ok(), "{id} {kind:?}: {schema}");
    }
}

/// Every training set derives into a contract whose every schema compiles (derive refuses to
/// write one that does not, so a set that derives at all is proof).
#[test]
fn every_training_set_derives_schemas_that_compile() {
    let pages = shared().join("pages");
    let mut sets: Vec<PathBuf> = std::fs::read_dir(&pages)
        .expect("the training pages")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    sets.sort();
    assert!(!sets.is_empty());
    for set in sets {
        let d = derive::derive(std::slice::from_ref(&set), &Manifest::default())
            .unwrap_or_else(|e| panic!("{}: {e}", set.display()));
        derive::check_compiles(&d.schemas).expect("checked by derive already");
    }
}

/// A schema that does not compile is a typed derive error naming the operation and its file.
#[test]
fn a_schema_that_does_not_compile_is_refused_by_name() {
    let mut schemas = std::collections::BTreeMap::new();
    schemas.insert(
        ("svc.op.v1".to_string(), SchemaKind::Response(200)),
        json!({"type": "object", "required": ["a", "a"]}),
    );
    let e = derive::check_compiles(&schemas).unwrap_err();
    assert!(
        matches!(&e, derive::DeriveError::InvalidSchema { operation, file, .. }
            if operation == "svc.op.v1" && file == "response.200.schema.json"),
        "{e}"
    );
}

#[test]
fn a_dedicated_line_beside_prose_bounding_otherwise_wins_and_is_a_constraint_conflict() {
    let page = UNSEEN.replace(
        "大小。最小值1，最大值100。</p>",
        "大小，一个大于0的整数。</p><p>最小值：0</p><p>最大值：100</p>",
    );
    let dir = temp_pages(&[("更新云硬盘.md", page.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let op = &d.operations[0];
    let size = &d.schemas[&(op.id.clone(), SchemaKind::Request)]["properties"]["volume"]
        ["properties"]["size"];
    assert_eq!(size["minimum"], 0, "{size}");
    assert!(size.get("exclusiveMinimum").is_none(), "{size}");
    let conflicts: Vec<_> = d
        .defects
        .iter()
        .filter(|x| x.kind == DefectKind::ConstraintConflict)
        .collect();
    assert_eq!(conflicts.len(), 1, "{:?}", d.defects);
    assert_eq!(conflicts[0].pointer, "/volume/size");
    assert_eq!(conflicts[0].documented, json!("最小值：0"));
    assert_eq!(conflicts[0].line, 25);
    assert!(
        !conflicts[0].kind.is_note(),
        "a contradiction, which --deny refuses"
    );
}

#[test]
fn an_example_that_contradicts_its_table_is_a_defect_and_the_table_stays_the_contract() {
    let broken = UNSEEN.replace(
        r#"{"volume": {"name": "v", "size": 10}}"#,
        r#"{"volume": {"name": "v", "size": "40", "colour": "red"}}"#,
    );
    let dir = temp_pages(&[("p.md", broken.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let req = &d.schemas[&("evs.update_volume.v2".to_string(), SchemaKind::Request)];
    assert_eq!(
        req["properties"]["volume"]["properties"]["size"]["type"],
        "integer"
    );
    let page = dir.path().join("evs/p.md").display().to_string();
    let line = broken
        .lines()
        .position(|l| l.contains(r#""size": "40""#))
        .unwrap(); // the fence opens one line above the example
    let kinds = kinds_at(&d);
    assert_eq!(
        kinds,
        vec![
            (DefectKind::ExampleType, "/volume/size"),
            (DefectKind::ExampleUnknownField, "/volume/colour"),
        ]
    );
    let ty = &d.defects[0];
    assert_eq!((ty.page.as_str(), ty.line), (page.as_str(), line));
    assert_eq!(ty.documented, json!({"type": "integer"}));
    assert_eq!(ty.found, json!("40"));
    assert_eq!(ty.body, "request");
    let missing = UNSEEN.replace(
        r#"{"volume": {"name": "v", "size": 10}}"#,
        r#"{"volume": {"name": "v"}}"#,
    );
    let dir = temp_pages(&[("p.md", missing.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert_eq!(d.defects.len(), 1, "{:?}", d.defects);
    assert_eq!(d.defects[0].kind, DefectKind::ExampleMissingRequired);
    assert_eq!(d.defects[0].pointer, "/volume");
    assert_eq!(d.defects[0].documented, json!(["size"]));
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
fn hostile_pages_are_reported_with_file_and_line_and_skipped_while_the_rest_derives() {
    let truncated = &UNSEEN[..UNSEEN.find("</table>").unwrap()];
    let missing_column = UNSEEN.replace(
        "<td><p>否</p></td><td><p>名称。最大支持64个字节。</p></td>",
        "",
    );
    let mut huge = UNSEEN.as_bytes().to_vec();
    huge.resize(20 * 1024 * 1024, b'x');
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
        ("huge.md", huge, "limit"),
    ];
    let good = UNSEEN.replace("/volumes/", "/disks/");
    for (name, bytes, expect) in cases {
        let dir = temp_pages(&[(name, &bytes), ("good.md", good.as_bytes())]);
        let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default())
            .unwrap_or_else(|e| panic!("{name}: the rest of the folder derives: {e}"));
        assert_eq!(d.operations.len(), 1, "{name}: the good page derives");
        assert_eq!(d.skipped.len(), 1, "{name}: {:?}", d.skipped);
        let s = &d.skipped[0];
        let full = dir.path().join("evs").join(name).display().to_string();
        assert_eq!(s.page, full, "{name}: the full path");
        assert!(s.line >= 1, "{name}: a line");
        assert!(s.reason.contains(expect), "{name}: {}", s.reason);
    }
}

#[test]
fn openapi_document_has_every_operation_with_bodies_and_envelopes() {
    let contract = conform::contract::Contract::load(&root().join("schemas")).unwrap();
    let doc = conform::contract::openapi::document(&contract, Scope::Mock).unwrap();
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
    let methods: Vec<&str> = doc["paths"]["/v2/{project_id}/snapshots/{snapshot_id}"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        methods,
        vec!["delete", "get", "put"],
        "reads sit beside updates, and the served delete (deviations.json)"
    );
    let name = &doc["components"]["schemas"][name]["properties"]["snapshot"]["properties"]["name"];
    assert_eq!(name["x-maxBytes"], 255);
    assert_eq!(
        name["maxLength"], 255,
        "the byte limit is a character bound too"
    );
}

/// Writes the committed contract's OpenAPI document into `dir`.
fn openapi_file(dir: &Path) -> PathBuf {
    let contract = conform::contract::Contract::load(&root().join("schemas")).unwrap();
    let spec = dir.join("openapi.json");
    std::fs::write(
        &spec,
        write::to_pretty(&conform::contract::openapi::document(&contract, Scope::Mock).unwrap()),
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
            "DELETE /v2.1/{project_id}/servers/{server_id}/metadata/{key}",
            "DELETE /v2/{project_id}/snapshots/{snapshot_id}",
            "DELETE /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
            "DELETE /v3/{project_id}/snapshots/{snapshot_id}",
            "GET /v2.1/{project_id}/servers/{server_id}/metadata/{key}",
            "GET /v2/{project_id}/snapshots/{snapshot_id}",
            "GET /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
            "GET /v3/{project_id}/snapshots/{snapshot_id}",
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

const SETS: [&str; 4] = ["evs", "ecs", "vpc", "ims"];

/// The method and path pairs a page's URI section names, read from the raw text (independently
/// of the deriver's parser).
fn uri_endpoints(text: &str) -> BTreeSet<(String, String)> {
    let Some(start) = text.find("\n## URI") else {
        return BTreeSet::new();
    };
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
    let section = rest[..end]
        .replace("\\_", "_")
        .replace("\\{", "{")
        .replace("\\}", "}");
    let tags = regex::Regex::new(r"<[^>]+>").unwrap();
    let section = tags.replace_all(&section, " ");
    let re = regex::Regex::new(
        r"\b(GET|PUT|POST|DELETE|PATCH|HEAD)\s+(?:https?://[^/\s]*)?(/[^\s?{]*(?:\{[^?}]*\}[^\s?{]*)*)",
    )
    .unwrap();
    re.captures_iter(&section)
        .map(|c| {
            (
                c[1].to_string(),
                c[2].trim_end_matches(['。', '.', ',']).to_string(),
            )
        })
        .collect()
}

/// Share of operation pages naming exactly one method and path that yield that operation.
fn method_path_score(dirs: &[PathBuf], d: &Derived) -> (usize, usize, Vec<String>) {
    let have: BTreeSet<(String, String)> = d
        .operations
        .iter()
        .map(|o| (o.method.clone(), o.path.clone()))
        .collect();
    let (mut total, mut found, mut missing) = (0, 0, Vec::new());
    for dir in dirs {
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let named = uri_endpoints(&text);
            if named.len() != 1 {
                continue;
            }
            total += 1;
            if named.is_subset(&have) {
                found += 1;
            } else {
                missing.push(format!("{}: {named:?}", entry.path().display()));
            }
        }
    }
    (found, total, missing)
}

#[test]
fn every_documentation_set_alone_and_together_yields_the_method_and_path_of_its_pages() {
    let pages = shared().join("pages");
    let mut all = Vec::new();
    for set in SETS {
        let dirs = vec![pages.join(set)];
        let d = derive::derive(&dirs, &Manifest::default()).unwrap();
        let (found, total, missing) = method_path_score(&dirs, &d);
        assert!(total > 0, "{set}");
        assert!(
            found * 100 >= total * 98,
            "{set}: {found}/{total}; missing {missing:#?}"
        );
        all.extend(dirs);
    }
    let d = derive::derive(&all, &Manifest::default()).unwrap();
    let (found, total, missing) = method_path_score(&all, &d);
    assert!(found * 100 >= total * 98, "{found}/{total}: {missing:#?}");
    let ids: BTreeSet<&str> = d.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids.len(), d.operations.len(), "ids are unique");
    let endpoints: BTreeSet<(&str, &str, &str)> = d
        .operations
        .iter()
        .map(|o| (o.service.as_str(), o.method.as_str(), o.path.as_str()))
        .collect();
    assert_eq!(
        endpoints.len(),
        d.operations.len(),
        "one operation per service, method and path"
    );
}

#[test]
fn every_example_of_every_set_validates_against_its_schema_or_is_a_defect() {
    use derive::page::SectionKind;
    let pages = shared().join("pages");
    let dirs: Vec<PathBuf> = SETS.iter().map(|s| pages.join(s)).collect();
    let d = derive::derive(&dirs, &Manifest::default()).unwrap();
    let reported: BTreeSet<(String, usize)> =
        d.defects.iter().map(|x| (x.page.clone(), x.line)).collect();
    let mut checked = 0;
    for op in &d.operations {
        let request = d.schemas.get(&(op.id.clone(), SchemaKind::Request));
        let response = op
            .success
            .first()
            .and_then(|s| d.schemas.get(&(op.id.clone(), SchemaKind::Response(*s))));
        for src in &op.sources {
            let path = pages.join(&op.service).join(&src.file);
            let page = derive::read_page(&path).unwrap();
            if page.section(SectionKind::Uri).is_none() {
                continue;
            }
            let c = derive::page_contract(
                &page,
                &op.service,
                &Default::default(),
                &derive::linked::Pages::default(),
            )
            .unwrap();
            let alternative = op
                .alternatives
                .iter()
                .find(|a| a.sources.contains(&src.file))
                .and_then(|a| request.and_then(|r| r["oneOf"].get(a.index)).cloned());
            let own_request = alternative.as_ref().or(request);
            for (schema, examples) in [
                (own_request, &c.request_examples),
                (response, &c.response_examples),
            ] {
                let Some(schema) = schema else { continue };
                let v = keywords::compile(schema).unwrap();
                for ex in examples {
                    checked += 1;
                    if !v.is_valid(&ex.value) {
                        assert!(
                            reported.contains(&(path.display().to_string(), ex.line)),
                            "{}:{}: invalid example without a defect",
                            path.display(),
                            ex.line
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 200, "{checked} examples checked");
}

#[test]
fn pages_sharing_one_endpoint_become_one_operation_with_a_one_of_alternative_each() {
    let extend = common::action_page(
        "os-extend",
        "new_size",
        "Integer",
        r#"{"os-extend": {"new_size": 20}}"#,
    );
    let bootable = common::action_page(
        "os-set_bootable",
        "bootable",
        "Boolean",
        r#"{"os-set_bootable": {"bootable": true}}"#,
    );
    let dir = temp_pages(&[
        ("extend.md", extend.as_bytes()),
        ("bootable.md", bootable.as_bytes()),
    ]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert_eq!(d.operations.len(), 1);
    let op = &d.operations[0];
    assert_eq!(op.id, "evs.volume_action.v2");
    let files: Vec<&str> = op.sources.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(files, vec!["bootable.md", "extend.md"]);
    let names: Vec<&str> = op.alternatives.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["os-set_bootable", "os-extend"]);
    assert!(d.defects.is_empty(), "{:?}", d.defects);
    assert!(op.conflicts.is_empty(), "{:?}", op.conflicts);
    let request = &d.schemas[&(op.id.clone(), SchemaKind::Request)];
    let one_of = request["oneOf"].as_array().unwrap();
    assert_eq!(one_of.len(), 2);
    assert_eq!(one_of[0]["required"], json!(["os-set_bootable"]));
    assert_eq!(one_of[1]["required"], json!(["os-extend"]));
    let v = keywords::compile(request).unwrap();
    assert!(v.is_valid(&json!({"os-extend": {"new_size": 20}})));
    assert!(v.is_valid(&json!({"os-set_bootable": {"bootable": true}})));
    assert!(!v.is_valid(&json!({"os-extend": {"new_size": "20"}})));
    assert!(!v.is_valid(&json!({})), "one alternative must be present");

    // The contract side: a case names the alternative after '#'.
    let contract = conform::contract::Contract::from_parts(
        d.operations.clone(),
        d.schemas.clone(),
        d.error_codes.clone(),
        dir.path(),
    )
    .unwrap();
    let (found, alt) = contract
        .operation_alternative("evs.volume_action.v2#os-extend")
        .unwrap();
    assert_eq!(found.id, "evs.volume_action.v2");
    let alt = alt.unwrap();
    assert_eq!(alt.sources, vec!["extend.md"]);
    let schema = contract.alternative_schema(&found.id, alt).unwrap();
    let v = keywords::compile(&schema).unwrap();
    assert!(v.is_valid(&json!({"os-extend": {"new_size": 20}})));
    assert!(!v.is_valid(&json!({"os-set_bootable": {"bootable": true}})));
    let err = contract
        .operation_alternative("evs.volume_action.v2#os-frob")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("os-frob") && err.contains("os-extend"),
        "{err}"
    );
    assert!(contract
        .operation_alternative("evs.volume_action.v2")
        .unwrap()
        .1
        .is_none());
    // Lookups by a case's reference (`op#alt`) work everywhere the loader and runner look.
    assert_eq!(
        contract
            .operation("evs.volume_action.v2#os-extend")
            .map(|o| o.id.as_str()),
        Some("evs.volume_action.v2")
    );
    assert!(contract.operation("evs.volume_action.v2#os-frob").is_none());
    let v = contract
        .validator("evs.volume_action.v2#os-extend", SchemaKind::Request)
        .unwrap();
    assert!(v.is_valid(&json!({"os-extend": {"new_size": 20}})));
    assert!(!v.is_valid(&json!({"os-set_bootable": {"bootable": true}})));
    assert_eq!(
        contract
            .schema("evs.volume_action.v2#os-extend", SchemaKind::Request)
            .unwrap()["title"],
        "os-extend"
    );

    // A page whose example disagrees with its own alternative is a defect on that page.
    let wrong = common::action_page(
        "os-extend",
        "new_size",
        "Integer",
        r#"{"os-extend": {"new_size": "20"}}"#,
    );
    let dir = temp_pages(&[
        ("extend.md", wrong.as_bytes()),
        ("bootable.md", bootable.as_bytes()),
    ]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert_eq!(d.defects.len(), 1, "{:?}", d.defects);
    assert_eq!(d.defects[0].kind, DefectKind::ExampleType);
    assert_eq!(d.defects[0].pointer, "/os-extend/new_size");
    assert!(d.defects[0].page.ends_with("extend.md"));
}

const PIPE_PAGE: &str = r##"# 查询镜像

## URI

GET /v2/cloudimages?__isregistered={isregistered}&name={name}

**表 1**  参数说明

|参数|是否必选|参数类型|CRUD|默认值|约束|描述|
|--|--|--|--|--|--|--|
|name|否|String|R|无|最大长度为64个字符。|镜像名称。|

## 响应参数

|参数|参数类型|描述|
|--|--|--|
|images|Array of Image objects|镜像列表，详情请参见[表2](#t2)。|

**表 2** Image

<a name="t2"></a>

|属性|类型|CRUD|默认值|约束|备注|
|--|--|--|--|--|--|
|id|String|R|无|无|镜像ID。|
|size|Integer|R|0|最小值0|大小。|

## 响应示例

```
STATUS CODE 200
```

```
{"images": [{"id": "a", "size": 1}]}
```

## 返回值

-   正常

    200
"##;

/// Required-ness of a response list's item fields comes from every item the example shows:
/// the first item shows `size`, the second omits it, so only `id` is required.
#[test]
fn a_response_item_field_one_example_item_omits_is_optional() {
    let page = PIPE_PAGE.replace(
        r#"{"images": [{"id": "a", "size": 1}]}"#,
        r#"{"images": [{"id": "a", "size": 1}, {"id": "b"}]}"#,
    );
    let dir = temp_pages(&[("list.md", page.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let list = &d.operations[0];
    let item =
        &d.schemas[&(list.id.clone(), SchemaKind::Response(200))]["properties"]["images"]["items"];
    assert_eq!(item["required"], serde_json::json!(["id"]), "{item}");
    assert!(d.defects.is_empty(), "{:?}", d.defects);
    // One item only: what it shows is required, as before.
    let dir = temp_pages(&[("list.md", PIPE_PAGE.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let item = &d.schemas[&(d.operations[0].id.clone(), SchemaKind::Response(200))]["properties"]
        ["images"]["items"];
    assert_eq!(
        item["required"],
        serde_json::json!(["id", "size"]),
        "{item}"
    );
}

/// A row that every item of an example list breaks is one defect (at the first item), not
/// one per item; an undocumented field shown in every item likewise.
#[test]
fn a_row_every_example_item_breaks_is_one_defect() {
    let page = PIPE_PAGE.replace(
        r#"{"images": [{"id": "a", "size": 1}]}"#,
        r#"{"images": [{"id": "a", "size": "1", "x": 1}, {"id": "b", "size": "2", "x": 2}]}"#,
    );
    let dir = temp_pages(&[("list.md", page.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let found = kinds_at(&d);
    assert_eq!(
        found,
        vec![
            (DefectKind::ExampleType, "/images/0/size"),
            (DefectKind::ExampleUnknownField, "/images/0/x"),
        ],
        "{:?}",
        d.defects
    );
}

#[test]
fn pipe_tables_section_variants_query_strings_and_extra_columns_derive() {
    let patch = PIPE_PAGE
        .replace(
            "GET /v2/cloudimages?__isregistered={isregistered}&name={name}",
            "HEAD /v2/cloudimages/\\{image\\_id\\}",
        )
        .replace("# 查询镜像", "# 检查镜像");
    let in_table = PIPE_PAGE
        .replace(
            "GET /v2/cloudimages?__isregistered={isregistered}&name={name}",
            "|方法|URI|\n|--|--|\n|DELETE|/v2/cloudimages/{image_id}|\n",
        )
        .replace("# 查询镜像", "# 删除镜像");
    let dir = temp_pages(&[
        ("list.md", PIPE_PAGE.as_bytes()),
        ("head.md", patch.as_bytes()),
        ("delete.md", in_table.as_bytes()),
    ]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert!(d.skipped.is_empty(), "{:?}", d.skipped);
    let list = d.operations.iter().find(|o| o.method == "GET").unwrap();
    assert_eq!(list.path, "/v2/cloudimages");
    let query: Vec<&str> = list.query_params.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(query, vec!["name", "__isregistered"]);
    assert_eq!(
        list.query_params[0].schema["maxLength"], 64,
        "约束 feeds the facts"
    );
    assert!(
        list.notes.iter().any(|n| n.contains("CRUD")),
        "ignored columns are named in the notes: {:?}",
        list.notes
    );
    assert!(
        !list.notes.iter().any(|n| n.contains("默认值")),
        "the default column is read (its '无' states no default): {:?}",
        list.notes
    );
    assert!(list.query_params[0].schema.get("default").is_none());
    assert_eq!(list.success, vec![200]);
    let resp = &d.schemas[&(list.id.clone(), SchemaKind::Response(200))];
    let item = &resp["properties"]["images"]["items"];
    assert_eq!(
        item["properties"]["size"]["minimum"], 0,
        "the child table by its anchor"
    );
    assert!(d.defects.is_empty(), "{:?}", d.defects);
    let head = d.operations.iter().find(|o| o.method == "HEAD").unwrap();
    assert_eq!(head.path, "/v2/cloudimages/{image_id}");
    let delete = d.operations.iter().find(|o| o.method == "DELETE").unwrap();
    assert_eq!(
        delete.path, "/v2/cloudimages/{image_id}",
        "method and URI in a table row"
    );
}

#[test]
fn a_status_or_error_code_used_but_not_listed_is_a_defect() {
    let page = UNSEEN.replace(
        "## 状态码",
        "## 响应示例\n\n```\n{\"itemNotFound\": {\"message\": \"m\", \"code\": \"EVS.9999\"}}\n```\n\n状态码为 204 时\n\n## 状态码",
    );
    let codes = "# 错误码\n\n|状态码|错误码|错误信息|\n|--|--|--|\n|404|EVS.5404|not found|\n";
    let dir = temp_pages(&[("p.md", page.as_bytes()), ("错误码.md", codes.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let kinds: BTreeSet<DefectKind> = d.defects.iter().map(|x| x.kind).collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            DefectKind::UndocumentedStatus,
            DefectKind::UndocumentedErrorCode
        ]),
        "{:?}",
        d.defects
    );
    let code = d
        .defects
        .iter()
        .find(|x| x.kind == DefectKind::UndocumentedErrorCode)
        .unwrap();
    assert_eq!(
        (code.pointer.as_str(), &code.found),
        ("/itemNotFound/code", &json!("EVS.9999"))
    );
}

#[test]
fn chinese_and_english_pages_that_disagree_are_a_language_defect() {
    let mut m = manifest();
    m.joins.clear();
    let d = derive_seeds();
    assert!(d.defects.is_empty(), "the seeds are clean: {:?}", d.defects);
    let other = UNSEEN.replace("最大支持64个字节", "最大支持32个字节");
    let dir = temp_pages(&[("a.md", UNSEEN.as_bytes()), ("b.md", other.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert_eq!(d.defects.len(), 1, "{:?}", d.defects);
    let x = &d.defects[0];
    assert_eq!(
        x.kind,
        DefectKind::TableConflict,
        "same language: two tables disagree"
    );
    assert_eq!(x.pointer, "/volume/name");
    assert_eq!(
        (&x.documented, &x.found),
        (&json!({"x-maxBytes": 64}), &json!({"x-maxBytes": 32}))
    );
    assert!(x.other_page.as_deref().is_some_and(|p| p.ends_with("a.md")));
}

fn conform_bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_conform"));
    c.current_dir(root());
    c
}

#[test]
fn the_derive_command_writes_defects_json_prints_one_line_each_and_denies_on_request() {
    let broken = UNSEEN.replace(
        r#"{"volume": {"name": "v", "size": 10}}"#,
        r#"{"volume": {"name": "v", "size": "40"}}"#,
    );
    let dir = temp_pages(&[("p.md", broken.as_bytes()), ("empty.md", b"")]);
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        conform_bin()
            .args([
                "derive",
                dir.path().to_str().unwrap(),
                "--manifest",
                "/dev/null",
                "--out",
            ])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let defects: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("defects.json")).unwrap()).unwrap();
    assert_eq!(defects.as_array().unwrap().len(), 1);
    assert_eq!(defects[0]["kind"], "example-type");
    assert_eq!(defects[0]["pointer"], "/volume/size");
    assert!(defects[0]["line"].as_u64().unwrap() > 1);
    let skipped: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("skipped.json")).unwrap()).unwrap();
    assert!(skipped[0]["page"].as_str().unwrap().ends_with("empty.md"));
    assert!(
        stderr.lines().any(|l| l.contains("p.md:")
            && l.contains("example-type")
            && l.contains("/volume/size")),
        "{stderr}"
    );
    assert!(stderr.lines().any(|l| l == "1 example-type"), "{stderr}");
    let quiet = run(&["-q"]);
    let stderr = String::from_utf8_lossy(&quiet.stderr);
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        vec!["1 example-type", "1 skipped-page"],
        "-q prints only the counts"
    );
    let denied = run(&["--deny", "defects"]);
    assert_eq!(denied.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&denied.stderr).contains("--deny defects"));
}

#[test]
fn the_project_schemas_are_derived_with_deny_defects() {
    let dir = tempfile::tempdir().unwrap();
    let o = conform_bin()
        .args([
            "derive",
            "../shared/seeds",
            "--deny",
            "defects",
            "--deny",
            "skipped",
            "-q",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for entry in walkdir::WalkDir::new(dir.path()).into_iter().flatten() {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir.path()).unwrap();
            assert_eq!(
                std::fs::read_to_string(entry.path()).unwrap(),
                std::fs::read_to_string(root().join("schemas").join(rel)).unwrap(),
                "{}",
                rel.display()
            );
        }
    }
}

/// Derives one documentation set and writes its OpenAPI export into `dir`: what the pages say
/// (the mock's additions would add operations the set does not derive).
fn set_openapi(set: &str, dir: &Path) -> (PathBuf, usize) {
    let d = derive::derive(&[shared().join("pages").join(set)], &Manifest::default()).unwrap();
    let n = d.operations.len();
    let contract =
        conform::contract::Contract::from_parts(d.operations, d.schemas, d.error_codes, dir)
            .unwrap();
    let spec = dir.join(format!("{set}.openapi.json"));
    std::fs::write(
        &spec,
        write::to_pretty(&conform::contract::openapi::document(&contract, Scope::Pages).unwrap()),
    )
    .unwrap();
    (spec, n)
}

#[test]
fn the_openapi_export_of_each_whole_set_has_every_operation_and_byte_limits_as_max_length() {
    let dir = tempfile::tempdir().unwrap();
    for set in SETS {
        let (spec, n) = set_openapi(set, dir.path());
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(spec).unwrap()).unwrap();
        let count: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(count, n, "{set}");
        // A byte limit is exported as maxLength too (character limits have their own).
        let text = doc.to_string();
        assert!(
            text.matches("\"x-maxBytes\"").count() == 0 || text.contains("\"maxLength\""),
            "{set}"
        );
    }
}

/// Schemathesis loads the OpenAPI export of each whole training set.
#[test]
fn schemathesis_loads_the_openapi_export_of_each_whole_set() {
    if !common::external_tool(
        &["python3", "-c", "import schemathesis"],
        "CONFORM_REQUIRE_SCHEMATHESIS",
        "pip install schemathesis",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = "import sys, schemathesis\nschema = schemathesis.openapi.from_path(sys.argv[1])\nfor r in schema.get_all_operations():\n    print(r.ok().label)\n";
    for set in SETS {
        let (spec, n) = set_openapi(set, dir.path());
        let out = std::process::Command::new("python3")
            .args(["-c", script, spec.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{set}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).lines().count(),
            n,
            "{set}"
        );
    }
}

/// Prism starts a mock from the OpenAPI export of each whole training set and answers.
#[test]
fn prism_serves_the_openapi_export_of_each_whole_set() {
    if !common::external_tool(
        &["prism", "--version"],
        "CONFORM_REQUIRE_PRISM",
        "npm install -g @stoplight/prism-cli",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let template = regex::Regex::new(r"\{[^}]*\}").unwrap();
    for set in SETS {
        let (spec, _) = set_openapi(set, dir.path());
        // A documented read with its path parameters filled: Prism must mock it from the
        // contract (2xx-4xx), not fail on the schema (5xx).
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
        let read = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, item)| item.get("get").is_some())
            .map(|(path, _)| template.replace_all(path, "x").to_string())
            .unwrap_or_else(|| "/conform-probe".into());
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
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut answered = None;
        for _ in 0..120 {
            if let Ok(Some(status)) = prism.try_wait() {
                panic!("{set}: prism exited ({status}): the export does not load");
            }
            let out = std::process::Command::new("curl")
                .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
                .arg(format!("http://127.0.0.1:{port}{read}"))
                .output()
                .ok();
            answered = out
                .and_then(|o| String::from_utf8_lossy(&o.stdout).parse::<u16>().ok())
                .filter(|c| *c != 0);
            if answered.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        let _ = prism.kill();
        let _ = prism.wait();
        let code = answered.unwrap_or_else(|| panic!("{set}: prism never answered"));
        assert!(code < 500, "{set}: GET {read} answered {code}");
    }
}

#[test]
fn an_english_page_that_disagrees_with_its_chinese_page_is_a_language_defect() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(shared().join("seeds")).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        // The English v3 page states the description limit in bytes; halve it.
        let text = text.replace("maximum of 255 bytes", "maximum of 128 bytes");
        std::fs::write(dir.path().join(entry.file_name()), text).unwrap();
    }
    let d = derive::derive(&[dir.path().to_path_buf()], &manifest()).unwrap();
    let lang: Vec<_> = d
        .defects
        .iter()
        .filter(|x| x.kind == DefectKind::LanguageConflict)
        .collect();
    assert!(!lang.is_empty(), "{:?}", d.defects);
    for x in lang {
        assert!(x.page.ends_with("004_2769b04e8d49b1b4.txt"), "{x}");
        assert_eq!(x.operation.as_deref(), Some("evs.update_snapshot.v3"));
        assert_eq!(x.documented, json!({"x-maxBytes": 255}));
        assert_eq!(x.found, json!({"x-maxBytes": 128}));
        assert!(x.other_page.is_some());
    }
}

const EXPLORER_PAGE: &str = r##"# 查询镜像会话列表

## URI

GET /v3/\{project\_id\}/vpc/sessions

## 请求参数

**表 2**  Query参数

|参数|是否必选|参数类型|描述|
|--|--|--|--|
|limit|否|Integer|每页条数。最小值1，最大值2000。|

## 响应参数

**状态码为 200 时:**

**表 3**  响应Body参数

|参数|参数类型|描述|
|--|--|--|
|request_id|String|请求ID。|

**状态码为 400 时:**

**表 4**  响应Body参数

|参数|参数类型|描述|
|--|--|--|
|error_code|String|错误码。|
|error_msg|String|错误信息。|

## 响应示例

**状态码为 200 时:**

```
{"request_id": "r"}
```

**状态码为 400 时:**

```
{"error_code": "VPC.0001", "error_msg": "bad", "request_id": "r"}
```
"##;

#[test]
fn query_tables_of_the_request_section_and_error_tables_of_the_response_section_are_told_apart() {
    let dir = temp_pages(&[("sessions.md", EXPLORER_PAGE.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let op = &d.operations[0];
    assert!(!op.request_body, "a Query table is no request body");
    assert_eq!(op.query_params.len(), 1);
    assert_eq!(op.query_params[0].name, "limit");
    assert_eq!(op.query_params[0].schema["maximum"], 2000);
    assert_eq!(
        op.success,
        vec![200],
        "from the response section's status line"
    );
    let ok = &d.schemas[&(op.id.clone(), SchemaKind::Response(200))];
    let props: Vec<&String> = ok["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        props,
        vec!["request_id"],
        "the 400 table is not part of the 200 body"
    );
    let err = &d.schemas[&(op.id.clone(), SchemaKind::Error)];
    assert!(err["properties"]["error_code"].is_object());
    let found = kinds_at(&d);
    assert_eq!(
        found,
        vec![(DefectKind::ExampleUnknownField, "/request_id")],
        "the flat error example is checked against the error table"
    );
}

#[test]
fn a_case_names_an_alternative_and_its_body_is_checked_against_that_alternative() {
    let extend = common::action_page(
        "os-extend",
        "new_size",
        "Integer",
        r#"{"os-extend": {"new_size": 20}}"#,
    );
    let bootable = common::action_page(
        "os-set_bootable",
        "bootable",
        "Boolean",
        r#"{"os-set_bootable": {"bootable": true}}"#,
    );
    let dir = temp_pages(&[
        ("extend.md", extend.as_bytes()),
        ("bootable.md", bootable.as_bytes()),
    ]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let contract =
        conform::contract::Contract::from_parts(d.operations, d.schemas, d.error_codes, dir.path())
            .unwrap();
    let vars = conform::case::vars::Vars::default();
    let case = |name: &str, operation: &str, body: &str| {
        let path = dir.path().join(format!("{name}.yaml"));
        std::fs::write(
            &path,
            format!(
                "operation: {operation}\nvars: {{project_id: p, volume_id: v}}\nsteps:\n  - request:\n      body: {body}\n    expect: {{status: 202}}\n"
            ),
        )
        .unwrap();
        conform::case::load_case(name, &path, &contract)
            .and_then(|c| conform::case::prepare(&c, &contract, &vars).map(|_| c))
    };
    let ok = case(
        "extend",
        "evs.volume_action.v2#os-extend",
        r#"{"os-extend": {"new_size": 20}}"#,
    );
    assert!(ok.is_ok(), "{:?}", ok.err().map(|e| e.to_string()));
    let wrong = case(
        "wrong",
        "evs.volume_action.v2#os-extend",
        r#"{"os-set_bootable": {"bootable": true}}"#,
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        wrong.contains("evs.volume_action.v2#os-extend"),
        "the other alternative's body breaks this one, and the message names it: {wrong}"
    );
    let unknown = case("unknown", "evs.volume_action.v2#os-frob", "{}")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(unknown.contains("os-frob"), "{unknown}");
}

#[test]
fn a_uri_section_without_method_and_path_is_skipped_naming_its_line() {
    let page = UNSEEN.replace(
        "PUT /v2/\\{project\\_id\\}/volumes/\\{volume\\_id\\}",
        "见下文",
    );
    assert_ne!(page, UNSEEN);
    let good = PIPE_PAGE;
    let dir = temp_pages(&[("odd.md", page.as_bytes()), ("good.md", good.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert_eq!(d.skipped.len(), 1, "{:?}", d.skipped);
    let s = &d.skipped[0];
    let uri_line = page.lines().position(|l| l == "## URI").unwrap() + 1;
    assert!(s.page.ends_with("odd.md"));
    assert_eq!(s.line, uri_line);
    assert!(
        s.reason.contains("names no method and path"),
        "{}",
        s.reason
    );
}

#[test]
fn pages_of_one_operation_that_state_different_success_statuses_disagree() {
    let other = UNSEEN.replace("    202\n", "    200\n");
    assert_ne!(other, UNSEEN);
    let dir = temp_pages(&[("a.md", UNSEEN.as_bytes()), ("b.md", other.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let x = d
        .defects
        .iter()
        .find(|x| x.documented.get("success").is_some())
        .unwrap_or_else(|| panic!("{:?}", d.defects));
    assert_eq!(x.kind, DefectKind::TableConflict);
    assert_eq!(
        (&x.documented, &x.found),
        (&json!({"success": [202]}), &json!({"success": [200]}))
    );
    assert!(x.page.ends_with("b.md") && x.line > 1);
}

#[test]
fn a_row_whose_type_disagrees_with_the_table_it_links_is_a_table_defect() {
    let page = UNSEEN.replacen(
        "<td><p>volume</p></td><td><p>是</p></td><td><p>Object</p></td>",
        "<td><p>volume</p></td><td><p>是</p></td><td><p>String</p></td>",
        1,
    );
    assert_ne!(page, UNSEEN);
    let dir = temp_pages(&[("p.md", page.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let req = &d.schemas[&("evs.update_volume.v2".to_string(), SchemaKind::Request)];
    assert_eq!(
        req["properties"]["volume"]["type"], "string",
        "the row is the contract"
    );
    let x = d
        .defects
        .iter()
        .find(|x| x.kind == DefectKind::TableConflict)
        .unwrap_or_else(|| panic!("{:?}", d.defects));
    // The linked table is the page's second table.
    let table_line = page
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("<table"))
        .nth(1)
        .map(|(i, _)| i + 1)
        .unwrap();
    assert_eq!((x.pointer.as_str(), x.line), ("/volume", table_line));
    assert_eq!(x.documented, json!({"type": "string"}));
    assert_eq!(x.found, json!({"linked table fields": ["name", "size"]}));
}

/// Request lines some sets split (RDS's `PATH：` over `Method：`, BMS's method opening the
/// sentence above a bare path): each derives its method and path, where before the page was
/// skipped or joined to another operation by its fields.
#[test]
fn a_request_line_split_over_two_lines_derives() {
    let line = "PUT /v2/\\{project\\_id\\}/volumes/\\{volume\\_id\\}";
    let path_line = "/v2/\\{project\\_id\\}/volumes/\\{volume\\_id\\}";
    let layouts = [
        format!("PATH：{path_line}\n\n    Method：PUT"),
        format!("PUT 参数说明请参见表1。\n\n    {path_line}"),
    ];
    for layout in layouts {
        let page = UNSEEN.replace(line, &layout);
        assert_ne!(page, UNSEEN);
        let dir = temp_pages(&[("p.md", page.as_bytes())]);
        let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
        assert!(d.skipped.is_empty(), "{layout}: {:?}", d.skipped);
        let op = &d.operations[0];
        assert_eq!(
            (op.method.as_str(), op.path.as_str()),
            ("PUT", "/v2/{project_id}/volumes/{volume_id}"),
            "{layout}"
        );
    }
}

/// A path parameter the URI table documents with one value (RDS's `{version_id}`, "取值：v3",
/// spelled `version_Id` in the table) is that segment: the page documents `/v3/…`, the
/// operation its other pages state. A response section headed "正常响应" is the response.
#[test]
fn a_path_parameter_of_one_documented_value_is_that_segment() {
    let page = UNSEEN
        .replace(
            "PUT /v2/\\{project\\_id\\}/volumes",
            "PUT /\\{version\\_id\\}/\\{project\\_id\\}/volumes",
        )
        .replace(
            "## 请求消息",
            "|名称|是否必选|说明|\n|--|--|--|\n|version_Id|是|API版本号，取值：v2。|\n|project_id|是|项目ID。|\n\n## 请求消息",
        )
        .replace("## 响应消息", "## 正常响应");
    assert!(page.contains(r"\{version\_id\}") && page.contains("## 正常响应"));
    let dir = temp_pages(&[("p.md", page.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let op = &d.operations[0];
    assert_eq!(
        (op.id.as_str(), op.path.as_str()),
        (
            "evs.update_volume.v2",
            "/v2/{project_id}/volumes/{volume_id}"
        )
    );
    assert_eq!(op.path_params, vec!["project_id", "volume_id"]);
    assert!(
        d.schemas
            .contains_key(&(op.id.clone(), SchemaKind::Response(202))),
        "the response under 正常响应 is read"
    );
    // A parameter documented without one value stays a parameter.
    let open = page.replace("API版本号，取值：v2。", "API版本号。");
    let dir = temp_pages(&[("p.md", open.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert_eq!(
        d.operations[0].path,
        "/{version_id}/{project_id}/volumes/{volume_id}"
    );
}

#[test]
fn an_endpoint_stated_under_the_title_without_a_uri_section_derives() {
    let page = UNSEEN.replace("## URI", "## 其他").replace(
        "更新云硬盘。",
        "PUT /v2/\\{project\\_id\\}/volumes/\\{volume\\_id\\}",
    );
    assert_ne!(page, UNSEEN);
    let dir = temp_pages(&[("p.md", page.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert_eq!(d.operations.len(), 1, "{:?}", d.skipped);
    assert_eq!(d.operations[0].path, "/v2/{project_id}/volumes/{volume_id}");
}

#[test]
fn derive_explain_prints_each_request_field_with_its_constraints_and_phrases() {
    let o = conform_bin()
        .args([
            "derive",
            "../shared/seeds",
            "--explain",
            "ecs.update_server_metadata_item.v2_1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("ecs.update_server_metadata_item.v2_1 PUT "),
        "{stdout}"
    );
    let key = lines
        .iter()
        .find(|l| l.starts_with("/meta/{key}  string  "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(key.contains("minLength=1 «不能为空»"), "{key}");
    assert!(
        key.contains("maxLength=255 «最大长度255个Unicode字符»"),
        "{key}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("/meta/*  string  maxLength=255 «")),
        "{stdout}"
    );
    // One line per field, nothing written.
    assert_eq!(lines.len(), 4, "{stdout}");
    let unknown = conform_bin()
        .args([
            "derive",
            "../shared/seeds",
            "--explain",
            "evs.update_snapshot",
        ])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean"));
}

/// The schema node citing a row, anywhere in a schema.
fn property<'a>(schema: &'a Value, pointer: &[&str]) -> &'a Value {
    pointer
        .iter()
        .fold(schema, |s, name| &s["properties"][name])
}

#[test]
fn the_training_sets_carry_the_constraints_their_rows_state() {
    let dcs = derive::derive(&[shared().join("pages/dcs")], &Manifest::default()).unwrap();
    let create = &dcs.schemas[&("dcs.create_instance.v2".to_string(), SchemaKind::Request)];
    let n = property(create, &["instance_num"]);
    assert_eq!(
        (n["minimum"].clone(), n["maximum"].clone()),
        (json!(1), json!(100))
    );
    assert_eq!(n["default"], 1);
    assert!(n["x-phrases"]["maximum"]
        .as_str()
        .unwrap()
        .contains("1-100"));
    let mode = property(create, &["bss_param", "charging_mode"]);
    assert_eq!(mode["enum"], json!(["prePaid", "postPaid"]));
    // "创建单个实例时，名称长度为4到64位" and "批量创建实例时，…4到56位": conditions, so notes;
    // the bound both cases state alike (4) holds either way, the ones they differ on do not.
    let name = property(create, &["name"]);
    assert_eq!(name["minLength"], 4, "{name}");
    assert!(
        name.get("maxLength").is_none() && name["x-notes"].as_array().map(Vec::len) == Some(2),
        "{name}"
    );
    let vpc = derive::derive(&[shared().join("pages/vpc")], &Manifest::default()).unwrap();
    let text: String = vpc
        .schemas
        .iter()
        .filter(|((_, kind), _)| *kind == SchemaKind::Request)
        .map(|(_, s)| s.to_string())
        .collect();
    assert!(
        text.contains("\"enum\""),
        "VPC request schemas carry enumerations"
    );
    assert!(vpc
        .defects
        .iter()
        .any(|d| d.kind == DefectKind::UnreadConstraint && d.kind.is_note()));
    // Query parameters carry theirs too.
    assert!(vpc.operations.iter().any(|o| o
        .query_params
        .iter()
        .any(|q| q.schema.get("x-phrases").is_some())));
    // The OpenAPI export reuses the schemas, constraints and phrases included.
    let dir = tempfile::tempdir().unwrap();
    let (spec, _) = set_openapi("dcs", dir.path());
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(spec).unwrap()).unwrap();
    let body = &doc["components"]["schemas"]["DcsCreateInstanceV2Request"];
    let n = property(body, &["instance_num"]);
    assert_eq!(
        (n["maximum"].clone(), n["default"].clone()),
        (json!(100), json!(1)),
        "{body}"
    );
    assert!(n["x-phrases"]["default"].is_string());
}

/// Inside the project, `derive OTHER/PAGES` derives what it is given: the project's manifest
/// (with its included reads and its resource table) applies only to the pages it names, or
/// when `--manifest` says so.
#[test]
fn derive_of_other_pages_derives_only_them_and_the_manifest_applies_when_asked() {
    let junk = tempfile::tempdir().unwrap();
    std::fs::write(junk.path().join("a.md"), "# a\n\nnothing here\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("schemas");
    let pages = junk.path().to_str().unwrap();
    let run = common::conform(
        &root(),
        &["derive", pages, "--out", target.to_str().unwrap()],
    );
    let stderr = common::text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("pages.yaml not applied"), "{stderr}");
    assert!(stderr.contains("no operation pages found"), "{stderr}");
    assert!(!target.join("operations.json").exists());
    // Asked for, the manifest's includes are derived with them.
    let run = common::conform(
        &root(),
        &[
            "derive",
            pages,
            "--out",
            target.to_str().unwrap(),
            "--manifest",
            "pages.yaml",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", common::text(&run.stderr));
    let index = std::fs::read_to_string(target.join("operations.json")).unwrap();
    assert!(index.contains("evs.show_snapshot.v2"), "{index}");
    // A page that only shares its file name with one the manifest includes (another copy of a
    // documentation set) is another page: the manifest does not apply to its folder.
    let copy = tempfile::tempdir().unwrap();
    let folder = copy.path().join("ecs");
    std::fs::create_dir(&folder).unwrap();
    let name = "获取云服务器指定Key的元数据.md";
    std::fs::copy(shared().join("pages/ecs").join(name), folder.join(name)).unwrap();
    let target = out.path().join("copy");
    let run = common::conform(
        &root(),
        &[
            "derive",
            folder.to_str().unwrap(),
            "--out",
            target.to_str().unwrap(),
        ],
    );
    let stderr = common::text(&run.stderr);
    assert!(stderr.contains("pages.yaml not applied"), "{stderr}");
    let index = std::fs::read_to_string(target.join("operations.json")).unwrap();
    assert!(!index.contains("evs.show_snapshot.v2"), "{index}");
}

/// A page documenting `POST /v2/zones` with a flat request body of the given rows
/// (name, required, type).
fn zone_page(title: &str, rows: &[(&str, &str, &str)], example: &str) -> String {
    let rows: String = rows
        .iter()
        .map(|(name, required, ty)| format!("|{name}|{required}|{ty}|说明。|\n"))
        .collect();
    format!(
        r##"# {title}

## URI

POST /v2/zones

## 请求参数

|参数|是否必选|参数类型|描述|
|--|--|--|--|
{rows}
## 请求示例

```
POST https://{{endpoint}}/v2/zones

{example}
```

## 返回值

-   正常

    202
"##
    )
}

#[test]
fn alternatives_whose_fields_nest_exclude_each_other_so_each_documented_body_is_valid() {
    // The second body holds every field of the first and one more: without an exclusion a
    // body of the second is valid under both, and `oneOf` rejects it.
    let public = zone_page(
        "创建公网域名",
        &[("name", "是", "String"), ("email", "否", "String")],
        r#"{"name": "a.example.", "email": "x@example.com"}"#,
    );
    let private = zone_page(
        "创建内网域名",
        &[
            ("name", "是", "String"),
            ("email", "否", "String"),
            ("router", "是", "String"),
        ],
        r#"{"name": "b.example.", "router": "r-1"}"#,
    );
    let dir = temp_pages(&[
        ("public.md", public.as_bytes()),
        ("private.md", private.as_bytes()),
    ]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert_eq!(d.operations.len(), 1);
    let op = &d.operations[0];
    assert_eq!(op.alternatives.len(), 2, "{:?}", op.alternatives);
    let request = &d.schemas[&(op.id.clone(), SchemaKind::Request)];
    assert!(request["oneOf"].is_array(), "{request}");
    let v = keywords::compile(request).unwrap();
    for body in [
        json!({"name": "a.example.", "email": "x@example.com"}),
        json!({"name": "b.example.", "router": "r-1"}),
        json!({"name": "b.example.", "email": "x@example.com", "router": "r-1"}),
    ] {
        assert!(v.is_valid(&body), "{body} under {request}");
    }
    assert!(!v.is_valid(&json!({"email": "x@example.com"})));
}

#[test]
fn alternatives_nothing_tells_apart_become_any_of() {
    // Three bodies: one with `a`, one with `b`, one with both, none required. A body with
    // neither is documented for the first two alike, so they cannot exclude each other.
    let only_a = zone_page(
        "创建域名A",
        &[("name", "是", "String"), ("a", "否", "String")],
        r#"{"name": "x", "a": "1"}"#,
    );
    let only_b = zone_page(
        "创建域名B",
        &[("name", "是", "String"), ("b", "否", "String")],
        r#"{"name": "x", "b": "1"}"#,
    );
    let both = zone_page(
        "创建域名C",
        &[
            ("name", "是", "String"),
            ("a", "否", "String"),
            ("b", "否", "String"),
        ],
        r#"{"name": "x", "a": "1", "b": "2"}"#,
    );
    let dir = temp_pages(&[
        ("a.md", only_a.as_bytes()),
        ("b.md", only_b.as_bytes()),
        ("c.md", both.as_bytes()),
    ]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let op = &d.operations[0];
    assert_eq!(op.alternatives.len(), 3, "{:?}", op.alternatives);
    let request = &d.schemas[&(op.id.clone(), SchemaKind::Request)];
    assert!(request.get("oneOf").is_none(), "{request}");
    assert_eq!(request["anyOf"].as_array().map(Vec::len), Some(3));
    assert!(
        op.notes.iter().any(|n| n.contains("anyOf")),
        "{:?}",
        op.notes
    );
    let v = keywords::compile(request).unwrap();
    for body in [
        json!({"name": "x"}),
        json!({"name": "x", "a": "1"}),
        json!({"name": "x", "b": "1"}),
        json!({"name": "x", "a": "1", "b": "2"}),
    ] {
        assert!(v.is_valid(&body), "{body} under {request}");
    }
    // Each alternative is still its own schema for a case that names it.
    let contract = conform::contract::Contract::from_parts(
        d.operations.clone(),
        d.schemas.clone(),
        d.error_codes.clone(),
        dir.path(),
    )
    .unwrap();
    let alt = &op.alternatives[0];
    let schema = contract.alternative_schema(&op.id, alt).unwrap();
    assert!(keywords::compile(&schema).is_ok());
}

/// An error body documented as an envelope row pointing to its own table (`error` → `Error`
/// {message, code}, as VPC Endpoint's pages write it) is the envelope, not an empty object:
/// an empty schema would make every field of every documented error "undocumented".
#[test]
fn an_error_table_whose_one_row_is_the_envelope_documents_the_envelope() {
    let page = r##"# 删除会话

## URI

DELETE /v1/\{project\_id\}/sessions/\{session\_id\}

## 响应参数

**状态码： 200**

**表 3**  响应Body参数

|参数|参数类型|描述|
|--|--|--|
|id|String|会话ID。|

**状态码： 400**

**表 4**  响应Body参数

|参数|参数类型|描述|
|--|--|--|
|error|Error object|异常信息。|

**表 5**  Error

|参数|参数类型|描述|
|--|--|--|
|message|String|错误信息。|
|code|String|错误码。|
"##;
    let dir = temp_pages(&[("sessions.md", page.as_bytes())]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    let op = &d.operations[0];
    let err = &d.schemas[&(op.id.clone(), SchemaKind::Error)];
    let inner = &err["additionalProperties"];
    assert_eq!(inner["properties"]["code"]["type"], "string", "{err}");
    assert_eq!(inner["properties"]["message"]["type"], "string", "{err}");
    let documented = jsonschema::validator_for(err).unwrap();
    let answer = serde_json::json!({"error": {"code": "EP.0400", "message": "bad"}});
    assert!(documented.is_valid(&answer), "{err}");
}

/// Two pages of one endpoint (an older and a newer page of the same list) each document its
/// query parameters: a limit only one of them states is kept, as for a body field, and where
/// they disagree the first page's value stays and the disagreement is logged.
#[test]
fn a_query_limit_only_one_page_of_an_endpoint_states_is_kept() {
    let quiet = EXPLORER_PAGE.replace(
        "|limit|否|Integer|每页条数。最小值1，最大值2000。|",
        "|limit|否|Integer|每页条数。|\n|marker|否|String|起始位置，最大长度：36|",
    );
    let other = EXPLORER_PAGE.replace(
        "|limit|否|Integer|每页条数。最小值1，最大值2000。|",
        "|limit|否|Integer|每页条数。最小值1，最大值2000。|\n|marker|否|String|起始位置，最大长度：64|",
    );
    let dir = temp_pages(&[
        ("a_sessions.md", quiet.as_bytes()),
        ("b_sessions.md", other.as_bytes()),
    ]);
    let d = derive::derive(&[dir.path().to_path_buf()], &Manifest::default()).unwrap();
    assert_eq!(d.operations.len(), 1, "one endpoint: {:?}", d.operations);
    let q = |name: &str| {
        d.operations[0]
            .query_params
            .iter()
            .find(|q| q.name == name)
            .map(|q| q.schema.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        (&q("limit")["minimum"], &q("limit")["maximum"]),
        (&json!(1), &json!(2000))
    );
    assert_eq!(q("marker")["maxLength"], 36, "the first page's value stays");
    assert!(
        d.log
            .iter()
            .any(|l| l.contains("query parameter marker: maxLength")),
        "{:?}",
        d.log
    );
}
