//! Indicator use cases: a programme's catalogue (add, read, list, change) and the indicators a
//! grant carries (read, replace; `service::grants::award` sets them at award through
//! [`check_for_grant`] and `persistence::indicators::insert_for_grant`).

use crate::error::ApiError;
use crate::service::events::{self, Event};
use chrono::NaiveDateTime;
use seriktes_domain::access::grant::{GrantRight, grant as grant_policy};
use seriktes_domain::access::indicator::{IndicatorRight, IndicatorRole, indicator as policy};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::{GrantId, IndicatorId, ProgrammeId};
use seriktes_domain::indicator::{
    self, ChangeRefusal, GrantIndicatorInput, IndicatorCode, IndicatorDraft, IndicatorPatch,
};
use seriktes_persistence::db::Tx;
use seriktes_persistence::grants::{self, GrantChanges};
use seriktes_persistence::indicators::{self as store, GrantIndicator, Indicator, Scope};
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::{DbConn, StoreError};

pub use seriktes_persistence::indicators::IndicatorFilter;

/// An indicator as a caller sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The indicator.
    pub indicator: Indicator,
    /// The caller's role.
    pub role: IndicatorRole,
}

/// The indicators a grant carries, at the grant's version (their ETag).
#[derive(Debug, Clone)]
pub struct Carried {
    /// The grant.
    pub grant: GrantId,
    /// The grant's version.
    pub version: i64,
    /// Its indicators, in the order set.
    pub indicators: Vec<GrantIndicator>,
}

/// A missing row is 404; anything else as the store says.
fn found<T>(r: Result<T, StoreError>) -> Result<T, ApiError> {
    match r {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

/// A duplicate code is 409 `indicator-code-taken`; anything else as the store says.
fn code_taken(code: &IndicatorCode) -> impl FnOnce(StoreError) -> ApiError + '_ {
    move |e| match e {
        StoreError::Duplicate { field } if field == "code" => {
            ApiError::IndicatorCodeTaken(code.as_str().to_owned())
        }
        other => other.into(),
    }
}

/// A programme's scope and the caller's role towards its catalogue, if they hold `right`.
fn scope_as(
    conn: &mut DbConn,
    actor: &Actor,
    programme: ProgrammeId,
    right: IndicatorRight,
) -> Result<(Scope, IndicatorRole), ApiError> {
    let scope = found(store::scope(conn, programme))?;
    let role = authorize(policy(actor, &scope.facts), right)?;
    Ok((scope, role))
}

/// The event of a change to `i`: seen by the programme's managing organisation and funders.
fn event(kind: &str, scope: &Scope, i: &Indicator, summary: String) -> Event {
    let circle = &scope.facts.circle;
    Event::new(kind, "indicator", i.id, summary)
        .seen_by(std::iter::once(circle.managing).chain(circle.funders.iter().copied()))
        .in_programme(scope.programme)
        .with_payload(serde_json::json!({"code": i.fields.code.as_str(), "version": i.version}))
}

/// Adds an indicator to a programme's catalogue (its managers).
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    programme: ProgrammeId,
    draft: IndicatorDraft,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let (scope, role) = scope_as(tx, actor, programme, IndicatorRight::Write)?;
    let fields = indicator::check_indicator(draft, &scope.regions)?;
    let i = Indicator {
        id: IndicatorId::from_uuid(uuid::Uuid::now_v7()),
        programme,
        fields,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert(tx, &i).map_err(code_taken(&i.fields.code))?;
    let summary = format!("added indicator {}", i.fields.code);
    events::record(
        tx,
        Some(actor),
        now,
        event("indicator.created", &scope, &i, summary),
    )?;
    Ok(Seen { indicator: i, role })
}

/// One indicator, for whoever may see its programme.
pub fn get(conn: &mut DbConn, actor: &Actor, id: IndicatorId) -> Result<Seen, ApiError> {
    let loaded = found(store::find(conn, id))?;
    let role = authorize(policy(actor, &loaded.scope.facts), IndicatorRight::Read)?;
    Ok(Seen {
        indicator: loaded.indicator,
        role,
    })
}

/// One page of a programme's catalogue, for whoever may see the programme.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    programme: ProgrammeId,
    filter: &IndicatorFilter,
    page: &PageRequest,
) -> Result<Page<Seen>, ApiError> {
    let (_, role) = scope_as(conn, actor, programme, IndicatorRight::Read)?;
    Ok(store::list(conn, programme, filter, page)?.map(|indicator| Seen { indicator, role }))
}

/// Changes an indicator (its programme's managers); once a grant carries it, its kind,
/// aggregation and dimensions stay (409 `indicator-in-use`).
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: IndicatorId,
    patch: IndicatorPatch,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let loaded = found(store::find(tx, id))?;
    let role = authorize(policy(actor, &loaded.scope.facts), IndicatorRight::Write)?;
    let current = loaded.indicator;
    let next = indicator::plan_change(&current, patch, loaded.in_use, &loaded.scope.regions)
        .map_err(|e| match e {
            ChangeRefusal::Rule(e) => ApiError::from(e),
            ChangeRefusal::InUse(fields) => ApiError::IndicatorInUse(fields),
        })?;
    let version =
        store::update(tx, &current, if_match, &next, now).map_err(code_taken(&next.code))?;
    seriktes_persistence::results::touch(tx, current.programme)?;
    let i = Indicator {
        fields: next,
        version,
        updated_at: now,
        ..current
    };
    let summary = format!("changed indicator {}", i.fields.code);
    events::record(
        tx,
        Some(actor),
        now,
        event("indicator.updated", &loaded.scope, &i, summary),
    )?;
    Ok(Seen { indicator: i, role })
}

/// Checks the indicators a grant of `programme` is to carry (under the request's `field`)
/// against the programme's catalogue, read in one statement (none when there are none).
pub fn check_for_grant(
    conn: &mut DbConn,
    programme: ProgrammeId,
    field: &str,
    items: &[GrantIndicatorInput],
) -> Result<(), ApiError> {
    let ids: Vec<IndicatorId> = items.iter().map(|i| i.indicator).collect();
    let kinds = store::kinds_in(conn, programme, &ids)?;
    let kind_of = |id| kinds.iter().find(|(k, _)| *k == id).map(|(_, kind)| *kind);
    Ok(indicator::check_grant_indicators(field, items, kind_of)?)
}

/// The indicators a grant carries, for whoever may see the grant.
pub fn of_grant(conn: &mut DbConn, actor: &Actor, id: GrantId) -> Result<Carried, ApiError> {
    let g = found(grants::find(conn, id))?;
    authorize(grant_policy(actor, &g.facts), GrantRight::Read)?;
    Ok(Carried {
        grant: id,
        version: g.grant.version,
        indicators: store::of_grant(conn, id)?,
    })
}

/// Replaces the indicators a grant carries (those who manage its programme): each an indicator
/// of the programme's catalogue, once, with a baseline and target within its kind. A change to
/// the grant: its version moves on (the ETag of the set), guarded by `if_match`.
pub fn set_for_grant(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: GrantId,
    items: Vec<GrantIndicatorInput>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Carried, ApiError> {
    let g = found(grants::find(tx, id))?;
    authorize(grant_policy(actor, &g.facts), GrantRight::Manage)?;
    check_for_grant(tx, g.grant.programme, "indicators", &items)?;
    let version = grants::update(
        tx,
        id,
        g.grant.version,
        if_match,
        &GrantChanges::default(),
        now,
    )?;
    store::replace_for_grant(tx, id, &items)?;
    let ids: Vec<String> = items.iter().map(|i| i.indicator.to_string()).collect();
    let event = Event::new(
        "grant.indicators_set",
        "grant",
        id,
        format!("{} indicators", items.len()),
    )
    .seen_by(crate::service::grants::audience(&g))
    .in_programme(g.grant.programme)
    .with_payload(serde_json::json!({"indicator_ids": ids}));
    events::record(tx, Some(actor), now, event)?;
    Ok(Carried {
        grant: id,
        version,
        indicators: store::of_grant(tx, id)?,
    })
}
