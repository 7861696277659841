//! What the case flow's services share: the ports they work through, and the pieces every change
//! writes (timeline entries, notifications, the retry of a write that lost a race).

use std::sync::Arc;

use super::assignment::Assignment;
use super::case::{
    ActorRole, AssignmentRepository, CaseRepository, ReviewCase, TimelineEntry, TimelineEvent,
};
use super::catalogue::CatalogueService;
use super::payment::PaymentRepository;
use super::provider::{Provider, ProviderRepository};
use super::status::CaseStatus;
use crate::kernel::ids::{ActorId, CaseId, IdGenerator, NotificationId, TimelineEntryId};
use crate::kernel::lang::Lang;
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::notifications::{Bilingual, CaseNotice, Notification, NotificationData, RecipientRole};
use crate::{Error, Result};

/// Writes retried after a concurrent change, before the conflict reaches the caller.
const WRITE_ATTEMPTS: usize = 3;

/// The ports of the case flow.
#[derive(Clone)]
pub struct CaseFlow {
    pub cases: Arc<dyn CaseRepository>,
    pub assignments: Arc<dyn AssignmentRepository>,
    pub payments: Arc<dyn PaymentRepository>,
    pub providers: Arc<dyn ProviderRepository>,
    pub catalogue: CatalogueService,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl std::fmt::Debug for CaseFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseFlow").finish_non_exhaustive()
    }
}

pub(crate) fn case_not_found() -> Error {
    Error::not_found(Key::CaseNotFound)
}

impl CaseFlow {
    /// A case by the id a client sent: a malformed id is a 400 naming `case_id`, an unknown one
    /// "Case not found".
    pub(crate) fn case(&self, raw: &str) -> Result<ReviewCase> {
        let id = CaseId::parse("case_id", raw)?;
        self.cases.find(id)?.ok_or_else(case_not_found)
    }

    /// Runs `attempt` again, on fresh reads, while its write loses a race with another request.
    pub(crate) fn retrying<T>(&self, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
        let mut tries = 0;
        loop {
            tries += 1;
            match attempt() {
                Err(Error::Conflict(t))
                    if t.key() == Key::CaseChanged && tries < WRITE_ATTEMPTS => {}
                other => return other,
            }
        }
    }

    /// A timeline entry for `case` (already at its new status).
    pub(crate) fn entry(
        &self,
        case: &ReviewCase,
        actor: (&ActorId, ActorRole),
        event: TimelineEvent,
        from: Option<CaseStatus>,
        note: Option<String>,
    ) -> TimelineEntry {
        TimelineEntry {
            id: TimelineEntryId::generate(self.ids.as_ref()),
            case_id: case.id,
            actor_id: actor.0.clone(),
            actor_role: actor.1,
            event,
            from_status: from,
            to_status: Some(case.status),
            note,
            created_date: case.updated_date,
        }
    }

    /// What a notification about `case` carries: its id and review type's name.
    pub(crate) fn case_notice(&self, case: &ReviewCase) -> CaseNotice {
        let rt = self.catalogue.review_type(case.rt_id).ok();
        CaseNotice {
            case_id: case.id,
            review_type: rt.map(|rt| Bilingual {
                en: rt.name_en,
                ar: rt.name_ar,
            }),
        }
    }

    /// A notification to the case's patient, in their language.
    pub(crate) fn to_patient(&self, case: &ReviewCase, data: NotificationData) -> Notification {
        self.notification(&case.user_id, RecipientRole::Patient, case.lang, case, data)
    }

    /// A notification to a provider, in their language.
    pub(crate) fn to_provider(
        &self,
        provider: &Provider,
        role: RecipientRole,
        case: &ReviewCase,
        data: NotificationData,
    ) -> Notification {
        self.notification(&provider.id, role, provider.lang, case, data)
    }

    fn notification(
        &self,
        recipient: &ActorId,
        role: RecipientRole,
        lang: Lang,
        case: &ReviewCase,
        data: NotificationData,
    ) -> Notification {
        Notification {
            id: NotificationId::generate(self.ids.as_ref()),
            recipient_id: recipient.clone(),
            recipient_role: role,
            lang,
            case_id: Some(case.id),
            data,
            created_date: case.updated_date,
        }
    }

    /// A provider who must exist (their assignment names them).
    pub(crate) fn provider(&self, id: &ActorId) -> Result<Provider> {
        self.providers
            .find_provider(id)?
            .ok_or_else(|| Error::internal(format!("provider {id} of an assignment is missing")))
    }

    /// The coordinator's active assignment of a case.
    pub(crate) fn coordinator_assignment(&self, case_id: CaseId) -> Result<Option<Assignment>> {
        Ok(self
            .assignments
            .for_case(case_id)?
            .into_iter()
            .find(|a| a.active && a.is_coordinator))
    }

    /// Whether `who` has a part in the case: its coordinator, or an active assignment.
    pub(crate) fn has_part(&self, case: &ReviewCase, who: &ActorId) -> Result<bool> {
        if case.case_coordinator_id.as_ref() == Some(who) {
            return Ok(true);
        }
        Ok(self
            .assignments
            .for_case(case.id)?
            .iter()
            .any(|a| a.active && &a.doctor_id == who))
    }
}

/// The bilingual name of a provider, for template data.
pub(crate) fn provider_name(provider: &Provider) -> Bilingual {
    Bilingual {
        en: provider.name_en.clone(),
        ar: provider.name_ar.clone(),
    }
}

/// "`who` is not eligible …": a provider that cannot take the part asked of them (named as the
/// client sent the id).
pub(crate) fn not_eligible(key: Key, who: &str) -> Error {
    Error::Unprocessable(Text::new(key).with("doctor", who.trim()))
}
