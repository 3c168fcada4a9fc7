//! The one transition use case (DESIGN: Workflows): load the object with the facts its policy
//! needs, authorize the action, ask the state machine, check the resource's own rules, store
//! the new state guarded by the version read, record the event. Each resource with a state
//! machine implements [`Machine`]; its routes call [`transition`].

use crate::error::ApiError;
use crate::service::events::{self, Event};
use chrono::NaiveDateTime;
use seriktes_domain::DomainError;
use seriktes_domain::access::Actor;
use seriktes_domain::workflow::Workflow;
use seriktes_persistence::db::Tx;

/// A resource whose status a state machine moves.
pub trait Machine {
    /// The object's typed id.
    type Id: Copy + std::fmt::Display;
    /// Its state machine.
    type State: Workflow;
    /// The object with the facts its policy and rules need.
    type Loaded;
    /// What the use case returns (the domain object, typically with its version).
    type Output;
    /// What the caller sends with the action besides the id (a payment's date and reference);
    /// `()` for most machines. It reaches [`Machine::store`], so the move is one write.
    type Input;

    /// Loads the object and its facts, locking what the rules count (`NotFound` if absent).
    fn load(tx: &mut Tx<'_>, id: Self::Id, now: NaiveDateTime) -> Result<Self::Loaded, ApiError>;

    /// Asks the resource's access policy whether `actor` may take `action` (404 / 403).
    fn authorize(
        actor: &Actor,
        loaded: &Self::Loaded,
        action: <Self::State as Workflow>::Action,
    ) -> Result<(), DomainError>;

    /// The current state.
    fn state(loaded: &Self::Loaded, now: NaiveDateTime) -> Self::State;

    /// Rules beyond the state machine (a report accepted, a call closed…); none by default.
    fn check(
        _loaded: &Self::Loaded,
        _action: <Self::State as Workflow>::Action,
        _now: NaiveDateTime,
    ) -> Result<(), DomainError> {
        Ok(())
    }

    /// Stores the new state if the object is still at the version read (and at `if_match`,
    /// when the client sent one); returns the output and the event to record.
    fn store(
        tx: &mut Tx<'_>,
        loaded: Self::Loaded,
        to: Self::State,
        input: Self::Input,
        if_match: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<(Self::Output, Event), ApiError>;
}

/// Moves `id` by `action` on behalf of `actor`.
pub fn transition<M: Machine>(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: M::Id,
    action: <M::State as Workflow>::Action,
    input: M::Input,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<M::Output, ApiError> {
    let loaded = M::load(tx, id, now)?;
    transition_loaded::<M>(tx, actor, loaded, action, input, if_match, now)
}

/// Moves an object already loaded with what [`Machine::load`] would have read (a use case
/// that moves many objects at once loads them together), the same way as [`transition`].
pub fn transition_loaded<M: Machine>(
    tx: &mut Tx<'_>,
    actor: &Actor,
    loaded: M::Loaded,
    action: <M::State as Workflow>::Action,
    input: M::Input,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<M::Output, ApiError> {
    M::authorize(actor, &loaded, action)?;
    let from = M::state(&loaded, now);
    let to = from.next(action)?;
    M::check(&loaded, action, now)?;
    let (output, event) = M::store(tx, loaded, to, input, if_match, now)?;
    let summary = if event.summary.is_empty() {
        format!("{} → {}", from.name(), to.name())
    } else {
        event.summary.clone()
    };
    events::record(tx, Some(actor), now, Event { summary, ..event })?;
    Ok(output)
}
