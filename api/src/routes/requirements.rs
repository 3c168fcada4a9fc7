//! Reporting requirements (handlers only; use cases in `service::requirements`). A grant's
//! requirements are generated on award from its call's reporting schedule or else its
//! programme's; whoever may read the grant reads them; the programme's managers add ad-hoc
//! ones, move due dates with a reason (kept as history) and waive them while the grant is
//! active. Whether a requirement is overdue is derived from its due date and status.

mod dto;

pub use dto::*;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::requirements::{self as uc, Change, NewAdHoc, Seen};
use crate::state::State;
use actix_web::{get, post, web};
use seriktes_domain::ids::{GrantId, RequirementId};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_requirements)
        .service(create_requirement)
        .service(get_requirement)
        .service(reschedule_requirement)
        .service(waive_requirement);
}

fn tagged(s: Seen) -> Tagged<RequirementResponse> {
    let version = s.requirement.version;
    Tagged::ok(s.into(), version)
}

/// A grant's reporting requirements, by due date then id, with the history of moved due dates.
/// `overdue=true` lists those open past their due date (UTC), `overdue=false` the others.
#[utoipa::path(
    tag = "reporting",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), PageParams, RequirementListParams),
    responses(
        (status = 200, description = "One page of requirements.", body = Paginated<RequirementResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/grants/{id}/reporting-requirements")]
pub async fn list_requirements(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<RequirementListParams>,
) -> Result<Paginated<RequirementResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let query = filter.0.into();
    let p = state
        .read_as(&caller, move |conn, actor, now| {
            uc::list(conn, actor, id, query, &page, now)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(RequirementResponse::from(s)))
}

/// Add an ad-hoc reporting requirement to an active grant (the programme's managers): a
/// milestone report due on a date, for a period within the grant's.
#[utoipa::path(
    tag = "reporting",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    request_body = CreateRequirementRequest,
    responses(
        (status = 201, description = "Added.", body = RequirementResponse, headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/grants/{id}/reporting-requirements")]
pub async fn create_requirement(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CreateRequirementRequest>,
) -> Result<Tagged<RequirementResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let input = NewAdHoc::try_from(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::add(tx, actor, id, input.clone(), now)
        })
        .await?;
    let version = s.requirement.version;
    let location = format!("/api/v1/reporting-requirements/{}", s.requirement.id);
    Ok(Tagged::created(s.into(), version, location))
}

/// Get a reporting requirement with the history of its moved due dates.
#[utoipa::path(
    tag = "reporting",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Reporting requirement id")),
    responses(
        (status = 200, description = "The requirement.", body = RequirementResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/reporting-requirements/{id}")]
pub async fn get_requirement(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<RequirementResponse>, ApiError> {
    let id = RequirementId::from_uuid(id.into_inner());
    let s = state
        .read_as(&caller, move |conn, actor, now| {
            uc::get(conn, actor, id, now)
        })
        .await?;
    Ok(tagged(s))
}

async fn act(
    state: State,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    change: Change,
) -> Result<Tagged<RequirementResponse>, ApiError> {
    let id = RequirementId::from_uuid(id);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::act(tx, actor, id, change.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Move an open requirement's due date, with a reason kept in its history (the programme's
/// managers, while the grant is active). The new date must differ from the current one; a
/// requirement is moved at most 50 times.
#[utoipa::path(
    tag = "reporting",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Reporting requirement id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = RescheduleRequest,
    responses(
        (status = 200, description = "Moved.", body = RequirementResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/reporting-requirements/{id}/reschedule")]
pub async fn reschedule_requirement(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<RescheduleRequest>,
) -> Result<Tagged<RequirementResponse>, ApiError> {
    let change = Change::try_from(body.0)?;
    act(state, caller, id.into_inner(), if_match, change).await
}

/// Waive an open requirement, with a reason (the programme's managers, while the grant is
/// active); a waived requirement is never overdue and is final.
#[utoipa::path(
    tag = "reporting",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Reporting requirement id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = WaiveRequest,
    responses(
        (status = 200, description = "Waived.", body = RequirementResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/reporting-requirements/{id}/waive")]
pub async fn waive_requirement(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<WaiveRequest>,
) -> Result<Tagged<RequirementResponse>, ApiError> {
    let change = Change::try_from(body.0)?;
    act(state, caller, id.into_inner(), if_match, change).await
}
