//! The resource table: what a resource kind is and how to read, restore and delete it, as data.
//!
//! Inferred by `derive` from the paths and schemas (a collection path with an item path below
//! it is a kind), extended or overridden by entries declared under `resources:` in `pages.yaml`,
//! written to `schemas/resources.json` (each entry saying which it is) and loaded with the
//! contract. The undo ledger, `doctor`, the lock table and `restore` all
//! interpret it; no resource kind is known to Rust code, so a new kind needs a table entry and
//! no code.
//!
//! Templates: `{project_id}`, `{id}`, `{key}`, `{value}` and `{FIELD}` (a field of the saved
//! state) are filled in paths (percent-encoded) and in bodies (a string that is exactly one
//! placeholder takes the value with its JSON type; object keys are filled too).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Name of the resource table inside a schemas directory.
pub const RESOURCES_FILE: &str = "resources.json";

/// One request of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    /// HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Body template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Query parameters by name, each a template like the body's (a delete whose page
    /// requires a query parameter is refused without it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, Value>,
}

/// Map-shaped state (metadata) restored item by item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Items {
    /// Where the map is in the read body.
    pub pointer: String,
    /// Sets one item (`{key}`, `{value}`).
    pub put: Call,
    /// Removes one item (`{key}`).
    pub delete: Call,
}

/// Where a table entry comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Written under `resources:` in `pages.yaml` (possibly extending an inferred entry).
    #[default]
    Declared,
    /// Inferred by `derive` from the contract's paths and schemas.
    Inferred,
}

/// One resource kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceKind {
    /// The kind's name (`snapshot`, `server`).
    pub kind: String,
    /// The service whose base URL holds it.
    pub service: String,
    /// The path segment after the project id that names its collection (`snapshots`).
    pub collection: String,
    /// The target variable naming a scratch resource of this kind (for `doctor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scratch_var: Option<String>,
    /// Reads the state: the read of one, or (see [`ResourceKind::read_by_list`]) its list.
    pub read: Call,
    /// A kind no operation reads one of (DDS's instances are read through their list, filtered
    /// by an `id` query parameter): how its list shows one. None: `read` reads one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_by_list: Option<ListRead>,
    /// Scalar state: name → JSON pointer into the read body.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Restores the scalar state (a body template over the fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<Call>,
    /// An update sent to the collection that names the one it changes by a field its create
    /// sent too (AOM's `PUT …/alarm-rules` names the rule by `alarm_rule_name`): that field's
    /// pointer. None: the update's path (or query) names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_names: Option<String>,
    /// Map-shaped state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Items>,
    /// Deletes one (what a case created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<Call>,
    /// Where a create response holds the new id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_id: Option<String>,
    /// A create that answers only a job: how to follow the job to the new id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_job: Option<JobFollow>,
    /// A kind keyed by what the client chooses (a secret's name, a namespace, an identity
    /// provider's id in the path of the PUT creating it): where the create request carries the
    /// key. None: the server chooses it (`created_id`, `created_by_job`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<ClientKey>,
    /// Declared or inferred.
    #[serde(default)]
    pub origin: Origin,
    /// The collection's path template (`/v1/{project_id}/vpcs`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_path: Option<String>,
    /// The path parameter naming one (`vpc_id`); for a kind whose id travels in the query
    /// ([`ResourceKind::id_query`]), that query parameter's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_param: Option<String>,
    /// A kind no path names (VOD's assets: `DELETE /v1.0/{project_id}/asset?asset_id=…`): the
    /// query parameter its read and delete name one by (`asset_id`); its update names one by
    /// the body field of that name. Its calls carry `{id}` there (the ledger fills it). None:
    /// the path names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_query: Option<String>,
    /// The kind this one is nested under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Creates one (a POST to the collection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<Call>,
    /// Lists them (a GET of the collection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<Call>,
    /// One of them as the pages' example of reading it shows it (the whole answer, id
    /// included): the contract tier starts each project's collection with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
}

impl ResourceKind {
    /// A kind with only its name, service, collection segment and read: inferred, nothing it
    /// can create, update, delete or restore yet (callers fill what they know).
    pub fn new(kind: &str, service: &str, collection: &str, read: Call) -> ResourceKind {
        ResourceKind {
            kind: kind.into(),
            service: service.into(),
            collection: collection.into(),
            scratch_var: None,
            read,
            read_by_list: None,
            fields: BTreeMap::new(),
            update: None,
            update_names: None,
            items: None,
            delete: None,
            created_id: None,
            created_by_job: None,
            client_key: None,
            origin: Origin::Inferred,
            collection_path: None,
            id_param: None,
            id_query: None,
            parent: None,
            create: None,
            list: None,
            example: None,
        }
    }

    /// The id of [`ResourceKind::example`], and the pointer it is at: where a create answer
    /// holds the new id, else `id` at the top or under the answer's one envelope key.
    pub fn example_id(&self) -> Option<(String, &str)> {
        let example = self.example.as_ref()?;
        let at = |pointer: String| {
            let id = example.pointer(&pointer)?.as_str()?;
            (!id.is_empty()).then_some((pointer, id))
        };
        if let Some(found) = self.created_id.clone().and_then(at) {
            return Some(found);
        }
        match example.as_object() {
            Some(o) if o.contains_key("id") => at("/id".into()),
            Some(o) if o.len() == 1 => {
                let key = o.keys().next()?;
                at(format!("/{}/id", crate::pointer::escape(key)))
            }
            _ => None,
        }
    }

    /// Whether the new id of a create can be found: in its answer, through its job, or in the
    /// request that chose it.
    pub fn finds_created_id(&self) -> bool {
        self.created_id.is_some() || self.created_by_job.is_some() || self.client_key.is_some()
    }

    /// The path template of one (`/v3/{project_id}/instances/{id}`): the read's, or below the
    /// collection for a kind read through its list.
    pub fn item_template(&self) -> String {
        match (&self.read_by_list, self.collection_template()) {
            (Some(_), Some(collection)) => format!("{collection}/{{id}}"),
            _ => self.read.path.clone(),
        }
    }

    /// The collection's path template: stated, or the read path without its last segment when
    /// that segment is the id.
    pub fn collection_template(&self) -> Option<String> {
        if let Some(p) = &self.collection_path {
            return Some(p.clone());
        }
        let (base, last) = self.read.path.rsplit_once('/')?;
        super::template::sole_param(last).map(|_| base.to_string())
    }
}

/// How the list of a kind with no read of one shows one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListRead {
    /// The list's query parameter that names one id (`id`), when the list documents one: the
    /// read sends it, else it reads the whole list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The array of the list answer holding the items (`/instances`).
    pub array: String,
    /// The field of a listed item that holds its id (`id`).
    pub key: String,
}

impl ListRead {
    /// The query a read of the one named `id` sends.
    pub fn query(&self, id: &str) -> Vec<(String, String)> {
        self.filter
            .iter()
            .map(|f| (f.clone(), id.to_string()))
            .collect()
    }

    /// The item of a list `answer` whose id is `id`, if it lists one.
    pub fn find<'v>(&self, answer: &'v Value, id: &str) -> Option<&'v Value> {
        answer
            .pointer(&self.array)?
            .as_array()?
            .iter()
            .find(|item| match item.get(&self.key) {
                Some(Value::String(s)) => s == id,
                Some(Value::Number(n)) => n.to_string() == id,
                _ => false,
            })
    }
}

/// Where a create request carries the key the client chose for the new resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum ClientKey {
    /// A JSON pointer into the create's body (`/name`, `/keypair/name`, `/namespace`).
    Body(String),
    /// The path parameter of a create by PUT to the item (`id` of
    /// `PUT /v3/OS-FEDERATION/identity_providers/{id}`).
    Path(String),
}

impl ClientKey {
    /// The key a create request chose: the string at the body pointer, or the path parameter's
    /// value among `params`.
    pub fn chosen(&self, body: Option<&Value>, params: &[(String, String)]) -> Option<String> {
        match self {
            ClientKey::Body(p) => match body?.pointer(p)? {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            },
            ClientKey::Path(name) => params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone()),
        }
    }
}

/// How the new id of an asynchronous create is found: the create answers a job, the job query
/// answers `SUCCESS` (or `FAIL`) once done, with the new id among its entities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobFollow {
    /// Where the create answer holds the job's id (`/job_id`).
    pub job_id: String,
    /// The job query (`GET /v1/{project_id}/jobs/{job_id}`).
    pub query: Call,
    /// Where the finished job holds the new id (`/entities/server_id`).
    pub entity: String,
}

/// Why the table cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Two entries for one collection (path).
    #[error("resources: collection '{0}' is declared twice")]
    Duplicate(String),
    /// Fields without a way to restore them.
    #[error("resources: kind '{0}' declares fields but no update to restore them")]
    NoUpdate(String),
    /// A create id without a way to delete.
    #[error("resources: kind '{0}' declares created_id but no delete")]
    NoDelete(String),
}

/// Every resource kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResourceTable {
    /// The kinds, in declaration order.
    pub kinds: Vec<ResourceKind>,
}

impl ResourceTable {
    /// Checks the table's own consistency.
    pub fn validate(&self) -> Result<(), TableError> {
        let mut seen = std::collections::BTreeSet::new();
        for k in &self.kinds {
            // Versions and services reuse collection names: a stated path tells them apart.
            let key = k.collection_path.as_deref().unwrap_or(&k.collection);
            if !seen.insert(key) {
                return Err(TableError::Duplicate(key.to_string()));
            }
            if !k.fields.is_empty() && k.update.is_none() {
                return Err(TableError::NoUpdate(k.kind.clone()));
            }
            // An inferred kind without a delete is still worth knowing (the mock remembers it);
            // the ledger refuses its creates on its own.
            if k.origin == Origin::Declared && k.created_id.is_some() && k.delete.is_none() {
                return Err(TableError::NoDelete(k.kind.clone()));
            }
        }
        Ok(())
    }

    /// The kind whose collection segment this is (the segment after the project id): a
    /// declared kind first, then one whose collection sits right after the project.
    pub fn by_collection(&self, collection: &str) -> Option<&ResourceKind> {
        let top = |k: &ResourceKind| {
            k.collection_path
                .as_deref()
                .is_none_or(|p| collection_of(p) == Some(collection))
        };
        let named = || self.kinds.iter().filter(|k| k.collection == collection);
        named()
            .find(|k| k.origin == Origin::Declared)
            .or_else(|| named().find(|k| top(k)))
    }

    /// The kind a path (template, raw or resolved) concerns: by its collection segment after
    /// the project ([`ResourceTable::by_collection`]), else, for a path naming no project
    /// (`/v2/stacks/{stack_id}`), the kind whose collection the path runs through, the
    /// deepest one where several do.
    pub fn of_path(&self, path: &str) -> Option<&ResourceKind> {
        if let Some(k) = collection_of(path).and_then(|c| self.by_collection(c)) {
            return Some(k);
        }
        let path = path.split('?').next().unwrap_or("");
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.kinds
            .iter()
            .filter_map(|k| {
                let t = k.collection_template()?;
                let ts: Vec<&str> = t.split('/').filter(|s| !s.is_empty()).collect();
                let through = ts.len() <= segs.len()
                    && ts
                        .iter()
                        .zip(&segs)
                        .all(|(a, b)| a == b || super::template::match_segment(a, b).is_some());
                through.then_some((ts.len(), k))
            })
            .max_by_key(|(n, _)| *n)
            .map(|(_, k)| k)
    }

    /// Whether `param`, named as an id, stands in `path` where a kind's item id does (RDS's v1
    /// `/instances/{nodeId}/parameters` below the instances read at `/instances/{id}`): a
    /// server finds that one, so a made-up value names nothing. A key (`{key}` of metadata) is
    /// the client's to choose.
    pub fn names_item(&self, param: &str, path: &str) -> bool {
        if !(super::rules::is_resource_param(param) || super::rules::is_camel_id(param)) {
            return false;
        }
        let segs: Vec<&str> = path.split('/').collect();
        let Some(at) = segs
            .iter()
            .position(|s| super::template::sole_param(s) == Some(param))
        else {
            return false;
        };
        let collection = super::template::normalise(&segs[..at].join("/"));
        param != "project_id"
            && self.kinds.iter().any(|k| {
                k.collection_template()
                    .is_some_and(|c| super::template::normalise(&c) == collection)
            })
    }

    /// Path parameters that name a kind's items other than its own id parameter, as
    /// `(kind index, parameter)`: an id parameter standing right after the kind's collection in
    /// some operation's path (`{idp_id}` in `/identity_providers/{idp_id}/protocols`, where the
    /// kind reads its item at `/identity_providers/{id}`). A parameter is one kind's across its
    /// service, so `/v3.0/…/identity-providers/{idp_id}/…` names the same provider; one that
    /// would name two kinds, or that is a kind's own, is nobody's alias, and a kind whose own
    /// parameter is named (`{scaling_policy_id}`) has none.
    pub fn aliases(&self, operations: &[super::Operation]) -> Vec<(usize, String)> {
        let mut found: BTreeMap<(String, String), std::collections::BTreeSet<usize>> =
            BTreeMap::new();
        let collections: Vec<Option<String>> = self
            .kinds
            .iter()
            .map(|k| {
                k.collection_template()
                    .map(|c| crate::contract::template::normalise(&c))
            })
            .collect();
        for op in operations {
            let segs: Vec<&str> = op.path.split('/').collect();
            for (j, seg) in segs.iter().enumerate() {
                let Some(param) = crate::contract::template::sole_param(seg) else {
                    continue;
                };
                if !crate::contract::rules::is_resource_param(param) {
                    continue;
                }
                let prefix = crate::contract::template::normalise(&segs[..j].join("/"));
                for (i, k) in self.kinds.iter().enumerate() {
                    let here = collections[i].as_deref() == Some(prefix.as_str());
                    // Only a kind whose own parameter is the bare `{id}`: beside a named one
                    // (`{scaling_policy_id}`), another name (`{scaling_resource_id}`) is another
                    // resource's id.
                    let bare = k.id_param.as_deref() == Some("id");
                    if here && bare && k.service == op.service {
                        found
                            .entry((k.service.clone(), param.to_string()))
                            .or_default()
                            .insert(i);
                    }
                }
            }
        }
        found
            .into_iter()
            .filter(|((service, param), kinds)| {
                kinds.len() == 1
                    && !self.kinds.iter().any(|k| {
                        k.service == *service && k.id_param.as_deref() == Some(param.as_str())
                    })
            })
            .filter_map(|((_, param), kinds)| Some((*kinds.first()?, param)))
            .collect()
    }

    /// The kind by name.
    pub fn by_kind(&self, kind: &str) -> Option<&ResourceKind> {
        self.kinds.iter().find(|k| k.kind == kind)
    }

    /// The kind a request creates: the one whose create is this method on this path, or (a
    /// kind that states no create) a POST to its collection. `path` is a template
    /// (`/v1/{project_id}/vpcs`), a case's raw path (`/v1/${project_id}/vpcs`) or a resolved
    /// one: a `{parameter}` of the kind's path matches any one segment.
    pub fn creating(&self, method: &str, path: &str) -> Option<&ResourceKind> {
        if !method.eq_ignore_ascii_case("POST") {
            return None;
        }
        let path = path.split('?').next().unwrap_or("");
        // A stated create first: derived tables state it, and a declared entry that states
        // none is still created by a POST to its collection.
        let stated = self.kinds.iter().find(|k| {
            k.create
                .as_ref()
                .is_some_and(|c| c.method.eq_ignore_ascii_case(method) && same_path(&c.path, path))
        });
        stated.or_else(|| {
            self.kinds.iter().find(|k| {
                k.create.is_none() && k.collection_template().is_some_and(|t| same_path(&t, path))
            })
        })
    }
}

/// Whether a path parameter at a kind's id place names another kind: `{x_id}` names kind x,
/// whatever collection word precedes it (`/scaling_policy/{scaling_group_id}/list` lists a
/// group's policies, it reads no policy). A kind's own id parameter, or a plain `{id}`, is
/// the kind's.
pub fn names_another_kind(param: &str, own: Option<&str>) -> bool {
    own.is_some_and(|own| own != param && own.ends_with("_id") && param.ends_with("_id"))
}

/// Whether the parameter at segment `at` of `path`, though named otherwise, is the id of the
/// kind named `{own}` at that place: another operation's path through the same item and the
/// segment after it names that place `{own}` (`/datasets/{resource_id}/export-tasks/{task_id}`
/// beside `/datasets/{dataset_id}/export-tasks`). Where none does
/// (`/scaling_policy/{scaling_resource_id}/list`), [`names_another_kind`] holds.
pub fn renamed_at(operations: &[super::Operation], path: &str, at: usize, own: &str) -> bool {
    let segs: Vec<&str> = path.split('/').collect();
    let Some(below) = segs.get(..at + 2) else {
        return false;
    };
    let below = crate::contract::template::normalise(&below.join("/"));
    operations.iter().any(|o| {
        let os: Vec<&str> = o.path.split('/').collect();
        os.get(..at + 2)
            .is_some_and(|p| crate::contract::template::normalise(&p.join("/")) == below)
            && crate::contract::template::sole_param(os[at]) == Some(own)
    })
}

/// Whether `param` is the id named for the collection's own resource (`job_id` for
/// `…/streaming/jobs`; not `instance_id` for DCS's `…/dims/monitored-objects`, which names the
/// instance a monitored object is of).
pub fn named_for(collection: &str, param: &str) -> bool {
    let last = collection
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    param.strip_suffix("_id") == Some(super::derive::resources::singular(last).as_str())
}

/// A path's leading API version (`v1.0`, `v3`; empty where it names none) and the rest.
pub fn split_version(path: &str) -> (&str, &str) {
    let trimmed = path.trim_start_matches('/');
    let first = trimmed.split('/').next().unwrap_or_default();
    let versioned = first.strip_prefix('v').is_some_and(|n| {
        n.starts_with(|c: char| c.is_ascii_digit())
            && n.chars().all(|c| c.is_ascii_digit() || c == '.')
    });
    if versioned {
        (first, &trimmed[first.len()..])
    } else {
        ("", path)
    }
}

/// The collection segment of a path (resolved or template): the second segment once a leading
/// API version (`v2`, `v2.1`) is dropped, the first being the project.
pub fn collection_of(path: &str) -> Option<&str> {
    let mut segs = path
        .split('?')
        .next()
        .unwrap_or("")
        .split('/')
        .filter(|s| !s.is_empty())
        .peekable();
    if segs.peek().is_some_and(|s| {
        s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
    }) {
        segs.next();
    }
    segs.next()?;
    segs.next()
}

/// Whether a path (template, raw or resolved) is the kind's path `template`: segment by
/// segment, a `{parameter}` of the template matching any one segment.
fn same_path(template: &str, path: &str) -> bool {
    let segs = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (t, p) = (segs(template), segs(path));
    // A raw path may still hold `{name}` where the template has its parameter: the segment
    // counts as the template's when it matches literally, or as a parameter value.
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(a, b)| a == b || super::template::match_segment(a, b).is_some())
}

/// The values a resolved path gives a template's parameters (`{project_id}` → `p1`); empty
/// when the path is not the template's.
pub fn bind_path(template: &str, path: &str) -> BTreeMap<String, String> {
    let path = path.split('?').next().unwrap_or("");
    super::template::bind(template, path)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, b)| {
            let value = percent_encoding::percent_decode_str(b)
                .decode_utf8()
                .map_or_else(|_| b.to_string(), |v| v.into_owned());
            (name.to_string(), value)
        })
        .collect()
}

/// Values a template is filled with.
pub type Bindings<'a> = BTreeMap<&'a str, Value>;

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Fills a path template; values are percent-encoded as one segment each.
pub fn fill_path(template: &str, b: &Bindings<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                let name = &rest[start + 1..start + end];
                match b.get(name) {
                    Some(v) => out.push_str(&super::percent_encode_segment(&text_of(v))),
                    None => out.push_str(&rest[start..start + end + 1]),
                }
                rest = &rest[start + end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Fills a call's query: a parameter the bindings name (a parent the create named) takes that
/// value, any other its template filled like a body's.
pub fn fill_query(query: &BTreeMap<String, Value>, b: &Bindings<'_>) -> Vec<(String, String)> {
    query
        .iter()
        .map(|(name, template)| {
            let value = b
                .get(name.as_str())
                .cloned()
                .unwrap_or_else(|| fill_body(template, b));
            (name.clone(), text_of(&value))
        })
        .collect()
}

/// Fills a body template.
pub fn fill_body(template: &Value, b: &Bindings<'_>) -> Value {
    let one = |s: &str| -> Option<Value> {
        let name = s.strip_prefix('{')?.strip_suffix('}')?;
        b.get(name).cloned()
    };
    match template {
        Value::String(s) => one(s).unwrap_or_else(|| Value::String(s.clone())),
        Value::Array(a) => Value::Array(a.iter().map(|x| fill_body(x, b)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let key = one(k).map(|v| text_of(&v)).unwrap_or_else(|| k.clone());
                    (key, fill_body(v, b))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Where a create body keeps the resource's name: `/name`, or `/<envelope>/name` when one
/// object of the body holds a name (`{"vpc": {"name": …}}`, `{"dry_run": false,
/// "security_group": {"name": …}}`), as the Huawei Cloud APIs wrap them.
pub fn name_pointer(body: &Value) -> Option<String> {
    let o = body.as_object()?;
    if o.get("name").is_some_and(Value::is_string) {
        return Some("/name".into());
    }
    let mut named = o
        .iter()
        .filter(|(_, v)| v.get("name").is_some_and(Value::is_string));
    match (named.next(), named.next()) {
        (Some((k, _)), None) => Some(format!("{}/name", crate::pointer::child("", k))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A call of `method` on `path`, with no body or query.
    fn call(method: &str, path: &str) -> Call {
        Call {
            method: method.into(),
            path: path.into(),
            body: None,
            query: Default::default(),
        }
    }

    #[test]
    fn a_paths_version_is_its_first_segment_when_that_is_one() {
        assert_eq!(split_version("/v1.0/{}/jobs"), ("v1.0", "/{}/jobs"));
        assert_eq!(split_version("/v3/{}/vpc/vpcs"), ("v3", "/{}/vpc/vpcs"));
        assert_eq!(split_version("/vpcs/{}"), ("", "/vpcs/{}"));
        assert_eq!(split_version("/v/{}"), ("", "/v/{}"));
        assert!(named_for("/v1.0/{}/streaming/jobs", "job_id"));
        assert!(named_for("/v2/{}/security-groups", "security_group_id"));
        assert!(!named_for("/v2/{}/dims/monitored-objects", "instance_id"));
    }

    /// A parameter named otherwise at a kind's id place is the kind's only where another path
    /// through the same place and the segment after it names the place as the kind does.
    #[test]
    fn a_parent_named_otherwise_is_the_kind_where_the_paths_beside_it_say_so() {
        let op = |path: &str| super::super::Operation::new("x", "s", "GET", path);
        let ops = [
            op("/v2/{project_id}/datasets/{dataset_id}/export-tasks"),
            op("/v2/{project_id}/datasets/{resource_id}/export-tasks/{task_id}"),
            op("/v1/{project_id}/scaling_policy/{scaling_policy_id}"),
            op("/v1/{project_id}/scaling_policy/{scaling_resource_id}/list"),
        ];
        let at = |i: usize| {
            ops[i]
                .path
                .split('/')
                .position(|s| s.starts_with("{r") || s == "{scaling_resource_id}")
        };
        let export = at(1).expect("a place");
        assert!(renamed_at(&ops, &ops[1].path, export, "dataset_id"));
        assert!(!renamed_at(&ops, &ops[1].path, export, "task_id"));
        let policies = at(3).expect("a place");
        assert!(!renamed_at(
            &ops,
            &ops[3].path,
            policies,
            "scaling_policy_id"
        ));
        // A place at the path's end has no segment after it to compare.
        assert!(!renamed_at(
            &ops,
            "/v2/{project_id}/datasets/{resource_id}",
            3,
            "dataset_id"
        ));
    }

    /// A kind read through its list narrows the list by its filter (where it has one) and finds
    /// one by the id its items carry, a string or a number; one not listed is not found.
    #[test]
    fn a_kind_read_through_its_list_is_found_there_by_its_id() {
        let how = ListRead {
            filter: Some("id".into()),
            array: "/instances".into(),
            key: "id".into(),
        };
        assert_eq!(how.query("a1"), vec![("id".to_string(), "a1".to_string())]);
        let whole = ListRead {
            filter: None,
            ..how.clone()
        };
        assert!(whole.query("a1").is_empty());
        let answer = json!({"instances": [{"id": "a1", "name": "x"}, {"id": 7}], "total_count": 2});
        assert_eq!(
            how.find(&answer, "a1"),
            Some(&json!({"id": "a1", "name": "x"}))
        );
        assert_eq!(how.find(&answer, "7"), Some(&json!({"id": 7})));
        assert_eq!(how.find(&answer, "b2"), None);
        assert_eq!(how.find(&json!({"other": []}), "a1"), None);
    }

    #[test]
    fn templates_fill_paths_bodies_and_keys() {
        let mut b = Bindings::new();
        b.insert("project_id", json!("p1"));
        b.insert("id", json!("a b"));
        b.insert("key", json!("k"));
        b.insert("value", json!("v"));
        b.insert("name", Value::Null);
        assert_eq!(
            fill_path("/v2/{project_id}/snapshots/{id}/metadata/{key}", &b),
            "/v2/p1/snapshots/a%20b/metadata/k"
        );
        assert_eq!(
            fill_body(
                &json!({"meta": {"{key}": "{value}"}, "s": {"name": "{name}", "x": "lit {key}"}}),
                &b
            ),
            json!({"meta": {"k": "v"}, "s": {"name": null, "x": "lit {key}"}})
        );
    }

    /// A query parameter the bindings name (a parent the create sent) takes that value; the
    /// others their templates, filled (the own id) or as written (a simple value).
    #[test]
    fn a_query_takes_the_bound_parameter_else_its_template() {
        let mut b = Bindings::new();
        b.insert("id", json!("r1"));
        b.insert("group", json!("g1"));
        let query: BTreeMap<String, Value> = [
            ("group".to_string(), json!("a")),
            ("rule_id".to_string(), json!("{id}")),
            ("force".to_string(), json!(true)),
        ]
        .into();
        assert_eq!(
            fill_query(&query, &b),
            vec![
                ("force".to_string(), "true".to_string()),
                ("group".to_string(), "g1".to_string()),
                ("rule_id".to_string(), "r1".to_string()),
            ]
        );
    }

    /// A parameter right after a kind's collection names that kind where the kind's own is the
    /// bare `{id}` (IAM's providers, `{idp_id}`), not where its own is named (Auto Scaling's
    /// `{scaling_resource_id}` beside `{scaling_policy_id}` is another resource's id).
    #[test]
    fn a_kind_read_by_bare_id_is_named_elsewhere_by_an_alias() {
        let kind = |name: &str, coll: &str, read: &str, param: &str| ResourceKind {
            id_param: Some(param.into()),
            ..ResourceKind::new(name, "svc", coll, call("GET", read))
        };
        let t = ResourceTable {
            kinds: vec![
                kind("provider.v3", "providers", "/v3/providers/{id}", "id"),
                kind(
                    "policy.v2",
                    "policies",
                    "/v2/{project_id}/policies/{id}",
                    "policy_id",
                ),
            ],
        };
        let op = |path: &str| crate::contract::Operation::new("o", "svc", "GET", path);
        let ops = [
            op("/v3/providers/{idp_id}/protocols"),
            op("/v2/{project_id}/policies/{resource_id}/list"),
        ];
        assert_eq!(t.aliases(&ops), vec![(0, "idp_id".to_string())]);
    }

    /// A path naming no project concerns the kind whose collection it runs through, the
    /// deepest one (a stack's output, not the stack); a project's path, by its collection.
    #[test]
    fn a_path_naming_no_project_concerns_the_kind_it_runs_through() {
        let kind = |name: &str, coll: &str, read: &str| {
            ResourceKind::new(name, "aos", coll, call("GET", read))
        };
        let t = ResourceTable {
            kinds: vec![
                kind("stack.v2", "stacks", "/v2/stacks/{stack_id}"),
                kind(
                    "output.v2",
                    "outputs",
                    "/v2/stacks/{stack_id}/outputs/{output_id}",
                ),
                kind("vpc.v1", "vpcs", "/v1/{project_id}/vpcs/{vpc_id}"),
            ],
        };
        let of = |p: &str| t.of_path(p).map(|k| k.kind.as_str());
        assert_eq!(of("/v2/stacks/s1"), Some("stack.v2"));
        assert_eq!(of("/v2/stacks/{stack_id}/outputs/o1"), Some("output.v2"));
        assert_eq!(of("/v2/stacks"), Some("stack.v2"));
        assert_eq!(of("/v1/p1/vpcs/v1"), Some("vpc.v1"));
        assert_eq!(of("/v2/templates/t1"), None);
        // The ledger's check reads the same: a teardown's delete of a stack can be undone.
        assert!(crate::run::ledger::check_undo(&t, "DELETE", "/v2/stacks/s1").is_ok());
        assert!(crate::run::ledger::check_undo(&t, "DELETE", "/v2/templates/t1").is_err());
    }

    /// An id at a kind's id place names one of it, however spelled (RDS's v1 `{nodeId}` below
    /// the instances read at `/instances/{id}`); a key, the project, and an id elsewhere do not.
    #[test]
    fn a_parameter_at_a_kinds_id_place_names_one_whatever_its_name() {
        let t = ResourceTable {
            kinds: vec![ResourceKind::new(
                "instance.v1",
                "rds",
                "instances",
                call("GET", "/rds/v1/{project_id}/instances/{id}"),
            )],
        };
        let path = "/rds/v1/{project_id}/instances/{nodeId}/parameters/{name}";
        assert!(t.names_item("nodeId", path));
        assert!(!t.names_item("name", path));
        assert!(
            !t.names_item("key", "/rds/v1/{project_id}/instances/{key}"),
            "a key is the client's"
        );
        assert!(!t.names_item("project_id", path));
        assert!(!t.names_item("nodeId", "/rds/v1/{project_id}/nodes/{nodeId}"));
    }

    #[test]
    fn a_create_is_found_by_its_path_template_raw_or_resolved() {
        let kind = |name: &str, create: Option<&str>, read: &str| ResourceKind {
            create: create.map(|p| call("POST", p)),
            ..ResourceKind::new(name, "vpc", "vpcs", call("GET", read))
        };
        let t = ResourceTable {
            kinds: vec![
                kind(
                    "vpc.v1",
                    Some("/v1/{project_id}/vpcs"),
                    "/v1/{project_id}/vpcs/{id}",
                ),
                kind("vpc.vpc.v3", None, "/v3/{project_id}/vpc/vpcs/{id}"),
            ],
        };
        let found = |m: &str, p: &str| t.creating(m, p).map(|k| k.kind.as_str());
        assert_eq!(found("POST", "/v1/{project_id}/vpcs"), Some("vpc.v1"));
        assert_eq!(found("POST", "/v1/${project_id}/vpcs"), Some("vpc.v1"));
        assert_eq!(found("POST", "/v1/p1/vpcs?x=1"), Some("vpc.v1"));
        assert_eq!(
            found("POST", "/v3/p1/vpc/vpcs"),
            Some("vpc.vpc.v3"),
            "the collection of a kind without a stated create"
        );
        assert_eq!(found("PUT", "/v1/p1/vpcs"), None);
        assert_eq!(
            found("POST", "/v1/p1/vpcs/x"),
            None,
            "an item is no collection"
        );
        assert_eq!(
            bind_path("/v1/{project_id}/vpcs/{vpc_id}", "/v1/p%201/vpcs/v9"),
            [
                ("project_id".to_string(), "p 1".to_string()),
                ("vpc_id".to_string(), "v9".to_string())
            ]
            .into()
        );
        assert!(bind_path("/v1/{project_id}/vpcs", "/v1/p/vpcs/x").is_empty());
    }

    #[test]
    fn the_collection_is_the_segment_after_the_project() {
        assert_eq!(collection_of("/v2/p/snapshots/1"), Some("snapshots"));
        assert_eq!(
            collection_of("/v2.1/{project_id}/servers/{server_id}/metadata/{key}"),
            Some("servers")
        );
        assert_eq!(collection_of("/v3/p/volumes"), Some("volumes"));
        assert_eq!(collection_of("/v3/p"), None);
    }

    #[test]
    fn an_examples_id_is_where_a_create_puts_it_else_under_the_one_envelope() {
        let read = Call {
            method: "GET".into(),
            path: "/x/{id}".into(),
            body: None,
            query: Default::default(),
        };
        let kind = |created_id: Option<&str>, example: Value| ResourceKind {
            created_id: created_id.map(str::to_string),
            example: Some(example),
            ..ResourceKind::new("thing", "svc", "things", read.clone())
        };
        let id = |k: &ResourceKind| k.example_id().map(|(p, id)| (p, id.to_string()));
        let enveloped = serde_json::json!({"thing": {"id": "t1", "name": "n"}});
        assert_eq!(
            id(&kind(Some("/thing/id"), enveloped.clone())),
            Some(("/thing/id".into(), "t1".into()))
        );
        // The create answers a list; the read, one: the read's envelope holds it.
        assert_eq!(
            id(&kind(Some("/things/0/id"), enveloped)),
            Some(("/thing/id".into(), "t1".into()))
        );
        assert_eq!(
            id(&kind(None, serde_json::json!({"id": "t2", "a": 1}))),
            Some(("/id".into(), "t2".into()))
        );
        for no_id in [
            serde_json::json!({"thing": {"name": "n"}}),
            serde_json::json!({"thing": {"id": ""}}),
            serde_json::json!({"a": {"id": "x"}, "b": {}}),
        ] {
            assert_eq!(id(&kind(None, no_id.clone())), None, "{no_id}");
        }
    }

    #[test]
    fn an_inconsistent_table_is_refused() {
        let call = Call {
            method: "GET".into(),
            path: "/x/{id}".into(),
            body: None,
            query: Default::default(),
        };
        let kind = ResourceKind {
            fields: [("name".to_string(), "/thing/name".to_string())].into(),
            origin: Origin::Declared,
            ..ResourceKind::new("thing", "svc", "things", call.clone())
        };
        let t = ResourceTable {
            kinds: vec![kind.clone()],
        };
        assert_eq!(t.validate(), Err(TableError::NoUpdate("thing".into())));
        let t = ResourceTable {
            kinds: vec![
                ResourceKind {
                    fields: BTreeMap::new(),
                    ..kind.clone()
                },
                ResourceKind {
                    fields: BTreeMap::new(),
                    ..kind
                },
            ],
        };
        assert_eq!(t.validate(), Err(TableError::Duplicate("things".into())));
    }

    #[test]
    fn an_id_parameter_names_the_kind_its_name_says() {
        let own = Some("scaling_policy_id");
        assert!(names_another_kind("scaling_group_id", own));
        assert!(!names_another_kind("scaling_policy_id", own));
        assert!(!names_another_kind("id", own));
        assert!(!names_another_kind("scaling_group_id", Some("id")));
        assert!(!names_another_kind("scaling_group_id", None));
    }
}
