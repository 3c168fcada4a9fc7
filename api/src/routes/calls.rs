//! Calls for proposals: window, award cap and envelope, eligibility, weighted criteria and the
//! expert committee. A call is created as a draft under a programme, published (opened) by the
//! programme's managers, and closes by itself at `closes_at`.
//!
//! Visibility: anonymous callers see open and decided calls; signed-in users see every
//! published call; drafts are seen by admins and members of the programme's managing and
//! funding organisations. The committee is shown to the programme's managers only.

use crate::audit;
use crate::auth::{CurrentUser, MaybeUser};
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged, utc};
use crate::routes::programmes::{Access, currency_of, visible};
use crate::state::{State, now};
use crate::wire::{
    CallStatus as WireStatus, LocalizedText, Money, OrganizationKind, from_json, json,
};
use actix_web::{get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::call::{CallAction, CallStatus};
use seriktes_domain::geo::RegionCode;
use seriktes_domain::money::Currency;
use seriktes_domain::text::LocalizedText as Text;
use seriktes_domain::{DomainError, FieldError, Validator};
use seriktes_persistence::calls::{
    self, CallAudience, CallFields, CallFilter, CallRow, CriterionRow, NewCallRow,
};
use seriktes_persistence::programmes::{self, ProgrammeRow};
use seriktes_persistence::{DbConn, StoreError, users};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const MAX_TITLE: usize = 500;
const MAX_DESCRIPTION: usize = 20_000;
const MAX_CRITERIA: usize = 20;

/// A weighted scoring criterion.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": {"en": "Relevance to human rights reforms"}, "weight": 3, "max_score": 10}))]
pub struct CriterionInput {
    /// Name in one or more languages.
    pub name: LocalizedText,
    /// Relative weight, 1–100.
    #[schema(minimum = 1, maximum = 100)]
    pub weight: i32,
    /// Highest score a reviewer may give, 1–100.
    #[schema(minimum = 1, maximum = 100)]
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
    pub name: LocalizedText,
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
    pub title: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
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
    "committee_user_ids": ["0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10"]
}))]
pub struct CreateCallRequest {
    /// Title.
    pub title: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
    /// Window start (RFC 3339; stored in UTC).
    pub opens_at: DateTime<Utc>,
    /// Window end, after `opens_at`.
    pub closes_at: DateTime<Utc>,
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
}

/// Changes to a draft call; absent fields stay, lists are replaced.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"closes_at": "2026-03-15T00:00:00Z"}))]
pub struct UpdateCallRequest {
    /// New title.
    pub title: Option<LocalizedText>,
    /// New description, or `null`.
    #[serde(default, deserialize_with = "crate::wire::double_option")]
    #[schema(value_type = Option<LocalizedText>)]
    pub description: Option<Option<LocalizedText>>,
    /// New window start.
    pub opens_at: Option<DateTime<Utc>>,
    /// New window end.
    pub closes_at: Option<DateTime<Utc>>,
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
    pub updated_since: Option<DateTime<Utc>>,
}

/// Everything a call holds, before validation.
struct Draft {
    title: BTreeMap<String, String>,
    description: Option<BTreeMap<String, String>>,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    max_award: Money,
    envelope: Money,
    eligible_kinds: Vec<OrganizationKind>,
    eligible_regions: Vec<String>,
    min_duration_months: i32,
    max_duration_months: i32,
    criteria: Vec<CriterionInput>,
    committee: Vec<Uuid>,
}

/// A validated call: its stored fields, criteria (without call id yet) and committee.
struct Valid {
    fields: CallFields,
    criteria: Vec<(String, i32, i32)>,
    committee: Vec<String>,
}

impl Draft {
    fn validate(self, programme: &ProgrammeRow, currency: Currency) -> Result<Valid, DomainError> {
        let mut v = Validator::new();
        let title = v.check("title", Text::parse(self.title, MAX_TITLE));
        let description = v.check_opt("description", self.description, |d| {
            Text::parse(d, MAX_DESCRIPTION)
        });
        if self.closes_at <= self.opens_at {
            v.push(FieldError::new(
                "closes_at",
                "after",
                "closes_at must be after opens_at",
            ));
        }
        let max_award = v.check("max_award", self.max_award.parse());
        let envelope = v.check("envelope", self.envelope.parse());
        for (field, m) in [("max_award", &max_award), ("envelope", &envelope)] {
            if m.is_some_and(|m| m.currency() != currency) {
                v.push(FieldError::new(
                    format!("{field}.currency"),
                    "currency_mismatch",
                    format!("amounts are in the programme's currency, {currency}"),
                ));
            }
        }
        if let (Some(cap), Some(env)) = (&max_award, &envelope)
            && cap.minor() > env.minor()
        {
            v.push(FieldError::new(
                "max_award",
                "exceeds_envelope",
                "the cap per award exceeds the envelope",
            ));
        }
        if envelope.is_some_and(|e| e.minor() > programme.budget_minor) {
            v.push(FieldError::new(
                "envelope",
                "exceeds_budget",
                "the envelope exceeds the programme budget",
            ));
        }
        if !(1..=120).contains(&self.min_duration_months) {
            v.push(FieldError::new(
                "min_duration_months",
                "range",
                "between 1 and 120 months",
            ));
        }
        if !(1..=120).contains(&self.max_duration_months) {
            v.push(FieldError::new(
                "max_duration_months",
                "range",
                "between 1 and 120 months",
            ));
        } else if self.max_duration_months < self.min_duration_months {
            v.push(FieldError::new(
                "max_duration_months",
                "min_max",
                "max_duration_months is below min_duration_months",
            ));
        }
        let programme_regions: Vec<String> =
            serde_json::from_str(&programme.regions).unwrap_or_default();
        let mut regions: Vec<String> = Vec::new();
        for (i, r) in self.eligible_regions.iter().enumerate() {
            let field = format!("eligible_regions.{i}");
            if let Some(r) = v.check(&field, RegionCode::parse(r)) {
                if !programme_regions.is_empty()
                    && !programme_regions.iter().any(|p| p == r.as_str())
                {
                    v.push(FieldError::new(
                        field,
                        "outside_programme",
                        format!("{r} is not a region of the programme"),
                    ));
                } else if !regions.iter().any(|x| x == r.as_str()) {
                    regions.push(r.as_str().to_owned());
                }
            }
        }
        let mut kinds: Vec<&'static str> = Vec::new();
        for k in &self.eligible_kinds {
            let k = seriktes_domain::organization::OrganizationKind::from(*k).as_str();
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        if self.criteria.is_empty() || self.criteria.len() > MAX_CRITERIA {
            v.push(FieldError::new(
                "criteria",
                "count",
                format!("between 1 and {MAX_CRITERIA} criteria"),
            ));
        }
        let mut criteria = Vec::new();
        for (i, c) in self.criteria.into_iter().enumerate() {
            let name = v.check(
                &format!("criteria.{i}.name"),
                Text::parse(c.name.0, MAX_TITLE),
            );
            for (field, value) in [("weight", c.weight), ("max_score", c.max_score)] {
                if !(1..=100).contains(&value) {
                    v.push(FieldError::new(
                        format!("criteria.{i}.{field}"),
                        "range",
                        "between 1 and 100",
                    ));
                }
            }
            if let Some(name) = name {
                criteria.push((json(name.translations()), c.weight, c.max_score));
            }
        }
        let mut committee: Vec<String> = Vec::new();
        for u in self.committee {
            let u = u.to_string();
            if !committee.contains(&u) {
                committee.push(u);
            }
        }
        v.finish()?;
        let fields = (|| {
            Some(CallFields {
                title: json(title?.translations()),
                description: description?.map(|d| json(d.translations())),
                opens_at: self.opens_at.naive_utc(),
                closes_at: self.closes_at.naive_utc(),
                max_award_minor: max_award?.minor(),
                envelope_minor: envelope?.minor(),
                eligible_kinds: json(&kinds),
                eligible_regions: json(&regions),
                min_duration_months: self.min_duration_months,
                max_duration_months: self.max_duration_months,
            })
        })();
        Ok(Valid {
            fields: Validator::new().finish_with(fields)?,
            criteria,
            committee,
        })
    }

    fn from_row(
        row: &CallRow,
        criteria: &[CriterionRow],
        committee: Vec<Uuid>,
        currency: Currency,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            title: from_json(&row.title)?,
            description: row.description.as_deref().map(from_json).transpose()?,
            opens_at: utc(row.opens_at),
            closes_at: utc(row.closes_at),
            max_award: Money::from_minor(row.max_award_minor, currency),
            envelope: Money::from_minor(row.envelope_minor, currency),
            eligible_kinds: from_json(&row.eligible_kinds)?,
            eligible_regions: from_json(&row.eligible_regions)?,
            min_duration_months: row.min_duration_months,
            max_duration_months: row.max_duration_months,
            criteria: criteria
                .iter()
                .map(|c| {
                    Ok(CriterionInput {
                        name: LocalizedText(from_json(&c.name)?),
                        weight: c.weight,
                        max_score: c.max_score,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            committee,
        })
    }

    fn apply(mut self, p: UpdateCallRequest) -> Self {
        if let Some(t) = p.title {
            self.title = t.0;
        }
        if let Some(d) = p.description {
            self.description = d.map(|d| d.0);
        }
        self.opens_at = p.opens_at.unwrap_or(self.opens_at);
        self.closes_at = p.closes_at.unwrap_or(self.closes_at);
        self.max_award = p.max_award.unwrap_or(self.max_award);
        self.envelope = p.envelope.unwrap_or(self.envelope);
        self.eligible_kinds = p.eligible_kinds.unwrap_or(self.eligible_kinds);
        self.eligible_regions = p.eligible_regions.unwrap_or(self.eligible_regions);
        self.min_duration_months = p.min_duration_months.unwrap_or(self.min_duration_months);
        self.max_duration_months = p.max_duration_months.unwrap_or(self.max_duration_months);
        self.criteria = p.criteria.unwrap_or(self.criteria);
        self.committee = p.committee_user_ids.unwrap_or(self.committee);
        self
    }
}

/// Stores criteria and committee of a call, checking that committee members are active users.
fn store_parts(conn: &mut DbConn, call_id: &str, valid: &Valid) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, u) in valid.committee.iter().enumerate() {
        match users::find(conn, u) {
            Ok(user) if user.active => {}
            Ok(_) | Err(StoreError::NotFound) => errors.push(FieldError::new(
                format!("committee_user_ids.{i}"),
                "exists",
                "no active user has this id",
            )),
            Err(e) => return Err(e.into()),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let criteria: Vec<CriterionRow> = valid
        .criteria
        .iter()
        .enumerate()
        .map(|(i, (name, weight, max_score))| CriterionRow {
            id: Uuid::now_v7().to_string(),
            call_id: call_id.to_owned(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            name: name.clone(),
            weight: *weight,
            max_score: *max_score,
        })
        .collect();
    calls::replace_criteria(conn, call_id, &criteria)?;
    calls::replace_committee(conn, call_id, &valid.committee)?;
    Ok(())
}

/// Who may see a call, and whether they manage it.
fn call_access(
    conn: &mut DbConn,
    caller: Option<&CurrentUser>,
    row: &CallRow,
    at: chrono::NaiveDateTime,
) -> Result<(ProgrammeRow, Access), ApiError> {
    let status = CallStatus::parse(&row.status)
        .map_err(ApiError::internal)?
        .effective(&row.closes_at, &at);
    match caller {
        None if matches!(status, CallStatus::Open | CallStatus::Decided) => {
            Ok((programmes::find(conn, &row.programme_id)?, Access::Public))
        }
        None => Err(ApiError::NotFound),
        Some(user) => {
            let (programme, access) = visible(conn, user, &row.programme_id)?;
            if access == Access::Public && status == CallStatus::Draft {
                return Err(ApiError::NotFound);
            }
            Ok((programme, access))
        }
    }
}

/// Builds responses for calls of possibly different programmes, with one query each for
/// criteria and committees.
fn responses(
    conn: &mut DbConn,
    rows: Vec<(CallRow, Currency, Access)>,
    at: chrono::NaiveDateTime,
) -> Result<Vec<CallResponse>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|(r, _, _)| r.id.clone()).collect();
    let criteria = calls::criteria_of(conn, &ids)?;
    let committee = calls::committee_of(conn, &ids)?;
    rows.into_iter()
        .map(|(row, currency, access)| {
            let status = CallStatus::parse(&row.status)
                .map_err(ApiError::internal)?
                .effective(&row.closes_at, &at);
            let manages = access == Access::Manage;
            Ok(CallResponse {
                criteria: criteria
                    .iter()
                    .filter(|c| c.call_id == row.id)
                    .map(|c| {
                        Ok(CriterionResponse {
                            id: c.id.clone(),
                            name: LocalizedText(from_json(&c.name)?),
                            weight: c.weight,
                            max_score: c.max_score,
                        })
                    })
                    .collect::<Result<_, ApiError>>()?,
                committee_user_ids: manages.then(|| {
                    committee
                        .iter()
                        .filter(|(c, _)| *c == row.id)
                        .map(|(_, u)| u.clone())
                        .collect()
                }),
                title: LocalizedText(from_json(&row.title)?),
                description: row
                    .description
                    .as_deref()
                    .map(from_json)
                    .transpose()?
                    .map(LocalizedText),
                opens_at: utc(row.opens_at),
                closes_at: utc(row.closes_at),
                max_award: Money::from_minor(row.max_award_minor, currency),
                envelope: Money::from_minor(row.envelope_minor, currency),
                eligible_kinds: from_json(&row.eligible_kinds)?,
                eligible_regions: from_json(&row.eligible_regions)?,
                min_duration_months: row.min_duration_months,
                max_duration_months: row.max_duration_months,
                status: status.into(),
                allowed_actions: if manages {
                    status
                        .allowed_actions()
                        .into_iter()
                        .map(str::to_owned)
                        .collect()
                } else {
                    Vec::new()
                },
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
                id: row.id,
                programme_id: row.programme_id,
            })
        })
        .collect()
}

fn one(
    conn: &mut DbConn,
    row: CallRow,
    currency: Currency,
    access: Access,
    at: chrono::NaiveDateTime,
) -> Result<(CallResponse, i64), ApiError> {
    let version = row.version;
    let r = responses(conn, vec![(row, currency, access)], at)?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok((r, version))
}

fn require_manage(a: Access) -> Result<(), ApiError> {
    if a == Access::Manage {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only admins and the programme's managers may change its calls.".to_owned(),
        ))
    }
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_call)
        .service(list_calls)
        .service(get_call)
        .service(update_call)
        .service(publish_call)
        .service(close_call);
}

/// Create a call under a programme (its managers); it starts as a draft.
#[utoipa::path(
    tag = "calls",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    request_body = CreateCallRequest,
    responses(
        (status = 201, description = "Created; `Location` names it.", body = CallResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/programmes/{id}/calls")]
pub async fn create_call(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    body: Json<CreateCallRequest>,
) -> Result<Tagged<CallResponse>, ApiError> {
    let programme_id = id.into_inner().to_string();
    let r = body.0;
    let draft = Draft {
        title: r.title.0,
        description: r.description.map(|d| d.0),
        opens_at: r.opens_at,
        closes_at: r.closes_at,
        max_award: r.max_award,
        envelope: r.envelope,
        eligible_kinds: r.eligible_kinds.unwrap_or_default(),
        eligible_regions: r.eligible_regions.unwrap_or_default(),
        min_duration_months: r.min_duration_months,
        max_duration_months: r.max_duration_months,
        criteria: r.criteria,
        committee: r.committee_user_ids.unwrap_or_default(),
    };
    let (body, version) = state
        .write(move |conn| {
            let (programme, access) = visible(conn, &caller, &programme_id)?;
            require_manage(access)?;
            if programme.status == "closed" {
                return Err(DomainError::InvalidTransition {
                    entity: "programme",
                    action: "add a call to",
                    from: "closed",
                    allowed: vec![],
                }
                .into());
            }
            let currency = currency_of(&programme)?;
            let valid = draft.validate(&programme, currency)?;
            let at = now();
            let id = Uuid::now_v7().to_string();
            let row = calls::insert(
                conn,
                &NewCallRow {
                    id: &id,
                    programme_id: &programme.id,
                    status: CallStatus::Draft.as_str(),
                    created_at: at,
                    updated_at: at,
                },
                &valid.fields,
            )?;
            store_parts(conn, &id, &valid)?;
            audit::record(
                conn,
                Some(caller.id()),
                "call.create",
                ("call", &id),
                format!("created call {}", row.title),
            )?;
            one(conn, row, currency, access, at)
        })
        .await?;
    let location = format!("/api/v1/calls/{}", body.id);
    Ok(Tagged::created(body, version, location))
}

/// List the calls the caller may see (anonymous callers: open and decided ones), oldest first.
#[utoipa::path(
    tag = "calls",
    params(PageParams, CallListParams),
    responses(
        (status = 200, description = "One page of calls.", body = Paginated<CallResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/calls")]
pub async fn list_calls(
    state: State,
    caller: MaybeUser,
    page: Query<PageParams>,
    filter: Query<CallListParams>,
) -> Result<web::Json<Paginated<CallResponse>>, ApiError> {
    let page = page.0.to_request()?;
    let f = filter.0;
    let at = now();
    let audience = match &caller.0 {
        None => CallAudience::Anonymous,
        Some(u) if u.is_admin() => CallAudience::Admin,
        Some(u) => CallAudience::User(u.id().to_owned()),
    };
    let filter = CallFilter {
        audience,
        programme_id: f.programme_id.map(|p| p.to_string()),
        status: f.status.map(|s| CallStatus::from(s).as_str().to_owned()),
        updated_since: f.updated_since.map(|t| t.naive_utc()),
        now: at,
    };
    let body = state
        .read(move |conn| {
            let p = calls::list(conn, &filter, &page)?;
            let next = p.next_after.clone();
            let mut rows = Vec::with_capacity(p.items.len());
            let mut seen: Vec<(String, Currency, Access)> = Vec::new();
            for row in p.items {
                let known = seen
                    .iter()
                    .find(|(id, _, _)| *id == row.programme_id)
                    .map(|(_, c, a)| (*c, *a));
                let (currency, access) = match known {
                    Some(x) => x,
                    None => {
                        let (programme, access) = call_access(conn, caller.0.as_ref(), &row, at)?;
                        let currency = currency_of(&programme)?;
                        seen.push((programme.id, currency, access));
                        (currency, access)
                    }
                };
                rows.push((row, currency, access));
            }
            Ok(Paginated::from_parts(
                responses(conn, rows, at)?,
                next.as_deref(),
            ))
        })
        .await?;
    Ok(web::Json(body))
}

/// Get a call (anonymous callers: open and decided calls only).
#[utoipa::path(
    tag = "calls",
    params(("id" = Uuid, Path, description = "Call id")),
    responses(
        (status = 200, description = "The call.", body = CallResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/calls/{id}")]
pub async fn get_call(
    state: State,
    caller: MaybeUser,
    id: web::Path<Uuid>,
) -> Result<Tagged<CallResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let (body, version) = state
        .read(move |conn| {
            let at = now();
            let row = calls::find(conn, &id)?;
            let (programme, access) = call_access(conn, caller.0.as_ref(), &row, at)?;
            one(conn, row, currency_of(&programme)?, access, at)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Update a draft call (the programme's managers); published calls cannot change (409).
#[utoipa::path(
    tag = "calls",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Call id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the call changed since"),
    ),
    request_body = UpdateCallRequest,
    responses(
        (status = 200, description = "The updated call.", body = CallResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/calls/{id}")]
pub async fn update_call(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateCallRequest>,
) -> Result<Tagged<CallResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let patch = body.0;
    let (body, version) = state
        .write(move |conn| {
            let at = now();
            let current = calls::find(conn, &id)?;
            let (programme, access) = call_access(conn, Some(&caller), &current, at)?;
            require_manage(access)?;
            let status = CallStatus::parse(&current.status)
                .map_err(ApiError::internal)?
                .effective(&current.closes_at, &at);
            if status != CallStatus::Draft {
                return Err(DomainError::InvalidTransition {
                    entity: "call",
                    action: "edit",
                    from: status.as_str(),
                    allowed: status.allowed_actions(),
                }
                .into());
            }
            let currency = currency_of(&programme)?;
            let criteria = calls::criteria_of(conn, std::slice::from_ref(&id))?;
            let committee = calls::committee_of(conn, std::slice::from_ref(&id))?
                .into_iter()
                .filter_map(|(_, u)| Uuid::parse_str(&u).ok())
                .collect();
            let valid = Draft::from_row(&current, &criteria, committee, currency)?
                .apply(patch)
                .validate(&programme, currency)?;
            let row = calls::update(conn, &current, if_match.0, &valid.fields, at)?;
            store_parts(conn, &id, &valid)?;
            audit::record(
                conn,
                Some(caller.id()),
                "call.update",
                ("call", &id),
                "updated draft call".to_owned(),
            )?;
            one(conn, row, currency, access, at)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Applies a state-machine action to a call.
async fn transition(
    state: State,
    caller: CurrentUser,
    id: Uuid,
    if_match: IfMatch,
    action: CallAction,
) -> Result<Tagged<CallResponse>, ApiError> {
    let id = id.to_string();
    let (body, version) = state
        .write(move |conn| {
            let at = now();
            let current = calls::find(conn, &id)?;
            let (programme, access) = call_access(conn, Some(&caller), &current, at)?;
            require_manage(access)?;
            let from = CallStatus::parse(&current.status)
                .map_err(ApiError::internal)?
                .effective(&current.closes_at, &at);
            let to = from.apply(action)?;
            if action == CallAction::Publish {
                if programme.status != "active" {
                    return Err(ApiError::conflict(format!(
                        "The programme is {}; activate it before publishing its calls.",
                        programme.status
                    )));
                }
                if current.closes_at <= at {
                    return Err(ApiError::conflict(
                        "The call's window has already ended; move closes_at first.",
                    ));
                }
            }
            let row = calls::set_status(conn, &current, if_match.0, to.as_str(), at)?;
            let summary = format!("{} → {}", from.as_str(), to.as_str());
            audit::record(
                conn,
                Some(caller.id()),
                &format!("call.{}", action.as_str()),
                ("call", &id),
                summary,
            )?;
            one(conn, row, currency_of(&programme)?, access, at)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Publish a draft call (the programme's managers): it is open until `closes_at`. The programme
/// must be active and the window must not have ended.
#[utoipa::path(
    tag = "calls",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Now open.", body = CallResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/calls/{id}/publish")]
pub async fn publish_call(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<CallResponse>, ApiError> {
    transition(
        state,
        caller,
        id.into_inner(),
        if_match,
        CallAction::Publish,
    )
    .await
}

/// Close an open call before `closes_at` (the programme's managers).
#[utoipa::path(
    tag = "calls",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Now closed.", body = CallResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/calls/{id}/close")]
pub async fn close_call(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<CallResponse>, ApiError> {
    transition(state, caller, id.into_inner(), if_match, CallAction::Close).await
}
