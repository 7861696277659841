//! The ports of the clinic's reports: their storage, which also answers for the patient and the
//! staff member a report names (read from the tables the other clinic modules own).

use super::audit::AuditEntry;
use super::events::ClinicEvent;
use super::ids::{PatientId, ReportId, StaffId};
use super::report::{Report, ReportFilter, ReportPatient, ReportRecord};
use crate::Result;
use crate::kernel::paging::{Page, PageRequest};

/// What [`ReportRepository::create`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Done,
    /// The patient does not exist, or was soft-deleted; nothing was written.
    NoPatient,
    /// The author is not a staff account; nothing was written.
    NoAuthor,
}

/// Reports as stored.
///
/// Contract:
/// - `patient` returns the patient with that id, soft-deleted or not, or `None`.
/// - `create` MUST, in one transaction, check that `report.patient_id` names a patient that is
///   not soft-deleted and that `report.doctor_id` names a staff account, insert `report` and
///   `audit`; when a check fails it writes nothing and says which.
/// - `find` returns the report with its patient and its author's names, or `None`.
/// - `list` returns the reports matching every filter set, in the filter's order (ties broken by
///   id in the same direction), one page, with the total.
/// - `update` MUST, in one transaction, write `report`'s patient, content, version and
///   `updated_at` only if the stored report is a draft at version `expected`, and insert `audit`
///   with it; it returns whether it wrote (when not, nothing was written).
/// - `finalize` likewise writes the status, `finalized_at`/`finalized_by`, version and
///   `updated_at` of `report` only if the stored report is a draft at version `expected`, with
///   `audit`, and publishes `event` in the same transaction (so it is announced only if the
///   report was finalized).
/// - `delete` removes the report only if it is a draft at version `expected`, with `audit`.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ReportRepository: Send + Sync {
    fn patient(&self, id: PatientId) -> Result<Option<ReportPatient>>;
    fn create(&self, report: &Report, audit: &AuditEntry) -> Result<Created>;
    fn find(&self, id: ReportId) -> Result<Option<ReportRecord>>;
    fn list(&self, filter: &ReportFilter, page: PageRequest) -> Result<Page<ReportRecord>>;
    fn update(&self, report: &Report, expected: i64, audit: &AuditEntry) -> Result<bool>;
    fn finalize(
        &self,
        report: &Report,
        expected: i64,
        audit: &AuditEntry,
        event: &ClinicEvent,
    ) -> Result<bool>;
    fn delete(&self, id: ReportId, expected: i64, audit: &AuditEntry) -> Result<bool>;
}

/// Whose account a caller's token names, as a staff id (`None` for a subject that is not one).
pub fn staff_of(actor: &crate::kernel::ids::ActorId) -> Option<StaffId> {
    uuid::Uuid::parse_str(actor.as_str())
        .ok()
        .map(StaffId::from_uuid)
}
