//! RFC 5545 recurrence rules, expanded with the `rrule` crate (which logs, so it may not live in
//! `seriktes-domain`): parses a series' `RRULE` value, reads it from the first start in the
//! series' time zone (`DTSTART;TZID=…`, so "10:00 Almaty" stays 10:00 local whatever the UTC
//! offset does), lists the occurrences' UTC starts, and hands what it found to
//! [`seriktes_domain::meeting_series::check_rule`], which decides. No I/O, no HTTP.

use chrono::NaiveDateTime;
use seriktes_domain::meeting::TimeZone;
use seriktes_domain::meeting_series::{
    Frequency, MAX_OCCURRENCES, MAX_RULE_CHARS, RuleFacts, check_rule,
};
use seriktes_domain::{DomainError, FieldError};

/// A rule read from a first start: its frequency and every occurrence's start (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The rule's frequency.
    pub frequency: Frequency,
    /// The occurrences' starts, UTC, in order; the first is the first start.
    pub starts: Vec<NaiveDateTime>,
}

fn refused(code: &'static str, message: impl Into<String>) -> DomainError {
    FieldError::new("recurrence", code, message).into()
}

/// Reads `rule` (an `RRULE` value such as `FREQ=MONTHLY;BYDAY=1TU;COUNT=12`) from `first` (UTC)
/// in `zone`. 422 on `recurrence` when it is too long, not a bare `RRULE` value, refused by
/// the parser (with its message), finer than daily, endless, or gives more than 120 or no
/// occurrences; on `starts_at` when `first` is not its first occurrence.
pub fn expand(rule: &str, first: NaiveDateTime, zone: TimeZone) -> Result<Schedule, DomainError> {
    if rule.chars().count() > MAX_RULE_CHARS {
        return Err(refused(
            "max_length",
            format!("at most {MAX_RULE_CHARS} characters"),
        ));
    }
    if rule.trim().is_empty() || rule.contains(['\n', '\r', ':']) {
        return Err(refused(
            "rrule",
            "give the RRULE value alone, e.g. FREQ=MONTHLY;BYDAY=1TU;COUNT=12 \
             (no RRULE: prefix, no DTSTART: the first start is starts_at)",
        ));
    }
    let parsed: rrule::RRule<rrule::Unvalidated> = rule
        .parse()
        .map_err(|e: rrule::RRuleError| refused("rrule", e.to_string()))?;
    let frequency = match parsed.get_freq() {
        rrule::Frequency::Daily => Some(Frequency::Daily),
        rrule::Frequency::Weekly => Some(Frequency::Weekly),
        rrule::Frequency::Monthly => Some(Frequency::Monthly),
        rrule::Frequency::Yearly => Some(Frequency::Yearly),
        _ => None,
    };
    let ends = parsed.get_count().is_some() || parsed.get_until().is_some();
    let too_many = MAX_OCCURRENCES.saturating_add(1);
    if frequency.is_none() || !ends {
        // Refused whatever it yields: say why without expanding it.
        check_rule(&RuleFacts {
            frequency,
            ends,
            occurrences: 1,
            starts_on_rule: true,
        })?;
    }
    let tz: rrule::Tz = zone.tz().into();
    let dt_start = first.and_utc().with_timezone(&tz);
    let validated = parsed
        .validate(dt_start)
        .map_err(|e| refused("rrule", e.to_string()))?;
    let limit = u16::try_from(too_many).unwrap_or(u16::MAX);
    let result = rrule::RRuleSet::new(dt_start).rrule(validated).all(limit);
    let starts: Vec<NaiveDateTime> = result.dates.iter().map(|d| d.naive_utc()).collect();
    let frequency = check_rule(&RuleFacts {
        frequency,
        ends,
        occurrences: starts.len(),
        starts_on_rule: starts.first() == Some(&first),
    })?;
    Ok(Schedule { frequency, starts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap()
    }

    fn codes(r: Result<Schedule, DomainError>) -> Vec<(String, &'static str)> {
        match r {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn the_first_tuesday_of_twelve_months_at_ten_in_almaty() {
        let almaty = TimeZone::parse("Asia/Almaty").unwrap();
        // 2027-01-05 is the first Tuesday of January 2027; 10:00 in Almaty is 05:00 UTC.
        let s = expand("FREQ=MONTHLY;BYDAY=1TU;COUNT=12", at(2027, 1, 5, 5), almaty).unwrap();
        assert_eq!(s.frequency, Frequency::Monthly);
        assert_eq!(s.starts.len(), 12);
        assert_eq!(s.starts[1], at(2027, 2, 2, 5));
        assert_eq!(s.starts[11], at(2027, 12, 7, 5));
    }

    #[test]
    fn local_time_stays_put_across_daylight_saving() {
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        // 10:00 in Berlin: 09:00 UTC in winter, 08:00 UTC in summer.
        let s = expand("FREQ=MONTHLY;COUNT=4", at(2027, 2, 1, 9), berlin).unwrap();
        assert_eq!(s.starts[1], at(2027, 3, 1, 9));
        assert_eq!(s.starts[2], at(2027, 4, 1, 8));
    }

    #[test]
    fn refusals_name_the_field() {
        let utc = TimeZone::parse("UTC").unwrap();
        let first = at(2027, 1, 4, 9);
        let r = |c| vec![("recurrence".to_owned(), c)];
        assert_eq!(codes(expand("FREQ=WEEKLY", first, utc)), r("unbounded"));
        assert_eq!(
            codes(expand("FREQ=DAILY;COUNT=121", first, utc)),
            r("max_occurrences")
        );
        assert_eq!(
            codes(expand("FREQ=DAILY;UNTIL=20300101T000000Z", first, utc)),
            r("max_occurrences")
        );
        assert_eq!(
            codes(expand("FREQ=HOURLY;COUNT=3", first, utc)),
            r("frequency")
        );
        assert_eq!(codes(expand("FREQ=FORTNIGHTLY", first, utc)), r("rrule"));
        assert_eq!(
            codes(expand("RRULE:FREQ=DAILY;COUNT=2", first, utc)),
            r("rrule")
        );
        assert_eq!(
            codes(expand("FREQ=WEEKLY;BYDAY=TU;COUNT=3", first, utc)),
            [("starts_at".to_owned(), "recurrence")]
        );
        assert!(expand("FREQ=DAILY;COUNT=120", first, utc).is_ok());
    }
}
