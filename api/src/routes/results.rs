//! Results (handlers only; use cases in `service::results`): a programme's accepted indicator
//! values rolled up per indicator of its catalogue, and a grant's per indicator it carries.
//! Only accepted reports count; the aggregation rules are stated in the schemas.

mod dto;

pub use dto::*;

use crate::auth::{Caller, MaybeCaller};
use crate::error::ApiError;
use crate::extract::Query;
use crate::response::{PageParams, Paginated};
use crate::service::results as uc;
use crate::state::State;
use actix_web::{get, web};
use seriktes_domain::ids::{GrantId, ProgrammeId};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(programme_results).service(grant_results);
}

/// A programme's results: per indicator of its catalogue (a page, by indicator id), the
/// accepted values rolled up by the indicator's aggregation, against its baseline and target,
/// with breakdowns by dimension, region, period and call. The programme's staff (admins, the
/// managing organisation's and funders' members) may also ask for `by_grant=true`; other
/// signed-in users who may see the programme, and anonymous callers while it is active, get
/// the same aggregate without grantee detail. Anyone else: 404.
#[utoipa::path(
    tag = "results",
    params(("id" = Uuid, Path, description = "Programme id"), PageParams, ResultsParams),
    responses(
        (status = 200, description = "One page of the programme's indicators with their results.", body = Paginated<IndicatorResultsResponse>),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/programmes/{id}/results")]
pub async fn programme_results(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<ResultsParams>,
) -> Result<Paginated<IndicatorResultsResponse>, ApiError> {
    let id = ProgrammeId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let by_grant = filter.0.by_grant.unwrap_or(false);
    let filter = uc::ResultsFilter::try_from(filter.0)?;
    let p = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, now| {
            uc::programme(conn, actor, id, &filter, by_grant, &page, now)
        })
        .await?;
    Paginated::try_from_page(p, |r| Ok(IndicatorResultsResponse::from(r)))
}

/// A grant's results: per indicator the grant carries, its accepted values rolled up by the
/// indicator's aggregation against the grant's own baseline and target (the catalogue's where
/// it sets none), by dimension and by period. Read like the grant: its grantee, mentor, the
/// programme's organisations and admins; anyone else 404.
#[utoipa::path(
    tag = "results",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), GrantResultsParams),
    responses(
        (status = 200, description = "The grant's results.", body = GrantResultsResponse),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/grants/{id}/results")]
pub async fn grant_results(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    filter: Query<GrantResultsParams>,
) -> Result<web::Json<GrantResultsResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let filter = uc::ResultsFilter::try_from(filter.0)?;
    let r = state
        .read_as(&caller, move |conn, actor, _| {
            uc::grant(conn, actor, id, &filter)
        })
        .await?;
    Ok(web::Json(r.into()))
}
