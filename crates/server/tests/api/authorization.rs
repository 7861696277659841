//! Who may call what: every route of the case flow × every kind of caller, with the status each
//! gets. A caller with no part in a case learns nothing about it (404), one with a lesser part is
//! refused (403), and a token for another service or none at all is 401.

use domain::identity::Audience;
use serde_json::{Value, json};

use crate::cases::{case_body, save};
use crate::flow::{ok, pro, seed_flow};
use crate::helpers::{TestApp, on_each_backend};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Patient,
    OtherPatient,
    Coordinator,
    ReplacedCoordinator,
    AssignedDoctor,
    UnassignedDoctor,
    Admin,
    WrongAudience,
    NoToken,
}

use Caller::*;

const CALLERS: [Caller; 9] = [
    OtherPatient,
    ReplacedCoordinator,
    UnassignedDoctor,
    WrongAudience,
    NoToken,
    Coordinator,
    AssignedDoctor,
    Admin,
    Patient,
];

impl Caller {
    fn token(self, app: &TestApp) -> Option<String> {
        match self {
            Patient => Some(app.user()),
            OtherPatient => Some(app.token(Audience::SnrUsr, "patient-2", &[])),
            Coordinator => Some(pro(app, "EMP2")),
            ReplacedCoordinator => Some(pro(app, "EMP1")),
            AssignedDoctor => Some(pro(app, "EMP3")),
            // A specialist of another category, with no part in the case.
            UnassignedDoctor => Some(pro(app, "EMP5")),
            Admin => Some(app.admin()),
            WrongAudience => Some(app.token(Audience::Clinic, "staff-1", &["doctor"])),
            NoToken => None,
        }
    }

    /// The provider id, for bodies that name the caller.
    fn sub(self) -> &'static str {
        match self {
            Coordinator => "EMP2",
            ReplacedCoordinator => "EMP1",
            AssignedDoctor => "EMP3",
            UnassignedDoctor => "EMP5",
            _ => "someone",
        }
    }

    fn surface(self) -> &'static str {
        match self {
            Patient | OtherPatient => "/app",
            Coordinator | ReplacedCoordinator | AssignedDoctor | UnassignedDoctor => "/pro",
            Admin => "/admin",
            WrongAudience | NoToken => "",
        }
    }
}

/// The state the matrix runs in: coordinator changed from `EMP1` to `EMP2`, paid, `EMP3` and
/// `EMP4` assigned, `EMP3` asking for a document. Returns the case id and `EMP3`'s assignment.
fn case_under_review(app: &TestApp) -> (String, String) {
    let (rt, dc) = seed_flow(app);
    let case_id = save(app, &app.user(), case_body(&rt, &dc, "review"));
    let admin = app.admin();
    for doctor in ["EMP1", "EMP2"] {
        ok(
            &app.post(
                "/admin/assign-coordinator",
                Some(&admin),
                json!({ "case_id": case_id, "doctor_id": doctor }),
            ),
            "Coordinator assigned to case",
        );
    }
    ok(
        &app.post(
            "/admin/confirm-payment",
            Some(&admin),
            json!({ "case_id": case_id }),
        ),
        "Payment confirmed",
    );
    let coordinator = pro(app, "EMP2");
    let first = app.post(
        "/pro/assign-doctor",
        Some(&coordinator),
        json!({ "case_id": case_id, "doctor_id": "EMP3", "requested_documents": ["Latest ECG"] }),
    );
    ok(&first, "Doctor assigned to case");
    ok(
        &app.post(
            "/pro/assign-doctor",
            Some(&coordinator),
            json!({ "case_id": case_id, "doctor_id": "EMP4" }),
        ),
        "Doctor assigned to case",
    );
    let sop = first.json["data"]["sop_id"]
        .as_str()
        .expect("sop")
        .to_owned();
    (case_id, sop)
}

/// A route, the body each caller sends, and the status each caller gets on its own surface
/// (every caller from another surface, a wrong audience or no token gets 401).
struct Row {
    path: &'static str,
    body: fn(&str, &str, Caller) -> Value,
    expect: fn(Caller) -> u16,
}

fn case_only(case: &str, _: &str, _: Caller) -> Value {
    json!({ "case_id": case })
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            path: "/admin/review-cases",
            body: |_, _, _| json!({}),
            expect: |_| 200,
        },
        Row {
            path: "/admin/review-case-details",
            body: case_only,
            expect: |_| 200,
        },
        Row {
            path: "/admin/eligible-coordinators",
            body: case_only,
            expect: |_| 200,
        },
        Row {
            path: "/admin/eligible-doctors",
            body: case_only,
            expect: |_| 200,
        },
        Row {
            path: "/admin/assign-coordinator",
            body: |case, _, _| json!({ "case_id": case, "doctor_id": "EMP1" }),
            // The case is past payment.
            expect: |_| 409,
        },
        Row {
            path: "/admin/reject-case",
            body: |case, _, _| json!({ "case_id": case, "reject_reason": "No" }),
            expect: |_| 409,
        },
        Row {
            path: "/admin/confirm-payment",
            body: case_only,
            // Already paid: answered as it is.
            expect: |_| 200,
        },
        Row {
            path: "/pro/sops",
            body: |_, _, _| json!({}),
            // Everyone lists their own.
            expect: |_| 200,
        },
        Row {
            path: "/pro/review-case-details",
            body: case_only,
            expect: |c| match c {
                Coordinator | AssignedDoctor => 200,
                _ => 404,
            },
        },
        Row {
            path: "/pro/case-timeline",
            body: case_only,
            expect: |c| match c {
                Coordinator | AssignedDoctor => 200,
                _ => 404,
            },
        },
        Row {
            path: "/pro/eligible-doctors",
            body: case_only,
            expect: |c| match c {
                Coordinator => 200,
                AssignedDoctor => 403,
                _ => 404,
            },
        },
        Row {
            path: "/pro/assign-doctor",
            body: |case, _, _| json!({ "case_id": case, "doctor_id": "EMP3" }),
            expect: |c| match c {
                // EMP3 is on the case already.
                Coordinator => 409,
                AssignedDoctor => 403,
                _ => 404,
            },
        },
        Row {
            path: "/pro/request-documents",
            body: |_, sop, c| json!({ "sop_id": sop, "doctor_id": c.sub(), "request_documents": ["Latest ECG"] }),
            expect: |c| match c {
                AssignedDoctor => 200,
                _ => 404,
            },
        },
        Row {
            path: "/pro/request-documents",
            // Naming someone else than the caller.
            body: |_, sop, _| json!({ "sop_id": sop, "doctor_id": "EMP3", "request_documents": ["Latest ECG"] }),
            expect: |c| match c {
                AssignedDoctor => 200,
                _ => 403,
            },
        },
        Row {
            path: "/pro/submit-opinion",
            body: |_, sop, _| json!({ "sop_id": sop, "opinion": "Agree." }),
            expect: |c| match c {
                AssignedDoctor => 200,
                _ => 404,
            },
        },
        Row {
            path: "/pro/submit-summary",
            body: |case, _, _| json!({ "case_id": case, "summary": "Agreed." }),
            expect: |c| match c {
                // EMP4 has not given an opinion.
                Coordinator => 409,
                AssignedDoctor => 403,
                _ => 404,
            },
        },
        Row {
            path: "/app/review-case-details",
            body: case_only,
            expect: |c| if c == Patient { 200 } else { 404 },
        },
        Row {
            path: "/app/answer-document-request",
            body: |case, sop, _| {
                json!({
                    "case_id": case,
                    "sop_id": sop,
                    "med_docs": [{ "url": "https://files.example.org/ecg.pdf", "key": "k/ecg.pdf", "name": "ecg.pdf" }]
                })
            },
            expect: |c| if c == Patient { 200 } else { 404 },
        },
        Row {
            path: "/app/upload-medical-document",
            // The caller is checked before the body, which is not a form: 400 for any patient.
            body: |_, _, _| json!({}),
            expect: |c| {
                if matches!(c, Patient | OtherPatient) {
                    400
                } else {
                    404
                }
            },
        },
        Row {
            path: "/app/review-report",
            body: case_only,
            // Not completed yet.
            expect: |c| if c == Patient { 409 } else { 404 },
        },
    ]
}

on_each_backend!(
    every_flow_route_answers_each_caller_as_its_part_allows,
    |app| {
        let (case, sop) = case_under_review(&app);
        let mut wrong = Vec::new();
        let mut checked = 0;
        for row in rows() {
            for caller in CALLERS {
                let token = caller.token(&app);
                let on_surface =
                    row.path.starts_with(caller.surface()) && !caller.surface().is_empty();
                let want = if on_surface {
                    (row.expect)(caller)
                } else {
                    401
                };
                let r = app.post(row.path, token.as_deref(), (row.body)(&case, &sop, caller));
                checked += 1;
                if r.status != want {
                    wrong.push(format!(
                        "{} as {caller:?}: {} (want {want}): {}",
                        row.path, r.status, r.text
                    ));
                }
                if want == 404 {
                    // Nothing about the case leaks in a refusal.
                    assert!(
                        !r.text.contains("EMP2"),
                        "{} as {caller:?}: {}",
                        row.path,
                        r.text
                    );
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{checked} calls, wrong:\n{}",
            wrong.join("\n")
        );
    }
);
