//! JSON pointers (RFC 6901) as conform writes and reads them: escaping a key into a token, the
//! tokens of a pointer, the `*` wildcard that assertions, drift and coverage use (any one key or
//! index), setting a value with the objects on the way made, and the check a pointer written in
//! a case or config must pass.

use std::borrow::Cow;

use serde_json::{json, Value};

/// Why a pointer written by hand is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointerError {
    /// Neither empty nor starting with `/`.
    #[error("invalid JSON pointer '{0}': it must be empty or start with '/'")]
    NoLeadingSlash(String),
    /// A `~` not followed by `0` or `1`.
    #[error("invalid JSON pointer '{0}': '~' must be followed by 0 or 1")]
    BadEscape(String),
}

/// Checks a pointer written in a case or config.
pub fn check(p: &str) -> Result<(), PointerError> {
    if !p.is_empty() && !p.starts_with('/') {
        return Err(PointerError::NoLeadingSlash(p.to_string()));
    }
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.peek(), Some('0') | Some('1')) {
            return Err(PointerError::BadEscape(p.to_string()));
        }
    }
    Ok(())
}

/// A key as a pointer token: `~` is `~0`, `/` is `~1`.
pub fn escape(key: &str) -> Cow<'_, str> {
    if key.contains(['~', '/']) {
        Cow::Owned(key.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(key)
    }
}

/// A token as the key it names.
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// `pointer` with one more token naming `key`.
pub fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", escape(key))
}

/// The keys a pointer names, in order (none for the whole document, `""`).
pub fn tokens(pointer: &str) -> impl Iterator<Item = Cow<'_, str>> {
    pointer.split('/').skip(1).map(unescape)
}

/// Whether `pattern` names `pointer`, a `*` token matching any one token.
pub fn matches(pattern: &str, pointer: &str) -> bool {
    let (mut p, mut c) = (pattern.split('/'), pointer.split('/'));
    loop {
        match (p.next(), c.next()) {
            (None, None) => return true,
            (Some(p), Some(c)) if p == "*" || p == c => {}
            _ => return false,
        }
    }
}

/// The value at a pointer in which a `*` token matches any key or index (the first that
/// resolves): `/*/code` reads the code of an error envelope whatever its kind key.
pub fn resolve<'v>(v: &'v Value, pointer: &str) -> Option<&'v Value> {
    if !pointer.split('/').any(|s| s == "*") {
        return v.pointer(pointer);
    }
    let rest = pointer.strip_prefix('/')?;
    let (head, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!("/{rest}")
    };
    match (head, v) {
        ("*", Value::Object(o)) => o.values().find_map(|c| resolve(c, &rest)),
        ("*", Value::Array(a)) => a.iter().find_map(|c| resolve(c, &rest)),
        _ => v
            .pointer(&format!("/{head}"))
            .and_then(|c| resolve(c, &rest)),
    }
}

/// Sets the value at a pointer, making the objects on the way. A number token indexes an array
/// the value already holds (`/instances/0/instance_id`); one past its end it appends an item
/// (`/volume_ids/0` of an empty list, an object on the way to `/sub_jobs/0/entities/id`).
pub fn set(v: &mut Value, pointer: &str, value: Value) {
    let parts: Vec<Cow<'_, str>> = tokens(pointer).collect();
    let Some(last) = parts.len().checked_sub(1) else {
        *v = value;
        return;
    };
    let mut cur = v;
    for (i, p) in parts.iter().enumerate() {
        if let (Value::Array(a), Ok(n)) = (&*cur, p.parse::<usize>()) {
            if n <= a.len() && i < last {
                let Value::Array(a) = cur else { return };
                // One past the end on the way: a new item (`/sub_jobs/0/…` of an empty list).
                if n == a.len() {
                    a.push(json!({}));
                }
                cur = &mut a[n];
                continue;
            }
            if i == last && n <= a.len() {
                let Value::Array(a) = cur else { return };
                if n == a.len() {
                    a.push(value);
                } else {
                    a[n] = value;
                }
                return;
            }
        }
        if !cur.is_object() {
            *cur = json!({});
        }
        let Value::Object(o) = cur else { return };
        if i == last {
            o.insert(p.to_string(), value);
            return;
        }
        cur = o.entry(p.to_string()).or_insert_with(|| json!({}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_and_unescape_are_inverse_and_borrow_plain_keys() {
        for key in ["plain", "a/b", "~", "~1", "x~/y", ""] {
            assert_eq!(unescape(&escape(key)), key);
        }
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(child("/meta", "k/1"), "/meta/k~11");
        assert_eq!(
            tokens("/a~1b/~0/0").collect::<Vec<_>>(),
            vec!["a/b", "~", "0"]
        );
        assert_eq!(tokens("").count(), 0);
    }

    #[test]
    fn a_star_matches_exactly_one_token() {
        assert!(matches("/servers/*/id", "/servers/0/id"));
        assert!(matches("/*", "/x"));
        assert!(matches("", ""));
        assert!(!matches("/servers/*/id", "/servers/0/name"));
        assert!(!matches("/servers/*", "/servers/0/id"));
        assert!(!matches("/servers/*/id", "/servers/id"));
    }

    #[test]
    fn resolve_takes_the_first_entry_a_star_resolves_in() {
        let v = json!({"itemNotFound": {"code": "EVS.5404"}, "list": [{}, {"id": 7}]});
        assert_eq!(resolve(&v, "/*/code"), Some(&json!("EVS.5404")));
        assert_eq!(resolve(&v, "/list/*/id"), Some(&json!(7)));
        assert_eq!(resolve(&v, "/list/0"), Some(&json!({})));
        assert_eq!(resolve(&v, "/*/missing"), None);
    }

    #[test]
    fn set_makes_objects_on_the_way_and_appends_one_past_the_end() {
        let mut v = json!({"volume_ids": [], "instances": [{"a": 1}]});
        set(&mut v, "/vpc/name", json!("n"));
        set(&mut v, "/volume_ids/0", json!("id-0"));
        set(&mut v, "/instances/0/instance_id", json!("i"));
        set(&mut v, "/a~1b", json!(true));
        set(&mut v, "/jobs", json!([]));
        set(&mut v, "/jobs/0/entities/id", json!("e"));
        assert_eq!(
            v,
            json!({"vpc": {"name": "n"}, "volume_ids": ["id-0"],
                   "instances": [{"a": 1, "instance_id": "i"}], "a/b": true,
                   "jobs": [{"entities": {"id": "e"}}]})
        );
        let mut scalar = json!(3);
        set(&mut scalar, "/x", json!(1));
        assert_eq!(scalar, json!({"x": 1}));
        set(&mut scalar, "", json!([]));
        assert_eq!(scalar, json!([]));
    }

    #[test]
    fn check_names_what_is_wrong() {
        assert_eq!(check(""), Ok(()));
        assert_eq!(check("/a~0b~1c"), Ok(()));
        assert_eq!(
            check("a").unwrap_err().to_string(),
            "invalid JSON pointer 'a': it must be empty or start with '/'"
        );
        assert_eq!(
            check("/a~2").unwrap_err().to_string(),
            "invalid JSON pointer '/a~2': '~' must be followed by 0 or 1"
        );
    }
}
