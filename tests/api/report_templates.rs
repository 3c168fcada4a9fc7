//! Report templates, on both backends: a programme states the narrative sections of its
//! grants' reports; reports are checked against them on save, submit and revision requests;
//! once a report is saved the template only gains optional sections.

use crate::both_backends;
use crate::programmes::programme_body;
use crate::requirements::{award, closed_call, listed};
use serde_json::json;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

both_backends! {
    async fn a_programmes_report_template_shapes_its_reports_and_only_grows_once_used(app) {
        let (s, apps) = closed_call(&app, None, None, 0).await;
        let programme = format!("/api/v1/programmes/{}", s.programme);
        let fresh = app.get(&programme, Some(&s.c.manager)).await.expect(200);
        assert_eq!(fresh.body["report_template"], json!([
            {"key": "activities", "required": true}, {"key": "results", "required": true},
            {"key": "challenges", "required": false}, {"key": "next_steps", "required": false}
        ]));

        // A broken template names every broken section.
        let mut body = programme_body(&s.c);
        body["report_template"] = json!([{"key": "Activities", "required": true}, {"key": "x", "required": false}, {"key": "x", "required": false}]);
        let bad = app.post("/api/v1/programmes", Some(&s.c.manager), &body).await.expect_problem(422);
        assert_eq!(bad.field_errors(), pairs(&[("report_template.0.key", "format"), ("report_template.2.key", "duplicate")]));
        let empty = app.patch(&programme, Some(&s.c.manager), &json!({"report_template": []})).await.expect_problem(422);
        assert_eq!(empty.field_errors(), pairs(&[("report_template", "length")]));

        // Before any report exists, anything goes.
        let own = json!([{"key": "story", "required": true}, {"key": "photos_note", "required": false}]);
        let p = app.patch(&programme, Some(&s.c.manager), &json!({"report_template": own})).await.expect(200);
        assert_eq!(p.body["report_template"], own);

        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let r1 = listed(&app, &s.c.manager, &g, "").await[0]["id"].as_str().unwrap().to_owned();
        let report = format!("/api/v1/reports/{r1}");
        let old = app.patch(&report, Some(&s.ngo_manager), &json!({"narrative": {"activities": {"en": "Trainings."}}})).await.expect_problem(422);
        assert_eq!(old.field_errors(), pairs(&[("narrative.activities", "unknown_section")]));
        app.patch(&report, Some(&s.ngo_manager), &json!({"narrative": {"photos_note": {"en": "Twelve photos."}}})).await.expect(200);
        let missing = app.post(&format!("{report}/submit"), Some(&s.ngo_manager), &json!({})).await.expect_problem(422);
        assert_eq!(missing.field_errors(), pairs(&[("narrative.story", "required")]));

        // Now a report uses it: removing a section or changing what is required is refused.
        let before = app.get(&programme, Some(&s.c.manager)).await.expect(200);
        for broken in [
            json!([{"key": "photos_note", "required": false}]),
            json!([{"key": "story", "required": true}, {"key": "photos_note", "required": true}]),
            json!([{"key": "story", "required": true}, {"key": "photos_note", "required": false}, {"key": "lessons", "required": true}]),
        ] {
            let refused = app.patch(&programme, Some(&s.c.manager), &json!({"report_template": broken})).await.expect_problem(409);
            assert!(refused.body["detail"].as_str().unwrap().contains("sections may only be added"));
        }
        let unchanged = app.get(&programme, Some(&s.c.manager)).await.expect(200);
        assert_eq!(unchanged.body["report_template"], before.body["report_template"]);
        assert_eq!(unchanged.header("etag"), before.header("etag"));
        let grown = json!([{"key": "story", "required": true}, {"key": "photos_note", "required": false}, {"key": "lessons", "required": false}]);
        let p = app.patch(&programme, Some(&s.c.manager), &json!({"report_template": grown})).await.expect(200);
        assert_eq!(p.body["report_template"], grown);

        // The report follows the grown template: filled in, submitted, reviewed by its sections.
        app.patch(&report, Some(&s.ngo_manager), &json!({"narrative": {"story": {"en": "We trained 40 lawyers."}, "lessons": {"ru": "Больше практики."}}})).await.expect(200);
        app.post(&format!("{report}/submit"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        let wrong = app.post(&format!("{report}/request-revision"), Some(&s.c.manager), &json!({"comments": [{"section": "activities", "text": "?"}]})).await.expect_problem(422);
        assert_eq!(wrong.field_errors(), pairs(&[("comments.0.section", "unknown_section")]));
        let back = app.post(&format!("{report}/request-revision"), Some(&s.c.manager), &json!({"comments": [{"section": "lessons", "text": "In English too, please."}]})).await.expect(200);
        assert_eq!(back.body["status"], "revision_requested");
        assert_eq!(back.body["narrative"]["story"]["en"], "We trained 40 lawyers.");
    }
}
