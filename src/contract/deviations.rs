//! The built-in mock's named deviations as typed data: where it answers something the reference
//! pages do not state, whose behaviour it follows instead, and what of that the OpenAPI export
//! states as contract.
//!
//! The list lives in `src/mock/deviations.json` beside the mock that applies it; the mock's
//! handlers enforce each rule in Rust, and this module reads the same file so that the export
//! (`conform openapi`) says what they enforce: schema constraints on request bodies
//! (`request_schema`) and operations the mock serves that no page documents (`adds`). Nothing
//! here touches `schemas/`: the derived contract stays what the pages say (see
//! [`super::openapi::document`] for why).

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The file, compiled in: the export describes the mock of this binary.
const FILE: &str = include_str!("../mock/deviations.json");

/// The keyword beside a constrained schema object that names, per keyword, the deviation it
/// comes from, as `x-phrases` names the page phrase of a derived keyword.
pub const MARK: &str = "x-conform-deviation";

/// `src/mock/deviations.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviations {
    /// What the file is, for a reader of the JSON.
    pub about: String,
    /// Every named deviation.
    pub deviations: Vec<Deviation>,
}

/// One named deviation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// Its name, e.g. `snapshot-update-needs-a-field`.
    pub id: String,
    /// The operations it touches (`*`: every one).
    pub operations: Vec<String>,
    /// What the mock does.
    pub rule: String,
    /// What the pages say (or do not).
    pub docs: String,
    /// Whose behaviour it follows (`cinder`, `nova`, `pages`, `mock`).
    pub follows: String,
    /// Where that behaviour is written.
    pub source: String,
    /// The request-schema constraints the rule amounts to, for the export.
    #[serde(default)]
    pub request_schema: Vec<SchemaRule>,
    /// Operations the mock serves that no page documents, for the export.
    #[serde(default)]
    pub adds: Vec<AddedOperation>,
}

/// Keywords a deviation adds to one object of a request schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaRule {
    /// The operations whose request schema it constrains (empty: the deviation's own).
    #[serde(default)]
    pub operations: Vec<String>,
    /// JSON Pointer of the schema object within the request schema (`""`: its root).
    pub at: String,
    /// The keywords and their values.
    pub set: Map<String, Value>,
}

/// An operation the mock serves that no page documents.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddedOperation {
    /// Its id, in the deriver's scheme.
    pub id: String,
    /// The service.
    pub service: String,
    /// A title saying what it is and that no page documents it.
    pub title: String,
    /// HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Success statuses (answered without a body).
    pub success: Vec<u16>,
    /// The documented operation on the same path whose error envelope it answers with: the
    /// operation is exported only beside it, that is only for a contract where the mock's
    /// emulation of that path applies.
    pub beside: String,
}

/// Why `deviations.json` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DeviationsError {
    /// It is not the shape above.
    #[error("src/mock/deviations.json:{line}:{column}: {message}")]
    Parse {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde said.
        message: String,
    },
    /// Two deviations share a name.
    #[error("src/mock/deviations.json: the deviation '{0}' is named twice")]
    Duplicate(String),
}

/// A constraint of a deviation that could not be stated on a request schema: the schema lacks
/// the object, or the pages already state a different value for the keyword (the pages win).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unapplied {
    /// The deviation.
    pub deviation: String,
    /// Where, in the request schema.
    pub at: String,
    /// The keyword (empty when the object itself is missing).
    pub keyword: String,
}

/// The deviations of the mock compiled into this binary.
pub fn builtin() -> Result<Deviations, DeviationsError> {
    parse(FILE)
}

/// Parses a deviations file.
pub fn parse(text: &str) -> Result<Deviations, DeviationsError> {
    let d: Deviations = serde_json::from_str(text).map_err(|e| DeviationsError::Parse {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut seen = BTreeSet::new();
    for x in &d.deviations {
        if !seen.insert(x.id.as_str()) {
            return Err(DeviationsError::Duplicate(x.id.clone()));
        }
    }
    Ok(d)
}

impl Deviation {
    /// Whether it touches operation `id`.
    pub fn touches(&self, id: &str) -> bool {
        self.operations.iter().any(|o| o == id || o == "*")
    }
}

impl SchemaRule {
    fn applies_to(&self, deviation: &Deviation, id: &str) -> bool {
        if self.operations.is_empty() {
            deviation.operations.iter().any(|o| o == id)
        } else {
            self.operations.iter().any(|o| o == id)
        }
    }
}

impl Deviations {
    /// The deviations that touch operation `id`, in file order.
    pub fn of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Deviation> + 'a {
        self.deviations.iter().filter(move |d| d.touches(id))
    }

    /// Every operation the deviations add, with the deviation that adds it.
    pub fn added(&self) -> impl Iterator<Item = (&Deviation, &AddedOperation)> {
        self.deviations
            .iter()
            .flat_map(|d| d.adds.iter().map(move |a| (d, a)))
    }

    /// States on `schema` (the request schema of operation `id`) every constraint a deviation
    /// adds to it, each keyword named under [`MARK`] beside it. A keyword the schema already
    /// has with the same value is left unmarked (the pages state it); one it has with another
    /// value is kept and returned, as is a rule whose object the schema lacks.
    pub fn constrain(&self, id: &str, schema: &mut Value) -> Vec<Unapplied> {
        let mut unapplied = Vec::new();
        for d in &self.deviations {
            for rule in d.request_schema.iter().filter(|r| r.applies_to(d, id)) {
                let missing = |keyword: &str| Unapplied {
                    deviation: d.id.clone(),
                    at: rule.at.clone(),
                    keyword: keyword.to_string(),
                };
                let Some(object) = schema.pointer_mut(&rule.at).and_then(Value::as_object_mut)
                else {
                    unapplied.push(missing(""));
                    continue;
                };
                for (keyword, value) in &rule.set {
                    match object.get(keyword) {
                        Some(v) if v == value => {}
                        Some(_) => unapplied.push(missing(keyword)),
                        None => {
                            object.insert(keyword.clone(), value.clone());
                            let marks = object
                                .entry(MARK)
                                .or_insert_with(|| Value::Object(Map::new()));
                            if let Value::Object(marks) = marks {
                                marks.insert(keyword.clone(), Value::String(d.id.clone()));
                            }
                        }
                    }
                }
            }
        }
        unapplied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(rules: Value) -> Deviations {
        parse(
            &json!({"about": "t", "deviations": [{
                "id": "d1", "operations": ["a.op"], "rule": "r", "docs": "d", "follows": "f",
                "source": "s", "request_schema": rules,
            }]})
            .to_string(),
        )
        .expect("parses")
    }

    #[test]
    fn the_shipped_file_parses_into_the_typed_list() {
        let d = builtin().expect("deviations.json parses");
        assert!(d.deviations.len() >= 8);
        assert!(d.deviations.iter().any(|x| !x.request_schema.is_empty()));
        assert!(d.added().next().is_some());
    }

    #[test]
    fn a_constraint_is_added_and_marked_per_keyword() {
        let d = one(json!([
            {"at": "/properties/meta", "set": {"minProperties": 1, "maxProperties": 1}},
            {"at": "", "set": {"additionalProperties": false}},
        ]));
        let mut s = json!({"properties": {"meta": {"type": "object"}}});
        assert!(d.constrain("a.op", &mut s).is_empty());
        let meta = &s["properties"]["meta"];
        assert_eq!(meta["minProperties"], 1);
        assert_eq!(meta["maxProperties"], 1);
        assert_eq!(
            meta[MARK],
            json!({"minProperties": "d1", "maxProperties": "d1"})
        );
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s[MARK], json!({"additionalProperties": "d1"}));
        // Another operation is untouched.
        let mut other = json!({"properties": {"meta": {"type": "object"}}});
        assert!(d.constrain("b.op", &mut other).is_empty());
        assert!(other["properties"]["meta"].get("minProperties").is_none());
    }

    #[test]
    fn a_rule_may_name_its_own_operations() {
        let d = one(json!([{"operations": ["b.op"], "at": "", "set": {"minProperties": 1}}]));
        let mut a = json!({});
        d.constrain("a.op", &mut a);
        assert!(a.get("minProperties").is_none(), "not the deviation's list");
        let mut b = json!({});
        d.constrain("b.op", &mut b);
        assert_eq!(b["minProperties"], 1);
    }

    #[test]
    fn the_pages_win_and_what_cannot_be_stated_is_returned() {
        let d = one(json!([
            {"at": "", "set": {"maxLength": 255, "pattern": "^a$"}},
            {"at": "/properties/nowhere", "set": {"minProperties": 1}},
        ]));
        let mut s = json!({"maxLength": 255, "pattern": "^b$"});
        let un = d.constrain("a.op", &mut s);
        assert_eq!(
            s,
            json!({"maxLength": 255, "pattern": "^b$"}),
            "nothing changed"
        );
        assert_eq!(
            un,
            vec![
                Unapplied {
                    deviation: "d1".into(),
                    at: String::new(),
                    keyword: "pattern".into()
                },
                Unapplied {
                    deviation: "d1".into(),
                    at: "/properties/nowhere".into(),
                    keyword: String::new()
                },
            ]
        );
    }

    #[test]
    fn a_malformed_or_ambiguous_file_is_a_typed_error() {
        assert!(matches!(
            parse(r#"{"about": "t", "deviations": [{"id": 1}]}"#),
            Err(DeviationsError::Parse { line: 1, .. })
        ));
        let entry = json!({"id": "x", "operations": [], "rule": "r", "docs": "d", "follows": "f", "source": "s"});
        let twice = json!({"about": "t", "deviations": [entry.clone(), entry]}).to_string();
        assert!(matches!(parse(&twice), Err(DeviationsError::Duplicate(id)) if id == "x"));
    }
}
