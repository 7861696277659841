//! The built-in payment provider adapter, behind the domain's [`PaymentGateway`] port.
//!
//! - A payment's hosted page is `PAYMENT_LINK_BASE` followed by the payment id.
//! - The provider tells of a payment with `POST /payments/webhook`, signed like the widely used
//!   scheme: a header `Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
//!   keyed with `PAYMENT_WEBHOOK_SECRET`. The body is
//!   `{"id": "<event id>", "type": "payment.succeeded", "data": {"payment_id", "amount", "currency"}}`
//!   with `amount` an integer in the currency's minor unit (35050 for 350.50).
//!
//! The signature is checked over the exact bytes received, in constant time, before the body is
//! parsed; a timestamp more than five minutes from now is refused, so that a captured request cannot
//! be replayed later.

use std::fmt;

use domain::kernel::ids::PaymentId;
use domain::kernel::money::{Currency, Money};
use domain::second_opinion::{PaymentEvent, PaymentGateway, WebhookRefusal};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// How far a signature's timestamp may be from now.
const MAX_SKEW_SECONDS: i64 = 300;

/// The shortest webhook secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// A misconfiguration, told to the operator at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Hosted payment links and signed webhooks.
pub struct HostedPayments {
    link_base: String,
    secret: Vec<u8>,
}

impl fmt::Debug for HostedPayments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostedPayments")
            .field("link_base", &self.link_base)
            .field("secret", &"[redacted]")
            .finish()
    }
}

impl HostedPayments {
    /// `link_base` is the start of every payment page's address (`https://pay.example.org/p/`);
    /// `secret` signs the webhooks (at least 32 bytes).
    pub fn new(link_base: &str, secret: &[u8]) -> Result<HostedPayments, ConfigError> {
        let link_base = link_base.trim();
        if !(link_base.starts_with("https://") || link_base.starts_with("http://")) {
            return Err(ConfigError(format!(
                "PAYMENT_LINK_BASE must be an http(s) address, got {link_base:?}"
            )));
        }
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError(format!(
                "PAYMENT_WEBHOOK_SECRET must be at least {MIN_SECRET_BYTES} bytes"
            )));
        }
        Ok(HostedPayments {
            link_base: link_base.to_owned(),
            secret: secret.to_vec(),
        })
    }

    /// The signature header for `body` at `timestamp`: what the provider sends (and tests).
    pub fn sign(&self, timestamp: i64, body: &[u8]) -> String {
        let mac = signed(&self.secret, timestamp, body)
            .map(|mac| hex::encode(mac.finalize().into_bytes()))
            .unwrap_or_default();
        format!("t={timestamp},v1={mac}")
    }
}

/// HMAC-SHA256 of `"<timestamp>.<body>"`. (`None` cannot happen: HMAC takes a key of any
/// length.)
fn signed(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// `t=<unix>,v1=<hex>` (any order; other schemes ignored).
fn parse_signature(header: &str) -> Option<(i64, Vec<u8>)> {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse().ok(),
            Some(("v1", v)) => signature = hex::decode(v).ok(),
            _ => {}
        }
    }
    Some((timestamp?, signature?))
}

#[derive(Deserialize)]
struct Body {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    payment_id: String,
    amount: i64,
    currency: String,
}

impl PaymentGateway for HostedPayments {
    fn checkout_url(&self, payment: PaymentId) -> String {
        format!("{}{payment}", self.link_base)
    }

    fn read_webhook(
        &self,
        signature: &str,
        body: &[u8],
        now: time::OffsetDateTime,
    ) -> Result<PaymentEvent, WebhookRefusal> {
        let (timestamp, given) =
            parse_signature(signature).ok_or(WebhookRefusal::MissingSignature)?;
        // Constant-time comparison.
        signed(&self.secret, timestamp, body)
            .ok_or(WebhookRefusal::BadSignature)?
            .verify_slice(&given)
            .map_err(|_| WebhookRefusal::BadSignature)?;
        if (now.unix_timestamp() - timestamp).abs() > MAX_SKEW_SECONDS {
            return Err(WebhookRefusal::Stale);
        }
        let body: Body =
            serde_json::from_slice(body).map_err(|e| WebhookRefusal::Malformed(e.to_string()))?;
        let malformed = |what: &str| WebhookRefusal::Malformed(what.to_owned());
        let payment_id = PaymentId::parse("payment_id", &body.data.payment_id)
            .map_err(|_| malformed("data.payment_id is not a payment id"))?;
        let currency = Currency::parse(&body.data.currency)
            .ok_or_else(|| malformed("data.currency is not an ISO 4217 code"))?;
        if body.id.trim().is_empty() || body.id.len() > 255 {
            return Err(malformed("id must be 1 to 255 characters"));
        }
        Ok(PaymentEvent {
            event_id: body.id,
            kind: body.kind,
            payment_id,
            amount: Money::from_minor(body.data.amount, currency),
        })
    }
}
