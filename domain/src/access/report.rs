//! Who may see and change a report, its versions, comments and attachments.
//!
//! DESIGN ("Reports and results"): the grantee's owners and managers fill in and submit, its
//! accountants fill in the money, its members read; the managing organisation's owners and
//! managers (and admins) accept or request a revision; the mentor organisation's members read
//! and comment but do not decide; funders read accepted reports. The managing organisation's
//! other members read.

use super::grant::GrantFacts;
use super::{Actor, Role};
use crate::membership::OrgRole;
use crate::report::ReportStatus;

/// The caller's role towards a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRole {
    /// Admins; owners and managers of the managing organisation.
    Reviewer,
    /// Owners and managers of the grantee.
    Author,
    /// Accountants of the grantee.
    Accountant,
    /// Members of the mentor organisation.
    Mentor,
    /// The grantee's other members, the managing organisation's other members, and funders
    /// (of accepted reports).
    Reader,
}

/// What may be done to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRight {
    /// Read it, its versions, comments and attachments.
    Read,
    /// Write the narrative and the indicator values.
    EditResults,
    /// Write the expenditures.
    EditMoney,
    /// Add and remove attachments (receipts, participant lists, photos).
    Attach,
    /// Submit it.
    Submit,
    /// Accept it or request a revision.
    Review,
    /// Comment on it.
    Comment,
}

impl Role for ReportRole {
    type Right = ReportRight;

    fn may(self, right: ReportRight) -> bool {
        use ReportRight::{Attach, Comment, EditMoney, EditResults, Read, Review, Submit};
        match right {
            Read => true,
            EditResults | Submit => self == Self::Author,
            EditMoney | Attach => matches!(self, Self::Author | Self::Accountant),
            Review => self == Self::Reviewer,
            Comment => matches!(self, Self::Reviewer | Self::Mentor | Self::Author),
        }
    }

    fn refusal(right: ReportRight) -> String {
        match right {
            ReportRight::EditResults | ReportRight::Submit => {
                "only the grantee's owners and managers write and submit its reports".into()
            }
            ReportRight::EditMoney | ReportRight::Attach => {
                "only the grantee's owners, managers and accountants write a report's money and attach files".into()
            }
            ReportRight::Review => {
                "only admins and the programme's managers accept reports or request revisions".into()
            }
            ReportRight::Comment => {
                "only reviewers, mentors and the grantee's owners and managers comment".into()
            }
            ReportRight::Read => "you may not read this report".into(),
        }
    }
}

/// The caller's role towards a report of a grant in `status`; `None` when they may not see
/// it (funders see accepted reports only).
pub fn report(actor: &Actor, facts: &GrantFacts, status: ReportStatus) -> Option<ReportRole> {
    if facts.circle.managed_by(actor) {
        return Some(ReportRole::Reviewer);
    }
    match actor.role_in(facts.grantee) {
        Some(OrgRole::Owner | OrgRole::Manager) => return Some(ReportRole::Author),
        Some(OrgRole::Accountant) => return Some(ReportRole::Accountant),
        Some(OrgRole::Member) => return Some(ReportRole::Reader),
        None => {}
    }
    if facts.mentor.is_some_and(|m| actor.belongs_to(m)) {
        return Some(ReportRole::Mentor);
    }
    if actor.belongs_to(facts.circle.managing) {
        return Some(ReportRole::Reader);
    }
    let funder = facts.circle.funders.iter().any(|f| actor.belongs_to(*f));
    (funder && status == ReportStatus::Accepted).then_some(ReportRole::Reader)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::access::programme::Circle;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    /// Role × right, from DESIGN's "Who may do what" and "Reports and results".
    #[test]
    fn report_role_by_right_table() {
        use ReportRight::{Attach, Comment, EditMoney, EditResults, Read, Review, Submit};
        let facts = GrantFacts {
            circle: Circle {
                managing: org(1),
                funders: vec![org(2)],
            },
            grantee: org(3),
            mentor: Some(org(4)),
        };
        let rights = [
            Read,
            EditResults,
            EditMoney,
            Attach,
            Submit,
            Review,
            Comment,
        ];
        // (who, actor, [read, edit results, edit money, attach, submit, review, comment])
        let rows: Vec<(&str, Actor, [bool; 7])> = vec![
            (
                "admin",
                admin(),
                [true, false, false, false, false, true, true],
            ),
            (
                "managing owner",
                member(1, org(1), Owner),
                [true, false, false, false, false, true, true],
            ),
            (
                "managing manager",
                member(2, org(1), Manager),
                [true, false, false, false, false, true, true],
            ),
            (
                "managing accountant",
                member(3, org(1), Accountant),
                [true, false, false, false, false, false, false],
            ),
            (
                "managing member",
                member(4, org(1), Member),
                [true, false, false, false, false, false, false],
            ),
            (
                "grantee owner",
                member(5, org(3), Owner),
                [true, true, true, true, true, false, true],
            ),
            (
                "grantee manager",
                member(6, org(3), Manager),
                [true, true, true, true, true, false, true],
            ),
            (
                "grantee accountant",
                member(7, org(3), Accountant),
                [true, false, true, true, false, false, false],
            ),
            (
                "grantee member",
                member(8, org(3), Member),
                [true, false, false, false, false, false, false],
            ),
            (
                "mentor member",
                member(9, org(4), Member),
                [true, false, false, false, false, false, true],
            ),
            (
                "funder manager",
                member(10, org(2), Manager),
                [true, false, false, false, false, false, false],
            ),
            ("outsider", outsider(), [false; 7]),
            ("other org owner", member(11, org(9), Owner), [false; 7]),
        ];
        for (who, actor, expected) in rows {
            let role = report(&actor, &facts, ReportStatus::Accepted);
            for (right, want) in rights.iter().zip(expected) {
                assert_eq!(role.is_some_and(|r| r.may(*right)), want, "{who} {right:?}");
            }
        }
    }

    #[test]
    fn funders_see_accepted_reports_only() {
        let facts = GrantFacts {
            circle: Circle {
                managing: org(1),
                funders: vec![org(2)],
            },
            grantee: org(3),
            mentor: None,
        };
        let funder = member(10, org(2), Manager);
        for s in ReportStatus::ALL {
            let sees = report(&funder, &facts, *s).is_some();
            assert_eq!(sees, *s == ReportStatus::Accepted, "{s:?}");
        }
        let grantee = member(5, org(3), Member);
        assert!(
            ReportStatus::ALL
                .iter()
                .all(|s| report(&grantee, &facts, *s).is_some())
        );
    }
}
