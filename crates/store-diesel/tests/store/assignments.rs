//! [`AssignmentRepository`]: a case's assignments, and a doctor's active ones by kind.

use domain::kernel::ids::{CaseId, SopId};
use domain::second_opinion::{Assignment, AssignmentRepository, CaseCommit, CaseRepository};

use crate::fixtures::{self, assignment, next, submitted};
use crate::support::*;

/// Commits `rows` (new) and `changed` to their case, at its stored version.
fn commit_rows(store: &Store, case: CaseId, rows: Vec<Assignment>, changed: Vec<Assignment>) {
    let current = store.find(case).unwrap().unwrap();
    let commit = CaseCommit {
        new_assignments: rows,
        changed_assignments: changed,
        ..CaseCommit::of(next(&current, current.updated_date), current.version)
    };
    store.commit(&commit).unwrap();
}

fn ids(rows: &[Assignment]) -> Vec<SopId> {
    rows.iter().map(|a| a.id).collect()
}

on_each_backend!(
    a_doctors_list_is_their_active_assignments_of_one_kind_newest_first,
    |db| {
        let store = &db.store;
        let cat = fixtures::catalogue(store);
        let cases: Vec<_> = (0..4)
            .map(|i| submitted(store, cat, &format!("patient-{i}"), at(i)))
            .collect();

        // EMP1 coordinates cases 0, 1 and 2 (replaced on 2), and is a specialist on case 3.
        let coordinating: Vec<Assignment> = [(0, 5), (1, 7), (2, 6)]
            .into_iter()
            .map(|(i, minutes)| assignment(&cases[i], "EMP1", true, at(minutes)))
            .collect();
        for a in &coordinating {
            commit_rows(store, a.case_id, vec![a.clone()], Vec::new());
        }
        let replaced = Assignment {
            active: false,
            ..coordinating[2].clone()
        };
        let successor = assignment(&cases[2], "EMP2", true, at(8));
        commit_rows(
            store,
            cases[2].id,
            vec![successor.clone()],
            vec![replaced.clone()],
        );
        let mut specialist = assignment(&cases[3], "EMP1", false, at(9));
        specialist.requested_documents = vec!["MRI".to_owned()];
        specialist.requested_date = Some(at(9));
        commit_rows(store, cases[3].id, vec![specialist.clone()], Vec::new());
        // Two assignments created at the same instant: the id decides, highest first.
        let mut tie_low = assignment(&cases[0], "EMP3", false, at(20));
        tie_low.id = Uuid::parse_str("00000000-0000-7000-8000-000000000001")
            .unwrap()
            .into();
        let mut tie_high = assignment(&cases[1], "EMP3", false, at(20));
        tie_high.id = Uuid::parse_str("00000000-0000-7000-8000-000000000002")
            .unwrap()
            .into();
        commit_rows(store, cases[0].id, vec![tie_low.clone()], Vec::new());
        commit_rows(store, cases[1].id, vec![tie_high.clone()], Vec::new());

        let (emp1, emp2, emp3) = (actor("EMP1"), actor("EMP2"), actor("EMP3"));
        assert_eq!(
            store.for_doctor(&emp1, true, 10, 0).unwrap(),
            [coordinating[1].clone(), coordinating[0].clone()]
        );
        assert_eq!(store.count_for_doctor(&emp1, true).unwrap(), 2);
        assert_eq!(
            ids(&store.for_doctor(&emp1, true, 1, 1).unwrap()),
            [coordinating[0].id]
        );
        assert!(store.for_doctor(&emp1, true, 10, 2).unwrap().is_empty());
        assert_eq!(store.for_doctor(&emp1, false, 10, 0).unwrap(), [specialist]);
        assert_eq!(store.count_for_doctor(&emp1, false).unwrap(), 1);
        assert_eq!(
            store.for_doctor(&emp2, true, 10, 0).unwrap(),
            std::slice::from_ref(&successor)
        );
        assert!(store.for_doctor(&emp2, false, 10, 0).unwrap().is_empty());
        assert_eq!(store.count_for_doctor(&emp2, false).unwrap(), 0);
        assert_eq!(
            ids(&store.for_doctor(&emp3, false, 10, 0).unwrap()),
            [tie_high.id, tie_low.id]
        );
        assert_eq!(store.count_for_doctor(&actor("nobody"), true).unwrap(), 0);

        // A case's assignments: all of them, inactive included, oldest first.
        assert_eq!(
            store.for_case(cases[2].id).unwrap(),
            [replaced.clone(), successor]
        );
        assert_eq!(
            store.for_case(cases[0].id).unwrap(),
            [coordinating[0].clone(), tie_low]
        );
        assert_eq!(store.assignment(replaced.id).unwrap(), Some(replaced));
        assert_eq!(
            store.assignment(SopId::from_uuid(Uuid::now_v7())).unwrap(),
            None
        );
        assert!(
            store
                .for_case(CaseId::from_uuid(Uuid::now_v7()))
                .unwrap()
                .is_empty()
        );
    }
);

on_each_backend!(a_rewrite_replaces_the_whole_row, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let case = submitted(store, cat, "patient-1", T0);
    let mut asked = assignment(&case, "EMP3", false, at(1));
    asked.requested_documents = vec!["ECG, 12 leads".to_owned(), "تقرير".to_owned()];
    asked.requested_date = Some(at(1));
    asked.opinion = Some("draft".to_owned());
    asked.opinion_date = Some(at(2));
    commit_rows(store, case.id, vec![asked.clone()], Vec::new());
    assert_eq!(store.assignment(asked.id).unwrap().as_ref(), Some(&asked));

    // The request withdrawn, the opinion cleared: `None` is written as `NULL`.
    let cleared = Assignment {
        requested_documents: Vec::new(),
        requested_date: None,
        answered_date: Some(at(3)),
        opinion: None,
        opinion_date: None,
        ..asked
    };
    commit_rows(store, case.id, Vec::new(), vec![cleared.clone()]);
    assert_eq!(store.assignment(cleared.id).unwrap(), Some(cleared));
});

on_each_backend!(corrupt_assignments_are_internal_errors, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let case = submitted(store, cat, "patient-1", T0);
    let a = assignment(&case, "EMP3", false, at(1));
    commit_rows(store, case.id, vec![a.clone()], Vec::new());
    for (column, value) in [
        ("requested_documents", "'not json'"),
        ("requested_documents", "'[1]'"),
        ("opinion_date", "'later'"),
    ] {
        raw_sql(
            &db,
            &format!(
                "UPDATE second_opinions SET {column} = {value} WHERE sop_id = '{}'",
                a.id
            ),
        );
        assert!(
            matches!(store.assignment(a.id), Err(Error::Internal(_))),
            "{column}"
        );
        raw_sql(
            &db,
            &format!(
                "UPDATE second_opinions SET requested_documents = '[]', opinion_date = NULL \
                 WHERE sop_id = '{}'",
                a.id
            ),
        );
        assert_eq!(store.assignment(a.id).unwrap().as_ref(), Some(&a));
    }
});
