//! The SMS channel: verification codes, as `{"to", "text"}`, to an SMS gateway.

use std::fmt;
use std::time::Duration;

use domain::notifications::{
    Channel, Contact, DeliveryError, Notification, NotificationData, Rendered,
};

use super::signed_post::SignedPost;

/// `POST`s each verification code to an SMS gateway as `{"to": "<phone>", "text": "<message>"}`,
/// signed like the webhook channel (`Webhook-Id`, `Webhook-Timestamp`, `Webhook-Signature: v1=…`
/// over `"{timestamp}.{body}"` with the gateway's own secret). Only verification codes go by SMS:
/// every other notification has nothing to do here and is taken at once. Any 2xx answer is a
/// delivery; anything else is retried later.
pub struct SmsChannel {
    post: SignedPost,
}

impl SmsChannel {
    /// The name recorded in an outbox message's delivered channels.
    pub const NAME: &'static str = "sms";

    /// A channel posting to the gateway at `url`, signing with `secret`.
    pub fn new(url: String, secret: Vec<u8>, timeout: Duration) -> Self {
        Self {
            post: SignedPost::new(url, secret, timeout),
        }
    }
}

impl fmt::Debug for SmsChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsChannel")
            .field("post", &self.post)
            .finish()
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
        // The error names the gateway, never the message (which holds the code).
        self.post
            .send(&notification.id.to_string(), &body, "the SMS gateway")
    }
}
