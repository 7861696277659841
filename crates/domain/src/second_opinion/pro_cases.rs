//! What doctors and coordinators do (`/pro`): see their assignments and cases, assign specialists,
//! ask the patient for documents, give opinions, and complete a case with its final report.

use std::sync::Arc;

use super::admin_cases::eligible_doctors;
use super::assignment::{Assignment, parse_opinion, parse_requested};
use super::case::{ActorRole, CaseCommit, ReportKeys, ReviewCase, TimelineEntry, TimelineEvent};
use super::flow::{CaseFlow, case_not_found, not_eligible, provider_name};
use super::provider::{Eligibility, Provider};
use super::report::{ReportContent, document};
use super::status::CaseAction;
use crate::kernel::blob::{self, BlobKey, BlobStore};
use crate::kernel::ids::{ActorId, SopId};
use crate::kernel::lang::Lang;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::report::ReportRenderer;
use crate::kernel::text::{Arg, Key, Text};
use crate::notifications::{
    Bilingual, DoctorNotice, DocumentsNotice, NotificationData, RecipientRole,
};
use crate::{Error, Result};

/// The largest report kept (a report is a few hundred KiB).
const MAX_REPORT_BYTES: u64 = 50 * 1024 * 1024;

fn assignment_not_found() -> Error {
    Error::not_found(Key::AssignmentNotFound)
}

/// What completing a case needs besides the flow's ports.
#[derive(Clone)]
pub struct ReportParts {
    pub renderer: Arc<dyn ReportRenderer>,
    pub blobs: Arc<dyn BlobStore>,
    /// Who issues the reports, in both languages.
    pub issuer: Bilingual,
}

impl std::fmt::Debug for ReportParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportParts")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
pub struct ProCaseService {
    flow: CaseFlow,
    report: ReportParts,
}

impl ProCaseService {
    pub fn new(flow: CaseFlow, report: ReportParts) -> Self {
        Self { flow, report }
    }

    /// The caller's active assignments, as coordinator or as specialist, newest first.
    pub fn sops(
        &self,
        doctor: &ActorId,
        coordinator: bool,
        page: PageRequest,
    ) -> Result<Page<Assignment>> {
        let assignments = &self.flow.assignments;
        Ok(Page {
            items: assignments.for_doctor(doctor, coordinator, page.limit(), page.offset())?,
            total: assignments.count_for_doctor(doctor, coordinator)?,
            request: page,
        })
    }

    /// A case the caller has a part in; any other is "Case not found".
    pub fn case(&self, doctor: &ActorId, case_id: &str) -> Result<ReviewCase> {
        let case = self.flow.case(case_id)?;
        if self.flow.has_part(&case, doctor)? {
            Ok(case)
        } else {
            Err(case_not_found())
        }
    }

    /// A case the caller has a part in, with its timeline and its active assignments. Opinions are
    /// shown to the coordinator, and to each specialist their own; others' are withheld.
    pub fn details(
        &self,
        doctor: &ActorId,
        case_id: &str,
    ) -> Result<(ReviewCase, Vec<TimelineEntry>, Vec<Assignment>)> {
        let case = self.case(doctor, case_id)?;
        let coordinator = case.case_coordinator_id.as_ref() == Some(doctor);
        let assignments = self
            .flow
            .assignments
            .for_case(case.id)?
            .into_iter()
            .filter(|a| a.active)
            .map(|a| {
                if coordinator || &a.doctor_id == doctor {
                    a
                } else {
                    Assignment { opinion: None, ..a }
                }
            })
            .collect();
        let timeline = self.flow.cases.timeline(case.id)?;
        Ok((case, timeline, assignments))
    }

    /// A case's timeline, for anyone with a part in it.
    pub fn timeline(&self, doctor: &ActorId, case_id: &str) -> Result<Vec<TimelineEntry>> {
        let case = self.case(doctor, case_id)?;
        self.flow.cases.timeline(case.id)
    }

    /// The case, for its coordinator only: others with a part are refused, strangers not told
    /// it exists.
    fn coordinated(&self, doctor: &ActorId, case_id: &str) -> Result<ReviewCase> {
        let case = self.flow.case(case_id)?;
        if case.case_coordinator_id.as_ref() == Some(doctor) {
            return Ok(case);
        }
        if self.flow.has_part(&case, doctor)? {
            return Err(Error::Forbidden(Text::new(Key::NotCaseCoordinator)));
        }
        Err(case_not_found())
    }

    /// The specialists the case's coordinator may assign.
    pub fn eligible_doctors(&self, doctor: &ActorId, case_id: &str) -> Result<Vec<Provider>> {
        let case = self.coordinated(doctor, case_id)?;
        eligible_doctors(&self.flow, &case)
    }

    /// The coordinator assigns a specialist once the case is paid; the first moves it to
    /// `doctors_assigned`.
    pub fn assign_doctor(
        &self,
        coordinator: &ActorId,
        case_id: &str,
        doctor_id: &str,
        requested: Option<Vec<String>>,
    ) -> Result<Assignment> {
        let requested = parse_requested("requested_documents", requested.unwrap_or_default())?;
        let first = self.coordinated(coordinator, case_id)?;
        first.status.apply(CaseAction::AssignDoctors)?;
        let flow = &self.flow;
        let doctor_id = ActorId::parse(doctor_id)
            .map_err(|_| not_eligible(Key::NotEligibleSpecialist, doctor_id))?;
        let eligible = flow
            .providers
            .eligible(first.dc_id, Eligibility::Specialist)?;
        let Some(doctor) = eligible
            .into_iter()
            .find(|p| p.id == doctor_id && first.case_coordinator_id.as_ref() != Some(&p.id))
        else {
            return Err(not_eligible(Key::NotEligibleSpecialist, doctor_id.as_str()));
        };
        flow.retrying(|| {
            let current = flow.cases.find(first.id)?.ok_or_else(case_not_found)?;
            let status = current.status.apply(CaseAction::AssignDoctors)?;
            if flow
                .assignments
                .for_case(current.id)?
                .iter()
                .any(|a| a.active && a.doctor_id == doctor.id)
            {
                return Err(Error::conflict(
                    Text::new(Key::DoctorAlreadyAssigned).with("doctor", doctor.id.as_str()),
                ));
            }
            let now = flow.clock.now();
            let case = ReviewCase {
                status,
                doctors_assigned_date: current.doctors_assigned_date.or(Some(now)),
                version: current.version + 1,
                updated_date: now,
                ..current.clone()
            };
            let assignment = Assignment::new(
                SopId::generate(flow.ids.as_ref()),
                case.id,
                doctor.id.clone(),
                false,
                requested.clone(),
                now,
            );
            let notice = flow.case_notice(&case);
            let mut notifications = vec![flow.to_provider(
                &doctor,
                RecipientRole::Doctor,
                &case,
                NotificationData::DoctorAssigned(notice.clone()),
            )];
            if !requested.is_empty() {
                notifications.push(flow.to_patient(
                    &case,
                    NotificationData::DocumentsRequested(DocumentsNotice {
                        case: notice,
                        documents: requested.clone(),
                        doctor: provider_name(&doctor),
                    }),
                ));
            }
            let mut timeline = vec![flow.entry(
                &case,
                (coordinator, ActorRole::Coordinator),
                TimelineEvent::DoctorAssigned,
                Some(current.status),
                Some(doctor.id.to_string()),
            )];
            if !requested.is_empty() {
                // Asked on the doctor's behalf: the request is theirs, as if they made it.
                timeline.push(flow.entry(
                    &case,
                    (coordinator, ActorRole::Coordinator),
                    TimelineEvent::DocumentsRequested,
                    Some(status),
                    Some(doctor.id.to_string()),
                ));
            }
            let commit = CaseCommit {
                timeline,
                notifications,
                new_assignments: vec![assignment.clone()],
                ..CaseCommit::of(case, current.version)
            };
            flow.cases.commit(&commit)?;
            Ok(assignment)
        })
    }

    /// The caller's own active assignment `sop_id`; `doctor_id` must be the caller.
    fn own_assignment(
        &self,
        caller: &ActorId,
        sop_id: &str,
        doctor_id: &str,
    ) -> Result<Assignment> {
        if doctor_id.trim() != caller.as_str() {
            return Err(Error::Forbidden(Text::new(Key::NotYourAssignment)));
        }
        let id = SopId::parse("sop_id", sop_id)?;
        self.flow
            .assignments
            .assignment(id)?
            .filter(|a| a.active && &a.doctor_id == caller)
            .ok_or_else(assignment_not_found)
    }

    /// A provider asks the patient for documents on their own assignment (`[]` withdraws the
    /// request).
    pub fn request_documents(
        &self,
        caller: &ActorId,
        sop_id: &str,
        doctor_id: &str,
        documents: Vec<String>,
    ) -> Result<Assignment> {
        let documents = parse_requested("request_documents", documents)?;
        let first = self.own_assignment(caller, sop_id, doctor_id)?;
        let flow = &self.flow;
        let doctor = flow.provider(caller)?;
        flow.retrying(|| {
            let current = flow.cases.find(first.case_id)?.ok_or_else(case_not_found)?;
            current.status.apply(CaseAction::RequestDocuments)?;
            let assignment = flow
                .assignments
                .assignment(first.id)?
                .filter(|a| a.active)
                .ok_or_else(assignment_not_found)?;
            let now = flow.clock.now();
            let case = ReviewCase {
                version: current.version + 1,
                updated_date: now,
                ..current.clone()
            };
            let changed = Assignment {
                requested_date: (!documents.is_empty()).then_some(now),
                requested_documents: documents.clone(),
                ..assignment
            };
            let role = if changed.is_coordinator {
                ActorRole::Coordinator
            } else {
                ActorRole::Doctor
            };
            let mut commit = CaseCommit {
                changed_assignments: vec![changed.clone()],
                ..CaseCommit::of(case.clone(), current.version)
            };
            if !documents.is_empty() {
                commit.timeline.push(flow.entry(
                    &case,
                    (caller, role),
                    TimelineEvent::DocumentsRequested,
                    Some(current.status),
                    Some(caller.to_string()),
                ));
                commit.notifications.push(flow.to_patient(
                    &case,
                    NotificationData::DocumentsRequested(DocumentsNotice {
                        case: flow.case_notice(&case),
                        documents: documents.clone(),
                        doctor: provider_name(&doctor),
                    }),
                ));
            }
            flow.cases.commit(&commit)?;
            Ok(changed)
        })
    }

    /// A specialist gives (or revises, until the summary is in) their opinion.
    pub fn submit_opinion(
        &self,
        caller: &ActorId,
        sop_id: &str,
        opinion: &str,
    ) -> Result<Assignment> {
        let opinion = parse_opinion("opinion", opinion)?;
        let id = SopId::parse("sop_id", sop_id)?;
        let flow = &self.flow;
        let first = flow
            .assignments
            .assignment(id)?
            .filter(|a| a.active && !a.is_coordinator && &a.doctor_id == caller)
            .ok_or_else(assignment_not_found)?;
        let doctor = flow.provider(caller)?;
        flow.retrying(|| {
            let current = flow.cases.find(first.case_id)?.ok_or_else(case_not_found)?;
            current.status.apply(CaseAction::SubmitOpinion)?;
            let now = flow.clock.now();
            let case = ReviewCase {
                version: current.version + 1,
                updated_date: now,
                ..current.clone()
            };
            let changed = Assignment {
                opinion: Some(opinion.clone()),
                opinion_date: Some(now),
                ..flow
                    .assignments
                    .assignment(first.id)?
                    .ok_or_else(assignment_not_found)?
            };
            let mut notifications = Vec::new();
            if let Some(coordinator) = &case.case_coordinator_id
                && let Ok(coordinator) = flow.provider(coordinator)
            {
                notifications.push(flow.to_provider(
                    &coordinator,
                    RecipientRole::Coordinator,
                    &case,
                    NotificationData::OpinionSubmitted(DoctorNotice {
                        case: flow.case_notice(&case),
                        doctor: provider_name(&doctor),
                    }),
                ));
            }
            let entry = flow.entry(
                &case,
                (caller, ActorRole::Doctor),
                TimelineEvent::OpinionSubmitted,
                Some(current.status),
                Some(caller.to_string()),
            );
            let commit = CaseCommit {
                timeline: vec![entry],
                notifications,
                changed_assignments: vec![changed.clone()],
                ..CaseCommit::of(case, current.version)
            };
            flow.cases.commit(&commit)?;
            Ok(changed)
        })
    }

    /// The coordinator's final summary, once every active specialist's opinion is in: the case is
    /// completed, its report generated in both languages and stored, the patient told.
    pub fn submit_summary(
        &self,
        coordinator: &ActorId,
        case_id: &str,
        summary: &str,
    ) -> Result<ReviewCase> {
        let summary = parse_opinion("summary", summary)?;
        let first = self.coordinated(coordinator, case_id)?;
        let flow = &self.flow;
        flow.retrying(|| {
            let current = flow.cases.find(first.id)?.ok_or_else(case_not_found)?;
            let status = current.status.apply(CaseAction::SubmitSummary)?;
            let assignments = flow.assignments.for_case(current.id)?;
            let specialists: Vec<&Assignment> = assignments
                .iter()
                .filter(|a| a.active && !a.is_coordinator)
                .collect();
            let missing: Vec<String> = specialists
                .iter()
                .filter(|a| a.opinion.is_none())
                .map(|a| a.doctor_id.to_string())
                .collect();
            if !missing.is_empty() {
                return Err(Error::conflict(
                    Text::new(Key::OpinionsMissing).with("doctors", Arg::Items(missing)),
                ));
            }
            let now = flow.clock.now();
            let keys = ReportKeys {
                en: report_key(&current, Lang::En)?,
                ar: report_key(&current, Lang::Ar)?,
            };
            let case = ReviewCase {
                status,
                summary: Some(summary.clone()),
                completed_date: Some(now),
                report: Some(keys.clone()),
                version: current.version + 1,
                updated_date: now,
                ..current.clone()
            };
            self.store_reports(&case, &specialists, &summary, now, &keys)?;
            let entry = flow.entry(
                &case,
                (coordinator, ActorRole::Coordinator),
                TimelineEvent::Completed,
                Some(current.status),
                None,
            );
            let notice = flow.to_patient(
                &case,
                NotificationData::ReportReady(flow.case_notice(&case)),
            );
            let commit = CaseCommit {
                timeline: vec![entry],
                notifications: vec![notice],
                ..CaseCommit::of(case.clone(), current.version)
            };
            // The reports are written first: if the commit fails, the next attempt overwrites
            // them, and a completed case always has its reports.
            flow.cases.commit(&commit)?;
            Ok(case)
        })
    }

    fn store_reports(
        &self,
        case: &ReviewCase,
        specialists: &[&Assignment],
        summary: &str,
        completed: time::OffsetDateTime,
        keys: &ReportKeys,
    ) -> Result<()> {
        let flow = &self.flow;
        let coordinator_id = case.case_coordinator_id.as_ref().ok_or_else(|| {
            Error::internal(format!("completed case {} has no coordinator", case.id))
        })?;
        let coordinator = flow.provider(coordinator_id)?;
        let doctors: Vec<Provider> = specialists
            .iter()
            .map(|a| flow.provider(&a.doctor_id))
            .collect::<Result<_>>()?;
        let content = ReportContent {
            case,
            review_type: &flow.catalogue.review_type(case.rt_id)?,
            category: &flow.catalogue.disease_category(case.dc_id)?,
            coordinator: &coordinator,
            opinions: doctors.iter().zip(specialists.iter().copied()).collect(),
            summary,
            completed,
            issuer: &self.report.issuer,
        };
        for lang in [Lang::En, Lang::Ar] {
            let pdf = self.report.renderer.render(&document(&content, lang))?;
            blob::put(
                self.report.blobs.as_ref(),
                keys.of(lang),
                &mut std::io::Cursor::new(pdf),
                MAX_REPORT_BYTES,
            )?;
        }
        Ok(())
    }
}

/// `reports/<case>/second-opinion-<lang>.pdf`.
fn report_key(case: &ReviewCase, lang: Lang) -> Result<BlobKey> {
    BlobKey::parse(&format!(
        "reports/{}/second-opinion-{}.pdf",
        case.id,
        lang.pick("en", "ar")
    ))
}
