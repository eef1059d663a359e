//! A fast path for reading plain YAML documents (maps, lists, scalars) into serde types, with
//! the position of every [`Spanned`] value.
//!
//! serde-saphyr reads every YAML file of the project, but a case costs ~30 µs there, most of it
//! in its layers (budgets, anchors, merge keys, tags, interpolation) rather than in the parser
//! (`granit-parser`, ~10 µs a case). Case files are plain, so this module deserializes straight
//! from that parser's events, and gives up ([`Fallback`]) on anything it does not read exactly as
//! serde-saphyr does: anchors, aliases, tags, merge keys, complex or repeated keys, several
//! documents, plain scalars whose type is not plainly a string, a decimal number, `true`,
//! `false` or `null`, deep nesting, and any error. [`from_str`] then reads the document with
//! serde-saphyr, so whenever the fast path is unsure the answer (and every error message) is
//! serde-saphyr's; a differential property test holds the two to the same results.

use std::borrow::Cow;
use std::marker::PhantomData;

use granit_parser::{Event, Parser, ScalarStyle, Span, StrInput};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::Deserialize;

/// Where a value starts: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    line: u64,
    column: u64,
}

impl Location {
    /// 1-based line (0 when unknown).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// 1-based column (0 when unknown).
    pub fn column(&self) -> u64 {
        self.column
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it starts.
    pub referenced: Location,
}

/// The newtype name by which [`Spanned`] asks this module's deserializer for a position.
const SPANNED: &str = "$conform::yaml::Spanned";

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Spanned<T>, D::Error> {
        struct SpannedVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a value")
            }

            /// This module's deserializer: the position, then the value.
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Spanned<T>, A::Error> {
                let (line, column): (u64, u64) = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::custom("a spanned value without its position"))?;
                let value = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::custom("a spanned value without its value"))?;
                Ok(Spanned {
                    value,
                    referenced: Location { line, column },
                })
            }

            /// serde-saphyr (the fallback) and any other deserializer: serde-saphyr's own
            /// spanned values carry the position.
            fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Spanned<T>, D::Error> {
                let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
                Ok(Spanned {
                    value: s.value,
                    referenced: Location {
                        line: s.referenced.line(),
                        column: s.referenced.column(),
                    },
                })
            }
        }
        d.deserialize_newtype_struct(SPANNED, SpannedVisitor(PhantomData))
    }
}

/// The fast path does not read this document: read it with serde-saphyr.
#[derive(Debug)]
pub struct Fallback;

impl std::fmt::Display for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a plain document")
    }
}

impl std::error::Error for Fallback {}

impl de::Error for Fallback {
    fn custom<M: std::fmt::Display>(_: M) -> Fallback {
        Fallback
    }
}

type R<T> = Result<T, Fallback>;

/// Nesting beyond this is left to serde-saphyr (and its depth budget).
const MAX_DEPTH: usize = 64;

/// Reads a YAML document into `T`: the fast path when the document is plain, serde-saphyr
/// otherwise (and for every error, so messages and positions are serde-saphyr's).
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    match fast::<T>(text) {
        Ok(v) => Ok(v),
        Err(Fallback) => serde_saphyr::from_str(text),
    }
}

/// The fast path alone.
fn fast<T: de::DeserializeOwned>(text: &str) -> R<T> {
    let mut de = De {
        events: Parser::new_from_str(text),
        peeked: None,
        depth: 0,
    };
    de.expect(|e| matches!(e, Event::StreamStart))?;
    de.expect(|e| matches!(e, Event::DocumentStart(..)))?;
    // An empty document is serde-saphyr's to judge.
    if matches!(de.peek()?.0, Event::DocumentEnd) {
        return Err(Fallback);
    }
    let value = T::deserialize(&mut de)?;
    de.expect(|e| matches!(e, Event::DocumentEnd))?;
    // Anything but the end here is a second document.
    de.expect(|e| matches!(e, Event::StreamEnd))?;
    Ok(value)
}

struct De<'a> {
    events: Parser<'a, StrInput<'a>>,
    peeked: Option<(Event<'a>, Span)>,
    depth: usize,
}

impl<'a> De<'a> {
    fn fill(&mut self) -> R<()> {
        if self.peeked.is_none() {
            match self.events.next_event() {
                Some(Ok(e)) => self.peeked = Some(e),
                _ => return Err(Fallback),
            }
        }
        Ok(())
    }

    fn peek(&mut self) -> R<&(Event<'a>, Span)> {
        self.fill()?;
        self.peeked.as_ref().ok_or(Fallback)
    }

    fn next(&mut self) -> R<(Event<'a>, Span)> {
        self.fill()?;
        self.peeked.take().ok_or(Fallback)
    }

    /// Consumes the next event, which must be of the kind `is` accepts.
    fn expect(&mut self, is: impl FnOnce(&Event<'a>) -> bool) -> R<()> {
        if is(&self.next()?.0) {
            Ok(())
        } else {
            Err(Fallback)
        }
    }

    /// A collection between an untagged, unanchored start event and its end event, nested no
    /// deeper than [`MAX_DEPTH`].
    fn collection<T>(
        &mut self,
        start: impl FnOnce(&Event<'a>) -> bool,
        end: impl FnOnce(&Event<'a>) -> bool,
        inside: impl FnOnce(&mut De<'a>) -> R<T>,
    ) -> R<T> {
        self.expect(start)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Fallback);
        }
        let value = inside(self)?;
        self.expect(end)?;
        self.depth -= 1;
        Ok(value)
    }

    /// The next node's scalar, consumed: untagged, unanchored, or a fallback.
    fn scalar(&mut self) -> R<(Cow<'a, str>, ScalarStyle)> {
        match self.next()?.0 {
            Event::Scalar(text, style, 0, None) => Ok((text, style)),
            _ => Err(Fallback),
        }
    }

    /// A plain scalar's text, when it is meant as a string.
    fn string(&mut self) -> R<Cow<'a, str>> {
        let (text, style) = self.scalar()?;
        if style == ScalarStyle::Plain && !plain_string(&text) {
            return Err(Fallback);
        }
        Ok(text)
    }
}

/// The type of a plain scalar, as far as the fast path is sure of it.
enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str,
}

/// What a plain scalar is. `None`: it could be read several ways (YAML 1.1 booleans such as `yes`,
/// other spellings of null, octal, hex, exponents, infinities, leading zeros, underscores, signs):
/// leave it to serde-saphyr.
fn classify(s: &str) -> Option<Plain> {
    match s {
        "" | "~" | "null" => return Some(Plain::Null),
        "true" => return Some(Plain::Bool(true)),
        "false" => return Some(Plain::Bool(false)),
        _ => {}
    }
    let first = s.bytes().next().unwrap_or(b' ');
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        let digits = s.strip_prefix('-').unwrap_or(s);
        let (int, frac) = match digits.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (digits, None),
        };
        let decimal = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        // A letter no number or timestamp has makes a string (`2xx`, `3rd`, a hex id such as
        // `0a1b…`), unless a radix prefix starts it (`0x1F`, `0o17`, `0b101`): exponents need
        // an `e`, timestamps `T` and `Z`.
        let radix = first == b'0' && s.as_bytes().get(1).is_some_and(|b| b"xXoObB".contains(b));
        if first.is_ascii_digit()
            && !radix
            && s.bytes()
                .any(|b| b.is_ascii_alphabetic() && !b"eEtTzZ".contains(&b))
        {
            return Some(Plain::Str);
        }
        // `0`, `12`, `-3`; not `012`, `+1`, `1e3`, `1_000`, `.5`.
        if !decimal(int) || (int.len() > 1 && int.starts_with('0')) {
            return None;
        }
        return match frac {
            None => s.parse().ok().map(Plain::Int),
            Some(f) if decimal(f) => s.parse().ok().map(Plain::Float),
            Some(_) => None,
        };
    }
    // Words some YAML readers take for booleans or null, in any case.
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", ".nan", ".inf",
    ];
    if s.len() <= 5 && WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return None;
    }
    Some(Plain::Str)
}

/// Whether a plain scalar reads as a string whatever the target.
fn plain_string(s: &str) -> bool {
    matches!(classify(s), Some(Plain::Str))
}

impl<'de, 'a> de::Deserializer<'de> for &mut De<'a> {
    type Error = Fallback;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        enum Node {
            Scalar,
            Seq,
            Map,
        }
        let node = match &self.peek()?.0 {
            Event::Scalar(..) => Node::Scalar,
            Event::SequenceStart(_, 0, None) => Node::Seq,
            Event::MappingStart(_, 0, None) => Node::Map,
            _ => return Err(Fallback),
        };
        match node {
            Node::Scalar => {
                let (text, style) = self.scalar()?;
                if style != ScalarStyle::Plain {
                    return v.visit_string(text.into_owned());
                }
                match classify(&text).ok_or(Fallback)? {
                    Plain::Null => v.visit_unit(),
                    Plain::Bool(b) => v.visit_bool(b),
                    Plain::Int(n) if n >= 0 => v.visit_u64(n as u64),
                    Plain::Int(n) => v.visit_i64(n),
                    Plain::Float(x) => v.visit_f64(x),
                    Plain::Str => v.visit_string(text.into_owned()),
                }
            }
            Node::Seq => self.deserialize_seq(v),
            Node::Map => self.deserialize_map(v),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.scalar()? {
            (t, ScalarStyle::Plain) if t == "true" => v.visit_bool(true),
            (t, ScalarStyle::Plain) if t == "false" => v.visit_bool(false),
            _ => Err(Fallback),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.scalar()? {
            (t, ScalarStyle::Plain) => match classify(&t) {
                Some(Plain::Int(n)) if n >= 0 => v.visit_u64(n as u64),
                _ => Err(Fallback),
            },
            _ => Err(Fallback),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.scalar()? {
            (t, ScalarStyle::Plain) => match classify(&t) {
                Some(Plain::Int(n)) => v.visit_i64(n),
                _ => Err(Fallback),
            },
            _ => Err(Fallback),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        let text = self.string()?;
        v.visit_string(text.into_owned())
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        let is_null = match &self.peek()?.0 {
            Event::Scalar(t, ScalarStyle::Plain, 0, None) => {
                matches!(classify(t), Some(Plain::Null))
            }
            _ => false,
        };
        if is_null {
            self.next()?;
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.collection(
            |e| matches!(e, Event::SequenceStart(_, 0, None)),
            |e| matches!(e, Event::SequenceEnd),
            |de| v.visit_seq(Seq { de }),
        )
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.collection(
            |e| matches!(e, Event::MappingStart(_, 0, None)),
            |e| matches!(e, Event::MappingEnd),
            |de| {
                v.visit_map(Map {
                    de,
                    keys: Vec::new(),
                })
            },
        )
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> R<V::Value> {
        self.deserialize_map(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> R<V::Value> {
        if name != SPANNED {
            return v.visit_newtype_struct(self);
        }
        let start = self.peek()?.1.start;
        let at = (start.line() as u64, start.col() as u64 + 1);
        v.visit_seq(SpannedSeq {
            at: Some(at),
            de: Some(self),
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, _v: V) -> R<V::Value> {
        // Only an unknown field is ignored, and serde-saphyr names it.
        Err(Fallback)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u32 u128 f32 f64 char bytes byte_buf unit unit_struct
        tuple tuple_struct enum
    }
}

struct Seq<'s, 'a> {
    de: &'s mut De<'a>,
}

impl<'de> de::SeqAccess<'de> for Seq<'_, '_> {
    type Error = Fallback;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> R<Option<T::Value>> {
        if matches!(self.de.peek()?.0, Event::SequenceEnd) {
            return Ok(None);
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

struct Map<'s, 'a> {
    de: &'s mut De<'a>,
    /// Keys seen in this mapping: a repeated key is serde-saphyr's to refuse.
    keys: Vec<Cow<'a, str>>,
}

impl<'de> de::MapAccess<'de> for Map<'_, '_> {
    type Error = Fallback;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> R<Option<K::Value>> {
        if matches!(self.de.peek()?.0, Event::MappingEnd) {
            return Ok(None);
        }
        let key = self.de.string()?;
        // `<<` merges maps in serde-saphyr.
        if key == "<<" || self.keys.contains(&key) {
            return Err(Fallback);
        }
        let value = seed.deserialize(key.as_ref().into_deserializer())?;
        self.keys.push(key);
        Ok(Some(value))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> R<V::Value> {
        seed.deserialize(&mut *self.de)
    }
}

/// The position, then the value, for [`Spanned`].
struct SpannedSeq<'s, 'a> {
    at: Option<(u64, u64)>,
    de: Option<&'s mut De<'a>>,
}

impl<'de> de::SeqAccess<'de> for SpannedSeq<'_, '_> {
    type Error = Fallback;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> R<Option<T::Value>> {
        if let Some((line, column)) = self.at.take() {
            return seed
                .deserialize(de::value::SeqDeserializer::<_, Fallback>::new(
                    [line, column].into_iter(),
                ))
                .map(Some);
        }
        match self.de.take() {
            Some(de) => seed.deserialize(de).map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::model::CaseFile;
    use proptest::prelude::*;
    use serde_json::Value;

    /// The fast path read `text` and serde-saphyr reads it to the same value, positions included.
    fn agrees<T: de::DeserializeOwned + std::fmt::Debug>(text: &str) -> Result<(), String> {
        let fast = fast::<T>(text).map_err(|_| format!("the fast path gave up on:\n{text}"))?;
        let slow = serde_saphyr::from_str::<T>(text)
            .map_err(|e| format!("serde-saphyr refuses what the fast path took ({e}):\n{text}"))?;
        let (fast, slow) = (format!("{fast:?}"), format!("{slow:?}"));
        if fast == slow {
            Ok(())
        } else {
            Err(format!("{text}\nfast: {fast}\nslow: {slow}"))
        }
    }

    #[test]
    fn every_case_of_the_suite_and_of_the_generator_reads_fast_and_as_serde_saphyr_reads_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for (_, path) in crate::case::discover(&root.join("cases")).expect("cases") {
            texts.push(std::fs::read_to_string(path).expect("case"));
        }
        let contract = crate::contract::Contract::load(&root.join("schemas")).expect("contract");
        let generated = crate::generate::generate(&contract, &Default::default()).expect("cases");
        texts.extend(generated.into_iter().map(|g| g.yaml));
        assert!(texts.len() > 100, "{} cases", texts.len());
        for text in &texts {
            agrees::<CaseFile>(text).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn what_the_fast_path_is_not_sure_of_is_left_to_serde_saphyr() {
        for text in [
            "a: &x 1\nb: *x\n",   // anchors and aliases
            "a: !!str 5\n",       // tags
            "<<: {a: 1}\nb: 2\n", // merge keys
            "a: 1\na: 2\n",       // a repeated key
            "? [a]\n: 1\n",       // a complex key
            "a: 1\n---\nb: 2\n",  // two documents
            "",                   // no document
            "a: yes\n",           // a YAML 1.1 boolean
            "a: 0x1F\n",          // hex
            "a: 012\n",           // a leading zero
            "a: 1e3\n",           // an exponent
            "a: [1, 2\n",         // broken
        ] {
            assert!(fast::<Value>(text).is_err(), "{text:?}");
            // ...and the answer is serde-saphyr's, whatever it is.
            let through = from_str::<Value>(text).map_err(|e| e.to_string());
            let saphyr = serde_saphyr::from_str::<Value>(text).map_err(|e| e.to_string());
            assert_eq!(through, saphyr, "{text:?}");
        }
        let nested = format!("{}1{}", "[".repeat(70), "]".repeat(70));
        assert!(
            fast::<Value>(&nested).is_err(),
            "deep nesting is serde-saphyr's to refuse"
        );
    }

    #[test]
    fn a_hex_id_with_a_leading_zero_is_read_as_a_string_by_the_fast_path() {
        // Project ids are 32 hex digits and often start with 0: the anchors' every case has one.
        let text = "project_id: 0a1b2c3d4e5f40718293a4b5c6d7e8f9\n";
        let v = fast::<Value>(text).expect("the fast path is sure of it");
        assert_eq!(v["project_id"], "0a1b2c3d4e5f40718293a4b5c6d7e8f9");
        agrees::<Value>(text).expect("same as serde-saphyr");
        for radix in ["a: 0x1a\n", "a: 0b1\n", "a: 0o7\n"] {
            assert!(fast::<Value>(radix).is_err(), "{radix:?}");
        }
    }

    #[test]
    fn spanned_values_know_where_they_start() {
        #[derive(Debug, Deserialize)]
        struct Doc {
            a: Spanned<String>,
            list: Vec<Spanned<Value>>,
        }
        let text = "a: x\nlist:\n  - {k: 1}\n  -   two\n";
        let d: Doc = fast(text).expect("plain");
        assert_eq!((d.a.referenced.line(), d.a.referenced.column()), (1, 4));
        let at: Vec<(u64, u64)> = d
            .list
            .iter()
            .map(|s| (s.referenced.line(), s.referenced.column()))
            .collect();
        assert_eq!(at, [(3, 5), (4, 7)]);
        agrees::<Doc>(text).expect("same as serde-saphyr");
    }

    /// A random YAML tree.
    #[derive(Debug, Clone)]
    enum Node {
        Scalar(&'static str),
        List(Vec<Node>),
        Map(Vec<(&'static str, Node)>),
    }

    /// Scalars whose type YAML readers may see differently, and plain ones.
    const SCALARS: &[&str] = &[
        "x",
        "hello world",
        "yes",
        "No",
        "on",
        "~",
        "null",
        "Null",
        "",
        "true",
        "False",
        "0",
        "12",
        "-3",
        "012",
        "0x1F",
        "0o17",
        "1e3",
        "1.5",
        "-0.5",
        ".5",
        "+1",
        "1_000",
        ".inf",
        "-.inf",
        ".nan",
        "'quoted'",
        "\"dq\"",
        "\"12\"",
        "'yes'",
        "2026-01-01",
        "-x",
        "&a x",
        "*a",
        "!!str 5",
        "9223372036854775808",
        "-9223372036854775809",
        "'it''s'",
        "\"tab\\tesc\"",
        "a b: c",
        "2xx",
        "4XX",
        "3rd",
        "1st-of-may",
        "1e",
        "12:30",
        "2026-01-01T00:00:00Z",
        "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
        "0abc",
        "00ab",
        "0e5",
        "0E5",
        "0b101",
        "0B1",
        "0O17",
        "0xZZ",
        "0_ab",
        "0t",
    ];
    const KEYS: &[&str] = &["a", "b", "c", "<<", "1", "yes", "'k'", "\"q\"", "null"];

    fn node() -> impl Strategy<Value = Node> {
        let leaf = proptest::sample::select(SCALARS).prop_map(Node::Scalar);
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Node::List),
                proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..4)
                    .prop_map(Node::Map),
            ]
        })
    }

    fn flow(n: &Node) -> String {
        match n {
            Node::Scalar(s) => s.to_string(),
            Node::List(items) => format!(
                "[{}]",
                items.iter().map(flow).collect::<Vec<_>>().join(", ")
            ),
            Node::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", flow(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Block style, with flow collections inside lists and at random depths.
    fn block(n: &Node, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match n {
            Node::Map(entries) if !entries.is_empty() => {
                for (k, v) in entries {
                    match v {
                        Node::Map(e) if !e.is_empty() => {
                            out.push_str(&format!("{pad}{k}:\n"));
                            block(v, indent + 2, out);
                        }
                        Node::List(l) if !l.is_empty() => {
                            out.push_str(&format!("{pad}{k}:\n"));
                            block(v, indent + 2, out);
                        }
                        other => out.push_str(&format!("{pad}{k}: {}\n", flow(other))),
                    }
                }
            }
            Node::List(items) if !items.is_empty() => {
                for v in items {
                    out.push_str(&format!("{pad}- {}\n", flow(v)));
                }
            }
            other => out.push_str(&format!("{pad}{}\n", flow(other))),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever the fast path reads, serde-saphyr reads to the same value.
        #[test]
        fn the_fast_path_never_disagrees_with_serde_saphyr(n in node(), as_flow in any::<bool>()) {
            let mut text = String::new();
            if as_flow {
                text = flow(&n);
                text.push('\n');
            } else {
                block(&n, 0, &mut text);
            }
            if fast::<Value>(&text).is_ok() {
                prop_assert!(agrees::<Value>(&text).is_ok(), "{}", agrees::<Value>(&text).unwrap_err());
            }
        }
    }
}
