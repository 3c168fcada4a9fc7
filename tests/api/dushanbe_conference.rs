//! The Dushanbe conference, told through HTTP on both backends: an NGO platform organises a
//! public conference in Dushanbe with the Ministry of Justice as participant; the agenda lists
//! the recommendations discussed; 20 recommendations are addressed to the ministry; the
//! meeting is held and its minutes published; the ministry's manager takes some under
//! consideration, adopts two ("a single reporting form", "mandatory monthly meetings between
//! local authorities and CSOs"), rejects some and implements one with evidence; the history
//! shows each change with its author and evidence; anyone reads the public statistics (made
//! 20, adopted 2, implemented 1), per meeting and per addressee; a member of an unrelated
//! organisation gets 404 on a participants-only meeting's recommendations and minutes.

use crate::both_backends;
use crate::recommendations::government;
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

both_backends! {
    async fn the_dushanbe_conference_tracks_its_twenty_recommendations(app) {
        // The story is told in October 2027, after the changes it records.
        app.clock.set(chrono::DateTime::parse_from_rfc3339("2027-10-01T09:00:00Z").unwrap().naive_utc());
        let admin = app.admin_token().await;
        // The organiser: an NGO platform, with its coordinator as manager.
        let platform = app.post("/api/v1/organizations", Some(&admin), &json!({
            "kind": "network", "name": {"en": "Civil Society Platform of Tajikistan"}, "country": "TJ"
        })).await.expect(201);
        let platform = id(&platform.body);
        let (coordinator_id, coordinator) = app.user(&admin, "coordinator@platform.tj").await;
        app.add_member(&admin, &platform, &coordinator_id, "manager").await;
        // The Ministry of Justice, a government body, with its manager.
        let ministry = government(&app, &admin, "Ministry of Justice of the Republic of Tajikistan").await;
        let (official_id, official) = app.user(&admin, "deputy@adliya.tj").await;
        app.add_member(&admin, &ministry, &official_id, "manager").await;
        let (_, stranger) = crate::meetings::member_of_new_org(&app, &admin, "Unrelated Fund", "member").await;

        let conference = app.post("/api/v1/meetings", Some(&coordinator), &json!({
            "kind": "conference",
            "title": {"en": "National conference on CSO reporting", "ru": "Национальная конференция об отчётности НКО"},
            "organizer_organization_ids": [platform],
            "participants": [{"organization_id": ministry, "role": "government_body"}],
            "starts_at": "2027-05-20T09:00:00+05:00", "ends_at": "2027-05-20T17:00:00+05:00",
            "time_zone": "Asia/Dushanbe", "format": "in_person",
            "place": {"address": "Rudaki Ave 42, Dushanbe", "region": "TJ-DU"},
            "visibility": "public"
        })).await.expect(201);
        assert_eq!(conference.body["starts_at"], "2027-05-20T04:00:00Z");
        assert_eq!(conference.body["time_zone"], "Asia/Dushanbe");
        let meeting = id(&conference.body);
        let recs = format!("/api/v1/meetings/{meeting}/recommendations");

        // Twenty recommendations addressed to the ministry.
        let mut texts = vec![
            "A single reporting form for all CSOs".to_owned(),
            "Mandatory monthly meetings between local authorities and CSOs".to_owned(),
        ];
        texts.extend((3..=20).map(|n| format!("Recommendation {n} of the conference")));
        let mut ids = Vec::new();
        for text in &texts {
            let r = app.post(&recs, Some(&coordinator), &json!({
                "text": {"en": text}, "proposer_organization_ids": [platform],
                "addressee_organization_id": ministry, "theme": "civic_space"
            })).await.expect(201);
            ids.push(id(&r.body));
        }
        let (form, meetings_rec) = (ids[0].clone(), ids[1].clone());

        // The agenda lists the recommendations discussed.
        let agenda = app.put_if_match(&format!("/api/v1/meetings/{meeting}/agenda"), &coordinator, None, &json!({"items": [
            {"title": {"en": "Opening"}, "presenter": "Platform coordinator", "minutes": 20},
            {"title": {"en": "Reporting by CSOs"}, "presenter": "Deputy Minister of Justice", "minutes": 90, "recommendation_ids": [form]},
            {"title": {"en": "Dialogue with local authorities"}, "minutes": 90, "recommendation_ids": [meetings_rec]}
        ]})).await.expect(200);
        assert_eq!(agenda.body["agenda"][1]["recommendation_ids"], json!([form]));

        // Held; the minutes with their decisions are published.
        app.post(&format!("/api/v1/meetings/{meeting}/hold"), Some(&coordinator), &json!({})).await.expect(200);
        app.put_if_match(&format!("/api/v1/meetings/{meeting}/minutes"), &coordinator, None, &json!({
            "decisions": [
                {"en": "The ministry answers every recommendation within 60 days.", "ru": "Министерство отвечает на каждую рекомендацию в течение 60 дней."},
                {"en": "The platform reports on progress at the next annual meeting."}
            ]
        })).await.expect(200);
        let minutes = app.post(&format!("/api/v1/meetings/{meeting}/publish-minutes"), Some(&coordinator), &json!({})).await.expect(200);
        assert_eq!(minutes.body["recommendations"].as_array().unwrap().len(), 20);
        assert_eq!(minutes.body["attendance"]["by_organization_kind"], json!([{"kind": "government", "count": 1}]));
        let read = app.get(&format!("/api/v1/meetings/{meeting}/minutes"), None).await.expect(200);
        assert_eq!(read.body["decisions"].as_array().unwrap().len(), 2);

        // The ministry's manager moves them: 8 under consideration, 2 of those adopted, 3 rejected.
        let act = |rec: &str, action: &str| format!("/api/v1/recommendations/{rec}/{action}");
        for rec in &ids[..8] {
            let r = app.post(&act(rec, "consider"), Some(&official), &json!({"note": "Sent to the legal department", "on": "2027-05-25"})).await.expect(200);
            assert_eq!(r.body["status"], "under_consideration");
        }
        for rec in [&form, &meetings_rec] {
            app.post(&act(rec, "adopt"), Some(&official), &json!({"note": "Adopted by the collegium of the ministry", "on": "2027-06-15"})).await.expect(200);
        }
        for rec in &ids[2..5] {
            app.post(&act(rec, "reject"), Some(&official), &json!({"note": "Outside the ministry's remit"})).await.expect(200);
        }
        // Implementing needs evidence; with it, the single reporting form is implemented.
        app.post(&act(&form, "implement"), Some(&official), &json!({"note": "In force"})).await.expect_problem(422);
        let evidence = "https://adliya.tj/orders/2027/112";
        let done = app.post(&act(&form, "implement"), Some(&official), &json!({
            "note": "Order No. 112 introduces the single reporting form", "evidence_url": evidence, "on": "2027-09-01"
        })).await.expect(200);
        assert_eq!(done.body["status"], "implemented");
        app.post(&act(&meetings_rec, "reject"), Some(&official), &json!({"note": "No"})).await.expect_problem(409);

        // The history shows each change with its author and evidence.
        let history = app.get(&format!("/api/v1/recommendations/{form}/history"), None).await.expect(200);
        let changes = history.body["data"].as_array().unwrap();
        let steps: Vec<(&str, &str, &str)> = changes.iter().map(|c| (c["from"].as_str().unwrap(), c["to"].as_str().unwrap(), c["on"].as_str().unwrap())).collect();
        assert_eq!(steps, [
            ("proposed", "under_consideration", "2027-05-25"),
            ("under_consideration", "adopted", "2027-06-15"),
            ("adopted", "implemented", "2027-09-01"),
        ]);
        for c in changes {
            assert_eq!(c["author_user_id"], json!(official_id));
            assert_eq!(c["acting_organization_id"], json!(ministry));
        }
        assert_eq!(changes[2]["evidence_url"], evidence);
        assert_eq!(changes[2]["note"], "Order No. 112 introduces the single reporting form");
        assert!(changes[0]["evidence_url"].is_null());
        // A client syncing the history asks for what was recorded since it last looked.
        let last = changes[2]["recorded_at"].as_str().unwrap();
        let since = app.get(&format!("/api/v1/recommendations/{form}/history?updated_since={last}"), None).await.expect(200);
        let recent = since.body["data"].as_array().unwrap();
        assert!(recent.contains(&changes[2]) && recent.iter().all(|c| c["recorded_at"].as_str().unwrap() >= last), "{recent:?}");
        let later = app.get(&format!("/api/v1/recommendations/{form}/history?updated_since=2099-01-01T00:00:00Z"), None).await.expect(200);
        assert_eq!(later.body["data"], json!([]));

        // Anyone reads the public statistics: 20 made, 2 adopted, 1 implemented.
        let expected = json!({"made": 20, "proposed": 12, "under_consideration": 3, "adopted": 2, "rejected": 3, "implemented": 1});
        let by_meeting = app.get(&format!("/api/v1/meetings/{meeting}/recommendation-statistics"), None).await.expect(200);
        assert_eq!(by_meeting.body, expected);
        let by_addressee = app.get(&format!("/api/v1/organizations/{ministry}/recommendation-statistics"), None).await.expect(200);
        assert_eq!(by_addressee.body, expected);
        let adopted = app.get(&format!("/api/v1/recommendations?addressee_id={ministry}&status=adopted"), None).await.expect(200);
        assert_eq!(adopted.body["data"][0]["text"]["en"], "Mandatory monthly meetings between local authorities and CSOs");

        // A participants-only round table: outsiders see none of its recommendations or minutes.
        let closed = app.post("/api/v1/meetings", Some(&coordinator), &json!({
            "kind": "round_table", "title": {"en": "Closed round table with the ministry"},
            "organizer_organization_ids": [platform],
            "participants": [{"organization_id": ministry, "role": "government_body"}],
            "starts_at": "2027-06-01T10:00:00+05:00", "ends_at": "2027-06-01T12:00:00+05:00",
            "time_zone": "Asia/Dushanbe", "format": "online", "online_url": "https://meet.example.org/closed",
            "visibility": "participants"
        })).await.expect(201);
        let closed = id(&closed.body);
        let closed_rec = app.post(&format!("/api/v1/meetings/{closed}/recommendations"), Some(&coordinator), &json!({
            "text": {"en": "Publish the ministry's reporting guidance"}, "proposer_organization_ids": [platform],
            "addressee_organization_id": ministry, "theme": "reporting"
        })).await.expect(201);
        app.post(&format!("/api/v1/meetings/{closed}/hold"), Some(&coordinator), &json!({})).await.expect(200);
        app.put_if_match(&format!("/api/v1/meetings/{closed}/minutes"), &coordinator, None, &json!({"decisions": [{"en": "Meet again in July."}]})).await.expect(200);
        app.post(&format!("/api/v1/meetings/{closed}/publish-minutes"), Some(&coordinator), &json!({})).await.expect(200);
        for path in [
            format!("/api/v1/meetings/{closed}/recommendations"),
            format!("/api/v1/meetings/{closed}/minutes"),
            format!("/api/v1/meetings/{closed}/recommendation-statistics"),
            format!("/api/v1/recommendations/{}", id(&closed_rec.body)),
            format!("/api/v1/recommendations/{}/history", id(&closed_rec.body)),
        ] {
            app.get(&path, Some(&stranger)).await.expect_problem(404);
            app.get(&path, None).await.expect_problem(404);
        }
        // The ministry sees it; the public addressee statistics still count only the 20.
        app.get(&format!("/api/v1/meetings/{closed}/minutes"), Some(&official)).await.expect(200);
        let public = app.get(&format!("/api/v1/organizations/{ministry}/recommendation-statistics"), Some(&stranger)).await.expect(200);
        assert_eq!(public.body["made"], 20);
        let own = app.get(&format!("/api/v1/organizations/{ministry}/recommendation-statistics"), Some(&official)).await.expect(200);
        assert_eq!(own.body["made"], 21);
    }
}
