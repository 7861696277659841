//! The clinic's events, fanned out to the staff connected to this instance.
//!
//! Each connection has a bounded queue. Delivering never waits: an event that does not fit in a
//! client's queue drops that client (its socket is closed and it reconnects), so one slow client
//! can neither stall the others nor grow the server's memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use domain::clinic::{ClinicEvent, ClinicEventSink};
use domain::identity::Role;
use tokio::sync::mpsc;

/// How many events may wait for one client by default.
pub const DEFAULT_QUEUE: usize = 256;

struct Client {
    id: u64,
    roles: Vec<Role>,
    queue: mpsc::Sender<Arc<str>>,
}

/// The connected clients of this instance.
pub struct EventHub {
    clients: Mutex<Vec<Client>>,
    next_id: AtomicU64,
    queue: usize,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHub")
            .field("clients", &self.connected())
            .field("queue", &self.queue)
            .finish()
    }
}

impl Default for EventHub {
    fn default() -> Self {
        Self::new(DEFAULT_QUEUE)
    }
}

/// One client's subscription; dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    id: u64,
    hub: Arc<EventHub>,
    events: mpsc::Receiver<Arc<str>>,
}

impl Subscription {
    /// The next event as JSON; `None` once the hub dropped this client for falling behind.
    pub async fn next(&mut self) -> Option<Arc<str>> {
        self.events.recv().await
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.remove(self.id);
    }
}

impl EventHub {
    /// A hub whose clients may each have `queue` events waiting.
    pub fn new(queue: usize) -> Self {
        Self {
            clients: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            queue: queue.max(1),
        }
    }

    /// Subscribes a client holding `roles` to the events those roles may see.
    pub fn subscribe(self: &Arc<Self>, roles: Vec<Role>) -> Subscription {
        let (sender, events) = mpsc::channel(self.queue);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut clients) = self.clients.lock() {
            clients.push(Client {
                id,
                roles,
                queue: sender,
            });
        }
        Subscription {
            id,
            hub: self.clone(),
            events,
        }
    }

    /// How many clients are connected.
    pub fn connected(&self) -> usize {
        self.clients.lock().map(|c| c.len()).unwrap_or_default()
    }

    fn remove(&self, id: u64) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|c| c.id != id);
        }
    }
}

impl ClinicEventSink for EventHub {
    fn deliver(&self, event: &ClinicEvent) {
        let Ok(json) = serde_json::to_string(event) else {
            return;
        };
        let json: Arc<str> = json.into();
        let Ok(mut clients) = self.clients.lock() else {
            return;
        };
        clients.retain(|client| {
            if !event.kind.visible_to(&client.roles) {
                return true;
            }
            match client.queue.try_send(json.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(
                        client = client.id,
                        "an event stream client fell behind; dropping it"
                    );
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use domain::clinic::ClinicEventKind;

    use super::*;

    fn event(kind: ClinicEventKind) -> ClinicEvent {
        ClinicEvent {
            kind,
            id: "a1".to_owned(),
            patient_id: None,
            at: time::macros::datetime!(2026-11-30 10:00 UTC),
            data: serde_json::json!({}),
        }
    }

    #[tokio::test]
    async fn clients_get_what_their_roles_may_see_and_a_slow_one_is_dropped() {
        let hub = Arc::new(EventHub::new(2));
        let mut receptionist = hub.subscribe(vec![Role::Receptionist]);
        let mut doctor = hub.subscribe(vec![Role::Doctor]);
        hub.deliver(&event(ClinicEventKind::ReportFinalized));
        hub.deliver(&event(ClinicEventKind::AppointmentStatusChanged));
        let first = receptionist.next().await.unwrap_or_else(|| "".into());
        assert!(first.contains("appointment.status_changed"), "{first}");
        assert!(
            doctor
                .next()
                .await
                .is_some_and(|e| e.contains("report.finalized"))
        );
        assert!(doctor.next().await.is_some());
        // The receptionist reads nothing more; three more events overflow its queue of two, while
        // the doctor keeps up.
        for _ in 0..3 {
            hub.deliver(&event(ClinicEventKind::AppointmentStatusChanged));
            assert!(doctor.next().await.is_some());
        }
        assert_eq!(
            hub.connected(),
            1,
            "the slow client is dropped, the other kept"
        );
        drop(doctor);
        assert_eq!(hub.connected(), 0);
        let mut drained = 0;
        while receptionist.next().await.is_some() {
            drained += 1;
        }
        assert_eq!(
            drained, 2,
            "what was queued is still read, then the stream ends"
        );
    }
}
