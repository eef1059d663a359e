//! Requests that are one of several bodies: a request schema whose top level is a `oneOf` (the
//! actions of a shared endpoint, `{"os-extend": {…}}` or `{"os-start": {…}}`).
//!
//! No single body stands for such an operation (an empty object matches no alternative), so its
//! body cases are made per alternative: a success case each (`success__os_extend`, operation
//! `op#os-extend`) whose body holds that alternative's required fields and matches it alone, and
//! the field, boundary, binding and random cases of each alternative, built on that
//! alternative's body. What a case expects is decided by the whole request schema, never by the
//! alternative alone: a body that breaks alternative A but matches B would be accepted, so it is
//! not sent as an invalid case, and a success case must match its own alternative only. The
//! operation's other cases (shape, path, preconditions, auth) send the first alternative's body
//! that the whole schema accepts.

use serde_json::Value;

use crate::contract::{Operation, ALTERNATIVE_SEPARATOR};

use super::{label, OpGen};
use crate::contract::rules;

/// One alternative of a request's `oneOf`, as the generator uses it.
pub(super) struct Alternative<'a> {
    /// Its name: the contract's, else its `title`, else its single required top-level key, else
    /// its index in the `oneOf`.
    name: String,
    /// What a case file names as its operation: `op#name` where the contract knows the
    /// alternative (so the loader checks a success body against it), else the operation id.
    reference: String,
    /// The file-name-safe name (`os-extend` → `os_extend`).
    label: String,
    /// Its schema: the `oneOf` entry.
    schema: &'a Value,
    /// The page documenting it, where the contract says.
    page: Option<String>,
    /// Its validator, compiled standalone; `None` when it does not compile on its own, and then
    /// only the whole schema decides.
    validator: Option<jsonschema::Validator>,
}

impl Alternative<'_> {
    /// Whether a body matches this alternative.
    pub(super) fn matches(&self, body: &Value) -> bool {
        self.validator.as_ref().is_none_or(|v| v.is_valid(body))
    }

    /// What a case file names as its operation.
    pub(super) fn reference(&self) -> &str {
        &self.reference
    }

    /// The name of one of this alternative's cases: `success` → `success__os_extend`; a case of a
    /// field under the alternative's own key (`os_extend_new_size__type_string`) already says
    /// which alternative it is about and keeps its name.
    pub(super) fn case_name(&self, name: &str) -> String {
        if name.starts_with(&format!("{}_", self.label)) {
            name.to_string()
        } else {
            format!("{name}__{}", self.label)
        }
    }

    /// A case description that names the alternative (`op#os-extend: …`).
    pub(super) fn describe(&self, op: &Operation, description: &str) -> String {
        format!(
            "{}{ALTERNATIVE_SEPARATOR}{}: {description}",
            op.id, self.name
        )
    }
}

/// The alternatives of a request schema whose top level is a non-empty `oneOf` (or `anyOf`,
/// where derive found them overlapping).
pub(super) fn one_of(request: &Value) -> Option<&Vec<Value>> {
    request
        .get("oneOf")
        .or_else(|| request.get("anyOf"))
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
}

/// The alternatives of an operation's request, in `oneOf` order; empty when it is not a `oneOf`.
pub(super) fn of<'a>(op: &Operation, request: &'a Value) -> Vec<Alternative<'a>> {
    let Some(entries) = one_of(request) else {
        return Vec::new();
    };
    entries
        .iter()
        .enumerate()
        .map(|(index, schema)| {
            let known = op.alternatives.iter().find(|a| a.index == index);
            let name = known.map_or_else(|| name_of(schema, index), |a| a.name.clone());
            let reference = match known {
                Some(a) => format!("{}{ALTERNATIVE_SEPARATOR}{}", op.id, a.name),
                None => op.id.clone(),
            };
            // The entry alone, in the whole schema's dialect.
            let mut standalone = schema.clone();
            if let (Value::Object(m), Some(d)) = (&mut standalone, request.get("$schema")) {
                m.insert("$schema".into(), d.clone());
            }
            Alternative {
                label: label(&name),
                name,
                reference,
                schema,
                page: known.and_then(|a| a.sources.first().cloned()),
                validator: crate::contract::keywords::compile(&standalone).ok(),
            }
        })
        .collect()
}

/// The name of an alternative the contract does not name: its title, else its single required
/// top-level key, else its index.
fn name_of(schema: &Value, index: usize) -> String {
    if let Some(title) = schema
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    {
        return title.to_string();
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    match required.as_slice() {
        [one] => (*one).to_string(),
        _ => index.to_string(),
    }
}

impl<'a> OpGen<'a> {
    /// The body cases of an operation whose request is a `oneOf`: per alternative its success,
    /// field, binding and random cases, then the shape cases on the first body the whole schema
    /// accepts, which the operation's later cases also send. Returns false (and does nothing)
    /// when the request is not a `oneOf`.
    pub(super) fn alternative_cases(&mut self) -> bool {
        let Some(request) = self.request else {
            return false;
        };
        let alternatives = of(self.op, request);
        let Some(first) = alternatives.first().map(|a| a.schema) else {
            return false;
        };
        let mut lead = None;
        let page = self.page.clone();
        for alternative in alternatives {
            let schema = alternative.schema;
            // Its cases cite the page of its own body.
            self.page = alternative.page.clone().unwrap_or_else(|| page.clone());
            self.request = Some(schema);
            self.bound = rules::bound_param(self.op, Some(schema));
            self.alternative = Some(alternative);
            if lead.is_none() && self.base_body().is_some_and(|b| self.accepts(&b)) {
                lead = Some(schema);
            }
            self.success_case();
            for site in rules::sites(schema) {
                self.site_cases(&site);
            }
            self.binding_case();
            self.random_cases(schema);
        }
        // The operation's own cases are not about one alternative: they keep its id and names.
        self.alternative = None;
        self.page = page;
        let lead = lead.unwrap_or(first);
        self.request = Some(lead);
        self.bound = rules::bound_param(self.op, Some(lead));
        self.shape_cases(lead);
        true
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use crate::contract::{Alternative as Alt, Contract, Operation, SchemaKind, Source};
    use crate::generate::{generate, Options};

    /// A synthetic action endpoint: two bodies, each under its own key, neither closed to other
    /// keys (as derive writes them), one with limits to make boundary cases of.
    fn action_contract(named: bool) -> Contract {
        action_contract_keyed(named, "oneOf")
    }

    /// The action endpoint with its alternatives under `keyword` (`oneOf`, or `anyOf` where
    /// derive found them overlapping).
    fn action_contract_keyed(named: bool, keyword: &str) -> Contract {
        let request = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            keyword: [
                {
                    "title": "os-start",
                    "type": "object",
                    "required": ["os-start"],
                    "properties": {"os-start": {
                        "type": "object",
                        "properties": {"reason": {"type": "string", "maxLength": 8, "x-source": "start.md:12"}}
                    }}
                },
                {
                    "type": "object",
                    "required": ["os-resize"],
                    "properties": {"os-resize": {
                        "type": "object",
                        "required": ["size"],
                        "properties": {
                            "size": {"type": "integer", "minimum": 1, "maximum": 10, "x-source": "resize.md:14"},
                            "mode": {"type": "string", "enum": ["fast", "slow"], "x-source": "resize.md:15"}
                        }
                    }}
                }
            ]
        });
        let alternatives = if named {
            vec![
                Alt {
                    name: "os-start".into(),
                    index: 0,
                    sources: vec!["start.md".into()],
                },
                Alt {
                    name: "os-resize".into(),
                    index: 1,
                    sources: vec!["resize.md".into()],
                },
            ]
        } else {
            Vec::new()
        };
        let op = Operation {
            title: "Widget action".into(),
            success: vec![202],
            request_body: true,
            response_body: false,
            sources: vec![Source {
                file: "start.md".into(),
                lang: "zh".into(),
                joined_by: None,
            }],
            alternatives,
            ..Operation::new(
                "demo.widget_action.v2",
                "demo",
                "POST",
                "/v2/{project_id}/widgets/{widget_id}/action",
            )
        };
        let mut schemas = BTreeMap::new();
        schemas.insert((op.id.clone(), SchemaKind::Request), request);
        Contract::from_parts(
            vec![op],
            schemas,
            BTreeMap::new(),
            std::path::Path::new("."),
        )
        .expect("the synthetic contract compiles")
    }

    /// The request body, expected statuses and operation of a generated case file.
    fn parts(yaml: &str) -> (Option<serde_json::Value>, String, String) {
        let line = |key: &str| {
            yaml.lines()
                .find_map(|l| l.trim_start().strip_prefix(key))
                .map(str::to_string)
        };
        let body = line("body: ").and_then(|b| serde_json::from_str(&b).ok());
        (
            body,
            line("status: ").unwrap_or_default(),
            line("operation: ").unwrap_or_default(),
        )
    }

    #[test]
    fn each_alternative_gets_a_success_case_whose_body_matches_it_alone() {
        for named in [true, false] {
            let contract = action_contract(named);
            let cases = generate(&contract, &Options::default()).expect("generates");
            let full = contract
                .validator("demo.widget_action.v2", SchemaKind::Request)
                .expect("request validator");
            let request = contract
                .schema("demo.widget_action.v2", SchemaKind::Request)
                .expect("request schema");
            let alternatives: Vec<jsonschema::Validator> = request["oneOf"]
                .as_array()
                .expect("oneOf")
                .iter()
                .map(|a| crate::contract::keywords::compile(a).expect("compiles"))
                .collect();
            for (name, index) in [("os_start", 0), ("os_resize", 1)] {
                let case = success_case(&cases, name);
                let id = &case.id;
                let (body, status, operation) = parts(&case.yaml);
                let body = body.expect("a body");
                assert_eq!(status, "202");
                assert!(full.is_valid(&body), "{id}: {body}");
                let matching: Vec<usize> = (0..alternatives.len())
                    .filter(|&i| alternatives[i].is_valid(&body))
                    .collect();
                assert_eq!(matching, vec![index], "{id}: {body}");
                let dashed = name.replace('_', "-");
                if named {
                    assert_eq!(operation, format!("\"demo.widget_action.v2#{dashed}\""));
                } else {
                    // Named by title or single required key; the contract cannot address it.
                    assert_eq!(operation, "\"demo.widget_action.v2\"");
                    assert!(case
                        .yaml
                        .contains(&format!("demo.widget_action.v2#{dashed}:")));
                }
            }
            assert!(
                !cases
                    .iter()
                    .any(|c| c.id == "demo/widget_action_v2/success"),
                "no success case with an empty body"
            );
        }
    }

    #[test]
    fn overlapping_alternatives_under_any_of_each_get_a_success_case() {
        let contract = action_contract_keyed(true, "anyOf");
        let cases = generate(&contract, &Options::default()).expect("generates");
        let full = contract
            .validator("demo.widget_action.v2", SchemaKind::Request)
            .expect("request validator");
        for (name, index) in [("os_start", 0), ("os_resize", 1)] {
            let case = success_case(&cases, name);
            let id = &case.id;
            let (body, _, operation) = parts(&case.yaml);
            let body = body.expect("a body");
            assert!(full.is_valid(&body), "{id}: {body}");
            let alt = contract
                .operation_alternative(&format!("demo.widget_action.v2#{}", name.replace('_', "-")))
                .expect("the alternative is addressable")
                .1
                .expect("named");
            assert_eq!(alt.index, index);
            assert!(operation.contains('#'), "{operation}");
        }
    }

    fn ids(cases: &[crate::generate::GeneratedCase]) -> Vec<&str> {
        cases.iter().map(|c| c.id.as_str()).collect()
    }

    /// The success case of the demo action's alternative `name`.
    fn success_case<'c>(
        cases: &'c [crate::generate::GeneratedCase],
        name: &str,
    ) -> &'c crate::generate::GeneratedCase {
        let id = format!("demo/widget_action_v2/success__{name}");
        cases
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id} in {:?}", ids(cases)))
    }

    #[test]
    fn no_generated_case_expects_what_the_whole_request_schema_contradicts() {
        let contract = action_contract(true);
        let cases = generate(&contract, &Options::default()).expect("generates");
        let full = contract
            .validator("demo.widget_action.v2", SchemaKind::Request)
            .expect("request validator");
        let mut success = 0;
        let mut refused = 0;
        for c in &cases {
            let (Some(body), status, operation) = parts(&c.yaml) else {
                continue;
            };
            let reference = operation.trim_matches('"');
            let own = contract
                .validator(reference, SchemaKind::Request)
                .expect("the case's operation resolves");
            match status.as_str() {
                "202" => {
                    success += 1;
                    assert!(
                        full.is_valid(&body) && own.is_valid(&body),
                        "{}: {body}",
                        c.id
                    );
                }
                // A refusal about a field: the path and auth cases send a valid body on purpose.
                "\"4xx\"" | "400" if c.yaml.contains(".v2:/") => {
                    refused += 1;
                    assert!(!full.is_valid(&body), "{}: {body}", c.id);
                }
                _ => {}
            }
        }
        // Boundaries of both alternatives are there: the string limit and the integer range.
        for id in [
            "os_start_reason__max_length_over",
            "os_resize_size__maximum_past",
            "os_resize_size__minimum_at_limit",
            "os_resize_mode__enum_outside",
            "os_resize__required_missing",
            "data__valid_01__os_start",
            "data__invalid_01__os_resize",
        ] {
            let id = format!("demo/widget_action_v2/{id}");
            assert!(
                cases.iter().any(|c| c.id == id),
                "{id} in {:?}",
                ids(&cases)
            );
        }
        assert!(success >= 4 && refused >= 4, "{success} {refused}");
        // The operation's own cases send a valid body under the operation id.
        let unknown = cases
            .iter()
            .find(|c| c.id == "demo/widget_action_v2/path_widget_id__unknown")
            .expect("the unknown-id case");
        let (body, _, operation) = parts(&unknown.yaml);
        assert_eq!(operation, "\"demo.widget_action.v2\"");
        assert!(full.is_valid(&body.expect("a body")));
        // And every documented rule of both alternatives is listed.
        let rules: Vec<String> = crate::contract::rules::rules(&contract, &contract.operations[0])
            .into_iter()
            .map(|r| r.id)
            .collect();
        for r in [
            "rule:demo.widget_action.v2:/os-start/reason:maxLength",
            "rule:demo.widget_action.v2:/os-resize/size:maximum",
            "rule:demo.widget_action.v2:/os-resize:required",
        ] {
            assert!(rules.iter().any(|x| x == r), "{r} in {rules:?}");
        }
    }
}
