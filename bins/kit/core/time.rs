//! Times as users type them (`--since 2h`, RFC 3339, a date) and as tables show them.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, SpanRelativeTo, Timestamp};

use super::choice::choices;

/// A duration such as `500ms`, `90s`, `30m`, `2h`, `3d`, `1w`, `1h30m`; a bare `0` is zero.
/// Parsed by jiff's friendly format, limited to digits and unit letters (no signs, spaces or
/// ISO 8601 prefixes), with days and weeks of 24 hours.
pub fn parse_duration(text: &str) -> Result<SignedDuration, String> {
    let bad = || format!("'{text}' is not a duration (like 500ms, 30s, 15m, 2h, 3d, 1w)");
    if text == "0" {
        return Ok(SignedDuration::ZERO);
    }
    let plain =
        text.starts_with(|c: char| c.is_ascii_digit()) && text.bytes().all(|b| b.is_ascii_alphanumeric());
    if !plain {
        return Err(bad());
    }
    let span: Span = text.parse().map_err(|_| bad())?;
    span.to_duration(SpanRelativeTo::days_are_24_hours()).map_err(|_| bad())
}

/// A moment given on the command line: RFC 3339, a local date, or a duration before `now`.
pub fn parse_moment(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return date
            .to_zoned(TimeZone::system())
            .map(|z| z.timestamp())
            .map_err(|e| format!("'{text}': {e}"));
    }
    let back = parse_duration(text)
        .map_err(|_| format!("'{text}' is not a time (RFC 3339, YYYY-MM-DD, or a duration like 2h)"))?;
    now.checked_sub(back).map_err(|e| format!("'{text}': {e}"))
}

choices! {
    /// How tables and tsv show a time (`--time`).
    pub enum Style {
        Local = "local",
        Utc = "utc",
        Relative = "relative",
    }
}

pub struct Clock {
    zone: TimeZone,
    now: Timestamp,
}

impl Clock {
    pub fn new() -> Clock {
        Clock { zone: TimeZone::system(), now: Timestamp::now() }
    }

    /// gt's STARTED column: local `YYYY-MM-DD HH:MM`, or UTC, or how long ago.
    pub fn minute(&self, ts: Timestamp, style: Style) -> String {
        match style {
            Style::Local => ts.to_zoned(self.zone.clone()).strftime("%Y-%m-%d %H:%M").to_string(),
            Style::Utc => ts.strftime("%Y-%m-%d %H:%M").to_string(),
            Style::Relative => self.ago(ts),
        }
    }

    /// A full RFC 3339 time, for machine formats.
    pub fn full(&self, ts: Timestamp, style: Style) -> String {
        match style {
            Style::Local => ts.to_zoned(self.zone.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            Style::Utc => ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            Style::Relative => self.ago(ts),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// `45s ago`, `3m ago`, `2h ago`, `5d ago`, then `10mo ago` from 60 days and `2y ago` from a
    /// year (whole units, rounded down; a month is 1/12 of a Gregorian year); `in 3m` for the
    /// future.
    pub fn ago(&self, ts: Timestamp) -> String {
        let secs = self.now.as_second() - ts.as_second();
        let amount = secs.unsigned_abs();
        let text = match amount {
            0..60 => format!("{amount}s"),
            60..3600 => format!("{}m", amount / 60),
            3600..86_400 => format!("{}h", amount / 3600),
            86_400..5_184_000 => format!("{}d", amount / 86_400),
            5_184_000..YEAR => format!("{}mo", amount / (YEAR / 12)),
            _ => format!("{}y", amount / YEAR),
        };
        if secs < 0 { format!("in {text}") } else { format!("{text} ago") }
    }
}

/// A Gregorian year in seconds (365.2425 days).
const YEAR: u64 = 31_556_952;

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_times_are_told_in_months_and_years() {
        let now: Timestamp = "2026-11-24T06:00:00Z".parse().unwrap();
        let clock = Clock { zone: TimeZone::UTC, now };
        let ago = |secs: i64| clock.ago(Timestamp::from_second(now.as_second() - secs).unwrap());
        assert_eq!(ago(59), "59s ago");
        assert_eq!(ago(86_400 * 59), "59d ago");
        assert_eq!(ago(86_400 * 60), "1mo ago");
        assert_eq!(ago(86_400 * 305), "10mo ago");
        assert_eq!(ago(86_400 * 364), "11mo ago");
        assert_eq!(ago(86_400 * 366), "1y ago");
        assert_eq!(ago(86_400 * 800), "2y ago");
        assert_eq!(ago(-86_400 * 400), "in 1y");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("1h30m").unwrap().as_secs(), 5400);
        assert_eq!(parse_duration("2w").unwrap().as_secs(), 1_209_600);
        assert_eq!(parse_duration("0").unwrap().as_secs(), 0);
        assert_eq!(parse_duration("1s500ms").unwrap().as_millis(), 1500);
        assert_eq!(parse_duration("3d").unwrap().as_secs(), 259_200);
        assert_eq!(parse_duration("500ms").unwrap().as_millis(), 500);
        assert_eq!(parse_duration("15m").unwrap().as_secs(), 900);
        for bad in ["1mo", "1y", "PT1H", "1h 30m", "+2h", " 2h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        for bad in ["", "5", "h", "3x", "-2h", "2hs", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn moments() {
        let now: Timestamp = "2026-01-22T10:00:00Z".parse().unwrap();
        assert_eq!(parse_moment("2h", now).unwrap().to_string(), "2026-01-22T08:00:00Z");
        assert_eq!(
            parse_moment("2026-01-01T00:00:00+01:00", now).unwrap().to_string(),
            "2025-12-31T23:00:00Z"
        );
        assert!(parse_moment("yesterday", now).is_err());
    }

    #[test]
    fn relative_times_round_down() {
        let now: Timestamp = "2026-01-22T10:00:00Z".parse().unwrap();
        let clock = Clock { zone: TimeZone::UTC, now };
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(clock.ago(at("2026-01-22T09:59:15Z")), "45s ago");
        assert_eq!(clock.ago(at("2026-01-22T07:30:00Z")), "2h ago");
        assert_eq!(clock.ago(at("2026-01-17T09:00:00Z")), "5d ago");
        assert_eq!(clock.ago(at("2026-01-22T10:03:00Z")), "in 3m");
    }
}
