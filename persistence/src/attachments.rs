//! Files attached to reports: their metadata (name, media type, size, SHA-256, who uploaded
//! them). The bytes live in the file store (`files`), under the attachment's id.
//!
//! A report's id is its reporting requirement's id; a requirement without a `reports` row is a
//! report that is due and was never saved ([`report_status`] gives `None`).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{report_attachments, reports};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::ids::{AttachmentId, RequirementId, UserId};
use seriktes_domain::report::ReportStatus;

/// A file attached to a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Id (also the name of its bytes in the file store).
    pub id: AttachmentId,
    /// The report (its requirement's id).
    pub report: RequirementId,
    /// The cleaned file name, for display.
    pub name: String,
    /// Its media type, decided from its content.
    pub media_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// Lower-case hex SHA-256 of its bytes.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: Option<UserId>,
    /// When.
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = report_attachments)]
struct AttachmentRow {
    id: stored::Uuid,
    report_id: stored::Uuid,
    name: String,
    media_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_by: Option<stored::Uuid>,
    created_at: NaiveDateTime,
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Self {
            id: AttachmentId::from_uuid(r.id.0),
            report: RequirementId::from_uuid(r.report_id.0),
            name: r.name,
            media_type: r.media_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            uploaded_by: r.uploaded_by.map(|u| UserId::from_uuid(u.0)),
            created_at: r.created_at,
        }
    }
}

/// The status of report `id`; `None` when it was never saved (still due) (one statement).
pub fn report_status(
    conn: &mut DbConn,
    id: RequirementId,
) -> Result<Option<ReportStatus>, StoreError> {
    let raw: Option<String> = reports::table
        .find(id.to_string())
        .select(reports::status)
        .first(conn)
        .optional()?;
    raw.map(|s| stored::value("reports.status", &s, ReportStatus::parse))
        .transpose()
}

/// How many files report `id` has (one statement).
pub fn count(conn: &mut DbConn, report: RequirementId) -> Result<usize, StoreError> {
    let n: i64 = report_attachments::table
        .filter(report_attachments::report_id.eq(report.to_string()))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Stores an attachment's metadata (one statement).
pub fn insert(conn: &mut DbConn, a: &Attachment) -> Result<(), StoreError> {
    use report_attachments as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(a.id.to_string()),
            t::report_id.eq(a.report.to_string()),
            t::name.eq(&a.name),
            t::media_type.eq(&a.media_type),
            t::size_bytes.eq(a.size_bytes),
            t::sha256.eq(&a.sha256),
            t::uploaded_by.eq(a.uploaded_by.map(|u| u.to_string())),
            t::created_at.eq(a.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Finds an attachment (one statement).
pub fn find(conn: &mut DbConn, id: AttachmentId) -> Result<Attachment, StoreError> {
    Ok(report_attachments::table
        .find(id.to_string())
        .select(AttachmentRow::as_select())
        .first::<AttachmentRow>(conn)?
        .into())
}

/// One page of a report's files by id (upload order), those added at or after `since` when
/// given (one statement).
pub fn list(
    conn: &mut DbConn,
    report: RequirementId,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<Attachment>, StoreError> {
    use report_attachments as t;
    let mut q = t::table
        .filter(t::report_id.eq(report.to_string()))
        .select(AttachmentRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(t::id.gt(after.clone()));
    }
    if let Some(since) = since {
        q = q.filter(t::created_at.ge(since));
    }
    let rows: Vec<AttachmentRow> = q.order(t::id.asc()).limit(page.fetch_limit()).load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.0.to_string()).map(Attachment::from))
}

/// Deletes an attachment's metadata; how many rows went (one statement).
pub fn delete(conn: &mut DbConn, id: AttachmentId) -> Result<usize, StoreError> {
    Ok(diesel::delete(report_attachments::table.find(id.to_string())).execute(conn)?)
}
