//! Wire forms of domain values that need an OpenAPI schema (the domain crate knows no utoipa):
//! enums mirrored one-to-one, and multilingual text.

pub mod ser;

use serde::{Deserialize, Serialize};
use seriktes_domain::calendar;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Declares a wire enum mirroring a domain enum, with conversions both ways.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident <=> $domain:path { $($variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl From<$name> for $domain {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => Self::$variant),+ }
            }
        }

        impl From<$domain> for $name {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$variant => Self::$variant),+ }
            }
        }
    };
}

wire_enum!(
    /// What an organisation is.
    OrganizationKind <=> seriktes_domain::organization::OrganizationKind {
        Ngo, Donor, Government, Business, Media, Academic, International, Network
    }
);

wire_enum!(
    /// A user's role in an organisation: `owner` (full control), `manager` (profile and
    /// non-owner members), `member`, `accountant` (money).
    OrgRole <=> seriktes_domain::membership::OrgRole { Owner, Manager, Member, Accountant }
);

wire_enum!(
    /// A user's system role: `admin` sees and changes everything; `user` acts through
    /// memberships and assignments.
    SystemRole <=> seriktes_domain::user::SystemRole { Admin, User }
);

wire_enum!(
    /// A programme's status: `draft → active → closed`.
    ProgrammeStatus <=> seriktes_domain::programme::ProgrammeStatus { Draft, Active, Closed }
);

wire_enum!(
    /// A call's status: `draft → open → closed → decided`; `closed` is reached by itself at
    /// `closes_at`.
    CallStatus <=> seriktes_domain::call::CallStatus { Draft, Open, Closed, Decided }
);

wire_enum!(
    /// An application's status: `draft → submitted → under_review → awarded | rejected`,
    /// `draft | submitted → withdrawn`.
    ApplicationStatus <=> seriktes_domain::application::ApplicationStatus {
        Draft, Submitted, UnderReview, Awarded, Rejected, Withdrawn
    }
);

wire_enum!(
    /// A review's status: `assigned → submitted`, or `recused` after a declared conflict.
    ReviewStatus <=> seriktes_domain::review::ReviewStatus { Assigned, Submitted, Recused }
);

wire_enum!(
    /// A grant's status: `active ⇄ suspended`, `active → completed | terminated`.
    GrantStatus <=> seriktes_domain::grant::GrantStatus { Active, Suspended, Completed, Terminated }
);

wire_enum!(
    /// A tranche's status: `planned → approved → paid`, `planned | approved → cancelled`.
    DisbursementStatus <=> seriktes_domain::grant::DisbursementStatus { Planned, Approved, Paid, Cancelled }
);

// Every date and time a request brings (bodies and query strings) has one of the two types
// below, so the range of `seriktes_domain::calendar` is checked once, on the way in, and a
// value outside it is a 422 naming the field. (Not named `Date`: utoipa inlines any type of
// that name as a plain date, and the range would go unsaid in the contract.)

/// A calendar date, `YYYY-MM-DD`, from 0001-01-01 to 9999-12-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(value_type = String, format = Date, example = "2026-01-01")]
pub struct CalendarDate(calendar::Date);

impl CalendarDate {
    /// The date.
    pub const fn get(self) -> chrono::NaiveDate {
        self.0.get()
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        calendar::Date::parse(&text)
            .map(Self)
            .map_err(crate::extract::rule_error)
    }
}

/// An RFC 3339 time with any offset (`2026-11-23T09:00:00Z`, `2026-11-23T14:00:00+05:00`),
/// kept in UTC; in UTC it falls from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(value_type = String, format = DateTime, example = "2026-11-23T09:00:00Z")]
pub struct Timestamp(calendar::Timestamp);

impl Timestamp {
    /// The time, in UTC.
    pub const fn get(self) -> chrono::NaiveDateTime {
        self.0.get()
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        calendar::Timestamp::parse(&text)
            .map(Self)
            .map_err(crate::extract::rule_error)
    }
}

/// JSON text of a value stored in a TEXT column (maps and lists always serialise).
pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Text in one or more languages, keyed by BCP 47 language tag (`kk`, `ru`, `en`); at least one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"kk": "Жастар бастамалары орталығы", "ru": "Центр молодёжных инициатив", "en": "Youth Initiatives Centre"}))]
pub struct LocalizedText(pub BTreeMap<String, String>);

impl From<seriktes_domain::text::LocalizedText> for LocalizedText {
    fn from(t: seriktes_domain::text::LocalizedText) -> Self {
        Self(t.translations().clone())
    }
}

/// Deserialises a field that may be absent (`None`), `null` (`Some(None)`) or a value, so a
/// PATCH can tell "leave as is" from "clear".
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// An amount of money: a decimal string (never a float) and an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": "3846.00", "currency": "EUR"}))]
pub struct Money {
    /// Decimal amount with at most the currency's decimal places, e.g. `"3846.00"`.
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
    pub amount: String,
    /// ISO 4217 currency code.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

impl Money {
    /// The domain value; errors name `amount` or `currency`.
    pub fn parse(&self) -> Result<seriktes_domain::money::Money, seriktes_domain::DomainError> {
        let currency = seriktes_domain::money::Currency::parse(&self.currency)
            .map_err(|e| prefix_errors(e, "currency"))?;
        seriktes_domain::money::Money::parse_positive(&self.amount, currency)
    }

    /// The wire form of `minor` units in `currency`.
    pub fn from_minor(minor: i64, currency: seriktes_domain::money::Currency) -> Self {
        let m = seriktes_domain::money::Money::from_minor(minor, currency);
        Self {
            amount: m.amount_string(),
            currency: currency.as_str().to_owned(),
        }
    }
}

impl From<seriktes_domain::money::Money> for Money {
    fn from(m: seriktes_domain::money::Money) -> Self {
        Self::from_minor(m.minor(), m.currency())
    }
}

/// Puts field errors that name no field under `field`.
fn prefix_errors(e: seriktes_domain::DomainError, field: &str) -> seriktes_domain::DomainError {
    match e {
        seriktes_domain::DomainError::Invalid(errors) => seriktes_domain::DomainError::Invalid(
            errors
                .into_iter()
                .map(|mut fe| {
                    if fe.field.is_empty() {
                        fe.field = field.to_owned();
                    }
                    fe
                })
                .collect(),
        ),
        other => other,
    }
}

/// A user account. Never carries the password or its hash.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10", "email": "aigerim@example.org", "name": "Aigerim Sadykova",
    "system_role": "user", "active": true,
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct UserResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// E-mail address, lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// System role.
    pub system_role: SystemRole,
    /// Whether the user may sign in.
    pub active: bool,
    /// When created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<seriktes_persistence::users::UserRecord> for UserResponse {
    fn from(r: seriktes_persistence::users::UserRecord) -> Self {
        Self {
            id: r.user.id.to_string(),
            email: r.user.email.as_str().to_owned(),
            name: r.user.name,
            system_role: r.user.system_role.into(),
            active: r.user.active,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}
