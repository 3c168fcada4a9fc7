//! Coalitions (handlers only; use cases in `service::networks`): an organisation of kind
//! `network` admits member organisations, lists them with the days they joined and left, and
//! says how it grew over a period; a membership ends when the network removes the member or
//! the member leaves.

mod dto;

pub use dto::*;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::networks::{self as uc, NewMember, Seen};
use crate::state::State;
use actix_web::{get, post, web};
use seriktes_domain::ids::{NetworkMembershipId, OrganizationId};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(admit_member)
        .service(list_member_organizations)
        .service(network_growth)
        .service(get_network_membership)
        .service(end_network_membership);
}

fn tagged(s: Seen) -> Tagged<NetworkMembershipResponse> {
    let version = s.listed.membership.version;
    Tagged::ok(s.into(), version)
}

/// Admit an organisation to a network (the network's owners and managers, admins). Only an
/// organisation of kind `network` has members (409 otherwise); an organisation is a current
/// member once at a time (409).
#[utoipa::path(
    tag = "coalitions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The network's organisation id")),
    request_body = AdmitMemberRequest,
    responses(
        (status = 201, description = "Admitted.", body = NetworkMembershipResponse, headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/organizations/{id}/member-organizations")]
pub async fn admit_member(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<AdmitMemberRequest>,
) -> Result<Tagged<NetworkMembershipResponse>, ApiError> {
    let network = OrganizationId::from_uuid(id.into_inner());
    let input = NewMember::from(body.0);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::admit(tx, actor, network, input, now)
        })
        .await?;
    let version = s.listed.membership.version;
    let location = format!("/api/v1/network-memberships/{}", s.listed.membership.id);
    Ok(Tagged::created(s.into(), version, location))
}

/// A network's member organisations, past and current, in the order they were recorded
/// (every signed-in user).
#[utoipa::path(
    tag = "coalitions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The network's organisation id"), PageParams, MembershipListParams),
    responses(
        (status = 200, description = "One page of memberships.", body = Paginated<NetworkMembershipResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/organizations/{id}/member-organizations")]
pub async fn list_member_organizations(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<MembershipListParams>,
) -> Result<Paginated<NetworkMembershipResponse>, ApiError> {
    let network = OrganizationId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let filter = filter.0.into();
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::list(conn, actor, network, &filter, &page)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(NetworkMembershipResponse::from(s)))
}

/// How a network grew over a period: its current members, and how many joined and left
/// between `from` and `to` (inclusive) — "five new member organisations".
#[utoipa::path(
    tag = "coalitions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The network's organisation id"), GrowthParams),
    responses(
        (status = 200, description = "The counts.", body = NetworkGrowthResponse),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/organizations/{id}/member-organizations/growth")]
pub async fn network_growth(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    period: Query<GrowthParams>,
) -> Result<web::Json<NetworkGrowthResponse>, ApiError> {
    let raw = id.into_inner();
    let network = OrganizationId::from_uuid(raw);
    let (from, to) = (period.0.from.get(), period.0.to.get());
    let g = state
        .read_as(&caller, move |conn, actor, _| {
            uc::growth(conn, actor, network, from, to)
        })
        .await?;
    Ok(web::Json(NetworkGrowthResponse::new(raw, from, to, g)))
}

/// Get a network membership.
#[utoipa::path(
    tag = "coalitions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Network membership id")),
    responses(
        (status = 200, description = "The membership.", body = NetworkMembershipResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/network-memberships/{id}")]
pub async fn get_network_membership(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<NetworkMembershipResponse>, ApiError> {
    let id = NetworkMembershipId::from_uuid(id.into_inner());
    let s = state
        .read_as(&caller, move |conn, actor, _| uc::get(conn, actor, id))
        .await?;
    Ok(tagged(s))
}

/// End a current membership: the network's owners and managers remove the member, the
/// member organisation's owners and managers leave. An ended membership is final (409); the
/// organisation may be admitted again as a new membership.
#[utoipa::path(
    tag = "coalitions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Network membership id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = EndMembershipRequest,
    responses(
        (status = 200, description = "Ended.", body = NetworkMembershipResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/network-memberships/{id}/end")]
pub async fn end_network_membership(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<EndMembershipRequest>,
) -> Result<Tagged<NetworkMembershipResponse>, ApiError> {
    let id = NetworkMembershipId::from_uuid(id.into_inner());
    let left_on = body.0.left_on.map(crate::wire::CalendarDate::get);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::end(tx, actor, id, left_on, if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}
