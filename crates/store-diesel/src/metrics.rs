//! What the store counts for Prometheus: the connection pool (size, in use, how long a request
//! waited for a connection, how often none came) and the outbox (messages pending and failed).

use diesel::r2d2::HandleEvent;
use diesel::r2d2::event::{CheckoutEvent, TimeoutEvent};
use domain::notifications::{DeliveryStatus, OutboxRepository};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::connection::Store;

/// The pool's events, recorded as they happen.
#[derive(Debug, Clone)]
pub(crate) struct PoolEvents {
    pub(crate) wait: Histogram,
    pub(crate) timeouts: Counter,
}

impl PoolEvents {
    pub(crate) fn new() -> Self {
        Self {
            // 10 µs to about 5 s.
            wait: Histogram::new(exponential_buckets(0.000_01, 4.0, 11)),
            timeouts: Counter::default(),
        }
    }
}

impl HandleEvent for PoolEvents {
    fn handle_checkout(&self, event: CheckoutEvent) {
        self.wait.observe(event.duration().as_secs_f64());
    }

    fn handle_timeout(&self, _event: TimeoutEvent) {
        self.timeouts.inc();
    }
}

/// Reads the pool's state and the outbox's backlog at each scrape.
#[derive(Debug)]
struct StoreCollector {
    store: Store,
}

fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: i64,
) -> Result<(), std::fmt::Error> {
    let metric = ConstGauge::new(value);
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

impl Collector for StoreCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let state = self.store.pool_state();
        let open = i64::from(state.connections);
        let idle = i64::from(state.idle_connections);
        gauge(
            &mut encoder,
            "db_pool_connections",
            "Database connections open",
            open,
        )?;
        gauge(
            &mut encoder,
            "db_pool_connections_in_use",
            "Database connections lent to a request or job",
            open - idle,
        )?;
        gauge(
            &mut encoder,
            "db_pool_max_connections",
            "The pool's size limit (DATABASE_POOL_SIZE)",
            i64::from(self.store.pool_max()),
        )?;
        // A scrape while the database is gone shows no backlog rather than failing.
        for (status, help) in [
            (
                DeliveryStatus::Pending,
                "Notifications waiting for delivery",
            ),
            (
                DeliveryStatus::Failed,
                "Notifications whose attempts ran out, waiting for an administrator",
            ),
        ] {
            if let Ok(n) = self.store.count(Some(status)) {
                let name = format!(
                    "outbox_{}_messages",
                    domain::kernel::code::Code::as_str(status)
                );
                gauge(
                    &mut encoder,
                    &name,
                    help,
                    i64::try_from(n).unwrap_or(i64::MAX),
                )?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// Registers the store's metrics in `registry`.
    pub fn register_metrics(&self, registry: &mut Registry) {
        registry.register(
            "db_pool_wait_seconds",
            "Time a request or job waited for a database connection",
            self.events.wait.clone(),
        );
        registry.register(
            "db_pool_timeouts",
            "Requests or jobs that got no database connection in time",
            self.events.timeouts.clone(),
        );
        registry.register_collector(Box::new(StoreCollector {
            store: self.clone(),
        }));
    }
}
