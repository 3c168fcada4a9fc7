//! The file store under the attachments: the local folder everywhere, an S3-compatible bucket
//! where one runs (`.ci/run` starts `moto_server`).

use crate::helpers::s3_location;
use seriktes_persistence::StoreError;
use seriktes_persistence::files::{FileStore, FilesLocation};
use uuid::Uuid;

/// Stores, reads back, replaces and deletes a file; a missing file is `NotFound`, and deleting
/// one twice is no error.
async fn round_trip(store: &FileStore) {
    let id = Uuid::now_v7();
    let first = b"%PDF-1.7\nreceipt 1".to_vec();
    store.put(id, first.clone()).await.unwrap();
    assert_eq!(store.get(id).await.unwrap(), first);
    let big: Vec<u8> = (0..3_000_000_u32)
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect();
    store.put(id, big.clone()).await.unwrap();
    assert_eq!(store.get(id).await.unwrap(), big);
    store.delete(id).await.unwrap();
    assert!(matches!(store.get(id).await, Err(StoreError::NotFound)));
    store.delete(id).await.unwrap();
    assert!(matches!(
        store.get(Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));
}

#[actix_web::test]
async fn files_round_trip_through_a_local_folder() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("data").join("files");
    let store = FileStore::open(&FilesLocation::Local(nested.clone())).unwrap();
    assert!(nested.is_dir(), "the folder is created");
    round_trip(&store).await;
}

#[actix_web::test]
async fn files_round_trip_through_an_s3_bucket() {
    let Some(location) = s3_location() else {
        return;
    };
    let store = FileStore::open(&location).unwrap();
    round_trip(&store).await;
}

#[actix_web::test]
async fn an_unreachable_bucket_is_unavailable_not_a_crash() {
    let location = FilesLocation::S3(seriktes_persistence::files::S3Location {
        url: "s3://nowhere-bucket".to_owned(),
        endpoint: Some("http://127.0.0.1:9".to_owned()),
        region: None,
        access_key_id: Some("x".to_owned()),
        secret_access_key: Some("y".to_owned()),
    });
    let store = FileStore::open(&location).unwrap();
    assert!(matches!(
        store.get(Uuid::now_v7()).await,
        Err(StoreError::Unavailable(_))
    ));
}
