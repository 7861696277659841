//! The binary as an operator runs it, for declaration requests: a verification code goes through
//! the outbox and the log channel, and neither the code nor the phone reaches the log.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use domain::notifications::{NotificationData, OutboxRepository};
use serde_json::json;

use crate::declarations::{ALL_SCOPES, DIVISION, LE, PERSON_OTP, PHONE_OTP, THERAPIST};

struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn server(data: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env_clear()
        .env("DATA_DIR", data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn a_verification_code_never_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    server(&data, &["seed-demo"]);
    let scopes = ALL_SCOPES.join(" ");
    let token = server(
        &data,
        &[
            "token",
            "issue",
            "--aud",
            "ehealth",
            "--sub",
            "doctor-user-1",
            "--client-id",
            LE,
            "--scope",
            &scopes,
        ],
    );

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env_clear()
        .env("DATA_DIR", &data)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        // Another process beside this test's servers: no DICOM listener to compete for its port.
        .env("DICOM_BIND_ADDR", "off")
        .env("HTTP_WORKERS", "1")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let serving = Serving(child);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while agent.get(format!("{base}/healthz")).call().is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let created = agent
        .post(format!("{base}/api/v3/declaration_requests"))
        .header("authorization", token.as_str())
        .send_json(json!({"declaration_request": {
            "person_id": PERSON_OTP, "employee_id": THERAPIST, "division_id": DIVISION}}))
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);

    // The log channel delivers the code's notification (by id and kind) soon after.
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&log_path).unwrap();
        if text.contains("EHL01") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no delivery logged:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(serving);

    let url = format!("sqlite://{}", data.join("medcare.db").display());
    let store = store_diesel::Store::connect(&url, 1).unwrap();
    let code = store
        .list(None, 100, 0)
        .unwrap()
        .into_iter()
        .find_map(|m| match m.notification.data {
            NotificationData::VerificationCode(n) => Some(n.code),
            _ => None,
        })
        .expect("the code in the outbox");
    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(!text.contains(PHONE_OTP), "the phone is in the log");
    assert!(
        !text.contains("verification code is"),
        "the SMS text is in the log"
    );
    for shape in [
        format!("\"{code}\""),
        format!("={code}"),
        format!(" {code} "),
    ] {
        assert!(!text.contains(&shape), "the code is in the log as {shape}");
    }
}
