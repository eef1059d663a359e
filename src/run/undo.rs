//! One case's undo, driven by the resource table: refuse a change the table cannot undo before
//! anything is sent; save each resource right before the first request that changes it (so ids
//! captured during the case are covered too); record what the case creates; after the case,
//! restore what was saved and delete what was created, each verified by a read.

use serde_json::Value;

use super::ledger::{self, Entry, Ledger, Mutation, Resource, Restorer, State};
use super::result::StepResult;
use super::RunCtx;
use crate::case::typed::Step;
use crate::case::vars::Vars;
use crate::case::Case;

/// Why a case is refused before it runs, if the table cannot undo one of its changes.
pub fn refusal(case: &Case, ctx: &RunCtx) -> Option<String> {
    if ctx.ledger.is_none() || ctx.allow_unrestorable {
        return None;
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

/// The undo book of one running case.
pub struct CaseUndo<'a> {
    ctx: &'a RunCtx,
    book: &'a Ledger,
    case: &'a str,
    restorer: Restorer<'a>,
    saved: Vec<(Resource, State)>,
    created: Vec<Resource>,
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
            created: Vec::new(),
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
    ) -> Result<(), String> {
        self.book.append(&Entry {
            event: event.into(),
            case: self.case.to_string(),
            resource: res.clone(),
            state,
            detail,
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
        if self.saved.iter().any(|(r, _)| *r == res) || self.created.contains(&res) {
            return Ok(());
        }
        // A resource that cannot be read (a missing id) has nothing to protect.
        let Ok(state) = self.restorer.read(&res).await else {
            return Ok(());
        };
        self.append("saved", &res, Some(state.clone()), None)?;
        self.saved.push((res, state));
        Ok(())
    }

    /// Records what a step created (a 2xx POST to a collection whose kind names the new id).
    pub fn after(&mut self, result: &StepResult) {
        let (Some(req), Some(resp)) = (&result.request, &result.response) else {
            return;
        };
        if req.method != "POST" || !(200..300).contains(&resp.status) {
            return;
        }
        let path = super::client::path_and_query(&req.url);
        if !ledger::is_collection_path(&path) {
            return;
        }
        let key = super::locks::resource_key(&path);
        let Some(collection) = key.split('/').nth(1) else {
            return;
        };
        let Some(kind) = self.ctx.contract.resources.by_collection(collection) else {
            return;
        };
        let Some(id) = kind
            .created_id
            .as_deref()
            .and_then(|p| resp.json.as_ref()?.pointer(p))
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        else {
            return;
        };
        if let Some(res) = self.resource_of(&format!("{key}/{id}")) {
            // Even if the ledger cannot be written, the case still deletes what it made.
            let _ = self.append("created", &res, None, None);
            self.created.push(res);
        }
    }

    /// Restores what was saved and deletes what was created, each verified by a read.
    pub async fn finish(self) -> Vec<Mutation> {
        let mut out = Vec::new();
        for (res, state) in &self.saved {
            let (event, ok, detail) = match self.restorer.restore(res, state).await {
                Ok(d) => ("restored", true, d),
                Err(e) => ("restore_failed", false, e),
            };
            out.push(self.record(event, res, ok, detail));
        }
        for res in &self.created {
            let (event, ok, detail) = match self.restorer.delete(res).await {
                Ok(d) => ("deleted", true, d),
                Err(e) => ("delete_failed", false, e),
            };
            out.push(self.record(event, res, ok, detail));
        }
        out
    }

    fn record(&self, event: &str, res: &Resource, ok: bool, detail: String) -> Mutation {
        match self.append(event, res, None, Some(detail.clone())) {
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
