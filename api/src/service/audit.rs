//! Reading the audit log (admins).

use crate::error::ApiError;
use seriktes_domain::access::user::{UserRight, user as policy};
use seriktes_domain::access::{Actor, authorize};
use seriktes_persistence::DbConn;
use seriktes_persistence::audit::{self, AuditEvent, AuditFilter};
use seriktes_persistence::page::{Page, PageRequest};

/// One page of audit events, oldest first.
pub fn list_events(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    authorize(policy(actor, None), UserRight::ReadAuditLog)?;
    Ok(audit::list(conn, filter, page)?)
}
