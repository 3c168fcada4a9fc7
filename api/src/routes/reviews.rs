//! Expert review: the programme's managers assign committee members to submitted
//! applications; each reviewer scores every criterion (or declares a conflict of interest and
//! is recused) and submits. Only the reviewer sees a review until the call is decided; then the
//! programme's managers see all of them. The ranking orders applications by the weighted mean
//! of their submitted reviews.

use crate::audit;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::legacy_access::actor_for;
use crate::response::{PageParams, Paginated, Tagged, utc};
use crate::state::{State, now};
use crate::wire::{
    ApplicationStatus as WireAppStatus, LocalizedText, Money, ReviewStatus as WireStatus,
    from_json, json,
};
use actix_web::{get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::DomainError;
use seriktes_domain::application::{ApplicationAction, ApplicationStatus};
use seriktes_domain::call::CallStatus;
use seriktes_domain::membership::OrgActor;
use seriktes_domain::money::Currency;
use seriktes_domain::review::{
    Criterion, ReviewAction, ReviewStatus, check_scores, missing_scores, rank, weighted_percent,
};
use seriktes_domain::user::parse_line;
use seriktes_persistence::applications::{self, ApplicationRow};
use seriktes_persistence::calls::{self, CallRow, CriterionRow};
use seriktes_persistence::reviews::{self, NewReviewRow, ReviewChanges, ReviewFilter, ReviewRow};
use seriktes_persistence::{DbConn, memberships, programmes};
use std::collections::BTreeMap;
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
    "conflict_of_interest": false, "conflict_note": null,
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
    /// Whether the reviewer declared a conflict of interest (and is recused).
    pub conflict_of_interest: bool,
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
    pub title: LocalizedText,
    /// Amount requested.
    pub requested: Money,
    /// The application's status.
    pub status: WireAppStatus,
    /// Mean weighted score of submitted reviews, percent with two decimals.
    pub score: Option<f64>,
    /// Submitted reviews counted.
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

fn criteria_of(rows: &[CriterionRow]) -> Vec<Criterion<'_>> {
    rows.iter()
        .map(|c| Criterion {
            id: &c.id,
            weight: c.weight,
            max_score: c.max_score,
        })
        .collect()
}

/// Whether the caller manages the programme of a call.
pub(crate) fn manages_call(
    conn: &mut DbConn,
    caller: &CurrentUser,
    call: &CallRow,
) -> Result<bool, ApiError> {
    let programme = programmes::find(conn, &call.programme_id)?;
    Ok(
        actor_for(conn, caller, &programme.managing_organization_id)?
            .is_some_and(OrgActor::can_edit_organization),
    )
}

/// A review with everything needed to judge access.
struct Context {
    review: ReviewRow,
    call: CallRow,
    criteria: Vec<CriterionRow>,
}

/// Loads a review the caller may see: their own, or (once the call is decided) any review of
/// a call they manage; admins see all. Else 404.
fn load(conn: &mut DbConn, caller: &CurrentUser, id: &str) -> Result<Context, ApiError> {
    let review = reviews::find(conn, id)?;
    let application = applications::find(conn, &review.application_id)?;
    let call = calls::find(conn, &application.call_id)?;
    let own = review.reviewer_user_id == caller.id();
    if !(own
        || caller.is_admin()
        || (call.status == "decided" && manages_call(conn, caller, &call)?))
    {
        return Err(ApiError::NotFound);
    }
    let criteria = calls::criteria_of(conn, std::slice::from_ref(&call.id))?;
    Ok(Context {
        review,
        call,
        criteria,
    })
}

fn response(
    row: ReviewRow,
    criteria: &[CriterionRow],
    caller: &CurrentUser,
) -> Result<ReviewResponse, ApiError> {
    let scores: BTreeMap<String, i32> = from_json(&row.scores)?;
    let status = ReviewStatus::parse(&row.status).map_err(ApiError::internal)?;
    let weighted =
        weighted_percent(&criteria_of(criteria), &scores).map(|p| (p * 100.0).round() / 100.0);
    Ok(ReviewResponse {
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
        allowed_actions: if row.reviewer_user_id == caller.id() {
            status
                .allowed_actions()
                .into_iter()
                .map(str::to_owned)
                .collect()
        } else {
            Vec::new()
        },
        status: status.into(),
        submitted_at: row.submitted_at.map(utc),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        id: row.id,
        application_id: row.application_id,
        reviewer_user_id: row.reviewer_user_id,
        conflict_of_interest: row.conflict_of_interest,
        conflict_note: row.conflict_note,
        comment: row.comment,
    })
}

/// Assigns one reviewer to one application, moving it to `under_review`. Refuses reviewers
/// outside the committee and members of the applicant.
fn assign(
    conn: &mut DbConn,
    caller: &CurrentUser,
    app: &ApplicationRow,
    call: &CallRow,
    reviewer: &str,
) -> Result<ReviewRow, ApiError> {
    if !calls::is_committee_member(conn, &call.id, reviewer)? {
        return Err(ApiError::invalid(
            "reviewer_user_id",
            "not_committee",
            "the reviewer is not on the call's committee",
        ));
    }
    if memberships::find(conn, &app.applicant_organization_id, reviewer)?.is_some() {
        return Err(ApiError::invalid(
            "reviewer_user_id",
            "conflict_of_interest",
            "the reviewer belongs to the applicant",
        ));
    }
    if reviews::exists(conn, &app.id, reviewer)? {
        return Err(ApiError::conflict(
            "This reviewer is already assigned to this application.",
        ));
    }
    let at = now();
    let status = ApplicationStatus::parse(&app.status).map_err(ApiError::internal)?;
    match status {
        ApplicationStatus::Submitted => {
            let to = status.apply(ApplicationAction::BeginReview)?;
            applications::set_status(conn, app, None, to.as_str(), None, at)?;
        }
        ApplicationStatus::UnderReview => {}
        other => {
            return Err(DomainError::InvalidTransition {
                entity: "application",
                action: "review",
                from: other.as_str(),
                allowed: other.allowed_actions(),
            }
            .into());
        }
    }
    let id = Uuid::now_v7().to_string();
    reviews::insert(
        conn,
        &NewReviewRow {
            id: &id,
            application_id: &app.id,
            reviewer_user_id: reviewer,
            status: "assigned",
            created_at: at,
            updated_at: at,
        },
    )?;
    audit::record(
        conn,
        Some(caller.id()),
        "review.assign",
        ("application", &app.id),
        format!("assigned reviewer {reviewer}"),
    )?;
    Ok(reviews::find(conn, &id)?)
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(assign_review)
        .service(assign_call_reviews)
        .service(list_reviews)
        .service(get_review)
        .service(update_review)
        .service(submit_review)
        .service(recuse_review)
        .service(call_ranking);
}

/// Assign a committee member to a submitted application (the programme's managers).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = AssignReviewRequest,
    responses(
        (status = 201, description = "Assigned.", body = ReviewResponse, headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/applications/{id}/reviews")]
pub async fn assign_review(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    body: Json<AssignReviewRequest>,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let reviewer = body.0.reviewer_user_id.to_string();
    let (body, version) = state
        .write(move |conn| {
            let app = applications::find(conn, &id)?;
            let call = calls::find(conn, &app.call_id)?;
            if app.status == "draft" {
                return Err(ApiError::NotFound);
            }
            if !manages_call(conn, &caller, &call)? {
                return Err(ApiError::NotFound);
            }
            let row = assign(conn, &caller, &app, &call, &reviewer)?;
            let criteria = calls::criteria_of(conn, std::slice::from_ref(&call.id))?;
            let version = row.version;
            Ok((response(row, &criteria, &caller)?, version))
        })
        .await?;
    let location = format!("/api/v1/reviews/{}", body.id);
    Ok(Tagged::created(body, version, location))
}

/// Assign every committee member to every submitted application of a call that they do not
/// review yet (the programme's managers). Members of an applicant are skipped for its application.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id")),
    responses(
        (status = 200, description = "Assignments made.", body = AssignmentResult),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/calls/{id}/assign-reviews")]
pub async fn assign_call_reviews(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<AssignmentResult>, ApiError> {
    let id = id.into_inner().to_string();
    let result = state
        .write(move |conn| {
            let call = calls::find(conn, &id)?;
            if !manages_call(conn, &caller, &call)? {
                return Err(ApiError::NotFound);
            }
            let committee: Vec<String> = calls::committee_of(conn, std::slice::from_ref(&id))?
                .into_iter()
                .map(|(_, u)| u)
                .collect();
            let apps = applications::of_call(conn, &id)?;
            let (mut assigned, mut skipped) = (0, 0);
            for app in apps
                .iter()
                .filter(|a| matches!(a.status.as_str(), "submitted" | "under_review"))
            {
                for reviewer in &committee {
                    if reviews::exists(conn, &app.id, reviewer)? {
                        continue;
                    }
                    if memberships::find(conn, &app.applicant_organization_id, reviewer)?.is_some()
                    {
                        skipped += 1;
                        continue;
                    }
                    let fresh = applications::find(conn, &app.id)?;
                    assign(conn, &caller, &fresh, &call, reviewer)?;
                    assigned += 1;
                }
            }
            Ok(AssignmentResult {
                assigned,
                skipped_conflicts: skipped,
            })
        })
        .await?;
    Ok(web::Json(result))
}

/// List reviews: your own; with `call_id` of a decided call you manage, all of its reviews.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(PageParams, ReviewListParams),
    responses(
        (status = 200, description = "One page of reviews.", body = Paginated<ReviewResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/reviews")]
pub async fn list_reviews(
    state: State,
    caller: CurrentUser,
    page: Query<PageParams>,
    filter: Query<ReviewListParams>,
) -> Result<web::Json<Paginated<ReviewResponse>>, ApiError> {
    let page = page.0.to_request()?;
    let f = filter.0;
    let body = state
        .read(move |conn| {
            let call_id = f.call_id.map(|c| c.to_string());
            let sees_all = match &call_id {
                _ if caller.is_admin() => true,
                Some(c) => {
                    let call = calls::find(conn, c).ok();
                    match call {
                        Some(call) => {
                            call.status == "decided" && manages_call(conn, &caller, &call)?
                        }
                        None => false,
                    }
                }
                None => false,
            };
            let filter = ReviewFilter {
                reviewer_user_id: (!sees_all).then(|| caller.id().to_owned()),
                application_id: f.application_id.map(|a| a.to_string()),
                call_id,
                status: f.status.map(|s| ReviewStatus::from(s).as_str().to_owned()),
                updated_since: None,
            };
            let p = reviews::list(conn, &filter, &page)?;
            let next = p.next_after.clone();
            // Two queries for the whole page: the applications' calls, then their criteria.
            let app_ids: Vec<String> = p.items.iter().map(|r| r.application_id.clone()).collect();
            let call_of = applications::call_ids_of(conn, &app_ids)?;
            let call_ids: Vec<String> = call_of.iter().map(|(_, c)| c.clone()).collect();
            let criteria = calls::criteria_of(conn, &call_ids)?;
            let mut data = Vec::with_capacity(p.items.len());
            for row in p.items {
                let call_id = call_of
                    .iter()
                    .find(|(a, _)| *a == row.application_id)
                    .map(|(_, c)| c.as_str());
                let own: Vec<CriterionRow> = criteria
                    .iter()
                    .filter(|c| Some(c.call_id.as_str()) == call_id)
                    .cloned()
                    .collect();
                data.push(response(row, &own, &caller)?);
            }
            Ok(Paginated::from_parts(data, next.as_deref()))
        })
        .await?;
    Ok(web::Json(body))
}

/// Get a review (its reviewer; the programme's managers once the call is decided).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Review id")),
    responses(
        (status = 200, description = "The review.", body = ReviewResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/reviews/{id}")]
pub async fn get_review(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let (body, version) = state
        .read(move |conn| {
            let ctx = load(conn, &caller, &id)?;
            let version = ctx.review.version;
            Ok((response(ctx.review, &ctx.criteria, &caller)?, version))
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Loads a review for a change by its reviewer, in the given action's allowed states.
fn load_own(
    conn: &mut DbConn,
    caller: &CurrentUser,
    id: &str,
    action: ReviewAction,
    verb: &'static str,
) -> Result<Context, ApiError> {
    let ctx = load(conn, caller, id)?;
    if ctx.review.reviewer_user_id != caller.id() {
        return Err(ApiError::Forbidden(
            "Only the reviewer may change a review.".to_owned(),
        ));
    }
    let status = ReviewStatus::parse(&ctx.review.status).map_err(ApiError::internal)?;
    if status.apply(action).is_err() {
        return Err(DomainError::InvalidTransition {
            entity: "review",
            action: verb,
            from: status.as_str(),
            allowed: status.allowed_actions(),
        }
        .into());
    }
    let at = now();
    let call_status = CallStatus::parse(&ctx.call.status)
        .map_err(ApiError::internal)?
        .effective(&ctx.call.closes_at, &at);
    if call_status == CallStatus::Decided {
        return Err(ApiError::conflict(
            "The call is decided; its reviews are final.",
        ));
    }
    Ok(ctx)
}

/// Score criteria and comment (the reviewer, while the review is assigned).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Review id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateReviewRequest,
    responses(
        (status = 200, description = "Saved.", body = ReviewResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/reviews/{id}")]
pub async fn update_review(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateReviewRequest>,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let r = body.0;
    let (body, version) = state
        .write(move |conn| {
            // Scoring keeps the review `assigned`; it is allowed where submitting is.
            let ctx = load_own(conn, &caller, &id, ReviewAction::Submit, "score")?;
            let mut scores: BTreeMap<String, i32> = from_json(&ctx.review.scores)?;
            if let Some(new) = &r.scores {
                let pairs: Vec<(String, i32)> = new
                    .iter()
                    .map(|s| (s.criterion_id.to_string(), s.score))
                    .collect();
                scores.extend(check_scores(&criteria_of(&ctx.criteria), &pairs)?);
            }
            let comment = match r.comment.as_deref() {
                Some(c) if c.trim().is_empty() => None,
                Some(c) => Some(parse_line_long(c)?),
                None => ctx.review.comment.clone(),
            };
            let changes = ReviewChanges {
                scores: Some(json(&scores)),
                comment,
                ..ReviewChanges::default()
            };
            let row = reviews::update(conn, &ctx.review, if_match.0, &changes, now())?;
            let version = row.version;
            Ok((response(row, &ctx.criteria, &caller)?, version))
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// A comment: trimmed, at most 10 000 characters (line breaks allowed).
fn parse_line_long(c: &str) -> Result<String, ApiError> {
    let t = c.trim();
    if t.chars().count() > 10_000 {
        return Err(ApiError::invalid(
            "comment",
            "max_length",
            "at most 10000 characters",
        ));
    }
    // Reuse the single-line rules on each line so control characters are refused.
    for line in t.lines() {
        if !line.trim().is_empty() {
            parse_line(line, 10_000).map_err(|_| {
                ApiError::invalid("comment", "format", "may not contain control characters")
            })?;
        }
    }
    Ok(t.to_owned())
}

/// Submit a review once every criterion is scored (the reviewer).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Review id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Submitted.", body = ReviewResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[post("/reviews/{id}/submit")]
pub async fn submit_review(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let (body, version) = state
        .write(move |conn| {
            let ctx = load_own(conn, &caller, &id, ReviewAction::Submit, "submit")?;
            let scores: BTreeMap<String, i32> = from_json(&ctx.review.scores)?;
            let missing = missing_scores(&criteria_of(&ctx.criteria), &scores);
            if !missing.is_empty() {
                return Err(ApiError::Validation(
                    missing
                        .iter()
                        .map(|c| {
                            seriktes_domain::FieldError::new(
                                format!("scores.{c}"),
                                "required",
                                "this criterion has no score",
                            )
                        })
                        .collect(),
                ));
            }
            let at = now();
            let changes = ReviewChanges {
                status: Some("submitted".to_owned()),
                submitted_at: Some(at),
                ..ReviewChanges::default()
            };
            let row = reviews::update(conn, &ctx.review, if_match.0, &changes, at)?;
            audit::record(
                conn,
                Some(caller.id()),
                "review.submit",
                ("review", &id),
                "submitted review".to_owned(),
            )?;
            let version = row.version;
            Ok((response(row, &ctx.criteria, &caller)?, version))
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Declare a conflict of interest: the reviewer is recused and may no longer score.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Review id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = RecuseRequest,
    responses(
        (status = 200, description = "Recused.", body = ReviewResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/reviews/{id}/recuse")]
pub async fn recuse_review(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<RecuseRequest>,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let note = body.0.note;
    let (body, version) = state
        .write(move |conn| {
            let ctx = load_own(conn, &caller, &id, ReviewAction::Recuse, "recuse")?;
            let note = note.as_deref().map(parse_line_long).transpose()?;
            let changes = ReviewChanges {
                status: Some("recused".to_owned()),
                conflict_of_interest: Some(true),
                conflict_note: note,
                scores: Some("{}".to_owned()),
                ..ReviewChanges::default()
            };
            let row = reviews::update(conn, &ctx.review, if_match.0, &changes, now())?;
            audit::record(
                conn,
                Some(caller.id()),
                "review.recuse",
                ("review", &id),
                "declared a conflict of interest".to_owned(),
            )?;
            let version = row.version;
            Ok((response(row, &ctx.criteria, &caller)?, version))
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// The ranking of a call's submitted applications by the weighted mean of their submitted
/// reviews (the programme's managers).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id")),
    responses(
        (status = 200, description = "Best first.", body = RankingResponse),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/calls/{id}/ranking")]
pub async fn call_ranking(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<RankingResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let body = state
        .read(move |conn| {
            let call = calls::find(conn, &id)?;
            if !manages_call(conn, &caller, &call)? {
                return Err(ApiError::NotFound);
            }
            let criteria = calls::criteria_of(conn, std::slice::from_ref(&id))?;
            let criteria = criteria_of(&criteria);
            let all_reviews = reviews::of_call(conn, &id)?;
            let mut apps: Vec<ApplicationRow> = applications::of_call(conn, &id)?
                .into_iter()
                .filter(|a| {
                    matches!(
                        a.status.as_str(),
                        "submitted" | "under_review" | "awarded" | "rejected"
                    )
                })
                .collect();
            apps.sort_by(|a, b| (a.submitted_at, &a.id).cmp(&(b.submitted_at, &b.id)));
            let mut items = Vec::with_capacity(apps.len());
            for app in &apps {
                let mut percents = Vec::new();
                for r in all_reviews
                    .iter()
                    .filter(|r| r.application_id == app.id && r.status == "submitted")
                {
                    let scores: BTreeMap<String, i32> = from_json(&r.scores)?;
                    if let Some(p) = weighted_percent(&criteria, &scores) {
                        percents.push(p);
                    }
                }
                items.push((app, percents));
            }
            let data = rank(items)
                .into_iter()
                .map(|r| {
                    let app = r.key;
                    let currency = Currency::parse(&app.currency).map_err(ApiError::internal)?;
                    Ok(RankingEntry {
                        rank: r.rank,
                        application_id: app.id.clone(),
                        applicant_organization_id: app.applicant_organization_id.clone(),
                        title: LocalizedText(from_json(&app.title)?),
                        requested: Money::from_minor(app.requested_minor, currency),
                        status: ApplicationStatus::parse(&app.status)
                            .map_err(ApiError::internal)?
                            .into(),
                        score: r.score,
                        review_count: r.reviews,
                    })
                })
                .collect::<Result<_, ApiError>>()?;
            Ok(RankingResponse { call_id: id, data })
        })
        .await?;
    Ok(web::Json(body))
}
