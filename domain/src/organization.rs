//! Organisations: the kinds DESIGN names, and the validated profile fields.

use crate::error::{DomainError, FieldError};
use serde::{Deserialize, Serialize};

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

/// A theme tag: lower-case words joined by `_` or `-` (e.g. `human_rights`), at most 64 bytes.
pub fn parse_theme(raw: &str) -> Result<String, DomainError> {
    let t = raw.trim().to_lowercase();
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(t)
    } else {
        Err(FieldError::new("", "format", "a theme is 1–64 letters, digits, '_' or '-'").into())
    }
}

/// A list of distinct themes, at most 20.
pub fn parse_themes(raw: &[String]) -> Result<Vec<String>, DomainError> {
    let mut errors = Vec::new();
    let mut out: Vec<String> = Vec::new();
    if raw.len() > 20 {
        errors.push(FieldError::new("", "max_items", "at most 20 themes"));
    }
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
/// a registration-agency prefix, a hyphen, then an id; letters, digits, `-`, `_`, `.` only.
pub fn parse_iati_identifier(raw: &str) -> Result<String, DomainError> {
    let id = raw.trim();
    let shape_ok = (3..=100).contains(&id.len())
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

    #[test]
    fn iati_identifiers_need_an_agency_prefix() {
        assert!(parse_iati_identifier("KZ-BIN-940740000911").is_ok());
        assert!(parse_iati_identifier("XM-DAC-41114").is_ok());
        assert!(parse_iati_identifier("940740000911").is_err());
        assert!(parse_iati_identifier("KZ BIN 1").is_err());
    }
}
