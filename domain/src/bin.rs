//! Kazakhstan Business Identification Number (BIN): 12 digits, the last a check digit.
//!
//! The check digit is the weighted sum of the first 11 digits modulo 11 with weights 1..=11;
//! when that gives 10, the sum is recomputed with weights 3..=11,1,2; a second 10 means the
//! number cannot be valid (the registry never issues it). This is the published algorithm for
//! BIN/IIN (Rules of the National Registers of Identification Numbers).

use crate::error::{DomainError, FieldError};
use std::fmt;

/// A valid BIN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bin(String);

const FIRST_WEIGHTS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// The check digit for the first 11 digits, or `None` when the number cannot have one.
fn check_digit(digits: &[u32]) -> Option<u32> {
    let weighted = |weights: &[u32; 11]| -> u32 {
        digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11
    };
    match weighted(&FIRST_WEIGHTS) {
        10 => match weighted(&SECOND_WEIGHTS) {
            10 => None,
            d => Some(d),
        },
        d => Some(d),
    }
}

impl Bin {
    /// Digits in a BIN.
    pub const LEN: usize = 12;

    /// Parses a BIN; spaces are not allowed, leading zeros are kept.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.chars().count() > Self::LEN {
            return Err(FieldError::new("", "max_length", "a BIN is exactly 12 digits").into());
        }
        let raw = raw.trim();
        let digits: Option<Vec<u32>> = raw.chars().map(|c| c.to_digit(10)).collect();
        let digits = match digits {
            Some(d) if d.len() == 12 => d,
            _ => {
                return Err(FieldError::new("", "format", "a BIN is exactly 12 digits").into());
            }
        };
        let (body, last) = digits.split_at(11);
        match check_digit(body) {
            Some(d) if last.first() == Some(&d) => Ok(Self(raw.to_owned())),
            _ => {
                Err(FieldError::new("", "check_digit", "the BIN check digit does not match").into())
            }
        }
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<Bin, DomainError>) -> &'static str {
        match result {
            Err(DomainError::Invalid(e)) => e[0].code,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_bin_with_the_right_check_digit_is_accepted() {
        // 1*1+2*2+...: the sum of the first 11 digits of 00000000000x weighted is 0 → check 0.
        assert!(Bin::parse("000000000000").is_ok());
        // Known-valid BINs computed by hand with the first weights.
        assert!(Bin::parse("940740000911").is_ok());
        assert!(Bin::parse("123456789012").is_err());
    }

    #[test]
    fn the_second_weight_set_is_used_when_the_first_gives_ten() {
        // Digits 1000000000 9: first sum = 1 + 99 = 100 → 100 % 11 = 1 (not 10); pick digits
        // whose first sum is 10 mod 11: "00000000010" → 10*1 = 10 → second sum 1*1 = 1.
        let body = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        assert_eq!(check_digit(&body), Some(1));
        assert!(Bin::parse("000000000101").is_ok());
        assert_eq!(code(Bin::parse("000000000100")), "check_digit");
    }

    #[test]
    fn a_wrong_check_digit_is_rejected_with_its_rule() {
        assert_eq!(code(Bin::parse("940740000912")), "check_digit");
    }

    #[test]
    fn anything_but_twelve_digits_is_a_format_error() {
        for bad in ["", "94074000091", "94074000091a", " 94074000091"] {
            assert_eq!(code(Bin::parse(bad)), "format", "{bad:?}");
        }
    }

    #[test]
    fn more_than_twelve_characters_is_too_long() {
        for bad in ["9407400009111", "9407 4000 0911", " 940740000911"] {
            assert_eq!(code(Bin::parse(bad)), "max_length", "{bad:?}");
        }
    }
}
