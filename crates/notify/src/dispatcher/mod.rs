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
use crate::metrics::DispatchMetrics;

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
    metrics: DispatchMetrics,
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
            metrics: DispatchMetrics::default(),
        }
    }

    /// The same dispatcher, counting into `metrics` (registered by the caller).
    #[must_use]
    pub fn with_metrics(mut self, metrics: DispatchMetrics) -> Self {
        self.metrics = metrics;
        self
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
                    let delivered = channel.deliver(notification, &rendered, &contact);
                    self.metrics.attempt(name, delivered.is_ok());
                    match delivered {
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
                self.metrics.outcome(label);
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
mod tests;
