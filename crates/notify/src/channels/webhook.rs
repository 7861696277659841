//! The webhook channel: a signed JSON `POST` to one receiver.

use std::fmt;
use std::time::Duration;

use domain::kernel::code::Code;
use domain::kernel::time::format_rfc3339;
use domain::notifications::{Channel, Contact, DeliveryError, Notification, Rendered};

use super::signed_post::SignedPost;

/// `POST`s each notification as JSON to one URL, signed with HMAC-SHA256.
///
/// The body is
/// `{"id", "kind", "code", "recipient": {"id", "role"}, "lang", "title", "body", "case_id", "data",
/// "created_date"}` and the headers are:
/// - `Content-Type: application/json`
/// - `Webhook-Id`: the notification id; the same on every attempt, so receivers de-duplicate on it;
/// - `Webhook-Timestamp`: the time of sending, in Unix seconds;
/// - `Webhook-Signature`: `v1=` and the lowercase hex HMAC-SHA256, keyed with the shared secret, of
///   the timestamp, a dot, and the exact body bytes.
///
/// Any 2xx answer is a delivery. Any other status (redirects are not followed), a timeout or a
/// connection failure is a [`DeliveryError`], retried later.
pub struct WebhookChannel {
    post: SignedPost,
}

impl WebhookChannel {
    /// The name recorded in an outbox message's delivered channels.
    pub const NAME: &'static str = "webhook";

    /// A channel posting to `url`, signing with `secret`, giving up on a request after `timeout`
    /// (connecting, sending and reading the answer together).
    pub fn new(url: String, secret: Vec<u8>, timeout: Duration) -> Self {
        Self {
            post: SignedPost::new(url, secret, timeout),
        }
    }

    /// The receiver's URL.
    pub fn url(&self) -> &str {
        self.post.url()
    }

    /// The JSON body for a notification.
    fn payload(notification: &Notification, rendered: &Rendered) -> serde_json::Value {
        serde_json::json!({
            "id": notification.id.to_string(),
            "kind": notification.kind().as_str(),
            "code": notification.kind().code(),
            "recipient": {
                "id": notification.recipient_id,
                "role": notification.recipient_role.as_str(),
            },
            "lang": notification.lang.as_str(),
            "title": rendered.title,
            "body": rendered.body,
            "case_id": notification.case_id.map(|id| id.to_string()),
            "data": notification.data.fields(),
            "created_date": format_rfc3339(notification.created_date),
        })
    }
}

impl fmt::Debug for WebhookChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookChannel")
            .field("post", &self.post)
            .finish()
    }
}

impl Channel for WebhookChannel {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn deliver(
        &self,
        notification: &Notification,
        rendered: &Rendered,
        _contact: &Contact,
    ) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(&Self::payload(notification, rendered))
            .map_err(|e| DeliveryError::Failed(format!("cannot encode the payload: {e}")))?;
        self.post
            .send(&notification.id.to_string(), &body, "receiver")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of `docs/notifications.md`.
    #[test]
    fn signature_matches_the_documented_vector() {
        let channel = WebhookChannel::new(
            "http://127.0.0.1:9/".into(),
            b"0123456789abcdef0123456789abcdef".to_vec(),
            Duration::from_secs(1),
        );
        let body = br#"{"id":"01956a3c-8f00-7000-8000-000000000001","kind":"case_submitted"}"#;
        assert_eq!(
            channel.post.signature(1_772_366_400, body).unwrap(),
            "v1=1803f8551f520090959090275d0bae6eeb8ff9b88334e19de2fe7821e028370a"
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let channel = WebhookChannel::new(
            "https://hooks.example.org/n".into(),
            b"0123456789abcdef0123456789abcdef".to_vec(),
            Duration::from_secs(1),
        );
        let shown = format!("{channel:?}");
        assert!(shown.contains("hooks.example.org"));
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }
}
