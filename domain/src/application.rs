//! Applications: an NGO's proposal to a call, and the rules of submitting one.

use crate::error::{DomainError, FieldError};
use crate::money::Money;
use crate::organization::OrganizationKind;

crate::state_machine! {
    /// An application's status: `draft → submitted → under_review → awarded | rejected`,
    /// `draft | submitted → withdrawn`.
    entity "application", ApplicationStatus, ApplicationAction;
    states {
        Draft = "draft", Submitted = "submitted", UnderReview = "under_review",
        Awarded = "awarded", Rejected = "rejected", Withdrawn = "withdrawn",
    }
    actions { Submit = "submit", BeginReview = "begin_review", Award = "award", Reject = "reject", Withdraw = "withdraw" }
    transitions {
        (Draft, Submit) => Submitted,
        (Draft, Withdraw) => Withdrawn,
        (Submitted, BeginReview) => UnderReview,
        (Submitted, Withdraw) => Withdrawn,
        (UnderReview, Award) => Awarded,
        (UnderReview, Reject) => Rejected,
    }
}

/// What `submit` checks, gathered by the caller (the domain reads no clock and no database).
#[derive(Debug, Clone)]
pub struct Submission<'a, T> {
    /// The current time.
    pub now: &'a T,
    /// The call's window.
    pub opens_at: &'a T,
    /// The call's deadline.
    pub closes_at: &'a T,
    /// The applicant's kind.
    pub applicant_kind: OrganizationKind,
    /// The applicant's region.
    pub applicant_region: Option<&'a str>,
    /// Kinds the call admits (empty: any).
    pub eligible_kinds: &'a [OrganizationKind],
    /// Regions the call admits (empty: any).
    pub eligible_regions: &'a [String],
    /// Regions the project works in.
    pub regions: &'a [String],
    /// The amount requested.
    pub requested: Money,
    /// The call's cap.
    pub max_award: Money,
    /// Project duration in months.
    pub duration_months: i32,
    /// The call's shortest duration.
    pub min_duration_months: i32,
    /// The call's longest duration.
    pub max_duration_months: i32,
    /// The budget lines' amounts.
    pub budget_lines: &'a [Money],
}

/// Checks every submission rule and names each one that fails (DESIGN: "Submit checks the
/// deadline, eligibility and the amount cap and says which rule failed").
pub fn check_submission<T: PartialOrd>(s: &Submission<'_, T>) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    if s.now < s.opens_at {
        errors.push(FieldError::new(
            "call",
            "not_open",
            "the call does not accept applications yet",
        ));
    } else if s.now >= s.closes_at {
        errors.push(FieldError::new(
            "call",
            "deadline",
            "the call's deadline has passed",
        ));
    }
    if !s.eligible_kinds.is_empty() && !s.eligible_kinds.contains(&s.applicant_kind) {
        errors.push(FieldError::new(
            "applicant_organization_id",
            "ineligible_kind",
            format!(
                "organisations of kind {} may not apply to this call",
                s.applicant_kind.as_str()
            ),
        ));
    }
    if !s.eligible_regions.is_empty() {
        let in_region = s
            .applicant_region
            .is_some_and(|r| s.eligible_regions.iter().any(|e| e == r));
        if !in_region {
            errors.push(FieldError::new(
                "applicant_organization_id",
                "ineligible_region",
                format!(
                    "the applicant's region ({}) is not eligible",
                    s.applicant_region.unwrap_or("none")
                ),
            ));
        }
        for (i, r) in s.regions.iter().enumerate() {
            if !s.eligible_regions.contains(r) {
                errors.push(FieldError::new(
                    format!("regions.{i}"),
                    "ineligible_region",
                    format!("{r} is not eligible"),
                ));
            }
        }
    }
    if s.requested.currency() != s.max_award.currency() {
        errors.push(FieldError::new(
            "requested.currency",
            "currency_mismatch",
            "the request is not in the call's currency",
        ));
    } else if s.requested.minor() > s.max_award.minor() {
        errors.push(FieldError::new(
            "requested",
            "exceeds_cap",
            format!(
                "{} is more than the call's cap of {}",
                s.requested, s.max_award
            ),
        ));
    }
    if !(s.min_duration_months..=s.max_duration_months).contains(&s.duration_months) {
        errors.push(FieldError::new(
            "duration_months",
            "duration",
            format!(
                "the call funds projects of {}–{} months",
                s.min_duration_months, s.max_duration_months
            ),
        ));
    }
    match Money::sum(s.requested.currency(), s.budget_lines) {
        Ok(total) if total.minor() == s.requested.minor() => {}
        Ok(total) => errors.push(FieldError::new(
            "budget_lines",
            "budget_total",
            format!(
                "the budget lines total {total}, not the requested {}",
                s.requested
            ),
        )),
        Err(_) => errors.push(FieldError::new(
            "budget_lines",
            "currency_mismatch",
            "budget lines mix currencies",
        )),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn eur(amount: &str) -> Money {
        Money::parse(amount, Currency::parse("EUR").unwrap()).unwrap()
    }

    fn codes(result: Result<(), DomainError>) -> Vec<(String, &'static str)> {
        match result {
            Ok(()) => Vec::new(),
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_complete_eligible_application_passes_and_each_broken_rule_is_named() {
        let eligible = vec!["KZ-61".to_owned(), "KZ-31".to_owned()];
        let lines = [eur("3000.00"), eur("846.00")];
        let ok = Submission {
            now: &5,
            opens_at: &0,
            closes_at: &10,
            applicant_kind: OrganizationKind::Ngo,
            applicant_region: Some("KZ-61"),
            eligible_kinds: &[OrganizationKind::Ngo],
            eligible_regions: &eligible,
            regions: &eligible[..1],
            requested: eur("3846.00"),
            max_award: eur("3846.00"),
            duration_months: 12,
            min_duration_months: 12,
            max_duration_months: 12,
            budget_lines: &lines,
        };
        assert_eq!(codes(check_submission(&ok)), vec![]);
        assert_eq!(
            codes(check_submission(&Submission {
                now: &10,
                ..ok.clone()
            })),
            [("call".to_owned(), "deadline")]
        );
        assert_eq!(
            codes(check_submission(&Submission {
                now: &-1,
                ..ok.clone()
            })),
            [("call".to_owned(), "not_open")]
        );
        let bad_lines = [eur("3000.00")];
        let other_regions = vec!["KZ-39".to_owned()];
        let everything_wrong = Submission {
            applicant_kind: OrganizationKind::Business,
            applicant_region: Some("KZ-39"),
            regions: &other_regions,
            requested: eur("5000.00"),
            duration_months: 24,
            budget_lines: &bad_lines,
            ..ok.clone()
        };
        assert_eq!(
            codes(check_submission(&everything_wrong)),
            [
                ("applicant_organization_id".to_owned(), "ineligible_kind"),
                ("applicant_organization_id".to_owned(), "ineligible_region"),
                ("regions.0".to_owned(), "ineligible_region"),
                ("requested".to_owned(), "exceeds_cap"),
                ("duration_months".to_owned(), "duration"),
                ("budget_lines".to_owned(), "budget_total"),
            ]
        );
        let open_to_all = Submission {
            eligible_kinds: &[],
            eligible_regions: &[],
            applicant_region: None,
            ..ok
        };
        assert_eq!(codes(check_submission(&open_to_all)), vec![]);
    }

    #[test]
    fn applications_follow_the_designed_workflow_only() {
        crate::workflow::assert_exactly(
            ApplicationStatus::ALL,
            ApplicationAction::ALL,
            &[
                ("draft", "submit", "submitted"),
                ("draft", "withdraw", "withdrawn"),
                ("submitted", "begin_review", "under_review"),
                ("submitted", "withdraw", "withdrawn"),
                ("under_review", "award", "awarded"),
                ("under_review", "reject", "rejected"),
            ],
            ApplicationStatus::apply,
            ApplicationStatus::as_str,
            ApplicationAction::as_str,
        );
    }

    #[test]
    fn an_illegal_action_names_the_state_and_the_allowed_actions() {
        let err = ApplicationStatus::Submitted
            .apply(ApplicationAction::Award)
            .unwrap_err();
        assert_eq!(
            err,
            crate::DomainError::InvalidTransition {
                entity: "application",
                action: "award",
                from: "submitted",
                allowed: vec!["begin_review", "withdraw"],
            }
        );
        assert!(ApplicationStatus::Awarded.is_final());
    }
}
