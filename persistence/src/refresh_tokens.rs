//! Refresh tokens: stored as SHA-256 hashes, rotated on use, revoked by family.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::refresh_tokens;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored refresh token.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    /// UUID.
    pub id: String,
    /// Every token rotated from one login shares a family.
    pub family_id: String,
    /// The user it signs in.
    pub user_id: String,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// When it was exchanged for a new pair; a second use is a replay.
    pub used_at: Option<NaiveDateTime>,
    /// When it was revoked (logout, replay, password change, deactivation).
    pub revoked_at: Option<NaiveDateTime>,
    /// When issued.
    pub created_at: NaiveDateTime,
}

/// A token to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshTokenRow<'a> {
    /// UUID.
    pub id: &'a str,
    /// Family UUID.
    pub family_id: &'a str,
    /// User UUID.
    pub user_id: &'a str,
    /// Hex SHA-256 of the token.
    pub token_hash: &'a str,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// When issued.
    pub created_at: NaiveDateTime,
}

/// Stores a new token.
pub fn insert(conn: &mut DbConn, row: &NewRefreshTokenRow<'_>) -> Result<(), StoreError> {
    diesel::insert_into(refresh_tokens::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Finds a token by its hash.
pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> Result<Option<RefreshTokenRow>, StoreError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a token used, if nobody else did first; returns whether this call did.
pub fn mark_used(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<bool, StoreError> {
    let n = diesel::update(
        refresh_tokens::table
            .find(id)
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
    family_id: &str,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?)
}

/// Revokes every live token of a user.
pub fn revoke_user(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
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
