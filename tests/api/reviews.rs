//! Expert review: assignment, scoring within limits, conflicts of interest, secrecy until the
//! call is decided, and the weighted ranking.

use crate::applications::{scene, scene_with_committee, submitted};
use crate::both_backends;
use crate::helpers::TestApp;
use serde_json::{Value, json};

async fn criteria(app: &TestApp, manager: &str, call: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v1/calls/{call}"), Some(manager))
        .await
        .expect(200);
    r.body["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn my_review(app: &TestApp, reviewer: &str, application: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/reviews?application_id={application}"),
            Some(reviewer),
        )
        .await
        .expect(200);
    r.body["data"][0].clone()
}

/// Declares no conflict of interest, scores (relevance, feasibility) and submits.
async fn score(
    app: &TestApp,
    reviewer: &str,
    review: &str,
    crit: &[String],
    relevance: i32,
    feasibility: i32,
) {
    let body = json!({"scores": [{"criterion_id": crit[0], "score": relevance}, {"criterion_id": crit[1], "score": feasibility}]});
    app.post(
        &format!("/api/v1/reviews/{review}/declare-no-conflict"),
        Some(reviewer),
        &json!({}),
    )
    .await
    .expect(200);
    app.patch(&format!("/api/v1/reviews/{review}"), Some(reviewer), &body)
        .await
        .expect(200);
    app.post(
        &format!("/api/v1/reviews/{review}/submit"),
        Some(reviewer),
        &json!({}),
    )
    .await
    .expect(200);
}

both_backends! {
    async fn committee_scores_and_the_ranking_orders_by_weighted_mean(app) {
        let s = scene(&app, 86_400).await;
        let (second_id, second) = app.user(&s.c.admin, "second.expert@example.org").await;
        let call_path = format!("/api/v1/calls/{}", s.call);
        // The second expert is not on this call's committee.
        let (a1, _) = submitted(&app, &s, "Alpha", "3846.00").await;
        let (a2, _) = submitted(&app, &s, "Beta", "3000.00").await;
        let (a3, _) = submitted(&app, &s, "Gamma", "2500.00").await;
        let refused = app
            .post(&format!("/api/v1/applications/{a1}/reviews"), Some(&s.c.manager), &json!({"reviewer_user_id": second_id}))
            .await
            .expect_problem(422);
        assert_eq!(refused.field_errors(), [("reviewer_user_id".to_owned(), "not_committee".to_owned())]);
        app.get(&format!("{call_path}/ranking"), Some(&second)).await.expect_problem(404);

        let assigned = app.post(&format!("{call_path}/assign-reviews"), Some(&s.c.manager), &json!({})).await.expect(200);
        assert_eq!(assigned.body, json!({"assigned": 3, "skipped_conflicts": 0}));
        let again = app.post(&format!("{call_path}/assign-reviews"), Some(&s.c.manager), &json!({})).await.expect(200);
        assert_eq!(again.body["assigned"], 0);
        let under = app.get(&format!("/api/v1/applications/{a1}"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(under.body["status"], "under_review");

        let crit = criteria(&app, &s.c.manager, &s.call).await;
        // Weights 3 and 2, max 10 each: (8*3 + 5*2)/50 = 68%, (10*3+10*2)/50 = 100%, (4*3+6*2)/50 = 48%.
        for (application, rel, fea) in [(&a1, 8, 5), (&a2, 10, 10), (&a3, 4, 6)] {
            let review = my_review(&app, &s.expert, application).await;
            assert_eq!(review["status"], "assigned");
            assert_eq!(review["allowed_actions"], json!(["submit", "recuse"]));
            score(&app, &s.expert, review["id"].as_str().unwrap(), &crit, rel, fea).await;
        }
        let ranking = app.get(&format!("{call_path}/ranking"), Some(&s.c.manager)).await.expect(200);
        let rows: Vec<_> = ranking.body["data"].as_array().unwrap().iter()
            .map(|r| (r["application_id"].as_str().unwrap().to_owned(), r["rank"].as_u64().unwrap(), r["score"].as_f64().unwrap(), r["review_count"].as_u64().unwrap()))
            .collect();
        assert_eq!(rows, [(a2.clone(), 1, 100.0, 1), (a1.clone(), 2, 68.0, 1), (a3.clone(), 3, 48.0, 1)]);

        // Until the call is decided, only the reviewer sees a review.
        let review = my_review(&app, &s.expert, &a1).await;
        let review_path = format!("/api/v1/reviews/{}", review["id"].as_str().unwrap());
        assert_eq!(review["weighted_score"], 68.0);
        app.get(&review_path, Some(&s.c.manager)).await.expect_problem(404);
        let listed = app.get(&format!("/api/v1/reviews?call_id={}", s.call), Some(&s.c.manager)).await.expect(200);
        assert_eq!(listed.body["data"], json!([]));
        app.get(&review_path, Some(&second)).await.expect_problem(404);
        // A submitted review is final.
        app.patch(&review_path, Some(&s.expert), &json!({"comment": "changed my mind"})).await.expect_problem(409);
    }

    async fn scores_stay_within_limits_and_a_conflict_recuses(app) {
        let s = scene(&app, 86_400).await;
        let (a1, _) = submitted(&app, &s, "Alpha", "3846.00").await;
        let r = app
            .post(&format!("/api/v1/applications/{a1}/reviews"), Some(&s.c.manager), &json!({"reviewer_user_id": expert_id(&app, &s.expert).await}))
            .await
            .expect(201);
        let path = format!("/api/v1/reviews/{}", r.body["id"].as_str().unwrap());
        let crit = criteria(&app, &s.c.manager, &s.call).await;
        app.post(&format!("{path}/declare-no-conflict"), Some(&s.expert), &json!({})).await.expect(200);
        let over = app
            .patch(&path, Some(&s.expert), &json!({"scores": [{"criterion_id": crit[0], "score": 11}, {"criterion_id": uuid::Uuid::new_v4(), "score": 1}]}))
            .await
            .expect_problem(422);
        assert_eq!(over.field_errors(), [
            ("scores.0.score".to_owned(), "range".to_owned()),
            ("scores.1.criterion_id".to_owned(), "exists".to_owned()),
        ]);
        app.patch(&path, Some(&s.expert), &json!({"scores": [{"criterion_id": crit[0], "score": 7}]})).await.expect(200);
        let incomplete = app.post(&format!("{path}/submit"), Some(&s.expert), &json!({})).await.expect_problem(422);
        assert_eq!(incomplete.field_errors(), [(format!("scores.{}", crit[1]), "required".to_owned())]);
        app.patch(&path, Some(&s.c.manager), &json!({"comment": "x"})).await.expect_problem(404);

        let recused = app.post(&format!("{path}/recuse"), Some(&s.expert), &json!({"note": "I advise the applicant."})).await.expect(200);
        assert_eq!(recused.body["status"], "recused");
        assert_eq!(recused.body["conflict_of_interest"], true);
        assert_eq!(recused.body["scores"], json!([]));
        let blocked = app
            .patch(&path, Some(&s.expert), &json!({"scores": [{"criterion_id": crit[0], "score": 7}]}))
            .await
            .expect_problem(409);
        assert_eq!(blocked.body["current_state"], "recused");
        app.post(&format!("{path}/submit"), Some(&s.expert), &json!({})).await.expect_problem(409);
        let dup = app
            .post(&format!("/api/v1/applications/{a1}/reviews"), Some(&s.c.manager), &json!({"reviewer_user_id": expert_id(&app, &s.expert).await}))
            .await
            .expect_problem(409);
        assert!(dup.body["detail"].as_str().unwrap().contains("already"));
    }

    async fn a_review_needs_a_declaration_of_no_conflict_before_it_counts(app) {
        let s = scene(&app, 86_400).await;
        let (a1, _) = submitted(&app, &s, "Alpha", "3846.00").await;
        let r = app
            .post(&format!("/api/v1/applications/{a1}/reviews"), Some(&s.c.manager), &json!({"reviewer_user_id": expert_id(&app, &s.expert).await}))
            .await
            .expect(201);
        assert!(r.body["conflict_declared_at"].is_null());
        let path = format!("/api/v1/reviews/{}", r.body["id"].as_str().unwrap());
        let crit = criteria(&app, &s.c.manager, &s.call).await;
        let all = json!({"scores": [{"criterion_id": crit[0], "score": 8}, {"criterion_id": crit[1], "score": 5}]});
        // Neither scoring nor submitting before the reviewer declares.
        let scored = app.patch(&path, Some(&s.expert), &all).await.expect_problem(422);
        assert_eq!(scored.field_errors(), [("conflict_declared_at".to_owned(), "declaration_required".to_owned())]);
        let early = app.post(&format!("{path}/submit"), Some(&s.expert), &json!({})).await.expect_problem(422);
        assert_eq!(early.field_errors()[0], ("conflict_declared_at".to_owned(), "declaration_required".to_owned()));
        let ranking = app.get(&format!("/api/v1/calls/{}/ranking", s.call), Some(&s.c.manager)).await.expect(200);
        assert_eq!(ranking.body["data"][0]["review_count"], 0);
        // Only the reviewer declares.
        app.post(&format!("{path}/declare-no-conflict"), Some(&s.c.manager), &json!({})).await.expect_problem(404);
        let declared = app.post(&format!("{path}/declare-no-conflict"), Some(&s.expert), &json!({})).await.expect(200);
        assert_eq!(declared.body["conflict_of_interest"], false);
        let at = declared.body["conflict_declared_at"].clone();
        assert!(at.is_string());
        let again = app.post(&format!("{path}/declare-no-conflict"), Some(&s.expert), &json!({})).await.expect(200);
        assert_eq!(again.body["conflict_declared_at"], at);
        app.patch(&path, Some(&s.expert), &all).await.expect(200);
        let done = app.post(&format!("{path}/submit"), Some(&s.expert), &json!({})).await.expect(200);
        assert_eq!(done.body["conflict_declared_at"], at);
        let ranking = app.get(&format!("/api/v1/calls/{}/ranking", s.call), Some(&s.c.manager)).await.expect(200);
        assert_eq!(ranking.body["data"][0]["review_count"], 1);
    }

    async fn a_review_loads_in_two_statements_and_assigning_a_call_reads_a_fixed_number(app) {
        let s = scene_with_committee(&app, 86_400, 3).await;
        let mut apps = Vec::new();
        for name in ["Alpha", "Beta", "Gamma", "Delta"] {
            apps.push(submitted(&app, &s, name, "3000.00").await.0);
        }
        // The second expert belongs to Delta's organisation: skipped there, not assigned.
        let delta = app.get(&format!("/api/v1/applications/{}", apps[3]), Some(&s.c.manager)).await.expect(200);
        let org = delta.body["applicant_organization_id"].as_str().unwrap().to_owned();
        let second = expert_id(&app, &s.experts[1]).await;
        app.add_member(&s.c.admin, &org, &second, "member").await;

        let path = format!("/api/v1/calls/{}/assign-reviews", s.call);
        let (r, statements, checkouts) = app.counting(app.post(&path, Some(&s.c.manager), &json!({}))).await;
        assert_eq!(r.expect(200).body, json!({"assigned": 11, "skipped_conflicts": 1}));
        assert_eq!(checkouts, 1);
        // Reads (with the actor and the transaction) are fixed; then each application moves to
        // review and each review is inserted, each with its event (three statements).
        let (moved, inserted) = (4, 11);
        assert!(statements <= 11 + 4 * (moved + inserted), "assign-reviews: {statements} statements");
        let (r, statements, _) = app.counting(app.post(&path, Some(&s.c.manager), &json!({}))).await;
        assert_eq!(r.expect(200).body, json!({"assigned": 0, "skipped_conflicts": 1}));
        assert!(statements <= 10, "assign-reviews with nothing left to assign: {statements} statements");

        let under = app.get(&format!("/api/v1/applications/{}", apps[3]), Some(&s.c.manager)).await.expect(200);
        assert_eq!(under.body["status"], "under_review");
        let review = my_review(&app, &s.expert, &apps[0]).await;
        let (r, statements, checkouts) = app
            .counting(app.get(&format!("/api/v1/reviews/{}", review["id"].as_str().unwrap()), Some(&s.expert)))
            .await;
        assert_eq!(r.expect(200).body["id"], review["id"]);
        // The actor, the review joined with its application, call, programme and funders, the criteria.
        assert!(statements <= 3 && checkouts == 1, "get review: {statements} statements");
    }
}

async fn expert_id(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/me", Some(token)).await.expect(200).body["id"]
        .as_str()
        .unwrap()
        .to_owned()
}
