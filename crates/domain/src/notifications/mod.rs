//! Notifications: what is sent to whom, in which language, and how delivery is retried.
//!
//! A state change and the notifications it causes are written in one transaction (the outbox, kept
//! by the store). A dispatcher then claims due messages, renders each with [`templates`] in the
//! recipient's language, hands it to every configured [`Channel`], and records the outcome: delivered,
//! retried later with exponential back-off ([`RetryPolicy`]), or failed for good after the configured
//! number of attempts (visible to administrators, who can requeue it). What giving up on a
//! notification means for the context that wrote it is that context's decision ([`GiveUpHandler`]).

mod message;
mod ports;
mod retry;
mod service;
pub mod templates;

pub use message::{
    Bilingual, CaseNotice, CodeNotice, Contact, DeliveryStatus, DoctorNotice, DocumentsNotice,
    Notification, NotificationData, NotificationKind, OutboxMessage, PaymentNotice, RecipientRole,
    RejectionNotice, Rendered,
};
pub use ports::{Channel, ContactDirectory, DeliveryError, GiveUpHandler, OutboxRepository};
pub use retry::RetryPolicy;
pub use service::{ContactService, OutboxService, parse_email};

#[cfg(any(test, feature = "mock"))]
pub use ports::{MockChannel, MockContactDirectory, MockGiveUpHandler, MockOutboxRepository};
