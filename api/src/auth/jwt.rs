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
    /// The user's session generation when the token was issued; a token of an older
    /// generation is refused (the user changed their password since). Tokens issued before
    /// generations existed carry none and count as generation 0.
    #[serde(default)]
    pub sgen: i64,
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

    fn ttl_secs(&self) -> i64 {
        i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX)
    }

    /// Issues an access token for `user_id` of session generation `sgen` at `now` (seconds
    /// since the epoch).
    pub fn issue(
        &self,
        user_id: &str,
        sgen: i64,
        now: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: user_id.to_owned(),
            iat: now,
            exp: now.saturating_add(self.ttl_secs()),
            jti: uuid::Uuid::new_v4().to_string(),
            iss: ISSUER.to_owned(),
            sgen,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Verifies a token at `now` (seconds since the epoch) and returns its claims. Besides the
    /// signature, algorithm and issuer: refused when expired, issued in the future, or given a
    /// longer life than this server gives (all with the same few seconds of leeway for clocks).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, jsonwebtoken::errors::Error> {
        use jsonwebtoken::errors::ErrorKind;
        let claims =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?.claims;
        let leeway = i64::try_from(self.validation.leeway).unwrap_or(0);
        if claims.exp.saturating_add(leeway) < now {
            return Err(ErrorKind::ExpiredSignature.into());
        }
        if claims.iat > now.saturating_add(leeway) {
            return Err(ErrorKind::ImmatureSignature.into());
        }
        if claims.exp.saturating_sub(claims.iat) > self.ttl_secs().saturating_add(leeway) {
            return Err(ErrorKind::InvalidToken.into());
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
        let t = keys().issue("u1", 3, now).unwrap();
        let c = keys().verify(&t, now).unwrap();
        assert_eq!((c.sub.as_str(), c.exp - c.iat, c.sgen), ("u1", 900, 3));
    }

    fn signed(claims: &serde_json::Value) -> String {
        let key = EncodingKey::from_secret("a".repeat(32).as_bytes());
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key).unwrap()
    }

    #[test]
    fn tokens_issued_in_the_future_or_living_too_long_are_refused() {
        let now = 1_800_000_000_i64;
        let claims = |iat: i64, exp: i64| serde_json::json!({"sub": "u1", "iat": iat, "exp": exp, "jti": "j", "iss": "seriktes"});
        // Within the rules, and at their edges (5 s of leeway).
        for (iat, exp) in [
            (now, now + 900),
            (now + 5, now + 905),
            (now - 10, now + 895),
        ] {
            let c = keys().verify(&signed(&claims(iat, exp)), now).unwrap();
            assert_eq!(c.sgen, 0, "a token without a generation is generation 0");
        }
        // Issued in the future, or given more than the configured 15 minutes.
        for (iat, exp) in [
            (now + 60, now + 900),
            (now, now + 906),
            (now - 3600, now + 86_400),
        ] {
            assert!(
                keys().verify(&signed(&claims(iat, exp)), now).is_err(),
                "iat {iat} exp {exp}"
            );
        }
    }

    #[test]
    fn the_widest_token_fits_its_bound() {
        let user = uuid::Uuid::max().to_string();
        let t = keys().issue(&user, i64::MAX, i64::MAX).unwrap();
        assert!(t.len() <= MAX_TOKEN_CHARS, "{} characters", t.len());
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let now = 1_800_000_000;
        let long_ago = now - 3600;
        assert!(
            keys()
                .verify(&keys().issue("u1", 0, long_ago).unwrap(), now)
                .is_err()
        );
        let other = JwtKeys::new(&Secret::new("b".repeat(32)), Duration::from_secs(900));
        assert!(
            keys()
                .verify(&other.issue("u1", 0, now).unwrap(), now)
                .is_err()
        );
    }
}
