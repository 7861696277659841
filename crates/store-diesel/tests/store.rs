//! The store against real databases: every test runs on SQLite, and on PostgreSQL too when
//! `TEST_DATABASE_URL` is set.

// Marks the helpers below as test code too, for the lints that allow `unwrap` in tests.
#![cfg(test)]

use domain::Error;
use domain::identity::RevocationRepository;
use domain::second_opinion::{CatalogueFilter, CatalogueRepository, DiseaseCategory, ReviewType};
use store_diesel::testing::TestDb;
use store_diesel::{Backend, Store};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

fn review_type(name_en: &str, name_ar: &str, created: OffsetDateTime) -> ReviewType {
    ReviewType {
        id: Uuid::now_v7(),
        name_en: name_en.to_owned(),
        name_ar: name_ar.to_owned(),
        description_en: format!("{name_en}, reviewed by specialists"),
        description_ar: format!("{name_ar}، يراجعها أخصائيون"),
        min_review_days: 8,
        max_review_days: 12,
        doctor_count: 3,
        price_minor: 90_050,
        currency: "USD".to_owned(),
        icon: Some("document".to_owned()),
        active: true,
        created_date: created,
        updated_date: created,
    }
}

fn category(en: &str, ar: &str, created: OffsetDateTime) -> DiseaseCategory {
    DiseaseCategory {
        id: Uuid::now_v7(),
        speciality_en: en.to_owned(),
        speciality_ar: ar.to_owned(),
        active: true,
        created_date: created,
        updated_date: created,
    }
}

fn filter(active: Option<bool>, q: Option<&str>) -> CatalogueFilter {
    CatalogueFilter {
        active,
        q: q.map(str::to_owned),
    }
}

const T0: OffsetDateTime = datetime!(2026-11-23 12:00:00.123456 UTC);

fn at(minutes: i64) -> OffsetDateTime {
    T0 + time::Duration::minutes(minutes)
}

/// Runs raw SQL on the test database through a connection of its own, for tests that must write
/// what the store never would (corrupt rows) or inspect the planner.
fn raw_sql(db: &TestDb, sql: &str) {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    let done = match db.backend() {
        Backend::Sqlite => SqliteConnection::establish(db.url.trim_start_matches("sqlite://"))
            .unwrap()
            .batch_execute(sql),
        Backend::Postgres => PgConnection::establish(&db.url).unwrap().batch_execute(sql),
    };
    done.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn review_type_names(store: &Store, f: &CatalogueFilter, limit: i64, offset: i64) -> Vec<String> {
    store
        .list_review_types(f, limit, offset)
        .unwrap()
        .into_iter()
        .map(|rt| rt.name_en)
        .collect()
}

fn category_names(store: &Store, f: &CatalogueFilter, limit: i64, offset: i64) -> Vec<String> {
    store
        .list_disease_categories(f, limit, offset)
        .unwrap()
        .into_iter()
        .map(|dc| dc.speciality_en)
        .collect()
}

mod connect {
    use super::*;

    #[test]
    fn backend_and_ping() {
        for db in TestDb::all() {
            db.store.ping().unwrap();
            let expected = if db.url.starts_with("sqlite:") {
                Backend::Sqlite
            } else {
                Backend::Postgres
            };
            assert_eq!(db.store.backend(), expected);
            domain::kernel::health::Readiness::check(&db.store).unwrap();
        }
    }

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
            return;
        };
        let store = db.store.clone();
        store.ping().unwrap();
        // Dropping the `TestDb` drops the database and ends the pool's connections.
        drop(db);
        let started = std::time::Instant::now();
        match store.find_review_type(Uuid::now_v7()) {
            Err(Error::Unavailable(detail)) => {
                assert!(detail.contains("does not exist"), "{detail}")
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
        let path = db.url.trim_start_matches("sqlite://");
        let mut conn = SqliteConnection::establish(path).unwrap();
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result(&mut conn)
            .unwrap();
        // WAL is a property of the file, set by the store's connections.
        assert_eq!(mode.journal_mode, "wal");
    }
}

mod catalogue {
    use super::*;

    #[test]
    fn review_type_round_trip_keeps_every_field() {
        for db in TestDb::all() {
            let store = &db.store;
            let rt = review_type("Standard Review", "مراجعة قياسية", T0);
            store.insert_review_type(&rt).unwrap();
            assert_eq!(store.find_review_type(rt.id).unwrap(), Some(rt.clone()));

            let changed = ReviewType {
                name_en: "Express Review".to_owned(),
                name_ar: "مراجعة سريعة".to_owned(),
                description_en: "Faster".to_owned(),
                description_ar: "أسرع".to_owned(),
                min_review_days: 2,
                max_review_days: 4,
                doctor_count: 5,
                price_minor: 150_000,
                currency: "EUR".to_owned(),
                icon: None,
                active: false,
                updated_date: datetime!(2026-12-01 08:30:00.000001 UTC),
                ..rt.clone()
            };
            store.update_review_type(&changed).unwrap();
            assert_eq!(
                store.find_review_type(rt.id).unwrap(),
                Some(changed.clone())
            );

            // The creation date is the row's history, not something an update rewrites.
            let rewritten = ReviewType {
                created_date: at(999),
                ..changed.clone()
            };
            store.update_review_type(&rewritten).unwrap();
            assert_eq!(store.find_review_type(rt.id).unwrap(), Some(changed));

            assert_eq!(store.find_review_type(Uuid::now_v7()).unwrap(), None);
        }
    }

    #[test]
    fn disease_category_round_trip_keeps_every_field() {
        for db in TestDb::all() {
            let store = &db.store;
            let dc = category("Cardiology", "أمراض القلب", T0);
            store.insert_disease_category(&dc).unwrap();
            assert_eq!(
                store.find_disease_category(dc.id).unwrap(),
                Some(dc.clone())
            );

            let changed = DiseaseCategory {
                speciality_en: "Cardiac Surgery".to_owned(),
                speciality_ar: "جراحة القلب".to_owned(),
                active: false,
                updated_date: at(60),
                ..dc.clone()
            };
            store.update_disease_category(&changed).unwrap();
            assert_eq!(store.find_disease_category(dc.id).unwrap(), Some(changed));

            assert_eq!(store.find_disease_category(Uuid::now_v7()).unwrap(), None);
        }
    }

    #[test]
    fn duplicate_review_type_names_conflict_and_change_nothing() {
        for db in TestDb::all() {
            let store = &db.store;
            let first = review_type("Standard Review", "مراجعة قياسية", at(0));
            let other = review_type("Express Review", "مراجعة سريعة", at(1));
            store.insert_review_type(&first).unwrap();
            store.insert_review_type(&other).unwrap();

            let same_en = review_type("STANDARD review", "اسم آخر", at(2));
            match store.insert_review_type(&same_en) {
                Err(Error::Conflict(m)) => {
                    assert_eq!(m, "A review type with this name already exists")
                }
                other => panic!("{:?}: {other:?}", db.backend()),
            }
            let same_ar = review_type("Another Name", "مراجعة قياسية", at(3));
            assert!(matches!(
                store.insert_review_type(&same_ar),
                Err(Error::Conflict(_))
            ));

            let renamed_en = ReviewType {
                name_en: "standard REVIEW".to_owned(),
                ..other.clone()
            };
            assert!(matches!(
                store.update_review_type(&renamed_en),
                Err(Error::Conflict(_))
            ));
            let renamed_ar = ReviewType {
                name_ar: "مراجعة قياسية".to_owned(),
                ..other.clone()
            };
            assert!(matches!(
                store.update_review_type(&renamed_ar),
                Err(Error::Conflict(_))
            ));

            assert_eq!(store.count_review_types(&filter(None, None)).unwrap(), 2);
            assert_eq!(store.find_review_type(other.id).unwrap(), Some(other));
            assert_eq!(store.find_review_type(same_en.id).unwrap(), None);
        }
    }

    #[test]
    fn duplicate_disease_category_names_conflict_and_change_nothing() {
        for db in TestDb::all() {
            let store = &db.store;
            let first = category("Cardiology", "أمراض القلب", at(0));
            let other = category("Oncology", "الأورام", at(1));
            store.insert_disease_category(&first).unwrap();
            store.insert_disease_category(&other).unwrap();

            match store.insert_disease_category(&category("cARDIOLOGY", "قلب", at(2))) {
                Err(Error::Conflict(m)) => {
                    assert_eq!(m, "A disease category with this name already exists")
                }
                other => panic!("{:?}: {other:?}", db.backend()),
            }
            let same_ar = category("Heart", "أمراض القلب", at(3));
            assert!(matches!(
                store.insert_disease_category(&same_ar),
                Err(Error::Conflict(_))
            ));

            let renamed = DiseaseCategory {
                speciality_en: "CARDIOLOGY".to_owned(),
                ..other.clone()
            };
            assert!(matches!(
                store.update_disease_category(&renamed),
                Err(Error::Conflict(_))
            ));

            assert_eq!(
                store.count_disease_categories(&filter(None, None)).unwrap(),
                2
            );
            assert_eq!(store.find_disease_category(other.id).unwrap(), Some(other));
        }
    }

    #[test]
    fn only_ascii_case_is_ignored_in_unique_names() {
        // Both backends must accept and refuse the same names: PostgreSQL's lower() would fold É.
        for db in TestDb::all() {
            let store = &db.store;
            store
                .insert_review_type(&review_type("École", "مدرسة ١", at(0)))
                .unwrap();
            store
                .insert_review_type(&review_type("école", "مدرسة ٢", at(1)))
                .unwrap();
            store
                .insert_disease_category(&category("Ént", "أنف ١", at(0)))
                .unwrap();
            store
                .insert_disease_category(&category("ént", "أنف ٢", at(1)))
                .unwrap();
        }
    }

    #[test]
    fn updating_a_missing_row_is_not_found() {
        for db in TestDb::all() {
            let store = &db.store;
            match store.update_review_type(&review_type("Ghost", "شبح", T0)) {
                Err(Error::NotFound(m)) => assert_eq!(m, "Review type not found"),
                other => panic!("{:?}: {other:?}", db.backend()),
            }
            match store.update_disease_category(&category("Ghost", "شبح", T0)) {
                Err(Error::NotFound(m)) => assert_eq!(m, "Disease category not found"),
                other => panic!("{:?}: {other:?}", db.backend()),
            }
            assert_eq!(store.count_review_types(&filter(None, None)).unwrap(), 0);
        }
    }

    #[test]
    fn lists_are_newest_first_then_by_id() {
        for db in TestDb::all() {
            let store = &db.store;
            // Inserted out of order; two share a creation instant, so the id decides.
            let mut tie_low = review_type("Tie Low", "تعادل ١", at(5));
            tie_low.id = Uuid::parse_str("00000000-0000-7000-8000-000000000001").unwrap();
            let mut tie_high = review_type("Tie High", "تعادل ٢", at(5));
            tie_high.id = Uuid::parse_str("00000000-0000-7000-8000-000000000002").unwrap();
            for rt in [
                review_type("Middle", "وسط", at(3)),
                tie_low,
                review_type("Oldest", "أقدم", at(-60 * 24 * 400)),
                tie_high,
                review_type("Newest", "أحدث", at(6)),
            ] {
                store.insert_review_type(&rt).unwrap();
            }
            assert_eq!(
                review_type_names(store, &filter(None, None), 10, 0),
                ["Newest", "Tie High", "Tie Low", "Middle", "Oldest"]
            );

            for (i, (en, ar)) in [("A", "أ"), ("B", "ب"), ("C", "ج")].into_iter().enumerate() {
                let dc = category(en, ar, at(i as i64));
                store.insert_disease_category(&dc).unwrap();
            }
            assert_eq!(
                category_names(store, &filter(None, None), 10, 0),
                ["C", "B", "A"]
            );
        }
    }

    #[test]
    fn active_filter_selects_active_inactive_or_both() {
        for db in TestDb::all() {
            let store = &db.store;
            let mut retired = review_type("Retired", "متقاعد", at(0));
            retired.active = false;
            store.insert_review_type(&retired).unwrap();
            store
                .insert_review_type(&review_type("Live", "حي", at(1)))
                .unwrap();
            let mut hidden = category("Hidden", "مخفي", at(0));
            hidden.active = false;
            store.insert_disease_category(&hidden).unwrap();
            store
                .insert_disease_category(&category("Shown", "ظاهر", at(1)))
                .unwrap();

            assert_eq!(
                review_type_names(store, &filter(Some(true), None), 10, 0),
                ["Live"]
            );
            assert_eq!(
                review_type_names(store, &filter(Some(false), None), 10, 0),
                ["Retired"]
            );
            assert_eq!(
                review_type_names(store, &filter(None, None), 10, 0),
                ["Live", "Retired"]
            );
            assert_eq!(
                store.count_review_types(&filter(Some(true), None)).unwrap(),
                1
            );
            assert_eq!(
                store
                    .count_review_types(&filter(Some(false), None))
                    .unwrap(),
                1
            );

            assert_eq!(
                category_names(store, &filter(Some(true), None), 10, 0),
                ["Shown"]
            );
            assert_eq!(
                category_names(store, &filter(Some(false), None), 10, 0),
                ["Hidden"]
            );
            assert_eq!(
                store
                    .count_disease_categories(&filter(Some(false), None))
                    .unwrap(),
                1
            );
        }
    }

    #[test]
    fn q_matches_either_name_ignoring_ascii_case() {
        for db in TestDb::all() {
            let store = &db.store;
            store
                .insert_review_type(&review_type("Standard Review", "مراجعة قياسية", at(0)))
                .unwrap();
            store
                .insert_review_type(&review_type("Express Check", "فحص سريع", at(1)))
                .unwrap();
            store
                .insert_disease_category(&category("Cardiology", "أمراض القلب", at(0)))
                .unwrap();
            store
                .insert_disease_category(&category("Oncology", "الأورام", at(1)))
                .unwrap();
            store
                .insert_disease_category(&category("Neurology", "أمراض الأعصاب", at(2)))
                .unwrap();

            let rt = |q| review_type_names(store, &filter(None, Some(q)), 10, 0);
            assert_eq!(rt("REVIEW"), ["Standard Review"]);
            assert_eq!(rt("ss ch"), ["Express Check"]);
            assert_eq!(rt("قياسية"), ["Standard Review"]);
            assert_eq!(rt("e"), ["Express Check", "Standard Review"]);
            assert!(rt("nothing").is_empty());

            let dc = |q| category_names(store, &filter(None, Some(q)), 10, 0);
            assert_eq!(dc("OLOGY"), ["Neurology", "Oncology", "Cardiology"]);
            assert_eq!(dc("cArDi"), ["Cardiology"]);
            assert_eq!(dc("أمراض"), ["Neurology", "Cardiology"]);
            assert_eq!(dc("الأورام"), ["Oncology"]);
            assert_eq!(
                store
                    .count_disease_categories(&filter(None, Some("أمراض")))
                    .unwrap(),
                2
            );
            assert_eq!(
                store
                    .count_disease_categories(&filter(Some(true), Some("onco")))
                    .unwrap(),
                1
            );
        }
    }

    #[test]
    fn q_takes_like_wildcards_literally() {
        for db in TestDb::all() {
            let store = &db.store;
            for (i, (en, ar)) in [
                ("100% Review", "مراجعة ١"),
                ("100 Review", "مراجعة ٢"),
                ("Snake_Case", "ثعبان ١"),
                ("SnakeXCase", "ثعبان ٢"),
                ("Back\\slash", "خط ١"),
                ("Backslash", "خط ٢"),
            ]
            .into_iter()
            .enumerate()
            {
                store
                    .insert_review_type(&review_type(en, ar, at(i as i64)))
                    .unwrap();
                store
                    .insert_disease_category(&category(en, ar, at(i as i64)))
                    .unwrap();
            }
            for (q, expected) in [
                ("100%", "100% Review"),
                ("%", "100% Review"),
                ("e_c", "Snake_Case"),
                ("_", "Snake_Case"),
                ("k\\s", "Back\\slash"),
            ] {
                assert_eq!(
                    review_type_names(store, &filter(None, Some(q)), 10, 0),
                    [expected],
                    "q {q:?} on {:?}",
                    db.backend()
                );
                assert_eq!(
                    category_names(store, &filter(None, Some(q)), 10, 0),
                    [expected],
                    "q {q:?} on {:?}",
                    db.backend()
                );
            }
        }
    }

    #[test]
    fn limit_offset_and_count_page_through_a_filter() {
        for db in TestDb::all() {
            let store = &db.store;
            for i in 0..7 {
                let mut rt = review_type(&format!("Type {i}"), &format!("نوع {i}"), at(i));
                rt.active = i % 2 == 0;
                store.insert_review_type(&rt).unwrap();
                let mut dc = category(&format!("Category {i}"), &format!("فئة {i}"), at(i));
                dc.active = i % 2 == 0;
                store.insert_disease_category(&dc).unwrap();
            }
            let all = filter(None, None);
            assert_eq!(
                review_type_names(store, &all, 3, 0),
                ["Type 6", "Type 5", "Type 4"]
            );
            assert_eq!(
                review_type_names(store, &all, 3, 3),
                ["Type 3", "Type 2", "Type 1"]
            );
            assert_eq!(review_type_names(store, &all, 3, 6), ["Type 0"]);
            assert!(review_type_names(store, &all, 3, 9).is_empty());
            assert_eq!(store.count_review_types(&all).unwrap(), 7);

            let active = filter(Some(true), Some("type"));
            assert_eq!(
                review_type_names(store, &active, 2, 1),
                ["Type 4", "Type 2"]
            );
            assert_eq!(store.count_review_types(&active).unwrap(), 4);

            assert_eq!(
                category_names(store, &filter(Some(false), None), 2, 1),
                ["Category 3", "Category 1"]
            );
            assert_eq!(store.count_disease_categories(&all).unwrap(), 7);
            assert_eq!(
                store
                    .count_disease_categories(&filter(Some(false), None))
                    .unwrap(),
                3
            );
        }
    }
}

mod revocation {
    use super::*;

    #[test]
    fn revoking_is_idempotent_and_visible() {
        for db in TestDb::all() {
            let store = &db.store;
            assert!(!store.is_revoked("jti-1").unwrap());
            store.revoke("jti-1", 2_000_000_000).unwrap();
            store.revoke("jti-1", 2_000_000_000).unwrap();
            store.revoke("jti-1", 1).unwrap();
            assert!(store.is_revoked("jti-1").unwrap());
            assert!(!store.is_revoked("jti-2").unwrap());

            // Another store on the same database (another server instance) sees it.
            let other = Store::connect(&db.url, 1).unwrap();
            assert!(other.is_revoked("jti-1").unwrap());
        }
    }

    #[test]
    fn concurrent_revocations_of_one_token_all_succeed() {
        for db in TestDb::all() {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..4)
                    .map(|_| s.spawn(|| db.store.revoke("raced", 2_000_000_000)))
                    .collect();
                for h in handles {
                    h.join().unwrap().unwrap();
                }
            });
            assert!(db.store.is_revoked("raced").unwrap());
        }
    }

    #[test]
    fn purge_forgets_only_expired_revocations() {
        for db in TestDb::all() {
            let store = &db.store;
            store.revoke("expired", 1_000).unwrap();
            store.revoke("at-now", 2_000).unwrap();
            store.revoke("later", 3_000).unwrap();
            assert_eq!(store.purge_expired_revocations(2_000).unwrap(), 1);
            assert!(!store.is_revoked("expired").unwrap());
            assert!(store.is_revoked("at-now").unwrap());
            assert!(store.is_revoked("later").unwrap());
            assert_eq!(store.purge_expired_revocations(2_000).unwrap(), 0);
        }
    }
}

mod migrations {
    use super::*;

    const FIRST: &str = "2026-11-23-000001_catalogue_and_auth";

    fn states(store: &Store) -> Vec<(String, bool)> {
        store
            .migration_status()
            .unwrap()
            .into_iter()
            .map(|m| (m.name, m.applied))
            .collect()
    }

    #[test]
    fn every_migration_goes_up_down_and_up_again() {
        for db in TestDb::all_unmigrated() {
            let store = &db.store;
            let known = states(store);
            assert!(!known.is_empty());
            assert_eq!(known[0], (FIRST.to_owned(), false));
            assert!(known.iter().all(|(_, applied)| !applied));
            let names: Vec<String> = known.iter().map(|(n, _)| n.clone()).collect();

            assert_eq!(store.run_migrations().unwrap(), names);
            assert!(states(store).iter().all(|(_, applied)| *applied));
            assert!(store.run_migrations().unwrap().is_empty());
            store
                .insert_review_type(&review_type("Kept?", "محفوظ؟", T0))
                .unwrap();

            let mut reverted = names.clone();
            reverted.reverse();
            assert_eq!(store.revert_all_migrations().unwrap(), reverted);
            assert!(states(store).iter().all(|(_, applied)| !applied));
            assert!(
                store.find_review_type(Uuid::now_v7()).is_err(),
                "tables are gone"
            );
            assert_eq!(store.revert_last_migration().unwrap(), None);

            assert_eq!(store.run_migrations().unwrap(), names);
            assert_eq!(store.count_review_types(&filter(None, None)).unwrap(), 0);
            let last = names.last().cloned();
            assert_eq!(store.revert_last_migration().unwrap(), last);
            assert_eq!(store.run_migrations().unwrap(), names[names.len() - 1..]);
            store
                .insert_review_type(&review_type("Back", "عودة", T0))
                .unwrap();
        }
    }

    #[test]
    fn postgres_instances_starting_together_migrate_once() {
        let Some(db) = TestDb::postgres_unmigrated() else {
            return;
        };
        let stores: Vec<Store> = (0..3)
            .map(|_| Store::connect(&db.url, 1).unwrap())
            .collect();
        let applied: Vec<Vec<String>> = std::thread::scope(|s| {
            let runs: Vec<_> = stores
                .iter()
                .map(|st| s.spawn(|| st.run_migrations()))
                .collect();
            runs.into_iter()
                .map(|r| r.join().unwrap().unwrap())
                .collect()
        });
        assert_eq!(
            applied.iter().filter(|a| !a.is_empty()).count(),
            1,
            "{applied:?}"
        );
        assert!(states(&db.store).iter().all(|(_, applied)| *applied));
    }

    #[test]
    fn both_backends_know_the_same_migrations() {
        let sqlite: Vec<String> = std::fs::read_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../migrations/sqlite"
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
        let postgres: Vec<String> = std::fs::read_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../migrations/postgres"
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
        let (mut sqlite, mut postgres) = (sqlite, postgres);
        sqlite.sort();
        postgres.sort();
        assert_eq!(sqlite, postgres);
        assert!(sqlite.contains(&FIRST.to_owned()));
    }
}

mod parity {
    //! The two migration sets must build the same schema, or a query that works on one backend
    //! could fail or behave differently on the other.

    use std::collections::BTreeMap;

    use diesel::prelude::*;
    use diesel::sql_types::{Bool, Integer, Text};

    use super::*;

    /// Per table: column name → (normalized type, nullable, in the primary key).
    type Columns = BTreeMap<String, BTreeMap<String, (String, bool, bool)>>;
    /// Per table: index name → unique (primary keys excluded).
    type Indexes = BTreeMap<String, BTreeMap<String, bool>>;

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
            columns.insert(
                table.clone(),
                cols.into_iter()
                    .map(|c| (c.name, (normalize(&c.r#type), c.notnull == 0, c.pk > 0)))
                    .collect(),
            );
            let idx: Vec<SqliteIndex> = diesel::sql_query(format!("PRAGMA index_list({table})"))
                .load(&mut conn)
                .unwrap();
            indexes.insert(
                table,
                idx.into_iter()
                    .filter(|i| i.origin != "pk")
                    .map(|i| (i.name, i.unique != 0))
                    .collect(),
            );
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
                "SELECT i.relname::text AS name, x.indisunique AS unique \
                 FROM pg_index x \
                 JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_class t ON t.oid = x.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE n.nspname = 'public' AND t.relname = $1 AND NOT x.indisprimary",
            )
            .bind::<Text, _>(&table)
            .load(&mut conn)
            .unwrap();
            indexes.insert(table, idx.into_iter().map(|i| (i.name, i.unique)).collect());
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
        let (sqlite_columns, sqlite_indexes) =
            sqlite_schema(sqlite.url.trim_start_matches("sqlite://"));
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
        ] {
            assert!(sqlite_columns.contains_key(table), "{table}");
        }
        assert_eq!(
            sqlite_indexes["review_cases"].keys().collect::<Vec<_>>(),
            ["review_cases_reminder", "review_cases_user_created"]
        );
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
}

/// Review cases, timeline entries and notifications for the case, outbox and contact tests.
mod fixtures {
    use domain::kernel::lang::Lang;
    use domain::notifications::{Notification, NotificationKind, RecipientRole};
    use domain::second_opinion::{
        ActorRole, CaseRepository, CaseStatus, Gender, MedicalDocument, PatientAge, ReviewCase,
        TimelineEntry,
    };

    use super::*;

    /// The catalogue rows every case refers to.
    #[derive(Debug, Clone, Copy)]
    pub struct Catalogue {
        pub rt: Uuid,
        pub dc: Uuid,
    }

    pub fn catalogue(store: &Store) -> Catalogue {
        let rt = review_type("Standard Review", "مراجعة قياسية", T0);
        let dc = category("Cardiology", "أمراض القلب", T0);
        store.insert_review_type(&rt).unwrap();
        store.insert_disease_category(&dc).unwrap();
        Catalogue {
            rt: rt.id,
            dc: dc.id,
        }
    }

    /// A new draft with nothing optional filled in.
    pub fn draft(cat: Catalogue, user_id: &str, created: OffsetDateTime) -> ReviewCase {
        ReviewCase {
            id: Uuid::now_v7(),
            user_id: user_id.to_owned(),
            rt_id: cat.rt,
            dc_id: cat.dc,
            patient_age: PatientAge::parse(42).unwrap(),
            patient_gender: Gender::Female,
            status: CaseStatus::Draft,
            medical_history: None,
            medical_documents: Vec::new(),
            reject_reason: None,
            case_coordinator_id: None,
            lang: Lang::En,
            is_notified: false,
            version: 1,
            created_date: created,
            updated_date: created,
        }
    }

    pub fn document(name: &str) -> MedicalDocument {
        MedicalDocument {
            url: format!("https://files.example/{name}"),
            key: format!("cases/{name}"),
            name: name.to_owned(),
        }
    }

    pub fn entry(
        case: &ReviewCase,
        event: &str,
        from: Option<CaseStatus>,
        to: Option<CaseStatus>,
        at: OffsetDateTime,
    ) -> TimelineEntry {
        TimelineEntry {
            id: Uuid::now_v7(),
            case_id: case.id,
            actor_id: case.user_id.clone(),
            actor_role: ActorRole::Patient,
            event: event.to_owned(),
            from_status: from,
            to_status: to,
            note: None,
            created_date: at,
        }
    }

    pub fn notification(
        kind: NotificationKind,
        case: Option<&ReviewCase>,
        at: OffsetDateTime,
    ) -> Notification {
        Notification {
            id: Uuid::now_v7(),
            kind,
            recipient_id: case.map_or_else(|| "someone".to_owned(), |c| c.user_id.clone()),
            recipient_role: RecipientRole::Patient,
            lang: case.map_or(Lang::En, |c| c.lang),
            case_id: case.map(|c| c.id),
            data: serde_json::json!({ "case_id": case.map(|c| c.id.to_string()) }),
            created_date: at,
        }
    }

    /// The reminder's notification and timeline entry for `case`, as the reminder run writes them.
    pub fn reminder(case: &ReviewCase, at: OffsetDateTime) -> (Notification, TimelineEntry) {
        let mut entry = entry(case, "draft_reminder_sent", None, None, at);
        entry.actor_id = "system".to_owned();
        entry.actor_role = ActorRole::System;
        (
            notification(NotificationKind::DraftReminder, Some(case), at),
            entry,
        )
    }

    /// Inserts `case` with a `created` timeline entry and no notification.
    pub fn insert(store: &Store, case: &ReviewCase) {
        let created = entry(case, "created", None, Some(case.status), case.created_date);
        store.insert(case, &[created], &[]).unwrap();
    }
}

mod cases {
    use domain::kernel::lang::Lang;
    use domain::notifications::{DeliveryStatus, NotificationKind, OutboxRepository};
    use domain::second_opinion::{ActorRole, CaseRepository, CaseStatus, Gender, PatientAge};

    use super::fixtures::{self, Catalogue, document, draft, entry, notification, reminder};
    use super::*;

    fn ids(cases: &[domain::second_opinion::ReviewCase]) -> Vec<Uuid> {
        cases.iter().map(|c| c.id).collect()
    }

    #[test]
    fn a_case_round_trips_with_every_field() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let mut full = draft(cat, "patient-1", T0);
            full.patient_age = PatientAge::parse(150).unwrap();
            full.patient_gender = Gender::Male;
            full.status = CaseStatus::AwaitingPayment;
            full.medical_history = Some("Hypertension since 2019, \"controlled\"; ضغط".to_owned());
            full.medical_documents = vec![document("ecg.pdf"), document("تقرير \"2\".pdf")];
            full.reject_reason = Some("—".to_owned());
            full.case_coordinator_id = Some("coordinator-9".to_owned());
            full.lang = Lang::Ar;
            full.is_notified = true;
            full.version = 7;
            full.updated_date = datetime!(2026-12-01 08:30:00.000001 UTC);
            fixtures::insert(store, &full);

            let bare = draft(cat, "patient-1", at(1));
            fixtures::insert(store, &bare);

            for case in [&full, &bare] {
                assert_eq!(store.find(case.id).unwrap().as_ref(), Some(case));
                assert_eq!(
                    store.find_for_user("patient-1", case.id).unwrap().as_ref(),
                    Some(case)
                );
                assert_eq!(store.find_for_user("patient-2", case.id).unwrap(), None);
            }
            assert_eq!(store.find(Uuid::now_v7()).unwrap(), None);
            assert_eq!(
                store.find_for_user("patient-1", Uuid::now_v7()).unwrap(),
                None
            );
        }
    }

    #[test]
    fn lists_are_per_user_newest_first_then_by_id_and_paged() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let mut mine = Vec::new();
            for minutes in [3, 1, 4, 0] {
                mine.push(draft(cat, "me", at(minutes)));
            }
            // Two cases share a creation instant: the id decides.
            let mut tie_low = draft(cat, "me", at(2));
            tie_low.id = Uuid::parse_str("00000000-0000-7000-8000-000000000001").unwrap();
            let mut tie_high = draft(cat, "me", at(2));
            tie_high.id = Uuid::parse_str("00000000-0000-7000-8000-000000000002").unwrap();
            mine.extend([tie_low.clone(), tie_high.clone()]);
            for case in &mine {
                fixtures::insert(store, case);
            }
            for minutes in [10, -10] {
                fixtures::insert(store, &draft(cat, "someone-else", at(minutes)));
            }

            let mut expected = mine.clone();
            expected.sort_by_key(|c| std::cmp::Reverse((c.created_date, c.id)));
            assert_eq!(
                store.list_for_user("me", 10, 0).unwrap(),
                expected,
                "{:?}",
                db.backend()
            );
            assert_eq!(
                ids(&store.list_for_user("me", 2, 2).unwrap()),
                [tie_high.id, tie_low.id]
            );
            assert_eq!(
                ids(&store.list_for_user("me", 4, 4).unwrap()),
                ids(&expected[4..])
            );
            assert!(store.list_for_user("me", 4, 6).unwrap().is_empty());
            assert_eq!(store.count_for_user("me").unwrap(), 6);
            assert_eq!(store.count_for_user("someone-else").unwrap(), 2);
            assert_eq!(store.count_for_user("nobody").unwrap(), 0);
            assert!(store.list_for_user("nobody", 10, 0).unwrap().is_empty());
        }
    }

    #[test]
    fn insert_writes_the_timeline_and_the_notifications() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let case = draft(cat, "patient-1", T0);
            let created = entry(&case, "created", None, Some(CaseStatus::Draft), T0);
            let mut submitted = entry(
                &case,
                "submitted",
                Some(CaseStatus::Draft),
                Some(CaseStatus::Review),
                T0,
            );
            submitted.note = Some("first submission".to_owned());
            let notice = notification(NotificationKind::CaseSubmitted, Some(&case), T0);
            store
                .insert(
                    &case,
                    &[created.clone(), submitted.clone()],
                    std::slice::from_ref(&notice),
                )
                .unwrap();

            let mut expected_timeline = vec![created, submitted];
            expected_timeline.sort_by_key(|e| (e.created_date, e.id));
            assert_eq!(store.timeline(case.id).unwrap(), expected_timeline);
            let outbox = store.for_case(case.id).unwrap();
            assert_eq!(outbox.len(), 1);
            let message = &outbox[0];
            assert_eq!(message.notification, notice);
            assert_eq!(message.status, DeliveryStatus::Pending);
            assert_eq!(message.attempts, 0);
            assert!(message.delivered_channels.is_empty());
            assert_eq!(message.last_error, None);
            assert_eq!(message.next_attempt_at, notice.created_date);
            assert_eq!(message.delivered_date, None);
        }
    }

    #[test]
    fn a_failing_notification_insert_leaves_no_case_and_no_timeline() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let first = draft(cat, "patient-1", T0);
            let notice = notification(NotificationKind::CaseSubmitted, Some(&first), T0);
            store
                .insert(&first, &[], std::slice::from_ref(&notice))
                .unwrap();

            // The second case's notification reuses the first one's id: its insert fails last.
            let second = draft(cat, "patient-1", at(1));
            let mut duplicate = notification(NotificationKind::CaseSubmitted, Some(&second), at(1));
            duplicate.id = notice.id;
            let created = entry(&second, "created", None, Some(CaseStatus::Draft), at(1));
            let err = store.insert(&second, &[created], &[duplicate]).unwrap_err();
            assert!(
                matches!(err, Error::Conflict(_)),
                "{:?}: {err:?}",
                db.backend()
            );

            assert_eq!(store.find(second.id).unwrap(), None);
            assert!(store.timeline(second.id).unwrap().is_empty());
            assert!(store.for_case(second.id).unwrap().is_empty());
            assert_eq!(store.count_for_user("patient-1").unwrap(), 1);
            assert_eq!(store.count(None).unwrap(), 1);
        }
    }

    #[test]
    fn update_needs_the_stored_version() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let case = draft(cat, "patient-1", T0);
            fixtures::insert(store, &case);

            let mut submitted = case.clone();
            submitted.status = CaseStatus::Review;
            submitted.medical_history = Some("asthma".to_owned());
            submitted.medical_documents = vec![document("x-ray.png")];
            submitted.lang = Lang::Ar;
            submitted.version = 2;
            submitted.updated_date = at(5);
            let event = entry(
                &case,
                "submitted",
                Some(CaseStatus::Draft),
                Some(CaseStatus::Review),
                at(5),
            );
            let notice = notification(NotificationKind::CaseSubmitted, Some(&submitted), at(5));
            store
                .update(
                    &submitted,
                    1,
                    std::slice::from_ref(&event),
                    std::slice::from_ref(&notice),
                )
                .unwrap();
            assert_eq!(store.find(case.id).unwrap(), Some(submitted.clone()));
            assert_eq!(store.timeline(case.id).unwrap().len(), 2);
            assert_eq!(store.timeline(case.id).unwrap()[1], event);
            assert_eq!(
                store
                    .for_case(case.id)
                    .unwrap()
                    .into_iter()
                    .map(|m| m.notification)
                    .collect::<Vec<_>>(),
                [notice]
            );

            // A writer that read version 1 lost the race: nothing it sends is written.
            let mut stale = case.clone();
            stale.medical_history = Some("overwritten".to_owned());
            stale.version = 2;
            let late_event = entry(&case, "updated", None, None, at(6));
            let late_notice = notification(NotificationKind::CaseSubmitted, Some(&case), at(6));
            match store.update(&stale, 1, &[late_event], &[late_notice]) {
                Err(Error::Conflict(m)) => assert_eq!(
                    m,
                    "The case was changed by another request; reload it and try again"
                ),
                other => panic!("{:?}: {other:?}", db.backend()),
            }
            assert_eq!(store.find(case.id).unwrap(), Some(submitted.clone()));
            assert_eq!(store.timeline(case.id).unwrap().len(), 2);
            assert_eq!(store.for_case(case.id).unwrap().len(), 1);

            // The owner and the creation date are the case's identity, not something to rewrite.
            let mut rewritten = submitted.clone();
            rewritten.user_id = "intruder".to_owned();
            rewritten.created_date = at(999);
            rewritten.version = 3;
            store.update(&rewritten, 2, &[], &[]).unwrap();
            let stored = store.find(case.id).unwrap().unwrap();
            assert_eq!(stored.user_id, "patient-1");
            assert_eq!(stored.created_date, T0);
            assert_eq!(stored.version, 3);

            let ghost = draft(cat, "patient-1", T0);
            match store.update(&ghost, 1, &[], &[]) {
                Err(Error::NotFound(m)) => assert_eq!(m, "Case not found"),
                other => panic!("{:?}: {other:?}", db.backend()),
            }
        }
    }

    #[test]
    fn corrupt_rows_are_internal_errors() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let case = draft(cat, "patient-1", T0);
            fixtures::insert(store, &case);
            for (column, value) in [
                ("status", "'archived'"),
                ("medical_documents", "'not json'"),
                ("medical_documents", "'[{\"url\": 1}]'"),
                ("lang", "'fr'"),
                ("patient_age", "200"),
                ("patient_gender", "'other'"),
                ("created_date", "'yesterday'"),
            ] {
                raw_sql(
                    &db,
                    &format!(
                        "UPDATE review_cases SET {column} = {value} WHERE case_id = '{}'",
                        case.id
                    ),
                );
                match store.find(case.id) {
                    Err(Error::Internal(detail)) => assert!(
                        detail.contains(&case.id.to_string()) || detail.contains("stored"),
                        "{detail}"
                    ),
                    other => panic!("{column} = {value} on {:?}: {other:?}", db.backend()),
                }
                assert!(matches!(
                    store.list_for_user("patient-1", 10, 0),
                    Err(Error::Internal(_))
                ));
                // Put the row back for the next column.
                raw_sql(&db, &restore_sql(&case));
                assert_eq!(store.find(case.id).unwrap(), Some(case.clone()));
            }
        }
    }

    /// Rewrites every column `corrupt_rows_are_internal_errors` may break back to `case`'s values.
    fn restore_sql(case: &domain::second_opinion::ReviewCase) -> String {
        format!(
            "UPDATE review_cases SET status = 'draft', medical_documents = '[]', lang = 'en', \
             patient_age = {}, patient_gender = '{}', created_date = '{}' WHERE case_id = '{}'",
            case.patient_age.years(),
            case.patient_gender.as_str(),
            domain::kernel::time::format_rfc3339(case.created_date),
            case.id
        )
    }

    #[test]
    fn reminder_candidates_are_old_unnotified_drafts_oldest_first() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let old = draft(cat, "a", at(-120));
            let older = draft(cat, "b", at(-300));
            let at_cutoff = draft(cat, "c", at(-60));
            let recent = draft(cat, "d", at(-59));
            let mut reminded = draft(cat, "e", at(-400));
            reminded.is_notified = true;
            let mut submitted = draft(cat, "f", at(-400));
            submitted.status = CaseStatus::Review;
            for case in [&old, &older, &at_cutoff, &recent, &reminded, &submitted] {
                fixtures::insert(store, case);
            }
            let cutoff = at(-60);
            assert_eq!(
                ids(&store.reminder_candidates(cutoff, 10).unwrap()),
                [older.id, old.id, at_cutoff.id]
            );
            assert_eq!(
                ids(&store.reminder_candidates(cutoff, 2).unwrap()),
                [older.id, old.id]
            );
        }
    }

    #[test]
    fn flag_reminder_flags_only_unnotified_drafts() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let case = draft(cat, "patient-1", T0);
            let mut submitted = draft(cat, "patient-2", T0);
            submitted.status = CaseStatus::Review;
            let mut reminded = draft(cat, "patient-3", T0);
            reminded.is_notified = true;
            for c in [&case, &submitted, &reminded] {
                fixtures::insert(store, c);
            }

            for c in [&submitted, &reminded] {
                let (notice, event) = reminder(c, at(60 * 24));
                assert!(!store.flag_reminder(c.id, &notice, &event).unwrap());
                assert_eq!(store.find(c.id).unwrap().as_ref(), Some(c));
                assert!(store.for_case(c.id).unwrap().is_empty());
                assert_eq!(store.timeline(c.id).unwrap().len(), 1);
            }
            let (notice, event) = reminder(&case, at(60 * 24));
            assert!(
                !store
                    .flag_reminder(Uuid::now_v7(), &notice, &event)
                    .unwrap()
            );

            assert!(store.flag_reminder(case.id, &notice, &event).unwrap());
            let flagged = store.find(case.id).unwrap().unwrap();
            assert!(flagged.is_notified);
            assert_eq!(flagged.version, case.version + 1);
            assert_eq!(flagged.updated_date, case.updated_date);
            assert_eq!(store.timeline(case.id).unwrap()[1], event);
            let outbox = store.for_case(case.id).unwrap();
            assert_eq!(outbox.len(), 1);
            assert_eq!(outbox[0].notification, notice);

            let (again, again_event) = reminder(&case, at(60 * 25));
            assert!(!store.flag_reminder(case.id, &again, &again_event).unwrap());
            assert_eq!(store.for_case(case.id).unwrap().len(), 1);
            assert_eq!(store.timeline(case.id).unwrap().len(), 2);
        }
    }

    #[test]
    fn flag_reminder_is_exactly_once_under_concurrency() {
        const THREADS: usize = 8;
        const CASES: usize = 20;
        for db in TestDb::all() {
            let cat: Catalogue = fixtures::catalogue(&db.store);
            let cases: Vec<_> = (0..CASES)
                .map(|i| draft(cat, &format!("patient-{i}"), at(i as i64)))
                .collect();
            for case in &cases {
                fixtures::insert(&db.store, case);
            }
            // Another server instance on the same database.
            let other = Store::connect(&db.url, 4).unwrap();
            let barrier = std::sync::Barrier::new(THREADS);
            let started = std::time::Instant::now();
            let flagged: usize = std::thread::scope(|s| {
                let workers: Vec<_> = (0..THREADS)
                    .map(|t| {
                        let store = if t % 2 == 0 {
                            db.store.clone()
                        } else {
                            other.clone()
                        };
                        let (cases, barrier) = (&cases, &barrier);
                        s.spawn(move || {
                            barrier.wait();
                            // Each thread starts elsewhere in the list, so they collide on every case.
                            (0..CASES)
                                .map(|i| &cases[(i + t * 3) % CASES])
                                .filter(|case| {
                                    let (notice, event) = reminder(case, at(60 * 24));
                                    store.flag_reminder(case.id, &notice, &event).unwrap()
                                })
                                .count()
                        })
                    })
                    .collect();
                workers.into_iter().map(|w| w.join().unwrap()).sum()
            });
            eprintln!(
                "{}: {THREADS} threads flagged {CASES} cases in {:?}",
                db.backend(),
                started.elapsed()
            );

            assert_eq!(flagged, CASES, "{:?}", db.backend());
            for case in &cases {
                let outbox = db.store.for_case(case.id).unwrap();
                assert_eq!(outbox.len(), 1, "{:?}", db.backend());
                assert_eq!(outbox[0].notification.kind, NotificationKind::DraftReminder);
                let stored = db.store.find(case.id).unwrap().unwrap();
                assert!(stored.is_notified);
                assert_eq!(stored.version, 2);
                let reminders = db
                    .store
                    .timeline(case.id)
                    .unwrap()
                    .into_iter()
                    .filter(|e| e.event == "draft_reminder_sent")
                    .collect::<Vec<_>>();
                assert_eq!(reminders.len(), 1);
                assert_eq!(reminders[0].actor_role, ActorRole::System);
            }
            assert_eq!(db.store.count(None).unwrap(), CASES as u64);
        }
    }

    #[test]
    fn bulk_insert_loads_cases_that_page_correctly() {
        const USERS: [&str; 3] = ["bulk-a", "bulk-b", "bulk-c"];
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let cases: Vec<_> = (0..2_000)
                .map(|i| {
                    let mut case = draft(cat, USERS[i % 3], at((i as i64 * 7) % 1_000));
                    case.medical_documents = vec![document(&format!("{i}.pdf"))];
                    case
                })
                .collect();
            let started = std::time::Instant::now();
            assert_eq!(store.insert_cases_bulk(&cases).unwrap(), 2_000);
            eprintln!(
                "{}: bulk insert of 2,000 cases in {:?}",
                db.backend(),
                started.elapsed()
            );

            for user in USERS {
                let mut expected: Vec<_> = cases.iter().filter(|c| c.user_id == user).collect();
                expected.sort_by_key(|c| std::cmp::Reverse((c.created_date, c.id)));
                assert_eq!(store.count_for_user(user).unwrap(), expected.len() as u64);
                let mut paged = Vec::new();
                let mut offset = 0;
                loop {
                    let page = store.list_for_user(user, 100, offset).unwrap();
                    if page.is_empty() {
                        break;
                    }
                    assert!(page.len() <= 100);
                    offset += page.len() as i64;
                    paged.extend(page);
                }
                assert_eq!(paged.len(), expected.len());
                for (got, want) in paged.iter().zip(&expected) {
                    assert_eq!(got, *want);
                }
            }
            assert_eq!(store.count_for_user(USERS[0]).unwrap(), 667);
            assert_eq!(store.count_for_user(USERS[2]).unwrap(), 666);
            // Bulk loading writes no history and no notifications.
            assert!(store.timeline(cases[0].id).unwrap().is_empty());
            assert_eq!(store.count(None).unwrap(), 0);
        }
    }
}

mod outbox {
    use std::collections::HashSet;

    use domain::notifications::{DeliveryStatus, Notification, NotificationKind, OutboxRepository};
    use domain::second_opinion::{CaseRepository, CaseStatus, ReviewCase};

    use super::fixtures::{self, draft, notification, reminder};
    use super::*;

    fn minutes(n: i64) -> time::Duration {
        time::Duration::minutes(n)
    }

    /// Writes `notifications` to the outbox the only way the store does: with a case change.
    fn enqueue(store: &Store, notifications: &[Notification]) -> ReviewCase {
        let cat = fixtures::catalogue(store);
        let case = draft(cat, "carrier", T0);
        store.insert(&case, &[], notifications).unwrap();
        case
    }

    fn message_ids(messages: &[domain::notifications::OutboxMessage]) -> Vec<Uuid> {
        messages.iter().map(|m| m.notification.id).collect()
    }

    #[test]
    fn claim_due_takes_the_oldest_due_first_and_leases_them() {
        for db in TestDb::all() {
            let store = &db.store;
            let now = at(0);
            let mut due: Vec<Notification> = (0..5)
                .map(|i| notification(NotificationKind::CaseSubmitted, None, now - minutes(i)))
                .collect();
            let later = notification(NotificationKind::CaseSubmitted, None, now + minutes(1));
            let mut all = due.clone();
            all.push(later.clone());
            enqueue(store, &all);
            due.sort_by_key(|n| (n.created_date, n.id));

            let lease = now + minutes(5);
            let first = store.claim_due(now, lease, 3).unwrap();
            assert_eq!(message_ids(&first), message_ids_of(&due[..3]));
            assert!(first.iter().all(|m| m.status == DeliveryStatus::Pending));
            let second = store.claim_due(now, lease, 3).unwrap();
            assert_eq!(message_ids(&second), message_ids_of(&due[3..]));
            assert!(store.claim_due(now, lease, 3).unwrap().is_empty());
            assert!(store.claim_due(now, lease, 0).unwrap().is_empty());
            assert!(store.claim_due(now, lease, -1).unwrap().is_empty());

            // Once due, the later one is claimable; the leased ones are not until their lease ends.
            let soon = now + minutes(2);
            assert_eq!(
                message_ids(&store.claim_due(soon, soon + minutes(5), 10).unwrap()),
                [later.id]
            );
            let expired = store.claim_due(lease, lease + minutes(5), 10).unwrap();
            assert_eq!(message_ids(&expired), message_ids_of(&due));
        }
    }

    fn message_ids_of(notifications: &[Notification]) -> Vec<Uuid> {
        notifications.iter().map(|n| n.id).collect()
    }

    #[test]
    fn concurrent_claims_take_every_message_exactly_once() {
        const MESSAGES: usize = 100;
        const THREADS: usize = 4;
        for db in TestDb::all() {
            let now = at(0);
            let due: Vec<Notification> = (0..MESSAGES)
                .map(|i| {
                    notification(
                        NotificationKind::CaseSubmitted,
                        None,
                        now - time::Duration::seconds(i as i64 % 17),
                    )
                })
                .collect();
            let not_due: Vec<Notification> = (0..5)
                .map(|i| notification(NotificationKind::CaseSubmitted, None, now + minutes(i + 1)))
                .collect();
            enqueue(&db.store, &[due.clone(), not_due.clone()].concat());
            let other = Store::connect(&db.url, 2).unwrap();

            let lease = now + minutes(5);
            let barrier = std::sync::Barrier::new(THREADS);
            let started = std::time::Instant::now();
            let claimed: Vec<Uuid> = std::thread::scope(|s| {
                let workers: Vec<_> = (0..THREADS)
                    .map(|t| {
                        let store = if t == 0 {
                            other.clone()
                        } else {
                            db.store.clone()
                        };
                        let barrier = &barrier;
                        s.spawn(move || {
                            barrier.wait();
                            let mut mine = Vec::new();
                            loop {
                                let batch = store.claim_due(now, lease, 10).unwrap();
                                if batch.is_empty() {
                                    return mine;
                                }
                                assert!(batch.len() <= 10);
                                mine.extend(message_ids(&batch));
                            }
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap())
                    .collect()
            });
            eprintln!(
                "{}: {THREADS} threads claimed {MESSAGES} messages in {:?}",
                db.backend(),
                started.elapsed()
            );
            let unique: HashSet<Uuid> = claimed.iter().copied().collect();
            assert_eq!(claimed.len(), MESSAGES, "{:?}: claimed twice", db.backend());
            assert_eq!(unique, message_ids_of(&due).into_iter().collect());

            // Leased: nobody gets them again before the lease ends, even once more are due.
            assert!(
                db.store
                    .claim_due(lease - time::Duration::microseconds(1), lease, 1_000)
                    .unwrap()
                    .iter()
                    .all(|m| !unique.contains(&m.notification.id))
            );
            // After it, they are claimable again (the dispatcher that held them died).
            let after = db
                .store
                .claim_due(lease, lease + minutes(5), 1_000)
                .unwrap();
            let again: HashSet<Uuid> = message_ids(&after).into_iter().collect();
            assert!(unique.is_subset(&again));
        }
    }

    #[test]
    fn outcomes_set_the_state_and_clear_the_lease() {
        for db in TestDb::all() {
            let store = &db.store;
            let now = at(0);
            let n = |i: i64| notification(NotificationKind::CaseSubmitted, None, now - minutes(i));
            let (delivered, retried, failed) = (n(3), n(2), n(1));
            enqueue(store, &[delivered.clone(), retried.clone(), failed.clone()]);
            let lease = now + minutes(5);
            assert_eq!(store.claim_due(now, lease, 10).unwrap().len(), 3);

            let webhook = vec!["webhook".to_owned()];
            store
                .mark_delivered(delivered.id, 1, &webhook, at(1))
                .unwrap();
            store
                .schedule_retry(retried.id, 1, &webhook, at(2), "smtp: 451 try later")
                .unwrap();
            store
                .mark_failed(failed.id, 5, &[], "webhook: 500", at(1))
                .unwrap();

            let by_id = |id: Uuid| {
                store
                    .list(None, 100, 0)
                    .unwrap()
                    .into_iter()
                    .find(|m| m.notification.id == id)
                    .unwrap()
            };
            let d = by_id(delivered.id);
            assert_eq!(d.status, DeliveryStatus::Delivered);
            assert_eq!(d.attempts, 1);
            assert_eq!(d.delivered_channels, webhook);
            assert_eq!(d.delivered_date, Some(at(1)));
            assert_eq!(d.last_error, None);
            assert_eq!(d.notification, delivered);

            let r = by_id(retried.id);
            assert_eq!(r.status, DeliveryStatus::Pending);
            assert_eq!(r.attempts, 1);
            assert_eq!(r.delivered_channels, webhook);
            assert_eq!(r.next_attempt_at, at(2));
            assert_eq!(r.last_error.as_deref(), Some("smtp: 451 try later"));
            assert_eq!(r.delivered_date, None);

            let f = by_id(failed.id);
            assert_eq!(f.status, DeliveryStatus::Failed);
            assert_eq!(f.attempts, 5);
            assert_eq!(f.last_error.as_deref(), Some("webhook: 500"));

            // The retry's lease is gone: it is claimable when due, although the claim's lease
            // would still run; delivered and failed messages never are.
            assert!(store.claim_due(at(1), lease, 10).unwrap().is_empty());
            assert_eq!(
                message_ids(&store.claim_due(at(2), lease, 10).unwrap()),
                [retried.id]
            );

            // Requeue: only a failed message, back to pending with no attempts, due now.
            store.requeue(failed.id, at(3)).unwrap();
            let q = by_id(failed.id);
            assert_eq!(q.status, DeliveryStatus::Pending);
            assert_eq!(q.attempts, 0);
            assert_eq!(q.next_attempt_at, at(3));
            assert_eq!(
                message_ids(&store.claim_due(at(3), lease, 10).unwrap()),
                [failed.id]
            );
            for id in [failed.id, delivered.id, retried.id, Uuid::now_v7()] {
                match store.requeue(id, at(4)) {
                    Err(Error::NotFound(m)) => {
                        assert_eq!(m, "Notification not found or not failed")
                    }
                    other => panic!("{:?}: {other:?}", db.backend()),
                }
            }

            let ghost = Uuid::now_v7();
            assert!(matches!(
                store.mark_delivered(ghost, 1, &[], now),
                Err(Error::NotFound(_))
            ));
            assert!(matches!(
                store.schedule_retry(ghost, 1, &[], now, "x"),
                Err(Error::NotFound(_))
            ));
            assert!(matches!(
                store.mark_failed(ghost, 1, &[], "x", now),
                Err(Error::NotFound(_))
            ));
        }
    }

    #[test]
    fn a_failed_draft_reminder_releases_its_draft() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let case = draft(cat, "patient-1", at(-60 * 25));
            let submitted_meanwhile = draft(cat, "patient-2", at(-60 * 25));
            fixtures::insert(store, &case);
            fixtures::insert(store, &submitted_meanwhile);
            let cutoff = at(-60 * 24);

            let (notice, event) = reminder(&case, at(0));
            assert!(store.flag_reminder(case.id, &notice, &event).unwrap());
            let (other_notice, other_event) = reminder(&submitted_meanwhile, at(0));
            assert!(
                store
                    .flag_reminder(submitted_meanwhile.id, &other_notice, &other_event)
                    .unwrap()
            );
            assert!(store.reminder_candidates(cutoff, 10).unwrap().is_empty());

            let mut review = store.find(submitted_meanwhile.id).unwrap().unwrap();
            review.status = CaseStatus::Review;
            review.version += 1;
            store.update(&review, review.version - 1, &[], &[]).unwrap();

            // A case_submitted failure leaves its case alone.
            let unrelated = notification(NotificationKind::CaseSubmitted, Some(&case), at(0));
            let mut current = store.find(case.id).unwrap().unwrap();
            current.version += 1;
            store
                .update(
                    &current,
                    current.version - 1,
                    &[],
                    std::slice::from_ref(&unrelated),
                )
                .unwrap();
            store
                .mark_failed(unrelated.id, 5, &[], "gone", at(1))
                .unwrap();
            assert!(store.find(case.id).unwrap().unwrap().is_notified);

            store.mark_failed(notice.id, 5, &[], "gone", at(1)).unwrap();
            store
                .mark_failed(other_notice.id, 5, &[], "gone", at(1))
                .unwrap();
            let released = store.find(case.id).unwrap().unwrap();
            assert!(!released.is_notified);
            assert_eq!(released.version, current.version + 1);
            assert_eq!(
                store
                    .reminder_candidates(cutoff, 10)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.id)
                    .collect::<Vec<_>>(),
                [case.id]
            );
            // A submitted case stays as it is.
            assert_eq!(
                store.find(submitted_meanwhile.id).unwrap(),
                Some(review.clone())
            );

            // The next run reminds it again.
            let (second, second_event) = reminder(&case, at(60));
            assert!(
                store
                    .flag_reminder(case.id, &second, &second_event)
                    .unwrap()
            );
            assert_eq!(store.for_case(case.id).unwrap().len(), 3);
        }
    }

    #[test]
    fn list_and_count_filter_by_status_newest_first() {
        for db in TestDb::all() {
            let store = &db.store;
            let messages: Vec<Notification> = (0..5)
                .map(|i| notification(NotificationKind::CaseSubmitted, None, at(i)))
                .collect();
            enqueue(store, &messages);
            store.claim_due(at(10), at(20), 10).unwrap();
            store
                .mark_failed(messages[1].id, 5, &[], "x", at(10))
                .unwrap();
            store
                .mark_failed(messages[3].id, 5, &[], "x", at(10))
                .unwrap();
            store
                .mark_delivered(messages[4].id, 1, &[], at(10))
                .unwrap();

            assert_eq!(
                message_ids(&store.list(None, 10, 0).unwrap()),
                message_ids_of(&messages)
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
            );
            assert_eq!(
                message_ids(&store.list(None, 2, 1).unwrap()),
                [messages[3].id, messages[2].id]
            );
            assert_eq!(
                message_ids(&store.list(Some(DeliveryStatus::Failed), 10, 0).unwrap()),
                [messages[3].id, messages[1].id]
            );
            assert_eq!(
                message_ids(&store.list(Some(DeliveryStatus::Pending), 10, 0).unwrap()),
                [messages[2].id, messages[0].id]
            );
            assert_eq!(store.count(None).unwrap(), 5);
            assert_eq!(store.count(Some(DeliveryStatus::Failed)).unwrap(), 2);
            assert_eq!(store.count(Some(DeliveryStatus::Delivered)).unwrap(), 1);
            assert_eq!(store.count(Some(DeliveryStatus::Pending)).unwrap(), 2);
        }
    }

    #[test]
    fn corrupt_messages_are_internal_errors() {
        for db in TestDb::all() {
            let store = &db.store;
            let message = notification(NotificationKind::CaseSubmitted, None, at(0));
            enqueue(store, std::slice::from_ref(&message));
            for (column, value) in [
                ("kind", "'fax'"),
                ("status", "'lost'"),
                ("data", "'{'"),
                ("delivered_channels", "'\"webhook\"'"),
                ("attempts", "-1"),
                ("recipient_role", "'nurse'"),
            ] {
                raw_sql(
                    &db,
                    &format!(
                        "UPDATE notification_outbox SET {column} = {value} \
                         WHERE notification_id = '{}'",
                        message.id
                    ),
                );
                match store.list(None, 10, 0) {
                    Err(Error::Internal(detail)) => assert!(detail.contains("stored"), "{detail}"),
                    other => panic!("{column} = {value} on {:?}: {other:?}", db.backend()),
                }
                raw_sql(
                    &db,
                    &format!(
                        "UPDATE notification_outbox SET kind = 'case_submitted', status = 'pending', \
                         data = '{{}}', delivered_channels = '[]', attempts = 0, \
                         recipient_role = 'patient' WHERE notification_id = '{}'",
                        message.id
                    ),
                );
                assert_eq!(store.list(None, 10, 0).unwrap().len(), 1);
            }
        }
    }
}

mod contacts {
    use domain::notifications::{Contact, ContactDirectory};

    use super::*;

    #[test]
    fn contacts_default_to_nothing_and_save_replaces_them() {
        for db in TestDb::all() {
            let store = &db.store;
            assert_eq!(store.contact("patient-1").unwrap(), Contact::default());

            let email = |e: &str| Contact {
                email: Some(e.to_owned()),
            };
            store
                .save_contact("patient-1", &email("a@example.com"), T0)
                .unwrap();
            assert_eq!(store.contact("patient-1").unwrap(), email("a@example.com"));
            store
                .save_contact("patient-1", &email("b@example.com"), at(1))
                .unwrap();
            assert_eq!(store.contact("patient-1").unwrap(), email("b@example.com"));
            assert_eq!(store.contact("patient-2").unwrap(), Contact::default());
            store
                .save_contact("patient-1", &Contact::default(), at(2))
                .unwrap();
            assert_eq!(store.contact("patient-1").unwrap(), Contact::default());
        }
    }
}

mod plans {
    //! The patient's case list must stay a short index walk however large the table grows.

    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use domain::second_opinion::{CaseRepository, ReviewCase};

    use super::fixtures::{self, draft};
    use super::*;

    const USERS: usize = 100;
    const CASES_PER_USER: usize = 1_000;

    /// What the store runs for `list_for_user` (same filter, order and paging).
    fn list_query(offset: i64) -> String {
        format!(
            "SELECT * FROM review_cases WHERE user_id = 'user-42' \
             ORDER BY created_date DESC, case_id DESC LIMIT 20 OFFSET {offset}"
        )
    }

    #[derive(QueryableByName)]
    struct SqlitePlanRow {
        #[diesel(sql_type = Text)]
        detail: String,
    }

    #[derive(QueryableByName)]
    struct PgPlanRow {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }

    fn plan(db: &TestDb, sql: &str) -> String {
        match db.backend() {
            Backend::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(db.url.trim_start_matches("sqlite://")).unwrap();
                diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
                    .load::<SqlitePlanRow>(&mut conn)
                    .unwrap()
                    .into_iter()
                    .map(|r| r.detail)
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&db.url).unwrap();
                diesel::sql_query(format!("EXPLAIN ANALYZE {sql}"))
                    .load::<PgPlanRow>(&mut conn)
                    .unwrap()
                    .into_iter()
                    .map(|r| r.line)
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
    }

    #[test]
    fn the_patient_list_walks_the_user_index() {
        for db in TestDb::all() {
            let store = &db.store;
            let cat = fixtures::catalogue(store);
            let cases: Vec<ReviewCase> = (0..USERS * CASES_PER_USER)
                .map(|i| {
                    // Users' cases interleave in time, as they do in production.
                    draft(
                        cat,
                        &format!("user-{}", i % USERS),
                        at((i as i64 * 7_919) % 500_000),
                    )
                })
                .collect();
            let started = std::time::Instant::now();
            store.insert_cases_bulk(&cases).unwrap();
            let loaded = started.elapsed();
            raw_sql(&db, "ANALYZE");

            let first = plan(&db, &list_query(0));
            let last = plan(&db, &list_query(980));
            eprintln!(
                "{} ({} cases loaded in {loaded:?}):\n-- first page\n{first}\n-- last page\n{last}",
                db.backend(),
                cases.len()
            );
            for plan in [&first, &last] {
                assert!(plan.contains("review_cases_user_created"), "{plan}");
            }
            // The first page comes in index order, without a sort. For the last page PostgreSQL may
            // prefer fetching the user's rows by bitmap and sorting them: it reads them all anyway.
            assert!(!first.contains("TEMP B-TREE"), "{first}");
            assert!(!first.contains("Sort"), "{first}");
            if db.backend() == Backend::Sqlite {
                assert!(!last.contains("TEMP B-TREE"), "{last}");
            }

            let started = std::time::Instant::now();
            let page = store.list_for_user("user-42", 20, 980).unwrap();
            eprintln!("{}: last page in {:?}", db.backend(), started.elapsed());
            assert_eq!(page.len(), 20);
            assert_eq!(
                store.count_for_user("user-42").unwrap(),
                CASES_PER_USER as u64
            );
        }
    }
}
