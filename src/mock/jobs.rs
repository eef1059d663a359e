//! Asynchronous creates: an answer documented with a `job_id` starts a job, and the job query
//! (any GET with a `{job_id}` parameter, such as `GET /v1/{project_id}/jobs/{job_id}`) answers it
//! `RUNNING` the first time and `SUCCESS` from then on (so a client that follows a job polls,
//! as it must on a region), with `entities` holding the new resource's id.

use std::collections::BTreeMap;
use std::sync::RwLock;

use serde_json::Value;

/// The path parameter and response field naming a job.
pub const JOB_ID: &str = "job_id";

/// One started job.
#[derive(Debug, Clone)]
struct Job {
    /// The id of what it created.
    entity: String,
    /// Where the job's answer names it (the kind's `created_by_job.entity`), when known.
    at: Option<String>,
    /// Whether it was read already.
    read: bool,
}

/// Jobs started, by job id.
#[derive(Debug, Default)]
pub struct Jobs {
    started: RwLock<BTreeMap<String, Job>>,
}

impl Jobs {
    /// Starts a job if the answer has a top-level `job_id`; the job's id goes in the answer.
    /// Its entity is `made` (the id a create stored), else a fresh one, named in the job's
    /// answer at `at` when given. Returns the entity.
    pub fn start(
        &self,
        answer: &mut Value,
        made: Option<String>,
        at: Option<String>,
    ) -> Option<String> {
        let slot = answer.get_mut(JOB_ID).filter(|v| v.is_string())?;
        let job = uuid::Uuid::new_v4().to_string();
        let entity = made.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        *slot = Value::String(job.clone());
        let mut started = self.started.write().unwrap_or_else(|p| p.into_inner());
        started.insert(
            job,
            Job {
                entity: entity.clone(),
                at,
                read: false,
            },
        );
        Some(entity)
    }

    /// The answer to a job query (running the first time, then completed), or None for a job
    /// nobody started.
    pub fn complete(&self, job: &str, mut answer: Value) -> Option<Value> {
        let (found, read_before) = {
            let mut started = self.started.write().unwrap_or_else(|p| p.into_inner());
            let found = started.get_mut(job)?;
            let before = std::mem::replace(&mut found.read, true);
            (found.clone(), before)
        };
        let entity = found.entity;
        if let Some(o) = answer.as_object_mut() {
            if o.get("status").is_some_and(Value::is_string) {
                let status = if read_before { "SUCCESS" } else { "RUNNING" };
                o.insert("status".into(), Value::String(status.into()));
            }
            o.insert(JOB_ID.into(), Value::String(job.to_string()));
            // The entity's id is where the kind says, else whichever `…_id` field `entities`
            // documents.
            if let Some(at) = &found.at {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_started_job_completes_with_the_new_id_and_an_unknown_one_is_none() {
        let jobs = Jobs::default();
        let mut answer = json!({"job_id": "x"});
        let entity = jobs.start(&mut answer, None, None).unwrap_or_default();
        let job = answer["job_id"].as_str().unwrap_or_default().to_string();
        assert_ne!(job, "x");
        let query = json!({"status": "x", "job_id": "x", "entities": {"image_id": "x"}});
        let running = jobs.complete(&job, query.clone()).unwrap_or_default();
        assert_eq!(
            running["status"], "RUNNING",
            "the first read finds it running"
        );
        let done = jobs.complete(&job, query).unwrap_or_default();
        assert_eq!(done["status"], "SUCCESS");
        assert_eq!(done["entities"]["image_id"], json!(entity));
        assert_eq!(jobs.complete("nope", json!({})), None);
        assert_eq!(jobs.start(&mut json!({"id": "x"}), None, None), None);
        // A create's job names what the create made.
        let mut answer = json!({"job_id": "x"});
        let made = jobs.start(&mut answer, Some("v-1".into()), None);
        assert_eq!(made.as_deref(), Some("v-1"));
        let job = answer["job_id"].as_str().unwrap_or_default().to_string();
        let done = jobs
            .complete(&job, json!({"entities": {"volume_id": "x"}}))
            .unwrap_or_default();
        assert_eq!(done["entities"]["volume_id"], "v-1");
        // Where the kind says, inside a sub-job the answer's instance left empty.
        let mut answer = json!({"job_id": "x"});
        let at = "/entities/sub_jobs/0/entities/server_id";
        jobs.start(&mut answer, Some("s-1".into()), Some(at.into()));
        let job = answer["job_id"].as_str().unwrap_or_default().to_string();
        let done = jobs
            .complete(&job, json!({"status": "x", "entities": {"sub_jobs": []}}))
            .unwrap_or_default();
        assert_eq!(done.pointer(at), Some(&json!("s-1")), "{done}");
    }
}
