//! Strings for a schema's `pattern`: the contract states timestamps as a pattern (the derived
//! date-time layout, `^\d{4}-\d{2}-\d{2}T…$`), so the mock answers the current time in the first
//! layout the pattern accepts, and other patterned fields with the first candidate it accepts.

use time::OffsetDateTime;

/// A string the pattern accepts, or None when no candidate fits (or the pattern does not compile).
pub fn value(pattern: &str) -> Option<String> {
    let re = regex::Regex::new(pattern).ok()?;
    candidates(OffsetDateTime::now_utc())
        .into_iter()
        .find(|c| re.is_match(c))
        .or_else(|| drawn(pattern, &re))
}

/// A string drawn from the pattern itself (`^[\-_.]+$` takes none of the candidates), with a
/// fixed seed so the answer is stable; None when the pattern is beyond the generator.
fn drawn(pattern: &str, re: &regex::Regex) -> Option<String> {
    use proptest::strategy::{Strategy, ValueTree};
    // The generator wants the bare expression; the anchors are implied by a full match.
    let bare = pattern.trim_start_matches('^').trim_end_matches('$');
    let strategy = proptest::string::string_regex(bare).ok()?;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    (0..16).find_map(|_| {
        let s = strategy.new_tree(&mut runner).ok()?.current();
        re.is_match(&s).then_some(s)
    })
}

/// Timestamps in the layouts the services document, then ids, addresses and plain words.
fn candidates(t: OffsetDateTime) -> Vec<String> {
    let date = format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day());
    let clock = format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
    let micros = format!("{:06}", t.microsecond());
    let millis = &micros[..3];
    vec![
        format!("{date}T{clock}.{micros}"),
        format!("{date}T{clock}Z"),
        format!("{date}T{clock}"),
        format!("{date} {clock}"),
        format!("{date}T{clock}.{millis}Z"),
        format!("{date}T{clock}.{micros}Z"),
        format!("{date}T{clock}+00:00"),
        format!("{date}T{clock}.{millis}+00:00"),
        format!("{date}T{clock}+0000"),
        date.clone(),
        uuid::Uuid::new_v4().to_string(),
        "192.168.0.0/16".into(),
        "192.168.0.1".into(),
        "x".into(),
        "0".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_time_pattern_gets_the_time_in_its_layout() {
        let p = r"^\d{4}\-\d{2}\-\d{2}[Tt]\d{2}:\d{2}:\d{2}\.\d{6}$";
        let v = value(p).unwrap_or_default();
        assert!(regex::Regex::new(p).is_ok_and(|r| r.is_match(&v)), "{v}");
        let z = value(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$").unwrap_or_default();
        assert!(z.ends_with('Z') && z.len() == 20, "{z}");
        // A pattern no candidate fits is drawn from.
        let drawn = value(r"^[\-_.]+$").unwrap_or_default();
        assert!(
            !drawn.is_empty() && drawn.chars().all(|c| "-_.".contains(c)),
            "{drawn}"
        );
        assert_eq!(value("^[a-z]{200}$").map(|v| v.len()), Some(200));
        assert_eq!(value("("), None);
    }
}
