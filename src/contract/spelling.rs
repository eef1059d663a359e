//! The two spellings of one field name: snake case (`cluster_id`, what requests and most
//! answers use) and camel case (`clusterId`, what some services' reads and lists show).

/// A snake-case name in camel case (`stack_id` → `stackId`; a leading `_` is dropped).
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' => upper = !out.is_empty(),
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// A camel-case name in snake case (`clusterId` → `cluster_id`).
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The name in the other spelling, where it has one: `cluster_id` ↔ `clusterId`; `id` and
/// `ID_CARD` have none.
pub fn other(name: &str) -> Option<String> {
    let lower = name.chars().any(|c| c.is_ascii_lowercase());
    if name.contains('_') && lower && !name.chars().any(|c| c.is_ascii_uppercase()) {
        Some(camel(name)).filter(|c| c != name)
    } else if lower && !name.contains('_') && name.chars().any(|c| c.is_ascii_uppercase()) {
        Some(snake(name))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_spelling_turns_into_the_other() {
        assert_eq!(camel("stack_id"), "stackId");
        assert_eq!(camel("_id"), "id");
        assert_eq!(snake("clusterId"), "cluster_id");
        assert_eq!(other("cluster_name"), Some("clusterName".into()));
        assert_eq!(other("clusterName"), Some("cluster_name".into()));
        for none in ["id", "ID_CARD", "name", "URL"] {
            assert_eq!(other(none), None, "{none}");
        }
    }
}
