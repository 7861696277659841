//! The patient's side of the flow after submission: what their case shows (payment due, document
//! requests, the coordinator and the review window), answering a request, and the final report.

use time::{Duration, OffsetDateTime};

use super::assignment::Assignment;
use super::case::{
    ActorRole, CaseCommit, MAX_DOCUMENTS, MedicalDocument, ReviewCase, TimelineEvent,
};
use super::flow::{CaseFlow, case_not_found, provider_name};
use super::payment::{Payment, PaymentStatus};
use super::provider::Provider;
use super::status::{CaseAction, CaseStatus};
use crate::kernel::blob::BlobKey;
use crate::kernel::ids::{ActorId, CaseId, SopId};
use crate::kernel::lang::Lang;
use crate::kernel::text::{Key, Text};
use crate::notifications::{DoctorNotice, NotificationData, RecipientRole};
use crate::{Error, FieldError, Result};

/// A request for documents the patient has yet to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRequest {
    pub assignment: Assignment,
    /// Who asked.
    pub doctor: Provider,
}

/// When the doctors' review should be done: the review type's days from the first assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewWindow {
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
}

/// What a patient's case shows beyond its own fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseProgress {
    /// The payment while it is due.
    pub payment_due: Option<Payment>,
    pub requests: Vec<DocumentRequest>,
    /// Once doctors are assigned: who coordinates, and when to expect the review.
    pub coordinator: Option<Provider>,
    pub review_window: Option<ReviewWindow>,
}

#[derive(Clone, Debug)]
pub struct PatientFlowService {
    flow: CaseFlow,
}

impl PatientFlowService {
    pub fn new(flow: CaseFlow) -> Self {
        Self { flow }
    }

    fn owned(&self, user: &ActorId, case_id: &str) -> Result<ReviewCase> {
        let id = CaseId::parse("case_id", case_id)?;
        self.flow
            .cases
            .find_for_user(user, id)?
            .ok_or_else(case_not_found)
    }

    /// What the patient's case shows beyond its fields.
    pub fn progress(&self, case: &ReviewCase) -> Result<CaseProgress> {
        let flow = &self.flow;
        let mut progress = CaseProgress::default();
        if case.status == CaseStatus::AwaitingPayment {
            progress.payment_due = flow
                .payments
                .payment_for_case(case.id)?
                .filter(|p| p.status == PaymentStatus::Pending);
        }
        for assignment in flow.assignments.for_case(case.id)? {
            if assignment.request_outstanding() {
                let doctor = flow.provider(&assignment.doctor_id)?;
                progress
                    .requests
                    .push(DocumentRequest { assignment, doctor });
            }
        }
        if let (Some(assigned), Some(coordinator)) =
            (case.doctors_assigned_date, &case.case_coordinator_id)
        {
            progress.coordinator = Some(flow.provider(coordinator)?);
            let rt = flow.catalogue.review_type(case.rt_id)?;
            progress.review_window = Some(ReviewWindow {
                from: assigned + Duration::days(i64::from(rt.min_review_days)),
                to: assigned + Duration::days(i64::from(rt.max_review_days)),
            });
        }
        Ok(progress)
    }

    /// Adds the documents a provider asked for to the case (the same rules as adding documents to
    /// a draft), and tells that provider.
    pub fn answer_request(
        &self,
        user: &ActorId,
        case_id: &str,
        sop_id: &str,
        docs: Vec<MedicalDocument>,
    ) -> Result<ReviewCase> {
        if docs.is_empty() {
            return Err(Error::field(FieldError::new(
                "med_docs",
                "length",
                Text::new(Key::InvalidMinItems).field("field", "med_docs"),
            )));
        }
        let docs = MedicalDocument::parse_all("med_docs", docs)?;
        let first = self.owned(user, case_id)?;
        let sop = SopId::parse("sop_id", sop_id)?;
        let flow = &self.flow;
        flow.retrying(|| {
            let current = flow.cases.find(first.id)?.ok_or_else(case_not_found)?;
            let request = flow
                .assignments
                .assignment(sop)?
                .filter(|a| a.case_id == current.id && a.request_outstanding())
                .ok_or_else(|| Error::not_found(Key::RequestNotFound))?;
            current.status.apply(CaseAction::AnswerDocuments)?;
            if current.medical_documents.len() + docs.len() > MAX_DOCUMENTS {
                return Err(Error::field(FieldError::new(
                    "med_docs",
                    "length",
                    Text::new(Key::InvalidDocumentsTotal)
                        .with("max", MAX_DOCUMENTS)
                        .with("has", current.medical_documents.len())
                        .with("sent", docs.len()),
                )));
            }
            let now = flow.clock.now();
            let mut documents = current.medical_documents.clone();
            documents.extend(docs.iter().cloned());
            let case = ReviewCase {
                medical_documents: documents,
                version: current.version + 1,
                updated_date: now,
                ..current.clone()
            };
            let doctor = flow.provider(&request.doctor_id)?;
            let role = if request.is_coordinator {
                RecipientRole::Coordinator
            } else {
                RecipientRole::Doctor
            };
            let notice = flow.to_provider(
                &doctor,
                role,
                &case,
                NotificationData::DocumentsProvided(DoctorNotice {
                    case: flow.case_notice(&case),
                    doctor: provider_name(&doctor),
                }),
            );
            let entry = flow.entry(
                &case,
                (user, ActorRole::Patient),
                TimelineEvent::DocumentsProvided,
                Some(current.status),
                Some(docs.len().to_string()),
            );
            let answered = Assignment {
                answered_date: Some(now),
                ..request
            };
            let commit = CaseCommit {
                timeline: vec![entry],
                notifications: vec![notice],
                changed_assignments: vec![answered],
                ..CaseCommit::of(case.clone(), current.version)
            };
            flow.cases.commit(&commit)?;
            Ok(case)
        })
    }

    /// Where the final report of one of the patient's cases is kept, in `lang`; a case not yet
    /// completed is 409 naming its status.
    pub fn report(&self, user: &ActorId, case_id: &str, lang: Lang) -> Result<BlobKey> {
        let case = self.owned(user, case_id)?;
        match (&case.report, case.status) {
            (Some(keys), CaseStatus::Completed) => Ok(keys.of(lang).clone()),
            _ => Err(Error::conflict(
                Text::new(Key::ReportNotReady).with("status", case.status.text()),
            )),
        }
    }
}
