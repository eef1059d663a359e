//! The contract tier's seeded resources: one of each kind of id the contract names that no
//! operation of it creates (`report_id`, `domain_id`, a snapshot's `volume_id`). A path naming
//! such an id is served when it names the seeded one and is the documented 404 otherwise, so
//! reads, updates, deletes and actions of an unknown id are refused as they are for created
//! kinds. The seeds are the mock's variables: `conform mock --print-vars` prints them and
//! `GET /__mock/vars` answers them, so a run needs no vars file for what it cannot create.
//!
//! Each id is derived from its name (stable across restarts); its other project's twin
//! (`other_project_report_id`) is an id this project does not hold.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::jobs::JOB_ID;
use crate::contract::derive::resources::normalise;
use crate::contract::resources::{ResourceKind, ResourceTable};
use crate::contract::rules::is_resource_param;
use crate::contract::{Contract, SchemaKind};

/// The seeded ids of a contract.
#[derive(Debug, Default, Clone)]
pub struct Seeds {
    /// Path parameter → the one id served (checked on every request).
    path: BTreeMap<String, String>,
    /// Body fields naming another resource → an id to send (not checked: the tier does not
    /// follow references).
    body: BTreeMap<String, String>,
    /// Id parameters of the kinds whose instance the tier holds ([`held`], [`held_below`]): the
    /// memory checks them, and another project's id is one this project does not hold.
    held: BTreeSet<String>,
    /// Path parameters that are no id, no map's key and that no kind names (Kafka's `{topic}`
    /// and `{partition}`, FunctionGraph's `{trigger_type_code}`) → a value to send
    /// ([`named_value`]).
    /// Not checked: the tier keeps no such resource, so any value is served; without one a
    /// run could not send the request at all.
    names: BTreeMap<String, String>,
    /// Held ids made to fit the body fields of their name: made → fitted ([`Seeds::refitted`]).
    refitted: BTreeMap<String, String>,
    /// The id parameters of the held kinds whose instance the tier's memory keeps, not the
    /// emulation's store ([`Seeds::vars_with`]).
    memory_held: BTreeSet<String>,
}

/// A stable UUID-shaped id for a name.
fn id_for(name: &str) -> String {
    let h = Sha256::digest(name.as_bytes());
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// The instance the contract tier holds of a kind no operation creates (a DWS cluster, a DLI
/// streaming job), as a real project holds what its user made elsewhere: the documented
/// example, else an empty one under an id derived from the kind's id parameter (the example
/// may be missing, or off its own schema). Only a top-level kind (its collection names at most
/// the project): a nested one's parent id would be made up; and only where no kind of `table`
/// named by the same parameter is created with an id a client learns ([`made_with_id`]: VPC's
/// v3 read of what the v1 create makes). The memory keeps it through a delete, since nothing in
/// the contract could make another.
pub fn held(kind: &ResourceKind, table: &ResourceTable) -> Option<(String, Value)> {
    let param = kind.id_param.as_deref()?;
    let made_elsewhere = made_with_id(table, kind, param);
    let top_level = kind.collection_template().is_some_and(|c| {
        crate::contract::template::params(&c)
            .iter()
            .all(|p| p == "project_id")
    });
    if made_elsewhere || !top_level {
        return None;
    }
    match (kind.example_id(), &kind.example) {
        (Some((_, id)), Some(body)) => Some((id.to_string(), body.clone())),
        // A made-up id only where the parameter is an id (not a name the user chooses).
        _ => is_resource_param(param).then(|| (id_for(param), Value::Object(Default::default()))),
    }
}

/// The id of the instance the contract tier holds below each parent of a nested kind no
/// operation creates (a bare-metal server's interfaces, read and listed but attached by no
/// page), as a real parent holds what its user made elsewhere: derived from the kind's id
/// parameter, the value the variables hand out for it. Only for an id parameter (a name the
/// client chooses, a tag, is no instance), and only where no kind of `table` named by the same
/// parameter is created with an id a client learns.
pub fn held_below(kind: &ResourceKind, table: &ResourceTable) -> Option<String> {
    let param = kind.id_param.as_deref()?;
    let made_elsewhere = made_with_id(table, kind, param);
    let nested = kind.collection_template().is_some_and(|c| {
        crate::contract::template::params(&c)
            .iter()
            .any(|p| p != "project_id")
    });
    (nested && !made_elsewhere && is_resource_param(param)).then(|| id_for(param))
}

/// Whether `kind` (named by `param`) is made by a create a client learns the new one's id from
/// (in its answer, its job, or a key of the client's own), its own or that of a kind of `table`
/// named by the same parameter which is the same resource: any but one of the same service and
/// API version in another collection, where `param` is named for `kind`'s own
/// ([`named_for`]: DLI's `/v1.0/{}/jobs` make SQL jobs, not the streaming jobs of
/// `/v1.0/{}/streaming/jobs`; VPC's v1 makes what its v3 reads; DCS's instances are what its
/// monitored objects are of). A create answering only an order (CPH's phones, bought with a
/// server) makes one nobody can name: the tier holds one.
fn made_with_id(table: &ResourceTable, kind: &ResourceKind, param: &str) -> bool {
    use crate::contract::resources::{named_for, split_version};
    // Only a kind whose parameter is named for its own collection can be apart.
    let own = kind
        .collection_template()
        .map(|c| normalise(&c))
        .filter(|c| named_for(c, param));
    table
        .kinds
        .iter()
        .filter(|k| k.id_param.as_deref() == Some(param))
        .any(|k| {
            let apart = k.service == kind.service
                && own.as_deref().is_some_and(|own| {
                    k.collection_template()
                        .map(|c| normalise(&c))
                        .is_some_and(|c| c != own && split_version(&c).0 == split_version(own).0)
                });
            !apart
                && k.create.is_some()
                && (k.created_id.is_some() || k.created_by_job.is_some() || k.client_key.is_some())
        })
}

/// The value a run sends for a path parameter that is no id (`{topic}`, `{partition}`): what
/// a property of the same name in the contract's schemas takes (its first documented value, a
/// number at its minimum), else a name of the run's own.
fn named_value(param: &str, contract: &Contract) -> String {
    let mut found = Vec::new();
    for op in &contract.operations {
        let kinds = std::iter::once(SchemaKind::Request)
            .chain(op.success.iter().map(|s| SchemaKind::Response(*s)));
        for kind in kinds {
            if let Some(schema) = contract.schema(&op.id, kind) {
                property_named(schema, param, &mut found);
            }
        }
    }
    // A documented closed list first: any of its values is one the service knows.
    if let Some(first) = found.iter().find_map(|s| {
        s.get("enum")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|v| !v.is_null()))
    }) {
        return match first {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
    }
    let numeric = found.iter().find(|s| {
        matches!(
            s.get("type").and_then(Value::as_str),
            Some("integer" | "number")
        )
    });
    match numeric {
        // The least value documented as valid, never below 0 (a partition or an offset).
        Some(s) => s
            .get("minimum")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            .max(0)
            .to_string(),
        None => format!("conform-{param}"),
    }
}

/// The schemas of the properties named `name` anywhere in a schema.
fn property_named<'s>(schema: &'s Value, name: &str, out: &mut Vec<&'s Value>) {
    match schema {
        Value::Object(o) => {
            if let Some(sub) = o
                .get("properties")
                .and_then(Value::as_object)
                .and_then(|p| p.get(name))
            {
                out.push(sub);
            }
            for v in o.values() {
                property_named(v, name, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| property_named(v, name, out)),
        _ => {}
    }
}

/// The id a body field of this name is sent: the derived one, unless a schema the field has
/// refuses it (a KMS grant id is 64 hex digits), then one that fits ([`fitting`]).
fn fitting_id(name: &str, schemas: &[&Value]) -> String {
    fitting(id_for(name), schemas)
}

/// `id` when every schema accepts it, else the first string every schema accepts among its
/// hex digits alone (CPH's ids are 32 bytes at most), those cut to the least length limit the
/// schemas state, and the strings their patterns yield; `id` when none does (the contract
/// disagrees with itself, and the run says so). A path takes any length, so an id that fits
/// the body fields of its name fits everywhere a run sends it.
fn fitting(id: String, schemas: &[&Value]) -> String {
    if schemas.is_empty() {
        return id;
    }
    let validators: Vec<_> = schemas
        .iter()
        .filter_map(|s| crate::contract::keywords::compile(s).ok())
        .collect();
    let fits = |v: &str| {
        let v = Value::String(v.to_string());
        validators.iter().all(|c| c.is_valid(&v))
    };
    if fits(&id) {
        return id;
    }
    let plain: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    let limit = schemas
        .iter()
        .flat_map(|s| {
            ["maxLength", crate::contract::keywords::MAX_BYTES]
                .into_iter()
                .filter_map(|k| s.get(k).and_then(Value::as_u64))
        })
        .min()
        .and_then(|l| usize::try_from(l).ok());
    let cut = limit.map(|l| plain.chars().take(l).collect::<String>());
    let patterned = schemas
        .iter()
        .filter_map(|s| s.get("pattern").and_then(Value::as_str))
        .filter_map(super::patterned::value);
    std::iter::once(plain.clone())
        .chain(cut)
        .chain(patterned)
        .find(|v| !v.is_empty() && fits(v))
        .unwrap_or(id)
}

/// `*_id` property names anywhere in a schema, with the schema of each.
fn id_fields<'s>(schema: &'s Value, out: &mut Vec<(String, &'s Value)>) {
    match schema {
        Value::Object(o) => {
            if let Some(props) = o.get("properties").and_then(Value::as_object) {
                for (name, sub) in props {
                    // A list of ids under the id's name (CPH's `phone_id: [..]`) limits each
                    // item; an object of that name limits no id.
                    let one = match sub.get("type").and_then(Value::as_str) {
                        Some("array") => sub.get("items"),
                        Some("object") => None,
                        _ => Some(sub),
                    };
                    match one {
                        Some(one) if is_resource_param(name) && one.get("enum").is_none() => {
                            out.push((name.clone(), one));
                        }
                        _ => {}
                    }
                }
            }
            for v in o.values() {
                id_fields(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| id_fields(v, out)),
        _ => {}
    }
}

impl Seeds {
    /// The ids a contract names that no kind of its resource table creates.
    pub fn of(contract: &Contract) -> Seeds {
        let creatable = |p: &str| {
            contract
                .resources
                .kinds
                .iter()
                .any(|k| k.id_param.as_deref() == Some(p) && k.create.is_some())
        };
        let named = |p: &str| {
            contract
                .resources
                .kinds
                .iter()
                .any(|k| k.id_param.as_deref() == Some(p))
        };
        // Item paths of the table's kinds (`/v1/{}/vpcs/{}`): a parameter at a kind's id
        // place is that kind's, named or not.
        let items: Vec<(Vec<String>, Option<&str>)> = contract
            .resources
            .kinds
            .iter()
            .map(|k| {
                let segs = normalise(&k.item_template())
                    .split('/')
                    .map(str::to_string)
                    .collect();
                (segs, k.id_param.as_deref())
            })
            .collect();
        // Parameters some operation names at a kind's id place, in any path.
        let mut placed = std::collections::BTreeSet::new();
        for op in &contract.operations {
            let segs: Vec<String> = normalise(&op.path).split('/').map(str::to_string).collect();
            for (j, raw) in op.path.split('/').enumerate() {
                let Some(p) = crate::contract::template::sole_param(raw) else {
                    continue;
                };
                // Unless its name says it is another kind's (`{scaling_resource_id}` below
                // `/scaling_policy/`), which is then seeded like any id nobody creates.
                // A parent's id named otherwise at its place, where the paths beside it name it
                // as the kind does (the dataset's `{resource_id}`), is the kind's all the same.
                let at_item = items.iter().any(|(item, own)| {
                    item.len() == j + 1
                        && segs.get(..=j) == Some(item.as_slice())
                        && (!crate::contract::resources::names_another_kind(p, *own)
                            || own.is_some_and(|own| {
                                crate::contract::resources::renamed_at(
                                    &contract.operations,
                                    &op.path,
                                    j,
                                    own,
                                )
                            }))
                });
                if at_item {
                    placed.insert(p.to_string());
                }
            }
        }
        // Keys of a map (`…/metadata/{key}`, bound to the body's one map by its PUT, or shown
        // as the map a list answers): a case writes or reads one first, and what holds the map
        // checks it, so a value of the tier's own would name nothing.
        let keyed: BTreeSet<&str> = contract
            .operations
            .iter()
            .filter_map(|op| {
                let request = contract.schema(&op.id, SchemaKind::Request);
                match op.method.as_str() {
                    "PUT" => crate::contract::rules::bound_param(op, request).map(|(p, _)| p),
                    "GET" => {
                        crate::contract::rules::keyed_list(contract, op).and_then(|(_, p, _)| {
                            op.path_params.iter().find(|q| **q == p).map(String::as_str)
                        })
                    }
                    _ => None,
                }
            })
            .collect();
        let mut seeds = Seeds::default();
        let mut fields = Vec::new();
        for op in &contract.operations {
            if let Some(schema) = contract.schema(&op.id, SchemaKind::Request) {
                id_fields(schema, &mut fields);
            }
        }
        // The request-body schemas of each id field, by name: an id a run binds into such a
        // field (from a path seed or a held instance as well) must fit all of them.
        let mut limits: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
        for (name, schema) in &fields {
            limits.entry(name.as_str()).or_default().push(*schema);
        }
        let fit = |name: &str, id: String| fitting(id, limits.get(name).map_or(&[], Vec::as_slice));
        for op in &contract.operations {
            for p in &op.path_params {
                // Kinds of the table are the memory's; jobs are the job table's.
                if is_resource_param(p) && p != JOB_ID && !named(p) && !placed.contains(p) {
                    seeds
                        .path
                        .entry(p.clone())
                        .or_insert_with(|| fit(p, id_for(p)));
                }
                // A name no kind keeps (`{topic}`): any value is served, one the contract
                // documents is sent. Not an id in camel case at a kind's id place (RDS's v1
                // `/instances/{nodeId}/…`): the memory finds no such one.
                let camel_at_item = placed.contains(p) && crate::contract::rules::is_camel_id(p);
                if p != "project_id"
                    && !is_resource_param(p)
                    && !named(p)
                    && !keyed.contains(p.as_str())
                    && !camel_at_item
                {
                    seeds
                        .names
                        .entry(p.clone())
                        .or_insert_with(|| named_value(p, contract));
                }
                // A job nobody started here (DWS's `…/job/{job_id}`): the job table holds the
                // one the variables name, done (`contract_tier`), and another project's is not.
                if p == JOB_ID && !named(p) {
                    seeds.body.entry(p.clone()).or_insert_with(|| id_for(p));
                    seeds.held.insert(p.clone());
                }
            }
        }
        for (name, schemas) in limits.iter().filter(|(f, _)| !creatable(f)) {
            let id = fitting_id(name, schemas);
            seeds.body.entry((*name).to_string()).or_insert(id);
        }
        // A kind nobody creates is held (the memory seeds it in each project): its id is the
        // one a run names (ECS's flavor `c3.2xlarge.2`, a DWS cluster).
        // The memory holds it under the same fitted id ([`Seeds::refitted`]).
        for k in &contract.resources.kinds {
            if let (Some(param), Some((id, _))) = (&k.id_param, held(k, &contract.resources)) {
                let fitted = fit(param, id.clone());
                if fitted != id {
                    seeds.refitted.insert(id, fitted.clone());
                }
                seeds.body.insert(param.clone(), fitted);
                seeds.held.insert(param.clone());
                // The emulation's own kinds (Nova's `/v2.1/{project_id}/servers`) are held in
                // its store, under the ids its fixtures name.
                let emulated = k
                    .collection_template()
                    .is_some_and(|c| super::shared::owns(&normalise(&c)));
                if !emulated {
                    seeds.memory_held.insert(param.clone());
                }
            }
            if let (Some(param), Some(id)) = (&k.id_param, held_below(k, &contract.resources)) {
                let fitted = fit(param, id.clone());
                if fitted != id {
                    seeds.refitted.insert(id, fitted.clone());
                }
                seeds.body.entry(param.clone()).or_insert(fitted);
                // Another project's twin is one no parent here holds.
                seeds.held.insert(param.clone());
            }
        }
        seeds
    }

    /// The held instances whose id [`held`] or [`held_below`] makes does not fit a body field
    /// of its name: that id → the one the variables hand out, which the memory holds instead.
    pub fn refitted(&self) -> &BTreeMap<String, String> {
        &self.refitted
    }

    /// The variables of a mock whose fixtures name `fixture_vars`: the fixtures' values over
    /// the seeded ones, except for the held kinds the memory keeps, which it checks under the
    /// seeded id (a CPH server is no server of the ECS emulation's fixtures; a Nova server
    /// is, and is the fixtures').
    pub fn vars_with(&self, fixture_vars: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut out = self.vars();
        for (name, value) in fixture_vars {
            if !self.memory_held.contains(name) {
                out.insert(name.clone(), value.clone());
            }
        }
        out
    }

    /// Whether a path parameter is seeded (no kind of the table names it).
    pub fn seeds(&self, param: &str) -> bool {
        self.path.contains_key(param)
    }

    /// The path parameter of a request naming an id other than the seeded one, if any. Where
    /// projects `leak` (the `cross-project` fault), the other project's twin is found too.
    pub fn unknown<'p>(
        &self,
        params: &'p [(String, String)],
        leak: bool,
    ) -> Option<&'p (String, String)> {
        params.iter().find(|(name, value)| {
            self.path.get(name).is_some_and(|seed| {
                seed != value && !(leak && *value == id_for(&format!("other_project_{name}")))
            })
        })
    }

    /// The variables a run uses for them: each seed, and for path seeds and held kinds the
    /// other project's twin; the values of the path parameters that are no id.
    pub fn vars(&self) -> BTreeMap<String, String> {
        let mut out = self.names.clone();
        for (name, id) in self.body.iter().chain(&self.path) {
            out.insert(name.clone(), id.clone());
        }
        for name in self.path.keys().chain(&self.held) {
            let twin = format!("other_project_{name}");
            out.insert(twin.clone(), id_for(&twin));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A call of the resource table.
    fn call(method: &str, path: &str) -> crate::contract::resources::Call {
        crate::contract::resources::Call {
            method: method.into(),
            path: path.into(),
            body: None,
            query: Default::default(),
        }
    }

    /// A contract of these operations with the given request schemas.
    fn contract_of(
        ops: Vec<crate::contract::Operation>,
        schemas: BTreeMap<(String, SchemaKind), Value>,
    ) -> Contract {
        Contract::from_parts(ops, schemas, Default::default(), &std::env::temp_dir())
            .expect("builds")
    }

    #[test]
    fn ids_are_stable_uuid_shaped_and_distinct_per_name() {
        let a = id_for("report_id");
        assert_eq!(a, id_for("report_id"));
        assert_ne!(a, id_for("domain_id"));
        assert!(uuid::Uuid::parse_str(&a).is_ok(), "{a}");
    }

    #[test]
    fn a_body_id_takes_a_value_its_schemas_accept() {
        let hex = serde_json::json!({"type": "string", "pattern": "^[A-Fa-f0-9]{64}$"});
        let id = fitting_id("grant_id", &[&hex]);
        assert_ne!(id, id_for("grant_id"));
        assert!(
            regex::Regex::new("^[A-Fa-f0-9]{64}$")
                .unwrap()
                .is_match(&id),
            "{id}"
        );
        let plain = serde_json::json!({"type": "string", "maxLength": 36});
        assert_eq!(fitting_id("volume_id", &[&plain]), id_for("volume_id"));
    }

    /// An id longer than a body field of its name takes (CPH's 32-byte ids) is sent as its hex
    /// digits, cut to the least limit where that is shorter still.
    #[test]
    fn an_id_too_long_for_its_field_is_cut_to_fit() {
        let bytes = serde_json::json!({"type": "string", "x-maxBytes": 32});
        let id = fitting_id("image_id", &[&bytes]);
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        let short = serde_json::json!({"type": "string", "maxLength": 20});
        let id = fitting_id("image_id", &[&bytes, &short]);
        assert_eq!(id.len(), 20, "{id}");
        // Nothing fits: the derived id, which the run then reports as the contradiction.
        let none = serde_json::json!({"type": "string", "maxLength": 4, "minLength": 8});
        assert_eq!(fitting_id("image_id", &[&none]), id_for("image_id"));
    }

    /// A kind nobody creates whose id a body field takes with a length limit (a CPH server) is
    /// held under an id that fits it, the variables hand out that id over the fixtures' one of
    /// the same name, and the memory holds it.
    #[test]
    fn a_held_id_fits_the_body_fields_of_its_name_and_wins_over_the_fixtures() {
        use crate::contract::resources::ResourceKind;
        let mut op = crate::contract::Operation::new(
            "cph.restart.v1",
            "cph",
            "POST",
            "/v1/{project_id}/cloud-phone/servers/batch-restart",
        );
        op.request_body = true;
        let mut schemas = BTreeMap::new();
        schemas.insert(
            (op.id.clone(), SchemaKind::Request),
            serde_json::json!({"type": "object", "properties": {"server_ids": {"type": "array",
                "items": {"type": "object", "properties": {"server_id":
                    {"type": "string", "maxLength": 32}}}}}}),
        );
        let mut contract = contract_of(vec![op], schemas);
        let read = call("GET", "/v1/{project_id}/cloud-phone/servers/{id}");
        let mut server = ResourceKind::new("server", "cph", "servers", read);
        server.id_param = Some("server_id".into());
        contract.resources.kinds.push(server);
        let seeds = Seeds::of(&contract);
        let fixtures = BTreeMap::from([
            ("server_id".to_string(), "fixture-server".to_string()),
            ("image_id".to_string(), "fixture-image".to_string()),
        ]);
        let vars = seeds.vars_with(&fixtures);
        let id = vars["server_id"].clone();
        assert!(id.len() <= 32 && id != "fixture-server", "{id}");
        assert_eq!(
            vars["image_id"], "fixture-image",
            "no held kind: the fixture's"
        );
        assert_eq!(seeds.refitted().get(&id_for("server_id")), Some(&id));
        let memory = super::super::contract_memory::Memory::new(
            &contract.resources,
            crate::mock::faults::Faults::default(),
        )
        .refitted(seeds.refitted());
        let params = |id: &str| {
            vec![
                ("project_id".to_string(), "p".to_string()),
                ("server_id".to_string(), id.to_string()),
            ]
        };
        let role = |id: &str| {
            memory.role(
                "/v1/{project_id}/cloud-phone/servers/{server_id}",
                &format!("/v1/p/cloud-phone/servers/{id}"),
                &params(id),
            )
        };
        assert!(role(&id).is_ok(), "the fitted id is held: {:?}", role(&id));
        assert!(
            role(&id_for("server_id")).is_err(),
            "the unfitted one is not"
        );
        // Nova's servers are the emulation's: its fixtures name the one held.
        let nova = call("GET", "/v2.1/{project_id}/servers/{id}");
        let mut server = ResourceKind::new("server", "ecs", "servers", nova);
        server.id_param = Some("server_id".into());
        contract.resources.kinds = vec![server];
        let vars = Seeds::of(&contract).vars_with(&fixtures);
        assert_eq!(vars["server_id"], "fixture-server");
    }

    /// A kind whose create answers no id (CPH's phones, bought with a server: the answer is an
    /// order) is held as one nobody creates, under an id that fits each field of its name,
    /// one item of a list of them (`phone_id: [..]`) included; a create answering the id holds
    /// nothing.
    #[test]
    fn a_kind_whose_create_answers_no_id_is_held_fitting_its_fields() {
        use crate::contract::resources::ResourceKind;
        let op = |id: &str, path: &str| {
            let mut op = crate::contract::Operation::new(id, "cph", "POST", path);
            op.request_body = true;
            op
        };
        let restart = op(
            "cph.restart.v1",
            "/v1/{project_id}/cloud-phone/phones/batch-restart",
        );
        let reset = op(
            "cph.reset.v1",
            "/v1/{project_id}/cloud-phone/phones/batch-reset",
        );
        let mut schemas = BTreeMap::new();
        schemas.insert(
            (restart.id.clone(), SchemaKind::Request),
            serde_json::json!({"type": "object", "properties": {"phone_id": {"type": "array",
                "items": {"type": "string"}}}}),
        );
        schemas.insert(
            (reset.id.clone(), SchemaKind::Request),
            serde_json::json!({"type": "object", "properties": {"phones": {"type": "array",
                "items": {"type": "object", "properties": {"phone_id":
                    {"type": "string", "maxLength": 32}}}}}}),
        );
        let mut contract = contract_of(vec![restart, reset], schemas);
        let mut phone = ResourceKind::new(
            "phone",
            "cph",
            "phones",
            call("GET", "/v1/{project_id}/cloud-phone/phones/{id}"),
        );
        phone.id_param = Some("phone_id".into());
        phone.create = Some(call("POST", "/v1/{project_id}/cloud-phone/phones"));
        contract.resources.kinds.push(phone);
        let vars = Seeds::of(&contract).vars();
        let id = vars.get("phone_id").cloned().unwrap_or_default();
        assert!(!id.is_empty() && id.len() <= 32, "{vars:?}");
        contract.resources.kinds[0].created_id = Some("/phone_id".into());
        assert!(
            !Seeds::of(&contract).vars().contains_key("phone_id"),
            "a create answering the id makes them"
        );
    }

    #[test]
    fn only_another_id_than_the_seeded_one_is_unknown() {
        let mut s = Seeds::default();
        s.path.insert("report_id".into(), id_for("report_id"));
        let good = [("report_id".to_string(), id_for("report_id"))];
        assert_eq!(s.unknown(&good, false), None);
        let bad = [("report_id".to_string(), "x".to_string())];
        assert_eq!(s.unknown(&bad, false), Some(&bad[0]));
        let vars = s.vars();
        assert_eq!(vars["report_id"], id_for("report_id"));
        assert_ne!(vars["other_project_report_id"], vars["report_id"]);
        // Another project's twin is unknown, unless projects leak.
        let twin = [(
            "report_id".to_string(),
            vars["other_project_report_id"].clone(),
        )];
        assert_eq!(s.unknown(&twin, false), Some(&twin[0]));
        assert_eq!(s.unknown(&twin, true), None);
        assert_eq!(s.unknown(&bad, true), Some(&bad[0]));
    }

    /// A kind nobody creates (ECS's flavors) is its documented instance, which the memory
    /// holds in every project: the variable naming it is that instance's id, where a body
    /// field of that name would otherwise get a made-up one.
    #[test]
    fn a_kind_nobody_creates_is_named_by_its_documented_instance() {
        use crate::contract::resources::ResourceKind;
        let mut op = crate::contract::Operation::new(
            "ecs.resize.v1",
            "ecs",
            "POST",
            "/v1/{project_id}/servers",
        );
        op.request_body = true;
        let mut schemas = BTreeMap::new();
        schemas.insert(
            (op.id.clone(), SchemaKind::Request),
            serde_json::json!({"type": "object", "properties": {"flavor_id": {"type": "string"}}}),
        );
        let mut contract = contract_of(vec![op], schemas);
        assert_eq!(
            Seeds::of(&contract).vars()["flavor_id"],
            id_for("flavor_id")
        );
        let read = call("GET", "/v2.1/{project_id}/flavors/{id}");
        let mut flavor = ResourceKind::new("flavor", "ecs", "flavors", read);
        flavor.id_param = Some("flavor_id".into());
        flavor.example = Some(serde_json::json!({"flavor": {"id": "c3.large.2"}}));
        contract.resources.kinds.push(flavor.clone());
        assert_eq!(Seeds::of(&contract).vars()["flavor_id"], "c3.large.2");
        // One a run deletes still is (the memory keeps it through the delete), with another
        // project's twin; without an example, its id is derived from the parameter.
        let mut deleted = flavor.clone();
        deleted.delete = Some(flavor.read.clone());
        contract.resources.kinds = vec![deleted.clone()];
        let vars = Seeds::of(&contract).vars();
        assert_eq!(vars["flavor_id"], "c3.large.2");
        assert!(vars.contains_key("other_project_flavor_id"), "{vars:?}");
        deleted.example = None;
        contract.resources.kinds = vec![deleted];
        assert_eq!(
            Seeds::of(&contract).vars()["flavor_id"],
            id_for("flavor_id")
        );
        // A kind a run creates, learning the new id, is not named by the example.
        flavor.create = Some(flavor.read.clone());
        flavor.created_id = Some("/flavor/id".into());
        contract.resources.kinds = vec![flavor];
        let vars = Seeds::of(&contract).vars();
        assert_ne!(
            vars.get("flavor_id").map(String::as_str),
            Some("c3.large.2")
        );
    }

    /// A nested kind nobody creates (a bin's ports) is held below each parent under one id,
    /// and another project's twin is handed out too: a namespace case runs rather than skips
    /// for a variable, and names an id no parent here holds.
    #[test]
    fn a_nested_kind_nobody_creates_has_another_projects_twin() {
        use crate::contract::resources::ResourceKind;
        let op = crate::contract::Operation::new(
            "box.show_port.v1",
            "box",
            "GET",
            "/v1/{project_id}/bins/{bin_id}/ports/{port_id}",
        );
        let mut contract = contract_of(vec![op], BTreeMap::new());
        let read = call("GET", "/v1/{project_id}/bins/{bin_id}/ports/{id}");
        let mut port = ResourceKind::new("bin.port", "box", "ports", read);
        port.id_param = Some("port_id".into());
        contract.resources.kinds.push(port);
        let vars = Seeds::of(&contract).vars();
        assert_eq!(vars.get("port_id"), Some(&id_for("port_id")), "{vars:?}");
        let twin = vars.get("other_project_port_id").expect("a twin");
        assert_ne!(twin, &vars["port_id"]);
    }

    /// A kind nothing creates is held even where another kind of its name is made, if that one
    /// is another resource: one of the same service and API version in another collection
    /// (DLI's SQL jobs beside its streaming jobs). Of another API version, it is the same
    /// resource (VPC's v3 read of what v1 makes), which a run creates: none is held.
    #[test]
    fn a_kind_is_held_unless_the_same_resource_is_made_elsewhere() {
        use crate::contract::resources::{ResourceKind, ResourceTable};
        let kind = |collection: &str, made: bool| {
            let mut k = ResourceKind::new(
                "job",
                "dli",
                "jobs",
                call("GET", &format!("{collection}/{{id}}")),
            );
            k.id_param = Some("job_id".into());
            if made {
                k.create = Some(call("POST", collection));
                k.created_id = Some("/job_id".into());
            }
            k
        };
        let streaming = kind("/v1.0/{project_id}/streaming/jobs", false);
        let table = |made: &str| ResourceTable {
            kinds: vec![kind(made, true), streaming.clone()],
        };
        assert!(held(&streaming, &table("/v1.0/{project_id}/jobs")).is_some());
        assert!(held(&streaming, &table("/v2/{project_id}/streaming/jobs")).is_none());
        // A view read by the made kind's id (DCS's monitored objects of its instances) is it.
        let view = kind("/v1.0/{project_id}/dims/monitored-objects", false);
        let table = ResourceTable {
            kinds: vec![kind("/v1.0/{project_id}/jobs", true), view.clone()],
        };
        assert!(held(&view, &table).is_none());
    }

    /// A job query's `{job_id}` that no kind names is a variable (the job the tier holds
    /// done), with another project's twin.
    #[test]
    fn a_job_nobody_started_is_a_variable() {
        let op = crate::contract::Operation::new(
            "svc.show_job.v1",
            "svc",
            "GET",
            "/v1/{project_id}/jobs/{job_id}",
        );
        let contract = contract_of(vec![op], BTreeMap::new());
        let vars = Seeds::of(&contract).vars();
        assert_eq!(vars.get(JOB_ID), Some(&id_for(JOB_ID)));
        assert!(vars.contains_key("other_project_job_id"), "{vars:?}");
        assert!(
            !Seeds::of(&contract).seeds(JOB_ID),
            "not checked as a path seed"
        );
    }

    /// A parameter at a kind's id place named as another kind's id (`{group_id}` below
    /// `/policies/`) is no policy: it is seeded and checked like any id nobody creates.
    #[test]
    fn a_parameter_named_for_another_kind_is_seeded_at_a_kinds_id_place() {
        use crate::contract::resources::ResourceKind;
        let ops = vec![
            crate::contract::Operation::new(
                "as.list.v2",
                "as",
                "GET",
                "/v2/{project_id}/policies/{group_id}/list",
            ),
            crate::contract::Operation::new(
                "as.show.v2",
                "as",
                "GET",
                "/v2/{project_id}/policies/{policy_id}",
            ),
        ];
        let mut contract = contract_of(ops, BTreeMap::new());
        let read = call("GET", "/v2/{project_id}/policies/{id}");
        let mut policy = ResourceKind::new("policy", "as", "policies", read);
        policy.id_param = Some("policy_id".into());
        contract.resources.kinds.push(policy);
        let seeds = Seeds::of(&contract);
        assert!(seeds.seeds("group_id"));
        assert!(
            !seeds.seeds("policy_id"),
            "the kind's own id is the memory's"
        );
    }

    /// A parameter at a kind's id place whose name is no id's (RDS's v1 `{nodeId}` below
    /// `/instances/`) gets no made-up name: the memory would find no such instance, so a case
    /// needing it is skipped for its variable, as one needing the kind's own id is.
    #[test]
    fn a_parameter_at_a_kinds_id_place_gets_no_made_up_name() {
        use crate::contract::resources::ResourceKind;
        let op = |id: &str, path: &str| crate::contract::Operation::new(id, "rds", "PUT", path);
        let ops = vec![
            op(
                "rds.update_parameters.v1",
                "/rds/v1/{project_id}/instances/{nodeId}/parameters",
            ),
            op("rds.update_topic.v1", "/rds/v1/{project_id}/topics/{topic}"),
        ];
        let mut contract = contract_of(ops, BTreeMap::new());
        let read = call("GET", "/rds/v1/{project_id}/instances/{id}");
        contract
            .resources
            .kinds
            .push(ResourceKind::new("instance", "rds", "instances", read));
        let vars = Seeds::of(&contract).vars();
        assert!(!vars.contains_key("nodeId"), "{vars:?}");
        assert_eq!(
            vars.get("topic").map(String::as_str),
            Some("conform-topic"),
            "a name no kind keeps is the tier's own"
        );
    }
}
