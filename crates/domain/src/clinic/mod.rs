//! The clinic system: staff, patients, appointments, reports, their audit trail and real-time
//! events. (Imaging joins it with the DICOM capability.)
//!
//! - [`ids`]: the clinic's id types.
//! - [`policy`]: which roles may take which action, the one table every route is checked against.
//! - [`audit`]: who read or wrote which patient's data, and its port.
//! - [`events`]: what is pushed to staff as it happens, and the port that carries it.

pub mod audit;
pub mod events;
pub mod ids;
pub mod policy;

pub use audit::{AuditAction, AuditEntry, AuditFilter, AuditRepository, ObjectKind, Who};
pub use events::{ClinicEvent, ClinicEventKind, ClinicEventSink};
pub use ids::{AppointmentId, AuditId, PatientId, ReportId, StaffId};
pub use policy::Action;

#[cfg(any(test, feature = "mock"))]
pub use audit::MockAuditRepository;
#[cfg(any(test, feature = "mock"))]
pub use events::MockClinicEventSink;
