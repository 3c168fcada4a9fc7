//! Attachment use cases: add a file to a report (receipts, participant lists, photos), list a
//! report's files, read one's metadata or bytes, and remove one.
//!
//! Adding is three steps, so that no transaction waits on the file store: the caller's right
//! and the report's state are checked on a read checkout, the bytes go to the store, and the
//! row is written in a write transaction that checks both again (the bytes are deleted when it
//! fails). Removing deletes the row first, then the bytes. Whoever may read the report reads
//! its files, so a funder sees none before the report is accepted.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::grants::audience;
use crate::state::AppState;
use crate::upload::Upload;
use chrono::NaiveDateTime;
use seriktes_domain::access::report::{ReportRight, report as policy};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::file;
use seriktes_domain::ids::{AttachmentId, RequirementId};
use seriktes_domain::report::ReportStatus;
use seriktes_persistence::DbConn;
use seriktes_persistence::attachments::{self, Attachment};
use seriktes_persistence::grants::{self, Loaded};
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::requirements;

use crate::auth::Caller;

/// The report's grant and status, once `actor` holds `right` on it (three statements and the
/// grant's).
fn authorized(
    conn: &mut DbConn,
    actor: &Actor,
    report: RequirementId,
    right: ReportRight,
) -> Result<(Loaded, Option<ReportStatus>), ApiError> {
    let r = requirements::find(conn, report)?;
    let grant = grants::find(conn, r.grant)?;
    let status = attachments::report_status(conn, report)?;
    authorize(
        policy(actor, &grant.facts, status.unwrap_or(ReportStatus::Due)),
        right,
    )?;
    Ok((grant, status))
}

/// Checks that `actor` may add a file to `report` now.
fn check_attach(
    conn: &mut DbConn,
    actor: &Actor,
    report: RequirementId,
) -> Result<Loaded, ApiError> {
    let (grant, status) = authorized(conn, actor, report, ReportRight::Attach)?;
    file::plan_attach(status, attachments::count(conn, report)?)?;
    Ok(grant)
}

/// Adds `upload` to `report`: checked, stored in the file store, then recorded.
pub async fn attach(
    state: &AppState,
    caller: &Caller,
    report: RequirementId,
    upload: Upload,
) -> Result<Attachment, ApiError> {
    state
        .read_as(caller, move |conn, actor, _| {
            check_attach(conn, actor, report).map(|_| ())
        })
        .await?;
    let id = AttachmentId::from_uuid(uuid::Uuid::now_v7());
    let row = Attachment {
        id,
        report,
        name: upload.name.as_str().to_owned(),
        media_type: upload.kind.media_type().to_owned(),
        size_bytes: i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX),
        sha256: crate::auth::refresh::hex(&<sha2::Sha256 as sha2::Digest>::digest(&upload.bytes)),
        uploaded_by: Some(caller.user),
        created_at: state.now(),
    };
    state.files.put(id.uuid(), upload.bytes).await?;
    let stored = state
        .write_as(caller, move |tx, actor, now| {
            record(tx, actor, row.clone(), now)
        })
        .await;
    if stored.is_err()
        && let Err(e) = state.files.delete(id.uuid()).await
    {
        // The row was not written, so nobody reaches the bytes; they are only left over.
        log::warn!("attachment {id}: its bytes could not be deleted after a failed write: {e}");
    }
    stored
}

fn record(
    tx: &mut seriktes_persistence::db::Tx<'_>,
    actor: &Actor,
    mut a: Attachment,
    now: NaiveDateTime,
) -> Result<Attachment, ApiError> {
    let grant = check_attach(tx, actor, a.report)?;
    a.created_at = now;
    attachments::insert(tx, &a)?;
    let event = Event::new(
        "report.attachment_added",
        "report",
        a.report,
        format!("file {} ({} bytes) attached", a.name, a.size_bytes),
    )
    .seen_by(audience(&grant))
    .in_programme(grant.grant.programme)
    .with_payload(serde_json::json!({
        "attachment_id": a.id.to_string(), "name": a.name, "media_type": a.media_type,
        "size_bytes": a.size_bytes, "sha256": a.sha256
    }));
    events::record(tx, Some(actor), now, event)?;
    Ok(a)
}

/// One page of a report's files, for whoever may read the report.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    report: RequirementId,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<Attachment>, ApiError> {
    authorized(conn, actor, report, ReportRight::Read)?;
    Ok(attachments::list(conn, report, since, page)?)
}

/// An attachment's metadata, for whoever may read its report.
pub fn get(conn: &mut DbConn, actor: &Actor, id: AttachmentId) -> Result<Attachment, ApiError> {
    let a = attachments::find(conn, id)?;
    authorized(conn, actor, a.report, ReportRight::Read)?;
    Ok(a)
}

/// An attachment's metadata and bytes, for whoever may read its report.
pub async fn content(
    state: &AppState,
    caller: &Caller,
    id: AttachmentId,
) -> Result<(Attachment, Vec<u8>), ApiError> {
    let a = state
        .read_as(caller, move |conn, actor, _| get(conn, actor, id))
        .await?;
    let bytes = state.files.get(id.uuid()).await?;
    Ok((a, bytes))
}

fn remove(
    tx: &mut seriktes_persistence::db::Tx<'_>,
    actor: &Actor,
    id: AttachmentId,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let a = attachments::find(tx, id)?;
    let (grant, status) = authorized(tx, actor, a.report, ReportRight::Attach)?;
    file::check_attachable(status, "detach")?;
    attachments::delete(tx, id)?;
    let event = Event::new(
        "report.attachment_removed",
        "report",
        a.report,
        format!("file {} removed", a.name),
    )
    .seen_by(audience(&grant))
    .in_programme(grant.grant.programme)
    .with_payload(serde_json::json!({"attachment_id": a.id.to_string(), "name": a.name}));
    events::record(tx, Some(actor), now, event)
}

/// Removes an attachment from an editable report: the row, then the bytes. Once the row is
/// gone the file is removed for every caller; bytes the store fails to delete are only left
/// over (logged), so the answer is still 204.
pub async fn detach(state: &AppState, caller: &Caller, id: AttachmentId) -> Result<(), ApiError> {
    state
        .write_as(caller, move |tx, actor, now| remove(tx, actor, id, now))
        .await?;
    if let Err(e) = state.files.delete(id.uuid()).await {
        log::warn!("attachment {id}: its bytes could not be deleted after its row: {e}");
    }
    Ok(())
}
