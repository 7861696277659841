//! Where an appointment stands (DECISIONS §9): `scheduled → waiting → in_room → in_scan → review
//! → completed`, one step at a time; `cancelled` and `no_show` from `scheduled` or `waiting` only.
//! Anything else (a step back, a skip, any change once `completed`, `cancelled` or `no_show`) is a
//! 409 naming the current status and what may follow. The first image of an appointment that is
//! `waiting` or `in_room` moves it to `in_scan` ([`AppointmentStatus::advance_by_images`]).

use strum::VariantArray;

use crate::kernel::code::{Code, choice_error_of};
use crate::kernel::text::{Arg, Key, Text};
use crate::{Error, Result};

/// Where an appointment stands; the codes are stored and sent, the labels shown ([003]'s names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum AppointmentStatus {
    Scheduled,
    Waiting,
    InRoom,
    InScan,
    Review,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    /// The name [003] shows: `In-Room`, `No-Show`.
    pub fn label(self) -> &'static str {
        use AppointmentStatus::*;
        match self {
            Scheduled => "Scheduled",
            Waiting => "Waiting",
            InRoom => "In-Room",
            InScan => "In-Scan",
            Review => "Review",
            Completed => "Completed",
            Cancelled => "Cancelled",
            NoShow => "No-Show",
        }
    }

    /// Every label, in the order of the lifecycle.
    pub fn labels() -> Vec<&'static str> {
        Self::VARIANTS.iter().map(|s| s.label()).collect()
    }

    /// What a client may send: every code and every label.
    pub fn inputs() -> Vec<&'static str> {
        let mut all = Self::codes();
        all.extend(Self::labels());
        all
    }

    /// Reads a code (`in_room`) or a label (`In-Room`), in any case; anything else is a validation
    /// error listing the choices.
    pub fn parse_input(field: &str, raw: &str) -> Result<Self> {
        let raw = raw.trim();
        Self::VARIANTS
            .iter()
            .copied()
            .find(|s| s.as_str().eq_ignore_ascii_case(raw) || s.label().eq_ignore_ascii_case(raw))
            .ok_or_else(|| choice_error_of(field, &Self::inputs()))
    }

    /// The statuses a manual change may lead to from this one.
    pub fn next(self) -> &'static [AppointmentStatus] {
        use AppointmentStatus::*;
        match self {
            Scheduled => &[Waiting, Cancelled, NoShow],
            Waiting => &[InRoom, Cancelled, NoShow],
            InRoom => &[InScan],
            InScan => &[Review],
            Review => &[Completed],
            Completed | Cancelled | NoShow => &[],
        }
    }

    /// The status after a manual change to `to`, or a 409 naming this status and what may follow.
    pub fn change_to(self, to: AppointmentStatus) -> Result<AppointmentStatus> {
        if self.next().contains(&to) {
            return Ok(to);
        }
        Err(Error::conflict(self.refusal()))
    }

    /// Why no change other than [`AppointmentStatus::next`] is possible now.
    pub fn refusal(self) -> Text {
        let next = self.next();
        if next.is_empty() {
            return Text::new(Key::ClinicAppointmentStatusFinal).with("status", self.label());
        }
        let choices = next.iter().map(|s| s.as_str().to_owned()).collect();
        Text::new(Key::ClinicAppointmentStatusRefused)
            .with("status", self.label())
            .with("choices", Arg::Choices(choices))
    }

    /// Where the first image of the appointment moves it: `waiting` and `in_room` go to `in_scan`
    /// (the modality's evidence outranks the manual steps); any other status stays.
    pub fn advance_by_images(self) -> Option<AppointmentStatus> {
        matches!(self, Self::Waiting | Self::InRoom).then_some(Self::InScan)
    }

    /// Whether the appointment holds its doctor's time (anything but cancelled or no-show).
    pub fn holds_time(self) -> bool {
        !matches!(self, Self::Cancelled | Self::NoShow)
    }

    /// Whether its doctor, day, time and the rest may still be edited.
    pub fn editable(self) -> bool {
        matches!(self, Self::Scheduled | Self::Waiting)
    }

    /// The statuses that hold a doctor's time, as stored.
    pub fn holding_time() -> Vec<&'static str> {
        Self::VARIANTS
            .iter()
            .filter(|s| s.holds_time())
            .map(|s| s.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppointmentStatus::*;

    /// The whole table: every (from, to) pair, allowed or refused with the current status named.
    #[test]
    fn transition_table() {
        let allowed = [
            (Scheduled, Waiting),
            (Scheduled, Cancelled),
            (Scheduled, NoShow),
            (Waiting, InRoom),
            (Waiting, Cancelled),
            (Waiting, NoShow),
            (InRoom, InScan),
            (InScan, Review),
            (Review, Completed),
        ];
        let mut checked = 0;
        for &from in AppointmentStatus::VARIANTS {
            for &to in AppointmentStatus::VARIANTS {
                let want = allowed.contains(&(from, to));
                match from.change_to(to) {
                    Ok(got) => {
                        assert!(want, "{from:?} → {to:?} must be refused");
                        assert_eq!(got, to);
                    }
                    Err(Error::Conflict(text)) => {
                        assert!(!want, "{from:?} → {to:?} must be allowed");
                        assert_eq!(text.arg("status"), Some(&Arg::Str(from.label().into())));
                        let final_ = matches!(from, Completed | Cancelled | NoShow);
                        let key = if final_ {
                            Key::ClinicAppointmentStatusFinal
                        } else {
                            Key::ClinicAppointmentStatusRefused
                        };
                        assert_eq!(text.key(), key, "{from:?} → {to:?}");
                    }
                    Err(other) => panic!("{from:?} → {to:?}: {other:?}"),
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 64);
        let text = Waiting.refusal();
        assert_eq!(
            text.to_string(),
            "clinic-appointment-status-refused(status=Waiting, choices=in_room|cancelled|no_show)"
        );
    }

    #[test]
    fn codes_and_labels_are_read_in_any_case() {
        let read = |raw| AppointmentStatus::parse_input("status", raw).ok();
        assert_eq!(read("in_room"), Some(InRoom));
        assert_eq!(read("In-Room"), Some(InRoom));
        assert_eq!(read("in-room"), Some(InRoom));
        assert_eq!(read("NO-SHOW"), Some(NoShow));
        assert_eq!(read(" Waiting "), Some(Waiting));
        assert_eq!(read("In Room"), None);
        assert_eq!(InRoom.label(), "In-Room");
        assert!(matches!(
            AppointmentStatus::parse_input("status", "done"),
            Err(Error::Validation(f)) if f[0].rule == "one_of"
        ));
    }

    #[test]
    fn images_move_waiting_and_in_room_to_in_scan() {
        for &s in AppointmentStatus::VARIANTS {
            let want = matches!(s, Waiting | InRoom).then_some(InScan);
            assert_eq!(s.advance_by_images(), want, "{s:?}");
        }
        assert_eq!(
            AppointmentStatus::holding_time(),
            [
                "scheduled",
                "waiting",
                "in_room",
                "in_scan",
                "review",
                "completed"
            ]
        );
        assert!(Waiting.editable() && !InRoom.editable());
    }
}
