//! Wire forms of sign-in and refresh.

use crate::auth::refresh::TOKEN_CHARS;
use crate::service::auth::TokenPair;
use serde::{Deserialize, Serialize};
use seriktes_domain::email::Email;
use seriktes_domain::user::NewPassword;
use seriktes_domain::{DomainError, Validator};
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

impl LoginRequest {
    /// The request, if neither value is longer than an account's can be (so no password
    /// longer than the policy allows is ever hashed).
    pub fn checked(self) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        v.max_chars("email", &self.email, Email::MAX_LEN);
        v.max_chars("password", &self.password, NewPassword::MAX_CHARS);
        v.finish().map(|()| self)
    }
}

/// A refresh token, to rotate or revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "m0C8mYcQ3j6Jr7n8yXG0hE2kYQW0bS3p4D9VqfJf2xA"}))]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    pub refresh_token: String,
}

impl RefreshRequest {
    /// The token, if it is no longer than the tokens this API issues.
    pub fn token(self) -> Result<String, DomainError> {
        let mut v = Validator::new();
        v.max_chars("refresh_token", &self.refresh_token, TOKEN_CHARS);
        v.finish().map(|()| self.refresh_token)
    }
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

impl From<TokenPair> for TokenResponse {
    fn from(p: TokenPair) -> Self {
        Self {
            access_token: p.access_token,
            token_type: "Bearer",
            expires_in: p.expires_in,
            refresh_token: p.refresh_token,
        }
    }
}
