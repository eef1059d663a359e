//! Redaction: nothing volatile, nothing secret. Secret values become `<redacted>`
//! ([`crate::secrets`]); the built-in patterns ([`super::volatile`]) replace UUIDs and 32-hex ids
//! with numbered references (`<uuid:1>`) that are consistent within one snapshot, so "the id in
//! the response equals the id in the path" stays visible, and timestamps with `<timestamp>`.
//! Cases and targets add redactions by JSON pointer (`*` matches any key or index) or regex,
//! and skip paths whose values are not compared.

use std::borrow::Cow;

use regex::Regex;
use serde_json::Value;

use super::volatile::{ID, TIMESTAMP, UUID_LEN};
use crate::secrets::Secrets;

/// The length of the shortest text a built-in pattern matches (a timestamp without fraction or
/// zone; a 32-hex id and a UUID are longer).
const SHORTEST_VOLATILE: usize = "2026-01-01T00:00:00".len();

/// Redactions configured by a case or a target.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Pointers (with `*`) whose values become `<redacted>`.
    pub pointers: Vec<String>,
    /// Regexes whose matches become `<redacted>`.
    pub regexes: Vec<Regex>,
    /// Pointers (with `*`) whose values are not compared: recorded as `<skipped>`.
    pub skip: Vec<String>,
}

impl Rules {
    /// Whether there are no rules at all.
    pub fn is_empty(&self) -> bool {
        self.pointers.is_empty() && self.regexes.is_empty() && self.skip.is_empty()
    }

    /// Both sets of rules together.
    pub fn merged(&self, other: &Rules) -> Rules {
        Rules {
            pointers: self
                .pointers
                .iter()
                .chain(&other.pointers)
                .cloned()
                .collect(),
            regexes: self.regexes.iter().chain(&other.regexes).cloned().collect(),
            skip: self.skip.iter().chain(&other.skip).cloned().collect(),
        }
    }
}

/// One snapshot's redactor: numbering is shared by everything it redacts.
#[derive(Debug)]
pub struct Redactor<'a> {
    rules: &'a Rules,
    secrets: &'a Secrets,
    run_id: &'a str,
    uuids: Numbering,
    ids: Numbering,
}

/// The numbers given to one kind of id, by lower-cased value, in order of first sight (hashed
/// with foldhash, as the snapshot file index is: faster than SipHash on short keys, and seeded
/// per process, so a response cannot choose ids that collide).
#[derive(Debug, Default)]
struct Numbering(foldhash::HashMap<String, usize>);

impl Numbering {
    /// Writes `<kind:n>` for `value`, numbering it if it is new.
    fn write(&mut self, kind: &str, value: &str, out: &mut String) {
        let lower = if value.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(value.to_ascii_lowercase())
        } else {
            Cow::Borrowed(value)
        };
        let next = self.0.len() + 1;
        let n = match self.0.get(lower.as_ref()) {
            Some(n) => *n,
            None => {
                self.0.insert(lower.into_owned(), next);
                next
            }
        };
        out.push('<');
        out.push_str(kind);
        out.push(':');
        out.push_str(itoa::Buffer::new().format(n));
        out.push('>');
    }
}

/// A step of the path to a value: an object's key, borrowed, or an array's index.
type Segment<'v> = Cow<'v, str>;

fn pointer_matches(pattern: &str, path: &[Segment<'_>]) -> bool {
    let parts: Vec<String> = pattern
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    parts.len() == path.len() && parts.iter().zip(path).all(|(p, s)| p == "*" || p == s)
}

impl<'a> Redactor<'a> {
    /// A redactor for one snapshot.
    pub fn new(rules: &'a Rules, secrets: &'a Secrets, run_id: &'a str) -> Redactor<'a> {
        Redactor {
            rules,
            secrets,
            run_id,
            uuids: Numbering::default(),
            ids: Numbering::default(),
        }
    }

    /// Redacts free text: secrets, user regexes, the run id, then the built-in transformers.
    pub fn text(&mut self, s: &str) -> String {
        self.redact(s).into_owned()
    }

    /// [`Redactor::text`], borrowing what it leaves unchanged (most keys and values).
    pub fn redact<'s>(&mut self, s: &'s str) -> Cow<'s, str> {
        let mut out = self.secrets.scrub(s);
        for re in &self.rules.regexes {
            if let Cow::Owned(o) = re.replace_all(&out, "<redacted>") {
                out = Cow::Owned(o);
            }
        }
        if self.run_id.len() >= 6 && out.contains(self.run_id) {
            out = Cow::Owned(out.replace(self.run_id, "<run_id>"));
        }
        // Most keys and values are short: nothing shorter than the shortest timestamp can hold
        // a timestamp, a UUID or a 32-hex id.
        if out.len() < SHORTEST_VOLATILE {
            return out;
        }
        // Timestamps are not numbered: whether two are equal (created_at = updated_at) depends on
        // which concurrent case touched a resource first, not on the response being right. Each
        // has a `:`, which ids, paths and names seldom have (a regex search costs more than it).
        if out.contains(':') {
            if let Cow::Owned(o) = TIMESTAMP.replace_all(&out, "<timestamp>") {
                out = Cow::Owned(o);
            }
        }
        // Both kinds of id have 8 hex digits in a row, most other text none.
        if !out
            .as_bytes()
            .windows(8)
            .any(|w| w.iter().all(u8::is_ascii_hexdigit))
        {
            return out;
        }
        // Replaced after the timestamps, so a date inside a hex word is no id. Each match is
        // numbered where it is (not the first copy of its text, which may sit inside a longer
        // word the boundaries refuse).
        let mut ids = ID.find_iter(&out).peekable();
        if ids.peek().is_none() {
            return out;
        }
        let mut redacted = String::with_capacity(out.len());
        let mut last = 0;
        for m in ids {
            redacted.push_str(&out[last..m.start()]);
            let (numbering, kind) = if m.len() == UUID_LEN {
                (&mut self.uuids, "uuid")
            } else {
                (&mut self.ids, "id")
            };
            numbering.write(kind, m.as_str(), &mut redacted);
            last = m.end();
        }
        redacted.push_str(&out[last..]);
        Cow::Owned(redacted)
    }

    /// Redacts a JSON value in key order (keys are sorted), so numbering is deterministic.
    pub fn json(&mut self, v: &Value) -> Value {
        let mut path = Vec::new();
        self.walk(v, &mut path)
    }

    /// What replaces the value at `path` whole, if a rule names it: skipped before redacted.
    fn mask(&self, path: &[Segment<'_>]) -> Option<&'static str> {
        if self.rules.skip.iter().any(|p| pointer_matches(p, path)) {
            return Some("<skipped>");
        }
        if self.rules.pointers.iter().any(|p| pointer_matches(p, path)) {
            return Some("<redacted>");
        }
        None
    }

    fn walk<'v>(&mut self, v: &'v Value, path: &mut Vec<Segment<'v>>) -> Value {
        if let Some(mask) = self.mask(path) {
            return Value::String(mask.into());
        }
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        path.push(Cow::Owned(i.to_string()));
                        let r = self.walk(x, path);
                        path.pop();
                        r
                    })
                    .collect(),
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, x) in map {
                    path.push(Cow::Borrowed(k.as_str()));
                    let key = self.text(k);
                    out.insert(key, self.walk(x, path));
                    path.pop();
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volatile_values_become_numbered_references_consistent_within_a_snapshot() {
        let (rules, none) = (Rules::default(), Secrets::default());
        let mut r = Redactor::new(&rules, &none, "abc123run");
        let line = r.text("PUT /v2/0a1b2c3d4e5f40718293a4b5c6d7e8f9/snapshots/5c7f0c1e-0000-4000-8000-000000000001");
        assert_eq!(line, "PUT /v2/<id:1>/snapshots/<uuid:1>");
        let body = r.json(&json!({"snapshot": {"id": "5c7f0c1e-0000-4000-8000-000000000001", "other": "6c7f0c1e-0000-4000-8000-000000000001", "updated_at": "2026-11-24T00:53:39.521252", "name": "renamed-abc123run"}}));
        assert_eq!(
            body,
            json!({"snapshot": {"id": "<uuid:1>", "other": "<uuid:2>", "updated_at": "<timestamp>", "name": "renamed-<run_id>"}})
        );
    }

    #[test]
    fn an_id_is_replaced_where_it_matches_not_where_its_text_first_appears() {
        let (rules, none) = (Rules::default(), Secrets::default());
        let mut r = Redactor::new(&rules, &none, "");
        let id = "5c7f0c1e-0000-4000-8000-000000000001";
        // The first copy sits inside a longer word (no boundary): only the second is an id.
        let text = format!("x{id} {id} {id}");
        assert_eq!(r.text(&text), format!("x{id} <uuid:1> <uuid:1>"));
        let hex = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
        assert_eq!(
            r.text(&format!("{hex}/{id}/{hex}")),
            "<id:1>/<uuid:1>/<id:1>",
            "numbering is shared by the whole snapshot"
        );
    }

    #[test]
    fn the_short_text_shortcut_still_redacts_secrets_and_the_shortest_timestamp() {
        let rules = Rules::default();
        let secrets = Secrets::new(vec!["pw1".to_string()]);
        let mut r = Redactor::new(&rules, &secrets, "run123");
        assert_eq!(r.text("a pw1 run123"), "a <redacted> <run_id>");
        assert_eq!(SHORTEST_VOLATILE, 19);
        assert_eq!(r.text("2026-01-01T00:00:00"), "<timestamp>");
        assert_eq!(r.text("2026-01-01T00:00:0"), "2026-01-01T00:00:0");
    }

    #[test]
    fn text_is_redacted_whole_timestamps_before_ids() {
        let (rules, none) = (Rules::default(), Secrets::default());
        let mut r = Redactor::new(&rules, &none, "");
        assert_eq!(
            r.text("a long value with nothing volatile"),
            "a long value with nothing volatile"
        );
        assert_eq!(
            r.text("at 2026-01-01T00:00:00 on 0a1b2c3d4e5f40718293a4b5c6d7e8f9, 2026-01-01 00:00:00.5+08:00"),
            "at <timestamp> on <id:1>, <timestamp>"
        );
        assert_eq!(
            r.text("0A1B2C3D4E5F40718293A4B5C6D7E8F9 5C7F0C1E-0000-4000-8000-000000000001"),
            "<id:1> <uuid:1>",
            "ids are numbered whatever their case"
        );
        // A date inside a hex word is a timestamp, and what is left of the word no id.
        let hex_and_date = "0a1b2c3d4e5f40718293a4b5c6d72026-01-01T00:00:00";
        assert_eq!(
            r.text(hex_and_date),
            "0a1b2c3d4e5f40718293a4b5c6d7<timestamp>"
        );
    }

    /// A random JSON value whose keys and strings are volatile, secret, plain or awkward.
    fn value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        const WORDS: &[&str] = &[
            "a",
            "b",
            "id",
            "name",
            "5c7f0c1e-0000-4000-8000-000000000001",
            "6C7F0C1E-0000-4000-8000-000000000002",
            "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
            "2026-01-01T00:00:00Z",
            "at 2026-11-24T00:53:39.521252 and 5c7f0c1e-0000-4000-8000-000000000001",
            "pw1",
            "xpw1x",
            "run123",
            "snap-42",
            "k~1/x",
            "é\u{1}\"\\\n",
            "",
        ];
        let word = proptest::sample::select(WORDS).prop_map(str::to_string);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            word.clone().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 5, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec((word.clone(), inner), 0..5)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn ids_are_numbered_in_order_of_first_sight_whatever_their_case() {
        let mut n = Numbering::default();
        let mut out = String::new();
        for v in ["aa", "bb", "AA", "cc", "Bb", "aa"] {
            n.write("id", v, &mut out);
        }
        assert_eq!(out, "<id:1><id:2><id:1><id:3><id:2><id:1>");
        // Many ids, numbered on past ten (more than one digit).
        let mut n = Numbering::default();
        let mut out = String::new();
        let values: Vec<String> = (0..40).map(|i| format!("v{i}")).collect();
        for v in values.iter().chain(&values) {
            n.write("id", &v.to_ascii_uppercase(), &mut out);
            n.write("id", v, &mut out);
        }
        let expected: String = (1..=40)
            .chain(1..=40)
            .map(|i| format!("<id:{i}><id:{i}>"))
            .collect();
        assert_eq!(out, expected);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1_000))]

        /// No secret, run id, timestamp or id survives in a snapshot body, in keys or values,
        /// whatever the shape of the JSON and the rules.
        #[test]
        fn nothing_secret_or_volatile_reaches_the_printed_body(
            v in value(),
            with_rules in proptest::prelude::any::<bool>(),
        ) {
            let rules = if with_rules {
                Rules {
                    pointers: vec!["/a/*".into(), "/*/name".into()],
                    regexes: vec![crate::statics::regex(r"snap-\d+")],
                    skip: vec!["/b".into()],
                }
            } else {
                Rules::default()
            };
            let secrets = Secrets::new(vec!["pw1".to_string()]);
            let mut r = Redactor::new(&rules, &secrets, "run123");
            let printed = serde_json::to_string_pretty(&r.json(&v)).expect("prints");
            for gone in ["pw1", "run123", "5c7f0c1e", "6C7F0C1E", "0a1b2c3d", "2026-"] {
                proptest::prop_assert!(!printed.contains(gone), "{} in {}", gone, printed);
            }
        }
    }

    #[test]
    fn pointers_with_wildcards_regexes_skips_and_secrets() {
        let rules = Rules {
            pointers: vec!["/items/*/token".into()],
            regexes: vec![Regex::new("snap-\\d+").unwrap()],
            skip: vec!["/size".into()],
        };
        let secrets = Secrets::new(vec!["s3cr3t-value".to_string()]);
        let mut r = Redactor::new(&rules, &secrets, "");
        let out = r.json(&json!({"items": [{"token": "a"}, {"token": "b", "keep": "snap-12 s3cr3t-value"}], "size": 9}));
        assert_eq!(
            out,
            json!({"items": [{"token": "<redacted>"}, {"token": "<redacted>", "keep": "<redacted> <redacted>"}], "size": "<skipped>"})
        );
    }
}
