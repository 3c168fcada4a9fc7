//! Stakeholder meetings through HTTP on both backends: create with every field, every refusal
//! with its field, who sees what (participants-only meetings are 404 to outsiders and
//! anonymous callers; public ones are read, listed and in the iCalendar feed without signing
//! in), hold and cancel with their 409s, If-Match, and the list's pages and `updated_since`.

use crate::both_backends;
use crate::helpers::TestApp;
use awc::http::Method;
use icalendar::Component;
use serde_json::{Value, json};

/// An admin token and an organiser organisation with its manager's token.
pub(crate) struct World {
    pub(crate) admin: String,
    pub(crate) organiser: String,
    pub(crate) manager: String,
}

pub(crate) async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let organiser = app.organization(&admin, "Civil Initiatives Centre").await;
    let (uid, manager) = app.user(&admin, "manager@example.org").await;
    app.add_member(&admin, &organiser, &uid, "manager").await;
    World {
        admin,
        organiser,
        manager,
    }
}

/// A member (with `role`) of a new organisation: `(organisation id, token)`.
pub(crate) async fn member_of_new_org(
    app: &TestApp,
    admin: &str,
    name: &str,
    role: &str,
) -> (String, String) {
    let org = app.organization(admin, name).await;
    let (uid, token) = app
        .user(
            admin,
            &format!("{}@example.org", name.to_lowercase().replace(' ', "-")),
        )
        .await;
    app.add_member(admin, &org, &uid, role).await;
    (org, token)
}

pub(crate) fn body(organiser: &str, extra: Value) -> Value {
    let mut b = json!({
        "kind": "round_table",
        "title": {"en": "Round table on public councils", "ru": "Круглый стол об общественных советах"},
        "organizer_organization_ids": [organiser],
        "starts_at": "2027-03-01T10:00:00+06:00",
        "ends_at": "2027-03-01T13:00:00+06:00",
        "time_zone": "Asia/Almaty",
        "format": "online",
        "online_url": "https://meet.example.org/round-table",
        "visibility": "public"
    });
    if let (Some(b), Some(extra)) = (b.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            b.insert(k.clone(), v.clone());
        }
    }
    b
}

pub(crate) async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    app.post("/api/v1/meetings", Some(token), body)
        .await
        .expect(201)
        .body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn etag(r: &crate::helpers::Resp) -> String {
    r.header("etag").unwrap().to_owned()
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> crate::helpers::Resp {
    app.raw(Method::GET, path, headers, Vec::new()).await
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn a_meeting_is_created_with_every_field_and_its_agenda_replaced(app) {
        let w = world(&app).await;
        let (ministry, _) = member_of_new_org(&app, &w.admin, "Ministry", "member").await;
        let full = body(&w.organiser, json!({
            "kind": "forum",
            "description": {"en": "Civil society and the ministry on the draft law."},
            "participants": [{"organization_id": ministry, "role": "government_body"}],
            "format": "hybrid",
            "place": {"address": "Dostyk Ave 12, Almaty", "region": "KZ-75"},
            "visibility": "participants",
            "capacity": 60
        }));
        let r = app.post("/api/v1/meetings", Some(&w.manager), &full).await.expect(201);
        let m = &r.body;
        assert_eq!(r.header("location").unwrap(), format!("/api/v1/meetings/{}", id(m)));
        assert_eq!(etag(&r), "\"1\"");
        assert_eq!(m["kind"], "forum");
        assert_eq!(m["title"]["ru"], "Круглый стол об общественных советах");
        assert_eq!(m["description"]["en"], "Civil society and the ministry on the draft law.");
        assert_eq!(m["organizer_organization_ids"], json!([w.organiser]));
        assert_eq!(m["participants"], json!([{"organization_id": ministry, "role": "government_body"}]));
        assert_eq!(m["starts_at"], "2027-03-01T04:00:00Z");
        assert_eq!(m["ends_at"], "2027-03-01T07:00:00Z");
        assert_eq!(m["time_zone"], "Asia/Almaty");
        assert_eq!(m["format"], "hybrid");
        assert_eq!(m["place"], json!({"address": "Dostyk Ave 12, Almaty", "region": "KZ-75"}));
        assert_eq!(m["online_url"], "https://meet.example.org/round-table");
        assert_eq!(m["visibility"], "participants");
        assert_eq!(m["capacity"], 60);
        assert_eq!(m["status"], "planned");
        assert_eq!(m["agenda"], json!([]));
        assert_eq!(m["allowed_actions"], json!(["hold", "cancel"]));
        assert_eq!(m["version"], 1);

        let path = format!("/api/v1/meetings/{}", id(m));
        let agenda = json!({"items": [
            {"title": {"en": "Opening remarks"}, "presenter": "Deputy Minister", "minutes": 15},
            {"title": {"en": "The draft law"}, "minutes": 90}
        ]});
        app.put_if_match(&format!("{path}/agenda"), &w.manager, Some("\"7\""), &agenda)
            .await
            .expect_problem(412);
        let r = app.put_if_match(&format!("{path}/agenda"), &w.manager, Some("\"1\""), &agenda)
            .await
            .expect(200);
        assert_eq!(etag(&r), "\"2\"");
        assert_eq!(r.body["agenda"][0]["presenter"], "Deputy Minister");
        assert_eq!(r.body["agenda"][1], json!({"title": {"en": "The draft law"}, "presenter": null, "minutes": 90, "recommendation_ids": []}));
        let read = app.get(&path, Some(&w.manager)).await.expect(200);
        assert_eq!(read.body["agenda"], r.body["agenda"]);

        app.patch_if_match(&path, &w.manager, "\"1\"", &json!({"capacity": 80}))
            .await
            .expect_problem(412);
        let r = app.patch_if_match(&path, &w.manager, "\"2\"", &json!({"capacity": 80, "description": null}))
            .await
            .expect(200);
        assert_eq!((r.body["capacity"].clone(), r.body["description"].clone()), (json!(80), Value::Null));
        assert_eq!(r.body["agenda"].as_array().map(Vec::len), Some(2), "the agenda stays");
    }

    async fn every_refusal_names_its_field(app) {
        let w = world(&app).await;
        let refused = |b: Value| {
            let app = &app;
            let token = w.manager.clone();
            async move {
                app.post("/api/v1/meetings", Some(&token), &b)
                    .await
                    .expect_problem(422)
                    .field_errors()
            }
        };
        let e = |f: &str, c: &str| vec![(f.to_owned(), c.to_owned())];
        let o = &w.organiser;
        assert_eq!(refused(body(o, json!({"time_zone": "Asia/Atlantis"}))).await, e("time_zone", "time_zone"));
        assert_eq!(
            refused(body(o, json!({"ends_at": "2027-03-01T09:00:00+06:00"}))).await,
            e("ends_at", "after")
        );
        assert_eq!(refused(body(o, json!({"online_url": null}))).await, e("online_url", "required"));
        assert_eq!(
            refused(body(o, json!({"online_url": "http://meet.example.org"}))).await,
            e("online_url", "https_url")
        );
        assert_eq!(refused(body(o, json!({"format": "in_person"}))).await, e("place", "required"));
        assert_eq!(
            refused(body(o, json!({"format": "in_person", "place": {"address": "Dostyk 12", "region": "KZ-99"}}))).await,
            e("place.region", "iso3166_2")
        );
        assert_eq!(
            refused(body(o, json!({"organizer_organization_ids": ["0193a0c4-0000-7000-8000-000000000099"]}))).await,
            e("organizer_organization_ids.0", "exists")
        );
        assert_eq!(refused(body(o, json!({"capacity": 0}))).await, e("capacity", "range"));

        // Members who do not own or manage an organiser, and managers of other organisations, may not organise.
        let (_, plain_member) = member_of_new_org(&app, &w.admin, "Other NGO", "manager").await;
        app.post("/api/v1/meetings", Some(&plain_member), &body(o, json!({})))
            .await
            .expect_problem(403);
        let (uid, member) = app.user(&w.admin, "member@example.org").await;
        app.add_member(&w.admin, o, &uid, "member").await;
        app.post("/api/v1/meetings", Some(&member), &body(o, json!({})))
            .await
            .expect_problem(403);
        app.post("/api/v1/meetings", None, &body(o, json!({})))
            .await
            .expect_problem(401);

        let m = create(&app, &w.manager, &body(o, json!({}))).await;
        let agenda_path = format!("/api/v1/meetings/{}/agenda", id(&m));
        let item = json!({"title": {"en": "Item"}, "minutes": 10});
        let r = app
            .put_if_match(&agenda_path, &w.manager, None, &json!({"items": vec![item; 51]}))
            .await
            .expect_problem(422);
        assert_eq!(r.field_errors(), e("items", "max_items"));
        let r = app
            .put_if_match(&agenda_path, &w.manager, None, &json!({"items": [{"title": {"en": "Item"}, "minutes": 0}]}))
            .await
            .expect_problem(422);
        assert_eq!(r.field_errors(), e("items.0.minutes", "range"));
        let r = app.get(&format!("/api/v1/meetings/{}", id(&m)), None).await.expect(200);
        assert_eq!((r.body["agenda"].clone(), r.body["version"].clone()), (json!([]), json!(1)), "nothing stored");
    }

    async fn a_participants_only_meeting_is_hidden_from_everyone_else(app) {
        let w = world(&app).await;
        let (ministry, official) = member_of_new_org(&app, &w.admin, "Ministry", "member").await;
        let (_, outsider) = member_of_new_org(&app, &w.admin, "Unrelated NGO", "owner").await;
        let closed = create(&app, &w.manager, &body(&w.organiser, json!({
            "visibility": "participants",
            "participants": [{"organization_id": ministry, "role": "government_body"}]
        }))).await;
        let open = create(&app, &w.manager, &body(&w.organiser, json!({
            "title": {"en": "Civic forum", "ru": "Гражданский форум"}
        }))).await;
        let closed_path = format!("/api/v1/meetings/{}", id(&closed));
        let open_path = format!("/api/v1/meetings/{}", id(&open));

        app.get(&closed_path, Some(&outsider)).await.expect_problem(404);
        app.get(&closed_path, None).await.expect_problem(404);
        app.get(&format!("{closed_path}/calendar.ics"), None).await.expect_problem(404);
        app.patch(&closed_path, Some(&outsider), &json!({"capacity": 5})).await.expect_problem(404);
        let r = app.get(&closed_path, Some(&official)).await.expect(200);
        assert_eq!(r.body["allowed_actions"], json!([]));
        app.patch(&closed_path, Some(&official), &json!({"capacity": 5})).await.expect_problem(403);
        app.post(&format!("{closed_path}/hold"), Some(&official), &json!({})).await.expect_problem(403);

        app.get(&open_path, None).await.expect(200);
        app.get(&open_path, Some(&outsider)).await.expect(200);
        let anonymous = app.get("/api/v1/meetings", None).await.expect(200);
        assert_eq!(ids(&anonymous.body), [id(&open)]);
        let theirs = app.get("/api/v1/meetings", Some(&outsider)).await.expect(200);
        assert_eq!(ids(&theirs.body), [id(&open)]);
        let mine = app.get("/api/v1/meetings", Some(&official)).await.expect(200);
        assert_eq!(ids(&mine.body), [id(&closed), id(&open)]);

        let feed = get_with(&app, "/api/v1/meetings.ics", &[("Accept-Language", "ru, en;q=0.5")]).await.expect(200);
        assert_eq!(feed.header("content-type"), Some("text/calendar; charset=utf-8"));
        let text = String::from_utf8(feed.raw.clone()).unwrap();
        assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
        assert!(!text.contains(&id(&closed)), "{text}");
        let cal: icalendar::Calendar = text.parse().unwrap();
        let events: Vec<_> = cal.components.iter().filter_map(|c| c.as_event()).collect();
        assert_eq!(events.len(), 1, "{text}");
        let uid = format!("{}@meetings.seriktes", id(&open));
        assert_eq!(events[0].get_uid(), Some(uid.as_str()));
        assert_eq!(events[0].get_summary(), Some("Гражданский форум"));
        assert!(text.contains("DTSTART:20270301T040000Z"), "{text}");
        assert!(text.contains("DTEND:20270301T070000Z"), "{text}");
        assert!(text.contains("LOCATION:https://meet.example.org/round-table"), "{text}");

        let one = get_with(&app, &format!("{open_path}/calendar.ics"), &[("Accept-Language", "de")]).await.expect(200);
        let text = String::from_utf8(one.raw).unwrap();
        assert!(text.contains("SUMMARY:Civic forum"), "the first available language: {text}");
        let theirs = app.get(&format!("{closed_path}/calendar.ics"), Some(&official)).await.expect(200);
        assert!(String::from_utf8(theirs.raw).unwrap().contains(&id(&closed)));
    }

    async fn hold_and_cancel_and_what_they_refuse(app) {
        let w = world(&app).await;
        let held = create(&app, &w.manager, &body(&w.organiser, json!({}))).await;
        let cancelled = create(&app, &w.manager, &body(&w.organiser, json!({}))).await;
        let held_path = format!("/api/v1/meetings/{}", id(&held));
        let cancelled_path = format!("/api/v1/meetings/{}", id(&cancelled));

        let r = app.post(&format!("{held_path}/hold"), Some(&w.manager), &json!({})).await.expect(200);
        assert_eq!((r.body["status"].clone(), r.body["allowed_actions"].clone()), (json!("held"), json!(["publish_minutes"])));
        let r = app.patch(&held_path, Some(&w.manager), &json!({"capacity": 5})).await.expect_problem(409);
        assert_eq!(r.body["current_state"], "held");
        app.put_if_match(&format!("{held_path}/agenda"), &w.manager, None, &json!({"items": []}))
            .await
            .expect_problem(409);

        app.post(&format!("{cancelled_path}/cancel"), Some(&w.manager), &json!({"reason": " "}))
            .await
            .expect_problem(422);
        let r = app
            .post(&format!("{cancelled_path}/cancel"), Some(&w.manager), &json!({"reason": "The ministry asked to move it"}))
            .await
            .expect(200);
        assert_eq!(r.body["status"], "cancelled");
        assert_eq!(r.body["cancel_reason"], "The ministry asked to move it");
        let r = app.post(&format!("{cancelled_path}/hold"), Some(&w.manager), &json!({})).await.expect_problem(409);
        assert_eq!(r.body["current_state"], "cancelled");
        assert_eq!(r.body["allowed_actions"], json!([]));
        app.post(&format!("{held_path}/cancel"), Some(&w.admin), &json!({"reason": "late"}))
            .await
            .expect_problem(409);

        let one = app.get(&format!("{cancelled_path}/calendar.ics"), None).await.expect(200);
        assert!(String::from_utf8(one.raw).unwrap().contains("STATUS:CANCELLED"));
        let feed = String::from_utf8(app.get("/api/v1/meetings.ics", None).await.expect(200).raw).unwrap();
        assert!(feed.contains(&id(&held)) && !feed.contains(&id(&cancelled)), "{feed}");

        let events = app
            .get(&format!("/api/v1/audit-events?entity_type=meeting&entity_id={}", id(&cancelled)), Some(&w.admin))
            .await
            .expect(200);
        let actions: Vec<_> = events.body["data"].as_array().unwrap().iter().map(|e| e["action"].clone()).collect();
        assert!(actions.contains(&json!("meeting.create")) && actions.contains(&json!("meeting.cancel")), "{actions:?}");
    }

    async fn the_list_pages_filters_and_syncs(app) {
        let w = world(&app).await;
        let a = create(&app, &w.manager, &body(&w.organiser, json!({}))).await;
        let b = create(&app, &w.manager, &body(&w.organiser, json!({"kind": "training", "starts_at": "2027-05-01T10:00:00+06:00", "ends_at": "2027-05-01T12:00:00+06:00"}))).await;
        let c = create(&app, &w.admin, &body(&w.organiser, json!({}))).await;
        let first = app.get("/api/v1/meetings?limit=2", None).await.expect(200);
        assert_eq!(ids(&first.body), [id(&a), id(&b)]);
        let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
        let second = app.get(&format!("/api/v1/meetings?limit=2&cursor={cursor}"), None).await.expect(200);
        assert_eq!(ids(&second.body), [id(&c)]);
        assert_eq!(second.body["next_cursor"], Value::Null);

        // A page costs the same statements whatever its size (organisers, participants and
        // agendas are read for the whole page at once), on one checkout.
        let (one, s1, c1) = app.counting(app.get("/api/v1/meetings?limit=1", Some(&w.manager))).await;
        let (all, s3, c3) = app.counting(app.get("/api/v1/meetings?limit=3", Some(&w.manager))).await;
        assert_eq!((ids(&one.expect(200).body).len(), ids(&all.expect(200).body).len()), (1, 3));
        assert_eq!(s1, s3, "statements of a page of 1 and of 3");
        assert_eq!((c1, c3), (1, 1));

        let trainings = app.get("/api/v1/meetings?kind=training", None).await.expect(200);
        assert_eq!(ids(&trainings.body), [id(&b)]);
        let may = app.get("/api/v1/meetings?from=2027-04-01T00:00:00Z", None).await.expect(200);
        assert_eq!(ids(&may.body), [id(&b)]);
        let march = app.get("/api/v1/meetings?to=2027-04-01T00:00:00Z", None).await.expect(200);
        assert_eq!(ids(&march.body), [id(&a), id(&c)]);
        let theirs = app
            .get(&format!("/api/v1/meetings?organizer_organization_id={}", w.organiser), None)
            .await
            .expect(200);
        assert_eq!(ids(&theirs.body).len(), 3);

        let t0 = seriktes_api::clock::Clock::now(&*app.clock);
        app.clock.advance(chrono::TimeDelta::seconds(60));
        let since = (t0 + chrono::TimeDelta::seconds(30))
            .and_utc()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        app.post(&format!("/api/v1/meetings/{}/hold", id(&c)), Some(&w.manager), &json!({})).await.expect(200);
        let changed = app.get(&format!("/api/v1/meetings?updated_since={since}"), None).await.expect(200);
        assert_eq!(ids(&changed.body), [id(&c)]);
        let held = app.get("/api/v1/meetings?status=held", None).await.expect(200);
        assert_eq!(ids(&held.body), [id(&c)]);
        let window = app.get("/api/v1/meetings.ics?from=2027-04-01T00:00:00Z&to=2027-06-01T00:00:00Z", None).await.expect(200);
        let text = String::from_utf8(window.raw).unwrap();
        assert!(text.contains(&id(&b)) && !text.contains(&id(&a)), "{text}");
    }
}
