//! Uploaded files (report attachments: receipts, participant lists, photos): the kinds we
//! accept, decided by their content and never by the name or the type a client declares, and
//! the file name as shown back, which is never used as a path (DESIGN "Files").

use crate::report::ReportStatus;
use crate::{DomainError, FieldError};

/// Longest file name kept (in characters).
pub const MAX_NAME_CHARS: usize = 255;
/// Longest media type we name.
pub const MAX_MEDIA_TYPE_CHARS: usize = 80;

/// Most files attached to one report.
pub const MAX_ATTACHMENTS: usize = 50;

/// Whether files may be added to or removed from a report in `status` (`None`: due, no form
/// saved yet): only while it is a draft or sent back for revision. A due report is a conflict
/// (save it first); a submitted or accepted one refuses the action naming what it allows.
pub fn check_attachable(
    status: Option<ReportStatus>,
    action: &'static str,
) -> Result<(), DomainError> {
    match status {
        None => Err(DomainError::Conflict(
            "the report has not been saved yet: save the report first, then attach files".into(),
        )),
        Some(ReportStatus::Draft | ReportStatus::RevisionRequested) => Ok(()),
        Some(s) => Err(DomainError::InvalidTransition {
            entity: "report",
            action,
            from: s.as_str(),
            allowed: s.allowed_actions(),
        }),
    }
}

/// Plans adding a file to a report in `status` that has `existing` files already: refused
/// when the report is not editable ([`check_attachable`]) or already has [`MAX_ATTACHMENTS`].
pub fn plan_attach(status: Option<ReportStatus>, existing: usize) -> Result<(), DomainError> {
    check_attachable(status, "attach")?;
    if existing >= MAX_ATTACHMENTS {
        return Err(DomainError::Conflict(format!(
            "a report has at most {MAX_ATTACHMENTS} attachments; remove one first"
        )));
    }
    Ok(())
}

/// A kind of file on the allow-list. Office documents are ZIP or OLE containers; their kind is
/// read from the container's contents, not from the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// PDF.
    Pdf,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// WebP image.
    Webp,
    /// Word document (Office Open XML).
    Docx,
    /// Excel workbook (Office Open XML).
    Xlsx,
    /// OpenDocument text.
    Odt,
    /// OpenDocument spreadsheet.
    Ods,
    /// Comma-separated values (UTF-8 text named `.csv`).
    Csv,
    /// Plain UTF-8 text.
    Text,
}

impl FileKind {
    /// Every accepted kind.
    pub const ALL: [Self; 10] = [
        Self::Pdf,
        Self::Png,
        Self::Jpeg,
        Self::Webp,
        Self::Docx,
        Self::Xlsx,
        Self::Odt,
        Self::Ods,
        Self::Csv,
        Self::Text,
    ];

    /// The media type the file is served with.
    pub const fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Self::Csv => "text/csv",
            Self::Text => "text/plain",
        }
    }

    /// The kind a stored media type names.
    pub fn from_media_type(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.media_type() == raw)
    }

    /// The kind of a binary format with this media type (as a content sniffer names it).
    fn of_sniffed(media_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .filter(|k| !matches!(k, Self::Csv | Self::Text))
            .find(|k| k.media_type() == media_type)
    }

    /// Decides the kind from what a content sniffer found (`sniffed`: its media type, `None`
    /// when it recognised nothing) and, for text, the bytes themselves: UTF-8 without NUL is
    /// text, CSV when the file is named `.csv`. Anything else is refused, naming what it is.
    pub fn classify(
        sniffed: Option<&str>,
        bytes: &[u8],
        name: &FileName,
    ) -> Result<Self, DomainError> {
        if let Some(media_type) = sniffed {
            return Self::of_sniffed(media_type).ok_or_else(|| {
                FieldError::new(
                    "file",
                    "file_type",
                    format!(
                        "files of type {media_type} are not accepted; {}",
                        Self::accepted()
                    ),
                )
                .into()
            });
        }
        if !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
            let csv = name
                .as_str()
                .rsplit_once('.')
                .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("csv"));
            return Ok(if csv { Self::Csv } else { Self::Text });
        }
        Err(FieldError::new(
            "file",
            "file_type",
            format!("the file's type is not recognised; {}", Self::accepted()),
        )
        .into())
    }

    fn accepted() -> &'static str {
        "accepted are PDF, PNG, JPEG, WebP, DOCX, XLSX, ODT, ODS, CSV and UTF-8 text"
    }
}

/// The name a client gave a file, kept for display and for `Content-Disposition` only: the
/// last segment of any path, without control characters, at most [`MAX_NAME_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    /// Cleans a client's file name; a name with nothing left becomes `file`.
    pub fn clean(raw: &str) -> Self {
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String = last
            .chars()
            .filter(|c| !c.is_control() && *c != '"')
            .take(MAX_NAME_CHARS)
            .collect();
        let trimmed = cleaned.trim().trim_start_matches('.');
        if trimmed.is_empty() {
            Self("file".to_owned())
        } else {
            Self(trimmed.to_owned())
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Refuses an empty file or one over `max_bytes` (the latter is also refused while reading,
/// before the whole body arrives).
pub fn check_size(len: usize, max_bytes: usize) -> Result<(), DomainError> {
    if len == 0 {
        return Err(FieldError::new("file", "empty", "the file is empty").into());
    }
    if len > max_bytes {
        return Err(FieldError::new(
            "file",
            "max_size",
            format!("the file is larger than {max_bytes} bytes"),
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_is_never_a_path() {
        assert_eq!(FileName::clean("../../etc/passwd").as_str(), "passwd");
        assert_eq!(
            FileName::clean("C:\\Users\\a\\receipt.pdf").as_str(),
            "receipt.pdf"
        );
        assert_eq!(FileName::clean("..").as_str(), "file");
        assert_eq!(FileName::clean("").as_str(), "file");
        assert_eq!(FileName::clean(".hidden").as_str(), "hidden");
        assert_eq!(FileName::clean("a\u{0}b\"c\n.txt").as_str(), "abc.txt");
        assert_eq!(
            FileName::clean(&"x".repeat(400)).as_str().len(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn kinds_come_from_content() {
        let name = FileName::clean("list.csv");
        assert_eq!(
            FileKind::classify(Some("application/pdf"), b"%PDF", &name).unwrap(),
            FileKind::Pdf
        );
        assert_eq!(
            FileKind::classify(None, b"name,age\nA,30\n", &name).unwrap(),
            FileKind::Csv
        );
        assert_eq!(
            FileKind::classify(None, "қазақша мәтін".as_bytes(), &FileName::clean("notes"))
                .unwrap(),
            FileKind::Text
        );
        let exe =
            FileKind::classify(Some("application/x-executable"), b"\x7fELF", &name).unwrap_err();
        assert!(matches!(exe, DomainError::Invalid(e) if e[0].code == "file_type"));
        let binary = FileKind::classify(None, b"\x00\x01\x02", &name).unwrap_err();
        assert!(matches!(binary, DomainError::Invalid(e) if e[0].code == "file_type"));
    }

    #[test]
    fn media_types_round_trip() {
        for k in FileKind::ALL {
            assert_eq!(FileKind::from_media_type(k.media_type()), Some(k));
            assert!(k.media_type().len() <= MAX_MEDIA_TYPE_CHARS);
        }
    }

    #[test]
    fn sizes_are_bounded() {
        assert!(check_size(1, 10).is_ok());
        assert!(check_size(10, 10).is_ok());
        assert!(check_size(0, 10).is_err());
        assert!(check_size(11, 10).is_err());
    }

    #[test]
    fn files_are_attached_only_to_editable_reports() {
        use crate::report::ReportStatus::{Accepted, Draft, RevisionRequested, Submitted};
        assert!(plan_attach(Some(Draft), 0).is_ok());
        assert!(plan_attach(Some(RevisionRequested), MAX_ATTACHMENTS - 1).is_ok());
        assert!(
            matches!(plan_attach(None, 0), Err(DomainError::Conflict(m)) if m.contains("save the report first"))
        );
        assert!(matches!(
            plan_attach(Some(Draft), MAX_ATTACHMENTS),
            Err(DomainError::Conflict(_))
        ));
        for s in [Submitted, Accepted] {
            let e = plan_attach(Some(s), 0).unwrap_err();
            assert!(
                matches!(e, DomainError::InvalidTransition { action: "attach", from, .. } if from == s.as_str())
            );
            assert!(check_attachable(Some(s), "detach").is_err());
        }
    }
}
