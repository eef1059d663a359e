//! The mock's contract tier: every derived operation without a hand-written emulation is served
//! from the contract, as Prism serves an OpenAPI file but from conform's own contract (byte
//! limits included).
//!
//! A request is matched to an operation by method and path template (routing tables built at
//! start-up, `router`; empty segments, a trailing slash among them, are ignored); its body is
//! validated against the derived request schema; a bad one gets 400 in the operation's
//! documented error envelope with a documented code. A valid one gets the documented success
//! status and a body built from the response schema, with path parameters and echoed request
//! fields filled in.
//! Every kind of the resource table is stateful (`contract_memory`): a create stores one, a
//! read or list answers what is stored, an update merges into it, a delete removes it, and an
//! id nobody created is the documented 404, for actions too.
//!
//! Unlike the hand-written emulations, this tier reads the derived schemas by design: it is what
//! a contract says, served, for operations nobody has emulated yet.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};

use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::contract_memory::{opened, Memory, Role, Unknown};
use super::faults::{Fault, Faults};
use super::router::Table;
use super::scalars::Scalars;
use crate::contract::derive::resources::normalise;
use crate::contract::key_value::KeyValue;
use crate::contract::resources::{split_version, ClientKey};
use crate::contract::{Contract, ErrorCode, Operation, SchemaKind};

/// State of the contract tier: the contract and the table's resources by (collection, project, id).
#[derive(Debug)]
pub struct Tier {
    contract: Arc<Contract>,
    memory: Memory,
    /// Other projects' memories, by the project the `X-Project-Id` header names, for the
    /// operations whose paths name none ([`Operation::project_header`]).
    others: RwLock<BTreeMap<String, Arc<Memory>>>,
    jobs: super::jobs::Jobs,
    /// The ids the contract names that none of its operations creates.
    pub seeds: super::seeds::Seeds,
    /// The projects the mock knows ([`Tier::knowing`]).
    projects: BTreeSet<String>,
    /// The faults the tier has (`unknown-id-ok`: an unknown id is answered as if it existed;
    /// `cross-project-leak`: another project's resources are found; `ignore-vm-state`:
    /// documented preconditions are not checked), fired where they change an answer.
    faults: Faults,
    /// The emulation's store, owner of the emulated kinds (snapshots, servers): their ids are
    /// checked there, not seeded.
    shared: Option<Arc<super::shared::Shared>>,
    /// The operations by method, then path template: indices into the contract's operations.
    /// A table per method, so that a request is routed among its method's templates only, as
    /// Nova's and Neutron's routers match a route with its method: `DELETE …/tags/action` is
    /// the delete of the tag `action` even where `POST …/tags/action` is another operation.
    routes: Vec<(Method, Table<usize>)>,
    /// The constrained schemas of the success answers, each compiled once for the echo.
    scalars: Scalars,
    /// Per operation naming one entry of a map a list shows ([`crate::contract::rules::keyed_list`]):
    /// that list (an index into the contract's operations), the entry's path parameter and
    /// where the list's answer holds the map. Found once, not on every request.
    entry_lists: BTreeMap<String, (usize, String, Vec<String>)>,
    /// The ids of the writes (PUTs, POSTs) of settings and of the GETs that read them back
    /// ([`crate::contract::rules::setting_read`]): what one wrote, the other shows.
    settings: BTreeSet<String>,
    /// The ids of the PUTs below an item that set its fields
    /// ([`crate::contract::rules::field_switch`]).
    switches: BTreeSet<String>,
}

/// How many other projects' memories a tier keeps: a client naming a new project in every
/// request cannot grow the mock without bound.
pub const MAX_OTHER_PROJECTS: usize = 64;

/// The memory a request is served from: the tier's own, or another project's.
enum Scoped<'t> {
    Own(&'t Memory),
    Other(Arc<Memory>),
}

impl std::ops::Deref for Scoped<'_> {
    type Target = Memory;

    fn deref(&self) -> &Memory {
        match self {
            Scoped::Own(m) => m,
            Scoped::Other(m) => m,
        }
    }
}

/// An answer: status and JSON body (None: no body).
pub type Answer = (StatusCode, Option<Value>);

/// A matched operation with its path parameters.
type Matched<'a> = (&'a Operation, Vec<(String, String)>);

impl Tier {
    /// A tier serving this contract, deviating from it as the faults say, with a store of its
    /// own for the emulated kinds too.
    pub fn new(contract: Arc<Contract>, faults: Faults) -> Tier {
        Tier::sharing(contract, faults, None)
    }

    /// A tier whose memory hands the emulated kinds (snapshots, servers, their metadata) to the
    /// emulation's store `shared`, so that both tiers see one state (None: it keeps them too).
    pub fn sharing(
        contract: Arc<Contract>,
        faults: Faults,
        shared: Option<Arc<super::shared::Shared>>,
    ) -> Tier {
        let mut routes: Vec<(Method, Table<usize>)> = Vec::new();
        for (i, op) in contract.operations.iter().enumerate() {
            let Ok(method) = Method::from_bytes(op.method.as_bytes()) else {
                tracing::warn!("{} {}: not an HTTP method, not served", op.method, op.path);
                continue;
            };
            let at = match routes.iter().position(|(m, _)| *m == method) {
                Some(at) => at,
                None => {
                    routes.push((method.clone(), Table::new()));
                    routes.len() - 1
                }
            };
            if let Err(refused) = routes[at].1.insert(method, &compact(&op.path), i) {
                tracing::warn!("{refused}");
            }
        }
        let answers = contract.operations.iter().filter_map(|op| {
            let status = *op.success.first()?;
            contract.schema(&op.id, SchemaKind::Response(status))
        });
        let queries = contract
            .operations
            .iter()
            .flat_map(|op| op.query_params.iter().map(|q| &q.schema));
        let scalars = Scalars::of(answers.chain(queries));
        let seeds = super::seeds::Seeds::of(&contract);
        let entry_lists = contract
            .operations
            .iter()
            .filter_map(|op| {
                let (list, param, parents) = crate::contract::rules::keyed_list(&contract, op)?;
                let at = contract
                    .operations
                    .iter()
                    .position(|o| std::ptr::eq(o, list))?;
                Some((op.id.clone(), (at, param, parents)))
            })
            .collect();
        let settings = contract
            .operations
            .iter()
            .filter_map(|put| {
                let get = crate::contract::rules::setting_read(&contract, put)?;
                Some([put.id.clone(), get.id.clone()])
            })
            .flatten()
            .collect();
        let switches = contract
            .operations
            .iter()
            .filter(|op| crate::contract::rules::field_switch(&contract, op))
            .map(|op| op.id.clone())
            .collect();
        Tier {
            entry_lists,
            settings,
            switches,
            scalars,
            projects: BTreeSet::new(),
            faults: faults.clone(),
            memory: Memory::sharing(&contract.resources, faults, shared.clone())
                .also_created_at(
                    contract
                        .operations
                        .iter()
                        .filter(|op| op.method == "POST")
                        .map(|op| {
                            let answer = op
                                .success
                                .iter()
                                .find_map(|s| contract.schema(&op.id, SchemaKind::Response(*s)));
                            (op.path.as_str(), answer)
                        }),
                )
                .also_named(
                    contract
                        .resources
                        .aliases(&contract.operations)
                        .into_iter()
                        .filter_map(|(i, param)| {
                            Some((
                                contract.resources.kinds.get(i)?.collection_template()?,
                                param,
                            ))
                        }),
                )
                .refitted(seeds.refitted()),
            others: RwLock::default(),
            shared,
            jobs: held_job(&seeds),
            seeds,
            contract,
            routes,
        }
    }

    /// The tier of a mock knowing these `projects`, `own` the one its variables name: what
    /// the collections naming no project hold is the token's project's, so a path naming
    /// another project the mock knows finds none of it (ELB's loadbalancers of
    /// `/v2.0/lbaas/loadbalancers` under another project's
    /// `/v2.0/{project_id}/loadbalancers/{loadbalancer_id}/tags`); a project it does not know
    /// is the caller's own. Another project's memory (its `X-Project-Id`) is apart from every
    /// other project the mock knows.
    pub fn knowing(mut self, projects: BTreeSet<String>, own: Option<&str>) -> Tier {
        self.projects = projects;
        let apart = self.projects_but(own);
        self.memory = self.memory.apart_from(apart);
        self
    }

    /// The projects the mock knows but `project`.
    fn projects_but(&self, project: Option<&str>) -> BTreeSet<String> {
        let others = self.projects.iter().filter(|p| Some(p.as_str()) != project);
        others.cloned().collect()
    }

    /// Back to the start (`POST /__mock/reset`, fixtures loaded): what requests created,
    /// changed or deleted is forgotten and the jobs they started with it.
    pub fn reset(&self) {
        self.memory.clear();
        self.others
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.jobs.forget_started();
    }

    /// What the tier's memory holds: the ids of each concrete collection, created by requests
    /// or documented by the pages (`GET /__mock/resources`).
    pub fn resources(&self) -> super::contract_memory::Held {
        let mut held = self.memory.ids();
        let others = self.others.read().unwrap_or_else(|p| p.into_inner());
        held.other_projects = others
            .iter()
            .map(|(project, memory)| (project.clone(), memory.ids()))
            .filter(|(_, h)| !h.created.is_empty() || !h.documented.is_empty())
            .collect();
        held
    }

    /// The memory a request of `op` reads and writes: the tier's own, unless the path names no
    /// project, the service takes it from the header ([`Operation::project_header`]) and the
    /// header names another one (`project`). Another project's memory holds the same kinds,
    /// starts empty (its documented instances aside) and is kept from its first request on,
    /// up to [`MAX_OTHER_PROJECTS`]; where projects leak (`cross-project-leak`), every
    /// request is served from the tier's own.
    fn memory_in(&self, op: &Operation, project: Option<&str>) -> Result<Scoped<'_>, Answer> {
        let leaked = || self.faults.fire(Fault::CrossProjectLeak);
        let Some(project) = project.filter(|_| op.project_header && !leaked()) else {
            return Ok(Scoped::Own(&self.memory));
        };
        if let Some(m) = self
            .others
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(project)
        {
            return Ok(Scoped::Other(m.clone()));
        }
        let mut others = self.others.write().unwrap_or_else(|p| p.into_inner());
        if others.len() >= MAX_OTHER_PROJECTS && !others.contains_key(project) {
            return Err(self.error(
                Some(op),
                StatusCode::FORBIDDEN,
                &format!("the mock keeps at most {MAX_OTHER_PROJECTS} other projects"),
            ));
        }
        let m = others.entry(project.to_string()).or_insert_with(|| {
            let apart = self.projects_but(Some(project));
            Arc::new(self.memory.empty_like().apart_from(apart))
        });
        Ok(Scoped::Other(m.clone()))
    }

    /// The largest request body the mock reads: [`super::BODY_LIMIT`], or, where the longest
    /// value a request schema allows does not fit in it (DLI's SQL statements of up to
    /// 1024*1024 characters), that value at four bytes a character and 64 KiB for the rest of
    /// the body, up to 16 MiB (the largest case file).
    pub fn body_limit(&self) -> usize {
        const CAP: usize = 16 * 1024 * 1024;
        const REST: usize = 64 * 1024;
        let longest = self
            .contract
            .operations
            .iter()
            .filter_map(|op| self.contract.schema(&op.id, SchemaKind::Request))
            .map(longest_value)
            .max()
            .unwrap_or(0);
        longest
            .saturating_mul(4)
            .saturating_add(REST)
            .clamp(super::BODY_LIMIT, CAP)
    }

    /// Whether a GET naming a job (`{job_id}`) queries the job table: not where a kind of the
    /// resource table is named by `job_id` and the path runs through its item, whatever API
    /// version each names (DLI's streaming job `…/streaming/jobs/{job_id}`, its SQL job's
    /// `/v1/{}/jobs/{job_id}/progress` beside `/v1.0/{}/jobs/{job_id}`: the memory holds them).
    fn queries_job(&self, op: &Operation) -> bool {
        let path = normalise(&op.path);
        let path = split_version(&path).1;
        !self.contract.resources.kinds.iter().any(|k| {
            let item = normalise(&k.item_template());
            let item = split_version(&item).1;
            k.id_param.as_deref() == Some(super::jobs::JOB_ID)
                && (path == item || path.starts_with(&format!("{item}/")))
        })
    }

    /// The operation a request is for, with its path parameters (decoded); of several templates
    /// that fit, the literal one wins (see `router`).
    fn route(&self, method: &str, path: &str) -> Option<Matched<'_>> {
        let path = compact(path);
        let (method, table) = self.routes.iter().find(|(m, _)| m == method)?;
        let hit = table.at(method, &path)?;
        let op = self.contract.operations.get(*hit.value)?;
        let params = hit
            .params
            .iter()
            .map(|(name, v)| (name.to_string(), percent_decode(v)))
            .collect();
        Some((op, params))
    }

    /// Whether the contract's operation for this request is not the emulated route's that
    /// takes it through `params` parameters, as `emulated` (the service the emulation answers
    /// for at this path): a more literal template (`/servers/detail` over the emulation's
    /// `/servers/{server_id}`) or another service's operation at the same path (BMS's Nova
    /// servers over ECS's) is the one the request is for.
    pub fn claims(&self, method: &str, path: &str, params: usize, emulated: &str) -> bool {
        self.route(method, path)
            .is_some_and(|(op, _)| op.path_params.len() < params || op.service != emulated)
    }

    /// Whether some operation would be claimed (`claims`) from a route of `table`: only then
    /// need a request ask the tier before the emulation. `emulated` names the service the
    /// emulation answers for at a path.
    pub fn shadowed_by<T>(
        &self,
        table: &super::router::Table<T>,
        emulated: impl Fn(&str) -> &'static str,
    ) -> bool {
        self.contract.operations.iter().any(|op| {
            let Ok(method) = Method::from_bytes(op.method.as_bytes()) else {
                return false;
            };
            // Every parameter stands for a value no literal segment spells.
            let Ok(sample) = crate::contract::template::render(&op.path, |_| Some("\u{1}".into()))
            else {
                return false;
            };
            let sample = compact(&sample);
            table.at(&method, &sample).is_some_and(|hit| {
                hit.params.len() > op.path_params.len() || op.service != emulated(&sample)
            })
        })
    }

    /// Whether an operation of the contract takes this method at this path.
    pub fn serves(&self, method: &str, path: &str) -> bool {
        self.route(method, path).is_some()
    }

    /// The first success status the contract documents for this request, if it has the
    /// operation.
    pub fn documented_success(&self, method: &str, path: &str) -> Option<StatusCode> {
        let (op, _) = self.route(method, path)?;
        op.success
            .first()
            .and_then(|s| StatusCode::from_u16(*s).ok())
    }

    /// Fits an emulation's success answer to the contract's schema for it, where the contract
    /// holds the operation: a `null` where the schema states a type that admits none (Nova's
    /// `task_state`, typed string by the ECS pages) is the schema's instance. Nothing else
    /// changes, so the emulation's fault modes still show.
    pub fn fit_emulated(&self, method: &str, path: &str, status: u16, body: &mut Value) {
        let Some((op, _)) = self.route(method, path) else {
            return;
        };
        if let Some(schema) = self.contract.schema(&op.id, SchemaKind::Response(status)) {
            fill_nulls(body, schema);
        }
    }

    /// Whether any operation of the contract has this path (for 405 versus 404).
    fn path_known(&self, path: &str) -> bool {
        !self.methods(path).is_empty()
    }

    /// The methods the contract has an operation for at this path (for a 405's `Allow`).
    pub fn methods(&self, path: &str) -> Vec<&str> {
        let path = compact(path);
        let mut out: Vec<&str> = self
            .routes
            .iter()
            .filter(|(m, table)| table.at(m, &path).is_some())
            .map(|(m, _)| m.as_str())
            .collect();
        out.sort_by_key(|m| super::router::rank(m));
        out
    }

    /// Answers a request, or None when no operation of the contract has this path at all.
    /// `project` is another project than the mock's own that the request names by its
    /// `X-Project-Id` header (None: its own): a path naming no project is served from that
    /// project's memory ([`Tier::memory_in`]).
    pub fn answer(
        &self,
        project: Option<&str>,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: &[u8],
    ) -> Option<Answer> {
        let Some((op, params)) = self.route(method, path) else {
            return self
                .path_known(path)
                .then(|| self.error(None, StatusCode::METHOD_NOT_ALLOWED, "method not allowed"));
        };
        let query = super::query::pairs(query);
        if let Some(refused) = super::query::refusal(&op.query_params, &query, &self.scalars) {
            return Some(self.error(Some(op), StatusCode::BAD_REQUEST, &refused));
        }
        let request = if op.request_body {
            if body.is_empty() {
                return Some(self.error(
                    Some(op),
                    StatusCode::BAD_REQUEST,
                    "the request body is empty",
                ));
            }
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return Some(self.error(
                    Some(op),
                    StatusCode::BAD_REQUEST,
                    "the request body is not JSON",
                ));
            };
            if let Some(validator) = self.contract.validator(&op.id, SchemaKind::Request) {
                if let Some(e) = validator.iter_errors(&v).next() {
                    let msg = format!("'{}': {}", e.instance_path().as_str(), e.masked());
                    return Some(self.error(Some(op), StatusCode::BAD_REQUEST, &msg));
                }
            }
            if let Some(msg) = self.unbound(op, &params, &v) {
                return Some(self.error(Some(op), StatusCode::BAD_REQUEST, &msg));
            }
            Some(v)
        } else {
            None
        };
        let memory = match self.memory_in(op, project) {
            Ok(memory) => memory,
            Err(refused) => return Some(refused),
        };
        Some(self.serve(&memory, op, path, &params, &query, request.as_ref()))
    }

    /// Where the path names the body's one map key (`PUT …/metadata/{key}` with
    /// `{"meta": {key: value}}`), a body whose key differs from the path's, as the contract's
    /// binding rule states.
    fn unbound(&self, op: &Operation, params: &[(String, String)], body: &Value) -> Option<String> {
        let schema = self.contract.schema(&op.id, SchemaKind::Request)?;
        let (param, parents) = crate::contract::rules::bound_param(op, Some(schema))?;
        let (_, expected) = params.iter().find(|(name, _)| name == param)?;
        let keys = crate::contract::rules::object_at(body, &parents)?;
        let stray = keys.keys().find(|k| *k != expected)?;
        Some(format!(
            "the body's key '{stray}' is not the path's {{{param}}} '{expected}'"
        ))
    }

    fn serve(
        &self,
        memory: &Memory,
        op: &Operation,
        path: &str,
        params: &[(String, String)],
        query: &[(String, String)],
        request: Option<&Value>,
    ) -> Answer {
        let status = op
            .success
            .first()
            .and_then(|s| StatusCode::from_u16(*s).ok())
            .unwrap_or(StatusCode::OK);
        let schema = op
            .success
            .first()
            .and_then(|s| self.contract.schema(&op.id, SchemaKind::Response(*s)));
        let mut body = schema.map(|s| instance(s, params));
        // A bare request is echoed into the answer's one envelope too (RDS answers a create
        // under `instance`): the answer and what the memory keeps show what was sent.
        if let (Some(b), Some(r)) = (&mut body, request) {
            echo(b, r, schema, &self.scalars);
            echo_bare(b, r, schema, &self.scalars);
        }
        // A `{job_id}` of a kind the table names (DLI's streaming jobs) is the memory's.
        let job = params
            .iter()
            .find(|(p, _)| p == super::jobs::JOB_ID)
            .filter(|_| self.queries_job(op));
        if let Some((_, job)) = job {
            let unknown_job = || {
                self.not_found(
                    op,
                    &Unknown {
                        collection: "jobs".into(),
                        id: job.clone(),
                    },
                )
            };
            // The job of a resource nobody made (`…/graphs/{graph_id}/jobs/{job_id}/status`
            // of an unknown graph) is about that resource first.
            if let Some((name, id)) = self.unknown(params).filter(|_| !self.made_up()) {
                let unknown = Unknown {
                    collection: name.clone(),
                    id: id.clone(),
                };
                return self.not_found(op, &unknown);
            }
            if let Err(unknown) = memory.role(&op.path, path, params) {
                if !self.made_up() {
                    return self.not_found(op, &unknown);
                }
            }
            if op.method == "GET" {
                return match body.and_then(|b| self.jobs.complete(job, b, schema)) {
                    Some(done) => (status, Some(done)),
                    None => unknown_job(),
                };
            }
            // Acting on or deleting a job nobody started is about an unknown job too.
            if !self.jobs.knows(job) && !self.made_up() {
                return unknown_job();
            }
            if op.method == "DELETE" {
                self.jobs.forget(job);
                return (status, body);
            }
        }
        if let Some((name, id)) = self.unknown(params).filter(|_| !self.made_up()) {
            return self.not_found(
                op,
                &Unknown {
                    collection: name.clone(),
                    id: id.clone(),
                },
            );
        }
        if op.method == "PUT" {
            if let Some(made) = self.put_create(memory, op, path, params, request, body.clone()) {
                return made;
            }
            if !self.faults.has(Fault::UnknownIdOk) {
                memory.put_names_item(&op.path, path, params, request);
                self.put_entry(memory, op, path, params, request);
            }
        }
        let role = memory
            .query_role(&op.method, &op.path, path, params, query, request)
            .or_else(|| memory.named_in_body(&op.method, &op.path, path, params, request))
            .unwrap_or_else(|| memory.role(&op.path, path, params));
        let role = match role {
            Ok(role) if op.method == "GET" => Memory::list_of(role),
            Ok(role) => role,
            // The made-up body of the operation's schema, as if the id existed.
            Err(_) if self.made_up() => Role::Other,
            Err(unknown) => {
                let entry = matches!(op.method.as_str(), "GET" | "HEAD")
                    .then(|| self.keyed_entry(memory, op, path, params, schema))
                    .flatten();
                return match entry {
                    Some(entry) => (status, Some(entry)),
                    None => self.not_found(op, &unknown),
                };
            }
        };
        let refused = self.precondition_refused(memory, op, path, params);
        if let Some(refused) = refused.filter(|_| !self.faults.fire(Fault::IgnoreVmState)) {
            return self.error(Some(op), StatusCode::CONFLICT, &refused);
        }
        // One entry of a map the item holds (a gateway response's `responses/{type}`, a
        // metadata item): a read of an entry the map does not show is not found, and a delete
        // removes it. A delete of an absent one stays a success: an emulated holder (a server
        // of the ECS emulation) keeps maps this memory does not see.
        if matches!(role, Role::Other) && matches!(op.method.as_str(), "GET" | "HEAD" | "DELETE") {
            if let Some((e, entry)) = self.keyed_lookup(memory, op, path, params, schema) {
                return match entry {
                    None if op.method == "DELETE" || self.made_up() => (status, body),
                    None => {
                        let unknown = Unknown {
                            collection: path.rsplit_once('/').map_or(path, |(c, _)| c).into(),
                            id: e.key,
                        };
                        self.not_found(op, &unknown)
                    }
                    Some(_) if op.method == "DELETE" => {
                        memory.remove_entry(&op.path, path, e.parents, &e.key);
                        (status, body)
                    }
                    Some(entry) => (status, Some(entry)),
                };
            }
        }
        // A PUT setting fields of the item it runs below (CES's `…/alarms/{id}/action`).
        if let (Role::Other, Some(r)) = (&role, request) {
            if self.switches.contains(&op.id) {
                memory.update_holder(&op.path, path, r);
            }
        }
        // A setting (`…/backups/policy`) of a resource the memory knows: a PUT writes it, a GET
        // shows what was written over the view of the resource.
        if let (Role::Other, Some(at)) = (&role, self.setting_at(memory, op, path, params)) {
            let written = match (op.method.as_str(), request) {
                ("PUT" | "POST", Some(r)) => Some(memory.write_setting(&at, r)),
                ("GET", _) => None,
                _ => return (status, self.job_started(op, body)),
            };
            let mut answer = match written {
                Some(_) => self.job_started(op, body),
                None => self.view_of_holder(memory, op, path, body, schema),
            };
            if let (Some(b), Some(held)) = (&mut answer, written.or_else(|| memory.setting(&at))) {
                echo_fitted(b, &held, schema, &self.scalars);
            }
            return (status, answer);
        }
        let fit = |stored: &Value| {
            let mut b = schema
                .map(|s| instance(s, params))
                .unwrap_or_else(|| stored.clone());
            echo_fitted(&mut b, stored, schema, &self.scalars);
            b
        };
        match (op.method.as_str(), role) {
            (
                "POST",
                Role::Create {
                    collection,
                    id_pointer,
                    key,
                },
            ) => {
                let mut made = body.unwrap_or_else(|| json!({}));
                if let Some(s) = schema {
                    prime(&mut made, s, &id_pointer, params);
                }
                let chosen = key
                    .as_ref()
                    .and_then(|k| Some((k, k.chosen(request, params)?)));
                let (mut answer, id) = match chosen {
                    Some((how, key)) => {
                        super::contract_memory::show_key(&mut made, how, &key);
                        let refuse = self.contract.documents(&op.service, 409);
                        match memory.create_keyed(
                            &collection,
                            &id_pointer,
                            made,
                            request,
                            &key,
                            refuse,
                        ) {
                            Ok(made) => made,
                            Err(taken) => {
                                return self.error(
                                    Some(op),
                                    StatusCode::CONFLICT,
                                    &taken.to_string(),
                                )
                            }
                        }
                    }
                    None => memory.create_with_id(&collection, &id_pointer, made, request),
                };
                let at = self
                    .contract
                    .resources
                    .creating(&op.method, &op.path)
                    .and_then(|k| k.created_by_job.as_ref())
                    .map(|j| j.entity.clone());
                // A kind that is itself a job (SIS's transcriber jobs answer their own id as
                // `job_id`) was stored under that id: it starts no job of the job table.
                if id_pointer != format!("/{}", super::jobs::JOB_ID) {
                    let fields = memory.get(&collection, &id).unwrap_or_default();
                    self.jobs
                        .start(&mut answer, Some(super::jobs::Made { id, fields }), at);
                }
                (status, Some(answer))
            }
            // A collection whose answer lists nothing (`…/servers/{id}/ips` answers a map of
            // networks): a view of the item it runs below.
            ("GET", Role::List { .. }) if !lists_items(schema) => {
                (status, self.view_of_holder(memory, op, path, body, schema))
            }
            (
                "GET",
                Role::List {
                    collection,
                    envelope,
                },
            ) => {
                let items = filtered(memory.list(&collection), envelope.as_deref(), query);
                (
                    status,
                    body.map(|b| {
                        fill_list(
                            b,
                            schema,
                            &items,
                            (envelope.as_deref(), collection.rsplit('/').next()),
                            params,
                            &self.scalars,
                        )
                    }),
                )
            }
            (method, Role::Item { collection, id }) => match method {
                "GET" => {
                    let stored = memory.get(&collection, &id);
                    let one = stored.map(|s| match &body {
                        // A read answering a list of the one (AOM's `thresholds: [rule]`).
                        Some(b) if lists_one(schema, &s) => {
                            let b = b.clone();
                            fill_list(b, schema, &[s], (None, None), params, &self.scalars)
                        }
                        _ => fit(&s),
                    });
                    (status, one)
                }
                "PUT" | "PATCH" => {
                    // A PUT with no body (a tag's) changes nothing: it answers what is held.
                    // An update naming the field it changes (SCM's `modify_key`) sets that
                    // field.
                    let named = request.and_then(|r| {
                        let asked = self.contract.schema(&op.id, SchemaKind::Request)?;
                        KeyValue::of(asked)?.as_fields(r)
                    });
                    let stored = match named.as_ref().or(request) {
                        Some(r) => memory.update(&collection, &id, &aliased(r, schema)),
                        None => memory.get(&collection, &id),
                    };
                    (status, body.and(stored.map(|s| fit(&s))))
                }
                "DELETE" => {
                    memory.delete(&collection, &id);
                    (status, body)
                }
                _ => (status, self.job_started(op, body)),
            },
            // A view of one item (`…/servers/{id}/ips`): the fields it documents that the item
            // holds are the item's (its own id aside: the view may have one of its own).
            ("GET", Role::Other) => (status, self.view_of_holder(memory, op, path, body, schema)),
            _ => (status, self.job_started(op, body)),
        }
    }

    /// The answer of a GET below one item (`…/servers/{id}/ips`): the fields it documents
    /// that the item holds are the item's (its own id aside: the view may have one of its own).
    fn view_of_holder(
        &self,
        memory: &Memory,
        op: &Operation,
        path: &str,
        body: Option<Value>,
        schema: Option<&Value>,
    ) -> Option<Value> {
        let (Some(mut b), Some(mut held)) = (body.clone(), memory.holder(&op.path, path)) else {
            return body;
        };
        if let Some(o) = opened(&mut held).and_then(Value::as_object_mut) {
            o.remove("id");
        }
        if let Some(o) = held.as_object_mut() {
            o.remove("id");
        }
        echo_fitted(&mut b, &held, schema, &self.scalars);
        Some(b)
    }

    /// Where a setting's write and GET ([`Tier::settings`]) keep it, for a request of `op` at
    /// `path`: with the item it runs below ([`Memory::setting_at`]), else by the path's template
    /// and the values of its parameters (the write and the GET may name them apart).
    fn setting_at(
        &self,
        memory: &Memory,
        op: &Operation,
        path: &str,
        params: &[(String, String)],
    ) -> Option<String> {
        if !self.settings.contains(&op.id) {
            return None;
        }
        let at = memory.setting_at(&op.path, path).unwrap_or_else(|| {
            let mut elsewhere = normalise(&op.path);
            for (_, v) in params {
                elsewhere.push('\n');
                elsewhere.push_str(v);
            }
            elsewhere
        });
        Some(at)
    }

    /// The map entry a request's path names ([`Tier::entry_lists`]); `params` come decoded
    /// from [`Tier::route`], so a key holding `%` is taken as it is, not decoded twice.
    fn entry(&self, op: &Operation, params: &[(String, String)]) -> Option<Entry<'_>> {
        let (at, param, parents) = self.entry_lists.get(&op.id)?;
        let key = params
            .iter()
            .find(|(n, _)| n == param)
            .map(|(_, v)| v.clone())?;
        Some(Entry {
            list: self.contract.operations.get(*at)?,
            param,
            parents,
            key,
        })
    }

    /// A PUT of one entry of a map the item it runs below holds (`PUT …/metadata/{key}` with
    /// `{"meta": {key: value}}`, or the entry itself as the body): the item's map holds it, so
    /// the list and a read of the entry show it.
    fn put_entry(
        &self,
        memory: &Memory,
        op: &Operation,
        path: &str,
        params: &[(String, String)],
        request: Option<&Value>,
    ) {
        let Some(Entry { parents, key, .. }) = self.entry(op, params) else {
            return;
        };
        let schema = self.contract.schema(&op.id, SchemaKind::Request);
        let value = match (crate::contract::rules::bound_param(op, schema), request) {
            (Some((_, at)), Some(r)) => crate::contract::rules::object_at(r, &at)
                .and_then(|m| m.get(&key))
                .cloned(),
            (None, r) => Some(r.cloned().unwrap_or_else(|| json!({}))),
            (Some(_), None) => None,
        };
        if let Some(value) = value {
            memory.put_entry(&op.path, path, parents, &key, value);
        }
    }

    /// The read of one entry of a keyed list that is a view of the item it runs below
    /// (`GET …/servers/{server_id}/ips/{networkName}` of what `GET …/ips` shows as
    /// `addresses`): nobody creates such an entry, it exists where the list shows its key. The
    /// answer is that entry, under its key where the answer is a map of them. None: no such
    /// list, no such holder, or a key the list does not show (the documented 404).
    fn keyed_entry(
        &self,
        memory: &Memory,
        op: &Operation,
        path: &str,
        params: &[(String, String)],
        schema: Option<&Value>,
    ) -> Option<Value> {
        self.keyed_lookup(memory, op, path, params, schema)?.1
    }

    /// [`Tier::keyed_entry`] with the entry it looked for, telling a key the list does not
    /// show (`Some((entry, None))`) from no such list or holder (`None`).
    fn keyed_lookup(
        &self,
        memory: &Memory,
        op: &Operation,
        path: &str,
        params: &[(String, String)],
        schema: Option<&Value>,
    ) -> Option<(Entry<'_>, Option<Value>)> {
        let e = self.entry(op, params)?;
        let (list, param, parents, key) = (e.list, e.param, e.parents, &e.key);
        let list_path = path.trim_end_matches('/').rsplit_once('/')?.0;
        let list_schema = list
            .success
            .first()
            .and_then(|s| self.contract.schema(&list.id, SchemaKind::Response(*s)));
        let outer: Vec<(String, String)> =
            params.iter().filter(|(n, _)| n != param).cloned().collect();
        let shown = match memory.role(&list.path, list_path, &outer) {
            // The list is one item's own read (a gateway response shows its `responses`).
            Ok(Role::Item { collection, id }) => {
                let stored = memory.get(&collection, &id)?;
                let mut b = list_schema.map_or_else(|| stored.clone(), |s| instance(s, params));
                echo_fitted(&mut b, &stored, list_schema, &self.scalars);
                b
            }
            _ => {
                memory.holder(&list.path, list_path)?;
                self.view_of_holder(
                    memory,
                    list,
                    list_path,
                    list_schema.map(|s| instance(s, params)),
                    list_schema,
                )?
            }
        };
        let Some(entry) = crate::contract::rules::object_at(&shown, parents)?
            .get(key)
            .cloned()
        else {
            return Some((e, None));
        };
        let answer = match schema {
            Some(s) if !free_map(s) => {
                let mut answer = instance(s, params);
                echo_fitted(&mut answer, &entry, schema, &self.scalars);
                answer
            }
            _ => json!({ key.as_str(): entry }),
        };
        Some((e, Some(answer)))
    }

    /// A PUT that creates what its path names (a kind the client keys in the path, an id not
    /// held yet): stored under that id once the parents its path names exist.
    fn put_create(
        &self,
        memory: &Memory,
        op: &Operation,
        path: &str,
        params: &[(String, String)],
        request: Option<&Value>,
        body: Option<Value>,
    ) -> Option<Answer> {
        let (collection, key) = memory.put_creates(&op.path, path, params)?;
        let own = op.path_params.last()?;
        let parents: Vec<(String, String)> =
            params.iter().filter(|(n, _)| n != own).cloned().collect();
        let (template, _) = op.path.rsplit_once('/')?;
        if let Err(unknown) = memory.role(template, &collection, &parents) {
            return Some(self.not_found(op, &unknown));
        }
        let mut made = body.unwrap_or_else(|| json!({}));
        // The answer's `id` is the one the path chose.
        super::contract_memory::show_key(&mut made, &ClientKey::Path(own.clone()), &key);
        let status = op
            .success
            .first()
            .and_then(|s| StatusCode::from_u16(*s).ok())
            .unwrap_or(StatusCode::OK);
        // The key is not held (checked above): nothing to refuse.
        let (answer, _) = memory
            .create_keyed(&collection, "", made, request, &key, false)
            .ok()?;
        Some((status, Some(answer)))
    }

    /// The first of the operation's documented preconditions (`vm_state` one of active, stopped,
    /// …) that the resource its path names breaks, said in words; the emulation's
    /// `ignore-vm-state` fault skips them here too.
    fn precondition_refused(
        &self,
        memory: &Memory,
        op: &Operation,
        path: &str,
        params: &[(String, String)],
    ) -> Option<String> {
        if op.preconditions.is_empty() {
            return None;
        }
        let concrete: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let template: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
        // The resources the path names, the innermost first.
        let named = template.iter().enumerate().rev().filter_map(|(i, seg)| {
            let param = crate::contract::template::sole_param(seg)?;
            if param == "project_id" || !crate::contract::rules::is_resource_param(param) {
                return None;
            }
            let (_, id) = params.iter().find(|(n, _)| n == param)?;
            let collection = format!("/{}", concrete.get(..i)?.join("/"));
            let stored = memory.get(&collection, id).or_else(|| {
                // An emulated kind named under another path (Huawei's `/v1/{project_id}/
                // cloudservers/{server_id}`) is the emulation's own server.
                let project = params.iter().find(|(n, _)| n == "project_id")?;
                let at = match param {
                    "server_id" => super::shared::Owned::Servers(project.1.clone()),
                    "snapshot_id" => super::shared::Owned::Snapshots(project.1.clone()),
                    _ => return None,
                };
                self.shared.as_ref()?.get(&at, id)
            })?;
            Some((param, stored))
        });
        for (param, stored) in named {
            for p in &op.preconditions {
                let Some(state) = field_of(&stored, &p.field) else {
                    continue;
                };
                if !p.allowed.iter().any(|a| a == state) {
                    let kind = param.trim_end_matches("_id");
                    let allowed = p.allowed.join(", ");
                    return Some(format!(
                        "the {kind}'s {} is {state}, not one of {allowed}",
                        p.field
                    ));
                }
            }
        }
        None
    }

    /// The seeded path parameter naming an id nobody holds: an emulated kind's (`snapshot_id`,
    /// `server_id`) is held when the emulation's store holds it, another one when it is the
    /// seed. A parameter a kind of the table names is the memory's to check (a server the tier
    /// created at `/v1/{project_id}/cloudservers` is its own).
    fn unknown<'p>(&self, params: &'p [(String, String)]) -> Option<&'p (String, String)> {
        let strict = self.unknown_in(params, false)?;
        if !self.faults.has(Fault::CrossProjectLeak) {
            return Some(strict);
        }
        // Where projects leak, what another project holds is found: the fault took effect.
        let leaked = self.unknown_in(params, true);
        if leaked.is_none() {
            self.faults.fire(Fault::CrossProjectLeak);
        }
        leaked
    }

    /// Whether the `unknown-id-ok` fault answers an unknown id as if it existed (counting it).
    fn made_up(&self) -> bool {
        self.faults.fire(Fault::UnknownIdOk)
    }

    /// [`Tier::unknown`], finding ids in any project where `leaks`.
    fn unknown_in<'p>(
        &self,
        params: &'p [(String, String)],
        leaks: bool,
    ) -> Option<&'p (String, String)> {
        let Some(shared) = &self.shared else {
            return self.seeds.unknown(params, leaks);
        };
        let project = params
            .iter()
            .find(|(n, _)| n == "project_id")
            .map(|(_, v)| v.as_str())
            .filter(|_| !leaks);
        params.iter().find(|pair| {
            let (name, id) = (pair.0.as_str(), pair.1.as_str());
            if !self.seeds.seeds(name) {
                false
            } else if super::shared::OWNED_PARAMS.contains(&name) {
                !shared.names(name, id, project)
            } else {
                self.seeds
                    .unknown(std::slice::from_ref(*pair), leaks)
                    .is_some()
            }
        })
    }

    /// A POST that is no create and answers a `job_id` starts a job of its own (a create's
    /// job completes with what the create made).
    fn job_started(&self, op: &Operation, mut body: Option<Value>) -> Option<Value> {
        if op.method == "POST" {
            if let Some(b) = &mut body {
                self.jobs.start(b, None, None);
            }
        }
        body
    }

    /// The documented 404 for an id nobody created, with the not-found code about that kind
    /// when the table has one (`Port does not exist` over `VPC does not exist` for a port).
    fn not_found(&self, op: &Operation, unknown: &Unknown) -> Answer {
        let noun = unknown
            .collection
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches("_id")
            .trim_end_matches('s')
            .replace(['_', '-'], " ");
        let codes = self.contract.error_codes.get(&op.service);
        let code = code_for(codes, 404, &noun);
        self.error_with(
            Some(op),
            StatusCode::NOT_FOUND,
            &unknown.to_string(),
            Some(code),
        )
    }

    /// An error in the operation's documented envelope, with a documented code for the status.
    fn error(&self, op: Option<&Operation>, status: StatusCode, message: &str) -> Answer {
        self.error_with(op, status, message, None)
    }

    /// An error with a chosen code (None: the documented code that means the status).
    fn error_with(
        &self,
        op: Option<&Operation>,
        status: StatusCode,
        message: &str,
        code: Option<String>,
    ) -> Answer {
        let service = op.map(|o| o.service.as_str()).unwrap_or_default();
        let code = code.unwrap_or_else(|| {
            code_for(self.contract.error_codes.get(service), status.as_u16(), "")
        });
        let schema = op.and_then(|o| self.contract.schema(&o.id, SchemaKind::Error));
        let kind = match status.as_u16() {
            404 => "itemNotFound",
            405 => "methodNotAllowed",
            409 => "conflictingRequest",
            413 => "overLimit",
            _ => "badRequest",
        };
        let error = ErrorFill {
            code: &code,
            status: status.as_u16(),
            message,
        };
        let body = match schema {
            Some(s)
                if s.get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty()) =>
            {
                error.fill(s)
            }
            // An envelope keyed by the error's kind (`{"badRequest": {…}}`), as Nova's are.
            Some(s) if s.pointer("/additionalProperties/properties").is_some() => {
                json!({ kind: error.fill(&s["additionalProperties"]) })
            }
            _ => json!({ kind: {"code": code, "message": message} }),
        };
        (status, Some(body))
    }
}

/// The longest string a schema allows anywhere (`maxLength` in characters, `x-maxBytes`).
fn longest_value(schema: &Value) -> usize {
    match schema {
        Value::Object(o) => {
            let own = ["maxLength", "x-maxBytes"]
                .iter()
                .filter_map(|k| o.get(*k).and_then(Value::as_u64))
                .filter_map(|n| usize::try_from(n).ok())
                .max()
                .unwrap_or(0);
            o.values().map(longest_value).fold(own, usize::max)
        }
        Value::Array(a) => a.iter().map(longest_value).max().unwrap_or(0),
        _ => 0,
    }
}

/// The job table, holding the job the tier's variables name (`job_id`) as finished: a run
/// with no vars file queries a job it did not start (DLI's `…/jobs/{job_id}/status`).
fn held_job(seeds: &super::seeds::Seeds) -> super::jobs::Jobs {
    let jobs = super::jobs::Jobs::default();
    if let Some(job) = seeds.vars().get(super::jobs::JOB_ID) {
        jobs.hold(job);
    }
    jobs
}

/// Replaces each `null` the schema does not admit with the schema's instance, through
/// properties and items.
fn fill_nulls(value: &mut Value, schema: &Value) {
    match value {
        Value::Null => {
            let admits = match schema.get("type") {
                Some(Value::String(t)) => t == "null",
                Some(Value::Array(a)) => a.iter().any(|t| t == "null"),
                _ => true,
            };
            if !admits {
                *value = instance(schema, &[]);
            }
        }
        Value::Object(o) => {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in o.iter_mut() {
                    if let Some(sub) = props.get(k) {
                        fill_nulls(v, sub);
                    }
                }
            }
        }
        Value::Array(a) => {
            if let Some(items) = schema.get("items") {
                a.iter_mut().for_each(|v| fill_nulls(v, items));
            }
        }
        _ => {}
    }
}

/// A path without its empty segments (`/v1//p/vpcs/` is `/v1/p/vpcs`): the tier has always
/// ignored them, in requests and in templates alike. Borrowed when there is none.
fn compact(path: &str) -> Cow<'_, str> {
    let clean = match path.strip_prefix('/') {
        Some(rest) => rest.is_empty() || !rest.split('/').any(str::is_empty),
        None => false,
    };
    if clean {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

/// What an error answer means, to pick its code by the code's documented description: tables
/// list codes in no meaningful order, so the first one of a status may be about something else
/// entirely (EVS's first 400 is "No jobs found", its first 404 a KMS role check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// 400: the request (body, parameter) is invalid.
    Invalid,
    /// 401: no or a bad credential.
    Unauthorized,
    /// 403: not permitted.
    Forbidden,
    /// 404: the resource does not exist.
    NotFound,
    /// 405: the method is not served here.
    MethodNotAllowed,
    /// 409: the resource's state or another one conflicts.
    Conflict,
    /// 413: the request is too large.
    TooLarge,
}

impl Meaning {
    /// The meaning of an error status, if the tier answers it.
    pub fn of(status: u16) -> Option<Meaning> {
        Some(match status {
            400 => Meaning::Invalid,
            401 => Meaning::Unauthorized,
            403 => Meaning::Forbidden,
            404 => Meaning::NotFound,
            405 => Meaning::MethodNotAllowed,
            409 => Meaning::Conflict,
            413 => Meaning::TooLarge,
            _ => return None,
        })
    }

    /// Words (lower case; English and Chinese, as the tables are written) a description of
    /// this meaning uses, with how much each says it.
    fn words(self) -> &'static [(&'static str, u32)] {
        match self {
            Meaning::Invalid => &[
                ("request body", 3),
                ("parameter", 3),
                ("param ", 3),
                ("malformed", 3),
                ("bad request", 3),
                ("参数", 3),
                ("请求体", 3),
                ("invalid", 2),
                ("illegal", 2),
                ("not valid", 2),
                ("json", 2),
                ("非法", 2),
                ("无效", 2),
                ("不合法", 2),
                ("body", 1),
                ("format", 1),
                ("incorrect", 1),
                ("格式", 1),
            ],
            Meaning::Unauthorized => &[
                ("authenticat", 3),
                ("unauthori", 3),
                ("认证", 3),
                ("鉴权", 3),
                ("token", 2),
                ("expired", 1),
            ],
            Meaning::Forbidden => &[
                ("permission", 3),
                ("forbidden", 3),
                ("权限", 3),
                ("禁止", 3),
                ("无权", 3),
                ("not allowed", 2),
                ("policy", 2),
                ("deny", 2),
            ],
            Meaning::NotFound => &[
                ("not found", 3),
                ("not be found", 3),
                ("not exist", 3),
                ("no such", 3),
                ("不存在", 3),
                ("找不到", 3),
                ("未找到", 3),
            ],
            Meaning::MethodNotAllowed => &[("method", 3), ("方法", 3)],
            Meaning::Conflict => &[
                ("conflict", 3),
                ("already exist", 3),
                ("冲突", 3),
                ("已存在", 3),
                ("busy", 2),
                ("in use", 2),
                ("is used", 2),
                ("status", 1),
                ("state", 1),
                ("状态", 1),
            ],
            Meaning::TooLarge => &[
                ("too large", 3),
                ("过大", 3),
                ("too long", 2),
                ("exceed", 1),
                ("超过", 1),
            ],
        }
    }

    /// Words that make a description mean something else, whatever else it says ("Invalid
    /// token" is about auth, not the request; "The requested URL does not exist" about the
    /// path, not a resource).
    fn not(self) -> &'static [&'static str] {
        match self {
            Meaning::Invalid => &[
                "token",
                "role",
                "quota",
                "tenant",
                "project",
                "kms",
                "job",
                "permission",
                "auth",
                "policy",
                "not found",
                "not exist",
                "不存在",
                "权限",
                "配额",
                "租户",
            ],
            Meaning::NotFound => &["url", "kms", "role", "job", "quota"],
            Meaning::Conflict => &["quota", "配额"],
            Meaning::Unauthorized | Meaning::Forbidden => &["quota", "balance"],
            Meaning::MethodNotAllowed | Meaning::TooLarge => &["quota", "配额"],
        }
    }

    /// How much a description says this meaning (0: not at all, or something else).
    fn score(self, description: &str) -> u32 {
        let d = description.to_lowercase();
        if self.not().iter().any(|w| d.contains(w)) {
            return 0;
        }
        self.words()
            .iter()
            .filter(|(w, _)| d.contains(w))
            .map(|(_, n)| n)
            .sum()
    }
}

/// The documented code whose description means what the answer does, preferring one about
/// `noun` (`Port does not exist` over `VPC does not exist` for a port): among the status's
/// codes first, then all of the service's; the most telling description wins, then the
/// shortest (the generic one), then the table's order. None when no description means it.
fn meant_code(codes: &Codes, status: u16, meaning: Meaning, noun: &str) -> Option<String> {
    let rank = |c: &ErrorCode| {
        let score = meaning.score(&c.message);
        let about = !noun.is_empty() && c.message.to_lowercase().contains(noun);
        (score > 0).then_some((u32::from(about) * 10 + score, c.message.chars().count()))
    };
    let best = |list: &mut dyn Iterator<Item = &ErrorCode>| {
        list.filter_map(|c| Some((rank(c)?, c)))
            // Highest score, then the shortest description; the first of equals.
            .fold(
                None::<((u32, usize), &ErrorCode)>,
                |kept, (r, c)| match kept {
                    Some((k, _)) if k.0 > r.0 || (k.0 == r.0 && k.1 <= r.1) => kept,
                    _ => Some((r, c)),
                },
            )
            .map(|(_, c)| c.code.clone())
    };
    best(&mut codes.get(&status).into_iter().flatten())
        .or_else(|| best(&mut codes.values().flatten()))
}

/// The code of an error answer: the documented code that means what the answer does (see
/// [`meant_code`]), else the status itself, as the hand-written emulation answers an error no
/// code is documented for (`status-only-error-codes`): never a code that means something else.
fn code_for(codes: Option<&Codes>, status: u16, noun: &str) -> String {
    Meaning::of(status)
        .and_then(|m| meant_code(codes?, status, m, noun))
        .unwrap_or_else(|| status.to_string())
}

/// Documented codes of one service by status.
type Codes = std::collections::BTreeMap<u16, Vec<ErrorCode>>;

/// An error body for an envelope with named properties (`error_code`, `error_msg` …).
/// A stored resource's value of `field`, at its top or under its envelope, by its name or with
/// an extension's prefix (`OS-EXT-STS:vm_state`).
fn field_of<'v>(stored: &'v Value, field: &str) -> Option<&'v str> {
    let found = |o: &'v Map<String, Value>| {
        o.iter()
            .find(|(k, _)| *k == field || k.rsplit_once(':').is_some_and(|(_, n)| n == field))
            .and_then(|(_, v)| v.as_str())
    };
    let top = stored.as_object()?;
    found(top).or_else(|| top.values().find_map(|v| v.as_object().and_then(found)))
}

/// What an error answer says, to fill the fields of the operation's documented error schema.
struct ErrorFill<'a> {
    code: &'a str,
    status: u16,
    message: &'a str,
}

impl ErrorFill<'_> {
    fn fill(&self, schema: &Value) -> Value {
        let mut out = Map::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, s) in props {
                let lower = name.to_ascii_lowercase();
                let v = if s.get("properties").is_some() {
                    self.fill(s)
                } else if lower.contains("code") {
                    self.code_value(s)
                } else if lower.contains("msg") || lower.contains("message") {
                    Value::String(self.message.into())
                } else if s.get("type").is_some_and(|t| t == "string") && s.get("enum").is_none() {
                    // Filled by what the name means (`request_id` is an id), as answers are.
                    named_string(name, s)
                } else {
                    instance(s, &[])
                };
                out.insert(name.clone(), v);
            }
        }
        Value::Object(out)
    }

    /// The code as the schema types it: a numeric code is the documented one when it is a
    /// number, else the status (`"code": 400` in Nova's envelopes).
    fn code_value(&self, schema: &Value) -> Value {
        let numeric = matches!(
            schema.get("type").and_then(Value::as_str),
            Some("integer" | "number")
        );
        if numeric {
            Value::from(self.code.parse::<i64>().unwrap_or(i64::from(self.status)))
        } else {
            Value::String(self.code.into())
        }
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A value the schema accepts: required and documented properties filled, path parameters used
/// where a field has their name (or is the resource's `id`).
pub fn instance(schema: &Value, params: &[(String, String)]) -> Value {
    if let Some(e) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return e.clone();
    }
    if let Some(alts) = schema
        .get("oneOf")
        .or(schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        if let Some(first) = alts.first() {
            return instance(first, params);
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(a)) => a.iter().find_map(Value::as_str).unwrap_or("object"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match ty {
        "object" => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, s) in props {
                    // A resource's own `id` is the last id of its path: the first one of
                    // `/vpcs/{vpc_id}/subnets/{subnet_id}` names the parent, not the subnet.
                    let by_name = params
                        .iter()
                        .rev()
                        .find(|(p, _)| {
                            // An extension's field is named by its last part
                            // (`os-extended-snapshot-attributes:project_id`).
                            let own = name.rsplit(':').next().unwrap_or(name);
                            p == own
                                || (own == "tenant_id" && p == "project_id")
                                || (name == "id" && p.ends_with("_id") && p != "project_id")
                        })
                        .map(|(_, v)| Value::String(v.clone()));
                    // A plain string (typed so, or typed not at all and nothing else).
                    let string = match s.get("type") {
                        Some(t) => t == "string",
                        None => ["properties", "items", "oneOf", "anyOf", "enum"]
                            .iter()
                            .all(|k| s.get(k).is_none()),
                    };
                    let v = match (by_name, s.get("type").and_then(Value::as_str)) {
                        (Some(v), Some("string") | None) => v,
                        (None, _) if string && s.get("enum").is_none() => named_string(name, s),
                        _ => instance(s, params),
                    };
                    out.insert(name.clone(), v);
                }
            }
            Value::Object(out)
        }
        "array" => Value::Array(Vec::new()),
        "integer" => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(0)),
        "number" => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0)),
        "boolean" => Value::Bool(false),
        "null" => Value::Null,
        _ => named_string("", schema),
    }
}

/// Copies request fields into the response where the response has the same place and the
/// value is one the response schema allows there: an array's items are built from the item
/// schema, then echoed into, so an item the request left partial still has what the response
/// requires; a scalar outside the response's enum or pattern keeps the instance's value.
fn echo(response: &mut Value, request: &Value, schema: Option<&Value>, scalars: &Scalars) {
    let (Value::Object(resp), Value::Object(req)) = (response, request) else {
        return;
    };
    let props = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    for (k, v) in req {
        let k = spelled_as(resp, req, k);
        let k = k.as_ref();
        let sub = props.and_then(|p| p.get(k));
        match (resp.get_mut(k), v) {
            // A free-form map (an object naming no properties: `metadata`) answers what was
            // sent, the entries its value schema allows.
            (Some(r @ Value::Object(_)), Value::Object(sent)) if sub.is_some_and(free_map) => {
                let values = sub.and_then(|s| s.get("additionalProperties"));
                let kept: Map<String, Value> = sent
                    .iter()
                    .filter(|(_, x)| {
                        values.is_none_or(|vs| fits_type(vs, x) && scalars.allows(vs, x))
                    })
                    .map(|(k, x)| (k.clone(), map_value(values, x, scalars)))
                    .collect();
                *r = Value::Object(kept);
            }
            (Some(r @ Value::Object(_)), Value::Object(_)) => echo(r, v, sub, scalars),
            (Some(r @ Value::Array(_)), Value::Array(items)) => {
                let item_schema = sub.and_then(|s| s.get("items"));
                let built: Vec<Value> = items
                    .iter()
                    .filter_map(|item| match (item_schema, item) {
                        (Some(is), Value::Object(_)) => {
                            let mut it = instance(is, &[]);
                            echo(&mut it, item, Some(is), scalars);
                            Some(it)
                        }
                        // A scalar the answer's items are not (names sent where the answer
                        // lists objects) is no item of it.
                        (Some(is), _) => {
                            (fits_type(is, item) && scalars.allows(is, item)).then(|| item.clone())
                        }
                        (None, _) => Some(item.clone()),
                    })
                    .collect();
                *r = Value::Array(built);
            }
            (Some(r), _)
                if std::mem::discriminant(r) == std::mem::discriminant(v)
                    && sub.is_none_or(|s| scalars.allows(s, v)) =>
            {
                *r = v.clone();
            }
            // An integer where the answer documents a string (AOM's rule id, a number when
            // made, a string when listed) is answered as its digits.
            (Some(r @ Value::String(_)), Value::Number(n)) if n.is_i64() || n.is_u64() => {
                let digits = Value::String(n.to_string());
                if sub.is_none_or(|s| scalars.allows(s, &digits)) {
                    *r = digits;
                }
            }
            _ => {}
        }
    }
}

/// The name under which an answer shows a sent field: its own, else its other spelling
/// (`cluster_name` as `clusterName`: MRS sends snake case and reads camel case) where the answer
/// has that and the sender did not send it too.
fn spelled_as<'k>(
    answer: &Map<String, Value>,
    sent: &Map<String, Value>,
    k: &'k str,
) -> Cow<'k, str> {
    if answer.contains_key(k) {
        return k.into();
    }
    match crate::contract::spelling::other(k) {
        Some(o) if answer.contains_key(&o) && !sent.contains_key(&o) => o.into(),
        _ => k.into(),
    }
}

/// One entry of a map an item holds, as a request's path names it.
struct Entry<'c> {
    /// The list showing the map (the item's own read, or a read below it).
    list: &'c Operation,
    /// The path parameter naming the entry.
    param: &'c str,
    /// Where the list's answer holds the map.
    parents: &'c [String],
    /// The entry's key, decoded.
    key: String,
}

/// An update as the answer names its fields: a `display_X` the update's answer shows as `X`
/// (Manila's) is stored as `X`, at the top or one envelope deep, unless `X` is sent too (then
/// the page's precedence holds and both are kept).
fn aliased(update: &Value, answer: Option<&Value>) -> Value {
    let mut out = update.clone();
    let Some(answer) = answer else {
        return out;
    };
    let rename = |o: &mut Map<String, Value>, at: &str| {
        let keys: Vec<String> = o.keys().cloned().collect();
        for k in keys {
            let Some(plain) = crate::contract::display_alias(&format!("{at}/{k}"), answer) else {
                continue;
            };
            let plain = plain.rsplit('/').next().unwrap_or_default().to_string();
            if !o.contains_key(&plain) {
                if let Some(v) = o.remove(&k) {
                    o.insert(plain, v);
                }
            }
        }
    };
    if let Some(top) = out.as_object_mut() {
        rename(top, "");
        for (env, inner) in top.iter_mut() {
            if let Some(inner) = inner.as_object_mut() {
                rename(inner, &format!("/{env}"));
            }
        }
    }
    out
}

/// One entry of a free-form map as the answer shows it: an object the value schema documents
/// fields of is that schema's instance with what was sent in it (APIG's gateway responses
/// answer each entry's `status`, `body` and `default`, whatever the request left out); a list
/// of such objects is each of them so (ECS's `addresses`, a list per network: only the fields
/// the answer documents, whatever the stored item holds).
fn map_value(values: Option<&Value>, sent: &Value, scalars: &Scalars) -> Value {
    match (values, sent) {
        (Some(vs), Value::Object(_)) if vs.get("properties").is_some() => {
            let mut it = instance(vs, &[]);
            echo(&mut it, sent, Some(vs), scalars);
            it
        }
        (Some(vs), Value::Array(items)) if vs.get("items").is_some() => {
            let each = vs.get("items");
            Value::Array(items.iter().map(|x| map_value(each, x, scalars)).collect())
        }
        _ => sent.clone(),
    }
}

/// Whether an object schema is a free-form map: it names no properties and lets others in.
fn free_map(schema: &Value) -> bool {
    schema.get("properties").is_none()
        && schema.get("additionalProperties") != Some(&Value::Bool(false))
        && schema.get("type").is_none_or(|t| {
            t == "object" || t.as_array().is_some_and(|a| a.contains(&json!("object")))
        })
}

/// Whether a value has the JSON type its schema names (a schema naming none takes any).
fn fits_type(schema: &Value, v: &Value) -> bool {
    let named = |t: &str| match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "null" => v.is_null(),
        _ => true,
    };
    match schema.get("type") {
        Some(Value::String(t)) => named(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(named),
        _ => true,
    }
}

/// Gives the arrays on the way to a create's id pointer the items it indexes, each an instance
/// of the array's item schema: a create that answers the list it made
/// (`/instances/0/instance_id`) answers one item, whole.
pub(super) fn prime(body: &mut Value, schema: &Value, pointer: &str, params: &[(String, String)]) {
    let (mut cur, mut sch) = (body, schema);
    for part in pointer.split('/').skip(1) {
        match cur {
            Value::Object(o) => {
                let Some(next) = sch.get("properties").and_then(|p| p.get(part)) else {
                    return;
                };
                let Some(v) = o.get_mut(part) else { return };
                (cur, sch) = (v, next);
            }
            Value::Array(a) => {
                let (Ok(n), Some(items)) = (part.parse::<usize>(), sch.get("items")) else {
                    return;
                };
                while a.len() <= n {
                    a.push(instance(items, params));
                }
                (cur, sch) = (&mut a[n], items);
            }
            _ => return,
        }
    }
}

/// A string a server would answer for a field: what its pattern or format states, else what its
/// name means (an id is an id, a `created_at` a timestamp of now), else `x`s to its minimum
/// length. A value that breaks the field's length limits falls back to the `x`s.
fn named_string(name: &str, schema: &Value) -> Value {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    // Every value below is ASCII: a byte limit is a character limit.
    let max = ["maxLength", crate::contract::keywords::MAX_BYTES]
        .into_iter()
        .filter_map(|k| schema.get(k).and_then(Value::as_u64))
        .min()
        .map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(usize::MAX));
    let plain = "x".repeat(min.max(1));
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        let fits = |s: &String| (min..=max).contains(&s.chars().count());
        let patterned = super::patterned::value(p);
        // A patterned value the length limits refuse (`x` where 64 characters are the least):
        // its first character repeated to the least length, where the pattern takes that.
        let repeated = || {
            let first = patterned.as_ref()?.chars().next()?;
            let s = first.to_string().repeat(min.max(1));
            let re = regex::Regex::new(p).ok()?;
            (re.is_match(&s) && fits(&s)).then_some(s)
        };
        let value = patterned.clone().filter(fits).or_else(repeated);
        return Value::String(value.unwrap_or(plain));
    }
    let now = || {
        time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
    };
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let meant = match format {
        "date-time" => now(),
        "date" => now().map(|t| t[..10].to_string()),
        "uuid" => Some(uuid::Uuid::new_v4().to_string()),
        "ipv4" => Some("192.0.2.10".into()),
        "ipv6" => Some("2001:db8::10".into()),
        "email" => Some("conform@example.invalid".into()),
        "uri" => Some("https://example.invalid/".into()),
        _ if name == "id" || name.ends_with("_id") => Some(id_within(max)),
        _ if name.ends_with("_at") || name.ends_with("_time") => now(),
        _ if name == "name" => Some("conform".into()),
        _ => None,
    };
    Value::String(
        meant
            .filter(|v| (min..=max).contains(&v.chars().count()))
            .unwrap_or(plain),
    )
}

/// A fresh id of at most `max` characters: a UUID, else its 32 hex digits (CPH's ids and
/// request ids are 32 bytes at most), cut to `max` where that is shorter still.
pub(crate) fn id_within(max: usize) -> String {
    let id = uuid::Uuid::new_v4();
    let full = id.to_string();
    if full.len() <= max {
        return full;
    }
    let mut hex = id.simple().to_string();
    hex.truncate(max.max(1));
    hex
}

/// A list answer: the schema's first array of objects holds the stored items, each shaped by
/// the array's item schema (the stored body's envelope opened when it has one).
/// What of a stored body answers for `schema`: the body, or the one object it keeps its fields
/// under (the request's envelope, `{"volume": {…}}`, beside what the create answered) where
/// that object holds more of the answer's fields than the body's top level does (an update
/// answering the bare fields).
fn fields_for<'a>(stored: &'a Value, schema: Option<&Value>) -> &'a Value {
    let (Some(o), Some(props)) = (
        stored.as_object(),
        schema
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object),
    ) else {
        return stored;
    };
    let mut objects = o.values().filter(|v| v.is_object());
    let (Some(inner), None) = (objects.next(), objects.next()) else {
        return stored;
    };
    if held(inner, props) > held(stored, props) {
        inner
    } else {
        stored
    }
}

/// How many of an object's fields a schema's `props` document.
fn held(v: &Value, props: &Map<String, Value>) -> usize {
    v.as_object()
        .map_or(0, |m| m.keys().filter(|k| props.contains_key(*k)).count())
}

/// What of a stored item a list shows, in the order echoed: what its envelope holds (`/vpc` of
/// `{"vpc": {…}}`, `/instances/0` of a create answering the list it made), after the whole
/// where the item schema documents more of the whole (a Kubernetes-style object whose id is
/// `/metadata/uid` is listed whole, with its `metadata`); else [`fields_for`].
fn listed_fields<'a>(
    stored: &'a Value,
    envelope: Option<&str>,
    item_schema: &Value,
) -> Vec<&'a Value> {
    let whole = fields_for(stored, Some(item_schema));
    match envelope.and_then(|e| stored.pointer(e)) {
        Some(v) if v.is_object() => {
            let props = item_schema.get("properties").and_then(Value::as_object);
            match props {
                Some(p) if held(whole, p) > held(v, p) => vec![whole, v],
                _ => vec![v],
            }
        }
        _ => vec![whole],
    }
}

/// Echoes a stored body into an answer shaped by `schema`: the fields [`fields_for`] picks, and,
/// where the answer keeps its fields under one envelope (`{"scaling_group": {…}}`) and the body
/// was sent bare, its bare fields into that envelope too (over the envelope a create's answer
/// stored beside them: the bare fields are what was sent and updated).
fn echo_fitted(answer: &mut Value, stored: &Value, schema: Option<&Value>, scalars: &Scalars) {
    let fields = fields_for(stored, schema);
    echo(answer, fields, schema, scalars);
    echo_bare(answer, fields, schema, scalars);
}

/// Echoes the bare fields of a body into the answer's one envelope, where [`envelope_for`]
/// finds the body's fields are that envelope's rather than the answer's top level.
fn echo_bare(answer: &mut Value, fields: &Value, schema: Option<&Value>, scalars: &Scalars) {
    if let (Some((name, sub)), Some(o)) = (envelope_for(fields, schema), fields.as_object()) {
        let bare: Map<String, Value> = o
            .iter()
            .filter(|(k, _)| *k != name)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(inner) = answer.get_mut(name) {
            echo(inner, &Value::Object(bare), Some(sub), scalars);
        }
    }
}

/// The answer's one envelope (an object property naming properties), with its schema, where
/// the body's other fields hold more of the envelope's fields than of the answer's top level.
fn envelope_for<'s>(fields: &Value, schema: Option<&'s Value>) -> Option<(&'s str, &'s Value)> {
    let o = fields.as_object()?;
    let props = schema?.get("properties")?.as_object()?;
    let mut envelopes = props
        .iter()
        .filter(|(_, s)| s.get("properties").is_some_and(Value::is_object));
    let (name, sub) = envelopes.next()?;
    if envelopes.next().is_some() {
        return None;
    }
    let inner = sub.get("properties")?.as_object()?;
    let held = |p: &Map<String, Value>| {
        o.keys()
            .filter(|k| *k != name && p.contains_key(spelled_as(p, o, k).as_ref()))
            .count()
    };
    (held(inner) > held(props)).then_some((name.as_str(), sub))
}

/// Whether an answer schema has an array property to list items in, or is itself an array of
/// objects (AOS answers its templates bare).
fn lists_items(schema: Option<&Value>) -> bool {
    bare_items(schema).is_some()
        || schema
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .is_some_and(|p| p.values().any(|v| v.get("items").is_some()))
}

/// Whether a read of one answers it as a list (AOM's rule read as `{"thresholds": [rule]}`):
/// none of the answer's own fields is one the stored item holds, and a list's items document
/// some of them.
fn lists_one(schema: Option<&Value>, stored: &Value) -> bool {
    let Some(props) = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    else {
        return false;
    };
    let whole = fields_for(stored, schema);
    held(whole, props) == 0
        && props.values().any(|p| {
            p.get("items")
                .and_then(|i| i.get("properties"))
                .and_then(Value::as_object)
                .is_some_and(|ip| held(whole, ip) > 0)
        })
}

/// The item schema of an answer that is itself an array of objects.
fn bare_items(schema: Option<&Value>) -> Option<&Value> {
    schema?
        .get("items")
        .filter(|i| i.get("properties").is_some_and(Value::is_object))
}

fn fill_list(
    mut body: Value,
    schema: Option<&Value>,
    items: &[Value],
    (envelope, collection): (Option<&str>, Option<&str>),
    params: &[(String, String)],
    scalars: &Scalars,
) -> Value {
    // A bare array answer is the stored items, each shaped by its item schema.
    if let Some(item_schema) = bare_items(schema) {
        let filled = items
            .iter()
            .map(|stored| listed(stored, envelope, item_schema, params, scalars))
            .collect();
        return Value::Array(filled);
    }
    let Some(props) = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    else {
        return body;
    };
    // The array named as the collection (DLI's `resources` beside `groups`), else the first.
    let arrays = || {
        props
            .iter()
            .filter_map(|(name, s)| Some((name, s.get("items")?)))
    };
    // Else the array whose items document most of the stored fields (AOM's `thresholds`
    // beside `meta_data`), the first of equals.
    let shared = |item_schema: &Value| {
        let (Some(stored), Some(props)) = (
            items.first(),
            item_schema.get("properties").and_then(Value::as_object),
        ) else {
            return 0;
        };
        listed_fields(stored, envelope, item_schema)
            .into_iter()
            .map(|layer| held(layer, props))
            .max()
            .unwrap_or(0)
    };
    let Some((name, item_schema)) = arrays()
        .find(|(name, _)| Some(name.as_str()) == collection)
        .or_else(|| arrays().min_by_key(|(_, s)| std::cmp::Reverse(shared(s))))
    else {
        return body;
    };
    let filled: Vec<Value> = items
        .iter()
        .map(|stored| listed(stored, envelope, item_schema, params, scalars))
        .collect();
    let n = filled.len();
    if let Some(o) = body.as_object_mut() {
        o.insert(name.clone(), Value::Array(filled));
    }
    last_page(&mut body, schema, n);
    body
}

/// One stored body as a list shows it: an instance of the item schema echoing the stored
/// fields, from the envelope of the id (`/vpc`, `/instances/0`), or where the id sits in a list
/// of ids (`/volume_ids`), the request's envelope the memory opened.
fn listed(
    stored: &Value,
    envelope: Option<&str>,
    item_schema: &Value,
    params: &[(String, String)],
    scalars: &Scalars,
) -> Value {
    let mut v = instance(item_schema, params);
    for layer in listed_fields(stored, envelope, item_schema) {
        echo(&mut v, layer, Some(item_schema), scalars);
    }
    v
}

/// The stored items a list's query keeps: a parameter naming a field of the items (`name`,
/// `id`, `status`; repeated: any of its values) keeps those whose field has that value; `limit`
/// keeps the first so many. Other parameters (markers, offsets) change nothing.
fn filtered(items: Vec<Value>, envelope: Option<&str>, query: &[(String, String)]) -> Vec<Value> {
    if query.is_empty() {
        return items;
    }
    let mut wanted: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut limit = None;
    for (k, v) in query {
        if k == "limit" {
            limit = v.parse::<usize>().ok();
            continue;
        }
        match wanted.iter_mut().find(|(name, _)| name == k) {
            Some((_, values)) => values.push(v),
            None => wanted.push((k, vec![v])),
        }
    }
    let mut kept: Vec<Value> = items
        .into_iter()
        .filter(|stored| {
            let inner = envelope
                .and_then(|e| stored.pointer(e))
                .filter(|v| v.is_object())
                .unwrap_or(stored);
            wanted.iter().all(|(k, values)| match inner.get(k) {
                Some(Value::String(s)) => values.iter().any(|v| v == s),
                Some(Value::Number(n)) => values.iter().any(|v| *v == n.to_string()),
                Some(Value::Bool(b)) => values.iter().any(|v| *v == b.to_string()),
                // Not a field of the items: a paging or presentation parameter.
                _ => true,
            })
        })
        .collect();
    if let Some(n) = limit {
        kept.truncate(n);
    }
    kept
}

/// A list answer is one whole page: counts say how many items it holds, and a marker of the
/// next page is left out where the schema lets it (a client following it would loop).
fn last_page(body: &mut Value, schema: Option<&Value>, n: usize) {
    fn walk(v: &mut Value, schema: Option<&Value>, n: usize, depth: usize) {
        let Some(o) = v.as_object_mut() else { return };
        let required: Vec<&str> = schema
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        o.retain(|k, _| {
            !(k.ends_with("next_marker") || k == "next") || required.contains(&k.as_str())
        });
        for (k, child) in o.iter_mut() {
            let counts = matches!(
                k.as_str(),
                "count" | "current_count" | "total_count" | "total"
            );
            if counts && child.is_u64() {
                *child = json!(n);
            } else if depth == 0 && child.is_object() {
                let inner = schema
                    .and_then(|s| s.get("properties"))
                    .and_then(|p| p.get(k));
                walk(child, inner, n, depth + 1);
            }
        }
    }
    walk(body, schema, n, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A contract of these operations alone: no schemas, no error codes.
    /// A contract of these operations and answers, with a resource table as
    /// `resources.json` holds it.
    fn contract_with(
        ops: Vec<Operation>,
        schemas: std::collections::BTreeMap<(String, SchemaKind), Value>,
        resources: Value,
    ) -> Contract {
        let dir = std::path::Path::new(".");
        let mut contract =
            Contract::from_parts(ops, schemas, Default::default(), dir).expect("builds");
        contract.resources = serde_json::from_value(resources).expect("a table");
        contract
    }

    /// A resource table of one kind as `resources.json` holds it: made by a POST to
    /// `collection_path`, read at its item `{id_param}` below it, the new id at `created_id`.
    fn one_kind(
        kind: &str,
        service: &str,
        collection_path: &str,
        id_param: &str,
        created_id: &str,
    ) -> Value {
        let collection = collection_path.rsplit('/').next().unwrap_or_default();
        json!([{
            "kind": kind, "service": service, "collection": collection,
            "read": {"method": "GET", "path": format!("{collection_path}/{{{id_param}}}")},
            "created_id": created_id,
            "collection_path": collection_path,
            "id_param": id_param,
            "create": {"method": "POST", "path": collection_path}
        }])
    }

    /// A tier sharing the emulation's store of the default fixtures (their servers and
    /// snapshots).
    fn with_emulation(contract: Contract) -> Tier {
        let fixtures = crate::mock::state::Fixtures::defaults();
        let shared = Arc::new(crate::mock::shared::Shared::new(
            crate::mock::state::State::from_fixtures(&fixtures),
        ));
        Tier::sharing(Arc::new(contract), Faults::default(), Some(shared))
    }

    fn bare_contract(ops: Vec<Operation>) -> Arc<Contract> {
        let dir = std::path::Path::new(".");
        let contract = Contract::from_parts(ops, Default::default(), Default::default(), dir);
        Arc::new(contract.expect("builds"))
    }

    /// A `{job_id}` below the item of a kind named by it is that kind's, whatever API version
    /// each path names (DLI's `/v1/…/jobs/{job_id}/progress` of the SQL jobs read at
    /// `/v1.0/…/jobs/{id}`); elsewhere it is a job of the job table.
    #[test]
    fn a_job_id_below_a_kinds_item_is_the_kinds_in_any_version() {
        let get = |id: &str, path: &str| Operation::new(id, "dli", "GET", path);
        let progress = get("dli.progress.v1", "/v1/{project_id}/jobs/{job_id}/progress");
        let query = get("dli.query.v1", "/v1/{project_id}/query-jobs/{job_id}");
        let contract = contract_with(
            vec![progress.clone(), query.clone()],
            Default::default(),
            one_kind("job", "dli", "/v1.0/{project_id}/jobs", "job_id", "/job_id"),
        );
        let tier = Tier::new(Arc::new(contract), Faults::default());
        assert!(!tier.queries_job(&progress));
        assert!(tier.queries_job(&query));
    }

    /// An answer of the bare fields reads them from inside the envelope a create stored them
    /// under; an answer naming the envelope, or a body whose top level holds more of the
    /// answer's fields (a flat body with a `metadata` map), answers from the top.
    #[test]
    fn stored_fields_are_read_from_their_envelope_where_the_answer_is_bare() {
        let bare = json!({"properties": {"name": {}, "size": {}}});
        let enveloped = json!({"properties": {"volume": {}}});
        let stored = json!({"volume": {"name": "v", "size": 1}, "job_id": "j"});
        assert_eq!(fields_for(&stored, Some(&bare)), &stored["volume"]);
        assert_eq!(fields_for(&stored, Some(&enveloped)), &stored);
        let flat = json!({"name": "v", "size": 1, "metadata": {"a": "b"}});
        assert_eq!(fields_for(&flat, Some(&bare)), &flat);
        assert_eq!(fields_for(&stored, None), &stored);
    }

    /// An update's `display_X` is stored as the `X` its answer shows, unless `X` is sent too.
    #[test]
    fn an_openstack_display_field_is_stored_under_the_name_the_answer_shows() {
        let s = json!({"type": "string"});
        let answer =
            json!({"properties": {"share": {"properties": {"name": s, "description": s}}}});
        assert_eq!(
            aliased(
                &json!({"share": {"display_name": "n", "size": 1}}),
                Some(&answer)
            ),
            json!({"share": {"name": "n", "size": 1}})
        );
        let both = json!({"share": {"display_name": "loser", "name": "winner"}});
        assert_eq!(aliased(&both, Some(&answer)), both);
        // An answer documenting `display_name` (SMN's) keeps it.
        let smn = json!({"properties": {"display_name": s, "name": s}});
        let sent = json!({"display_name": "d"});
        assert_eq!(aliased(&sent, Some(&smn)), sent);
        assert_eq!(aliased(&sent, None), sent);
    }

    /// A body sent bare is answered inside the envelope the answer keeps its fields under, and
    /// nowhere else; a body naming the envelope, or holding more top-level fields, is not.
    #[test]
    fn a_bare_stored_body_is_answered_inside_the_answers_envelope() {
        let s = json!({"type": "string"});
        let schema = json!({"properties": {
            "group": {"type": "object", "properties": {"id": s, "name": s, "description": s}},
            "request_id": s,
        }});
        let scalars = Scalars::default();
        let mut answer =
            json!({"group": {"id": "g", "name": "x", "description": "d"}, "request_id": "r"});
        let stored = json!({"id": "g", "name": "sent", "description": "updated"});
        echo_fitted(&mut answer, &stored, Some(&schema), &scalars);
        assert_eq!(answer["group"]["name"], "sent");
        assert_eq!(answer["group"]["description"], "updated");
        assert_eq!(answer["request_id"], "r");
        // Beside the envelope a create's answer stored, the bare fields (sent, updated) win.
        let beside = json!({"description": "updated again", "group": {"id": "g", "description": "answered"}});
        echo_fitted(&mut answer, &beside, Some(&schema), &scalars);
        assert_eq!(answer["group"]["description"], "updated again");
        let enveloped = json!({"group": {"name": "inner"}});
        assert_eq!(envelope_for(&enveloped, Some(&schema)), None);
        let top = json!({"request_id": "q", "other": "o"});
        assert_eq!(envelope_for(&top, Some(&schema)), None);
    }

    /// An echoed request must not make the answer break its own schema: a partial array item
    /// gets what the response requires, a value outside the response's enum is not copied.
    /// The one page a list answers says how many items it holds and offers no next page where
    /// the schema lets the marker go.
    /// A list query keeps the items whose fields it names, any of a repeated parameter's values,
    /// and at most `limit`; what names no field of the items changes nothing.
    #[test]
    fn a_list_query_filters_by_the_items_fields() {
        let items = || {
            vec![
                json!({"vpc": {"id": "a", "name": "x", "size": 1}}),
                json!({"vpc": {"id": "b", "name": "y", "size": 2}}),
                json!({"vpc": {"id": "c", "name": "x", "size": 2}}),
            ]
        };
        let ids = |q: Option<&str>| -> Vec<String> {
            filtered(items(), Some("/vpc"), &super::super::query::pairs(q))
                .iter()
                .map(|v| v["vpc"]["id"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        assert_eq!(ids(None), ["a", "b", "c"]);
        assert_eq!(ids(Some("name=x")), ["a", "c"]);
        assert_eq!(ids(Some("id=a&id=b")), ["a", "b"]);
        assert_eq!(ids(Some("size=2&name=x")), ["c"]);
        assert_eq!(ids(Some("marker=zz&limit=2")), ["a", "b"]);
        assert_eq!(ids(Some("name=%78")), ["a", "c"]);
    }

    #[test]
    fn a_list_answer_is_its_last_page() {
        let s = json!({"type": "string"});
        let schema = json!({
            "properties": {
                "vpcs": {"type": "array", "items": {"properties": {"id": s}}},
                "count": {"type": "integer"},
                "page_info": {
                    "required": ["previous_marker"],
                    "properties": {"next_marker": s, "previous_marker": s, "current_count": {"type": "integer"}}
                }
            }
        });
        let body = instance(&schema, &[]);
        let items = [json!({"id": "a"}), json!({"id": "b"})];
        let listed = fill_list(
            body,
            Some(&schema),
            &items,
            (None, None),
            &[],
            &Scalars::default(),
        );
        assert_eq!(listed["count"], 2, "{listed}");
        assert_eq!(listed["page_info"]["current_count"], 2, "{listed}");
        assert!(listed["page_info"].get("next_marker").is_none(), "{listed}");
        assert!(
            listed["page_info"].get("previous_marker").is_some(),
            "{listed}"
        );
        assert_eq!(listed["vpcs"][1]["id"], "b");
    }

    /// Of several arrays, a list's items go in the one named as its collection.
    #[test]
    fn a_list_fills_the_array_named_as_its_collection() {
        let s = json!({"type": "string"});
        let schema = json!({"properties": {
            "groups": {"type": "array", "items": {"properties": {"group_name": s}}},
            "resources": {"type": "array", "items": {"properties": {"resource_name": s}}}}});
        let items = [json!({"resource_name": "a"})];
        let listed = fill_list(
            instance(&schema, &[]),
            Some(&schema),
            &items,
            (None, Some("resources")),
            &[],
            &Scalars::default(),
        );
        assert_eq!(listed["resources"][0]["resource_name"], "a", "{listed}");
    }

    /// A read of one that answers a list of the one (AOM's `{"meta_data": …, "thresholds":
    /// [rule]}`) shows the stored one as that list's item; an ordinary read does not.
    #[test]
    fn a_read_answering_a_list_of_the_one_shows_it_there() {
        let s = json!({"type": "string"});
        let listed = json!({"properties": {
            "meta_data": {"properties": {"count": {"type": "integer"}}},
            "thresholds": {"type": "array", "items": {"properties": {"rule_id": s, "name": s}}}}});
        let stored = json!({"rule_id": "r1", "name": "n"});
        assert!(lists_one(Some(&listed), &stored));
        let filled = fill_list(
            json!({"thresholds": []}),
            Some(&listed),
            std::slice::from_ref(&stored),
            (None, None),
            &[],
            &Scalars::default(),
        );
        assert_eq!(filled["thresholds"][0]["name"], "n", "{filled}");
        let flat = json!({"properties": {"rule_id": s, "name": s, "tags": {"type": "array", "items": {"properties": {"name": s}}}}});
        assert!(!lists_one(Some(&flat), &stored));
    }

    /// A list answering a bare array (AOS's templates) is the stored items, each shaped by the
    /// item schema; it lists items, and is no view of an item.
    #[test]
    fn a_bare_array_answer_lists_the_stored_items() {
        let s = json!({"type": "string"});
        let schema = json!({"type": "array", "items": {"properties": {"guid": s, "name": s}}});
        assert!(lists_items(Some(&schema)));
        assert!(!lists_items(Some(&json!({"type": "array", "items": s}))));
        let items = [
            json!({"guid": "g1", "name": "a"}),
            json!({"guid": "g2", "name": "b"}),
        ];
        let listed = fill_list(
            instance(&schema, &[]),
            Some(&schema),
            &items,
            (None, Some("stacks")),
            &[],
            &Scalars::default(),
        );
        assert_eq!(listed[1]["guid"], "g2", "{listed}");
        assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
        let none = fill_list(
            json!([]),
            Some(&schema),
            &[],
            (None, None),
            &[],
            &Scalars::default(),
        );
        assert_eq!(none, json!([]));
    }

    /// A list not naming its array after the collection fills the array whose items document
    /// the stored fields (AOM's `thresholds`, not the `meta_data` before it), and an integer id
    /// stored from the create is listed as the string the list documents.
    #[test]
    fn a_list_fills_the_array_whose_items_hold_the_stored_fields() {
        let s = json!({"type": "string"});
        let schema = json!({"properties": {
            "meta_data": {"type": "array", "items": {"properties": {"total": {"type": "integer"}}}},
            "thresholds": {"type": "array", "items": {"properties": {
                "alarm_rule_id": s, "alarm_rule_name": s}}}}});
        let items = [json!({"alarm_rule_id": 2137, "alarm_rule_name": "a"})];
        let listed = fill_list(
            instance(&schema, &[]),
            Some(&schema),
            &items,
            (None, Some("alarm-rules")),
            &[],
            &Scalars::default(),
        );
        assert_eq!(listed["thresholds"][0]["alarm_rule_id"], "2137", "{listed}");
        assert_eq!(listed["thresholds"][0]["alarm_rule_name"], "a", "{listed}");
        assert_eq!(listed["meta_data"], json!([]), "{listed}");
    }

    /// A create sent bare and answered under one envelope (RDS's `instance`) answers what was
    /// sent inside it, wherever the envelope's schema allows the value.
    #[test]
    fn a_bare_request_is_echoed_into_the_answers_envelope() {
        let schema = json!({"properties": {
            "instance": {"type": "object", "properties": {
                "name": {"type": "string", "pattern": "^[A-Za-z0-9\\-_]+$", "minLength": 4},
                "region": {"type": "string"}, "id": {"type": "string"}}},
            "job_id": {"type": "string"}}});
        let sent = json!({"name": "conform", "region": "r1", "password": "p"});
        let mut answer = instance(&schema, &[]);
        echo(&mut answer, &sent, Some(&schema), &Scalars::default());
        echo_bare(&mut answer, &sent, Some(&schema), &Scalars::default());
        assert_eq!(answer["instance"]["name"], "conform", "{answer}");
        assert_eq!(answer["instance"]["region"], "r1", "{answer}");
        // A value the field's pattern refuses keeps the made-up one.
        let mut answer = instance(&schema, &[]);
        echo_bare(
            &mut answer,
            &json!({"name": "a b c d"}),
            Some(&schema),
            &Scalars::default(),
        );
        assert_ne!(answer["instance"]["name"], "a b c d", "{answer}");
    }

    #[test]
    fn echoed_fields_keep_the_answer_within_its_schema() {
        let schema = json!({
            "type": "object",
            "required": ["pools", "state"],
            "properties": {
                "pools": {"type": "array", "items": {
                    "type": "object",
                    "required": ["start", "end"],
                    "properties": {"start": {"type": "string"}, "end": {"type": "string"}}
                }},
                "state": {"type": "string", "enum": ["ACTIVE", "DOWN"]},
                "name": {"type": "string"}
            }
        });
        let mut answer = instance(&schema, &[]);
        let request = json!({"pools": [{"start": "a"}], "state": "weird", "name": "n"});
        echo(&mut answer, &request, Some(&schema), &Scalars::default());
        assert_eq!(answer["pools"][0]["start"], "a");
        assert!(answer["pools"][0]["end"].is_string(), "{answer}");
        assert_eq!(answer["state"], "ACTIVE");
        assert_eq!(answer["name"], "n");
        let v = jsonschema::validator_for(&schema).unwrap();
        assert!(v.is_valid(&answer), "{answer}");
        // Names sent where the answer lists objects (Kafka's batch delete of topics) are no
        // items of it.
        let mut answer = instance(&schema, &[]);
        echo(
            &mut answer,
            &json!({"pools": ["a", "b"]}),
            Some(&schema),
            &Scalars::default(),
        );
        assert!(v.is_valid(&answer), "{answer}");
    }

    /// A map entry the request sent without the fields the answer documents for each entry
    /// is answered with them (the entry's instance, what was sent in it).
    #[test]
    fn a_sent_map_entry_is_answered_with_the_fields_its_schema_requires() {
        let entry = json!({"type": "object", "required": ["status", "body"], "properties": {
            "status": {"type": "integer"}, "body": {"type": "string"}}});
        let schema = json!({"type": "object", "properties": {
            "responses": {"type": "object", "additionalProperties": entry}}});
        let mut answer = instance(&schema, &[]);
        let sent = json!({"responses": {"A": {}, "B": {"status": 418}}});
        echo(&mut answer, &sent, Some(&schema), &Scalars::default());
        assert_eq!(answer["responses"]["B"]["status"], 418, "{answer}");
        assert!(answer["responses"]["A"]["body"].is_string(), "{answer}");
        let v = jsonschema::validator_for(&schema).unwrap();
        assert!(v.is_valid(&answer), "{answer}");
    }

    /// A seeded id (a report nothing creates) is served, another project's twin is the 404,
    /// and under `cross-project` or `unknown-id-ok` the twin is served too.
    #[test]
    fn a_seeded_ids_other_project_twin_is_served_only_when_projects_leak() {
        let op = Operation {
            success: vec![200],
            ..Operation::new(
                "rp.show_report.v1",
                "rp",
                "GET",
                "/v1/{project_id}/reports/{report_id}",
            )
        };
        let contract = bare_contract(vec![op]);
        let status = |faults: Faults, var: &str| {
            let tier = Tier::new(contract.clone(), faults);
            let id = tier.seeds.vars()[var].clone();
            tier.answer(None, "GET", &format!("/v1/p/reports/{id}"), None, b"")
                .map(|(status, _)| status)
        };
        assert_eq!(status(Faults::default(), "report_id"), Some(StatusCode::OK));
        let twin = "other_project_report_id";
        assert_eq!(status(Faults::default(), twin), Some(StatusCode::NOT_FOUND));
        // Each fault serves the twin, and counts only that answer as its effect.
        for fault in [Fault::CrossProjectLeak, Fault::UnknownIdOk] {
            let faults = Faults::new([fault]);
            let own = status(faults.clone(), "report_id");
            assert_eq!(own, Some(StatusCode::OK));
            assert_eq!(faults.fired(), vec![(fault, 0)], "{fault}");
            assert_eq!(status(faults.clone(), twin), Some(StatusCode::OK));
            assert_eq!(faults.fired(), vec![(fault, 1)], "{fault}");
        }
    }

    /// A stored body in snake case is shown in the answer's camel case (MRS reads a cluster
    /// made with `cluster_name` as `cluster.clusterName`), in the envelope that holds the
    /// camel-case fields; a field the answer spells as stored wins.
    #[test]
    fn a_field_is_shown_in_the_answers_spelling() {
        let s = json!({"type": "string"});
        let schema = json!({"type": "object", "properties": {"cluster": {"type": "object",
            "properties": {"clusterId": s, "clusterName": s, "vpc_name": s}}}});
        let mut answer = instance(&schema, &[]);
        let stored = json!({"cluster_id": "c-1", "cluster_name": "n", "vpc_name": "v"});
        echo_fitted(&mut answer, &stored, Some(&schema), &Scalars::default());
        assert_eq!(
            answer["cluster"],
            json!({"clusterId": "c-1", "clusterName": "n", "vpc_name": "v"})
        );
        // Both spellings sent: each is its own field.
        let both = json!({"type": "object", "properties": {"clusterName": s}});
        let mut answer = instance(&both, &[]);
        let sent = json!({"cluster_name": "snake", "clusterName": "camel"});
        echo(&mut answer, &sent, Some(&both), &Scalars::default());
        assert_eq!(answer["clusterName"], "camel");
    }

    /// A map whose values are lists of objects answers each listed object with only the
    /// fields the answer documents.
    #[test]
    fn a_map_of_lists_answers_only_the_documented_fields_of_each_item() {
        let item = json!({"type": "object", "properties": {
            "addr": {"type": "string"}, "version": {"type": "integer"}}});
        let schema = json!({"type": "object", "properties": {"addresses": {"type": "object",
            "additionalProperties": {"type": "array", "items": item}}}});
        let mut answer = instance(&schema, &[]);
        let held = json!({"addresses": {"net-1": [
            {"addr": "192.168.0.3", "version": 4, "OS-EXT-IPS:type": "fixed"}]}});
        echo(&mut answer, &held, Some(&schema), &Scalars::default());
        assert_eq!(
            answer["addresses"],
            json!({"net-1": [{"addr": "192.168.0.3", "version": 4}]})
        );
    }

    #[test]
    fn instances_satisfy_their_schema() {
        let schema = json!({"type": "object", "required": ["volume"], "properties": {"volume": {"type": "object", "properties": {"id": {"type": "string"}, "size": {"type": "integer", "minimum": 1}, "status": {"enum": ["available", "error"]}, "tags": {"type": "array"}}}}});
        let v = instance(&schema, &[("volume_id".into(), "v-1".into())]);
        assert_eq!(
            v,
            json!({"volume": {"id": "v-1", "size": 1, "status": "available", "tags": []}})
        );
        let compiled = crate::contract::keywords::compile(&schema).unwrap();
        assert!(compiled.is_valid(&v));
    }

    /// Server-side fields are filled by what they mean (issue 37): ids are ids, times are now in
    /// RFC 3339, formats are honoured, and a length limit wins over meaning.
    #[test]
    fn server_side_fields_are_filled_by_meaning() {
        let s = json!({"type": "string"});
        let schema = json!({"type": "object", "properties": {
            "created_at": s, "update_time": s, "volume_id": s, "name": s, "status": s,
            "when": {"type": "string", "format": "date-time"},
            "ip": {"type": "string", "format": "ipv4"},
            "short_id": {"type": "string", "maxLength": 8},
            // A pattern and a least length together: the pattern's value, long enough.
            "app_code": {"type": "string", "pattern": "^[A-Za-z+/=]+$", "minLength": 64},
        }});
        let v = instance(&schema, &[]);
        assert_eq!(v["app_code"], "x".repeat(64));
        for t in ["created_at", "update_time", "when"] {
            let t = v[t].as_str().unwrap_or_default();
            assert!(
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .is_ok(),
                "{t}"
            );
        }
        assert!(uuid::Uuid::parse_str(v["volume_id"].as_str().unwrap_or_default()).is_ok());
        assert_eq!(v["name"], "conform");
        assert_eq!(v["status"], "x", "no meaning read into an open status");
        assert_eq!(v["ip"], "192.0.2.10");
        // A uuid would break maxLength 8: its hex digits, cut to the limit.
        let short = v["short_id"].as_str().unwrap_or_default();
        assert!(
            short.len() == 8 && short.chars().all(|c| c.is_ascii_hexdigit()),
            "{short}"
        );
        assert!(crate::contract::keywords::compile(&schema)
            .unwrap()
            .is_valid(&v));
    }

    /// A nested path's answer carries the addressed resource's id, not its parent's (the
    /// Huawei SDK's UpdateSubnet read the VPC's id as the subnet's).
    #[test]
    fn a_nested_resources_id_is_the_last_id_of_its_path() {
        let schema = json!({"type": "object", "properties": {"subnet": {"type": "object",
            "properties": {"id": {"type": "string"}, "vpc_id": {"type": "string"}}}}});
        let params = [
            ("project_id".to_string(), "p".to_string()),
            ("vpc_id".to_string(), "v-1".to_string()),
            ("subnet_id".to_string(), "s-1".to_string()),
        ];
        let v = instance(&schema, &params);
        assert_eq!(v, json!({"subnet": {"id": "s-1", "vpc_id": "v-1"}}));
    }

    fn table(rows: &[(u16, &str, &str)]) -> Codes {
        let mut t = Codes::new();
        for (status, code, message) in rows {
            t.entry(*status).or_default().push(ErrorCode {
                code: code.to_string(),
                message: message.to_string(),
            });
        }
        t
    }

    /// Issue 37: a code is chosen by what its description means, never by its place in the
    /// table, in English and Chinese alike; where none means it, the status stands in.
    #[test]
    fn error_codes_are_chosen_by_what_they_mean() {
        let evs = table(&[
            (400, "Common.0011", "No jobs found."),
            (400, "Common.0013", "Invalid token in the header."),
            (400, "EVS.1002", "invalid volume id!"),
            (400, "EVS.2108", "Request body is invalid."),
            (404, "EVS.2044", "Failed to check the role of kms."),
            (
                404,
                "EVS.5404",
                "Resource(Volume, Snapshot, Backup .etc) cound not be found.",
            ),
            (409, "EVS.9999", "Insufficient quota."),
        ]);
        assert_eq!(code_for(Some(&evs), 400, ""), "EVS.2108");
        assert_eq!(code_for(Some(&evs), 404, "snapshot"), "EVS.5404");
        assert_eq!(code_for(Some(&evs), 404, ""), "EVS.5404");
        // Nothing documented means a conflict: the status, not the quota code.
        assert_eq!(code_for(Some(&evs), 409, ""), "409");
        assert_eq!(code_for(None, 400, ""), "400");
        let zh = table(&[
            (400, "X.0001", "任务不存在"),
            (400, "X.0002", "请求参数非法"),
            (404, "X.0003", "配额不足"),
            (404, "X.0004", "云硬盘不存在"),
            (409, "X.0005", "资源状态冲突"),
        ]);
        assert_eq!(code_for(Some(&zh), 400, ""), "X.0002");
        assert_eq!(code_for(Some(&zh), 404, ""), "X.0004");
        assert_eq!(code_for(Some(&zh), 409, ""), "X.0005");
        // Of several that mean it, the one about the kind, else the most generic.
        let vpc = table(&[
            (400, "VPC.0101", "Update router xx is invalid."),
            (400, "VPC.0101", "Param is invalid."),
            (404, "VPC.0003", "VPC does not exist."),
            (404, "VPC.2500", "Port xx not found"),
            (404, "DCS.4001", "The requested URL does not exist."),
        ]);
        assert_eq!(code_for(Some(&vpc), 400, ""), "VPC.0101");
        assert!(
            Meaning::Invalid.score("Param is invalid.")
                > Meaning::Invalid.score("Update router xx is invalid.")
        );
        assert_eq!(code_for(Some(&vpc), 404, "port"), "VPC.2500");
        assert_eq!(code_for(Some(&vpc), 404, "vpc"), "VPC.0003");
        assert_eq!(
            Meaning::NotFound.score("The requested URL does not exist."),
            0
        );
        // A status whose codes say nothing of it borrows a code of the service that does.
        let borrowed = table(&[
            (400, "I.1", "The image does not exist."),
            (404, "I.2", "KMS role check failed."),
        ]);
        assert_eq!(code_for(Some(&borrowed), 404, ""), "I.1");
    }

    /// A create answers the path's project in an extension's field (`…:project_id`) and the
    /// free-form map it was sent (`metadata`), the entries its value schema allows.
    #[test]
    fn a_create_answers_the_path_project_and_the_map_it_was_sent() {
        let schema = json!({"type": "object", "properties": {"snapshot": {"type": "object", "properties": {
            "os-extended-snapshot-attributes:project_id": {"type": "string"},
            "metadata": {"type": "object"},
            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
        }}}});
        let params = [("project_id".to_string(), "p-1".to_string())];
        let mut v = instance(&schema, &params);
        assert_eq!(
            v["snapshot"]["os-extended-snapshot-attributes:project_id"],
            "p-1"
        );
        let sent =
            json!({"snapshot": {"metadata": {"k": "v", "n": 1}, "tags": {"a": "b", "c": 2}}});
        echo(&mut v, &sent, Some(&schema), &Scalars::default());
        assert_eq!(v["snapshot"]["metadata"], json!({"k": "v", "n": 1}));
        assert_eq!(
            v["snapshot"]["tags"],
            json!({"a": "b"}),
            "2 is not a string"
        );
    }

    /// An error body's other fields are filled by meaning too: a `request_id` is an id.
    #[test]
    fn an_error_bodys_request_id_is_an_id() {
        let s = json!({"type": "string"});
        let schema = json!({"properties": {"error_code": s, "error_msg": s, "request_id": s}});
        let fill = ErrorFill {
            code: "VPC.0101",
            status: 400,
            message: "bad",
        };
        let body = fill.fill(&schema);
        assert_eq!(
            (&body["error_code"], &body["error_msg"]),
            (&json!("VPC.0101"), &json!("bad"))
        );
        assert!(
            uuid::Uuid::parse_str(body["request_id"].as_str().unwrap_or_default()).is_ok(),
            "{body}"
        );
    }

    /// A `server_id` a kind of the table names (Huawei's `/v1/{project_id}/cloudservers`) is
    /// the memory's to check, not the emulation's: a server the tier created there is found,
    /// while the emulation's fixtures still answer the Nova paths where the id is seeded.
    #[test]
    fn a_kind_the_table_names_is_checked_by_the_memory_not_the_emulation() {
        let op = |id: &str, method: &str, path: &str, params: &[&str]| Operation {
            title: id.into(),
            path_params: params.iter().map(|p| p.to_string()).collect(),
            ..Operation::new(id, "ecs", method, path)
        };
        let ops = vec![
            op(
                "ecs.create.v1",
                "POST",
                "/v1/{project_id}/cloudservers",
                &["project_id"],
            ),
            op(
                "ecs.show.v1",
                "GET",
                "/v1/{project_id}/cloudservers/{server_id}",
                &["project_id", "server_id"],
            ),
        ];
        let answer = json!({"type": "object", "properties": {"server": {"type": "object",
            "properties": {"id": {"type": "string"}}}}});
        let mut schemas = std::collections::BTreeMap::new();
        for o in &ops {
            schemas.insert((o.id.clone(), SchemaKind::Response(200)), answer.clone());
        }
        let contract = contract_with(
            ops,
            schemas,
            one_kind(
                "server",
                "ecs",
                "/v1/{project_id}/cloudservers",
                "server_id",
                "/server/id",
            ),
        );
        let tier = with_emulation(contract);
        let (status, made) = tier
            .answer(None, "POST", "/v1/p/cloudservers", None, b"")
            .expect("routed");
        assert_eq!(status, StatusCode::OK);
        let id = made
            .as_ref()
            .and_then(|m| m["server"]["id"].as_str())
            .unwrap_or_default();
        let read = tier.answer(None, "GET", &format!("/v1/p/cloudservers/{id}"), None, b"");
        assert_eq!(read.map(|r| r.0), Some(StatusCode::OK));
        let missing = tier.answer(None, "GET", "/v1/p/cloudservers/nobody", None, b"");
        assert_eq!(missing.map(|r| r.0), Some(StatusCode::NOT_FOUND));
    }

    /// A stack tier whose paths name no project and take it from the header.
    fn stacks_by_header() -> Arc<Contract> {
        let op = |id: &str, method: &str, path: &str| Operation {
            project_header: true,
            ..Operation::new(id, "aos", method, path)
        };
        let ops = vec![
            op("aos.create.v2", "POST", "/v2/stacks"),
            op("aos.show.v2", "GET", "/v2/stacks/{stack_id}"),
            op("aos.list.v2", "GET", "/v2/stacks"),
        ];
        let answer = json!({"type": "object", "properties": {"id": {"type": "string"}}});
        let list = json!({"type": "object", "properties": {"stacks": {"type": "array",
            "items": answer}}});
        let mut schemas = std::collections::BTreeMap::new();
        for o in &ops {
            let s = if o.id == "aos.list.v2" {
                &list
            } else {
                &answer
            };
            schemas.insert((o.id.clone(), SchemaKind::Response(200)), s.clone());
        }
        Arc::new(contract_with(
            ops,
            schemas,
            one_kind("stack", "aos", "/v2/stacks", "stack_id", "/id"),
        ))
    }

    /// What a path naming no project made (ELB's `/v2.0/lbaas/loadbalancers`) is the token's
    /// project's: a path naming another project the mock knows finds none of it, one naming
    /// the mock's own or a project it does not know (the caller's own) does, and where
    /// projects leak every path does.
    #[test]
    fn what_a_token_made_is_not_found_under_another_known_projects_path() {
        let ops = vec![
            Operation::new("elb.create.v2", "elb", "POST", "/v2/lbaas/boxes"),
            Operation::new(
                "elb.tags.v2",
                "elb",
                "GET",
                "/v2/{project_id}/boxes/{box_id}/tags",
            ),
        ];
        let answer = json!({"type": "object", "properties": {"id": {"type": "string"}}});
        let mut schemas = std::collections::BTreeMap::new();
        for o in &ops {
            schemas.insert((o.id.clone(), SchemaKind::Response(200)), answer.clone());
        }
        let contract = Arc::new(contract_with(
            ops,
            schemas,
            one_kind("box", "elb", "/v2/lbaas/boxes", "box_id", "/id"),
        ));
        let projects = BTreeSet::from(["own".to_string(), "other".to_string()]);
        let tags = |faults: Faults, project: &str| {
            let tier = Tier::new(contract.clone(), faults).knowing(projects.clone(), Some("own"));
            let (_, made) = tier
                .answer(None, "POST", "/v2/lbaas/boxes", None, b"{}")
                .expect("routed");
            let id = made.expect("an answer")["id"]
                .as_str()
                .expect("an id")
                .to_string();
            let path = format!("/v2/{project}/boxes/{id}/tags");
            tier.answer(None, "GET", &path, None, b"").map(|a| a.0)
        };
        assert_eq!(tags(Faults::default(), "own"), Some(StatusCode::OK));
        assert_eq!(tags(Faults::default(), "mine"), Some(StatusCode::OK));
        assert_eq!(
            tags(Faults::default(), "other"),
            Some(StatusCode::NOT_FOUND)
        );
        let leak = Faults::new([Fault::CrossProjectLeak]);
        assert_eq!(tags(leak, "other"), Some(StatusCode::OK));
    }

    /// Where the header chooses the project, another project's memory holds what was made
    /// there and nothing of this one's: a stack made here is not found from there, one made
    /// there is found only there, and the mock's resources show it apart. Where projects leak
    /// every request is this project's; past [`MAX_OTHER_PROJECTS`] a new one is refused.
    #[test]
    fn a_project_the_header_names_has_a_memory_of_its_own() {
        let tier = Tier::new(stacks_by_header(), Faults::default());
        let make = |project: Option<&str>| {
            let (status, made) = tier
                .answer(project, "POST", "/v2/stacks", None, b"")
                .expect("routed");
            assert_eq!(status, StatusCode::OK);
            made.and_then(|m| m["id"].as_str().map(String::from))
                .expect("an id")
        };
        let read = |project: Option<&str>, id: &str| {
            tier.answer(project, "GET", &format!("/v2/stacks/{id}"), None, b"")
                .map(|(status, _)| status)
        };
        let here = make(None);
        let there = make(Some("p2"));
        assert_eq!(read(None, &here), Some(StatusCode::OK));
        assert_eq!(read(Some("p2"), &here), Some(StatusCode::NOT_FOUND));
        assert_eq!(read(Some("p2"), &there), Some(StatusCode::OK));
        assert_eq!(read(None, &there), Some(StatusCode::NOT_FOUND));
        assert_eq!(read(Some("p3"), &there), Some(StatusCode::NOT_FOUND));
        let held = tier.resources();
        assert_eq!(held.created["/v2/stacks"], vec![here.clone()]);
        assert_eq!(held.other_projects["p2"].created["/v2/stacks"], vec![there]);
        // A project that only read holds nothing to show.
        assert!(!held.other_projects.contains_key("p3"), "{held:?}");
        tier.reset();
        assert!(tier.resources().other_projects.is_empty());

        let leak = Tier::new(stacks_by_header(), Faults::new([Fault::CrossProjectLeak]));
        let (_, made) = leak
            .answer(None, "POST", "/v2/stacks", None, b"")
            .expect("routed");
        let id = made
            .and_then(|m| m["id"].as_str().map(String::from))
            .expect("an id");
        let (status, _) = leak
            .answer(Some("p2"), "GET", &format!("/v2/stacks/{id}"), None, b"")
            .expect("routed");
        assert_eq!(status, StatusCode::OK, "projects leak");

        let full = Tier::new(stacks_by_header(), Faults::default());
        for n in 0..MAX_OTHER_PROJECTS {
            let p = format!("p{n}");
            let (status, _) = full
                .answer(Some(&p), "GET", "/v2/stacks", None, b"")
                .expect("routed");
            assert_eq!(status, StatusCode::OK);
        }
        let (status, _) = full
            .answer(Some("one-more"), "GET", "/v2/stacks", None, b"")
            .expect("routed");
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = full
            .answer(Some("p0"), "GET", "/v2/stacks", None, b"")
            .expect("routed");
        assert_eq!(
            status,
            StatusCode::OK,
            "a project already kept is still served"
        );
    }

    /// An emulated server (the fixtures' one, kept in the emulation's store) read through a
    /// path naming no project is this project's: asked for from another project it is not
    /// found.
    #[test]
    fn an_emulated_resource_is_not_found_from_another_project() {
        let op = Operation {
            project_header: true,
            ..Operation::new(
                "ecs.list_block_device.v2_1",
                "ecs",
                "GET",
                "/v2.1/servers/{server_id}/block_device",
            )
        };
        let contract = contract_with(
            vec![op],
            Default::default(),
            one_kind(
                "server",
                "ecs",
                "/v2.1/{project_id}/servers",
                "server_id",
                "/server/id",
            ),
        );
        let server = crate::mock::state::Fixtures::defaults().vars["server_id"].clone();
        let tier = with_emulation(contract);
        let path = format!("/v2.1/servers/{server}/block_device");
        let status = |project| tier.answer(project, "GET", &path, None, b"").map(|a| a.0);
        assert_eq!(status(None), Some(StatusCode::OK));
        assert_eq!(status(Some("p2")), Some(StatusCode::NOT_FOUND));
    }

    /// An id the tier makes up for an answer keeps within the field's limit, in characters or
    /// in bytes (CPH's `request_id`, 32 bytes at most).
    #[test]
    fn a_made_up_id_fits_the_fields_length_limit() {
        let free = named_string("request_id", &json!({"type": "string"}));
        assert!(uuid::Uuid::parse_str(free.as_str().unwrap_or_default()).is_ok());
        for (schema, len) in [
            (json!({"type": "string", "x-maxBytes": 32}), 32),
            (
                json!({"type": "string", "maxLength": 36, "x-maxBytes": 20}),
                20,
            ),
        ] {
            let id = named_string("request_id", &schema);
            let id = id.as_str().unwrap_or_default();
            assert_eq!(id.len(), len, "{schema}: {id}");
            assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        }
    }

    /// An error schema that is a map keyed by the error's kind with an integer code (Nova's
    /// `{"badRequest": {"code": 400, …}}`) is answered in that shape, so that the tier's own
    /// refusals pass its own contract.
    #[test]
    fn a_keyed_error_envelope_with_an_integer_code_is_answered_as_documented() {
        let keyed = json!({"type": "object", "minProperties": 1, "maxProperties": 1,
            "additionalProperties": {"type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}}});
        // Derive may state the keyed envelope with no fixed property at all (EVS's cloud
        // snapshots): still keyed, never an empty object.
        let mut with_empty = keyed.clone();
        with_empty["properties"] = json!({});
        for error in [keyed, with_empty] {
            let op = Operation {
                request_body: true,
                ..Operation::new("bms.create.v1", "bms", "POST", "/v1/{project_id}/servers")
            };
            let request = json!({"type": "object", "required": ["server"],
                "properties": {"server": {"type": "object"}}});
            let mut schemas = std::collections::BTreeMap::new();
            schemas.insert((op.id.clone(), SchemaKind::Error), error.clone());
            schemas.insert((op.id.clone(), SchemaKind::Request), request);
            let dir = std::path::Path::new(".");
            let contract =
                Contract::from_parts(vec![op], schemas, Default::default(), dir).expect("builds");
            let tier = Tier::new(Arc::new(contract), Faults::default());
            let (status, body) = tier
                .answer(None, "POST", "/v1/p/servers", None, b"[]")
                .expect("routed");
            assert_eq!(status, StatusCode::BAD_REQUEST);
            let body = body.unwrap_or_default();
            assert_eq!(body["badRequest"]["code"], json!(400), "{body}");
            let valid = jsonschema::validator_for(&error).expect("compiles");
            assert!(valid.is_valid(&body), "{body}");
        }
    }

    /// The contract's binding rule holds in the tier: a body whose one map key differs from the
    /// path's key is refused, the same key is accepted.
    #[test]
    fn a_body_key_that_is_not_the_paths_is_refused() {
        let op = Operation {
            request_body: true,
            ..Operation::new(
                "bms.update_server_metadata_item.v2_1",
                "bms",
                "PUT",
                "/v2.1/{project_id}/servers/{server_id}/metadata/{key}",
            )
        };
        let request = json!({"type": "object", "required": ["meta"], "properties": {"meta": {
            "type": "object", "additionalProperties": {"type": "string"}}}});
        assert!(crate::contract::rules::bound_param(&op, Some(&request)).is_some());
        let mut schemas = std::collections::BTreeMap::new();
        schemas.insert((op.id.clone(), SchemaKind::Request), request);
        let dir = std::path::Path::new(".");
        let contract =
            Contract::from_parts(vec![op], schemas, Default::default(), dir).expect("builds");
        let tier = Tier::new(Arc::new(contract), Faults::default());
        let put = |body: &str| {
            tier.answer(
                None,
                "PUT",
                "/v2.1/p/servers/s/metadata/k1",
                None,
                body.as_bytes(),
            )
            .map(|(status, _)| status)
        };
        assert_eq!(
            put(r#"{"meta": {"k2": "v"}}"#),
            Some(StatusCode::BAD_REQUEST)
        );
        assert_ne!(
            put(r#"{"meta": {"k1": "v"}}"#),
            Some(StatusCode::BAD_REQUEST)
        );
    }

    /// A documented precondition holds in the tier: a change to a server whose `vm_state` the
    /// page does not allow is a 409 saying so, one in an allowed state goes through, and the
    /// `ignore-vm-state` fault lets both through.
    #[test]
    fn a_documented_precondition_refuses_a_resource_in_another_state() {
        let op = Operation {
            request_body: true,
            preconditions: vec![crate::contract::Precondition {
                field: "vm_state".into(),
                allowed: ["active", "stopped", "paused", "suspended"]
                    .map(String::from)
                    .to_vec(),
                refused: Vec::new(),
                source: "p.md:1".into(),
            }],
            ..Operation::new(
                "ecs.create_cloudserver_metadata.v1",
                "ecs",
                "POST",
                "/v1/{project_id}/cloudservers/{server_id}/metadata",
            )
        };
        // No kind of the table names the server: it is the emulation's, found there.
        let contract = bare_contract(vec![op]);
        let fixtures = crate::mock::state::Fixtures::defaults();
        let v = &fixtures.vars;
        let post = |faults: Faults, server: &str| {
            let shared = Arc::new(crate::mock::shared::Shared::new(
                crate::mock::state::State::from_fixtures(&fixtures),
            ));
            let tier = Tier::sharing(contract.clone(), faults, Some(shared));
            let path = format!(
                "/v1/{}/cloudservers/{}/metadata",
                v["project_id"], v[server]
            );
            tier.answer(None, "POST", &path, None, br#"{"metadata": {"a": "b"}}"#)
                .map(|(status, body)| (status, body.unwrap_or_default().to_string()))
        };
        let (status, body) = post(Faults::default(), "building_server_id").expect("routed");
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("vm_state is building"), "{body}");
        let active = post(Faults::default(), "server_id").map(|a| a.0);
        assert_eq!(active, Some(StatusCode::OK));
        let ignored = Faults::new([Fault::IgnoreVmState]);
        let active = post(ignored.clone(), "server_id").map(|a| a.0);
        assert_eq!(active, Some(StatusCode::OK));
        assert_eq!(ignored.fired()[0].1, 0, "an active server needs no fault");
        let building = post(ignored.clone(), "building_server_id").map(|a| a.0);
        assert_eq!(building, Some(StatusCode::OK));
        assert_eq!(ignored.fired()[0].1, 1);
    }

    /// Only a null the schema does not admit is replaced, by the schema's instance; values and
    /// undocumented fields stay.
    #[test]
    fn an_emulations_null_is_fitted_to_the_documented_type() {
        let schema = json!({"type": "object", "properties": {
            "task_state": {"type": "string", "enum": ["scheduling", "deleting"]},
            "key_name": {"type": "string"},
            "maybe": {"type": ["string", "null"]},
            "list": {"type": "array", "items": {"type": "object",
                "properties": {"n": {"type": "integer"}}}}}});
        let mut body = json!({"task_state": null, "key_name": null, "maybe": null,
            "other": null, "list": [{"n": null}, {"n": 3}]});
        fill_nulls(&mut body, &schema);
        assert_eq!(
            body,
            json!({"task_state": "scheduling", "key_name": body["key_name"].clone(),
                "maybe": null, "other": null, "list": [{"n": 0}, {"n": 3}]})
        );
        assert!(body["key_name"].is_string(), "{body}");
    }

    /// The longest value a schema allows, in characters or bytes, at any depth.
    #[test]
    fn the_longest_documented_value_is_found_at_any_depth() {
        let schema = json!({"properties": {"a": {"maxLength": 64},
            "b": {"items": {"properties": {"sql": {"maxLength": 1_048_576}}}},
            "c": {"x-maxBytes": 255}}});
        assert_eq!(longest_value(&schema), 1_048_576);
        assert_eq!(longest_value(&json!({"type": "string"})), 0);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%zz"), "a b%zz");
    }
}
