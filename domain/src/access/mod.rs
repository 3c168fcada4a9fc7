//! Who may do what (DESIGN: "Who may do what"), decided here and nowhere else.
//!
//! An [`Actor`] is the caller: a user with a system role and memberships (later a service key
//! with scopes). Each resource has one pure policy function in a submodule that takes the actor
//! and the facts about one object (loaded by the use case) and returns the caller's role for
//! it, or `None` when the caller may not see it. A role answers [`Role::may`] for each right.
//! [`authorize`] turns that into the two refusals the API knows: no role is
//! [`DomainError::NotFound`] (404, so ids do not leak), a role without the right is
//! [`DomainError::Forbidden`] (403).
//!
//! Lists filter in SQL with `persistence::visibility`; a parity test checks that a list shows
//! exactly what these policies let a single GET show.

pub mod action_item;
pub mod application;
pub mod call;
pub mod grant;
pub mod indicator;
pub mod meeting;
pub mod meeting_series;
pub mod minutes;
pub mod network;
pub mod organization;
pub mod programme;
pub mod recommendation;
pub mod registration;
pub mod report;
pub mod requirement;
pub mod results;
pub mod review;
pub mod user;

use crate::error::DomainError;
use crate::ids::{OrganizationId, UserId};
use crate::membership::OrgRole;
use crate::user::SystemRole;

/// The caller of a use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user: UserId,
    system_role: SystemRole,
    memberships: Vec<(OrganizationId, OrgRole)>,
}

impl Actor {
    /// A signed-in user with their system role and every membership.
    pub fn user(
        user: UserId,
        system_role: SystemRole,
        memberships: Vec<(OrganizationId, OrgRole)>,
    ) -> Self {
        Self {
            user,
            system_role,
            memberships,
        }
    }

    /// The user's id.
    pub fn user_id(&self) -> UserId {
        self.user
    }

    /// The user's system role.
    pub fn system_role(&self) -> SystemRole {
        self.system_role
    }

    /// Whether the caller is a system administrator (sees and changes everything).
    pub fn is_admin(&self) -> bool {
        self.system_role == SystemRole::Admin
    }

    /// The caller's role in an organisation, if a member.
    pub fn role_in(&self, org: OrganizationId) -> Option<OrgRole> {
        self.memberships
            .iter()
            .find(|(o, _)| *o == org)
            .map(|(_, r)| *r)
    }

    /// Whether the caller is an owner or manager of the organisation (not counting admin).
    pub fn manages(&self, org: OrganizationId) -> bool {
        self.role_in(org)
            .is_some_and(OrgRole::can_edit_organization)
    }

    /// Whether the caller has any role in the organisation (not counting admin).
    pub fn belongs_to(&self, org: OrganizationId) -> bool {
        self.role_in(org).is_some()
    }

    /// Every organisation the caller belongs to, with the role.
    pub fn memberships(&self) -> &[(OrganizationId, OrgRole)] {
        &self.memberships
    }
}

/// A caller's role towards one object; each resource's role enum implements it.
pub trait Role: Copy + std::fmt::Debug {
    /// What may be done to the object.
    type Right: Copy + std::fmt::Debug;

    /// Whether this role holds the right.
    fn may(self, right: Self::Right) -> bool;

    /// Why a role without the right is refused (the 403 detail).
    fn refusal(right: Self::Right) -> String;
}

/// Decides a request: no role is `NotFound` (404), a role without the right is `Forbidden`
/// (403); otherwise the role, for the response to show what the caller may do next.
pub fn authorize<R: Role>(role: Option<R>, right: R::Right) -> Result<R, DomainError> {
    let role = role.ok_or(DomainError::NotFound)?;
    if role.may(right) {
        Ok(role)
    } else {
        Err(DomainError::Forbidden(R::refusal(right)))
    }
}

/// Test support: the actors every role × right table is written for.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::Actor;
    use crate::ids::{OrganizationId, UserId};
    use crate::membership::OrgRole;
    use crate::user::SystemRole;
    use uuid::Uuid;

    /// An organisation id from a small number.
    pub(crate) fn org(n: u128) -> OrganizationId {
        OrganizationId::from_uuid(Uuid::from_u128(n))
    }

    /// A user id from a small number.
    pub(crate) fn user(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(0x1000 + n))
    }

    /// An administrator with no memberships.
    pub(crate) fn admin() -> Actor {
        Actor::user(user(0), SystemRole::Admin, Vec::new())
    }

    /// A user with one role in one organisation.
    pub(crate) fn member(n: u128, of: OrganizationId, role: OrgRole) -> Actor {
        Actor::user(user(n), SystemRole::User, vec![(of, role)])
    }

    /// A signed-in user with no memberships.
    pub(crate) fn outsider() -> Actor {
        Actor::user(user(99), SystemRole::User, Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum R {
        Reader,
    }
    impl Role for R {
        type Right = bool;
        fn may(self, right: bool) -> bool {
            right
        }
        fn refusal(_: bool) -> String {
            "no".into()
        }
    }

    #[test]
    fn no_role_is_not_found_and_a_missing_right_is_forbidden() {
        assert_eq!(authorize::<R>(None, true), Err(DomainError::NotFound));
        assert_eq!(
            authorize(Some(R::Reader), false),
            Err(DomainError::Forbidden("no".into()))
        );
        assert!(authorize(Some(R::Reader), true).is_ok());
    }

    #[test]
    fn an_actor_knows_its_roles_by_organisation() {
        let a = member(1, org(1), OrgRole::Manager);
        assert!(a.manages(org(1)) && a.belongs_to(org(1)));
        assert!(!a.manages(org(2)) && !a.belongs_to(org(2)));
        assert!(!a.is_admin() && admin().is_admin());
        assert_eq!(outsider().memberships(), &[]);
        assert_eq!(
            member(2, org(1), OrgRole::Accountant).role_in(org(1)),
            Some(OrgRole::Accountant)
        );
    }
}
