//! Stakeholder meetings (DESIGN: "Stakeholder meetings and recommendations"): round tables,
//! dialogues, forums, conferences, trainings and seminars, with their organisers, invited
//! participant organisations, time in an IANA time zone, place and/or online link, visibility,
//! capacity and an ordered agenda.
//!
//! This module holds the value types, the state machine (`planned → held → minutes_published`,
//! `planned → cancelled`) and the rules over a meeting's fields; who may do what is in
//! [`crate::access::meeting`]. Minutes are in [`crate::minutes`], recommendations in
//! [`crate::recommendation`].

use crate::error::{DomainError, FieldError, Validator};
use crate::geo::RegionCode;
use crate::ids::{MeetingId, MeetingSeriesId, OrganizationId, RecommendationId};
use crate::registration::{RegistrationSettings, check_settings};
use crate::text::LocalizedText;
use crate::training::CountsToward;
use chrono::NaiveDateTime;

/// Longest title translation.
pub const MAX_TITLE: usize = 300;
/// Longest description translation.
pub const MAX_DESCRIPTION: usize = 5000;
/// Fewest organiser organisations.
pub const MIN_ORGANIZERS: usize = 1;
/// Most organiser organisations.
pub const MAX_ORGANIZERS: usize = 10;
/// Most invited participant organisations.
pub const MAX_PARTICIPANTS: usize = 200;
/// Longest address of a place.
pub const MAX_ADDRESS_CHARS: usize = 500;
/// Longest online link.
pub const MAX_URL_CHARS: usize = 2000;
/// Longest IANA time-zone name accepted (the longest in the database has 32 characters).
pub const MAX_TIME_ZONE_CHARS: usize = 64;
/// Largest capacity.
pub const MAX_CAPACITY: i32 = 100_000;
/// Most agenda items.
pub const MAX_AGENDA_ITEMS: usize = 50;
/// Longest agenda item title translation.
pub const MAX_AGENDA_TITLE: usize = 300;
/// Longest presenter.
pub const MAX_PRESENTER_CHARS: usize = 200;
/// Fewest minutes allotted to an agenda item.
pub const MIN_ITEM_MINUTES: i32 = 1;
/// Most minutes allotted to an agenda item.
pub const MAX_ITEM_MINUTES: i32 = 600;
/// Most recommendations one agenda item lists.
pub const MAX_ITEM_RECOMMENDATIONS: usize = 100;
/// Longest reason for a cancellation.
pub const MAX_REASON_CHARS: usize = 500;
/// Most events in one calendar feed.
pub const MAX_FEED_EVENTS: usize = 500;
/// How far back the calendar feed reaches when no `from` is given, in days.
pub const FEED_DAYS_BACK: i64 = 30;

crate::named_enum!(
    /// What kind of meeting.
    MeetingKind, "a meeting kind" {
        RoundTable = "round_table", Dialogue = "dialogue", Forum = "forum",
        Conference = "conference", Training = "training", Seminar = "seminar", Other = "other",
    }
);

crate::named_enum!(
    /// The role an invited organisation takes part in.
    ParticipantRole, "a participant role" {
        GovernmentBody = "government_body", Cso = "cso", Donor = "donor",
        Business = "business", Media = "media", Academic = "academic",
    }
);

crate::named_enum!(
    /// Where a meeting happens: at a place, online, or both.
    MeetingFormat, "a meeting format" { InPerson = "in_person", Online = "online", Hybrid = "hybrid" }
);

crate::named_enum!(
    /// Who may see a meeting: anyone (`public`), or its organisers and participants.
    Visibility, "a visibility" { Public = "public", Participants = "participants" }
);

crate::state_machine! {
    /// A meeting's status: `planned → held → minutes_published`, `planned → cancelled`.
    /// Publishing the minutes (`publish_minutes`) freezes them.
    entity "meeting", MeetingStatus, MeetingAction;
    states {
        Planned = "planned", Held = "held", MinutesPublished = "minutes_published",
        Cancelled = "cancelled",
    }
    actions { Hold = "hold", Cancel = "cancel", PublishMinutes = "publish_minutes" }
    transitions {
        (Planned, Hold) => Held, (Planned, Cancel) => Cancelled,
        (Held, PublishMinutes) => MinutesPublished,
    }
}

/// Refuses changes to a meeting that is no longer planned (409 naming its state).
pub fn check_editable(status: MeetingStatus, action: &'static str) -> Result<(), DomainError> {
    if status == MeetingStatus::Planned {
        Ok(())
    } else {
        Err(DomainError::InvalidTransition {
            entity: "meeting",
            action,
            from: status.as_str(),
            allowed: status.allowed_actions(),
        })
    }
}

/// An IANA time zone name (`Asia/Almaty`), as the tz database knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// Parses an IANA name (exact spelling).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.chars().count() > MAX_TIME_ZONE_CHARS {
            return Err(FieldError::new(
                "",
                "max_length",
                format!("at most {MAX_TIME_ZONE_CHARS} characters"),
            )
            .into());
        }
        raw.parse::<chrono_tz::Tz>().map(Self).map_err(|_| {
            FieldError::new(
                "",
                "time_zone",
                format!("{raw:?} is not an IANA time zone such as Asia/Almaty"),
            )
            .into()
        })
    }

    /// Its IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The zone, for reading UTC times as local ones (series, compliance periods).
    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }
}

/// An `https` link to an online meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineUrl(String);

impl OnlineUrl {
    /// Parses an absolute `https://` URL with a host, without spaces or control characters.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.chars().count() > MAX_URL_CHARS {
            return Err(FieldError::new(
                "",
                "max_length",
                format!("at most {MAX_URL_CHARS} characters"),
            )
            .into());
        }
        let bad = || -> DomainError {
            FieldError::new("", "https_url", "an https:// link with a host is required").into()
        };
        let rest = raw
            .get(..8)
            .filter(|p| p.eq_ignore_ascii_case("https://"))
            .and_then(|_| raw.get(8..))
            .ok_or_else(bad)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let clean = !raw.chars().any(|c| c.is_whitespace() || c.is_control());
        if host.is_empty() || host.starts_with(':') || host.contains('@') || !clean {
            return Err(bad());
        }
        Ok(Self(raw.to_owned()))
    }

    /// The link.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where an in-person meeting happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The address, as people read it.
    pub address: String,
    /// Its ISO 3166-2 region.
    pub region: RegionCode,
}

/// One item of an agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    /// Its title.
    pub title: LocalizedText,
    /// Who presents it.
    pub presenter: Option<String>,
    /// Minutes allotted, 1..=600.
    pub minutes: i32,
    /// The recommendations of the meeting discussed under this item, in order.
    pub recommendations: Vec<RecommendationId>,
}

impl AgendaItem {
    /// Checks the allotted minutes.
    pub fn check_minutes(minutes: i32) -> Result<i32, DomainError> {
        if (MIN_ITEM_MINUTES..=MAX_ITEM_MINUTES).contains(&minutes) {
            Ok(minutes)
        } else {
            Err(FieldError::new(
                "",
                "range",
                format!("between {MIN_ITEM_MINUTES} and {MAX_ITEM_MINUTES} minutes"),
            )
            .into())
        }
    }
}

/// Checks a capacity: 1..=[`MAX_CAPACITY`].
pub fn check_capacity(capacity: i32) -> Result<i32, DomainError> {
    if (1..=MAX_CAPACITY).contains(&capacity) {
        Ok(capacity)
    } else {
        Err(FieldError::new("", "range", format!("between 1 and {MAX_CAPACITY}")).into())
    }
}

/// A meeting's fields, as given on create and after a PATCH is laid over the stored ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingInput {
    /// Kind.
    pub kind: MeetingKind,
    /// Title.
    pub title: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
    /// Organiser organisations, in order.
    pub organizers: Vec<OrganizationId>,
    /// Invited organisations with their roles, in order.
    pub participants: Vec<(OrganizationId, ParticipantRole)>,
    /// Start, UTC.
    pub starts_at: NaiveDateTime,
    /// End, UTC.
    pub ends_at: NaiveDateTime,
    /// The time zone the meeting is held in.
    pub time_zone: TimeZone,
    /// Format.
    pub format: MeetingFormat,
    /// Place (in person and hybrid).
    pub place: Option<Place>,
    /// Link (online and hybrid).
    pub online_url: Option<OnlineUrl>,
    /// Visibility.
    pub visibility: Visibility,
    /// Capacity.
    pub capacity: Option<i32>,
    /// Public registration settings.
    pub registration: RegistrationSettings,
    /// The grant indicator its attendance counts toward ([`crate::training`]), if any.
    pub counts_toward: Option<CountsToward>,
}

/// The rules across a meeting's fields, every broken one named: it ends after it starts; 1 to
/// 10 organisers and at most 200 participants, each once; a place for in-person and hybrid
/// meetings and a link for online and hybrid ones; registration settings as
/// [`check_settings`] wants them.
pub fn check_meeting(m: &MeetingInput) -> Result<(), DomainError> {
    let mut v = Validator::new();
    if let Err(DomainError::Invalid(errors)) = check_settings(m.registration.clone()) {
        errors
            .into_iter()
            .for_each(|e| v.push(e.under("registration")));
    }
    if m.ends_at <= m.starts_at {
        v.push(FieldError::new(
            "ends_at",
            "after",
            "a meeting ends after it starts",
        ));
    }
    let n = m.organizers.len();
    if n < MIN_ORGANIZERS {
        v.push(FieldError::new(
            "organizer_organization_ids",
            "min_items",
            "at least one organiser",
        ));
    }
    v.max_items("organizer_organization_ids", n, MAX_ORGANIZERS);
    for (i, o) in m.organizers.iter().enumerate() {
        if m.organizers[..i].contains(o) {
            v.push(FieldError::new(
                format!("organizer_organization_ids.{i}"),
                "unique",
                "listed twice",
            ));
        }
    }
    if v.max_items("participants", m.participants.len(), MAX_PARTICIPANTS) {
        for (i, (o, _)) in m.participants.iter().enumerate() {
            if m.participants[..i].iter().any(|(p, _)| p == o) {
                v.push(FieldError::new(
                    format!("participants.{i}.organization_id"),
                    "unique",
                    "listed twice",
                ));
            }
        }
    }
    let (needs_place, needs_url) = match m.format {
        MeetingFormat::InPerson => (true, false),
        MeetingFormat::Online => (false, true),
        MeetingFormat::Hybrid => (true, true),
    };
    if needs_place && m.place.is_none() {
        v.push(FieldError::new(
            "place",
            "required",
            format!("a {} meeting needs a place", m.format.as_str()),
        ));
    }
    if needs_url && m.online_url.is_none() {
        v.push(FieldError::new(
            "online_url",
            "required",
            format!("a {} meeting needs an online link", m.format.as_str()),
        ));
    }
    v.finish()
}

/// A stored meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// Id.
    pub id: MeetingId,
    /// Its fields.
    pub fields: MeetingInput,
    /// Its agenda, in order.
    pub agenda: Vec<AgendaItem>,
    /// Status.
    pub status: MeetingStatus,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The series it is an occurrence of, if any ([`crate::meeting_series`]).
    pub series_id: Option<MeetingSeriesId>,
    /// Version (ETag).
    pub version: i64,
    /// When created.
    pub created_at: NaiveDateTime,
    /// When last changed.
    pub updated_at: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::assert_exactly;
    use std::collections::BTreeMap;
    use uuid::Uuid;

    fn org(n: u128) -> OrganizationId {
        OrganizationId::from_uuid(Uuid::from_u128(n))
    }

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2027, 3, 1)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap()
    }

    fn input(format: MeetingFormat) -> MeetingInput {
        MeetingInput {
            kind: MeetingKind::RoundTable,
            title: LocalizedText::parse(
                BTreeMap::from([("en".to_owned(), "Round table".to_owned())]),
                MAX_TITLE,
            )
            .unwrap(),
            description: None,
            organizers: vec![org(1)],
            participants: vec![(org(2), ParticipantRole::GovernmentBody)],
            starts_at: at(9),
            ends_at: at(12),
            time_zone: TimeZone::parse("Asia/Almaty").unwrap(),
            format,
            place: None,
            online_url: None,
            visibility: Visibility::Public,
            capacity: None,
            registration: RegistrationSettings::default(),
            counts_toward: None,
        }
    }

    fn codes(r: Result<(), DomainError>) -> Vec<(String, &'static str)> {
        match r {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn the_meeting_machine_has_exactly_its_edges() {
        assert_exactly(
            MeetingStatus::ALL,
            MeetingAction::ALL,
            &[
                ("planned", "hold", "held"),
                ("planned", "cancel", "cancelled"),
                ("held", "publish_minutes", "minutes_published"),
            ],
            MeetingStatus::apply,
            MeetingStatus::as_str,
            MeetingAction::as_str,
        );
    }

    #[test]
    fn only_a_planned_meeting_is_edited() {
        assert!(check_editable(MeetingStatus::Planned, "edit").is_ok());
        let Err(DomainError::InvalidTransition { from, .. }) =
            check_editable(MeetingStatus::Held, "edit")
        else {
            panic!("expected 409");
        };
        assert_eq!(from, "held");
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            TimeZone::parse("Asia/Almaty").unwrap().name(),
            "Asia/Almaty"
        );
        assert!(TimeZone::parse("UTC").is_ok());
        for bad in ["Asia/Atlantis", "", "+05:00", &"A".repeat(65)] {
            assert!(TimeZone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn online_links_are_https_with_a_host() {
        assert!(OnlineUrl::parse("https://meet.example.org/abc?x=1").is_ok());
        for bad in [
            "http://meet.example.org",
            "https://",
            "https:///path",
            "https://a b",
            "ftp://x",
            "https://user@host",
        ] {
            assert!(OnlineUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_meeting_ends_after_it_starts() {
        let mut m = input(MeetingFormat::Online);
        m.online_url = OnlineUrl::parse("https://meet.example.org/x").ok();
        m.ends_at = m.starts_at;
        assert_eq!(codes(check_meeting(&m)), [("ends_at".to_owned(), "after")]);
    }

    #[test]
    fn each_format_needs_its_place_or_link() {
        let place = Place {
            address: "Dostyk 1".into(),
            region: RegionCode::parse("KZ-75").unwrap(),
        };
        let url = OnlineUrl::parse("https://meet.example.org/x").ok();
        assert_eq!(
            codes(check_meeting(&input(MeetingFormat::InPerson))),
            [("place".to_owned(), "required")]
        );
        assert_eq!(
            codes(check_meeting(&input(MeetingFormat::Online))),
            [("online_url".to_owned(), "required")]
        );
        assert_eq!(
            codes(check_meeting(&input(MeetingFormat::Hybrid))),
            [
                ("place".to_owned(), "required"),
                ("online_url".to_owned(), "required")
            ]
        );
        let mut hybrid = input(MeetingFormat::Hybrid);
        hybrid.place = Some(place);
        hybrid.online_url = url;
        assert!(check_meeting(&hybrid).is_ok());
    }

    #[test]
    fn organisers_are_one_to_ten_and_nobody_is_listed_twice() {
        let mut m = input(MeetingFormat::Online);
        m.online_url = OnlineUrl::parse("https://meet.example.org/x").ok();
        m.organizers = vec![];
        assert_eq!(
            codes(check_meeting(&m)),
            [("organizer_organization_ids".to_owned(), "min_items")]
        );
        m.organizers = (1..=11).map(org).collect();
        assert_eq!(
            codes(check_meeting(&m)),
            [("organizer_organization_ids".to_owned(), "max_items")]
        );
        m.organizers = vec![org(1), org(1)];
        m.participants = vec![
            (org(2), ParticipantRole::Cso),
            (org(2), ParticipantRole::Donor),
        ];
        assert_eq!(
            codes(check_meeting(&m)),
            [
                ("organizer_organization_ids.1".to_owned(), "unique"),
                ("participants.1.organization_id".to_owned(), "unique")
            ]
        );
    }

    #[test]
    fn agenda_minutes_and_capacity_have_ranges() {
        assert!(AgendaItem::check_minutes(0).is_err());
        assert!(AgendaItem::check_minutes(1).is_ok());
        assert!(AgendaItem::check_minutes(600).is_ok());
        assert!(AgendaItem::check_minutes(601).is_err());
        assert!(check_capacity(0).is_err());
        assert!(check_capacity(MAX_CAPACITY).is_ok());
    }

    #[test]
    fn names_round_trip() {
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.as_str()), Ok(*k));
        }
        for r in ParticipantRole::ALL {
            assert_eq!(ParticipantRole::parse(r.as_str()), Ok(*r));
        }
        assert!(Visibility::parse("secret").is_err());
    }
}
