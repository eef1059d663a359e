//! The built-in volatile values a snapshot redacts, found by hand-written scanners: timestamps
//! (`2026-01-01T00:00:00`, with an optional fraction and zone), UUIDs and 32-hex ids.
//!
//! Each scanner finds exactly the matches, in the order and without overlaps, of the regex it
//! replaced (kept in the tests as the oracle of a differential property test):
//!
//! - timestamp: `\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})?`,
//!   with ASCII digits;
//! - UUID: `(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`;
//! - id: `(?i)\b[0-9a-f]{32}\b`.
//!
//! Why not the regexes: redaction runs on the request line and every key and string of every
//! response in compare and update mode, and starting three regex searches on each was most of
//! what redaction cost. The word boundaries are the regex crate's (Unicode word characters, as
//! `regex_syntax::is_word_character` decides), so an id inside a longer word is still left
//! alone.

use std::ops::Range;

/// The timestamps in `s`, left to right.
pub fn timestamps(s: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let b = s.as_bytes();
    let mut from = 0;
    // Every timestamp has a `-` four bytes after its start: each dash names the one place a
    // timestamp could start, in increasing order.
    let mut dashes = b.iter().enumerate().filter(|(_, c)| **c == b'-');
    std::iter::from_fn(move || {
        for (dash, _) in dashes.by_ref() {
            let Some(start) = dash.checked_sub(4) else {
                continue;
            };
            if start < from {
                continue;
            }
            if let Some(end) = timestamp_at(b, start) {
                from = end;
                return Some(start..end);
            }
        }
        None
    })
}

/// The end of the timestamp that starts at `i`, if one does.
fn timestamp_at(b: &[u8], i: usize) -> Option<usize> {
    let digits = |at: usize, n: usize| {
        b.get(at..at + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let is = |at: usize, c: u8| b.get(at) == Some(&c);
    let date = digits(i, 4) && is(i + 4, b'-') && digits(i + 5, 2) && is(i + 7, b'-');
    let date = date && digits(i + 8, 2) && matches!(b.get(i + 10), Some(b'T' | b't' | b' '));
    let time = digits(i + 11, 2) && is(i + 13, b':') && digits(i + 14, 2) && is(i + 16, b':');
    if !(date && time && digits(i + 17, 2)) {
        return None;
    }
    let mut end = i + 19;
    // The optional parts are taken whenever they are there, as the regex's greedy `?` does
    // (nothing after them can fail).
    if is(end, b'.') && digits(end + 1, 1) {
        end += 2;
        while digits(end, 1) {
            end += 1;
        }
    }
    match b.get(end) {
        Some(b'Z' | b'z') => end += 1,
        Some(b'+' | b'-') if digits(end + 1, 2) => {
            if is(end + 3, b':') && digits(end + 4, 2) {
                end += 6;
            } else if digits(end + 3, 2) {
                end += 5;
            }
        }
        _ => {}
    }
    Some(end)
}

/// One maximal run of word characters: `start..end`, and whether it is all ASCII hex digits.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    hex: bool,
}

impl Word {
    fn hex_of(&self, len: usize) -> bool {
        self.hex && self.end - self.start == len
    }
}

/// The maximal runs of word characters of `s`, left to right. ASCII is judged by the byte;
/// only other characters are decoded.
fn words(s: &str) -> impl Iterator<Item = Word> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    // The length of the word character at `at`, or None when it is not one.
    let word_at = move |at: usize| -> Option<(usize, bool)> {
        let c = b[at];
        if c.is_ascii() {
            let word = c.is_ascii_alphanumeric() || c == b'_';
            return word.then_some((1, c.is_ascii_hexdigit()));
        }
        let ch = s[at..].chars().next()?;
        regex_syntax::is_word_character(ch).then_some((ch.len_utf8(), false))
    };
    std::iter::from_fn(move || {
        while i < b.len() {
            let Some((len, hex)) = word_at(i) else {
                // Not a word character: step over it whole.
                i += s[i..].chars().next().map_or(1, char::len_utf8);
                continue;
            };
            let mut w = Word {
                start: i,
                end: i + len,
                hex,
            };
            while let Some((len, hex)) = (w.end < b.len()).then(|| word_at(w.end)).flatten() {
                w.end += len;
                w.hex &= hex;
            }
            i = w.end;
            return Some(w);
        }
        None
    })
}

/// A kind of id [`ids`] finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A UUID.
    Uuid,
    /// A 32-hex id.
    Hex,
}

/// The UUIDs and 32-hex ids in `s`, left to right, in one pass over its words.
///
/// Bounded by `\b` and made of word characters, a 32-hex id is a whole word of exactly 32 hex
/// digits. With `-` (not a word character) between its groups, a UUID is five whole words of
/// 8, 4, 4, 4 and 12 hex digits, each a single `-` from the next. Neither can be part of the
/// other, so one pass finds both: what the UUID regex finds, and what the id regex finds in the
/// text after the UUIDs are replaced (a `<uuid:n>` adds no 32-digit word).
pub fn ids(s: &str) -> impl Iterator<Item = (IdKind, Range<usize>)> + '_ {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let b = s.as_bytes();
    let mut words = words(s);
    // The UUID being read: its start, how many groups matched, where the last one ended.
    let mut chain: Option<(usize, usize, usize)> = None;
    std::iter::from_fn(move || {
        for w in words.by_ref() {
            if let Some((start, groups, end)) = chain {
                if w.start == end + 1 && b[end] == b'-' && w.hex_of(GROUPS[groups]) {
                    if groups + 1 == GROUPS.len() {
                        chain = None;
                        return Some((IdKind::Uuid, start..w.end));
                    }
                    chain = Some((start, groups + 1, w.end));
                    continue;
                }
            }
            // A broken chain's later groups are 4 or 12 digits: only this word can start the
            // next UUID.
            chain = w.hex_of(GROUPS[0]).then_some((w.start, 1, w.end));
            if w.hex_of(32) {
                return Some((IdKind::Hex, w.start..w.end));
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    /// The regexes the scanners replaced: the oracle.
    fn oracle(re: &str, s: &str) -> Vec<Range<usize>> {
        Regex::new(re)
            .expect("oracle regex")
            .find_iter(s)
            .map(|m| m.range())
            .collect()
    }
    const TIMESTAMP: &str = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?";
    const UUID: &str = r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b";
    const HEX_ID: &str = r"(?i)\b[0-9a-f]{32}\b";

    fn check(s: &str) {
        assert_eq!(
            timestamps(s).collect::<Vec<_>>(),
            oracle(TIMESTAMP, s),
            "timestamps in {s:?}"
        );
        let of = |kind| {
            ids(s)
                .filter(|(k, _)| *k == kind)
                .map(|(_, r)| r)
                .collect::<Vec<_>>()
        };
        assert_eq!(of(IdKind::Uuid), oracle(UUID, s), "uuids in {s:?}");
        // The id regex ran on the text the UUID pass left: the same ids, moved.
        let replaced = Regex::new(UUID).expect("uuid").replace_all(s, "<uuid:1>");
        let after = oracle(HEX_ID, &replaced);
        let found = of(IdKind::Hex);
        assert_eq!(found.len(), after.len(), "ids in {s:?}");
        for (r, a) in found.iter().zip(&after) {
            assert_eq!(&s[r.clone()], &replaced[a.clone()], "ids in {s:?}");
        }
        let starts: Vec<usize> = ids(s).map(|(_, r)| r.start).collect();
        assert!(
            starts.windows(2).all(|w| w[0] < w[1]),
            "left to right in {s:?}"
        );
    }

    #[test]
    fn known_values_and_near_misses() {
        let id = "5c7f0c1e-0000-4000-8000-000000000001";
        let hex = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
        for s in [
            "",
            id,
            hex,
            "2026-11-24T00:53:39.521252",
            "2026-11-24 00:53:39+08:00 and 2026-11-24t00:53:39-0800",
            "2026-11-24T00:53:39+08:0x",
            "2026-11-24T00:53:39.Z",
            "12342026-01-01T00:00:00",
            "2026-01-01T00:00:0",
            &format!("x{id} {id}-{id}"),
            &format!("{id}_ é{id} {id}é {id}—{hex}"),
            &format!("{hex}{hex} {hex}a /v2/{hex}/snapshots/{id}"),
            "5C7F0C1E-0000-4000-8000-00000000000A",
            "5c7f0c1e-0000-4000-8000-0000000000011",
            "5c7f0c1e-0000-4000-8000--000000000001",
            "aaaaaaaa-5c7f0c1e-0000-4000-8000-000000000001",
            "5c7f0c1e-0000-4000-8000-000000000001-0000-4000-8000-000000000001",
        ] {
            check(s);
        }
        assert_eq!(ids(&format!("x{id} {id}")).count(), 1);
        assert_eq!(
            ids(&format!("/v2/{hex}/")).next(),
            Some((IdKind::Hex, 4..36))
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        /// Random text made of the pieces these patterns are built of, near misses included,
        /// with ASCII and non-ASCII word and non-word characters around them.
        #[test]
        fn the_scanners_find_what_the_regexes_find(
            s in "([0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{1,2}(\\.[0-9]{0,3})?([Zz]|[+-][0-9]{2}:?[0-9]{1,2})?|[0-9a-fA-F]{7,9}-[0-9a-f]{3,4}-[0-9a-f]{4}-[0-9A-F]{4}-[0-9a-f]{11,13}|[0-9a-fA-F]{31,33}|[0-9a-f]{8}-|[0-9a-fA-F]{4,12}|[-0-9a-zG_:.+ /é—\u{300}٣]{1,6}){0,5}"
        ) {
            check(&s);
        }
    }
}
