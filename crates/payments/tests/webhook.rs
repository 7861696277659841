//! The payment provider's webhook, signed and checked.
#![cfg(test)]

use domain::kernel::ids::PaymentId;
use domain::kernel::money::{Currency, Money};
use domain::second_opinion::{PaymentGateway, WebhookRefusal};
use payments::HostedPayments;
use time::OffsetDateTime;

const SECRET: &[u8] = b"a webhook secret of at least thirty-two bytes";

fn gateway() -> HostedPayments {
    HostedPayments::new("https://pay.example.org/checkout/", SECRET).unwrap()
}

fn body(payment: PaymentId) -> Vec<u8> {
    format!(
        r#"{{"id":"evt_1","type":"payment.succeeded","data":{{"payment_id":"{payment}","amount":35050,"currency":"USD"}}}}"#
    )
    .into_bytes()
}

#[test]
fn links_name_the_payment() {
    let id = PaymentId::from_uuid(uuid::Uuid::from_u128(7));
    assert_eq!(
        gateway().checkout_url(id),
        "https://pay.example.org/checkout/00000000-0000-0000-0000-000000000007"
    );
}

#[test]
fn a_signed_event_is_read_with_its_amount_in_minor_units() {
    let g = gateway();
    let id = PaymentId::from_uuid(uuid::Uuid::now_v7());
    let now = OffsetDateTime::now_utc();
    let body = body(id);
    let event = g
        .read_webhook(&g.sign(now.unix_timestamp(), &body), &body, now)
        .unwrap();
    assert_eq!(event.event_id, "evt_1");
    assert_eq!(event.kind, "payment.succeeded");
    assert_eq!(event.payment_id, id);
    assert_eq!(event.amount, Money::from_minor(35_050, Currency::USD));
}

#[test]
fn forged_stale_or_malformed_webhooks_are_refused() {
    let g = gateway();
    let id = PaymentId::from_uuid(uuid::Uuid::now_v7());
    let now = OffsetDateTime::now_utc();
    let t = now.unix_timestamp();
    let body = body(id);
    let forger =
        HostedPayments::new("https://x/", b"another secret, also thirty-two bytes").unwrap();
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    let table: Vec<(String, Vec<u8>, WebhookRefusal)> = vec![
        (
            String::new(),
            body.clone(),
            WebhookRefusal::MissingSignature,
        ),
        (
            "v1=abcd".into(),
            body.clone(),
            WebhookRefusal::MissingSignature,
        ),
        (
            forger.sign(t, &body),
            body.clone(),
            WebhookRefusal::BadSignature,
        ),
        (g.sign(t, &body), tampered, WebhookRefusal::BadSignature),
        (g.sign(t - 301, &body), body.clone(), WebhookRefusal::Stale),
        (g.sign(t + 301, &body), body.clone(), WebhookRefusal::Stale),
    ];
    for (signature, body, want) in table {
        assert_eq!(
            g.read_webhook(&signature, &body, now),
            Err(want),
            "{signature}"
        );
    }
    let junk = br#"{"id":"evt_2"}"#;
    assert!(matches!(
        g.read_webhook(&g.sign(t, junk), junk, now),
        Err(WebhookRefusal::Malformed(_))
    ));
}

#[test]
fn settings_are_checked() {
    assert!(HostedPayments::new("ftp://x/", SECRET).is_err());
    assert!(HostedPayments::new("https://x/", b"short").is_err());
}
