//! Meeting series (DESIGN: "may belong to a series with an RFC 5545 recurrence whose compliance
//! (held + minutes published per period) anyone can check"): a recurring meeting whose
//! occurrences are meetings of their own, and the compliance view that checks a rule such as
//! the adopted recommendation "mandatory monthly meetings".
//!
//! Expanding an RFC 5545 rule needs the `rrule` crate, which logs, so it happens outside this
//! crate (the API's `recurrence` module); what it finds about a rule comes back here as
//! [`RuleFacts`] and [`check_rule`] decides. The compliance view is [`compliance`], a pure
//! function of the rule's scheduled starts, the series' meetings and `now`.

use crate::error::{DomainError, FieldError, Validator};
use crate::ids::{MeetingId, MeetingSeriesId};
use crate::meeting::{MeetingInput, MeetingStatus, TimeZone};
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, TimeZone as _};

/// Most occurrences a series may have.
pub const MAX_OCCURRENCES: usize = 120;
/// Longest recurrence rule accepted.
pub const MAX_RULE_CHARS: usize = 500;

/// The frequency of a series' rule, and so the length of a compliance period: a day, an ISO
/// week (Monday to Sunday), a calendar month or a calendar year, in the series' time zone.
/// Rules finer than daily are refused (a meeting series is not an hourly alarm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frequency {
    /// `FREQ=DAILY`.
    Daily,
    /// `FREQ=WEEKLY`.
    Weekly,
    /// `FREQ=MONTHLY`.
    Monthly,
    /// `FREQ=YEARLY`.
    Yearly,
}

impl Frequency {
    /// Every value.
    pub const ALL: &'static [Self] = &[Self::Daily, Self::Weekly, Self::Monthly, Self::Yearly];

    /// The wire and storage name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::Yearly => "yearly",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new("", "one_of", format!("{raw:?} is not a frequency")).into()
            })
    }

    /// The period of this frequency that holds `day`.
    pub fn period_of(self, day: NaiveDate) -> Period {
        let (starts_on, ends_on) = match self {
            Self::Daily => (day, day),
            Self::Weekly => {
                let week = day.iso_week();
                let monday =
                    NaiveDate::from_isoywd_opt(week.year(), week.week(), chrono::Weekday::Mon);
                let start = monday.unwrap_or(day);
                (start, start.checked_add_days(Days::new(6)).unwrap_or(start))
            }
            Self::Monthly => {
                let first = day.with_day(1).unwrap_or(day);
                let next = first
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(first);
                (first, next.pred_opt().unwrap_or(first))
            }
            Self::Yearly => (
                NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
                NaiveDate::from_ymd_opt(day.year(), 12, 31).unwrap_or(day),
            ),
        };
        Period { starts_on, ends_on }
    }
}

/// What the recurrence expander found about a rule, for [`check_rule`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFacts {
    /// The rule's `FREQ`, if daily or coarser; `None` for `HOURLY`, `MINUTELY`, `SECONDLY`.
    pub frequency: Option<Frequency>,
    /// Whether it ends (`COUNT` or `UNTIL`).
    pub ends: bool,
    /// How many occurrences it yields from the first start, counted up to one more than
    /// [`MAX_OCCURRENCES`].
    pub occurrences: usize,
    /// Whether the first start is itself the rule's first occurrence.
    pub starts_on_rule: bool,
}

/// A series' rule must be daily or coarser, end (`COUNT` or `UNTIL`), give 1 to 120
/// occurrences, and have the series' first start as its first occurrence (so the start the
/// client gave is the first meeting). Every broken rule is named, on `recurrence` or
/// `starts_at`.
pub fn check_rule(facts: &RuleFacts) -> Result<Frequency, DomainError> {
    let mut v = Validator::new();
    if facts.frequency.is_none() {
        v.push(FieldError::new(
            "recurrence",
            "frequency",
            "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY",
        ));
    }
    if !facts.ends {
        v.push(FieldError::new(
            "recurrence",
            "unbounded",
            "the rule must end: give COUNT or UNTIL",
        ));
    } else if facts.occurrences > MAX_OCCURRENCES {
        v.push(FieldError::new(
            "recurrence",
            "max_occurrences",
            format!("the rule gives more than {MAX_OCCURRENCES} occurrences"),
        ));
    } else if facts.occurrences == 0 {
        v.push(FieldError::new(
            "recurrence",
            "min_occurrences",
            "the rule gives no occurrence",
        ));
    } else if !facts.starts_on_rule {
        v.push(FieldError::new(
            "starts_at",
            "recurrence",
            "the first start must be an occurrence of the rule (its first one)",
        ));
    }
    v.finish()?;
    facts
        .frequency
        .ok_or_else(|| FieldError::new("recurrence", "frequency", "no frequency").into())
}

/// A stored series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingSeries {
    /// Id.
    pub id: MeetingSeriesId,
    /// The template of its occurrences; `starts_at` and `ends_at` are the first occurrence's.
    pub template: MeetingInput,
    /// The RFC 5545 `RRULE` value, as given, read in the template's time zone.
    pub recurrence: String,
    /// The rule's frequency.
    pub frequency: Frequency,
    /// How many occurrences the rule gave.
    pub occurrences: i32,
    /// The start of the rule's last occurrence (UTC).
    pub last_starts_at: NaiveDateTime,
    /// Version (ETag).
    pub version: i64,
    /// When created.
    pub created_at: NaiveDateTime,
    /// When last changed.
    pub updated_at: NaiveDateTime,
}

/// A period of a series' frequency, as local dates of its time zone (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
}

/// One meeting of a series as the compliance view sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// The meeting.
    pub id: MeetingId,
    /// Its status.
    pub status: MeetingStatus,
    /// When it starts (UTC), where it is now (moved meetings count where they fall).
    pub starts_at: NaiveDateTime,
}

/// What a period's record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A meeting was held and its minutes published.
    Compliant,
    /// A meeting was held, its minutes are not published (yet).
    HeldWithoutMinutes,
    /// The period is over and no meeting was held in it.
    Missed,
    /// The period is not over and no meeting was held in it yet.
    Upcoming,
}

impl Verdict {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Compliant => "compliant",
            Self::HeldWithoutMinutes => "held_without_minutes",
            Self::Missed => "missed",
            Self::Upcoming => "upcoming",
        }
    }
}

/// One period of the compliance view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRecord {
    /// The period.
    pub period: Period,
    /// The series' meetings that start in it, by start.
    pub meetings: Vec<Occurrence>,
    /// Whether one of them was held (`held` or `minutes_published`).
    pub held: bool,
    /// Whether one of them has its minutes published.
    pub minutes_published: bool,
    /// The verdict.
    pub verdict: Verdict,
}

/// Counts over the periods of a compliance view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Periods.
    pub periods: usize,
    /// Periods `compliant`.
    pub compliant: usize,
    /// Periods in which a meeting was held (`compliant` and `held_without_minutes`).
    pub held: usize,
    /// Periods `held_without_minutes`.
    pub held_without_minutes: usize,
    /// Periods `missed`.
    pub missed: usize,
    /// Periods `upcoming`.
    pub upcoming: usize,
}

/// The compliance view of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compliance {
    /// The periods, oldest first.
    pub periods: Vec<PeriodRecord>,
    /// The series' meetings that fall in none of the rule's periods (moved out of them), so
    /// that nothing that happened is hidden; they count for no period.
    pub outside: Vec<Occurrence>,
    /// Counts.
    pub totals: Totals,
    /// The day the verdicts were computed on, in the series' time zone.
    pub today: NaiveDate,
}

/// The verdict of a period given what happened in it and whether it is over.
pub fn verdict(held: bool, minutes_published: bool, over: bool) -> Verdict {
    match (held, minutes_published, over) {
        (true, true, _) => Verdict::Compliant,
        (true, false, _) => Verdict::HeldWithoutMinutes,
        (false, _, true) => Verdict::Missed,
        (false, _, false) => Verdict::Upcoming,
    }
}

/// The compliance view: the periods of `frequency` (in `zone`) that the rule schedules an
/// occurrence in (`scheduled`, UTC starts), those overlapping `[from, to]` when given, each
/// with the meetings of the series that start in it (where they are now: a meeting moved into
/// another period counts for that one), whether one was held, whether its minutes are
/// published, and a [`verdict`] against `now`: a period is over once its last day has passed
/// in the series' time zone.
pub fn compliance(
    frequency: Frequency,
    zone: TimeZone,
    scheduled: &[NaiveDateTime],
    meetings: &[Occurrence],
    window: (Option<NaiveDate>, Option<NaiveDate>),
    now: NaiveDateTime,
) -> Compliance {
    let tz = zone.tz();
    let local = |t: &NaiveDateTime| tz.from_utc_datetime(t).date_naive();
    let today = local(&now);
    let mut periods: Vec<Period> = scheduled
        .iter()
        .map(|t| frequency.period_of(local(t)))
        .collect();
    periods.sort();
    periods.dedup();
    let (from, to) = window;
    let mut sorted: Vec<Occurrence> = meetings.to_vec();
    sorted.sort_by_key(|m| (m.starts_at, m.id));
    let outside = sorted
        .iter()
        .filter(|m| {
            let day = local(&m.starts_at);
            !periods
                .iter()
                .any(|p| p.starts_on <= day && day <= p.ends_on)
        })
        .copied()
        .collect();
    let mut totals = Totals::default();
    let records: Vec<PeriodRecord> = periods
        .into_iter()
        .filter(|p| from.is_none_or(|f| p.ends_on >= f) && to.is_none_or(|t| p.starts_on <= t))
        .map(|period| {
            let inside: Vec<Occurrence> = sorted
                .iter()
                .filter(|m| {
                    let day = local(&m.starts_at);
                    period.starts_on <= day && day <= period.ends_on
                })
                .copied()
                .collect();
            let published = |s: MeetingStatus| s == MeetingStatus::MinutesPublished;
            let held = inside
                .iter()
                .any(|m| m.status == MeetingStatus::Held || published(m.status));
            let minutes_published = inside.iter().any(|m| published(m.status));
            let v = verdict(held, minutes_published, today > period.ends_on);
            totals.periods += 1;
            match v {
                Verdict::Compliant => totals.compliant += 1,
                Verdict::HeldWithoutMinutes => totals.held_without_minutes += 1,
                Verdict::Missed => totals.missed += 1,
                Verdict::Upcoming => totals.upcoming += 1,
            }
            if held {
                totals.held += 1;
            }
            PeriodRecord {
                period,
                meetings: inside,
                held,
                minutes_published,
                verdict: v,
            }
        })
        .collect();
    Compliance {
        periods: records,
        outside,
        totals,
        today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// `h` o'clock UTC on a day.
    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        day(y, m, d).and_hms_opt(h, 0, 0).unwrap()
    }

    fn almaty() -> TimeZone {
        TimeZone::parse("Asia/Almaty").unwrap()
    }

    fn meeting(n: u128, status: MeetingStatus, starts_at: NaiveDateTime) -> Occurrence {
        Occurrence {
            id: MeetingId::from_uuid(Uuid::from_u128(n)),
            status,
            starts_at,
        }
    }

    fn facts(frequency: Option<Frequency>, ends: bool, occurrences: usize) -> RuleFacts {
        RuleFacts {
            frequency,
            ends,
            occurrences,
            starts_on_rule: true,
        }
    }

    fn codes(r: Result<Frequency, DomainError>) -> Vec<(String, &'static str)> {
        match r {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_rule_is_daily_or_coarser_ends_and_gives_one_to_a_hundred_and_twenty() {
        let monthly = Some(Frequency::Monthly);
        assert_eq!(
            check_rule(&facts(monthly, true, 12)),
            Ok(Frequency::Monthly)
        );
        assert_eq!(
            check_rule(&facts(monthly, true, 120)),
            Ok(Frequency::Monthly)
        );
        let r = |f| ("recurrence".to_owned(), f);
        assert_eq!(
            codes(check_rule(&facts(monthly, true, 121))),
            [r("max_occurrences")]
        );
        assert_eq!(
            codes(check_rule(&facts(monthly, true, 0))),
            [r("min_occurrences")]
        );
        assert_eq!(
            codes(check_rule(&facts(monthly, false, 121))),
            [r("unbounded")]
        );
        assert_eq!(
            codes(check_rule(&facts(None, false, 121))),
            [r("frequency"), r("unbounded")]
        );
    }

    #[test]
    fn the_first_start_must_be_the_rules_first_occurrence() {
        let mut f = facts(Some(Frequency::Weekly), true, 3);
        f.starts_on_rule = false;
        assert_eq!(
            codes(check_rule(&f)),
            [("starts_at".to_owned(), "recurrence")]
        );
    }

    #[test]
    fn periods_are_days_iso_weeks_calendar_months_and_years() {
        let d = day(2027, 2, 17); // a Wednesday
        let p = |a, b| Period {
            starts_on: a,
            ends_on: b,
        };
        assert_eq!(Frequency::Daily.period_of(d), p(d, d));
        assert_eq!(
            Frequency::Weekly.period_of(d),
            p(day(2027, 2, 15), day(2027, 2, 21))
        );
        assert_eq!(
            Frequency::Monthly.period_of(d),
            p(day(2027, 2, 1), day(2027, 2, 28))
        );
        assert_eq!(
            Frequency::Monthly.period_of(day(2028, 2, 29)),
            p(day(2028, 2, 1), day(2028, 2, 29))
        );
        assert_eq!(
            Frequency::Yearly.period_of(d),
            p(day(2027, 1, 1), day(2027, 12, 31))
        );
        // ISO week 1 of 2027 starts on Monday 4 January; 1 January belongs to 2026's week 53.
        assert_eq!(
            Frequency::Weekly.period_of(day(2027, 1, 1)),
            p(day(2026, 12, 28), day(2027, 1, 3))
        );
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.as_str()), Ok(*f));
        }
        assert!(Frequency::parse("hourly").is_err());
    }

    #[test]
    fn verdicts_follow_held_minutes_and_whether_the_period_is_over() {
        assert_eq!(verdict(true, true, true), Verdict::Compliant);
        assert_eq!(verdict(true, true, false), Verdict::Compliant);
        assert_eq!(verdict(true, false, true), Verdict::HeldWithoutMinutes);
        assert_eq!(verdict(true, false, false), Verdict::HeldWithoutMinutes);
        assert_eq!(verdict(false, false, true), Verdict::Missed);
        assert_eq!(verdict(false, false, false), Verdict::Upcoming);
    }

    #[test]
    fn each_month_is_judged_on_what_happened_in_it() {
        // Monthly at 10:00 Almaty (04:00 UTC) on the first Tuesday, January to April 2027.
        let scheduled = [
            at(2027, 1, 5, 4),
            at(2027, 2, 2, 4),
            at(2027, 3, 2, 4),
            at(2027, 4, 6, 4),
        ];
        let meetings = [
            meeting(1, MeetingStatus::MinutesPublished, scheduled[0]),
            meeting(2, MeetingStatus::Cancelled, scheduled[1]),
            // March's was moved to 1 April (and held): it counts for April, March is missed.
            meeting(3, MeetingStatus::Held, at(2027, 4, 1, 4)),
            meeting(4, MeetingStatus::Planned, scheduled[3]),
        ];
        let now = at(2027, 4, 2, 0);
        let c = compliance(
            Frequency::Monthly,
            almaty(),
            &scheduled,
            &meetings,
            (None, None),
            now,
        );
        let verdicts: Vec<_> = c.periods.iter().map(|p| p.verdict).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Compliant,
                Verdict::Missed,
                Verdict::Missed,
                Verdict::HeldWithoutMinutes
            ]
        );
        assert_eq!(c.periods[1].meetings, [meetings[1]]);
        assert!(c.periods[2].meetings.is_empty());
        assert_eq!(c.periods[3].meetings, [meetings[2], meetings[3]]);
        assert_eq!(
            c.totals,
            Totals {
                periods: 4,
                compliant: 1,
                held: 2,
                held_without_minutes: 1,
                missed: 2,
                upcoming: 0
            }
        );
        assert!(c.outside.is_empty());
        assert_eq!(c.today, day(2027, 4, 2));
    }

    #[test]
    fn a_period_not_over_is_upcoming_and_days_are_local() {
        let scheduled = [at(2027, 1, 5, 4), at(2027, 2, 2, 4)];
        // 31 January 20:00 UTC is already 1 February in Almaty (UTC+5 or +6).
        let meetings = [meeting(1, MeetingStatus::Planned, at(2027, 1, 31, 20))];
        let c = compliance(
            Frequency::Monthly,
            almaty(),
            &scheduled,
            &meetings,
            (None, None),
            at(2027, 1, 31, 20),
        );
        assert_eq!(c.today, day(2027, 2, 1));
        assert_eq!(c.periods[0].verdict, Verdict::Missed);
        assert_eq!(c.periods[1].verdict, Verdict::Upcoming);
        assert_eq!(c.periods[1].meetings, meetings);
        assert_eq!(c.totals.upcoming, 1);
    }

    #[test]
    fn the_window_keeps_overlapping_periods_and_moved_out_meetings_are_listed() {
        let scheduled = [at(2027, 1, 5, 4), at(2027, 2, 2, 4), at(2027, 3, 2, 4)];
        let away = meeting(9, MeetingStatus::Held, at(2027, 6, 1, 4));
        let c = compliance(
            Frequency::Monthly,
            almaty(),
            &scheduled,
            &[away],
            (Some(day(2027, 1, 31)), Some(day(2027, 2, 1))),
            at(2027, 12, 1, 0),
        );
        let starts: Vec<_> = c.periods.iter().map(|p| p.period.starts_on).collect();
        assert_eq!(starts, [day(2027, 1, 1), day(2027, 2, 1)]);
        assert_eq!(c.outside, [away]);
        assert_eq!(c.totals.periods, 2);
        assert_eq!(c.totals.missed, 2);
    }
}
