//! The crate's one error type, and how it reads to the domain.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

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

    /// The domain error, with `conflict` as the client-facing sentence for a duplicate: only the
    /// repository method knows what was duplicated.
    pub fn into_domain(self, conflict: &str) -> domain::Error {
        if self.is_unique_violation() {
            return domain::Error::Conflict(conflict.to_owned());
        }
        self.into()
    }
}

impl From<StoreError> for domain::Error {
    fn from(e: StoreError) -> Self {
        if e.is_unique_violation() {
            domain::Error::Conflict("This record conflicts with an existing one".to_owned())
        } else if e.is_unavailable() {
            domain::Error::Unavailable(e.to_string())
        } else {
            domain::Error::Internal(e.to_string())
        }
    }
}
