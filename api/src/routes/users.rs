//! User accounts, managed by admins (DESIGN: "Admins: everything, users and service keys").

mod dto;

pub use dto::{CreateUserRequest, UpdateUserRequest, UserListParams};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::users as service;
use crate::state::State;
use crate::wire::UserResponse;
use actix_web::{get, patch, post, web};
use seriktes_domain::ids::UserId;
use seriktes_domain::user::{NewPassword, NewUser, UserChange};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_user)
        .service(list_users)
        .service(get_user)
        .service(update_user);
}

/// Create a user (admins).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created; `Location` names it.", body = UserResponse,
            headers(("ETag" = String, description = "Version of the user"), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: State,
    caller: Caller,
    body: Json<CreateUserRequest>,
) -> Result<Tagged<UserResponse>, ApiError> {
    // Refused before the body is judged and before the (costly) hash: see `service::users`.
    state
        .read_as(&caller, |_, actor, _| service::may_manage(actor, None))
        .await?;
    let (new, password): (NewUser, NewPassword) = body.0.try_into()?;
    let hash = state.hashers.hash(password.expose().to_owned()).await?;
    let record = state
        .write_as(&caller, move |tx, actor, now| {
            service::create_user(tx, Some(actor), &new, &hash, now)
        })
        .await?;
    let (version, location) = (record.version, format!("/api/v1/users/{}", record.user.id));
    Ok(Tagged::created(record.into(), version, location))
}

/// List users (admins), oldest first.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(PageParams, UserListParams),
    responses(
        (status = 200, description = "One page of users.", body = Paginated<UserResponse>),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: State,
    caller: Caller,
    page: Query<PageParams>,
    filter: Query<UserListParams>,
) -> Result<Paginated<UserResponse>, ApiError> {
    let (page, filter) = (page.0.to_request()?, filter.0.checked()?.into());
    let records = state
        .read_as(&caller, move |conn, actor, _| {
            service::list_users(conn, actor, &filter, &page)
        })
        .await?;
    Paginated::try_from_page(records, |r| Ok(r.into()))
}

/// Get a user (admins).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The user.", body = UserResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<UserResponse>, ApiError> {
    let id = UserId::from_uuid(id.into_inner());
    let record = state
        .read_as(&caller, move |conn, actor, _| {
            service::get_user(conn, actor, id)
        })
        .await?;
    let version = record.version;
    Ok(Tagged::ok(record.into(), version))
}

/// Update a user (admins): e-mail, name, password, role, active.
///
/// An admin cannot demote or deactivate the last active admin (409).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the user changed since"),
    ),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The updated user.", body = UserResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateUserRequest>,
) -> Result<Tagged<UserResponse>, ApiError> {
    let id = UserId::from_uuid(id.into_inner());
    let change = UserChange::try_from(body.0);
    if !matches!(&change, Ok(c) if c.password.is_none()) {
        // A 422 or a password reset: refuse a non-admin first (see `service::users`).
        state
            .read_as(&caller, move |_, actor, _| {
                service::may_manage(actor, Some(id))
            })
            .await?;
    }
    let change = change?;
    let hash = match &change.password {
        Some(p) => Some(state.hashers.hash(p.expose().to_owned()).await?),
        None => None,
    };
    let record = state
        .write_as(&caller, move |tx, actor, now| {
            service::update_user(tx, actor, id, &change, hash.as_ref(), if_match.0, now)
        })
        .await?;
    let version = record.version;
    Ok(Tagged::ok(record.into(), version))
}
