//! The wire forms of reviews and the ranking.

use crate::response::utc;
use crate::service::reviews::{Seen, criteria_of};
use crate::wire::{
    ApplicationStatus as WireAppStatus, ApplicationTitle, Money, ReviewStatus as WireStatus,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::application::Application;
use seriktes_domain::call::MAX_CRITERIA;
use seriktes_domain::review::{Ranked, weighted_percent};
use seriktes_domain::{DomainError, Validator};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One criterion's score.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"criterion_id": "0193a0c4-b100-7000-8000-000000000001", "score": 8}))]
pub struct Score {
    /// The criterion.
    pub criterion_id: Uuid,
    /// 0 to the criterion's `max_score`.
    pub score: i32,
}

/// A review.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-d000-7000-8000-000000000001", "application_id": "0193a0c4-c000-7000-8000-000000000001",
    "reviewer_user_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10", "status": "submitted",
    "conflict_of_interest": false, "conflict_declared_at": "2026-03-02T10:00:00Z", "conflict_note": null,
    "scores": [{"criterion_id": "0193a0c4-b100-7000-8000-000000000001", "score": 8}],
    "weighted_score": 80.0, "comment": "Strong local partnerships.", "allowed_actions": [],
    "submitted_at": "2026-03-10T12:00:00Z", "created_at": "2026-03-02T09:00:00Z", "updated_at": "2026-03-10T12:00:00Z"
}))]
pub struct ReviewResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The application.
    #[schema(format = Uuid)]
    pub application_id: String,
    /// The reviewer.
    #[schema(format = Uuid)]
    pub reviewer_user_id: String,
    /// Status.
    pub status: WireStatus,
    /// Whether the reviewer declared a conflict of interest (and is recused). `false` with
    /// `conflict_declared_at` set: the reviewer declared they have none.
    pub conflict_of_interest: bool,
    /// When the reviewer declared whether they have a conflict of interest
    /// (`POST /reviews/{id}/declare-no-conflict`, or `recuse` for a conflict); `null` until
    /// then. Scores are accepted, and a review is submitted and counted in the ranking, only
    /// after a declaration of no conflict.
    pub conflict_declared_at: Option<DateTime<Utc>>,
    /// The reviewer's note on the conflict.
    pub conflict_note: Option<String>,
    /// Scores so far.
    pub scores: Vec<Score>,
    /// Weighted score in percent once every criterion is scored.
    pub weighted_score: Option<f64>,
    /// The reviewer's comment.
    pub comment: Option<String>,
    /// What the caller may do now (`submit`, `recuse`).
    pub allowed_actions: Vec<String>,
    /// When submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When assigned.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A reviewer to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reviewer_user_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"}))]
pub struct AssignReviewRequest {
    /// A member of the call's committee.
    pub reviewer_user_id: Uuid,
}

/// How many reviews an assignment round created.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"assigned": 69, "skipped_conflicts": 2}))]
pub struct AssignmentResult {
    /// New reviews.
    pub assigned: usize,
    /// Pairs skipped because the reviewer belongs to the applicant.
    pub skipped_conflicts: usize,
}

/// Scores and comment of a review in progress; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scores": [{"criterion_id": "0193a0c4-b100-7000-8000-000000000001", "score": 8}], "comment": "Strong local partnerships."}))]
pub struct UpdateReviewRequest {
    /// Scores; replace earlier ones for the same criteria.
    pub scores: Option<Vec<Score>>,
    /// Comment (up to 10 000 characters).
    pub comment: Option<String>,
}

impl UpdateReviewRequest {
    /// The scores given, as `(criterion id, score)`, if there are no more than a call has
    /// criteria.
    pub fn scores(&self) -> Result<Option<Vec<(String, i32)>>, DomainError> {
        let Some(scores) = &self.scores else {
            return Ok(None);
        };
        let mut v = Validator::new();
        v.max_items("scores", scores.len(), MAX_CRITERIA);
        v.finish()?;
        Ok(Some(
            scores
                .iter()
                .map(|s| (s.criterion_id.to_string(), s.score))
                .collect(),
        ))
    }
}

/// A conflict-of-interest declaration.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "I chair the applicant's board."}))]
pub struct RecuseRequest {
    /// What the conflict is.
    pub note: Option<String>,
}

/// Filters of the review list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewListParams {
    /// Only reviews of applications to this call (managers see all of a decided call's reviews).
    pub call_id: Option<Uuid>,
    /// Only reviews of this application.
    pub application_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<WireStatus>,
}

/// One application in a call's ranking.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "rank": 1, "application_id": "0193a0c4-c000-7000-8000-000000000001",
    "applicant_organization_id": "0193a0c4-8000-7000-8000-000000000001",
    "title": {"en": "Legal aid for rural women"}, "requested": {"amount": "3846.00", "currency": "EUR"},
    "status": "under_review", "score": 86.5, "review_count": 3
}))]
pub struct RankingEntry {
    /// 1-based; equal scores share a rank; `null` without submitted reviews.
    pub rank: Option<usize>,
    /// The application.
    #[schema(format = Uuid)]
    pub application_id: String,
    /// The applicant.
    #[schema(format = Uuid)]
    pub applicant_organization_id: String,
    /// The application's title.
    pub title: ApplicationTitle,
    /// Amount requested.
    pub requested: Money,
    /// The application's status.
    pub status: WireAppStatus,
    /// Mean weighted score of submitted reviews, percent with two decimals.
    pub score: Option<f64>,
    /// Submitted reviews counted (only those whose reviewer declared no conflict of interest).
    pub review_count: usize,
}

/// A call's ranking.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"call_id": "0193a0c4-b000-7000-8000-000000000001", "data": [{
    "rank": 1, "application_id": "0193a0c4-c000-7000-8000-000000000001",
    "applicant_organization_id": "0193a0c4-8000-7000-8000-000000000001",
    "title": {"en": "Legal aid for rural women"}, "requested": {"amount": "3846.00", "currency": "EUR"},
    "status": "under_review", "score": 86.5, "review_count": 3}]}))]
pub struct RankingResponse {
    /// The call.
    #[schema(format = Uuid)]
    pub call_id: String,
    /// Applications, best first; ties keep submission order.
    pub data: Vec<RankingEntry>,
}

impl From<Seen> for ReviewResponse {
    fn from(s: Seen) -> Self {
        let row = s.review;
        let scores = &row.scores;
        let status = row.status;
        let weighted = weighted_percent(&criteria_of(&s.criteria), scores)
            .map(|p| (p * 100.0).round() / 100.0);
        let allowed_actions = if s.role == seriktes_domain::access::review::ReviewRole::Reviewer {
            status
                .allowed_actions()
                .into_iter()
                .map(str::to_owned)
                .collect()
        } else {
            Vec::new()
        };
        Self {
            scores: scores
                .iter()
                .filter_map(|(k, v)| {
                    Some(Score {
                        criterion_id: Uuid::parse_str(k).ok()?,
                        score: *v,
                    })
                })
                .collect(),
            weighted_score: weighted,
            allowed_actions,
            status: status.into(),
            submitted_at: row.submitted_at.map(utc),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            conflict_declared_at: row.conflict_declared_at.map(utc),
            id: row.id.to_string(),
            application_id: row.application.to_string(),
            reviewer_user_id: row.reviewer.to_string(),
            conflict_of_interest: row.conflict_of_interest,
            conflict_note: row.conflict_note,
            comment: row.comment,
        }
    }
}

impl From<Ranked<Application<NaiveDateTime>>> for RankingEntry {
    fn from(r: Ranked<Application<NaiveDateTime>>) -> Self {
        let a = r.key;
        let requested = a.draft.requested;
        Self {
            rank: r.rank,
            application_id: a.id.to_string(),
            applicant_organization_id: a.applicant.to_string(),
            title: a.draft.title.into(),
            requested: Money::from_minor(requested.minor(), requested.currency()),
            status: a.status.into(),
            score: r.score,
            review_count: r.reviews,
        }
    }
}
