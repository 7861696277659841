//! [`ContactDirectory`]: how to reach people.

use domain::notifications::{Contact, ContactDirectory};

use crate::support::*;

on_each_backend!(contacts_default_to_nothing_and_save_replaces_them, |db| {
    let store = &db.store;
    let (patient_1, patient_2) = (actor("patient-1"), actor("patient-2"));
    assert_eq!(store.contact(&patient_1).unwrap(), Contact::default());

    let email = |e: &str| Contact {
        email: Some(e.to_owned()),
    };
    store
        .save_contact(&patient_1, &email("a@example.com"), T0)
        .unwrap();
    assert_eq!(store.contact(&patient_1).unwrap(), email("a@example.com"));
    store
        .save_contact(&patient_1, &email("b@example.com"), at(1))
        .unwrap();
    assert_eq!(store.contact(&patient_1).unwrap(), email("b@example.com"));
    assert_eq!(store.contact(&patient_2).unwrap(), Contact::default());
    store
        .save_contact(&patient_1, &Contact::default(), at(2))
        .unwrap();
    assert_eq!(store.contact(&patient_1).unwrap(), Contact::default());
});
