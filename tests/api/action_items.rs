//! Action items of meetings, on both backends: the organisers add follow-ups with an owner and
//! a due date (every refusal with its field), whoever sees the meeting reads them, the owner
//! marks them done and nobody else does, overdue follows the app's clock, and a user lists the
//! items they or the organisations they run own; a participants-only meeting's items are 404
//! to outsiders.

use crate::both_backends;
use crate::meetings::{body, create, member_of_new_org, world};
use serde_json::{Value, json};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

fn texts(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn organisers_assign_follow_ups_that_owners_complete(app) {
        let w = world(&app).await;
        let (akimat, akim) = member_of_new_org(&app, &w.admin, "District Akimat", "manager").await;
        let (_, stranger) = member_of_new_org(&app, &w.admin, "Unrelated Fund", "owner").await;
        let (volunteer_id, _) = app.user(&w.admin, "volunteer@example.org").await;
        let public = create(&app, &w.manager, &body(&w.organiser, json!({}))).await;
        let closed = create(&app, &w.manager, &body(&w.organiser, json!({"visibility": "participants", "participants": [{"organization_id": akimat, "role": "government_body"}]}))).await;
        let items = format!("/api/v1/meetings/{}/action-items", public["id"].as_str().unwrap());
        let closed_items = format!("/api/v1/meetings/{}/action-items", closed["id"].as_str().unwrap());

        // Refusals: no owner and no text; unknown owners; not an organiser; a cancelled meeting.
        let r = app.post(&items, Some(&w.manager), &json!({"text": " ", "due_on": "2026-12-15"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("text", "length"), ("owner_organization_id", "required")]));
        let r = app.post(&items, Some(&w.manager), &json!({"text": "Call", "owner_organization_id": "0193a0c4-8000-7000-8000-00000000dead", "due_on": "2026-12-15"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("owner_organization_id", "exists")]));
        let r = app.post(&items, Some(&w.manager), &json!({"text": "Call", "owner_user_id": "0193a0c4-8000-7000-8000-00000000dead", "due_on": "2026-12-15"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("owner_user_id", "exists")]));
        app.post(&items, Some(&akim), &json!({"text": "Call", "owner_organization_id": akimat, "due_on": "2026-12-15"})).await.expect_problem(403);
        app.post(&closed_items, Some(&stranger), &json!({"text": "Call", "owner_organization_id": akimat, "due_on": "2026-12-15"})).await.expect_problem(404);

        // Two follow-ups: one for the akimat, one for a volunteer.
        let a = app.post(&items, Some(&w.manager), &json!({"text": "Publish the draft regulation on monthly meetings", "owner_organization_id": akimat, "due_on": "2026-12-15"})).await.expect(201);
        assert_eq!(a.body["allowed_actions"], json!(["edit", "complete"]));
        assert_eq!(a.header("etag"), Some("\"1\""));
        let a_path = a.header("location").unwrap().to_owned();
        let b = app.post(&items, Some(&w.manager), &json!({"text": "Collect the CSOs' proposals", "owner_user_id": volunteer_id, "due_on": "2027-01-31"})).await.expect(201);
        let b_path = b.header("location").unwrap().to_owned();
        app.post(&closed_items, Some(&w.manager), &json!({"text": "Invite the deputy akim", "owner_organization_id": akimat, "due_on": "2026-12-20"})).await.expect(201);

        // Anyone reads a public meeting's items; the owner may complete, not edit.
        let listed = app.get(&items, None).await.expect(200);
        assert_eq!(texts(&listed.body), ["Publish the draft regulation on monthly meetings", "Collect the CSOs' proposals"]);
        assert_eq!(listed.body["data"][0]["allowed_actions"], json!([]));
        let seen = app.get(&a_path, Some(&akim)).await.expect(200);
        assert_eq!(seen.body["allowed_actions"], json!(["complete"]));
        app.patch(&a_path, Some(&akim), &json!({"due_on": "2027-06-01"})).await.expect_problem(403);
        app.patch(&a_path, Some(&stranger), &json!({"done": true})).await.expect_problem(403);
        app.patch(&b_path, Some(&akim), &json!({"done": true})).await.expect_problem(403);
        // Outsiders see nothing of a participants-only meeting; the akimat, a participant, does.
        app.get(&closed_items, Some(&stranger)).await.expect_problem(404);
        app.get(&closed_items, None).await.expect_problem(404);
        assert_eq!(texts(&app.get(&closed_items, Some(&akim)).await.expect(200).body), ["Invite the deputy akim"]);

        // Overdue follows the clock: after 15 December the akimat's first item is overdue.
        let later = chrono::DateTime::parse_from_rfc3339("2026-12-20T09:00:00Z").unwrap().naive_utc();
        app.clock.set(later);
        let (akim, volunteer, manager) = (app.token("district-akimat@example.org").await, app.token("volunteer@example.org").await, app.token("manager@example.org").await);
        let late = app.get(&format!("{items}?overdue=true"), Some(&akim)).await.expect(200);
        assert_eq!(texts(&late.body), ["Publish the draft regulation on monthly meetings"]);
        assert_eq!(late.body["data"][0]["overdue"], true);

        // The owner completes it (If-Match honoured); done is never overdue.
        app.raw(awc::http::Method::PATCH, &a_path, &[("Authorization", &format!("Bearer {akim}")), ("If-Match", "\"9\""), ("Content-Type", "application/json")], br#"{"done": true}"#.to_vec()).await.expect_problem(412);
        let done = app.patch(&a_path, Some(&akim), &json!({"done": true})).await.expect(200);
        assert_eq!((&done.body["done"], &done.body["overdue"], &done.body["allowed_actions"]), (&json!(true), &json!(false), &json!(["reopen"])));
        assert_eq!(done.body["done_at"], "2026-12-20T09:00:00Z");
        assert!(texts(&app.get(&format!("{items}?overdue=true"), None).await.expect(200).body).is_empty());
        // The organiser edits the other and gives it to the akimat.
        let moved = app.patch(&b_path, Some(&manager), &json!({"owner_organization_id": akimat, "owner_user_id": null, "due_on": "2027-02-15"})).await.expect(200);
        assert_eq!((&moved.body["owner_user_id"], &moved.body["due_on"]), (&Value::Null, &json!("2027-02-15")));
        let r = app.patch(&b_path, Some(&manager), &json!({"owner_organization_id": null})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("owner_organization_id", "required")]));

        // My action items: the akimat's manager sees the three of the akimat; the volunteer none now.
        let mine = app.get("/api/v1/me/action-items", Some(&akim)).await.expect(200);
        assert_eq!(mine.body["data"].as_array().unwrap().len(), 3);
        let open = app.get("/api/v1/me/action-items?done=false", Some(&akim)).await.expect(200);
        assert_eq!(texts(&open.body), ["Collect the CSOs' proposals", "Invite the deputy akim"]);
        assert!(app.get("/api/v1/me/action-items", Some(&volunteer)).await.expect(200).body["data"].as_array().unwrap().is_empty());
        app.get("/api/v1/me/action-items", None).await.expect_problem(401);

        // A cancelled meeting takes no more follow-ups.
        app.post(&format!("/api/v1/meetings/{}/cancel", closed["id"].as_str().unwrap()), Some(&manager), &json!({"reason": "The akim is away."})).await.expect(200);
        app.post(&closed_items, Some(&manager), &json!({"text": "Call", "owner_organization_id": akimat, "due_on": "2027-01-15"})).await.expect_problem(409);
    }
}
