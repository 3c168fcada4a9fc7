//! Reviews of applications by committee members: domain types in and out; the rows stay in
//! this module.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{applications, calls, programmes, reviews};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::access::programme::Circle;
use seriktes_domain::call::CallStatus;
use seriktes_domain::ids::{ApplicationId, CallId, OrganizationId, ProgrammeId, ReviewId, UserId};
use seriktes_domain::review::{Review, ReviewStatus};
use std::collections::BTreeMap;

/// A stored review. Fields in the table's column order (`RETURNING reviews::all_columns` reads
/// into it).
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

/// Changes to a review; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ReviewChanges {
    /// New status.
    pub status: Option<ReviewStatus>,
    /// Whether the reviewer declared a conflict of interest.
    pub conflict_of_interest: Option<bool>,
    /// The reviewer's note on the conflict.
    pub conflict_note: Option<String>,
    /// New scores, by criterion id (they replace the stored ones).
    pub scores: Option<BTreeMap<String, i32>>,
    /// New comment.
    pub comment: Option<String>,
    /// Submission time.
    pub submitted_at: Option<NaiveDateTime>,
    /// Declaration time.
    pub conflict_declared_at: Option<NaiveDateTime>,
}

/// The columns [`ReviewChanges`] writes.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = reviews)]
struct ReviewChangeset<'a> {
    status: Option<&'static str>,
    conflict_of_interest: Option<bool>,
    conflict_note: Option<&'a str>,
    scores: Option<String>,
    comment: Option<&'a str>,
    submitted_at: Option<NaiveDateTime>,
    conflict_declared_at: Option<NaiveDateTime>,
}

impl ReviewChanges {
    fn columns(&self) -> ReviewChangeset<'_> {
        ReviewChangeset {
            status: self.status.map(ReviewStatus::as_str),
            conflict_of_interest: self.conflict_of_interest,
            conflict_note: self.conflict_note.as_deref(),
            scores: self.scores.as_ref().map(stored::to_json),
            comment: self.comment.as_deref(),
            submitted_at: self.submitted_at,
            conflict_declared_at: self.conflict_declared_at,
        }
    }
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

/// Inserts an assignment; returns it as stored (`RETURNING`, one statement).
pub fn insert(
    conn: &mut DbConn,
    id: ReviewId,
    application: ApplicationId,
    reviewer: UserId,
    now: NaiveDateTime,
) -> Result<Review<NaiveDateTime>, StoreError> {
    let row: ReviewRow = diesel::insert_into(reviews::table)
        .values(&NewReviewRow {
            id: &id.to_string(),
            application_id: &application.to_string(),
            reviewer_user_id: &reviewer.to_string(),
            status: ReviewStatus::Assigned.as_str(),
            created_at: now,
            updated_at: now,
        })
        .returning(reviews::all_columns)
        .get_result(conn)?;
    to_domain(row)
}

/// A review with the facts its policy and rules need.
#[derive(Debug, Clone)]
pub struct ReviewContext {
    /// The review.
    pub review: Review<NaiveDateTime>,
    /// The call of the application reviewed.
    pub call: CallId,
    /// The call's stored status (the deadline is applied by the caller).
    pub call_status: CallStatus,
    /// The call's deadline.
    pub call_closes_at: NaiveDateTime,
    /// The call's programme.
    pub programme: ProgrammeId,
    /// The programme's managing organisation and funders.
    pub circle: Circle,
}

/// Loads a review with its application's call, the call's programme and the programme's
/// funders (`programmes.funder_ids`) in one statement.
pub fn load(conn: &mut DbConn, id: ReviewId) -> Result<ReviewContext, StoreError> {
    let (row, call, status, closes_at, programme, managing, funder_ids): (
        ReviewRow,
        String,
        String,
        NaiveDateTime,
        String,
        String,
        Option<String>,
    ) = reviews::table
        .inner_join(applications::table.inner_join(calls::table.inner_join(programmes::table)))
        .filter(reviews::id.eq(id.to_string()))
        .select((
            ReviewRow::as_select(),
            calls::id,
            calls::status,
            calls::closes_at,
            calls::programme_id,
            programmes::managing_organization_id,
            programmes::funder_ids,
        ))
        .first(conn)?;
    let funders = crate::programmes::funders_from_ids(funder_ids.as_deref())?;
    Ok(ReviewContext {
        review: to_domain(row)?,
        call: stored::id("calls.id", &call, CallId::parse)?,
        call_status: stored::value("calls.status", &status, CallStatus::parse)?,
        call_closes_at: closes_at,
        programme: stored::id("calls.programme_id", &programme, ProgrammeId::parse)?,
        circle: Circle {
            managing: stored::id(
                "programmes.managing_organization_id",
                &managing,
                OrganizationId::parse,
            )?,
            funders,
        },
    })
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

/// Who reviews which application of a call (every review, whatever its status), as
/// `(application, reviewer)`, in one statement.
pub fn assigned_in_call(
    conn: &mut DbConn,
    call: CallId,
) -> Result<Vec<(ApplicationId, UserId)>, StoreError> {
    let rows: Vec<(String, String)> = reviews::table
        .inner_join(applications::table)
        .filter(applications::call_id.eq(call.to_string()))
        .select((reviews::application_id, reviews::reviewer_user_id))
        .order(reviews::id.asc())
        .load(conn)?;
    rows.iter()
        .map(|(a, u)| {
            Ok((
                stored::id("reviews.application_id", a, ApplicationId::parse)?,
                stored::id("reviews.reviewer_user_id", u, UserId::parse)?,
            ))
        })
        .collect()
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct ReviewFilter {
    /// Only this reviewer's reviews.
    pub reviewer: Option<UserId>,
    /// Only reviews of this application.
    pub application: Option<ApplicationId>,
    /// Only reviews of applications to this call.
    pub call: Option<CallId>,
    /// Only this status.
    pub status: Option<ReviewStatus>,
}

/// One page of reviews, by id, each with the call of its application (one statement).
pub fn list(
    conn: &mut DbConn,
    filter: &ReviewFilter,
    page: &PageRequest,
) -> Result<Page<(Review<NaiveDateTime>, CallId)>, StoreError> {
    let mut q = reviews::table
        .inner_join(applications::table)
        .select((ReviewRow::as_select(), applications::call_id))
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(reviews::id.gt(after.clone()));
    }
    if let Some(r) = filter.reviewer {
        q = q.filter(reviews::reviewer_user_id.eq(r.to_string()));
    }
    if let Some(a) = filter.application {
        q = q.filter(reviews::application_id.eq(a.to_string()));
    }
    if let Some(c) = filter.call {
        q = q.filter(applications::call_id.eq(c.to_string()));
    }
    if let Some(s) = filter.status {
        q = q.filter(reviews::status.eq(s.as_str()));
    }
    let rows: Vec<(ReviewRow, String)> = q
        .order(reviews::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let p = Page::from_rows(rows, page, |(r, _)| r.id.clone());
    Ok(Page {
        items: p
            .items
            .into_iter()
            .map(|(r, call)| {
                Ok((
                    to_domain(r)?,
                    stored::id("applications.call_id", &call, CallId::parse)?,
                ))
            })
            .collect::<Result<_, StoreError>>()?,
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

/// Applies changes if the review is still at the version read and `expected_version` (when
/// given) names it; returns it as stored (`RETURNING`, one statement).
pub fn update(
    conn: &mut DbConn,
    current: &Review<NaiveDateTime>,
    expected_version: Option<i64>,
    changes: &ReviewChanges,
    now: NaiveDateTime,
) -> Result<Review<NaiveDateTime>, StoreError> {
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(StoreError::VersionMismatch);
    }
    let row: ReviewRow = diesel::update(
        reviews::table
            .find(current.id.to_string())
            .filter(reviews::version.eq(current.version)),
    )
    .set((
        changes.columns(),
        reviews::version.eq(current.version + 1),
        reviews::updated_at.eq(now),
    ))
    .returning(reviews::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::WriteConflict)?;
    to_domain(row)
}
