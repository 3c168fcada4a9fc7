//! Money: an integer count of minor units and an ISO 4217 currency (DESIGN: "Money is an
//! integer count of minor units in storage and `{"amount": "3846.00", "currency": "EUR"}` in
//! JSON"). Sums never mix currencies.

use crate::error::{DomainError, FieldError};
use std::fmt;

/// Active ISO 4217 codes with their minor-unit exponent when it is not 2.
const ZERO_DECIMALS: &str = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
const THREE_DECIMALS: &str = "BHD IQD JOD KWD LYD OMR TND";
const FOUR_DECIMALS: &str = "CLF UYW";
/// Every active ISO 4217 currency code (list of 2024), sorted.
const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN \
BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL \
GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK \
LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN \
PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND \
TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG";

/// Whether `code` is one of the space-separated three-letter codes of `list` (compared as bytes:
/// this runs for every amount a response shows).
fn listed(list: &str, code: [u8; 3]) -> bool {
    list.as_bytes().chunks(4).any(|k| k[..3] == code)
}

/// An ISO 4217 currency code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Letters in a code.
    pub const LEN: usize = 3;

    /// Parses a code; lower case is accepted.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.chars().count() > Self::LEN {
            return Err(
                FieldError::new("", "max_length", "a currency code is three letters").into(),
            );
        }
        let code = raw.trim().to_ascii_uppercase();
        match code.as_bytes() {
            [a, b, c] if listed(CURRENCIES, [*a, *b, *c]) => Ok(Self([*a, *b, *c])),
            _ => Err(FieldError::new(
                "",
                "iso4217",
                format!("{raw:?} is not an ISO 4217 currency code"),
            )
            .into()),
        }
    }

    /// The three letters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point (2 for EUR and KZT, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u32 {
        let has = |list: &str| listed(list, self.0);
        if has(ZERO_DECIMALS) {
            0
        } else if has(THREE_DECIMALS) {
            3
        } else if has(FOUR_DECIMALS) {
            4
        } else {
            2
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest decimal amount accepted as text: the largest amount in minor units has 19 digits,
/// and with a sign and a point needs 21; the rest is room for leading zeros.
pub const MAX_AMOUNT_CHARS: usize = 32;

/// An amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount in minor units.
    pub const fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Parses a decimal string such as `"3846.00"` or `"3846"` in `currency`. At most the
    /// currency's number of decimals; no sign unless `allow_negative`; no exponent or grouping.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, DomainError> {
        let bad = |message: String| -> DomainError {
            FieldError::new("amount", "decimal", message).into()
        };
        if amount.chars().count() > MAX_AMOUNT_CHARS {
            return Err(FieldError::new(
                "amount",
                "max_length",
                format!("an amount has at most {MAX_AMOUNT_CHARS} characters"),
            )
            .into());
        }
        let exp = currency.exponent();
        let text = amount.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !all_digits(whole)
            || !all_digits(frac)
            || (digits.contains('.') && frac.is_empty())
        {
            return Err(bad(format!(
                "{amount:?} is not a decimal amount like \"3846.00\""
            )));
        }
        if frac.len() > usize::try_from(exp).unwrap_or(0) {
            return Err(bad(format!("{currency} has {exp} decimal places")));
        }
        let scale = 10_i64
            .checked_pow(exp)
            .ok_or_else(|| bad("amount out of range".into()))?;
        let frac_scale = 10_i64
            .checked_pow(exp - u32::try_from(frac.len()).unwrap_or(exp))
            .unwrap_or(1);
        let whole: i64 = whole
            .parse()
            .map_err(|_| bad("amount out of range".into()))?;
        let frac: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse()
                .map_err(|_| bad("amount out of range".into()))?
        };
        let minor = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(frac * frac_scale))
            .ok_or_else(|| bad("amount out of range".into()))?;
        Ok(Self {
            minor: if negative { -minor } else { minor },
            currency,
        })
    }

    /// Parses an amount that must be positive.
    pub fn parse_positive(amount: &str, currency: Currency) -> Result<Self, DomainError> {
        let m = Self::parse(amount, currency)?;
        if m.minor > 0 {
            Ok(m)
        } else {
            Err(
                FieldError::new("amount", "positive", "the amount must be greater than zero")
                    .into(),
            )
        }
    }

    /// Minor units (cents, tiyn).
    pub const fn minor(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// The decimal string, with exactly the currency's number of decimals.
    pub fn amount_string(&self) -> String {
        self.decimal().as_str().to_owned()
    }

    /// The decimal text of the amount, with exactly the currency's number of decimals, held
    /// on the stack (responses write one for every amount they show).
    pub fn decimal(&self) -> Decimal {
        let exp = usize::try_from(self.currency.exponent()).unwrap_or(2);
        // The digits of |minor|, right-aligned, with at least `exp + 1` of them so that there
        // is a digit before the point: 5 cents is "0.05".
        let mut digits = [b'0'; 20];
        let mut n = self.minor.unsigned_abs();
        let mut start = digits.len();
        while n > 0 {
            start -= 1;
            digits[start] = b"0123456789"[usize::try_from(n % 10).unwrap_or(0)];
            n /= 10;
        }
        let start = start.min(digits.len() - (exp + 1));
        let (whole, fraction) = digits[start..].split_at(digits.len() - start - exp);
        let mut out = Decimal::default();
        if self.minor < 0 {
            out.push(b"-");
        }
        out.push(whole);
        if exp > 0 {
            out.push(b".");
            out.push(fraction);
        }
        out
    }

    fn same_currency(&self, other: &Self) -> Result<(), DomainError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(FieldError::new(
                "currency",
                "currency_mismatch",
                format!("cannot combine {} with {}", self.currency, other.currency),
            )
            .into())
        }
    }

    /// `self + other`; refuses different currencies and overflow.
    pub fn checked_add(&self, other: &Self) -> Result<Self, DomainError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Self {
                minor,
                currency: self.currency,
            })
            .ok_or_else(|| FieldError::new("amount", "range", "sum out of range").into())
    }

    /// `self - other`; refuses different currencies and overflow.
    pub fn checked_sub(&self, other: &Self) -> Result<Self, DomainError> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Self {
                minor,
                currency: self.currency,
            })
            .ok_or_else(|| FieldError::new("amount", "range", "difference out of range").into())
    }

    /// The sum of amounts, all in `currency`.
    pub fn sum<'a>(
        currency: Currency,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Self, DomainError> {
        items
            .into_iter()
            .try_fold(Self::zero(currency), |acc, m| acc.checked_add(m))
    }
}

/// The decimal text of an amount (see [`Money::decimal`]): at most a sign, 19 digits and a
/// point.
#[derive(Clone, Copy, Default)]
pub struct Decimal {
    buf: [u8; 24],
    len: usize,
}

impl Decimal {
    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, '-' and '.' are ever pushed.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn the_decimal_text_matches_the_arithmetic_for_every_exponent() {
        for code in ["JPY", "EUR", "KWD", "CLF"] {
            let cur = Currency::parse(code).unwrap();
            let scale = 10_i128.pow(cur.exponent());
            for minor in [
                0,
                1,
                -1,
                5,
                9,
                10,
                99,
                100,
                101,
                -12_345,
                999_999,
                i64::MAX,
                i64::MIN,
            ] {
                let m = i128::from(minor);
                let (whole, fraction) = (m.abs() / scale, m.abs() % scale);
                let sign = if m < 0 { "-" } else { "" };
                let want = if cur.exponent() == 0 {
                    format!("{sign}{whole}")
                } else {
                    let width = usize::try_from(cur.exponent()).unwrap();
                    format!("{sign}{whole}.{fraction:0width$}")
                };
                assert_eq!(Money::from_minor(minor, cur).decimal().as_str(), want);
            }
        }
    }

    #[test]
    fn the_currency_list_is_sorted_and_exponents_are_known() {
        let codes: Vec<_> = CURRENCIES.split(' ').collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Currency::parse("kzt").unwrap().exponent(), 2);
        assert_eq!(Currency::parse("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().exponent(), 3);
        assert!(Currency::parse("EURO").is_err());
        assert!(Currency::parse("XYZ").is_err());
    }

    #[test]
    fn amounts_round_trip_through_minor_units() {
        let m = Money::parse("3846.00", eur()).unwrap();
        assert_eq!(m.minor(), 384_600);
        assert_eq!(m.amount_string(), "3846.00");
        assert_eq!(Money::parse("3846", eur()).unwrap().minor(), 384_600);
        assert_eq!(Money::parse("0.5", eur()).unwrap().amount_string(), "0.50");
        assert_eq!(
            Money::parse("-12.34", eur()).unwrap().amount_string(),
            "-12.34"
        );
        assert_eq!(Money::from_minor(7, eur()).amount_string(), "0.07");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::parse("1500", jpy).unwrap().amount_string(), "1500");
        let kwd = Currency::parse("kwd").unwrap();
        assert_eq!(Money::from_minor(-5, kwd).amount_string(), "-0.005");
        assert_eq!(
            Money::from_minor(1_234_567, kwd).amount_string(),
            "1234.567"
        );
        assert_eq!(Currency::parse("CLF").unwrap().exponent(), 4);
        assert_eq!(
            Money::from_minor(i64::MIN, eur()).amount_string(),
            "-92233720368547758.08"
        );
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("ZWG").is_ok());
    }

    #[test]
    fn malformed_and_over_precise_amounts_are_refused() {
        for bad in [
            "",
            "12.",
            ".5",
            "1e3",
            "1,000.00",
            "12.345",
            "abc",
            "+5",
            "99999999999999999999",
        ] {
            assert!(Money::parse(bad, eur()).is_err(), "{bad:?}");
        }
        assert!(Money::parse("1.5", Currency::parse("JPY").unwrap()).is_err());
        assert!(Money::parse_positive("0.00", eur()).is_err());
    }

    #[test]
    fn amounts_and_codes_are_bounded_as_sent() {
        let at_limit = format!("{}1.00", "0".repeat(MAX_AMOUNT_CHARS - 4));
        assert_eq!(Money::parse(&at_limit, eur()).map(|m| m.minor()), Ok(100));
        let Err(DomainError::Invalid(e)) = Money::parse(&format!("0{at_limit}"), eur()) else {
            panic!("expected invalid");
        };
        assert_eq!((e[0].field.as_str(), e[0].code), ("amount", "max_length"));
        assert!(Currency::parse("eur").is_ok());
        assert!(Currency::parse(" EUR").is_err());
        let widest = Money::from_minor(i64::MIN, Currency::parse("KWD").unwrap());
        assert!(widest.amount_string().len() <= MAX_AMOUNT_CHARS);
    }

    #[test]
    fn sums_refuse_to_mix_currencies() {
        let a = Money::parse("10.00", eur()).unwrap();
        let b = Money::parse("5.50", eur()).unwrap();
        assert_eq!(a.checked_add(&b).unwrap().amount_string(), "15.50");
        assert_eq!(a.checked_sub(&b).unwrap().amount_string(), "4.50");
        let kzt = Money::parse("100", Currency::parse("KZT").unwrap()).unwrap();
        let Err(DomainError::Invalid(e)) = a.checked_add(&kzt) else {
            panic!("expected a currency mismatch");
        };
        assert_eq!(e[0].code, "currency_mismatch");
        assert_eq!(Money::sum(eur(), [&a, &b, &a]).unwrap().minor(), 2_550);
    }
}
