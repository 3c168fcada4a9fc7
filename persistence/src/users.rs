//! Users: insert, find, list, update. Reads return [`UserRecord`]s: the domain [`User`] with
//! its version and timestamps, stored values parsed once (`stored::`).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::users;
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::email::Email;
use seriktes_domain::ids::UserId;
use seriktes_domain::user::{SystemRole, User};

/// A stored user: the account, its version (ETag) and when it was created and last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// The account.
    pub user: User,
    /// Incremented on every change.
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    /// The domain form; a stored value the domain refuses is `StoreError::Corrupt`.
    pub fn into_record(self) -> Result<UserRecord, StoreError> {
        Ok(UserRecord {
            user: User {
                id: stored::id("users.id", &self.id, UserId::parse)?,
                email: stored::value("users.email", &self.email, Email::parse)?,
                name: self.name,
                system_role: stored::value(
                    "users.system_role",
                    &self.system_role,
                    SystemRole::parse,
                )?,
                active: self.active,
            },
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A new account to store.
#[derive(Debug)]
pub struct NewUser<'a> {
    /// Id.
    pub id: UserId,
    /// E-mail address.
    pub email: &'a Email,
    /// Display name.
    pub name: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// System role.
    pub system_role: SystemRole,
    /// Whether the user may sign in.
    pub active: bool,
}

/// Stores a new account and returns it (`RETURNING`, no re-read).
pub fn create(
    conn: &mut DbConn,
    new: &NewUser<'_>,
    now: NaiveDateTime,
) -> Result<UserRecord, StoreError> {
    let id = new.id.to_string();
    let row: UserRow = diesel::insert_into(users::table)
        .values(&NewUserRow {
            id: &id,
            email: new.email.as_str(),
            name: new.name,
            password_hash: new.password_hash,
            system_role: new.system_role.as_str(),
            active: new.active,
            created_at: now,
            updated_at: now,
        })
        .returning(users::all_columns)
        .get_result(conn)?;
    row.into_record()
}

/// One account.
pub fn get(conn: &mut DbConn, id: UserId) -> Result<UserRecord, StoreError> {
    find(conn, &id.to_string())?.into_record()
}

/// One account with its password hash.
pub fn get_with_hash(conn: &mut DbConn, id: UserId) -> Result<(UserRecord, String), StoreError> {
    let mut row = find(conn, &id.to_string())?;
    let hash = std::mem::take(&mut row.password_hash);
    Ok((row.into_record()?, hash))
}

/// The account with this e-mail address, with its password hash.
pub fn by_email_with_hash(
    conn: &mut DbConn,
    email: &Email,
) -> Result<Option<(UserRecord, String)>, StoreError> {
    find_by_email(conn, email.as_str())?
        .map(|mut row| {
            let hash = std::mem::take(&mut row.password_hash);
            Ok((row.into_record()?, hash))
        })
        .transpose()
}

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
    pub system_role: Option<SystemRole>,
    /// Only users changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of users, by id.
pub fn list(
    conn: &mut DbConn,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<Page<UserRecord>, StoreError> {
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
        q = q.filter(users::system_role.eq(role.as_str()));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(users::updated_at.ge(since));
    }
    let rows = q
        .order(users::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let rows = rows
        .into_iter()
        .map(UserRow::into_record)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(rows, page, |r| r.user.id.to_string()))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Applies `changes` to the account read at version `current` if it is still at
/// `expected_version` (when given); bumps the version and returns the account.
pub fn update(
    conn: &mut DbConn,
    id: UserId,
    current: i64,
    expected_version: Option<i64>,
    changes: &UserChanges,
    now: NaiveDateTime,
) -> Result<UserRecord, StoreError> {
    let key = id.to_string();
    update_versioned!(conn, users, &key, current, expected_version, now, changes)?;
    get(conn, id)
}

/// How many active admins there are.
pub fn count_active_admins(conn: &mut DbConn) -> Result<i64, StoreError> {
    Ok(users::table
        .filter(users::system_role.eq("admin"))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?)
}
