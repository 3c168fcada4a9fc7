//! Applications: an NGO's proposal to a call.

crate::state_machine! {
    /// An application's status: `draft → submitted → under_review → awarded | rejected`,
    /// `draft | submitted → withdrawn`.
    entity "application", ApplicationStatus, ApplicationAction;
    states {
        Draft = "draft", Submitted = "submitted", UnderReview = "under_review",
        Awarded = "awarded", Rejected = "rejected", Withdrawn = "withdrawn",
    }
    actions { Submit = "submit", BeginReview = "begin_review", Award = "award", Reject = "reject", Withdraw = "withdraw" }
    transitions {
        (Draft, Submit) => Submitted,
        (Draft, Withdraw) => Withdrawn,
        (Submitted, BeginReview) => UnderReview,
        (Submitted, Withdraw) => Withdrawn,
        (UnderReview, Award) => Awarded,
        (UnderReview, Reject) => Rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applications_follow_the_designed_workflow_only() {
        crate::workflow::assert_exactly(
            ApplicationStatus::ALL,
            ApplicationAction::ALL,
            &[
                ("draft", "submit", "submitted"),
                ("draft", "withdraw", "withdrawn"),
                ("submitted", "begin_review", "under_review"),
                ("submitted", "withdraw", "withdrawn"),
                ("under_review", "award", "awarded"),
                ("under_review", "reject", "rejected"),
            ],
            ApplicationStatus::apply,
            ApplicationStatus::as_str,
            ApplicationAction::as_str,
        );
    }

    #[test]
    fn an_illegal_action_names_the_state_and_the_allowed_actions() {
        let err = ApplicationStatus::Submitted
            .apply(ApplicationAction::Award)
            .unwrap_err();
        assert_eq!(
            err,
            crate::DomainError::InvalidTransition {
                entity: "application",
                action: "award",
                from: "submitted",
                allowed: vec!["begin_review", "withdraw"],
            }
        );
        assert!(ApplicationStatus::Awarded.is_final());
    }
}
