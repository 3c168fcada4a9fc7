//! Multilingual text: `{"kk": "…", "ru": "…", "en": "…"}` keyed by BCP 47 language tag,
//! at least one present (DESIGN: API conventions).

use crate::error::{DomainError, FieldError};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Most languages one text may carry.
pub const MAX_LANGUAGES: usize = 16;
/// Longest language tag: RFC 5646 §4.4.1 asks implementations to hold tags of 35 characters,
/// which covers every tag registered in practice.
pub const MAX_TAG_CHARS: usize = 35;

/// A text in one or more languages; keys are lower-cased BCP 47 tags, values trimmed and
/// non-empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocalizedText(BTreeMap<String, String>);

/// Whether `tag` has the shape of a BCP 47 language tag: a 2–3 letter primary language, then
/// subtags of 1–8 letters or digits (`kk`, `ru`, `en-GB`, `kk-Cyrl-KZ`), at most
/// [`MAX_TAG_CHARS`] in all.
fn is_language_tag(tag: &str) -> bool {
    if tag.len() > MAX_TAG_CHARS {
        return false;
    }
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

impl LocalizedText {
    /// Parses a map of at most [`MAX_LANGUAGES`] translations, each at most `max_chars`
    /// characters as sent (white space around a translation is trimmed, but counts).
    pub fn parse(raw: BTreeMap<String, String>, max_chars: usize) -> Result<Self, DomainError> {
        if raw.len() > MAX_LANGUAGES {
            return Err(FieldError::new(
                "",
                "max_items",
                format!("at most {MAX_LANGUAGES} languages"),
            )
            .into());
        }
        let mut errors = Vec::new();
        let mut out = BTreeMap::new();
        for (tag, raw_value) in raw {
            let value = raw_value.trim();
            if !is_language_tag(&tag) {
                errors.push(FieldError::new(
                    tag.clone(),
                    "language_tag",
                    format!("{tag:?} is not a BCP 47 language tag"),
                ));
            } else if value.is_empty() {
                errors.push(FieldError::new(
                    tag.clone(),
                    "required",
                    "a translation may not be empty",
                ));
            } else if raw_value.chars().count() > max_chars {
                errors.push(FieldError::new(
                    tag.clone(),
                    "max_length",
                    format!("at most {max_chars} characters"),
                ));
            } else {
                out.insert(tag.to_ascii_lowercase(), value.to_owned());
            }
        }
        if errors.is_empty() && out.is_empty() {
            errors.push(FieldError::new(
                "",
                "required",
                "at least one language is required",
            ));
        }
        if errors.is_empty() {
            Ok(Self(out))
        } else {
            Err(DomainError::Invalid(errors))
        }
    }

    /// The translations, by language tag.
    pub fn translations(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// The text in `lang`, else English, else Russian, else Kazakh, else any.
    pub fn pick(&self, lang: &str) -> &str {
        [lang, "en", "ru", "kk"]
            .iter()
            .find_map(|l| self.0.get(*l))
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }
}

/// `text` cut to its first `max_chars` characters, for a text the server writes that must stay
/// within a bound it states (an audit summary, a problem's detail).
pub fn truncate(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => Cow::Owned(text[..end].to_owned()),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn translations_are_trimmed_and_tags_lower_cased() {
        let t = LocalizedText::parse(
            map(&[("EN", " Youth Centre "), ("kk", "Жастар орталығы")]),
            100,
        )
        .unwrap();
        assert_eq!(
            t.translations().get("en").map(String::as_str),
            Some("Youth Centre")
        );
        assert_eq!(t.pick("kk"), "Жастар орталығы");
        assert_eq!(t.pick("de"), "Youth Centre");
    }

    #[test]
    fn at_least_one_language_is_required() {
        let Err(DomainError::Invalid(e)) = LocalizedText::parse(BTreeMap::new(), 10) else {
            panic!("expected invalid");
        };
        assert_eq!(e[0].code, "required");
    }

    #[test]
    fn bad_tags_empty_and_overlong_values_are_each_reported() {
        let Err(DomainError::Invalid(e)) =
            LocalizedText::parse(map(&[("english", "x"), ("ru", " "), ("kk", "абвгд")]), 3)
        else {
            panic!("expected invalid");
        };
        let codes: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("english", "language_tag"),
                ("kk", "max_length"),
                ("ru", "required")
            ]
        );
    }

    #[test]
    fn regional_tags_are_accepted() {
        assert!(is_language_tag("kk-Cyrl-KZ"));
        assert!(is_language_tag("en-GB"));
        assert!(!is_language_tag("e"));
        assert!(!is_language_tag("en-"));
    }

    #[test]
    fn tags_over_35_characters_are_refused() {
        let at_limit = format!("en{}-abcde", "-abcdefgh".repeat(3));
        assert_eq!(at_limit.len(), MAX_TAG_CHARS);
        assert!(is_language_tag(&at_limit));
        assert!(!is_language_tag(&format!("{at_limit}d")));
    }

    #[test]
    fn at_most_16_languages_are_accepted() {
        let tags: Vec<String> = (0..=MAX_LANGUAGES).map(|i| format!("en-x{i}")).collect();
        let within: BTreeMap<_, _> = tags[..MAX_LANGUAGES]
            .iter()
            .map(|t| (t.clone(), "x".to_owned()))
            .collect();
        assert!(LocalizedText::parse(within, 10).is_ok());
        let over: BTreeMap<_, _> = tags.iter().map(|t| (t.clone(), "x".to_owned())).collect();
        let Err(DomainError::Invalid(e)) = LocalizedText::parse(over, 10) else {
            panic!("expected invalid");
        };
        assert_eq!((e[0].field.as_str(), e[0].code), ("", "max_items"));
    }

    #[test]
    fn white_space_counts_toward_the_length() {
        let padded = map(&[("en", "abc ")]);
        let Err(DomainError::Invalid(e)) = LocalizedText::parse(padded, 3) else {
            panic!("expected invalid");
        };
        assert_eq!(e[0].code, "max_length");
        assert!(LocalizedText::parse(map(&[("en", " abc")]), 4).is_ok());
    }

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate("абвгд", 3), "абв");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("", 0), "");
    }
}
