//! The second opinion from submission to the final report, over HTTP: coordinator assigned and
//! changed, payment by webhook (forged, wrong and replayed ones refused or ignored), doctors
//! assigned, documents requested and provided, opinions, summary, and the PDF in both languages.

use std::io::Write;
use std::process::{Command, Stdio};

use domain::identity::Audience;
use serde_json::{Value, json};

use crate::cases::{case_body, save, seed_catalogue};
use crate::helpers::{Response, TestApp, WEBHOOK_SECRET, on_each_backend};

/// Demo providers: `EMP1` and `EMP2` coordinate every category; `EMP3` and `EMP4` are the
/// cardiologists (the first category); `EMP5` is an oncologist.
pub fn seed_flow(app: &TestApp) -> (String, String) {
    let ids = seed_catalogue(app);
    server::seed::seed_providers(&app.platform.state.providers).expect("providers seeded");
    ids
}

pub fn pro(app: &TestApp, doctor: &str) -> String {
    app.token(Audience::SnrPro, doctor, &[])
}

/// A submitted case of `patient-1`.
pub fn submitted_case(app: &TestApp) -> String {
    let (rt, dc) = seed_flow(app);
    save(app, &app.user(), case_body(&rt, &dc, "review"))
}

pub fn ok(r: &Response, message: &str) {
    assert_eq!((r.status, r.message()), (200, message), "{}", r.text);
}

/// The webhook body the payment provider sends.
pub fn event(id: &str, payment: &Value, minor: i64) -> Vec<u8> {
    json!({
        "id": id,
        "type": "payment.succeeded",
        "data": {
            "payment_id": payment["payment_id"],
            "amount": minor,
            "currency": payment["currency"],
        }
    })
    .to_string()
    .into_bytes()
}

pub fn webhook(app: &TestApp, body: &[u8], signature: &str) -> Response {
    app.send(
        "POST",
        "/payments/webhook",
        &[("payment-signature", signature)],
        Some(("application/json", body.to_vec())),
    )
}

pub fn signed(body: &[u8]) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    payments::HostedPayments::new("https://pay.example.org/p/", WEBHOOK_SECRET.as_bytes())
        .expect("signer")
        .sign(now, body)
}

/// The payment's amount in minor units, from the major-unit amount the API shows.
pub fn minor(payment: &Value) -> i64 {
    (payment["amount"].as_f64().expect("amount") * 100.0).round() as i64
}

fn status(app: &TestApp, id: &str) -> String {
    let r = app.post(
        "/admin/review-case-details",
        Some(&app.admin()),
        json!({ "case_id": id }),
    );
    ok(&r, "ok");
    r.json["data"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn codes(app: &TestApp) -> Vec<String> {
    let r = app.post(
        "/admin/notifications",
        Some(&app.admin()),
        json!({ "page_size": 100 }),
    );
    ok(&r, "ok");
    r.json["data"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| {
            format!(
                "{}:{}",
                n["code"].as_str().unwrap_or_default(),
                n["recipient_id"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|p| p["doctor_id"].as_str().unwrap_or_default())
        .collect()
}

/// The text of a PDF, as `pdftotext` reads it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext runs (Debian poppler-utils)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pdf)
        .expect("pdf written");
    let out = child.wait_with_output().expect("pdftotext ends");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// A report as bytes (the JSON helpers read bodies as text).
fn report(app: &TestApp, token: &str, case_id: &str, lang: &str) -> (u16, String, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(format!("{}/app/review-report", app.base))
        .header("authorization", token)
        .header("lang", lang)
        .header("content-type", "application/json")
        .send(json!({ "case_id": case_id }).to_string())
        .expect("server answers");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .body_mut()
        .with_config()
        .limit(20 * 1024 * 1024)
        .read_to_vec()
        .expect("body");
    (status, kind, body)
}

on_each_backend!(a_case_goes_from_review_to_its_final_report, |app| {
    let (rt, dc) = seed_flow(&app);
    let patient = app.user();
    let admin = app.admin();
    let case_id = save(&app, &patient, case_body(&rt, &dc, "review"));
    let case = json!({ "case_id": case_id });

    // The administrator finds it among the cases under review.
    let list = app.post(
        "/admin/review-cases",
        Some(&admin),
        json!({ "status": "review", "dc_id": dc, "created_from": "2000-01-01" }),
    );
    ok(&list, "ok");
    assert_eq!(list.json["pagination"]["total"], 1);
    assert_eq!(list.json["data"][0]["case_id"], case_id.as_str());
    assert_eq!(list.json["data"][0]["user_id"], "patient-1");
    let none = app.post(
        "/admin/review-cases",
        Some(&admin),
        json!({ "status": "paid" }),
    );
    assert_eq!(none.json["pagination"]["total"], 0, "{}", none.text);

    // Only an eligible coordinator.
    let eligible = app.post("/admin/eligible-coordinators", Some(&admin), case.clone());
    ok(&eligible, "ok");
    assert_eq!(ids(&eligible.json["data"]), ["EMP1", "EMP2"]);
    let specialists = app.post("/admin/eligible-doctors", Some(&admin), case.clone());
    assert_eq!(ids(&specialists.json["data"]), ["EMP3", "EMP4"]);
    let wrong = app.post(
        "/admin/assign-coordinator",
        Some(&admin),
        json!({ "case_id": case_id, "doctor_id": "EMP3" }),
    );
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert_eq!(
        wrong.message(),
        "EMP3 is not an active coordinator for this case's disease category"
    );
    let assigned = app.post(
        "/admin/assign-coordinator",
        Some(&admin),
        json!({ "case_id": case_id, "doctor_id": "EMP1" }),
    );
    ok(&assigned, "Coordinator assigned to case");
    assert_eq!(assigned.json["data"]["status"], "awaiting_payment");
    let payment = assigned.json["data"]["payment"].clone();
    assert_eq!(payment["status"], "pending");
    assert_eq!(payment["amount"], 900);
    let url = payment["url"].as_str().expect("a payment link");
    assert!(
        url.ends_with(payment["payment_id"].as_str().expect("id")),
        "{url}"
    );

    // The patient sees what to pay.
    let details = app.post("/app/review-case-details", Some(&patient), case.clone());
    ok(&details, "ok");
    let shown = &details.json["data"]["payment"];
    for field in ["payment_id", "url", "amount", "currency", "status"] {
        assert_eq!(shown[field], payment[field], "{field}");
    }

    // The coordinator changes before payment: same payment, the old row kept inactive.
    let changed = app.post(
        "/admin/assign-coordinator",
        Some(&admin),
        json!({ "case_id": case_id, "doctor_id": "EMP2" }),
    );
    ok(&changed, "Coordinator assigned to case");
    assert_eq!(
        changed.json["data"]["payment"]["payment_id"],
        payment["payment_id"]
    );
    let full = app.post("/admin/review-case-details", Some(&admin), case.clone());
    let rows = full.json["data"]["assignments"].as_array().expect("rows");
    let coordinators: Vec<(&str, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["doctor_id"].as_str().unwrap(),
                r["active"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(coordinators, [("EMP1", false), ("EMP2", true)]);
    assert_eq!(full.json["data"]["case_coordinator_id"], "EMP2");
    assert_eq!(full.json["data"]["payment"]["status"], "pending");
    let replaced = app.post(
        "/pro/review-case-details",
        Some(&pro(&app, "EMP1")),
        case.clone(),
    );
    assert_eq!(
        (replaced.status, replaced.message()),
        (404, "Case not found")
    );

    // Nobody is assigned before payment.
    let coordinator = pro(&app, "EMP2");
    let early = app.post(
        "/pro/assign-doctor",
        Some(&coordinator),
        json!({ "case_id": case_id, "doctor_id": "EMP3" }),
    );
    assert_eq!(early.status, 409, "{}", early.text);

    // A forged webhook and a wrong amount change nothing; the right one pays; its replay is a
    // no-op.
    let body = event("evt_1", &payment, minor(&payment));
    let forged = webhook(&app, &body, "t=1700000000,v1=00ff");
    assert_eq!(forged.status, 401, "{}", forged.text);
    let unsigned = webhook(&app, &body, "");
    assert_eq!(unsigned.status, 401, "{}", unsigned.text);
    let stale =
        payments::HostedPayments::new("https://pay.example.org/p/", WEBHOOK_SECRET.as_bytes())
            .expect("signer")
            .sign(
                time::OffsetDateTime::now_utc().unix_timestamp() - 600,
                &body,
            );
    assert_eq!(webhook(&app, &body, &stale).status, 401);
    let short = event("evt_0", &payment, minor(&payment) - 1);
    let mismatch = webhook(&app, &short, &signed(&short));
    assert_eq!(mismatch.status, 422, "{}", mismatch.text);
    assert_eq!(status(&app, &case_id), "awaiting_payment");
    let paid = webhook(&app, &body, &signed(&body));
    ok(&paid, "ok");
    assert_eq!(paid.json["data"]["outcome"], "applied");
    let replay = webhook(&app, &body, &signed(&body));
    ok(&replay, "ok");
    assert_eq!(replay.json["data"]["outcome"], "already_applied");
    assert_eq!(status(&app, &case_id), "paid");
    let late = app.post(
        "/admin/assign-coordinator",
        Some(&admin),
        json!({ "case_id": case_id, "doctor_id": "EMP1" }),
    );
    assert_eq!(late.status, 409, "{}", late.text);

    // The coordinator assigns the specialists, one of them asking for a document.
    let pickable = app.post("/pro/eligible-doctors", Some(&coordinator), case.clone());
    ok(&pickable, "ok");
    assert_eq!(ids(&pickable.json["data"]), ["EMP3", "EMP4"]);
    let first = app.post(
        "/pro/assign-doctor",
        Some(&coordinator),
        json!({ "case_id": case_id, "doctor_id": "EMP3", "requested_documents": ["Latest ECG"] }),
    );
    ok(&first, "Doctor assigned to case");
    let again = app.post(
        "/pro/assign-doctor",
        Some(&coordinator),
        json!({ "case_id": case_id, "doctor_id": "EMP3" }),
    );
    assert_eq!(again.status, 409, "{}", again.text);
    let outsider = app.post(
        "/pro/assign-doctor",
        Some(&coordinator),
        json!({ "case_id": case_id, "doctor_id": "EMP5" }),
    );
    assert_eq!(outsider.status, 422, "{}", outsider.text);
    let not_coordinator = app.post(
        "/pro/assign-doctor",
        Some(&pro(&app, "EMP3")),
        json!({ "case_id": case_id, "doctor_id": "EMP4" }),
    );
    assert_eq!(not_coordinator.status, 403, "{}", not_coordinator.text);
    ok(
        &app.post(
            "/pro/assign-doctor",
            Some(&coordinator),
            json!({ "case_id": case_id, "doctor_id": "EMP4" }),
        ),
        "Doctor assigned to case",
    );
    assert_eq!(status(&app, &case_id), "doctors_assigned");

    // The patient sees the coordinator, the review window and the request, and answers it.
    let details = app.post("/app/review-case-details", Some(&patient), case.clone());
    let data = &details.json["data"];
    assert_eq!(data["payment"], Value::Null);
    assert_eq!(data["coordinator"]["doctor_id"], "EMP2");
    assert_eq!(data["coordinator"]["name"], "Dr. Omar Khalil");
    assert_eq!(data["coordinator"]["email"], "emp2@doctors.example.org");
    assert!(data["review_window"]["from"].is_string(), "{data}");
    let requests = data["document_requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 1, "{data}");
    assert_eq!(requests[0]["documents"], json!(["Latest ECG"]));
    assert_eq!(requests[0]["doctor_name"], "Dr. Sara Nasser");
    let sop_id = requests[0]["sop_id"].as_str().expect("sop id").to_owned();
    let answered = app.post(
        "/app/answer-document-request",
        Some(&patient),
        json!({
            "case_id": case_id,
            "sop_id": sop_id,
            "med_docs": [{ "url": "https://files.example.org/ecg.pdf", "key": "uploads/p1/ecg.pdf", "name": "ecg.pdf" }]
        }),
    );
    ok(&answered, "Documents added to the case");
    let details = app.post("/app/review-case-details", Some(&patient), case.clone());
    assert_eq!(details.json["data"]["document_requests"], json!([]));
    assert_eq!(
        details.json["data"]["medical_documents"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // No report before completion.
    let (early, _, _) = report(&app, &patient, &case_id, "en");
    assert_eq!(early, 409);

    // Opinions, then the summary once both are in.
    let specialist = pro(&app, "EMP3");
    let sops = app.post("/pro/sops", Some(&specialist), json!({}));
    ok(&sops, "ok");
    let mine = sops.json["data"][0]["sop_id"]
        .as_str()
        .expect("sop")
        .to_owned();
    ok(
        &app.post(
            "/pro/submit-opinion",
            Some(&specialist),
            json!({ "sop_id": mine, "opinion": "The echocardiogram supports the diagnosis.\n\nContinue the current treatment." }),
        ),
        "Opinion submitted",
    );
    let too_soon = app.post(
        "/pro/submit-summary",
        Some(&coordinator),
        json!({ "case_id": case_id, "summary": "Agreed." }),
    );
    assert_eq!(too_soon.status, 409, "{}", too_soon.text);
    assert!(
        too_soon.message().contains("EMP4"),
        "{}",
        too_soon.message()
    );
    let other = pro(&app, "EMP4");
    let theirs = app.post("/pro/sops", Some(&other), json!({}));
    let theirs = theirs.json["data"][0]["sop_id"]
        .as_str()
        .expect("sop")
        .to_owned();
    ok(
        &app.post(
            "/pro/submit-opinion",
            Some(&other),
            json!({ "sop_id": theirs, "opinion": "No further tests are needed." }),
        ),
        "Opinion submitted",
    );
    let by_specialist = app.post(
        "/pro/submit-summary",
        Some(&specialist),
        json!({ "case_id": case_id, "summary": "Agreed." }),
    );
    assert_eq!(by_specialist.status, 403, "{}", by_specialist.text);
    let done = app.post(
        "/pro/submit-summary",
        Some(&coordinator),
        json!({ "case_id": case_id, "summary": "Both specialists confirm the diagnosis; keep the treatment." }),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json["data"]["status"], "completed");

    // The report, in English and in Arabic; nobody else's.
    let (code, kind, pdf) = report(&app, &patient, &case_id, "en");
    assert_eq!((code, kind.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    for expected in [
        case_id.as_str(),
        "Standard Review",
        "Cardiology",
        "Dr. Omar Khalil",
        "Dr. Sara Nasser",
        "The echocardiogram supports the diagnosis.",
        "No further tests are needed.",
        "Both specialists confirm the diagnosis",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let (code, _, arabic) = report(&app, &patient, &case_id, "ar");
    assert_eq!(code, 200);
    assert_ne!(arabic, pdf);
    // pdftotext marks the direction of each run; the words are what a reader checks.
    let text: String = pdf_text(&arabic)
        .chars()
        .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    for expected in [
        "تقرير الرأي الطبي الثاني",
        "مراجعة قياسية",
        "أمراض القلب",
        "عمر خليل",
        "سارة ناصر",
        "الملخص النهائي",
        "No further tests are needed",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let stranger = app.token(Audience::SnrUsr, "patient-2", &[]);
    let (code, _, _) = report(&app, &stranger, &case_id, "en");
    assert_eq!(code, 404);

    // The whole history, and every notification the flow owes.
    let timeline = app.post("/pro/case-timeline", Some(&coordinator), case.clone());
    let events: Vec<&str> = timeline.json["data"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["event"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        events,
        [
            "submitted",
            "coordinator_assigned",
            "awaiting_payment",
            "coordinator_changed",
            "payment_received",
            "doctor_assigned",
            "documents_requested",
            "doctor_assigned",
            "documents_provided",
            "opinion_submitted",
            "opinion_submitted",
            "completed",
        ]
    );
    let sent = codes(&app);
    for expected in [
        "UCP01:patient-1",
        "PRO01:EMP1",
        "UCP03:patient-1",
        "PRO02:EMP1",
        "PRO01:EMP2",
        "UCP04:patient-1",
        "PRO03:EMP3",
        "UCP05:patient-1",
        "PRO03:EMP4",
        "PRO04:EMP3",
        "PRO05:EMP2",
        "UCP06:patient-1",
    ] {
        assert!(
            sent.iter().any(|s| s == expected),
            "{expected} not in {sent:?}"
        );
    }
});

on_each_backend!(a_case_refused_or_paid_by_hand, |app| {
    let (rt, dc) = seed_flow(&app);
    let patient = app.user();
    let admin = app.admin();
    let refused = save(&app, &patient, case_body(&rt, &dc, "review"));
    let blank = app.post(
        "/admin/reject-case",
        Some(&admin),
        json!({ "case_id": refused, "reject_reason": "   " }),
    );
    assert_eq!(blank.status, 400, "{}", blank.text);
    let r = app.post(
        "/admin/reject-case",
        Some(&admin),
        json!({ "case_id": refused, "reject_reason": "Please attach the scan itself." }),
    );
    ok(&r, "Case rejected");
    assert_eq!(
        r.json["data"]["reject_reason"],
        "Please attach the scan itself."
    );
    let again = app.post(
        "/admin/reject-case",
        Some(&admin),
        json!({ "case_id": refused, "reject_reason": "Twice" }),
    );
    assert_eq!(again.status, 409);
    assert_eq!(
        again.message(),
        "Rejecting is not possible while the case is rejected"
    );

    let paid = save(&app, &patient, case_body(&rt, &dc, "review"));
    let early = app.post(
        "/admin/confirm-payment",
        Some(&admin),
        json!({ "case_id": paid }),
    );
    assert_eq!(early.status, 409, "{}", early.text);
    ok(
        &app.post(
            "/admin/assign-coordinator",
            Some(&admin),
            json!({ "case_id": paid, "doctor_id": "EMP1" }),
        ),
        "Coordinator assigned to case",
    );
    for _ in 0..2 {
        let r = app.post(
            "/admin/confirm-payment",
            Some(&admin),
            json!({ "case_id": paid }),
        );
        ok(&r, "Payment confirmed");
        assert_eq!(r.json["data"]["status"], "paid");
    }
    let full = app.post(
        "/admin/review-case-details",
        Some(&admin),
        json!({ "case_id": paid }),
    );
    assert_eq!(full.json["data"]["payment"]["status"], "paid");

    // Filters name every wrong part at once.
    let bad = app.post(
        "/admin/review-cases",
        Some(&admin),
        json!({ "status": "lost", "dc_id": "x", "created_from": "2026-02-30", "created_to": "2026-01-01" }),
    );
    assert_eq!(bad.status, 400, "{}", bad.text);
    for field in ["status", "dc_id", "created_from"] {
        assert!(
            bad.message().contains(field),
            "{field} in {}",
            bad.message()
        );
    }
    let range = app.post(
        "/admin/review-cases",
        Some(&admin),
        json!({ "created_from": "2026-02-01", "created_to": "2026-01-01" }),
    );
    assert_eq!(range.status, 400, "{}", range.text);
    let all = app.post(
        "/admin/review-cases",
        Some(&admin),
        json!({ "q": "hypertension" }),
    );
    assert_eq!(all.json["pagination"]["total"], 2, "{}", all.text);
});

on_each_backend!(
    concurrent_coordinator_assignments_leave_one_active_row,
    |app| {
        let case_id = submitted_case(&app);
        let admin = app.admin();
        let answers: Vec<u16> = std::thread::scope(|s| {
            let calls: Vec<_> = ["EMP1", "EMP2", "EMP1", "EMP2", "EMP1", "EMP2"]
                .into_iter()
                .map(|doctor| {
                    let (app, admin, case_id) = (&app, &admin, &case_id);
                    s.spawn(move || {
                        app.post(
                            "/admin/assign-coordinator",
                            Some(admin),
                            json!({ "case_id": case_id, "doctor_id": doctor }),
                        )
                        .status
                    })
                })
                .collect();
            calls.into_iter().map(|c| c.join().expect("call")).collect()
        });
        assert!(
            answers.iter().all(|s| *s == 200 || *s == 409),
            "{answers:?}"
        );
        let full = app.post(
            "/admin/review-case-details",
            Some(&admin),
            json!({ "case_id": case_id }),
        );
        let data = &full.json["data"];
        let active: Vec<&Value> = data["assignments"]
            .as_array()
            .expect("rows")
            .iter()
            .filter(|r| r["is_coordinator"] == true && r["active"] == true)
            .collect();
        assert_eq!(active.len(), 1, "{data}");
        assert_eq!(active[0]["doctor_id"], data["case_coordinator_id"]);
        assert_eq!(data["status"], "awaiting_payment");
    }
);
