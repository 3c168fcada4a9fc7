//! Organisation use cases: create, list, get, update (DESIGN: the directory is readable by every
//! signed-in user; admins create; admins, owners and managers edit the profile).

use crate::error::ApiError;
use crate::service::events::{self, Event};
use chrono::NaiveDateTime;
use seriktes_domain::access::organization::{self as policy, OrganizationRight};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::OrganizationId;
use seriktes_domain::organization::{Organization, Profile, ProfilePatch, plan_update};
use seriktes_persistence::db::Tx;
use seriktes_persistence::organizations::{self, OrganizationFilter, OrganizationRecord};
use seriktes_persistence::{DbConn, Page, PageRequest, StoreError};

/// Creates an organisation (admins).
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    profile: Profile,
    now: NaiveDateTime,
) -> Result<OrganizationRecord, ApiError> {
    authorize(policy::directory(actor), OrganizationRight::Create)?;
    let organization = Organization {
        id: OrganizationId::from_uuid(uuid::Uuid::now_v7()),
        profile,
    };
    let record = organizations::insert(tx, &organization, now)?;
    let id = record.organization.id;
    let summary = format!(
        "created {} organisation {}",
        record.organization.profile.kind.as_str(),
        crate::wire::json(record.organization.profile.name.translations())
    );
    events::record(
        tx,
        Some(actor),
        now,
        Event::new("organization.create", "organization", id, summary)
            .seen_by([id])
            .with_payload(serde_json::json!({"id": id})),
    )?;
    log::info!("organization {id} created");
    Ok(record)
}

/// One page of the directory.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    mut filter: OrganizationFilter,
    mine: bool,
    page: &PageRequest,
) -> Result<Page<OrganizationRecord>, ApiError> {
    authorize(policy::directory(actor), OrganizationRight::Read)?;
    if mine {
        filter.member = Some(actor.user_id());
    }
    Ok(organizations::list(conn, &filter, page)?)
}

/// One organisation.
pub fn get(
    conn: &mut DbConn,
    actor: &Actor,
    id: OrganizationId,
) -> Result<OrganizationRecord, ApiError> {
    let record = organizations::load(conn, id)?;
    authorize(policy::organization(actor, id), OrganizationRight::Read)?;
    Ok(record)
}

/// Updates the profile (admins, owners, managers): writes only the fields that change, guarded
/// by the version read here (and by `if_match`, when the client sent one). A patch that changes
/// nothing writes nothing and records nothing.
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: OrganizationId,
    patch: ProfilePatch,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<OrganizationRecord, ApiError> {
    let current = organizations::load(tx, id)?;
    authorize(policy::organization(actor, id), OrganizationRight::Edit)?;
    if if_match.is_some_and(|v| v != current.version) {
        return Err(StoreError::VersionMismatch.into());
    }
    let plan = plan_update(&current.organization.profile, patch)?;
    if plan.is_empty() {
        return Ok(current);
    }
    let fields = plan.fields();
    let updated = organizations::update(tx, id, current.version, &plan, now)?;
    if fields.contains(&"region") {
        // Results are broken down by the grantee's region: its programmes' kept ones are stale.
        seriktes_persistence::results::touch_grantee(tx, id)?;
    }
    events::record(
        tx,
        Some(actor),
        now,
        Event::new(
            "organization.update",
            "organization",
            id,
            format!("changed {}", fields.join(", ")),
        )
        .seen_by([id])
        .with_payload(serde_json::json!({"id": id, "fields": fields})),
    )?;
    Ok(updated)
}
