//! Who may see and run a programme, and the circle of a programme that other policies share.
//!
//! DESIGN: donor and managing-organisation managers work on "their programmes"; a programme
//! that is not a draft is readable by every signed-in user (its calls are public anyway).

use super::{Actor, Role};
use crate::ids::OrganizationId;

/// The organisations around a programme: the one that runs it and those that fund it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Circle {
    /// The managing organisation.
    pub managing: OrganizationId,
    /// The funders.
    pub funders: Vec<OrganizationId>,
}

impl Circle {
    /// Admins, and owners and managers of the managing organisation.
    pub fn managed_by(&self, actor: &Actor) -> bool {
        actor.is_admin() || actor.manages(self.managing)
    }

    /// Any member of the managing organisation or of a funder.
    pub fn involves(&self, actor: &Actor) -> bool {
        actor.belongs_to(self.managing) || self.funders.iter().any(|f| actor.belongs_to(*f))
    }

    /// Owners and managers of a funder.
    pub fn funded_by_manager(&self, actor: &Actor) -> bool {
        self.funders.iter().any(|f| actor.manages(*f))
    }
}

/// What the policy needs to know about a programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeFacts {
    /// Its organisations.
    pub circle: Circle,
    /// Whether it is still a draft (drafts are seen by its circle only).
    pub draft: bool,
}

/// The caller's role towards a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgrammeRole {
    /// Admins; owners and managers of the managing organisation.
    Manager,
    /// Other members of the managing organisation and members of funders.
    Involved,
    /// Any other signed-in user, once the programme is no longer a draft.
    Reader,
}

/// What may be done to a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgrammeRight {
    /// Read it.
    Read,
    /// Change its details and funders, activate or close it.
    Manage,
    /// Open calls under it.
    CreateCall,
}

impl Role for ProgrammeRole {
    type Right = ProgrammeRight;

    fn may(self, right: ProgrammeRight) -> bool {
        match right {
            ProgrammeRight::Read => true,
            ProgrammeRight::Manage | ProgrammeRight::CreateCall => self == Self::Manager,
        }
    }

    fn refusal(_: ProgrammeRight) -> String {
        "only admins and the managing organisation's owners and managers may do this".into()
    }
}

/// The caller's role towards a programme; `None` when they may not see it.
pub fn programme(actor: &Actor, facts: &ProgrammeFacts) -> Option<ProgrammeRole> {
    if facts.circle.managed_by(actor) {
        Some(ProgrammeRole::Manager)
    } else if facts.circle.involves(actor) {
        Some(ProgrammeRole::Involved)
    } else if !facts.draft {
        Some(ProgrammeRole::Reader)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    fn facts(draft: bool) -> ProgrammeFacts {
        ProgrammeFacts {
            circle: Circle {
                managing: org(1),
                funders: vec![org(2)],
            },
            draft,
        }
    }

    /// Role × right, from DESIGN: managers run their programmes; funders and the managing
    /// organisation's other members read them, drafts included; everyone else reads published ones.
    #[test]
    fn programme_role_by_right_table() {
        use ProgrammeRight::{CreateCall, Manage, Read};
        let rows: Vec<(&str, Actor, [bool; 3], [bool; 3])> = vec![
            // (who, actor, [read, manage, create call] on a draft, the same on an active one)
            ("admin", admin(), [true; 3], [true; 3]),
            (
                "managing owner",
                member(1, org(1), Owner),
                [true; 3],
                [true; 3],
            ),
            (
                "managing manager",
                member(2, org(1), Manager),
                [true; 3],
                [true; 3],
            ),
            (
                "managing member",
                member(3, org(1), Member),
                [true, false, false],
                [true, false, false],
            ),
            (
                "managing accountant",
                member(4, org(1), Accountant),
                [true, false, false],
                [true, false, false],
            ),
            (
                "funder manager",
                member(5, org(2), Manager),
                [true, false, false],
                [true, false, false],
            ),
            (
                "funder member",
                member(6, org(2), Member),
                [true, false, false],
                [true, false, false],
            ),
            ("outsider", outsider(), [false; 3], [true, false, false]),
            (
                "other org owner",
                member(7, org(9), Owner),
                [false; 3],
                [true, false, false],
            ),
        ];
        for (who, actor, draft, active) in rows {
            for (is_draft, want) in [(true, draft), (false, active)] {
                let role = programme(&actor, &facts(is_draft));
                for (right, may) in [Read, Manage, CreateCall].into_iter().zip(want) {
                    assert_eq!(
                        role.is_some_and(|r| r.may(right)),
                        may,
                        "{who} {right:?} (draft: {is_draft})"
                    );
                }
            }
        }
    }
}
