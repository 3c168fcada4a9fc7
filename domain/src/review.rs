//! Reviews: one committee member's scores for one application, and the ranking of a call's
//! applications by the weighted mean of their submitted reviews.

use crate::error::{DomainError, FieldError};
use crate::ids::{ApplicationId, ReviewId, UserId};
use std::collections::BTreeMap;

/// Longest comment, or note on a conflict of interest.
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// A review as stored; `T` is the caller's time type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review<T> {
    /// Id.
    pub id: ReviewId,
    /// The application reviewed.
    pub application: ApplicationId,
    /// The reviewer.
    pub reviewer: UserId,
    /// Status.
    pub status: ReviewStatus,
    /// Whether the reviewer declared a conflict of interest.
    pub conflict_of_interest: bool,
    /// The reviewer's note on the conflict.
    pub conflict_note: Option<String>,
    /// When the reviewer declared (no) conflict; `None` until then.
    pub conflict_declared_at: Option<T>,
    /// Scores by criterion id.
    pub scores: BTreeMap<String, i32>,
    /// The reviewer's comment.
    pub comment: Option<String>,
    /// When submitted.
    pub submitted_at: Option<T>,
    /// Optimistic-concurrency version (ETag).
    pub version: i64,
    /// When assigned.
    pub created_at: T,
    /// When last changed.
    pub updated_at: T,
}

impl<T> Review<T> {
    /// Whether the reviewer declared positively that they have no conflict of interest.
    pub fn declared_no_conflict(&self) -> bool {
        self.conflict_declared_at.is_some() && !self.conflict_of_interest
    }
}

crate::state_machine! {
    /// A review's status: `assigned → submitted`; declaring a conflict of interest recuses
    /// the reviewer (`assigned → recused`), after which no scores are accepted.
    entity "review", ReviewStatus, ReviewAction;
    states { Assigned = "assigned", Submitted = "submitted", Recused = "recused" }
    actions { Submit = "submit", Recuse = "recuse" }
    transitions { (Assigned, Submit) => Submitted, (Assigned, Recuse) => Recused }
}

/// A criterion as scoring needs it.
#[derive(Debug, Clone, Copy)]
pub struct Criterion<'a> {
    /// Its id.
    pub id: &'a str,
    /// Relative weight (> 0).
    pub weight: i32,
    /// Highest score (> 0).
    pub max_score: i32,
}

/// Checks scores given as `(criterion id, score)`: each criterion of the call, once, within
/// 0..=max. Returns them keyed by criterion id.
pub fn check_scores(
    criteria: &[Criterion<'_>],
    scores: &[(String, i32)],
) -> Result<BTreeMap<String, i32>, DomainError> {
    let mut errors = Vec::new();
    let mut out = BTreeMap::new();
    for (i, (id, score)) in scores.iter().enumerate() {
        match criteria.iter().find(|c| c.id == id) {
            None => errors.push(FieldError::new(
                format!("scores.{i}.criterion_id"),
                "exists",
                "not a criterion of this call",
            )),
            Some(_) if out.contains_key(id) => {
                errors.push(FieldError::new(
                    format!("scores.{i}.criterion_id"),
                    "unique",
                    "scored twice",
                ));
            }
            Some(c) if !(0..=c.max_score).contains(score) => errors.push(FieldError::new(
                format!("scores.{i}.score"),
                "range",
                format!(
                    "a score for this criterion is between 0 and {}",
                    c.max_score
                ),
            )),
            Some(_) => {
                out.insert(id.clone(), *score);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// Criteria that have no score yet (a review is submitted only when this is empty).
pub fn missing_scores<'a>(
    criteria: &[Criterion<'a>],
    scores: &BTreeMap<String, i32>,
) -> Vec<&'a str> {
    criteria
        .iter()
        .filter(|c| !scores.contains_key(c.id))
        .map(|c| c.id)
        .collect()
}

/// One review's weighted score in percent: Σ score × weight ÷ Σ max × weight × 100.
/// `None` while a criterion is unscored.
pub fn weighted_percent(criteria: &[Criterion<'_>], scores: &BTreeMap<String, i32>) -> Option<f64> {
    let mut got = 0_i64;
    let mut max = 0_i64;
    for c in criteria {
        let s = scores.get(c.id)?;
        got += i64::from(*s) * i64::from(c.weight);
        max += i64::from(c.max_score) * i64::from(c.weight);
    }
    let (got, max) = (i32::try_from(got).ok()?, i32::try_from(max).ok()?);
    (max > 0).then(|| f64::from(got) * 100.0 / f64::from(max))
}

/// Scoring needs a declaration first: the reviewer states they have no conflict of interest
/// (`POST /reviews/{id}/declare-no-conflict`) or declares one and is recused.
pub fn check_scoring(declared_no_conflict: bool) -> Result<(), DomainError> {
    if declared_no_conflict {
        Ok(())
    } else {
        Err(DomainError::Invalid(vec![undeclared()]))
    }
}

fn undeclared() -> FieldError {
    FieldError::new(
        "conflict_declared_at",
        "declaration_required",
        "declare that you have no conflict of interest before scoring or submitting",
    )
}

/// A review is submitted only by a reviewer who declared no conflict of interest and scored
/// every criterion; names every failing rule.
pub fn check_review_submission(
    declared_no_conflict: bool,
    criteria: &[Criterion<'_>],
    scores: &BTreeMap<String, i32>,
) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    if !declared_no_conflict {
        errors.push(undeclared());
    }
    for c in missing_scores(criteria, scores) {
        errors.push(FieldError::new(
            format!("scores.{c}"),
            "required",
            "this criterion has no score",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// One application's place in a ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<K> {
    /// The application.
    pub key: K,
    /// Mean of its reviews' weighted scores (percent, two decimals); `None` without reviews.
    pub score: Option<f64>,
    /// How many submitted reviews count.
    pub reviews: usize,
    /// 1-based rank; equal scores share a rank (1, 2, 2, 4); `None` without reviews.
    pub rank: Option<usize>,
}

/// Ranks applications by the mean of their reviews' weighted scores, best first. `items` come
/// in the order that breaks ties (e.g. by submission time): equal scores keep it.
pub fn rank<K>(items: Vec<(K, Vec<f64>)>) -> Vec<Ranked<K>> {
    let mut ranked: Vec<Ranked<K>> = items
        .into_iter()
        .map(|(key, scores)| {
            let n = scores.len();
            let score = u32::try_from(n).ok().filter(|n| *n > 0).map(|n| {
                let mean = scores.iter().sum::<f64>() / f64::from(n);
                (mean * 100.0).round() / 100.0
            });
            Ranked {
                key,
                score,
                reviews: n,
                rank: None,
            }
        })
        .collect();
    // Stable: equal scores keep their input order; unscored last.
    ranked.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let mut previous: Option<(f64, usize)> = None;
    for (i, r) in ranked.iter_mut().enumerate() {
        if let Some(score) = r.score {
            let rank = match previous {
                Some((s, rank)) if s == score => rank,
                _ => i + 1,
            };
            r.rank = Some(rank);
            previous = Some((score, rank));
        }
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submitting_without_a_declaration_or_with_missing_scores_names_each_rule() {
        let scores = BTreeMap::from([("relevance".to_owned(), 5)]);
        let Err(DomainError::Invalid(errors)) = check_review_submission(false, &CRITERIA, &scores)
        else {
            panic!("expected a refusal");
        };
        let rules: Vec<&str> = errors.iter().map(|e| e.code).collect();
        assert_eq!(rules, ["declaration_required", "required"]);
        let full = BTreeMap::from([("relevance".to_owned(), 5), ("feasibility".to_owned(), 1)]);
        assert!(check_review_submission(true, &CRITERIA, &full).is_ok());
        assert!(check_review_submission(false, &CRITERIA, &full).is_err());
    }

    #[test]
    fn scoring_needs_a_declaration() {
        assert!(check_scoring(false).is_err());
        assert!(check_scoring(true).is_ok());
    }

    const CRITERIA: [Criterion<'static>; 2] = [
        Criterion {
            id: "relevance",
            weight: 3,
            max_score: 10,
        },
        Criterion {
            id: "feasibility",
            weight: 1,
            max_score: 5,
        },
    ];

    fn scores(pairs: &[(&str, i32)]) -> Vec<(String, i32)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn scores_must_name_criteria_once_and_stay_within_their_maximum() {
        let ok =
            check_scores(&CRITERIA, &scores(&[("relevance", 10), ("feasibility", 0)])).unwrap();
        assert_eq!(ok.len(), 2);
        let Err(DomainError::Invalid(e)) = check_scores(
            &CRITERIA,
            &scores(&[
                ("relevance", 11),
                ("other", 1),
                ("feasibility", 6),
                ("relevance", 1),
            ]),
        ) else {
            panic!("expected invalid");
        };
        let codes: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("scores.0.score", "range"),
                ("scores.1.criterion_id", "exists"),
                ("scores.2.score", "range")
            ]
        );
        let Err(DomainError::Invalid(e)) =
            check_scores(&CRITERIA, &scores(&[("relevance", 1), ("relevance", 2)]))
        else {
            panic!("expected invalid");
        };
        assert_eq!(
            (e[0].field.as_str(), e[0].code),
            ("scores.1.criterion_id", "unique")
        );
    }

    #[test]
    fn a_review_scores_the_weighted_share_of_the_maximum() {
        let s = check_scores(&CRITERIA, &scores(&[("relevance", 10), ("feasibility", 5)])).unwrap();
        assert_eq!(weighted_percent(&CRITERIA, &s), Some(100.0));
        let s = check_scores(&CRITERIA, &scores(&[("relevance", 5), ("feasibility", 5)])).unwrap();
        // (5*3 + 5*1) / (10*3 + 5*1) = 20/35
        assert!((weighted_percent(&CRITERIA, &s).unwrap() - 57.142_857).abs() < 1e-4);
        let partial = check_scores(&CRITERIA, &scores(&[("relevance", 5)])).unwrap();
        assert_eq!(weighted_percent(&CRITERIA, &partial), None);
        assert_eq!(missing_scores(&CRITERIA, &partial), ["feasibility"]);
    }

    #[test]
    fn the_ranking_is_best_first_with_shared_ranks_and_stable_ties() {
        let r = rank(vec![
            ("a", vec![50.0]),
            ("b", vec![80.0, 60.0]),
            ("c", vec![]),
            ("d", vec![70.0]),
            ("e", vec![90.0]),
        ]);
        let order: Vec<_> = r
            .iter()
            .map(|x| (x.key, x.rank, x.score, x.reviews))
            .collect();
        assert_eq!(
            order,
            [
                ("e", Some(1), Some(90.0), 1),
                ("b", Some(2), Some(70.0), 2),
                ("d", Some(2), Some(70.0), 1),
                ("a", Some(4), Some(50.0), 1),
                ("c", None, None, 0),
            ]
        );
    }

    #[test]
    fn reviews_are_submitted_or_recused_once() {
        crate::workflow::assert_exactly(
            ReviewStatus::ALL,
            ReviewAction::ALL,
            &[
                ("assigned", "submit", "submitted"),
                ("assigned", "recuse", "recused"),
            ],
            ReviewStatus::apply,
            ReviewStatus::as_str,
            ReviewAction::as_str,
        );
    }
}
