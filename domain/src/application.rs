//! Applications: an NGO's proposal to a call, and the rules of submitting one.

use crate::budget::{MAX_CATEGORY_CHARS, MAX_DESCRIPTION_CHARS, MAX_LINES};
use crate::error::{DomainError, FieldError, Validator};
use crate::geo::{MAX_REGIONS, RegionCode};
use crate::ids::{ApplicationId, CallId, OrganizationId};
use crate::money::{Currency, Money};
use crate::organization::OrganizationKind;
use crate::text::LocalizedText;
use crate::user::parse_line;
use std::collections::BTreeMap;

/// Longest title, characters per language.
pub const MAX_TITLE: usize = 500;
/// Longest summary, characters per language.
pub const MAX_SUMMARY: usize = 10_000;
/// Most target groups.
pub const MAX_TARGET_GROUPS: usize = 20;
/// Longest target group.
pub const MAX_TARGET_GROUP_CHARS: usize = 200;
/// Most partner organisations.
pub const MAX_PARTNERS: usize = 50;

/// An amount as the caller wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountInput {
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

/// A budget line as the caller wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    /// Category.
    pub category: String,
    /// What the money pays for.
    pub description: String,
    /// The amount.
    pub amount: AmountInput,
}

/// A draft's fields as the caller wrote them, before [`check_draft`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftInput {
    /// Title by language.
    pub title: BTreeMap<String, String>,
    /// Summary by language.
    pub summary: BTreeMap<String, String>,
    /// Amount requested.
    pub requested: AmountInput,
    /// Months.
    pub duration_months: i32,
    /// Region codes.
    pub regions: Vec<String>,
    /// Target groups.
    pub target_groups: Vec<String>,
    /// Budget lines.
    pub budget_lines: Vec<LineInput>,
    /// Partner organisations.
    pub partners: Vec<OrganizationId>,
}

/// One line of a budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    /// Category.
    pub category: String,
    /// What the money pays for.
    pub description: String,
    /// The amount, in the call's currency.
    pub amount: Money,
}

/// A draft's checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Title.
    pub title: LocalizedText,
    /// Summary.
    pub summary: LocalizedText,
    /// Amount requested, in the call's currency.
    pub requested: Money,
    /// Months, 1 to 120.
    pub duration_months: i32,
    /// Region codes, without repeats.
    pub regions: Vec<String>,
    /// Target groups.
    pub target_groups: Vec<String>,
    /// Budget lines.
    pub budget_lines: Vec<BudgetLine>,
    /// Partners, without repeats and never the applicant.
    pub partners: Vec<OrganizationId>,
}

impl Draft {
    /// The draft as input again, for a change to replace some fields.
    pub fn to_input(&self) -> DraftInput {
        let amount = |m: &Money| AmountInput {
            amount: m.amount_string(),
            currency: m.currency().as_str().to_owned(),
        };
        DraftInput {
            title: self.title.translations().clone(),
            summary: self.summary.translations().clone(),
            requested: amount(&self.requested),
            duration_months: self.duration_months,
            regions: self.regions.clone(),
            target_groups: self.target_groups.clone(),
            budget_lines: self
                .budget_lines
                .iter()
                .map(|l| LineInput {
                    category: l.category.clone(),
                    description: l.description.clone(),
                    amount: amount(&l.amount),
                })
                .collect(),
            partners: self.partners.clone(),
        }
    }
}

/// An application as stored; `T` is the time type of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application<T> {
    /// Id.
    pub id: ApplicationId,
    /// The call.
    pub call: CallId,
    /// The applicant.
    pub applicant: OrganizationId,
    /// Its fields.
    pub draft: Draft,
    /// Status.
    pub status: ApplicationStatus,
    /// When submitted.
    pub submitted_at: Option<T>,
    /// Optimistic-concurrency version (ETag).
    pub version: i64,
    /// When created.
    pub created_at: T,
    /// When last changed.
    pub updated_at: T,
}

fn parse_amount(
    v: &mut Validator,
    field: &str,
    a: &AmountInput,
    currency: Currency,
) -> Option<Money> {
    let c = v.check(&format!("{field}.currency"), Currency::parse(&a.currency))?;
    if c != currency {
        v.push(FieldError::new(
            format!("{field}.currency"),
            "currency_mismatch",
            format!("the call's currency is {currency}"),
        ));
        return None;
    }
    v.check(field, Money::parse_positive(&a.amount, c))
}

/// Shape checks that hold for every draft (the call's rules are checked on submit); names
/// every failing field.
pub fn check_draft(
    input: DraftInput,
    currency: Currency,
    applicant: OrganizationId,
) -> Result<Draft, DomainError> {
    let mut v = Validator::new();
    let title = v.check("title", LocalizedText::parse(input.title, MAX_TITLE));
    let summary = v.check("summary", LocalizedText::parse(input.summary, MAX_SUMMARY));
    let requested = parse_amount(&mut v, "requested", &input.requested, currency);
    if !(1..=crate::call::MAX_MONTHS).contains(&input.duration_months) {
        v.push(FieldError::new(
            "duration_months",
            "range",
            "between 1 and 120 months",
        ));
    }
    let mut regions: Vec<String> = Vec::new();
    let regions_ok = v.max_items("regions", input.regions.len(), MAX_REGIONS);
    for (i, r) in input.regions.iter().enumerate().filter(|_| regions_ok) {
        if let Some(r) = v.check(&format!("regions.{i}"), RegionCode::parse(r))
            && !regions.iter().any(|x| x == r.as_str())
        {
            regions.push(r.as_str().to_owned());
        }
    }
    let mut target_groups = Vec::new();
    let groups_ok = v.max_items(
        "target_groups",
        input.target_groups.len(),
        MAX_TARGET_GROUPS,
    );
    for (i, g) in input.target_groups.iter().enumerate().filter(|_| groups_ok) {
        if let Some(g) = v.check(
            &format!("target_groups.{i}"),
            parse_line(g, MAX_TARGET_GROUP_CHARS),
        ) {
            target_groups.push(g);
        }
    }
    let lines_ok = v.max_items("budget_lines", input.budget_lines.len(), MAX_LINES);
    let mut budget_lines = Vec::new();
    for (i, l) in input.budget_lines.iter().enumerate().filter(|_| lines_ok) {
        let category = v.check(
            &format!("budget_lines.{i}.category"),
            parse_line(&l.category, MAX_CATEGORY_CHARS),
        );
        let description = v.check(
            &format!("budget_lines.{i}.description"),
            parse_line(&l.description, MAX_DESCRIPTION_CHARS),
        );
        let amount = parse_amount(
            &mut v,
            &format!("budget_lines.{i}.amount"),
            &l.amount,
            currency,
        );
        if let (Some(category), Some(description), Some(amount)) = (category, description, amount) {
            budget_lines.push(BudgetLine {
                category,
                description,
                amount,
            });
        }
    }
    let mut partners: Vec<OrganizationId> = Vec::new();
    let partners_ok = v.max_items(
        "partner_organization_ids",
        input.partners.len(),
        MAX_PARTNERS,
    );
    for (i, p) in input.partners.iter().enumerate().filter(|_| partners_ok) {
        if *p == applicant {
            v.push(FieldError::new(
                format!("partner_organization_ids.{i}"),
                "not_applicant",
                "the applicant cannot be its own partner",
            ));
        } else if !partners.contains(p) {
            partners.push(*p);
        }
    }
    let draft = (|| {
        Some(Draft {
            title: title?,
            summary: summary?,
            requested: requested?,
            duration_months: input.duration_months,
            regions,
            target_groups,
            budget_lines,
            partners,
        })
    })();
    v.finish_with(draft)
}

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
        Err(DomainError::Invalid(e)) if e.iter().any(|e| e.code == "currency_mismatch") => errors
            .push(FieldError::new(
                "budget_lines",
                "currency_mismatch",
                "budget lines mix currencies",
            )),
        Err(_) => errors.push(FieldError::new(
            "budget_lines",
            "range",
            "the budget lines add up to more than an amount can hold",
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

    fn eur_in(a: &str) -> AmountInput {
        AmountInput {
            amount: a.into(),
            currency: "EUR".into(),
        }
    }

    #[test]
    fn a_draft_names_every_bad_field() {
        let applicant = OrganizationId::from_uuid(uuid::Uuid::from_u128(1));
        let input = DraftInput {
            title: BTreeMap::new(),
            summary: BTreeMap::from([("en".into(), "Clinics".into())]),
            requested: AmountInput {
                amount: "10.00".into(),
                currency: "USD".into(),
            },
            duration_months: 0,
            regions: vec!["XX".into()],
            target_groups: vec!["women".into()],
            budget_lines: vec![LineInput {
                category: "staff".into(),
                description: "Lawyer".into(),
                amount: eur_in("-1"),
            }],
            partners: vec![applicant],
        };
        let Err(DomainError::Invalid(errors)) =
            check_draft(input, Currency::parse("EUR").unwrap(), applicant)
        else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "title",
            "requested.currency",
            "duration_months",
            "regions.0",
            "budget_lines.0.amount",
            "partner_organization_ids.0",
        ] {
            assert!(fields.iter().any(|x| x.starts_with(f)), "{f} in {fields:?}");
        }
    }

    #[test]
    fn a_good_draft_round_trips_through_its_input() {
        let applicant = OrganizationId::from_uuid(uuid::Uuid::from_u128(1));
        let input = DraftInput {
            title: BTreeMap::from([("en".into(), "Legal aid".into())]),
            summary: BTreeMap::from([("en".into(), "Clinics".into())]),
            requested: eur_in("100.00"),
            duration_months: 12,
            regions: vec!["KZ-79".into(), "KZ-79".into()],
            target_groups: vec!["women".into()],
            budget_lines: vec![LineInput {
                category: "staff".into(),
                description: "Lawyer".into(),
                amount: eur_in("100.00"),
            }],
            partners: Vec::new(),
        };
        let eur_c = Currency::parse("EUR").unwrap();
        let draft = check_draft(input, eur_c, applicant).unwrap();
        assert_eq!(draft.regions, ["KZ-79"]);
        assert_eq!(
            check_draft(draft.to_input(), eur_c, applicant).unwrap(),
            draft
        );
    }

    #[test]
    fn every_list_of_a_draft_is_bounded() {
        let applicant = OrganizationId::from_uuid(uuid::Uuid::from_u128(1));
        let line = LineInput {
            category: "staff".into(),
            description: "Lawyer".into(),
            amount: eur_in("1.00"),
        };
        let draft = |n: usize| DraftInput {
            title: BTreeMap::from([("en".into(), "Legal aid".into())]),
            summary: BTreeMap::from([("en".into(), "Clinics".into())]),
            requested: eur_in("100.00"),
            duration_months: crate::call::MAX_MONTHS,
            regions: vec!["KZ-79".into(); n.min(MAX_REGIONS + 1)],
            target_groups: vec!["women".into(); n.min(MAX_TARGET_GROUPS + 1)],
            budget_lines: vec![line.clone(); n.min(MAX_LINES + 1)],
            partners: (0..n.min(MAX_PARTNERS + 1))
                .map(|i| {
                    OrganizationId::from_uuid(uuid::Uuid::from_u128(2 + u128::try_from(i).unwrap()))
                })
                .collect(),
        };
        let eur_c = Currency::parse("EUR").unwrap();
        assert!(check_draft(draft(MAX_TARGET_GROUPS), eur_c, applicant).is_ok());
        let Err(DomainError::Invalid(errors)) = check_draft(draft(usize::MAX), eur_c, applicant)
        else {
            panic!("expected field errors");
        };
        let named: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            named,
            [
                ("regions", "max_items"),
                ("target_groups", "max_items"),
                ("budget_lines", "max_items"),
                ("partner_organization_ids", "max_items"),
            ]
        );
    }

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
        let huge = Money::from_minor(i64::MAX, Currency::parse("EUR").unwrap());
        let overflowing_lines = [huge, eur("0.01")];
        assert_eq!(
            codes(check_submission(&Submission {
                budget_lines: &overflowing_lines,
                ..ok.clone()
            })),
            [("budget_lines".to_owned(), "range")]
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
