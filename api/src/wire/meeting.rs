//! Wire types of a meeting's fields, shared by the meeting routes and the meeting series routes
//! (a series' request carries a meeting's fields as the template of its occurrences): the
//! create request and its parts, and their conversion into `MeetingInput` (every field error
//! at once).

use crate::wire::{
    MeetingDescription, MeetingFormat, MeetingKind, MeetingTitle, MeetingVisibility,
    ParticipantRole, Timestamp,
};
use serde::{Deserialize, Serialize};
use seriktes_domain::geo::RegionCode;
use seriktes_domain::ids::{GrantId, IndicatorId, OrganizationId};
use seriktes_domain::indicator::Dimension;
use seriktes_domain::meeting::{
    MAX_ADDRESS_CHARS, MeetingInput, OnlineUrl, Place, TimeZone, check_capacity,
};
use seriktes_domain::registration::{RegistrationSettings, check_settings};
use seriktes_domain::training::CountsToward;
use seriktes_domain::user::parse_line;
use seriktes_domain::{DomainError, FieldError, Validator};
use utoipa::ToSchema;
use uuid::Uuid;

/// An invited organisation and the role it takes part in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d20", "role": "government_body"}))]
pub struct ParticipantDto {
    /// The organisation.
    pub organization_id: Uuid,
    /// Its role.
    pub role: ParticipantRole,
}

/// Where an in-person or hybrid meeting happens.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"address": "Dostyk Ave 12, Almaty", "region": "KZ-75"}))]
pub struct PlaceDto {
    /// The address (1–500 characters).
    pub address: String,
    /// Its ISO 3166-2 region, e.g. `KZ-75`.
    pub region: String,
}

/// A new meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "round_table", "title": {"en": "Round table with the Ministry of Culture and Information"},
    "organizer_organization_ids": ["0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"],
    "participants": [{"organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d20", "role": "government_body"}],
    "starts_at": "2027-03-01T10:00:00+06:00", "ends_at": "2027-03-01T13:00:00+06:00", "time_zone": "Asia/Almaty",
    "format": "hybrid", "place": {"address": "Dostyk Ave 12, Almaty", "region": "KZ-75"},
    "online_url": "https://meet.example.org/round-table", "visibility": "public", "capacity": 60
}))]
pub struct CreateMeetingRequest {
    /// Kind.
    pub kind: MeetingKind,
    /// Title.
    pub title: MeetingTitle,
    /// Description.
    pub description: Option<MeetingDescription>,
    /// 1 to 10 organiser organisations; the caller must own or manage one (admins excepted).
    pub organizer_organization_ids: Vec<Uuid>,
    /// Invited organisations with their roles (at most 200, each once).
    #[serde(default)]
    pub participants: Vec<ParticipantDto>,
    /// Start (RFC 3339, any offset; stored in UTC).
    pub starts_at: Timestamp,
    /// End, after the start.
    pub ends_at: Timestamp,
    /// The IANA time zone it is held in, e.g. `Asia/Almaty`.
    pub time_zone: String,
    /// Format.
    pub format: MeetingFormat,
    /// Place: required for `in_person` and `hybrid`.
    pub place: Option<PlaceDto>,
    /// An `https://` link: required for `online` and `hybrid`.
    pub online_url: Option<String>,
    /// Visibility.
    pub visibility: MeetingVisibility,
    /// How many may attend (1 to 100,000); registrations beyond it are waitlisted.
    pub capacity: Option<i32>,
    /// Public registration settings (default: closed).
    pub registration: Option<RegistrationSettingsDto>,
    /// The grant indicator this meeting's attendance counts toward (trainings and seminars
    /// organised by the grant's grantee; a `count` indicator the grant carries).
    pub counts_toward: Option<CountsTowardDto>,
}

/// A grant indicator a training's or seminar's attendance counts toward: the grant's report
/// for the period shows the attended registrations as a suggested value.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grant_id": "0193a0c4-e000-7000-8000-000000000001", "indicator_id": "0193a0c4-d000-7000-8000-000000000001"}))]
pub struct CountsTowardDto {
    /// The grant; its grantee must organise the meeting.
    pub grant_id: Uuid,
    /// A `count` indicator the grant carries.
    pub indicator_id: Uuid,
}

impl From<CountsTowardDto> for CountsToward {
    fn from(c: CountsTowardDto) -> Self {
        Self {
            grant: GrantId::from_uuid(c.grant_id),
            indicator: IndicatorId::from_uuid(c.indicator_id),
        }
    }
}

impl From<CountsToward> for CountsTowardDto {
    fn from(c: CountsToward) -> Self {
        Self {
            grant_id: c.grant.uuid(),
            indicator_id: c.indicator.uuid(),
        }
    }
}

/// A dimension a meeting asks registrants about (optional answers, for disaggregated counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DemographicDimension {
    /// Sex: `female`, `male`, `other`, `not_stated`.
    Sex,
    /// Age band: `0-17`, `18-29`, `30-64`, `65+`.
    AgeBand,
    /// Disability: `with`, `without`, `not_stated`.
    Disability,
}

impl From<DemographicDimension> for Dimension {
    fn from(d: DemographicDimension) -> Self {
        match d {
            DemographicDimension::Sex => Self::Sex,
            DemographicDimension::AgeBand => Self::AgeBand,
            DemographicDimension::Disability => Self::Disability,
        }
    }
}

/// A meeting's public registration settings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"open": true, "contribution_required": true, "demographics": ["sex", "age_band"], "consent_version": "2026-12"}))]
pub struct RegistrationSettingsDto {
    /// Whether anyone may register (`POST /meetings/{id}/registrations`) while the meeting is
    /// planned.
    pub open: bool,
    /// Whether registrants must state their contribution.
    #[serde(default)]
    pub contribution_required: bool,
    /// What registrants are asked, each optional for them, for disaggregated counts.
    #[serde(default)]
    pub demographics: Vec<DemographicDimension>,
    /// The version of the consent text registrants agree to (1–32 characters, e.g.
    /// `2026-12`); required when `open`.
    pub consent_version: Option<String>,
}

impl From<RegistrationSettings> for RegistrationSettingsDto {
    fn from(s: RegistrationSettings) -> Self {
        Self {
            open: s.open,
            contribution_required: s.contribution_required,
            demographics: s
                .demographics
                .into_iter()
                .filter_map(|d| match d {
                    Dimension::Sex => Some(DemographicDimension::Sex),
                    Dimension::AgeBand => Some(DemographicDimension::AgeBand),
                    Dimension::Disability => Some(DemographicDimension::Disability),
                    Dimension::Region => None,
                })
                .collect(),
            consent_version: s.consent_version,
        }
    }
}

pub(crate) fn registration_settings(
    r: RegistrationSettingsDto,
) -> Result<RegistrationSettings, DomainError> {
    check_settings(RegistrationSettings {
        open: r.open,
        contribution_required: r.contribution_required,
        demographics: r.demographics.into_iter().map(Into::into).collect(),
        consent_version: r.consent_version,
    })
}

pub(crate) fn place(p: PlaceDto) -> Result<Place, DomainError> {
    let mut v = Validator::new();
    let address = v.check("address", parse_line(&p.address, MAX_ADDRESS_CHARS));
    let region = v.check("region", RegionCode::parse(&p.region));
    v.finish()?;
    match (address, region) {
        (Some(address), Some(region)) => Ok(Place { address, region }),
        _ => Err(FieldError::new("", "invalid", "invalid place").into()),
    }
}

pub(crate) fn participants(
    v: &mut Validator,
    items: Vec<ParticipantDto>,
) -> Vec<(OrganizationId, seriktes_domain::meeting::ParticipantRole)> {
    v.max_items(
        "participants",
        items.len(),
        seriktes_domain::meeting::MAX_PARTICIPANTS,
    );
    items
        .into_iter()
        .map(|p| (OrganizationId::from_uuid(p.organization_id), p.role.into()))
        .collect()
}

pub(crate) fn organizers(v: &mut Validator, ids: Vec<Uuid>) -> Vec<OrganizationId> {
    v.max_items(
        "organizer_organization_ids",
        ids.len(),
        seriktes_domain::meeting::MAX_ORGANIZERS,
    );
    ids.into_iter().map(OrganizationId::from_uuid).collect()
}

pub(crate) fn url(raw: String) -> Result<OnlineUrl, DomainError> {
    OnlineUrl::parse(&raw)
}

impl TryFrom<CreateMeetingRequest> for MeetingInput {
    type Error = DomainError;
    fn try_from(r: CreateMeetingRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let title = v.check("title", r.title.parse());
        let description = v.check_opt("description", r.description, MeetingDescription::parse);
        let time_zone = v.check("time_zone", TimeZone::parse(&r.time_zone));
        let place = v.check_opt("place", r.place, place);
        let online_url = v.check_opt("online_url", r.online_url, url);
        let capacity = v.check_opt("capacity", r.capacity, check_capacity);
        let registration = v.check_opt("registration", r.registration, registration_settings);
        let organizers = organizers(&mut v, r.organizer_organization_ids);
        let participants = participants(&mut v, r.participants);
        let fields = (title, description, time_zone, place, online_url, capacity);
        let (
            (
                Some(title),
                Some(description),
                Some(time_zone),
                Some(place),
                Some(online_url),
                Some(capacity),
            ),
            Some(registration),
        ) = (fields, registration)
        else {
            v.finish()?;
            return Err(FieldError::new("", "invalid", "invalid input").into());
        };
        v.finish()?;
        Ok(Self {
            kind: r.kind.into(),
            title,
            description,
            organizers,
            participants,
            starts_at: r.starts_at.get(),
            ends_at: r.ends_at.get(),
            time_zone,
            format: r.format.into(),
            place,
            online_url,
            visibility: r.visibility.into(),
            capacity,
            registration: registration.unwrap_or_default(),
            counts_toward: r.counts_toward.map(Into::into),
        })
    }
}
