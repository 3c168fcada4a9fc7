//! Wire forms of domain values that need an OpenAPI schema (the domain crate knows no utoipa):
//! enums mirrored one-to-one, and multilingual text.

use serde::{Deserialize, Serialize};
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
