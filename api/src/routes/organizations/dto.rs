//! Wire forms of organisations: requests parsed into domain inputs (every field error at
//! once), responses built from stored records.

use crate::response::utc;
use crate::wire::{OrganizationKind, OrganizationName, double_option};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::bin::Bin;
use seriktes_domain::geo::{CountryCode, RegionCode};
use seriktes_domain::organization::{
    Organization, Profile, ProfilePatch, parse_iati_identifier, parse_themes,
};
use seriktes_domain::{DomainError, Validator};
use seriktes_persistence::organizations::{OrganizationFilter, OrganizationRecord};
use utoipa::{IntoParams, ToSchema};

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
    pub name: OrganizationName,
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

impl From<OrganizationRecord> for OrganizationResponse {
    fn from(r: OrganizationRecord) -> Self {
        let Organization { id, profile: p } = r.organization;
        Self {
            id: id.to_string(),
            kind: p.kind.into(),
            name: p.name.into(),
            bin: p.bin.map(|b| b.as_str().to_owned()),
            country: p.country.as_str().to_owned(),
            region: p.region.map(|r| r.as_str().to_owned()),
            themes: p.themes,
            iati_identifier: p.iati_identifier,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
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
    pub name: OrganizationName,
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
    pub name: Option<OrganizationName>,
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
    pub updated_since: Option<crate::wire::Timestamp>,
}

impl TryFrom<CreateOrganizationRequest> for Profile {
    type Error = DomainError;

    /// Checks every field, reporting all failures at once; the country defaults to `KZ`.
    fn try_from(r: CreateOrganizationRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let name = v.check("name", r.name.parse());
        let bin = v.check_opt("bin", r.bin, |b| Bin::parse(&b));
        let country = v.check(
            "country",
            r.country
                .as_deref()
                .map_or(Ok(CountryCode::kazakhstan()), CountryCode::parse),
        );
        let region = match &country {
            Some(c) => v.check_opt("region", r.region, |x| RegionCode::parse_in(&x, c)),
            None => None,
        };
        let themes = v.check("themes", parse_themes(&r.themes.unwrap_or_default()));
        let iati = v.check_opt("iati_identifier", r.iati_identifier, |i| {
            parse_iati_identifier(&i)
        });
        let profile = (|| {
            Some(Profile {
                kind: r.kind.into(),
                name: name?,
                bin: bin?,
                country: country?,
                region: region?,
                themes: themes?,
                iati_identifier: iati?,
            })
        })();
        v.finish_with(profile)
    }
}

impl TryFrom<UpdateOrganizationRequest> for ProfilePatch {
    type Error = DomainError;

    /// Checks every field given, reporting all failures at once; whether the region lies in
    /// the country is checked against the merged profile (`organization::plan_update`).
    fn try_from(r: UpdateOrganizationRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let name = v.check_opt("name", r.name, OrganizationName::parse);
        let bin = v.check_opt("bin", r.bin, |b| b.map(|b| Bin::parse(&b)).transpose());
        let country = v.check_opt("country", r.country, |c| CountryCode::parse(&c));
        let region = v.check_opt("region", r.region, |x| {
            x.map(|x| RegionCode::parse(&x)).transpose()
        });
        let themes = v.check_opt("themes", r.themes, |t| parse_themes(&t));
        let iati = v.check_opt("iati_identifier", r.iati_identifier, |i| {
            i.map(|i| parse_iati_identifier(&i)).transpose()
        });
        let patch = (|| {
            Some(ProfilePatch {
                kind: r.kind.map(Into::into),
                name: name?,
                bin: bin?,
                country: country?,
                region: region?,
                themes: themes?,
                iati_identifier: iati?,
            })
        })();
        v.finish_with(patch)
    }
}

impl OrganizationListParams {
    /// The filters, if each is within its bound.
    pub fn checked(self) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        for (field, value, max) in [
            ("country", &self.country, CountryCode::LEN),
            ("region", &self.region, RegionCode::MAX_CHARS),
            ("bin", &self.bin, Bin::LEN),
        ] {
            if let Some(value) = value {
                v.max_chars(field, value, max);
            }
        }
        v.finish().map(|()| self)
    }

    /// The store's filter (country and region compared in upper case), and whether only the
    /// caller's organisations are wanted.
    pub fn into_filter(self) -> (OrganizationFilter, bool) {
        let filter = OrganizationFilter {
            kind: self.kind.map(Into::into),
            country: self.country.map(|c| c.trim().to_ascii_uppercase()),
            region: self.region.map(|r| r.trim().to_ascii_uppercase()),
            bin: self.bin.map(|b| b.trim().to_owned()),
            member: None,
            updated_since: self.updated_since.map(crate::wire::Timestamp::get),
        };
        (filter, self.mine.unwrap_or(false))
    }
}
