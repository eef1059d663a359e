//! Joining pages into operations and merging the languages of one operation.
//!
//! Pages that state a method and path are grouped by them. A page without a URI (the English
//! plain-text pages) is joined to the operation whose documented structure it matches best: the
//! method its title's verb implies, then the overlap of request and response field paths. The
//! manifest may override a join. Pages of one operation merge field by field; disagreements are
//! reported as conflicts (and defects) and the first page's value is kept. Pages in one language
//! that document different bodies for one endpoint become the alternatives of a `oneOf`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::defects::{Defect, DefectKind};
use super::manifest::Manifest;
use super::{naming, DeriveError, Derived, Example, PageContract, Skipped, DIALECT};
use crate::contract::{keywords, Alternative, Operation, SchemaKind, Source};

/// The method a title's leading verb implies, in either language.
pub fn method_from_title(title: &str) -> Option<&'static str> {
    let zh = [
        ("更新", "PUT"),
        ("修改", "PUT"),
        ("设置", "PUT"),
        ("查询", "GET"),
        ("获取", "GET"),
        ("创建", "POST"),
        ("添加", "POST"),
        ("新增", "POST"),
        ("删除", "DELETE"),
    ];
    if let Some((_, m)) = zh.iter().find(|(w, _)| title.trim().starts_with(w)) {
        return Some(m);
    }
    let first = title.split_whitespace().next()?.to_lowercase();
    Some(match first.as_str() {
        "updating" | "update" | "modifying" | "modify" | "setting" | "set" => "PUT",
        "querying" | "query" | "listing" | "list" | "obtaining" | "obtain" | "getting" | "get"
        | "showing" | "show" => "GET",
        "creating" | "create" | "adding" | "add" => "POST",
        "deleting" | "delete" => "DELETE",
        _ => return None,
    })
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

struct Group {
    id: String,
    method: String,
    path: String,
    pages: Vec<PageContract>,
    joins: BTreeMap<String, String>,
}

/// Pages of one method and path that spell its parameters differently (`{projectId}` on one
/// page, `{project_id}` on its twin) document one endpoint: no router can tell the two apart.
/// Each such page takes the spelling most of them use (on a tie, the lower-case one, then the
/// first in order), its parameter list renamed to match, so they group as one operation.
fn unify_param_spellings(pages: &mut [PageContract], log: &mut Vec<String>) {
    let mut spellings: BTreeMap<(String, String, String), BTreeMap<String, usize>> =
        BTreeMap::new();
    for c in pages.iter() {
        if let Some((method, path)) = &c.endpoint {
            let shape = crate::contract::template::normalise(path);
            *spellings
                .entry((c.service.clone(), method.clone(), shape))
                .or_default()
                .entry(path.clone())
                .or_default() += 1;
        }
    }
    for c in pages.iter_mut() {
        let Some((method, path)) = c.endpoint.clone() else {
            continue;
        };
        let shape = crate::contract::template::normalise(&path);
        let Some(counts) = spellings.get(&(c.service.clone(), method.clone(), shape)) else {
            continue;
        };
        let Some(chosen) = counts
            .iter()
            .max_by(|(a, n), (b, m)| {
                n.cmp(m)
                    .then_with(|| {
                        let lower = |p: &str| !p.contains(|ch: char| ch.is_ascii_uppercase());
                        lower(a).cmp(&lower(b))
                    })
                    .then_with(|| b.cmp(a))
            })
            .map(|(p, _)| p.clone())
        else {
            continue;
        };
        if chosen == path {
            continue;
        }
        let renames: Vec<(String, String)> = crate::contract::template::params(&path)
            .into_iter()
            .zip(crate::contract::template::params(&chosen))
            .filter(|(from, to)| from != to)
            .collect();
        for p in &mut c.path_params {
            if let Some((_, to)) = renames.iter().find(|(from, _)| from == p) {
                p.clone_from(to);
            }
        }
        log.push(format!(
            "{}: {method} {path} is {chosen} spelled otherwise: joined",
            c.file
        ));
        c.endpoint = Some((method, chosen));
    }
}

/// Groups, joins, merges and self-checks the page contracts into `derived`.
pub fn assemble(
    contracts: Vec<PageContract>,
    manifest: &Manifest,
    derived: &mut Derived,
) -> Result<(), DeriveError> {
    let (mut located, unlocated): (Vec<_>, Vec<_>) =
        contracts.into_iter().partition(|c| c.endpoint.is_some());
    unify_param_spellings(&mut located, &mut derived.log);
    // Pages group by method and path; ids come after, so two paths never share one.
    let mut by_endpoint: BTreeMap<(String, String, String), Vec<PageContract>> = BTreeMap::new();
    for c in located {
        let (method, path) = c.endpoint.clone().unwrap_or_default();
        by_endpoint
            .entry((c.service.clone(), method, path))
            .or_default()
            .push(c);
    }
    let mut by_id: BTreeMap<String, Vec<(String, String, Vec<PageContract>)>> = BTreeMap::new();
    for ((service, method, path), pages) in by_endpoint {
        by_id
            .entry(naming::operation_id(&service, &method, &path))
            .or_default()
            .push((method, path, pages));
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (base, members) in by_id {
        let paths: Vec<&str> = members.iter().map(|(_, p, _)| p.as_str()).collect();
        let ids = if members.len() == 1 {
            vec![base.clone()]
        } else {
            naming::disambiguate(&base, &paths)
        };
        for (id, (method, path, pages)) in ids.into_iter().zip(members) {
            if id != base {
                derived.log.push(format!(
                    "{id}: {method} {path} shares the id {base} with another path: renamed"
                ));
            }
            groups.insert(
                id.clone(),
                Group {
                    id,
                    method,
                    path,
                    pages,
                    joins: BTreeMap::new(),
                },
            );
        }
    }
    for c in unlocated {
        let (id, how) = match join(&c, &groups, manifest) {
            Ok(found) => found,
            // A join the manifest asks for and cannot make is bad input; a page the structure
            // cannot place is a page without an operation, reported and skipped.
            Err(e) if manifest.joins.contains_key(&c.file) => return Err(e),
            Err(e) => {
                let reason = match e {
                    DeriveError::Join { message, .. } => message,
                    other => other.to_string(),
                };
                // A URI section whose text is not "METHOD /path" is the likelier cause.
                let (line, reason) = match c.uri_line {
                    Some(line) => (
                        line,
                        format!(
                            "the URI section names no method and path (expected a line like 'GET /v1/{{project_id}}/items'), and {reason}"
                        ),
                    ),
                    None => (1, reason),
                };
                derived.skipped.push(Skipped {
                    page: c.path.clone(),
                    line,
                    reason,
                });
                continue;
            }
        };
        derived
            .log
            .push(format!("joined {} ({}) to {id}: {how}", c.file, c.lang));
        if let Some(g) = groups.get_mut(&id) {
            g.joins.insert(c.file.clone(), how);
            g.pages.push(c);
        }
    }
    // Envelopes documented per service, for operations whose pages document none.
    let mut service_envelopes: BTreeMap<String, (String, Value)> = BTreeMap::new();
    for g in groups.values() {
        if let Some((p, e)) = g
            .pages
            .iter()
            .find_map(|p| p.error.as_ref().map(|e| (p, e)))
        {
            service_envelopes
                .entry(p.service.clone())
                .or_insert((g.id.clone(), e.clone()));
        }
    }
    // Never another service's: services shape their errors differently (one says `code` is an
    // integer, another a string), and a borrowed envelope would fail every answer of a service
    // whose pages state none.
    for g in groups.into_values() {
        let op = merge_group(g, &service_envelopes, derived)?;
        derived.operations.push(op);
    }
    derived.operations.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(())
}

fn join(
    c: &PageContract,
    groups: &BTreeMap<String, Group>,
    manifest: &Manifest,
) -> Result<(String, String), DeriveError> {
    if let Some(id) = manifest.joins.get(&c.file) {
        return if groups.contains_key(id) {
            Ok((id.clone(), "manifest join".to_string()))
        } else {
            Err(DeriveError::Join {
                file: c.path.clone(),
                line: 1,
                message: format!("the manifest joins it to '{id}', which no page defines"),
            })
        };
    }
    let method = method_from_title(&c.title);
    let mut scored: Vec<(f64, f64, f64, &Group)> = groups
        .values()
        .filter(|g| g.pages.iter().any(|p| p.service == c.service))
        .filter(|g| method.is_none_or(|m| g.method == m))
        .map(|g| {
            let best = |f: &dyn Fn(&PageContract) -> f64| g.pages.iter().map(f).fold(0.0, f64::max);
            let req = best(&|p| jaccard(&p.shape.0, &c.shape.0));
            let resp = best(&|p| jaccard(&p.shape.1, &c.shape.1));
            (req + resp, req, resp, g)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.3.id.cmp(&b.3.id)));
    let Some(&(score, req, resp, best)) = scored.first() else {
        return Err(DeriveError::Join {
            file: c.path.clone(),
            line: 1,
            message: format!(
                "the page states no URI and no {} operation of service '{}' exists to join it to",
                method.unwrap_or("matching"),
                c.service
            ),
        });
    };
    if score < 0.5 {
        return Err(DeriveError::Join {
            file: c.path.clone(),
            line: 1,
            message: format!(
                "the page states no URI and matches no operation's fields (best: {} at {score:.2})",
                best.id
            ),
        });
    }
    if let Some(second) = scored.get(1) {
        if (second.0 - score).abs() < 1e-9 {
            return Err(DeriveError::Join {
                file: c.path.clone(),
                line: 1,
                message: format!("the page states no URI and matches {} and {} equally: add a join to the manifest", best.id, second.3.id),
            });
        }
    }
    let runner_up = scored
        .get(1)
        .map(|s| format!("; next {} at {:.2}", s.3.id, s.0))
        .unwrap_or_default();
    let how = format!(
        "structure match: method {} from the title, request fields {:.2}, response fields {:.2}, score {:.2}{runner_up}",
        method.unwrap_or("any"),
        req,
        resp,
        score
    );
    Ok((best.id.clone(), how))
}

/// One schema conflict: two sides of one keyword at one place.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// JSON Pointer into the schema's instance (`/snapshot/name`).
    pub pointer: String,
    /// The keyword the sides disagree on.
    pub keyword: String,
    /// The first side (kept).
    pub kept: Value,
    /// The other side.
    pub other: Value,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.keyword == "required" {
            write!(
                f,
                " {}: required on one page, optional on the other",
                self.pointer
            )
        } else {
            write!(
                f,
                " {}: {} {} vs {}",
                self.pointer, self.keyword, self.kept, self.other
            )
        }
    }
}

/// Splits a group's pages into request alternatives: pages in one language that document
/// different request bodies for the same method and path are alternatives of one another;
/// pages of the other languages join the alternative whose fields they share most. Returns page
/// indexes per alternative (empty: one body).
fn alternatives_of(pages: &[PageContract]) -> Vec<Vec<usize>> {
    let with_body: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].request.is_some() && !pages[i].shape.0.is_empty())
        .collect();
    let Some(&lead) = with_body.first() else {
        return Vec::new();
    };
    let lang = &pages[lead].lang;
    let mut alts: Vec<(BTreeSet<String>, Vec<usize>)> = Vec::new();
    for &i in with_body.iter().filter(|&&i| &pages[i].lang == lang) {
        let shape = &pages[i].shape.0;
        match alts.iter_mut().find(|(s, _)| s == shape) {
            Some((_, members)) => members.push(i),
            None => alts.push((shape.clone(), vec![i])),
        }
    }
    if alts.len() < 2 {
        return Vec::new();
    }
    for &i in with_body.iter().filter(|&&i| &pages[i].lang != lang) {
        let shape = &pages[i].shape.0;
        let best = (0..alts.len()).max_by(|&a, &b| {
            jaccard(&alts[a].0, shape)
                .total_cmp(&jaccard(&alts[b].0, shape))
                .then(b.cmp(&a))
        });
        if let Some(best) = best {
            alts[best].1.push(i);
        }
    }
    alts.into_iter().map(|(_, m)| m).collect()
}

/// The field paths only one alternative documents, shallowest first: what tells it apart.
fn distinguishing(own: &BTreeSet<String>, others: &[&BTreeSet<String>]) -> Vec<String> {
    let unique: Vec<&String> = own
        .iter()
        .filter(|p| others.iter().all(|o| !o.contains(*p)))
        .collect();
    // Keep only the top of each unique subtree.
    unique
        .iter()
        .filter(|p| {
            !unique
                .iter()
                .any(|q| q != *p && p.starts_with(q.as_str()) && p[q.len()..].starts_with('/'))
        })
        .map(|p| p.to_string())
        .collect()
}

/// Makes the alternatives of a shared endpoint exclude each other: each one rejects a body
/// holding a field only another alternative documents (`not: {anyOf: [...]}`), so a body
/// documented for one alternative is valid under that one alone. Returns the pairs (indices)
/// still not told apart: neither requires a field the other lacks, and no field both require
/// carries disjoint values (a discriminator).
fn exclude_each_other(one_of: &mut [Value], shapes: &[&BTreeSet<String>]) -> Vec<(usize, usize)> {
    let originals = one_of.to_vec();
    for (n, alt) in one_of.iter_mut().enumerate() {
        let mut absent: Vec<Value> = Vec::new();
        for (m, other) in originals.iter().enumerate().filter(|(m, _)| *m != n) {
            for path in distinguishing(shapes[m], &[shapes[n]]) {
                if let Some(p) = presence(other, &tokens(&path)) {
                    if !absent.contains(&p) {
                        absent.push(p);
                    }
                }
            }
        }
        if let (Value::Object(o), false) = (alt, absent.is_empty()) {
            o.insert("not".into(), json!({ "anyOf": absent }));
        }
    }
    let apart = |a: usize, b: usize| {
        distinguishing(shapes[a], &[shapes[b]])
            .iter()
            .any(|p| required_along(&originals[a], &tokens(p)))
    };
    let mut overlapping = Vec::new();
    for a in 0..originals.len() {
        for b in a + 1..originals.len() {
            if !(apart(a, b) || apart(b, a) || discriminated(&originals[a], &originals[b])) {
                overlapping.push((a, b));
            }
        }
    }
    overlapping
}

fn tokens(path: &str) -> Vec<&str> {
    path.split('/').filter(|t| !t.is_empty()).collect()
}

/// A schema that holds exactly when the body has the field at `path` (read through `schema`,
/// the alternative documenting it): `required` at each level, `contains` through an array.
fn presence(schema: &Value, path: &[&str]) -> Option<Value> {
    if schema.get("type") == Some(&json!("array")) {
        let inner = presence(schema.get("items")?, path)?;
        return Some(json!({ "contains": inner }));
    }
    let (first, rest) = path.split_first()?;
    if rest.is_empty() {
        return Some(json!({ "required": [first] }));
    }
    let inner = presence(schema.get("properties")?.get(*first)?, rest)?;
    Some(json!({ "required": [first], "properties": { *first: inner } }))
}

/// Whether every segment of `path` is required, so every valid body holds the field (an array
/// on the way may be empty, so it proves nothing).
fn required_along(schema: &Value, path: &[&str]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return true;
    };
    if schema.get("type") == Some(&json!("array")) {
        return false;
    }
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|v| v == first));
    required
        && schema
            .get("properties")
            .and_then(|p| p.get(*first))
            .is_some_and(|sub| required_along(sub, rest))
}

/// Whether a top-level field both alternatives require takes values in one that the other
/// never allows (`enum` or `const`), which tells every pair of bodies apart.
fn discriminated(a: &Value, b: &Value) -> bool {
    let values = |s: &Value, name: &str| -> Option<Vec<Value>> {
        let required = s
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|v| v == name));
        let p = s.get("properties")?.get(name)?;
        let vals = match (p.get("const"), p.get("enum").and_then(Value::as_array)) {
            (Some(c), _) => vec![c.clone()],
            (None, Some(e)) => e.clone(),
            (None, None) => return None,
        };
        required.then_some(vals)
    };
    let Some(props) = a.get("properties").and_then(Value::as_object) else {
        return false;
    };
    props.keys().any(|name| {
        matches!(
            (values(a, name), values(b, name)),
            (Some(x), Some(y)) if x.iter().all(|v| !y.contains(v))
        )
    })
}

/// Marks every segment of a field path as required, so only bodies that hold it match.
fn require_path(schema: &mut Value, path: &str) {
    let mut cur = schema;
    for token in path.split('/').filter(|t| !t.is_empty()) {
        if cur.get("type") == Some(&json!("array")) {
            let Some(items) = cur.get_mut("items") else {
                return;
            };
            cur = items;
        }
        let Some(obj) = cur.as_object_mut() else {
            return;
        };
        let required = obj.entry("required").or_insert_with(|| json!([]));
        if let Value::Array(r) = required {
            if !r.iter().any(|v| v == token) {
                r.push(json!(token));
            }
        }
        let Some(next) = obj.get_mut("properties").and_then(|p| p.get_mut(token)) else {
            return;
        };
        cur = next;
    }
}

/// Merges the schemas pages give for one body; conflicts become defects on the later page.
fn merge_pages(
    pages: &[&PageContract],
    pick: &dyn Fn(&PageContract) -> Option<&Value>,
    body: &str,
    operation: &str,
    conflicts: &mut Vec<String>,
    defects: &mut Vec<Defect>,
) -> Option<Value> {
    let mut acc: Option<(Value, &PageContract)> = None;
    for p in pages {
        let Some(s) = pick(p) else { continue };
        acc = Some(match acc {
            None => (s.clone(), *p),
            Some((a, from)) => {
                let mut local = Vec::new();
                let merged = merge_schema(&a, s, "", &mut local);
                for c in local {
                    conflicts.push(format!("{body}{c} ({} vs {})", from.file, p.file));
                    defects.push(Defect {
                        kind: if from.lang == p.lang {
                            DefectKind::TableConflict
                        } else {
                            DefectKind::LanguageConflict
                        },
                        page: p.path.clone(),
                        line: if body == "request" {
                            p.request_line
                        } else {
                            p.response_line
                        },
                        operation: Some(operation.to_string()),
                        body: body.to_string(),
                        pointer: c.pointer.clone(),
                        documented: json!({ c.keyword.clone(): c.kept }),
                        found: json!({ c.keyword.clone(): c.other }),
                        other_page: Some(from.path.clone()),
                    });
                }
                (merged, from)
            }
        });
    }
    acc.map(|(v, _)| v)
}

/// Example fields the schema does not document (its `properties` name every key it knows).
fn unknown_fields(schema: &Value, instance: &Value, pointer: &str, out: &mut Vec<String>) {
    match instance {
        Value::Object(obj) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            for (k, v) in obj {
                let child = crate::pointer::child(pointer, k);
                match (props.and_then(|p| p.get(k)), additional) {
                    (Some(s), _) => unknown_fields(s, v, &child, out),
                    (None, Some(a)) if a.is_object() => unknown_fields(a, v, &child, out),
                    (None, Some(_)) => {}
                    (None, None) if props.is_some() => out.push(child),
                    (None, None) => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    unknown_fields(s, v, &format!("{pointer}/{i}"), out);
                }
            }
        }
        _ => {}
    }
}

/// The value at a JSON Pointer of a schema's instance: the schema part documenting it.
fn schema_at<'a>(schema: &'a Value, pointer: &str) -> &'a Value {
    let mut cur = schema;
    for token in pointer.split('/').skip(1) {
        let token = crate::pointer::unescape(token).into_owned();
        let next = cur
            .get("properties")
            .and_then(|p| p.get(&token))
            .or_else(|| cur.get("items"))
            .or_else(|| cur.get("additionalProperties").filter(|a| a.is_object()));
        match next {
            Some(n) => cur = n,
            None => break,
        }
    }
    cur
}

/// The table row a pointer into an example stands for: list indices are any item
/// (`/checks/3/id` → `/checks/*/id`).
fn row_of(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|t| {
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                t
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A response example that shares no field with the success answer and is a flat code and
/// message (AOS shows its error body, `{"code", "message", "extend"}`, as the create's only
/// response example): it illustrates the error table, not the answer.
fn illustrates_an_error(schema: &Value, example: &Value) -> bool {
    let Some(o) = example.as_object() else {
        return false;
    };
    let documented = schema.get("properties").and_then(Value::as_object);
    let shares = o
        .keys()
        .any(|k| documented.is_some_and(|d| d.contains_key(k)));
    let has = |names: &[&str]| names.iter().any(|n| o.contains_key(*n));
    !shares
        && has(&["code", "error_code", "errorCode"])
        && has(&[
            "message",
            "msg",
            "error_msg",
            "error_message",
            "errorMessage",
        ])
}

/// Checks every example of a page against its schema; each violation is a defect.
fn check_examples(
    schema: &Value,
    compiled: &Result<jsonschema::Validator, String>,
    page: &PageContract,
    examples: &[Example],
    body: &str,
    operation: &str,
    defects: &mut Vec<Defect>,
) {
    let validator = match compiled {
        Ok(v) => v,
        Err(message) => {
            defects.push(Defect {
                kind: DefectKind::TableConflict,
                page: page.path.clone(),
                line: 1,
                operation: Some(operation.to_string()),
                body: body.to_string(),
                pointer: String::new(),
                documented: schema.clone(),
                found: json!(format!("the derived schema does not compile: {message}")),
                other_page: None,
            });
            return;
        }
    };
    for ex in examples {
        let mut seen = BTreeSet::new();
        for err in validator.iter_errors(&ex.value) {
            let keyword = err.kind().keyword().to_string();
            let pointer = err.instance_path().as_str().to_string();
            let kind = DefectKind::of_keyword(&keyword);
            // A oneOf failure says which alternative was meant no better than its page does;
            // and a row every item of a list breaks is one defect, not one per item.
            if !seen.insert((row_of(&pointer), keyword.clone())) {
                continue;
            }
            let instance_at = ex.value.pointer(&pointer).cloned().unwrap_or(Value::Null);
            let (pointer, documented, found) = if kind == DefectKind::ExampleMissingRequired {
                (
                    pointer,
                    schema_at(schema, err.instance_path().as_str())
                        .get("required")
                        .cloned()
                        .unwrap_or(Value::Null),
                    json!(instance_at
                        .as_object()
                        .map(|o| o.keys().cloned().collect::<Vec<_>>())
                        .unwrap_or_default()),
                )
            } else {
                let at = schema_at(schema, &pointer);
                let documented = at.get(&keyword).cloned().unwrap_or_else(|| at.clone());
                (pointer, json!({ keyword: documented }), instance_at)
            };
            defects.push(Defect {
                kind,
                page: page.path.clone(),
                line: ex.line,
                operation: Some(operation.to_string()),
                body: body.to_string(),
                pointer,
                documented,
                found,
                other_page: None,
            });
        }
        let mut unknown = Vec::new();
        unknown_fields(schema, &ex.value, "", &mut unknown);
        let mut rows = BTreeSet::new();
        unknown.retain(|p| rows.insert(row_of(p)));
        for pointer in unknown {
            defects.push(Defect {
                kind: DefectKind::ExampleUnknownField,
                page: page.path.clone(),
                line: ex.line,
                operation: Some(operation.to_string()),
                body: body.to_string(),
                found: ex.value.pointer(&pointer).cloned().unwrap_or(Value::Null),
                pointer,
                documented: json!("no table documents this field"),
                other_page: None,
            });
        }
    }
}

fn merge_group(
    g: Group,
    service_envelopes: &BTreeMap<String, (String, Value)>,
    derived: &mut Derived,
) -> Result<Operation, DeriveError> {
    let mut conflicts = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let first = &g.pages[0];
    let all: Vec<&PageContract> = g.pages.iter().collect();
    let mut defects = Vec::new();

    // Shared endpoint: one alternative per body, each requiring its own top-level key.
    let groups_of_pages = alternatives_of(&g.pages);
    let mut alternatives = Vec::new();
    let mut alternative_of_page: BTreeMap<usize, Value> = BTreeMap::new();
    let request = if groups_of_pages.is_empty() {
        merge_pages(
            &all,
            &|p| p.request.as_ref(),
            "request",
            &g.id,
            &mut conflicts,
            &mut defects,
        )
    } else {
        let mut one_of = Vec::new();
        // The shape of each alternative in `one_of`, in its order.
        let mut kept: Vec<&BTreeSet<String>> = Vec::new();
        let mut names: BTreeSet<String> = BTreeSet::new();
        let shapes: Vec<BTreeSet<String>> = groups_of_pages
            .iter()
            .map(|members| {
                members
                    .iter()
                    .flat_map(|&i| g.pages[i].shape.0.iter().cloned())
                    .collect()
            })
            .collect();
        for (n, members) in groups_of_pages.iter().enumerate() {
            let pages: Vec<&PageContract> = members.iter().map(|&i| &g.pages[i]).collect();
            let Some(mut alt) = merge_pages(
                &pages,
                &|p| p.request.as_ref(),
                "request",
                &g.id,
                &mut conflicts,
                &mut defects,
            ) else {
                continue;
            };
            let others: Vec<&BTreeSet<String>> = shapes
                .iter()
                .enumerate()
                .filter(|(m, _)| *m != n)
                .map(|(_, s)| s)
                .collect();
            let marks = distinguishing(&shapes[n], &others);
            for path in &marks {
                require_path(&mut alt, path);
            }
            // Named by what tells it apart: its own top-level key (`os-extend`), else its own
            // deeper fields, else its page.
            let mut name = marks
                .iter()
                .map(|p| p.rsplit('/').next().unwrap_or(p))
                .collect::<Vec<_>>()
                .join("+");
            if name.is_empty() {
                name = pages[0]
                    .file
                    .rsplit_once('.')
                    .map_or(pages[0].file.clone(), |(stem, _)| stem.to_string());
            }
            if !names.insert(name.clone()) {
                name = format!("{name}.{}", one_of.len() + 1);
                names.insert(name.clone());
            }
            if let Value::Object(m) = &mut alt {
                m.remove("$schema");
                m.insert("title".into(), json!(name));
            }
            let mut standalone = alt.clone();
            standalone["$schema"] = json!(DIALECT);
            for &i in members {
                alternative_of_page.insert(i, standalone.clone());
            }
            let mut sources: Vec<String> = pages.iter().map(|p| p.file.clone()).collect();
            sources.sort();
            alternatives.push(Alternative {
                name,
                index: one_of.len(),
                sources,
            });
            one_of.push(alt);
            kept.push(&shapes[n]);
        }
        let overlapping = exclude_each_other(&mut one_of, &kept);
        notes.push(format!(
            "{} pages document {} {} with different bodies: the request is one of {}",
            g.pages.len(),
            g.method,
            g.path,
            alternatives
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        // Alternatives nothing tells apart would fail `oneOf` for a body both accept: then
        // the request is any of them.
        let keyword = if overlapping.is_empty() {
            "oneOf"
        } else {
            notes.push(format!(
                "no field tells {} apart: the request is any of them (anyOf)",
                overlapping
                    .iter()
                    .map(|&(a, b)| format!("{} and {}", alternatives[a].name, alternatives[b].name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            "anyOf"
        };
        Some(json!({"$schema": DIALECT, keyword: one_of}))
    };
    let response = merge_pages(
        &all,
        &|p| p.response.as_ref(),
        "response",
        &g.id,
        &mut conflicts,
        &mut defects,
    );
    let mut error = merge_pages(
        &all,
        &|p| p.error.as_ref(),
        "error",
        &g.id,
        &mut conflicts,
        &mut defects,
    );
    if error.is_none() {
        if let Some((from, e)) = service_envelopes.get(&first.service) {
            notes.push(format!(
                "no error envelope on the page: using the one documented for {from}"
            ));
            error = Some(e.clone());
        }
    }
    let mut success: Vec<u16> = g
        .pages
        .iter()
        .flat_map(|p| p.success.iter().copied())
        .collect();
    success.sort_unstable();
    success.dedup();
    let stated: BTreeSet<Vec<u16>> = g
        .pages
        .iter()
        .filter(|p| !p.success.is_empty())
        .map(|p| p.success.clone())
        .collect();
    if stated.len() > 1 && alternatives.is_empty() {
        conflicts.push(format!("success statuses differ between pages: {stated:?}"));
        let stating: Vec<&PageContract> =
            g.pages.iter().filter(|p| !p.success.is_empty()).collect();
        if let Some((first_stating, rest)) = stating.split_first() {
            for p in rest.iter().filter(|p| p.success != first_stating.success) {
                defects.push(Defect {
                    kind: if p.lang == first_stating.lang {
                        DefectKind::TableConflict
                    } else {
                        DefectKind::LanguageConflict
                    },
                    page: p.path.clone(),
                    line: p.status_line.unwrap_or(1),
                    operation: Some(g.id.clone()),
                    body: String::new(),
                    pointer: String::new(),
                    documented: json!({ "success": first_stating.success }),
                    found: json!({ "success": p.success }),
                    other_page: Some(first_stating.path.clone()),
                });
            }
        }
    }
    if success.is_empty() {
        notes.push("no page states a success status: assuming 200".into());
        success.push(200);
        // A status page the pages point to but the run did not read: say so where a reviewer
        // looks (defects.json, as a note), not only in the log.
        for p in &g.pages {
            for (file, line) in &p.missing_status_pages {
                defects.push(Defect {
                    kind: DefectKind::AssumedStatus,
                    page: p.path.clone(),
                    line: *line,
                    operation: Some(g.id.clone()),
                    body: String::new(),
                    pointer: String::new(),
                    documented: json!(format!("the status page {file}, not among the pages")),
                    found: json!({ "success": [200], "assumed": true }),
                    other_page: None,
                });
            }
        }
    }
    // A page without a URI cannot tell its path parameters from query parameters; once joined,
    // the operation's path says which are which.
    let path_params = naming::path_params(&g.path);
    // A parameter several pages document is merged as a body field is: a limit only one page
    // states is kept (the v2 page of NAT's gateway list states none of the ranges its other
    // page gives); disagreements are conflicts, the first page's value kept.
    let mut query: Vec<crate::contract::QueryParam> = Vec::new();
    for p in &g.pages {
        for q in p.query.iter().filter(|q| !path_params.contains(&q.name)) {
            match query.iter_mut().find(|x| x.name == q.name) {
                Some(x) => {
                    let mut local = Vec::new();
                    x.schema = merge_schema(&x.schema, &q.schema, &q.name, &mut local);
                    for c in local {
                        conflicts.push(format!("query parameter{c} ({})", p.file));
                    }
                }
                None => query.push(q.clone()),
            }
        }
    }
    for p in &g.pages {
        notes.extend(p.notes.iter().cloned());
    }
    // Self-check: every documented example against the merged contract (a shared endpoint's
    // page against its own alternative). Disagreements are defects; the tables stay the contract.
    // The response and error schemas are every page's: each compiled once (the response's read
    // again for the example kept).
    let response_validator = response.as_ref().map(keywords::compile);
    let error_validator = error.as_ref().map(keywords::compile);
    for (i, p) in g.pages.iter().enumerate() {
        let own = alternative_of_page.get(&i).or(request.as_ref());
        if let Some(schema) = own {
            check_examples(
                schema,
                &keywords::compile(schema),
                p,
                &p.request_examples,
                "request",
                &g.id,
                &mut defects,
            );
        }
        if let (Some(schema), Some(compiled)) = (&response, &response_validator) {
            let success: Vec<Example> = p
                .response_examples
                .iter()
                .filter(|e| !illustrates_an_error(schema, &e.value))
                .cloned()
                .collect();
            check_examples(
                schema,
                compiled,
                p,
                &success,
                "response",
                &g.id,
                &mut defects,
            );
        }
        if let (Some(schema), Some(compiled)) = (&error, &error_validator) {
            // An error schema is either the one-key envelope or a flat body; each documents
            // only the examples of its own style (a page may show both for different gateways).
            let envelope = schema.get("maxProperties") == Some(&json!(1));
            let same_style: Vec<Example> = p
                .error_examples
                .iter()
                .filter(|e| envelope != e.value.as_object().is_some_and(super::is_flat_error))
                .cloned()
                .collect();
            check_examples(
                schema,
                compiled,
                p,
                &same_style,
                "error",
                &g.id,
                &mut defects,
            );
        }
        for (body, x) in &p.table_disagreements {
            defects.push(Defect {
                kind: DefectKind::TableConflict,
                page: p.path.clone(),
                line: x.line,
                operation: Some(g.id.clone()),
                body: body.clone(),
                pointer: x.pointer.clone(),
                documented: json!({ "type": x.declared }),
                found: json!({ "linked table fields": x.children }),
                other_page: None,
            });
        }
        for (body, m) in &p.table_misreferences {
            defects.push(Defect {
                kind: DefectKind::TableReference,
                page: p.path.clone(),
                line: source_line(m.source.as_deref()).unwrap_or(p.request_line),
                operation: Some(g.id.clone()),
                body: body.clone(),
                pointer: m.pointer.clone(),
                documented: json!({ "table": m.followed }),
                found: json!({ "table": m.by_number }),
                other_page: None,
            });
        }
        status_defects(p, &g.id, &mut defects);
        unread_constraint_notes(p, &g.id, &mut defects);
        constraint_conflicts(p, &g.id, &mut defects);
        error_code_defects(p, &g.id, &derived.error_codes, &mut defects);
    }
    derived.defects.extend(defects);

    for c in &conflicts {
        derived.log.push(format!("conflict in {}: {c}", g.id));
    }
    for n in &notes {
        derived.log.push(format!("{}: {n}", g.id));
    }
    if let Some(r) = &request {
        derived
            .schemas
            .insert((g.id.clone(), SchemaKind::Request), r.clone());
    }
    if let Some(r) = &response {
        let first_valid = response_validator
            .as_ref()
            .and_then(|c| c.as_ref().ok())
            .and_then(|v| {
                g.pages
                    .iter()
                    .flat_map(|p| &p.response_examples)
                    .find(|ex| v.is_valid(&ex.value))
            });
        if let Some(ex) = first_valid {
            derived.examples.insert(g.id.clone(), ex.value.clone());
        }
        // 204 No Content (and 205, 304) carries no body, whatever the page's tables show.
        for s in success.iter().filter(|s| !matches!(s, 204 | 205 | 304)) {
            derived
                .schemas
                .insert((g.id.clone(), SchemaKind::Response(*s)), r.clone());
        }
    }
    if let Some(e) = &error {
        derived
            .schemas
            .insert((g.id.clone(), SchemaKind::Error), e.clone());
    }
    let mut sources: Vec<Source> = g
        .pages
        .iter()
        .map(|p| Source {
            file: p.file.clone(),
            lang: p.lang.clone(),
            joined_by: g.joins.get(&p.file).cloned(),
        })
        .collect();
    sources.sort_by(|a, b| a.file.cmp(&b.file));
    let title = g
        .pages
        .iter()
        .find(|p| p.endpoint.is_some())
        .unwrap_or(first)
        .title
        .clone();
    Ok(Operation {
        id: g.id.clone(),
        service: first.service.clone(),
        title,
        method: g.method.clone(),
        path: g.path.clone(),
        path_params: naming::path_params(&g.path),
        query_params: query,
        success,
        request_body: request.is_some(),
        response_body: response.is_some(),
        sources,
        preconditions: {
            // Each attribute once, as the first page states it.
            let mut all: Vec<crate::contract::Precondition> = Vec::new();
            for p in g.pages.iter().flat_map(|p| p.preconditions.iter()) {
                if !all.iter().any(|a| a.field == p.field) {
                    all.push(p.clone());
                }
            }
            all
        },
        alternatives,
        conflicts,
        notes,
        // Set by `derive` once every page of the service is read.
        project_header: false,
    })
}

/// Request rows whose constraint-like phrases yield no constraint: notes for a reviewer.
fn unread_constraint_notes(p: &PageContract, operation: &str, defects: &mut Vec<Defect>) {
    for (pointer, source, phrase) in &p.unread_constraints {
        // A row of a table on another page (a link followed) is that page's to report.
        let file = source
            .as_deref()
            .and_then(|s| s.rsplit_once(':'))
            .map(|(f, _)| f);
        if file.is_some_and(|f| f != p.file) {
            continue;
        }
        let line = source_line(source.as_deref()).unwrap_or(p.request_line);
        defects.push(Defect {
            kind: DefectKind::UnreadConstraint,
            page: p.path.clone(),
            line,
            operation: Some(operation.to_string()),
            body: "request".into(),
            pointer: pointer.clone(),
            documented: json!(phrase),
            found: json!("no constraint read"),
            other_page: None,
        });
    }
}

/// Request rows whose bounds contradict each other: the dedicated line followed, the prose
/// beside it left out.
fn constraint_conflicts(p: &PageContract, operation: &str, defects: &mut Vec<Defect>) {
    for (pointer, source, conflict) in &p.constraint_conflicts {
        // As with unread phrases, a linked page's row is that page's to report.
        let file = source
            .as_deref()
            .and_then(|s| s.rsplit_once(':'))
            .map(|(f, _)| f);
        if file.is_some_and(|f| f != p.file) {
            continue;
        }
        defects.push(Defect {
            kind: DefectKind::ConstraintConflict,
            page: p.path.clone(),
            line: source_line(source.as_deref()).unwrap_or(p.request_line),
            operation: Some(operation.to_string()),
            body: "request".into(),
            pointer: pointer.clone(),
            documented: json!(conflict.kept),
            found: json!(conflict.dropped),
            other_page: None,
        });
    }
}

/// The row's line, from its `page:line` source.
fn source_line(source: Option<&str>) -> Option<usize> {
    source
        .and_then(|s| s.rsplit_once(':'))
        .and_then(|(_, l)| l.parse().ok())
}

/// Status codes a page's examples use that its status section does not list.
fn status_defects(p: &PageContract, operation: &str, defects: &mut Vec<Defect>) {
    // A page without a status list of its own (it links to a shared page) cannot contradict it.
    if p.statuses_listed.is_empty() {
        return;
    }
    let mut reported = BTreeSet::new();
    for (status, line) in &p.statuses_used {
        if !p.statuses_listed.contains(status) && reported.insert(*status) {
            defects.push(Defect {
                kind: DefectKind::UndocumentedStatus,
                page: p.path.clone(),
                line: *line,
                operation: Some(operation.to_string()),
                body: String::new(),
                pointer: String::new(),
                documented: json!(p.statuses_listed),
                found: json!(status),
                other_page: None,
            });
        }
    }
}

/// Error codes a page's error examples use that the service's error-code page does not list.
fn error_code_defects(
    p: &PageContract,
    operation: &str,
    codes: &crate::contract::ErrorCodes,
    defects: &mut Vec<Defect>,
) {
    // Without an error-code page for the service there is nothing to contradict.
    let Some(by_status) = codes.get(&p.service) else {
        return;
    };
    for ex in &p.error_examples {
        let Some((key, inner)) = ex.value.as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        let Some(code) = inner.get("code").and_then(Value::as_str) else {
            continue;
        };
        // "XXX", "XXX.XXXX": a placeholder stands for any code, it uses none.
        if code
            .chars()
            .all(|c| matches!(c, 'X' | 'x' | '.' | '-' | '_'))
        {
            continue;
        }
        if !by_status.values().flatten().any(|c| c.code == code) {
            defects.push(Defect {
                kind: DefectKind::UndocumentedErrorCode,
                page: p.path.clone(),
                line: ex.line,
                operation: Some(operation.to_string()),
                body: "error".into(),
                pointer: format!("/{key}/code"),
                documented: json!(format!("the {} error-code page", p.service)),
                found: json!(code),
                other_page: None,
            });
        }
    }
}

fn type_set(v: Option<&Value>) -> BTreeSet<String> {
    match v {
        Some(Value::String(s)) => BTreeSet::from([s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// Merges schema `b` into `a`: properties are united, a keyword only one side states is taken,
/// differing keywords are conflicts (the first side wins), and a side that allows null wins.
pub fn merge_schema(a: &Value, b: &Value, pointer: &str, conflicts: &mut Vec<Conflict>) -> Value {
    let (Value::Object(am), Value::Object(bm)) = (a, b) else {
        return a.clone();
    };
    let mut out: Map<String, Value> = am.clone();
    for (key, bv) in bm {
        match (key.as_str(), out.get(key).cloned()) {
            (_, None) => {
                out.insert(key.clone(), bv.clone());
            }
            ("properties", Some(Value::Object(ap))) => {
                let mut merged = ap.clone();
                if let Value::Object(bp) = bv {
                    for (name, bs) in bp {
                        let child = format!("{pointer}/{name}");
                        let v = match ap.get(name) {
                            Some(as_) => merge_schema(as_, bs, &child, conflicts),
                            None => bs.clone(),
                        };
                        merged.insert(name.clone(), v);
                    }
                }
                out.insert(key.clone(), Value::Object(merged));
            }
            ("items" | "additionalProperties" | "propertyNames", Some(av)) => {
                out.insert(
                    key.clone(),
                    merge_schema(&av, bv, &format!("{pointer}/{key}"), conflicts),
                );
            }
            ("required", Some(av)) => {
                let mut all: BTreeSet<String> = type_set(Some(&av));
                all.extend(type_set(Some(bv)));
                let in_both = |name: &String| {
                    am.get("properties").and_then(|p| p.get(name)).is_some()
                        && bm.get("properties").and_then(|p| p.get(name)).is_some()
                };
                for name in all.iter().filter(|n| in_both(n)) {
                    if type_set(Some(&av)).contains(name) != type_set(Some(bv)).contains(name) {
                        conflicts.push(Conflict {
                            pointer: format!("{pointer}/{name}"),
                            keyword: "required".into(),
                            kept: json!(type_set(Some(&av)).contains(name)),
                            other: json!(type_set(Some(bv)).contains(name)),
                        });
                    }
                }
                let ordered: Vec<Value> = all.into_iter().map(Value::String).collect();
                out.insert(key.clone(), Value::Array(ordered));
            }
            ("type", Some(av)) => {
                let (ta, tb) = (type_set(Some(&av)), type_set(Some(bv)));
                let strip = |t: &BTreeSet<String>| {
                    t.iter()
                        .filter(|x| *x != "null")
                        .cloned()
                        .collect::<BTreeSet<_>>()
                };
                if strip(&ta) != strip(&tb) {
                    conflicts.push(Conflict {
                        pointer: pointer.to_string(),
                        keyword: "type".into(),
                        kept: av.clone(),
                        other: bv.clone(),
                    });
                } else if ta != tb {
                    let mut u: Vec<String> = strip(&ta).into_iter().collect();
                    u.push("null".into());
                    out.insert(key.clone(), json!(u));
                }
            }
            // Each page states a rule on its own line: the first page's line is cited.
            ("x-source", Some(_)) => {}
            // Each language words a rule its own way: the first page's phrase is cited, and a
            // keyword only the other page states brings its phrase along.
            ("x-phrases", Some(Value::Object(mut ap))) => {
                if let Value::Object(bp) = bv {
                    for (k, v) in bp {
                        ap.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
                out.insert(key.clone(), Value::Object(ap));
            }
            ("x-notes", Some(Value::Array(mut an))) => {
                if let Value::Array(bn) = bv {
                    for n in bn {
                        if !an.contains(n) {
                            an.push(n.clone());
                        }
                    }
                }
                out.insert(key.clone(), Value::Array(an));
            }
            (_, Some(av)) if &av != bv => {
                conflicts.push(Conflict {
                    pointer: pointer.to_string(),
                    keyword: key.clone(),
                    kept: av.clone(),
                    other: bv.clone(),
                });
            }
            _ => {}
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat code-and-message example sharing no field with the answer is the error's; one
    /// that shares a field, or lacks a message, is checked as an answer.
    #[test]
    fn an_error_body_shown_as_the_response_example_is_no_answer_defect() {
        let answer =
            json!({"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]});
        let error = json!({"message": "bad name", "code": "02000005", "extend": ""});
        assert!(illustrates_an_error(&answer, &error));
        assert!(illustrates_an_error(
            &answer,
            &json!({"error_code": "X.1", "error_msg": "bad"})
        ));
        assert!(!illustrates_an_error(
            &answer,
            &json!({"id": "a", "code": "0", "message": "ok"})
        ));
        assert!(!illustrates_an_error(&answer, &json!({"code": "0"})));
        let coded = json!({"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}});
        assert!(!illustrates_an_error(&coded, &error));
    }

    #[test]
    fn merge_unites_properties_and_reports_conflicts() {
        let a = json!({"type": "object", "properties": {"name": {"type": "string", "x-maxBytes": 255}}});
        let b = json!({"type": "object", "properties": {"name": {"type": "string", "x-maxBytes": 64}, "extra": {"type": "string"}}});
        let mut conflicts = Vec::new();
        let m = merge_schema(&a, &b, "", &mut conflicts);
        assert_eq!(m["properties"]["name"]["x-maxBytes"], 255);
        assert!(m["properties"]["extra"].is_object());
        assert_eq!(conflicts.len(), 1);
        assert!(conflicts[0]
            .to_string()
            .contains("/name: x-maxBytes 255 vs 64"));
    }

    #[test]
    fn type_disagreement_is_a_conflict_but_nullability_is_not() {
        let mut conflicts = Vec::new();
        merge_schema(
            &json!({"type": "string"}),
            &json!({"type": "integer"}),
            "/size",
            &mut conflicts,
        );
        assert_eq!(conflicts.len(), 1);
        let mut none = Vec::new();
        let m = merge_schema(
            &json!({"type": "string"}),
            &json!({"type": ["string", "null"]}),
            "/d",
            &mut none,
        );
        assert!(none.is_empty());
        assert_eq!(m["type"], json!(["string", "null"]));
    }

    #[test]
    fn title_verbs_imply_methods() {
        assert_eq!(method_from_title("Updating an EVS Snapshot"), Some("PUT"));
        assert_eq!(method_from_title("查询云硬盘快照列表"), Some("GET"));
        assert_eq!(method_from_title("Frobbing"), None);
    }
}
