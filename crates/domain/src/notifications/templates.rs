//! The text of every notification, in English and Arabic.

use serde_json::Value;

use super::{NotificationKind, Rendered};
use crate::kernel::lang::Lang;

/// The review type's name in `lang`, from template data `{"review_type": {"en": …, "ar": …}}`.
fn review_type(data: &Value, lang: Lang) -> Option<&str> {
    data.get("review_type")
        .and_then(|rt| rt.get(lang.as_str()))
        .and_then(Value::as_str)
}

/// Renders a notification for its recipient.
pub fn render(kind: NotificationKind, lang: Lang, data: &Value) -> Rendered {
    let rt = review_type(data, lang);
    match (kind, lang) {
        (NotificationKind::CaseSubmitted, Lang::En) => Rendered {
            title: "We received your case".into(),
            body: match rt {
                Some(rt) => format!(
                    "Your case for a {rt} has been submitted. Our coordinators will match you with the right specialists and contact you about the next steps."
                ),
                None => "Your case has been submitted. Our coordinators will match you with the right specialists and contact you about the next steps.".into(),
            },
        },
        (NotificationKind::CaseSubmitted, Lang::Ar) => Rendered {
            title: "استلمنا حالتك".into(),
            body: match rt {
                Some(rt) => format!(
                    "تم إرسال حالتك لطلب {rt}. سيطابقك منسقونا مع الأطباء الأخصائيين المناسبين ويتواصلون معك بشأن الخطوات التالية."
                ),
                None => "تم إرسال حالتك. سيطابقك منسقونا مع الأطباء الأخصائيين المناسبين ويتواصلون معك بشأن الخطوات التالية.".into(),
            },
        },
        (NotificationKind::DraftReminder, Lang::En) => Rendered {
            title: "Your case is waiting for you".into(),
            body: "You started a second opinion request but have not submitted it yet. Complete it and submit it so our specialists can review your case.".into(),
        },
        (NotificationKind::DraftReminder, Lang::Ar) => Rendered {
            title: "حالتك بانتظارك".into(),
            body: "بدأت طلب رأي طبي ثانٍ ولم ترسله بعد. أكمله وأرسله ليتمكن أطباؤنا الأخصائيون من مراجعة حالتك.".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_exists_in_both_languages() {
        for kind in NotificationKind::ALL {
            let en = render(kind, Lang::En, &json!({}));
            let ar = render(kind, Lang::Ar, &json!({}));
            assert!(!en.title.is_empty() && !en.body.is_empty());
            assert!(
                ar.title
                    .chars()
                    .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
                "{kind} Arabic"
            );
            assert_ne!(en, ar);
        }
    }

    #[test]
    fn review_type_is_named_in_the_recipients_language() {
        let data = json!({ "review_type": { "en": "Standard Review", "ar": "مراجعة قياسية" } });
        assert!(
            render(NotificationKind::CaseSubmitted, Lang::En, &data)
                .body
                .contains("Standard Review")
        );
        assert!(
            render(NotificationKind::CaseSubmitted, Lang::Ar, &data)
                .body
                .contains("مراجعة قياسية")
        );
    }
}
