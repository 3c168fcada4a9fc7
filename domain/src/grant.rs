//! Grants and their disbursements (tranches), and the rules of awarding, amending and paying.

use crate::application::{ApplicationAction, ApplicationStatus};
use crate::budget::{self, BudgetLine, LineInput};
use crate::call::CallStatus;
use crate::ids::{
    AmendmentId, ApplicationId, BudgetLineId, CallId, DisbursementId, GrantId, OrganizationId,
    ProgrammeId, RequirementId, UserId,
};
use crate::money::Money;
use crate::{DomainError, FieldError};

crate::state_machine! {
    /// A grant's status: `active ⇄ suspended`, `active → completed | terminated`.
    entity "grant", GrantStatus, GrantAction;
    states { Active = "active", Suspended = "suspended", Completed = "completed", Terminated = "terminated" }
    actions { Suspend = "suspend", Resume = "resume", Complete = "complete", Terminate = "terminate" }
    transitions {
        (Active, Suspend) => Suspended,
        (Suspended, Resume) => Active,
        (Active, Complete) => Completed,
        (Active, Terminate) => Terminated,
    }
}

crate::state_machine! {
    /// A tranche's status: `planned → approved → paid`, `planned | approved → cancelled`.
    entity "disbursement", DisbursementStatus, DisbursementAction;
    states { Planned = "planned", Approved = "approved", Paid = "paid", Cancelled = "cancelled" }
    actions { Approve = "approve", Pay = "pay", Cancel = "cancel" }
    transitions {
        (Planned, Approve) => Approved,
        (Planned, Cancel) => Cancelled,
        (Approved, Pay) => Paid,
        (Approved, Cancel) => Cancelled,
    }
}

impl DisbursementStatus {
    /// Whether the tranche still counts against the grant amount.
    pub fn counts_against_amount(self) -> bool {
        self != Self::Cancelled
    }
}

/// Longest reason of an amendment.
pub const MAX_REASON_CHARS: usize = 2000;
/// Longest condition of a tranche.
pub const MAX_CONDITION_CHARS: usize = 1000;
/// Longest payment reference of a tranche.
pub const MAX_REFERENCE_CHARS: usize = 200;

/// A grant. `D` is the date type, `T` the timestamp type (the domain names no clock crate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant<D, T> {
    /// Id.
    pub id: GrantId,
    /// The awarded application.
    pub application: ApplicationId,
    /// The call.
    pub call: CallId,
    /// The programme.
    pub programme: ProgrammeId,
    /// The grantee.
    pub grantee: OrganizationId,
    /// The mentor organisation.
    pub mentor: Option<OrganizationId>,
    /// Amount.
    pub amount: Money,
    /// First day.
    pub starts_on: D,
    /// Last day.
    pub ends_on: D,
    /// Budget lines, in order.
    pub budget_lines: Vec<BudgetLine>,
    /// Status.
    pub status: GrantStatus,
    /// Version (ETag).
    pub version: i64,
    /// When awarded.
    pub created_at: T,
    /// When last changed.
    pub updated_at: T,
}

/// A tranche of a grant; `D` is the date type, `T` the timestamp type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disbursement<D, T> {
    /// Id.
    pub id: DisbursementId,
    /// The grant.
    pub grant: GrantId,
    /// Amount, in the grant's currency.
    pub amount: Money,
    /// Planned payment date.
    pub planned_on: D,
    /// Condition for payment, e.g. "interim report accepted".
    pub condition: Option<String>,
    /// The reporting requirement whose report must be accepted before the tranche is approved
    /// or paid.
    pub requirement: Option<RequirementId>,
    /// Status.
    pub status: DisbursementStatus,
    /// Date paid.
    pub paid_on: Option<D>,
    /// Bank reference of the payment.
    pub payment_reference: Option<String>,
    /// Version (ETag).
    pub version: i64,
    /// When planned.
    pub created_at: T,
    /// When last changed.
    pub updated_at: T,
}

/// An award that would take a call's awards over its envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeExceeded {
    /// The call's envelope.
    pub envelope: Money,
    /// Awarded so far.
    pub awarded: Money,
    /// The amount of this award.
    pub requested: Money,
}

impl std::fmt::Display for EnvelopeExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.awarded.checked_add(&self.requested) {
            Ok(after) => write!(
                f,
                "Awarding {} would bring the call's awards to {after}, over its envelope of {} ({} awarded so far).",
                self.requested, self.envelope, self.awarded
            ),
            Err(_) => write!(
                f,
                "Awarding {} would take the call's awards over its envelope of {} ({} awarded so far).",
                self.requested, self.envelope, self.awarded
            ),
        }
    }
}

/// Why an award is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwardRefusal {
    /// A rule of the domain (state, fields).
    Rule(DomainError),
    /// Over the call's envelope (409 with the figures).
    Envelope(EnvelopeExceeded),
}

impl From<DomainError> for AwardRefusal {
    fn from(e: DomainError) -> Self {
        Self::Rule(e)
    }
}

/// What `award` checks, gathered by the use case.
#[derive(Debug, Clone)]
pub struct AwardFacts<D> {
    /// The call's status as of now.
    pub call: CallStatus,
    /// The application's status.
    pub application: ApplicationStatus,
    /// The amount requested.
    pub requested: Money,
    /// The amount the managers award (`None`: the amount requested).
    pub amount: Option<Money>,
    /// The call's envelope.
    pub envelope: Money,
    /// The call's awards so far.
    pub awarded: Money,
    /// First and last day: `starts_on` plus the application's duration; `None` when that
    /// date does not exist.
    pub period: Option<(D, D)>,
    /// Whether the named mentor organisation exists (`true` when none is named).
    pub mentor_exists: bool,
}

/// A decided award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardPlan<D> {
    /// The amount.
    pub amount: Money,
    /// First day.
    pub starts_on: D,
    /// Last day.
    pub ends_on: D,
    /// The application's new status.
    pub application: ApplicationStatus,
}

/// Decides an award, naming every failing rule: the call must be closed and not decided, the
/// application under review, the amount in the call's currency and at most the amount
/// requested, the period in range, the mentor known, and the envelope not exceeded.
pub fn plan_award<D>(f: AwardFacts<D>) -> Result<AwardPlan<D>, AwardRefusal> {
    if f.call != CallStatus::Closed {
        return Err(DomainError::InvalidTransition {
            entity: "call",
            action: "awarded under (awards are made after it closes and before it is decided)",
            from: f.call.as_str(),
            allowed: f.call.allowed_actions(),
        }
        .into());
    }
    let application = f.application.apply(ApplicationAction::Award)?;
    let mut errors = Vec::new();
    let amount = f.amount.unwrap_or(f.requested);
    if amount.currency() != f.requested.currency() {
        errors.push(FieldError::new(
            "amount.currency",
            "currency_mismatch",
            format!("the call's currency is {}", f.requested.currency()),
        ));
    } else if amount.minor() > f.requested.minor() {
        errors.push(FieldError::new(
            "amount",
            "exceeds_request",
            format!("more than the {} requested", f.requested),
        ));
    }
    if !f.mentor_exists {
        errors.push(FieldError::new(
            "mentor_organization_id",
            "exists",
            "no organisation has this id",
        ));
    }
    let Some((starts_on, ends_on)) = f.period else {
        errors.push(FieldError::new(
            "starts_on",
            "range",
            "the grant period is out of range",
        ));
        return Err(DomainError::Invalid(errors).into());
    };
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors).into());
    }
    let total = f
        .awarded
        .minor()
        .checked_add(amount.minor())
        .ok_or_else(|| {
            DomainError::from(FieldError::new(
                "amount",
                "range",
                "the call's awards would add up to more than an amount can hold",
            ))
        })?;
    if total > f.envelope.minor() {
        return Err(AwardRefusal::Envelope(EnvelopeExceeded {
            envelope: f.envelope,
            awarded: f.awarded,
            requested: amount,
        }));
    }
    Ok(AwardPlan {
        amount,
        starts_on,
        ends_on,
        application,
    })
}

/// A requested amendment, parsed.
#[derive(Debug, Clone)]
pub struct AmendmentInput<D> {
    /// Why.
    pub reason: String,
    /// New amount.
    pub amount: Option<Money>,
    /// New first day.
    pub starts_on: Option<D>,
    /// New last day.
    pub ends_on: Option<D>,
    /// New budget lines.
    pub budget_lines: Option<Vec<LineInput>>,
}

/// What an amendment changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentPlan<D> {
    /// The amount after.
    pub amount: Money,
    /// The first day after.
    pub starts_on: D,
    /// The last day after.
    pub ends_on: D,
    /// The new lines, if the budget changes.
    pub budget_lines: Option<Vec<BudgetLine>>,
}

/// Decides an amendment of `grant` with `committed` in tranches, naming every failing rule:
/// a final grant is not amended; something must change; the amount is in the grant's currency;
/// the period does not end before it starts; the lines name only existing lines and add up to
/// the amount; the amount is not below the tranches already committed (409).
pub fn plan_amendment<D: Copy + PartialOrd, T>(
    grant: &Grant<D, T>,
    committed: Money,
    a: AmendmentInput<D>,
    new_id: impl FnMut() -> BudgetLineId,
) -> Result<AmendmentPlan<D>, DomainError> {
    if grant.status.is_final() {
        return Err(DomainError::InvalidTransition {
            entity: "grant",
            action: "amended",
            from: grant.status.as_str(),
            allowed: Vec::new(),
        });
    }
    let currency = grant.amount.currency();
    let mut errors = Vec::new();
    if a.amount.is_none()
        && a.starts_on.is_none()
        && a.ends_on.is_none()
        && a.budget_lines.is_none()
    {
        errors.push(FieldError::new(
            "",
            "required",
            "change at least one of amount, starts_on, ends_on, budget_lines",
        ));
    }
    let amount = match a.amount {
        Some(m) if m.currency() != currency => {
            errors.push(FieldError::new(
                "amount.currency",
                "currency_mismatch",
                format!("the grant's currency is {currency}"),
            ));
            grant.amount
        }
        Some(m) => m,
        None => grant.amount,
    };
    let starts_on = a.starts_on.unwrap_or(grant.starts_on);
    let ends_on = a.ends_on.unwrap_or(grant.ends_on);
    if ends_on < starts_on {
        errors.push(FieldError::new(
            "ends_on",
            "after",
            "ends_on may not be before starts_on",
        ));
    }
    let lines = match a.budget_lines {
        Some(input) => match budget::plan_lines(&grant.budget_lines, input, currency, new_id) {
            Ok(l) => Some(l),
            Err(DomainError::Invalid(e)) => {
                errors.extend(e);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let budget_changes = a.amount.is_some() || lines.is_some();
    if budget_changes && errors.is_empty() {
        let total = budget::total(lines.as_deref().unwrap_or(&grant.budget_lines), currency)?;
        if total != amount {
            errors.push(FieldError::new(
                "budget_lines",
                "budget_total",
                format!("the budget lines total {total}, not the amount {amount}"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    if amount.minor() < committed.minor() {
        return Err(DomainError::Conflict(format!(
            "The new amount {amount} is below the {committed} already committed in tranches; cancel tranches first."
        )));
    }
    Ok(AmendmentPlan {
        amount,
        starts_on,
        ends_on,
        budget_lines: lines,
    })
}

/// A value before and after an amendment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<V> {
    /// Before.
    pub from: V,
    /// After.
    pub to: V,
}

impl<V: PartialEq> Change<V> {
    /// The change from `from` to `to`, if they differ.
    fn of(from: V, to: V) -> Option<Self> {
        (from != to).then_some(Self { from, to })
    }
}

/// What an amendment changed: the amount and the dates when they differ, the budget lines
/// whenever new ones were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentChanges<D> {
    /// The amount.
    pub amount: Option<Change<Money>>,
    /// The first day.
    pub starts_on: Option<Change<D>>,
    /// The last day.
    pub ends_on: Option<Change<D>>,
    /// The budget lines.
    pub budget_lines: Option<Change<Vec<BudgetLine>>>,
}

impl<D: Copy + PartialEq> AmendmentChanges<D> {
    /// What `plan` changes in `grant`.
    pub fn between<T>(grant: &Grant<D, T>, plan: &AmendmentPlan<D>) -> Self {
        Self {
            amount: Change::of(grant.amount, plan.amount),
            starts_on: Change::of(grant.starts_on, plan.starts_on),
            ends_on: Change::of(grant.ends_on, plan.ends_on),
            budget_lines: plan.budget_lines.as_ref().map(|to| Change {
                from: grant.budget_lines.clone(),
                to: to.clone(),
            }),
        }
    }
}

/// An amendment of a grant, kept as history. `D` is the date type, `T` the timestamp type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment<D, T> {
    /// Id.
    pub id: AmendmentId,
    /// The grant.
    pub grant: GrantId,
    /// Why.
    pub reason: String,
    /// What changed.
    pub changes: AmendmentChanges<D>,
    /// Who amended (`None`: the system).
    pub actor: Option<UserId>,
    /// When.
    pub created_at: T,
}

/// Checks a new tranche of `amount` against a grant of `grant_amount` with `committed` in
/// tranches not cancelled: the grant must be active, the amount in its currency, and the
/// tranches may not add up to more than the grant (checked arithmetic).
pub fn check_tranche(
    status: GrantStatus,
    grant_amount: Money,
    committed: Money,
    amount: Money,
) -> Result<(), DomainError> {
    if amount.currency() != grant_amount.currency() {
        return Err(FieldError::new(
            "amount.currency",
            "currency_mismatch",
            format!("the grant's currency is {}", grant_amount.currency()),
        )
        .into());
    }
    check_active(status, "given a tranche")?;
    let after = committed
        .minor()
        .checked_add(amount.minor())
        .ok_or_else(|| FieldError::new("amount", "range", "amount out of range"))?;
    if after > grant_amount.minor() {
        return Err(DomainError::Conflict(format!(
            "A tranche of {amount} would commit {} of a grant of {grant_amount} ({committed} committed so far).",
            Money::from_minor(after, amount.currency())
        )));
    }
    Ok(())
}

/// Tranches are planned and paid only while the grant is active.
pub fn check_active(status: GrantStatus, action: &'static str) -> Result<(), DomainError> {
    if status == GrantStatus::Active {
        Ok(())
    } else {
        Err(DomainError::InvalidTransition {
            entity: "grant",
            action,
            from: status.as_str(),
            allowed: status.allowed_actions(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::from_minor(
            minor,
            Currency::parse("EUR").unwrap_or_else(|_| unreachable!()),
        )
    }

    fn facts() -> AwardFacts<u32> {
        AwardFacts {
            call: CallStatus::Closed,
            application: ApplicationStatus::UnderReview,
            requested: eur(100),
            amount: None,
            envelope: eur(1000),
            awarded: eur(900),
            period: Some((1, 12)),
            mentor_exists: true,
        }
    }

    fn codes(r: Result<impl std::fmt::Debug, AwardRefusal>) -> Vec<(String, &'static str)> {
        match r {
            Err(AwardRefusal::Rule(DomainError::Invalid(e))) => {
                e.into_iter().map(|e| (e.field, e.code)).collect()
            }
            other => unreachable!("{other:?}"),
        }
    }

    #[test]
    fn an_award_up_to_the_envelope_is_planned() {
        let plan = plan_award(facts()).unwrap_or_else(|e| unreachable!("{e:?}"));
        assert_eq!(plan.amount, eur(100));
        assert_eq!(plan.application, ApplicationStatus::Awarded);
    }

    #[test]
    fn an_award_over_the_envelope_names_the_figures() {
        let r = plan_award(AwardFacts {
            awarded: eur(901),
            ..facts()
        });
        assert_eq!(
            r,
            Err(AwardRefusal::Envelope(EnvelopeExceeded {
                envelope: eur(1000),
                awarded: eur(901),
                requested: eur(100)
            }))
        );
    }

    #[test]
    fn an_award_whose_sum_with_the_awards_so_far_overflows_is_refused_naming_the_amount() {
        let r = plan_award(AwardFacts {
            awarded: eur(i64::MAX),
            ..facts()
        });
        assert_eq!(codes(r), [("amount".into(), "range")]);
    }

    #[test]
    fn an_award_names_every_broken_field_rule() {
        let r = plan_award(AwardFacts {
            amount: Some(eur(101)),
            mentor_exists: false,
            period: None,
            ..facts()
        });
        assert_eq!(
            codes(r),
            [
                ("amount".into(), "exceeds_request"),
                ("mentor_organization_id".into(), "exists"),
                ("starts_on".into(), "range")
            ]
        );
        let usd = Money::from_minor(1, Currency::parse("USD").unwrap_or_else(|_| unreachable!()));
        let r = plan_award(AwardFacts {
            amount: Some(usd),
            ..facts()
        });
        assert_eq!(codes(r), [("amount.currency".into(), "currency_mismatch")]);
    }

    #[test]
    fn awards_need_a_closed_call_and_an_application_under_review() {
        for call in [CallStatus::Open, CallStatus::Decided, CallStatus::Draft] {
            let r = plan_award(AwardFacts { call, ..facts() });
            assert!(matches!(
                r,
                Err(AwardRefusal::Rule(DomainError::InvalidTransition {
                    entity: "call",
                    ..
                }))
            ));
        }
        let r = plan_award(AwardFacts {
            application: ApplicationStatus::Awarded,
            ..facts()
        });
        assert!(matches!(
            r,
            Err(AwardRefusal::Rule(DomainError::InvalidTransition {
                from: "awarded",
                ..
            }))
        ));
    }

    fn grant(status: GrantStatus) -> Grant<u32, ()> {
        let id = |n| crate::ids::BudgetLineId::from_uuid(uuid::Uuid::from_u128(n));
        Grant {
            id: GrantId::from_uuid(uuid::Uuid::from_u128(1)),
            application: ApplicationId::from_uuid(uuid::Uuid::from_u128(2)),
            call: CallId::from_uuid(uuid::Uuid::from_u128(3)),
            programme: ProgrammeId::from_uuid(uuid::Uuid::from_u128(4)),
            grantee: OrganizationId::from_uuid(uuid::Uuid::from_u128(5)),
            mentor: None,
            amount: eur(100),
            starts_on: 1,
            ends_on: 12,
            budget_lines: vec![BudgetLine {
                id: id(7),
                category: "staff".into(),
                description: "Lawyer".into(),
                amount: eur(100),
            }],
            status,
            version: 1,
            created_at: (),
            updated_at: (),
        }
    }

    fn amendment() -> AmendmentInput<u32> {
        AmendmentInput {
            reason: "r".into(),
            amount: None,
            starts_on: None,
            ends_on: None,
            budget_lines: None,
        }
    }

    #[test]
    fn an_amendment_keeps_line_ids_and_checks_the_total() {
        let g = grant(GrantStatus::Active);
        let lines = vec![
            LineInput {
                id: Some(g.budget_lines[0].id),
                category: "staff".into(),
                description: "L".into(),
                amount: eur(100),
            },
            LineInput {
                id: None,
                category: "events".into(),
                description: "S".into(),
                amount: eur(50),
            },
        ];
        let new = crate::ids::BudgetLineId::from_uuid(uuid::Uuid::from_u128(99));
        let plan = plan_amendment(
            &g,
            eur(0),
            AmendmentInput {
                amount: Some(eur(150)),
                budget_lines: Some(lines),
                ..amendment()
            },
            || new,
        )
        .unwrap_or_else(|e| unreachable!("{e:?}"));
        let ids: Vec<_> = plan
            .budget_lines
            .unwrap_or_default()
            .iter()
            .map(|l| l.id)
            .collect();
        assert_eq!(ids, [g.budget_lines[0].id, new]);
        let r = plan_amendment(
            &g,
            eur(0),
            AmendmentInput {
                amount: Some(eur(120)),
                ..amendment()
            },
            || new,
        );
        assert!(matches!(r, Err(DomainError::Invalid(e)) if e[0].code == "budget_total"));
    }

    #[test]
    fn an_amendment_records_what_differs_and_the_lines_whenever_given() {
        let g = grant(GrantStatus::Active);
        let same = AmendmentPlan {
            amount: g.amount,
            starts_on: g.starts_on,
            ends_on: 13,
            budget_lines: None,
        };
        assert_eq!(
            AmendmentChanges::between(&g, &same),
            AmendmentChanges {
                amount: None,
                starts_on: None,
                ends_on: Some(Change { from: 12, to: 13 }),
                budget_lines: None,
            }
        );
        let lines = AmendmentPlan {
            amount: eur(150),
            budget_lines: Some(g.budget_lines.clone()),
            ..same
        };
        let changes = AmendmentChanges::between(&g, &lines);
        assert_eq!(
            changes.amount,
            Some(Change {
                from: eur(100),
                to: eur(150)
            })
        );
        assert_eq!(
            changes.budget_lines,
            Some(Change {
                from: g.budget_lines.clone(),
                to: g.budget_lines.clone()
            })
        );
    }

    #[test]
    fn an_amendment_below_the_committed_tranches_or_of_a_final_grant_is_refused() {
        let g = grant(GrantStatus::Active);
        let r = plan_amendment(&g, eur(0), amendment(), || unreachable!());
        assert!(matches!(r, Err(DomainError::Invalid(e)) if e[0].code == "required"));
        let r = plan_amendment(
            &g,
            eur(0),
            AmendmentInput {
                starts_on: Some(20),
                ..amendment()
            },
            || unreachable!(),
        );
        assert!(matches!(r, Err(DomainError::Invalid(e)) if e[0].code == "after"));
        let lines = vec![LineInput {
            id: None,
            category: "s".into(),
            description: "d".into(),
            amount: eur(10),
        }];
        let r = plan_amendment(
            &g,
            eur(50),
            AmendmentInput {
                amount: Some(eur(10)),
                budget_lines: Some(lines),
                ..amendment()
            },
            || g.budget_lines[0].id,
        );
        assert!(matches!(r, Err(DomainError::Conflict(_))));
        let r = plan_amendment(
            &grant(GrantStatus::Terminated),
            eur(0),
            AmendmentInput {
                ends_on: Some(13),
                ..amendment()
            },
            || unreachable!(),
        );
        assert!(matches!(
            r,
            Err(DomainError::InvalidTransition {
                from: "terminated",
                ..
            })
        ));
    }

    #[test]
    fn tranches_never_add_up_to_more_than_the_grant() {
        assert_eq!(
            check_tranche(GrantStatus::Active, eur(100), eur(50), eur(50)),
            Ok(())
        );
        assert!(matches!(
            check_tranche(GrantStatus::Active, eur(100), eur(50), eur(51)),
            Err(DomainError::Conflict(d)) if d.contains("1.01 EUR")
        ));
        assert!(check_tranche(GrantStatus::Active, eur(i64::MAX), eur(i64::MAX), eur(1)).is_err());
        assert!(matches!(
            check_tranche(GrantStatus::Suspended, eur(100), eur(0), eur(1)),
            Err(DomainError::InvalidTransition {
                from: "suspended",
                ..
            })
        ));
    }

    #[test]
    fn grants_are_suspended_resumed_completed_or_terminated() {
        crate::workflow::assert_exactly(
            GrantStatus::ALL,
            GrantAction::ALL,
            &[
                ("active", "suspend", "suspended"),
                ("active", "complete", "completed"),
                ("active", "terminate", "terminated"),
                ("suspended", "resume", "active"),
            ],
            GrantStatus::apply,
            GrantStatus::as_str,
            GrantAction::as_str,
        );
    }

    #[test]
    fn tranches_are_approved_then_paid_or_cancelled_before_payment() {
        crate::workflow::assert_exactly(
            DisbursementStatus::ALL,
            DisbursementAction::ALL,
            &[
                ("planned", "approve", "approved"),
                ("planned", "cancel", "cancelled"),
                ("approved", "pay", "paid"),
                ("approved", "cancel", "cancelled"),
            ],
            DisbursementStatus::apply,
            DisbursementStatus::as_str,
            DisbursementAction::as_str,
        );
        assert!(DisbursementStatus::Paid.counts_against_amount());
        assert!(!DisbursementStatus::Cancelled.counts_against_amount());
    }
}
