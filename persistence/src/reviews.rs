//! Reviews of applications by committee members.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{applications, reviews};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::ids::{ApplicationId, CallId, ReviewId, UserId};
use seriktes_domain::review::{Review, ReviewStatus};

/// A stored review.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reviews)]
struct ReviewRow {
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
struct NewReviewRow<'a> {
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

/// The domain form of a stored review.
fn to_domain(row: ReviewRow) -> Result<Review<NaiveDateTime>, StoreError> {
    Ok(Review {
        id: stored::id("reviews.id", &row.id, ReviewId::parse)?,
        application: stored::id(
            "reviews.application_id",
            &row.application_id,
            ApplicationId::parse,
        )?,
        reviewer: stored::id(
            "reviews.reviewer_user_id",
            &row.reviewer_user_id,
            UserId::parse,
        )?,
        status: stored::value("reviews.status", &row.status, ReviewStatus::parse)?,
        conflict_of_interest: row.conflict_of_interest,
        conflict_note: row.conflict_note,
        conflict_declared_at: row.conflict_declared_at,
        scores: stored::json("reviews.scores", &row.scores)?,
        comment: row.comment,
        submitted_at: row.submitted_at,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Inserts an assignment.
pub fn insert(
    conn: &mut DbConn,
    id: ReviewId,
    application: ApplicationId,
    reviewer: UserId,
    now: NaiveDateTime,
) -> Result<Review<NaiveDateTime>, StoreError> {
    let id = id.to_string();
    diesel::insert_into(reviews::table)
        .values(&NewReviewRow {
            id: &id,
            application_id: &application.to_string(),
            reviewer_user_id: &reviewer.to_string(),
            status: ReviewStatus::Assigned.as_str(),
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    find_raw(conn, &id)
}

fn find_raw(conn: &mut DbConn, id: &str) -> Result<Review<NaiveDateTime>, StoreError> {
    to_domain(
        reviews::table
            .find(id)
            .select(ReviewRow::as_select())
            .first(conn)?,
    )
}

/// Finds a review.
pub fn find(conn: &mut DbConn, id: ReviewId) -> Result<Review<NaiveDateTime>, StoreError> {
    find_raw(conn, &id.to_string())
}

/// Whether the reviewer already has a review of the application.
pub fn exists(
    conn: &mut DbConn,
    application: ApplicationId,
    reviewer: UserId,
) -> Result<bool, StoreError> {
    let n: i64 = reviews::table
        .filter(reviews::application_id.eq(application.to_string()))
        .filter(reviews::reviewer_user_id.eq(reviewer.to_string()))
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
) -> Result<Page<Review<NaiveDateTime>>, StoreError> {
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
    let p = Page::from_rows(rows, page, |r| r.id.clone());
    Ok(Page {
        items: p
            .items
            .into_iter()
            .map(to_domain)
            .collect::<Result<_, _>>()?,
        next_after: p.next_after,
    })
}

/// The reviews a call's ranking counts: submitted, by a reviewer who declared no conflict of
/// interest.
pub fn counted_of_call(
    conn: &mut DbConn,
    call: CallId,
) -> Result<Vec<Review<NaiveDateTime>>, StoreError> {
    let apps = applications::table
        .filter(applications::call_id.eq(call.to_string()))
        .select(applications::id);
    let rows: Vec<ReviewRow> = reviews::table
        .filter(reviews::application_id.eq_any(apps))
        .filter(reviews::status.eq(ReviewStatus::Submitted.as_str()))
        .filter(reviews::conflict_declared_at.is_not_null())
        .filter(reviews::conflict_of_interest.eq(false))
        .select(ReviewRow::as_select())
        .order(reviews::id.asc())
        .load(conn)?;
    rows.into_iter().map(to_domain).collect()
}

/// Applies changes if the review is still at `expected_version` (when given).
pub fn update(
    conn: &mut DbConn,
    current: &Review<NaiveDateTime>,
    expected_version: Option<i64>,
    changes: &ReviewChanges,
    now: NaiveDateTime,
) -> Result<Review<NaiveDateTime>, StoreError> {
    let id = current.id.to_string();
    update_versioned!(
        conn,
        reviews,
        &id,
        current.version,
        expected_version,
        now,
        changes
    )?;
    find_raw(conn, &id)
}
