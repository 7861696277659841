//! What each notification says, as message keys; the words are in the catalogues.

use super::{CaseNotice, Notification, NotificationData, Rendered};
use crate::kernel::lang::Lang;
use crate::kernel::text::{Arg, Key, Text, Translator};

/// The arguments every case template may use: the case id and the review type's name (or nothing,
/// `has_type` telling the template which).
fn with_case(text: Text, notice: Option<&CaseNotice>) -> Text {
    let Some(notice) = notice else {
        return text;
    };
    let text = text.with("case_id", notice.case_id.to_string());
    match &notice.review_type {
        Some(name) => text.with("has_type", "yes").with("review_type", name),
        None => text
            .with("has_type", "no")
            .with("review_type", Arg::Str(String::new())),
    }
}

/// The title and body of a notification.
pub fn texts(data: &NotificationData) -> (Text, Text) {
    use NotificationData as D;
    let pair = |title: Key, body: Key| (Text::new(title), with_case(Text::new(body), data.case()));
    match data {
        D::CaseSubmitted(_) => pair(Key::CaseSubmittedTitle, Key::CaseSubmittedBody),
        D::DraftReminder(_) => pair(Key::DraftReminderTitle, Key::DraftReminderBody),
        D::CaseRejected(n) => {
            let (title, body) = pair(Key::CaseRejectedTitle, Key::CaseRejectedBody);
            (title, body.with("reason", n.reason.clone()))
        }
        D::PaymentRequested(n) => {
            let (title, body) = pair(Key::PaymentRequestedTitle, Key::PaymentRequestedBody);
            (
                title,
                body.with("url", n.url.clone())
                    .with("amount", n.amount.clone())
                    .with("currency", n.currency.clone()),
            )
        }
        D::PaymentReceived(_) => pair(Key::PaymentReceivedTitle, Key::PaymentReceivedBody),
        D::DocumentsRequested(n) => {
            let (title, body) = pair(Key::DocumentsRequestedTitle, Key::DocumentsRequestedBody);
            (
                title,
                body.with("documents", Arg::Items(n.documents.clone()))
                    .with("doctor", &n.doctor),
            )
        }
        D::ReportReady(_) => pair(Key::ReportReadyTitle, Key::ReportReadyBody),
        D::CoordinatorAssigned(_) => {
            pair(Key::CoordinatorAssignedTitle, Key::CoordinatorAssignedBody)
        }
        D::CoordinatorReplaced(_) => {
            pair(Key::CoordinatorReplacedTitle, Key::CoordinatorReplacedBody)
        }
        D::DoctorAssigned(_) => pair(Key::DoctorAssignedTitle, Key::DoctorAssignedBody),
        D::DocumentsProvided(n) => {
            let (title, body) = pair(Key::DocumentsProvidedTitle, Key::DocumentsProvidedBody);
            (title, body.with("doctor", &n.doctor))
        }
        D::OpinionSubmitted(n) => {
            let (title, body) = pair(Key::OpinionSubmittedTitle, Key::OpinionSubmittedBody);
            (title, body.with("doctor", &n.doctor))
        }
        D::VerificationCode(n) => (
            Text::new(Key::VerificationCodeTitle),
            Text::new(Key::VerificationCodeBody).with("code", n.code.clone()),
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
    use crate::notifications::{Bilingual, PaymentNotice};

    fn notice() -> CaseNotice {
        CaseNotice {
            case_id: CaseId::from_uuid(uuid::Uuid::nil()),
            review_type: Some(Bilingual {
                en: "Standard Review".into(),
                ar: "مراجعة قياسية".into(),
            }),
        }
    }

    #[test]
    fn the_review_type_goes_to_the_body_in_both_languages() {
        let (title, body) = texts(&NotificationData::CaseSubmitted(notice()));
        assert_eq!(title.key(), Key::CaseSubmittedTitle);
        assert_eq!(body.arg("has_type"), Some(&Arg::Str("yes".into())));
        assert!(matches!(
            body.arg("review_type"),
            Some(Arg::Localized { ar, .. }) if ar == "مراجعة قياسية"
        ));
    }

    #[test]
    fn a_payment_request_carries_the_link_and_amount() {
        let (_, body) = texts(&NotificationData::PaymentRequested(PaymentNotice {
            case: notice(),
            url: "https://pay.example.org/p/1".into(),
            amount: "900.5".into(),
            currency: "USD".into(),
        }));
        assert_eq!(body.key(), Key::PaymentRequestedBody);
        assert_eq!(
            body.arg("url"),
            Some(&Arg::Str("https://pay.example.org/p/1".into()))
        );
        assert_eq!(body.arg("amount"), Some(&Arg::Str("900.5".into())));
    }
}
