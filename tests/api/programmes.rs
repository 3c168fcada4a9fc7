//! Programmes: funders and budgets, visibility of drafts, the draft → active → closed machine.

use crate::both_backends;
use crate::helpers::TestApp;
use serde_json::{Value, json};

/// A foundation running programmes, two donors, a manager of the foundation and an outsider.
pub struct Cast {
    pub admin: String,
    pub foundation: String,
    pub eu: String,
    pub embassy: String,
    pub manager: String,
    pub outsider: String,
}

pub async fn cast(app: &TestApp) -> Cast {
    let admin = app.admin_token().await;
    let foundation = app.organization(&admin, "Civil Society Foundation").await;
    let eu = org(app, &admin, "donor", "EU Delegation").await;
    let embassy = org(app, &admin, "donor", "Embassy").await;
    let (manager_id, manager) = app.user(&admin, "manager@foundation.kz").await;
    app.add_member(&admin, &foundation, &manager_id, "manager")
        .await;
    let (_, outsider) = app.user(&admin, "outsider@example.org").await;
    Cast {
        admin,
        foundation,
        eu,
        embassy,
        manager,
        outsider,
    }
}

async fn org(app: &TestApp, admin: &str, kind: &str, name: &str) -> String {
    let r = app
        .post(
            "/api/v1/organizations",
            Some(admin),
            &json!({"kind": kind, "name": {"en": name}}),
        )
        .await
        .expect(201);
    r.body["id"].as_str().unwrap().to_owned()
}

pub fn programme_body(c: &Cast) -> Value {
    json!({
        "title": {"en": "Empowering South Kazakhstan CSOs to Promote Human Rights Reforms"},
        "managing_organization_id": c.foundation,
        "budget": {"amount": "70000.00", "currency": "EUR"},
        "starts_on": "2026-01-01", "ends_on": "2027-12-31",
        "regions": ["KZ-61", "KZ-31", "KZ-43", "KZ-79"], "themes": ["human_rights"],
        "funders": [
            {"organization_id": c.eu, "committed": {"amount": "65000.00", "currency": "EUR"}},
            {"organization_id": c.embassy, "committed": {"amount": "5000", "currency": "eur"}}
        ]
    })
}

/// Creates and activates the programme; returns its id.
pub async fn active_programme(app: &TestApp, c: &Cast) -> String {
    let r = app
        .post("/api/v1/programmes", Some(&c.manager), &programme_body(c))
        .await
        .expect(201);
    let id = r.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/programmes/{id}/activate"),
        Some(&c.manager),
        &json!({}),
    )
    .await
    .expect(200);
    id
}

both_backends! {
    async fn managers_create_programmes_with_their_funders(app) {
        let c = cast(&app).await;
        let r = app.post("/api/v1/programmes", Some(&c.manager), &programme_body(&c)).await.expect(201);
        assert_eq!(r.body["status"], "draft");
        assert_eq!(r.body["allowed_actions"], json!(["activate"]));
        assert_eq!(r.body["budget"], json!({"amount": "70000.00", "currency": "EUR"}));
        let funders = r.body["funders"].as_array().unwrap();
        assert_eq!(funders.len(), 2);
        let embassy = funders.iter().find(|f| f["organization_id"] == c.embassy.as_str()).unwrap();
        assert_eq!(embassy["committed"], json!({"amount": "5000.00", "currency": "EUR"}));
        assert_eq!(embassy["organization_name"], json!({"en": "Embassy"}));
        let id = r.body["id"].as_str().unwrap();
        assert_eq!(r.header("location"), Some(format!("/api/v1/programmes/{id}").as_str()));
        let got = app.get(&format!("/api/v1/programmes/{id}"), Some(&c.manager)).await.expect(200);
        assert_eq!(got.body, r.body);
    }

    async fn programme_rules_are_checked_field_by_field(app) {
        let c = cast(&app).await;
        let mut body = programme_body(&c);
        body["ends_on"] = json!("2025-12-31");
        body["regions"] = json!(["KZ-99"]);
        body["funders"][0]["committed"] = json!({"amount": "69000.00", "currency": "EUR"});
        body["funders"][1]["committed"] = json!({"amount": "5000.00", "currency": "USD"});
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        let mut errors = r.field_errors();
        errors.sort();
        assert_eq!(errors, [
            ("ends_on".to_owned(), "after".to_owned()),
            ("funders.1.committed.currency".to_owned(), "currency_mismatch".to_owned()),
            ("regions.0".to_owned(), "iso3166_2".to_owned()),
        ]);
        let mut body = programme_body(&c);
        body["funders"][0]["committed"]["amount"] = json!("69000.00");
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("funders".to_owned(), "exceeds_budget".to_owned())]);
        let mut body = programme_body(&c);
        body["budget"] = json!({"amount": "70000.001", "currency": "EUR"});
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("budget.amount".to_owned(), "decimal".to_owned())]);
        let mut body = programme_body(&c);
        body["funders"][0]["organization_id"] = json!(uuid::Uuid::new_v4());
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("funders.0.organization_id".to_owned(), "exists".to_owned())]);
    }

    async fn commitments_adding_up_past_the_largest_amount_are_422_not_within_budget(app) {
        let c = cast(&app).await;
        let mut body = programme_body(&c);
        body["budget"] = json!({"amount": "92233720368547758.07", "currency": "EUR"});
        body["funders"][0]["committed"]["amount"] = json!("92233720368547758.07");
        body["funders"][1]["committed"]["amount"] = json!("0.01");
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("funders".to_owned(), "range".to_owned())]);
        // The same funders on an existing programme are refused too, and change nothing.
        let created = app.post("/api/v1/programmes", Some(&c.manager), &programme_body(&c)).await.expect(201);
        let path = format!("/api/v1/programmes/{}", created.body["id"].as_str().unwrap());
        let patch = json!({"budget": body["budget"], "funders": body["funders"]});
        let r = app.patch(&path, Some(&c.manager), &patch).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("funders".to_owned(), "range".to_owned())]);
        let got = app.get(&path, Some(&c.manager)).await.expect(200);
        assert_eq!(got.body, created.body);
    }

    async fn programme_dates_outside_years_1_to_9999_are_422_naming_the_field(app) {
        let c = cast(&app).await;
        // SQLite compares the dates as text, where "+10000-01-01" sorts before "2026-01-01".
        let mut body = programme_body(&c);
        body["ends_on"] = json!("+10000-01-01");
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("ends_on".to_owned(), "range".to_owned())]);
        let mut body = programme_body(&c);
        body["starts_on"] = json!("0000-01-01");
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("starts_on".to_owned(), "range".to_owned())]);
        let mut body = programme_body(&c);
        body["ends_on"] = json!("10000-01-01");
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("ends_on".to_owned(), "format".to_owned())]);
        let created = app.post("/api/v1/programmes", Some(&c.manager), &programme_body(&c)).await.expect(201);
        let path = format!("/api/v1/programmes/{}", created.body["id"].as_str().unwrap());
        let r = app.patch(&path, Some(&c.manager), &json!({"starts_on": "-0001-01-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("starts_on".to_owned(), "range".to_owned())]);
        let mut body = programme_body(&c);
        body["starts_on"] = json!("0001-01-01");
        body["ends_on"] = json!("9999-12-31");
        app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect(201);
        let r = app.get("/api/v1/programmes?updated_since=0000-12-31T23:59:59Z", Some(&c.manager)).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("updated_since".to_owned(), "range".to_owned())]);
    }

    async fn only_the_managing_organisation_runs_its_programmes(app) {
        let c = cast(&app).await;
        app.post("/api/v1/programmes", Some(&c.outsider), &programme_body(&c)).await.expect_problem(403);
        let r = app.post("/api/v1/programmes", Some(&c.manager), &programme_body(&c)).await.expect(201);
        let id = r.body["id"].as_str().unwrap();
        let path = format!("/api/v1/programmes/{id}");
        // A draft is invisible to outsiders…
        app.get(&path, Some(&c.outsider)).await.expect_problem(404);
        app.post(&format!("{path}/activate"), Some(&c.outsider), &json!({})).await.expect_problem(404);
        let list = app.get("/api/v1/programmes", Some(&c.outsider)).await.expect(200);
        assert_eq!(list.body["data"], json!([]));
        // …but members of a funder see it.
        let (eu_id, eu_user) = app.user(&c.admin, "officer@eu.example").await;
        app.add_member(&c.admin, &c.eu, &eu_id, "member").await;
        app.get(&path, Some(&eu_user)).await.expect(200);
        let funded = app.get(&format!("/api/v1/programmes?funder_organization_id={}", c.eu), Some(&eu_user)).await.expect(200);
        assert_eq!(funded.body["data"].as_array().unwrap().len(), 1);
        app.patch(&path, Some(&eu_user), &json!({"themes": []})).await.expect_problem(403);
        // Once active, every signed-in user reads it; only its managers change it.
        app.post(&format!("{path}/activate"), Some(&c.manager), &json!({})).await.expect(200);
        app.get(&path, Some(&c.outsider)).await.expect(200);
        app.patch(&path, Some(&c.outsider), &json!({"themes": []})).await.expect_problem(403);
        app.get(&path, None).await.expect_problem(401);
    }

    async fn programmes_move_from_draft_to_active_to_closed(app) {
        let c = cast(&app).await;
        let r = app.post("/api/v1/programmes", Some(&c.manager), &programme_body(&c)).await.expect(201);
        let path = format!("/api/v1/programmes/{}", r.body["id"].as_str().unwrap());
        let etag = r.header("etag").unwrap().to_owned();
        let updated = app.patch_if_match(&path, &c.manager, &etag, &json!({"ends_on": "2028-06-30", "description": {"ru": "Программа"}})).await.expect(200);
        assert_eq!(updated.body["ends_on"], "2028-06-30");
        assert_eq!(updated.body["funders"].as_array().unwrap().len(), 2, "funders stay when not given");
        app.patch_if_match(&path, &c.manager, &etag, &json!({"ends_on": "2029-01-01"})).await.expect_problem(412);
        let active = app.post(&format!("{path}/activate"), Some(&c.manager), &json!({})).await.expect(200);
        assert_eq!(active.body["status"], "active");
        assert_eq!(active.body["allowed_actions"], json!(["close"]));
        let again = app.post(&format!("{path}/activate"), Some(&c.manager), &json!({})).await.expect_problem(409);
        assert_eq!(again.body["current_state"], "active");
        assert_eq!(again.body["allowed_actions"], json!(["close"]));
        assert_eq!(again.body["type"], "urn:seriktes:problem:invalid-transition");
        app.post(&format!("{path}/close"), Some(&c.manager), &json!({})).await.expect(200);
        let edit = app.patch(&path, Some(&c.manager), &json!({"themes": []})).await.expect_problem(409);
        assert_eq!(edit.body["current_state"], "closed");
        let events = app.get("/api/v1/audit-events?entity_type=programme", Some(&c.admin)).await.expect(200);
        let actions: Vec<_> = events.body["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert_eq!(actions, ["programme.create", "programme.update", "programme.activate", "programme.close"]);
    }
}

/// `programmes.funder_ids` (what grant loads read) names exactly the rows of
/// `programme_funders`.
fn funder_ids_agree(conn: &mut seriktes_persistence::db::DbConn, programme: &str) -> usize {
    use diesel::prelude::*;
    use seriktes_persistence::schema::{programme_funders, programmes};
    let copy: Option<String> = programmes::table
        .find(programme)
        .select(programmes::funder_ids)
        .first(conn)
        .expect("programme row");
    let mut copy: Vec<String> = copy
        .expect("funder_ids filled")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let mut rows: Vec<String> = programme_funders::table
        .filter(programme_funders::programme_id.eq(programme))
        .select(programme_funders::organization_id)
        .load(conn)
        .expect("funders");
    copy.sort();
    rows.sort();
    assert_eq!(copy, rows, "programmes.funder_ids");
    rows.len()
}

both_backends! {
    async fn a_programmes_funder_ids_follow_its_funders(app) {
        let c = cast(&app).await;
        let r = app.post("/api/v1/programmes", Some(&c.manager), &programme_body(&c)).await.expect(201);
        let id = r.body["id"].as_str().unwrap().to_owned();
        let p = id.clone();
        assert_eq!(app.with_db(move |conn| funder_ids_agree(conn, &p)).await, 2);

        let one = json!({"funders": [{"organization_id": c.embassy, "committed": {"amount": "5000.00", "currency": "EUR"}}]});
        app.patch(&format!("/api/v1/programmes/{id}"), Some(&c.manager), &one).await.expect(200);
        let p = id.clone();
        assert_eq!(app.with_db(move |conn| funder_ids_agree(conn, &p)).await, 1);

        // Rows written other than through the API are filled by the backfill that runs at start.
        let p = id.clone();
        let n = app
            .with_db(move |conn| {
                use diesel::prelude::*;
                diesel::sql_query("UPDATE programmes SET funder_ids = NULL").execute(conn).unwrap();
                seriktes_persistence::programmes::backfill_funder_ids(conn).unwrap();
                funder_ids_agree(conn, &p)
            })
            .await;
        assert_eq!(n, 1);
    }
}
