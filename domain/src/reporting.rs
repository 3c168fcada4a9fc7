//! Reporting schedules and the reporting requirements of grants (DESIGN: "Reports and results").
//!
//! A programme states a reporting schedule, and a call may state its own; on award the grant's
//! requirements are planned from the call's schedule or else the programme's
//! ([`plan_requirements`]): one `periodic` requirement per period and a `final` one covering the
//! whole grant. An amendment of the grant's period plans them again ([`plan_regeneration`]).
//! The programme's managers add `ad_hoc` requirements ([`plan_ad_hoc_period`]), move due dates
//! ([`check_reschedule`]) and waive requirements (the [`RequirementStatus`] machine). Whether a
//! requirement is overdue is derived ([`is_overdue`]), never stored.

use crate::calendar;
use crate::error::{DomainError, FieldError};
use crate::ids::{GrantId, RequirementId, RequirementMoveId, UserId};
use crate::text::LocalizedText;
use chrono::{Days, Months, NaiveDate};

crate::state_machine! {
    /// A requirement's own status: `open → waived`; an open requirement's due date may be
    /// moved (`reschedule`). (The report's status, once reports exist, sits beside it.)
    entity "requirement", RequirementStatus, RequirementAction;
    states { Open = "open", Waived = "waived" }
    actions { Reschedule = "reschedule", Waive = "waive" }
    transitions {
        (Open, Reschedule) => Open,
        (Open, Waive) => Waived,
    }
}

/// The most days after a period's end a report may be due.
pub const MAX_DUE_DAYS: i32 = 180;
/// The most periodic requirements one grant's schedule may plan (50 years of quarters).
pub const MAX_PERIODS: usize = 200;
/// The most requirements one grant's schedule plans: every period and the final report.
pub const MAX_GENERATED: usize = MAX_PERIODS + 1;
/// Longest title of an ad-hoc requirement, in one language.
pub const MAX_TITLE: usize = 500;
/// Longest reason for moving a due date or waiving a requirement.
pub const MAX_REASON_CHARS: usize = 500;
/// The most times one requirement's due date may be moved (its history is shown whole).
pub const MAX_MOVES: usize = 50;

/// How often periodic reports are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportingFrequency {
    /// Every 3 months.
    Quarterly,
    /// Every 6 months.
    Semiannual,
    /// Every 12 months.
    Annual,
    /// No periodic reports (a final report only, if any).
    None,
}

impl ReportingFrequency {
    /// Every frequency.
    pub const ALL: &'static [Self] = &[Self::Quarterly, Self::Semiannual, Self::Annual, Self::None];

    /// The stored and wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Quarterly => "quarterly",
            Self::Semiannual => "semiannual",
            Self::Annual => "annual",
            Self::None => "none",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    "",
                    "one_of",
                    format!("{raw:?} is not one of quarterly, semiannual, annual, none"),
                )
                .into()
            })
    }

    /// The length of a period in calendar months; `None` for no periodic reports.
    pub const fn months(self) -> Option<u32> {
        match self {
            Self::Quarterly => Some(3),
            Self::Semiannual => Some(6),
            Self::Annual => Some(12),
            Self::None => None,
        }
    }
}

/// A reporting schedule: how often periodic reports are due, whether a final report is due,
/// and how many days after a period's end (0–180) a report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportingSchedule {
    frequency: ReportingFrequency,
    final_report: bool,
    due_days: u16,
}

impl Default for ReportingSchedule {
    /// A programme's schedule when none is given: quarterly, a final report, due 30 days after.
    fn default() -> Self {
        Self {
            frequency: ReportingFrequency::Quarterly,
            final_report: true,
            due_days: 30,
        }
    }
}

impl ReportingSchedule {
    /// A schedule; `due_days` outside 0–180 is a field error on `due_days`.
    pub fn parse(
        frequency: ReportingFrequency,
        final_report: bool,
        due_days: i32,
    ) -> Result<Self, DomainError> {
        match u16::try_from(due_days) {
            Ok(days) if due_days <= MAX_DUE_DAYS => Ok(Self {
                frequency,
                final_report,
                due_days: days,
            }),
            _ => Err(FieldError::new(
                "due_days",
                "range",
                format!("between 0 and {MAX_DUE_DAYS} days"),
            )
            .into()),
        }
    }

    /// How often periodic reports are due.
    pub const fn frequency(&self) -> ReportingFrequency {
        self.frequency
    }

    /// Whether a final report covering the whole grant is due.
    pub const fn final_report(&self) -> bool {
        self.final_report
    }

    /// Days after a period's end that its report is due.
    pub fn due_days(&self) -> i32 {
        i32::from(self.due_days)
    }

    /// The due date of a period ending on `end`, kept within the calendar the product accepts
    /// (a grant ending in late 9999 has its reports due on 9999-12-31).
    fn due_after(&self, end: NaiveDate) -> NaiveDate {
        let last = NaiveDate::from_ymd_opt(calendar::LAST_YEAR, 12, 31).unwrap_or(end);
        end.checked_add_days(Days::new(u64::from(self.due_days)))
            .map_or(last, |d| d.min(last))
    }
}

/// What kind of report a requirement asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequirementKind {
    /// One period of the schedule.
    Periodic,
    /// The whole grant, at its end.
    Final,
    /// Added by the programme's managers (a milestone report on a date).
    AdHoc,
}

impl RequirementKind {
    /// Every kind.
    pub const ALL: &'static [Self] = &[Self::Periodic, Self::Final, Self::AdHoc];

    /// The stored and wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Periodic => "periodic",
            Self::Final => "final",
            Self::AdHoc => "ad_hoc",
        }
    }

    /// Parses a stored name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new("", "one_of", format!("{raw:?} is not a requirement kind")).into()
            })
    }

    /// Whether the schedule generates requirements of this kind (and an amendment of the
    /// grant's period plans them again).
    pub const fn is_generated(self) -> bool {
        matches!(self, Self::Periodic | Self::Final)
    }
}

/// A requirement the schedule plans for a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedRequirement {
    /// `periodic` or `final`.
    pub kind: RequirementKind,
    /// First day of the period reported on.
    pub period_start: NaiveDate,
    /// Last day of the period reported on.
    pub period_end: NaiveDate,
    /// When the report is due.
    pub due_on: NaiveDate,
}

/// Plans the requirements of a grant running from `starts_on` to `ends_on` under `schedule`:
/// one `periodic` requirement per period, the periods stepping 3, 6 or 12 calendar months from
/// `starts_on` (the k-th starts on `starts_on` plus k steps, the day clamped to the month's
/// last, so 2026-01-31 steps to 2026-04-30 and then 2026-07-31), each ending the day before the
/// next one starts and the last clipped to `ends_on`; then, when the schedule asks for one, a
/// `final` requirement covering the whole grant. Each is due `due_days` after its period ends.
///
/// Refuses a period that ends before it starts, and one with more than [`MAX_PERIODS`] periods
/// (a field error on `ends_on`): an amendment may stretch a grant far beyond any call's
/// duration.
pub fn plan_requirements(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    schedule: &ReportingSchedule,
) -> Result<Vec<PlannedRequirement>, DomainError> {
    if ends_on < starts_on {
        return Err(
            FieldError::new("ends_on", "after", "ends_on may not be before starts_on").into(),
        );
    }
    let mut planned = Vec::new();
    if let Some(step) = schedule.frequency.months() {
        let nth_start = |k: u32| {
            k.checked_mul(step)
                .and_then(|m| starts_on.checked_add_months(Months::new(m)))
        };
        let mut k = 0_u32;
        while let Some(start) = nth_start(k).filter(|s| *s <= ends_on) {
            if planned.len() == MAX_PERIODS {
                return Err(FieldError::new(
                    "ends_on",
                    "range",
                    format!(
                        "the grant would have more than {MAX_PERIODS} {} reporting periods",
                        schedule.frequency.as_str()
                    ),
                )
                .into());
            }
            let end = k
                .checked_add(1)
                .and_then(nth_start)
                .and_then(|next| next.pred_opt())
                .map_or(ends_on, |e| e.min(ends_on));
            planned.push(PlannedRequirement {
                kind: RequirementKind::Periodic,
                period_start: start,
                period_end: end,
                due_on: schedule.due_after(end),
            });
            k += 1;
        }
    }
    if schedule.final_report {
        planned.push(PlannedRequirement {
            kind: RequirementKind::Final,
            period_start: starts_on,
            period_end: ends_on,
            due_on: schedule.due_after(ends_on),
        });
    }
    Ok(planned)
}

/// Whether a requirement is overdue on `today`: it is open, its due date has passed, and no
/// report was delivered for it.
///
/// `report_delivered` is whether a report for the requirement has been submitted or accepted.
/// Reports do not exist yet, so every caller passes `false` for now; the reports slice passes
/// the fact. `persistence::requirements` filters `overdue` in SQL by the same rule.
pub fn is_overdue(
    due_on: NaiveDate,
    status: RequirementStatus,
    report_delivered: bool,
    today: NaiveDate,
) -> bool {
    status == RequirementStatus::Open && !report_delivered && today > due_on
}

/// The period an ad-hoc requirement reports on, for a grant running from `grant_start` to
/// `grant_end`: the one given (both ends or neither, in order, within the grant's period), or
/// else from the grant's first day to the due date (kept within the grant's period). Names every
/// broken rule.
pub fn plan_ad_hoc_period(
    grant_start: NaiveDate,
    grant_end: NaiveDate,
    due_on: NaiveDate,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
) -> Result<(NaiveDate, NaiveDate), DomainError> {
    let (start, end) = match (period_start, period_end) {
        (None, None) => {
            let end = due_on.clamp(grant_start, grant_end.max(grant_start));
            return Ok((grant_start, end));
        }
        (Some(start), Some(end)) => (start, end),
        (Some(_), None) => {
            return Err(FieldError::new(
                "period_end",
                "required",
                "give both period_start and period_end, or neither",
            )
            .into());
        }
        (None, Some(_)) => {
            return Err(FieldError::new(
                "period_start",
                "required",
                "give both period_start and period_end, or neither",
            )
            .into());
        }
    };
    let mut errors = Vec::new();
    if end < start {
        errors.push(FieldError::new(
            "period_end",
            "after",
            "period_end may not be before period_start",
        ));
    }
    let outside = |field: &str| {
        FieldError::new(
            field,
            "outside_grant",
            format!("the grant runs from {grant_start} to {grant_end}"),
        )
    };
    if start < grant_start || start > grant_end {
        errors.push(outside("period_start"));
    }
    if end < grant_start || end > grant_end {
        errors.push(outside("period_end"));
    }
    if errors.is_empty() {
        Ok((start, end))
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// Checks moving a due date from `current` to `to` after `moves` earlier moves: the date must
/// change (422 on `due_on`), and a requirement is moved at most [`MAX_MOVES`] times (409).
pub fn check_reschedule(
    current: NaiveDate,
    to: NaiveDate,
    moves: usize,
) -> Result<(), DomainError> {
    if to == current {
        return Err(FieldError::new(
            "due_on",
            "unchanged",
            format!("the requirement is already due on {current}"),
        )
        .into());
    }
    if moves >= MAX_MOVES {
        return Err(DomainError::Conflict(format!(
            "The requirement's due date has been moved {moves} times, as often as it may be."
        )));
    }
    Ok(())
}

/// A reporting requirement of a grant. `D` is the date type, `T` the timestamp type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement<D, T> {
    /// Id.
    pub id: RequirementId,
    /// The grant.
    pub grant: GrantId,
    /// What kind of report.
    pub kind: RequirementKind,
    /// Title (ad-hoc requirements; generated ones are named by kind and period).
    pub title: Option<LocalizedText>,
    /// First day of the period reported on.
    pub period_start: D,
    /// Last day of the period reported on.
    pub period_end: D,
    /// When the report is due.
    pub due_on: D,
    /// Status.
    pub status: RequirementStatus,
    /// Why it was waived.
    pub waived_reason: Option<String>,
    /// Version (ETag).
    pub version: i64,
    /// When created.
    pub created_at: T,
    /// When last changed.
    pub updated_at: T,
}

/// A move of a requirement's due date, kept as history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementMove<D, T> {
    /// Id.
    pub id: RequirementMoveId,
    /// The requirement.
    pub requirement: RequirementId,
    /// The due date before.
    pub from_due_on: D,
    /// The due date after.
    pub to_due_on: D,
    /// Why.
    pub reason: String,
    /// Who moved it (`None`: the system).
    pub actor: Option<UserId>,
    /// When.
    pub at: T,
}

/// What an amendment of a grant's period does to its generated requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regeneration {
    /// Existing requirements whose kind and period are planned again: they stay as they are,
    /// with their moved due dates and waivers.
    pub keep: Vec<RequirementId>,
    /// Existing requirements whose period is no longer planned: removed.
    pub remove: Vec<RequirementId>,
    /// Planned requirements no existing one matches: added.
    pub add: Vec<PlannedRequirement>,
}

/// Matches the generated requirements a grant has (`(id, kind, period_start, period_end)`;
/// ad-hoc ones are never passed) against a new plan: an existing requirement of the same kind
/// and period stays, the rest are removed, and planned requirements left unmatched are added.
pub fn plan_regeneration(
    existing: &[(RequirementId, RequirementKind, NaiveDate, NaiveDate)],
    planned: Vec<PlannedRequirement>,
) -> Regeneration {
    let mut unmatched: Vec<_> = existing.to_vec();
    let mut keep = Vec::new();
    let mut add = Vec::new();
    for p in planned {
        let found = unmatched.iter().position(|(_, kind, start, end)| {
            (*kind, *start, *end) == (p.kind, p.period_start, p.period_end)
        });
        match found {
            Some(i) => keep.push(unmatched.remove(i).0),
            None => add.push(p),
        }
    }
    Regeneration {
        keep,
        remove: unmatched.into_iter().map(|(id, ..)| id).collect(),
        add,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReportingFrequency::{Annual, Quarterly, Semiannual};

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn schedule(f: ReportingFrequency, final_report: bool, due_days: i32) -> ReportingSchedule {
        ReportingSchedule::parse(f, final_report, due_days).unwrap()
    }

    /// `(kind, period_start, period_end, due_on)` of each planned requirement.
    fn plan(
        start: &str,
        end: &str,
        s: &ReportingSchedule,
    ) -> Vec<(&'static str, String, String, String)> {
        plan_requirements(d(start), d(end), s)
            .unwrap()
            .into_iter()
            .map(|p| {
                (
                    p.kind.as_str(),
                    p.period_start.to_string(),
                    p.period_end.to_string(),
                    p.due_on.to_string(),
                )
            })
            .collect()
    }

    fn row(
        kind: &'static str,
        s: &str,
        e: &str,
        due: &str,
    ) -> (&'static str, String, String, String) {
        (kind, s.into(), e.into(), due.into())
    }

    #[test]
    fn a_twelve_month_grant_reports_four_quarters_and_a_final_report() {
        let p = plan("2026-04-01", "2027-03-31", &ReportingSchedule::default());
        assert_eq!(
            p,
            [
                row("periodic", "2026-04-01", "2026-06-30", "2026-07-30"),
                row("periodic", "2026-07-01", "2026-09-30", "2026-10-30"),
                row("periodic", "2026-10-01", "2026-12-31", "2027-01-30"),
                row("periodic", "2027-01-01", "2027-03-31", "2027-04-30"),
                row("final", "2026-04-01", "2027-03-31", "2027-04-30"),
            ]
        );
    }

    #[test]
    fn a_seven_month_grant_has_three_quarters_the_last_clipped_to_its_end() {
        let p = plan("2026-04-01", "2026-10-31", &schedule(Quarterly, false, 15));
        assert_eq!(
            p,
            [
                row("periodic", "2026-04-01", "2026-06-30", "2026-07-15"),
                row("periodic", "2026-07-01", "2026-09-30", "2026-10-15"),
                row("periodic", "2026-10-01", "2026-10-31", "2026-11-15"),
            ]
        );
    }

    #[test]
    fn semiannual_and_annual_periods_step_six_and_twelve_months() {
        let p = plan("2026-04-01", "2027-03-31", &schedule(Semiannual, false, 60));
        assert_eq!(
            p,
            [
                row("periodic", "2026-04-01", "2026-09-30", "2026-11-29"),
                row("periodic", "2026-10-01", "2027-03-31", "2027-05-30"),
            ]
        );
        let p = plan("2026-01-15", "2028-01-14", &schedule(Annual, true, 0));
        assert_eq!(
            p,
            [
                row("periodic", "2026-01-15", "2027-01-14", "2027-01-14"),
                row("periodic", "2027-01-15", "2028-01-14", "2028-01-14"),
                row("final", "2026-01-15", "2028-01-14", "2028-01-14"),
            ]
        );
    }

    #[test]
    fn no_periodic_reports_leaves_the_final_one_or_nothing() {
        let none = ReportingFrequency::None;
        assert_eq!(
            plan("2026-04-01", "2027-03-31", &schedule(none, true, 30)),
            [row("final", "2026-04-01", "2027-03-31", "2027-04-30")]
        );
        assert_eq!(
            plan("2026-04-01", "2027-03-31", &schedule(none, false, 30)),
            []
        );
    }

    #[test]
    fn periods_step_from_the_original_start_at_month_ends() {
        // 01-31 + 3 months is 04-30 (clamped), + 6 months is 07-31 again, not 07-30.
        let p = plan("2026-01-31", "2026-10-30", &schedule(Quarterly, false, 0));
        assert_eq!(
            p,
            [
                row("periodic", "2026-01-31", "2026-04-29", "2026-04-29"),
                row("periodic", "2026-04-30", "2026-07-30", "2026-07-30"),
                row("periodic", "2026-07-31", "2026-10-30", "2026-10-30"),
            ]
        );
    }

    #[test]
    fn leap_years_are_counted_in_periods_and_due_dates() {
        // 2027-11-30 + 3 months is 2028-02-29; due 30 days after a period ending 2028-02-28.
        let p = plan("2027-11-30", "2028-05-29", &schedule(Quarterly, false, 30));
        assert_eq!(
            p,
            [
                row("periodic", "2027-11-30", "2028-02-28", "2028-03-29"),
                row("periodic", "2028-02-29", "2028-05-29", "2028-06-28"),
            ]
        );
        // A grant from a 29 February steps to the 28th in common years, the 29th in leap ones.
        let p = plan("2028-02-29", "2032-02-28", &schedule(Annual, false, 1));
        let starts: Vec<&str> = p.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(
            starts,
            ["2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28"]
        );
        assert_eq!(p[3].2, "2032-02-28");
    }

    #[test]
    fn a_one_day_grant_has_one_period_and_due_dates_stay_in_the_calendar() {
        let p = plan("2026-05-05", "2026-05-05", &ReportingSchedule::default());
        assert_eq!(
            p,
            [
                row("periodic", "2026-05-05", "2026-05-05", "2026-06-04"),
                row("final", "2026-05-05", "2026-05-05", "2026-06-04"),
            ]
        );
        let p = plan("9999-01-01", "9999-12-31", &ReportingSchedule::default());
        assert_eq!(p.len(), 5);
        assert!(p.iter().all(|r| r.3.as_str() <= "9999-12-31"), "{p:?}");
        assert_eq!(p[3].2, "9999-12-31");
    }

    #[test]
    fn too_many_periods_or_a_reversed_period_are_refused_naming_ends_on() {
        let code = |r: Result<Vec<PlannedRequirement>, DomainError>| match r {
            Err(DomainError::Invalid(e)) => (e[0].field.clone(), e[0].code),
            other => panic!("{other:?}"),
        };
        let q = schedule(Quarterly, true, 30);
        assert_eq!(
            code(plan_requirements(d("2026-01-01"), d("2080-01-01"), &q)),
            ("ends_on".into(), "range")
        );
        assert_eq!(
            plan_requirements(d("2026-01-01"), d("2075-12-31"), &q)
                .unwrap()
                .len(),
            MAX_GENERATED
        );
        assert_eq!(
            code(plan_requirements(d("2026-01-02"), d("2026-01-01"), &q)),
            ("ends_on".into(), "after")
        );
    }

    #[test]
    fn due_days_lie_between_0_and_180() {
        assert!(ReportingSchedule::parse(Quarterly, true, 0).is_ok());
        assert_eq!(
            ReportingSchedule::parse(Annual, false, 180)
                .unwrap()
                .due_days(),
            180
        );
        for bad in [-1, 181, i32::MAX, i32::MIN] {
            let Err(DomainError::Invalid(e)) = ReportingSchedule::parse(Quarterly, true, bad)
            else {
                panic!("{bad} accepted");
            };
            assert_eq!((e[0].field.as_str(), e[0].code), ("due_days", "range"));
        }
        assert_eq!(
            ReportingSchedule::default(),
            schedule(Quarterly, true, 30),
            "the programme default"
        );
        assert_eq!(ReportingFrequency::parse("semiannual"), Ok(Semiannual));
        assert!(ReportingFrequency::parse("monthly").is_err());
        assert_eq!(RequirementKind::parse("ad_hoc"), Ok(RequirementKind::AdHoc));
        assert!(RequirementKind::Final.is_generated() && !RequirementKind::AdHoc.is_generated());
    }

    #[test]
    fn a_requirement_is_overdue_once_its_due_date_has_passed_while_open_and_unreported() {
        let due = d("2026-07-30");
        let open = RequirementStatus::Open;
        assert!(!is_overdue(due, open, false, d("2026-07-29")));
        assert!(
            !is_overdue(due, open, false, due),
            "due today is not overdue yet"
        );
        assert!(is_overdue(due, open, false, d("2026-07-31")));
        assert!(!is_overdue(
            due,
            RequirementStatus::Waived,
            false,
            d("2026-07-31")
        ));
        // The reports slice passes whether a report was submitted or accepted.
        assert!(!is_overdue(due, open, true, d("2026-07-31")));
    }

    #[test]
    fn an_ad_hoc_period_is_given_whole_or_runs_from_the_grant_start_to_the_due_date() {
        let (gs, ge) = (d("2026-04-01"), d("2027-03-31"));
        assert_eq!(
            plan_ad_hoc_period(gs, ge, d("2026-09-15"), None, None),
            Ok((gs, d("2026-09-15")))
        );
        assert_eq!(
            plan_ad_hoc_period(gs, ge, d("2027-06-01"), None, None),
            Ok((gs, ge)),
            "due after the grant: the whole grant"
        );
        assert_eq!(
            plan_ad_hoc_period(gs, ge, d("2026-01-01"), None, None),
            Ok((gs, gs)),
            "due before the grant: its first day"
        );
        assert_eq!(
            plan_ad_hoc_period(
                gs,
                ge,
                d("2026-09-15"),
                Some(d("2026-06-01")),
                Some(d("2026-08-31"))
            ),
            Ok((d("2026-06-01"), d("2026-08-31")))
        );
        let fields = |r: Result<(NaiveDate, NaiveDate), DomainError>| match r {
            Err(DomainError::Invalid(e)) => {
                e.into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fields(plan_ad_hoc_period(gs, ge, gs, Some(gs), None)),
            [("period_end".to_owned(), "required")]
        );
        assert_eq!(
            fields(plan_ad_hoc_period(gs, ge, gs, None, Some(ge))),
            [("period_start".to_owned(), "required")]
        );
        assert_eq!(
            fields(plan_ad_hoc_period(
                gs,
                ge,
                gs,
                Some(d("2026-03-01")),
                Some(d("2026-02-01"))
            )),
            [
                ("period_end".to_owned(), "after"),
                ("period_start".to_owned(), "outside_grant"),
                ("period_end".to_owned(), "outside_grant"),
            ]
        );
    }

    #[test]
    fn a_due_date_moves_to_another_day_a_bounded_number_of_times() {
        let due = d("2026-07-30");
        assert_eq!(check_reschedule(due, d("2026-08-15"), 0), Ok(()));
        let Err(DomainError::Invalid(e)) = check_reschedule(due, due, 0) else {
            panic!("the same day accepted");
        };
        assert_eq!((e[0].field.as_str(), e[0].code), ("due_on", "unchanged"));
        assert!(matches!(
            check_reschedule(due, d("2026-08-15"), MAX_MOVES),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn requirements_are_rescheduled_while_open_and_waived_once() {
        crate::workflow::assert_exactly(
            RequirementStatus::ALL,
            RequirementAction::ALL,
            &[("open", "reschedule", "open"), ("open", "waive", "waived")],
            RequirementStatus::apply,
            RequirementStatus::as_str,
            RequirementAction::as_str,
        );
        assert!(RequirementStatus::Waived.is_final());
    }

    #[test]
    fn a_new_period_keeps_matching_requirements_and_replaces_the_rest() {
        let id = |n| RequirementId::from_uuid(uuid::Uuid::from_u128(n));
        let s = ReportingSchedule::default();
        let before = plan_requirements(d("2026-04-01"), d("2027-03-31"), &s).unwrap();
        let existing: Vec<_> = before
            .iter()
            .zip(1..)
            .map(|(p, n)| (id(n), p.kind, p.period_start, p.period_end))
            .collect();
        // Three months longer: the four quarters stay, a fifth and a new final report come.
        let after = plan_requirements(d("2026-04-01"), d("2027-06-30"), &s).unwrap();
        let r = plan_regeneration(&existing, after);
        assert_eq!(r.keep, [id(1), id(2), id(3), id(4)]);
        assert_eq!(r.remove, [id(5)]);
        let added: Vec<_> = r
            .add
            .iter()
            .map(|p| (p.kind, p.period_end.to_string()))
            .collect();
        assert_eq!(
            added,
            [
                (RequirementKind::Periodic, "2027-06-30".to_owned()),
                (RequirementKind::Final, "2027-06-30".to_owned())
            ]
        );
        // Shorter: the clipped last quarter and the final report are replaced, one quarter goes.
        let after = plan_requirements(d("2026-04-01"), d("2026-11-30"), &s).unwrap();
        let r = plan_regeneration(&existing, after);
        assert_eq!(r.keep, [id(1), id(2)]);
        assert_eq!(r.remove, [id(3), id(4), id(5)]);
        assert_eq!(r.add.len(), 2);
        // Unchanged: nothing moves.
        let r = plan_regeneration(&existing, before);
        assert_eq!((r.keep.len(), r.remove.len(), r.add.len()), (5, 0, 0));
    }
}
