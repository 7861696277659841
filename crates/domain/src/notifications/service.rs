//! Use cases around notifications: people's contact details, and the administrators' view of the
//! outbox.

use std::sync::Arc;

use super::{Contact, ContactDirectory, DeliveryStatus, OutboxMessage, OutboxRepository};
use crate::kernel::code::Code;
use crate::kernel::ids::{ActorId, NotificationId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

const MAX_EMAIL_CHARS: usize = 254;

/// A plausible address: one `@`, a dot in the domain, no spaces. Deliverability is the mail
/// server's to judge.
pub fn parse_email(raw: &str) -> Result<String> {
    let email = raw.trim();
    let valid = email.len() <= MAX_EMAIL_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(email.to_owned())
    } else {
        Err(Error::field(FieldError::new(
            "email",
            "format",
            Text::new(Key::InvalidEmail).field("field", "email"),
        )))
    }
}

/// People's contact details, as they gave them.
#[derive(Clone)]
pub struct ContactService {
    directory: Arc<dyn ContactDirectory>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ContactService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactService").finish_non_exhaustive()
    }
}

impl ContactService {
    pub fn new(directory: Arc<dyn ContactDirectory>, clock: Arc<dyn Clock>) -> Self {
        Self { directory, clock }
    }

    pub fn get(&self, user: &ActorId) -> Result<Contact> {
        self.directory.contact(user)
    }

    /// Sets or (with `None`) clears the user's email address.
    pub fn set_email(&self, user: &ActorId, email: Option<&str>) -> Result<Contact> {
        let contact = Contact {
            email: email.map(parse_email).transpose()?,
        };
        self.directory
            .save_contact(user, &contact, self.clock.now())?;
        Ok(contact)
    }
}

/// What administrators do with the outbox.
#[derive(Clone)]
pub struct OutboxService {
    outbox: Arc<dyn OutboxRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for OutboxService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxService").finish_non_exhaustive()
    }
}

impl OutboxService {
    pub fn new(outbox: Arc<dyn OutboxRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { outbox, clock }
    }

    pub fn list(&self, status: Option<&str>, page: PageRequest) -> Result<Page<OutboxMessage>> {
        let status = status
            .map(|s| DeliveryStatus::parse_field("status", s))
            .transpose()?;
        let items = self.outbox.list(status, page.limit(), page.offset())?;
        let total = self.outbox.count(status)?;
        Ok(Page {
            items,
            total,
            request: page,
        })
    }

    /// Sends a failed notification again, from its first attempt.
    pub fn retry(&self, notification_id: &str) -> Result<NotificationId> {
        let id = NotificationId::parse("notification_id", notification_id)?;
        self.outbox.requeue(id, self.clock.now())?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "a@b.co",
            " name.surname+tag@example.org ",
            "x@sub.domain.sa",
        ] {
            assert!(parse_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@@b.co", "a b@c.co", "a@.co", "a@co.", "a@b@c.co",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
