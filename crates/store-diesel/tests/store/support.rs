//! What every area's tests share: the per-backend test macro, instants, and raw access to a test
//! database for what the store never does itself.

pub use domain::Error;
pub use domain::kernel::ids::ActorId;
pub use domain::kernel::text::Key;
pub use store_diesel::testing::TestDb;
pub use store_diesel::{Backend, Store};
pub use time::OffsetDateTime;
pub use time::macros::datetime;
pub use uuid::Uuid;

/// Declares a module `$name` with one test per backend, `sqlite` and `postgres`, each running
/// `$body` with `$db` bound to a fresh migrated [`TestDb`] of its backend, so that a failure on one
/// backend cannot hide the other's. The `postgres` test passes, saying so, when
/// `TEST_DATABASE_URL` is unset. With `unmigrated` first, the databases have an empty schema.
macro_rules! on_each_backend {
    ($(#[$attr:meta])* unmigrated $name:ident, |$db:ident| $body:block) => {
        on_each_backend!(@tests $(#[$attr])* $name,
            TestDb::sqlite_unmigrated(), TestDb::postgres_unmigrated(), |$db| $body);
    };
    ($(#[$attr:meta])* $name:ident, |$db:ident| $body:block) => {
        on_each_backend!(@tests $(#[$attr])* $name,
            TestDb::sqlite(), TestDb::postgres(), |$db| $body);
    };
    (@tests $(#[$attr:meta])* $name:ident, $sqlite:expr, $postgres:expr, |$db:ident| $body:block) => {
        $(#[$attr])*
        mod $name {
            use super::*;

            fn run($db: TestDb) $body

            #[test]
            fn sqlite() {
                run($sqlite)
            }

            #[test]
            fn postgres() {
                match $postgres {
                    Some(db) => run(db),
                    None => eprintln!("TEST_DATABASE_URL unset: PostgreSQL not tested"),
                }
            }
        }
    };
}

/// An instant with microseconds, the precision the store keeps.
pub const T0: OffsetDateTime = datetime!(2026-11-23 12:00:00.123456 UTC);

/// `minutes` after [`T0`] (before it when negative).
pub fn at(minutes: i64) -> OffsetDateTime {
    T0 + time::Duration::minutes(minutes)
}

/// An actor id as the identity provider would send it.
pub fn actor(raw: &str) -> ActorId {
    ActorId::parse(raw).unwrap()
}

/// The SQLite file behind `db`'s URL.
pub fn sqlite_path(db: &TestDb) -> &str {
    db.url.trim_start_matches("sqlite://")
}

/// Runs raw SQL on the test database through a connection of its own, for tests that must write
/// what the store never would (corrupt rows) or inspect the planner.
pub fn raw_sql(db: &TestDb, sql: &str) {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    let done = match db.backend() {
        Backend::Sqlite => SqliteConnection::establish(sqlite_path(db))
            .unwrap()
            .batch_execute(sql),
        Backend::Postgres => PgConnection::establish(&db.url).unwrap().batch_execute(sql),
    };
    done.unwrap_or_else(|e| panic!("{sql}: {e}"));
}
