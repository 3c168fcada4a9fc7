//! Who may see and change user accounts (DESIGN: "Admins: everything, users and service
//! keys"). Admins manage every account and read the audit log; a user reads and changes only
//! their own account, through `/me`; other accounts are refused with 403 (the user list is an
//! admin tool, so its existence is no secret).

use super::{Actor, Role};
use crate::ids::UserId;

/// The caller's role towards one account (or towards the accounts as a whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserRole {
    /// A system administrator.
    Admin,
    /// The account's own user.
    Own,
    /// Any other signed-in user.
    Other,
}

/// What may be done to accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserRight {
    /// List, create, read and change accounts through `/users`.
    Manage,
    /// Read the audit log.
    ReadAuditLog,
    /// Read one's own account through `/me`.
    ReadOwn,
    /// Change one's own password through `/me/password`.
    ChangeOwnPassword,
}

impl Role for UserRole {
    type Right = UserRight;

    fn may(self, right: UserRight) -> bool {
        match right {
            UserRight::Manage | UserRight::ReadAuditLog => self == Self::Admin,
            UserRight::ReadOwn | UserRight::ChangeOwnPassword => self != Self::Other,
        }
    }

    fn refusal(right: UserRight) -> String {
        match right {
            UserRight::Manage | UserRight::ReadAuditLog => "This needs the admin role.".into(),
            UserRight::ReadOwn | UserRight::ChangeOwnPassword => {
                "only the account's own user may do this".into()
            }
        }
    }
}

/// The caller's role towards account `target` (`None`: the accounts as a whole, for listing,
/// creating and the audit log). Every signed-in caller has one, so refusals are 403.
pub fn user(actor: &Actor, target: Option<UserId>) -> Option<UserRole> {
    Some(if actor.is_admin() {
        UserRole::Admin
    } else if target == Some(actor.user_id()) {
        UserRole::Own
    } else {
        UserRole::Other
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{admin, member, org, outsider, user as fixture_user};
    use super::super::{Actor, authorize};
    use super::{UserRight, UserRole, user};
    use crate::error::DomainError;
    use crate::ids::UserId;
    use crate::membership::OrgRole;

    #[test]
    fn role_by_right_table() {
        use UserRight::*;
        let org_owner = member(1, org(1), OrgRole::Owner);
        let target = fixture_user(5);
        let own = Actor::user(target, crate::user::SystemRole::User, Vec::new());
        let rights = [Manage, ReadAuditLog, ReadOwn, ChangeOwnPassword];
        // (actor, target, expected answer per right: 'y' allowed, 'f' forbidden)
        let table: [(&str, Actor, Option<UserId>, &str); 6] = [
            ("admin on anyone", admin(), Some(target), "yyyy"),
            ("admin on the collection", admin(), None, "yyyy"),
            ("user on own account", own.clone(), Some(target), "ffyy"),
            ("user on the collection", own, None, "ffff"),
            (
                "org owner on another account",
                org_owner,
                Some(target),
                "ffff",
            ),
            (
                "outsider on another account",
                outsider(),
                Some(target),
                "ffff",
            ),
        ];
        for (name, actor, t, expected) in table {
            for (right, want) in rights.iter().zip(expected.chars()) {
                let got = match authorize::<UserRole>(user(&actor, t), *right) {
                    Ok(_) => 'y',
                    Err(DomainError::Forbidden(_)) => 'f',
                    Err(_) => 'n',
                };
                assert_eq!(got, want, "{name}: {right:?}");
            }
        }
    }
}
