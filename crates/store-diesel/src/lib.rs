//! Diesel storage for the domain's repository ports, on SQLite (embedded, one file) or PostgreSQL.
//!
//! One set of queries serves both backends: they run on [`DbConnection`], diesel's multi-backend
//! connection, so a repository is written and tested once and behaves the same on either database.
//! Only what differs by nature (migrations' SQL dialect, `ON CONFLICT`, the outbox claim's row
//! locking, SQLite's immediate write transactions) matches on the backend.
//!
//! Storage conventions shared by both backends, so that rows compare and sort the same everywhere:
//! ids are UUIDs as lowercase hyphenated text; timestamps are fixed-width RFC 3339 text
//! (`2026-11-23T12:00:00.000000Z`, see [`domain::kernel::time`]) whose text order is time order;
//! flags are `BOOLEAN`.
//!
//! [`Store`] is the entry point: it owns the connection pool, runs the embedded migrations
//! (`migrations/sqlite` and `migrations/postgres` at the workspace root) and implements the ports.

mod assignments;
mod cache;
mod case_list;
mod cases;
mod catalogue;
mod clinic;
mod commit;
mod connection;
mod contacts;
mod declarations;
mod documents;
mod error;
mod events;
mod load;
mod metrics;
mod migrations;
mod outbox;
mod payments;
mod providers;
mod revocation;
mod schema;
mod sql;
mod trash;

#[cfg(any(test, feature = "test-support"))]
pub mod testing;

pub use connection::{Backend, DbConnection, Store};
pub use declarations::{
    BrokenBlock, ChainBlock, ChainBreak, ChainVerification, GENESIS_HASH, OutboxCodeSender,
    RegistryImport, RegistryImported, Upserted,
};
pub use error::StoreError;
pub use events::Listener;
pub use migrations::MigrationState;
