//! Events: the one row of one change in the event log, written in the change's own
//! transaction (STYLE §5), with the organisations that may see it. The log answers "who changed
//! what when" (the audit endpoint) and is the outbox that feeds the
//! change feed and webhooks, which read it afterwards (no network inside a transaction).

use crate::db::Tx;
use crate::error::StoreError;
use crate::schema::{audit_events, event_audience};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::ids::{EventId, OrganizationId, ProgrammeId, UserId};

/// One change to record.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Id (UUIDv7, so in order of recording).
    pub id: EventId,
    /// When (UTC).
    pub at: NaiveDateTime,
    /// Who; `None` for the command line and the system.
    pub actor: Option<UserId>,
    /// What was done, `<entity>.<verb>`: `grant.suspend`.
    pub kind: String,
    /// The kind of object: `grant`.
    pub entity_type: &'static str,
    /// The object's id.
    pub entity_id: String,
    /// A short account for the audit log; never secrets.
    pub summary: String,
    /// The programme the change belongs to, if any.
    pub programme: Option<ProgrammeId>,
    /// The organisations that may see the change.
    pub audience: Vec<OrganizationId>,
    /// A small JSON payload for the feed (ids and the new state, not whole objects).
    pub payload: serde_json::Value,
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct EventInsert<'a> {
    id: &'a str,
    at: NaiveDateTime,
    actor_id: Option<String>,
    action: &'a str,
    entity_type: &'a str,
    entity_id: &'a str,
    summary: &'a str,
    programme_id: Option<String>,
    payload: String,
}

/// Writes the event and its audience: two statements at most.
pub fn insert(tx: &mut Tx<'_>, event: &NewEvent) -> Result<(), StoreError> {
    let id = event.id.to_string();
    diesel::insert_into(audit_events::table)
        .values(&EventInsert {
            id: &id,
            at: event.at,
            actor_id: event.actor.map(|a| a.to_string()),
            action: &event.kind,
            entity_type: event.entity_type,
            entity_id: &event.entity_id,
            summary: &event.summary,
            programme_id: event.programme.map(|p| p.to_string()),
            payload: event.payload.to_string(),
        })
        .execute(&mut **tx)?;
    let mut audience: Vec<String> = event.audience.iter().map(ToString::to_string).collect();
    audience.sort();
    audience.dedup();
    let rows: Vec<_> = audience
        .into_iter()
        .map(|organization_id| {
            (
                event_audience::event_id.eq(id.clone()),
                event_audience::organization_id.eq(organization_id),
            )
        })
        .collect();
    crate::insert_many!(tx, event_audience::table, rows);
    Ok(())
}
