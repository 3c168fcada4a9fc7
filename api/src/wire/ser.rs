//! Serializers for the values every response repeats: dates, times and amounts.
//!
//! chrono serializes through `fmt` (`collect_str`), which hands serde_json one character at a
//! time; on a page of 50 grants that was a third of the time spent writing JSON. These write
//! the same text into a stack buffer and give it to the serializer once. Fields keep their
//! types (and so their schemas) and name these with `#[serde(serialize_with = "…")]`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Text of at most 32 ASCII bytes, on the stack.
struct Buf {
    bytes: [u8; 32],
    len: usize,
}

impl Buf {
    fn new() -> Self {
        Self {
            bytes: [0; 32],
            len: 0,
        }
    }

    fn byte(&mut self, b: u8) {
        self.bytes[self.len] = b;
        self.len += 1;
    }

    /// `value` in exactly `width` decimal digits (callers keep it below `10^width`).
    fn digits(&mut self, mut value: u32, width: usize) {
        for i in (0..width).rev() {
            self.bytes[self.len + i] = b"0123456789"[usize::try_from(value % 10).unwrap_or(0)];
            value /= 10;
        }
        self.len += width;
    }

    fn date(&mut self, d: NaiveDate) {
        // Callers check the year is 0..=9999.
        self.digits(d.year().unsigned_abs(), 4);
        self.byte(b'-');
        self.digits(d.month(), 2);
        self.byte(b'-');
        self.digits(d.day(), 2);
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation are ever written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

/// A calendar date, `2026-04-01`, as chrono writes it.
pub fn date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    if !(0..=9999).contains(&d.year()) {
        return d.serialize(s);
    }
    let mut buf = Buf::new();
    buf.date(*d);
    s.serialize_str(buf.as_str())
}

/// A UTC time in RFC 3339 with `Z` and as many fraction digits as it has (none, 3, 6 or 9),
/// `2026-03-20T09:00:00.123456Z`, as chrono writes it.
pub fn timestamp<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let naive: NaiveDateTime = t.naive_utc();
    let nanos = naive.nanosecond();
    // Leap seconds and years chrono writes with a sign: chrono's own text.
    if nanos >= 1_000_000_000 || !(0..=9999).contains(&naive.year()) {
        return t.serialize(s);
    }
    let mut buf = Buf::new();
    buf.date(naive.date());
    buf.byte(b'T');
    buf.digits(naive.hour(), 2);
    buf.byte(b':');
    buf.digits(naive.minute(), 2);
    buf.byte(b':');
    buf.digits(naive.second(), 2);
    if nanos != 0 {
        buf.byte(b'.');
        if nanos.is_multiple_of(1_000_000) {
            buf.digits(nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            buf.digits(nanos / 1_000, 6);
        } else {
            buf.digits(nanos, 9);
        }
    }
    buf.byte(b'Z');
    s.serialize_str(buf.as_str())
}

/// [`timestamp`] of an optional time; `null` when absent.
pub fn opt_timestamp<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&Timestamp(t)),
        None => s.serialize_none(),
    }
}

struct Timestamp<'a>(&'a DateTime<Utc>);

impl Serialize for Timestamp<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        timestamp(self.0, s)
    }
}

/// An amount of money as a response shows it: the same JSON as [`super::Money`], written from
/// the domain value without allocating. Fields of this type declare
/// `#[schema(value_type = Money)]`.
#[derive(Debug, Clone, Copy)]
pub struct MoneyOut(pub seriktes_domain::money::Money);

impl Serialize for MoneyOut {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let currency = self.0.currency();
        let mut m = s.serialize_struct("Money", 2)?;
        m.serialize_field("amount", self.0.decimal().as_str())?;
        m.serialize_field("currency", currency.as_str())?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(Serialize)]
    struct Fast {
        #[serde(serialize_with = "date")]
        d: NaiveDate,
        #[serde(serialize_with = "timestamp")]
        t: DateTime<Utc>,
        #[serde(serialize_with = "opt_timestamp")]
        o: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chrono {
        d: NaiveDate,
        t: DateTime<Utc>,
        o: Option<DateTime<Utc>>,
    }

    #[test]
    fn dates_and_times_are_written_as_chrono_writes_them() {
        let days = [
            (1, 1, 1),
            (999, 12, 31),
            (2026, 4, 1),
            (9999, 12, 31),
            (0, 1, 1),
        ];
        let nanos = [
            0,
            1,
            7_000_000,
            123_000_000,
            123_456_000,
            1_000,
            123_456_789,
            999_999_999,
        ];
        for (y, mo, da) in days {
            for n in nanos {
                let d = NaiveDate::from_ymd_opt(y, mo, da).unwrap();
                let t = Utc
                    .from_utc_datetime(&d.and_hms_nano_opt(23, 5, 9, n).unwrap())
                    .to_owned();
                for o in [None, Some(t)] {
                    let fast = serde_json::to_string(&Fast { d, t, o }).unwrap();
                    let chrono = serde_json::to_string(&Chrono { d, t, o }).unwrap();
                    assert_eq!(fast, chrono);
                }
            }
        }
        // Outside 0..=9999 and on a leap second, chrono's own text.
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
        let leap = Utc.from_utc_datetime(&far.and_hms_nano_opt(0, 0, 59, 1_500_000_000).unwrap());
        let fast = serde_json::to_string(&Fast {
            d: far,
            t: leap,
            o: None,
        })
        .unwrap();
        let chrono = serde_json::to_string(&Chrono {
            d: far,
            t: leap,
            o: None,
        })
        .unwrap();
        assert_eq!(fast, chrono);
    }

    #[test]
    fn an_amount_is_written_as_the_wire_money() {
        let eur = seriktes_domain::money::Currency::parse("EUR").unwrap();
        for minor in [0, 5, -5, 384_600, i64::MIN] {
            let m = seriktes_domain::money::Money::from_minor(minor, eur);
            assert_eq!(
                serde_json::to_string(&MoneyOut(m)).unwrap(),
                serde_json::to_string(&super::super::Money::from(m)).unwrap()
            );
        }
    }
}
