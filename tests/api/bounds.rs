//! Bounds the contract states and the server enforces: a value at its bound is accepted, one
//! past it is 422 naming the field with `max_length` or `max_items` (lengths count the text as
//! sent), a list of memberships past its bound is 409, and an over-long `If-Match` is 412.

use crate::applications::{application, scene, submitted};
use crate::both_backends;
use crate::calls::{call_body, draft_call};
use crate::helpers::{PASSWORD, TestApp};
use crate::programmes::{active_programme, cast, programme_body};
use awc::http::Method;
use serde_json::{Map, Value, json};
use seriktes_api::service::users::create_user;
use seriktes_domain::email::Email;
use seriktes_domain::user::{NewUser, SystemRole};
use seriktes_persistence::db;

/// The `(field, code)` pairs of a 422, sorted.
fn sorted_errors(r: &crate::helpers::Resp) -> Vec<(String, String)> {
    let mut e = r.field_errors();
    e.sort();
    e
}

/// `(field, code)` pairs from string slices.
fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

/// `n` organisations made by the admin; their ids.
async fn organizations(app: &TestApp, admin: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(app.organization(admin, &format!("Partner {i}")).await);
    }
    ids
}

/// `n` active users written straight to the database with one password hash; their ids.
async fn users(app: &TestApp, n: usize) -> Vec<String> {
    app.with_db(move |conn| {
        let hash = seriktes_api::auth::password::HashedPassword::of(PASSWORD).unwrap();
        let now = seriktes_api::clock::Clock::now(&seriktes_api::clock::SystemClock);
        (0..n)
            .map(|i| {
                let new = NewUser {
                    email: Email::parse(&format!("member{i}@example.org")).unwrap(),
                    name: format!("Member {i}"),
                    system_role: SystemRole::User,
                    active: true,
                };
                db::write(conn, |tx| create_user(tx, None, &new, &hash, now))
                    .unwrap()
                    .user
                    .id
                    .to_string()
            })
            .collect()
    })
    .await
}

/// A name in `n` languages (`en-x0`, `en-x1`, …), each `chars` characters long.
fn name_in(n: usize, chars: usize) -> Map<String, Value> {
    (0..n)
        .map(|i| (format!("en-x{i}"), json!("н".repeat(chars))))
        .collect()
}

both_backends! {
    async fn organisation_texts_codes_and_themes_are_bounded_as_sent(app) {
        let admin = app.admin_token().await;
        // 20 themes of 64 Cyrillic letters each: 64 characters, 128 bytes.
        let themes: Vec<String> = (0..20).map(|i| format!("{}{i:02}", "т".repeat(62))).collect();
        let at_limit = json!({
            "kind": "ngo", "name": name_in(16, 300), "bin": "940740000911", "country": "KZ",
            "region": "KZ-39", "themes": themes, "iati_identifier": format!("KZ-{}", "1".repeat(97))
        });
        let created = app.post("/api/v1/organizations", Some(&admin), &at_limit).await.expect(201);
        assert_eq!(created.body["themes"].as_array().map(Vec::len), Some(20));
        let id = created.body["id"].as_str().unwrap().to_owned();

        let mut seventeen = name_in(16, 1);
        seventeen.insert("kk".into(), json!("Жастар"));
        let over = json!({
            "kind": "ngo", "name": seventeen, "bin": "940740000911 ", "region": "KZ-39  ",
            "themes": vec!["youth"; 21], "iati_identifier": format!("KZ-{}", "1".repeat(98))
        });
        let r = app.post("/api/v1/organizations", Some(&admin), &over).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[
            ("bin", "max_length"),
            ("iati_identifier", "max_length"),
            ("name", "max_items"),
            ("region", "max_length"),
            ("themes", "max_items"),
        ]));

        let tag = format!("en{}-abcdef", "-abcdefgh".repeat(3));
        assert_eq!(tag.len(), 36);
        let over = json!({
            "name": {"en": format!("{} ", "a".repeat(300)), tag.clone(): "x"},
            "country": "KZ ", "themes": ["т".repeat(65)]
        });
        let r = app.patch(&format!("/api/v1/organizations/{id}"), Some(&admin), &over).await.expect_problem(422);
        let tag_field = format!("name.{tag}");
        assert_eq!(sorted_errors(&r), pairs(&[
            ("country", "max_length"),
            ("name.en", "max_length"),
            (tag_field.as_str(), "language_tag"),
            ("themes.0", "max_length"),
        ]));
    }

    async fn list_filters_and_cursors_are_bounded(app) {
        let admin = app.admin_token().await;
        app.organization(&admin, "First").await;
        app.organization(&admin, "Second").await;
        let page = app.get("/api/v1/organizations?limit=1", Some(&admin)).await.expect(200);
        let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        assert_eq!(cursor.len(), 52, "a cursor after an id");
        app.get(&format!("/api/v1/organizations?cursor={cursor}"), Some(&admin)).await.expect(200);
        // The contract bounds cursors by the longest key a list continues after, a date and an
        // id (67 characters): one more is refused before it is read.
        let over = format!("{cursor}{}", "A".repeat(67 + 1 - 52));
        let r = app.get(&format!("/api/v1/organizations?cursor={over}"), Some(&admin)).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("cursor", "max_length")]));

        app.get("/api/v1/organizations?country=KZ&region=KZ-39&bin=940740000911", Some(&admin)).await.expect(200);
        let r = app
            .get("/api/v1/organizations?country=KZZ&region=KZ-3939&bin=9407400009111", Some(&admin))
            .await
            .expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("bin", "max_length"), ("country", "max_length"), ("region", "max_length")]));

        let email = format!("{}@example.org", "a".repeat(254 - 12));
        app.get(&format!("/api/v1/users?email={email}"), Some(&admin)).await.expect(200);
        let r = app.get(&format!("/api/v1/users?email=a{email}"), Some(&admin)).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("email", "max_length")]));

        let (kind, id) = ("a".repeat(32), "b".repeat(36));
        app.get(&format!("/api/v1/audit-events?entity_type={kind}&entity_id={id}"), Some(&admin)).await.expect(200);
        let r = app
            .get(&format!("/api/v1/audit-events?entity_type={kind}a&entity_id={id}b"), Some(&admin))
            .await
            .expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("entity_id", "max_length"), ("entity_type", "max_length")]));
    }

    async fn credentials_longer_than_any_account_can_have_are_422(app) {
        let admin = app.admin_token().await;
        let password = "p".repeat(128);
        app.login("admin@example.org", &password).await.expect_problem(401);
        let r = app.login("admin@example.org", &format!("{password}p")).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("password", "max_length")]));
        let email = format!("{}@example.org", "a".repeat(254 - 11));
        let r = app.login(&email, PASSWORD).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("email", "max_length")]));

        let token = "a".repeat(43);
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": token})).await.expect_problem(401);
        for path in ["/api/v1/auth/refresh", "/api/v1/auth/logout"] {
            let r = app.post(path, None, &json!({"refresh_token": format!("{token}a")})).await.expect_problem(422);
            assert_eq!(sorted_errors(&r), pairs(&[("refresh_token", "max_length")]));
        }

        let change = |current: String| json!({"current_password": current, "new_password": "a new long passphrase"});
        let r = app
            .call(Method::PUT, "/api/v1/me/password", Some(&admin), Some(&change(password.clone())))
            .await
            .expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("current_password", "mismatch")]));
        let r = app
            .call(Method::PUT, "/api/v1/me/password", Some(&admin), Some(&change(format!("{password}p"))))
            .await
            .expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("current_password", "max_length")]));
    }

    async fn programme_lists_and_amounts_are_bounded(app) {
        let c = cast(&app).await;
        let others = organizations(&app, &c.admin, 48).await;
        let funders: Vec<Value> = [c.eu.clone(), c.embassy.clone()]
            .into_iter()
            .chain(others)
            .map(|id| json!({"organization_id": id, "committed": {"amount": "1.00", "currency": "EUR"}}))
            .collect();
        let mut body = programme_body(&c);
        body["regions"] = json!(vec!["KZ-61"; 100]);
        body["funders"] = json!(funders);
        body["budget"] = json!({"amount": format!("{}70000.00", "0".repeat(24)), "currency": "EUR"});
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect(201);
        assert_eq!((r.body["regions"].clone(), r.body["funders"].as_array().map(Vec::len)), (json!(["KZ-61"]), Some(50)));
        assert_eq!(r.body["budget"]["amount"], "70000.00");

        let mut over = body.clone();
        over["regions"] = json!(vec!["KZ-61"; 101]);
        over["funders"] = json!([funders.clone(), vec![funders[0].clone()]].concat());
        over["budget"] = json!({"amount": format!("{}70000.00", "0".repeat(25)), "currency": "EURO"});
        let r = app.post("/api/v1/programmes", Some(&c.manager), &over).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[
            ("budget.currency", "max_length"),
            ("funders", "max_items"),
            ("regions", "max_items"),
        ]));
        over["budget"] = json!({"amount": format!("{}70000.00", "0".repeat(25)), "currency": "EUR"});
        let r = app.post("/api/v1/programmes", Some(&c.manager), &over).await.expect_problem(422);
        assert!(r.field_errors().contains(&("budget.amount".to_owned(), "max_length".to_owned())), "{}", r.body);
    }

    async fn call_lists_are_bounded(app) {
        let c = cast(&app).await;
        let programme = active_programme(&app, &c).await;
        let committee = users(&app, 50).await;
        let ids: Vec<&str> = committee.iter().map(String::as_str).collect();
        let mut body = call_body(&ids);
        body["eligible_kinds"] = json!(vec!["ngo"; 8]);
        body["eligible_regions"] = json!(vec!["KZ-61"; 100]);
        let call = draft_call(&app, &c, &programme, &body).await;
        let got = app.get(&format!("/api/v1/calls/{call}"), Some(&c.manager)).await.expect(200);
        assert_eq!(got.body["committee_user_ids"].as_array().map(Vec::len), Some(50));

        let mut over = body.clone();
        over["eligible_kinds"] = json!(vec!["ngo"; 9]);
        over["eligible_regions"] = json!(vec!["KZ-61"; 101]);
        over["committee_user_ids"] = json!([ids.clone(), vec![ids[0]]].concat());
        let r = app
            .post(&format!("/api/v1/programmes/{programme}/calls"), Some(&c.manager), &over)
            .await
            .expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[
            ("committee_user_ids", "max_items"),
            ("eligible_kinds", "max_items"),
            ("eligible_regions", "max_items"),
        ]));
        let r = app.patch(&format!("/api/v1/calls/{call}"), Some(&c.manager), &json!({"eligible_kinds": vec!["ngo"; 9]})).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("eligible_kinds", "max_items")]));
    }

    async fn application_lists_are_bounded(app) {
        let s = scene(&app, 86_400).await;
        let partners = organizations(&app, &s.c.admin, 50).await;
        let mut body = application(&s.ngo, "3846.00", &["3846.00"]);
        body["regions"] = json!(vec!["KZ-79"; 100]);
        body["target_groups"] = json!(vec!["rural women"; 20]);
        body["partner_organization_ids"] = json!(partners);
        let path = format!("/api/v1/calls/{}/applications", s.call);
        let r = app.post(&path, Some(&s.ngo_manager), &body).await.expect(201);
        assert_eq!(r.body["partner_organization_ids"].as_array().map(Vec::len), Some(50));

        let mut over = body.clone();
        over["regions"] = json!(vec!["KZ-79"; 101]);
        over["target_groups"] = json!(vec!["rural women"; 21]);
        over["partner_organization_ids"] = json!([partners.clone(), vec![partners[0].clone()]].concat());
        let r = app.post(&path, Some(&s.ngo_manager), &over).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[
            ("partner_organization_ids", "max_items"),
            ("regions", "max_items"),
            ("target_groups", "max_items"),
        ]));
    }

    async fn review_comments_notes_and_scores_are_bounded(app) {
        let s = scene(&app, 86_400).await;
        let (a1, _) = submitted(&app, &s, "Alpha", "3846.00").await;
        let me = app.get("/api/v1/me", Some(&s.expert)).await.expect(200);
        let r = app
            .post(&format!("/api/v1/applications/{a1}/reviews"), Some(&s.c.manager), &json!({"reviewer_user_id": me.body["id"]}))
            .await
            .expect(201);
        let path = format!("/api/v1/reviews/{}", r.body["id"].as_str().unwrap());
        app.post(&format!("{path}/declare-no-conflict"), Some(&s.expert), &json!({})).await.expect(200);

        app.patch(&path, Some(&s.expert), &json!({"comment": "c".repeat(10_000)})).await.expect(200);
        let r = app.patch(&path, Some(&s.expert), &json!({"comment": "c".repeat(10_001)})).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("comment", "max_length")]));

        let score = json!({"criterion_id": uuid::Uuid::new_v4(), "score": 1});
        let r = app.patch(&path, Some(&s.expert), &json!({"scores": vec![score.clone(); 21]})).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("scores", "max_items")]));
        let r = app.patch(&path, Some(&s.expert), &json!({"scores": vec![score; 20]})).await.expect_problem(422);
        assert!(r.field_errors().iter().all(|(_, code)| code != "max_items"), "{}", r.body);

        let r = app.post(&format!("{path}/recuse"), Some(&s.expert), &json!({"note": "n".repeat(10_001)})).await.expect_problem(422);
        assert_eq!(sorted_errors(&r), pairs(&[("note", "max_length")]));
        app.post(&format!("{path}/recuse"), Some(&s.expert), &json!({"note": "n".repeat(10_000)})).await.expect(200);
    }

    async fn an_if_match_longer_than_its_bound_names_no_version(app) {
        let admin = app.admin_token().await;
        let org = app.organization(&admin, "Tagged").await;
        let path = format!("/api/v1/organizations/{org}");
        let got = app.get(&path, Some(&admin)).await.expect(200);
        let etag = got.header("etag").unwrap().to_owned();
        let at_limit = format!("{etag}{}", ",".repeat(1024 - etag.len()));
        let over = format!("{at_limit},");
        let r = app.patch_if_match(&path, &admin, &over, &json!({"themes": ["youth"]})).await;
        r.expect_problem(412);
        app.patch_if_match(&path, &admin, &at_limit, &json!({"themes": ["youth"]})).await.expect(200);
    }

    async fn a_user_acts_for_at_most_100_organisations(app) {
        let admin = app.admin_token().await;
        let (user, token) = app.user(&admin, "busy@example.org").await;
        for org in organizations(&app, &admin, 100).await {
            app.add_member(&admin, &org, &user, "member").await;
        }
        let me = app.get("/api/v1/me", Some(&token)).await.expect(200);
        assert_eq!(me.body["memberships"].as_array().map(Vec::len), Some(100));
        let one_more = app.organization(&admin, "One too many").await;
        let r = app
            .post(&format!("/api/v1/organizations/{one_more}/members"), Some(&admin), &json!({"user_id": user, "role": "member"}))
            .await
            .expect_problem(409);
        assert!(r.body["detail"].as_str().unwrap().contains("100 organisations"), "{}", r.body);
    }
}
