//! Discovering, parsing and validating case files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use super::model::{BodyAssertion, CaseFile, Step};
use super::vars::{self, Vars};
use crate::contract::{Contract, SchemaKind};

/// A case file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct LoadError {
    /// The file, as given.
    pub file: String,
    /// 1-based line (0: the whole file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A selected case, small enough to keep by the thousand: enough to list it and to load it
/// again right before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRef {
    /// Case id.
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// Operation id.
    pub operation: String,
    /// Tags.
    pub tags: Vec<String>,
}

impl Case {
    /// The reference that stands for this case.
    pub fn to_ref(&self) -> CaseRef {
        CaseRef {
            id: self.id.clone(),
            path: self.path.clone(),
            operation: self.file.operation.value.clone(),
            tags: self.file.tags.clone(),
        }
    }
}

/// A loaded, validated case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Path under the cases folder without the extension.
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// The parsed model.
    pub file: CaseFile,
    /// Compiled `matches` patterns, by pattern text.
    pub regexes: HashMap<String, Regex>,
    /// Compiled snapshot redactions.
    pub snapshot_rules: crate::snapshot::redact::Rules,
}

impl Case {
    /// The operation of a step.
    pub fn operation_of<'a>(&'a self, step: &'a Step) -> &'a str {
        step.operation
            .as_ref()
            .map_or(&self.file.operation.value, |o| &o.value)
    }

    /// Steps then teardown steps, with a flag for teardown.
    pub fn all_steps(&self) -> impl Iterator<Item = (&Spanned<Step>, bool)> {
        self.file
            .steps
            .iter()
            .map(|s| (s, false))
            .chain(self.file.teardown.iter().map(|s| (s, true)))
    }
}

fn at(file: &str, loc: &Location, message: impl Into<String>) -> LoadError {
    LoadError {
        file: file.to_string(),
        line: loc.line() as usize,
        column: loc.column() as usize,
        message: message.into(),
    }
}

/// Lists case files (`.yaml`, `.yml`, `.json`) under a folder, sorted, with their ids.
pub fn discover(dir: &Path) -> Result<Vec<(String, PathBuf)>, LoadError> {
    if !dir.is_dir() {
        return Err(LoadError {
            file: dir.display().to_string(),
            line: 0,
            column: 0,
            message: "cases folder not found".into(),
        });
    }
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| LoadError {
            file: e
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| dir.display().to_string()),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        })?;
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        // Symlinks count too: a dangling one is then an unreadable case file, not a silent skip.
        if entry.file_type().is_dir() || !matches!(ext, "yaml" | "yml" | "json") {
            continue;
        }
        let rel = path.strip_prefix(dir).unwrap_or(path).with_extension("");
        let id = rel.to_string_lossy().replace('\\', "/");
        found.push((id, path.to_path_buf()));
    }
    Ok(found)
}

/// Reads, parses and validates one case file.
pub fn load_case(id: &str, path: &Path, contract: &Contract) -> Result<Case, LoadError> {
    let file = path.display().to_string();
    let whole = |message: String| LoadError {
        file: file.clone(),
        line: 0,
        column: 0,
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| whole("the file is not UTF-8 text".into()))?;
    let is_json = path.extension().is_some_and(|e| e == "json");
    if is_json {
        // JSON syntax errors are reported by a JSON parser, with its line and column.
        serde_json::from_str::<Value>(&text).map_err(|e| LoadError {
            file: file.clone(),
            line: e.line(),
            column: e.column(),
            message: format!("invalid JSON: {e}")
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string(),
        })?;
    }
    let model: CaseFile = serde_saphyr::from_str(&text).map_err(|e| {
        let (line, column, message) = crate::yaml::error_parts(&e);
        LoadError {
            file: file.clone(),
            line,
            column,
            message: if is_json {
                format!("invalid case: {message}")
            } else {
                message
            },
        }
    })?;
    let mut regexes = HashMap::new();
    validate(&file, &model, contract, &mut regexes)?;
    let snapshot_rules = match &model.snapshot {
        Some(s) => s
            .value
            .rules()
            .map_err(|m| at(&file, &s.referenced, format!("snapshot: {m}")))?,
        None => Default::default(),
    };
    Ok(Case {
        id: id.to_string(),
        path: path.to_path_buf(),
        file: model,
        regexes,
        snapshot_rules,
    })
}

fn validate(
    file: &str,
    model: &CaseFile,
    contract: &Contract,
    regexes: &mut HashMap<String, Regex>,
) -> Result<(), LoadError> {
    let check_op = |op: &Spanned<String>| -> Result<(), LoadError> {
        if contract.operation(&op.value).is_some() {
            return Ok(());
        }
        let hint = contract
            .closest_id(&op.value)
            .map(|c| format!(" (did you mean '{c}'?)"))
            .unwrap_or_default();
        Err(at(
            file,
            &op.referenced,
            format!("unknown operation '{}'{hint}", op.value),
        ))
    };
    check_op(&model.operation)?;
    if model.steps.is_empty() {
        return Err(at(
            file,
            &model.operation.referenced,
            "a case needs at least one step",
        ));
    }
    for r in &model.requires {
        // `var:NAME`: the case needs a target variable, and is skipped where it is undefined.
        let is_var = r.value.strip_prefix("var:").is_some_and(|n| !n.is_empty());
        if !is_var && !matches!(r.value.as_str(), "auth" | "token" | "aksk") {
            return Err(at(
                file,
                &r.referenced,
                format!(
                    "unknown requirement '{}' (known: auth, token, aksk, var:NAME)",
                    r.value
                ),
            ));
        }
    }
    for step in model.steps.iter().chain(&model.teardown) {
        let loc = &step.referenced;
        let s = &step.value;
        if let Some(op) = &s.operation {
            check_op(op)?;
        }
        let raw = [&s.request.method, &s.request.path, &s.request.service];
        let given = raw.iter().filter(|x| x.is_some()).count();
        if given != 0 && given != 3 {
            return Err(at(
                file,
                loc,
                "an out-of-contract request needs method, path and service together",
            ));
        }
        if let Some(m) = &s.request.method {
            if !matches!(
                m.as_str(),
                "GET" | "PUT" | "POST" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS"
            ) {
                return Err(at(file, loc, format!("unknown HTTP method '{m}'")));
            }
        }
        if s.request.body.is_some() && s.request.raw_body.is_some() {
            return Err(at(file, loc, "give either body or raw_body, not both"));
        }
        if let Some(status) = &s.expect.status {
            statuses(&status.value).map_err(|m| at(file, &status.referenced, m))?;
        }
        for a in &s.expect.body {
            check_assertion(&a.value).map_err(|m| at(file, &a.referenced, m))?;
            if let Some(p) = &a.value.matches {
                let re = Regex::new(p).map_err(|e| {
                    at(
                        file,
                        &a.referenced,
                        format!(
                            "invalid regex '{p}': {}",
                            e.to_string().lines().last().unwrap_or_default()
                        ),
                    )
                })?;
                regexes.insert(p.clone(), re);
            }
        }
        for (name, h) in &s.expect.headers {
            if let Some(p) = header_assertion(&h.value)
                .map_err(|m| at(file, &h.referenced, format!("header '{name}': {m}")))?
            {
                let re = Regex::new(&p).map_err(|e| {
                    at(
                        file,
                        &h.referenced,
                        format!(
                            "invalid regex '{p}': {}",
                            e.to_string().lines().last().unwrap_or_default()
                        ),
                    )
                })?;
                regexes.insert(p, re);
            }
        }
        for (name, c) in &s.capture {
            capture_spec(&c.value)
                .map_err(|m| at(file, &c.referenced, format!("capture '{name}': {m}")))?;
        }
    }
    Ok(())
}

/// The statuses an `expect.status` value allows.
pub fn statuses(v: &Value) -> Result<Vec<u16>, String> {
    // A status class ("4xx") stands for its hundred statuses: where the docs name no exact
    // status, a case expects the class rather than a guess.
    let one = |x: &Value| -> Result<Vec<u16>, String> {
        if let Some(class) = x
            .as_str()
            .and_then(|s| s.strip_suffix("xx"))
            .and_then(|d| d.parse::<u16>().ok())
            .filter(|d| (1..=5).contains(d))
        {
            return Ok((class * 100..class * 100 + 100).collect());
        }
        x.as_u64()
            .filter(|n| (100..=599).contains(n))
            .map(|n| vec![n as u16])
            .ok_or_else(|| format!("invalid status {x}: expected an HTTP status from 100 to 599 or a class \"1xx\" to \"5xx\""))
    };
    match v {
        Value::Array(a) if !a.is_empty() => {
            Ok(a.iter().map(one).collect::<Result<Vec<_>, _>>()?.concat())
        }
        Value::Array(_) => Err("invalid status: the list is empty".into()),
        other => one(other),
    }
}

/// Checks an RFC 6901 JSON pointer.
pub fn check_pointer(p: &str) -> Result<(), String> {
    if !p.is_empty() && !p.starts_with('/') {
        return Err(format!(
            "invalid JSON pointer '{p}': it must be empty or start with '/'"
        ));
    }
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.peek(), Some('0') | Some('1')) {
            return Err(format!(
                "invalid JSON pointer '{p}': '~' must be followed by 0 or 1"
            ));
        }
    }
    Ok(())
}

fn check_assertion(a: &BodyAssertion) -> Result<(), String> {
    check_pointer(&a.pointer)?;
    let n = [
        a.equals.is_some(),
        a.matches.is_some(),
        a.type_.is_some(),
        a.bytes.is_some(),
        a.chars.is_some(),
        a.present.is_some(),
        a.absent.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if n == 0 {
        return Err(format!("assertion at '{}' checks nothing: give equals, matches, type, bytes, chars, present or absent", a.pointer));
    }
    if let Some(t) = &a.type_ {
        if !matches!(
            t.as_str(),
            "string" | "integer" | "number" | "boolean" | "object" | "array" | "null"
        ) {
            return Err(format!(
                "unknown type '{t}' (string, integer, number, boolean, object, array, null)"
            ));
        }
    }
    Ok(())
}

/// A header assertion's regex, if it has one; errors for a malformed form.
pub fn header_assertion(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::String(_) => Ok(None),
        Value::Object(o) => {
            for k in o.keys() {
                if !matches!(k.as_str(), "equals" | "matches" | "present" | "absent") {
                    return Err(format!(
                        "unknown key '{k}' (equals, matches, present, absent)"
                    ));
                }
            }
            if o.is_empty() {
                return Err("checks nothing".into());
            }
            Ok(o.get("matches").and_then(Value::as_str).map(str::to_string))
        }
        _ => Err("expected a string or {equals|matches|present|absent}".into()),
    }
}

/// Where a capture reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureSpec {
    /// A JSON pointer into the body.
    Body(String),
    /// A response header.
    Header(String),
}

/// Parses a capture: `/pointer`, `{pointer: /p}` or `{header: Name}`.
pub fn capture_spec(v: &Value) -> Result<CaptureSpec, String> {
    match v {
        Value::String(p) => {
            check_pointer(p)?;
            Ok(CaptureSpec::Body(p.clone()))
        }
        Value::Object(o) if o.len() == 1 => match o.iter().next() {
            Some((k, Value::String(p))) if k == "pointer" => {
                check_pointer(p)?;
                Ok(CaptureSpec::Body(p.clone()))
            }
            Some((k, Value::String(h))) if k == "header" => Ok(CaptureSpec::Header(h.clone())),
            _ => Err("expected {pointer: /p} or {header: Name}".into()),
        },
        _ => Err("expected a JSON pointer, {pointer: /p} or {header: Name}".into()),
    }
}

/// Checks what needs a variable scope: every `${…}` resolves (captures of earlier steps count),
/// and a case expecting success sends a body the contract accepts.
pub fn prepare(case: &Case, contract: &Contract, base: &Vars) -> Result<(), LoadError> {
    let file = case.path.display().to_string();
    let mut scope = base.clone();
    scope.set_defaults(&case.file.vars);
    // A case needing a variable the target lacks is skipped when it runs, saying which.
    if case.file.requires.iter().any(|r| {
        r.value
            .strip_prefix("var:")
            .is_some_and(|n| !scope.contains(n))
    }) {
        return Ok(());
    }
    let mut captured: Vec<String> = Vec::new();
    for (step, _) in case.all_steps() {
        let s = &step.value;
        let r = &s.request;
        // Each text is checked with the position of the node it came from.
        let mut texts: Vec<(String, Location)> = Vec::new();
        let mut add = |v: &Value, loc: Location| {
            let mut found = Vec::new();
            vars::strings_of(v, &mut found);
            texts.extend(found.into_iter().map(|t| (t, loc)));
        };
        for v in r.params.values().chain(r.query.values()) {
            add(v, step.referenced);
        }
        if let Some(b) = &r.body {
            add(&b.value, b.referenced);
        }
        for a in &s.expect.body {
            if let Some(e) = &a.value.equals {
                add(e, a.referenced);
            }
        }
        texts.extend(
            r.headers
                .values()
                .chain(r.raw_body.iter())
                .chain(r.path.iter())
                .map(|t| (t.clone(), step.referenced)),
        );
        // Path parameters default to the variable of the same name.
        if r.path.is_none() {
            if let Some(op) = contract.operation(case.operation_of(s)) {
                for p in &op.path_params {
                    if !r.params.contains_key(p) && !scope.contains(p) && !captured.contains(p) {
                        return Err(at(&file, &step.referenced, format!("undefined variable '{p}' (path parameter of {}): define it in the target, with --var or in the case's vars", op.id)));
                    }
                }
            }
        }
        for (t, loc) in &texts {
            for e in vars::expressions(t) {
                vars::check(&e, &scope, &captured)
                    .map_err(|err| at(&file, loc, err.to_string()))?;
            }
        }
        contract_agreement(case, s, contract, &scope).map_err(|m| {
            at(
                &file,
                &s.request
                    .body
                    .as_ref()
                    .map_or(step.referenced, |b| b.referenced),
                m,
            )
        })?;
        captured.extend(s.capture.keys().cloned());
    }
    Ok(())
}

/// A step that expects only 2xx must send a body the derived request schema accepts.
fn contract_agreement(
    case: &Case,
    s: &Step,
    contract: &Contract,
    scope: &Vars,
) -> Result<(), String> {
    let Some(body) = &s.request.body else {
        return Ok(());
    };
    if s.request.path.is_some() {
        return Ok(());
    }
    let expected = match &s.expect.status {
        Some(st) => statuses(&st.value).unwrap_or_default(),
        None => return Ok(()),
    };
    if expected.is_empty() || !expected.iter().all(|c| (200..300).contains(c)) {
        return Ok(());
    }
    let op = case.operation_of(s);
    let Some(validator) = contract.validator(op, SchemaKind::Request) else {
        return Ok(());
    };
    // Bodies that use captured values are checked at run time only.
    let Ok(resolved) = scope.expand(&body.value) else {
        return Ok(());
    };
    let errors: Vec<String> = validator
        .iter_errors(&resolved)
        .map(|e| format!("'{}': {}", e.instance_path().as_str(), e.masked()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("case contradicts the contract: it expects success, but the body breaks the request schema of {op}: {}", errors.join("; ")))
    }
}
