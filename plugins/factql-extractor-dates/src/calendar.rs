//! Civil-date arithmetic on day numbers (days since 1970-01-01), and the publication anchor.

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(if month <= 2 { year - 1 } else { year });
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let yoe = year - era * 400;
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
pub(crate) fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// Whether `year` is a leap year.
fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in a month (0 for a month outside 1..=12).
pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether the date exists.
pub(crate) fn valid(year: i32, month: u32, day: u32) -> bool {
    day >= 1 && day <= days_in_month(year, month)
}

/// ISO weekday of a day number: Monday 1 ... Sunday 7 (1970-01-01 was a Thursday).
pub(crate) fn weekday(days: i64) -> u32 {
    (days + 3).rem_euclid(7) as u32 + 1
}

/// `YYYY-MM-DD` of a day number.
pub(crate) fn day_iso(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM`.
pub(crate) fn month_iso(year: i32, month: u32) -> String {
    format!("{year:04}-{month:02}")
}

/// The ISO 8601 week (`2023-W44`) of a day number.
pub(crate) fn week_iso(days: i64) -> String {
    let thursday = days - i64::from(weekday(days)) + 4;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    format!("{year:04}-W{week:02}")
}

/// Month index (`year * 12 + month - 1`) arithmetic: back to (year, month).
pub(crate) fn from_month_index(index: i64) -> (i32, u32) {
    (index.div_euclid(12) as i32, index.rem_euclid(12) as u32 + 1)
}

/// The publication date as far as it is known: a year, a month or a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Anchor {
    /// The year.
    pub year: i32,
    /// The month, if known.
    pub month: Option<u32>,
    /// The day, if known.
    pub day: Option<u32>,
}

impl Anchor {
    /// Parses partial ISO 8601 (`2023`, `2023-10`, `2023-10-30`, or a timestamp whose day is
    /// taken); `None` for anything else.
    pub(crate) fn parse(text: &str) -> Option<Anchor> {
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            if part.bytes().all(|b| b.is_ascii_digit()) { part.parse().ok() } else { None }
        };
        let year = number(0..4)? as i32;
        if text.len() == 4 {
            return Some(Anchor { year, month: None, day: None });
        }
        if text.as_bytes().get(4) != Some(&b'-') {
            return None;
        }
        let month = number(5..7).filter(|m| (1..=12).contains(m))?;
        if text.len() == 7 {
            return Some(Anchor { year, month: Some(month), day: None });
        }
        if text.as_bytes().get(7) != Some(&b'-') {
            return None;
        }
        let day = number(8..10).filter(|&d| valid(year, month, d))?;
        if text.len() > 10 && !matches!(text.as_bytes()[10], b'T' | b't' | b' ') {
            return None;
        }
        Some(Anchor { year, month: Some(month), day: Some(day) })
    }

    /// The anchor's day number, when the day is known.
    pub(crate) fn days(self) -> Option<i64> {
        Some(days_from_civil(self.year, self.month?, self.day?))
    }

    /// The anchor's month index, when the month is known.
    pub(crate) fn month_index(self) -> Option<i64> {
        Some(i64::from(self.year) * 12 + i64::from(self.month?) - 1)
    }

    /// As partial ISO 8601.
    pub(crate) fn iso(self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => month_iso(self.year, m),
            _ => format!("{:04}", self.year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_and_know_weekdays() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        // 2023-10-30 was a Monday, 2023-10-26 a Thursday.
        assert_eq!(weekday(days_from_civil(2023, 10, 30)), 1);
        assert_eq!(weekday(days_from_civil(2023, 10, 26)), 4);
        assert_eq!(week_iso(days_from_civil(2023, 10, 30)), "2023-W44");
        assert_eq!(week_iso(days_from_civil(2021, 1, 3)), "2020-W53");
    }

    #[test]
    fn anchors_parse_partial_dates_and_refuse_others() {
        assert_eq!(Anchor::parse("2023-10-30").and_then(Anchor::days), Some(19_660));
        assert_eq!(
            Anchor::parse("2023-10"),
            Some(Anchor { year: 2023, month: Some(10), day: None })
        );
        assert_eq!(
            Anchor::parse("2023-10-30T12:00:00Z").map(Anchor::iso).as_deref(),
            Some("2023-10-30")
        );
        assert_eq!(Anchor::parse("2023-02-30"), None);
        assert_eq!(Anchor::parse("yesterday"), None);
    }
}
