//! The built-in volatile values a snapshot redacts: timestamps (`2026-01-01T00:00:00`, with an
//! optional fraction and zone), UUIDs and 32-hex ids, as regexes compiled once.
//!
//! Ids are one pattern, UUIDs and 32-hex ids as alternatives: a UUID's groups are whole words
//! of at most 12 hex digits and a 32-hex id is one whole word, so neither can be part of the
//! other, and one search finds what the UUID pattern and then the 32-hex pattern on the text
//! it left find (the differential test below holds it to that). The length of a match tells
//! which it is. `\b` is Unicode-aware, so an id inside a longer word (`xé5c7f…`) is left alone;
//! digits are ASCII.

use std::sync::LazyLock;

use regex::Regex;

/// A timestamp: date, `T`, `t` or a space, time, then an optional fraction and zone.
pub static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    crate::statics::regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?",
    )
});

/// A UUID or a 32-hex id, in any case, as a whole word.
pub static ID: LazyLock<Regex> = LazyLock::new(|| {
    crate::statics::regex(
        r"(?i)\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})\b",
    )
});

/// The length of a UUID: a match of [`ID`] this long is one, any other a 32-hex id.
pub const UUID_LEN: usize = 36;

#[cfg(test)]
mod tests {
    use super::*;

    /// Text with its ids marked by one search of [`ID`].
    fn one_pass(s: &str) -> String {
        let mark = |c: &regex::Captures<'_>| {
            if c[0].len() == UUID_LEN {
                "<uuid>"
            } else {
                "<id>"
            }
        };
        ID.replace_all(s, mark).into_owned()
    }

    /// The same by the UUID pattern, then the 32-hex pattern on the text the UUIDs left.
    fn two_passes(s: &str) -> String {
        let uuid = crate::statics::regex(
            r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        );
        let hex = crate::statics::regex(r"(?i)\b[0-9a-f]{32}\b");
        let rest = uuid.replace_all(s, "<uuid>");
        hex.replace_all(&rest, "<id>").into_owned()
    }

    fn ids(s: &str) -> Vec<&str> {
        ID.find_iter(s).map(|m| m.as_str()).collect()
    }

    fn timestamps(s: &str) -> Vec<&str> {
        TIMESTAMP.find_iter(s).map(|m| m.as_str()).collect()
    }

    #[test]
    fn timestamps_take_their_fraction_and_zone() {
        assert_eq!(
            timestamps("2026-11-24T00:53:39.521252 2026-11-24 00:53:39+08:00 2026-11-24t00:53:39-0800 2026-01-01T00:00:00Z"),
            [
                "2026-11-24T00:53:39.521252",
                "2026-11-24 00:53:39+08:00",
                "2026-11-24t00:53:39-0800",
                "2026-01-01T00:00:00Z"
            ]
        );
        // A broken zone or an empty fraction is left out of the match; a short time is none.
        assert_eq!(
            timestamps("2026-11-24T00:53:39+08:0x 2026-11-24T00:53:39.Z"),
            ["2026-11-24T00:53:39", "2026-11-24T00:53:39"]
        );
        assert!(timestamps("2026-01-01T00:00:0").is_empty());
        assert!(
            timestamps("2026-01-01T00:00:0٣").is_empty(),
            "digits are ASCII"
        );
    }

    #[test]
    fn ids_are_whole_words_of_either_shape() {
        let id = "5c7f0c1e-0000-4000-8000-000000000001";
        let hex = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
        assert_eq!(ids(&format!("/v2/{hex}/snapshots/{id}")), [hex, id]);
        assert_eq!(
            ids("5C7F0C1E-0000-4000-8000-00000000000A"),
            ["5C7F0C1E-0000-4000-8000-00000000000A"]
        );
        // Inside a longer word (ASCII or not), or a group too long or short: no id.
        for s in [
            format!("x{id}"),
            format!("é{id}"),
            format!("{id}_"),
            format!("{hex}a"),
            format!("{hex}{hex}"),
            "5c7f0c1e-0000-4000-8000-0000000000011".into(),
            "5c7f0c1e-0000-4000-8000--000000000001".into(),
        ] {
            assert!(ids(&s).is_empty(), "{s}");
        }
        // A word before it that is not a group, or one after, does not hide it.
        assert_eq!(ids(&format!("aaaaaaaa-{id}")), [id]);
        assert_eq!(ids(&format!("{id}—{hex}")), [id, hex]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// Random text made of the pieces these patterns are built of, near misses included,
        /// with ASCII and non-ASCII word and non-word characters around them.
        #[test]
        fn one_id_search_finds_what_the_uuid_then_the_hex_pattern_find(
            s in "([0-9a-fA-F]{7,9}-[0-9a-f]{3,4}-[0-9a-f]{4}-[0-9A-F]{4}-[0-9a-f]{11,13}|[0-9a-fA-F]{31,33}|[0-9a-f]{8}-|[0-9a-fA-F]{4,12}|[-0-9a-zG_:.+ /é—\u{300}٣]{1,6}){0,5}"
        ) {
            proptest::prop_assert_eq!(one_pass(&s), two_passes(&s));
        }
    }
}
