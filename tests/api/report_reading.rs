//! Reading reports, on both backends: a grant's saved reports as a page (funders: accepted
//! ones only) at a fixed number of statements, a report's submissions with what each changed,
//! its comments, and the report's status and delivery on its reporting requirement.

use crate::both_backends;
use crate::helpers::TestApp;
use crate::requirements::{award, clock_at, closed_call, listed};
use serde_json::{Value, json};

fn eur(amount: &str) -> Value {
    json!({"amount": amount, "currency": "EUR"})
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

/// Saves a report's narrative (both required sections) and its spending on `line`.
async fn fill(app: &TestApp, token: &str, report: &str, results: &str, line: &str, spent: &str) {
    app.patch(
        &format!("/api/v1/reports/{report}"),
        Some(token),
        &json!({
            "narrative": {"activities": {"en": "Three trainings held."}, "results": {"en": results}},
            "expenditures": [{"budget_line_id": line, "amount": eur(spent), "note": null}]
        }),
    )
    .await
    .expect(200);
}

async fn submit(app: &TestApp, token: &str, report: &str) {
    app.post(
        &format!("/api/v1/reports/{report}/submit"),
        Some(token),
        &json!({}),
    )
    .await
    .expect(200);
}

both_backends! {
    async fn a_grants_reports_are_listed_like_each_reads_and_funders_see_accepted_ones_only(app) {
        let (s, apps) = closed_call(&app, None, None, 1).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let grant = app.get(&format!("/api/v1/grants/{g}"), Some(&s.c.manager)).await.expect(200);
        let line = grant.body["budget_lines"][0]["id"].as_str().unwrap().to_owned();
        let reqs = listed(&app, &s.c.manager, &g, "").await;
        let (r1, r2, r3) = (
            reqs[0]["id"].as_str().unwrap().to_owned(),
            reqs[1]["id"].as_str().unwrap().to_owned(),
            reqs[2]["id"].as_str().unwrap().to_owned(),
        );
        let list = format!("/api/v1/grants/{g}/reports");
        assert_eq!(app.get(&list, Some(&s.c.manager)).await.expect(200).body, json!({"data": [], "next_cursor": null}));

        // The first report accepted, the second and third drafts; the due ones are not listed.
        fill(&app, &s.ngo_manager, &r1, "120 people trained.", &line, "1000.00").await;
        submit(&app, &s.ngo_manager, &r1).await;
        app.post(&format!("/api/v1/reports/{r1}/accept"), Some(&s.c.manager), &json!({})).await.expect(200);
        app.clock.advance(chrono::TimeDelta::minutes(1));
        fill(&app, &s.ngo_manager, &r2, "80 people trained.", &line, "500.50").await;
        fill(&app, &s.ngo_manager, &r3, "Nothing yet.", &line, "10.00").await;

        let all = app.get(&list, Some(&s.c.manager)).await.expect(200);
        assert_eq!(ids(&all.body), [r1.clone(), r2.clone(), r3.clone()]);
        // Each item is the report as its own GET shows it, money to date included.
        for item in all.body["data"].as_array().unwrap() {
            let one = app.get(&format!("/api/v1/reports/{}", item["id"].as_str().unwrap()), Some(&s.c.manager)).await.expect(200);
            assert_eq!(*item, one.body);
        }
        let second = &all.body["data"][1];
        assert_eq!(second["status"], "draft");
        assert_eq!(second["budget"][0]["this_period"], eur("500.50"));
        assert_eq!(second["budget"][0]["to_date"], eur("1500.50"));
        assert_eq!(all.body["data"][2]["budget"][0]["to_date"], eur("1010.00"));

        // Filters and pages.
        assert_eq!(ids(&app.get(&format!("{list}?status=accepted"), Some(&s.c.manager)).await.expect(200).body), [r1.as_str()]);
        assert_eq!(ids(&app.get(&format!("{list}?status=draft"), Some(&s.ngo_manager)).await.expect(200).body), [r2.clone(), r3.clone()]);
        let since = second["updated_at"].as_str().unwrap();
        assert_eq!(ids(&app.get(&format!("{list}?updated_since={since}"), Some(&s.c.manager)).await.expect(200).body), [r2.clone(), r3.clone()]);
        app.get(&format!("{list}?status=due"), Some(&s.c.manager)).await.expect_problem(422);
        let first = app.get(&format!("{list}?limit=2"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(ids(&first.body), [r1.clone(), r2.clone()]);
        let cursor = first.body["next_cursor"].as_str().unwrap();
        let rest = app.get(&format!("{list}?limit=2&cursor={cursor}"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(ids(&rest.body), [r3.as_str()]);
        assert_eq!(rest.body["next_cursor"], Value::Null);
        let r = app.get(&format!("{list}?cursor=djE6eA"), Some(&s.c.manager)).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("cursor", "format")]));

        // A page costs the same statements for one report or three: the caller, the grant, the
        // page, then values with parts, expenditures and earlier spending, one each.
        let (one, one_count, _) = app.counting(app.get(&format!("{list}?limit=1"), Some(&s.c.manager))).await;
        assert_eq!(ids(&one.expect(200).body).len(), 1);
        let (three, three_count, checkouts) = app.counting(app.get(&list, Some(&s.c.manager))).await;
        assert_eq!(ids(&three.expect(200).body).len(), 3);
        assert!(one_count == three_count && three_count <= 6 && checkouts == 1, "{one_count} statements for a page of one, {three_count} for three, {checkouts} checkouts");

        // A funder sees the accepted report only, also once another is submitted.
        let (uid, funder) = app.user(&s.c.admin, "officer@eu.example.org").await;
        app.add_member(&s.c.admin, &s.c.eu, &uid, "member").await;
        submit(&app, &s.ngo_manager, &r2).await;
        let theirs = app.get(&list, Some(&funder)).await.expect(200);
        assert_eq!(ids(&theirs.body), [r1.as_str()]);
        assert_eq!(theirs.body["data"][0]["allowed_actions"], json!([]));
        assert_eq!(ids(&app.get(&format!("{list}?status=submitted"), Some(&funder)).await.expect(200).body), Vec::<String>::new());

        // Nobody outside the grant lists anything; no grant that does not exist is found.
        let other_owner = app.token("ngo.00@ngo.kz").await;
        for token in [other_owner.as_str(), s.c.outsider.as_str()] {
            app.get(&list, Some(token)).await.expect_problem(404);
        }
        app.get(&format!("/api/v1/grants/{}/reports", uuid::Uuid::now_v7()), Some(&s.c.manager)).await.expect_problem(404);
        app.get(&list, None).await.expect_problem(401);
    }

    async fn reading_a_report_costs_at_most_four_statements_five_while_editable(app) {
        let (s, apps) = closed_call(&app, None, None, 0).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let grant = app.get(&format!("/api/v1/grants/{g}"), Some(&s.c.manager)).await.expect(200);
        let line = grant.body["budget_lines"][0]["id"].as_str().unwrap().to_owned();
        let reqs = listed(&app, &s.c.manager, &g, "").await;
        let (r1, r2) = (reqs[0]["id"].as_str().unwrap().to_owned(), reqs[1]["id"].as_str().unwrap().to_owned());
        fill(&app, &s.ngo_manager, &r1, "120 people trained.", &line, "1000.00").await;
        submit(&app, &s.ngo_manager, &r1).await;
        app.post(&format!("/api/v1/reports/{r1}/accept"), Some(&s.c.manager), &json!({})).await.expect(200);
        fill(&app, &s.ngo_manager, &r2, "80 people trained.", &line, "500.50").await;
        // A report the grantee may still edit (due, draft, revision requested) costs one
        // statement more: the attendance of the grant's linked trainings, counted for its
        // suggested values (tests/api/training_attendance.rs). An accepted one does not.
        for (report, to_date, budget) in [(&r1, "1000.00", 4), (&r2, "1500.50", 5)] {
            let (r, statements, checkouts) = app.counting(app.get(&format!("/api/v1/reports/{report}"), Some(&s.c.manager))).await;
            let r = r.expect(200);
            assert_eq!(r.body["budget"][0]["to_date"], eur(to_date));
            assert!(statements <= budget && checkouts == 1, "{statements} statements, {checkouts} checkouts");
        }
        // A due report too (editable: one more for the suggestions).
        let due = reqs[2]["id"].as_str().unwrap();
        let (r, statements, _) = app.counting(app.get(&format!("/api/v1/reports/{due}"), Some(&s.c.manager))).await;
        assert_eq!(r.expect(200).body["budget"][0]["to_date"], eur("1000.00"));
        assert!(statements <= 5, "{statements} statements for a due report");
    }

    async fn each_submission_is_a_version_with_what_it_changed(app) {
        let (s, apps) = closed_call(&app, None, None, 1).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let grant = app.get(&format!("/api/v1/grants/{g}"), Some(&s.c.manager)).await.expect(200);
        let line = grant.body["budget_lines"][0]["id"].as_str().unwrap().to_owned();
        let reqs = listed(&app, &s.c.manager, &g, "").await;
        let r1 = reqs[0]["id"].as_str().unwrap().to_owned();
        let versions = format!("/api/v1/reports/{r1}/versions");
        assert_eq!(app.get(&versions, Some(&s.ngo_manager)).await.expect(200).body, json!({"data": [], "next_cursor": null}));

        fill(&app, &s.ngo_manager, &r1, "120 people trained.", &line, "1000.00").await;
        submit(&app, &s.ngo_manager, &r1).await;
        app.post(&format!("/api/v1/reports/{r1}/request-revision"), Some(&s.c.manager), &json!({"comments": [{"section": "results", "text": "How many women?"}]})).await.expect(200);
        fill(&app, &s.ngo_manager, &r1, "120 people trained, 70 women.", &line, "1000.00").await;
        submit(&app, &s.ngo_manager, &r1).await;
        app.post(&format!("/api/v1/reports/{r1}/request-revision"), Some(&s.c.manager), &json!({"comments": [{"section": "expenditures", "text": "Receipts?"}]})).await.expect(200);
        fill(&app, &s.ngo_manager, &r1, "120 people trained, 70 women.", &line, "900.00").await;
        submit(&app, &s.ngo_manager, &r1).await;

        let manager_id = app.get("/api/v1/me", Some(&s.ngo_manager)).await.expect(200).body["id"].clone();
        let page = app.get(&versions, Some(&s.c.manager)).await.expect(200);
        let data = page.body["data"].as_array().unwrap();
        assert_eq!(data.iter().map(|v| v["number"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(data[0]["submitted_by"], manager_id);
        assert_eq!(data[0]["changed"], json!({"sections": ["activities", "results"], "indicator_ids": [], "budget_line_ids": [line]}));
        assert_eq!(data[1]["changed"], json!({"sections": ["results"], "indicator_ids": [], "budget_line_ids": []}));
        assert_eq!(data[2]["changed"], json!({"sections": [], "indicator_ids": [], "budget_line_ids": [line]}));
        // Pages of one count each version's changes from the one before, across pages.
        let mut paged = Vec::new();
        let mut path = format!("{versions}?limit=1");
        loop {
            let p = app.get(&path, Some(&s.ngo_manager)).await.expect(200);
            paged.extend(p.body["data"].as_array().unwrap().iter().cloned());
            match p.body["next_cursor"].as_str() {
                Some(c) => path = format!("{versions}?limit=1&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(paged, *data);

        // One version: the form as submitted then.
        let v2 = app.get(&format!("{versions}/2"), Some(&s.ngo_manager)).await.expect(200);
        assert_eq!(v2.body["number"], 2);
        assert_eq!(v2.body["narrative"]["results"]["en"], "120 people trained, 70 women.");
        assert_eq!(v2.body["expenditures"], json!([{"budget_line_id": line, "amount": eur("1000.00"), "note": null}]));
        assert_eq!(v2.body["changed"], data[1]["changed"]);
        let v1 = app.get(&format!("{versions}/1"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(v1.body["narrative"]["results"]["en"], "120 people trained.");
        assert_eq!(v1.body["changed"], data[0]["changed"]);
        assert_eq!(app.get(&format!("{versions}/3"), Some(&s.c.manager)).await.expect(200).body["expenditures"][0]["amount"], eur("900.00"));
        for missing in ["4", "0", "-1"] {
            app.get(&format!("{versions}/{missing}"), Some(&s.c.manager)).await.expect_problem(404);
        }

        // A funder sees no version of a report not accepted; outsiders none at all.
        let (uid, funder) = app.user(&s.c.admin, "officer@eu.example.org").await;
        app.add_member(&s.c.admin, &s.c.eu, &uid, "member").await;
        let other_owner = app.token("ngo.00@ngo.kz").await;
        for token in [funder.as_str(), other_owner.as_str(), s.c.outsider.as_str()] {
            app.get(&versions, Some(token)).await.expect_problem(404);
            app.get(&format!("{versions}/1"), Some(token)).await.expect_problem(404);
        }
        app.post(&format!("/api/v1/reports/{r1}/accept"), Some(&s.c.manager), &json!({})).await.expect(200);
        assert_eq!(app.get(&versions, Some(&funder)).await.expect(200).body["data"].as_array().unwrap().len(), 3);
        app.get(&format!("/api/v1/reports/{}/versions", uuid::Uuid::now_v7()), Some(&s.c.manager)).await.expect_problem(404);
    }

    async fn reviewers_and_authors_comment_and_readers_read_the_comments(app) {
        let (s, apps) = closed_call(&app, None, None, 1).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let grant = app.get(&format!("/api/v1/grants/{g}"), Some(&s.c.manager)).await.expect(200);
        let line = grant.body["budget_lines"][0]["id"].as_str().unwrap().to_owned();
        let reqs = listed(&app, &s.c.manager, &g, "").await;
        let (r1, r2) = (reqs[0]["id"].as_str().unwrap().to_owned(), reqs[1]["id"].as_str().unwrap().to_owned());
        let comments = format!("/api/v1/reports/{r1}/comments");
        let (mid, member) = app.user(&s.c.admin, "volunteer@legalaid.kz").await;
        app.add_member(&s.c.admin, &s.ngo, &mid, "member").await;
        let (fid, funder) = app.user(&s.c.admin, "officer@eu.example.org").await;
        app.add_member(&s.c.admin, &s.c.eu, &fid, "member").await;
        let other_owner = app.token("ngo.00@ngo.kz").await;

        // A due report takes no comment; a draft does, before any submission.
        let due = app.post(&format!("/api/v1/reports/{r2}/comments"), Some(&s.c.manager), &json!({"section": "general", "text": "Hello"})).await.expect_problem(409);
        assert_eq!(due.body["current_state"], "due");
        fill(&app, &s.ngo_manager, &r1, "120 people trained.", &line, "1000.00").await;
        let early = app.post(&comments, Some(&s.c.manager), &json!({"section": "activities", "text": "Looks good so far."})).await.expect(201);
        assert_eq!((&early.body["kind"], &early.body["submission"]), (&json!("comment"), &Value::Null));
        submit(&app, &s.ngo_manager, &r1).await;
        app.clock.advance(chrono::TimeDelta::minutes(1));
        app.post(&format!("/api/v1/reports/{r1}/request-revision"), Some(&s.c.manager), &json!({"comments": [{"section": "results", "text": "How many women?"}]})).await.expect(200);
        app.clock.advance(chrono::TimeDelta::minutes(1));
        let reply = app.post(&comments, Some(&s.ngo_manager), &json!({"section": "results", "text": "70 of them; we will add it."})).await.expect(201);
        let ngo_manager_id = app.get("/api/v1/me", Some(&s.ngo_manager)).await.expect(200).body["id"].clone();
        assert_eq!(reply.body["author_id"], ngo_manager_id);
        assert_eq!(reply.body["report_id"], r1.as_str());
        assert_eq!((&reply.body["kind"], &reply.body["section"], &reply.body["submission"]), (&json!("comment"), &json!("results"), &json!(1)));

        // Refusals: a read-only member 403; a section of no template and an empty text 422.
        app.post(&comments, Some(&member), &json!({"section": "general", "text": "Me too"})).await.expect_problem(403);
        let bad = app.post(&comments, Some(&s.c.manager), &json!({"section": "budget", "text": "x"})).await.expect_problem(422);
        assert_eq!(bad.field_errors(), pairs(&[("section", "unknown_section")]));
        let empty = app.post(&comments, Some(&s.c.manager), &json!({"section": "general", "text": "  "})).await.expect_problem(422);
        assert_eq!(empty.field_errors(), pairs(&[("text", "length")]));

        // Oldest first: the early comment, the review comment, the reply.
        let page = app.get(&comments, Some(&member)).await.expect(200);
        let data = page.body["data"].as_array().unwrap();
        let seen: Vec<(&str, &str, Value)> = data.iter().map(|c| (c["kind"].as_str().unwrap(), c["section"].as_str().unwrap(), c["submission"].clone())).collect();
        assert_eq!(seen, [("comment", "activities", Value::Null), ("revision", "results", json!(1)), ("comment", "results", json!(1))]);
        assert_eq!(data[2], reply.body);
        let first = app.get(&format!("{comments}?limit=2"), Some(&s.ngo_manager)).await.expect(200);
        let cursor = first.body["next_cursor"].as_str().unwrap();
        let rest = app.get(&format!("{comments}?limit=2&cursor={cursor}"), Some(&s.ngo_manager)).await.expect(200);
        assert_eq!(rest.body["data"], json!([reply.body.clone()]));
        let since = reply.body["created_at"].as_str().unwrap();
        let recent = app.get(&format!("{comments}?updated_since={since}"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(recent.body["data"], json!([reply.body.clone()]));

        // A funder sees no comment on a report not accepted; outsiders none; and nobody of them
        // comments.
        for token in [funder.as_str(), other_owner.as_str(), s.c.outsider.as_str()] {
            app.get(&comments, Some(token)).await.expect_problem(404);
            app.post(&comments, Some(token), &json!({"section": "general", "text": "Hi"})).await.expect_problem(404);
        }
        app.post(&format!("/api/v1/reports/{}/comments", uuid::Uuid::now_v7()), Some(&s.c.manager), &json!({"section": "general", "text": "Hi"})).await.expect_problem(404);

        // Each comment is an event on the report.
        let events = app.get(&format!("/api/v1/audit-events?entity_type=report&entity_id={r1}"), Some(&s.c.admin)).await.expect(200);
        let commented = events.body["data"].as_array().unwrap().iter().filter(|e| e["action"] == "report.commented").count();
        assert_eq!(commented, 2);
    }

    async fn a_comment_is_about_a_section_of_the_programmes_own_template(app) {
        let (s, apps) = closed_call(&app, None, None, 0).await;
        let own = json!([{"key": "story", "required": true}]);
        app.patch(&format!("/api/v1/programmes/{}", s.programme), Some(&s.c.manager), &json!({"report_template": own})).await.expect(200);
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let r1 = listed(&app, &s.c.manager, &g, "").await[0]["id"].as_str().unwrap().to_owned();
        app.patch(&format!("/api/v1/reports/{r1}"), Some(&s.ngo_manager), &json!({"narrative": {"story": {"en": "A year of trainings."}}})).await.expect(200);
        let comments = format!("/api/v1/reports/{r1}/comments");
        let c = app.post(&comments, Some(&s.c.manager), &json!({"section": "story", "text": "Name the towns."})).await.expect(201);
        assert_eq!(c.body["section"], "story");
        let r = app.post(&comments, Some(&s.c.manager), &json!({"section": "activities", "text": "x"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("section", "unknown_section")]));
    }

    async fn a_requirement_shows_its_reports_status_and_is_not_overdue_once_delivered(app) {
        let (s, apps) = closed_call(&app, None, None, 0).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let grant = app.get(&format!("/api/v1/grants/{g}"), Some(&s.c.manager)).await.expect(200);
        let line = grant.body["budget_lines"][0]["id"].as_str().unwrap().to_owned();
        let all = listed(&app, &s.c.manager, &g, "").await;
        assert!(all.iter().all(|r| r["report_status"] == "due"), "{all:?}");
        let q1 = all[0]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/reporting-requirements/{q1}");

        // Saved as a draft before its due date passes: still overdue once it has.
        clock_at(&app, "2026-07-30T23:59:00Z").await;
        let author = app.token("director@legalaid.kz").await;
        fill(&app, &author, &q1, "120 people trained.", &line, "1000.00").await;
        app.clock.advance(chrono::TimeDelta::minutes(2));
        let manager = app.token("manager@foundation.kz").await;
        let author = app.token("director@legalaid.kz").await;
        let one = app.get(&path, Some(&manager)).await.expect(200);
        assert_eq!((&one.body["report_status"], &one.body["overdue"]), (&json!("draft"), &json!(true)));
        let overdue = listed(&app, &manager, &g, "&overdue=true").await;
        assert_eq!(overdue.iter().map(|r| r["id"].as_str().unwrap()).collect::<Vec<_>>(), [q1.as_str()]);
        assert_eq!(overdue[0], one.body);
        assert_eq!(app.get(&format!("/api/v1/reports/{q1}"), Some(&manager)).await.expect(200).body["overdue"], true);

        // Submitted late: delivered, so no longer overdue, in the list and alone.
        submit(&app, &author, &q1).await;
        let one = app.get(&path, Some(&manager)).await.expect(200);
        assert_eq!((&one.body["report_status"], &one.body["overdue"]), (&json!("submitted"), &json!(false)));
        assert_eq!(listed(&app, &manager, &g, "&overdue=true").await, Vec::<Value>::new());
        let not_overdue = listed(&app, &manager, &g, "&overdue=false").await;
        assert_eq!(not_overdue.len(), 5);
        assert_eq!(not_overdue[0], one.body);
        assert_eq!(app.get(&format!("/api/v1/reports/{q1}"), Some(&manager)).await.expect(200).body["overdue"], false);

        // Sent back, it is due again and overdue; accepted, it is delivered for good.
        app.post(&format!("/api/v1/reports/{q1}/request-revision"), Some(&manager), &json!({"comments": [{"section": "results", "text": "More"}]})).await.expect(200);
        let back = app.get(&path, Some(&manager)).await.expect(200);
        assert_eq!((&back.body["report_status"], &back.body["overdue"]), (&json!("revision_requested"), &json!(true)));
        submit(&app, &author, &q1).await;
        app.post(&format!("/api/v1/reports/{q1}/accept"), Some(&manager), &json!({})).await.expect(200);
        let done = listed(&app, &manager, &g, "").await;
        assert_eq!((&done[0]["report_status"], &done[0]["overdue"]), (&json!("accepted"), &json!(false)));

        // The list reads the reports in its one query: no statement per requirement.
        let (r, statements, _) = app.counting(app.get(&format!("/api/v1/grants/{g}/reporting-requirements"), Some(&manager))).await;
        assert_eq!(r.expect(200).body["data"].as_array().unwrap().len(), 5);
        assert!(statements <= 4, "{statements} statements");
    }
}
