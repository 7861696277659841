//! Opening the store: URLs, backends, readiness, and what a failure to connect says.

use domain::kernel::ids::ReviewTypeId;
use domain::second_opinion::CatalogueRepository;

use crate::support::*;

on_each_backend!(backend_and_ping, |db| {
    db.store.ping().unwrap();
    let expected = if db.url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    assert_eq!(db.store.backend(), expected);
    domain::kernel::health::Readiness::check(&db.store).unwrap();
});

#[test]
fn a_refused_postgres_login_reports_the_servers_reason() {
    let err = Store::connect("postgres://nobody@127.0.0.1:5432/nonexistent", 1).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, store_diesel::StoreError::Connect(_)),
        "{message}"
    );
    assert!(message.contains("PostgreSQL"), "{message}");
    assert!(!message.contains("multiconnection"), "{message}");
    // Whether the server runs here or not, libpq explains why it refused.
    assert!(
        message.contains("nobody") || message.contains("connect"),
        "{message}"
    );
}

#[test]
fn a_lost_postgres_database_is_unavailable_with_its_cause() {
    let Some(db) = TestDb::postgres() else {
        eprintln!("TEST_DATABASE_URL unset: PostgreSQL not tested");
        return;
    };
    let store = db.store.clone();
    store.ping().unwrap();
    // Dropping the `TestDb` drops the database and ends the pool's connections.
    drop(db);
    let started = std::time::Instant::now();
    match store.find_review_type(ReviewTypeId::from_uuid(Uuid::now_v7())) {
        Err(e @ Error::Unavailable(_)) => {
            let chain = e.chain();
            assert!(chain.contains("does not exist"), "{chain}");
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn sqlite_creates_missing_directories_and_accepts_every_url_form() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b/c.db");
    for url in [
        format!("sqlite://{}", nested.display()),
        format!("sqlite:{}", nested.display()),
        nested.display().to_string(),
    ] {
        let store = Store::connect(&url, 2).unwrap();
        assert_eq!(store.backend(), Backend::Sqlite);
        store.ping().unwrap();
    }
    assert!(nested.exists());
}

#[test]
fn an_unusable_sqlite_path_reports_sqlites_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let err = Store::connect(&file.join("x.db").display().to_string(), 1).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, store_diesel::StoreError::Connect(_)),
        "{message}"
    );
    assert!(!message.contains("multiconnection"), "{message}");
}

#[test]
fn sqlite_connections_get_the_pragmas() {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let db = TestDb::sqlite();
    let mut conn = SqliteConnection::establish(sqlite_path(&db)).unwrap();
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut conn)
        .unwrap();
    // WAL is a property of the file, set by the store's connections.
    assert_eq!(mode.journal_mode, "wal");
}

/// libpq is built into the binary with its own OpenSSL: a connection that requires TLS gets it,
/// directly and through the store's pool.
#[test]
fn postgres_connections_can_require_tls() {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Tls {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let Some(db) = TestDb::postgres() else {
        eprintln!("TEST_DATABASE_URL unset: PostgreSQL not tested");
        return;
    };
    let separator = if db.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}sslmode=require", db.url);
    let mut conn = PgConnection::establish(&url).unwrap();
    let tls: Tls =
        diesel::sql_query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .get_result(&mut conn)
            .unwrap();
    assert!(tls.ssl, "the connection is not encrypted");
    assert!(tls.version.starts_with("TLS"), "{}", tls.version);
    let store = Store::connect(&url, 2).unwrap();
    store.ping().unwrap();
}

#[derive(diesel::QueryableByName)]
struct CompileOption {
    #[diesel(sql_type = diesel::sql_types::Text)]
    compile_options: String,
}

/// The linked SQLite keeps one plan per statement: otherwise it plans a bound `LIMIT` with its value
/// and so compiles the statement again each time a list is paged. It also keeps no memory
/// statistics, which take a lock shared by every connection on each allocation. Both come from
/// `LIBSQLITE3_FLAGS` in `.cargo/config.toml`.
#[test]
fn sqlite_is_built_to_reuse_statements() {
    use diesel::prelude::*;
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
        .load::<CompileOption>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|o| o.compile_options)
        .collect();
    for wanted in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
        assert!(options.iter().any(|o| o == wanted), "{wanted}: {options:?}");
    }
}
