//! The caller's standing in an organisation as the routes not yet moved to
//! `seriktes_domain::access` decide it.
//!
//! Kept only until every route uses `domain::access` (an `Actor` loaded by `AppState::read_as`
//! / `write_as` and a pure policy per resource); then this module goes. New code must not use it.

use crate::auth::CurrentUser;
use crate::error::ApiError;
use seriktes_domain::membership::{OrgActor, OrgRole};
use seriktes_persistence::{DbConn, memberships};

/// How the caller relates to an organisation: admin, a member with a role, or neither.
pub(crate) fn actor_for(
    conn: &mut DbConn,
    caller: &CurrentUser,
    org_id: &str,
) -> Result<Option<OrgActor>, ApiError> {
    if caller.is_admin() {
        return Ok(Some(OrgActor::Admin));
    }
    match memberships::find(conn, org_id, caller.id())? {
        Some(m) => Ok(Some(OrgActor::Member(
            OrgRole::parse(&m.role).map_err(ApiError::internal)?,
        ))),
        None => Ok(None),
    }
}

/// The caller's system role and memberships, loaded once so that a list can decide access for
/// every row without a query per row.
#[derive(Debug, Clone)]
pub(crate) struct Standing {
    admin: bool,
    roles: Vec<(String, OrgRole)>,
}

impl Standing {
    /// Loads the caller's memberships (one query).
    pub(crate) fn load(conn: &mut DbConn, caller: &CurrentUser) -> Result<Self, ApiError> {
        let roles = memberships::of_user(conn, caller.id())?
            .into_iter()
            .map(|(m, _)| {
                Ok((
                    m.organization_id,
                    OrgRole::parse(&m.role).map_err(ApiError::internal)?,
                ))
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(Self {
            admin: caller.is_admin(),
            roles,
        })
    }

    /// How the caller relates to an organisation (as [`actor_for`] would answer).
    pub(crate) fn actor(&self, org_id: &str) -> Option<OrgActor> {
        if self.admin {
            return Some(OrgActor::Admin);
        }
        self.roles
            .iter()
            .find(|(o, _)| o == org_id)
            .map(|(_, r)| OrgActor::Member(*r))
    }
}
