//! [`AssignmentRepository`]: providers' parts in cases (`second_opinions`). They are written only
//! through a case's commit (see `commit`), which is where the writes below are called from.

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::kernel::ids::{ActorId, CaseId, SopId};
use domain::second_opinion::{Assignment, AssignmentRepository};

use crate::connection::{DbConnection, Store, on_backend};
use crate::error::StoreError;
use crate::schema::second_opinions;
use crate::sql::{
    RowName, count, id_text, parse_id, parse_json, parse_optional_timestamp, parse_timestamp,
    timestamp,
};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = second_opinions)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct AssignmentRow {
    sop_id: String,
    case_id: String,
    doctor_id: String,
    requested_documents: String,
    created_date: String,
    active: bool,
    is_coordinator: bool,
    requested_date: Option<String>,
    answered_date: Option<String>,
    opinion: Option<String>,
    opinion_date: Option<String>,
}

impl TryFrom<AssignmentRow> for Assignment {
    type Error = domain::Error;

    fn try_from(row: AssignmentRow) -> domain::Result<Self> {
        let owner = RowName("assignment", &row.sop_id);
        Ok(Assignment {
            id: parse_id(&row.sop_id)?,
            case_id: parse_id(&row.case_id)?,
            doctor_id: ActorId::from_stored(row.doctor_id),
            is_coordinator: row.is_coordinator,
            active: row.active,
            requested_documents: parse_json(
                &format!("requested_documents of {owner}"),
                &row.requested_documents,
            )?,
            requested_date: parse_optional_timestamp(row.requested_date.as_deref())?,
            answered_date: parse_optional_timestamp(row.answered_date.as_deref())?,
            opinion: row.opinion,
            opinion_date: parse_optional_timestamp(row.opinion_date.as_deref())?,
            created_date: parse_timestamp(&row.created_date)?,
        })
    }
}

/// An assignment as written: every column, `NULL` for `None` (so that SQLite takes several rows in
/// one statement, and a rewrite clears what the assignment no longer has).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = second_opinions,
    primary_key(sop_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(crate) struct AssignmentValues<'a> {
    sop_id: String,
    case_id: String,
    doctor_id: &'a str,
    requested_documents: String,
    created_date: String,
    active: bool,
    is_coordinator: bool,
    requested_date: Option<String>,
    answered_date: Option<String>,
    opinion: Option<&'a str>,
    opinion_date: Option<String>,
}

impl<'a> From<&'a Assignment> for AssignmentValues<'a> {
    fn from(a: &'a Assignment) -> Self {
        AssignmentValues {
            sop_id: id_text(a.id),
            case_id: id_text(a.case_id),
            doctor_id: a.doctor_id.as_str(),
            // A JSON array of strings, whose text form cannot fail.
            requested_documents: serde_json::Value::from(a.requested_documents.clone()).to_string(),
            created_date: timestamp(a.created_date),
            active: a.active,
            is_coordinator: a.is_coordinator,
            requested_date: a.requested_date.map(timestamp),
            answered_date: a.answered_date.map(timestamp),
            opinion: a.opinion.as_deref(),
            opinion_date: a.opinion_date.map(timestamp),
        }
    }
}

/// Inserts new assignments on `conn`, inside the caller's transaction.
pub(crate) fn insert_assignments(
    conn: &mut DbConnection,
    rows: &[AssignmentValues<'_>],
) -> Result<(), StoreError> {
    if !rows.is_empty() {
        let insert = diesel::insert_into(second_opinions::table).values(rows);
        on_backend!(conn, |conn| insert.execute(conn))?;
    }
    Ok(())
}

/// Rewrites an assignment of the case `case_id` whole, by its id, inside the caller's transaction;
/// returns whether it was there to rewrite.
pub(crate) fn rewrite_assignment(
    conn: &mut DbConnection,
    case_id: &str,
    row: &AssignmentValues<'_>,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        second_opinions::table
            .filter(second_opinions::sop_id.eq(&row.sop_id))
            .filter(second_opinions::case_id.eq(case_id)),
    )
    .set(row)
    .execute(conn)?;
    Ok(updated > 0)
}

impl AssignmentRepository for Store {
    fn assignment(&self, id: SopId) -> domain::Result<Option<Assignment>> {
        let row = self.with_conn(|conn| {
            Ok(second_opinions::table
                .find(id_text(id))
                .select(AssignmentRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(Assignment::try_from).transpose()
    }

    fn for_case(&self, case_id: CaseId) -> domain::Result<Vec<Assignment>> {
        let rows = self.with_conn(|conn| {
            Ok(second_opinions::table
                .filter(second_opinions::case_id.eq(id_text(case_id)))
                .order((second_opinions::created_date, second_opinions::sop_id))
                .select(AssignmentRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(Assignment::try_from).collect()
    }

    fn for_doctor(
        &self,
        doctor: &ActorId,
        coordinator: bool,
        limit: i64,
        offset: i64,
    ) -> domain::Result<Vec<Assignment>> {
        // The index (doctor_id, active, is_coordinator, created_date, sop_id), walked backwards: the
        // rows an offset skips are never read from the table.
        let rows = self.with_conn(|conn| {
            Ok(second_opinions::table
                .filter(second_opinions::doctor_id.eq(doctor.as_str()))
                .filter(second_opinions::active.eq(true))
                .filter(second_opinions::is_coordinator.eq(coordinator))
                .order((
                    second_opinions::created_date.desc(),
                    second_opinions::sop_id.desc(),
                ))
                .limit(limit)
                .offset(offset)
                .select(AssignmentRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(Assignment::try_from).collect()
    }

    fn count_for_doctor(&self, doctor: &ActorId, coordinator: bool) -> domain::Result<u64> {
        let n = self.with_conn(|conn| {
            Ok(second_opinions::table
                .filter(second_opinions::doctor_id.eq(doctor.as_str()))
                .filter(second_opinions::active.eq(true))
                .filter(second_opinions::is_coordinator.eq(coordinator))
                .select(count_star())
                .get_result::<i64>(conn)?)
        })?;
        Ok(count(n))
    }
}
