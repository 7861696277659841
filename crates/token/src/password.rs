//! [`PasswordHasher`] with Argon2id (RFC 9106), the default parameters of RustCrypto's `argon2`
//! (19 MiB, 2 passes, 1 lane: OWASP's recommended minimum), and hashes in the PHC string format,
//! which carries the algorithm, parameters and salt, so that a later change of parameters still
//! verifies older hashes.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use domain::Cause;
use domain::clinic::{Password, PasswordHasher};

/// Argon2id password hashing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Argon2Hasher;

fn fault(detail: &str, e: password_hash::Error) -> domain::Error {
    // The error names what failed (the salt, the hash's format), never the password.
    domain::Error::Internal(Cause::new(format!("{detail}: {e}")))
}

impl PasswordHasher for Argon2Hasher {
    fn hash(&self, password: &Password) -> domain::Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| fault("a password could not be hashed", e))
    }

    fn verify(&self, password: &Password, hash: &str) -> domain::Result<bool> {
        let parsed = PasswordHash::new(hash)
            .map_err(|e| fault("a stored password hash is unreadable", e))?;
        match Argon2::default().verify_password(password.expose().as_bytes(), &parsed) {
            Ok(()) => Ok(true),
            Err(password_hash::Error::Password) => Ok(false),
            Err(e) => Err(fault("a password could not be checked", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_each_time() {
        let hasher = Argon2Hasher;
        let password = Password::given("correct horse battery staple");
        let first = hasher.hash(&password).unwrap();
        let second = hasher.hash(&password).unwrap();
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert_ne!(first, second);
        assert!(!first.contains("horse"));
        assert!(hasher.verify(&password, &first).unwrap());
        assert!(hasher.verify(&password, &second).unwrap());
        assert!(!hasher.verify(&Password::given("wrong"), &first).unwrap());
        assert!(hasher.verify(&password, "not a hash").is_err());
    }
}
