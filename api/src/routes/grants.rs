//! Awards and grants. The programme's managers award or reject applications of a closed call
//! (an award creates the grant in the same transaction and may not take the call's awards over
//! its envelope), then decide the call. Grants are read by the grantee, its mentor organisation,
//! and the programme's managing and funding organisations; the managers suspend, resume,
//! complete, terminate and amend them (amendments are kept as history).

use crate::audit;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::legacy_access::Standing;
use crate::response::{PageParams, Paginated, Tagged, utc};
use crate::routes::applications::{BudgetLine, budget_lines, parse_budget_lines};
use crate::routes::programmes::currency_of;
use crate::routes::reviews::manages_call;
use crate::state::{State, now};
use crate::wire::{GrantStatus as WireStatus, LocalizedText, Money, from_json, json};
use actix_web::{get, patch, post, web};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::application::{ApplicationAction, ApplicationStatus};
use seriktes_domain::call::{CallAction, CallStatus};
use seriktes_domain::grant::{GrantAction, GrantStatus};
use seriktes_domain::membership::{OrgActor, OrgRole};
use seriktes_domain::money::{Currency, Money as DomainMoney};
use seriktes_domain::{DomainError, FieldError, Validator};
use seriktes_persistence::applications::{self, ApplicationRow};
use seriktes_persistence::calls::{self, CallRow};
use seriktes_persistence::grants::{
    self, AmendmentRow, DisbursementRow, GrantChanges, GrantFilter, GrantRow,
};
use seriktes_persistence::{DbConn, StoreError, organizations, programmes};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An award decision's details.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2026-04-01", "mentor_organization_id": "0193a0c4-8000-7000-8000-0000000000a1"}))]
pub struct AwardRequest {
    /// The amount awarded (default: the amount requested; never more).
    pub amount: Option<Money>,
    /// First day of the grant; it runs for the application's duration.
    pub starts_on: NaiveDate,
    /// The organisation that mentors the grantee.
    pub mentor_organization_id: Option<Uuid>,
}

/// A grant.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-e000-7000-8000-000000000001", "application_id": "0193a0c4-c000-7000-8000-000000000001",
    "call_id": "0193a0c4-b000-7000-8000-000000000001", "programme_id": "0193a0c4-a000-7000-8000-000000000001",
    "grantee_organization_id": "0193a0c4-8000-7000-8000-000000000001",
    "mentor_organization_id": "0193a0c4-8000-7000-8000-0000000000a1",
    "amount": {"amount": "3846.00", "currency": "EUR"}, "starts_on": "2026-04-01", "ends_on": "2027-03-31",
    "budget_lines": [{"category": "staff", "description": "Lawyer", "amount": {"amount": "3846.00", "currency": "EUR"}}],
    "committed": {"amount": "3846.00", "currency": "EUR"}, "paid": {"amount": "1923.00", "currency": "EUR"},
    "status": "active", "allowed_actions": ["suspend", "complete", "terminate"],
    "created_at": "2026-03-20T09:00:00Z", "updated_at": "2026-03-20T09:00:00Z"
}))]
pub struct GrantResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The awarded application.
    #[schema(format = Uuid)]
    pub application_id: String,
    /// The call.
    #[schema(format = Uuid)]
    pub call_id: String,
    /// The programme.
    #[schema(format = Uuid)]
    pub programme_id: String,
    /// The grantee.
    #[schema(format = Uuid)]
    pub grantee_organization_id: String,
    /// The mentor organisation.
    #[schema(format = Uuid)]
    pub mentor_organization_id: Option<String>,
    /// Amount.
    pub amount: Money,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Budget lines.
    pub budget_lines: Vec<BudgetLine>,
    /// Total of tranches not cancelled.
    pub committed: Money,
    /// Total of tranches paid.
    pub paid: Money,
    /// Status.
    pub status: WireStatus,
    /// Actions the caller may take now.
    pub allowed_actions: Vec<String>,
    /// When awarded.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// The outcome of deciding a call.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"call_id": "0193a0c4-b000-7000-8000-000000000001", "status": "decided", "awarded": 17, "rejected": 6, "awarded_total": {"amount": "65382.00", "currency": "EUR"}}))]
pub struct DecisionResponse {
    /// The call.
    #[schema(format = Uuid)]
    pub call_id: String,
    /// Always `decided`.
    pub status: crate::wire::CallStatus,
    /// Applications awarded.
    pub awarded: usize,
    /// Applications rejected (including those still pending, rejected by the decision).
    pub rejected: usize,
    /// Total awarded.
    pub awarded_total: Money,
}

/// A change to a grant's agreement: amount, period or budget, with the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Co-funding from the embassy for a second seminar",
    "amount": {"amount": "4346.00", "currency": "EUR"},
    "budget_lines": [{"category": "staff", "description": "Lawyer", "amount": {"amount": "3846.00", "currency": "EUR"}},
        {"category": "events", "description": "Seminar", "amount": {"amount": "500.00", "currency": "EUR"}}]}))]
pub struct AmendGrantRequest {
    /// Why (required, kept in the history).
    pub reason: String,
    /// New amount; never below the tranches already committed.
    pub amount: Option<Money>,
    /// New first day.
    pub starts_on: Option<NaiveDate>,
    /// New last day.
    pub ends_on: Option<NaiveDate>,
    /// New budget lines; with a new amount they must add up to it.
    pub budget_lines: Option<Vec<BudgetLine>>,
}

/// One amendment.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-e100-7000-8000-000000000001", "grant_id": "0193a0c4-e000-7000-8000-000000000001",
    "reason": "Co-funding for a second seminar", "changes": {"amount": {"from": "3846.00", "to": "4346.00"}},
    "actor_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10", "created_at": "2026-09-01T09:00:00Z"}))]
pub struct AmendmentResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The grant.
    #[schema(format = Uuid)]
    pub grant_id: String,
    /// Why.
    pub reason: String,
    /// `{field: {"from": …, "to": …}}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    /// Who amended.
    #[schema(format = Uuid)]
    pub actor_id: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The mentor of a grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mentor_organization_id": "0193a0c4-8000-7000-8000-0000000000a1"}))]
pub struct UpdateGrantRequest {
    /// The mentor organisation, or `null` for none.
    pub mentor_organization_id: Option<Uuid>,
}

/// Filters of the grant list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantListParams {
    /// Only grants of this programme.
    pub programme_id: Option<Uuid>,
    /// Only grants of this call.
    pub call_id: Option<Uuid>,
    /// Only this grantee.
    pub grantee_organization_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<WireStatus>,
    /// Only grants changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

/// The caller's standing towards a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GrantAccess {
    /// Admins; owners and managers of the managing organisation.
    Manage,
    /// Accountants of the managing organisation: read, and pay approved tranches.
    Accountant,
    /// Grantee, mentor, funder and other managing-organisation members.
    Read,
}

/// The caller's access to a grant, from their standing, the programme's managing organisation
/// and its funders; `None` when they may not see it.
fn access_in(
    standing: &Standing,
    grant: &GrantRow,
    managing: &str,
    funders: &[String],
) -> Option<GrantAccess> {
    match standing.actor(managing) {
        Some(a) if a.can_edit_organization() => return Some(GrantAccess::Manage),
        Some(OrgActor::Member(OrgRole::Accountant)) => return Some(GrantAccess::Accountant),
        Some(_) => return Some(GrantAccess::Read),
        None => {}
    }
    let sees = standing.actor(&grant.grantee_organization_id).is_some()
        || grant
            .mentor_organization_id
            .as_deref()
            .is_some_and(|m| standing.actor(m).is_some())
        || funders.iter().any(|f| standing.actor(f).is_some());
    sees.then_some(GrantAccess::Read)
}

/// The caller's access to one grant; 404 when they may not see it.
pub(crate) fn access(
    conn: &mut DbConn,
    caller: &CurrentUser,
    grant: &GrantRow,
) -> Result<GrantAccess, ApiError> {
    let standing = Standing::load(conn, caller)?;
    let programme = programmes::find(conn, &grant.programme_id)?;
    let funders: Vec<String> = programmes::funders_of(conn, std::slice::from_ref(&programme.id))?
        .into_iter()
        .map(|(f, _)| f.organization_id)
        .collect();
    access_in(
        &standing,
        grant,
        &programme.managing_organization_id,
        &funders,
    )
    .ok_or(ApiError::NotFound)
}

pub(crate) fn require_manage(a: GrantAccess) -> Result<(), ApiError> {
    if a == GrantAccess::Manage {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only admins and the programme's managers may do this.".to_owned(),
        ))
    }
}

pub(crate) fn grant_currency(g: &GrantRow) -> Result<Currency, ApiError> {
    Currency::parse(&g.currency).map_err(ApiError::internal)
}

/// Sums of a grant's tranches: (not cancelled, paid), minor units.
pub(crate) fn tranche_totals(conn: &mut DbConn, grant_id: &str) -> Result<(i64, i64), ApiError> {
    Ok(totals(grants::disbursements_of(conn, grant_id)?.iter()))
}

/// Sums of tranches: (not cancelled, paid), minor units.
fn totals<'a>(rows: impl Iterator<Item = &'a DisbursementRow> + Clone) -> (i64, i64) {
    let committed = rows
        .clone()
        .filter(|d| d.status != "cancelled")
        .map(|d| d.amount_minor)
        .sum();
    let paid = rows
        .filter(|d| d.status == "paid")
        .map(|d| d.amount_minor)
        .sum();
    (committed, paid)
}

fn response(
    conn: &mut DbConn,
    row: GrantRow,
    access: GrantAccess,
) -> Result<GrantResponse, ApiError> {
    let sums = tranche_totals(conn, &row.id)?;
    response_with(row, access, sums)
}

fn response_with(
    row: GrantRow,
    access: GrantAccess,
    (committed, paid): (i64, i64),
) -> Result<GrantResponse, ApiError> {
    let currency = grant_currency(&row)?;
    let status = GrantStatus::parse(&row.status).map_err(ApiError::internal)?;
    Ok(GrantResponse {
        amount: Money::from_minor(row.amount_minor, currency),
        budget_lines: budget_lines(&row.budget_lines, currency)?,
        committed: Money::from_minor(committed, currency),
        paid: Money::from_minor(paid, currency),
        allowed_actions: if access == GrantAccess::Manage {
            status
                .allowed_actions()
                .into_iter()
                .map(str::to_owned)
                .collect()
        } else {
            Vec::new()
        },
        status: status.into(),
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        id: row.id,
        application_id: row.application_id,
        call_id: row.call_id,
        programme_id: row.programme_id,
        grantee_organization_id: row.grantee_organization_id,
        mentor_organization_id: row.mentor_organization_id,
    })
}

fn tagged(
    conn: &mut DbConn,
    row: GrantRow,
    access: GrantAccess,
) -> Result<(GrantResponse, i64), ApiError> {
    let version = row.version;
    Ok((response(conn, row, access)?, version))
}

/// Loads an application of a call the caller manages, with the call (404 otherwise).
fn managed_application(
    conn: &mut DbConn,
    caller: &CurrentUser,
    id: &str,
) -> Result<(ApplicationRow, CallRow), ApiError> {
    let app = applications::find(conn, id)?;
    let call = calls::find(conn, &app.call_id)?;
    if app.status == "draft" || !manages_call(conn, caller, &call)? {
        return Err(ApiError::NotFound);
    }
    Ok((app, call))
}

/// Awards and rejections happen while the call is closed: after the deadline, before the decision.
fn require_closed(call: &CallRow) -> Result<(), ApiError> {
    let status = CallStatus::parse(&call.status)
        .map_err(ApiError::internal)?
        .effective(&call.closes_at, &now());
    if status == CallStatus::Closed {
        Ok(())
    } else {
        Err(ApiError::Conflict {
            detail: format!(
                "The call is {}; awards are made after it closes and before it is decided.",
                status.as_str()
            ),
            errors: Vec::new(),
            current_state: Some(status.as_str().to_owned()),
            allowed_actions: Some(
                status
                    .allowed_actions()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            ),
        })
    }
}

fn check_mentor(conn: &mut DbConn, mentor: Option<&str>) -> Result<(), ApiError> {
    match mentor.map(|m| organizations::find(conn, m)) {
        Some(Err(StoreError::NotFound)) => Err(ApiError::invalid(
            "mentor_organization_id",
            "exists",
            "no organisation has this id",
        )),
        Some(Err(e)) => Err(e.into()),
        _ => Ok(()),
    }
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(award_application)
        .service(reject_application)
        .service(list_grants)
        .service(get_grant)
        .service(update_grant)
        .service(suspend_grant)
        .service(resume_grant)
        .service(complete_grant)
        .service(terminate_grant)
        .service(amend_grant)
        .service(list_amendments);
}

/// Award an application under review (the programme's managers): creates its grant in the
/// same transaction. The call must be closed and not decided; the call's awards may not
/// exceed its envelope (409 with the figures).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = AwardRequest,
    responses(
        (status = 201, description = "Awarded; the grant is created.", body = GrantResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/applications/{id}/award")]
pub async fn award_application(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    body: Json<AwardRequest>,
) -> Result<Tagged<GrantResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let r = body.0;
    let (body, version) = state
        .write(move |conn| {
            let (app, call) = managed_application(conn, &caller, &id)?;
            require_closed(&call)?;
            calls::lock(conn, &call.id)?;
            let to = ApplicationStatus::parse(&app.status).map_err(ApiError::internal)?.apply(ApplicationAction::Award)?;
            let programme = programmes::find(conn, &call.programme_id)?;
            let currency = currency_of(&programme)?;
            let requested = DomainMoney::from_minor(app.requested_minor, currency);
            let amount = match &r.amount {
                None => requested,
                Some(m) => {
                    let m = m.parse().map_err(|e| ApiError::from(e).under("amount"))?;
                    if m.currency() != currency {
                        return Err(ApiError::invalid("amount.currency", "currency_mismatch", format!("the call's currency is {currency}")));
                    }
                    if m.minor() > requested.minor() {
                        return Err(ApiError::invalid("amount", "exceeds_request", format!("more than the {requested} requested")));
                    }
                    m
                }
            };
            let awarded = grants::total_of_call(conn, &call.id)?;
            let envelope = DomainMoney::from_minor(call.envelope_minor, currency);
            if awarded.saturating_add(amount.minor()) > call.envelope_minor {
                let so_far = DomainMoney::from_minor(awarded, currency);
                return Err(ApiError::conflict(format!(
                    "Awarding {amount} would bring the call's awards to {}, over its envelope of {envelope} ({so_far} awarded so far).",
                    DomainMoney::from_minor(awarded.saturating_add(amount.minor()), currency)
                )));
            }
            let mentor = r.mentor_organization_id.map(|m| m.to_string());
            check_mentor(conn, mentor.as_deref())?;
            let months = u32::try_from(app.duration_months).map_err(ApiError::internal)?;
            let ends_on = r
                .starts_on
                .checked_add_months(Months::new(months))
                .and_then(|d| d.pred_opt())
                .ok_or_else(|| ApiError::invalid("starts_on", "range", "the grant period is out of range"))?;
            let at = now();
            applications::set_status(conn, &app, None, to.as_str(), None, at)?;
            let grant = GrantRow {
                id: Uuid::now_v7().to_string(),
                application_id: app.id.clone(),
                call_id: call.id.clone(),
                programme_id: programme.id.clone(),
                grantee_organization_id: app.applicant_organization_id.clone(),
                mentor_organization_id: mentor,
                currency: currency.as_str().to_owned(),
                amount_minor: amount.minor(),
                starts_on: r.starts_on,
                ends_on,
                budget_lines: app.budget_lines.clone(),
                status: GrantStatus::Active.as_str().to_owned(),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            grants::insert(conn, &grant)?;
            audit::record(conn, Some(caller.id()), "application.award", ("application", &app.id), format!("awarded {amount}"))?;
            audit::record(conn, Some(caller.id()), "grant.create", ("grant", &grant.id), format!("grant of {amount}"))?;
            tagged(conn, grant, GrantAccess::Manage)
        })
        .await?;
    let location = format!("/api/v1/grants/{}", body.id);
    Ok(Tagged::created(body, version, location))
}

/// Reject an application under review (the programme's managers), while the call is closed.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Rejected.", body = crate::routes::applications::ApplicationResponse),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/applications/{id}/reject")]
pub async fn reject_application(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<crate::routes::applications::ApplicationResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let body = state
        .write(move |conn| {
            let (app, call) = managed_application(conn, &caller, &id)?;
            require_closed(&call)?;
            let to = ApplicationStatus::parse(&app.status)
                .map_err(ApiError::internal)?
                .apply(ApplicationAction::Reject)?;
            let row = applications::set_status(conn, &app, None, to.as_str(), None, now())?;
            audit::record(
                conn,
                Some(caller.id()),
                "application.reject",
                ("application", &id),
                "rejected".to_owned(),
            )?;
            crate::routes::applications::reviewer_view(row)
        })
        .await?;
    Ok(web::Json(body))
}

/// Decide a closed call (the programme's managers): applications still pending are rejected,
/// the call becomes `decided`, and its reviews become visible to the managers.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id")),
    responses(
        (status = 200, description = "Decided.", body = DecisionResponse),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/calls/{id}/decide")]
pub async fn decide_call(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<DecisionResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let body = state
        .write(move |conn| {
            let call = calls::find(conn, &id)?;
            if !manages_call(conn, &caller, &call)? {
                return Err(ApiError::NotFound);
            }
            let at = now();
            let to = CallStatus::parse(&call.status)
                .map_err(ApiError::internal)?
                .effective(&call.closes_at, &at)
                .apply(CallAction::Decide)?;
            let (mut awarded, mut rejected) = (0, 0);
            for app in applications::of_call(conn, &id)? {
                let status = ApplicationStatus::parse(&app.status).map_err(ApiError::internal)?;
                let final_status = match status {
                    ApplicationStatus::Submitted => status
                        .apply(ApplicationAction::BeginReview)?
                        .apply(ApplicationAction::Reject)?,
                    ApplicationStatus::UnderReview => status.apply(ApplicationAction::Reject)?,
                    other => other,
                };
                if final_status != status {
                    applications::set_status(conn, &app, None, final_status.as_str(), None, at)?;
                }
                match final_status {
                    ApplicationStatus::Awarded => awarded += 1,
                    ApplicationStatus::Rejected => rejected += 1,
                    _ => {}
                }
            }
            calls::set_status(conn, &call, None, to.as_str(), at)?;
            let programme = programmes::find(conn, &call.programme_id)?;
            let total =
                Money::from_minor(grants::total_of_call(conn, &id)?, currency_of(&programme)?);
            let summary = format!(
                "decided: {awarded} awarded ({} {}), {rejected} rejected",
                total.amount, total.currency
            );
            audit::record(
                conn,
                Some(caller.id()),
                "call.decide",
                ("call", &id),
                summary,
            )?;
            Ok(DecisionResponse {
                call_id: id,
                status: to.into(),
                awarded,
                rejected,
                awarded_total: total,
            })
        })
        .await?;
    Ok(web::Json(body))
}

/// List the grants the caller may see.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(PageParams, GrantListParams),
    responses(
        (status = 200, description = "One page of grants.", body = Paginated<GrantResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/grants")]
pub async fn list_grants(
    state: State,
    caller: CurrentUser,
    page: Query<PageParams>,
    filter: Query<GrantListParams>,
) -> Result<web::Json<Paginated<GrantResponse>>, ApiError> {
    let page = page.0.to_request()?;
    let f = filter.0;
    let filter = GrantFilter {
        visible_to_user: (!caller.is_admin()).then(|| caller.id().to_owned()),
        programme_id: f.programme_id.map(|p| p.to_string()),
        call_id: f.call_id.map(|c| c.to_string()),
        grantee_organization_id: f.grantee_organization_id.map(|o| o.to_string()),
        status: f.status.map(|s| GrantStatus::from(s).as_str().to_owned()),
        updated_since: f.updated_since.map(|t| t.naive_utc()),
    };
    let body = state
        .read(move |conn| {
            // A constant number of queries per page, whatever its size.
            let p = grants::list(conn, &filter, &page)?;
            let next = p.next_after.clone();
            let standing = Standing::load(conn, &caller)?;
            let mut programme_ids: Vec<String> =
                p.items.iter().map(|g| g.programme_id.clone()).collect();
            programme_ids.sort();
            programme_ids.dedup();
            let managing = programmes::managing_of(conn, &programme_ids)?;
            let funders = programmes::funders_of(conn, &programme_ids)?;
            let grant_ids: Vec<String> = p.items.iter().map(|g| g.id.clone()).collect();
            let tranches = grants::disbursements_of_grants(conn, &grant_ids)?;
            let mut data = Vec::with_capacity(p.items.len());
            for row in p.items {
                let managing_org = managing
                    .iter()
                    .find(|(id, _)| *id == row.programme_id)
                    .map(|(_, m)| m.as_str())
                    .unwrap_or_default();
                let programme_funders: Vec<String> = funders
                    .iter()
                    .filter(|(f, _)| f.programme_id == row.programme_id)
                    .map(|(f, _)| f.organization_id.clone())
                    .collect();
                let a = access_in(&standing, &row, managing_org, &programme_funders)
                    .ok_or(ApiError::NotFound)?;
                let sums = totals(tranches.iter().filter(|d| d.grant_id == row.id));
                data.push(response_with(row, a, sums)?);
            }
            Ok(Paginated::from_parts(data, next.as_deref()))
        })
        .await?;
    Ok(web::Json(body))
}

/// Get a grant.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 200, description = "The grant.", body = GrantResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/grants/{id}")]
pub async fn get_grant(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<Tagged<GrantResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let (body, version) = state
        .read(move |conn| {
            let row = grants::find(conn, &id)?;
            let a = access(conn, &caller, &row)?;
            tagged(conn, row, a)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Set or clear a grant's mentor organisation (the programme's managers).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateGrantRequest,
    responses(
        (status = 200, description = "Updated.", body = GrantResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/grants/{id}")]
pub async fn update_grant(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateGrantRequest>,
) -> Result<Tagged<GrantResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let mentor = body.0.mentor_organization_id.map(|m| m.to_string());
    let (body, version) = state
        .write(move |conn| {
            let current = grants::find(conn, &id)?;
            require_manage(access(conn, &caller, &current)?)?;
            check_mentor(conn, mentor.as_deref())?;
            let changes = GrantChanges {
                mentor_organization_id: Some(mentor.clone()),
                ..GrantChanges::default()
            };
            let row = grants::update(conn, &current, if_match.0, &changes, now())?;
            audit::record(
                conn,
                Some(caller.id()),
                "grant.update",
                ("grant", &id),
                format!("mentor → {}", mentor.as_deref().unwrap_or("none")),
            )?;
            tagged(conn, row, GrantAccess::Manage)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

async fn transition(
    state: State,
    caller: CurrentUser,
    id: Uuid,
    if_match: IfMatch,
    action: GrantAction,
) -> Result<Tagged<GrantResponse>, ApiError> {
    let id = id.to_string();
    let (body, version) = state
        .write(move |conn| {
            let current = grants::find(conn, &id)?;
            require_manage(access(conn, &caller, &current)?)?;
            let from = GrantStatus::parse(&current.status).map_err(ApiError::internal)?;
            let to = from.apply(action)?;
            let changes = GrantChanges {
                status: Some(to.as_str().to_owned()),
                ..GrantChanges::default()
            };
            let row = grants::update(conn, &current, if_match.0, &changes, now())?;
            audit::record(
                conn,
                Some(caller.id()),
                &format!("grant.{}", action.as_str()),
                ("grant", &id),
                format!("{} → {}", from.as_str(), to.as_str()),
            )?;
            tagged(conn, row, GrantAccess::Manage)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

macro_rules! grant_action {
    ($fn:ident, $path:literal, $action:expr, $doc:literal, $ok:literal) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "grants",
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Grant id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
            responses(
                (status = 200, description = $ok, body = GrantResponse, headers(("ETag" = String))),
                crate::openapi::AuthErrors,
                (status = 403, response = crate::openapi::Forbidden),
                (status = 404, response = crate::openapi::NotFound),
                (status = 409, response = crate::openapi::InvalidTransition),
                (status = 412, response = crate::openapi::PreconditionFailed),
            )
        )]
        #[post($path)]
        pub async fn $fn(state: State, caller: CurrentUser, id: web::Path<Uuid>, if_match: IfMatch) -> Result<Tagged<GrantResponse>, ApiError> {
            transition(state, caller, id.into_inner(), if_match, $action).await
        }
    };
}

grant_action!(
    suspend_grant,
    "/grants/{id}/suspend",
    GrantAction::Suspend,
    "Suspend an active grant (the programme's managers).",
    "Suspended."
);
grant_action!(
    resume_grant,
    "/grants/{id}/resume",
    GrantAction::Resume,
    "Resume a suspended grant (the programme's managers).",
    "Active again."
);
grant_action!(
    complete_grant,
    "/grants/{id}/complete",
    GrantAction::Complete,
    "Mark an active grant completed (the programme's managers).",
    "Completed."
);
grant_action!(
    terminate_grant,
    "/grants/{id}/terminate",
    GrantAction::Terminate,
    "Terminate an active grant (the programme's managers).",
    "Terminated."
);

/// Amend a grant's amount, period or budget (the programme's managers); the change and its
/// reason are kept as history. An amount below the tranches already committed is refused (409).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = AmendGrantRequest,
    responses(
        (status = 201, description = "Amended; the amendment is returned.", body = AmendmentResponse),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/grants/{id}/amendments")]
pub async fn amend_grant(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<AmendGrantRequest>,
) -> Result<(web::Json<AmendmentResponse>, actix_web::http::StatusCode), ApiError> {
    let id = id.into_inner().to_string();
    let r = body.0;
    let body = state
        .write(move |conn| {
            grants::lock(conn, &id)?;
            let current = grants::find(conn, &id)?;
            require_manage(access(conn, &caller, &current)?)?;
            let status = GrantStatus::parse(&current.status).map_err(ApiError::internal)?;
            if status.is_final() {
                return Err(DomainError::InvalidTransition { entity: "grant", action: "amend", from: status.as_str(), allowed: vec![] }.into());
            }
            let currency = grant_currency(&current)?;
            let mut v = Validator::new();
            let reason = v.check("reason", seriktes_domain::user::parse_line(&r.reason, 2000));
            let amount = v.check_opt("amount", r.amount.as_ref(), Money::parse).flatten();
            if amount.is_some_and(|a| a.currency() != currency) {
                v.push(FieldError::new("amount.currency", "currency_mismatch", format!("the grant's currency is {currency}")));
            }
            let lines = r.budget_lines.map(|l| parse_budget_lines(&mut v, l, currency));
            let starts_on = r.starts_on.unwrap_or(current.starts_on);
            let ends_on = r.ends_on.unwrap_or(current.ends_on);
            if ends_on < starts_on {
                v.push(FieldError::new("ends_on", "after", "ends_on may not be before starts_on"));
            }
            if amount.is_none() && lines.is_none() && r.starts_on.is_none() && r.ends_on.is_none() {
                v.push(FieldError::new("", "required", "change at least one of amount, starts_on, ends_on, budget_lines"));
            }
            let new_amount = amount.map_or(current.amount_minor, |a| a.minor());
            if amount.is_some() || lines.is_some() {
                let total: i64 = match &lines {
                    Some(l) => l.iter().map(|l| l.amount_minor).sum(),
                    None => from_json::<Vec<crate::routes::applications::StoredLine>>(&current.budget_lines)?.iter().map(|l| l.amount_minor).sum(),
                };
                if total != new_amount {
                    v.push(FieldError::new(
                        "budget_lines",
                        "budget_total",
                        format!(
                            "the budget lines total {}, not the amount {}",
                            DomainMoney::from_minor(total, currency),
                            DomainMoney::from_minor(new_amount, currency)
                        ),
                    ));
                }
            }
            v.finish()?;
            let (committed, _) = tranche_totals(conn, &id)?;
            if new_amount < committed {
                return Err(ApiError::conflict(format!(
                    "The new amount {} is below the {} already committed in tranches; cancel tranches first.",
                    DomainMoney::from_minor(new_amount, currency),
                    DomainMoney::from_minor(committed, currency)
                )));
            }
            let mut diff = serde_json::Map::new();
            let mut note = |field: &str, from: serde_json::Value, to: serde_json::Value| {
                if from != to {
                    diff.insert(field.to_owned(), serde_json::json!({"from": from, "to": to}));
                }
            };
            note("amount", DomainMoney::from_minor(current.amount_minor, currency).amount_string().into(), DomainMoney::from_minor(new_amount, currency).amount_string().into());
            note("starts_on", current.starts_on.to_string().into(), starts_on.to_string().into());
            note("ends_on", current.ends_on.to_string().into(), ends_on.to_string().into());
            let new_lines = lines.as_ref().map(json);
            if let Some(l) = &new_lines {
                note("budget_lines", from_json(&current.budget_lines)?, from_json(l)?);
            }
            let changes = GrantChanges {
                amount_minor: Some(new_amount),
                starts_on: Some(starts_on),
                ends_on: Some(ends_on),
                budget_lines: new_lines,
                ..GrantChanges::default()
            };
            grants::update(conn, &current, if_match.0, &changes, now())?;
            let amendment = AmendmentRow {
                id: Uuid::now_v7().to_string(),
                grant_id: id.clone(),
                reason: reason.unwrap_or_default(),
                changes: serde_json::Value::Object(diff).to_string(),
                actor_id: Some(caller.id().to_owned()),
                created_at: now(),
            };
            grants::insert_amendment(conn, &amendment)?;
            audit::record(conn, Some(caller.id()), "grant.amend", ("grant", &id), amendment.reason.clone())?;
            amendment_response(amendment)
        })
        .await?;
    Ok((web::Json(body), actix_web::http::StatusCode::CREATED))
}

fn amendment_response(a: AmendmentRow) -> Result<AmendmentResponse, ApiError> {
    Ok(AmendmentResponse {
        changes: from_json(&a.changes)?,
        created_at: utc(a.created_at),
        id: a.id,
        grant_id: a.grant_id,
        reason: a.reason,
        actor_id: a.actor_id,
    })
}

/// A grant's amendments, oldest first.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 200, description = "The history.", body = Vec<AmendmentResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/grants/{id}/amendments")]
pub async fn list_amendments(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<AmendmentResponse>>, ApiError> {
    let id = id.into_inner().to_string();
    let body = state
        .read(move |conn| {
            let grant = grants::find(conn, &id)?;
            access(conn, &caller, &grant)?;
            grants::amendments(conn, &id)?
                .into_iter()
                .map(amendment_response)
                .collect()
        })
        .await?;
    Ok(web::Json(body))
}

/// A grant as published to everyone: what donors publish anyway (IATI, 360Giving).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-e000-7000-8000-000000000001",
    "grantee": {"id": "0193a0c4-8000-7000-8000-000000000001", "name": {"en": "Shymkent Legal Aid"}},
    "amount": {"amount": "3846.00", "currency": "EUR"}, "starts_on": "2026-04-01", "ends_on": "2027-03-31",
    "status": "active",
    "programme": {"id": "0193a0c4-a000-7000-8000-000000000001", "name": {"en": "Empowering South Kazakhstan CSOs"}},
    "funders": [{"id": "0193a0c4-8000-7000-8000-0000000000e1", "name": {"en": "EU Delegation"}}]
}))]
pub struct PublicGrant {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The grantee.
    pub grantee: NamedRef,
    /// Amount.
    pub amount: Money,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Status.
    pub status: WireStatus,
    /// The programme.
    pub programme: NamedRef,
    /// The programme's funders.
    pub funders: Vec<NamedRef>,
}

/// An id with a multilingual name.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-8000-7000-8000-0000000000e1", "name": {"en": "EU Delegation"}}))]
pub struct NamedRef {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Name or title.
    pub name: LocalizedText,
}

/// Filters of the public grant list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicGrantParams {
    /// Only grants of this programme.
    pub programme_id: Option<Uuid>,
}

/// Awarded grants, for anyone: grantee, amount, period, programme and funders.
#[utoipa::path(
    tag = "public",
    params(PageParams, PublicGrantParams),
    responses(
        (status = 200, description = "One page of grants.", body = Paginated<PublicGrant>),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 503, response = crate::openapi::ServiceUnavailable),
    )
)]
#[get("/public/grants")]
pub async fn list_public_grants(
    state: State,
    page: Query<PageParams>,
    filter: Query<PublicGrantParams>,
) -> Result<web::Json<Paginated<PublicGrant>>, ApiError> {
    let page = page.0.to_request()?;
    let programme_id = filter.0.programme_id.map(|p| p.to_string());
    let body = state
        .read(move |conn| {
            let p = grants::list_public(conn, programme_id.as_deref(), &page)?;
            let next = p.next_after.clone();
            let grantee_ids: Vec<String> = p
                .items
                .iter()
                .map(|g| g.grantee_organization_id.clone())
                .collect();
            let names = organizations::names(conn, &grantee_ids)?;
            let mut programme_ids: Vec<String> =
                p.items.iter().map(|g| g.programme_id.clone()).collect();
            programme_ids.sort();
            programme_ids.dedup();
            let funders = programmes::funders_of(conn, &programme_ids)?;
            let mut titles = Vec::new();
            for pid in &programme_ids {
                titles.push((pid.clone(), programmes::find(conn, pid)?.title));
            }
            let name_of =
                |list: &[(String, String)], id: &str| -> Result<LocalizedText, ApiError> {
                    let text = list
                        .iter()
                        .find(|(i, _)| i == id)
                        .map(|(_, n)| n.as_str())
                        .unwrap_or("{}");
                    Ok(LocalizedText(from_json(text)?))
                };
            let data = p
                .items
                .into_iter()
                .map(|g| {
                    let currency = grant_currency(&g)?;
                    Ok(PublicGrant {
                        grantee: NamedRef {
                            name: name_of(&names, &g.grantee_organization_id)?,
                            id: g.grantee_organization_id.clone(),
                        },
                        amount: Money::from_minor(g.amount_minor, currency),
                        starts_on: g.starts_on,
                        ends_on: g.ends_on,
                        status: GrantStatus::parse(&g.status)
                            .map_err(ApiError::internal)?
                            .into(),
                        programme: NamedRef {
                            name: name_of(&titles, &g.programme_id)?,
                            id: g.programme_id.clone(),
                        },
                        funders: funders
                            .iter()
                            .filter(|(f, _)| f.programme_id == g.programme_id)
                            .map(|(f, name)| {
                                Ok(NamedRef {
                                    id: f.organization_id.clone(),
                                    name: LocalizedText(from_json(name)?),
                                })
                            })
                            .collect::<Result<_, ApiError>>()?,
                        id: g.id,
                    })
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            Ok(Paginated::from_parts(data, next.as_deref()))
        })
        .await?;
    Ok(web::Json(body))
}
