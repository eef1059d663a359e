//! Compiling patterns written in the source: a failure is a defect in the program, found by the
//! tests the first time the pattern is used, never a reaction to input.

use regex::Regex;

/// Compiles a regex literal.
pub fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("invalid static regex {pattern:?}: {e}"))
}
