//! Disbursements: a grant's tranches. The programme's managers plan, approve and cancel them;
//! managers and the managing organisation's accountants record payment. Tranches that are not
//! cancelled may never add up to more than the grant (409 with the figures).

use crate::audit;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::response::{Tagged, utc};
use crate::routes::grants::{GrantAccess, access, grant_currency, require_manage, tranche_totals};
use crate::state::{State, now};
use crate::wire::{DisbursementStatus as WireStatus, Money};
use actix_web::{get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::grant::{DisbursementAction, DisbursementStatus, GrantStatus};
use seriktes_domain::money::Money as DomainMoney;
use seriktes_domain::user::parse_line;
use seriktes_domain::{DomainError, Validator};
use seriktes_persistence::DbConn;
use seriktes_persistence::grants::{self, DisbursementRow, GrantRow};
use utoipa::ToSchema;
use uuid::Uuid;

/// A tranche.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f000-7000-8000-000000000001", "grant_id": "0193a0c4-e000-7000-8000-000000000001",
    "amount": {"amount": "1923.00", "currency": "EUR"}, "planned_on": "2026-04-15",
    "condition": null, "status": "paid", "paid_on": "2026-04-16", "payment_reference": "KZ-2026-0416-17",
    "allowed_actions": [], "created_at": "2026-03-20T09:00:00Z", "updated_at": "2026-04-16T10:00:00Z"
}))]
pub struct DisbursementResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The grant.
    #[schema(format = Uuid)]
    pub grant_id: String,
    /// Amount.
    pub amount: Money,
    /// Planned payment date.
    pub planned_on: NaiveDate,
    /// Condition for payment, e.g. "interim report accepted".
    pub condition: Option<String>,
    /// Status.
    pub status: WireStatus,
    /// Date paid.
    pub paid_on: Option<NaiveDate>,
    /// Payment reference.
    pub payment_reference: Option<String>,
    /// Actions the caller may take now.
    pub allowed_actions: Vec<String>,
    /// When planned.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new tranche.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": {"amount": "1923.00", "currency": "EUR"}, "planned_on": "2026-10-01", "condition": "Interim report accepted"}))]
pub struct CreateDisbursementRequest {
    /// Amount in the grant's currency.
    pub amount: Money,
    /// Planned payment date.
    pub planned_on: NaiveDate,
    /// Condition for payment.
    pub condition: Option<String>,
}

/// A payment record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"paid_on": "2026-10-02", "reference": "KZ-2026-1002-17"}))]
pub struct PayRequest {
    /// Date paid.
    pub paid_on: NaiveDate,
    /// Bank or ledger reference.
    pub reference: String,
}

fn response(
    row: DisbursementRow,
    grant: &GrantRow,
    a: GrantAccess,
) -> Result<DisbursementResponse, ApiError> {
    let currency = grant_currency(grant)?;
    let status = DisbursementStatus::parse(&row.status).map_err(ApiError::internal)?;
    let allowed_actions = status
        .allowed_actions()
        .into_iter()
        .filter(|act| a == GrantAccess::Manage || (a == GrantAccess::Accountant && *act == "pay"))
        .map(str::to_owned)
        .collect();
    Ok(DisbursementResponse {
        amount: Money::from_minor(row.amount_minor, currency),
        status: status.into(),
        allowed_actions,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        id: row.id,
        grant_id: row.grant_id,
        planned_on: row.planned_on,
        condition: row.condition,
        paid_on: row.paid_on,
        payment_reference: row.payment_reference,
    })
}

fn require_active(grant: &GrantRow, action: &'static str) -> Result<(), ApiError> {
    let status = GrantStatus::parse(&grant.status).map_err(ApiError::internal)?;
    if status == GrantStatus::Active {
        Ok(())
    } else {
        Err(DomainError::InvalidTransition {
            entity: "grant",
            action,
            from: status.as_str(),
            allowed: status.allowed_actions(),
        }
        .into())
    }
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_disbursement)
        .service(list_disbursements)
        .service(approve_disbursement)
        .service(pay_disbursement)
        .service(cancel_disbursement);
}

/// Plan a tranche of an active grant (the programme's managers).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    request_body = CreateDisbursementRequest,
    responses(
        (status = 201, description = "Planned.", body = DisbursementResponse, headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/grants/{id}/disbursements")]
pub async fn create_disbursement(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    body: Json<CreateDisbursementRequest>,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let r = body.0;
    let (body, version) = state
        .write(move |conn| {
            grants::lock(conn, &id)?;
            let grant = grants::find(conn, &id)?;
            require_manage(access(conn, &caller, &grant)?)?;
            let currency = grant_currency(&grant)?;
            let mut v = Validator::new();
            let amount = v.check("amount", r.amount.parse());
            if amount.is_some_and(|a| a.currency() != currency) {
                v.push(seriktes_domain::FieldError::new(
                    "amount.currency",
                    "currency_mismatch",
                    format!("the grant's currency is {currency}"),
                ));
            }
            let condition = v
                .check_opt("condition", r.condition.as_deref(), |c| parse_line(c, 1000))
                .flatten();
            v.finish()?;
            let amount = amount
                .ok_or_else(|| ApiError::invalid("amount", "required", "an amount is required"))?;
            require_active(&grant, "plan a tranche of")?;
            let (committed, _) = tranche_totals(conn, &id)?;
            if committed.saturating_add(amount.minor()) > grant.amount_minor {
                return Err(ApiError::conflict(format!(
                    "A tranche of {amount} would commit {} of a grant of {} ({} committed so far).",
                    DomainMoney::from_minor(committed.saturating_add(amount.minor()), currency),
                    DomainMoney::from_minor(grant.amount_minor, currency),
                    DomainMoney::from_minor(committed, currency)
                )));
            }
            let at = now();
            let row = DisbursementRow {
                id: Uuid::now_v7().to_string(),
                grant_id: id.clone(),
                amount_minor: amount.minor(),
                planned_on: r.planned_on,
                condition,
                status: DisbursementStatus::Planned.as_str().to_owned(),
                paid_on: None,
                payment_reference: None,
                version: 1,
                created_at: at,
                updated_at: at,
            };
            grants::insert_disbursement(conn, &row)?;
            audit::record(
                conn,
                Some(caller.id()),
                "disbursement.create",
                ("grant", &id),
                format!("planned {amount} on {}", r.planned_on),
            )?;
            let version = row.version;
            Ok((response(row, &grant, GrantAccess::Manage)?, version))
        })
        .await?;
    let location = format!("/api/v1/grants/{}/disbursements", body.grant_id);
    Ok(Tagged::created(body, version, location))
}

/// A grant's tranches, in the order planned.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 200, description = "The tranches.", body = Vec<DisbursementResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/grants/{id}/disbursements")]
pub async fn list_disbursements(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<DisbursementResponse>>, ApiError> {
    let id = id.into_inner().to_string();
    let body = state
        .read(move |conn| {
            let grant = grants::find(conn, &id)?;
            let a = access(conn, &caller, &grant)?;
            grants::disbursements_of(conn, &id)?
                .into_iter()
                .map(|d| response(d, &grant, a))
                .collect()
        })
        .await?;
    Ok(web::Json(body))
}

/// Loads a tranche and its grant for a change, checking access.
fn load(
    conn: &mut DbConn,
    caller: &CurrentUser,
    id: &str,
) -> Result<(DisbursementRow, GrantRow, GrantAccess), ApiError> {
    let d = grants::find_disbursement(conn, id)?;
    let grant = grants::find(conn, &d.grant_id)?;
    let a = access(conn, caller, &grant)?;
    Ok((d, grant, a))
}

async fn transition(
    state: State,
    caller: CurrentUser,
    id: Uuid,
    if_match: IfMatch,
    action: DisbursementAction,
    payment: Option<PayRequest>,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    let id = id.to_string();
    let (body, version) = state
        .write(move |conn| {
            let (current, grant, a) = load(conn, &caller, &id)?;
            let may = a == GrantAccess::Manage
                || (a == GrantAccess::Accountant && action == DisbursementAction::Pay);
            if !may {
                return Err(ApiError::Forbidden(
                    "Only the programme's managers (and, to pay, its accountants) may do this."
                        .to_owned(),
                ));
            }
            let from = DisbursementStatus::parse(&current.status).map_err(ApiError::internal)?;
            let to = from.apply(action)?;
            let payment = match payment {
                Some(p) => {
                    require_active(&grant, "pay a tranche of")?;
                    let reference = parse_line(&p.reference, 200)
                        .map_err(|e| ApiError::from(e).under("reference"))?;
                    Some((p.paid_on, reference))
                }
                None => None,
            };
            let row = grants::set_disbursement_status(
                conn,
                &current,
                if_match.0,
                to.as_str(),
                payment,
                now(),
            )?;
            let summary = format!("tranche {id}: {} → {}", from.as_str(), to.as_str());
            audit::record(
                conn,
                Some(caller.id()),
                &format!("disbursement.{}", action.as_str()),
                ("grant", &grant.id),
                summary,
            )?;
            let version = row.version;
            Ok((response(row, &grant, a)?, version))
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Approve a planned tranche (the programme's managers).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Disbursement id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Approved.", body = DisbursementResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/disbursements/{id}/approve")]
pub async fn approve_disbursement(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    transition(
        state,
        caller,
        id.into_inner(),
        if_match,
        DisbursementAction::Approve,
        None,
    )
    .await
}

/// Record payment of an approved tranche (the programme's managers and accountants); the
/// grant must be active.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Disbursement id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = PayRequest,
    responses(
        (status = 200, description = "Paid.", body = DisbursementResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/disbursements/{id}/pay")]
pub async fn pay_disbursement(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PayRequest>,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    transition(
        state,
        caller,
        id.into_inner(),
        if_match,
        DisbursementAction::Pay,
        Some(body.0),
    )
    .await
}

/// Cancel a planned or approved tranche (the programme's managers); it no longer counts
/// against the grant.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Disbursement id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Cancelled.", body = DisbursementResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/disbursements/{id}/cancel")]
pub async fn cancel_disbursement(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<DisbursementResponse>, ApiError> {
    transition(
        state,
        caller,
        id.into_inner(),
        if_match,
        DisbursementAction::Cancel,
        None,
    )
    .await
}
