//! Clinic patients and appointments end to end: the receptionist's day (a patient, a booking, a
//! batch with a bad item, the doctor moving the status, a cancellation), who may do what, 404s, and
//! the list's paging.

use domain::clinic::{AuditAction, AuditFilter, AuditRepository};
use domain::identity::Audience;
use domain::kernel::paging::PageRequest;
use serde_json::{Value, json};
use store_diesel::testing::insert_staff;

use crate::helpers::{Response, TestApp, on_each_backend};

/// A request with a JSON body (or none) and the token.
pub(crate) fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let headers = [("authorization", token)];
    let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
    app.send(method, path, &headers, body)
}

/// The envelope B error, checked for shape.
fn error(r: &Response, status: u16) -> String {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.json["success"], false, "{}", r.text);
    assert_eq!(r.json["code"], status, "{}", r.text);
    r.json["error"].as_str().unwrap_or_default().to_owned()
}

pub(crate) fn ok(r: &Response, status: u16) -> &Value {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.json["success"], true, "{}", r.text);
    &r.json["data"]
}

pub(crate) struct Staff {
    pub(crate) reception: String,
    pub(crate) doctor: String,
    pub(crate) doctor_id: String,
    pub(crate) technician: String,
}

pub(crate) fn staff(app: &TestApp) -> Staff {
    let store = &app.platform.store;
    let reception_id = insert_staff(store, "reception", &["receptionist"]);
    let doctor_id = insert_staff(store, "haddad", &["doctor"]);
    let technician_id = insert_staff(store, "tech", &["technician"]);
    Staff {
        reception: app.token(Audience::Clinic, &reception_id, &["receptionist"]),
        doctor: app.token(Audience::Clinic, &doctor_id, &["doctor"]),
        doctor_id,
        technician: app.token(Audience::Clinic, &technician_id, &["technician"]),
    }
}

fn create_patient(app: &TestApp, token: &str, body: Value) -> Value {
    ok(&call(app, "POST", "/api/patients", token, Some(body)), 201).clone()
}

fn booking(patient: &str, doctor: &str, time: &str) -> Value {
    json!({"patient_id": patient, "doctor": doctor, "date": "2026-12-01", "time": time,
           "department": "Ultrasound"})
}

on_each_backend!(clinic_a_receptionists_day, |app| {
    let s = staff(&app);
    let patient = create_patient(
        &app,
        &s.reception,
        json!({"name": " José Núñez ", "name_ar": "خوسيه نونيث", "birth_date": "1980-01-31",
               "sex": "male", "phone": "+962 79 123 4567"}),
    );
    assert_eq!(patient["mrn"], "MRN00000001");
    assert_eq!(patient["name"], "José Núñez");
    assert_eq!(patient["sex"], "male");
    let patient_id = patient["id"].as_str().unwrap().to_owned();
    let found = call(&app, "GET", "/api/patients/search?q=JOSE", &s.doctor, None);
    assert_eq!(ok(&found, 200)[0]["id"], patient_id.as_str());
    let blank = call(&app, "GET", "/api/patients/search?q=%20", &s.doctor, None);
    assert!(error(&blank, 400).contains('q'));

    // One booking, then the same doctor at an overlapping time.
    let r = call(
        &app,
        "POST",
        "/api/appointments",
        &s.reception,
        Some(booking(&patient_id, &s.doctor_id, "09:00")),
    );
    let first = ok(&r, 201).clone();
    assert_eq!(r.json["message"], "Appointment booked");
    assert_eq!(first["status"], "scheduled");
    assert_eq!(first["status_label"], "Scheduled");
    assert_eq!(first["accession_number"], "ACC0000000001");
    assert_eq!(first["duration_minutes"], 30);
    assert_eq!(first["patient"]["mrn"], "MRN00000001");
    assert_eq!(first["doctor_name"], "Dr. haddad");
    assert_eq!(first["history"][0]["to"], "scheduled");
    let id = first["id"].as_str().unwrap().to_owned();
    let clash = call(
        &app,
        "POST",
        "/api/appointments",
        &s.reception,
        Some(booking(&patient_id, &s.doctor_id, "09:15")),
    );
    assert!(error(&clash, 409).contains("09:00"));
    let nobody = call(
        &app,
        "POST",
        "/api/appointments",
        &s.reception,
        Some(booking(&patient_id, &patient_id, "13:00")),
    );
    assert!(error(&nobody, 422).contains("doctor"));

    // A batch with one bad item books nothing.
    let batch = json!({"appointments": [
        booking(&patient_id, &s.doctor_id, "10:00"),
        booking(&patient_id, &s.doctor_id, "10:15"),
        booking(&patient_id, &s.doctor_id, "11:00"),
    ]});
    let refused = call(
        &app,
        "POST",
        "/api/appointments/schedule",
        &s.reception,
        Some(batch),
    );
    let message = error(&refused, 422);
    assert!(message.contains("appointments[1].time"), "{message}");
    assert!(!message.contains("appointments[0]"), "{message}");
    let listed = call(&app, "GET", "/api/appointments", &s.reception, None);
    assert_eq!(listed.json["pagination"]["total"], 1, "nothing was written");
    let batch = json!({"appointments": [
        booking(&patient_id, &s.doctor_id, "10:00"),
        booking(&patient_id, &s.doctor_id, "10:30"),
    ]});
    let booked = call(
        &app,
        "POST",
        "/api/appointments/schedule",
        &s.reception,
        Some(batch),
    );
    let booked = ok(&booked, 201).clone();
    assert_eq!(booked.as_array().map(Vec::len), Some(2));
    assert_eq!(booked[1]["accession_number"], "ACC0000000003");

    // The doctor moves the patient along, one step at a time.
    let status = |to: &str| {
        call(
            &app,
            "PUT",
            &format!("/api/appointments/{id}/status"),
            &s.doctor,
            Some(json!({ "status": to })),
        )
    };
    assert_eq!(ok(&status("waiting"), 200)["status"], "waiting");
    let in_room = status("In-Room");
    assert_eq!(ok(&in_room, 200)["status_label"], "In-Room");
    let skip = error(&status("completed"), 409);
    assert!(
        skip.contains("In-Room") && skip.contains("in_scan"),
        "{skip}"
    );
    let moved = call(
        &app,
        "GET",
        &format!("/api/appointments/{id}"),
        &s.technician,
        None,
    );
    let history: Vec<&str> = ok(&moved, 200)["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["scheduled", "waiting", "in_room"]);
    // Past waiting, an appointment is neither edited nor cancelled.
    let edit = call(
        &app,
        "PUT",
        &format!("/api/appointments/{id}"),
        &s.reception,
        Some(json!({"time": "15:00"})),
    );
    error(&edit, 409);
    error(
        &call(
            &app,
            "DELETE",
            &format!("/api/appointments/{id}"),
            &s.reception,
            None,
        ),
        409,
    );

    // Cancelling keeps the appointment listed.
    let other = booked[0]["id"].as_str().unwrap();
    let cancelled = call(
        &app,
        "DELETE",
        &format!("/api/appointments/{other}"),
        &s.reception,
        None,
    );
    assert_eq!(ok(&cancelled, 200)["status"], "cancelled");
    error(
        &call(
            &app,
            "DELETE",
            &format!("/api/appointments/{other}"),
            &s.reception,
            None,
        ),
        409,
    );
    let day = call(
        &app,
        "GET",
        &format!("/api/appointments?date=2026-12-01&doctor={}", s.doctor_id),
        &s.reception,
        None,
    );
    let times: Vec<&str> = ok(&day, 200)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["time"].as_str().unwrap())
        .collect();
    assert_eq!(times, ["09:00", "10:00", "10:30"], "the day in clock order");
    let cancelled = call(
        &app,
        "GET",
        "/api/appointments?status=Cancelled",
        &s.doctor,
        None,
    );
    assert_eq!(cancelled.json["pagination"]["total"], 1);

    // Reads are in the audit log, with their request.
    let reads = AuditRepository::list(
        &app.platform.store,
        &AuditFilter {
            action: Some(AuditAction::AppointmentRead),
            ..AuditFilter::default()
        },
        PageRequest::default(),
    )
    .unwrap();
    assert_eq!(reads.total, 1);
    let request_id = moved.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert_eq!(reads.items[0].request_id.as_deref(), Some(request_id));
});

on_each_backend!(clinic_patient_roles_and_deletes, |app| {
    let s = staff(&app);
    let refused = call(
        &app,
        "POST",
        "/api/patients",
        &s.technician,
        Some(json!({"name": "X"})),
    );
    assert!(error(&refused, 403).contains("receptionist"));
    let p = create_patient(&app, &s.reception, json!({"name": "Kept"}));
    let id = p["id"].as_str().unwrap().to_owned();
    ok(
        &call(
            &app,
            "POST",
            "/api/appointments",
            &s.reception,
            Some(booking(&id, &s.doctor_id, "09:00")),
        ),
        201,
    );
    // A hard delete needs admin, and is refused while an appointment refers to the patient.
    let path = format!("/api/patients/{id}?hard=true");
    error(&call(&app, "DELETE", &path, &s.doctor, None), 403);
    let admin_id = insert_staff(&app.platform.store, "boss", &["admin", "doctor"]);
    let admin = app.token(Audience::Clinic, &admin_id, &["admin", "doctor"]);
    let referenced = error(&call(&app, "DELETE", &path, &admin, None), 409);
    assert!(referenced.contains("one appointment"), "{referenced}");
    error(
        &call(
            &app,
            "DELETE",
            &format!("/api/patients/{id}?hard=maybe"),
            &admin,
            None,
        ),
        400,
    );
    // A soft delete hides the patient everywhere but its records.
    let gone = call(
        &app,
        "DELETE",
        &format!("/api/patients/{id}"),
        &s.reception,
        None,
    );
    assert_eq!(ok(&gone, 200)["hard"], false);
    error(
        &call(&app, "GET", &format!("/api/patients/{id}"), &s.doctor, None),
        404,
    );
    let listed = call(&app, "GET", "/api/patients", &s.doctor, None);
    assert_eq!(listed.json["pagination"]["total"], 0);
    let searched = call(&app, "GET", "/api/patients/search?q=kept", &s.doctor, None);
    assert_eq!(searched.json["pagination"]["total"], 0);
    let update = call(
        &app,
        "PUT",
        &format!("/api/patients/{id}"),
        &s.reception,
        Some(json!({"name": "Back"})),
    );
    error(&update, 404);
    // A partial update changes what it names; null clears.
    let p = create_patient(
        &app,
        &s.reception,
        json!({"name": "Lina", "phone": "0791234567"}),
    );
    let pid = p["id"].as_str().unwrap();
    let changed = call(
        &app,
        "PUT",
        &format!("/api/patients/{pid}"),
        &s.doctor,
        Some(json!({"name_ar": "لينا", "phone": null})),
    );
    let changed = ok(&changed, 200);
    assert_eq!(changed["name"], "Lina");
    assert_eq!(changed["name_ar"], "لينا");
    assert_eq!(changed["phone"], Value::Null);
    let unknown_field = call(
        &app,
        "PUT",
        &format!("/api/patients/{pid}"),
        &s.doctor,
        Some(json!({"mrn": "MRN1"})),
    );
    error(&unknown_field, 400);
});

on_each_backend!(clinic_unknown_ids_are_404, |app| {
    let s = staff(&app);
    let unknown = "0193a1c0-0000-7000-8000-0000000000ff";
    for path in [
        format!("/api/patients/{unknown}"),
        "/api/patients/not-a-uuid".to_owned(),
        format!("/api/appointments/{unknown}"),
        "/api/appointments/42".to_owned(),
    ] {
        let message = error(&call(&app, "GET", &path, &s.doctor, None), 404);
        assert!(message.contains("not found"), "{path}: {message}");
    }
    let status = call(
        &app,
        "PUT",
        "/api/appointments/nope/status",
        &s.doctor,
        Some(json!({"status": "waiting"})),
    );
    error(&status, 404);
    let cancel = call(
        &app,
        "DELETE",
        &format!("/api/appointments/{unknown}"),
        &s.doctor,
        None,
    );
    error(&cancel, 404);
    let ghost = call(
        &app,
        "POST",
        "/api/appointments",
        &s.reception,
        Some(booking(unknown, &s.doctor_id, "09:00")),
    );
    assert!(error(&ghost, 422).contains("patient_id"));
});

on_each_backend!(clinic_patient_pages, |app| {
    let s = staff(&app);
    for name in ["Ann", "Bob", "Cyd"] {
        create_patient(&app, &s.reception, json!({ "name": name }));
    }
    let page = call(&app, "GET", "/api/patients?page=2&limit=2", &s.doctor, None);
    assert_eq!(ok(&page, 200).as_array().map(Vec::len), Some(1));
    assert_eq!(
        page.json["pagination"],
        json!({"page": 2, "limit": 2, "total": 3})
    );
    assert_eq!(page.json["data"][0]["name"], "Ann", "newest first");
    let by_name = call(
        &app,
        "GET",
        "/api/patients?sort=name&limit=500",
        &s.doctor,
        None,
    );
    assert_eq!(by_name.json["pagination"]["limit"], 100);
    assert_eq!(by_name.json["data"][0]["name"], "Ann");
    assert_eq!(by_name.json["data"][2]["name"], "Cyd");
    for bad in [
        "page=0",
        "limit=-1",
        "limit=abc",
        "page=1.5",
        "sort=age",
        "order=up",
    ] {
        let r = call(
            &app,
            "GET",
            &format!("/api/patients?{bad}"),
            &s.doctor,
            None,
        );
        error(&r, 400);
    }
    for bad in ["date=tomorrow", "patient_id=x", "status=done", "sort=time"] {
        let r = call(
            &app,
            "GET",
            &format!("/api/appointments?{bad}"),
            &s.doctor,
            None,
        );
        error(&r, 400);
    }
});

// Every patient and appointment route against every clinic role: 403 exactly when the policy's
// table says the role may not take the route's action.
on_each_backend!(clinic_patient_routes_follow_the_policy, |app| {
    let unknown = "0193a1c0-0000-7000-8000-0000000000ff";
    let routes: Vec<_> = http_actix::all_routes()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/patients") || r.path.starts_with("/api/appointments"))
        .collect();
    assert_eq!(routes.len(), 15);
    for role in ["admin", "doctor", "technician", "receptionist"] {
        let id = insert_staff(&app.platform.store, &format!("{role}-1"), &[role]);
        let token = app.token(Audience::Clinic, &id, &[role]);
        let roles = [domain::identity::Role::parse(role).unwrap()];
        for route in &routes {
            let action = route.clinic_action().unwrap();
            let path = route.path.replace("{id}", unknown);
            let body = (route.method != actix_web::http::Method::GET
                && route.method != actix_web::http::Method::DELETE)
                .then(|| json!({}));
            let r = call(&app, route.method.as_str(), &path, &token, body);
            let allowed = action.allows(&roles);
            assert_eq!(
                r.status != 403,
                allowed,
                "{role} {} {}: {}",
                route.method,
                route.path,
                r.text
            );
        }
    }
});
