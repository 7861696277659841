//! [`CaseRepository::commit`](domain::second_opinion::CaseRepository::commit): every write of one
//! change of a case, in one transaction, conditional on the version the case was read at. `update`
//! is a commit too, so that a case has one write path.

use diesel::prelude::*;
use domain::kernel::text::Key;
use domain::second_opinion::CaseCommit;

use crate::assignments::{AssignmentValues, insert_assignments, rewrite_assignment};
use crate::cases::{CaseValues, SideEffects};
use crate::connection::{DbConnection, Store, write_transaction};
use crate::error::StoreError;
use crate::payments::{ConfirmationValues, PaymentValues, confirm_payment, insert_payment};
use crate::schema::review_cases;

/// Why a commit wrote nothing. Returned from inside the transaction, so that it rolls back.
#[derive(Debug)]
enum Refused {
    /// The case is at another version, or what the commit changes is no longer as it was read
    /// (an assignment gone, the payment no longer pending).
    Changed,
    /// The case does not exist.
    Missing,
    Store(StoreError),
}

impl From<diesel::result::Error> for Refused {
    fn from(e: diesel::result::Error) -> Self {
        Refused::Store(e.into())
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Store(e)
    }
}

impl Refused {
    /// A duplicate (a second active coordinator, a provider twice on a case, a webhook event
    /// applied already) is a concurrent change too: the services read again and explain.
    fn into_domain(self) -> domain::Error {
        match self {
            Refused::Changed => domain::Error::conflict(Key::CaseChanged),
            Refused::Missing => domain::Error::not_found(Key::CaseNotFound),
            Refused::Store(e) => e.into_domain(Key::CaseChanged),
        }
    }
}

/// The commit as written.
struct CommitValues<'a> {
    case: CaseValues<'a>,
    expected_version: i64,
    effects: SideEffects<'a>,
    new_assignments: Vec<AssignmentValues<'a>>,
    changed_assignments: Vec<AssignmentValues<'a>>,
    new_payment: Option<PaymentValues<'a>>,
    paid: Option<ConfirmationValues<'a>>,
}

impl<'a> From<&'a CaseCommit> for CommitValues<'a> {
    fn from(c: &'a CaseCommit) -> Self {
        CommitValues {
            case: CaseValues::from(&c.case),
            expected_version: c.expected_version,
            effects: SideEffects::new(&c.timeline, &c.notifications),
            new_assignments: c
                .new_assignments
                .iter()
                .map(AssignmentValues::from)
                .collect(),
            changed_assignments: c
                .changed_assignments
                .iter()
                .map(AssignmentValues::from)
                .collect(),
            new_payment: c.new_payment.as_ref().map(PaymentValues::from),
            paid: c.paid.as_ref().map(ConfirmationValues::from),
        }
    }
}

impl CommitValues<'_> {
    /// Writes the commit on `conn`, inside the caller's transaction; any error rolls it back.
    fn write(&self, conn: &mut DbConnection) -> Result<(), Refused> {
        let case_id = self.case.case_id.as_str();
        // The claim comes first: PostgreSQL makes a concurrent commit of the case wait here for this
        // transaction, then re-check the version against the committed row and find it changed;
        // SQLite runs one write transaction at a time.
        let updated = diesel::update(
            review_cases::table
                .filter(review_cases::case_id.eq(case_id))
                .filter(review_cases::version.eq(self.expected_version)),
        )
        .set(&self.case)
        .execute(conn)?;
        if updated == 0 {
            let exists = review_cases::table
                .find(case_id)
                .select(review_cases::case_id)
                .get_result::<String>(conn)
                .optional()?
                .is_some();
            return Err(if exists {
                Refused::Changed
            } else {
                Refused::Missing
            });
        }
        // Rewrites before inserts: a replaced coordinator's row is inactive before the new
        // coordinator's is inserted, since the unique indexes are checked at each statement.
        for row in &self.changed_assignments {
            if !rewrite_assignment(conn, case_id, row)? {
                return Err(Refused::Changed);
            }
        }
        insert_assignments(conn, &self.new_assignments)?;
        if let Some(payment) = &self.new_payment {
            insert_payment(conn, payment)?;
        }
        if let Some(paid) = &self.paid
            && !confirm_payment(conn, case_id, paid)?
        {
            return Err(Refused::Changed);
        }
        self.effects.write(conn)?;
        Ok(())
    }
}

/// Writes `commit` in one transaction: all of it, or nothing.
pub(crate) fn commit(store: &Store, commit: &CaseCommit) -> domain::Result<()> {
    let values = CommitValues::from(commit);
    store
        .with_conn(|db| Ok(write_transaction(db, |conn| values.write(conn))))?
        .map_err(Refused::into_domain)
}
