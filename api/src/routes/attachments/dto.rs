//! Wire types of report attachments.

use crate::response::utc;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_persistence::attachments::Attachment;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A file attached to a report: a receipt, a participant list, a photo.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-e500-7000-8000-000000000001", "report_id": "0193a0c4-e300-7000-8000-000000000001",
    "name": "receipts-q2.pdf", "media_type": "application/pdf", "size_bytes": 48213,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "uploaded_by": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10", "created_at": "2026-07-10T09:00:00Z"
}))]
pub struct AttachmentResponse {
    /// Id.
    pub id: Uuid,
    /// The report (its reporting requirement's id).
    pub report_id: Uuid,
    /// The file's name as uploaded, without any folder (for display and download only).
    pub name: String,
    /// Its media type, decided from its content.
    pub media_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// Lower-case hex SHA-256 of its bytes.
    pub sha256: String,
    /// Who uploaded it (`null` once the account is gone).
    pub uploaded_by: Option<Uuid>,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
}

impl From<Attachment> for AttachmentResponse {
    fn from(a: Attachment) -> Self {
        Self {
            id: a.id.uuid(),
            report_id: a.report.uuid(),
            name: a.name,
            media_type: a.media_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            uploaded_by: a.uploaded_by.map(|u| u.uuid()),
            created_at: utc(a.created_at),
        }
    }
}

/// The multipart body of an upload: one part named `file`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"file": "%PDF-1.7 …"}))]
pub struct AttachmentUpload {
    /// The file: PDF, PNG, JPEG, WebP, DOCX, XLSX, ODT, ODS, CSV or UTF-8 text, at most the
    /// server's configured size (`SERIKTES_FILES_MAX_BYTES`). Its type is decided from its
    /// content; its name is kept for display only.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// A file's bytes, as uploaded.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary, example = "%PDF-1.7 …")]
pub struct AttachmentContent(pub Vec<u8>);

/// `updated_since` of a report's files.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentListParams {
    /// Only files uploaded at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

/// `Content-Disposition: attachment` naming `name` (RFC 6266), as an ASCII fallback and
/// percent-encoded UTF-8 (RFC 5987 `filename*`).
pub fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn names_are_quoted_and_percent_encoded() {
        assert_eq!(
            disposition("отчёт 1.pdf"),
            "attachment; filename=\"_____ 1.pdf\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%201.pdf"
        );
        assert_eq!(
            disposition("a\"b.csv"),
            "attachment; filename=\"a_b.csv\"; filename*=UTF-8''a%22b.csv"
        );
    }
}
