//! Calls for proposals: window, award cap and envelope, eligibility, weighted criteria and the
//! expert committee. A call is created as a draft under a programme, published (opened) by the
//! programme's managers, closes by itself at `closes_at`, and is decided after it closes.
//!
//! Visibility: anonymous callers see open and decided calls; signed-in users see the calls of
//! the programmes they may see, drafts only within the programme's circle. The committee is
//! shown to the programme's managers only.

mod dto;

pub use dto::*;

use crate::auth::{Caller, MaybeCaller};
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::calls::{self as service, Call, CallDraft, CallPatch, Moved};
use crate::service::transition::transition;
use crate::state::State;
use crate::wire::Money;
use actix_web::{get, patch, post, web};
use seriktes_domain::call::CallAction;
use seriktes_domain::ids::{CallId, ProgrammeId};
use uuid::Uuid;

fn tagged(c: Call) -> Tagged<CallResponse> {
    let version = c.version();
    Tagged::ok(c.into(), version)
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_call)
        .service(list_calls)
        .service(get_call)
        .service(update_call)
        .service(publish_call)
        .service(close_call)
        .service(decide_call);
}

/// Create a call under a programme (its managers); it starts as a draft.
#[utoipa::path(
    tag = "calls",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    request_body = CreateCallRequest,
    responses(
        (status = 201, description = "Created; `Location` names it.", body = CallResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/programmes/{id}/calls")]
pub async fn create_call(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CreateCallRequest>,
) -> Result<Tagged<CallResponse>, ApiError> {
    let programme = ProgrammeId::from_uuid(id.into_inner());
    let draft = CallDraft::try_from(body.0)?;
    let c = state
        .write_as(&caller, move |tx, actor, now| {
            service::create(tx, actor, programme, draft.clone(), now)
        })
        .await?;
    let (version, location) = (c.version(), format!("/api/v1/calls/{}", c.id));
    Ok(Tagged::created(c.into(), version, location))
}

/// List the calls the caller may see (anonymous callers: open and decided ones), oldest first.
#[utoipa::path(
    tag = "calls",
    params(PageParams, CallListParams),
    responses(
        (status = 200, description = "One page of calls.", body = Paginated<CallResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/calls")]
pub async fn list_calls(
    state: State,
    caller: MaybeCaller,
    page: Query<PageParams>,
    filter: Query<CallListParams>,
) -> Result<Paginated<CallResponse>, ApiError> {
    let page = page.0.to_request()?;
    let query = filter.0.into();
    let p = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, now| {
            service::list(conn, actor, query, &page, now)
        })
        .await?;
    let items = p.items.into_iter().map(Into::into).collect();
    Ok(Paginated::from_parts(items, p.next_after.as_deref()))
}

/// Get a call (anonymous callers: open and decided calls only).
#[utoipa::path(
    tag = "calls",
    params(("id" = Uuid, Path, description = "Call id")),
    responses(
        (status = 200, description = "The call.", body = CallResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/calls/{id}")]
pub async fn get_call(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<Tagged<CallResponse>, ApiError> {
    let id = CallId::from_uuid(id.into_inner());
    let c = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, now| {
            service::get(conn, actor, id, now)
        })
        .await?;
    Ok(tagged(c))
}

/// Update a draft call (the programme's managers); published calls cannot change (409).
#[utoipa::path(
    tag = "calls",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Call id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the call changed since"),
    ),
    request_body = UpdateCallRequest,
    responses(
        (status = 200, description = "The updated call.", body = CallResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/calls/{id}")]
pub async fn update_call(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateCallRequest>,
) -> Result<Tagged<CallResponse>, ApiError> {
    let id = CallId::from_uuid(id.into_inner());
    let patch = CallPatch::try_from(body.0)?;
    let c = state
        .write_as(&caller, move |tx, actor, now| {
            service::update(tx, actor, id, patch.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(c))
}

/// Moves a call by `action` (the programme's managers).
async fn move_call(
    state: State,
    caller: Caller,
    id: Uuid,
    if_match: Option<i64>,
    action: CallAction,
) -> Result<Moved, ApiError> {
    let id = CallId::from_uuid(id);
    state
        .write_as(&caller, move |tx, actor, now| {
            transition::<Call>(tx, actor, id, action, (), if_match, now)
        })
        .await
}

/// Publish a draft call (the programme's managers): it is open until `closes_at`. The programme
/// must be active and the window must not have ended.
#[utoipa::path(
    tag = "calls",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Now open.", body = CallResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/calls/{id}/publish")]
pub async fn publish_call(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<CallResponse>, ApiError> {
    let moved = move_call(
        state,
        caller,
        id.into_inner(),
        if_match.0,
        CallAction::Publish,
    )
    .await?;
    Ok(tagged(moved.call))
}

/// Close an open call before `closes_at` (the programme's managers).
#[utoipa::path(
    tag = "calls",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Now closed.", body = CallResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/calls/{id}/close")]
pub async fn close_call(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<CallResponse>, ApiError> {
    let moved = move_call(
        state,
        caller,
        id.into_inner(),
        if_match.0,
        CallAction::Close,
    )
    .await?;
    Ok(tagged(moved.call))
}

/// Decide a closed call (the programme's managers): applications still pending are rejected,
/// the call becomes `decided`, and its reviews become visible to the managers.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id")),
    responses(
        (status = 200, description = "Decided.", body = DecisionResponse),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/calls/{id}/decide")]
pub async fn decide_call(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<DecisionResponse>, ApiError> {
    let moved = move_call(state, caller, id.into_inner(), None, CallAction::Decide).await?;
    let d = moved.decision.unwrap_or_default();
    Ok(web::Json(DecisionResponse {
        call_id: moved.call.id.to_string(),
        status: moved.call.status.into(),
        awarded: usize::try_from(d.awarded).unwrap_or_default(),
        rejected: usize::try_from(d.rejected).unwrap_or_default(),
        awarded_total: Money::from_minor(d.awarded_total_minor, moved.call.currency),
    }))
}
