//! Report attachments, on both backends (and once more with the S3 store): upload a PDF and a
//! CSV and download the same bytes, refuse what is too large or of no accepted kind, keep a
//! client's path out of the name, attach only while the report is editable, and show nothing
//! to callers who may not read the report (a funder before acceptance, another organisation).

use crate::both_backends;
use crate::helpers::{Backend, Resp, TestApp, s3_location, spawn_app_with};
use crate::requirements::{award, closed_call, listed};
use awc::http::Method;
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
const PDF_SHA256: &str = "a8ea9f63d81e0927b1935af65c5c4ae12be654d6d1d57907772491a65a562aa5";
const CSV: &[u8] = "name,region\nАйгуль,KZ-75\nBob,KZ-71\n".as_bytes();

/// Uploads `bytes` named `name` as the `file` part of a multipart body.
async fn upload(app: &TestApp, token: &str, report: &str, name: &str, bytes: &[u8]) -> Resp {
    let boundary = "----seriktes-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let auth = format!("Bearer {token}");
    let kind = format!("multipart/form-data; boundary={boundary}");
    app.raw(
        Method::POST,
        &format!("/api/v1/reports/{report}/attachments"),
        &[("Authorization", &auth), ("Content-Type", &kind)],
        body,
    )
    .await
}

/// A grant awarded from 2026-04-01, its first report, and a user of `org` in `role`.
struct Scene {
    s: crate::applications::Scene,
    report: String,
}

async fn scene(app: &TestApp) -> Scene {
    let (s, apps) = closed_call(app, None, None, 0).await;
    let grant = award(app, &s, &apps[0], "2026-04-01").await;
    let reqs = listed(app, &s.c.manager, &grant, "").await;
    let report = reqs[0]["id"].as_str().unwrap().to_owned();
    Scene { s, report }
}

async fn member(app: &TestApp, admin: &str, org: &str, email: &str, role: &str) -> String {
    let (uid, token) = app.user(admin, email).await;
    app.add_member(admin, org, &uid, role).await;
    token
}

/// Moves the scene's report through the real endpoints: the director saves a complete draft
/// (`draft`) and submits it (`submitted`), the programme's manager accepts it (`accepted`).
async fn set_report_status(app: &TestApp, s: &crate::applications::Scene, report: &str, to: &str) {
    let path = format!("/api/v1/reports/{report}");
    let r = match to {
        "draft" => {
            let narrative = json!({"narrative": {"activities": {"en": "Trainings."}, "results": {"en": "Ten people."}}});
            app.patch(&path, Some(&s.ngo_manager), &narrative).await
        }
        "submitted" => {
            app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({}))
                .await
        }
        _ => {
            app.post(&format!("{path}/accept"), Some(&s.c.manager), &json!({}))
                .await
        }
    };
    assert_eq!(r.expect(200).body["status"], to);
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Uploads a PDF and reads it back whole: metadata, list and bytes.
async fn round_trip(app: &TestApp) {
    let sc = scene(app).await;
    set_report_status(app, &sc.s, &sc.report, "draft").await;
    let a = upload(app, &sc.s.ngo_manager, &sc.report, "receipts.pdf", PDF)
        .await
        .expect(201);
    let id = id_of(&a.body);
    let content = app
        .get(
            &format!("/api/v1/attachments/{id}/content"),
            Some(&sc.s.c.manager),
        )
        .await
        .expect(200);
    assert_eq!(content.raw, PDF);
    assert_eq!(a.body["sha256"], PDF_SHA256);
    app.delete(
        &format!("/api/v1/attachments/{id}"),
        Some(&sc.s.ngo_manager),
    )
    .await
    .expect(204);
    app.get(
        &format!("/api/v1/attachments/{id}/content"),
        Some(&sc.s.c.manager),
    )
    .await
    .expect_problem(404);
}

both_backends! {
    async fn attachments_are_uploaded_listed_downloaded_and_removed_while_the_report_is_editable(app) {
        let sc = scene(&app).await;
        let (s, report) = (&sc.s, sc.report.as_str());

        // A report still due has no form to attach to.
        let r = upload(&app, &s.ngo_manager, report, "receipts.pdf", PDF).await.expect_problem(409);
        assert!(r.body["detail"].as_str().unwrap().contains("save the report first"), "{}", r.body);
        set_report_status(&app, s, report, "draft").await;

        let pdf = upload(&app, &s.ngo_manager, report, "receipts.pdf", PDF).await.expect(201);
        assert_eq!(pdf.header("etag"), Some("\"1\""));
        let pdf_id = id_of(&pdf.body);
        assert_eq!(pdf.header("location"), Some(format!("/api/v1/attachments/{pdf_id}").as_str()));
        assert_eq!(pdf.body["report_id"], report);
        assert_eq!(pdf.body["name"], "receipts.pdf");
        assert_eq!(pdf.body["media_type"], "application/pdf");
        assert_eq!(pdf.body["size_bytes"], PDF.len());
        assert_eq!(pdf.body["sha256"], PDF_SHA256);
        assert!(pdf.body["uploaded_by"].is_string());

        // An accountant of the grantee attaches too; the CSV is recognised by its name.
        let accountant = member(&app, &s.c.admin, &s.ngo, "accountant@legalaid.kz", "accountant").await;
        let csv = upload(&app, &accountant, report, "participants.csv", CSV).await.expect(201);
        assert_eq!(csv.body["media_type"], "text/csv");

        // A path is never kept: the file is named by its last segment.
        let passwd = upload(&app, &s.ngo_manager, report, "../../etc/passwd", b"root:x:0:0\n").await.expect(201);
        assert_eq!(passwd.body["name"], "passwd");
        assert_eq!(passwd.body["media_type"], "text/plain");

        // An executable or unknown binary is refused by its content.
        let elf = [&b"\x7fELF\x02\x01\x01\x00"[..], &[0_u8; 56]].concat();
        for (name, bytes) in [("report.pdf", elf), ("data.csv", vec![0, 1, 2, 3, 255, 254])] {
            let r = upload(&app, &s.ngo_manager, report, name, &bytes).await;
            assert!(r.status == 415 || r.status == 422, "{name}: {} {}", r.status, r.body);
            assert_eq!(r.field_errors(), vec![("file".to_owned(), "file_type".to_owned())]);
        }
        // A grantee member reads but may not attach.
        let reader = member(&app, &s.c.admin, &s.ngo, "member@legalaid.kz", "member").await;
        upload(&app, &reader, report, "x.txt", b"hello").await.expect_problem(403);

        // The list pages in upload order.
        let path = format!("/api/v1/reports/{report}/attachments");
        let first = app.get(&format!("{path}?limit=2"), Some(&s.c.manager)).await.expect(200);
        let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
        let second = app.get(&format!("{path}?limit=2&cursor={cursor}"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(second.body["next_cursor"], Value::Null);
        let ids: Vec<String> = first.body["data"].as_array().unwrap().iter().chain(second.body["data"].as_array().unwrap()).map(id_of).collect();
        assert_eq!(ids, [pdf_id.clone(), id_of(&csv.body), id_of(&passwd.body)]);

        // Metadata as uploaded; the bytes back as they were, never sniffed, as an attachment.
        let meta = app.get(&format!("/api/v1/attachments/{pdf_id}"), Some(&reader)).await.expect(200);
        assert_eq!(meta.body, pdf.body);
        assert_eq!(meta.header("etag"), Some("\"1\""));
        let got = app.get(&format!("/api/v1/attachments/{}/content", id_of(&csv.body)), Some(&s.ngo_manager)).await.expect(200);
        assert_eq!(got.raw, CSV);
        assert_eq!(got.header("content-type"), Some("text/csv"));
        assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(got.header("content-disposition"), Some("attachment; filename=\"participants.csv\"; filename*=UTF-8''participants.csv"));
        let got = app.get(&format!("/api/v1/attachments/{}/content", id_of(&passwd.body)), Some(&s.ngo_manager)).await.expect(200);
        assert_eq!(got.raw, b"root:x:0:0\n");
        assert_eq!(got.header("content-disposition"), Some("attachment; filename=\"passwd\"; filename*=UTF-8''passwd"));

        // Another organisation sees nothing; a funder nothing before the report is accepted.
        let funder = member(&app, &s.c.admin, &s.c.eu, "member@eu.example.org", "member").await;
        for token in [&s.c.outsider, &funder] {
            app.get(&path, Some(token)).await.expect_problem(404);
            app.get(&format!("/api/v1/attachments/{pdf_id}"), Some(token)).await.expect_problem(404);
            app.get(&format!("/api/v1/attachments/{pdf_id}/content"), Some(token)).await.expect_problem(404);
            app.delete(&format!("/api/v1/attachments/{pdf_id}"), Some(token)).await.expect_problem(404);
        }

        // Removed while a draft: gone, bytes and all.
        app.delete(&format!("/api/v1/attachments/{}", id_of(&passwd.body)), Some(&accountant)).await.expect(204);
        app.get(&format!("/api/v1/attachments/{}", id_of(&passwd.body)), Some(&s.ngo_manager)).await.expect_problem(404);
        let left = app.get(&path, Some(&s.ngo_manager)).await.expect(200);
        assert_eq!(left.body["data"].as_array().unwrap().len(), 2);

        // Submitted: nothing is added or removed; accepted: the funder reads the files.
        set_report_status(&app, s, report, "submitted").await;
        let r = upload(&app, &s.ngo_manager, report, "late.txt", b"late").await.expect_problem(409);
        assert_eq!(r.body["current_state"], "submitted");
        app.delete(&format!("/api/v1/attachments/{pdf_id}"), Some(&s.ngo_manager)).await.expect_problem(409);
        set_report_status(&app, s, report, "accepted").await;
        let got = app.get(&format!("/api/v1/attachments/{pdf_id}/content"), Some(&funder)).await.expect(200);
        assert_eq!(got.raw, PDF);
        assert_eq!(got.header("content-type"), Some("application/pdf"));

        // The audit log has both changes.
        let events = app.get(&format!("/api/v1/audit-events?entity_type=report&entity_id={report}"), Some(&s.c.admin)).await.expect(200);
        let kinds: Vec<&str> = events.body["data"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "report.attachment_added").count(), 3, "{kinds:?}");
        assert_eq!(kinds.iter().filter(|k| **k == "report.attachment_removed").count(), 1, "{kinds:?}");
    }

    async fn an_upload_round_trips_through_the_local_folder(app) {
        round_trip(&app).await;
    }
}

#[actix_web::test]
async fn an_upload_over_the_configured_limit_is_413() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.files_max_bytes = 1_000)
        .await
        .expect("sqlite app");
    let sc = scene(&app).await;
    set_report_status(&app, &sc.s, &sc.report, "draft").await;
    let big = "a".repeat(1_001);
    upload(
        &app,
        &sc.s.ngo_manager,
        &sc.report,
        "big.txt",
        big.as_bytes(),
    )
    .await
    .expect_problem(413);
    let fits = "a".repeat(1_000);
    upload(
        &app,
        &sc.s.ngo_manager,
        &sc.report,
        "fits.txt",
        fits.as_bytes(),
    )
    .await
    .expect(201);
}

#[actix_web::test]
async fn an_upload_round_trips_through_an_s3_bucket() {
    let Some(location) = s3_location() else {
        return;
    };
    let app = spawn_app_with(Backend::Sqlite, |s| s.files = location)
        .await
        .expect("sqlite app");
    round_trip(&app).await;
}
