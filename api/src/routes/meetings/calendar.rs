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

/// The language tags of `Accept-Language`, most wanted first (q=0 dropped), lower-cased.
pub fn languages(req: &HttpRequest) -> Vec<String> {
    let Some(raw) = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Vec::new();
    };
    let mut tags: Vec<(u16, usize, String)> = raw
        .split(',')
        .take(20)
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim().to_ascii_lowercase();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q=").map(str::to_owned))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            // q has at most three decimals (RFC 9110 §12.4.2): per mille as an integer.
            let per_mille = (0..=1000_u16)
                .rev()
                .find(|m| f32::from(*m) <= q * 1000.0 + 0.5)
                .unwrap_or(0);
            (per_mille > 0 && !tag.is_empty() && tag != "*").then_some((per_mille, i, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|(_, _, t)| t).collect()
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
