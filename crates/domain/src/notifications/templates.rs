//! What each notification says, as message keys; the words are in the catalogues.

use super::{CaseNotice, Notification, NotificationData, Rendered};
use crate::kernel::lang::Lang;
use crate::kernel::text::{Arg, Key, Text, Translator};

/// The body's review type argument: its name, or nothing (`has_type` tells the template which).
fn with_review_type(text: Text, notice: &CaseNotice) -> Text {
    match &notice.review_type {
        Some(name) => text.with("has_type", "yes").with("review_type", name),
        None => text
            .with("has_type", "no")
            .with("review_type", Arg::Str(String::new())),
    }
}

/// The title and body of a notification.
pub fn texts(data: &NotificationData) -> (Text, Text) {
    match data {
        NotificationData::CaseSubmitted(notice) => (
            Text::new(Key::CaseSubmittedTitle),
            with_review_type(Text::new(Key::CaseSubmittedBody), notice),
        ),
        NotificationData::DraftReminder(notice) => (
            Text::new(Key::DraftReminderTitle),
            with_review_type(Text::new(Key::DraftReminderBody), notice),
        ),
    }
}

/// Renders a notification in its recipient's language.
pub fn render(translator: &dyn Translator, notification: &Notification) -> Rendered {
    let lang: Lang = notification.lang;
    let (title, body) = texts(&notification.data);
    Rendered {
        title: translator.translate(lang, &title),
        body: translator.translate(lang, &body),
        case_reference: notification
            .case_id
            .map(|_| translator.translate(lang, &Text::new(Key::EmailCaseReference))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::ids::CaseId;
    use crate::notifications::Bilingual;

    #[test]
    fn the_review_type_goes_to_the_body_in_both_languages() {
        let notice = CaseNotice {
            case_id: CaseId::from_uuid(uuid::Uuid::nil()),
            review_type: Some(Bilingual {
                en: "Standard Review".into(),
                ar: "مراجعة قياسية".into(),
            }),
        };
        let (title, body) = texts(&NotificationData::CaseSubmitted(notice));
        assert_eq!(title.key(), Key::CaseSubmittedTitle);
        assert_eq!(body.arg("has_type"), Some(&Arg::Str("yes".into())));
        assert!(matches!(
            body.arg("review_type"),
            Some(Arg::Localized { ar, .. }) if ar == "مراجعة قياسية"
        ));
    }
}
