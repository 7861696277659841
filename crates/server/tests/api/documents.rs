//! Documents end to end, uploaded with `curl` (a real multipart client) and read back as the mobile
//! app and clinic staff would: a patient's upload attached to a case and read by the assigned
//! coordinator through its signed link, links that expire or were altered, ranges, an Arabic name,
//! the same bytes stored once, a clinic patient's document listed, downloaded and deleted; and the
//! bad uploads, which store nothing.

use std::path::Path;
use std::process::Command;

use domain::identity::Audience;
use serde_json::{Value, json};
use store_diesel::testing::TestDb;
use token::KeyRing;

use crate::cases::{case_body, save};
use crate::clinic_patients::{call, ok as ok_b, staff};
use crate::flow::{pro, seed_flow};
use crate::helpers::{Response, TestApp, on_each_backend};

pub(crate) const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// `curl -F` against the server: the parts as `name=value` (`file=@path;filename=…`).
pub(crate) fn curl_form(app: &TestApp, path: &str, token: &str, parts: &[String]) -> Response {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "-w", "\n%{http_code}", "-H"])
        .arg(format!("Authorization: {token}"));
    for part in parts {
        cmd.arg("-F").arg(part);
    }
    let out = cmd
        .arg(format!("{}{}", app.base, path))
        .output()
        .expect("curl runs (install curl)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let (body, code) = text.rsplit_once('\n').expect("a status line");
    Response {
        status: code.parse().expect("a status"),
        headers: Default::default(),
        text: body.to_owned(),
        json: serde_json::from_str(body).unwrap_or(Value::Null),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// Uploads `bytes` as the patient `token`, under the file name `name`.
pub(crate) fn upload(app: &TestApp, token: &str, bytes: &[u8], name: &str) -> Response {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "upload.bin", bytes);
    curl_form(
        app,
        "/app/upload-medical-document",
        token,
        &[format!("file=@{file};filename={name}")],
    )
}

/// The path and query of a link the server gave (its `url` is absolute).
fn path_of(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("{url} is under {}", app.base))
        .to_owned()
}

/// Every file under the server's blob folder (staged or committed).
fn files(app: &TestApp) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(app._files.path(), &mut out);
    out
}

fn documents(app: &TestApp) -> i64 {
    store_diesel::testing::count_documents(&app.platform.store)
}

on_each_backend!(
    a_patients_upload_is_read_by_the_assigned_coordinator,
    |app| {
        let (rt, dc) = seed_flow(&app);
        let patient = app.user();
        let up = upload(&app, &patient, PDF, "تقرير الأشعة.pdf");
        assert_eq!(up.status, 200, "{}", up.text);
        let doc = up.json["data"].clone();
        assert_eq!(doc["name"], "تقرير الأشعة.pdf");
        assert_eq!(doc["content_type"], "application/pdf");
        assert_eq!(doc["size"], PDF.len());
        let key = doc["key"].as_str().unwrap().to_owned();
        assert!(key.starts_with("documents/"), "{key}");

        // The same bytes again: the same document, stored once.
        let again = upload(&app, &patient, PDF, "copy.pdf");
        assert_eq!(again.json["data"]["key"], key.as_str(), "{}", again.text);
        assert_eq!(documents(&app), 1);

        // The signed link serves the bytes with their name, type and tag; ranges work.
        let link = path_of(&app, doc["url"].as_str().unwrap());
        let (status, headers, bytes) = app.send_bytes("GET", &link, &[]);
        assert_eq!((status, bytes.as_slice()), (200, PDF));
        assert_eq!(headers["content-type"], "application/pdf");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.contains("filename*=UTF-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1"),
            "{disposition}"
        );
        let etag = headers["etag"].to_str().unwrap().to_owned();
        assert_eq!(etag, format!("\"{}\"", doc["sha256"].as_str().unwrap()));
        let (status, headers, bytes) = app.send_bytes("GET", &link, &[("range", "bytes=5-7")]);
        assert_eq!((status, bytes.as_slice()), (206, &PDF[5..8]));
        assert_eq!(headers["content-range"], format!("bytes 5-7/{}", PDF.len()));
        let (status, _, _) = app.send_bytes("GET", &link, &[("range", "bytes=9999-")]);
        assert_eq!(status, 416);
        let (status, _, _) = app.send_bytes("GET", &link, &[("if-none-match", &etag)]);
        assert_eq!(status, 304);

        // An altered link, and a link for another key with this signature, are refused alike.
        let (base, sig) = link.split_once("&sig=").unwrap();
        let flipped = if sig.starts_with('0') { "1" } else { "0" };
        let altered = format!("{base}&sig={flipped}{}", &sig[1..]);
        for bad in [
            altered,
            link.replace("exp=", "exp=1"),
            format!("/files/{key}"),
        ] {
            let r = app.get(&bad);
            assert_eq!(
                (r.status, r.message()),
                (403, "This link has expired or is not valid"),
                "{bad}"
            );
        }

        // Another patient cannot put this key on a case; the owner can, beside an outside document.
        let other = app.token(Audience::SnrUsr, "patient-2", &[]);
        let mut body = case_body(&rt, &dc, "review");
        body["medical_documents"] = json!([
            {"url": doc["url"], "key": key, "name": "scan.pdf"},
            {"url": "https://elsewhere.example/a.pdf", "key": "uploads/a.pdf", "name": "a.pdf"},
        ]);
        let theirs = app.post("/app/save-review-case", Some(&other), body.clone());
        assert_eq!(
            (theirs.status, theirs.message()),
            (404, "Document not found")
        );
        let case_id = save(&app, &patient, body);

        // The patient's details give a fresh link; the outside document keeps its own.
        let details = app.post(
            "/app/review-case-details",
            Some(&patient),
            json!({"case_id": case_id}),
        );
        let listed = &details.json["data"]["medical_documents"];
        assert_eq!(listed[1]["url"], "https://elsewhere.example/a.pdf");
        let fresh = path_of(&app, listed[0]["url"].as_str().unwrap());
        assert_eq!(app.send_bytes("GET", &fresh, &[]).2, PDF);

        // Nobody on the case yet: the coordinator sees nothing. Assigned: the details link opens.
        let coordinator = pro(&app, "EMP1");
        let before = app.post(
            "/pro/review-case-details",
            Some(&coordinator),
            json!({"case_id": case_id}),
        );
        assert_eq!(before.status, 404, "{}", before.text);
        let assigned = app.post(
            "/admin/assign-coordinator",
            Some(&app.admin()),
            json!({"case_id": case_id, "doctor_id": "EMP1"}),
        );
        assert_eq!(assigned.status, 200, "{}", assigned.text);
        // The administrator sees that the document exists, without a working link.
        let admin_case = app.post(
            "/admin/review-case-details",
            Some(&app.admin()),
            json!({"case_id": case_id}),
        );
        let admin_view = &admin_case.json["data"]["medical_documents"][0]["url"];
        assert_eq!(admin_view, &json!(format!("/files/{key}")));
        let r = app.get(admin_view.as_str().unwrap());
        assert_eq!(r.status, 403);
        let seen = app.post(
            "/pro/review-case-details",
            Some(&coordinator),
            json!({"case_id": case_id}),
        );
        assert_eq!(seen.status, 200, "{}", seen.text);
        let coordinator_link = path_of(
            &app,
            seen.json["data"]["medical_documents"][0]["url"]
                .as_str()
                .unwrap(),
        );
        assert_eq!(app.send_bytes("GET", &coordinator_link, &[]).2, PDF);
    }
);

#[test]
fn a_link_stops_working_at_its_expiry() {
    let app = TestApp::spawn_configured(
        TestDb::sqlite(),
        KeyRing::generate(),
        |c| c.documents.link_ttl = std::time::Duration::from_secs(1),
        false,
    );
    let up = upload(&app, &app.user(), b"plain text note\n", "note.txt");
    assert_eq!(up.json["data"]["content_type"], "text/plain; charset=utf-8");
    let link = path_of(&app, up.json["data"]["url"].as_str().unwrap());
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let r = app.get(&link);
    assert_eq!(
        (r.status, r.message()),
        (403, "This link has expired or is not valid")
    );
}

on_each_backend!(bad_uploads_store_nothing, |app| {
    let patient = app.user();
    let small = TestApp::spawn_configured(
        TestDb::sqlite(),
        KeyRing::generate(),
        |c| c.documents.max_upload_bytes = 2048,
        false,
    );
    // One byte over the limit: 413, nothing kept; the limit itself is taken.
    let over = upload(&small, &small.user(), &[b'a'; 2049], "big.txt");
    assert_eq!(
        (over.status, over.message()),
        (413, "Request body is larger than the limit of 2 KiB")
    );
    assert!(files(&small).is_empty(), "{:?}", files(&small));
    assert_eq!(
        upload(&small, &small.user(), &[b'a'; 2048], "limit.txt").status,
        200
    );

    // Empty, an executable named .pdf.
    let empty = upload(&app, &patient, b"", "empty.pdf");
    assert_eq!((empty.status, empty.message()), (400, "The file is empty"));
    let exe = upload(
        &app,
        &patient,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
        "scan.pdf",
    );
    assert_eq!(exe.status, 415, "{}", exe.text);
    assert!(
        exe.message().contains("PDF, JPEG, PNG, HEIC, DICOM"),
        "{}",
        exe.text
    );

    // A form without a file part, a body that is not multipart, a multipart body cut short.
    let no_file = curl_form(
        &app,
        "/app/upload-medical-document",
        &patient,
        &["name=x".into()],
    );
    assert_eq!(no_file.status, 400, "{}", no_file.text);
    assert!(no_file.message().contains("file"), "{}", no_file.text);
    let json_body = app.post("/app/upload-medical-document", Some(&patient), json!({}));
    assert_eq!(json_body.status, 400, "{}", json_body.text);
    let boundary = "cut-7d2f";
    let mut cut = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n"
    )
    .into_bytes();
    cut.extend_from_slice(PDF);
    let r = app.send(
        "POST",
        "/app/upload-medical-document",
        &[("authorization", &patient)],
        Some((&format!("multipart/form-data; boundary={boundary}"), cut)),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    // A key nobody uploaded.
    let (rt, dc) = crate::cases::seed_catalogue(&app);
    let mut body = case_body(&rt, &dc, "draft");
    body["medical_documents"] =
        json!([{"url": "x", "key": "documents/0198a3c4-0000-7000-8000-000000000001", "name": "n"}]);
    let none = app.post("/app/save-review-case", Some(&patient), body);
    assert_eq!((none.status, none.message()), (404, "Document not found"));

    assert_eq!(documents(&app), 0);
    assert!(files(&app).is_empty(), "{:?}", files(&app));
});

on_each_backend!(
    a_clinic_patients_document_is_listed_downloaded_and_deleted,
    |app| {
        let s = staff(&app);
        let patient = ok_b(
            &call(
                &app,
                "POST",
                "/api/patients",
                &s.reception,
                Some(json!({"name": "Layla Haddad"})),
            ),
            201,
        )["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "letter.pdf", PDF);
        let path = format!("/api/patients/{patient}/documents");
        let form = |title: &str| {
            vec![
                format!("file=@{file};filename=letter.pdf"),
                format!("title={title}"),
                "kind=referral".to_owned(),
            ]
        };
        let up = curl_form(&app, &path, &s.reception, &form("Referral letter"));
        let doc = ok_b(&up, 201).clone();
        assert_eq!(doc["title"], "Referral letter");
        assert_eq!(doc["kind"], "referral");
        assert_eq!(doc["name"], "letter.pdf");
        let again = curl_form(&app, &path, &s.doctor, &form("Again"));
        assert_eq!(ok_b(&again, 200)["id"], doc["id"]);
        // Technicians read but do not upload; an unknown kind is named.
        assert_eq!(
            curl_form(&app, &path, &s.technician, &form("x")).status,
            403
        );
        let mut wrong = form("x");
        wrong[2] = "kind=x-ray".into();
        let refused = curl_form(&app, &path, &s.doctor, &wrong);
        assert_eq!(refused.status, 400, "{}", refused.text);
        assert!(
            refused
                .text
                .contains("referral, lab, imaging, consent or other"),
            "{}",
            refused.text
        );

        let listed = call(&app, "GET", &path, &s.technician, None);
        assert_eq!(ok_b(&listed, 200)[0]["id"], doc["id"]);
        assert_eq!(listed.json["pagination"]["total"], 1);
        let id = doc["id"].as_str().unwrap();
        let shown = call(
            &app,
            "GET",
            &format!("/api/documents/{id}"),
            &s.doctor,
            None,
        );
        let link = path_of(&app, ok_b(&shown, 200)["url"].as_str().unwrap());
        assert_eq!(app.send_bytes("GET", &link, &[]).2, PDF);
        let (status, headers, bytes) = app.send_bytes(
            "GET",
            &format!("/api/documents/{id}/download"),
            &[("authorization", &s.doctor)],
        );
        assert_eq!((status, bytes.as_slice()), (200, PDF));
        assert!(
            headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );

        // Receptionists may not delete; a doctor does, and the document is gone at once.
        let doc_path = format!("/api/documents/{id}");
        assert_eq!(
            call(&app, "DELETE", &doc_path, &s.reception, None).status,
            403
        );
        ok_b(&call(&app, "DELETE", &doc_path, &s.doctor, None), 200);
        assert_eq!(call(&app, "GET", &doc_path, &s.doctor, None).status, 404);
        assert_eq!(app.get(&link).status, 404);
        assert_eq!(
            ok_b(&call(&app, "GET", &path, &s.doctor, None), 200),
            &json!([])
        );

        // Every upload, read, download and delete is in the audit log with the patient.
        let audit = call(
            &app,
            "GET",
            &format!("/api/audit?patient_id={patient}&limit=100"),
            &app.token(Audience::Clinic, &s.doctor_id, &["admin"]),
            None,
        );
        let actions: Vec<&str> = ok_b(&audit, 200)
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .filter(|a| a.starts_with("document."))
            .collect();
        for action in [
            "document.upload",
            "document.read",
            "document.download",
            "document.delete",
        ] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }

        // Past retention the bytes go.
        assert_eq!(documents(&app), 1);
        let purged = app.platform.state.documents.purge().unwrap();
        assert_eq!(purged.documents, 0, "30 days have not passed");
    }
);

#[test]
fn deleted_documents_go_after_retention() {
    let app = TestApp::spawn_configured(
        TestDb::sqlite(),
        KeyRing::generate(),
        |c| c.documents.retention = std::time::Duration::ZERO,
        false,
    );
    let s = staff(&app);
    let patient = ok_b(
        &call(
            &app,
            "POST",
            "/api/patients",
            &s.reception,
            Some(json!({"name": "Omar"})),
        ),
        201,
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "n.txt", b"lab results: normal\n");
    let up = curl_form(
        &app,
        &format!("/api/patients/{patient}/documents"),
        &s.doctor,
        &[format!("file=@{file}"), "kind=lab".into()],
    );
    let id = ok_b(&up, 201)["id"].as_str().unwrap().to_owned();
    assert_eq!(files(&app).len(), 1);
    ok_b(
        &call(
            &app,
            "DELETE",
            &format!("/api/documents/{id}"),
            &s.doctor,
            None,
        ),
        200,
    );
    assert_eq!(files(&app).len(), 1, "kept until retention");
    let purged = app.platform.state.documents.purge().unwrap();
    assert_eq!((purged.documents, purged.failed), (1, 0));
    assert!(files(&app).is_empty(), "{:?}", files(&app));
    assert_eq!(documents(&app), 0);
}
