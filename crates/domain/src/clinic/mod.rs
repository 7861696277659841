//! The clinic system: staff, patients, appointments, reports, their audit trail and real-time
//! events. (Imaging joins it with the DICOM capability.)
//!
//! - [`ids`]: the clinic's id types.
//! - [`policy`]: which roles may take which action, the one table every route is checked against.
//! - [`audit`]: who read or wrote which patient's data, and its port.
//! - [`events`]: what is pushed to staff as it happens, and the port that carries it.

pub mod appointment;
pub mod appointment_status;
pub mod appointments;
pub mod audit;
pub mod audit_log;
pub mod events;
pub mod ids;
pub mod imaging;
pub mod login;
pub mod password;
pub mod patient;
pub mod patient_ports;
pub mod patients;
pub mod policy;
pub mod report;
pub mod report_pdf;
pub mod report_ports;
pub mod reports;
pub mod search;
pub mod staff;
pub mod staff_service;
pub mod throttle;

pub use audit::{AuditAction, AuditEntry, AuditFilter, AuditRepository, ObjectKind, Who};
pub use events::{ClinicEvent, ClinicEventKind, ClinicEventSink};
pub use ids::{
    AppointmentId, AuditId, ImageId, PatientId, ReportId, SeriesId, StaffId, StudyId, WorklistId,
};
pub use login::{DEFAULT_SESSION_TTL, LoggedIn, LoginPorts, LoginRequest, LoginService};
pub use password::{Password, PasswordHasher};
pub use policy::Action;
pub use staff::{
    CLINIC_ROLES, IssuedToken, StaffAccount, StaffFilter, StaffName, StaffRepository, StaffWrite,
    Username,
};
pub use staff_service::{Me, NewStaff, StaffChanges, StaffPorts, StaffService};
pub use throttle::{LoginThrottle, MemoryThrottle, ThrottleLimits};
// Clinic: reports, the audit log, events.
pub use audit_log::{AuditQuery, AuditService};
pub use report::{
    AuthorName, ContentInput, Measurement, Report, ReportContent, ReportFilter, ReportPatient,
    ReportRecord, ReportSort, ReportStatus, SortOrder, StudyRef,
};
pub use report_pdf::ReportPdfService;
pub use report_ports::{Created, ReportRepository};
pub use reports::{ReportChanges, ReportPorts, ReportQueryService, ReportWriteService};
// Clinic: patients and appointments.
pub use appointment::{
    Appointment, AppointmentFilter, AppointmentPatch, AppointmentRecord, Booking, BookingInput,
    BookingRefusal, HistoryEntry, PatientSummary, Slot,
};
pub use appointment_status::AppointmentStatus;
pub use appointments::AppointmentService;
pub use patient::{
    HardDelete, Patient, PatientDetails, PatientInput, PatientPatch, PatientQuery, PatientSort, Sex,
};
pub use patient_ports::{
    AppointmentEdit, AppointmentRepository, Booked, Edited, NewAppointment, NewPatient,
    PatientRepository, StatusChange,
};
pub use patients::PatientService;

#[cfg(any(test, feature = "mock"))]
pub use audit::MockAuditRepository;
#[cfg(any(test, feature = "mock"))]
pub use events::MockClinicEventSink;
#[cfg(any(test, feature = "mock"))]
pub use password::MockPasswordHasher;
#[cfg(any(test, feature = "mock"))]
pub use staff::MockStaffRepository;
#[cfg(any(test, feature = "mock"))]
pub use throttle::MockLoginThrottle;

#[cfg(any(test, feature = "mock"))]
pub use patient_ports::{MockAppointmentRepository, MockPatientRepository};
#[cfg(any(test, feature = "mock"))]
pub use report_ports::MockReportRepository;

/// Tests of the staff and sign-in services against mocks of the ports.
#[cfg(test)]
mod tests;

/// Tests of the report services against mocks of the ports.
#[cfg(test)]
mod report_tests;

/// Tests of the patient and appointment services against mocks of the ports.
#[cfg(test)]
mod patients_tests;
