//! [`CaseRepository`]: review cases and their timeline. Every change is written in one transaction
//! with the timeline entries and outbox notifications it causes; a change of an existing case goes
//! through `commit` (with its assignments and payment), the administrators' filter is in
//! `case_list`.

use std::fmt;

use diesel::prelude::*;
use domain::Cause;
use domain::kernel::blob::BlobKey;
use domain::kernel::code::Code;
use domain::kernel::ids::{ActorId, CaseId};
use domain::notifications::Notification;
use domain::second_opinion::{
    ActorRole, CaseCommit, CaseFilter, CaseRepository, CaseStatus, Gender, MedicalDocument,
    PatientAge, ReportKeys, ReviewCase, TimelineEntry, TimelineEvent,
};
use time::OffsetDateTime;

use crate::connection::{DbConnection, Store, on_backend, write_transaction};
use crate::error::StoreError;
use crate::outbox::{OutboxValues, enqueue};
use crate::schema::{case_timeline, review_cases, user_case_counts};
use crate::sql::{
    RowName, count, id_text, parse_id, parse_json, parse_optional_timestamp, parse_stored,
    parse_timestamp, timestamp,
};

/// Cases per statement of [`Store::insert_cases_bulk`]: 500 rows of 21 columns are 10,500 bind
/// parameters, well under both backends' limits (SQLite 32,766; PostgreSQL 65,535).
const BULK_CHUNK: usize = 500;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = review_cases)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct CaseRow {
    case_id: String,
    user_id: String,
    rt_id: String,
    dc_id: String,
    patient_age: i32,
    patient_gender: String,
    status: String,
    medical_history: Option<String>,
    medical_documents: String,
    reject_reason: Option<String>,
    case_coordinator_id: Option<String>,
    lang: String,
    is_notified: bool,
    version: i64,
    created_date: String,
    updated_date: String,
    doctors_assigned_date: Option<String>,
    summary: Option<String>,
    completed_date: Option<String>,
    report_key_en: Option<String>,
    report_key_ar: Option<String>,
}

/// The report's keys as stored: both or neither.
fn report_keys(
    owner: &dyn fmt::Display,
    en: Option<String>,
    ar: Option<String>,
) -> domain::Result<Option<ReportKeys>> {
    let key = |lang: &str, raw: &str| {
        BlobKey::parse(raw).map_err(|_| {
            domain::Error::Internal(Cause::new(format!(
                "stored report_key_{lang} {raw:?} of {owner} is not a blob key"
            )))
        })
    };
    match (en, ar) {
        (None, None) => Ok(None),
        (Some(en), Some(ar)) => Ok(Some(ReportKeys {
            en: key("en", &en)?,
            ar: key("ar", &ar)?,
        })),
        _ => Err(domain::Error::Internal(Cause::new(format!(
            "stored report keys of {owner} are incomplete: one language only"
        )))),
    }
}

impl TryFrom<CaseRow> for ReviewCase {
    type Error = domain::Error;

    fn try_from(row: CaseRow) -> domain::Result<Self> {
        let owner = RowName("case", &row.case_id);
        let patient_age = PatientAge::parse(i64::from(row.patient_age)).map_err(|_| {
            domain::Error::Internal(Cause::new(format!(
                "stored patient_age {} of {owner} is out of range",
                row.patient_age
            )))
        })?;
        let patient_gender: Gender = parse_stored("patient_gender", &owner, &row.patient_gender)?;
        let medical_documents: Vec<MedicalDocument> = parse_json(
            &format_args!("medical_documents of {owner}"),
            &row.medical_documents,
        )?;
        Ok(ReviewCase {
            id: parse_id(&row.case_id)?,
            rt_id: parse_id(&row.rt_id)?,
            dc_id: parse_id(&row.dc_id)?,
            patient_age,
            patient_gender,
            status: parse_stored("status", &owner, &row.status)?,
            medical_history: row.medical_history,
            medical_documents,
            reject_reason: row.reject_reason,
            case_coordinator_id: row.case_coordinator_id.map(ActorId::from_stored),
            lang: parse_stored("lang", &owner, &row.lang)?,
            is_notified: row.is_notified,
            version: row.version,
            created_date: parse_timestamp(&row.created_date)?,
            updated_date: parse_timestamp(&row.updated_date)?,
            doctors_assigned_date: parse_optional_timestamp(row.doctors_assigned_date.as_deref())?,
            summary: row.summary,
            completed_date: parse_optional_timestamp(row.completed_date.as_deref())?,
            report: report_keys(&owner, row.report_key_en, row.report_key_ar)?,
            user_id: ActorId::from_stored(row.user_id),
        })
    }
}

/// A case as written. An update sets every column but the id, the owner and `created_date`, and
/// clears the optional ones that are `None`. `None` is `NULL` on insert too (not `DEFAULT`), which
/// lets SQLite take many rows in one statement.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = review_cases,
    primary_key(case_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(crate) struct CaseValues<'a> {
    pub(crate) case_id: String,
    #[diesel(skip_update)]
    user_id: &'a str,
    rt_id: String,
    dc_id: String,
    patient_age: i32,
    patient_gender: &'static str,
    status: &'static str,
    medical_history: Option<&'a str>,
    medical_documents: String,
    reject_reason: Option<&'a str>,
    case_coordinator_id: Option<&'a str>,
    lang: &'static str,
    is_notified: bool,
    version: i64,
    #[diesel(skip_update)]
    created_date: String,
    updated_date: String,
    doctors_assigned_date: Option<String>,
    summary: Option<&'a str>,
    completed_date: Option<String>,
    report_key_en: Option<&'a str>,
    report_key_ar: Option<&'a str>,
}

impl<'a> From<&'a ReviewCase> for CaseValues<'a> {
    fn from(case: &'a ReviewCase) -> Self {
        CaseValues {
            case_id: id_text(case.id),
            user_id: case.user_id.as_str(),
            rt_id: id_text(case.rt_id),
            dc_id: id_text(case.dc_id),
            patient_age: i32::from(case.patient_age.years()),
            patient_gender: case.patient_gender.as_str(),
            status: case.status.as_str(),
            medical_history: case.medical_history.as_deref(),
            medical_documents: documents_json(&case.medical_documents),
            reject_reason: case.reject_reason.as_deref(),
            case_coordinator_id: case.case_coordinator_id.as_ref().map(ActorId::as_str),
            lang: case.lang.as_str(),
            is_notified: case.is_notified,
            version: case.version,
            created_date: timestamp(case.created_date),
            updated_date: timestamp(case.updated_date),
            doctors_assigned_date: case.doctors_assigned_date.map(timestamp),
            summary: case.summary.as_deref(),
            completed_date: case.completed_date.map(timestamp),
            report_key_en: case.report.as_ref().map(|r| r.en.as_str()),
            report_key_ar: case.report.as_ref().map(|r| r.ar.as_str()),
        }
    }
}

/// The documents as stored: a JSON array of `{"url", "key", "name"}` objects. Built as a JSON value,
/// whose text form cannot fail, rather than through a fallible serializer.
fn documents_json(docs: &[MedicalDocument]) -> String {
    serde_json::Value::Array(
        docs.iter()
            .map(|d| {
                serde_json::json!({
                    "url": d.url,
                    "key": d.key,
                    "name": d.name,
                })
            })
            .collect(),
    )
    .to_string()
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = case_timeline)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct TimelineRow {
    entry_id: String,
    case_id: String,
    actor_id: String,
    actor_role: String,
    event: String,
    from_status: Option<String>,
    to_status: Option<String>,
    note: Option<String>,
    created_date: String,
}

impl TryFrom<TimelineRow> for TimelineEntry {
    type Error = domain::Error;

    fn try_from(row: TimelineRow) -> domain::Result<Self> {
        let owner = RowName("timeline entry", &row.entry_id);
        let status = |what: &str, raw: Option<String>| {
            raw.as_deref()
                .map(|raw| parse_stored::<CaseStatus>(what, &owner, raw))
                .transpose()
        };
        Ok(TimelineEntry {
            id: parse_id(&row.entry_id)?,
            case_id: parse_id(&row.case_id)?,
            actor_id: ActorId::from_stored(row.actor_id),
            actor_role: parse_stored::<ActorRole>("actor_role", &owner, &row.actor_role)?,
            event: parse_stored::<TimelineEvent>("event", &owner, &row.event)?,
            from_status: status("from_status", row.from_status)?,
            to_status: status("to_status", row.to_status)?,
            note: row.note,
            created_date: parse_timestamp(&row.created_date)?,
        })
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = case_timeline, treat_none_as_default_value = false)]
struct TimelineValues<'a> {
    entry_id: String,
    case_id: String,
    actor_id: &'a str,
    actor_role: &'static str,
    event: &'static str,
    from_status: Option<&'static str>,
    to_status: Option<&'static str>,
    note: Option<&'a str>,
    created_date: String,
}

impl<'a> From<&'a TimelineEntry> for TimelineValues<'a> {
    fn from(entry: &'a TimelineEntry) -> Self {
        TimelineValues {
            entry_id: id_text(entry.id),
            case_id: id_text(entry.case_id),
            actor_id: entry.actor_id.as_str(),
            actor_role: entry.actor_role.as_str(),
            event: entry.event.as_str(),
            from_status: entry.from_status.map(CaseStatus::as_str),
            to_status: entry.to_status.map(CaseStatus::as_str),
            note: entry.note.as_deref(),
            created_date: timestamp(entry.created_date),
        }
    }
}

/// What a case's timeline and notifications become on the way into the database.
pub(crate) struct SideEffects<'a> {
    timeline: Vec<TimelineValues<'a>>,
    notifications: Vec<OutboxValues<'a>>,
}

impl<'a> SideEffects<'a> {
    pub(crate) fn new(timeline: &'a [TimelineEntry], notifications: &'a [Notification]) -> Self {
        SideEffects {
            timeline: timeline.iter().map(TimelineValues::from).collect(),
            notifications: notifications.iter().map(OutboxValues::from).collect(),
        }
    }

    /// Writes them on `conn`, inside the caller's transaction.
    pub(crate) fn write(&self, conn: &mut DbConnection) -> Result<(), StoreError> {
        if !self.timeline.is_empty() {
            let insert = diesel::insert_into(case_timeline::table).values(&self.timeline);
            on_backend!(conn, |conn| insert.execute(conn))?;
        }
        enqueue(conn, &self.notifications)
    }
}

/// Adds `added` to `user_id`'s case count, in the caller's transaction.
fn count_cases(conn: &mut DbConnection, user_id: &str, added: i64) -> Result<(), StoreError> {
    let upsert = diesel::insert_into(user_case_counts::table)
        .values((
            user_case_counts::user_id.eq(user_id),
            user_case_counts::total.eq(added),
        ))
        .on_conflict(user_case_counts::user_id)
        .do_update()
        .set(user_case_counts::total.eq(user_case_counts::total + added));
    on_backend!(conn, |c| upsert.execute(c))?;
    Ok(())
}

impl Store {
    /// Inserts cases as they are, in statements of 500 rows, all in one transaction; returns how
    /// many were inserted.
    ///
    /// For loading data into load tests and benchmarks only: it writes no timeline entries and no
    /// notifications, which every real change of a case must (see [`CaseRepository`]).
    pub fn insert_cases_bulk(&self, cases: &[ReviewCase]) -> Result<usize, StoreError> {
        let values: Vec<CaseValues<'_>> = cases.iter().map(CaseValues::from).collect();
        let mut per_user: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
        for case in cases {
            *per_user.entry(case.user_id.as_str()).or_default() += 1;
        }
        self.with_conn(|db| {
            write_transaction(db, |conn| {
                let mut inserted = 0;
                for chunk in values.chunks(BULK_CHUNK) {
                    let insert = diesel::insert_into(review_cases::table).values(chunk);
                    inserted += on_backend!(conn, |conn| insert.execute(conn))?;
                }
                for (user, added) in &per_user {
                    count_cases(conn, user, *added)?;
                }
                Ok(inserted)
            })
        })
    }
}

impl CaseRepository for Store {
    fn insert(
        &self,
        case: &ReviewCase,
        timeline: &[TimelineEntry],
        notifications: &[Notification],
    ) -> domain::Result<()> {
        let values = CaseValues::from(case);
        let effects = SideEffects::new(timeline, notifications);
        self.with_conn(|db| {
            write_transaction(db, |conn| {
                diesel::insert_into(review_cases::table)
                    .values(&values)
                    .execute(conn)?;
                count_cases(conn, values.user_id, 1)?;
                effects.write(conn)
            })
        })?;
        Ok(())
    }

    fn update(
        &self,
        case: &ReviewCase,
        expected_version: i64,
        timeline: &[TimelineEntry],
        notifications: &[Notification],
    ) -> domain::Result<()> {
        // One write path: an update is a commit of the case, its timeline and notifications only.
        self.commit(&CaseCommit {
            timeline: timeline.to_vec(),
            notifications: notifications.to_vec(),
            ..CaseCommit::of(case.clone(), expected_version)
        })
    }

    fn find(&self, id: CaseId) -> domain::Result<Option<ReviewCase>> {
        let row = self.with_conn(|conn| {
            Ok(review_cases::table
                .find(id_text(id))
                .select(CaseRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(ReviewCase::try_from).transpose()
    }

    fn find_for_user(&self, user_id: &ActorId, id: CaseId) -> domain::Result<Option<ReviewCase>> {
        let row = self.with_conn(|conn| {
            Ok(review_cases::table
                .filter(review_cases::case_id.eq(id_text(id)))
                .filter(review_cases::user_id.eq(user_id.as_str()))
                .select(CaseRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(ReviewCase::try_from).transpose()
    }

    fn list_for_user(
        &self,
        user_id: &ActorId,
        limit: i64,
        offset: i64,
    ) -> domain::Result<Vec<ReviewCase>> {
        Ok(self.page_for_user(user_id, limit, offset)?.0)
    }

    fn page_for_user(
        &self,
        user_id: &ActorId,
        limit: i64,
        offset: i64,
    ) -> domain::Result<(Vec<ReviewCase>, u64)> {
        // The patient's list, the busiest read. It walks the index (user_id, created_date, case_id)
        // backwards: no sort, no scan of other users' cases. One statement (the total rides on
        // every row as a subquery SQLite evaluates once), on the backend's own connection, which
        // finds its prepared statements by their type: through the multi-backend connection each
        // call would write the SQL out again to look it up. A page past the end has no row to
        // carry the total.
        let (rows, total) = self.with_conn(|conn| {
            // The macro writes this once per backend: `as_select` is typed for one.
            Ok(on_backend!(conn, |c| {
                let total = || {
                    user_case_counts::table
                        .filter(user_case_counts::user_id.eq(user_id.as_str()))
                        .select(user_case_counts::total)
                };
                let rows = review_cases::table
                    .filter(review_cases::user_id.eq(user_id.as_str()))
                    .order((
                        review_cases::created_date.desc(),
                        review_cases::case_id.desc(),
                    ))
                    .limit(limit)
                    .offset(offset)
                    .select((CaseRow::as_select(), total().single_value()))
                    .load::<(CaseRow, Option<i64>)>(c)?;
                let total = match rows.first() {
                    Some((_, total)) => *total,
                    None => total().get_result::<i64>(c).optional()?,
                };
                (rows, total)
            }))
        })?;
        let items = rows
            .into_iter()
            .map(|(row, _)| ReviewCase::try_from(row))
            .collect::<domain::Result<_>>()?;
        Ok((items, count(total.unwrap_or(0))))
    }

    fn count_for_user(&self, user_id: &ActorId) -> domain::Result<u64> {
        // Kept with every insert (see `count_cases`): one row read, not a count of the user's cases.
        let n = self.with_conn(|conn| {
            Ok(user_case_counts::table
                .find(user_id.as_str())
                .select(user_case_counts::total)
                .get_result::<i64>(conn)
                .optional()?)
        })?;
        Ok(count(n.unwrap_or(0)))
    }

    fn timeline(&self, case_id: CaseId) -> domain::Result<Vec<TimelineEntry>> {
        let rows = self.with_conn(|conn| {
            Ok(case_timeline::table
                .filter(case_timeline::case_id.eq(id_text(case_id)))
                .order((case_timeline::created_date, case_timeline::entry_id))
                .select(TimelineRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(TimelineEntry::try_from).collect()
    }

    fn reminder_candidates(
        &self,
        cutoff: OffsetDateTime,
        limit: i64,
    ) -> domain::Result<Vec<ReviewCase>> {
        let rows = self.with_conn(|conn| {
            Ok(review_cases::table
                .filter(review_cases::status.eq(CaseStatus::Draft.as_str()))
                .filter(review_cases::is_notified.eq(false))
                .filter(review_cases::created_date.le(timestamp(cutoff)))
                .order((review_cases::created_date, review_cases::case_id))
                .limit(limit)
                .select(CaseRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(ReviewCase::try_from).collect()
    }

    fn flag_reminder(
        &self,
        case_id: CaseId,
        notification: &Notification,
        timeline: &TimelineEntry,
    ) -> domain::Result<bool> {
        let id = id_text(case_id);
        let effects = SideEffects::new(
            std::slice::from_ref(timeline),
            std::slice::from_ref(notification),
        );
        // Exactly once under concurrency: the conditional UPDATE is the claim. PostgreSQL makes a
        // concurrent UPDATE of the row wait for this transaction and re-check its WHERE against the
        // committed row, which no longer matches; SQLite runs one write transaction at a time.
        let flagged = self.with_conn(|db| {
            write_transaction(db, |conn| {
                let updated = diesel::update(
                    review_cases::table
                        .filter(review_cases::case_id.eq(&id))
                        .filter(review_cases::status.eq(CaseStatus::Draft.as_str()))
                        .filter(review_cases::is_notified.eq(false)),
                )
                .set((
                    review_cases::is_notified.eq(true),
                    review_cases::version.eq(review_cases::version + 1),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Ok(false);
                }
                effects.write(conn)?;
                Ok(true)
            })
        })?;
        Ok(flagged)
    }

    fn release_reminder(&self, case_id: CaseId) -> domain::Result<bool> {
        // Only a draft still flagged: a submitted case needs no reminder, and a released one keeps
        // its version.
        let released = self.with_conn(|conn| {
            Ok(diesel::update(
                review_cases::table
                    .filter(review_cases::case_id.eq(id_text(case_id)))
                    .filter(review_cases::status.eq(CaseStatus::Draft.as_str()))
                    .filter(review_cases::is_notified.eq(true)),
            )
            .set((
                review_cases::is_notified.eq(false),
                review_cases::version.eq(review_cases::version + 1),
            ))
            .execute(conn)?)
        })?;
        Ok(released > 0)
    }

    fn commit(&self, commit: &CaseCommit) -> domain::Result<()> {
        crate::commit::commit(self, commit)
    }

    fn list_cases(
        &self,
        filter: &CaseFilter,
        limit: i64,
        offset: i64,
    ) -> domain::Result<Vec<ReviewCase>> {
        let rows = self.with_conn(|conn| {
            Ok(crate::case_list::cases_matching(filter)
                .order((
                    review_cases::created_date.desc(),
                    review_cases::case_id.desc(),
                ))
                .limit(limit)
                .offset(offset)
                .select(CaseRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(ReviewCase::try_from).collect()
    }

    fn count_cases(&self, filter: &CaseFilter) -> domain::Result<u64> {
        let n = self.with_conn(|conn| {
            Ok(crate::case_list::cases_matching(filter)
                .select(diesel::dsl::count_star())
                .get_result::<i64>(conn)?)
        })?;
        Ok(count(n))
    }
}
