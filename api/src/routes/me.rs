//! The signed-in user: profile, memberships, own password.

mod dto;

pub use dto::{ChangePasswordRequest, MeResponse, MyMembership};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Json;
use crate::service::users as service;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, put, web};
use seriktes_domain::user::NewPassword;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(get_me).service(change_password);
}

/// The signed-in user, with their memberships.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user.", body = MeResponse),
        crate::openapi::AuthErrors,
    )
)]
#[get("/me")]
pub async fn get_me(state: State, caller: Caller) -> Result<web::Json<MeResponse>, ApiError> {
    let (record, memberships) = state
        .read_as(&caller, |conn, actor, _| service::me(conn, actor))
        .await?;
    Ok(web::Json(MeResponse {
        user: record.into(),
        memberships: memberships.into_iter().map(Into::into).collect(),
    }))
}

/// Change your own password; every session is signed out, this one included (access tokens
/// issued before answer 401; sign in again with the new password).
///
/// After 10 wrong current passwords within 15 minutes it answers 429 with `Retry-After` until
/// the window ends, even with the right one: a stolen access token cannot be used to guess the
/// password.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; all refresh tokens are revoked and earlier access tokens stop working."),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 409, response = crate::openapi::Conflict),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[put("/me/password")]
pub async fn change_password(
    state: State,
    caller: Caller,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.0.checked()?;
    let new_password =
        NewPassword::parse(&new_password).map_err(|e| ApiError::from(e).under("new_password"))?;
    let phc = state.read_as(&caller, service::own_password_hash).await?;
    if !state.hashers.verify(current_password, phc).await? {
        state
            .write_as(&caller, service::count_wrong_password)
            .await?;
        let wrong = "the current password is wrong";
        return Err(ApiError::invalid("current_password", "mismatch", wrong));
    }
    let hash = state.hashers.hash(new_password.expose().to_owned()).await?;
    state
        .write_as(&caller, move |tx, actor, now| {
            service::change_own_password(tx, actor, &hash, now)
        })
        .await?;
    Ok(HttpResponse::new(StatusCode::NO_CONTENT))
}
