//! [`VerificationRepository`]: verification codes sent by SMS, kept as salted digests. A new code
//! cancels the phone's earlier ones in its own transaction; an attempt is a conditional write on
//! the attempts the code was read with.

use diesel::prelude::*;
use domain::declarations::{CodeHash, OtpStatus, Verification, VerificationRepository};
use domain::kernel::blob::Sha256;
use domain::kernel::code::Code;

use super::TxError;
use crate::connection::{Store, write_transaction};
use crate::schema::verifications;
use crate::sql::{
    RowName, hex, id_text, parse_hex, parse_id, parse_stored, parse_timestamp, timestamp,
};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = verifications)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct VerificationRow {
    verification_id: String,
    phone_number: String,
    declaration_request_id: Option<String>,
    code_salt: String,
    code_digest: String,
    status: String,
    attempts_count: i32,
    code_expired_at: String,
    inserted_at: String,
}

/// `raw` hex of exactly `N` bytes.
fn fixed<const N: usize>(what: &str, raw: &str) -> domain::Result<[u8; N]> {
    let bytes = parse_hex(what, raw)?;
    <[u8; N]>::try_from(bytes.as_slice())
        .map_err(|_| domain::Error::internal(format!("stored {what} is not {N} bytes")))
}

impl TryFrom<VerificationRow> for Verification {
    type Error = domain::Error;

    fn try_from(row: VerificationRow) -> domain::Result<Self> {
        let owner = RowName("verification", &row.verification_id);
        let attempts = u32::try_from(row.attempts_count).map_err(|_| {
            domain::Error::internal(format!("stored attempts_count of {owner} is negative"))
        })?;
        Ok(Verification {
            id: parse_id(&row.verification_id)?,
            phone_number: row.phone_number,
            declaration_request_id: row
                .declaration_request_id
                .as_deref()
                .map(parse_id)
                .transpose()?,
            code_hash: CodeHash {
                salt: fixed(&format!("code_salt of {owner}"), &row.code_salt)?,
                digest: Sha256(fixed(&format!("code_digest of {owner}"), &row.code_digest)?),
            },
            status: parse_stored("status", &owner, &row.status)?,
            attempts_count: attempts,
            code_expired_at: parse_timestamp(&row.code_expired_at)?,
            inserted_at: parse_timestamp(&row.inserted_at)?,
        })
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = verifications, treat_none_as_default_value = false)]
struct VerificationValues<'a> {
    verification_id: String,
    phone_number: &'a str,
    declaration_request_id: Option<String>,
    code_salt: String,
    code_digest: String,
    status: &'static str,
    attempts_count: i32,
    code_expired_at: String,
    inserted_at: String,
}

/// A count of attempts as stored; the policy allows a handful, far below `i32::MAX`.
fn attempts_column(attempts: u32) -> i32 {
    i32::try_from(attempts).unwrap_or(i32::MAX)
}

impl<'a> From<&'a Verification> for VerificationValues<'a> {
    fn from(v: &'a Verification) -> Self {
        VerificationValues {
            verification_id: id_text(v.id),
            phone_number: &v.phone_number,
            declaration_request_id: v.declaration_request_id.map(id_text),
            code_salt: hex(&v.code_hash.salt),
            code_digest: hex(&v.code_hash.digest.0),
            status: v.status.as_str(),
            attempts_count: attempts_column(v.attempts_count),
            code_expired_at: timestamp(v.code_expired_at),
            inserted_at: timestamp(v.inserted_at),
        }
    }
}

/// Marks `phone`'s `New` codes `Cancelled`, on `conn`; returns how many.
fn cancel_new(conn: &mut crate::DbConnection, phone: &str) -> QueryResult<usize> {
    diesel::update(
        verifications::table
            .filter(verifications::phone_number.eq(phone))
            .filter(verifications::status.eq(OtpStatus::New.as_str())),
    )
    .set(verifications::status.eq(OtpStatus::Cancelled.as_str()))
    .execute(conn)
}

impl VerificationRepository for Store {
    fn store(&self, verification: &Verification) -> domain::Result<()> {
        let values = VerificationValues::from(verification);
        self.with_conn(|db| {
            Ok(write_transaction(db, |conn| {
                cancel_new(conn, values.phone_number)?;
                diesel::insert_into(verifications::table)
                    .values(&values)
                    .execute(conn)?;
                Ok::<_, TxError>(())
            }))
        })?
        .map_err(domain::Error::from)
    }

    fn latest(&self, phone_number: &str) -> domain::Result<Option<Verification>> {
        // `verifications_phone` walked backwards from the phone's newest code.
        let row = self.with_conn(|conn| {
            Ok(verifications::table
                .filter(verifications::phone_number.eq(phone_number))
                .order((
                    verifications::inserted_at.desc(),
                    verifications::verification_id.desc(),
                ))
                .select(VerificationRow::as_select())
                .first(conn)
                .optional()?)
        })?;
        row.map(Verification::try_from).transpose()
    }

    fn record_attempt(
        &self,
        verification: &Verification,
        previous_attempts: u32,
    ) -> domain::Result<bool> {
        // The attempts count read is the claim: of two tries of one code, PostgreSQL makes the
        // second wait and re-check its WHERE against the committed row, which no longer matches;
        // SQLite runs one write at a time.
        let updated = self.with_conn(|conn| {
            Ok(diesel::update(
                verifications::table
                    .filter(verifications::verification_id.eq(id_text(verification.id)))
                    .filter(verifications::status.eq(OtpStatus::New.as_str()))
                    .filter(verifications::attempts_count.eq(attempts_column(previous_attempts))),
            )
            .set((
                verifications::status.eq(verification.status.as_str()),
                verifications::attempts_count.eq(attempts_column(verification.attempts_count)),
            ))
            .execute(conn)?)
        })?;
        Ok(updated > 0)
    }

    fn cancel(&self, phone_number: &str) -> domain::Result<u64> {
        let cancelled = self.with_conn(|conn| Ok(cancel_new(conn, phone_number)?))?;
        Ok(cancelled as u64)
    }
}
