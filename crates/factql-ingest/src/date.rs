//! Publication dates as news inputs write them, to partial ISO 8601.
//!
//! Accepted: ISO 8601 (`2023`, `2023-10`, `2023-10-30`, `2023-10-30T12:05:00Z`, with offsets
//! and fractions), `2023/10/30`, RFC 2822 (`Mon, 30 Oct 2023 12:05:00 GMT`), and written dates
//! with or without a weekday (`Thursday, February 23, 2006`, `23 February 2006`,
//! `Feb. 23, 2006`). Anything else is `None`, never a guess.

/// Normalises a date or timestamp to partial ISO 8601, or `None` when it is not one.
pub(crate) fn parse_date(input: &str) -> Option<String> {
    let input = input.trim();
    iso(input).or_else(|| written(input))
}

fn iso(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = input.get(range)?;
        (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())).then(|| part.parse().ok())?
    };
    let year = digits(0..4)?;
    if bytes.len() == 4 {
        return Some(format!("{year:04}"));
    }
    let sep = *bytes.get(4)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let month = digits(5..7)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    if bytes.len() == 7 {
        return Some(format!("{year:04}-{month:02}"));
    }
    if *bytes.get(7)? != sep {
        return None;
    }
    let day = digits(8..10)?;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    let rest = &input[10..];
    if rest.is_empty() {
        return Some(date);
    }
    let time = rest.strip_prefix(['T', ' '])?;
    let hour = time.get(0..2)?.parse::<u32>().ok()?;
    let minute = time.get(3..5)?.parse::<u32>().ok()?;
    if time.as_bytes().get(2) != Some(&b':') || hour > 23 || minute > 59 {
        return None;
    }
    let mut tail = &time[5..];
    let mut second = 0;
    if let Some(after) = tail.strip_prefix(':') {
        second = after.get(0..2)?.parse::<u32>().ok()?;
        tail = &after[2..];
        if let Some(fraction) = tail.strip_prefix(['.', ',']) {
            tail = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    if second > 60 {
        return None;
    }
    let zone = zone(tail.trim())?;
    Some(format!("{date}T{hour:02}:{minute:02}:{second:02}{zone}"))
}

/// `Z`, `+hh:mm`, `+hhmm`, `GMT`/`UTC`, or nothing (local time, written without a zone).
fn zone(tail: &str) -> Option<String> {
    match tail {
        "" => Some(String::new()),
        "Z" | "z" | "GMT" | "UTC" | "UT" | "+00:00" | "+0000" | "-00:00" => Some("Z".into()),
        _ => {
            let sign = tail.chars().next().filter(|c| *c == '+' || *c == '-')?;
            let digits: String = tail[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(format!("{sign}{}:{}", &digits[..2], &digits[2..]))
        }
    }
}

fn written(input: &str) -> Option<String> {
    let words: Vec<&str> = input
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|word| !word.is_empty())
        .collect();
    let mut words: &[&str] = &words;
    if words.first().is_some_and(|word| weekday(word)) {
        words = &words[1..];
    }
    let (day, month, year, rest) = match words {
        [m, d, y, rest @ ..] if month_number(m).is_some() => (*d, month_number(m)?, *y, rest),
        [d, m, y, rest @ ..] if month_number(m).is_some() => (*d, month_number(m)?, *y, rest),
        [m, y] if month_number(m).is_some() => {
            let year = year_number(y)?;
            return Some(format!("{year:04}-{:02}", month_number(m)?));
        }
        _ => return None,
    };
    let day: u32 =
        day.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '.').parse().ok()?;
    let year = year_number(year)?;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    match rest {
        [] => Some(date),
        // RFC 2822: "12:05:00 GMT" or "12:05:00 +0100".
        [time, zone_word] => iso(&format!("{date}T{time}{}", zone(zone_word)?)),
        [time] if time.contains(':') => iso(&format!("{date}T{time}")),
        _ => None,
    }
}

fn year_number(word: &str) -> Option<u32> {
    let year: u32 = word.trim_end_matches('.').parse().ok()?;
    (1000..=9999).contains(&year).then_some(year)
}

fn weekday(word: &str) -> bool {
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    ["mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"]
        .contains(&word.as_str())
        || ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
            .contains(&word.as_str())
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|month| *month == word || (word.len() <= 4 && month.starts_with(word.as_str())))
        .map(|idx| idx as u32 + 1)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[track_caller]
    fn check(input: &str, expected: Option<&str>) {
        assert_eq!(parse_date(input).as_deref(), expected, "{input:?}");
    }

    #[test]
    fn iso_forms() {
        check("2023", Some("2023"));
        check("2023-10", Some("2023-10"));
        check("2023-10-30", Some("2023-10-30"));
        check("2023/10/30", Some("2023-10-30"));
        check("2023-10-30T12:05:00Z", Some("2023-10-30T12:05:00Z"));
        check("2023-10-30T12:05:00.123+0100", Some("2023-10-30T12:05:00+01:00"));
        check("2023-10-30 12:05", Some("2023-10-30T12:05:00"));
    }

    #[test]
    fn written_forms() {
        check("Thursday, February 23, 2006", Some("2006-02-23"));
        check("23 February 2006", Some("2006-02-23"));
        check("Feb. 23, 2006", Some("2006-02-23"));
        check("Sept 7, 2016", Some("2016-09-07"));
        check("March 2022", Some("2022-03"));
        check("Mon, 30 Oct 2023 12:05:00 GMT", Some("2023-10-30T12:05:00Z"));
        check("Mon, 30 Oct 2023 12:05:00 -0500", Some("2023-10-30T12:05:00-05:00"));
    }

    #[test]
    fn not_dates() {
        check("", None);
        check("2023-13-01", None);
        check("2023-02-30", None);
        check("February 30, 2023", None);
        check("May the force be with you", None);
        check("Source link", None);
        check("12345", None);
    }
}
