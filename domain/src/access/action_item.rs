//! Who may see and change a meeting's action items.
//!
//! Whoever may see the meeting sees its action items; its organisers (admins, owners and
//! managers of an organiser) add and edit them; the owner — the user named, or an owner or
//! manager of the organisation named — sees its items even without the meeting and marks them
//! done.

use super::meeting::MeetingRole;
use super::{Actor, Role};
use crate::ids::{OrganizationId, UserId};

/// The caller's role towards an action item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionItemRole {
    /// The meeting's organisers.
    Organizer,
    /// The user it names, or an owner or manager of the organisation it names.
    Owner,
    /// Anyone else who may see the meeting.
    Reader,
}

/// What may be done to an action item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionItemRight {
    /// Read it.
    Read,
    /// Add items, change their text, owner and due date.
    Manage,
    /// Mark it done (or open again).
    Complete,
}

impl Role for ActionItemRole {
    type Right = ActionItemRight;

    fn may(self, right: ActionItemRight) -> bool {
        match right {
            ActionItemRight::Read => true,
            ActionItemRight::Manage => self == Self::Organizer,
            ActionItemRight::Complete => self != Self::Reader,
        }
    }

    fn refusal(right: ActionItemRight) -> String {
        match right {
            ActionItemRight::Complete => {
                "only the meeting's organisers and the item's owner may mark it done".into()
            }
            _ => "only the meeting's organisers may change its action items".into(),
        }
    }
}

/// Whether `actor` owns an item naming `organization` and `user`.
pub fn owns(actor: &Actor, organization: Option<OrganizationId>, user: Option<UserId>) -> bool {
    user == Some(actor.user_id()) || organization.is_some_and(|o| actor.manages(o))
}

/// The caller's role towards an item of a meeting the caller sees as `meeting` (`None`: does
/// not see it); `None` when the caller may not see the item.
pub fn action_item(
    actor: Option<&Actor>,
    meeting: Option<MeetingRole>,
    organization: Option<OrganizationId>,
    user: Option<UserId>,
) -> Option<ActionItemRole> {
    if meeting == Some(MeetingRole::Organizer) {
        return Some(ActionItemRole::Organizer);
    }
    if actor.is_some_and(|a| owns(a, organization, user)) {
        return Some(ActionItemRole::Owner);
    }
    meeting.map(|_| ActionItemRole::Reader)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::membership::OrgRole::{Manager, Member};

    #[test]
    fn the_role_x_right_table() {
        let ngo = org(5);
        let owner = member(1, ngo, Manager);
        let plain = member(2, ngo, Member);
        let named = member(3, org(6), Member);
        let user_named = Some(user(3));
        let cases = [
            (
                Some(admin()),
                Some(MeetingRole::Organizer),
                Some(ActionItemRole::Organizer),
            ),
            (
                Some(owner.clone()),
                Some(MeetingRole::Participant),
                Some(ActionItemRole::Owner),
            ),
            (Some(owner), None, Some(ActionItemRole::Owner)),
            (Some(named), None, Some(ActionItemRole::Owner)),
            (
                Some(plain.clone()),
                Some(MeetingRole::Participant),
                Some(ActionItemRole::Reader),
            ),
            (Some(plain), None, None),
            (
                None,
                Some(MeetingRole::Public),
                Some(ActionItemRole::Reader),
            ),
            (None, None, None),
        ];
        for (actor, meeting, want) in cases {
            assert_eq!(
                action_item(actor.as_ref(), meeting, Some(ngo), user_named),
                want,
                "{actor:?}"
            );
        }
        let rights = |r: ActionItemRole| {
            (
                r.may(ActionItemRight::Read),
                r.may(ActionItemRight::Manage),
                r.may(ActionItemRight::Complete),
            )
        };
        assert_eq!(rights(ActionItemRole::Organizer), (true, true, true));
        assert_eq!(rights(ActionItemRole::Owner), (true, false, true));
        assert_eq!(rights(ActionItemRole::Reader), (true, false, false));
    }
}
