//! Delivery channels: one way each of handing a rendered notification to its recipient.

mod email;
mod log;
mod signed_post;
mod sms;
mod webhook;

pub use email::EmailChannel;
pub use log::LogChannel;
pub use sms::SmsChannel;
pub use webhook::WebhookChannel;

/// Replaces anything that looks like an email address with `[address]`, so that error texts taken
/// from receivers (an SMTP server's "550 <someone@example.org>: no such user") can be logged and
/// stored without personal data.
pub(crate) fn redact_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let is_address_char =
            |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'');
        let start = rest[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_address_char(c))
            .last()
            .map_or(at, |(i, _)| i);
        let after = &rest[at + 1..];
        let end = after
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '.' | '-')))
            .map_or(after.len(), |(i, _)| i);
        out.push_str(&rest[..start]);
        if start < at && end > 0 {
            out.push_str("[address]");
        } else {
            out.push_str(&rest[start..=at]);
            out.push_str(&after[..end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_redacted() {
        assert_eq!(
            redact_addresses("permanent error (550): 5.1.1 <jo.doe+x@mail.example.org>: unknown"),
            "permanent error (550): 5.1.1 <[address]>: unknown"
        );
        assert_eq!(
            redact_addresses("a@b and c@d.e, done"),
            "[address] and [address], done"
        );
        assert_eq!(redact_addresses("no address @ all"), "no address @ all");
        assert_eq!(redact_addresses("trailing@"), "trailing@");
        assert_eq!(
            redact_addresses("HTTP 503 from receiver"),
            "HTTP 503 from receiver"
        );
    }
}
