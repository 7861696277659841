//! The clinic system: staff, patients, appointments, reports, their audit trail and real-time
//! events. (Imaging joins it with the DICOM capability.)
//!
//! - [`ids`]: the clinic's id types.
//! - [`policy`]: which roles may take which action, the one table every route is checked against.
//! - [`audit`]: who read or wrote which patient's data, and its port.
//! - [`events`]: what is pushed to staff as it happens, and the port that carries it.
//! - [`patient`], [`search`], [`patients`]: patients, how search folds text, their use cases.
//! - [`appointment`], [`appointment_status`], [`appointments`]: appointments, their lifecycle,
//!   their use cases; [`patient_ports`]: the ports of both.

pub mod appointment;
pub mod appointment_status;
pub mod appointments;
pub mod audit;
pub mod events;
pub mod ids;
pub mod patient;
pub mod patient_ports;
pub mod patients;
pub mod policy;
pub mod search;

pub use audit::{AuditAction, AuditEntry, AuditFilter, AuditRepository, ObjectKind, Who};
pub use events::{ClinicEvent, ClinicEventKind, ClinicEventSink};
pub use ids::{AppointmentId, AuditId, PatientId, ReportId, StaffId};
pub use policy::Action;
// Clinic: patients and appointments.
pub use appointment::{
    Appointment, AppointmentFilter, AppointmentPatch, AppointmentRecord, Booking, BookingInput,
    BookingRefusal, HistoryEntry, PatientSummary, Slot,
};
pub use appointment_status::AppointmentStatus;
pub use appointments::AppointmentService;
pub use patient::{
    HardDelete, Patient, PatientDetails, PatientInput, PatientPatch, PatientQuery, PatientSort,
    Sex, SortOrder,
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
pub use patient_ports::{MockAppointmentRepository, MockPatientRepository};

/// Tests of the patient and appointment services against mocks of the ports.
#[cfg(test)]
mod patients_tests;
