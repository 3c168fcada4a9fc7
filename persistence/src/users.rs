//! Users: insert, find, list, update.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::users;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored user.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    /// UUID.
    pub id: String,
    /// Normalised e-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// `admin` or `user`.
    pub system_role: String,
    /// Whether the user may sign in.
    pub active: bool,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow<'a> {
    /// UUID.
    pub id: &'a str,
    /// Normalised e-mail address.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// `admin` or `user`.
    pub system_role: &'a str,
    /// Whether the user may sign in.
    pub active: bool,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// Same as `created_at`.
    pub updated_at: NaiveDateTime,
}

/// Changes to a user; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    /// New normalised e-mail address.
    pub email: Option<String>,
    /// New display name.
    pub name: Option<String>,
    /// New password hash.
    pub password_hash: Option<String>,
    /// New system role.
    pub system_role: Option<String>,
    /// New active flag.
    pub active: Option<bool>,
}

/// Inserts a user.
pub fn insert(conn: &mut DbConn, row: &NewUserRow<'_>) -> Result<UserRow, StoreError> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    find(conn, row.id)
}

/// Finds a user by id.
pub fn find(conn: &mut DbConn, id: &str) -> Result<UserRow, StoreError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)?)
}

/// Finds a user by normalised e-mail address.
pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct UserFilter {
    /// Only users whose e-mail contains this (lower-case) text.
    pub email_contains: Option<String>,
    /// Only active or only inactive users.
    pub active: Option<bool>,
    /// Only users with this system role.
    pub system_role: Option<String>,
    /// Only users changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of users, by id.
pub fn list(
    conn: &mut DbConn,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<Page<UserRow>, StoreError> {
    let mut q = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(users::id.gt(after.clone()));
    }
    if let Some(text) = &filter.email_contains {
        q = q.filter(
            users::email
                .like(format!("%{}%", escape_like(text)))
                .escape('\\'),
        );
    }
    if let Some(active) = filter.active {
        q = q.filter(users::active.eq(active));
    }
    if let Some(role) = &filter.system_role {
        q = q.filter(users::system_role.eq(role.clone()));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(users::updated_at.ge(since));
    }
    let rows = q
        .order(users::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.clone()))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Applies `changes` if the user is still at `expected_version` (when given); bumps the version.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    expected_version: Option<i64>,
    changes: &UserChanges,
    now: NaiveDateTime,
) -> Result<UserRow, StoreError> {
    let current = find(conn, id)?;
    update_versioned!(
        conn,
        users,
        id,
        current.version,
        expected_version,
        now,
        changes
    )?;
    find(conn, id)
}

/// How many active admins there are.
pub fn count_active_admins(conn: &mut DbConn) -> Result<i64, StoreError> {
    Ok(users::table
        .filter(users::system_role.eq("admin"))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?)
}
