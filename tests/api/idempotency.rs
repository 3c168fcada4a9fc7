//! `Idempotency-Key`: a POST sent again with the same key gets the first answer instead of a
//! second effect; the same key with another request is refused.

use crate::both_backends;
use crate::helpers::{Resp, TestApp};
use awc::http::Method;
use chrono::TimeDelta;
use diesel::RunQueryDsl;
use serde_json::{Value, json};

/// `POST /api/v1/organizations` with `body` and an `Idempotency-Key`.
pub async fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Resp {
    let auth = format!("Bearer {token}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", key),
    ];
    app.raw(
        Method::POST,
        "/api/v1/organizations",
        &headers,
        body.to_string().into_bytes(),
    )
    .await
}

async fn organisations_named(app: &TestApp, token: &str, name: &str) -> usize {
    let r = app
        .get("/api/v1/organizations?limit=200", Some(token))
        .await
        .expect(200);
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["name"]["en"] == name)
        .count()
}

/// Makes every stored key look as if its request had not answered yet (a request still running,
/// or one whose answer was lost), `committed` or not.
async fn forget_answers(app: &TestApp, committed: bool) {
    app.with_db(move |conn| {
        diesel::sql_query(format!(
            "UPDATE idempotency_keys SET status = NULL, response_headers = NULL, response_body = NULL, committed = {committed}"
        ))
        .execute(conn)
        .unwrap();
    })
    .await;
}

both_backends! {
    async fn a_post_sent_again_with_its_key_is_answered_once(app) {
        let admin = app.admin_token().await;
        let body = json!({"kind": "ngo", "name": {"en": "Once"}});
        let first = post_with_key(&app, &admin, "key-1", &body).await.expect(201);
        assert_eq!(first.header("idempotent-replayed"), None);
        let again = post_with_key(&app, &admin, "key-1", &body).await.expect(201);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, first.body);
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(again.header("etag"), first.header("etag"));
        assert_eq!(organisations_named(&app, &admin, "Once").await, 1);

        // Another body under the same key is refused; another key acts again.
        let other = json!({"kind": "ngo", "name": {"en": "Other"}});
        let r = post_with_key(&app, &admin, "key-1", &other).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("Idempotency-Key".to_owned(), "mismatch".to_owned())]);
        post_with_key(&app, &admin, "key-2", &body).await.expect(201);
        assert_eq!(organisations_named(&app, &admin, "Once").await, 2);

        // Refusals are answers too: replayed as they were.
        let bad = json!({"kind": "ngo", "name": {}});
        let r1 = post_with_key(&app, &admin, "key-3", &bad).await.expect_problem(422);
        let r2 = post_with_key(&app, &admin, "key-3", &bad).await.expect_problem(422);
        assert_eq!(r1.body, r2.body);
        assert_eq!(r2.header("idempotent-replayed"), Some("true"));

        // Keys are each caller's own.
        let (_, user) = app.user(&admin, "u@example.org").await;
        let mine = post_with_key(&app, &user, "key-1", &json!({"kind": "ngo", "name": {"en": "Mine"}})).await;
        assert_eq!(mine.status, 403, "a user's own key, refused on its own merits: {}", mine.body);

        for bad_key in ["with space", &"k".repeat(256)] {
            let r = post_with_key(&app, &admin, bad_key, &body).await.expect_problem(422);
            assert_eq!(r.field_errors(), [("Idempotency-Key".to_owned(), "format".to_owned())]);
        }
    }

    async fn parallel_posts_with_one_key_act_once(app) {
        let admin = app.admin_token().await;
        for round in 0..4 {
            let body = json!({"kind": "ngo", "name": {"en": format!("Parallel {round}")}});
            let key = format!("parallel-{round}");
            let answers = futures_util::future::join_all((0..4).map(|_| post_with_key(&app, &admin, &key, &body))).await;
            for r in &answers {
                assert!(r.status == 201 || r.status == 409, "round {round}: {} {}", r.status, r.body);
                if r.status == 409 {
                    assert_eq!(r.body["type"], "urn:seriktes:problem:request-in-progress");
                    assert!(r.header("retry-after").is_some());
                }
            }
            assert_eq!(organisations_named(&app, &admin, &format!("Parallel {round}")).await, 1);
        }
    }

    async fn a_key_held_by_a_dead_request_is_taken_over_and_a_lost_answer_is_not_acted_on_again(app) {
        let admin = app.admin_token().await;
        let body = json!({"kind": "ngo", "name": {"en": "Held"}});
        post_with_key(&app, &admin, "held", &body).await.expect(201);
        // As if the first request were still running (no answer, not committed) ...
        forget_answers(&app, false).await;
        let r = post_with_key(&app, &admin, "held", &body).await.expect_problem(409);
        assert_eq!(r.body["type"], "urn:seriktes:problem:request-in-progress");
        // ... until its lease runs out: then it died, and the retry carries the request out.
        app.clock.advance(TimeDelta::seconds(61));
        post_with_key(&app, &admin, "held", &body).await.expect(201);
        assert_eq!(organisations_named(&app, &admin, "Held").await, 2);

        // A request that committed but whose answer was lost is never carried out again.
        forget_answers(&app, true).await;
        // While its lease runs it may still be storing its answer: wait ...
        let r = post_with_key(&app, &admin, "held", &body).await.expect_problem(409);
        assert_eq!(r.body["type"], "urn:seriktes:problem:request-in-progress");
        // ... and once it has run out, the answer was lost.
        app.clock.advance(TimeDelta::seconds(61));
        let r = post_with_key(&app, &admin, "held", &body).await.expect_problem(409);
        assert_eq!(r.body["type"], "urn:seriktes:problem:answer-lost");
        assert_eq!(organisations_named(&app, &admin, "Held").await, 2);
    }
}
