use std::sync::Mutex;

use domain::kernel::time::MockClock;
use domain::notifications::{
    Contact, DeliveryError, DeliveryStatus, MockChannel, MockContactDirectory, MockGiveUpHandler,
    MockOutboxRepository, NotificationKind,
};
use domain::testing::{self, KeyTranslator};
use time::macros::datetime;

use super::*;

const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base: Duration::from_secs(30),
        cap: Duration::from_secs(3600),
    }
}

fn message(attempts: u32, delivered: &[&str]) -> OutboxMessage {
    OutboxMessage {
        notification: testing::notification(
            NotificationKind::CaseSubmitted,
            &testing::review_case(),
        ),
        status: DeliveryStatus::Pending,
        attempts,
        delivered_channels: delivered.iter().map(|d| (*d).to_owned()).collect(),
        last_error: None,
        next_attempt_at: NOW,
        delivered_date: None,
    }
}

fn clock() -> Arc<MockClock> {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(NOW);
    Arc::new(clock)
}

fn contacts() -> Arc<MockContactDirectory> {
    let mut contacts = MockContactDirectory::new();
    contacts.expect_contact().returning(|_| {
        Ok(Contact {
            email: Some("patient@example.org".into()),
        })
    });
    Arc::new(contacts)
}

/// A channel that always fails or always succeeds, counting its calls.
fn channel(name: &str, fails: bool, calls: Arc<Mutex<u32>>) -> Arc<dyn Channel> {
    let mut channel = MockChannel::new();
    channel.expect_name().return_const(name.to_owned());
    channel.expect_deliver().returning(move |_, _, _| {
        *calls.lock().unwrap() += 1;
        if fails {
            Err(DeliveryError::Failed("HTTP 503 from receiver".into()))
        } else {
            Ok(())
        }
    });
    Arc::new(channel)
}

/// Whom a dispatcher tells when it gives up: nobody who minds.
fn no_reaction() -> Arc<MockGiveUpHandler> {
    let mut give_up = MockGiveUpHandler::new();
    give_up.expect_gave_up().returning(|_| Ok(()));
    Arc::new(give_up)
}

fn parts(
    outbox: MockOutboxRepository,
    contacts: Arc<MockContactDirectory>,
    channels: Vec<Arc<dyn Channel>>,
    clock: Arc<MockClock>,
) -> DispatcherParts {
    DispatcherParts {
        outbox: Arc::new(outbox),
        contacts,
        channels,
        translator: Arc::new(KeyTranslator),
        give_up: no_reaction(),
        clock,
    }
}

fn dispatcher(
    outbox: MockOutboxRepository,
    contacts: Arc<MockContactDirectory>,
    channels: Vec<Arc<dyn Channel>>,
) -> Dispatcher {
    Dispatcher::new(
        parts(outbox, contacts, channels, clock()),
        policy(),
        Duration::from_secs(60),
        10,
    )
}

#[test]
fn every_channel_taking_it_marks_it_delivered() {
    let msg = message(0, &[]);
    let id = msg.notification.id;
    let mut outbox = MockOutboxRepository::new();
    outbox
        .expect_claim_due()
        .withf(|now, until, limit| {
            *now == NOW && *until == NOW + time::Duration::seconds(60) && *limit == 10
        })
        .times(1)
        .returning(move |_, _, _| Ok(vec![msg.clone()]));
    outbox
        .expect_mark_delivered()
        .withf(move |i, attempts, channels, at| {
            *i == id && *attempts == 1 && channels == ["log", "webhook"] && *at == NOW
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let calls = Arc::new(Mutex::new(0));
    let d = dispatcher(
        outbox,
        contacts(),
        vec![
            channel("log", false, calls.clone()),
            channel("webhook", false, calls.clone()),
        ],
    );
    let report = d.run_once().unwrap();
    assert_eq!(
        report,
        DispatchReport {
            claimed: 1,
            delivered: 1,
            retried: 0,
            failed: 0
        }
    );
    assert_eq!(*calls.lock().unwrap(), 2);
}

#[test]
fn a_failing_channel_schedules_a_retry_keeping_what_was_taken() {
    let msg = message(1, &[]);
    let id = msg.notification.id;
    let delay = policy().delay(2, id);
    let mut outbox = MockOutboxRepository::new();
    outbox
        .expect_claim_due()
        .returning(move |_, _, _| Ok(vec![msg.clone()]));
    outbox
        .expect_schedule_retry()
        .withf(move |i, attempts, channels, next, error| {
            *i == id
                && *attempts == 2
                && channels == ["log"]
                && *next == NOW + delay
                && error == "webhook: HTTP 503 from receiver"
        })
        .times(1)
        .returning(|_, _, _, _, _| Ok(()));
    let calls = Arc::new(Mutex::new(0));
    let d = dispatcher(
        outbox,
        contacts(),
        vec![
            channel("log", false, calls.clone()),
            channel("webhook", true, calls.clone()),
        ],
    );
    assert_eq!(d.run_once().unwrap().retried, 1);
}

#[test]
fn channels_that_took_it_are_skipped() {
    let msg = message(1, &["webhook"]);
    let mut outbox = MockOutboxRepository::new();
    outbox
        .expect_claim_due()
        .returning(move |_, _, _| Ok(vec![msg.clone()]));
    outbox
        .expect_mark_delivered()
        .withf(|_, attempts, channels, _| *attempts == 2 && channels == ["webhook", "email"])
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let webhook_calls = Arc::new(Mutex::new(0));
    let email_calls = Arc::new(Mutex::new(0));
    let d = dispatcher(
        outbox,
        contacts(),
        vec![
            channel("webhook", false, webhook_calls.clone()),
            channel("email", false, email_calls.clone()),
        ],
    );
    assert_eq!(d.run_once().unwrap().delivered, 1);
    assert_eq!(*webhook_calls.lock().unwrap(), 0);
    assert_eq!(*email_calls.lock().unwrap(), 1);
}

#[test]
fn the_last_failed_attempt_marks_it_failed() {
    let msg = message(2, &[]);
    let id = msg.notification.id;
    let mut outbox = MockOutboxRepository::new();
    outbox
        .expect_claim_due()
        .returning(move |_, _, _| Ok(vec![msg.clone()]));
    outbox.expect_schedule_retry().times(0);
    outbox
        .expect_mark_failed()
        .withf(move |i, attempts, channels, error, at| {
            *i == id
                && *attempts == 3
                && channels.is_empty()
                && error == "webhook: HTTP 503 from receiver"
                && *at == NOW
        })
        .times(1)
        .returning(|_, _, _, _, _| Ok(()));
    let mut give_up = MockGiveUpHandler::new();
    give_up
        .expect_gave_up()
        .withf(move |n| n.id == id)
        .times(1)
        .returning(|_| Ok(()));
    let mut parts = parts(
        outbox,
        contacts(),
        vec![channel("webhook", true, Arc::default())],
        clock(),
    );
    parts.give_up = Arc::new(give_up);
    let d = Dispatcher::new(parts, policy(), Duration::from_secs(60), 10);
    assert_eq!(d.run_once().unwrap().failed, 1);
}

#[test]
fn a_contact_lookup_error_is_a_failed_attempt_not_a_crash() {
    let first = message(0, &[]);
    let second = message(0, &[]);
    let (first_id, second_id) = (first.notification.id, second.notification.id);
    let mut outbox = MockOutboxRepository::new();
    outbox
        .expect_claim_due()
        .returning(move |_, _, _| Ok(vec![first.clone(), second.clone()]));
    outbox
        .expect_schedule_retry()
        .withf(move |i, attempts, channels, _, error| {
            *i == first_id
                && *attempts == 1
                && channels.is_empty()
                && error.starts_with("contacts: ")
        })
        .times(1)
        .returning(|_, _, _, _, _| Ok(()));
    outbox
        .expect_mark_delivered()
        .withf(move |i, _, _, _| *i == second_id)
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let mut contacts = MockContactDirectory::new();
    let mut lookups = 0;
    contacts.expect_contact().returning(move |_| {
        lookups += 1;
        if lookups == 1 {
            Err(domain::Error::Unavailable("database is down".into()))
        } else {
            Ok(Contact::default())
        }
    });
    let calls = Arc::new(Mutex::new(0));
    let d = dispatcher(
        outbox,
        Arc::new(contacts),
        vec![channel("webhook", false, calls.clone())],
    );
    let report = d.run_once().unwrap();
    assert_eq!((report.retried, report.delivered), (1, 1));
    assert_eq!(
        *calls.lock().unwrap(),
        1,
        "only the second message was sent"
    );
}

#[test]
fn a_recording_error_does_not_stop_the_batch() {
    let first = message(0, &[]);
    let second = message(0, &[]);
    let first_id = first.notification.id;
    let mut outbox = MockOutboxRepository::new();
    outbox
        .expect_claim_due()
        .returning(move |_, _, _| Ok(vec![first.clone(), second.clone()]));
    outbox
        .expect_mark_delivered()
        .times(2)
        .returning(move |i, _, _, _| {
            if i == first_id {
                Err(domain::Error::Unavailable("database is down".into()))
            } else {
                Ok(())
            }
        });
    let d = dispatcher(
        outbox,
        contacts(),
        vec![channel("log", false, Arc::default())],
    );
    let report = d.run_once().unwrap();
    assert_eq!((report.claimed, report.delivered), (2, 1));
}

#[test]
fn a_claim_error_is_the_rounds_error() {
    let mut outbox = MockOutboxRepository::new();
    outbox
        .expect_claim_due()
        .returning(|_, _, _| Err(domain::Error::Unavailable("database is down".into())));
    let d = dispatcher(outbox, contacts(), vec![]);
    assert!(matches!(d.run_once(), Err(domain::Error::Unavailable(_))));
}

#[test]
fn a_round_stops_when_its_lease_runs_out() {
    let first = message(0, &[]);
    let second = message(0, &[]);
    let first_id = first.notification.id;
    let mut outbox = MockOutboxRepository::new();
    outbox
        .expect_claim_due()
        .returning(move |_, _, _| Ok(vec![first.clone(), second.clone()]));
    outbox
        .expect_mark_delivered()
        .withf(move |i, _, _, _| *i == first_id)
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    // The clock reads: the claim, the lease check and the record of the first message, then
    // the lease check of the second, a lease later.
    let mut clock = MockClock::new();
    let mut reads = 0;
    clock.expect_now().returning(move || {
        reads += 1;
        if reads <= 3 {
            NOW
        } else {
            NOW + time::Duration::seconds(61)
        }
    });
    let d = Dispatcher::new(
        parts(
            outbox,
            contacts(),
            vec![channel("log", false, Arc::default())],
            Arc::new(clock),
        ),
        policy(),
        Duration::from_secs(60),
        10,
    );
    let report = d.run_once().unwrap();
    assert_eq!((report.claimed, report.delivered), (2, 1));
}

#[test]
fn run_until_idle_goes_on_while_batches_are_full() {
    let mut outbox = MockOutboxRepository::new();
    let mut round = 0;
    outbox
        .expect_claim_due()
        .times(3)
        .returning(move |_, _, limit| {
            round += 1;
            assert_eq!(limit, 2);
            let n = if round < 3 { 2 } else { 1 };
            Ok((0..n).map(|_| message(0, &[])).collect())
        });
    outbox
        .expect_mark_delivered()
        .times(5)
        .returning(|_, _, _, _| Ok(()));
    let d = Dispatcher::new(
        parts(
            outbox,
            contacts(),
            vec![channel("log", false, Arc::default())],
            clock(),
        ),
        policy(),
        Duration::from_secs(60),
        2,
    );
    let report = d.run_until_idle(10).unwrap();
    assert_eq!((report.claimed, report.delivered), (5, 5));

    let mut outbox = MockOutboxRepository::new();
    outbox
        .expect_claim_due()
        .times(2)
        .returning(|_, _, _| Ok(vec![message(0, &[]), message(0, &[])]));
    outbox
        .expect_mark_delivered()
        .returning(|_, _, _, _| Ok(()));
    let d = Dispatcher::new(
        parts(
            outbox,
            contacts(),
            vec![channel("log", false, Arc::default())],
            clock(),
        ),
        policy(),
        Duration::from_secs(60),
        2,
    );
    assert_eq!(
        d.run_until_idle(2).unwrap().claimed,
        4,
        "at most max_rounds"
    );
}

#[test]
fn spawn_runs_in_the_background_and_stops() {
    let mut outbox = MockOutboxRepository::new();
    let rounds = Arc::new(Mutex::new(0u32));
    let counted = rounds.clone();
    outbox.expect_claim_due().returning(move |_, _, _| {
        *counted.lock().unwrap() += 1;
        Ok(vec![])
    });
    let d = Arc::new(dispatcher(outbox, contacts(), vec![]));
    let stop = Arc::new(AtomicBool::new(false));
    let handle = d.spawn(Duration::from_millis(10), stop.clone());
    let started = std::time::Instant::now();
    while *rounds.lock().unwrap() < 3 && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    handle.join().unwrap();
    assert!(*rounds.lock().unwrap() >= 3);
}
