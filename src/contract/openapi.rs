//! OpenAPI 3.1 export of the whole contract, for Schemathesis, Prism and friends.
//!
//! Derived schemas use the custom `x-maxBytes` keyword; OpenAPI 3.1 allows `x-` extensions in
//! schemas, so tools that do not know it simply ignore it.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{Contract, SchemaKind};

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

/// The built-in mock's named deviations: rules it enforces that the pages do not state, each with
/// the implementation it follows. Exported per operation as `x-conform-deviation` so a user of
/// the document knows which of the mock's answers come from the docs and which do not.
const DEVIATIONS: &str = include_str!("../mock/deviations.json");

/// The deviations that apply to an operation (`"*"` applies to every one).
fn deviations_of(all: &Value, id: &str) -> Vec<Value> {
    let list = all["deviations"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    list.iter()
        .filter(|d| {
            d["operations"]
                .as_array()
                .is_some_and(|ops| ops.iter().any(|o| o == id || o == "*"))
        })
        .map(|d| json!({"id": d["id"], "rule": d["rule"], "docs": d["docs"], "follows": d["follows"], "source": d["source"]}))
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

/// Builds the OpenAPI document.
pub fn document(contract: &Contract) -> Value {
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut schemas = Map::new();
    // A test parses the file; an unreadable one would only drop the annotations.
    let deviations: Value = serde_json::from_str(DEVIATIONS).unwrap_or(Value::Null);
    for op in &contract.operations {
        let mut parameters: Vec<Value> = op
            .path_params
            .iter()
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}}))
            .collect();
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
            schemas.insert(name.clone(), embeddable(req));
            operation.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}}),
            );
        }
        let mut responses = Map::new();
        for status in &op.success {
            let mut response = json!({"description": "documented success"});
            if let Some(resp) = contract.schema(&op.id, SchemaKind::Response(*status)) {
                let name = component_name(&op.id, &format!("Response{status}"));
                schemas.insert(name.clone(), embeddable(resp));
                response["content"] = json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}});
            }
            responses.insert(status.to_string(), response);
        }
        if let Some(err) = contract.schema(&op.id, SchemaKind::Error) {
            let name = component_name(&op.id, "Error");
            schemas.insert(name.clone(), embeddable(err));
            let content = json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}});
            responses.insert(
                "4XX".into(),
                json!({"description": "documented error envelope", "content": content}),
            );
            responses.insert(
                "5XX".into(),
                json!({"description": "documented error envelope", "content": content}),
            );
        }
        operation.insert("responses".into(), Value::Object(responses));
        let own = deviations_of(&deviations, &op.id);
        if !own.is_empty() {
            operation.insert("x-conform-deviation".into(), Value::Array(own));
        }
        paths
            .entry(op.path.clone())
            .or_default()
            .insert(op.method.to_lowercase(), Value::Object(operation));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "conform contract",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Derived by conform from the API reference pages."
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
