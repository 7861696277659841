//! [`PaymentRepository`]: payments read back with their money and who confirmed them.

use domain::kernel::ids::PaymentId;
use domain::kernel::money::{Currency, Money};
use domain::second_opinion::{
    CaseCommit, CaseRepository, PaidBy, Payment, PaymentRepository, PaymentStatus,
};

use crate::fixtures::{self, next, paid_commit, payment, submitted};
use crate::support::*;

on_each_backend!(payments_keep_their_money_status_and_who_paid, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let mut cases = Vec::new();
    for (i, (minor, currency)) in [(90_050, "USD"), (1_234_567, "KWD"), (5_000, "JPY")]
        .into_iter()
        .enumerate()
    {
        let case = submitted(store, cat, &format!("patient-{i}"), T0);
        let p = Payment {
            amount: Money::from_minor(minor, Currency::parse(currency).unwrap()),
            ..payment(&case, at(i as i64))
        };
        let commit = CaseCommit {
            new_payment: Some(p.clone()),
            ..CaseCommit::of(next(&case, at(1)), case.version)
        };
        store.commit(&commit).unwrap();
        assert_eq!(store.payment(p.id).unwrap().as_ref(), Some(&p));
        assert_eq!(store.payment_for_case(case.id).unwrap().as_ref(), Some(&p));
        cases.push((commit.case, p));
    }

    let by = [
        PaidBy::Provider {
            event_id: "evt_3Kq:9".to_owned(),
        },
        PaidBy::Admin(actor("admin-1")),
    ];
    for ((case, p), by) in cases.iter().zip(by) {
        store
            .commit(&paid_commit(case, p.id, by.clone(), at(30)))
            .unwrap();
        let expected = Payment {
            status: PaymentStatus::Paid,
            paid_date: Some(at(30)),
            paid_by: Some(by),
            ..p.clone()
        };
        assert_eq!(store.payment(p.id).unwrap(), Some(expected));
    }
    assert!(store.event_seen("evt_3Kq:9").unwrap());
    assert!(!store.event_seen("evt_3kq:9").unwrap());
    assert!(!store.event_seen("admin-1").unwrap());
    assert_eq!(
        store.payment(cases[2].1.id).unwrap().unwrap().status,
        PaymentStatus::Pending
    );
    assert_eq!(
        store.payment(PaymentId::from_uuid(Uuid::now_v7())).unwrap(),
        None
    );
    let unpaid = submitted(store, cat, "patient-9", T0);
    assert_eq!(store.payment_for_case(unpaid.id).unwrap(), None);

    for (column, value) in [
        ("paid_by", "'someone'"),
        ("currency", "'dollars'"),
        ("status", "'refunded'"),
    ] {
        let id = cases[0].1.id;
        raw_sql(
            &db,
            &format!("UPDATE payments SET {column} = {value} WHERE payment_id = '{id}'"),
        );
        assert!(
            matches!(store.payment(id), Err(Error::Internal(_))),
            "{column}"
        );
        raw_sql(
            &db,
            &format!(
                "UPDATE payments SET paid_by = 'provider:evt_3Kq:9', currency = 'USD', \
                 status = 'paid' WHERE payment_id = '{id}'"
            ),
        );
        assert!(store.payment(id).is_ok());
    }
});
