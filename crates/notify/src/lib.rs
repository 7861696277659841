//! Notifier adapters: the outbox [`Dispatcher`] and the delivery channels it hands messages to.
//!
//! The domain writes notifications to an outbox in the same transaction as the change that causes
//! them. The [`Dispatcher`] delivers them afterwards through the configured [`channels`]:
//! - [`LogChannel`] (`log`): the application log, for development; the default;
//! - [`WebhookChannel`] (`webhook`): a JSON `POST` signed with HMAC-SHA256;
//! - [`EmailChannel`] (`email`): SMTP, in the recipient's language, Arabic right to left;
//! - [`SmsChannel`] (`sms`): verification codes, `{"to", "text"}` to an SMS gateway, signed.
//!
//! [`build_channels`] turns the server's settings ([`ChannelConfig`]) into channels. See
//! `docs/notifications.md` for the settings, the delivery guarantees and the webhook signature.

pub mod channels;
mod config;
mod dispatcher;
mod error;
mod metrics;

pub use channels::{EmailChannel, LogChannel, SmsChannel, WebhookChannel};
pub use config::{ChannelConfig, MIN_WEBHOOK_SECRET_BYTES, build_channels};
pub use dispatcher::{DispatchReport, Dispatcher, DispatcherParts};
pub use error::NotifyError;
pub use metrics::DispatchMetrics;

#[cfg(feature = "test-support")]
pub mod testing;
