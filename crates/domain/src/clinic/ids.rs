//! Ids of the clinic context, each its own type so that a patient's id cannot be passed where an
//! appointment's is meant.

use std::fmt;

use uuid::Uuid;

use crate::Result;
use crate::kernel::ids::{IdGenerator, parse_uuid, uuid_id};

uuid_id!(
    /// A staff account ([003] calls them admins); the `sub` of the tokens it logs in for.
    StaffId
);
uuid_id!(
    /// A patient of the clinic.
    PatientId
);
uuid_id!(
    /// An appointment.
    AppointmentId
);
uuid_id!(
    /// A report on a patient (and, when there is one, an imaging study).
    ReportId
);
uuid_id!(
    /// An entry of the audit log.
    AuditId
);
uuid_id!(
    /// An imaging study in the index (its DICOM Study Instance UID is a separate, external id).
    StudyId
);
uuid_id!(
    /// A series of a study in the index.
    SeriesId
);
uuid_id!(
    /// One stored DICOM instance (an image, a clip, a structured report).
    ImageId
);
uuid_id!(
    /// A published modality worklist entry.
    WorklistId
);
