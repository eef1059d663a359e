//! A fast path for reading plain YAML documents (maps, lists, scalars) into serde types, with
//! the position of every [`Spanned`] value.
//!
//! serde-saphyr reads every YAML file of the project, but a case costs ~30 µs there, most of it
//! in its layers (budgets, anchors, merge keys, tags, interpolation) rather than in the parser
//! (`granit-parser`, ~10 µs a case). Case files are plain, so this module deserializes straight
//! from a stream of events: those of the scanner in `lite.rs` (about a seventh of granit-parser's
//! cost), or, for what the scanner leaves, granit-parser's. It gives up ([`Fallback`]) on
//! anything it does not read exactly as serde-saphyr does: anchors, aliases, tags, merge keys,
//! complex or repeated keys, several documents, plain scalars whose type is not plainly a
//! string, a decimal number, `true`, `false` or `null`, deep nesting, and any error.
//! [`from_str`] then reads the document with serde-saphyr, so whenever the fast path is unsure
//! the answer (and every error message) is serde-saphyr's; a differential property test holds
//! each reader to serde-saphyr's values and positions.

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

pub(super) type R<T> = Result<T, Fallback>;

/// Nesting beyond this is left to serde-saphyr (and its depth budget), by both readers.
pub(super) const MAX_DEPTH: usize = 64;

/// Reads a YAML document into `T`: the fast path when the document is plain, serde-saphyr
/// otherwise (and for every error, so messages and positions are serde-saphyr's).
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    match fast::<T>(text) {
        Ok(v) => Ok(v),
        Err(Fallback) => serde_saphyr::from_str(text),
    }
}

/// The fast path alone: [`lite`]'s scanner, then granit-parser's events when the scanner is
/// unsure of the text.
fn fast<T: de::DeserializeOwned>(text: &str) -> R<T> {
    match super::lite::events(text) {
        // The scanner read the text, so granit-parser's events are the same: where the
        // deserializer gives up on these it would give up on those, and serde-saphyr answers.
        Ok(events) => read(events.into_iter()),
        Err(Fallback) => via_granit(text),
    }
}

/// The scanner's path alone (the tests hold it to serde-saphyr on its own).
#[cfg(test)]
fn via_lite<T: de::DeserializeOwned>(text: &str) -> R<T> {
    read(super::lite::events(text)?.into_iter())
}

fn via_granit<T: de::DeserializeOwned>(text: &str) -> R<T> {
    read(Granit::new(text)?)
}

/// One document's value from `events`, which must end there.
fn read<'a, T: de::DeserializeOwned, S: Source<'a>>(events: S) -> R<T> {
    let mut de = De {
        events,
        peeked: None,
        depth: 0,
    };
    // An empty document is serde-saphyr's to judge.
    if matches!(de.peek()?.ev, Ev::End) {
        return Err(Fallback);
    }
    let value = T::deserialize(&mut de)?;
    de.expect(|e| matches!(e, Ev::End))?;
    Ok(value)
}

/// What the deserializer reads: a document's nodes, as either reader sees them.
pub(super) enum Ev<'a> {
    MapStart,
    MapEnd,
    SeqStart,
    SeqEnd,
    /// A scalar's text, and whether it is plain (unquoted).
    Scalar(Cow<'a, str>, bool),
    /// The end of the one document.
    End,
}

/// An event and where it starts (1-based line and column).
pub(super) struct Node<'a> {
    pub ev: Ev<'a>,
    pub line: u64,
    pub column: u64,
}

/// A stream of [`Node`]s.
trait Source<'a> {
    fn next_node(&mut self) -> R<Node<'a>>;
}

impl<'a> Source<'a> for std::vec::IntoIter<Node<'a>> {
    fn next_node(&mut self) -> R<Node<'a>> {
        self.next().ok_or(Fallback)
    }
}

/// granit-parser's events as [`Node`]s: anything anchored, tagged or aliased, and a second
/// document, are a [`Fallback`].
struct Granit<'a>(Parser<'a, StrInput<'a>>);

impl<'a> Granit<'a> {
    fn new(text: &'a str) -> R<Granit<'a>> {
        let mut g = Granit(Parser::new_from_str(text));
        if !matches!(g.event()?.0, Event::StreamStart) {
            return Err(Fallback);
        }
        if !matches!(g.event()?.0, Event::DocumentStart(..)) {
            return Err(Fallback);
        }
        Ok(g)
    }

    fn event(&mut self) -> R<(Event<'a>, Span)> {
        match self.0.next_event() {
            Some(Ok(e)) => Ok(e),
            _ => Err(Fallback),
        }
    }
}

impl<'a> Source<'a> for Granit<'a> {
    fn next_node(&mut self) -> R<Node<'a>> {
        let (event, span) = self.event()?;
        let ev = match event {
            Event::Scalar(text, style, 0, None) => Ev::Scalar(text, style == ScalarStyle::Plain),
            Event::SequenceStart(_, 0, None) => Ev::SeqStart,
            Event::SequenceEnd => Ev::SeqEnd,
            Event::MappingStart(_, 0, None) => Ev::MapStart,
            Event::MappingEnd => Ev::MapEnd,
            Event::DocumentEnd => {
                // Anything but the end here is a second document.
                if !matches!(self.event()?.0, Event::StreamEnd) {
                    return Err(Fallback);
                }
                Ev::End
            }
            _ => return Err(Fallback),
        };
        Ok(Node {
            ev,
            line: span.start.line() as u64,
            column: span.start.col() as u64 + 1,
        })
    }
}

struct De<'a, S> {
    events: S,
    peeked: Option<Node<'a>>,
    depth: usize,
}

impl<'a, S: Source<'a>> De<'a, S> {
    fn peek(&mut self) -> R<&Node<'a>> {
        if self.peeked.is_none() {
            self.peeked = Some(self.events.next_node()?);
        }
        self.peeked.as_ref().ok_or(Fallback)
    }

    fn next(&mut self) -> R<Node<'a>> {
        match self.peeked.take() {
            Some(n) => Ok(n),
            None => self.events.next_node(),
        }
    }

    /// Consumes the next event, which must be of the kind `is` accepts.
    fn expect(&mut self, is: impl FnOnce(&Ev<'a>) -> bool) -> R<()> {
        if is(&self.next()?.ev) {
            Ok(())
        } else {
            Err(Fallback)
        }
    }

    /// A collection between a start event and its end event, nested no deeper than
    /// [`MAX_DEPTH`].
    fn collection<T>(
        &mut self,
        start: impl FnOnce(&Ev<'a>) -> bool,
        end: impl FnOnce(&Ev<'a>) -> bool,
        inside: impl FnOnce(&mut De<'a, S>) -> R<T>,
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

    /// The next node's scalar, consumed, and whether it is plain.
    fn scalar(&mut self) -> R<(Cow<'a, str>, bool)> {
        match self.next()?.ev {
            Ev::Scalar(text, plain) => Ok((text, plain)),
            _ => Err(Fallback),
        }
    }

    /// A scalar's text, when it is meant as a string.
    fn string(&mut self) -> R<Cow<'a, str>> {
        let (text, plain) = self.scalar()?;
        if plain && !plain_string(&text) {
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

impl<'de, 'a, S: Source<'a>> de::Deserializer<'de> for &mut De<'a, S> {
    type Error = Fallback;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        enum Kind {
            Scalar,
            Seq,
            Map,
        }
        let node = match &self.peek()?.ev {
            Ev::Scalar(..) => Kind::Scalar,
            Ev::SeqStart => Kind::Seq,
            Ev::MapStart => Kind::Map,
            _ => return Err(Fallback),
        };
        match node {
            Kind::Scalar => {
                let (text, plain) = self.scalar()?;
                if !plain {
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
            Kind::Seq => self.deserialize_seq(v),
            Kind::Map => self.deserialize_map(v),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.scalar()? {
            (t, true) if t == "true" => v.visit_bool(true),
            (t, true) if t == "false" => v.visit_bool(false),
            _ => Err(Fallback),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.scalar()? {
            (t, true) => match classify(&t) {
                Some(Plain::Int(n)) if n >= 0 => v.visit_u64(n as u64),
                _ => Err(Fallback),
            },
            _ => Err(Fallback),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.scalar()? {
            (t, true) => match classify(&t) {
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
        let is_null = match &self.peek()?.ev {
            Ev::Scalar(t, true) => matches!(classify(t), Some(Plain::Null)),
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
            |e| matches!(e, Ev::SeqStart),
            |e| matches!(e, Ev::SeqEnd),
            |de| v.visit_seq(Seq { de }),
        )
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.collection(
            |e| matches!(e, Ev::MapStart),
            |e| matches!(e, Ev::MapEnd),
            |de| {
                v.visit_map(Map {
                    de,
                    keys: std::collections::HashSet::new(),
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
        let node = self.peek()?;
        let at = (node.line, node.column);
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

struct Seq<'s, 'a, S> {
    de: &'s mut De<'a, S>,
}

impl<'de, 'a, S: Source<'a>> de::SeqAccess<'de> for Seq<'_, 'a, S> {
    type Error = Fallback;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> R<Option<T::Value>> {
        if matches!(self.de.peek()?.ev, Ev::SeqEnd) {
            return Ok(None);
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

struct Map<'s, 'a, S> {
    de: &'s mut De<'a, S>,
    /// Keys seen in this mapping: a repeated key is serde-saphyr's to refuse. A set, since a
    /// list made a mapping of n keys cost n² comparisons.
    keys: std::collections::HashSet<Cow<'a, str>>,
}

impl<'de, 'a, S: Source<'a>> de::MapAccess<'de> for Map<'_, 'a, S> {
    type Error = Fallback;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> R<Option<K::Value>> {
        if matches!(self.de.peek()?.ev, Ev::MapEnd) {
            return Ok(None);
        }
        let key = self.de.string()?;
        // `<<` merges maps in serde-saphyr.
        if key == "<<" || self.keys.contains(&key) {
            return Err(Fallback);
        }
        let value = seed.deserialize(key.as_ref().into_deserializer())?;
        self.keys.insert(key);
        Ok(Some(value))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> R<V::Value> {
        seed.deserialize(&mut *self.de)
    }
}

/// The position, then the value, for [`Spanned`].
struct SpannedSeq<'s, 'a, S> {
    at: Option<(u64, u64)>,
    de: Option<&'s mut De<'a, S>>,
}

impl<'de, 'a, S: Source<'a>> de::SeqAccess<'de> for SpannedSeq<'_, 'a, S> {
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

    /// A reader of the fast path: the scanner, or granit-parser's events.
    type Reader<T> = fn(&str) -> R<T>;

    /// Both readers, by name.
    fn readers<T: de::DeserializeOwned>() -> [(&'static str, Reader<T>); 2] {
        [("lite", via_lite::<T>), ("granit", via_granit::<T>)]
    }

    /// `read` took `text`, and serde-saphyr reads it to the same value, positions included.
    fn agrees<T: de::DeserializeOwned + std::fmt::Debug>(
        read: Reader<T>,
        text: &str,
    ) -> Result<(), String> {
        let fast = read(text).map_err(|_| format!("the fast path gave up on:\n{text}"))?;
        same_as_saphyr(fast, text)
    }

    fn same_as_saphyr<T: de::DeserializeOwned + std::fmt::Debug>(
        fast: T,
        text: &str,
    ) -> Result<(), String> {
        let slow = serde_saphyr::from_str::<T>(text)
            .map_err(|e| format!("serde-saphyr refuses what the fast path took ({e}):\n{text}"))?;
        let (fast, slow) = (format!("{fast:?}"), format!("{slow:?}"));
        if fast == slow {
            Ok(())
        } else {
            Err(format!("{text}\nfast: {fast}\nslow: {slow}"))
        }
    }

    /// Whatever `read` takes, serde-saphyr reads to the same value.
    fn never_disagrees<T: de::DeserializeOwned + std::fmt::Debug>(
        read: Reader<T>,
        text: &str,
    ) -> Result<(), String> {
        match read(text) {
            Ok(fast) => same_as_saphyr(fast, text),
            Err(Fallback) => Ok(()),
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
            // Both readers: the scanner is the one every case should take.
            for (name, read) in readers::<CaseFile>() {
                agrees(read, text).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            agrees(via_lite::<Tree>, text).unwrap_or_else(|e| panic!("{e}"));
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
            "{a:{}}\n",           // a plain key's `:` right before a flow collection
        ] {
            for (name, read) in readers::<Value>() {
                assert!(read(text).is_err(), "{name}: {text:?}");
            }
            // ...and the answer is serde-saphyr's, whatever it is.
            let through = from_str::<Value>(text).map_err(|e| e.to_string());
            let saphyr = serde_saphyr::from_str::<Value>(text).map_err(|e| e.to_string());
            assert_eq!(through, saphyr, "{text:?}");
        }
        let nested = format!("{}1{}", "[".repeat(70), "]".repeat(70));
        for (name, read) in readers::<Value>() {
            assert!(
                read(&nested).is_err(),
                "{name}: deep nesting is serde-saphyr's to refuse"
            );
        }
    }

    #[test]
    fn what_the_scanner_leaves_to_granit_parser_is_still_read_fast_and_right() {
        for text in [
            "a: |\n  two\n  lines\n",  // a block scalar
            "a: >-\n  folded\n",       // a folded one
            "a: [1,\n  2]\n",          // a flow collection over two lines
            "a: \"one\n  two\"\n",     // a quoted scalar over two lines
            "a: plain\n  continued\n", // a plain scalar over two lines
            "a:\tb\n",                 // a tab
            "a: b\r\nc: d\r\n",        // carriage returns
            "\u{feff}a: b\n",          // a byte-order mark
            "---\na: b\n",             // a document marker
            "%YAML 1.2\n---\na: b\n",  // a directive
            "a: [1, 2, ]\n",           // a trailing comma
            "a:\n",                    // an empty value
            "- \n- x\n",               // an empty item
            "a: \"\\ud83d\\ude00\"\n", // a surrogate pair
            "a: {b: 1 # no\n  }\n",    // a comment inside a flow collection
            "a: 'it''s\n  here'\n",    // a single-quoted scalar over two lines
        ] {
            assert!(
                via_lite::<Value>(text).is_err(),
                "the scanner took {text:?}"
            );
            let through = from_str::<Value>(text).map_err(|e| e.to_string());
            let saphyr = serde_saphyr::from_str::<Value>(text).map_err(|e| e.to_string());
            assert_eq!(through, saphyr, "{text:?}");
        }
        // The granit-parser path reads these, so they stay off serde-saphyr's slower path.
        for text in [
            "a: |\n  two\n  lines\n",
            "a: [1,\n  2]\n",
            "a: b\r\nc: d\r\n",
        ] {
            agrees(via_granit::<Value>, text).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn the_scanner_reads_what_case_files_are_made_of() {
        for text in [
            "# a comment\n\na: 1 # trailing\n\n# between\nb: x\n",
            "a:\n- 1\n- 2\nb: 3\n", // a sequence at its key's indentation
            "a:\n  - {k: v}\n  -   two\n", // spaces after the dash
            "- - 1\n  - 2\n- 3\n",  // a sequence in a sequence
            "- a: 1\n  b: 2\n- c: 3\n", // mappings in a sequence
            "a: {\"k\":\"v\",\"n\":1,\"l\":[true,null]}\n", // JSON in a flow collection
            "a: { k : v , l : [ 1 , 2 ] }\n",
            "\"quoted key\": 'single ''quote'''\n",
            "a: \"esc \\\" \\\\ \\/ \\n \\t \\u00e9 \\x41 \\U0001F600\"\n",
            "a: http://host:80/p?q=1#frag\n", // colons and a hash inside a plain scalar
            "名前: 快照 # non-ASCII\nb: {c: 值}\n",
            "a:\n    deep: 1\n",
            "a: -1\nb: 1.5\nc: ~\nd: \"\"\ne: ''\nf: {}\ng: []\n",
            "a: b\nc: d", // no final line feed
        ] {
            agrees(via_lite::<Value>, text).unwrap_or_else(|e| panic!("{e}"));
            agrees(via_lite::<Tree>, text).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn a_hex_id_with_a_leading_zero_is_read_as_a_string_by_the_fast_path() {
        // Project ids are 32 hex digits and often start with 0: the anchors' every case has one.
        let text = "project_id: 0a1b2c3d4e5f40718293a4b5c6d7e8f9\n";
        for (name, read) in readers::<Value>() {
            let v = read(text).unwrap_or_else(|_| panic!("{name} is sure of it"));
            assert_eq!(v["project_id"], "0a1b2c3d4e5f40718293a4b5c6d7e8f9");
            agrees(read, text).expect("same as serde-saphyr");
        }
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
        for (name, read) in readers::<Doc>() {
            let d: Doc = read(text).unwrap_or_else(|_| panic!("{name}: plain"));
            assert_eq!((d.a.referenced.line(), d.a.referenced.column()), (1, 4));
            let at: Vec<(u64, u64)> = d
                .list
                .iter()
                .map(|s| (s.referenced.line(), s.referenced.column()))
                .collect();
            assert_eq!(at, [(3, 5), (4, 7)], "{name}");
            agrees(read, text).expect("same as serde-saphyr");
        }
    }

    /// A document with the position of every node, to hold the readers' positions to
    /// serde-saphyr's.
    #[derive(Debug)]
    // Read through `Debug`, which is how the readers' results are compared.
    #[allow(dead_code)]
    enum Tree {
        Leaf(Value),
        List(Vec<Spanned<Tree>>),
        Map(Vec<(String, Spanned<Tree>)>),
    }

    impl<'de> Deserialize<'de> for Tree {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Tree;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a YAML node")
                }
                fn visit_bool<E>(self, b: bool) -> Result<Tree, E> {
                    Ok(Tree::Leaf(b.into()))
                }
                fn visit_i64<E>(self, n: i64) -> Result<Tree, E> {
                    Ok(Tree::Leaf(n.into()))
                }
                fn visit_u64<E>(self, n: u64) -> Result<Tree, E> {
                    Ok(Tree::Leaf(n.into()))
                }
                fn visit_f64<E>(self, x: f64) -> Result<Tree, E> {
                    Ok(Tree::Leaf(x.into()))
                }
                fn visit_str<E>(self, s: &str) -> Result<Tree, E> {
                    Ok(Tree::Leaf(s.into()))
                }
                fn visit_unit<E>(self) -> Result<Tree, E> {
                    Ok(Tree::Leaf(Value::Null))
                }
                fn visit_none<E>(self) -> Result<Tree, E> {
                    Ok(Tree::Leaf(Value::Null))
                }
                fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                    let mut items = Vec::new();
                    while let Some(item) = a.next_element()? {
                        items.push(item);
                    }
                    Ok(Tree::List(items))
                }
                fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                    let mut entries = Vec::new();
                    while let Some(entry) = a.next_entry()? {
                        entries.push(entry);
                    }
                    Ok(Tree::Map(entries))
                }
            }
            d.deserialize_any(V)
        }
    }

    /// A random YAML tree.
    #[derive(Debug, Clone)]
    enum Node {
        Scalar(&'static str),
        List(Vec<Node>),
        Map(Vec<(&'static str, Node)>),
    }

    /// Scalars whose type YAML readers may see differently, plain ones, and the quoting,
    /// escapes and indicators a scanner can get wrong.
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
        "a#b",
        "a #b",
        "x,y",
        "a:b",
        ":x",
        "?x",
        "- x",
        "-",
        "[x",
        "x]",
        "a  b",
        "@x",
        "%x",
        "`x`",
        "|",
        ">x",
        "名前",
        "\"\\u00e9\\x41\\U0001F600\"",
        "\"\\ud83d\"",
        "\"a\\\"b\\\\c\\/\"",
        "\"\\q\"",
        "\"#not a comment\"",
        "'a: b'",
        "\"\"",
        "''",
        "http://h:1/p",
        "x:",
        "{}",
        "[]",
    ];
    const KEYS: &[&str] = &[
        "a",
        "b",
        "c",
        "<<",
        "1",
        "yes",
        "'k'",
        "\"q\"",
        "null",
        "a b",
        "k:v",
        "\"a\\tb\"",
        "名",
        "-k",
        "?k",
        "'it''s'",
    ];

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

    /// The choices a rendering makes, drawn from a random stream.
    struct Choices(std::vec::IntoIter<u8>);

    impl Choices {
        fn pick(&mut self, n: u8) -> u8 {
            self.0.next().unwrap_or(0) % n
        }
    }

    /// Flow style, with its spacing chosen at random (JSON's among them).
    fn flow(n: &Node, c: &mut Choices) -> String {
        let (open, sep, colon) = match c.pick(3) {
            0 => ("", ", ", ": "),
            1 => (" ", " , ", " : "),
            _ => ("", ",", ":"),
        };
        match n {
            Node::Scalar(s) => s.to_string(),
            Node::List(items) => format!(
                "[{open}{}{open}]",
                items
                    .iter()
                    .map(|i| flow(i, c))
                    .collect::<Vec<_>>()
                    .join(sep)
            ),
            Node::Map(entries) => format!(
                "{{{open}{}{open}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{k}{colon}{}", flow(v, c)))
                    .collect::<Vec<_>>()
                    .join(sep)
            ),
        }
    }

    /// Flow style over several lines, as JSON is pretty-printed, with comments between
    /// entries at random.
    fn pretty(n: &Node, indent: usize, c: &mut Choices) -> String {
        let pad = " ".repeat(indent + 2);
        let sep = |c: &mut Choices| if c.pick(4) == 0 { ", # note\n" } else { ",\n" };
        let (open, close, items): (&str, &str, Vec<String>) = match n {
            Node::Scalar(s) => return s.to_string(),
            Node::List(items) => (
                "[",
                "]",
                items.iter().map(|i| pretty(i, indent + 2, c)).collect(),
            ),
            Node::Map(entries) => (
                "{",
                "}",
                entries
                    .iter()
                    .map(|(k, v)| {
                        let colon = if c.pick(3) == 0 { ":" } else { ": " };
                        format!("{k}{colon}{}", pretty(v, indent + 2, c))
                    })
                    .collect(),
            ),
        };
        if items.is_empty() {
            return format!("{open}{close}");
        }
        let mut out = format!("{open}\n");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(sep(c));
            }
            out.push_str(&pad);
            out.push_str(item);
        }
        out.push('\n');
        out.push_str(&" ".repeat(indent));
        out.push_str(close);
        out
    }

    /// A document of `n` in one of three styles: block, flow on one line, flow over several.
    fn document(n: &Node, style: u8, c: &mut Choices) -> String {
        let mut text = String::new();
        match style % 3 {
            0 => block(n, 0, c, &mut text),
            1 => {
                text = flow(n, c);
                text.push('\n');
            }
            _ => {
                text = pretty(n, 0, c);
                text.push('\n');
            }
        }
        text
    }

    /// A comment, a blank line or nothing before a line.
    fn before(pad: &str, c: &mut Choices, out: &mut String) {
        match c.pick(8) {
            0 => out.push('\n'),
            1 => out.push_str(&format!("{pad}# note\n")),
            2 => out.push_str("#\n"),
            _ => {}
        }
    }

    /// A comment, trailing spaces or nothing after a line.
    fn after(c: &mut Choices) -> &'static str {
        match c.pick(8) {
            0 => " # note",
            1 => "  ",
            2 => " #",
            _ => "",
        }
    }

    fn nested(n: &Node) -> bool {
        matches!(n, Node::Map(e) if !e.is_empty()) || matches!(n, Node::List(l) if !l.is_empty())
    }

    /// Block style, with flow collections, compact nesting, comments and values on the next
    /// line at random.
    fn block(n: &Node, indent: usize, c: &mut Choices, out: &mut String) {
        let pad = " ".repeat(indent);
        match n {
            Node::Map(entries) if !entries.is_empty() => {
                for (k, v) in entries {
                    before(&pad, c, out);
                    if nested(v) && c.pick(4) != 0 {
                        out.push_str(&format!("{pad}{k}:{}\n", after(c)));
                        // A list may sit at its key's indentation.
                        let deeper = match (v, c.pick(3)) {
                            (Node::List(_), 0) => 0,
                            (_, 1) => 4,
                            _ => 2,
                        };
                        block(v, indent + deeper, c, out);
                    } else if !nested(v) && c.pick(6) == 0 {
                        // A value on the line below its key.
                        out.push_str(&format!("{pad}{k}:\n{pad}  {}\n", flow(v, c)));
                    } else {
                        let gap = if c.pick(4) == 0 { "   " } else { " " };
                        out.push_str(&format!("{pad}{k}:{gap}{}{}\n", flow(v, c), after(c)));
                    }
                }
            }
            Node::List(items) if !items.is_empty() => {
                for v in items {
                    before(&pad, c, out);
                    if nested(v) && c.pick(2) == 0 {
                        // Compact: the item starts on the dash's line.
                        let gap = if c.pick(3) == 0 { "   " } else { " " };
                        let width = indent + 1 + gap.len();
                        let mut inner = String::new();
                        block(v, width, c, &mut inner);
                        let inner = inner.trim_start_matches([' ', '\n']);
                        if inner.starts_with('#') {
                            // The item's first line is a comment: it starts below the dash.
                            out.push_str(&format!("{pad}-\n{}", " ".repeat(width)));
                        } else {
                            out.push_str(&format!("{pad}-{gap}"));
                        }
                        out.push_str(inner);
                    } else if nested(v) && c.pick(2) == 0 {
                        out.push_str(&format!("{pad}-\n"));
                        block(v, indent + 2, c, out);
                    } else {
                        out.push_str(&format!("{pad}- {}{}\n", flow(v, c), after(c)));
                    }
                }
            }
            other => out.push_str(&format!("{pad}{}\n", flow(other, c))),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        /// Whatever either reader of the fast path takes, serde-saphyr reads to the same
        /// value, at the same positions.
        #[test]
        fn the_fast_path_never_disagrees_with_serde_saphyr(
            n in node(),
            style in any::<u8>(),
            choices in proptest::collection::vec(any::<u8>(), 64),
        ) {
            let text = document(&n, style, &mut Choices(choices.into_iter()));
            for (name, read) in readers::<Value>() {
                let r = never_disagrees(read, &text);
                prop_assert!(r.is_ok(), "{}: {}", name, r.unwrap_err());
            }
            for (name, read) in readers::<Tree>() {
                let r = never_disagrees(read, &text);
                prop_assert!(r.is_ok(), "{} (positions): {}", name, r.unwrap_err());
            }
        }
    }

    /// The differential test above means something only if the scanner takes much of what it
    /// generates: most of what granit-parser's path takes, in every style.
    #[test]
    fn the_scanner_takes_most_of_the_generated_documents_the_granit_path_takes() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = (node(), proptest::collection::vec(any::<u8>(), 64));
        for style in 0..3u8 {
            let (mut lite, mut granit) = (0, 0);
            for _ in 0..1_000 {
                let (n, choices) = strategy.new_tree(&mut runner).expect("a tree").current();
                let text = document(&n, style, &mut Choices(choices.into_iter()));
                lite += usize::from(via_lite::<Value>(&text).is_ok());
                granit += usize::from(via_granit::<Value>(&text).is_ok());
            }
            assert!(granit > 300, "style {style}: granit took {granit} of 1,000");
            assert!(
                lite * 10 >= granit * 8,
                "style {style}: the scanner took {lite}, granit's path {granit}"
            );
        }
    }
}
