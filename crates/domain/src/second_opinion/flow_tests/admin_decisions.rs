//! `AdminCaseService`: refusing a case in review, and confirming a case's payment by hand.

use super::admin_cases::{admin, gateway, service};
use super::*;
use crate::notifications::NotificationData;
use crate::second_opinion::case::{ActorRole, PaymentConfirmation};
use crate::second_opinion::payment::PaidBy;

use CaseStatus as S;
use NotificationKind as K;
use RecipientRole as R;

#[test]
fn rejecting_needs_a_reason_of_at_most_2000_characters_and_reads_nothing_without_one() {
    for reason in ["", "   \n ", &"x".repeat(2001)] {
        let mut ports = Ports::new();
        ports.cases.expect_find().never();
        ports.no_commit();

        let result = service(ports, gateway(0)).reject(&admin(), CASE, reason);

        assert_eq!(
            invalid(result),
            [(
                "reject_reason".to_owned(),
                "invalid-text-length(field=reject_reason, min=1, max=2000)".to_owned()
            )]
        );
    }
}

#[test]
fn rejecting_a_case_in_review_tells_the_patient_why() {
    let mut ports = Ports::new();
    ports.stored(case_at(S::Review)).commits(|c| {
        writes(c, S::Rejected)
            && c.case.reject_reason.as_deref() == Some("The scans are unreadable")
            && events(c) == [TimelineEvent::Rejected]
            && c.timeline[0].note.as_deref() == Some("The scans are unreadable")
            && c.timeline[0].from_status == Some(S::Review)
            && c.timeline[0].actor_id == admin()
            && notices(c) == [notice(K::CaseRejected, PATIENT, R::Patient, Lang::Ar)]
            && matches!(&c.notifications[0].data, NotificationData::CaseRejected(r)
                if r.reason == "The scans are unreadable")
            && c.new_assignments.is_empty()
            && c.new_payment.is_none()
    });

    let case = service(ports, gateway(0))
        .reject(&admin(), CASE, "  The scans are unreadable \n")
        .unwrap();
    assert_eq!(case.status, S::Rejected);
    assert_eq!(
        case.reject_reason.as_deref(),
        Some("The scans are unreadable")
    );
}

#[test]
fn only_a_case_in_review_can_be_rejected() {
    let mut ports = Ports::new();
    ports.stored(case_at(S::AwaitingPayment)).no_commit();

    let result = service(ports, gateway(0)).reject(&admin(), CASE, "Too late");
    assert_eq!(refusal(result), refused("reject", S::AwaitingPayment));
}

#[test]
fn confirming_a_payment_by_hand_marks_the_case_paid_by_the_admin() {
    let mut ports = Ports::new();
    ports
        .stored(case_at(S::AwaitingPayment))
        .known(&[COORDINATOR])
        .commits(|c| {
            writes(c, S::Paid)
                && c.paid
                    == Some(PaymentConfirmation {
                        payment_id: payment(PaymentStatus::Pending).id,
                        at: NOW,
                        by: PaidBy::Admin(admin()),
                    })
                && events(c) == [TimelineEvent::PaymentReceived]
                && c.timeline[0].actor_id == admin()
                && c.timeline[0].actor_role == ActorRole::Admin
                && notices(c)
                    == [
                        notice(K::PaymentReceived, PATIENT, R::Patient, Lang::Ar),
                        notice(K::PaymentReceived, COORDINATOR, R::Coordinator, Lang::En),
                    ]
                && c.new_payment.is_none()
        });
    ports
        .payments
        .expect_payment_for_case()
        .returning(|_| Ok(Some(payment(PaymentStatus::Pending))));

    let case = service(ports, gateway(0))
        .confirm_payment(&admin(), CASE)
        .unwrap();
    assert_eq!((case.status, case.version), (S::Paid, 5));
}

#[test]
fn confirming_a_paid_payment_again_changes_nothing() {
    let mut ports = Ports::new();
    ports.stored(case_at(S::Paid)).no_commit();
    ports
        .payments
        .expect_payment_for_case()
        .returning(|_| Ok(Some(payment(PaymentStatus::Paid))));

    let case = service(ports, gateway(0))
        .confirm_payment(&admin(), CASE)
        .unwrap();
    assert_eq!(case, case_at(S::Paid));
}

#[test]
fn confirming_a_payment_of_a_case_without_one_names_its_status() {
    let mut ports = Ports::new();
    ports.stored(case_at(S::Review)).no_commit();
    ports
        .payments
        .expect_payment_for_case()
        .returning(|_| Ok(None));

    let result = service(ports, gateway(0)).confirm_payment(&admin(), CASE);
    assert_eq!(refusal(result), refused("confirm_payment", S::Review));
}
