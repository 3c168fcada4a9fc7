//! Accounts: created by admins (or `seriktes create-admin`), listed and changed by admins,
//! read and re-passworded by their own user through `/me`. Passwords arrive hashed: hashing
//! runs on its own threads before the transaction starts.
//!
//! Authorising before hashing: a hash costs tens of milliseconds and 19 MiB, so a caller who
//! may not manage accounts must be refused before one is computed (and before the body is
//! judged: a non-admin learns 403, not which fields are wrong). Hashing inside the write
//! transaction would hold a connection and a transaction open for the whole hash, so the
//! routes that hash (`POST /users`, `PATCH /users/{id}` with a password) first run
//! [`may_manage`] on a checkout of its own (one statement: the actor), hash, then run the
//! write use case, which authorises again on its own checkout (the actor may have changed in
//! between). Two checkouts for these requests; every other request keeps one.

use crate::auth::password::HashedPassword;
use crate::error::ApiError;
use crate::service::auth;
use crate::service::events::{self, Event};
use chrono::NaiveDateTime;
use seriktes_domain::access::user::{UserRight, user as policy};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::email::Email;
use seriktes_domain::ids::{OrganizationId, UserId};
use seriktes_domain::membership::OrgRole;
use seriktes_domain::text::LocalizedText;
use seriktes_domain::throttle::Subject;
use seriktes_domain::user::{NewUser, SystemRole, UserChange, check_admin_change};
use seriktes_persistence::db::Tx;
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::users::{self, UserChanges, UserFilter, UserRecord};
use seriktes_persistence::{DbConn, memberships, refresh_tokens, throttle};

/// Whether `actor` may manage account `target` (`None`: accounts as a whole); the cheap
/// check the routes run before hashing a password.
pub fn may_manage(actor: &Actor, target: Option<UserId>) -> Result<(), ApiError> {
    authorize(policy(actor, target), UserRight::Manage)?;
    Ok(())
}

/// Creates an account and records `user.create`. `actor` is `None` for the command line;
/// otherwise it must be an admin.
pub fn create_user(
    tx: &mut Tx<'_>,
    actor: Option<&Actor>,
    new: &NewUser,
    hash: &HashedPassword,
    now: NaiveDateTime,
) -> Result<UserRecord, ApiError> {
    if let Some(actor) = actor {
        authorize(policy(actor, None), UserRight::Manage)?;
    }
    let record = users::create(
        tx,
        &users::NewUser {
            id: UserId::from_uuid(uuid::Uuid::now_v7()),
            email: &new.email,
            name: &new.name,
            password_hash: hash.as_str(),
            system_role: new.system_role,
            active: new.active,
        },
        now,
    )?;
    let summary = format!(
        "created {} user {}",
        new.system_role.as_str(),
        record.user.email
    );
    events::record(
        tx,
        actor,
        now,
        Event::new("user.create", "user", record.user.id, summary),
    )?;
    Ok(record)
}

/// Creates an active administrator from the command line.
pub fn create_admin(
    tx: &mut Tx<'_>,
    email: Email,
    name: String,
    hash: &HashedPassword,
    now: NaiveDateTime,
) -> Result<UserRecord, ApiError> {
    let new = NewUser {
        email,
        name,
        system_role: SystemRole::Admin,
        active: true,
    };
    create_user(tx, None, &new, hash, now)
}

/// One page of accounts (admins).
pub fn list_users(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<Page<UserRecord>, ApiError> {
    authorize(policy(actor, None), UserRight::Manage)?;
    Ok(users::list(conn, filter, page)?)
}

/// One account (admins).
pub fn get_user(conn: &mut DbConn, actor: &Actor, id: UserId) -> Result<UserRecord, ApiError> {
    authorize(policy(actor, Some(id)), UserRight::Manage)?;
    Ok(users::get(conn, id)?)
}

/// Changes an account (admins); the last active admin stays one. A new password or a
/// deactivation signs the user out everywhere. Records `user.update`.
pub fn update_user(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: UserId,
    change: &UserChange,
    hash: Option<&HashedPassword>,
    expected_version: Option<i64>,
    now: NaiveDateTime,
) -> Result<UserRecord, ApiError> {
    authorize(policy(actor, Some(id)), UserRight::Manage)?;
    let before = users::get(tx, id)?;
    check_admin_change(&before.user, change, users::count_active_admins(tx)?)?;
    let changes = UserChanges {
        email: change.email.clone(),
        name: change.name.clone(),
        password_hash: hash.map(|h| h.as_str().to_owned()),
        system_role: change.system_role,
        active: change.active,
    };
    let after = users::update(tx, id, before.version, expected_version, &changes, now)?;
    if change.signs_out() {
        end_sessions(tx, id, now)?;
    }
    let event = Event::new("user.update", "user", id, change.describe());
    events::record(tx, Some(actor), now, event)?;
    Ok(after)
}

/// One organisation the signed-in user acts for.
#[derive(Debug, Clone)]
pub struct MyMembership {
    /// The organisation.
    pub organization: OrganizationId,
    /// Its name.
    pub organization_name: LocalizedText,
    /// The user's role in it.
    pub role: OrgRole,
}

/// The signed-in user's account and memberships.
pub fn me(conn: &mut DbConn, actor: &Actor) -> Result<(UserRecord, Vec<MyMembership>), ApiError> {
    let id = actor.user_id();
    authorize(policy(actor, Some(id)), UserRight::ReadOwn)?;
    let record = users::get(conn, id)?;
    let memberships = memberships::of_user(conn, id)?
        .into_iter()
        .map(|(m, organization_name)| MyMembership {
            organization: m.organization,
            organization_name,
            role: m.role,
        })
        .collect();
    Ok((record, memberships))
}

/// The signed-in user's password hash, to verify the current password against; 429 when
/// they have guessed wrong too often (`domain::throttle`).
pub fn own_password_hash(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = actor.user_id();
    authorize(policy(actor, Some(id)), UserRight::ChangeOwnPassword)?;
    auth::check_guesses(conn, &[Subject::CurrentPassword(id)], now)?;
    Ok(users::get_with_hash(conn, id)?.1)
}

/// Counts a wrong current password of the signed-in user.
pub fn count_wrong_password(
    tx: &mut Tx<'_>,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    auth::count_wrong_guess(tx, &[Subject::CurrentPassword(actor.user_id())], now)
}

/// Sets the signed-in user's new password (the current one was verified) and signs every
/// session out. Records `user.password_change`.
pub fn change_own_password(
    tx: &mut Tx<'_>,
    actor: &Actor,
    hash: &HashedPassword,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let id = actor.user_id();
    authorize(policy(actor, Some(id)), UserRight::ChangeOwnPassword)?;
    let before = users::get(tx, id)?;
    let changes = UserChanges {
        password_hash: Some(hash.as_str().to_owned()),
        ..UserChanges::default()
    };
    users::update(tx, id, before.version, None, &changes, now)?;
    end_sessions(tx, id, now)?;
    throttle::clear(tx, &Subject::CurrentPassword(id))?;
    let event = Event::new("user.password_change", "user", id, "changed own password");
    events::record(tx, Some(actor), now, event)
}

/// Signs the user out everywhere: refresh tokens revoked, and access tokens issued before
/// refused from the next request on (the session generation moves on).
fn end_sessions(tx: &mut Tx<'_>, id: UserId, now: NaiveDateTime) -> Result<(), ApiError> {
    refresh_tokens::revoke_user(tx, id, now)?;
    users::end_sessions(tx, id)?;
    Ok(())
}
