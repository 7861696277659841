//! Expiring requests nobody signed.

use std::time::Duration;

use super::*;
use crate::declarations::expiry::{ExpiryService, RequestTtl, expire, is_due};
use crate::declarations::request::StatusReason;

use DeclarationRequestStatus as S;

const DAY: Duration = Duration::from_secs(24 * 3600);

#[test]
fn a_request_expires_once_older_than_the_ttl_unless_signed_or_expired() {
    let ttl = RequestTtl::default();
    assert_eq!(ttl.as_duration(), DAY);
    let at_ttl = CREATED + DAY;
    let after = at_ttl + Duration::from_micros(1);
    for &status in <S as strum::VariantArray>::VARIANTS {
        let r = request_at(otp(), status);
        let expires = !matches!(status, S::Signed | S::Expired);
        assert!(!is_due(&r, at_ttl, ttl), "{status} at the TTL");
        assert_eq!(is_due(&r, after, ttl), expires, "{status} after the TTL");
    }
    assert!(is_due(
        &request(otp()),
        CREATED + Duration::from_secs(3601),
        RequestTtl::hours(1)
    ));
}

#[test]
fn expiring_wipes_the_personal_data() {
    let now = CREATED + DAY + Duration::from_secs(1);
    let system = ActorId::system();
    let mut r = request(otp());
    r.documents = vec![super::super::request::DocumentType::new("PASSPORT")];

    let expired = expire(&r, now, RequestTtl::default(), &system).unwrap();
    assert_eq!(expired.status, S::Expired);
    assert_eq!(expired.status_reason, Some(StatusReason::AutoExpired));
    assert_eq!(expired.data_to_be_signed, None);
    assert_eq!(expired.authentication_method_current, None);
    assert_eq!(expired.printout_content, None);
    assert!(expired.documents.is_empty());
    assert_eq!((expired.updated_at, &expired.updated_by), (now, &system));
    // What is not personal stays, for the record.
    assert_eq!(
        (
            expired.id,
            expired.person_id,
            &expired.declaration_number,
            expired.inserted_at
        ),
        (r.id, r.person_id, &r.declaration_number, r.inserted_at)
    );
    assert_eq!(
        expire(&r, CREATED + DAY, RequestTtl::default(), &system),
        None
    );
}

#[test]
fn the_scheduler_expires_every_due_request_it_is_given() {
    let now = CREATED + DAY + Duration::from_secs(60);
    let mut ports = Ports::new();
    let due = vec![request_at(otp(), S::New), request_at(otp(), S::Approved)];
    ports
        .requests
        .expect_expirable()
        .times(1)
        .withf(move |before, limit| *before == now - DAY && *limit == 500)
        .return_once(move |_, _| Ok(due));
    // The second was moved by another instance first.
    let mut n = 0;
    ports
        .requests
        .expect_save_transition()
        .times(2)
        .withf(|r, from| r.status == S::Expired && matches!(from, S::New | S::Approved))
        .returning(move |_, _| {
            n += 1;
            Ok(n == 1)
        });

    let service = ExpiryService::new(
        Arc::new(ports.requests),
        Arc::new(FixedClock(now)),
        RequestTtl::default(),
    );
    assert_eq!(service.run().unwrap(), 1);
}
