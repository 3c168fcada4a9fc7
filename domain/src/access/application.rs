//! Who may see and act on an application (DESIGN "Who may do what"): NGO members see their
//! organisation's applications and its owners and managers run them; donor and
//! managing-organisation managers see "the applications to them" and committee members "the
//! applications of their call", but only once an application was submitted. The managing
//! organisation's owners and managers assign reviewers, reject and award.

use super::programme::Circle;
use super::{Actor, Role};
use crate::ids::{OrganizationId, UserId};

/// What the policy needs to know about an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationFacts {
    /// The applying organisation.
    pub applicant: OrganizationId,
    /// The programme's managing organisation and funders.
    pub circle: Circle,
    /// The call's committee.
    pub committee: Vec<UserId>,
    /// Whether it was ever submitted (`submitted_at` is set); a draft withdrawn before
    /// submission stays the applicant's own.
    pub submitted: bool,
}

/// The caller's role towards an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationRole {
    /// Admins.
    Admin,
    /// Owners and managers of the applicant.
    ApplicantManager,
    /// Other members of the applicant.
    ApplicantMember,
    /// Owners and managers of the managing organisation (once submitted).
    Manager,
    /// Owners and managers of a funder, and the call's committee (once submitted).
    Reviewer,
}

/// What may be done to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationRight {
    /// Read it.
    Read,
    /// Edit the draft, submit, withdraw.
    Apply,
    /// Assign reviewers.
    AssignReviewers,
    /// Reject or award it.
    Decide,
}

impl Role for ApplicationRole {
    type Right = ApplicationRight;

    fn may(self, right: ApplicationRight) -> bool {
        use ApplicationRight::{Apply, AssignReviewers, Decide, Read};
        matches!(
            (self, right),
            (_, Read)
                | (Self::Admin, _)
                | (Self::ApplicantManager, Apply)
                | (Self::Manager, AssignReviewers | Decide)
        )
    }

    fn refusal(right: ApplicationRight) -> String {
        match right {
            ApplicationRight::Read => "you may not read this application".into(),
            ApplicationRight::Apply => {
                "only the applicant's owners and managers may change an application".into()
            }
            ApplicationRight::AssignReviewers | ApplicationRight::Decide => {
                "only the managing organisation's owners and managers may do this".into()
            }
        }
    }
}

/// The caller's role towards an application; `None` when they may not see it.
pub fn application(actor: &Actor, facts: &ApplicationFacts) -> Option<ApplicationRole> {
    if actor.is_admin() {
        Some(ApplicationRole::Admin)
    } else if actor.manages(facts.applicant) {
        Some(ApplicationRole::ApplicantManager)
    } else if actor.belongs_to(facts.applicant) {
        Some(ApplicationRole::ApplicantMember)
    } else if !facts.submitted {
        None
    } else if actor.manages(facts.circle.managing) {
        Some(ApplicationRole::Manager)
    } else if facts.circle.funded_by_manager(actor) || facts.committee.contains(&actor.user_id()) {
        Some(ApplicationRole::Reviewer)
    } else {
        None
    }
}

/// The role of an actor towards an application that the list's SQL filter (the same rule as
/// [`application`]) already admitted: only the applicant's own roles need telling apart.
pub fn listed(actor: &Actor, applicant: OrganizationId) -> ApplicationRole {
    if actor.is_admin() {
        ApplicationRole::Admin
    } else if actor.manages(applicant) {
        ApplicationRole::ApplicantManager
    } else if actor.belongs_to(applicant) {
        ApplicationRole::ApplicantMember
    } else {
        ApplicationRole::Reviewer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    fn facts(submitted: bool) -> ApplicationFacts {
        ApplicationFacts {
            applicant: org(3),
            circle: Circle {
                managing: org(1),
                funders: vec![org(2)],
            },
            committee: vec![user(8)],
            submitted,
        }
    }

    /// Role × right, from DESIGN: the applicant's owners and managers run it, its members read
    /// it; once submitted, the managing organisation's managers read, assign and decide, and
    /// funders' managers and the committee read. Nobody else sees it.
    #[test]
    fn application_role_by_right_table() {
        use ApplicationRight::{Apply, AssignReviewers, Decide, Read};
        let committee = Actor::user(user(8), crate::user::SystemRole::User, Vec::new());
        let none = [false; 4];
        let read = [true, false, false, false];
        let rows: Vec<(&str, Actor, [bool; 4], [bool; 4])> = vec![
            // (who, actor, [read, apply, assign, decide] before submission, after)
            ("admin", admin(), [true; 4], [true; 4]),
            (
                "applicant owner",
                member(1, org(3), Owner),
                [true, true, false, false],
                [true, true, false, false],
            ),
            (
                "applicant manager",
                member(2, org(3), Manager),
                [true, true, false, false],
                [true, true, false, false],
            ),
            ("applicant member", member(3, org(3), Member), read, read),
            (
                "applicant accountant",
                member(4, org(3), Accountant),
                read,
                read,
            ),
            (
                "managing owner",
                member(5, org(1), Owner),
                none,
                [true, false, true, true],
            ),
            (
                "managing manager",
                member(6, org(1), Manager),
                none,
                [true, false, true, true],
            ),
            ("managing member", member(7, org(1), Member), none, none),
            ("funder manager", member(9, org(2), Manager), none, read),
            ("funder member", member(10, org(2), Member), none, none),
            ("committee member", committee, none, read),
            ("outsider", outsider(), none, none),
        ];
        for (who, actor, before, after) in rows {
            for (submitted, want) in [(false, before), (true, after)] {
                let role = application(&actor, &facts(submitted));
                for (right, may) in [Read, Apply, AssignReviewers, Decide].into_iter().zip(want) {
                    assert_eq!(
                        role.is_some_and(|r| r.may(right)),
                        may,
                        "{who} {right:?} (submitted: {submitted})"
                    );
                }
            }
        }
    }
}
