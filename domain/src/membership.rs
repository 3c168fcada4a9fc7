//! Memberships: a user acting for an organisation, and who may change them.
//!
//! Rules (DESIGN: Who may do what):
//! - admins and owners may add, change and remove any membership;
//! - managers may manage members, managers and accountants, but never grant, change or remove
//!   the `owner` role;
//! - anyone may leave an organisation (remove their own membership);
//! - no change may leave an organisation that has owners without one.

use crate::email::Email;
use crate::error::{DomainError, FieldError};
use crate::ids::{OrganizationId, UserId};
use serde::{Deserialize, Serialize};

/// Most organisations one user acts for (each request loads them all into the actor).
pub const MAX_MEMBERSHIPS: usize = 100;

/// A user acts for at most [`MAX_MEMBERSHIPS`] organisations; refuses one more when they act
/// for `so_far`.
pub fn check_room_for_membership(so_far: usize) -> Result<(), DomainError> {
    if so_far < MAX_MEMBERSHIPS {
        Ok(())
    } else {
        Err(DomainError::Conflict(format!(
            "This user already acts for {MAX_MEMBERSHIPS} organisations, as many as one user may."
        )))
    }
}

/// A user acting for an organisation in a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    /// The organisation.
    pub organization: OrganizationId,
    /// The user.
    pub user: UserId,
    /// The user's role there.
    pub role: OrgRole,
}

/// How a request names the user to add: by id or by e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    /// By user id.
    Id(UserId),
    /// By e-mail address (case-insensitive).
    Email(Email),
}

/// A user to add to an organisation, with the role to give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    /// Who.
    pub person: Person,
    /// In what role.
    pub role: OrgRole,
}

/// The role a user has in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    /// Full control of the organisation, its profile and members.
    Owner,
    /// Runs the organisation's work: edits the profile, manages non-owner members.
    Manager,
    /// Takes part in the organisation's work.
    Member,
    /// Handles money: sees and records payments.
    Accountant,
}

impl OrgRole {
    /// Every role, in a stable order.
    pub const ALL: [Self; 4] = [Self::Owner, Self::Manager, Self::Member, Self::Accountant];

    /// The wire and storage name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Manager => "manager",
            Self::Member => "member",
            Self::Accountant => "accountant",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| FieldError::new("", "one_of", format!("{raw:?} is not a role")).into())
    }

    /// Whether this role may edit the organisation's profile.
    pub const fn can_edit_organization(self) -> bool {
        matches!(self, Self::Owner | Self::Manager)
    }
}

/// Who is asking for a change to an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgActor {
    /// A system administrator.
    Admin,
    /// A user with this role in the organisation.
    Member(OrgRole),
}

impl OrgActor {
    /// Whether the actor may edit the organisation's profile.
    pub const fn can_edit_organization(self) -> bool {
        match self {
            Self::Admin => true,
            Self::Member(role) => role.can_edit_organization(),
        }
    }
}

/// A requested change to one membership: `from` is the current role (`None`: not a member yet),
/// `to` the new one (`None`: remove).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipChange {
    /// The target's current role.
    pub from: Option<OrgRole>,
    /// The target's new role.
    pub to: Option<OrgRole>,
    /// Whether the target is the actor.
    pub is_self: bool,
    /// How many owners the organisation has now.
    pub owner_count: usize,
}

/// Decides whether `actor` may make `change`.
pub fn authorize_change(actor: OrgActor, change: MembershipChange) -> Result<(), DomainError> {
    let touches_owner = change.from == Some(OrgRole::Owner) || change.to == Some(OrgRole::Owner);
    let leaving = change.is_self && change.to.is_none();
    let allowed = match actor {
        OrgActor::Admin | OrgActor::Member(OrgRole::Owner) => true,
        OrgActor::Member(OrgRole::Manager) => !touches_owner || leaving,
        OrgActor::Member(OrgRole::Member | OrgRole::Accountant) => leaving,
    };
    if !allowed {
        return Err(DomainError::Forbidden(if touches_owner {
            "only owners and admins may grant, change or remove the owner role".into()
        } else {
            "only owners, managers and admins may manage members".into()
        }));
    }
    let loses_owner = change.from == Some(OrgRole::Owner) && change.to != Some(OrgRole::Owner);
    if loses_owner && change.owner_count <= 1 {
        return Err(DomainError::Conflict(
            "an organisation keeps at least one owner: make another member owner first".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::OrgRole::{Accountant, Manager, Member, Owner};
    use super::*;

    #[test]
    fn a_user_acts_for_at_most_100_organisations() {
        assert!(check_room_for_membership(MAX_MEMBERSHIPS - 1).is_ok());
        assert!(matches!(
            check_room_for_membership(MAX_MEMBERSHIPS),
            Err(DomainError::Conflict(_))
        ));
    }

    fn change(from: Option<OrgRole>, to: Option<OrgRole>) -> MembershipChange {
        MembershipChange {
            from,
            to,
            is_self: false,
            owner_count: 2,
        }
    }

    #[test]
    fn admins_and_owners_may_make_any_change() {
        for actor in [OrgActor::Admin, OrgActor::Member(Owner)] {
            for from in [None, Some(Owner), Some(Member)] {
                for to in [None, Some(Owner), Some(Accountant)] {
                    assert!(
                        authorize_change(actor, change(from, to)).is_ok(),
                        "{actor:?} {from:?}->{to:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn managers_manage_everyone_but_owners() {
        let m = OrgActor::Member(Manager);
        assert!(authorize_change(m, change(None, Some(Member))).is_ok());
        assert!(authorize_change(m, change(Some(Member), Some(Manager))).is_ok());
        assert!(authorize_change(m, change(Some(Accountant), None)).is_ok());
        for c in [
            change(None, Some(Owner)),
            change(Some(Owner), Some(Member)),
            change(Some(Owner), None),
        ] {
            assert!(
                matches!(authorize_change(m, c), Err(DomainError::Forbidden(_))),
                "{c:?}"
            );
        }
    }

    #[test]
    fn members_and_accountants_may_only_leave() {
        for role in [Member, Accountant] {
            let a = OrgActor::Member(role);
            assert!(matches!(
                authorize_change(a, change(None, Some(Member))),
                Err(DomainError::Forbidden(_))
            ));
            assert!(matches!(
                authorize_change(a, change(Some(Member), None)),
                Err(DomainError::Forbidden(_))
            ));
            let leave = MembershipChange {
                is_self: true,
                ..change(Some(role), None)
            };
            assert!(authorize_change(a, leave).is_ok());
        }
    }

    #[test]
    fn the_last_owner_cannot_be_removed_or_demoted() {
        let last = |to| MembershipChange {
            owner_count: 1,
            ..change(Some(Owner), to)
        };
        for to in [None, Some(Manager)] {
            assert!(matches!(
                authorize_change(OrgActor::Admin, last(to)),
                Err(DomainError::Conflict(_))
            ));
        }
        let leave = MembershipChange {
            is_self: true,
            ..last(None)
        };
        assert!(matches!(
            authorize_change(OrgActor::Member(Owner), leave),
            Err(DomainError::Conflict(_))
        ));
        assert!(authorize_change(OrgActor::Admin, last(Some(Owner))).is_ok());
    }

    #[test]
    fn only_owners_and_managers_edit_the_profile() {
        assert!(OrgActor::Admin.can_edit_organization());
        assert!(OrgActor::Member(Owner).can_edit_organization());
        assert!(OrgActor::Member(Manager).can_edit_organization());
        assert!(!OrgActor::Member(Member).can_edit_organization());
        assert!(!OrgActor::Member(Accountant).can_edit_organization());
    }
}
