//! Audit events: who changed what when. Written in the same transaction as the change.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::audit_events;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored audit event.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    /// UUIDv7.
    pub id: String,
    /// When it happened (UTC).
    pub at: NaiveDateTime,
    /// The user who acted; `None` for the command line.
    pub actor_id: Option<String>,
    /// What was done, e.g. `organization.create`.
    pub action: String,
    /// The kind of object, e.g. `organization`.
    pub entity_type: String,
    /// The object's id.
    pub entity_id: String,
    /// A short human-readable account, never holding secrets.
    pub summary: String,
}

/// Records an event.
pub fn record(conn: &mut DbConn, event: &AuditEventRow) -> Result<(), StoreError> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)?;
    Ok(())
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Only events about this kind of object.
    pub entity_type: Option<String>,
    /// Only events about this object.
    pub entity_id: Option<String>,
    /// Only events by this user.
    pub actor_id: Option<String>,
    /// Only events at or after this time.
    pub since: Option<NaiveDateTime>,
}

/// One page of events, oldest first.
pub fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditEventRow>, StoreError> {
    let mut q = audit_events::table
        .select(AuditEventRow::as_select())
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
    if let Some(actor) = &filter.actor_id {
        q = q.filter(audit_events::actor_id.eq(actor.clone()));
    }
    if let Some(since) = filter.since {
        q = q.filter(audit_events::at.ge(since));
    }
    let rows = q
        .order(audit_events::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.clone()))
}
