//! Results use cases: a programme's results per indicator of its catalogue (a page at a time)
//! and a grant's per indicator it carries, rolled up from accepted reports in SQL
//! (`persistence::results`) by the rules of `domain::results`.
//!
//! A programme's staff see the breakdown by grant; anyone else who may see the programme, and
//! anonymous callers while it is active, see the aggregate without grantee detail
//! (`domain::access::results`). A grant's results are read like the grant.

use crate::error::ApiError;
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::DomainError;
use seriktes_domain::access::grant::{GrantRight, grant as grant_policy};
use seriktes_domain::access::results::{ResultsView, programme_results};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::{CallId, GrantId, OrganizationId, ProgrammeId};
use seriktes_domain::indicator::Dimension;
use seriktes_domain::programme::ProgrammeStatus;
use seriktes_domain::results::{Figure, MAX_GROUPS};
use seriktes_domain::text::LocalizedText;
use seriktes_persistence::indicators::{self, Indicator, IndicatorFilter};
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::results::{self as store, Axis, Carrier, Row, Scope};
use seriktes_persistence::{DbConn, StoreError, grants};

pub use seriktes_persistence::results::ResultsFilter;

/// One grant's share of an indicator's results.
#[derive(Debug, Clone)]
pub struct GrantResult {
    /// The grant.
    pub grant: GrantId,
    /// The grantee organisation.
    pub grantee: OrganizationId,
    /// Its name.
    pub grantee_name: LocalizedText,
    /// The grant's baseline (its own, else the catalogue's).
    pub baseline: Option<i64>,
    /// The grant's target (its own, else the catalogue's).
    pub target: Option<i64>,
    /// What its accepted values add up to.
    pub figure: Figure,
}

/// One indicator's results.
#[derive(Debug, Clone)]
pub struct IndicatorResults {
    /// The indicator (the catalogue's).
    pub indicator: Indicator,
    /// The baseline the results read against (a grant's: its own, else the catalogue's).
    pub baseline: Option<i64>,
    /// The target the results read against.
    pub target: Option<i64>,
    /// All counted values.
    pub total: Figure,
    /// Per dimension of the indicator, per category (registry order): the parts added up.
    pub by_dimension: Vec<(Dimension, Vec<(String, i64)>)>,
    /// Per region of the grantee organisations (`None`: no region), by region.
    pub by_region: Vec<(Option<String>, Figure)>,
    /// Per call, by call id.
    pub by_call: Vec<(CallId, Figure)>,
    /// Per reporting period, by start and end.
    pub by_period: Vec<(NaiveDate, NaiveDate, Figure)>,
    /// Per grant carrying the indicator, by grant id (staff only).
    pub by_grant: Option<Vec<GrantResult>>,
}

/// A grant's results.
#[derive(Debug, Clone)]
pub struct GrantResults {
    /// The grant.
    pub grant: GrantId,
    /// Per indicator it carries, in the order set.
    pub indicators: Vec<IndicatorResults>,
}

/// A missing row is 404; anything else as the store says.
fn found<T>(r: Result<T, StoreError>) -> Result<T, ApiError> {
    match r {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

/// One page of a programme's results, per indicator of its catalogue (by id), for a caller
/// who may be anonymous (`None`); with the breakdown by grant when `by_grant` (the programme's
/// staff only: 403 for others). The unfiltered figures of all its indicators are kept once
/// computed (`results_cache`) until a change of what they count bumps the programme's stamp;
/// filtered ones are computed for the page each time. Two statements when kept, three with
/// the breakdown by grant, one more to compute and one to keep (the caller's own is loaded
/// before).
pub fn programme(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: ProgrammeId,
    filter: &ResultsFilter,
    by_grant: bool,
    page: &PageRequest,
    now: NaiveDateTime,
) -> Result<Page<IndicatorResults>, ApiError> {
    // The view asked for is known before the programme is read: one statement reads its facts
    // and that view's kept figures.
    let mut p = found(store::programme(conn, id, by_grant))?;
    let view = programme_results(actor, &p.facts, p.status == ProgrammeStatus::Active)
        .ok_or(ApiError::NotFound)?;
    if by_grant && view != ResultsView::Full {
        return Err(DomainError::Forbidden(
            "only the programme's staff see its results by grant".into(),
        )
        .into());
    }
    let catalogue = indicators::list(conn, id, &IndicatorFilter::default(), page)?;
    let (Some(first), Some(last)) = (catalogue.items.first(), catalogue.items.last()) else {
        return Ok(Page {
            items: Vec::new(),
            next_after: None,
        });
    };
    let (first, last) = (first.id, last.id);
    let rows = if *filter != ResultsFilter::default() {
        let scope = Scope::Programme {
            programme: id,
            first,
            last,
            by_grant,
        };
        store::figures(conn, scope, filter)?
    } else if let Some(kept) = p.kept.take() {
        kept
    } else {
        store::compute_and_keep(conn, id, by_grant, p.stamp, now)?
    };
    let carriers = if by_grant {
        Some(store::carriers(conn, id, first, last, filter)?)
    } else {
        None
    };
    Ok(catalogue.map(|indicator| {
        let (baseline, target) = (indicator.fields.baseline, indicator.fields.target);
        let mine = |r: &&Row| r.indicator == indicator.id;
        let own: Vec<&Row> = rows.iter().filter(mine).collect();
        let grants = carriers.as_ref().map(|c| {
            let of: Vec<&Carrier> = c.iter().filter(|c| c.indicator == indicator.id).collect();
            by_grant_of(&indicator, &of, &own)
        });
        assemble(indicator, baseline, target, &p.regions, &own, grants)
    }))
}

/// The breakdown by grant of one indicator: each grant carrying it (at most
/// [`MAX_GROUPS`], by grant id) with its figure and its own baseline and target.
fn by_grant_of(indicator: &Indicator, carriers: &[&Carrier], rows: &[&Row]) -> Vec<GrantResult> {
    carriers
        .iter()
        .take(MAX_GROUPS)
        .map(|c| GrantResult {
            grant: c.grant,
            grantee: c.grantee,
            grantee_name: c.grantee_name.clone(),
            baseline: c.own_baseline.or(indicator.fields.baseline),
            target: c.own_target.or(indicator.fields.target),
            figure: rows
                .iter()
                .find(|r| r.axis == Axis::Grant(c.grant))
                .map_or_else(Figure::default, |r| r.figure),
        })
        .collect()
}

/// One indicator's results from its rows.
fn assemble(
    indicator: Indicator,
    baseline: Option<i64>,
    target: Option<i64>,
    regions: &[String],
    rows: &[&Row],
    by_grant: Option<Vec<GrantResult>>,
) -> IndicatorResults {
    let mut total = Figure::default();
    let mut by_region = Vec::new();
    let mut by_call = Vec::new();
    let mut by_period = Vec::new();
    let mut parts: Vec<(Dimension, &str, i64)> = Vec::new();
    for r in rows {
        match &r.axis {
            Axis::Total => total = r.figure,
            Axis::Region(region) => by_region.push((region.clone(), r.figure)),
            Axis::Call(call) => by_call.push((*call, r.figure)),
            Axis::Period(start, end) => by_period.push((*start, *end, r.figure)),
            Axis::Category(d, c) => parts.push((*d, c.as_str(), r.figure.value.unwrap_or(0))),
            Axis::Grant(_) => {}
        }
    }
    // Regions in order, grantees without one last.
    by_region.sort_by(|a, b| (a.0.is_none(), &a.0).cmp(&(b.0.is_none(), &b.0)));
    by_call.sort_by_key(|c| c.0);
    by_period.sort_by_key(|p| (p.0, p.1));
    by_region.truncate(MAX_GROUPS);
    by_call.truncate(MAX_GROUPS);
    by_period.truncate(MAX_GROUPS);
    let by_dimension = indicator
        .fields
        .disaggregation
        .iter()
        .map(|d| {
            let mut categories: Vec<(String, i64)> = d
                .categories(regions)
                .into_iter()
                .map(|c| {
                    let n = parts
                        .iter()
                        .filter(|p| p.0 == *d && p.1 == c)
                        .map(|p| p.2)
                        .sum();
                    (c.to_owned(), n)
                })
                .collect();
            // Parts of categories the registry no longer lists (a region the programme dropped).
            for p in parts.iter().filter(|p| p.0 == *d) {
                if !categories.iter().any(|(c, _)| c == p.1) {
                    categories.push((p.1.to_owned(), p.2));
                }
            }
            categories.truncate(MAX_GROUPS);
            (*d, categories)
        })
        .collect();
    IndicatorResults {
        indicator,
        baseline,
        target,
        total,
        by_dimension,
        by_region,
        by_call,
        by_period,
        by_grant,
    }
}

/// A grant's results, per indicator it carries, against its own baselines and targets (each
/// the catalogue's where the grant sets none), for whoever may read the grant. Three
/// statements, four when an indicator is reported by region (the caller's own is loaded before).
pub fn grant(
    conn: &mut DbConn,
    actor: &Actor,
    id: GrantId,
    filter: &ResultsFilter,
) -> Result<GrantResults, ApiError> {
    let loaded = found(grants::find(conn, id))?;
    authorize(grant_policy(actor, &loaded.facts), GrantRight::Read)?;
    let carried = indicators::of_grant(conn, id)?;
    let rows = if carried.is_empty() {
        Vec::new()
    } else {
        store::figures(conn, Scope::Grant(id), filter)?
    };
    // One grant has one call and one grantee region: its figures vary by dimension and period
    // only (the scope's statement reads no other axis). The programme's regions are the
    // categories of the `region` dimension.
    let regions = if carried.iter().any(|c| {
        c.indicator
            .fields
            .disaggregation
            .contains(&Dimension::Region)
    }) {
        store::programme(conn, loaded.grant.programme, false)?.regions
    } else {
        Vec::new()
    };
    let indicators = carried
        .into_iter()
        .map(|c| {
            let (baseline, target) = (c.baseline(), c.target());
            let own: Vec<&Row> = rows
                .iter()
                .filter(|r| r.indicator == c.indicator.id)
                .collect();
            assemble(c.indicator, baseline, target, &regions, &own, None)
        })
        .collect();
    Ok(GrantResults {
        grant: id,
        indicators,
    })
}
