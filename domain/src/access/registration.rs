//! Who may see and change a registration for a meeting. Registrations hold personal data
//! (DESIGN: "Personal data is shown only to the organisers; public views show counts"):
//! - the meeting's organisers (`MeetingRight::ManageRegistrations`: admins, owners and managers
//!   of an organiser) read every registration, cancel any and mark attendance;
//! - whoever holds a registration's secret token reads and cancels that one;
//! - nobody else sees any (404), not even the meeting's participants' members.

use super::Role;
use super::meeting::{MeetingRight, MeetingRole};

/// The caller's role towards a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationRole {
    /// The meeting's organisers.
    Organizer,
    /// Whoever presented the registration's token.
    Holder,
}

/// What may be done to a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationRight {
    /// Read it, personal data included.
    Read,
    /// Cancel it.
    Cancel,
    /// Mark attendance, list and export the meeting's registrations.
    Manage,
}

impl Role for RegistrationRole {
    type Right = RegistrationRight;

    fn may(self, right: RegistrationRight) -> bool {
        match right {
            RegistrationRight::Read | RegistrationRight::Cancel => true,
            RegistrationRight::Manage => self == Self::Organizer,
        }
    }

    fn refusal(_: RegistrationRight) -> String {
        "only the meeting's organisers may do this".into()
    }
}

/// The caller's role towards a registration of a meeting they see as `meeting` (`None`: they
/// do not see it), `token_matches` when they presented its token; `None`: they may not see it.
pub fn registration(meeting: Option<MeetingRole>, token_matches: bool) -> Option<RegistrationRole> {
    if meeting.is_some_and(|r| r.may(MeetingRight::ManageRegistrations)) {
        Some(RegistrationRole::Organizer)
    } else if token_matches {
        Some(RegistrationRole::Holder)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Role × right: organisers do everything; the token holder reads and cancels; the
    /// meeting's participants and the public, without the token, see nothing.
    #[test]
    fn registration_role_by_right_table() {
        use RegistrationRight::{Cancel, Manage, Read};
        let rows: [(Option<MeetingRole>, bool, [bool; 3]); 8] = [
            (Some(MeetingRole::Organizer), false, [true; 3]),
            (Some(MeetingRole::Organizer), true, [true; 3]),
            (Some(MeetingRole::Participant), true, [true, true, false]),
            (Some(MeetingRole::Public), true, [true, true, false]),
            (None, true, [true, true, false]),
            (Some(MeetingRole::Participant), false, [false; 3]),
            (Some(MeetingRole::Public), false, [false; 3]),
            (None, false, [false; 3]),
        ];
        for (meeting, token, want) in rows {
            let role = registration(meeting, token);
            for (right, may) in [Read, Cancel, Manage].into_iter().zip(want) {
                assert_eq!(
                    role.is_some_and(|r| r.may(right)),
                    may,
                    "{meeting:?} token {token} {right:?}"
                );
            }
        }
    }
}
