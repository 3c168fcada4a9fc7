//! Sign-in, refresh-token rotation and sign-out. The rules live in `service::auth`.

mod dto;

pub use dto::{LoginRequest, RefreshRequest, TokenResponse};

use crate::error::ApiError;
use crate::extract::Json;
use crate::service::auth::{self as auth_service, Issuer};
use crate::state::{AppState, State};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use seriktes_domain::email::Email;
use std::net::{IpAddr, Ipv6Addr};

const BAD_CREDENTIALS: &str = "The e-mail or password is wrong, or the account is inactive.";
const BAD_REFRESH: &str = "The refresh token is invalid, expired or revoked; sign in again.";

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(login).service(refresh).service(logout);
}

fn issuer(state: &AppState) -> Issuer<'_> {
    Issuer {
        keys: &state.keys,
        refresh_ttl: state.refresh_ttl,
    }
}

/// Sign in with e-mail and password.
///
/// A wrong e-mail and a wrong password take the same time and get the same answer. After 10
/// failures for one e-mail from one address within 15 minutes, sign-in answers 429 until the
/// window ends. When too many passwords are being checked at once, it answers 503 with
/// `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in.", body = TokenResponse),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 409, response = crate::openapi::Conflict),
        (status = 429, response = crate::openapi::TooManyRequests),
        (status = 503, response = crate::openapi::ServiceUnavailable),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: State,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let LoginRequest { email, password } = body.0.checked()?;
    let client = req
        .peer_addr()
        .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |a| a.ip());
    let throttle = &state.login_throttle;
    throttle
        .check(client, &email, state.now())
        .map_err(ApiError::TooManyRequests)?;
    let found = match Email::parse(&email) {
        Ok(e) => {
            state
                .read(move |c| auth_service::credentials(c, &e))
                .await?
        }
        Err(_) => None,
    };
    let phc = found
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |f| f.1.clone());
    let matches = state.hashers.verify(password, phc).await?;
    let Some((user, _, _)) = found.filter(|f| matches && f.2) else {
        throttle.fail(client, &email, state.now());
        return Err(ApiError::Unauthorized(BAD_CREDENTIALS.to_owned()));
    };
    throttle.succeed(client, &email);
    let (st, now) = (state.clone(), state.now());
    let pair = state
        .write(move |tx| auth_service::sign_in(tx, issuer(&st), user, now))
        .await?;
    Ok(web::Json(pair.into()))
}

/// Exchange a refresh token for a new pair (the old token stops working).
///
/// Presenting a token that was already exchanged revokes every token of that sign-in.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair.", body = TokenResponse),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: State,
    body: Json<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let (st, now, token) = (state.clone(), state.now(), body.0.token()?);
    state
        .write(move |tx| auth_service::rotate(tx, issuer(&st), &token, now))
        .await?
        .map(|pair| web::Json(pair.into()))
        .ok_or_else(|| ApiError::Unauthorized(BAD_REFRESH.to_owned()))
}

/// Sign out: revoke the refresh token and every token rotated from the same sign-in.
///
/// Always 204, whether or not the token was live, so the answer reveals nothing. Access tokens
/// already issued stay valid until they expire (at most 15 minutes).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out."),
        crate::openapi::BodyErrors,
        (status = 409, response = crate::openapi::Conflict),
        (status = 503, response = crate::openapi::ServiceUnavailable),
    )
)]
#[post("/auth/logout")]
pub async fn logout(state: State, body: Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let (now, token) = (state.now(), body.0.token()?);
    state
        .write(move |tx| auth_service::sign_out(tx, &token, now))
        .await?;
    Ok(HttpResponse::new(StatusCode::NO_CONTENT))
}
