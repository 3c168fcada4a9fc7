//! The committed contract `openapi/openapi.json` is what the server serves.

use crate::helpers::{Backend, spawn_app};

#[actix_web::test]
async fn the_committed_contract_matches_the_served_one() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let served = app
        .get("/api-docs/openapi.json", None)
        .await
        .expect(200)
        .body;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json exists"))
            .expect("valid JSON");
    assert!(
        served == committed,
        "openapi/openapi.json differs from the served contract; regenerate it with\n    cargo run -q -- openapi > openapi/openapi.json"
    );
}

#[actix_web::test]
async fn every_operation_documents_its_errors_and_examples() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let doc = app
        .get("/api-docs/openapi.json", None)
        .await
        .expect(200)
        .body;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let secured = op.get("security").is_some();
            if secured {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path} lacks 404");
            }
            if !path.starts_with("/health/live") {
                assert!(responses.contains_key("503"), "{method} {path} lacks 503");
            }
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has no tag"
            );
        }
    }
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let has_example = schema.get("example").is_some()
            || schema.get("examples").is_some()
            || schema.get("enum").is_some()
            || name.starts_with("Paginated")
            || name == "MyMembership";
        assert!(has_example, "schema {name} has no example");
    }
}

#[actix_web::test]
async fn every_page_schema_refers_to_its_item_schema() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let doc = app
        .get("/api-docs/openapi.json", None)
        .await
        .expect(200)
        .body;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let pages: Vec<_> = schemas
        .iter()
        .filter(|(name, _)| name.starts_with("Paginated"))
        .collect();
    assert!(!pages.is_empty(), "the contract has page schemas");
    for (name, schema) in pages {
        let items = &schema["properties"]["data"]["items"];
        let target = items["$ref"].as_str().unwrap_or_else(|| {
            panic!("{name}.data.items copies its item schema instead of referring to it: {items}")
        });
        let item = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{name}.data.items refers outside the components: {target}"));
        assert!(
            schemas.contains_key(item),
            "{name} refers to a missing schema {item}"
        );
    }
}
