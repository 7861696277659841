//! [`RegistryRepository`] and the registry import: every object read back as imported, an import
//! all or nothing and idempotent, and the doctor's load counted as the port says.

use domain::declarations::{
    AuthenticationMethod, Declaration, DeclarationId, DeclarationRequestRepository,
    DeclarationRequestStatus, DeclarationStatus, DivisionId, EmployeeId, LegalEntityId, PersonId,
    RegistryRepository,
};
use store_diesel::{RegistryImported, Upserted};

use crate::declarations_fixtures::{declaration, doctor, id, imported, person, registry, request};
use crate::support::*;

fn created(n: u64) -> Upserted {
    Upserted {
        created: n,
        updated: 0,
    }
}

/// Whether nothing of `r`'s is stored.
fn nothing_of(store: &Store, r: &crate::declarations_fixtures::Registry) -> bool {
    r.legal_entities
        .iter()
        .all(|x| store.legal_entity(x.id).unwrap().is_none())
        && r.divisions
            .iter()
            .all(|x| store.division(x.id).unwrap().is_none())
        && r.employees
            .iter()
            .all(|x| store.employee(x.id).unwrap().is_none())
        && r.persons
            .iter()
            .all(|x| store.person(x.id).unwrap().is_none())
        && r.declarations
            .iter()
            .all(|x| store.declaration(x.id).unwrap().is_none())
}

on_each_backend!(registry_objects_read_back_as_imported, |db| {
    let store = &db.store;
    let r = registry();
    let counts = store.import_registry(r.import(), T0).unwrap();
    assert_eq!(
        counts,
        RegistryImported {
            legal_entities: created(2),
            divisions: created(2),
            employees: created(3),
            persons: created(3),
            declarations: created(3),
        }
    );
    assert_eq!((counts.created(), counts.updated()), (13, 0));
    for x in &r.legal_entities {
        assert_eq!(store.legal_entity(x.id).unwrap().as_ref(), Some(x));
    }
    for x in &r.divisions {
        assert_eq!(store.division(x.id).unwrap().as_ref(), Some(x));
    }
    // With and without a key, a second name, a division.
    for x in &r.employees {
        assert_eq!(store.employee(x.id).unwrap().as_ref(), Some(x));
    }
    // With and without a tax id and phone; OTP, OFFLINE and NA methods.
    for x in &r.persons {
        assert_eq!(store.person(x.id).unwrap().as_ref(), Some(x));
    }
    // Active, pending and terminated (with a reason and no division).
    for x in &r.declarations {
        assert_eq!(store.declaration(x.id).unwrap().as_ref(), Some(x));
    }
    assert_eq!(store.person(id::<PersonId>()).unwrap(), None);
    assert_eq!(store.employee(id::<EmployeeId>()).unwrap(), None);
    assert_eq!(store.division(id::<DivisionId>()).unwrap(), None);
    assert_eq!(store.legal_entity(id::<LegalEntityId>()).unwrap(), None);
    assert_eq!(store.declaration(id::<DeclarationId>()).unwrap(), None);

    // A stored code the domain does not know is a corrupt row, not a missing one.
    let p = r.persons[0].id;
    raw_sql(
        &db,
        &format!("UPDATE persons SET verification_status = 'MAYBE' WHERE person_id = '{p}'"),
    );
    assert!(matches!(store.person(p), Err(Error::Internal(_))));
});

on_each_backend!(an_import_is_idempotent_and_counts_what_it_changed, |db| {
    let store = &db.store;
    let mut r = imported(store);
    let again = store.import_registry(r.import(), at(10)).unwrap();
    assert_eq!(again, RegistryImported::default());

    r.persons[0].phone_number = Some("+380979999999".to_owned());
    r.persons[0].authentication_methods = vec![AuthenticationMethod::Offline];
    r.declarations[0].status = DeclarationStatus::Terminated;
    r.declarations[0].reason = Some("manual_employee".to_owned());
    r.employees[1].public_key = r.employees[0].public_key;
    let newcomer = doctor(
        &r.divisions[1],
        "Newcomer",
        r.employees[2].speciality.unwrap(),
    );
    r.employees.push(newcomer.clone());
    let counts = store.import_registry(r.import(), at(20)).unwrap();
    assert_eq!(
        counts.employees,
        Upserted {
            created: 1,
            updated: 1
        }
    );
    assert_eq!(
        counts.persons,
        Upserted {
            created: 0,
            updated: 1
        }
    );
    assert_eq!(
        counts.declarations,
        Upserted {
            created: 0,
            updated: 1
        }
    );
    assert_eq!((counts.created(), counts.updated()), (1, 3));
    assert_eq!(
        store.person(r.persons[0].id).unwrap().as_ref(),
        Some(&r.persons[0])
    );
    assert_eq!(
        store.declaration(r.declarations[0].id).unwrap().as_ref(),
        Some(&r.declarations[0])
    );
    assert_eq!(
        store.employee(r.employees[1].id).unwrap().as_ref(),
        Some(&r.employees[1])
    );
    assert_eq!(store.employee(newcomer.id).unwrap(), Some(newcomer));
    assert_eq!(
        store.import_registry(r.import(), at(30)).unwrap(),
        RegistryImported::default()
    );
});

on_each_backend!(a_bad_item_in_the_last_array_leaves_nothing_written, |db| {
    let store = &db.store;
    // A declaration of a person neither stored nor imported.
    let mut r = registry();
    let stranger = person("Stranger", "+380970000009");
    r.declarations.push(declaration(
        &stranger,
        &r.employees[0],
        DeclarationStatus::Active,
        "0000-0009",
    ));
    let err = store.import_registry(r.import(), T0).unwrap_err();
    assert!(
        err.chain().contains("declarations"),
        "the error names the array: {}",
        err.chain()
    );
    assert!(nothing_of(store, &r));

    // A declaration number taken twice.
    let mut r = registry();
    let twin = Declaration {
        id: id(),
        ..r.declarations[0].clone()
    };
    r.declarations.push(twin);
    assert!(store.import_registry(r.import(), T0).is_err());
    assert!(nothing_of(store, &r));

    // Over a stored registry: the changes before the bad item are rolled back too.
    let stored = imported(store);
    let mut r = stored.clone();
    r.persons[0].last_name = "Changed".to_owned();
    r.legal_entities[0].name = "Changed".to_owned();
    r.declarations.push(declaration(
        &stranger,
        &r.employees[0],
        DeclarationStatus::Active,
        "0000-0009",
    ));
    assert!(store.import_registry(r.import(), at(5)).is_err());
    assert_eq!(
        store.person(stored.persons[0].id).unwrap().as_ref(),
        Some(&stored.persons[0])
    );
    assert_eq!(
        store
            .legal_entity(stored.legal_entities[0].id)
            .unwrap()
            .as_ref(),
        Some(&stored.legal_entities[0])
    );
    assert_eq!(
        store.import_registry(stored.import(), at(6)).unwrap(),
        RegistryImported::default()
    );
});

on_each_backend!(
    doctor_load_counts_held_declarations_and_approved_requests,
    |db| {
        let store = &db.store;
        let r = imported(store);
        let therapist = &r.employees[0];
        let (p0, p1, p2) = (&r.persons[0], &r.persons[1], &r.persons[2]);
        let someone_else = id::<PersonId>();
        // p0 active, p1 pending verification, p2 terminated.
        assert_eq!(store.doctor_load(therapist.id, someone_else).unwrap(), 2);
        // A person who moves within the doctor's list takes no new place.
        assert_eq!(store.doctor_load(therapist.id, p0.id).unwrap(), 1);
        assert_eq!(store.doctor_load(therapist.id, p1.id).unwrap(), 1);
        assert_eq!(store.doctor_load(therapist.id, p2.id).unwrap(), 2);

        // Requests count once approved, whoever they are for.
        let new = request(&r, p2, therapist, at(1));
        store.create(&new).unwrap();
        assert_eq!(store.doctor_load(therapist.id, someone_else).unwrap(), 2);
        let approved = domain::declarations::DeclarationRequest {
            status: DeclarationRequestStatus::Approved,
            ..new
        };
        assert!(
            store
                .save_transition(&approved, DeclarationRequestStatus::New)
                .unwrap()
        );
        assert_eq!(store.doctor_load(therapist.id, someone_else).unwrap(), 3);
        assert_eq!(store.doctor_load(therapist.id, p2.id).unwrap(), 3);
        let other = request(&r, p0, &r.employees[1], at(2));
        store.create(&other).unwrap();
        let other = domain::declarations::DeclarationRequest {
            status: DeclarationRequestStatus::Approved,
            ..other
        };
        store
            .save_transition(&other, DeclarationRequestStatus::New)
            .unwrap();
        assert_eq!(store.doctor_load(therapist.id, someone_else).unwrap(), 3);
        assert_eq!(
            store.doctor_load(r.employees[1].id, someone_else).unwrap(),
            1
        );
        assert_eq!(
            store.doctor_load(r.employees[2].id, someone_else).unwrap(),
            0
        );
        assert_eq!(store.doctor_load(id(), someone_else).unwrap(), 0);
    }
);
