//! [`ContactDirectory`]: how to reach users, as they told us, and providers, as the
//! administrators did.

use diesel::prelude::*;
use domain::kernel::ids::ActorId;
use domain::notifications::{Contact, ContactDirectory};
use time::OffsetDateTime;

use crate::connection::{Store, on_backend};
use crate::schema::{providers, user_contacts};
use crate::sql::timestamp;

impl ContactDirectory for Store {
    /// What the person saved; for someone who never saved anything, a provider's email as the
    /// administrators (or the directory sync) gave it.
    fn contact(&self, recipient_id: &ActorId) -> domain::Result<Contact> {
        let id = recipient_id.as_str();
        let email = self.with_conn(|conn| {
            let saved = user_contacts::table
                .find(id)
                .select(user_contacts::email)
                .get_result::<Option<String>>(conn)
                .optional()?;
            if let Some(saved) = saved {
                return Ok(saved);
            }
            Ok(providers::table
                .find(id)
                .select(providers::email)
                .get_result::<Option<String>>(conn)
                .optional()?
                .flatten())
        })?;
        Ok(Contact { email })
    }

    fn save_contact(
        &self,
        recipient_id: &ActorId,
        contact: &Contact,
        at: OffsetDateTime,
    ) -> domain::Result<()> {
        let at = timestamp(at);
        let email = contact.email.as_deref();
        let upsert = diesel::insert_into(user_contacts::table)
            .values((
                user_contacts::user_id.eq(recipient_id.as_str()),
                user_contacts::email.eq(email),
                user_contacts::updated_date.eq(&at),
            ))
            .on_conflict(user_contacts::user_id)
            .do_update()
            .set((
                user_contacts::email.eq(email),
                user_contacts::updated_date.eq(&at),
            ));
        self.with_conn(|db| {
            on_backend!(db, |conn| upsert.execute(conn))?;
            Ok(())
        })?;
        Ok(())
    }
}
