//! Producer before consumer, as RESTler orders requests: a generated case that needs an existing
//! resource creates it first. The resource table (inferred from the contract, or declared) says
//! which operation creates a kind, where its answer holds the new id and which operation deletes
//! it; a case gets setup steps that create what its path names (parents first, and what the
//! create body itself names), capture each new id into the variable the case already uses, and
//! teardown steps that delete them again in reverse order.
//!
//! Only what the service cannot create stays a variable of the target: the project, an id no
//! kind of the table is created under (an image, a flavor), a resource in a documented state.

use crate::case::typed::Capture;
use serde_json::{json, Map, Value};

use super::{keys, values};
use crate::contract::derive::resources::normalise;
use crate::contract::resources::{named_for, split_version, ClientKey, ListRead};
use crate::contract::rules::{is_camel_id, is_resource_param};
use crate::contract::{Contract, Operation, SchemaKind};

/// How deep a chain of parents may go: deeper ones are cycles in practice.
const MAX_DEPTH: usize = 4;

/// One kind the generator can create.
#[derive(Debug)]
pub struct Producer<'a> {
    /// The kind's name in the resource table.
    pub kind: &'a str,
    /// The id parameter naming one (`vpc_id`).
    pub id_param: &'a str,
    /// The normalised collection path (`/v1/{}/vpcs`).
    collection: String,
    /// The create operation.
    pub create: &'a Operation,
    /// Where the create answer holds the new id (for a create answering only a job, where the
    /// finished job does).
    pub id_pointer: &'a str,
    /// A create answering only a job: the job query and where the answer holds the job's id.
    pub job: Option<(&'a Operation, &'a str)>,
    /// The delete operation, when the contract has one.
    pub delete: Option<&'a Operation>,
    /// The read of one, when the contract has it (the list, for a kind read through it).
    pub read: Option<&'a Operation>,
    /// How the list shows one, for a kind no operation reads one of (`read` is that list).
    pub listed: Option<&'a ListRead>,
    /// The update of one.
    pub update: Option<&'a Operation>,
    /// Where an update sent to the collection names the one it changes by a field the create
    /// sent (AOM's `/alarm_rule_name`).
    pub update_names: Option<&'a str>,
    /// The list of the collection.
    pub list: Option<&'a Operation>,
    /// Where the create sends the key the client chooses (a kind keyed by a name, or created
    /// by PUT): the setup sends a run-unique one and captures it from the request.
    pub key: Option<&'a ClientKey>,
    /// Other path parameters naming one (`idp_id` for a provider read at `…/{id}`).
    aliases: Vec<String>,
    /// A kind no path names: the query parameter (and body field) naming one (`asset_id`).
    pub query_id: Option<&'a str>,
    /// The create answers the new id as a number where no request takes the id parameter as
    /// one (AOM's integer `alarmId`, requested as the string `alarm_id`): it is captured as text.
    id_text: bool,
}

impl Producer<'_> {
    /// Whether the token's project makes one: the create's path names no project (ELB's
    /// `/v2.0/lbaas/loadbalancers`) and the read shows the project it belongs to
    /// (`project_id` or `tenant_id`, at the top or inside the answer's envelope). IAM's
    /// groups, whose read shows a `domain_id`, belong to no project.
    pub fn made_in_tokens_project(&self, contract: &Contract) -> bool {
        let Some(read) = self
            .read
            .filter(|_| !self.create.path_params.iter().any(|n| n == "project_id"))
        else {
            return false;
        };
        let shows_project = |o: &Value| {
            o.get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| p.contains_key("project_id") || p.contains_key("tenant_id"))
        };
        read.success
            .iter()
            .filter_map(|s| contract.schema(&read.id, SchemaKind::Response(*s)))
            .any(|answer| {
                shows_project(answer)
                    || answer
                        .get("properties")
                        .and_then(Value::as_object)
                        .is_some_and(|p| p.values().any(shows_project))
            })
    }

    /// [`item_params`] for one of this kind: a kind the client keys is named by its own
    /// parameter (`{alias_name}`), which need not be the path's last id (`{function_urn}`).
    pub fn item_params(&self, op: &Operation, params: &mut Map<String, Value>, var: &str) {
        if self.key.is_some() && op.path_params.iter().any(|p| p == self.id_param) {
            params.insert(self.id_param.to_string(), json!(format!("${{{var}}}")));
        } else {
            item_params(op, params, var);
        }
    }

    /// Names the one captured in `var` where a request of a kind no path names names it: the
    /// query parameter its read and delete require, the body field of its update. Requests
    /// outside the kind's collection, and other kinds' requests, are left as they are. A
    /// request whose path names one and whose body repeats its id parameter (AOM's alarm delete
    /// sends `alarm_id` in both) names the same one in the body.
    pub fn name_in_request(
        &self,
        op: &Operation,
        query: &mut Map<String, Value>,
        body: &mut Option<Value>,
        var: &str,
    ) {
        let value = json!(format!("${{{var}}}"));
        if self.query_id.is_none() && op.path_params.iter().any(|p| p == self.id_param) {
            // A body repeating the key the client chose (a Kubernetes object's
            // `metadata.name` in its PUT) repeats the one the path names.
            if let (Some(ClientKey::Body(at)), Some(b)) = (&self.key, body.as_mut()) {
                let parent = at.rsplit_once('/').map_or("", |(p, _)| p);
                if b.pointer(parent).is_some_and(Value::is_object) {
                    crate::pointer::set(b, at, value.clone());
                }
            }
            if let Some(o) = body.as_mut().and_then(Value::as_object_mut) {
                if o.contains_key(self.id_param) {
                    o.insert(self.id_param.to_string(), value);
                }
            }
            return;
        }
        let Some(param) = self.query_id.filter(|_| self.names_at(op)) else {
            return;
        };
        if op.query_params.iter().any(|q| q.name == param) {
            query.insert(param.to_string(), value);
        } else if let Some(o) = body.as_mut().and_then(Value::as_object_mut) {
            if o.contains_key(param) {
                o.insert(param.to_string(), value);
            }
        }
    }

    /// Whether `op` is one of the requests naming one of a kind no path names: its read,
    /// update or delete (the same operations the contract tier looks the id up for).
    pub fn names_at(&self, op: &Operation) -> bool {
        self.query_id.is_some()
            && [self.read, self.update, self.delete]
                .iter()
                .flatten()
                .any(|o| o.id == op.id)
            && self
                .listed
                .is_none_or(|_| self.read.is_none_or(|r| r.id != op.id))
    }

    /// The normalised path of one (`/v1/{}/vpcs/{}`).
    pub fn item(&self) -> String {
        format!("{}/{{}}", self.collection)
    }

    /// How a create's own answer gives the new id: at [`Producer::id_pointer`], as text where
    /// the answer's number is requested as a string.
    pub fn id_capture(&self) -> Capture {
        if self.id_text {
            Capture::Text(self.id_pointer.to_string())
        } else {
            Capture::Body(self.id_pointer.to_string())
        }
    }

    /// Where an answer shows what names one: the key the client chose (`/name`; `/id` for a
    /// key in the path), else the id the create answers.
    pub fn key_pointer(&self) -> &str {
        match self.key {
            Some(ClientKey::Body(at)) => at,
            Some(ClientKey::Path(_)) => "/id",
            None => self.id_pointer,
        }
    }

    /// Adds to `params` each parent the delete's path names that the create sent in its `body`
    /// (NAT's SNAT rule names its `nat_gateway_id` there, and is deleted below that gateway).
    pub fn parents_sent(&self, body: Option<&Value>, params: &mut Map<String, Value>) {
        let (Some(delete), Some(body)) = (self.delete, body) else {
            return;
        };
        for p in &delete.path_params {
            let sent = sent_scalar(body, p).and_then(|at| body.pointer(&at));
            if let (false, Some(v)) = (params.contains_key(p) || p == self.id_param, sent) {
                params.insert(p.clone(), v.clone());
            }
        }
    }

    /// The teardown step deleting the one captured in `var`, with the parents' `params`.
    pub fn teardown(
        &self,
        contract: &Contract,
        mut params: Map<String, Value>,
        var: &str,
    ) -> Option<PlannedStep> {
        let delete = self.delete?;
        self.item_params(delete, &mut params, var);
        let mut query = required_query(delete);
        let mut body = request_body(contract, delete);
        self.name_in_request(delete, &mut query, &mut body, var);
        Some(PlannedStep {
            name: format!("teardown: delete {} ({var})", self.kind),
            operation: delete.id.clone(),
            params,
            body,
            query,
            // Gone already (the case deleted it) is as good as deleted.
            status: json!(["2xx", "4xx"]).to_string(),
            ..PlannedStep::default()
        })
    }
}

/// Every kind of the contract's resource table that has a create operation and an id pointer.
#[derive(Debug, Default)]
pub struct Producers<'a> {
    kinds: Vec<Producer<'a>>,
    /// The normalised collections of the table's kinds no producer makes (nothing creates one,
    /// or its create answers no id), with their service and id parameter, where that is named
    /// for the collection ([`named_for`]).
    unmade: Vec<(&'a str, &'a str, String)>,
    /// The contract's operations (where a parent's id is named otherwise, the others' paths
    /// say whose it is).
    operations: &'a [Operation],
}

/// How many leading segments a normalised collection shares with a normalised request path,
/// each taken after its API version (`/v3/{}/streaming/jobs` is as near
/// `/v1.0/{}/streaming/sql-jobs/{}` as `/v1.0/{}/streaming/jobs` is).
fn nearness(collection: &str, path: &str) -> usize {
    fn unversioned(p: &str) -> impl Iterator<Item = &str> {
        split_version(p).1.split('/').filter(|s| !s.is_empty())
    }
    unversioned(collection)
        .zip(unversioned(path))
        .take_while(|(a, b)| a == b)
        .count()
}

/// Whether the create's success answer documents a number at the id pointer.
fn numeric_answer(contract: &Contract, create: &Operation, id_pointer: &str) -> bool {
    let Some(status) = create.success.first() else {
        return false;
    };
    let Some(mut at) = contract.schema(&create.id, SchemaKind::Response(*status)) else {
        return false;
    };
    for part in id_pointer.split('/').skip(1) {
        let part = crate::pointer::unescape(part);
        match at.get("properties").and_then(|p| p.get(part.as_ref())) {
            Some(s) => at = s,
            None => return false,
        }
    }
    matches!(
        at.get("type").and_then(Value::as_str),
        Some("integer" | "number")
    )
}

/// Whether some request of the contract takes the parameter as a number: a query parameter or
/// a top-level body field of that name typed integer or number.
fn numeric_request(contract: &Contract, param: &str) -> bool {
    let numeric = |s: &Value| {
        matches!(
            s.get("type").and_then(Value::as_str),
            Some("integer" | "number")
        )
    };
    contract.operations.iter().any(|op| {
        op.query_params
            .iter()
            .any(|q| q.name == param && numeric(&q.schema))
            || contract
                .schema(&op.id, SchemaKind::Request)
                .and_then(|s| s.get("properties")?.get(param))
                .is_some_and(numeric)
    })
}

/// The operation with this method whose path is the template, parameter names aside.
fn operation_at<'a>(contract: &'a Contract, method: &str, template: &str) -> Option<&'a Operation> {
    let want = normalise(template);
    contract
        .operations
        .iter()
        .find(|o| o.method == method && normalise(&o.path) == want)
}

impl<'a> Producers<'a> {
    /// The producers of a contract.
    pub fn of(contract: &'a Contract) -> Producers<'a> {
        let aliases = contract.resources.aliases(&contract.operations);
        let kinds: Vec<Producer<'a>> = contract
            .resources
            .kinds
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                let create = k.create.as_ref()?;
                let create = operation_at(contract, &create.method, &create.path)?;
                let at = |c: Option<&crate::contract::resources::Call>| {
                    c.and_then(|c| operation_at(contract, &c.method, &c.path))
                };
                let delete = at(k.delete.as_ref());
                let job = k.created_by_job.as_ref().and_then(|j| {
                    Some((operation_at(contract, &j.query.method, &j.query.path)?, j))
                });
                // A client-chosen key is known before the answer: no job to follow for it.
                let job = job.filter(|_| k.client_key.is_none());
                let id_pointer = match (&k.created_id, &job, &k.client_key) {
                    (Some(p), _, _) => p.as_str(),
                    (None, Some((_, j)), _) => j.entity.as_str(),
                    (None, None, Some(_)) => "",
                    (None, None, None) => return None,
                };
                Some(Producer {
                    read: at(Some(&k.read)).filter(|o| o.method == "GET"),
                    listed: k.read_by_list.as_ref(),
                    update: at(k.update.as_ref()),
                    update_names: k.update_names.as_deref(),
                    list: at(k.list.as_ref()),
                    kind: &k.kind,
                    id_param: k.id_param.as_deref()?,
                    collection: normalise(&k.collection_template()?),
                    create,
                    id_pointer,
                    job: job.map(|(query, j)| (query, j.job_id.as_str())),
                    delete,
                    key: k.client_key.as_ref(),
                    aliases: aliases
                        .iter()
                        .filter(|(at, _)| *at == i)
                        .map(|(_, p)| p.clone())
                        .collect(),
                    query_id: k.id_query.as_deref(),
                    id_text: job.is_none()
                        && numeric_answer(contract, create, id_pointer)
                        && !k
                            .id_param
                            .as_deref()
                            .is_some_and(|p| numeric_request(contract, p)),
                })
            })
            .collect();
        let unmade = contract
            .resources
            .kinds
            .iter()
            .filter_map(|k| {
                let collection = normalise(&k.collection_template()?);
                let made = kinds.iter().any(|p| p.collection == collection);
                let param = k.id_param.as_deref()?;
                (!made && named_for(&collection, param)).then_some((
                    k.service.as_str(),
                    param,
                    collection,
                ))
            })
            .collect();
        Producers {
            kinds,
            unmade,
            operations: &contract.operations,
        }
    }

    /// The kind whose id a path parameter of another name stands for, by its place: where
    /// `/datasets/{resource_id}/export-tasks/{task_id}` names the dataset `{resource_id}` and
    /// the paths below the same item name it `{dataset_id}` (`/datasets/{dataset_id}/
    /// export-tasks`), the parameter is the dataset's id. None where a kind is named by the
    /// parameter itself, for a client-keyed kind ([`Producers::item_at`] names those), or where
    /// no other path below that item names it by the kind's own parameter (AS's
    /// `/scaling_policy/{scaling_resource_id}/list` names a group, not a policy).
    pub fn renamed(&self, param: &str, path: &str) -> Option<&Producer<'a>> {
        if self.kinds.iter().any(|k| k.id_param == param) {
            return None;
        }
        let segs: Vec<&str> = path.split('/').collect();
        let at = segs
            .iter()
            .position(|s| crate::contract::template::sole_param(s) == Some(param))?;
        let item = normalise(&segs[..=at].join("/"));
        let kind = self
            .kinds
            .iter()
            .find(|k| k.key.is_none() && k.query_id.is_none() && k.item() == item)?;
        crate::contract::resources::renamed_at(self.operations, path, at, kind.id_param)
            .then_some(kind)
    }

    /// The producer of the kind an id parameter names, for a request on `path`: the kind whose
    /// collection the path runs through, else one of the same service and API version, else any
    /// of the service, else one of another service.
    pub fn for_param(&self, param: &str, service: &str, path: &str) -> Option<&Producer<'a>> {
        if let Some(p) = self.item_at(param, path) {
            return Some(p);
        }
        let raw = path;
        let path = normalise(path);
        let version = path.split('/').nth(1).unwrap_or_default();
        // Another service's kind where the request's own service creates none: a DCS instance
        // names the VPC's subnet.
        // A kind no path names is named only by requests at or below its collection (a
        // query's bare `id` elsewhere is another resource's).
        let reaches = |k: &Producer<'_>| {
            k.query_id.is_none()
                || path == k.collection
                || path.starts_with(&format!("{}/", k.collection))
        };
        let of = |same: bool| -> Vec<&Producer<'a>> {
            self.kinds
                .iter()
                .filter(|k| {
                    k.id_param == param && (k.create.service == service) == same && reaches(k)
                })
                .collect()
        };
        let mut named = of(true);
        // A kind of the service that nothing here makes, named by the same parameter and
        // nearer the request than any that is made, is the one the path names (DLI's
        // `…/streaming/sql-jobs/{job_id}` names a streaming job, not a SQL job of `…/jobs`).
        // One of another API version is the same resource (VPC's v3 read of what v1 makes).
        let nearest_made = named
            .iter()
            .map(|k| {
                (
                    nearness(&k.collection, &path),
                    split_version(&k.collection).0,
                )
            })
            .max_by_key(|(near, _)| *near);
        if nearest_made.is_some_and(|(made, version)| {
            self.unmade
                .iter()
                .filter(|(s, p, c)| *s == service && *p == param && split_version(c).0 == version)
                .any(|(_, _, c)| nearness(c, &path) > made)
        }) {
            return None;
        }
        if named.is_empty() {
            named = of(false);
        }
        // A parent's id named otherwise at its place (the dataset's `{resource_id}`).
        if named.is_empty() {
            named.extend(self.renamed(param, raw));
        }
        // A parameter naming a kind that its own item names otherwise (`{idp_id}`, `{id}`).
        if named.is_empty() {
            named = self
                .kinds
                .iter()
                .filter(|k| k.create.service == service && k.aliases.iter().any(|a| a == param))
                .collect();
        }
        named
            .iter()
            .find(|k| k.query_id.is_some() && path == k.collection)
            .or_else(|| {
                named
                    .iter()
                    .find(|k| path.starts_with(&format!("{}/", k.collection)))
            })
            .or_else(|| {
                named
                    .iter()
                    .find(|k| k.collection.split('/').nth(1) == Some(version))
            })
            .or_else(|| named.first())
            .copied()
    }

    /// The producer of a client-keyed kind whose item the path runs through at `{param}`
    /// (`/identity_providers/{idp_id}/protocols` names the provider read at
    /// `/identity_providers/{id}`): the path fixes the kind where the parameter's name does not.
    fn item_at(&self, param: &str, path: &str) -> Option<&Producer<'a>> {
        let segs: Vec<&str> = path.split('/').collect();
        let at = segs
            .iter()
            .position(|s| crate::contract::template::sole_param(s) == Some(param))?;
        let item = normalise(&segs[..=at].join("/"));
        self.kinds
            .iter()
            .find(|k| k.key.is_some() && format!("{}/{{}}", k.collection) == item)
    }

    /// Whether a client-keyed kind is named by this parameter (`secret_name`).
    pub fn keyed_by(&self, param: &str) -> bool {
        self.kinds
            .iter()
            .any(|k| k.key.is_some() && k.id_param == param)
    }

    /// Whether a client-keyed kind is named by this parameter of a request on `path`: by its
    /// name, or by its place (CCI's `/api/v1/namespaces/{namespace}/configmaps` runs through
    /// the namespace read at `/api/v1/namespaces/{name}`).
    pub fn names_key(&self, param: &str, path: &str) -> bool {
        self.keyed_by(param) || self.item_at(param, path).is_some()
    }

    /// Whether some kind the generator can create, with an id the server issues, is named by
    /// this parameter, whatever its name looks like (IAM's credentials by `{access_key}`). The
    /// project is the target's, even where a kind of projects is created.
    pub fn identifies(&self, param: &str) -> bool {
        param != "project_id"
            && self
                .kinds
                .iter()
                .any(|k| k.id_param == param && k.key.is_none())
    }

    /// Every producer, in the table's order.
    pub fn iter(&self) -> impl Iterator<Item = &Producer<'a>> {
        self.kinds.iter()
    }

    /// The producer whose create operation this is.
    pub fn created_by(&self, op: &Operation) -> Option<&Producer<'a>> {
        self.kinds.iter().find(|k| k.create.id == op.id)
    }
}

/// The item operation's own id parameter (its last, `instance_id` or RDS v1's `instanceId`)
/// names the one captured in `var`. Other ids its path names beyond the create's (a subnet
/// deleted under its VPC) are the same project's: another project's resources are captured as
/// `other_project_<param>`.
pub fn item_params(op: &Operation, params: &mut Map<String, Value>, var: &str) {
    let is_id = |n: &&String| is_resource_param(n) || is_camel_id(n);
    let own = op.path_params.iter().rev().find(is_id);
    if let Some(own) = own {
        params.insert(own.clone(), json!(format!("${{{var}}}")));
    }
    if var.starts_with("other_project_") {
        for p in op.path_params.iter().filter(is_id) {
            if Some(p) != own && !params.contains_key(p) {
                params.insert(p.clone(), json!(format!("${{{}}}", var_name(p, "other"))));
            }
        }
    }
}

/// The step that waits for the job of a create captured in `{var}_job` and captures the new id
/// from the finished job: a job that ends in `FAIL` fails it as such.
fn follow_job(query: &Operation, p: &Producer<'_>, var: &str, project_var: &str) -> PlannedStep {
    let mut params = Map::new();
    params.insert("job_id".into(), json!(format!("${{{var}_job}}")));
    if project_var != "project_id" && query.path_params.iter().any(|n| n == "project_id") {
        params.insert("project_id".into(), json!(format!("${{{project_var}}}")));
    }
    PlannedStep {
        name: format!("setup: wait for the job creating {} ({var})", p.kind),
        operation: query.id.clone(),
        params,
        status: success_yaml(query),
        query: required_query(query),
        capture: Some((var.to_string(), Capture::Body(p.id_pointer.to_string()))),
        assertions: vec![json!({"pointer": "/status", "equals": "SUCCESS"})],
        until: Some(
            json!({"pointer": "/status", "in": ["SUCCESS", "FAIL"], "every": "2s", "within": "10m"}),
        ),
        ..PlannedStep::default()
    }
}

/// One setup or teardown step, ready to render.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlannedStep {
    /// A label.
    pub name: String,
    /// The operation.
    pub operation: String,
    /// Path parameters.
    pub params: Map<String, Value>,
    /// The body, if the operation takes one.
    pub body: Option<Value>,
    /// Expected status (YAML flow text).
    pub status: String,
    /// What the step captures, into which variable.
    pub capture: Option<(String, Capture)>,
    /// Further captures of what the request sent (a create's `trigger_type_code`, which a
    /// consumer's path names beside the new id).
    pub sent: Vec<(String, Capture)>,
    /// Query parameters.
    pub query: Map<String, Value>,
    /// Body assertions (`{pointer, …}` objects).
    pub assertions: Vec<Value>,
    /// Sent again until the answer reaches a state (`{pointer, in, every, within}`).
    pub until: Option<Value>,
}

/// The steps that make a case's resources and undo them.
#[derive(Debug, Default)]
pub struct Plan {
    /// Run before the case's own step, in order.
    pub setup: Vec<PlannedStep>,
    /// Run after it, always, in order (reverse creation order).
    pub teardown: Vec<PlannedStep>,
    /// Variables the setup defines (captured ids).
    pub defined: Vec<String>,
    /// What makes the keys a setup chooses differ from another case's (the case's name).
    pub seed: String,
    /// The variables whose creates are being planned, outermost first: a create that needs
    /// one of them (its body names its own kind's id) cannot come first.
    pub pending: Vec<String>,
}

impl Plan {
    /// Whether the plan defines a variable.
    pub fn defines(&self, var: &str) -> bool {
        self.defined.iter().any(|d| d == var)
    }
}

/// The variable a produced resource is captured into: the id parameter itself in the case's own
/// project, `other_project_<param>` in the other project.
pub fn var_name(param: &str, project_var: &str) -> String {
    if project_var == "project_id" {
        param.to_string()
    } else {
        format!("other_project_{param}")
    }
}

/// Builds plans against one contract.
pub struct Planner<'p, 'a> {
    /// The producers.
    pub producers: &'p Producers<'a>,
    /// The contract (request schemas of the creates).
    pub contract: &'a Contract,
}

impl Planner<'_, '_> {
    /// Adds to `plan` what makes the resource `param` names (in `project_var`'s project) exist,
    /// for a request of `service` on `path`; returns false when nothing can create it.
    pub fn need(
        &self,
        plan: &mut Plan,
        param: &str,
        service: &str,
        path: &str,
        project_var: &str,
    ) -> bool {
        self.need_at(plan, param, service, path, project_var, 0)
    }

    fn need_at(
        &self,
        plan: &mut Plan,
        param: &str,
        service: &str,
        path: &str,
        project_var: &str,
        depth: usize,
    ) -> bool {
        let var = var_name(param, project_var);
        if plan.defines(&var) {
            return true;
        }
        if depth > MAX_DEPTH || plan.pending.contains(&var) {
            return false;
        }
        let Some(p) = self.producers.for_param(param, service, path) else {
            return param == "job_id" && self.start_job(plan, service, path, project_var, depth);
        };
        self.produce_at(plan, p, &var, project_var, depth)
    }

    /// A job no kind's create starts, named by a request (an action on a job, its status): the
    /// setup starts one with a POST of the service whose answer documents a top-level `job_id`
    /// (of those whose body the contract accepts, the one whose path shares most with the
    /// request's), its parents made first, and captures the job's id.
    fn start_job(
        &self,
        plan: &mut Plan,
        service: &str,
        path: &str,
        project_var: &str,
        depth: usize,
    ) -> bool {
        // Where a kind of the service is named by `job_id` (DLI's streaming jobs, which nothing
        // creates), a job id is that kind's: the tier holds one, handed out as the variable.
        let a_kind = self
            .contract
            .resources
            .kinds
            .iter()
            .any(|k| k.service == service && k.id_param.as_deref() == Some("job_id"));
        if project_var != "project_id" || a_kind {
            return false;
        }
        let want: Vec<String> = normalise(path).split('/').map(str::to_string).collect();
        let shared = |o: &Operation| {
            normalise(&o.path)
                .split('/')
                .zip(&want)
                .take_while(|(a, b)| a == b)
                .count()
        };
        let mut starters: Vec<(&Operation, Option<Value>)> = self
            .contract
            .operations
            .iter()
            .filter(|o| o.method == "POST" && o.service == service)
            .filter(|o| !o.path_params.iter().any(|p| p == "job_id"))
            .filter(|o| {
                o.success
                    .iter()
                    .filter_map(|s| self.contract.schema(&o.id, SchemaKind::Response(*s)))
                    .any(|a| a.pointer("/properties/job_id/type") == Some(&json!("string")))
            })
            .filter_map(|o| {
                if !o.request_body {
                    return Some((o, None));
                }
                let schema = self.contract.schema(&o.id, SchemaKind::Request)?;
                let body = values::simple_value(schema);
                let valid = self
                    .contract
                    .validator(&o.id, SchemaKind::Request)
                    .is_some_and(|v| v.is_valid(&body));
                valid.then_some((o, Some(body)))
            })
            .collect();
        starters.sort_by_key(|(o, _)| std::cmp::Reverse(shared(o)));
        let Some((starter, body)) = starters.into_iter().next() else {
            return false;
        };
        let mut params = Map::new();
        for name in &starter.path_params {
            if name == "project_id" {
                continue;
            }
            if is_resource_param(name) || self.producers.names_key(name, &starter.path) {
                if !self.need_at(plan, name, service, &starter.path, project_var, depth + 1) {
                    return false;
                }
            } else {
                params.insert(name.clone(), json!("conform"));
            }
        }
        plan.setup.push(PlannedStep {
            name: format!("setup: start a job ({})", starter.id),
            operation: starter.id.clone(),
            params,
            body,
            status: success_yaml(starter),
            capture: Some(("job_id".into(), Capture::Body("/job_id".into()))),
            query: required_query(starter),
            ..PlannedStep::default()
        });
        plan.defined.push("job_id".into());
        true
    }

    /// Adds to `plan` the steps that create one of `p` (parents first), captured into `var`.
    pub fn produce(&self, plan: &mut Plan, p: &Producer<'_>, var: &str, project_var: &str) -> bool {
        self.produce_at(plan, p, var, project_var, 0)
    }

    fn produce_at(
        &self,
        plan: &mut Plan,
        p: &Producer<'_>,
        var: &str,
        project_var: &str,
        depth: usize,
    ) -> bool {
        plan.pending.push(var.to_string());
        let planned = self.plan_create(plan, p, var, project_var, depth);
        plan.pending.pop();
        planned
    }

    /// [`Planner::produce_at`] once the variable is marked pending.
    fn plan_create(
        &self,
        plan: &mut Plan,
        p: &Producer<'_>,
        var: &str,
        project_var: &str,
        depth: usize,
    ) -> bool {
        let create = p.create;
        let service = create.service.as_str();
        // A create whose path names no project makes it in the token's own project.
        if project_var != "project_id" && !create.path_params.iter().any(|n| n == "project_id") {
            return false;
        }
        // Parents first: the ids the create's own path names.
        let mut params = Map::new();
        // A key the client chooses is a run-unique value, captured from the request as sent.
        let mut chosen = None;
        if let Some(ClientKey::Path(own)) = p.key {
            let key = keys::unique(None, &format!("{}/{var}", plan.seed));
            params.insert(own.clone(), json!(key));
            chosen = Some(Capture::Sent(crate::pointer::child("/path", own)));
        }
        for name in &create.path_params {
            if params.contains_key(name) {
                continue;
            }
            if name == "project_id" {
                if project_var != "project_id" {
                    params.insert(name.clone(), json!(format!("${{{project_var}}}")));
                }
                continue;
            }
            if is_resource_param(name) || self.producers.names_key(name, &create.path) {
                // A parent nothing creates (the account's `domain_id`, an image) stays the
                // target's variable of the same name, as an id in a create body does.
                if !self.need_at(plan, name, service, &create.path, project_var, depth + 1) {
                    continue;
                }
                let v = var_name(name, project_var);
                if v != *name {
                    params.insert(name.clone(), json!(format!("${{{v}}}")));
                }
            } else {
                params.insert(name.clone(), json!("conform"));
            }
        }
        // Then what the create body names (a subnet's `vpc_id`).
        let mut body = None;
        if create.request_body {
            if let Some(schema) = self.contract.schema(&create.id, SchemaKind::Request) {
                let mut b = values::simple_value(schema);
                let at = Place {
                    service,
                    path: &create.path,
                    project_var,
                    depth,
                };
                if !self.bind_body(plan, &mut b, Some(schema), &at) {
                    return false;
                }
                // What a setup makes must be findable by its name if its id never arrives.
                values::carry_run_id(&mut b, schema, false);
                if let Some(ClientKey::Body(at)) = p.key {
                    let field = keys::field_schema(schema, at);
                    let key = keys::unique(field, &format!("{}/{var}", plan.seed));
                    crate::pointer::set(&mut b, at, json!(key));
                    chosen = Some(Capture::Sent(format!("/body{at}")));
                }
                // A name an update of the collection finds one by is the case's own, so that
                // no other case's one is the one updated.
                if let Some(at) = p.update_names.filter(|at| b.pointer(at).is_some()) {
                    let field = keys::field_schema(schema, at);
                    let name = keys::unique(field, &format!("{}/{var}/name", plan.seed));
                    crate::pointer::set(&mut b, at, json!(name));
                }
                body = Some(b);
            }
        }
        let mut teardown_params = params.clone();
        p.parents_sent(body.as_ref(), &mut teardown_params);
        let status = success_yaml(create);
        // An asynchronous create: its answer holds the job, and the job, once done, the id.
        let capture = match (chosen, p.job) {
            (Some(sent), _) => (var.to_string(), sent),
            (None, Some((_, job_id))) => (format!("{var}_job"), Capture::Body(job_id.to_string())),
            (None, None) => (var.to_string(), p.id_capture()),
        };
        plan.setup.push(PlannedStep {
            name: format!("setup: create {} ({var})", p.kind),
            operation: create.id.clone(),
            params: params.clone(),
            body,
            status,
            capture: Some(capture),
            query: required_query(create),
            ..PlannedStep::default()
        });
        if let Some((query, _)) = p.job {
            plan.setup.push(follow_job(query, p, var, project_var));
            plan.defined.push(format!("{var}_job"));
        }
        plan.defined.push(var.to_string());
        if let Some(step) = p.teardown(self.contract, teardown_params, var) {
            plan.teardown.insert(0, step);
        }
        true
    }

    /// Replaces the value the generator chose for each `*_id` field of a create body (the
    /// placeholder, or, for an id with a documented length or pattern, text of that shape) with
    /// the id of a produced resource; a required id nothing can create becomes the target
    /// variable of the same name. A made-up id names nothing: a rule created under a made-up
    /// gateway is deleted under that gateway, which is not where it lives. A value of a
    /// documented enum is kept. Returns false when a produced parent could not be planned.
    fn bind_body(
        &self,
        plan: &mut Plan,
        v: &mut Value,
        schema: Option<&Value>,
        at: &Place<'_>,
    ) -> bool {
        match v {
            Value::Object(o) => {
                for (k, child) in o.iter_mut() {
                    let sub = schema.and_then(|s| property(s, k));
                    let enumerated = sub.is_some_and(|s| s.get("enum").is_some());
                    if values::is_reference(k) && child.is_string() && !enumerated {
                        let produced = self.need_at(
                            plan,
                            k,
                            at.service,
                            at.path,
                            at.project_var,
                            at.depth + 1,
                        );
                        let var = if produced {
                            var_name(k, at.project_var)
                        } else if plan.pending.contains(&var_name(k, at.project_var)) {
                            // The body names the id its own create makes: nothing can be sent
                            // for it before the create answers.
                            return false;
                        } else {
                            k.clone()
                        };
                        *child = Value::String(format!("${{{var}}}"));
                    } else if !self.bind_body(plan, child, sub, at) {
                        return false;
                    }
                }
                true
            }
            Value::Array(a) => {
                let items = schema.and_then(|s| s.get("items"));
                a.iter_mut().all(|c| self.bind_body(plan, c, items, at))
            }
            _ => true,
        }
    }
}

/// The schema of property `name` of an object schema, or of one of its alternatives.
fn property<'s>(schema: &'s Value, name: &str) -> Option<&'s Value> {
    let own = schema.get("properties").and_then(|p| p.get(name));
    own.or_else(|| {
        ["oneOf", "anyOf"]
            .iter()
            .filter_map(|k| schema.get(*k).and_then(Value::as_array))
            .flatten()
            .find_map(|alt| property(alt, name))
    })
}

/// Where a create being planned sits: its service, its path, the project's variable and how
/// deep in a chain of parents it is.
struct Place<'p> {
    service: &'p str,
    path: &'p str,
    project_var: &'p str,
    depth: usize,
}

/// Where a body sends a scalar field `name`, at the top level or under the body's one envelope
/// (`/trigger_type_code`, `/server/name`).
pub fn sent_scalar(body: &Value, name: &str) -> Option<String> {
    let body = body.as_object()?;
    let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
    if body.get(name).is_some_and(scalar) {
        return Some(crate::pointer::child("", name));
    }
    match body.iter().next() {
        Some((env, Value::Object(inner)))
            if body.len() == 1 && inner.get(name).is_some_and(scalar) =>
        {
            Some(crate::pointer::child(&crate::pointer::child("", env), name))
        }
        _ => None,
    }
}

impl PlannedStep {
    /// Where this step's body sends a scalar field `name`, at the top level or under the
    /// body's one envelope (`/body/trigger_type_code`, `/body/server/name`).
    pub fn sent_field(&self, name: &str) -> Option<String> {
        let at = sent_scalar(self.body.as_ref()?, name)?;
        Some(format!("/body{at}"))
    }

    /// The variables the step reads: every `${name}` it writes, and each path parameter of its
    /// operation it leaves to the variable of the same name (a teardown's delete under a parent
    /// reads `${group_id}` unless given it). A case lists them in `requires`, so that a value
    /// missing from the target skips the case rather than erring the run.
    pub fn reads(&self, contract: &Contract) -> Vec<String> {
        let mut out: Vec<String> = contract
            .operation(&self.operation)
            .map(|op| {
                op.path_params
                    .iter()
                    .filter(|p| !self.params.contains_key(*p))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut texts = Vec::new();
        for v in self
            .params
            .values()
            .chain(self.query.values())
            .chain(self.body.iter())
            .chain(self.assertions.iter())
        {
            crate::case::vars::strings_of(v, &mut texts);
        }
        for name in texts.iter().flat_map(|t| crate::case::vars::references(t)) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }
}

/// A request's required query parameters, so that their absence is not why a step fails
/// (a create whose page requires `version_id=v3` in its query).
pub fn required_query(op: &Operation) -> Map<String, Value> {
    op.query_params
        .iter()
        .filter(|q| q.required)
        .map(|q| (q.name.clone(), values::simple_value(&q.schema)))
        .collect()
}

/// A minimal valid body for an operation that documents one (a delete with a body).
pub fn request_body(contract: &Contract, op: &Operation) -> Option<Value> {
    op.request_body
        .then(|| contract.schema(&op.id, SchemaKind::Request))
        .flatten()
        .map(values::simple_value)
}

/// An operation's documented success statuses as YAML flow text.
pub fn success_yaml(op: &Operation) -> String {
    match op.success.as_slice() {
        [one] => one.to_string(),
        [] => json!("2xx").to_string(),
        many => json!(many).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another project's resource is deleted by its own id whether the path spells it
    /// `instance_id` or, as RDS's v1 pages do, `instanceId`; its parents are the other
    /// project's too.
    #[test]
    fn an_items_own_id_is_named_whatever_its_spelling() {
        for (path, own, parent) in [
            (
                "/v3/{project_id}/vpcs/{vpc_id}/instances/{instance_id}",
                "instance_id",
                "vpc_id",
            ),
            (
                "/rds/v1/{project_id}/vpcs/{vpcId}/instances/{instanceId}",
                "instanceId",
                "vpcId",
            ),
        ] {
            let op = Operation::new("x.delete.v1", "x", "DELETE", path);
            let mut params = Map::new();
            item_params(&op, &mut params, &format!("other_project_{own}"));
            assert_eq!(
                params[own],
                json!(format!("${{other_project_{own}}}")),
                "{path}"
            );
            assert_eq!(
                params[parent],
                json!(format!("${{other_project_{parent}}}")),
                "{path}"
            );
            assert!(!params.contains_key("project_id"), "{params:?}");
        }
    }

    /// A contract of one service whose kinds are `(collection, made)`, each named by `job_id`
    /// and read at `<collection>/{id}`; a made one is created by a POST answering the id.
    fn jobs_contract(kinds: &[(&str, bool)]) -> Contract {
        use crate::contract::resources::{Call, ResourceKind};
        let call = |method: &str, path: String| Call {
            method: method.into(),
            path,
            body: None,
            query: Default::default(),
        };
        let mut ops = Vec::new();
        let mut table = Vec::new();
        for (i, (collection, made)) in kinds.iter().enumerate() {
            let read = call("GET", format!("{collection}/{{id}}"));
            let mut kind = ResourceKind::new(&format!("k{i}"), "dli", "jobs", read);
            kind.id_param = Some("job_id".into());
            if *made {
                let id = format!("dli.create_{i}.v1");
                let mut op = Operation::new(&id, "dli", "POST", collection);
                op.success = vec![200];
                ops.push(op);
                kind.create = Some(call("POST", collection.to_string()));
                kind.created_id = Some("/job_id".into());
            }
            table.push(kind);
        }
        let mut contract = Contract::from_parts(
            ops,
            Default::default(),
            Default::default(),
            std::path::Path::new("schemas"),
        )
        .expect("a contract");
        contract.resources.kinds = table;
        contract
    }

    /// Of two kinds named by one parameter in one API version, the one a path is nearer is
    /// what it names: where nothing makes that one (DLI's streaming jobs beside its SQL jobs),
    /// nothing produces it. One of another API version is the same resource (VPC's v3 read of
    /// what v1 makes), and the made one produces it.
    #[test]
    fn a_path_nearer_a_kind_nothing_makes_names_that_kind() {
        let sql = "/v1.0/{project_id}/jobs";
        let contract = jobs_contract(&[(sql, true), ("/v1.0/{project_id}/streaming/jobs", false)]);
        let producers = Producers::of(&contract);
        let of = |path: &str| producers.for_param("job_id", "dli", path).map(|p| p.kind);
        assert_eq!(of("/v1.0/{project_id}/jobs/{job_id}/detail"), Some("k0"));
        assert_eq!(of("/v1/{project_id}/jobs/{job_id}/progress"), Some("k0"));
        assert_eq!(of("/v1.0/{project_id}/streaming/sql-jobs/{job_id}"), None);
        assert_eq!(
            of("/v3/{project_id}/streaming/jobs/{job_id}/gen-graph"),
            None
        );
        let contract = jobs_contract(&[(sql, true), ("/v3/{project_id}/streaming/jobs", false)]);
        let producers = Producers::of(&contract);
        assert_eq!(
            producers
                .for_param("job_id", "dli", "/v3/{project_id}/streaming/jobs/{job_id}")
                .map(|p| p.kind),
            Some("k0"),
            "another version's read of what is made"
        );
        // A collection read by another resource's id (DCS's monitored objects, by the
        // instance's) is a view of that resource, which the made kind produces.
        let contract = jobs_contract(&[
            (sql, true),
            ("/v1.0/{project_id}/dims/monitored-objects", false),
        ]);
        let producers = Producers::of(&contract);
        assert_eq!(
            producers
                .for_param(
                    "job_id",
                    "dli",
                    "/v1.0/{project_id}/dims/monitored-objects/{job_id}"
                )
                .map(|p| p.kind),
            Some("k0")
        );
    }

    /// A step reads the path parameters of its operation it is not given, and every `${name}`
    /// it writes: a case lists them all, so a missing one skips it rather than erring the run.
    #[test]
    fn a_step_reads_its_operations_defaulted_parameters_and_its_references() {
        let op = Operation::new(
            "iam.delete_group_user.v3",
            "iam",
            "DELETE",
            "/v3/groups/{group_id}/users/{user_id}",
        );
        let contract = Contract::from_parts(
            vec![op],
            Default::default(),
            Default::default(),
            std::path::Path::new("schemas"),
        )
        .expect("a contract");
        let mut params = Map::new();
        params.insert("user_id".into(), json!("${user_id}"));
        let step = PlannedStep {
            operation: "iam.delete_group_user.v3".into(),
            params,
            query: Map::from_iter([("domain".to_string(), json!("${domain_name}"))]),
            ..PlannedStep::default()
        };
        assert_eq!(
            step.reads(&contract),
            ["group_id", "user_id", "domain_name"]
        );
    }
}
