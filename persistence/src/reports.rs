//! Reports: one per reporting requirement, sharing its id; the row exists once someone has
//! saved the report (until then the requirement's report is `due`).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::{
    report_comments, report_expenditures, report_value_parts, report_values, report_versions,
    reporting_requirements, reports,
};
use crate::stored;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use seriktes_domain::ids::{BudgetLineId, GrantId, IndicatorId, RequirementId, UserId};
use seriktes_domain::indicator::Dimension;
use seriktes_domain::money::{Currency, Money};
use seriktes_domain::report::{Comment, Expenditure, IndicatorValue, Part, ReportStatus, Value};

/// A requirement's grant and its report's status (`None`: no report saved yet), in one
/// statement; `NotFound` when there is no such requirement.
pub fn requirement_report(
    conn: &mut DbConn,
    requirement: RequirementId,
) -> Result<(GrantId, Option<ReportStatus>), StoreError> {
    let (grant, status): (stored::Uuid, Option<String>) = reporting_requirements::table
        .left_join(reports::table)
        .filter(reporting_requirements::id.eq(requirement.to_string()))
        .select((reporting_requirements::grant_id, reports::status.nullable()))
        .first(conn)?;
    let status = status
        .map(|s| stored::value("reports.status", &s, ReportStatus::parse))
        .transpose()?;
    Ok((GrantId::from_uuid(grant.0), status))
}

/// A report's narrative: texts by section key.
pub type Narrative = std::collections::BTreeMap<String, seriktes_domain::text::LocalizedText>;

/// A saved report (the `reports` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Its id: its requirement's.
    pub id: RequirementId,
    /// The grant.
    pub grant: GrantId,
    /// Status.
    pub status: ReportStatus,
    /// Narrative texts.
    pub narrative: Narrative,
    /// How many times it was submitted (the number of its last version).
    pub submissions: i32,
    /// When last submitted.
    pub submitted_at: Option<NaiveDateTime>,
    /// When last accepted or sent back.
    pub decided_at: Option<NaiveDateTime>,
    /// Version (ETag).
    pub version: i64,
    /// When first saved.
    pub created_at: NaiveDateTime,
    /// When last changed.
    pub updated_at: NaiveDateTime,
}

type ReportRow = (
    stored::Uuid,
    stored::Uuid,
    String,
    String,
    i32,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    i64,
    NaiveDateTime,
    NaiveDateTime,
);

fn report_from(r: ReportRow) -> Result<Report, StoreError> {
    let narrative = serde_json::from_str(&r.3).map_err(|e| StoreError::Corrupt {
        column: "reports.narrative",
        reason: e.to_string(),
    })?;
    Ok(Report {
        id: RequirementId::from_uuid(r.0.0),
        grant: GrantId::from_uuid(r.1.0),
        status: stored::value("reports.status", &r.2, ReportStatus::parse)?,
        narrative,
        submissions: r.4,
        submitted_at: r.5,
        decided_at: r.6,
        version: r.7,
        created_at: r.8,
        updated_at: r.9,
    })
}

fn narrative_json(n: &Narrative) -> String {
    serde_json::to_string(n).unwrap_or_else(|_| "{}".to_owned())
}

/// A saved report, or `None` while its requirement's report is `due` (one statement).
pub fn find(conn: &mut DbConn, id: RequirementId) -> Result<Option<Report>, StoreError> {
    use reports as t;
    let row: Option<ReportRow> = t::table
        .find(id.to_string())
        .select((
            t::id,
            t::grant_id,
            t::status,
            t::narrative,
            t::submissions,
            t::submitted_at,
            t::decided_at,
            t::version,
            t::created_at,
            t::updated_at,
        ))
        .first(conn)
        .optional()?;
    row.map(report_from).transpose()
}

/// The statuses of a grant's saved reports (one statement).
pub fn statuses_of(
    conn: &mut DbConn,
    grant: GrantId,
) -> Result<Vec<(RequirementId, ReportStatus)>, StoreError> {
    let rows: Vec<(stored::Uuid, String)> = reports::table
        .filter(reports::grant_id.eq(grant.to_string()))
        .select((reports::id, reports::status))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, s)| {
            Ok((
                RequirementId::from_uuid(id.0),
                stored::value("reports.status", &s, ReportStatus::parse)?,
            ))
        })
        .collect()
}

/// Inserts a report's row.
pub fn insert(conn: &mut DbConn, r: &Report) -> Result<(), StoreError> {
    use reports as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(r.id.to_string()),
            t::grant_id.eq(r.grant.to_string()),
            t::status.eq(r.status.as_str()),
            t::narrative.eq(narrative_json(&r.narrative)),
            t::submissions.eq(r.submissions),
            t::submitted_at.eq(r.submitted_at),
            t::decided_at.eq(r.decided_at),
            t::version.eq(r.version),
            t::created_at.eq(r.created_at),
            t::updated_at.eq(r.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores a report's row as `next` if it is still at `current`'s version (and at `expected`,
/// the client's `If-Match`, when given); returns the new version.
pub fn update(
    conn: &mut DbConn,
    current: &Report,
    expected: Option<i64>,
    next: &Report,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    update_versioned!(
        conn,
        reports,
        current.id.to_string(),
        current.version,
        expected,
        now,
        reports::status.eq(next.status.as_str()),
        reports::narrative.eq(narrative_json(&next.narrative)),
        reports::submissions.eq(next.submissions),
        reports::submitted_at.eq(next.submitted_at),
        reports::decided_at.eq(next.decided_at),
    )?;
    Ok(current.version + 1)
}

/// A report's indicator values with their parts, and its expenditures in `currency` (three
/// statements, one per table).
pub fn form_of(
    conn: &mut DbConn,
    id: RequirementId,
    currency: Currency,
) -> Result<(Vec<IndicatorValue>, Vec<Expenditure>), StoreError> {
    let key = id.to_string();
    type ValueRow = (
        stored::Uuid,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<String>,
    );
    let values: Vec<ValueRow> = report_values::table
        .filter(report_values::report_id.eq(&key))
        .order(report_values::indicator_id.asc())
        .select((
            report_values::indicator_id,
            report_values::value,
            report_values::denominator,
            report_values::text_value,
            report_values::note,
        ))
        .load(conn)?;
    let parts: Vec<(stored::Uuid, String, String, i64)> = report_value_parts::table
        .filter(report_value_parts::report_id.eq(&key))
        .order((
            report_value_parts::indicator_id.asc(),
            report_value_parts::dimension.asc(),
            report_value_parts::category.asc(),
        ))
        .select((
            report_value_parts::indicator_id,
            report_value_parts::dimension,
            report_value_parts::category,
            report_value_parts::count,
        ))
        .load(conn)?;
    let spent: Vec<(stored::Uuid, i64, Option<String>)> = report_expenditures::table
        .filter(report_expenditures::report_id.eq(&key))
        .order(report_expenditures::budget_line_id.asc())
        .select((
            report_expenditures::budget_line_id,
            report_expenditures::amount_minor,
            report_expenditures::note,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(values.len());
    for (indicator, value, denominator, text, note) in values {
        let value = match (text, denominator) {
            (Some(t), _) => Value::Qualitative(t),
            (None, Some(d)) => Value::Percentage {
                numerator: value.unwrap_or(0),
                denominator: d,
            },
            (None, None) => Value::Count(value.unwrap_or(0)),
        };
        let parts = parts
            .iter()
            .filter(|p| p.0.0 == indicator.0)
            .map(|(_, d, c, n)| {
                Ok(Part {
                    dimension: stored::value("report_value_parts.dimension", d, Dimension::parse)?,
                    category: c.clone(),
                    count: *n,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        out.push(IndicatorValue {
            indicator: IndicatorId::from_uuid(indicator.0),
            value,
            parts,
            note,
        });
    }
    let spent = spent
        .into_iter()
        .map(|(line, minor, note)| Expenditure {
            line: BudgetLineId::from_uuid(line.0),
            amount: Money::from_minor(minor, currency),
            note,
        })
        .collect();
    Ok((out, spent))
}

/// Replaces a report's indicator values and their parts (two deletes, two inserts at most).
pub fn replace_values(
    conn: &mut DbConn,
    id: RequirementId,
    values: &[IndicatorValue],
) -> Result<(), StoreError> {
    let key = id.to_string();
    diesel::delete(report_value_parts::table.filter(report_value_parts::report_id.eq(&key)))
        .execute(conn)?;
    diesel::delete(report_values::table.filter(report_values::report_id.eq(&key))).execute(conn)?;
    let rows: Vec<_> = values
        .iter()
        .map(|v| {
            let (value, denominator, text) = match &v.value {
                Value::Count(n) => (Some(*n), None, None),
                Value::Percentage {
                    numerator,
                    denominator,
                } => (Some(*numerator), Some(*denominator), None),
                Value::Qualitative(t) => (None, None, Some(t.clone())),
            };
            (
                report_values::report_id.eq(key.clone()),
                report_values::indicator_id.eq(v.indicator.to_string()),
                report_values::value.eq(value),
                report_values::denominator.eq(denominator),
                report_values::text_value.eq(text),
                report_values::note.eq(v.note.clone()),
            )
        })
        .collect();
    crate::insert_many!(conn, report_values::table, rows);
    let parts: Vec<_> = values
        .iter()
        .flat_map(|v| {
            let key = key.clone();
            v.parts.iter().map(move |p| {
                (
                    report_value_parts::report_id.eq(key.clone()),
                    report_value_parts::indicator_id.eq(v.indicator.to_string()),
                    report_value_parts::dimension.eq(p.dimension.as_str()),
                    report_value_parts::category.eq(p.category.clone()),
                    report_value_parts::count.eq(p.count),
                )
            })
        })
        .collect();
    crate::insert_many!(conn, report_value_parts::table, parts);
    Ok(())
}

/// Replaces a report's expenditures (a delete and an insert at most).
pub fn replace_expenditures(
    conn: &mut DbConn,
    id: RequirementId,
    spent: &[Expenditure],
) -> Result<(), StoreError> {
    let key = id.to_string();
    diesel::delete(report_expenditures::table.filter(report_expenditures::report_id.eq(&key)))
        .execute(conn)?;
    let rows: Vec<_> = spent
        .iter()
        .map(|e| {
            (
                report_expenditures::report_id.eq(key.clone()),
                report_expenditures::budget_line_id.eq(e.line.to_string()),
                report_expenditures::amount_minor.eq(e.amount.minor()),
                report_expenditures::note.eq(e.note.clone()),
            )
        })
        .collect();
    crate::insert_many!(conn, report_expenditures::table, rows);
    Ok(())
}

/// What the grant's other accepted reports due on or before `due_on` spent, per budget line
/// (one statement).
pub fn spent_before(
    conn: &mut DbConn,
    grant: GrantId,
    id: RequirementId,
    due_on: NaiveDate,
) -> Result<Vec<(BudgetLineId, i64)>, StoreError> {
    let rows: Vec<(stored::Uuid, i64)> = report_expenditures::table
        .inner_join(reports::table.inner_join(reporting_requirements::table))
        .filter(reports::grant_id.eq(grant.to_string()))
        .filter(reports::id.ne(id.to_string()))
        .filter(reports::status.eq(ReportStatus::Accepted.as_str()))
        .filter(reporting_requirements::due_on.le(due_on))
        .select((
            report_expenditures::budget_line_id,
            report_expenditures::amount_minor,
        ))
        .load(conn)?;
    let mut sums: Vec<(BudgetLineId, i64)> = Vec::new();
    for (line, minor) in rows {
        let line = BudgetLineId::from_uuid(line.0);
        match sums.iter_mut().find(|(l, _)| *l == line) {
            Some((_, m)) => *m = m.saturating_add(minor),
            None => sums.push((line, minor)),
        }
    }
    Ok(sums)
}

/// Stores a submitted form whole as version `number`.
pub fn insert_version(
    conn: &mut DbConn,
    id: RequirementId,
    number: i32,
    form: &str,
    by: Option<UserId>,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(report_versions::table)
        .values((
            report_versions::report_id.eq(id.to_string()),
            report_versions::number.eq(number),
            report_versions::form.eq(form),
            report_versions::submitted_by.eq(by.map(|u| u.to_string())),
            report_versions::submitted_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores comments of `kind` (`revision` or `comment`) on version `submission` (one statement).
pub fn insert_comments(
    conn: &mut DbConn,
    id: RequirementId,
    author: Option<UserId>,
    kind: &'static str,
    submission: Option<i32>,
    comments: &[Comment],
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let rows: Vec<_> = comments
        .iter()
        .map(|c| {
            (
                report_comments::id.eq(uuid::Uuid::now_v7().to_string()),
                report_comments::report_id.eq(id.to_string()),
                report_comments::author_id.eq(author.map(|u| u.to_string())),
                report_comments::kind.eq(kind),
                report_comments::section.eq(c.section.clone()),
                report_comments::text.eq(c.text.clone()),
                report_comments::submission.eq(submission),
                report_comments::created_at.eq(now),
            )
        })
        .collect();
    crate::insert_many!(conn, report_comments::table, rows);
    Ok(())
}
