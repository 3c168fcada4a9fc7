//! Memberships of an organisation. Handlers only: only its members and admins see them (404
//! to anyone else, `domain::access::organization::members`); who may change what is
//! `domain::membership::authorize_change`, asked by `service::members`.

mod dto;

pub use dto::{AddMemberRequest, MemberResponse, UpdateMemberRequest};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::members as service;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use seriktes_domain::ids::{OrganizationId, UserId};
use seriktes_domain::membership::NewMember;
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_members)
        .service(add_member)
        .service(get_member)
        .service(update_member)
        .service(remove_member);
}

/// The typed ids of a membership path.
fn ids(path: web::Path<(Uuid, Uuid)>) -> (OrganizationId, UserId) {
    let (org, user) = path.into_inner();
    (OrganizationId::from_uuid(org), UserId::from_uuid(user))
}

/// List an organisation's members (its members and admins).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), PageParams),
    responses(
        (status = 200, description = "One page of members, by user id.", body = Paginated<MemberResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/organizations/{id}/members")]
pub async fn list_members(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
) -> Result<Paginated<MemberResponse>, ApiError> {
    let page = page.0.to_request()?;
    let org = OrganizationId::from_uuid(id.into_inner());
    let records = state
        .read_as(&caller, move |conn, actor, _| {
            service::list(conn, actor, org, &page)
        })
        .await?;
    Paginated::try_from_page(records, |r| Ok(r.into()))
}

/// Add a member (admins, owners; managers for roles other than owner).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    request_body = AddMemberRequest,
    responses(
        (status = 201, description = "Added; `Location` names the membership.", body = MemberResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/organizations/{id}/members")]
pub async fn add_member(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<AddMemberRequest>,
) -> Result<Tagged<MemberResponse>, ApiError> {
    let org = OrganizationId::from_uuid(id.into_inner());
    let new = NewMember::try_from(body.0)?;
    let record = state
        .write_as(&caller, move |tx, actor, now| {
            service::add(tx, actor, org, new.clone(), now)
        })
        .await?;
    let (version, m) = (record.version, record.membership);
    let location = format!(
        "/api/v1/organizations/{}/members/{}",
        m.organization, m.user
    );
    Ok(Tagged::created(record.into(), version, location))
}

/// Get one membership (the organisation's members and admins).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), ("user_id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The membership.", body = MemberResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/organizations/{id}/members/{user_id}")]
pub async fn get_member(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<Tagged<MemberResponse>, ApiError> {
    let (org, user) = ids(path);
    let record = state
        .read_as(&caller, move |conn, actor, _| {
            service::get(conn, actor, org, user)
        })
        .await?;
    let version = record.version;
    Ok(Tagged::ok(record.into(), version))
}

/// Change a member's role.
///
/// Managers cannot grant or change the owner role; the last owner cannot be demoted (409).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("user_id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the membership changed since"),
    ),
    request_body = UpdateMemberRequest,
    responses(
        (status = 200, description = "The updated membership.", body = MemberResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/organizations/{id}/members/{user_id}")]
pub async fn update_member(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: Json<UpdateMemberRequest>,
) -> Result<Tagged<MemberResponse>, ApiError> {
    let target = ids(path);
    let role = body.0.role.into();
    let record = state
        .write_as(&caller, move |tx, actor, now| {
            service::change_role(tx, actor, target, role, if_match.0, now)
        })
        .await?;
    let version = record.version;
    Ok(Tagged::ok(record.into(), version))
}

/// Remove a member, or leave an organisation (remove yourself).
///
/// The last owner cannot be removed (409).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), ("user_id" = Uuid, Path, description = "User id")),
    responses(
        (status = 204, description = "Removed."),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[delete("/organizations/{id}/members/{user_id}")]
pub async fn remove_member(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let target = ids(path);
    state
        .write_as(&caller, move |tx, actor, now| {
            service::remove(tx, actor, target, now)
        })
        .await?;
    Ok(HttpResponse::new(StatusCode::NO_CONTENT))
}
