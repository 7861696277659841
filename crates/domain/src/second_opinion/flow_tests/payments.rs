//! `PaymentService`: the payment provider's signed webhook, applied once per event, only for the
//! amount and currency the case asked for.

use std::sync::Arc;

use super::*;
use crate::kernel::error::AuthFailure;
use crate::kernel::money::Currency;
use crate::second_opinion::case::{ActorRole, PaymentConfirmation};
use crate::second_opinion::payment::{MockPaymentGateway, PaidBy, PaymentEvent, WebhookRefusal};
use crate::second_opinion::{PaymentService, WebhookOutcome};

use CaseStatus as S;
use NotificationKind as K;
use RecipientRole as R;

const SIGNATURE: &str =
    "t=1795435200,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";
const BODY: &[u8] = br#"{"id":"evt_1","type":"payment.succeeded","data":{}}"#;
const EVENT_ID: &str = "evt_1";

/// What the gateway reads from the webhook: event `evt_1` of `kind` for the case's payment.
fn event(kind: &str, amount: Money) -> PaymentEvent {
    PaymentEvent {
        event_id: EVENT_ID.into(),
        kind: kind.into(),
        payment_id: payment(PaymentStatus::Pending).id,
        amount,
    }
}

fn succeeded() -> PaymentEvent {
    event("payment.succeeded", usd(90_000))
}

/// A gateway that reads [`BODY`] signed with [`SIGNATURE`] at [`NOW`] once, as `read`.
fn gateway(read: std::result::Result<PaymentEvent, WebhookRefusal>) -> MockPaymentGateway {
    let mut gateway = MockPaymentGateway::new();
    gateway
        .expect_read_webhook()
        .withf(|signature, body, now| signature == SIGNATURE && body == BODY && *now == NOW)
        .times(1)
        .returning(move |_, _, _| read.clone());
    gateway.expect_checkout_url().never();
    gateway
}

fn service(ports: Ports, gateway: MockPaymentGateway) -> PaymentService {
    PaymentService::new(ports.flow(), Arc::new(gateway))
}

/// Ports that must not be touched at all.
fn untouched() -> Ports {
    let mut ports = Ports::new();
    ports.payments.expect_event_seen().never();
    ports.payments.expect_payment().never();
    ports.payments.expect_payment_for_case().never();
    ports.cases.expect_find().never();
    ports.no_commit();
    ports
}

/// The event has not been applied; the payment is pending on a case awaiting it.
fn payable(ports: &mut Ports) {
    ports.payments.expect_event_seen().returning(|_| Ok(false));
    ports
        .payments
        .expect_payment()
        .returning(|_| Ok(Some(payment(PaymentStatus::Pending))));
    ports
        .stored(case_at(S::AwaitingPayment))
        .known(&[COORDINATOR]);
}

#[test]
fn a_refused_signature_is_401_and_nothing_is_read() {
    for refusal in [
        WebhookRefusal::BadSignature,
        WebhookRefusal::MissingSignature,
        WebhookRefusal::Stale,
    ] {
        let result = service(untouched(), gateway(Err(refusal.clone()))).webhook(SIGNATURE, BODY);
        assert!(
            matches!(result, Err(Error::Unauthorized(AuthFailure::Signature))),
            "{refusal:?}: {result:?}"
        );
    }
}

#[test]
fn a_malformed_body_is_a_validation_error_on_the_body() {
    let read = Err(WebhookRefusal::Malformed("missing field `type`".into()));
    let result = service(untouched(), gateway(read)).webhook(SIGNATURE, BODY);
    assert_eq!(
        invalid(result),
        [("body".to_owned(), "webhook-malformed".to_owned())]
    );
}

#[test]
fn other_event_types_are_acknowledged_and_ignored() {
    let read = Ok(event("payment.failed", usd(90_000)));
    let outcome = service(untouched(), gateway(read))
        .webhook(SIGNATURE, BODY)
        .unwrap();
    assert_eq!(outcome, WebhookOutcome::Ignored);
}

#[test]
fn a_replayed_event_changes_nothing() {
    let mut ports = Ports::new();
    ports
        .payments
        .expect_event_seen()
        .withf(|id| id == EVENT_ID)
        .times(1)
        .returning(|_| Ok(true));
    ports.payments.expect_payment().never();
    ports.cases.expect_find().never();
    ports.no_commit();

    let outcome = service(ports, gateway(Ok(succeeded())))
        .webhook(SIGNATURE, BODY)
        .unwrap();
    assert_eq!(outcome, WebhookOutcome::AlreadyApplied);
}

#[test]
fn an_amount_or_currency_other_than_the_payments_is_422_and_nothing_is_committed() {
    let eur = Currency::parse("EUR").unwrap();
    for (amount, received) in [
        (usd(90_001), "900.01 USD"),
        (usd(9_000), "90 USD"),
        (Money::from_minor(90_000, eur), "900 EUR"),
    ] {
        let mut ports = Ports::new();
        ports.payments.expect_event_seen().returning(|_| Ok(false));
        ports
            .payments
            .expect_payment()
            .returning(|_| Ok(Some(payment(PaymentStatus::Pending))));
        ports.cases.expect_find().never();
        ports.no_commit();

        let read = Ok(event("payment.succeeded", amount));
        let result = service(ports, gateway(read)).webhook(SIGNATURE, BODY);

        assert_eq!(
            refusal(result),
            (
                "unprocessable",
                format!("payment-amount-mismatch(expected=900 USD, received={received})")
            )
        );
    }
}

#[test]
fn an_unknown_payment_is_404() {
    let mut ports = Ports::new();
    ports.payments.expect_event_seen().returning(|_| Ok(false));
    ports.payments.expect_payment().returning(|_| Ok(None));
    ports.no_commit();

    let result = service(ports, gateway(Ok(succeeded()))).webhook(SIGNATURE, BODY);
    assert_eq!(
        refusal(result),
        ("not_found", "payment-not-found".to_owned())
    );
}

#[test]
fn a_successful_payment_pays_the_case_and_tells_the_patient_and_the_coordinator() {
    let mut ports = Ports::new();
    payable(&mut ports);
    ports.commits(|c| {
        writes(c, S::Paid)
            && c.paid
                == Some(PaymentConfirmation {
                    payment_id: payment(PaymentStatus::Pending).id,
                    at: NOW,
                    by: PaidBy::Provider {
                        event_id: EVENT_ID.into(),
                    },
                })
            && events(c) == [TimelineEvent::PaymentReceived]
            && c.timeline[0].actor_id.as_str() == "payment-provider"
            && c.timeline[0].actor_role == ActorRole::System
            && c.timeline[0].from_status == Some(S::AwaitingPayment)
            && c.timeline[0].to_status == Some(S::Paid)
            && notices(c)
                == [
                    notice(K::PaymentReceived, PATIENT, R::Patient, Lang::Ar),
                    notice(K::PaymentReceived, COORDINATOR, R::Coordinator, Lang::En),
                ]
            && c.new_payment.is_none()
            && c.new_assignments.is_empty()
    });

    let outcome = service(ports, gateway(Ok(succeeded())))
        .webhook(SIGNATURE, BODY)
        .unwrap();

    let WebhookOutcome::Applied(case) = outcome else {
        panic!("expected the payment applied, got {outcome:?}");
    };
    assert_eq!((case.status, case.version), (S::Paid, 5));
}

#[test]
fn a_payment_already_confirmed_by_hand_is_already_applied() {
    let mut ports = Ports::new();
    ports.payments.expect_event_seen().returning(|_| Ok(false));
    ports
        .payments
        .expect_payment()
        .returning(|_| Ok(Some(payment(PaymentStatus::Paid))));
    ports.cases.expect_find().never();
    ports.no_commit();

    let outcome = service(ports, gateway(Ok(succeeded())))
        .webhook(SIGNATURE, BODY)
        .unwrap();
    assert_eq!(outcome, WebhookOutcome::AlreadyApplied);
}

#[test]
fn a_concurrent_duplicate_that_recorded_the_event_first_is_already_applied() {
    let mut ports = Ports::new();
    // Unseen when read, recorded by the other delivery by the time the commit fails.
    ports
        .payments
        .expect_event_seen()
        .times(1)
        .returning(|_| Ok(false));
    ports
        .payments
        .expect_event_seen()
        .times(1)
        .returning(|_| Ok(true));
    ports
        .payments
        .expect_payment()
        .returning(|_| Ok(Some(payment(PaymentStatus::Pending))));
    ports
        .stored(case_at(S::AwaitingPayment))
        .known(&[COORDINATOR]);
    ports
        .cases
        .expect_commit()
        .times(1)
        .returning(|_| Err(Error::conflict(Key::RecordConflict)));

    let outcome = service(ports, gateway(Ok(succeeded())))
        .webhook(SIGNATURE, BODY)
        .unwrap();
    assert_eq!(outcome, WebhookOutcome::AlreadyApplied);
}

#[test]
fn a_duplicate_that_paid_the_case_first_is_already_applied_after_a_fresh_read() {
    let mut ports = Ports::new();
    ports
        .payments
        .expect_event_seen()
        .times(1)
        .returning(|_| Ok(false));
    ports
        .payments
        .expect_event_seen()
        .times(1)
        .returning(|_| Ok(true));
    ports
        .payments
        .expect_payment()
        .returning(|_| Ok(Some(payment(PaymentStatus::Pending))));
    ports
        .cases
        .expect_find()
        .times(1)
        .returning(|_| Ok(Some(case_at(S::AwaitingPayment))));
    ports.cases.expect_find().times(1).returning(|_| {
        Ok(Some(ReviewCase {
            version: 5,
            ..case_at(S::Paid)
        }))
    });
    ports.known(&[COORDINATOR]);
    ports
        .cases
        .expect_commit()
        .times(1)
        .returning(|_| Err(case_changed()));

    let outcome = service(ports, gateway(Ok(succeeded())))
        .webhook(SIGNATURE, BODY)
        .unwrap();
    assert_eq!(outcome, WebhookOutcome::AlreadyApplied);
}

#[test]
fn a_conflict_that_is_not_a_duplicate_reaches_the_caller() {
    let mut ports = Ports::new();
    payable(&mut ports);
    ports
        .cases
        .expect_commit()
        .times(1)
        .returning(|_| Err(Error::conflict(Key::RecordConflict)));

    let result = service(ports, gateway(Ok(succeeded()))).webhook(SIGNATURE, BODY);
    assert_eq!(refusal(result), ("conflict", "record-conflict".to_owned()));
}
