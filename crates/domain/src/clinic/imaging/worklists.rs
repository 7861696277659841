//! Publishing worklist entries (`POST /api/dicom/mwl/send`) and answering a modality's C-FIND.
//!
//! A worklist is pulled by the modality: "send" publishes an entry that the listener's C-FIND then
//! answers. An appointment has one entry; sending it again refreshes it but keeps what a modality
//! may already hold (its Study Instance UID and step id). An entry for a patient alone gets a fresh
//! accession number and is scheduled now.

use std::fmt;
use std::sync::Arc;

use super::dicom::Uid;
use super::ports::WorklistRepository;
use super::worklist::{WorklistEntry, WorklistQuery};
use crate::clinic::appointment::appointment_not_found;
use crate::clinic::appointment_status::AppointmentStatus;
use crate::clinic::audit::{AuditAction, Who};
use crate::clinic::ids::{AppointmentId, PatientId, WorklistId};
use crate::clinic::patient::{Sex, patient_not_found};
use crate::clinic::patient_ports::{AppointmentRepository, PatientRepository};
use crate::kernel::code::Code;
use crate::kernel::ids::IdGenerator;
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// What a worklist entry is published for, with the step's details a client may set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorklistTarget {
    pub appointment_id: Option<String>,
    pub patient_id: Option<String>,
    /// `US` unless given.
    pub modality: Option<String>,
    pub station_ae_title: Option<String>,
    pub description: Option<String>,
}

enum For {
    Appointment(AppointmentId),
    Patient(PatientId),
}

struct Step {
    modality: String,
    station: Option<String>,
    description: Option<String>,
}

/// The appointment statuses past which a modality has nothing left to do: no entry is published
/// for them, and their entries leave the worklist ([`WorklistRepository::active`]).
pub const WORKLIST_CLOSED: [AppointmentStatus; 4] = [
    AppointmentStatus::Review,
    AppointmentStatus::Completed,
    AppointmentStatus::Cancelled,
    AppointmentStatus::NoShow,
];

/// The longest step description: DICOM's LO.
const DESCRIPTION_MAX: usize = 64;

impl WorklistTarget {
    fn validate(&self) -> Result<(For, Step)> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let mut errors = Vec::new();
        let target = match (given(&self.appointment_id), given(&self.patient_id)) {
            (Some(a), None) => AppointmentId::parse("appointment_id", &a)
                .map(For::Appointment)
                .map_err(|e| push(&mut errors, e))
                .ok(),
            (None, Some(p)) => PatientId::parse("patient_id", &p)
                .map(For::Patient)
                .map_err(|e| push(&mut errors, e))
                .ok(),
            _ => {
                errors.push(FieldError::new(
                    "appointment_id",
                    "required",
                    Text::new(Key::ClinicWorklistTarget),
                ));
                None
            }
        };
        let modality = given(&self.modality).unwrap_or_else(|| "US".to_owned());
        if modality.len() > 16
            || !modality
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            errors.push(FieldError::new(
                "modality",
                "format",
                Text::new(Key::ClinicWorklistModality),
            ));
        }
        let station = given(&self.station_ae_title);
        if let Some(ae) = &station
            && (ae.len() > 16
                || !ae
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-')))
        {
            errors.push(FieldError::new(
                "station_ae_title",
                "format",
                Text::new(Key::ClinicWorklistStation),
            ));
        }
        let description = given(&self.description);
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > DESCRIPTION_MAX || d.contains('\\'))
        {
            errors.push(FieldError::new(
                "description",
                "length",
                Text::new(Key::RuleLengthMax)
                    .field("field", "description")
                    .with("max", DESCRIPTION_MAX as i64),
            ));
        }
        match target {
            Some(target) if errors.is_empty() => Ok((
                target,
                Step {
                    modality,
                    station,
                    description,
                },
            )),
            _ => Err(Error::Validation(errors)),
        }
    }
}

fn push(errors: &mut Vec<FieldError>, error: Error) {
    if let Error::Validation(mut fields) = error {
        errors.append(&mut fields);
    }
}

/// DICOM's code for a patient's sex.
fn dicom_sex(sex: Option<Sex>) -> Option<String> {
    match sex? {
        Sex::Male => Some("M".to_owned()),
        Sex::Female => Some("F".to_owned()),
        Sex::Other => Some("O".to_owned()),
        Sex::Unknown => None,
    }
}

/// The digits of an accession number (`ACC0000000042` → `0000000042`), for the ids derived from it.
fn accession_digits(accession: &str) -> &str {
    accession.trim_start_matches(|c: char| c.is_ascii_alphabetic())
}

/// Publishes the worklist and answers modalities.
#[derive(Clone)]
pub struct WorklistService {
    worklist: Arc<dyn WorklistRepository>,
    patients: Arc<dyn PatientRepository>,
    appointments: Arc<dyn AppointmentRepository>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
}

impl fmt::Debug for WorklistService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorklistService").finish_non_exhaustive()
    }
}

impl WorklistService {
    pub fn new(
        worklist: Arc<dyn WorklistRepository>,
        patients: Arc<dyn PatientRepository>,
        appointments: Arc<dyn AppointmentRepository>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
    ) -> Self {
        Self {
            worklist,
            patients,
            appointments,
            clock,
            ids,
        }
    }

    /// Publishes the entry for an appointment (404 when there is none; 409 once it is in review,
    /// completed, cancelled or a no-show) or for a patient alone (404 when there is none or it was
    /// deleted).
    pub fn send(&self, who: &Who, target: &WorklistTarget) -> Result<WorklistEntry> {
        let (target, step) = target.validate()?;
        let now = self.clock.now();
        // What differs between the two targets; the entry is built from it in one place below.
        let (appointment_id, patient, accession, start_date, start_time, procedure, physician) =
            match target {
                For::Appointment(id) => {
                    let record = self
                        .appointments
                        .find(id)?
                        .ok_or_else(appointment_not_found)?;
                    let appointment = record.appointment;
                    if WORKLIST_CLOSED.contains(&appointment.status) {
                        return Err(Error::conflict(
                            Text::new(Key::ClinicWorklistClosed)
                                .with("status", appointment.status.as_str()),
                        ));
                    }
                    let patient = self
                        .patients
                        .find(appointment.patient_id)?
                        .ok_or_else(patient_not_found)?;
                    (
                        Some(id),
                        patient,
                        appointment.accession_number,
                        appointment.slot.date,
                        appointment.slot.time,
                        step.description.clone().or(appointment.department),
                        record.doctor_name,
                    )
                }
                For::Patient(id) => {
                    let patient = self
                        .patients
                        .find(id)?
                        .filter(|p| p.deleted_at.is_none())
                        .ok_or_else(patient_not_found)?;
                    (
                        None,
                        patient,
                        self.worklist.next_accession()?,
                        now.date(),
                        time::Time::from_hms(now.hour(), now.minute(), 0)
                            .unwrap_or(time::Time::MIDNIGHT),
                        step.description.clone(),
                        None,
                    )
                }
            };
        let digits = accession_digits(&accession).to_owned();
        let entry = WorklistEntry {
            id: WorklistId::generate(self.ids.as_ref()),
            appointment_id,
            patient_id: patient.id,
            patient_name: patient.details.name,
            patient_mrn: patient.mrn,
            patient_birth_date: patient.details.birth_date,
            patient_sex: dicom_sex(patient.details.sex),
            requested_procedure_id: format!("RP{digits}"),
            scheduled_step_id: format!("SPS{digits}"),
            accession_number: accession,
            requested_procedure_description: procedure,
            study_instance_uid: Uid::from_uuid(self.ids.new_id()),
            modality: step.modality,
            station_ae_title: step.station,
            start_date,
            start_time,
            step_description: step.description,
            performing_physician: physician,
            created_at: now,
            created_by: who.actor.clone(),
        };
        let audit = who.audit(
            self.ids.as_ref(),
            now,
            AuditAction::WorklistSend,
            Some(entry.patient_id),
            Some(entry.id.to_string()),
        );
        self.worklist.publish(&entry, &audit)
    }

    /// The entries a modality's query matches (entries of appointments in review or later, and
    /// past entries for a patient alone, are no longer listed).
    pub fn find(&self, query: &WorklistQuery) -> Result<Vec<WorklistEntry>> {
        let today = self.clock.now().date();
        Ok(self
            .worklist
            .active(today)?
            .into_iter()
            .filter(|entry| query.matches(entry))
            .collect())
    }
}
