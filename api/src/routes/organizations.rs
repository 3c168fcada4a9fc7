//! Organisations: NGOs, donors, government bodies and the rest.
//!
//! Every signed-in user may read the directory (grantees, funders and partners are public
//! facts, and frontends need them to pick partners); admins create organisations; admins,
//! owners and managers edit them. Members are in [`super::members`].

use crate::audit;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged, utc};
use crate::state::{State, now};
use crate::wire::{LocalizedText, OrganizationKind, double_option};
use actix_web::{get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::bin::Bin;
use seriktes_domain::geo::{CountryCode, RegionCode};
use seriktes_domain::membership::{OrgActor, OrgRole};
use seriktes_domain::organization::{parse_iati_identifier, parse_themes};
use seriktes_domain::text::LocalizedText as Text;
use seriktes_domain::{DomainError, Validator};
use seriktes_persistence::organizations::{
    self, NewOrganizationRow, OrganizationChanges, OrganizationFilter, OrganizationRow,
};
use seriktes_persistence::{DbConn, memberships};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Longest name in one language.
const MAX_NAME: usize = 300;

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-8000-7000-8000-000000000001", "kind": "ngo",
    "name": {"ru": "Центр молодёжных инициатив", "en": "Youth Initiatives Centre"},
    "bin": "940740000911", "country": "KZ", "region": "KZ-39", "themes": ["human_rights", "youth"],
    "iati_identifier": "KZ-BIN-940740000911",
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct OrganizationResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// Name in one or more languages.
    pub name: LocalizedText,
    /// Kazakhstan Business Identification Number (12 digits).
    pub bin: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// ISO 3166-2 region, e.g. `KZ-39` (Kostanay).
    pub region: Option<String>,
    /// Theme tags.
    pub themes: Vec<String>,
    /// IATI organisation identifier.
    pub iati_identifier: Option<String>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl OrganizationResponse {
    /// The wire form of a stored organisation.
    pub fn from_row(row: OrganizationRow) -> Result<Self, ApiError> {
        let kind = seriktes_domain::organization::OrganizationKind::parse(&row.kind)
            .map_err(ApiError::internal)?;
        Ok(Self {
            id: row.id,
            kind: kind.into(),
            name: serde_json::from_str(&row.name).map_err(ApiError::internal)?,
            bin: row.bin,
            country: row.country,
            region: row.region,
            themes: serde_json::from_str(&row.themes).map_err(ApiError::internal)?,
            iati_identifier: row.iati_identifier,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "ngo", "name": {"ru": "Центр молодёжных инициатив", "en": "Youth Initiatives Centre"},
    "bin": "940740000911", "country": "KZ", "region": "KZ-39", "themes": ["human_rights", "youth"]
}))]
pub struct CreateOrganizationRequest {
    /// Kind.
    pub kind: OrganizationKind,
    /// Name in one or more languages (each at most 300 characters).
    pub name: LocalizedText,
    /// BIN: 12 digits with a valid check digit; unique.
    pub bin: Option<String>,
    /// ISO 3166-1 alpha-2; default `KZ`.
    pub country: Option<String>,
    /// ISO 3166-2 region within `country`.
    pub region: Option<String>,
    /// Up to 20 theme tags.
    pub themes: Option<Vec<String>>,
    /// IATI organisation identifier (e.g. `KZ-BIN-940740000911`); unique.
    pub iati_identifier: Option<String>,
}

/// Changes to an organisation; absent fields stay, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"region": "KZ-61", "themes": ["human_rights"]}))]
pub struct UpdateOrganizationRequest {
    /// New kind.
    pub kind: Option<OrganizationKind>,
    /// New name (replaces every language).
    pub name: Option<LocalizedText>,
    /// New BIN, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub bin: Option<Option<String>>,
    /// New country.
    pub country: Option<String>,
    /// New region, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    /// New themes (replace the list).
    pub themes: Option<Vec<String>>,
    /// New IATI identifier, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub iati_identifier: Option<Option<String>>,
}

/// Filters of the organisation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationListParams {
    /// Only this kind.
    pub kind: Option<OrganizationKind>,
    /// Only this country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Only this region (ISO 3166-2).
    pub region: Option<String>,
    /// Only the organisation with this BIN.
    pub bin: Option<String>,
    /// `true`: only organisations the caller is a member of.
    pub mine: Option<bool>,
    /// Only organisations changed at or after this time (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
}

/// The editable fields before validation; both create and update go through [`Self::validate`].
struct Draft {
    kind: OrganizationKind,
    name: BTreeMap<String, String>,
    bin: Option<String>,
    country: Option<String>,
    region: Option<String>,
    themes: Vec<String>,
    iati_identifier: Option<String>,
}

impl Draft {
    /// Checks every field, reporting all failures at once; returns the stored form.
    fn validate(self) -> Result<OrganizationChanges, DomainError> {
        let mut v = Validator::new();
        let name = v.check("name", Text::parse(self.name, MAX_NAME));
        let bin = v.check_opt("bin", self.bin, |b| Bin::parse(&b));
        let country = v.check(
            "country",
            self.country
                .as_deref()
                .map_or(Ok(CountryCode::kazakhstan()), CountryCode::parse),
        );
        let region = match &country {
            Some(c) => v.check_opt("region", self.region, |r| RegionCode::parse_in(&r, c)),
            None => None,
        };
        let themes = v.check("themes", parse_themes(&self.themes));
        let iati = v.check_opt("iati_identifier", self.iati_identifier, |i| {
            parse_iati_identifier(&i)
        });
        v.finish()?;
        let kind = seriktes_domain::organization::OrganizationKind::from(self.kind);
        let changes = (|| {
            Some(OrganizationChanges {
                kind: kind.as_str().to_owned(),
                name: serde_json::to_string(name?.translations()).ok()?,
                bin: bin?.map(|b| b.as_str().to_owned()),
                country: country?.as_str().to_owned(),
                region: region?.map(|r| r.as_str().to_owned()),
                themes: serde_json::to_string(&themes?).ok()?,
                iati_identifier: iati?,
            })
        })();
        Validator::new().finish_with(changes)
    }

    fn from_row(row: &OrganizationRow) -> Result<Self, ApiError> {
        let kind = seriktes_domain::organization::OrganizationKind::parse(&row.kind)
            .map_err(ApiError::internal)?;
        Ok(Self {
            kind: kind.into(),
            name: serde_json::from_str(&row.name).map_err(ApiError::internal)?,
            bin: row.bin.clone(),
            country: Some(row.country.clone()),
            region: row.region.clone(),
            themes: serde_json::from_str(&row.themes).map_err(ApiError::internal)?,
            iati_identifier: row.iati_identifier.clone(),
        })
    }

    fn apply(mut self, patch: UpdateOrganizationRequest) -> Self {
        if let Some(kind) = patch.kind {
            self.kind = kind;
        }
        if let Some(name) = patch.name {
            self.name = name.0;
        }
        if let Some(bin) = patch.bin {
            self.bin = bin;
        }
        if let Some(country) = patch.country {
            self.country = Some(country);
        }
        if let Some(region) = patch.region {
            self.region = region;
        }
        if let Some(themes) = patch.themes {
            self.themes = themes;
        }
        if let Some(iati) = patch.iati_identifier {
            self.iati_identifier = iati;
        }
        self
    }
}

/// How the caller relates to an organisation: admin, a member with a role, or neither.
pub(crate) fn actor_for(
    conn: &mut DbConn,
    caller: &CurrentUser,
    org_id: &str,
) -> Result<Option<OrgActor>, ApiError> {
    if caller.is_admin() {
        return Ok(Some(OrgActor::Admin));
    }
    match memberships::find(conn, org_id, caller.id())? {
        Some(m) => Ok(Some(OrgActor::Member(
            OrgRole::parse(&m.role).map_err(ApiError::internal)?,
        ))),
        None => Ok(None),
    }
}

/// The caller's system role and memberships, loaded once so that a list can decide access for
/// every row without a query per row.
#[derive(Debug, Clone)]
pub(crate) struct Standing {
    admin: bool,
    roles: Vec<(String, OrgRole)>,
}

impl Standing {
    /// Loads the caller's memberships (one query).
    pub(crate) fn load(conn: &mut DbConn, caller: &CurrentUser) -> Result<Self, ApiError> {
        let roles = memberships::of_user(conn, caller.id())?
            .into_iter()
            .map(|(m, _)| {
                Ok((
                    m.organization_id,
                    OrgRole::parse(&m.role).map_err(ApiError::internal)?,
                ))
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(Self {
            admin: caller.is_admin(),
            roles,
        })
    }

    /// How the caller relates to an organisation (as [`actor_for`] would answer).
    pub(crate) fn actor(&self, org_id: &str) -> Option<OrgActor> {
        if self.admin {
            return Some(OrgActor::Admin);
        }
        self.roles
            .iter()
            .find(|(o, _)| o == org_id)
            .map(|(_, r)| OrgActor::Member(*r))
    }
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_organization)
        .service(list_organizations)
        .service(get_organization)
        .service(update_organization);
}

/// Create an organisation (admins).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    request_body = CreateOrganizationRequest,
    responses(
        (status = 201, description = "Created; `Location` names it.", body = OrganizationResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    state: State,
    caller: CurrentUser,
    body: Json<CreateOrganizationRequest>,
) -> Result<Tagged<OrganizationResponse>, ApiError> {
    caller.require_admin()?;
    let r = body.0;
    let p = Draft {
        kind: r.kind,
        name: r.name.0,
        bin: r.bin,
        country: r.country,
        region: r.region,
        themes: r.themes.unwrap_or_default(),
        iati_identifier: r.iati_identifier,
    }
    .validate()?;
    let row = state
        .write(move |conn| {
            let at = now();
            let row = organizations::insert(
                conn,
                &NewOrganizationRow {
                    id: &Uuid::now_v7().to_string(),
                    kind: &p.kind,
                    name: &p.name,
                    bin: p.bin.as_deref(),
                    country: &p.country,
                    region: p.region.as_deref(),
                    themes: &p.themes,
                    iati_identifier: p.iati_identifier.as_deref(),
                    created_at: at,
                    updated_at: at,
                },
            )?;
            let summary = format!("created {} organisation {}", row.kind, row.name);
            audit::record(
                conn,
                Some(caller.id()),
                "organization.create",
                ("organization", &row.id),
                summary,
            )?;
            Ok(row)
        })
        .await?;
    log::info!("organization {} created", row.id);
    let (version, location) = (row.version, format!("/api/v1/organizations/{}", row.id));
    Ok(Tagged::created(
        OrganizationResponse::from_row(row)?,
        version,
        location,
    ))
}

/// List organisations, oldest first.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(PageParams, OrganizationListParams),
    responses(
        (status = 200, description = "One page of organisations.", body = Paginated<OrganizationResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: State,
    caller: CurrentUser,
    page: Query<PageParams>,
    filter: Query<OrganizationListParams>,
) -> Result<web::Json<Paginated<OrganizationResponse>>, ApiError> {
    let page = page.0.to_request()?;
    let f = filter.0;
    let filter = OrganizationFilter {
        kind: f.kind.map(|k| {
            seriktes_domain::organization::OrganizationKind::from(k)
                .as_str()
                .to_owned()
        }),
        country: f.country.map(|c| c.trim().to_ascii_uppercase()),
        region: f.region.map(|r| r.trim().to_ascii_uppercase()),
        bin: f.bin.map(|b| b.trim().to_owned()),
        member_user_id: f.mine.filter(|m| *m).map(|_| caller.id().to_owned()),
        updated_since: f.updated_since.map(|t| t.naive_utc()),
    };
    let rows = state
        .read(move |conn| Ok(organizations::list(conn, &filter, &page)?))
        .await?;
    Ok(web::Json(Paginated::try_from_page(
        rows,
        OrganizationResponse::from_row,
    )?))
}

/// Get an organisation.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation.", body = OrganizationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: State,
    _caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<Tagged<OrganizationResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let row = state
        .read(move |conn| Ok(organizations::find(conn, &id)?))
        .await?;
    let version = row.version;
    Ok(Tagged::ok(OrganizationResponse::from_row(row)?, version))
}

/// Update an organisation (admins, its owners and managers).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the organisation changed since"),
    ),
    request_body = UpdateOrganizationRequest,
    responses(
        (status = 200, description = "The updated organisation.", body = OrganizationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateOrganizationRequest>,
) -> Result<Tagged<OrganizationResponse>, ApiError> {
    let id = id.into_inner().to_string();
    let patch = body.0;
    let row = state
        .write(move |conn| {
            let current = organizations::find(conn, &id)?;
            let may_edit =
                actor_for(conn, &caller, &id)?.is_some_and(OrgActor::can_edit_organization);
            if !may_edit {
                return Err(ApiError::Forbidden(
                    "Only admins and the organisation's owners and managers may edit it."
                        .to_owned(),
                ));
            }
            let changes = Draft::from_row(&current)?.apply(patch).validate()?;
            let updated = organizations::update(conn, &id, if_match.0, &changes, now())?;
            audit::record(
                conn,
                Some(caller.id()),
                "organization.update",
                ("organization", &id),
                describe(&current, &updated),
            )?;
            Ok(updated)
        })
        .await?;
    let version = row.version;
    Ok(Tagged::ok(OrganizationResponse::from_row(row)?, version))
}

/// Names the fields that changed.
fn describe(before: &OrganizationRow, after: &OrganizationRow) -> String {
    let changed: Vec<&str> = [
        ("kind", before.kind != after.kind),
        ("name", before.name != after.name),
        ("bin", before.bin != after.bin),
        ("country", before.country != after.country),
        ("region", before.region != after.region),
        ("themes", before.themes != after.themes),
        (
            "iati_identifier",
            before.iati_identifier != after.iati_identifier,
        ),
    ]
    .into_iter()
    .filter_map(|(f, c)| c.then_some(f))
    .collect();
    if changed.is_empty() {
        "no changes".to_owned()
    } else {
        format!("changed {}", changed.join(", "))
    }
}
