//! The SMS channel: verification codes, as `{"to", "text"}`, to an SMS gateway.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use domain::notifications::{
    Channel, Contact, DeliveryError, Notification, NotificationData, Rendered,
};

use super::webhook::sign;

/// `POST`s each verification code to an SMS gateway as `{"to": "<phone>", "text": "<message>"}`,
/// signed like the webhook channel (`Webhook-Id`, `Webhook-Timestamp`, `Webhook-Signature: v1=…`
/// over `"{timestamp}.{body}"` with the gateway's own secret). Only verification codes go by SMS:
/// every other notification has nothing to do here and is taken at once. Any 2xx answer is a
/// delivery; anything else is retried later.
pub struct SmsChannel {
    url: String,
    secret: Vec<u8>,
    timeout: Duration,
    agent: ureq::Agent,
}

impl SmsChannel {
    /// The name recorded in an outbox message's delivered channels.
    pub const NAME: &'static str = "sms";

    /// A channel posting to the gateway at `url`, signing with `secret`.
    pub fn new(url: String, secret: Vec<u8>, timeout: Duration) -> Self {
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
}

impl fmt::Debug for SmsChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsChannel")
            .field("url", &self.url)
            .field("secret", &"[redacted]")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Channel for SmsChannel {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn deliver(
        &self,
        notification: &Notification,
        rendered: &Rendered,
        _contact: &Contact,
    ) -> Result<(), DeliveryError> {
        let NotificationData::VerificationCode(notice) = &notification.data else {
            return Ok(());
        };
        let body = serde_json::to_vec(&serde_json::json!({
            "to": notice.phone_number,
            "text": rendered.body,
        }))
        .map_err(|e| DeliveryError::Failed(format!("cannot encode the message: {e}")))?;
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let signature = sign(&self.secret, timestamp, &body)?;
        let answer = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Webhook-Id", notification.id.to_string())
            .header("Webhook-Timestamp", timestamp.to_string())
            .header("Webhook-Signature", signature)
            .send(&body[..]);
        match answer {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(DeliveryError::Failed(format!(
                "HTTP {} from the SMS gateway",
                response.status().as_u16()
            ))),
            // The error names the gateway, never the message (which holds the code).
            Err(e) => Err(DeliveryError::Failed(e.to_string())),
        }
    }
}
