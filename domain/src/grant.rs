//! Grants and their disbursements (tranches).

crate::state_machine! {
    /// A grant's status: `active ⇄ suspended`, `active → completed | terminated`.
    entity "grant", GrantStatus, GrantAction;
    states { Active = "active", Suspended = "suspended", Completed = "completed", Terminated = "terminated" }
    actions { Suspend = "suspend", Resume = "resume", Complete = "complete", Terminate = "terminate" }
    transitions {
        (Active, Suspend) => Suspended,
        (Suspended, Resume) => Active,
        (Active, Complete) => Completed,
        (Active, Terminate) => Terminated,
    }
}

crate::state_machine! {
    /// A tranche's status: `planned → approved → paid`, `planned | approved → cancelled`.
    entity "disbursement", DisbursementStatus, DisbursementAction;
    states { Planned = "planned", Approved = "approved", Paid = "paid", Cancelled = "cancelled" }
    actions { Approve = "approve", Pay = "pay", Cancel = "cancel" }
    transitions {
        (Planned, Approve) => Approved,
        (Planned, Cancel) => Cancelled,
        (Approved, Pay) => Paid,
        (Approved, Cancel) => Cancelled,
    }
}

impl DisbursementStatus {
    /// Whether the tranche still counts against the grant amount.
    pub fn counts_against_amount(self) -> bool {
        self != Self::Cancelled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_suspended_resumed_completed_or_terminated() {
        crate::workflow::assert_exactly(
            GrantStatus::ALL,
            GrantAction::ALL,
            &[
                ("active", "suspend", "suspended"),
                ("active", "complete", "completed"),
                ("active", "terminate", "terminated"),
                ("suspended", "resume", "active"),
            ],
            GrantStatus::apply,
            GrantStatus::as_str,
            GrantAction::as_str,
        );
    }

    #[test]
    fn tranches_are_approved_then_paid_or_cancelled_before_payment() {
        crate::workflow::assert_exactly(
            DisbursementStatus::ALL,
            DisbursementAction::ALL,
            &[
                ("planned", "approve", "approved"),
                ("planned", "cancel", "cancelled"),
                ("approved", "pay", "paid"),
                ("approved", "cancel", "cancelled"),
            ],
            DisbursementStatus::apply,
            DisbursementStatus::as_str,
            DisbursementAction::as_str,
        );
        assert!(DisbursementStatus::Paid.counts_against_amount());
        assert!(!DisbursementStatus::Cancelled.counts_against_amount());
    }
}
