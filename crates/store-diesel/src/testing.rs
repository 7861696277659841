//! Throwaway databases for tests, so that every storage test runs against both backends.
//!
//! SQLite is always available (a file in a temporary directory). PostgreSQL joins when
//! `TEST_DATABASE_URL` names a server the tests may create databases on, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`: each [`TestDb`] gets a database of its own, dropped
//! again when the [`TestDb`] is. A configured but unreachable server makes the test panic rather
//! than quietly skip PostgreSQL.

use diesel::prelude::*;
use tempfile::TempDir;
use uuid::Uuid;

use crate::connection::{Backend, Store};

/// The environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// Connections per test store: enough for tests that use the store from several threads.
const POOL_SIZE: u32 = 4;

/// A fresh database and a [`Store`] on it; dropping it deletes the database.
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    /// The URL `store` was opened with, for tests that open their own connections.
    pub url: String,
    /// Keeps the SQLite file alive.
    _dir: Option<TempDir>,
    /// For PostgreSQL: the server URL the database was created through, and the database's name.
    created: Option<(String, String)>,
}

impl TestDb {
    /// A migrated SQLite database.
    pub fn sqlite() -> TestDb {
        migrated(Self::sqlite_unmigrated())
    }

    /// A migrated PostgreSQL database, or `None` when `TEST_DATABASE_URL` is unset.
    ///
    /// # Panics
    /// When `TEST_DATABASE_URL` is set but the server cannot be used.
    pub fn postgres() -> Option<TestDb> {
        Self::postgres_unmigrated().map(migrated)
    }

    /// Every configured backend, migrated: SQLite, then PostgreSQL when configured.
    pub fn all() -> Vec<TestDb> {
        Self::all_unmigrated().into_iter().map(migrated).collect()
    }

    /// Every configured backend with an empty schema, for migration tests.
    pub fn all_unmigrated() -> Vec<TestDb> {
        let mut dbs = vec![Self::sqlite_unmigrated()];
        dbs.extend(Self::postgres_unmigrated());
        dbs
    }

    pub fn sqlite_unmigrated() -> TestDb {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("cannot create a temporary directory for SQLite: {e}"),
        };
        let url = format!("sqlite://{}", dir.path().join("store.db").display());
        let store = match Store::connect(&url, POOL_SIZE) {
            Ok(store) => store,
            Err(e) => panic!("cannot open the SQLite test database {url}: {e}"),
        };
        TestDb {
            store,
            url,
            _dir: Some(dir),
            created: None,
        }
    }

    pub fn postgres_unmigrated() -> Option<TestDb> {
        let server = std::env::var(TEST_DATABASE_URL)
            .ok()
            .filter(|url| !url.trim().is_empty())?;
        let name = format!("store_test_{}", Uuid::new_v4().simple());
        let mut admin = match PgConnection::establish(&server) {
            Ok(conn) => conn,
            Err(e) => panic!(
                "{TEST_DATABASE_URL} is set to {server} but PostgreSQL cannot be reached: {} \
                 (unset {TEST_DATABASE_URL} to test on SQLite only)",
                e.to_string().trim_end()
            ),
        };
        if let Err(e) = diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin) {
            panic!("cannot create the test database {name} through {server}: {e}");
        }
        let url = with_database(&server, &name);
        let store = match Store::connect(&url, POOL_SIZE) {
            Ok(store) => store,
            Err(e) => {
                drop_database(&server, &name);
                panic!("cannot open the test database {url}: {e}");
            }
        };
        Some(TestDb {
            store,
            url,
            _dir: None,
            created: Some((server, name)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.created {
            drop_database(server, name);
        }
    }
}

/// Clinic: patients and appointments. Inserts an active staff account holding `roles` (role codes)
/// and returns its id, for tests that need a doctor before staff accounts have their own
/// repository. Its password hash is a placeholder that no password matches.
pub fn insert_staff(store: &Store, username: &str, roles: &[&str]) -> String {
    use crate::schema::staff_accounts as s;
    let id = Uuid::now_v7().hyphenated().to_string();
    let mut roles: Vec<&str> = roles.to_vec();
    roles.sort_unstable();
    let now = crate::sql::timestamp(time::OffsetDateTime::now_utc());
    let inserted = store.with_conn(|conn| {
        Ok(diesel::insert_into(s::table)
            .values((
                s::staff_id.eq(&id),
                s::username.eq(username),
                s::username_key.eq(username.to_lowercase()),
                s::name.eq(format!("Dr. {username}")),
                s::roles.eq(roles.join(",")),
                s::is_active.eq(true),
                s::password_hash.eq("!"),
                s::created_at.eq(&now),
                s::updated_at.eq(&now),
            ))
            .execute(conn)?)
    });
    if let Err(e) = inserted {
        panic!("cannot insert the staff account {username}: {e}");
    }
    id
}

/// Clinic: patients and appointments. Activates or deactivates a staff account.
pub fn set_staff_active(store: &Store, staff_id: &str, active: bool) {
    use crate::schema::staff_accounts as s;
    let updated = store.with_conn(|conn| {
        Ok(diesel::update(s::table.filter(s::staff_id.eq(staff_id)))
            .set(s::is_active.eq(active))
            .execute(conn)?)
    });
    if let Err(e) = updated {
        panic!("cannot change the staff account {staff_id}: {e}");
    }
}

/// Clinic: patients and appointments. Inserts a draft report on `patient_id` by `doctor_id`, for
/// tests of what refers to a patient before reports have their own repository.
pub fn insert_clinic_report(store: &Store, patient_id: &str, doctor_id: &str) -> String {
    use crate::schema::clinic_reports as r;
    let id = Uuid::now_v7().hyphenated().to_string();
    let now = crate::sql::timestamp(time::OffsetDateTime::now_utc());
    let inserted = store.with_conn(|conn| {
        Ok(diesel::insert_into(r::table)
            .values((
                r::report_id.eq(&id),
                r::patient_id.eq(patient_id),
                r::doctor_id.eq(doctor_id),
                r::findings.eq(""),
                r::impression.eq(""),
                r::measurements.eq("[]"),
                r::status.eq("draft"),
                r::version.eq(1i64),
                r::created_at.eq(&now),
                r::updated_at.eq(&now),
            ))
            .execute(conn)?)
    });
    if let Err(e) = inserted {
        panic!("cannot insert a report on {patient_id}: {e}");
    }
    id
}

fn migrated(db: TestDb) -> TestDb {
    if let Err(e) = db.store.run_migrations() {
        panic!("cannot migrate the {} test database: {e}", db.backend());
    }
    db
}

/// `FORCE` ends the store's pooled connections, which are still open when this runs. Failing to
/// clean up is reported, not a panic: this runs in `Drop`, possibly during unwinding.
fn drop_database(server: &str, name: &str) {
    let dropped = PgConnection::establish(server)
        .map_err(|e| e.to_string())
        .and_then(|mut admin| {
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .map_err(|e| e.to_string())
        });
    if let Err(e) = dropped {
        eprintln!("cannot drop the test database {name}: {e}");
    }
}

/// `url` with its database name replaced by `name`, keeping any query string.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// A patient row for the reports' tests, written straight into `patients` (the patients module
/// owns the table; reports only read it).
#[derive(Debug, Clone)]
pub struct ReportsTestPatient {
    pub id: Uuid,
    pub mrn: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub deleted: bool,
}

/// Inserts `patient` for the reports' tests.
///
/// # Panics
/// When the row cannot be written.
pub fn reports_insert_patient_for_tests(store: &Store, patient: &ReportsTestPatient) {
    use crate::schema::patients::dsl as p;
    let now = "2026-11-30T09:00:00.000000Z";
    let written = store.with_conn(|conn| {
        diesel::insert_into(p::patients)
            .values((
                p::patient_id.eq(patient.id.hyphenated().to_string()),
                p::mrn.eq(&patient.mrn),
                p::name.eq(&patient.name),
                p::name_ar.eq(&patient.name_ar),
                p::birth_date.eq(&patient.birth_date),
                p::sex.eq(&patient.sex),
                p::search_text.eq(patient.name.to_lowercase()),
                p::deleted_at.eq(patient.deleted.then_some(now)),
                p::created_at.eq(now),
                p::created_by.eq("tests"),
                p::updated_at.eq(now),
                p::updated_by.eq("tests"),
            ))
            .execute(conn)?;
        Ok(())
    });
    if let Err(e) = written {
        panic!("cannot insert the test patient {}: {e}", patient.name);
    }
}

/// Inserts a staff account for the reports' tests: `roles` as stored (`doctor`, `admin,doctor`),
/// active, with a password hash that matches no password.
///
/// # Panics
/// When the row cannot be written.
pub fn reports_insert_staff_for_tests(
    store: &Store,
    id: Uuid,
    name: &str,
    name_ar: Option<&str>,
    roles: &str,
) {
    use crate::schema::staff_accounts::dsl as s;
    let now = "2026-11-30T09:00:00.000000Z";
    let username = format!("reports-{}", id.simple());
    let written = store.with_conn(|conn| {
        diesel::insert_into(s::staff_accounts)
            .values((
                s::staff_id.eq(id.hyphenated().to_string()),
                s::username.eq(&username),
                s::username_key.eq(username.to_lowercase()),
                s::name.eq(name),
                s::name_ar.eq(name_ar),
                s::roles.eq(roles),
                s::is_active.eq(true),
                s::password_hash.eq("$argon2id$v=19$m=19456,t=2,p=1$none$none"),
                s::created_at.eq(now),
                s::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    });
    if let Err(e) = written {
        panic!("cannot insert the test staff account {name}: {e}");
    }
}

/// Documents: how many rows the documents table holds, hidden ones included.
pub fn count_documents(store: &Store) -> i64 {
    use crate::schema::documents as d;
    match store.with_conn(|conn| Ok(d::table.count().get_result::<i64>(conn)?)) {
        Ok(n) => n,
        Err(e) => panic!("cannot count documents: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "t1"),
            "postgresql://u:p@h/t1?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "t1"),
            "postgres://h:5432/t1"
        );
    }
}
