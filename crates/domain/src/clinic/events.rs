//! What staff see happen as it happens: an appointment's status changes, a report is finalized,
//! images arrive. A write that causes an event hands it to its repository, which publishes it in
//! the same transaction (so an event is never announced for a change that rolled back); every
//! server instance then delivers it to its connected staff through a [`ClinicEventSink`].

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::PatientId;
use crate::identity::Role;

/// The kinds of event, by the `type` clients see.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
pub enum ClinicEventKind {
    #[serde(rename = "appointment.status_changed")]
    #[strum(serialize = "appointment.status_changed")]
    AppointmentStatusChanged,
    #[serde(rename = "report.finalized")]
    #[strum(serialize = "report.finalized")]
    ReportFinalized,
    #[serde(rename = "dicom.received")]
    #[strum(serialize = "dicom.received")]
    DicomReceived,
}

impl ClinicEventKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The roles that may see events of this kind: those that may read what the event is about.
    pub fn audience(self) -> &'static [Role] {
        match self {
            ClinicEventKind::AppointmentStatusChanged => super::policy::CLINICAL,
            ClinicEventKind::ReportFinalized | ClinicEventKind::DicomReceived => {
                &[Role::Doctor, Role::Technician]
            }
        }
    }

    /// Whether a caller holding `roles` may see events of this kind.
    pub fn visible_to(self, roles: &[Role]) -> bool {
        self.audience().iter().any(|r| roles.contains(r))
    }
}

/// One event, as pushed to clients: `{type, id, patient_id, at, data}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicEvent {
    #[serde(rename = "type")]
    pub kind: ClinicEventKind,
    /// The object's id (the appointment's, the report's, the image's).
    pub id: String,
    pub patient_id: Option<PatientId>,
    #[serde(with = "instant")]
    pub at: OffsetDateTime,
    /// What changed (`{"from": "waiting", "to": "in_room"}`, ...).
    pub data: serde_json::Value,
}

/// An instant as the kernel writes it everywhere (RFC 3339, UTC).
mod instant {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub(super) fn serialize<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::kernel::time::format_rfc3339(*at))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let raw = String::deserialize(d)?;
        crate::kernel::time::parse_rfc3339(&raw).map_err(serde::de::Error::custom)
    }
}

/// Delivers events to the staff connected to this instance.
///
/// Contract: `deliver` MUST NOT block (it is called from the thread that hears of events); a
/// client that cannot keep up loses its connection, not the instance its events.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ClinicEventSink: Send + Sync {
    fn deliver(&self, event: &ClinicEvent);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_as_clients_see_them() {
        let event = ClinicEvent {
            kind: ClinicEventKind::AppointmentStatusChanged,
            id: "a1".to_owned(),
            patient_id: None,
            at: time::macros::datetime!(2026-11-30 10:00 UTC),
            data: serde_json::json!({"from": "waiting", "to": "in_room"}),
        };
        let json = serde_json::to_value(&event).unwrap_or_default();
        assert_eq!(json["type"], "appointment.status_changed");
        assert_eq!(json["at"], "2026-11-30T10:00:00.000000Z");
        assert!(ClinicEventKind::ReportFinalized.visible_to(&[Role::Technician]));
        assert!(!ClinicEventKind::ReportFinalized.visible_to(&[Role::Receptionist]));
        assert!(ClinicEventKind::AppointmentStatusChanged.visible_to(&[Role::Receptionist]));
    }
}
