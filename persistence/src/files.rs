//! File contents (report attachments, evidence) in an object store, through the
//! `object_store` crate: a folder on this machine by default (`./data/files`), an S3-compatible
//! bucket when configured, which replicas of the API share (DESIGN "Storage", "Files").
//!
//! Objects are named by the file's id (`files/<uuid>`), never by anything a client sent, so a
//! client's file name can never become a path. The metadata (owner, name, type, size, digest)
//! lives in the database; this module stores and returns bytes only. Its calls are async and
//! go over the network for S3: use cases call them outside any database transaction.

use crate::StoreError;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Where file contents are kept.
#[derive(Clone, PartialEq, Eq)]
pub enum FilesLocation {
    /// A folder on this machine (created when missing).
    Local(PathBuf),
    /// An S3-compatible bucket.
    S3(S3Location),
}

/// An S3-compatible bucket and how to reach it.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Location {
    /// `s3://bucket` or `s3://bucket/prefix`.
    pub url: String,
    /// The service's endpoint (`http://127.0.0.1:9000` for a local S3-compatible server); AWS's
    /// own when `None`.
    pub endpoint: Option<String>,
    /// The region (`us-east-1` when `None`).
    pub region: Option<String>,
    /// The access key id.
    pub access_key_id: Option<String>,
    /// The secret access key (never printed).
    pub secret_access_key: Option<String>,
}

impl std::fmt::Debug for FilesLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Local(dir) => f.debug_tuple("Local").field(dir).finish(),
            Self::S3(s) => f
                .debug_struct("S3")
                .field("url", &s.url)
                .field("endpoint", &s.endpoint)
                .field("region", &s.region)
                .field("access_key_id", &s.access_key_id)
                .field("secret_access_key", &"[redacted]")
                .finish(),
        }
    }
}

/// The store of file contents, shared by every request (cheap to clone).
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.inner)
    }
}

fn unavailable(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Unavailable(Box::new(e))
}

impl FileStore {
    /// Opens the store at `location` (a local folder is created when missing).
    pub fn open(location: &FilesLocation) -> Result<Self, StoreError> {
        match location {
            FilesLocation::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(unavailable)?;
                let fs = LocalFileSystem::new_with_prefix(dir).map_err(unavailable)?;
                Ok(Self {
                    inner: Arc::new(fs),
                    prefix: ObjectPath::from("files"),
                })
            }
            FilesLocation::S3(s3) => {
                // A request fails within seconds, not the crate's default of minutes of
                // retries: the caller's client is waiting.
                let retry = RetryConfig {
                    max_retries: 2,
                    retry_timeout: Duration::from_secs(10),
                    ..RetryConfig::default()
                };
                let client = ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(3))
                    .with_timeout(Duration::from_secs(60));
                let mut b = AmazonS3Builder::new()
                    .with_url(&s3.url)
                    .with_region(s3.region.as_deref().unwrap_or("us-east-1"))
                    .with_retry(retry)
                    .with_client_options(client);
                if let Some(endpoint) = &s3.endpoint {
                    b = b
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                if let Some(id) = &s3.access_key_id {
                    b = b.with_access_key_id(id);
                }
                if let Some(secret) = &s3.secret_access_key {
                    b = b.with_secret_access_key(secret);
                }
                let store = b.build().map_err(unavailable)?;
                // `s3://bucket/prefix`: objects go under the prefix.
                let prefix = s3
                    .url
                    .strip_prefix("s3://")
                    .and_then(|rest| rest.split_once('/'))
                    .map(|(_, p)| p.trim_matches('/'))
                    .filter(|p| !p.is_empty())
                    .map_or_else(|| ObjectPath::from("files"), ObjectPath::from);
                Ok(Self {
                    inner: Arc::new(store),
                    prefix,
                })
            }
        }
    }

    fn path(&self, id: Uuid) -> ObjectPath {
        self.prefix.clone().join(id.hyphenated().to_string())
    }

    /// Stores the contents of file `id` (replacing any earlier contents under that id).
    pub async fn put(&self, id: Uuid, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.inner
            .put(&self.path(id), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(map)
    }

    /// The contents of file `id`.
    pub async fn get(&self, id: Uuid) -> Result<Vec<u8>, StoreError> {
        let got = self.inner.get(&self.path(id)).await.map_err(map)?;
        let bytes = got.bytes().await.map_err(map)?;
        Ok(bytes.to_vec())
    }

    /// Deletes the contents of file `id`; a file that is already gone is no error.
    pub async fn delete(&self, id: Uuid) -> Result<(), StoreError> {
        match self.inner.delete(&self.path(id)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(map(e)),
        }
    }
}

/// `NotFound` stays itself; everything else means the store cannot serve the request now.
fn map(e: object_store::Error) -> StoreError {
    match e {
        object_store::Error::NotFound { .. } => StoreError::NotFound,
        other => unavailable(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_key_is_never_printed() {
        let l = FilesLocation::S3(S3Location {
            url: "s3://b".into(),
            endpoint: None,
            region: None,
            access_key_id: Some("id".into()),
            secret_access_key: Some("very-secret".into()),
        });
        assert!(!format!("{l:?}").contains("very-secret"));
    }
}
