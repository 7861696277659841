//! The clinic system: staff, patients, appointments, reports, their audit trail and real-time
//! events. (Imaging joins it with the DICOM capability.)
//!
//! - [`ids`]: the clinic's id types.
//! - [`policy`]: which roles may take which action, the one table every route is checked against.
//! - [`audit`]: who read or wrote which patient's data, and its port.
//! - [`events`]: what is pushed to staff as it happens, and the port that carries it.
//! - [`staff`], [`password`]: staff accounts, the password policy, their ports; [`staff_service`]
//!   manages them, [`login`] signs staff in and out, [`throttle`] limits failed sign-ins.

pub mod audit;
pub mod events;
pub mod ids;
pub mod login;
pub mod password;
pub mod policy;
pub mod staff;
pub mod staff_service;
pub mod throttle;

pub use audit::{AuditAction, AuditEntry, AuditFilter, AuditRepository, ObjectKind, Who};
pub use events::{ClinicEvent, ClinicEventKind, ClinicEventSink};
pub use ids::{AppointmentId, AuditId, PatientId, ReportId, StaffId};
pub use login::{DEFAULT_SESSION_TTL, LoggedIn, LoginPorts, LoginRequest, LoginService};
pub use password::{Password, PasswordHasher};
pub use policy::Action;
pub use staff::{
    CLINIC_ROLES, IssuedToken, StaffAccount, StaffFilter, StaffName, StaffRepository, StaffWrite,
    Username,
};
pub use staff_service::{Me, NewStaff, StaffChanges, StaffPorts, StaffService};
pub use throttle::{LoginThrottle, MemoryThrottle, ThrottleLimits};

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

/// Tests of the clinic services against mocks of the ports.
#[cfg(test)]
mod tests;
