//! Fixed screen copy shown to patients, in both languages.

use crate::kernel::lang::Lang;

/// One step of "how it works".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub seq: u8,
    pub title: &'static str,
    pub icon: &'static str,
}

/// The "how it works" screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HowItWorks {
    pub title: &'static str,
    pub subtitle: &'static str,
    pub steps: Vec<Step>,
    pub submit_now: &'static str,
}

const STEPS: [(&str, &str, &str); 4] = [
    (
        "Share your medical documents and details securely.",
        "شارك مستنداتك وبياناتك الطبية بأمان.",
        "document",
    ),
    (
        "Our coordinators match you with the right specialists.",
        "يطابقك منسقونا مع الأطباء الأخصائيين المناسبين.",
        "users",
    ),
    (
        "Expert doctors review your case and records.",
        "يراجع أطباء خبراء حالتك وسجلاتك.",
        "stethoscope",
    ),
    (
        "Receive your second opinion summary and next steps.",
        "احصل على ملخص الرأي الطبي الثاني والخطوات التالية.",
        "check_circle",
    ),
];

pub fn how_it_works(lang: Lang) -> HowItWorks {
    HowItWorks {
        title: lang.pick("How second opinion works", "كيف يعمل الرأي الطبي الثاني"),
        subtitle: lang.pick(
            "A few simple steps to get an expert medical review of your case.",
            "بضع خطوات بسيطة للحصول على مراجعة طبية متخصصة لحالتك.",
        ),
        steps: STEPS
            .iter()
            .zip(1u8..)
            .map(|(&(en, ar, icon), seq)| Step {
                seq,
                title: lang.pick(en, ar),
                icon,
            })
            .collect(),
        submit_now: lang.pick("Submit your case now", "أرسل حالتك الآن"),
    }
}

/// Title and subtitle of the review type picker.
pub fn review_type_screen(lang: Lang) -> (&'static str, &'static str) {
    (
        lang.pick("Select review type", "اختر نوع المراجعة"),
        lang.pick(
            "Get expert medical opinion from our panel",
            "احصل على رأي طبي متخصص من فريقنا",
        ),
    )
}

/// "8 - 12 days" / "8 - 12 يومًا", following Arabic number agreement (the noun agrees with the last
/// number read).
pub fn duration(lang: Lang, min_days: i32, max_days: i32) -> String {
    let range = if min_days == max_days {
        None
    } else {
        Some(format!("{min_days} - {max_days}"))
    };
    match lang {
        Lang::En => {
            let unit = if max_days == 1 { "day" } else { "days" };
            match range {
                Some(r) => format!("{r} {unit}"),
                None => format!("{max_days} {unit}"),
            }
        }
        Lang::Ar => match (range, max_days) {
            (None, 1) => "يوم واحد".to_owned(),
            (None, 2) => "يومان".to_owned(),
            (r, n) => {
                let unit = if (3..=10).contains(&n) {
                    "أيام"
                } else {
                    "يومًا"
                };
                format!("{} {unit}", r.unwrap_or_else(|| n.to_string()))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_copy_is_exactly_the_documented_copy() {
        let how = how_it_works(Lang::En);
        assert_eq!(how.title, "How second opinion works");
        assert_eq!(
            how.subtitle,
            "A few simple steps to get an expert medical review of your case."
        );
        let steps: Vec<_> = how.steps.iter().map(|s| (s.seq, s.title, s.icon)).collect();
        assert_eq!(
            steps,
            vec![
                (
                    1,
                    "Share your medical documents and details securely.",
                    "document"
                ),
                (
                    2,
                    "Our coordinators match you with the right specialists.",
                    "users"
                ),
                (
                    3,
                    "Expert doctors review your case and records.",
                    "stethoscope"
                ),
                (
                    4,
                    "Receive your second opinion summary and next steps.",
                    "check_circle"
                ),
            ]
        );
        assert_eq!(how.submit_now, "Submit your case now");
    }

    #[test]
    fn durations() {
        let table = [
            (Lang::En, 8, 12, "8 - 12 days"),
            (Lang::En, 1, 1, "1 day"),
            (Lang::En, 5, 5, "5 days"),
            (Lang::Ar, 8, 12, "8 - 12 يومًا"),
            (Lang::Ar, 3, 5, "3 - 5 أيام"),
            (Lang::Ar, 1, 1, "يوم واحد"),
            (Lang::Ar, 2, 2, "يومان"),
            (Lang::Ar, 7, 7, "7 أيام"),
            (Lang::Ar, 14, 14, "14 يومًا"),
        ];
        for (lang, min, max, expected) in table {
            assert_eq!(duration(lang, min, max), expected);
        }
    }
}
