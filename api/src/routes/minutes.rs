//! A meeting's minutes (handlers only; use cases in `service::minutes`): the organisers write
//! the draft of a held meeting and publish it, which moves the meeting to
//! `minutes_published` and freezes the minutes; whoever sees the meeting reads them once
//! published.

mod dto;

pub use dto::*;

use crate::auth::{Caller, MaybeCaller};
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::response::Tagged;
use crate::service::minutes::{self as uc, Seen};
use crate::state::State;
use actix_web::{get, post, put, web};
use seriktes_domain::ids::MeetingId;
use seriktes_domain::minutes::MinutesText;
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(get_minutes)
        .service(write_minutes)
        .service(publish_minutes);
}

fn tagged(s: Seen) -> Tagged<MinutesResponse> {
    let version = s.minutes.version;
    Tagged::ok(s.into(), version)
}

/// Get a meeting's minutes: its organisers read the draft; whoever else sees the meeting
/// (anonymous callers: a public one) reads them once published, 404 before.
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "The minutes.", body = MinutesResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/meetings/{id}/minutes")]
pub async fn get_minutes(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<Tagged<MinutesResponse>, ApiError> {
    let id = MeetingId::from_uuid(id.into_inner());
    let s = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::get(conn, actor, id)
        })
        .await?;
    Ok(tagged(s))
}

/// Write (or replace) the draft minutes of a held meeting (its organisers' owners and
/// managers): the decisions in order and a summary. 409 when the meeting is not held or the
/// minutes are published.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the minutes last read; 412 if they changed since"),
    ),
    request_body = MinutesRequest,
    responses(
        (status = 200, description = "The draft minutes.", body = MinutesResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("/meetings/{id}/minutes")]
pub async fn write_minutes(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<MinutesRequest>,
) -> Result<Tagged<MinutesResponse>, ApiError> {
    let id = MeetingId::from_uuid(id.into_inner());
    let text = MinutesText::try_from(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::write(tx, actor, id, text.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Publish a held meeting's minutes (its organisers' owners and managers): the meeting moves
/// to `minutes_published` (409 with the allowed actions otherwise, or when no minutes were
/// written), the attendance summary is computed and stored, and the minutes freeze.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the minutes last read"),
    ),
    responses(
        (status = 200, description = "The published minutes.", body = MinutesResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/meetings/{id}/publish-minutes")]
pub async fn publish_minutes(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<MinutesResponse>, ApiError> {
    let id = MeetingId::from_uuid(id.into_inner());
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::publish(tx, actor, id, if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}
