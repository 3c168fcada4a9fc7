//! User administration: create, list with pagination, update with If-Match, last-admin guard.

use crate::both_backends;
use crate::helpers::PASSWORD;
use serde_json::json;
use seriktes_domain::user::SystemRole;

both_backends! {
    async fn admins_create_users_with_location_and_etag(app) {
        let admin = app.admin_token().await;
        let r = app
            .post("/api/v1/users", Some(&admin), &json!({"email": " Dana@Example.ORG ", "name": "Dana", "password": PASSWORD}))
            .await
            .expect(201);
        let id = r.body["id"].as_str().unwrap();
        assert_eq!(r.header("location"), Some(format!("/api/v1/users/{id}").as_str()));
        assert_eq!(r.header("etag"), Some("\"1\""));
        assert_eq!(r.body["email"], "dana@example.org");
        assert_eq!(r.body["system_role"], "user");
        assert_eq!(r.body["active"], true);
        let got = app.get(&format!("/api/v1/users/{id}"), Some(&admin)).await.expect(200);
        assert_eq!(got.body, r.body);
        assert_eq!(got.header("etag"), Some("\"1\""));
    }

    async fn e_mail_addresses_are_unique_whatever_their_case(app) {
        let admin = app.admin_token().await;
        app.user(&admin, "dana@example.org").await;
        let r = app
            .post("/api/v1/users", Some(&admin), &json!({"email": "DANA@example.org", "name": "Dana 2", "password": PASSWORD}))
            .await
            .expect_problem(409);
        assert_eq!(r.field_errors(), [("email".to_owned(), "unique".to_owned())]);
    }

    async fn look_alike_e_mails_are_one_account_or_refused_at_creation_and_sign_in(app) {
        let admin = app.admin_token().await;
        let user = |email: &str| json!({"email": email, "name": "Look-alike", "password": PASSWORD});
        // Full-width letters fold onto the admin's own address: a duplicate, not a new account.
        let r = app.post("/api/v1/users", Some(&admin), &user("ａdmin@example.org")).await.expect_problem(409);
        assert_eq!(r.field_errors(), [("email".to_owned(), "unique".to_owned())]);
        // A Cyrillic "а" among Latin letters is refused.
        for mixed in ["аdmin@example.org", "dаna@example.org"] {
            let r = app.post("/api/v1/users", Some(&admin), &user(mixed)).await.expect_problem(422);
            assert_eq!(r.field_errors(), [("email".to_owned(), "mixed_script".to_owned())], "{mixed}");
        }
        let r = app.post("/api/v1/users", Some(&admin), &user("ＤＡＮＡ＠ＥＸＡＭＰＬＥ．ＯＲＧ")).await.expect(201);
        assert_eq!(r.body["email"], "dana@example.org");
        let dana = format!("/api/v1/users/{}", r.body["id"].as_str().unwrap());
        let r = app.post("/api/v1/users", Some(&admin), &user("айгерим@example.kz")).await.expect(201);
        assert_eq!(r.body["email"], "айгерим@example.kz");
        let r = app.patch(&dana, Some(&admin), &json!({"email": "dаna@example.org"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("email".to_owned(), "mixed_script".to_owned())]);
        let list = app.get("/api/v1/users", Some(&admin)).await.expect(200);
        assert_eq!(list.body["data"].as_array().unwrap().len(), 3);
        // Signing in normalises the same way.
        app.login("ＤＡＮＡ＠example.org", PASSWORD).await.expect(200);
        app.login("ａdmin@example.org", PASSWORD).await.expect(200);
        let r = app.login("аdmin@example.org", PASSWORD).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("email".to_owned(), "mixed_script".to_owned())]);
        // An account stored before these rules stays readable.
        app.with_db(|conn| {
            let new = seriktes_domain::user::NewUser {
                email: seriktes_domain::email::Email::from_stored("pаypal@example.org").unwrap(),
                name: "Stored earlier".to_owned(),
                system_role: SystemRole::User,
                active: true,
            };
            let hash = seriktes_api::auth::password::HashedPassword::of(PASSWORD).unwrap();
            let now = seriktes_api::clock::Clock::now(&seriktes_api::clock::SystemClock);
            seriktes_persistence::db::write(conn, |tx| seriktes_api::service::users::create_user(tx, None, &new, &hash, now)).unwrap();
        })
        .await;
        let list = app.get("/api/v1/users", Some(&admin)).await.expect(200);
        assert_eq!(list.body["data"].as_array().unwrap().len(), 4);
    }

    async fn invalid_users_are_422_with_every_field(app) {
        let admin = app.admin_token().await;
        let r = app
            .post("/api/v1/users", Some(&admin), &json!({"email": "nope", "name": "  ", "password": "short"}))
            .await
            .expect_problem(422);
        let mut errors = r.field_errors();
        errors.sort();
        assert_eq!(errors, [
            ("email".to_owned(), "format".to_owned()),
            ("name".to_owned(), "required".to_owned()),
            ("password".to_owned(), "min_length".to_owned()),
        ]);
    }

    async fn only_admins_manage_users(app) {
        let admin = app.admin_token().await;
        let (id, user) = app.user(&admin, "u@example.org").await;
        app.get("/api/v1/users", Some(&user)).await.expect_problem(403);
        app.get(&format!("/api/v1/users/{id}"), Some(&user)).await.expect_problem(403);
        app.post("/api/v1/users", Some(&user), &json!({"email": "x@example.org", "name": "X", "password": PASSWORD}))
            .await
            .expect_problem(403);
        app.patch(&format!("/api/v1/users/{id}"), Some(&user), &json!({"system_role": "admin"})).await.expect_problem(403);
        app.get("/api/v1/users", None).await.expect_problem(401);
    }

    async fn the_user_list_pages_with_cursors_and_filters(app) {
        let admin = app.admin_token().await;
        for i in 0..7 {
            app.post("/api/v1/users", Some(&admin), &json!({"email": format!("user{i}@example.org"), "name": format!("User {i}"), "password": PASSWORD}))
                .await
                .expect(201);
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/users?limit=3&cursor={c}"),
                None => "/api/v1/users?limit=3".to_owned(),
            };
            let page = app.get(&path, Some(&admin)).await.expect(200);
            pages += 1;
            let data = page.body["data"].as_array().unwrap();
            assert!(data.len() <= 3);
            seen.extend(data.iter().map(|u| u["email"].as_str().unwrap().to_owned()));
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), 8, "admin + 7, each once: {seen:?}");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 8);

        let admins = app.get("/api/v1/users?system_role=admin", Some(&admin)).await.expect(200);
        assert_eq!(admins.body["data"].as_array().unwrap().len(), 1);
        let by_email = app.get("/api/v1/users?email=user3", Some(&admin)).await.expect(200);
        assert_eq!(by_email.body["data"][0]["email"], "user3@example.org");
        let future = app.get("/api/v1/users?updated_since=2999-01-01T00:00:00Z", Some(&admin)).await.expect(200);
        assert_eq!(future.body["data"], json!([]));
        assert_eq!(future.body["next_cursor"], serde_json::Value::Null);
    }

    async fn updates_honour_if_match(app) {
        let admin = app.admin_token().await;
        let (id, _) = app.user(&admin, "u@example.org").await;
        let path = format!("/api/v1/users/{id}");
        let r = app.patch_if_match(&path, &admin, "\"1\"", &json!({"name": "Renamed"})).await.expect(200);
        assert_eq!(r.header("etag"), Some("\"2\""));
        assert_eq!(r.body["name"], "Renamed");
        let stale = app.patch_if_match(&path, &admin, "\"1\"", &json!({"name": "Stale"})).await.expect_problem(412);
        assert_eq!(stale.body["type"], "urn:seriktes:problem:precondition-failed");
        app.patch_if_match(&path, &admin, "W/\"2\"", &json!({"name": "Weak"})).await.expect_problem(412);
        let got = app.get(&path, Some(&admin)).await.expect(200);
        assert_eq!(got.body["name"], "Renamed");
        app.patch_if_match(&path, &admin, "*", &json!({"name": "Any"})).await.expect(200);
    }

    async fn admins_reset_passwords_and_change_roles(app) {
        let admin = app.admin_token().await;
        let (id, _) = app.user(&admin, "u@example.org").await;
        app.patch(&format!("/api/v1/users/{id}"), Some(&admin), &json!({"password": "reset by the admin", "system_role": "admin"}))
            .await
            .expect(200);
        app.login("u@example.org", PASSWORD).await.expect_problem(401);
        let r = app.login("u@example.org", "reset by the admin").await.expect(200);
        let token = r.body["access_token"].as_str().unwrap();
        app.get("/api/v1/users", Some(token)).await.expect(200);
    }

    async fn the_last_active_admin_cannot_be_demoted_or_deactivated(app) {
        let admin_id = app.seed_user("admin@example.org", SystemRole::Admin).await;
        let admin = app.token("admin@example.org").await;
        let path = format!("/api/v1/users/{admin_id}");
        app.patch(&path, Some(&admin), &json!({"active": false})).await.expect_problem(409);
        app.patch(&path, Some(&admin), &json!({"system_role": "user"})).await.expect_problem(409);
        let second = app.seed_user("second@example.org", SystemRole::Admin).await;
        app.patch(&path, Some(&admin), &json!({"system_role": "user"})).await.expect(200);
        let other = app.token("second@example.org").await;
        app.patch(&format!("/api/v1/users/{second}"), Some(&other), &json!({"active": false})).await.expect_problem(409);
    }

    async fn a_non_admin_is_refused_before_the_body_is_judged_or_a_password_hashed(app) {
        let admin = app.admin_token().await;
        let (id, user) = app.user(&admin, "u@example.org").await;
        let valid = json!({"email": "x@example.org", "name": "X", "password": PASSWORD});
        let (r, _, checkouts) = app.counting(app.post("/api/v1/users", Some(&user), &valid)).await;
        r.expect_problem(403);
        assert_eq!(checkouts, 1, "only the actor is read; the write is never reached");
        let invalid = json!({"email": "nope", "name": "  ", "password": "short"});
        app.post("/api/v1/users", Some(&user), &invalid).await.expect_problem(403);
        let path = format!("/api/v1/users/{id}");
        app.patch(&path, Some(&user), &json!({"password": "a brand new passphrase"})).await.expect_problem(403);
        app.patch(&path, Some(&user), &json!({"password": "short"})).await.expect_problem(403);
        app.login("u@example.org", PASSWORD).await.expect(200);
    }
}
