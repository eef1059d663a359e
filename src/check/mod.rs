//! Pure checks: (expectation, contract, response) → findings.
//!
//! Four checks, in order: the status; a JSON content type wherever a body is documented; the body
//! against the derived schema for (operation, status), every violation reported; the case's own
//! assertions. Undocumented fields are "drift": a warning, or a failure under `--strict`.
//! Nothing here does I/O.

pub mod assertions;
pub mod drift;
pub mod observed;
pub mod parity;
pub mod response_fields;

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::case::typed::Expect;
use crate::contract::{keywords, Contract, Operation, SchemaKind};

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The status code.
    Status,
    /// The Content-Type header.
    ContentType,
    /// The body against the contract.
    Schema,
    /// A field the contract does not document.
    Drift,
    /// A case assertion on the body.
    Body,
    /// A case assertion on a header.
    Header,
    /// A value could not be captured.
    Capture,
    /// The response differs from its accepted snapshot, or has none yet.
    Snapshot,
    /// The response differs from the compare target's answer to the same step.
    Parity,
}

impl CheckKind {
    /// The name reports show (`status`, `schema`, …), as serialised.
    pub fn name(self) -> &'static str {
        match self {
            CheckKind::Status => "status",
            CheckKind::ContentType => "content_type",
            CheckKind::Schema => "schema",
            CheckKind::Drift => "drift",
            CheckKind::Body => "body",
            CheckKind::Header => "header",
            CheckKind::Capture => "capture",
            CheckKind::Snapshot => "snapshot",
            CheckKind::Parity => "parity",
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Fails the case.
    Failure,
    /// Reported, does not fail the case.
    Warning,
}

/// One finding: where, what was expected, what was there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The check.
    pub check: CheckKind,
    /// Failure or warning.
    pub severity: Severity,
    /// JSON pointer into the body (or the header name).
    pub pointer: String,
    /// Expected value or rule.
    pub expected: String,
    /// Actual value.
    pub actual: String,
    /// One-line explanation.
    pub message: String,
}

impl Finding {
    fn failure(
        check: CheckKind,
        pointer: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            check,
            severity: Severity::Failure,
            pointer: pointer.into(),
            expected: expected.into(),
            actual: actual.into(),
            message: message.into(),
        }
    }
}

/// A response as the checks see it.
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    /// Status.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: &'a [(String, String)],
    /// Raw body.
    pub body: &'a [u8],
    /// The body parsed as JSON, if it is JSON.
    pub json: Option<&'a Value>,
}

impl Observed<'_> {
    /// First value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Options of the checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Undocumented fields fail the case.
    pub strict: bool,
}

/// The API gateway's error body (the error-code pages send APIGW.* codes to the gateway's list).
static GATEWAY: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    keywords::compile(&json!({
        "type": "object",
        "required": ["error_msg", "error_code"],
        "properties": {
            "error_msg": {"type": "string"},
            "error_code": {"type": "string", "pattern": "^APIGW\\."},
            "request_id": {"type": "string"}
        }
    }))
    .expect("static schema compiles")
});

fn is_gateway_error(v: &Value) -> bool {
    v.get("error_code")
        .and_then(Value::as_str)
        .is_some_and(|c| c.starts_with("APIGW."))
}

/// Runs every check of one step.
pub fn check_step(
    contract: &Contract,
    op: Option<&Operation>,
    expect: &Expect,
    observed: &Observed<'_>,
    options: CheckOptions,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let expected = expect.statuses(op);
    if !expected.iter().any(|s| s.allows(observed.status)) {
        let list: Vec<String> = expected.iter().map(ToString::to_string).collect();
        findings.push(Finding::failure(
            CheckKind::Status,
            "",
            list.join(" or "),
            observed.status.to_string(),
            format!(
                "status {} where {} was expected",
                observed.status,
                list.join(" or ")
            ),
        ));
    }
    let schema_on = expect.schema;
    // A HEAD answer never has a body (RFC 9110, 9.3.2), whatever the page documents for GET.
    if let (Some(op), true) = (op.filter(|o| o.method != "HEAD"), schema_on) {
        let kind = match observed.status {
            s @ 200..=299 if op.response_body && op.success.contains(&s) => {
                Some(SchemaKind::Response(s))
            }
            400..=599 => Some(SchemaKind::Error),
            _ => None,
        };
        let documented = kind.is_some_and(|k| contract.schema(&op.id, k).is_some());
        if documented && !observed.body.is_empty() {
            content_type(observed, &mut findings);
        }
        if let Some(kind) = kind.filter(|_| documented) {
            schema(contract, op, kind, observed, options, &mut findings);
        }
    }
    assertions::body(expect, observed, &mut findings);
    assertions::headers(expect, observed, &mut findings);
    findings
}

fn content_type(observed: &Observed<'_>, findings: &mut Vec<Finding>) {
    let ct = observed.header("content-type").unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != "application/json" && !mime.ends_with("+json") {
        findings.push(Finding::failure(
            CheckKind::ContentType,
            "content-type",
            "application/json",
            if ct.is_empty() { "(none)" } else { ct },
            "the body is documented as JSON but the Content-Type says otherwise",
        ));
    }
}

fn schema(
    contract: &Contract,
    op: &Operation,
    kind: SchemaKind,
    observed: &Observed<'_>,
    options: CheckOptions,
    findings: &mut Vec<Finding>,
) {
    let Some(body) = observed.json else {
        let preview: String = String::from_utf8_lossy(observed.body)
            .chars()
            .take(80)
            .collect();
        findings.push(Finding::failure(
            CheckKind::Schema,
            "",
            "a JSON body",
            preview,
            "the body is not JSON",
        ));
        return;
    };
    let (validator, schema) = if kind == SchemaKind::Error && is_gateway_error(body) {
        (&*GATEWAY, None)
    } else {
        match (
            contract.validator(&op.id, kind),
            contract.schema(&op.id, kind),
        ) {
            (Some(v), Some(s)) => (v, Some(s)),
            _ => return,
        }
    };
    for e in validator.iter_errors(body) {
        let pointer = e.instance_path().as_str().to_string();
        let actual = pointer_value(body, &pointer).map(short).unwrap_or_default();
        let schema_path = e.schema_path().as_str().to_string();
        let mut message = e.masked().to_string();
        // Say which documented rule broke: the page and table row the field came from.
        if let Some(source) = schema.and_then(|s| documented_at(s, &schema_path)) {
            message.push_str(&format!(" (documented at {source})"));
        }
        findings.push(Finding::failure(
            CheckKind::Schema,
            pointer,
            schema_path,
            actual,
            message,
        ));
    }
    if let Some(schema) = schema {
        for pointer in drift::undocumented(schema, body) {
            let actual = pointer_value(body, &pointer).map(short).unwrap_or_default();
            findings.push(Finding {
                check: CheckKind::Drift,
                severity: if options.strict {
                    Severity::Failure
                } else {
                    Severity::Warning
                },
                pointer,
                expected: "a documented field".into(),
                actual,
                message: "field not in the documented schema".into(),
            });
        }
    }
}

/// The `x-source` (page:line) of the schema node nearest to a failed keyword.
fn documented_at<'a>(schema: &'a Value, schema_path: &str) -> Option<&'a str> {
    let mut path = schema_path;
    loop {
        if let Some(s) = schema
            .pointer(path)
            .and_then(|n| n.get("x-source"))
            .and_then(Value::as_str)
        {
            return Some(s);
        }
        path = &path[..path.rfind('/')?];
    }
}

/// Resolves an RFC 6901 pointer.
pub fn pointer_value<'a>(v: &'a Value, pointer: &str) -> Option<&'a Value> {
    v.pointer(pointer)
}

/// A value shortened for a one-line report.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        let head: String = s.chars().take(117).collect();
        format!("{head}...")
    } else {
        s
    }
}

/// Whether any finding fails the step.
pub fn failed(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Failure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::typed::{BodyCheck, HeaderCheck, JsonType};
    use crate::diagnostic::Position;
    use std::collections::BTreeMap;

    fn contract() -> Contract {
        let op = Operation {
            title: "t".into(),
            ..Operation::new("t.update_thing.v1", "t", "PUT", "/v1/things/{id}")
        };
        let mut schemas = BTreeMap::new();
        schemas.insert(
            (op.id.clone(), SchemaKind::Response(200)),
            json!({"type": "object", "required": ["name", "size"], "properties": {"name": {"type": "string", "x-maxBytes": 3, "x-source": "page.md:12"}, "size": {"type": "integer"}}, "x-source": "page.md:9"}),
        );
        Contract::from_parts(
            vec![op],
            schemas,
            Default::default(),
            std::path::Path::new("."),
        )
        .unwrap()
    }

    fn check(expect: &Expect, status: u16, ct: &str, body: &Value, strict: bool) -> Vec<Finding> {
        let c = contract();
        let headers = vec![
            ("content-type".to_string(), ct.to_string()),
            ("x-request-id".to_string(), "abc".to_string()),
        ];
        let bytes = body.to_string().into_bytes();
        let observed = Observed {
            status,
            headers: &headers,
            body: &bytes,
            json: Some(body),
        };
        check_step(
            &c,
            c.operation("t.update_thing.v1"),
            expect,
            &observed,
            CheckOptions { strict },
        )
    }

    fn kinds(f: &[Finding]) -> Vec<(CheckKind, Severity, &str)> {
        f.iter()
            .map(|f| (f.check, f.severity, f.pointer.as_str()))
            .collect()
    }

    #[test]
    fn a_conforming_response_has_no_findings() {
        assert!(check(
            &Expect::default(),
            200,
            "application/json",
            &json!({"name": "abc", "size": 1}),
            true
        )
        .is_empty());
    }

    #[test]
    fn status_fails_on_an_undocumented_status() {
        let f = check(
            &Expect::default(),
            201,
            "application/json",
            &json!({"name": "a", "size": 1}),
            false,
        );
        assert_eq!(kinds(&f), vec![(CheckKind::Status, Severity::Failure, "")]);
        assert_eq!(
            (f[0].expected.as_str(), f[0].actual.as_str()),
            ("200", "201")
        );
    }

    #[test]
    fn content_type_fails_when_a_documented_body_is_not_json() {
        let f = check(
            &Expect::default(),
            200,
            "text/plain",
            &json!({"name": "a", "size": 1}),
            false,
        );
        assert_eq!(
            kinds(&f),
            vec![(CheckKind::ContentType, Severity::Failure, "content-type")]
        );
    }

    #[test]
    fn schema_reports_every_violation_with_its_pointer() {
        let f = check(
            &Expect::default(),
            200,
            "application/json",
            &json!({"name": "字字", "size": "1"}),
            false,
        );
        let mut pointers: Vec<&str> = f
            .iter()
            .filter(|f| f.check == CheckKind::Schema)
            .map(|f| f.pointer.as_str())
            .collect();
        pointers.sort();
        assert_eq!(
            pointers,
            vec!["/name", "/size"],
            "both violations, not the first only"
        );
        let name = f.iter().find(|f| f.pointer == "/name").unwrap();
        assert!(
            name.message.ends_with("(documented at page.md:12)"),
            "the table row of the field: {}",
            name.message
        );
        let size = f.iter().find(|f| f.pointer == "/size").unwrap();
        assert!(
            size.message.ends_with("(documented at page.md:9)"),
            "the nearest documented node: {}",
            size.message
        );
    }

    #[test]
    fn drift_is_a_warning_unless_strict() {
        let body = json!({"name": "a", "size": 1, "extra": true});
        assert_eq!(
            kinds(&check(
                &Expect::default(),
                200,
                "application/json",
                &body,
                false
            )),
            vec![(CheckKind::Drift, Severity::Warning, "/extra")]
        );
        let strict = check(&Expect::default(), 200, "application/json", &body, true);
        assert_eq!(
            kinds(&strict),
            vec![(CheckKind::Drift, Severity::Failure, "/extra")]
        );
        assert!(failed(&strict));
    }

    #[test]
    fn body_and_header_assertions_fail_with_expected_and_actual() {
        let at = Position { line: 1, column: 1 };
        let a = |pointer: &str, f: fn(&mut BodyCheck)| {
            let mut x = BodyCheck {
                pointer: pointer.into(),
                equals: None,
                matches: None,
                type_: None,
                bytes: None,
                chars: None,
                present: true,
                absent: false,
                includes: None,
                excludes: None,
                position: at,
            };
            f(&mut x);
            x
        };
        let headers = vec![
            HeaderCheck {
                name: "x-missing".into(),
                equals: Some("v".into()),
                matches: None,
                absent: false,
                position: at,
            },
            HeaderCheck {
                name: "x-request-id".into(),
                equals: None,
                matches: Some(regex::Regex::new("^z").unwrap()),
                absent: false,
                position: at,
            },
        ];
        let expect = Expect {
            body: vec![
                a("/name", |x| x.equals = Some(json!("b"))),
                a("/name", |x| {
                    x.matches = Some(regex::Regex::new("^z").unwrap())
                }),
                a("/size", |x| x.type_ = Some(JsonType::String)),
                a("/name", |x| x.bytes = Some(9)),
                a("/name", |x| x.chars = Some(9)),
                a("/nope", |_| {}),
                a("/name", |x| {
                    x.absent = true;
                    x.present = false;
                }),
            ],
            headers,
            ..Expect::default()
        };
        let f = check(
            &expect,
            200,
            "application/json",
            &json!({"name": "abc", "size": 1}),
            false,
        );
        let body: Vec<&Finding> = f.iter().filter(|f| f.check == CheckKind::Body).collect();
        assert_eq!(body.len(), 7, "{f:#?}");
        assert_eq!(
            (body[0].expected.as_str(), body[0].actual.as_str()),
            ("\"b\"", "\"abc\"")
        );
        assert_eq!(body[3].actual, "3 bytes");
        let hdr: Vec<&str> = f
            .iter()
            .filter(|f| f.check == CheckKind::Header)
            .map(|f| f.pointer.as_str())
            .collect();
        assert_eq!(hdr, vec!["x-missing", "x-request-id"]);
    }

    #[test]
    fn list_assertions_find_an_item_by_its_fields() {
        let at = Position { line: 1, column: 1 };
        let a = |pointer: &str, includes: Option<Value>, excludes: Option<Value>| BodyCheck {
            pointer: pointer.into(),
            equals: None,
            matches: None,
            type_: None,
            bytes: None,
            chars: None,
            present: excludes.is_none(),
            absent: false,
            includes,
            excludes,
            position: at,
        };
        let body = json!({"vpcs": [{"id": "a", "name": "x", "tags": {"k": "v", "o": 1}}, {"id": "b"}], "n": 3});
        let failing = |checks: Vec<BodyCheck>| {
            let expect = Expect {
                body: checks,
                ..Expect::default()
            };
            check(&expect, 200, "application/json", &body, false)
                .into_iter()
                .filter(|f| f.check == CheckKind::Body)
                .map(|f| f.message)
                .collect::<Vec<_>>()
        };
        // Found by a subset of the fields, nested objects too.
        assert!(failing(vec![
            a("/vpcs", Some(json!({"id": "a", "tags": {"k": "v"}})), None),
            a("/vpcs", None, Some(json!({"id": "c"}))),
            a("/gone", None, Some(json!({"id": "a"}))),
        ])
        .is_empty());
        let f = failing(vec![
            a("/vpcs", Some(json!({"id": "a", "name": "y"})), None),
            a("/vpcs", None, Some(json!({"id": "b"}))),
            a("/n", Some(json!(3)), None),
            a("/gone", Some(json!({"id": "a"})), None),
        ]);
        assert_eq!(f.len(), 4, "{f:#?}");
        assert!(f[0].starts_with("no item of /vpcs contains"), "{f:?}");
        assert!(f[1].starts_with("an item of /vpcs contains"), "{f:?}");
        assert_eq!(f[2], "/n is not an array");
        assert!(f[3].starts_with("/gone is missing"), "{f:?}");
    }

    #[test]
    fn check_names_are_their_serialised_form() {
        use CheckKind as K;
        for k in [
            K::Status,
            K::ContentType,
            K::Schema,
            K::Drift,
            K::Body,
            K::Header,
            K::Capture,
            K::Snapshot,
            K::Parity,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), json!(k.name()));
        }
    }

    #[test]
    fn error_bodies_are_checked_against_the_gateway_shape_when_they_come_from_it() {
        assert!(is_gateway_error(
            &json!({"error_code": "APIGW.0301", "error_msg": "m"})
        ));
        assert!(
            !GATEWAY.is_valid(&json!({"error_code": "APIGW.0301"})),
            "error_msg is required"
        );
        assert!(!is_gateway_error(
            &json!({"badRequest": {"code": "APIGW.0301"}})
        ));
    }
}
