//! A programme's indicator catalogue (`indicators`) and the indicators each grant carries
//! (`grant_indicators`).
//!
//! An indicator is loaded with the facts its access policy needs (its programme's managing
//! organisation, funders and status), the programme's regions (for the `region` dimension) and
//! whether a grant carries it, in one statement. The code is unique per programme by the
//! constraint `indicators_code_key`, which [`StoreError::Duplicate`] reports as the field `code`
//! on both backends.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{grant_indicators, indicators, programmes};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::dsl::{self, exists};
use diesel::prelude::*;
use seriktes_domain::access::programme::{Circle, ProgrammeFacts};
use seriktes_domain::ids::{GrantId, IndicatorId, OrganizationId, ProgrammeId};
use seriktes_domain::indicator::{
    Aggregation, Dimension, GrantIndicatorInput, IndicatorCode, IndicatorInput, IndicatorKind, Unit,
};
use seriktes_domain::programme::ProgrammeStatus;

/// An indicator as the domain sees it.
pub type Indicator = seriktes_domain::indicator::Indicator<NaiveDateTime>;
/// An indicator a grant carries.
pub type GrantIndicator = seriktes_domain::indicator::GrantIndicator<NaiveDateTime>;

/// A programme as its catalogue sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The programme.
    pub programme: ProgrammeId,
    /// What the access policy needs.
    pub facts: ProgrammeFacts,
    /// Its ISO 3166-2 regions (the categories of the `region` dimension).
    pub regions: Vec<String>,
}

/// An indicator with its programme's scope and whether a grant carries it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The indicator.
    pub indicator: Indicator,
    /// Its programme.
    pub scope: Scope,
    /// Whether any grant carries it.
    pub in_use: bool,
}

/// A stored indicator, in the table's column order.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = indicators)]
struct IndicatorRow {
    id: stored::Uuid,
    programme_id: stored::Uuid,
    code: String,
    name: String,
    unit: String,
    kind: String,
    aggregation: String,
    baseline: Option<i64>,
    target: Option<i64>,
    dimensions: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The fields of an indicator, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = indicators)]
struct IndicatorFields {
    code: String,
    name: String,
    unit: &'static str,
    kind: &'static str,
    aggregation: &'static str,
    baseline: Option<i64>,
    target: Option<i64>,
    dimensions: String,
}

/// An indicator to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = indicators)]
struct NewIndicatorRow {
    id: String,
    programme_id: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The fields that differ between two stored forms: an update writes only these.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = indicators)]
struct IndicatorChanges {
    code: Option<String>,
    name: Option<String>,
    unit: Option<&'static str>,
    kind: Option<&'static str>,
    aggregation: Option<&'static str>,
    baseline: Option<Option<i64>>,
    target: Option<Option<i64>>,
    dimensions: Option<String>,
}

impl IndicatorChanges {
    fn between(old: &IndicatorFields, new: &IndicatorFields) -> Self {
        fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
            (old != new).then(|| new.clone())
        }
        Self {
            code: changed(&old.code, &new.code),
            name: changed(&old.name, &new.name),
            unit: changed(&old.unit, &new.unit),
            kind: changed(&old.kind, &new.kind),
            aggregation: changed(&old.aggregation, &new.aggregation),
            baseline: changed(&old.baseline, &new.baseline),
            target: changed(&old.target, &new.target),
            dimensions: changed(&old.dimensions, &new.dimensions),
        }
    }
}

/// The stored form of an indicator's fields.
fn fields(input: &IndicatorInput) -> IndicatorFields {
    let dimensions: Vec<&str> = input.disaggregation.iter().map(|d| d.as_str()).collect();
    IndicatorFields {
        code: input.code.as_str().to_owned(),
        name: stored::to_json(input.name.translations()),
        unit: input.unit.as_str(),
        kind: input.kind.as_str(),
        aggregation: input.aggregation.as_str(),
        baseline: input.baseline,
        target: input.target,
        dimensions: stored::to_json(&dimensions),
    }
}

impl IndicatorRow {
    fn into_domain(self) -> Result<Indicator, StoreError> {
        let dimensions: Vec<String> = stored::json("indicators.dimensions", &self.dimensions)?;
        let disaggregation = dimensions
            .iter()
            .map(|d| stored::value("indicators.dimensions", d, Dimension::parse))
            .collect::<Result<_, _>>()?;
        Ok(Indicator {
            id: IndicatorId::from_uuid(self.id.0),
            programme: ProgrammeId::from_uuid(self.programme_id.0),
            fields: IndicatorInput {
                code: stored::value("indicators.code", &self.code, IndicatorCode::parse)?,
                name: stored::text("indicators.name", &self.name)?,
                unit: stored::value("indicators.unit", &self.unit, Unit::parse)?,
                kind: stored::value("indicators.kind", &self.kind, IndicatorKind::parse)?,
                aggregation: stored::value(
                    "indicators.aggregation",
                    &self.aggregation,
                    Aggregation::parse,
                )?,
                baseline: self.baseline,
                target: self.target,
                disaggregation,
            },
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The programme columns a scope is read from: managing organisation, funders
/// (comma-separated), status, regions (JSON).
type ScopeRow = (stored::Uuid, Option<String>, String, String);

fn scope_of(
    programme: ProgrammeId,
    (managing, funders, status, regions): ScopeRow,
) -> Result<Scope, StoreError> {
    let status = stored::value("programmes.status", &status, ProgrammeStatus::parse)?;
    Ok(Scope {
        programme,
        facts: ProgrammeFacts {
            circle: Circle {
                managing: OrganizationId::from_uuid(managing.0),
                funders: crate::programmes::funders_from_ids(funders.as_deref())?,
            },
            draft: status == ProgrammeStatus::Draft,
        },
        regions: stored::json("programmes.regions", &regions)?,
    })
}

/// A programme's scope, in one statement.
pub fn scope(conn: &mut DbConn, programme: ProgrammeId) -> Result<Scope, StoreError> {
    let row: ScopeRow = programmes::table
        .find(programme.to_string())
        .select((
            programmes::managing_organization_id,
            programmes::funder_ids,
            programmes::status,
            programmes::regions,
        ))
        .first(conn)?;
    scope_of(programme, row)
}

/// An indicator with its programme's scope and whether a grant carries it, in one statement.
pub fn find(conn: &mut DbConn, id: IndicatorId) -> Result<Loaded, StoreError> {
    let carried = grant_indicators::table.filter(grant_indicators::indicator_id.eq(indicators::id));
    let (row, managing, funders, status, regions, in_use): (
        IndicatorRow,
        stored::Uuid,
        Option<String>,
        String,
        String,
        bool,
    ) = indicators::table
        .inner_join(programmes::table)
        .filter(indicators::id.eq(id.to_string()))
        .select((
            IndicatorRow::as_select(),
            programmes::managing_organization_id,
            programmes::funder_ids,
            programmes::status,
            programmes::regions,
            exists(carried),
        ))
        .first(conn)?;
    let indicator = row.into_domain()?;
    let scope = scope_of(indicator.programme, (managing, funders, status, regions))?;
    Ok(Loaded {
        indicator,
        scope,
        in_use,
    })
}

/// Inserts an indicator (a code the programme already has is `Duplicate { field: "code" }`).
pub fn insert(conn: &mut DbConn, i: &Indicator) -> Result<(), StoreError> {
    diesel::insert_into(indicators::table)
        .values((
            &NewIndicatorRow {
                id: i.id.to_string(),
                programme_id: i.programme.to_string(),
                version: i.version,
                created_at: i.created_at,
                updated_at: i.updated_at,
            },
            &fields(&i.fields),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes the fields of `next` that differ from `current`'s if the indicator is still at the
/// version read (and at `expected_version`, when given); returns the new version.
pub fn update(
    conn: &mut DbConn,
    current: &Indicator,
    expected_version: Option<i64>,
    next: &IndicatorInput,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let changes = IndicatorChanges::between(&fields(&current.fields), &fields(next));
    update_versioned!(
        conn,
        indicators,
        current.id.to_string(),
        current.version,
        expected_version,
        now,
        changes
    )?;
    Ok(current.version + 1)
}

/// Filters of [`list`].
#[derive(Debug, Default, Clone)]
pub struct IndicatorFilter {
    /// Only this kind.
    pub kind: Option<IndicatorKind>,
    /// Only indicators changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of a programme's catalogue, by id (creation order), filtered in SQL.
pub fn list(
    conn: &mut DbConn,
    programme: ProgrammeId,
    filter: &IndicatorFilter,
    page: &PageRequest,
) -> Result<Page<Indicator>, StoreError> {
    let mut q = indicators::table
        .filter(indicators::programme_id.eq(programme.to_string()))
        .select(IndicatorRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(indicators::id.gt(after.clone()));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(indicators::kind.eq(kind.as_str()));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(indicators::updated_at.ge(since));
    }
    let rows: Vec<IndicatorRow> = q
        .order(indicators::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r| r.id.0.to_string());
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(IndicatorRow::into_domain)
            .collect::<Result<_, _>>()?,
        next_after: page.next_after,
    })
}

/// The kinds of those of `ids` that are in the catalogue of `programme` (one statement; none
/// when `ids` is empty).
pub fn kinds_in(
    conn: &mut DbConn,
    programme: ProgrammeId,
    ids: &[IndicatorId],
) -> Result<Vec<(IndicatorId, IndicatorKind)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(stored::Uuid, String)> = indicators::table
        .filter(indicators::programme_id.eq(programme.to_string()))
        .filter(indicators::id.eq_any(ids.iter().map(ToString::to_string).collect::<Vec<_>>()))
        .select((indicators::id, indicators::kind))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, kind)| {
            Ok((
                IndicatorId::from_uuid(id.0),
                stored::value("indicators.kind", &kind, IndicatorKind::parse)?,
            ))
        })
        .collect()
}

/// One grant-indicator row as `insert_many!` takes it.
type GrantIndicatorValues = (
    dsl::Eq<grant_indicators::grant_id, String>,
    dsl::Eq<grant_indicators::indicator_id, String>,
    dsl::Eq<grant_indicators::position, i32>,
    dsl::Eq<grant_indicators::baseline, Option<i64>>,
    dsl::Eq<grant_indicators::target, Option<i64>>,
);

/// Stores the indicators of a grant that has none yet, in the order given (one statement;
/// none when `items` is empty).
pub fn insert_for_grant(
    conn: &mut DbConn,
    grant: GrantId,
    items: &[GrantIndicatorInput],
) -> Result<(), StoreError> {
    let rows: Vec<GrantIndicatorValues> = items
        .iter()
        .zip(0_i32..)
        .map(|(item, position)| {
            (
                grant_indicators::grant_id.eq(grant.to_string()),
                grant_indicators::indicator_id.eq(item.indicator.to_string()),
                grant_indicators::position.eq(position),
                grant_indicators::baseline.eq(item.baseline),
                grant_indicators::target.eq(item.target),
            )
        })
        .collect();
    crate::insert_many!(conn, grant_indicators::table, rows);
    Ok(())
}

/// Replaces the indicators of a grant (two statements at most).
pub fn replace_for_grant(
    conn: &mut DbConn,
    grant: GrantId,
    items: &[GrantIndicatorInput],
) -> Result<(), StoreError> {
    diesel::delete(
        grant_indicators::table.filter(grant_indicators::grant_id.eq(grant.to_string())),
    )
    .execute(conn)?;
    insert_for_grant(conn, grant, items)
}

/// The indicators a grant carries, in the order set, with the catalogue's fields (one
/// statement).
pub fn of_grant(conn: &mut DbConn, grant: GrantId) -> Result<Vec<GrantIndicator>, StoreError> {
    let rows: Vec<(IndicatorRow, Option<i64>, Option<i64>)> = grant_indicators::table
        .inner_join(indicators::table)
        .filter(grant_indicators::grant_id.eq(grant.to_string()))
        .order(grant_indicators::position.asc())
        .select((
            IndicatorRow::as_select(),
            grant_indicators::baseline,
            grant_indicators::target,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(row, own_baseline, own_target)| {
            Ok(GrantIndicator {
                indicator: row.into_domain()?,
                own_baseline,
                own_target,
            })
        })
        .collect()
}
