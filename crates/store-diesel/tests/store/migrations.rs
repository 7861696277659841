//! The embedded migrations: up, down, up again, and once only when instances start together.

use domain::kernel::ids::ReviewTypeId;
use domain::second_opinion::CatalogueRepository;

use crate::fixtures::{filter, review_type};
use crate::support::*;

const FIRST: &str = "2026-11-23-000001_catalogue_and_auth";

fn states(store: &Store) -> Vec<(String, bool)> {
    store
        .migration_status()
        .unwrap()
        .into_iter()
        .map(|m| (m.name, m.applied))
        .collect()
}

on_each_backend!(unmigrated every_migration_goes_up_down_and_up_again, |db| {
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
        store
            .find_review_type(ReviewTypeId::from_uuid(Uuid::now_v7()))
            .is_err(),
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
});

#[test]
fn postgres_instances_starting_together_migrate_once() {
    let Some(db) = TestDb::postgres_unmigrated() else {
        eprintln!("TEST_DATABASE_URL unset: PostgreSQL not tested");
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
    let names = |dir: &str| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = names(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/sqlite"
    ));
    let postgres = names(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/postgres"
    ));
    assert_eq!(sqlite, postgres);
    assert!(sqlite.contains(&FIRST.to_owned()));
}
