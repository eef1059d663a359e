//! How many request-parameter rows of the training sets state a constraint, and how many of those
//! carry one in the derived schema: `cargo run --example constraint_coverage [PAGES_DIR...]`.
//!
//! A row states a constraint when the constraint recogniser finds a constraint-like phrase in its
//! text; it carries one when the schema node citing the row (`x-source`) holds a constraint
//! keyword. Body rows and query rows count; path parameters have no schema in the contract.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use conform::contract::derive::page::{Block, SectionKind};
use conform::contract::derive::{self, constraints, fields, manifest::Manifest};
use serde_json::Value;

/// Every schema node with an `x-source`, by source, noting whether it holds a constraint.
fn sources(v: &Value, out: &mut BTreeMap<String, bool>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(s)) = m.get("x-source") {
                let has = constraints::KEYWORDS.iter().any(|k| m.contains_key(*k))
                    || ["items", "additionalProperties", "propertyNames"]
                        .iter()
                        .filter_map(|k| m.get(*k))
                        .any(|sub| constraints::KEYWORDS.iter().any(|k| sub.get(*k).is_some()));
                *out.entry(s.clone()).or_insert(false) |= has;
            }
            m.values().for_each(|x| sources(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| sources(x, out)),
        _ => {}
    }
}

fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let sets = if args.is_empty() {
        ["evs", "ecs", "vpc", "ims", "dcs"]
            .iter()
            .map(|s| PathBuf::from("../shared/pages").join(s))
            .collect()
    } else {
        args
    };
    let (mut all_stated, mut all_carried) = (0, 0);
    for set in &sets {
        let Ok(d) = derive::derive(std::slice::from_ref(set), &Manifest::default()) else {
            eprintln!("{}: derive failed", set.display());
            continue;
        };
        let mut carried = BTreeMap::new();
        for s in d.schemas.values() {
            sources(s, &mut carried);
        }
        for op in &d.operations {
            for q in &op.query_params {
                sources(&q.schema, &mut carried);
            }
        }
        let mut stated = BTreeSet::new();
        for file in derive::collect_files(std::slice::from_ref(set)).unwrap_or_default() {
            let Ok(page) = derive::read_page(&file) else {
                continue;
            };
            for section in page
                .sections
                .iter()
                .filter(|s| matches!(s.kind, SectionKind::Request | SectionKind::Uri))
            {
                for block in &section.blocks {
                    let Block::Table(t) = block else { continue };
                    if fields::is_header_table(t) || fields::Columns::detect(&t.header).is_none() {
                        continue;
                    }
                    let Ok(rows) = fields::read_table(t, &file.display().to_string()) else {
                        continue;
                    };
                    for f in rows {
                        if f.paragraphs
                            .iter()
                            .any(|p| constraints::is_constraint_like(p))
                        {
                            if let Some(s) = f.source {
                                stated.insert(s);
                            }
                        }
                    }
                }
            }
        }
        // Rows the contract holds no schema for (path parameters, header rows) do not count.
        let stated: Vec<&String> = stated.iter().filter(|s| carried.contains_key(*s)).collect();
        let n = stated.len();
        let c = stated.iter().filter(|s| carried[**s]).count();
        all_stated += n;
        all_carried += c;
        println!(
            "{}: {n} rows state a constraint, {c} carry one ({:.0}%)",
            set.display(),
            100.0 * c as f64 / n.max(1) as f64
        );
        if std::env::var_os("CONSTRAINT_COVERAGE_MISSED").is_some() {
            for s in stated.iter().filter(|s| !carried[**s]) {
                println!("  missed {s}");
            }
        }
    }
    println!(
        "all: {all_stated} rows state a constraint, {all_carried} carry one ({:.0}%)",
        100.0 * all_carried as f64 / all_stated.max(1) as f64
    );
}
