//! The field where a kind's create answers the new id is part of the create's answer schema.
//!
//! A kind's id may be read from the create's example where its table names another field (MRS's
//! create-cluster table lists `type`, its example answers `cluster_id`; see
//! `resources::made_elsewhere`). The resource table then says the answer holds the id at
//! `/cluster_id` while the answer's schema does not document that field, so a strict check
//! calls the very field a run captures the id from undocumented, on any server that answers as
//! the example does. The example documents it: the field is added to the answer's schema as a
//! string, its source the example's line. The example-unknown-field defect stays recorded.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::defects::{Defect, DefectKind};
use crate::contract::resources::ResourceTable;
use crate::contract::{Operation, SchemaKind};

/// Adds to each create's success answer schemas the id field its kind captures, where only the
/// create's response example shows it. Returns one log line per field added.
pub fn document(
    operations: &[Operation],
    schemas: &mut BTreeMap<(String, SchemaKind), Value>,
    table: &ResourceTable,
    defects: &[Defect],
) -> Vec<String> {
    let mut log = Vec::new();
    for kind in &table.kinds {
        let (Some(create), Some(at)) = (&kind.create, &kind.created_id) else {
            continue;
        };
        let Some(op) = operations.iter().find(|o| {
            o.service == kind.service && o.method == create.method && o.path == create.path
        }) else {
            continue;
        };
        // Only a field the example shows and no table documents.
        let Some(shown) = defects.iter().find(|d| {
            d.kind == DefectKind::ExampleUnknownField
                && d.body == "response"
                && d.operation.as_deref() == Some(op.id.as_str())
                && d.pointer == *at
        }) else {
            continue;
        };
        let source = source_of(op, &shown.page, shown.line);
        for status in &op.success {
            let Some(schema) = schemas.get_mut(&(op.id.clone(), SchemaKind::Response(*status)))
            else {
                continue;
            };
            if add_string_field(schema, at, &source) {
                log.push(format!(
                    "{}: the created id {at} (answered by the kind {}) documented by the example at {source}",
                    op.id, kind.kind
                ));
            }
        }
    }
    log
}

/// `file:line` as the schemas' `x-source` writes it: the operation's source page whose file the
/// defect's page path names, else that path's file name.
fn source_of(op: &Operation, page: &str, line: usize) -> String {
    let file = op
        .sources
        .iter()
        .map(|s| s.file.as_str())
        .find(|f| page.ends_with(f))
        .or_else(|| std::path::Path::new(page).file_name()?.to_str())
        .unwrap_or(page);
    format!("{file}:{line}")
}

/// Adds a string property at `pointer` (`/cluster_id`, `/vpc/id`, `/items/0/id`) below object
/// schemas that are already there. False when a step is missing or the field is already
/// documented.
fn add_string_field(schema: &mut Value, pointer: &str, source: &str) -> bool {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    let Some((last, parents)) = tokens.split_last() else {
        return false;
    };
    let mut node = schema;
    for t in parents {
        let next = if t.parse::<usize>().is_ok() {
            node.get_mut("items")
        } else {
            node.get_mut("properties").and_then(|p| p.get_mut(*t))
        };
        let Some(next) = next else {
            return false;
        };
        node = next;
    }
    let Some(obj) = node.as_object_mut() else {
        return false;
    };
    let props = obj
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(props) = props.as_object_mut() else {
        return false;
    };
    if props.contains_key(*last) {
        return false;
    }
    props.insert(
        (*last).to_string(),
        json!({"type": "string", "x-source": source}),
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field is added below the objects already there, never over a documented one.
    #[test]
    fn a_string_field_is_added_only_where_its_parents_are_and_it_is_not() {
        let mut top = json!({"type": "object", "properties": {"type": {"type": "string"}}});
        assert!(add_string_field(&mut top, "/cluster_id", "p.md:9"));
        assert_eq!(
            top["properties"]["cluster_id"],
            json!({"type": "string", "x-source": "p.md:9"})
        );
        assert!(!add_string_field(&mut top, "/cluster_id", "p.md:9"));
        assert!(!add_string_field(&mut top, "/type", "p.md:9"));
        let mut nested = json!({"properties": {"vpc": {"type": "object"}}});
        assert!(add_string_field(&mut nested, "/vpc/id", "p.md:3"));
        assert_eq!(
            nested["properties"]["vpc"]["properties"]["id"]["type"],
            "string"
        );
        assert!(!add_string_field(&mut nested, "/subnet/id", "p.md:3"));
    }
}
