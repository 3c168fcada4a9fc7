//! Sign-in, refresh-token rotation and sign-out. The rules live in `service::auth`.

mod dto;

pub use dto::{LoginRequest, RefreshRequest, TokenResponse};

use crate::auth::throttle::client_address;
use crate::error::ApiError;
use crate::extract::Json;
use crate::service::auth::{self as auth_service, Issuer};
use crate::state::{AppState, State};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use seriktes_domain::DomainError;
use seriktes_domain::email::{Email, MIXED_SCRIPT};
use seriktes_domain::throttle::{ClientAddress, Subject};

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

/// The e-mail of a sign-in, normalised as accounts are (`Email::parse`: NFKC, case). Text
/// that is no address finds no account and is answered as a wrong password is (401); an address
/// whose local part mixes scripts is refused as it is when accounts are made (422), since a
/// look-alike spelling should be told, not counted as a failed attempt.
fn sign_in_email(raw: &str) -> Result<Option<Email>, ApiError> {
    match Email::parse(raw) {
        Ok(email) => Ok(Some(email)),
        Err(DomainError::Invalid(errors)) if errors.iter().any(|e| e.code == MIXED_SCRIPT) => {
            Err(ApiError::Validation(errors).under("email"))
        }
        Err(_) => Ok(None),
    }
}

/// Sign in with e-mail and password.
///
/// The e-mail is normalised as accounts are (Unicode NFKC, case), so `ａdmin@example.org` is
/// `admin@example.org`; one whose part before @ mixes scripts (a Cyrillic `а` among Latin
/// letters) is refused with 422, as it is when accounts are made.
///
/// A wrong e-mail and a wrong password take the same time and get the same answer. Failures
/// are counted for 15 minutes from the first: after 10 for one e-mail from one client address,
/// 50 from one address whatever the e-mail (password spraying), or 100 for one e-mail from any
/// address, sign-in answers 429 with `Retry-After` until the window ends, even with the right
/// password. The client address is the connection's, or behind a configured trusted proxy the
/// one it forwards. When too many passwords are being checked at once, it answers 503 with
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
    let parsed = sign_in_email(&email)?;
    // Counted per address as accounts know it, so look-alike spellings share one count.
    let counted = parsed.as_ref().map_or(email.as_str(), Email::as_str);
    let client = ClientAddress::of(client_address(&req, &state.trusted_proxies));
    let (guards, now) = (Subject::sign_in(client, counted), state.now());
    let g = guards.clone();
    let found = state
        .read(move |c| auth_service::credentials(c, &g, parsed.as_ref(), now))
        .await?;
    let phc = found
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |f| f.1.clone());
    let matches = state.hashers.verify(password, phc).await?;
    let Some((user, _, _)) = found.filter(|f| matches && f.2) else {
        state
            .write(move |tx| auth_service::count_wrong_guess(tx, &guards, now))
            .await?;
        return Err(ApiError::Unauthorized(BAD_CREDENTIALS.to_owned()));
    };
    let st = state.clone();
    let pair = state
        .write(move |tx| auth_service::sign_in(tx, issuer(&st), user, &guards[0], now))
        .await?
        .ok_or_else(|| ApiError::Unauthorized(BAD_CREDENTIALS.to_owned()))?;
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
