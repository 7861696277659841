//! Configuration errors: what is wrong with the notification settings, naming the variable to fix.

/// A notification setting is missing or invalid. Raised at start-up, never while delivering.
///
/// Messages name the environment variable the server reads the setting from, and never repeat a
/// secret or a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// `NOTIFY_CHANNELS` names a channel this build does not have.
    #[error("NOTIFY_CHANNELS: unknown channel {0:?} (expected log, webhook, email or sms)")]
    UnknownChannel(String),
    /// `NOTIFY_CHANNELS` names no channel at all.
    #[error("NOTIFY_CHANNELS names no channel (expected any of log, webhook, email, sms)")]
    NoChannel,
    /// A channel is on but a setting it needs is not set.
    #[error("{variable} must be set when the {channel} channel is on")]
    Missing {
        variable: &'static str,
        channel: &'static str,
    },
    /// `NOTIFY_WEBHOOK_URL` is not an absolute `http` or `https` URL.
    #[error("NOTIFY_WEBHOOK_URL is not an http(s) URL: {0}")]
    BadWebhookUrl(String),
    /// `NOTIFY_WEBHOOK_SECRET` is too short to sign with.
    #[error("NOTIFY_WEBHOOK_SECRET must be at least {min} bytes long (it has {len})")]
    WeakSecret { len: usize, min: usize },
    /// `SMS_GATEWAY_URL` is not an absolute `http` or `https` URL.
    #[error("SMS_GATEWAY_URL is not an http(s) URL: {0}")]
    BadSmsGatewayUrl(String),
    /// `SMS_GATEWAY_SECRET` is too short to sign with.
    #[error("SMS_GATEWAY_SECRET must be at least {min} bytes long (it has {len})")]
    WeakSmsGatewaySecret { len: usize, min: usize },
    /// `SMTP_URL` is not one of the SMTP URL forms.
    #[error("SMTP_URL is not a valid SMTP URL: {0}")]
    BadSmtpUrl(String),
    /// `SMTP_FROM` is not a mailbox (`Name <user@example.org>` or `user@example.org`).
    #[error("SMTP_FROM is not a valid sender address: {0}")]
    BadAddress(String),
}
