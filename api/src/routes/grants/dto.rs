//! Wire types of grants and amendments.

use crate::error::ApiError;
use crate::response::utc;
use crate::service::grants::{Award, Public, Seen};
use crate::wire::ser::{self, MoneyOut};
use crate::wire::{
    ApplicationSummary, ApplicationTitle, GrantIndicatorInput, GrantStatus as WireStatus,
    LocalizedText, Money,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::Validator;
use seriktes_domain::access::Role;
use seriktes_domain::access::grant::GrantRight;
use seriktes_domain::budget::{
    BudgetLine as DomainLine, LineInput, MAX_CATEGORY_CHARS, MAX_DESCRIPTION_CHARS, MAX_LINES,
};
use seriktes_domain::grant::{AmendmentChanges, AmendmentInput, Change, MAX_REASON_CHARS};
use seriktes_domain::ids::{BudgetLineId, OrganizationId};
use seriktes_domain::user::parse_line;
use seriktes_persistence::grants::{Amendment, Named};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A budget line of a grant; `id` is stable across amendments.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "0193a0c4-e200-7000-8000-000000000001", "category": "staff", "description": "Lawyer", "amount": {"amount": "3846.00", "currency": "EUR"}}))]
pub struct GrantBudgetLine {
    /// Id (in amendments: omit for a new line; name an existing line to keep its id).
    #[schema(format = Uuid)]
    pub id: Option<Uuid>,
    /// Category, e.g. `staff`, `travel`, `events`.
    pub category: String,
    /// What the money pays for.
    pub description: String,
    /// The amount, in the grant's currency.
    pub amount: Money,
}

/// An award decision's details.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2026-04-01", "mentor_organization_id": "0193a0c4-8000-7000-8000-0000000000a1",
    "indicators": [{"indicator_id": "0193a0c4-d000-7000-8000-000000000001", "target": 200}]}))]
pub struct AwardRequest {
    /// The amount awarded (default: the amount requested; never more).
    pub amount: Option<Money>,
    /// First day of the grant; it runs for the application's duration.
    pub starts_on: crate::wire::CalendarDate,
    /// The organisation that mentors the grantee.
    pub mentor_organization_id: Option<Uuid>,
    /// The indicators of the programme's catalogue the grant carries, each once, with the
    /// grant's own baseline and target (default: the catalogue's); the managers can replace
    /// them later (`PUT /grants/{id}/indicators`).
    pub indicators: Option<Vec<GrantIndicatorInput>>,
}

impl TryFrom<AwardRequest> for Award {
    type Error = ApiError;
    fn try_from(r: AwardRequest) -> Result<Self, ApiError> {
        let amount = r
            .amount
            .as_ref()
            .map(Money::parse)
            .transpose()
            .map_err(|e| ApiError::from(e).under("amount"))?;
        let indicators =
            GrantIndicatorInput::parse_all("indicators", &r.indicators.unwrap_or_default())?;
        Ok(Self {
            amount,
            starts_on: r.starts_on.get(),
            mentor: r.mentor_organization_id.map(OrganizationId::from_uuid),
            indicators,
        })
    }
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
    pub id: Uuid,
    /// The awarded application.
    pub application_id: Uuid,
    /// The call.
    pub call_id: Uuid,
    /// The programme.
    pub programme_id: Uuid,
    /// The grantee.
    pub grantee_organization_id: Uuid,
    /// The mentor organisation.
    pub mentor_organization_id: Option<Uuid>,
    /// Amount.
    #[schema(value_type = Money)]
    pub amount: MoneyOut,
    /// First day.
    #[serde(serialize_with = "ser::date")]
    pub starts_on: NaiveDate,
    /// Last day.
    #[serde(serialize_with = "ser::date")]
    pub ends_on: NaiveDate,
    /// Budget lines.
    #[schema(value_type = Vec<GrantBudgetLine>)]
    pub budget_lines: Vec<BudgetLineOut>,
    /// Total of tranches not cancelled.
    #[schema(value_type = Money)]
    pub committed: MoneyOut,
    /// Total of tranches paid.
    #[schema(value_type = Money)]
    pub paid: MoneyOut,
    /// Status.
    pub status: WireStatus,
    /// Actions the caller may take now.
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<&'static str>,
    /// When awarded.
    #[serde(serialize_with = "ser::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When last changed.
    #[serde(serialize_with = "ser::timestamp")]
    pub updated_at: DateTime<Utc>,
}

/// A grant's budget line as a response shows it (the schema is [`GrantBudgetLine`]).
#[derive(Debug, Serialize)]
pub struct BudgetLineOut {
    id: Uuid,
    category: String,
    description: String,
    amount: MoneyOut,
}

impl From<DomainLine> for BudgetLineOut {
    fn from(l: DomainLine) -> Self {
        Self {
            id: l.id.uuid(),
            category: l.category,
            description: l.description,
            amount: MoneyOut(l.amount),
        }
    }
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
    pub starts_on: Option<crate::wire::CalendarDate>,
    /// New last day.
    pub ends_on: Option<crate::wire::CalendarDate>,
    /// New budget lines; with a new amount they must add up to it.
    pub budget_lines: Option<Vec<GrantBudgetLine>>,
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
    pub updated_since: Option<crate::wire::Timestamp>,
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
    /// The call.
    pub call: NamedRef,
    /// The project's title (the application's).
    pub title: ApplicationTitle,
    /// The project's summary (the application's).
    pub summary: ApplicationSummary,
    /// When awarded.
    pub awarded_at: DateTime<Utc>,
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

impl From<Seen> for GrantResponse {
    fn from(s: Seen) -> Self {
        let g = s.loaded.grant;
        let allowed_actions = if s.role.may(GrantRight::Manage) {
            g.status.allowed_actions()
        } else {
            Vec::new()
        };
        Self {
            id: g.id.uuid(),
            application_id: g.application.uuid(),
            call_id: g.call.uuid(),
            programme_id: g.programme.uuid(),
            grantee_organization_id: g.grantee.uuid(),
            mentor_organization_id: g.mentor.map(|m| m.uuid()),
            amount: MoneyOut(g.amount),
            starts_on: g.starts_on,
            ends_on: g.ends_on,
            budget_lines: g
                .budget_lines
                .into_iter()
                .map(BudgetLineOut::from)
                .collect(),
            committed: MoneyOut(s.loaded.committed),
            paid: MoneyOut(s.loaded.paid),
            status: g.status.into(),
            allowed_actions,
            created_at: utc(g.created_at),
            updated_at: utc(g.updated_at),
        }
    }
}

impl From<Amendment> for AmendmentResponse {
    fn from(a: Amendment) -> Self {
        Self {
            id: a.id.to_string(),
            grant_id: a.grant.to_string(),
            reason: a.reason,
            changes: changes_json(a.changes),
            actor_id: a.actor.map(|u| u.to_string()),
            created_at: utc(a.created_at),
        }
    }
}

/// `{field: {"from": …, "to": …}}` of the fields changed: amounts as decimal text, dates as
/// `YYYY-MM-DD`, budget lines as `{id, category, description, amount}` with decimal amounts.
fn changes_json(c: AmendmentChanges<NaiveDate>) -> serde_json::Value {
    fn change<V>(c: Change<V>, show: impl Fn(V) -> serde_json::Value) -> serde_json::Value {
        serde_json::json!({"from": show(c.from), "to": show(c.to)})
    }
    let lines = |lines: Vec<DomainLine>| {
        lines
            .into_iter()
            .map(|l| serde_json::json!({"id": l.id.to_string(), "category": l.category, "description": l.description, "amount": l.amount.amount_string()}))
            .collect()
    };
    let date = |d: NaiveDate| d.to_string().into();
    let mut diff = serde_json::Map::new();
    let fields = [
        (
            "amount",
            c.amount.map(|c| change(c, |m| m.amount_string().into())),
        ),
        ("starts_on", c.starts_on.map(|c| change(c, date))),
        ("ends_on", c.ends_on.map(|c| change(c, date))),
        ("budget_lines", c.budget_lines.map(|c| change(c, lines))),
    ];
    for (field, value) in fields {
        if let Some(v) = value {
            diff.insert(field.to_owned(), v);
        }
    }
    serde_json::Value::Object(diff)
}

impl TryFrom<AmendGrantRequest> for AmendmentInput<NaiveDate> {
    type Error = ApiError;
    /// Every field error at once; currencies and line ids are the domain's rules.
    fn try_from(r: AmendGrantRequest) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let reason = v.check("reason", parse_line(&r.reason, MAX_REASON_CHARS));
        let amount = v
            .check_opt("amount", r.amount.as_ref(), Money::parse)
            .flatten();
        let mut lines = Vec::new();
        if let Some(input) = &r.budget_lines {
            let lines_ok = v.max_items("budget_lines", input.len(), MAX_LINES);
            for (i, l) in input.iter().enumerate().filter(|_| lines_ok) {
                let category = v.check(
                    &format!("budget_lines.{i}.category"),
                    parse_line(&l.category, MAX_CATEGORY_CHARS),
                );
                let description = v.check(
                    &format!("budget_lines.{i}.description"),
                    parse_line(&l.description, MAX_DESCRIPTION_CHARS),
                );
                let amount = v.check(&format!("budget_lines.{i}.amount"), l.amount.parse());
                if let (Some(category), Some(description), Some(amount)) =
                    (category, description, amount)
                {
                    lines.push(LineInput {
                        id: l.id.map(BudgetLineId::from_uuid),
                        category,
                        description,
                        amount,
                    });
                }
            }
        }
        v.finish()?;
        Ok(AmendmentInput {
            reason: reason.unwrap_or_default(),
            amount,
            starts_on: r.starts_on.map(crate::wire::CalendarDate::get),
            ends_on: r.ends_on.map(crate::wire::CalendarDate::get),
            budget_lines: r.budget_lines.map(|_| lines),
        })
    }
}

impl<I: std::fmt::Display> From<Named<I>> for NamedRef {
    fn from(n: Named<I>) -> Self {
        Self {
            id: n.id.to_string(),
            name: n.name.into(),
        }
    }
}

impl From<Public> for PublicGrant {
    fn from(p: Public) -> Self {
        let g = p.grant;
        Self {
            id: g.id.to_string(),
            grantee: g.grantee.into(),
            amount: g.amount.into(),
            starts_on: g.starts_on,
            ends_on: g.ends_on,
            status: g.status.into(),
            programme: g.programme.into(),
            call: g.call.into(),
            title: g.title.into(),
            summary: g.summary.into(),
            awarded_at: utc(g.awarded_at),
            funders: p
                .funders
                .into_iter()
                .map(|f| NamedRef {
                    id: f.organization.to_string(),
                    name: f.name.into(),
                })
                .collect(),
        }
    }
}

/// `updated_since` of a history list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SinceParams {
    /// Only entries made or changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}
