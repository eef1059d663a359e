//! Documentation defects: contradictions the pages contain, kept as data.
//!
//! Real reference pages contradict themselves (an example that shows a string where the table
//! says Integer, two language versions that disagree). The table is the contract and the example
//! is evidence, so a defect never changes a schema: it records both sides, where they are, and
//! lets the user decide. `defects.json` in the output folder lists them all.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// What kind of contradiction a defect is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefectKind {
    /// An example value has another JSON type than the table states.
    ExampleType,
    /// An example omits a field the table marks mandatory.
    ExampleMissingRequired,
    /// An example shows a field no table documents.
    ExampleUnknownField,
    /// An example value is not one of the documented values.
    ExampleEnum,
    /// An example breaks another documented constraint (length, pattern, bounds).
    ExampleConstraint,
    /// Two tables (of one page, or of two pages of one operation in one language) disagree.
    TableConflict,
    /// A row names the table of its fields by number and by caption (or by a link's anchor),
    /// and the two are different tables: the caption (the anchor) is followed. `documented`
    /// holds the table followed, `found` the one the number names.
    TableReference,
    /// The Chinese and English pages of one operation disagree.
    LanguageConflict,
    /// One request row bounds a side of its value twice, differently (the API Explorer's
    /// `最小值：0` beside prose saying "大于0"): the dedicated line is followed. `documented`
    /// holds the phrase followed, `found` the one left out.
    ConstraintConflict,
    /// A page uses a status code its status section does not list.
    UndocumentedStatus,
    /// An error example uses an error code the service's error-code page does not list.
    UndocumentedErrorCode,
    /// A note, not a contradiction: a request row's phrase looks like a constraint (length,
    /// range, values) but the constraint reader made none of it. `documented` holds the phrase.
    UnreadConstraint,
    /// A note, not a contradiction: no page of the operation states a success status, and the
    /// status page they point to is not among the pages read, so 200 is assumed. `documented`
    /// holds the link, `found` what was assumed.
    AssumedStatus,
}

impl DefectKind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [DefectKind; 13] = [
        DefectKind::ExampleType,
        DefectKind::ExampleMissingRequired,
        DefectKind::ExampleUnknownField,
        DefectKind::ExampleEnum,
        DefectKind::ExampleConstraint,
        DefectKind::TableConflict,
        DefectKind::TableReference,
        DefectKind::LanguageConflict,
        DefectKind::ConstraintConflict,
        DefectKind::UndocumentedStatus,
        DefectKind::UndocumentedErrorCode,
        DefectKind::UnreadConstraint,
        DefectKind::AssumedStatus,
    ];

    /// The kebab-case name used in `defects.json` and on stderr.
    pub fn name(self) -> &'static str {
        match self {
            DefectKind::ExampleType => "example-type",
            DefectKind::ExampleMissingRequired => "example-missing-required",
            DefectKind::ExampleUnknownField => "example-unknown-field",
            DefectKind::ExampleEnum => "example-enum",
            DefectKind::ExampleConstraint => "example-constraint",
            DefectKind::TableConflict => "table-conflict",
            DefectKind::TableReference => "table-reference",
            DefectKind::LanguageConflict => "language-conflict",
            DefectKind::ConstraintConflict => "constraint-conflict",
            DefectKind::UndocumentedStatus => "undocumented-status",
            DefectKind::UndocumentedErrorCode => "undocumented-error-code",
            DefectKind::UnreadConstraint => "unread-constraint",
            DefectKind::AssumedStatus => "assumed-status",
        }
    }

    /// A note for a reviewer rather than a contradiction: `--deny defects` does not refuse it.
    pub fn is_note(self) -> bool {
        matches!(
            self,
            DefectKind::UnreadConstraint | DefectKind::AssumedStatus
        )
    }

    /// The kind of an example that fails a JSON Schema keyword.
    pub fn of_keyword(keyword: &str) -> DefectKind {
        match keyword {
            "type" => DefectKind::ExampleType,
            "required" => DefectKind::ExampleMissingRequired,
            "additionalProperties" | "unevaluatedProperties" => DefectKind::ExampleUnknownField,
            "enum" | "const" => DefectKind::ExampleEnum,
            _ => DefectKind::ExampleConstraint,
        }
    }
}

impl fmt::Display for DefectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One contradiction in the documentation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Defect {
    /// What kind of contradiction.
    pub kind: DefectKind,
    /// The page (its path as given to derive).
    pub page: String,
    /// 1-based line of the example, table or section in the page.
    pub line: usize,
    /// The operation the page belongs to, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Which body: request, response, error (empty for page-level defects).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// JSON Pointer into the example (or into the schema, for table conflicts).
    pub pointer: String,
    /// What the table (the contract) says.
    pub documented: Value,
    /// What the other side (example, other table, other language) says.
    pub found: Value,
    /// The other page, when the two sides are on different pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_page: Option<String>,
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.page, self.line, self.kind)?;
        if !self.body.is_empty() {
            write!(f, " in {}", self.body)?;
        }
        write!(
            f,
            " at '{}': documented {}, found {}",
            self.pointer,
            short(&self.documented),
            short(&self.found)
        )?;
        if let Some(other) = &self.other_page {
            write!(f, " ({other})")?;
        }
        Ok(())
    }
}

/// A value on one line, cut short so a summary line stays readable.
fn short(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// Counts per kind, for the quiet summary.
pub fn counts(defects: &[Defect]) -> BTreeMap<DefectKind, usize> {
    let mut out = BTreeMap::new();
    for d in defects {
        *out.entry(d.kind).or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_defect_reads_as_one_line_with_both_sides() {
        let d = Defect {
            kind: DefectKind::ExampleType,
            page: "pages/evs/x.md".into(),
            line: 42,
            operation: Some("evs.update_volume.v2".into()),
            body: "request".into(),
            pointer: "/volume/size".into(),
            documented: json!({"type": "integer"}),
            found: json!("40"),
            other_page: None,
        };
        let line = d.to_string();
        assert_eq!(
            line,
            r#"pages/evs/x.md:42: example-type in request at '/volume/size': documented {"type":"integer"}, found "40""#
        );
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["kind"], "example-type");
        assert!(v.get("other_page").is_none());
    }

    #[test]
    fn keywords_map_to_kinds() {
        assert_eq!(DefectKind::of_keyword("type"), DefectKind::ExampleType);
        assert_eq!(
            DefectKind::of_keyword("required"),
            DefectKind::ExampleMissingRequired
        );
        assert_eq!(DefectKind::of_keyword("enum"), DefectKind::ExampleEnum);
        assert_eq!(
            DefectKind::of_keyword("maxLength"),
            DefectKind::ExampleConstraint
        );
        for k in DefectKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), json!(k.name()));
        }
    }
}
