//! `CurrentUser`: the user a valid `Authorization: Bearer <access token>` names, loaded fresh
//! from the database so that deactivation and role changes take effect at once.

use crate::error::ApiError;
use crate::state::State;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use seriktes_domain::user::SystemRole;
use seriktes_persistence::users::{self, UserRow};
use std::future::Future;
use std::pin::Pin;

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The stored user.
    pub row: UserRow,
    /// The user's system role.
    pub role: SystemRole,
}

impl CurrentUser {
    /// The user's id.
    pub fn id(&self) -> &str {
        &self.row.id
    }

    /// Whether the user is a system administrator.
    pub fn is_admin(&self) -> bool {
        self.role == SystemRole::Admin
    }

    /// Fails with 403 unless the user is an administrator.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::Forbidden("This needs the admin role.".to_owned()))
        }
    }
}

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

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<State>().cloned();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let token = token?.ok_or_else(|| {
                ApiError::Unauthorized(
                    "Sign in and send 'Authorization: Bearer <token>'.".to_owned(),
                )
            })?;
            let claims = state.keys.verify(&token).map_err(|e| {
                log::debug!("access token refused: {e}");
                ApiError::Unauthorized(INVALID.to_owned())
            })?;
            let row = state
                .read(move |conn| match users::find(conn, &claims.sub) {
                    Err(seriktes_persistence::StoreError::NotFound) => Ok(None),
                    other => Ok(Some(other?)),
                })
                .await?
                .filter(|u| u.active)
                .ok_or_else(|| ApiError::Unauthorized(INVALID.to_owned()))?;
            let role = SystemRole::parse(&row.system_role).map_err(ApiError::internal)?;
            Ok(Self { row, role })
        })
    }
}

/// The signed-in user, or nobody: for endpoints anonymous callers may use too. A present but
/// invalid token is still 401, so a client never silently loses its identity.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().contains_key(header::AUTHORIZATION) {
            let user = CurrentUser::from_request(req, payload);
            Box::pin(async move { Ok(Self(Some(user.await?))) })
        } else {
            Box::pin(async { Ok(Self(None)) })
        }
    }
}
