//! Reports: one per reporting requirement, sharing its id; the row exists once someone has
//! saved the report (until then the requirement's report is `due`).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::grants;
use crate::page::{Page, PageRequest};
use crate::requirements::{Key, Requirement, RequirementRow};
use crate::schema::{
    self, programmes, report_comments, report_expenditures, report_value_parts, report_values,
    report_versions, reporting_requirements, reports,
};
use crate::stored;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use seriktes_domain::ids::{
    BudgetLineId, GrantId, IndicatorId, ReportCommentId, RequirementId, UserId,
};
use seriktes_domain::indicator::Dimension;
use seriktes_domain::money::{Currency, Money};
use seriktes_domain::report::{
    Comment, Expenditure, Form, IndicatorValue, Part, ReportStatus, Value,
};

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

/// A requirement, its grant (with its policy facts) and its saved report (`None`: due).
pub type Loaded = (Requirement, grants::Loaded, Option<Report>);

/// The columns of a `reports` row, in [`ReportRow`]'s order.
macro_rules! report_columns {
    () => {
        (
            reports::id,
            reports::grant_id,
            reports::status,
            reports::narrative,
            reports::submissions,
            reports::submitted_at,
            reports::decided_at,
            reports::version,
            reports::created_at,
            reports::updated_at,
        )
    };
}

/// A requirement with its grant, the grant's programme facts and its report's row, in one
/// statement; `None` when there is no such requirement.
pub fn load(conn: &mut DbConn, id: RequirementId) -> Result<Option<Loaded>, StoreError> {
    type Row = (
        RequirementRow,
        grants::GrantRow,
        stored::Uuid,
        Option<String>,
        Option<ReportRow>,
    );
    let row: Option<Row> = reporting_requirements::table
        .inner_join(schema::grants::table.inner_join(programmes::table))
        .left_join(reports::table.on(reports::id.eq(reporting_requirements::id)))
        .filter(reporting_requirements::id.eq(id.to_string()))
        .select((
            RequirementRow::as_select(),
            grants::GrantRow::as_select(),
            programmes::managing_organization_id,
            programmes::funder_ids,
            report_columns!().nullable(),
        ))
        .first(conn)
        .optional()?;
    let Some((requirement, grant, managing, funders, report)) = row else {
        return Ok(None);
    };
    Ok(Some((
        requirement.into_domain()?,
        grants::from_row((grant, managing, funders))?,
        report.map(report_from).transpose()?,
    )))
}

/// Filters of [`list`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportFilter {
    /// Only reports in this status.
    pub status: Option<ReportStatus>,
    /// Only accepted reports (what a funder sees).
    pub accepted_only: bool,
    /// Only reports changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of a grant's saved reports with their requirements, by due date then id, as the
/// requirements list orders them (one statement).
pub fn list(
    conn: &mut DbConn,
    grant: GrantId,
    filter: &ReportFilter,
    after: Option<Key>,
    limit: i64,
) -> Result<Page<(Requirement, Report)>, StoreError> {
    use reporting_requirements as t;
    let mut q = reports::table
        .inner_join(t::table)
        .filter(reports::grant_id.eq(grant.to_string()))
        .select((RequirementRow::as_select(), report_columns!()))
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
        q = q.filter(reports::status.eq(s.as_str()));
    }
    if filter.accepted_only {
        q = q.filter(reports::status.eq(ReportStatus::Accepted.as_str()));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(reports::updated_at.ge(since));
    }
    let req = PageRequest { after: None, limit };
    let rows: Vec<(RequirementRow, ReportRow)> = q
        .order((t::due_on.asc(), t::id.asc()))
        .limit(req.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, &req, |(r, _)| Key::text(r.due_on, &r.id));
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|(r, row)| Ok((r.into_domain()?, report_from(row)?)))
            .collect::<Result<_, StoreError>>()?,
        next_after: page.next_after,
    })
}

/// The indicator values of some reports with their parts, by report then indicator (one
/// statement: the values with their parts joined).
pub fn values_of(
    conn: &mut DbConn,
    ids: &[RequirementId],
) -> Result<Vec<(RequirementId, IndicatorValue)>, StoreError> {
    use report_value_parts as p;
    use report_values as v;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    type Row = (
        stored::Uuid,
        stored::Uuid,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<(String, String, i64)>,
    );
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<Row> = v::table
        .left_join(
            p::table.on(p::report_id
                .eq(v::report_id)
                .and(p::indicator_id.eq(v::indicator_id))),
        )
        .filter(v::report_id.eq_any(keys))
        .order((
            v::report_id.asc(),
            v::indicator_id.asc(),
            p::dimension.asc(),
            p::category.asc(),
        ))
        .select((
            v::report_id,
            v::indicator_id,
            v::value,
            v::denominator,
            v::text_value,
            v::note,
            (p::dimension, p::category, p::count).nullable(),
        ))
        .load(conn)?;
    let mut out: Vec<(RequirementId, IndicatorValue)> = Vec::new();
    for (report, indicator, value, denominator, text, note, part) in rows {
        let (report, indicator) = (
            RequirementId::from_uuid(report.0),
            IndicatorId::from_uuid(indicator.0),
        );
        let same = out
            .last()
            .is_some_and(|(r, v)| *r == report && v.indicator == indicator);
        if !same {
            out.push((
                report,
                IndicatorValue {
                    indicator,
                    value: value_from(value, denominator, text),
                    parts: Vec::new(),
                    note,
                },
            ));
        }
        if let (Some((d, category, count)), Some((_, v))) = (part, out.last_mut()) {
            v.parts.push(Part {
                dimension: stored::value("report_value_parts.dimension", &d, Dimension::parse)?,
                category,
                count,
            });
        }
    }
    Ok(out)
}

fn value_from(value: Option<i64>, denominator: Option<i64>, text: Option<String>) -> Value {
    match (text, denominator) {
        (Some(t), _) => Value::Qualitative(t),
        (None, Some(d)) => Value::Percentage {
            numerator: value.unwrap_or(0),
            denominator: d,
        },
        (None, None) => Value::Count(value.unwrap_or(0)),
    }
}

/// The expenditures of some reports in `currency`, by report then budget line (one statement).
pub fn expenditures_of(
    conn: &mut DbConn,
    ids: &[RequirementId],
    currency: Currency,
) -> Result<Vec<(RequirementId, Expenditure)>, StoreError> {
    use report_expenditures as e;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(stored::Uuid, stored::Uuid, i64, Option<String>)> = e::table
        .filter(e::report_id.eq_any(keys))
        .order((e::report_id.asc(), e::budget_line_id.asc()))
        .select((e::report_id, e::budget_line_id, e::amount_minor, e::note))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(report, line, minor, note)| {
            (
                RequirementId::from_uuid(report.0),
                Expenditure {
                    line: BudgetLineId::from_uuid(line.0),
                    amount: Money::from_minor(minor, currency),
                    note,
                },
            )
        })
        .collect())
}

/// What one accepted report of a grant spent on one budget line, with the report's due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedSpending {
    /// The report.
    pub report: RequirementId,
    /// Its requirement's due date.
    pub due_on: NaiveDate,
    /// The budget line.
    pub line: BudgetLineId,
    /// How much, in minor units.
    pub minor: i64,
}

/// What the grant's accepted reports due on or before `until` spent, per report and line (one
/// statement): a page of reports takes what each report's earlier spending is from it.
pub fn accepted_spending(
    conn: &mut DbConn,
    grant: GrantId,
    until: NaiveDate,
) -> Result<Vec<AcceptedSpending>, StoreError> {
    let rows: Vec<(stored::Uuid, NaiveDate, stored::Uuid, i64)> = report_expenditures::table
        .inner_join(reports::table.inner_join(reporting_requirements::table))
        .filter(reports::grant_id.eq(grant.to_string()))
        .filter(reports::status.eq(ReportStatus::Accepted.as_str()))
        .filter(reporting_requirements::due_on.le(until))
        .select((
            reports::id,
            reporting_requirements::due_on,
            report_expenditures::budget_line_id,
            report_expenditures::amount_minor,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(report, due_on, line, minor)| AcceptedSpending {
            report: RequirementId::from_uuid(report.0),
            due_on,
            line: BudgetLineId::from_uuid(line.0),
            minor,
        })
        .collect())
}

/// One report's money: its expenditures, and what the grant's other accepted reports due on
/// or before `due_on` spent per budget line, summed in SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportMoney {
    /// This report's expenditures, by budget line.
    pub expenditures: Vec<Expenditure>,
    /// Earlier spending per budget line (minor units).
    pub before: Vec<(BudgetLineId, i64)>,
}

/// A report's [`ReportMoney`] in `currency` (one statement: the grant's expenditures of this
/// report and of its accepted reports due on or before `due_on`, grouped by budget line).
pub fn money_of(
    conn: &mut DbConn,
    id: RequirementId,
    grant: GrantId,
    due_on: NaiveDate,
    currency: Currency,
) -> Result<ReportMoney, StoreError> {
    use diesel::sql_types::{BigInt, Date, Nullable, Text};
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        line: String,
        #[diesel(sql_type = BigInt)]
        this_period: i64,
        #[diesel(sql_type = BigInt)]
        earlier: i64,
        #[diesel(sql_type = Nullable<Text>)]
        note: Option<String>,
        #[diesel(sql_type = BigInt)]
        mine: i64,
    }
    // SQLite numbers `$n` parameters in order of appearance: keep `$1` before `$2` and `$3`.
    // PostgreSQL sums BIGINT as NUMERIC: each sum is cast back.
    const QUERY: &str = "SELECT e.budget_line_id AS line, \
         CAST(SUM(CASE WHEN e.report_id = $1 THEN e.amount_minor ELSE 0 END) AS BIGINT) AS this_period, \
         CAST(SUM(CASE WHEN e.report_id = $1 THEN 0 ELSE e.amount_minor END) AS BIGINT) AS earlier, \
         MAX(CASE WHEN e.report_id = $1 THEN e.note END) AS note, \
         CAST(SUM(CASE WHEN e.report_id = $1 THEN 1 ELSE 0 END) AS BIGINT) AS mine \
         FROM report_expenditures e \
         JOIN reports r ON r.id = e.report_id \
         JOIN reporting_requirements q ON q.id = r.id \
         WHERE r.grant_id = $2 AND (r.id = $1 OR (r.status = 'accepted' AND q.due_on <= $3)) \
         GROUP BY e.budget_line_id ORDER BY e.budget_line_id";
    let rows: Vec<Line> = diesel::sql_query(QUERY)
        .bind::<Text, _>(id.to_string())
        .bind::<Text, _>(grant.to_string())
        .bind::<Date, _>(due_on)
        .load(conn)?;
    let mut money = ReportMoney::default();
    for r in rows {
        let line = stored::id(
            "report_expenditures.budget_line_id",
            &r.line,
            BudgetLineId::parse,
        )?;
        if r.mine > 0 {
            money.expenditures.push(Expenditure {
                line,
                amount: Money::from_minor(r.this_period, currency),
                note: r.note,
            });
        }
        if r.earlier != 0 {
            money.before.push((line, r.earlier));
        }
    }
    Ok(money)
}

/// One submission of a report, kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Its number: 1 for the first submission.
    pub number: i32,
    /// The form as submitted.
    pub form: Form,
    /// Who submitted it (`None` once the account is gone).
    pub submitted_by: Option<UserId>,
    /// When.
    pub submitted_at: NaiveDateTime,
}

/// A part as a version's JSON holds it.
#[derive(serde::Serialize, serde::Deserialize)]
struct PartJson {
    dimension: String,
    category: String,
    count: i64,
}

/// A value as a version's JSON holds it.
#[derive(serde::Serialize, serde::Deserialize)]
struct ValueJson {
    indicator_id: stored::Uuid,
    value: Option<i64>,
    denominator: Option<i64>,
    text: Option<String>,
    note: Option<String>,
    #[serde(default)]
    parts: Vec<PartJson>,
}

/// An expenditure as a version's JSON holds it.
#[derive(serde::Serialize, serde::Deserialize)]
struct ExpenditureJson {
    budget_line_id: stored::Uuid,
    amount_minor: i64,
    note: Option<String>,
}

/// A submitted form as `report_versions.form` holds it.
#[derive(serde::Serialize, serde::Deserialize)]
struct FormJson {
    #[serde(default)]
    narrative: Narrative,
    #[serde(default)]
    indicator_values: Vec<ValueJson>,
    #[serde(default)]
    expenditures: Vec<ExpenditureJson>,
}

/// The JSON a version keeps of `form` (`report_versions.form`).
pub fn form_json(form: &Form) -> String {
    let json = FormJson {
        narrative: form.narrative.clone(),
        indicator_values: form
            .values
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
                ValueJson {
                    indicator_id: stored::Uuid(v.indicator.uuid()),
                    value,
                    denominator,
                    text,
                    note: v.note.clone(),
                    parts: v
                        .parts
                        .iter()
                        .map(|p| PartJson {
                            dimension: p.dimension.as_str().to_owned(),
                            category: p.category.clone(),
                            count: p.count,
                        })
                        .collect(),
                }
            })
            .collect(),
        expenditures: form
            .expenditures
            .iter()
            .map(|e| ExpenditureJson {
                budget_line_id: stored::Uuid(e.line.uuid()),
                amount_minor: e.amount.minor(),
                note: e.note.clone(),
            })
            .collect(),
    };
    stored::to_json(&json)
}

/// Reads a version's JSON back into a form in `currency`.
fn form_from_json(raw: &str, currency: Currency) -> Result<Form, StoreError> {
    let json: FormJson = stored::json("report_versions.form", raw)?;
    let mut values = Vec::with_capacity(json.indicator_values.len());
    for v in json.indicator_values {
        let parts = v
            .parts
            .into_iter()
            .map(|p| {
                Ok(Part {
                    dimension: stored::value(
                        "report_versions.form",
                        &p.dimension,
                        Dimension::parse,
                    )?,
                    category: p.category,
                    count: p.count,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        values.push(IndicatorValue {
            indicator: IndicatorId::from_uuid(v.indicator_id.0),
            value: value_from(v.value, v.denominator, v.text),
            parts,
            note: v.note,
        });
    }
    Ok(Form {
        narrative: json.narrative,
        values,
        expenditures: json
            .expenditures
            .into_iter()
            .map(|e| Expenditure {
                line: BudgetLineId::from_uuid(e.budget_line_id.0),
                amount: Money::from_minor(e.amount_minor, currency),
                note: e.note,
            })
            .collect(),
    })
}

type VersionRow = (i32, String, Option<stored::Uuid>, NaiveDateTime);

fn version_from(r: VersionRow, currency: Currency) -> Result<Version, StoreError> {
    Ok(Version {
        number: r.0,
        form: form_from_json(&r.1, currency)?,
        submitted_by: r.2.map(|u| UserId::from_uuid(u.0)),
        submitted_at: r.3,
    })
}

/// A report's versions numbered `from` and up, at most `limit` of them, by number (one
/// statement).
pub fn versions_from(
    conn: &mut DbConn,
    id: RequirementId,
    from: i32,
    limit: i64,
    currency: Currency,
) -> Result<Vec<Version>, StoreError> {
    use report_versions as t;
    let rows: Vec<VersionRow> = t::table
        .filter(t::report_id.eq(id.to_string()))
        .filter(t::number.ge(from))
        .order(t::number.asc())
        .limit(limit)
        .select((t::number, t::form, t::submitted_by, t::submitted_at))
        .load(conn)?;
    rows.into_iter()
        .map(|r| version_from(r, currency))
        .collect()
}

/// A report's version `number` and the one before it (one statement); `None` when there is
/// no such version.
pub fn version_with_previous(
    conn: &mut DbConn,
    id: RequirementId,
    number: i32,
    currency: Currency,
) -> Result<Option<(Version, Option<Version>)>, StoreError> {
    let mut found = versions_from(conn, id, number.saturating_sub(1).max(1), 2, currency)?;
    let current = match found.iter().position(|v| v.number == number) {
        Some(i) => found.remove(i),
        None => return Ok(None),
    };
    let previous = found.into_iter().find(|v| v.number + 1 == number);
    Ok(Some((current, previous)))
}

/// A comment on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredComment {
    /// Id.
    pub id: ReportCommentId,
    /// The report.
    pub report: RequirementId,
    /// Who wrote it (`None` once the account is gone).
    pub author: Option<UserId>,
    /// `revision` (given with a revision request) or `comment`.
    pub kind: String,
    /// A narrative section, `indicator_values`, `expenditures` or `general`.
    pub section: String,
    /// The text.
    pub text: String,
    /// The number of the submission it is about (`None` before the first).
    pub submission: Option<i32>,
    /// When.
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = report_comments)]
struct CommentRow {
    id: stored::Uuid,
    report_id: stored::Uuid,
    author_id: Option<stored::Uuid>,
    kind: String,
    section: String,
    text: String,
    submission: Option<i32>,
    created_at: NaiveDateTime,
}

impl From<CommentRow> for StoredComment {
    fn from(r: CommentRow) -> Self {
        Self {
            id: ReportCommentId::from_uuid(r.id.0),
            report: RequirementId::from_uuid(r.report_id.0),
            author: r.author_id.map(|u| UserId::from_uuid(u.0)),
            kind: r.kind,
            section: r.section,
            text: r.text,
            submission: r.submission,
            created_at: r.created_at,
        }
    }
}

/// Stores one comment (one statement).
pub fn insert_comment(conn: &mut DbConn, c: &StoredComment) -> Result<(), StoreError> {
    use report_comments as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(c.id.to_string()),
            t::report_id.eq(c.report.to_string()),
            t::author_id.eq(c.author.map(|u| u.to_string())),
            t::kind.eq(&c.kind),
            t::section.eq(&c.section),
            t::text.eq(&c.text),
            t::submission.eq(c.submission),
            t::created_at.eq(c.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// One page of a report's comments by id (oldest first), those written at or after `since`
/// when given (one statement).
pub fn comments(
    conn: &mut DbConn,
    id: RequirementId,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<StoredComment>, StoreError> {
    use report_comments as t;
    let mut q = t::table
        .filter(t::report_id.eq(id.to_string()))
        .select(CommentRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(t::id.gt(after.clone()));
    }
    if let Some(since) = since {
        q = q.filter(t::created_at.ge(since));
    }
    let rows: Vec<CommentRow> = q.order(t::id.asc()).limit(page.fetch_limit()).load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.0.to_string()).map(StoredComment::from))
}
