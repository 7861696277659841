//! The email channel: one SMTP message per notification, in the recipient's language.

use std::fmt;
use std::time::Duration;

use domain::kernel::code::Code;
use domain::kernel::lang::Lang;
use domain::kernel::text::escape_html as escape;
use domain::notifications::{Channel, Contact, DeliveryError, Notification, Rendered};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::{SmtpTransport, SmtpTransportBuilder};
use lettre::{Message, Transport};

use crate::NotifyError;

/// How long an SMTP exchange may take unless [`EmailChannel::with_timeout`] says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The Right-to-Left Mark: starts each line of an Arabic text part, so that mail clients that pick
/// a paragraph's direction from its first strong character lay every line out right to left, the
/// case reference included.
const RLM: char = '\u{200F}';

/// Sends each notification by SMTP to the recipient's email address, if they gave one.
///
/// The subject is the rendered title. The message has a plain-text part (the rendered body and, for
/// a case, a line with its reference) and an HTML alternative with the same text, escaped, marked
/// `dir="rtl" lang="ar"` for Arabic and `dir="ltr" lang="en"` for English. `Content-Language` names
/// the language; the `Message-ID` is derived from the notification id. A recipient without an
/// address is skipped (`Ok`). A message is delivered once the server accepted it after `DATA`
/// (a 2xx reply); any other reply or a connection failure is a [`DeliveryError`].
pub struct EmailChannel {
    builder: SmtpTransportBuilder,
    transport: SmtpTransport,
    from: Mailbox,
}

impl EmailChannel {
    /// The name recorded in an outbox message's delivered channels.
    pub const NAME: &'static str = "email";

    /// A channel sending through the server at `smtp_url`, from the mailbox `from`
    /// (`Second Opinion <noreply@example.org>` or `noreply@example.org`).
    ///
    /// URL forms:
    /// - `smtp://host:25`: plain SMTP, no TLS (a relay on a trusted network, tests);
    /// - `smtp://user:pass@host:587?tls=required`: STARTTLS, refusing to go on without it
    ///   (`?tls=opportunistic` uses it when offered);
    /// - `smtps://user:pass@host:465`: TLS from the first byte.
    ///
    /// Credentials in the URL are percent-decoded and used for `AUTH`. A path (`smtp://host/name`)
    /// sets the name the client gives in `EHLO`. Errors never repeat the URL, which may hold a
    /// password.
    pub fn from_url(smtp_url: &str, from: &str) -> Result<Self, NotifyError> {
        let from = from
            .trim()
            .parse::<Mailbox>()
            .map_err(|e| NotifyError::BadAddress(e.to_string()))?;
        let builder = SmtpTransport::from_url(smtp_url.trim())
            .map_err(|e| NotifyError::BadSmtpUrl(e.to_string()))?
            .timeout(Some(DEFAULT_TIMEOUT));
        Ok(Self {
            transport: builder.clone().build(),
            builder,
            from,
        })
    }

    /// The same channel, giving up on an SMTP exchange after `timeout` (per network operation).
    #[must_use]
    pub fn with_timeout(self, timeout: Duration) -> Self {
        let builder = self.builder.timeout(Some(timeout));
        Self {
            transport: builder.clone().build(),
            builder,
            from: self.from,
        }
    }

    /// The message for one recipient.
    fn message(
        &self,
        to: Mailbox,
        notification: &Notification,
        rendered: &Rendered,
    ) -> Result<Message, DeliveryError> {
        let lang = notification.lang;
        let footer = notification
            .case_id
            .zip(rendered.case_reference.as_deref())
            .map(|(id, label)| (label, id.to_string()));
        let plain = plain_text(lang, rendered, footer.as_ref());
        let html = html(lang, rendered, footer.as_ref());
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.title.clone())
            .message_id(Some(format!(
                "<{}@{}>",
                notification.id,
                self.from.email.domain()
            )))
            .header(ContentLanguage(lang.as_str()))
            .multipart(MultiPart::alternative_plain_html(plain, html))
            .map_err(|e| DeliveryError::Failed(format!("cannot build the message: {e}")))
    }
}

/// The text part: the body, then the case reference; each line led by a right-to-left mark in
/// Arabic.
fn plain_text(lang: Lang, rendered: &Rendered, footer: Option<&(&str, String)>) -> String {
    let mut lines: Vec<String> = rendered.body.lines().map(str::to_owned).collect();
    if let Some((label, id)) = footer {
        lines.push(String::new());
        lines.push(format!("{label} {id}"));
    }
    let lines: Vec<String> = match lang {
        Lang::Ar => lines
            .into_iter()
            .map(|l| if l.is_empty() { l } else { format!("{RLM}{l}") })
            .collect(),
        Lang::En => lines,
    };
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    text
}

/// The HTML alternative: the same text, escaped, with the document's direction and language.
fn html(lang: Lang, rendered: &Rendered, footer: Option<&(&str, String)>) -> String {
    let (dir, tag, align) = match lang {
        Lang::Ar => ("rtl", "ar", "right"),
        Lang::En => ("ltr", "en", "left"),
    };
    let mut out = format!(
        "<!DOCTYPE html>\r\n<html dir=\"{dir}\" lang=\"{tag}\">\r\n<head><meta charset=\"utf-8\"><title>{}</title></head>\r\n<body dir=\"{dir}\" style=\"direction:{dir};text-align:{align}\">\r\n<h1>{}</h1>\r\n",
        escape(&rendered.title),
        escape(&rendered.title),
    );
    for paragraph in rendered.body.split("\n\n").filter(|p| !p.trim().is_empty()) {
        out.push_str(&format!(
            "<p>{}</p>\r\n",
            escape(paragraph.trim()).replace('\n', "<br>")
        ));
    }
    if let Some((label, id)) = footer {
        out.push_str(&format!(
            "<p>{} <span dir=\"ltr\">{}</span></p>\r\n",
            escape(label),
            escape(id)
        ));
    }
    out.push_str("</body>\r\n</html>\r\n");
    out
}

/// The `Content-Language` header (RFC 3282).
#[derive(Debug, Clone, Copy)]
struct ContentLanguage(&'static str);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        match s.trim() {
            "ar" => Ok(Self("ar")),
            "en" => Ok(Self("en")),
            other => Err(format!("unsupported language {other:?}").into()),
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_owned())
    }
}

impl fmt::Debug for EmailChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The transport holds the credentials: not shown.
        f.debug_struct("EmailChannel")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Channel for EmailChannel {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn deliver(
        &self,
        notification: &Notification,
        rendered: &Rendered,
        contact: &Contact,
    ) -> Result<(), DeliveryError> {
        let Some(address) = contact
            .email
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        else {
            return Ok(());
        };
        let to = address
            .parse::<Mailbox>()
            .map_err(|_| DeliveryError::Failed("the recipient's address is not valid".into()))?;
        let message = self.message(to, notification, rendered)?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| DeliveryError::Failed(super::redact_addresses(&e.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_directed() {
        let rendered = Rendered {
            title: "A <b>&\"title\"".into(),
            body: "one\n\ntwo <script>".into(),
            case_reference: None,
        };
        let page = html(Lang::En, &rendered, None);
        assert!(page.contains("<html dir=\"ltr\" lang=\"en\">"));
        assert!(page.contains("<h1>A &lt;b&gt;&amp;&quot;title&quot;</h1>"));
        assert!(page.contains("<p>one</p>"));
        assert!(page.contains("<p>two &lt;script&gt;</p>"));
        let page = html(Lang::Ar, &rendered, Some(&("رقم الحالة:", "abc".into())));
        assert!(page.contains("<html dir=\"rtl\" lang=\"ar\">"));
        assert!(page.contains("<p>رقم الحالة: <span dir=\"ltr\">abc</span></p>"));
    }

    #[test]
    fn arabic_text_lines_start_right_to_left() {
        let rendered = Rendered {
            title: "t".into(),
            body: "سطر".into(),
            case_reference: None,
        };
        let text = plain_text(Lang::Ar, &rendered, Some(&("رقم الحالة:", "abc".into())));
        assert_eq!(text, "\u{200F}سطر\r\n\r\n\u{200F}رقم الحالة: abc\r\n");
        let text = plain_text(Lang::En, &rendered, None);
        assert_eq!(text, "سطر\r\n");
    }

    #[test]
    fn bad_settings_are_named() {
        assert!(matches!(
            EmailChannel::from_url("smtp://127.0.0.1:25", "not an address"),
            Err(NotifyError::BadAddress(_))
        ));
        let err = EmailChannel::from_url("http://user:hunter2@example.org", "a@example.org")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("SMTP_URL"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert!(EmailChannel::from_url("smtp://127.0.0.1:2525", "a@example.org").is_ok());
        assert!(
            EmailChannel::from_url("smtp://mail.example.org:587?tls=required", "a@example.org")
                .is_ok()
        );
        assert!(
            EmailChannel::from_url("smtps://user:pass@mail.example.org:465", "a@example.org")
                .is_ok()
        );
    }
}
