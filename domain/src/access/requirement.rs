//! Who may see and change a grant's reporting requirements.
//!
//! DESIGN: whoever may see a grant sees what it must report and when (the grantee's members,
//! the mentor organisation's members, the funders and the managing organisation's members, as
//! [`super::grant::grant`] decides); the programme's managers (the grant's `Manage` right) add
//! ad-hoc requirements, move due dates and waive requirements.

use super::grant::{GrantFacts, GrantRight, grant};
use super::{Actor, Role};

/// The caller's role towards a grant's requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequirementRole {
    /// Admins; owners and managers of the programme's managing organisation.
    Manager,
    /// Everyone else who may see the grant.
    Reader,
}

/// What may be done to a grant's requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequirementRight {
    /// Read them, their due dates and the history of moved due dates.
    Read,
    /// Add ad-hoc requirements, move due dates, waive requirements.
    Manage,
}

impl Role for RequirementRole {
    type Right = RequirementRight;

    fn may(self, right: RequirementRight) -> bool {
        match right {
            RequirementRight::Read => true,
            RequirementRight::Manage => self == Self::Manager,
        }
    }

    fn refusal(_: RequirementRight) -> String {
        "only admins and the programme's managers may change reporting requirements".into()
    }
}

/// The caller's role towards the requirements of the grant `facts` describe; `None` when they
/// may not see the grant.
pub fn requirement(actor: &Actor, facts: &GrantFacts) -> Option<RequirementRole> {
    grant(actor, facts).map(|role| {
        if role.may(GrantRight::Manage) {
            RequirementRole::Manager
        } else {
            RequirementRole::Reader
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::access::programme::Circle;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    /// Role × right, from DESIGN's "Who may do what".
    #[test]
    fn requirement_role_by_right_table() {
        use RequirementRight::{Manage, Read};
        let facts = GrantFacts {
            circle: Circle {
                managing: org(1),
                funders: vec![org(2)],
            },
            grantee: org(3),
            mentor: Some(org(4)),
        };
        let rows: Vec<(&str, Actor, [bool; 2])> = vec![
            // (who, actor, [read, manage])
            ("admin", admin(), [true, true]),
            ("managing owner", member(1, org(1), Owner), [true, true]),
            ("managing manager", member(2, org(1), Manager), [true, true]),
            (
                "managing accountant",
                member(3, org(1), Accountant),
                [true, false],
            ),
            ("managing member", member(4, org(1), Member), [true, false]),
            ("funder manager", member(5, org(2), Manager), [true, false]),
            ("grantee owner", member(6, org(3), Owner), [true, false]),
            (
                "grantee accountant",
                member(7, org(3), Accountant),
                [true, false],
            ),
            ("mentor member", member(8, org(4), Member), [true, false]),
            ("outsider", outsider(), [false, false]),
            ("other org owner", member(9, org(9), Owner), [false, false]),
        ];
        for (who, actor, want) in rows {
            let role = requirement(&actor, &facts);
            for (right, may) in [Read, Manage].into_iter().zip(want) {
                assert_eq!(role.is_some_and(|r| r.may(right)), may, "{who} {right:?}");
            }
        }
    }
}
