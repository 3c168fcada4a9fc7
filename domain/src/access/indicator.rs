//! Who may see and change a programme's indicator catalogue.
//!
//! The catalogue is part of its programme: whoever may see the programme reads it (drafts only
//! its circle, as [`super::programme::programme`] decides), and those who run the programme
//! (admins, the managing organisation's owners and managers) write it. A grant's indicators
//! follow the grant's policy instead ([`super::grant`]: read with the grant, set by those who
//! manage it).

use super::programme::{ProgrammeFacts, ProgrammeRole, programme};
use super::{Actor, Role};

/// The caller's role towards an indicator (or the catalogue it belongs to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorRole {
    /// Admins; owners and managers of the managing organisation.
    Manager,
    /// Anyone else who may see the programme.
    Reader,
}

/// What may be done to an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorRight {
    /// Read it and the catalogue.
    Read,
    /// Add indicators to the catalogue and change them.
    Write,
}

impl Role for IndicatorRole {
    type Right = IndicatorRight;

    fn may(self, right: IndicatorRight) -> bool {
        match right {
            IndicatorRight::Read => true,
            IndicatorRight::Write => self == Self::Manager,
        }
    }

    fn refusal(_: IndicatorRight) -> String {
        "only admins and the programme's managers may change its indicators".into()
    }
}

/// The caller's role towards the indicators of a programme with `facts`; `None` when they may
/// not see the programme.
pub fn indicator(actor: &Actor, facts: &ProgrammeFacts) -> Option<IndicatorRole> {
    programme(actor, facts).map(|role| match role {
        ProgrammeRole::Manager => IndicatorRole::Manager,
        ProgrammeRole::Involved | ProgrammeRole::Reader => IndicatorRole::Reader,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::access::programme::Circle;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    /// Role × right, from DESIGN: the programme's managers run its catalogue; everyone who
    /// sees the programme reads it (a draft's only its circle).
    #[test]
    fn indicator_role_by_right_table() {
        use IndicatorRight::{Read, Write};
        let facts = |draft| ProgrammeFacts {
            circle: Circle {
                managing: org(1),
                funders: vec![org(2)],
            },
            draft,
        };
        let rows: Vec<(&str, Actor, [bool; 2], [bool; 2])> = vec![
            // (who, actor, [read, write] on a draft programme's, the same on an active one's)
            ("admin", admin(), [true, true], [true, true]),
            (
                "managing owner",
                member(1, org(1), Owner),
                [true, true],
                [true, true],
            ),
            (
                "managing manager",
                member(2, org(1), Manager),
                [true, true],
                [true, true],
            ),
            (
                "managing member",
                member(3, org(1), Member),
                [true, false],
                [true, false],
            ),
            (
                "managing accountant",
                member(4, org(1), Accountant),
                [true, false],
                [true, false],
            ),
            (
                "funder manager",
                member(5, org(2), Manager),
                [true, false],
                [true, false],
            ),
            (
                "grantee owner",
                member(6, org(3), Owner),
                [false, false],
                [true, false],
            ),
            ("outsider", outsider(), [false, false], [true, false]),
        ];
        for (who, actor, draft, active) in rows {
            for (is_draft, want) in [(true, draft), (false, active)] {
                let role = indicator(&actor, &facts(is_draft));
                for (right, may) in [Read, Write].into_iter().zip(want) {
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
