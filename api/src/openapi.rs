//! The OpenAPI 3.1 document: metadata, the bearer scheme, the problem schema and one reusable
//! response per error status. Paths are collected from the handlers' `#[utoipa::path]`.

use crate::error::{ApiError, PROBLEM_JSON, Problem, ProblemField};
use seriktes_domain::FieldError;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

pub mod bounds;

/// Declares a reusable problem+json response whose example is what the API really sends.
macro_rules! problem_response {
    ($name:ident, $description:literal, $error:expr) => {
        #[doc = $description]
        #[derive(Debug)]
        pub struct $name;

        impl<'s> utoipa::ToResponse<'s> for $name {
            fn response() -> (&'s str, RefOr<Response>) {
                let example = serde_json::to_value($error.problem()).unwrap_or_default();
                let content = ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .example(Some(example))
                    .build();
                (
                    stringify!($name),
                    ResponseBuilder::new()
                        .description($description)
                        .content(PROBLEM_JSON, content)
                        .build()
                        .into(),
                )
            }
        }
    };
}

problem_response!(
    BadRequest,
    "The body is not well-formed JSON.",
    ApiError::BadRequest(
        "The body is not valid JSON: EOF while parsing an object at line 1 column 12.".to_owned()
    )
);
problem_response!(
    Unauthorized,
    "No credentials, or an invalid or expired token.",
    ApiError::Unauthorized("The access token is invalid or has expired.".to_owned())
);
problem_response!(
    Forbidden,
    "Signed in, and the object is visible, but this action is not allowed.",
    ApiError::Forbidden("This needs the admin role.".to_owned())
);
problem_response!(
    NotFound,
    "No such object, or one the caller may not see.",
    ApiError::NotFound
);
problem_response!(
    Conflict,
    "The request conflicts with stored data: a duplicate (`conflict`, `errors` names the field), a rule over other rows such as the last owner (`conflict`), or a write that collided with concurrent writes each time it was tried (`concurrent-update`: nothing was stored; send it again).",
    ApiError::Conflict {
        detail: "Another record already has this email.".to_owned(),
        errors: vec![FieldError::new("email", "unique", "already taken")],
        current_state: None,
        allowed_actions: None,
    }
);
problem_response!(
    IndicatorCodeTaken,
    "The programme's catalogue already has an indicator with this code (`indicator-code-taken`, `errors` names `code`), or the write collided with concurrent writes each time it was tried (`concurrent-update`: nothing was stored; send it again).",
    ApiError::IndicatorCodeTaken("OUT-1.1".to_owned())
);
problem_response!(
    InvalidTransition,
    "The action is not allowed in the object's current state; `current_state` and `allowed_actions` say what is.",
    ApiError::from(seriktes_domain::DomainError::InvalidTransition {
        entity: "call",
        action: "publish",
        from: "decided",
        allowed: vec![],
    })
);
problem_response!(
    PreconditionFailed,
    "`If-Match` names a version other than the current one; read the object again.",
    ApiError::PreconditionFailed
);
problem_response!(
    PayloadTooLarge,
    "The body is larger than 256 KiB.",
    ApiError::PayloadTooLarge(crate::extract::MAX_BODY_BYTES)
);
problem_response!(
    UnsupportedMediaType,
    "The body is not sent as application/json.",
    ApiError::UnsupportedMediaType(
        "The body must be JSON, sent with Content-Type: application/json.".to_owned()
    )
);
problem_response!(
    Unprocessable,
    "Fields break rules; `errors` lists each with its rule.",
    ApiError::Validation(vec![
        FieldError::new("bin", "check_digit", "the BIN check digit does not match"),
        FieldError::new(
            "region",
            "iso3166_2",
            "\"KZ-99\" is not an ISO 3166-2 subdivision code"
        ),
    ])
);
problem_response!(
    TooManyRequests,
    "Too many attempts; retry after `Retry-After` seconds.",
    ApiError::TooManyRequests(60)
);
problem_response!(
    ServiceUnavailable,
    "The database is unreachable or did not answer in time; retry after `Retry-After` seconds. A write answered 503 may have been stored if the connection broke as it committed: read before you repeat a create.",
    ApiError::Unavailable("database unavailable".into())
);

/// Adds the bearer-token security scheme that Swagger UI's "Authorize" uses.
struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/login."))
                    .build(),
            ),
        );
    }
}

/// Documents the `Idempotency-Key` header on every operation the middleware applies it to
/// (`crate::idempotency`: signed-in `POST`s outside `/auth`), in one place. Applied to the
/// finished document ([`finish`]): the paths are collected after `ApiDoc`'s modifiers run.
struct IdempotencyAddon;

impl Modify for IdempotencyAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        let max = seriktes_domain::idempotency::MAX_KEY_LEN;
        let parameter = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes the request safe to send again (after a timeout, a dropped connection or a 503): \
                 a request sent again with the same key and the same body gets the first answer, replayed with \
                 `Idempotent-Replayed: true`, instead of acting twice. Keys are the caller's own and kept 24 hours. \
                 The same key with another method, path or body is 422 (`Idempotency-Key`, `mismatch`); \
                 while the first request is still being carried out, 409 `request-in-progress` with `Retry-After`; \
                 if the first request was carried out but its answer was lost, 409 `answer-lost` (read what it created). \
                 A request that failed with 5xx before storing anything may be sent again with the same key.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(max))
                    .pattern(Some("^[\\x21-\\x7E]+$")),
            ))
            .build();
        for (path, item) in &mut openapi.paths.paths {
            let Some(post) = item.post.as_mut() else {
                continue;
            };
            if path.starts_with("/api/v1/auth/") || post.security.is_none() {
                continue;
            }
            post.parameters
                .get_or_insert_with(Vec::new)
                .push(parameter.clone());
        }
    }
}

/// Completes the document once the handlers' paths are in it.
pub fn finish(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    IdempotencyAddon.modify(&mut api);
    bounds::apply(&mut api);
    api
}

/// The document root; paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Seriktes API",
        description = "Grant programmes for civil society: donors, calls, applications, reviews, grants, reports and stakeholder meetings.\n\n\
Errors are RFC 9457 `application/problem+json`, also for requests the server cannot read at all (400: a malformed \
request line or header, or a URI over 65,534 bytes; 431: a head over 128 KiB; 408: a request head that does not arrive within 5 s of connecting). Lists are cursor-paginated (`limit`, `cursor` → `next_cursor`). \
Single resources carry an `ETag`; updates honour `If-Match` (412 on mismatch). Objects the caller may not see answer 404.\n\n\
Concurrent writes are serializable: each request sees and leaves the data as if it ran alone. A request without `If-Match` is never answered 412; \
a write that collides with concurrent writes is run again by the server, and only if it keeps colliding is it answered 409 `urn:seriktes:problem:concurrent-update`, with nothing stored. \
503 (with `Retry-After`) means the database is unreachable or did not answer within the configured bound.\n\n\
Numbers: a field of type `integer` takes a JSON integer (`26`); the same value written with a fraction or an exponent \
(`26.0`, `2.6e1`) is refused with 422 (`type`). Amounts of money are decimal strings, never numbers. \
Dates are `YYYY-MM-DD` and times RFC 3339, from 0001-01-01 to 9999-12-31 (UTC).\n\n\
Sign in with `POST /api/v1/auth/login`, then use **Authorize** with the `access_token`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    components(
        schemas(Problem, ProblemField),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, IndicatorCodeTaken, InvalidTransition, PreconditionFailed, PayloadTooLarge,
            UnsupportedMediaType, Unprocessable, TooManyRequests, ServiceUnavailable
        )
    ),
    modifiers(&SecurityAddon),
    tags(
        (name = "auth", description = "Sign in, rotate refresh tokens, sign out."),
        (name = "me", description = "The signed-in user."),
        (name = "users", description = "User accounts (admins)."),
        (name = "organizations", description = "Organisations and their members."),
        (name = "programmes", description = "Donor-funded programmes and their funders."),
        (name = "calls", description = "Calls for proposals: window, eligibility, criteria, committee."),
        (name = "applications", description = "NGOs' proposals to calls: draft, submit, withdraw."),
        (name = "reviews", description = "Expert review: assignments, scores, conflicts of interest, ranking."),
        (name = "grants", description = "Awards, grants, amendments and tranches."),
        (name = "indicators", description = "A programme's indicator catalogue and the indicators each grant carries."),
        (name = "reporting", description = "Reporting requirements: what each grant must report and when, generated on award from the call's or programme's reporting schedule."),
        (name = "reports", description = "The single reporting form of each reporting requirement: narrative, indicator values, expenditures with the money per budget line; submission and review; the files attached to them."),
        (name = "results", description = "Results: accepted indicator values rolled up per indicator, against baselines and targets, by dimension, region, period, call and grant; a programme's aggregate is public while it is active."),
        (name = "coalitions", description = "Networks and coalitions: their member organisations with the days they joined and left, and how they grew over a period."),
        (name = "meetings", description = "Stakeholder meetings: round tables, dialogues, forums, conferences, trainings and seminars with their organisers, participants, agenda and iCalendar feed; public meetings need no sign-in."),
        (name = "recommendations", description = "Recommendations made at stakeholder meetings: addressed to an organisation, tracked proposed → under consideration → adopted | rejected, adopted → implemented with their history and evidence, linked to grants and indicators, counted per meeting and addressee, endorsed by organisations."),
        (name = "public", description = "Published data, no sign-in: awarded grants."),
        (name = "audit", description = "Who changed what, when (admins)."),
        (name = "health", description = "Liveness and readiness probes.")
    )
)]
pub struct ApiDoc;

/// Declares a group of the reusable error responses above, to list in `responses(...)` at once.
macro_rules! response_group {
    ($(#[$doc:meta])* $name:ident { $($status:literal => $response:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
                [$(($status, stringify!($response))),+]
                    .into_iter()
                    .map(|(status, name)| (status.to_owned(), RefOr::Ref(Ref::from_response_name(name))))
                    .collect()
            }
        }
    };
}

response_group!(
    /// What any endpoint that reads a JSON body may answer: 400, 413, 415, 422.
    BodyErrors { "400" => BadRequest, "413" => PayloadTooLarge, "415" => UnsupportedMediaType, "422" => Unprocessable }
);
response_group!(
    /// What any endpoint that checks credentials may answer: 401, 503.
    AuthErrors { "401" => Unauthorized, "503" => ServiceUnavailable }
);
