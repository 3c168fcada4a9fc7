//! ISO 3166-1 alpha-2 country codes and ISO 3166-2 subdivision codes.
//!
//! Kazakhstan's subdivisions are checked against the full list (ISO 3166-2:KZ as amended in
//! 2022–2024, when the codes became numeric, e.g. `KZ-39` Kostanay). Other countries' codes are
//! checked for shape (`CC-` and 1–3 letters or digits) and for naming the right country.

use crate::error::{DomainError, FieldError};
use std::fmt;

/// Every officially assigned ISO 3166-1 alpha-2 code (249), sorted.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET \
FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR \
IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN \
MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR \
TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Kazakhstan's regions and cities of republican significance (ISO 3166-2:KZ).
const KZ_SUBDIVISIONS: [(&str, &str); 20] = [
    ("KZ-10", "Abai"),
    ("KZ-11", "Akmola"),
    ("KZ-15", "Aktobe"),
    ("KZ-19", "Almaty Region"),
    ("KZ-23", "Atyrau"),
    ("KZ-27", "West Kazakhstan"),
    ("KZ-31", "Jambyl"),
    ("KZ-33", "Jetisu"),
    ("KZ-35", "Karaganda"),
    ("KZ-39", "Kostanay"),
    ("KZ-43", "Kyzylorda"),
    ("KZ-47", "Mangystau"),
    ("KZ-55", "Pavlodar"),
    ("KZ-59", "North Kazakhstan"),
    ("KZ-61", "Turkistan"),
    ("KZ-62", "Ulytau"),
    ("KZ-63", "East Kazakhstan"),
    ("KZ-71", "Astana"),
    ("KZ-75", "Almaty"),
    ("KZ-79", "Shymkent"),
];

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

/// Most regions one list may name (Central Asia has about 60 first-level subdivisions).
pub const MAX_REGIONS: usize = 100;

impl CountryCode {
    /// Letters in a code.
    pub const LEN: usize = 2;

    /// Parses a code; lower case is accepted and normalised.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.chars().count() > Self::LEN {
            return Err(FieldError::new("", "max_length", "a country code is two letters").into());
        }
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code) {
            Ok(Self(code))
        } else {
            Err(FieldError::new(
                "",
                "iso3166_1",
                format!("{raw:?} is not an ISO 3166-1 alpha-2 country code"),
            )
            .into())
        }
    }

    /// Kazakhstan, the default country of an organisation.
    pub fn kazakhstan() -> Self {
        Self("KZ".to_owned())
    }

    /// The two letters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ISO 3166-2 subdivision code such as `KZ-39`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    /// Longest code: a country, `-` and up to three letters or digits.
    pub const MAX_CHARS: usize = 6;

    /// Parses a subdivision code without knowing the country (its prefix must be a country).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "",
                "max_length",
                format!("a region code has at most {} characters", Self::MAX_CHARS),
            )
            .into());
        }
        let code = raw.trim().to_ascii_uppercase();
        let bad = || -> DomainError {
            FieldError::new(
                "",
                "iso3166_2",
                format!("{raw:?} is not an ISO 3166-2 subdivision code"),
            )
            .into()
        };
        let (country, sub) = code.split_once('-').ok_or_else(bad)?;
        CountryCode::parse(country).map_err(|_| bad())?;
        let shape_ok =
            (1..=3).contains(&sub.len()) && sub.chars().all(|c| c.is_ascii_alphanumeric());
        if !shape_ok {
            return Err(bad());
        }
        if country == "KZ" && !KZ_SUBDIVISIONS.iter().any(|(c, _)| *c == code) {
            return Err(bad());
        }
        Ok(Self(code))
    }

    /// Parses a subdivision code that must lie in `country`.
    pub fn parse_in(raw: &str, country: &CountryCode) -> Result<Self, DomainError> {
        let region = Self::parse(raw)?;
        if region.country() == country.as_str() {
            Ok(region)
        } else {
            Err(FieldError::new(
                "",
                "region_country",
                format!("region {region} is not in country {country}"),
            )
            .into())
        }
    }

    /// The country part of the code.
    pub fn country(&self) -> &str {
        self.0.split('-').next().unwrap_or_default()
    }

    /// The full code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_country_list_is_complete_and_sorted() {
        let codes: Vec<_> = COUNTRIES.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn country_codes_are_normalised_to_upper_case() {
        assert_eq!(CountryCode::parse("kz").unwrap().as_str(), "KZ");
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("KAZ").is_err());
        assert!(
            CountryCode::parse(" kz").is_err(),
            "padding counts toward the length"
        );
    }

    #[test]
    fn kazakh_regions_are_checked_against_the_list() {
        assert_eq!(RegionCode::parse("kz-39").unwrap().as_str(), "KZ-39");
        assert!(RegionCode::parse("KZ-99").is_err());
        assert!(
            RegionCode::parse("KZ-KUS").is_err(),
            "pre-2022 letter codes are withdrawn"
        );
    }

    #[test]
    fn other_regions_are_checked_for_shape_and_country() {
        assert!(RegionCode::parse("KG-GB").is_ok());
        assert!(RegionCode::parse("KG-TOOLONG").is_err());
        assert!(RegionCode::parse("KG-GB1").is_ok());
        let Err(DomainError::Invalid(e)) = RegionCode::parse("KG-GB12") else {
            panic!("expected invalid");
        };
        assert_eq!(e[0].code, "max_length");
        assert!(RegionCode::parse("39").is_err());
        let kz = CountryCode::kazakhstan();
        let Err(DomainError::Invalid(e)) = RegionCode::parse_in("KG-GB", &kz) else {
            panic!("expected invalid");
        };
        assert_eq!(e[0].code, "region_country");
    }
}
