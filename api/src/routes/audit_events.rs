//! The audit log, readable by admins.

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::Query;
use crate::response::{PageParams, Paginated, utc};
use crate::state::State;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_persistence::audit::{self, AuditEventRow, AuditFilter};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-9000-7000-8000-000000000001", "at": "2026-11-23T09:00:00Z",
    "actor_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10", "action": "organization.create",
    "entity_type": "organization", "entity_id": "0193a0c4-8000-7000-8000-000000000001",
    "summary": "created ngo organisation {\"en\":\"Youth Initiatives Centre\"}"
}))]
pub struct AuditEventResponse {
    /// Id (time-ordered).
    #[schema(format = Uuid)]
    pub id: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it; `null` for the command line.
    #[schema(format = Uuid)]
    pub actor_id: Option<String>,
    /// What was done: `<entity>.<verb>`, e.g. `user.create`, `membership.update`.
    pub action: String,
    /// The kind of object changed.
    pub entity_type: String,
    /// The object's id.
    pub entity_id: String,
    /// A short account of the change.
    pub summary: String,
}

impl From<AuditEventRow> for AuditEventResponse {
    fn from(r: AuditEventRow) -> Self {
        Self {
            id: r.id,
            at: utc(r.at),
            actor_id: r.actor_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            summary: r.summary,
        }
    }
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditListParams {
    /// Only events about this kind of object (`user`, `organization`).
    pub entity_type: Option<String>,
    /// Only events about this object.
    pub entity_id: Option<String>,
    /// Only events by this user.
    pub actor_id: Option<Uuid>,
    /// Only events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_audit_events);
}

/// List audit events (admins), oldest first.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(PageParams, AuditListParams),
    responses(
        (status = 200, description = "One page of events.", body = Paginated<AuditEventResponse>),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: State,
    caller: CurrentUser,
    page: Query<PageParams>,
    filter: Query<AuditListParams>,
) -> Result<web::Json<Paginated<AuditEventResponse>>, ApiError> {
    caller.require_admin()?;
    let page = page.0.to_request()?;
    let f = filter.0;
    let filter = AuditFilter {
        entity_type: f.entity_type,
        entity_id: f.entity_id,
        actor_id: f.actor_id.map(|a| a.to_string()),
        since: f.since.map(|t| t.naive_utc()),
    };
    let rows = state
        .read(move |conn| Ok(audit::list(conn, &filter, &page)?))
        .await?;
    Ok(web::Json(Paginated::try_from_page(rows, |r| Ok(r.into()))?))
}
