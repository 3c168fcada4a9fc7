//! Wire forms of the audit log.

use crate::response::utc;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::audit::{MAX_ENTITY_ID_CHARS, MAX_ENTITY_TYPE_CHARS, MAX_SUMMARY_CHARS};
use seriktes_domain::ids::UserId;
use seriktes_domain::text::truncate;
use seriktes_domain::{DomainError, Validator};
use seriktes_persistence::audit::{AuditEvent, AuditFilter};
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
    /// A short account of the change (cut to 1000 characters).
    pub summary: String,
}

impl From<AuditEvent> for AuditEventResponse {
    fn from(r: AuditEvent) -> Self {
        Self {
            id: r.id.to_string(),
            at: utc(r.at),
            actor_id: r.actor.map(|a| a.to_string()),
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            summary: truncate(&r.summary, MAX_SUMMARY_CHARS).into_owned(),
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
    pub since: Option<crate::wire::Timestamp>,
}

impl AuditListParams {
    /// The filters, if each is within its bound.
    pub fn checked(self) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        if let Some(t) = &self.entity_type {
            v.max_chars("entity_type", t, MAX_ENTITY_TYPE_CHARS);
        }
        if let Some(id) = &self.entity_id {
            v.max_chars("entity_id", id, MAX_ENTITY_ID_CHARS);
        }
        v.finish().map(|()| self)
    }
}

impl From<AuditListParams> for AuditFilter {
    fn from(f: AuditListParams) -> Self {
        Self {
            entity_type: f.entity_type,
            entity_id: f.entity_id,
            actor: f.actor_id.map(UserId::from_uuid),
            since: f.since.map(crate::wire::Timestamp::get),
        }
    }
}
