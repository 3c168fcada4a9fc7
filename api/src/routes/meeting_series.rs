//! Meeting series (handlers only; use cases in `service::meeting_series`): create a recurring
//! meeting from a meeting's fields and an RFC 5545 rule (every occurrence becomes a meeting of
//! its own, listed with `GET /meetings?series_id=`), read and list series, and check a series'
//! compliance. Public series are readable without signing in; a participants-only series is
//! 404 to everyone but its organisers' and participants' members (and admins).

mod dto;

pub use dto::*;

use crate::auth::{Caller, MaybeCaller};
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::meeting_series::{self as uc, NewSeriesInput, SeriesSeen};
use crate::state::State;
use actix_web::{get, post, web};
use seriktes_domain::ids::MeetingSeriesId;
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_meeting_series)
        .service(list_meeting_series)
        .service(get_meeting_series)
        .service(meeting_series_compliance)
        .service(cancel_meeting_series);
}

fn tagged(s: SeriesSeen) -> Tagged<MeetingSeriesResponse> {
    let version = s.series.version;
    Tagged::ok(s.into(), version)
}

/// Create a meeting series (admins, and owners and managers of one of its organisers): the
/// rule is read in the series' time zone from `starts_at`, which must be its first occurrence;
/// every occurrence is created at once as a `planned` meeting with `series_id` set.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    request_body = CreateMeetingSeriesRequest,
    responses(
        (status = 201, description = "Created with its meetings; `Location` names it.", body = MeetingSeriesResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[post("/meeting-series")]
pub async fn create_meeting_series(
    state: State,
    caller: Caller,
    body: Json<CreateMeetingSeriesRequest>,
) -> Result<Tagged<MeetingSeriesResponse>, ApiError> {
    let input = NewSeriesInput::try_from(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::create(tx, actor, input.clone(), now)
        })
        .await?;
    let (version, location) = (
        s.series.version,
        format!("/api/v1/meeting-series/{}", s.series.id),
    );
    Ok(Tagged::created(s.into(), version, location))
}

/// List the meeting series the caller may see (anonymous callers: public ones), oldest first.
#[utoipa::path(
    tag = "meetings",
    params(PageParams, MeetingSeriesListParams),
    responses(
        (status = 200, description = "One page of series.", body = Paginated<MeetingSeriesResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/meeting-series")]
pub async fn list_meeting_series(
    state: State,
    caller: MaybeCaller,
    page: Query<PageParams>,
    filter: Query<MeetingSeriesListParams>,
) -> Result<Paginated<MeetingSeriesResponse>, ApiError> {
    let page = page.0.to_request()?;
    let since = filter.0.updated_since.map(|t| t.get());
    let p = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::list(conn, actor, since, &page)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(MeetingSeriesResponse::from(s)))
}

/// Get a meeting series with its meetings' ids (anonymous callers: public series only).
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Series id")),
    responses(
        (status = 200, description = "The series.", body = MeetingSeriesResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/meeting-series/{id}")]
pub async fn get_meeting_series(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<Tagged<MeetingSeriesResponse>, ApiError> {
    let id = MeetingSeriesId::from_uuid(id.into_inner());
    let s = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::get(conn, actor, id)
        })
        .await?;
    Ok(tagged(s))
}

/// Whether a series kept its rule, for whoever may read it (anonymous callers: public
/// series): for each period of the rule's frequency (a day, an ISO week, a calendar month or
/// a year in the series' time zone) that the rule schedules a meeting in and that overlaps
/// `from`–`to`, the series' meetings that start in it, whether one was held, whether its
/// minutes are published, and the verdict as of today; with totals.
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Series id"), ComplianceParams),
    responses(
        (status = 200, description = "The compliance view.", body = ComplianceResponse),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/meeting-series/{id}/compliance")]
pub async fn meeting_series_compliance(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
    window: Query<ComplianceParams>,
) -> Result<web::Json<ComplianceResponse>, ApiError> {
    let id = MeetingSeriesId::from_uuid(id.into_inner());
    let window = (window.0.from.map(|d| d.get()), window.0.to.map(|d| d.get()));
    let c = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, now| {
            uc::compliance_of(conn, actor, id, window, now)
        })
        .await?;
    Ok(web::Json(c.into()))
}

/// Cancel what remains of a series, with a reason (its organisers' owners and managers): every
/// occurrence still `planned` that has not started yet is cancelled, in one transaction.
/// Occurrences held, cancelled or already past stay as they are.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Series id"), ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the series changed since")),
    request_body = CancelSeriesRequest,
    responses(
        (status = 200, description = "The series; its remaining meetings are cancelled.", body = MeetingSeriesResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/meeting-series/{id}/cancel")]
pub async fn cancel_meeting_series(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CancelSeriesRequest>,
) -> Result<Tagged<MeetingSeriesResponse>, ApiError> {
    let id = MeetingSeriesId::from_uuid(id.into_inner());
    let why = reason(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::cancel(tx, actor, id, &why, if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}
