//! Kinds no path names, as RESTler infers them from a collection's operations alone: a POST of a
//! collection whose answer holds a new id, a DELETE of the same collection that requires that id
//! as a query parameter (VOD's `DELETE /v1.0/{project_id}/asset?asset_id=…`), a read that
//! requires it too (`GET …/asset/details?asset_id=…`, or the collection's own GET), an update
//! whose body names it (`PUT …/asset/info` with `asset_id`), and a list (`GET …/asset/list`). A
//! kind read only through its list (its GET takes the id as an optional filter) is read there.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::resources::{
    by_path, created_id, documented, kind_name, list_read, normalise, read_example,
};
use crate::contract::resources::{Call, ResourceKind};
use crate::contract::rules::is_resource_param;
use crate::contract::{Operation, SchemaKind};

/// The last segments of a read of one, best first, where a collection has several reads that
/// require the id (VOD's `details` beside `ciphers`): the one named for showing one.
const READ_WORDS: &[&str] = &["details", "detail", "info", "show"];

/// The kinds whose id travels in the query, of collections no kind of `known` has.
pub fn infer(
    operations: &[Operation],
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    examples: &BTreeMap<String, Value>,
    known: &[ResourceKind],
) -> Vec<ResourceKind> {
    let by_path = by_path(operations);
    let taken = |service: &str, coll: &str| {
        known.iter().any(|k| {
            k.service == service
                && k.collection_template()
                    .is_some_and(|t| normalise(&t) == coll)
        })
    };
    let mut out = Vec::new();
    for ((service, coll), methods) in &by_path {
        let (Some(create), Some(delete)) = (methods.get("POST"), methods.get("DELETE")) else {
            continue;
        };
        // Only where no path names a resource: a path kind's collection keeps its own rules.
        if delete.path_params.iter().any(|p| is_resource_param(p)) || taken(service, coll) {
            continue;
        }
        let Some(param) = delete
            .query_params
            .iter()
            .find(|q| q.required && is_resource_param(&q.name))
            .map(|q| q.name.as_str())
        else {
            continue;
        };
        let Some(id_at) = created_id(create, schemas, param) else {
            continue;
        };
        let below = |op: &&Operation| {
            let rest = normalise(&op.path);
            let word = rest
                .strip_prefix(coll.as_str())
                .and_then(|r| r.strip_prefix('/'));
            word.filter(|w| !w.is_empty() && !w.contains('/') && !w.contains('{'))
                .map(str::to_string)
        };
        // Every operation at the collection or one literal segment below it.
        let near: Vec<(&Operation, String)> = by_path
            .iter()
            .filter(|((s, _), _)| s == service)
            .flat_map(|(_, ms)| ms.values())
            .filter_map(|op| {
                if normalise(&op.path) == *coll {
                    return Some((*op, String::new()));
                }
                below(op).map(|w| (*op, w))
            })
            .collect();
        let requires = |op: &Operation| {
            op.query_params
                .iter()
                .any(|q| q.required && q.name == param)
        };
        let reads: Vec<&(&Operation, String)> = near
            .iter()
            .filter(|(op, _)| op.method == "GET" && requires(op))
            .collect();
        let read = reads
            .iter()
            .find(|(_, w)| w.is_empty())
            .or_else(|| {
                READ_WORDS
                    .iter()
                    .find_map(|want| reads.iter().find(|(_, w)| w == want))
            })
            .or_else(|| reads.first())
            .map(|(op, _)| *op);
        let gets = |word: &str| {
            near.iter()
                .find(|(op, w)| op.method == "GET" && w == word && !requires(op))
                .map(|(op, _)| *op)
        };
        // The list: `…/list` below the collection, else the collection's GET taking the id as
        // an optional filter.
        let list = gets("list").or_else(|| gets(""));
        let listed = match (read, list) {
            (Some(_), _) => None,
            (None, Some(l)) => match list_read(l, schemas, param) {
                Some(how) if how.filter.is_some() => Some(how),
                _ => continue,
            },
            (None, None) => continue,
        };
        let Some(read) = read.or(list) else {
            continue;
        };
        let update = update_of(&near, schemas, param);
        let call = |op: &Operation| Call {
            method: op.method.clone(),
            path: op.path.clone(),
            body: None,
            query: Default::default(),
        };
        let collection = coll.rsplit('/').next().unwrap_or_default().to_string();
        let example = read_example(examples, read, listed.as_ref());
        out.push(ResourceKind {
            read: match listed {
                Some(_) => call(read),
                None => documented(call(read), read, schemas, param),
            },
            read_by_list: listed,
            update: update.map(|op| Call {
                body: Some(Value::Object(
                    [(param.to_string(), json!("{id}"))].into_iter().collect(),
                )),
                ..call(op)
            }),
            delete: Some(documented(call(delete), delete, schemas, param)),
            created_id: Some(id_at),
            collection_path: Some(create.path.clone()),
            id_param: Some(param.to_string()),
            id_query: Some(param.to_string()),
            create: Some(call(create)),
            list: list.map(call),
            example,
            ..ResourceKind::new(
                &kind_name(&collection, &create.path),
                service,
                &collection,
                call(read),
            )
        });
    }
    out
}

/// The update of one: a PUT of the collection (or one literal segment below it) whose body
/// names the id as a string field at its top (an id of another type a generated case cannot
/// name from what it captured); of several, the one that sets a name or description.
fn update_of<'o>(
    near: &[(&'o Operation, String)],
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    param: &str,
) -> Option<&'o Operation> {
    let props = |op: &Operation| {
        schemas
            .get(&(op.id.clone(), SchemaKind::Request))
            .and_then(|s| s.get("properties"))
            .cloned()
    };
    let puts: Vec<(&Operation, Value)> = near
        .iter()
        .filter(|(op, _)| op.method == "PUT")
        .filter_map(|(op, _)| {
            let p = props(op)?;
            (p.pointer(&format!("/{param}/type")) == Some(&json!("string"))).then_some((*op, p))
        })
        .collect();
    puts.iter()
        .find(|(_, p)| p.get("name").is_some() || p.get("description").is_some())
        .or_else(|| puts.first())
        .map(|(op, _)| *op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::QueryParam;

    fn op(id: &str, method: &str, path: &str, query: &[(&str, bool)]) -> Operation {
        Operation {
            query_params: query
                .iter()
                .map(|(name, required)| QueryParam {
                    name: name.to_string(),
                    required: *required,
                    schema: json!({"type": "string"}),
                })
                .collect(),
            ..Operation::new(id, "vod", method, path)
        }
    }

    fn answer(schemas: &mut BTreeMap<(String, SchemaKind), Value>, id: &str, v: Value) {
        schemas.insert((id.to_string(), SchemaKind::Response(200)), v);
    }

    /// VOD's assets: made by a POST of the collection answering `asset_id`, deleted by a DELETE
    /// of it requiring `asset_id`, read at `details` (not the other read requiring the id),
    /// updated by the PUT whose body names the id and a description, listed at `list`. A
    /// collection whose delete names no id, or whose create answers none, is no kind; one
    /// whose GET takes the id as an optional filter is read through that list.
    #[test]
    fn a_kind_named_in_the_query_is_inferred_from_its_collections_operations() {
        let p = "/v1.0/{project_id}/asset";
        let ops = vec![
            op("create", "POST", p, &[]),
            op("delete", "DELETE", p, &[("asset_id", true)]),
            op(
                "ciphers",
                "GET",
                &format!("{p}/ciphers"),
                &[("asset_id", true)],
            ),
            op(
                "details",
                "GET",
                &format!("{p}/details"),
                &[("asset_id", true)],
            ),
            op("list", "GET", &format!("{p}/list"), &[("asset_id", false)]),
            op("video", "PUT", p, &[]),
            op("info", "PUT", &format!("{p}/info"), &[]),
            op("mark", "POST", "/v1.0/{project_id}/mark", &[]),
            op(
                "unmark",
                "DELETE",
                "/v1.0/{project_id}/mark",
                &[("force", true)],
            ),
            op("tpl", "POST", "/v1.0/{project_id}/tpl", &[]),
            op(
                "tpl_del",
                "DELETE",
                "/v1.0/{project_id}/tpl",
                &[("id", true)],
            ),
            op(
                "tpl_list",
                "GET",
                "/v1.0/{project_id}/tpl",
                &[("id", false)],
            ),
        ];
        let s = json!({"type": "string"});
        let mut schemas = BTreeMap::new();
        answer(
            &mut schemas,
            "create",
            json!({"properties": {"asset_id": s}}),
        );
        answer(&mut schemas, "mark", json!({"properties": {"mark_id": s}}));
        answer(&mut schemas, "tpl", json!({"properties": {"id": s}}));
        answer(
            &mut schemas,
            "tpl_list",
            json!({"properties": {"templates": {"type": "array", "items": {"properties": {"id": s}}}}}),
        );
        schemas.insert(
            ("video".to_string(), SchemaKind::Request),
            json!({"properties": {"asset_id": s, "video_name": s}}),
        );
        schemas.insert(
            ("info".to_string(), SchemaKind::Request),
            json!({"properties": {"asset_id": s, "description": s}}),
        );
        let kinds = infer(&ops, &schemas, &BTreeMap::new(), &[]);
        let names: Vec<&str> = kinds.iter().map(|k| k.kind.as_str()).collect();
        assert_eq!(names, vec!["asset.v1_0", "tpl.v1_0"]);
        let asset = &kinds[0];
        assert_eq!(asset.id_query.as_deref(), Some("asset_id"));
        assert_eq!(asset.id_param.as_deref(), Some("asset_id"));
        assert_eq!(asset.created_id.as_deref(), Some("/asset_id"));
        assert_eq!(asset.read.path, format!("{p}/details"));
        assert_eq!(asset.read.query.get("asset_id"), Some(&json!("{id}")));
        let delete = asset
            .delete
            .as_ref()
            .map(|d| (&d.method, &d.path, &d.query));
        let by_id = [("asset_id".to_string(), json!("{id}"))].into();
        assert_eq!(
            delete,
            Some((&"DELETE".to_string(), &p.to_string(), &by_id))
        );
        let update = asset
            .update
            .as_ref()
            .map(|u| (u.path.clone(), u.body.clone()));
        assert_eq!(
            update,
            Some((format!("{p}/info"), Some(json!({"asset_id": "{id}"}))))
        );
        assert_eq!(
            asset.list.as_ref().map(|l| l.path.clone()),
            Some(format!("{p}/list"))
        );
        assert_eq!(asset.collection_template().as_deref(), Some(p));
        let tpl = &kinds[1];
        assert_eq!(
            tpl.read_by_list.as_ref().and_then(|l| l.filter.as_deref()),
            Some("id")
        );
        // A collection some path kind has already keeps that kind.
        let known = [ResourceKind {
            collection_path: Some(p.into()),
            ..asset.clone()
        }];
        assert_eq!(infer(&ops, &schemas, &BTreeMap::new(), &known).len(), 1);
    }
}
