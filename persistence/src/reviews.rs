//! Reviews of applications by committee members.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{applications, reviews};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored review.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reviews)]
pub struct ReviewRow {
    /// UUID.
    pub id: String,
    /// The application.
    pub application_id: String,
    /// The reviewer.
    pub reviewer_user_id: String,
    /// `assigned`, `submitted` or `recused`.
    pub status: String,
    /// Whether the reviewer declared a conflict of interest.
    pub conflict_of_interest: bool,
    /// The reviewer's note on the conflict.
    pub conflict_note: Option<String>,
    /// JSON object `{criterion_id: score}`.
    pub scores: String,
    /// The reviewer's comment.
    pub comment: Option<String>,
    /// When submitted (UTC).
    pub submitted_at: Option<NaiveDateTime>,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
    /// When the reviewer declared whether they have a conflict of interest (UTC); `None`
    /// until they do.
    pub conflict_declared_at: Option<NaiveDateTime>,
}

/// A review to insert (an assignment).
#[derive(Debug, Insertable)]
#[diesel(table_name = reviews)]
pub struct NewReviewRow<'a> {
    /// UUID.
    pub id: &'a str,
    /// The application.
    pub application_id: &'a str,
    /// The reviewer.
    pub reviewer_user_id: &'a str,
    /// `assigned`.
    pub status: &'a str,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// Same as `created_at`.
    pub updated_at: NaiveDateTime,
}

/// Changes to a review.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = reviews)]
pub struct ReviewChanges {
    /// New status.
    pub status: Option<String>,
    /// Conflict declared.
    pub conflict_of_interest: Option<bool>,
    /// Conflict note.
    pub conflict_note: Option<String>,
    /// New scores JSON.
    pub scores: Option<String>,
    /// New comment.
    pub comment: Option<String>,
    /// Submission time.
    pub submitted_at: Option<NaiveDateTime>,
    /// Declaration time.
    pub conflict_declared_at: Option<NaiveDateTime>,
}

/// Inserts a review.
pub fn insert(conn: &mut DbConn, row: &NewReviewRow<'_>) -> Result<(), StoreError> {
    diesel::insert_into(reviews::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Finds a review.
pub fn find(conn: &mut DbConn, id: &str) -> Result<ReviewRow, StoreError> {
    Ok(reviews::table
        .find(id)
        .select(ReviewRow::as_select())
        .first(conn)?)
}

/// Whether the reviewer already has a review of the application.
pub fn exists(conn: &mut DbConn, application_id: &str, reviewer: &str) -> Result<bool, StoreError> {
    let n: i64 = reviews::table
        .filter(reviews::application_id.eq(application_id))
        .filter(reviews::reviewer_user_id.eq(reviewer))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct ReviewFilter {
    /// Only this reviewer's reviews.
    pub reviewer_user_id: Option<String>,
    /// Only reviews of this application.
    pub application_id: Option<String>,
    /// Only reviews of applications to this call.
    pub call_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only reviews changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of reviews, by id.
pub fn list(
    conn: &mut DbConn,
    filter: &ReviewFilter,
    page: &PageRequest,
) -> Result<Page<ReviewRow>, StoreError> {
    let mut q = reviews::table.select(ReviewRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(reviews::id.gt(after.clone()));
    }
    if let Some(r) = &filter.reviewer_user_id {
        q = q.filter(reviews::reviewer_user_id.eq(r.clone()));
    }
    if let Some(a) = &filter.application_id {
        q = q.filter(reviews::application_id.eq(a.clone()));
    }
    if let Some(c) = &filter.call_id {
        let apps = applications::table
            .filter(applications::call_id.eq(c.clone()))
            .select(applications::id);
        q = q.filter(reviews::application_id.eq_any(apps));
    }
    if let Some(s) = &filter.status {
        q = q.filter(reviews::status.eq(s.clone()));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(reviews::updated_at.ge(since));
    }
    let rows = q
        .order(reviews::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.clone()))
}

/// All reviews of the applications to a call (for the ranking).
pub fn of_call(conn: &mut DbConn, call_id: &str) -> Result<Vec<ReviewRow>, StoreError> {
    let apps = applications::table
        .filter(applications::call_id.eq(call_id.to_owned()))
        .select(applications::id);
    Ok(reviews::table
        .filter(reviews::application_id.eq_any(apps))
        .select(ReviewRow::as_select())
        .order(reviews::id.asc())
        .load(conn)?)
}

/// Applies changes if the review is still at `expected_version` (when given).
pub fn update(
    conn: &mut DbConn,
    current: &ReviewRow,
    expected_version: Option<i64>,
    changes: &ReviewChanges,
    now: NaiveDateTime,
) -> Result<ReviewRow, StoreError> {
    update_versioned!(
        conn,
        reviews,
        &current.id,
        current.version,
        expected_version,
        now,
        changes
    )?;
    find(conn, &current.id)
}
