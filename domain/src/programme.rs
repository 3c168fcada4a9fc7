//! Programmes: a donor-funded programme run by a managing organisation.

crate::state_machine! {
    /// A programme's status: `draft → active → closed`.
    entity "programme", ProgrammeStatus, ProgrammeAction;
    states { Draft = "draft", Active = "active", Closed = "closed" }
    actions { Activate = "activate", Close = "close" }
    transitions { (Draft, Activate) => Active, (Active, Close) => Closed }
}

use crate::access::programme::{Circle, ProgrammeFacts};
use crate::error::{DomainError, FieldError};
use crate::ids::{OrganizationId, ProgrammeId};
use crate::money::{Currency, Money};
use crate::report::Template;
use crate::reporting::ReportingSchedule;
use crate::text::LocalizedText;
use chrono::{NaiveDate, NaiveDateTime};

/// Longest title in one language.
pub const MAX_TITLE: usize = 500;
/// Longest description in one language.
pub const MAX_DESCRIPTION: usize = 20_000;
/// Most funders of one programme.
pub const MAX_FUNDERS: usize = 50;

/// A funder's commitment, in the programme's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funder {
    /// The funding organisation.
    pub organization: OrganizationId,
    /// What it commits.
    pub committed: Money,
}

/// The editable fields of a programme, each already a valid value; `D` is the date type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeInput<D> {
    /// Title.
    pub title: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
    /// Total budget; its currency is the programme's.
    pub budget: Money,
    /// First day.
    pub starts_on: D,
    /// Last day.
    pub ends_on: D,
    /// ISO 3166-2 regions, without repeats.
    pub regions: Vec<String>,
    /// Theme tags.
    pub themes: Vec<String>,
    /// Funders in the order given.
    pub funders: Vec<Funder>,
    /// The reporting schedule of its grants (a call may state its own).
    pub reporting: ReportingSchedule,
    /// The narrative sections of its grants' reports.
    pub report_template: Template,
}

/// Checks the rules across a programme's fields and names every one broken: the period ends
/// on or after it starts, no funder is listed twice, commitments are in the budget's currency
/// and do not exceed it together.
pub fn check_programme<D: PartialOrd>(input: &ProgrammeInput<D>) -> Result<(), DomainError> {
    check_programme_parts(
        &input.budget,
        &input.starts_on,
        &input.ends_on,
        &input.funders,
    )
}

/// [`check_programme`] over the fields its rules read, for callers that hold only those (a
/// request whose other fields failed to parse still learns every rule it breaks).
pub fn check_programme_parts<D: PartialOrd>(
    budget: &Money,
    starts_on: &D,
    ends_on: &D,
    funders: &[Funder],
) -> Result<(), DomainError> {
    let input = Parts {
        budget,
        starts_on,
        ends_on,
        funders,
    };
    let mut errors = Vec::new();
    if input.ends_on < input.starts_on {
        errors.push(FieldError::new(
            "ends_on",
            "after",
            "ends_on may not be before starts_on",
        ));
    }
    let currency = input.budget.currency();
    // `None` once the commitments add up past what an amount can hold: more than any budget.
    let mut total = Some(Money::zero(currency));
    for (i, f) in input.funders.iter().enumerate() {
        if input.funders[..i]
            .iter()
            .any(|g| g.organization == f.organization)
        {
            errors.push(FieldError::new(
                format!("funders.{i}.organization_id"),
                "unique",
                "this funder is listed twice",
            ));
        }
        if f.committed.currency() == currency {
            total = total.and_then(|t| t.checked_add(&f.committed).ok());
        } else {
            errors.push(FieldError::new(
                format!("funders.{i}.committed.currency"),
                "currency_mismatch",
                format!("commitments are in the programme's currency, {currency}"),
            ));
        }
    }
    let mixed = input
        .funders
        .iter()
        .any(|f| f.committed.currency() != currency);
    match total {
        _ if mixed => {}
        None => errors.push(FieldError::new(
            "funders",
            "range",
            "the commitments add up to more than an amount can hold",
        )),
        Some(total) if total.minor() > input.budget.minor() => errors.push(FieldError::new(
            "funders",
            "exceeds_budget",
            format!(
                "commitments total {total}, more than the budget {}",
                input.budget
            ),
        )),
        Some(_) => {}
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

struct Parts<'a, D> {
    budget: &'a Money,
    starts_on: &'a D,
    ends_on: &'a D,
    funders: &'a [Funder],
}

/// Whether a programme in `status` may still be edited (closed programmes are final).
pub fn check_editable(status: ProgrammeStatus) -> Result<(), DomainError> {
    if status.is_final() {
        return Err(DomainError::InvalidTransition {
            entity: "programme",
            action: "edit",
            from: status.as_str(),
            allowed: vec![],
        });
    }
    Ok(())
}

/// One funder of a programme, as stored, with the funder's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeFunder {
    /// The programme funded.
    pub programme: ProgrammeId,
    /// The funding organisation.
    pub organization: OrganizationId,
    /// The funding organisation's name.
    pub name: LocalizedText,
    /// The commitment in minor units of the programme's currency.
    pub committed_minor: i64,
}

/// A programme with its funders, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    /// Its id.
    pub id: ProgrammeId,
    /// Title.
    pub title: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
    /// Total budget, in the programme's currency.
    pub budget: Money,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// ISO 3166-2 regions.
    pub regions: Vec<String>,
    /// Theme tags.
    pub themes: Vec<String>,
    /// Its status.
    pub status: ProgrammeStatus,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
    /// Its funders, ordered by organisation.
    pub funders: Vec<ProgrammeFunder>,
    /// The organisations around it (managing and funders).
    pub circle: Circle,
    /// The reporting schedule of its grants, unless their call states its own.
    pub reporting: ReportingSchedule,
    /// The narrative sections of its grants' reports.
    pub report_template: Template,
}

impl Programme {
    /// The facts its access policy needs.
    pub fn facts(&self) -> ProgrammeFacts {
        ProgrammeFacts {
            circle: self.circle.clone(),
            draft: self.status == ProgrammeStatus::Draft,
        }
    }

    /// Its version (ETag).
    pub fn version(&self) -> i64 {
        self.version
    }

    /// Its currency.
    pub fn currency(&self) -> Currency {
        self.budget.currency()
    }

    /// Its editable fields, as an input to check or change.
    pub fn input(&self) -> ProgrammeInput<NaiveDate> {
        let currency = self.currency();
        ProgrammeInput {
            title: self.title.clone(),
            description: self.description.clone(),
            budget: self.budget,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            regions: self.regions.clone(),
            themes: self.themes.clone(),
            funders: self
                .funders
                .iter()
                .map(|f| Funder {
                    organization: f.organization,
                    committed: Money::from_minor(f.committed_minor, currency),
                })
                .collect(),
            reporting: self.reporting,
            report_template: self.report_template.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, crate::money::Currency::parse("EUR").unwrap())
    }

    fn input() -> ProgrammeInput<u32> {
        ProgrammeInput {
            title: LocalizedText::parse([("en".into(), "T".into())].into(), MAX_TITLE).unwrap(),
            description: None,
            budget: eur(10_000),
            starts_on: 1,
            ends_on: 2,
            regions: vec![],
            themes: vec![],
            funders: vec![Funder {
                organization: OrganizationId::from_uuid(uuid::Uuid::from_u128(1)),
                committed: eur(6_000),
            }],
            reporting: ReportingSchedule::default(),
            report_template: Template::default(),
        }
    }

    #[test]
    fn a_consistent_programme_passes() {
        assert_eq!(check_programme(&input()), Ok(()));
    }

    #[test]
    fn every_broken_programme_rule_is_named() {
        let mut p = input();
        p.ends_on = 0;
        p.funders.push(p.funders[0].clone());
        p.funders.push(Funder {
            organization: OrganizationId::from_uuid(uuid::Uuid::from_u128(2)),
            committed: Money::from_minor(1, crate::money::Currency::parse("USD").unwrap()),
        });
        let Err(DomainError::Invalid(e)) = check_programme(&p) else {
            panic!("expected errors")
        };
        let named: Vec<(&str, &str)> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            named,
            [
                ("ends_on", "after"),
                ("funders.1.organization_id", "unique"),
                ("funders.2.committed.currency", "currency_mismatch"),
            ]
        );
    }

    #[test]
    fn commitments_that_add_up_past_the_largest_amount_are_refused() {
        let mut p = input();
        p.budget = eur(i64::MAX);
        p.funders[0].committed = eur(i64::MAX);
        p.funders.push(Funder {
            organization: OrganizationId::from_uuid(uuid::Uuid::from_u128(2)),
            committed: eur(1),
        });
        let Err(DomainError::Invalid(e)) = check_programme(&p) else {
            panic!("expected errors")
        };
        let named: Vec<(&str, &str)> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(named, [("funders", "range")]);
    }

    #[test]
    fn closed_programmes_cannot_be_edited() {
        assert!(check_editable(ProgrammeStatus::Active).is_ok());
        assert!(check_editable(ProgrammeStatus::Closed).is_err());
    }

    #[test]
    fn programmes_go_from_draft_to_active_to_closed_only() {
        crate::workflow::assert_exactly(
            ProgrammeStatus::ALL,
            ProgrammeAction::ALL,
            &[
                ("draft", "activate", "active"),
                ("active", "close", "closed"),
            ],
            ProgrammeStatus::apply,
            ProgrammeStatus::as_str,
            ProgrammeAction::as_str,
        );
        assert!(ProgrammeStatus::Closed.is_final());
    }
}
