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
        assert_eq!(value("^[a-z]{200}$"), None);
    }
}
