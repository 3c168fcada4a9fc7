//! Wire types of meeting series and their compliance view.

use crate::response::utc;
use crate::service::meeting_series::{ComplianceSeen, NewSeriesInput, SeriesSeen};
use crate::wire::meeting::{CreateMeetingRequest, ParticipantDto, PlaceDto};
use crate::wire::{
    CalendarDate, MeetingDescription, MeetingFormat, MeetingKind, MeetingStatus, MeetingTitle,
    MeetingVisibility, Timestamp, ser,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::meeting::{MAX_REASON_CHARS, MeetingInput};
use seriktes_domain::meeting_series::{
    self as domain, MAX_RULE_CHARS, Occurrence, PeriodRecord, Totals,
};
use seriktes_domain::user::parse_line;
use seriktes_domain::{DomainError, FieldError, Validator};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The frequency of a series' rule, and the length of its compliance periods: a day, an ISO
/// week (Monday to Sunday), a calendar month or a calendar year, in the series' time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeriesFrequency {
    /// `FREQ=DAILY`.
    Daily,
    /// `FREQ=WEEKLY`.
    Weekly,
    /// `FREQ=MONTHLY`.
    Monthly,
    /// `FREQ=YEARLY`.
    Yearly,
}

impl From<domain::Frequency> for SeriesFrequency {
    fn from(f: domain::Frequency) -> Self {
        match f {
            domain::Frequency::Daily => Self::Daily,
            domain::Frequency::Weekly => Self::Weekly,
            domain::Frequency::Monthly => Self::Monthly,
            domain::Frequency::Yearly => Self::Yearly,
        }
    }
}

/// What a period's record says: `compliant` (a meeting held and its minutes published),
/// `held_without_minutes`, `missed` (the period is over and no meeting was held in it),
/// `upcoming` (not over, nothing held yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceVerdict {
    /// Held, minutes published.
    Compliant,
    /// Held, minutes not published.
    HeldWithoutMinutes,
    /// Over, nothing held.
    Missed,
    /// Not over, nothing held yet.
    Upcoming,
}

impl From<domain::Verdict> for ComplianceVerdict {
    fn from(v: domain::Verdict) -> Self {
        match v {
            domain::Verdict::Compliant => Self::Compliant,
            domain::Verdict::HeldWithoutMinutes => Self::HeldWithoutMinutes,
            domain::Verdict::Missed => Self::Missed,
            domain::Verdict::Upcoming => Self::Upcoming,
        }
    }
}

/// A new series: a meeting's fields (the template of every occurrence; `starts_at` and
/// `ends_at` are the first occurrence's, and every occurrence lasts as long) and an RFC 5545
/// `RRULE` value read in `time_zone` from `starts_at`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "dialogue", "title": {"en": "Monthly local dialogue of the district akimat and CSOs"},
    "organizer_organization_ids": ["0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"],
    "participants": [{"organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d20", "role": "government_body"}],
    "starts_at": "2027-01-05T10:00:00+05:00", "ends_at": "2027-01-05T12:00:00+05:00", "time_zone": "Asia/Almaty",
    "format": "in_person", "place": {"address": "Abay Ave 1, Taldykorgan", "region": "KZ-10"},
    "visibility": "public", "recurrence": "FREQ=MONTHLY;BYDAY=1TU;COUNT=12"
}))]
pub struct CreateMeetingSeriesRequest {
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
    /// The first occurrence's start (RFC 3339, any offset): the rule's first occurrence.
    pub starts_at: Timestamp,
    /// The first occurrence's end, after its start; every occurrence lasts as long.
    pub ends_at: Timestamp,
    /// The IANA time zone the meetings are held in and the rule is read in, e.g. `Asia/Almaty`.
    pub time_zone: String,
    /// Format.
    pub format: MeetingFormat,
    /// Place: required for `in_person` and `hybrid`.
    pub place: Option<PlaceDto>,
    /// An `https://` link: required for `online` and `hybrid`.
    pub online_url: Option<String>,
    /// Visibility of the series and of every occurrence.
    pub visibility: MeetingVisibility,
    /// How many may attend each occurrence (1 to 100,000).
    pub capacity: Option<i32>,
    /// An RFC 5545 `RRULE` value without the `RRULE:` prefix, e.g.
    /// `FREQ=MONTHLY;BYDAY=1TU;COUNT=12`: `FREQ` `DAILY`, `WEEKLY`, `MONTHLY` or `YEARLY`; it
    /// must end (`COUNT` or `UNTIL`, in UTC) and give 1 to 120 occurrences.
    pub recurrence: String,
}

impl TryFrom<CreateMeetingSeriesRequest> for NewSeriesInput {
    type Error = DomainError;
    fn try_from(r: CreateMeetingSeriesRequest) -> Result<Self, DomainError> {
        let too_long = r.recurrence.chars().count() > MAX_RULE_CHARS;
        let template = MeetingInput::try_from(CreateMeetingRequest {
            kind: r.kind,
            title: r.title,
            description: r.description,
            organizer_organization_ids: r.organizer_organization_ids,
            participants: r.participants,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            time_zone: r.time_zone,
            format: r.format,
            place: r.place,
            online_url: r.online_url,
            visibility: r.visibility,
            capacity: r.capacity,
            registration: None,
            counts_toward: None,
        });
        let long = FieldError::new(
            "recurrence",
            "max_length",
            format!("at most {MAX_RULE_CHARS} characters"),
        );
        match (template, too_long) {
            (Ok(template), false) => Ok(Self {
                template,
                recurrence: r.recurrence,
            }),
            (Ok(_), true) => Err(long.into()),
            (Err(DomainError::Invalid(mut e)), true) => {
                e.push(long);
                Err(DomainError::Invalid(e))
            }
            (Err(e), _) => Err(e),
        }
    }
}

/// A series of recurring meetings; its occurrences are meetings of their own
/// (`GET /meetings?series_id=`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f900-7000-8000-000000000001", "kind": "dialogue",
    "title": {"en": "Monthly local dialogue of the district akimat and CSOs"}, "description": null,
    "organizer_organization_ids": ["0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"],
    "participants": [{"organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d20", "role": "government_body"}],
    "starts_at": "2027-01-05T05:00:00Z", "ends_at": "2027-01-05T07:00:00Z", "time_zone": "Asia/Almaty",
    "format": "in_person", "place": {"address": "Abay Ave 1, Taldykorgan", "region": "KZ-10"},
    "online_url": null, "visibility": "public", "capacity": null,
    "recurrence": "FREQ=MONTHLY;BYDAY=1TU;COUNT=12", "frequency": "monthly",
    "occurrence_count": 12, "last_starts_at": "2027-12-07T05:00:00Z",
    "meeting_ids": ["0193a0c4-f000-7000-8000-000000000001"],
    "meetings_url": "/api/v1/meetings?series_id=0193a0c4-f900-7000-8000-000000000001",
    "version": 1, "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"
}))]
pub struct MeetingSeriesResponse {
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
    /// The first occurrence's start (UTC).
    #[serde(serialize_with = "ser::timestamp")]
    pub starts_at: DateTime<Utc>,
    /// The first occurrence's end (UTC).
    #[serde(serialize_with = "ser::timestamp")]
    pub ends_at: DateTime<Utc>,
    /// The IANA time zone the meetings are held in and the rule is read in.
    pub time_zone: String,
    /// Format.
    pub format: MeetingFormat,
    /// Place.
    pub place: Option<PlaceDto>,
    /// Online link.
    pub online_url: Option<String>,
    /// Visibility.
    pub visibility: MeetingVisibility,
    /// How many may attend each occurrence.
    pub capacity: Option<i32>,
    /// The RFC 5545 `RRULE` value, as given.
    pub recurrence: String,
    /// The rule's frequency (the compliance view's period).
    pub frequency: SeriesFrequency,
    /// How many occurrences the rule gave (and meetings were made).
    pub occurrence_count: i32,
    /// The rule's last occurrence's start (UTC).
    #[serde(serialize_with = "ser::timestamp")]
    pub last_starts_at: DateTime<Utc>,
    /// The series' meetings, by their current start.
    pub meeting_ids: Vec<Uuid>,
    /// Where its meetings are listed whole.
    pub meetings_url: String,
    /// Version (also the ETag).
    pub version: i64,
    /// When created.
    #[serde(serialize_with = "ser::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When last changed.
    #[serde(serialize_with = "ser::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl From<SeriesSeen> for MeetingSeriesResponse {
    fn from(s: SeriesSeen) -> Self {
        let series = s.series;
        let f = series.template;
        Self {
            id: series.id.uuid(),
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
            recurrence: series.recurrence,
            frequency: series.frequency.into(),
            occurrence_count: series.occurrences,
            last_starts_at: utc(series.last_starts_at),
            meeting_ids: s.occurrences.iter().map(|m| m.uuid()).collect(),
            meetings_url: format!("/api/v1/meetings?series_id={}", series.id),
            version: series.version,
            created_at: utc(series.created_at),
            updated_at: utc(series.updated_at),
        }
    }
}

/// Filters of the series list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingSeriesListParams {
    /// Only series changed at or after this time (RFC 3339).
    pub updated_since: Option<Timestamp>,
}

/// The window of the compliance view.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceParams {
    /// Only periods ending on or after this date (`YYYY-MM-DD`); default: the first.
    pub from: Option<CalendarDate>,
    /// Only periods starting on or before this date (`YYYY-MM-DD`); default: the last.
    pub to: Option<CalendarDate>,
}

/// A meeting of a series, as the compliance view shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-f000-7000-8000-000000000001", "status": "held", "starts_at": "2027-01-05T05:00:00Z"}))]
pub struct SeriesMeetingDto {
    /// The meeting.
    pub id: Uuid,
    /// Its status.
    pub status: MeetingStatus,
    /// Its start (UTC).
    #[serde(serialize_with = "ser::timestamp")]
    pub starts_at: DateTime<Utc>,
}

impl From<&Occurrence> for SeriesMeetingDto {
    fn from(o: &Occurrence) -> Self {
        Self {
            id: o.id.uuid(),
            status: o.status.into(),
            starts_at: utc(o.starts_at),
        }
    }
}

/// One period of the compliance view.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "starts_on": "2027-01-01", "ends_on": "2027-01-31",
    "meetings": [{"id": "0193a0c4-f000-7000-8000-000000000001", "status": "held", "starts_at": "2027-01-05T05:00:00Z"}],
    "held": true, "minutes_published": false, "verdict": "held_without_minutes"
}))]
pub struct CompliancePeriod {
    /// Its first day, in the series' time zone.
    #[serde(serialize_with = "ser::date")]
    pub starts_on: NaiveDate,
    /// Its last day.
    #[serde(serialize_with = "ser::date")]
    pub ends_on: NaiveDate,
    /// The series' meetings that start in it (where they are now), by start.
    pub meetings: Vec<SeriesMeetingDto>,
    /// Whether one was held (`held` or `minutes_published`).
    pub held: bool,
    /// Whether one has its minutes published.
    pub minutes_published: bool,
    /// The verdict.
    pub verdict: ComplianceVerdict,
}

impl From<&PeriodRecord> for CompliancePeriod {
    fn from(p: &PeriodRecord) -> Self {
        Self {
            starts_on: p.period.starts_on,
            ends_on: p.period.ends_on,
            meetings: p.meetings.iter().map(Into::into).collect(),
            held: p.held,
            minutes_published: p.minutes_published,
            verdict: p.verdict.into(),
        }
    }
}

/// Counts over the periods shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"periods": 12, "compliant": 0, "held": 10, "held_without_minutes": 10, "missed": 2, "upcoming": 0}))]
pub struct ComplianceTotals {
    /// Periods.
    pub periods: usize,
    /// `compliant` periods.
    pub compliant: usize,
    /// Periods with a meeting held (`compliant` and `held_without_minutes`).
    pub held: usize,
    /// `held_without_minutes` periods.
    pub held_without_minutes: usize,
    /// `missed` periods.
    pub missed: usize,
    /// `upcoming` periods.
    pub upcoming: usize,
}

impl From<Totals> for ComplianceTotals {
    fn from(t: Totals) -> Self {
        Self {
            periods: t.periods,
            compliant: t.compliant,
            held: t.held,
            held_without_minutes: t.held_without_minutes,
            missed: t.missed,
            upcoming: t.upcoming,
        }
    }
}

/// Whether a series kept its rule: for each period of the rule's frequency that the rule
/// schedules a meeting in, what happened and the verdict, as of `today` in the series' time
/// zone. A computed view, not a page.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "series_id": "0193a0c4-f900-7000-8000-000000000001", "frequency": "monthly",
    "time_zone": "Asia/Almaty", "today": "2028-01-10",
    "periods": [{
        "starts_on": "2027-01-01", "ends_on": "2027-01-31",
        "meetings": [{"id": "0193a0c4-f000-7000-8000-000000000001", "status": "held", "starts_at": "2027-01-05T05:00:00Z"}],
        "held": true, "minutes_published": false, "verdict": "held_without_minutes"
    }],
    "outside": [],
    "totals": {"periods": 1, "compliant": 0, "held": 1, "held_without_minutes": 1, "missed": 0, "upcoming": 0}
}))]
pub struct ComplianceResponse {
    /// The series.
    pub series_id: Uuid,
    /// The period length.
    pub frequency: SeriesFrequency,
    /// The time zone periods and `today` are read in.
    pub time_zone: String,
    /// The day the verdicts were computed on.
    #[serde(serialize_with = "ser::date")]
    pub today: NaiveDate,
    /// The periods, oldest first.
    pub periods: Vec<CompliancePeriod>,
    /// The series' meetings moved out of every period of the rule (listed, counted nowhere).
    pub outside: Vec<SeriesMeetingDto>,
    /// Counts over `periods`.
    pub totals: ComplianceTotals,
}

impl From<ComplianceSeen> for ComplianceResponse {
    fn from(c: ComplianceSeen) -> Self {
        let view = c.compliance;
        Self {
            series_id: c.series.id.uuid(),
            frequency: c.series.frequency.into(),
            time_zone: c.series.template.time_zone.name().to_owned(),
            today: view.today,
            periods: view.periods.iter().map(Into::into).collect(),
            outside: view.outside.iter().map(Into::into).collect(),
            totals: view.totals.into(),
        }
    }
}

/// Why what remains of a series is cancelled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The akimat and the CSOs agreed to meet quarterly from now on"}))]
pub struct CancelSeriesRequest {
    /// Why (1–500 characters); given to every occurrence cancelled.
    pub reason: String,
}

/// Parses a cancellation's reason.
pub fn reason(r: CancelSeriesRequest) -> Result<String, DomainError> {
    let mut v = Validator::new();
    let reason = v.check("reason", parse_line(&r.reason, MAX_REASON_CHARS));
    v.finish_with(reason)
}
