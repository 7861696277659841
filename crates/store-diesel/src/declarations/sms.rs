//! Verification codes, sent through the outbox: [`OutboxCodeSender`] implements the declarations'
//! `VerificationSender` by writing an SMS notification (`verification_code`) for the person's
//! phone. The dispatcher delivers it through the configured channels; the log channel writes only
//! its id and kind, and the administrators' outbox view shows no template data, so the code stays
//! out of both.

use std::fmt;
use std::sync::Arc;

use domain::declarations::{DeclarationRequestId, VerificationCode, VerificationSender};
use domain::kernel::ids::{ActorId, IdGenerator, NotificationId};
use domain::kernel::lang::Lang;
use domain::kernel::time::Clock;
use domain::notifications::{CodeNotice, Notification, NotificationData, RecipientRole};

use crate::connection::Store;
use crate::outbox::{OutboxValues, enqueue};

/// Writes each code to the outbox as an SMS notification to the phone.
#[derive(Clone)]
pub struct OutboxCodeSender {
    store: Store,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    /// Called once a code is in the outbox, so that delivery need not wait for the next poll.
    wake: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl fmt::Debug for OutboxCodeSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxCodeSender").finish_non_exhaustive()
    }
}

impl OutboxCodeSender {
    pub fn new(store: Store, clock: Arc<dyn Clock>, ids: Arc<dyn IdGenerator>) -> Self {
        Self {
            store,
            clock,
            ids,
            wake: None,
        }
    }

    /// Calls `wake` after each code is written (committed), to wake the dispatcher.
    #[must_use]
    pub fn waking(mut self, wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        self.wake = Some(wake);
        self
    }
}

impl VerificationSender for OutboxCodeSender {
    fn send_code(
        &self,
        phone: &str,
        code: &VerificationCode,
        request_id: DeclarationRequestId,
    ) -> domain::Result<()> {
        let notification = Notification {
            id: NotificationId::generate(self.ids.as_ref()),
            // The recipient is whoever confirms this request. Not the phone: notification logs
            // and the outbox view show recipients, and they must not show addresses.
            recipient_id: ActorId::from_stored(request_id.to_string()),
            recipient_role: RecipientRole::Patient,
            // The eHealth surface speaks English, and so do its messages.
            lang: Lang::En,
            case_id: None,
            data: NotificationData::VerificationCode(CodeNotice {
                phone_number: phone.to_owned(),
                code: code.expose().to_owned(),
                declaration_request_id: request_id,
            }),
            created_date: self.clock.now(),
        };
        let values = [OutboxValues::from(&notification)];
        self.store.with_conn(|conn| enqueue(conn, &values))?;
        if let Some(wake) = &self.wake {
            wake();
        }
        Ok(())
    }
}
