//! Values of numeric flags, parsed once with their bounds, so an absurd value is a clear error
//! naming the flag rather than a panic deep in the runtime (`Duration::from_secs_f64` panics on
//! overflow; a rate of 1e-300/s would mean waiting longer than the universe has existed).

use std::time::Duration;

/// The longest duration any flag accepts.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
/// The lowest rate `--rate` accepts (one request every 1,000 s).
pub const MIN_RATE: f64 = 0.001;
/// The highest rate `--rate` accepts.
pub const MAX_RATE: f64 = 1_000_000.0;
/// The most concurrent cases `--jobs` accepts.
pub const MAX_JOBS: usize = 1024;
/// The most retries `--retries` accepts.
pub const MAX_RETRIES: u32 = 100;

/// Why a flag value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    /// Not of the flag's form.
    #[error("invalid {what} '{value}': expected {expected}")]
    Form {
        /// What the flag holds.
        what: &'static str,
        /// The value given.
        value: String,
        /// What would be accepted.
        expected: &'static str,
    },
    /// Outside the flag's range.
    #[error("{what} '{value}' is out of range: {range}")]
    Range {
        /// What the flag holds.
        what: &'static str,
        /// The value given.
        value: String,
        /// The accepted range.
        range: String,
    },
}

/// `500ms`, `10s`, `2m`, `1h`, or a bare number of seconds; from 1 ms to 24 h.
pub fn duration(s: &str) -> Result<Duration, FlagError> {
    // `-5s` is a duration out of range, not a malformed one.
    let t = s.trim();
    let t = match t.strip_prefix('-') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
            return Err(FlagError::Range {
                what: "duration",
                value: s.to_string(),
                range: "from 1ms to 24h".into(),
            })
        }
        _ => t,
    };
    let (num, unit) = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((t, "s"), |i| (&t[..i], &t[i..]));
    let form = || FlagError::Form {
        what: "duration",
        value: s.to_string(),
        expected: "e.g. 500ms, 10s, 2m or 1h",
    };
    let n: f64 = num.parse().map_err(|_| form())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(form()),
    };
    let range = || FlagError::Range {
        what: "duration",
        value: s.to_string(),
        range: "from 1ms to 24h".into(),
    };
    if !secs.is_finite() || secs < 0.001 || secs > MAX_DURATION.as_secs_f64() {
        return Err(range());
    }
    Duration::try_from_secs_f64(secs).map_err(|_| range())
}

/// `10/s`, `0.5/s` or `10`: requests a second, from 0.001 to 1,000,000.
pub fn rate(s: &str) -> Result<f64, FlagError> {
    let n: f64 = s
        .trim()
        .trim_end_matches("/s")
        .parse()
        .map_err(|_| FlagError::Form {
            what: "rate",
            value: s.to_string(),
            expected: "e.g. 10/s or 0.5/s",
        })?;
    if n.is_finite() && (MIN_RATE..=MAX_RATE).contains(&n) {
        Ok(n)
    } else {
        Err(FlagError::Range {
            what: "rate",
            value: s.to_string(),
            range: format!("from {MIN_RATE}/s to {MAX_RATE}/s"),
        })
    }
}

/// A count from `min` to `max`.
pub fn count<T>(s: &str, what: &'static str, min: T, max: T) -> Result<T, FlagError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    // A negative number is a whole number out of range, and is answered with the range.
    if s.trim().starts_with('-') && s.trim()[1..].bytes().all(|b| b.is_ascii_digit()) {
        return Err(FlagError::Range {
            what,
            value: s.to_string(),
            range: format!("from {min} to {max}"),
        });
    }
    let n: T = s.trim().parse().map_err(|_| FlagError::Form {
        what,
        value: s.to_string(),
        expected: "a whole number",
    })?;
    if n < min || n > max {
        return Err(FlagError::Range {
            what,
            value: s.to_string(),
            range: format!("from {min} to {max}"),
        });
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_reported_panics_are_errors() {
        assert!(matches!(
            duration("99999999999999999999s"),
            Err(FlagError::Range { .. })
        ));
        assert!(matches!(rate("1e-300/s"), Err(FlagError::Range { .. })));
        assert!(matches!(
            count::<usize>("0", "jobs", 1, MAX_JOBS),
            Err(FlagError::Range { .. })
        ));
        assert_eq!(duration("1.5m").unwrap(), Duration::from_secs(90));
        assert_eq!(duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(duration("10x").is_err());
        assert!(duration("0s").is_err());
        assert!(duration("-1s").is_err());
    }

    fn numbers() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<f64>().prop_map(|f| f.to_string()),
            any::<u128>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            (any::<u64>(), -400i32..400).prop_map(|(m, e)| format!("{m}e{e}")),
            Just("NaN".to_string()),
            Just("inf".to_string()),
            Just("99999999999999999999".to_string()),
            Just("1e-300".to_string()),
            "[0-9.e+-]{0,30}",
        ]
    }

    proptest! {
        #[test]
        fn no_numeric_flag_panics_and_every_accepted_value_is_usable(
            n in numbers(),
            unit in prop_oneof![Just(""), Just("ms"), Just("s"), Just("m"), Just("h"), Just("/s")],
        ) {
            let text = format!("{n}{unit}");
            if let Ok(d) = duration(&text) {
                prop_assert!(d <= MAX_DURATION && d >= Duration::from_millis(1));
                prop_assert!(std::time::Instant::now().checked_add(d).is_some());
            }
            if let Ok(r) = rate(&text) {
                // The runner spaces requests by 1/r seconds: that must be a valid Duration.
                prop_assert!(Duration::try_from_secs_f64(1.0 / r).is_ok());
            }
            if let Ok(j) = count::<usize>(&text, "jobs", 1, MAX_JOBS) {
                prop_assert!((1..=MAX_JOBS).contains(&j));
            }
            let _ = count::<u32>(&text, "retries", 0, MAX_RETRIES);
        }
    }

    #[test]
    fn a_negative_count_is_answered_with_the_range() {
        let e = count::<usize>("-1", "jobs", 1, MAX_JOBS).unwrap_err();
        assert_eq!(e.to_string(), "jobs '-1' is out of range: from 1 to 1024");
    }
}
