//! Who may see and run a call for proposals.
//!
//! DESIGN: calls are public once published: anonymous callers see open and decided calls;
//! signed-in users see the calls of the programmes they may see, drafts only when they belong
//! to the programme's circle; the programme's managers run its calls (and alone see the
//! committee).

use super::programme::{ProgrammeFacts, ProgrammeRole, programme};
use super::{Actor, Role};
use crate::call::CallStatus;

/// What the policy needs to know about a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFacts {
    /// Its programme.
    pub programme: ProgrammeFacts,
    /// Its status now (an open call past `closes_at` is `closed`).
    pub status: CallStatus,
}

/// The caller's role towards a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallRole {
    /// Admins; owners and managers of the programme's managing organisation.
    Manager,
    /// Members of the programme's circle and other signed-in readers.
    Reader,
    /// An anonymous caller, for an open or decided call.
    Public,
}

/// What may be done to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallRight {
    /// Read it.
    Read,
    /// Edit, publish, close and decide it; see its committee.
    Manage,
}

impl Role for CallRole {
    type Right = CallRight;

    fn may(self, right: CallRight) -> bool {
        match right {
            CallRight::Read => true,
            CallRight::Manage => self == Self::Manager,
        }
    }

    fn refusal(_: CallRight) -> String {
        "only admins and the programme's managers may change its calls".into()
    }
}

/// The caller's role towards a call (`None` for an anonymous caller); `None` when they may not
/// see it.
pub fn call(actor: Option<&Actor>, facts: &CallFacts) -> Option<CallRole> {
    let Some(actor) = actor else {
        return matches!(facts.status, CallStatus::Open | CallStatus::Decided)
            .then_some(CallRole::Public);
    };
    match programme(actor, &facts.programme)? {
        ProgrammeRole::Manager => Some(CallRole::Manager),
        ProgrammeRole::Involved => Some(CallRole::Reader),
        ProgrammeRole::Reader => (facts.status != CallStatus::Draft).then_some(CallRole::Reader),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::access::programme::Circle;
    use crate::membership::OrgRole::{Manager, Member, Owner};

    fn facts(status: CallStatus) -> CallFacts {
        CallFacts {
            programme: ProgrammeFacts {
                circle: Circle {
                    managing: org(1),
                    funders: vec![org(2)],
                },
                draft: false,
            },
            status,
        }
    }

    /// Role × right by call status, from DESIGN: [read, manage] for draft, open, closed, decided.
    #[test]
    fn call_role_by_right_table() {
        use CallStatus::{Closed, Decided, Draft, Open};
        type Row = (&'static str, Option<Actor>, [[bool; 2]; 4]);
        let rows: Vec<Row> = vec![
            (
                "anonymous",
                None,
                [[false; 2], [true, false], [false; 2], [true, false]],
            ),
            ("admin", Some(admin()), [[true; 2]; 4]),
            (
                "managing owner",
                Some(member(1, org(1), Owner)),
                [[true; 2]; 4],
            ),
            (
                "managing manager",
                Some(member(2, org(1), Manager)),
                [[true; 2]; 4],
            ),
            (
                "managing member",
                Some(member(3, org(1), Member)),
                [[true, false]; 4],
            ),
            (
                "funder manager",
                Some(member(4, org(2), Manager)),
                [[true, false]; 4],
            ),
            (
                "outsider",
                Some(outsider()),
                [[false; 2], [true, false], [true, false], [true, false]],
            ),
        ];
        for (who, actor, want) in rows {
            for (status, want) in [Draft, Open, Closed, Decided].into_iter().zip(want) {
                let role = call(actor.as_ref(), &facts(status));
                for (right, may) in [CallRight::Read, CallRight::Manage].into_iter().zip(want) {
                    assert_eq!(
                        role.is_some_and(|r| r.may(right)),
                        may,
                        "{who} {right:?} on a {status:?} call"
                    );
                }
            }
        }
    }

    #[test]
    fn calls_of_a_draft_programme_are_hidden_from_outsiders() {
        let mut f = facts(CallStatus::Draft);
        f.programme.draft = true;
        assert_eq!(call(Some(&outsider()), &f), None);
        assert_eq!(
            call(Some(&member(5, org(2), Member)), &f),
            Some(CallRole::Reader)
        );
    }
}
