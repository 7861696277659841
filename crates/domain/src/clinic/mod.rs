//! The clinic system: staff, patients, appointments, reports, their audit trail and real-time
//! events. (Imaging joins it with the DICOM capability.)
//!
//! - [`ids`]: the clinic's id types.
//! - [`policy`]: which roles may take which action, the one table every route is checked against.
//! - [`audit`]: who read or wrote which patient's data, and its port.
//! - [`events`]: what is pushed to staff as it happens, and the port that carries it.
//! - [`report`], [`report_ports`]: reports (draft, then finalized and read-only) and their storage;
//!   [`reports`] and [`report_pdf`] their use cases; [`audit_log`] reading the audit log.

pub mod audit;
pub mod audit_log;
pub mod events;
pub mod ids;
pub mod policy;
pub mod report;
pub mod report_pdf;
pub mod report_ports;
pub mod reports;

pub use audit::{AuditAction, AuditEntry, AuditFilter, AuditRepository, ObjectKind, Who};
pub use events::{ClinicEvent, ClinicEventKind, ClinicEventSink};
pub use ids::{AppointmentId, AuditId, PatientId, ReportId, StaffId};
pub use policy::Action;
// Clinic: reports, the audit log, events.
pub use audit_log::{AuditQuery, AuditService};
pub use report::{
    ContentInput, Measurement, Report, ReportContent, ReportFilter, ReportPatient, ReportRecord,
    ReportSort, ReportStatus, SortOrder, StaffName, StudyRef,
};
pub use report_pdf::ReportPdfService;
pub use report_ports::{Created, ReportRepository};
pub use reports::{ReportChanges, ReportPorts, ReportQueryService, ReportWriteService};

#[cfg(any(test, feature = "mock"))]
pub use audit::MockAuditRepository;
#[cfg(any(test, feature = "mock"))]
pub use events::MockClinicEventSink;
#[cfg(any(test, feature = "mock"))]
pub use report_ports::MockReportRepository;

/// Tests of the report services against mocks of the ports.
#[cfg(test)]
mod report_tests;
