//! Results: the accepted indicator values of a programme or a grant rolled up in SQL, grouped
//! by the axes a response shows, in one statement (`domain::results` states the rules).
//!
//! [`figures`] reads the accepted values once (a `MATERIALIZED` common table expression, on
//! both backends), ranks each grant's values with window functions for `latest` and `max`, and
//! answers every axis as one `UNION ALL` of `GROUP BY`s: the total, by region, by call, by grant
//! (only when asked), by reporting period and by the categories of each dimension (the parts of
//! the counted values). Sums are cast to `BIGINT` (PostgreSQL's `SUM(bigint)` is `NUMERIC`).
//! Nothing is loaded row by row: a response reads as many rows as it shows.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::{grant_indicators, grants, organizations, programmes};
use crate::stored;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use seriktes_domain::access::programme::{Circle, ProgrammeFacts};
use seriktes_domain::ids::{CallId, GrantId, IndicatorId, OrganizationId, ProgrammeId};
use seriktes_domain::indicator::{Aggregation, Dimension, IndicatorKind};
use seriktes_domain::programme::ProgrammeStatus;
use seriktes_domain::results::{Figure, Selection};
use seriktes_domain::text::LocalizedText;

/// A programme as its results need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsProgramme {
    /// What the access policy needs.
    pub facts: ProgrammeFacts,
    /// Its status.
    pub status: ProgrammeStatus,
    /// Its ISO 3166-2 regions (the categories of the `region` dimension).
    pub regions: Vec<String>,
    /// Its results stamp: bumped by every change of what its figures count.
    pub stamp: i64,
    /// The kept unfiltered figures of the view asked for, when kept at the current stamp.
    pub kept: Option<Vec<Row>>,
}

/// A view of a programme's figures as [`keep`] stores it: with the breakdown by grant
/// (`full`) or without (`aggregate`).
const fn view_name(by_grant: bool) -> &'static str {
    if by_grant { "full" } else { "aggregate" }
}

/// A programme's facts, status, regions and results stamp, with its kept figures of the view
/// `by_grant` names when they are current (one statement); `NotFound` when there is none.
pub fn programme(
    conn: &mut DbConn,
    id: ProgrammeId,
    by_grant: bool,
) -> Result<ResultsProgramme, StoreError> {
    #[derive(QueryableByName)]
    struct ProgrammeRow {
        #[diesel(sql_type = Text)]
        managing: String,
        #[diesel(sql_type = Nullable<Text>)]
        funders: Option<String>,
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Text)]
        regions: String,
        #[diesel(sql_type = BigInt)]
        stamp: i64,
        #[diesel(sql_type = Nullable<BigInt>)]
        kept_stamp: Option<i64>,
        #[diesel(sql_type = Nullable<Text>)]
        kept: Option<String>,
    }
    // SQLite numbers `$n` parameters in order of appearance: `$1` before `$2`.
    let rows: Vec<ProgrammeRow> = diesel::sql_query(
        "SELECT p.managing_organization_id AS managing, p.funder_ids AS funders, p.status, \
         p.regions, p.results_stamp AS stamp, c.stamp AS kept_stamp, c.figures AS kept \
         FROM programmes p LEFT JOIN results_cache c ON c.programme_id = p.id AND c.view = $1 \
         WHERE p.id = $2",
    )
    .bind::<Text, _>(view_name(by_grant))
    .bind::<Text, _>(id.to_string())
    .load(conn)?;
    let r = rows.into_iter().next().ok_or(StoreError::NotFound)?;
    let status = stored::value("programmes.status", &r.status, ProgrammeStatus::parse)?;
    let kept = match (r.kept_stamp, r.kept) {
        (Some(at), Some(json)) if at == r.stamp => {
            let raw: Vec<FigureRow> = stored::json("results_cache.figures", &json)?;
            Some(raw.into_iter().map(row_from).collect::<Result<_, _>>()?)
        }
        _ => None,
    };
    Ok(ResultsProgramme {
        facts: ProgrammeFacts {
            circle: Circle {
                managing: stored::id(
                    "programmes.managing_organization_id",
                    &r.managing,
                    OrganizationId::parse,
                )?,
                funders: crate::programmes::funders_from_ids(r.funders.as_deref())?,
            },
            draft: status == ProgrammeStatus::Draft,
        },
        status,
        regions: stored::json("programmes.regions", &r.regions)?,
        stamp: r.stamp,
        kept,
    })
}

/// Every unfiltered figure of all the programme's indicators (one statement), kept at `stamp`
/// for the next request (one more). Keeping is best effort: a database that refuses the write
/// (a read replica) only costs the next request the computation again.
pub fn compute_and_keep(
    conn: &mut DbConn,
    id: ProgrammeId,
    by_grant: bool,
    stamp: i64,
    now: chrono::NaiveDateTime,
) -> Result<Vec<Row>, StoreError> {
    let scope = Scope::Programme {
        programme: id,
        first: IndicatorId::from_uuid(uuid::Uuid::nil()),
        last: IndicatorId::from_uuid(uuid::Uuid::max()),
        by_grant,
    };
    let raw = figure_rows(conn, scope, &ResultsFilter::default())?;
    let kept = diesel::sql_query(
        "INSERT INTO results_cache (programme_id, view, stamp, figures, computed_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (programme_id, view) DO UPDATE \
         SET stamp = excluded.stamp, figures = excluded.figures, computed_at = excluded.computed_at \
         WHERE results_cache.stamp <= excluded.stamp",
    )
    .bind::<Text, _>(id.to_string())
    .bind::<Text, _>(view_name(by_grant))
    .bind::<BigInt, _>(stamp)
    .bind::<Text, _>(stored::to_json(&raw))
    .bind::<diesel::sql_types::Timestamp, _>(now)
    .execute(conn);
    if let Err(e) = kept {
        log::warn!("results of programme {id} not kept: {e}");
    }
    raw.into_iter().map(row_from).collect()
}

/// Marks a programme's kept figures out of date (one statement): a report of it was accepted,
/// or an indicator of it changed.
pub fn touch(conn: &mut DbConn, id: ProgrammeId) -> Result<(), StoreError> {
    diesel::update(programmes::table.find(id.to_string()))
        .set(programmes::results_stamp.eq(programmes::results_stamp + 1))
        .execute(conn)?;
    Ok(())
}

/// Marks out of date the kept figures of every programme granting to `grantee` (one
/// statement): its region, by which figures are broken down, changed.
pub fn touch_grantee(conn: &mut DbConn, grantee: OrganizationId) -> Result<(), StoreError> {
    let of_grantee = grants::table
        .filter(grants::grantee_organization_id.eq(grantee.to_string()))
        .select(grants::programme_id);
    diesel::update(programmes::table.filter(programmes::id.eq_any(of_grantee)))
        .set(programmes::results_stamp.eq(programmes::results_stamp + 1))
        .execute(conn)?;
    Ok(())
}

/// Which reports count besides being accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultsFilter {
    /// Only grants of this call.
    pub call: Option<CallId>,
    /// Only grants whose grantee organisation is in this ISO 3166-2 region.
    pub region: Option<String>,
    /// Only reports whose period starts on or after this day.
    pub period_from: Option<NaiveDate>,
    /// Only reports whose period ends on or before this day.
    pub period_to: Option<NaiveDate>,
}

/// Whose values [`figures`] rolls up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The indicators of a programme's catalogue from `first` to `last` (by id: one page of
    /// the catalogue), across its grants; `by_grant` adds the breakdown by grant.
    Programme {
        /// The programme.
        programme: ProgrammeId,
        /// The first indicator of the page.
        first: IndicatorId,
        /// The last indicator of the page.
        last: IndicatorId,
        /// Whether to break down by grant.
        by_grant: bool,
    },
    /// One grant's indicators.
    Grant(GrantId),
}

/// What a figure is of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Axis {
    /// All counted values.
    Total,
    /// The grantee organisations of one region (`None`: with no region).
    Region(Option<String>),
    /// The grants of one call.
    Call(CallId),
    /// One grant.
    Grant(GrantId),
    /// One reporting period (start, end).
    Period(NaiveDate, NaiveDate),
    /// One category of a dimension: the parts of the counted values.
    Category(Dimension, String),
}

/// One figure of one indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The indicator.
    pub indicator: IndicatorId,
    /// What it is of.
    pub axis: Axis,
    /// The figure.
    pub figure: Figure,
}

#[derive(QueryableByName, serde::Serialize, serde::Deserialize)]
struct FigureRow {
    #[diesel(sql_type = Text)]
    ind: String,
    #[diesel(sql_type = Text)]
    axis: String,
    #[diesel(sql_type = Nullable<Text>)]
    k1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    k2: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    ps: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pe: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<BigInt>)]
    val: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    den: Option<i64>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The stored code of a [`Selection`] (column `sel`).
const fn selection_code(s: Selection) -> u8 {
    match s {
        Selection::All => 0,
        Selection::LatestPerGrant => 1,
        Selection::LargestPerGrant => 2,
    }
}

/// `CASE` giving each indicator's selection code from its kind and aggregation, written from
/// [`Selection::of`] so the SQL cannot drift from the domain's rule.
fn selection_case() -> String {
    let mut out = String::from("CASE");
    for kind in IndicatorKind::ALL {
        for aggregation in Aggregation::ALL {
            out.push_str(&format!(
                " WHEN i.kind = '{}' AND i.aggregation = '{}' THEN {}",
                kind.as_str(),
                aggregation.as_str(),
                selection_code(Selection::of(*kind, *aggregation))
            ));
        }
    }
    out.push_str(" ELSE 0 END");
    out
}

/// The statement of [`figures`]: `scope` is the scope's condition (its parameters first),
/// `next` the number of the first filter parameter.
fn statement(scope: &str, next: usize, axes: &[&str]) -> String {
    let (call, region, from, to) = (next, next + 1, next + 2, next + 3);
    let largest = selection_code(Selection::LargestPerGrant);
    let all = selection_code(Selection::All);
    // A share orders `max` (a count's denominator is 1); other selections order by period.
    // (A float: cheaper to sort than PostgreSQL's NUMERIC; equal shares compare equal.)
    let share = format!(
        "CASE WHEN sel = {largest} THEN CAST(val AS DOUBLE PRECISION) / COALESCE(den, 1) \
         ELSE 0.0 END"
    );
    let sums = "CAST(SUM(val) AS BIGINT) AS val, CAST(SUM(den) AS BIGINT) AS den, \
                CAST(COUNT(*) AS BIGINT) AS n";
    let counted = format!("(v.sel = {all} OR v.grant_rank = 1)");
    let none = "CAST(NULL AS TEXT)";
    let no_date = "CAST(NULL AS DATE)";
    let branch = |axis: &str| -> String {
        match axis {
            "total" => format!(
                "SELECT ind, 'total' AS axis, {none} AS k1, {none} AS k2, {no_date} AS ps, \
                 {no_date} AS pe, {sums} FROM s GROUP BY ind"
            ),
            "region" => format!(
                "SELECT ind, 'region', region, {none}, {no_date}, {no_date}, {sums} \
                 FROM s GROUP BY ind, region"
            ),
            "call" => format!(
                "SELECT ind, 'call', call_id, {none}, {no_date}, {no_date}, {sums} \
                 FROM s GROUP BY ind, call_id"
            ),
            "grant" => format!(
                "SELECT ind, 'grant', gr, {none}, {no_date}, {no_date}, {sums} \
                 FROM s GROUP BY ind, gr"
            ),
            "period" => format!(
                "SELECT ind, 'period', {none}, {none}, ps, pe, {sums} FROM v \
                 WHERE sel = {all} OR period_rank = 1 GROUP BY ind, ps, pe"
            ),
            // Joined to every accepted value (`v`, whose size the planner knows: a hash join
            // on PostgreSQL) and counted only where the value is: a filtered CTE would be
            // estimated at a fraction of its rows and joined by one index probe per row.
            _ => format!(
                "SELECT v.ind, 'part', p.dimension, p.category, {no_date}, {no_date}, \
                 CAST(SUM(CASE WHEN {counted} THEN p.count ELSE 0 END) AS BIGINT), \
                 CAST(NULL AS BIGINT), CAST(SUM(CASE WHEN {counted} THEN 1 ELSE 0 END) AS BIGINT) \
                 FROM v JOIN report_value_parts p ON p.report_id = v.rep AND p.indicator_id = v.ind \
                 GROUP BY v.ind, p.dimension, p.category"
            ),
        }
    };
    let union: Vec<String> = axes.iter().map(|a| branch(a)).collect();
    format!(
        "WITH b AS (\
           SELECT rv.indicator_id AS ind, r.grant_id AS gr, g.call_id AS call_id, \
                  o.region AS region, q.period_start AS ps, q.period_end AS pe, \
                  rv.report_id AS rep, rv.value AS val, rv.denominator AS den, {sel} AS sel \
           FROM reports r \
           JOIN reporting_requirements q ON q.id = r.id \
           JOIN grants g ON g.id = r.grant_id \
           JOIN organizations o ON o.id = g.grantee_organization_id \
           JOIN report_values rv ON rv.report_id = r.id \
           JOIN indicators i ON i.id = rv.indicator_id \
           WHERE r.status = 'accepted' AND {scope} \
             AND (${call} IS NULL OR g.call_id = ${call}) \
             AND (${region} IS NULL OR o.region = ${region}) \
             AND (${from} IS NULL OR q.period_start >= ${from}) \
             AND (${to} IS NULL OR q.period_end <= ${to})\
         ), v AS MATERIALIZED (\
           SELECT b.*, \
             ROW_NUMBER() OVER (PARTITION BY ind, gr ORDER BY {share} DESC, pe DESC, rep DESC) \
               AS grant_rank, \
             ROW_NUMBER() OVER (PARTITION BY ind, gr, ps, pe ORDER BY {share} DESC, rep DESC) \
               AS period_rank \
           FROM b\
         ), s AS MATERIALIZED (SELECT * FROM v WHERE sel = {all} OR grant_rank = 1) \
         {}",
        union.join(" UNION ALL "),
        sel = selection_case(),
    )
}

/// Every figure of the scope's indicators that the filter lets count (one statement): the
/// total; for a programme by region (of the grantee organisation), by call and, when asked, by
/// grant; by reporting period; and by each category of each dimension. Groups with no accepted
/// value have no row.
pub fn figures(
    conn: &mut DbConn,
    scope: Scope,
    filter: &ResultsFilter,
) -> Result<Vec<Row>, StoreError> {
    figure_rows(conn, scope, filter)?
        .into_iter()
        .map(row_from)
        .collect()
}

fn figure_rows(
    conn: &mut DbConn,
    scope: Scope,
    filter: &ResultsFilter,
) -> Result<Vec<FigureRow>, StoreError> {
    let call = filter.call.map(|c| c.to_string());
    let region = filter.region.clone();
    let (from, to) = (filter.period_from, filter.period_to);
    let rows: Vec<FigureRow> = match scope {
        Scope::Programme {
            programme,
            first,
            last,
            by_grant,
        } => {
            let mut axes = vec!["total", "region", "call", "period", "part"];
            if by_grant {
                axes.push("grant");
            }
            let sql = statement(
                "g.programme_id = $1 AND rv.indicator_id >= $2 AND rv.indicator_id <= $3",
                4,
                &axes,
            );
            diesel::sql_query(sql)
                .bind::<Text, _>(programme.to_string())
                .bind::<Text, _>(first.to_string())
                .bind::<Text, _>(last.to_string())
                .bind::<Nullable<Text>, _>(call)
                .bind::<Nullable<Text>, _>(region)
                .bind::<Nullable<Date>, _>(from)
                .bind::<Nullable<Date>, _>(to)
                .load(conn)?
        }
        Scope::Grant(grant) => {
            let sql = statement("r.grant_id = $1", 2, &["total", "period", "part"]);
            diesel::sql_query(sql)
                .bind::<Text, _>(grant.to_string())
                .bind::<Nullable<Text>, _>(call)
                .bind::<Nullable<Text>, _>(region)
                .bind::<Nullable<Date>, _>(from)
                .bind::<Nullable<Date>, _>(to)
                .load(conn)?
        }
    };
    Ok(rows)
}

fn row_from(r: FigureRow) -> Result<Row, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt {
        column: "results",
        reason: format!("a {what} figure without its key"),
    };
    let axis = match r.axis.as_str() {
        "total" => Axis::Total,
        "region" => Axis::Region(r.k1),
        "call" => Axis::Call(stored::id(
            "grants.call_id",
            r.k1.as_deref().ok_or_else(|| corrupt("call"))?,
            CallId::parse,
        )?),
        "grant" => Axis::Grant(stored::id(
            "reports.grant_id",
            r.k1.as_deref().ok_or_else(|| corrupt("grant"))?,
            GrantId::parse,
        )?),
        "period" => Axis::Period(
            r.ps.ok_or_else(|| corrupt("period"))?,
            r.pe.ok_or_else(|| corrupt("period"))?,
        ),
        _ => Axis::Category(
            stored::value(
                "report_value_parts.dimension",
                r.k1.as_deref().ok_or_else(|| corrupt("part"))?,
                Dimension::parse,
            )?,
            r.k2.ok_or_else(|| corrupt("part"))?,
        ),
    };
    Ok(Row {
        indicator: stored::id("report_values.indicator_id", &r.ind, IndicatorId::parse)?,
        axis,
        figure: Figure {
            value: r.val,
            denominator: r.den,
            values: r.n,
        },
    })
}

/// A grant carrying an indicator, with its grantee and its own baseline and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carrier {
    /// The indicator.
    pub indicator: IndicatorId,
    /// The grant.
    pub grant: GrantId,
    /// The grantee organisation.
    pub grantee: OrganizationId,
    /// Its name.
    pub grantee_name: LocalizedText,
    /// The grant's own baseline (`None`: the catalogue's).
    pub own_baseline: Option<i64>,
    /// The grant's own target (`None`: the catalogue's).
    pub own_target: Option<i64>,
}

/// The grants of a programme carrying its indicators from `first` to `last` that the
/// filter's call and region let count, by indicator, then grant (one statement).
pub fn carriers(
    conn: &mut DbConn,
    programme: ProgrammeId,
    first: IndicatorId,
    last: IndicatorId,
    filter: &ResultsFilter,
) -> Result<Vec<Carrier>, StoreError> {
    let mut q = grant_indicators::table
        .inner_join(grants::table)
        .inner_join(organizations::table.on(organizations::id.eq(grants::grantee_organization_id)))
        .filter(grants::programme_id.eq(programme.to_string()))
        .filter(grant_indicators::indicator_id.ge(first.to_string()))
        .filter(grant_indicators::indicator_id.le(last.to_string()))
        .select((
            grant_indicators::indicator_id,
            grants::id,
            organizations::id,
            organizations::name,
            grant_indicators::baseline,
            grant_indicators::target,
        ))
        .into_boxed();
    if let Some(call) = filter.call {
        q = q.filter(grants::call_id.eq(call.to_string()));
    }
    if let Some(region) = &filter.region {
        q = q.filter(organizations::region.eq(region.clone()));
    }
    type CarrierRow = (
        stored::Uuid,
        stored::Uuid,
        stored::Uuid,
        String,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<CarrierRow> = q
        .order((grant_indicators::indicator_id.asc(), grants::id.asc()))
        .load(conn)?;
    rows.into_iter()
        .map(|(indicator, grant, org, name, baseline, target)| {
            Ok(Carrier {
                indicator: IndicatorId::from_uuid(indicator.0),
                grant: GrantId::from_uuid(grant.0),
                grantee: OrganizationId::from_uuid(org.0),
                grantee_name: stored::text("organizations.name", &name)?,
                own_baseline: baseline,
                own_target: target,
            })
        })
        .collect()
}
