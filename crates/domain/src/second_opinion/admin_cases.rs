//! What administrators do with cases: find them, see their whole history, assign or change the
//! coordinator (which asks the patient to pay), refuse them, and confirm a payment by hand.

use std::sync::Arc;

use crate::kernel::time::DATE_FORMAT;
use time::Date;

use super::assignment::{Assignment, parse_requested};
use super::case::{
    ActorRole, CaseCommit, CaseFilter, PaymentConfirmation, ReviewCase, TimelineEntry,
    TimelineEvent,
};
use super::flow::{CaseFlow, case_not_found, not_eligible};
use super::payment::{PaidBy, Payment, PaymentGateway, PaymentStatus};
use super::provider::{Eligibility, Provider};
use super::status::{CaseAction, CaseStatus};
use crate::kernel::code::Code;
use crate::kernel::ids::{ActorId, DiseaseCategoryId, PaymentId, ReviewTypeId, SopId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::notifications::{
    DocumentsNotice, NotificationData, PaymentNotice, RecipientRole, RejectionNotice,
};
use crate::{Error, FieldError, Result};

/// A case with everything an administrator looks at.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminCaseDetails {
    pub case: ReviewCase,
    /// Every assignment, replaced coordinators' included, oldest first.
    pub assignments: Vec<Assignment>,
    /// The providers the assignments name.
    pub providers: Vec<Provider>,
    pub payment: Option<Payment>,
    pub timeline: Vec<TimelineEntry>,
}

/// What assigning a coordinator did.
#[derive(Debug, Clone, PartialEq)]
pub struct CoordinatorOutcome {
    pub case: ReviewCase,
    pub assignment: Assignment,
    pub payment: Payment,
}

/// An administrator's case search as the client sent it; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    pub status: Option<String>,
    pub dc_id: Option<String>,
    pub rt_id: Option<String>,
    /// Part of the patient's id or of the medical history; blank is no filter.
    pub q: Option<String>,
    /// A day (`2026-01-31`, UTC), inclusive.
    pub created_from: Option<String>,
    /// A day, inclusive.
    pub created_to: Option<String>,
}

impl CaseQuery {
    /// The filter it asks for; every wrong part is named at once.
    pub fn filter(&self) -> Result<CaseFilter> {
        let mut errors = Vec::new();
        let mut filter = CaseFilter::default();
        if let Some(raw) = self.status.as_deref() {
            filter.status = collect(&mut errors, CaseStatus::parse_field("status", raw))?;
        }
        if let Some(raw) = self.dc_id.as_deref() {
            filter.dc_id = collect(&mut errors, DiseaseCategoryId::parse("dc_id", raw))?;
        }
        if let Some(raw) = self.rt_id.as_deref() {
            filter.rt_id = collect(&mut errors, ReviewTypeId::parse("rt_id", raw))?;
        }
        filter.q = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
        let from = self
            .created_from
            .as_deref()
            .map(|raw| day("created_from", raw));
        let to = self.created_to.as_deref().map(|raw| day("created_to", raw));
        if let (Some(Ok(from)), Some(Ok(to))) = (&from, &to)
            && from > to
        {
            errors.push(FieldError::new(
                "created_from",
                "order",
                Text::new(Key::RuleNotAfter)
                    .field("field", "created_from")
                    .field("other", "created_to"),
            ));
        }
        match from {
            Some(Ok(from)) => filter.created_from = Some(from.midnight().assume_utc()),
            Some(Err(e)) => errors.push(e),
            None => {}
        }
        match to {
            // The day after the last one, as the list's exclusive bound; there is none after
            // the last representable day, and then nothing is excluded.
            Some(Ok(to)) => {
                filter.created_before = to.next_day().map(|d| d.midnight().assume_utc())
            }
            Some(Err(e)) => errors.push(e),
            None => {}
        }
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(Error::Validation(errors))
        }
    }
}

/// Keeps a field's validation errors for later, so that every wrong field is named at once.
fn collect<T>(errors: &mut Vec<FieldError>, parsed: Result<T>) -> Result<Option<T>> {
    match parsed {
        Ok(v) => Ok(Some(v)),
        Err(Error::Validation(list)) => {
            errors.extend(list);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// A calendar day written exactly `YYYY-MM-DD` (RFC 3339's full-date).
fn day(field: &str, raw: &str) -> std::result::Result<Date, FieldError> {
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shaped
        .then(|| Date::parse(raw, DATE_FORMAT).ok())
        .flatten()
        .ok_or_else(|| {
            FieldError::new(
                field,
                "date",
                Text::new(Key::InvalidDate).field("field", field),
            )
        })
}

/// The longest reason for a refusal.
const MAX_REASON_CHARS: i64 = 2_000;

#[derive(Clone)]
pub struct AdminCaseService {
    flow: CaseFlow,
    gateway: Arc<dyn PaymentGateway>,
}

impl std::fmt::Debug for AdminCaseService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminCaseService").finish_non_exhaustive()
    }
}

impl AdminCaseService {
    pub fn new(flow: CaseFlow, gateway: Arc<dyn PaymentGateway>) -> Self {
        Self { flow, gateway }
    }

    /// Cases, newest first, filtered.
    pub fn list(&self, filter: CaseFilter, page: PageRequest) -> Result<Page<ReviewCase>> {
        let items = self
            .flow
            .cases
            .list_cases(&filter, page.limit(), page.offset())?;
        let total = self.flow.cases.count_cases(&filter)?;
        Ok(Page {
            items,
            total,
            request: page,
        })
    }

    pub fn details(&self, case_id: &str) -> Result<AdminCaseDetails> {
        let case = self.flow.case(case_id)?;
        let assignments = self.flow.assignments.for_case(case.id)?;
        let ids: Vec<ActorId> = assignments.iter().map(|a| a.doctor_id.clone()).collect();
        Ok(AdminCaseDetails {
            providers: self.flow.providers.find_providers(&ids)?,
            payment: self.flow.payments.payment_for_case(case.id)?,
            timeline: self.flow.cases.timeline(case.id)?,
            assignments,
            case,
        })
    }

    /// The active providers who may coordinate the case's disease category.
    pub fn eligible_coordinators(&self, case_id: &str) -> Result<Vec<Provider>> {
        let case = self.flow.case(case_id)?;
        self.flow
            .providers
            .eligible(case.dc_id, Eligibility::Coordinator)
    }

    /// The active specialists of the case's disease category who are not on it already.
    pub fn eligible_doctors(&self, case_id: &str) -> Result<Vec<Provider>> {
        let case = self.flow.case(case_id)?;
        eligible_doctors(&self.flow, &case)
    }

    /// Assigns the case's coordinator (`review → awaiting_payment`, the patient asked to pay), or
    /// changes it while the case awaits payment (the same payment link stays). Assigning the
    /// current coordinator again changes nothing.
    pub fn assign_coordinator(
        &self,
        admin: &ActorId,
        case_id: &str,
        doctor_id: &str,
        requested: Option<Vec<String>>,
    ) -> Result<CoordinatorOutcome> {
        let requested = parse_requested("requested_documents", requested.unwrap_or_default())?;
        let first = self.flow.case(case_id)?;
        let doctor = ActorId::parse(doctor_id)
            .map_err(|_| not_eligible(Key::NotEligibleCoordinator, doctor_id))?;
        let eligible = self
            .flow
            .providers
            .eligible(first.dc_id, Eligibility::Coordinator)?;
        let Some(coordinator) = eligible.into_iter().find(|p| p.id == doctor) else {
            return Err(not_eligible(Key::NotEligibleCoordinator, doctor.as_str()));
        };
        self.flow.retrying(|| {
            let case = self.flow.cases.find(first.id)?.ok_or_else(case_not_found)?;
            match case.status {
                CaseStatus::AwaitingPayment => {
                    self.change_coordinator(admin, case, &coordinator, &requested)
                }
                _ => self.first_coordinator(admin, case, &coordinator, &requested),
            }
        })
    }

    fn first_coordinator(
        &self,
        admin: &ActorId,
        current: ReviewCase,
        coordinator: &Provider,
        requested: &[String],
    ) -> Result<CoordinatorOutcome> {
        let status = current.status.apply(CaseAction::AssignCoordinator)?;
        let flow = &self.flow;
        let now = flow.clock.now();
        let rt = flow.catalogue.review_type(current.rt_id)?;
        let case = ReviewCase {
            status,
            case_coordinator_id: Some(coordinator.id.clone()),
            version: current.version + 1,
            updated_date: now,
            ..current.clone()
        };
        let assignment = Assignment::new(
            SopId::generate(flow.ids.as_ref()),
            case.id,
            coordinator.id.clone(),
            true,
            requested.to_vec(),
            now,
        );
        // One payment per case: an earlier one (a coordinator assigned, then the case somehow back
        // in review) is kept rather than doubled.
        let existing = flow.payments.payment_for_case(case.id)?;
        let payment = match &existing {
            Some(p) => p.clone(),
            None => {
                let id = PaymentId::generate(flow.ids.as_ref());
                Payment {
                    id,
                    case_id: case.id,
                    amount: rt.price,
                    status: PaymentStatus::Pending,
                    url: self.gateway.checkout_url(id),
                    created_date: now,
                    paid_date: None,
                    paid_by: None,
                }
            }
        };
        let by = (admin, ActorRole::Admin);
        let mut assigned = flow.entry(
            &case,
            by,
            TimelineEvent::CoordinatorAssigned,
            Some(current.status),
            Some(coordinator.id.to_string()),
        );
        assigned.to_status = Some(current.status);
        let awaiting = flow.entry(
            &case,
            by,
            TimelineEvent::AwaitingPayment,
            Some(current.status),
            None,
        );
        let notice = flow.case_notice(&case);
        let mut notifications = vec![
            flow.to_provider(
                coordinator,
                RecipientRole::Coordinator,
                &case,
                NotificationData::CoordinatorAssigned(notice.clone()),
            ),
            flow.to_patient(
                &case,
                NotificationData::PaymentRequested(PaymentNotice {
                    case: notice.clone(),
                    url: payment.url.clone(),
                    amount: payment.amount.major(),
                    currency: payment.amount.currency().to_string(),
                }),
            ),
        ];
        if !requested.is_empty() {
            notifications.push(flow.to_patient(
                &case,
                NotificationData::DocumentsRequested(DocumentsNotice {
                    case: notice,
                    documents: requested.to_vec(),
                    doctor: super::flow::provider_name(coordinator),
                }),
            ));
        }
        let mut timeline = vec![assigned, awaiting];
        if !requested.is_empty() {
            timeline.push(requested_entry(flow, &case, by, coordinator));
        }
        let commit = CaseCommit {
            timeline,
            notifications,
            new_assignments: vec![assignment.clone()],
            new_payment: existing.is_none().then(|| payment.clone()),
            ..CaseCommit::of(case.clone(), current.version)
        };
        flow.cases.commit(&commit)?;
        Ok(CoordinatorOutcome {
            case,
            assignment,
            payment,
        })
    }

    fn change_coordinator(
        &self,
        admin: &ActorId,
        current: ReviewCase,
        coordinator: &Provider,
        requested: &[String],
    ) -> Result<CoordinatorOutcome> {
        let flow = &self.flow;
        let payment = flow.payments.payment_for_case(current.id)?.ok_or_else(|| {
            Error::internal(format!("case {} awaits a payment it has not", current.id))
        })?;
        let old = flow.coordinator_assignment(current.id)?;
        if let Some(old) = &old
            && old.doctor_id == coordinator.id
        {
            return Ok(CoordinatorOutcome {
                case: current,
                assignment: old.clone(),
                payment,
            });
        }
        let status = current.status.apply(CaseAction::ChangeCoordinator)?;
        let now = flow.clock.now();
        let case = ReviewCase {
            status,
            case_coordinator_id: Some(coordinator.id.clone()),
            version: current.version + 1,
            updated_date: now,
            ..current.clone()
        };
        let assignment = Assignment::new(
            SopId::generate(flow.ids.as_ref()),
            case.id,
            coordinator.id.clone(),
            true,
            requested.to_vec(),
            now,
        );
        let notice = flow.case_notice(&case);
        let mut notifications = vec![flow.to_provider(
            coordinator,
            RecipientRole::Coordinator,
            &case,
            NotificationData::CoordinatorAssigned(notice.clone()),
        )];
        if !requested.is_empty() {
            notifications.push(flow.to_patient(
                &case,
                NotificationData::DocumentsRequested(DocumentsNotice {
                    case: notice.clone(),
                    documents: requested.to_vec(),
                    doctor: super::flow::provider_name(coordinator),
                }),
            ));
        }
        let mut changed = Vec::new();
        if let Some(old) = old {
            if let Ok(previous) = flow.provider(&old.doctor_id) {
                notifications.push(flow.to_provider(
                    &previous,
                    RecipientRole::Coordinator,
                    &case,
                    NotificationData::CoordinatorReplaced(notice),
                ));
            }
            changed.push(Assignment {
                active: false,
                ..old
            });
        }
        let entry = flow.entry(
            &case,
            (admin, ActorRole::Admin),
            TimelineEvent::CoordinatorChanged,
            Some(current.status),
            Some(coordinator.id.to_string()),
        );
        let mut timeline = vec![entry];
        if !requested.is_empty() {
            timeline.push(requested_entry(
                flow,
                &case,
                (admin, ActorRole::Admin),
                coordinator,
            ));
        }
        let commit = CaseCommit {
            timeline,
            notifications,
            new_assignments: vec![assignment.clone()],
            changed_assignments: changed,
            ..CaseCommit::of(case.clone(), current.version)
        };
        flow.cases.commit(&commit)?;
        Ok(CoordinatorOutcome {
            case,
            assignment,
            payment,
        })
    }

    /// Refuses a submitted case with a reason the patient reads (`review → rejected`).
    pub fn reject(&self, admin: &ActorId, case_id: &str, reason: &str) -> Result<ReviewCase> {
        let reason = reason.trim().to_owned();
        let chars = i64::try_from(reason.chars().count()).unwrap_or(i64::MAX);
        if reason.is_empty() || chars > MAX_REASON_CHARS {
            return Err(Error::field(FieldError::new(
                "reject_reason",
                "length",
                Text::new(Key::InvalidTextLength)
                    .field("field", "reject_reason")
                    .with("min", 1i64)
                    .with("max", MAX_REASON_CHARS),
            )));
        }
        let first = self.flow.case(case_id)?;
        self.flow.retrying(|| {
            let flow = &self.flow;
            let current = flow.cases.find(first.id)?.ok_or_else(case_not_found)?;
            let status = current.status.apply(CaseAction::Reject)?;
            let case = ReviewCase {
                status,
                reject_reason: Some(reason.clone()),
                version: current.version + 1,
                updated_date: flow.clock.now(),
                ..current.clone()
            };
            let entry = flow.entry(
                &case,
                (admin, ActorRole::Admin),
                TimelineEvent::Rejected,
                Some(current.status),
                Some(reason.clone()),
            );
            let notice = flow.to_patient(
                &case,
                NotificationData::CaseRejected(RejectionNotice {
                    case: flow.case_notice(&case),
                    reason: reason.clone(),
                }),
            );
            let commit = CaseCommit {
                timeline: vec![entry],
                notifications: vec![notice],
                ..CaseCommit::of(case.clone(), current.version)
            };
            flow.cases.commit(&commit)?;
            Ok(case)
        })
    }

    /// Confirms the case's payment by hand (`awaiting_payment → paid`). Idempotent: a paid case is
    /// answered as it is.
    pub fn confirm_payment(&self, admin: &ActorId, case_id: &str) -> Result<ReviewCase> {
        let case = self.flow.case(case_id)?;
        let payment = self.flow.payments.payment_for_case(case.id)?;
        match payment {
            Some(p) if p.status == PaymentStatus::Paid => Ok(case),
            Some(p) => super::payments::mark_paid(
                &self.flow,
                p,
                PaidBy::Admin(admin.clone()),
                (admin, ActorRole::Admin),
            ),
            // No payment yet: the transition says why (the case is not awaiting payment).
            None => case
                .status
                .apply(CaseAction::ConfirmPayment)
                .and_then(|_| Err(Error::internal(format!("case {} has no payment", case.id)))),
        }
    }
}

/// The timeline's note that documents were asked for on the coordinator's behalf.
fn requested_entry(
    flow: &CaseFlow,
    case: &ReviewCase,
    by: (&ActorId, ActorRole),
    coordinator: &Provider,
) -> TimelineEntry {
    flow.entry(
        case,
        by,
        TimelineEvent::DocumentsRequested,
        Some(case.status),
        Some(coordinator.id.to_string()),
    )
}

/// The active specialists of the case's category, less its coordinator and those already on it.
pub(crate) fn eligible_doctors(flow: &CaseFlow, case: &ReviewCase) -> Result<Vec<Provider>> {
    let on_case: Vec<ActorId> = flow
        .assignments
        .for_case(case.id)?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| a.doctor_id)
        .collect();
    Ok(flow
        .providers
        .eligible(case.dc_id, Eligibility::Specialist)?
        .into_iter()
        .filter(|p| !on_case.contains(&p.id) && case.case_coordinator_id.as_ref() != Some(&p.id))
        .collect())
}

/// What confirming a payment records, for a commit.
pub(crate) fn confirmation(
    payment: &Payment,
    at: time::OffsetDateTime,
    by: PaidBy,
) -> PaymentConfirmation {
    PaymentConfirmation {
        payment_id: payment.id,
        at,
        by,
    }
}
