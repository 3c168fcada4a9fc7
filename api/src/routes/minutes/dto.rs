//! Wire types of minutes.

use crate::response::utc;
use crate::service::minutes::Seen;
use crate::wire::{
    DecisionText, MeetingStatus, MinutesSummary, OrganizationKind, ParticipantRole,
    RecommendationStatus, RecommendationText, ser,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::minutes::{Attendance, MAX_DECISIONS, MinutesText};
use seriktes_domain::{DomainError, Validator};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The minutes the organisers write (replacing the draft).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decisions": [{"en": "The ministry will answer every recommendation within 60 days."}],
    "summary": {"en": "Forty organisations and the Ministry of Justice discussed reporting by CSOs."}
}))]
pub struct MinutesRequest {
    /// The decisions, in order (at most 100).
    pub decisions: Vec<DecisionText>,
    /// A summary.
    pub summary: Option<MinutesSummary>,
}

impl TryFrom<MinutesRequest> for MinutesText {
    type Error = DomainError;
    fn try_from(r: MinutesRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let mut decisions = Vec::new();
        if v.max_items("decisions", r.decisions.len(), MAX_DECISIONS) {
            for (i, d) in r.decisions.into_iter().enumerate() {
                if let Some(d) = v.check(&format!("decisions.{i}"), d.parse()) {
                    decisions.push(d);
                }
            }
        }
        let summary = v.check_opt("summary", r.summary, MinutesSummary::parse);
        v.finish()?;
        Ok(Self {
            decisions,
            summary: summary.flatten(),
        })
    }
}

/// How many organisations of one kind took part.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "government", "count": 1}))]
pub struct KindCount {
    /// The organisation kind.
    pub kind: OrganizationKind,
    /// How many.
    pub count: i64,
}

/// How many organisations took part in one role.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"role": "government_body", "count": 1}))]
pub struct RoleCount {
    /// The participant role.
    pub role: ParticipantRole,
    /// How many.
    pub count: i64,
}

/// Who attended, computed when the minutes were published. An object: more counts may be
/// added beside these.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "participant_organizations": 3,
    "by_organization_kind": [{"kind": "government", "count": 1}, {"kind": "ngo", "count": 2}],
    "by_participant_role": [{"role": "cso", "count": 2}, {"role": "government_body", "count": 1}],
    "registered": 120, "attended": 104, "no_show": 9,
    "attendees_by_organization_kind": [{"kind": "government", "count": 6}, {"kind": "ngo", "count": 41}],
    "attendees_without_listed_organization": 57
}))]
pub struct AttendanceSummary {
    /// The invited participant organisations.
    pub participant_organizations: i64,
    /// Those organisations by organisation kind (kinds with none left out).
    pub by_organization_kind: Vec<KindCount>,
    /// Those organisations by the role they took part in.
    pub by_participant_role: Vec<RoleCount>,
    /// Registrations confirmed when the minutes were published.
    pub registered: i64,
    /// Confirmed registrants marked as attended.
    pub attended: i64,
    /// Confirmed registrants marked as not having come.
    pub no_show: i64,
    /// Attendees by the kind of the organisation they registered for (kinds with none left
    /// out).
    pub attendees_by_organization_kind: Vec<KindCount>,
    /// Attendees who named their organisation in free text or named none.
    pub attendees_without_listed_organization: i64,
}

fn kind_counts(counts: BTreeMap<String, i64>) -> Vec<KindCount> {
    counts
        .into_iter()
        .filter_map(|(k, count)| {
            seriktes_domain::organization::OrganizationKind::parse(&k)
                .ok()
                .map(|k| KindCount {
                    kind: k.into(),
                    count,
                })
        })
        .collect()
}

impl From<Attendance> for AttendanceSummary {
    fn from(a: Attendance) -> Self {
        Self {
            participant_organizations: a.participant_organizations,
            by_organization_kind: kind_counts(a.by_organization_kind),
            by_participant_role: a
                .by_participant_role
                .into_iter()
                .filter_map(|(r, count)| {
                    seriktes_domain::meeting::ParticipantRole::parse(&r)
                        .ok()
                        .map(|r| RoleCount {
                            role: r.into(),
                            count,
                        })
                })
                .collect(),
            registered: a.registered,
            attended: a.attended,
            no_show: a.no_show,
            attendees_by_organization_kind: kind_counts(a.attendees_by_organization_kind),
            attendees_without_listed_organization: a.attendees_without_listed_organization,
        }
    }
}

/// A recommendation made at the meeting, as the minutes list it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-f700-7000-8000-000000000001", "text": {"en": "Introduce a single reporting form for all CSOs"}, "status": "adopted"}))]
pub struct MinutesRecommendation {
    /// Its id.
    pub id: Uuid,
    /// Its text.
    pub text: RecommendationText,
    /// Its current status.
    pub status: RecommendationStatus,
}

/// A meeting's minutes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "meeting_id": "0193a0c4-f000-7000-8000-000000000001", "meeting_status": "minutes_published",
    "decisions": [{"en": "The ministry will answer every recommendation within 60 days."}],
    "summary": null,
    "attendance": {"participant_organizations": 1, "by_organization_kind": [{"kind": "government", "count": 1}], "by_participant_role": [{"role": "government_body", "count": 1}]},
    "recommendations": [{"id": "0193a0c4-f700-7000-8000-000000000001", "text": {"en": "Introduce a single reporting form for all CSOs"}, "status": "proposed"}],
    "published": true, "published_at": "2027-05-21T10:00:00Z", "allowed_actions": [],
    "version": 2, "created_at": "2027-05-20T15:00:00Z", "updated_at": "2027-05-21T10:00:00Z"
}))]
pub struct MinutesResponse {
    /// The meeting.
    pub meeting_id: Uuid,
    /// The meeting's status.
    pub meeting_status: MeetingStatus,
    /// The decisions, in order.
    pub decisions: Vec<DecisionText>,
    /// The summary.
    pub summary: Option<MinutesSummary>,
    /// Who attended (once published).
    pub attendance: Option<AttendanceSummary>,
    /// The recommendations made at the meeting, oldest first, with their current status.
    pub recommendations: Vec<MinutesRecommendation>,
    /// Whether published (then frozen).
    pub published: bool,
    /// When published.
    #[serde(serialize_with = "ser::opt_timestamp")]
    pub published_at: Option<DateTime<Utc>>,
    /// What the caller may do: `edit`, `publish` (organisers, before publishing).
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<&'static str>,
    /// Version (also the ETag).
    pub version: i64,
    /// When first written.
    #[serde(serialize_with = "ser::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When last changed.
    #[serde(serialize_with = "ser::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl From<Seen> for MinutesResponse {
    fn from(s: Seen) -> Self {
        let allowed_actions = s.allowed_actions();
        let m = s.minutes;
        Self {
            meeting_id: m.meeting.uuid(),
            meeting_status: s.meeting_status.into(),
            decisions: m.text.decisions.into_iter().map(Into::into).collect(),
            summary: m.text.summary.map(Into::into),
            attendance: m.attendance.map(Into::into),
            recommendations: s
                .recommendations
                .into_iter()
                .map(|(id, text, status)| MinutesRecommendation {
                    id: id.uuid(),
                    text: text.into(),
                    status: status.into(),
                })
                .collect(),
            published: m.published_at.is_some(),
            published_at: m.published_at.map(utc),
            allowed_actions,
            version: m.version,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        }
    }
}
