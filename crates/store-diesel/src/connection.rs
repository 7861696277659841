//! Opening the database: one connection type for both backends, and the pool around it.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{HandleError, ManageConnection, Pool, PooledConnection, R2D2Connection};

use std::sync::Arc;

use crate::cache::Caches;
use crate::error::StoreError;
use crate::metrics::PoolEvents;

/// How long a caller waits for a pooled connection (or for a new one to open) before the database
/// counts as unavailable: short, so that a dead database shows up in `/readyz` and the logs quickly
/// instead of hanging requests.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Run on every new SQLite connection. `busy_timeout` comes first so that switching to WAL waits
/// for, rather than fails on, another process holding the file. WAL lets readers proceed during a
/// write; `synchronous=NORMAL` is durable in WAL mode except for the last transactions on power loss;
/// SQLite leaves foreign keys off unless asked, per connection.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; \
     PRAGMA journal_mode = WAL; \
     PRAGMA foreign_keys = ON; \
     PRAGMA synchronous = NORMAL;";

/// A connection to either backend. Queries are written once against this type; code that needs
/// one backend's dialect (migrations, row locking) matches on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$conn` bound to the concrete connection of `$db` (a `&mut DbConnection`).
///
/// For SQL diesel cannot express on the multi-backend connection although both backends have it:
/// its backend declares no `ON CONFLICT` and no row-locking clauses, and cannot insert several rows
/// in one statement on SQLite. Diesel's query values do not
/// depend on the backend, so a query built once can run in both arms.
macro_rules! on_backend {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::connection::DbConnection::Postgresql($conn) => $body,
            $crate::connection::DbConnection::Sqlite($conn) => $body,
        }
    };
}
pub(crate) use on_backend;

/// Runs `work` in a transaction that writes: committed when `work` succeeds, rolled back otherwise.
///
/// On SQLite the transaction begins with `BEGIN IMMEDIATE`, taking the database's one write lock
/// up front (waiting for it up to `busy_timeout`). A plain `BEGIN` takes it at the first write, and
/// a transaction that read before writing fails with `database is locked` at once, without waiting,
/// when another connection wrote in between; with the lock taken first, concurrent writers simply
/// queue. PostgreSQL locks rows as it goes and needs nothing special.
///
/// `work` may fail with an error of its own (`E`), e.g. to roll back with a reason the domain reads;
/// database errors convert into it.
pub(crate) fn write_transaction<T, E: From<diesel::result::Error>>(
    db: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    let DbConnection::Sqlite(sqlite) = db else {
        return db.transaction(work);
    };
    // `SqliteConnection::immediate_transaction` would hand `work` the SQLite connection; `work` is
    // written against `DbConnection`, so the transaction is opened and closed here instead, with the
    // same transaction manager (the multi-backend connection's delegates to it).
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    match work(db) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(db)?;
            Ok(value)
        }
        Err(error) => {
            match <DbConnection as Connection>::TransactionManager::rollback_transaction(db) {
                // The original error explains more than a failed rollback after it.
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
                Err(rollback) => Err(rollback.into()),
            }
        }
    }
}

impl fmt::Debug for DbConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self {
            DbConnection::Postgresql(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        };
        f.debug_tuple("DbConnection").field(&backend).finish()
    }
}

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// Opens connections of the configured backend only.
///
/// Diesel's `ConnectionManager<DbConnection>` would try every backend in turn on each (re)connect
/// and report "Invalid connection url for multiconnection" when all fail, hiding the cause (a
/// refused login, a missing directory) from the pool's timeout error and the logs; it would also hand
/// a PostgreSQL URL to SQLite as a file name once PostgreSQL is down.
#[derive(Debug)]
pub(crate) struct Connector {
    backend: Backend,
    /// The PostgreSQL URL, or the SQLite file path.
    target: String,
}

impl Connector {
    fn open(&self) -> ConnectionResult<DbConnection> {
        match self.backend {
            Backend::Postgres => {
                PgConnection::establish(&self.target).map(DbConnection::Postgresql)
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Connector {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.open().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Reports connections the pool fails to open in the background (replacing dead ones, refilling
/// after an outage) through `tracing`, where the operator looks; r2d2 would use the `log` crate.
#[derive(Debug)]
struct LogConnectError;

impl HandleError<diesel::r2d2::Error> for LogConnectError {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::warn!(error = %error.to_string().trim_end(), "cannot open a database connection");
    }
}

/// The database behind every repository port. Cloning is cheap: clones share one pool.
#[derive(Clone)]
pub struct Store {
    pool: Pool<Connector>,
    backend: Backend,
    /// The PostgreSQL URL or SQLite path, for connections of their own (the listener).
    target: Arc<str>,
    pub(crate) events: PoolEvents,
    pub(crate) caches: Arc<Caches>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.pool.state();
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .finish()
    }
}

impl Store {
    /// Opens a pool of at most `pool_size` connections (at least one).
    ///
    /// `url` is `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite://PATH`, `sqlite:PATH`
    /// or a bare path for an SQLite file, created with its parent directories if missing.
    ///
    /// One connection is opened directly first, so that a failure reports the backend's own message
    /// at once rather than after the pool's timeout.
    pub fn connect(url: &str, pool_size: u32) -> Result<Store, StoreError> {
        let connector = parse_url(url)?;
        if connector.backend == Backend::Sqlite {
            create_parent_dir(&connector.target)?;
        }
        let backend = connector.backend;
        let target: Arc<str> = Arc::from(connector.target.as_str());
        let refused = |e: &dyn fmt::Display| {
            // libpq ends its messages with a newline.
            StoreError::Connect(format!("{backend}: {}", e.to_string().trim_end()))
        };
        drop(connector.open().map_err(|e| refused(&e))?);
        let events = PoolEvents::new();
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(CONNECT_TIMEOUT)
            // A pooled PostgreSQL connection can die with the server or the network, and diesel only
            // notices when a query fails, so each checkout first proves the connection alive (one
            // `SELECT 1`). An SQLite connection is a file handle that does not die that way.
            .test_on_check_out(backend == Backend::Postgres)
            .error_handler(Box::new(LogConnectError))
            .event_handler(Box::new(events.clone()))
            .build(connector)
            .map_err(|e| refused(&e))?;
        Ok(Store {
            pool,
            backend,
            target,
            events,
            caches: Arc::new(Caches::default()),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn target(&self) -> &str {
        &self.target
    }

    /// Connections open and idle now.
    pub fn pool_state(&self) -> diesel::r2d2::State {
        self.pool.state()
    }

    /// The most connections the pool opens.
    pub fn pool_max(&self) -> u32 {
        self.pool.max_size()
    }

    /// A round trip to the database, for readiness probes.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
    }

    /// A pooled connection, for work that needs the connection itself (migrations, several
    /// statements in one transaction).
    pub(crate) fn conn(&self) -> Result<PooledConnection<Connector>, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Runs `work` on one pooled connection. Every repository method goes through here, so each
    /// holds a connection for exactly one unit of work; diesel errors convert with `?`.
    pub(crate) fn with_conn<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        work(&mut conn)
    }
}

impl domain::kernel::health::Readiness for Store {
    fn check(&self) -> domain::Result<()> {
        self.ping().map_err(|e| {
            domain::Error::Unavailable(domain::Cause::with_source(
                "the database does not answer",
                e,
            ))
        })
    }
}

fn parse_url(url: &str) -> Result<Connector, StoreError> {
    let url = url.trim();
    let (backend, target) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        (Backend::Postgres, url)
    } else if let Some(path) = url.strip_prefix("sqlite://") {
        (Backend::Sqlite, path)
    } else if let Some(path) = url.strip_prefix("sqlite:") {
        (Backend::Sqlite, path)
    } else {
        (Backend::Sqlite, url)
    };
    if target.is_empty() {
        return Err(StoreError::Connect("the database URL is empty".to_owned()));
    }
    if backend == Backend::Sqlite && (target == ":memory:" || target.contains("mode=memory")) {
        return Err(StoreError::Connect(
            "an in-memory SQLite database is not supported: every pooled connection would see its \
             own empty database; give a file path"
                .to_owned(),
        ));
    }
    Ok(Connector {
        backend,
        target: target.to_owned(),
    })
}

fn create_parent_dir(path: &str) -> Result<(), StoreError> {
    // `file:` URIs are SQLite's to interpret.
    if path.starts_with("file:") {
        return Ok(());
    }
    match Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Connect(format!(
                "SQLite: cannot create the directory {}: {e}",
                dir.display()
            ))
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> (Backend, String) {
        match parse_url(url) {
            Ok(c) => (c.backend, c.target),
            Err(e) => panic!("{url}: {e}"),
        }
    }

    #[test]
    fn urls_pick_the_backend() {
        let pg = "postgres://u@h:5432/db";
        assert_eq!(parsed(pg), (Backend::Postgres, pg.to_owned()));
        let pg = "postgresql://u@h/db?sslmode=require";
        assert_eq!(parsed(pg), (Backend::Postgres, pg.to_owned()));
        assert_eq!(
            parsed("sqlite:///var/lib/x.db"),
            (Backend::Sqlite, "/var/lib/x.db".to_owned())
        );
        assert_eq!(
            parsed("sqlite://data/x.db"),
            (Backend::Sqlite, "data/x.db".to_owned())
        );
        assert_eq!(
            parsed("sqlite:data/x.db"),
            (Backend::Sqlite, "data/x.db".to_owned())
        );
        assert_eq!(parsed("./x.db"), (Backend::Sqlite, "./x.db".to_owned()));
        assert!(parse_url("").is_err());
        assert!(parse_url("sqlite://").is_err());
        assert!(parse_url("sqlite::memory:").is_err());
    }
}
