//! Asynchronous creates: an answer documented with a `job_id` starts a job, and the job query
//! (any GET with a `{job_id}` parameter, such as `GET /v1/{project_id}/jobs/{job_id}`) answers it
//! `RUNNING` the first time and `SUCCESS` from then on (so a client that follows a job polls,
//! as it must on a region), with `entities` holding the new resource's id.

use std::collections::BTreeMap;
use std::sync::RwLock;

use serde_json::Value;

/// The path parameter and response field naming a job.
pub const JOB_ID: &str = "job_id";

/// What a create made: the new id, and the fields it was made with (the stored body).
#[derive(Debug, Clone)]
pub struct Made {
    /// The new id.
    pub id: String,
    /// The stored body.
    pub fields: Value,
}

/// One started job.
#[derive(Debug, Clone)]
struct Job {
    /// The id of what it created.
    entity: String,
    /// The fields of what it created (Null: a job of no create).
    fields: Value,
    /// Where the job's answer names it (the kind's `created_by_job.entity`), when known.
    at: Option<String>,
    /// Whether it was read already.
    read: bool,
    /// Held for the target's variable: a delete answers, but it stays (as held kinds do).
    held: bool,
}

/// Jobs started, by job id.
#[derive(Debug, Default)]
pub struct Jobs {
    started: RwLock<BTreeMap<String, Job>>,
}

impl Jobs {
    /// Starts a job if the answer has a top-level `job_id`; the job's id goes in the answer.
    /// Its entity is what a create `made` (its id and fields), else a fresh id, named in the
    /// job's answer at `at` when given. Returns the entity.
    pub fn start(
        &self,
        answer: &mut Value,
        made: Option<Made>,
        at: Option<String>,
    ) -> Option<String> {
        let slot = answer.get_mut(JOB_ID).filter(|v| v.is_string())?;
        let job = uuid::Uuid::new_v4().to_string();
        let Made { id: entity, fields } = made.unwrap_or_else(|| Made {
            id: uuid::Uuid::new_v4().to_string(),
            fields: Value::Null,
        });
        *slot = Value::String(job.clone());
        let mut started = self.started.write().unwrap_or_else(|p| p.into_inner());
        started.insert(
            job,
            Job {
                entity: entity.clone(),
                fields,
                at,
                read: false,
                held: false,
            },
        );
        Some(entity)
    }

    /// Whether a job of this id was started (and not deleted).
    pub fn knows(&self, job: &str) -> bool {
        let started = self.started.read().unwrap_or_else(|p| p.into_inner());
        started.contains_key(job)
    }

    /// Forgets a job (its DELETE): reads and actions on it are then about an unknown job.
    pub fn forget(&self, job: &str) {
        let mut started = self.started.write().unwrap_or_else(|p| p.into_inner());
        if started.get(job).is_some_and(|j| !j.held) {
            started.remove(job);
        }
    }

    /// Forgets every job a request started (a reset); the held ones stay.
    pub fn forget_started(&self) {
        let mut started = self.started.write().unwrap_or_else(|p| p.into_inner());
        started.retain(|_, j| j.held);
    }

    /// Holds a finished job nobody started here (of no create): the job a target's variable
    /// names (`job_id` of `--print-vars`), which its queries find done.
    pub fn hold(&self, job: &str) {
        let mut started = self.started.write().unwrap_or_else(|p| p.into_inner());
        started.entry(job.to_string()).or_insert(Job {
            entity: uuid::Uuid::new_v4().to_string(),
            fields: Value::Null,
            at: None,
            read: true,
            held: true,
        });
    }

    /// The answer to a job query (running the first time, then completed), or None for a job
    /// nobody started. `schema`, the answer's, shapes what the entity's place needs on the way
    /// (a sub-job of the documented fields, a list where one is documented).
    pub fn complete(&self, job: &str, mut answer: Value, schema: Option<&Value>) -> Option<Value> {
        let (found, read_before) = {
            let mut started = self.started.write().unwrap_or_else(|p| p.into_inner());
            let found = started.get_mut(job)?;
            let before = std::mem::replace(&mut found.read, true);
            (found.clone(), before)
        };
        let entity = found.entity;
        // The job describes what it made (EVS's `entities.name`, `size`): the fields the create
        // stored, where the job's answer documents one of that name and type.
        if let Some(Value::Object(e)) = answer.get_mut("entities") {
            let made = opened_fields(&found.fields);
            for (name, v) in e.iter_mut() {
                match made.and_then(|m| m.get(name)) {
                    Some(m) if !name.ends_with("_id") && same_type(m, v) => *v = m.clone(),
                    _ => {}
                }
            }
        }
        if let Some(o) = answer.as_object_mut() {
            if o.get("status").is_some_and(Value::is_string) {
                let status = if read_before { "SUCCESS" } else { "RUNNING" };
                o.insert("status".into(), Value::String(status.into()));
            }
            // The job's own id where the answer documents one: a job query whose page lists
            // no `job_id` (CCE's, GES's status) answers none, or strict checking finds it
            // undocumented.
            if let Some(slot) = o.get_mut(JOB_ID) {
                *slot = Value::String(job.to_string());
            }
            // The entity's id is where the kind says, else whichever `…_id` field `entities`
            // documents.
            if let Some(at) = &found.at {
                if let Some(schema) = schema {
                    super::contract_tier::prime(&mut answer, schema, at, &[]);
                }
                crate::pointer::set(&mut answer, at, Value::String(entity));
                return Some(answer);
            }
            if let Some(Value::Object(e)) = o.get_mut("entities") {
                for (name, v) in e.iter_mut() {
                    if name.ends_with("_id") && v.is_string() {
                        *v = Value::String(entity.clone());
                    }
                }
            }
        }
        Some(answer)
    }
}

/// A stored body's fields: the body, or the one object it keeps them under (`{"volume": {…}}`).
fn opened_fields(stored: &Value) -> Option<&serde_json::Map<String, Value>> {
    let o = stored.as_object()?;
    let mut objects = o.values().filter_map(Value::as_object);
    match (objects.next(), objects.next()) {
        (Some(one), None) => Some(one),
        _ => Some(o),
    }
}

/// Whether two values are of one JSON type (any two numbers are).
fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn made_of(id: &str, fields: Value) -> Option<Made> {
        Some(Made {
            id: id.into(),
            fields,
        })
    }

    /// A job the variables name, held without a start, is found done at once.
    #[test]
    fn a_held_job_is_found_done() {
        let jobs = Jobs::default();
        jobs.hold("j-1");
        let done = jobs.complete("j-1", json!({"status": "x", "job_id": "x"}), None);
        assert_eq!(
            done.map(|d| (d["status"].clone(), d["job_id"].clone())),
            Some((json!("SUCCESS"), json!("j-1")))
        );
        // A delete of it answers, but the variable's job stays; a started one is forgotten.
        jobs.forget("j-1");
        assert!(jobs.knows("j-1"));
        let mut answer = json!({"job_id": "x"});
        jobs.start(&mut answer, None, None);
        let started = answer["job_id"].as_str().unwrap_or_default().to_string();
        jobs.forget(&started);
        assert!(!jobs.knows(&started));
    }

    #[test]
    fn a_started_job_completes_with_the_new_id_and_an_unknown_one_is_none() {
        let jobs = Jobs::default();
        let mut answer = json!({"job_id": "x"});
        let entity = jobs.start(&mut answer, None, None).unwrap_or_default();
        let job = answer["job_id"].as_str().unwrap_or_default().to_string();
        assert_ne!(job, "x");
        let query = json!({"status": "x", "job_id": "x", "entities": {"image_id": "x"}});
        let running = jobs.complete(&job, query.clone(), None).unwrap_or_default();
        assert_eq!(
            running["status"], "RUNNING",
            "the first read finds it running"
        );
        let done = jobs.complete(&job, query, None).unwrap_or_default();
        assert_eq!(done["status"], "SUCCESS");
        assert_eq!(done["entities"]["image_id"], json!(entity));
        assert_eq!(jobs.complete("nope", json!({}), None), None);
        assert_eq!(jobs.start(&mut json!({"id": "x"}), None, None), None);
        // A create's job names what the create made.
        let mut answer = json!({"job_id": "x"});
        let made = jobs.start(
            &mut answer,
            made_of("v-1", json!({"volume": {"name": "v", "size": 10}})),
            None,
        );
        assert_eq!(made.as_deref(), Some("v-1"));
        let job = answer["job_id"].as_str().unwrap_or_default().to_string();
        let done = jobs
            .complete(
                &job,
                json!({"entities": {"volume_id": "x", "name": "x", "size": 0, "volume_type": "x"}}),
                None,
            )
            .unwrap_or_default();
        assert_eq!(done["entities"]["volume_id"], "v-1");
        // It describes what was made, where the create stated it; the rest stays as documented.
        assert_eq!(done["entities"]["name"], "v");
        assert_eq!(done["entities"]["size"], 10);
        assert_eq!(done["entities"]["volume_type"], "x");
        // Where the kind says, inside a sub-job the answer's instance left empty: the job of
        // a create of `id`, named at `at`, read once.
        let in_sub_job = |id: &str, at: &str, schema: Option<&Value>| {
            let mut answer = json!({"job_id": "x"});
            jobs.start(&mut answer, made_of(id, Value::Null), Some(at.into()));
            let job = answer["job_id"].as_str().unwrap_or_default().to_string();
            let query = json!({"status": "x", "entities": {"sub_jobs": []}});
            jobs.complete(&job, query, schema).unwrap_or_default()
        };
        let at = "/entities/sub_jobs/0/entities/server_id";
        let done = in_sub_job("s-1", at, None);
        assert_eq!(done.pointer(at), Some(&json!("s-1")), "{done}");
        // A sub-job the answer documents is answered whole, its entities a list where the
        // schema says so (BMS), so the job's answer stays true to its contract.
        let schema = json!({"type": "object", "properties": {"entities": {"type": "object",
            "properties": {"sub_jobs": {"type": "array", "items": {"type": "object",
                "properties": {"status": {"type": "string"}, "entities": {"type": "array",
                    "items": {"type": "object",
                        "properties": {"server_id": {"type": "string"}}}}}}}}}}});
        let done = in_sub_job(
            "s-2",
            "/entities/sub_jobs/0/entities/0/server_id",
            Some(&schema),
        );
        let sub_job = &done["entities"]["sub_jobs"][0];
        assert!(sub_job["status"].is_string(), "{done}");
        assert_eq!(sub_job["entities"], json!([{"server_id": "s-2"}]), "{done}");
    }

    /// The answer names the job only where its schema has a `job_id` (the answer is made from
    /// the schema, so a documented one is there to fill).
    #[test]
    fn a_job_answer_names_the_job_only_where_it_documents_a_job_id() {
        let jobs = Jobs::default();
        let mut answer = json!({"job_id": "x"});
        jobs.start(&mut answer, None, None);
        let job = answer["job_id"].as_str().unwrap_or_default().to_string();
        let undocumented = jobs
            .complete(&job, json!({"status": "x"}), None)
            .unwrap_or_default();
        assert_eq!(undocumented, json!({"status": "RUNNING"}));
        let documented = jobs
            .complete(&job, json!({"status": "x", "job_id": "x"}), None)
            .unwrap_or_default();
        assert_eq!(documented["job_id"], json!(job));
    }
}
