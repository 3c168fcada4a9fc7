//! Who may see and change a grant and its tranches and amendments.
//!
//! DESIGN: the managing organisation's managers run awards, grants and disbursements; its
//! accountants pay approved tranches; the grantee's members, the mentor organisation's members,
//! the funders and the managing organisation's other members read the grant.

use super::programme::Circle;
use super::{Actor, Role};
use crate::ids::OrganizationId;
use crate::membership::OrgRole;

/// What the policy needs to know about a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantFacts {
    /// The programme's organisations.
    pub circle: Circle,
    /// The grantee.
    pub grantee: OrganizationId,
    /// The mentor organisation, if any.
    pub mentor: Option<OrganizationId>,
}

/// The caller's role towards a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRole {
    /// Admins; owners and managers of the managing organisation.
    Manager,
    /// Accountants of the managing organisation.
    Accountant,
    /// Grantee, mentor, funder and other managing-organisation members.
    Reader,
}

/// What may be done to a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRight {
    /// Read it, its amendments and tranches.
    Read,
    /// Suspend, resume, complete, terminate, amend, set the mentor; plan, approve and cancel
    /// tranches.
    Manage,
    /// Pay an approved tranche.
    Pay,
}

impl Role for GrantRole {
    type Right = GrantRight;

    fn may(self, right: GrantRight) -> bool {
        match right {
            GrantRight::Read => true,
            GrantRight::Manage => self == Self::Manager,
            GrantRight::Pay => matches!(self, Self::Manager | Self::Accountant),
        }
    }

    fn refusal(right: GrantRight) -> String {
        match right {
            GrantRight::Pay => {
                "only admins and the programme's managers and accountants may pay tranches".into()
            }
            _ => "only admins and the programme's managers may do this".into(),
        }
    }
}

/// The caller's role towards a grant; `None` when they may not see it.
pub fn grant(actor: &Actor, facts: &GrantFacts) -> Option<GrantRole> {
    if facts.circle.managed_by(actor) {
        return Some(GrantRole::Manager);
    }
    match actor.role_in(facts.circle.managing) {
        Some(OrgRole::Accountant) => return Some(GrantRole::Accountant),
        Some(_) => return Some(GrantRole::Reader),
        None => {}
    }
    let sees = actor.belongs_to(facts.grantee)
        || facts.mentor.is_some_and(|m| actor.belongs_to(m))
        || facts.circle.funders.iter().any(|f| actor.belongs_to(*f));
    sees.then_some(GrantRole::Reader)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    /// Role × right, from DESIGN's "Who may do what".
    #[test]
    fn grant_role_by_right_table() {
        use GrantRight::{Manage, Pay, Read};
        let facts = GrantFacts {
            circle: Circle {
                managing: org(1),
                funders: vec![org(2)],
            },
            grantee: org(3),
            mentor: Some(org(4)),
        };
        let rows: Vec<(&str, Actor, [bool; 3])> = vec![
            // (who, actor, [read, manage, pay])
            ("admin", admin(), [true, true, true]),
            (
                "managing owner",
                member(1, org(1), Owner),
                [true, true, true],
            ),
            (
                "managing manager",
                member(2, org(1), Manager),
                [true, true, true],
            ),
            (
                "managing accountant",
                member(3, org(1), Accountant),
                [true, false, true],
            ),
            (
                "managing member",
                member(4, org(1), Member),
                [true, false, false],
            ),
            (
                "funder manager",
                member(5, org(2), Manager),
                [true, false, false],
            ),
            (
                "grantee owner",
                member(6, org(3), Owner),
                [true, false, false],
            ),
            (
                "grantee accountant",
                member(7, org(3), Accountant),
                [true, false, false],
            ),
            (
                "mentor member",
                member(8, org(4), Member),
                [true, false, false],
            ),
            ("outsider", outsider(), [false, false, false]),
            (
                "other org owner",
                member(9, org(9), Owner),
                [false, false, false],
            ),
        ];
        for (who, actor, want) in rows {
            let role = grant(&actor, &facts);
            for (right, may) in [Read, Manage, Pay].into_iter().zip(want) {
                assert_eq!(role.is_some_and(|r| r.may(right)), may, "{who} {right:?}");
            }
        }
    }
}
