//! Public registration for meetings through HTTP on both backends: the Social Camp story
//! (registrations with contributions, capacity reached, waitlist, a cancellation promotes,
//! attendance, the CSV export, no personal data in any public response), parallel
//! registrations that never exceed the capacity, parallel duplicates, the rate limit, and a
//! refusal for every rule.

use crate::both_backends;
use crate::helpers::{Resp, TestApp};
use crate::meetings::{World, body, create, member_of_new_org, world};
use awc::http::Method;
use futures_util::future::join_all;
use serde_json::{Value, json};

/// The Social Camp: a public forum with open registration, a contribution required, sex and
/// age band asked, and `capacity`.
async fn camp(app: &TestApp, w: &World, capacity: Option<i32>) -> String {
    let m = create(
        app,
        &w.manager,
        &body(
            &w.organiser,
            json!({
                "kind": "forum",
                "title": {"en": "Social Camp", "ru": "Социальный лагерь"},
                "capacity": capacity,
                "registration": {
                    "open": true, "contribution_required": true,
                    "demographics": ["age_band", "sex"], "consent_version": "2026-12"
                }
            }),
        ),
    )
    .await;
    assert_eq!(
        m["registration"],
        json!({"open": true, "contribution_required": true, "demographics": ["sex", "age_band"], "consent_version": "2026-12"})
    );
    m["id"].as_str().unwrap().to_owned()
}

fn person(name: &str, email: &str, kind: &str, text: Option<&str>) -> Value {
    json!({
        "name": name, "email": email, "contribution_kind": kind, "contribution_text": text,
        "consent": true
    })
}

async fn register(app: &TestApp, meeting: &str, token: Option<&str>, b: &Value) -> Resp {
    app.post(
        &format!("/api/v1/meetings/{meeting}/registrations"),
        token,
        b,
    )
    .await
}

/// Sends `method` to `path` with a registration token (and no bearer token).
async fn with_token(app: &TestApp, method: Method, path: &str, token: &str) -> Resp {
    app.raw(method, path, &[("Registration-Token", token)], Vec::new())
        .await
}

fn reg_path(r: &Resp) -> String {
    format!(
        "/api/v1/registrations/{}",
        r.body["registration"]["id"].as_str().unwrap()
    )
}

fn token(r: &Resp) -> String {
    r.body["token"].as_str().unwrap().to_owned()
}

const PEOPLE: [(&str, &str, &str, Option<&str>); 6] = [
    (
        "Aigerim Bekova",
        "aigerim@example.org",
        "volunteering",
        Some("Registration desk, day one"),
    ),
    (
        "Daniyar Seitkali",
        "daniyar@example.org",
        "talk",
        Some("Youth volunteering in Shymkent"),
    ),
    (
        "Madina Omarova",
        "madina@example.org",
        "in_kind",
        Some("=Tea and samsa for 40"),
    ),
    ("Yerlan Abenov", "yerlan@example.org", "idea", None),
    (
        "Saule Nurlanovna",
        "saule@example.org",
        "volunteering",
        Some("Photos, \"as usual\""),
    ),
    ("Timur Kassymov", "timur@example.org", "talk", None),
];

/// Asserts that none of the registrants' names or e-mails appear in `raw`.
fn no_personal_data(what: &str, raw: &[u8]) {
    let text = String::from_utf8_lossy(raw);
    for (name, email, _, _) in PEOPLE {
        assert!(!text.contains(name), "{what} shows {name}");
        assert!(!text.contains(email), "{what} shows {email}");
    }
    assert!(!text.contains("gulnara"), "{what} shows gulnara");
}

both_backends! {
    async fn the_social_camp_story(app) {
        let start = chrono::NaiveDate::from_ymd_opt(2027, 2, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
        app.clock.set(start);
        let w = world(&app).await;
        let meeting = camp(&app, &w, Some(5)).await;
        let (youth_bank, gulnara) = member_of_new_org(&app, &w.admin, "Youth Bank", "manager").await;
        let (akimat, akimat_owner) = member_of_new_org(&app, &w.admin, "Akimat", "owner").await;
        app.patch(&format!("/api/v1/meetings/{meeting}"), Some(&w.manager), &json!({
            "participants": [{"organization_id": akimat, "role": "government_body"}]
        })).await.expect(200);

        // The NGO manager registers on behalf of her organisation, signed in.
        let mut hers = person("Gulnara Ismailova", "gulnara@example.org", "in_kind", Some("Tents, 10"));
        hers["organization_id"] = json!(youth_bank);
        hers["sex"] = json!("female");
        let g = register(&app, &meeting, Some(&gulnara), &hers).await.expect(201);
        assert_eq!(g.body["registration"]["status"], "confirmed");
        assert_eq!(g.body["registration"]["organization_id"], json!(youth_bank));
        assert_eq!(g.header("location").unwrap(), reg_path(&g));
        assert_eq!(g.body["token"].as_str().unwrap().len(), 43);

        // Four more confirmed, then the capacity is reached: two waitlisted, in order.
        let mut regs = Vec::new();
        for (i, (name, email, kind, text)) in PEOPLE.into_iter().enumerate() {
            let mut b = person(name, email, kind, text);
            if i == 0 {
                b["organization"] = json!("Youth Bank Shymkent");
                b["age_band"] = json!("18-29");
            }
            let r = register(&app, &meeting, None, &b).await.expect(201);
            let (status, position) = match i {
                0..=3 => ("confirmed", Value::Null),
                _ => ("waitlisted", json!(i - 3)),
            };
            assert_eq!(r.body["registration"]["status"], status, "{name}");
            assert_eq!(r.body["registration"]["waitlist_position"], position, "{name}");
            assert_eq!(r.body["registration"]["consent_version"], "2026-12");
            regs.push(r);
        }
        let counts_path = format!("/api/v1/meetings/{meeting}/registration-counts");
        let c = app.get(&counts_path, None).await.expect(200);
        assert_eq!(c.body, json!({
            "capacity": 5, "confirmed": 5, "waitlisted": 2, "attended": null, "no_show": null,
            "by_contribution": {"idea": 1, "in_kind": 2, "other": 0, "talk": 2, "volunteering": 2},
            "by_demographic": {
                "sex": {"female": 1, "not_given": 6},
                "age_band": {"18-29": 1, "not_given": 6}
            }
        }));

        // The token holder reads her registration; without it, or with another, it is 404.
        let aigerim = &regs[0];
        let r = with_token(&app, Method::GET, &reg_path(aigerim), &token(aigerim)).await.expect(200);
        assert_eq!(r.body["email"], "aigerim@example.org");
        assert_eq!(r.body["organization"], "Youth Bank Shymkent");
        assert_eq!(r.header("etag"), Some("\"1\""));
        app.get(&reg_path(aigerim), None).await.expect_problem(404);
        with_token(&app, Method::GET, &reg_path(aigerim), &token(&regs[1])).await.expect_problem(404);

        // Daniyar cancels: Saule, first on the waitlist, is confirmed; Timur moves up.
        let daniyar = &regs[1];
        let r = with_token(&app, Method::POST, &format!("{}/cancel", reg_path(daniyar)), &token(daniyar)).await.expect(200);
        assert_eq!(r.body["status"], "cancelled");
        let saule = with_token(&app, Method::GET, &reg_path(&regs[4]), &token(&regs[4])).await.expect(200);
        assert_eq!((saule.body["status"].clone(), saule.body["waitlist_position"].clone()), (json!("confirmed"), Value::Null));
        let timur = with_token(&app, Method::GET, &reg_path(&regs[5]), &token(&regs[5])).await.expect(200);
        assert_eq!((timur.body["status"].clone(), timur.body["waitlist_position"].clone()), (json!("waitlisted"), json!(1)));
        let c = app.get(&counts_path, None).await.expect(200);
        assert_eq!((c.body["confirmed"].clone(), c.body["waitlisted"].clone()), (json!(5), json!(1)));

        // Attendance waits for the meeting to start.
        let attend = |r: &Resp| format!("{}/attendance", reg_path(r));
        let early = app.post(&attend(aigerim), Some(&w.manager), &json!({"attendance": "attended"})).await.expect_problem(409);
        assert!(early.body["detail"].as_str().unwrap().contains("started"), "{:?}", early.body);
        app.post(&format!("/api/v1/meetings/{meeting}/hold"), Some(&w.manager), &json!({})).await.expect(200);
        for (r, mark) in [(&g, "attended"), (&regs[0], "attended"), (&regs[2], "attended"), (&regs[3], "no_show"), (&regs[4], "attended")] {
            let done = app.post(&attend(r), Some(&w.manager), &json!({"attendance": mark})).await.expect(200);
            assert_eq!(done.body["attendance"], mark);
        }
        let waiting = app.post(&attend(&regs[5]), Some(&w.manager), &json!({"attendance": "attended"})).await.expect_problem(409);
        assert_eq!(waiting.body["current_state"], "waitlisted");
        let c = app.get(&counts_path, None).await.expect(200);
        assert_eq!((c.body["attended"].clone(), c.body["no_show"].clone()), (json!(4), json!(1)));

        // The organisers' list has everyone, with personal data; the CSV is the volunteers' list.
        let list = app.get(&format!("/api/v1/meetings/{meeting}/registrations"), Some(&w.manager)).await.expect(200);
        assert_eq!(list.body["data"].as_array().unwrap().len(), 7);
        assert_eq!(list.body["data"][0]["email"], "gulnara@example.org");
        let cancelled = app.get(&format!("/api/v1/meetings/{meeting}/registrations?status=cancelled"), Some(&w.manager)).await.expect(200);
        assert_eq!(cancelled.body["data"][0]["email"], "daniyar@example.org");
        let csv = app.get(&format!("/api/v1/meetings/{meeting}/registrations.csv"), Some(&w.manager)).await.expect(200);
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        assert_eq!(String::from_utf8(csv.raw.clone()).unwrap(), [
            "name,email,organization,contribution_kind,contribution_text,status,waitlist_position,attendance,sex,age_band,disability,consent_version,registered_at\r\n",
            "Gulnara Ismailova,gulnara@example.org,Youth Bank,in_kind,\"Tents, 10\",confirmed,,attended,female,,,2026-12,2027-02-01T09:00:00Z\r\n",
            "Aigerim Bekova,aigerim@example.org,Youth Bank Shymkent,volunteering,\"Registration desk, day one\",confirmed,,attended,,18-29,,2026-12,2027-02-01T09:00:00Z\r\n",
            "Madina Omarova,madina@example.org,,in_kind,'=Tea and samsa for 40,confirmed,,attended,,,,2026-12,2027-02-01T09:00:00Z\r\n",
            "Yerlan Abenov,yerlan@example.org,,idea,,confirmed,,no_show,,,,2026-12,2027-02-01T09:00:00Z\r\n",
            "Saule Nurlanovna,saule@example.org,,volunteering,\"Photos, \"\"as usual\"\"\",confirmed,,attended,,,,2026-12,2027-02-01T09:00:00Z\r\n",
            "Timur Kassymov,timur@example.org,,talk,,waitlisted,1,,,,,2026-12,2027-02-01T09:00:00Z\r\n",
        ].concat());

        // No public response shows a name or an e-mail.
        for path in [
            format!("/api/v1/meetings/{meeting}"),
            "/api/v1/meetings".to_owned(),
            counts_path.clone(),
            "/api/v1/meetings.ics?from=2027-01-01T00:00:00Z".to_owned(),
            format!("/api/v1/meetings/{meeting}/calendar.ics"),
        ] {
            let r = app.get(&path, None).await.expect(200);
            no_personal_data(&path, &r.raw);
        }
        let events = app.get("/api/v1/audit-events?entity_type=registration", Some(&w.admin)).await.expect(200);
        assert!(events.body["data"].as_array().unwrap().len() >= 7, "{:?}", events.body);
        no_personal_data("the audit log", &events.raw);

        // The organisers read any registration without its token.
        let r = app.get(&reg_path(aigerim), Some(&w.manager)).await.expect(200);
        assert_eq!(r.body["allowed_actions"], json!(["mark_attendance"]));

        // The minutes count the attendance from the registrations: five confirmed, four came
        // (one of them for an organisation on the platform, an NGO), one did not; published,
        // they are public and name nobody.
        let minutes = format!("/api/v1/meetings/{meeting}/minutes");
        app.put_if_match(&minutes, &w.manager, None, &json!({"decisions": [{"en": "Social Camp again next summer."}]})).await.expect(200);
        let published = app.post(&format!("/api/v1/meetings/{meeting}/publish-minutes"), Some(&w.manager), &json!({})).await.expect(200);
        let a = &published.body["attendance"];
        assert_eq!((&a["registered"], &a["attended"], &a["no_show"]), (&json!(5), &json!(4), &json!(1)), "{a}");
        assert_eq!(a["attendees_by_organization_kind"], json!([{"kind": "ngo", "count": 1}]));
        assert_eq!(a["attendees_without_listed_organization"], json!(3));
        assert_eq!(a["participant_organizations"], json!(1));
        let public = app.get(&minutes, None).await.expect(200);
        assert_eq!(public.body["attendance"], published.body["attendance"]);
        no_personal_data("the minutes", &public.raw);
        // Once the minutes are out, attendance is final and nothing may be done to a registration.
        let r = app.get(&reg_path(aigerim), Some(&w.manager)).await.expect(200);
        assert_eq!(r.body["allowed_actions"], json!([]));
        app.post(&attend(aigerim), Some(&w.manager), &json!({"attendance": "no_show"})).await.expect_problem(409);

        // Nobody else sees any: outsiders, a registrant signed in, an invited participant's
        // owner and the organiser's plain members (they read the meeting, not its people).
        let (_, outsider) = member_of_new_org(&app, &w.admin, "Unrelated Fund", "owner").await;
        let (uid, plain) = app.user(&w.admin, "plain@example.org").await;
        app.add_member(&w.admin, &w.organiser, &uid, "member").await;
        let seen = app.get(&format!("/api/v1/meetings/{meeting}"), Some(&plain)).await.expect(200);
        assert_eq!(seen.body["allowed_actions"], json!([]));
        for who in [&outsider, &gulnara, &akimat_owner, &plain] {
            app.get(&format!("/api/v1/meetings/{meeting}/registrations"), Some(who)).await.expect_problem(404);
            app.get(&format!("/api/v1/meetings/{meeting}/registrations.csv"), Some(who)).await.expect_problem(404);
            app.get(&reg_path(aigerim), Some(who)).await.expect_problem(404);
            app.post(&attend(aigerim), Some(who), &json!({"attendance": "no_show"})).await.expect_problem(404);
        }
    }

    async fn twelve_people_registering_at_once_fill_five_places_and_wait_in_order(app) {
        let w = world(&app).await;
        let meeting = camp(&app, &w, Some(5)).await;
        let bodies: Vec<Value> = (0..12)
            .map(|i| person(&format!("Person {i}"), &format!("p{i}@example.org"), "idea", None))
            .collect();
        let all = join_all(bodies.iter().map(|b| register(&app, &meeting, None, b))).await;
        let mut confirmed = 0;
        let mut positions = Vec::new();
        for r in &all {
            assert_eq!(r.status, 201, "{:?}", r.body);
            match r.body["registration"]["status"].as_str().unwrap() {
                "confirmed" => confirmed += 1,
                _ => positions.push(r.body["registration"]["waitlist_position"].as_i64().unwrap()),
            }
        }
        positions.sort_unstable();
        assert_eq!(confirmed, 5);
        assert_eq!(positions, [1, 2, 3, 4, 5, 6, 7]);
        let c = app.get(&format!("/api/v1/meetings/{meeting}/registration-counts"), None).await.expect(200);
        assert_eq!((c.body["confirmed"].clone(), c.body["waitlisted"].clone()), (json!(5), json!(7)));
        // The organisers' list gives every waitlisted registration its place, in order, in one
        // page (two pages of four and three give the same places).
        async fn listed(app: &TestApp, token: &str, path: String) -> (Vec<i64>, Value) {
            let r = app.get(&path, Some(token)).await.expect(200);
            let places = r.body["data"].as_array().unwrap().iter().map(|x| x["waitlist_position"].as_i64().unwrap()).collect();
            (places, r.body["next_cursor"].clone())
        }
        let list = format!("/api/v1/meetings/{meeting}/registrations?status=waitlisted");
        assert_eq!(listed(&app, &w.manager, list.clone()).await.0, [1, 2, 3, 4, 5, 6, 7]);
        let (first, cursor) = listed(&app, &w.manager, format!("{list}&limit=4")).await;
        let (rest, _) = listed(&app, &w.manager, format!("{list}&limit=4&cursor={}", cursor.as_str().unwrap())).await;
        assert_eq!((first, rest), (vec![1, 2, 3, 4], vec![5, 6, 7]));
    }

    async fn one_e_mail_registering_at_once_is_registered_once(app) {
        let w = world(&app).await;
        let meeting = camp(&app, &w, None).await;
        let bodies: Vec<Value> = (0..6)
            .map(|i| person("Aigerim", if i % 2 == 0 { "same@example.org" } else { "SAME@example.org" }, "talk", None))
            .collect();
        let all = join_all(bodies.iter().map(|b| register(&app, &meeting, None, b))).await;
        let mut statuses: Vec<u16> = all.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409, 409, 409, 409, 409], "{:?}", all.iter().map(|r| &r.body).collect::<Vec<_>>());
        for r in all.iter().filter(|r| r.status == 409) {
            assert_eq!(r.header("content-type"), Some("application/problem+json"));
        }
    }

    async fn registrations_per_client_address_are_limited(app) {
        let w = world(&app).await;
        let meeting = camp(&app, &w, None).await;
        // A replica with a limit of 3 shares the counts through the database.
        let strict = app.replica(|s| s.registration_limit = 3).await;
        for i in 0..3 {
            register(&strict, &meeting, None, &person("P", &format!("r{i}@example.org"), "idea", None)).await.expect(201);
        }
        let r = register(&strict, &meeting, None, &person("P", "r9@example.org", "idea", None)).await.expect_problem(429);
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=900).contains(&wait), "{wait}");
        // Refused attempts are not counted, and the window ends after 15 minutes.
        app.clock.advance(chrono::TimeDelta::minutes(15));
        strict.clock.advance(chrono::TimeDelta::minutes(15));
        register(&strict, &meeting, None, &person("P", "r9@example.org", "idea", None)).await.expect(201);
    }

    async fn every_registration_rule_has_its_refusal(app) {
        let w = world(&app).await;
        let meeting = camp(&app, &w, Some(1)).await;
        let path = format!("/api/v1/meetings/{meeting}/registrations");
        // Every field error at once.
        let bad = json!({"name": "", "email": "not-an-address", "consent": false, "disability": "with"});
        let r = app.post(&path, None, &bad).await.expect_problem(422);
        assert_eq!(r.field_errors(), [
            ("name".to_owned(), "required".to_owned()),
            ("email".to_owned(), "format".to_owned()),
            ("consent".to_owned(), "required".to_owned()),
            ("contribution_kind".to_owned(), "required".to_owned()),
            ("disability".to_owned(), "not_asked".to_owned()),
        ]);
        let mut odd = person("A", "a@example.org", "other", None);
        odd["sex"] = json!("unknown");
        odd["organization_id"] = json!(w.organiser);
        let r = app.post(&path, None, &odd).await.expect_problem(422);
        assert_eq!(r.field_errors(), [
            ("organization_id".to_owned(), "member".to_owned()),
            ("contribution_text".to_owned(), "required".to_owned()),
            ("sex".to_owned(), "one_of".to_owned()),
        ]);
        // The same e-mail twice, whatever its case.
        let first = register(&app, &meeting, None, &person("A", "a@example.org", "idea", None)).await.expect(201);
        register(&app, &meeting, None, &person("A", " A@Example.org", "idea", None)).await.expect_problem(409);
        let second = register(&app, &meeting, None, &person("B", "b@example.org", "idea", None)).await.expect(201);
        assert_eq!(second.body["registration"]["status"], "waitlisted");
        // A stale If-Match, then a cancellation, then a second one.
        let cancel = format!("{}/cancel", reg_path(&first));
        let stale = app.raw(Method::POST, &cancel, &[("Registration-Token", &token(&first)), ("If-Match", "\"7\"")], Vec::new()).await;
        assert_eq!(stale.status, 412);
        with_token(&app, Method::POST, &cancel, "wrong").await.expect_problem(404);
        with_token(&app, Method::POST, &cancel, &token(&first)).await.expect(200);
        let again = with_token(&app, Method::POST, &cancel, &token(&first)).await.expect_problem(409);
        assert_eq!(again.body["current_state"], "cancelled");
        // Cancelled, the e-mail may register again.
        register(&app, &meeting, None, &person("A", "a@example.org", "idea", None)).await.expect(201);
        // The organiser may cancel too; after the meeting is held, nobody may.
        let b = app.post(&format!("{}/cancel", reg_path(&second)), Some(&w.manager), &json!({})).await.expect(200);
        assert_eq!(b.body["status"], "cancelled");
        app.post(&format!("/api/v1/meetings/{meeting}/hold"), Some(&w.manager), &json!({})).await.expect(200);
        register(&app, &meeting, None, &person("C", "c@example.org", "idea", None)).await.expect_problem(409);
        let third = app.get(&format!("{path}?status=confirmed"), Some(&w.manager)).await.expect(200);
        let id = third.body["data"][0]["id"].as_str().unwrap();
        app.post(&format!("/api/v1/registrations/{id}/cancel"), Some(&w.manager), &json!({})).await.expect_problem(409);
        // Registration closed, and a participants-only meeting that the caller cannot see.
        let closed = create(&app, &w.manager, &body(&w.organiser, json!({}))).await;
        let r = register(&app, closed["id"].as_str().unwrap(), None, &person("A", "a@example.org", "idea", None)).await.expect_problem(409);
        assert!(r.body["detail"].as_str().unwrap().contains("not open"), "{:?}", r.body);
        let hidden = create(&app, &w.manager, &body(&w.organiser, json!({
            "visibility": "participants",
            "registration": {"open": true, "consent_version": "2026-12"}
        }))).await;
        let hidden = hidden["id"].as_str().unwrap();
        register(&app, hidden, None, &person("A", "a@example.org", "idea", None)).await.expect_problem(404);
        app.get(&format!("/api/v1/meetings/{hidden}/registration-counts"), None).await.expect_problem(404);
        // A cancelled meeting takes no registrations.
        let gone = camp(&app, &w, None).await;
        app.post(&format!("/api/v1/meetings/{gone}/cancel"), Some(&w.manager), &json!({"reason": "Moved"})).await.expect(200);
        register(&app, &gone, None, &person("A", "a@example.org", "idea", None)).await.expect_problem(409);
        // Settings: open registration needs a consent version; only the registry's dimensions.
        let r = app.post("/api/v1/meetings", Some(&w.manager), &body(&w.organiser, json!({
            "registration": {"open": true, "demographics": ["sex", "sex"]}
        }))).await.expect_problem(422);
        assert_eq!(r.field_errors(), [
            ("registration.demographics.1".to_owned(), "unique".to_owned()),
            ("registration.consent_version".to_owned(), "required".to_owned()),
        ]);
        // Anonymous callers cannot mark attendance or list.
        app.get(&path, None).await.expect_problem(401);
    }

    async fn a_larger_capacity_confirms_the_waitlist_first_come_first(app) {
        let w = world(&app).await;
        let meeting = camp(&app, &w, Some(1)).await;
        let mut regs = Vec::new();
        for i in 0..4 {
            regs.push(register(&app, &meeting, None, &person("P", &format!("q{i}@example.org"), "idea", None)).await.expect(201));
        }
        app.patch(&format!("/api/v1/meetings/{meeting}"), Some(&w.manager), &json!({"capacity": 3})).await.expect(200);
        let statuses: Vec<String> = {
            let mut out = Vec::new();
            for r in &regs {
                let s = with_token(&app, Method::GET, &reg_path(r), &token(r)).await.expect(200);
                out.push(s.body["status"].as_str().unwrap().to_owned());
            }
            out
        };
        assert_eq!(statuses, ["confirmed", "confirmed", "confirmed", "waitlisted"]);
    }
}
