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
