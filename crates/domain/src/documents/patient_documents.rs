//! A clinic patient's documents: uploaded by receptionists and doctors, read by the clinical roles,
//! hidden at once by a doctor or admin and removed after the retention period. Every upload, read,
//! download and delete is in the audit log with its patient.

use std::fmt;
use std::sync::Arc;

use super::document::{
    Document, DocumentId, DocumentKind, Owner, Saved, display_text, document_not_found,
};
use super::service::{DocumentService, Filing, Linked, Upload};
use crate::clinic::patient::patient_not_found;
use crate::clinic::patient_ports::PatientRepository;
use crate::clinic::{AuditAction, AuditRepository, PatientId, Who};
use crate::kernel::code::Code;
use crate::kernel::paging::{Page, PageRequest};
use crate::{Error, Result};

/// What the uploader says of a clinic document, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientFiling {
    pub title: Option<String>,
    pub kind: Option<String>,
    /// The part's file name, kept as its display name.
    pub file_name: Option<String>,
}

/// The clinic's patient documents.
#[derive(Clone)]
pub struct PatientDocumentService {
    documents: DocumentService,
    patients: Arc<dyn PatientRepository>,
    audit: Arc<dyn AuditRepository>,
}

impl fmt::Debug for PatientDocumentService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatientDocumentService")
            .finish_non_exhaustive()
    }
}

impl PatientDocumentService {
    pub fn new(
        documents: DocumentService,
        patients: Arc<dyn PatientRepository>,
        audit: Arc<dyn AuditRepository>,
    ) -> Self {
        Self {
            documents,
            patients,
            audit,
        }
    }

    /// Whether documents may be filed under `patient` (a live patient): checked before an upload's
    /// body is read, and again when it is saved.
    pub fn accepts(&self, patient: PatientId) -> Result<()> {
        self.live_patient(patient)
    }

    fn live_patient(&self, id: PatientId) -> Result<()> {
        self.patients
            .find(id)?
            .filter(|p| p.deleted_at.is_none())
            .map(|_| ())
            .ok_or_else(patient_not_found)
    }

    /// A live document of a live patient; anything else is 404.
    fn live(&self, id: DocumentId) -> Result<(Document, PatientId)> {
        let document = self
            .documents
            .ports()
            .repository
            .find(id)?
            .filter(|d| d.deleted_at.is_none())
            .ok_or_else(document_not_found)?;
        let Owner::Patient(patient) = document.owner else {
            return Err(document_not_found());
        };
        self.live_patient(patient)
            .map_err(|_| document_not_found())?;
        Ok((document, patient))
    }

    fn record(
        &self,
        who: &Who,
        action: AuditAction,
        patient: PatientId,
        id: DocumentId,
    ) -> Result<()> {
        let ports = self.documents.ports();
        let entry = who.audit(
            ports.ids.as_ref(),
            ports.clock.now(),
            action,
            Some(patient),
            Some(id.to_string()),
        );
        self.audit.record(&entry)
    }

    /// Files an upload under a patient. `title` defaults to the file name; `kind` to `other`. The
    /// same bytes already filed for this patient answer that document (`created` false) and store
    /// nothing. The upload is dropped on any refusal.
    pub fn upload(
        &self,
        who: &Who,
        patient: PatientId,
        upload: Upload,
        filing: PatientFiling,
    ) -> Result<Linked> {
        let checked = self.check(patient, &filing);
        let (name, title, kind) = match checked {
            Ok(parts) => parts,
            Err(e) => {
                self.documents.discard(upload)?;
                return Err(e);
            }
        };
        let ports = self.documents.ports();
        let entry = who.audit(
            ports.ids.as_ref(),
            ports.clock.now(),
            AuditAction::DocumentUpload,
            Some(patient),
            None,
        );
        let filing = Filing {
            owner: Owner::Patient(patient),
            name,
            title: Some(title),
            kind: Some(kind),
            by: who.actor.clone(),
        };
        let saved = self.documents.save(upload, filing, Some(entry))?;
        if let Saved::Existing(document) = &saved {
            self.record(who, AuditAction::DocumentUpload, patient, document.id)?;
        }
        self.documents.linked(saved)
    }

    /// The display name, title and kind of an upload, checked; the patient must be live.
    fn check(
        &self,
        patient: PatientId,
        filing: &PatientFiling,
    ) -> Result<(String, String, DocumentKind)> {
        let mut errors = Vec::new();
        let name = filing
            .file_name
            .as_deref()
            .and_then(|n| display_text("file", n).ok())
            .unwrap_or_else(|| "document".to_owned());
        let title = match filing.title.as_deref() {
            Some(t) => display_text("title", t)
                .map_err(|e| collect(&mut errors, e))
                .unwrap_or_default(),
            None => name.clone(),
        };
        let kind = match filing.kind.as_deref() {
            Some(k) => DocumentKind::parse_field("kind", k.trim())
                .map_err(|e| collect(&mut errors, e))
                .unwrap_or(DocumentKind::Other),
            None => DocumentKind::Other,
        };
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        self.live_patient(patient)?;
        Ok((name, title, kind))
    }

    /// A page of a live patient's documents, newest first.
    pub fn list(&self, who: &Who, patient: PatientId, page: PageRequest) -> Result<Page<Linked>> {
        self.live_patient(patient)?;
        let found = self
            .documents
            .ports()
            .repository
            .list_for_patient(patient, page)?;
        let ports = self.documents.ports();
        let entry = who.audit(
            ports.ids.as_ref(),
            ports.clock.now(),
            AuditAction::DocumentRead,
            Some(patient),
            None,
        );
        self.audit.record(&entry)?;
        let mut items = Vec::with_capacity(found.items.len());
        for document in found.items {
            items.push(self.documents.linked(Saved::Existing(document))?);
        }
        Ok(Page {
            items,
            total: found.total,
            request: found.request,
        })
    }

    /// One document, with a fresh link.
    pub fn read(&self, who: &Who, id: DocumentId) -> Result<Linked> {
        let (document, patient) = self.live(id)?;
        self.record(who, AuditAction::DocumentRead, patient, id)?;
        self.documents.linked(Saved::Existing(document))
    }

    /// A document to download, recorded as downloaded; its bytes are then read through
    /// [`DocumentService::open`].
    pub fn download(&self, who: &Who, id: DocumentId) -> Result<Document> {
        let (document, patient) = self.live(id)?;
        self.record(who, AuditAction::DocumentDownload, patient, id)?;
        Ok(document)
    }

    /// Hides a document at once; its bytes go with the retention job.
    pub fn delete(&self, who: &Who, id: DocumentId) -> Result<()> {
        let (_, patient) = self.live(id)?;
        let ports = self.documents.ports();
        let now = ports.clock.now();
        let entry = who.audit(
            ports.ids.as_ref(),
            now,
            AuditAction::DocumentDelete,
            Some(patient),
            Some(id.to_string()),
        );
        if ports.repository.hide(id, now, &entry)? {
            Ok(())
        } else {
            Err(document_not_found())
        }
    }
}

/// Keeps a field's validation errors for the one 400 that names them all.
fn collect(errors: &mut Vec<crate::FieldError>, e: Error) {
    if let Error::Validation(mut fields) = e {
        errors.append(&mut fields);
    }
}
