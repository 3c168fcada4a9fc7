//! Who may see and run a stakeholder meeting.
//!
//! DESIGN ("Who may do what"): admins everything; the owners and managers of an organiser
//! organisation edit a meeting and move it (`Organizer`); the other members of organisers and
//! the members of invited participant organisations read it (`Participant`, as government-body
//! members read "meetings they take part in"); anyone, anonymous callers included, reads a
//! `public` meeting (`Public`). A `participants` meeting is invisible (404) to everyone else.

use super::{Actor, Role};
use crate::error::DomainError;
use crate::ids::OrganizationId;

/// What the policy needs to know about a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFacts {
    /// The organiser organisations.
    pub organizers: Vec<OrganizationId>,
    /// The invited participant organisations.
    pub participants: Vec<OrganizationId>,
    /// Whether anyone may see it (visibility `public`).
    pub public: bool,
}

/// The caller's role towards a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingRole {
    /// Admins; owners and managers of an organiser.
    Organizer,
    /// Other members of organisers; members of participant organisations.
    Participant,
    /// Anyone else, anonymous callers included, for a public meeting.
    Public,
}

/// What may be done to a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingRight {
    /// Read it (and its calendar entry).
    Read,
    /// Change its details and agenda.
    Edit,
    /// Hold or cancel it.
    Act,
    /// Read its registrations (personal data), mark attendance, cancel any, export the list.
    ManageRegistrations,
}

impl Role for MeetingRole {
    type Right = MeetingRight;

    fn may(self, right: MeetingRight) -> bool {
        match right {
            MeetingRight::Read => true,
            MeetingRight::Edit | MeetingRight::Act | MeetingRight::ManageRegistrations => {
                self == Self::Organizer
            }
        }
    }

    fn refusal(_: MeetingRight) -> String {
        "only admins and the owners and managers of an organiser may do this".into()
    }
}

/// The caller's role towards a meeting (`actor` `None`: anonymous); `None` when they may not
/// see it.
pub fn meeting(actor: Option<&Actor>, facts: &MeetingFacts) -> Option<MeetingRole> {
    if let Some(a) = actor {
        if a.is_admin() || facts.organizers.iter().any(|o| a.manages(*o)) {
            return Some(MeetingRole::Organizer);
        }
        let member_of = |orgs: &[OrganizationId]| orgs.iter().any(|o| a.belongs_to(*o));
        if member_of(&facts.organizers) || member_of(&facts.participants) {
            return Some(MeetingRole::Participant);
        }
    }
    facts.public.then_some(MeetingRole::Public)
}

/// Whether `actor` may organise a meeting with these organisers: admins, and the owners and
/// managers of at least one of them (403 otherwise: a meeting is created on behalf of an
/// organisation the caller runs).
pub fn may_organize(actor: &Actor, organizers: &[OrganizationId]) -> Result<(), DomainError> {
    if actor.is_admin() || organizers.iter().any(|o| actor.manages(*o)) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "you must be an owner or manager of at least one organiser organisation".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    fn facts(public: bool) -> MeetingFacts {
        MeetingFacts {
            organizers: vec![org(1), org(2)],
            participants: vec![org(3)],
            public,
        }
    }

    /// Role × right, from DESIGN's "Who may do what": organisers' owners and managers (and
    /// admins) run a meeting; organisers' other members and participants read it; anyone reads
    /// a public one; nobody else sees a participants-only one.
    #[test]
    fn meeting_role_by_right_table() {
        use MeetingRight::{Act, Edit, ManageRegistrations, Read};
        // (who, actor, [read, edit, act, manage registrations] on a participants-only meeting,
        // the same on a public one)
        type Row = (&'static str, Option<Actor>, [bool; 4], [bool; 4]);
        let rows: Vec<Row> = vec![
            ("admin", Some(admin()), [true; 4], [true; 4]),
            (
                "organiser owner",
                Some(member(1, org(1), Owner)),
                [true; 4],
                [true; 4],
            ),
            (
                "second organiser manager",
                Some(member(2, org(2), Manager)),
                [true; 4],
                [true; 4],
            ),
            (
                "organiser member",
                Some(member(3, org(1), Member)),
                [true, false, false, false],
                [true, false, false, false],
            ),
            (
                "organiser accountant",
                Some(member(4, org(1), Accountant)),
                [true, false, false, false],
                [true, false, false, false],
            ),
            (
                "participant owner",
                Some(member(5, org(3), Owner)),
                [true, false, false, false],
                [true, false, false, false],
            ),
            (
                "participant member",
                Some(member(6, org(3), Member)),
                [true, false, false, false],
                [true, false, false, false],
            ),
            (
                "other org owner",
                Some(member(7, org(9), Owner)),
                [false; 4],
                [true, false, false, false],
            ),
            (
                "outsider",
                Some(outsider()),
                [false; 4],
                [true, false, false, false],
            ),
            ("anonymous", None, [false; 4], [true, false, false, false]),
        ];
        for (who, actor, closed, open) in rows {
            for (public, want) in [(false, closed), (true, open)] {
                let role = meeting(actor.as_ref(), &facts(public));
                for (right, may) in [Read, Edit, Act, ManageRegistrations].into_iter().zip(want) {
                    assert_eq!(
                        role.is_some_and(|r| r.may(right)),
                        may,
                        "{who} {right:?} (public: {public})"
                    );
                }
            }
        }
    }

    #[test]
    fn members_of_organisers_and_participants_are_participants_of_a_public_meeting() {
        let a = member(3, org(1), Member);
        assert_eq!(
            meeting(Some(&a), &facts(true)),
            Some(MeetingRole::Participant)
        );
        assert_eq!(meeting(None, &facts(true)), Some(MeetingRole::Public));
    }

    #[test]
    fn only_admins_and_organisers_managers_organise() {
        let orgs = [org(1), org(2)];
        assert!(may_organize(&admin(), &orgs).is_ok());
        assert!(may_organize(&member(1, org(2), Manager), &orgs).is_ok());
        assert!(may_organize(&member(1, org(2), Owner), &orgs).is_ok());
        for a in [
            member(1, org(1), Member),
            member(1, org(1), Accountant),
            member(1, org(9), Owner),
            outsider(),
        ] {
            assert!(matches!(
                may_organize(&a, &orgs),
                Err(DomainError::Forbidden(_))
            ));
        }
    }
}
