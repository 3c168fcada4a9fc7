//! Wire types of the call endpoints and their conversions to and from the domain.

use crate::service::calls::{Call, CallDraft, CallPatch, CallQuery};
use crate::wire::{
    CallDescription, CallStatus as WireStatus, CallTitle, CriterionName, Money, OrganizationKind,
    ReportingSchedule,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::call::{
    CallInput, CriterionInput as Criterion, MAX_COMMITTEE, MAX_ELIGIBLE_KINDS,
};
use seriktes_domain::geo::{MAX_REGIONS, RegionCode};
use seriktes_domain::ids::UserId;
use seriktes_domain::{DomainError, Validator};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A weighted scoring criterion.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": {"en": "Relevance to human rights reforms"}, "weight": 3, "max_score": 10}))]
pub struct CriterionInput {
    /// Name in one or more languages.
    pub name: CriterionName,
    /// Relative weight, 1–100.
    pub weight: i32,
    /// Highest score a reviewer may give, 1–100.
    pub max_score: i32,
}

/// A criterion as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-b100-7000-8000-000000000001", "name": {"en": "Relevance"}, "weight": 3, "max_score": 10}))]
pub struct CriterionResponse {
    /// Id (reviews score by it).
    #[schema(format = Uuid)]
    pub id: String,
    /// Name.
    pub name: CriterionName,
    /// Relative weight.
    pub weight: i32,
    /// Highest score.
    pub max_score: i32,
}

/// A call for proposals.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-b000-7000-8000-000000000001", "programme_id": "0193a0c4-a000-7000-8000-000000000001",
    "title": {"en": "Mini-projects for human rights reforms"}, "description": null,
    "opens_at": "2026-02-01T00:00:00Z", "closes_at": "2026-03-01T00:00:00Z",
    "max_award": {"amount": "3846.00", "currency": "EUR"}, "envelope": {"amount": "65382.00", "currency": "EUR"},
    "eligible_kinds": ["ngo"], "eligible_regions": ["KZ-61", "KZ-31", "KZ-43", "KZ-79"],
    "min_duration_months": 12, "max_duration_months": 12,
    "criteria": [{"id": "0193a0c4-b100-7000-8000-000000000001", "name": {"en": "Relevance"}, "weight": 3, "max_score": 10}],
    "committee_user_ids": ["0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"],
    "reporting": {"frequency": "semiannual", "final_report": true, "due_days": 45},
    "status": "open", "allowed_actions": ["close"],
    "created_at": "2026-01-20T09:00:00Z", "updated_at": "2026-02-01T00:00:00Z"
}))]
pub struct CallResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The programme.
    #[schema(format = Uuid)]
    pub programme_id: String,
    /// Title.
    pub title: CallTitle,
    /// Description.
    pub description: Option<CallDescription>,
    /// Applications are accepted from this instant (UTC)…
    pub opens_at: DateTime<Utc>,
    /// …until this one.
    pub closes_at: DateTime<Utc>,
    /// The most one application may request.
    pub max_award: Money,
    /// The total that may be awarded.
    pub envelope: Money,
    /// Organisation kinds that may apply (empty: any).
    pub eligible_kinds: Vec<OrganizationKind>,
    /// Regions applicants must be registered in (empty: any).
    pub eligible_regions: Vec<String>,
    /// Shortest project duration, months.
    pub min_duration_months: i32,
    /// Longest project duration, months.
    pub max_duration_months: i32,
    /// Weighted criteria.
    pub criteria: Vec<CriterionResponse>,
    /// Committee members' user ids; present only for the programme's managers.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub committee_user_ids: Option<Vec<String>>,
    /// The reporting schedule of its grants; `null`: the programme's.
    pub reporting: Option<ReportingSchedule>,
    /// Status now (an open call is `closed` from `closes_at`).
    pub status: WireStatus,
    /// Actions the caller may take now (empty unless they manage the programme).
    pub allowed_actions: Vec<String>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new call (in `draft`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": {"en": "Mini-projects for human rights reforms"},
    "opens_at": "2026-02-01T00:00:00Z", "closes_at": "2026-03-01T00:00:00Z",
    "max_award": {"amount": "3846.00", "currency": "EUR"}, "envelope": {"amount": "65382.00", "currency": "EUR"},
    "eligible_kinds": ["ngo"], "eligible_regions": ["KZ-61", "KZ-31", "KZ-43", "KZ-79"],
    "min_duration_months": 12, "max_duration_months": 12,
    "criteria": [{"name": {"en": "Relevance"}, "weight": 3, "max_score": 10}, {"name": {"en": "Feasibility"}, "weight": 2, "max_score": 10}],
    "committee_user_ids": ["0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"],
    "reporting": {"frequency": "semiannual", "final_report": true, "due_days": 45}
}))]
pub struct CreateCallRequest {
    /// Title.
    pub title: CallTitle,
    /// Description.
    pub description: Option<CallDescription>,
    /// Window start (RFC 3339; stored in UTC).
    pub opens_at: crate::wire::Timestamp,
    /// Window end, after `opens_at`.
    pub closes_at: crate::wire::Timestamp,
    /// Cap per application, in the programme's currency.
    pub max_award: Money,
    /// Total for the call: at least `max_award`, at most the programme budget.
    pub envelope: Money,
    /// Kinds that may apply (default: any).
    pub eligible_kinds: Option<Vec<OrganizationKind>>,
    /// Regions that may apply (default: any); within the programme's regions when it has any.
    pub eligible_regions: Option<Vec<String>>,
    /// Shortest project, 1–120 months.
    pub min_duration_months: i32,
    /// Longest project, at least `min_duration_months`, at most 120.
    pub max_duration_months: i32,
    /// 1–20 weighted criteria.
    pub criteria: Vec<CriterionInput>,
    /// Users on the expert committee.
    pub committee_user_ids: Option<Vec<Uuid>>,
    /// The reporting schedule of its grants; absent or `null`: the programme's.
    pub reporting: Option<ReportingSchedule>,
}

/// Changes to a draft call; absent fields stay, lists are replaced.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"closes_at": "2026-03-15T00:00:00Z"}))]
pub struct UpdateCallRequest {
    /// New title.
    pub title: Option<CallTitle>,
    /// New description, or `null`.
    #[serde(default, deserialize_with = "crate::wire::double_option")]
    #[schema(value_type = Option<CallDescription>)]
    pub description: Option<Option<CallDescription>>,
    /// New window start.
    pub opens_at: Option<crate::wire::Timestamp>,
    /// New window end.
    pub closes_at: Option<crate::wire::Timestamp>,
    /// New cap.
    pub max_award: Option<Money>,
    /// New envelope.
    pub envelope: Option<Money>,
    /// New eligible kinds.
    pub eligible_kinds: Option<Vec<OrganizationKind>>,
    /// New eligible regions.
    pub eligible_regions: Option<Vec<String>>,
    /// New shortest duration.
    pub min_duration_months: Option<i32>,
    /// New longest duration.
    pub max_duration_months: Option<i32>,
    /// New criteria.
    pub criteria: Option<Vec<CriterionInput>>,
    /// New committee.
    pub committee_user_ids: Option<Vec<Uuid>>,
    /// New reporting schedule, or `null` for the programme's.
    #[serde(default, deserialize_with = "crate::wire::double_option")]
    #[schema(value_type = Option<ReportingSchedule>)]
    pub reporting: Option<Option<ReportingSchedule>>,
}

/// Filters of the call list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallListParams {
    /// Only calls of this programme.
    pub programme_id: Option<Uuid>,
    /// Only calls in this status (as of now).
    pub status: Option<WireStatus>,
    /// Only calls changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

/// The outcome of deciding a call.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"call_id": "0193a0c4-b000-7000-8000-000000000001", "status": "decided", "awarded": 17, "rejected": 6, "awarded_total": {"amount": "65382.00", "currency": "EUR"}}))]
pub struct DecisionResponse {
    /// The call.
    #[schema(format = Uuid)]
    pub call_id: String,
    /// Always `decided`.
    pub status: WireStatus,
    /// Applications awarded.
    pub awarded: usize,
    /// Applications rejected (including those still pending, rejected by the decision).
    pub rejected: usize,
    /// Total awarded.
    pub awarded_total: Money,
}

fn regions(v: &mut Validator, raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let within = v.max_items("eligible_regions", raw.len(), MAX_REGIONS);
    for (i, r) in raw.iter().enumerate().filter(|_| within) {
        if let Some(r) = v.check(&format!("eligible_regions.{i}"), RegionCode::parse(r))
            && !out.iter().any(|x| x == r.as_str())
        {
            out.push(r.as_str().to_owned());
        }
    }
    out
}

fn kinds(raw: Vec<OrganizationKind>) -> Vec<seriktes_domain::organization::OrganizationKind> {
    let mut out = Vec::new();
    for k in raw {
        let k = k.into();
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

fn criteria(v: &mut Validator, raw: Vec<CriterionInput>) -> Vec<Criterion> {
    raw.into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let name = v.check(&format!("criteria.{i}.name"), c.name.parse())?;
            Some(Criterion {
                name,
                weight: c.weight,
                max_score: c.max_score,
            })
        })
        .collect()
}

/// Records a `max_items` error for each list of kinds or members over its bound.
fn check_lists(
    v: &mut Validator,
    kinds: Option<&Vec<OrganizationKind>>,
    members: Option<&Vec<Uuid>>,
) {
    if let Some(k) = kinds {
        v.max_items("eligible_kinds", k.len(), MAX_ELIGIBLE_KINDS);
    }
    if let Some(m) = members {
        v.max_items("committee_user_ids", m.len(), MAX_COMMITTEE);
    }
}

fn committee(raw: Vec<Uuid>) -> Vec<UserId> {
    let mut out = Vec::new();
    for u in raw {
        let u = UserId::from_uuid(u);
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

impl TryFrom<CreateCallRequest> for CallDraft {
    type Error = DomainError;

    fn try_from(r: CreateCallRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let title = v.check("title", r.title.parse());
        let description = v.check_opt("description", r.description, CallDescription::parse);
        let max_award = v.check("max_award", r.max_award.parse());
        let envelope = v.check("envelope", r.envelope.parse());
        let eligible_regions = regions(&mut v, &r.eligible_regions.unwrap_or_default());
        check_lists(
            &mut v,
            r.eligible_kinds.as_ref(),
            r.committee_user_ids.as_ref(),
        );
        let criteria = criteria(&mut v, r.criteria);
        let reporting = v.check_opt("reporting", r.reporting, ReportingSchedule::parse);
        let input = (|| {
            Some(CallInput {
                title: title?,
                description: description?,
                opens_at: r.opens_at.get(),
                closes_at: r.closes_at.get(),
                max_award: max_award?,
                envelope: envelope?,
                eligible_kinds: kinds(r.eligible_kinds.unwrap_or_default()),
                eligible_regions,
                min_duration_months: r.min_duration_months,
                max_duration_months: r.max_duration_months,
                criteria,
                committee: committee(r.committee_user_ids.unwrap_or_default()),
                reporting: reporting?,
            })
        })();
        v.finish_with(input)
    }
}

impl TryFrom<UpdateCallRequest> for CallPatch {
    type Error = DomainError;

    fn try_from(r: UpdateCallRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let title = r.title.map(|t| v.check("title", t.parse()));
        let description = r
            .description
            .map(|d| v.check_opt("description", d, CallDescription::parse));
        let max_award = r.max_award.map(|m| v.check("max_award", m.parse()));
        let envelope = r.envelope.map(|m| v.check("envelope", m.parse()));
        let eligible_regions = r.eligible_regions.map(|x| regions(&mut v, &x));
        check_lists(
            &mut v,
            r.eligible_kinds.as_ref(),
            r.committee_user_ids.as_ref(),
        );
        let criteria = r.criteria.map(|c| criteria(&mut v, c));
        let reporting = r
            .reporting
            .map(|s| v.check_opt("reporting", s, ReportingSchedule::parse));
        v.finish()?;
        Ok(Self {
            title: title.flatten(),
            description: description.flatten(),
            opens_at: r.opens_at.map(crate::wire::Timestamp::get),
            closes_at: r.closes_at.map(crate::wire::Timestamp::get),
            max_award: max_award.flatten(),
            envelope: envelope.flatten(),
            eligible_kinds: r.eligible_kinds.map(kinds),
            eligible_regions,
            min_duration_months: r.min_duration_months,
            max_duration_months: r.max_duration_months,
            criteria,
            committee: r.committee_user_ids.map(committee),
            reporting: reporting.flatten(),
        })
    }
}

impl From<CallListParams> for CallQuery {
    fn from(f: CallListParams) -> Self {
        Self {
            programme: f.programme_id.map(Into::into),
            status: f.status.map(Into::into),
            updated_since: f.updated_since.map(crate::wire::Timestamp::get),
        }
    }
}

impl From<Call> for CallResponse {
    fn from(c: Call) -> Self {
        let manages = c.managed();
        let row = c.stored;
        let currency = c.currency;
        Self {
            criteria: c
                .criteria
                .into_iter()
                .map(|k| CriterionResponse {
                    name: CriterionName(k.name.translations().clone()),
                    id: k.id,
                    weight: k.weight,
                    max_score: k.max_score,
                })
                .collect(),
            committee_user_ids: manages
                .then(|| c.committee.iter().map(ToString::to_string).collect()),
            title: CallTitle(row.title.translations().clone()),
            description: row
                .description
                .map(|d| CallDescription(d.translations().clone())),
            opens_at: crate::response::utc(row.opens_at),
            closes_at: crate::response::utc(row.closes_at),
            max_award: Money::from_minor(row.max_award_minor, currency),
            envelope: Money::from_minor(row.envelope_minor, currency),
            eligible_kinds: row.eligible_kinds.into_iter().map(Into::into).collect(),
            eligible_regions: row.eligible_regions,
            min_duration_months: row.min_duration_months,
            max_duration_months: row.max_duration_months,
            reporting: row.reporting.map(Into::into),
            status: c.status.into(),
            allowed_actions: if manages {
                c.status
                    .allowed_actions()
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            } else {
                Vec::new()
            },
            created_at: crate::response::utc(row.created_at),
            updated_at: crate::response::utc(row.updated_at),
            id: row.id.to_string(),
            programme_id: row.programme.to_string(),
        }
    }
}
