//! Who calls. [`Caller`] verifies the access token's claims only (no database): the use case
//! loads the caller's `Actor` on the request's own checkout (`AppState::read_as`), so a
//! deactivated user is refused there, and a request costs one checkout.

use crate::error::ApiError;
use crate::state::State;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use seriktes_domain::ids::UserId;

/// The token of an `Authorization: Bearer …` header, if there is one.
fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default();
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(ApiError::Unauthorized(
            "The Authorization header must be 'Bearer <token>'.".to_owned(),
        )),
    }
}

const INVALID: &str = "The access token is invalid or has expired.";

/// The signed-in caller as the access token names them: claims verified, nothing loaded.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    /// The user the token was issued to.
    pub user: UserId,
    /// The user's session generation the token was issued at (`users.session_generation`).
    pub session_generation: i64,
}

fn verify_caller(req: &HttpRequest) -> Result<Option<Caller>, ApiError> {
    let Some(token) = bearer(req)? else {
        return Ok(None);
    };
    let state = req
        .app_data::<State>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let claims = state
        .keys
        .verify(&token, state.now().and_utc().timestamp())
        .map_err(|e| {
            log::debug!("access token refused: {e}");
            ApiError::Unauthorized(INVALID.to_owned())
        })?;
    let user =
        UserId::parse(&claims.sub).map_err(|_| ApiError::Unauthorized(INVALID.to_owned()))?;
    Ok(Some(Caller {
        user,
        session_generation: claims.sgen,
    }))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(verify_caller(req).and_then(|c| {
            c.ok_or_else(|| {
                ApiError::Unauthorized(
                    "Sign in and send 'Authorization: Bearer <token>'.".to_owned(),
                )
            })
        }))
    }
}

/// The caller, or nobody: for endpoints anonymous callers may use too. A present but invalid
/// token is still 401, so a client never silently loses its identity.
#[derive(Debug, Clone, Copy)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(verify_caller(req).map(Self))
    }
}
