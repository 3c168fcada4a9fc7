//! Users: create, get, list, update. Reads return [`UserRecord`]s: the domain [`User`] with
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
    /// The session generation access tokens must carry (see [`end_sessions`]).
    pub session_generation: i64,
}

impl UserRow {
    /// The domain form; a stored value the domain refuses is `StoreError::Corrupt`.
    fn into_record(self) -> Result<UserRecord, StoreError> {
        Ok(UserRecord {
            user: User {
                id: stored::id("users.id", &self.id, UserId::parse)?,
                email: stored::value("users.email", &self.email, Email::from_stored)?,
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
            session_generation: self.session_generation,
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
    find(conn, id)?.into_record()
}

/// One account with its password hash.
pub fn get_with_hash(conn: &mut DbConn, id: UserId) -> Result<(UserRecord, String), StoreError> {
    let mut row = find(conn, id)?;
    let hash = std::mem::take(&mut row.password_hash);
    Ok((row.into_record()?, hash))
}

/// The account with this e-mail address, with its password hash.
pub fn by_email_with_hash(
    conn: &mut DbConn,
    email: &Email,
) -> Result<Option<(UserRecord, String)>, StoreError> {
    users::table
        .filter(users::email.eq(email.as_str()))
        .select(UserRow::as_select())
        .first::<UserRow>(conn)
        .optional()?
        .map(|mut row| {
            let hash = std::mem::take(&mut row.password_hash);
            Ok((row.into_record()?, hash))
        })
        .transpose()
}

/// Which of `ids` name active accounts (one statement).
pub fn active(conn: &mut DbConn, ids: &[UserId]) -> Result<Vec<UserId>, StoreError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let found: Vec<String> = users::table
        .filter(users::id.eq_any(raw))
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)?;
    found
        .iter()
        .map(|id| stored::id("users.id", id, UserId::parse))
        .collect()
}

/// A stored user. Fields in the table's column order (`RETURNING users::all_columns` reads
/// into it).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    /// Normalised e-mail address.
    email: String,
    name: String,
    /// argon2id PHC string.
    password_hash: String,
    /// `admin` or `user`.
    system_role: String,
    active: bool,
    /// Incremented on every change (ETag).
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    session_generation: i64,
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    id: &'a str,
    email: &'a str,
    name: &'a str,
    password_hash: &'a str,
    system_role: &'a str,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChanges {
    /// New e-mail address.
    pub email: Option<Email>,
    /// New display name.
    pub name: Option<String>,
    /// New password hash (argon2id PHC string).
    pub password_hash: Option<String>,
    /// New system role.
    pub system_role: Option<SystemRole>,
    /// New active flag.
    pub active: Option<bool>,
}

/// The columns [`UserChanges`] writes.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = users)]
struct UserChangeset<'a> {
    email: Option<&'a str>,
    name: Option<&'a str>,
    password_hash: Option<&'a str>,
    system_role: Option<&'static str>,
    active: Option<bool>,
}

impl UserChanges {
    fn columns(&self) -> UserChangeset<'_> {
        UserChangeset {
            email: self.email.as_ref().map(Email::as_str),
            name: self.name.as_deref(),
            password_hash: self.password_hash.as_deref(),
            system_role: self.system_role.map(SystemRole::as_str),
            active: self.active,
        }
    }
}

/// Finds a user by id.
fn find(conn: &mut DbConn, id: UserId) -> Result<UserRow, StoreError> {
    Ok(users::table
        .find(id.to_string())
        .select(UserRow::as_select())
        .first(conn)?)
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
fn escape_like(text: &str) -> String {
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
    update_versioned!(
        conn,
        users,
        &key,
        current,
        expected_version,
        now,
        changes.columns()
    )?;
    get(conn, id)
}

/// Ends every session of the user: the session generation moves on, so access tokens issued
/// before stop working at once (the caller is loaded only with the current generation,
/// `actors::load`). Refresh tokens are revoked separately (`refresh_tokens::revoke_user`).
pub fn end_sessions(conn: &mut DbConn, id: UserId) -> Result<(), StoreError> {
    diesel::update(users::table.find(id.to_string()))
        .set(users::session_generation.eq(users::session_generation + 1))
        .execute(conn)?;
    Ok(())
}

/// How many active admins there are.
pub fn count_active_admins(conn: &mut DbConn) -> Result<i64, StoreError> {
    Ok(users::table
        .filter(users::system_role.eq(SystemRole::Admin.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?)
}
