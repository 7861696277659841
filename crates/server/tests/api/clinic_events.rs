//! `/api/ws`: the clinic's event stream, as a browser or a desk application opens it.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use domain::identity::Audience;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_each_backend};
use crate::ws_client::{Frame, open};

/// A clinic token for a staff member holding `roles`.
pub fn staff_token(app: &TestApp, roles: &[&str]) -> String {
    app.token(Audience::Clinic, &uuid::Uuid::now_v7().to_string(), roles)
}

on_each_backend!(
    the_event_stream_takes_its_token_by_header_or_as_first_message,
    |app| {
        let token = staff_token(&app, &["receptionist"]);

        let mut by_header = open(&app.base, Some(&format!("Bearer {token}"))).unwrap();
        let ready = by_header.next_json();
        assert_eq!(ready["type"], "ready");
        assert_eq!(ready["data"]["roles"], serde_json::json!(["receptionist"]));

        // A browser cannot set headers on a WebSocket: it sends the token first.
        let mut browser = open(&app.base, None).unwrap();
        browser.send_text(&format!("Bearer {token}"));
        assert_eq!(browser.next_json()["type"], "ready");

        // Pings are answered with pongs carrying the same bytes (RFC 6455).
        browser.ping(b"are you there");
        let pong = loop {
            match browser.read() {
                Frame::Pong(bytes) => break bytes,
                Frame::Ping(_) => continue,
                other => panic!("expected a pong, got {other:?}"),
            }
        };
        assert_eq!(pong, b"are you there");
        browser.close();
    }
);

on_each_backend!(a_bad_token_is_refused_before_or_after_the_upgrade, |app| {
    // In the header: refused before the upgrade, in envelope B.
    let refused = open(&app.base, Some("Bearer 00ff")).err().unwrap();
    assert_eq!(refused.status, 401);
    let body: Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["code"], 401);
    // A token for another surface is refused too.
    let patient = app.user();
    assert_eq!(open(&app.base, Some(&patient)).err().unwrap().status, 401);

    // As the first message: the stream says why, then closes with 1008 (policy violation).
    let mut socket = open(&app.base, None).unwrap();
    socket.send_text("not a token");
    let error = socket.next_json();
    assert_eq!(error["type"], "error");
    assert!(!error["error"].as_str().unwrap().is_empty());
    let close = loop {
        match socket.read() {
            Frame::Close(code) => break code,
            _ => continue,
        }
    };
    assert_eq!(close, Some(1008), "policy violation");

    // A plain GET (no upgrade, no token) is 401; with a token, 400 naming the protocol.
    let plain = app.send("GET", "/api/ws", &[], None);
    assert_eq!(plain.status, 401);
    let token = staff_token(&app, &["doctor"]);
    let plain = app.send("GET", "/api/ws", &[("authorization", &token)], None);
    assert_eq!(plain.status, 400, "{}", plain.text);
    assert_eq!(plain.json["success"], false);
    assert!(plain.json["error"].as_str().unwrap().contains("WebSocket"));
});

/// A token for a staff account that exists (reports and bookings name their author).
fn account(app: &TestApp, username: &str, roles: &[&str]) -> (String, String) {
    let id = store_diesel::testing::insert_staff(&app.platform.store, username, roles);
    let token = app.token(Audience::Clinic, &id, roles);
    (id, token)
}

fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
    let r = app.send(method, path, &[("authorization", token)], body);
    assert!(r.status < 300, "{method} {path}: {} {}", r.status, r.text);
    r.json["data"].clone()
}

/// A patient booked with the doctor, as the reception does it: the patient's and the
/// appointment's ids.
fn booked(app: &TestApp, reception: &str, doctor_id: &str) -> (String, String) {
    let patient = call(
        app,
        "POST",
        "/api/patients",
        reception,
        Some(json!({"name": "Rana Saleh", "sex": "female"})),
    );
    let patient_id = patient["id"].as_str().unwrap().to_owned();
    let appointment = call(
        app,
        "POST",
        "/api/appointments",
        reception,
        Some(
            json!({"patient_id": patient_id, "doctor": doctor_id, "date": "2026-12-01",
                    "time": "09:30", "department": "Ultrasound"}),
        ),
    );
    (patient_id, appointment["id"].as_str().unwrap().to_owned())
}

on_each_backend!(staff_see_what_their_roles_may_see_as_it_happens, |app| {
    let (_, reception) = account(&app, "reception", &["receptionist"]);
    let (doctor_id, doctor) = account(&app, "haddad", &["doctor"]);
    let mut desk = open(&app.base, Some(&reception)).unwrap();
    assert_eq!(desk.next_json()["type"], "ready");
    let mut ward = open(&app.base, Some(&doctor)).unwrap();
    assert_eq!(ward.next_json()["type"], "ready");

    let (patient_id, appointment_id) = booked(&app, &reception, &doctor_id);
    let path = format!("/api/appointments/{appointment_id}/status");
    call(
        &app,
        "PUT",
        &path,
        &doctor,
        Some(json!({"status": "Waiting"})),
    );
    for socket in [&mut desk, &mut ward] {
        let event = socket.next_json();
        assert_eq!(event["type"], "appointment.status_changed", "{event}");
        assert_eq!(event["id"], appointment_id.as_str());
        assert_eq!(event["patient_id"], patient_id.as_str());
        assert_eq!(event["data"]["from"], "scheduled");
        assert_eq!(event["data"]["to"], "waiting");
        assert!(event["at"].as_str().unwrap().ends_with('Z'));
    }

    // A finalized report reaches the doctor, not the reception (receptionists do not read reports).
    let report = call(
        &app,
        "POST",
        "/api/reports",
        &doctor,
        Some(
            json!({"patient_id": patient_id, "findings": "Normal liver echotexture.",
                    "impression": "Normal study.", "measurements": []}),
        ),
    );
    let report_id = report["id"].as_str().unwrap().to_owned();
    call(
        &app,
        "PUT",
        &format!("/api/reports/{report_id}/finalize"),
        &doctor,
        None,
    );
    let event = ward.next_json();
    assert_eq!(event["type"], "report.finalized", "{event}");
    assert_eq!(event["id"], report_id.as_str());
    call(
        &app,
        "PUT",
        &path,
        &doctor,
        Some(json!({"status": "in_room"})),
    );
    assert_eq!(
        desk.next_json()["data"]["to"],
        "in_room",
        "the reception's next event is the status change, not the report"
    );
});

/// The server binary serving the same database with the same keys: another instance, in another
/// process. Killed when dropped.
struct OtherProcess {
    child: Child,
    base: String,
    _data: tempfile::TempDir,
}

impl Drop for OtherProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn other_process(app: &TestApp) -> OtherProcess {
    let data = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env_clear()
        .env("DATA_DIR", data.path())
        .env("DATABASE_URL", &app.url)
        .env("TOKEN_KEYS", app.ring.to_text())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        // Another process beside this test's servers: no DICOM listener to compete for its port.
        .env("DICOM_BIND_ADDR", "off")
        .env("HTTP_WORKERS", "1")
        .env("DRAFT_REMINDER_INTERVAL_SECONDS", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let other = OtherProcess {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _data: data,
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the other server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    other
}

on_each_backend!(
    an_event_reaches_staff_connected_to_another_server_process,
    |app| {
        let (_, reception) = account(&app, "reception", &["receptionist"]);
        let (doctor_id, doctor) = account(&app, "haddad", &["doctor"]);
        let other = other_process(&app);
        let mut desk = open(&other.base, Some(&reception)).unwrap();
        assert_eq!(desk.next_json()["type"], "ready");
        // The other process starts its store listener before it serves: once its stream is ready, it
        // hears every change committed from then on.
        let (_, appointment_id) = booked(&app, &reception, &doctor_id);
        let path = format!("/api/appointments/{appointment_id}/status");
        let started = Instant::now();
        call(
            &app,
            "PUT",
            &path,
            &doctor,
            Some(json!({"status": "waiting"})),
        );
        let event = desk.next_json();
        assert_eq!(event["type"], "appointment.status_changed", "{event}");
        assert_eq!(event["id"], appointment_id.as_str());
        assert_eq!(event["data"]["to"], "waiting");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "delivered in {:?}",
            started.elapsed()
        );
    }
);
