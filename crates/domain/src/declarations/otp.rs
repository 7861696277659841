//! Verification codes sent by SMS (`OTP` authentication).
//!
//! A code is four digits: three random ones and a Luhn check digit, so that a mistyped code is
//! usually told apart from a wrong one. Only a salted SHA-256 digest of it is stored; the code
//! itself exists once, for the SMS. It is valid for a TTL (900 s by default) and a number of
//! attempts (3 by default); a new code for the same phone cancels the old one.
//!
//! A digest cannot make a 1-in-1000 code hard to guess offline: what keeps it safe is the attempt
//! limit, and the digest only keeps the code out of readable storage, logs and backups.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sha2::Digest;
use time::OffsetDateTime;

use super::ids::{DeclarationRequestId, VerificationId};
use crate::kernel::blob::Sha256;
use crate::kernel::ids::IdGenerator;
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// How long a code is valid by default.
pub const DEFAULT_OTP_TTL: Duration = Duration::from_secs(900);
/// How many tries a code allows by default.
pub const DEFAULT_OTP_MAX_ATTEMPTS: u32 = 3;
/// Bytes of salt per code.
pub const SALT_BYTES: usize = 16;
/// Conditional writes retried after a concurrent attempt, before the conflict reaches the caller.
const WRITE_ATTEMPTS: usize = 3;

/// The Luhn check digit of `digits` (ASCII digits): doubling every second digit from the right.
pub fn luhn_check_digit(digits: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        sum += if i % 2 == 0 {
            let doubled = d * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            d
        };
    }
    // `sum % 10` is below 10, so the digit fits.
    Some(((10 - sum % 10) % 10) as u8)
}

/// Four digits whose last is the Luhn check digit of the first three. Its `Debug` hides it: a code
/// never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl VerificationCode {
    /// The code for the payload `n` (taken modulo 1000), with its check digit.
    pub fn from_payload(n: u32) -> Self {
        let payload = format!("{:03}", n % 1000);
        let check = luhn_check_digit(&payload).unwrap_or(0);
        Self(format!("{payload}{check}"))
    }

    /// What a client sent as `verification_code`: a JSON number (`3748`, padded to four digits) or
    /// a string of four digits. The check digit is not checked here: a code that fails it is simply
    /// a wrong code, and counts as an attempt.
    pub fn from_json(value: &serde_json::Value) -> Result<Self> {
        let text = match value {
            serde_json::Value::Number(n) => {
                n.as_u64().filter(|n| *n <= 9999).map(|n| format!("{n:04}"))
            }
            serde_json::Value::String(s) => Some(s.clone()),
            _ => None,
        };
        match text {
            Some(t) if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) => Ok(Self(t)),
            _ => Err(Error::field(FieldError::new(
                "verification_code",
                "format",
                Text::new(Key::InvalidVerificationCodeFormat).field("field", "verification_code"),
            ))),
        }
    }

    /// The digits, for the SMS text only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the last digit is the Luhn digit of the first three.
    pub fn is_well_formed(&self) -> bool {
        let (payload, check) = self.0.split_at(3);
        luhn_check_digit(payload).map(|d| d.to_string()) == Some(check.to_owned())
    }
}

impl fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerificationCode(****)")
    }
}

/// A code as stored: a random salt and SHA-256 over salt and code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeHash {
    pub salt: [u8; SALT_BYTES],
    pub digest: Sha256,
}

impl CodeHash {
    pub fn new(code: &VerificationCode, salt: [u8; SALT_BYTES]) -> Self {
        Self {
            salt,
            digest: digest(&salt, code),
        }
    }

    /// Whether `code` is the code this digest was made of (compared in constant time).
    pub fn matches(&self, code: &VerificationCode) -> bool {
        let other = digest(&self.salt, code);
        let diff = self
            .digest
            .0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        diff == 0
    }
}

fn digest(salt: &[u8], code: &VerificationCode) -> Sha256 {
    let mut hasher = sha2::Sha256::new();
    hasher.update(salt);
    hasher.update(code.0.as_bytes());
    Sha256(hasher.finalize().into())
}

/// Where a code stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum OtpStatus {
    /// Sent; it may be tried.
    New,
    /// Entered right; used up.
    Verified,
    /// Every attempt was used on wrong codes.
    Unverified,
    /// A newer code for the same phone replaced it.
    Cancelled,
    /// Tried after its TTL.
    Expired,
}

/// One code sent to one phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub id: VerificationId,
    pub phone_number: String,
    /// The request the code was sent for, for the record.
    pub declaration_request_id: Option<DeclarationRequestId>,
    pub code_hash: CodeHash,
    pub status: OtpStatus,
    pub attempts_count: u32,
    pub code_expired_at: OffsetDateTime,
    pub inserted_at: OffsetDateTime,
}

/// The answer to a code someone entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyOutcome {
    Verified,
    /// "Invalid verification code".
    InvalidCode,
    /// "Verification code expired".
    Expired,
    /// "Maximum attempts exceed".
    AttemptsExceeded,
}

impl VerifyOutcome {
    /// `Ok` for [`VerifyOutcome::Verified`], else the reference's 422 with its message.
    pub fn into_result(self) -> Result<()> {
        let key = match self {
            VerifyOutcome::Verified => return Ok(()),
            VerifyOutcome::InvalidCode => Key::InvalidVerificationCode,
            VerifyOutcome::Expired => Key::VerificationCodeExpired,
            VerifyOutcome::AttemptsExceeded => Key::MaxAttemptsExceed,
        };
        Err(Error::Unprocessable(Text::new(key)))
    }
}

/// How long and how often a code may be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtpPolicy {
    pub ttl: Duration,
    pub max_attempts: u32,
}

impl Default for OtpPolicy {
    fn default() -> Self {
        Self {
            ttl: DEFAULT_OTP_TTL,
            max_attempts: DEFAULT_OTP_MAX_ATTEMPTS,
        }
    }
}

impl Verification {
    /// The code entered at `now`: the verification as it must be stored, and the answer. A code
    /// no longer `NEW` changes nothing; otherwise the try counts as an attempt, and the code is
    /// used up when it is right, expired, or the last attempt was wrong.
    pub fn attempt(
        &self,
        code: &VerificationCode,
        now: OffsetDateTime,
        policy: OtpPolicy,
    ) -> (Verification, VerifyOutcome) {
        let outcome = match self.status {
            OtpStatus::New => None,
            OtpStatus::Expired => Some(VerifyOutcome::Expired),
            OtpStatus::Unverified => Some(VerifyOutcome::AttemptsExceeded),
            OtpStatus::Verified | OtpStatus::Cancelled => Some(VerifyOutcome::InvalidCode),
        };
        if let Some(outcome) = outcome {
            return (self.clone(), outcome);
        }
        let mut next = self.clone();
        next.attempts_count = self.attempts_count.saturating_add(1);
        let outcome = if now >= self.code_expired_at {
            next.status = OtpStatus::Expired;
            VerifyOutcome::Expired
        } else if self.code_hash.matches(code) {
            next.status = OtpStatus::Verified;
            VerifyOutcome::Verified
        } else {
            if next.attempts_count >= policy.max_attempts {
                next.status = OtpStatus::Unverified;
            }
            VerifyOutcome::InvalidCode
        };
        (next, outcome)
    }
}

/// Random bytes for codes and salts. Production uses the operating system's generator; tests
/// give fixed bytes.
///
/// Contract: `fill` MUST fill all of `bytes` with cryptographically secure random bytes.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait CodeSource: Send + Sync {
    fn fill(&self, bytes: &mut [u8]);
}

/// Verification codes as stored.
///
/// Contract:
/// - `store` MUST, in one write, mark every `New` verification of the same phone number
///   `Cancelled` and insert `verification`.
/// - `latest` returns the most recently inserted verification of the phone number, whatever its
///   status.
/// - `record_attempt` MUST write `verification`'s status and attempts count only if the stored row
///   is still `New` with `previous_attempts` attempts, and return whether it wrote (so that two
///   simultaneous tries cannot both use the last attempt).
/// - `cancel` marks every `New` verification of the phone number `Cancelled` and returns how many.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait VerificationRepository: Send + Sync {
    fn store(&self, verification: &Verification) -> Result<()>;
    fn latest(&self, phone_number: &str) -> Result<Option<Verification>>;
    fn record_attempt(&self, verification: &Verification, previous_attempts: u32) -> Result<bool>;
    fn cancel(&self, phone_number: &str) -> Result<u64>;
}

/// A code just made: the stored verification, and the code itself for the SMS.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub verification: Verification,
    pub code: VerificationCode,
}

/// Issues and checks verification codes.
#[derive(Clone)]
pub struct OtpService {
    repo: Arc<dyn VerificationRepository>,
    source: Arc<dyn CodeSource>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    policy: OtpPolicy,
}

impl fmt::Debug for OtpService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpService")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl OtpService {
    pub fn new(
        repo: Arc<dyn VerificationRepository>,
        source: Arc<dyn CodeSource>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
        policy: OtpPolicy,
    ) -> Self {
        Self {
            repo,
            source,
            clock,
            ids,
            policy,
        }
    }

    pub fn policy(&self) -> OtpPolicy {
        self.policy
    }

    /// Makes and stores a new code for `phone_number`, cancelling the phone's earlier ones.
    pub fn issue(
        &self,
        phone_number: &str,
        request: Option<DeclarationRequestId>,
    ) -> Result<IssuedCode> {
        let mut payload = [0u8; 4];
        self.source.fill(&mut payload);
        // 2^32 is not a multiple of 1000; the bias it leaves is below one in four million.
        let code = VerificationCode::from_payload(u32::from_be_bytes(payload));
        let mut salt = [0u8; SALT_BYTES];
        self.source.fill(&mut salt);
        let now = self.clock.now();
        let verification = Verification {
            id: VerificationId::generate(self.ids.as_ref()),
            phone_number: phone_number.to_owned(),
            declaration_request_id: request,
            code_hash: CodeHash::new(&code, salt),
            status: OtpStatus::New,
            attempts_count: 0,
            code_expired_at: now + self.policy.ttl,
            inserted_at: now,
        };
        self.repo.store(&verification)?;
        Ok(IssuedCode { verification, code })
    }

    /// Checks `code` against the phone's latest code, recording the attempt.
    pub fn verify(&self, phone_number: &str, code: &VerificationCode) -> Result<VerifyOutcome> {
        for _ in 0..WRITE_ATTEMPTS {
            let Some(stored) = self.repo.latest(phone_number)? else {
                return Ok(VerifyOutcome::InvalidCode);
            };
            let (next, outcome) = stored.attempt(code, self.clock.now(), self.policy);
            if next == stored || self.repo.record_attempt(&next, stored.attempts_count)? {
                return Ok(outcome);
            }
        }
        Err(Error::conflict(Key::RecordConflict))
    }
}
