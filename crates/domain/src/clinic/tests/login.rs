//! Signing in: the token and what it says, one refusal for every wrong credential, the limit on
//! failures, the services a token may be asked for.

use std::sync::Arc;
use std::time::Duration;

use super::{admin, clock, doctor};
use crate::clinic::login::{DEFAULT_SESSION_TTL, LoginPorts, LoginRequest, LoginService};
use crate::clinic::password::{MockPasswordHasher, Password};
use crate::clinic::staff::{MockStaffRepository, StaffAccount};
use crate::clinic::throttle::MockLoginThrottle;
use crate::identity::{Audience, AuthService, MockRevocationRepository, MockTokenCodec};
use crate::kernel::error::AuthFailure;
use crate::testing::{NOW, SequentialIds};
use crate::{Error, Result};

const HASH: &str = "$argon2id$stored";

/// The service, with `staff` knowing `known` (its password is `right password`) and a codec that
/// checks each token's claims with `claims_ok`.
fn service(
    known: Option<StaffAccount>,
    throttle: MockLoginThrottle,
    claims_ok: fn(&crate::identity::Claims) -> bool,
) -> LoginService {
    let mut staff = MockStaffRepository::new();
    staff.expect_find_by_username_key().returning(move |key| {
        Ok(known
            .clone()
            .filter(|a| a.username.key() == key)
            .map(|a| (a, HASH.to_owned())))
    });
    staff
        .expect_record_token()
        .withf(|_, token, at| token.expires_at == NOW.unix_timestamp() + 12 * 3600 && *at == NOW)
        .returning(|_, _, _| Ok(()));
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_verify()
        .times(1)
        .returning(|password, hash| Ok(hash == HASH && password.expose() == "right password"));
    hasher
        .expect_hash()
        .returning(|_| Ok("$argon2id$dummy".to_owned()));
    let mut codec = MockTokenCodec::new();
    codec
        .expect_seal()
        .withf(claims_ok)
        .returning(|_| Ok("sealed".to_owned()));
    let auth = AuthService::new(
        Arc::new(codec),
        Arc::new(MockRevocationRepository::new()),
        clock(),
        Arc::new(SequentialIds::default()),
    );
    LoginService::new(
        LoginPorts {
            staff: Arc::new(staff),
            hasher: Arc::new(hasher),
            throttle: Arc::new(throttle),
            auth,
            clock: clock(),
        },
        DEFAULT_SESSION_TTL,
    )
}

fn open_throttle() -> MockLoginThrottle {
    let mut throttle = MockLoginThrottle::new();
    throttle.expect_blocked().returning(|_, _| None);
    throttle
}

fn request(username: &str, password: &str, audience: Option<Audience>) -> LoginRequest {
    LoginRequest {
        username: username.to_owned(),
        password: Password::given(password),
        audience,
        client_addr: Some("10.0.0.1".to_owned()),
    }
}

fn token(result: Result<crate::clinic::LoggedIn>) -> Result<String> {
    result.map(|l| l.token)
}

#[test]
fn the_right_password_gets_a_clinic_token_with_the_accounts_roles() {
    let mut throttle = open_throttle();
    throttle
        .expect_succeeded()
        .withf(|key| key == "doctor")
        .times(1)
        .return_const(());
    let service = service(Some(doctor()), throttle, |c| {
        c.aud == "clinic" && c.sub == doctor().id.to_string() && c.roles == ["doctor"]
    });
    let logged_in = service.login(&request(" Doctor ", "right password", None));
    let logged_in = logged_in.unwrap();
    assert_eq!(logged_in.token, "sealed");
    assert_eq!(logged_in.account, doctor());
}

#[test]
fn unknown_user_wrong_password_and_inactive_account_read_the_same() {
    let mut inactive = doctor();
    inactive.is_active = false;
    let cases = [
        (Some(doctor()), "nobody", "right password"),
        (Some(doctor()), "doctor", "wrong password"),
        (Some(inactive), "doctor", "right password"),
    ];
    for (known, username, password) in cases {
        let mut throttle = open_throttle();
        throttle
            .expect_failed()
            .withf(|_, addr| addr.as_deref() == Some("10.0.0.1"))
            .times(1)
            .return_const(());
        throttle.expect_succeeded().never();
        // Every case checks one password against one hash (a dummy one for an unknown user).
        let service = service(known, throttle, |_| true);
        let refused = token(service.login(&request(username, password, None)));
        assert!(
            matches!(refused, Err(Error::Unauthorized(AuthFailure::Credentials))),
            "{username}/{password}: {refused:?}"
        );
    }
}

#[test]
fn too_many_failures_are_429_before_the_password_is_checked() {
    let mut throttle = MockLoginThrottle::new();
    throttle
        .expect_blocked()
        .withf(|key, addr| key == "doctor" && addr.as_deref() == Some("10.0.0.1"))
        .returning(|_, _| Some(42));
    let mut staff = MockStaffRepository::new();
    staff.expect_find_by_username_key().never();
    let auth = AuthService::new(
        Arc::new(MockTokenCodec::new()),
        Arc::new(MockRevocationRepository::new()),
        clock(),
        Arc::new(SequentialIds::default()),
    );
    let service = LoginService::new(
        LoginPorts {
            staff: Arc::new(staff),
            hasher: Arc::new(MockPasswordHasher::new()),
            throttle: Arc::new(throttle),
            auth,
            clock: clock(),
        },
        Duration::from_secs(60),
    );
    match service.login(&request("doctor", "right password", None)) {
        Err(Error::TooManyRequests { retry_after, text }) => {
            assert_eq!(retry_after, 42);
            assert_eq!(text.to_string(), "login-throttled(n=42)");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_services_by_what_the_account_is() {
    let succeeded = || {
        let mut throttle = open_throttle();
        throttle.expect_succeeded().return_const(());
        throttle
    };
    let pro = service(Some(doctor()), succeeded(), |c| {
        c.aud == "snr_pro" && c.sub == "EMP3"
    });
    assert!(token(pro.login(&request("doctor", "right password", Some(Audience::SnrPro)))).is_ok());

    let no_provider = service(Some(admin()), succeeded(), |_| false);
    let refused =
        token(no_provider.login(&request("admin", "right password", Some(Audience::SnrPro))));
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");

    let not_admin = service(Some(doctor()), succeeded(), |_| false);
    let refused = token(not_admin.login(&request(
        "doctor",
        "right password",
        Some(Audience::SnrAdmin),
    )));
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");

    let admin_service = service(Some(admin()), succeeded(), |c| {
        c.aud == "snr_admin" && c.roles == ["admin"]
    });
    let granted = token(admin_service.login(&request(
        "admin",
        "right password",
        Some(Audience::SnrAdmin),
    )));
    assert!(granted.is_ok(), "{granted:?}");

    let patients = service(Some(admin()), succeeded(), |_| false);
    let refused =
        token(patients.login(&request("admin", "right password", Some(Audience::SnrUsr))));
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
}
