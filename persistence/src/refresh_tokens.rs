//! Refresh tokens: stored as SHA-256 hashes, rotated on use, revoked by family. Read back with
//! typed ids, parsed once here (`stored::id`).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::refresh_tokens;
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::ids::{TokenFamilyId, UserId};

/// A stored refresh token (found by the hash of the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// Every token rotated from one sign-in shares a family.
    pub family: TokenFamilyId,
    /// The user it signs in.
    pub user: UserId,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// When it was exchanged for a new pair; a second use is a replay.
    pub used_at: Option<NaiveDateTime>,
    /// When it was revoked (logout, replay, password change, deactivation).
    pub revoked_at: Option<NaiveDateTime>,
}

/// A token to store.
#[derive(Debug, Clone, Copy)]
pub struct NewRefreshToken<'a> {
    /// The sign-in it belongs to.
    pub family: TokenFamilyId,
    /// The user it signs in.
    pub user: UserId,
    /// Hex SHA-256 of the token.
    pub token_hash: &'a str,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// When issued.
    pub created_at: NaiveDateTime,
}

/// Stores a new token (its row id is a fresh UUIDv7).
pub fn insert(conn: &mut DbConn, token: &NewRefreshToken<'_>) -> Result<(), StoreError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(uuid::Uuid::now_v7().to_string()),
            refresh_tokens::family_id.eq(token.family.to_string()),
            refresh_tokens::user_id.eq(token.user.to_string()),
            refresh_tokens::token_hash.eq(token.token_hash),
            refresh_tokens::expires_at.eq(token.expires_at),
            refresh_tokens::created_at.eq(token.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

type Stored = (
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// Finds a token by its hash.
pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> Result<Option<RefreshToken>, StoreError> {
    let row: Option<Stored> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .select((
            refresh_tokens::family_id,
            refresh_tokens::user_id,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .first(conn)
        .optional()?;
    row.map(|(family, user, expires_at, used_at, revoked_at)| {
        Ok(RefreshToken {
            family: stored::id("refresh_tokens.family_id", &family, TokenFamilyId::parse)?,
            user: stored::id("refresh_tokens.user_id", &user, UserId::parse)?,
            expires_at,
            used_at,
            revoked_at,
        })
    })
    .transpose()
}

/// Marks the token with this hash used, if nobody else did first; returns whether this call did.
pub fn mark_used(conn: &mut DbConn, hash: &str, now: NaiveDateTime) -> Result<bool, StoreError> {
    let n = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(hash))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Revokes every live token of a family.
pub fn revoke_family(
    conn: &mut DbConn,
    family: TokenFamilyId,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family.to_string()))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?)
}

/// Revokes every live token of a user.
pub fn revoke_user(
    conn: &mut DbConn,
    user: UserId,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user.to_string()))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?)
}

/// Deletes tokens that expired before `cutoff` (housekeeping at start-up).
pub fn delete_expired(conn: &mut DbConn, cutoff: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(cutoff)))
            .execute(conn)?,
    )
}
