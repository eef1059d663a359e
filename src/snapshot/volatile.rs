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

/// Whether `c` is a word character as `\b` sees it.
fn is_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        regex_syntax::is_word_character(c)
    }
}

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

/// The maximal runs of word characters of `s`, left to right.
fn words(s: &str) -> impl Iterator<Item = Word> + '_ {
    let mut chars = s.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, c) = chars.find(|(_, c)| is_word(*c))?;
        let mut hex = c.is_ascii_hexdigit();
        let mut end = start + c.len_utf8();
        while let Some((i, c)) = chars.next_if(|(_, c)| is_word(*c)) {
            hex &= c.is_ascii_hexdigit();
            end = i + c.len_utf8();
        }
        Some(Word { start, end, hex })
    })
}

/// The 32-hex ids in `s`, left to right. Bounded by `\b` on both sides and made of word
/// characters only, such an id is a whole word: a word of exactly 32 hex digits.
pub fn hex_ids(s: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    words(s).filter(|w| w.hex_of(32)).map(|w| w.start..w.end)
}

/// The UUIDs in `s`, left to right. Between `\b`s, with `-` (not a word character) between its
/// groups, a UUID is five whole words of 8, 4, 4, 4 and 12 hex digits, each a single `-` from
/// the next.
pub fn uuids(s: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let b = s.as_bytes();
    let mut words = words(s);
    // The words read but not yet ruled out as a UUID's start.
    let mut window: std::collections::VecDeque<Word> = std::collections::VecDeque::new();
    std::iter::from_fn(move || loop {
        while window.len() < GROUPS.len() {
            window.push_back(words.next()?);
        }
        let joined = window
            .iter()
            .zip(window.iter().skip(1))
            .all(|(a, next)| next.start == a.end + 1 && b[a.end] == b'-');
        if joined && window.iter().zip(GROUPS).all(|(w, n)| w.hex_of(n)) {
            let (first, last) = (window[0].start, window[GROUPS.len() - 1].end);
            window.clear();
            return Some(first..last);
        }
        window.pop_front();
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
        assert_eq!(
            uuids(s).collect::<Vec<_>>(),
            oracle(UUID, s),
            "uuids in {s:?}"
        );
        assert_eq!(
            hex_ids(s).collect::<Vec<_>>(),
            oracle(HEX_ID, s),
            "ids in {s:?}"
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
        assert_eq!(uuids(&format!("x{id} {id}")).count(), 1);
        assert_eq!(hex_ids(&format!("/v2/{hex}/")).next(), Some(4..36));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        /// Random text made of the pieces these patterns are built of, near misses included,
        /// with ASCII and non-ASCII word and non-word characters around them.
        #[test]
        fn the_scanners_find_what_the_regexes_find(
            s in "([0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{1,2}(\\.[0-9]{0,3})?([Zz]|[+-][0-9]{2}:?[0-9]{1,2})?|[0-9a-fA-F]{7,9}-[0-9a-f]{3,4}-[0-9a-f]{4}-[0-9A-F]{4}-[0-9a-f]{11,13}|[0-9a-fA-F]{31,33}|[0-9a-fA-F]{4,12}|[-0-9a-zG_:.+ /é—\u{300}٣]{1,6}){0,5}"
        ) {
            check(&s);
        }
    }
}
