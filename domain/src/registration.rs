//! Public registration for meetings (DESIGN "Stakeholder meetings and recommendations":
//! registration needs no account): who registers (name, e-mail, organisation), the contribution
//! they bring, their consent to the processing of personal data, and, only when the meeting
//! asks, sex, age band and disability for disaggregated counts.
//!
//! A registration is `confirmed` while places last, then `waitlisted` first come first served;
//! cancelling a confirmed one promotes the first waitlisted one. Attendance is marked on
//! confirmed registrations once the meeting has started. This module holds the value types and
//! rules; who may do what is in [`crate::access::registration`].

use crate::email::Email;
use crate::error::{DomainError, FieldError, Validator};
use crate::ids::{MeetingId, OrganizationId, RegistrationId, UserId};
use crate::indicator::{AGE_BANDS, DISABILITY, Dimension, SEX};
use crate::meeting::MeetingStatus;
use crate::user::parse_line;
use chrono::NaiveDateTime;

/// Longest name of a registrant.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest free-text organisation.
pub const MAX_ORGANIZATION_CHARS: usize = 300;
/// Longest text of a contribution.
pub const MAX_CONTRIBUTION_CHARS: usize = 1_000;
/// Longest consent text version, e.g. `2026-12`.
pub const MAX_CONSENT_VERSION_CHARS: usize = 32;
/// Longest value of a demographic answer (`not_stated`).
pub const MAX_DEMOGRAPHIC_CHARS: usize = 16;
/// The dimensions a meeting may ask about (the indicator registry's, without regions).
pub const DEMOGRAPHICS: [Dimension; 3] =
    [Dimension::Sex, Dimension::AgeBand, Dimension::Disability];

crate::named_enum!(
    /// What an attendee brings.
    ContributionKind, "a contribution kind" {
        Volunteering = "volunteering", Talk = "talk", InKind = "in_kind", Idea = "idea",
        Other = "other",
    }
);

crate::named_enum!(
    /// Whether a confirmed registrant came.
    Attendance, "an attendance" { Attended = "attended", NoShow = "no_show" }
);

crate::state_machine! {
    /// A registration's status: `waitlisted → confirmed` (a place freed), `confirmed |
    /// waitlisted → cancelled`.
    entity "registration", RegistrationStatus, RegistrationAction;
    states { Confirmed = "confirmed", Waitlisted = "waitlisted", Cancelled = "cancelled" }
    actions { Promote = "promote", Cancel = "cancel" }
    transitions {
        (Waitlisted, Promote) => Confirmed,
        (Confirmed, Cancel) => Cancelled,
        (Waitlisted, Cancel) => Cancelled,
    }
}

/// A meeting's registration settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrationSettings {
    /// Whether the public may register.
    pub open: bool,
    /// Whether a registrant must state a contribution.
    pub contribution_required: bool,
    /// Which of [`DEMOGRAPHICS`] registrants are asked (optional answers), in registry order.
    pub demographics: Vec<Dimension>,
    /// The version of the consent text registrants agree to, e.g. `2026-12`.
    pub consent_version: Option<String>,
}

/// Checks registration settings: only [`DEMOGRAPHICS`], each once (kept in registry order);
/// open registration needs a consent text version.
pub fn check_settings(s: RegistrationSettings) -> Result<RegistrationSettings, DomainError> {
    let mut v = Validator::new();
    for (i, d) in s.demographics.iter().enumerate() {
        if !DEMOGRAPHICS.contains(d) {
            v.push(FieldError::new(
                format!("demographics.{i}"),
                "one_of",
                "one of sex, age_band, disability",
            ));
        } else if s.demographics[..i].contains(d) {
            v.push(FieldError::new(
                format!("demographics.{i}"),
                "unique",
                "listed twice",
            ));
        }
    }
    let consent_version = match s.consent_version {
        Some(raw) => v.check(
            "consent_version",
            parse_line(&raw, MAX_CONSENT_VERSION_CHARS),
        ),
        None => None,
    };
    if s.open && consent_version.is_none() {
        v.push(FieldError::new(
            "consent_version",
            "required",
            "open registration needs the version of the consent text registrants agree to",
        ));
    }
    v.finish()?;
    let mut demographics = s.demographics;
    demographics.sort_unstable();
    demographics.dedup();
    Ok(RegistrationSettings {
        consent_version,
        demographics,
        ..s
    })
}

/// What a registrant brings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// Its kind.
    pub kind: ContributionKind,
    /// What exactly (required for `other`).
    pub text: Option<String>,
}

/// The optional demographic answers (each only when the meeting asks).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Demographics {
    /// One of the registry's sex categories.
    pub sex: Option<String>,
    /// One of the registry's age bands.
    pub age_band: Option<String>,
    /// One of the registry's disability categories.
    pub disability: Option<String>,
}

impl Demographics {
    /// The answer for `dimension`.
    pub fn get(&self, dimension: Dimension) -> Option<&str> {
        match dimension {
            Dimension::Sex => self.sex.as_deref(),
            Dimension::AgeBand => self.age_band.as_deref(),
            Dimension::Disability => self.disability.as_deref(),
            Dimension::Region => None,
        }
    }
}

/// Who registers for whom, as sent (the organisation: one of the caller's, or free text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affiliation {
    /// None given.
    None,
    /// Free text.
    Named(String),
    /// One of the signed-in caller's organisations.
    Member(OrganizationId),
}

/// A registration as sent, unchecked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRequest {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Free-text organisation.
    pub organization: Option<String>,
    /// One of the caller's organisations.
    pub organization_id: Option<OrganizationId>,
    /// Contribution kind.
    pub contribution_kind: Option<ContributionKind>,
    /// Contribution text.
    pub contribution_text: Option<String>,
    /// Consent to the processing of personal data.
    pub consent: bool,
    /// Demographic answers.
    pub demographics: Demographics,
}

/// A checked registration's personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registrant {
    /// Name.
    pub name: String,
    /// E-mail, normalised (unique per meeting among registrations not cancelled).
    pub email: Email,
    /// Organisation.
    pub affiliation: Affiliation,
    /// Contribution.
    pub contribution: Option<Contribution>,
    /// Demographic answers.
    pub demographics: Demographics,
}

/// Checks a registration against the meeting's settings, every broken rule named: a name, a
/// valid e-mail, consent, a contribution when required (with a text for `other`), demographic
/// answers only when asked and only from the registry's categories, and `organization` or
/// `organization_id`, not both. `member_of` tells whether the caller belongs to an
/// organisation (always false for anonymous callers).
pub fn check_registration(
    s: &RegistrationSettings,
    r: RegistrationRequest,
    member_of: impl Fn(OrganizationId) -> bool,
) -> Result<Registrant, DomainError> {
    let mut v = Validator::new();
    let name = v.check("name", parse_line(&r.name, MAX_NAME_CHARS));
    let email = v.check("email", Email::parse(&r.email));
    if !r.consent {
        v.push(FieldError::new(
            "consent",
            "required",
            "consent to the processing of personal data is required",
        ));
    }
    let affiliation = match (r.organization, r.organization_id) {
        (Some(_), Some(_)) => {
            v.push(FieldError::new(
                "organization_id",
                "exclusive",
                "give organization or organization_id, not both",
            ));
            None
        }
        (None, Some(o)) if member_of(o) => Some(Affiliation::Member(o)),
        (None, Some(_)) => {
            v.push(FieldError::new(
                "organization_id",
                "member",
                "signed in, you may name one of your organisations",
            ));
            None
        }
        (Some(raw), None) => v
            .check("organization", parse_line(&raw, MAX_ORGANIZATION_CHARS))
            .map(Affiliation::Named),
        (None, None) => Some(Affiliation::None),
    };
    let text = match r.contribution_text {
        Some(t) => v.check(
            "contribution_text",
            parse_line(&t, MAX_CONTRIBUTION_CHARS).map(Some),
        ),
        None => Some(None),
    };
    let contribution = match (r.contribution_kind, text) {
        (None, Some(Some(_))) => {
            v.push(FieldError::new(
                "contribution_kind",
                "required",
                "a contribution's text needs its kind",
            ));
            None
        }
        (None, _) if s.contribution_required => {
            v.push(FieldError::new(
                "contribution_kind",
                "required",
                "this meeting asks every registrant what they bring",
            ));
            None
        }
        (Some(ContributionKind::Other), Some(None)) => {
            v.push(FieldError::new(
                "contribution_text",
                "required",
                "say what you bring",
            ));
            None
        }
        (Some(kind), Some(text)) => Some(Some(Contribution { kind, text })),
        (_, _) => Some(None),
    };
    let d = &r.demographics;
    for (dimension, answer, allowed) in [
        (Dimension::Sex, &d.sex, &SEX[..]),
        (Dimension::AgeBand, &d.age_band, &AGE_BANDS[..]),
        (Dimension::Disability, &d.disability, &DISABILITY[..]),
    ] {
        let Some(answer) = answer else { continue };
        let field = dimension.as_str();
        if !s.demographics.contains(&dimension) {
            v.push(FieldError::new(
                field,
                "not_asked",
                "this meeting does not ask for it",
            ));
        } else if !allowed.contains(&answer.as_str()) {
            v.push(FieldError::new(
                field,
                "one_of",
                format!("one of {}", allowed.join(", ")),
            ));
        }
    }
    v.finish()?;
    match (name, email, affiliation, contribution) {
        (Some(name), Some(email), Some(affiliation), Some(contribution)) => Ok(Registrant {
            name,
            email,
            affiliation,
            contribution,
            demographics: r.demographics,
        }),
        _ => Err(FieldError::new("", "invalid", "invalid input").into()),
    }
}

/// Refuses a registration (409) unless the meeting is planned and registration is open.
pub fn check_open(status: MeetingStatus, s: &RegistrationSettings) -> Result<(), DomainError> {
    if status != MeetingStatus::Planned {
        return Err(DomainError::Conflict(format!(
            "The meeting is {}: registration is closed.",
            status.as_str()
        )));
    }
    if !s.open {
        return Err(DomainError::Conflict(
            "Registration for this meeting is not open.".into(),
        ));
    }
    Ok(())
}

/// Refuses cancelling a registration (409) unless the meeting is still planned: after it,
/// the registration is a record of who was expected.
pub fn check_cancellable(status: MeetingStatus) -> Result<(), DomainError> {
    if status == MeetingStatus::Planned {
        Ok(())
    } else {
        Err(DomainError::Conflict(format!(
            "The meeting is {}: its registrations can no longer be cancelled.",
            status.as_str()
        )))
    }
}

/// Refuses marking attendance (409) unless the meeting has taken place or is taking place:
/// held, or planned and started at `now`. Minutes, once published, are frozen, and a cancelled
/// meeting had no attendees.
pub fn check_attendance(
    status: MeetingStatus,
    starts_at: NaiveDateTime,
    registration: RegistrationStatus,
    now: NaiveDateTime,
) -> Result<(), DomainError> {
    let started =
        status == MeetingStatus::Held || (status == MeetingStatus::Planned && starts_at <= now);
    if !started {
        return Err(DomainError::Conflict(format!(
            "Attendance is marked once the meeting has started and until its minutes are \
             published; the meeting is {}.",
            status.as_str()
        )));
    }
    if registration != RegistrationStatus::Confirmed {
        return Err(DomainError::InvalidTransition {
            entity: "registration",
            action: "mark attendance of",
            from: registration.as_str(),
            allowed: registration.allowed_actions(),
        });
    }
    Ok(())
}

/// A stored registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Id.
    pub id: RegistrationId,
    /// The meeting.
    pub meeting: MeetingId,
    /// Who registered, personal data.
    pub registrant: Registrant,
    /// The signed-in user who registered, if any.
    pub user: Option<UserId>,
    /// The consent text version agreed to.
    pub consent_version: String,
    /// When consent was given.
    pub consented_at: NaiveDateTime,
    /// Status.
    pub status: RegistrationStatus,
    /// Order of arrival within the meeting (waitlist order).
    pub seq: i64,
    /// Attendance, once marked.
    pub attendance: Option<Attendance>,
    /// Version (ETag).
    pub version: i64,
    /// When created.
    pub created_at: NaiveDateTime,
    /// When last changed.
    pub updated_at: NaiveDateTime,
}

/// Neutralises a CSV cell that a spreadsheet would run as a formula (OWASP "CSV Injection"):
/// a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
pub fn csv_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// One CSV record (RFC 4180): cells with a comma, quote or line break are quoted, quotes
/// doubled; every cell is [`csv_safe`]; ends with CRLF.
pub fn csv_record(cells: &[&str]) -> String {
    let mut out = cells
        .iter()
        .map(|c| {
            let c = csv_safe(c);
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::assert_exactly;
    use uuid::Uuid;

    fn settings(required: bool, demographics: Vec<Dimension>) -> RegistrationSettings {
        RegistrationSettings {
            open: true,
            contribution_required: required,
            demographics,
            consent_version: Some("2026-12".into()),
        }
    }

    fn request() -> RegistrationRequest {
        RegistrationRequest {
            name: " Aigerim Bekova ".into(),
            email: "Aigerim@Example.org".into(),
            organization: None,
            organization_id: None,
            contribution_kind: Some(ContributionKind::Talk),
            contribution_text: Some("A talk on youth volunteering".into()),
            consent: true,
            demographics: Demographics::default(),
        }
    }

    fn codes(r: Result<Registrant, DomainError>) -> Vec<(String, &'static str)> {
        match r {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn the_registration_machine_has_exactly_its_edges() {
        assert_exactly(
            RegistrationStatus::ALL,
            RegistrationAction::ALL,
            &[
                ("waitlisted", "promote", "confirmed"),
                ("confirmed", "cancel", "cancelled"),
                ("waitlisted", "cancel", "cancelled"),
            ],
            RegistrationStatus::apply,
            RegistrationStatus::as_str,
            RegistrationAction::as_str,
        );
    }

    #[test]
    fn a_valid_registration_is_normalised() {
        let r = check_registration(&settings(true, vec![]), request(), |_| false).unwrap();
        assert_eq!(r.name, "Aigerim Bekova");
        assert_eq!(r.email.as_str(), "aigerim@example.org");
        assert_eq!(r.affiliation, Affiliation::None);
        assert_eq!(r.contribution.map(|c| c.kind), Some(ContributionKind::Talk));
    }

    #[test]
    fn every_broken_rule_is_named_at_once() {
        let mut r = request();
        r.name = " ".into();
        r.email = "not an address".into();
        r.consent = false;
        r.contribution_kind = None;
        r.contribution_text = None;
        r.demographics.sex = Some("female".into());
        assert_eq!(
            codes(check_registration(&settings(true, vec![]), r, |_| false)),
            [
                ("name".to_owned(), "required"),
                ("email".to_owned(), "format"),
                ("consent".to_owned(), "required"),
                ("contribution_kind".to_owned(), "required"),
                ("sex".to_owned(), "not_asked"),
            ]
        );
    }

    #[test]
    fn demographics_come_from_the_registry_and_other_needs_a_text() {
        let mut r = request();
        r.demographics.age_band = Some("18-29".into());
        r.demographics.disability = Some("maybe".into());
        r.contribution_kind = Some(ContributionKind::Other);
        r.contribution_text = None;
        let s = settings(false, vec![Dimension::AgeBand, Dimension::Disability]);
        assert_eq!(
            codes(check_registration(&s, r, |_| false)),
            [
                ("contribution_text".to_owned(), "required"),
                ("disability".to_owned(), "one_of"),
            ]
        );
    }

    #[test]
    fn an_organisation_is_named_or_one_of_the_callers() {
        let ngo = OrganizationId::from_uuid(Uuid::from_u128(7));
        let mut r = request();
        r.organization_id = Some(ngo);
        let ok = check_registration(&settings(false, vec![]), r.clone(), |o| o == ngo).unwrap();
        assert_eq!(ok.affiliation, Affiliation::Member(ngo));
        assert_eq!(
            codes(check_registration(
                &settings(false, vec![]),
                r.clone(),
                |_| false
            )),
            [("organization_id".to_owned(), "member")]
        );
        r.organization = Some("Youth Bank".into());
        assert_eq!(
            codes(check_registration(&settings(false, vec![]), r, |_| true)),
            [("organization_id".to_owned(), "exclusive")]
        );
    }

    #[test]
    fn settings_ask_only_registry_dimensions_and_open_needs_a_consent_version() {
        let mut s = settings(false, vec![Dimension::Disability, Dimension::Sex]);
        assert_eq!(
            check_settings(s.clone()).unwrap().demographics,
            [Dimension::Sex, Dimension::Disability]
        );
        s.demographics = vec![Dimension::Region, Dimension::Sex, Dimension::Sex];
        s.consent_version = None;
        match check_settings(s) {
            Err(DomainError::Invalid(e)) => {
                let got: Vec<(&str, &str)> = e.iter().map(|f| (f.field.as_str(), f.code)).collect();
                assert_eq!(
                    got,
                    [
                        ("demographics.0", "one_of"),
                        ("demographics.2", "unique"),
                        ("consent_version", "required"),
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(check_settings(RegistrationSettings::default()).is_ok());
    }

    #[test]
    fn registration_needs_a_planned_meeting_with_open_registration() {
        let open = settings(false, vec![]);
        assert!(check_open(MeetingStatus::Planned, &open).is_ok());
        assert!(check_open(MeetingStatus::Held, &open).is_err());
        assert!(check_open(MeetingStatus::Planned, &RegistrationSettings::default()).is_err());
        assert!(check_cancellable(MeetingStatus::Planned).is_ok());
        assert!(check_cancellable(MeetingStatus::Held).is_err());
    }

    #[test]
    fn attendance_is_marked_once_the_meeting_started_for_confirmed_registrations() {
        let at = |h| {
            chrono::NaiveDate::from_ymd_opt(2027, 3, 1)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .unwrap()
        };
        let ok = RegistrationStatus::Confirmed;
        assert!(check_attendance(MeetingStatus::Planned, at(10), ok, at(9)).is_err());
        assert!(check_attendance(MeetingStatus::Planned, at(10), ok, at(10)).is_ok());
        assert!(check_attendance(MeetingStatus::Held, at(10), ok, at(9)).is_ok());
        assert!(check_attendance(MeetingStatus::MinutesPublished, at(1), ok, at(9)).is_err());
        assert!(check_attendance(MeetingStatus::Cancelled, at(1), ok, at(9)).is_err());
        assert!(matches!(
            check_attendance(
                MeetingStatus::Held,
                at(1),
                RegistrationStatus::Waitlisted,
                at(9)
            ),
            Err(DomainError::InvalidTransition { .. })
        ));
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(
            csv_record(&["a", "b,c", "say \"hi\"", "=SUM(A1)", "-1", "@x", ""]),
            "a,\"b,c\",\"say \"\"hi\"\"\",'=SUM(A1),'-1,'@x,\r\n"
        );
        assert_eq!(csv_record(&["+7 701\n2"]), "\"'+7 701\n2\"\r\n");
    }
}
