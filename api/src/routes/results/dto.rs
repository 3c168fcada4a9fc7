//! Wire types of results.

use crate::service::results::{GrantResult, GrantResults, IndicatorResults, ResultsFilter};
use crate::wire::{
    Aggregation, CalendarDate, Dimension, IndicatorKind, IndicatorName, IndicatorUnit,
    OrganizationName, ser,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use seriktes_domain::geo::RegionCode;
use seriktes_domain::ids::CallId;
use seriktes_domain::indicator;
use seriktes_domain::results::Figure;
use seriktes_domain::{DomainError, FieldError, Validator};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Filters of a programme's results.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsParams {
    /// Only grants of this call.
    pub call_id: Option<Uuid>,
    /// Only grants whose grantee organisation is in this ISO 3166-2 region (`KZ-79`).
    pub region: Option<String>,
    /// Only reports whose period starts on or after this day.
    pub period_from: Option<CalendarDate>,
    /// Only reports whose period ends on or before this day.
    pub period_to: Option<CalendarDate>,
    /// Add `by_grant`, each grant's figures against its own target (the programme's staff
    /// only: 403 for others). A page of indicators then carries every grant of each.
    pub by_grant: Option<bool>,
}

/// Filters of a grant's results.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantResultsParams {
    /// Only reports whose period starts on or after this day.
    pub period_from: Option<CalendarDate>,
    /// Only reports whose period ends on or before this day.
    pub period_to: Option<CalendarDate>,
}

/// Checks a period range: `period_from` not after `period_to`.
fn period(
    v: &mut Validator,
    from: Option<CalendarDate>,
    to: Option<CalendarDate>,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let (from, to) = (from.map(CalendarDate::get), to.map(CalendarDate::get));
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        v.push(FieldError::new(
            "period_to",
            "range",
            "period_to is not before period_from",
        ));
    }
    (from, to)
}

impl TryFrom<ResultsParams> for ResultsFilter {
    type Error = DomainError;
    fn try_from(p: ResultsParams) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let region = p
            .region
            .map(|r| v.check("region", RegionCode::parse(&r)))
            .and_then(|r| r.map(|r| r.as_str().to_owned()));
        let (period_from, period_to) = period(&mut v, p.period_from, p.period_to);
        v.finish()?;
        Ok(Self {
            call: p.call_id.map(CallId::from_uuid),
            region,
            period_from,
            period_to,
        })
    }
}

impl TryFrom<GrantResultsParams> for ResultsFilter {
    type Error = DomainError;
    fn try_from(p: GrantResultsParams) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let (period_from, period_to) = period(&mut v, p.period_from, p.period_to);
        v.finish()?;
        Ok(Self {
            period_from,
            period_to,
            ..Self::default()
        })
    }
}

/// One category of a dimension: the disaggregated parts of the counted values added up.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"category": "female", "value": 70}))]
pub struct CategoryResult {
    /// The category (`female`, `18-29`, `KZ-79`).
    pub category: String,
    /// The parts in it, added up (of a percentage: of the numerators).
    pub value: i64,
}

/// The breakdown along one dimension of the indicator, every category of the registry (for
/// `region`, the programme's regions) in order, with zero where nothing was reported.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"dimension": "sex", "categories": [
    {"category": "female", "value": 70}, {"category": "male", "value": 50},
    {"category": "other", "value": 0}, {"category": "not_stated", "value": 0}]}))]
pub struct DimensionResult {
    /// The dimension.
    pub dimension: Dimension,
    /// Its categories.
    pub categories: Vec<CategoryResult>,
}

/// Declares a breakdown entry: its key fields, then the figure's (`actual`, `value`,
/// `denominator`, `accepted_values`).
macro_rules! figure_entry {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        #[derive(Debug, Serialize, ToSchema)]
        $(#[$doc])*
        pub struct $name {
            $($(#[$fdoc])* pub $field: $ty,)*
            /// What the counted values add up to, by the indicator's aggregation: a count as
            /// a whole number (`"120"`), a percentage as `value / denominator` in percent with
            /// two decimals (`"41.67"`); `null` for a qualitative indicator or when no
            /// accepted value counts.
            pub actual: Option<String>,
            /// The counts or numerators added up; `null` when none counts.
            pub value: Option<i64>,
            /// The denominators added up (percentages; `null` otherwise).
            pub denominator: Option<i64>,
            /// How many accepted values count (for a qualitative indicator: how many accepted
            /// texts).
            pub accepted_values: i64,
        }
    };
}

figure_entry!(
    /// The results of the grants whose grantee organisation is in one region.
    #[schema(example = json!({"region": "KZ-79", "actual": "120", "value": 120, "denominator": null, "accepted_values": 3}))]
    RegionResult {
        /// The grantee organisations' ISO 3166-2 region (`null`: organisations with none).
        region: Option<String>,
    }
);

figure_entry!(
    /// The results of one reporting period (`latest` and `max` applied within it).
    #[schema(example = json!({"period_start": "2026-04-01", "period_end": "2026-06-30", "actual": "120", "value": 120, "denominator": null, "accepted_values": 3}))]
    PeriodResult {
        /// First day of the period.
        #[serde(serialize_with = "ser::date")]
        period_start: NaiveDate,
        /// Last day of the period.
        #[serde(serialize_with = "ser::date")]
        period_end: NaiveDate,
    }
);

figure_entry!(
    /// The results of the grants of one call.
    #[schema(example = json!({"call_id": "0193a0c4-b000-7000-8000-000000000001", "actual": "120", "value": 120, "denominator": null, "accepted_values": 3}))]
    CallResult {
        /// The call.
        call_id: Uuid,
    }
);

figure_entry!(
    /// One grant's results against the grant's own baseline and target.
    #[schema(example = json!({"grant_id": "0193a0c4-e000-7000-8000-000000000001",
        "grantee_organization_id": "0193a0c4-c000-7000-8000-000000000001", "grantee_name": {"en": "Shymkent Legal Aid"},
        "baseline": 0, "target": 40, "progress_percent": "75.00",
        "actual": "30", "value": 30, "denominator": null, "accepted_values": 2}))]
    GrantResultResponse {
        /// The grant.
        grant_id: Uuid,
        /// The grantee organisation.
        grantee_organization_id: Uuid,
        /// Its name.
        grantee_name: OrganizationName,
        /// The grant's baseline: its own, else the catalogue's.
        baseline: Option<i64>,
        /// The grant's target: its own, else the catalogue's.
        target: Option<i64>,
        /// `(actual − baseline) / (target − baseline)` in percent, two decimals (a missing
        /// baseline counts as 0); `null` without a target or an actual.
        progress_percent: Option<String>,
    }
);

figure_entry!(
    /// One indicator of a programme's catalogue with its results. Only accepted reports count.
    /// Aggregation: `sum` adds every accepted value; `latest` takes, per grant, the value of its
    /// latest accepted period (by `period_end`) and adds those up over grants; `max` takes, per
    /// grant, its largest accepted value (a percentage: its largest share) and adds those up. A
    /// percentage's numerators and denominators are picked and added alike, and its actual is
    /// their ratio; a qualitative indicator has no actual, `accepted_values` counts its texts.
    /// Breakdowns by dimension add up the parts of the counted values; by region, per region of
    /// the grantee organisations; by call, per call; by period, per reporting period with the
    /// rule applied within the period. A filter keeps the reports of grants of `call_id`, of
    /// grantees in `region`, and whose period lies within `period_from`–`period_to`.
    #[schema(example = json!({
        "indicator_id": "0193a0c4-d000-7000-8000-000000000001", "code": "OUT-1.1",
        "name": {"en": "Officials trained"}, "unit": "people", "kind": "count", "aggregation": "sum",
        "baseline": 0, "target": 150, "progress_percent": "80.00",
        "actual": "120", "value": 120, "denominator": null, "accepted_values": 3,
        "by_dimension": [{"dimension": "sex", "categories": [
            {"category": "female", "value": 70}, {"category": "male", "value": 50},
            {"category": "other", "value": 0}, {"category": "not_stated", "value": 0}]}],
        "by_region": [{"region": "KZ-79", "actual": "120", "value": 120, "denominator": null, "accepted_values": 3}],
        "by_period": [{"period_start": "2026-04-01", "period_end": "2026-06-30", "actual": "120", "value": 120, "denominator": null, "accepted_values": 3}],
        "by_call": [{"call_id": "0193a0c4-b000-7000-8000-000000000001", "actual": "120", "value": 120, "denominator": null, "accepted_values": 3}],
        "by_grant": [{"grant_id": "0193a0c4-e000-7000-8000-000000000001",
            "grantee_organization_id": "0193a0c4-c000-7000-8000-000000000001", "grantee_name": {"en": "Shymkent Legal Aid"},
            "baseline": 0, "target": 150, "progress_percent": "80.00",
            "actual": "120", "value": 120, "denominator": null, "accepted_values": 3}]
    }))]
    IndicatorResultsResponse {
        /// The indicator.
        indicator_id: Uuid,
        /// Its code.
        code: String,
        /// Its name.
        name: IndicatorName,
        /// Its unit.
        unit: IndicatorUnit,
        /// Its kind.
        kind: IndicatorKind,
        /// How its values add up across periods and grants.
        aggregation: Aggregation,
        /// The catalogue's baseline.
        baseline: Option<i64>,
        /// The catalogue's target.
        target: Option<i64>,
        /// `(actual − baseline) / (target − baseline)` in percent, two decimals (a missing
        /// baseline counts as 0; a percentage's baseline and target are whole percent); `null`
        /// without a target or an actual.
        progress_percent: Option<String>,
        /// Per dimension the indicator is reported by.
        by_dimension: Vec<DimensionResult>,
        /// Per region of the grantee organisations, by region (`null` last).
        by_region: Vec<RegionResult>,
        /// Per reporting period, by period.
        by_period: Vec<PeriodResult>,
        /// Per call, by call id.
        by_call: Vec<CallResult>,
        /// Per grant carrying the indicator, by grant id: only for the programme's staff
        /// (absent for anyone else).
        #[serde(skip_serializing_if = "Option::is_none")]
        by_grant: Option<Vec<GrantResultResponse>>,
    }
);

figure_entry!(
    /// One indicator a grant carries with the grant's results, against the grant's own
    /// baseline and target (the catalogue's where it sets none). The rules are those of a
    /// programme's results (`IndicatorResultsResponse`) over this grant's accepted reports.
    #[schema(example = json!({
        "indicator_id": "0193a0c4-d000-7000-8000-000000000001", "code": "OUT-1.1",
        "name": {"en": "Officials trained"}, "unit": "people", "kind": "count", "aggregation": "sum",
        "baseline": 0, "target": 40, "progress_percent": "75.00",
        "actual": "30", "value": 30, "denominator": null, "accepted_values": 2,
        "by_dimension": [{"dimension": "sex", "categories": [
            {"category": "female", "value": 20}, {"category": "male", "value": 10},
            {"category": "other", "value": 0}, {"category": "not_stated", "value": 0}]}],
        "by_period": [{"period_start": "2026-04-01", "period_end": "2026-06-30", "actual": "10", "value": 10, "denominator": null, "accepted_values": 1}]
    }))]
    GrantIndicatorResults {
        /// The indicator.
        indicator_id: Uuid,
        /// Its code.
        code: String,
        /// Its name.
        name: IndicatorName,
        /// Its unit.
        unit: IndicatorUnit,
        /// Its kind.
        kind: IndicatorKind,
        /// How its values add up across periods.
        aggregation: Aggregation,
        /// The grant's baseline: its own, else the catalogue's.
        baseline: Option<i64>,
        /// The grant's target: its own, else the catalogue's.
        target: Option<i64>,
        /// `(actual − baseline) / (target − baseline)` in percent, two decimals; `null`
        /// without a target or an actual.
        progress_percent: Option<String>,
        /// Per dimension the indicator is reported by.
        by_dimension: Vec<DimensionResult>,
        /// Per reporting period, by period.
        by_period: Vec<PeriodResult>,
    }
);

/// A grant's results, per indicator it carries (in the order set).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"grant_id": "0193a0c4-e000-7000-8000-000000000001", "indicators": [{
    "indicator_id": "0193a0c4-d000-7000-8000-000000000001", "code": "OUT-1.1",
    "name": {"en": "Officials trained"}, "unit": "people", "kind": "count", "aggregation": "sum",
    "baseline": 0, "target": 40, "progress_percent": "75.00",
    "actual": "30", "value": 30, "denominator": null, "accepted_values": 2,
    "by_dimension": [], "by_period": [{"period_start": "2026-04-01", "period_end": "2026-06-30", "actual": "10", "value": 10, "denominator": null, "accepted_values": 1}]
}]}))]
pub struct GrantResultsResponse {
    /// The grant.
    pub grant_id: Uuid,
    /// Its indicators with their results.
    pub indicators: Vec<GrantIndicatorResults>,
}

/// The figure fields of an entry: `(actual, value, denominator, accepted_values)`.
fn figure(
    f: Figure,
    kind: indicator::IndicatorKind,
) -> (Option<String>, Option<i64>, Option<i64>, i64) {
    (f.actual(kind), f.value, f.denominator, f.values)
}

fn dimensions(r: &IndicatorResults) -> Vec<DimensionResult> {
    r.by_dimension
        .iter()
        .map(|(d, categories)| DimensionResult {
            dimension: (*d).into(),
            categories: categories
                .iter()
                .map(|(c, n)| CategoryResult {
                    category: c.clone(),
                    value: *n,
                })
                .collect(),
        })
        .collect()
}

fn periods(r: &IndicatorResults, kind: indicator::IndicatorKind) -> Vec<PeriodResult> {
    r.by_period
        .iter()
        .map(|(start, end, f)| {
            let (actual, value, denominator, accepted_values) = figure(*f, kind);
            PeriodResult {
                period_start: *start,
                period_end: *end,
                actual,
                value,
                denominator,
                accepted_values,
            }
        })
        .collect()
}

fn grant_entry(g: GrantResult, kind: indicator::IndicatorKind) -> GrantResultResponse {
    let (actual, value, denominator, accepted_values) = figure(g.figure, kind);
    GrantResultResponse {
        grant_id: g.grant.uuid(),
        grantee_organization_id: g.grantee.uuid(),
        grantee_name: g.grantee_name.into(),
        baseline: g.baseline,
        target: g.target,
        progress_percent: g.figure.progress(kind, g.baseline, g.target),
        actual,
        value,
        denominator,
        accepted_values,
    }
}

impl From<IndicatorResults> for IndicatorResultsResponse {
    fn from(r: IndicatorResults) -> Self {
        let f = &r.indicator.fields;
        let kind = f.kind;
        let (actual, value, denominator, accepted_values) = figure(r.total, kind);
        Self {
            indicator_id: r.indicator.id.uuid(),
            code: f.code.as_str().to_owned(),
            name: f.name.clone().into(),
            unit: f.unit.into(),
            kind: kind.into(),
            aggregation: f.aggregation.into(),
            baseline: r.baseline,
            target: r.target,
            progress_percent: r.total.progress(kind, r.baseline, r.target),
            by_dimension: dimensions(&r),
            by_region: r
                .by_region
                .iter()
                .map(|(region, f)| {
                    let (actual, value, denominator, accepted_values) = figure(*f, kind);
                    RegionResult {
                        region: region.clone(),
                        actual,
                        value,
                        denominator,
                        accepted_values,
                    }
                })
                .collect(),
            by_period: periods(&r, kind),
            by_call: r
                .by_call
                .iter()
                .map(|(call, f)| {
                    let (actual, value, denominator, accepted_values) = figure(*f, kind);
                    CallResult {
                        call_id: call.uuid(),
                        actual,
                        value,
                        denominator,
                        accepted_values,
                    }
                })
                .collect(),
            by_grant: r
                .by_grant
                .map(|g| g.into_iter().map(|g| grant_entry(g, kind)).collect()),
            actual,
            value,
            denominator,
            accepted_values,
        }
    }
}

impl From<IndicatorResults> for GrantIndicatorResults {
    fn from(r: IndicatorResults) -> Self {
        let f = &r.indicator.fields;
        let kind = f.kind;
        let (actual, value, denominator, accepted_values) = figure(r.total, kind);
        Self {
            indicator_id: r.indicator.id.uuid(),
            code: f.code.as_str().to_owned(),
            name: f.name.clone().into(),
            unit: f.unit.into(),
            kind: kind.into(),
            aggregation: f.aggregation.into(),
            baseline: r.baseline,
            target: r.target,
            progress_percent: r.total.progress(kind, r.baseline, r.target),
            by_dimension: dimensions(&r),
            by_period: periods(&r, kind),
            actual,
            value,
            denominator,
            accepted_values,
        }
    }
}

impl From<GrantResults> for GrantResultsResponse {
    fn from(g: GrantResults) -> Self {
        Self {
            grant_id: g.grant.uuid(),
            indicators: g.indicators.into_iter().map(Into::into).collect(),
        }
    }
}
