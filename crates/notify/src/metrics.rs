//! What the dispatcher counts for Prometheus: attempts per channel and how each message ended.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AttemptLabels {
    channel: String,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// The dispatcher's counters, registered in the server's registry.
#[derive(Debug, Clone, Default)]
pub struct DispatchMetrics {
    attempts: Family<AttemptLabels, Counter>,
    outcomes: Family<OutcomeLabels, Counter>,
}

impl DispatchMetrics {
    pub fn register(registry: &mut Registry) -> DispatchMetrics {
        let metrics = DispatchMetrics::default();
        registry.register(
            "notification_channel_attempts",
            "Deliveries tried on a channel, by channel and outcome (delivered, failed)",
            metrics.attempts.clone(),
        );
        registry.register(
            "notification_outcomes",
            "Messages whose attempt was recorded: delivered, retry_scheduled, failed (given up)",
            metrics.outcomes.clone(),
        );
        metrics
    }

    pub(crate) fn attempt(&self, channel: &str, delivered: bool) {
        self.attempts
            .get_or_create(&AttemptLabels {
                channel: channel.to_owned(),
                outcome: if delivered { "delivered" } else { "failed" },
            })
            .inc();
    }

    pub(crate) fn outcome(&self, outcome: &'static str) {
        self.outcomes
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }
}
