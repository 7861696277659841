//! Draft reminders (UCP98): once per case, however many runs overlap, and delivered through the
//! outbox to a real receiver.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use domain::kernel::ids::{ActorId, CaseId};
use domain::kernel::lang::Lang;
use domain::notifications::{NotificationKind, OutboxRepository};
use domain::second_opinion::{CaseRepository, CaseStatus, Gender, PatientAge, ReviewCase};
use notify::testing::HttpReceiver;
use serde_json::{Value, json};
use store_diesel::testing::TestDb;
use time::OffsetDateTime;
use token::KeyRing;
use uuid::Uuid;

use crate::cases::seed_catalogue;
use crate::helpers::{TestApp, on_each_backend};

/// A case written straight to the store, `hours` old.
fn old_case(app: &TestApp, user: &str, hours: i64, status: CaseStatus, lang: Lang) -> CaseId {
    let at = OffsetDateTime::now_utc() - time::Duration::hours(hours);
    let case = ReviewCase {
        id: CaseId::from_uuid(Uuid::now_v7()),
        user_id: ActorId::parse(user).unwrap(),
        rt_id: Uuid::parse_str("0193a1c0-0000-7000-8000-000000000001")
            .unwrap()
            .into(),
        dc_id: Uuid::parse_str("0193a1c0-0000-7000-8000-000000000101")
            .unwrap()
            .into(),
        patient_age: PatientAge::parse(40).unwrap(),
        patient_gender: Gender::Male,
        status,
        medical_history: None,
        medical_documents: vec![],
        reject_reason: None,
        case_coordinator_id: None,
        lang,
        is_notified: false,
        version: 1,
        created_date: at,
        updated_date: at,
        doctors_assigned_date: None,
        summary: None,
        completed_date: None,
        report: None,
    };
    app.platform.store.insert(&case, &[], &[]).unwrap();
    case.id
}

fn reminders_for(app: &TestApp, case: CaseId) -> usize {
    app.platform
        .store
        .for_case(case)
        .unwrap()
        .iter()
        .filter(|m| m.notification.kind() == NotificationKind::DraftReminder)
        .count()
}

fn run(app: &TestApp) -> Value {
    let r = app.post(
        "/admin/process-draft-notifications",
        Some(&app.admin()),
        json!({}),
    );
    assert_eq!(
        (r.status, r.message()),
        (200, "Draft notifications processed successfully"),
        "{}",
        r.text
    );
    r.json["data"].clone()
}

on_each_backend!(only_drafts_a_day_old_are_reminded_and_only_once, |app| {
    seed_catalogue(&app);
    let due_en = old_case(&app, "patient-1", 25, CaseStatus::Draft, Lang::En);
    let due_ar = old_case(&app, "patient-2", 48, CaseStatus::Draft, Lang::Ar);
    let young = old_case(&app, "patient-3", 23, CaseStatus::Draft, Lang::En);
    let submitted = old_case(&app, "patient-4", 30, CaseStatus::Review, Lang::En);

    assert_eq!(run(&app), json!({ "eligible": 2, "notified": 2 }));
    assert_eq!(run(&app), json!({ "eligible": 0, "notified": 0 }));
    assert_eq!(
        (reminders_for(&app, due_en), reminders_for(&app, due_ar)),
        (1, 1)
    );
    assert_eq!(
        (reminders_for(&app, young), reminders_for(&app, submitted)),
        (0, 0)
    );

    let list = app.post(
        "/admin/notifications",
        Some(&app.admin()),
        json!({ "status": "pending" }),
    );
    let reminders: Vec<&Value> = list.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["code"] == "UCP98")
        .collect();
    assert_eq!(reminders.len(), 2);
    let arabic = reminders
        .iter()
        .find(|n| n["case_id"] == due_ar.to_string().as_str())
        .unwrap();
    assert_eq!(
        (arabic["lang"].as_str(), arabic["recipient_id"].as_str()),
        (Some("ar"), Some("patient-2"))
    );

    let timeline = app.post(
        "/app/review-case-details",
        Some(&app.token(domain::identity::Audience::SnrUsr, "patient-1", &[])),
        json!({ "case_id": due_en }),
    );
    assert_eq!(
        timeline.json["data"]["timeline"][0]["event"],
        "draft_reminder_sent"
    );
    assert_eq!(timeline.json["data"]["timeline"][0]["by"], "system");
});

on_each_backend!(concurrent_runs_remind_each_case_exactly_once, |app| {
    seed_catalogue(&app);
    let cases: Vec<CaseId> = (0..30)
        .map(|i| {
            old_case(
                &app,
                &format!("patient-{i}"),
                26,
                CaseStatus::Draft,
                Lang::En,
            )
        })
        .collect();
    let admin = app.admin();
    let notified: u64 = std::thread::scope(|s| {
        let runs: Vec<_> = (0..8)
            .map(|_| {
                let (app, admin) = (&app, &admin);
                s.spawn(move || {
                    let r = app.post("/admin/process-draft-notifications", Some(admin), json!({}));
                    assert_eq!(r.status, 200, "{}", r.text);
                    r.json["data"]["notified"].as_u64().unwrap()
                })
            })
            .collect();
        runs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(notified, 30, "{}", app.backend);
    for case in cases {
        assert_eq!(reminders_for(&app, case), 1, "{}", app.backend);
    }
});

struct ChildServer(Child);

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Two server processes on one PostgreSQL database, reminding at once.
#[test]
fn two_server_processes_remind_each_case_once() {
    let Some(db) = TestDb::postgres() else { return };
    let ring = KeyRing::generate();
    let app = TestApp::spawn_with_ring(db, ring.clone());
    seed_catalogue(&app);
    let cases: Vec<CaseId> = (0..40)
        .map(|i| {
            old_case(
                &app,
                &format!("patient-{i}"),
                30,
                CaseStatus::Draft,
                Lang::En,
            )
        })
        .collect();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = tempfile::tempdir().unwrap();
    let _other = ChildServer(
        Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            .env_clear()
            .env("DATA_DIR", data.path())
            .env("DATABASE_URL", &app.url)
            .env("TOKEN_KEYS", ring.to_text())
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            // Another process beside this test's servers: no DICOM listener to compete for its port.
            .env("DICOM_BIND_ADDR", "off")
            .env("HTTP_WORKERS", "2")
            .env("DRAFT_REMINDER_INTERVAL_SECONDS", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let other = format!("http://127.0.0.1:{port}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let started = Instant::now();
    while agent.get(format!("{other}/healthz")).call().is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "second server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let admin = app.admin();
    let notified: u64 = std::thread::scope(|s| {
        let runs: Vec<_> = (0..8)
            .map(|i| {
                let (app, admin, agent, other) = (&app, &admin, &agent, &other);
                s.spawn(move || {
                    let body = if i % 2 == 0 {
                        app.post("/admin/process-draft-notifications", Some(admin), json!({}))
                            .json
                    } else {
                        let mut r = agent
                            .post(format!("{other}/admin/process-draft-notifications"))
                            .header("authorization", admin.as_str())
                            .send_json(json!({}))
                            .unwrap();
                        assert_eq!(r.status().as_u16(), 200);
                        r.body_mut().read_json::<Value>().unwrap()
                    };
                    body["data"]["notified"].as_u64().unwrap()
                })
            })
            .collect();
        runs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(notified, 40);
    for case in cases {
        assert_eq!(reminders_for(&app, case), 1);
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

// The scheduled run reminds, the dispatcher delivers to a receiver that is down at first, and
// nothing is lost or sent twice.
on_each_backend!(
    scheduled_reminders_reach_a_recovering_webhook_once,
    |db: TestDb| {
        let receiver = HttpReceiver::failing_first(2, 503);
        let url = receiver.url.clone();
        let app = TestApp::spawn_configured(
            db,
            KeyRing::generate(),
            move |c| {
                c.draft_reminder_interval = Duration::from_millis(200);
                c.notify.channels = vec!["webhook".into()];
                c.notify.webhook_url = Some(url);
                c.notify.webhook_secret = Some(server::config::Secret::new("s".repeat(32)));
                c.notify.retry_base = Duration::from_secs(1);
                c.notify.poll = Duration::from_millis(100);
            },
            true,
        );
        seed_catalogue(&app);
        let case = old_case(&app, "patient-9", 25, CaseStatus::Draft, Lang::Ar);
        wait_for("delivery", || {
            app.platform
                .store
                .for_case(case)
                .unwrap()
                .iter()
                .any(|m| m.delivered_date.is_some())
        });
        let requests = receiver.requests();
        let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            [503, 503, 200],
            "two failures, then exactly one delivery"
        );
        let body = requests[2].json();
        assert_eq!(body["code"], "UCP98");
        assert_eq!(body["lang"], "ar");
        assert_eq!(body["title"], "حالتك بانتظارك");
        assert_eq!(body["case_id"], case.to_string().as_str());
        assert!(
            requests[2]
                .header("webhook-signature")
                .unwrap()
                .starts_with("v1=")
        );
        let messages = app.platform.store.for_case(case).unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].attempts, 3);
        assert_eq!(messages[0].delivered_channels, ["webhook"]);
    }
);

// A reminder whose delivery fails for good releases its case: the next run reminds again, and an
// administrator sees the failure and can retry it.
on_each_backend!(
    a_reminder_that_cannot_be_delivered_is_released_and_visible,
    |db: TestDb| {
        let receiver = HttpReceiver::always_failing(500);
        let url = receiver.url.clone();
        let app = TestApp::spawn_configured(
            db,
            KeyRing::generate(),
            move |c| {
                c.notify.channels = vec!["webhook".into()];
                c.notify.webhook_url = Some(url);
                c.notify.webhook_secret = Some(server::config::Secret::new("k".repeat(40)));
                c.notify.max_attempts = 1;
                c.notify.poll = Duration::from_millis(100);
            },
            true,
        );
        seed_catalogue(&app);
        let case = old_case(&app, "patient-5", 25, CaseStatus::Draft, Lang::En);
        assert_eq!(run(&app), json!({ "eligible": 1, "notified": 1 }));
        let admin = app.admin();
        let failed = || {
            app.post(
                "/admin/notifications",
                Some(&admin),
                json!({ "status": "failed" }),
            )
        };
        wait_for("the failure", || failed().json["pagination"]["total"] == 1);
        let listed = failed();
        let item = &listed.json["data"][0];
        assert_eq!(item["attempts"], 1);
        assert!(
            item["last_error"]
                .as_str()
                .unwrap()
                .starts_with("webhook: HTTP 500"),
            "{item}"
        );

        // Released: the next run reminds again.
        assert_eq!(run(&app), json!({ "eligible": 1, "notified": 1 }));
        assert_eq!(reminders_for(&app, case), 2);

        // An administrator can requeue the failed one; a pending or unknown id is 404.
        let id = item["notification_id"].as_str().unwrap();
        let retried = app.post(
            "/admin/retry-notification",
            Some(&admin),
            json!({ "notification_id": id }),
        );
        assert_eq!(
            (retried.status, retried.message()),
            (200, "Notification queued for delivery")
        );
        let unknown = app.post(
            "/admin/retry-notification",
            Some(&admin),
            json!({ "notification_id": "0193a1c0-0000-7000-8000-0000000000ee" }),
        );
        assert_eq!(unknown.status, 404);
    }
);
