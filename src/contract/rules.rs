//! The documented rules of an operation, enumerated from the contract alone.
//!
//! A rule is one thing the documentation promises about one operation: a field's type, a limit,
//! a pattern, a success status, what an unknown id answers. Each has a stable id,
//! `rule:<operation>:<pointer-or-field>:<constraint>`, which the generator writes as a case tag
//! and the coverage matrix matches against. Pure: no I/O, the same contract gives the same rules
//! in the same order.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::contract::{Contract, Operation, SchemaKind};

/// Prefix of every rule tag.
pub const TAG_PREFIX: &str = "rule:";

/// What a rule constrains.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// The field's JSON type.
    Type,
    /// The field must be present.
    Required,
    /// A limit in UTF-8 bytes (`x-maxBytes`).
    MaxBytes,
    /// A limit in characters (`maxLength`).
    MaxLength,
    /// A lower limit in characters (`minLength`).
    MinLength,
    /// A regular expression the value must match.
    Pattern,
    /// A closed list of values.
    Enum,
    /// A lower numeric bound.
    Minimum,
    /// An upper numeric bound.
    Maximum,
    /// The fewest items an array holds (`minItems`).
    MinItems,
    /// The most items an array holds (`maxItems`).
    MaxItems,
    /// One field wins over another when both are given (`x-precedence`).
    Precedence,
    /// A path parameter and a body key must agree.
    Binding,
    /// An unknown id answers as documented (404).
    Exists,
    /// An id of another project behaves like an unknown one.
    Isolation,
    /// A documented success status.
    Success,
    /// The request must carry credentials.
    Auth,
    /// The resource must be in one of the allowed states.
    Precondition,
}

impl Constraint {
    /// The constraint's name inside a rule id.
    pub fn name(&self) -> &'static str {
        match self {
            Constraint::Type => "type",
            Constraint::Required => "required",
            Constraint::MaxBytes => "maxBytes",
            Constraint::MaxLength => "maxLength",
            Constraint::MinLength => "minLength",
            Constraint::Pattern => "pattern",
            Constraint::Enum => "enum",
            Constraint::Minimum => "minimum",
            Constraint::Maximum => "maximum",
            Constraint::MinItems => "minItems",
            Constraint::MaxItems => "maxItems",
            Constraint::Precedence => "precedence",
            Constraint::Binding => "binding",
            Constraint::Exists => "exists",
            Constraint::Isolation => "isolation",
            Constraint::Success => "status",
            Constraint::Auth => "auth",
            Constraint::Precondition => "precondition",
        }
    }
}

/// One documented rule of one operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// `rule:<operation>:<pointer-or-field>:<constraint>`.
    pub id: String,
    /// The operation id.
    pub operation: String,
    /// A JSON pointer into the request body (`/meta/*` for map values, `/meta/{key}` for map
    /// keys), `path/<param>`, `query/<param>`, `status/<code>`, `body` or `auth`.
    pub target: String,
    /// What is constrained.
    pub constraint: Constraint,
    /// The documented value (limit, pattern, values, status), for people.
    pub detail: String,
    /// Where the documentation states it: `page:line`, or the page alone.
    pub source: String,
    /// Why no case can test it, when that is known up front.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untestable: Option<String>,
}

/// Builds a rule id.
pub fn rule_id(operation: &str, target: &str, constraint: &Constraint) -> String {
    format!("{TAG_PREFIX}{operation}:{target}:{}", constraint.name())
}

/// Where a field of a request body sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteKind {
    /// A named property of an object.
    Property,
    /// Any value of a free-form map (`additionalProperties`).
    MapValue,
    /// Any key of a free-form map (`propertyNames`).
    MapKey,
}

/// One place in the request body schema that carries constraints.
#[derive(Debug, Clone)]
pub struct Site<'a> {
    /// The rule pointer: `/snapshot/name`, `/meta/*` (values), `/meta/{key}` (keys).
    pub pointer: String,
    /// Property names from the root to the parent object (map levels as `*`).
    pub parents: Vec<String>,
    /// The property name (for [`SiteKind::Property`]).
    pub name: String,
    /// What kind of place it is.
    pub kind: SiteKind,
    /// Its schema.
    pub schema: &'a Value,
    /// Whether the parent object requires it.
    pub required: bool,
}

/// Every constrained place of a request schema outside lists, depth first in property order
/// (sorted keys, so the order follows the contract and not a hash).
pub fn sites(schema: &Value) -> Vec<Site<'_>> {
    let mut out = Vec::new();
    walk(schema, "", &mut Vec::new(), &mut out, false);
    out
}

/// [`sites`], and the fields of the objects a list holds (`/tags/*/key`, parents `tags`, `*`):
/// the rules a request states of each item, which a case exercises in the list's first item.
pub fn every_site(schema: &Value) -> Vec<Site<'_>> {
    let mut out = Vec::new();
    walk(schema, "", &mut Vec::new(), &mut out, true);
    out
}

fn walk<'a>(
    schema: &'a Value,
    pointer: &str,
    parents: &mut Vec<String>,
    out: &mut Vec<Site<'a>>,
    items: bool,
) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    let required: Vec<&str> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            let p = crate::pointer::child(pointer, name);
            out.push(Site {
                pointer: p.clone(),
                parents: parents.clone(),
                name: name.clone(),
                kind: SiteKind::Property,
                schema: sub,
                required: required.contains(&name.as_str()),
            });
            parents.push(name.clone());
            walk(sub, &p, parents, out, items);
            parents.pop();
        }
    }
    if let Some(keys) = obj.get("propertyNames").filter(|v| v.is_object()) {
        out.push(Site {
            pointer: format!("{pointer}/{{key}}"),
            parents: parents.clone(),
            name: String::new(),
            kind: SiteKind::MapKey,
            schema: keys,
            required: false,
        });
    }
    if let Some(values) = obj.get("additionalProperties").filter(|v| v.is_object()) {
        let p = format!("{pointer}/*");
        out.push(Site {
            pointer: p.clone(),
            parents: parents.clone(),
            name: String::new(),
            kind: SiteKind::MapValue,
            schema: values,
            required: false,
        });
        parents.push("*".into());
        walk(values, &p, parents, out, items);
        parents.pop();
    }
    if let Some(item) = obj
        .get("items")
        .filter(|i| items && i.get("properties").is_some())
    {
        let p = format!("{pointer}/*");
        parents.push("*".into());
        walk(item, &p, parents, out, items);
        parents.pop();
    }
}

/// The documented source of a schema node: its `x-source` (`page:line`), else the operation's
/// first page.
pub fn source_of(op: &Operation, schema: Option<&Value>) -> String {
    schema
        .and_then(|s| s.get("x-source"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            op.sources
                .first()
                .map(|s| s.file.clone())
                .unwrap_or_else(|| "(no page)".into())
        })
}

/// The JSON type a schema declares (the first non-null one of a list).
pub fn declared_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// The constraints a schema node carries, with their documented value.
pub fn constraints_of(schema: &Value) -> Vec<(Constraint, String)> {
    let Some(o) = schema.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let num = |k: &str| o.get(k).map(Value::to_string);
    if let Some(t) = declared_type(schema) {
        out.push((Constraint::Type, t.to_string()));
    }
    if let Some(v) = num("x-maxBytes") {
        out.push((Constraint::MaxBytes, format!("at most {v} bytes")));
    }
    if let Some(v) = num("maxLength") {
        out.push((Constraint::MaxLength, format!("at most {v} characters")));
    }
    if let Some(v) = num("minLength").filter(|v| v != "0") {
        out.push((Constraint::MinLength, format!("at least {v} characters")));
    }
    if let Some(Value::String(p)) = o.get("pattern") {
        out.push((Constraint::Pattern, p.clone()));
    }
    if let Some(Value::Array(values)) = o.get("enum") {
        let list: Vec<String> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect();
        out.push((Constraint::Enum, list.join(", ")));
    }
    if let Some(v) = num("minimum") {
        out.push((Constraint::Minimum, format!("at least {v}")));
    }
    if let Some(v) = num("maximum") {
        out.push((Constraint::Maximum, format!("at most {v}")));
    }
    if let Some(v) = num("minItems").filter(|v| v != "0") {
        out.push((Constraint::MinItems, format!("at least {v} items")));
    }
    if let Some(v) = num("maxItems") {
        out.push((Constraint::MaxItems, format!("at most {v} items")));
    }
    if let Some(Value::String(w)) = o.get("x-precedence") {
        out.push((
            Constraint::Precedence,
            format!("'{w}' wins when both are given"),
        ));
    }
    out
}

/// A path parameter that names a resource (an id other than the project's): `*_id`, and the
/// other spellings of an identifier Huawei Cloud APIs use (`topic_urn`, `*_uuid`).
pub fn is_resource_param(name: &str) -> bool {
    name != "project_id"
        && (name == "id" || ["_id", "_urn", "_uuid"].iter().any(|s| name.ends_with(s)))
}

/// Whether a parameter is named as an id in camel case (`instanceId`, `nodeId`, as RDS's v1
/// paths name them); not the project's.
pub fn is_camel_id(name: &str) -> bool {
    name != "projectId"
        && name
            .strip_suffix("Id")
            .and_then(|stem| stem.chars().last())
            .is_some_and(|c| c.is_ascii_lowercase())
}

/// The path parameter naming the resource an operation acts on (the last id in the path).
pub fn resource_param(op: &Operation) -> Option<&str> {
    op.path_params
        .iter()
        .rev()
        .find(|p| is_resource_param(p))
        .map(String::as_str)
}

/// The path parameter bound to the keys of a body map: a non-id parameter, when the body has
/// exactly one free-form map (the "update one metadata item" shape).
pub fn bound_param<'a>(
    op: &'a Operation,
    request: Option<&Value>,
) -> Option<(&'a str, Vec<String>)> {
    let param = op
        .path_params
        .iter()
        .find(|p| *p != "project_id" && !is_resource_param(p))?;
    let request = request?;
    let maps: Vec<Site<'_>> = sites(request)
        .into_iter()
        .filter(|s| s.kind == SiteKind::MapValue)
        .collect();
    match maps.as_slice() {
        [one] => Some((param.as_str(), one.parents.clone())),
        _ => None,
    }
}

/// Every documented rule of an operation, in a stable order.
pub fn rules(contract: &Contract, op: &Operation) -> Vec<Rule> {
    let mut out = Vec::new();
    let page = source_of(op, None);
    let mut push = |target: &str, constraint: Constraint, detail: String, source: String| {
        out.push(Rule {
            id: rule_id(&op.id, target, &constraint),
            operation: op.id.clone(),
            target: target.to_string(),
            constraint,
            detail,
            source,
            untestable: None,
        });
    };
    for s in &op.success {
        push(
            &format!("status/{s}"),
            Constraint::Success,
            format!("success answers {s}"),
            page.clone(),
        );
    }
    let request = contract.schema(&op.id, SchemaKind::Request);
    let bodies = request.map(request_bodies).unwrap_or_default();
    if request.is_some() {
        push(
            "body",
            Constraint::Type,
            "the body is a JSON object".into(),
            page.clone(),
        );
    }
    for body in &bodies {
        for site in every_site(body) {
            let source = source_of(op, Some(site.schema));
            if site.required {
                push(
                    &site.pointer,
                    Constraint::Required,
                    "required".into(),
                    source.clone(),
                );
            }
            for (c, detail) in constraints_of(site.schema) {
                push(&site.pointer, c, detail, source.clone());
            }
        }
    }
    for q in &op.query_params {
        let target = format!("query/{}", q.name);
        let source = source_of(op, Some(&q.schema));
        if q.required {
            push(
                &target,
                Constraint::Required,
                "required".into(),
                source.clone(),
            );
        }
        // Every query value arrives as text: a string's type is no rule a request can break.
        let typed = matches!(
            declared_type(&q.schema),
            Some("integer" | "number" | "boolean")
        );
        for (c, detail) in constraints_of(&q.schema) {
            if c != Constraint::Type || typed {
                push(&target, c, detail, source.clone());
            }
        }
    }
    if let Some((param, _)) = bodies.iter().find_map(|b| bound_param(op, Some(b))) {
        push(
            &format!("path/{param}"),
            Constraint::Binding,
            format!("the body key equals the path's {{{param}}}"),
            page.clone(),
        );
    }
    for p in op.path_params.iter().filter(|p| is_resource_param(p)) {
        push(
            &format!("path/{p}"),
            Constraint::Exists,
            "an unknown id is not found".into(),
            page.clone(),
        );
        push(
            &format!("path/{p}"),
            Constraint::Isolation,
            "another project's id behaves like an unknown one".into(),
            page.clone(),
        );
    }
    for p in &op.preconditions {
        let mut detail = format!("allowed: {}", p.allowed.join(", "));
        if !p.refused.is_empty() {
            detail.push_str(&format!("; refused: {}", p.refused.join(", ")));
        }
        push(&p.field, Constraint::Precondition, detail, p.source.clone());
    }
    let auth_documented = contract
        .error_codes
        .get(&op.service)
        .is_some_and(|m| m.contains_key(&401));
    if auth_documented {
        push(
            "auth",
            Constraint::Auth,
            "a request without a token is refused (401)".into(),
            page,
        );
    }
    // Alternatives of a `oneOf` may document the same field: its rule is listed once.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|r| seen.insert(r.id.clone()));
    out
}

/// The bodies a request schema documents: each alternative of a top-level `oneOf` (or `anyOf`),
/// else itself.
pub fn request_bodies(request: &Value) -> Vec<&Value> {
    match request
        .get("oneOf")
        .or_else(|| request.get("anyOf"))
        .and_then(Value::as_array)
    {
        Some(alternatives) if !alternatives.is_empty() => alternatives.iter().collect(),
        _ => vec![request],
    }
}

/// The rules of every operation (or the selected ones), in contract order.
pub fn all_rules(contract: &Contract, operations: &[String]) -> Vec<Rule> {
    contract
        .operations
        .iter()
        .filter(|o| operations.is_empty() || operations.contains(&o.id))
        .flat_map(|o| rules(contract, o))
        .collect()
}

/// For a read of one entry of a keyed list (`GET …/servers/{server_id}/ips/{networkName}`): the
/// read of the whole list (`GET …/ips`) and the parents of the free-form map its answer keys
/// by that parameter (`["addresses"]`). An id parameter names a resource, not a map key.
pub fn keyed_list<'c>(
    contract: &'c Contract,
    op: &Operation,
) -> Option<(&'c Operation, String, Vec<String>)> {
    let (collection, last) = op.path.rsplit_once('/')?;
    let param = crate::contract::template::sole_param(last)?;
    if param == "project_id" || is_resource_param(param) {
        return None;
    }
    let template = crate::contract::derive::resources::normalise(collection);
    let list = contract.operations.iter().find(|o| {
        o.method == "GET" && crate::contract::derive::resources::normalise(&o.path) == template
    })?;
    let answer = list
        .success
        .iter()
        .find_map(|s| contract.schema(&list.id, SchemaKind::Response(*s)))?;
    let map = sites(answer)
        .into_iter()
        .find(|s| s.kind == SiteKind::MapValue && !s.parents.iter().any(|p| p == "*"))?;
    Some((list, param.to_string(), map.parents))
}

/// For a write of a setting (`PUT …/instances/{instance_id}/backups/policy`): the GET at the
/// same path, which reads back what the write sent. A setting's path ends in a literal segment
/// and no kind of the resource table is made there. A PUT writes it where nothing is POSTed
/// there too (metadata, which a POST adds to). A POST writes it where no PUT does, no path runs
/// below it and the GET answers at its top level most of the fields the POST sends, at least
/// two (CSS's `…/index_snapshot/policy`): a POST to a collection (SMN's subscriptions) sends
/// what the GET lists inside an array.
pub fn setting_read<'c>(contract: &'c Contract, write: &Operation) -> Option<&'c Operation> {
    use crate::contract::derive::resources::normalise;
    let last = write.path.rsplit('/').find(|s| !s.is_empty())?;
    if !matches!(write.method.as_str(), "PUT" | "POST") || last.contains('{') {
        return None;
    }
    let at = normalise(&write.path);
    let mut here = contract
        .operations
        .iter()
        .filter(|o| normalise(&o.path) == at);
    let collection = contract
        .resources
        .kinds
        .iter()
        .filter_map(|k| k.collection_template())
        .any(|c| normalise(&c) == at);
    let other = if write.method == "PUT" { "POST" } else { "PUT" };
    if collection || here.clone().any(|o| o.method == other) {
        return None;
    }
    let read = here.find(|o| o.method == "GET")?;
    if write.method == "POST" {
        let below = format!("{at}/");
        if contract
            .operations
            .iter()
            .any(|o| normalise(&o.path).starts_with(&below))
        {
            return None;
        }
        let fields = |schema: Option<&Value>| -> Vec<String> {
            schema
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        let sent = fields(contract.schema(&write.id, SchemaKind::Request));
        let answer = read
            .success
            .iter()
            .find_map(|s| contract.schema(&read.id, SchemaKind::Response(*s)));
        let shown = fields(answer);
        let shared = sent.iter().filter(|f| shown.contains(f)).count();
        if shared < 2 || shared * 2 <= sent.len() {
            return None;
        }
    }
    Some(read)
}

/// Whether a PUT one named segment below a resource's item sets fields of that resource (CES's
/// `PUT …/alarms/{alarm_id}/action` with `{"alarm_enabled": false}`, which the alarm's read
/// shows): no setting ([`setting_read`]), and each field its request names is one the read of a
/// kind of the resource table at that item documents.
pub fn field_switch(contract: &Contract, put: &Operation) -> bool {
    use crate::contract::derive::resources::normalise;
    if put.method != "PUT" || setting_read(contract, put).is_some() {
        return false;
    }
    let at = normalise(&put.path);
    let Some((item, last)) = at.rsplit_once('/') else {
        return false;
    };
    let fields = contract
        .schema(&put.id, SchemaKind::Request)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let Some(fields) = fields.filter(|f| !f.is_empty() && !last.contains('{')) else {
        return false;
    };
    contract.resources.kinds.iter().any(|k| {
        let read = normalise(&k.read.path);
        let at_item = read == item
            || k.collection_template()
                .is_some_and(|c| format!("{}/{{}}", normalise(&c)) == item);
        if !at_item {
            return false;
        }
        let answer = contract
            .operations
            .iter()
            .find(|o| o.method == "GET" && normalise(&o.path) == read)
            .and_then(|r| {
                r.success
                    .iter()
                    .find_map(|s| contract.schema(&r.id, SchemaKind::Response(*s)))
            });
        answer.is_some_and(|a| fields.keys().all(|f| documents(a, f, 4)))
    })
}

/// Whether a schema documents a property named `field`, at most `depth` objects or arrays down.
fn documents(schema: &Value, field: &str, depth: usize) -> bool {
    let props = schema.get("properties").and_then(Value::as_object);
    if props.is_some_and(|p| p.contains_key(field)) {
        return true;
    }
    depth > 0
        && props
            .into_iter()
            .flat_map(|p| p.values())
            .chain(schema.get("items"))
            .any(|s| documents(s, field, depth - 1))
}

/// The object at `parents` in `v` (a `*` segment is the first value of a map), if any.
pub fn object_at<'v>(v: &'v Value, parents: &[String]) -> Option<&'v Map<String, Value>> {
    let mut cur = v;
    for p in parents {
        cur = match cur {
            Value::Array(a) if p == "*" => a.first()?,
            Value::Object(o) if p == "*" => o.values().next()?,
            Value::Object(o) => o.get(p)?,
            _ => return None,
        };
    }
    cur.as_object()
}

/// The object at a path of property names inside a value (a `*` level takes a map's only entry,
/// or a list's first item).
pub fn object_at_mut<'v>(
    v: &'v mut Value,
    parents: &[String],
) -> Option<&'v mut Map<String, Value>> {
    let mut cur = v;
    for p in parents {
        cur = match (cur, p == "*") {
            (Value::Array(a), true) => a.first_mut()?,
            (Value::Object(o), true) => o.values_mut().next()?,
            (Value::Object(o), false) => o.get_mut(p)?,
            _ => return None,
        };
    }
    cur.as_object_mut()
}

#[cfg(test)]
mod site_tests {
    use super::{every_site, object_at, sites};
    use serde_json::json;

    /// The fields of a list's objects are sites of their own (`/tags/*/key`) only where asked
    /// for, and a `*` level of a body is a map's entry or a list's first item.
    #[test]
    fn a_lists_item_fields_are_sites_in_its_first_item() {
        let schema = json!({"type": "object", "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "object", "required": ["key"],
                "properties": {"key": {"type": "string", "maxLength": 36}}}},
            "names": {"type": "array", "items": {"type": "string", "maxLength": 8}}}});
        let pointers =
            |s: Vec<super::Site<'_>>| -> Vec<String> { s.into_iter().map(|s| s.pointer).collect() };
        assert_eq!(pointers(sites(&schema)), ["/name", "/names", "/tags"]);
        let all = every_site(&schema);
        let key = all
            .iter()
            .find(|s| s.pointer == "/tags/*/key")
            .expect("an item site");
        assert_eq!(key.parents, ["tags", "*"]);
        assert!(key.required);
        assert_eq!(all.len(), 4, "a list of strings has no item fields");
        let body = json!({"tags": [{"key": "a"}, {"key": "b"}], "meta": {"k": {"x": 1}}});
        assert_eq!(object_at(&body, &key.parents), body["tags"][0].as_object());
        let meta = ["meta".to_string(), "*".to_string()];
        assert_eq!(object_at(&body, &meta), body["meta"]["k"].as_object());
    }
}

#[cfg(test)]
mod resource_param_tests {
    use super::is_resource_param;

    /// Ids are named `*_id`, and `*_urn` or `*_uuid` by some services (SMN's `topic_urn`); the
    /// project is not a resource of the service, nor is a plain name.
    #[test]
    fn ids_urns_and_uuids_name_resources() {
        for name in ["id", "vpc_id", "topic_urn", "member_uuid"] {
            assert!(is_resource_param(name), "{name}");
        }
        for name in ["project_id", "key", "urn", "name", "idle"] {
            assert!(!is_resource_param(name), "{name}");
        }
    }
}

#[cfg(test)]
mod setting_tests {
    use super::setting_read;
    use crate::contract::{Contract, Operation};
    use serde_json::Value;

    fn contract(ops: &[(&str, &str)]) -> Contract {
        let ops = ops
            .iter()
            .enumerate()
            .map(|(i, (method, path))| Operation::new(&format!("s.op{i}.v1"), "s", method, path))
            .collect();
        let dir = std::path::Path::new(".");
        Contract::from_parts(ops, Default::default(), Default::default(), dir).expect("builds")
    }

    /// A PUT at a literal path a GET reads is a setting, read back by that GET whatever its
    /// parameters are named; a path a POST adds to, one ending at a parameter, or one with no
    /// GET is none.
    #[test]
    fn a_setting_is_a_literal_path_a_put_writes_and_a_get_reads() {
        let policy = "/v3/{project_id}/instances/{instance_id}/backups/policy";
        let c = contract(&[
            ("PUT", policy),
            ("GET", "/v3/{project_id}/instances/{id}/backups/policy"),
        ]);
        let read = setting_read(&c, &c.operations[0]).map(|o| o.id.as_str());
        assert_eq!(read, Some("s.op1.v1"));
        assert!(
            setting_read(&c, &c.operations[1]).is_none(),
            "a GET writes nothing"
        );
        let metadata = "/v2/{project_id}/volumes/{volume_id}/metadata";
        let c = contract(&[("PUT", metadata), ("GET", metadata), ("POST", metadata)]);
        assert!(setting_read(&c, &c.operations[0]).is_none(), "POSTed to");
        let item = "/v2/{project_id}/volumes/{volume_id}";
        let c = contract(&[("PUT", item), ("GET", item)]);
        assert!(setting_read(&c, &c.operations[0]).is_none(), "an item");
        let c = contract(&[("PUT", policy)]);
        assert!(
            setting_read(&c, &c.operations[0]).is_none(),
            "nothing reads it"
        );
    }

    /// A POST writes a setting where the GET answers most of its fields at the top level
    /// (CSS's snapshot policy); a POST to a collection, whose GET lists what was sent inside an
    /// array (SMN's subscriptions), or one with a path below it, writes none.
    #[test]
    fn a_post_writes_a_setting_only_where_the_get_answers_its_fields() {
        use crate::contract::SchemaKind;
        use serde_json::json;
        let with = |paths: &[(&str, &str)], sent: Value, shown: Value| {
            let mut ops: Vec<Operation> = paths
                .iter()
                .enumerate()
                .map(|(i, (m, p))| Operation::new(&format!("s.op{i}.v1"), "s", m, p))
                .collect();
            ops[1].success = vec![200];
            let schemas = [
                (("s.op0.v1".to_string(), SchemaKind::Request), sent),
                (("s.op1.v1".to_string(), SchemaKind::Response(200)), shown),
            ]
            .into_iter()
            .collect();
            let dir = std::path::Path::new(".");
            Contract::from_parts(ops, schemas, Default::default(), dir).expect("builds")
        };
        let props = |names: &[&str]| {
            let p: serde_json::Map<String, Value> = names
                .iter()
                .map(|n| (n.to_string(), json!({"type": "string"})))
                .collect();
            json!({"type": "object", "properties": p})
        };
        let policy = "/v1/{project_id}/clusters/{cluster_id}/snapshot/policy";
        let sent = props(&["prefix", "period", "keepday", "enable", "deleteAuto"]);
        let shown = props(&["prefix", "period", "keepday", "enable", "bucket"]);
        let c = with(&[("POST", policy), ("GET", policy)], sent.clone(), shown);
        assert!(setting_read(&c, &c.operations[0]).is_some(), "CSS's policy");
        let subs = "/v2/{project_id}/topics/{topic_urn}/subscriptions";
        let listed = props(&["request_id", "subscriptions", "subscription_count"]);
        let c = with(
            &[("POST", subs), ("GET", subs)],
            props(&["protocol", "endpoint"]),
            listed,
        );
        assert!(setting_read(&c, &c.operations[0]).is_none(), "a collection");
        let below = format!("{policy}/{{rule_id}}");
        let c = with(
            &[("POST", policy), ("GET", policy), ("DELETE", &below)],
            sent.clone(),
            sent,
        );
        assert!(setting_read(&c, &c.operations[0]).is_none(), "a path below");
    }
}
