//! The audit log: every read and write of patient data, with who did it, when, and under which
//! request. Writes record their entry in the same transaction as the change (the repositories take
//! it with the write); reads record theirs through [`AuditRepository::record`] once the data was
//! read. Entries are only ever added.

use time::OffsetDateTime;

use super::ids::{AuditId, PatientId};
use crate::Result;
use crate::identity::{Actor, Role};
use crate::kernel::ids::{ActorId, IdGenerator};
use crate::kernel::paging::{Page, PageRequest};

/// Who is acting on the clinic surface, as every clinic service takes it: the caller, their roles,
/// and the request (its id goes into the audit log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub actor: ActorId,
    pub roles: Vec<Role>,
    pub request_id: Option<String>,
}

impl Who {
    pub fn new(actor: &Actor, request_id: Option<String>) -> Self {
        Self {
            actor: actor.id.clone(),
            roles: actor.roles.clone(),
            request_id,
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// An entry of the audit log for `action` on `object`, now.
    pub fn audit(
        &self,
        ids: &dyn IdGenerator,
        at: OffsetDateTime,
        action: AuditAction,
        patient: Option<PatientId>,
        object_id: Option<String>,
    ) -> AuditEntry {
        AuditEntry {
            id: AuditId::generate(ids),
            at,
            actor: self.actor.clone(),
            action,
            patient,
            object_id,
            request_id: self.request_id.clone(),
        }
    }
}

/// What kind of object an entry is about.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ObjectKind {
    Patient,
    Appointment,
    Report,
    Study,
    Image,
    Document,
    Staff,
}

/// What was done. Its code (`patient.read`) is what the log stores and shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray)]
pub enum AuditAction {
    PatientList,
    PatientSearch,
    PatientRead,
    PatientCreate,
    PatientUpdate,
    PatientDelete,
    PatientHardDelete,
    AppointmentList,
    AppointmentRead,
    AppointmentCreate,
    AppointmentUpdate,
    AppointmentStatus,
    AppointmentCancel,
    ReportList,
    ReportRead,
    ReportCreate,
    ReportUpdate,
    ReportFinalize,
    ReportDelete,
    ReportPdf,
    StudyList,
    StudyRead,
    StudyDelete,
    ImageRead,
    ImageDownload,
    ImageReceive,
    WorklistSend,
    DocumentUpload,
    DocumentRead,
    DocumentDownload,
    DocumentDelete,
}

impl AuditAction {
    /// The stored code: `object.verb`.
    pub fn as_str(self) -> &'static str {
        use AuditAction::*;
        match self {
            PatientList => "patient.list",
            PatientSearch => "patient.search",
            PatientRead => "patient.read",
            PatientCreate => "patient.create",
            PatientUpdate => "patient.update",
            PatientDelete => "patient.delete",
            PatientHardDelete => "patient.hard_delete",
            AppointmentList => "appointment.list",
            AppointmentRead => "appointment.read",
            AppointmentCreate => "appointment.create",
            AppointmentUpdate => "appointment.update",
            AppointmentStatus => "appointment.status",
            AppointmentCancel => "appointment.cancel",
            ReportList => "report.list",
            ReportRead => "report.read",
            ReportCreate => "report.create",
            ReportUpdate => "report.update",
            ReportFinalize => "report.finalize",
            ReportDelete => "report.delete",
            ReportPdf => "report.pdf",
            StudyList => "study.list",
            StudyRead => "study.read",
            StudyDelete => "study.delete",
            ImageRead => "image.read",
            ImageDownload => "image.download",
            ImageReceive => "image.receive",
            WorklistSend => "worklist.send",
            DocumentUpload => "document.upload",
            DocumentRead => "document.read",
            DocumentDownload => "document.download",
            DocumentDelete => "document.delete",
        }
    }

    /// The action a stored code names.
    pub fn parse(code: &str) -> Option<Self> {
        <Self as strum::VariantArray>::VARIANTS
            .iter()
            .copied()
            .find(|a| a.as_str() == code)
    }

    /// The kind of object the action is about.
    pub fn object(self) -> ObjectKind {
        let code = self.as_str();
        let kind = code.split('.').next().unwrap_or_default();
        match kind {
            "patient" => ObjectKind::Patient,
            "appointment" => ObjectKind::Appointment,
            "report" => ObjectKind::Report,
            "study" => ObjectKind::Study,
            "image" | "worklist" => ObjectKind::Image,
            "document" => ObjectKind::Document,
            _ => ObjectKind::Staff,
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: OffsetDateTime,
    pub actor: ActorId,
    pub action: AuditAction,
    /// The patient whose data it was, when it was one patient's.
    pub patient: Option<PatientId>,
    /// The object's id (a patient's, an appointment's, ...), when it was one object.
    pub object_id: Option<String>,
    pub request_id: Option<String>,
}

/// What `GET /api/audit` filters on; every set field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<ActorId>,
    pub patient: Option<PatientId>,
    pub action: Option<AuditAction>,
    pub object: Option<ObjectKind>,
    /// From this instant on (inclusive).
    pub from: Option<OffsetDateTime>,
    /// Before this instant (exclusive).
    pub to: Option<OffsetDateTime>,
}

/// The audit log as stored.
///
/// Contract: `record` adds one entry (in its own transaction: for reads; writes add theirs inside
/// their own transaction); `list` returns the entries matching every filter set, newest first, one
/// page, with the total. Nothing changes or removes an entry.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AuditRepository: Send + Sync {
    fn record(&self, entry: &AuditEntry) -> Result<()>;
    fn list(&self, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>>;
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    #[test]
    fn every_action_code_reads_back() {
        for action in AuditAction::VARIANTS {
            assert_eq!(AuditAction::parse(action.as_str()), Some(*action));
        }
        assert_eq!(AuditAction::PatientRead.object(), ObjectKind::Patient);
        assert_eq!(AuditAction::ImageDownload.object(), ObjectKind::Image);
        assert_eq!(AuditAction::parse("patient.eat"), None);
    }
}
