//! Recording what changed: [`record`] writes the change's row of the event log (the audit log,
//! which is also the outbox of the change feed) in the transaction of the change (STYLE §5). Summaries never hold secrets.

use crate::error::ApiError;
use chrono::NaiveDateTime;
use seriktes_domain::access::Actor;
use seriktes_domain::ids::{EventId, OrganizationId, ProgrammeId};
use seriktes_persistence::db::Tx;
use seriktes_persistence::events::{self, NewEvent};

/// One change, as a use case describes it.
#[derive(Debug, Clone)]
pub struct Event {
    /// `<entity>.<verb>`: `grant.suspend`.
    pub kind: String,
    /// The kind of object: `grant`.
    pub entity_type: &'static str,
    /// The object's id.
    pub entity_id: String,
    /// A short account for the audit log.
    pub summary: String,
    /// The programme the change belongs to, if any.
    pub programme: Option<ProgrammeId>,
    /// The organisations that may see the change.
    pub audience: Vec<OrganizationId>,
    /// A small JSON payload for the change feed.
    pub payload: serde_json::Value,
}

impl Event {
    /// An event about `entity_type` `entity_id`, visible to nobody but admins until
    /// [`Self::seen_by`] and [`Self::in_programme`] widen it.
    pub fn new(
        kind: impl Into<String>,
        entity_type: &'static str,
        entity_id: impl ToString,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            kind: kind.into(),
            entity_type,
            entity_id: entity_id.to_string(),
            summary: summary.into(),
            programme: None,
            audience: Vec::new(),
            payload: serde_json::Value::Null,
        }
    }

    /// The organisations that may see it.
    #[must_use]
    pub fn seen_by(mut self, orgs: impl IntoIterator<Item = OrganizationId>) -> Self {
        self.audience.extend(orgs);
        self
    }

    /// The programme it belongs to.
    #[must_use]
    pub fn in_programme(mut self, programme: ProgrammeId) -> Self {
        self.programme = Some(programme);
        self
    }

    /// The feed payload.
    #[must_use]
    pub fn with_payload(mut self, payload: serde_json::Value) -> Self {
        self.payload = payload;
        self
    }
}

/// Writes the event-log row of `event` and its audience, done by `actor` (`None`: the command
/// line or the system) at `now`.
pub fn record(
    tx: &mut Tx<'_>,
    actor: Option<&Actor>,
    now: NaiveDateTime,
    event: Event,
) -> Result<(), ApiError> {
    events::insert(
        tx,
        &NewEvent {
            id: EventId::from_uuid(uuid::Uuid::now_v7()),
            at: now,
            actor: actor.map(Actor::user_id),
            kind: event.kind,
            entity_type: event.entity_type,
            entity_id: event.entity_id,
            summary: event.summary,
            programme: event.programme,
            audience: event.audience,
            payload: event.payload,
        },
    )?;
    Ok(())
}
