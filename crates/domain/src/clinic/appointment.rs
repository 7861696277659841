//! An appointment: a patient, a doctor, a day and a time, and where the visit stands.
//!
//! Input rules: `patient_id` and `doctor` UUIDs, `date` `YYYY-MM-DD`, `time` `HH:MM` (24 h),
//! `duration_minutes` 5 to 480 (default 30) and ending by midnight, `department` at most 100
//! characters, `notes` at most 2000. That the patient exists and the doctor is an active doctor,
//! and that the doctor is free, is checked by the store in the writing transaction and reported as
//! a [`BookingRefusal`].

use time::{Date, OffsetDateTime, Time};

use super::appointment_status::AppointmentStatus;
use super::ids::{AppointmentId, PatientId, StaffId};
use super::patient::parse_date;
use crate::kernel::ids::ActorId;
use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

pub const DURATION_MIN: i64 = 5;
pub const DURATION_MAX: i64 = 480;
pub const DURATION_DEFAULT: i64 = 30;
pub const DEPARTMENT_MAX: usize = 100;
pub const NOTES_MAX: usize = 2000;
const DAY_MINUTES: i64 = 24 * 60;

/// `HH:MM`, 24-hour.
const TIME_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[hour]:[minute]");

/// A time of day as sent and stored: `09:30`.
pub fn format_time(t: Time) -> String {
    t.format(TIME_FORMAT)
        .unwrap_or_else(|_| format!("{:02}:{:02}", t.hour(), t.minute()))
}

/// Reads `HH:MM` (exactly five characters); `field` names it in the error.
pub fn parse_time(field: &str, raw: &str) -> Result<Time> {
    let raw = raw.trim();
    let parsed = (raw.len() == 5)
        .then(|| Time::parse(raw, TIME_FORMAT).ok())
        .flatten();
    parsed.ok_or_else(|| {
        Error::field(FieldError::new(
            field,
            "format",
            Text::new(Key::ClinicInvalidTime).field("field", field),
        ))
    })
}

/// When a doctor is busy: a day, a start and a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub date: Date,
    pub time: Time,
    pub duration_minutes: i64,
}

impl Slot {
    fn start(&self) -> i64 {
        i64::from(self.time.hour()) * 60 + i64::from(self.time.minute())
    }

    /// Whether the two slots share a minute of the same day.
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.date == other.date
            && self.start() < other.start() + other.duration_minutes
            && other.start() < self.start() + self.duration_minutes
    }
}

/// An appointment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub id: AppointmentId,
    pub patient_id: PatientId,
    pub doctor_id: StaffId,
    pub slot: Slot,
    pub department: Option<String>,
    pub notes: Option<String>,
    pub status: AppointmentStatus,
    /// `ACC` and 10 digits: the DICOM Accession Number (at most 16 characters).
    pub accession_number: String,
    /// Bumped by every write; a write names the version it read.
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub created_by: ActorId,
    pub updated_at: OffsetDateTime,
    pub updated_by: ActorId,
}

impl Appointment {
    /// The accession number of the `n`th appointment: `ACC0000000042`.
    pub fn accession_for(n: i64) -> String {
        format!("ACC{n:010}")
    }
}

/// One line of an appointment's history (the first is its creation, from nothing to `scheduled`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub seq: i32,
    pub from: Option<AppointmentStatus>,
    pub to: AppointmentStatus,
    /// A staff id, or `dicom` when images moved it.
    pub by: String,
    pub at: OffsetDateTime,
}

/// Who `changed_by` names when images moved an appointment.
pub const CHANGED_BY_IMAGES: &str = "dicom";

/// The patient as an appointment shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientSummary {
    pub id: PatientId,
    pub mrn: String,
    pub name: String,
    pub name_ar: Option<String>,
}

/// An appointment with what its answer shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRecord {
    pub appointment: Appointment,
    pub patient: PatientSummary,
    pub doctor_name: Option<String>,
    pub history: Vec<HistoryEntry>,
}

/// An appointment as a client asks for it, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingInput {
    pub patient_id: String,
    pub doctor: String,
    pub date: String,
    pub time: String,
    pub duration_minutes: Option<i64>,
    pub department: Option<String>,
    pub notes: Option<String>,
}

/// The changeable part of an appointment, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub patient_id: PatientId,
    pub doctor_id: StaffId,
    pub slot: Slot,
    pub department: Option<String>,
    pub notes: Option<String>,
}

/// `prefix.field`, or `field` without a prefix.
pub fn path(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

fn collect<T>(out: &mut Vec<FieldError>, result: Result<T>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(Error::Validation(errors)) => {
            out.extend(errors);
            None
        }
        Err(_) => None,
    }
}

fn optional_text(
    out: &mut Vec<FieldError>,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    let raw = raw?;
    if raw.chars().count() > max {
        out.push(FieldError::new(
            field,
            "length",
            Text::new(Key::InvalidMaxLength)
                .field("field", field)
                .with("max", max),
        ));
    }
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Checks a duration: 5 to 480 minutes, ending by midnight.
fn duration(out: &mut Vec<FieldError>, field: &str, minutes: i64, time: Option<Time>) -> i64 {
    if !(DURATION_MIN..=DURATION_MAX).contains(&minutes) {
        out.push(FieldError::new(
            field,
            "range",
            Text::new(Key::InvalidWholeNumber)
                .field("field", field)
                .with("min", DURATION_MIN)
                .with("max", DURATION_MAX),
        ));
    } else if let Some(t) = time
        && i64::from(t.hour()) * 60 + i64::from(t.minute()) + minutes > DAY_MINUTES
    {
        out.push(FieldError::new(
            field,
            "range",
            Text::new(Key::ClinicPastMidnight).field("field", field),
        ));
    }
    minutes
}

impl BookingInput {
    /// The booking, or every rule broken, each field named under `prefix` (`appointments[2]` in a
    /// batch, empty alone).
    pub fn validate(&self, prefix: &str) -> std::result::Result<Booking, Vec<FieldError>> {
        let mut out = Vec::new();
        let patient_id = collect(
            &mut out,
            PatientId::parse(&path(prefix, "patient_id"), &self.patient_id),
        );
        let doctor_id = collect(
            &mut out,
            StaffId::parse(&path(prefix, "doctor"), &self.doctor),
        );
        let date = collect(&mut out, parse_date(&path(prefix, "date"), &self.date));
        let time = collect(&mut out, parse_time(&path(prefix, "time"), &self.time));
        let minutes = duration(
            &mut out,
            &path(prefix, "duration_minutes"),
            self.duration_minutes.unwrap_or(DURATION_DEFAULT),
            time,
        );
        let department = optional_text(
            &mut out,
            &path(prefix, "department"),
            self.department.as_deref(),
            DEPARTMENT_MAX,
        );
        let notes = optional_text(
            &mut out,
            &path(prefix, "notes"),
            self.notes.as_deref(),
            NOTES_MAX,
        );
        match (patient_id, doctor_id, date, time) {
            (Some(patient_id), Some(doctor_id), Some(date), Some(time)) if out.is_empty() => {
                Ok(Booking {
                    patient_id,
                    doctor_id,
                    slot: Slot {
                        date,
                        time,
                        duration_minutes: minutes,
                    },
                    department,
                    notes,
                })
            }
            _ => Err(out),
        }
    }
}

/// A partial edit of an appointment: `None` keeps a field; for `department` and `notes`,
/// `Some(None)` clears it. The patient cannot change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppointmentPatch {
    pub doctor: Option<String>,
    pub date: Option<String>,
    pub time: Option<String>,
    pub duration_minutes: Option<i64>,
    pub department: Option<Option<String>>,
    pub notes: Option<Option<String>>,
}

impl AppointmentPatch {
    /// `current` with the patch applied, or every rule broken.
    pub fn apply(&self, current: &Booking) -> Result<Booking> {
        let mut out = Vec::new();
        let mut next = current.clone();
        if let Some(raw) = &self.doctor
            && let Some(id) = collect(&mut out, StaffId::parse("doctor", raw))
        {
            next.doctor_id = id;
        }
        if let Some(raw) = &self.date
            && let Some(date) = collect(&mut out, parse_date("date", raw))
        {
            next.slot.date = date;
        }
        if let Some(raw) = &self.time
            && let Some(time) = collect(&mut out, parse_time("time", raw))
        {
            next.slot.time = time;
        }
        let minutes = self
            .duration_minutes
            .unwrap_or(current.slot.duration_minutes);
        next.slot.duration_minutes =
            duration(&mut out, "duration_minutes", minutes, Some(next.slot.time));
        if let Some(v) = &self.department {
            next.department = optional_text(&mut out, "department", v.as_deref(), DEPARTMENT_MAX);
        }
        if let Some(v) = &self.notes {
            next.notes = optional_text(&mut out, "notes", v.as_deref(), NOTES_MAX);
        }
        if out.is_empty() {
            Ok(next)
        } else {
            Err(Error::Validation(out))
        }
    }
}

impl Appointment {
    /// The changeable part, as a [`Booking`].
    pub fn booking(&self) -> Booking {
        Booking {
            patient_id: self.patient_id,
            doctor_id: self.doctor_id,
            slot: self.slot,
            department: self.department.clone(),
            notes: self.notes.clone(),
        }
    }
}

/// Why the store would not book (or move) an appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingRefusal {
    /// No such patient, or a soft-deleted one.
    PatientMissing,
    /// No active staff account with the `doctor` role has this id.
    DoctorInvalid,
    /// The doctor's time is taken by another appointment that day, starting at `time`.
    Overlap { other: AppointmentId, time: Time },
}

impl BookingRefusal {
    /// The refusal as a field error under `prefix`.
    pub fn field_error(&self, prefix: &str) -> FieldError {
        match self {
            BookingRefusal::PatientMissing => {
                let field = path(prefix, "patient_id");
                let text = Text::new(Key::ClinicUnknownPatient).field("field", &field);
                FieldError::new(field, "exists", text)
            }
            BookingRefusal::DoctorInvalid => {
                let field = path(prefix, "doctor");
                let text = Text::new(Key::ClinicUnknownDoctor).field("field", &field);
                FieldError::new(field, "exists", text)
            }
            BookingRefusal::Overlap { time, .. } => {
                let field = path(prefix, "time");
                let text = Text::new(Key::ClinicDoubleBooked)
                    .field("field", &field)
                    .with("time", format_time(*time));
                FieldError::new(field, "available", text)
            }
        }
    }

    /// The refusal of one appointment alone: 422 naming the patient or doctor, 409 for a taken time.
    pub fn into_error(self) -> Error {
        let text = self.field_error("").text;
        match self {
            BookingRefusal::Overlap { .. } => Error::Conflict(text),
            _ => Error::Unprocessable(text),
        }
    }
}

/// The first of `others` (another appointment of the same doctor, as `(id, slot, status)`) whose
/// time `slot` would overlap.
pub fn first_overlap(
    slot: &Slot,
    others: &[(AppointmentId, Slot, AppointmentStatus)],
) -> Option<BookingRefusal> {
    others
        .iter()
        .find(|(_, other, status)| status.holds_time() && slot.overlaps(other))
        .map(|(id, other, _)| BookingRefusal::Overlap {
            other: *id,
            time: other.time,
        })
}

/// An appointment list's filter; every set field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppointmentFilter {
    pub date: Option<Date>,
    pub patient_id: Option<PatientId>,
    pub doctor_id: Option<StaffId>,
    pub status: Option<AppointmentStatus>,
    /// By `date` then `time`: ascending, or descending (newest first).
    pub descending: bool,
}

/// 404 for an appointment that does not exist.
pub fn appointment_not_found() -> Error {
    Error::not_found(Key::ClinicAppointmentNotFound)
}

#[cfg(test)]
mod tests {
    use time::macros::{date, time};

    use super::*;

    const P: &str = "0193a1c0-0000-7000-8000-000000000001";
    const D: &str = "0193a1c0-0000-7000-8000-000000000002";

    fn input() -> BookingInput {
        BookingInput {
            patient_id: P.into(),
            doctor: D.into(),
            date: "2026-12-01".into(),
            time: "09:30".into(),
            ..BookingInput::default()
        }
    }

    fn slot(t: Time, minutes: i64) -> Slot {
        Slot {
            date: date!(2026 - 12 - 01),
            time: t,
            duration_minutes: minutes,
        }
    }

    #[test]
    fn a_booking_takes_its_defaults_and_names_every_bad_field() {
        let booking = input().validate("").unwrap();
        assert_eq!(booking.slot, slot(time!(09:30), 30));
        let bad = BookingInput {
            patient_id: "x".into(),
            time: "9:30".into(),
            duration_minutes: Some(4),
            notes: Some("n".repeat(2001)),
            ..input()
        };
        let fields: Vec<String> = bad
            .validate("appointments[2]")
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "appointments[2].patient_id",
                "appointments[2].time",
                "appointments[2].duration_minutes",
                "appointments[2].notes"
            ]
        );
        for (t, ok) in [
            ("24:00", false),
            ("23:59", false),
            ("00:00", true),
            ("12:5", false),
        ] {
            let r = BookingInput {
                time: t.into(),
                ..input()
            }
            .validate("");
            assert_eq!(r.is_ok(), ok, "{t}");
        }
        let late = BookingInput {
            time: "23:30".into(),
            duration_minutes: Some(30),
            ..input()
        };
        assert!(late.validate("").is_ok());
        assert_eq!(Appointment::accession_for(7), "ACC0000000007");
        assert!(Appointment::accession_for(9_999_999_999).len() <= 16);
    }

    #[test]
    fn overlaps_share_a_minute() {
        let at = slot(time!(10:00), 30);
        let id = AppointmentId::from_uuid(uuid::Uuid::nil());
        let cases = [
            (slot(time!(09:30), 30), false),
            (slot(time!(09:31), 30), true),
            (slot(time!(10:29), 5), true),
            (slot(time!(10:30), 30), false),
            (slot(time!(09:00), 120), true),
        ];
        for (other, want) in cases {
            assert_eq!(at.overlaps(&other), want, "{other:?}");
            let found = first_overlap(&at, &[(id, other, AppointmentStatus::Waiting)]);
            assert_eq!(found.is_some(), want);
            let cancelled = first_overlap(&at, &[(id, other, AppointmentStatus::Cancelled)]);
            assert_eq!(cancelled, None);
        }
        let other_day = Slot {
            date: date!(2026 - 12 - 02),
            ..at
        };
        assert!(!at.overlaps(&other_day));
        let refusal = BookingRefusal::Overlap {
            other: id,
            time: time!(09:45),
        };
        assert_eq!(
            refusal.field_error("appointments[1]").text.to_string(),
            "clinic-double-booked(field=appointments[1].time, time=09:45)"
        );
        assert!(matches!(refusal.into_error(), Error::Conflict(_)));
        assert!(matches!(
            BookingRefusal::DoctorInvalid.into_error(),
            Error::Unprocessable(_)
        ));
    }

    #[test]
    fn a_patch_keeps_what_it_does_not_name() {
        let current = input().validate("").unwrap();
        let patch = AppointmentPatch {
            time: Some("11:00".into()),
            notes: Some(Some("bring results".into())),
            ..AppointmentPatch::default()
        };
        let next = patch.apply(&current).unwrap();
        assert_eq!(next.slot.time, time!(11:00));
        assert_eq!(next.slot.date, current.slot.date);
        assert_eq!(next.notes.as_deref(), Some("bring results"));
        let bad = AppointmentPatch {
            date: Some("tomorrow".into()),
            ..AppointmentPatch::default()
        };
        assert!(matches!(bad.apply(&current), Err(Error::Validation(_))));
    }
}
