//! Disbursements: a grant's tranches (handlers only; use cases in `service::disbursements`).
//! The programme's managers plan, approve and cancel them; managers and the managing
//! organisation's accountants record payment. Tranches that are not cancelled may never add up
//! to more than the grant (409 with the figures).

mod dto;

pub use dto::*;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::disbursements as uc;
use crate::state::State;
use actix_web::{get, post, web};
use seriktes_domain::grant::DisbursementAction;
use seriktes_domain::ids::{DisbursementId, GrantId};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_disbursement)
        .service(list_disbursements)
        .service(approve_disbursement)
        .service(pay_disbursement)
        .service(cancel_disbursement);
}

/// Plan a tranche of an active grant (the programme's managers).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    request_body = CreateDisbursementRequest,
    responses(
        (status = 201, description = "Planned.", body = DisbursementResponse, headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/grants/{id}/disbursements")]
pub async fn create_disbursement(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CreateDisbursementRequest>,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let input = uc::NewTranche::try_from(body.0)?;
    let t = state
        .write_as(&caller, move |tx, actor, now| {
            uc::plan(tx, actor, id, input.clone(), now)
        })
        .await?;
    let version = t.disbursement.version;
    let location = format!("/api/v1/grants/{id}/disbursements");
    Ok(Tagged::created(t.into(), version, location))
}

/// A grant's tranches, in the order planned.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), PageParams, TrancheListParams),
    responses(
        (status = 200, description = "One page of tranches.", body = Paginated<DisbursementResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/grants/{id}/disbursements")]
pub async fn list_disbursements(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<TrancheListParams>,
) -> Result<Paginated<DisbursementResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let since = filter.0.updated_since.map(crate::wire::Timestamp::get);
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::list(conn, actor, id, since, &page)
        })
        .await?;
    Paginated::try_from_page(p, |t| Ok(t.into()))
}

async fn act(
    state: State,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: DisbursementAction,
    payment: Option<PayRequest>,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    let id = DisbursementId::from_uuid(id);
    let payment = payment.map(PayRequest::parse).transpose()?;
    let t = state
        .write_as(&caller, move |tx, actor, now| {
            uc::act(tx, actor, id, action, payment.clone(), if_match.0, now)
        })
        .await?;
    let version = t.disbursement.version;
    Ok(Tagged::ok(t.into(), version))
}

/// Approve a planned tranche (the programme's managers).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Disbursement id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Approved.", body = DisbursementResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/disbursements/{id}/approve")]
pub async fn approve_disbursement(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    act(
        state,
        caller,
        id.into_inner(),
        if_match,
        DisbursementAction::Approve,
        None,
    )
    .await
}

/// Record payment of an approved tranche (the programme's managers and accountants); the
/// grant must be active.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Disbursement id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = PayRequest,
    responses(
        (status = 200, description = "Paid.", body = DisbursementResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/disbursements/{id}/pay")]
pub async fn pay_disbursement(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PayRequest>,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    act(
        state,
        caller,
        id.into_inner(),
        if_match,
        DisbursementAction::Pay,
        Some(body.0),
    )
    .await
}

/// Cancel a planned or approved tranche (the programme's managers); it no longer counts
/// against the grant.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Disbursement id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Cancelled.", body = DisbursementResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/disbursements/{id}/cancel")]
pub async fn cancel_disbursement(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    act(
        state,
        caller,
        id.into_inner(),
        if_match,
        DisbursementAction::Cancel,
        None,
    )
    .await
}
