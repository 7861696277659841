//! Fixed screen copy shown to patients, as message keys (the words are in the catalogues).

use crate::kernel::text::{Key, Text};

/// One step of "how it works".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub seq: u8,
    pub title: Text,
    pub icon: &'static str,
}

/// The "how it works" screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HowItWorks {
    pub title: Text,
    pub subtitle: Text,
    pub steps: Vec<Step>,
    pub submit_now: Text,
}

const STEPS: [(Key, &str); 4] = [
    (Key::HowStepShare, "document"),
    (Key::HowStepMatch, "users"),
    (Key::HowStepReview, "stethoscope"),
    (Key::HowStepReceive, "check_circle"),
];

pub fn how_it_works() -> HowItWorks {
    HowItWorks {
        title: Text::new(Key::HowTitle),
        subtitle: Text::new(Key::HowSubtitle),
        steps: STEPS
            .iter()
            .zip(1u8..)
            .map(|(&(key, icon), seq)| Step {
                seq,
                title: Text::new(key),
                icon,
            })
            .collect(),
        submit_now: Text::new(Key::HowSubmitNow),
    }
}

/// Title and subtitle of the review type picker.
pub fn review_type_screen() -> (Text, Text) {
    (
        Text::new(Key::ReviewTypesTitle),
        Text::new(Key::ReviewTypesSubtitle),
    )
}

/// How long a review takes: "8 - 12 days", or "2 days" when both ends are the same. Languages
/// choose the noun's form by `max` (Arabic number agreement follows the last number read).
pub fn duration(min_days: i32, max_days: i32) -> Text {
    Text::new(Key::Duration)
        .with("single", if min_days == max_days { "yes" } else { "no" })
        .with("min", i64::from(min_days))
        .with("max", i64::from(max_days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_steps_in_order() {
        let how = how_it_works();
        let icons: Vec<_> = how.steps.iter().map(|s| (s.seq, s.icon)).collect();
        assert_eq!(
            icons,
            [
                (1, "document"),
                (2, "users"),
                (3, "stethoscope"),
                (4, "check_circle")
            ]
        );
        assert_eq!(
            duration(8, 12).to_string(),
            "duration(single=no, min=8, max=12)"
        );
    }
}
