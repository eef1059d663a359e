//! Infers the resource table from the derived operations: a collection path with an item path
//! below it (`/v2.0/bandwidths`, `/v2.0/bandwidths/{bandwidth_id}`) is a kind; a POST on the
//! collection creates one, its new id found in the create response schema (`id` under the
//! kind's envelope), or, for a create that answers only a job, in the job query's entities once
//! the job is done; a collection nested under another kind's item is a child of that kind.
//! Declared entries (`resources:` in `pages.yaml`) extend or override inferred ones.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::contract::resources::{
    Call, ClientKey, JobFollow, ListRead, Origin, ResourceKind, ResourceTable,
};
use crate::contract::{Operation, SchemaKind};

/// The inferred table merged with the declared one, and what could not be completed (one note
/// per kind without a create, an id in its create response, or a delete).
///
/// `examples` holds each operation's documented success example (a kind's is its read's).
pub fn infer(
    operations: &[Operation],
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    examples: &BTreeMap<String, Value>,
    declared: &ResourceTable,
) -> (ResourceTable, Vec<String>) {
    let by_path = by_path(operations);
    let mut inferred: Vec<ResourceKind> = Vec::new();
    let mut notes = Vec::new();
    let no_ops = BTreeMap::new();
    for ((service, item), methods) in &by_path {
        let Some((coll, last)) = item.rsplit_once('/') else {
            continue;
        };
        if last != "{}" || coll.ends_with("{}") || coll.is_empty() {
            continue;
        }
        // Pages may name the item in the singular below a plural collection
        // (`/traffic-mirror-filter/{id}`, `/traffic-mirror-filters`).
        let plural = [
            format!("{coll}s"),
            format!("{}ies", coll.trim_end_matches('y')),
        ];
        // A kind created by a PUT of its item needs no operation on its collection.
        let put_made = methods.get("GET").and_then(|read| {
            let last = read.path.rsplit('/').next().unwrap_or_default();
            put_create(methods, crate::contract::template::sole_param(last)?)
        });
        let Some((coll, collection_ops)) = std::iter::once(coll.to_string())
            .chain(plural)
            .find_map(|c| by_path.get(&(*service, c.clone())).map(|ops| (c, ops)))
            .or_else(|| put_made.map(|_| (coll.to_string(), &no_ops)))
            .or_else(|| {
                // A collection no operation takes, made by an action below it (SCM's
                // `POST /v2/{project_id}/scm/cert/upload` makes what `…/scm/cert/{cert_id}`
                // reads).
                let read = methods.get("GET")?;
                let last = read.path.rsplit('/').next().unwrap_or_default();
                let param = crate::contract::template::sole_param(last)?;
                action_create(&by_path, service, coll, schemas, param)
                    .map(|_| (coll.to_string(), &no_ops))
            })
        else {
            continue;
        };
        let coll = coll.as_str();
        // A kind no operation reads one of (DDS's instances) is read through its list, where a
        // create makes one, a delete removes one and the list's items carry the id.
        // A GET naming its parameter otherwise than the delete (and the update) is no read of
        // this item (`GET /throttle-specials/{strategy_id}` lists what one strategy holds,
        // `DELETE /throttle-specials/{id}` deletes one).
        let last = |op: &Operation| op.path.rsplit('/').next().unwrap_or_default().to_string();
        let item_read = methods.get("GET").filter(|read| {
            let Some(delete) = methods.get("DELETE") else {
                return true;
            };
            let updates_like_delete = ["PUT", "PATCH"]
                .iter()
                .filter_map(|m| methods.get(m))
                .all(|u| last(u) == last(delete));
            last(read) == last(delete) || !updates_like_delete
        });
        let (read, item_op, listed) = match (item_read, methods.get("DELETE")) {
            (Some(read), _) => (*read, *read, None),
            (None, Some(delete)) => {
                let own = delete.path.rsplit('/').next().unwrap_or_default();
                let id_param = crate::contract::template::sole_param(own).unwrap_or_default();
                let list = collection_ops
                    .get("GET")
                    .copied()
                    .filter(|_| collection_ops.contains_key("POST") && !id_param.is_empty());
                let Some((list, how)) =
                    list.and_then(|l| Some((l, kind_list_read(l, schemas, id_param)?)))
                else {
                    continue;
                };
                (list, *delete, Some(how))
            }
            (None, None) => continue,
        };
        let collection = coll.rsplit('/').next().unwrap_or_default().to_string();
        // The table's templates name a kind's own id `{id}` (the ledger and `restore` fill it).
        let own = item_op
            .path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let call = |op: &Operation| Call {
            method: op.method.clone(),
            path: match op.path.strip_suffix(own.as_str()) {
                Some(base) if !own.is_empty() => format!("{base}{{id}}"),
                _ => op.path.clone(),
            },
            body: None,
            query: Default::default(),
        };
        // Another API version may create what this one reads (EIP's `POST /v2.0/{project_id}/
        // publicips` makes what `GET /v1/{project_id}/publicips/{publicip_id}` shows), when that
        // version's collection is no kind of its own (it has no item read).
        let id_param = own.trim_start_matches('{').trim_end_matches('}');
        let create = collection_ops
            .get("POST")
            .copied()
            .or_else(|| other_version_create(&by_path, service, coll))
            .or_else(|| put_create(methods, id_param))
            .or_else(|| action_create(&by_path, service, coll, schemas, id_param));
        let created_id = create
            .filter(|op| op.method == "POST")
            .and_then(|op| created_id(op, schemas, id_param));
        let created_by_job = match (create, &created_id) {
            (Some(op), None) if op.method == "POST" => {
                job_follow(op, operations, schemas, id_param)
            }
            _ => None,
        };
        let singular_word = singular(&collection);
        let client_key = create.and_then(|op| {
            let server_id = created_id.is_some() || created_by_job.is_some();
            client_key(op, schemas, id_param, &singular_word, server_id)
        });
        // A kind read at `/subnets/{subnet_id}` may be changed under its parent
        // (`/vpcs/{vpc_id}/subnets/{subnet_id}`): the same id, one level down.
        let under_parent = |method: &str| {
            let tail = format!("/{collection}/{{}}");
            by_path.iter().find_map(|((s, p), ms)| {
                let op = ms.get(method)?;
                // The parent is a path parameter: `/v2/{}/shares/{}` is another version's
                // kind, no parent's view of `/v1/{}/sfs-turbo/shares/{}`.
                let parent = op
                    .path_params
                    .iter()
                    .any(|q| q != "project_id" && q != id_param_of(&own));
                (*s == *service
                    && p != item
                    && parent
                    && p.ends_with(&tail)
                    && op.path.ends_with(&format!("/{own}")))
                .then_some(op)
            })
        };
        // Only where the create names that parent (a subnet's `vpc_id`): a user removed from a
        // group (`DELETE /groups/{group_id}/users/{user_id}`) is no delete of the user.
        let parent_named = |op: &&&Operation| {
            op.path_params
                .iter()
                .filter(|p| *p != "project_id" && **p != id_param_of(&own))
                .all(|p| create.is_some_and(|c| names_parent(c, schemas, p)))
        };
        // A kind created under another API version with no delete of its own is deleted
        // there too (EIP's bandwidths: `POST` and `DELETE /v2.0/{project_id}/bandwidths/…`,
        // read at `/v1/…`).
        let other_version_delete = || {
            let c = create.filter(|c| c.method == "POST")?;
            let made_at = normalise(&c.path);
            if made_at == coll {
                return None;
            }
            by_path
                .get(&(*service, format!("{made_at}/{{}}")))?
                .get("DELETE")
        };
        let delete = methods
            .get("DELETE")
            .or_else(|| under_parent("DELETE").filter(parent_named))
            .or_else(other_version_delete);
        // A kind created by PUT is changed by its PATCH.
        let put = methods
            .get("PUT")
            .filter(|_| create.is_none_or(|c| c.method != "PUT"));
        let update = put
            .or(methods.get("PATCH"))
            .or_else(|| under_parent("PUT").filter(parent_named));
        // Else a PUT of the collection naming the one it changes by a name the create sent
        // (AOM's alarm rules).
        let by_name = match (update, create) {
            (None, Some(c)) => collection_update(collection_ops.get("PUT").copied(), c, schemas),
            _ => None,
        };
        let update = update.or(by_name.as_ref().map(|(op, _)| op));
        // A kind read through its list is one only where the server answers the new id and the
        // list narrows to one by it: the list alone names no one of them, and a list of what
        // an item holds (its tags, without an id filter) is no list of a kind.
        let found = created_id.is_some() || created_by_job.is_some();
        // A list whose items carry the id under the kind's own id parameter (`job_id` of
        // `…/training-jobs/{job_id}`) lists the kind even without a filter: the read takes the
        // whole list and finds the one there.
        // So does one whose items carry `id` where the kind is made, changed and deleted at
        // its own item (DWS's alarm subscriptions: `POST`, `PUT` and `DELETE
        // …/alarm-subs/{alarm_sub_id}`, listed whole): what an item holds (its tags) is no such
        // collection.
        let own_item = methods.contains_key("DELETE")
            && methods.contains_key("PUT")
            && crate::contract::rules::is_resource_param(id_param);
        let narrowed = listed.as_ref().is_none_or(|how| {
            how.filter.is_some() || how.key == id_param && id_param != "id" || own_item
        });
        if listed.is_some() && (!found || client_key.is_some() || !narrowed) {
            continue;
        }
        let name = kind_name(&collection, &item_op.path);
        match (create, &created_id, delete) {
            (None, _, _) => notes.push(format!("resources: {name}: no create (POST {coll})")),
            (Some(_), None, _) if created_by_job.is_some() || client_key.is_some() => {}
            (Some(op), None, _) => notes.push(format!(
                "resources: {name}: no id in the create response of {}",
                op.id
            )),
            _ => {}
        }
        if delete.is_none() {
            notes.push(format!("resources: {name}: no delete"));
        }
        inferred.push(ResourceKind {
            kind: name,
            service: service.to_string(),
            collection,
            scratch_var: None,
            read: documented(call(read), read, schemas, id_param),
            fields: BTreeMap::new(),
            update: update.map(|op| call(op)),
            update_names: by_name.map(|(_, at)| at),
            items: None,
            delete: delete.map(|op| documented(call(op), op, schemas, id_param)),
            created_id,
            created_by_job,
            client_key,
            origin: Origin::Inferred,
            collection_path: collection_ops.values().next().map(|op| op.path.clone()),
            id_param: item_op
                .path
                .rsplit('/')
                .next()
                .and_then(crate::contract::template::sole_param)
                .map(str::to_string),
            id_query: None,
            parent: None,
            create: create.map(&call),
            list: collection_ops.get("GET").map(|op| call(op)),
            example: read_example(examples, read, listed.as_ref()),
            read_by_list: listed,
        });
    }
    for k in inferred
        .iter_mut()
        .filter(|k| k.create.is_none() && k.delete.is_none())
    {
        made_elsewhere(k, &by_path, schemas, examples);
    }
    // Collections no path kind has may hold kinds named in the query.
    let unnamed = super::query_kinds::infer(operations, schemas, examples, &inferred);
    inferred.extend(unnamed);
    // Parents: the kind whose item path is the deepest prefix of a collection path.
    let items: Vec<(String, String)> = inferred
        .iter()
        .map(|k| (normalise(&k.item_template()), k.kind.clone()))
        .collect();
    for k in &mut inferred {
        let coll = normalise(k.collection_path.as_deref().unwrap_or_default());
        k.parent = items
            .iter()
            .filter(|(item, _)| coll.starts_with(&format!("{item}/")))
            .max_by_key(|(item, _)| item.len())
            .map(|(_, name)| name.clone());
    }
    (merge(inferred, declared), notes)
}

/// A PUT of the collection that names the one it changes in its body: it requires a string
/// field the create requires too, named `name` or `*_name` (AOM's `alarm_rule_name`). The PUT
/// and that field's pointer.
fn collection_update<'o>(
    put: Option<&'o Operation>,
    create: &Operation,
    schemas: &BTreeMap<(String, SchemaKind), Value>,
) -> Option<(&'o Operation, String)> {
    let put = put?;
    let required_strings = |op: &Operation| -> Vec<String> {
        let Some(s) = schemas.get(&(op.id.clone(), SchemaKind::Request)) else {
            return Vec::new();
        };
        s.get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|f| s.pointer(&format!("/properties/{f}/type")) == Some(&Value::from("string")))
            .map(str::to_string)
            .collect()
    };
    let created = required_strings(create);
    let field = required_strings(put)
        .into_iter()
        .find(|f| (f == "name" || f.ends_with("_name")) && created.contains(f))?;
    Some((put, crate::pointer::child("", &field)))
}

/// The POST of the same collection under another API version (`/v2.0/{}/publicips` for
/// `/v1/{}/publicips`), when that collection has no item read there (else it is a kind of its
/// own, created there).
fn other_version_create<'o>(
    by_path: &BTreeMap<(&str, String), BTreeMap<&str, &'o Operation>>,
    service: &str,
    coll: &str,
) -> Option<&'o Operation> {
    let unversioned = |p: &str| -> Option<String> {
        let rest = p.strip_prefix('/')?;
        let (first, tail) = rest.split_once('/')?;
        let version =
            first.starts_with('v') && first[1..].starts_with(|c: char| c.is_ascii_digit());
        version.then(|| tail.to_string())
    };
    let want = unversioned(coll)?;
    by_path.iter().find_map(|((s, p), methods)| {
        let post = methods.get("POST")?;
        let sibling = *s == service
            && p != coll
            && unversioned(p).as_deref() == Some(want.as_str())
            && !by_path
                .get(&(service, format!("{p}/{{}}")))
                .is_some_and(|m| m.contains_key("GET"));
        sibling.then_some(*post)
    })
}

/// A kind whose collection takes no POST made by a POST of an action right below it (SCM's
/// `POST /v3/scm/certificates/import`): a path of the collection and one literal segment whose
/// success answer documents the kind's own id parameter (not a bare `id`, which any answer may
/// carry) at its top level; the first such path.
fn action_create<'o>(
    by_path: &BTreeMap<(&str, String), BTreeMap<&str, &'o Operation>>,
    service: &str,
    coll: &str,
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    id_param: &str,
) -> Option<&'o Operation> {
    if id_param.is_empty() || id_param == "id" {
        return None;
    }
    by_path.iter().find_map(|((s, p), methods)| {
        let post = methods.get("POST")?;
        let action = p.strip_prefix(coll)?.strip_prefix('/')?;
        let literal = !action.is_empty() && !action.contains('/') && !action.contains('{');
        let answers_id = success_schema(post, schemas)?
            .pointer(&format!("/properties/{id_param}/type"))
            == Some(&Value::from("string"));
        (*s == service && literal && answers_id).then_some(*post)
    })
}

/// A kind read under a collection named for it (MRS's `cluster_infos`) that nothing creates or
/// deletes there is made and deleted under the plain collection (`POST /v2/{}/clusters`,
/// `DELETE /v1.1/{}/clusters/{cluster_id}`): an item path of the same service with a delete of
/// the same id parameter and no read, whose collection (or another version's) has the POST.
/// The create's new id is where its answer documents it, else where its example answers the id
/// parameter (a page whose table names another field than its example shows).
fn made_elsewhere(
    k: &mut ResourceKind,
    by_path: &BTreeMap<(&str, String), BTreeMap<&str, &Operation>>,
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    examples: &BTreeMap<String, Value>,
) {
    let Some(param) = k.id_param.clone() else {
        return;
    };
    let found = by_path.iter().find_map(|((service, item), methods)| {
        let delete = methods.get("DELETE")?;
        let (coll, last) = item.rsplit_once('/')?;
        let word = singular(coll.rsplit('/').next()?);
        let named = *service == k.service
            && last == "{}"
            && !methods.contains_key("GET")
            && delete.path_params.last() == Some(&param)
            && k.collection.starts_with(&format!("{word}_"));
        if !named {
            return None;
        }
        let create = by_path
            .get(&(*service, coll.to_string()))
            .and_then(|m| m.get("POST"))
            .copied()
            .or_else(|| other_version_create(by_path, service, coll))?;
        Some((create, *delete))
    });
    let Some((create, delete)) = found else {
        return;
    };
    let id = created_id(create, schemas, &param).or_else(|| {
        let example = examples.get(&create.id)?;
        example
            .get(&param)
            .filter(|v| v.is_string())
            .map(|_| crate::pointer::child("", &param))
    });
    let Some(id) = id else {
        return;
    };
    let own = format!("{{{param}}}");
    k.create = Some(Call {
        method: create.method.clone(),
        path: create.path.clone(),
        query: Default::default(),
        body: None,
    });
    k.delete = Some(Call {
        method: delete.method.clone(),
        path: match delete.path.strip_suffix(own.as_str()) {
            Some(base) => format!("{base}{{id}}"),
            None => delete.path.clone(),
        },
        query: Default::default(),
        body: None,
    });
    k.created_id = Some(id);
}

/// Declared entries first (each filling what it leaves out from the inferred entry of the same
/// collection), then the inferred ones nobody declared.
fn merge(mut inferred: Vec<ResourceKind>, declared: &ResourceTable) -> ResourceTable {
    let mut kinds = Vec::new();
    for d in &declared.kinds {
        let version = |p: &str| p.split('/').nth(1).map(str::to_string);
        let same = inferred.iter().position(|i| {
            i.service == d.service
                && i.collection == d.collection
                && version(&i.read.path) == version(&d.read.path)
        });
        let mut k = d.clone();
        k.origin = Origin::Declared;
        if let Some(i) = same.map(|at| inferred.remove(at)) {
            k.update = k.update.or(i.update);
            k.delete = k.delete.or(i.delete);
            k.created_id = k.created_id.or(i.created_id);
            k.created_by_job = k.created_by_job.or(i.created_by_job);
            k.client_key = k.client_key.or(i.client_key);
            k.collection_path = k.collection_path.or(i.collection_path);
            k.id_param = k.id_param.or(i.id_param);
            k.parent = k.parent.or(i.parent);
            k.create = k.create.or(i.create);
            k.list = k.list.or(i.list);
        }
        kinds.push(k);
    }
    let mut taken: BTreeSet<String> = kinds.iter().map(|k| k.kind.clone()).collect();
    for mut i in inferred {
        // One collection under two prefixes (`/v1/ports`, `/v1/{project_id}/ports`).
        let base = i.kind.clone();
        let mut n = 1;
        while taken.contains(&i.kind) {
            n += 1;
            i.kind = format!("{base}.{n}");
        }
        taken.insert(i.kind.clone());
        kinds.push(i);
    }
    ResourceTable { kinds }
}

/// The documented one of a kind: its read's success example, or for a kind read through its
/// list, the first item that list's example shows.
pub(super) fn read_example(
    examples: &BTreeMap<String, Value>,
    read: &Operation,
    listed: Option<&ListRead>,
) -> Option<Value> {
    let answer = examples.get(&read.id)?;
    match listed {
        Some(how) => answer
            .pointer(&format!("{}/0", how.array))
            .filter(|one| one.is_object())
            .cloned(),
        None => Some(answer.clone()),
    }
}

/// The operations by (service, normalised path), then by method.
pub fn by_path(operations: &[Operation]) -> BTreeMap<(&str, String), BTreeMap<&str, &Operation>> {
    let mut by_path: BTreeMap<(&str, String), BTreeMap<&str, &Operation>> = BTreeMap::new();
    for op in operations {
        by_path
            .entry((op.service.as_str(), normalise(&op.path)))
            .or_default()
            .insert(op.method.as_str(), op);
    }
    by_path
}

/// A path template with its parameter names dropped (`/v1/{}/vpcs/{}`), so pages naming one
/// parameter differently still line up.
pub fn normalise(path: &str) -> String {
    // A mixed segment (`{region}:{floatingip_id}`) keeps its literals: `{}:{}` is not an id
    // segment, so no kind is inferred at it.
    crate::contract::template::normalise(path)
}

/// `vpc.v1`, `security_group.v2_0`: the collection's singular and the path's API version.
pub(super) fn kind_name(collection: &str, item_path: &str) -> String {
    let own = singular(collection);
    // Nested kinds carry their parent's literal segments, so names stay unique.
    let segs: Vec<&str> = item_path.split('/').filter(|s| !s.is_empty()).collect();
    let version = segs
        .first()
        .filter(|s| s.starts_with('v') && s[1..].starts_with(|c: char| c.is_ascii_digit()))
        .map(|v| v.replace('.', "_"));
    let middle: Vec<String> = segs
        .iter()
        .skip(usize::from(version.is_some()))
        .filter(|s| !crate::contract::template::has_param(s))
        .map(|s| singular(s))
        .collect();
    let mut name = middle[..middle.len().saturating_sub(1)].join(".");
    if !name.is_empty() {
        name.push('.');
    }
    name.push_str(&own);
    if let Some(v) = version {
        name.push('.');
        name.push_str(&v);
    }
    name
}

/// `security_group` for `security-groups`.
pub fn singular(segment: &str) -> String {
    let base = segment.replace('-', "_");
    if let Some(s) = base.strip_suffix("ies") {
        format!("{s}y")
    } else if base.ends_with("sses") || base.ends_with("xes") {
        base[..base.len() - 2].to_string()
    } else {
        base.strip_suffix('s').unwrap_or(&base).to_string()
    }
}

/// `subnet_id` for `{subnet_id}`.
fn id_param_of(segment: &str) -> &str {
    segment.trim_start_matches('{').trim_end_matches('}')
}

/// Whether a create names the parent `param`: in its path, or as a field of its request body.
fn names_parent(
    create: &Operation,
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    param: &str,
) -> bool {
    if create.path_params.iter().any(|p| p == param) {
        return true;
    }
    let Some(request) = schemas.get(&(create.id.clone(), SchemaKind::Request)) else {
        return false;
    };
    let mut found = Vec::new();
    find_field(request, param, String::new(), 0, &mut found);
    !found.is_empty()
}

/// How a list shows one of a kind it lists: the array property whose items carry a string id
/// (named as the kind's id parameter, else `id`), and the query parameter of that name, if the
/// list documents one, that narrows the list to it.
pub(super) fn list_read(
    list: &Operation,
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    id_param: &str,
) -> Option<ListRead> {
    let props = success_schema(list, schemas)?
        .get("properties")?
        .as_object()?;
    props.iter().find_map(|(name, s)| {
        let item = s.get("items")?.get("properties")?;
        let key = [id_param, "id"]
            .into_iter()
            .find(|k| item.get(*k).and_then(|f| f.get("type")) == Some(&Value::from("string")))?;
        let filter = list
            .query_params
            .iter()
            .find(|q| q.name == key)
            .map(|q| q.name.clone());
        Some(ListRead {
            filter,
            array: crate::pointer::child("", name),
            key: key.to_string(),
        })
    })
}

/// [`list_read`] for a kind's own collection, whose items may carry the id under the kind's id
/// parameter as an integer (ModelArts' `job_id`), as the create answers it: the list names it
/// by that parameter, so the number is the id, where a bare integer `id` would not be.
fn kind_list_read(
    list: &Operation,
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    id_param: &str,
) -> Option<ListRead> {
    list_read(list, schemas, id_param).or_else(|| {
        let props = success_schema(list, schemas)?
            .get("properties")?
            .as_object()?;
        props.iter().find_map(|(name, s)| {
            let ty = s
                .get("items")?
                .get("properties")?
                .get(id_param)?
                .get("type")?;
            (ty == "integer" && id_param != "id").then(|| ListRead {
                filter: list
                    .query_params
                    .iter()
                    .find(|q| q.name == id_param)
                    .map(|q| q.name.clone()),
                array: crate::pointer::child("", name),
                key: id_param.to_string(),
            })
        })
    })
}

/// The schema of an operation's first documented success answer that has one.
pub(super) fn success_schema<'s>(
    op: &Operation,
    schemas: &'s BTreeMap<(String, SchemaKind), Value>,
) -> Option<&'s Value> {
    op.success
        .iter()
        .find_map(|s| schemas.get(&(op.id.clone(), SchemaKind::Response(*s))))
}

/// Where a create response holds the new id: `/id` or `/<id param>` (`/instance_id`), or the
/// same under the one object property that has it (`/vpc/id`), or in the first item of an array
/// property (`/instances/0/instance_id`: a create that answers the list it made).
pub(super) fn created_id(
    op: &Operation,
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    id_param: &str,
) -> Option<String> {
    created_id_in(success_schema(op, schemas)?, id_param)
}

/// [`created_id`] in a create's success answer `schema`: `id`, the id parameter (snake or camel
/// case: `stack_id`, `stackId`) and the other forms [`created_id`] names, else a string `guid`
/// or `uuid` (AOS answers a new stack's id as its `guid`) at the top or under one envelope.
pub fn created_id_in(schema: &Value, id_param: &str) -> Option<String> {
    let keys = ["id", id_param];
    // A key named `{access_key}` is answered as the string `access` (IAM's credentials); one
    // spelled in camel case (`stackId`) is the id as a string or an integer (AOM's `alarmId`,
    // which the generated cases capture as text: its paths and bodies take it as a string).
    let stem = id_param.strip_suffix("_key").unwrap_or_default();
    let camel = crate::contract::spelling::camel(id_param);
    let key_of = |s: &Value| {
        let props = s.get("properties")?.as_object()?;
        let typed = |k: &str, types: &[&str]| {
            props
                .get(k)
                .and_then(|p| p.get("type"))
                .and_then(Value::as_str)
                .is_some_and(|t| types.contains(&t))
        };
        keys.into_iter()
            .find(|k| !k.is_empty() && props.contains_key(*k))
            .or_else(|| (!stem.is_empty() && typed(stem, &["string"])).then_some(stem))
            .or_else(|| {
                (camel != id_param && typed(&camel, &["string", "integer"]))
                    .then_some(camel.as_str())
            })
    };
    if let Some(k) = key_of(schema) {
        return Some(format!("/{k}"));
    }
    let props = schema.get("properties")?.as_object()?;
    props
        .iter()
        .find_map(|(name, s)| key_of(s).map(|k| format!("/{name}/{k}")))
        .or_else(|| {
            props
                .iter()
                .find_map(|(name, s)| key_of(s.get("items")?).map(|k| format!("/{name}/0/{k}")))
        })
        .or_else(|| {
            // The ids of what an asynchronous create made (`volume_ids`, `serverIds`).
            let plural = format!("{}s", id_param.replace('_', "")).to_ascii_lowercase();
            props.iter().find_map(|(name, s)| {
                let strings =
                    s.get("items").and_then(|i| i.get("type")) == Some(&Value::from("string"));
                (strings && name.replace('_', "").to_ascii_lowercase() == plural)
                    .then(|| format!("/{name}/0"))
            })
        })
        .or_else(|| {
            // Kubernetes-style objects (CCE's clusters and nodes) name themselves by the
            // `uid` of their `metadata`, only where nothing answers an id.
            let uid = props.get("metadata")?.pointer("/properties/uid/type")?;
            (uid == "string").then(|| "/metadata/uid".to_string())
        })
        .or_else(|| {
            // A global id, only where nothing above names one.
            let string = |s: &Value, k: &str| {
                s.pointer(&format!("/properties/{k}/type")) == Some(&Value::from("string"))
            };
            let key = |s: &Value| ["guid", "uuid"].into_iter().find(|k| string(s, k));
            if let Some(k) = key(schema) {
                return Some(format!("/{k}"));
            }
            props
                .iter()
                .find_map(|(name, s)| key(s).map(|k| format!("/{name}/{k}")))
        })
        .or_else(|| {
            // The id under the id parameter's last words (`task_id` for `{workforce_task_id}`),
            // only where nothing above names one, at the top or under one envelope.
            suffix_id(schema, id_param)
                .map(|k| format!("/{k}"))
                .or_else(|| {
                    props.iter().find_map(|(name, s)| {
                        suffix_id(s, id_param).map(|k| format!("/{name}/{k}"))
                    })
                })
        })
}

/// The one string property `X_id` of an object schema whose name ends the id parameter
/// (`task_id` of `workforce_task_id`): a create may answer the new id under the shorter name
/// its own page uses. None where no property, or more than one, fits.
fn suffix_id<'s>(schema: &'s Value, id_param: &str) -> Option<&'s str> {
    let props = schema.get("properties")?.as_object()?;
    let mut fits = props.iter().filter(|(k, v)| {
        k.ends_with("_id")
            && id_param.ends_with(&format!("_{k}"))
            && v.get("type") == Some(&Value::from("string"))
    });
    let (one, _) = fits.next()?;
    fits.next().is_none().then_some(one.as_str())
}

/// A PUT of the item that documents 201 (Created) and not 200: the client chooses the new one's
/// id in the path (`PUT /v3/OS-FEDERATION/identity_providers/{id}`), where no POST creates the
/// kind. A page listing 200 beside 201 (a generic status table) documents an update.
fn put_create<'o>(
    methods: &BTreeMap<&str, &'o Operation>,
    id_param: &str,
) -> Option<&'o Operation> {
    let put = methods.get("PUT")?;
    let created = put.success.contains(&201) && !put.success.contains(&200);
    (created && put.path_params.last().is_some_and(|p| p == id_param)).then_some(*put)
}

/// Where a create request carries the key the client chooses: the path parameter of a create by
/// PUT, else a string field of the body (at the top or under one envelope) named as the item's
/// parameter (`namespace`, `repository`), or `name` where the parameter is a name (`secret_name`,
/// `alias_name`) or the kind's own word (`{trigger}`). An id parameter (`vpc_id`) is the
/// client's only where the server answers no id of its own.
fn client_key(
    create: &Operation,
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    id_param: &str,
    word: &str,
    server_id: bool,
) -> Option<ClientKey> {
    let is_id = crate::contract::rules::is_resource_param(id_param);
    if create.method == "PUT" {
        return Some(ClientKey::Path(id_param.to_string()));
    }
    if is_id && server_id {
        return None;
    }
    let request = schemas.get(&(create.id.clone(), SchemaKind::Request))?;
    let mut names = vec![id_param];
    if !is_id && (id_param.ends_with("_name") || id_param == word || id_param == "name") {
        names.push("name");
    }
    let string_at = |s: &Value, name: &str| {
        s.get("properties")?
            .get(name)
            .filter(|f| f.get("type") == Some(&Value::from("string")))
            .map(|_| ())
    };
    // A request of alternatives (`oneOf`: DLI's queue with or without `cidr_in_vpc`) keys
    // the kind where every alternative sends the key.
    let alternatives: Vec<&Value> = match request.get("oneOf").and_then(Value::as_array) {
        Some(all) if !all.is_empty() => all.iter().collect(),
        _ => vec![request],
    };
    for name in names {
        if alternatives.iter().all(|a| string_at(a, name).is_some()) {
            return Some(ClientKey::Body(crate::pointer::child("", name)));
        }
        let props = request.get("properties").and_then(Value::as_object)?;
        if let Some(env) = props.iter().find_map(|(k, sub)| {
            let inner = crate::pointer::child("", k);
            string_at(sub, name).map(|_| inner)
        }) {
            return Some(ClientKey::Body(crate::pointer::child(&env, name)));
        }
    }
    None
}

/// An asynchronous create that answers only a job (`{"job_id": …}`): the job query of its
/// service (a GET whose path ends at `/jobs/{job_id}`) and where its answer names the new id
/// (a field named as the kind's id parameter, under `entities` or a sub-job's, the shallowest).
fn job_follow(
    create: &Operation,
    operations: &[Operation],
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    id_param: &str,
) -> Option<JobFollow> {
    success_schema(create, schemas)?.pointer("/properties/job_id")?;
    let query = operations.iter().find(|o| {
        o.service == create.service
            && o.method == "GET"
            && normalise(&o.path).ends_with("/jobs/{}")
            && o.path_params.last().is_some_and(|p| p == "job_id")
    })?;
    let job = success_schema(query, schemas)?;
    let mut found = Vec::new();
    find_field(job, id_param, String::new(), 0, &mut found);
    let entity = match found.into_iter().min_by_key(|p| p.matches('/').count()) {
        Some(documented) => documented,
        None => beside_another_id(job, id_param)?,
    };
    Some(JobFollow {
        job_id: "/job_id".into(),
        query: Call {
            method: query.method.clone(),
            path: query.path.clone(),
            body: None,
            query: Default::default(),
        },
        entity,
    })
}

/// Where a job query that documents only another kind's id among its entities (SDRS's
/// `entities.server_group_id`, "the protection group's operations show its id") names the id
/// of what this create made: beside it, under the id parameter's name. Only an id parameter,
/// only in an object below the answer's top level (`entities`, not the job itself) that the
/// schema leaves open to more fields; the shallowest such object.
fn beside_another_id(job: &Value, id_param: &str) -> Option<String> {
    if !id_param.ends_with("_id") {
        return None;
    }
    let mut found = Vec::new();
    objects_naming_an_id(job, String::new(), 0, &mut found);
    let parent = found.into_iter().min_by_key(|p| p.matches('/').count())?;
    Some(crate::pointer::child(&parent, id_param))
}

/// The pointers of the open objects below the top level that document a string `…_id` field
/// other than a job's.
fn objects_naming_an_id(schema: &Value, at: String, depth: usize, out: &mut Vec<String>) {
    if depth > 6 {
        return;
    }
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        if let Some(items) = schema.get("items") {
            objects_naming_an_id(items, format!("{at}/0"), depth + 1, out);
        }
        return;
    };
    let open = schema.get("additionalProperties") != Some(&Value::Bool(false));
    let names_id = props.iter().any(|(k, sub)| {
        k.ends_with("_id") && k != "job_id" && sub.get("type") == Some(&Value::from("string"))
    });
    if depth > 0 && open && names_id {
        out.push(at.clone());
    }
    for (k, sub) in props {
        objects_naming_an_id(sub, crate::pointer::child(&at, k), depth + 1, out);
    }
    if let Some(items) = schema.get("items") {
        objects_naming_an_id(items, format!("{at}/0"), depth + 1, out);
    }
}

/// The pointers (an array's first item for `items`) at which a schema documents `name`.
fn find_field(schema: &Value, name: &str, at: String, depth: usize, out: &mut Vec<String>) {
    if depth > 6 {
        return;
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, sub) in props {
            let here = crate::pointer::child(&at, k);
            if k == name && sub.get("type") == Some(&Value::from("string")) {
                out.push(here.clone());
            }
            find_field(sub, name, here, depth + 1, out);
        }
    }
    if let Some(items) = schema.get("items") {
        find_field(items, name, format!("{at}/0"), depth + 1, out);
    }
}

/// A small valid value of a schema, for what a delete documents (the generator's richer
/// values sit in a layer above this one): an enum's first value, an object's required
/// properties, a number at its minimum, `true`, a string of its minimum length.
fn minimal(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    let min = |k: &str| schema.get(k).and_then(Value::as_u64);
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let props = schema.get("properties").and_then(Value::as_object);
            let required = schema.get("required").and_then(Value::as_array);
            let mut out = serde_json::Map::new();
            for name in required.into_iter().flatten().filter_map(Value::as_str) {
                let sub = props.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
                out.insert(name.to_string(), minimal(sub));
            }
            Value::Object(out)
        }
        Some("array") => Value::Array(Vec::new()),
        Some("boolean") => Value::Bool(true),
        Some("integer" | "number") => schema
            .get("minimum")
            .cloned()
            .unwrap_or_else(|| Value::from(1)),
        _ => Value::String(
            "conform".repeat(min("minLength").unwrap_or(1).div_ceil(7).max(1) as usize),
        ),
    }
}

/// A kind's delete (or read) as its page documents it: with the query parameters it requires
/// and the body it takes, as the generator's teardown sends them (the undo, its verifying read
/// and `restore` are refused otherwise). A parameter naming the kind's own id is `{id}`; any other gets a simple valid
/// value, which the ledger replaces by the resource's parameter of that name when it knows one
/// (a parent the create's path or body named).
pub(super) fn documented(
    mut call: Call,
    op: &Operation,
    schemas: &BTreeMap<(String, SchemaKind), Value>,
    id_param: &str,
) -> Call {
    call.query = op
        .query_params
        .iter()
        .filter(|q| q.required)
        .map(|q| {
            let value = if q.name == id_param {
                Value::String("{id}".into())
            } else {
                minimal(&q.schema)
            };
            (q.name.clone(), value)
        })
        .collect();
    call.body = op
        .request_body
        .then(|| schemas.get(&(op.id.clone(), SchemaKind::Request)))
        .flatten()
        .map(minimal);
    call
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(id: &str, method: &str, path: &str) -> Operation {
        Operation::new(id, "vpc", method, path)
    }

    /// A create answers the new id as `id` or as the id parameter, at the top, in an envelope,
    /// or in the first item of the list it made.
    #[test]
    fn a_kubernetes_style_object_is_named_by_its_metadata_uid() {
        let object = json!({"properties": {"kind": {"type": "string"},
            "metadata": {"properties": {"name": {"type": "string"}, "uid": {"type": "string"}}}}});
        assert_eq!(
            created_id_in(&object, "cluster_id").as_deref(),
            Some("/metadata/uid")
        );
        // An id answered anywhere wins over the uid.
        let both = json!({"properties": {"cluster": {"properties": {"id": {"type": "string"}}},
            "metadata": {"properties": {"uid": {"type": "string"}}}}});
        assert_eq!(
            created_id_in(&both, "cluster_id").as_deref(),
            Some("/cluster/id")
        );
        assert_eq!(
            created_id_in(&json!({"properties": {}}), "cluster_id"),
            None
        );
    }

    /// A create answering its id parameter in camel case (`stackId`, a string or an integer),
    /// or only a `guid`/`uuid`, answers the new id there; an `id` or the parameter wins over a
    /// `guid`.
    #[test]
    fn a_camel_case_id_or_a_guid_is_the_created_id() {
        let s = json!({"type": "string"});
        let at = |schema: Value| created_id_in(&schema, "stack_id");
        assert_eq!(
            at(json!({"properties": {"stackId": s, "name": s}})).as_deref(),
            Some("/stackId")
        );
        assert_eq!(
            at(json!({"properties": {"guid": s, "name": s}})).as_deref(),
            Some("/guid")
        );
        assert_eq!(
            at(json!({"properties": {"stack": {"properties": {"uuid": s}}}})).as_deref(),
            Some("/stack/uuid")
        );
        assert_eq!(
            at(json!({"properties": {"guid": s, "stack_id": s}})).as_deref(),
            Some("/stack_id")
        );
        // A camel-case key may be an integer (AOM's `alarmId`, captured as text); one that is
        // an object, or a guid that is no string, is no id.
        assert_eq!(
            at(json!({"properties": {"stackId": {"type": "integer"}}})).as_deref(),
            Some("/stackId")
        );
        assert_eq!(
            at(json!({"properties": {"stackId": {"type": "object"}}})),
            None
        );
        assert_eq!(
            at(json!({"properties": {"guid": {"type": "integer"}}})),
            None
        );
    }

    /// A create answering the new id under the id parameter's last words (`task_id` for
    /// `{workforce_task_id}`) answers the id there, when that is a string and the only fit.
    #[test]
    fn an_id_named_by_the_parameters_last_words_is_the_created_id() {
        let s = json!({"type": "string"});
        let at = |schema: Value| created_id_in(&schema, "workforce_task_id");
        assert_eq!(
            at(json!({"properties": {"task_id": s}})).as_deref(),
            Some("/task_id")
        );
        assert_eq!(
            at(json!({"properties": {"task": {"properties": {"task_id": s}}}})).as_deref(),
            Some("/task/task_id")
        );
        // The parameter's own name wins; a number, a non-suffix or two fits are no id.
        assert_eq!(
            at(json!({"properties": {"task_id": s, "workforce_task_id": s}})).as_deref(),
            Some("/workforce_task_id")
        );
        assert_eq!(
            at(json!({"properties": {"task_id": {"type": "integer"}}})),
            None
        );
        assert_eq!(at(json!({"properties": {"sk_id": s}})), None);
        assert_eq!(
            created_id_in(
                &json!({"properties": {"task_id": s, "b_task_id": s}}),
                "a_b_task_id"
            ),
            None
        );
    }

    /// A create of alternatives (with or without a CIDR) keys its kind where every alternative
    /// sends the key; where one does not, it is no key.
    #[test]
    fn a_key_every_alternative_sends_keys_the_kind() {
        let op = op("c", "POST", "/v1.0/{project_id}/queues");
        let name = json!({"type": "string"});
        let key = |request: Value| {
            let schemas = BTreeMap::from([(("c".to_string(), SchemaKind::Request), request)]);
            client_key(&op, &schemas, "queue_name", "queue", true)
        };
        let both = json!({"oneOf": [
            {"properties": {"queue_name": name, "cidr": name}, "required": ["queue_name", "cidr"]},
            {"properties": {"queue_name": name}, "required": ["queue_name"]}]});
        assert_eq!(key(both), Some(ClientKey::Body("/queue_name".into())));
        let one = json!({"oneOf": [{"properties": {"queue_name": name}}, {"properties": {"cidr": name}}]});
        assert_eq!(key(one), None);
    }

    #[test]
    fn the_created_id_is_found_wherever_the_create_answers_it() {
        let op = op("c", "POST", "/v2/{project_id}/instances");
        let at = |answer: Value| {
            let schemas = BTreeMap::from([(("c".to_string(), SchemaKind::Response(200)), answer)]);
            created_id(&op, &schemas, "instance_id")
        };
        let id = json!({"type": "string"});
        assert_eq!(
            at(json!({"properties": {"id": id}})).as_deref(),
            Some("/id")
        );
        assert_eq!(
            at(json!({"properties": {"instance_id": id, "order_id": id}})).as_deref(),
            Some("/instance_id")
        );
        assert_eq!(
            at(json!({"properties": {"instance": {"properties": {"instance_id": id}}}})).as_deref(),
            Some("/instance/instance_id")
        );
        // An asynchronous create answers the ids it made, snake or camel case.
        let ids = json!({"type": "array", "items": {"type": "string"}});
        assert_eq!(
            at(json!({"properties": {"job_id": id, "instance_ids": ids}})).as_deref(),
            Some("/instance_ids/0")
        );
        assert_eq!(
            at(json!({"properties": {"job_id": id, "instanceIds": ids}})).as_deref(),
            Some("/instanceIds/0")
        );
        assert_eq!(
            at(json!({"properties": {"job_id": id, "order_ids": ids}})),
            None
        );
        assert_eq!(
            at(json!({"properties": {"order_id": id, "instances": {"type": "array", "items": {"properties": {"instance_id": id, "instance_name": id}}}}}))
                .as_deref(),
            Some("/instances/0/instance_id")
        );
        assert_eq!(at(json!({"properties": {"order_id": id}})), None);
        // A key parameter (`{access_key}`) is answered as the string named by its stem.
        let schemas = BTreeMap::from([(
            ("c".to_string(), SchemaKind::Response(200)),
            json!({"properties": {"credential": {"properties": {"access": id, "secret": id}}}}),
        )]);
        assert_eq!(
            created_id(&op, &schemas, "access_key").as_deref(),
            Some("/credential/access")
        );
        let envelope = BTreeMap::from([(
            ("c".to_string(), SchemaKind::Response(200)),
            json!({"properties": {"access": {"type": "object"}}}),
        )]);
        assert_eq!(created_id(&op, &envelope, "access_key"), None);
    }

    /// A collection no operation takes is made by an action right below it whose answer
    /// documents the kind's id parameter (SCM's certificate upload); an action answering only
    /// a bare `id`, or one below an item, makes nothing.
    #[test]
    fn an_action_below_the_collection_answering_the_id_is_its_create() {
        let ops = vec![
            op("read", "GET", "/v2/{project_id}/scm/cert/{cert_id}"),
            op("del", "DELETE", "/v2/{project_id}/scm/cert/{cert_id}"),
            op("buy", "POST", "/v2/{project_id}/scm/cert/purchase"),
            op("up", "POST", "/v2/{project_id}/scm/cert/upload"),
            op("push", "POST", "/v2/{project_id}/scm/cert/{cert_id}/push"),
        ];
        let s = json!({"type": "string"});
        let mut schemas = BTreeMap::from([
            (
                ("buy".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"cert": {"type": "array", "items": {"properties": {"cert_id": s}}}}}),
            ),
            (
                ("up".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"cert_id": s}}),
            ),
            (
                ("push".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"cert_id": s}}),
            ),
        ]);
        let infer_ops = |schemas: &BTreeMap<(String, SchemaKind), Value>| {
            infer(&ops, schemas, &BTreeMap::new(), &ResourceTable::default()).0
        };
        let table = infer_ops(&schemas);
        let kind = table
            .kinds
            .iter()
            .find(|k| k.id_param.as_deref() == Some("cert_id"))
            .expect("a certificate kind");
        assert_eq!(
            kind.create.as_ref().map(|c| c.path.as_str()),
            Some("/v2/{project_id}/scm/cert/upload")
        );
        assert_eq!(kind.created_id.as_deref(), Some("/cert_id"));
        assert!(kind.delete.is_some());
        schemas.insert(
            ("up".to_string(), SchemaKind::Response(200)),
            json!({"properties": {"id": s}}),
        );
        assert!(infer_ops(&schemas).kinds.is_empty());
    }

    /// A create that answers only a job is followed through its service's job query to the
    /// new id among the job's entities (the shallowest field named as the id parameter).
    #[test]
    fn a_create_answering_only_a_job_is_followed_to_the_new_id() {
        let mut create = op("c", "POST", "/v1/{project_id}/servers");
        create.service = "bms".into();
        let mut query = op("j", "GET", "/v1/{project_id}/jobs/{job_id}");
        query.service = "bms".into();
        query.path_params = vec!["project_id".into(), "job_id".into()];
        let s = json!({"type": "string"});
        let mut schemas = BTreeMap::from([
            (
                ("c".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"job_id": s}}),
            ),
            (
                ("j".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"status": s, "entities": {"properties": {"sub_jobs": {"type": "array", "items": {"properties": {"entities": {"properties": {"server_id": s}}}}}}}}}),
            ),
        ]);
        let ops = vec![create.clone(), query.clone()];
        let follow = job_follow(&create, &ops, &schemas, "server_id").expect("followed");
        assert_eq!(follow.job_id, "/job_id");
        assert_eq!(follow.query.path, "/v1/{project_id}/jobs/{job_id}");
        assert_eq!(follow.entity, "/entities/sub_jobs/0/entities/server_id");
        // The shallowest field wins.
        schemas.insert(
            ("j".to_string(), SchemaKind::Response(200)),
            json!({"properties": {"entities": {"properties": {"server_id": s, "sub_jobs": {"type": "array", "items": {"properties": {"entities": {"properties": {"server_id": s}}}}}}}}}),
        );
        assert_eq!(
            job_follow(&create, &ops, &schemas, "server_id").map(|f| f.entity),
            Some("/entities/server_id".into())
        );
        // No job query in the service, or no job in the answer: nothing to follow.
        assert_eq!(job_follow(&create, &ops[..1], &schemas, "server_id"), None);
        // A job documenting only another kind's id (SDRS's `entities.server_group_id`) names
        // this one's beside it; one documenting no id at all, or only in a closed object, or
        // a parameter that is no id, names none.
        assert_eq!(
            job_follow(&create, &ops, &schemas, "volume_id").map(|f| f.entity),
            Some("/entities/volume_id".into())
        );
        assert_eq!(job_follow(&create, &ops, &schemas, "volume_name"), None);
        for job in [
            json!({"properties": {"job_id": s, "entities": {"properties": {"name": s}}}}),
            json!({"properties": {"order_id": s}}),
            json!({"properties": {"entities": {"additionalProperties": false,
                "properties": {"server_id": s}}}}),
        ] {
            schemas.insert(("j".to_string(), SchemaKind::Response(200)), job);
            assert_eq!(job_follow(&create, &ops, &schemas, "volume_id"), None);
        }
    }

    /// A kind read at its own path but changed under its parent (VPC's subnets) is deleted and
    /// updated there; a DELETE of another kind's id under the same parent is not its delete.
    #[test]
    fn a_delete_under_the_parent_is_the_kinds_delete() {
        let ops = vec![
            op("s.create", "POST", "/v1/{project_id}/subnets"),
            op("s.show", "GET", "/v1/{project_id}/subnets/{subnet_id}"),
            op(
                "s.delete",
                "DELETE",
                "/v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}",
            ),
            op(
                "s.update",
                "PUT",
                "/v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}",
            ),
            op("p.create", "POST", "/v1/{project_id}/ports"),
            op("p.show", "GET", "/v1/{project_id}/ports/{port_id}"),
            op(
                "x.delete",
                "DELETE",
                "/v1/{project_id}/vpcs/{vpc_id}/ports/{other_id}",
            ),
            // Another version's collection of the same word is no parent: its PUT is its own.
            op("t.create", "POST", "/v1/{project_id}/sfs-turbo/shares"),
            op(
                "t.show",
                "GET",
                "/v1/{project_id}/sfs-turbo/shares/{share_id}",
            ),
            op("v2.update", "PUT", "/v2/{project_id}/shares/{share_id}"),
            // A user removed from a group its create never names is no delete of the user.
            op("u.create", "POST", "/v3/users"),
            op("u.show", "GET", "/v3/users/{user_id}"),
            op(
                "g.remove",
                "DELETE",
                "/v3/groups/{group_id}/users/{user_id}",
            ),
        ];
        let schemas = BTreeMap::from([(
            ("s.create".to_string(), SchemaKind::Request),
            json!({"properties": {"subnet": {"properties": {"vpc_id": {"type": "string"}}}}}),
        )]);
        let (table, _) = infer(&ops, &schemas, &BTreeMap::new(), &ResourceTable::default());
        let kind = |name: &str| table.kinds.iter().find(|k| k.kind == name);
        let subnet = kind("subnet.v1").expect("a subnet kind");
        assert_eq!(
            subnet.delete.as_ref().map(|c| c.path.as_str()),
            Some("/v1/{project_id}/vpcs/{vpc_id}/subnets/{id}")
        );
        assert_eq!(
            subnet.update.as_ref().map(|c| c.path.as_str()),
            Some("/v1/{project_id}/vpcs/{vpc_id}/subnets/{id}")
        );
        assert_eq!(kind("port.v1").expect("a port kind").delete, None);
        assert_eq!(
            kind("sfs_turbo.share.v1").expect("a share kind").update,
            None
        );
        assert_eq!(kind("user.v3").expect("a user kind").delete, None);
    }

    /// A GET at the item's place naming another parameter than the delete and the update
    /// (`{strategy_id}` against `{id}`) lists what that other id holds: it is not the kind's
    /// read, and the kind is read through its list, or is none without one.
    #[test]
    fn a_get_naming_another_parameter_than_the_delete_is_no_read_of_the_item() {
        let mut ops = vec![
            op("s.create", "POST", "/v1/specials"),
            op("s.of_strategy", "GET", "/v1/specials/{strategy_id}"),
            op("s.update", "PUT", "/v1/specials/{id}"),
            op("s.delete", "DELETE", "/v1/specials/{id}"),
        ];
        let schemas = BTreeMap::from([(
            ("s.create".to_string(), SchemaKind::Response(200)),
            json!({"properties": {"id": {"type": "string"}}}),
        )]);
        let (table, _) = infer(&ops, &schemas, &BTreeMap::new(), &ResourceTable::default());
        assert!(table.kinds.is_empty(), "{:?}", table.kinds);
        // Agreeing names: the GET is the read, and its name the kind's id parameter.
        ops[1] = op("s.show", "GET", "/v1/specials/{id}");
        let (table, _) = infer(&ops, &schemas, &BTreeMap::new(), &ResourceTable::default());
        assert_eq!(table.kinds.len(), 1, "{:?}", table.kinds);
        assert_eq!(table.kinds[0].id_param.as_deref(), Some("id"));
    }

    #[test]
    fn collections_with_items_are_kinds_nested_ones_children_declared_ones_win() {
        let ops = vec![
            op("bw.create", "POST", "/v2.0/bandwidths"),
            op("bw.list", "GET", "/v2.0/bandwidths"),
            op("bw.show", "GET", "/v2.0/bandwidths/{bandwidth_id}"),
            op("bw.delete", "DELETE", "/v2.0/bandwidths/{bandwidth_id}"),
            op("r.list", "GET", "/v2.0/bandwidths/{bandwidth_id}/rules"),
            op(
                "r.show",
                "GET",
                "/v2.0/bandwidths/{bandwidth_id}/rules/{rule_id}",
            ),
            op("q.list", "GET", "/v1/{project_id}/quotas"),
        ];
        let schemas = BTreeMap::from([(
            ("bw.create".to_string(), SchemaKind::Response(200)),
            json!({"properties": {"bandwidth": {"properties": {"id": {"type": "string"}}}}}),
        )]);
        let (table, notes) = infer(&ops, &schemas, &BTreeMap::new(), &ResourceTable::default());
        let names: Vec<&str> = table.kinds.iter().map(|k| k.kind.as_str()).collect();
        assert_eq!(names, ["bandwidth.v2_0", "bandwidth.rule.v2_0"]);
        let bw = &table.kinds[0];
        assert_eq!(bw.origin, Origin::Inferred);
        assert_eq!(bw.created_id.as_deref(), Some("/bandwidth/id"));
        assert_eq!(bw.id_param.as_deref(), Some("bandwidth_id"));
        assert_eq!(bw.read.path, "/v2.0/bandwidths/{id}");
        assert_eq!(
            bw.delete.as_ref().map(|c| c.path.as_str()),
            Some("/v2.0/bandwidths/{id}")
        );
        assert_eq!(
            bw.create.as_ref().map(|c| c.path.as_str()),
            Some("/v2.0/bandwidths")
        );
        assert_eq!(bw.collection_path.as_deref(), Some("/v2.0/bandwidths"));
        assert_eq!(table.kinds[1].parent.as_deref(), Some("bandwidth.v2_0"));
        assert!(notes
            .iter()
            .any(|n| n.contains("bandwidth.rule.v2_0: no create")));
        assert!(notes
            .iter()
            .any(|n| n.contains("bandwidth.rule.v2_0: no delete")));
        assert!(table.validate().is_ok());
        // A declared entry for the same collection keeps its own fields and gains the rest.
        let mut declared = bw.clone();
        declared.kind = "bandwidth".into();
        declared.origin = Origin::Declared;
        declared.created_id = None;
        declared.list = None;
        declared.scratch_var = Some("bandwidth_id".into());
        let (table, _) = infer(
            &ops,
            &schemas,
            &BTreeMap::new(),
            &ResourceTable {
                kinds: vec![declared],
            },
        );
        assert_eq!(table.kinds.len(), 2);
        let k = &table.kinds[0];
        assert_eq!((k.kind.as_str(), k.origin), ("bandwidth", Origin::Declared));
        assert_eq!(k.scratch_var.as_deref(), Some("bandwidth_id"));
        assert_eq!(k.created_id.as_deref(), Some("/bandwidth/id"));
        assert!(k.list.is_some());
    }

    /// A kind read under a collection named for it (`cluster_infos`) that nothing creates there
    /// is made by the POST of the plain collection under another version and deleted at its
    /// item, the new id found where the create's example answers it when its table names
    /// another field; without such a delete it stays uncreated.
    #[test]
    fn a_kind_read_under_a_collection_named_for_it_is_made_under_the_plain_one() {
        let ops = vec![
            op("c.create", "POST", "/v2/{project_id}/clusters"),
            op(
                "c.delete",
                "DELETE",
                "/v1.1/{project_id}/clusters/{cluster_id}",
            ),
            op(
                "c.show",
                "GET",
                "/v1.1/{project_id}/cluster_infos/{cluster_id}",
            ),
            op("c.list", "GET", "/v1.1/{project_id}/cluster_infos"),
        ];
        let schemas = BTreeMap::from([(
            ("c.create".to_string(), SchemaKind::Response(200)),
            json!({"properties": {"type": {"type": "string"}}}),
        )]);
        let examples = BTreeMap::from([("c.create".to_string(), json!({"cluster_id": "abc"}))]);
        let (table, _) = infer(&ops, &schemas, &examples, &ResourceTable::default());
        let kind = table
            .kinds
            .iter()
            .find(|k| k.kind == "cluster_info.v1_1")
            .expect("the cluster kind");
        assert_eq!(
            kind.create.as_ref().map(|c| c.path.as_str()),
            Some("/v2/{project_id}/clusters")
        );
        assert_eq!(
            kind.delete.as_ref().map(|c| c.path.as_str()),
            Some("/v1.1/{project_id}/clusters/{id}")
        );
        assert_eq!(kind.created_id.as_deref(), Some("/cluster_id"));
        // No example naming the id: no create found.
        let (table, _) = infer(&ops, &schemas, &BTreeMap::new(), &ResourceTable::default());
        assert!(
            table.kinds.iter().all(|k| k.create.is_none()),
            "{:?}",
            table.kinds
        );
    }

    /// A kind no operation reads one of (DDS's instances) is read through its list, narrowed by
    /// the list's `id` query parameter, when a create answers the new id and a delete removes
    /// one; its children hang below the item; without an id in the create answer (a backup
    /// created under `backup_id`, deleted as `{backups_id}`) it is no kind. Listed whole with no
    /// filter, it is a kind only where it is changed at its own item too.
    #[test]
    fn a_kind_with_no_item_read_is_read_through_its_list() {
        let s = json!({"type": "string"});
        let mut list = op("i.list", "GET", "/v3/{project_id}/instances");
        list.query_params = vec![crate::contract::QueryParam {
            name: "id".into(),
            required: false,
            schema: s.clone(),
        }];
        let ops = vec![
            op("i.create", "POST", "/v3/{project_id}/instances"),
            list,
            op(
                "i.delete",
                "DELETE",
                "/v3/{project_id}/instances/{instance_id}",
            ),
            op(
                "t.create",
                "POST",
                "/v3/{project_id}/instances/{instance_id}/tags",
            ),
            op(
                "t.show",
                "GET",
                "/v3/{project_id}/instances/{instance_id}/tags/{tag_id}",
            ),
            op("b.create", "POST", "/v3/{project_id}/backups"),
            op("b.list", "GET", "/v3/{project_id}/backups"),
            op(
                "b.delete",
                "DELETE",
                "/v3/{project_id}/backups/{backups_id}",
            ),
        ];
        let items = json!({"properties": {"instances": {"type": "array", "items": {"properties": {"id": s, "name": s}}}}});
        let backups = json!({"properties": {"backups": {"type": "array", "items": {"properties": {"id": s}}}}});
        let schemas = BTreeMap::from([
            (
                ("i.create".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"id": s, "job_id": s}}),
            ),
            (("i.list".to_string(), SchemaKind::Response(200)), items),
            (
                ("b.create".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"backup_id": s}}),
            ),
            (("b.list".to_string(), SchemaKind::Response(200)), backups),
        ]);
        let examples = BTreeMap::from([(
            "i.list".to_string(),
            json!({"instances": [{"id": "abc", "name": "a"}]}),
        )]);
        let (table, _) = infer(&ops, &schemas, &examples, &ResourceTable::default());
        let kind = |name: &str| table.kinds.iter().find(|k| k.kind == name);
        let instance = kind("instance.v3").expect("an instance kind");
        assert_eq!(instance.read.path, "/v3/{project_id}/instances");
        assert_eq!(
            instance.read_by_list,
            Some(ListRead {
                filter: Some("id".into()),
                array: "/instances".into(),
                key: "id".into()
            })
        );
        assert_eq!(instance.id_param.as_deref(), Some("instance_id"));
        assert_eq!(instance.created_id.as_deref(), Some("/id"));
        assert_eq!(
            instance.delete.as_ref().map(|d| d.path.as_str()),
            Some("/v3/{project_id}/instances/{id}")
        );
        assert_eq!(instance.item_template(), "/v3/{project_id}/instances/{id}");
        assert_eq!(instance.example, Some(json!({"id": "abc", "name": "a"})));
        assert_eq!(
            kind("instance.tag.v3").and_then(|t| t.parent.as_deref()),
            Some("instance.v3")
        );
        assert!(kind("backup.v3").is_none(), "{:?}", table.kinds);
        // Without the list's id filter (a list of what an item holds) it is no kind either.
        let mut unfiltered = ops.clone();
        unfiltered[1].query_params.clear();
        let (table, _) = infer(&unfiltered, &schemas, &examples, &ResourceTable::default());
        assert!(
            table.kinds.iter().all(|k| k.kind != "instance.v3"),
            "{:?}",
            table.kinds
        );
        // Unless it is also changed at its own item (DWS's alarm subscriptions: made, changed
        // and deleted at `…/alarm-subs/{alarm_sub_id}`, listed whole): its read is the list.
        unfiltered.push(op(
            "i.update",
            "PUT",
            "/v3/{project_id}/instances/{instance_id}",
        ));
        let (table, _) = infer(&unfiltered, &schemas, &examples, &ResourceTable::default());
        let instance = table.kinds.iter().find(|k| k.kind == "instance.v3");
        let read = instance.and_then(|k| k.read_by_list.clone());
        assert_eq!(
            read,
            Some(ListRead {
                filter: None,
                array: "/instances".into(),
                key: "id".into()
            }),
            "{:?}",
            table.kinds
        );
    }

    /// A kind with a create, an update and a delete but no read of one (ModelArts' training
    /// jobs) is read through its list when the list's items carry its own id parameter, as a
    /// number or a string, even without a filter: its children hang below it, and a sibling
    /// collection with the same id parameter (visualization jobs) stays a kind of its own.
    #[test]
    fn a_kind_listed_under_its_own_id_parameter_is_read_through_the_list() {
        let i = json!({"type": "integer"});
        let ops = vec![
            op("t.create", "POST", "/v1/{project_id}/training-jobs"),
            op("t.list", "GET", "/v1/{project_id}/training-jobs"),
            op("t.update", "PUT", "/v1/{project_id}/training-jobs/{job_id}"),
            op(
                "t.delete",
                "DELETE",
                "/v1/{project_id}/training-jobs/{job_id}",
            ),
            op(
                "v.list",
                "GET",
                "/v1/{project_id}/training-jobs/{job_id}/versions",
            ),
            op(
                "v.show",
                "GET",
                "/v1/{project_id}/training-jobs/{job_id}/versions/{version_id}",
            ),
            op("z.create", "POST", "/v1/{project_id}/visualization-jobs"),
            op(
                "z.show",
                "GET",
                "/v1/{project_id}/visualization-jobs/{job_id}",
            ),
            op(
                "z.delete",
                "DELETE",
                "/v1/{project_id}/visualization-jobs/{job_id}",
            ),
        ];
        let jobs = json!({"properties": {"jobs": {"type": "array", "items": {"properties": {"job_id": i}}}}});
        let created = json!({"properties": {"job_id": i, "version_id": i}});
        let schemas = BTreeMap::from([
            (
                ("t.create".to_string(), SchemaKind::Response(200)),
                created.clone(),
            ),
            (("t.list".to_string(), SchemaKind::Response(200)), jobs),
            (("z.create".to_string(), SchemaKind::Response(200)), created),
        ]);
        let (table, _) = infer(&ops, &schemas, &BTreeMap::new(), &ResourceTable::default());
        let kind = |name: &str| table.kinds.iter().find(|k| k.kind == name);
        let job = kind("training_job.v1").expect("a training job kind");
        assert_eq!(job.read.path, "/v1/{project_id}/training-jobs");
        assert_eq!(
            job.read_by_list,
            Some(ListRead {
                filter: None,
                array: "/jobs".into(),
                key: "job_id".into()
            })
        );
        assert_eq!(job.created_id.as_deref(), Some("/job_id"));
        assert_eq!(
            job.update.as_ref().map(|u| u.path.as_str()),
            Some("/v1/{project_id}/training-jobs/{id}")
        );
        assert_eq!(
            kind("training_job.version.v1").and_then(|v| v.parent.as_deref()),
            Some("training_job.v1")
        );
        let vis = kind("visualization_job.v1").expect("the visualization job kind");
        assert_eq!(vis.read.path, "/v1/{project_id}/visualization-jobs/{id}");
        // Items carrying only a generic integer `id` name no one of the kind.
        let generic = BTreeMap::from([
            (
                ("t.list".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"jobs": {"type": "array", "items": {"properties": {"id": i}}}}}),
            ),
            (
                ("t.create".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"job_id": i}}),
            ),
        ]);
        let (table, _) = infer(&ops, &generic, &BTreeMap::new(), &ResourceTable::default());
        assert!(
            table.kinds.iter().all(|k| k.kind != "training_job.v1"),
            "{:?}",
            table.kinds
        );
    }

    /// A kind read under one API version and created under another (EIP's publicips) gets that
    /// create, and that version's delete where its own has none; a sibling version with its own
    /// item read is a kind of its own, not a create.
    #[test]
    fn a_create_under_another_version_creates_the_kind_it_reads() {
        let ops = vec![
            op("p.create", "POST", "/v2.0/{project_id}/publicips"),
            op("p.show", "GET", "/v1/{project_id}/publicips/{publicip_id}"),
            op("p.list", "GET", "/v1/{project_id}/publicips"),
            op(
                "p.delete",
                "DELETE",
                "/v2.0/{project_id}/publicips/{publicip_id}",
            ),
            op("g.create", "POST", "/v3/{project_id}/gadgets"),
            op("g.show3", "GET", "/v3/{project_id}/gadgets/{gadget_id}"),
            op("g.show1", "GET", "/v1/{project_id}/gadgets/{gadget_id}"),
            op("g.list1", "GET", "/v1/{project_id}/gadgets"),
        ];
        let schemas = BTreeMap::from([(
            ("p.create".to_string(), SchemaKind::Response(200)),
            json!({"properties": {"publicip": {"properties": {"id": {"type": "string"}}}}}),
        )]);
        let (table, _) = infer(&ops, &schemas, &BTreeMap::new(), &ResourceTable::default());
        let kind = |name: &str| table.kinds.iter().find(|k| k.kind == name).unwrap();
        let ip = kind("publicip.v1");
        assert_eq!(
            ip.create.as_ref().map(|c| c.path.as_str()),
            Some("/v2.0/{project_id}/publicips")
        );
        assert_eq!(ip.created_id.as_deref(), Some("/publicip/id"));
        // With no delete of its own version, it is deleted where it was made.
        assert_eq!(
            ip.delete.as_ref().map(|c| c.path.as_str()),
            Some("/v2.0/{project_id}/publicips/{id}")
        );
        assert_eq!(
            ip.collection_path.as_deref(),
            Some("/v1/{project_id}/publicips")
        );
        // v3 gadgets are read at v3: their create is v3's kind's, not v1's.
        assert!(kind("gadget.v1").create.is_none());
        assert!(kind("gadget.v3").create.is_some());
    }

    /// A kind keyed by a name is created by the POST that sends it (`name` for `{secret_name}`,
    /// under an envelope for `{keypair_name}`, the field named as the parameter for
    /// `{namespace}`); a PUT of the item documenting 201 creates what its path names, and its
    /// PATCH updates; an id parameter the server answers stays the server's.
    #[test]
    fn a_key_the_client_chooses_is_found_in_the_create_request_or_path() {
        let s = json!({"type": "string"});
        let mut put = op("i.put", "PUT", "/v3/providers/{id}");
        put.success = vec![201];
        put.path_params = vec!["id".into()];
        let mut generic = op(
            "c.put",
            "PUT",
            "/v1/{project_id}/cluster_infos/{cluster_id}",
        );
        generic.success = vec![200, 201, 202, 203];
        let ops = vec![
            op("s.create", "POST", "/v1/{project_id}/secrets"),
            op("s.show", "GET", "/v1/{project_id}/secrets/{secret_name}"),
            op("k.create", "POST", "/v3/{project_id}/keypairs"),
            op("k.show", "GET", "/v3/{project_id}/keypairs/{keypair_name}"),
            op("n.create", "POST", "/v2/manage/namespaces"),
            op("n.show", "GET", "/v2/manage/namespaces/{namespace}"),
            put,
            op("i.show", "GET", "/v3/providers/{id}"),
            op("i.patch", "PATCH", "/v3/providers/{id}"),
            op("v.create", "POST", "/v1/{project_id}/vpcs"),
            op("v.show", "GET", "/v1/{project_id}/vpcs/{vpc_id}"),
            // A generic status table (200, 201, 202…) on an update is no create.
            generic,
            op("c.list", "GET", "/v1/{project_id}/cluster_infos"),
            op(
                "c.show",
                "GET",
                "/v1/{project_id}/cluster_infos/{cluster_id}",
            ),
        ];
        let schemas = BTreeMap::from([
            (
                ("s.create".to_string(), SchemaKind::Request),
                json!({"properties": {"name": s, "description": s}}),
            ),
            (
                ("s.create".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"secret": {"properties": {"id": s}}}}),
            ),
            (
                ("k.create".to_string(), SchemaKind::Request),
                json!({"properties": {"keypair": {"properties": {"name": s}}}}),
            ),
            (
                ("n.create".to_string(), SchemaKind::Request),
                json!({"properties": {"namespace": s}}),
            ),
            (
                ("v.create".to_string(), SchemaKind::Request),
                json!({"properties": {"vpc": {"properties": {"vpc_id": s, "name": s}}}}),
            ),
            (
                ("v.create".to_string(), SchemaKind::Response(200)),
                json!({"properties": {"vpc": {"properties": {"id": s}}}}),
            ),
        ]);
        let (table, notes) = infer(&ops, &schemas, &BTreeMap::new(), &ResourceTable::default());
        let key = |name: &str| {
            table
                .by_kind(name)
                .unwrap_or_else(|| panic!("{name}: {table:?}"))
                .client_key
                .clone()
        };
        assert_eq!(key("secret.v1"), Some(ClientKey::Body("/name".into())));
        assert_eq!(
            table
                .by_kind("secret.v1")
                .and_then(|k| k.created_id.clone()),
            Some("/secret/id".into()),
            "the server's id is still where it is"
        );
        assert_eq!(
            key("keypair.v3"),
            Some(ClientKey::Body("/keypair/name".into()))
        );
        assert_eq!(
            key("manage.namespace.v2"),
            Some(ClientKey::Body("/namespace".into()))
        );
        assert_eq!(key("provider.v3"), Some(ClientKey::Path("id".into())));
        let idp = table.by_kind("provider.v3").unwrap();
        assert_eq!(idp.create.as_ref().map(|c| c.method.as_str()), Some("PUT"));
        assert_eq!(
            idp.update.as_ref().map(|c| c.method.as_str()),
            Some("PATCH")
        );
        assert_eq!(key("vpc.v1"), None);
        let info = table
            .by_kind("cluster_info.v1")
            .expect("a cluster_info kind");
        assert_eq!((&info.create, &info.client_key), (&None, &None));
        assert_eq!(info.update.as_ref().map(|c| c.method.as_str()), Some("PUT"));
        assert!(
            !notes.iter().any(|n| n.contains("no id in the create")),
            "{notes:?}"
        );
        assert!(table.by_kind("keypair.v3").unwrap().finds_created_id());
    }

    #[test]
    fn names_are_singular_and_versioned() {
        assert_eq!(
            kind_name("bandwidths", "/v2.0/bandwidths/{id}"),
            "bandwidth.v2_0"
        );
        assert_eq!(
            kind_name(
                "security-groups",
                "/v3/{project_id}/vpc/security-groups/{id}"
            ),
            "vpc.security_group.v3"
        );
        assert_eq!(kind_name("policies", "/v1/{p}/policies/{id}"), "policy.v1");
        assert_eq!(
            normalise("/v1/{project_id}/vpcs/{vpc_id}"),
            "/v1/{}/vpcs/{}"
        );
    }
}
