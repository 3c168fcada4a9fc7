//! Organisations: the kinds DESIGN names, the validated profile, and the rule that plans a
//! profile update ([`plan_update`]).

use crate::bin::Bin;
use crate::error::{DomainError, FieldError};
use crate::geo::{CountryCode, RegionCode};
use crate::ids::OrganizationId;
use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};

/// Longest organisation name in one language.
pub const MAX_NAME: usize = 300;
/// Most theme tags.
pub const MAX_THEMES: usize = 20;
/// Longest theme tag, in characters.
pub const MAX_THEME_CHARS: usize = 64;
/// Longest IATI organisation identifier.
pub const MAX_IATI_IDENTIFIER_CHARS: usize = 100;

/// An organisation's profile: every editable field, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// What it is.
    pub kind: OrganizationKind,
    /// Its name in one or more languages.
    pub name: LocalizedText,
    /// Its Kazakhstan BIN.
    pub bin: Option<Bin>,
    /// ISO 3166-1 country.
    pub country: CountryCode,
    /// ISO 3166-2 region within `country`.
    pub region: Option<RegionCode>,
    /// Distinct theme tags (see [`parse_themes`]).
    pub themes: Vec<String>,
    /// IATI organisation identifier (see [`parse_iati_identifier`]).
    pub iati_identifier: Option<String>,
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Its id.
    pub id: OrganizationId,
    /// Its profile.
    pub profile: Profile,
}

/// A requested profile change: `None` leaves a field as it is; for optional fields
/// `Some(None)` clears it. Each value is already valid on its own; [`plan_update`] checks the
/// rules between fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    /// New kind.
    pub kind: Option<OrganizationKind>,
    /// New name.
    pub name: Option<LocalizedText>,
    /// New BIN or none.
    pub bin: Option<Option<Bin>>,
    /// New country.
    pub country: Option<CountryCode>,
    /// New region or none.
    pub region: Option<Option<RegionCode>>,
    /// New themes.
    pub themes: Option<Vec<String>>,
    /// New IATI identifier or none.
    pub iati_identifier: Option<Option<String>>,
}

impl ProfilePatch {
    /// The names of the fields this patch sets, in a stable order.
    pub fn fields(&self) -> Vec<&'static str> {
        [
            ("kind", self.kind.is_some()),
            ("name", self.name.is_some()),
            ("bin", self.bin.is_some()),
            ("country", self.country.is_some()),
            ("region", self.region.is_some()),
            ("themes", self.themes.is_some()),
            ("iati_identifier", self.iati_identifier.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect()
    }

    /// Whether the patch sets nothing.
    pub fn is_empty(&self) -> bool {
        self.fields().is_empty()
    }
}

/// Checks that a region lies in the country (ISO 3166-2 codes start with the country).
pub fn check_region(country: &CountryCode, region: Option<&RegionCode>) -> Result<(), DomainError> {
    match region {
        Some(r) if r.country() != country.as_str() => Err(FieldError::new(
            "region",
            "region_country",
            format!("region {r} is not in country {country}"),
        )
        .into()),
        _ => Ok(()),
    }
}

/// Plans an update of `current` by `patch`: checks the merged profile (the region lies in the
/// country) and keeps only the fields whose value changes, so the store writes nothing else
/// and a concurrent change to another field is not overwritten.
pub fn plan_update(current: &Profile, patch: ProfilePatch) -> Result<ProfilePatch, DomainError> {
    let country = patch.country.as_ref().unwrap_or(&current.country);
    let region = match &patch.region {
        Some(r) => r.as_ref(),
        None => current.region.as_ref(),
    };
    check_region(country, region)?;
    fn changed<T: PartialEq>(new: Option<T>, old: &T) -> Option<T> {
        new.filter(|n| n != old)
    }
    Ok(ProfilePatch {
        kind: changed(patch.kind, &current.kind),
        name: changed(patch.name, &current.name),
        bin: changed(patch.bin, &current.bin),
        country: changed(patch.country, &current.country),
        region: changed(patch.region, &current.region),
        themes: changed(patch.themes, &current.themes),
        iati_identifier: changed(patch.iati_identifier, &current.iati_identifier),
    })
}

/// What an organisation is (DESIGN: Core model, Organization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    /// A non-governmental / civil-society organisation.
    Ngo,
    /// A donor: a foreign delegation, development agency, foundation or corporate fund.
    Donor,
    /// A government body (ministry, akimat, local authority).
    Government,
    /// A private business.
    Business,
    /// A media outlet.
    Media,
    /// A university or research institute.
    Academic,
    /// An international organisation (UN agency, OSCE, …).
    International,
    /// A network, platform or coalition of organisations.
    Network,
}

impl OrganizationKind {
    /// Every kind, in a stable order.
    pub const ALL: [Self; 8] = [
        Self::Ngo,
        Self::Donor,
        Self::Government,
        Self::Business,
        Self::Media,
        Self::Academic,
        Self::International,
        Self::Network,
    ];

    /// The wire and storage name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ngo => "ngo",
            Self::Donor => "donor",
            Self::Government => "government",
            Self::Business => "business",
            Self::Media => "media",
            Self::Academic => "academic",
            Self::International => "international",
            Self::Network => "network",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new("", "one_of", format!("{raw:?} is not an organisation kind")).into()
            })
    }
}

/// A theme tag: lower-case words joined by `_` or `-` (e.g. `human_rights`), at most
/// [`MAX_THEME_CHARS`] characters as sent.
pub fn parse_theme(raw: &str) -> Result<String, DomainError> {
    if raw.chars().count() > MAX_THEME_CHARS {
        return Err(FieldError::new(
            "",
            "max_length",
            format!("a theme has at most {MAX_THEME_CHARS} characters"),
        )
        .into());
    }
    let t = raw.trim().to_lowercase();
    let ok = !t.is_empty()
        && t.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(t)
    } else {
        Err(FieldError::new("", "format", "a theme is 1–64 letters, digits, '_' or '-'").into())
    }
}

/// A list of distinct themes, at most [`MAX_THEMES`].
pub fn parse_themes(raw: &[String]) -> Result<Vec<String>, DomainError> {
    if raw.len() > MAX_THEMES {
        return Err(
            FieldError::new("", "max_items", format!("at most {MAX_THEMES} themes")).into(),
        );
    }
    let mut errors = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        match parse_theme(t) {
            Ok(t) if !out.contains(&t) => out.push(t),
            Ok(_) => {}
            Err(DomainError::Invalid(e)) => {
                errors.extend(e.into_iter().map(|e| e.under(&i.to_string())))
            }
            Err(other) => errors.push(FieldError::new(i.to_string(), "invalid", other.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// An IATI organisation identifier such as `KZ-BIN-940740000911` or `XM-DAC-41114`:
/// a registration-agency prefix, a hyphen, then an id; letters, digits, `-`, `_`, `.` only;
/// at most [`MAX_IATI_IDENTIFIER_CHARS`] characters as sent.
pub fn parse_iati_identifier(raw: &str) -> Result<String, DomainError> {
    if raw.chars().count() > MAX_IATI_IDENTIFIER_CHARS {
        return Err(FieldError::new(
            "",
            "max_length",
            format!("at most {MAX_IATI_IDENTIFIER_CHARS} characters"),
        )
        .into());
    }
    let id = raw.trim();
    let shape_ok = id.len() >= 3
        && id.contains('-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if shape_ok {
        Ok(id.to_owned())
    } else {
        Err(FieldError::new(
            "",
            "format",
            "an IATI identifier looks like KZ-BIN-940740000911",
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for k in OrganizationKind::ALL {
            assert_eq!(OrganizationKind::parse(k.as_str()), Ok(k));
        }
        assert!(OrganizationKind::parse("charity").is_err());
    }

    #[test]
    fn themes_are_normalised_and_deduplicated() {
        let t =
            parse_themes(&["Human_Rights".into(), "human_rights".into(), "youth".into()]).unwrap();
        assert_eq!(t, ["human_rights", "youth"]);
        let Err(DomainError::Invalid(e)) = parse_themes(&["ok".into(), "not ok".into()]) else {
            panic!("expected invalid");
        };
        assert_eq!(e[0].field, "1");
    }

    fn profile() -> Profile {
        Profile {
            kind: OrganizationKind::Ngo,
            name: LocalizedText::parse([("en".into(), "NGO".into())].into(), MAX_NAME).unwrap(),
            bin: None,
            country: CountryCode::kazakhstan(),
            region: Some(RegionCode::parse("KZ-39").unwrap()),
            themes: vec!["youth".into()],
            iati_identifier: None,
        }
    }

    #[test]
    fn an_update_keeps_only_the_fields_that_change() {
        let patch = ProfilePatch {
            kind: Some(OrganizationKind::Ngo),
            themes: Some(vec!["human_rights".into()]),
            region: Some(None),
            ..ProfilePatch::default()
        };
        let plan = plan_update(&profile(), patch).unwrap();
        assert_eq!(plan.fields(), ["region", "themes"]);
        assert!(
            plan_update(&profile(), ProfilePatch::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn an_update_may_not_leave_the_region_outside_the_country() {
        let patch = ProfilePatch {
            country: Some(CountryCode::parse("KG").unwrap()),
            ..ProfilePatch::default()
        };
        let Err(DomainError::Invalid(e)) = plan_update(&profile(), patch) else {
            panic!("expected invalid");
        };
        assert_eq!(
            (e[0].field.as_str(), e[0].code),
            ("region", "region_country")
        );
        let moved = ProfilePatch {
            country: Some(CountryCode::parse("KG").unwrap()),
            region: Some(Some(RegionCode::parse("KG-GB").unwrap())),
            ..ProfilePatch::default()
        };
        assert!(plan_update(&profile(), moved).is_ok());
    }

    #[test]
    fn themes_and_their_number_are_bounded() {
        let at_limit = "a".repeat(MAX_THEME_CHARS);
        assert!(parse_theme(&at_limit).is_ok());
        let Err(DomainError::Invalid(e)) = parse_theme(&format!("{at_limit}a")) else {
            panic!("expected invalid");
        };
        assert_eq!(e[0].code, "max_length");
        let many: Vec<String> = (0..=MAX_THEMES).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_themes(&many[..MAX_THEMES]).map(|t| t.len()),
            Ok(MAX_THEMES)
        );
        let Err(DomainError::Invalid(e)) = parse_themes(&many) else {
            panic!("expected invalid");
        };
        assert_eq!((e.len(), e[0].code), (1, "max_items"));
    }

    #[test]
    fn iati_identifiers_need_an_agency_prefix() {
        assert!(parse_iati_identifier("KZ-BIN-940740000911").is_ok());
        assert!(parse_iati_identifier("XM-DAC-41114").is_ok());
        assert!(parse_iati_identifier("940740000911").is_err());
        assert!(parse_iati_identifier("KZ BIN 1").is_err());
        let at_limit = format!("XM-{}", "1".repeat(MAX_IATI_IDENTIFIER_CHARS - 3));
        assert!(parse_iati_identifier(&at_limit).is_ok());
        assert!(parse_iati_identifier(&format!("{at_limit}1")).is_err());
    }
}
