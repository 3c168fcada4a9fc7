//! Who may see and change a review (DESIGN "Who may do what": committee members see "their own
//! reviews"): the reviewer reads and works on it; the managing organisation's owners and
//! managers read every review of a call once it is decided; admins read all.

use super::programme::Circle;
use super::{Actor, Role};
use crate::ids::UserId;

/// What the policy needs to know about a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFacts {
    /// The reviewer.
    pub reviewer: UserId,
    /// The programme's managing organisation and funders.
    pub circle: Circle,
    /// Whether the call is decided (until then a review is the reviewer's secret).
    pub call_decided: bool,
}

/// The caller's role towards a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRole {
    /// The reviewer.
    Reviewer,
    /// Admins; the managing organisation's owners and managers once the call is decided.
    Reader,
}

/// What may be done to a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRight {
    /// Read it.
    Read,
    /// Declare, score, submit, recuse.
    Work,
}

impl Role for ReviewRole {
    type Right = ReviewRight;

    fn may(self, right: ReviewRight) -> bool {
        right == ReviewRight::Read || self == Self::Reviewer
    }

    fn refusal(_: ReviewRight) -> String {
        "only the reviewer may change a review".into()
    }
}

/// The caller's role towards a review; `None` when they may not see it.
pub fn review(actor: &Actor, facts: &ReviewFacts) -> Option<ReviewRole> {
    if actor.user_id() == facts.reviewer {
        Some(ReviewRole::Reviewer)
    } else if actor.is_admin() || (facts.call_decided && actor.manages(facts.circle.managing)) {
        Some(ReviewRole::Reader)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::membership::OrgRole::{Manager, Member, Owner};

    fn facts(decided: bool) -> ReviewFacts {
        ReviewFacts {
            reviewer: user(8),
            circle: Circle {
                managing: org(1),
                funders: vec![org(2)],
            },
            call_decided: decided,
        }
    }

    /// Role × right, from DESIGN: the reviewer alone until the call is decided; then the
    /// managing organisation's managers read; admins always read; only the reviewer works.
    #[test]
    fn review_role_by_right_table() {
        use ReviewRight::{Read, Work};
        let reviewer = Actor::user(user(8), crate::user::SystemRole::User, Vec::new());
        let rows: Vec<(&str, Actor, [bool; 2], [bool; 2])> = vec![
            // (who, actor, [read, work] before the decision, after)
            ("reviewer", reviewer, [true, true], [true, true]),
            ("admin", admin(), [true, false], [true, false]),
            (
                "managing owner",
                member(1, org(1), Owner),
                [false; 2],
                [true, false],
            ),
            (
                "managing manager",
                member(2, org(1), Manager),
                [false; 2],
                [true, false],
            ),
            (
                "managing member",
                member(3, org(1), Member),
                [false; 2],
                [false; 2],
            ),
            (
                "funder manager",
                member(4, org(2), Manager),
                [false; 2],
                [false; 2],
            ),
            ("other committee member", outsider(), [false; 2], [false; 2]),
        ];
        for (who, actor, before, after) in rows {
            for (decided, want) in [(false, before), (true, after)] {
                let role = review(&actor, &facts(decided));
                for (right, may) in [Read, Work].into_iter().zip(want) {
                    assert_eq!(
                        role.is_some_and(|r| r.may(right)),
                        may,
                        "{who} {right:?} (decided: {decided})"
                    );
                }
            }
        }
    }
}
