//! Recommendations (handlers only; use cases in `service::recommendations`): made at meetings
//! by their organisers, read by whoever sees the meeting and by the addressee's members,
//! moved through `proposed → under_consideration → adopted | rejected`, `adopted →
//! implemented` with their history, linked to grants and indicators, counted per meeting and
//! addressee, and endorsed by organisations once each.

mod dto;

pub use dto::*;

use crate::auth::{Caller, MaybeCaller};
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::recommendations::{self as uc, Seen};
use crate::state::State;
use crate::wire::Timestamp;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use seriktes_domain::ids::{MeetingId, OrganizationId, RecommendationId};
use seriktes_domain::recommendation::{
    ChangeInput, Links, RecommendationAction, RecommendationInput,
};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_recommendation)
        .service(list_meeting_recommendations)
        .service(meeting_statistics)
        .service(addressee_statistics)
        .service(list_recommendations)
        .service(get_recommendation)
        .service(set_links)
        .service(consider_recommendation)
        .service(adopt_recommendation)
        .service(reject_recommendation)
        .service(implement_recommendation)
        .service(recommendation_history)
        .service(endorse_recommendation)
        .service(list_endorsements)
        .service(withdraw_endorsement);
}

fn tagged(s: Seen) -> Tagged<RecommendationResponse> {
    let version = s.recommendation.version;
    Tagged::ok(s.into(), version)
}

/// Record a recommendation made at a planned or held meeting (its organisers' owners and
/// managers): its text, proposing organisations, addressee, theme and links. 409 once the
/// minutes are published or the meeting is cancelled.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = CreateRecommendationRequest,
    responses(
        (status = 201, description = "Recorded, `proposed`.", body = RecommendationResponse, headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/meetings/{id}/recommendations")]
pub async fn create_recommendation(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CreateRecommendationRequest>,
) -> Result<Tagged<RecommendationResponse>, ApiError> {
    let meeting = MeetingId::from_uuid(id.into_inner());
    let input = RecommendationInput::try_from(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::create(tx, actor, meeting, input.clone(), now)
        })
        .await?;
    let version = s.recommendation.version;
    let location = format!("/api/v1/recommendations/{}", s.recommendation.id);
    Ok(Tagged::created(s.into(), version, location))
}

/// A meeting's recommendations, oldest first (whoever sees the meeting; no sign-in for a
/// public one).
#[utoipa::path(
    tag = "recommendations",
    params(("id" = Uuid, Path, description = "Meeting id"), PageParams, MeetingRecommendationParams),
    responses(
        (status = 200, description = "One page of recommendations.", body = Paginated<RecommendationResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/meetings/{id}/recommendations")]
pub async fn list_meeting_recommendations(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<MeetingRecommendationParams>,
) -> Result<Paginated<RecommendationResponse>, ApiError> {
    let query = filter.0.of(MeetingId::from_uuid(id.into_inner()));
    let page = page.0.to_request()?;
    let p = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::list(conn, actor, &query, &page)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(RecommendationResponse::from(s)))
}

/// The recommendations the caller may see (anonymous callers: those of public meetings;
/// members of an addressee: those addressed to it too), oldest first.
#[utoipa::path(
    tag = "recommendations",
    params(PageParams, RecommendationListParams),
    responses(
        (status = 200, description = "One page of recommendations.", body = Paginated<RecommendationResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/recommendations")]
pub async fn list_recommendations(
    state: State,
    caller: MaybeCaller,
    page: Query<PageParams>,
    filter: Query<RecommendationListParams>,
) -> Result<Paginated<RecommendationResponse>, ApiError> {
    let query = filter.0.into();
    let page = page.0.to_request()?;
    let p = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::list(conn, actor, &query, &page)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(RecommendationResponse::from(s)))
}

/// Get a recommendation (whoever sees its meeting, and the addressee's members).
#[utoipa::path(
    tag = "recommendations",
    params(("id" = Uuid, Path, description = "Recommendation id")),
    responses(
        (status = 200, description = "The recommendation.", body = RecommendationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/recommendations/{id}")]
pub async fn get_recommendation(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<Tagged<RecommendationResponse>, ApiError> {
    let id = RecommendationId::from_uuid(id.into_inner());
    let s = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::get(conn, actor, id)
        })
        .await?;
    Ok(tagged(s))
}

/// Replace the grants and indicators linked to a recommendation (the meeting's organisers and
/// the addressee's owners and managers), at any status.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Recommendation id"), ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if it changed since")),
    request_body = LinksRequest,
    responses(
        (status = 200, description = "The recommendation with its new links.", body = RecommendationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("/recommendations/{id}/links")]
pub async fn set_links(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<LinksRequest>,
) -> Result<Tagged<RecommendationResponse>, ApiError> {
    let id = RecommendationId::from_uuid(id.into_inner());
    let links = Links::try_from(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::set_links(tx, actor, id, links.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Moves a recommendation by `action`, recording the change.
async fn act(
    state: State,
    caller: Caller,
    id: Uuid,
    if_match: Option<i64>,
    action: RecommendationAction,
    body: ChangeRequest,
) -> Result<Tagged<RecommendationResponse>, ApiError> {
    let id = RecommendationId::from_uuid(id);
    let input = ChangeInput::try_from(body)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::act(tx, actor, id, action, input.clone(), if_match, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Take a proposed recommendation under consideration (the meeting's organisers and the
/// addressee's owners and managers), with a note.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Recommendation id"), ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if it changed since")),
    request_body = ChangeRequest,
    responses(
        (status = 200, description = "Moved; the change is in its history.", body = RecommendationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/recommendations/{id}/consider")]
pub async fn consider_recommendation(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ChangeRequest>,
) -> Result<Tagged<RecommendationResponse>, ApiError> {
    let action = RecommendationAction::Consider;
    act(state, caller, id.into_inner(), if_match.0, action, body.0).await
}

/// Adopt a recommendation under consideration (the meeting's organisers and the addressee's
/// owners and managers), with a note and, if any, evidence.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Recommendation id"), ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if it changed since")),
    request_body = ChangeRequest,
    responses(
        (status = 200, description = "Moved; the change is in its history.", body = RecommendationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/recommendations/{id}/adopt")]
pub async fn adopt_recommendation(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ChangeRequest>,
) -> Result<Tagged<RecommendationResponse>, ApiError> {
    let action = RecommendationAction::Adopt;
    act(state, caller, id.into_inner(), if_match.0, action, body.0).await
}

/// Reject a recommendation under consideration (the meeting's organisers and the addressee's
/// owners and managers), with a note.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Recommendation id"), ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if it changed since")),
    request_body = ChangeRequest,
    responses(
        (status = 200, description = "Moved; the change is in its history.", body = RecommendationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/recommendations/{id}/reject")]
pub async fn reject_recommendation(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ChangeRequest>,
) -> Result<Tagged<RecommendationResponse>, ApiError> {
    let action = RecommendationAction::Reject;
    act(state, caller, id.into_inner(), if_match.0, action, body.0).await
}

/// Mark an adopted recommendation implemented (the meeting's organisers and the addressee's
/// owners and managers): `evidence_url` is required (422 without).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Recommendation id"), ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if it changed since")),
    request_body = ChangeRequest,
    responses(
        (status = 200, description = "Moved; the change is in its history.", body = RecommendationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/recommendations/{id}/implement")]
pub async fn implement_recommendation(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ChangeRequest>,
) -> Result<Tagged<RecommendationResponse>, ApiError> {
    let action = RecommendationAction::Implement;
    act(state, caller, id.into_inner(), if_match.0, action, body.0).await
}

/// A recommendation's history: every status change with its day, note, evidence, author and
/// acting organisation, oldest first (whoever sees the recommendation). Changes are never
/// edited: `updated_since` keeps those recorded since then.
#[utoipa::path(
    tag = "recommendations",
    params(("id" = Uuid, Path, description = "Recommendation id"), PageParams, SinceParams),
    responses(
        (status = 200, description = "One page of changes.", body = Paginated<RecommendationChangeResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/recommendations/{id}/history")]
pub async fn recommendation_history(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    since: Query<SinceParams>,
) -> Result<Paginated<RecommendationChangeResponse>, ApiError> {
    let id = RecommendationId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let since = since.0.updated_since.map(Timestamp::get);
    let p = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::history(conn, actor, id, since, &page)
        })
        .await?;
    Paginated::try_from_page(p, |c| Ok(RecommendationChangeResponse::from(c)))
}

/// How many recommendations a meeting made and where they stand (whoever sees the meeting;
/// no sign-in for a public one). A computed view, not a list.
#[utoipa::path(
    tag = "recommendations",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "The counts.", body = RecommendationStatistics),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/meetings/{id}/recommendation-statistics")]
pub async fn meeting_statistics(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<web::Json<RecommendationStatistics>, ApiError> {
    let id = MeetingId::from_uuid(id.into_inner());
    let s = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::meeting_statistics(conn, actor, id)
        })
        .await?;
    Ok(web::Json(s.into()))
}

/// How many recommendations are addressed to an organisation and where they stand, counting
/// only those the caller may see (anonymous callers: those of public meetings).
#[utoipa::path(
    tag = "recommendations",
    params(("id" = Uuid, Path, description = "Organisation id (the addressee)")),
    responses(
        (status = 200, description = "The counts.", body = RecommendationStatistics),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/organizations/{id}/recommendation-statistics")]
pub async fn addressee_statistics(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<web::Json<RecommendationStatistics>, ApiError> {
    let id = OrganizationId::from_uuid(id.into_inner());
    let s = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::addressee_statistics(conn, actor, id)
        })
        .await?;
    Ok(web::Json(s.into()))
}

/// Endorse a recommendation on behalf of an organisation (its owners and managers, and
/// admins): once; the second time is 409.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Recommendation id")),
    request_body = EndorseRequest,
    responses(
        (status = 201, description = "Endorsed; the recommendation with its new count.", body = RecommendationResponse, headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/recommendations/{id}/endorsements")]
pub async fn endorse_recommendation(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<EndorseRequest>,
) -> Result<Tagged<RecommendationResponse>, ApiError> {
    let id = RecommendationId::from_uuid(id.into_inner());
    let org = OrganizationId::from_uuid(body.0.organization_id);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::endorse(tx, actor, id, org, now)
        })
        .await?;
    let version = s.recommendation.version;
    let location = format!("/api/v1/recommendations/{id}/endorsements");
    Ok(Tagged::created(s.into(), version, location))
}

/// The organisations endorsing a recommendation, in the order they endorsed (whoever sees
/// the recommendation; no sign-in for one of a public meeting). With `updated_since`, every
/// endorsement made or withdrawn since then, withdrawn ones with their `withdrawn_at`, so that
/// a syncing client learns of withdrawals too.
#[utoipa::path(
    tag = "recommendations",
    params(("id" = Uuid, Path, description = "Recommendation id"), PageParams, SinceParams),
    responses(
        (status = 200, description = "One page of endorsements.", body = Paginated<EndorsementResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/recommendations/{id}/endorsements")]
pub async fn list_endorsements(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    since: Query<SinceParams>,
) -> Result<Paginated<EndorsementResponse>, ApiError> {
    let id = RecommendationId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let since = since.0.updated_since.map(Timestamp::get);
    let p = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::endorsements(conn, actor, id, since, &page)
        })
        .await?;
    Paginated::try_from_page(p, |e| Ok(EndorsementResponse::from(e)))
}

/// Withdraw an organisation's endorsement (its owners and managers, and admins); it may
/// endorse again later. 404 when it does not endorse the recommendation.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Recommendation id"), ("organization_id" = Uuid, Path, description = "The endorsing organisation")),
    responses(
        (status = 204, description = "Withdrawn."),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/recommendations/{id}/endorsements/{organization_id}")]
pub async fn withdraw_endorsement(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, org) = path.into_inner();
    let (id, org) = (
        RecommendationId::from_uuid(id),
        OrganizationId::from_uuid(org),
    );
    state
        .write_as(&caller, move |tx, actor, now| {
            uc::withdraw(tx, actor, id, org, now)
        })
        .await?;
    Ok(HttpResponse::new(StatusCode::NO_CONTENT))
}
