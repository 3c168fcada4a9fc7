//! Who may see and change a network's member organisations.
//!
//! DESIGN ("Coalitions", "Who may do what"): a network's members are part of its page in the
//! organisation directory, which every signed-in user reads; the network's owners and managers
//! (and admins) admit and remove members; a member organisation's owners and managers may
//! leave (end its own membership).

use super::{Actor, Role};
use crate::ids::OrganizationId;

/// The caller's role towards a network's memberships (or one of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkRole {
    /// A system administrator.
    Admin,
    /// An owner or manager of the network.
    Coordinator,
    /// An owner or manager of the member organisation (of one membership).
    MemberManager,
    /// Any other signed-in user.
    Visitor,
}

/// What may be done to a network's memberships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkRight {
    /// Read the members and the network's growth.
    Read,
    /// Admit a member organisation.
    Admit,
    /// End a membership: a removal by the network, or the member leaving.
    End,
}

impl Role for NetworkRole {
    type Right = NetworkRight;

    fn may(self, right: NetworkRight) -> bool {
        match right {
            NetworkRight::Read => true,
            NetworkRight::Admit => matches!(self, Self::Admin | Self::Coordinator),
            NetworkRight::End => !matches!(self, Self::Visitor),
        }
    }

    fn refusal(right: NetworkRight) -> String {
        match right {
            NetworkRight::End => "only the network's or the member's owners and managers may \
                                  end a membership"
                .into(),
            _ => "only admins and the network's owners and managers may admit members".into(),
        }
    }
}

/// The caller's role towards the network `network`, or towards one membership of it when
/// `member` names the member organisation. Every signed-in user has one.
pub fn network(
    actor: &Actor,
    network: OrganizationId,
    member: Option<OrganizationId>,
) -> Option<NetworkRole> {
    Some(if actor.is_admin() {
        NetworkRole::Admin
    } else if actor.manages(network) {
        NetworkRole::Coordinator
    } else if member.is_some_and(|m| actor.manages(m)) {
        NetworkRole::MemberManager
    } else {
        NetworkRole::Visitor
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    #[test]
    fn the_role_x_right_table() {
        let (net, ngo) = (org(1), org(2));
        let cases = [
            // (actor, membership of ngo?, read, admit, end)
            (admin(), true, (true, true, true)),
            (member(1, net, Owner), true, (true, true, true)),
            (member(2, net, Manager), true, (true, true, true)),
            (member(3, net, Member), true, (true, false, false)),
            (member(4, ngo, Owner), true, (true, false, true)),
            (member(5, ngo, Manager), true, (true, false, true)),
            (member(6, ngo, Accountant), true, (true, false, false)),
            (member(7, ngo, Manager), false, (true, false, false)),
            (outsider(), true, (true, false, false)),
        ];
        for (actor, of_ngo, (read, admit, end)) in cases {
            let role = network(&actor, net, of_ngo.then_some(ngo)).unwrap();
            let got = (
                role.may(NetworkRight::Read),
                role.may(NetworkRight::Admit),
                role.may(NetworkRight::End),
            );
            assert_eq!(got, (read, admit, end), "{actor:?} as {role:?}");
        }
    }
}
