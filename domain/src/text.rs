//! Multilingual text: `{"kk": "…", "ru": "…", "en": "…"}` keyed by BCP 47 language tag,
//! at least one present (DESIGN: API conventions).

use crate::error::{DomainError, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A text in one or more languages; keys are lower-cased BCP 47 tags, values trimmed and
/// non-empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocalizedText(BTreeMap<String, String>);

/// Whether `tag` has the shape of a BCP 47 language tag: a 2–3 letter primary language, then
/// subtags of 1–8 letters or digits (`kk`, `ru`, `en-GB`, `kk-Cyrl-KZ`).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

impl LocalizedText {
    /// Parses a map of translations, each at most `max_chars` characters.
    pub fn parse(raw: BTreeMap<String, String>, max_chars: usize) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let mut out = BTreeMap::new();
        for (tag, value) in raw {
            let value = value.trim();
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
            } else if value.chars().count() > max_chars {
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
}
