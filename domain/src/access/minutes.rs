//! Who may read and write a meeting's minutes.
//!
//! The meeting's organisers (admins, owners and managers of an organiser) write the draft,
//! read it and publish it (`Writer`); everyone else who sees the meeting reads the minutes
//! once published (`Reader`) — a draft is invisible (404) to them, as are the minutes of a
//! meeting they may not see. Writing and publishing are asked of the meeting's policy
//! (its `Edit` right), so that the meeting's other readers get 403 rather than 404 there.

use super::Role;
use super::meeting::MeetingRole;

/// The caller's role towards a meeting's minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinutesRole {
    /// The meeting's organisers.
    Writer,
    /// Anyone else who sees the meeting, once the minutes are published.
    Reader,
}

/// What may be done to minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinutesRight {
    /// Read them.
    Read,
    /// Write the draft and publish it.
    Write,
}

impl Role for MinutesRole {
    type Right = MinutesRight;

    fn may(self, right: MinutesRight) -> bool {
        match right {
            MinutesRight::Read => true,
            MinutesRight::Write => self == Self::Writer,
        }
    }

    fn refusal(_: MinutesRight) -> String {
        "only admins and the owners and managers of an organiser write and publish minutes".into()
    }
}

/// The caller's role towards the minutes of a meeting the caller sees as `meeting` (`None`:
/// does not see it), published or not; `None` when the caller may not see them.
pub fn minutes(meeting: Option<MeetingRole>, published: bool) -> Option<MinutesRole> {
    match meeting? {
        MeetingRole::Organizer => Some(MinutesRole::Writer),
        MeetingRole::Participant | MeetingRole::Public => published.then_some(MinutesRole::Reader),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Role × right for drafts and published minutes: organisers read and write both; the
    /// meeting's other readers read published minutes only; nobody else sees either.
    #[test]
    fn minutes_role_by_right_table() {
        use MinutesRight::{Read, Write};
        // (meeting role, [read, write] of a draft, [read, write] of published minutes)
        let rows = [
            (Some(MeetingRole::Organizer), [true, true], [true, true]),
            (
                Some(MeetingRole::Participant),
                [false, false],
                [true, false],
            ),
            (Some(MeetingRole::Public), [false, false], [true, false]),
            (None, [false, false], [false, false]),
        ];
        for (meeting, draft, published) in rows {
            for (is_published, want) in [(false, draft), (true, published)] {
                let role = minutes(meeting, is_published);
                for (right, may) in [Read, Write].into_iter().zip(want) {
                    assert_eq!(
                        role.is_some_and(|r| r.may(right)),
                        may,
                        "{meeting:?} {right:?} published={is_published}"
                    );
                }
            }
        }
    }
}
