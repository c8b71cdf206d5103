//! Timestamps of SigV4: the ISO 8601 basic format of `X-Amz-Date` (`YYYYMMDDTHHMMSSZ`),
//! parsed and formatted, and the RFC 1123 `Date` header accepted in its place (any zone
//! offset). Parsing is strict and panic-free; no clock is read here.

use time::{Date, Month, OffsetDateTime, Time, UtcOffset};

/// Formats a time as ISO 8601 basic, `YYYYMMDDTHHMMSSZ`, in UTC.
pub fn format_amz_date(t: OffsetDateTime) -> String {
    let t = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn build(year: u32, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<OffsetDateTime> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    let time = Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(s).ok()?,
    )
    .ok()?;
    Some(date.with_time(time).assume_utc())
}

/// Parses an ISO 8601 basic timestamp `YYYYMMDDTHHMMSSZ` (the `X-Amz-Date` format).
pub fn parse_amz_date(s: &str) -> Option<OffsetDateTime> {
    if s.len() != 16 || s.get(8..9) != Some("T") || s.get(15..16) != Some("Z") {
        return None;
    }
    let n = |a: usize, b: usize| s.get(a..b).and_then(digits);
    build(
        n(0, 4)?,
        n(4, 6)?,
        n(6, 8)?,
        n(9, 11)?,
        n(11, 13)?,
        n(13, 15)?,
    )
}

/// The offset from UTC, in seconds, of an RFC 1123 / RFC 2822 zone: `GMT` and its synonyms,
/// or `+HHMM` / `-HHMM` (Python's `email.utils.formatdate`, which botocore signs with, writes
/// `-0000`).
fn zone_offset(zone: &str) -> Option<i64> {
    if matches!(zone, "GMT" | "UTC" | "UT" | "Z") {
        return Some(0);
    }
    let (sign, hhmm) = match zone.split_at_checked(1)? {
        ("+", rest) => (1, rest),
        ("-", rest) => (-1, rest),
        _ => return None,
    };
    let (h, m) = hhmm.split_at_checked(2)?;
    let (h, m) = (digits(h)?, digits(m)?);
    (hhmm.len() == 4 && h < 24 && m < 60).then(|| sign * i64::from(h * 3600 + m * 60))
}

/// Parses an RFC 1123 `Date` header (`Fri, 24 May 2013 00:00:00 GMT`; weekday optional; a
/// numeric zone such as `-0000` or `+0200` allowed).
pub(crate) fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let mut tokens: Vec<&str> = s.split_whitespace().collect();
    if tokens.first().is_some_and(|t| t.ends_with(',')) {
        tokens.remove(0);
    }
    let [day, month, year, clock, zone] = tokens.as_slice() else {
        return None;
    };
    let offset = zone_offset(zone)?;
    if year.len() != 4 {
        return None;
    }
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month))
        .and_then(|i| u32::try_from(i + 1).ok())?;
    let mut hms = clock.split(':');
    let (h, m, sec) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() || day.len() > 2 || h.len() != 2 || m.len() != 2 || sec.len() != 2 {
        return None;
    }
    let local = build(
        digits(year)?,
        month,
        digits(day)?,
        digits(h)?,
        digits(m)?,
        digits(sec)?,
    )?;
    local.checked_sub(time::Duration::seconds(offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates() {
        assert_eq!(
            parse_amz_date("20130524T000000Z"),
            Some(datetime!(2013-05-24 0:00 UTC))
        );
        assert_eq!(parse_amz_date("20130524T235960Z"), None);
        assert_eq!(parse_amz_date("20130532T000000Z"), None);
        assert_eq!(parse_amz_date("2013052400000000"), None);
        assert_eq!(parse_amz_date("+0130524T000000Z"), None);
        assert_eq!(parse_amz_date("2013é524T00000Z"), None);
        assert_eq!(
            parse_http_date("Fri, 24 May 2013 00:00:00 GMT"),
            Some(datetime!(2013-05-24 0:00 UTC))
        );
        assert_eq!(
            parse_http_date("4 Jun 2013 13:01:02 GMT"),
            Some(datetime!(2013-06-04 13:01:02 UTC))
        );
        assert_eq!(
            parse_http_date("Fri, 24 May 2013 00:00:00 -0000"),
            Some(datetime!(2013-05-24 0:00 UTC))
        );
        assert_eq!(
            parse_http_date("Fri, 24 May 2013 02:30:00 +0230"),
            Some(datetime!(2013-05-24 0:00 UTC))
        );
        assert_eq!(
            parse_http_date("Thu, 23 May 2013 19:00:00 -0500"),
            Some(datetime!(2013-05-24 0:00 UTC))
        );
        for zone in ["PST", "+000", "+00000", "+2400", "+0060", "0000", "+00a0"] {
            let date = format!("Fri, 24 May 2013 00:00:00 {zone}");
            assert_eq!(parse_http_date(&date), None, "{zone}");
        }
        assert_eq!(parse_http_date("Fri, 24 Foo 2013 00:00:00 GMT"), None);
    }

    #[test]
    fn amz_date_format() {
        assert_eq!(
            format_amz_date(datetime!(2013-05-24 0:00 UTC)),
            "20130524T000000Z"
        );
        assert_eq!(
            format_amz_date(datetime!(2013-05-24 1:02:03 +01:00)),
            "20130524T000203Z"
        );
    }
}
