//! `ProCaseService` for doctors and coordinators: who sees a case, the coordinator assigning
//! specialists, a provider asking the patient for documents, a specialist's opinion. (The summary
//! and the final report are in `pro_summary`.)

use super::*;
use crate::notifications::NotificationData;
use crate::second_opinion::case::ActorRole;

use CaseStatus as S;
use NotificationKind as K;
use RecipientRole as R;

/// A replaced coordinator's assignment (3), the coordinator's (1), `EMP2`'s (2).
fn team() -> Vec<Assignment> {
    vec![
        Assignment {
            active: false,
            ..assignment(3, OTHER_COORDINATOR, true)
        },
        assignment(1, COORDINATOR, true),
        assignment(2, DOCTOR, false),
    ]
}

#[test]
fn the_coordinator_sees_the_case_and_its_timeline() {
    let mut ports = Ports::new();
    ports.stored(case_at(S::Paid));
    ports.assignments.expect_for_case().never();
    ports
        .cases
        .expect_timeline()
        .times(1)
        .returning(|_| Ok(Vec::new()));
    let pros = pro(ports);

    assert_eq!(
        pros.case(&actor(COORDINATOR), CASE).unwrap(),
        case_at(S::Paid)
    );
    assert!(pros.timeline(&actor(COORDINATOR), CASE).unwrap().is_empty());
}

#[test]
fn a_doctor_with_an_active_assignment_sees_the_case_and_its_timeline() {
    let mut ports = Ports::new();
    ports.stored(case_at(S::DoctorsAssigned)).on_case(team());
    ports
        .cases
        .expect_timeline()
        .withf(|id| *id == case_id())
        .times(1)
        .returning(|_| Ok(Vec::new()));
    let pros = pro(ports);

    assert_eq!(pros.case(&actor(DOCTOR), CASE).unwrap().id, case_id());
    assert!(pros.timeline(&actor(DOCTOR), CASE).is_ok());
}

#[test]
fn anyone_without_a_part_is_told_the_case_does_not_exist() {
    // A replaced coordinator (inactive assignment) and a stranger.
    for who in [OTHER_COORDINATOR, DOCTOR_2] {
        let mut ports = Ports::new();
        ports.stored(case_at(S::DoctorsAssigned)).on_case(team());
        ports.cases.expect_timeline().never();
        let pros = pro(ports);

        let not_found = ("not_found", "case-not-found".to_owned());
        assert_eq!(refusal(pros.case(&actor(who), CASE)), not_found, "{who}");
        assert_eq!(
            refusal(pros.timeline(&actor(who), CASE)),
            not_found,
            "{who}"
        );
    }
}

/// A case at `status` coordinated by `EMP1`, with `assignments`, and `EMP2`, `EMP3` and `EMP1`
/// specialists of its category.
fn assignable(ports: &mut Ports, status: CaseStatus, assignments: Vec<Assignment>) {
    ports
        .stored(case_at(status))
        .on_case(assignments)
        .eligible(Eligibility::Specialist, &[COORDINATOR, DOCTOR, DOCTOR_2]);
}

#[test]
fn the_first_doctor_moves_a_paid_case_to_doctors_assigned() {
    let mut ports = Ports::new();
    assignable(&mut ports, S::Paid, vec![assignment(1, COORDINATOR, true)]);
    ports.commits(|c| {
        let [new] = &c.new_assignments[..] else {
            return false;
        };
        writes(c, S::DoctorsAssigned)
            && c.case.doctors_assigned_date == Some(NOW)
            && new.doctor_id == actor(DOCTOR)
            && !new.is_coordinator
            && new.active
            && new.requested_documents.is_empty()
            && new.created_date == NOW
            && c.changed_assignments.is_empty()
            && events(c) == [TimelineEvent::DoctorAssigned]
            && c.timeline[0].actor_id == actor(COORDINATOR)
            && c.timeline[0].actor_role == ActorRole::Coordinator
            && c.timeline[0].note.as_deref() == Some(DOCTOR)
            && c.timeline[0].from_status == Some(S::Paid)
            && c.timeline[0].to_status == Some(S::DoctorsAssigned)
            && notices(c) == [notice(K::DoctorAssigned, DOCTOR, R::Doctor, Lang::Ar)]
    });

    let assigned = pro(ports)
        .assign_doctor(&actor(COORDINATOR), CASE, DOCTOR, None)
        .unwrap();
    assert_eq!(assigned.doctor_id, actor(DOCTOR));
    assert!(!assigned.is_coordinator);
}

#[test]
fn later_doctors_keep_the_date_the_first_was_assigned_and_may_ask_for_documents() {
    let mut ports = Ports::new();
    let on_case = vec![
        assignment(1, COORDINATOR, true),
        assignment(2, DOCTOR, false),
    ];
    assignable(&mut ports, S::DoctorsAssigned, on_case);
    ports.commits(|c| {
        let [new] = &c.new_assignments[..] else {
            return false;
        };
        writes(c, S::DoctorsAssigned)
            && c.case.doctors_assigned_date == Some(ASSIGNED)
            && new.doctor_id == actor(DOCTOR_2)
            && new.requested_documents == ["Holter report"]
            && new.requested_date == Some(NOW)
            && notices(c)
                == [
                    notice(K::DoctorAssigned, DOCTOR_2, R::Doctor, Lang::En),
                    notice(K::DocumentsRequested, PATIENT, R::Patient, Lang::Ar),
                ]
            && matches!(&c.notifications[1].data, NotificationData::DocumentsRequested(d)
                if d.documents == ["Holter report"] && d.doctor == names(DOCTOR_2))
    });

    pro(ports)
        .assign_doctor(
            &actor(COORDINATOR),
            CASE,
            DOCTOR_2,
            Some(vec![" Holter report ".into()]),
        )
        .unwrap();
}

#[test]
fn only_the_coordinator_assigns_doctors() {
    // Another participant is refused; a stranger is not told the case exists.
    for (who, expected) in [
        (DOCTOR, ("forbidden", "not-case-coordinator")),
        (OTHER_COORDINATOR, ("not_found", "case-not-found")),
    ] {
        let mut ports = Ports::new();
        ports
            .stored(case_at(S::DoctorsAssigned))
            .on_case(team())
            .no_commit();
        ports.providers.expect_eligible().never();

        let result = pro(ports).assign_doctor(&actor(who), CASE, DOCTOR_2, None);
        assert_eq!(
            refusal(result),
            (expected.0, expected.1.to_owned()),
            "{who}"
        );
    }
}

#[test]
fn doctors_are_assigned_only_once_the_case_is_paid() {
    for status in [S::AwaitingPayment, S::Completed] {
        let mut ports = Ports::new();
        ports
            .stored(case_at(status))
            .on_case(vec![assignment(1, COORDINATOR, true)])
            .no_commit();
        ports.providers.expect_eligible().never();

        let result = pro(ports).assign_doctor(&actor(COORDINATOR), CASE, DOCTOR, None);
        assert_eq!(
            refusal(result),
            refused("assign_doctors", status),
            "{status}"
        );
    }
}

#[test]
fn only_an_eligible_active_specialist_other_than_the_coordinator_is_assigned() {
    // `EMP9` is not a specialist of the category (or not active); `EMP1` is, but coordinates.
    for doctor in ["EMP9", COORDINATOR] {
        let mut ports = Ports::new();
        assignable(&mut ports, S::Paid, vec![assignment(1, COORDINATOR, true)]);
        ports.no_commit();

        let result = pro(ports).assign_doctor(&actor(COORDINATOR), CASE, doctor, None);
        assert_eq!(
            refusal(result),
            (
                "unprocessable",
                format!("not-eligible-specialist(doctor={doctor})")
            )
        );
    }
}

#[test]
fn a_doctor_is_not_assigned_twice() {
    let mut ports = Ports::new();
    let on_case = vec![
        assignment(1, COORDINATOR, true),
        assignment(2, DOCTOR, false),
    ];
    assignable(&mut ports, S::DoctorsAssigned, on_case);
    ports.no_commit();

    let result = pro(ports).assign_doctor(&actor(COORDINATOR), CASE, DOCTOR, None);
    assert_eq!(
        refusal(result),
        (
            "conflict",
            "doctor-already-assigned(doctor=EMP2)".to_owned()
        )
    );
}

#[test]
fn a_doctor_assigned_meanwhile_by_a_concurrent_request_is_not_assigned_twice() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::Paid))
        .eligible(Eligibility::Specialist, &[DOCTOR]);
    ports
        .assignments
        .expect_for_case()
        .times(1)
        .returning(|_| Ok(vec![assignment(1, COORDINATOR, true)]));
    ports.assignments.expect_for_case().returning(|_| {
        Ok(vec![
            assignment(1, COORDINATOR, true),
            assignment(2, DOCTOR, false),
        ])
    });
    ports
        .cases
        .expect_commit()
        .times(1)
        .returning(|_| Err(case_changed()));

    let result = pro(ports).assign_doctor(&actor(COORDINATOR), CASE, DOCTOR, None);
    assert_eq!(
        refusal(result),
        (
            "conflict",
            "doctor-already-assigned(doctor=EMP2)".to_owned()
        )
    );
}

#[test]
fn a_doctor_asks_the_patient_for_documents_on_their_own_assignment() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::DoctorsAssigned))
        .on_case(team())
        .known(&[COORDINATOR, DOCTOR])
        .commits(|c| {
            writes(c, S::DoctorsAssigned)
                && c.changed_assignments
                    == [Assignment {
                        requested_documents: vec!["Holter report".into(), "Lipid panel".into()],
                        requested_date: Some(NOW),
                        ..assignment(2, DOCTOR, false)
                    }]
                && c.new_assignments.is_empty()
                && events(c) == [TimelineEvent::DocumentsRequested]
                && c.timeline[0].actor_id == actor(DOCTOR)
                && c.timeline[0].actor_role == ActorRole::Doctor
                && c.timeline[0].note.as_deref() == Some(DOCTOR)
                && notices(c) == [notice(K::DocumentsRequested, PATIENT, R::Patient, Lang::Ar)]
                && matches!(&c.notifications[0].data, NotificationData::DocumentsRequested(d)
                    if d.documents == ["Holter report", "Lipid panel"] && d.doctor == names(DOCTOR))
        });

    let docs = vec![" Holter report".into(), "Lipid panel ".into()];
    let changed = pro(ports)
        .request_documents(&actor(DOCTOR), &sop(2), " EMP2 ", docs)
        .unwrap();
    assert!(changed.request_outstanding());
}

#[test]
fn the_coordinator_asks_for_documents_as_coordinator_before_payment() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::AwaitingPayment))
        .on_case(vec![assignment(1, COORDINATOR, true)])
        .known(&[COORDINATOR])
        .commits(|c| {
            writes(c, S::AwaitingPayment)
                && c.changed_assignments.len() == 1
                && c.changed_assignments[0].requested_documents == ["Latest ECG"]
                && c.timeline.len() == 1
                && c.timeline[0].actor_role == ActorRole::Coordinator
                && notices(c) == [notice(K::DocumentsRequested, PATIENT, R::Patient, Lang::Ar)]
        });

    pro(ports)
        .request_documents(
            &actor(COORDINATOR),
            &sop(1),
            COORDINATOR,
            vec!["Latest ECG".into()],
        )
        .unwrap();
}

#[test]
fn documents_are_asked_for_only_on_ones_own_active_assignment() {
    // The doctor named is not the caller: 403 before anything is read.
    let mut ports = Ports::new();
    ports.assignments.expect_assignment().never();
    ports.no_commit();
    let result =
        pro(ports).request_documents(&actor(DOCTOR), &sop(2), DOCTOR_2, vec!["ECG".into()]);
    assert_eq!(
        refusal(result),
        ("forbidden", "not-your-assignment".to_owned())
    );

    // Unknown, someone else's, and a replaced coordinator's own (inactive) assignment: 404.
    let mut on_case = team();
    on_case.push(assignment(4, DOCTOR_2, false));
    for (who, n) in [(DOCTOR, 9), (DOCTOR, 4), (OTHER_COORDINATOR, 3)] {
        let mut ports = Ports::new();
        ports.on_case(on_case.clone()).no_commit();
        ports.cases.expect_find().never();
        let result = pro(ports).request_documents(&actor(who), &sop(n), who, vec!["ECG".into()]);
        assert_eq!(
            refusal(result),
            ("not_found", "assignment-not-found".to_owned()),
            "{who} on {n}"
        );
    }
}

#[test]
fn an_empty_list_withdraws_the_request_without_telling_anyone() {
    let asked = Assignment {
        requested_documents: vec!["Holter report".into()],
        requested_date: Some(ASSIGNED),
        ..assignment(2, DOCTOR, false)
    };
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::DoctorsAssigned))
        .on_case(vec![assignment(1, COORDINATOR, true), asked])
        .known(&[DOCTOR])
        .commits(|c| {
            writes(c, S::DoctorsAssigned)
                && c.changed_assignments.len() == 1
                && c.changed_assignments[0].requested_documents.is_empty()
                && c.changed_assignments[0].requested_date.is_none()
                && c.timeline.is_empty()
                && c.notifications.is_empty()
        });

    let changed = pro(ports)
        .request_documents(&actor(DOCTOR), &sop(2), DOCTOR, Vec::new())
        .unwrap();
    assert!(!changed.request_outstanding());
}

#[test]
fn documents_cannot_be_asked_for_once_the_case_is_completed() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::Completed))
        .on_case(team())
        .known(&[DOCTOR])
        .no_commit();
    let result = pro(ports).request_documents(&actor(DOCTOR), &sop(2), DOCTOR, vec!["ECG".into()]);
    assert_eq!(refusal(result), refused("request_documents", S::Completed));
}

#[test]
fn a_specialist_gives_an_opinion_and_the_coordinator_is_told() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::DoctorsAssigned))
        .on_case(team())
        .known(&[COORDINATOR, DOCTOR])
        .commits(|c| {
            writes(c, S::DoctorsAssigned)
                && c.changed_assignments
                    == [Assignment {
                        opinion: Some("Stable.\n\nNo surgery.".into()),
                        opinion_date: Some(NOW),
                        ..assignment(2, DOCTOR, false)
                    }]
                && events(c) == [TimelineEvent::OpinionSubmitted]
                && c.timeline[0].actor_id == actor(DOCTOR)
                && c.timeline[0].actor_role == ActorRole::Doctor
                && c.timeline[0].note.as_deref() == Some(DOCTOR)
                && notices(c)
                    == [notice(
                        K::OpinionSubmitted,
                        COORDINATOR,
                        R::Coordinator,
                        Lang::En,
                    )]
                && matches!(&c.notifications[0].data, NotificationData::OpinionSubmitted(d)
                    if d.doctor == names(DOCTOR))
        });

    let changed = pro(ports)
        .submit_opinion(&actor(DOCTOR), &sop(2), "  Stable.\n\nNo surgery.\n")
        .unwrap();
    assert_eq!(changed.opinion.as_deref(), Some("Stable.\n\nNo surgery."));
}

#[test]
fn an_opinion_is_given_only_on_ones_own_active_specialist_assignment() {
    let mut on_case = team();
    on_case.push(assignment(4, DOCTOR_2, false));
    // Unknown; someone else's; the coordinator's own; a replaced coordinator's.
    for (who, n) in [
        (DOCTOR, 9),
        (DOCTOR, 4),
        (COORDINATOR, 1),
        (OTHER_COORDINATOR, 3),
    ] {
        let mut ports = Ports::new();
        ports.on_case(on_case.clone()).no_commit();
        ports.cases.expect_find().never();

        let result = pro(ports).submit_opinion(&actor(who), &sop(n), "Stable.");
        assert_eq!(
            refusal(result),
            ("not_found", "assignment-not-found".to_owned()),
            "{who} on {n}"
        );
    }
}

#[test]
fn an_opinion_is_given_only_while_doctors_are_assigned() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::Completed))
        .on_case(team())
        .known(&[COORDINATOR, DOCTOR])
        .no_commit();

    let result = pro(ports).submit_opinion(&actor(DOCTOR), &sop(2), "A late revision.");
    assert_eq!(refusal(result), refused("submit_opinion", S::Completed));
}

#[test]
fn a_blank_opinion_is_refused_before_anything_is_read() {
    let mut ports = Ports::new();
    ports.assignments.expect_assignment().never();
    ports.no_commit();

    let result = pro(ports).submit_opinion(&actor(DOCTOR), &sop(2), " \n ");
    assert_eq!(
        invalid(result),
        [(
            "opinion".to_owned(),
            "invalid-text-length(field=opinion, min=1, max=20000)".to_owned()
        )]
    );
}
