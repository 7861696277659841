//! `AdminCaseService`: assigning and changing a case's coordinator (which asks the patient to pay).
//! (Refusing a case and confirming its payment by hand are in `admin_decisions`.)

use std::sync::Arc;

use super::*;
use crate::notifications::NotificationData;
use crate::second_opinion::AdminCaseService;
use crate::second_opinion::case::ActorRole;
use crate::second_opinion::payment::MockPaymentGateway;

use CaseStatus as S;
use NotificationKind as K;
use RecipientRole as R;

pub(super) fn admin() -> ActorId {
    actor(ADMIN)
}

/// A gateway whose checkout page is [`CHECKOUT`] followed by the payment's id, asked `times`.
pub(super) fn gateway(times: usize) -> MockPaymentGateway {
    let mut gateway = MockPaymentGateway::new();
    gateway
        .expect_checkout_url()
        .times(times)
        .returning(|id| format!("{CHECKOUT}{id}"));
    gateway.expect_read_webhook().never();
    gateway
}

pub(super) fn service(ports: Ports, gateway: MockPaymentGateway) -> AdminCaseService {
    AdminCaseService::new(ports.flow(), Arc::new(gateway))
}

/// The first coordinator's commit: everything but the documents asked for.
fn assigns_first_coordinator(c: &CaseCommit) -> bool {
    let Some(payment) = &c.new_payment else {
        return false;
    };
    let asks_to_pay = matches!(
        &c.notifications[..],
        [_, n, ..] if matches!(&n.data, NotificationData::PaymentRequested(p)
            if p.url == payment.url
                && p.amount == "900"
                && p.currency == "USD"
                && p.case.case_id == case_id()
                && p.case.review_type.as_ref().is_some_and(|rt| rt.en == "Standard Review"))
    );
    writes(c, S::AwaitingPayment)
        && c.case.case_coordinator_id == Some(actor(COORDINATOR))
        && c.new_assignments.len() == 1
        && c.new_assignments[0].doctor_id == actor(COORDINATOR)
        && c.new_assignments[0].is_coordinator
        && c.new_assignments[0].active
        && c.new_assignments[0].created_date == NOW
        && c.changed_assignments.is_empty()
        && payment.case_id == case_id()
        && payment.amount == usd(90_000)
        && payment.status == PaymentStatus::Pending
        && payment.url == format!("{CHECKOUT}{}", payment.id)
        && payment.paid_by.is_none()
        && c.paid.is_none()
        && events(c)[..2]
            == [
                TimelineEvent::CoordinatorAssigned,
                TimelineEvent::AwaitingPayment,
            ]
        // Documents asked for with the assignment are a request of the coordinator's.
        && events(c)[2..]
            == *if c.new_assignments[0].requested_documents.is_empty() {
                &[][..]
            } else {
                &[TimelineEvent::DocumentsRequested][..]
            }
        && c.timeline
            .iter()
            .all(|e| e.actor_id == admin() && e.actor_role == ActorRole::Admin)
        && c.timeline[0].note.as_deref() == Some(COORDINATOR)
        && c.timeline[1].from_status == Some(S::Review)
        && c.timeline[1].to_status == Some(S::AwaitingPayment)
        && c.notifications.len() >= 2
        && notices(c)[..2]
            == [
                notice(
                    K::CoordinatorAssigned,
                    COORDINATOR,
                    R::Coordinator,
                    Lang::En,
                ),
                notice(K::PaymentRequested, PATIENT, R::Patient, Lang::Ar),
            ]
        && asks_to_pay
}

#[test]
fn assigning_the_first_coordinator_asks_the_patient_to_pay_the_review_types_price() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::Review))
        .eligible(Eligibility::Coordinator, &[COORDINATOR, OTHER_COORDINATOR])
        .commits(|c| assigns_first_coordinator(c) && c.notifications.len() == 2);
    ports
        .payments
        .expect_payment_for_case()
        .returning(|_| Ok(None));

    let out = service(ports, gateway(1))
        .assign_coordinator(&admin(), CASE, COORDINATOR, None)
        .unwrap();

    assert_eq!(out.case.status, S::AwaitingPayment);
    assert_eq!(out.case.case_coordinator_id, Some(actor(COORDINATOR)));
    assert_eq!(out.assignment.doctor_id, actor(COORDINATOR));
    assert!(out.assignment.requested_documents.is_empty());
    assert_eq!(out.payment.amount, usd(90_000));
    assert_eq!(out.payment.url, format!("{CHECKOUT}{}", out.payment.id));
}

#[test]
fn documents_asked_with_the_first_coordinator_are_requested_from_the_patient() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::Review))
        .eligible(Eligibility::Coordinator, &[COORDINATOR])
        .commits(|c| {
            assigns_first_coordinator(c)
                && c.new_assignments[0].requested_documents
                    == ["Latest ECG", "Echocardiogram report"]
                && c.new_assignments[0].requested_date == Some(NOW)
                && notices(c)[2..] == [notice(K::DocumentsRequested, PATIENT, R::Patient, Lang::Ar)]
                && matches!(&c.notifications[2].data, NotificationData::DocumentsRequested(d)
                    if d.documents == ["Latest ECG", "Echocardiogram report"]
                        && d.doctor == names(COORDINATOR))
        });
    ports
        .payments
        .expect_payment_for_case()
        .returning(|_| Ok(None));

    let asked = vec![
        " Latest ECG ".to_owned(),
        "Echocardiogram report".to_owned(),
    ];
    let out = service(ports, gateway(1))
        .assign_coordinator(&admin(), CASE, COORDINATOR, Some(asked))
        .unwrap();
    assert_eq!(
        out.assignment.requested_documents,
        ["Latest ECG", "Echocardiogram report"]
    );
}

#[test]
fn a_provider_not_eligible_or_inactive_is_422_naming_them_and_nothing_is_committed() {
    // `eligible` lists active providers only: an inactive coordinator of the category is not there.
    for (doctor, named) in [("EMP9", "EMP9"), ("  EMP5 ", "EMP5")] {
        let mut ports = Ports::new();
        ports
            .stored(case_at(S::Review))
            .eligible(Eligibility::Coordinator, &[COORDINATOR, OTHER_COORDINATOR])
            .no_commit();
        ports.payments.expect_payment_for_case().never();

        let result = service(ports, gateway(0)).assign_coordinator(&admin(), CASE, doctor, None);

        assert_eq!(
            refusal(result),
            (
                "unprocessable",
                format!("not-eligible-coordinator(doctor={named})")
            )
        );
    }
}

#[test]
fn a_blank_coordinator_id_is_422_and_nothing_is_committed() {
    let mut ports = Ports::new();
    ports.stored(case_at(S::Review)).no_commit();
    ports.providers.expect_eligible().never();

    let result = service(ports, gateway(0)).assign_coordinator(&admin(), CASE, "  ", None);
    assert_eq!(refusal(result).0, "unprocessable");
}

#[test]
fn an_unknown_case_is_404_and_a_malformed_id_400() {
    let mut ports = Ports::new();
    ports.cases.expect_find().times(1).returning(|_| Ok(None));
    ports.no_commit();
    let admins = service(ports, gateway(0));

    assert_eq!(
        refusal(admins.assign_coordinator(&admin(), CASE, COORDINATOR, None)),
        ("not_found", "case-not-found".to_owned())
    );
    assert_eq!(
        invalid(admins.assign_coordinator(&admin(), "nope", COORDINATOR, None)),
        [(
            "case_id".to_owned(),
            "invalid-uuid(field=case_id)".to_owned()
        )]
    );
}

/// A case awaiting payment, coordinated by `EMP1` with assignment 1, and its pending payment.
fn awaiting_payment(ports: &mut Ports) {
    ports
        .stored(case_at(S::AwaitingPayment))
        .on_case(vec![assignment(1, COORDINATOR, true)])
        .known(&[COORDINATOR, OTHER_COORDINATOR])
        .eligible(Eligibility::Coordinator, &[COORDINATOR, OTHER_COORDINATOR]);
    ports
        .payments
        .expect_payment_for_case()
        .returning(|_| Ok(Some(payment(PaymentStatus::Pending))));
}

#[test]
fn changing_the_coordinator_before_payment_keeps_the_payment_and_tells_the_old_one() {
    let mut ports = Ports::new();
    awaiting_payment(&mut ports);
    ports.commits(|c| {
        writes(c, S::AwaitingPayment)
            && c.case.case_coordinator_id == Some(actor(OTHER_COORDINATOR))
            && c.new_assignments.len() == 1
            && c.new_assignments[0].doctor_id == actor(OTHER_COORDINATOR)
            && c.new_assignments[0].is_coordinator
            && c.new_assignments[0].active
            && c.changed_assignments
                == [Assignment {
                    active: false,
                    ..assignment(1, COORDINATOR, true)
                }]
            && c.new_payment.is_none()
            && c.paid.is_none()
            && events(c) == [TimelineEvent::CoordinatorChanged]
            && c.timeline[0].note.as_deref() == Some(OTHER_COORDINATOR)
            && c.timeline[0].actor_role == ActorRole::Admin
            && notices(c)
                == [
                    notice(
                        K::CoordinatorAssigned,
                        OTHER_COORDINATOR,
                        R::Coordinator,
                        Lang::Ar,
                    ),
                    notice(
                        K::CoordinatorReplaced,
                        COORDINATOR,
                        R::Coordinator,
                        Lang::En,
                    ),
                ]
    });

    let out = service(ports, gateway(0))
        .assign_coordinator(&admin(), CASE, OTHER_COORDINATOR, None)
        .unwrap();

    assert_eq!(out.payment, payment(PaymentStatus::Pending));
    assert_eq!(out.case.case_coordinator_id, Some(actor(OTHER_COORDINATOR)));
    assert_eq!(out.assignment.doctor_id, actor(OTHER_COORDINATOR));
}

#[test]
fn assigning_the_same_coordinator_again_commits_nothing() {
    let mut ports = Ports::new();
    awaiting_payment(&mut ports);
    ports.no_commit();

    let out = service(ports, gateway(0))
        .assign_coordinator(&admin(), CASE, COORDINATOR, None)
        .unwrap();

    assert_eq!(out.case, case_at(S::AwaitingPayment));
    assert_eq!(out.assignment, assignment(1, COORDINATOR, true));
    assert_eq!(out.payment, payment(PaymentStatus::Pending));
}

/// BUG: a new coordinator assigned with documents to ask for, while the case awaits payment, gets
/// the request on their assignment, but the patient is never told (assigning the first
/// coordinator, assigning a doctor and `request_documents` all notify `DocumentsRequested`).
/// `AdminCaseService::change_coordinator` builds no `DocumentsRequested` notification.
#[test]
fn documents_asked_with_a_new_coordinator_are_requested_from_the_patient() {
    let mut ports = Ports::new();
    awaiting_payment(&mut ports);
    ports.commits(|c| {
        c.new_assignments
            .first()
            .is_some_and(|a| a.requested_documents == ["Latest ECG"])
            && notices(c).contains(&notice(
                K::DocumentsRequested,
                PATIENT,
                R::Patient,
                Lang::Ar,
            ))
    });

    service(ports, gateway(0))
        .assign_coordinator(
            &admin(),
            CASE,
            OTHER_COORDINATOR,
            Some(vec!["Latest ECG".into()]),
        )
        .unwrap();
}

#[test]
fn a_coordinator_cannot_be_assigned_once_the_case_is_paid_or_out_of_review() {
    for status in [
        S::Paid,
        S::DoctorsAssigned,
        S::Completed,
        S::Rejected,
        S::Draft,
    ] {
        let mut ports = Ports::new();
        ports
            .stored(case_at(status))
            .eligible(Eligibility::Coordinator, &[COORDINATOR, OTHER_COORDINATOR])
            .no_commit();
        ports.payments.expect_payment_for_case().never();

        let result =
            service(ports, gateway(0)).assign_coordinator(&admin(), CASE, OTHER_COORDINATOR, None);

        assert_eq!(
            refusal(result),
            refused("assign_coordinator", status),
            "{status}"
        );
    }
}

#[test]
fn a_lost_race_is_retried_on_a_fresh_read() {
    let mut ports = Ports::new();
    // Read to resolve the id, then by the first attempt; the second attempt reads version 5.
    ports
        .cases
        .expect_find()
        .times(2)
        .returning(|_| Ok(Some(case_at(S::Review))));
    ports.cases.expect_find().times(1).returning(|_| {
        Ok(Some(ReviewCase {
            version: 5,
            is_notified: true,
            ..case_at(S::Review)
        }))
    });
    ports
        .cases
        .expect_commit()
        .withf(|c| c.expected_version == 4)
        .times(1)
        .returning(|_| Err(case_changed()));
    ports
        .cases
        .expect_commit()
        .withf(|c| {
            c.expected_version == 5
                && c.case.version == 6
                && c.case.is_notified
                && c.case.status == S::AwaitingPayment
                && c.new_payment.is_some()
        })
        .times(1)
        .returning(|_| Ok(()));
    ports
        .eligible(Eligibility::Coordinator, &[COORDINATOR])
        .payments
        .expect_payment_for_case()
        .times(2)
        .returning(|_| Ok(None));

    let out = service(ports, gateway(2))
        .assign_coordinator(&admin(), CASE, COORDINATOR, None)
        .unwrap();
    assert_eq!(out.case.version, 6);
}

#[test]
fn a_race_lost_to_the_same_assignment_answers_what_the_winner_did() {
    let mut ports = Ports::new();
    ports
        .cases
        .expect_find()
        .times(2)
        .returning(|_| Ok(Some(case_at(S::Review))));
    ports.cases.expect_find().returning(|_| {
        Ok(Some(ReviewCase {
            version: 5,
            ..case_at(S::AwaitingPayment)
        }))
    });
    ports
        .cases
        .expect_commit()
        .times(1)
        .returning(|_| Err(case_changed()));
    ports
        .on_case(vec![assignment(1, COORDINATOR, true)])
        .eligible(Eligibility::Coordinator, &[COORDINATOR]);
    ports
        .payments
        .expect_payment_for_case()
        .times(1)
        .returning(|_| Ok(None));
    ports
        .payments
        .expect_payment_for_case()
        .returning(|_| Ok(Some(payment(PaymentStatus::Pending))));

    let out = service(ports, gateway(1))
        .assign_coordinator(&admin(), CASE, COORDINATOR, None)
        .unwrap();

    assert_eq!(out.case.version, 5);
    assert_eq!(out.payment, payment(PaymentStatus::Pending));
}

#[test]
fn three_lost_races_are_a_conflict() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::Review))
        .eligible(Eligibility::Coordinator, &[COORDINATOR]);
    ports
        .cases
        .expect_commit()
        .times(3)
        .returning(|_| Err(case_changed()));
    ports
        .payments
        .expect_payment_for_case()
        .returning(|_| Ok(None));

    let result = service(ports, gateway(3)).assign_coordinator(&admin(), CASE, COORDINATOR, None);
    assert_eq!(refusal(result), ("conflict", "case-changed".to_owned()));
}
