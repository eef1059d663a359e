//! Creates on a real region are opt-in per kind: a case step whose operation is a kind's create
//! (the resource table says which, [`ResourceTable::creating`]) runs against a configured
//! target only when that kind is allowed, by `--allow-create KIND` or the target's
//! `allow_create:` in `conform.yaml`. The built-in mock and `--target-url` (an ad hoc endpoint,
//! already gated by `--allow-mutation`) create freely.
//!
//! A kind is named exactly (`vpc.v1`), by its name without the API version (`vpc` stands for
//! `vpc.v1`; `port` for `port.v1`, `port.v1.2` and `port.v2_0`), or `all`.
//!
//! And what lets `conform restore` find what a create made when its id never arrived: the name
//! it was sent with carries the run id ([`name_sent`], [`carries`]).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::contract::resources::ResourceTable;

/// The word that allows every kind.
pub const ALL: &str = "all";

/// Which kinds a run may create on its target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Creates {
    /// Any kind: the built-in mock, `--target-url`, or `all`.
    #[default]
    Any,
    /// Only these kinds (exact kind names of the resource table).
    Only(BTreeSet<String>),
}

impl Creates {
    /// Whether a kind may be created.
    pub fn allows(&self, kind: &str) -> bool {
        match self {
            Creates::Any => true,
            Creates::Only(kinds) => kinds.contains(kind),
        }
    }

    /// What either allows.
    pub fn union(self, other: Creates) -> Creates {
        match (self, other) {
            (Creates::Only(mut a), Creates::Only(b)) => {
                a.extend(b);
                Creates::Only(a)
            }
            _ => Creates::Any,
        }
    }
}

/// A name that is no kind of the resource table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{name}' is no resource kind of this contract{}; kinds that can be created: {}",
    .suggestion.as_ref().map(|s| format!(" (did you mean '{s}'?)")).unwrap_or_default(),
    if .creatable.is_empty() { "none".to_string() } else { .creatable.join(", ") })]
pub struct UnknownKind {
    /// The name given.
    pub name: String,
    /// The closest kind name (or short name).
    pub suggestion: Option<String>,
    /// Every kind the table can create, by exact name.
    pub creatable: Vec<String>,
}

/// A kind's name without its API version: `vpc.v1` → `vpc`, `port.v1.2` → `port`,
/// `fwaa.firewall_group.v2_0` → `fwaa.firewall_group`.
pub fn short_name(kind: &str) -> &str {
    let is_version = |s: &str| {
        s.strip_prefix('v').is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_digit())
                && rest.chars().all(|c| c.is_ascii_digit() || c == '_')
        })
    };
    let mut end = kind.len();
    let mut at = 0;
    for seg in kind.split('.') {
        if at > 0 && is_version(seg) {
            end = at - 1;
            break;
        }
        at += seg.len() + 1;
    }
    &kind[..end]
}

/// The kinds of the table a create could make (those with a create or a collection).
fn creatable(table: &ResourceTable) -> Vec<String> {
    table
        .kinds
        .iter()
        .filter(|k| k.create.is_some() || k.collection_template().is_some())
        .map(|k| k.kind.clone())
        .collect()
}

/// Resolves the names given (flags and config) into the kinds they allow. Every name must name
/// a kind: an exact kind name, a short name ([`short_name`]) or `all`.
pub fn resolve<'a>(
    names: impl IntoIterator<Item = &'a str>,
    table: &ResourceTable,
) -> Result<Creates, UnknownKind> {
    let mut kinds = BTreeSet::new();
    let mut all = false;
    for name in names {
        if name == ALL {
            all = true;
            continue;
        }
        let matched: Vec<&str> = table
            .kinds
            .iter()
            .filter(|k| k.kind == name || short_name(&k.kind) == name)
            .map(|k| k.kind.as_str())
            .collect();
        if matched.is_empty() {
            let suggestion = table
                .kinds
                .iter()
                .flat_map(|k| [k.kind.as_str(), short_name(&k.kind)])
                .map(|k| (strsim::jaro_winkler(name, k), k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, k)| k.to_string());
            return Err(UnknownKind {
                name: name.to_string(),
                suggestion,
                creatable: creatable(table),
            });
        }
        kinds.extend(matched.into_iter().map(str::to_string));
    }
    Ok(if all {
        Creates::Any
    } else {
        Creates::Only(kinds)
    })
}

/// The name a create body sends, if it sends one as a string.
pub fn name_sent(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let ptr = crate::contract::resources::name_pointer(&v)?;
    v.pointer(&ptr)?.as_str().map(str::to_string)
}

/// Whether a name carries the run id, so that it cannot be anyone else's.
pub fn carries(name: &str, run_id: &str) -> bool {
    !run_id.is_empty() && name.contains(run_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::resources::name_pointer;
    use crate::contract::resources::{Call, ResourceKind};
    use serde_json::json;

    fn table(names: &[&str]) -> ResourceTable {
        let call = |m: &str, p: &str| Call {
            method: m.into(),
            path: p.into(),
            body: None,
            query: Default::default(),
        };
        ResourceTable {
            kinds: names
                .iter()
                .map(|n| {
                    ResourceKind::new(
                        n,
                        "vpc",
                        &format!("{n}s"),
                        call("GET", &format!("/v1/{{project_id}}/{n}s/{{id}}")),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn short_names_drop_the_api_version() {
        assert_eq!(short_name("vpc.v1"), "vpc");
        assert_eq!(short_name("port.v1.2"), "port");
        assert_eq!(
            short_name("fwaa.firewall_group.v2_0"),
            "fwaa.firewall_group"
        );
        assert_eq!(short_name("vpc.vpc.v3"), "vpc.vpc");
        assert_eq!(short_name("snapshot"), "snapshot");
        assert_eq!(short_name("v1"), "v1", "a kind is never empty");
    }

    #[test]
    fn names_resolve_to_kinds_and_an_unknown_one_is_refused_with_a_suggestion() {
        let t = table(&["vpc.v1", "vpc.vpc.v3", "port.v1", "port.v2_0", "subnet.v1"]);
        let only = |v: &[&str]| Creates::Only(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(resolve(["vpc"], &t), Ok(only(&["vpc.v1"])));
        assert_eq!(
            resolve(["port", "vpc.vpc.v3"], &t),
            Ok(only(&["port.v1", "port.v2_0", "vpc.vpc.v3"]))
        );
        assert_eq!(resolve(["subnet", "all"], &t), Ok(Creates::Any));
        assert_eq!(resolve(Vec::<&str>::new(), &t), Ok(only(&[])));
        let e = resolve(["subnett"], &t).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("subnet"));
        let text = e.to_string();
        assert!(
            text.contains("'subnett' is no resource kind")
                && text.contains("did you mean 'subnet'?"),
            "{text}"
        );
        assert!(text.contains("vpc.v1, vpc.vpc.v3"), "{text}");
        assert!(!only(&["vpc.v1"]).allows("vpc.vpc.v3"));
        assert!(Creates::Any.allows("anything"));
    }

    #[test]
    fn the_name_is_found_at_the_top_or_under_the_envelope() {
        assert_eq!(
            name_pointer(&json!({"name": "a"})).as_deref(),
            Some("/name")
        );
        assert_eq!(
            name_pointer(&json!({"vpc": {"name": "a", "cidr": "x"}})).as_deref(),
            Some("/vpc/name")
        );
        assert_eq!(name_pointer(&json!({"vpc": {"cidr": "x"}})), None);
        assert_eq!(
            name_pointer(&json!({"dry_run": true, "sg": {"name": "x"}})).as_deref(),
            Some("/sg/name")
        );
        assert_eq!(
            name_pointer(&json!({"a": {"name": "x"}, "b": {"name": "y"}})),
            None,
            "no single envelope"
        );
        assert_eq!(
            name_sent(br#"{"vpc":{"name":"conform-abc"}}"#).as_deref(),
            Some("conform-abc")
        );
        assert_eq!(name_sent(br#"{"vpc":{"name":42}}"#), None);
        assert_eq!(name_sent(b"not json"), None);
        assert!(carries("conform-0123456789ab", "0123456789ab"));
        assert!(!carries("conform", "0123456789ab") && !carries("x", ""));
    }
}
