//! Bulk loading for load tests: assignments written as they are, in one transaction per batch.

use domain::second_opinion::{Assignment, AssignmentRepository, CaseRepository, CaseStatus};

use crate::fixtures::{self, assignment, draft};
use crate::support::*;

const CASES: usize = 2_500;

on_each_backend!(bulk_assignments_page_like_committed_ones, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let cases: Vec<_> = (0..CASES)
        .map(|i| {
            let mut case = draft(cat, &format!("patient-{}", i % 7), at(i as i64));
            case.status = CaseStatus::DoctorsAssigned;
            case.case_coordinator_id = Some(actor(if i % 2 == 0 { "EMP1" } else { "EMP2" }));
            case
        })
        .collect();
    assert_eq!(store.insert_cases_bulk(&cases).unwrap(), CASES);

    // A coordinator and one specialist a case: more rows than one statement takes.
    let mut rows: Vec<Assignment> = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let coordinator = case.case_coordinator_id.clone().unwrap();
        rows.push(assignment(
            case,
            coordinator.as_str(),
            true,
            at(i as i64 + 1),
        ));
        let mut specialist = assignment(case, "EMP3", false, at(i as i64 + 2));
        if i % 3 == 0 {
            specialist.opinion = Some(format!("Opinion {i}: no change of treatment."));
            specialist.opinion_date = Some(at(i as i64 + 3));
        }
        rows.push(specialist);
    }
    let started = std::time::Instant::now();
    assert_eq!(store.insert_assignments_bulk(&rows).unwrap(), 2 * CASES);
    eprintln!(
        "{}: bulk insert of {} assignments in {:?}",
        db.backend(),
        rows.len(),
        started.elapsed()
    );

    let newest_first = |doctor: &str, coordinator: bool| {
        let mut expected: Vec<&Assignment> = rows
            .iter()
            .filter(|a| a.doctor_id.as_str() == doctor && a.is_coordinator == coordinator)
            .collect();
        expected.sort_by_key(|a| std::cmp::Reverse((a.created_date, a.id)));
        expected
    };
    for (doctor, coordinator, total) in [
        ("EMP1", true, CASES / 2),
        ("EMP2", true, CASES / 2),
        ("EMP3", false, CASES),
    ] {
        let who = actor(doctor);
        assert_eq!(
            store.count_for_doctor(&who, coordinator).unwrap(),
            total as u64,
            "{doctor}"
        );
        assert_eq!(store.count_for_doctor(&who, !coordinator).unwrap(), 0);
        let expected = newest_first(doctor, coordinator);
        let mut paged = Vec::new();
        let mut offset = 0;
        loop {
            let page = store.for_doctor(&who, coordinator, 100, offset).unwrap();
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            paged.extend(page);
        }
        assert_eq!(paged.len(), expected.len(), "{doctor}");
        for (got, want) in paged.iter().zip(&expected) {
            assert_eq!(got, *want);
        }
    }
    assert_eq!(
        store.for_case(cases[3].id).unwrap(),
        [rows[6].clone(), rows[7].clone()]
    );
    // Bulk loading writes no history and leaves the cases as they were.
    assert!(store.timeline(cases[3].id).unwrap().is_empty());
    assert_eq!(store.find(cases[3].id).unwrap().as_ref(), Some(&cases[3]));
});

on_each_backend!(a_bulk_batch_breaking_a_rule_writes_nothing, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let cases: Vec<_> = (0..3)
        .map(|i| {
            let mut case = draft(cat, "patient-1", at(i));
            case.status = CaseStatus::Paid;
            case
        })
        .collect();
    store.insert_cases_bulk(&cases).unwrap();

    // The last row is a second active coordinator of the first case.
    let mut rows: Vec<Assignment> = cases
        .iter()
        .map(|c| assignment(c, "EMP1", true, at(10)))
        .collect();
    rows.push(assignment(&cases[0], "EMP2", true, at(11)));
    assert!(store.insert_assignments_bulk(&rows).is_err());
    assert_eq!(store.count_for_doctor(&actor("EMP1"), true).unwrap(), 0);
    assert!(store.for_case(cases[1].id).unwrap().is_empty());

    // Nor can an assignment name a case that does not exist.
    let stranger = draft(cat, "patient-2", at(20));
    assert!(
        store
            .insert_assignments_bulk(&[assignment(&stranger, "EMP1", true, at(21))])
            .is_err()
    );
    assert_eq!(store.insert_assignments_bulk(&rows[..3]).unwrap(), 3);
    assert_eq!(store.count_for_doctor(&actor("EMP1"), true).unwrap(), 3);
    assert_eq!(store.insert_assignments_bulk(&[]).unwrap(), 0);
});
