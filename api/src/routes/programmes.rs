//! Programmes: donor-funded programmes run by a managing organisation, with co-funders.
//!
//! Admins and the owners and managers of the managing organisation create and run them.
//! Drafts are visible to admins and to members of the managing and funding organisations;
//! other signed-in users see active and closed programmes.

mod dto;

pub use dto::*;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::programmes::{self as service, NewProgramme, Programme, ProgrammePatch};
use crate::service::transition::transition;
use crate::state::State;
use actix_web::{get, patch, post, web};
use seriktes_domain::ids::ProgrammeId;
use seriktes_domain::programme::ProgrammeAction;
use uuid::Uuid;

fn tagged(p: Programme) -> Tagged<ProgrammeResponse> {
    let version = p.version();
    Tagged::ok(p.into(), version)
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_programme)
        .service(list_programmes)
        .service(get_programme)
        .service(update_programme)
        .service(activate_programme)
        .service(close_programme);
}

/// Create a programme (in `draft`).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    request_body = CreateProgrammeRequest,
    responses(
        (status = 201, description = "Created; `Location` names it.", body = ProgrammeResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/programmes")]
pub async fn create_programme(
    state: State,
    caller: Caller,
    body: Json<CreateProgrammeRequest>,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    let new = NewProgramme::try_from(body.0)?;
    let p = state
        .write_as(&caller, move |tx, actor, now| {
            service::create(tx, actor, new.clone(), now)
        })
        .await?;
    let (version, location) = (p.version(), format!("/api/v1/programmes/{}", p.id));
    Ok(Tagged::created(p.into(), version, location))
}

/// List programmes the caller may see, oldest first.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(PageParams, ProgrammeListParams),
    responses(
        (status = 200, description = "One page of programmes.", body = Paginated<ProgrammeResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/programmes")]
pub async fn list_programmes(
    state: State,
    caller: Caller,
    page: Query<PageParams>,
    filter: Query<ProgrammeListParams>,
) -> Result<Paginated<ProgrammeResponse>, ApiError> {
    let page = page.0.to_request()?;
    let query = filter.0.into();
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            service::list(conn, actor, query, &page)
        })
        .await?;
    let items = p.items.into_iter().map(Into::into).collect();
    Ok(Paginated::from_parts(items, p.next_after.as_deref()))
}

/// Get a programme.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, description = "The programme.", body = ProgrammeResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/programmes/{id}")]
pub async fn get_programme(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    let id = ProgrammeId::from_uuid(id.into_inner());
    let (p, _) = state
        .read_as(&caller, move |conn, actor, _| service::get(conn, actor, id))
        .await?;
    Ok(tagged(p))
}

/// Update a programme (its managers); closed programmes cannot change (409).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the programme changed since"),
    ),
    request_body = UpdateProgrammeRequest,
    responses(
        (status = 200, description = "The updated programme.", body = ProgrammeResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/programmes/{id}")]
pub async fn update_programme(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateProgrammeRequest>,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    let id = ProgrammeId::from_uuid(id.into_inner());
    let patch = ProgrammePatch::try_from(body.0)?;
    let p = state
        .write_as(&caller, move |tx, actor, now| {
            service::update(tx, actor, id, patch.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(p))
}

/// Moves a programme by `action` (its managers).
async fn move_programme(
    state: State,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: ProgrammeAction,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    let id = ProgrammeId::from_uuid(id);
    let p = state
        .write_as(&caller, move |tx, actor, now| {
            transition::<Programme>(tx, actor, id, action, (), if_match.0, now)
        })
        .await?;
    Ok(tagged(p))
}

/// Activate a draft programme (its managers): calls can then be published.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Now active.", body = ProgrammeResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/programmes/{id}/activate")]
pub async fn activate_programme(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    move_programme(
        state,
        caller,
        id.into_inner(),
        if_match,
        ProgrammeAction::Activate,
    )
    .await
}

/// Close an active programme (its managers).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Now closed.", body = ProgrammeResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/programmes/{id}/close")]
pub async fn close_programme(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    move_programme(
        state,
        caller,
        id.into_inner(),
        if_match,
        ProgrammeAction::Close,
    )
    .await
}
