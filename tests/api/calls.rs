//! Calls for proposals: validation against the programme, drafts and publishing, the window
//! closing by itself, what anonymous callers see.

use crate::both_backends;
use crate::helpers::TestApp;
use crate::programmes::{Cast, active_programme, cast, programme_body};
use serde_json::{Value, json};

pub fn rfc3339_in(secs: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t = i64::try_from(now).unwrap() + secs;
    // Civil-from-days (Howard Hinnant), to avoid a date crate in the tests.
    let (days, rem) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub fn call_body(committee: &[&str]) -> Value {
    json!({
        "title": {"en": "Mini-projects for human rights reforms"},
        "opens_at": rfc3339_in(-3600), "closes_at": rfc3339_in(30 * 86_400),
        "max_award": {"amount": "3846.00", "currency": "EUR"},
        "envelope": {"amount": "65382.00", "currency": "EUR"},
        "eligible_kinds": ["ngo"], "eligible_regions": ["KZ-61", "KZ-31", "KZ-43", "KZ-79"],
        "min_duration_months": 12, "max_duration_months": 12,
        "criteria": [
            {"name": {"en": "Relevance"}, "weight": 3, "max_score": 10},
            {"name": {"en": "Feasibility"}, "weight": 2, "max_score": 10}
        ],
        "committee_user_ids": committee
    })
}

pub async fn draft_call(app: &TestApp, c: &Cast, programme: &str, body: &Value) -> String {
    let r = app
        .post(
            &format!("/api/v1/programmes/{programme}/calls"),
            Some(&c.manager),
            body,
        )
        .await
        .expect(201);
    r.body["id"].as_str().unwrap().to_owned()
}

both_backends! {
    async fn managers_draft_calls_that_only_insiders_see(app) {
        let c = cast(&app).await;
        let programme = active_programme(&app, &c).await;
        let (expert_id, _) = app.user(&c.admin, "expert@example.org").await;
        let r = app
            .post(&format!("/api/v1/programmes/{programme}/calls"), Some(&c.manager), &call_body(&[&expert_id]))
            .await
            .expect(201);
        assert_eq!(r.body["status"], "draft");
        assert_eq!(r.body["allowed_actions"], json!(["publish"]));
        assert_eq!(r.body["max_award"], json!({"amount": "3846.00", "currency": "EUR"}));
        assert_eq!(r.body["committee_user_ids"], json!([expert_id]));
        let criteria = r.body["criteria"].as_array().unwrap();
        assert_eq!(criteria.len(), 2);
        assert_eq!(criteria[0]["weight"], 3);
        assert!(criteria[0]["id"].is_string());
        let path = format!("/api/v1/calls/{}", r.body["id"].as_str().unwrap());
        app.get(&path, None).await.expect_problem(404);
        app.get(&path, Some(&c.outsider)).await.expect_problem(404);
        assert_eq!(app.get("/api/v1/calls", None).await.expect(200).body["data"], json!([]));
        assert_eq!(app.get("/api/v1/calls", Some(&c.outsider)).await.expect(200).body["data"], json!([]));
        app.get(&path, Some(&c.manager)).await.expect(200);
        app.post(&format!("{path}/publish"), Some(&c.outsider), &json!({})).await.expect_problem(404);
    }

    async fn calls_are_checked_against_their_programme(app) {
        let c = cast(&app).await;
        let programme = active_programme(&app, &c).await;
        let path = format!("/api/v1/programmes/{programme}/calls");
        let mut body = call_body(&[]);
        body["max_award"] = json!({"amount": "70000.00", "currency": "EUR"});
        body["envelope"] = json!({"amount": "80000.00", "currency": "EUR"});
        body["closes_at"] = body["opens_at"].clone();
        body["eligible_regions"] = json!(["KZ-39"]);
        body["criteria"][1]["weight"] = json!(0);
        body["min_duration_months"] = json!(13);
        body["committee_user_ids"] = json!([uuid::Uuid::new_v4()]);
        let r = app.post(&path, Some(&c.manager), &body).await.expect_problem(422);
        let mut errors = r.field_errors();
        errors.sort();
        assert_eq!(errors, [
            ("closes_at".to_owned(), "after".to_owned()),
            ("criteria.1.weight".to_owned(), "range".to_owned()),
            ("eligible_regions.0".to_owned(), "outside_programme".to_owned()),
            ("envelope".to_owned(), "exceeds_budget".to_owned()),
            ("max_duration_months".to_owned(), "min_max".to_owned()),
        ]);
        let mut body = call_body(&[]);
        body["max_award"] = json!({"amount": "3846.00", "currency": "KZT"});
        body["criteria"] = json!([]);
        let r = app.post(&path, Some(&c.manager), &body).await.expect_problem(422);
        let mut errors = r.field_errors();
        errors.sort();
        assert_eq!(errors, [
            ("criteria".to_owned(), "count".to_owned()),
            ("max_award.currency".to_owned(), "currency_mismatch".to_owned()),
        ]);
        let r = app.post(&path, Some(&c.manager), &call_body(&[&uuid::Uuid::new_v4().to_string()])).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("committee_user_ids.0".to_owned(), "exists".to_owned())]);
        app.post(&path, Some(&c.outsider), &call_body(&[])).await.expect_problem(403);
        let calls = app.get("/api/v1/calls", Some(&c.admin)).await.expect(200);
        assert_eq!(calls.body["data"], json!([]), "nothing stored by refused requests");
    }

    async fn call_windows_outside_years_1_to_9999_are_422_naming_the_field(app) {
        let c = cast(&app).await;
        let programme = active_programme(&app, &c).await;
        let path = format!("/api/v1/programmes/{programme}/calls");
        for (field, bad) in [("opens_at", "0000-06-01T00:00:00Z"), ("closes_at", "9999-12-31T23:30:00-01:00")] {
            let mut body = call_body(&[]);
            body[field] = json!(bad);
            let r = app.post(&path, Some(&c.manager), &body).await.expect_problem(422);
            assert_eq!(r.field_errors(), [(field.to_owned(), "range".to_owned())]);
        }
        let call = draft_call(&app, &c, &programme, &call_body(&[])).await;
        let r = app.patch(&format!("/api/v1/calls/{call}"), Some(&c.manager), &json!({"closes_at": "+10000-01-01T00:00:00Z"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("closes_at".to_owned(), "range".to_owned())]);
    }

    async fn an_integer_written_as_12_0_is_422_as_the_contract_says(app) {
        let c = cast(&app).await;
        let programme = active_programme(&app, &c).await;
        let mut body = call_body(&[]);
        body["min_duration_months"] = json!(12.0);
        let r = app.post(&format!("/api/v1/programmes/{programme}/calls"), Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("min_duration_months".to_owned(), "type".to_owned())]);
    }

    async fn published_calls_are_public_without_their_committee(app) {
        let c = cast(&app).await;
        let draft_programme = app.post("/api/v1/programmes", Some(&c.manager), &programme_body(&c)).await.expect(201);
        let draft_programme = draft_programme.body["id"].as_str().unwrap().to_owned();
        let (expert_id, expert) = app.user(&c.admin, "expert@example.org").await;
        let id = draft_call(&app, &c, &draft_programme, &call_body(&[&expert_id])).await;
        let path = format!("/api/v1/calls/{id}");
        let r = app.post(&format!("{path}/publish"), Some(&c.manager), &json!({})).await.expect_problem(409);
        assert!(r.body["detail"].as_str().unwrap().contains("activate"));
        app.post(&format!("/api/v1/programmes/{draft_programme}/activate"), Some(&c.manager), &json!({})).await.expect(200);
        let edited = app.patch(&path, Some(&c.manager), &json!({"title": {"en": "Mini-projects 2026"}, "eligible_kinds": ["ngo", "network"]})).await.expect(200);
        assert_eq!(edited.body["eligible_kinds"], json!(["ngo", "network"]));
        assert_eq!(edited.body["criteria"].as_array().unwrap().len(), 2);
        let open = app.post(&format!("{path}/publish"), Some(&c.manager), &json!({})).await.expect(200);
        assert_eq!(open.body["status"], "open");
        assert_eq!(open.body["allowed_actions"], json!(["close"]));

        let public = app.get(&path, None).await.expect(200);
        assert_eq!(public.body["title"], json!({"en": "Mini-projects 2026"}));
        assert!(public.body.get("committee_user_ids").is_none());
        assert_eq!(public.body["allowed_actions"], json!([]));
        let listed = app.get("/api/v1/calls?status=open", None).await.expect(200);
        assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
        app.get(&path, Some(&expert)).await.expect(200);

        let edit = app.patch(&path, Some(&c.manager), &json!({"title": {"en": "Too late"}})).await.expect_problem(409);
        assert_eq!(edit.body["current_state"], "open");
        assert_eq!(edit.body["allowed_actions"], json!(["close"]));
        let closed = app.post(&format!("{path}/close"), Some(&c.manager), &json!({})).await.expect(200);
        assert_eq!(closed.body["status"], "closed");
        // Closed and not yet decided: hidden from anonymous callers, visible when signed in.
        app.get(&path, None).await.expect_problem(404);
        app.get(&path, Some(&c.outsider)).await.expect(200);
        app.post(&format!("{path}/publish"), Some(&c.manager), &json!({})).await.expect_problem(409);
    }

    async fn a_call_closes_by_itself_at_closes_at(app) {
        let c = cast(&app).await;
        let programme = active_programme(&app, &c).await;
        let mut body = call_body(&[]);
        body["closes_at"] = json!(rfc3339_in(6));
        let id = draft_call(&app, &c, &programme, &body).await;
        let path = format!("/api/v1/calls/{id}");
        app.post(&format!("{path}/publish"), Some(&c.manager), &json!({})).await.expect(200);
        assert_eq!(app.get(&path, None).await.expect(200).body["status"], "open");
        let closes_at = chrono::DateTime::parse_from_rfc3339(body["closes_at"].as_str().unwrap()).unwrap();
        app.clock.set(closes_at.naive_utc());
        let r = app.get(&path, Some(&c.manager)).await.expect(200);
        assert_eq!(r.body["status"], "closed");
        assert_eq!(r.body["allowed_actions"], json!(["decide"]));
        app.get(&path, None).await.expect_problem(404);
        let closed = app.get("/api/v1/calls?status=closed", Some(&c.manager)).await.expect(200);
        assert_eq!(closed.body["data"].as_array().unwrap().len(), 1);
        let open = app.get("/api/v1/calls?status=open", Some(&c.manager)).await.expect(200);
        assert_eq!(open.body["data"], json!([]));
        let again = app.post(&format!("{path}/close"), Some(&c.manager), &json!({})).await.expect_problem(409);
        assert_eq!(again.body["current_state"], "closed");

        let mut late = call_body(&[]);
        late["opens_at"] = json!(rfc3339_in(-7200));
        late["closes_at"] = json!(rfc3339_in(-3600));
        let late = draft_call(&app, &c, &programme, &late).await;
        let r = app.post(&format!("/api/v1/calls/{late}/publish"), Some(&c.manager), &json!({})).await.expect_problem(409);
        assert!(r.body["detail"].as_str().unwrap().contains("ended"));
    }
}
