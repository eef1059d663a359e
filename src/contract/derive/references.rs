//! Reference pages that are not operations: enumerations (status lists) and error-code tables.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::fields::{EnumSource, Field};
use super::page::{Page, Table};
use crate::contract::{ErrorCode, ErrorCodes};

static ENUM_VALUE: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"^[A-Za-z][A-Za-z0-9_\-.]*$"));
static STATUS: LazyLock<Regex> = LazyLock::new(|| crate::statics::regex(r"^\d{3}$"));
static SEE_PAGE: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"(?:请参见|参见|see)\s*([^\s。，,.]+)"));

fn position(header: &[String], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

/// Column positions of an error-code table, if the table is one.
fn error_columns(table: &Table) -> Option<(usize, usize, Option<usize>)> {
    let status = position(
        &table.header,
        &["状态码", "Status Code", "HTTP Status Code"],
    )?;
    let code = position(&table.header, &["错误码", "Error Code", "Error Codes"])?;
    let message = position(&table.header, &["错误信息", "Error Message"]);
    Some((status, code, message))
}

/// Whether a page is an error-code list.
pub fn is_error_code_page(page: &Page) -> bool {
    page.tables().any(|t| error_columns(t).is_some())
}

/// Whether a page documents the `X-Project-Id` request header (a row of a header table, as the
/// request-construction page of a service lists its common headers): the service takes the
/// project from it where a path names none.
pub fn documents_project_header(page: &Page) -> bool {
    page.tables().any(|t| {
        t.rows.iter().any(|row| {
            row.first()
                .is_some_and(|c| c.text().trim().eq_ignore_ascii_case("X-Project-Id"))
        })
    })
}

/// Adds a page's documented error codes to the table of a service.
pub fn collect_error_codes(page: &Page, service: &str, into: &mut ErrorCodes) {
    for table in page.tables() {
        let Some((status, code, message)) = error_columns(table) else {
            continue;
        };
        for row in &table.rows {
            let status_text = row.get(status).map(|c| c.text()).unwrap_or_default();
            let code_text = row.get(code).map(|c| c.text()).unwrap_or_default();
            let Ok(status) = status_text.trim().parse::<u16>() else {
                continue;
            };
            if !STATUS.is_match(status_text.trim()) || code_text.trim().is_empty() {
                continue;
            }
            let entry = ErrorCode {
                code: code_text.trim().to_string(),
                message: message
                    .and_then(|m| row.get(m))
                    .map(|c| c.text())
                    .unwrap_or_default(),
            };
            let list = into
                .entry(service.to_string())
                .or_default()
                .entry(status)
                .or_default();
            if !list.contains(&entry) {
                list.push(entry);
            }
        }
    }
    for by_status in into.values_mut() {
        for list in by_status.values_mut() {
            list.sort();
        }
    }
}

/// Enumerations from status-list pages, found by file name or by title.
#[derive(Debug, Default)]
pub struct Enums {
    by_file: BTreeMap<String, Vec<(String, Vec<String>)>>,
    by_title: BTreeMap<String, String>,
}

impl Enums {
    /// Registers a reference page's enumeration tables.
    pub fn add(&mut self, page: &Page) {
        let tables: Vec<(String, Vec<String>)> = page
            .tables()
            .filter_map(|t| {
                let values: Vec<String> = t
                    .rows
                    .iter()
                    .filter_map(|r| r.first())
                    .map(|c| c.text())
                    .collect();
                (!values.is_empty() && values.iter().all(|v| ENUM_VALUE.is_match(v)))
                    .then(|| (t.header.first().cloned().unwrap_or_default(), values))
            })
            .collect();
        if tables.is_empty() {
            return;
        }
        self.by_title
            .insert(page.title.clone(), page.file_name.clone());
        self.by_file.insert(page.file_name.clone(), tables);
    }

    /// The values of a status list whose header names the attribute (`vm_state`), on any page.
    pub fn values_named(&self, name: &str) -> Option<Vec<String>> {
        self.by_file.values().flatten().find_map(|(h, v)| {
            let first = h.split_whitespace().next()?;
            (first.rsplit(':').next() == Some(name)).then(|| v.clone())
        })
    }

    fn pick(&self, file: &str, field: &str) -> Option<Vec<String>> {
        let tables = self.by_file.get(file)?;
        let short = field.rsplit(':').next().unwrap_or(field);
        tables
            .iter()
            .find(|(h, _)| h.split_whitespace().next() == Some(short))
            .or_else(|| tables.first())
            .map(|(_, v)| v.clone())
    }
}

impl EnumSource for Enums {
    fn values_for(&self, field: &Field) -> Option<Vec<String>> {
        let linked = field
            .links
            .iter()
            .filter(|l| !l.href.starts_with('#'))
            .find_map(|l| {
                let file = l.href.rsplit('/').next().unwrap_or(&l.href);
                self.pick(file, &field.name)
            });
        linked.or_else(|| {
            let text = field.text();
            SEE_PAGE.captures_iter(&text).find_map(|c| {
                self.by_title
                    .get(&c[1])
                    .and_then(|f| self.pick(f, &field.name))
            })
        })
    }
}
