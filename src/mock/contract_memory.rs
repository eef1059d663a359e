//! The contract tier's memory: every kind of the resource table (declared or inferred) is
//! stateful. A create stores one under its concrete collection path (so the project and any
//! parent ids scope it), reads and lists answer what is stored, updates merge into it, deletes
//! remove it, and any request below an id nobody created is refused as not found.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::{json, Map, Value};

use crate::contract::derive::resources::normalise;
use crate::contract::resources::{ClientKey, ResourceTable};
use crate::mock::faults::{Fault, Faults};
use crate::mock::shared::{owns, Owned, Shared};

/// One kind's routes, as normalised templates (`/v1/{}/vpcs`).
#[derive(Debug, Clone)]
struct KindRoute {
    collection: String,
    item: String,
    /// Where a create is sent when that is not the collection: another API version's
    /// collection of the same resource (`/v2.0/{}/publicips` for `/v1/{}/publicips`), each with
    /// where its own answer holds the new id (None: as the kind's create does).
    creates_elsewhere: Vec<(String, Option<String>)>,
    /// Where a create answer holds the new id (empty for a create answering only a job).
    created_id: Option<String>,
    /// The path parameter naming one (`port_id`).
    id_param: Option<String>,
    /// The documented instance each project's collection starts with: (id, the read answer).
    example: Option<(String, Value)>,
    /// Where a create carries the key the client chose (the kind is stored under it).
    client_key: Option<ClientKey>,
    /// Other path parameters naming one (`idp_id` for the providers read at `…/{id}`).
    aliases: Vec<String>,
    /// The id of the instance held of a kind no operation creates ([`super::seeds::held`],
    /// [`super::seeds::held_below`]).
    held: Option<String>,
    /// Where the kind's delete is sent when that is not its item (MRS's clusters, read at
    /// `…/cluster_infos/{}`, deleted at `…/clusters/{}`).
    deleted_at: Option<String>,
    /// A nested kind's held instance, kept in each concrete collection below an existing
    /// parent the first time a request runs below it: its id and documented body.
    held_below: Option<(String, Value)>,
    /// A kind no path names ([`crate::contract::resources::ResourceKind::id_query`]): the
    /// requests naming one, as (method, normalised template, whether the body names it rather
    /// than the query).
    by_query: Option<QueryNamed>,
    /// An update sent to the collection naming one by a field its create sent
    /// ([`crate::contract::resources::ResourceKind::update_names`]): (method, normalised
    /// template, the field's pointer).
    updated_by: Option<(String, String, String)>,
}

/// How the requests of a kind whose id travels in the query name one.
#[derive(Debug, Clone)]
struct QueryNamed {
    /// The query parameter (and body field) naming one (`asset_id`).
    param: String,
    /// (method, normalised template, named in the body) of its read, update and delete.
    requests: Vec<(String, String, bool)>,
    /// The normalised template of its list, where that is not its collection (`…/asset/list`).
    list: Option<String>,
}

impl KindRoute {
    /// Whether the path parameter `param` names one of this kind.
    fn named_by(&self, param: &str) -> bool {
        // A kind no path names is named by its query parameter only on its own requests
        // ([`Memory::query_role`]): elsewhere a path's `{id}` is not one of it.
        self.by_query.is_none()
            && (self.id_param.as_deref() == Some(param) || self.aliases.iter().any(|a| a == param))
    }
}

/// What a request is for a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// POST to a collection: a create; the new id goes at the pointer.
    Create {
        /// The concrete collection path.
        collection: String,
        /// Where the create answer holds the id.
        id_pointer: String,
        /// Where the request holds the key the client chose, for a kind keyed by it.
        key: Option<ClientKey>,
    },
    /// GET of a collection.
    List {
        /// The concrete collection path.
        collection: String,
        /// The pointer of the object that holds one stored item's fields (`/vpc`,
        /// `/instances/0`), if any.
        envelope: Option<String>,
    },
    /// A request on one stored item.
    Item {
        /// The concrete collection path.
        collection: String,
        /// The id.
        id: String,
    },
    /// Nothing the memory keeps.
    Other,
}

/// Stored resources: concrete collection path → (id, body) in creation order.
#[derive(Debug)]
pub struct Memory {
    kinds: Vec<KindRoute>,
    store: RwLock<BTreeMap<String, Vec<(String, Value)>>>,
    faults: Faults,
    /// The emulation's store, which owns the emulated kinds' data (None: kept here like any
    /// other kind).
    owner: Option<Arc<Shared>>,
    /// Projects whose collections hold their documented instances already ("" for the
    /// collections no project names), and the concrete collections of nested kinds holding
    /// theirs ([`Memory::seed_below`]; a path, never a bare project id).
    seeded: Mutex<BTreeSet<String>>,
    /// The (collection, id) of every instance seeded from the pages, as against created.
    documented: Mutex<BTreeSet<(String, String)>>,
    /// What writes of settings sent (`…/backups/policy`), merged, by where they are kept
    /// ([`Memory::setting_at`]).
    settings: RwLock<BTreeMap<String, Value>>,
    /// The projects the mock knows to be others than the one whose token made what the
    /// collections naming no project hold (ELB's `/v2.0/lbaas/loadbalancers`): a path naming one
    /// of them finds none of it. A project the mock does not know is the caller's own.
    foreign: BTreeSet<String>,
}

/// What the memory holds, by concrete collection path: the ids requests created and those of
/// the instances the pages document (`GET /__mock/resources`).
#[derive(Debug, Default, serde::Serialize)]
pub struct Held {
    /// Created by requests and not deleted.
    pub created: BTreeMap<String, Vec<String>>,
    /// Seeded from the pages (and not deleted).
    pub documented: BTreeMap<String, Vec<String>>,
    /// What other projects hold, by the project their requests named in `X-Project-Id`
    /// (paths naming no project); projects holding nothing are left out.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub other_projects: BTreeMap<String, Held>,
}

/// Stored bodies: concrete collection path → (id, body) in creation order.
type Store = BTreeMap<String, Vec<(String, Value)>>;

/// A create of a key the collection holds already.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{collection}/{key} exists already")]
pub struct Taken {
    /// The concrete collection path.
    pub collection: String,
    /// The key the client chose.
    pub key: String,
}

/// A request below an id that was never created (or was deleted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{collection}/{id} does not exist")]
pub struct Unknown {
    /// The concrete collection path.
    pub collection: String,
    /// The id.
    pub id: String,
}

impl Memory {
    /// A memory for the table's kinds (those whose collection path is known), deviating as the
    /// faults say (`delete-keeps`, `list-misses`, `ignore-update`, `cross-project-leak`).
    pub fn new(table: &ResourceTable, faults: Faults) -> Memory {
        Memory::sharing(table, faults, None)
    }

    /// [`Memory::new`], handing the emulated kinds to the emulation's store `owner`: their
    /// creates, reads, lists, updates and deletes are the emulation's state's.
    pub fn sharing(table: &ResourceTable, faults: Faults, owner: Option<Arc<Shared>>) -> Memory {
        let kinds = table
            .kinds
            .iter()
            .filter_map(|k| {
                let collection = normalise(&k.collection_template()?);
                // The read path is the item path when it ends at the id: pages may name the
                // item in the singular (`/traffic-mirror-filter/{id}` below `…-filters`).
                let read = normalise(&k.read.path);
                let item = match read.rsplit_once('/') {
                    Some((base, "{}"))
                        if base.split('/').count() == collection.split('/').count() =>
                    {
                        read
                    }
                    _ => format!("{collection}/{{}}"),
                };
                let creates_elsewhere = k
                    .create
                    .as_ref()
                    .filter(|c| c.method.eq_ignore_ascii_case("POST"))
                    .map(|c| normalise(&c.path))
                    .filter(|c| *c != collection)
                    .map(|c| (c, None))
                    .into_iter()
                    .collect();
                let deleted_at = k
                    .delete
                    .as_ref()
                    .map(|d| normalise(&d.path))
                    .filter(|d| *d != item && d.split('/').count() == item.split('/').count());
                let by_query = k.id_query.as_ref().map(|param| {
                    let named = |c: &crate::contract::resources::Call| {
                        let in_body = c.body.as_ref().is_some_and(|b| b.get(param).is_some());
                        (c.method.to_ascii_uppercase(), normalise(&c.path), in_body)
                    };
                    // A kind read through its list is read as a list, filtered by the id.
                    let read = Some(&k.read).filter(|_| k.read_by_list.is_none());
                    QueryNamed {
                        param: param.clone(),
                        requests: read
                            .into_iter()
                            .chain(&k.update)
                            .chain(&k.delete)
                            .map(named)
                            .collect(),
                        list: k.list.as_ref().map(|l| normalise(&l.path)),
                    }
                });
                let updated_by = k
                    .update
                    .as_ref()
                    .zip(k.update_names.as_ref())
                    .map(|(u, at)| {
                        (
                            u.method.to_ascii_uppercase(),
                            normalise(&u.path),
                            at.clone(),
                        )
                    });
                Some(KindRoute {
                    by_query,
                    updated_by,
                    item,
                    collection,
                    creates_elsewhere,
                    created_id: k.created_id.clone().or_else(|| {
                        let keyed = matches!(k.client_key, Some(ClientKey::Body(_)));
                        (k.created_by_job.is_some() || keyed).then(String::new)
                    }),
                    client_key: k.client_key.clone(),
                    aliases: Vec::new(),
                    id_param: k.id_param.clone(),
                    held: super::seeds::held(k, table)
                        .map(|(id, _)| id)
                        .or_else(|| super::seeds::held_below(k, table)),
                    deleted_at,
                    held_below: super::seeds::held_below(k, table)
                        .map(|id| (id, k.example.clone().unwrap_or_else(|| json!({})))),
                    example: super::seeds::held(k, table).or_else(|| {
                        k.example_id()
                            .map(|(_, id)| id.to_string())
                            .zip(k.example.clone())
                    }),
                })
            })
            .collect();
        Memory {
            kinds,
            store: RwLock::new(BTreeMap::new()),
            faults,
            owner,
            seeded: Mutex::new(BTreeSet::new()),
            documented: Mutex::new(BTreeSet::new()),
            settings: RwLock::new(BTreeMap::new()),
            foreign: BTreeSet::new(),
        }
    }

    /// Adds the creates of the contract (`(path template, success answer schema)` of each POST)
    /// sent to another API version's collection of a kind, where that collection is no kind of
    /// its own: EVS's `POST /v2.1/{project_id}/cloudvolumes` makes what
    /// `GET /v2/{project_id}/cloudvolumes/{volume_id}` reads, though the table names the v2
    /// create. The id is where that create's own answer holds it.
    pub fn also_created_at<'s>(
        mut self,
        posts: impl IntoIterator<Item = (&'s str, Option<&'s Value>)>,
    ) -> Memory {
        for (template, answer) in posts {
            let t = normalise(template);
            let own = self
                .kinds
                .iter()
                .any(|k| k.collection == t || k.item.starts_with(&format!("{t}/")));
            if own {
                continue;
            }
            let Some(k) = self
                .kinds
                .iter_mut()
                .find(|k| version_sibling(&k.collection, &t))
            else {
                continue;
            };
            if k.creates_elsewhere.iter().any(|(c, _)| *c == t) {
                continue;
            }
            let pointer = answer.and_then(|a| {
                crate::contract::derive::resources::created_id_in(a, k.id_param.as_deref()?)
            });
            k.creates_elsewhere.push((t, pointer));
        }
        self
    }

    /// Holds each kind's held instance under the id the variables hand out where that is not
    /// the one [`super::seeds::held`] made (made → fitted, [`super::seeds::Seeds::refitted`]):
    /// an id that would not fit a body field of its name is refitted, and the memory must hold
    /// what a run sends.
    pub fn refitted(mut self, ids: &BTreeMap<String, String>) -> Memory {
        let swap = |id: &mut String| {
            if let Some(fitted) = ids.get(id.as_str()) {
                id.clone_from(fitted);
            }
        };
        for k in &mut self.kinds {
            if let Some(id) = &mut k.held {
                swap(id);
            }
            if let Some((id, _)) = &mut k.held_below {
                swap(id);
            }
            // Only the held instance's example: a created kind's documented one keeps its id.
            if let (Some(held), Some((id, _))) = (&k.held, &mut k.example) {
                if ids.get(id.as_str()) == Some(held) {
                    id.clone_from(held);
                }
            }
        }
        self
    }

    /// Adds the other path parameters naming a kind's items (`(collection template,
    /// parameter)`, from [`crate::contract::resources::ResourceTable::aliases`]): a request
    /// naming an unknown one by such a parameter is about an unknown resource too.
    pub fn also_named(mut self, aliases: impl IntoIterator<Item = (String, String)>) -> Memory {
        for (collection, param) in aliases {
            let t = normalise(&collection);
            if let Some(k) = self.kinds.iter_mut().find(|k| k.collection == t) {
                k.aliases.push(param);
            }
        }
        self
    }

    /// Starts a project's collections with their kinds' documented instances, the first time
    /// a request names the project: a read or list finds the pages' example before anything
    /// was created, as a real project holds what it holds. Only top-level collections (their
    /// path names at most the project) are seeded, never the emulation's kinds, and an
    /// instance deleted stays deleted.
    fn seed(&self, project: Option<&str>) {
        let key = project.unwrap_or_default();
        {
            let mut seeded = self.seeded.lock().unwrap_or_else(|p| p.into_inner());
            if !seeded.insert(key.to_string()) {
                return;
            }
        }
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        for k in &self.kinds {
            // The project a request names exists (its token is scoped to it): IAM's
            // `/v3/projects/{project_id}` reads, updates and lists it.
            if let (Some("project_id"), Some(p), false) =
                (k.id_param.as_deref(), project, k.collection.contains("{}"))
            {
                let mut body = k
                    .example
                    .as_ref()
                    .map_or_else(|| json!({}), |(_, b)| b.clone());
                if let Some(Value::Object(item)) = opened(&mut body) {
                    item.insert("id".into(), Value::String(p.to_string()));
                }
                let items = store.entry(k.collection.clone()).or_default();
                if !items.iter().any(|(i, _)| i == p) {
                    items.push((p.to_string(), body));
                    self.document(&k.collection, p);
                }
            }
            let Some((id, body)) = &k.example else {
                continue;
            };
            let collection = match (k.collection.matches("{}").count(), project) {
                (0, None) => k.collection.clone(),
                (1, Some(p)) => k.collection.replacen("{}", p, 1),
                _ => continue,
            };
            if owns(&k.collection) {
                continue;
            }
            let items = store.entry(collection.clone()).or_default();
            if !items.iter().any(|(i, _)| i == id) {
                items.insert(0, (id.clone(), body.clone()));
                self.document(&collection, id);
            }
        }
    }

    /// Starts each collection of a nested kind nobody creates that a request runs in or below
    /// (`…/servers/{server_id}/os-interface` of one server) with the kind's held instance, the
    /// first time: every parent holds one, as the variables say. Whether the parent exists is
    /// checked as for any request; an instance deleted stays (see [`Memory::delete`]).
    fn seed_below(&self, template: &str, segs: &[&str]) {
        for k in &self.kinds {
            let Some((id, body)) = &k.held_below else {
                continue;
            };
            let below =
                template == k.collection || template.starts_with(&format!("{}/", k.collection));
            if !below || owns(&k.collection) {
                continue;
            }
            let collection = concretise(&k.collection, segs);
            {
                let mut seeded = self.seeded.lock().unwrap_or_else(|p| p.into_inner());
                if !seeded.insert(collection.clone()) {
                    continue;
                }
            }
            let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
            let items = store.entry(collection.clone()).or_default();
            if !items.iter().any(|(i, _)| i == id) {
                items.insert(0, (id.clone(), body.clone()));
                self.document(&collection, id);
            }
        }
    }

    /// What a request (its operation's template, its concrete path and path parameters) is;
    /// refused when it names, at any depth, an id of a kind that is not stored. A parameter
    /// named as a kind's id outside that kind's paths (`/network-ip-availabilities/{network_id}`)
    /// must name a stored one too.
    pub fn role(
        &self,
        template: &str,
        path: &str,
        params: &[(String, String)],
    ) -> Result<Role, Unknown> {
        let t = normalise(template);
        let segs: Vec<&str> = path.split('/').collect();
        let named = project_of(params);
        self.seed(named);
        self.seed_below(&t, &segs);
        let store = self.store.read().unwrap_or_else(|p| p.into_inner());
        let project = named;
        let mut located: BTreeMap<usize, String> = BTreeMap::new();
        for (name, value) in params {
            // Only an id is one resource wherever it is named; a map's key (`{key}` of another
            // version's metadata, no kind of its own) names an entry of its own parent's map.
            if !crate::contract::rules::is_resource_param(name)
                || !self.kinds.iter().any(|k| k.named_by(name))
            {
                continue;
            }
            let all: Vec<&KindRoute> = self.kinds.iter().collect();
            if self
                .locate_leaking(&all, &all, &store, name, value, project)
                .is_none()
            {
                return Err(Unknown {
                    collection: name.clone(),
                    id: value.clone(),
                });
            }
        }
        for (i, k) in self.kinds.iter().enumerate() {
            if t != k.item && !t.starts_with(&format!("{}/", k.item)) {
                continue;
            }
            let n = k.item.split('/').count();
            let Some(id) = segs.get(n - 1) else {
                continue;
            };
            if self.names_another_kind(k, template.split('/').nth(n - 1)) {
                continue;
            }
            let collection = concretise(&k.collection, &segs);
            let id = super::contract_tier::percent_decode(id);
            let own = self.holds(&store, &collection, &id);
            // Another API version of the same resource (`/v1/…/vpcs` made it, `/v3/…/vpc/vpcs`
            // reads it): kinds sharing an id parameter are one resource.
            let found = if own {
                Some(collection.clone())
            } else {
                k.id_param.as_deref().and_then(|p| {
                    let (others, all): (Vec<&KindRoute>, Vec<&KindRoute>) = (
                        self.kinds
                            .iter()
                            .filter(|o| o.collection != k.collection)
                            .collect(),
                        self.kinds.iter().collect(),
                    );
                    self.locate_leaking(&others, &all, &store, p, &id, project)
                })
            };
            match found {
                Some(c) => {
                    located.insert(i, c);
                }
                None => return Err(Unknown { collection, id }),
            }
        }
        let concrete = |n: usize| segs.get(..n).map(|s| s.join("/")).unwrap_or_default();
        for (i, k) in self.kinds.iter().enumerate() {
            let n = k.collection.split('/').count();
            // A create sent to another version's collection is stored in this kind's own (the
            // same parameters at the same places: only the version differs).
            let elsewhere = k.creates_elsewhere.iter().find(|(c, _)| *c == t);
            if let Some(p) = elsewhere.and_then(|(_, own)| own.as_ref().or(k.created_id.as_ref())) {
                return Ok(Role::Create {
                    collection: concretise(&k.collection, &segs),
                    id_pointer: p.clone(),
                    key: k.client_key.clone(),
                });
            }
            // `GET …/servers/detail` lists what `…/servers` does, with every field.
            if t.strip_suffix("/detail") == Some(k.collection.as_str()) {
                return Ok(Role::List {
                    collection: concrete(n),
                    envelope: k.created_id.as_deref().and_then(envelope_of),
                });
            }
            if t == k.collection {
                return Ok(match &k.created_id {
                    Some(p) => Role::Create {
                        collection: concrete(n),
                        id_pointer: p.clone(),
                        key: k.client_key.clone(),
                    },
                    None => Role::List {
                        collection: concrete(n),
                        envelope: None,
                    },
                });
            }
            // A delete at another path than the item (the same id parameter, placed alike).
            if t == k.item || k.deleted_at.as_deref() == Some(t.as_str()) {
                return Ok(Role::Item {
                    collection: located
                        .remove(&i)
                        .unwrap_or_else(|| concretise(&k.collection, &segs)),
                    id: super::contract_tier::percent_decode(segs.get(n).copied().unwrap_or("")),
                });
            }
        }
        // An item addressed under a parent: `PUT /vpcs/{vpc_id}/subnets/{subnet_id}` updates
        // what `GET /subnets/{subnet_id}` reads (the Huawei SDK's UpdateSubnet, DeleteSubnet).
        // The path ends in a kind's collection word and its id parameter: that kind's item.
        let mut tail = template.rsplit('/');
        let (last, word) = (tail.next().unwrap_or(""), tail.next().unwrap_or(""));
        let param = last.strip_prefix('{').and_then(|l| l.strip_suffix('}'));
        if let Some((name, id)) = params.iter().rev().find(|(n, _)| Some(n.as_str()) == param) {
            let owners: Vec<&KindRoute> = self
                .kinds
                .iter()
                .filter(|k| {
                    k.id_param.as_deref() == Some(name)
                        && k.collection.rsplit('/').next() == Some(word)
                })
                .collect();
            if let Some(collection) =
                self.locate_leaking(&owners, &owners, &store, name, id, project)
            {
                return Ok(Role::Item {
                    collection,
                    id: id.clone(),
                });
            }
        }
        Ok(Role::Other)
    }

    /// What a request of a kind no path names is (its read, update or delete, naming one by
    /// its query parameter or, for the update, its body field): that stored one, or refused as
    /// unknown. None: no such kind's request, or one that names no id (the ordinary rules
    /// answer it).
    pub fn query_role(
        &self,
        method: &str,
        template: &str,
        path: &str,
        params: &[(String, String)],
        query: &[(String, String)],
        request: Option<&Value>,
    ) -> Option<Result<Role, Unknown>> {
        let t = normalise(template);
        let segs: Vec<&str> = path.split('/').collect();
        let project = project_of(params);
        let listed = self.kinds.iter().find(|k| {
            method.eq_ignore_ascii_case("GET")
                && k.by_query
                    .as_ref()
                    .is_some_and(|q| q.list.as_deref() == Some(t.as_str()) && t != k.collection)
        });
        if let Some(k) = listed {
            self.seed(project);
            return Some(Ok(Role::List {
                collection: concretise(&k.collection, &segs),
                envelope: k.created_id.as_deref().and_then(envelope_of),
            }));
        }
        let (k, named) = self.kinds.iter().find_map(|k| {
            let named = k.by_query.as_ref()?;
            let (_, _, in_body) = named
                .requests
                .iter()
                .find(|(m, at, _)| m.eq_ignore_ascii_case(method) && *at == t)?;
            Some((k, (&named.param, *in_body)))
        })?;
        let (param, in_body) = named;
        let id = if in_body {
            match request?.get(param)? {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            }
        } else {
            // An id list (`asset_id` is an array on VOD's delete) names its first.
            let (_, v) = query.iter().find(|(n, _)| n == param)?;
            v.split(',').next().unwrap_or_default().to_string()
        };
        self.seed(project);
        let collection = concretise(&k.collection, &segs);
        let store = self.store.read().unwrap_or_else(|p| p.into_inner());
        // Its collection in the request's project (any project's, where they leak).
        let find = |project: Option<&str>| {
            store
                .iter()
                .find(|(coll, items)| {
                    fits(&k.collection, coll)
                        && project.is_none_or(|p| coll.split('/').any(|s| s == p))
                        && items.iter().any(|(i, _)| *i == id)
                })
                .map(|(coll, _)| coll.clone())
        };
        let found = find(project).or_else(|| {
            if !self.faults.has(Fault::CrossProjectLeak) {
                return None;
            }
            let leaked = find(None)?;
            self.faults.fire(Fault::CrossProjectLeak);
            Some(leaked)
        });
        Some(match found {
            Some(collection) => Ok(Role::Item { collection, id }),
            None => Err(Unknown { collection, id }),
        })
    }

    /// An update sent to a kind's collection naming the one it changes by a field its create
    /// sent (AOM's `PUT …/alarm-rules` with the rule's `alarm_rule_name`): that stored one, or
    /// refused as unknown. None: no such update.
    pub fn named_in_body(
        &self,
        method: &str,
        template: &str,
        path: &str,
        params: &[(String, String)],
        request: Option<&Value>,
    ) -> Option<Result<Role, Unknown>> {
        let t = normalise(template);
        let (k, at) = self.kinds.iter().find_map(|k| {
            let (m, u, at) = k.updated_by.as_ref()?;
            (m.eq_ignore_ascii_case(method) && *u == t).then_some((k, at))
        })?;
        let name = request?.pointer(at)?.as_str()?.to_string();
        let project = project_of(params);
        self.seed(project);
        let segs: Vec<&str> = path.split('/').collect();
        let collection = concretise(&k.collection, &segs);
        let store = self.store.read().unwrap_or_else(|p| p.into_inner());
        let id = store.get(&collection).and_then(|items| {
            items
                .iter()
                .find(|(_, stored)| {
                    let shown = |v: &Value| v.pointer(at).and_then(Value::as_str) == Some(&name);
                    // At the top, or inside the one envelope the create answered under.
                    shown(stored) || stored.as_object().is_some_and(|o| o.values().any(shown))
                })
                .map(|(id, _)| id.clone())
        });
        Some(match id {
            Some(id) => Ok(Role::Item { collection, id }),
            None => Err(Unknown {
                collection,
                id: name,
            }),
        })
    }

    /// Whether the template's segment at a kind's id place is a parameter named as another
    /// kind's id (`/scaling_policy/{scaling_group_id}/list` lists a group's policies): a
    /// `{x_id}` names kind x, whatever collection word precedes it.
    fn names_another_kind(&self, kind: &KindRoute, segment: Option<&str>) -> bool {
        let Some(param) = segment.and_then(crate::contract::template::sole_param) else {
            return false;
        };
        let own = kind.id_param.as_deref();
        crate::contract::resources::names_another_kind(param, own)
            || own != Some(param)
                && self
                    .kinds
                    .iter()
                    .any(|o| o.id_param.as_deref() == Some(param) && o.item != kind.item)
    }

    /// A PUT to the item of a kind nobody creates by POST, named by the client (a tag
    /// `…/tags/{tag}`, a metadata item `…/metadata/{key}`), names the item itself: when its parents exist and it is not
    /// held yet, it is stored under that name with what was sent, so the PUT that follows
    /// updates it. Emulated kinds are the emulation's.
    pub fn put_names_item(
        &self,
        template: &str,
        path: &str,
        params: &[(String, String)],
        request: Option<&Value>,
    ) {
        let t = normalise(template);
        let segs: Vec<&str> = path.split('/').collect();
        let Some(k) = self
            .kinds
            .iter()
            .find(|k| k.item == t && k.created_id.is_none())
        else {
            return;
        };
        let (Some(param), Some(id)) = (&k.id_param, segs.get(t.split('/').count() - 1)) else {
            return;
        };
        // Only a name the client chooses (`tag`, `key`): an id (`volume_id`, `id`) is the
        // service's to give, and a PUT of an unknown one is not found.
        if owns(&k.collection) || crate::contract::rules::is_resource_param(param) {
            return;
        }
        let parents: Vec<(String, String)> =
            params.iter().filter(|(n, _)| n != param).cloned().collect();
        let collection = concretise(&k.collection, &segs);
        if self.role(&k.collection, &collection, &parents).is_err() {
            return;
        }
        let id = super::contract_tier::percent_decode(id);
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        let items = store.entry(collection).or_default();
        if !items.iter().any(|(i, _)| *i == id) {
            items.push((id, request.cloned().unwrap_or_else(|| json!({}))));
        }
    }

    /// The stored body of the innermost item a request's path runs below: the server of
    /// `GET /servers/{server_id}/ips`, whose answer shows that server's `addresses`.
    pub fn holder(&self, template: &str, path: &str) -> Option<Value> {
        let (collection, id) = self.holder_at(template, path)?;
        self.get(&collection, &id)
    }

    /// Merges `update` into the innermost item a path runs below (a field switch:
    /// [`crate::contract::rules::field_switch`]), as an update of it.
    pub fn update_holder(&self, template: &str, path: &str, update: &Value) {
        if let Some((collection, id)) = self.holder_at(template, path) {
            self.update(&collection, &id, update);
        }
    }

    /// Where [`Memory::holder`] is kept: its concrete collection and its id.
    fn holder_at(&self, template: &str, path: &str) -> Option<(String, String)> {
        let t = normalise(template);
        let segs: Vec<&str> = path.split('/').collect();
        let k = self
            .kinds
            .iter()
            .filter(|k| t.starts_with(&format!("{}/", k.item)))
            .max_by_key(|k| k.item.len())?;
        let id = segs.get(k.item.split('/').count() - 1)?;
        let id = super::contract_tier::percent_decode(id);
        Some((concretise(&k.collection, &segs), id))
    }

    /// Removes the entry `key` of the map at `parents` (a list's pointer into the answer: the
    /// same in the stored body, or in its one envelope) of the innermost item a path runs
    /// below: the delete of one gateway response of a group's `responses`. Emulated kinds keep
    /// their own maps.
    pub fn remove_entry(&self, template: &str, path: &str, parents: &[String], key: &str) {
        self.with_holder_map(template, path, parents, false, |m| {
            if m.contains_key(key) && self.faults.fire(Fault::DeleteKeeps) {
                return;
            }
            m.remove(key);
        });
    }

    /// Writes the entry `key` of that map (a `PUT …/metadata/{key}`), making the map where the
    /// item holds none yet, so the list and a read of the entry show it.
    pub fn put_entry(
        &self,
        template: &str,
        path: &str,
        parents: &[String],
        key: &str,
        value: Value,
    ) {
        if self.faults.fire(Fault::IgnoreUpdate) {
            return;
        }
        self.with_holder_map(template, path, parents, true, |m| {
            m.insert(key.to_string(), value);
        });
    }

    /// Runs `change` on the map at `parents` of the stored item a path runs below (at the top
    /// of its body, else in its one envelope; made at the top when `make` and neither holds it).
    fn with_holder_map(
        &self,
        template: &str,
        path: &str,
        parents: &[String],
        make: bool,
        change: impl FnOnce(&mut Map<String, Value>),
    ) {
        let Some((collection, id)) = self.holder_at(template, path) else {
            return;
        };
        if self.owned(&collection).is_some() {
            return;
        }
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        let Some(held) = store
            .get_mut(&collection)
            .and_then(|items| items.iter_mut().find(|(i, _)| *i == id))
        else {
            return;
        };
        let body = &mut held.1;
        use crate::contract::rules::{object_at, object_at_mut};
        if object_at(body, parents).is_some() {
            if let Some(m) = object_at_mut(body, parents) {
                change(m);
            }
        } else if opened(body).is_some_and(|e| object_at(e, parents).is_some()) {
            if let Some(m) = opened(body).and_then(|e| object_at_mut(e, parents)) {
                change(m);
            }
        } else if make && !parents.iter().any(|p| p == "*") {
            let at: String = parents
                .iter()
                .map(|p| format!("/{}", crate::pointer::escape(p)))
                .collect();
            crate::pointer::set(body, &at, json!({}));
            if let Some(m) = object_at_mut(body, parents) {
                change(m);
            }
        }
    }

    /// The list role of a collection request (a GET of what [`Memory::role`] calls a create).
    pub fn list_of(role: Role) -> Role {
        match role {
            Role::Create {
                collection,
                id_pointer,
                ..
            } => Role::List {
                collection,
                envelope: envelope_of(&id_pointer),
            },
            other => other,
        }
    }

    /// Stores a created resource: what the request sent, with the answer (server-side fields,
    /// the new id) over it, so that a read shows what was sent even where the create's answer
    /// does not. Returns the answer with the new id in place.
    pub fn create(
        &self,
        collection: &str,
        pointer: &str,
        answer: Value,
        request: Option<&Value>,
    ) -> Value {
        self.create_with_id(collection, pointer, answer, request).0
    }

    /// [`Memory::create`], with the new id; an empty `pointer` is a create that answers only a
    /// job (the id is the job's entity).
    pub fn create_with_id(
        &self,
        collection: &str,
        pointer: &str,
        answer: Value,
        request: Option<&Value>,
    ) -> (Value, String) {
        let id = uuid::Uuid::new_v4().to_string();
        self.store_created(collection, pointer, answer, request, id, None)
    }

    /// Stores what a create made under the key its client chose (a secret's name, the id in a
    /// PUT's path); the id the answer holds at `pointer`, if any, is still the server's. A key
    /// the collection holds already is [`Taken`] when `refuse` (the create's documented
    /// conflict), else the stored one is replaced.
    pub fn create_keyed(
        &self,
        collection: &str,
        pointer: &str,
        answer: Value,
        request: Option<&Value>,
        key: &str,
        refuse: bool,
    ) -> Result<(Value, String), Taken> {
        let held = {
            let store = self.store.read().unwrap_or_else(|p| p.into_inner());
            self.holds(&store, collection, key)
        };
        if held && refuse {
            return Err(Taken {
                collection: collection.to_string(),
                key: key.to_string(),
            });
        }
        // A create answering the client's key where its id goes (DLI's queue answers
        // `queue_name`) is named by that key; otherwise the server chooses an id of its own.
        let server_id = match answer.pointer(pointer).and_then(Value::as_str) {
            Some(shown) if !pointer.is_empty() && shown == key => key.to_string(),
            _ => uuid::Uuid::new_v4().to_string(),
        };
        Ok(self.store_created(collection, pointer, answer, request, server_id, Some(key)))
    }

    /// The collection and key of a create by PUT (a kind the client keys in the path, its item
    /// template, an id the collection does not hold yet).
    pub fn put_creates(
        &self,
        template: &str,
        path: &str,
        params: &[(String, String)],
    ) -> Option<(String, String)> {
        let t = normalise(template);
        let segs: Vec<&str> = path.split('/').collect();
        let k = self
            .kinds
            .iter()
            .find(|k| k.item == t && matches!(k.client_key, Some(ClientKey::Path(_))))?;
        let key = k.client_key.as_ref()?.chosen(None, params)?;
        let collection = concretise(&k.collection, &segs);
        let store = self.store.read().unwrap_or_else(|p| p.into_inner());
        (!self.holds(&store, &collection, &key)).then_some((collection, key))
    }

    fn store_created(
        &self,
        collection: &str,
        pointer: &str,
        mut answer: Value,
        request: Option<&Value>,
        mut id: String,
        key: Option<&str>,
    ) -> (Value, String) {
        if !pointer.is_empty() {
            // An id the answer documents as a number (SWR's retention rules) is one.
            let numeric = answer.pointer(pointer).is_some_and(Value::is_number);
            // One the answer shows shorter than the id made (made within the field's length
            // limit, [`super::contract_tier::id_within`]) is made as short, down to 8
            // characters (fewer would make two creates collide).
            if let Some(shown) = answer.pointer(pointer).and_then(Value::as_str) {
                if (8..id.len()).contains(&shown.len()) {
                    id = super::contract_tier::id_within(shown.len());
                }
            }
            let value = if numeric {
                let n = u64::from(uuid::Uuid::new_v4().as_u128() as u32 >> 1) + 1;
                id = n.to_string();
                Value::from(n)
            } else {
                Value::String(id.clone())
            };
            crate::pointer::set(&mut answer, pointer, value);
        }
        // An object the answer shows beside the id under the key's stem (ELB's `loadbalancer`
        // beside `loadbalancer_id`) is the one made: its `id` is the same, unless the request
        // chose that `id` itself (ELB's create may send `loadbalancer.id`, which is echoed).
        if let Some(parent) = own_key_parent(key, pointer) {
            let stem = pointer
                .rsplit('/')
                .next()
                .and_then(|last| last.strip_suffix("_id"))
                .unwrap_or_default();
            let sent = |r: &Value| {
                r.pointer(parent)
                    .and_then(|p| p.get(stem)?.get("id"))
                    .is_some()
            };
            let beside = answer
                .pointer_mut(parent)
                .filter(|_| !request.is_some_and(sent))
                .and_then(|p| p.get_mut(stem))
                .and_then(Value::as_object_mut);
            if let Some(o) = beside.filter(|o| o.get("id").is_some_and(Value::is_string)) {
                o.insert("id".into(), Value::String(id.clone()));
            }
        }
        let mut stored = request.cloned().unwrap_or_else(|| json!({}));
        merge(&mut stored, &answer);
        // An asynchronous create answers only the ids it made (`/volume_ids/0`), or only a job:
        // the resource is what the request sent under its envelope, with the id.
        if key.is_none()
            && (pointer.is_empty()
                || pointer
                    .rsplit('/')
                    .next()
                    .is_some_and(|l| l.parse::<usize>().is_ok()))
        {
            if let Some(Value::Object(item)) = opened(&mut stored) {
                item.insert("id".into(), Value::String(id.clone()));
            }
        }
        // The server's id answered under a key of its own (SCM's `certificate_id`) is the
        // item's `id` too, as its read and list show it, where nothing sent one.
        if let Some(parent) = own_key_parent(key, pointer) {
            if let Some(Value::Object(item)) = stored.pointer_mut(parent) {
                item.entry("id")
                    .or_insert_with(|| Value::String(id.clone()));
            }
        }
        // Stored under the client's key; the server's id stays in the body.
        let id = key.map_or(id, str::to_string);
        if let Some((owner, at)) = self.owned(collection) {
            owner.insert(&at, &id, &stored);
            return (answer, id);
        }
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        let items = store.entry(collection.to_string()).or_default();
        match items.iter_mut().find(|(i, _)| *i == id) {
            Some((_, body)) => *body = stored,
            None => items.push((id.clone(), stored)),
        }
        (answer, id)
    }

    /// Marks an instance as seeded from the pages ([`Memory::ids`]).
    fn document(&self, collection: &str, id: &str) {
        self.documented
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((collection.to_string(), id.to_string()));
    }

    /// A memory of the same kinds and faults holding nothing yet: another project's, for the
    /// paths that name none (the `X-Project-Id` header chooses it). The emulation's store is
    /// this project's, so it keeps the emulated kinds itself (ECS's
    /// `/v2.1/servers/{server_id}/block_device` asked from there finds no server made here).
    pub fn empty_like(&self) -> Memory {
        Memory {
            kinds: self.kinds.clone(),
            store: RwLock::default(),
            faults: self.faults.clone(),
            owner: None,
            seeded: Mutex::default(),
            documented: Mutex::default(),
            settings: RwLock::default(),
            foreign: BTreeSet::new(),
        }
    }

    /// The memory, a path naming one of the `foreign` projects finding nothing its collections
    /// naming no project hold ([`Memory::foreign`]).
    pub fn apart_from(mut self, foreign: BTreeSet<String>) -> Memory {
        self.foreign = foreign;
        self
    }

    /// Forgets everything stored (a reset): each collection holds its documented instance
    /// again when next used, as at the start.
    pub fn clear(&self) {
        self.store
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.seeded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.documented
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.settings
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Where the setting a request of `template` reaches at `path` is kept with the item the
    /// path runs below, so that the item's delete forgets it; None where no item of the memory
    /// holds it (a path naming the item's id below another collection than its own).
    pub fn setting_at(&self, template: &str, path: &str) -> Option<String> {
        let (collection, id) = self.holder_at(template, path)?;
        Some(format!("{collection}\n{id}\n{}", normalise(template)))
    }

    /// Merges a write of a setting into what is kept `at` ([`Memory::setting_at`]) and
    /// answers the result; kept only where updates are not ignored, so reads show the old
    /// values under that fault.
    pub fn write_setting(&self, at: &str, update: &Value) -> Value {
        let mut settings = self.settings.write().unwrap_or_else(|p| p.into_inner());
        let mut held = settings.get(at).cloned().unwrap_or_else(|| json!({}));
        apply(&mut held, update);
        if !self.faults.fire(Fault::IgnoreUpdate) {
            settings.insert(at.to_string(), held.clone());
        }
        held
    }

    /// What the writes of a setting sent, kept `at`, if any did.
    pub fn setting(&self, at: &str) -> Option<Value> {
        let settings = self.settings.read().unwrap_or_else(|p| p.into_inner());
        settings.get(at).cloned()
    }

    /// The ids stored in each concrete collection (the emulation's kinds are in its own
    /// state), in creation order, split into what requests created and the instances the
    /// pages document (seeded: the examples' ids, the held ones, a project's own entry);
    /// collections left empty are left out.
    pub fn ids(&self) -> Held {
        // The store before the marks, as seeding takes them (one order, no deadlock).
        let store = self.store.read().unwrap_or_else(|p| p.into_inner());
        let documented = self.documented.lock().unwrap_or_else(|p| p.into_inner());
        let mut held = Held::default();
        for (collection, items) in store.iter() {
            for (id, _) in items {
                let side = if documented.contains(&(collection.clone(), id.clone())) {
                    &mut held.documented
                } else {
                    &mut held.created
                };
                side.entry(collection.clone()).or_default().push(id.clone());
            }
        }
        held
    }

    /// The stored bodies of a collection, in creation order.
    pub fn list(&self, collection: &str) -> Vec<Value> {
        let listed = match self.owned(collection) {
            Some((owner, at)) => owner.list(&at),
            None => {
                let store = self.store.read().unwrap_or_else(|p| p.into_inner());
                store
                    .get(collection)
                    .map(|items| items.iter().map(|(_, v)| v.clone()).collect())
                    .unwrap_or_default()
            }
        };
        if !listed.is_empty() && self.faults.fire(Fault::ListMisses) {
            return Vec::new();
        }
        listed
    }

    /// A stored body.
    pub fn get(&self, collection: &str, id: &str) -> Option<Value> {
        if let Some((owner, at)) = self.owned(collection) {
            return owner.get(&at, id);
        }
        let store = self.store.read().unwrap_or_else(|p| p.into_inner());
        store
            .get(collection)?
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, v)| v.clone())
    }

    /// Merges an update into a stored body; returns the result.
    pub fn update(&self, collection: &str, id: &str, update: &Value) -> Option<Value> {
        if let Some((owner, at)) = self.owned(collection) {
            let keep = self.faults.fire(Fault::IgnoreUpdate);
            return owner.update(&at, id, keep, |stored| apply(stored, update));
        }
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        let (_, stored) = store
            .get_mut(collection)?
            .iter_mut()
            .find(|(i, _)| i == id)?;
        if self.faults.fire(Fault::IgnoreUpdate) {
            let mut answered = stored.clone();
            apply(&mut answered, update);
            return Some(answered);
        }
        apply(stored, update);
        Some(stored.clone())
    }

    /// The emulation's store and collection, when `collection` is one of the emulated kinds'.
    fn owned(&self, collection: &str) -> Option<(&Shared, Owned)> {
        let owner = self.owner.as_deref()?;
        Some((owner, Owned::of(collection)?))
    }

    /// Whether a concrete collection holds `id`.
    fn holds(&self, store: &Store, collection: &str, id: &str) -> bool {
        match self.owned(collection) {
            Some((owner, at)) => owner.holds(&at, id),
            None => store
                .get(collection)
                .is_some_and(|items| items.iter().any(|(i, _)| i == id)),
        }
    }

    /// [`Memory::locate`] in `project`; where projects leak (the fault), among `leaky` in any
    /// project, which counts as the fault's effect.
    fn locate_leaking(
        &self,
        kinds: &[&KindRoute],
        leaky: &[&KindRoute],
        store: &Store,
        param: &str,
        id: &str,
        project: Option<&str>,
    ) -> Option<String> {
        self.locate(kinds, store, param, id, project).or_else(|| {
            if !self.faults.has(Fault::CrossProjectLeak) {
                return None;
            }
            let leaked = self.locate(leaky, store, param, id, None)?;
            self.faults.fire(Fault::CrossProjectLeak);
            Some(leaked)
        })
    }

    /// The stored collection holding `id` of a kind named by the id parameter `param`, in the
    /// request's project: a collection whose path names the project, or one whose template
    /// names none (the token decides there). Another project's resource is not found. The
    /// emulated kinds are looked for in the emulation's store.
    fn locate(
        &self,
        kinds: &[&KindRoute],
        store: &Store,
        param: &str,
        id: &str,
        project: Option<&str>,
    ) -> Option<String> {
        let kept = store
            .iter()
            .find(|(coll, items)| {
                kinds.iter().any(|k| {
                    k.named_by(param)
                        && fits(&k.collection, coll)
                        && if k.collection.contains("{}") {
                            project.is_none_or(|p| coll.split('/').any(|s| s == p))
                        } else {
                            // Made by a token, in its project: not found under another's path.
                            project.is_none_or(|p| !self.foreign.contains(p))
                        }
                }) && items.iter().any(|(i, _)| i == id)
            })
            .map(|(coll, _)| coll.clone());
        kept.or_else(|| {
            let owner = self.owner.as_deref()?;
            kinds
                .iter()
                .filter(|k| k.named_by(param) && owns(&k.collection))
                .find_map(|k| owner.find(&k.collection, id, project))
        })
    }

    /// Whether `id` is the held instance of the kind stored in this concrete collection.
    fn is_held(&self, collection: &str, id: &str) -> bool {
        self.kinds
            .iter()
            .any(|k| k.held.as_deref() == Some(id) && fits(&k.collection, collection))
    }

    /// Removes a stored body.
    pub fn delete(&self, collection: &str, id: &str) {
        if let Some((owner, at)) = self.owned(collection) {
            if !self.faults.fire(Fault::DeleteKeeps) {
                owner.remove(&at, id);
            }
            return;
        }
        // The held instance of a kind nobody creates answers its delete and stays: nothing in
        // the contract could make another, and every later request naming it would be refused.
        if self.is_held(collection, id) {
            return;
        }
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        if self.faults.has(Fault::DeleteKeeps) {
            let stored = store
                .get(collection)
                .is_some_and(|items| items.iter().any(|(i, _)| i == id));
            if stored {
                self.faults.fire(Fault::DeleteKeeps);
            }
            return;
        }
        if let Some(items) = store.get_mut(collection) {
            items.retain(|(i, _)| i != id);
        }
        // Its settings go with it: one made again under the same key starts without them.
        let below = format!("{collection}\n{id}\n");
        self.settings
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|at, _| !at.starts_with(&below));
    }
}

/// The project a request's path names (`{project_id}`), if any.
fn project_of(params: &[(String, String)]) -> Option<&str> {
    params
        .iter()
        .find(|(n, _)| n == "project_id")
        .map(|(_, v)| v.as_str())
}

/// The concrete collection path of a request: the template's literals, its `{}` taken from the
/// request's segments at the same place.
fn concretise(template: &str, segs: &[&str]) -> String {
    template
        .split('/')
        .enumerate()
        .map(|(i, t)| {
            if crate::contract::template::has_param(t) {
                segs.get(i).copied().unwrap_or(t)
            } else {
                t
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether two normalised collection templates differ only in their API version segment
/// (`/v2/{}/cloudvolumes`, `/v2.1/{}/cloudvolumes`).
fn version_sibling(a: &str, b: &str) -> bool {
    let version = |s: &str| {
        s.strip_prefix('v').is_some_and(|v| {
            v.starts_with(|c: char| c.is_ascii_digit())
                && v.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
    };
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('/').collect(), b.split('/').collect());
    let differing: Vec<(&&str, &&str)> = a.iter().zip(&b).filter(|(x, y)| x != y).collect();
    a.len() == b.len() && matches!(differing.as_slice(), [(x, y)] if version(x) && version(y))
}

/// Whether a concrete path fits a normalised template (`{}` takes any one segment, or its part
/// of a mixed one: `{}:{}`).
fn fits(template: &str, concrete: &str) -> bool {
    let (t, c): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), concrete.split('/').collect());
    t.len() == c.len()
        && t.iter()
            .zip(&c)
            .all(|(t, c)| crate::contract::template::match_segment(t, c).is_some())
}

/// Where a server-chosen id answered under a key of its own (`/certificate_id`, not `/id` nor
/// an item of a list of ids) sits: the pointer's parent (`""` for the top).
fn own_key_parent<'p>(key: Option<&str>, pointer: &'p str) -> Option<&'p str> {
    let (parent, last) = pointer.rsplit_once('/')?;
    (key.is_none() && last != "id" && last.parse::<usize>().is_err()).then_some(parent)
}

/// `/vpc` for `/vpc/id`, `/instances/0` for `/instances/0/instance_id`; None for `/id` (the
/// body is the item).
fn envelope_of(pointer: &str) -> Option<String> {
    pointer
        .rsplit_once('/')
        .map(|(parent, _)| parent.to_string())
        .filter(|p| !p.is_empty())
}

/// The one object a stored body holds its fields under (a request's envelope: `{"volume":
/// {…}}`), when it has exactly one.
pub fn opened(stored: &mut Value) -> Option<&mut Value> {
    let o = stored.as_object_mut()?;
    let mut objects = o.values_mut().filter(|v| v.is_object());
    let one = objects.next()?;
    objects.next().is_none().then_some(one)
}

/// Shows the key a client chose in a create's answer: the field of that name (`name`,
/// `namespace`; `id` for a key in the path) at the top of the answer or in its one envelope,
/// where the answer has one.
pub fn show_key(answer: &mut Value, key: &ClientKey, value: &str) {
    let field = match key {
        ClientKey::Body(p) => crate::pointer::tokens(p)
            .last()
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        ClientKey::Path(_) => "id".to_string(),
    };
    let set = |o: &mut serde_json::Map<String, Value>| match o.get_mut(&field) {
        Some(v @ Value::String(_)) => {
            *v = Value::String(value.to_string());
            true
        }
        _ => false,
    };
    let at_top = answer.as_object_mut().is_some_and(set);
    if !at_top {
        if let Some(Value::Object(inner)) = opened(answer) {
            set(inner);
        }
    }
}

/// Merges an update body into a stored resource (objects deeply, values replaced).
pub fn merge(stored: &mut Value, update: &Value) {
    match (stored, update) {
        (Value::Object(s), Value::Object(u)) => {
            for (k, v) in u {
                match s.get_mut(k) {
                    Some(x) if x.is_object() && v.is_object() => merge(x, v),
                    _ => {
                        s.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (s, u) => *s = u.clone(),
    }
}

/// Applies an update: a JSON Patch (an array of `{op, path, value}`, Glance's image update)
/// op by op, an object merged; anything else changes nothing a read could check.
fn apply(stored: &mut Value, update: &Value) {
    match update {
        Value::Array(ops) => {
            for op in ops {
                let (Some(kind), Some(path)) = (
                    op.get("op").and_then(Value::as_str),
                    op.get("path").and_then(Value::as_str),
                ) else {
                    continue;
                };
                match (kind, op.get("value")) {
                    ("add" | "replace", Some(v)) => crate::pointer::set(stored, path, v.clone()),
                    ("remove", _) => {
                        if let Some((parent, last)) = path.rsplit_once('/') {
                            if let Some(o) =
                                stored.pointer_mut(parent).and_then(Value::as_object_mut)
                            {
                                o.remove(last);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Object(_) => merge(stored, update),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::resources::{Call, ResourceKind};

    #[test]
    fn an_id_is_set_into_the_item_an_array_already_holds() {
        let mut v = json!({"instances": [{"instance_id": "x", "instance_name": "n"}]});
        crate::pointer::set(&mut v, "/instances/0/instance_id", json!("new"));
        assert_eq!(
            v,
            json!({"instances": [{"instance_id": "new", "instance_name": "n"}]})
        );
        assert_eq!(
            envelope_of("/instances/0/instance_id").as_deref(),
            Some("/instances/0")
        );
        assert_eq!(envelope_of("/vpc/id").as_deref(), Some("/vpc"));
        assert_eq!(envelope_of("/id"), None);
    }

    fn table() -> ResourceTable {
        let call = |m: &str, p: &str| Call {
            method: m.into(),
            path: p.into(),
            body: None,
            query: Default::default(),
        };
        let kind = |name: &str, coll: &str, item: &str| ResourceKind {
            create: Some(call("POST", coll)),
            delete: Some(call("DELETE", item)),
            created_id: Some(format!("/{name}/id")),
            collection_path: Some(coll.into()),
            id_param: item
                .rsplit('/')
                .next()
                .map(|s| s.trim_matches(|c| c == '{' || c == '}').to_string()),
            ..ResourceKind::new(
                name,
                "vpc",
                coll.rsplit('/').next().unwrap_or_default(),
                call("GET", item),
            )
        };
        ResourceTable {
            kinds: vec![
                kind(
                    "vpc",
                    "/v1/{project_id}/vpcs",
                    "/v1/{project_id}/vpcs/{vpc_id}",
                ),
                kind(
                    "route",
                    "/v1/{project_id}/vpcs/{vpc_id}/routes",
                    "/v1/{project_id}/vpcs/{vpc_id}/routes/{route_id}",
                ),
            ],
        }
    }

    /// A map key a kind's item path names (`{key}` of one version's metadata) is that kind's
    /// only: another path naming `{key}` (another version's metadata, no kind) is not refused
    /// for a key the kind never stored, while a kind's id is one resource wherever it is named.
    #[test]
    fn a_key_named_outside_its_kinds_paths_is_not_looked_up_an_id_is() {
        let mut t = table();
        let mut meta = t.kinds[0].clone();
        meta.kind = "metadata".into();
        meta.collection = "metadata".into();
        meta.collection_path = Some("/v2/{project_id}/servers/{server_id}/metadata".into());
        meta.read.path = "/v2/{project_id}/servers/{server_id}/metadata/{key}".into();
        meta.id_param = Some("key".into());
        t.kinds.push(meta);
        let m = Memory::new(&t, Faults::default());
        let params = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let other_version = m.role(
            "/v1/{project_id}/cloudservers/{server_id}/metadata/{key}",
            "/v1/p/cloudservers/s/metadata/conform",
            &params(&[("project_id", "p"), ("server_id", "s"), ("key", "conform")]),
        );
        assert!(other_version.is_ok(), "{other_version:?}");
        let unknown_vpc = m.role(
            "/v1/{project_id}/network-ip-availabilities/{vpc_id}",
            "/v1/p/network-ip-availabilities/nope",
            &params(&[("project_id", "p"), ("vpc_id", "nope")]),
        );
        assert!(unknown_vpc.is_err(), "{unknown_vpc:?}");
    }

    /// A kind no operation creates is held in each project, under the id the tier's variables
    /// hand out (its example's, or one derived from its parameter), and stays through a delete;
    /// another id is still unknown.
    #[test]
    fn a_kind_nobody_creates_is_held_and_kept_through_a_delete() {
        let mut t = table();
        t.kinds[0].create = None;
        let held = crate::mock::seeds::held(&t.kinds[0], &t).map(|(id, _)| id);
        let id = held.clone().unwrap_or_default();
        assert!(!id.is_empty(), "a held id without an example");
        let m = Memory::new(&t, Faults::default());
        let params = |id: &str| {
            vec![
                ("project_id".to_string(), "p1".to_string()),
                ("vpc_id".to_string(), id.to_string()),
            ]
        };
        let role = |id: &str| {
            m.role(
                "/v1/{project_id}/vpcs/{vpc_id}",
                &format!("/v1/p1/vpcs/{id}"),
                &params(id),
            )
        };
        assert!(role(&id).is_ok(), "held: {:?}", role(&id));
        m.delete("/v1/p1/vpcs", &id);
        assert!(role(&id).is_ok(), "kept through a delete");
        assert!(role("other").is_err(), "another id is unknown");
        // A kind some operation creates holds nothing made up, nor does one whose parameter
        // another kind's create makes (a version's read of what another version creates).
        let t = table();
        assert_eq!(crate::mock::seeds::held(&t.kinds[0], &t), None);
        let mut t = table();
        let mut v3 = t.kinds[0].clone();
        v3.create = None;
        v3.read.path = "/v3/{project_id}/vpc/vpcs/{vpc_id}".into();
        v3.collection_path = Some("/v3/{project_id}/vpc/vpcs".into());
        t.kinds.push(v3.clone());
        assert_eq!(crate::mock::seeds::held(&v3, &t), None);
    }

    /// Each project starts with the documented instance of each top-level kind, once: reads
    /// find it, a delete removes it for good, another project holds its own; a nested kind is
    /// not seeded (its parent's id would be made up).
    #[test]
    fn each_project_starts_with_the_documented_instances_once() {
        let mut t = table();
        let example = json!({"vpc": {"id": "doc-vpc", "name": "documented"}});
        t.kinds[0].example = Some(example.clone());
        t.kinds[1].example = Some(json!({"route": {"id": "doc-route"}}));
        let m = Memory::new(&t, Faults::default());
        let p = |project: &str| vec![("project_id".to_string(), project.to_string())];
        let list = |project: &str| {
            let path = format!("/v1/{project}/vpcs");
            m.role("/v1/{project_id}/vpcs", &path, &p(project)).unwrap();
            m.list(&path)
        };
        assert_eq!(list("p1"), vec![example.clone()]);
        let item = |project: &str| {
            let mut params = p(project);
            params.push(("vpc_id".into(), "doc-vpc".into()));
            m.role(
                "/v1/{project_id}/vpcs/{vpc_id}",
                &format!("/v1/{project}/vpcs/doc-vpc"),
                &params,
            )
        };
        assert_eq!(
            item("p1"),
            Ok(Role::Item {
                collection: "/v1/p1/vpcs".into(),
                id: "doc-vpc".into()
            })
        );
        let routes = "/v1/p1/vpcs/doc-vpc/routes";
        assert!(m.list(routes).is_empty(), "a nested kind is not seeded");
        m.delete("/v1/p1/vpcs", "doc-vpc");
        assert!(list("p1").is_empty(), "a deleted instance stays deleted");
        assert!(item("p1").is_err());
        assert_eq!(list("p2"), vec![example], "another project holds its own");
    }

    /// A kind no path names (VOD's assets): its read and delete name one by the query, its
    /// update by the body; a created one is found there until deleted, an unknown one is
    /// refused, its list is the collection's, other requests are not its, and a delete that
    /// keeps it (the fault) leaves it found.
    #[test]
    fn a_kind_named_in_the_query_is_found_by_its_query_id_until_deleted() {
        let call = |m: &str, p: &str| Call {
            method: m.into(),
            path: p.into(),
            body: None,
            query: Default::default(),
        };
        let named = |c: Call| Call {
            query: [("asset_id".to_string(), json!("{id}"))].into(),
            ..c
        };
        let asset = ResourceKind {
            create: Some(call("POST", "/v1.0/{project_id}/asset")),
            delete: Some(named(call("DELETE", "/v1.0/{project_id}/asset"))),
            update: Some(Call {
                body: Some(json!({"asset_id": "{id}"})),
                ..call("PUT", "/v1.0/{project_id}/asset/info")
            }),
            list: Some(call("GET", "/v1.0/{project_id}/asset/list")),
            created_id: Some("/asset_id".into()),
            collection_path: Some("/v1.0/{project_id}/asset".into()),
            id_param: Some("asset_id".into()),
            id_query: Some("asset_id".into()),
            ..ResourceKind::new(
                "asset",
                "vod",
                "asset",
                named(call("GET", "/v1.0/{project_id}/asset/details")),
            )
        };
        let table = ResourceTable { kinds: vec![asset] };
        let by = |id: &str| vec![("asset_id".to_string(), id.to_string())];
        fn role(
            m: &Memory,
            method: &str,
            template: &str,
            path: &str,
            query: &[(String, String)],
            body: Option<&Value>,
        ) -> Option<Result<Role, Unknown>> {
            let project = [("project_id".to_string(), "p".to_string())];
            m.query_role(method, template, path, &project, query, body)
        }
        for faults in [Faults::default(), Faults::new([Fault::DeleteKeeps])] {
            let keeps = faults.has(Fault::DeleteKeeps);
            let m = Memory::new(&table, faults);
            let made = m.create("/v1.0/p/asset", "/asset_id", json!({"title": "a"}), None);
            let id = made["asset_id"].as_str().unwrap_or_default().to_string();
            let details = "/v1.0/{project_id}/asset/details";
            let read = |m: &Memory, id: &str| {
                role(m, "GET", details, "/v1.0/p/asset/details", &by(id), None)
            };
            let item = Role::Item {
                collection: "/v1.0/p/asset".into(),
                id: id.clone(),
            };
            assert_eq!(read(&m, &id), Some(Ok(item.clone())));
            assert!(matches!(read(&m, "nobody"), Some(Err(_))));
            let body = json!({"asset_id": id, "title": "b"});
            let info = "/v1.0/{project_id}/asset/info";
            assert_eq!(
                role(&m, "PUT", info, "/v1.0/p/asset/info", &[], Some(&body)),
                Some(Ok(item.clone()))
            );
            let list = "/v1.0/{project_id}/asset/list";
            assert!(matches!(
                role(&m, "GET", list, "/v1.0/p/asset/list", &[], None),
                Some(Ok(Role::List { .. }))
            ));
            let ciphers = "/v1.0/{project_id}/asset/ciphers";
            assert_eq!(
                role(&m, "GET", ciphers, "/v1.0/p/asset/ciphers", &by(&id), None),
                None
            );
            let delete = "/v1.0/{project_id}/asset";
            assert_eq!(
                role(&m, "DELETE", delete, "/v1.0/p/asset", &by(&id), None),
                Some(Ok(item))
            );
            m.delete("/v1.0/p/asset", &id);
            assert_eq!(read(&m, &id).is_some_and(|r| r.is_ok()), keeps);
            // A path's `{asset_id}` elsewhere is no reference to the kind.
            assert!(m
                .role(
                    "/v1.0/{project_id}/x/{asset_id}",
                    "/v1.0/p/x/nobody",
                    &by("nobody")
                )
                .is_ok());
        }
    }

    /// An id the create's answer shows shorter than a UUID (made within a 32-byte limit) is
    /// made as short, and found by it; one too short to stay unique is a UUID still.
    #[test]
    fn a_created_id_is_as_short_as_the_answer_shows_it() {
        let m = Memory::new(&table(), Faults::default());
        let shown = "a".repeat(32);
        let (answer, id) = m.create_with_id("/v1/p/vpcs", "/id", json!({ "id": shown }), None);
        assert_eq!(id.len(), 32, "{id}");
        assert_eq!(answer["id"], json!(id));
        assert!(m.get("/v1/p/vpcs", &id).is_some());
        let (_, id) = m.create_with_id("/v1/p/vpcs", "/id", json!({"id": "x"}), None);
        assert_eq!(id.len(), 36, "{id}");
    }

    /// An id the create's answer documents as a number is answered as one, and found by it.
    #[test]
    fn a_numeric_id_is_answered_as_a_number() {
        let m = Memory::new(&table(), Faults::default());
        let (answer, id) = m.create_with_id("/v1/p/vpcs", "/id", json!({"id": 0}), None);
        assert!(answer["id"].is_u64(), "{answer}");
        assert_eq!(answer["id"].to_string(), id);
        assert!(m.get("/v1/p/vpcs", &id).is_some());
    }

    /// An asynchronous create answers the ids it made: the id goes in that list, and the stored
    /// resource is the request's envelope with the id, which lists and reads open.
    #[test]
    fn a_create_answering_a_list_of_ids_stores_the_request_with_its_id() {
        let m = Memory::new(&table(), Faults::default());
        let answer = m.create(
            "/v2/p/cloudvolumes",
            "/volume_ids/0",
            json!({"job_id": "j", "volume_ids": []}),
            Some(&json!({"volume": {"name": "a", "size": 10}})),
        );
        let id = answer["volume_ids"][0]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(!id.is_empty(), "{answer}");
        let mut stored = m.get("/v2/p/cloudvolumes", &id).unwrap_or_default();
        assert_eq!(
            opened(&mut stored).cloned(),
            Some(json!({"name": "a", "size": 10, "id": id}))
        );
        // An id already in the list is replaced, not doubled.
        let mut v = json!({"ids": ["x"]});
        crate::pointer::set(&mut v, "/ids/0", json!("y"));
        assert_eq!(v, json!({"ids": ["y"]}));
    }

    /// A create sent to another API version's collection (`/v2/…/vpcs` beside `/v1/…/vpcs`,
    /// which has no item read of its own) is the kind's create, its id where that create's
    /// own answer holds it; a collection with a kind of its own, or more than the version
    /// apart, is not. `GET …/vpcs/detail` lists the kind.
    #[test]
    fn a_create_under_another_version_and_the_detail_list_are_the_kinds() {
        let answer = json!({"properties": {"job_id": {"type": "string"},
            "vpc_ids": {"type": "array", "items": {"type": "string"}}}});
        let m = Memory::new(&table(), Faults::default()).also_created_at([
            ("/v2.1/{project_id}/vpcs", Some(&answer)),
            ("/v1/{project_id}/vpcs/{vpc_id}/routes", Some(&answer)),
            ("/v2/{project_id}/extra/vpcs", Some(&answer)),
        ]);
        let params = [("project_id".to_string(), "p".to_string())];
        let role = m.role("/v2.1/{project_id}/vpcs", "/v2.1/p/vpcs", &params);
        assert_eq!(
            role,
            Ok(Role::Create {
                collection: "/v1/p/vpcs".into(),
                id_pointer: "/vpc_ids/0".into(),
                key: None,
            })
        );
        let other = m.role("/v2/{project_id}/extra/vpcs", "/v2/p/extra/vpcs", &params);
        assert_eq!(other, Ok(Role::Other));
        assert_eq!(
            m.role("/v1/{project_id}/vpcs/detail", "/v1/p/vpcs/detail", &params),
            Ok(Role::List {
                collection: "/v1/p/vpcs".into(),
                envelope: Some("/vpc".into())
            })
        );
        assert!(version_sibling("/v2/{}/a", "/v2.1/{}/a"));
        assert!(!version_sibling("/v2/{}/a", "/v2/{}/b"));
        assert!(!version_sibling("/v2/{}/a", "/v3/x/a"));
    }

    /// The Huawei SDK updates and deletes a subnet under its VPC
    /// (`/vpcs/{vpc_id}/subnets/{subnet_id}`) though it reads and lists it at
    /// `/subnets/{subnet_id}`: both paths address the one stored subnet.
    /// A kind deleted at another path than it is read at (MRS's clusters, read at
    /// `…/cluster_infos/{}`, deleted at `…/clusters/{}`): that delete is of its item.
    #[test]
    fn a_delete_at_another_path_is_of_the_kinds_item() {
        let mut t = table();
        let mut cluster = t.kinds[0].clone();
        cluster.kind = "cluster_info".into();
        cluster.collection = "cluster_infos".into();
        cluster.collection_path = Some("/v1.1/{project_id}/cluster_infos".into());
        cluster.read.path = "/v1.1/{project_id}/cluster_infos/{id}".into();
        cluster.delete = Some(Call {
            method: "DELETE".into(),
            path: "/v1.1/{project_id}/clusters/{id}".into(),
            query: Default::default(),
            body: None,
        });
        cluster.created_id = Some("/cluster_id".into());
        cluster.id_param = Some("cluster_id".into());
        t.kinds.push(cluster);
        let m = Memory::new(&t, Faults::default());
        let made = m.create("/v1.1/p/cluster_infos", "/cluster_id", json!({}), None);
        let id = made["cluster_id"].as_str().unwrap().to_string();
        let params = vec![
            ("project_id".to_string(), "p".to_string()),
            ("cluster_id".to_string(), id.clone()),
        ];
        let delete = "/v1.1/{project_id}/clusters/{cluster_id}";
        let path = format!("/v1.1/p/clusters/{id}");
        assert_eq!(
            m.role(delete, &path, &params),
            Ok(Role::Item {
                collection: "/v1.1/p/cluster_infos".into(),
                id: id.clone()
            })
        );
        m.delete("/v1.1/p/cluster_infos", &id);
        assert!(m.role(delete, &path, &params).is_err());
    }

    #[test]
    fn an_item_addressed_under_a_parent_is_the_kinds_item() {
        let mut t = table();
        let mut subnet = t.kinds[0].clone();
        subnet.kind = "subnet".into();
        subnet.collection = "subnets".into();
        subnet.collection_path = Some("/v1/{project_id}/subnets".into());
        subnet.read.path = "/v1/{project_id}/subnets/{subnet_id}".into();
        subnet.delete = Some(subnet.read.clone());
        subnet.created_id = Some("/subnet/id".into());
        subnet.id_param = Some("subnet_id".into());
        t.kinds.push(subnet);
        let m = Memory::new(&t, Faults::default());
        let vpc = m.create("/v1/p/vpcs", "/vpc/id", json!({"vpc": {}}), None)["vpc"]["id"].clone();
        let made = m.create("/v1/p/subnets", "/subnet/id", json!({"subnet": {}}), None);
        let (vpc, sub) = (
            vpc.as_str().unwrap(),
            made["subnet"]["id"].as_str().unwrap(),
        );
        let params = |s: &str| {
            vec![
                ("project_id".to_string(), "p".to_string()),
                ("vpc_id".to_string(), vpc.to_string()),
                ("subnet_id".to_string(), s.to_string()),
            ]
        };
        let nested = "/v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}";
        assert_eq!(
            m.role(
                nested,
                &format!("/v1/p/vpcs/{vpc}/subnets/{sub}"),
                &params(sub)
            ),
            Ok(Role::Item {
                collection: "/v1/p/subnets".into(),
                id: sub.into()
            })
        );
        m.delete("/v1/p/subnets", sub);
        assert!(m
            .role(
                nested,
                &format!("/v1/p/vpcs/{vpc}/subnets/{sub}"),
                &params(sub)
            )
            .is_err());
    }

    /// A setting's writes merge where they are kept, apart from any other's, and a reset
    /// forgets them.
    #[test]
    fn settings_are_kept_per_place_and_merged() {
        let m = Memory::new(&table(), Faults::default());
        assert_eq!(m.setting("/policy\n1"), None);
        m.write_setting("/policy\n1", &json!({"policy": {"period": "3"}}));
        let merged = m.write_setting("/policy\n1", &json!({"policy": {"start": "01:00"}}));
        assert_eq!(merged, json!({"policy": {"period": "3", "start": "01:00"}}));
        assert_eq!(m.setting("/policy\n1"), Some(merged));
        assert_eq!(m.setting("/policy\n2"), None);
        m.clear();
        assert_eq!(m.setting("/policy\n1"), None);
        // A setting of a stored item is kept with it, and goes when it is deleted.
        let made = m.create("/v1/p/vpcs", "/vpc/id", json!({"vpc": {"name": "a"}}), None);
        let id = made["vpc"]["id"].as_str().unwrap_or_default().to_string();
        let template = "/v1/{project_id}/vpcs/{vpc_id}/policy";
        let at = m
            .setting_at(template, &format!("/v1/p/vpcs/{id}/policy"))
            .expect("kept with the vpc");
        assert_eq!(at, format!("/v1/p/vpcs\n{id}\n/v1/{{}}/vpcs/{{}}/policy"));
        m.write_setting(&at, &json!({"period": "3"}));
        m.delete("/v1/p/vpcs", &id);
        assert_eq!(m.setting(&at), None);
        let elsewhere = m.setting_at("/v2/{project_id}/dbs/{vpc_id}/policy", "/v2/p/dbs/1/policy");
        assert_eq!(elsewhere, None, "no item of the memory's holds it");
    }

    #[test]
    fn fault_modes_break_the_memory_one_way_each() {
        let made = |m: &Memory| {
            let v = m.create("/v1/p/vpcs", "/vpc/id", json!({"vpc": {"name": "a"}}), None);
            v["vpc"]["id"].as_str().unwrap_or_default().to_string()
        };
        let vpc = |id: &str| {
            vec![
                ("vpc_id".to_string(), id.to_string()),
                ("project_id".to_string(), "q".to_string()),
            ]
        };
        let item = "/v1/{project_id}/vpcs/{vpc_id}";
        let faithful = Memory::new(&table(), Faults::default());
        let id = made(&faithful);
        assert_eq!(faithful.list("/v1/p/vpcs").len(), 1);
        assert!(faithful
            .role(item, &format!("/v1/q/vpcs/{id}"), &vpc(&id))
            .is_err());
        faithful.update("/v1/p/vpcs", &id, &json!({"vpc": {"name": "b"}}));
        assert_eq!(faithful.get("/v1/p/vpcs", &id).unwrap()["vpc"]["name"], "b");
        faithful.delete("/v1/p/vpcs", &id);
        assert_eq!(faithful.get("/v1/p/vpcs", &id), None);

        let keeps = Memory::new(&table(), Faults::new([Fault::DeleteKeeps]));
        let id = made(&keeps);
        keeps.delete("/v1/p/vpcs", &id);
        assert!(keeps.get("/v1/p/vpcs", &id).is_some());

        let misses = Memory::new(&table(), Faults::new([Fault::ListMisses]));
        made(&misses);
        assert!(misses.list("/v1/p/vpcs").is_empty());

        let ignored = Memory::new(&table(), Faults::new([Fault::IgnoreUpdate]));
        let id = made(&ignored);
        let answered = ignored.update("/v1/p/vpcs", &id, &json!({"vpc": {"name": "b"}}));
        assert_eq!(
            answered.unwrap()["vpc"]["name"],
            "b",
            "the answer says it was applied"
        );
        assert_eq!(ignored.get("/v1/p/vpcs", &id).unwrap()["vpc"]["name"], "a");
        // A setting's write is answered as applied and not kept.
        let written = ignored.write_setting("/policy\n1", &json!({"period": "3"}));
        assert_eq!(written, json!({"period": "3"}));
        assert_eq!(ignored.setting("/policy\n1"), None);

        let leak = Memory::new(&table(), Faults::new([Fault::CrossProjectLeak]));
        let id = made(&leak);
        assert!(leak
            .role(item, &format!("/v1/q/vpcs/{id}"), &vpc(&id))
            .is_ok());
    }

    /// Each fault counts what it changed, not what it might have: a delete or a read of an id
    /// nobody made, a list of an empty collection, a read in the id's own project.
    #[test]
    fn a_fault_counts_only_the_answers_it_changed() {
        let made = |m: &Memory| {
            let v = m.create("/v1/p/vpcs", "/vpc/id", json!({"vpc": {"name": "a"}}), None);
            v["vpc"]["id"].as_str().unwrap_or_default().to_string()
        };
        let fired = |faults: &Faults| faults.fired()[0].1;
        let faults = Faults::new([Fault::DeleteKeeps]);
        let keeps = Memory::new(&table(), faults.clone());
        keeps.delete("/v1/p/vpcs", "nobody-made-it");
        assert_eq!(fired(&faults), 0);
        let id = made(&keeps);
        keeps.delete("/v1/p/vpcs", &id);
        assert_eq!(fired(&faults), 1, "the clone in the memory counts for all");

        let faults = Faults::new([Fault::ListMisses]);
        let misses = Memory::new(&table(), faults.clone());
        assert!(misses.list("/v1/p/vpcs").is_empty());
        assert_eq!(fired(&faults), 0, "an empty list misses nothing");
        made(&misses);
        assert!(misses.list("/v1/p/vpcs").is_empty());
        assert_eq!(fired(&faults), 1);

        let faults = Faults::new([Fault::IgnoreUpdate]);
        let ignored = Memory::new(&table(), faults.clone());
        assert_eq!(
            ignored.update("/v1/p/vpcs", "nobody-made-it", &json!({})),
            None
        );
        assert_eq!(fired(&faults), 0);
        let id = made(&ignored);
        ignored.update("/v1/p/vpcs", &id, &json!({"vpc": {"name": "b"}}));
        assert_eq!(fired(&faults), 1);

        let faults = Faults::new([Fault::CrossProjectLeak]);
        let leak = Memory::new(&table(), faults.clone());
        let id = made(&leak);
        let item = "/v1/{project_id}/vpcs/{vpc_id}";
        let params = |project: &str| {
            vec![
                ("vpc_id".to_string(), id.clone()),
                ("project_id".to_string(), project.to_string()),
            ]
        };
        let own = leak.role(item, &format!("/v1/p/vpcs/{id}"), &params("p"));
        assert!(own.is_ok());
        assert_eq!(fired(&faults), 0, "its own project finds it anyway");
        let other = leak.role(item, &format!("/v1/q/vpcs/{id}"), &params("q"));
        assert!(other.is_ok());
        assert!(fired(&faults) >= 1, "found only because projects leak");
    }

    /// The emulated kinds live in the emulation's store: what the memory creates there is a
    /// typed snapshot of the path's project, reads see the emulation's changes, and the fault
    /// modes break the shared kinds the way they break the others.
    #[test]
    fn emulated_kinds_are_the_emulations_and_the_faults_still_apply() {
        let mut t = table();
        t.kinds[0].collection_path = Some("/v2/{project_id}/snapshots".into());
        t.kinds[0].read.path = "/v2/{project_id}/snapshots/{snapshot_id}".into();
        t.kinds[0].created_id = Some("/snapshot/id".into());
        t.kinds[0].id_param = Some("snapshot_id".into());
        let made = |faults: Faults| {
            let shared = Arc::new(Shared::new(crate::mock::state::State::default()));
            let m = Memory::sharing(&t, faults, Some(shared.clone()));
            let (_, id) = m.create_with_id(
                "/v2/p/snapshots",
                "/snapshot/id",
                json!({"snapshot": {"name": "a"}}),
                Some(&json!({"snapshot": {"volume_id": "v", "metadata": {"k": "v"}}})),
            );
            (m, shared, id)
        };
        let (m, shared, id) = made(Faults::default());
        let typed = shared.read().snapshots["p"][&id].clone();
        assert_eq!(
            (
                typed.name.as_str(),
                typed.volume_id.as_str(),
                typed.status.as_str()
            ),
            ("a", "v", "available")
        );
        assert_eq!(typed.metadata.get("k").map(String::as_str), Some("v"));
        if let Some(s) = shared
            .write()
            .snapshots
            .get_mut("p")
            .and_then(|s| s.get_mut(&id))
        {
            s.name = "b".into();
        }
        assert_eq!(
            m.get("/v3/p/snapshots", &id).unwrap()["snapshot"]["name"],
            "b"
        );
        let item = "/v2/{project_id}/snapshots/{snapshot_id}";
        let params = |p: &str| {
            vec![
                ("project_id".to_string(), p.to_string()),
                ("snapshot_id".to_string(), id.clone()),
            ]
        };
        assert!(m
            .role(item, &format!("/v2/p/snapshots/{id}"), &params("p"))
            .is_ok());
        assert!(m
            .role(item, &format!("/v2/q/snapshots/{id}"), &params("q"))
            .is_err());
        m.update("/v2/p/snapshots", &id, &json!({"snapshot": {"name": "c"}}));
        assert_eq!(shared.read().snapshots["p"][&id].name, "c");
        assert_eq!(m.list("/v2/p/snapshots").len(), 1);
        m.delete("/v2/p/snapshots", &id);
        assert!(shared.read().snapshots["p"].is_empty());

        let (m, shared, id) = made(Faults::new([Fault::DeleteKeeps]));
        m.delete("/v2/p/snapshots", &id);
        assert!(shared.read().snapshots["p"].contains_key(&id));
        let (m, shared, id) = made(Faults::new([Fault::IgnoreUpdate]));
        let answered = m.update("/v2/p/snapshots", &id, &json!({"snapshot": {"name": "c"}}));
        assert_eq!(answered.unwrap()["snapshot"]["name"], "c");
        assert_eq!(shared.read().snapshots["p"][&id].name, "a");
        let (m, _, _) = made(Faults::new([Fault::ListMisses]));
        assert!(m.list("/v2/p/snapshots").is_empty());
    }

    /// An id the create answers under a key of its own (`/certificate_id`) is the stored
    /// item's `id` too, and the object beside it under the key's stem shows the same `id`,
    /// unless the request chose that one; an id at `/id` adds nothing.
    #[test]
    fn an_id_under_its_own_key_is_the_items_id_too() {
        let m = Memory::new(&table(), Faults::default());
        let answer = json!({"certificate_id": "x", "certificate": {"id": "placeholder"}});
        let (made, id) = m.create_with_id("/v3/certs", "/certificate_id", answer.clone(), None);
        assert_eq!(made["certificate"]["id"], json!(id), "{made}");
        let stored = m.get("/v3/certs", &id).expect("stored");
        assert_eq!(stored["id"], json!(id), "{stored}");
        let chosen = json!({"certificate": {"id": "mine"}});
        let (made, id) = m.create_with_id("/v3/certs", "/certificate_id", answer, Some(&chosen));
        // Left as the answer had it (the tier's answer echoes what was sent).
        assert_eq!(made["certificate"]["id"], "placeholder", "{made}");
        assert_eq!(m.get("/v3/certs", &id).expect("stored")["id"], json!(id));
        let (_, id) = m.create_with_id("/v3/certs", "/cert/id", json!({"cert": {"id": ""}}), None);
        let stored = m.get("/v3/certs", &id).expect("stored");
        assert!(stored.get("id").is_none(), "{stored}");
    }

    /// `GET /policies/{vpc_id}/list` lists a vpc's policies: the parameter names the vpc kind
    /// by its name, not the policy kind whose collection word precedes it.
    #[test]
    fn a_parameter_names_the_kind_its_name_says_not_the_preceding_collection() {
        let mut t = table();
        let mut policy = t.kinds[0].clone();
        policy.kind = "policy".into();
        policy.collection_path = Some("/v1/{project_id}/policies".into());
        policy.read.path = "/v1/{project_id}/policies/{policy_id}".into();
        policy.id_param = Some("policy_id".into());
        t.kinds.push(policy);
        let m = Memory::new(&t, Faults::default());
        let Ok(Role::Create {
            collection,
            id_pointer,
            ..
        }) = m.role("/v1/{project_id}/vpcs", "/v1/p/vpcs", &[])
        else {
            panic!("a POST to the collection creates");
        };
        let made = m.create(&collection, &id_pointer, json!({"vpc": {}}), None);
        let id = made["vpc"]["id"].as_str().unwrap_or_default().to_string();
        let list = "/v1/{project_id}/policies/{vpc_id}/list";
        let params = |v: &str| {
            vec![
                ("project_id".to_string(), "p".to_string()),
                ("vpc_id".to_string(), v.to_string()),
            ]
        };
        assert_eq!(
            m.role(list, &format!("/v1/p/policies/{id}/list"), &params(&id)),
            Ok(Role::Other)
        );
        assert_eq!(
            m.role(list, "/v1/p/policies/nope/list", &params("nope")),
            Err(Unknown {
                collection: "vpc_id".into(),
                id: "nope".into()
            })
        );
        // The kind's own parameter still reads its item.
        assert!(m
            .role(
                "/v1/{project_id}/policies/{policy_id}",
                "/v1/p/policies/nope",
                &[("policy_id".to_string(), "nope".to_string())]
            )
            .is_err());
    }

    /// A PUT of a tag (a kind with no POST create) stores it under the name its path gives,
    /// below an existing parent only; reads find it after, a delete removes it.
    #[test]
    fn a_put_of_an_item_nobody_posts_creates_it_under_an_existing_parent() {
        let mut t = table();
        let mut tag = t.kinds[0].clone();
        tag.kind = "tag".into();
        tag.created_id = None;
        tag.collection_path = Some("/v1/{project_id}/vpcs/{vpc_id}/tags".into());
        tag.read.path = "/v1/{project_id}/vpcs/{vpc_id}/tags/{tag}".into();
        tag.id_param = Some("tag".into());
        t.kinds.push(tag);
        let m = Memory::new(&t, Faults::default());
        let made = m.create("/v1/p/vpcs", "/vpc/id", json!({"vpc": {}}), None);
        let vpc = made["vpc"]["id"].as_str().unwrap_or_default().to_string();
        let item = "/v1/{project_id}/vpcs/{vpc_id}/tags/{tag}";
        let params = |v: &str| {
            vec![
                ("project_id".to_string(), "p".to_string()),
                ("vpc_id".to_string(), v.to_string()),
                ("tag".to_string(), "k1".to_string()),
            ]
        };
        let at = format!("/v1/p/vpcs/{vpc}/tags/k1");
        assert!(m.role(item, &at, &params(&vpc)).is_err(), "no tag yet");
        m.put_names_item(item, &at, &params(&vpc), None);
        assert_eq!(
            m.role(item, &at, &params(&vpc)),
            Ok(Role::Item {
                collection: format!("/v1/p/vpcs/{vpc}/tags"),
                id: "k1".into()
            })
        );
        // Under a vpc nobody created, nothing is stored.
        m.put_names_item(item, "/v1/p/vpcs/nope/tags/k1", &params("nope"), None);
        assert!(m.list("/v1/p/vpcs/nope/tags").is_empty());
        // A kind created by POST is not created by a PUT.
        m.put_names_item(
            "/v1/{project_id}/vpcs/{vpc_id}",
            "/v1/p/vpcs/made-up",
            &[("vpc_id".to_string(), "made-up".to_string())],
            None,
        );
        assert!(m.get("/v1/p/vpcs", "made-up").is_none());
        m.delete(&format!("/v1/p/vpcs/{vpc}/tags"), "k1");
        assert!(m.role(item, &at, &params(&vpc)).is_err());
    }

    /// IAM's projects are a kind whose id is the `project_id` every request names: the
    /// project a request names is held (its token is scoped to it), another is not.
    #[test]
    fn the_project_a_request_names_is_held() {
        let mut t = table();
        let mut project = t.kinds[0].clone();
        project.kind = "project".into();
        project.collection_path = Some("/v3/projects".into());
        project.read.path = "/v3/projects/{project_id}".into();
        project.id_param = Some("project_id".into());
        t.kinds.push(project);
        let m = Memory::new(&t, Faults::default());
        let item = "/v3/projects/{project_id}";
        let named = |p: &str| vec![("project_id".to_string(), p.to_string())];
        assert_eq!(
            m.role(item, "/v3/projects/p1", &named("p1")),
            Ok(Role::Item {
                collection: "/v3/projects".into(),
                id: "p1".into()
            })
        );
        assert_eq!(m.list("/v3/projects").len(), 1);
        assert!(m.get("/v3/projects", "p2").is_none());
    }

    #[test]
    fn a_kind_keyed_by_the_client_is_stored_under_its_key_and_refused_twice() {
        let mut t = table();
        t.kinds[0].client_key = Some(ClientKey::Body("/vpc/name".into()));
        let m = Memory::new(&t, Faults::default());
        let Ok(Role::Create {
            collection,
            id_pointer,
            key: Some(key),
        }) = m.role("/v1/{project_id}/vpcs", "/v1/p/vpcs", &[])
        else {
            panic!("a keyed create");
        };
        let sent = json!({"vpc": {"name": "mine"}});
        let chosen = key.chosen(Some(&sent), &[]).unwrap_or_default();
        let (answer, id) = m
            .create_keyed(
                &collection,
                &id_pointer,
                json!({"vpc": {"id": "x"}}),
                Some(&sent),
                &chosen,
                true,
            )
            .unwrap();
        assert_eq!(id, "mine");
        assert_ne!(
            answer["vpc"]["id"], "mine",
            "the server's id stays the server's"
        );
        let routes = "/v1/{project_id}/vpcs/{vpc_id}/routes";
        let vpc = vec![("vpc_id".to_string(), "mine".to_string())];
        assert!(m.role(routes, "/v1/p/vpcs/mine/routes", &vpc).is_ok());
        let again = m.create_keyed(
            &collection,
            &id_pointer,
            json!({}),
            Some(&sent),
            "mine",
            true,
        );
        assert_eq!(
            again.map(|_| ()),
            Err(Taken {
                collection: "/v1/p/vpcs".into(),
                key: "mine".into()
            })
        );
        // Without a documented conflict the second replaces the first: still one.
        let replaced = m.create_keyed(
            &collection,
            &id_pointer,
            json!({}),
            Some(&sent),
            "mine",
            false,
        );
        assert!(replaced.is_ok());
        assert_eq!(m.list("/v1/p/vpcs").len(), 1);
        // A create answering the key where its id goes (a queue's `queue_name`) is named by it.
        let sent = json!({"vpc": {"name": "other"}});
        let made = m.create_keyed(
            &collection,
            "/vpc/name",
            sent.clone(),
            Some(&sent),
            "other",
            true,
        );
        let (answer, id) = made.unwrap_or_default();
        assert_eq!(
            (answer["vpc"]["name"].as_str(), id.as_str()),
            (Some("other"), "other")
        );
        // A kind keyed in a PUT's path is created by that PUT while the key is new.
        let mut t = table();
        t.kinds[0].client_key = Some(ClientKey::Path("vpc_id".into()));
        let m = Memory::new(&t, Faults::default());
        let item = "/v1/{project_id}/vpcs/{vpc_id}";
        assert_eq!(
            m.put_creates(item, "/v1/p/vpcs/new", &vpc_of("new")),
            Some(("/v1/p/vpcs".into(), "new".into()))
        );
        m.create_keyed("/v1/p/vpcs", "", json!({}), None, "new", false)
            .unwrap();
        assert_eq!(m.put_creates(item, "/v1/p/vpcs/new", &vpc_of("new")), None);
    }

    fn vpc_of(id: &str) -> Vec<(String, String)> {
        vec![("vpc_id".to_string(), id.to_string())]
    }

    #[test]
    fn ids_are_known_only_once_created_and_until_deleted_at_any_depth() {
        let m = Memory::new(&table(), Faults::default());
        let routes = "/v1/{project_id}/vpcs/{vpc_id}/routes";
        let vpc = |id: &str| vec![("vpc_id".to_string(), id.to_string())];
        assert!(m
            .role(routes, "/v1/p/vpcs/nope/routes", &vpc("nope"))
            .is_err());
        let Ok(Role::Create {
            collection,
            id_pointer,
            ..
        }) = m.role("/v1/{project_id}/vpcs", "/v1/p/vpcs", &[])
        else {
            panic!("a POST to the collection creates");
        };
        let made = m.create(
            &collection,
            &id_pointer,
            json!({"vpc": {"name": "a"}}),
            Some(&json!({"vpc": {"name": "b", "cidr": "10.0.0.0/8"}})),
        );
        let id = made["vpc"]["id"].as_str().unwrap_or_default().to_string();
        // What was sent is kept under the answer: the answer's fields win.
        assert_eq!(
            m.get("/v1/p/vpcs", &id),
            Some(json!({"vpc": {"id": id, "name": "a", "cidr": "10.0.0.0/8"}}))
        );
        assert_eq!(made, json!({"vpc": {"id": id, "name": "a"}}));
        assert_eq!(
            m.role(routes, &format!("/v1/p/vpcs/{id}/routes"), &vpc(&id)),
            Ok(Role::Create {
                collection: format!("/v1/p/vpcs/{id}/routes"),
                id_pointer: "/route/id".into(),
                key: None,
            })
        );
        // Another project does not see it.
        assert!(m
            .role(
                "/v1/{project_id}/vpcs/{vpc_id}",
                &format!("/v1/q/vpcs/{id}"),
                &vpc(&id)
            )
            .is_err());
        // A parameter named as the kind's id, on another path, must name a stored one.
        assert!(m
            .role("/v2/usage/{vpc_id}", "/v2/usage/nope", &vpc("nope"))
            .is_err());
        assert!(m
            .role("/v2/usage/{vpc_id}", &format!("/v2/usage/{id}"), &vpc(&id))
            .is_ok());
        m.delete("/v1/p/vpcs", &id);
        assert!(m
            .role(
                "/v1/{project_id}/vpcs/{vpc_id}/action",
                &format!("/v1/p/vpcs/{id}/action"),
                &vpc(&id)
            )
            .is_err());
    }
}
