//! Who may do what on the clinic surface: [003]'s "Access:" lines as one table.
//!
//! Every clinic route names one [`Action`]; one guard at the edge checks the caller's roles against
//! [`Action::roles`] before anything is read, and the authorization matrix test walks every route
//! against this table. Where [003] gives no Access line (reading patients and appointments,
//! searching patients) the clinical roles may act (DECISIONS §9). Rules that depend on the object
//! as well as the role (one's own staff profile) are the services' to check, after this guard.

use crate::identity::Role;

/// The clinical roles: those that see patients.
pub const CLINICAL: &[Role] = &[Role::Doctor, Role::Technician, Role::Receptionist];
/// Every clinic role.
pub const ANY_STAFF: &[Role] = &[
    Role::Admin,
    Role::Doctor,
    Role::Technician,
    Role::Receptionist,
];

/// One thing a caller of the clinic surface can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    /// Reading one's own session (`/api/auth/me`, logout, the event stream) and the staff list,
    /// which shows a non-admin only their own account.
    OwnSession,
    /// Reading or changing one's own profile, or anyone's with `admin` (the service decides).
    StaffProfile,
    /// Creating accounts, deactivating them.
    ManageStaff,
    /// Changing one's own password (own only, whatever the roles).
    OwnPassword,
    ReadPatients,
    CreatePatient,
    UpdatePatient,
    /// A soft delete.
    DeletePatient,
    /// `?hard=true`.
    HardDeletePatient,
    ReadAppointments,
    CreateAppointment,
    UpdateAppointment,
    ChangeAppointmentStatus,
    /// `DELETE /api/appointments/{id}`: cancels.
    CancelAppointment,
    ScheduleAppointments,
    ViewImages,
    DownloadImages,
    SendWorklist,
    ReceiveImages,
    DeleteStudy,
    ReadReports,
    /// Create, update, finalize, delete a report.
    WriteReports,
    ReportPdf,
    ReadAudit,
    /// Listing, reading and downloading a patient's documents.
    ReadDocuments,
    UploadDocuments,
    /// Hiding a document (its bytes go after the retention period).
    DeleteDocuments,
}

impl Action {
    /// The roles any one of which allows the action.
    pub fn roles(self) -> &'static [Role] {
        use Role::{Admin, Doctor, Receptionist, Technician};
        match self {
            Action::OwnSession | Action::StaffProfile | Action::OwnPassword => ANY_STAFF,
            Action::ManageStaff | Action::HardDeletePatient | Action::ReadAudit => &[Admin],
            Action::ReadPatients | Action::ReadAppointments | Action::ReadDocuments => CLINICAL,
            Action::CreatePatient
            | Action::UpdatePatient
            | Action::DeletePatient
            | Action::CreateAppointment
            | Action::CancelAppointment
            | Action::UploadDocuments => &[Receptionist, Doctor],
            Action::DeleteDocuments => &[Doctor, Admin],
            Action::UpdateAppointment => &[Receptionist, Doctor, Technician],
            Action::ChangeAppointmentStatus
            | Action::ViewImages
            | Action::DeleteStudy
            | Action::ReadReports => &[Doctor, Technician],
            Action::ScheduleAppointments => &[Receptionist],
            Action::DownloadImages | Action::WriteReports | Action::ReportPdf => &[Doctor],
            Action::SendWorklist => &[Receptionist, Technician],
            Action::ReceiveImages => &[Technician],
        }
    }

    /// Whether a caller holding `roles` may take the action.
    pub fn allows(self, roles: &[Role]) -> bool {
        self.roles().iter().any(|r| roles.contains(r))
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_access_lines_of_003_are_the_table() {
        use Role::{Admin, Doctor, Receptionist, Technician};
        assert!(Action::CreatePatient.allows(&[Receptionist]));
        assert!(!Action::CreatePatient.allows(&[Technician]));
        assert!(Action::ReadPatients.allows(&[Technician]));
        assert!(
            !Action::ReadPatients.allows(&[Admin]),
            "admin manages staff only"
        );
        assert!(Action::HardDeletePatient.allows(&[Admin, Doctor]));
        assert!(!Action::HardDeletePatient.allows(&[Doctor]));
        assert!(Action::ChangeAppointmentStatus.allows(&[Technician]));
        assert!(!Action::ChangeAppointmentStatus.allows(&[Receptionist]));
        assert!(Action::ScheduleAppointments.allows(&[Receptionist]));
        assert!(!Action::ScheduleAppointments.allows(&[Doctor]));
        assert!(Action::DownloadImages.allows(&[Doctor]));
        assert!(!Action::DownloadImages.allows(&[Technician]));
        assert!(Action::OwnSession.allows(&[Admin]));
        assert!(!Action::OwnSession.allows(&[Role::Coordinator]));
        assert!(!Action::WriteReports.allows(&[]));
        assert!(Action::UploadDocuments.allows(&[Receptionist]));
        assert!(!Action::UploadDocuments.allows(&[Technician]));
        assert!(Action::ReadDocuments.allows(&[Technician]));
        assert!(Action::DeleteDocuments.allows(&[Admin]));
        assert!(!Action::DeleteDocuments.allows(&[Receptionist]));
    }
}
