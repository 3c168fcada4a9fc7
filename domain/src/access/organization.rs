//! Who may see and change an organisation and its members.
//!
//! DESIGN ("Who may do what"): the organisation directory is readable by every signed-in user
//! (grantees, funders and partners are public facts); admins create organisations; admins and
//! the organisation's owners and managers edit its profile. The members list (and each
//! membership) exists only for the organisation's members and admins: to anyone else it is
//! 404. Which membership change a member may make is decided by
//! [`crate::membership::authorize_change`], after [`members`] let the caller in.

use super::{Actor, Role};
use crate::ids::OrganizationId;
use crate::membership::{OrgActor, OrgRole};

/// The caller's role towards an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationRole {
    /// A system administrator.
    Admin,
    /// A member of the organisation, with their role there.
    Member(OrgRole),
    /// Any other signed-in user.
    Visitor,
}

/// What may be done to an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationRight {
    /// Read its profile (and list the directory).
    Read,
    /// Create organisations (asked of the directory, see [`directory`]).
    Create,
    /// Edit its profile.
    Edit,
    /// Read its members.
    ReadMembers,
}

impl OrganizationRole {
    /// The actor of a membership change, for [`crate::membership::authorize_change`];
    /// `None` for a visitor (who never reaches a membership).
    pub fn change_actor(self) -> Option<OrgActor> {
        match self {
            Self::Admin => Some(OrgActor::Admin),
            Self::Member(role) => Some(OrgActor::Member(role)),
            Self::Visitor => None,
        }
    }
}

impl Role for OrganizationRole {
    type Right = OrganizationRight;

    fn may(self, right: OrganizationRight) -> bool {
        match (right, self) {
            (OrganizationRight::Read, _) | (_, Self::Admin) => true,
            (OrganizationRight::Create, _) => false,
            (OrganizationRight::Edit, Self::Member(role)) => role.can_edit_organization(),
            (OrganizationRight::ReadMembers, Self::Member(_)) => true,
            (OrganizationRight::Edit | OrganizationRight::ReadMembers, Self::Visitor) => false,
        }
    }

    fn refusal(right: OrganizationRight) -> String {
        match right {
            OrganizationRight::Create => "only admins may create organisations".into(),
            _ => "only admins and the organisation's owners and managers may edit it".into(),
        }
    }
}

/// The caller's role towards the directory as a whole (list, create).
pub fn directory(actor: &Actor) -> Option<OrganizationRole> {
    Some(if actor.is_admin() {
        OrganizationRole::Admin
    } else {
        OrganizationRole::Visitor
    })
}

/// The caller's role towards one organisation: every signed-in user sees it.
pub fn organization(actor: &Actor, org: OrganizationId) -> Option<OrganizationRole> {
    if actor.is_admin() {
        return Some(OrganizationRole::Admin);
    }
    Some(
        actor
            .role_in(org)
            .map_or(OrganizationRole::Visitor, OrganizationRole::Member),
    )
}

/// The caller's role towards an organisation's members: `None` (404) unless the caller may
/// read them, so outsiders cannot tell who belongs where.
pub fn members(actor: &Actor, org: OrganizationId) -> Option<OrganizationRole> {
    organization(actor, org).filter(|r| r.may(OrganizationRight::ReadMembers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::authorize;
    use crate::access::fixtures::*;
    use crate::error::DomainError;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    /// Role × right, from DESIGN's "Who may do what".
    #[test]
    fn organization_role_by_right_table() {
        use OrganizationRight::{Create, Edit, Read, ReadMembers};
        let rows: Vec<(&str, Actor, [bool; 4])> = vec![
            // (who, actor, [read, create, edit, read members])
            ("admin", admin(), [true, true, true, true]),
            ("owner", member(1, org(1), Owner), [true, false, true, true]),
            (
                "manager",
                member(2, org(1), Manager),
                [true, false, true, true],
            ),
            (
                "member",
                member(3, org(1), Member),
                [true, false, false, true],
            ),
            (
                "accountant",
                member(4, org(1), Accountant),
                [true, false, false, true],
            ),
            (
                "owner elsewhere",
                member(5, org(2), Owner),
                [true, false, false, false],
            ),
            ("outsider", outsider(), [true, false, false, false]),
        ];
        for (who, actor, want) in rows {
            let role = organization(&actor, org(1));
            for (right, may) in [Read, Create, Edit, ReadMembers].into_iter().zip(want) {
                assert_eq!(role.is_some_and(|r| r.may(right)), may, "{who} {right:?}");
            }
            assert_eq!(members(&actor, org(1)).is_some(), want[3], "{who} members");
            let creates = authorize(directory(&actor), Create).is_ok();
            assert_eq!(creates, want[1], "{who} create");
        }
    }

    #[test]
    fn outsiders_get_not_found_for_members_and_forbidden_for_edits() {
        let a = member(5, org(2), Owner);
        assert_eq!(
            authorize(members(&a, org(1)), OrganizationRight::ReadMembers),
            Err(DomainError::NotFound)
        );
        assert!(matches!(
            authorize(organization(&a, org(1)), OrganizationRight::Edit),
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            authorize(directory(&a), OrganizationRight::Create),
            Err(DomainError::Forbidden(_))
        ));
    }

    #[test]
    fn a_membership_change_is_asked_as_admin_or_member() {
        assert_eq!(
            OrganizationRole::Admin.change_actor(),
            Some(OrgActor::Admin)
        );
        assert_eq!(
            OrganizationRole::Member(Manager).change_actor(),
            Some(OrgActor::Member(Manager))
        );
        assert_eq!(OrganizationRole::Visitor.change_actor(), None);
    }
}
