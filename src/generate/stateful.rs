//! Stateful sequences per kind, as RESTler's checkers and Schemathesis's stateful links test a
//! service: each case is named after the property it tests and chains the kind's operations
//! through the id its create answers.
//!
//! - `lifecycle`: create → read shows what was sent → update → read shows the update → list
//!   contains it → delete → read is the documented 404 → list no longer contains it (read after
//!   write, and the listing half of leakage).
//! - `use_after_delete`: once deleted, every operation on the resource (and below it) answers
//!   the documented 404.
//! - `idempotent_update`: the same PUT twice succeeds twice and leaves what one did.
//! - `hierarchy`: a child reached through another parent's id is not found.
//! - `leakage`: a create refused for its body leaves nothing a list shows.
//! - `read_after_write`: what a write (PUT, or POST) of one of its settings (`…/backups/policy`)
//!   sends, the GET at the setting's path shows.
//!
//! The namespace (another project's id behaves as unknown) and invalid-id properties are
//! per-operation path cases of [`super::OpGen`].

use serde_json::{json, Map, Value};

use super::producers::{
    request_body, success_yaml, Plan, PlannedStep, Planner, Producer, Producers,
};
use super::{header, operation_dir, render_planned, schema_at, values, GeneratedCase};
use crate::case::typed::Capture;
use crate::contract::derive::resources::normalise;
use crate::contract::key_value::KeyValue;
use crate::contract::resources::{ClientKey, ListRead};
use crate::contract::rules::{
    field_switch, is_resource_param, rule_id, setting_read, source_of, Constraint,
};
use crate::contract::{Contract, Operation, SchemaKind};

/// Values an update gives a name or description, the first that the schema accepts and that
/// differs from what the create sent.
const UPDATED: &[&str] = &["conform-updated", "conformupdated", "conform2", "cu"];

/// One kind's stateful cases.
struct KindCases<'c, 'a> {
    contract: &'a Contract,
    producers: &'c Producers<'a>,
    p: &'c Producer<'a>,
    /// The variable the kind's id is captured into.
    var: String,
    /// Parents' creates.
    parents: Plan,
    /// The kind's own create (capturing `var`, or the job that will name it).
    create: PlannedStep,
    /// The wait for the create's job, capturing `var`, for a kind made by a job.
    follow: Option<PlannedStep>,
    /// Its body, as sent.
    sent: Option<Value>,
}

/// The stateful cases of every kind whose create, read and delete the contract has (of one
/// with no delete, only read after write), for the selected operations (a kind is in when its
/// create is).
pub fn cases(
    contract: &Contract,
    producers: &Producers<'_>,
    selected: &dyn Fn(&str) -> bool,
) -> Vec<GeneratedCase> {
    let mut out = Vec::new();
    for p in producers.iter().filter(|p| selected(&p.create.id)) {
        let Some(k) = KindCases::new(contract, producers, p) else {
            continue;
        };
        if p.delete.is_none() {
            out.extend(k.read_after_write());
            continue;
        }
        out.extend(k.lifecycle());
        out.extend(k.use_after_delete());
        out.extend(k.idempotent_update());
        out.extend(k.hierarchy());
        out.extend(k.leakage());
        out.extend(k.settings());
    }
    out
}

/// The response schema of an operation's first documented success status.
fn response_schema<'c>(contract: &'c Contract, op: &Operation) -> Option<&'c Value> {
    let status = *op.success.first()?;
    contract.schema(&op.id, SchemaKind::Response(status))
}

/// Whether a value fits a (sub-)schema: only then can an answer show it as sent.
fn fits(schema: &Value, v: &Value) -> bool {
    jsonschema::validator_for(schema).is_ok_and(|val| val.is_valid(v))
}

/// Whether the field is one an answer would not show as sent (a secret, an id, a reference).
fn not_echoed(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "id"
        || k.ends_with("_id")
        || k.ends_with("_ids")
        || ["pass", "secret", "token", "key", "pwd"]
            .iter()
            .any(|w| k.contains(w))
}

/// The string fields of a body, one envelope deep, that an answer may show as sent:
/// `(/vpc/name, "conform")`.
fn sent_strings(body: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in body.as_object().into_iter().flatten() {
        match v {
            Value::String(s) if !not_echoed(k) => out.push((format!("/{k}"), s.clone())),
            Value::Object(inner) => push_strings(&format!("/{k}"), inner, &mut out),
            _ => {}
        }
    }
    out
}

/// [`sent_strings`], and those of the first item of each list of objects one level down
/// (`/agency_mappings/0/agency`): a setting written as a list reads back as that list.
fn sent_strings_deep(body: &Value) -> Vec<(String, String)> {
    let mut out = sent_strings(body);
    for (k, v) in body.as_object().into_iter().flatten() {
        if let Some(Value::Object(first)) = v.as_array().and_then(|items| items.first()) {
            push_strings(&format!("/{k}/0"), first, &mut out);
        }
    }
    out
}

/// Pushes the string fields of `o` (found at `at`) that an answer may show as sent.
fn push_strings(at: &str, o: &Map<String, Value>, out: &mut Vec<(String, String)>) {
    for (k, v) in o {
        if let Value::String(s) = v {
            if !not_echoed(k) {
                out.push((format!("{at}/{k}"), s.clone()));
            }
        }
    }
}

/// Whether a body names a resource nothing made: an id field (`vpc_id`, `subnet_ids`) holding
/// the generator's placeholder, which a real service would refuse as unknown.
fn names_unmade(body: &Value) -> bool {
    match body {
        Value::Object(o) => o.iter().any(|(k, v)| {
            let id = k == "id" || k.ends_with("_id") || k.ends_with("_ids");
            let mut texts = Vec::new();
            crate::case::vars::strings_of(v, &mut texts);
            (id && texts.iter().any(|t| t == values::PLACEHOLDER)) || names_unmade(v)
        }),
        Value::Array(items) => items.iter().any(names_unmade),
        _ => false,
    }
}

/// Where a request schema has a `name` (else a `description`) string, at the top or one
/// envelope deep: the field an update changes.
fn updatable_field(schema: &Value) -> Option<(String, &Value)> {
    updatable_fields(schema).into_iter().next()
}

/// The fields an update may change, best first: `name`, then `description` (at the top or one
/// envelope deep), then other free-text names (SMN's topic update sets only `display_name`);
/// never an enumerated one, which the update may not be free to change.
fn updatable_fields(schema: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    let inner: Vec<(&String, &Map<String, Value>)> = props
        .iter()
        .filter_map(|(k, s)| Some((k, s.get("properties")?.as_object()?)))
        .collect();
    for field in ["name", "description"] {
        if let Some(s) = props.get(field).filter(|s| s["type"] == "string") {
            out.push((format!("/{field}"), s));
        }
        for (env, p) in &inner {
            if let Some(s) = p.get(field).filter(|s| s["type"] == "string") {
                out.push((format!("/{env}/{field}"), s));
            }
        }
    }
    let named = |k: &String, s: &Value| {
        let free = s["type"] == "string" && s.get("enum").is_none();
        free && (k.ends_with("_name") || k.ends_with("_description"))
    };
    out.extend(
        props
            .iter()
            .filter(|(k, s)| named(k, s))
            .map(|(k, s)| (format!("/{k}"), s)),
    );
    for (env, p) in &inner {
        out.extend(
            p.iter()
                .filter(|(k, s)| named(k, s))
                .map(|(k, s)| (format!("/{env}/{k}"), s)),
        );
    }
    out
}

/// Whether a field holds a link or an address (`notify_callback_url`, `ip`, `cidr`): a service
/// may check or rewrite it, so it is no field to read an update back by.
fn is_link(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["url", "uri", "link", "href", "ip", "address", "cidr"]
        .iter()
        .any(|w| k == *w || k.ends_with(&format!("_{w}")))
}

/// The free strings of an update's body, at the top then one envelope deep, after
/// [`updatable_fields`]' names: a string with no enum, format or pattern that is no id,
/// reference, secret or link (Live's record rule update sends only `app`, `stream`,
/// `publish_domain`). Only one a read shows is worth changing: see [`KindCases::update_step`].
fn free_text_fields(schema: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    let free = |k: &str, s: &Value| {
        s["type"] == "string"
            && ["enum", "format", "pattern", "const"]
                .iter()
                .all(|w| s.get(*w).is_none())
            && !not_echoed(k)
            && !is_link(k)
    };
    out.extend(
        props
            .iter()
            .filter(|(k, s)| free(k, s))
            .map(|(k, s)| (format!("/{k}"), s)),
    );
    for (env, inner) in props
        .iter()
        .filter_map(|(k, s)| Some((k, s.get("properties")?.as_object()?)))
    {
        out.extend(
            inner
                .iter()
                .filter(|(k, s)| free(k, s))
                .map(|(k, s)| (format!("/{env}/{k}"), s)),
        );
    }
    // Then those of the first item of a list of objects (DLI's connection update sends only
    // `hosts`, each a `name` and an `ip`).
    for (list, inner) in props.iter().filter_map(|(k, s)| {
        let item = s.get("items")?;
        Some((k, item.get("properties")?.as_object()?))
    }) {
        out.extend(
            inner
                .iter()
                .filter(|(k, s)| free(k, s))
                .map(|(k, s)| (format!("/{list}/0/{k}"), s)),
        );
    }
    out
}

/// Where `pointer` runs through the first item of a list (`/hosts/0/name`) and the body's list
/// is empty, the list gets the simplest valid item first, so that the item sent is whole.
fn with_first_item(body: &mut Value, schema: &Value, pointer: &str) {
    let Some((list, _)) = pointer.split_once("/0/") else {
        return;
    };
    let Some(item) = schema_at(schema, list).and_then(|s| s.get("items")) else {
        return;
    };
    match body.pointer_mut(list) {
        Some(Value::Array(a)) if a.is_empty() => a.push(values::simple_value(item)),
        None => crate::pointer::set(body, list, json!([values::simple_value(item)])),
        _ => {}
    }
}

/// The `value` schema of a JSON Patch request (an array of `{op, path, value}` whose `op` may be
/// `replace`).
fn patch_update(schema: &Value) -> Option<&Value> {
    let item = schema.get("items")?.get("properties")?;
    item.get("path")?;
    let replace = item
        .get("op")?
        .get("enum")?
        .as_array()?
        .iter()
        .any(|v| v == "replace");
    replace.then(|| item.get("value")).flatten()
}

/// The key naming one resource's id in a read or list item: the id pointer's last segment, or
/// `id` where the create answers a list of ids (`/volume_ids/0`).
fn id_key(id_pointer: &str) -> &str {
    match id_pointer.rsplit('/').next() {
        Some(k) if !k.is_empty() && k.parse::<usize>().is_err() => k,
        _ => "id",
    }
}

/// The partial list item naming the one captured in `var` at `key` (`{"metadata": {"uid":
/// "${cluster_id}"}}` for `/metadata/uid`).
fn item_naming(key: &str, var: &str) -> Value {
    let mut item = json!({});
    crate::pointer::set(&mut item, key, json!(format!("${{{var}}}")));
    item
}

/// Where a read answer holds the id: the create's pointer where the read documents it, else
/// `id` at the top or in the read's one envelope.
fn read_id_pointer(read: &Value, id_pointer: &str) -> Option<String> {
    let string_at = |p: &str| schema_at(read, p).is_some_and(|s| s["type"] == "string");
    if string_at(id_pointer) {
        return Some(id_pointer.to_string());
    }
    let own = id_key(id_pointer);
    // The key as the create spells it, else in the other spelling (MRS reads `clusterId`).
    let respelled = crate::contract::spelling::other(own);
    for key in std::iter::once(own).chain(respelled.as_deref()) {
        if string_at(&format!("/{key}")) {
            return Some(format!("/{key}"));
        }
    }
    let key = own;
    let props = read.get("properties")?.as_object()?;
    let envelopes: Vec<&String> = props
        .iter()
        .filter(|(_, s)| s.get("properties").is_some())
        .map(|(name, _)| name)
        .collect();
    if let [name] = envelopes[..] {
        for key in std::iter::once(own).chain(respelled.as_deref()) {
            let one = format!("/{name}/{key}");
            if string_at(&one) {
                return Some(one);
            }
        }
    }
    // A read answering a list of the one (AOM's rule read as `thresholds: [rule]`): its first
    // item, where one list's items show the id and the answer holds nothing else but objects
    // (a count's envelope), no field of its own.
    if props
        .values()
        .any(|p| p.get("items").is_none() && p.get("properties").is_none())
    {
        return None;
    }
    let mut lists = props
        .iter()
        .map(|(name, _)| format!("/{name}/0/{key}"))
        .filter(|at| string_at(at));
    let one = lists.next()?;
    lists.next().is_none().then_some(one)
}

/// Where a read answer documents the request field at `pointer`, and its schema: the same
/// pointer, else under the envelope holding the read's id (`/scaling_group/description` for a
/// request's bare `/description`), else without the request's own envelope (`/name` for
/// `/volume/name` where the answer has no `volume`).
fn shown_at<'s>(
    read: &'s Value,
    pointer: &str,
    id_at: Option<&str>,
) -> Option<(String, &'s Value)> {
    let envelope = id_at
        .and_then(|at| at.rsplit_once('/'))
        .map(|(env, _)| env)
        .filter(|env| !env.is_empty());
    let unwrapped = pointer
        .strip_prefix('/')
        .and_then(|p| p.split_once('/'))
        .filter(|(env, _)| schema_at(read, &format!("/{env}")).is_none())
        .map(|(_, rest)| format!("/{rest}"));
    let places: Vec<String> = std::iter::once(pointer.to_string())
        .chain(envelope.map(|env| format!("{env}{pointer}")))
        .chain(unwrapped)
        .collect();
    // Each place, then each with the field in its other spelling (`/cluster/clusterName` for
    // a sent `/cluster_name`).
    let respelled = places.iter().filter_map(|at| {
        let (parent, field) = at.rsplit_once('/')?;
        Some(format!(
            "{parent}/{}",
            crate::contract::spelling::other(field)?
        ))
    });
    places
        .iter()
        .cloned()
        .chain(respelled)
        .find_map(|at| schema_at(read, &at).map(|s| (at, s)))
}

/// The array of a list answer whose items carry the id, and the id's key there: the answer
/// itself where it is an array (`""`: AOS lists its templates bare), else an array property.
/// The key is the create's (`cert_id`), else `id` where that is the kind's own (`own_id`): a
/// kind made by a job names what it made by its entity key (SDRS's `server_group_id`) and the
/// list shows the group's own `id`; a kind whose read shows its id as `id` and not under the
/// create's key (SCM's certificate, created as `certificate_id`) is listed by it too. A create
/// answering its key otherwise (EIP's `publicip_id`) may list another `id`, and a client's key
/// (SWR's namespace) is no `id`.
fn list_array(
    contract: &Contract,
    list: &Operation,
    id_pointer: &str,
    own_id: bool,
) -> Option<(String, String)> {
    list_array_in(response_schema(contract, list)?, id_pointer, own_id)
}

/// [`list_array`] in a list's answer schema: the array's pointer and where its items hold the
/// id (`/id`; `/metadata/uid` where items are whole objects naming it nested, as CCE's
/// clusters are listed as created).
fn list_array_in(answer: &Value, id_pointer: &str, own_id: bool) -> Option<(String, String)> {
    let props = answer.get("properties").and_then(Value::as_object);
    let carries = |s: &Value, at: &str| {
        s.get("items")
            .is_some_and(|item| schema_at(item, at).is_some())
    };
    // The create's own key in any array before `id` in one (a parent's `id` beside it), then
    // the create's whole pointer in items that nest it.
    let nested = (id_pointer.matches('/').count() > 1).then_some(id_pointer.to_string());
    // The create's key in the other spelling (MRS lists `clusterId` for `cluster_id`).
    let respelled =
        crate::contract::spelling::other(id_key(id_pointer)).map(|k| crate::pointer::child("", &k));
    let keys = [
        Some(crate::pointer::child("", id_key(id_pointer))),
        respelled,
        own_id.then(|| "/id".to_string()),
        nested,
    ];
    keys.into_iter().flatten().find_map(|key| {
        if carries(answer, &key) {
            return Some((String::new(), key));
        }
        let (name, _) = props?.iter().find(|(_, s)| carries(s, &key))?;
        Some((crate::pointer::child("", name), key))
    })
}

/// The item schema of the list array at `array` (`""`: the answer itself).
fn list_item<'s>(answer: &'s Value, array: &str) -> Option<&'s Value> {
    if array.is_empty() {
        return answer.get("items");
    }
    answer.pointer(&format!("/properties{array}/items"))
}

impl<'c, 'a> KindCases<'c, 'a> {
    fn new(
        contract: &'a Contract,
        producers: &'c Producers<'a>,
        p: &'c Producer<'a>,
    ) -> Option<KindCases<'c, 'a>> {
        p.read?;
        // A kind the pages give no delete is still checked where an update can be read back.
        if p.delete.is_none() && p.update.is_none() {
            return None;
        }
        let planner = Planner {
            producers,
            contract,
        };
        let var = p.id_param.to_string();
        let mut parents = Plan {
            seed: p.kind.to_string(),
            ..Plan::default()
        };
        if !planner.produce(&mut parents, p, &var, "project_id") {
            return None;
        }
        // A kind made by a job: its create, then the wait for the job, which captures the id.
        let follow = match p.job {
            Some(_) => {
                let mut wait = parents.setup.pop()?;
                wait.name = format!("wait for the job creating {}", p.kind);
                Some(wait)
            }
            None => None,
        };
        let mut create = parents.setup.pop()?;
        create.name = format!("create {}", p.kind);
        // Its own teardown (where it has a delete) came first; the parents' stay.
        if p.delete.is_some() {
            parents.teardown.remove(0);
        }
        let sent = create.body.clone();
        Some(KindCases {
            contract,
            producers,
            p,
            var,
            parents,
            create,
            follow,
            sent,
        })
    }

    /// The documented 404, or any 4xx where the service documents none.
    fn not_found(&self, op: &Operation) -> String {
        if self.contract.documents(&op.service, 404) {
            "404".into()
        } else {
            json!("4xx").to_string()
        }
    }

    /// A step of `op` on the created one (`var`), with the parents' parameters.
    fn on_item(&self, name: String, op: &Operation, var: &str, status: String) -> PlannedStep {
        let mut params = self.create.params.clone();
        self.p.item_params(op, &mut params, var);
        for p in &op.path_params {
            // Non-id segments (an action's name) take the generator's word; other ids of the
            // path than the kind's are unknown (the parent answers first), except a parent the
            // create names too and nothing creates (the target's `domain_id`): the same one.
            if !params.contains_key(p) && p != "project_id" {
                let known = *p == self.var
                    || self.parents.defines(p)
                    || self.p.create.path_params.contains(p);
                if !known {
                    let v = if is_resource_param(p) {
                        "${missing_id}"
                    } else {
                        "conform"
                    };
                    params.insert(p.clone(), json!(v));
                }
            }
        }
        let mut query = super::producers::required_query(op);
        let mut body = request_body(self.contract, op);
        self.p.name_in_request(op, &mut query, &mut body, var);
        PlannedStep {
            name,
            operation: op.id.clone(),
            params,
            query,
            body,
            status,
            ..PlannedStep::default()
        }
    }

    /// The list's required query: a parameter the create sent as a field (APIG's env
    /// variables are listed by the `group_id` they were created in) is what it sent, so the
    /// list is of the scope the new one is in.
    fn list_query(&self, list: &Operation) -> serde_json::Map<String, Value> {
        let mut query = super::producers::required_query(list);
        for (name, v) in query.iter_mut() {
            let sent = self.create.sent_field(name).and_then(|at| {
                let at = at.strip_prefix("/body")?;
                self.create.body.as_ref()?.pointer(at).cloned()
            });
            if let Some(sent) = sent {
                *v = sent;
            }
        }
        query
    }

    /// A list step asserting the created one is (or is no longer) listed.
    fn list_step(&self, listed: bool) -> Option<PlannedStep> {
        let list = self.p.list?;
        let (array, key) = list_array(self.contract, list, self.p.key_pointer(), self.own_id())?;
        let which = if listed { "includes" } else { "excludes" };
        Some(PlannedStep {
            name: format!(
                "list the {} collection: {}",
                self.p.kind,
                if listed {
                    "the new one is listed"
                } else {
                    "the deleted one is not listed"
                }
            ),
            operation: list.id.clone(),
            params: self.create.params.clone(),
            query: self.list_query(list),
            status: success_yaml(list),
            assertions: vec![json!({"pointer": array, which: item_naming(&key, &self.var)})],
            ..PlannedStep::default()
        })
    }

    /// The schema of what a read shows of one: the read's answer, or the list's item for a
    /// kind read through its list.
    fn read_schema(&self) -> Option<&'a Value> {
        let read = self.p.read?;
        let answer = response_schema(self.contract, read)?;
        match self.p.listed {
            Some(how) => answer.pointer(&format!("/properties{}/items", how.array)),
            None => Some(answer),
        }
    }

    /// Whether a list item's `id` is the kind's own id: the kind is made by a job, or the
    /// server chooses its id and its read shows it as `id`, not under the create's key.
    fn own_id(&self) -> bool {
        self.p.job.is_some()
            || (self.p.key.is_none()
                && self.read_schema().is_some_and(|read| {
                    read_id_pointer(read, self.p.key_pointer()).is_none()
                        && read_id_pointer(read, "/id").is_some()
                }))
    }

    /// Where [`Self::read_schema`] holds the id.
    fn read_id_at(&self) -> Option<String> {
        match self.p.listed {
            Some(how) => Some(crate::pointer::child("", &how.key)),
            None => {
                let at = read_id_pointer(self.read_schema()?, self.p.key_pointer())?;
                // A read answering a list of the one shows its id as a string: only an id
                // captured as one is compared there (VOD's categories answer a number).
                let as_string = matches!(self.p.id_capture(), Capture::Text(_))
                    || response_schema(self.contract, self.p.create)
                        .and_then(|s| schema_at(s, self.p.id_pointer))
                        .is_some_and(|s| s["type"] == "string");
                (!at.contains("/0/") || as_string).then_some(at)
            }
        }
    }

    /// A read of the list narrowed to the one created (by the list's id filter, where it has
    /// one), for a kind no operation reads one of.
    fn list_read(&self, name: String, how: &ListRead) -> Option<PlannedStep> {
        let list = self.p.read?;
        let mut query = self.list_query(list);
        for (k, v) in how.query(&format!("${{{}}}", self.var)) {
            query.insert(k, json!(v));
        }
        Some(PlannedStep {
            name,
            operation: list.id.clone(),
            params: self.create.params.clone(),
            query,
            status: success_yaml(list),
            ..PlannedStep::default()
        })
    }

    /// A read asserting the id and every sent field the answer documents (read after write);
    /// for a kind read through its list, that the list holds an item with the id and those
    /// fields.
    fn read_step(&self, name: String, shows: &[(String, Value)]) -> Option<PlannedStep> {
        let read = self.p.read?;
        let schema = self.read_schema();
        let id_at = self.read_id_at();
        let mut shown = Vec::new();
        for (pointer, value) in shows {
            let Some((at, documented)) =
                schema.and_then(|s| shown_at(s, pointer, id_at.as_deref()))
            else {
                continue;
            };
            // A nullable string (`["string", "null"]`) is a string where it is shown.
            let typed = match value {
                Value::String(_) => "string",
                Value::Bool(_) => "boolean",
                _ => continue,
            };
            let declared = crate::contract::rules::declared_type(documented);
            if declared == Some(typed) && fits(documented, value) {
                shown.push((at, value.clone()));
            }
        }
        let id = json!(format!("${{{}}}", self.var));
        if let Some(how) = self.p.listed {
            let mut step = self.list_read(name, how)?;
            let mut item = json!({});
            crate::pointer::set(&mut item, &crate::pointer::child("", &how.key), id);
            // A list shows a summary of each: only the names and descriptions it documents are
            // held to be what was sent (RDS's list shows its own view of a flavor sent).
            let named = |at: &str| {
                let last = at.rsplit('/').next().unwrap_or_default();
                ["name", "description"]
                    .iter()
                    .any(|w| last == *w || last.ends_with(&format!("_{w}")))
            };
            for (at, value) in shown.into_iter().filter(|(at, _)| named(at)) {
                crate::pointer::set(&mut item, &at, value);
            }
            step.assertions
                .push(json!({"pointer": how.array, "includes": item}));
            return Some(step);
        }
        let mut step = self.on_item(name, read, &self.var, success_yaml(read));
        if let Some(at) = &id_at {
            step.assertions.push(json!({"pointer": at, "equals": id}));
        }
        for (at, value) in shown {
            step.assertions
                .push(json!({"pointer": at, "equals": value}));
        }
        Some(step)
    }

    /// The read of a deleted one: the documented not-found, or (read through the list) the
    /// list no longer holding it.
    fn gone_step(&self) -> Option<PlannedStep> {
        let read = self.p.read?;
        let name = format!("read the deleted {}: not found", self.p.kind);
        match self.p.listed {
            Some(how) => {
                let mut step = self.list_read(name, how)?;
                let id = format!("${{{}}}", self.var);
                step.assertions
                    .push(json!({"pointer": how.array, "excludes": {how.key.clone(): id}}));
                Some(step)
            }
            None => Some(self.on_item(name, read, &self.var, self.not_found(read))),
        }
    }

    /// The operation whose not-found a deleted one is checked by: the read of one, else (read
    /// through the list) the delete, whose path names it.
    fn gone_op(&self) -> Option<&'a Operation> {
        match self.p.listed {
            Some(_) => self.p.delete,
            None => self.p.read,
        }
    }

    /// The update changing the name (or description) to a new value, and what a read shows.
    fn update_step(&self) -> Option<(PlannedStep, (String, String))> {
        let update = self.p.update?;
        let schema = self
            .contract
            .schema(&update.id, SchemaKind::Request)
            .filter(|_| update.request_body)?;
        let validator = self.contract.validator(&update.id, SchemaKind::Request)?;
        // A JSON Patch update (Glance's) replaces the name; any other sets the field.
        let patch = patch_update(schema);
        // The field a read shows back, where one is (Manila's update sets `display_name`, its
        // read shows `name`: its `display_description` is no better a check).
        let read = self.read_schema();
        let id_at = self.read_id_at();
        // The name the update's own answer shows a `display_X` under (Manila's `name`).
        let answer = response_schema(self.contract, update);
        let named = |p: &str| {
            answer
                .and_then(|a| crate::contract::display_alias(p, a))
                .unwrap_or_else(|| p.to_string())
        };
        let shown =
            |p: &String| read.is_some_and(|r| shown_at(r, &named(p), id_at.as_deref()).is_some());
        if let Some(kv) = KeyValue::of(schema).filter(|_| patch.is_none()) {
            return self.key_value_update(update, &kv, schema, validator);
        }
        // A shared endpoint's update (`oneOf`: OMS changes a task's bandwidth policy or its
        // keys at one path) is tried alternative by alternative, the body matching that one.
        let alternatives: Vec<&Value> = match schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            Some(alts) if patch.is_none() => alts.iter().collect(),
            _ => vec![schema],
        };
        let before = |pointer: &str| self.sent.as_ref().and_then(|b| b.pointer(pointer));
        let (pointer, body, value) = alternatives.into_iter().find_map(|schema| {
            let (pointer, field) = match patch {
                Some(value) => ("/name".to_string(), value),
                None => {
                    // A name or description a read shows, else another free string a read
                    // shows (an update of no name is still checked), else the name unread.
                    // The key the client chose, or the name an update of the collection names
                    // one by, names the one updated: it is not what changes.
                    let key = match &self.p.key {
                        Some(ClientKey::Body(at)) => Some(at.as_str()),
                        _ => self.p.update_names,
                    };
                    let mut named = updatable_fields(schema);
                    let mut free = free_text_fields(schema);
                    named.retain(|(p, _)| Some(p.as_str()) != key);
                    free.retain(|(p, _)| Some(p.as_str()) != key);
                    named
                        .iter()
                        .chain(
                            free.iter()
                                .filter(|(p, _)| !named.iter().any(|(n, _)| n == p)),
                        )
                        .find(|(p, _)| shown(p))
                        .or_else(|| named.first())
                        .cloned()?
                }
            };
            let body_with = |v: &Value| match patch {
                Some(_) => json!([{"op": "replace", "path": "/name", "value": v}]),
                None => {
                    let mut body = values::simple_value(schema);
                    with_first_item(&mut body, schema, &pointer);
                    crate::pointer::set(&mut body, &pointer, v.clone());
                    body
                }
            };
            let was = before(&pointer);
            UPDATED.iter().map(|v| json!(v)).find_map(|v| {
                if was == Some(&v) || !fits(field, &v) {
                    return None;
                }
                let body = body_with(&v);
                validator
                    .is_valid(&body)
                    .then(|| (pointer.clone(), body, v))
            })
        })?;
        let mut step = self.update_on_item(update, body);
        self.p
            .name_in_request(update, &mut step.query, &mut step.body, &self.var);
        // An update of the collection names the one it changes as the create named it.
        if let Some(at) = self.p.update_names {
            let sent = self.sent.as_ref().and_then(|b| b.pointer(at))?.clone();
            crate::pointer::set(step.body.as_mut()?, at, sent);
        }
        let value = value.as_str()?.to_string();
        Some((step, (named(&pointer), value)))
    }

    /// Where the kind has no update: a PUT below its item setting a boolean its read shows
    /// ([`field_switch`]: CES's alarm `…/action` with `alarm_enabled`), set to false and then to
    /// true, each read back. One of the two differs from what the resource held before,
    /// whatever that was, so an update that changes nothing cannot pass both.
    fn switch_steps(&self) -> Option<(&'a Operation, Vec<PlannedStep>)> {
        let item = self.item_template()?;
        let put = self.contract.operations.iter().find(|o| {
            let at = normalise(&o.path);
            at.rsplit_once('/').is_some_and(|(i, _)| i == item) && field_switch(self.contract, o)
        })?;
        let schema = self.contract.schema(&put.id, SchemaKind::Request)?;
        let validator = self.contract.validator(&put.id, SchemaKind::Request)?;
        let (field, _) = schema
            .get("properties")?
            .as_object()?
            .iter()
            .find(|(_, s)| crate::contract::rules::declared_type(s) == Some("boolean"))?;
        let pointer = crate::pointer::child("", field);
        let kind = self.p.kind;
        let mut steps = Vec::new();
        for v in [false, true] {
            let mut step = self.on_item(
                format!("set the {kind}'s {field} to {v}"),
                put,
                &self.var,
                success_yaml(put),
            );
            let body = step.body.get_or_insert_with(|| json!({}));
            crate::pointer::set(body, &pointer, json!(v));
            if !validator.is_valid(body) {
                return None;
            }
            let read = self.read_step(
                format!("read the {kind}: it shows {field} {v}"),
                &[(pointer.clone(), json!(v))],
            )?;
            if !read
                .assertions
                .iter()
                .any(|a| a.get("equals") == Some(&json!(v)))
            {
                return None;
            }
            steps.push(step);
            steps.push(read);
        }
        Some((put, steps))
    }

    /// An update naming the field it changes in its body ([`KeyValue`]): the first field its
    /// key names that a read shows as a string is set to a new value, and the read checks it.
    fn key_value_update(
        &self,
        update: &Operation,
        kv: &KeyValue,
        schema: &Value,
        validator: &jsonschema::Validator,
    ) -> Option<(PlannedStep, (String, String))> {
        let read = self.read_schema()?;
        let id_at = self.read_id_at();
        let value_schema = schema.get("properties")?.get(&kv.value)?;
        let (pointer, body, value) = kv.names.iter().find_map(|name| {
            let pointer = crate::pointer::child("", &KeyValue::field(name));
            let (_, documented) = shown_at(read, &pointer, id_at.as_deref())?;
            if documented["type"] != "string" {
                return None;
            }
            let before = self.sent.as_ref().and_then(|b| b.pointer(&pointer));
            UPDATED.iter().map(|v| json!(v)).find_map(|v| {
                let body = kv.body(name, v.clone());
                let fresh = before != Some(&v) && fits(value_schema, &v) && fits(documented, &v);
                (fresh && validator.is_valid(&body)).then(|| (pointer.clone(), body, v))
            })
        })?;
        let step = self.update_on_item(update, body);
        let value = value.as_str()?.to_string();
        Some((step, (pointer, value)))
    }

    /// The update step on the created item, sending `body`.
    fn update_on_item(&self, update: &Operation, body: Value) -> PlannedStep {
        let mut step = self.on_item(
            format!("update {}", self.p.kind),
            update,
            &self.var,
            success_yaml(update),
        );
        step.body = Some(body);
        step
    }

    /// Tags: generated, the property, and the rules (page rows) the steps rest on.
    fn tags(&self, property: &str, ops: &[&Operation], gone: Option<&Operation>) -> Vec<String> {
        let mut tags = vec!["generated".to_string(), format!("property:{property}")];
        for op in ops {
            if let Some(s) = op.success.first() {
                tags.push(rule_id(
                    &op.id,
                    &format!("status/{s}"),
                    &Constraint::Success,
                ));
            }
        }
        if let Some(op) = gone {
            // A kind no path names is named by its query parameter.
            let target = match self.p.query_id.filter(|_| self.p.names_at(op)) {
                Some(q) => format!("query/{q}"),
                None => format!(
                    "path/{}",
                    op.path_params.last().map_or("id", String::as_str)
                ),
            };
            tags.push(rule_id(&op.id, &target, &Constraint::Exists));
        }
        tags.dedup();
        tags
    }

    /// Renders one case: the parents, the kind's own create when `own`, `steps`, then
    /// `more_teardown`, the kind's own delete (when `own`: a step may fail before the case's
    /// delete; gone already is as good as deleted) and the parents' teardown.
    fn render(
        &self,
        property: &str,
        description: String,
        tags: Vec<String>,
        steps: &[PlannedStep],
        own: bool,
        more_teardown: &[PlannedStep],
    ) -> GeneratedCase {
        let filed = (self.p.create, property);
        self.render_for(filed, description, tags, steps, own, more_teardown)
    }

    /// [`KindCases::render`], the case filed as `property` under `op` (the operation it is
    /// about): `filed` is `(op, property)`.
    fn render_for(
        &self,
        (op, property): (&Operation, &str),
        description: String,
        tags: Vec<String>,
        steps: &[PlannedStep],
        own: bool,
        more_teardown: &[PlannedStep],
    ) -> GeneratedCase {
        let all: Vec<&PlannedStep> = self
            .parents
            .setup
            .iter()
            .chain(own.then_some(&self.create))
            .chain(self.follow.iter().filter(|_| own))
            .chain(steps)
            .collect();
        let mut teardown = more_teardown.to_vec();
        if own {
            teardown.extend(
                self.p
                    .teardown(self.contract, self.create.params.clone(), &self.var),
            );
        }
        teardown.extend(self.parents.teardown.iter().cloned());
        let read: Vec<&PlannedStep> = all.iter().copied().chain(&teardown).collect();
        let mut y = header(
            &op.id,
            &description,
            &tags,
            &required_vars(self.contract, &read),
        );
        y.push_str("steps:\n");
        for s in &all {
            render_planned(&mut y, s);
        }
        if !teardown.is_empty() {
            y.push_str("teardown:\n");
            for s in &teardown {
                render_planned(&mut y, s);
            }
        }
        GeneratedCase {
            id: format!("{}/{property}", operation_dir(&op.id)),
            yaml: y,
        }
    }

    fn lifecycle(&self) -> Option<GeneratedCase> {
        let read = self.p.read?;
        let delete = self.p.delete?;
        let shows: Vec<(String, Value)> = self
            .sent
            .as_ref()
            .map(sent_strings)
            .unwrap_or_default()
            .into_iter()
            .map(|(at, v)| (at, json!(v)))
            .collect();
        let mut steps = vec![self.read_step(
            format!("read the new {}: it shows what was sent", self.p.kind),
            &shows,
        )?];
        let mut ops = vec![self.p.create, read];
        if let Some((update, shown)) = self.update_step() {
            ops.push(self.p.update?);
            steps.push(update);
            // The read shows the update where it documents the field (the same envelope).
            steps.push(self.read_step(
                format!("read the updated {}: it shows the update", self.p.kind),
                &[(shown.0, json!(shown.1))],
            )?);
        } else if let Some((switch, switched)) = self.switch_steps() {
            ops.push(switch);
            steps.extend(switched);
        }
        steps.extend(self.list_step(true));
        steps.push(self.on_item(
            format!("delete the {}", self.p.kind),
            delete,
            &self.var,
            success_yaml(delete),
        ));
        ops.push(delete);
        steps.push(self.gone_step()?);
        steps.extend(self.list_step(false));
        let description = format!(
            "Lifecycle of a {} ({}): what is created reads back as sent, an update shows, the list holds it until it is deleted, and a deleted one is not found.",
            self.p.kind,
            source_of(self.p.create, None)
        );
        Some(self.render(
            "lifecycle",
            description,
            self.tags("lifecycle", &ops, self.gone_op()),
            &steps,
            true,
            &[],
        ))
    }

    /// Every operation on the item path or below it, once the resource is deleted.
    fn use_after_delete(&self) -> Option<GeneratedCase> {
        let delete = self.p.delete?;
        let item = self.item_template()?;
        let mut steps = vec![self.on_item(
            format!("delete the {}", self.p.kind),
            delete,
            &self.var,
            success_yaml(delete),
        )];
        let mut ops = vec![self.p.create, delete];
        // A PUT of an item the client names (a tag `…/tags/{key}`, a kind keyed in its path)
        // makes it again: no use after delete.
        let named = |o: &Operation| {
            o.path_params.last().is_some_and(|p| !is_resource_param(p))
                || matches!(self.p.key, Some(ClientKey::Path(_)))
        };
        for op in self.contract.operations.iter().filter(|o| {
            let path = normalise(&o.path);
            let remakes = o.method == "PUT" && path == item && named(o);
            (path == item || path.starts_with(&format!("{item}/")))
                && o.method != "HEAD"
                && !remakes
        }) {
            let mut step = self.on_item(
                format!("{} {} after the delete: not found", op.method, op.id),
                op,
                &self.var,
                self.not_found(op),
            );
            // A valid body that names what to change: a body the service could refuse for its
            // content before it looks the resource up would say nothing about the delete.
            if let Some(schema) = self
                .contract
                .schema(&op.id, SchemaKind::Request)
                .filter(|_| op.request_body)
            {
                let valid = |b: &Value| {
                    self.contract
                        .validator(&op.id, SchemaKind::Request)
                        .is_none_or(|v| v.is_valid(b))
                };
                let mut full = values::simple_value(schema);
                super::fill_optional(&mut full, schema);
                match step.body.take() {
                    _ if valid(&full) => step.body = Some(full),
                    Some(simple) if valid(&simple) => step.body = Some(simple),
                    _ => continue,
                }
            }
            // A body that names other resources would need them made first: the delete is what
            // is under test, so such an operation is left out.
            if let Some(b) = step.body.as_mut() {
                let mut texts = Vec::new();
                crate::case::vars::strings_of(b, &mut texts);
                if texts.iter().any(|t| t == values::PLACEHOLDER) {
                    continue;
                }
            }
            ops.push(op);
            steps.push(step);
        }
        // The list, which is not below the item, no longer holds it.
        if self.p.listed.is_some() {
            steps.extend(self.gone_step());
        }
        let description = format!(
            "Use after delete ({}): once a {} is deleted, every operation on it answers the documented not-found status.",
            source_of(delete, None),
            self.p.kind
        );
        let tags = self.tags("use_after_delete", &ops, self.gone_op());
        Some(self.render("use_after_delete", description, tags, &steps, true, &[]))
    }

    /// The item's path template: the read's, or, for a kind read through its list, the item
    /// below the collection.
    fn item_template(&self) -> Option<String> {
        let read = self.p.read?;
        Some(match self.p.listed {
            Some(_) => self.p.item(),
            None => normalise(&read.path),
        })
    }

    /// Read after write of each setting below the item (`PUT …/backups/policy`, read back by
    /// the GET at its path: [`setting_read`]; CSS writes its snapshot policy by POST), or below
    /// another path naming the kind's id last (MRS's clusters, read at `…/cluster_infos/{id}`,
    /// map agencies at `…/clusters/{cluster_id}/agency-mapping`).
    fn settings(&self) -> Vec<GeneratedCase> {
        let Some(item) = self.item_template() else {
            return Vec::new();
        };
        let below = format!("{item}/");
        let id = format!("{{{}}}", self.p.id_param);
        self.contract
            .operations
            .iter()
            .filter_map(|o| {
                let at = normalise(&o.path);
                let setting = match at.strip_prefix(&below) {
                    Some(rest) => rest.to_string(),
                    None => o.path.rsplit_once(&format!("/{id}/"))?.1.to_string(),
                };
                (!setting.contains('{')).then_some((o, setting))
            })
            .filter_map(|(write, setting)| self.setting(write, &setting))
            .collect()
    }

    /// A setting's write (PUT or POST), then its GET showing each string the write sent where it
    /// documents it.
    fn setting(&self, write: &Operation, setting: &str) -> Option<GeneratedCase> {
        let get = setting_read(self.contract, write)?;
        let schema = self
            .contract
            .schema(&write.id, SchemaKind::Request)
            .filter(|_| write.request_body)?;
        let validator = self.contract.validator(&write.id, SchemaKind::Request)?;
        let mut step = self.on_item(
            format!("write the {}'s {setting}", self.p.kind),
            write,
            &self.var,
            success_yaml(write),
        );
        // Every optional field too, and a whole first item in each list of objects: each is
        // one more the read shows back.
        let mut full = values::simple_value(schema);
        super::fill_optional(&mut full, schema);
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, sub) in props.into_iter().flatten() {
            let Some(items) = sub.get("items").filter(|i| i.get("properties").is_some()) else {
                continue;
            };
            if let Some(Value::Array(list)) = full
                .get_mut(k)
                .filter(|l| l.as_array().is_some_and(Vec::is_empty))
            {
                let mut item = values::simple_value(items);
                super::fill_optional(&mut item, items);
                list.push(item);
            }
        }
        if validator.is_valid(&full) {
            step.body = Some(full);
        }
        let body = step.body.as_mut()?;
        // An enumerated string takes its last value: the first is as likely as any to be what
        // the GET shows before anything is written, which would make the check say nothing.
        for (pointer, _) in sent_strings_deep(body) {
            let last = schema_at(schema, &pointer)
                .and_then(|s| s.get("enum"))
                .and_then(Value::as_array)
                .and_then(|e| e.last());
            if let Some(v) = last {
                let mut tried = body.clone();
                crate::pointer::set(&mut tried, &pointer, v.clone());
                if validator.is_valid(&tried) {
                    *body = tried;
                }
            }
        }
        if !validator.is_valid(body) || names_unmade(body) {
            return None;
        }
        let answer = response_schema(self.contract, get)?;
        let mut read = self.on_item(
            format!(
                "read the {}'s {setting}: it shows what was written",
                self.p.kind
            ),
            get,
            &self.var,
            success_yaml(get),
        );
        for (pointer, value) in sent_strings_deep(body) {
            let Some((at, documented)) = shown_at(answer, &pointer, None) else {
                continue;
            };
            let string = crate::contract::rules::declared_type(documented) == Some("string");
            if string && fits(documented, &json!(value)) {
                read.assertions
                    .push(json!({"pointer": at, "equals": value}));
            }
        }
        // Another resource the path names would need making first.
        let unmade = [&step, &read]
            .iter()
            .any(|s| s.params.values().any(|v| v == "${missing_id}"));
        if read.assertions.is_empty() || unmade {
            return None;
        }
        let description = format!(
            "Read after write ({}, {}): what a {} of the created {}'s {setting} sends, a read of it shows.",
            source_of(write, None),
            source_of(get, None),
            write.method,
            self.p.kind
        );
        let tags = self.tags("read_after_write", &[self.p.create, write, get], None);
        Some(self.render_for(
            (write, "read_after_write"),
            description,
            tags,
            &[step, read],
            true,
            &[],
        ))
    }

    /// Read after write of a kind the pages give no delete (BMS's servers), which has no
    /// lifecycle: the update, then a read showing it. What the case creates stays, so a run
    /// with an undo ledger (as on a region) refuses the create unless told otherwise.
    fn read_after_write(&self) -> Option<GeneratedCase> {
        self.update_read_back("read_after_write", 1, |source| {
            format!(
                "Read after write ({source}): an update of a {} shows in a read. The pages give no delete of it.",
                self.p.kind
            )
        })
    }

    /// The same PUT twice: both succeed and a read shows the value once.
    fn idempotent_update(&self) -> Option<GeneratedCase> {
        self.p.update.filter(|u| u.method == "PUT")?;
        self.update_read_back("idempotent_update", 2, |source| {
            format!(
                "Idempotent PUT ({source}): the same update sent twice succeeds both times and the {} shows it.",
                self.p.kind
            )
        })
    }

    /// The case `property`: the kind's update sent `times` times, then a read showing it;
    /// `describe` words its description around the update's page.
    fn update_read_back(
        &self,
        property: &str,
        times: usize,
        describe: impl FnOnce(String) -> String,
    ) -> Option<GeneratedCase> {
        let update = self.p.update?;
        let (step, shown) = self.update_step()?;
        let mut steps = vec![step.clone()];
        for _ in 1..times {
            let mut again = step.clone();
            again.name = format!("the same update of the {} again", self.p.kind);
            steps.push(again);
        }
        steps.push(self.read_step(
            format!("read the updated {}: it shows the update", self.p.kind),
            &[(shown.0, json!(shown.1))],
        )?);
        let tags = self.tags(property, &[update, self.p.read?], None);
        let description = describe(source_of(update, None));
        Some(self.render(property, description, tags, &steps, true, &[]))
    }

    /// A child read through another parent's id is not found: the kind's create path names a
    /// parent, a second parent is made, and the read names it instead.
    fn hierarchy(&self) -> Option<GeneratedCase> {
        // A list under another parent holds nothing of this one: no read is refused.
        let read = self.p.read.filter(|_| self.p.listed.is_none())?;
        // Not the kind's own key, which a create by PUT names in its path.
        let parent_param = self.p.create.path_params.iter().rev().find(|n| {
            is_resource_param(n)
                && *n != self.p.id_param
                && self.parents.defines(n)
                && read.path_params.contains(n)
        })?;
        let parent =
            self.producers
                .for_param(parent_param, &self.p.create.service, &self.p.create.path)?;
        let other = format!("other_{parent_param}");
        let planner = Planner {
            producers: self.producers,
            contract: self.contract,
        };
        // The second parent under the same grandparents: start from what is made already.
        let mut second = Plan {
            defined: self.parents.defined.clone(),
            ..Plan::default()
        };
        if !planner.produce(&mut second, parent, &other, "project_id") {
            return None;
        }
        let mut steps = second.setup;
        let mut through_other = self.on_item(
            format!(
                "read the {} through another {parent_param}: not found",
                self.p.kind
            ),
            read,
            &self.var,
            self.not_found(read),
        );
        through_other
            .params
            .insert(parent_param.clone(), json!(format!("${{{other}}}")));
        steps.push(through_other);
        let description = format!(
            "Resource hierarchy ({}): a {} reached through another parent's {parent_param} is not found.",
            source_of(read, None),
            self.p.kind
        );
        let tags = self.tags("hierarchy", &[parent.create, self.p.create], Some(read));
        // The second parent is deleted too, first: it has no children.
        let first: Vec<PlannedStep> = second.teardown.first().cloned().into_iter().collect();
        Some(self.render("hierarchy", description, tags, &steps, true, &first))
    }
}

impl KindCases<'_, '_> {
    /// A create refused for its body leaves nothing behind: the list holds nothing with the
    /// name it sent. The body carries a name of its own (`conform-leak-${run_id}`) and lacks
    /// another required field.
    fn leakage(&self) -> Option<GeneratedCase> {
        let create = self.p.create;
        let list = self.p.list?;
        let schema = self.contract.schema(&create.id, SchemaKind::Request)?;
        let validator = self.contract.validator(&create.id, SchemaKind::Request)?;
        let (pointer, _) = updatable_field(schema).filter(|(p, _)| p.ends_with("/name"))?;
        let (array, _) = list_array(self.contract, list, self.p.key_pointer(), self.own_id())?;
        let item = list_item(response_schema(self.contract, list)?, &array)?;
        item.get("properties")?.get("name")?;
        // The object holding the name, and another field it requires.
        let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
        let holder = schema_at(schema, parent)?;
        let other = holder
            .get("required")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .find(|r| *r != "name")?
            .to_string();
        let mut body = self.sent.clone()?;
        let marker = format!("conform-leak-{}", values::RUN_ID);
        crate::pointer::set(&mut body, &pointer, json!(marker));
        body.pointer_mut(parent)?.as_object_mut()?.remove(&other);
        if validator.is_valid(&body) {
            return None;
        }
        let refused = if self.contract.documents(&create.service, 400) {
            "400".to_string()
        } else {
            json!("4xx").to_string()
        };
        let attempt = PlannedStep {
            name: format!("create a {} without {other}: refused", self.p.kind),
            operation: create.id.clone(),
            params: self.create.params.clone(),
            body: Some(body),
            status: refused,
            ..PlannedStep::default()
        };
        let check = PlannedStep {
            name: format!(
                "list the {} collection: nothing of the refused create",
                self.p.kind
            ),
            operation: list.id.clone(),
            params: self.create.params.clone(),
            query: self.list_query(list),
            status: success_yaml(list),
            assertions: vec![json!({"pointer": array, "excludes": {"name": marker}})],
            ..PlannedStep::default()
        };
        let description = format!(
            "Leakage ({}): a create refused for its body ({other} is required) leaves nothing a list shows.",
            source_of(create, None)
        );
        let mut tags = self.tags("leakage", &[list], None);
        tags.push(rule_id(
            &create.id,
            &format!("{parent}/{other}"),
            &Constraint::Required,
        ));
        // The parents are made and deleted around it; the kind itself is never made.
        Some(self.render("leakage", description, tags, &[attempt, check], false, &[]))
    }
}

/// The variables a chain of steps (teardown last) reads that none of its earlier steps
/// captures.
fn required_vars(contract: &Contract, steps: &[&PlannedStep]) -> Vec<String> {
    let mut captured: Vec<&str> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for s in steps {
        for name in s.reads(contract) {
            let v = format!("var:{name}");
            if !captured.contains(&name.as_str()) && !out.contains(&v) {
                out.push(v);
            }
        }
        for (var, _) in s.capture.iter().chain(&s.sent) {
            captured.push(var);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An update is checked through the field it changes: the name or description first, else
    /// another free-text name (`display_name`), never an enumerated one.
    #[test]
    fn the_updated_field_is_a_name_or_another_free_text_name() {
        let s = json!({"type": "string"});
        let e = json!({"type": "string", "enum": ["a"]});
        let at = |schema: Value| updatable_field(&schema).map(|(p, _)| p);
        assert_eq!(
            at(json!({"properties": {"display_name": s, "name": s}})).as_deref(),
            Some("/name")
        );
        assert_eq!(
            at(json!({"properties": {"display_name": s, "status": s}})).as_deref(),
            Some("/display_name")
        );
        assert_eq!(
            at(json!({"properties": {"topic": {"properties": {"display_name": s}}}})).as_deref(),
            Some("/topic/display_name")
        );
        assert_eq!(
            at(json!({"properties": {"type_name": e, "status": s}})),
            None
        );
    }

    /// Where no name or description is sent, an update is read back by another free string:
    /// never an id, a reference, a secret, a link, an enumerated or formatted one.
    #[test]
    fn an_update_of_no_name_is_read_back_by_a_free_string() {
        let s = json!({"type": "string"});
        let at = |schema: Value| -> Vec<String> {
            free_text_fields(&schema)
                .into_iter()
                .map(|(p, _)| p)
                .collect()
        };
        assert_eq!(
            at(json!({"properties": {
                "app": s, "stream": s, "rule_id": s, "group_ids": s, "notify_callback_url": s,
                "secret_key": s, "record_type": {"type": "string", "enum": ["A"]},
                "start": {"type": "string", "format": "date-time"}, "count": {"type": "integer"},
                "plan": {"properties": {"end_time": s, "id": s}}}})),
            ["/app", "/stream", "/plan/end_time"]
        );
        assert!(is_link("url") && is_link("callback_uri") && !is_link("curl_name"));
        assert!(is_link("ip") && is_link("mac_address") && is_link("cidr") && !is_link("zip"));
        // Then the free strings of a list's first item, whole when sent.
        let hosts = json!({"properties": {"hosts": {"type": "array", "items": {
            "properties": {"ip": s, "name": s}, "required": ["ip", "name"]}}},
            "required": ["hosts"]});
        assert_eq!(at(hosts.clone()), ["/hosts/0/name"]);
        let mut body = json!({"hosts": []});
        with_first_item(&mut body, &hosts, "/hosts/0/name");
        assert_eq!(
            body,
            json!({"hosts": [{"ip": "conform", "name": "conform"}]})
        );
    }

    /// A list's array is the answer itself where it is an array, else the property whose items
    /// carry the create's key, else (a kind a job makes) `id`; the create's key in any array
    /// wins over an `id`.
    #[test]
    fn a_list_array_is_bare_or_a_property_keyed_by_the_id() {
        let s = json!({"type": "string"});
        let items = |p: Value| json!({"type": "array", "items": {"properties": p}});
        let bare = items(json!({"guid": s, "name": s}));
        assert_eq!(
            list_array_in(&bare, "/guid", false),
            Some((String::new(), "/guid".into()))
        );
        let groups = json!({"properties": {"server_groups": items(json!({"id": s}))}});
        assert_eq!(
            list_array_in(&groups, "/entities/server_group_id", true),
            Some(("/server_groups".into(), "/id".into()))
        );
        // Only a job's entity stands for the listed `id`.
        assert_eq!(list_array_in(&groups, "/publicip_id", false), None);
        let both = json!({"properties": {
            "a": items(json!({"id": s})), "b": items(json!({"cert_id": s}))}});
        assert_eq!(
            list_array_in(&both, "/cert_id", true),
            Some(("/b".into(), "/cert_id".into()))
        );
        assert_eq!(
            list_array_in(&json!({"properties": {"n": s}}), "/id", true),
            None
        );
        // Items that are whole objects hold a nested id where the create answered it.
        let clusters = json!({"properties": {"items": items(json!({
            "metadata": {"properties": {"uid": s}}}))}});
        assert_eq!(
            list_array_in(&clusters, "/metadata/uid", false),
            Some(("/items".into(), "/metadata/uid".into()))
        );
        assert_eq!(
            item_naming("/metadata/uid", "cluster_id"),
            json!({"metadata": {"uid": "${cluster_id}"}})
        );
        assert_eq!(
            list_item(&bare, "").map(|i| i.get("properties").is_some()),
            Some(true)
        );
    }

    /// A service that answers its create in snake case and reads and lists in camel case
    /// (MRS: `cluster_id` made, `clusterId` listed, `cluster.clusterName` read) is checked in
    /// the read's and the list's spelling.
    #[test]
    fn the_read_and_the_list_are_checked_in_their_own_spelling() {
        let s = json!({"type": "string"});
        let list = json!({"properties": {"clusters": {"type": "array", "items": {
            "properties": {"clusterId": s, "clusterName": s}}}}});
        assert_eq!(
            list_array_in(&list, "/cluster_id", false),
            Some(("/clusters".into(), "/clusterId".into()))
        );
        let read = json!({"properties": {"cluster": {"properties": {
            "clusterId": s, "clusterName": s}}}});
        let id_at = read_id_pointer(&read, "/cluster_id");
        assert_eq!(id_at.as_deref(), Some("/cluster/clusterId"));
        assert_eq!(
            shown_at(&read, "/cluster_name", id_at.as_deref()).map(|(at, _)| at),
            Some("/cluster/clusterName".into())
        );
        // A field the read spells as sent is found as sent.
        let flat = json!({"properties": {"cluster_id": s, "clusterId": s}});
        assert_eq!(
            read_id_pointer(&flat, "/cluster_id").as_deref(),
            Some("/cluster_id")
        );
    }

    /// A sent field is checked where the read documents it: the same pointer, under the read's
    /// envelope (a bare request, an enveloped answer), or without the request's envelope.
    #[test]
    fn a_sent_field_is_read_back_across_envelopes() {
        let s = json!({"type": "string"});
        let at = |read: &Value, pointer: &str, id_at: Option<&str>| {
            shown_at(read, pointer, id_at).map(|(p, _)| p)
        };
        let enveloped =
            json!({"properties": {"group": {"properties": {"group_id": s, "description": s}}}});
        assert_eq!(
            at(&enveloped, "/description", Some("/group/group_id")).as_deref(),
            Some("/group/description")
        );
        assert_eq!(at(&enveloped, "/description", None), None);
        assert_eq!(
            at(&enveloped, "/group/description", Some("/group/group_id")).as_deref(),
            Some("/group/description")
        );
        let bare = json!({"properties": {"id": s, "name": s}});
        assert_eq!(
            at(&bare, "/volume/name", Some("/id")).as_deref(),
            Some("/name")
        );
        // An envelope the answer has too is no envelope to drop.
        let other = json!({"properties": {"volume": {"properties": {"id": s}}, "name": s}});
        assert_eq!(at(&other, "/volume/name", Some("/volume/id")), None);
        assert_eq!(at(&bare, "/nothing", Some("/id")), None);
        // A read answering a list of the one (AOM's `thresholds: [rule]`) shows it as the
        // list's first item, beside a count object that is no envelope of it.
        let listed = json!({"properties": {
            "meta_data": {"properties": {"count": {"type": "integer"}}},
            "thresholds": {"type": "array", "items": {"properties": {
                "rule_id": s, "description": {"type": ["string", "null"]}}}}}});
        let id_at = read_id_pointer(&listed, "/rule_id");
        assert_eq!(id_at.as_deref(), Some("/thresholds/0/rule_id"));
        assert_eq!(
            at(&listed, "/description", id_at.as_deref()).as_deref(),
            Some("/thresholds/0/description")
        );
    }

    /// A `display_X` the update's answer shows as `X` is read back as `X`; an answer showing
    /// `display_X` (SMN's) keeps it.
    #[test]
    fn an_openstack_display_field_is_read_back_under_its_plain_name() {
        let s = json!({"type": "string"});
        let manila = json!({"properties": {"share": {"properties": {"name": s}}}});
        assert_eq!(
            crate::contract::display_alias("/share/display_name", &manila).as_deref(),
            Some("/share/name")
        );
        let smn = json!({"properties": {"display_name": s, "name": s}});
        assert_eq!(crate::contract::display_alias("/display_name", &smn), None);
        assert_eq!(crate::contract::display_alias("/name", &manila), None);
    }

    /// A create answering a list of ids (`volume_ids`) is read and listed by `id`, at the top or
    /// in the read's one envelope.
    #[test]
    fn a_list_of_created_ids_is_read_back_by_id() {
        assert_eq!(id_key("/vpc/id"), "id");
        assert_eq!(id_key("/instances/0/instance_id"), "instance_id");
        assert_eq!(id_key("/volume_ids/0"), "id");
        let s = json!({"type": "string"});
        let read = json!({"properties": {"volume": {"properties": {"id": s, "name": s}}}});
        assert_eq!(
            read_id_pointer(&read, "/volume_ids/0").as_deref(),
            Some("/volume/id")
        );
        assert_eq!(read_id_pointer(&read, "/vpc/id"), Some("/volume/id".into()));
        let flat = json!({"properties": {"id": s, "volume": {"properties": {"x": s}}}});
        assert_eq!(
            read_id_pointer(&flat, "/volume_ids/0").as_deref(),
            Some("/id")
        );
        let two =
            json!({"properties": {"a": {"properties": {"id": s}}, "b": {"properties": {"id": s}}}});
        assert_eq!(read_id_pointer(&two, "/volume_ids/0"), None);
    }
}
