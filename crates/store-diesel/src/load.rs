//! Bulk writes for load tests and benchmarks: rows as they are, without the timeline entries and
//! notifications every real change writes (see `commit`). The cases' counterpart,
//! [`Store::insert_cases_bulk`], is in `cases`.

use domain::second_opinion::Assignment;

use crate::assignments::{AssignmentValues, insert_assignments};
use crate::connection::{Store, write_transaction};
use crate::error::StoreError;

/// Assignments per statement of [`Store::insert_assignments_bulk`]: 1,000 rows of 11 columns are
/// 11,000 bind parameters, well under both backends' limits (SQLite 32,766; PostgreSQL 65,535).
const ASSIGNMENT_CHUNK: usize = 1_000;

impl Store {
    /// Inserts assignments as they are, in statements of 1,000 rows, all in one transaction;
    /// returns how many were inserted. Their cases must exist (insert them first with
    /// [`Store::insert_cases_bulk`]); the rules of the schema hold as for any write, so a second
    /// active coordinator of a case, or a provider twice active on one, fails the whole batch.
    ///
    /// For loading data into load tests and benchmarks only: it writes no timeline entries and no
    /// notifications, and leaves the cases as they are.
    pub fn insert_assignments_bulk(&self, assignments: &[Assignment]) -> Result<usize, StoreError> {
        let values: Vec<AssignmentValues<'_>> =
            assignments.iter().map(AssignmentValues::from).collect();
        self.with_conn(|db| {
            write_transaction(db, |conn| {
                for chunk in values.chunks(ASSIGNMENT_CHUNK) {
                    insert_assignments(conn, chunk)?;
                }
                Ok(values.len())
            })
        })
    }
}
