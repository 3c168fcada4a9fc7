//! Budget lines of a grant. Each line has a stable [`BudgetLineId`], so that reports can record
//! expenditures per line across amendments.

use crate::ids::BudgetLineId;
use crate::money::{Currency, Money};
use crate::{DomainError, FieldError};

/// Most lines in a budget.
pub const MAX_LINES: usize = 100;
/// Longest category of a line.
pub const MAX_CATEGORY_CHARS: usize = 100;
/// Longest description of a line.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// One line of a grant's budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    /// Stable id.
    pub id: BudgetLineId,
    /// Category, e.g. `staff`.
    pub category: String,
    /// What the money pays for.
    pub description: String,
    /// The amount.
    pub amount: Money,
}

/// A line as a client sends it: naming an existing line by id keeps that id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    /// The existing line this replaces, if any.
    pub id: Option<BudgetLineId>,
    /// Category.
    pub category: String,
    /// Description.
    pub description: String,
    /// Amount.
    pub amount: Money,
}

/// The new lines of a budget: lines naming an existing id keep it, others get an id from
/// `new_id`. Names every failure: unknown ids, ids named twice, amounts in another currency.
pub fn plan_lines(
    current: &[BudgetLine],
    input: Vec<LineInput>,
    currency: Currency,
    mut new_id: impl FnMut() -> BudgetLineId,
) -> Result<Vec<BudgetLine>, DomainError> {
    let mut errors = Vec::new();
    let mut seen = Vec::new();
    let mut out = Vec::with_capacity(input.len());
    for (i, l) in input.into_iter().enumerate() {
        if l.amount.currency() != currency {
            errors.push(FieldError::new(
                format!("budget_lines.{i}.amount.currency"),
                "currency_mismatch",
                format!("the currency is {currency}"),
            ));
        }
        let id = match l.id {
            Some(id) if !current.iter().any(|c| c.id == id) => {
                errors.push(FieldError::new(
                    format!("budget_lines.{i}.id"),
                    "unknown",
                    "the grant has no budget line with this id",
                ));
                id
            }
            Some(id) if seen.contains(&id) => {
                errors.push(FieldError::new(
                    format!("budget_lines.{i}.id"),
                    "unique",
                    "this line is named twice",
                ));
                id
            }
            Some(id) => id,
            None => new_id(),
        };
        seen.push(id);
        out.push(BudgetLine {
            id,
            category: l.category,
            description: l.description,
            amount: l.amount,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// The total of some lines in `currency`; refuses overflow.
pub fn total(lines: &[BudgetLine], currency: Currency) -> Result<Money, DomainError> {
    Money::sum(currency, lines.iter().map(|l| &l.amount)).map_err(|_| {
        FieldError::new("budget_lines", "range", "the lines' total is out of range").into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap_or_else(|_| unreachable!())
    }
    fn id(n: u128) -> BudgetLineId {
        BudgetLineId::from_uuid(Uuid::from_u128(n))
    }
    fn line(n: u128, minor: i64) -> BudgetLine {
        BudgetLine {
            id: id(n),
            category: "staff".into(),
            description: "Lawyer".into(),
            amount: Money::from_minor(minor, eur()),
        }
    }
    fn input(n: Option<u128>, minor: i64) -> LineInput {
        LineInput {
            id: n.map(id),
            category: "events".into(),
            description: "Seminar".into(),
            amount: Money::from_minor(minor, eur()),
        }
    }

    #[test]
    fn named_lines_keep_their_ids_and_new_lines_get_new_ones() {
        let mut next = 100;
        let lines = plan_lines(
            &[line(1, 10)],
            vec![input(Some(1), 20), input(None, 30)],
            eur(),
            || {
                next += 1;
                id(next)
            },
        );
        let lines = lines.unwrap_or_default();
        assert_eq!(
            lines.iter().map(|l| l.id).collect::<Vec<_>>(),
            [id(1), id(101)]
        );
        assert_eq!(total(&lines, eur()).map(|m| m.minor()), Ok(50));
    }

    #[test]
    fn an_unknown_or_repeated_line_id_is_refused() {
        let r = plan_lines(
            &[line(1, 10)],
            vec![input(Some(9), 20), input(Some(1), 1), input(Some(1), 1)],
            eur(),
            || id(5),
        );
        let Err(DomainError::Invalid(errors)) = r else {
            unreachable!("{r:?}")
        };
        let codes: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("budget_lines.0.id", "unknown"),
                ("budget_lines.2.id", "unique")
            ]
        );
    }
}
