//! Programmes: a donor-funded programme run by a managing organisation.

crate::state_machine! {
    /// A programme's status: `draft → active → closed`.
    entity "programme", ProgrammeStatus, ProgrammeAction;
    states { Draft = "draft", Active = "active", Closed = "closed" }
    actions { Activate = "activate", Close = "close" }
    transitions { (Draft, Activate) => Active, (Active, Close) => Closed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programmes_go_from_draft_to_active_to_closed_only() {
        crate::workflow::assert_exactly(
            ProgrammeStatus::ALL,
            ProgrammeAction::ALL,
            &[
                ("draft", "activate", "active"),
                ("active", "close", "closed"),
            ],
            ProgrammeStatus::apply,
            ProgrammeStatus::as_str,
            ProgrammeAction::as_str,
        );
        assert!(ProgrammeStatus::Closed.is_final());
    }
}
