//! Results (DESIGN "Reports and results"): how the accepted values of an indicator roll up
//! across periods and grants, and how a roll-up reads against a baseline and target.
//!
//! Only accepted reports count. The rule of each [`Aggregation`], per indicator:
//! - `sum`: every accepted value, added up.
//! - `latest`: per grant, the value of its latest accepted period (the latest `period_end`;
//!   of two reports ending the same day, the one with the larger requirement id), then added up
//!   over grants.
//! - `max`: per grant, its largest accepted value (for a percentage, the largest share; of
//!   equal ones, the latest period's), then added up over grants.
//!
//! A percentage indicator's numerators and denominators go through the same rule (the same
//! reports are picked), and its actual is the summed numerator over the summed denominator, in
//! percent. A qualitative indicator has no actual: its figure is the number of accepted texts,
//! every one of them whatever its aggregation. Within a group of a breakdown (a region, a call,
//! a grant) the picks are the same as for the whole; within a reporting period the rule is
//! applied to that period's values alone. A value's disaggregated parts follow the value: the
//! breakdown by a dimension adds up the parts of the picked values.
//!
//! [`roll_up`] states the rules over values in memory; `persistence::results` computes the
//! same in SQL (the order of [`Selection`]) and the tests hold both to these rules.

use crate::indicator::{Aggregation, IndicatorKind};
use crate::report::percent_string;

/// Most groups a breakdown lists (grants, regions, calls, periods, categories), in its order.
pub const MAX_GROUPS: usize = 10_000;
/// Longest decimal string of an actual or a progress (`-92233720368547758.08`).
pub const MAX_DECIMAL_CHARS: usize = 24;

/// Which accepted values of a grant count, by aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Every value.
    All,
    /// Per grant, the value of the latest period.
    LatestPerGrant,
    /// Per grant, the largest value (share), then the latest period.
    LargestPerGrant,
}

impl Selection {
    /// The selection of an indicator of `kind` aggregated by `aggregation`: every text of a
    /// qualitative indicator counts.
    pub const fn of(kind: IndicatorKind, aggregation: Aggregation) -> Self {
        match (kind, aggregation) {
            (IndicatorKind::Qualitative, _) | (_, Aggregation::Sum) => Self::All,
            (_, Aggregation::Latest) => Self::LatestPerGrant,
            (_, Aggregation::Max) => Self::LargestPerGrant,
        }
    }
}

/// One accepted value, as [`roll_up`] takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation<G, K> {
    /// The grant (anything comparable).
    pub grant: G,
    /// The period's order key: its end, then the requirement (anything ordered).
    pub period: K,
    /// The count or numerator (`None`: a text).
    pub value: Option<i64>,
    /// The denominator of a percentage.
    pub denominator: Option<i64>,
}

/// What a group of accepted values adds up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figure {
    /// The counts or numerators added up (`None` when none was counted: texts only, or nothing).
    pub value: Option<i64>,
    /// The denominators added up (percentages).
    pub denominator: Option<i64>,
    /// How many accepted values were counted (for a qualitative indicator: texts).
    pub values: i64,
}

fn add(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

impl Figure {
    /// The figure of one value.
    pub const fn of(value: Option<i64>, denominator: Option<i64>) -> Self {
        Self {
            value,
            denominator,
            values: 1,
        }
    }

    /// Two figures added up.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        Self {
            value: add(self.value, other.value),
            denominator: add(self.denominator, other.denominator),
            values: self.values.saturating_add(other.values),
        }
    }

    /// The actual as a decimal string: a count as a whole number (`"120"`), a percentage as
    /// numerator over denominator in percent with two decimals (`"41.67"`); `None` for a
    /// qualitative indicator or when nothing was counted.
    pub fn actual(&self, kind: IndicatorKind) -> Option<String> {
        self.actual_units(kind).map(|units| match kind {
            IndicatorKind::Percentage => percent_string(units),
            _ => units.to_string(),
        })
    }

    /// The actual in the unit progress is measured in: a count, or a share in hundredths of a
    /// percent.
    fn actual_units(&self, kind: IndicatorKind) -> Option<i64> {
        match kind {
            IndicatorKind::Count => self.value,
            IndicatorKind::Percentage => {
                let (n, d) = (self.value?, self.denominator?);
                ratio_hundredths(i128::from(n) * 100, i128::from(d))
            }
            IndicatorKind::Qualitative => None,
        }
    }

    /// Progress from `baseline` (0 when unknown) to `target`, in percent with two decimals:
    /// `(actual − baseline) / (target − baseline)`, a percentage's baseline and target being
    /// whole percent. `None` without a target, when the target equals the baseline, for a
    /// qualitative indicator, or when nothing was counted. May exceed 100 or be negative.
    pub fn progress(
        &self,
        kind: IndicatorKind,
        baseline: Option<i64>,
        target: Option<i64>,
    ) -> Option<String> {
        let actual = self.actual_units(kind)?;
        let scale: i128 = if kind == IndicatorKind::Percentage {
            100
        } else {
            1
        };
        let base = i128::from(baseline.unwrap_or(0)) * scale;
        let span = i128::from(target?) * scale - base;
        ratio_hundredths((i128::from(actual) - base) * 100, span).map(percent_string)
    }
}

/// `a / b × 100` (`a / b` in hundredths), rounded half away from zero; `None` when `b` is zero.
fn ratio_hundredths(a: i128, b: i128) -> Option<i64> {
    if b == 0 {
        return None;
    }
    let (a, b) = if b < 0 { (-a, -b) } else { (a, b) };
    let scaled = a * 100;
    let q = (2 * scaled + if scaled < 0 { -b } else { b }) / (2 * b);
    Some(i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX }))
}

/// Rolls accepted values up by `selection` (see the module): the reference the SQL of
/// `persistence::results` implements.
pub fn roll_up<G: Ord + Copy, K: Ord + Copy>(
    selection: Selection,
    values: &[Observation<G, K>],
) -> Figure {
    let figure = |o: &Observation<G, K>| Figure::of(o.value, o.denominator);
    if selection == Selection::All {
        return values
            .iter()
            .map(figure)
            .fold(Figure::default(), Figure::plus);
    }
    let mut grants: Vec<G> = values.iter().map(|o| o.grant).collect();
    grants.sort_unstable();
    grants.dedup();
    grants
        .into_iter()
        .filter_map(|g| {
            let of_grant = values.iter().filter(|o| o.grant == g);
            match selection {
                Selection::LargestPerGrant => of_grant.max_by(|a, b| {
                    // a/b against c/d as a·d against c·b (denominators are positive).
                    let share = |o: &Observation<G, K>| {
                        (
                            i128::from(o.value.unwrap_or(0)),
                            i128::from(o.denominator.unwrap_or(1)),
                        )
                    };
                    let ((an, ad), (bn, bd)) = (share(a), share(b));
                    (an * bd).cmp(&(bn * ad)).then(a.period.cmp(&b.period))
                }),
                _ => of_grant.max_by_key(|o| o.period),
            }
        })
        .map(figure)
        .fold(Figure::default(), Figure::plus)
}

#[cfg(test)]
mod tests {
    use super::*;
    use IndicatorKind::{Count, Percentage, Qualitative};

    fn count(grant: u8, period: u8, value: i64) -> Observation<u8, u8> {
        Observation {
            grant,
            period,
            value: Some(value),
            denominator: None,
        }
    }

    fn share(grant: u8, period: u8, n: i64, d: i64) -> Observation<u8, u8> {
        Observation {
            grant,
            period,
            value: Some(n),
            denominator: Some(d),
        }
    }

    #[test]
    fn sum_adds_every_value_latest_and_max_add_one_per_grant() {
        // Grant 1: 10 then 30 then 20; grant 2: 50 then 5.
        let v = [
            count(1, 1, 10),
            count(1, 2, 30),
            count(1, 3, 20),
            count(2, 1, 50),
            count(2, 2, 5),
        ];
        let sum = roll_up(Selection::of(Count, Aggregation::Sum), &v);
        assert_eq!((sum.value, sum.values), (Some(115), 5));
        let latest = roll_up(Selection::of(Count, Aggregation::Latest), &v);
        assert_eq!((latest.value, latest.values), (Some(25), 2));
        let max = roll_up(Selection::of(Count, Aggregation::Max), &v);
        assert_eq!((max.value, max.values), (Some(80), 2));
        assert_eq!(roll_up::<u8, u8>(Selection::All, &[]), Figure::default());
    }

    #[test]
    fn a_percentage_rolls_numerators_and_denominators_up_by_the_same_picks() {
        // Grant 1: 3/10 then 1/2 (the larger share, 50 %); grant 2: 9/20 then 4/5.
        let v = [
            share(1, 1, 3, 10),
            share(1, 2, 1, 2),
            share(2, 1, 9, 20),
            share(2, 2, 4, 5),
        ];
        let sum = roll_up(Selection::of(Percentage, Aggregation::Sum), &v);
        assert_eq!((sum.value, sum.denominator), (Some(17), Some(37)));
        assert_eq!(sum.actual(Percentage).as_deref(), Some("45.95"));
        let latest = roll_up(Selection::of(Percentage, Aggregation::Latest), &v);
        assert_eq!((latest.value, latest.denominator), (Some(5), Some(7)));
        assert_eq!(latest.actual(Percentage).as_deref(), Some("71.43"));
        // Max picks by share, not by numerator: 1/2 over 3/10, 4/5 over 9/20.
        let max = roll_up(Selection::of(Percentage, Aggregation::Max), &v);
        assert_eq!((max.value, max.denominator), (Some(5), Some(7)));
    }

    #[test]
    fn equal_values_pick_the_latest_period() {
        let v = [share(1, 1, 1, 2), share(1, 2, 2, 4)];
        let max = roll_up(Selection::LargestPerGrant, &v);
        assert_eq!((max.value, max.denominator), (Some(2), Some(4)));
    }

    #[test]
    fn every_text_of_a_qualitative_indicator_counts() {
        let text = |grant, period| Observation {
            grant,
            period,
            value: None,
            denominator: None,
        };
        let v = [text(1_u8, 1_u8), text(1, 2), text(2, 1)];
        for a in Aggregation::ALL {
            let f = roll_up(Selection::of(Qualitative, *a), &v);
            assert_eq!((f.value, f.values), (None, 3), "{a:?}");
            assert_eq!(f.actual(Qualitative), None);
            assert_eq!(f.progress(Qualitative, None, Some(1)), None);
        }
    }

    #[test]
    fn actuals_are_decimal_strings() {
        assert_eq!(
            Figure::of(Some(120), None).actual(Count).as_deref(),
            Some("120")
        );
        assert_eq!(
            Figure::of(Some(2), Some(3)).actual(Percentage).as_deref(),
            Some("66.67")
        );
        assert_eq!(
            Figure::of(Some(1), Some(3)).actual(Percentage).as_deref(),
            Some("33.33")
        );
        assert_eq!(Figure::default().actual(Count), None);
        assert_eq!(Figure::of(Some(1), None).actual(Percentage), None);
    }

    #[test]
    fn progress_runs_from_the_baseline_to_the_target() {
        let f = Figure::of(Some(60), None);
        assert_eq!(
            f.progress(Count, Some(0), Some(150)).as_deref(),
            Some("40.00")
        );
        assert_eq!(f.progress(Count, None, Some(150)).as_deref(), Some("40.00"));
        assert_eq!(
            f.progress(Count, Some(50), Some(150)).as_deref(),
            Some("10.00")
        );
        assert_eq!(
            f.progress(Count, Some(100), Some(150)).as_deref(),
            Some("-80.00")
        );
        assert_eq!(
            f.progress(Count, Some(0), Some(40)).as_deref(),
            Some("150.00")
        );
        assert_eq!(f.progress(Count, Some(0), None), None);
        assert_eq!(f.progress(Count, Some(60), Some(60)), None);
        // 40 % against a baseline of 30 % and a target of 50 %: halfway.
        let p = Figure::of(Some(2), Some(5));
        assert_eq!(
            p.progress(Percentage, Some(30), Some(50)).as_deref(),
            Some("50.00")
        );
        // 2/3 = 66.67 %, from 0 % to 100 %.
        let third = Figure::of(Some(2), Some(3));
        assert_eq!(
            third.progress(Percentage, None, Some(100)).as_deref(),
            Some("66.67")
        );
    }

    #[test]
    fn hundredths_round_half_away_from_zero() {
        assert_eq!(ratio_hundredths(1, 8), Some(13)); // 12.5
        assert_eq!(ratio_hundredths(-1, 8), Some(-13));
        assert_eq!(ratio_hundredths(1, -8), Some(-13));
        assert_eq!(ratio_hundredths(1, 0), None);
        assert_eq!(ratio_hundredths(i128::MAX / 1000, 1), Some(i64::MAX));
    }
}
