//! Indicators: the results a programme measures (DESIGN: Reports and results). A programme
//! keeps a catalogue of indicators, each with a code unique in the programme, a multilingual
//! name, a unit, a kind, an aggregation rule, a baseline and a target, and the disaggregation
//! dimensions it is reported by; a grant carries a subset of the catalogue with its own baseline
//! and target.
//!
//! The dimension registry ([`Dimension::categories`]) is the one the reporting form checks
//! disaggregated values against.

use crate::error::{DomainError, FieldError};
use crate::ids::{IndicatorId, ProgrammeId};
use crate::text::LocalizedText;
use std::collections::BTreeMap;

/// Longest code.
pub const MAX_CODE_CHARS: usize = 32;
/// Longest name in one language.
pub const MAX_NAME_CHARS: usize = 500;
/// Largest baseline or target of a `count` indicator.
pub const MAX_COUNT: i64 = 1_000_000_000_000;
/// Largest baseline or target of a `percentage` indicator (whole percent).
pub const MAX_PERCENT: i64 = 100;
/// Most indicators one grant carries.
pub const MAX_GRANT_INDICATORS: usize = 100;

crate::named_enum!(
    /// What an indicator counts.
    Unit, "a unit" {
        /// People reached, trained, mobilised.
        People = "people",
        /// Organisations (new members, partners).
        Organisations = "organisations",
        /// Events held.
        Events = "events",
        /// Documents produced (laws, reports, recommendations).
        Documents = "documents",
        /// Sessions (trainings, consultations).
        Sessions = "sessions",
        /// Hours (of service, of training).
        Hours = "hours",
        /// A share in percent.
        Percent = "percent",
        /// Anything else.
        Other = "other",
    }
);

crate::named_enum!(
    /// How an indicator is measured.
    IndicatorKind, "an indicator kind" {
        /// A whole number, 0 to [`MAX_COUNT`].
        Count = "count",
        /// A share with numerator and denominator; baseline and target in whole percent.
        Percentage = "percentage",
        /// A text; no baseline or target.
        Qualitative = "qualitative",
    }
);

crate::named_enum!(
    /// How values add up across periods and grants.
    Aggregation, "an aggregation" {
        /// The values added up.
        Sum = "sum",
        /// The most recent value.
        Latest = "latest",
        /// The largest value.
        Max = "max",
    }
);

crate::named_enum!(
    /// A disaggregation dimension of the registry.
    Dimension, "a dimension" {
        /// Sex.
        Sex = "sex",
        /// Age band.
        AgeBand = "age_band",
        /// Disability.
        Disability = "disability",
        /// ISO 3166-2 region (of the programme's regions).
        Region = "region",
    }
);

/// The categories of [`Dimension::Sex`].
pub const SEX: [&str; 4] = ["female", "male", "other", "not_stated"];
/// The categories of [`Dimension::AgeBand`].
pub const AGE_BANDS: [&str; 4] = ["0-17", "18-29", "30-64", "65+"];
/// The categories of [`Dimension::Disability`].
pub const DISABILITY: [&str; 3] = ["with", "without", "not_stated"];

impl Dimension {
    /// The categories a value is broken down into along this dimension; for
    /// [`Dimension::Region`] the programme's ISO 3166-2 regions (`regions`), which the other
    /// dimensions ignore.
    pub fn categories(self, regions: &[String]) -> Vec<&str> {
        match self {
            Self::Sex => SEX.to_vec(),
            Self::AgeBand => AGE_BANDS.to_vec(),
            Self::Disability => DISABILITY.to_vec(),
            Self::Region => regions.iter().map(String::as_str).collect(),
        }
    }

    /// Whether a programme with `regions` can report by this dimension (by region only when
    /// it has regions).
    pub fn available(self, regions: &[String]) -> bool {
        self != Self::Region || !regions.is_empty()
    }
}

impl IndicatorKind {
    /// The values a baseline or target of this kind takes; `None` when it has none.
    pub const fn value_range(self) -> Option<(i64, i64)> {
        match self {
            Self::Count => Some((0, MAX_COUNT)),
            Self::Percentage => Some((0, MAX_PERCENT)),
            Self::Qualitative => None,
        }
    }
}

/// An indicator's code: 1–[`MAX_CODE_CHARS`] characters of `A-Z`, `0-9`, `.`, `-`, `_`,
/// starting with a letter or digit (`OUT-1.2`). Stored as given: lower-case letters are refused,
/// not upper-cased, so a code reads the same everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndicatorCode(String);

impl IndicatorCode {
    /// Parses a code.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let err = |code, message: String| Err(FieldError::new("", code, message).into());
        let Some(first) = raw.chars().next() else {
            return err("required", "a code may not be empty".into());
        };
        if raw.chars().count() > MAX_CODE_CHARS {
            return err("max_length", format!("at most {MAX_CODE_CHARS} characters"));
        }
        let allowed = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
        if !allowed(first)
            || !raw
                .chars()
                .all(|c| allowed(c) || matches!(c, '.' | '-' | '_'))
        {
            return err(
                "format",
                "A-Z, 0-9, '.', '-' and '_', starting with a letter or digit".into(),
            );
        }
        Ok(Self(raw.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An indicator of a programme's catalogue; `T` is the timestamp type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator<T> {
    /// Id.
    pub id: IndicatorId,
    /// The programme whose catalogue holds it.
    pub programme: ProgrammeId,
    /// Its checked fields.
    pub fields: IndicatorInput,
    /// Version (ETag).
    pub version: i64,
    /// When created.
    pub created_at: T,
    /// When last changed.
    pub updated_at: T,
}

/// The fields of an indicator, each valid and consistent with the others
/// ([`check_indicator`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorInput {
    /// Code, unique in the programme.
    pub code: IndicatorCode,
    /// Name.
    pub name: LocalizedText,
    /// Unit.
    pub unit: Unit,
    /// Kind.
    pub kind: IndicatorKind,
    /// Aggregation across periods and grants.
    pub aggregation: Aggregation,
    /// Baseline (`None` for qualitative indicators, or not known).
    pub baseline: Option<i64>,
    /// Target (`None` for qualitative indicators, or not set).
    pub target: Option<i64>,
    /// Disaggregation dimensions: a set, in registry order.
    pub disaggregation: Vec<Dimension>,
}

/// An indicator as a request states it: the enums parsed, the texts not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorDraft {
    /// Code.
    pub code: String,
    /// Name, by language tag.
    pub name: BTreeMap<String, String>,
    /// Unit.
    pub unit: Unit,
    /// Kind.
    pub kind: IndicatorKind,
    /// Aggregation.
    pub aggregation: Aggregation,
    /// Baseline.
    pub baseline: Option<i64>,
    /// Target.
    pub target: Option<i64>,
    /// Dimensions as listed (repeats are refused).
    pub disaggregation: Vec<Dimension>,
}

/// Changes to an indicator; `None` keeps a field, `Some(None)` clears a baseline or target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndicatorPatch {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<BTreeMap<String, String>>,
    /// New unit.
    pub unit: Option<Unit>,
    /// New kind (not once a grant carries the indicator).
    pub kind: Option<IndicatorKind>,
    /// New aggregation (not once a grant carries the indicator).
    pub aggregation: Option<Aggregation>,
    /// New baseline or none.
    pub baseline: Option<Option<i64>>,
    /// New target or none.
    pub target: Option<Option<i64>>,
    /// New dimensions (not once a grant carries the indicator).
    pub disaggregation: Option<Vec<Dimension>>,
}

/// The errors of a baseline or target `value` (field `field`) of an indicator of `kind`.
fn check_value(kind: IndicatorKind, field: &str, value: Option<i64>) -> Option<FieldError> {
    let value = value?;
    match kind.value_range() {
        None => Some(FieldError::new(
            field,
            "not_allowed",
            "a qualitative indicator has no baseline or target; send null",
        )),
        Some((min, max)) if !(min..=max).contains(&value) => Some(FieldError::new(
            field,
            "range",
            match kind {
                IndicatorKind::Percentage => format!("a whole percent, {min} to {max}"),
                _ => format!("a whole number, {min} to {max}"),
            },
        )),
        Some(_) => None,
    }
}

/// Checks the baseline and target of an indicator of `kind`, naming each that is wrong: a count
/// is 0 to [`MAX_COUNT`], a percentage 0 to [`MAX_PERCENT`], a qualitative indicator has none.
/// `prefix` goes before the field names (`indicators.3.` for a grant's).
pub fn check_values(
    kind: IndicatorKind,
    baseline: Option<i64>,
    target: Option<i64>,
    prefix: &str,
) -> Vec<FieldError> {
    [("baseline", baseline), ("target", target)]
        .into_iter()
        .filter_map(|(field, value)| check_value(kind, &format!("{prefix}{field}"), value))
        .collect()
}

/// Checks a drafted indicator of a programme with `regions` and names every failing field: the
/// code's form, the name, the baseline and target for the kind, a dimension listed twice, more
/// dimensions than the registry has, and `region` when the programme has no regions. The
/// dimensions come back in registry order.
pub fn check_indicator(
    d: IndicatorDraft,
    regions: &[String],
) -> Result<IndicatorInput, DomainError> {
    let mut v = crate::Validator::new();
    let code = v.check("code", IndicatorCode::parse(&d.code));
    let name = v.check("name", LocalizedText::parse(d.name, MAX_NAME_CHARS));
    check_values(d.kind, d.baseline, d.target, "")
        .into_iter()
        .for_each(|e| v.push(e));
    if v.max_items(
        "disaggregation",
        d.disaggregation.len(),
        Dimension::ALL.len(),
    ) {
        for (i, dim) in d.disaggregation.iter().enumerate() {
            let field = format!("disaggregation.{i}");
            if d.disaggregation[..i].contains(dim) {
                v.push(FieldError::new(
                    field,
                    "unique",
                    "this dimension is listed twice",
                ));
            } else if !dim.available(regions) {
                v.push(FieldError::new(
                    field,
                    "no_regions",
                    "the programme has no regions to report by",
                ));
            }
        }
    }
    let mut disaggregation = d.disaggregation;
    disaggregation.sort_unstable();
    disaggregation.dedup();
    let input = code.zip(name).map(|(code, name)| IndicatorInput {
        code,
        name,
        unit: d.unit,
        kind: d.kind,
        aggregation: d.aggregation,
        baseline: d.baseline,
        target: d.target,
        disaggregation,
    });
    v.finish_with(input)
}

/// Why a change to an indicator is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRefusal {
    /// A field breaks a rule (422).
    Rule(DomainError),
    /// A grant carries the indicator, and these fields (of `kind`, `aggregation`,
    /// `disaggregation`) would change (409 `indicator-in-use`).
    InUse(Vec<&'static str>),
}

impl From<DomainError> for ChangeRefusal {
    fn from(e: DomainError) -> Self {
        Self::Rule(e)
    }
}

/// Decides a change to `current`, in a programme with `regions`: the patched indicator must
/// pass [`check_indicator`]; and once a grant carries it (`in_use`), its kind, aggregation and
/// dimensions stay as they are (what grants and reports were set up with), while code, name,
/// unit, baseline and target may change.
pub fn plan_change<T>(
    current: &Indicator<T>,
    patch: IndicatorPatch,
    in_use: bool,
    regions: &[String],
) -> Result<IndicatorInput, ChangeRefusal> {
    let now = &current.fields;
    let draft = IndicatorDraft {
        code: patch.code.unwrap_or_else(|| now.code.as_str().to_owned()),
        name: patch
            .name
            .unwrap_or_else(|| now.name.translations().clone()),
        unit: patch.unit.unwrap_or(now.unit),
        kind: patch.kind.unwrap_or(now.kind),
        aggregation: patch.aggregation.unwrap_or(now.aggregation),
        baseline: patch.baseline.unwrap_or(now.baseline),
        target: patch.target.unwrap_or(now.target),
        disaggregation: patch
            .disaggregation
            .unwrap_or_else(|| now.disaggregation.clone()),
    };
    let next = check_indicator(draft, regions)?;
    if in_use {
        let changed: Vec<&'static str> = [
            ("kind", next.kind != now.kind),
            ("aggregation", next.aggregation != now.aggregation),
            ("disaggregation", next.disaggregation != now.disaggregation),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect();
        if !changed.is_empty() {
            return Err(ChangeRefusal::InUse(changed));
        }
    }
    Ok(next)
}

/// An indicator a grant carries: the catalogue's indicator and the grant's own baseline and
/// target (`None`: the catalogue's); `T` is the timestamp type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantIndicator<T> {
    /// The catalogue's indicator.
    pub indicator: Indicator<T>,
    /// The grant's own baseline, if set.
    pub own_baseline: Option<i64>,
    /// The grant's own target, if set.
    pub own_target: Option<i64>,
}

impl<T> GrantIndicator<T> {
    /// The grant's baseline: its own, else the catalogue's.
    pub fn baseline(&self) -> Option<i64> {
        self.own_baseline.or(self.indicator.fields.baseline)
    }

    /// The grant's target: its own, else the catalogue's.
    pub fn target(&self) -> Option<i64> {
        self.own_target.or(self.indicator.fields.target)
    }
}

/// One indicator of a grant as a request sets it: the grant's own baseline and target (`None`:
/// the catalogue's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantIndicatorInput {
    /// The catalogue's indicator.
    pub indicator: IndicatorId,
    /// The grant's baseline.
    pub baseline: Option<i64>,
    /// The grant's target.
    pub target: Option<i64>,
}

/// Checks the indicators a grant is to carry, naming every failing field under `field`
/// (`indicators`): at most [`MAX_GRANT_INDICATORS`]; each indicator once and of the catalogue
/// of the grant's programme (`kind_of` gives its kind, `None` when it is not there); baseline
/// and target fit its kind.
pub fn check_grant_indicators(
    field: &str,
    items: &[GrantIndicatorInput],
    kind_of: impl Fn(IndicatorId) -> Option<IndicatorKind>,
) -> Result<(), DomainError> {
    let mut v = crate::Validator::new();
    if v.max_items(field, items.len(), MAX_GRANT_INDICATORS) {
        for (i, item) in items.iter().enumerate() {
            let at = format!("{field}.{i}.");
            if items[..i].iter().any(|o| o.indicator == item.indicator) {
                v.push(FieldError::new(
                    format!("{at}indicator_id"),
                    "unique",
                    "this indicator is listed twice",
                ));
                continue;
            }
            match kind_of(item.indicator) {
                None => v.push(FieldError::new(
                    format!("{at}indicator_id"),
                    "exists",
                    "no indicator of the grant's programme has this id",
                )),
                Some(kind) => check_values(kind, item.baseline, item.target, &at)
                    .into_iter()
                    .for_each(|e| v.push(e)),
            }
        }
    }
    v.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> IndicatorDraft {
        IndicatorDraft {
            code: "OUT-1.1".into(),
            name: [("en".to_owned(), "People reached".to_owned())].into(),
            unit: Unit::People,
            kind: IndicatorKind::Count,
            aggregation: Aggregation::Sum,
            baseline: Some(0),
            target: Some(3_700_000),
            disaggregation: vec![Dimension::Region, Dimension::Sex],
        }
    }

    fn regions() -> Vec<String> {
        vec!["KZ-79".into(), "KZ-61".into()]
    }

    fn fields(r: Result<impl std::fmt::Debug, DomainError>) -> Vec<(String, &'static str)> {
        match r {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => unreachable!("{other:?}"),
        }
    }

    fn field(f: &str, code: &'static str) -> (String, &'static str) {
        (f.to_owned(), code)
    }

    #[test]
    fn codes_are_upper_case_letters_digits_and_dots_dashes_underscores() {
        for ok in ["A", "7", "OUT-1.1", "KPI_2", &"X".repeat(MAX_CODE_CHARS)] {
            assert_eq!(
                IndicatorCode::parse(ok).map(|c| c.as_str().to_owned()),
                Ok(ok.to_owned())
            );
        }
        for (bad, code) in [
            ("", "required"),
            ("out-1", "format"),
            ("-A", "format"),
            (".A", "format"),
            ("A B", "format"),
            (" A", "format"),
            ("Ä", "format"),
            (&"X".repeat(MAX_CODE_CHARS + 1), "max_length"),
        ] {
            assert_eq!(
                fields(IndicatorCode::parse(bad)),
                [field("", code)],
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_consistent_indicator_passes_with_its_dimensions_in_registry_order() {
        let i = check_indicator(draft(), &regions()).unwrap();
        assert_eq!(i.disaggregation, [Dimension::Sex, Dimension::Region]);
        assert_eq!(i.code.as_str(), "OUT-1.1");
    }

    #[test]
    fn every_broken_indicator_rule_is_named() {
        let d = IndicatorDraft {
            code: "out 1".into(),
            name: BTreeMap::new(),
            baseline: Some(-1),
            target: Some(MAX_COUNT + 1),
            disaggregation: vec![Dimension::Sex, Dimension::Region, Dimension::Sex],
            ..draft()
        };
        assert_eq!(
            fields(check_indicator(d, &[])),
            [
                field("code", "format"),
                field("name", "required"),
                field("baseline", "range"),
                field("target", "range"),
                field("disaggregation.1", "no_regions"),
                field("disaggregation.2", "unique"),
            ]
        );
    }

    #[test]
    fn baselines_and_targets_fit_the_kind() {
        let with = |kind, baseline, target| {
            check_indicator(
                IndicatorDraft {
                    kind,
                    baseline,
                    target,
                    ..draft()
                },
                &regions(),
            )
        };
        assert!(with(IndicatorKind::Count, Some(0), Some(MAX_COUNT)).is_ok());
        assert!(with(IndicatorKind::Percentage, Some(0), Some(100)).is_ok());
        assert!(with(IndicatorKind::Qualitative, None, None).is_ok());
        assert!(with(IndicatorKind::Count, None, None).is_ok());
        assert_eq!(
            fields(with(IndicatorKind::Percentage, Some(-1), Some(101))),
            [field("baseline", "range"), field("target", "range")]
        );
        assert_eq!(
            fields(with(IndicatorKind::Qualitative, Some(0), None)),
            [field("baseline", "not_allowed")]
        );
        assert_eq!(
            fields(with(IndicatorKind::Qualitative, None, Some(1))),
            [field("target", "not_allowed")]
        );
    }

    #[test]
    fn more_dimensions_than_the_registry_has_are_one_error() {
        let d = IndicatorDraft {
            disaggregation: vec![Dimension::Sex; 5],
            ..draft()
        };
        assert_eq!(
            fields(check_indicator(d, &regions())),
            [field("disaggregation", "max_items")]
        );
    }

    #[test]
    fn the_registry_names_the_categories_of_each_dimension() {
        let r = regions();
        assert_eq!(
            Dimension::Sex.categories(&r),
            ["female", "male", "other", "not_stated"]
        );
        assert_eq!(
            Dimension::AgeBand.categories(&r),
            ["0-17", "18-29", "30-64", "65+"]
        );
        assert_eq!(
            Dimension::Disability.categories(&r),
            ["with", "without", "not_stated"]
        );
        assert_eq!(Dimension::Region.categories(&r), ["KZ-79", "KZ-61"]);
        assert!(Dimension::Region.categories(&[]).is_empty());
        assert!(!Dimension::Region.available(&[]) && Dimension::Sex.available(&[]));
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Ok(*d));
        }
        assert!(Dimension::parse("gender").is_err());
    }

    fn stored() -> Indicator<()> {
        Indicator {
            id: IndicatorId::from_uuid(uuid::Uuid::from_u128(1)),
            programme: ProgrammeId::from_uuid(uuid::Uuid::from_u128(2)),
            fields: check_indicator(draft(), &regions()).unwrap(),
            version: 1,
            created_at: (),
            updated_at: (),
        }
    }

    #[test]
    fn an_indicator_in_use_keeps_its_kind_aggregation_and_dimensions() {
        let current = stored();
        let change = IndicatorPatch {
            kind: Some(IndicatorKind::Percentage),
            aggregation: Some(Aggregation::Max),
            disaggregation: Some(vec![Dimension::Sex]),
            target: Some(Some(50)),
            ..IndicatorPatch::default()
        };
        assert_eq!(
            plan_change(&current, change.clone(), true, &regions()),
            Err(ChangeRefusal::InUse(vec![
                "kind",
                "aggregation",
                "disaggregation"
            ]))
        );
        let free = plan_change(&current, change, false, &regions()).unwrap();
        assert_eq!(free.kind, IndicatorKind::Percentage);
        // The same values in another order are no change; code, name, unit, baseline and
        // target may change while grants carry it.
        let same = IndicatorPatch {
            kind: Some(IndicatorKind::Count),
            disaggregation: Some(vec![Dimension::Region, Dimension::Sex]),
            code: Some("OUT-9".into()),
            name: Some([("ru".to_owned(), "Охват".to_owned())].into()),
            unit: Some(Unit::Other),
            baseline: Some(None),
            target: Some(Some(10)),
            ..IndicatorPatch::default()
        };
        let next = plan_change(&current, same, true, &regions()).unwrap();
        assert_eq!(
            (next.code.as_str(), next.baseline, next.target),
            ("OUT-9", None, Some(10))
        );
    }

    #[test]
    fn a_change_is_checked_as_a_whole() {
        // Turning a count qualitative keeps its baseline unless the patch clears it.
        let r = plan_change(
            &stored(),
            IndicatorPatch {
                kind: Some(IndicatorKind::Qualitative),
                target: Some(None),
                ..IndicatorPatch::default()
            },
            false,
            &regions(),
        );
        assert!(
            matches!(r, Err(ChangeRefusal::Rule(DomainError::Invalid(e)))
            if e.len() == 1 && e[0].field == "baseline" && e[0].code == "not_allowed")
        );
        // Invalid fields are 422 before the in-use rule is asked.
        let r = plan_change(
            &stored(),
            IndicatorPatch {
                kind: Some(IndicatorKind::Percentage),
                ..IndicatorPatch::default()
            },
            true,
            &regions(),
        );
        assert!(matches!(r, Err(ChangeRefusal::Rule(_))), "{r:?}");
    }

    #[test]
    fn a_grant_keeps_the_catalogues_baseline_and_target_unless_it_has_its_own() {
        let carried = |own_baseline, own_target| GrantIndicator {
            indicator: stored(),
            own_baseline,
            own_target,
        };
        let default = carried(None, None);
        assert_eq!(
            (default.baseline(), default.target()),
            (Some(0), Some(3_700_000))
        );
        let own = carried(Some(12), Some(40));
        assert_eq!((own.baseline(), own.target()), (Some(12), Some(40)));
    }

    #[test]
    fn a_grants_indicators_are_the_programmes_each_once_within_their_kind() {
        let id = |n| IndicatorId::from_uuid(uuid::Uuid::from_u128(n));
        let kind_of = |i: IndicatorId| match i.uuid().as_u128() {
            1 => Some(IndicatorKind::Count),
            2 => Some(IndicatorKind::Percentage),
            3 => Some(IndicatorKind::Qualitative),
            _ => None,
        };
        let item = |n, baseline, target| GrantIndicatorInput {
            indicator: id(n),
            baseline,
            target,
        };
        let ok = [
            item(1, Some(5), Some(500)),
            item(2, None, Some(80)),
            item(3, None, None),
        ];
        assert_eq!(check_grant_indicators("indicators", &ok, kind_of), Ok(()));
        let bad = [
            item(1, None, None),
            item(9, None, None),
            item(1, None, None),
            item(2, Some(101), None),
            item(3, None, Some(1)),
        ];
        assert_eq!(
            fields(check_grant_indicators("indicators", &bad, kind_of)),
            [
                field("indicators.1.indicator_id", "exists"),
                field("indicators.2.indicator_id", "unique"),
                field("indicators.3.baseline", "range"),
                field("indicators.4.target", "not_allowed"),
            ]
        );
        let many = vec![item(1, None, None); MAX_GRANT_INDICATORS + 1];
        assert_eq!(
            fields(check_grant_indicators("indicators", &many, kind_of)),
            [field("indicators", "max_items")]
        );
    }
}
