//! [`CaseRepository::commit`]: one change of a case, with its assignments, payment, timeline and
//! notifications, written together or not at all.

use domain::kernel::blob::BlobKey;
use domain::kernel::ids::CaseId;
use domain::notifications::{Notification, OutboxRepository};
use domain::second_opinion::{
    Assignment, AssignmentRepository, CaseCommit, CaseRepository, CaseStatus, PaidBy,
    PaymentRepository, PaymentStatus, ReportKeys, ReviewCase,
};

use crate::fixtures::{
    self, Catalogue, assignment, coordinator_commit, doctor_commit, next, paid_commit, submitted,
};
use crate::support::*;

/// Every assignment of the case, oldest first.
fn assignments_of(store: &Store, case: CaseId) -> Vec<Assignment> {
    AssignmentRepository::for_case(store, case).unwrap()
}

/// Every notification written for the case, oldest first.
fn outbox_of(store: &Store, case: CaseId) -> Vec<Notification> {
    OutboxRepository::for_case(store, case)
        .unwrap()
        .into_iter()
        .map(|m| m.notification)
        .collect()
}

/// What a case is stored as: itself, its assignments, payment, timeline length and outbox.
type Snapshot = (
    Option<ReviewCase>,
    Vec<Assignment>,
    Option<domain::second_opinion::Payment>,
    usize,
    Vec<Notification>,
);

fn snapshot(store: &Store, case: CaseId) -> Snapshot {
    (
        store.find(case).unwrap(),
        assignments_of(store, case),
        store.payment_for_case(case).unwrap(),
        store.timeline(case).unwrap().len(),
        outbox_of(store, case),
    )
}

fn assert_changed(result: domain::Result<()>) {
    match result {
        Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::CaseChanged),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// Sorted by id, to compare what was written with what was read back in another order.
fn by_id(mut notifications: Vec<Notification>) -> Vec<Notification> {
    notifications.sort_by_key(|n| n.id);
    notifications
}

on_each_backend!(a_case_goes_from_review_to_completed_in_commits, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let case = submitted(store, cat, "patient-1", T0);

    // Coordinator: the case, an assignment, a payment, two timeline entries, two notifications.
    let assigned = coordinator_commit(&case, "EMP1", at(5));
    store.commit(&assigned).unwrap();
    let awaiting = assigned.case.clone();
    let coordinator = assigned.new_assignments[0].clone();
    let payment = assigned.new_payment.clone().unwrap();
    assert_eq!(store.find(case.id).unwrap().as_ref(), Some(&awaiting));
    assert_eq!(
        assignments_of(store, case.id),
        std::slice::from_ref(&coordinator)
    );
    assert_eq!(
        store.assignment(coordinator.id).unwrap(),
        Some(coordinator.clone())
    );
    assert_eq!(
        store.payment_for_case(case.id).unwrap().as_ref(),
        Some(&payment)
    );
    assert_eq!(store.payment(payment.id).unwrap().as_ref(), Some(&payment));
    let timeline = store.timeline(case.id).unwrap();
    assert_eq!(timeline.len(), 3);
    for entry in &assigned.timeline {
        assert!(timeline.contains(entry), "{entry:?}");
    }
    assert_eq!(
        by_id(outbox_of(store, case.id)),
        by_id(assigned.notifications.clone())
    );

    // Paid by the provider's webhook.
    let by = PaidBy::Provider {
        event_id: "evt_1".to_owned(),
    };
    let paid = paid_commit(&awaiting, payment.id, by.clone(), at(10));
    store.commit(&paid).unwrap();
    let stored = store.payment(payment.id).unwrap().unwrap();
    assert_eq!(stored.status, PaymentStatus::Paid);
    assert_eq!(stored.paid_date, Some(at(10)));
    assert_eq!(stored.paid_by, Some(by));
    assert!(store.event_seen("evt_1").unwrap());
    assert!(!store.event_seen("evt_2").unwrap());

    // Two specialists; the review window starts with the first.
    let first = doctor_commit(&paid.case, "EMP3", at(20));
    store.commit(&first).unwrap();
    let second = doctor_commit(&first.case, "EMP4", at(30));
    store.commit(&second).unwrap();
    let with_doctors = store.find(case.id).unwrap().unwrap();
    assert_eq!(with_doctors.status, CaseStatus::DoctorsAssigned);
    assert_eq!(with_doctors.doctors_assigned_date, Some(at(20)));
    assert_eq!(with_doctors, second.case);

    // An opinion rewrites the specialist's row; an answer to the coordinator's request, theirs.
    let opinion = Assignment {
        opinion: Some("Stable; \"no\" surgery. مستقر".to_owned()),
        opinion_date: Some(at(40)),
        ..first.new_assignments[0].clone()
    };
    let answered = Assignment {
        answered_date: Some(at(41)),
        ..coordinator.clone()
    };
    let revised = CaseCommit {
        changed_assignments: vec![opinion.clone(), answered.clone()],
        ..CaseCommit::of(next(&with_doctors, at(41)), with_doctors.version)
    };
    store.commit(&revised).unwrap();
    assert_eq!(
        assignments_of(store, case.id),
        [answered, opinion, second.new_assignments[0].clone()]
    );

    // Completed, with the summary and the report in both languages.
    let completed = ReviewCase {
        status: CaseStatus::Completed,
        summary: Some("Both agree.".to_owned()),
        completed_date: Some(at(50)),
        report: Some(ReportKeys {
            en: BlobKey::parse(&format!("reports/{}/second-opinion-en.pdf", case.id)).unwrap(),
            ar: BlobKey::parse(&format!("reports/{}/second-opinion-ar.pdf", case.id)).unwrap(),
        }),
        ..next(&revised.case, at(50))
    };
    store
        .commit(&CaseCommit::of(completed.clone(), revised.case.version))
        .unwrap();
    assert_eq!(store.find(case.id).unwrap(), Some(completed));
    assert_eq!(store.timeline(case.id).unwrap().len(), 6);
    assert_eq!(outbox_of(store, case.id).len(), 5);
});

on_each_backend!(a_commit_on_a_stale_or_missing_case_writes_nothing, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let case = submitted(store, cat, "patient-1", T0);
    let before = snapshot(store, case.id);

    let mut stale = coordinator_commit(&case, "EMP1", at(5));
    stale.expected_version = case.version + 1;
    assert_changed(store.commit(&stale));
    assert_eq!(snapshot(store, case.id), before);

    let ghost = fixtures::draft(cat, "patient-1", T0);
    match store.commit(&coordinator_commit(&ghost, "EMP1", at(5))) {
        Err(Error::NotFound(t)) => assert_eq!(t.key(), Key::CaseNotFound),
        other => panic!("{other:?}"),
    }
    assert_eq!(snapshot(store, ghost.id).0, None);
    assert_eq!(store.payment_for_case(ghost.id).unwrap(), None);
});

on_each_backend!(
    a_second_active_coordinator_or_doctor_fails_the_whole_commit,
    |db| {
        let store = &db.store;
        let cat = fixtures::catalogue(store);
        let case = submitted(store, cat, "patient-1", T0);
        let first = coordinator_commit(&case, "EMP1", at(5));
        store.commit(&first).unwrap();
        let awaiting = first.case.clone();
        let before = snapshot(store, case.id);

        // Another coordinator while the first is active: refused, with everything else in the commit.
        let mut another = coordinator_commit(&awaiting, "EMP2", at(6));
        another.new_payment = None;
        assert_changed(store.commit(&another));
        assert_eq!(snapshot(store, case.id), before);

        // A second payment for the case.
        let mut again = coordinator_commit(&awaiting, "EMP1", at(6));
        again.new_assignments.clear();
        assert_changed(store.commit(&again));
        assert_eq!(snapshot(store, case.id), before);

        // A change of coordinator deactivates the old row first: accepted.
        let old = Assignment {
            active: false,
            ..first.new_assignments[0].clone()
        };
        let mut change = coordinator_commit(&awaiting, "EMP2", at(7));
        change.new_payment = None;
        change.changed_assignments = vec![old.clone()];
        store.commit(&change).unwrap();
        let rows = assignments_of(store, case.id);
        assert_eq!(rows, [old, change.new_assignments[0].clone()]);
        assert_eq!(
            rows.iter().filter(|a| a.active && a.is_coordinator).count(),
            1
        );

        // One provider twice actively on the case: in one commit, or in two.
        let paid = paid_commit(
            &change.case,
            before.2.as_ref().unwrap().id,
            PaidBy::Admin(actor("admin-1")),
            at(8),
        );
        store.commit(&paid).unwrap();
        let mut twice = doctor_commit(&paid.case, "EMP3", at(9));
        twice
            .new_assignments
            .push(assignment(&twice.case, "EMP3", false, at(9)));
        let before = snapshot(store, case.id);
        assert_changed(store.commit(&twice));
        assert_eq!(snapshot(store, case.id), before);
        let once = doctor_commit(&paid.case, "EMP3", at(9));
        store.commit(&once).unwrap();
        let before = snapshot(store, case.id);
        assert_changed(store.commit(&doctor_commit(&once.case, "EMP3", at(10))));
        assert_eq!(snapshot(store, case.id), before);
        // The coordinator cannot be one of the case's specialists either.
        assert_changed(store.commit(&doctor_commit(&once.case, "EMP2", at(10))));
        assert_eq!(snapshot(store, case.id), before);
        // An inactive row does not count: a replaced coordinator may come back as a specialist.
        store
            .commit(&doctor_commit(&once.case, "EMP1", at(11)))
            .unwrap();
    }
);

on_each_backend!(
    a_webhook_event_applies_once_and_a_payment_is_confirmed_once,
    |db| {
        let store = &db.store;
        let cat = fixtures::catalogue(store);
        let awaiting = |user: &str| {
            let case = submitted(store, cat, user, T0);
            let commit = coordinator_commit(&case, "EMP1", at(5));
            store.commit(&commit).unwrap();
            (commit.case, commit.new_payment.unwrap())
        };
        let (a, pay_a) = awaiting("patient-a");
        let (b, pay_b) = awaiting("patient-b");
        let event = |id: &str| PaidBy::Provider {
            event_id: id.to_owned(),
        };
        store
            .commit(&paid_commit(&a, pay_a.id, event("evt_1"), at(10)))
            .unwrap();

        // The same event id again, for another payment: the whole commit fails.
        let before = snapshot(store, b.id);
        assert_changed(store.commit(&paid_commit(&b, pay_b.id, event("evt_1"), at(11))));
        assert_eq!(snapshot(store, b.id), before);
        assert_eq!(
            before.2.as_ref().map(|p| p.status),
            Some(PaymentStatus::Pending)
        );

        // A payment of another case, or one paid already: not as read, nothing written.
        assert_changed(store.commit(&paid_commit(&b, pay_a.id, event("evt_2"), at(11))));
        assert_eq!(snapshot(store, b.id), before);
        assert!(!store.event_seen("evt_2").unwrap());
        let a_now = store.find(a.id).unwrap().unwrap();
        let before_a = snapshot(store, a.id);
        let mut twice = paid_commit(&a_now, pay_a.id, PaidBy::Admin(actor("admin-1")), at(12));
        twice.case.status = CaseStatus::Paid;
        assert_changed(store.commit(&twice));
        assert_eq!(snapshot(store, a.id), before_a);

        // An assignment the case does not have cannot be rewritten.
        let stranger = assignment(&b, "EMP7", false, at(12));
        let rewrite = CaseCommit {
            changed_assignments: vec![stranger],
            ..CaseCommit::of(next(&b, at(12)), b.version)
        };
        assert_changed(store.commit(&rewrite));
        assert_eq!(snapshot(store, b.id), before);

        // By hand, the administrator is recorded.
        store
            .commit(&paid_commit(
                &b,
                pay_b.id,
                PaidBy::Admin(actor("admin:7")),
                at(13),
            ))
            .unwrap();
        let paid_b = store.payment(pay_b.id).unwrap().unwrap();
        assert_eq!(paid_b.paid_by, Some(PaidBy::Admin(actor("admin:7"))));
        assert_eq!(paid_b.paid_date, Some(at(13)));
        assert_eq!(paid_b.amount, pay_b.amount);
    }
);

on_each_backend!(
    concurrent_coordinator_commits_leave_one_active_coordinator,
    |db| {
        const CASES: usize = 10;
        let store = &db.store;
        let cat: Catalogue = fixtures::catalogue(store);
        for i in 0..CASES {
            let case = submitted(store, cat, &format!("patient-{i}"), T0);
            let barrier = std::sync::Barrier::new(2);
            let results: Vec<domain::Result<()>> = std::thread::scope(|s| {
                let runs: Vec<_> = ["EMP1", "EMP2"]
                    .into_iter()
                    .map(|doctor| {
                        let (barrier, case) = (&barrier, &case);
                        s.spawn(move || {
                            let read = store.find(case.id).unwrap().unwrap();
                            let commit = coordinator_commit(&read, doctor, at(5));
                            barrier.wait();
                            store.commit(&commit)
                        })
                    })
                    .collect();
                runs.into_iter().map(|r| r.join().unwrap()).collect()
            });
            assert_eq!(
                results.iter().filter(|r| r.is_ok()).count(),
                1,
                "{results:?}"
            );
            for failed in results.into_iter().filter(Result::is_err) {
                assert_changed(failed);
            }
            let rows = assignments_of(store, case.id);
            let active: Vec<&Assignment> = rows
                .iter()
                .filter(|a| a.active && a.is_coordinator)
                .collect();
            assert_eq!(active.len(), 1, "{rows:?}");
            let stored = store.find(case.id).unwrap().unwrap();
            assert_eq!(
                stored.case_coordinator_id.as_ref(),
                Some(&active[0].doctor_id)
            );
            assert_eq!(stored.version, case.version + 1);
            assert_eq!(outbox_of(store, case.id).len(), 2);
            assert!(store.payment_for_case(case.id).unwrap().is_some());
        }
    }
);

on_each_backend!(stored_report_keys_must_be_whole, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let case = submitted(store, cat, "patient-1", T0);
    for (en, ar) in [("'reports/x.pdf'", "NULL"), ("'../x'", "'reports/x.pdf'")] {
        raw_sql(
            &db,
            &format!(
                "UPDATE review_cases SET report_key_en = {en}, report_key_ar = {ar} \
                 WHERE case_id = '{}'",
                case.id
            ),
        );
        assert!(
            matches!(store.find(case.id), Err(Error::Internal(_))),
            "{en} {ar}"
        );
    }
    raw_sql(
        &db,
        &format!(
            "UPDATE review_cases SET report_key_en = NULL, report_key_ar = NULL \
             WHERE case_id = '{}'",
            case.id
        ),
    );
    assert_eq!(store.find(case.id).unwrap(), Some(case));
});
