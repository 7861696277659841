//! [`ContactDirectory`]: how to reach users, as they told us.

use diesel::prelude::*;
use domain::kernel::ids::ActorId;
use domain::notifications::{Contact, ContactDirectory};
use time::OffsetDateTime;

use crate::connection::{Store, on_backend};
use crate::schema::user_contacts;
use crate::sql::timestamp;

impl ContactDirectory for Store {
    fn contact(&self, recipient_id: &ActorId) -> domain::Result<Contact> {
        let email = self.with_conn(|conn| {
            Ok(user_contacts::table
                .find(recipient_id.as_str())
                .select(user_contacts::email)
                .get_result::<Option<String>>(conn)
                .optional()?)
        })?;
        Ok(Contact {
            email: email.flatten(),
        })
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
