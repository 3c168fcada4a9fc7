//! Writing audit events, always inside the transaction of the change they describe.

use crate::error::ApiError;
use crate::state::now;
use seriktes_persistence::DbConn;
use seriktes_persistence::audit::{self, AuditEventRow};

/// Records that `actor` (or the command line, when `None`) did `action` to an entity.
/// `summary` must never hold secrets.
pub fn record(
    conn: &mut DbConn,
    actor: Option<&str>,
    action: &str,
    entity: (&str, &str),
    summary: String,
) -> Result<(), ApiError> {
    let (entity_type, entity_id) = entity;
    audit::record(
        conn,
        &AuditEventRow {
            id: uuid::Uuid::now_v7().to_string(),
            at: now(),
            actor_id: actor.map(str::to_owned),
            action: action.to_owned(),
            entity_type: entity_type.to_owned(),
            entity_id: entity_id.to_owned(),
            summary,
        },
    )?;
    Ok(())
}
