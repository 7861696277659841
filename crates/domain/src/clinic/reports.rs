//! The report use cases: reading (a list, one report) and writing (create, update, finalize,
//! delete). The route's guard has checked the caller's role ([`super::policy::Action`]); these
//! check what depends on the report: that it exists (404), that it is still a draft (409), that its
//! patient exists (422). Every write records its audit entry in its own transaction; reads record
//! theirs once the data was read.

use std::fmt;
use std::sync::Arc;

use serde_json::json;

use super::audit::{AuditAction, AuditRepository, Who};
use super::events::{ClinicEvent, ClinicEventKind};
use super::ids::{PatientId, ReportId, StaffId};
use super::report::{
    ContentInput, Measurement, Report, ReportAction, ReportContent, ReportFilter, ReportRecord,
    ReportStatus,
};
use super::report_ports::{Created, ReportRepository, staff_of};
use crate::kernel::ids::IdGenerator;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, Result};

/// How often a write re-reads and tries again when another write changed the report in between.
const ATTEMPTS: usize = 3;

/// What every report service reaches.
#[derive(Clone)]
pub struct ReportPorts {
    pub reports: Arc<dyn ReportRepository>,
    pub audit: Arc<dyn AuditRepository>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl fmt::Debug for ReportPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportPorts").finish_non_exhaustive()
    }
}

impl ReportPorts {
    /// The report, or 404.
    pub(crate) fn find(&self, id: ReportId) -> Result<ReportRecord> {
        self.reports
            .find(id)?
            .ok_or_else(|| Error::not_found(Key::ClinicReportNotFound))
    }

    /// Records that `who` read `action`'s data, after the read.
    pub(crate) fn record_read(
        &self,
        who: &Who,
        action: AuditAction,
        patient: Option<PatientId>,
        object: Option<ReportId>,
    ) -> Result<()> {
        let entry = who.audit(
            self.ids.as_ref(),
            self.clock.now(),
            action,
            patient,
            object.map(|id| id.to_string()),
        );
        self.audit.record(&entry)
    }
}

/// 422 naming `patient_id`: no such patient, or one that was soft-deleted.
fn unknown_patient() -> Error {
    Error::Unprocessable(Text::new(Key::ClinicReportPatientUnknown).field("field", "patient_id"))
}

/// The caller as a report's author or finalizer: a staff account.
fn author(who: &Who) -> Result<StaffId> {
    staff_of(&who.actor).ok_or_else(|| Error::Forbidden(Text::new(Key::ClinicReportAuthorUnknown)))
}

/// Reads reports.
#[derive(Clone, Debug)]
pub struct ReportQueryService {
    ports: ReportPorts,
}

impl ReportQueryService {
    pub fn new(ports: ReportPorts) -> Self {
        Self { ports }
    }

    /// A page of the reports `filter` selects, in its order.
    pub fn list(
        &self,
        who: &Who,
        filter: &ReportFilter,
        page: PageRequest,
    ) -> Result<Page<ReportRecord>> {
        let list = self.ports.reports.list(filter, page)?;
        self.ports
            .record_read(who, AuditAction::ReportList, filter.patient, None)?;
        Ok(list)
    }

    /// One report, with its measurements.
    pub fn read(&self, who: &Who, id: ReportId) -> Result<ReportRecord> {
        let record = self.ports.find(id)?;
        self.ports.record_read(
            who,
            AuditAction::ReportRead,
            Some(record.report.patient_id),
            Some(id),
        )?;
        Ok(record)
    }
}

/// What an update changes; a field left `None` keeps its value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportChanges {
    pub patient_id: Option<PatientId>,
    /// `Some(None)` removes the study.
    pub study_id: Option<Option<String>>,
    pub findings: Option<String>,
    pub impression: Option<String>,
    pub measurements: Option<Vec<Measurement>>,
}

impl ReportChanges {
    fn apply(self, mut input: ContentInput) -> ContentInput {
        if let Some(study) = self.study_id {
            input.study_id = study;
        }
        if let Some(findings) = self.findings {
            input.findings = findings;
        }
        if let Some(impression) = self.impression {
            input.impression = impression;
        }
        if let Some(measurements) = self.measurements {
            input.measurements = measurements;
        }
        input
    }
}

/// Writes reports: doctors create drafts, change them, finalize or delete them.
#[derive(Clone, Debug)]
pub struct ReportWriteService {
    ports: ReportPorts,
}

impl ReportWriteService {
    pub fn new(ports: ReportPorts) -> Self {
        Self { ports }
    }

    /// A new draft by the caller on `patient` (which must exist and not be soft-deleted: 422).
    pub fn create(
        &self,
        who: &Who,
        patient: PatientId,
        input: ContentInput,
    ) -> Result<ReportRecord> {
        let doctor = author(who)?;
        let content = ReportContent::parse(input)?;
        let p = &self.ports;
        match p.reports.patient(patient)? {
            Some(found) if !found.deleted => {}
            _ => return Err(unknown_patient()),
        }
        let now = p.clock.now();
        let report = Report {
            id: ReportId::generate(p.ids.as_ref()),
            patient_id: patient,
            doctor_id: doctor,
            content,
            status: ReportStatus::Draft,
            version: 1,
            finalized_at: None,
            finalized_by: None,
            created_at: now,
            updated_at: now,
        };
        let audit = who.audit(
            p.ids.as_ref(),
            now,
            AuditAction::ReportCreate,
            Some(patient),
            Some(report.id.to_string()),
        );
        match p.reports.create(&report, &audit)? {
            Created::Done => p.find(report.id),
            Created::NoPatient => Err(unknown_patient()),
            Created::NoAuthor => Err(Error::Forbidden(Text::new(Key::ClinicReportAuthorUnknown))),
        }
    }

    /// Changes a draft (a finalized report is 409). Absent fields keep their values.
    pub fn update(&self, who: &Who, id: ReportId, changes: ReportChanges) -> Result<ReportRecord> {
        author(who)?;
        let p = &self.ports;
        for _ in 0..ATTEMPTS {
            let stored = p.find(id)?.report;
            stored.status.apply(ReportAction::Update)?;
            let patient = changes.patient_id.unwrap_or(stored.patient_id);
            if patient != stored.patient_id {
                match p.reports.patient(patient)? {
                    Some(found) if !found.deleted => {}
                    _ => return Err(unknown_patient()),
                }
            }
            let input = changes.clone().apply(stored.content.to_input());
            let content = ReportContent::parse(input)?;
            let now = p.clock.now();
            let report = Report {
                patient_id: patient,
                content,
                version: stored.version + 1,
                updated_at: now,
                ..stored.clone()
            };
            let audit = who.audit(
                p.ids.as_ref(),
                now,
                AuditAction::ReportUpdate,
                Some(patient),
                Some(id.to_string()),
            );
            if p.reports.update(&report, stored.version, &audit)? {
                return p.find(id);
            }
        }
        Err(Error::conflict(Key::ClinicReportChanged))
    }

    /// Finalizes a draft that has findings or an impression (422 otherwise); staff connected to
    /// any instance hear of it once it is written.
    pub fn finalize(&self, who: &Who, id: ReportId) -> Result<ReportRecord> {
        let by = author(who)?;
        let p = &self.ports;
        for _ in 0..ATTEMPTS {
            let stored = p.find(id)?.report;
            let status = stored.status.apply(ReportAction::Finalize)?;
            if !stored.content.has_text() {
                return Err(Error::Unprocessable(Text::new(Key::ClinicReportEmpty)));
            }
            let now = p.clock.now();
            let report = Report {
                status,
                version: stored.version + 1,
                finalized_at: Some(now),
                finalized_by: Some(by),
                updated_at: now,
                ..stored.clone()
            };
            let audit = who.audit(
                p.ids.as_ref(),
                now,
                AuditAction::ReportFinalize,
                Some(report.patient_id),
                Some(id.to_string()),
            );
            let event = ClinicEvent {
                kind: ClinicEventKind::ReportFinalized,
                id: id.to_string(),
                patient_id: Some(report.patient_id),
                at: now,
                data: json!({
                    "doctor_id": report.doctor_id.to_string(),
                    "study_id": report.content.study_id.as_ref().map(|s| s.as_str()),
                }),
            };
            if p.reports
                .finalize(&report, stored.version, &audit, &event)?
            {
                return p.find(id);
            }
        }
        Err(Error::conflict(Key::ClinicReportChanged))
    }

    /// Deletes a draft (a finalized report is 409).
    pub fn delete(&self, who: &Who, id: ReportId) -> Result<()> {
        author(who)?;
        let p = &self.ports;
        for _ in 0..ATTEMPTS {
            let stored = p.find(id)?.report;
            stored.status.apply(ReportAction::Delete)?;
            let audit = who.audit(
                p.ids.as_ref(),
                p.clock.now(),
                AuditAction::ReportDelete,
                Some(stored.patient_id),
                Some(id.to_string()),
            );
            if p.reports.delete(id, stored.version, &audit)? {
                return Ok(());
            }
        }
        Err(Error::conflict(Key::ClinicReportChanged))
    }
}
