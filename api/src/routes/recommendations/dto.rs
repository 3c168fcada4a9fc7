//! Wire types of recommendations.

use crate::response::utc;
use crate::service::recommendations::{RecommendationQuery, Seen};
use crate::wire::{
    CalendarDate, OrganizationName, RecommendationStatus, RecommendationText, Timestamp, ser,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::ids::{GrantId, IndicatorId, MeetingId, OrganizationId};
use seriktes_domain::meeting::OnlineUrl;
use seriktes_domain::organization::parse_theme;
use seriktes_domain::recommendation::{
    Change, ChangeInput, Links, MAX_GRANTS, MAX_INDICATORS, MAX_NOTE_CHARS, MAX_PROPOSERS,
    RecommendationInput, Statistics,
};
use seriktes_domain::user::parse_line;
use seriktes_domain::{DomainError, Validator};
use seriktes_persistence::recommendations::Endorsement;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A recommendation made at a meeting.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f700-7000-8000-000000000001", "meeting_id": "0193a0c4-f000-7000-8000-000000000001",
    "text": {"en": "Introduce a single reporting form for all CSOs"},
    "proposer_organization_ids": ["0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"],
    "addressee_organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d20",
    "theme": "reporting", "grant_ids": [], "indicator_ids": [],
    "status": "under_consideration", "endorsement_count": 214,
    "allowed_actions": ["adopt", "reject"], "version": 2,
    "created_at": "2027-05-20T11:00:00Z", "updated_at": "2027-06-01T09:00:00Z"
}))]
pub struct RecommendationResponse {
    /// Id.
    pub id: Uuid,
    /// The meeting it was made at.
    pub meeting_id: Uuid,
    /// What is recommended.
    pub text: RecommendationText,
    /// The proposing organisations, in order.
    pub proposer_organization_ids: Vec<Uuid>,
    /// The organisation it is addressed to.
    pub addressee_organization_id: Uuid,
    /// Its theme tag.
    pub theme: String,
    /// The grants that work on it.
    pub grant_ids: Vec<Uuid>,
    /// The indicators that measure it.
    pub indicator_ids: Vec<Uuid>,
    /// Status.
    pub status: RecommendationStatus,
    /// How many organisations endorse it.
    pub endorsement_count: i64,
    /// Status actions the caller may take now (organisers and the addressee's owners and
    /// managers).
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

impl From<Seen> for RecommendationResponse {
    fn from(s: Seen) -> Self {
        let allowed_actions = s.allowed_actions();
        let r = s.recommendation;
        let f = r.fields;
        Self {
            id: r.id.uuid(),
            meeting_id: r.meeting.uuid(),
            text: f.text.into(),
            proposer_organization_ids: f.proposers.iter().map(|o| o.uuid()).collect(),
            addressee_organization_id: f.addressee.uuid(),
            theme: f.theme,
            grant_ids: f.links.grants.iter().map(|g| g.uuid()).collect(),
            indicator_ids: f.links.indicators.iter().map(|i| i.uuid()).collect(),
            status: r.status.into(),
            endorsement_count: r.endorsements,
            allowed_actions,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

/// A new recommendation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "text": {"en": "Introduce a single reporting form for all CSOs"},
    "proposer_organization_ids": ["0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"],
    "addressee_organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d20",
    "theme": "reporting"
}))]
pub struct CreateRecommendationRequest {
    /// What is recommended.
    pub text: RecommendationText,
    /// 1 to 50 proposing organisations, each once.
    pub proposer_organization_ids: Vec<Uuid>,
    /// The organisation it is addressed to.
    pub addressee_organization_id: Uuid,
    /// A theme tag: lower-case letters, digits, `_` or `-` (as organisation themes).
    pub theme: String,
    /// Grants that work on it (at most 100; any existing grant).
    #[serde(default)]
    pub grant_ids: Vec<Uuid>,
    /// Indicators that measure it (at most 100; any existing indicator).
    #[serde(default)]
    pub indicator_ids: Vec<Uuid>,
}

fn links(v: &mut Validator, grants: Vec<Uuid>, indicators: Vec<Uuid>) -> Links {
    v.max_items("grant_ids", grants.len(), MAX_GRANTS);
    v.max_items("indicator_ids", indicators.len(), MAX_INDICATORS);
    Links {
        grants: grants.into_iter().map(GrantId::from_uuid).collect(),
        indicators: indicators.into_iter().map(IndicatorId::from_uuid).collect(),
    }
}

impl TryFrom<CreateRecommendationRequest> for RecommendationInput {
    type Error = DomainError;
    fn try_from(r: CreateRecommendationRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let text = v.check("text", r.text.parse());
        let theme = v.check("theme", parse_theme(&r.theme));
        v.max_items(
            "proposer_organization_ids",
            r.proposer_organization_ids.len(),
            MAX_PROPOSERS,
        );
        let links = links(&mut v, r.grant_ids, r.indicator_ids);
        let (Some(text), Some(theme)) = (text, theme) else {
            v.finish()?;
            return Err(DomainError::Invalid(Vec::new()));
        };
        v.finish()?;
        Ok(Self {
            text,
            proposers: r
                .proposer_organization_ids
                .into_iter()
                .map(OrganizationId::from_uuid)
                .collect(),
            addressee: OrganizationId::from_uuid(r.addressee_organization_id),
            theme,
            links,
        })
    }
}

/// The grants and indicators that work on a recommendation, replacing the current links.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grant_ids": ["0193a0c4-f800-7000-8000-000000000001"], "indicator_ids": []}))]
pub struct LinksRequest {
    /// Grants (at most 100).
    pub grant_ids: Vec<Uuid>,
    /// Indicators (at most 100).
    pub indicator_ids: Vec<Uuid>,
}

impl TryFrom<LinksRequest> for Links {
    type Error = DomainError;
    fn try_from(r: LinksRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let out = links(&mut v, r.grant_ids, r.indicator_ids);
        v.finish()?;
        Ok(out)
    }
}

/// What is recorded with a status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "note": "Order No. 112 of the Minister of Justice introduces the form",
    "evidence_url": "https://adilet.zan.kz/rus/docs/V2700000112", "on": "2027-09-01"
}))]
pub struct ChangeRequest {
    /// What happened (1 to 2,000 characters).
    pub note: String,
    /// An `https://` link to the evidence; required to implement.
    pub evidence_url: Option<String>,
    /// The day it happened (default today, UTC); not in the future.
    pub on: Option<CalendarDate>,
}

impl TryFrom<ChangeRequest> for ChangeInput {
    type Error = DomainError;
    fn try_from(r: ChangeRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let note = v.check("note", parse_line(&r.note, MAX_NOTE_CHARS));
        let evidence_url = v.check_opt("evidence_url", r.evidence_url, |u| OnlineUrl::parse(&u));
        v.finish()?;
        match (note, evidence_url) {
            (Some(note), Some(evidence_url)) => Ok(Self {
                note,
                evidence_url,
                on: r.on.map(CalendarDate::get),
            }),
            _ => Err(DomainError::Invalid(Vec::new())),
        }
    }
}

/// One recorded status change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f900-7000-8000-000000000001", "from": "adopted", "to": "implemented",
    "on": "2027-09-01", "note": "Order No. 112 of the Minister of Justice introduces the form",
    "evidence_url": "https://adilet.zan.kz/rus/docs/V2700000112",
    "author_user_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d30",
    "acting_organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d20",
    "recorded_at": "2027-09-02T08:00:00Z"
}))]
pub struct RecommendationChangeResponse {
    /// Id.
    pub id: Uuid,
    /// Status before.
    pub from: RecommendationStatus,
    /// Status after.
    pub to: RecommendationStatus,
    /// The day it happened.
    #[serde(serialize_with = "ser::date")]
    pub on: NaiveDate,
    /// The note.
    pub note: String,
    /// The evidence link.
    pub evidence_url: Option<String>,
    /// Who recorded it.
    pub author_user_id: Uuid,
    /// The organisation the author acted for (the addressee or an organiser; `null` for an
    /// admin acting for neither).
    pub acting_organization_id: Option<Uuid>,
    /// When it was recorded.
    #[serde(serialize_with = "ser::timestamp")]
    pub recorded_at: DateTime<Utc>,
}

impl From<Change> for RecommendationChangeResponse {
    fn from(c: Change) -> Self {
        Self {
            id: c.id.uuid(),
            from: c.from.into(),
            to: c.to.into(),
            on: c.on,
            note: c.note,
            evidence_url: c.evidence_url.map(|u| u.as_str().to_owned()),
            author_user_id: c.author.uuid(),
            acting_organization_id: c.acting_organization.map(OrganizationId::uuid),
            recorded_at: utc(c.at),
        }
    }
}

/// Counts of recommendations by status ("20 made, 2 adopted").
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"made": 20, "proposed": 8, "under_consideration": 6, "adopted": 2, "rejected": 4, "implemented": 1}))]
pub struct RecommendationStatistics {
    /// All made.
    pub made: i64,
    /// Still proposed.
    pub proposed: i64,
    /// Under consideration.
    pub under_consideration: i64,
    /// Ever adopted: adopted and implemented ones.
    pub adopted: i64,
    /// Rejected.
    pub rejected: i64,
    /// Implemented.
    pub implemented: i64,
}

impl From<Statistics> for RecommendationStatistics {
    fn from(s: Statistics) -> Self {
        Self {
            made: s.made,
            proposed: s.proposed,
            under_consideration: s.under_consideration,
            adopted: s.adopted,
            rejected: s.rejected,
            implemented: s.implemented,
        }
    }
}

/// The organisation endorsing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d40"}))]
pub struct EndorseRequest {
    /// The organisation on whose behalf the caller endorses (its owner or manager).
    pub organization_id: Uuid,
}

/// An organisation endorsing a recommendation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "organization_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d40",
    "name": {"en": "Youth Initiatives Centre"}, "endorsed_at": "2027-06-01T09:00:00Z",
    "withdrawn_at": null, "updated_at": "2027-06-01T09:00:00Z"
}))]
pub struct EndorsementResponse {
    /// The organisation.
    pub organization_id: Uuid,
    /// Its name.
    pub name: OrganizationName,
    /// When it endorsed.
    #[serde(serialize_with = "ser::timestamp")]
    pub endorsed_at: DateTime<Utc>,
    /// When it withdrew; only a list asked with `updated_since` shows withdrawn endorsements.
    #[serde(serialize_with = "ser::opt_timestamp")]
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// When it last changed (endorsed or withdrawn).
    #[serde(serialize_with = "ser::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl From<Endorsement> for EndorsementResponse {
    fn from(e: Endorsement) -> Self {
        Self {
            organization_id: e.organization.uuid(),
            name: OrganizationName(e.name.translations().clone()),
            endorsed_at: utc(e.endorsed_at),
            withdrawn_at: e.withdrawn_at.map(utc),
            updated_at: utc(e.updated_at),
        }
    }
}

/// Filters of a meeting's recommendations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingRecommendationParams {
    /// Only those addressed to this organisation.
    pub addressee_id: Option<Uuid>,
    /// Only those in this status.
    pub status: Option<RecommendationStatus>,
    /// Only those changed at or after this time (RFC 3339).
    pub updated_since: Option<Timestamp>,
}

/// Incremental sync of a list of records that are added or stamped, never edited.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SinceParams {
    /// Only those made or changed at or after this time (RFC 3339).
    pub updated_since: Option<Timestamp>,
}

/// Filters of the recommendation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendationListParams {
    /// Only those made at this meeting.
    pub meeting_id: Option<Uuid>,
    /// Only those addressed to this organisation.
    pub addressee_id: Option<Uuid>,
    /// Only those in this status.
    pub status: Option<RecommendationStatus>,
    /// Only those changed at or after this time (RFC 3339).
    pub updated_since: Option<Timestamp>,
}

impl MeetingRecommendationParams {
    /// The query for one meeting's recommendations.
    pub fn of(self, meeting: MeetingId) -> RecommendationQuery {
        RecommendationQuery {
            meeting: Some(meeting),
            addressee: self.addressee_id.map(OrganizationId::from_uuid),
            status: self.status.map(Into::into),
            updated_since: self.updated_since.map(Timestamp::get),
        }
    }
}

impl From<RecommendationListParams> for RecommendationQuery {
    fn from(p: RecommendationListParams) -> Self {
        Self {
            meeting: p.meeting_id.map(MeetingId::from_uuid),
            addressee: p.addressee_id.map(OrganizationId::from_uuid),
            status: p.status.map(Into::into),
            updated_since: p.updated_since.map(Timestamp::get),
        }
    }
}
