//! Calls for proposals. Publishing opens a call; it closes by itself at `closes_at` — the
//! closed state is derived from the clock, never written by a job ([`CallStatus::effective`]).

crate::state_machine! {
    /// A call's status: `draft → open → closed → decided`.
    entity "call", CallStatus, CallAction;
    states { Draft = "draft", Open = "open", Closed = "closed", Decided = "decided" }
    actions { Publish = "publish", Close = "close", Decide = "decide" }
    transitions { (Draft, Publish) => Open, (Open, Close) => Closed, (Closed, Decide) => Decided }
}

impl CallStatus {
    /// The status as of `now`: a stored `open` call whose window has ended is `closed`.
    pub fn effective<T: PartialOrd>(self, closes_at: &T, now: &T) -> Self {
        match self {
            Self::Open if now >= closes_at => Self::Closed,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_published_closed_and_decided_in_order() {
        crate::workflow::assert_exactly(
            CallStatus::ALL,
            CallAction::ALL,
            &[
                ("draft", "publish", "open"),
                ("open", "close", "closed"),
                ("closed", "decide", "decided"),
            ],
            CallStatus::apply,
            CallStatus::as_str,
            CallAction::as_str,
        );
    }

    #[test]
    fn an_open_call_is_closed_once_its_window_has_ended() {
        assert_eq!(CallStatus::Open.effective(&10, &9), CallStatus::Open);
        assert_eq!(CallStatus::Open.effective(&10, &10), CallStatus::Closed);
        assert_eq!(CallStatus::Draft.effective(&10, &11), CallStatus::Draft);
        assert_eq!(CallStatus::Decided.effective(&10, &11), CallStatus::Decided);
    }
}
