//! Reading an uploaded file from a `multipart/form-data` body: one part named `file`, read
//! into memory up to the configured limit and refused (413) as soon as it passes it, so a
//! large body is never held whole. Its kind is then decided from its content
//! (`domain::file::FileKind`), never from its name or declared type.

use crate::error::ApiError;
use actix_multipart::Multipart;
use futures_util::TryStreamExt;
use seriktes_domain::file::{self, FileKind, FileName};

/// An uploaded file, read whole and classified.
#[derive(Debug)]
pub struct Upload {
    /// The client's name for it, cleaned (for display only).
    pub name: FileName,
    /// Its kind, from its content.
    pub kind: FileKind,
    /// Its contents.
    pub bytes: Vec<u8>,
}

fn malformed(e: actix_multipart::MultipartError) -> ApiError {
    use actix_multipart::MultipartError as E;
    match e {
        E::ContentTypeMissing
        | E::ContentTypeParse
        | E::ContentTypeIncompatible
        | E::BoundaryMissing => ApiError::UnsupportedMediaType(
            "send the file as multipart/form-data with a part named \"file\"".to_owned(),
        ),
        other => ApiError::BadRequest(format!("the multipart body is malformed: {other}")),
    }
}

/// Reads the part named `file` of a multipart body (other parts are skipped), at most
/// `max_bytes` long, and decides its kind from its content.
pub async fn read_file(mut body: Multipart, max_bytes: usize) -> Result<Upload, ApiError> {
    while let Some(mut part) = body.try_next().await.map_err(malformed)? {
        if part.name() != Some("file") {
            while part.try_next().await.map_err(malformed)?.is_some() {}
            continue;
        }
        let name = FileName::clean(
            part.content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default(),
        );
        let mut bytes = Vec::new();
        while let Some(chunk) = part.try_next().await.map_err(malformed)? {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(ApiError::PayloadTooLarge(max_bytes));
            }
            bytes.extend_from_slice(&chunk);
        }
        file::check_size(bytes.len(), max_bytes)?;
        let sniffed = infer::get(&bytes).map(|t| t.mime_type());
        let kind = FileKind::classify(sniffed, &bytes, &name)?;
        return Ok(Upload { name, kind, bytes });
    }
    Err(ApiError::invalid(
        "file",
        "required",
        "the body has no part named \"file\"",
    ))
}
