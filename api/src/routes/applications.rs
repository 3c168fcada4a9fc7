//! Applications: an NGO's proposal to a call. The applicant's owners and managers draft, edit,
//! submit and withdraw it; its members read it. Once submitted, the programme's managers, the
//! owners and managers of its funders (DESIGN: donor managers see "the applications to them")
//! and the call's committee read it too. Anyone else gets 404.

use crate::audit;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged, utc};
use crate::routes::organizations::{Standing, actor_for};
use crate::routes::programmes::currency_of;
use crate::state::{State, now};
use crate::wire::{ApplicationStatus as WireStatus, LocalizedText, Money, from_json, json};
use actix_web::{get, patch, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::application::{
    ApplicationAction, ApplicationStatus, Submission, check_submission,
};
use seriktes_domain::call::CallStatus;
use seriktes_domain::geo::RegionCode;
use seriktes_domain::membership::OrgActor;
use seriktes_domain::money::{Currency, Money as DomainMoney};
use seriktes_domain::organization::OrganizationKind;
use seriktes_domain::text::LocalizedText as Text;
use seriktes_domain::user::parse_line;
use seriktes_domain::{DomainError, FieldError, Validator};
use seriktes_persistence::applications::{
    self, ApplicationFields, ApplicationFilter, ApplicationRow, NewApplicationRow,
};
use seriktes_persistence::calls::{self, CallRow};
use seriktes_persistence::{DbConn, StoreError, organizations, programmes};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const MAX_TITLE: usize = 500;
const MAX_SUMMARY: usize = 10_000;
const MAX_LINES: usize = 100;

/// One line of an application's budget.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "staff", "description": "Project coordinator, 12 months", "amount": {"amount": "2400.00", "currency": "EUR"}}))]
pub struct BudgetLine {
    /// Category, e.g. `staff`, `travel`, `events`, `equipment`, `communication`, `other`.
    pub category: String,
    /// What the money pays for.
    pub description: String,
    /// The amount, in the call's currency.
    pub amount: Money,
}

/// An application.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-c000-7000-8000-000000000001", "call_id": "0193a0c4-b000-7000-8000-000000000001",
    "applicant_organization_id": "0193a0c4-8000-7000-8000-000000000001",
    "title": {"en": "Legal aid for rural women"}, "summary": {"en": "Mobile legal clinics in three districts."},
    "requested": {"amount": "3846.00", "currency": "EUR"}, "duration_months": 12,
    "regions": ["KZ-61"], "target_groups": ["rural women"],
    "budget_lines": [{"category": "staff", "description": "Lawyer", "amount": {"amount": "3846.00", "currency": "EUR"}}],
    "partner_organization_ids": [], "status": "draft", "allowed_actions": ["submit", "withdraw"],
    "submitted_at": null, "created_at": "2026-02-10T09:00:00Z", "updated_at": "2026-02-10T09:00:00Z"
}))]
pub struct ApplicationResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The call.
    #[schema(format = Uuid)]
    pub call_id: String,
    /// The applying organisation.
    #[schema(format = Uuid)]
    pub applicant_organization_id: String,
    /// Title.
    pub title: LocalizedText,
    /// Summary.
    pub summary: LocalizedText,
    /// Amount requested.
    pub requested: Money,
    /// Project duration, months.
    pub duration_months: i32,
    /// Regions the project works in.
    pub regions: Vec<String>,
    /// Target groups.
    pub target_groups: Vec<String>,
    /// Budget lines; they must add up to `requested` to submit.
    pub budget_lines: Vec<BudgetLine>,
    /// Partner organisations.
    pub partner_organization_ids: Vec<String>,
    /// Status.
    pub status: WireStatus,
    /// What the caller may do now (`submit`, `withdraw`).
    pub allowed_actions: Vec<String>,
    /// When submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new application (a draft).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "applicant_organization_id": "0193a0c4-8000-7000-8000-000000000001",
    "title": {"en": "Legal aid for rural women"}, "summary": {"en": "Mobile legal clinics in three districts."},
    "requested": {"amount": "3846.00", "currency": "EUR"}, "duration_months": 12,
    "regions": ["KZ-61"], "target_groups": ["rural women"],
    "budget_lines": [{"category": "staff", "description": "Lawyer", "amount": {"amount": "3846.00", "currency": "EUR"}}]
}))]
pub struct CreateApplicationRequest {
    /// The applying organisation; the caller must own or manage it.
    pub applicant_organization_id: Uuid,
    /// Title.
    pub title: LocalizedText,
    /// Summary.
    pub summary: LocalizedText,
    /// Amount requested, in the call's currency.
    pub requested: Money,
    /// Project duration, months.
    pub duration_months: i32,
    /// Regions the project works in.
    pub regions: Option<Vec<String>>,
    /// Target groups.
    pub target_groups: Option<Vec<String>>,
    /// Budget lines.
    pub budget_lines: Option<Vec<BudgetLine>>,
    /// Partner organisations.
    pub partner_organization_ids: Option<Vec<Uuid>>,
}

/// Changes to a draft application; absent fields stay, lists are replaced.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"duration_months": 12}))]
pub struct UpdateApplicationRequest {
    /// New title.
    pub title: Option<LocalizedText>,
    /// New summary.
    pub summary: Option<LocalizedText>,
    /// New amount.
    pub requested: Option<Money>,
    /// New duration.
    pub duration_months: Option<i32>,
    /// New regions.
    pub regions: Option<Vec<String>>,
    /// New target groups.
    pub target_groups: Option<Vec<String>>,
    /// New budget lines.
    pub budget_lines: Option<Vec<BudgetLine>>,
    /// New partners.
    pub partner_organization_ids: Option<Vec<Uuid>>,
}

/// Filters of the application list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationListParams {
    /// Only applications to this call.
    pub call_id: Option<Uuid>,
    /// Only this applicant.
    pub applicant_organization_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<WireStatus>,
    /// Only applications changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

/// A budget line as stored (applications and grants share the form).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredLine {
    pub(crate) category: String,
    pub(crate) description: String,
    pub(crate) amount_minor: i64,
}

/// The wire form of stored budget lines.
pub(crate) fn budget_lines(stored: &str, currency: Currency) -> Result<Vec<BudgetLine>, ApiError> {
    let lines: Vec<StoredLine> = from_json(stored)?;
    Ok(lines
        .into_iter()
        .map(|l| BudgetLine {
            category: l.category,
            description: l.description,
            amount: Money::from_minor(l.amount_minor, currency),
        })
        .collect())
}

/// Validates budget lines in `currency`, returning the stored form.
pub(crate) fn parse_budget_lines(
    v: &mut Validator,
    lines: Vec<BudgetLine>,
    currency: Currency,
) -> Vec<StoredLine> {
    if lines.len() > MAX_LINES {
        v.push(FieldError::new(
            "budget_lines",
            "max_items",
            format!("at most {MAX_LINES} lines"),
        ));
    }
    let mut out = Vec::new();
    for (i, l) in lines.into_iter().enumerate() {
        let category = v.check(
            &format!("budget_lines.{i}.category"),
            parse_line(&l.category, 100),
        );
        let description = v.check(
            &format!("budget_lines.{i}.description"),
            parse_line(&l.description, 1000),
        );
        let amount = v.check(&format!("budget_lines.{i}.amount"), l.amount.parse());
        if amount.is_some_and(|a| a.currency() != currency) {
            v.push(FieldError::new(
                format!("budget_lines.{i}.amount.currency"),
                "currency_mismatch",
                format!("the currency is {currency}"),
            ));
        }
        if let (Some(category), Some(description), Some(amount)) = (category, description, amount) {
            out.push(StoredLine {
                category,
                description,
                amount_minor: amount.minor(),
            });
        }
    }
    out
}

/// The editable fields before validation.
struct Draft {
    title: BTreeMap<String, String>,
    summary: BTreeMap<String, String>,
    requested: Money,
    duration_months: i32,
    regions: Vec<String>,
    target_groups: Vec<String>,
    budget_lines: Vec<BudgetLine>,
    partners: Vec<Uuid>,
}

impl Draft {
    /// Shape checks that hold for every draft; the call's rules are checked on submit.
    fn validate(
        self,
        currency: Currency,
        applicant: &str,
    ) -> Result<ApplicationFields, DomainError> {
        let mut v = Validator::new();
        let title = v.check("title", Text::parse(self.title, MAX_TITLE));
        let summary = v.check("summary", Text::parse(self.summary, MAX_SUMMARY));
        let requested = v.check("requested", self.requested.parse());
        if requested.is_some_and(|r| r.currency() != currency) {
            v.push(FieldError::new(
                "requested.currency",
                "currency_mismatch",
                format!("the call's currency is {currency}"),
            ));
        }
        if !(1..=120).contains(&self.duration_months) {
            v.push(FieldError::new(
                "duration_months",
                "range",
                "between 1 and 120 months",
            ));
        }
        let mut regions: Vec<String> = Vec::new();
        for (i, r) in self.regions.iter().enumerate() {
            if let Some(r) = v.check(&format!("regions.{i}"), RegionCode::parse(r))
                && !regions.iter().any(|x| x == r.as_str())
            {
                regions.push(r.as_str().to_owned());
            }
        }
        let mut groups = Vec::new();
        for (i, g) in self.target_groups.iter().enumerate() {
            if let Some(g) = v.check(&format!("target_groups.{i}"), parse_line(g, 200)) {
                groups.push(g);
            }
        }
        let lines = parse_budget_lines(&mut v, self.budget_lines, currency);
        let mut partners: Vec<String> = Vec::new();
        for (i, p) in self.partners.iter().enumerate() {
            let p = p.to_string();
            if p == applicant {
                v.push(FieldError::new(
                    format!("partner_organization_ids.{i}"),
                    "not_applicant",
                    "the applicant cannot be its own partner",
                ));
            } else if !partners.contains(&p) {
                partners.push(p);
            }
        }
        v.finish()?;
        let fields = (|| {
            Some(ApplicationFields {
                title: json(title?.translations()),
                summary: json(summary?.translations()),
                currency: currency.as_str().to_owned(),
                requested_minor: requested?.minor(),
                duration_months: self.duration_months,
                regions: json(&regions),
                target_groups: json(&groups),
                budget_lines: json(&lines),
                partner_organization_ids: json(&partners),
            })
        })();
        Validator::new().finish_with(fields)
    }

    fn from_row(row: &ApplicationRow, currency: Currency) -> Result<Self, ApiError> {
        let partners: Vec<String> = from_json(&row.partner_organization_ids)?;
        Ok(Self {
            title: from_json(&row.title)?,
            summary: from_json(&row.summary)?,
            requested: Money::from_minor(row.requested_minor, currency),
            duration_months: row.duration_months,
            regions: from_json(&row.regions)?,
            target_groups: from_json(&row.target_groups)?,
            budget_lines: budget_lines(&row.budget_lines, currency)?,
            partners: partners
                .iter()
                .filter_map(|p| Uuid::parse_str(p).ok())
                .collect(),
        })
    }

    fn apply(mut self, p: UpdateApplicationRequest) -> Self {
        if let Some(t) = p.title {
            self.title = t.0;
        }
        if let Some(s) = p.summary {
            self.summary = s.0;
        }
        self.requested = p.requested.unwrap_or(self.requested);
        self.duration_months = p.duration_months.unwrap_or(self.duration_months);
        self.regions = p.regions.unwrap_or(self.regions);
        self.target_groups = p.target_groups.unwrap_or(self.target_groups);
        self.budget_lines = p.budget_lines.unwrap_or(self.budget_lines);
        self.partners = p.partner_organization_ids.unwrap_or(self.partners);
        self
    }
}

/// How the caller relates to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Admin, or owner/manager of the applicant: may edit, submit, withdraw.
    Applicant,
    /// Another member of the applicant: reads.
    ApplicantMember,
    /// Manager of the programme, or committee member: reads once submitted.
    Reviewer,
}

/// What decides who sees an application beyond its applicant: the call's programme's managing
/// organisation, its funders, and the call's committee.
struct CallCircle {
    managing: String,
    funders: Vec<String>,
    committee: Vec<String>,
}

impl CallCircle {
    fn load(conn: &mut DbConn, call: &CallRow) -> Result<Self, ApiError> {
        let programme = programmes::find(conn, &call.programme_id)?;
        let funders = programmes::funders_of(conn, std::slice::from_ref(&programme.id))?;
        let committee = calls::committee_of(conn, std::slice::from_ref(&call.id))?;
        Ok(Self {
            managing: programme.managing_organization_id,
            funders: funders
                .into_iter()
                .map(|(f, _)| f.organization_id)
                .collect(),
            committee: committee.into_iter().map(|(_, u)| u).collect(),
        })
    }
}

/// The caller's role for an application, from their standing; `None` when they may not see it.
fn role_in(
    standing: &Standing,
    caller: &CurrentUser,
    app: &ApplicationRow,
    circle: &CallCircle,
) -> Option<Role> {
    match standing.actor(&app.applicant_organization_id) {
        Some(a) if a.can_edit_organization() => return Some(Role::Applicant),
        Some(OrgActor::Member(_)) => return Some(Role::ApplicantMember),
        _ => {}
    }
    if app.submitted_at.is_none() {
        return None;
    }
    let manages = |org: &str| {
        standing
            .actor(org)
            .is_some_and(OrgActor::can_edit_organization)
    };
    let reviews = manages(&circle.managing)
        || circle.funders.iter().any(|f| manages(f))
        || circle.committee.iter().any(|u| u == caller.id());
    reviews.then_some(Role::Reviewer)
}

/// The caller's role for one application; 404 when they may not see it.
fn role(
    conn: &mut DbConn,
    caller: &CurrentUser,
    app: &ApplicationRow,
    call: &CallRow,
) -> Result<Role, ApiError> {
    let standing = Standing::load(conn, caller)?;
    let circle = CallCircle::load(conn, call)?;
    role_in(&standing, caller, app, &circle).ok_or(ApiError::NotFound)
}

fn response(row: ApplicationRow, role: Role) -> Result<ApplicationResponse, ApiError> {
    let currency = Currency::parse(&row.currency).map_err(ApiError::internal)?;
    let status = ApplicationStatus::parse(&row.status).map_err(ApiError::internal)?;
    let draft = Draft::from_row(&row, currency)?;
    let allowed_actions = if role == Role::Applicant {
        status
            .allowed_actions()
            .into_iter()
            .filter(|a| matches!(*a, "submit" | "withdraw"))
            .map(str::to_owned)
            .collect()
    } else {
        Vec::new()
    };
    Ok(ApplicationResponse {
        title: LocalizedText(draft.title),
        summary: LocalizedText(draft.summary),
        requested: draft.requested,
        regions: draft.regions,
        target_groups: draft.target_groups,
        budget_lines: draft.budget_lines,
        partner_organization_ids: draft.partners.iter().map(Uuid::to_string).collect(),
        status: status.into(),
        allowed_actions,
        submitted_at: row.submitted_at.map(utc),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        duration_months: row.duration_months,
        id: row.id,
        call_id: row.call_id,
        applicant_organization_id: row.applicant_organization_id,
    })
}

fn tagged(row: ApplicationRow, role: Role) -> Result<(ApplicationResponse, i64), ApiError> {
    let version = row.version;
    Ok((response(row, role)?, version))
}

/// Checks that partner organisations exist.
fn check_partners(conn: &mut DbConn, fields: &ApplicationFields) -> Result<(), ApiError> {
    let partners: Vec<String> = from_json(&fields.partner_organization_ids)?;
    let mut errors = Vec::new();
    for (i, p) in partners.iter().enumerate() {
        match organizations::find(conn, p) {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                errors.push(FieldError::new(
                    format!("partner_organization_ids.{i}"),
                    "exists",
                    "no organisation has this id",
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn call_status(call: &CallRow, at: NaiveDateTime) -> Result<CallStatus, ApiError> {
    Ok(CallStatus::parse(&call.status)
        .map_err(ApiError::internal)?
        .effective(&call.closes_at, &at))
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_application)
        .service(list_applications)
        .service(get_application)
        .service(update_application)
        .service(submit_application)
        .service(withdraw_application);
}

/// Start an application to an open call (owners and managers of the applicant).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id")),
    request_body = CreateApplicationRequest,
    responses(
        (status = 201, description = "Created as a draft; `Location` names it.", body = ApplicationResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/calls/{id}/applications")]
pub async fn create_application(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    body: Json<CreateApplicationRequest>,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    let call_id = id.into_inner().to_string();
    let r = body.0;
    let applicant = r.applicant_organization_id.to_string();
    let draft = Draft {
        title: r.title.0,
        summary: r.summary.0,
        requested: r.requested,
        duration_months: r.duration_months,
        regions: r.regions.unwrap_or_default(),
        target_groups: r.target_groups.unwrap_or_default(),
        budget_lines: r.budget_lines.unwrap_or_default(),
        partners: r.partner_organization_ids.unwrap_or_default(),
    };
    let (body, version) = state
        .write(move |conn| {
            let at = now();
            let call = calls::find(conn, &call_id)?;
            let status = call_status(&call, at)?;
            if matches!(status, CallStatus::Draft) {
                return Err(ApiError::NotFound);
            }
            if status != CallStatus::Open {
                return Err(ApiError::conflict(format!(
                    "The call is {}; it no longer accepts applications.",
                    status.as_str()
                )));
            }
            match organizations::find(conn, &applicant) {
                Err(StoreError::NotFound) => {
                    return Err(ApiError::invalid(
                        "applicant_organization_id",
                        "exists",
                        "no organisation has this id",
                    ));
                }
                other => other?,
            };
            if !actor_for(conn, &caller, &applicant)?.is_some_and(OrgActor::can_edit_organization) {
                return Err(ApiError::Forbidden(
                    "Only the applicant's owners and managers may apply for it.".to_owned(),
                ));
            }
            let programme = programmes::find(conn, &call.programme_id)?;
            let fields = draft.validate(currency_of(&programme)?, &applicant)?;
            check_partners(conn, &fields)?;
            let id = Uuid::now_v7().to_string();
            let row = applications::insert(
                conn,
                &NewApplicationRow {
                    id: &id,
                    call_id: &call.id,
                    applicant_organization_id: &applicant,
                    status: "draft",
                    created_at: at,
                    updated_at: at,
                },
                &fields,
            )?;
            audit::record(
                conn,
                Some(caller.id()),
                "application.create",
                ("application", &id),
                format!("drafted application {}", row.title),
            )?;
            tagged(row, Role::Applicant)
        })
        .await?;
    let location = format!("/api/v1/applications/{}", body.id);
    Ok(Tagged::created(body, version, location))
}

/// List the applications the caller may see: their organisations' own, and the submitted
/// applications of calls they manage or review.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(PageParams, ApplicationListParams),
    responses(
        (status = 200, description = "One page of applications.", body = Paginated<ApplicationResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/applications")]
pub async fn list_applications(
    state: State,
    caller: CurrentUser,
    page: Query<PageParams>,
    filter: Query<ApplicationListParams>,
) -> Result<web::Json<Paginated<ApplicationResponse>>, ApiError> {
    let page = page.0.to_request()?;
    let f = filter.0;
    let filter = ApplicationFilter {
        visible_to_user: (!caller.is_admin()).then(|| caller.id().to_owned()),
        call_id: f.call_id.map(|c| c.to_string()),
        applicant_organization_id: f.applicant_organization_id.map(|o| o.to_string()),
        status: f
            .status
            .map(|s| ApplicationStatus::from(s).as_str().to_owned()),
        updated_since: f.updated_since.map(|t| t.naive_utc()),
    };
    let body = state
        .read(move |conn| {
            let p = applications::list(conn, &filter, &page)?;
            let next = p.next_after.clone();
            // Queries per page: one for the caller's standing, a few per distinct call.
            let standing = Standing::load(conn, &caller)?;
            let mut circles: Vec<(String, CallCircle)> = Vec::new();
            let mut data = Vec::with_capacity(p.items.len());
            for row in p.items {
                if !circles.iter().any(|(id, _)| *id == row.call_id) {
                    let call = calls::find(conn, &row.call_id)?;
                    circles.push((row.call_id.clone(), CallCircle::load(conn, &call)?));
                }
                let circle = circles
                    .iter()
                    .find(|(id, _)| *id == row.call_id)
                    .map(|(_, c)| c)
                    .ok_or(ApiError::NotFound)?;
                let role = role_in(&standing, &caller, &row, circle).ok_or(ApiError::NotFound)?;
                data.push(response(row, role)?);
            }
            Ok(Paginated::from_parts(data, next.as_deref()))
        })
        .await?;
    Ok(web::Json(body))
}

/// Get an application.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application.", body = ApplicationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/applications/{id}")]
pub async fn get_application(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let (body, version) = state
        .read(move |conn| {
            let row = applications::find(conn, &id)?;
            let call = calls::find(conn, &row.call_id)?;
            let role = role(conn, &caller, &row, &call)?;
            tagged(row, role)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

fn require_applicant(role: Role) -> Result<(), ApiError> {
    if role == Role::Applicant {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only the applicant's owners and managers may change an application.".to_owned(),
        ))
    }
}

/// Edit a draft application (owners and managers of the applicant).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Application id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the application changed since"),
    ),
    request_body = UpdateApplicationRequest,
    responses(
        (status = 200, description = "The updated draft.", body = ApplicationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/applications/{id}")]
pub async fn update_application(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateApplicationRequest>,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let patch = body.0;
    let (body, version) = state
        .write(move |conn| {
            let current = applications::find(conn, &id)?;
            let call = calls::find(conn, &current.call_id)?;
            require_applicant(role(conn, &caller, &current, &call)?)?;
            let status = ApplicationStatus::parse(&current.status).map_err(ApiError::internal)?;
            if status != ApplicationStatus::Draft {
                return Err(DomainError::InvalidTransition {
                    entity: "application",
                    action: "edit",
                    from: status.as_str(),
                    allowed: status.allowed_actions(),
                }
                .into());
            }
            let currency = Currency::parse(&current.currency).map_err(ApiError::internal)?;
            let fields = Draft::from_row(&current, currency)?
                .apply(patch)
                .validate(currency, &current.applicant_organization_id)?;
            check_partners(conn, &fields)?;
            let row = applications::update(conn, &current, if_match.0, &fields, now())?;
            audit::record(
                conn,
                Some(caller.id()),
                "application.update",
                ("application", &id),
                "edited draft".to_owned(),
            )?;
            tagged(row, Role::Applicant)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// The submission rules for an application to a call, gathered for the domain check.
fn check_rules(
    conn: &mut DbConn,
    app: &ApplicationRow,
    call: &CallRow,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let applicant = organizations::find(conn, &app.applicant_organization_id)?;
    let currency = Currency::parse(&app.currency).map_err(ApiError::internal)?;
    let kinds: Vec<String> = from_json(&call.eligible_kinds)?;
    let kinds: Vec<OrganizationKind> = kinds
        .iter()
        .filter_map(|k| OrganizationKind::parse(k).ok())
        .collect();
    let eligible_regions: Vec<String> = from_json(&call.eligible_regions)?;
    let regions: Vec<String> = from_json(&app.regions)?;
    let lines: Vec<StoredLine> = from_json(&app.budget_lines)?;
    let lines: Vec<DomainMoney> = lines
        .iter()
        .map(|l| DomainMoney::from_minor(l.amount_minor, currency))
        .collect();
    let programme = programmes::find(conn, &call.programme_id)?;
    let call_currency = currency_of(&programme)?;
    Ok(check_submission(&Submission {
        now: &at,
        opens_at: &call.opens_at,
        closes_at: &call.closes_at,
        applicant_kind: OrganizationKind::parse(&applicant.kind).map_err(ApiError::internal)?,
        applicant_region: applicant.region.as_deref(),
        eligible_kinds: &kinds,
        eligible_regions: &eligible_regions,
        regions: &regions,
        requested: DomainMoney::from_minor(app.requested_minor, currency),
        max_award: DomainMoney::from_minor(call.max_award_minor, call_currency),
        duration_months: app.duration_months,
        min_duration_months: call.min_duration_months,
        max_duration_months: call.max_duration_months,
        budget_lines: &lines,
    })?)
}

/// Applies an applicant action (submit or withdraw).
async fn transition(
    state: State,
    caller: CurrentUser,
    id: Uuid,
    if_match: IfMatch,
    action: ApplicationAction,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    let id = id.to_string();
    let (body, version) = state
        .write(move |conn| {
            let at = now();
            let current = applications::find(conn, &id)?;
            let call = calls::find(conn, &current.call_id)?;
            require_applicant(role(conn, &caller, &current, &call)?)?;
            let from = ApplicationStatus::parse(&current.status).map_err(ApiError::internal)?;
            let to = from.apply(action)?;
            let submitted_at = if action == ApplicationAction::Submit {
                check_rules(conn, &current, &call, at)?;
                Some(at)
            } else {
                None
            };
            let row = applications::set_status(
                conn,
                &current,
                if_match.0,
                to.as_str(),
                submitted_at,
                at,
            )?;
            let summary = format!("{} → {}", from.as_str(), to.as_str());
            audit::record(
                conn,
                Some(caller.id()),
                &format!("application.{}", action.as_str()),
                ("application", &id),
                summary,
            )?;
            tagged(row, Role::Applicant)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Submit a draft. Checks the call's window, the applicant's kind and region, the cap, the
/// duration and that the budget lines add up to the amount requested; a 422 names every rule
/// that fails.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Submitted.", body = ApplicationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[post("/applications/{id}/submit")]
pub async fn submit_application(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    transition(
        state,
        caller,
        id.into_inner(),
        if_match,
        ApplicationAction::Submit,
    )
    .await
}

/// Withdraw a draft or submitted application.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Withdrawn.", body = ApplicationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/applications/{id}/withdraw")]
pub async fn withdraw_application(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    transition(
        state,
        caller,
        id.into_inner(),
        if_match,
        ApplicationAction::Withdraw,
    )
    .await
}

/// An application as the programme's managers see it (no applicant actions).
pub(crate) fn reviewer_view(row: ApplicationRow) -> Result<ApplicationResponse, ApiError> {
    response(row, Role::Reviewer)
}
