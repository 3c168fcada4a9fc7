//! Calendar values the product accepts: dates and times from 0001-01-01 to 9999-12-31 (UTC).
//!
//! Both stores hold wider ranges, but SQLite keeps dates and times as ISO 8601 text and compares
//! them as text (the CHECKs that order a period, the `updated_since` filters), which orders them
//! correctly only for four-digit years; year 0 and negative years are no dates a programme has.
//! Every date or time a request brings is made one of these types, once, and date arithmetic
//! stays inside the same range (an overflow is a field error, never a panic or a stored row the
//! database then refuses).

use crate::error::{DomainError, FieldError};
use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime};
use std::fmt;

/// The first year accepted.
pub const FIRST_YEAR: i32 = 1;
/// The last year accepted.
pub const LAST_YEAR: i32 = 9999;

/// Characters in a date, `YYYY-MM-DD` (RFC 3339 `full-date`).
pub const MAX_DATE_CHARS: usize = 10;

/// Longest time accepted as text: `YYYY-MM-DDTHH:MM:SS`, nine fraction digits and an offset,
/// `9999-12-31T23:59:59.999999999+05:00`. Responses write `Z` and at most nine digits.
pub const MAX_TIMESTAMP_CHARS: usize = 35;

/// Refuses text longer than `max` characters (chrono would read leading zeros and any number
/// of fraction digits), as the contract's `maxLength` says.
fn check_length(text: &str, max: usize, what: &str) -> Result<(), DomainError> {
    if text.chars().count() > max {
        Err(FieldError::new(
            "",
            "max_length",
            format!("{what} have at most {max} characters"),
        )
        .into())
    } else {
        Ok(())
    }
}

fn out_of_range(what: &str) -> DomainError {
    FieldError::new(
        "",
        "range",
        format!("{what} run from 0001-01-01 to 9999-12-31"),
    )
    .into()
}

fn in_range(year: i32) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// A calendar date from 0001-01-01 to 9999-12-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

impl Date {
    /// The date, if it is in range.
    pub fn new(date: NaiveDate) -> Result<Self, DomainError> {
        if in_range(date.year()) {
            Ok(Self(date))
        } else {
            Err(out_of_range("dates"))
        }
    }

    /// Parses `YYYY-MM-DD` (DESIGN: "dates `YYYY-MM-DD`").
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let date = text.parse::<NaiveDate>().map_err(|e| {
            DomainError::from(FieldError::new(
                "",
                "format",
                format!("{text:?} is not a date of the form YYYY-MM-DD ({e})"),
            ))
        })?;
        let date = Self::new(date)?;
        check_length(text, MAX_DATE_CHARS, "dates")?;
        Ok(date)
    }

    /// The date.
    pub const fn get(self) -> NaiveDate {
        self.0
    }

    /// The last day of a period of `months` months that starts on this day: 2026-01-15 and
    /// 12 months end on 2027-01-14. Refuses a period that would end after 9999-12-31.
    pub fn last_day_of_months(self, months: u32) -> Result<Self, DomainError> {
        let end = self
            .0
            .checked_add_months(Months::new(months))
            .and_then(|d| d.pred_opt())
            .ok_or_else(|| out_of_range("periods"))?;
        Self::new(end).map_err(|_| out_of_range("periods"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A point in time, held in UTC, from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(NaiveDateTime);

impl Timestamp {
    /// The time (UTC), if it is in range.
    pub fn new(utc: NaiveDateTime) -> Result<Self, DomainError> {
        if in_range(utc.year()) {
            Ok(Self(utc))
        } else {
            Err(out_of_range("times"))
        }
    }

    /// Parses an RFC 3339 time with any offset and keeps it in UTC; the range applies to the
    /// UTC time (`9999-12-31T23:00:00-05:00` is in the year 10000).
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let time = text.parse::<DateTime<FixedOffset>>().map_err(|e| {
            DomainError::from(FieldError::new(
                "",
                "format",
                format!("{text:?} is not an RFC 3339 time like 2026-11-23T09:00:00Z ({e})"),
            ))
        })?;
        let time = Self::new(time.naive_utc())?;
        check_length(text, MAX_TIMESTAMP_CHARS, "times")?;
        Ok(time)
    }

    /// The time, in UTC.
    pub const fn get(self) -> NaiveDateTime {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<impl fmt::Debug, DomainError>) -> &'static str {
        match r {
            Err(DomainError::Invalid(e)) => e[0].code,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn dates_from_year_1_to_9999_are_accepted() {
        assert_eq!(Date::parse("0001-01-01").unwrap().to_string(), "0001-01-01");
        assert_eq!(Date::parse("9999-12-31").unwrap().to_string(), "9999-12-31");
        assert_eq!(Date::parse("2026-02-28").unwrap().get().month(), 2);
    }

    #[test]
    fn dates_outside_the_four_digit_years_are_out_of_range() {
        for text in ["0000-12-31", "-0001-01-01", "+10000-01-01"] {
            assert_eq!(code(Date::parse(text)), "range", "{text}");
        }
        // Five digits need a sign in ISO 8601; without one it is no date at all.
        assert_eq!(code(Date::parse("10000-01-01")), "format");
        assert_eq!(code(Date::parse("2026-02-30")), "format");
        assert_eq!(code(Date::parse("tomorrow")), "format");
    }

    #[test]
    fn a_period_ends_the_day_before_the_same_day_months_later() {
        let start = Date::parse("2026-01-15").unwrap();
        assert_eq!(
            start.last_day_of_months(12).unwrap().to_string(),
            "2027-01-14"
        );
        let start = Date::parse("2026-01-31").unwrap();
        assert_eq!(
            start.last_day_of_months(1).unwrap().to_string(),
            "2026-02-27"
        );
    }

    #[test]
    fn a_period_that_would_end_after_9999_is_refused() {
        let start = Date::parse("9999-06-01").unwrap();
        assert_eq!(code(start.last_day_of_months(12)), "range");
        assert_eq!(code(start.last_day_of_months(u32::MAX)), "range");
        assert_eq!(
            start.last_day_of_months(7).unwrap().to_string(),
            "9999-12-31"
        );
    }

    #[test]
    fn times_are_kept_in_utc_and_bounded_there() {
        let t = Timestamp::parse("2026-11-23T12:00:00+05:00").unwrap();
        assert_eq!(t.get().to_string(), "2026-11-23 07:00:00");
        assert!(Timestamp::parse("0001-01-01T00:00:00Z").is_ok());
        assert!(Timestamp::parse("9999-12-31T23:59:59Z").is_ok());
        assert_eq!(code(Timestamp::parse("9999-12-31T23:00:00-05:00")), "range");
        assert_eq!(code(Timestamp::parse("0000-12-31T23:00:00Z")), "range");
        assert_eq!(code(Timestamp::parse("0001-01-01T01:00:00+02:00")), "range");
        assert_eq!(code(Timestamp::parse("yesterday")), "format");
    }

    #[test]
    fn the_longest_forms_fit_and_longer_text_is_refused() {
        assert_eq!("9999-12-31".len(), MAX_DATE_CHARS);
        assert_eq!(
            "9999-12-31T23:59:59.999999999+05:00".len(),
            MAX_TIMESTAMP_CHARS
        );
        assert!(Date::parse("9999-12-31").is_ok());
        assert!(Date::parse("02026-01-01").is_err());
        assert!(
            Date::parse("+2026-01-01").is_err(),
            "a sign the contract does not allow"
        );
        assert!(Timestamp::parse("9999-12-31T23:59:59.999999999+05:00").is_ok());
        assert_eq!(
            code(Timestamp::parse("2026-01-01T00:00:00.000000000000000Z")),
            "max_length"
        );
    }
}
