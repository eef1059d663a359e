//! One case's undo, driven by the resource table: refuse a change the table cannot undo before
//! anything is sent; save each resource right before the first request that changes it (so ids
//! captured during the case are covered too); write the intent of each create before it is
//! sent and the new id once it answers; after the case, restore what was saved and delete what
//! was created, each verified by a read. A create that got no id back stays open in the ledger:
//! `conform restore` finds it by its name (which carries the run id) once the run is over, as
//! the run itself cannot tell it from what the cases running beside it made under that name.

use serde_json::Value;

use super::client::Outgoing;
use super::ledger::{self, CreateIntent, Entry, Ledger, Mutation, Resource, Restorer, State};
use super::result::StepResult;
use super::RunCtx;
use crate::case::typed::Step;
use crate::case::vars::Vars;
use crate::case::Case;

/// Why a case is refused before it runs, if the table cannot undo one of its changes.
pub fn refusal(case: &Case, ctx: &RunCtx) -> Option<String> {
    // The built-in mock's state ends with the run: what cannot be undone there is no loss.
    match ctx.ledger.as_deref() {
        None => return None,
        Some(book) if book.is_in_memory() || ctx.allow_unrestorable => return None,
        Some(_) => {}
    }
    for step in case.all_steps() {
        let Some(route) = step.route(&ctx.contract) else {
            continue;
        };
        if !route.mutates() {
            continue;
        }
        if let Err(e) = ledger::check_undo(&ctx.contract.resources, route.method, route.template) {
            return Some(format!("refused, nothing sent: {e}"));
        }
    }
    None
}

/// Adds to `params` each parameter of the delete (its path's and its query's) that the create
/// sent in its body, as the generator's teardown does: NAT's SNAT rule names its gateway there
/// and is deleted below it; a DLI resource names its `group`, which its delete asks for.
fn parents_sent(
    delete: &crate::contract::resources::Call,
    body: Option<&Value>,
    params: &mut std::collections::BTreeMap<String, String>,
) {
    let Some(body) = body else {
        return;
    };
    let names = crate::contract::template::params(&delete.path)
        .into_iter()
        .chain(delete.query.keys().cloned());
    for name in names {
        if name == "id" || name == "project_id" || params.contains_key(&name) {
            continue;
        }
        if let Some(value) = sent_scalar(body, &name) {
            params.insert(name, value);
        }
    }
}

/// The scalar a body sends as `name`, at its top level or in one of its top-level objects (its
/// envelope, also beside the unknown field a negative case adds).
fn sent_scalar(body: &Value, name: &str) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    let body = body.as_object()?;
    body.get(name).and_then(text).or_else(|| {
        body.values()
            .filter_map(Value::as_object)
            .find_map(|o| o.get(name).and_then(text))
    })
}

/// How long the undo follows a job no step of its case saw end.
const JOB_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// A resource saved before a step changed it.
struct Saved {
    resource: Resource,
    state: State,
    /// Whether a step that may have changed it ran (any answer but a 4xx).
    changed: bool,
}

/// The undo book of one running case.
pub struct CaseUndo<'a> {
    ctx: &'a RunCtx,
    book: &'a Ledger,
    case: &'a str,
    restorer: Restorer<'a>,
    saved: Vec<Saved>,
    /// The saved resource the running step changes, until its answer says whether it did.
    touching: Option<usize>,
    created: Vec<Resource>,
    /// The create the running step sends, until its answer settles it.
    sending: Option<(Resource, CreateIntent)>,
    /// Creates that got no id back, and why: open in the ledger for `conform restore`.
    unsettled: Vec<(Resource, CreateIntent, String)>,
    /// Creates that answered a job, by job id: settled when a later step reads the job done.
    jobs: Vec<(String, Resource, CreateIntent)>,
    /// Undos already done (the leftovers deleted before the teardown ran).
    done: Vec<Mutation>,
    /// The resource the running PUT names, which a read found absent right before it: a 2xx
    /// answer made it (a kind the client names, created by a PUT of its item).
    putting: Option<Resource>,
}

impl<'a> CaseUndo<'a> {
    /// A book for a case, when the run keeps a ledger.
    pub fn new(ctx: &'a RunCtx, case: &'a Case) -> Option<CaseUndo<'a>> {
        let book = ctx.ledger.as_deref()?;
        Some(CaseUndo {
            ctx,
            book,
            case: &case.id,
            restorer: Restorer {
                http: &ctx.http,
                auth: &ctx.target.auth,
                timeout: ctx.options.timeout,
                table: &ctx.contract.resources,
            },
            saved: Vec::new(),
            touching: None,
            created: Vec::new(),
            sending: None,
            unsettled: Vec::new(),
            jobs: Vec::new(),
            done: Vec::new(),
            putting: None,
        })
    }

    fn resource_of(&self, path: &str) -> Option<Resource> {
        let key = super::locks::resource_key(path);
        Resource::from_key(&key, &self.ctx.contract.resources, |s| {
            self.ctx.target.base_url(s).map(str::to_string)
        })
    }

    fn append(
        &self,
        event: &str,
        res: &Resource,
        state: Option<State>,
        detail: Option<String>,
        intent: Option<&CreateIntent>,
    ) -> Result<(), String> {
        self.book.append(&Entry {
            event: event.into(),
            case: self.case.to_string(),
            resource: res.clone(),
            state,
            detail,
            intent: intent.cloned(),
        })
    }

    /// Saves the resource a changing step touches, unless saved or created already. An error
    /// means the change must not be sent.
    pub async fn before(&mut self, step: &Step, scope: &Vars) -> Result<(), String> {
        let Some(route) = step.route(&self.ctx.contract) else {
            return Ok(());
        };
        if !route.mutates() {
            return Ok(());
        }
        let Ok(path) = step.render_path(&route, scope) else {
            return Ok(()); // The step itself reports the variable.
        };
        let Some(res) = self.resource_of(&path) else {
            return Ok(()); // A create (the collection itself): recorded after the step.
        };
        if let Some(i) = self.saved.iter().position(|s| s.resource.same(&res)) {
            self.touching = Some(i);
            return Ok(());
        }
        if self.created.iter().any(|r| r.same(&res)) {
            return Ok(());
        }
        // A resource that cannot be read (a missing id) has nothing to protect; one a PUT
        // names that a read does not find (404) is made by that PUT, if it succeeds.
        let Ok(state) = self.restorer.read(&res).await else {
            // Only a PUT of the item itself, of a kind the table can delete: a PUT of an
            // action below it (`…/{id}/os-reset-passwords`) makes nothing.
            let item = path
                .split('?')
                .next()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                == Some(res.id.as_str());
            let deletable = self
                .ctx
                .contract
                .resources
                .by_kind(&res.kind)
                .is_some_and(|k| k.delete.is_some());
            if route.method.eq_ignore_ascii_case("PUT")
                && item
                && deletable
                && self.restorer.absent(&res).await
            {
                self.putting = Some(res);
            }
            return Ok(());
        };
        self.append("saved", &res, Some(state.clone()), None, None)?;
        self.touching = Some(self.saved.len());
        self.saved.push(Saved {
            resource: res,
            state,
            changed: false,
        });
        Ok(())
    }

    /// Writes the intent of a create to the ledger, synced, right before its request is sent
    /// (`out` is that request, signed): the kind, the path, the run id and the name the body
    /// gives. An error means the create must not be sent. Kinds the table cannot delete write
    /// nothing: their creates ran only because `--allow-unrestorable` said so.
    pub fn intend(&mut self, step: &Step, out: &Outgoing) -> Result<(), String> {
        self.sending = None;
        let Some(route) = step.route(&self.ctx.contract) else {
            return Ok(());
        };
        let Some(kind) = self
            .ctx
            .contract
            .resources
            .creating(route.method, route.template)
        else {
            return Ok(());
        };
        if kind.delete.is_none() || !kind.finds_created_id() {
            return Ok(());
        }
        let Some(base) = self.ctx.target.base_url(route.service) else {
            return Ok(()); // Not sent either: the step reports the missing base URL.
        };
        let path = out
            .url
            .strip_prefix(base)
            .unwrap_or(&out.url)
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        let template = kind
            .create
            .as_ref()
            .map(|c| c.path.clone())
            .or_else(|| kind.collection_template())
            .unwrap_or_default();
        let mut params = crate::contract::resources::bind_path(&template, &path);
        let project = params.remove("project_id").unwrap_or_default();
        if let Some(delete) = &kind.delete {
            let sent = out
                .body
                .as_deref()
                .and_then(|b| serde_json::from_slice::<Value>(b).ok());
            parents_sent(delete, sent.as_ref(), &mut params);
        }
        let res = Resource {
            kind: kind.kind.clone(),
            collection: kind.collection.clone(),
            project,
            id: String::new(),
            base_url: base.to_string(),
            params,
        };
        let intent = CreateIntent {
            token: uuid::Uuid::new_v4().simple().to_string(),
            operation: step.label(),
            method: route.method.to_string(),
            path,
            run_id: self.ctx.vars.run_id().to_string(),
            name: out.body.as_deref().and_then(super::creates::name_sent),
            at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            expects_refusal: step.expect.status.as_ref().is_some_and(|specs| {
                !specs.is_empty() && !(200..300).any(|s| specs.iter().any(|spec| spec.allows(s)))
            }),
        };
        self.append("create_intent", &res, None, None, Some(&intent))?;
        self.sending = Some((res, intent));
        Ok(())
    }

    /// Settles the create the step sent: its new id (a 2xx answer holding one at the kind's
    /// `created_id`) is recorded and the resource deleted after the case; a refusal (any other
    /// status) closes the intent; no answer, or no id in it, leaves the intent open.
    pub fn after(&mut self, step: &Step, result: &StepResult) {
        // A change refused with a 4xx changed nothing; anything else (a success, a 5xx, no
        // answer) may have, and is restored.
        if let Some(i) = self.touching.take() {
            let refused = result
                .response
                .as_ref()
                .is_some_and(|r| (400..500).contains(&r.status));
            if let (false, Some(saved)) = (refused, self.saved.get_mut(i)) {
                saved.changed = true;
            }
        }
        self.settle_job(step, result);
        if let Some(res) = self.putting.take() {
            let made = result
                .response
                .as_ref()
                .is_some_and(|r| (200..300).contains(&r.status));
            if made && !self.created.iter().any(|c| c.same(&res)) {
                // Even if the ledger cannot be written, the case still deletes what it made.
                let _ = self.append("created", &res, None, None, None);
                self.created.push(res);
            }
        }
        let Some((res, intent)) = self.sending.take() else {
            return;
        };
        let job = self
            .ctx
            .contract
            .resources
            .by_kind(&res.kind)
            .and_then(|k| k.created_by_job.as_ref());
        if let (Some(job), Some(resp)) = (job, &result.response) {
            // An asynchronous create: the id arrives when a later step reads the job done.
            let job_id = (200..300)
                .contains(&resp.status)
                .then(|| resp.json.as_ref()?.pointer(&job.job_id)?.as_str())
                .flatten();
            if let Some(job_id) = job_id {
                self.jobs.push((job_id.to_string(), res, intent));
                return;
            }
        }
        let pointer = self
            .ctx
            .contract
            .resources
            .by_kind(&res.kind)
            .and_then(|k| k.created_id.clone())
            .unwrap_or_default();
        let Some(resp) = &result.response else {
            let why = result
                .error
                .clone()
                .unwrap_or_else(|| "no answer".to_string());
            self.unsettled.push((res, intent, why));
            return;
        };
        if !(200..300).contains(&resp.status) {
            // Even if the ledger cannot be written, the case goes on: nothing was made.
            let detail = format!("answered {}: nothing created", resp.status);
            let _ = self.append("not_created", &res, None, Some(detail), Some(&intent));
            return;
        }
        // A kind the client keys is deleted by the key the request sent.
        let key = self
            .ctx
            .contract
            .resources
            .by_kind(&res.kind)
            .and_then(|k| k.client_key.clone());
        let sent: Option<Value> = result
            .request
            .as_ref()
            .and_then(|r| r.body.as_deref())
            .and_then(|b| serde_json::from_str(b).ok());
        let id = match key {
            Some(key) => key.chosen(sent.as_ref(), &[]),
            None => resp
                .json
                .as_ref()
                .and_then(|j| j.pointer(&pointer))
                .and_then(|v| match v {
                    Value::String(s) if !s.is_empty() => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                }),
        };
        match id {
            Some(id) => {
                let res = Resource { id, ..res };
                // Even if the ledger cannot be written, the case still deletes what it made.
                let _ = self.append("created", &res, None, None, Some(&intent));
                self.created.push(res);
            }
            None => {
                let why = format!("answered {} without an id at {pointer}", resp.status);
                self.unsettled.push((res, intent, why));
            }
        }
    }

    /// Settles the create whose job this step read done: the id the job names is recorded and
    /// the resource deleted after the case. A job that failed made nothing.
    fn settle_job(&mut self, step: &Step, result: &StepResult) {
        let (Some(op), Some(resp)) = (step.route(&self.ctx.contract), &result.response) else {
            return;
        };
        let Some(json) = resp.json.as_ref().filter(|_| resp.status == 200) else {
            return;
        };
        let Some(at) = self.jobs.iter().position(|(job_id, res, _)| {
            let follow = self
                .ctx
                .contract
                .resources
                .by_kind(&res.kind)
                .and_then(|k| k.created_by_job.as_ref());
            follow.is_some_and(|f| {
                op.method.eq_ignore_ascii_case(&f.query.method)
                    && crate::contract::derive::resources::normalise(op.template)
                        == crate::contract::derive::resources::normalise(&f.query.path)
            }) && json.get("job_id").and_then(Value::as_str) == Some(job_id.as_str())
        }) else {
            return;
        };
        let res = &self.jobs[at].1;
        let entity = self
            .ctx
            .contract
            .resources
            .by_kind(&res.kind)
            .and_then(|k| k.created_by_job.as_ref())
            .and_then(|f| json.pointer(&f.entity))
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_string);
        match (json.get("status").and_then(Value::as_str), entity) {
            (Some("SUCCESS"), Some(id)) => {
                let (_, res, intent) = self.jobs.remove(at);
                let res = Resource { id, ..res };
                let _ = self.append("created", &res, None, None, Some(&intent));
                self.created.push(res);
            }
            (Some("FAIL"), _) => {
                let (_, res, intent) = self.jobs.remove(at);
                let detail = "its job failed: nothing created".to_string();
                let _ = self.append("not_created", &res, None, Some(detail), Some(&intent));
            }
            // Still running: a later read settles it.
            _ => {}
        }
    }

    /// Deletes, newest first, what the case created and no step of its `teardown` deletes,
    /// before the teardown runs: a resource the case made below a parent its setup made (a
    /// subnet a negative case's create made after all) must be gone before the teardown deletes
    /// that parent, which would refuse, or leave the child no path to be deleted by.
    pub async fn before_teardown(&mut self, teardown: &[&Step], scope: &Vars) {
        let paths: Vec<String> = teardown
            .iter()
            .filter_map(|step| {
                let route = step.route(&self.ctx.contract)?;
                if !route.method.eq_ignore_ascii_case("DELETE") {
                    return None;
                }
                step.render_path(&route, scope).ok()
            })
            .collect();
        // A delete names the resource by its own id last, also below a parent
        // (`…/nat_gateways/{gw}/snat_rules/{id}`), where the lock key names the parent.
        let named: Vec<(&str, Option<Resource>)> = paths
            .iter()
            .map(|p| {
                let p = p.split('?').next().unwrap_or_default();
                (
                    p.rsplit('/').next().unwrap_or_default(),
                    self.resource_of(p),
                )
            })
            .collect();
        let deletes = |r: &Resource| {
            named
                .iter()
                .any(|(last, res)| *last == r.id || res.as_ref().is_some_and(|d| d.same(r)))
        };
        let (kept, leftovers): (Vec<Resource>, Vec<Resource>) = std::mem::take(&mut self.created)
            .into_iter()
            .partition(deletes);
        self.created = kept;
        for res in leftovers.iter().rev() {
            let mutation = self.delete_created(res).await;
            self.done.push(mutation);
        }
    }

    /// Deletes one created resource and records the outcome.
    async fn delete_created(&self, res: &Resource) -> Mutation {
        let (event, ok, detail) = match self.restorer.delete(res).await {
            Ok(d) => ("deleted", true, d),
            Err(e) => ("delete_failed", false, e),
        };
        self.record(event, res, ok, detail)
    }

    /// Restores what was saved and deletes what was created, each verified by a read.
    pub async fn finish(mut self) -> Vec<Mutation> {
        // A job no step saw end is followed here, so what it made is deleted like any create;
        // one that does not end in time stays open for `conform restore`, found by its name.
        for (job_id, res, intent) in std::mem::take(&mut self.jobs) {
            match self.restorer.follow_job(&res, &job_id, JOB_WAIT).await {
                Ok(Some(id)) => {
                    let res = Resource { id, ..res };
                    let _ = self.append("created", &res, None, None, Some(&intent));
                    self.created.push(res);
                }
                Ok(None) => {
                    let detail = "its job failed: nothing created".to_string();
                    let _ = self.append("not_created", &res, None, Some(detail), Some(&intent));
                }
                Err(why) => self.unsettled.push((res, intent, why)),
            }
        }
        let mut out = std::mem::take(&mut self.done);
        for saved in &self.saved {
            let res = &saved.resource;
            // Nothing is sent back to a resource whose every change was refused: a faulty
            // read (an unknown id answered 200) must not turn a refusal into a failed undo.
            let (event, ok, detail) = if !saved.changed {
                (
                    "restored",
                    true,
                    "unchanged: every change was refused (4xx)".to_string(),
                )
            } else {
                match self.restorer.restore(res, &saved.state).await {
                    Ok(d) => ("restored", true, d),
                    Err(e) => ("restore_failed", false, e),
                }
            };
            out.push(self.record(event, res, ok, detail));
        }
        // Newest first: what was created below another is deleted before it.
        for res in self.created.iter().rev() {
            out.push(self.delete_created(res).await);
        }
        for (res, intent, why) in &self.unsettled {
            out.push(Mutation {
                resource: res.clone(),
                restored: false,
                detail: format!(
                    "create of {} ({} {}) got no id back ({why}): left open in {}; `conform restore` deletes what it made, found by its name{}",
                    res.kind,
                    intent.method,
                    intent.path,
                    self.book.path().display(),
                    intent
                        .name
                        .as_ref()
                        .map(|n| format!(" '{n}'"))
                        .unwrap_or_default()
                ),
            });
        }
        out
    }

    fn record(&self, event: &str, res: &Resource, ok: bool, detail: String) -> Mutation {
        match self.append(event, res, None, Some(detail.clone()), None) {
            Ok(()) => Mutation {
                resource: res.clone(),
                restored: ok,
                detail,
            },
            Err(e) => Mutation {
                resource: res.clone(),
                restored: false,
                detail: e,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The delete's parameters the create sent in its body (a parent in the path, a query
    /// parameter) are bound from that body; the own id, the project and what the create's path
    /// bound already are left alone.
    #[test]
    fn a_deletes_parents_come_from_what_the_create_sent() {
        let delete = crate::contract::resources::Call {
            method: "DELETE".into(),
            path: "/v2/{project_id}/nat_gateways/{nat_gateway_id}/snat_rules/{id}".into(),
            body: None,
            query: [
                ("group".to_string(), json!("a")),
                ("id".to_string(), json!("{id}")),
            ]
            .into(),
        };
        // Beside the unknown field a negative case adds, the envelope is still read.
        let body = json!({"x": 1, "snat_rule": {"nat_gateway_id": "gw1", "group": "g1", "id": "x", "project_id": "p"}});
        let mut params = std::collections::BTreeMap::new();
        parents_sent(&delete, Some(&body), &mut params);
        assert_eq!(
            params,
            [
                ("group".to_string(), "g1".to_string()),
                ("nat_gateway_id".to_string(), "gw1".to_string())
            ]
            .into()
        );
        let mut bound: std::collections::BTreeMap<String, String> =
            [("nat_gateway_id".to_string(), "path".to_string())].into();
        parents_sent(&delete, Some(&body), &mut bound);
        assert_eq!(bound["nat_gateway_id"], "path");
    }
}
