//! Who may see and run a meeting series: exactly as for a meeting ([`super::meeting`]), over the
//! series' template (its organisers, participants and visibility). Admins and the owners and
//! managers of an organiser create and run it; the other members of organisers and the members
//! of participant organisations read it and its compliance view; anyone, anonymous callers
//! included, reads a public series. A participants-only series is invisible (404) to everyone
//! else. Its occurrences are meetings, each under the meeting policy.

use super::Actor;
use super::meeting::{MeetingFacts, MeetingRole, meeting};

/// The caller's role towards a series with these facts (`actor` `None`: anonymous); `None` when
/// they may not see it. Rights are [`super::meeting::MeetingRight`]: `Read` (the series and its
/// compliance view), `Act` (cancel what remains of it).
pub fn meeting_series(actor: Option<&Actor>, facts: &MeetingFacts) -> Option<MeetingRole> {
    meeting(actor, facts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;
    use crate::access::fixtures::*;
    use crate::access::meeting::MeetingRight::{Act, Read};
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};

    /// Role × right on a series (read it and its compliance view; act on it), from DESIGN's
    /// "Who may do what": the same table as a meeting's.
    #[test]
    fn meeting_series_role_by_right_table() {
        let facts = |public| MeetingFacts {
            organizers: vec![org(1)],
            participants: vec![org(3)],
            public,
        };
        // (who, actor, [read, act] on a participants-only series, the same on a public one)
        type Row = (&'static str, Option<Actor>, [bool; 2], [bool; 2]);
        let rows: Vec<Row> = vec![
            ("admin", Some(admin()), [true; 2], [true; 2]),
            (
                "organiser owner",
                Some(member(1, org(1), Owner)),
                [true; 2],
                [true; 2],
            ),
            (
                "organiser manager",
                Some(member(2, org(1), Manager)),
                [true; 2],
                [true; 2],
            ),
            (
                "organiser member",
                Some(member(3, org(1), Member)),
                [true, false],
                [true, false],
            ),
            (
                "organiser accountant",
                Some(member(4, org(1), Accountant)),
                [true, false],
                [true, false],
            ),
            (
                "akimat member",
                Some(member(5, org(3), Member)),
                [true, false],
                [true, false],
            ),
            (
                "other org owner",
                Some(member(6, org(9), Owner)),
                [false; 2],
                [true, false],
            ),
            ("outsider", Some(outsider()), [false; 2], [true, false]),
            ("anonymous", None, [false; 2], [true, false]),
        ];
        for (who, actor, closed, open) in rows {
            for (public, want) in [(false, closed), (true, open)] {
                let role = meeting_series(actor.as_ref(), &facts(public));
                for (right, may) in [Read, Act].into_iter().zip(want) {
                    assert_eq!(
                        role.is_some_and(|r| r.may(right)),
                        may,
                        "{who} {right:?} (public: {public})"
                    );
                }
            }
        }
    }
}
