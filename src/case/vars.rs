//! Variables: `${name}`, `${env.NAME}` and generators (`${uuid}`, `${run_id}`,
//! `${repeat("字", 85)}`), interpolated into strings and JSON values.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

static EXPR: LazyLock<Regex> = LazyLock::new(|| crate::statics::regex(r"\$\{([^}]*)\}"));
static REPEAT: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r#"^repeat\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*(\d+)\s*\)$"#));
static NAME: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"^[A-Za-z_][A-Za-z0-9_\-]*$"));

/// Largest `repeat` count, so a typo cannot allocate gigabytes.
const REPEAT_LIMIT: usize = 1 << 20;

/// Why an expression cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VarError {
    /// No such variable.
    #[error("undefined variable '{0}'")]
    Undefined(String),
    /// `${env.X}` with X unset.
    #[error("environment variable '{0}' is not set")]
    UnsetEnv(String),
    /// Not a known form.
    #[error("invalid expression '${{{0}}}': expected a name, env.NAME, uuid, run_id or repeat(\"text\", N)")]
    Invalid(String),
    /// `${` without its closing `}`.
    #[error("unclosed expression '{0}': a '${{' needs a closing '}}'")]
    Unclosed(String),
    /// A `repeat` that would build a huge string.
    #[error("'${{{expr}}}' would build more than {limit} bytes")]
    TooLarge {
        /// The expression.
        expr: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A case variable refers to one defined after it (or to itself).
    #[error("variable '{name}' refers to '{refers}', which is not defined before it (case vars are expanded in order; a variable cannot refer to itself or to a later one)")]
    Order {
        /// The variable being defined.
        name: String,
        /// The variable it refers to.
        refers: String,
    },
}

/// A scope of variables.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, Value>,
    run_id: String,
}

impl Vars {
    /// A scope for one run.
    pub fn new(run_id: impl Into<String>) -> Vars {
        Vars {
            values: BTreeMap::new(),
            run_id: run_id.into(),
        }
    }

    /// The same variables under another run id: a scope whose rendering does not change from
    /// one process to the next (shard keys must agree across a CI matrix).
    pub fn with_run_id(&self, run_id: impl Into<String>) -> Vars {
        Vars {
            values: self.values.clone(),
            run_id: run_id.into(),
        }
    }

    /// The run id (`${run_id}`).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Sets a variable (later sets win).
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    /// Adds variables that are not set yet.
    pub fn set_defaults(&mut self, defaults: &BTreeMap<String, Value>) {
        for (k, v) in defaults {
            self.values.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }

    /// Defines a case's `vars:` in order: each value is expanded with everything defined before
    /// it (the run's variables and the earlier case vars). A name the run already defines (the
    /// target, `--vars-file`, `--var`) keeps the run's value. On failure, returns the index of
    /// the variable that could not be defined.
    pub fn define_in_order(&mut self, defs: &[(String, Value)]) -> Result<(), (usize, VarError)> {
        let fixed: Vec<bool> = defs.iter().map(|(k, _)| self.contains(k)).collect();
        for (i, (name, value)) in defs.iter().enumerate() {
            if fixed[i] {
                continue;
            }
            let expanded = self.expand(value).map_err(|e| {
                let e = match e {
                    VarError::Undefined(r) if defs[i..].iter().any(|(k, _)| *k == r) => {
                        VarError::Order {
                            name: name.clone(),
                            refers: r,
                        }
                    }
                    other => other,
                };
                (i, e)
            })?;
            self.set(name.clone(), expanded);
        }
        Ok(())
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Whether a value is one of the ids the target names as another project's
    /// (`other_project_…` variables, as the built-in fixtures and `doctor` name them).
    pub fn is_other_projects(&self, value: &Value) -> bool {
        self.values
            .range::<str, _>((
                std::ops::Bound::Included("other_project_"),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(k, _)| k.starts_with("other_project_"))
            .any(|(k, v)| k != "other_project_id" && v == value)
    }

    /// Whether a name is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    fn eval(&self, expr: &str) -> Result<Value, VarError> {
        let e = expr.trim();
        if let Some(name) = e.strip_prefix("env.") {
            return std::env::var(name)
                .map(Value::String)
                .map_err(|_| VarError::UnsetEnv(name.into()));
        }
        match e {
            "uuid" => return Ok(Value::String(uuid::Uuid::new_v4().to_string())),
            "run_id" => return Ok(Value::String(self.run_id.clone())),
            _ => {}
        }
        if let Some(c) = REPEAT.captures(e) {
            let text = c[1].replace("\\\"", "\"").replace("\\\\", "\\");
            let n: usize = c[2].parse().map_err(|_| VarError::TooLarge {
                expr: e.into(),
                limit: REPEAT_LIMIT,
            })?;
            if n.saturating_mul(text.len()) > REPEAT_LIMIT {
                return Err(VarError::TooLarge {
                    expr: e.into(),
                    limit: REPEAT_LIMIT,
                });
            }
            return Ok(Value::String(text.repeat(n)));
        }
        if NAME.is_match(e) {
            return self
                .values
                .get(e)
                .cloned()
                .ok_or_else(|| VarError::Undefined(e.into()));
        }
        Err(VarError::Invalid(e.into()))
    }

    /// Interpolates a string. A string that is exactly one `${…}` keeps the variable's JSON type.
    pub fn expand_str(&self, s: &str) -> Result<Value, VarError> {
        if !s.contains("${") {
            return Ok(Value::String(s.to_string()));
        }
        check_closed(s)?;
        if let Some(c) = EXPR.captures(s) {
            if c.get(0)
                .is_some_and(|m| m.start() == 0 && m.end() == s.len())
            {
                return self.eval(&c[1]);
            }
        }
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for c in EXPR.captures_iter(s) {
            let m = c.get(0).expect("group 0 always exists");
            out.push_str(&s[last..m.start()]);
            match self.eval(&c[1])? {
                Value::String(v) => out.push_str(&v),
                other => out.push_str(&other.to_string()),
            }
            last = m.end();
        }
        out.push_str(&s[last..]);
        Ok(Value::String(out))
    }

    /// Interpolates a string that must stay a string.
    pub fn expand_text(&self, s: &str) -> Result<String, VarError> {
        Ok(match self.expand_str(s)? {
            Value::String(v) => v,
            other => other.to_string(),
        })
    }

    /// Interpolates every string (and object key) of a JSON value.
    pub fn expand(&self, v: &Value) -> Result<Value, VarError> {
        Ok(match v {
            Value::String(s) => self.expand_str(s)?,
            Value::Array(a) => {
                Value::Array(a.iter().map(|x| self.expand(x)).collect::<Result<_, _>>()?)
            }
            Value::Object(o) => {
                let mut m = serde_json::Map::new();
                for (k, x) in o {
                    m.insert(self.expand_text(k)?, self.expand(x)?);
                }
                Value::Object(m)
            }
            other => other.clone(),
        })
    }
}

/// Whether `name` can be a variable's name (`${name}` refers to it): a key such as
/// `func_vpc.vpc_id` cannot.
pub fn is_name(name: &str) -> bool {
    NAME.is_match(name)
}

/// The variable names a string refers to (generators and env excluded).
pub fn references(s: &str) -> Vec<String> {
    EXPR.captures_iter(s)
        .map(|c| c[1].trim().to_string())
        .filter(|e| NAME.is_match(e) && e != "uuid" && e != "run_id")
        .collect()
}

/// Every expression in a string, for validation; an unclosed `${` is an error.
pub fn expressions(s: &str) -> Result<Vec<String>, VarError> {
    check_closed(s)?;
    Ok(EXPR.captures_iter(s).map(|c| c[1].to_string()).collect())
}

/// Fails when a `${` has no closing `}` (the text between complete expressions still holds one).
fn check_closed(s: &str) -> Result<(), VarError> {
    let mut last = 0;
    for m in EXPR.find_iter(s) {
        if s[last..m.start()].contains("${") {
            return Err(VarError::Unclosed(s.to_string()));
        }
        last = m.end();
    }
    if s[last..].contains("${") {
        return Err(VarError::Unclosed(s.to_string()));
    }
    Ok(())
}

/// Checks an expression's form and, for env and names, that it resolves in `vars` (names listed
/// in `later` are accepted: they are captured by earlier steps at run time).
pub fn check(expr: &str, vars: &Vars, later: &[String]) -> Result<(), VarError> {
    let e = expr.trim();
    if NAME.is_match(e) && e != "uuid" && e != "run_id" {
        return if vars.contains(e) || later.iter().any(|l| l == e) {
            Ok(())
        } else {
            Err(VarError::Undefined(e.into()))
        };
    }
    vars.eval(e).map(|_| ())
}

/// Every string inside a JSON value (keys too).
pub fn strings_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings_of(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                out.push(k.clone());
                strings_of(x, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generators_and_names() {
        let mut v = Vars::new("run-1");
        v.set("id", json!("abc"));
        v.set("n", json!(3));
        assert_eq!(v.expand_str("x/${id}/y").unwrap(), json!("x/abc/y"));
        assert_eq!(v.expand_str("${n}").unwrap(), json!(3));
        assert_eq!(v.expand_str("${run_id}").unwrap(), json!("run-1"));
        let s = v.expand_text(r#"${repeat("字", 86)}"#).unwrap();
        assert_eq!((s.chars().count(), s.len()), (86, 258));
        assert_eq!(v.expand_text("${uuid}").unwrap().len(), 36);
        assert_eq!(
            v.expand_str("${nope}"),
            Err(VarError::Undefined("nope".into()))
        );
        assert!(matches!(
            v.expand_str("${repeat(x)}"),
            Err(VarError::Invalid(_))
        ));
        let huge = v.expand_str(r#"${repeat("a", 99999999)}"#).unwrap_err();
        assert_eq!(
            huge.to_string(),
            r#"'${repeat("a", 99999999)}' would build more than 1048576 bytes"#
        );
        assert_eq!(
            v.expand_str("x ${unclosed"),
            Err(VarError::Unclosed("x ${unclosed".into()))
        );
        assert!(matches!(
            expressions("${a} and ${b"),
            Err(VarError::Unclosed(_))
        ));
    }

    #[test]
    fn case_vars_expand_in_order_and_refuse_cycles() {
        let mut v = Vars::new("r1");
        v.set("fixed", json!("from-run"));
        v.define_in_order(&[
            ("a".into(), json!("renamed-${run_id}")),
            ("b".into(), json!({"x": "${a}/${fixed}"})),
            ("fixed".into(), json!("ignored")),
        ])
        .unwrap();
        assert_eq!(v.get("a"), Some(&json!("renamed-r1")));
        assert_eq!(v.get("b"), Some(&json!({"x": "renamed-r1/from-run"})));
        assert_eq!(v.get("fixed"), Some(&json!("from-run")));
        let mut w = Vars::new("r");
        let err = w
            .define_in_order(&[("a".into(), json!("${b}")), ("b".into(), json!("${a}"))])
            .unwrap_err();
        assert_eq!(
            err,
            (
                0,
                VarError::Order {
                    name: "a".into(),
                    refers: "b".into()
                }
            )
        );
        let mut s = Vars::new("r");
        let err = s
            .define_in_order(&[("a".into(), json!("${a}"))])
            .unwrap_err();
        assert!(matches!(err.1, VarError::Order { .. }), "{err:?}");
    }

    #[test]
    fn env_variables() {
        let v = Vars::new("r");
        assert_eq!(
            v.expand_str("${env.CONFORM_SURELY_UNSET_VAR}"),
            Err(VarError::UnsetEnv("CONFORM_SURELY_UNSET_VAR".into()))
        );
        assert!(v.expand_text("${env.PATH}").is_ok());
    }
}
