//! Redaction: nothing volatile, nothing secret. Built-in transformers replace UUIDs and 32-hex
//! ids with numbered references (`<uuid:1>`) that are consistent within one snapshot, so "the id
//! in the response equals the id in the path" stays visible, and timestamps with `<timestamp>`. Cases and targets add
//! redactions by JSON pointer (`*` matches any key or index) or regex, and skip paths whose
//! values are not compared.

use std::borrow::Cow;

use regex::Regex;
use serde_json::Value;

use super::volatile::{self, IdKind};

/// The length of the shortest text a built-in transformer matches (a timestamp without
/// fraction or zone; a 32-hex id and a UUID are longer).
const SHORTEST_VOLATILE: usize = "2026-01-01T00:00:00".len();

/// Whether `s` has eight hex digits in a row, which both a UUID and a 32-hex id have: one pass
/// over the bytes turns most text away before the word scanners decode it.
fn may_hold_id(s: &str) -> bool {
    let mut run = 0;
    for b in s.bytes() {
        run = if b.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run >= 8 {
            return true;
        }
    }
    false
}

/// `s` with every range `found` yields (left to right, tagged) replaced by what `with` writes
/// for it (borrowed when nothing is found).
fn replace_ranges<'s, T>(
    s: Cow<'s, str>,
    found: Vec<(T, std::ops::Range<usize>)>,
    mut with: impl FnMut(T, &str, &mut String),
) -> Cow<'s, str> {
    if found.is_empty() {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (tag, m) in found {
        out.push_str(&s[last..m.start]);
        with(tag, &s[m.clone()], &mut out);
        last = m.end;
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

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
    secrets: &'a [String],
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

/// Whether [`Redactor::write`] redacts what it writes (or writes an already redacted tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Redact {
    Yes,
    No,
}

/// A JSON scalar, as serde_json writes it.
fn scalar<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    // Writing to a Vec cannot fail, and a `Value` or a `str` always serialises.
    let _ = serde_json::to_writer(out, v);
}

/// A JSON string, byte for byte as serde_json writes it: most keys and values need no escape
/// (serde_json escapes only `"`, `\` and the C0 controls), and copying those whole costs a
/// fraction of escaping them byte by byte through a serializer.
fn string(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        return scalar(out, s);
    }
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
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
    pub fn new(rules: &'a Rules, secrets: &'a [String], run_id: &'a str) -> Redactor<'a> {
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
        let mut out = Cow::Borrowed(s);
        for secret in self.secrets {
            if !secret.is_empty() && out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), "<secret>"));
            }
        }
        for re in &self.rules.regexes {
            if let Cow::Owned(o) = re.replace_all(&out, "<redacted>") {
                out = Cow::Owned(o);
            }
        }
        if self.run_id.len() >= 6 && out.contains(self.run_id) {
            out = Cow::Owned(out.replace(self.run_id, "<run_id>"));
        }
        // Most keys and values are short: nothing shorter than the shortest timestamp
        // (`2026-01-01T00:00:00`) can hold a timestamp, a UUID or a 32-hex id.
        if out.len() < SHORTEST_VOLATILE {
            return out;
        }
        // Timestamps are not numbered: whether two are equal (created_at = updated_at) depends on
        // which concurrent case touched a resource first, not on the response being right.
        let out = {
            let found = volatile::timestamps(&out).map(|r| ((), r)).collect();
            replace_ranges(out, found, |(), _, o| o.push_str("<timestamp>"))
        };
        if !may_hold_id(&out) {
            return out;
        }
        // Each match is numbered where it is (not the first copy of its text, which may sit
        // inside a longer word the boundaries refuse).
        let found = volatile::ids(&out).collect();
        let (uuids, ids) = (&mut self.uuids, &mut self.ids);
        replace_ranges(out, found, |kind, m, o| match kind {
            IdKind::Uuid => uuids.write("uuid", m, o),
            IdKind::Hex => ids.write("id", m, o),
        })
    }

    /// Redacts a JSON value in key order (keys are sorted), so numbering is deterministic.
    pub fn json(&mut self, v: &Value) -> Value {
        let mut path = Vec::new();
        self.walk(v, &mut path)
    }

    /// Writes `v` redacted, byte for byte as `serde_json::to_string_pretty(&self.json(v))`
    /// prints it and numbering alike, without building the redacted tree: a snapshot in compare
    /// mode is rendered on every step, and the tree and its second walk were a third of that.
    pub fn write_json(&mut self, v: &Value, out: &mut Vec<u8>) {
        let mut path = Vec::new();
        self.write(v, &mut path, 0, Redact::Yes, out);
    }

    /// Whether [`Redactor::text`] could change `s`, judged without numbering anything.
    fn may_change(&self, s: &str) -> bool {
        self.secrets
            .iter()
            .any(|secret| !secret.is_empty() && s.contains(secret.as_str()))
            || self.rules.regexes.iter().any(|re| re.is_match(s))
            || (self.run_id.len() >= 6 && s.contains(self.run_id))
            || (s.len() >= SHORTEST_VOLATILE
                && (volatile::timestamps(s).next().is_some()
                    || (may_hold_id(s) && volatile::ids(s).next().is_some())))
    }

    fn write<'v>(
        &mut self,
        v: &'v Value,
        path: &mut Vec<Segment<'v>>,
        indent: usize,
        redact: Redact,
        out: &mut Vec<u8>,
    ) {
        if redact == Redact::Yes {
            if let Some(mask) = self.mask(path) {
                return string(out, mask);
            }
        }
        let (open, close, len) = match v {
            Value::String(s) if redact == Redact::Yes => return string(out, &self.redact(s)),
            Value::String(s) => return string(out, s),
            Value::Array(items) => (b'[', b']', items.len()),
            // A key that redaction changes may move or merge with another in the sorted
            // map: such an object is redacted as a tree (in the same order, so numbering
            // is the same) and written as it is.
            Value::Object(map)
                if redact == Redact::Yes && map.keys().any(|k| self.may_change(k)) =>
            {
                let redacted = self.walk(v, path);
                let mut inner = path.iter().map(|s| Cow::Owned(s.to_string())).collect();
                return self.write(&redacted, &mut inner, indent, Redact::No, out);
            }
            Value::Object(map) => (b'{', b'}', map.len()),
            other => return scalar(out, other),
        };
        out.push(open);
        if len == 0 {
            out.push(close);
            return;
        }
        let mut item = |this: &mut Self, i: usize, key: Option<&'v String>, x: &'v Value| {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            out.resize(out.len() + 2 * (indent + 1), b' ');
            if let Some(k) = key {
                string(out, k);
                out.extend_from_slice(b": ");
            }
            path.push(match key {
                Some(k) => Cow::Borrowed(k.as_str()),
                None => Cow::Owned(i.to_string()),
            });
            this.write(x, path, indent + 1, redact, out);
            path.pop();
        };
        match v {
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    item(self, i, None, x);
                }
            }
            Value::Object(map) => {
                for (i, (k, x)) in map.iter().enumerate() {
                    item(self, i, Some(k), x);
                }
            }
            _ => {}
        }
        out.push(b'\n');
        out.resize(out.len() + 2 * indent, b' ');
        out.push(close);
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
        let rules = Rules::default();
        let mut r = Redactor::new(&rules, &[], "abc123run");
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
        let rules = Rules::default();
        let mut r = Redactor::new(&rules, &[], "");
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
        let secrets = vec!["pw1".to_string()];
        let mut r = Redactor::new(&rules, &secrets, "run123");
        assert_eq!(r.text("a pw1 run123"), "a <secret> <run_id>");
        assert_eq!(SHORTEST_VOLATILE, 19);
        assert_eq!(r.text("2026-01-01T00:00:00"), "<timestamp>");
        assert_eq!(r.text("2026-01-01T00:00:0"), "2026-01-01T00:00:0");
    }

    #[test]
    fn the_byte_scan_admits_every_id_and_the_text_is_redacted_whole() {
        for id in [
            "5c7f0c1e-0000-4000-8000-000000000001",
            "/v2/0a1b2c3d4e5f40718293a4b5c6d7e8f9/x",
        ] {
            assert!(may_hold_id(id), "{id}");
        }
        for plain in ["renamed snapshot name", "abcdefg-123-xyz", "5c7f0c1-e000"] {
            assert!(!may_hold_id(plain), "{plain}");
        }
        let rules = Rules::default();
        let mut r = Redactor::new(&rules, &[], "");
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
    }

    proptest::proptest! {
        /// The byte scan only turns away text in which the scanners find no id.
        #[test]
        fn the_byte_scan_never_hides_an_id(
            s in "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{11,12}|[0-9a-fA-F]{30,33}|[0-9a-zA-Z:. +-]{1,6}){0,4}"
        ) {
            proptest::prop_assert!(
                may_hold_id(&s)
                    || volatile::ids(&s).next().is_none()
            );
        }
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

    #[test]
    fn every_character_up_to_u_ff_is_written_as_serde_json_writes_it() {
        for c in (0..=0xffu32).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            let mut out = Vec::new();
            string(&mut out, &s);
            let expected = serde_json::to_string(&s).expect("prints");
            assert_eq!(String::from_utf8(out).expect("utf-8"), expected, "{c:?}");
        }
    }

    proptest::proptest! {
        /// The copying fast path writes a string as serde_json does, whatever it holds.
        #[test]
        fn a_string_is_written_as_serde_json_writes_it(
            s in "(\\PC|[\u{0}-\u{1f}\u{7f}-\u{9f}\"\\\\/]){0,12}|\\PC{0,40}",
        ) {
            let mut out = Vec::new();
            string(&mut out, &s);
            let expected = serde_json::to_string(&s).expect("prints");
            proptest::prop_assert_eq!(String::from_utf8(out).expect("utf-8"), expected);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// The streaming writer prints what redacting a tree and pretty-printing it prints,
        /// numbering included, whatever the keys, values and rules.
        #[test]
        fn writing_redacted_json_equals_pretty_printing_the_redacted_tree(
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
            let secrets = vec!["pw1".to_string()];
            let tree = {
                let mut r = Redactor::new(&rules, &secrets, "run123");
                serde_json::to_string_pretty(&r.json(&v)).expect("prints")
            };
            let mut streamed = Vec::new();
            Redactor::new(&rules, &secrets, "run123").write_json(&v, &mut streamed);
            proptest::prop_assert_eq!(String::from_utf8(streamed).expect("utf-8"), tree);
        }
    }

    #[test]
    fn pointers_with_wildcards_regexes_skips_and_secrets() {
        let rules = Rules {
            pointers: vec!["/items/*/token".into()],
            regexes: vec![Regex::new("snap-\\d+").unwrap()],
            skip: vec!["/size".into()],
        };
        let secrets = vec!["s3cr3t-value".to_string()];
        let mut r = Redactor::new(&rules, &secrets, "");
        let out = r.json(&json!({"items": [{"token": "a"}, {"token": "b", "keep": "snap-12 s3cr3t-value"}], "size": 9}));
        assert_eq!(
            out,
            json!({"items": [{"token": "<redacted>"}, {"token": "<redacted>", "keep": "<redacted> <secret>"}], "size": "<skipped>"})
        );
    }
}
