//! Minutes, recommendations and endorsements through HTTP on both backends: every rule's
//! refusal (422 with its fields, 403, 404 to outsiders, 409 with the allowed actions, 412),
//! minutes frozen on publishing with their attendance summary, the history of every change,
//! links to grants and indicators, statistics per meeting and addressee, and endorsements by
//! 200 organisations counted exactly, a duplicate 409 also under parallel requests; and the
//! list shows exactly what a single GET shows, for callers in every relation.

use crate::both_backends;
use crate::helpers::TestApp;
use crate::meetings::{body, create, member_of_new_org, world};
use awc::http::Method;
use futures_util::future::join_all;
use serde_json::{Value, json};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// A government body (kind `government`).
pub(crate) async fn government(app: &TestApp, admin: &str, name: &str) -> String {
    let r = app
        .post(
            "/api/v1/organizations",
            Some(admin),
            &json!({"kind": "government", "name": {"en": name}, "region": "KZ-71"}),
        )
        .await
        .expect(201);
    id(&r.body)
}

pub(crate) fn recommendation(proposer: &str, addressee: &str, text: &str) -> Value {
    json!({
        "text": {"en": text},
        "proposer_organization_ids": [proposer],
        "addressee_organization_id": addressee,
        "theme": "reporting"
    })
}

/// Sends `body` with an `If-Match` header.
pub(crate) async fn post_if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    etag: &str,
    body: &Value,
) -> crate::helpers::Resp {
    app.raw(
        Method::POST,
        path,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("If-Match", etag),
            ("Content-Type", "application/json"),
        ],
        serde_json::to_vec(body).unwrap(),
    )
    .await
}

/// The people of a programme (as `programmes::cast`, with the admin already signed in).
async fn programme_cast(app: &TestApp, admin: &str, outsider: &str) -> crate::programmes::Cast {
    let org = |kind: &'static str, name: &'static str| async move {
        let r = app
            .post(
                "/api/v1/organizations",
                Some(admin),
                &json!({"kind": kind, "name": {"en": name}}),
            )
            .await
            .expect(201);
        id(&r.body)
    };
    let foundation = org("ngo", "Civil Society Foundation").await;
    let (eu, embassy) = (
        org("donor", "EU Delegation").await,
        org("donor", "Embassy").await,
    );
    let (uid, manager) = app.user(admin, "manager@foundation.kz").await;
    app.add_member(admin, &foundation, &uid, "manager").await;
    crate::programmes::Cast {
        admin: admin.to_owned(),
        foundation,
        eu,
        embassy,
        manager,
        outsider: outsider.to_owned(),
    }
}

both_backends! {
    async fn minutes_are_written_while_held_and_frozen_on_publishing(app) {
        let w = world(&app).await;
        let ministry = government(&app, &w.admin, "Ministry of Justice").await;
        let (cso, cso_member) = member_of_new_org(&app, &w.admin, "Legal Aid Centre", "member").await;
        let (_, stranger) = member_of_new_org(&app, &w.admin, "Unrelated Fund", "owner").await;
        let m = create(&app, &w.manager, &body(&w.organiser, json!({
            "visibility": "participants",
            "participants": [
                {"organization_id": ministry, "role": "government_body"},
                {"organization_id": cso, "role": "cso"}
            ]
        }))).await;
        let path = format!("/api/v1/meetings/{}", id(&m));
        let minutes = format!("{path}/minutes");
        let text = json!({"decisions": [{"en": "Answer every recommendation within 60 days."}, {"ru": "Встречаться ежемесячно."}], "summary": {"en": "A good start."}});

        // A planned meeting has no minutes yet: 409 naming its state; publishing is 409 too.
        let r = app.put_if_match(&minutes, &w.manager, None, &text).await.expect_problem(409);
        assert_eq!(r.body["current_state"], "planned");
        let r = app.post(&format!("{path}/publish-minutes"), Some(&w.manager), &json!({})).await.expect_problem(409);
        assert_eq!(r.body["allowed_actions"], json!(["hold", "cancel"]));
        let held = app.post(&format!("{path}/hold"), Some(&w.manager), &json!({})).await.expect(200);
        assert_eq!(held.body["allowed_actions"], json!(["publish_minutes"]));
        // Nothing written yet: 404 to read, 409 to publish.
        app.get(&minutes, Some(&w.manager)).await.expect_problem(404);
        app.post(&format!("{path}/publish-minutes"), Some(&w.manager), &json!({})).await.expect_problem(409);

        // Refusals: every invalid decision named; not an organiser (403); an outsider (404).
        let r = app.put_if_match(&minutes, &w.manager, None, &json!({"decisions": [{"en": " "}, {"xx-": "a"}], "summary": {}})).await.expect_problem(422);
        assert_eq!(r.field_errors().iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["decisions.0.en", "decisions.1.xx-", "summary"]);
        app.put_if_match(&minutes, &cso_member, None, &text).await.expect_problem(403);
        app.put_if_match(&minutes, &stranger, None, &text).await.expect_problem(404);

        let r = app.put_if_match(&minutes, &w.manager, None, &text).await.expect(200);
        assert_eq!(r.header("etag"), Some("\"1\""));
        assert_eq!(r.body["published"], false);
        assert_eq!(r.body["allowed_actions"], json!(["edit", "publish"]));
        assert_eq!(r.body["decisions"][1]["ru"], "Встречаться ежемесячно.");
        app.put_if_match(&minutes, &w.manager, Some("\"7\""), &text).await.expect_problem(412);
        // A draft is the organisers' alone.
        app.get(&minutes, Some(&cso_member)).await.expect_problem(404);
        app.get(&minutes, None).await.expect_problem(404);

        let r = app.post(&format!("{path}/publish-minutes"), Some(&cso_member), &json!({})).await.expect_problem(403);
        assert_eq!(r.body["status"], 403);
        let p = post_if_match(&app, &format!("{path}/publish-minutes"), &w.manager, "\"1\"", &json!({})).await.expect(200);
        assert_eq!(p.body["published"], true);
        assert_eq!(p.body["meeting_status"], "minutes_published");
        assert_eq!(p.body["attendance"], json!({
            "participant_organizations": 2,
            "by_organization_kind": [{"kind": "government", "count": 1}, {"kind": "ngo", "count": 1}],
            "by_participant_role": [{"role": "cso", "count": 1}, {"role": "government_body", "count": 1}],
            "registered": 0, "attended": 0, "no_show": 0,
            "attendees_by_organization_kind": [], "attendees_without_listed_organization": 0
        }));
        assert_eq!(p.body["allowed_actions"], json!([]));
        assert_eq!(app.get(&path, Some(&w.manager)).await.expect(200).body["status"], "minutes_published");

        // Frozen: writing and publishing again are 409.
        let r = app.put_if_match(&minutes, &w.manager, None, &text).await.expect_problem(409);
        assert_eq!(r.body["current_state"], "minutes_published");
        let r = app.post(&format!("{path}/publish-minutes"), Some(&w.manager), &json!({})).await.expect_problem(409);
        assert_eq!(r.body["allowed_actions"], json!([]));
        // Participants read them now; outsiders and anonymous callers still do not.
        let seen = app.get(&minutes, Some(&cso_member)).await.expect(200);
        assert_eq!(seen.body["decisions"], p.body["decisions"]);
        app.get(&minutes, Some(&stranger)).await.expect_problem(404);
        app.get(&minutes, None).await.expect_problem(404);
    }

    async fn recommendations_refuse_what_breaks_a_rule(app) {
        let w = world(&app).await;
        let ministry = government(&app, &w.admin, "Ministry of Justice").await;
        let (_, official) = member_of_new_org(&app, &w.admin, "Akimat", "manager").await;
        let (_, stranger) = member_of_new_org(&app, &w.admin, "Unrelated Fund", "owner").await;
        let closed = create(&app, &w.manager, &body(&w.organiser, json!({"visibility": "participants"}))).await;
        let recs = format!("/api/v1/meetings/{}/recommendations", id(&closed));
        let nobody = "0193a0c4-8000-7000-8000-00000000dead";

        // Every broken field at once.
        let r = app.post(&recs, Some(&w.manager), &json!({
            "text": {"en": ""}, "proposer_organization_ids": [], "addressee_organization_id": ministry,
            "theme": "Not a theme!", "grant_ids": [nobody, nobody]
        })).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("text.en", "required"), ("theme", "format")]));
        let r = app.post(&recs, Some(&w.manager), &json!({
            "text": {"en": "A single reporting form"}, "proposer_organization_ids": [], "addressee_organization_id": ministry,
            "theme": "reporting", "grant_ids": [nobody, nobody]
        })).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("proposer_organization_ids", "min_items"), ("grant_ids.1", "unique")]));
        let r = app.post(&recs, Some(&w.manager), &json!({
            "text": {"en": "A single reporting form"}, "proposer_organization_ids": [w.organiser, nobody],
            "addressee_organization_id": nobody, "theme": "reporting", "grant_ids": [nobody], "indicator_ids": [nobody]
        })).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[
            ("proposer_organization_ids.1", "exists"), ("addressee_organization_id", "exists"),
            ("grant_ids.0", "exists"), ("indicator_ids.0", "exists")
        ]));
        // Not an organiser: 403; an outsider of a participants-only meeting: 404.
        app.post(&recs, Some(&official), &recommendation(&w.organiser, &ministry, "x")).await.expect_problem(404);
        let open = create(&app, &w.manager, &body(&w.organiser, json!({}))).await;
        let open_recs = format!("/api/v1/meetings/{}/recommendations", id(&open));
        app.post(&open_recs, Some(&official), &recommendation(&w.organiser, &ministry, "x")).await.expect_problem(403);
        app.post(&open_recs, None, &recommendation(&w.organiser, &ministry, "x")).await.expect_problem(401);

        // Recorded while planned; the agenda lists only the meeting's own recommendations.
        let made = app.post(&recs, Some(&w.manager), &recommendation(&w.organiser, &ministry, "A single reporting form")).await.expect(201);
        assert_eq!(made.body["status"], "proposed");
        assert_eq!(made.body["endorsement_count"], 0);
        assert_eq!(made.body["allowed_actions"], json!(["consider"]));
        let rec = made.header("location").unwrap().to_owned();
        let other = app.post(&open_recs, Some(&w.manager), &recommendation(&w.organiser, &ministry, "Elsewhere")).await.expect(201);
        let agenda = format!("/api/v1/meetings/{}/agenda", id(&closed));
        let r = app.put_if_match(&agenda, &w.manager, None, &json!({"items": [
            {"title": {"en": "Reporting"}, "minutes": 30, "recommendation_ids": [id(&made.body), id(&other.body)]}
        ]})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("items.0.recommendation_ids.1", "exists")]));
        let r = app.put_if_match(&agenda, &w.manager, None, &json!({"items": [
            {"title": {"en": "Reporting"}, "minutes": 30, "recommendation_ids": [id(&made.body)]}
        ]})).await.expect(200);
        assert_eq!(r.body["agenda"][0]["recommendation_ids"], json!([id(&made.body)]));

        // Illegal moves are 409 with the current state and the allowed actions.
        let r = app.post(&format!("{rec}/adopt"), Some(&w.manager), &json!({"note": "Yes"})).await.expect_problem(409);
        assert_eq!((&r.body["current_state"], &r.body["allowed_actions"]), (&json!("proposed"), &json!(["consider"])));
        // Who moves: organisers and the addressee's owners and managers; others 403 or 404.
        let (_, clerk) = {
            let (uid, token) = app.user(&w.admin, "clerk@justice.gov.kz").await;
            app.add_member(&w.admin, &ministry, &uid, "member").await;
            (uid, token)
        };
        let seen = app.get(&rec, Some(&clerk)).await.expect(200);
        assert_eq!(seen.body["allowed_actions"], json!([]));
        app.post(&format!("{rec}/consider"), Some(&clerk), &json!({"note": "Yes"})).await.expect_problem(403);
        app.post(&format!("{rec}/consider"), Some(&stranger), &json!({"note": "Yes"})).await.expect_problem(404);
        app.get(&rec, Some(&stranger)).await.expect_problem(404);
        app.get(&rec, None).await.expect_problem(404);
        // A note is required; the day may not be in the future; If-Match is honoured.
        let r = app.post(&format!("{rec}/consider"), Some(&w.manager), &json!({"note": " ", "evidence_url": "http://x"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("note", "required"), ("evidence_url", "https_url")]));
        let r = app.post(&format!("{rec}/consider"), Some(&w.manager), &json!({"note": "Later", "on": "2099-01-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("on", "not_future")]));
        post_if_match(&app, &format!("{rec}/consider"), &w.manager, "\"9\"", &json!({"note": "Taken up"})).await.expect_problem(412);
        let r = post_if_match(&app, &format!("{rec}/consider"), &w.manager, "\"1\"", &json!({"note": "Taken up"})).await.expect(200);
        assert_eq!(r.body["status"], "under_consideration");
        assert_eq!(r.header("etag"), Some("\"2\""));
        app.post(&format!("{rec}/adopt"), Some(&w.manager), &json!({"note": "Adopted"})).await.expect(200);
        // Implementing needs evidence.
        let r = app.post(&format!("{rec}/implement"), Some(&w.manager), &json!({"note": "Done"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("evidence_url", "required")]));
        app.post(&format!("{rec}/implement"), Some(&w.manager), &json!({"note": "Done", "evidence_url": "https://adilet.zan.kz/x"})).await.expect(200);
        let history = app.get(&format!("{rec}/history"), Some(&clerk)).await.expect(200);
        let moves: Vec<(String, String)> = history.body["data"].as_array().unwrap().iter()
            .map(|c| (c["from"].as_str().unwrap().to_owned(), c["to"].as_str().unwrap().to_owned())).collect();
        assert_eq!(moves, pairs(&[("proposed", "under_consideration"), ("under_consideration", "adopted"), ("adopted", "implemented")]));
        assert_eq!(history.body["data"][0]["acting_organization_id"], json!(w.organiser));
        app.get(&format!("{rec}/history"), Some(&stranger)).await.expect_problem(404);

        // Links: organisers edit them with If-Match; unknown ones are named.
        let cast = programme_cast(&app, &w.admin, &stranger).await;
        let programme = crate::programmes::active_programme(&app, &cast).await;
        let indicator = app.post(&format!("/api/v1/programmes/{programme}/indicators"), Some(&cast.manager),
            &json!({"code": "OUT-1", "name": {"en": "Policy changes"}, "unit": "documents", "kind": "qualitative", "aggregation": "latest"})).await.expect(201);
        let links = format!("{rec}/links");
        let r = app.put_if_match(&links, &w.manager, None, &json!({"grant_ids": [nobody], "indicator_ids": []})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("grant_ids.0", "exists")]));
        app.put_if_match(&links, &clerk, None, &json!({"grant_ids": [], "indicator_ids": [id(&indicator.body)]})).await.expect_problem(403);
        app.put_if_match(&links, &w.manager, Some("\"1\""), &json!({"grant_ids": [], "indicator_ids": [id(&indicator.body)]})).await.expect_problem(412);
        let r = app.put_if_match(&links, &w.manager, Some("\"4\""), &json!({"grant_ids": [], "indicator_ids": [id(&indicator.body)]})).await.expect(200);
        assert_eq!(r.body["indicator_ids"], json!([id(&indicator.body)]));

        // Lists: the addressee's member sees what is addressed to it even without the meeting;
        // outsiders see only public meetings' recommendations; filters apply.
        let addressed = app.get(&format!("/api/v1/recommendations?addressee_id={ministry}"), Some(&clerk)).await.expect(200);
        assert_eq!(addressed.body["data"].as_array().unwrap().len(), 2);
        let anonymous = app.get("/api/v1/recommendations", None).await.expect(200);
        assert_eq!(anonymous.body["data"].as_array().unwrap().iter().map(id).collect::<Vec<_>>(), [id(&other.body)]);
        let done = app.get("/api/v1/recommendations?status=implemented", Some(&w.manager)).await.expect(200);
        assert_eq!(done.body["data"].as_array().unwrap().len(), 1);
        app.get(&recs, Some(&stranger)).await.expect_problem(404);
        let page = app.get(&format!("{open_recs}?limit=1"), None).await.expect(200);
        assert_eq!(page.body["data"][0]["id"], json!(id(&other.body)));
        assert!(page.body["next_cursor"].is_null());

        // Statistics: the addressee's member counts both; anonymous callers the public one.
        let stats = app.get(&format!("/api/v1/organizations/{ministry}/recommendation-statistics"), Some(&clerk)).await.expect(200);
        assert_eq!(stats.body, json!({"made": 2, "proposed": 1, "under_consideration": 0, "adopted": 1, "rejected": 0, "implemented": 1}));
        let stats = app.get(&format!("/api/v1/organizations/{ministry}/recommendation-statistics"), None).await.expect(200);
        assert_eq!(stats.body["made"], 1);
        app.get(&format!("/api/v1/meetings/{}/recommendation-statistics", id(&closed)), Some(&stranger)).await.expect_problem(404);
        app.get(&format!("/api/v1/organizations/{nobody}/recommendation-statistics"), None).await.expect_problem(404);

        // No new recommendations once the minutes are published, nor at a cancelled meeting.
        app.post(&format!("/api/v1/meetings/{}/hold", id(&closed)), Some(&w.manager), &json!({})).await.expect(200);
        app.post(&recs, Some(&w.manager), &recommendation(&w.organiser, &ministry, "Held: still fine")).await.expect(201);
        app.put_if_match(&format!("/api/v1/meetings/{}/minutes", id(&closed)), &w.manager, None, &json!({"decisions": []})).await.expect(200);
        let published = app.post(&format!("/api/v1/meetings/{}/publish-minutes", id(&closed)), Some(&w.manager), &json!({})).await.expect(200);
        assert_eq!(published.body["recommendations"].as_array().unwrap().len(), 2);
        assert_eq!(published.body["recommendations"][0]["status"], "implemented");
        let r = app.post(&recs, Some(&w.manager), &recommendation(&w.organiser, &ministry, "Too late")).await.expect_problem(409);
        assert_eq!(r.body["current_state"], "minutes_published");
        app.post(&format!("/api/v1/meetings/{}/cancel", id(&open)), Some(&w.manager), &json!({"reason": "Postponed"})).await.expect(200);
        let r = app.post(&open_recs, Some(&w.manager), &recommendation(&w.organiser, &ministry, "Too late")).await.expect_problem(409);
        assert_eq!(r.body["current_state"], "cancelled");
    }

    async fn two_hundred_organisations_endorse_and_a_second_endorsement_is_refused(app) {
        let w = world(&app).await;
        let ministry = government(&app, &w.admin, "Ministry of Justice").await;
        let m = create(&app, &w.manager, &body(&w.organiser, json!({}))).await;
        let made = app.post(&format!("/api/v1/meetings/{}/recommendations", id(&m)), Some(&w.manager),
            &recommendation(&w.organiser, &ministry, "Mandatory monthly meetings")).await.expect(201);
        let rec = made.header("location").unwrap().to_owned();
        let endorsements = format!("{rec}/endorsements");

        // Two coalition coordinators manage 100 organisations each (a user acts for at most
        // 100), created through the API.
        let (coordinator_id, coordinator) = app.user(&w.admin, "coordinator@platform.kz").await;
        let (second_id, second) = app.user(&w.admin, "second@platform.kz").await;
        let mut orgs = Vec::new();
        let (app_ref, admin) = (&app, w.admin.as_str());
        for batch in 0..10 {
            let made = join_all((0..20).map(|i| {
                let body = json!({"kind": "ngo", "name": {"en": format!("CSO {}", batch * 20 + i)}});
                async move { app_ref.post("/api/v1/organizations", Some(admin), &body).await }
            })).await;
            orgs.extend(made.into_iter().map(|r| id(&r.expect(201).body)));
        }
        // One membership at a time per user: adding them races on the user's count.
        for (i, o) in orgs.iter().enumerate() {
            let user = if i < 100 { &coordinator_id } else { &second_id };
            app.add_member(admin, o, user, "manager").await;
        }
        let token_for = |i: usize| if i < 100 { coordinator.as_str() } else { second.as_str() };

        // Refusals: a plain member may not; an unknown organisation; anonymous.
        let (plain_org, plain) = member_of_new_org(&app, &w.admin, "Small CSO", "member").await;
        app.post(&endorsements, Some(&plain), &json!({"organization_id": plain_org})).await.expect_problem(403);
        app.post(&endorsements, Some(&coordinator), &json!({"organization_id": plain_org})).await.expect_problem(403);
        app.post(&endorsements, None, &json!({"organization_id": plain_org})).await.expect_problem(401);
        let r = app.post(&endorsements, Some(&w.admin), &json!({"organization_id": "0193a0c4-8000-7000-8000-00000000dead"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("organization_id", "exists")]));

        // In parallel batches of five.
        let numbered: Vec<(usize, &String)> = orgs.iter().enumerate().collect();
        for batch in numbered.chunks(5) {
            let made = join_all(batch.iter().map(|(i, o)| {
                let (body, path, token) = (json!({"organization_id": o}), endorsements.as_str(), token_for(*i));
                async move { app_ref.post(path, Some(token), &body).await }
            })).await;
            made.into_iter().for_each(|r| { r.expect(201); });
        }
        let r = app.get(&rec, None).await.expect(200);
        assert_eq!(r.body["endorsement_count"], 200);
        // A second endorsement is 409, also when several race.
        app.post(&endorsements, Some(&coordinator), &json!({"organization_id": orgs[7]})).await.expect_problem(409);
        app.post(&endorsements, Some(&second), &json!({"organization_id": orgs[150]})).await.expect_problem(409);
        let (racer_org, racer) = member_of_new_org(&app, &w.admin, "Racing CSO", "owner").await;
        let racing = join_all((0..4).map(|_| {
            let (body, path, token) = (json!({"organization_id": racer_org}), endorsements.as_str(), racer.as_str());
            async move { app_ref.post(path, Some(token), &body).await }
        })).await;
        let mut statuses: Vec<u16> = racing.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409, 409, 409]);
        assert_eq!(app.get(&rec, None).await.expect(200).body["endorsement_count"], 201);

        // The public list pages through every endorsing organisation, with names.
        let mut listed = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("{endorsements}?limit=200&cursor={c}"),
                None => format!("{endorsements}?limit=200"),
            };
            let page = app.get(&path, None).await.expect(200);
            listed.extend(page.body["data"].as_array().unwrap().iter().map(|e| e["organization_id"].as_str().unwrap().to_owned()));
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let mut expected = orgs.clone();
        expected.push(racer_org.clone());
        expected.sort();
        listed.sort();
        assert_eq!(listed, expected);
        let first = app.get(&format!("{endorsements}?limit=1"), None).await.expect(200);
        assert!(first.body["data"][0]["name"]["en"].as_str().unwrap().starts_with("CSO "));
        assert!(first.body["data"][0]["endorsed_at"].is_string());

        // Withdrawing: its owners and managers only; then it may endorse again.
        let later = seriktes_api::clock::Clock::now(app.clock.as_ref()) + chrono::TimeDelta::minutes(1);
        app.clock.set(chrono::Timelike::with_nanosecond(&later, 0).unwrap());
        let since = seriktes_api::clock::Clock::now(app.clock.as_ref()).and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let one = format!("{endorsements}/{}", orgs[0]);
        app.delete(&one, Some(&plain)).await.expect_problem(403);
        app.delete(&one, Some(&coordinator)).await.expect(204);
        app.delete(&one, Some(&coordinator)).await.expect_problem(404);
        assert_eq!(app.get(&rec, None).await.expect(200).body["endorsement_count"], 200);
        // The list shows standing endorsements; a client syncing since before the withdrawal
        // learns of it (and of nothing older).
        let standing = app.get(&format!("{endorsements}?limit=200"), None).await.expect(200);
        assert!(standing.body["data"].as_array().unwrap().iter().all(|e| e["organization_id"] != json!(orgs[0]) && e["withdrawn_at"].is_null()));
        let synced = app.get(&format!("{endorsements}?updated_since={since}"), None).await.expect(200);
        let changed = synced.body["data"].as_array().unwrap();
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert_eq!((&changed[0]["organization_id"], &changed[0]["withdrawn_at"]), (&json!(orgs[0]), &json!(since)));
        app.post(&endorsements, Some(&coordinator), &json!({"organization_id": orgs[0]})).await.expect(201);
        assert_eq!(app.get(&rec, None).await.expect(200).body["endorsement_count"], 201);
        let synced = app.get(&format!("{endorsements}?updated_since={since}"), None).await.expect(200);
        let changed: Vec<(&Value, bool)> = synced.body["data"].as_array().unwrap().iter().map(|e| (&e["organization_id"], e["withdrawn_at"].is_null())).collect();
        assert_eq!(changed, [(&json!(orgs[0]), false), (&json!(orgs[0]), true)]);
    }
}

both_backends! {
    async fn the_list_shows_exactly_what_a_get_shows(app) {
        let w = world(&app).await;
        let ministry = government(&app, &w.admin, "Ministry of Justice").await;
        let (akimat, akim) = member_of_new_org(&app, &w.admin, "Akimat", "manager").await;
        let (cso, cso_member) = member_of_new_org(&app, &w.admin, "Legal Aid Centre", "member").await;
        let (_, stranger) = member_of_new_org(&app, &w.admin, "Unrelated Fund", "owner").await;
        let (clerk_id, clerk) = app.user(&w.admin, "clerk@justice.gov.kz").await;
        app.add_member(&w.admin, &ministry, &clerk_id, "member").await;
        let public = create(&app, &w.manager, &body(&w.organiser, json!({}))).await;
        let closed = create(&app, &w.manager, &body(&w.organiser, json!({
            "visibility": "participants", "participants": [{"organization_id": cso, "role": "cso"}]
        }))).await;
        let mut all = Vec::new();
        for (meeting, addressee) in [(&public, &ministry), (&closed, &ministry), (&closed, &akimat)] {
            let r = app.post(&format!("/api/v1/meetings/{}/recommendations", id(meeting)), Some(&w.manager),
                &recommendation(&w.organiser, addressee, "Hold public hearings")).await.expect(201);
            all.push(id(&r.body));
        }
        let callers: [(&str, Option<&str>); 7] = [
            ("admin", Some(&w.admin)), ("organiser", Some(&w.manager)), ("participant", Some(&cso_member)),
            ("addressee member", Some(&clerk)), ("other addressee", Some(&akim)),
            ("outsider", Some(&stranger)), ("anonymous", None),
        ];
        for (who, token) in callers {
            let listed: Vec<String> = app.get("/api/v1/recommendations?limit=200", token).await.expect(200)
                .body["data"].as_array().unwrap().iter().map(id).collect();
            let mut visible = Vec::new();
            for rec in &all {
                let r = app.get(&format!("/api/v1/recommendations/{rec}"), token).await;
                if r.status == 200 {
                    visible.push(rec.clone());
                } else {
                    r.expect_problem(404);
                }
            }
            assert_eq!(listed, visible, "{who}");
            let stats = app.get(&format!("/api/v1/organizations/{ministry}/recommendation-statistics"), token).await.expect(200);
            let of_ministry = visible.iter().filter(|r| **r != all[2]).count();
            assert_eq!(stats.body["made"], of_ministry, "{who}");
        }
    }
}
