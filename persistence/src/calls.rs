//! Calls for proposals, their weighted criteria and their committee.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{call_committee, call_criteria, calls};
use crate::visibility;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::access::Actor;

/// A stored call. Text fields hold JSON; money is in the programme's currency.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calls)]
pub struct CallRow {
    /// UUID.
    pub id: String,
    /// The programme.
    pub programme_id: String,
    /// JSON multilingual title.
    pub title: String,
    /// JSON multilingual description.
    pub description: Option<String>,
    /// Window start (UTC).
    pub opens_at: NaiveDateTime,
    /// Window end (UTC); the call is closed from this instant.
    pub closes_at: NaiveDateTime,
    /// Largest award, minor units.
    pub max_award_minor: i64,
    /// Total envelope, minor units.
    pub envelope_minor: i64,
    /// JSON array of organisation kinds.
    pub eligible_kinds: String,
    /// JSON array of ISO 3166-2 codes.
    pub eligible_regions: String,
    /// Shortest project, months.
    pub min_duration_months: i32,
    /// Longest project, months.
    pub max_duration_months: i32,
    /// Stored status (`open` may be effectively `closed`).
    pub status: String,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// The editable fields of a call.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = calls, treat_none_as_null = true)]
pub struct CallFields {
    /// JSON multilingual title.
    pub title: String,
    /// JSON multilingual description.
    pub description: Option<String>,
    /// Window start (UTC).
    pub opens_at: NaiveDateTime,
    /// Window end (UTC).
    pub closes_at: NaiveDateTime,
    /// Largest award, minor units.
    pub max_award_minor: i64,
    /// Total envelope, minor units.
    pub envelope_minor: i64,
    /// JSON array of kinds.
    pub eligible_kinds: String,
    /// JSON array of regions.
    pub eligible_regions: String,
    /// Shortest project, months.
    pub min_duration_months: i32,
    /// Longest project, months.
    pub max_duration_months: i32,
}

/// A call to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = calls)]
pub struct NewCallRow<'a> {
    /// UUID.
    pub id: &'a str,
    /// The programme.
    pub programme_id: &'a str,
    /// `draft`.
    pub status: &'a str,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// Same as `created_at`.
    pub updated_at: NaiveDateTime,
}

/// One weighted criterion.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = call_criteria)]
pub struct CriterionRow {
    /// UUID.
    pub id: String,
    /// The call.
    pub call_id: String,
    /// Order in the call, from 0.
    pub position: i32,
    /// JSON multilingual name.
    pub name: String,
    /// Relative weight.
    pub weight: i32,
    /// Highest score.
    pub max_score: i32,
}

/// The columns of [`CallRow`], in its order, for `RETURNING` (`as_returning()` does not
/// compile on `MultiConnection`, STACK §2).
type Columns = (
    calls::id,
    calls::programme_id,
    calls::title,
    calls::description,
    calls::opens_at,
    calls::closes_at,
    calls::max_award_minor,
    calls::envelope_minor,
    calls::eligible_kinds,
    calls::eligible_regions,
    calls::min_duration_months,
    calls::max_duration_months,
    calls::status,
    calls::version,
    calls::created_at,
    calls::updated_at,
);

const COLUMNS: Columns = (
    calls::id,
    calls::programme_id,
    calls::title,
    calls::description,
    calls::opens_at,
    calls::closes_at,
    calls::max_award_minor,
    calls::envelope_minor,
    calls::eligible_kinds,
    calls::eligible_regions,
    calls::min_duration_months,
    calls::max_duration_months,
    calls::status,
    calls::version,
    calls::created_at,
    calls::updated_at,
);

/// The fields of `fields` that differ from `current`: an update writes only these.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = calls)]
struct CallChanges {
    title: Option<String>,
    description: Option<Option<String>>,
    opens_at: Option<NaiveDateTime>,
    closes_at: Option<NaiveDateTime>,
    max_award_minor: Option<i64>,
    envelope_minor: Option<i64>,
    eligible_kinds: Option<String>,
    eligible_regions: Option<String>,
    min_duration_months: Option<i32>,
    max_duration_months: Option<i32>,
}

impl CallChanges {
    fn between(current: &CallRow, fields: &CallFields) -> Self {
        fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
            (old != new).then(|| new.clone())
        }
        Self {
            title: changed(&current.title, &fields.title),
            description: changed(&current.description, &fields.description),
            opens_at: changed(&current.opens_at, &fields.opens_at),
            closes_at: changed(&current.closes_at, &fields.closes_at),
            max_award_minor: changed(&current.max_award_minor, &fields.max_award_minor),
            envelope_minor: changed(&current.envelope_minor, &fields.envelope_minor),
            eligible_kinds: changed(&current.eligible_kinds, &fields.eligible_kinds),
            eligible_regions: changed(&current.eligible_regions, &fields.eligible_regions),
            min_duration_months: changed(&current.min_duration_months, &fields.min_duration_months),
            max_duration_months: changed(&current.max_duration_months, &fields.max_duration_months),
        }
    }
}

/// Refuses when `expected` (when given) names another version than the one read.
fn check_version(current: &CallRow, expected: Option<i64>) -> Result<(), StoreError> {
    if expected.is_some_and(|v| v != current.version) {
        Err(StoreError::VersionMismatch)
    } else {
        Ok(())
    }
}

/// Inserts a call with its fields, returning the stored row (one statement).
pub fn insert(
    conn: &mut DbConn,
    row: &NewCallRow<'_>,
    fields: &CallFields,
) -> Result<CallRow, StoreError> {
    Ok(diesel::insert_into(calls::table)
        .values((row, fields))
        .returning(COLUMNS)
        .get_result(conn)?)
}

/// Finds a call.
pub fn find(conn: &mut DbConn, id: &str) -> Result<CallRow, StoreError> {
    Ok(calls::table
        .find(id)
        .select(CallRow::as_select())
        .first(conn)?)
}

/// Filters for [`list`].
#[derive(Debug)]
pub struct CallFilter {
    /// Only calls of this programme.
    pub programme_id: Option<String>,
    /// Only calls in this effective status.
    pub status: Option<String>,
    /// Only calls changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
    /// The current time, to derive `closed` from `closes_at`.
    pub now: NaiveDateTime,
}

/// One page of the calls `viewer` (`None`: anonymous) may see ([`visibility::calls`]), by id.
pub fn list(
    conn: &mut DbConn,
    viewer: Option<&Actor>,
    filter: &CallFilter,
    page: &PageRequest,
) -> Result<Page<CallRow>, StoreError> {
    let mut q = calls::table.select(CallRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(calls::id.gt(after.clone()));
    }
    if let Some(p) = &filter.programme_id {
        q = q.filter(calls::programme_id.eq(p.clone()));
    }
    let now = filter.now;
    match filter.status.as_deref() {
        Some("open") => q = q.filter(calls::status.eq("open").and(calls::closes_at.gt(now))),
        Some("closed") => {
            q = q.filter(
                calls::status
                    .eq("closed")
                    .or(calls::status.eq("open").and(calls::closes_at.le(now))),
            );
        }
        Some(other) => q = q.filter(calls::status.eq(other.to_owned())),
        None => {}
    }
    if let Some(visible) = visibility::calls(viewer, now) {
        q = q.filter(visible);
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(calls::updated_at.ge(since));
    }
    let rows = q
        .order(calls::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.clone()))
}

/// Writes the editable fields that differ from `current` if the call is still at the version
/// read and `expected_version` (when given) names it; returns the stored row.
pub fn update(
    conn: &mut DbConn,
    current: &CallRow,
    expected_version: Option<i64>,
    fields: &CallFields,
    now: NaiveDateTime,
) -> Result<CallRow, StoreError> {
    check_version(current, expected_version)?;
    diesel::update(
        calls::table
            .find(&current.id)
            .filter(calls::version.eq(current.version)),
    )
    .set((
        CallChanges::between(current, fields),
        calls::version.eq(current.version + 1),
        calls::updated_at.eq(now),
    ))
    .returning(COLUMNS)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::VersionMismatch)
}

/// Sets the stored status if the call is still at the version read and `expected_version`
/// (when given) names it; returns the stored row.
pub fn set_status(
    conn: &mut DbConn,
    current: &CallRow,
    expected_version: Option<i64>,
    status: &str,
    now: NaiveDateTime,
) -> Result<CallRow, StoreError> {
    check_version(current, expected_version)?;
    diesel::update(
        calls::table
            .find(&current.id)
            .filter(calls::version.eq(current.version)),
    )
    .set((
        calls::status.eq(status),
        calls::version.eq(current.version + 1),
        calls::updated_at.eq(now),
    ))
    .returning(COLUMNS)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::VersionMismatch)
}

/// The criteria of some calls, in call then position order (one query for a page).
pub fn criteria_of(
    conn: &mut DbConn,
    call_ids: &[String],
) -> Result<Vec<CriterionRow>, StoreError> {
    Ok(call_criteria::table
        .filter(call_criteria::call_id.eq_any(call_ids))
        .select(CriterionRow::as_select())
        .order((call_criteria::call_id.asc(), call_criteria::position.asc()))
        .load(conn)?)
}

/// Replaces a call's criteria.
pub fn replace_criteria(
    conn: &mut DbConn,
    call_id: &str,
    criteria: &[CriterionRow],
) -> Result<(), StoreError> {
    diesel::delete(call_criteria::table.filter(call_criteria::call_id.eq(call_id)))
        .execute(conn)?;
    for c in criteria {
        diesel::insert_into(call_criteria::table)
            .values(c)
            .execute(conn)?;
    }
    Ok(())
}

/// The committee members (user ids) of some calls, as `(call_id, user_id)`.
pub fn committee_of(
    conn: &mut DbConn,
    call_ids: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(call_committee::table
        .filter(call_committee::call_id.eq_any(call_ids))
        .select((call_committee::call_id, call_committee::user_id))
        .order((call_committee::call_id.asc(), call_committee::user_id.asc()))
        .load(conn)?)
}

/// Replaces a call's committee.
pub fn replace_committee(
    conn: &mut DbConn,
    call_id: &str,
    user_ids: &[String],
) -> Result<(), StoreError> {
    diesel::delete(call_committee::table.filter(call_committee::call_id.eq(call_id)))
        .execute(conn)?;
    for u in user_ids {
        diesel::insert_into(call_committee::table)
            .values((
                call_committee::call_id.eq(call_id),
                call_committee::user_id.eq(u),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether the user sits on the call's committee.
pub fn is_committee_member(
    conn: &mut DbConn,
    call_id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    let n: i64 = call_committee::table
        .filter(call_committee::call_id.eq(call_id))
        .filter(call_committee::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Locks a call's row until the transaction ends (a no-op UPDATE: PostgreSQL takes a row lock;
/// SQLite's write transaction already excludes other writers). Serialises awards against the
/// envelope.
pub fn lock(conn: &mut DbConn, id: &str) -> Result<(), StoreError> {
    diesel::update(calls::table.find(id))
        .set(calls::version.eq(calls::version))
        .execute(conn)?;
    Ok(())
}

/// What deciding a call did: applications awarded and rejected, and the total awarded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Decision {
    /// Applications awarded.
    pub awarded: i64,
    /// Applications rejected (including those rejected by the decision).
    pub rejected: i64,
    /// Sum of the call's grants, minor units.
    pub awarded_total_minor: i64,
}

/// Rejects every application of the call still pending (submitted or under review) in one
/// statement, then counts the outcome and sums the grants in SQL.
pub fn decide(
    conn: &mut DbConn,
    call_id: &str,
    now: NaiveDateTime,
) -> Result<Decision, StoreError> {
    use crate::schema::{applications, grants};
    diesel::update(
        applications::table
            .filter(applications::call_id.eq(call_id))
            .filter(applications::status.eq_any(["submitted", "under_review"])),
    )
    .set((
        applications::status.eq("rejected"),
        applications::version.eq(applications::version + 1),
        applications::updated_at.eq(now),
    ))
    .execute(conn)?;
    let count = |conn: &mut DbConn, status: &str| -> Result<i64, StoreError> {
        Ok(applications::table
            .filter(applications::call_id.eq(call_id))
            .filter(applications::status.eq(status))
            .count()
            .get_result(conn)?)
    };
    let awarded = count(conn, "awarded")?;
    let rejected = count(conn, "rejected")?;
    let awarded_total_minor = grants::table
        .filter(grants::call_id.eq(call_id))
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)",
        ))
        .get_result(conn)?;
    Ok(Decision {
        awarded,
        rejected,
        awarded_total_minor,
    })
}
