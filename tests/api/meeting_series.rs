//! Meeting series through HTTP on both backends: the monthly local dialogue of a district
//! akimat and CSOs (first Tuesday, twelve months) made as twelve meetings, held or cancelled
//! one by one, and its compliance view read anonymously in the middle of the year and after
//! it; every refusal with its field; who sees a participants-only series.

use crate::both_backends;
use crate::helpers::TestApp;
use crate::meetings::{World, member_of_new_org, world};
use serde_json::{Value, json};

/// The monthly dialogue: first Tuesday at 10:00 in Almaty, two hours, twelve months.
fn dialogue(organiser: &str, akimat: &str, csos: &[&str], extra: Value) -> Value {
    let mut participants = vec![json!({"organization_id": akimat, "role": "government_body"})];
    participants.extend(
        csos.iter()
            .map(|c| json!({"organization_id": c, "role": "cso"})),
    );
    let mut b = json!({
        "kind": "dialogue",
        "title": {"en": "Monthly local dialogue", "kk": "Ай сайынғы жергілікті диалог"},
        "organizer_organization_ids": [organiser],
        "participants": participants,
        "starts_at": "2027-01-05T10:00:00+05:00",
        "ends_at": "2027-01-05T12:00:00+05:00",
        "time_zone": "Asia/Almaty",
        "format": "in_person",
        "place": {"address": "Abay Ave 1, Taldykorgan", "region": "KZ-10"},
        "visibility": "public",
        "recurrence": "FREQ=MONTHLY;BYDAY=1TU;COUNT=12"
    });
    if let (Some(b), Some(extra)) = (b.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            b.insert(k.clone(), v.clone());
        }
    }
    b
}

fn at(rfc3339: &str) -> chrono::NaiveDateTime {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .naive_utc()
}

fn verdicts(view: &Value) -> Vec<(String, String)> {
    view["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["starts_on"].as_str().unwrap().to_owned(),
                p["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// The district akimat (a government body, its member's token) and two CSOs.
async fn parties(app: &TestApp, w: &World) -> (String, String, Vec<String>) {
    let (akimat, akim) = member_of_new_org(app, &w.admin, "District Akimat", "member").await;
    let cso1 = app.organization(&w.admin, "Youth Initiatives").await;
    let cso2 = app.organization(&w.admin, "Women of Zhetysu").await;
    (akimat, akim, vec![cso1, cso2])
}

async fn act(app: &TestApp, token: &str, meeting: &str, action: &str) {
    let body = if action == "cancel" {
        json!({"reason": "The akim was away; the dialogue did not take place."})
    } else {
        json!({})
    };
    app.post(
        &format!("/api/v1/meetings/{meeting}/{action}"),
        Some(token),
        &body,
    )
    .await
    .expect(200);
}

both_backends! {
    async fn a_monthly_dialogue_shows_which_months_were_missed(app) {
        let w = world(&app).await;
        let (akimat, akim, csos) = parties(&app, &w).await;
        let body = dialogue(&w.organiser, &akimat, &[&csos[0], &csos[1]], json!({}));
        let r = app.post("/api/v1/meeting-series", Some(&w.manager), &body).await.expect(201);
        let s = r.body.clone();
        let id = s["id"].as_str().unwrap().to_owned();
        assert_eq!(r.header("location").unwrap(), format!("/api/v1/meeting-series/{id}"));
        assert_eq!(r.header("etag").unwrap(), "\"1\"");
        assert_eq!(s["recurrence"], "FREQ=MONTHLY;BYDAY=1TU;COUNT=12");
        assert_eq!(s["frequency"], "monthly");
        assert_eq!(s["occurrence_count"], 12);
        assert_eq!(s["starts_at"], "2027-01-05T05:00:00Z");
        assert_eq!(s["last_starts_at"], "2027-12-07T05:00:00Z");
        assert_eq!(s["participants"][0], json!({"organization_id": akimat, "role": "government_body"}));
        assert_eq!(s["meetings_url"], format!("/api/v1/meetings?series_id={id}"));
        let meeting_ids: Vec<String> = s["meeting_ids"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect();
        assert_eq!(meeting_ids.len(), 12);

        // Every occurrence is a meeting of its own, listed by series, at 10:00 Almaty on the
        // first Tuesday, two hours long.
        let list = app.get(&format!("/api/v1/meetings?series_id={id}&limit=50"), None).await.expect(200);
        let occ = list.body["data"].as_array().unwrap();
        assert_eq!(occ.len(), 12);
        let starts: Vec<&str> = occ.iter().map(|m| m["starts_at"].as_str().unwrap()).collect();
        assert_eq!(starts, [
            "2027-01-05T05:00:00Z", "2027-02-02T05:00:00Z", "2027-03-02T05:00:00Z",
            "2027-04-06T05:00:00Z", "2027-05-04T05:00:00Z", "2027-06-01T05:00:00Z",
            "2027-07-06T05:00:00Z", "2027-08-03T05:00:00Z", "2027-09-07T05:00:00Z",
            "2027-10-05T05:00:00Z", "2027-11-02T05:00:00Z", "2027-12-07T05:00:00Z",
        ]);
        assert!(occ.iter().all(|m| m["series_id"] == json!(id) && m["status"] == "planned" && m["kind"] == "dialogue"));
        assert_eq!(occ[11]["ends_at"], "2027-12-07T07:00:00Z");
        let ids: Vec<String> = occ.iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(ids, meeting_ids);
        let single = app.get(&format!("/api/v1/meetings/{}", ids[0]), Some(&akim)).await.expect(200);
        assert_eq!(single.body["series_id"], json!(id));
        // Other meetings are not in the series' list.
        crate::meetings::create(&app, &w.manager, &crate::meetings::body(&w.organiser, json!({}))).await;
        let all = app.get("/api/v1/meetings?limit=50", None).await.expect(200);
        assert_eq!(all.body["data"].as_array().unwrap().len(), 13);
        assert_eq!(all.body["data"][12]["series_id"], Value::Null);

        // January and February held, March cancelled: in mid-March, March is still upcoming.
        act(&app, &w.manager, &ids[0], "hold").await;
        act(&app, &w.manager, &ids[1], "hold").await;
        act(&app, &w.manager, &ids[2], "cancel").await;
        // The akimat (a participant) may read but not run an occurrence.
        app.post(&format!("/api/v1/meetings/{}/hold", ids[3]), Some(&akim), &json!({})).await.expect_problem(403);
        app.clock.set(at("2027-03-15T06:00:00Z"));
        let compliance = format!("/api/v1/meeting-series/{id}/compliance");
        let mid = app.get(&compliance, None).await.expect(200).body;
        assert_eq!(mid["today"], "2027-03-15");
        assert_eq!(mid["time_zone"], "Asia/Almaty");
        let v = verdicts(&mid);
        assert_eq!(v[..3], pairs(&[("2027-01-01", "held_without_minutes"), ("2027-02-01", "held_without_minutes"), ("2027-03-01", "upcoming")]));
        assert!(v[3..].iter().all(|(_, v)| v == "upcoming"));
        assert_eq!(mid["totals"], json!({"periods": 12, "compliant": 0, "held": 2, "held_without_minutes": 2, "missed": 0, "upcoming": 10}));
        assert_eq!(mid["periods"][2]["meetings"], json!([{"id": ids[2], "status": "cancelled", "starts_at": "2027-03-02T05:00:00Z"}]));

        // The year goes by: all held but August, which is cancelled too; the minutes of January,
        // February and April are written and published.
        app.clock.set(at("2028-01-10T06:00:00Z"));
        let manager = app.token("manager@example.org").await;
        for (i, m) in ids.iter().enumerate().skip(3) {
            act(&app, &manager, m, if i == 7 { "cancel" } else { "hold" }).await;
        }
        for m in [&ids[0], &ids[1], &ids[3]] {
            let decisions = json!({"decisions": [{"en": "The akimat answers the CSOs' questions in writing within a month."}]});
            app.put_if_match(&format!("/api/v1/meetings/{m}/minutes"), &manager, None, &decisions).await.expect(200);
            app.post(&format!("/api/v1/meetings/{m}/publish-minutes"), Some(&manager), &json!({})).await.expect(200);
        }

        let view = app.get(&compliance, None).await.expect(200).body;
        assert_eq!(view["series_id"], json!(id));
        assert_eq!(view["frequency"], "monthly");
        assert_eq!(view["today"], "2028-01-10");
        assert_eq!(verdicts(&view), pairs(&[
            ("2027-01-01", "compliant"), ("2027-02-01", "compliant"), ("2027-03-01", "missed"),
            ("2027-04-01", "compliant"), ("2027-05-01", "held_without_minutes"),
            ("2027-06-01", "held_without_minutes"), ("2027-07-01", "held_without_minutes"),
            ("2027-08-01", "missed"), ("2027-09-01", "held_without_minutes"),
            ("2027-10-01", "held_without_minutes"), ("2027-11-01", "held_without_minutes"),
            ("2027-12-01", "held_without_minutes"),
        ]));
        assert_eq!(view["totals"], json!({"periods": 12, "compliant": 3, "held": 10, "held_without_minutes": 7, "missed": 2, "upcoming": 0}));
        let missed: Vec<&Value> = view["periods"].as_array().unwrap().iter().filter(|p| p["verdict"] == "missed").collect();
        assert_eq!(missed[0]["ends_on"], "2027-03-31");
        assert_eq!(missed[1]["starts_on"], "2027-08-01");
        assert_eq!(missed[1]["ends_on"], "2027-08-31");
        assert_eq!((&missed[1]["held"], &missed[1]["minutes_published"]), (&json!(false), &json!(false)));
        assert_eq!(missed[1]["meetings"][0]["status"], "cancelled");
        assert_eq!(view["periods"][0]["meetings"], json!([{"id": ids[0], "status": "minutes_published", "starts_at": "2027-01-05T05:00:00Z"}]));
        assert_eq!((&view["periods"][4]["held"], &view["periods"][4]["minutes_published"]), (&json!(true), &json!(false)));
        assert_eq!(view["outside"], json!([]));

        // A window keeps the periods that overlap it; a window backwards is refused.
        let spring = app.get(&format!("{compliance}?from=2027-03-10&to=2027-05-01"), None).await.expect(200).body;
        assert_eq!(verdicts(&spring), pairs(&[("2027-03-01", "missed"), ("2027-04-01", "compliant"), ("2027-05-01", "held_without_minutes")]));
        assert_eq!(spring["totals"], json!({"periods": 3, "compliant": 1, "held": 2, "held_without_minutes": 1, "missed": 1, "upcoming": 0}));
        let r = app.get(&format!("{compliance}?from=2027-05-01&to=2027-03-01"), None).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("to", "after")]));
        app.get(&format!("{compliance}?from=May"), None).await.expect_problem(422);

        // The series reads back (anonymous, ETag) and is listed, also by updated_since.
        let read = app.get(&format!("/api/v1/meeting-series/{id}"), None).await.expect(200);
        assert_eq!(read.header("etag").unwrap(), "\"1\"");
        assert_eq!(read.body["meeting_ids"], json!(ids));
        let listed = app.get("/api/v1/meeting-series", None).await.expect(200);
        assert_eq!(listed.body["data"][0]["id"], json!(id));
        assert_eq!(listed.body["data"][0]["meeting_ids"].as_array().unwrap().len(), 12);
        let later = app.get("/api/v1/meeting-series?updated_since=2030-01-01T00:00:00Z", None).await.expect(200);
        assert_eq!(later.body["data"], json!([]));
    }

    async fn every_refusal_names_its_rule(app) {
        let w = world(&app).await;
        let (akimat, akim, csos) = parties(&app, &w).await;
        let ok = |extra: Value| dialogue(&w.organiser, &akimat, &[&csos[0]], extra);
        app.post("/api/v1/meeting-series", None, &ok(json!({}))).await.expect_problem(401);
        let refused = |r: crate::helpers::Resp| r.expect_problem(422).field_errors();
        let cases = [
            (json!({"recurrence": "FREQ=SOMETIMES;COUNT=3"}), vec![("recurrence", "rrule")]),
            (json!({"recurrence": "RRULE:FREQ=MONTHLY;COUNT=3"}), vec![("recurrence", "rrule")]),
            (json!({"recurrence": "FREQ=MONTHLY;BYDAY=1TU"}), vec![("recurrence", "unbounded")]),
            (json!({"recurrence": "FREQ=WEEKLY;BYDAY=TU;COUNT=121"}), vec![("recurrence", "max_occurrences")]),
            (json!({"recurrence": "FREQ=DAILY;UNTIL=20300101T000000Z"}), vec![("recurrence", "max_occurrences")]),
            (json!({"recurrence": "FREQ=HOURLY;COUNT=3"}), vec![("recurrence", "frequency")]),
            (json!({"recurrence": "FREQ=MONTHLY;BYDAY=2TU;COUNT=3"}), vec![("starts_at", "recurrence")]),
            (json!({"recurrence": "F".repeat(501)}), vec![("recurrence", "max_length")]),
            (
                json!({"time_zone": "Asia/Atlantis", "recurrence": "F".repeat(501)}),
                vec![("time_zone", "time_zone"), ("recurrence", "max_length")],
            ),
            (
                json!({"format": "online", "place": null, "recurrence": "FREQ=WEEKLY"}),
                vec![("online_url", "required"), ("recurrence", "unbounded")],
            ),
            (
                json!({"ends_at": "2027-01-05T09:00:00+05:00"}),
                vec![("ends_at", "after")],
            ),
            (
                json!({"organizer_organization_ids": ["0193a0c4-7c1e-7d4a-9a51-000000000000"]}),
                vec![("organizer_organization_ids.0", "exists")],
            ),
        ];
        for (extra, want) in cases {
            let r = app.post("/api/v1/meeting-series", Some(&w.manager), &ok(extra.clone())).await;
            assert_eq!(refused(r), pairs(&want), "{extra}");
        }
        // Nothing was made by any refused request.
        assert_eq!(app.get("/api/v1/meetings", None).await.expect(200).body["data"], json!([]));

        // Only owners and managers of an organiser (and admins) make a series.
        let (_, clerk) = member_of_new_org(&app, &w.admin, "Clerks", "member").await;
        let (_, other_owner) = member_of_new_org(&app, &w.admin, "Other NGO", "owner").await;
        let organiser_member = {
            let (uid, token) = app.user(&w.admin, "volunteer@example.org").await;
            app.add_member(&w.admin, &w.organiser, &uid, "member").await;
            token
        };
        for token in [&clerk, &other_owner, &organiser_member, &akim] {
            app.post("/api/v1/meeting-series", Some(token), &ok(json!({}))).await.expect_problem(403);
        }
        app.post("/api/v1/meeting-series", Some(&w.admin), &ok(json!({"recurrence": "FREQ=YEARLY;COUNT=2"}))).await.expect(201);

        // A participants-only series: its organisers and participants see it and its view;
        // outsiders and anonymous callers get 404, and its meetings are hidden from them too.
        let closed = app
            .post("/api/v1/meeting-series", Some(&w.manager), &ok(json!({"visibility": "participants", "recurrence": "FREQ=WEEKLY;COUNT=3;BYDAY=TU"})))
            .await
            .expect(201)
            .body;
        assert_eq!(closed["frequency"], "weekly");
        let path = format!("/api/v1/meeting-series/{}", closed["id"].as_str().unwrap());
        for token in [Some(&w.manager), Some(&akim), Some(&organiser_member), Some(&w.admin)] {
            app.get(&path, token.map(String::as_str)).await.expect(200);
            app.get(&format!("{path}/compliance"), token.map(String::as_str)).await.expect(200);
        }
        for token in [Some(clerk.as_str()), Some(other_owner.as_str()), None] {
            app.get(&path, token).await.expect_problem(404);
            app.get(&format!("{path}/compliance"), token).await.expect_problem(404);
            let list = app.get("/api/v1/meeting-series", token).await.expect(200);
            assert_eq!(list.body["data"].as_array().unwrap().len(), 1, "only the public yearly series");
            let meetings = app.get(&format!("/api/v1/meetings?series_id={}", closed["id"].as_str().unwrap()), token).await.expect(200);
            assert_eq!(meetings.body["data"], json!([]));
        }
        let list = app.get("/api/v1/meeting-series", Some(&akim)).await.expect(200);
        assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
        let weekly = app.get(&format!("{path}/compliance"), Some(&akim)).await.expect(200).body;
        assert_eq!(weekly["periods"][0]["starts_on"], "2027-01-04");
        assert_eq!(weekly["periods"][0]["ends_on"], "2027-01-10");
        app.get("/api/v1/meeting-series/0193a0c4-f900-7000-8000-000000000009", Some(&w.admin)).await.expect_problem(404);
    }

    async fn cancelling_a_series_cancels_only_what_remains(app) {
        let w = world(&app).await;
        let (akimat, _, csos) = parties(&app, &w).await;
        let weekly = dialogue(&w.organiser, &akimat, &[&csos[0]], json!({"recurrence": "FREQ=WEEKLY;COUNT=4"}));
        let s = app.post("/api/v1/meeting-series", Some(&w.manager), &weekly).await.expect(201).body;
        let id = s["id"].as_str().unwrap().to_owned();
        let ids: Vec<String> = s["meeting_ids"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect();
        act(&app, &w.manager, &ids[0], "hold").await;
        // On 13 January the second meeting (12 January) is past but not marked held.
        app.clock.set(at("2027-01-13T06:00:00Z"));
        let manager = app.token("manager@example.org").await;
        let akim = app.token("district-akimat@example.org").await;
        let path = format!("/api/v1/meeting-series/{id}/cancel");
        let why = json!({"reason": "The dialogue moves to a quarterly rhythm."});
        app.post(&path, None, &why).await.expect_problem(401);
        app.post(&path, Some(&akim), &why).await.expect_problem(403);
        let r = app.post(&path, Some(&manager), &json!({"reason": " "})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("reason", "required")]));
        let stale = app.raw(awc::http::Method::POST, &path, &[("Authorization", &format!("Bearer {manager}")), ("If-Match", "\"7\""), ("Content-Type", "application/json")], why.to_string().into_bytes()).await;
        stale.expect_problem(412);
        let r = app.raw(awc::http::Method::POST, &path, &[("Authorization", &format!("Bearer {manager}")), ("If-Match", "\"1\""), ("Content-Type", "application/json")], why.to_string().into_bytes()).await.expect(200);
        assert_eq!(r.header("etag").unwrap(), "\"2\"");
        let list = app.get(&format!("/api/v1/meetings?series_id={id}"), None).await.expect(200).body;
        let statuses: Vec<&str> = list["data"].as_array().unwrap().iter().map(|m| m["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["held", "planned", "cancelled", "cancelled"]);
        assert_eq!(list["data"][3]["cancel_reason"], "The dialogue moves to a quarterly rhythm.");
        // The past one may still be held on its own; the view then shows two weeks held.
        act(&app, &manager, &ids[1], "hold").await;
        let view = app.get(&format!("/api/v1/meeting-series/{id}/compliance"), None).await.expect(200).body;
        assert_eq!(verdicts(&view), pairs(&[
            ("2027-01-04", "held_without_minutes"), ("2027-01-11", "held_without_minutes"),
            ("2027-01-18", "upcoming"), ("2027-01-25", "upcoming"),
        ]));
        app.clock.set(at("2027-02-01T06:00:00Z"));
        let view = app.get(&format!("/api/v1/meeting-series/{id}/compliance"), None).await.expect(200).body;
        assert_eq!(view["totals"], json!({"periods": 4, "compliant": 0, "held": 2, "held_without_minutes": 2, "missed": 2, "upcoming": 0}));
    }
}
