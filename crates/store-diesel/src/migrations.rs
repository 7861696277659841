//! The schema's history: one embedded migration set per backend, run on the concrete connection.

use std::collections::{BTreeMap, BTreeSet};

use diesel::backend::Backend as DieselBackend;
use diesel::migration::{MigrationSource, MigrationVersion};
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::{DbConnection, Store};
use crate::error::StoreError;

/// Both directories hold the same migration names; only the SQL dialect differs.
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Serializes migrations across server instances sharing one PostgreSQL database (all of them
/// migrate at start-up). An arbitrary constant: the key of a session advisory lock.
const PG_MIGRATION_LOCK: i64 = 0x6d65_645f_6d69_6772;

/// A known migration and whether the database has applied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    /// The migration's directory name, e.g. `2026-11-23-000001_catalogue_and_auth`.
    pub name: String,
    pub applied: bool,
}

type HarnessResult<T> = diesel::migration::Result<T>;

/// Runs `$body` with `$conn` bound to the concrete connection and `$source` to a constant holding
/// its migration set. A macro rather than a function: `MigrationHarness` is generic over the
/// backend and not object safe, so the body must be instantiated once per variant.
macro_rules! with_harness {
    ($db:expr, |$conn:ident, $source:ident| $body:expr) => {
        match $db {
            DbConnection::Postgresql($conn) => {
                const $source: EmbeddedMigrations = POSTGRES;
                $body
            }
            DbConnection::Sqlite($conn) => {
                const $source: EmbeddedMigrations = SQLITE;
                $body
            }
        }
    };
}

impl Store {
    /// Applies every pending migration; returns the names of those applied now, oldest first.
    pub fn run_migrations(&self) -> Result<Vec<String>, StoreError> {
        self.migrating(|db| {
            with_harness!(db, |conn, SOURCE| {
                let versions = texts(conn.run_pending_migrations(SOURCE)?);
                names_of(conn, &SOURCE, versions)
            })
        })
    }

    /// Reverts the most recently applied migration, if any; returns its name.
    pub fn revert_last_migration(&self) -> Result<Option<String>, StoreError> {
        self.migrating(|db| {
            with_harness!(db, |conn, SOURCE| {
                if conn.applied_migrations()?.is_empty() {
                    return Ok(None);
                }
                let version = conn.revert_last_migration(SOURCE)?.to_string();
                Ok(names_of(conn, &SOURCE, vec![version])?.pop())
            })
        })
    }

    /// Reverts every applied migration, newest first; returns their names in that order.
    pub fn revert_all_migrations(&self) -> Result<Vec<String>, StoreError> {
        self.migrating(|db| {
            with_harness!(db, |conn, SOURCE| {
                let versions = texts(conn.revert_all_migrations(SOURCE)?);
                names_of(conn, &SOURCE, versions)
            })
        })
    }

    /// Every migration this build knows, oldest first, then any the database has applied that this
    /// build does not know (a newer build ran against it).
    pub fn migration_status(&self) -> Result<Vec<MigrationState>, StoreError> {
        self.migrating(|db| {
            with_harness!(db, |conn, SOURCE| {
                let applied: BTreeSet<String> =
                    texts(conn.applied_migrations()?).into_iter().collect();
                let known = known(conn, &SOURCE)?;
                let mut states: Vec<MigrationState> = known
                    .iter()
                    .map(|(version, name)| MigrationState {
                        name: name.clone(),
                        applied: applied.contains(version),
                    })
                    .collect();
                states.extend(applied.iter().filter(|v| !known.contains_key(*v)).map(|v| {
                    MigrationState {
                        name: v.clone(),
                        applied: true,
                    }
                }));
                Ok(states)
            })
        })
    }

    /// Runs `work` on one connection, holding PostgreSQL's migration lock meanwhile.
    fn migrating<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> HarnessResult<T>,
    ) -> Result<T, StoreError> {
        let mut db = self.conn()?;
        let postgres = matches!(*db, DbConnection::Postgresql(_));
        if postgres {
            diesel::sql_query(format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))
                .execute(&mut *db)?;
        }
        let outcome = work(&mut db).map_err(migration_error);
        if postgres {
            let unlocked =
                diesel::sql_query(format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})"))
                    .execute(&mut *db);
            if let Err(e) = unlocked {
                // The migration's own error, if any, matters more than this one.
                tracing::warn!(error = %e, "cannot release the migration lock");
                if outcome.is_ok() {
                    return Err(e.into());
                }
            }
        }
        outcome
    }
}

fn texts(versions: Vec<MigrationVersion<'_>>) -> Vec<String> {
    versions.iter().map(ToString::to_string).collect()
}

fn migration_error(e: Box<dyn std::error::Error + Send + Sync>) -> StoreError {
    StoreError::Migration(e.to_string())
}

/// The set's migrations by version (`20261123000001`), with their directory names.
fn known<DB, C>(_conn: &C, source: &EmbeddedMigrations) -> HarnessResult<BTreeMap<String, String>>
where
    DB: DieselBackend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    Ok(MigrationSource::<DB>::migrations(source)?
        .iter()
        .map(|m| (m.name().version().to_string(), m.name().to_string()))
        .collect())
}

fn names_of<DB, C>(
    conn: &C,
    source: &EmbeddedMigrations,
    versions: Vec<String>,
) -> HarnessResult<Vec<String>>
where
    DB: DieselBackend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let known = known(conn, source)?;
    Ok(versions
        .into_iter()
        .map(|version| known.get(&version).cloned().unwrap_or(version))
        .collect())
}
