//! `PatientFlowService`: what the patient's case shows (the payment due, documents asked for, the
//! coordinator and the review window), answering a request, and the final report.

use time::Duration;

use super::*;
use crate::kernel::blob::BlobKey;
use crate::notifications::NotificationData;
use crate::second_opinion::case::{ActorRole, MedicalDocument, ReportKeys};
use crate::second_opinion::{PatientFlowService, ReviewWindow};

use CaseStatus as S;
use NotificationKind as K;
use RecipientRole as R;

fn patient() -> ActorId {
    actor(PATIENT)
}

fn service(ports: Ports) -> PatientFlowService {
    PatientFlowService::new(ports.flow())
}

fn doc(i: usize) -> MedicalDocument {
    MedicalDocument {
        url: format!("https://files.example.org/{i}.pdf"),
        key: format!("docs/{i}.pdf"),
        name: format!("Document {i}.pdf"),
    }
}

/// `find_for_user` answers `case` to its patient only; `find` answers it too.
fn owned(ports: &mut Ports, case: ReviewCase) {
    let mine = case.clone();
    ports
        .cases
        .expect_find_for_user()
        .withf(|user, id| user.as_str() == PATIENT && *id == case_id())
        .returning(move |_, _| Ok(Some(mine.clone())));
    ports
        .cases
        .expect_find_for_user()
        .returning(|_, _| Ok(None));
    ports.stored(case);
}

/// `doctor`'s assignment `n` with `documents` asked for at [`ASSIGNED`].
fn asking(n: u128, doctor: &str, coordinator: bool, documents: &[&str]) -> Assignment {
    Assignment {
        requested_documents: documents.iter().map(|&d| d.to_owned()).collect(),
        requested_date: Some(ASSIGNED),
        ..assignment(n, doctor, coordinator)
    }
}

#[test]
fn the_payment_shows_while_the_case_awaits_it() {
    let mut ports = Ports::new();
    ports.on_case(vec![assignment(1, COORDINATOR, true)]);
    ports
        .payments
        .expect_payment_for_case()
        .times(1)
        .returning(|_| Ok(Some(payment(PaymentStatus::Pending))));
    ports.providers.expect_find_provider().never();

    let progress = service(ports)
        .progress(&case_at(S::AwaitingPayment))
        .unwrap();

    assert_eq!(progress.payment_due, Some(payment(PaymentStatus::Pending)));
    assert!(progress.requests.is_empty());
    assert_eq!((progress.coordinator, progress.review_window), (None, None));
}

#[test]
fn no_payment_shows_once_it_is_paid() {
    // Paid by a webhook that the case has not caught up with yet.
    let mut ports = Ports::new();
    ports.on_case(Vec::new());
    ports
        .payments
        .expect_payment_for_case()
        .returning(|_| Ok(Some(payment(PaymentStatus::Paid))));
    let progress = service(ports)
        .progress(&case_at(S::AwaitingPayment))
        .unwrap();
    assert_eq!(progress.payment_due, None);

    // A paid case: the payment is not even read.
    let mut ports = Ports::new();
    ports.on_case(Vec::new());
    ports.payments.expect_payment_for_case().never();
    let progress = service(ports).progress(&case_at(S::Paid)).unwrap();
    assert_eq!(progress.payment_due, None);
}

#[test]
fn only_outstanding_requests_show_with_who_asked() {
    let answered = Assignment {
        answered_date: Some(ASSIGNED + Duration::hours(1)),
        ..asking(2, DOCTOR, false, &["Holter report"])
    };
    let asked_again = Assignment {
        answered_date: Some(ASSIGNED - Duration::hours(1)),
        ..asking(3, DOCTOR_2, false, &["Lipid panel"])
    };
    let replaced = Assignment {
        active: false,
        ..asking(4, OTHER_COORDINATOR, true, &["Old scans"])
    };
    let mut ports = Ports::new();
    ports
        .on_case(vec![
            replaced,
            asking(1, COORDINATOR, true, &["Latest ECG"]),
            answered,
            asked_again.clone(),
            assignment(5, "EMP5", false),
        ])
        .known(&[COORDINATOR, DOCTOR_2]);

    let progress = service(ports).progress(&case_at(S::Paid)).unwrap();

    let requests: Vec<(SopId, Vec<String>, ActorId)> = progress
        .requests
        .into_iter()
        .map(|r| {
            (
                r.assignment.id,
                r.assignment.requested_documents,
                r.doctor.id,
            )
        })
        .collect();
    assert_eq!(
        requests,
        [
            (sop_id(1), vec!["Latest ECG".to_owned()], actor(COORDINATOR)),
            (sop_id(3), vec!["Lipid panel".to_owned()], actor(DOCTOR_2)),
        ]
    );
}

#[test]
fn once_doctors_are_assigned_the_coordinator_and_the_review_window_show() {
    let mut ports = Ports::new();
    ports
        .on_case(vec![
            assignment(1, COORDINATOR, true),
            assignment(2, DOCTOR, false),
        ])
        .known(&[COORDINATOR]);
    ports.payments.expect_payment_for_case().never();

    let progress = service(ports)
        .progress(&case_at(S::DoctorsAssigned))
        .unwrap();

    assert_eq!(progress.coordinator, Some(provider(COORDINATOR)));
    // The review type takes 8 to 12 days from the first assignment (2026-11-21 09:30).
    assert_eq!(
        progress.review_window,
        Some(ReviewWindow {
            from: time::macros::datetime!(2026-11-29 09:30 UTC),
            to: time::macros::datetime!(2026-12-03 09:30 UTC),
        })
    );
}

#[test]
fn before_doctors_are_assigned_neither_coordinator_nor_window_shows() {
    let mut ports = Ports::new();
    ports.on_case(vec![assignment(1, COORDINATOR, true)]);
    ports.providers.expect_find_provider().never();

    let progress = service(ports).progress(&case_at(S::Paid)).unwrap();
    assert_eq!((progress.coordinator, progress.review_window), (None, None));
}

/// The case with two documents, doctors assigned, `EMP2` asking for a Holter report (2).
fn asked_for_documents(ports: &mut Ports, documents: usize) {
    owned(
        ports,
        ReviewCase {
            medical_documents: (0..documents).map(doc).collect(),
            ..case_at(S::DoctorsAssigned)
        },
    );
    ports
        .on_case(vec![
            assignment(1, COORDINATOR, true),
            asking(2, DOCTOR, false, &["Holter report"]),
        ])
        .known(&[COORDINATOR, DOCTOR]);
}

#[test]
fn answering_a_request_adds_the_documents_and_tells_who_asked() {
    let mut ports = Ports::new();
    asked_for_documents(&mut ports, 2);
    ports.commits(|c| {
        let expected_docs: Vec<MedicalDocument> = (0..4).map(doc).collect();
        writes(c, S::DoctorsAssigned)
            && c.case.medical_documents == expected_docs
            && c.changed_assignments
                == [Assignment {
                    answered_date: Some(NOW),
                    ..asking(2, DOCTOR, false, &["Holter report"])
                }]
            && events(c) == [TimelineEvent::DocumentsProvided]
            && c.timeline[0].actor_id == patient()
            && c.timeline[0].actor_role == ActorRole::Patient
            && c.timeline[0].note.as_deref() == Some("2")
            && notices(c) == [notice(K::DocumentsProvided, DOCTOR, R::Doctor, Lang::Ar)]
            && matches!(&c.notifications[0].data, NotificationData::DocumentsProvided(d)
                if d.doctor == names(DOCTOR) && d.case.case_id == case_id())
    });

    let sent = vec![
        MedicalDocument {
            url: format!("  {}  ", doc(2).url),
            ..doc(2)
        },
        doc(3),
    ];
    let case = service(ports)
        .answer_request(&patient(), CASE, &sop(2), sent)
        .unwrap();
    assert_eq!(case.medical_documents.len(), 4);
}

#[test]
fn answering_the_coordinators_request_tells_the_coordinator() {
    let mut ports = Ports::new();
    owned(&mut ports, case_at(S::AwaitingPayment));
    ports
        .on_case(vec![asking(1, COORDINATOR, true, &["Latest ECG"])])
        .known(&[COORDINATOR])
        .commits(|c| {
            writes(c, S::AwaitingPayment)
                && notices(c)
                    == [notice(
                        K::DocumentsProvided,
                        COORDINATOR,
                        R::Coordinator,
                        Lang::En,
                    )]
        });

    service(ports)
        .answer_request(&patient(), CASE, &sop(1), vec![doc(0)])
        .unwrap();
}

#[test]
fn a_case_holds_at_most_50_documents() {
    let mut ports = Ports::new();
    asked_for_documents(&mut ports, 49);
    ports.no_commit();
    let result = service(ports).answer_request(&patient(), CASE, &sop(2), vec![doc(49), doc(50)]);
    assert_eq!(
        invalid(result),
        [(
            "med_docs".to_owned(),
            "invalid-documents-total(max=50, has=49, sent=2)".to_owned()
        )]
    );

    let mut ports = Ports::new();
    asked_for_documents(&mut ports, 48);
    ports.commits(|c| c.case.medical_documents.len() == 50);
    service(ports)
        .answer_request(&patient(), CASE, &sop(2), vec![doc(48), doc(49)])
        .unwrap();
}

#[test]
fn only_an_outstanding_request_of_the_case_can_be_answered() {
    let answered = Assignment {
        answered_date: Some(ASSIGNED + Duration::hours(1)),
        ..asking(2, DOCTOR, false, &["Holter report"])
    };
    let elsewhere = Assignment {
        case_id: CaseId::from_uuid(testing::uuid(0xca5f)),
        ..asking(3, DOCTOR_2, false, &["Lipid panel"])
    };
    // Unknown; already answered; of another case; nothing asked (the coordinator's).
    for n in [9, 2, 3, 1] {
        let mut ports = Ports::new();
        owned(&mut ports, case_at(S::DoctorsAssigned));
        ports
            .on_case(vec![
                assignment(1, COORDINATOR, true),
                answered.clone(),
                elsewhere.clone(),
            ])
            .no_commit();

        let result = service(ports).answer_request(&patient(), CASE, &sop(n), vec![doc(0)]);
        assert_eq!(
            refusal(result),
            ("not_found", "request-not-found".to_owned()),
            "assignment {n}"
        );
    }
}

#[test]
fn another_users_case_is_not_found() {
    let mut ports = Ports::new();
    owned(&mut ports, case_at(S::DoctorsAssigned));
    ports.assignments.expect_assignment().never();
    ports.no_commit();
    let patients = service(ports);
    let stranger = actor("patient-2");

    let not_found = ("not_found", "case-not-found".to_owned());
    assert_eq!(
        refusal(patients.answer_request(&stranger, CASE, &sop(2), vec![doc(0)])),
        not_found
    );
    assert_eq!(
        refusal(patients.report(&stranger, CASE, Lang::En)),
        not_found
    );
}

#[test]
fn an_answer_needs_at_least_one_document_and_reads_nothing_without() {
    let mut ports = Ports::new();
    ports.cases.expect_find_for_user().never();
    ports.no_commit();

    let result = service(ports).answer_request(&patient(), CASE, &sop(2), Vec::new());
    assert_eq!(
        invalid(result),
        [(
            "med_docs".to_owned(),
            "invalid-min-items(field=med_docs)".to_owned()
        )]
    );
}

#[test]
fn requests_cannot_be_answered_once_the_case_is_completed() {
    let mut ports = Ports::new();
    owned(&mut ports, case_at(S::Completed));
    ports
        .on_case(vec![asking(2, DOCTOR, false, &["Holter report"])])
        .no_commit();

    let result = service(ports).answer_request(&patient(), CASE, &sop(2), vec![doc(0)]);
    assert_eq!(refusal(result), refused("answer_documents", S::Completed));
}

fn report_key(lang: &str) -> BlobKey {
    BlobKey::parse(&format!("reports/{CASE}/second-opinion-{lang}.pdf")).unwrap()
}

#[test]
fn the_report_of_a_completed_case_is_in_the_language_asked() {
    let mut ports = Ports::new();
    owned(
        &mut ports,
        ReviewCase {
            report: Some(ReportKeys {
                en: report_key("en"),
                ar: report_key("ar"),
            }),
            ..case_at(S::Completed)
        },
    );
    let patients = service(ports);

    assert_eq!(
        patients.report(&patient(), CASE, Lang::En).unwrap(),
        report_key("en")
    );
    assert_eq!(
        patients.report(&patient(), CASE, Lang::Ar).unwrap(),
        report_key("ar")
    );
}

#[test]
fn the_report_of_a_case_not_completed_is_not_ready_naming_its_status() {
    for status in [S::Paid, S::DoctorsAssigned] {
        let mut ports = Ports::new();
        owned(&mut ports, case_at(status));

        let result = service(ports).report(&patient(), CASE, Lang::Ar);
        assert_eq!(
            refusal(result),
            (
                "conflict",
                format!("report-not-ready(status=case-status-name(value={status}))")
            )
        );
    }
}
