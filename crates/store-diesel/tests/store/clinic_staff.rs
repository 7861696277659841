//! [`StaffRepository`]: staff accounts, unique usernames whatever their case, the last active
//! admin kept (also under concurrent writes), and the tokens each account signed in for.

use domain::clinic::{
    IssuedToken, StaffAccount, StaffFilter, StaffId, StaffName, StaffRepository, StaffWrite,
    Username,
};
use domain::identity::Role;
use domain::kernel::ids::TokenId;
use domain::kernel::paging::PageRequest;
use domain::testing::uuid;

use crate::support::*;

fn account(n: u128, username: &str, roles: &[Role], created: i64) -> StaffAccount {
    StaffAccount {
        id: StaffId::from_uuid(uuid(n)),
        username: Username::parse(username).unwrap(),
        name: StaffName::parse("name", "Lina Haddad").unwrap(),
        name_ar: Some(StaffName::parse("name_ar", "لينا حداد").unwrap()),
        roles: roles.to_vec(),
        is_active: true,
        provider_id: Some(actor("EMP3")),
        created_at: at(created),
        updated_at: at(created),
    }
}

fn page() -> PageRequest {
    PageRequest::default()
}

on_each_backend!(
    accounts_read_back_and_usernames_are_unique_in_any_case,
    |db| {
        let store = &db.store;
        let lina = account(1, "Dr.Lina", &[Role::Admin, Role::Doctor], 0);
        store.create(&lina, "$argon2id$hash").unwrap();
        assert_eq!(store.find(lina.id).unwrap(), Some(lina.clone()));
        assert_eq!(
            store.credentials(lina.id).unwrap().as_deref(),
            Some("$argon2id$hash")
        );
        let (found, hash) = store.find_by_username_key("dr.lina").unwrap().unwrap();
        assert_eq!((found, hash.as_str()), (lina.clone(), "$argon2id$hash"));
        assert!(store.find_by_username_key("Dr.Lina").unwrap().is_none());
        let taken = store
            .create(&account(2, "DR.LINA", &[Role::Doctor], 1), "h")
            .unwrap_err();
        assert!(
            matches!(&taken, Error::Conflict(t) if t.to_string() == "username-taken"),
            "{taken:?}"
        );
        assert!(store.find(StaffId::from_uuid(uuid(2))).unwrap().is_none());
    }
);

on_each_backend!(lists_filter_by_role_and_state_newest_first, |db| {
    let store = &db.store;
    let admin = account(1, "admin", &[Role::Admin], 0);
    let doctor = account(2, "doctor", &[Role::Doctor, Role::Technician], 1);
    let mut receptionist = account(3, "reception", &[Role::Receptionist], 2);
    receptionist.is_active = false;
    for a in [&admin, &doctor, &receptionist] {
        store.create(a, "h").unwrap();
    }
    let ids = |filter: StaffFilter| {
        let page = store.list(&filter, page()).unwrap();
        let ids: Vec<StaffId> = page.items.iter().map(|a| a.id).collect();
        (ids, page.total)
    };
    assert_eq!(
        ids(StaffFilter::default()),
        (vec![receptionist.id, doctor.id, admin.id], 3)
    );
    let by_role = |role| StaffFilter {
        role: Some(role),
        ..StaffFilter::default()
    };
    assert_eq!(ids(by_role(Role::Technician)), (vec![doctor.id], 1));
    assert_eq!(ids(by_role(Role::Doctor)), (vec![doctor.id], 1));
    assert_eq!(ids(by_role(Role::Admin)), (vec![admin.id], 1));
    let active = StaffFilter {
        is_active: Some(true),
        ..StaffFilter::default()
    };
    assert_eq!(ids(active), (vec![doctor.id, admin.id], 2));
    let only = StaffFilter {
        only: Some(doctor.id),
        ..StaffFilter::default()
    };
    assert_eq!(ids(only), (vec![doctor.id], 1));
    let second = store
        .list(
            &StaffFilter::default(),
            PageRequest::from_client(Some(2), Some(2), "limit").unwrap(),
        )
        .unwrap();
    assert_eq!((second.items.len(), second.total), (1, 3));
    assert_eq!(store.count_active_admins().unwrap(), 1);
});

on_each_backend!(
    updates_write_everything_but_the_username_and_keep_the_last_admin,
    |db| {
        let store = &db.store;
        let admin = account(1, "admin", &[Role::Admin], 0);
        let doctor = account(2, "doctor", &[Role::Doctor], 1);
        store.create(&admin, "h").unwrap();
        store.create(&doctor, "h").unwrap();

        let mut changed = doctor.clone();
        changed.name = StaffName::parse("name", "Dr. Lina").unwrap();
        changed.name_ar = None;
        changed.provider_id = None;
        changed.roles = vec![Role::Admin, Role::Doctor];
        changed.updated_at = at(5);
        assert_eq!(store.update(&changed).unwrap(), StaffWrite::Written);
        assert_eq!(store.find(doctor.id).unwrap(), Some(changed.clone()));
        assert_eq!(store.count_active_admins().unwrap(), 2);

        // Two admins: one may go; then the other is the last.
        let mut demoted = admin.clone();
        demoted.roles = vec![Role::Doctor];
        assert_eq!(store.update(&demoted).unwrap(), StaffWrite::Written);
        let mut off = changed.clone();
        off.is_active = false;
        assert_eq!(store.update(&off).unwrap(), StaffWrite::LastAdmin);
        let mut demoted_last = changed.clone();
        demoted_last.roles = vec![Role::Doctor];
        assert_eq!(store.update(&demoted_last).unwrap(), StaffWrite::LastAdmin);
        assert_eq!(store.find(doctor.id).unwrap(), Some(changed.clone()));
        // Changing the last admin's name is fine.
        let mut renamed = changed.clone();
        renamed.name = StaffName::parse("name", "Lina").unwrap();
        assert_eq!(store.update(&renamed).unwrap(), StaffWrite::Written);

        let missing = account(9, "ghost", &[Role::Doctor], 0);
        assert_eq!(store.update(&missing).unwrap(), StaffWrite::Missing);
        assert!(store.set_password(doctor.id, "new", at(6)).unwrap());
        assert_eq!(
            store.credentials(doctor.id).unwrap().as_deref(),
            Some("new")
        );
        assert!(!store.set_password(missing.id, "new", at(6)).unwrap());
    }
);

on_each_backend!(concurrent_demotions_leave_one_admin, |db| {
    // Two admins, each demoted by a concurrent write: exactly one write may pass.
    let first = account(1, "first", &[Role::Admin], 0);
    let second = account(2, "second", &[Role::Admin], 1);
    db.store.create(&first, "h").unwrap();
    db.store.create(&second, "h").unwrap();
    for _ in 0..3 {
        let outcomes: Vec<StaffWrite> = std::thread::scope(|s| {
            let handles: Vec<_> = [&first, &second]
                .into_iter()
                .map(|a| {
                    let mut off = a.clone();
                    off.is_active = false;
                    let store = &db.store;
                    s.spawn(move || store.update(&off).unwrap())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let written = outcomes
            .iter()
            .filter(|o| **o == StaffWrite::Written)
            .count();
        assert_eq!(written, 1, "{outcomes:?}");
        assert_eq!(db.store.count_active_admins().unwrap(), 1);
        // Both admins again, for the next round.
        for a in [&first, &second] {
            assert_eq!(db.store.update(a).unwrap(), StaffWrite::Written);
        }
    }
});

on_each_backend!(issued_tokens_are_listed_until_they_expire, |db| {
    let store = &db.store;
    let doctor = account(2, "doctor", &[Role::Doctor], 1);
    store.create(&doctor, "h").unwrap();
    let t0 = T0.unix_timestamp();
    let token = |n: u128, expires_at| IssuedToken {
        jti: TokenId::from_uuid(uuid(0x700 + n)),
        expires_at,
    };
    store
        .record_token(doctor.id, token(1, t0 + 1_000), T0)
        .unwrap();
    store
        .record_token(doctor.id, token(2, t0 + 3_000), T0)
        .unwrap();
    assert_eq!(
        store.live_tokens(doctor.id, t0 + 999).unwrap(),
        vec![token(1, t0 + 1_000), token(2, t0 + 3_000)]
    );
    assert_eq!(
        store.live_tokens(doctor.id, t0 + 1_000).unwrap(),
        vec![token(2, t0 + 3_000)]
    );
    // Signing in later forgets the tokens expired by then.
    let later = T0 + time::Duration::seconds(2_000);
    store
        .record_token(doctor.id, token(3, t0 + 9_000), later)
        .unwrap();
    assert_eq!(
        store.live_tokens(doctor.id, 0).unwrap(),
        vec![token(2, t0 + 3_000), token(3, t0 + 9_000)]
    );
    assert!(
        store
            .live_tokens(StaffId::from_uuid(uuid(3)), 0)
            .unwrap()
            .is_empty()
    );
});
