//! The ports of patients and appointments. Every write takes the audit entry it records, and writes
//! it in the same transaction as the change; a status change also publishes its event there.

use time::OffsetDateTime;

use super::appointment::{
    Appointment, AppointmentFilter, AppointmentRecord, Booking, BookingRefusal,
};
use super::appointment_status::AppointmentStatus;
use super::audit::AuditEntry;
use super::events::ClinicEvent;
use super::ids::{AppointmentId, PatientId};
use super::patient::{HardDelete, Patient, PatientDetails, PatientQuery};
use crate::Result;
use crate::kernel::ids::ActorId;
use crate::kernel::paging::{Page, PageRequest};

/// A patient to insert; the store gives the MRN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPatient {
    pub id: PatientId,
    pub details: PatientDetails,
    pub at: OffsetDateTime,
    pub by: ActorId,
}

/// Patients as stored.
///
/// Contract:
/// - `create` MUST, in one transaction, take the next value of the `mrn` counter, insert the
///   patient with MRN [`Patient::mrn_for`] of it and its [`Patient::search_text`], and insert
///   `audit`; it returns the patient as stored. Concurrent creates get distinct, sequential MRNs.
/// - `find` returns the patient, soft-deleted or not.
/// - `list` returns the patients that are not soft-deleted and whose search text contains every
///   term of `query`, ordered as it says (ties by id), one page, with the total.
/// - `update` MUST write `patient`'s details, search text, `updated_at` and `updated_by` only if it
///   is not soft-deleted, with `audit`, in one transaction; it returns whether it wrote.
/// - `soft_delete` MUST set `deleted_at` (and `updated_*`) of a patient that is not soft-deleted
///   yet, with `audit`, in one transaction; it returns whether it wrote.
/// - `hard_delete` MUST, in one transaction, remove the patient only when no appointment and no
///   report refers to it, with `audit`; otherwise it writes nothing and says what refers to it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PatientRepository: Send + Sync {
    fn create(&self, patient: &NewPatient, audit: &AuditEntry) -> Result<Patient>;
    fn find(&self, id: PatientId) -> Result<Option<Patient>>;
    fn list(&self, query: &PatientQuery, page: PageRequest) -> Result<Page<Patient>>;
    fn update(&self, patient: &Patient, audit: &AuditEntry) -> Result<bool>;
    fn soft_delete(
        &self,
        id: PatientId,
        at: OffsetDateTime,
        by: &ActorId,
        audit: &AuditEntry,
    ) -> Result<bool>;
    fn hard_delete(&self, id: PatientId, audit: &AuditEntry) -> Result<HardDelete>;
}

/// An appointment to insert; the store gives the accession number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppointment {
    pub id: AppointmentId,
    pub booking: Booking,
    pub at: OffsetDateTime,
    pub by: ActorId,
}

/// What booking several appointments came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booked {
    /// All of them, as stored, in the order given.
    All(Vec<Appointment>),
    /// None: these items (by index) were refused, and nothing was written.
    Refused(Vec<(usize, BookingRefusal)>),
}

/// What an edit of an appointment came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edited {
    Saved,
    /// The stored version is not the one read: another request changed it.
    Stale,
    Refused(BookingRefusal),
}

/// An edit to write: the appointment's new doctor, slot, department and notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentEdit {
    pub id: AppointmentId,
    /// The version read, which the write is conditional on.
    pub version: i64,
    pub booking: Booking,
    pub at: OffsetDateTime,
    pub by: ActorId,
}

/// A status change to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub id: AppointmentId,
    /// The version read, which the write is conditional on.
    pub version: i64,
    pub from: AppointmentStatus,
    pub to: AppointmentStatus,
    /// A staff id, or `dicom`.
    pub by: String,
    pub at: OffsetDateTime,
}

/// Appointments as stored.
///
/// Contract:
/// - `create` MUST book every item in one transaction, in order: for each, the patient exists and
///   is not soft-deleted, the doctor is an active staff account holding `doctor`, and no
///   appointment of that doctor that day holding its time ([`AppointmentStatus::holds_time`]),
///   including the items booked before it, overlaps it ([`super::appointment::first_overlap`]).
///   On PostgreSQL the doctor's `staff_accounts` row is locked `FOR UPDATE` before the check, so
///   two concurrent bookings of one doctor cannot both pass it. Each booked item gets the next
///   `accession` counter value ([`Appointment::accession_for`]), status `scheduled`, version 1,
///   its first history row (none → `scheduled`) and its entry of `audits` (same index). When any
///   item is refused, every refusal is reported and nothing is written.
/// - `find` returns the appointment with its patient, doctor's name and history (oldest first).
/// - `list` returns the appointments matching `filter`, by date and time (then id) in its
///   direction, one page, with the total; each filter combination MUST be answered from an index.
/// - `edit` MUST, in one transaction and only if the stored version is `edit.version`: check the doctor
///   and the overlap as `create` does (ignoring the appointment itself), write `booking`'s doctor,
///   slot, department and notes, bump the version, set `updated_*`, insert `audit`.
/// - `change_status` MUST, in one transaction and only if the stored version is `change.version`:
///   set the status, bump the version, append a history row (next `seq`), insert `audit` and
///   publish `event`; it returns whether it wrote.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AppointmentRepository: Send + Sync {
    fn create(&self, items: &[NewAppointment], audits: &[AuditEntry]) -> Result<Booked>;
    fn find(&self, id: AppointmentId) -> Result<Option<AppointmentRecord>>;
    fn list(
        &self,
        filter: &AppointmentFilter,
        page: PageRequest,
    ) -> Result<Page<AppointmentRecord>>;
    fn edit(&self, edit: &AppointmentEdit, audit: &AuditEntry) -> Result<Edited>;
    fn change_status(
        &self,
        change: &StatusChange,
        audit: &AuditEntry,
        event: &ClinicEvent,
    ) -> Result<bool>;
}
