//! Programmes: donor-funded programmes run by a managing organisation, with co-funders.
//!
//! Admins and the owners and managers of the managing organisation create and run them.
//! Drafts are visible to admins and to members of the managing and funding organisations;
//! other signed-in users see active and closed programmes.

use crate::audit;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::legacy_access::actor_for;
use crate::response::{PageParams, Paginated, Tagged, utc};
use crate::state::{State, now};
use crate::wire::{LocalizedText, Money, ProgrammeStatus as WireStatus, json};
use actix_web::{get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::geo::RegionCode;
use seriktes_domain::membership::OrgActor;
use seriktes_domain::money::{Currency, Money as DomainMoney};
use seriktes_domain::organization::parse_themes;
use seriktes_domain::programme::{ProgrammeAction, ProgrammeStatus};
use seriktes_domain::text::LocalizedText as Text;
use seriktes_domain::{DomainError, FieldError, Validator};
use seriktes_persistence::programmes::{
    self, FunderRow, NewProgrammeRow, ProgrammeFields, ProgrammeFilter, ProgrammeRow,
};
use seriktes_persistence::{DbConn, StoreError, organizations};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Longest title or description in one language.
const MAX_TITLE: usize = 500;
const MAX_DESCRIPTION: usize = 20_000;

/// A funder's commitment to a programme.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organization_id": "0193a0c4-8000-7000-8000-0000000000e1", "committed": {"amount": "60000.00", "currency": "EUR"}}))]
pub struct FunderInput {
    /// The funding organisation.
    pub organization_id: Uuid,
    /// The amount it commits, in the programme's currency.
    pub committed: Money,
}

/// A funder as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"organization_id": "0193a0c4-8000-7000-8000-0000000000e1",
    "organization_name": {"en": "EU Delegation"}, "committed": {"amount": "60000.00", "currency": "EUR"}}))]
pub struct FunderResponse {
    /// The funding organisation.
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// Its name.
    pub organization_name: LocalizedText,
    /// The amount it commits.
    pub committed: Money,
}

/// A programme.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-a000-7000-8000-000000000001",
    "title": {"en": "Empowering South Kazakhstan CSOs to Promote Human Rights Reforms"},
    "description": null,
    "managing_organization_id": "0193a0c4-8000-7000-8000-000000000002",
    "budget": {"amount": "65382.00", "currency": "EUR"},
    "starts_on": "2026-01-01", "ends_on": "2027-12-31",
    "regions": ["KZ-61", "KZ-31", "KZ-43", "KZ-79"], "themes": ["human_rights"],
    "funders": [{"organization_id": "0193a0c4-8000-7000-8000-0000000000e1", "organization_name": {"en": "EU Delegation"},
        "committed": {"amount": "60000.00", "currency": "EUR"}}],
    "status": "active", "allowed_actions": ["close"],
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct ProgrammeResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Title.
    pub title: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
    /// The organisation that runs the programme.
    #[schema(format = Uuid)]
    pub managing_organization_id: String,
    /// Total budget; its currency is the programme's currency.
    pub budget: Money,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// ISO 3166-2 regions covered.
    pub regions: Vec<String>,
    /// Theme tags.
    pub themes: Vec<String>,
    /// Funders and their commitments.
    pub funders: Vec<FunderResponse>,
    /// `draft`, `active` or `closed`.
    pub status: WireStatus,
    /// Actions allowed now (`activate`, `close`).
    pub allowed_actions: Vec<String>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new programme (in `draft`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": {"en": "Empowering South Kazakhstan CSOs to Promote Human Rights Reforms"},
    "managing_organization_id": "0193a0c4-8000-7000-8000-000000000002",
    "budget": {"amount": "65382.00", "currency": "EUR"},
    "starts_on": "2026-01-01", "ends_on": "2027-12-31",
    "regions": ["KZ-61", "KZ-31", "KZ-43", "KZ-79"], "themes": ["human_rights"],
    "funders": [{"organization_id": "0193a0c4-8000-7000-8000-0000000000e1", "committed": {"amount": "60000.00", "currency": "EUR"}}]
}))]
pub struct CreateProgrammeRequest {
    /// Title in one or more languages.
    pub title: LocalizedText,
    /// Description in one or more languages.
    pub description: Option<LocalizedText>,
    /// The organisation that runs it; the caller must own or manage it (or be an admin).
    pub managing_organization_id: Uuid,
    /// Total budget; sets the programme's currency.
    pub budget: Money,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day (not before `starts_on`).
    pub ends_on: NaiveDate,
    /// ISO 3166-2 regions covered.
    pub regions: Option<Vec<String>>,
    /// Theme tags.
    pub themes: Option<Vec<String>>,
    /// Funders; their commitments may not exceed the budget.
    pub funders: Option<Vec<FunderInput>>,
}

/// Changes to a programme; absent fields stay, lists are replaced. Closed programmes are final.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2028-06-30"}))]
pub struct UpdateProgrammeRequest {
    /// New title.
    pub title: Option<LocalizedText>,
    /// New description, or `null`.
    #[serde(default, deserialize_with = "crate::wire::double_option")]
    #[schema(value_type = Option<LocalizedText>)]
    pub description: Option<Option<LocalizedText>>,
    /// New budget (same currency unless no call exists yet).
    pub budget: Option<Money>,
    /// New first day.
    pub starts_on: Option<NaiveDate>,
    /// New last day.
    pub ends_on: Option<NaiveDate>,
    /// New regions.
    pub regions: Option<Vec<String>>,
    /// New themes.
    pub themes: Option<Vec<String>>,
    /// New funders.
    pub funders: Option<Vec<FunderInput>>,
}

/// Filters of the programme list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeListParams {
    /// Only this status.
    pub status: Option<WireStatus>,
    /// Only programmes run by this organisation.
    pub managing_organization_id: Option<Uuid>,
    /// Only programmes this organisation funds.
    pub funder_organization_id: Option<Uuid>,
    /// Only programmes changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

/// The editable fields before validation; create and update both go through [`Self::validate`].
struct Draft {
    title: BTreeMap<String, String>,
    description: Option<BTreeMap<String, String>>,
    managing_organization_id: String,
    budget: Money,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    regions: Vec<String>,
    themes: Vec<String>,
    funders: Vec<FunderInput>,
}

impl Draft {
    fn validate(
        self,
        programme_id: &str,
    ) -> Result<(ProgrammeFields, Vec<FunderRow>), DomainError> {
        let mut v = Validator::new();
        let title = v.check("title", Text::parse(self.title, MAX_TITLE));
        let description = v.check_opt("description", self.description, |d| {
            Text::parse(d, MAX_DESCRIPTION)
        });
        let budget = v.check("budget", self.budget.parse());
        if self.ends_on < self.starts_on {
            v.push(FieldError::new(
                "ends_on",
                "after",
                "ends_on may not be before starts_on",
            ));
        }
        let mut regions = Vec::new();
        for (i, r) in self.regions.iter().enumerate() {
            if let Some(r) = v.check(&format!("regions.{i}"), RegionCode::parse(r))
                && !regions.contains(&r.as_str().to_owned())
            {
                regions.push(r.as_str().to_owned());
            }
        }
        let themes = v.check("themes", parse_themes(&self.themes));
        let mut funders: Vec<(String, DomainMoney)> = Vec::new();
        for (i, f) in self.funders.iter().enumerate() {
            let id = f.organization_id.to_string();
            if funders.iter().any(|(o, _)| *o == id) {
                v.push(FieldError::new(
                    format!("funders.{i}.organization_id"),
                    "unique",
                    "this funder is listed twice",
                ));
            }
            if let Some(m) = v.check(&format!("funders.{i}.committed"), f.committed.parse()) {
                funders.push((id, m));
            }
        }
        if let Some(budget) = &budget {
            let currency = budget.currency();
            for (i, (_, m)) in funders.iter().enumerate() {
                if m.currency() != currency {
                    v.push(FieldError::new(
                        format!("funders.{i}.committed.currency"),
                        "currency_mismatch",
                        format!("commitments are in the programme's currency, {currency}"),
                    ));
                }
            }
            if let Ok(total) = DomainMoney::sum(currency, funders.iter().map(|(_, m)| m))
                && total.minor() > budget.minor()
            {
                v.push(FieldError::new(
                    "funders",
                    "exceeds_budget",
                    format!("commitments total {total}, more than the budget {budget}"),
                ));
            }
        }
        v.finish()?;
        let fields = (|| {
            let budget = budget?;
            Some(ProgrammeFields {
                title: json(title?.translations()),
                description: description?.map(|d| json(d.translations())),
                managing_organization_id: self.managing_organization_id.clone(),
                currency: budget.currency().as_str().to_owned(),
                budget_minor: budget.minor(),
                starts_on: self.starts_on,
                ends_on: self.ends_on,
                regions: json(&regions),
                themes: json(&themes?),
            })
        })();
        let funders = funders
            .into_iter()
            .map(|(organization_id, m)| FunderRow {
                programme_id: programme_id.to_owned(),
                organization_id,
                committed_minor: m.minor(),
            })
            .collect();
        Ok((Validator::new().finish_with(fields)?, funders))
    }
}

/// What the caller may do with a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Edit it and run its calls (admins; owners and managers of the managing organisation).
    Manage,
    /// Read it, drafts included (members of the managing or funding organisations).
    Involved,
    /// Read it unless it is a draft.
    Public,
}

/// The caller's access to a programme.
pub(crate) fn access(
    conn: &mut DbConn,
    caller: &CurrentUser,
    p: &ProgrammeRow,
) -> Result<Access, ApiError> {
    let actor = actor_for(conn, caller, &p.managing_organization_id)?;
    if actor.is_some_and(OrgActor::can_edit_organization) {
        return Ok(Access::Manage);
    }
    if programmes::involves_user(conn, p, caller.id())? {
        return Ok(Access::Involved);
    }
    Ok(Access::Public)
}

/// Finds a programme the caller may see (else 404) and returns their access.
pub(crate) fn visible(
    conn: &mut DbConn,
    caller: &CurrentUser,
    id: &str,
) -> Result<(ProgrammeRow, Access), ApiError> {
    let p = programmes::find(conn, id)?;
    let a = access(conn, caller, &p)?;
    if a == Access::Public && p.status == "draft" {
        return Err(ApiError::NotFound);
    }
    Ok((p, a))
}

fn require_manage(a: Access) -> Result<(), ApiError> {
    if a == Access::Manage {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only admins and the managing organisation's owners and managers may do this."
                .to_owned(),
        ))
    }
}

/// The stored currency of a programme.
pub(crate) fn currency_of(p: &ProgrammeRow) -> Result<Currency, ApiError> {
    Currency::parse(&p.currency).map_err(ApiError::internal)
}

/// Builds the responses of a page of programmes with one query for all funders.
fn responses(
    conn: &mut DbConn,
    rows: Vec<ProgrammeRow>,
) -> Result<Vec<ProgrammeResponse>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut funders = programmes::funders_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let currency = currency_of(&row)?;
            let mine: Vec<(FunderRow, String)> = {
                let (mine, rest): (Vec<_>, Vec<_>) = funders
                    .drain(..)
                    .partition(|(f, _)| f.programme_id == row.id);
                funders = rest;
                mine
            };
            let status = ProgrammeStatus::parse(&row.status).map_err(ApiError::internal)?;
            Ok(ProgrammeResponse {
                title: serde_json::from_str(&row.title).map_err(ApiError::internal)?,
                description: row
                    .description
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(ApiError::internal)?,
                budget: Money::from_minor(row.budget_minor, currency),
                regions: serde_json::from_str(&row.regions).map_err(ApiError::internal)?,
                themes: serde_json::from_str(&row.themes).map_err(ApiError::internal)?,
                funders: mine
                    .into_iter()
                    .map(|(f, name)| {
                        Ok(FunderResponse {
                            organization_id: f.organization_id,
                            organization_name: serde_json::from_str(&name)
                                .map_err(ApiError::internal)?,
                            committed: Money::from_minor(f.committed_minor, currency),
                        })
                    })
                    .collect::<Result<_, ApiError>>()?,
                allowed_actions: status
                    .allowed_actions()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                status: status.into(),
                id: row.id,
                managing_organization_id: row.managing_organization_id,
                starts_on: row.starts_on,
                ends_on: row.ends_on,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}

fn one(conn: &mut DbConn, row: ProgrammeRow) -> Result<(ProgrammeResponse, i64), ApiError> {
    let version = row.version;
    let r = responses(conn, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok((r, version))
}

/// Checks that every referenced organisation exists (422 naming the field otherwise).
fn check_organizations(
    conn: &mut DbConn,
    managing: &str,
    funders: &[FunderRow],
) -> Result<(), ApiError> {
    let exists = |conn: &mut DbConn, id: &str| match organizations::find(conn, id) {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(ApiError::from(e)),
    };
    let mut errors = Vec::new();
    if !exists(conn, managing)? {
        errors.push(FieldError::new(
            "managing_organization_id",
            "exists",
            "no organisation has this id",
        ));
    }
    for (i, f) in funders.iter().enumerate() {
        if !exists(conn, &f.organization_id)? {
            errors.push(FieldError::new(
                format!("funders.{i}.organization_id"),
                "exists",
                "no organisation has this id",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_programme)
        .service(list_programmes)
        .service(get_programme)
        .service(update_programme)
        .service(activate_programme)
        .service(close_programme);
}

/// Create a programme (in `draft`).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    request_body = CreateProgrammeRequest,
    responses(
        (status = 201, description = "Created; `Location` names it.", body = ProgrammeResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[post("/programmes")]
pub async fn create_programme(
    state: State,
    caller: CurrentUser,
    body: Json<CreateProgrammeRequest>,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    let r = body.0;
    let id = Uuid::now_v7().to_string();
    let (fields, funders) = Draft {
        title: r.title.0,
        description: r.description.map(|d| d.0),
        managing_organization_id: r.managing_organization_id.to_string(),
        budget: r.budget,
        starts_on: r.starts_on,
        ends_on: r.ends_on,
        regions: r.regions.unwrap_or_default(),
        themes: r.themes.unwrap_or_default(),
        funders: r.funders.unwrap_or_default(),
    }
    .validate(&id)?;
    let (body, version) = state
        .write(move |conn| {
            check_organizations(conn, &fields.managing_organization_id, &funders)?;
            let actor = actor_for(conn, &caller, &fields.managing_organization_id)?;
            if !actor.is_some_and(OrgActor::can_edit_organization) {
                return Err(ApiError::Forbidden(
                    "Only admins and the managing organisation's owners and managers may create its programmes.".to_owned(),
                ));
            }
            let at = now();
            let row = programmes::insert(
                conn,
                &NewProgrammeRow { id: &id, status: ProgrammeStatus::Draft.as_str(), created_at: at, updated_at: at },
                &fields,
            )?;
            programmes::replace_funders(conn, &id, &funders)?;
            audit::record(conn, Some(caller.id()), "programme.create", ("programme", &id), format!("created programme {}", row.title))?;
            one(conn, row)
        })
        .await?;
    let location = format!("/api/v1/programmes/{}", body.id);
    Ok(Tagged::created(body, version, location))
}

/// List programmes the caller may see, oldest first.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(PageParams, ProgrammeListParams),
    responses(
        (status = 200, description = "One page of programmes.", body = Paginated<ProgrammeResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/programmes")]
pub async fn list_programmes(
    state: State,
    caller: CurrentUser,
    page: Query<PageParams>,
    filter: Query<ProgrammeListParams>,
) -> Result<web::Json<Paginated<ProgrammeResponse>>, ApiError> {
    let page = page.0.to_request()?;
    let f = filter.0;
    let filter = ProgrammeFilter {
        status: f
            .status
            .map(|s| ProgrammeStatus::from(s).as_str().to_owned()),
        managing_organization_id: f.managing_organization_id.map(|o| o.to_string()),
        funder_organization_id: f.funder_organization_id.map(|o| o.to_string()),
        visible_to_user: (!caller.is_admin()).then(|| caller.id().to_owned()),
        updated_since: f.updated_since.map(|t| t.naive_utc()),
    };
    let body = state
        .read(move |conn| {
            let p = programmes::list(conn, &filter, &page)?;
            let next_after = p.next_after.clone();
            let data = responses(conn, p.items)?;
            Ok(Paginated::from_parts(data, next_after.as_deref()))
        })
        .await?;
    Ok(web::Json(body))
}

/// Get a programme.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, description = "The programme.", body = ProgrammeResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/programmes/{id}")]
pub async fn get_programme(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let (body, version) = state
        .read(move |conn| {
            let (row, _) = visible(conn, &caller, &id)?;
            one(conn, row)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Update a programme (its managers); closed programmes cannot change (409).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the programme changed since"),
    ),
    request_body = UpdateProgrammeRequest,
    responses(
        (status = 200, description = "The updated programme.", body = ProgrammeResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/programmes/{id}")]
pub async fn update_programme(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateProgrammeRequest>,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let patch = body.0;
    let (body, version) = state
        .write(move |conn| {
            let (current, a) = visible(conn, &caller, &id)?;
            require_manage(a)?;
            let status = ProgrammeStatus::parse(&current.status).map_err(ApiError::internal)?;
            if status.is_final() {
                return Err(DomainError::InvalidTransition {
                    entity: "programme",
                    action: "edit",
                    from: status.as_str(),
                    allowed: vec![],
                }
                .into());
            }
            let currency = currency_of(&current)?;
            let existing = programmes::funders_of(conn, std::slice::from_ref(&id))?;
            let draft = Draft {
                title: patch
                    .title
                    .map_or_else(|| serde_json::from_str(&current.title), |t| Ok(t.0))
                    .map_err(ApiError::internal)?,
                description: match patch.description {
                    Some(d) => d.map(|d| d.0),
                    None => current
                        .description
                        .as_deref()
                        .map(serde_json::from_str)
                        .transpose()
                        .map_err(ApiError::internal)?,
                },
                managing_organization_id: current.managing_organization_id.clone(),
                budget: patch
                    .budget
                    .unwrap_or_else(|| Money::from_minor(current.budget_minor, currency)),
                starts_on: patch.starts_on.unwrap_or(current.starts_on),
                ends_on: patch.ends_on.unwrap_or(current.ends_on),
                regions: match patch.regions {
                    Some(r) => r,
                    None => serde_json::from_str(&current.regions).map_err(ApiError::internal)?,
                },
                themes: match patch.themes {
                    Some(t) => t,
                    None => serde_json::from_str(&current.themes).map_err(ApiError::internal)?,
                },
                funders: patch.funders.unwrap_or_else(|| {
                    existing
                        .iter()
                        .filter_map(|(f, _)| {
                            Some(FunderInput {
                                organization_id: Uuid::parse_str(&f.organization_id).ok()?,
                                committed: Money::from_minor(f.committed_minor, currency),
                            })
                        })
                        .collect()
                }),
            };
            let (fields, funders) = draft.validate(&id)?;
            check_organizations(conn, &fields.managing_organization_id, &funders)?;
            let row = programmes::update(conn, &current, if_match.0, &fields, now())?;
            programmes::replace_funders(conn, &id, &funders)?;
            audit::record(
                conn,
                Some(caller.id()),
                "programme.update",
                ("programme", &id),
                "updated programme".to_owned(),
            )?;
            one(conn, row)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Applies a state-machine action to a programme.
async fn transition(
    state: State,
    caller: CurrentUser,
    id: Uuid,
    if_match: IfMatch,
    action: ProgrammeAction,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    let id = id.to_string();
    let (body, version) = state
        .write(move |conn| {
            let (current, a) = visible(conn, &caller, &id)?;
            require_manage(a)?;
            let to = ProgrammeStatus::parse(&current.status)
                .map_err(ApiError::internal)?
                .apply(action)?;
            let row = programmes::set_status(conn, &current, if_match.0, to.as_str(), now())?;
            let summary = format!("{} → {}", current.status, to.as_str());
            audit::record(
                conn,
                Some(caller.id()),
                &format!("programme.{}", action.as_str()),
                ("programme", &id),
                summary,
            )?;
            one(conn, row)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Activate a draft programme (its managers): calls can then be published.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Now active.", body = ProgrammeResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/programmes/{id}/activate")]
pub async fn activate_programme(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    transition(
        state,
        caller,
        id.into_inner(),
        if_match,
        ProgrammeAction::Activate,
    )
    .await
}

/// Close an active programme (its managers).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Now closed.", body = ProgrammeResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/programmes/{id}/close")]
pub async fn close_programme(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ProgrammeResponse>, ApiError> {
    transition(
        state,
        caller,
        id.into_inner(),
        if_match,
        ProgrammeAction::Close,
    )
    .await
}
