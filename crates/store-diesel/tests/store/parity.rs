//! The two migration sets must build the same schema, or a query that works on one backend
//! could fail or behave differently on the other.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text};

use crate::support::*;

/// Per table: column name → (normalized type, nullable, in the primary key).
type Columns = BTreeMap<String, BTreeMap<String, (String, bool, bool)>>;
/// Per table: index name → (unique, partial) (primary keys excluded). A partial index's predicate
/// is not compared: each backend prints it its own way.
type Indexes = BTreeMap<String, BTreeMap<String, (bool, bool)>>;

const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    r#type: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    unique: i32,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Integer)]
    partial: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
    #[diesel(sql_type = Bool)]
    pk: bool,
}

#[derive(QueryableByName)]
struct PgIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    unique: bool,
    #[diesel(sql_type = Bool)]
    partial: bool,
}

fn normalize(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "text" | "character varying" | "varchar" => "text",
        "integer" | "int" | "int4" => "integer",
        "bigint" | "int8" => "bigint",
        "boolean" | "bool" => "boolean",
        other => panic!("unexpected column type {other}"),
    }
    .to_owned()
}

fn sqlite_schema(path: &str) -> (Columns, Indexes) {
    let mut conn = SqliteConnection::establish(path).unwrap();
    let tables: Vec<Name> = diesel::sql_query(format!(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '{MIGRATIONS_TABLE}'"
    ))
    .load(&mut conn)
    .unwrap();
    let (mut columns, mut indexes) = (Columns::new(), Indexes::new());
    for Name { name: table } in tables {
        let cols: Vec<SqliteColumn> = diesel::sql_query(format!("PRAGMA table_info({table})"))
            .load(&mut conn)
            .unwrap();
        // A composite key's INTEGER column (`appointment_history.seq`) is a plain integer.
        let single_key = cols.iter().filter(|c| c.pk > 0).count() == 1;
        columns.insert(
            table.clone(),
            cols.into_iter()
                .map(|c| {
                    // `INTEGER PRIMARY KEY` (the whole key) is SQLite's 64-bit rowid.
                    let declared =
                        if single_key && c.pk > 0 && c.r#type.eq_ignore_ascii_case("integer") {
                            "bigint"
                        } else {
                            &c.r#type
                        };
                    (c.name, (normalize(declared), c.notnull == 0, c.pk > 0))
                })
                .collect(),
        );
        let idx: Vec<SqliteIndex> = diesel::sql_query(format!("PRAGMA index_list({table})"))
            .load(&mut conn)
            .unwrap();
        // A column's own `UNIQUE` (origin `u`) is `sqlite_autoindex_<table>_<n>` here and
        // `<table>_<columns>_key` on PostgreSQL: compared under PostgreSQL's name.
        let mut named = BTreeMap::new();
        for i in idx.into_iter().filter(|i| i.origin != "pk") {
            let name = if i.origin == "u" {
                let cols: Vec<Name> =
                    diesel::sql_query(format!("SELECT name FROM pragma_index_info('{}')", i.name))
                        .load(&mut conn)
                        .unwrap();
                let cols: Vec<String> = cols.into_iter().map(|c| c.name).collect();
                format!("{table}_{}_key", cols.join("_"))
            } else {
                i.name
            };
            named.insert(name, (i.unique != 0, i.partial != 0));
        }
        indexes.insert(table, named);
    }
    (columns, indexes)
}

fn postgres_schema(url: &str) -> (Columns, Indexes) {
    let mut conn = PgConnection::establish(url).unwrap();
    let tables: Vec<Name> = diesel::sql_query(format!(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '{MIGRATIONS_TABLE}'"
    ))
    .load(&mut conn)
    .unwrap();
    let (mut columns, mut indexes) = (Columns::new(), Indexes::new());
    for Name { name: table } in tables {
        let cols: Vec<PgColumn> = diesel::sql_query(
            "SELECT c.column_name::text AS name, c.data_type::text AS data_type, \
                    c.is_nullable = 'YES' AS nullable, \
                    EXISTS (SELECT 1 FROM information_schema.table_constraints tc \
                            JOIN information_schema.key_column_usage k \
                              ON k.constraint_name = tc.constraint_name \
                             AND k.table_schema = tc.table_schema \
                            WHERE tc.constraint_type = 'PRIMARY KEY' \
                              AND tc.table_schema = c.table_schema \
                              AND tc.table_name = c.table_name \
                              AND k.column_name = c.column_name) AS pk \
             FROM information_schema.columns c \
             WHERE c.table_schema = 'public' AND c.table_name = $1",
        )
        .bind::<Text, _>(&table)
        .load(&mut conn)
        .unwrap();
        columns.insert(
            table.clone(),
            cols.into_iter()
                .map(|c| (c.name, (normalize(&c.data_type), c.nullable, c.pk)))
                .collect(),
        );
        let idx: Vec<PgIndex> = diesel::sql_query(
            "SELECT i.relname::text AS name, x.indisunique AS unique, \
                    x.indpred IS NOT NULL AS partial \
             FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = 'public' AND t.relname = $1 AND NOT x.indisprimary",
        )
        .bind::<Text, _>(&table)
        .load(&mut conn)
        .unwrap();
        indexes.insert(
            table,
            idx.into_iter()
                .map(|i| (i.name, (i.unique, i.partial)))
                .collect(),
        );
    }
    (columns, indexes)
}

#[test]
fn sqlite_and_postgres_schemas_match() {
    let Some(pg) = TestDb::postgres() else {
        eprintln!("TEST_DATABASE_URL is unset: schema parity needs PostgreSQL; skipped");
        return;
    };
    let sqlite = TestDb::sqlite();
    let (sqlite_columns, sqlite_indexes) = sqlite_schema(sqlite_path(&sqlite));
    let (pg_columns, pg_indexes) = postgres_schema(&pg.url);

    assert!(sqlite_columns.contains_key("review_types"));
    assert!(sqlite_columns.contains_key("disease_categories"));
    assert!(sqlite_columns.contains_key("revoked_tokens"));
    for table in [
        "review_cases",
        "second_opinions",
        "case_timeline",
        "notification_outbox",
        "user_contacts",
        "providers",
        "case_coordinators",
        "sop_doctors",
        "payments",
        "payment_events",
        "legal_entities",
        "divisions",
        "employees",
        "persons",
        "declarations",
        "declaration_requests",
        "verifications",
        "declaration_blocks",
    ] {
        assert!(sqlite_columns.contains_key(table), "{table}");
    }
    assert_eq!(
        sqlite_indexes["review_cases"].keys().collect::<Vec<_>>(),
        [
            "review_cases_created",
            "review_cases_reminder",
            "review_cases_status_created",
            "review_cases_user_created"
        ]
    );
    // One active coordinator per case, a provider once actively on a case: unique and partial.
    let partial_unique = (true, true);
    assert_eq!(
        sqlite_indexes["second_opinions"]["second_opinions_one_coordinator"],
        partial_unique
    );
    assert_eq!(
        sqlite_indexes["second_opinions"]["second_opinions_active_doctor"],
        partial_unique
    );
    assert_eq!(sqlite_indexes["payments"]["payments_case"], (true, false));
    assert_eq!(
        sqlite_indexes["declarations"]["declarations_number"],
        (true, false)
    );
    // Composite primary keys.
    for table in ["case_coordinators", "sop_doctors"] {
        assert!(sqlite_columns[table]["provider_id"].2, "{table}");
        assert!(sqlite_columns[table]["dc_id"].2, "{table}");
    }
    assert_eq!(
        sqlite_columns.keys().collect::<Vec<_>>(),
        pg_columns.keys().collect::<Vec<_>>(),
        "tables"
    );
    for (table, columns) in &sqlite_columns {
        assert_eq!(Some(columns), pg_columns.get(table), "columns of {table}");
    }
    assert_eq!(sqlite_indexes, pg_indexes, "indexes");
    assert_eq!(
        sqlite_columns["review_types"]["icon"],
        ("text".to_owned(), true, false)
    );
    assert_eq!(
        sqlite_columns["revoked_tokens"]["jti"],
        ("text".to_owned(), false, true)
    );
}
