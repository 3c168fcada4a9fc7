//! Wire types of indicators and of the indicators a grant carries.

use crate::response::utc;
use crate::service::indicators::{Carried, IndicatorFilter, Seen};
use crate::wire::{
    Aggregation, Dimension, GrantIndicatorInput, IndicatorKind, IndicatorName, IndicatorUnit,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::DomainError;
use seriktes_domain::indicator::{self, IndicatorDraft, IndicatorPatch};
use seriktes_persistence::indicators::GrantIndicator;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An indicator of a programme's catalogue.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-d000-7000-8000-000000000001", "programme_id": "0193a0c4-a000-7000-8000-000000000001",
    "code": "OUT-1.1", "name": {"en": "Officials trained", "ru": "Обучено должностных лиц"},
    "unit": "people", "kind": "count", "aggregation": "sum", "baseline": 0, "target": 150,
    "disaggregation": ["sex", "region"],
    "created_at": "2026-03-01T09:00:00Z", "updated_at": "2026-03-01T09:00:00Z"
}))]
pub struct IndicatorResponse {
    /// Id.
    pub id: Uuid,
    /// The programme whose catalogue holds it.
    pub programme_id: Uuid,
    /// Code, unique in the programme.
    pub code: String,
    /// Name.
    pub name: IndicatorName,
    /// Unit.
    pub unit: IndicatorUnit,
    /// Kind.
    pub kind: IndicatorKind,
    /// Aggregation across periods and grants.
    pub aggregation: Aggregation,
    /// Baseline (`null` for qualitative indicators, or not known).
    pub baseline: Option<i64>,
    /// Target (`null` for qualitative indicators, or not set).
    pub target: Option<i64>,
    /// The dimensions values are broken down by, in registry order.
    pub disaggregation: Vec<Dimension>,
    /// When added.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new indicator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "OUT-1.1", "name": {"en": "Officials trained", "ru": "Обучено должностных лиц"},
    "unit": "people", "kind": "count", "aggregation": "sum", "baseline": 0, "target": 150,
    "disaggregation": ["sex", "region"]
}))]
pub struct CreateIndicatorRequest {
    /// 1–32 characters of `A-Z`, `0-9`, `.`, `-`, `_`, starting with a letter or digit; unique
    /// in the programme (409 `indicator-code-taken`).
    #[schema(pattern = "^[A-Z0-9][A-Z0-9._-]*$")]
    pub code: String,
    /// Name.
    pub name: IndicatorName,
    /// Unit.
    pub unit: IndicatorUnit,
    /// Kind; fixed once a grant carries the indicator.
    pub kind: IndicatorKind,
    /// Aggregation; fixed once a grant carries the indicator.
    pub aggregation: Aggregation,
    /// Baseline: a count 0 to 1,000,000,000,000, a percentage 0 to 100, none for qualitative.
    pub baseline: Option<i64>,
    /// Target, within the same range as the baseline.
    pub target: Option<i64>,
    /// Dimensions to break values down by, each once (`region` only for a programme with
    /// regions); fixed once a grant carries the indicator.
    pub disaggregation: Option<Vec<Dimension>>,
}

/// Changes to an indicator; absent fields stay. Once a grant carries it, `kind`,
/// `aggregation` and `disaggregation` cannot change (409 `indicator-in-use`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target": 200}))]
pub struct UpdateIndicatorRequest {
    /// New code.
    #[schema(pattern = "^[A-Z0-9][A-Z0-9._-]*$")]
    pub code: Option<String>,
    /// New name.
    pub name: Option<IndicatorName>,
    /// New unit.
    pub unit: Option<IndicatorUnit>,
    /// New kind.
    pub kind: Option<IndicatorKind>,
    /// New aggregation.
    pub aggregation: Option<Aggregation>,
    /// New baseline, or `null` for none.
    #[serde(default, deserialize_with = "crate::wire::double_option")]
    #[schema(value_type = Option<i64>)]
    pub baseline: Option<Option<i64>>,
    /// New target, or `null` for none.
    #[serde(default, deserialize_with = "crate::wire::double_option")]
    #[schema(value_type = Option<i64>)]
    pub target: Option<Option<i64>>,
    /// New dimensions.
    pub disaggregation: Option<Vec<Dimension>>,
}

/// Filters of a programme's catalogue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorListParams {
    /// Only this kind.
    pub kind: Option<IndicatorKind>,
    /// Only indicators changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

/// One indicator a grant carries: the catalogue's indicator with the grant's baseline and
/// target.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "indicator_id": "0193a0c4-d000-7000-8000-000000000001", "code": "OUT-1.1",
    "name": {"en": "Officials trained"}, "unit": "people", "kind": "count", "aggregation": "sum",
    "disaggregation": ["sex", "region"], "baseline": 0, "target": 12
}))]
pub struct GrantIndicatorResponse {
    /// The catalogue's indicator.
    pub indicator_id: Uuid,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: IndicatorName,
    /// Its unit.
    pub unit: IndicatorUnit,
    /// Its kind.
    pub kind: IndicatorKind,
    /// Its aggregation.
    pub aggregation: Aggregation,
    /// Its dimensions.
    pub disaggregation: Vec<Dimension>,
    /// The grant's baseline: its own, else the catalogue's.
    pub baseline: Option<i64>,
    /// The grant's target: its own, else the catalogue's.
    pub target: Option<i64>,
}

/// The indicators a grant carries; the `ETag` is the grant's.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "grant_id": "0193a0c4-e000-7000-8000-000000000001",
    "indicators": [{
        "indicator_id": "0193a0c4-d000-7000-8000-000000000001", "code": "OUT-1.1",
        "name": {"en": "Officials trained"}, "unit": "people", "kind": "count", "aggregation": "sum",
        "disaggregation": ["sex", "region"], "baseline": 0, "target": 12
    }]
}))]
pub struct GrantIndicatorsResponse {
    /// The grant.
    pub grant_id: Uuid,
    /// Its indicators, in the order set.
    pub indicators: Vec<GrantIndicatorResponse>,
}

/// The indicators a grant is to carry: the whole set, replacing the one before.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"indicators": [
    {"indicator_id": "0193a0c4-d000-7000-8000-000000000001", "target": 12},
    {"indicator_id": "0193a0c4-d000-7000-8000-000000000002", "baseline": 20, "target": 60}
]}))]
pub struct SetGrantIndicatorsRequest {
    /// Indicators of the grant's programme, each once (422 naming
    /// `indicators.<i>.indicator_id` otherwise); an empty list removes them all.
    pub indicators: Vec<GrantIndicatorInput>,
}

fn dimensions(list: Vec<Dimension>) -> Vec<indicator::Dimension> {
    list.into_iter().map(Into::into).collect()
}

impl From<CreateIndicatorRequest> for IndicatorDraft {
    fn from(r: CreateIndicatorRequest) -> Self {
        Self {
            code: r.code,
            name: r.name.0,
            unit: r.unit.into(),
            kind: r.kind.into(),
            aggregation: r.aggregation.into(),
            baseline: r.baseline,
            target: r.target,
            disaggregation: dimensions(r.disaggregation.unwrap_or_default()),
        }
    }
}

impl From<UpdateIndicatorRequest> for IndicatorPatch {
    fn from(r: UpdateIndicatorRequest) -> Self {
        Self {
            code: r.code,
            name: r.name.map(|n| n.0),
            unit: r.unit.map(Into::into),
            kind: r.kind.map(Into::into),
            aggregation: r.aggregation.map(Into::into),
            baseline: r.baseline,
            target: r.target,
            disaggregation: r.disaggregation.map(dimensions),
        }
    }
}

impl From<IndicatorListParams> for IndicatorFilter {
    fn from(p: IndicatorListParams) -> Self {
        Self {
            kind: p.kind.map(Into::into),
            updated_since: p.updated_since.map(crate::wire::Timestamp::get),
        }
    }
}

impl SetGrantIndicatorsRequest {
    /// The indicators, at most `MAX_GRANT_INDICATORS`.
    pub fn parse(&self) -> Result<Vec<indicator::GrantIndicatorInput>, DomainError> {
        GrantIndicatorInput::parse_all("indicators", &self.indicators)
    }
}

impl From<Seen> for IndicatorResponse {
    fn from(s: Seen) -> Self {
        let i = s.indicator;
        let f = i.fields;
        Self {
            id: i.id.uuid(),
            programme_id: i.programme.uuid(),
            code: f.code.as_str().to_owned(),
            name: f.name.into(),
            unit: f.unit.into(),
            kind: f.kind.into(),
            aggregation: f.aggregation.into(),
            baseline: f.baseline,
            target: f.target,
            disaggregation: f.disaggregation.into_iter().map(Into::into).collect(),
            created_at: utc(i.created_at),
            updated_at: utc(i.updated_at),
        }
    }
}

impl From<GrantIndicator> for GrantIndicatorResponse {
    fn from(g: GrantIndicator) -> Self {
        let (baseline, target) = (g.baseline(), g.target());
        let i = g.indicator;
        let f = i.fields;
        Self {
            indicator_id: i.id.uuid(),
            code: f.code.as_str().to_owned(),
            name: f.name.into(),
            unit: f.unit.into(),
            kind: f.kind.into(),
            aggregation: f.aggregation.into(),
            disaggregation: f.disaggregation.into_iter().map(Into::into).collect(),
            baseline,
            target,
        }
    }
}

impl From<Carried> for GrantIndicatorsResponse {
    fn from(c: Carried) -> Self {
        Self {
            grant_id: c.grant.uuid(),
            indicators: c.indicators.into_iter().map(Into::into).collect(),
        }
    }
}
