//! Sign-in, refresh-token rotation and sign-out.
//!
//! A refresh token is used once: refreshing returns a new pair and marks the old token used.
//! Presenting a used token again means it was copied, so the whole family (every token rotated
//! from that sign-in) is revoked and the caller must sign in again (OAuth 2.0 Security BCP §4.14).

use crate::auth::password;
use crate::auth::refresh as refresh_token;
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::{AppState, State, now};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use seriktes_domain::email::Email;
use seriktes_persistence::refresh_tokens::{self, NewRefreshTokenRow};
use seriktes_persistence::{DbConn, users};
use std::net::{IpAddr, Ipv6Addr};
use std::time::Instant;
use utoipa::ToSchema;

/// E-mail and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@example.org", "password": "correct horse battery staple"}))]
pub struct LoginRequest {
    /// The account's e-mail address (any case).
    pub email: String,
    /// The password.
    pub password: String,
}

/// A refresh token, to rotate or revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "m0C8mYcQ3j6Jr7n8yXG0hE2kYQW0bS3p4D9VqfJf2xA"}))]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    pub refresh_token: String,
}

/// A new access token and refresh token.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMTkzIn0.sig",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "m0C8mYcQ3j6Jr7n8yXG0hE2kYQW0bS3p4D9VqfJf2xA"
}))]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Exchange at `/auth/refresh` for a new pair; usable once.
    pub refresh_token: String,
}

const BAD_CREDENTIALS: &str = "The e-mail or password is wrong, or the account is inactive.";
const BAD_REFRESH: &str = "The refresh token is invalid, expired or revoked; sign in again.";

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(login).service(refresh).service(logout);
}

/// Stores a new refresh token of `family_id` and returns the token pair.
fn issue_pair(
    conn: &mut DbConn,
    state: &AppState,
    user_id: &str,
    family_id: &str,
) -> Result<TokenResponse, ApiError> {
    let token = refresh_token::generate().map_err(ApiError::internal)?;
    let issued = now();
    let ttl = TimeDelta::from_std(state.refresh_ttl).map_err(ApiError::internal)?;
    refresh_tokens::insert(
        conn,
        &NewRefreshTokenRow {
            id: &uuid::Uuid::now_v7().to_string(),
            family_id,
            user_id,
            token_hash: &refresh_token::hash(&token),
            expires_at: issued + ttl,
            created_at: issued,
        },
    )?;
    let access_token = state
        .keys
        .issue(user_id, issued.and_utc().timestamp())
        .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.keys.ttl().as_secs(),
        refresh_token: token,
    })
}

/// Sign in with e-mail and password.
///
/// A wrong e-mail and a wrong password take the same time and get the same answer. After 10
/// failures for one e-mail from one address within 15 minutes, sign-in answers 429 until the
/// window ends.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in.", body = TokenResponse),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: State,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let LoginRequest { email, password } = body.0;
    let client = req
        .peer_addr()
        .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |a| a.ip());
    state
        .login_throttle
        .check(client, &email, Instant::now())
        .map_err(ApiError::TooManyRequests)?;
    let user = match Email::parse(&email) {
        Ok(email) => {
            state
                .read(move |conn| Ok(users::find_by_email(conn, email.as_str())?))
                .await?
        }
        Err(_) => None,
    };
    let phc = user
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |u| u.password_hash.clone());
    let matches = web::block(move || password::verify(&password, &phc)).await?;
    let Some(user) = user.filter(|u| matches && u.active) else {
        state.login_throttle.fail(client, &email, Instant::now());
        return Err(ApiError::Unauthorized(BAD_CREDENTIALS.to_owned()));
    };
    state.login_throttle.succeed(client, &email);
    let st = state.clone();
    let pair = state
        .write(move |conn| issue_pair(conn, &st, &user.id, &uuid::Uuid::now_v7().to_string()))
        .await?;
    Ok(web::Json(pair))
}

/// What a refresh attempt found.
enum Rotation {
    Rotated(TokenResponse),
    Refused,
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
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: State,
    body: Json<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let hash = refresh_token::hash(&body.0.refresh_token);
    let st = state.clone();
    // The revocation of a replayed family must be committed, so a refusal is a value here,
    // not an error that would roll it back.
    let outcome = state
        .write(move |conn| {
            let at = now();
            let Some(token) = refresh_tokens::find_by_hash(conn, &hash)? else {
                return Ok(Rotation::Refused);
            };
            if token.revoked_at.is_some() || token.expires_at <= at {
                return Ok(Rotation::Refused);
            }
            if token.used_at.is_some() || !refresh_tokens::mark_used(conn, &token.id, at)? {
                let n = refresh_tokens::revoke_family(conn, &token.family_id, at)?;
                log::warn!(
                    "refresh token replayed: family {} revoked ({n} tokens)",
                    token.family_id
                );
                return Ok(Rotation::Refused);
            }
            let user = users::find(conn, &token.user_id)?;
            if !user.active {
                refresh_tokens::revoke_family(conn, &token.family_id, at)?;
                return Ok(Rotation::Refused);
            }
            issue_pair(conn, &st, &user.id, &token.family_id).map(Rotation::Rotated)
        })
        .await?;
    match outcome {
        Rotation::Rotated(pair) => Ok(web::Json(pair)),
        Rotation::Refused => Err(ApiError::Unauthorized(BAD_REFRESH.to_owned())),
    }
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
        (status = 503, response = crate::openapi::ServiceUnavailable),
    )
)]
#[post("/auth/logout")]
pub async fn logout(state: State, body: Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let hash = refresh_token::hash(&body.0.refresh_token);
    state
        .write(move |conn| {
            if let Some(token) = refresh_tokens::find_by_hash(conn, &hash)? {
                refresh_tokens::revoke_family(conn, &token.family_id, now())?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::new(StatusCode::NO_CONTENT))
}
