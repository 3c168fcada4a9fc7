//! Indicators (handlers only; use cases in `service::indicators`). A programme's catalogue is
//! read by whoever may see the programme and written by its managers; a grant's indicators
//! (a subset of the catalogue with the grant's own baselines and targets) are read with the
//! grant and replaced by those who manage its programme.

mod dto;

pub use dto::*;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::indicators as uc;
use crate::state::State;
use actix_web::{get, patch, post, put, web};
use seriktes_domain::ids::{GrantId, IndicatorId, ProgrammeId};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_indicator)
        .service(list_indicators)
        .service(get_indicator)
        .service(update_indicator)
        .service(list_grant_indicators)
        .service(set_grant_indicators);
}

fn tagged(s: uc::Seen) -> Tagged<IndicatorResponse> {
    let version = s.indicator.version;
    Tagged::ok(s.into(), version)
}

fn tagged_set(c: uc::Carried) -> Tagged<GrantIndicatorsResponse> {
    let version = c.version;
    Tagged::ok(c.into(), version)
}

/// Add an indicator to a programme's catalogue (its managers).
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    request_body = CreateIndicatorRequest,
    responses(
        (status = 201, description = "Added; `Location` names it.", body = IndicatorResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::IndicatorCodeTaken),
    )
)]
#[post("/programmes/{id}/indicators")]
pub async fn create_indicator(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CreateIndicatorRequest>,
) -> Result<Tagged<IndicatorResponse>, ApiError> {
    let programme = ProgrammeId::from_uuid(id.into_inner());
    let draft = seriktes_domain::indicator::IndicatorDraft::from(body.0);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::create(tx, actor, programme, draft.clone(), now)
        })
        .await?;
    let (version, location) = (
        s.indicator.version,
        format!("/api/v1/indicators/{}", s.indicator.id),
    );
    Ok(Tagged::created(s.into(), version, location))
}

/// A programme's indicator catalogue, oldest first.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), PageParams, IndicatorListParams),
    responses(
        (status = 200, description = "One page of indicators.", body = Paginated<IndicatorResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/programmes/{id}/indicators")]
pub async fn list_indicators(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<IndicatorListParams>,
) -> Result<Paginated<IndicatorResponse>, ApiError> {
    let programme = ProgrammeId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let filter = uc::IndicatorFilter::from(filter.0);
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::list(conn, actor, programme, &filter, &page)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(IndicatorResponse::from(s)))
}

/// Get an indicator.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Indicator id")),
    responses(
        (status = 200, description = "The indicator.", body = IndicatorResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/indicators/{id}")]
pub async fn get_indicator(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<IndicatorResponse>, ApiError> {
    let id = IndicatorId::from_uuid(id.into_inner());
    let s = state
        .read_as(&caller, move |conn, actor, _| uc::get(conn, actor, id))
        .await?;
    Ok(tagged(s))
}

/// Change an indicator (its programme's managers). Once a grant carries it, its `kind`,
/// `aggregation` and `disaggregation` stay as they are (409 `indicator-in-use`, naming them);
/// code, name, unit, baseline and target can change.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Indicator id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the indicator changed since"),
    ),
    request_body = UpdateIndicatorRequest,
    responses(
        (status = 200, description = "The changed indicator.", body = IndicatorResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "The code is taken in the programme (`indicator-code-taken`), or a grant carries the indicator and the change would alter its kind, aggregation or dimensions (`indicator-in-use`, `errors` naming them).",
            body = Problem, content_type = "application/problem+json",
            example = json!({
                "type": "urn:seriktes:problem:indicator-in-use", "title": "Conflict", "status": 409,
                "detail": "A grant carries this indicator, so its kind cannot change; code, name, unit, baseline and target can.",
                "errors": [{"field": "kind", "code": "in_use", "message": "cannot change while a grant carries it"}]
            })),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/indicators/{id}")]
pub async fn update_indicator(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateIndicatorRequest>,
) -> Result<Tagged<IndicatorResponse>, ApiError> {
    let id = IndicatorId::from_uuid(id.into_inner());
    let patch = seriktes_domain::indicator::IndicatorPatch::from(body.0);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::update(tx, actor, id, patch.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}

/// The indicators a grant carries, with the grant's baselines and targets (the catalogue's
/// where the grant has none of its own). The `ETag` is the grant's.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 200, description = "The grant's indicators.", body = GrantIndicatorsResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/grants/{id}/indicators")]
pub async fn list_grant_indicators(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<GrantIndicatorsResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let c = state
        .read_as(&caller, move |conn, actor, _| uc::of_grant(conn, actor, id))
        .await?;
    Ok(tagged_set(c))
}

/// Replace the indicators a grant carries (those who manage its programme): at most 100, each
/// an indicator of the grant's programme and named once, with a baseline and target within
/// its kind. A change to the grant: its `ETag` moves on, and `If-Match` names the grant's.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Grant id"),
        ("If-Match" = Option<String>, Header, description = "The grant's ETag last read; 412 if the grant changed since"),
    ),
    request_body = SetGrantIndicatorsRequest,
    responses(
        (status = 200, description = "The grant's indicators now.", body = GrantIndicatorsResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("/grants/{id}/indicators")]
pub async fn set_grant_indicators(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<SetGrantIndicatorsRequest>,
) -> Result<Tagged<GrantIndicatorsResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let items = body.0.parse()?;
    let c = state
        .write_as(&caller, move |tx, actor, now| {
            uc::set_for_grant(tx, actor, id, items.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged_set(c))
}
