//! Who may see, move and endorse a recommendation.
//!
//! DESIGN ("Who may do what"): whoever sees the meeting sees its recommendations (anonymous
//! callers those of public meetings); the members of the addressee see the recommendations
//! addressed to it ("government-body members: status of recommendations addressed to them").
//! The meeting's organisers (admins, owners and managers of an organiser) and the addressee's
//! owners and managers move them and edit their links; an organisation's owners and managers
//! (and admins) endorse on its behalf.

use super::meeting::MeetingRole;
use super::{Actor, Role};
use crate::error::DomainError;
use crate::ids::OrganizationId;

/// The caller's role towards a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecommendationRole {
    /// The meeting's organisers (admins included).
    Organizer,
    /// The addressee's owners and managers.
    Addressee,
    /// Anyone else who sees the meeting, and the addressee's other members.
    Reader,
}

/// What may be done to a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecommendationRight {
    /// Read it, its history and its endorsements.
    Read,
    /// Move its status (consider, adopt, reject, implement) and edit its links.
    Track,
}

impl Role for RecommendationRole {
    type Right = RecommendationRight;

    fn may(self, right: RecommendationRight) -> bool {
        match right {
            RecommendationRight::Read => true,
            RecommendationRight::Track => self != Self::Reader,
        }
    }

    fn refusal(_: RecommendationRight) -> String {
        "only the meeting's organisers and the addressee's owners and managers track a recommendation"
            .into()
    }
}

/// The caller's role towards a recommendation addressed to `addressee`, made at a meeting the
/// caller sees as `meeting` (`None`: does not see it); `None` when the caller may not see it.
pub fn recommendation(
    actor: Option<&Actor>,
    meeting: Option<MeetingRole>,
    addressee: OrganizationId,
) -> Option<RecommendationRole> {
    if meeting == Some(MeetingRole::Organizer) {
        return Some(RecommendationRole::Organizer);
    }
    if let Some(a) = actor {
        if a.manages(addressee) {
            return Some(RecommendationRole::Addressee);
        }
        if a.belongs_to(addressee) {
            return Some(RecommendationRole::Reader);
        }
    }
    meeting.map(|_| RecommendationRole::Reader)
}

/// The organisation a tracker acts for, recorded in the history: the addressee for its owners
/// and managers, else the first of `organizers` the caller runs; `None` for an admin acting
/// outside both.
pub fn acting_organization(
    actor: &Actor,
    addressee: OrganizationId,
    organizers: &[OrganizationId],
) -> Option<OrganizationId> {
    if actor.manages(addressee) {
        return Some(addressee);
    }
    organizers.iter().copied().find(|o| actor.manages(*o))
}

/// Whether `actor` may endorse (or withdraw an endorsement) on behalf of `organization`: its
/// owners and managers, and admins (403 otherwise).
pub fn may_endorse(actor: &Actor, organization: OrganizationId) -> Result<(), DomainError> {
    if actor.is_admin() || actor.manages(organization) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "only the organisation's owners and managers endorse on its behalf".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::access::meeting::{MeetingFacts, meeting};
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    fn facts(public: bool) -> MeetingFacts {
        MeetingFacts {
            organizers: vec![org(1)],
            participants: vec![org(3)],
            public,
        }
    }

    /// Role × right, from DESIGN's "Who may do what", on a participants-only and a public
    /// meeting, the recommendation addressed to org 5.
    #[test]
    fn recommendation_role_by_right_table() {
        use RecommendationRight::{Read, Track};
        let addressee = org(5);
        // (who, actor, [read, track] participants-only, [read, track] public)
        type Row = (&'static str, Option<Actor>, [bool; 2], [bool; 2]);
        let rows: Vec<Row> = vec![
            ("admin", Some(admin()), [true; 2], [true; 2]),
            (
                "organiser manager",
                Some(member(1, org(1), Manager)),
                [true; 2],
                [true; 2],
            ),
            (
                "organiser member",
                Some(member(2, org(1), Member)),
                [true, false],
                [true, false],
            ),
            (
                "participant owner",
                Some(member(3, org(3), Owner)),
                [true, false],
                [true, false],
            ),
            (
                "addressee owner",
                Some(member(4, addressee, Owner)),
                [true; 2],
                [true; 2],
            ),
            (
                "addressee manager",
                Some(member(5, addressee, Manager)),
                [true; 2],
                [true; 2],
            ),
            (
                "addressee member",
                Some(member(6, addressee, Member)),
                [true, false],
                [true, false],
            ),
            (
                "addressee accountant",
                Some(member(7, addressee, Accountant)),
                [true, false],
                [true, false],
            ),
            (
                "unrelated owner",
                Some(member(8, org(9), Owner)),
                [false; 2],
                [true, false],
            ),
            ("outsider", Some(outsider()), [false; 2], [true, false]),
            ("anonymous", None, [false; 2], [true, false]),
        ];
        for (who, actor, closed, open) in rows {
            for (public, want) in [(false, closed), (true, open)] {
                let seen = meeting(actor.as_ref(), &facts(public));
                let role = recommendation(actor.as_ref(), seen, addressee);
                for (right, may) in [Read, Track].into_iter().zip(want) {
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
    fn the_acting_organisation_is_the_addressee_or_an_organiser() {
        let organizers = [org(1), org(2)];
        assert_eq!(
            acting_organization(&member(1, org(5), Manager), org(5), &organizers),
            Some(org(5))
        );
        assert_eq!(
            acting_organization(&member(1, org(2), Owner), org(5), &organizers),
            Some(org(2))
        );
        assert_eq!(acting_organization(&admin(), org(5), &organizers), None);
    }

    #[test]
    fn owners_managers_and_admins_endorse_on_an_organisations_behalf() {
        assert!(may_endorse(&member(1, org(1), Owner), org(1)).is_ok());
        assert!(may_endorse(&member(1, org(1), Manager), org(1)).is_ok());
        assert!(may_endorse(&admin(), org(1)).is_ok());
        for a in [
            member(1, org(1), Member),
            member(1, org(1), Accountant),
            member(1, org(2), Owner),
            outsider(),
        ] {
            assert!(matches!(
                may_endorse(&a, org(1)),
                Err(DomainError::Forbidden(_))
            ));
        }
    }
}
