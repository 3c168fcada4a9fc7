//! Wire types of tranches.

use crate::response::utc;
use crate::service::disbursements::{NewTranche, Tranche};
use crate::wire::{DisbursementStatus as WireStatus, Money};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::access::grant::GrantRole;
use seriktes_domain::grant::{MAX_CONDITION_CHARS, MAX_REFERENCE_CHARS};
use seriktes_domain::ids::RequirementId;
use seriktes_domain::user::parse_line;
use seriktes_domain::{DomainError, Validator};
use utoipa::{IntoParams, ToSchema};

/// A tranche.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f000-7000-8000-000000000001", "grant_id": "0193a0c4-e000-7000-8000-000000000001",
    "amount": {"amount": "1923.00", "currency": "EUR"}, "planned_on": "2026-04-15",
    "condition": null, "requirement_id": null, "status": "paid", "paid_on": "2026-04-16", "payment_reference": "KZ-2026-0416-17",
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
    /// The reporting requirement whose report must be accepted before the tranche is
    /// approved or paid.
    #[schema(format = Uuid)]
    pub requirement_id: Option<String>,
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
#[schema(example = json!({"amount": {"amount": "1923.00", "currency": "EUR"}, "planned_on": "2026-10-01", "condition": "Interim report accepted", "requirement_id": "0193a0c4-f100-7000-8000-000000000001"}))]
pub struct CreateDisbursementRequest {
    /// Amount in the grant's currency.
    pub amount: Money,
    /// Planned payment date.
    pub planned_on: crate::wire::CalendarDate,
    /// Condition for payment.
    pub condition: Option<String>,
    /// A reporting requirement of the grant: the tranche is approved and paid only once its
    /// report is accepted.
    pub requirement_id: Option<uuid::Uuid>,
}

/// A payment record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"paid_on": "2026-10-02", "reference": "KZ-2026-1002-17"}))]
pub struct PayRequest {
    /// Date paid.
    pub paid_on: crate::wire::CalendarDate,
    /// Bank or ledger reference.
    pub reference: String,
}

/// `updated_since` of the tranche list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrancheListParams {
    /// Only tranches changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

impl From<Tranche> for DisbursementResponse {
    fn from(t: Tranche) -> Self {
        let d = t.disbursement;
        let allowed_actions = d
            .status
            .allowed_actions()
            .into_iter()
            .filter(|a| {
                t.role == GrantRole::Manager || (t.role == GrantRole::Accountant && *a == "pay")
            })
            .map(str::to_owned)
            .collect();
        Self {
            amount: d.amount.into(),
            status: d.status.into(),
            allowed_actions,
            created_at: utc(d.created_at),
            updated_at: utc(d.updated_at),
            id: d.id.to_string(),
            grant_id: d.grant.to_string(),
            planned_on: d.planned_on,
            condition: d.condition,
            requirement_id: d.requirement.map(|r| r.to_string()),
            paid_on: d.paid_on,
            payment_reference: d.payment_reference,
        }
    }
}

impl TryFrom<CreateDisbursementRequest> for NewTranche {
    type Error = DomainError;
    fn try_from(r: CreateDisbursementRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let amount = v.check("amount", r.amount.parse());
        let condition = v
            .check_opt("condition", r.condition.as_deref(), |c| {
                parse_line(c, MAX_CONDITION_CHARS)
            })
            .flatten();
        v.finish()?;
        let amount = amount.ok_or_else(|| {
            seriktes_domain::FieldError::new("amount", "required", "an amount is required")
        })?;
        Ok(Self {
            amount,
            planned_on: r.planned_on.get(),
            condition,
            requirement: r.requirement_id.map(RequirementId::from_uuid),
        })
    }
}

impl PayRequest {
    /// The payment date and the checked reference.
    pub fn parse(self) -> Result<(NaiveDate, String), crate::error::ApiError> {
        let reference = parse_line(&self.reference, MAX_REFERENCE_CHARS)
            .map_err(|e| crate::error::ApiError::from(e).under("reference"))?;
        Ok((self.paid_on.get(), reference))
    }
}
