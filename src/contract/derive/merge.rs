//! Joining pages into operations and merging the languages of one operation.
//!
//! Pages that state a method and path are grouped by them. A page without a URI (the English
//! plain-text pages) is joined to the operation whose documented structure it matches best: the
//! method its title's verb implies, then the overlap of request and response field paths. The
//! manifest may override a join. Pages of one operation merge field by field; disagreements are
//! reported as conflicts and the first page's value is kept.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::manifest::Manifest;
use super::{naming, DeriveError, Derived, PageContract};
use crate::contract::{keywords, Operation, SchemaKind, Source};

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

/// Groups, joins, merges and self-checks the page contracts into `derived`.
pub fn assemble(
    contracts: Vec<PageContract>,
    manifest: &Manifest,
    derived: &mut Derived,
) -> Result<(), DeriveError> {
    let (located, unlocated): (Vec<_>, Vec<_>) =
        contracts.into_iter().partition(|c| c.endpoint.is_some());
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for c in located {
        let (method, path) = c.endpoint.clone().unwrap_or_default();
        let id = naming::operation_id(&c.service, &method, &path);
        groups
            .entry(id.clone())
            .or_insert_with(|| Group {
                id,
                method,
                path,
                pages: Vec::new(),
                joins: BTreeMap::new(),
            })
            .pages
            .push(c);
    }
    for c in unlocated {
        let (id, how) = join(&c, &groups, manifest)?;
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
    let any_envelope = service_envelopes.values().next().cloned();
    for g in groups.into_values() {
        let op = merge_group(g, &service_envelopes, any_envelope.as_ref(), derived)?;
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
                file: c.file.clone(),
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
            file: c.file.clone(),
            message: format!(
                "the page states no URI and no {} operation of service '{}' exists to join it to",
                method.unwrap_or("matching"),
                c.service
            ),
        });
    };
    if score < 0.5 {
        return Err(DeriveError::Join {
            file: c.file.clone(),
            message: format!(
                "the page states no URI and matches no operation's fields (best: {} at {score:.2})",
                best.id
            ),
        });
    }
    if let Some(second) = scored.get(1) {
        if (second.0 - score).abs() < 1e-9 {
            return Err(DeriveError::Join {
                file: c.file.clone(),
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

fn merge_group(
    g: Group,
    service_envelopes: &BTreeMap<String, (String, Value)>,
    any_envelope: Option<&(String, Value)>,
    derived: &mut Derived,
) -> Result<Operation, DeriveError> {
    let mut conflicts = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let first = &g.pages[0];
    let merge_kind = |pick: &dyn Fn(&PageContract) -> Option<&Value>,
                      what: &str,
                      conflicts: &mut Vec<String>| {
        let mut acc: Option<(Value, String)> = None;
        for p in &g.pages {
            let Some(s) = pick(p) else { continue };
            acc = Some(match acc {
                None => (s.clone(), p.file.clone()),
                Some((a, from)) => {
                    let mut local = Vec::new();
                    let merged = merge_schema(&a, s, "", &mut local);
                    conflicts.extend(
                        local
                            .into_iter()
                            .map(|c| format!("{what}{c} ({from} vs {})", p.file)),
                    );
                    (merged, from)
                }
            });
        }
        acc.map(|(v, _)| v)
    };
    let request = merge_kind(&|p| p.request.as_ref(), "request", &mut conflicts);
    let response = merge_kind(&|p| p.response.as_ref(), "response", &mut conflicts);
    let mut error = merge_kind(&|p| p.error.as_ref(), "error", &mut conflicts);
    if error.is_none() {
        let borrowed = service_envelopes.get(&first.service).or(any_envelope);
        if let Some((from, e)) = borrowed {
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
    if stated.len() > 1 {
        conflicts.push(format!("success statuses differ between pages: {stated:?}"));
    }
    if success.is_empty() {
        notes.push("no page states a success status: assuming 200".into());
        success.push(200);
    }
    // A page without a URI cannot tell its path parameters from query parameters; once joined,
    // the operation's path says which are which.
    let path_params = naming::path_params(&g.path);
    let mut query = Vec::new();
    for p in &g.pages {
        for q in p.query.iter().filter(|q| !path_params.contains(&q.name)) {
            if !query
                .iter()
                .any(|x: &crate::contract::QueryParam| x.name == q.name)
            {
                query.push(q.clone());
            }
        }
    }
    for p in &g.pages {
        notes.extend(p.notes.iter().cloned());
    }
    // Self-check: every documented example validates against the merged contract.
    let check = |schema: &Option<Value>,
                 examples: &dyn Fn(&PageContract) -> &Vec<Value>,
                 kind: &str|
     -> Result<(), DeriveError> {
        let Some(schema) = schema else { return Ok(()) };
        let validator = keywords::compile(schema).map_err(|message| DeriveError::Example {
            file: first.file.clone(),
            operation: g.id.clone(),
            kind: kind.into(),
            pointer: String::new(),
            message: format!("derived schema does not compile: {message}"),
        })?;
        for p in &g.pages {
            for ex in examples(p) {
                if let Some(err) = validator.iter_errors(ex).next() {
                    return Err(DeriveError::Example {
                        file: p.file.clone(),
                        operation: g.id.clone(),
                        kind: kind.into(),
                        pointer: err.instance_path().as_str().to_string(),
                        message: err.to_string(),
                    });
                }
            }
        }
        Ok(())
    };
    check(&request, &|p| &p.request_examples, "request")?;
    check(&response, &|p| &p.response_examples, "response")?;
    check(&error, &|p| &p.error_examples, "error")?;

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
        for s in &success {
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
        conflicts,
        notes,
    })
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
pub fn merge_schema(a: &Value, b: &Value, pointer: &str, conflicts: &mut Vec<String>) -> Value {
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
                        conflicts.push(format!(
                            " {pointer}/{name}: required on one page, optional on the other"
                        ));
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
                    conflicts.push(format!(" {pointer}: type {av} vs {bv}"));
                } else if ta != tb {
                    let mut u: Vec<String> = strip(&ta).into_iter().collect();
                    u.push("null".into());
                    out.insert(key.clone(), json!(u));
                }
            }
            // Each page states a rule on its own line: the first page's line is cited.
            ("x-source", Some(_)) => {}
            (_, Some(av)) if &av != bv => {
                conflicts.push(format!(" {pointer}: {key} {av} vs {bv}"));
            }
            _ => {}
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_unites_properties_and_reports_conflicts() {
        let a = json!({"type": "object", "properties": {"name": {"type": "string", "x-maxBytes": 255}}});
        let b = json!({"type": "object", "properties": {"name": {"type": "string", "x-maxBytes": 64}, "extra": {"type": "string"}}});
        let mut conflicts = Vec::new();
        let m = merge_schema(&a, &b, "", &mut conflicts);
        assert_eq!(m["properties"]["name"]["x-maxBytes"], 255);
        assert!(m["properties"]["extra"].is_object());
        assert_eq!(conflicts.len(), 1);
        assert!(conflicts[0].contains("/name: x-maxBytes 255 vs 64"));
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
