//! The payment provider's word: a signed webhook saying a payment succeeded. Applied once per
//! event id, only for the amount and currency the case asked for.

use std::sync::Arc;

use super::admin_cases::confirmation;
use super::case::{ActorRole, CaseCommit, ReviewCase, TimelineEvent};
use super::flow::{CaseFlow, case_not_found};
use super::payment::{PaidBy, Payment, PaymentGateway, PaymentStatus, WebhookRefusal};
use super::status::CaseAction;
use crate::kernel::error::AuthFailure;
use crate::kernel::ids::ActorId;
use crate::kernel::text::{Key, Text};
use crate::notifications::{NotificationData, RecipientRole};
use crate::{Error, FieldError, Result};

/// The event type that pays a case; others are acknowledged and ignored.
pub const PAYMENT_SUCCEEDED: &str = "payment.succeeded";

/// What a webhook did.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookOutcome {
    /// The case is paid now.
    Applied(Box<ReviewCase>),
    /// This event, or the payment, was already applied: nothing changed.
    AlreadyApplied,
    /// An event type this service does not act on.
    Ignored,
}

#[derive(Clone)]
pub struct PaymentService {
    flow: CaseFlow,
    gateway: Arc<dyn PaymentGateway>,
}

impl std::fmt::Debug for PaymentService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentService").finish_non_exhaustive()
    }
}

impl PaymentService {
    pub fn new(flow: CaseFlow, gateway: Arc<dyn PaymentGateway>) -> Self {
        Self { flow, gateway }
    }

    /// Applies the provider's webhook. A bad signature or an old timestamp is 401 and nothing is
    /// read; an amount or currency that does not match the payment is 422 (and logged by the
    /// caller); a replayed event changes nothing.
    pub fn webhook(&self, signature: &str, body: &[u8]) -> Result<WebhookOutcome> {
        let now = self.flow.clock.now();
        let event =
            self.gateway
                .read_webhook(signature, body, now)
                .map_err(|refusal| match refusal {
                    WebhookRefusal::Malformed(_) => Error::field(FieldError::new(
                        "body",
                        "format",
                        Text::new(Key::WebhookMalformed),
                    )),
                    _ => Error::Unauthorized(AuthFailure::Signature),
                })?;
        if event.kind != PAYMENT_SUCCEEDED {
            return Ok(WebhookOutcome::Ignored);
        }
        if self.flow.payments.event_seen(&event.event_id)? {
            return Ok(WebhookOutcome::AlreadyApplied);
        }
        let payment = self
            .flow
            .payments
            .payment(event.payment_id)?
            .ok_or_else(|| Error::not_found(Key::PaymentNotFound))?;
        if payment.amount != event.amount {
            return Err(Error::Unprocessable(
                Text::new(Key::PaymentAmountMismatch)
                    .with("expected", payment.amount.to_string())
                    .with("received", event.amount.to_string()),
            ));
        }
        if payment.status == PaymentStatus::Paid {
            return Ok(WebhookOutcome::AlreadyApplied);
        }
        let provider = ActorId::from_stored("payment-provider".to_owned());
        let event_id = event.event_id.clone();
        match mark_paid(
            &self.flow,
            payment,
            PaidBy::Provider { event_id },
            (&provider, ActorRole::System),
        ) {
            Ok(case) => Ok(WebhookOutcome::Applied(Box::new(case))),
            // The same event delivered twice at once: the other delivery applied it.
            Err(Error::Conflict(_)) if self.flow.payments.event_seen(&event.event_id)? => {
                Ok(WebhookOutcome::AlreadyApplied)
            }
            Err(e) => Err(e),
        }
    }
}

/// `awaiting_payment → paid`, the patient and the coordinator told, in one commit.
pub(crate) fn mark_paid(
    flow: &CaseFlow,
    payment: Payment,
    by: PaidBy,
    actor: (&ActorId, ActorRole),
) -> Result<ReviewCase> {
    flow.retrying(|| {
        let current = flow
            .cases
            .find(payment.case_id)?
            .ok_or_else(case_not_found)?;
        let status = current.status.apply(CaseAction::ConfirmPayment)?;
        let now = flow.clock.now();
        let case = ReviewCase {
            status,
            version: current.version + 1,
            updated_date: now,
            ..current.clone()
        };
        let entry = flow.entry(
            &case,
            actor,
            TimelineEvent::PaymentReceived,
            Some(current.status),
            None,
        );
        let notice = flow.case_notice(&case);
        let mut notifications =
            vec![flow.to_patient(&case, NotificationData::PaymentReceived(notice.clone()))];
        if let Some(coordinator) = &case.case_coordinator_id
            && let Ok(coordinator) = flow.provider(coordinator)
        {
            notifications.push(flow.to_provider(
                &coordinator,
                RecipientRole::Coordinator,
                &case,
                NotificationData::PaymentReceived(notice),
            ));
        }
        let commit = CaseCommit {
            timeline: vec![entry],
            notifications,
            paid: Some(confirmation(&payment, now, by.clone())),
            ..CaseCommit::of(case.clone(), current.version)
        };
        flow.cases.commit(&commit)?;
        Ok(case)
    })
}
