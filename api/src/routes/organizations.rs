//! Organisations: NGOs, donors, government bodies and the rest. Handlers only: the rules are
//! in `service::organizations` and `domain::access::organization`. Members have their own
//! module.

mod dto;

pub use dto::{
    CreateOrganizationRequest, OrganizationListParams, OrganizationResponse,
    UpdateOrganizationRequest,
};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::organizations as service;
use crate::state::State;
use actix_web::{get, patch, post, web};
use seriktes_domain::ids::OrganizationId;
use seriktes_domain::organization::{Profile, ProfilePatch};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_organization)
        .service(list_organizations)
        .service(get_organization)
        .service(update_organization);
}

/// Create an organisation (admins).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    request_body = CreateOrganizationRequest,
    responses(
        (status = 201, description = "Created; `Location` names it.", body = OrganizationResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    state: State,
    caller: Caller,
    body: Json<CreateOrganizationRequest>,
) -> Result<Tagged<OrganizationResponse>, ApiError> {
    let profile = Profile::try_from(body.0)?;
    let record = state
        .write_as(&caller, move |tx, actor, now| {
            service::create(tx, actor, profile.clone(), now)
        })
        .await?;
    let (version, location) = (
        record.version,
        format!("/api/v1/organizations/{}", record.organization.id),
    );
    Ok(Tagged::created(record.into(), version, location))
}

/// List organisations, oldest first.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(PageParams, OrganizationListParams),
    responses(
        (status = 200, description = "One page of organisations.", body = Paginated<OrganizationResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: State,
    caller: Caller,
    page: Query<PageParams>,
    filter: Query<OrganizationListParams>,
) -> Result<Paginated<OrganizationResponse>, ApiError> {
    let page = page.0.to_request()?;
    let (filter, mine) = filter.0.checked()?.into_filter();
    let records = state
        .read_as(&caller, move |conn, actor, _| {
            service::list(conn, actor, filter, mine, &page)
        })
        .await?;
    Paginated::try_from_page(records, |r| Ok(r.into()))
}

/// Get an organisation.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation.", body = OrganizationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<OrganizationResponse>, ApiError> {
    let id = OrganizationId::from_uuid(id.into_inner());
    let record = state
        .read_as(&caller, move |conn, actor, _| service::get(conn, actor, id))
        .await?;
    let version = record.version;
    Ok(Tagged::ok(record.into(), version))
}

/// Update an organisation (admins, its owners and managers).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the organisation changed since"),
    ),
    request_body = UpdateOrganizationRequest,
    responses(
        (status = 200, description = "The updated organisation.", body = OrganizationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateOrganizationRequest>,
) -> Result<Tagged<OrganizationResponse>, ApiError> {
    let id = OrganizationId::from_uuid(id.into_inner());
    let patch = ProfilePatch::try_from(body.0)?;
    let record = state
        .write_as(&caller, move |tx, actor, now| {
            service::update(tx, actor, id, patch.clone(), if_match.0, now)
        })
        .await?;
    let version = record.version;
    Ok(Tagged::ok(record.into(), version))
}
