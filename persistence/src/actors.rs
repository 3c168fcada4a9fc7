//! The caller of a request, as `domain::access::Actor`: the user with every membership, in
//! one statement, on the request's own checkout.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::{memberships, users};
use crate::stored;
use diesel::prelude::*;
use seriktes_domain::access::Actor;
use seriktes_domain::ids::{OrganizationId, UserId};
use seriktes_domain::membership::OrgRole;
use seriktes_domain::user::SystemRole;

/// The active user `id` with their memberships, if `session_generation` is still theirs;
/// `None` when the user is gone or deactivated, or has had their sessions ended since the
/// token was issued (a new password): their tokens stop working at once.
pub fn load(
    conn: &mut DbConn,
    id: UserId,
    session_generation: i64,
) -> Result<Option<Actor>, StoreError> {
    let query = users::table
        .left_join(memberships::table.on(memberships::user_id.eq(users::id)))
        .filter(users::id.eq(id.to_string()))
        .filter(users::active.eq(true))
        .filter(users::session_generation.eq(session_generation))
        .select((
            users::system_role,
            memberships::organization_id.nullable(),
            memberships::role.nullable(),
        ));
    // Every request runs this: on the backend's own connection, found in its statement cache
    // by type (see `db::DbConn`).
    let rows: Vec<(String, Option<String>, Option<String>)> =
        crate::on_backend!(conn, |c| query.load(c))?;
    let Some((role, _, _)) = rows.first() else {
        return Ok(None);
    };
    let system_role = stored::value("users.system_role", role, SystemRole::parse)?;
    let mut memberships = Vec::with_capacity(rows.len());
    for (_, org, role) in &rows {
        if let (Some(org), Some(role)) = (org, role) {
            memberships.push((
                stored::id("memberships.organization_id", org, OrganizationId::parse)?,
                stored::value("memberships.role", role, OrgRole::parse)?,
            ));
        }
    }
    Ok(Some(Actor::user(id, system_role, memberships)))
}
