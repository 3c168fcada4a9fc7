//! Meetings as iCalendar (RFC 5545), built with the `icalendar` crate: one `VEVENT` per
//! meeting, `UID` the meeting's id at [`UID_DOMAIN`], `DTSTART`/`DTEND` in UTC, `SUMMARY` in
//! the language `Accept-Language` asks for (or the first the title has), `LOCATION` from the
//! place or the link, `STATUS:CANCELLED` for a cancelled meeting.

use actix_web::HttpRequest;
use actix_web::http::header;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use seriktes_domain::meeting::{Meeting, MeetingStatus};
use seriktes_domain::text::LocalizedText;

/// The domain part of every event's `UID` (RFC 5545 §3.8.4.7: globally unique).
pub const UID_DOMAIN: &str = "meetings.seriktes";

/// The media type of the answer.
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

/// A quality value (RFC 9110 §12.4.2: `0` to `1` with at most three decimals) in thousandths.
fn quality(q: &str) -> Option<u16> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if fraction.len() > 3 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = whole.parse().ok().filter(|w| *w <= 1)?;
    let fraction: u16 = format!("{fraction:0<3}").parse().ok()?;
    Some(whole * 1000 + fraction).filter(|q| *q <= 1000)
}

/// The language tags of an `Accept-Language` value, most wanted first (in the order sent
/// among equals), lower-cased; `*`, `q=0` and malformed weights are left out.
fn parse_languages(raw: &str) -> Vec<String> {
    let mut tags: Vec<(u16, usize, String)> = raw
        .split(',')
        .take(20)
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim().to_ascii_lowercase();
            let q = match bits.find_map(|b| b.trim().strip_prefix("q=").map(str::to_owned)) {
                Some(q) => quality(q.trim())?,
                None => 1000,
            };
            (q > 0 && !tag.is_empty() && tag != "*").then_some((q, i, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|(_, _, t)| t).collect()
}

/// The language tags the request's `Accept-Language` asks for, most wanted first.
pub fn languages(req: &HttpRequest) -> Vec<String> {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(parse_languages)
        .unwrap_or_default()
}

/// `text` in the first of `langs` it has (a tag, or its primary language), else its first
/// translation.
fn choose<'a>(text: &'a LocalizedText, langs: &[String]) -> &'a str {
    let t = text.translations();
    langs
        .iter()
        .find_map(|l| {
            t.get(l)
                .or_else(|| l.split('-').next().and_then(|p| t.get(p)))
        })
        .or_else(|| t.values().next())
        .map_or("", String::as_str)
}

fn event(m: &Meeting, langs: &[String]) -> Event {
    let f = &m.fields;
    let mut e = Event::new();
    e.uid(&format!("{}@{UID_DOMAIN}", m.id))
        .timestamp(m.updated_at.and_utc())
        .last_modified(m.updated_at.and_utc())
        .starts(f.starts_at.and_utc())
        .ends(f.ends_at.and_utc())
        .summary(choose(&f.title, langs));
    if let Some(d) = &f.description {
        e.description(choose(d, langs));
    }
    match (&f.place, &f.online_url) {
        (Some(p), _) => {
            e.location(&p.address);
        }
        (None, Some(u)) => {
            e.location(u.as_str());
        }
        (None, None) => {}
    }
    if let Some(u) = &f.online_url {
        e.url(u.as_str());
    }
    e.status(if m.status == MeetingStatus::Cancelled {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    });
    e.done()
}

/// The iCalendar text of `meetings`.
pub fn render(meetings: &[Meeting], langs: &[String]) -> String {
    let mut cal = Calendar::new();
    cal.name("Seriktes meetings");
    for m in meetings {
        cal.push(event(m, langs));
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn languages_come_most_wanted_first() {
        assert_eq!(
            parse_languages("en;q=0.5, ru, kk;q=0.8, *;q=0.1, de;q=0"),
            ["ru", "kk", "en"]
        );
        assert_eq!(parse_languages("KK-kz"), ["kk-kz"]);
        assert_eq!(parse_languages("en;q=2, ru;q=0.1234"), Vec::<String>::new());
        assert_eq!(quality("1.000"), Some(1000));
        assert_eq!(quality("0.05"), Some(50));
    }

    #[test]
    fn a_text_is_chosen_by_tag_then_primary_language_then_first() {
        let text = LocalizedText::parse(
            BTreeMap::from([
                ("ru".to_owned(), "Форум".to_owned()),
                ("kk".to_owned(), "Форумы".to_owned()),
            ]),
            100,
        )
        .unwrap();
        assert_eq!(choose(&text, &["ru-kz".to_owned()]), "Форум");
        assert_eq!(choose(&text, &["de".to_owned(), "kk".to_owned()]), "Форумы");
        assert_eq!(choose(&text, &[]), "Форумы", "the first translation");
    }
}
