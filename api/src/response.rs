//! Response helpers shared by every endpoint: ETags, `201 Created` with `Location`, cursor pages.

use crate::error::ApiError;
use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, Responder, ResponseError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use seriktes_domain::calendar::MAX_DATE_CHARS;
use seriktes_domain::ids::ID_CHARS;
use seriktes_persistence::{Page, PageRequest};
use std::borrow::Cow;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, ToSchema};

/// Longest entity tag: a version (an `i64`) in double quotes.
pub const MAX_ETAG_CHARS: usize = 22;
/// Longest `Location`: `/api/v1/` and at most two collections with their ids.
pub const MAX_LOCATION_CHARS: usize = 200;
/// Longest `If-Match` accepted: room for a list of tags, and one `*`.
pub const MAX_IF_MATCH_CHARS: usize = 1024;

/// The strong entity tag of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an entity tag names, if it is one of ours.
pub fn parse_etag(tag: &str) -> Option<i64> {
    tag.trim()
        .strip_prefix('"')?
        .strip_suffix('"')?
        .parse()
        .ok()
}

/// A single resource with its `ETag`; `201 Created` with `Location` when `location` is set.
#[derive(Debug)]
pub struct Tagged<T> {
    body: T,
    version: i64,
    location: Option<String>,
}

impl<T> Tagged<T> {
    /// `200 OK` with an ETag.
    pub fn ok(body: T, version: i64) -> Self {
        Self {
            body,
            version,
            location: None,
        }
    }

    /// `201 Created` with an ETag and a `Location`.
    pub fn created(body: T, version: i64, location: String) -> Self {
        Self {
            body,
            version,
            location: Some(location),
        }
    }
}

impl<T: Serialize> Responder for Tagged<T> {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let status = if self.location.is_some() {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        let mut res = HttpResponse::build(status);
        res.insert_header((header::ETAG, etag(self.version)));
        if let Some(location) = self.location {
            res.insert_header((header::LOCATION, location));
        }
        res.json(self.body)
    }
}

/// `limit` and `cursor` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return, 1–200 (default 50).
    #[param(example = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; omit (or leave empty) for the first page.
    pub cursor: Option<String>,
}

/// The default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page size.
pub const MAX_LIMIT: i64 = 200;
const CURSOR_PREFIX: &str = "v1:";
/// Longest key a list continues after: most lists are ordered by id, and their key is the id;
/// a list ordered by a date, then id (a grant's reporting requirements) has both,
/// `YYYY-MM-DD/<id>`.
pub const MAX_KEY_CHARS: usize = MAX_DATE_CHARS + 1 + ID_CHARS;
/// Most characters in a cursor: `v1:` and the longest key, in unpadded base64url (a cursor
/// after an id has 52).
pub const MAX_CURSOR_CHARS: usize = ((CURSOR_PREFIX.len() + MAX_KEY_CHARS) * 4).div_ceil(3);

impl PageParams {
    /// Checks the limit and decodes the cursor.
    pub fn to_request(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                "range",
                format!("limit is between 1 and {MAX_LIMIT}"),
            ));
        }
        // `cursor=` (a form that always sends the field) is the first page, as no cursor is.
        let after = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(c) if c.chars().count() > MAX_CURSOR_CHARS => {
                return Err(ApiError::invalid(
                    "cursor",
                    "max_length",
                    format!("a cursor has at most {MAX_CURSOR_CHARS} characters"),
                ));
            }
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                ApiError::invalid(
                    "cursor",
                    "format",
                    "not a cursor this API issued; start again without one",
                )
            })?),
        };
        Ok(PageRequest { after, limit })
    }
}

fn encode_cursor(after: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{after}"))
}

/// The key a cursor holds; `None` for anything this API did not issue. The keys are ids, so a
/// control character (a NUL above all, which PostgreSQL refuses in text) is a forgery.
fn decode_cursor(cursor: &str) -> Option<String> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(raw).ok()?;
    text.strip_prefix(CURSOR_PREFIX)
        .filter(|k| !k.is_empty() && !k.chars().any(char::is_control))
        .map(str::to_owned)
}

/// One page of a list. Its schema is written by hand (below): utoipa's derive would copy the
/// item schema into every `Paginated_<T>`, giving generated clients a second class per resource.
#[derive(Debug, Serialize)]
pub struct Paginated<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Paginated<T> {
    /// A page from converted items and the stored page's key.
    pub fn from_parts(data: Vec<T>, next_after: Option<&str>) -> Self {
        Self {
            data,
            next_cursor: next_after.map(encode_cursor),
        }
    }

    /// Converts a stored page, turning its key into an opaque cursor.
    pub fn try_from_page<R>(
        page: Page<R>,
        f: impl FnMut(R) -> Result<T, ApiError>,
    ) -> Result<Self, ApiError> {
        let next_cursor = page.next_after.as_deref().map(encode_cursor);
        Ok(Self {
            data: page.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next_cursor,
        })
    }
}

impl<T: Serialize> Responder for Paginated<T> {
    type Body = BoxBody;

    /// `200 OK` with the page as JSON, written into a buffer sized for the page (a page of 50
    /// grants is about 46 KB; growing a buffer from nothing copies it several times).
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let mut body = Vec::with_capacity(64 + 1024 * self.data.len());
        match serde_json::to_writer(&mut body, &self) {
            Ok(()) => HttpResponse::Ok()
                .content_type(header::ContentType::json())
                .body(body),
            Err(e) => ApiError::internal(e).error_response(),
        }
    }
}

/// `Paginated_<T>`: `data.items` is a `$ref` to `T`'s own schema. The path macros build a
/// generic body through `ComposeSchema`, handing in `T`'s inline schema; it is ignored here.
/// (utoipa derives `PartialSchema` from this.)
impl<T: ToSchema> utoipa::__dev::ComposeSchema for Paginated<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some("One page of a list."))
            .property(
                "data",
                ArrayBuilder::new()
                    .items(Ref::from_schema_name(T::name()))
                    .max_items(usize::try_from(MAX_LIMIT).ok())
                    .description(Some("The items of this page.")),
            )
            .required("data")
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .max_length(Some(MAX_CURSOR_CHARS))
                    .description(Some(
                        "Pass as `cursor` to get the next page; `null` on the last page.",
                    )),
            )
            .into()
    }
}

impl<T: ToSchema> ToSchema for Paginated<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Paginated")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

/// Converts a stored UTC time to the wire form.
pub fn utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_cursor_has_its_stated_length() {
        let id = uuid::Uuid::max();
        assert_eq!(encode_cursor(&id.to_string()).len(), 52, "after an id");
        let c = encode_cursor(&format!("9999-12-31/{id}"));
        assert_eq!(c.len(), MAX_CURSOR_CHARS, "after a date and an id");
        let over = PageParams {
            limit: None,
            cursor: Some(format!("{c}A")),
        };
        assert!(
            matches!(over.to_request(), Err(ApiError::Validation(e)) if e[0].code == "max_length")
        );
    }

    #[test]
    fn entity_tags_and_locations_fit_their_bounds() {
        assert_eq!(etag(i64::MIN).len(), MAX_ETAG_CHARS);
        let id = uuid::Uuid::max();
        let longest = format!("/api/v1/organizations/{id}/members/{id}");
        assert!(longest.len() <= MAX_LOCATION_CHARS);
    }

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let c = encode_cursor("0193-abc");
        assert_eq!(decode_cursor(&c).as_deref(), Some("0193-abc"));
        assert_eq!(decode_cursor("not base64!"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("v2:x")), None);
        assert_eq!(decode_cursor("djE6AA"), None, "v1: and a NUL");
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("v1:a\u{0}b")), None);
    }

    #[test]
    fn limits_outside_1_to_200_are_refused() {
        for limit in [0, 201, -1] {
            assert!(
                PageParams {
                    limit: Some(limit),
                    cursor: None
                }
                .to_request()
                .is_err()
            );
        }
        assert_eq!(
            PageParams {
                limit: None,
                cursor: None
            }
            .to_request()
            .unwrap()
            .limit,
            50
        );
    }

    #[test]
    fn etags_round_trip() {
        assert_eq!(parse_etag(&etag(7)), Some(7));
        assert_eq!(parse_etag("W/\"7\""), None);
    }
}
