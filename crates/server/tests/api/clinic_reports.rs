//! Clinic reports and the audit log end to end, on both databases: a doctor writes, edits and
//! finalizes a report (then it is read-only), technicians read, receptionists do not, the PDF in
//! English and Arabic (what it says is checked in report-pdf's tests), and the audit log showing
//! who read and wrote what, under which request.

use domain::identity::Audience;
use serde_json::{Value, json};
use store_diesel::testing::{
    ReportsTestPatient, reports_insert_patient_for_tests, reports_insert_staff_for_tests,
};
use uuid::Uuid;

use crate::helpers::{Response, TestApp, on_each_backend};

const DOCTOR: &str = "0193a1c0-0000-7000-8000-0000000d0c01";
const TECHNICIAN: &str = "0193a1c0-0000-7000-8000-0000000d0c02";
const RECEPTIONIST: &str = "0193a1c0-0000-7000-8000-0000000d0c03";
const ADMIN: &str = "0193a1c0-0000-7000-8000-0000000d0c04";
const PATIENT: &str = "0193a1c0-0000-7000-8000-000000009a01";
const GONE_PATIENT: &str = "0193a1c0-0000-7000-8000-000000009a02";

/// The staff of the tests and two patients (the second soft-deleted), and a token per role.
struct Clinic {
    doctor: String,
    technician: String,
    receptionist: String,
    admin: String,
}

fn clinic(app: &TestApp) -> Clinic {
    let store = &app.platform.store;
    let id = |s: &str| Uuid::parse_str(s).unwrap();
    reports_insert_staff_for_tests(
        store,
        id(DOCTOR),
        "Dr. Omar Khalil",
        Some("د. عمر خليل"),
        "doctor",
    );
    reports_insert_staff_for_tests(store, id(TECHNICIAN), "Nadia Tech", None, "technician");
    for (patient, deleted) in [(PATIENT, false), (GONE_PATIENT, true)] {
        reports_insert_patient_for_tests(
            store,
            &ReportsTestPatient {
                id: id(patient),
                mrn: if deleted { "MRN000002" } else { "MRN000001" }.into(),
                name: "Layla Hassan".into(),
                name_ar: Some("ليلى حسن".into()),
                birth_date: Some("1985-03-14".into()),
                sex: Some("female".into()),
                deleted,
            },
        );
    }
    Clinic {
        doctor: app.token(Audience::Clinic, DOCTOR, &["doctor"]),
        technician: app.token(Audience::Clinic, TECHNICIAN, &["technician"]),
        receptionist: app.token(Audience::Clinic, RECEPTIONIST, &["receptionist"]),
        admin: app.token(Audience::Clinic, ADMIN, &["admin"]),
    }
}

fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Response {
    call_with(app, method, path, token, &[], body)
}

fn call_with(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    extra: &[(&str, &str)],
    body: Option<Value>,
) -> Response {
    let mut headers = extra.to_vec();
    headers.push(("authorization", token));
    let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
    app.send(method, path, &headers, body)
}

fn request_id(r: &Response) -> String {
    r.headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn report_body() -> Value {
    json!({
        "patient_id": PATIENT,
        "study_id": "1.2.840.113619.2.55.3.604688119.971",
        "findings": "The liver is normal in size and echotexture.\n\nNo focal lesion.",
        "impression": "",
        "measurements": [
            {"name": "Liver span", "value": 14.5, "unit": "cm"},
            {"name": "Portal vein", "value": 11, "unit": "mm"}
        ]
    })
}

/// Creates a report by the doctor and returns its id.
fn created(app: &TestApp, c: &Clinic) -> String {
    let r = call(app, "POST", "/api/reports", &c.doctor, Some(report_body()));
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_owned()
}

on_each_backend!(clinic_report_from_draft_to_finalized, |app| {
    let c = clinic(&app);
    let r = call(&app, "POST", "/api/reports", &c.doctor, Some(report_body()));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["success"], true);
    let data = &r.json["data"];
    let id = data["id"].as_str().unwrap().to_owned();
    assert_eq!(data["status"], "draft");
    assert_eq!(data["patient_id"], PATIENT);
    assert_eq!(
        data["patient"],
        json!({"id": PATIENT, "mrn": "MRN000001", "name": "Layla Hassan", "name_ar": "ليلى حسن"})
    );
    assert_eq!(data["doctor_id"], DOCTOR);
    assert_eq!(data["doctor_name"], "Dr. Omar Khalil");
    assert_eq!(
        data["measurements"][1],
        json!({"name": "Portal vein", "value": 11.0, "unit": "mm"})
    );
    assert_eq!(data["finalized_at"], Value::Null);
    assert!(data["created_at"].as_str().unwrap().ends_with('Z'));

    // Edited: only what is sent changes.
    let path = format!("/api/reports/{id}");
    let r = call(
        &app,
        "PUT",
        &path,
        &c.doctor,
        Some(json!({"impression": "Normal liver.", "study_id": null})),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["data"]["impression"], "Normal liver.");
    assert_eq!(r.json["data"]["study_id"], Value::Null);
    assert_eq!(r.json["data"]["measurements"].as_array().unwrap().len(), 2);

    let r = call(&app, "PUT", &format!("{path}/finalize"), &c.doctor, None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["data"]["status"], "finalized");
    assert_eq!(r.json["data"]["finalized_by"], DOCTOR);
    assert!(r.json["data"]["finalized_at"].is_string());

    // Read-only from now on.
    for (method, p, body) in [
        ("PUT", path.clone(), Some(json!({"findings": "changed"}))),
        ("PUT", format!("{path}/finalize"), None),
        ("DELETE", path.clone(), None),
    ] {
        let r = call(&app, method, &p, &c.doctor, body);
        assert_eq!(r.status, 409, "{method} {p}: {}", r.text);
        assert_eq!(r.json["success"], false);
        assert_eq!(r.json["code"], 409);
        assert!(
            r.json["error"].as_str().unwrap().contains("finalized"),
            "{}",
            r.text
        );
    }

    // Listed, with its filters.
    let r = call(
        &app,
        "GET",
        &format!("/api/reports?patient_id={PATIENT}&status=finalized"),
        &c.doctor,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["data"][0]["id"], id.as_str());
    assert_eq!(
        r.json["pagination"],
        json!({"page": 1, "limit": 15, "total": 1})
    );
    let r = call(
        &app,
        "GET",
        "/api/reports?status=draft&limit=500",
        &c.doctor,
        None,
    );
    assert_eq!(
        r.json["pagination"],
        json!({"page": 1, "limit": 100, "total": 0})
    );
    for bad in [
        "page=0",
        "limit=-1",
        "page=abc",
        "status=open",
        "doctor=x",
        "sort=name",
        "order=up",
    ] {
        let r = call(&app, "GET", &format!("/api/reports?{bad}"), &c.doctor, None);
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
});

on_each_backend!(clinic_report_refusals, |app| {
    let c = clinic(&app);
    // A deleted or unknown patient: 422 naming the field.
    for patient in [GONE_PATIENT, "0193a1c0-0000-7000-8000-000000009aff"] {
        let mut body = report_body();
        body["patient_id"] = json!(patient);
        let r = call(&app, "POST", "/api/reports", &c.doctor, Some(body));
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(
            r.json["error"].as_str().unwrap().contains("patient_id"),
            "{}",
            r.text
        );
    }
    // The body's rules: 400 naming each field.
    let r = call(
        &app,
        "POST",
        "/api/reports",
        &c.doctor,
        Some(json!({
            "patient_id": PATIENT, "study_id": "not a uid", "findings": "x".repeat(20_001),
            "measurements": [{"name": " ", "value": 1}]
        })),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    for field in ["study_id", "findings", "measurements[0].name"] {
        assert!(
            r.json["error"].as_str().unwrap().contains(field),
            "{field}: {}",
            r.text
        );
    }
    let mut body = report_body();
    body["colour"] = json!("red");
    assert_eq!(
        call(&app, "POST", "/api/reports", &c.doctor, Some(body)).status,
        400
    );
    // Nothing to finalize.
    let r = call(
        &app,
        "POST",
        "/api/reports",
        &c.doctor,
        Some(json!({"patient_id": PATIENT})),
    );
    let empty = r.json["data"]["id"].as_str().unwrap().to_owned();
    let r = call(
        &app,
        "PUT",
        &format!("/api/reports/{empty}/finalize"),
        &c.doctor,
        None,
    );
    assert_eq!(r.status, 422, "{}", r.text);
    // A draft is deleted; then it is gone.
    let r = call(
        &app,
        "DELETE",
        &format!("/api/reports/{empty}"),
        &c.doctor,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["data"]["id"], empty.as_str());
    assert_eq!(
        call(
            &app,
            "GET",
            &format!("/api/reports/{empty}"),
            &c.doctor,
            None
        )
        .status,
        404
    );
    // Ids that are not UUIDs name nothing.
    for (method, path) in [
        ("GET", "/api/reports/nope"),
        ("PUT", "/api/reports/nope/finalize"),
        ("DELETE", "/api/reports/nope"),
        ("GET", "/api/reports/nope/pdf"),
    ] {
        assert_eq!(
            call(&app, method, path, &c.doctor, None).status,
            404,
            "{method} {path}"
        );
    }
    // A doctor's token whose subject is no staff account cannot write.
    let stranger = app.token(Audience::Clinic, "EMP1", &["doctor"]);
    assert_eq!(
        call(&app, "POST", "/api/reports", &stranger, Some(report_body())).status,
        403
    );
});

on_each_backend!(clinic_report_roles, |app| {
    let c = clinic(&app);
    let id = created(&app, &c);
    let path = format!("/api/reports/{id}");
    // Technicians read but do not write or print.
    assert_eq!(
        call(&app, "GET", "/api/reports", &c.technician, None).status,
        200
    );
    let r = call(&app, "GET", &path, &c.technician, None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["data"]["measurements"][0]["name"], "Liver span");
    for (method, p, body) in [
        ("POST", "/api/reports".to_owned(), Some(report_body())),
        ("PUT", path.clone(), Some(json!({"findings": "x"}))),
        ("PUT", format!("{path}/finalize"), None),
        ("DELETE", path.clone(), None),
        ("GET", format!("{path}/pdf"), None),
    ] {
        let r = call(&app, method, &p, &c.technician, body);
        assert_eq!(r.status, 403, "{method} {p}: {}", r.text);
        assert_eq!(
            r.json,
            json!({"success": false, "error": r.json["error"], "code": 403})
        );
    }
    // Receptionists and administrators do not read reports.
    for token in [&c.receptionist, &c.admin] {
        assert_eq!(call(&app, "GET", "/api/reports", token, None).status, 403);
        assert_eq!(call(&app, "GET", &path, token, None).status, 403);
    }
    // Only administrators read the audit log.
    for token in [&c.doctor, &c.technician, &c.receptionist] {
        assert_eq!(call(&app, "GET", "/api/audit", token, None).status, 403);
    }
    assert_eq!(call(&app, "GET", "/api/audit", &c.admin, None).status, 200);
    // No token: 401.
    assert_eq!(app.get("/api/reports").status, 401);
});

/// A PDF answer as bytes (the JSON helpers read bodies as text): status, headers, body.
fn pdf(app: &TestApp, path: &str, token: &str, lang: Option<&str>) -> (u16, Headers, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent
        .get(format!("{}{path}", app.base))
        .header("authorization", token);
    if let Some(lang) = lang {
        request = request.header("lang", lang);
    }
    let mut response = request.call().expect("server answers");
    let status = response.status().as_u16();
    let headers = Headers(response.headers().clone());
    let body = response
        .body_mut()
        .with_config()
        .limit(20 * 1024 * 1024)
        .read_to_vec()
        .expect("body");
    (status, headers, body)
}

struct Headers(ureq::http::HeaderMap);

impl Headers {
    fn get(&self, name: &str) -> String {
        self.0
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

on_each_backend!(clinic_report_pdf_in_both_languages, |app| {
    let c = clinic(&app);
    let id = created(&app, &c);
    let path = format!("/api/reports/{id}/pdf");
    let mut pdfs = Vec::new();
    for (query, header) in [("?lang=en", None), ("?lang=ar", None), ("", Some("ar"))] {
        let (status, headers, body) = pdf(&app, &format!("{path}{query}"), &c.doctor, header);
        assert_eq!(status, 200, "{query}: {}", String::from_utf8_lossy(&body));
        assert_eq!(headers.get("content-type"), "application/pdf");
        assert_eq!(
            headers.get("content-disposition"),
            format!("attachment; filename=\"report-{id}.pdf\"")
        );
        assert!(body.starts_with(b"%PDF-"), "{query}");
        assert!(
            body.len() > 10_000,
            "{query}: fonts are embedded ({} bytes)",
            body.len()
        );
        pdfs.push(body);
    }
    // What the PDF says is read back with poppler in report-pdf's own tests (`clinic_report_*`);
    // here, that each language came out whole and differs.
    assert_ne!(pdfs[0], pdfs[1], "English and Arabic differ");
    assert_eq!(
        pdfs[1].len(),
        pdfs[2].len(),
        "the header asks for Arabic as the query does"
    );
    let r = call(&app, "GET", &format!("{path}?lang=fr"), &c.doctor, None);
    assert_eq!(r.status, 400, "{}", r.text);
    let missing = "/api/reports/0193a1c0-0000-7000-8000-0000000004ff/pdf";
    assert_eq!(call(&app, "GET", missing, &c.doctor, None).status, 404);
});

on_each_backend!(clinic_audit_shows_who_read_and_wrote, |app| {
    let c = clinic(&app);
    let created = call(&app, "POST", "/api/reports", &c.doctor, Some(report_body()));
    let id = created.json["data"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/reports/{id}");
    let updated = call(
        &app,
        "PUT",
        &path,
        &c.doctor,
        Some(json!({"impression": "Normal."})),
    );
    let finalized = call(&app, "PUT", &format!("{path}/finalize"), &c.doctor, None);
    let read = call(&app, "GET", &path, &c.technician, None);
    let (status, printed, _) = pdf(&app, &format!("{path}/pdf"), &c.doctor, None);
    assert_eq!(status, 200);
    let printed = printed.get("x-request-id");
    let r = call(
        &app,
        "GET",
        &format!("/api/audit?patient_id={PATIENT}"),
        &c.admin,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let entries = r.json["data"].as_array().unwrap();
    let seen: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| {
            assert_eq!(e["object_type"], "report");
            assert_eq!(e["object_id"], id.as_str());
            assert_eq!(e["patient_id"], PATIENT);
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor_id"].as_str().unwrap().to_owned(),
                e["request_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("report.pdf", DOCTOR, printed),
        ("report.read", TECHNICIAN, request_id(&read)),
        ("report.finalize", DOCTOR, request_id(&finalized)),
        ("report.update", DOCTOR, request_id(&updated)),
        ("report.create", DOCTOR, request_id(&created)),
    ]
    .into_iter()
    .map(|(a, who, r)| (a.to_owned(), who.to_owned(), r))
    .collect();
    assert_eq!(seen, expected, "newest first, each under its request's id");
    assert!(expected.iter().all(|(_, _, r)| !r.is_empty()));
    assert_eq!(r.json["pagination"]["total"], 5);

    let r = call(
        &app,
        "GET",
        &format!("/api/audit?action=report.read&actor_id={TECHNICIAN}"),
        &c.admin,
        None,
    );
    assert_eq!(r.json["pagination"]["total"], 1, "{}", r.text);
    let r = call(
        &app,
        "GET",
        "/api/audit?object_type=report&from=2000-01-01&to=2000-01-02",
        &c.admin,
        None,
    );
    assert_eq!(r.json["pagination"]["total"], 0, "{}", r.text);
    let r = call(&app, "GET", "/api/audit?action=report.eat", &c.admin, None);
    assert_eq!(r.status, 400, "{}", r.text);
    let message = r.json["error"].as_str().unwrap();
    assert!(
        message.contains("patient.read") && message.contains("report.finalize"),
        "{message}"
    );
    for bad in [
        "from=yesterday",
        "patient_id=x",
        "object_type=car",
        "limit=0",
    ] {
        let r = call(&app, "GET", &format!("/api/audit?{bad}"), &c.admin, None);
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
    // Nothing changes or removes an entry.
    for method in ["POST", "PUT", "DELETE"] {
        assert_eq!(call(&app, method, "/api/audit", &c.admin, None).status, 405);
    }
});
