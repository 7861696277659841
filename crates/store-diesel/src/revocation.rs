//! [`RevocationRepository`]: revoked token ids, kept until the tokens would have expired anyway,
//! and in memory (see `cache.rs`) so that checking a token does not ask the database.

use diesel::prelude::*;
use domain::identity::RevocationRepository;
use domain::kernel::ids::TokenId;
use time::OffsetDateTime;

use crate::connection::{Store, on_backend, write_transaction};
use crate::error::StoreError;
use crate::events::{Event, publish};
use crate::schema::revoked_tokens;
use crate::sql::{id_text, timestamp};

#[derive(Debug, Insertable)]
#[diesel(table_name = revoked_tokens)]
struct RevokedTokenValues {
    jti: String,
    expires_at: i64,
    revoked_at: String,
}

impl Store {
    /// Forgets revocations of tokens that expired before `now_unix` (Unix seconds): such tokens are
    /// refused for their expiry alone. Also forgets store events every instance has heard by now.
    /// Returns how many revocations were forgotten.
    pub fn purge_expired_revocations(&self, now_unix: i64) -> Result<usize, StoreError> {
        let purged = self.with_conn(|conn| {
            let purged = diesel::delete(
                revoked_tokens::table.filter(revoked_tokens::expires_at.lt(now_unix)),
            )
            .execute(conn)?;
            self.purge_events(conn)?;
            Ok(purged)
        })?;
        self.caches.revocations.forget_expired(now_unix);
        Ok(purged)
    }
}

impl RevocationRepository for Store {
    fn revoke(
        &self,
        jti: TokenId,
        expires_at: i64,
        revoked_at: OffsetDateTime,
    ) -> domain::Result<()> {
        let values = RevokedTokenValues {
            jti: id_text(jti),
            expires_at,
            revoked_at: timestamp(revoked_at),
        };
        // A second revocation of the same token keeps the first record: revoking is idempotent.
        let insert = diesel::insert_into(revoked_tokens::table)
            .values(&values)
            .on_conflict_do_nothing();
        self.with_conn(|db| {
            write_transaction(db, |conn| {
                on_backend!(conn, |c| insert.execute(c))?;
                publish(conn, &Event::Revoked { jti, expires_at })
            })
        })?;
        // This instance knows at once; the others when the event reaches them.
        self.caches.revocations.insert(jti, expires_at);
        Ok(())
    }

    fn is_revoked(&self, jti: TokenId) -> domain::Result<bool> {
        if let Some(known) = self.is_revoked_in_memory(jti) {
            return Ok(known);
        }
        let found = self.with_conn(|conn| {
            Ok(revoked_tokens::table
                .find(id_text(jti))
                .select(revoked_tokens::jti)
                .get_result::<String>(conn)
                .optional()?)
        })?;
        Ok(found.is_some())
    }

    fn is_revoked_in_memory(&self, jti: TokenId) -> Option<bool> {
        self.caches
            .fresh()
            .then(|| self.caches.revocations.contains(jti))
    }
}
