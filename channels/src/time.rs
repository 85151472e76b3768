//! Provider timestamps: Unix seconds as strings (WhatsApp), milliseconds (Messenger), and
//! ISO 8601 with a numeric offset (Graph API `created_time`).

use appcare_core::Timestamp;

/// `"1749416383"` → seconds.
pub fn from_seconds_text(text: &str) -> Option<Timestamp> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|s| *s > 0)
        .map(Timestamp::from_unix)
}

/// Milliseconds since the epoch → whole seconds (rounded down).
pub fn from_millis(ms: i64) -> Option<Timestamp> {
    (ms > 0).then(|| Timestamp::from_unix(ms.div_euclid(1000)))
}

/// `2026-11-24T10:00:00+0000` (also `Z` and `+00:00`) → seconds.
pub fn from_iso8601(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if text.len() < 19 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let rest = text[19..].trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match rest {
        "" | "Z" => 0,
        _ => {
            let sign = match rest.chars().next()? {
                '+' => 1,
                '-' => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            let h: i64 = digits[..2].parse().ok()?;
            let m: i64 = digits[2..].parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(Timestamp::from_unix(
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
    ))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_shapes() {
        assert_eq!(
            from_seconds_text("1749416383").map(Timestamp::unix),
            Some(1_749_416_383)
        );
        assert_eq!(
            from_millis(1_458_692_752_478).map(Timestamp::unix),
            Some(1_458_692_752)
        );
        assert_eq!(
            from_iso8601("2026-11-24T19:55:05+0000").map(Timestamp::unix),
            Some(1_795_550_105)
        );
        assert_eq!(
            from_iso8601("2026-11-24T19:55:05Z").map(Timestamp::unix),
            Some(1_795_550_105)
        );
        assert_eq!(
            from_iso8601("2026-11-24T21:55:05+02:00").map(Timestamp::unix),
            Some(1_795_550_105)
        );
        assert_eq!(
            from_iso8601("1970-01-01T00:00:00+0000").map(Timestamp::unix),
            Some(0)
        );
        assert!(from_iso8601("yesterday").is_none());
        assert!(from_seconds_text("abc").is_none());
    }
}
