//! Stakeholder meetings (handlers only; use cases in `service::meetings`): create, read, list,
//! edit a planned meeting, replace its agenda, hold or cancel it, and read meetings as
//! iCalendar. Public meetings are readable without signing in; a participants-only meeting is
//! 404 to everyone but its organisers' and participants' members (and admins).

mod calendar;
mod dto;

pub use dto::*;

use crate::auth::{Caller, MaybeCaller};
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::meetings::{self as uc, MeetingPatch, Seen};
use crate::service::transition::transition;
use crate::state::State;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use seriktes_domain::ids::MeetingId;
use seriktes_domain::meeting::{MeetingAction, MeetingInput};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    // One meeting's calendar is `/meetings/{id}/calendar.ics`: `/meetings/{id}.ics` would be
    // matched by `/meetings/{id}` too (a path segment `<uuid>.ics`), and answer its methods.
    cfg.service(meetings_calendar)
        .service(meeting_calendar)
        .service(create_meeting)
        .service(list_meetings)
        .service(get_meeting)
        .service(update_meeting)
        .service(set_agenda)
        .service(hold_meeting)
        .service(cancel_meeting);
}

fn tagged(s: Seen) -> Tagged<MeetingResponse> {
    let version = s.meeting.version;
    Tagged::ok(s.into(), version)
}

/// Create a meeting (admins, and owners and managers of one of its organisers); it starts
/// `planned`.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    request_body = CreateMeetingRequest,
    responses(
        (status = 201, description = "Created; `Location` names it.", body = MeetingResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[post("/meetings")]
pub async fn create_meeting(
    state: State,
    caller: Caller,
    body: Json<CreateMeetingRequest>,
) -> Result<Tagged<MeetingResponse>, ApiError> {
    let input = MeetingInput::try_from(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::create(tx, actor, input.clone(), now)
        })
        .await?;
    let (version, location) = (
        s.meeting.version,
        format!("/api/v1/meetings/{}", s.meeting.id),
    );
    Ok(Tagged::created(s.into(), version, location))
}

/// List the meetings the caller may see (anonymous callers: public ones), oldest first.
#[utoipa::path(
    tag = "meetings",
    params(PageParams, MeetingListParams),
    responses(
        (status = 200, description = "One page of meetings.", body = Paginated<MeetingResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/meetings")]
pub async fn list_meetings(
    state: State,
    caller: MaybeCaller,
    page: Query<PageParams>,
    filter: Query<MeetingListParams>,
) -> Result<Paginated<MeetingResponse>, ApiError> {
    let page = page.0.to_request()?;
    let query = filter.0.into();
    let p = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::list(conn, actor, &query, &page)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(MeetingResponse::from(s)))
}

/// Get a meeting (anonymous callers: public meetings only).
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "The meeting.", body = MeetingResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/meetings/{id}")]
pub async fn get_meeting(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<Tagged<MeetingResponse>, ApiError> {
    let id = MeetingId::from_uuid(id.into_inner());
    let s = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::get(conn, actor, id)
        })
        .await?;
    Ok(tagged(s))
}

/// Update a planned meeting (its organisers' owners and managers); held and cancelled
/// meetings cannot change (409).
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the meeting changed since"),
    ),
    request_body = UpdateMeetingRequest,
    responses(
        (status = 200, description = "The updated meeting.", body = MeetingResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/meetings/{id}")]
pub async fn update_meeting(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateMeetingRequest>,
) -> Result<Tagged<MeetingResponse>, ApiError> {
    let id = MeetingId::from_uuid(id.into_inner());
    let patch = MeetingPatch::try_from(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::update(tx, actor, id, patch.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Replace the agenda of a planned meeting (its organisers' owners and managers): at most 50
/// items, in order.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the meeting changed since"),
    ),
    request_body = AgendaRequest,
    responses(
        (status = 200, description = "The meeting with its new agenda.", body = MeetingResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("/meetings/{id}/agenda")]
pub async fn set_agenda(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<AgendaRequest>,
) -> Result<Tagged<MeetingResponse>, ApiError> {
    let id = MeetingId::from_uuid(id.into_inner());
    let items = agenda(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::set_agenda(tx, actor, id, items.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Moves a meeting by `action` (its organisers' owners and managers).
async fn move_meeting(
    state: State,
    caller: Caller,
    id: Uuid,
    if_match: Option<i64>,
    action: MeetingAction,
    reason: Option<String>,
) -> Result<Tagged<MeetingResponse>, ApiError> {
    let id = MeetingId::from_uuid(id);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            transition::<Seen>(tx, actor, id, action, reason.clone(), if_match, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Mark a planned meeting as held (its organisers' owners and managers).
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Meeting id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Now held.", body = MeetingResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/meetings/{id}/hold")]
pub async fn hold_meeting(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<MeetingResponse>, ApiError> {
    let id = id.into_inner();
    move_meeting(state, caller, id, if_match.0, MeetingAction::Hold, None).await
}

/// Cancel a planned meeting, with a reason (its organisers' owners and managers); a cancelled
/// meeting is final.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Meeting id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "Cancelled.", body = MeetingResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/meetings/{id}/cancel")]
pub async fn cancel_meeting(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CancelRequest>,
) -> Result<Tagged<MeetingResponse>, ApiError> {
    let reason = reason(body.0)?;
    let (id, action) = (id.into_inner(), MeetingAction::Cancel);
    move_meeting(state, caller, id, if_match.0, action, Some(reason)).await
}

/// Public meetings as an iCalendar feed, no sign-in: every public meeting that is not
/// cancelled and starts in the window (`from`, default 30 days ago; `to`), by start, at most
/// 500. `SUMMARY` is in the language `Accept-Language` asks for, else the first the title has.
#[utoipa::path(
    tag = "meetings",
    params(CalendarParams),
    responses(
        (status = 200, description = "An iCalendar document (RFC 5545), one `VEVENT` per meeting.",
            content_type = "text/calendar; charset=utf-8", body = MeetingCalendar),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 503, response = crate::openapi::ServiceUnavailable),
    )
)]
#[get("/meetings.ics")]
pub async fn meetings_calendar(
    state: State,
    req: HttpRequest,
    window: Query<CalendarParams>,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = (window.0.from.map(|t| t.get()), window.0.to.map(|t| t.get()));
    let meetings = state
        .read_maybe(None, move |conn, _, now| {
            uc::public_calendar(conn, from, to, now)
        })
        .await?;
    let body = calendar::render(&meetings, &calendar::languages(&req));
    Ok(HttpResponse::Ok()
        .content_type(calendar::CONTENT_TYPE)
        .body(body))
}

/// One meeting as iCalendar (`/meetings/{id}/calendar.ics`), for whoever may read the meeting (anonymous callers: public
/// meetings); a cancelled meeting has `STATUS:CANCELLED`.
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "An iCalendar document (RFC 5545) with the meeting's `VEVENT`.",
            content_type = "text/calendar; charset=utf-8", body = MeetingCalendar),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/meetings/{id}/calendar.ics")]
pub async fn meeting_calendar(
    state: State,
    caller: MaybeCaller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = MeetingId::from_uuid(id.into_inner());
    let s = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::get(conn, actor, id)
        })
        .await?;
    let body = calendar::render(&[s.meeting], &calendar::languages(&req));
    Ok(HttpResponse::Ok()
        .content_type(calendar::CONTENT_TYPE)
        .body(body))
}
