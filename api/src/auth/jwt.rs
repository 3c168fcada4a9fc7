//! HS256 access tokens with `sub`, `exp`, `iat`, `jti` and `iss`. Only HS256 is accepted:
//! `alg: none`, other algorithms, bad signatures and expired tokens are all refused.

use crate::settings::Secret;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::time::Duration;

const ISSUER: &str = "seriktes";

/// Longest access token issued: a HS256 JWT of the fixed claims below, whose widest values
/// (a user id, a 19-digit time) need about 300 characters.
pub const MAX_TOKEN_CHARS: usize = 512;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Unique token id.
    pub jti: String,
    /// Always `seriktes`.
    pub iss: String,
}

/// Signing and verification keys, built once at start.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl JwtKeys {
    /// Keys from the configured secret.
    pub fn new(secret: &Secret, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        // Expiry is checked against the application's clock in `verify`, not the system's.
        validation.validate_exp = false;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            ttl,
        }
    }

    /// How long an access token lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Issues an access token for `user_id` at `now` (seconds since the epoch).
    pub fn issue(&self, user_id: &str, now: i64) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: user_id.to_owned(),
            iat: now,
            exp: now.saturating_add(i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX)),
            jti: uuid::Uuid::new_v4().to_string(),
            iss: ISSUER.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Verifies a token at `now` (seconds since the epoch) and returns its claims.
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, jsonwebtoken::errors::Error> {
        let claims =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?.claims;
        let leeway = i64::try_from(self.validation.leeway).unwrap_or(0);
        if claims.exp.saturating_add(leeway) < now {
            return Err(jsonwebtoken::errors::ErrorKind::ExpiredSignature.into());
        }
        Ok(claims)
    }
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(&Secret::new("a".repeat(32)), Duration::from_secs(900))
    }

    #[test]
    fn an_issued_token_verifies() {
        let now = 1_800_000_000;
        let t = keys().issue("u1", now).unwrap();
        let c = keys().verify(&t, now).unwrap();
        assert_eq!((c.sub.as_str(), c.exp - c.iat), ("u1", 900));
    }

    #[test]
    fn the_widest_token_fits_its_bound() {
        let user = uuid::Uuid::max().to_string();
        let t = keys().issue(&user, i64::MAX).unwrap();
        assert!(t.len() <= MAX_TOKEN_CHARS, "{} characters", t.len());
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let now = 1_800_000_000;
        let long_ago = now - 3600;
        assert!(
            keys()
                .verify(&keys().issue("u1", long_ago).unwrap(), now)
                .is_err()
        );
        let other = JwtKeys::new(&Secret::new("b".repeat(32)), Duration::from_secs(900));
        assert!(
            keys()
                .verify(&other.issue("u1", now).unwrap(), now)
                .is_err()
        );
    }
}
