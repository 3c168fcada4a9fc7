//! Action items (DESIGN "Stakeholder meetings and recommendations": action items follow up): a
//! follow-up of a meeting with its text, an owner (an organisation, a user or both) and a due
//! date; done once marked done. Overdue is derived from the due date, never stored.

use crate::ids::{ActionItemId, MeetingId, OrganizationId, UserId};
use crate::{DomainError, FieldError};
use chrono::{NaiveDate, NaiveDateTime};

/// Longest text of an action item, in characters.
pub const MAX_TEXT_CHARS: usize = 1_000;

/// An action item's editable fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemFields {
    /// What is to be done (1 to [`MAX_TEXT_CHARS`] characters, trimmed).
    pub text: String,
    /// The organisation that owns it.
    pub owner_organization: Option<OrganizationId>,
    /// The user who owns it.
    pub owner_user: Option<UserId>,
    /// When it is due.
    pub due_on: NaiveDate,
}

/// A follow-up of a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// Its id.
    pub id: ActionItemId,
    /// The meeting it follows up.
    pub meeting: MeetingId,
    /// Its fields.
    pub fields: ActionItemFields,
    /// When it was marked done (`None`: open).
    pub done_at: Option<NaiveDateTime>,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

impl ActionItem {
    /// Whether it is overdue on `today`: open and its due date has passed.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.done_at.is_none() && self.fields.due_on < today
    }
}

/// Checks an action item's fields: a text of 1 to [`MAX_TEXT_CHARS`] characters and at least
/// one owner; every broken rule is named.
pub fn check_fields(
    text: &str,
    owner_organization: Option<OrganizationId>,
    owner_user: Option<UserId>,
    due_on: NaiveDate,
) -> Result<ActionItemFields, DomainError> {
    let mut errors = Vec::new();
    let text = text.trim();
    let n = text.chars().count();
    if n == 0 || n > MAX_TEXT_CHARS {
        errors.push(FieldError::new(
            "text",
            "length",
            format!("an action item says what to do in 1 to {MAX_TEXT_CHARS} characters"),
        ));
    }
    if owner_organization.is_none() && owner_user.is_none() {
        errors.push(FieldError::new(
            "owner_organization_id",
            "required",
            "an action item is owned by an organisation, a user or both",
        ));
    }
    if errors.is_empty() {
        Ok(ActionItemFields {
            text: text.to_owned(),
            owner_organization,
            owner_user,
            due_on,
        })
    } else {
        Err(DomainError::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_action_item_has_a_text_and_an_owner() {
        let org = OrganizationId::from_uuid(Uuid::from_u128(1));
        let ok = check_fields("  Send the minutes  ", Some(org), None, day("2026-12-01")).unwrap();
        assert_eq!(ok.text, "Send the minutes");
        match check_fields(" ", None, None, day("2026-12-01")) {
            Err(DomainError::Invalid(e)) => {
                let got: Vec<(&str, &str)> = e.iter().map(|f| (f.field.as_str(), f.code)).collect();
                assert_eq!(
                    got,
                    [("text", "length"), ("owner_organization_id", "required")]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(check_fields(&"x".repeat(1_001), Some(org), None, day("2026-12-01")).is_err());
    }

    #[test]
    fn an_open_item_past_its_due_date_is_overdue() {
        let at = day("2026-11-01").and_hms_opt(0, 0, 0).unwrap();
        let mut item = ActionItem {
            id: ActionItemId::from_uuid(Uuid::from_u128(2)),
            meeting: MeetingId::from_uuid(Uuid::from_u128(3)),
            fields: check_fields(
                "Call the akimat",
                None,
                Some(UserId::from_uuid(Uuid::from_u128(4))),
                day("2026-12-01"),
            )
            .unwrap(),
            done_at: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        assert!(!item.is_overdue(day("2026-12-01")));
        assert!(item.is_overdue(day("2026-12-02")));
        item.done_at = Some(at);
        assert!(!item.is_overdue(day("2026-12-02")));
    }
}
