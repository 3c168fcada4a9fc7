//! Calls for proposals. Publishing opens a call; it closes by itself at `closes_at` — the
//! closed state is derived from the clock, never written by a job ([`CallStatus::effective`]).

crate::state_machine! {
    /// A call's status: `draft → open → closed → decided`.
    entity "call", CallStatus, CallAction;
    states { Draft = "draft", Open = "open", Closed = "closed", Decided = "decided" }
    actions { Publish = "publish", Close = "close", Decide = "decide" }
    transitions { (Draft, Publish) => Open, (Open, Close) => Closed, (Closed, Decide) => Decided }
}

impl CallStatus {
    /// The status as of `now`: a stored `open` call whose window has ended is `closed`.
    pub fn effective<T: PartialOrd>(self, closes_at: &T, now: &T) -> Self {
        match self {
            Self::Open if now >= closes_at => Self::Closed,
            other => other,
        }
    }
}

use crate::error::{DomainError, FieldError};
use crate::ids::{CallId, ProgrammeId};
use crate::money::{Currency, Money};
use crate::organization::OrganizationKind;
use crate::reporting::ReportingSchedule;
use crate::text::LocalizedText;
use chrono::NaiveDateTime;

/// Most criteria a call may have.
pub const MAX_CRITERIA: usize = 20;
/// Longest project, months.
pub const MAX_MONTHS: i32 = 120;
/// Longest title in one language.
pub const MAX_TITLE: usize = 500;
/// Longest description in one language.
pub const MAX_DESCRIPTION: usize = 20_000;
/// Longest criterion name in one language.
pub const MAX_CRITERION_NAME: usize = 500;
/// Largest weight of a criterion.
pub const MAX_WEIGHT: i32 = 100;
/// Largest `max_score` of a criterion (so the largest score a reviewer may give).
pub const MAX_SCORE: i32 = 100;
/// Most members of a call's committee.
pub const MAX_COMMITTEE: usize = 50;
/// Most applications one call accepts (a call's ranking lists them all).
pub const MAX_APPLICATIONS: usize = 10_000;
/// Most eligible organisation kinds: each kind once.
pub const MAX_ELIGIBLE_KINDS: usize = OrganizationKind::ALL.len();

/// A weighted scoring criterion as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionInput {
    /// Name.
    pub name: LocalizedText,
    /// Relative weight, 1–100.
    pub weight: i32,
    /// Highest score, 1–100.
    pub max_score: i32,
}

/// The editable fields of a call, each a valid value; `T` is the instant type, `U` a user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInput<T, U> {
    /// Title.
    pub title: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
    /// Window start.
    pub opens_at: T,
    /// Window end.
    pub closes_at: T,
    /// Cap per application.
    pub max_award: Money,
    /// Total for the call.
    pub envelope: Money,
    /// Kinds that may apply (empty: any), without repeats.
    pub eligible_kinds: Vec<OrganizationKind>,
    /// Regions that may apply (empty: any), without repeats.
    pub eligible_regions: Vec<String>,
    /// Shortest project, months.
    pub min_duration_months: i32,
    /// Longest project, months.
    pub max_duration_months: i32,
    /// Weighted criteria.
    pub criteria: Vec<CriterionInput>,
    /// Committee members, without repeats.
    pub committee: Vec<U>,
    /// The reporting schedule of its grants; `None`: the programme's.
    pub reporting: Option<ReportingSchedule>,
}

/// What a call's rules need to know about its programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallProgrammeFacts {
    /// The programme's currency.
    pub currency: Currency,
    /// Its budget in minor units.
    pub budget_minor: i64,
    /// Its regions (empty: any).
    pub regions: Vec<String>,
}

/// Checks a call against its rules and its programme, naming every rule broken: the window
/// ends after it opens, amounts are in the programme's currency, the cap fits the envelope and
/// the envelope the budget, durations lie in 1–120 months in order, regions lie within the
/// programme's, 1–20 criteria weighted and scored 1–100.
pub fn check_call<T: PartialOrd, U>(
    input: &CallInput<T, U>,
    programme: &CallProgrammeFacts,
) -> Result<(), DomainError> {
    let mut e = Vec::new();
    if input.closes_at <= input.opens_at {
        e.push(FieldError::new(
            "closes_at",
            "after",
            "closes_at must be after opens_at",
        ));
    }
    let currency = programme.currency;
    for (field, m) in [
        ("max_award", &input.max_award),
        ("envelope", &input.envelope),
    ] {
        if m.currency() != currency {
            e.push(FieldError::new(
                format!("{field}.currency"),
                "currency_mismatch",
                format!("amounts are in the programme's currency, {currency}"),
            ));
        }
    }
    if input.max_award.minor() > input.envelope.minor() {
        e.push(FieldError::new(
            "max_award",
            "exceeds_envelope",
            "the cap per award exceeds the envelope",
        ));
    }
    if input.envelope.minor() > programme.budget_minor {
        e.push(FieldError::new(
            "envelope",
            "exceeds_budget",
            "the envelope exceeds the programme budget",
        ));
    }
    let months = 1..=MAX_MONTHS;
    if !months.contains(&input.min_duration_months) {
        e.push(FieldError::new(
            "min_duration_months",
            "range",
            format!("between 1 and {MAX_MONTHS} months"),
        ));
    }
    if !months.contains(&input.max_duration_months) {
        e.push(FieldError::new(
            "max_duration_months",
            "range",
            format!("between 1 and {MAX_MONTHS} months"),
        ));
    } else if input.max_duration_months < input.min_duration_months {
        e.push(FieldError::new(
            "max_duration_months",
            "min_max",
            "max_duration_months is below min_duration_months",
        ));
    }
    if !programme.regions.is_empty() {
        for (i, r) in input.eligible_regions.iter().enumerate() {
            if !programme.regions.contains(r) {
                e.push(FieldError::new(
                    format!("eligible_regions.{i}"),
                    "outside_programme",
                    format!("{r} is not a region of the programme"),
                ));
            }
        }
    }
    if input.criteria.is_empty() || input.criteria.len() > MAX_CRITERIA {
        e.push(FieldError::new(
            "criteria",
            "count",
            format!("between 1 and {MAX_CRITERIA} criteria"),
        ));
    }
    for (i, c) in input.criteria.iter().enumerate() {
        for (field, value, max) in [
            ("weight", c.weight, MAX_WEIGHT),
            ("max_score", c.max_score, MAX_SCORE),
        ] {
            if !(1..=max).contains(&value) {
                e.push(FieldError::new(
                    format!("criteria.{i}.{field}"),
                    "range",
                    format!("between 1 and {max}"),
                ));
            }
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(e))
    }
}

/// A call takes at most [`MAX_APPLICATIONS`]; refuses one more when it has `so_far`.
pub fn check_room_for_application(so_far: usize) -> Result<(), DomainError> {
    if so_far < MAX_APPLICATIONS {
        Ok(())
    } else {
        Err(DomainError::Conflict(format!(
            "The call has {MAX_APPLICATIONS} applications, as many as one call takes."
        )))
    }
}

/// Only drafts may be edited.
pub fn check_editable(status: CallStatus) -> Result<(), DomainError> {
    if status == CallStatus::Draft {
        return Ok(());
    }
    Err(DomainError::InvalidTransition {
        entity: "call",
        action: "edit",
        from: status.as_str(),
        allowed: status.allowed_actions(),
    })
}

/// Publishing needs an active programme and a window that has not ended.
pub fn check_publish<T: PartialOrd>(
    programme_active: bool,
    closes_at: &T,
    now: &T,
) -> Result<(), DomainError> {
    if !programme_active {
        return Err(DomainError::Conflict(
            "The programme is not active; activate it before publishing its calls.".into(),
        ));
    }
    if closes_at <= now {
        return Err(DomainError::Conflict(
            "The call's window has already ended; move closes_at first.".into(),
        ));
    }
    Ok(())
}

/// One weighted criterion of a call, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallCriterion {
    /// Its id (scores are keyed by it).
    pub id: String,
    /// The call.
    pub call: CallId,
    /// Order in the call, from 0.
    pub position: i32,
    /// Name.
    pub name: LocalizedText,
    /// Relative weight.
    pub weight: i32,
    /// Highest score.
    pub max_score: i32,
}

/// A call as stored; money is in minor units of the programme's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Its id.
    pub id: CallId,
    /// Its programme.
    pub programme: ProgrammeId,
    /// Title.
    pub title: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
    /// Window start (UTC).
    pub opens_at: NaiveDateTime,
    /// Window end (UTC); the call is closed from this instant.
    pub closes_at: NaiveDateTime,
    /// Largest award, minor units.
    pub max_award_minor: i64,
    /// Total envelope, minor units.
    pub envelope_minor: i64,
    /// Eligible organisation kinds.
    pub eligible_kinds: Vec<OrganizationKind>,
    /// Eligible ISO 3166-2 regions.
    pub eligible_regions: Vec<String>,
    /// Shortest project, months.
    pub min_duration_months: i32,
    /// Longest project, months.
    pub max_duration_months: i32,
    /// Stored status (`open` may be effectively `closed`: see [`CallStatus::effective`]).
    pub status: CallStatus,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
    /// The reporting schedule of its grants; `None`: the programme's.
    pub reporting: Option<ReportingSchedule>,
}

impl Call {
    /// Its status at `now`.
    pub fn status_at(&self, now: NaiveDateTime) -> CallStatus {
        self.status.effective(&self.closes_at, &now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("EUR").unwrap())
    }

    fn facts() -> CallProgrammeFacts {
        CallProgrammeFacts {
            currency: Currency::parse("EUR").unwrap(),
            budget_minor: 1000,
            regions: vec!["KZ-61".into()],
        }
    }

    fn input() -> CallInput<u32, u8> {
        let name = LocalizedText::parse([("en".into(), "R".into())].into(), 100).unwrap();
        CallInput {
            title: name.clone(),
            description: None,
            opens_at: 1,
            closes_at: 2,
            max_award: eur(100),
            envelope: eur(1000),
            eligible_kinds: vec![],
            eligible_regions: vec!["KZ-61".into()],
            min_duration_months: 6,
            max_duration_months: 12,
            criteria: vec![CriterionInput {
                name,
                weight: 1,
                max_score: 10,
            }],
            committee: vec![],
            reporting: None,
        }
    }

    #[test]
    fn a_consistent_call_passes() {
        assert_eq!(check_call(&input(), &facts()), Ok(()));
    }

    #[test]
    fn every_broken_call_rule_is_named() {
        let mut c = input();
        c.closes_at = 1;
        c.max_award = eur(2000);
        c.envelope = Money::from_minor(5000, Currency::parse("USD").unwrap());
        c.min_duration_months = 0;
        c.max_duration_months = 121;
        c.eligible_regions = vec!["KZ-31".into()];
        c.criteria[0].weight = 0;
        let Err(DomainError::Invalid(e)) = check_call(&c, &facts()) else {
            panic!("expected errors")
        };
        let named: Vec<(&str, &str)> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            named,
            [
                ("closes_at", "after"),
                ("envelope.currency", "currency_mismatch"),
                ("envelope", "exceeds_budget"),
                ("min_duration_months", "range"),
                ("max_duration_months", "range"),
                ("eligible_regions.0", "outside_programme"),
                ("criteria.0.weight", "range"),
            ]
        );
    }

    #[test]
    fn a_call_needs_criteria_and_ordered_durations() {
        let mut c = input();
        c.criteria.clear();
        c.min_duration_months = 12;
        c.max_duration_months = 6;
        let Err(DomainError::Invalid(e)) = check_call(&c, &facts()) else {
            panic!("expected errors")
        };
        let named: Vec<&str> = e.iter().map(|e| e.code).collect();
        assert_eq!(named, ["min_max", "count"]);
    }

    #[test]
    fn only_drafts_are_edited_and_publishing_needs_an_active_programme_and_a_future_end() {
        assert!(check_editable(CallStatus::Draft).is_ok());
        assert!(check_editable(CallStatus::Open).is_err());
        assert!(check_publish(true, &5, &4).is_ok());
        assert!(check_publish(false, &5, &4).is_err());
        assert!(check_publish(true, &5, &5).is_err());
    }

    #[test]
    fn calls_are_published_closed_and_decided_in_order() {
        crate::workflow::assert_exactly(
            CallStatus::ALL,
            CallAction::ALL,
            &[
                ("draft", "publish", "open"),
                ("open", "close", "closed"),
                ("closed", "decide", "decided"),
            ],
            CallStatus::apply,
            CallStatus::as_str,
            CallAction::as_str,
        );
    }

    #[test]
    fn an_open_call_is_closed_once_its_window_has_ended() {
        assert_eq!(CallStatus::Open.effective(&10, &9), CallStatus::Open);
        assert_eq!(CallStatus::Open.effective(&10, &10), CallStatus::Closed);
        assert_eq!(CallStatus::Draft.effective(&10, &11), CallStatus::Draft);
        assert_eq!(CallStatus::Decided.effective(&10, &11), CallStatus::Decided);
    }
}
