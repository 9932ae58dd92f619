//! Partial ISO 8601 dates and timestamps as the store writes them, to days and microseconds
//! since the Unix epoch (Arrow `Date32` and `Timestamp(µs, UTC)`).

pub(crate) use factql_model::{civil_from_days, days_from_civil, days_in_month};

/// How precisely a date was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Precision {
    Year,
    Month,
    Day,
    Time,
}

impl Precision {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Precision::Year => "year",
            Precision::Month => "month",
            Precision::Day => "day",
            Precision::Time => "time",
        }
    }
}

/// A partial date read: its precision, first and last day (inclusive), and the instant when a
/// time was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dated {
    pub precision: Precision,
    pub lo: i32,
    pub hi: i32,
    /// Microseconds since the epoch, UTC; a time without a zone is read as UTC.
    pub instant: Option<i64>,
}

/// The `pub_month` value of a day: `YYYY-MM`.
pub(crate) fn month_key(days: i32) -> String {
    let (year, month, _) = civil_from_days(days);
    format!("{year:04}-{month:02}")
}

/// Reads a partial ISO 8601 date or timestamp (`2022`, `2022-03`, `2022-03-15`,
/// `2022-03-15T10:05:00Z`, `…+01:00`, `…` without zone); `None` for anything else.
pub(crate) fn parse(text: &str) -> Option<Dated> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let year = number(0..4)? as i32;
    if text.len() == 4 {
        let (lo, hi) = (days_from_civil(year, 1, 1), days_from_civil(year, 12, 31));
        return Some(Dated { precision: Precision::Year, lo, hi, instant: None });
    }
    if text.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    let month = number(5..7).filter(|m| (1..=12).contains(m))?;
    if text.len() == 7 {
        let lo = days_from_civil(year, month, 1);
        let hi = days_from_civil(year, month, days_in_month(year, month));
        return Some(Dated { precision: Precision::Month, lo, hi, instant: None });
    }
    if text.as_bytes().get(7) != Some(&b'-') {
        return None;
    }
    let day = number(8..10).filter(|d| *d >= 1 && *d <= days_in_month(year, month))?;
    let days = days_from_civil(year, month, day);
    if text.len() == 10 {
        return Some(Dated { precision: Precision::Day, lo: days, hi: days, instant: None });
    }
    let time = text.get(10..)?.strip_prefix(['T', ' '])?;
    let (hour, minute, second) = (
        time.get(0..2)?.parse::<i64>().ok()?,
        time.get(3..5)?.parse::<i64>().ok()?,
        time.get(6..8).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0),
    );
    let rest = if time.as_bytes().get(5) == Some(&b':') { time.get(8..)? } else { time.get(5..)? };
    let offset_minutes = match rest {
        "" | "Z" => 0,
        zone => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            let hh: i64 = digits.get(0..2)?.parse().ok()?;
            let mm: i64 = digits.get(2..4)?.parse().ok()?;
            sign * (hh * 60 + mm)
        }
    };
    let seconds =
        i64::from(days) * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(Dated {
        precision: Precision::Time,
        lo: days,
        hi: days,
        instant: Some(seconds * 1_000_000),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_give_their_first_and_last_day() {
        let day = |y, m, d| days_from_civil(y, m, d);
        let year = parse("2024").expect("year");
        assert_eq!(
            (year.precision, year.lo, year.hi),
            (Precision::Year, day(2024, 1, 1), day(2024, 12, 31))
        );
        let month = parse("2024-02").expect("month");
        assert_eq!((month.lo, month.hi), (day(2024, 2, 1), day(2024, 2, 29)));
        let date = parse("2023-10-30").expect("day");
        assert_eq!(
            (date.precision, date.lo, date.hi, date.instant),
            (Precision::Day, day(2023, 10, 30), day(2023, 10, 30), None)
        );
        assert_eq!(parse("2023-02-30"), None);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2023/10/30"), None);
    }

    #[test]
    fn timestamps_are_utc_instants_and_keep_the_written_day() {
        let base = i64::from(days_from_civil(2023, 10, 30)) * 86_400;
        let at = |text: &str| parse(text).and_then(|d| d.instant).map(|us| us / 1_000_000 - base);
        assert_eq!(at("2023-10-30T12:05:00Z"), Some(12 * 3600 + 5 * 60));
        assert_eq!(at("2023-10-30T12:05:00"), Some(12 * 3600 + 5 * 60));
        assert_eq!(at("2023-10-30T00:30:00+01:00"), Some(-30 * 60));
        assert_eq!(at("2023-10-30T23:30:00-05:00"), Some(28 * 3600 + 30 * 60));
        let late = parse("2023-10-30T23:30:00-05:00").expect("time");
        assert_eq!(late.lo, days_from_civil(2023, 10, 30), "pub_date is the day as written");
        assert_eq!(month_key(late.lo), "2023-10");
    }
}
