//! Wire types of meetings.

use crate::response::utc;
use crate::service::meetings::{MeetingPatch, MeetingQuery, Seen};
use crate::wire::meeting::{
    CountsTowardDto, RegistrationSettingsDto, organizers, participants, place,
    registration_settings, url,
};
pub use crate::wire::meeting::{CreateMeetingRequest, ParticipantDto, PlaceDto};
use crate::wire::{
    AgendaItemTitle, MeetingDescription, MeetingFormat, MeetingKind, MeetingStatus, MeetingTitle,
    MeetingVisibility, Timestamp, double_option, ser,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::ids::{MeetingSeriesId, OrganizationId, RecommendationId};
use seriktes_domain::meeting::{
    AgendaItem, MAX_AGENDA_ITEMS, MAX_ITEM_RECOMMENDATIONS, MAX_PRESENTER_CHARS, MAX_REASON_CHARS,
    TimeZone, check_capacity,
};
use seriktes_domain::user::parse_line;
use seriktes_domain::{DomainError, Validator};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One agenda item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": {"en": "Opening remarks"}, "presenter": "Deputy Minister", "minutes": 15, "recommendation_ids": []}))]
pub struct AgendaItemDto {
    /// Its title.
    pub title: AgendaItemTitle,
    /// Who presents it (1–200 characters).
    pub presenter: Option<String>,
    /// Minutes allotted, 1 to 600.
    pub minutes: i32,
    /// The recommendations of this meeting discussed under the item (at most 100; each must
    /// be one of the meeting's, 422 otherwise).
    #[serde(default)]
    pub recommendation_ids: Vec<Uuid>,
}

/// A stakeholder meeting.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f000-7000-8000-000000000001", "kind": "round_table",
    "title": {"en": "Round table with the Ministry of Culture and Information"}, "description": null,
    "organizer_organization_ids": ["0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"],
    "participants": [{"organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d20", "role": "government_body"}],
    "starts_at": "2027-03-01T04:00:00Z", "ends_at": "2027-03-01T07:00:00Z", "time_zone": "Asia/Almaty",
    "format": "hybrid", "place": {"address": "Dostyk Ave 12, Almaty", "region": "KZ-75"},
    "online_url": "https://meet.example.org/round-table", "visibility": "public", "capacity": 60,
    "agenda": [{"title": {"en": "Opening remarks"}, "presenter": "Deputy Minister", "minutes": 15}],
    "status": "planned", "cancel_reason": null, "series_id": null, "allowed_actions": ["hold", "cancel"],
    "version": 1, "created_at": "2027-02-01T09:00:00Z", "updated_at": "2027-02-01T09:00:00Z"
}))]
pub struct MeetingResponse {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: MeetingKind,
    /// Title.
    pub title: MeetingTitle,
    /// Description.
    pub description: Option<MeetingDescription>,
    /// The organiser organisations.
    pub organizer_organization_ids: Vec<Uuid>,
    /// The invited organisations with their roles.
    pub participants: Vec<ParticipantDto>,
    /// Start (UTC).
    #[serde(serialize_with = "ser::timestamp")]
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    #[serde(serialize_with = "ser::timestamp")]
    pub ends_at: DateTime<Utc>,
    /// The IANA time zone it is held in.
    pub time_zone: String,
    /// Format.
    pub format: MeetingFormat,
    /// Place (in-person and hybrid meetings).
    pub place: Option<PlaceDto>,
    /// Online link (online and hybrid meetings).
    pub online_url: Option<String>,
    /// Visibility.
    pub visibility: MeetingVisibility,
    /// How many may attend.
    pub capacity: Option<i32>,
    /// Public registration settings (counts: `GET /meetings/{id}/registration-counts`).
    pub registration: RegistrationSettingsDto,
    /// The grant indicator its attendance counts toward, if any.
    pub counts_toward: Option<CountsTowardDto>,
    /// The agenda, in order.
    pub agenda: Vec<AgendaItemDto>,
    /// Status.
    pub status: MeetingStatus,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The series it is an occurrence of (`GET /meeting-series/{id}`), if any.
    pub series_id: Option<Uuid>,
    /// Actions the caller may take now (organisers only).
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<&'static str>,
    /// Version (also the ETag).
    pub version: i64,
    /// When created.
    #[serde(serialize_with = "ser::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When last changed.
    #[serde(serialize_with = "ser::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl From<Seen> for MeetingResponse {
    fn from(s: Seen) -> Self {
        let allowed_actions = s.allowed_actions();
        let m = s.meeting;
        let f = m.fields;
        Self {
            id: m.id.uuid(),
            kind: f.kind.into(),
            title: f.title.into(),
            description: f.description.map(Into::into),
            organizer_organization_ids: f.organizers.iter().map(|o| o.uuid()).collect(),
            participants: f
                .participants
                .iter()
                .map(|(o, r)| ParticipantDto {
                    organization_id: o.uuid(),
                    role: (*r).into(),
                })
                .collect(),
            starts_at: utc(f.starts_at),
            ends_at: utc(f.ends_at),
            time_zone: f.time_zone.name().to_owned(),
            format: f.format.into(),
            place: f.place.map(|p| PlaceDto {
                address: p.address,
                region: p.region.as_str().to_owned(),
            }),
            online_url: f.online_url.map(|u| u.as_str().to_owned()),
            visibility: f.visibility.into(),
            capacity: f.capacity,
            registration: f.registration.into(),
            counts_toward: f.counts_toward.map(Into::into),
            agenda: m
                .agenda
                .into_iter()
                .map(|i| AgendaItemDto {
                    title: i.title.into(),
                    presenter: i.presenter,
                    minutes: i.minutes,
                    recommendation_ids: i.recommendations.iter().map(|r| r.uuid()).collect(),
                })
                .collect(),
            status: m.status.into(),
            cancel_reason: m.cancel_reason,
            series_id: m.series_id.map(|s| s.uuid()),
            allowed_actions,
            version: m.version,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        }
    }
}

/// Changes to a planned meeting; absent fields stay, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_at": "2027-03-01T14:00:00+06:00", "capacity": 80}))]
pub struct UpdateMeetingRequest {
    /// Kind.
    pub kind: Option<MeetingKind>,
    /// Title.
    pub title: Option<MeetingTitle>,
    /// Description (`null` clears it).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<MeetingDescription>)]
    pub description: Option<Option<MeetingDescription>>,
    /// Organisers (the caller must still own or manage one).
    pub organizer_organization_ids: Option<Vec<Uuid>>,
    /// Participants, replaced whole.
    pub participants: Option<Vec<ParticipantDto>>,
    /// Start.
    pub starts_at: Option<Timestamp>,
    /// End.
    pub ends_at: Option<Timestamp>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Format.
    pub format: Option<MeetingFormat>,
    /// Place (`null` clears it).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<PlaceDto>)]
    pub place: Option<Option<PlaceDto>>,
    /// Online link (`null` clears it).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub online_url: Option<Option<String>>,
    /// Visibility.
    pub visibility: Option<MeetingVisibility>,
    /// Capacity (`null` clears it).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub capacity: Option<Option<i32>>,
    /// Registration settings, replaced whole.
    pub registration: Option<RegistrationSettingsDto>,
    /// The grant indicator its attendance counts toward (`null` clears it).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<CountsTowardDto>)]
    pub counts_toward: Option<Option<CountsTowardDto>>,
}

/// The whole agenda, replacing the current one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [
    {"title": {"en": "Opening remarks"}, "presenter": "Deputy Minister", "minutes": 15},
    {"title": {"en": "The draft law on public councils"}, "presenter": null, "minutes": 90}
]}))]
pub struct AgendaRequest {
    /// Items in order, at most 50.
    pub items: Vec<AgendaItemDto>,
}

/// Why a meeting is cancelled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The ministry asked to move the round table to April"}))]
pub struct CancelRequest {
    /// Why (1–500 characters).
    pub reason: String,
}

/// Filters of the meeting list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingListParams {
    /// Only this kind.
    pub kind: Option<MeetingKind>,
    /// Only this status.
    pub status: Option<MeetingStatus>,
    /// Only meetings this organisation organises.
    pub organizer_organization_id: Option<Uuid>,
    /// Only meetings starting at or after this time (RFC 3339).
    pub from: Option<Timestamp>,
    /// Only meetings starting before this time (RFC 3339).
    pub to: Option<Timestamp>,
    /// Only meetings changed at or after this time (RFC 3339).
    pub updated_since: Option<Timestamp>,
    /// Only the occurrences of this meeting series.
    pub series_id: Option<Uuid>,
}

impl From<MeetingListParams> for MeetingQuery {
    fn from(p: MeetingListParams) -> Self {
        Self {
            kind: p.kind.map(Into::into),
            status: p.status.map(Into::into),
            organizer: p.organizer_organization_id.map(OrganizationId::from_uuid),
            from: p.from.map(Timestamp::get),
            to: p.to.map(Timestamp::get),
            updated_since: p.updated_since.map(Timestamp::get),
            series: p.series_id.map(MeetingSeriesId::from_uuid),
        }
    }
}

/// The window of the public calendar feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// Only meetings starting at or after this time (RFC 3339); default 30 days ago.
    pub from: Option<Timestamp>,
    /// Only meetings starting before this time (RFC 3339).
    pub to: Option<Timestamp>,
}

/// An iCalendar (RFC 5545) document.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, example = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:ICALENDAR-RS\r\nBEGIN:VEVENT\r\nUID:0193a0c4-f000-7000-8000-000000000001@seriktes\r\nDTSTART:20270301T040000Z\r\nDTEND:20270301T070000Z\r\nSUMMARY:Round table\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")]
pub struct MeetingCalendar(pub String);

impl TryFrom<UpdateMeetingRequest> for MeetingPatch {
    type Error = DomainError;
    fn try_from(r: UpdateMeetingRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let title = v.check_opt("title", r.title, MeetingTitle::parse);
        let description = r
            .description
            .map(|d| v.check_opt("description", d, MeetingDescription::parse));
        let time_zone = v.check_opt("time_zone", r.time_zone, |t| TimeZone::parse(&t));
        let place_ = r.place.map(|p| v.check_opt("place", p, place));
        let online_url = r.online_url.map(|u| v.check_opt("online_url", u, url));
        let capacity = r
            .capacity
            .map(|c| v.check_opt("capacity", c, check_capacity));
        let registration = v.check_opt("registration", r.registration, registration_settings);
        let organizers = r.organizer_organization_ids.map(|o| organizers(&mut v, o));
        let participants = r.participants.map(|p| participants(&mut v, p));
        v.finish()?;
        Ok(Self {
            kind: r.kind.map(Into::into),
            title: title.flatten(),
            description: description.flatten(),
            organizers,
            participants,
            starts_at: r.starts_at.map(Timestamp::get),
            ends_at: r.ends_at.map(Timestamp::get),
            time_zone: time_zone.flatten(),
            format: r.format.map(Into::into),
            place: place_.flatten(),
            online_url: online_url.flatten(),
            visibility: r.visibility.map(Into::into),
            capacity: capacity.flatten(),
            registration: registration.flatten(),
            counts_toward: r.counts_toward.map(|c| c.map(Into::into)),
        })
    }
}

/// Parses an agenda: at most 50 items, each with a title, an optional presenter and 1–600
/// minutes; every broken rule named (`items.3.minutes`).
pub fn agenda(r: AgendaRequest) -> Result<Vec<AgendaItem>, DomainError> {
    let mut v = Validator::new();
    if !v.max_items("items", r.items.len(), MAX_AGENDA_ITEMS) {
        return v.finish().map(|()| Vec::new());
    }
    let mut out = Vec::new();
    for (i, item) in r.items.into_iter().enumerate() {
        let title = v.check(&format!("items.{i}.title"), item.title.parse());
        let presenter = v.check_opt(&format!("items.{i}.presenter"), item.presenter, |p| {
            parse_line(&p, MAX_PRESENTER_CHARS)
        });
        let minutes = v.check(
            &format!("items.{i}.minutes"),
            AgendaItem::check_minutes(item.minutes),
        );
        let recommendations = v
            .max_items(
                &format!("items.{i}.recommendation_ids"),
                item.recommendation_ids.len(),
                MAX_ITEM_RECOMMENDATIONS,
            )
            .then(|| {
                item.recommendation_ids
                    .into_iter()
                    .map(RecommendationId::from_uuid)
                    .collect()
            });
        if let (Some(title), Some(presenter), Some(minutes), Some(recommendations)) =
            (title, presenter, minutes, recommendations)
        {
            out.push(AgendaItem {
                title,
                presenter,
                minutes,
                recommendations,
            });
        }
    }
    v.finish()?;
    Ok(out)
}

/// Parses a cancellation's reason.
pub fn reason(r: CancelRequest) -> Result<String, DomainError> {
    let mut v = Validator::new();
    let reason = v.check("reason", parse_line(&r.reason, MAX_REASON_CHARS));
    v.finish_with(reason)
}
