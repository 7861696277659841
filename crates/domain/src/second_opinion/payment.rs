//! Payment for a case: created when a coordinator is assigned, paid through a hosted payment page
//! (the provider tells us by a signed webhook) or confirmed by an administrator.

use time::OffsetDateTime;

use crate::Result;
use crate::kernel::ids::{ActorId, CaseId, PaymentId};
use crate::kernel::money::Money;

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum PaymentStatus {
    /// The patient has the link and has not paid yet.
    Pending,
    Paid,
}

/// How a payment was confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaidBy {
    /// The provider's webhook, with its event id.
    Provider { event_id: String },
    /// An administrator, by hand.
    Admin(ActorId),
}

/// The payment of one case: one per case, kept across a coordinator change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: PaymentId,
    pub case_id: CaseId,
    pub amount: Money,
    pub status: PaymentStatus,
    /// The hosted payment page.
    pub url: String,
    pub created_date: OffsetDateTime,
    pub paid_date: Option<OffsetDateTime>,
    pub paid_by: Option<PaidBy>,
}

/// What the payment provider says happened, once its signature is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The provider's id of the event; a second delivery of it changes nothing.
    pub event_id: String,
    /// `payment.succeeded`, or another type this service ignores.
    pub kind: String,
    pub payment_id: PaymentId,
    pub amount: Money,
}

/// Why a webhook was refused before it was looked at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRefusal {
    #[error("the Payment-Signature header is missing or malformed")]
    MissingSignature,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the signature's timestamp is more than five minutes off")]
    Stale,
    #[error("the body is not a payment event: {0}")]
    Malformed(String),
}

/// The payment provider.
///
/// Contract:
/// - `checkout_url` gives the hosted page where the patient pays `payment` (deterministic for a
///   payment id, so a coordinator change keeps the same link).
/// - `read_webhook` MUST check the signature over the exact body and its timestamp (within five
///   minutes of `now`) before reading anything, and return the event only then.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PaymentGateway: Send + Sync {
    fn checkout_url(&self, payment: PaymentId) -> String;
    /// `signature` is the `Payment-Signature` header, empty when there is none.
    fn read_webhook(
        &self,
        signature: &str,
        body: &[u8],
        now: OffsetDateTime,
    ) -> std::result::Result<PaymentEvent, WebhookRefusal>;
}

/// Payments as stored.
///
/// Contract: `payment_for_case` and `payment` read one payment; `event_seen` says whether a webhook
/// event id was already applied (events are recorded in the transaction that applies them, through
/// [`super::CaseCommit`]).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PaymentRepository: Send + Sync {
    fn payment_for_case(&self, case_id: CaseId) -> Result<Option<Payment>>;
    fn payment(&self, id: PaymentId) -> Result<Option<Payment>>;
    fn event_seen(&self, event_id: &str) -> Result<bool>;
}
