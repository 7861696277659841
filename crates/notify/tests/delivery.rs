//! Delivery against real receivers on loopback: an HTTP server for the webhook, an SMTP server for
//! email, and the dispatcher driving them through an in-memory outbox and a clock the tests move.
#![cfg(test)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use domain::kernel::ids::{ActorId, CaseId, NotificationId};
use domain::kernel::lang::Lang;
use domain::notifications::{
    Channel, Contact, ContactDirectory, DeliveryError, DeliveryStatus, GiveUpHandler,
    OutboxRepository, RetryPolicy,
};
use hmac::{Hmac, Mac};
use notify::{DispatchReport, Dispatcher, DispatcherParts, EmailChannel, WebhookChannel};
use sha2::Sha256;
use uuid::Uuid;

use notify::testing::{HttpReceiver, closed_port_url, silent_receiver};
use support::mime;
use support::outbox::MemoryOutbox;
use support::smtp::SmtpServer;
use support::{GiveUps, T0, TestClock, catalogues, notification, render};

const SECRET: &[u8] = b"a shared secret of at least 32 bytes";
const FROM: &str = "Second Opinion <noreply@example.org>";

fn webhook(url: &str) -> WebhookChannel {
    WebhookChannel::new(url.to_owned(), SECRET.to_vec(), Duration::from_secs(5))
}

fn email(server: &SmtpServer) -> EmailChannel {
    EmailChannel::from_url(&server.url, FROM)
        .unwrap()
        .with_timeout(Duration::from_secs(5))
}

fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Every recipient has the same address.
#[derive(Debug)]
struct Contacts;

impl ContactDirectory for Contacts {
    fn contact(&self, _recipient_id: &ActorId) -> domain::Result<Contact> {
        Ok(Contact {
            email: Some("patient@example.org".into()),
        })
    }

    fn save_contact(
        &self,
        _: &ActorId,
        _: &Contact,
        _: time::OffsetDateTime,
    ) -> domain::Result<()> {
        Ok(())
    }
}

fn policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base: Duration::from_secs(30),
        cap: Duration::from_secs(3600),
    }
}

/// What a dispatcher works with: the in-memory outbox, [`Contacts`], the real catalogues.
fn parts(
    outbox: &Arc<MemoryOutbox>,
    clock: &Arc<TestClock>,
    channels: Vec<Arc<dyn Channel>>,
    give_up: Arc<dyn GiveUpHandler>,
) -> DispatcherParts {
    DispatcherParts {
        outbox: outbox.clone(),
        contacts: Arc::new(Contacts),
        channels,
        translator: catalogues(),
        give_up,
        clock: clock.clone(),
    }
}

fn dispatcher(
    outbox: &Arc<MemoryOutbox>,
    clock: &Arc<TestClock>,
    channels: Vec<Arc<dyn Channel>>,
    policy: RetryPolicy,
) -> Dispatcher {
    Dispatcher::new(
        parts(outbox, clock, channels, Arc::new(GiveUps::default())),
        policy,
        Duration::from_secs(120),
        10,
    )
}

fn report(claimed: usize, delivered: usize, retried: usize, failed: usize) -> DispatchReport {
    DispatchReport {
        claimed,
        delivered,
        retried,
        failed,
    }
}

// ---------------------------------------------------------------------------------------------
// The webhook channel
// ---------------------------------------------------------------------------------------------

#[test]
fn webhook_posts_the_notification_as_signed_json() {
    let receiver = HttpReceiver::always_ok();
    let channel = webhook(&receiver.url);
    let case_id = CaseId::from_uuid(Uuid::now_v7());
    let n = notification(Lang::Ar, Some(case_id));
    let rendered = render(&n);
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();

    channel.deliver(&n, &rendered, &Contact::default()).unwrap();

    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/hooks/notify");
    assert_eq!(request.header("Content-Type"), Some("application/json"));
    assert_eq!(
        request.header("Webhook-Id"),
        Some(n.id.to_string().as_str())
    );

    let timestamp = request.header("Webhook-Timestamp").unwrap();
    let seconds: u64 = timestamp.parse().unwrap();
    assert!((before..=before + 60).contains(&seconds), "{seconds}");

    // The signature covers the timestamp, a dot and the exact body bytes, with the shared secret.
    let signature = request.header("Webhook-Signature").unwrap();
    assert_eq!(signature, sign(SECRET, timestamp, &request.body));
    assert!(
        signature[3..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(signature.len(), "v1=".len() + 64);
    assert_ne!(
        signature,
        sign(
            b"another secret of at least 32 bytes!",
            timestamp,
            &request.body
        )
    );
    let other_timestamp = (seconds + 1).to_string();
    assert_ne!(signature, sign(SECRET, &other_timestamp, &request.body));

    let body = request.json();
    assert_eq!(
        body,
        serde_json::json!({
            "id": n.id.to_string(),
            "kind": "case_submitted",
            "code": "UCP01",
            "recipient": { "id": "patient-7", "role": "patient" },
            "lang": "ar",
            "title": "استلمنا حالتك",
            "body": rendered.body,
            "case_id": case_id.to_string(),
            "data": n.data.fields(),
            "created_date": "2026-03-01T09:30:15.250000Z",
        })
    );
    assert_eq!(
        body["data"],
        serde_json::json!({
            "case_id": case_id.to_string(),
            "review_type": { "en": "Standard Review", "ar": "مراجعة قياسية" },
        })
    );
    assert!(rendered.body.contains("مراجعة قياسية"));
}

#[test]
fn webhook_without_a_case_sends_null_and_english() {
    let receiver = HttpReceiver::always_ok();
    let n = notification(Lang::En, None);
    let rendered = render(&n);
    webhook(&receiver.url)
        .deliver(&n, &rendered, &Contact::default())
        .unwrap();
    let body = receiver.requests()[0].json();
    assert_eq!(body["case_id"], serde_json::Value::Null);
    assert_eq!(body["lang"], "en");
    assert_eq!(body["title"], "We received your case");
}

#[test]
fn webhook_non_2xx_answers_are_delivery_errors() {
    for status in [503, 500, 404, 302] {
        let receiver = HttpReceiver::always_failing(status);
        let n = notification(Lang::En, None);
        let rendered = render(&n);
        let err = webhook(&receiver.url)
            .deliver(&n, &rendered, &Contact::default())
            .unwrap_err();
        assert_eq!(
            err,
            DeliveryError::Failed(format!("HTTP {status} from receiver"))
        );
        assert_eq!(receiver.requests().len(), 1, "no redirect followed");
    }
}

#[test]
fn webhook_transport_errors_are_delivery_errors_without_the_secret() {
    let n = notification(Lang::En, None);
    let rendered = render(&n);
    let DeliveryError::Failed(text) = webhook(&closed_port_url())
        .deliver(&n, &rendered, &Contact::default())
        .unwrap_err();
    assert!(!text.is_empty());
    assert!(
        !text.contains(std::str::from_utf8(SECRET).unwrap()),
        "{text}"
    );

    // A receiver that never answers is given up on after the timeout.
    let channel = WebhookChannel::new(
        silent_receiver(),
        SECRET.to_vec(),
        Duration::from_millis(300),
    );
    let started = Instant::now();
    let err = channel.deliver(&n, &rendered, &Contact::default());
    assert!(err.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// The dispatcher with real receivers
// ---------------------------------------------------------------------------------------------

#[test]
fn a_failing_receiver_is_retried_with_back_off_until_it_recovers() {
    const FAILURES: usize = 2;
    let receiver = HttpReceiver::failing_first(FAILURES, 503);
    let outbox = Arc::new(MemoryOutbox::default());
    let clock = Arc::new(TestClock::at(T0));
    let policy = policy(5);
    let n = notification(Lang::En, Some(CaseId::from_uuid(Uuid::now_v7())));
    let id = n.id;
    outbox.insert(n, T0);
    let d = dispatcher(
        &outbox,
        &clock,
        vec![Arc::new(webhook(&receiver.url))],
        policy,
    );

    // First attempt: 503, due again after the first back-off.
    assert_eq!(d.run_once().unwrap(), report(1, 0, 1, 0));
    let m = outbox.get(id);
    assert_eq!(m.status, DeliveryStatus::Pending);
    assert_eq!(m.attempts, 1);
    assert_eq!(m.next_attempt_at, T0 + policy.delay(1, id));
    let waited = m.next_attempt_at - T0;
    assert!(
        (24..=36).contains(&waited.whole_seconds()),
        "30 s ± 20 %: {waited}"
    );
    assert_eq!(
        m.last_error.as_deref(),
        Some("webhook: HTTP 503 from receiver")
    );
    assert!(!outbox.is_leased(id), "recording clears the lease");

    // Not due yet: nothing happens.
    clock.set(m.next_attempt_at - time::Duration::seconds(1));
    assert_eq!(d.run_once().unwrap(), report(0, 0, 0, 0));

    // Second attempt: 503 again, the back-off doubles.
    clock.set(m.next_attempt_at);
    let second_at = m.next_attempt_at;
    assert_eq!(d.run_once().unwrap(), report(1, 0, 1, 0));
    let m = outbox.get(id);
    assert_eq!(m.attempts, 2);
    assert_eq!(m.next_attempt_at, second_at + policy.delay(2, id));

    // Third attempt: the receiver has recovered.
    clock.set(m.next_attempt_at);
    assert_eq!(d.run_once().unwrap(), report(1, 1, 0, 0));
    let m = outbox.get(id);
    assert_eq!(m.status, DeliveryStatus::Delivered);
    assert_eq!(m.attempts, 3);
    assert_eq!(m.delivered_channels, ["webhook"]);
    assert_eq!(m.delivered_date, Some(clock_now(&clock)));

    // Later rounds send nothing more; nothing was lost.
    clock.advance(time::Duration::hours(2));
    assert_eq!(d.run_until_idle(5).unwrap(), report(0, 0, 0, 0));
    let requests = receiver.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [503, 503, 200],
        "K failures and exactly one success"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.header("Webhook-Id") == Some(id.to_string().as_str())),
        "the same id on every attempt"
    );
    assert_eq!(outbox.count(None).unwrap(), 1);
    assert_eq!(outbox.count(Some(DeliveryStatus::Delivered)).unwrap(), 1);
}

fn clock_now(clock: &TestClock) -> time::OffsetDateTime {
    domain::kernel::time::Clock::now(clock)
}

#[test]
fn attempts_run_out_then_an_administrator_requeues() {
    let receiver = HttpReceiver::always_failing(500);
    let outbox = Arc::new(MemoryOutbox::default());
    let clock = Arc::new(TestClock::at(T0));
    let policy = policy(3);
    let n = notification(Lang::Ar, None);
    let id = n.id;
    outbox.insert(n.clone(), T0);
    let give_ups = Arc::new(GiveUps::default());
    let d = Dispatcher::new(
        parts(
            &outbox,
            &clock,
            vec![Arc::new(webhook(&receiver.url))],
            give_ups.clone(),
        ),
        policy,
        Duration::from_secs(120),
        10,
    );

    for attempt in 1..=3 {
        clock.set(outbox.get(id).next_attempt_at);
        let expected = if attempt < 3 {
            report(1, 0, 1, 0)
        } else {
            report(1, 0, 0, 1)
        };
        assert_eq!(d.run_once().unwrap(), expected, "attempt {attempt}");
        assert_eq!(outbox.get(id).attempts, attempt);
        let told = if attempt < 3 { 0 } else { 1 };
        assert_eq!(
            give_ups.notifications().len(),
            told,
            "the context is told only when the last attempt fails (attempt {attempt})"
        );
    }
    assert_eq!(
        give_ups.notifications(),
        [n],
        "told exactly once, with that notification"
    );
    let m = outbox.get(id);
    assert_eq!(m.status, DeliveryStatus::Failed);
    assert_eq!(
        m.last_error.as_deref(),
        Some("webhook: HTTP 500 from receiver")
    );
    assert_eq!(receiver.requests().len(), 3);
    assert_eq!(
        outbox
            .list(Some(DeliveryStatus::Failed), 10, 0)
            .unwrap()
            .len(),
        1
    );

    // Failed for good: no further attempt however long we wait.
    clock.advance(time::Duration::days(2));
    assert_eq!(d.run_once().unwrap(), report(0, 0, 0, 0));
    assert_eq!(receiver.requests().len(), 3);

    // Requeued: due at once with its attempts reset, and tried again.
    assert!(matches!(
        outbox.requeue(NotificationId::from_uuid(Uuid::now_v7()), clock_now(&clock)),
        Err(domain::Error::NotFound(_))
    ));
    outbox.requeue(id, clock_now(&clock)).unwrap();
    let m = outbox.get(id);
    assert_eq!((m.status, m.attempts), (DeliveryStatus::Pending, 0));
    assert_eq!(d.run_once().unwrap(), report(1, 0, 1, 0));
    assert_eq!(outbox.get(id).attempts, 1);
    assert_eq!(receiver.requests().len(), 4);
    assert_eq!(
        give_ups.notifications().len(),
        1,
        "a retry is not giving up"
    );
    assert!(matches!(
        outbox.requeue(id, clock_now(&clock)),
        Err(domain::Error::NotFound(_))
    ));
}

#[test]
fn a_channel_that_took_the_message_is_not_sent_it_again() {
    // The webhook takes it at once; the mail server refuses the first time.
    let receiver = HttpReceiver::always_ok();
    let smtp = SmtpServer::rejecting_first(1, "451 4.3.0 try again later");
    let outbox = Arc::new(MemoryOutbox::default());
    let clock = Arc::new(TestClock::at(T0));
    let n = notification(Lang::En, Some(CaseId::from_uuid(Uuid::now_v7())));
    let id = n.id;
    outbox.insert(n, T0);
    let d = dispatcher(
        &outbox,
        &clock,
        vec![Arc::new(webhook(&receiver.url)), Arc::new(email(&smtp))],
        policy(5),
    );

    assert_eq!(d.run_once().unwrap(), report(1, 0, 1, 0));
    let m = outbox.get(id);
    assert_eq!(m.delivered_channels, ["webhook"]);
    let error = m.last_error.unwrap();
    assert!(
        error.starts_with("email: ") && error.contains("451"),
        "{error}"
    );

    clock.set(m.next_attempt_at);
    assert_eq!(d.run_once().unwrap(), report(1, 1, 0, 0));
    let m = outbox.get(id);
    assert_eq!(m.status, DeliveryStatus::Delivered);
    assert_eq!(m.attempts, 2);
    assert_eq!(m.delivered_channels, ["webhook", "email"]);

    assert_eq!(receiver.requests().len(), 1, "the webhook was sent it once");
    assert_eq!(smtp.connections(), 2);
    assert_eq!(smtp.mails().len(), 1);
}

#[test]
fn a_batch_delivers_every_due_message_once() {
    let receiver = HttpReceiver::always_ok();
    let outbox = Arc::new(MemoryOutbox::default());
    let clock = Arc::new(TestClock::at(T0));
    let ids: Vec<NotificationId> = (0..25)
        .map(|i| {
            let n = notification(if i % 2 == 0 { Lang::En } else { Lang::Ar }, None);
            let id = n.id;
            outbox.insert(n, T0);
            id
        })
        .collect();
    let d = dispatcher(
        &outbox,
        &clock,
        vec![Arc::new(webhook(&receiver.url))],
        policy(3),
    );
    assert_eq!(d.run_until_idle(10).unwrap(), report(25, 25, 0, 0));
    let mut seen: Vec<String> = receiver
        .requests()
        .iter()
        .map(|r| r.header("Webhook-Id").unwrap().to_owned())
        .collect();
    seen.sort();
    let mut expected: Vec<String> = ids.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(seen, expected);
}

#[test]
fn concurrent_dispatchers_deliver_each_message_exactly_once() {
    let receiver = HttpReceiver::always_ok();
    let outbox = Arc::new(MemoryOutbox::default());
    let clock = Arc::new(TestClock::at(T0));
    let ids: Vec<NotificationId> = (0..40)
        .map(|_| {
            let n = notification(Lang::En, None);
            let id = n.id;
            outbox.insert(n, T0);
            id
        })
        .collect();
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let d = Dispatcher::new(
                parts(
                    &outbox,
                    &clock,
                    vec![Arc::new(webhook(&receiver.url))],
                    Arc::new(GiveUps::default()),
                ),
                policy(3),
                Duration::from_secs(120),
                4,
            );
            std::thread::spawn(move || d.run_until_idle(100).unwrap())
        })
        .collect();
    let delivered: usize = workers
        .into_iter()
        .map(|w| w.join().unwrap().delivered)
        .sum();
    assert_eq!(delivered, 40);
    let mut seen: Vec<String> = receiver
        .requests()
        .iter()
        .map(|r| r.header("Webhook-Id").unwrap().to_owned())
        .collect();
    seen.sort();
    let mut expected: Vec<String> = ids.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(seen, expected, "each message sent exactly once");
    assert_eq!(outbox.count(Some(DeliveryStatus::Delivered)).unwrap(), 40);
}

// ---------------------------------------------------------------------------------------------
// The email channel
// ---------------------------------------------------------------------------------------------

/// The one message the server received: its headers and its text and HTML parts.
struct Received {
    mail: support::smtp::Mail,
    headers: Vec<(String, String)>,
    text: String,
    html: String,
}

fn received(server: &SmtpServer) -> Received {
    let mails = server.mails();
    assert_eq!(mails.len(), 1);
    let mail = mails[0].clone();
    let (headers, body) = mime::split(&mail.data);
    assert!(
        mime::header(&headers, "Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    let parts = mime::parts(&headers, &body);
    assert_eq!(parts.len(), 2);
    let part = |kind: &str| {
        parts
            .iter()
            .find(|(h, _)| mime::header(h, "Content-Type").unwrap().starts_with(kind))
            .map(|(_, text)| text.clone())
            .unwrap()
    };
    Received {
        text: part("text/plain"),
        html: part("text/html"),
        headers,
        mail,
    }
}

#[test]
fn email_in_english() {
    let server = SmtpServer::accepting();
    let case_id = CaseId::from_uuid(Uuid::now_v7());
    let n = notification(Lang::En, Some(case_id));
    let rendered = render(&n);
    let contact = Contact {
        email: Some("patient@example.org".into()),
    };
    email(&server).deliver(&n, &rendered, &contact).unwrap();

    let got = received(&server);
    assert_eq!(got.mail.mail_from, "<noreply@example.org>");
    assert_eq!(got.mail.rcpt_to, ["<patient@example.org>"]);
    let header = |name| mime::header(&got.headers, name).unwrap();
    assert_eq!(header("Subject"), "We received your case");
    assert_eq!(header("To"), "patient@example.org");
    assert!(header("From").contains("<noreply@example.org>"));
    assert!(
        mime::decode_words(header("From")).contains("Second Opinion"),
        "{}",
        header("From")
    );
    assert_eq!(header("Content-Language"), "en");
    assert_eq!(header("Message-ID"), format!("<{}@example.org>", n.id));

    assert!(got.text.contains(&rendered.body), "{}", got.text);
    assert!(rendered.body.contains("Standard Review"));
    assert!(
        got.text.contains(&format!("Case reference: {case_id}")),
        "{}",
        got.text
    );
    assert!(!got.text.contains('\u{200F}'));
    assert!(
        got.html.contains("<html dir=\"ltr\" lang=\"en\">"),
        "{}",
        got.html
    );
    assert!(got.html.contains("<h1>We received your case</h1>"));
}

#[test]
fn email_in_arabic_is_right_to_left() {
    let server = SmtpServer::accepting();
    let case_id = CaseId::from_uuid(Uuid::now_v7());
    let n = notification(Lang::Ar, Some(case_id));
    let rendered = render(&n);
    let contact = Contact {
        email: Some("patient@example.org".into()),
    };
    email(&server).deliver(&n, &rendered, &contact).unwrap();

    let got = received(&server);
    let subject = mime::header(&got.headers, "Subject").unwrap();
    assert!(subject.starts_with("=?utf-8?b?"), "RFC 2047: {subject}");
    assert_eq!(mime::decode_words(subject), "استلمنا حالتك");
    assert_eq!(mime::header(&got.headers, "Content-Language"), Some("ar"));

    assert!(
        got.text.contains(&format!("\u{200F}{}", rendered.body)),
        "each line starts right to left: {:?}",
        got.text
    );
    assert!(got.text.contains(&format!("\u{200F}رقم الحالة: {case_id}")));
    assert!(got.html.contains("<html dir=\"rtl\" lang=\"ar\">"));
    assert!(got.html.contains("<h1>استلمنا حالتك</h1>"));
    assert!(
        got.html
            .contains(&format!("<span dir=\"ltr\">{case_id}</span>"))
    );
}

#[test]
fn email_without_an_address_sends_nothing() {
    let server = SmtpServer::accepting();
    let n = notification(Lang::En, None);
    let rendered = render(&n);
    let channel = email(&server);
    channel.deliver(&n, &rendered, &Contact::default()).unwrap();
    channel
        .deliver(
            &n,
            &rendered,
            &Contact {
                email: Some("  ".into()),
            },
        )
        .unwrap();
    assert_eq!(server.connections(), 0);
    assert!(server.mails().is_empty());
}

#[test]
fn email_refused_by_the_server_is_a_delivery_error_without_the_address() {
    let server = SmtpServer::rejecting_first(
        usize::MAX,
        "550 5.1.1 <patient@example.org>: Recipient address rejected",
    );
    let n = notification(Lang::En, None);
    let rendered = render(&n);
    let contact = Contact {
        email: Some("patient@example.org".into()),
    };
    let DeliveryError::Failed(text) = email(&server).deliver(&n, &rendered, &contact).unwrap_err();
    assert!(text.contains("550"), "{text}");
    assert!(!text.contains("patient@example.org"), "{text}");
    assert!(server.mails().is_empty());

    // An address the channel cannot parse is an error too, before any connection.
    let bad = Contact {
        email: Some("not an address".into()),
    };
    let accepting = SmtpServer::accepting();
    assert!(email(&accepting).deliver(&n, &rendered, &bad).is_err());
    assert_eq!(accepting.connections(), 0);
}

#[test]
fn email_to_a_closed_port_is_a_delivery_error() {
    let url = closed_port_url().replace("http://", "smtp://");
    let url = url.trim_end_matches("/hooks/notify");
    let channel = EmailChannel::from_url(url, FROM)
        .unwrap()
        .with_timeout(Duration::from_secs(2));
    let n = notification(Lang::En, None);
    let rendered = render(&n);
    let contact = Contact {
        email: Some("patient@example.org".into()),
    };
    assert!(channel.deliver(&n, &rendered, &contact).is_err());
}
