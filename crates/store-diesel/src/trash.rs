//! The blob trash list (`blob_trash`): keys whose bytes are to be deleted once due. Imaging and
//! documents both reserve a key on it before writing bytes and take it off in the transaction that
//! inserts the row naming them; whatever is left when due, the sweeper deletes.

use diesel::prelude::*;
use diesel::upsert::excluded;
use domain::kernel::blob::BlobKey;

use crate::connection::{DbConnection, on_backend};
use crate::error::StoreError;
use crate::schema::blob_trash;

/// Keys per statement when many are written or removed at once, well under both backends' limits
/// on bind parameters.
pub(crate) const KEY_CHUNK: usize = 1_000;

/// Puts `keys` on the trash list due at `due` (postponing or advancing those there already).
pub(crate) fn trash(conn: &mut DbConnection, keys: &[String], due: &str) -> Result<(), StoreError> {
    for chunk in keys.chunks(KEY_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|k| (blob_trash::blob_key.eq(k), blob_trash::due_at.eq(due)))
            .collect();
        let upsert = diesel::insert_into(blob_trash::table)
            .values(rows)
            .on_conflict(blob_trash::blob_key)
            .do_update()
            .set(blob_trash::due_at.eq(excluded(blob_trash::due_at)));
        on_backend!(conn, |c| upsert.execute(c))?;
    }
    Ok(())
}

/// Takes `keys` off the trash list.
pub(crate) fn untrash(conn: &mut DbConnection, keys: &[&str]) -> Result<(), StoreError> {
    for chunk in keys.chunks(KEY_CHUNK) {
        diesel::delete(blob_trash::table.filter(blob_trash::blob_key.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}

/// Stored keys read back.
pub(crate) fn blob_keys(raw: Vec<String>) -> domain::Result<Vec<BlobKey>> {
    raw.iter().map(|k| BlobKey::parse(k)).collect()
}
