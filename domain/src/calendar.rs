//! Dates and times as text (DESIGN: "timestamps RFC 3339 UTC; dates `YYYY-MM-DD`"): how long
//! their text forms are, so the contract can bound every date and time it carries.

/// Characters in a date, `YYYY-MM-DD` (RFC 3339 `full-date`).
pub const MAX_DATE_CHARS: usize = 10;

/// Longest time accepted as text: `YYYY-MM-DDTHH:MM:SS`, nine fraction digits and an offset,
/// `9999-12-31T23:59:59.999999999+05:00`. Responses write `Z` and at most nine digits.
pub const MAX_TIMESTAMP_CHARS: usize = 35;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_forms_fit() {
        assert_eq!("9999-12-31".len(), MAX_DATE_CHARS);
        assert_eq!(
            "9999-12-31T23:59:59.999999999+05:00".len(),
            MAX_TIMESTAMP_CHARS
        );
    }
}
