//! What the store keeps in memory, and how a change reaches every instance: revocations and the
//! active catalogue (within a second, on both backends), and each patient's case count.

use std::time::{Duration, Instant};

use domain::identity::RevocationRepository;
use domain::kernel::ids::TokenId;
use domain::second_opinion::{CaseRepository, CatalogueRepository};

use crate::fixtures::*;
use crate::support::*;

/// Waits up to `limit` for `ready`; returns how long it took.
fn within(limit: Duration, mut ready: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if ready() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

fn token() -> TokenId {
    TokenId::from_uuid(Uuid::now_v7())
}

on_each_backend!(
    a_revocation_reaches_another_instance_within_a_second,
    |db| {
        let a = db.store.clone();
        let b = Store::connect(&db.url, 2).unwrap();
        let (_la, _lb) = (a.listen(), b.listen());
        let (jti, other) = (token(), token());
        let fresh = within(Duration::from_secs(10), || {
            b.is_revoked_in_memory(jti) == Some(false) && a.is_revoked_in_memory(jti) == Some(false)
        });
        assert!(fresh.is_some(), "the listeners never became fresh");
        let exp = OffsetDateTime::now_utc().unix_timestamp() + 600;
        a.revoke(jti, exp, OffsetDateTime::now_utc()).unwrap();
        assert_eq!(
            a.is_revoked_in_memory(jti),
            Some(true),
            "at once where it was revoked"
        );
        let took = within(Duration::from_secs(1), || {
            b.is_revoked_in_memory(jti) == Some(true)
        });
        assert!(
            took.is_some(),
            "{} instance B did not hear of the revocation within a second",
            db.backend()
        );
        assert_eq!(b.is_revoked_in_memory(other), Some(false));
        assert!(b.is_revoked(jti).unwrap());
    }
);

on_each_backend!(memory_answers_only_while_it_listens, |db| {
    let store = Store::connect(&db.url, 2).unwrap();
    let jti = token();
    assert_eq!(
        store.is_revoked_in_memory(jti),
        None,
        "not listening: storage answers"
    );
    // Revoked before this instance listened: loaded when it starts.
    db.store
        .revoke(
            jti,
            OffsetDateTime::now_utc().unix_timestamp() + 600,
            OffsetDateTime::now_utc(),
        )
        .unwrap();
    let listener = store.listen();
    assert!(
        within(Duration::from_secs(10), || store.is_revoked_in_memory(jti)
            == Some(true))
        .is_some()
    );
    drop(listener);
    assert_eq!(
        store.is_revoked_in_memory(jti),
        None,
        "stopped: storage answers again"
    );
    assert!(store.is_revoked(jti).unwrap());
});

on_each_backend!(
    a_catalogue_change_shows_at_once_here_and_within_a_second_elsewhere,
    |db| {
        let a = db.store.clone();
        let b = Store::connect(&db.url, 2).unwrap();
        let (_la, _lb) = (a.listen(), b.listen());
        let active = filter(Some(true), None);
        assert!(
            within(Duration::from_secs(10), || {
                a.is_revoked_in_memory(token()).is_some()
                    && b.is_revoked_in_memory(token()).is_some()
            })
            .is_some()
        );
        let first = review_type("Standard Review", "مراجعة قياسية", at(0));
        a.insert_review_type(&first).unwrap();
        // Both cache the list of one.
        assert_eq!(a.list_review_types(&active, 100, 0).unwrap().len(), 1);
        assert!(
            within(Duration::from_secs(1), || b
                .list_review_types(&active, 100, 0)
                .unwrap()
                .len()
                == 1)
            .is_some()
        );
        let second = review_type("Express Review", "مراجعة سريعة", at(1));
        a.insert_review_type(&second).unwrap();
        let here = a.list_review_types(&active, 100, 0).unwrap();
        assert_eq!(
            here.len(),
            2,
            "the instance that changed it sees the change at once"
        );
        assert_eq!(here[0].name_en, "Express Review", "newest first");
        let took = within(Duration::from_secs(1), || {
            b.list_review_types(&active, 100, 0).unwrap().len() == 2
        });
        assert!(
            took.is_some(),
            "{}: instance B still shows the old catalogue",
            db.backend()
        );
        // A deactivation leaves the pickers.
        let mut off = second.clone();
        off.active = false;
        a.update_review_type(&off).unwrap();
        assert_eq!(a.list_review_types(&active, 100, 0).unwrap().len(), 1);
        // Paging through the cached list is what the database would give.
        assert_eq!(a.list_review_types(&active, 1, 1).unwrap().len(), 0);
        assert_eq!(
            a.list_review_types(&active, 1, 0).unwrap()[0].name_en,
            "Standard Review"
        );
    }
);

on_each_backend!(each_patients_case_count_is_kept_with_every_insert, |db| {
    let store = &db.store;
    let cat = catalogue(store);
    for minute in 0..3 {
        insert(store, &draft(cat, "patient-1", at(minute)));
    }
    insert(store, &draft(cat, "patient-2", at(9)));
    let bulk: Vec<_> = (10..15).map(|m| draft(cat, "patient-1", at(m))).collect();
    store.insert_cases_bulk(&bulk).unwrap();
    assert_eq!(store.count_for_user(&actor("patient-1")).unwrap(), 8);
    assert_eq!(store.count_for_user(&actor("patient-2")).unwrap(), 1);
    assert_eq!(store.count_for_user(&actor("nobody")).unwrap(), 0);
    // A failed insert counts nothing.
    let dup = draft(cat, "patient-2", at(20));
    insert(store, &dup);
    assert!(store.insert(&dup, &[], &[]).is_err());
    assert_eq!(store.count_for_user(&actor("patient-2")).unwrap(), 2);
});
