//! The outbox dispatcher: claims due messages, hands them to every channel, records the outcome.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use domain::kernel::code::Code;
use domain::kernel::text::Translator;
use domain::kernel::time::Clock;
use domain::notifications::{
    Channel, ContactDirectory, GiveUpHandler, OutboxMessage, OutboxRepository, RetryPolicy,
    templates,
};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::channels::redact_addresses;

/// What one dispatch round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Messages claimed from the outbox.
    pub claimed: usize,
    /// Messages every channel took, recorded as delivered.
    pub delivered: usize,
    /// Messages some channel did not take, recorded for another attempt later.
    pub retried: usize,
    /// Messages whose last attempt failed, recorded as failed.
    pub failed: usize,
}

impl DispatchReport {
    fn add(&mut self, other: DispatchReport) {
        self.claimed += other.claimed;
        self.delivered += other.delivered;
        self.retried += other.retried;
        self.failed += other.failed;
    }
}

/// What became of one message in this round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Delivered,
    Retried,
    Failed,
    /// The outcome could not be recorded; the message's lease will expire and it is tried again.
    NotRecorded,
}

/// Delivers the outbox: claims due messages, renders each in its recipient's language, hands it to
/// every configured channel that has not taken it yet, and records the outcome.
///
/// - Every channel took it: delivered.
/// - Otherwise the attempt counts: with attempts left (see [`RetryPolicy`]) the message is due again
///   after the back-off, remembering which channels already took it so that they are not sent it
///   again; after the last attempt it is failed, for an administrator to requeue, and the context
///   that wrote it is told ([`GiveUpHandler`]): what giving up means is its decision.
/// - A contact directory error is a failed attempt of that message, not of the round.
/// - A failure to record an outcome is logged and the round goes on; the message's lease then
///   expires and it is claimed again (a channel that took it may be sent it again: receivers
///   de-duplicate by notification id).
/// - A round stops early, leaving the rest of its claim alone, once its lease has run out, so that
///   another dispatcher claiming those messages never works on them at the same time. Choose a lease
///   longer than a batch normally takes.
///
/// Logs one line per channel attempt and one per recorded outcome, with the notification id, kind,
/// channel and attempt number; never a message's text or a recipient's address.
pub struct Dispatcher {
    outbox: Arc<dyn OutboxRepository>,
    contacts: Arc<dyn ContactDirectory>,
    channels: Vec<Arc<dyn Channel>>,
    translator: Arc<dyn Translator>,
    give_up: Arc<dyn GiveUpHandler>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
    lease: Duration,
    batch: i64,
}

/// What a [`Dispatcher`] works with: the store's ports, the channels, the words, and whom to tell
/// when a message is given up.
pub struct DispatcherParts {
    pub outbox: Arc<dyn OutboxRepository>,
    pub contacts: Arc<dyn ContactDirectory>,
    pub channels: Vec<Arc<dyn Channel>>,
    pub translator: Arc<dyn Translator>,
    pub give_up: Arc<dyn GiveUpHandler>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for DispatcherParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatcherParts").finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// A dispatcher delivering through `parts.channels`, claiming up to `batch` messages at a
    /// time, each leased for `lease`.
    pub fn new(parts: DispatcherParts, policy: RetryPolicy, lease: Duration, batch: i64) -> Self {
        let DispatcherParts {
            outbox,
            contacts,
            channels,
            translator,
            give_up,
            clock,
        } = parts;
        Self {
            outbox,
            contacts,
            channels,
            translator,
            give_up,
            clock,
            policy,
            lease,
            batch,
        }
    }

    /// One round: claims up to a batch of due messages and attempts each once.
    ///
    /// Fails only when the claim itself fails; every later error is handled per message.
    pub fn run_once(&self) -> domain::Result<DispatchReport> {
        let now = self.clock.now();
        let lease_until = later(now, self.lease);
        let messages = self.outbox.claim_due(now, lease_until, self.batch)?;
        let mut report = DispatchReport {
            claimed: messages.len(),
            ..DispatchReport::default()
        };
        for (done, message) in messages.iter().enumerate() {
            if self.clock.now() >= lease_until {
                tracing::warn!(
                    left = messages.len() - done,
                    lease_seconds = self.lease.as_secs(),
                    "notification lease ran out before the batch was done; the rest is left for a later round"
                );
                break;
            }
            match self.attempt(message) {
                Outcome::Delivered => report.delivered += 1,
                Outcome::Retried => report.retried += 1,
                Outcome::Failed => report.failed += 1,
                Outcome::NotRecorded => {}
            }
        }
        Ok(report)
    }

    /// Runs rounds while they claim a full batch (there may be more due), at most `max_rounds`.
    /// Returns the rounds' reports added up.
    pub fn run_until_idle(&self, max_rounds: usize) -> domain::Result<DispatchReport> {
        let mut total = DispatchReport::default();
        for _ in 0..max_rounds {
            let report = self.run_once()?;
            total.add(report);
            if i64::try_from(report.claimed).map_or(true, |claimed| claimed < self.batch)
                || report.claimed == 0
            {
                break;
            }
        }
        Ok(total)
    }

    /// Dispatches in the background on a plain thread: runs until idle, sleeps `interval`, again,
    /// until `stop` is set (checked at least every 200 ms). Errors and panics of a round are logged
    /// and the loop goes on. Join the handle after setting `stop` for a clean shutdown.
    pub fn spawn(self: Arc<Self>, interval: Duration, stop: Arc<AtomicBool>) -> JoinHandle<()> {
        const ROUNDS_PER_WAKE: usize = 20;
        const STOP_CHECK: Duration = Duration::from_millis(200);
        // A zero interval would poll the database without pause.
        let interval = interval.max(Duration::from_millis(10));
        std::thread::spawn(move || {
            tracing::info!(
                channels = ?self.channel_names(),
                interval_ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
                "notification dispatcher started"
            );
            while !stop.load(Ordering::Relaxed) {
                match catch_unwind(AssertUnwindSafe(|| self.run_until_idle(ROUNDS_PER_WAKE))) {
                    Ok(Ok(report)) if report.claimed > 0 => tracing::info!(
                        claimed = report.claimed,
                        delivered = report.delivered,
                        retried = report.retried,
                        failed = report.failed,
                        "notifications dispatched"
                    ),
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "cannot claim notifications"),
                    Err(_) => tracing::error!("a notification dispatch round panicked"),
                }
                let mut slept = Duration::ZERO;
                while slept < interval && !stop.load(Ordering::Relaxed) {
                    let step = STOP_CHECK.min(interval - slept);
                    std::thread::sleep(step);
                    slept += step;
                }
            }
            tracing::info!("notification dispatcher stopped");
        })
    }

    fn channel_names(&self) -> Vec<&str> {
        self.channels.iter().map(|c| c.name()).collect()
    }

    /// One attempt of one message on every channel that has not taken it yet, and its record.
    fn attempt(&self, message: &OutboxMessage) -> Outcome {
        let notification = &message.notification;
        let id = notification.id;
        let kind = notification.kind().as_str();
        let attempt = message.attempts.saturating_add(1);
        let mut taken = message.delivered_channels.clone();
        let mut errors: Vec<String> = Vec::new();

        match self.contacts.contact(&notification.recipient_id) {
            Err(e) => {
                let error = redact_addresses(&e.to_string());
                tracing::warn!(
                    notification_id = %id, kind, channel = "contacts", attempt,
                    outcome = "failed", error = %error,
                    "notification attempt"
                );
                errors.push(format!("contacts: {error}"));
            }
            Ok(contact) => {
                let rendered = templates::render(self.translator.as_ref(), notification);
                for channel in &self.channels {
                    let name = channel.name();
                    if taken.iter().any(|t| t == name) {
                        continue;
                    }
                    match channel.deliver(notification, &rendered, &contact) {
                        Ok(()) => {
                            tracing::info!(
                                notification_id = %id, kind, channel = name, attempt,
                                outcome = "delivered",
                                "notification attempt"
                            );
                            taken.push(name.to_owned());
                        }
                        Err(e) => {
                            let error = redact_addresses(&e.to_string());
                            tracing::warn!(
                                notification_id = %id, kind, channel = name, attempt,
                                outcome = "failed", error = %error,
                                "notification attempt"
                            );
                            errors.push(format!("{name}: {error}"));
                        }
                    }
                }
            }
        }

        let at = self.clock.now();
        let (outcome, recorded) = if errors.is_empty() {
            (
                Outcome::Delivered,
                self.outbox.mark_delivered(id, attempt, &taken, at),
            )
        } else if self.policy.may_retry(attempt) {
            let next = later(at, self.policy.delay(attempt, id));
            (
                Outcome::Retried,
                self.outbox
                    .schedule_retry(id, attempt, &taken, next, &errors.join("; ")),
            )
        } else {
            (
                Outcome::Failed,
                self.outbox
                    .mark_failed(id, attempt, &taken, &errors.join("; "), at),
            )
        };
        let label = match outcome {
            Outcome::Delivered => "delivered",
            Outcome::Retried => "retry_scheduled",
            Outcome::Failed | Outcome::NotRecorded => "failed",
        };
        match recorded {
            Ok(()) => {
                if outcome == Outcome::Delivered {
                    tracing::info!(notification_id = %id, kind, attempt, outcome = label, "notification recorded");
                } else {
                    tracing::warn!(notification_id = %id, kind, attempt, outcome = label, "notification recorded");
                }
                if outcome == Outcome::Failed
                    && let Err(e) = self.give_up.gave_up(notification)
                {
                    tracing::error!(
                        notification_id = %id, kind, error = %e.chain(),
                        "the notification failed for good, and its context could not react to it"
                    );
                }
                outcome
            }
            Err(e) => {
                tracing::error!(
                    notification_id = %id, kind, attempt, outcome = label, error = %e.chain(),
                    "cannot record a notification outcome; it will be claimed again when its lease expires"
                );
                Outcome::NotRecorded
            }
        }
    }
}

/// `at + by`, saturating at the largest representable instant.
fn later(at: OffsetDateTime, by: Duration) -> OffsetDateTime {
    time::Duration::try_from(by)
        .ok()
        .and_then(|by| at.checked_add(by))
        .unwrap_or_else(|| PrimitiveDateTime::MAX.assume_utc())
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field("channels", &self.channel_names())
            .field("policy", &self.policy)
            .field("lease", &self.lease)
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use domain::kernel::time::MockClock;
    use domain::notifications::{
        Contact, DeliveryError, DeliveryStatus, MockChannel, MockContactDirectory,
        MockGiveUpHandler, MockOutboxRepository, NotificationKind,
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
}
