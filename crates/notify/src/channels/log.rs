//! The log channel: writes each notification to the application log. For development.

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
            kind = notification.kind.as_str(),
            code = notification.kind.code(),
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
    use domain::notifications::{NotificationKind, RecipientRole};
    use time::macros::datetime;

    use super::*;

    #[test]
    fn always_takes_the_message() {
        let notification = Notification {
            id: uuid::Uuid::now_v7(),
            kind: NotificationKind::DraftReminder,
            recipient_id: "patient-1".into(),
            recipient_role: RecipientRole::Patient,
            lang: Lang::Ar,
            case_id: None,
            data: serde_json::json!({}),
            created_date: datetime!(2026-03-01 12:00 UTC),
        };
        let rendered = domain::notifications::templates::render(
            notification.kind,
            notification.lang,
            &notification.data,
        );
        assert_eq!(LogChannel.name(), "log");
        assert_eq!(
            LogChannel.deliver(&notification, &rendered, &Contact::default()),
            Ok(())
        );
    }
}
