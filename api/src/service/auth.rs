//! Sign-in, refresh-token rotation and sign-out, on the application's clock.
//!
//! A refresh token is used once: refreshing returns a new pair and marks the old token used.
//! Presenting a used token again means it was copied, so the whole family (every token rotated
//! from that sign-in) is revoked and the caller must sign in again (OAuth 2.0 Security BCP §4.14).

use crate::auth::JwtKeys;
use crate::auth::refresh as refresh_token;
use crate::error::ApiError;
use chrono::{NaiveDateTime, TimeDelta};
use seriktes_domain::email::Email;
use seriktes_domain::ids::{TokenFamilyId, UserId};
use seriktes_domain::throttle::{self as domain_throttle, Subject};
use seriktes_persistence::db::Tx;
use seriktes_persistence::refresh_tokens::{self, NewRefreshToken};
use seriktes_persistence::users::UserRecord;
use seriktes_persistence::{DbConn, throttle, users};
use std::time::Duration;

/// What issuing tokens needs: the access-token keys and the refresh-token lifetime.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    /// Access-token keys.
    pub keys: &'a JwtKeys,
    /// Lifetime of a refresh token.
    pub refresh_ttl: Duration,
}

/// A new access token and refresh token.
#[derive(Debug)]
pub struct TokenPair {
    /// The JWT.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// The refresh token, given out once.
    pub refresh_token: String,
}

/// Refuses (429 with the seconds to wait) when any of the `guards` counts is full at `now`.
pub fn check_guesses(
    conn: &mut DbConn,
    guards: &[Subject],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let counts = throttle::counts(conn, guards)?;
    let pairs: Vec<_> = guards.iter().zip(counts).collect();
    domain_throttle::check(&pairs, now).map_err(ApiError::TooManyRequests)
}

/// Counts a wrong guess against each of the `guards`.
pub fn count_wrong_guess(
    tx: &mut Tx<'_>,
    guards: &[Subject],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    Ok(throttle::fail(
        tx,
        guards,
        now,
        domain_throttle::window_cutoff(now),
    )?)
}

/// Who signs in with an e-mail address (the user id, password hash and whether active),
/// unless the sign-in `guards` refuse the attempt first (429).
pub fn credentials(
    conn: &mut DbConn,
    guards: &[Subject],
    email: Option<&Email>,
    now: NaiveDateTime,
) -> Result<Option<(UserId, String, bool)>, ApiError> {
    check_guesses(conn, guards, now)?;
    let Some(email) = email else { return Ok(None) };
    Ok(users::by_email_with_hash(conn, email)?.map(|(r, hash)| (r.user.id, hash, r.user.active)))
}

/// Starts a new sign-in (a new token family) for a user whose password was verified, and
/// forgets the failures of `pair` (this e-mail from this address); `None` when the account
/// was deactivated meanwhile.
pub fn sign_in(
    tx: &mut Tx<'_>,
    issuer: Issuer<'_>,
    user: UserId,
    pair: &Subject,
    now: NaiveDateTime,
) -> Result<Option<TokenPair>, ApiError> {
    let record = users::get(tx, user)?;
    if !record.user.active {
        return Ok(None);
    }
    throttle::clear(tx, pair)?;
    let family = TokenFamilyId::from_uuid(uuid::Uuid::now_v7());
    issue_pair(tx, issuer, &record, family, now).map(Some)
}

/// Stores a new refresh token of `family_id` and returns the token pair, the access token of
/// the user's current session generation.
fn issue_pair(
    tx: &mut Tx<'_>,
    issuer: Issuer<'_>,
    record: &UserRecord,
    family: TokenFamilyId,
    now: NaiveDateTime,
) -> Result<TokenPair, ApiError> {
    let user = record.user.id;
    let token = refresh_token::generate().map_err(ApiError::internal)?;
    let ttl = TimeDelta::from_std(issuer.refresh_ttl).map_err(ApiError::internal)?;
    refresh_tokens::insert(
        tx,
        &NewRefreshToken {
            family,
            user,
            token_hash: &refresh_token::hash(&token),
            expires_at: now + ttl,
            created_at: now,
        },
    )?;
    let access_token = issuer
        .keys
        .issue(
            &user.to_string(),
            record.session_generation,
            now.and_utc().timestamp(),
        )
        .map_err(ApiError::internal)?;
    Ok(TokenPair {
        access_token,
        expires_in: issuer.keys.ttl().as_secs(),
        refresh_token: token,
    })
}

/// Exchanges a refresh token for a new pair. `None` is a refusal; a replayed token's family
/// is revoked, and that revocation must commit, so a refusal is a value, not an error.
pub fn rotate(
    tx: &mut Tx<'_>,
    issuer: Issuer<'_>,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<TokenPair>, ApiError> {
    let hash = refresh_token::hash(token);
    let Some(row) = refresh_tokens::find_by_hash(tx, &hash)? else {
        return Ok(None);
    };
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Ok(None);
    }
    if row.used_at.is_some() || !refresh_tokens::mark_used(tx, &hash, now)? {
        let n = refresh_tokens::revoke_family(tx, row.family, now)?;
        log::warn!(
            "refresh token replayed: family {} revoked ({n} tokens)",
            row.family
        );
        return Ok(None);
    }
    let record = users::get(tx, row.user)?;
    if !record.user.active {
        refresh_tokens::revoke_family(tx, row.family, now)?;
        return Ok(None);
    }
    issue_pair(tx, issuer, &record, row.family, now).map(Some)
}

/// Signs out: revokes the token's family, if the token is known.
pub fn sign_out(tx: &mut Tx<'_>, token: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    if let Some(row) = refresh_tokens::find_by_hash(tx, &refresh_token::hash(token))? {
        refresh_tokens::revoke_family(tx, row.family, now)?;
    }
    Ok(())
}
