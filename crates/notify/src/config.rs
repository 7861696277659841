//! Which channels deliver notifications, from settings the server reads from its environment.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use domain::notifications::Channel;

use crate::{EmailChannel, LogChannel, NotifyError, SmsChannel, WebhookChannel};

/// The shortest webhook secret accepted, in bytes.
pub const MIN_WEBHOOK_SECRET_BYTES: usize = 32;

/// The notification channels' settings. The server fills it from its environment:
///
/// | field | variable |
/// | --- | --- |
/// | `channels` | `NOTIFY_CHANNELS` (comma-separated: `log`, `webhook`, `email`; default `log`) |
/// | `webhook_url` | `NOTIFY_WEBHOOK_URL` |
/// | `webhook_secret` | `NOTIFY_WEBHOOK_SECRET` (at least 32 bytes) |
/// | `smtp_url` | `SMTP_URL` |
/// | `smtp_from` | `SMTP_FROM` |
/// | `sms_gateway_url` | `SMS_GATEWAY_URL` |
/// | `sms_gateway_secret` | `SMS_GATEWAY_SECRET` (at least 32 bytes) |
///
/// An empty string counts as not set.
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelConfig {
    /// Channel names, in delivery order. Case and surrounding spaces are ignored, as are repeats.
    pub channels: Vec<String>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub sms_gateway_url: Option<String>,
    pub sms_gateway_secret: Option<String>,
    /// How long one delivery attempt on one channel may take.
    pub timeout: Duration,
}

impl ChannelConfig {
    /// Splits a comma-separated list (`NOTIFY_CHANNELS=log,webhook`) into channel names.
    pub fn parse_channel_list(list: &str) -> Vec<String> {
        list.split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

impl Default for ChannelConfig {
    /// The log channel only, a 10 second timeout.
    fn default() -> Self {
        Self {
            channels: vec![LogChannel::NAME.to_owned()],
            webhook_url: None,
            webhook_secret: None,
            smtp_url: None,
            smtp_from: None,
            sms_gateway_url: None,
            sms_gateway_secret: None,
            timeout: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for ChannelConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "[redacted]");
        f.debug_struct("ChannelConfig")
            .field("channels", &self.channels)
            .field("webhook_url", &self.webhook_url)
            .field("webhook_secret", &hidden(&self.webhook_secret))
            // The URL may carry the SMTP password.
            .field("smtp_url", &hidden(&self.smtp_url))
            .field("smtp_from", &self.smtp_from)
            .field("sms_gateway_url", &self.sms_gateway_url)
            .field("sms_gateway_secret", &hidden(&self.sms_gateway_secret))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A setting's value, `None` when missing or blank.
fn setting(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn required<'a>(
    value: Option<&'a String>,
    variable: &'static str,
    channel: &'static str,
) -> Result<&'a str, NotifyError> {
    setting(value).ok_or(NotifyError::Missing { variable, channel })
}

/// Builds the configured channels, in the configured order, checking every setting they need.
pub fn build_channels(config: &ChannelConfig) -> Result<Vec<Arc<dyn Channel>>, NotifyError> {
    let mut names: Vec<String> = Vec::new();
    for name in &config.channels {
        let name = name.trim().to_ascii_lowercase();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(NotifyError::NoChannel);
    }
    let mut channels: Vec<Arc<dyn Channel>> = Vec::with_capacity(names.len());
    for name in names {
        let channel: Arc<dyn Channel> = match name.as_str() {
            LogChannel::NAME => Arc::new(LogChannel),
            WebhookChannel::NAME => {
                let url = required(config.webhook_url.as_ref(), "NOTIFY_WEBHOOK_URL", "webhook")?;
                check_webhook_url(url)?;
                // The secret is used as given, spaces included.
                let secret = config
                    .webhook_secret
                    .as_ref()
                    .filter(|s| !s.is_empty())
                    .ok_or(NotifyError::Missing {
                        variable: "NOTIFY_WEBHOOK_SECRET",
                        channel: "webhook",
                    })?;
                if secret.len() < MIN_WEBHOOK_SECRET_BYTES {
                    return Err(NotifyError::WeakSecret {
                        len: secret.len(),
                        min: MIN_WEBHOOK_SECRET_BYTES,
                    });
                }
                Arc::new(WebhookChannel::new(
                    url.to_owned(),
                    secret.as_bytes().to_vec(),
                    config.timeout,
                ))
            }
            EmailChannel::NAME => {
                let url = required(config.smtp_url.as_ref(), "SMTP_URL", "email")?;
                let from = required(config.smtp_from.as_ref(), "SMTP_FROM", "email")?;
                Arc::new(EmailChannel::from_url(url, from)?.with_timeout(config.timeout))
            }
            SmsChannel::NAME => {
                let url = required(config.sms_gateway_url.as_ref(), "SMS_GATEWAY_URL", "sms")?;
                check_webhook_url(url)
                    .map_err(|_| NotifyError::BadSmsGatewayUrl(url.to_owned()))?;
                let secret = config
                    .sms_gateway_secret
                    .as_ref()
                    .filter(|s| !s.is_empty())
                    .ok_or(NotifyError::Missing {
                        variable: "SMS_GATEWAY_SECRET",
                        channel: "sms",
                    })?;
                if secret.len() < MIN_WEBHOOK_SECRET_BYTES {
                    return Err(NotifyError::WeakSmsGatewaySecret {
                        len: secret.len(),
                        min: MIN_WEBHOOK_SECRET_BYTES,
                    });
                }
                Arc::new(SmsChannel::new(
                    url.to_owned(),
                    secret.as_bytes().to_vec(),
                    config.timeout,
                ))
            }
            _ => return Err(NotifyError::UnknownChannel(name)),
        };
        channels.push(channel);
    }
    Ok(channels)
}

/// An absolute `http` or `https` URL with a host.
fn check_webhook_url(url: &str) -> Result<(), NotifyError> {
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e: ureq::http::uri::InvalidUri| NotifyError::BadWebhookUrl(e.to_string()))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => {
            return Err(NotifyError::BadWebhookUrl(
                "the scheme must be http or https".into(),
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(NotifyError::BadWebhookUrl("the host is missing".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn names(config: &ChannelConfig) -> Result<Vec<String>, NotifyError> {
        build_channels(config).map(|cs| cs.iter().map(|c| c.name().to_owned()).collect())
    }

    #[test]
    fn the_default_is_the_log() {
        assert_eq!(names(&ChannelConfig::default()).unwrap(), ["log"]);
    }

    #[test]
    fn all_three_in_order_without_repeats() {
        let config = ChannelConfig {
            channels: ChannelConfig::parse_channel_list(" Email, webhook ,,log,email"),
            webhook_url: Some("https://hooks.example.org/notify".into()),
            webhook_secret: Some(SECRET.into()),
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            smtp_from: Some("Second Opinion <noreply@example.org>".into()),
            ..ChannelConfig::default()
        };
        assert_eq!(names(&config).unwrap(), ["email", "webhook", "log"]);
    }

    #[test]
    fn missing_settings_name_their_variable() {
        let webhook = ChannelConfig {
            channels: vec!["webhook".into()],
            ..ChannelConfig::default()
        };
        let err = names(&webhook).unwrap_err().to_string();
        assert!(err.contains("NOTIFY_WEBHOOK_URL"), "{err}");

        let no_secret = ChannelConfig {
            webhook_url: Some("https://hooks.example.org".into()),
            webhook_secret: Some(String::new()),
            ..webhook.clone()
        };
        let err = names(&no_secret).unwrap_err().to_string();
        assert!(err.contains("NOTIFY_WEBHOOK_SECRET"), "{err}");

        let short = ChannelConfig {
            webhook_secret: Some("too short".into()),
            ..no_secret.clone()
        };
        assert_eq!(
            names(&short).unwrap_err(),
            NotifyError::WeakSecret { len: 9, min: 32 }
        );
        assert!(!names(&short).unwrap_err().to_string().contains("too short"));

        let email = ChannelConfig {
            channels: vec!["email".into()],
            ..ChannelConfig::default()
        };
        let err = names(&email).unwrap_err().to_string();
        assert!(err.contains("SMTP_URL"), "{err}");
        let email = ChannelConfig {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            smtp_from: Some("  ".into()),
            ..email
        };
        let err = names(&email).unwrap_err().to_string();
        assert!(err.contains("SMTP_FROM"), "{err}");
    }

    #[test]
    fn bad_values_are_refused() {
        let base = ChannelConfig {
            channels: vec!["webhook".into()],
            webhook_secret: Some(SECRET.into()),
            ..ChannelConfig::default()
        };
        for url in ["ftp://example.org/x", "/relative", "not a url", "https://"] {
            let config = ChannelConfig {
                webhook_url: Some(url.into()),
                ..base.clone()
            };
            assert!(
                matches!(names(&config), Err(NotifyError::BadWebhookUrl(_))),
                "{url}"
            );
        }
        let sms = ChannelConfig {
            channels: vec!["log".into(), "sms".into()],
            ..ChannelConfig::default()
        };
        assert_eq!(
            names(&sms).unwrap_err(),
            NotifyError::Missing {
                variable: "SMS_GATEWAY_URL",
                channel: "sms"
            }
        );
        let sms = ChannelConfig {
            sms_gateway_url: Some("http://127.0.0.1:9/sms".into()),
            sms_gateway_secret: Some("short".into()),
            ..sms
        };
        assert!(matches!(
            names(&sms),
            Err(NotifyError::WeakSmsGatewaySecret { .. })
        ));
        let sms = ChannelConfig {
            sms_gateway_secret: Some(SECRET.into()),
            ..sms
        };
        assert_eq!(names(&sms).unwrap(), ["log", "sms"]);
        let fax = ChannelConfig {
            channels: vec!["fax".into()],
            ..ChannelConfig::default()
        };
        assert_eq!(
            names(&fax).unwrap_err(),
            NotifyError::UnknownChannel("fax".into())
        );
        let none = ChannelConfig {
            channels: vec![" ".into()],
            ..ChannelConfig::default()
        };
        assert_eq!(names(&none).unwrap_err(), NotifyError::NoChannel);
        let bad_from = ChannelConfig {
            channels: vec!["email".into()],
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            smtp_from: Some("nobody".into()),
            ..ChannelConfig::default()
        };
        assert!(matches!(names(&bad_from), Err(NotifyError::BadAddress(_))));
    }

    #[test]
    fn debug_hides_secrets() {
        let config = ChannelConfig {
            webhook_secret: Some(SECRET.into()),
            smtp_url: Some("smtps://user:hunter2@mail.example.org".into()),
            ..ChannelConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(
            !shown.contains(SECRET) && !shown.contains("hunter2"),
            "{shown}"
        );
    }
}
