//! The log channel: writes each notification to the application log. For development.

use domain::kernel::code::Code;
use domain::notifications::{Channel, Contact, DeliveryError, Notification, Rendered};

/// Writes each notification to the log (`tracing`, level info): id, kind, code, recipient id,
/// language and title. Never the body or the recipient's address. Always succeeds.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogChannel;

impl LogChannel {
    /// The name recorded in an outbox message's delivered channels.
    pub const NAME: &'static str = "log";
}

impl Channel for LogChannel {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn deliver(
        &self,
        notification: &Notification,
        rendered: &Rendered,
        _contact: &Contact,
    ) -> Result<(), DeliveryError> {
        tracing::info!(
            notification_id = %notification.id,
            kind = notification.kind().as_str(),
            code = notification.kind().code(),
            recipient_id = %notification.recipient_id,
            recipient_role = notification.recipient_role.as_str(),
            lang = notification.lang.as_str(),
            title = %rendered.title,
            "notification"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use domain::kernel::lang::Lang;
    use domain::notifications::NotificationKind;
    use domain::testing::{self, KeyTranslator};

    use super::*;

    #[test]
    fn always_takes_the_message() {
        let mut notification =
            testing::notification(NotificationKind::DraftReminder, &testing::review_case());
        notification.lang = Lang::Ar;
        let rendered = domain::notifications::templates::render(&KeyTranslator, &notification);
        assert_eq!(LogChannel.name(), "log");
        assert_eq!(
            LogChannel.deliver(&notification, &rendered, &Contact::default()),
            Ok(())
        );
    }
}
