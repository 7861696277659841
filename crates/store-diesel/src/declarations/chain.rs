//! The declarations chain: blocks that seal declarations with a hash over them and the previous
//! block's hash, so that changing a sealed declaration, or a block, shows. [`ChainSeed`] reads the
//! latest hash; [`Store::close_declaration_block`] and [`Store::verify_declaration_chain`] close
//! and check blocks.
//!
//! # What a block's hash covers
//!
//! Block `n` seals the declarations no earlier block holds, in ascending `declaration_id` order
//! (the ids' lowercase hyphenated text, compared byte by byte; with the hyphens at the same places
//! in every id, the databases' text order is that order). Its hash is the lowercase hex of
//!
//! ```text
//! SHA-512( D_1 || D_2 || … || D_k || P )
//! ```
//!
//! where each `D_i` is one declaration as the concatenation of these eight fields, in this order:
//! `declaration_id`, `declaration_number`, `person_id`, `employee_id`, `legal_entity_id`,
//! `division_id`, `start_date` (`YYYY-MM-DD`), `declaration_request_id`; each field written as the
//! length of its UTF-8 text in 4 bytes big-endian, then that text, an absent field as length 0
//! and nothing else. `P` is the ASCII text of block `n - 1`'s hash (128 hex digits), or of
//! [`GENESIS_HASH`] for block 1.
//!
//! The fields are what a declaration is: who chose which doctor, where, from when, through which
//! request. Its `status` and `reason` are left out on purpose: they change in the ordinary course
//! of things (a declaration is terminated when a child's parent declaration is replaced), and a
//! chain that broke whenever that happened would tell nothing.
//!
//! A block needs at least one declaration: with none waiting, closing writes nothing.

use diesel::prelude::*;
use domain::declarations::{ChainAudit, ChainReport, ChainSeed, DeclarationId};
use sha2::{Digest, Sha512};
use time::OffsetDateTime;

use super::TxError;
use crate::connection::{DbConnection, Store, write_transaction};
use crate::schema::{declaration_blocks, declarations};
use crate::sql::{count, hex, parse_id, parse_timestamp, timestamp};

/// The hash before the first block: the previous hash of block 1, and the seed while no block has
/// closed. A fixed value, 128 zeros, that no SHA-512 digest is known to take.
pub const GENESIS_HASH: &str = "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";

/// Declarations read per round while hashing a block.
const CHUNK: i64 = 1_000;

/// Serializes block closing across server instances sharing a PostgreSQL database: the key of a
/// transaction-scoped advisory lock (an arbitrary constant). SQLite's `BEGIN IMMEDIATE` does the
/// same there.
const PG_CHAIN_LOCK: i64 = 0x6d65_645f_6368_6169;

/// A closed block of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBlock {
    /// 1 for the first block, then one more for each.
    pub block_number: i64,
    /// SHA-512, lowercase hex: the seed of requests approved after it closed.
    pub hash: String,
    pub previous_hash: String,
    pub declaration_count: u64,
    /// The first and last of its declarations in id order.
    pub first_declaration_id: DeclarationId,
    pub last_declaration_id: DeclarationId,
    pub closed_at: OffsetDateTime,
}

/// What is wrong with a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainBreak {
    /// No block has this number, although a later one exists.
    Missing,
    /// Its previous hash is not the hash of the block before it.
    PreviousHash,
    /// It does not hold as many declarations as when it closed.
    Count,
    /// Its declarations, as stored now, do not hash to its hash.
    Hash,
}

/// The first block found broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokenBlock {
    pub block_number: i64,
    pub reason: ChainBreak,
}

/// The outcome of [`Store::verify_declaration_chain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainVerification {
    /// Blocks found intact, from the first up to the broken one (or all of them).
    pub intact_blocks: u64,
    pub broken: Option<BrokenBlock>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = declaration_blocks)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct BlockRow {
    block_number: i64,
    hash: String,
    previous_hash: String,
    declaration_count: i64,
    first_declaration_id: String,
    last_declaration_id: String,
    closed_at: String,
}

impl TryFrom<BlockRow> for ChainBlock {
    type Error = domain::Error;

    fn try_from(row: BlockRow) -> domain::Result<Self> {
        Ok(ChainBlock {
            block_number: row.block_number,
            hash: row.hash,
            previous_hash: row.previous_hash,
            declaration_count: count(row.declaration_count),
            first_declaration_id: parse_id(&row.first_declaration_id)?,
            last_declaration_id: parse_id(&row.last_declaration_id)?,
            closed_at: parse_timestamp(&row.closed_at)?,
        })
    }
}

/// A declaration's hashed fields, as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = declarations)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct SealedRow {
    declaration_id: String,
    declaration_number: String,
    person_id: String,
    employee_id: String,
    legal_entity_id: String,
    division_id: Option<String>,
    start_date: String,
    declaration_request_id: Option<String>,
}

impl SealedRow {
    /// Feeds `D_i` (see the module's documentation).
    fn hash_into(&self, hasher: &mut Sha512) {
        for field in [
            Some(self.declaration_id.as_str()),
            Some(self.declaration_number.as_str()),
            Some(self.person_id.as_str()),
            Some(self.employee_id.as_str()),
            Some(self.legal_entity_id.as_str()),
            self.division_id.as_deref(),
            Some(self.start_date.as_str()),
            self.declaration_request_id.as_deref(),
        ] {
            let bytes = field.unwrap_or("").as_bytes();
            // Registry fields are short; a length past 4 GiB cannot be stored in the first place.
            let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
            hasher.update(len.to_be_bytes());
            hasher.update(bytes);
        }
    }
}

/// What [`feed`] hashed: how many declarations, the first and last id.
#[derive(Debug, Default)]
struct Fed {
    count: u64,
    first: Option<String>,
    last: Option<String>,
}

/// Feeds the declarations of block `block` (those in no block yet for `None`) into `hasher` in id
/// order, reading them a chunk at a time after the last id read, and hands each chunk's ids to
/// `then`.
fn feed(
    conn: &mut DbConnection,
    hasher: &mut Sha512,
    block: Option<i64>,
    mut then: impl FnMut(&mut DbConnection, &[String]) -> Result<(), TxError>,
) -> Result<Fed, TxError> {
    let mut fed = Fed::default();
    loop {
        let mut query = declarations::table
            .select(SealedRow::as_select())
            .order(declarations::declaration_id)
            .limit(CHUNK)
            .into_boxed();
        query = match block {
            Some(n) => query.filter(declarations::block_number.eq(n)),
            None => query.filter(declarations::block_number.is_null()),
        };
        if let Some(after) = &fed.last {
            query = query.filter(declarations::declaration_id.gt(after.clone()));
        }
        let rows: Vec<SealedRow> = query.load(conn)?;
        for row in &rows {
            row.hash_into(hasher);
        }
        let ids: Vec<String> = rows.into_iter().map(|r| r.declaration_id).collect();
        then(conn, &ids)?;
        fed.count += ids.len() as u64;
        if fed.first.is_none() {
            fed.first = ids.first().cloned();
        }
        let done = ids.len() < CHUNK as usize;
        if let Some(last) = ids.into_iter().last() {
            fed.last = Some(last);
        }
        if done {
            return Ok(fed);
        }
    }
}

/// The latest block's number and hash, if any block has closed.
fn latest(conn: &mut DbConnection) -> Result<Option<(i64, String)>, TxError> {
    Ok(declaration_blocks::table
        .order(declaration_blocks::block_number.desc())
        .select((declaration_blocks::block_number, declaration_blocks::hash))
        .first(conn)
        .optional()?)
}

fn close(conn: &mut DbConnection, at: OffsetDateTime) -> Result<Option<ChainBlock>, TxError> {
    if matches!(conn, DbConnection::Postgresql(_)) {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({PG_CHAIN_LOCK})"))
            .execute(conn)?;
    }
    let (number, previous) = match latest(conn)? {
        Some((n, hash)) => (n + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut hasher = Sha512::new();
    let fed = feed(conn, &mut hasher, None, |conn, ids| {
        diesel::update(declarations::table.filter(declarations::declaration_id.eq_any(ids)))
            .set(declarations::block_number.eq(number))
            .execute(conn)?;
        Ok(())
    })?;
    let (Some(first), Some(last)) = (fed.first, fed.last) else {
        return Ok(None);
    };
    hasher.update(previous.as_bytes());
    let row = BlockRow {
        block_number: number,
        hash: hex(&hasher.finalize()),
        previous_hash: previous,
        declaration_count: i64::try_from(fed.count).unwrap_or(i64::MAX),
        first_declaration_id: first,
        last_declaration_id: last,
        closed_at: timestamp(at),
    };
    diesel::insert_into(declaration_blocks::table)
        .values((
            declaration_blocks::block_number.eq(row.block_number),
            declaration_blocks::hash.eq(&row.hash),
            declaration_blocks::previous_hash.eq(&row.previous_hash),
            declaration_blocks::declaration_count.eq(row.declaration_count),
            declaration_blocks::first_declaration_id.eq(&row.first_declaration_id),
            declaration_blocks::last_declaration_id.eq(&row.last_declaration_id),
            declaration_blocks::closed_at.eq(&row.closed_at),
        ))
        .execute(conn)?;
    Ok(Some(ChainBlock::try_from(row)?))
}

fn verify(conn: &mut DbConnection) -> Result<ChainVerification, TxError> {
    let blocks: Vec<BlockRow> = declaration_blocks::table
        .order(declaration_blocks::block_number)
        .select(BlockRow::as_select())
        .load(conn)?;
    let mut previous = GENESIS_HASH.to_owned();
    for (intact, block) in blocks.iter().enumerate() {
        let broken = |block_number, reason| ChainVerification {
            intact_blocks: intact as u64,
            broken: Some(BrokenBlock {
                block_number,
                reason,
            }),
        };
        let expected = i64::try_from(intact).unwrap_or(i64::MAX).saturating_add(1);
        if block.block_number != expected {
            return Ok(broken(expected, ChainBreak::Missing));
        }
        if block.previous_hash != previous {
            return Ok(broken(expected, ChainBreak::PreviousHash));
        }
        let mut hasher = Sha512::new();
        let fed = feed(conn, &mut hasher, Some(block.block_number), |_, _| Ok(()))?;
        if i64::try_from(fed.count).ok() != Some(block.declaration_count) {
            return Ok(broken(expected, ChainBreak::Count));
        }
        hasher.update(block.previous_hash.as_bytes());
        if hex(&hasher.finalize()) != block.hash {
            return Ok(broken(expected, ChainBreak::Hash));
        }
        previous.clone_from(&block.hash);
    }
    Ok(ChainVerification {
        intact_blocks: blocks.len() as u64,
        broken: None,
    })
}

impl Store {
    /// Closes the next block of the chain over every declaration no block holds yet, at `at`, and
    /// returns it; `None` when there is none. One transaction, one closer at a time (an
    /// advisory lock on PostgreSQL, the write lock on SQLite), so that each declaration lands in exactly one block.
    pub fn close_declaration_block(
        &self,
        at: OffsetDateTime,
    ) -> domain::Result<Option<ChainBlock>> {
        self.with_conn(|db| Ok(write_transaction(db, |conn| close(conn, at))))?
            .map_err(domain::Error::from)
    }

    /// Recomputes every block from the declarations as stored now, first to last, and names the
    /// first broken one.
    pub fn verify_declaration_chain(&self) -> domain::Result<ChainVerification> {
        // No transaction needed: the blocks are read first, and closing a block meanwhile changes
        // none of the declarations of those.
        self.with_conn(|db| Ok(verify(db)))?
            .map_err(domain::Error::from)
    }

    /// Every closed block, first to last.
    pub fn declaration_blocks(&self) -> domain::Result<Vec<ChainBlock>> {
        let rows = self.with_conn(|conn| {
            Ok(declaration_blocks::table
                .order(declaration_blocks::block_number)
                .select(BlockRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(ChainBlock::try_from).collect()
    }
}

impl ChainAudit for Store {
    fn verify_chain(&self) -> domain::Result<ChainReport> {
        let verified = self.verify_declaration_chain()?;
        Ok(ChainReport {
            intact_blocks: verified.intact_blocks,
            broken: verified.broken.map(|b| {
                let reason = match b.reason {
                    ChainBreak::Missing => domain::declarations::ChainBreak::Missing,
                    ChainBreak::PreviousHash => domain::declarations::ChainBreak::PreviousHash,
                    ChainBreak::Count => domain::declarations::ChainBreak::Count,
                    ChainBreak::Hash => domain::declarations::ChainBreak::Hash,
                };
                (b.block_number, reason)
            }),
        })
    }
}

impl ChainSeed for Store {
    fn latest_hash(&self) -> domain::Result<String> {
        let latest = self.with_conn(|conn| {
            Ok(declaration_blocks::table
                .order(declaration_blocks::block_number.desc())
                .select(declaration_blocks::hash)
                .first::<String>(conn)
                .optional()?)
        })?;
        Ok(latest.unwrap_or_else(|| GENESIS_HASH.to_owned()))
    }
}
