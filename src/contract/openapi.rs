//! OpenAPI 3.1 export of the whole contract, for Schemathesis, Prism and friends.
//!
//! Derived schemas use the custom `x-maxBytes` keyword; OpenAPI 3.1 allows `x-` extensions in
//! schemas, so tools that do not know it simply ignore it.
//!
//! By default the document states what the built-in mock enforces, not only what the pages say:
//! where the mock follows Cinder or Nova because the pages are silent (a named deviation,
//! [`super::deviations`]), the request schemas carry the constraint, each keyword named under
//! `x-conform-deviation`, and the operations the mock serves that no page documents are listed,
//! each with `x-conform-origin`. A fuzzer run on this document against `conform mock` then finds
//! only what the mock gets wrong ([`Scope`]).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::deviations::{self, AddedOperation, Deviations, DeviationsError};
use super::{Contract, Operation, SchemaKind};
use crate::contract::rules;

/// What the document states beyond the pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// The pages' contract, plus what the built-in mock enforces where the pages are silent: each
    /// named deviation's request constraints and the operations it serves that no page documents,
    /// all marked. What a fuzzer run against the mock needs: it sends only what the mock accepts
    /// as valid, and every method the mock's `Allow` lists is in the document.
    #[default]
    Mock,
    /// The pages' contract alone (the per-operation `x-conform-deviation` notes stay): for a real
    /// region, which need not refuse what the mock chose to refuse.
    Pages,
}

fn component_name(id: &str, suffix: &str) -> String {
    let mut name: String = id
        .split(['.', '_'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    name.push_str(suffix);
    name
}

/// The deviations that touch an operation, as exported on it: so a user of the document knows
/// which of the mock's answers come from the docs and which do not.
fn deviations_of(all: &Deviations, id: &str) -> Vec<Value> {
    all.of(id)
        .map(|d| json!({"id": d.id, "rule": d.rule, "docs": d.docs, "follows": d.follows, "source": d.source}))
        .collect()
}

/// Removes keywords that only make sense at a document root, and exports byte limits for
/// tools that ignore `x-maxBytes`.
fn embeddable(schema: &Value) -> Value {
    let mut s = schema.clone();
    if let Value::Object(m) = &mut s {
        m.remove("$schema");
    }
    export_byte_limits(&mut s);
    s
}

/// Adds `maxLength` = `x-maxBytes` wherever a byte limit is stated (keeping a smaller character
/// limit): a string over N characters is always over N bytes, so the bound is sound, and tools
/// that only know `maxLength` still fuzz the limit.
pub fn export_byte_limits(schema: &mut Value) {
    match schema {
        Value::Object(m) => {
            if let Some(bytes) = m.get("x-maxBytes").and_then(Value::as_u64) {
                let chars = m.get("maxLength").and_then(Value::as_u64);
                m.insert(
                    "maxLength".into(),
                    json!(chars.map_or(bytes, |c| c.min(bytes))),
                );
            }
            for v in m.values_mut() {
                export_byte_limits(v);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(export_byte_limits),
        _ => {}
    }
}

/// A `$ref` to a component schema, as a JSON content map.
fn json_content(name: &str) -> Value {
    json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}})
}

/// The path parameters of a template, each a required non-empty string.
fn path_parameters<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<Value> {
    names
        .into_iter()
        .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}}))
        .collect()
}

/// The names in a path template's `{…}` expressions, in order (several in one segment too).
fn template_names(path: &str) -> Vec<String> {
    super::template::params(path)
}

/// `4XX` and `5XX`: answered with an operation's error envelope when it documents one, else without a body.
fn error_responses(responses: &mut Map<String, Value>, contract: &Contract, id: &str) {
    for class in ["4XX", "5XX"] {
        // A service whose pages state no error envelope still answers errors: the classes are
        // documented without a body rather than borrowed from another service's envelope.
        let response = match contract.schema(id, SchemaKind::Error) {
            Some(_) => json!({
                "description": "documented error envelope",
                "content": json_content(&component_name(id, "Error")),
            }),
            None => json!({"description": "an error; the pages document no body for it"}),
        };
        responses.insert(class.into(), response);
    }
}

/// The path parameter whose value names the one key of a body map (`PUT …/metadata/{key}` with
/// `{"meta": {key: value}}`), as the generator reads it ([`rules::bound_param`]): JSON Schema
/// cannot say that a key equals a parameter, so it is stated beside the schema for tools (and
/// hooks, `examples/schemathesis_hooks.py`) that can honour it. The generator's
/// `path_key__binding_mismatch` case checks the refusal.
fn binding(op: &Operation, request: &Value) -> Option<Value> {
    let (param, parents) = rules::bound_param(op, Some(request))?;
    let pointer: String = parents
        .iter()
        .map(|p| crate::pointer::child("", p))
        .collect();
    Some(json!({"parameter": param, "body": pointer}))
}

/// Builds the OpenAPI document of a contract.
///
/// Why the mock's deviations are stated here and not in the derived schemas (`conform derive`):
/// `schemas/` is what the pages say, and a test re-derives it from them byte for byte; the
/// runner checks every target against it, real regions included, and the generator writes a
/// case per constraint it holds. A deviation is the mock's choice where the pages are silent
/// (Cinder refuses `{"snapshot": {}}`; the pages do not say a region does), so a `minProperties`
/// in `schemas/` would make generated cases assert that choice against regions. The export is
/// the document a fuzzer reads to decide which requests are valid; run against the mock, it must
/// say what the mock enforces, or every such rule is a false "valid request rejected". Each
/// added keyword is named under `x-conform-deviation`, so a reader can tell it from the pages'
/// contract, and [`Scope::Pages`] leaves them out.
pub fn document(contract: &Contract, scope: Scope) -> Result<Value, DeviationsError> {
    let deviations = deviations::builtin()?;
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut schemas = Map::new();
    for op in &contract.operations {
        let mut parameters = path_parameters(op.path_params.iter().map(String::as_str));
        parameters.extend(op.query_params.iter().map(
            |q| json!({"name": q.name, "in": "query", "required": q.required, "schema": embeddable(&q.schema)}),
        ));
        let mut operation = Map::new();
        operation.insert("operationId".into(), json!(op.id));
        operation.insert("summary".into(), json!(op.title));
        operation.insert("tags".into(), json!([op.service]));
        operation.insert("parameters".into(), Value::Array(parameters));
        if let Some(req) = contract.schema(&op.id, SchemaKind::Request) {
            let name = component_name(&op.id, "Request");
            let mut schema = embeddable(req);
            if scope == Scope::Mock {
                // What cannot be stated (a conflict with the pages, a missing object) stays the
                // pages' contract; [`unstated`] lists it, and a test keeps the shipped contract
                // free of it.
                deviations.constrain(&op.id, &mut schema);
            }
            schemas.insert(name.clone(), schema);
            operation.insert(
                "requestBody".into(),
                json!({"required": true, "content": json_content(&name)}),
            );
            if let Some(b) = binding(op, req) {
                operation.insert("x-conform-binding".into(), b);
            }
        }
        let mut responses = Map::new();
        for status in &op.success {
            let mut response = json!({"description": "documented success"});
            if let Some(resp) = contract.schema(&op.id, SchemaKind::Response(*status)) {
                let name = component_name(&op.id, &format!("Response{status}"));
                schemas.insert(name.clone(), embeddable(resp));
                response["content"] = json_content(&name);
            }
            responses.insert(status.to_string(), response);
        }
        if let Some(err) = contract.schema(&op.id, SchemaKind::Error) {
            schemas.insert(component_name(&op.id, "Error"), embeddable(err));
        }
        error_responses(&mut responses, contract, &op.id);
        operation.insert("responses".into(), Value::Object(responses));
        let own = deviations_of(&deviations, &op.id);
        if !own.is_empty() {
            operation.insert(deviations::MARK.into(), Value::Array(own));
        }
        paths
            .entry(op.path.clone())
            .or_default()
            .insert(op.method.to_lowercase(), Value::Object(operation));
    }
    if scope == Scope::Mock {
        for (d, added) in deviations.added() {
            add_operation(&mut paths, contract, &deviations, &d.id, added);
        }
    }
    let description = match scope {
        Scope::Pages => "Derived by conform from the API reference pages.",
        Scope::Mock => "Derived by conform from the API reference pages, with what conform's built-in mock enforces where they are silent (each keyword named under x-conform-deviation; added operations carry x-conform-origin).",
    };
    Ok(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "conform contract",
            "version": env!("CARGO_PKG_VERSION"),
            "description": description
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}

/// The deviation constraints the export cannot state on this contract's request schemas, per
/// operation: each one is a rule the mock enforces that a fuzzer reading the document does not
/// know (empty for the shipped contract, which a test checks).
pub fn unstated(
    contract: &Contract,
) -> Result<Vec<(String, deviations::Unapplied)>, DeviationsError> {
    let deviations = deviations::builtin()?;
    let mut out = Vec::new();
    for op in &contract.operations {
        if let Some(req) = contract.schema(&op.id, SchemaKind::Request) {
            let mut schema = embeddable(req);
            out.extend(
                deviations
                    .constrain(&op.id, &mut schema)
                    .into_iter()
                    .map(|u| (op.id.clone(), u)),
            );
        }
    }
    Ok(out)
}

/// Lists an operation the mock serves that no page documents, beside the documented operation
/// it shares a path with. Left out when the contract does not hold that operation on that path
/// (the mock's emulation of the path does not apply to it) or already documents the method (the
/// pages win).
fn add_operation(
    paths: &mut BTreeMap<String, Map<String, Value>>,
    contract: &Contract,
    deviations: &Deviations,
    deviation: &str,
    added: &AddedOperation,
) {
    let method = added.method.to_lowercase();
    let documented = contract
        .operations
        .iter()
        .any(|o| o.path == added.path && o.method.eq_ignore_ascii_case(&added.method));
    let joins = contract
        .operation(&added.beside)
        .is_some_and(|b| b.path == added.path);
    if !joins || documented {
        return;
    }
    let mut responses = Map::new();
    for status in &added.success {
        responses.insert(
            status.to_string(),
            json!({"description": "success, no body (no page documents this operation)"}),
        );
    }
    error_responses(&mut responses, contract, &added.beside);
    let operation = json!({
        "operationId": added.id,
        "summary": added.title,
        "tags": [added.service],
        "parameters": path_parameters(template_names(&added.path).iter().map(String::as_str)),
        "responses": responses,
        "x-conform-origin": {"deviation": deviation, "documented": false},
        deviations::MARK: deviations_of(deviations, &added.id),
    });
    paths
        .entry(added.path.clone())
        .or_default()
        .insert(method, operation);
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELETE_ITEM: &str = "ecs.delete_server_metadata_item.v2_1";
    const ITEM_PATH: &str = "/v2.1/{project_id}/servers/{server_id}/metadata/{key}";

    fn shipped() -> Contract {
        Contract::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas"))
            .expect("the shipped contract loads")
    }

    fn rebuilt(contract: &Contract, operations: Vec<Operation>) -> Contract {
        Contract::from_parts(
            operations,
            contract.schemas.clone(),
            contract.error_codes.clone(),
            std::path::Path::new("."),
        )
        .expect("compiles")
    }

    #[test]
    fn the_mock_scope_lists_what_the_mock_serves_and_the_pages_scope_does_not() {
        let contract = shipped();
        let doc = document(&contract, Scope::Mock).expect("exports");
        let delete = &doc["paths"][ITEM_PATH]["delete"];
        assert_eq!(delete["operationId"], DELETE_ITEM);
        assert_eq!(
            delete["x-conform-origin"]["deviation"],
            "nova-server-metadata-item-delete"
        );
        assert!(delete["responses"]["204"].get("content").is_none());
        // The ECS pages state no error envelope: errors are documented without a body, never
        // with another service's envelope (issue 32).
        assert!(delete["responses"]["4XX"].is_object());
        assert!(delete["responses"]["4XX"].get("content").is_none());
        let names: Vec<&Value> = delete["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .map(|p| &p["name"])
            .collect();
        assert_eq!(names, vec!["project_id", "server_id", "key"]);
        let meta = &doc["components"]["schemas"]["EcsUpdateServerMetadataItemV21Request"]
            ["properties"]["meta"];
        assert_eq!(meta["minProperties"], 1);
        assert_eq!(
            meta["x-conform-deviation"]["minProperties"],
            "metadata-item-exactly-one"
        );

        let pages = document(&contract, Scope::Pages).expect("exports");
        assert!(pages["paths"][ITEM_PATH].get("delete").is_none());
        let meta = &pages["components"]["schemas"]["EcsUpdateServerMetadataItemV21Request"]
            ["properties"]["meta"];
        assert!(meta.get("minProperties").is_none());
        assert!(meta.get("x-conform-deviation").is_none());
        // The notes on operations describe the mock either way.
        assert!(pages["paths"][ITEM_PATH]["put"]["x-conform-deviation"].is_array());
    }

    #[test]
    fn an_added_operation_gives_way_to_the_pages_and_needs_the_path_it_joins() {
        let contract = shipped();
        // A contract whose pages document the DELETE: theirs is exported, not the mock's.
        let mut ops = contract.operations.clone();
        let mut documented = ops
            .iter()
            .find(|o| o.id == "ecs.show_server_metadata_item.v2_1")
            .expect("the show operation")
            .clone();
        documented.id = "ecs.delete_server_metadata_item_documented".into();
        documented.method = "DELETE".into();
        ops.push(documented);
        let doc = document(&rebuilt(&contract, ops), Scope::Mock).expect("exports");
        let delete = &doc["paths"][ITEM_PATH]["delete"];
        assert_eq!(
            delete["operationId"],
            "ecs.delete_server_metadata_item_documented"
        );
        assert!(delete.get("x-conform-origin").is_none());
        // A contract without the operation it sits beside: the mock's emulation is not this
        // contract's, so nothing is added.
        let ops: Vec<Operation> = contract
            .operations
            .iter()
            .filter(|o| o.id != "ecs.show_server_metadata_item.v2_1")
            .cloned()
            .collect();
        let doc = document(&rebuilt(&contract, ops), Scope::Mock).expect("exports");
        assert!(doc["paths"][ITEM_PATH].get("delete").is_none());
    }

    #[test]
    fn a_path_key_bound_to_a_body_key_is_stated_beside_the_schema() {
        let doc = document(&shipped(), Scope::Mock).expect("exports");
        for path in [
            ITEM_PATH,
            "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
        ] {
            assert_eq!(
                doc["paths"][path]["put"]["x-conform-binding"],
                json!({"parameter": "key", "body": "/meta"}),
                "{path}"
            );
        }
        let update = &doc["paths"]["/v2/{project_id}/snapshots/{snapshot_id}"]["put"];
        assert!(update.get("x-conform-binding").is_none());
    }

    #[test]
    fn byte_limits_are_exported_as_max_length_too() {
        let mut s = json!({"properties": {
            "name": {"type": "string", "x-maxBytes": 255},
            "both": {"type": "string", "x-maxBytes": 255, "maxLength": 64},
            "list": {"type": "array", "items": {"type": "string", "x-maxBytes": 8}},
        }});
        export_byte_limits(&mut s);
        assert_eq!(s["properties"]["name"]["maxLength"], 255);
        assert_eq!(s["properties"]["name"]["x-maxBytes"], 255);
        assert_eq!(s["properties"]["both"]["maxLength"], 64);
        assert_eq!(s["properties"]["list"]["items"]["maxLength"], 8);
    }
}
