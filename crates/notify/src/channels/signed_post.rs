//! A signed JSON `POST`, the transport of the webhook and SMS channels.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use domain::notifications::DeliveryError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Posts JSON bodies to one URL with the `Webhook-Id`, `Webhook-Timestamp` and `Webhook-Signature`
/// headers (see [`sign`]). Redirects are not followed; any 2xx answer is a delivery, anything else
/// (another status, a timeout, a connection failure) a [`DeliveryError`], retried later.
pub(crate) struct SignedPost {
    url: String,
    secret: Vec<u8>,
    timeout: Duration,
    agent: ureq::Agent,
}

impl SignedPost {
    /// Posts to `url`, signing with `secret`, giving up on a request after `timeout` (connecting,
    /// sending and reading the answer together).
    pub(crate) fn new(url: String, secret: Vec<u8>, timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .user_agent(concat!("notify/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            url,
            secret,
            timeout,
            agent: ureq::Agent::new_with_config(config),
        }
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// `v1=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`.
    pub(crate) fn signature(&self, timestamp: u64, body: &[u8]) -> Result<String, DeliveryError> {
        sign(&self.secret, timestamp, body)
    }

    /// Posts `body` as delivery `id`; `receiver` names the other end in a refusal's error. The
    /// error of a failed request names the receiver, never the body.
    pub(crate) fn send(&self, id: &str, body: &[u8], receiver: &str) -> Result<(), DeliveryError> {
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let signature = self.signature(timestamp, body)?;
        let answer = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Webhook-Id", id)
            .header("Webhook-Timestamp", timestamp.to_string())
            .header("Webhook-Signature", signature)
            .send(body);
        match answer {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(DeliveryError::Failed(format!(
                "HTTP {} from {receiver}",
                response.status().as_u16()
            ))),
            Err(e) => Err(DeliveryError::Failed(e.to_string())),
        }
    }
}

impl fmt::Debug for SignedPost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedPost")
            .field("url", &self.url)
            .field("secret", &"[redacted]")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// `v1=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`.
fn sign(secret: &[u8], timestamp: u64, body: &[u8]) -> Result<String, DeliveryError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .map_err(|_| DeliveryError::Failed("the signing secret is unusable".into()))?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1={}", hex::encode(mac.finalize().into_bytes())))
}
