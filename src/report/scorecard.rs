//! The conformance scorecard a product team reads (`conform coverage --html F`, `--markdown F`):
//! per service a headline, per operation the derive defects of its pages, the cases a run sent
//! and how they ended, the rules its traffic exercised, and how its answers drifted from the
//! documented fields. One self-contained page (inline style and script, nothing fetched), its
//! table sortable by any column.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::report::coverage::Coverage;

/// One operation's line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// Operation id.
    pub operation: String,
    /// Its service.
    pub service: String,
    /// Defects `derive` found on its pages.
    pub defects: usize,
    /// Cases of the run that called it, by verdict.
    pub passed: usize,
    /// Failed or errored.
    pub failed: usize,
    /// Rules documented.
    pub rules: usize,
    /// Rules covered (by the run's traffic, with a report).
    pub covered: usize,
    /// Covered over documented, in percent.
    pub percent: f64,
    /// Documented response fields.
    pub fields_documented: usize,
    /// Documented response fields no answer carried.
    pub fields_never_seen: usize,
    /// Undocumented fields answers carried.
    pub fields_undocumented: usize,
}

impl Row {
    /// Whether the operation deviates from its pages in this run: a failing case, a broken
    /// rule (through `failed`), or answers that drift from the documented fields.
    pub fn deviates(&self) -> bool {
        self.failed > 0 || self.fields_never_seen > 0 || self.fields_undocumented > 0
    }
}

/// What the scorecard is made from.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    /// The coverage matrix (observed with a report, else static).
    pub coverage: Option<&'a Coverage>,
    /// Each operation's service.
    pub services: BTreeMap<String, String>,
    /// Defects per operation.
    pub defects: BTreeMap<String, usize>,
    /// Per operation: (passed, failed or errored) cases of the run that called it.
    pub verdicts: BTreeMap<String, (usize, usize)>,
    /// Per operation: documented response fields.
    pub documented_fields: BTreeMap<String, usize>,
}

/// The rows, in the coverage matrix's order.
pub fn rows(i: &Inputs<'_>) -> Vec<Row> {
    let Some(c) = i.coverage else {
        return Vec::new();
    };
    c.operations
        .iter()
        .map(|o| {
            let drift = c.drift.get(&o.operation);
            let (passed, failed) = i.verdicts.get(&o.operation).copied().unwrap_or_default();
            Row {
                operation: o.operation.clone(),
                service: i.services.get(&o.operation).cloned().unwrap_or_default(),
                defects: i.defects.get(&o.operation).copied().unwrap_or_default(),
                passed,
                failed,
                rules: o.rules,
                covered: o.covered,
                percent: o.percent,
                fields_documented: i
                    .documented_fields
                    .get(&o.operation)
                    .copied()
                    .unwrap_or_default(),
                fields_never_seen: drift.map_or(0, |d| d.never_seen.len()),
                fields_undocumented: drift.map_or(0, |d| d.undocumented.len()),
            }
        })
        .collect()
}

/// One headline per service: `EVS: 9 operations, 94.0% of rules exercised, 2 operations deviate`.
pub fn headlines(rows: &[Row], observed: bool) -> Vec<String> {
    let mut by: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        by.entry(r.service.as_str()).or_default().push(r);
    }
    by.into_iter()
        .map(|(service, rows)| {
            let rules: usize = rows.iter().map(|r| r.rules).sum();
            let covered: usize = rows.iter().map(|r| r.covered).sum();
            let pct = if rules == 0 {
                100.0
            } else {
                (covered as f64 * 1000.0 / rules as f64).round() / 10.0
            };
            let deviate = rows.iter().filter(|r| r.deviates()).count();
            format!(
                "{}: {} operation{}, {pct:.1}% of rules {}, {deviate} operation{} deviate{}",
                service.to_uppercase(),
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                if observed { "exercised" } else { "with a case" },
                if deviate == 1 { "" } else { "s" },
                if deviate == 1 { "s" } else { "" },
            )
        })
        .collect()
}

const COLUMNS: [&str; 10] = [
    "operation",
    "defects",
    "passed",
    "failed",
    "rules",
    "covered",
    "%",
    "fields documented",
    "never seen",
    "undocumented seen",
];

fn cells(r: &Row) -> [String; 10] {
    [
        r.operation.clone(),
        r.defects.to_string(),
        r.passed.to_string(),
        r.failed.to_string(),
        r.rules.to_string(),
        r.covered.to_string(),
        format!("{:.1}", r.percent),
        r.fields_documented.to_string(),
        r.fields_never_seen.to_string(),
        r.fields_undocumented.to_string(),
    ]
}

/// The Markdown scorecard, for a pull request.
pub fn markdown(rows: &[Row], observed: bool) -> String {
    let mut md = String::from("## Conformance scorecard\n\n");
    for h in headlines(rows, observed) {
        let _ = writeln!(md, "- **{h}**");
    }
    let _ = writeln!(
        md,
        "\nCoverage is {}.\n",
        if observed {
            "observed: what the run's requests and answers exercised"
        } else {
            "static: what the case files declare (pass --report for a run's)"
        }
    );
    let _ = writeln!(md, "| {} |", COLUMNS.join(" | "));
    let _ = writeln!(md, "|{}", " --- |".repeat(COLUMNS.len()));
    for r in rows {
        let mut c = cells(r);
        c[0] = format!("`{}`", c[0]);
        let _ = writeln!(md, "| {} |", c.join(" | "));
    }
    md
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const SCRIPT: &str = r#"
document.querySelectorAll('th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.getAttribute('data-dir') !== 'asc';
    th.setAttribute('data-dir', asc ? 'asc' : 'desc');
    rows.sort(function(a, b){
      var x = a.cells[col].textContent, y = b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var d = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
      return asc ? d : -d;
    });
    rows.forEach(function(r){ body.appendChild(r); });
  });
});
"#;

/// The HTML scorecard: one page, no network.
pub fn html(rows: &[Row], observed: bool) -> String {
    let mut body = String::new();
    for r in rows {
        let cls = if r.deviates() {
            " class=\"deviates\""
        } else {
            ""
        };
        let _ = write!(
            body,
            "<tr{cls} data-operation=\"{}\">",
            escape(&r.operation)
        );
        for c in cells(r) {
            let _ = write!(body, "<td>{}</td>", escape(&c));
        }
        body.push_str("</tr>\n");
    }
    let heads: String = COLUMNS
        .iter()
        .map(|c| format!("<th title=\"sort\">{}</th>", escape(c)))
        .collect();
    let lines: String = headlines(rows, observed)
        .iter()
        .map(|h| format!("<li class=\"headline\">{}</li>", escape(h)))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
<title>conform: conformance scorecard</title><style>\
body{{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}} table{{border-collapse:collapse}} \
th,td{{border:1px solid #ccc;padding:.25em .6em;text-align:right}} td:first-child,th:first-child{{text-align:left}} \
th{{cursor:pointer;background:#f4f4f4}} tr.deviates td:first-child{{color:#cf222e}}</style></head><body>\n\
<h1>Conformance scorecard</h1>\n<ul>{lines}</ul>\n<p>Coverage is {basis}.</p>\n\
<table><thead><tr>{heads}</tr></thead><tbody>\n{body}</tbody></table>\n<script>{SCRIPT}</script>\n</body></html>\n",
        basis = if observed {
            "observed: what the run's requests and answers exercised"
        } else {
            "static: what the case files declare (pass --report for a run's)"
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(service: &str, op: &str, failed: usize, covered: usize) -> Row {
        Row {
            operation: op.into(),
            service: service.into(),
            rules: 4,
            covered,
            percent: covered as f64 * 25.0,
            failed,
            ..Row::default()
        }
    }

    #[test]
    fn headlines_count_operations_coverage_and_deviations_per_service() {
        let rows = [
            row("evs", "evs.a", 0, 4),
            row("evs", "evs.b", 1, 2),
            row("ecs", "ecs.a", 0, 1),
        ];
        assert_eq!(
            headlines(&rows, true),
            vec![
                "ECS: 1 operation, 25.0% of rules exercised, 0 operations deviate",
                "EVS: 2 operations, 75.0% of rules exercised, 1 operation deviates",
            ]
        );
        let page = html(&rows, true);
        assert!(page.contains("data-operation=\"evs.b\""));
        assert!(page.contains("class=\"deviates\""));
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "no network"
        );
        let md = markdown(&rows, false);
        assert!(md.contains("| `ecs.a` |") && md.contains("static"), "{md}");
    }
}
