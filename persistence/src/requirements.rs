//! Reporting requirements of grants, the history of their moved due dates, and reporting
//! schedules as programmes and calls store them (three columns each, `reporting_*`).
//!
//! A grant's requirements are listed by due date, then id; the page key holds both
//! ([`Key`]), so that the keyset follows that order. Generated requirements (`periodic`,
//! `final`) are inserted in one statement ([`insert`], `insert_many!`) and replaced by
//! [`remove`] when an amendment changes the grant's period.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{
    calls, grants, programmes, reporting_requirement_moves, reporting_requirements, reports,
};
use crate::stored;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use seriktes_domain::ids::{GrantId, RequirementId, RequirementMoveId, UserId};
use seriktes_domain::report::ReportStatus;
use seriktes_domain::reporting::{
    ReportingFrequency, ReportingSchedule, RequirementKind, RequirementStatus,
};

/// A requirement as the domain sees it.
pub type Requirement = seriktes_domain::reporting::Requirement<NaiveDate, NaiveDateTime>;
/// A move of a due date as the domain sees it.
pub type Move = seriktes_domain::reporting::RequirementMove<NaiveDate, NaiveDateTime>;

/// A schedule read from its three columns; `column` names the frequency column on failure.
pub(crate) fn schedule_from(
    column: &'static str,
    frequency: &str,
    final_report: bool,
    due_days: i32,
) -> Result<ReportingSchedule, StoreError> {
    let frequency = stored::value(column, frequency, ReportingFrequency::parse)?;
    ReportingSchedule::parse(frequency, final_report, due_days).map_err(|e| StoreError::Corrupt {
        column,
        reason: e.to_string(),
    })
}

/// A call's schedule from its three nullable columns: all NULL is none (the programme's).
pub(crate) fn call_schedule_from(
    frequency: Option<&str>,
    final_report: Option<bool>,
    due_days: Option<i32>,
) -> Result<Option<ReportingSchedule>, StoreError> {
    match (frequency, final_report, due_days) {
        (None, None, None) => Ok(None),
        (Some(f), Some(r), Some(d)) => {
            schedule_from("calls.reporting_frequency", f, r, d).map(Some)
        }
        _ => Err(StoreError::Corrupt {
            column: "calls.reporting_frequency",
            reason: "the three reporting columns are neither all set nor all NULL".into(),
        }),
    }
}

/// The three stored columns of a schedule: frequency, final report, due days.
pub(crate) fn schedule_columns(s: &ReportingSchedule) -> (String, bool, i32) {
    (
        s.frequency().as_str().to_owned(),
        s.final_report(),
        s.due_days(),
    )
}

/// A stored requirement.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = reporting_requirements)]
pub(crate) struct RequirementRow {
    pub(crate) id: stored::Uuid,
    grant_id: stored::Uuid,
    kind: String,
    title: Option<String>,
    period_start: NaiveDate,
    period_end: NaiveDate,
    pub(crate) due_on: NaiveDate,
    status: String,
    waived_reason: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl RequirementRow {
    pub(crate) fn into_domain(self) -> Result<Requirement, StoreError> {
        Ok(Requirement {
            id: RequirementId::from_uuid(self.id.0),
            grant: GrantId::from_uuid(self.grant_id.0),
            kind: stored::value(
                "reporting_requirements.kind",
                &self.kind,
                RequirementKind::parse,
            )?,
            title: self
                .title
                .as_deref()
                .map(|t| stored::text("reporting_requirements.title", t))
                .transpose()?,
            period_start: self.period_start,
            period_end: self.period_end,
            due_on: self.due_on,
            status: stored::value(
                "reporting_requirements.status",
                &self.status,
                RequirementStatus::parse,
            )?,
            waived_reason: self.waived_reason,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// One requirement row as `insert_many!` takes it: a tuple of `column.eq(value)`.
type RequirementValues = (
    diesel::dsl::Eq<reporting_requirements::id, String>,
    diesel::dsl::Eq<reporting_requirements::grant_id, String>,
    diesel::dsl::Eq<reporting_requirements::kind, &'static str>,
    diesel::dsl::Eq<reporting_requirements::title, Option<String>>,
    diesel::dsl::Eq<reporting_requirements::period_start, NaiveDate>,
    diesel::dsl::Eq<reporting_requirements::period_end, NaiveDate>,
    diesel::dsl::Eq<reporting_requirements::due_on, NaiveDate>,
    diesel::dsl::Eq<reporting_requirements::status, &'static str>,
    diesel::dsl::Eq<reporting_requirements::waived_reason, Option<String>>,
    diesel::dsl::Eq<reporting_requirements::version, i64>,
    diesel::dsl::Eq<reporting_requirements::created_at, NaiveDateTime>,
    diesel::dsl::Eq<reporting_requirements::updated_at, NaiveDateTime>,
);

fn values(r: &Requirement) -> RequirementValues {
    use reporting_requirements as t;
    (
        t::id.eq(r.id.to_string()),
        t::grant_id.eq(r.grant.to_string()),
        t::kind.eq(r.kind.as_str()),
        t::title.eq(r.title.as_ref().map(|t| stored::to_json(t.translations()))),
        t::period_start.eq(r.period_start),
        t::period_end.eq(r.period_end),
        t::due_on.eq(r.due_on),
        t::status.eq(r.status.as_str()),
        t::waived_reason.eq(r.waived_reason.clone()),
        t::version.eq(r.version),
        t::created_at.eq(r.created_at),
        t::updated_at.eq(r.updated_at),
    )
}

/// Inserts requirements in one statement (none: no statement).
pub fn insert(conn: &mut DbConn, requirements: &[Requirement]) -> Result<(), StoreError> {
    let rows: Vec<RequirementValues> = requirements.iter().map(values).collect();
    crate::insert_many!(conn, reporting_requirements::table, rows);
    Ok(())
}

/// Finds a requirement (one statement).
pub fn find(conn: &mut DbConn, id: RequirementId) -> Result<Requirement, StoreError> {
    reporting_requirements::table
        .find(id.to_string())
        .select(RequirementRow::as_select())
        .first::<RequirementRow>(conn)?
        .into_domain()
}

/// A stored report status, `None` for a requirement whose report was never saved (`due`).
fn report_status(raw: Option<String>) -> Result<Option<ReportStatus>, StoreError> {
    raw.map(|s| stored::value("reports.status", &s, ReportStatus::parse))
        .transpose()
}

/// Finds a requirement with its report's status (`None`: never saved, `due`) (one statement).
pub fn find_reported(
    conn: &mut DbConn,
    id: RequirementId,
) -> Result<(Requirement, Option<ReportStatus>), StoreError> {
    use reporting_requirements as t;
    let (row, status): (RequirementRow, Option<String>) = t::table
        .left_join(reports::table.on(reports::id.eq(t::id)))
        .filter(t::id.eq(id.to_string()))
        .select((RequirementRow::as_select(), reports::status.nullable()))
        .first(conn)?;
    Ok((row.into_domain()?, report_status(status)?))
}

/// The position of a requirement in its grant's list: its due date and id. A page continues
/// after the key of the last requirement of the page before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub(crate) due_on: NaiveDate,
    pub(crate) id: RequirementId,
}

impl Key {
    /// The key's text, `YYYY-MM-DD/<id>`, as a page's `next_after` holds it.
    pub(crate) fn text(due_on: NaiveDate, id: &stored::Uuid) -> String {
        format!("{due_on}/{}", id.0)
    }

    /// Reads a key's text; `None` for anything [`list`] did not write.
    pub fn parse(text: &str) -> Option<Self> {
        let (date, id) = text.split_once('/')?;
        Some(Self {
            due_on: date.parse().ok()?,
            id: RequirementId::parse(id).ok()?,
        })
    }
}

/// Filters of [`list`].
#[derive(Debug, Clone, Copy)]
pub struct RequirementFilter {
    /// Only requirements in this status.
    pub status: Option<RequirementStatus>,
    /// Only overdue requirements (`true`) or only those not overdue (`false`) on `today`, by
    /// the rule of `seriktes_domain::reporting::is_overdue`.
    pub overdue: Option<bool>,
    /// The date `overdue` is decided on.
    pub today: NaiveDate,
    /// Only requirements changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of a grant's requirements by due date, then id, each with its report's status
/// (`None`: never saved, `due`) (one statement).
pub fn list(
    conn: &mut DbConn,
    grant: GrantId,
    filter: &RequirementFilter,
    after: Option<Key>,
    limit: i64,
) -> Result<Page<(Requirement, Option<ReportStatus>)>, StoreError> {
    use reporting_requirements as t;
    let mut q = t::table
        .left_join(reports::table.on(reports::id.eq(t::id)))
        .filter(t::grant_id.eq(grant.to_string()))
        .select((RequirementRow::as_select(), reports::status.nullable()))
        .into_boxed();
    if let Some(k) = after {
        let id = k.id.to_string();
        q = q.filter(
            t::due_on
                .gt(k.due_on)
                .or(t::due_on.eq(k.due_on).and(t::id.gt(id))),
        );
    }
    if let Some(s) = filter.status {
        q = q.filter(t::status.eq(s.as_str()));
    }
    // `is_overdue` in SQL: open, due before today, and no report submitted or accepted (the
    // report joined, if there is one).
    let delivered = reports::status
        .nullable()
        .eq_any(delivered_statuses())
        .assume_not_null();
    let overdue = t::status
        .eq(RequirementStatus::Open.as_str())
        .and(t::due_on.lt(filter.today))
        .and(diesel::dsl::not(reports::id.is_not_null().and(delivered)));
    match filter.overdue {
        Some(true) => q = q.filter(overdue),
        Some(false) => q = q.filter(diesel::dsl::not(overdue)),
        None => {}
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(t::updated_at.ge(since));
    }
    let req = PageRequest { after: None, limit };
    let rows: Vec<(RequirementRow, Option<String>)> = q
        .order((t::due_on.asc(), t::id.asc()))
        .limit(req.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, &req, |(r, _)| Key::text(r.due_on, &r.id));
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|(r, s)| Ok((r.into_domain()?, report_status(s)?)))
            .collect::<Result<_, StoreError>>()?,
        next_after: page.next_after,
    })
}

/// The generated (`periodic`, `final`) requirements of a grant as `(id, kind, period_start,
/// period_end)`, by due date (one statement).
pub fn generated_of(
    conn: &mut DbConn,
    grant: GrantId,
) -> Result<Vec<(RequirementId, RequirementKind, NaiveDate, NaiveDate)>, StoreError> {
    use reporting_requirements as t;
    let rows: Vec<(stored::Uuid, String, NaiveDate, NaiveDate)> = t::table
        .filter(t::grant_id.eq(grant.to_string()))
        .filter(t::kind.eq_any(generated_kinds()))
        .order((t::due_on.asc(), t::id.asc()))
        .select((t::id, t::kind, t::period_start, t::period_end))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, kind, start, end)| {
            let kind = stored::value("reporting_requirements.kind", &kind, RequirementKind::parse)?;
            Ok((RequirementId::from_uuid(id.0), kind, start, end))
        })
        .collect()
}

fn delivered_statuses() -> Vec<&'static str> {
    ReportStatus::ALL
        .iter()
        .filter(|s| s.delivered())
        .map(|s| s.as_str())
        .collect()
}

fn generated_kinds() -> Vec<&'static str> {
    RequirementKind::ALL
        .iter()
        .filter(|k| k.is_generated())
        .map(|k| k.as_str())
        .collect()
}

/// Removes generated requirements (with their moves) that an amendment of the grant's period
/// replaces; ad-hoc ones are never removed. Returns how many were removed (one statement, none
/// when `ids` is empty).
///
/// Only requirements without a report are replaced: one that has a report is kept as it is.
pub fn remove(conn: &mut DbConn, ids: &[RequirementId]) -> Result<usize, StoreError> {
    use reporting_requirements as t;
    if ids.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    Ok(diesel::delete(
        t::table
            .filter(t::id.eq_any(ids))
            .filter(t::kind.eq_any(generated_kinds()))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                reports::table.filter(reports::id.eq(t::id)),
            ))),
    )
    .execute(conn)?)
}

/// Moves a requirement's due date if it is still at the version read (and at `expected`, the
/// client's `If-Match`, when given); returns the new version.
pub fn set_due(
    conn: &mut DbConn,
    current: &Requirement,
    expected: Option<i64>,
    due_on: NaiveDate,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    update_versioned!(
        conn,
        reporting_requirements,
        current.id.to_string(),
        current.version,
        expected,
        now,
        reporting_requirements::due_on.eq(due_on),
    )?;
    Ok(current.version + 1)
}

/// Waives a requirement with a reason, under the same guards as [`set_due`]; returns the new
/// version.
pub fn waive(
    conn: &mut DbConn,
    current: &Requirement,
    expected: Option<i64>,
    reason: &str,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    update_versioned!(
        conn,
        reporting_requirements,
        current.id.to_string(),
        current.version,
        expected,
        now,
        reporting_requirements::status.eq(RequirementStatus::Waived.as_str()),
        reporting_requirements::waived_reason.eq(Some(reason)),
    )?;
    Ok(current.version + 1)
}

/// Records a move of a due date.
pub fn insert_move(conn: &mut DbConn, m: &Move) -> Result<(), StoreError> {
    use reporting_requirement_moves as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(m.id.to_string()),
            t::requirement_id.eq(m.requirement.to_string()),
            t::from_due_on.eq(m.from_due_on),
            t::to_due_on.eq(m.to_due_on),
            t::reason.eq(&m.reason),
            t::actor_id.eq(m.actor.map(|a| a.to_string())),
            t::at.eq(m.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A stored move.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = reporting_requirement_moves)]
struct MoveRow {
    id: stored::Uuid,
    requirement_id: stored::Uuid,
    from_due_on: NaiveDate,
    to_due_on: NaiveDate,
    reason: String,
    actor_id: Option<stored::Uuid>,
    at: NaiveDateTime,
}

/// The moves of some requirements, by requirement, oldest first (one statement for a page).
pub fn moves_of(conn: &mut DbConn, ids: &[RequirementId]) -> Result<Vec<Move>, StoreError> {
    use reporting_requirement_moves as t;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<MoveRow> = t::table
        .filter(t::requirement_id.eq_any(ids))
        .order((t::requirement_id.asc(), t::at.asc(), t::id.asc()))
        .select(MoveRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Move {
            id: RequirementMoveId::from_uuid(r.id.0),
            requirement: RequirementId::from_uuid(r.requirement_id.0),
            from_due_on: r.from_due_on,
            to_due_on: r.to_due_on,
            reason: r.reason,
            actor: r.actor_id.map(|a| UserId::from_uuid(a.0)),
            at: r.at,
        })
        .collect())
}

/// The schedules a grant's requirements are planned from: its call's (if the call states one)
/// and its programme's (one statement).
pub fn schedules_of(
    conn: &mut DbConn,
    grant: GrantId,
) -> Result<(Option<ReportingSchedule>, ReportingSchedule), StoreError> {
    type Row = (Option<String>, Option<bool>, Option<i32>, String, bool, i32);
    let row: Row = grants::table
        .inner_join(programmes::table)
        .inner_join(calls::table.on(calls::id.eq(grants::call_id)))
        .filter(grants::id.eq(grant.to_string()))
        .select((
            calls::reporting_frequency,
            calls::reporting_final_report,
            calls::reporting_due_days,
            programmes::reporting_frequency,
            programmes::reporting_final_report,
            programmes::reporting_due_days,
        ))
        .first(conn)?;
    let (cf, cr, cd, pf, pr, pd) = row;
    Ok((
        call_schedule_from(cf.as_deref(), cr, cd)?,
        schedule_from("programmes.reporting_frequency", &pf, pr, pd)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_key_holds_the_due_date_and_the_id() {
        let id = uuid::Uuid::max();
        let due: NaiveDate = "2026-07-30".parse().unwrap();
        let text = Key::text(due, &stored::Uuid(id));
        assert_eq!(text, format!("2026-07-30/{id}"));
        assert_eq!(
            Key::parse(&text),
            Some(Key {
                due_on: due,
                id: RequirementId::from_uuid(id)
            })
        );
        for bad in [
            "",
            "2026-07-30",
            "2026-07-30/x",
            "tomorrow/00000000-0000-0000-0000-000000000000",
        ] {
            assert_eq!(Key::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_calls_schedule_is_all_three_columns_or_none() {
        assert_eq!(call_schedule_from(None, None, None).unwrap(), None);
        let s = call_schedule_from(Some("annual"), Some(false), Some(60))
            .unwrap()
            .unwrap();
        assert_eq!(schedule_columns(&s), ("annual".to_owned(), false, 60));
        assert!(call_schedule_from(Some("annual"), None, Some(60)).is_err());
        assert!(call_schedule_from(Some("monthly"), Some(true), Some(60)).is_err());
        assert!(schedule_from("programmes.reporting_frequency", "quarterly", true, 181).is_err());
    }
}
