//! Managing accounts: who sees and changes what, the admin rules, and sessions ending when an
//! account changes.

use std::sync::Arc;

use super::{ADMIN, DOCTOR, account, admin, clock, doctor, staff_id, who};
use crate::clinic::password::{MockPasswordHasher, Password};
use crate::clinic::staff::{IssuedToken, MockStaffRepository, StaffFilter, StaffWrite};
use crate::clinic::staff_service::{Me, NewStaff, StaffChanges, StaffPorts, StaffService};
use crate::identity::{MockRevocationRepository, Role};
use crate::kernel::ids::TokenId;
use crate::kernel::paging::{Page, PageRequest};
use crate::testing::{NOW, SequentialIds, uuid};
use crate::{Error, Result};

fn service_with(
    staff: MockStaffRepository,
    hasher: MockPasswordHasher,
    revocations: MockRevocationRepository,
) -> StaffService {
    StaffService::new(StaffPorts {
        staff: Arc::new(staff),
        hasher: Arc::new(hasher),
        revocations: Arc::new(revocations),
        clock: clock(),
        ids: Arc::new(SequentialIds::default()),
    })
}

fn service(staff: MockStaffRepository) -> StaffService {
    service_with(
        staff,
        MockPasswordHasher::new(),
        MockRevocationRepository::new(),
    )
}

/// A repository that knows the admin and the doctor.
fn known() -> MockStaffRepository {
    let mut staff = MockStaffRepository::new();
    staff
        .expect_find()
        .returning(|id| Ok([admin(), doctor()].into_iter().find(|a| a.id == id)));
    staff
}

/// Two live tokens of the account; each must be revoked once.
fn live_tokens(staff: &mut MockStaffRepository) -> MockRevocationRepository {
    staff
        .expect_live_tokens()
        .withf(|_, now| *now == NOW.unix_timestamp())
        .returning(|_, _| {
            Ok((1..=2)
                .map(|n| IssuedToken {
                    jti: TokenId::from_uuid(uuid(0x700 + n)),
                    expires_at: NOW.unix_timestamp() + 60,
                })
                .collect())
        });
    let mut revocations = MockRevocationRepository::new();
    revocations
        .expect_revoke()
        .withf(|jti, exp, at| {
            [uuid(0x701), uuid(0x702)].contains(&jti.as_uuid())
                && *exp == NOW.unix_timestamp() + 60
                && *at == NOW
        })
        .times(2)
        .returning(|_, _, _| Ok(()));
    revocations
}

fn page() -> PageRequest {
    PageRequest::default()
}

#[test]
fn an_admin_lists_everyone_anyone_else_only_themselves() {
    let mut staff = MockStaffRepository::new();
    staff
        .expect_list()
        .withf(|f, _| f.only.is_none() && f.role == Some(Role::Doctor))
        .times(1)
        .returning(|_, p| {
            Ok(Page {
                items: vec![doctor()],
                total: 1,
                request: p,
            })
        });
    staff
        .expect_list()
        .withf(|f, _| f.only == Some(staff_id(DOCTOR)) && f.role == Some(Role::Doctor))
        .times(1)
        .returning(|_, p| {
            Ok(Page {
                items: vec![doctor()],
                total: 1,
                request: p,
            })
        });
    let service = service(staff);
    let filter = StaffFilter {
        role: Some(Role::Doctor),
        ..StaffFilter::default()
    };
    assert!(service.list(&who(&admin()), &filter, page()).is_ok());
    assert!(service.list(&who(&doctor()), &filter, page()).is_ok());
}

#[test]
fn another_account_is_missing_to_a_non_admin() {
    let service = service(known());
    assert!(service.get(&who(&doctor()), staff_id(DOCTOR)).is_ok());
    assert!(service.get(&who(&admin()), staff_id(DOCTOR)).is_ok());
    assert!(matches!(
        service.get(&who(&doctor()), staff_id(ADMIN)),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        service.get(&who(&admin()), staff_id(0x999)),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn me_is_the_account_or_what_the_token_says() {
    let service = service(known());
    assert_eq!(
        service.me(&who(&doctor())).ok(),
        Some(Me::Account(doctor()))
    );
    let mut cli = who(&doctor());
    cli.actor = crate::kernel::ids::ActorId::from_stored("ops-1".into());
    assert!(matches!(
        service.me(&cli),
        Ok(Me::Token { ref id, .. }) if id.as_str() == "ops-1"
    ));
}

fn new_staff(password: &str) -> NewStaff {
    NewStaff {
        username: "Dr.Lina".into(),
        password: Password::given(password),
        name: " Lina Haddad ".into(),
        name_ar: Some("لينا حداد".into()),
        roles: vec!["doctor".into()],
        provider_id: Some("EMP3".into()),
    }
}

#[test]
fn creating_an_account_checks_every_field_and_stores_a_hash() {
    let mut staff = MockStaffRepository::new();
    staff
        .expect_create()
        .withf(|a, hash| {
            a.username.as_str() == "Dr.Lina"
                && a.name.as_str() == "Lina Haddad"
                && a.roles == [Role::Doctor]
                && a.is_active
                && a.created_at == NOW
                && hash == "hashed"
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_hash()
        .withf(|p| p.expose() == "a long enough one")
        .returning(|_| Ok("hashed".into()));
    let service = service_with(staff, hasher, MockRevocationRepository::new());
    let created = service.create(&who(&admin()), new_staff("a long enough one"));
    assert!(created.is_ok(), "{created:?}");
    assert!(matches!(
        service.create(&who(&doctor()), new_staff("a long enough one")),
        Err(Error::Forbidden(_))
    ));
    let mut bad = new_staff("password123");
    bad.username = "x".into();
    bad.roles = vec![];
    match service.create(&who(&admin()), bad) {
        Err(Error::Validation(fields)) => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(names, ["username", "roles", "password"]);
        }
        other => panic!("{other:?}"),
    }
}

fn changes_roles(roles: &[&str]) -> StaffChanges {
    StaffChanges {
        roles: Some(roles.iter().map(|r| (*r).to_owned()).collect()),
        ..StaffChanges::default()
    }
}

#[test]
fn a_non_admin_changes_only_their_own_names() {
    let mut staff = known();
    staff
        .expect_update()
        .withf(|a| a.name.as_str() == "Dr. Lina" && a.updated_at == NOW)
        .times(1)
        .returning(|_| Ok(StaffWrite::Written));
    staff.expect_live_tokens().never();
    let service = service(staff);
    let me = who(&doctor());
    let rename = StaffChanges {
        name: Some("Dr. Lina".into()),
        ..StaffChanges::default()
    };
    assert!(
        service
            .update(&me, staff_id(DOCTOR), rename.clone())
            .is_ok()
    );
    assert!(matches!(
        service.update(&me, staff_id(ADMIN), rename),
        Err(Error::NotFound(_))
    ));
    for changes in [
        changes_roles(&["doctor"]),
        StaffChanges {
            is_active: Some(true),
            ..StaffChanges::default()
        },
        StaffChanges {
            provider_id: Some(None),
            ..StaffChanges::default()
        },
    ] {
        assert!(matches!(
            service.update(&me, staff_id(DOCTOR), changes),
            Err(Error::Forbidden(_))
        ));
    }
}

#[test]
fn an_admin_keeps_their_own_admin_role_and_the_last_admin_stays() {
    let mut staff = known();
    staff
        .expect_update()
        .times(1)
        .returning(|_| Ok(StaffWrite::LastAdmin));
    let service = service(staff);
    let me = who(&admin());
    let conflict = |r: Result<_>| match r {
        Err(Error::Conflict(text)) => text.to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        conflict(service.update(&me, staff_id(ADMIN), changes_roles(&["doctor"]))),
        "own-admin-role"
    );
    let off = StaffChanges {
        is_active: Some(false),
        ..StaffChanges::default()
    };
    assert_eq!(
        conflict(service.update(&me, staff_id(ADMIN), off)),
        "cannot-deactivate-self"
    );
    assert_eq!(
        conflict(service.deactivate(&me, staff_id(ADMIN))),
        "cannot-deactivate-self"
    );
    // Another admin (whom the store finds the last active one) may not be demoted either.
    let mut other = who(&account(0xbb, "boss", &[Role::Admin]));
    other.roles = vec![Role::Admin];
    assert_eq!(
        conflict(service.update(&other, staff_id(ADMIN), changes_roles(&["doctor"]))),
        "last-active-admin"
    );
}

#[test]
fn changing_roles_or_deactivating_ends_every_session_of_the_account() {
    let mut staff = known();
    staff
        .expect_update()
        .withf(|a| a.roles == [Role::Doctor, Role::Technician])
        .times(1)
        .returning(|_| Ok(StaffWrite::Written));
    let revocations = live_tokens(&mut staff);
    let service = service_with(staff, MockPasswordHasher::new(), revocations);
    let updated = service.update(
        &who(&admin()),
        staff_id(DOCTOR),
        changes_roles(&["technician", "doctor"]),
    );
    assert!(updated.is_ok(), "{updated:?}");

    let mut staff = known();
    staff
        .expect_update()
        .withf(|a| !a.is_active && a.id == super::staff_id(DOCTOR))
        .times(1)
        .returning(|_| Ok(StaffWrite::Written));
    let revocations = live_tokens(&mut staff);
    let service = service_with(staff, MockPasswordHasher::new(), revocations);
    let deactivated = service.deactivate(&who(&admin()), staff_id(DOCTOR));
    assert_eq!(deactivated.map(|a| a.is_active).ok(), Some(false));
    assert!(matches!(
        service.deactivate(&who(&doctor()), staff_id(ADMIN)),
        Err(Error::Forbidden(_))
    ));
}

#[test]
fn a_password_changes_only_by_its_owner_who_knows_the_old_one() {
    let mut staff = known();
    staff
        .expect_credentials()
        .returning(|_| Ok(Some("old-hash".into())));
    staff
        .expect_set_password()
        .withf(|id, hash, at| *id == staff_id(DOCTOR) && hash == "new-hash" && *at == NOW)
        .times(1)
        .returning(|_, _, _| Ok(true));
    let revocations = live_tokens(&mut staff);
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_verify()
        .returning(|p, h| Ok(h == "old-hash" && p.expose() == "the old one, long"));
    hasher.expect_hash().returning(|_| Ok("new-hash".into()));
    let service = service_with(staff, hasher, revocations);
    let me = who(&doctor());
    let old = Password::given("the old one, long");
    let new = Password::given("the new one, longer");
    assert!(matches!(
        service.change_password(&who(&admin()), staff_id(DOCTOR), &old, &new),
        Err(Error::Forbidden(_))
    ));
    match service.change_password(&me, staff_id(DOCTOR), &Password::given("not it"), &new) {
        Err(Error::Validation(fields)) => assert_eq!(fields[0].field, "old_password"),
        other => panic!("{other:?}"),
    }
    match service.change_password(&me, staff_id(DOCTOR), &old, &Password::given("qwerty1234")) {
        Err(Error::Validation(fields)) => assert_eq!(fields[0].field, "new_password"),
        other => panic!("{other:?}"),
    }
    assert!(
        service
            .change_password(&me, staff_id(DOCTOR), &old, &new)
            .is_ok()
    );
}
