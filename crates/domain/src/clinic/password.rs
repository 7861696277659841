//! Staff passwords: the policy a new one must meet, and the port that hashes and checks them.
//!
//! A [`Password`] never shows itself: its `Debug` output is a placeholder, it has no `Display`,
//! and it is not serializable, so it cannot reach a log or an answer by accident.

use std::fmt;

use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

/// A password as typed, checked against the policy when it is a new one.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub const MIN: usize = 10;
    pub const MAX: usize = 128;

    /// A password typed to sign in or to prove who one is: taken as it is, never judged (an old
    /// account may predate the policy).
    pub fn given(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    /// A new password for the account `username`, sent in `field`: 10 to 128 characters, not one
    /// of the commonest passwords, not the username.
    pub fn new_for(field: &str, raw: &str, username: &str) -> Result<Self> {
        let length = raw.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&length) {
            return Err(refusal(
                field,
                "length",
                Text::new(Key::PasswordLength)
                    .field("field", field)
                    .with("min", Self::MIN)
                    .with("max", Self::MAX),
            ));
        }
        let folded = raw.to_lowercase();
        if folded == username.to_lowercase() {
            return Err(refusal(
                field,
                "weak",
                Text::new(Key::PasswordIsUsername).field("field", field),
            ));
        }
        if is_common(&folded) {
            return Err(refusal(
                field,
                "weak",
                Text::new(Key::PasswordCommon).field("field", field),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password itself, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn refusal(field: &str, rule: &'static str, text: Text) -> Error {
    Error::field(FieldError::new(field, rule, text))
}

/// Whether `folded` (lowercase) is one of the passwords people pick most, in the lists published
/// from leaked password sets (the first ones long enough to pass the length rule, and their
/// obvious variants).
fn is_common(folded: &str) -> bool {
    COMMON.contains(&folded)
}

/// Lowercase; a password is compared in lowercase, so `Password123` is refused as well.
const COMMON: &[&str] = &[
    "password123",
    "password1234",
    "password12345",
    "password123456",
    "password1!",
    "password@123",
    "password!123",
    "passw0rd123",
    "p@ssw0rd123",
    "p@ssword123",
    "p@55w0rd123",
    "mypassword",
    "mypassword1",
    "mypassword123",
    "newpassword",
    "newpassword1",
    "newpassword123",
    "changeme123",
    "changeme1234",
    "letmein123",
    "letmein1234",
    "welcome123",
    "welcome1234",
    "welcome@123",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "qwertyuiop",
    "qwertyuiop1",
    "qwertyuiop123",
    "qwerty@123",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "q1w2e3r4t5",
    "q1w2e3r4t5y6",
    "1qaz2wsx3edc",
    "zaq12wsxcde3",
    "asdfghjkl1",
    "asdfghjkl123",
    "zxcvbnm123",
    "1234567890",
    "0123456789",
    "0987654321",
    "12345678910",
    "123456789a",
    "a123456789",
    "123456789q",
    "1234567890a",
    "1111111111",
    "0000000000",
    "1234512345",
    "1122334455",
    "1212121212",
    "abcdefghij",
    "abcdefg123",
    "abcd123456",
    "abc1234567",
    "abc123456789",
    "iloveyou123",
    "iloveyou12",
    "sunshine123",
    "princess123",
    "football123",
    "baseball123",
    "superman123",
    "batman1234",
    "starwars123",
    "dragon1234",
    "monkey1234",
    "master1234",
    "shadow1234",
    "michael123",
    "jennifer123",
    "trustno1234",
    "whatever123",
    "computer123",
    "internet123",
    "samsung123",
    "hello12345",
    "hello123456",
    "helloworld",
    "helloworld1",
    "helloworld123",
    "administrator",
    "administrator1",
    "admin12345",
    "admin123456",
    "admin@1234",
    "adminadmin",
    "adminadmin1",
    "root123456",
    "rootroot12",
    "doctor1234",
    "doctor12345",
    "hospital123",
    "clinic1234",
    "clinic12345",
    "medical123",
    "nurse12345",
    "reception123",
    "technician1",
    "demo-clinic",
    "test123456",
    "testtest12",
    "testing123",
    "secret1234",
    "default123",
    "summer2024",
    "summer2025",
    "summer2026",
    "winter2025",
    "winter2026",
];

/// Hashes passwords and checks them against a hash.
///
/// Contract: `hash` returns a self-describing hash (algorithm, parameters and salt included, such
/// as a PHC string), salted afresh each time, so two hashes of one password differ. `verify`
/// answers whether `password` matches `hash`, taking about as long whether it does or not; a hash
/// it cannot read is an error, not `false`. Neither writes the password anywhere.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PasswordHasher: Send + Sync {
    fn hash(&self, password: &Password) -> Result<String>;
    fn verify(&self, password: &Password, hash: &str) -> Result<bool>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str, username: &str) -> Option<(&'static str, String)> {
        match Password::new_for("password", raw, username) {
            Ok(_) => None,
            Err(Error::Validation(f)) => Some((f[0].rule, f[0].text.to_string())),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_policy() {
        assert_eq!(refused("correct horse battery", "lina"), None);
        assert_eq!(refused(&"é".repeat(10), "lina"), None);
        assert_eq!(refused(&"x".repeat(128), "lina"), None);
        assert_eq!(
            refused("short9", "lina"),
            Some((
                "length",
                "password-length(field=password, min=10, max=128)".to_owned()
            ))
        );
        assert_eq!(
            refused(&"x".repeat(129), "lina").map(|r| r.0),
            Some("length")
        );
        assert_eq!(
            refused("Password123", "lina").map(|r| r.1),
            Some("password-common(field=password)".to_owned())
        );
        assert_eq!(refused("QWERTY1234", "lina").map(|r| r.0), Some("weak"));
        assert_eq!(
            refused("Dr.LinaHaddad", "dr.linahaddad").map(|r| r.1),
            Some("password-is-username(field=password)".to_owned())
        );
        assert!(COMMON.len() >= 100);
        assert!(COMMON.iter().all(|p| p.to_lowercase() == *p));
    }

    #[test]
    fn a_password_never_shows_itself() {
        let password = Password::given("hunter2-but-longer");
        assert_eq!(format!("{password:?}"), "Password(***)");
        assert_eq!(password.expose(), "hunter2-but-longer");
    }
}
