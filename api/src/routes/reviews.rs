//! Expert review: the programme's managers assign committee members to submitted
//! applications; each reviewer declares that they have no conflict of interest (or declares
//! one and is recused), scores every criterion and submits. Only the reviewer sees a review
//! until the call is decided; then the programme's managers see all of them. The ranking
//! orders applications by the weighted mean of their submitted, declared reviews.

mod dto;

pub use dto::{
    AssignReviewRequest, AssignmentResult, RankingEntry, RankingResponse, RecuseRequest,
    ReviewListParams, ReviewResponse, Score, UpdateReviewRequest,
};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::reviews as uc;
use crate::state::State;
use actix_web::{get, patch, post, web};
use seriktes_domain::ids::{ApplicationId, CallId, ReviewId, UserId};
use seriktes_domain::review::{MAX_COMMENT_CHARS, ReviewStatus};
use seriktes_domain::user::parse_line;
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(assign_review)
        .service(assign_call_reviews)
        .service(list_reviews)
        .service(get_review)
        .service(update_review)
        .service(declare_no_conflict)
        .service(submit_review)
        .service(recuse_review)
        .service(call_ranking);
}

fn tagged(seen: uc::Seen) -> Result<(ReviewResponse, i64), ApiError> {
    let version = seen.review.version;
    Ok((seen.into(), version))
}

/// A comment or note (`field`): up to `MAX_COMMENT_CHARS` characters as sent, no control
/// characters.
fn parse_comment(field: &str, c: &str) -> Result<String, ApiError> {
    if c.chars().count() > MAX_COMMENT_CHARS {
        return Err(ApiError::invalid(
            field,
            "max_length",
            format!("at most {MAX_COMMENT_CHARS} characters"),
        ));
    }
    let t = c.trim();
    // Reuse the single-line rules on each line so control characters are refused.
    for line in t.lines() {
        if !line.trim().is_empty() {
            parse_line(line, MAX_COMMENT_CHARS).map_err(|_| {
                ApiError::invalid(field, "format", "may not contain control characters")
            })?;
        }
    }
    Ok(t.to_owned())
}

/// Declare that you have no conflict of interest with the applicant (the reviewer, before
/// scoring). Scores are refused, and the review cannot be submitted, until you do; a conflict
/// is declared with `recuse`. Declaring again keeps the first declaration.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Review id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Declared; `conflict_declared_at` is set.", body = ReviewResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/reviews/{id}/declare-no-conflict")]
pub async fn declare_no_conflict(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = ReviewId::from_uuid(id.into_inner());
    let (body, version) = state
        .write_as(&caller, move |tx, actor, now| {
            tagged(uc::declare_no_conflict(tx, actor, id, if_match.0, now)?)
        })
        .await?;
    Ok(Tagged::ok(body, version))
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
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<AssignReviewRequest>,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = ApplicationId::from_uuid(id.into_inner());
    let reviewer = UserId::from_uuid(body.0.reviewer_user_id);
    let (body, version) = state
        .write_as(&caller, move |tx, actor, now| {
            tagged(uc::assign(tx, actor, id, reviewer, now)?)
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
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/calls/{id}/assign-reviews")]
pub async fn assign_call_reviews(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<AssignmentResult>, ApiError> {
    let id = CallId::from_uuid(id.into_inner());
    let (assigned, skipped_conflicts) = state
        .write_as(&caller, move |tx, actor, now| {
            uc::assign_call(tx, actor, id, now)
        })
        .await?;
    Ok(web::Json(AssignmentResult {
        assigned,
        skipped_conflicts,
    }))
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
    caller: Caller,
    page: Query<PageParams>,
    filter: Query<ReviewListParams>,
) -> Result<Paginated<ReviewResponse>, ApiError> {
    let page = page.0.to_request()?;
    let f = filter.0;
    let filter = uc::ListFilter {
        call: f.call_id.map(CallId::from_uuid),
        application: f.application_id.map(ApplicationId::from_uuid),
        status: f.status.map(ReviewStatus::from),
    };
    let p = state
        .read_as(&caller, move |conn, actor, now| {
            uc::list(conn, actor, &filter, &page, now)
        })
        .await?;
    let data = p.items.into_iter().map(Into::into).collect();
    Ok(Paginated::from_parts(data, p.next_after.as_deref()))
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
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = ReviewId::from_uuid(id.into_inner());
    let (body, version) = state
        .read_as(&caller, move |conn, actor, now| {
            tagged(uc::get(conn, actor, id, now)?)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Score criteria and comment (the reviewer, while the review is assigned). Scores need a
/// declaration of no conflict of interest first (422 `declaration_required`).
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
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateReviewRequest>,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = ReviewId::from_uuid(id.into_inner());
    let r = body.0;
    let scores = r.scores()?;
    let comment = match r.comment.as_deref() {
        Some(c) if c.trim().is_empty() => Some(None),
        Some(c) => Some(Some(parse_comment("comment", c)?)),
        None => None,
    };
    let (body, version) = state
        .write_as(&caller, move |tx, actor, now| {
            tagged(uc::score(
                tx,
                actor,
                id,
                scores.clone(),
                comment.clone(),
                if_match.0,
                now,
            )?)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Submit a review (the reviewer) once they have declared no conflict of interest and scored
/// every criterion; a 422 names each rule that fails (`conflict_declared_at`
/// `declaration_required`, `scores.<criterion>` `required`).
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
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = ReviewId::from_uuid(id.into_inner());
    let (body, version) = state
        .write_as(&caller, move |tx, actor, now| {
            tagged(uc::submit(tx, actor, id, if_match.0, now)?)
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
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<RecuseRequest>,
) -> Result<Tagged<ReviewResponse>, ApiError> {
    let id = ReviewId::from_uuid(id.into_inner());
    let note = body.0.note.as_deref();
    let note = note.map(|n| parse_comment("note", n)).transpose()?;
    let (body, version) = state
        .write_as(&caller, move |tx, actor, now| {
            tagged(uc::recuse(tx, actor, id, note.clone(), if_match.0, now)?)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// The ranking of a call's submitted applications by the weighted mean of their submitted
/// reviews whose reviewer declared no conflict of interest (the programme's managers).
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
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<RankingResponse>, ApiError> {
    let call = CallId::from_uuid(id.into_inner());
    let ranked = state
        .read_as(&caller, move |conn, actor, _| {
            uc::ranking(conn, actor, call)
        })
        .await?;
    Ok(web::Json(RankingResponse {
        call_id: call.to_string(),
        data: ranked.into_iter().map(Into::into).collect(),
    }))
}
