//! Audit events: who changed what when. Written by `events::record` in the same transaction as
//! the change; read back here with typed ids, parsed once (`stored::id`).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::audit_events;
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::ids::{AuditEventId, UserId};

/// A recorded audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Time-ordered id.
    pub id: AuditEventId,
    /// When it happened (UTC).
    pub at: NaiveDateTime,
    /// The user who acted; `None` for the command line.
    pub actor: Option<UserId>,
    /// What was done, e.g. `organization.create`.
    pub action: String,
    /// The kind of object, e.g. `organization`.
    pub entity_type: String,
    /// The object's id (of whichever kind `entity_type` names).
    pub entity_id: String,
    /// A short human-readable account, never holding secrets.
    pub summary: String,
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Only events about this kind of object.
    pub entity_type: Option<String>,
    /// Only events about this object.
    pub entity_id: Option<String>,
    /// Only events by this user.
    pub actor: Option<UserId>,
    /// Only events at or after this time.
    pub since: Option<NaiveDateTime>,
}

type Stored = (
    String,
    NaiveDateTime,
    Option<String>,
    String,
    String,
    String,
    String,
);

fn parse(row: Stored) -> Result<AuditEvent, StoreError> {
    let (id, at, actor, action, entity_type, entity_id, summary) = row;
    Ok(AuditEvent {
        id: stored::id("audit_events.id", &id, AuditEventId::parse)?,
        at,
        actor: actor
            .map(|a| stored::id("audit_events.actor_id", &a, UserId::parse))
            .transpose()?,
        action,
        entity_type,
        entity_id,
        summary,
    })
}

/// One page of events, oldest first.
pub fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditEvent>, StoreError> {
    let mut q = audit_events::table
        .select((
            audit_events::id,
            audit_events::at,
            audit_events::actor_id,
            audit_events::action,
            audit_events::entity_type,
            audit_events::entity_id,
            audit_events::summary,
        ))
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(audit_events::id.gt(after.clone()));
    }
    if let Some(t) = &filter.entity_type {
        q = q.filter(audit_events::entity_type.eq(t.clone()));
    }
    if let Some(id) = &filter.entity_id {
        q = q.filter(audit_events::entity_id.eq(id.clone()));
    }
    if let Some(actor) = filter.actor {
        q = q.filter(audit_events::actor_id.eq(actor.to_string()));
    }
    if let Some(since) = filter.since {
        q = q.filter(audit_events::at.ge(since));
    }
    let rows: Vec<Stored> = q
        .order(audit_events::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let events = rows.into_iter().map(parse).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(events, page, |e| e.id.to_string()))
}
