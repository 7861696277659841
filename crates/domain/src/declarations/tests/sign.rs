//! Signing a request: scope, the request, its status, the doctor's key, the signature, the signed
//! content, and the one write that makes the declaration.

use super::*;
use crate::declarations::ports::MockSignatureVerifier;
use crate::declarations::registry::PublicKey;
use crate::declarations::request::StatusReason;
use crate::declarations::sign::{SignService, signature_not_verified};
use crate::kernel::error::AuthFailure;
use crate::kernel::text::Key;

use DeclarationRequestStatus as S;

const JWS: &str = "eyJhbGciOiJFZERTQSJ9.e30.c2lnbmF0dXJl";

fn key() -> PublicKey {
    PublicKey::from_bytes(&[7; 32]).unwrap()
}

/// The request as approved: the document carries [`SEED`].
fn approved(method: AuthenticationMethod) -> DeclarationRequest {
    let mut r = request_at(method, S::Approved);
    r.seed = Some(SEED.into());
    if let Some(d) = r.data_to_be_signed.as_mut() {
        d.seed = Some(SEED.into());
    }
    r
}

/// A child's approved request under the parent declaration [`parent_id`].
fn approved_for_child() -> DeclarationRequest {
    let mut r = approved(AuthenticationMethod::Na);
    r.parent_declaration_id = Some(parent_id());
    if let Some(d) = r.data_to_be_signed.as_mut() {
        d.parent_declaration_id = Some(parent_id());
        d.person.patient_signed = None;
        d.person.process_disclosure_data_consent = None;
    }
    r
}

/// What the doctor signed over `request`: its document as stored.
fn payload(request: &DeclarationRequest) -> serde_json::Value {
    request.data_to_be_signed.as_ref().unwrap().to_json()
}

/// One mock per port signing reaches.
struct Mocks {
    ports: Ports,
    verifier: MockSignatureVerifier,
}

impl Mocks {
    fn new() -> Self {
        Self {
            ports: Ports::new(),
            verifier: MockSignatureVerifier::new(),
        }
    }

    /// The request's doctor, with `key` registered.
    fn doctor(&mut self, key: Option<PublicKey>) -> &mut Self {
        let doctor = Employee {
            public_key: key,
            ..employee(EmployeeType::Doctor, Some(Speciality::Therapist))
        };
        self.ports
            .registry
            .expect_employee()
            .withf(|id| *id == employee_id())
            .return_once(move |_| Ok(Some(doctor)));
        self
    }

    /// The JWS verifies with the doctor's key and carries `payload`.
    fn verifies(&mut self, payload: serde_json::Value) -> &mut Self {
        self.verifier
            .expect_verify_compact_jws()
            .times(1)
            .withf(|jws, k| jws == JWS && *k == key())
            .return_once(move |_, _| Ok(payload));
        self
    }

    fn chain_at(&mut self, hash: &'static str) -> &mut Self {
        self.ports
            .chain
            .expect_latest_hash()
            .return_once(move || Ok(hash.to_owned()));
        self
    }

    fn never_signs(&mut self) -> &mut Self {
        self.ports.requests.expect_sign().never();
        self
    }

    fn service(self) -> SignService {
        SignService::new(
            Arc::new(self.ports.requests),
            Arc::new(self.ports.registry),
            Arc::new(self.verifier),
            Arc::new(self.ports.chain),
            Arc::new(FixedClock(NOW)),
        )
    }
}

fn sign(mocks: Mocks) -> Result<Declaration> {
    mocks.service().sign(&caller(&["sign"]), request_id(), JWS)
}

fn mismatch() -> (&'static str, Text) {
    ("validation", Text::new(Key::SignedContentMismatch))
}

#[test]
fn sign_requires_the_sign_scope() {
    let mut mocks = Mocks::new();
    mocks.never_signs();
    mocks.ports.requests.expect_find().never();
    let result = mocks
        .service()
        .sign(&caller(&["approve"]), request_id(), JWS);
    assert!(matches!(
        result,
        Err(Error::Unauthorized(AuthFailure::Scope))
    ));
}

#[test]
fn sign_fails_when_request_is_not_found() {
    // Another legal entity's request is not found either: `find` filters by the caller's.
    let mut mocks = Mocks::new();
    mocks
        .ports
        .requests
        .expect_find()
        .return_once(|_, _| Ok(None));
    mocks.never_signs();
    assert_eq!(
        reason(sign(mocks)),
        ("not_found", Text::new(Key::DeclarationRequestNotFound))
    );
}

#[test]
fn sign_fails_when_request_is_not_approved() {
    for status in [S::New, S::Signed, S::Rejected, S::Cancelled, S::Expired] {
        let mut mocks = Mocks::new();
        mocks.ports.stored(request_at(otp(), status));
        mocks.verifier.expect_verify_compact_jws().never();
        mocks.never_signs();
        assert_eq!(
            reason(sign(mocks)),
            ("conflict", Text::new(Key::InvalidTransition)),
            "{status}"
        );
    }
}

#[test]
fn sign_fails_when_employee_has_no_public_key() {
    let mut mocks = Mocks::new();
    mocks.ports.stored(approved(otp()));
    mocks.doctor(None).never_signs();
    mocks.verifier.expect_verify_compact_jws().never();
    assert_eq!(
        reason(sign(mocks)),
        ("unprocessable", Text::new(Key::EmployeePublicKeyMissing))
    );
}

#[test]
fn sign_fails_when_signature_does_not_verify() {
    let mut mocks = Mocks::new();
    mocks.ports.stored(approved(otp()));
    mocks.doctor(Some(key())).never_signs();
    mocks
        .verifier
        .expect_verify_compact_jws()
        .return_once(|_, _| Err(signature_not_verified()));
    assert_eq!(
        reason(sign(mocks)),
        ("validation", Text::new(Key::SignatureNotVerified))
    );
}

#[test]
fn sign_fails_when_content_differs() {
    let request = approved(otp());
    let mut changed = payload(&request);
    changed["person"]["first_name"] = serde_json::json!("Oksana");
    let mut mocks = Mocks::new();
    mocks.ports.stored(request);
    mocks
        .doctor(Some(key()))
        .verifies(changed)
        .chain_at(SEED)
        .never_signs();
    let result = sign(mocks);
    assert!(matches!(&result, Err(Error::Validation(f)) if f[0].field == "content"));
    assert_eq!(reason(result), mismatch());
}

#[test]
fn sign_fails_when_the_chain_moved_since_the_approval() {
    // The signature covers the seed as it stood at approval; a block closed since then makes it
    // stale, as the reference compares with the current hash.
    let request = approved(otp());
    let signed = payload(&request);
    let mut mocks = Mocks::new();
    mocks.ports.stored(request);
    mocks
        .doctor(Some(key()))
        .verifies(signed)
        .chain_at("0badc0ffee")
        .never_signs();
    assert_eq!(reason(sign(mocks)), mismatch());
}

#[test]
fn sign_creates_an_active_declaration_and_terminates_the_parent() {
    let request = approved_for_child();
    let signed = payload(&request);
    let declaration_id = request.declaration_id;
    let mut mocks = Mocks::new();
    mocks.ports.stored(request);
    mocks.doctor(Some(key())).verifies(signed).chain_at(SEED);
    mocks
        .ports
        .requests
        .expect_sign()
        .times(1)
        .withf(move |r, from, d, parent| {
            *from == S::Approved
                && r.status == S::Signed
                && r.status_reason == Some(StatusReason::DoctorSigned)
                && r.updated_at == NOW
                && r.updated_by == actor(DOCTOR)
                && d.id == declaration_id
                && *parent == Some(parent_id())
        })
        .returning(|_, _, _, _| Ok(true));

    let declaration = sign(mocks).unwrap();
    assert_eq!(
        declaration,
        Declaration {
            id: declaration_id,
            declaration_number: "0000-ABCD-1234".into(),
            person_id: person_id(),
            employee_id: employee_id(),
            legal_entity_id: le(),
            division_id: Some(DivisionId::from_uuid(uuid(0xd1))),
            status: DeclarationStatus::Active,
            reason: None,
            start_date: time::macros::date!(2026 - 11 - 23),
            declaration_request_id: Some(request_id()),
        }
    );
}

#[test]
fn sign_without_a_parent_terminates_nothing() {
    let request = approved(otp());
    let signed = payload(&request);
    let mut mocks = Mocks::new();
    mocks.ports.stored(request);
    mocks.doctor(Some(key())).verifies(signed).chain_at(SEED);
    mocks
        .ports
        .requests
        .expect_sign()
        .times(1)
        .withf(|_, _, d, parent| d.status == DeclarationStatus::Active && parent.is_none())
        .returning(|_, _, _, _| Ok(true));
    assert!(sign(mocks).is_ok());
}

#[test]
fn sign_loses_to_a_concurrent_action() {
    let request = approved(otp());
    let signed = payload(&request);
    let mut mocks = Mocks::new();
    mocks.ports.stored(request);
    mocks.doctor(Some(key())).verifies(signed).chain_at(SEED);
    mocks
        .ports
        .requests
        .expect_sign()
        .return_once(|_, _, _, _| Ok(false));
    assert_eq!(
        reason(sign(mocks)),
        ("conflict", Text::new(Key::InvalidTransition))
    );
}
