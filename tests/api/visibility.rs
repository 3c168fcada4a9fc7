//! Parity of lists and single reads: for callers in every relation to a programme or call and
//! objects in every status, a list returns exactly the ids whose GET answers 200 (the SQL in
//! `persistence/src/visibility.rs` states the same rule as `domain::access`).

use crate::both_backends;
use crate::calls::{call_body, draft_call, rfc3339_in};
use crate::helpers::TestApp;
use crate::programmes::{Cast, active_programme, cast, programme_body};
use serde_json::json;

/// The callers: a token per relation (`None`: anonymous).
async fn callers(app: &TestApp, c: &Cast) -> Vec<(&'static str, Option<String>)> {
    let (owner_id, owner) = app.user(&c.admin, "owner@foundation.kz").await;
    app.add_member(&c.admin, &c.foundation, &owner_id, "owner")
        .await;
    let (member_id, member) = app.user(&c.admin, "member@foundation.kz").await;
    app.add_member(&c.admin, &c.foundation, &member_id, "member")
        .await;
    let (funder_id, funder) = app.user(&c.admin, "officer@eu.example").await;
    app.add_member(&c.admin, &c.eu, &funder_id, "member").await;
    vec![
        ("admin", Some(c.admin.clone())),
        ("managing owner", Some(owner)),
        ("managing manager", Some(c.manager.clone())),
        ("managing member", Some(member)),
        ("funder member", Some(funder)),
        ("outsider", Some(c.outsider.clone())),
        ("anonymous", None),
    ]
}

fn ids(body: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// Asserts that `list` shows exactly the `objects` whose `{base}/{id}` answers 200.
async fn assert_parity(
    app: &TestApp,
    who: &str,
    token: Option<&str>,
    list: &str,
    base: &str,
    objects: &[String],
) {
    let listed = app.get(list, token).await;
    if token.is_none() && listed.status == 401 {
        for id in objects {
            let r = app.get(&format!("{base}/{id}"), token).await;
            assert_eq!(r.status, 401, "{who}: {base}/{id} without a list");
        }
        return;
    }
    let listed = ids(&listed.expect(200).body);
    let mut readable = Vec::new();
    for id in objects {
        let r = app.get(&format!("{base}/{id}"), token).await;
        assert!(
            r.status == 200 || r.status == 404 || r.status == 401,
            "{who}: {base}/{id} answered {}",
            r.status
        );
        if r.status == 200 {
            readable.push(id.clone());
        }
    }
    readable.sort();
    assert_eq!(listed, readable, "{who}: {list}");
}

async fn post(app: &TestApp, path: &str, token: &str) {
    app.post(path, Some(token), &json!({})).await.expect(200);
}

both_backends! {
    async fn programme_lists_show_exactly_the_programmes_a_caller_may_read(app) {
        let c = cast(&app).await;
        let who = callers(&app, &c).await;
        let draft = app.post("/api/v1/programmes", Some(&c.manager), &programme_body(&c)).await.expect(201);
        let draft = draft.body["id"].as_str().unwrap().to_owned();
        let active = active_programme(&app, &c).await;
        let closed = active_programme(&app, &c).await;
        post(&app, &format!("/api/v1/programmes/{closed}/close"), &c.manager).await;
        // A draft run by another organisation, without funders: only admins see it.
        let mut body = programme_body(&c);
        body["managing_organization_id"] = json!(c.embassy);
        body["funders"] = json!([]);
        let foreign = app.post("/api/v1/programmes", Some(&c.admin), &body).await.expect(201);
        let foreign = foreign.body["id"].as_str().unwrap().to_owned();
        let objects = [draft, active, closed, foreign];
        for (name, token) in &who {
            assert_parity(&app, name, token.as_deref(), "/api/v1/programmes?limit=100", "/api/v1/programmes", &objects).await;
        }
    }

    async fn call_lists_show_exactly_the_calls_a_caller_may_read(app) {
        let c = cast(&app).await;
        let who = callers(&app, &c).await;
        let programme = active_programme(&app, &c).await;
        let draft = draft_call(&app, &c, &programme, &call_body(&[])).await;
        let open = draft_call(&app, &c, &programme, &call_body(&[])).await;
        post(&app, &format!("/api/v1/calls/{open}/publish"), &c.manager).await;
        let closed = draft_call(&app, &c, &programme, &call_body(&[])).await;
        post(&app, &format!("/api/v1/calls/{closed}/publish"), &c.manager).await;
        post(&app, &format!("/api/v1/calls/{closed}/close"), &c.manager).await;
        let decided = draft_call(&app, &c, &programme, &call_body(&[])).await;
        post(&app, &format!("/api/v1/calls/{decided}/publish"), &c.manager).await;
        post(&app, &format!("/api/v1/calls/{decided}/close"), &c.manager).await;
        post(&app, &format!("/api/v1/calls/{decided}/decide"), &c.manager).await;
        // Stored `open` but past `closes_at`: closed by the clock.
        let mut body = call_body(&[]);
        body["closes_at"] = json!(rfc3339_in(60));
        let lapsed = draft_call(&app, &c, &programme, &body).await;
        post(&app, &format!("/api/v1/calls/{lapsed}/publish"), &c.manager).await;
        let mut objects = vec![draft, open, closed, decided, lapsed];
        // A draft call of a draft programme run by another organisation.
        let mut pbody = programme_body(&c);
        pbody["managing_organization_id"] = json!(c.embassy);
        pbody["funders"] = json!([]);
        let foreign = app.post("/api/v1/programmes", Some(&c.admin), &pbody).await.expect(201);
        let foreign = foreign.body["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/api/v1/programmes/{foreign}/calls"), Some(&c.admin), &call_body(&[])).await;
        if r.status == 201 {
            objects.push(r.body["id"].as_str().unwrap().to_owned());
        }
        app.clock.advance(chrono::TimeDelta::seconds(120));
        for (name, token) in &who {
            assert_parity(&app, name, token.as_deref(), "/api/v1/calls?limit=100", "/api/v1/calls", &objects).await;
        }
    }
}
