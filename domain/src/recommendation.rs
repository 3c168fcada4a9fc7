//! Recommendations (DESIGN "Stakeholder meetings and recommendations"): a decision or proposal
//! made at a meeting, addressed to an organisation (usually a government body), proposed by
//! one or more organisations, tagged with a theme, linked to the grants and indicators that
//! work on it, and tracked `proposed → under_consideration → adopted | rejected`,
//! `adopted → implemented`. Every move is kept as a [`Change`] with its date, note, evidence
//! and author; implementing needs evidence. Counted per meeting and addressee
//! ([`Statistics`]); organisations endorse them once each.
//!
//! Who may do what is in [`crate::access::recommendation`].

use crate::error::{DomainError, FieldError, Validator};
use crate::ids::{
    GrantId, IndicatorId, MeetingId, OrganizationId, RecommendationChangeId, RecommendationId,
    UserId,
};
use crate::meeting::{MeetingStatus, OnlineUrl};
use crate::text::LocalizedText;
use chrono::{NaiveDate, NaiveDateTime};

/// Longest text translation.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Most proposing organisations.
pub const MAX_PROPOSERS: usize = 50;
/// Most linked grants.
pub const MAX_GRANTS: usize = 100;
/// Most linked indicators.
pub const MAX_INDICATORS: usize = 100;
/// Most recommendations one meeting makes.
pub const MAX_PER_MEETING: usize = 500;
/// Longest note of a change.
pub const MAX_NOTE_CHARS: usize = 2_000;

crate::state_machine! {
    /// A recommendation's status: `proposed → under_consideration → adopted | rejected`,
    /// `adopted → implemented`.
    entity "recommendation", RecommendationStatus, RecommendationAction;
    states {
        Proposed = "proposed", UnderConsideration = "under_consideration", Adopted = "adopted",
        Rejected = "rejected", Implemented = "implemented",
    }
    actions { Consider = "consider", Adopt = "adopt", Reject = "reject", Implement = "implement" }
    transitions {
        (Proposed, Consider) => UnderConsideration,
        (UnderConsideration, Adopt) => Adopted,
        (UnderConsideration, Reject) => Rejected,
        (Adopted, Implement) => Implemented,
    }
}

/// A recommendation's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendationInput {
    /// What is recommended.
    pub text: LocalizedText,
    /// The organisations proposing it, in order (at least one).
    pub proposers: Vec<OrganizationId>,
    /// The organisation it is addressed to.
    pub addressee: OrganizationId,
    /// A theme tag (as organisation themes: `human_rights`).
    pub theme: String,
    /// Links to the grants and indicators that work on it.
    pub links: Links,
}

/// The grants and indicators that work on a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Links {
    /// Grants, in order.
    pub grants: Vec<GrantId>,
    /// Indicators, in order.
    pub indicators: Vec<IndicatorId>,
}

/// A stored recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    /// Id.
    pub id: RecommendationId,
    /// The meeting it was made at.
    pub meeting: MeetingId,
    /// Its fields.
    pub fields: RecommendationInput,
    /// Status.
    pub status: RecommendationStatus,
    /// How many organisations endorse it.
    pub endorsements: i64,
    /// Version (ETag).
    pub version: i64,
    /// When created.
    pub created_at: NaiveDateTime,
    /// When last changed.
    pub updated_at: NaiveDateTime,
}

/// Checks the lists of a recommendation: 1 to [`MAX_PROPOSERS`] proposers, links within their
/// bounds, nothing listed twice; every broken rule named.
pub fn check_recommendation(r: &RecommendationInput) -> Result<(), DomainError> {
    let mut v = Validator::new();
    if r.proposers.is_empty() {
        v.push(FieldError::new(
            "proposer_organization_ids",
            "min_items",
            "at least one proposing organisation",
        ));
    }
    if v.max_items(
        "proposer_organization_ids",
        r.proposers.len(),
        MAX_PROPOSERS,
    ) {
        unique(&mut v, "proposer_organization_ids", &r.proposers);
    }
    check_links(&mut v, &r.links);
    v.finish()
}

/// Checks links alone (their bounds, nothing listed twice).
pub fn check_links(v: &mut Validator, links: &Links) {
    if v.max_items("grant_ids", links.grants.len(), MAX_GRANTS) {
        unique(v, "grant_ids", &links.grants);
    }
    if v.max_items("indicator_ids", links.indicators.len(), MAX_INDICATORS) {
        unique(v, "indicator_ids", &links.indicators);
    }
}

fn unique<T: PartialEq>(v: &mut Validator, field: &str, items: &[T]) {
    for (i, x) in items.iter().enumerate() {
        if items[..i].contains(x) {
            v.push(FieldError::new(
                format!("{field}.{i}"),
                "unique",
                "listed twice",
            ));
        }
    }
}

/// Refuses a new recommendation unless the meeting is `planned` or `held` (409 naming its
/// state); `count` is how many the meeting already has.
pub fn check_recordable(status: MeetingStatus, count: usize) -> Result<(), DomainError> {
    if !matches!(status, MeetingStatus::Planned | MeetingStatus::Held) {
        return Err(DomainError::InvalidTransition {
            entity: "meeting",
            action: "add_recommendation",
            from: status.as_str(),
            allowed: status.allowed_actions(),
        });
    }
    if count >= MAX_PER_MEETING {
        return Err(DomainError::Conflict(format!(
            "A meeting makes at most {MAX_PER_MEETING} recommendations."
        )));
    }
    Ok(())
}

/// What the caller sends with a move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeInput {
    /// Why, or what happened (1 to [`MAX_NOTE_CHARS`] characters).
    pub note: String,
    /// An `https` link to the evidence (a decree, a published regulation).
    pub evidence_url: Option<OnlineUrl>,
    /// The day it happened (default: today, UTC).
    pub on: Option<NaiveDate>,
}

/// Checks a move's input against the action: implementing needs evidence (422 on
/// `evidence_url`), and the day may not lie in the future.
pub fn check_change(
    action: RecommendationAction,
    input: &ChangeInput,
    today: NaiveDate,
) -> Result<NaiveDate, DomainError> {
    let mut v = Validator::new();
    if action == RecommendationAction::Implement && input.evidence_url.is_none() {
        v.push(FieldError::new(
            "evidence_url",
            "required",
            "implementing a recommendation needs evidence: a link to the act or its publication",
        ));
    }
    let on = input.on.unwrap_or(today);
    if on > today {
        v.push(FieldError::new(
            "on",
            "not_future",
            "a change is recorded on the day it happened, not later",
        ));
    }
    v.finish()?;
    Ok(on)
}

/// One recorded move of a recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Id.
    pub id: RecommendationChangeId,
    /// The recommendation.
    pub recommendation: RecommendationId,
    /// The status before.
    pub from: RecommendationStatus,
    /// The status after.
    pub to: RecommendationStatus,
    /// The day it happened.
    pub on: NaiveDate,
    /// The note.
    pub note: String,
    /// The evidence link.
    pub evidence_url: Option<OnlineUrl>,
    /// Who recorded it.
    pub author: UserId,
    /// The organisation the author acted for (the addressee or an organiser), `None` for an
    /// admin acting as such.
    pub acting_organization: Option<OrganizationId>,
    /// When it was recorded.
    pub at: NaiveDateTime,
}

/// Counts of recommendations by status ("20 made, 2 adopted").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Statistics {
    /// All made.
    pub made: i64,
    /// Still proposed.
    pub proposed: i64,
    /// Under consideration.
    pub under_consideration: i64,
    /// Ever adopted: adopted and implemented ones.
    pub adopted: i64,
    /// Rejected.
    pub rejected: i64,
    /// Implemented.
    pub implemented: i64,
}

impl Statistics {
    /// The statistics from counts per status (as a `GROUP BY status` returns them).
    pub fn from_counts(counts: &[(RecommendationStatus, i64)]) -> Self {
        let mut s = Self::default();
        for (status, n) in counts {
            s.made += n;
            match status {
                RecommendationStatus::Proposed => s.proposed += n,
                RecommendationStatus::UnderConsideration => s.under_consideration += n,
                RecommendationStatus::Adopted => s.adopted += n,
                RecommendationStatus::Rejected => s.rejected += n,
                RecommendationStatus::Implemented => {
                    s.implemented += n;
                    s.adopted += n;
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::assert_exactly;
    use std::collections::BTreeMap;
    use uuid::Uuid;

    fn org(n: u128) -> OrganizationId {
        OrganizationId::from_uuid(Uuid::from_u128(n))
    }

    fn input() -> RecommendationInput {
        RecommendationInput {
            text: LocalizedText::parse(
                BTreeMap::from([("en".to_owned(), "A single reporting form".to_owned())]),
                MAX_TEXT_CHARS,
            )
            .unwrap(),
            proposers: vec![org(1)],
            addressee: org(2),
            theme: "reporting".into(),
            links: Links::default(),
        }
    }

    fn codes(r: Result<(), DomainError>) -> Vec<(String, &'static str)> {
        match r {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn the_recommendation_machine_has_exactly_its_edges() {
        assert_exactly(
            RecommendationStatus::ALL,
            RecommendationAction::ALL,
            &[
                ("proposed", "consider", "under_consideration"),
                ("under_consideration", "adopt", "adopted"),
                ("under_consideration", "reject", "rejected"),
                ("adopted", "implement", "implemented"),
            ],
            RecommendationStatus::apply,
            RecommendationStatus::as_str,
            RecommendationAction::as_str,
        );
    }

    #[test]
    fn a_recommendation_has_proposers_and_lists_nothing_twice() {
        assert!(check_recommendation(&input()).is_ok());
        let mut r = input();
        r.proposers = vec![];
        let g = GrantId::from_uuid(Uuid::from_u128(7));
        r.links.grants = vec![g, g];
        assert_eq!(
            codes(check_recommendation(&r)),
            [
                ("proposer_organization_ids".to_owned(), "min_items"),
                ("grant_ids.1".to_owned(), "unique")
            ]
        );
        r.proposers = (1..=51).map(org).collect();
        r.links.grants = vec![];
        assert_eq!(
            codes(check_recommendation(&r)),
            [("proposer_organization_ids".to_owned(), "max_items")]
        );
    }

    #[test]
    fn recommendations_are_made_at_planned_and_held_meetings_only() {
        assert!(check_recordable(MeetingStatus::Planned, 0).is_ok());
        assert!(check_recordable(MeetingStatus::Held, 499).is_ok());
        assert!(matches!(
            check_recordable(MeetingStatus::Held, 500),
            Err(DomainError::Conflict(_))
        ));
        for s in [MeetingStatus::MinutesPublished, MeetingStatus::Cancelled] {
            assert!(matches!(
                check_recordable(s, 0),
                Err(DomainError::InvalidTransition { .. })
            ));
        }
    }

    #[test]
    fn implementing_needs_evidence_and_no_change_is_dated_in_the_future() {
        let today: NaiveDate = "2027-05-10".parse().unwrap();
        let bare = ChangeInput {
            note: "Done".into(),
            evidence_url: None,
            on: None,
        };
        assert_eq!(
            check_change(RecommendationAction::Adopt, &bare, today),
            Ok(today)
        );
        let Err(DomainError::Invalid(e)) =
            check_change(RecommendationAction::Implement, &bare, today)
        else {
            panic!("expected 422");
        };
        assert_eq!(e[0].field, "evidence_url");
        let with = ChangeInput {
            evidence_url: OnlineUrl::parse("https://adilet.zan.kz/rus/docs/V2700001").ok(),
            on: "2027-05-01".parse().ok(),
            ..bare.clone()
        };
        assert_eq!(
            check_change(RecommendationAction::Implement, &with, today),
            "2027-05-01"
                .parse::<NaiveDate>()
                .map_err(|_| DomainError::NotFound)
        );
        let future = ChangeInput {
            on: "2027-05-11".parse().ok(),
            ..bare
        };
        assert!(check_change(RecommendationAction::Consider, &future, today).is_err());
    }

    #[test]
    fn statistics_count_implemented_ones_as_adopted_too() {
        use RecommendationStatus::*;
        let s = Statistics::from_counts(&[
            (Proposed, 10),
            (UnderConsideration, 5),
            (Adopted, 1),
            (Implemented, 1),
            (Rejected, 3),
        ]);
        assert_eq!(
            s,
            Statistics {
                made: 20,
                proposed: 10,
                under_consideration: 5,
                adopted: 2,
                rejected: 3,
                implemented: 1
            }
        );
    }
}
