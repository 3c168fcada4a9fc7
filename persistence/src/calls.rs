//! Calls for proposals, their weighted criteria and their committee.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::requirements;
use crate::schema::{call_committee, call_criteria, calls};
use crate::stored;
use crate::visibility;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::access::Actor;
use seriktes_domain::application::ApplicationStatus;
use seriktes_domain::call::{Call, CallCriterion, CallInput, CallStatus, CriterionInput};
use seriktes_domain::ids::{CallId, ProgrammeId, UserId};
use seriktes_domain::organization::OrganizationKind;

/// A stored call. Text fields hold JSON; money is in the programme's currency.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calls)]
struct CallRow {
    /// UUID.
    id: String,
    /// The programme.
    programme_id: String,
    /// JSON multilingual title.
    title: String,
    /// JSON multilingual description.
    description: Option<String>,
    /// Window start (UTC).
    opens_at: NaiveDateTime,
    /// Window end (UTC); the call is closed from this instant.
    closes_at: NaiveDateTime,
    /// Largest award, minor units.
    max_award_minor: i64,
    /// Total envelope, minor units.
    envelope_minor: i64,
    /// JSON array of organisation kinds.
    eligible_kinds: String,
    /// JSON array of ISO 3166-2 codes.
    eligible_regions: String,
    /// Shortest project, months.
    min_duration_months: i32,
    /// Longest project, months.
    max_duration_months: i32,
    /// Stored status (`open` may be effectively `closed`).
    status: String,
    /// Incremented on every change (ETag).
    version: i64,
    /// When created (UTC).
    created_at: NaiveDateTime,
    /// When last changed (UTC).
    updated_at: NaiveDateTime,
    /// The reporting schedule's frequency; NULL with the other two: the programme's schedule.
    reporting_frequency: Option<String>,
    /// Whether a final report is due.
    reporting_final_report: Option<bool>,
    /// Days after a period's end that a report is due.
    reporting_due_days: Option<i32>,
}

/// The editable fields of a call.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = calls, treat_none_as_null = true)]
struct CallFields {
    /// JSON multilingual title.
    title: String,
    /// JSON multilingual description.
    description: Option<String>,
    /// Window start (UTC).
    opens_at: NaiveDateTime,
    /// Window end (UTC).
    closes_at: NaiveDateTime,
    /// Largest award, minor units.
    max_award_minor: i64,
    /// Total envelope, minor units.
    envelope_minor: i64,
    /// JSON array of kinds.
    eligible_kinds: String,
    /// JSON array of regions.
    eligible_regions: String,
    /// Shortest project, months.
    min_duration_months: i32,
    /// Longest project, months.
    max_duration_months: i32,
    /// The reporting schedule's frequency (NULL: the programme's schedule).
    reporting_frequency: Option<String>,
    /// Whether a final report is due.
    reporting_final_report: Option<bool>,
    /// Days after a period's end that a report is due.
    reporting_due_days: Option<i32>,
}

/// A call to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = calls)]
struct NewCallRow<'a> {
    /// UUID.
    id: &'a str,
    /// The programme.
    programme_id: &'a str,
    /// `draft`.
    status: &'a str,
    /// When created (UTC).
    created_at: NaiveDateTime,
    /// Same as `created_at`.
    updated_at: NaiveDateTime,
}

/// One weighted criterion.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = call_criteria)]
struct CriterionRow {
    /// UUID.
    id: String,
    /// The call.
    call_id: String,
    /// Order in the call, from 0.
    position: i32,
    /// JSON multilingual name.
    name: String,
    /// Relative weight.
    weight: i32,
    /// Highest score.
    max_score: i32,
}

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
    reporting_frequency: Option<Option<String>>,
    reporting_final_report: Option<Option<bool>>,
    reporting_due_days: Option<Option<i32>>,
}

impl CallChanges {
    fn between(current: &CallFields, fields: &CallFields) -> Self {
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
            reporting_frequency: changed(&current.reporting_frequency, &fields.reporting_frequency),
            reporting_final_report: changed(
                &current.reporting_final_report,
                &fields.reporting_final_report,
            ),
            reporting_due_days: changed(&current.reporting_due_days, &fields.reporting_due_days),
        }
    }
}

/// Refuses when `expected` (when given) names another version than the one read.
fn check_version(current: &Call, expected: Option<i64>) -> Result<(), StoreError> {
    if expected.is_some_and(|v| v != current.version) {
        Err(StoreError::VersionMismatch)
    } else {
        Ok(())
    }
}

/// The stored fields of a call's input.
fn fields(d: &CallInput<NaiveDateTime, UserId>) -> CallFields {
    let kinds: Vec<&str> = d.eligible_kinds.iter().map(|k| k.as_str()).collect();
    let (reporting_frequency, reporting_final_report, reporting_due_days) = reporting(d.reporting);
    CallFields {
        title: stored::to_json(d.title.translations()),
        description: d
            .description
            .as_ref()
            .map(|t| stored::to_json(t.translations())),
        opens_at: d.opens_at,
        closes_at: d.closes_at,
        max_award_minor: d.max_award.minor(),
        envelope_minor: d.envelope.minor(),
        eligible_kinds: stored::to_json(&kinds),
        eligible_regions: stored::to_json(&d.eligible_regions),
        min_duration_months: d.min_duration_months,
        max_duration_months: d.max_duration_months,
        reporting_frequency,
        reporting_final_report,
        reporting_due_days,
    }
}

/// The three stored columns of a call's schedule, all NULL for none.
fn reporting(
    schedule: Option<seriktes_domain::reporting::ReportingSchedule>,
) -> (Option<String>, Option<bool>, Option<i32>) {
    match schedule.as_ref().map(requirements::schedule_columns) {
        Some((f, r, d)) => (Some(f), Some(r), Some(d)),
        None => (None, None, None),
    }
}

/// The stored fields of a call as read (to write only what changed).
fn fields_of(c: &Call) -> CallFields {
    let kinds: Vec<&str> = c.eligible_kinds.iter().map(|k| k.as_str()).collect();
    let (reporting_frequency, reporting_final_report, reporting_due_days) = reporting(c.reporting);
    CallFields {
        title: stored::to_json(c.title.translations()),
        description: c
            .description
            .as_ref()
            .map(|t| stored::to_json(t.translations())),
        opens_at: c.opens_at,
        closes_at: c.closes_at,
        max_award_minor: c.max_award_minor,
        envelope_minor: c.envelope_minor,
        eligible_kinds: stored::to_json(&kinds),
        eligible_regions: stored::to_json(&c.eligible_regions),
        min_duration_months: c.min_duration_months,
        max_duration_months: c.max_duration_months,
        reporting_frequency,
        reporting_final_report,
        reporting_due_days,
    }
}

/// Reads a stored call back, parsing every stored value once.
fn call(row: CallRow) -> Result<Call, StoreError> {
    let kinds: Vec<String> = stored::json("calls.eligible_kinds", &row.eligible_kinds)?;
    Ok(Call {
        id: stored::id("calls.id", &row.id, CallId::parse)?,
        programme: stored::id("calls.programme_id", &row.programme_id, ProgrammeId::parse)?,
        title: stored::text("calls.title", &row.title)?,
        description: row
            .description
            .as_deref()
            .map(|d| stored::text("calls.description", d))
            .transpose()?,
        opens_at: row.opens_at,
        closes_at: row.closes_at,
        max_award_minor: row.max_award_minor,
        envelope_minor: row.envelope_minor,
        eligible_kinds: kinds
            .iter()
            .map(|k| stored::value("calls.eligible_kinds", k, OrganizationKind::parse))
            .collect::<Result<_, _>>()?,
        eligible_regions: stored::json("calls.eligible_regions", &row.eligible_regions)?,
        min_duration_months: row.min_duration_months,
        max_duration_months: row.max_duration_months,
        status: stored::value("calls.status", &row.status, CallStatus::parse)?,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        reporting: requirements::call_schedule_from(
            row.reporting_frequency.as_deref(),
            row.reporting_final_report,
            row.reporting_due_days,
        )?,
    })
}

/// Inserts a draft call with its fields, returning the stored call (one statement).
pub fn insert(
    conn: &mut DbConn,
    id: CallId,
    programme: ProgrammeId,
    input: &CallInput<NaiveDateTime, UserId>,
    now: NaiveDateTime,
) -> Result<Call, StoreError> {
    let (id, programme_id) = (id.to_string(), programme.to_string());
    let row = diesel::insert_into(calls::table)
        .values((
            &NewCallRow {
                id: &id,
                programme_id: &programme_id,
                status: CallStatus::Draft.as_str(),
                created_at: now,
                updated_at: now,
            },
            &fields(input),
        ))
        .returning(calls::all_columns)
        .get_result(conn)?;
    call(row)
}

/// Finds a call (one statement).
pub fn find(conn: &mut DbConn, id: CallId) -> Result<Call, StoreError> {
    let row = calls::table
        .find(id.to_string())
        .select(CallRow::as_select())
        .first(conn)?;
    call(row)
}

/// Filters for [`list`].
#[derive(Debug)]
pub struct CallFilter {
    /// Only calls of this programme.
    pub programme: Option<ProgrammeId>,
    /// Only calls in this effective status.
    pub status: Option<CallStatus>,
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
) -> Result<Page<Call>, StoreError> {
    let mut q = calls::table.select(CallRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(calls::id.gt(after.clone()));
    }
    if let Some(p) = filter.programme {
        q = q.filter(calls::programme_id.eq(p.to_string()));
    }
    let now = filter.now;
    match filter.status {
        Some(CallStatus::Open) => {
            q = q.filter(calls::status.eq("open").and(calls::closes_at.gt(now)));
        }
        Some(CallStatus::Closed) => {
            q = q.filter(
                calls::status
                    .eq("closed")
                    .or(calls::status.eq("open").and(calls::closes_at.le(now))),
            );
        }
        Some(other) => q = q.filter(calls::status.eq(other.as_str())),
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
    let page = Page::from_rows(rows, page, |r: &CallRow| r.id.clone());
    Ok(Page {
        items: page.items.into_iter().map(call).collect::<Result<_, _>>()?,
        next_after: page.next_after,
    })
}

/// Writes the editable fields that differ from `current` if the call is still at the version
/// read and `expected_version` (when given) names it; returns the stored call.
pub fn update(
    conn: &mut DbConn,
    current: &Call,
    expected_version: Option<i64>,
    input: &CallInput<NaiveDateTime, UserId>,
    now: NaiveDateTime,
) -> Result<Call, StoreError> {
    check_version(current, expected_version)?;
    let row = diesel::update(
        calls::table
            .find(current.id.to_string())
            .filter(calls::version.eq(current.version)),
    )
    .set((
        CallChanges::between(&fields_of(current), &fields(input)),
        calls::version.eq(current.version + 1),
        calls::updated_at.eq(now),
    ))
    .returning(calls::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::WriteConflict)?;
    call(row)
}

/// Sets the stored status if the call is still at the version read and `expected_version`
/// (when given) names it; returns the stored call.
pub fn set_status(
    conn: &mut DbConn,
    current: &Call,
    expected_version: Option<i64>,
    status: CallStatus,
    now: NaiveDateTime,
) -> Result<Call, StoreError> {
    check_version(current, expected_version)?;
    let row = diesel::update(
        calls::table
            .find(current.id.to_string())
            .filter(calls::version.eq(current.version)),
    )
    .set((
        calls::status.eq(status.as_str()),
        calls::version.eq(current.version + 1),
        calls::updated_at.eq(now),
    ))
    .returning(calls::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::WriteConflict)?;
    call(row)
}

/// The criteria of some calls, in call then position order (one query for a page).
pub fn criteria_of(
    conn: &mut DbConn,
    call_ids: &[CallId],
) -> Result<Vec<CallCriterion>, StoreError> {
    let ids: Vec<String> = call_ids.iter().map(ToString::to_string).collect();
    let rows: Vec<CriterionRow> = call_criteria::table
        .filter(call_criteria::call_id.eq_any(ids))
        .select(CriterionRow::as_select())
        .order((call_criteria::call_id.asc(), call_criteria::position.asc()))
        .load(conn)?;
    rows.into_iter()
        .map(|c| {
            Ok(CallCriterion {
                call: stored::id("call_criteria.call_id", &c.call_id, CallId::parse)?,
                name: stored::text("call_criteria.name", &c.name)?,
                id: c.id,
                position: c.position,
                weight: c.weight,
                max_score: c.max_score,
            })
        })
        .collect()
}

/// Replaces a call's criteria (each gets a new id).
pub fn replace_criteria(
    conn: &mut DbConn,
    call: CallId,
    criteria: &[CriterionInput],
) -> Result<(), StoreError> {
    let call_id = call.to_string();
    diesel::delete(call_criteria::table.filter(call_criteria::call_id.eq(&call_id)))
        .execute(conn)?;
    for (i, c) in criteria.iter().enumerate() {
        diesel::insert_into(call_criteria::table)
            .values(&CriterionRow {
                id: uuid::Uuid::now_v7().to_string(),
                call_id: call_id.clone(),
                position: i32::try_from(i).unwrap_or(i32::MAX),
                name: stored::to_json(c.name.translations()),
                weight: c.weight,
                max_score: c.max_score,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// The committee members of some calls, as `(call, user)`, ordered by call then user.
pub fn committee_of(
    conn: &mut DbConn,
    call_ids: &[CallId],
) -> Result<Vec<(CallId, UserId)>, StoreError> {
    let ids: Vec<String> = call_ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(String, String)> = call_committee::table
        .filter(call_committee::call_id.eq_any(ids))
        .select((call_committee::call_id, call_committee::user_id))
        .order((call_committee::call_id.asc(), call_committee::user_id.asc()))
        .load(conn)?;
    rows.into_iter()
        .map(|(c, u)| {
            Ok((
                stored::id("call_committee.call_id", &c, CallId::parse)?,
                stored::id("call_committee.user_id", &u, UserId::parse)?,
            ))
        })
        .collect()
}

/// Replaces a call's committee.
pub fn replace_committee(
    conn: &mut DbConn,
    call: CallId,
    users: &[UserId],
) -> Result<(), StoreError> {
    let call_id = call.to_string();
    diesel::delete(call_committee::table.filter(call_committee::call_id.eq(&call_id)))
        .execute(conn)?;
    for u in users {
        diesel::insert_into(call_committee::table)
            .values((
                call_committee::call_id.eq(&call_id),
                call_committee::user_id.eq(u.to_string()),
            ))
            .execute(conn)?;
    }
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
pub fn decide(conn: &mut DbConn, call: CallId, now: NaiveDateTime) -> Result<Decision, StoreError> {
    use crate::schema::{applications, grants};
    let call_id = call.to_string();
    diesel::update(
        applications::table
            .filter(applications::call_id.eq(&call_id))
            .filter(applications::status.eq_any([
                ApplicationStatus::Submitted.as_str(),
                ApplicationStatus::UnderReview.as_str(),
            ])),
    )
    .set((
        applications::status.eq(ApplicationStatus::Rejected.as_str()),
        applications::version.eq(applications::version + 1),
        applications::updated_at.eq(now),
    ))
    .execute(conn)?;
    let count = |conn: &mut DbConn, status: ApplicationStatus| -> Result<i64, StoreError> {
        Ok(applications::table
            .filter(applications::call_id.eq(&call_id))
            .filter(applications::status.eq(status.as_str()))
            .count()
            .get_result(conn)?)
    };
    let awarded = count(conn, ApplicationStatus::Awarded)?;
    let rejected = count(conn, ApplicationStatus::Rejected)?;
    let awarded_total_minor = grants::table
        .filter(grants::call_id.eq(&call_id))
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
