//! Wire types of registrations. A registration's response carries personal data and goes
//! only to the meeting's organisers and the holder of its token; the public reads
//! [`RegistrationCountsResponse`], counts only.

use crate::response::utc;
use crate::service::registrations::{Counts, Seen};
use crate::wire::Timestamp;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::ids::OrganizationId;
use seriktes_domain::registration::{
    Affiliation, Attendance, ContributionKind, Demographics, Registration, RegistrationRequest,
    RegistrationStatus, csv_record,
};
use seriktes_persistence::registrations::RegistrationFilter;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// What a registrant brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKindDto {
    /// Volunteering.
    Volunteering,
    /// A talk.
    Talk,
    /// Help in kind.
    InKind,
    /// An idea.
    Idea,
    /// Something else (say what in `contribution_text`).
    Other,
}

impl From<ContributionKindDto> for ContributionKind {
    fn from(k: ContributionKindDto) -> Self {
        match k {
            ContributionKindDto::Volunteering => Self::Volunteering,
            ContributionKindDto::Talk => Self::Talk,
            ContributionKindDto::InKind => Self::InKind,
            ContributionKindDto::Idea => Self::Idea,
            ContributionKindDto::Other => Self::Other,
        }
    }
}

/// A registration's status: `confirmed` while places last, else `waitlisted`; `cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatusDto {
    /// Has a place.
    Confirmed,
    /// Waits for a place, first come first served.
    Waitlisted,
    /// Cancelled.
    Cancelled,
}

impl From<RegistrationStatus> for RegistrationStatusDto {
    fn from(s: RegistrationStatus) -> Self {
        match s {
            RegistrationStatus::Confirmed => Self::Confirmed,
            RegistrationStatus::Waitlisted => Self::Waitlisted,
            RegistrationStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<RegistrationStatusDto> for RegistrationStatus {
    fn from(s: RegistrationStatusDto) -> Self {
        match s {
            RegistrationStatusDto::Confirmed => Self::Confirmed,
            RegistrationStatusDto::Waitlisted => Self::Waitlisted,
            RegistrationStatusDto::Cancelled => Self::Cancelled,
        }
    }
}

/// Whether a confirmed registrant came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceDto {
    /// Came.
    Attended,
    /// Did not come.
    NoShow,
}

impl From<AttendanceDto> for Attendance {
    fn from(a: AttendanceDto) -> Self {
        match a {
            AttendanceDto::Attended => Self::Attended,
            AttendanceDto::NoShow => Self::NoShow,
        }
    }
}

impl From<Attendance> for AttendanceDto {
    fn from(a: Attendance) -> Self {
        match a {
            Attendance::Attended => Self::Attended,
            Attendance::NoShow => Self::NoShow,
        }
    }
}

/// A registration for a meeting; no account is needed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Aigerim Bekova", "email": "aigerim@example.org", "organization": "Youth Bank Shymkent",
    "contribution_kind": "volunteering", "contribution_text": "Registration desk on the first day",
    "consent": true, "sex": "female", "age_band": "18-29"
}))]
pub struct RegisterRequest {
    /// Full name (1–200 characters).
    pub name: String,
    /// E-mail; one registration per address and meeting (case-insensitive).
    pub email: String,
    /// Organisation as free text (1–300 characters).
    pub organization: Option<String>,
    /// Signed in: one of the caller's organisations, instead of `organization`.
    pub organization_id: Option<Uuid>,
    /// What the registrant brings; required when the meeting's `contribution_required`.
    pub contribution_kind: Option<ContributionKindDto>,
    /// What exactly (1–1,000 characters; required for `other`).
    pub contribution_text: Option<String>,
    /// Consent to the processing of personal data under the meeting's consent text version;
    /// must be `true`.
    pub consent: bool,
    /// Only when the meeting asks: `female`, `male`, `other` or `not_stated`.
    pub sex: Option<String>,
    /// Only when the meeting asks: `0-17`, `18-29`, `30-64` or `65+`.
    pub age_band: Option<String>,
    /// Only when the meeting asks: `with`, `without` or `not_stated`.
    pub disability: Option<String>,
}

impl From<RegisterRequest> for RegistrationRequest {
    fn from(r: RegisterRequest) -> Self {
        Self {
            name: r.name,
            email: r.email,
            organization: r.organization,
            organization_id: r.organization_id.map(OrganizationId::from_uuid),
            contribution_kind: r.contribution_kind.map(Into::into),
            contribution_text: r.contribution_text,
            consent: r.consent,
            demographics: Demographics {
                sex: r.sex,
                age_band: r.age_band,
                disability: r.disability,
            },
        }
    }
}

/// A registration, with personal data: for the meeting's organisers and the holder of its
/// token only.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f800-7000-8000-000000000001", "meeting_id": "0193a0c4-f000-7000-8000-000000000001",
    "name": "Aigerim Bekova", "email": "aigerim@example.org", "organization": "Youth Bank Shymkent",
    "organization_id": null, "contribution_kind": "volunteering",
    "contribution_text": "Registration desk on the first day", "consent_version": "2026-12",
    "consented_at": "2026-12-01T09:00:00Z", "sex": "female", "age_band": "18-29", "disability": null,
    "status": "waitlisted", "waitlist_position": 2, "attendance": null, "allowed_actions": ["cancel"],
    "version": 1, "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"
}))]
pub struct RegistrationResponse {
    /// Id.
    pub id: Uuid,
    /// The meeting.
    pub meeting_id: Uuid,
    /// Name.
    pub name: String,
    /// E-mail, normalised.
    pub email: String,
    /// Organisation as free text.
    pub organization: Option<String>,
    /// One of the registrant's organisations.
    pub organization_id: Option<Uuid>,
    /// Contribution kind.
    pub contribution_kind: Option<ContributionKindDto>,
    /// Contribution text.
    pub contribution_text: Option<String>,
    /// The consent text version agreed to.
    pub consent_version: String,
    /// When consent was given.
    pub consented_at: DateTime<Utc>,
    /// Sex, if asked and answered.
    pub sex: Option<String>,
    /// Age band, if asked and answered.
    pub age_band: Option<String>,
    /// Disability, if asked and answered.
    pub disability: Option<String>,
    /// Status.
    pub status: RegistrationStatusDto,
    /// Place in the waitlist (1 = next), when waitlisted.
    pub waitlist_position: Option<i64>,
    /// Attendance, once marked.
    pub attendance: Option<AttendanceDto>,
    /// What the caller may do now: `cancel`, `mark_attendance` (organisers).
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<&'static str>,
    /// Version (also the ETag).
    pub version: i64,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

fn kind_dto(k: ContributionKind) -> ContributionKindDto {
    match k {
        ContributionKind::Volunteering => ContributionKindDto::Volunteering,
        ContributionKind::Talk => ContributionKindDto::Talk,
        ContributionKind::InKind => ContributionKindDto::InKind,
        ContributionKind::Idea => ContributionKindDto::Idea,
        ContributionKind::Other => ContributionKindDto::Other,
    }
}

impl From<Seen> for RegistrationResponse {
    fn from(s: Seen) -> Self {
        let allowed_actions = s.allowed_actions();
        let r = s.registration;
        let p = r.registrant;
        let (organization, organization_id) = match p.affiliation {
            Affiliation::None => (None, None),
            Affiliation::Named(n) => (Some(n), None),
            Affiliation::Member(o) => (None, Some(o.uuid())),
        };
        let (contribution_kind, contribution_text) = match p.contribution {
            Some(c) => (Some(kind_dto(c.kind)), c.text),
            None => (None, None),
        };
        Self {
            id: r.id.uuid(),
            meeting_id: r.meeting.uuid(),
            name: p.name,
            email: p.email.as_str().to_owned(),
            organization,
            organization_id,
            contribution_kind,
            contribution_text,
            consent_version: r.consent_version,
            consented_at: utc(r.consented_at),
            sex: p.demographics.sex,
            age_band: p.demographics.age_band,
            disability: p.demographics.disability,
            status: r.status.into(),
            waitlist_position: s.waitlist_position,
            attendance: r.attendance.map(Into::into),
            allowed_actions,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

/// A new registration with its management token, shown only here.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "registration": {
        "id": "0193a0c4-f800-7000-8000-000000000001", "meeting_id": "0193a0c4-f000-7000-8000-000000000001",
        "name": "Aigerim Bekova", "email": "aigerim@example.org", "organization": "Youth Bank Shymkent",
        "organization_id": null, "contribution_kind": "volunteering", "contribution_text": null,
        "consent_version": "2026-12", "consented_at": "2026-12-01T09:00:00Z", "sex": null,
        "age_band": null, "disability": null, "status": "confirmed", "waitlist_position": null,
        "attendance": null, "allowed_actions": ["cancel"], "version": 1,
        "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"
    },
    "token": "q0Vb3xJc9l1m3n5pQ7r9sTuVwXyZ0a2b4c6d8e0f2g4"
}))]
pub struct RegisteredResponse {
    /// The registration.
    pub registration: RegistrationResponse,
    /// The secret that reads or cancels it (header `Registration-Token`); it is stored only as
    /// a hash and never shown again.
    pub token: String,
}

/// Attendance of a confirmed registrant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"attendance": "attended"}))]
pub struct AttendanceRequest {
    /// `attended` or `no_show`.
    pub attendance: AttendanceDto,
}

/// Filters of a meeting's registration list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationListParams {
    /// Only this status.
    pub status: Option<RegistrationStatusDto>,
    /// Only registrations changed at or after this time (RFC 3339).
    pub updated_since: Option<Timestamp>,
}

impl From<RegistrationListParams> for RegistrationFilter {
    fn from(p: RegistrationListParams) -> Self {
        Self {
            status: p.status.map(Into::into),
            updated_since: p.updated_since.map(Timestamp::get),
        }
    }
}

/// The public counts of a meeting's registrations: never a name or an e-mail.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "capacity": 5, "confirmed": 5, "waitlisted": 2, "attended": null, "no_show": null,
    "by_contribution": {"volunteering": 3, "talk": 2, "in_kind": 1, "idea": 1, "other": 0},
    "by_demographic": {"sex": {"female": 4, "male": 2, "not_given": 1}}
}))]
pub struct RegistrationCountsResponse {
    /// How many may attend (`null`: no limit).
    pub capacity: Option<i32>,
    /// Confirmed registrations.
    pub confirmed: i64,
    /// Waitlisted registrations.
    pub waitlisted: i64,
    /// Once the meeting has started: confirmed registrants marked attended.
    pub attended: Option<i64>,
    /// Once the meeting has started: confirmed registrants marked no-show.
    pub no_show: Option<i64>,
    /// Confirmed and waitlisted registrations per contribution kind.
    #[schema(value_type = Object)]
    pub by_contribution: BTreeMap<&'static str, i64>,
    /// For each dimension the meeting asks about, confirmed and waitlisted registrations per
    /// answer (`not_given`: no answer).
    #[schema(value_type = Object)]
    pub by_demographic: BTreeMap<&'static str, BTreeMap<String, i64>>,
}

impl From<Counts> for RegistrationCountsResponse {
    fn from(c: Counts) -> Self {
        Self {
            capacity: c.capacity,
            confirmed: c.confirmed,
            waitlisted: c.waitlisted,
            attended: c.attended,
            no_show: c.no_show,
            by_contribution: c.by_contribution,
            by_demographic: c.by_demographic,
        }
    }
}

/// A meeting's registrations as CSV (RFC 4180), the volunteers' list.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, example = "name,email,organization,contribution_kind,contribution_text,status,waitlist_position,attendance,sex,age_band,disability,consent_version,registered_at\r\nAigerim Bekova,aigerim@example.org,Youth Bank Shymkent,volunteering,Registration desk,confirmed,,attended,,,,2026-12,2026-12-01T09:00:00Z\r\n")]
pub struct RegistrationsCsv(pub String);

/// The CSV header.
const CSV_HEADER: [&str; 13] = [
    "name",
    "email",
    "organization",
    "contribution_kind",
    "contribution_text",
    "status",
    "waitlist_position",
    "attendance",
    "sex",
    "age_band",
    "disability",
    "consent_version",
    "registered_at",
];

/// Renders registrations (by arrival) as CSV; `organization_name` names an organisation id.
pub fn csv(rows: &[Registration], organization_name: impl Fn(OrganizationId) -> String) -> String {
    let mut out = csv_record(&CSV_HEADER);
    let mut waiting = 0_i64;
    for r in rows {
        let p = &r.registrant;
        let organization = match &p.affiliation {
            Affiliation::None => String::new(),
            Affiliation::Named(n) => n.clone(),
            Affiliation::Member(o) => organization_name(*o),
        };
        let position = if r.status == RegistrationStatus::Waitlisted {
            waiting += 1;
            waiting.to_string()
        } else {
            String::new()
        };
        let at = utc(r.created_at).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let d = &p.demographics;
        out.push_str(&csv_record(&[
            &p.name,
            p.email.as_str(),
            &organization,
            p.contribution.as_ref().map_or("", |c| c.kind.as_str()),
            p.contribution
                .as_ref()
                .and_then(|c| c.text.as_deref())
                .unwrap_or(""),
            r.status.as_str(),
            &position,
            r.attendance.map_or("", Attendance::as_str),
            d.sex.as_deref().unwrap_or(""),
            d.age_band.as_deref().unwrap_or(""),
            d.disability.as_deref().unwrap_or(""),
            &r.consent_version,
            &at,
        ]));
    }
    out
}
