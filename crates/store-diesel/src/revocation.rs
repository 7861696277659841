//! [`RevocationRepository`]: revoked token ids, kept until the tokens would have expired anyway.

use diesel::prelude::*;
use domain::identity::RevocationRepository;
use domain::kernel::ids::TokenId;
use time::OffsetDateTime;

use crate::connection::{Store, on_backend};
use crate::error::StoreError;
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
    /// refused for their expiry alone. Returns how many were forgotten.
    pub fn purge_expired_revocations(&self, now_unix: i64) -> Result<usize, StoreError> {
        self.with_conn(|conn| {
            Ok(diesel::delete(
                revoked_tokens::table.filter(revoked_tokens::expires_at.lt(now_unix)),
            )
            .execute(conn)?)
        })
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
            on_backend!(db, |conn| insert.execute(conn))?;
            Ok(())
        })?;
        Ok(())
    }

    fn is_revoked(&self, jti: TokenId) -> domain::Result<bool> {
        let found = self.with_conn(|conn| {
            Ok(revoked_tokens::table
                .find(id_text(jti))
                .select(revoked_tokens::jti)
                .get_result::<String>(conn)
                .optional()?)
        })?;
        Ok(found.is_some())
    }
}
