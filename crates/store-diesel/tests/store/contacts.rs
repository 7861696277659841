//! [`ContactDirectory`]: how to reach people.

use domain::notifications::{Contact, ContactDirectory};
use domain::second_opinion::ProviderRepository;

use crate::fixtures::provider;
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

on_each_backend!(
    providers_are_reached_at_their_email_unless_they_saved_a_contact,
    |db| {
        let store = &db.store;
        let mut silent = provider("EMP2", "Omar Said", T0);
        silent.email = None;
        store
            .upsert_all(&[provider("EMP1", "Lina Haddad", T0), silent])
            .unwrap();
        let email = |e: &str| Contact {
            email: Some(e.to_owned()),
        };
        let (emp1, emp2) = (actor("EMP1"), actor("EMP2"));
        assert_eq!(store.contact(&emp1).unwrap(), email("emp1@clinic.example"));
        assert_eq!(store.contact(&emp2).unwrap(), Contact::default());
        assert_eq!(store.contact(&actor("EMP9")).unwrap(), Contact::default());

        // What a person saved themselves comes first, even no address at all.
        store
            .save_contact(&emp1, &email("lina@home.example"), at(1))
            .unwrap();
        assert_eq!(store.contact(&emp1).unwrap(), email("lina@home.example"));
        store
            .save_contact(&emp1, &Contact::default(), at(2))
            .unwrap();
        assert_eq!(store.contact(&emp1).unwrap(), Contact::default());
    }
);
