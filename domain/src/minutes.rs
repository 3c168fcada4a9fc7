//! A meeting's minutes (DESIGN "Stakeholder meetings and recommendations": minutes hold the
//! attendance, the decisions and the recommendations made, and are frozen on publishing).
//!
//! The organisers write the decisions (ordered multilingual texts) and an optional summary
//! while the meeting is `held`; publishing moves the meeting to `minutes_published`
//! ([`crate::meeting::MeetingAction::PublishMinutes`]), computes the attendance summary once
//! and freezes both. Who may do what is in [`crate::access::minutes`].

use crate::error::DomainError;
use crate::ids::MeetingId;
use crate::meeting::{MeetingStatus, ParticipantRole};
use crate::organization::OrganizationKind;
use crate::text::LocalizedText;
use chrono::NaiveDateTime;
use std::collections::BTreeMap;

/// Most decisions in one set of minutes.
pub const MAX_DECISIONS: usize = 100;
/// Longest decision translation.
pub const MAX_DECISION_CHARS: usize = 2_000;
/// Longest summary translation.
pub const MAX_SUMMARY_CHARS: usize = 10_000;

/// Who attended, computed when the minutes are published and stored with them. An object so
/// that later counts (registrations) are added beside these without changing them.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Attendance {
    /// The invited participant organisations.
    pub participant_organizations: i64,
    /// Those organisations by their organisation kind (`government`: 1, …), kinds with none
    /// left out.
    pub by_organization_kind: BTreeMap<String, i64>,
    /// Those organisations by the role they took part in (`government_body`: 1, …).
    pub by_participant_role: BTreeMap<String, i64>,
    /// Registrations confirmed when the minutes were published (waitlisted and cancelled ones
    /// left out). Summaries stored before registrations were counted read as 0.
    #[serde(default)]
    pub registered: i64,
    /// Confirmed registrants marked as attended.
    #[serde(default)]
    pub attended: i64,
    /// Confirmed registrants marked as not having come.
    #[serde(default)]
    pub no_show: i64,
    /// Attendees by the kind of the organisation they registered for (one of the platform's
    /// organisations), kinds with none left out.
    #[serde(default)]
    pub attendees_by_organization_kind: BTreeMap<String, i64>,
    /// Attendees who named their organisation in free text or named none.
    #[serde(default)]
    pub attendees_without_listed_organization: i64,
}

/// A group of a meeting's confirmed registrations, counted in storage: their attendance mark
/// and the kind of the organisation they registered for (`None`: free text or none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrantGroup {
    /// Whether they came (`None`: not marked).
    pub attendance: Option<crate::registration::Attendance>,
    /// The kind of the listed organisation they registered for.
    pub organization_kind: Option<OrganizationKind>,
    /// How many.
    pub count: i64,
}

/// Counts the invited participant organisations, each given with its kind and role, and the
/// confirmed registrants by attendance and by the kind of organisation the attendees came for.
pub fn attendance(
    participants: &[(OrganizationKind, ParticipantRole)],
    registrants: &[RegistrantGroup],
) -> Attendance {
    let mut out = Attendance {
        participant_organizations: i64::try_from(participants.len()).unwrap_or(i64::MAX),
        ..Attendance::default()
    };
    for (kind, role) in participants {
        *out.by_organization_kind
            .entry(kind.as_str().to_owned())
            .or_default() += 1;
        *out.by_participant_role
            .entry(role.as_str().to_owned())
            .or_default() += 1;
    }
    for g in registrants {
        out.registered += g.count;
        match g.attendance {
            Some(crate::registration::Attendance::Attended) => {
                out.attended += g.count;
                match g.organization_kind {
                    Some(kind) => {
                        *out.attendees_by_organization_kind
                            .entry(kind.as_str().to_owned())
                            .or_default() += g.count;
                    }
                    None => out.attendees_without_listed_organization += g.count,
                }
            }
            Some(crate::registration::Attendance::NoShow) => out.no_show += g.count,
            None => {}
        }
    }
    out
}

/// What the organisers write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesText {
    /// The decisions, in order.
    pub decisions: Vec<LocalizedText>,
    /// A summary.
    pub summary: Option<LocalizedText>,
}

/// A meeting's stored minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minutes {
    /// The meeting.
    pub meeting: MeetingId,
    /// Their text.
    pub text: MinutesText,
    /// The attendance summary, once published.
    pub attendance: Option<Attendance>,
    /// When published (`None`: a draft the organisers alone read).
    pub published_at: Option<NaiveDateTime>,
    /// Version (ETag).
    pub version: i64,
    /// When first written.
    pub created_at: NaiveDateTime,
    /// When last changed.
    pub updated_at: NaiveDateTime,
}

/// Refuses writing minutes unless the meeting is `held` and the minutes are not published:
/// 409 naming the meeting's state and what it allows.
pub fn check_writable(status: MeetingStatus, published: bool) -> Result<(), DomainError> {
    if status == MeetingStatus::Held && !published {
        return Ok(());
    }
    Err(DomainError::InvalidTransition {
        entity: "meeting",
        action: "write_minutes",
        from: status.as_str(),
        allowed: status.allowed_actions(),
    })
}

/// Refuses publishing minutes that were never written (409).
pub fn check_publishable(minutes: Option<&Minutes>) -> Result<(), DomainError> {
    if minutes.is_some() {
        Ok(())
    } else {
        Err(DomainError::Conflict(
            "The meeting has no minutes yet: write them with PUT …/minutes first.".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attendance_counts_participants_by_kind_and_role() {
        let a = attendance(
            &[
                (
                    OrganizationKind::Government,
                    ParticipantRole::GovernmentBody,
                ),
                (OrganizationKind::Ngo, ParticipantRole::Cso),
                (OrganizationKind::Ngo, ParticipantRole::Cso),
                (OrganizationKind::Donor, ParticipantRole::Donor),
            ],
            &[],
        );
        assert_eq!(a.participant_organizations, 4);
        assert_eq!(a.by_organization_kind["ngo"], 2);
        assert_eq!(a.by_organization_kind["government"], 1);
        assert_eq!(a.by_participant_role["cso"], 2);
        assert!(!a.by_organization_kind.contains_key("media"));
        assert_eq!(attendance(&[], &[]), Attendance::default());
    }

    #[test]
    fn attendance_counts_confirmed_registrants_and_attendees_by_their_organisation_kind() {
        use crate::registration::Attendance::{Attended, NoShow};
        let group = |attendance, organization_kind, count| RegistrantGroup {
            attendance,
            organization_kind,
            count,
        };
        let a = attendance(
            &[(OrganizationKind::Ngo, ParticipantRole::Cso)],
            &[
                group(Some(Attended), Some(OrganizationKind::Ngo), 3),
                group(Some(Attended), Some(OrganizationKind::Government), 1),
                group(Some(Attended), None, 5),
                group(Some(NoShow), None, 2),
                group(None, Some(OrganizationKind::Ngo), 1),
            ],
        );
        assert_eq!((a.registered, a.attended, a.no_show), (12, 9, 2));
        assert_eq!(a.attendees_by_organization_kind["ngo"], 3);
        assert_eq!(a.attendees_by_organization_kind["government"], 1);
        assert_eq!(a.attendees_without_listed_organization, 5);
        assert_eq!(a.participant_organizations, 1);
        // A summary stored before registrations were counted still reads.
        let old: Attendance = serde_json::from_str(
            r#"{"participant_organizations":1,"by_organization_kind":{"ngo":1},"by_participant_role":{"cso":1}}"#,
        )
        .unwrap();
        assert_eq!((old.registered, old.attended), (0, 0));
    }

    #[test]
    fn minutes_are_written_only_while_the_meeting_is_held_and_unpublished() {
        assert!(check_writable(MeetingStatus::Held, false).is_ok());
        assert!(check_writable(MeetingStatus::Held, true).is_err());
        for s in [
            MeetingStatus::Planned,
            MeetingStatus::Cancelled,
            MeetingStatus::MinutesPublished,
        ] {
            let Err(DomainError::InvalidTransition { from, .. }) = check_writable(s, false) else {
                panic!("expected 409 for {s:?}");
            };
            assert_eq!(from, s.as_str());
        }
    }

    #[test]
    fn unwritten_minutes_are_not_published() {
        assert!(matches!(
            check_publishable(None),
            Err(DomainError::Conflict(_))
        ));
    }
}
