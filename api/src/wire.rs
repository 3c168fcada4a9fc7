//! Wire forms of domain values that need an OpenAPI schema (the domain crate knows no utoipa):
//! enums mirrored one-to-one, and multilingual text.

pub mod meeting;
pub mod ser;

use serde::{Deserialize, Serialize};
use seriktes_domain::calendar;
use seriktes_domain::text::{MAX_LANGUAGES, MAX_TAG_CHARS};
use seriktes_domain::{DomainError, call, organization, programme};
use std::borrow::Cow;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

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

wire_enum!(
    /// How often a grant's periodic reports are due: every 3, 6 or 12 months from its first
    /// day, or `none` (a final report only, if any).
    ReportingFrequency <=> seriktes_domain::reporting::ReportingFrequency { Quarterly, Semiannual, Annual, None }
);

wire_enum!(
    /// What a reporting requirement asks for: one `periodic` period of the schedule, the
    /// `final` report on the whole grant, or an `ad_hoc` report the programme's managers added.
    RequirementKind <=> seriktes_domain::reporting::RequirementKind { Periodic, Final, AdHoc }
);

wire_enum!(
    /// A reporting requirement's status: `open`, or `waived` by the programme's managers.
    RequirementStatus <=> seriktes_domain::reporting::RequirementStatus { Open, Waived }
);

/// A reporting schedule: how often periodic reports are due, whether a final report covering
/// the whole grant is due, and how many days after a period's end a report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"frequency": "quarterly", "final_report": true, "due_days": 30}))]
pub struct ReportingSchedule {
    /// How often periodic reports are due.
    pub frequency: ReportingFrequency,
    /// Whether a final report covering the whole grant is due.
    pub final_report: bool,
    /// Days after a period's end (for the final report: the grant's end) that its report is
    /// due, 0–180.
    pub due_days: i32,
}

impl ReportingSchedule {
    /// The domain value; errors name `due_days`.
    pub fn parse(self) -> Result<seriktes_domain::reporting::ReportingSchedule, DomainError> {
        seriktes_domain::reporting::ReportingSchedule::parse(
            self.frequency.into(),
            self.final_report,
            self.due_days,
        )
    }
}

impl From<seriktes_domain::reporting::ReportingSchedule> for ReportingSchedule {
    fn from(s: seriktes_domain::reporting::ReportingSchedule) -> Self {
        Self {
            frequency: s.frequency().into(),
            final_report: s.final_report(),
            due_days: s.due_days(),
        }
    }
}

/// A narrative section of a programme's report template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "activities", "required": true}))]
pub struct ReportSection {
    /// Its key in a report's `narrative`: 1 to 40 of `a-z`, `0-9` and `_`, starting with a
    /// letter.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,39}$", max_length = 40)]
    pub key: String,
    /// Whether a report must fill it in to be submitted.
    pub required: bool,
}

/// Parses a report template: 1 to 20 sections, each key once.
pub fn report_template(
    sections: Vec<ReportSection>,
) -> Result<seriktes_domain::report::Template, DomainError> {
    seriktes_domain::report::Template::parse(
        sections
            .into_iter()
            .map(|s| seriktes_domain::report::Section {
                key: s.key,
                required: s.required,
            })
            .collect(),
    )
}

/// A template's sections on the wire.
pub fn report_sections(t: &seriktes_domain::report::Template) -> Vec<ReportSection> {
    t.sections()
        .iter()
        .map(|s| ReportSection {
            key: s.key.clone(),
            required: s.required,
        })
        .collect()
}

wire_enum!(
    /// What an indicator counts.
    IndicatorUnit <=> seriktes_domain::indicator::Unit {
        People, Organisations, Events, Documents, Sessions, Hours, Percent, Other
    }
);

wire_enum!(
    /// How an indicator is measured: `count` (a whole number; baseline and target 0 to
    /// 1,000,000,000,000), `percentage` (reported with numerator and denominator; baseline and
    /// target in whole percent, 0 to 100), `qualitative` (a text; no baseline or target).
    IndicatorKind <=> seriktes_domain::indicator::IndicatorKind { Count, Percentage, Qualitative }
);

wire_enum!(
    /// How an indicator's values add up across periods and grants: `sum`, `latest` (the most
    /// recent value), `max`.
    Aggregation <=> seriktes_domain::indicator::Aggregation { Sum, Latest, Max }
);

wire_enum!(
    /// A disaggregation dimension and its categories: `sex` (`female`, `male`, `other`,
    /// `not_stated`), `age_band` (`0-17`, `18-29`, `30-64`, `65+`), `disability` (`with`,
    /// `without`, `not_stated`), `region` (the programme's ISO 3166-2 regions; only for a
    /// programme that has regions).
    Dimension <=> seriktes_domain::indicator::Dimension { Sex, AgeBand, Disability, Region }
);

/// One indicator a grant is to carry, with the grant's own baseline and target.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"indicator_id": "0193a0c4-d000-7000-8000-000000000001", "baseline": 0, "target": 200}))]
pub struct GrantIndicatorInput {
    /// An indicator of the grant's programme's catalogue.
    #[schema(format = Uuid)]
    pub indicator_id: uuid::Uuid,
    /// The grant's baseline, within the indicator's kind; omit or `null` to keep the
    /// catalogue's.
    pub baseline: Option<i64>,
    /// The grant's target, within the indicator's kind; omit or `null` to keep the catalogue's.
    pub target: Option<i64>,
}

impl GrantIndicatorInput {
    /// The indicators of a request's `field` (`indicators`): at most
    /// [`MAX_GRANT_INDICATORS`](seriktes_domain::indicator::MAX_GRANT_INDICATORS) (the rest of
    /// the rules need the catalogue: `seriktes_domain::indicator::check_grant_indicators`).
    pub fn parse_all(
        field: &str,
        items: &[Self],
    ) -> Result<Vec<seriktes_domain::indicator::GrantIndicatorInput>, DomainError> {
        let mut v = seriktes_domain::Validator::new();
        v.max_items(
            field,
            items.len(),
            seriktes_domain::indicator::MAX_GRANT_INDICATORS,
        );
        v.finish()?;
        Ok(items
            .iter()
            .map(|i| seriktes_domain::indicator::GrantIndicatorInput {
                indicator: seriktes_domain::ids::IndicatorId::from_uuid(i.indicator_id),
                baseline: i.baseline,
                target: i.target,
            })
            .collect())
    }
}

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

/// The shape `seriktes_domain::text` accepts as a language tag.
const LANGUAGE_TAG_PATTERN: &str = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$";

/// The schema of a multilingual text whose translations have at most `max_chars` characters:
/// the bounds `seriktes_domain::text::LocalizedText::parse` checks, from its constants.
pub(crate) fn localized_schema(
    description: &str,
    max_chars: usize,
    example: serde_json::Value,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_TAG_CHARS))
                .pattern(Some(LANGUAGE_TAG_PATTERN)),
        ))
        .additional_properties(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(max_chars)),
        ))
        .min_properties(Some(1))
        .max_properties(Some(MAX_LANGUAGES))
        .examples([example])
        .into()
}

/// Declares a multilingual text whose translations have at most `max` characters: its wire
/// type, its schema (from the same constant) and its parse into the domain value.
macro_rules! localized_text {
    ($(
        $description:literal
        $name:ident, max = $max:expr, example = $example:tt;
    )+) => {$(
        #[doc = $description]
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name(pub BTreeMap<String, String>);

        impl $name {
            /// Longest translation, in characters.
            pub const MAX_CHARS: usize = $max;

            /// The domain value; errors name the language.
            pub fn parse(self) -> Result<seriktes_domain::text::LocalizedText, DomainError> {
                seriktes_domain::text::LocalizedText::parse(self.0, Self::MAX_CHARS)
            }
        }

        impl From<seriktes_domain::text::LocalizedText> for $name {
            fn from(t: seriktes_domain::text::LocalizedText) -> Self {
                Self(t.translations().clone())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                localized_schema($description, Self::MAX_CHARS, serde_json::json!($example))
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )+};
}

/// The larger of two lengths.
const fn longer(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

// Text in one or more languages, keyed by BCP 47 language tag (`kk`, `ru`, `en`), at least one
// (DESIGN: API conventions); one type per bound, so the contract states each.
localized_text! {
    "An organisation's name in one or more languages, keyed by BCP 47 language tag (`kk`, `ru`, `en`); at least one."
    OrganizationName, max = organization::MAX_NAME,
        example = {"kk": "Жастар бастамалары орталығы", "ru": "Центр молодёжных инициатив", "en": "Youth Initiatives Centre"};
    "A programme's title in one or more languages, keyed by BCP 47 language tag; at least one."
    ProgrammeTitle, max = programme::MAX_TITLE,
        example = {"en": "Empowering South Kazakhstan CSOs to Promote Human Rights Reforms"};
    "A programme's description in one or more languages, keyed by BCP 47 language tag; at least one."
    ProgrammeDescription, max = programme::MAX_DESCRIPTION,
        example = {"en": "Mini-grants, mentoring and a single reporting form for NGOs in four southern regions."};
    "A call's title in one or more languages, keyed by BCP 47 language tag; at least one."
    CallTitle, max = call::MAX_TITLE,
        example = {"en": "Mini-projects for human rights reforms"};
    "A call's description in one or more languages, keyed by BCP 47 language tag; at least one."
    CallDescription, max = call::MAX_DESCRIPTION,
        example = {"en": "Twelve-month projects of up to EUR 3,846 by NGOs registered in the four regions."};
    "A criterion's name in one or more languages, keyed by BCP 47 language tag; at least one."
    CriterionName, max = call::MAX_CRITERION_NAME,
        example = {"en": "Relevance to human rights reforms"};
    "An application's title in one or more languages, keyed by BCP 47 language tag; at least one."
    ApplicationTitle, max = seriktes_domain::application::MAX_TITLE,
        example = {"en": "Legal aid for rural women"};
    "An application's summary in one or more languages, keyed by BCP 47 language tag; at least one."
    ApplicationSummary, max = seriktes_domain::application::MAX_SUMMARY,
        example = {"en": "Mobile legal clinics in three districts."};
    "A reporting requirement's title in one or more languages, keyed by BCP 47 language tag; at least one."
    RequirementTitle, max = seriktes_domain::reporting::MAX_TITLE,
        example = {"en": "Report on the public hearing in Shymkent"};
    "An indicator's name in one or more languages, keyed by BCP 47 language tag; at least one."
    IndicatorName, max = seriktes_domain::indicator::MAX_NAME_CHARS,
        example = {"en": "People reached", "ru": "Охват людей"};
    "A name or title in one or more languages (an organisation's name, a programme's or call's title), keyed by BCP 47 language tag."
    LocalizedText, max = longer(organization::MAX_NAME, longer(programme::MAX_TITLE, call::MAX_TITLE)),
        example = {"kk": "Жастар бастамалары орталығы", "ru": "Центр молодёжных инициатив", "en": "Youth Initiatives Centre"};
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

wire_enum!(
    /// What kind of stakeholder meeting.
    MeetingKind <=> seriktes_domain::meeting::MeetingKind {
        RoundTable, Dialogue, Forum, Conference, Training, Seminar, Other
    }
);

wire_enum!(
    /// The role an invited organisation takes part in a meeting in.
    ParticipantRole <=> seriktes_domain::meeting::ParticipantRole {
        GovernmentBody, Cso, Donor, Business, Media, Academic
    }
);

wire_enum!(
    /// Where a meeting happens: `in_person` (needs `place`), `online` (needs `online_url`),
    /// `hybrid` (needs both).
    MeetingFormat <=> seriktes_domain::meeting::MeetingFormat { InPerson, Online, Hybrid }
);

wire_enum!(
    /// Who sees a meeting: anyone (`public`, also without signing in), or only its organisers
    /// and participants (`participants`).
    MeetingVisibility <=> seriktes_domain::meeting::Visibility { Public, Participants }
);

wire_enum!(
    /// A meeting's status: `planned → held → minutes_published`, `planned → cancelled`.
    MeetingStatus <=> seriktes_domain::meeting::MeetingStatus { Planned, Held, MinutesPublished, Cancelled }
);

localized_text! {
    "A meeting's title in one or more languages, keyed by BCP 47 language tag; at least one."
    MeetingTitle, max = seriktes_domain::meeting::MAX_TITLE,
        example = {"en": "Round table with the Ministry of Culture and Information", "ru": "Круглый стол с Министерством культуры и информации"};
    "A meeting's description in one or more languages, keyed by BCP 47 language tag; at least one."
    MeetingDescription, max = seriktes_domain::meeting::MAX_DESCRIPTION,
        example = {"en": "Civil society and the ministry discuss the draft law on public councils."};
    "An agenda item's title in one or more languages, keyed by BCP 47 language tag; at least one."
    AgendaItemTitle, max = seriktes_domain::meeting::MAX_AGENDA_TITLE,
        example = {"en": "Opening remarks"};
}

wire_enum!(
    /// A recommendation's status: `proposed → under_consideration → adopted | rejected`,
    /// `adopted → implemented`.
    RecommendationStatus <=> seriktes_domain::recommendation::RecommendationStatus {
        Proposed, UnderConsideration, Adopted, Rejected, Implemented
    }
);

localized_text! {
    "A recommendation's text in one or more languages, keyed by BCP 47 language tag; at least one."
    RecommendationText, max = seriktes_domain::recommendation::MAX_TEXT_CHARS,
        example = {"en": "Introduce a single reporting form for all CSOs", "ru": "Ввести единую форму отчётности для всех НКО"};
    "A decision recorded in a meeting's minutes, in one or more languages, keyed by BCP 47 language tag; at least one."
    DecisionText, max = seriktes_domain::minutes::MAX_DECISION_CHARS,
        example = {"en": "The ministry will answer every recommendation within 60 days."};
    "A summary of a meeting's minutes in one or more languages, keyed by BCP 47 language tag; at least one."
    MinutesSummary, max = seriktes_domain::minutes::MAX_SUMMARY_CHARS,
        example = {"en": "Forty organisations and the Ministry of Justice discussed reporting by CSOs."};
}
