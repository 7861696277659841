//! The crate's one error type, and how it reads to the domain.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::Cause;
use domain::kernel::text::Key;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened; the text is the backend's own explanation, because the
    /// operator needs the real cause (bad password, unknown host, unwritable directory).
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    /// No pooled connection became free, or none could be opened, within the connect timeout.
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database query failed: {0}")]
    Query(#[from] DieselError),
    #[error("database migration failed: {0}")]
    Migration(String),
}

impl StoreError {
    /// Whether a unique index refused the write, i.e. the row duplicates an existing one.
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            StoreError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }

    /// Whether the database is out of reach rather than the request being at fault; a retry later
    /// may succeed.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Connect(_)
                | StoreError::Pool(_)
                | StoreError::Query(DieselError::DatabaseError(
                    DatabaseErrorKind::ClosedConnection,
                    _
                ))
        )
    }

    /// The domain error, with `conflict` as the reason for a duplicate: only the repository method
    /// knows what was duplicated.
    pub fn into_domain(self, conflict: Key) -> domain::Error {
        if self.is_unique_violation() {
            return domain::Error::conflict(conflict);
        }
        self.into()
    }
}

/// A duplicate is a conflict; the rest keeps this error as its cause, so that the log shows what
/// the database said.
impl From<StoreError> for domain::Error {
    fn from(e: StoreError) -> Self {
        if e.is_unique_violation() {
            domain::Error::conflict(Key::RecordConflict)
        } else if e.is_unavailable() {
            domain::Error::Unavailable(Cause::with_source("the database is unavailable", e))
        } else {
            domain::Error::Internal(Cause::with_source("a database operation failed", e))
        }
    }
}
