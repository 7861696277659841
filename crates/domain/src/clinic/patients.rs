//! The patient use cases: create, read, list, search, update, delete (soft, or hard for `admin`).
//! Every one records its audit entry: writes in their own transaction, reads once read.

use std::fmt;
use std::sync::Arc;

use super::audit::{AuditAction, AuditRepository, Who};
use super::ids::PatientId;
use super::patient::{
    HardDelete, Patient, PatientInput, PatientPatch, PatientQuery, patient_not_found,
};
use super::patient_ports::{NewPatient, PatientRepository};
use super::search::terms;
use crate::identity::Role;
use crate::kernel::ids::IdGenerator;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Arg, Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// The patients of the clinic.
#[derive(Clone)]
pub struct PatientService {
    patients: Arc<dyn PatientRepository>,
    audit: Arc<dyn AuditRepository>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
}

impl fmt::Debug for PatientService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatientService").finish_non_exhaustive()
    }
}

impl PatientService {
    pub fn new(
        patients: Arc<dyn PatientRepository>,
        audit: Arc<dyn AuditRepository>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
    ) -> Self {
        Self {
            patients,
            audit,
            clock,
            ids,
        }
    }

    /// A new patient with the next medical record number.
    pub fn create(&self, who: &Who, input: &PatientInput) -> Result<Patient> {
        let now = self.clock.now();
        let details = input.validate(now.date())?;
        let id = PatientId::generate(self.ids.as_ref());
        let entry = who.audit(
            self.ids.as_ref(),
            now,
            AuditAction::PatientCreate,
            Some(id),
            Some(id.to_string()),
        );
        let patient = NewPatient {
            id,
            details,
            at: now,
            by: who.actor.clone(),
        };
        self.patients.create(&patient, &entry)
    }

    /// A patient that was not deleted.
    fn live(&self, id: PatientId) -> Result<Patient> {
        self.patients
            .find(id)?
            .filter(|p| p.deleted_at.is_none())
            .ok_or_else(patient_not_found)
    }

    fn record(&self, who: &Who, action: AuditAction, patient: Option<PatientId>) -> Result<()> {
        let entry = who.audit(
            self.ids.as_ref(),
            self.clock.now(),
            action,
            patient,
            patient.map(|p| p.to_string()),
        );
        self.audit.record(&entry)
    }

    /// One patient; a soft-deleted one is 404.
    pub fn read(&self, who: &Who, id: PatientId) -> Result<Patient> {
        let patient = self.live(id)?;
        self.record(who, AuditAction::PatientRead, Some(id))?;
        Ok(patient)
    }

    /// A page of patients (soft-deleted ones left out).
    pub fn list(
        &self,
        who: &Who,
        query: &PatientQuery,
        page: PageRequest,
    ) -> Result<Page<Patient>> {
        let found = self.patients.list(query, page)?;
        self.record(who, AuditAction::PatientList, None)?;
        Ok(found)
    }

    /// Patients whose name (either language), phone, MRN or national id contains `q` (folded:
    /// case, accents and Arabic diacritics ignored). `q` must hold a character besides spaces.
    pub fn search(
        &self,
        who: &Who,
        q: &str,
        mut query: PatientQuery,
        page: PageRequest,
    ) -> Result<Page<Patient>> {
        query.terms = terms(q);
        if query.terms.is_empty() {
            return Err(Error::field(FieldError::new(
                "q",
                "required",
                Text::new(Key::ClinicSearchRequired).field("field", "q"),
            )));
        }
        let found = self.patients.list(&query, page)?;
        self.record(who, AuditAction::PatientSearch, None)?;
        Ok(found)
    }

    /// Changes the fields `patch` names.
    pub fn update(&self, who: &Who, id: PatientId, patch: &PatientPatch) -> Result<Patient> {
        let mut patient = self.live(id)?;
        let now = self.clock.now();
        patient.details = patch.apply(&patient.details, now.date())?;
        patient.updated_at = now;
        patient.updated_by = who.actor.clone();
        let entry = who.audit(
            self.ids.as_ref(),
            now,
            AuditAction::PatientUpdate,
            Some(id),
            Some(id.to_string()),
        );
        if !self.patients.update(&patient, &entry)? {
            return Err(patient_not_found());
        }
        Ok(patient)
    }

    /// Soft delete: the patient leaves lists and search and keeps its records.
    pub fn delete(&self, who: &Who, id: PatientId) -> Result<()> {
        let now = self.clock.now();
        let entry = who.audit(
            self.ids.as_ref(),
            now,
            AuditAction::PatientDelete,
            Some(id),
            Some(id.to_string()),
        );
        if !self.patients.soft_delete(id, now, &who.actor, &entry)? {
            return Err(patient_not_found());
        }
        Ok(())
    }

    /// Removes the record for good (`admin` only), refused with 409 while appointments or reports
    /// refer to the patient. A soft-deleted patient may be removed.
    pub fn hard_delete(&self, who: &Who, id: PatientId) -> Result<()> {
        if !who.has_role(Role::Admin) {
            return Err(Error::Forbidden(
                Text::new(Key::RolesRequired).with("choices", Arg::Choices(vec!["admin".into()])),
            ));
        }
        let entry = who.audit(
            self.ids.as_ref(),
            self.clock.now(),
            AuditAction::PatientHardDelete,
            Some(id),
            Some(id.to_string()),
        );
        match self.patients.hard_delete(id, &entry)? {
            HardDelete::Deleted => Ok(()),
            HardDelete::Missing => Err(patient_not_found()),
            HardDelete::Referenced {
                appointments,
                reports,
                studies,
                documents,
            } => Err(Error::conflict(
                Text::new(Key::ClinicPatientReferenced)
                    .with(
                        "appointments",
                        i64::try_from(appointments).unwrap_or(i64::MAX),
                    )
                    .with("reports", i64::try_from(reports).unwrap_or(i64::MAX))
                    .with("studies", i64::try_from(studies).unwrap_or(i64::MAX))
                    .with("documents", i64::try_from(documents).unwrap_or(i64::MAX)),
            )),
        }
    }
}
