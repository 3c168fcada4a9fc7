//! Reviews: one committee member's scores for one application.

crate::state_machine! {
    /// A review's status: `assigned → submitted`; declaring a conflict of interest recuses
    /// the reviewer (`assigned → recused`), after which no scores are accepted.
    entity "review", ReviewStatus, ReviewAction;
    states { Assigned = "assigned", Submitted = "submitted", Recused = "recused" }
    actions { Submit = "submit", Recuse = "recuse" }
    transitions { (Assigned, Submit) => Submitted, (Assigned, Recuse) => Recused }
}

#[cfg(test)]
mod tests {
    use super::*;

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
