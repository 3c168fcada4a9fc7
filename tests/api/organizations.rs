//! Organisations: validation (BIN, regions, languages), directory, updates by owners and
//! managers only, If-Match.

use crate::both_backends;
use crate::helpers::TestApp;
use serde_json::json;
use seriktes_domain::ids::OrganizationId;
use seriktes_domain::organization::ProfilePatch;
use seriktes_persistence::organizations::{self, OrganizationRecord};
use seriktes_persistence::{StoreError, db};

/// The stored organisation `id`.
async fn stored(app: &TestApp, id: &str) -> OrganizationRecord {
    let id = OrganizationId::parse(id).expect("an organisation id");
    app.with_db(move |conn| organizations::load(conn, id).expect("load"))
        .await
}

both_backends! {
    async fn an_admin_creates_an_organisation(app) {
        let admin = app.admin_token().await;
        let body = json!({
            "kind": "ngo",
            "name": {"ru": "Центр молодёжных инициатив", "EN": " Youth Initiatives Centre "},
            "bin": "940740000911", "region": "kz-39", "themes": ["Human_Rights", "youth"],
            "iati_identifier": "KZ-BIN-940740000911"
        });
        let r = app.post("/api/v1/organizations", Some(&admin), &body).await.expect(201);
        assert_eq!(r.body["name"], json!({"en": "Youth Initiatives Centre", "ru": "Центр молодёжных инициатив"}));
        assert_eq!(r.body["country"], "KZ");
        assert_eq!(r.body["region"], "KZ-39");
        assert_eq!(r.body["themes"], json!(["human_rights", "youth"]));
        let id = r.body["id"].as_str().unwrap();
        assert_eq!(r.header("location"), Some(format!("/api/v1/organizations/{id}").as_str()));
        let got = app.get(&format!("/api/v1/organizations/{id}"), Some(&admin)).await.expect(200);
        assert_eq!(got.body, r.body);
    }

    async fn every_invalid_field_is_reported(app) {
        let admin = app.admin_token().await;
        let body = json!({"kind": "ngo", "name": {}, "bin": "940740000912", "country": "XX", "themes": ["ok", "not ok"], "iati_identifier": "nope"});
        let r = app.post("/api/v1/organizations", Some(&admin), &body).await.expect_problem(422);
        let mut errors = r.field_errors();
        errors.sort();
        assert_eq!(errors, [
            ("bin".to_owned(), "check_digit".to_owned()),
            ("country".to_owned(), "iso3166_1".to_owned()),
            ("iati_identifier".to_owned(), "format".to_owned()),
            ("name".to_owned(), "required".to_owned()),
            ("themes.1".to_owned(), "format".to_owned()),
        ]);
        let r = app
            .post("/api/v1/organizations", Some(&admin), &json!({"kind": "ngo", "name": {"en": "X"}, "bin": "12345", "region": "KG-GB"}))
            .await
            .expect_problem(422);
        let mut errors = r.field_errors();
        errors.sort();
        assert_eq!(errors, [("bin".to_owned(), "format".to_owned()), ("region".to_owned(), "region_country".to_owned())]);
    }

    async fn only_admins_create_organisations(app) {
        let admin = app.admin_token().await;
        let (_, user) = app.user(&admin, "u@example.org").await;
        app.post("/api/v1/organizations", Some(&user), &json!({"kind": "ngo", "name": {"en": "X"}})).await.expect_problem(403);
        app.post("/api/v1/organizations", None, &json!({"kind": "ngo", "name": {"en": "X"}})).await.expect_problem(401);
    }

    async fn the_directory_filters_and_pages(app) {
        let admin = app.admin_token().await;
        for (kind, region) in [("ngo", "KZ-39"), ("ngo", "KZ-61"), ("donor", "KZ-71"), ("government", "KZ-39"), ("ngo", "KZ-39")] {
            app.post("/api/v1/organizations", Some(&admin), &json!({"kind": kind, "name": {"en": format!("{kind} {region}")}, "region": region}))
                .await
                .expect(201);
        }
        let (uid, user) = app.user(&admin, "u@example.org").await;
        let ngos = app.get("/api/v1/organizations?kind=ngo", Some(&user)).await.expect(200);
        assert_eq!(ngos.body["data"].as_array().unwrap().len(), 3);
        let kostanay = app.get("/api/v1/organizations?region=KZ-39&limit=2", Some(&user)).await.expect(200);
        assert_eq!(kostanay.body["data"].as_array().unwrap().len(), 2);
        let cursor = kostanay.body["next_cursor"].as_str().unwrap();
        let rest = app.get(&format!("/api/v1/organizations?region=KZ-39&limit=2&cursor={cursor}"), Some(&user)).await.expect(200);
        assert_eq!(rest.body["data"].as_array().unwrap().len(), 1);
        assert!(rest.body["next_cursor"].is_null());
        let first_id = ngos.body["data"][0]["id"].as_str().unwrap();
        app.add_member(&admin, first_id, &uid, "member").await;
        let mine = app.get("/api/v1/organizations?mine=true", Some(&user)).await.expect(200);
        assert_eq!(mine.body["data"].as_array().unwrap().len(), 1);
        assert_eq!(mine.body["data"][0]["id"], first_id);
        let since = app.get("/api/v1/organizations?updated_since=2000-01-01T00:00:00Z", Some(&user)).await.expect(200);
        assert_eq!(since.body["data"].as_array().unwrap().len(), 5);
        app.get("/api/v1/organizations?kind=charity", Some(&user)).await.expect_problem(422);
        app.get("/api/v1/organizations", None).await.expect_problem(401);
    }

    async fn owners_and_managers_edit_members_and_outsiders_may_not(app) {
        let admin = app.admin_token().await;
        let org = app.organization(&admin, "Youth Centre").await;
        let (owner_id, owner) = app.user(&admin, "owner@example.org").await;
        let (manager_id, manager) = app.user(&admin, "manager@example.org").await;
        let (member_id, member) = app.user(&admin, "member@example.org").await;
        let (_, outsider) = app.user(&admin, "outsider@example.org").await;
        app.add_member(&admin, &org, &owner_id, "owner").await;
        app.add_member(&admin, &org, &manager_id, "manager").await;
        app.add_member(&admin, &org, &member_id, "member").await;
        let path = format!("/api/v1/organizations/{org}");
        app.patch(&path, Some(&owner), &json!({"themes": ["youth"]})).await.expect(200);
        let r = app.patch(&path, Some(&manager), &json!({"region": null, "bin": "940740000911"})).await.expect(200);
        assert_eq!(r.body["region"], serde_json::Value::Null);
        assert_eq!(r.body["bin"], "940740000911");
        assert_eq!(r.header("etag"), Some("\"3\""));
        app.patch(&path, Some(&member), &json!({"themes": []})).await.expect_problem(403);
        app.patch(&path, Some(&outsider), &json!({"themes": []})).await.expect_problem(403);
        app.patch(&format!("/api/v1/organizations/{}", uuid::Uuid::new_v4()), Some(&owner), &json!({})).await.expect_problem(404);
        let bad = app.patch(&path, Some(&owner), &json!({"region": "KZ-00"})).await.expect_problem(422);
        assert_eq!(bad.field_errors(), [("region".to_owned(), "iso3166_2".to_owned())]);
        let unchanged = app.get(&path, Some(&member)).await.expect(200);
        assert_eq!(unchanged.body["themes"], json!(["youth"]));
        assert_eq!(unchanged.body["region"], serde_json::Value::Null);
    }

    async fn organisation_updates_honour_if_match(app) {
        let admin = app.admin_token().await;
        let org = app.organization(&admin, "Youth Centre").await;
        let path = format!("/api/v1/organizations/{org}");
        let etag = app.get(&path, Some(&admin)).await.expect(200).header("etag").unwrap().to_owned();
        app.patch_if_match(&path, &admin, &etag, &json!({"name": {"en": "New name"}})).await.expect(200);
        app.patch_if_match(&path, &admin, &etag, &json!({"name": {"en": "Lost update"}})).await.expect_problem(412);
        let got = app.get(&path, Some(&admin)).await.expect(200);
        assert_eq!(got.body["name"], json!({"en": "New name"}));
    }

    async fn an_update_decided_on_a_stale_read_is_refused_and_keeps_the_other_change(app) {
        // Defect: `update` re-read the version and wrote every column from an earlier read, so
        // a change committed in between was silently overwritten.
        let admin = app.admin_token().await;
        let org = app.organization(&admin, "Youth Centre").await;
        let before = stored(&app, &org).await;
        let path = format!("/api/v1/organizations/{org}");
        app.patch(&path, Some(&admin), &json!({"name": {"en": "Renamed"}})).await.expect(200);
        let stale = app.with_db(move |conn| {
            let patch = ProfilePatch { themes: Some(vec!["youth".to_owned()]), ..ProfilePatch::default() };
            db::write(conn, |tx| {
                organizations::update(tx, before.organization.id, before.version, &patch, before.updated_at)
            })
        })
        .await;
        // A guard that finds another version inside the transaction is a lost race (run again by
        // `db::write`, and refused when it keeps losing), not the client's 412.
        assert!(matches!(stale, Err(StoreError::WriteConflict)), "{stale:?}");
        let after = stored(&app, &org).await;
        let fresh = app.with_db(move |conn| {
            let patch = ProfilePatch { themes: Some(vec!["youth".to_owned()]), ..ProfilePatch::default() };
            db::write(conn, |tx| {
                organizations::update(tx, after.organization.id, after.version, &patch, after.updated_at)
            })
        })
        .await
        .expect("an update at the current version");
        assert_eq!(fresh.version, 3);
        assert_eq!(fresh.organization.profile.themes, ["youth"]);
        let got = app.get(&path, Some(&admin)).await.expect(200);
        assert_eq!(got.body["name"], json!({"en": "Renamed"}));
        assert_eq!(got.body["themes"], json!(["youth"]));
    }

    async fn a_patch_that_changes_nothing_keeps_the_version_and_records_nothing(app) {
        let admin = app.admin_token().await;
        let org = app.organization(&admin, "Youth Centre").await;
        let path = format!("/api/v1/organizations/{org}");
        let same = app.patch(&path, Some(&admin), &json!({"name": {"en": "Youth Centre"}, "region": "KZ-39"})).await.expect(200);
        assert_eq!(same.header("etag"), Some("\"1\""));
        let events = app.get(&format!("/api/v1/audit-events?entity_type=organization&entity_id={org}"), Some(&admin)).await.expect(200);
        let actions: Vec<_> = events.body["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert_eq!(actions, ["organization.create"]);
        let moved = app.patch(&path, Some(&admin), &json!({"country": "KG"})).await.expect_problem(422);
        assert_eq!(moved.field_errors(), [("region".to_owned(), "region_country".to_owned())]);
    }
}
