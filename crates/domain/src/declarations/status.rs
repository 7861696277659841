//! Where a declaration request stands, and what may happen to it.
//!
//! `NEW → APPROVED → SIGNED` is the way to a declaration. A doctor may reject a request that is not
//! signed yet; a newer request for the same person and doctor cancels it; the scheduler expires
//! whatever was not signed once it is older than the request TTL.

use std::fmt;

use serde::{Deserialize, Serialize};
use strum::VariantArray;

use crate::kernel::code::Code;
use crate::kernel::text::Key;
use crate::{Error, Result};

/// Where a declaration request stands (codes in capitals, as the national API sends them).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum DeclarationRequestStatus {
    /// Created; the person confirms it (code, documents) and the doctor approves it.
    New,
    /// Approved by the doctor; waiting for the doctor's signature.
    Approved,
    /// Signed: the declaration exists.
    Signed,
    /// Refused by the doctor.
    Rejected,
    /// Replaced by a newer request of the same person for the same doctor.
    Cancelled,
    /// Not signed in time; its personal data is wiped.
    Expired,
}

/// Something that changes a declaration request. Creation is not an action: a request starts `NEW`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum RequestAction {
    Approve,
    Reject,
    Sign,
    /// A newer request for the same person and employee was created.
    Cancel,
    /// The scheduler found it older than the TTL.
    Expire,
    /// A new verification code is sent; the status stays.
    ResendOtp,
}

impl DeclarationRequestStatus {
    /// The status `action` leads to; anything not in the lifecycle is a [`Error::Conflict`] with
    /// the reference's "Invalid transition".
    pub fn apply(self, action: RequestAction) -> Result<DeclarationRequestStatus> {
        use DeclarationRequestStatus as S;
        use RequestAction as A;
        let next = match (self, action) {
            (S::New, A::Approve) => Some(S::Approved),
            (S::New | S::Approved, A::Reject) => Some(S::Rejected),
            (S::Approved, A::Sign) => Some(S::Signed),
            (S::New | S::Approved, A::Cancel) => Some(S::Cancelled),
            (S::New | S::Approved | S::Rejected | S::Cancelled, A::Expire) => Some(S::Expired),
            (S::New, A::ResendOtp) => Some(S::New),
            _ => None,
        };
        next.ok_or_else(|| Error::conflict(Key::InvalidTransition))
    }

    /// Whether `action` is allowed now.
    pub fn allows(self, action: RequestAction) -> bool {
        self.apply(action).is_ok()
    }

    /// Nothing more happens to a request in this status.
    pub fn is_final(self) -> bool {
        RequestAction::VARIANTS.iter().all(|&a| !self.allows(a))
    }
}

impl fmt::Display for DeclarationRequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::text::Text;

    /// The whole transition table: every (status, action) pair, allowed or refused.
    #[test]
    fn transition_table() {
        use DeclarationRequestStatus as S;
        use RequestAction as A;
        let allowed: [(S, A, S); 11] = [
            (S::New, A::Approve, S::Approved),
            (S::New, A::Reject, S::Rejected),
            (S::Approved, A::Reject, S::Rejected),
            (S::Approved, A::Sign, S::Signed),
            (S::New, A::Cancel, S::Cancelled),
            (S::Approved, A::Cancel, S::Cancelled),
            (S::New, A::Expire, S::Expired),
            (S::Approved, A::Expire, S::Expired),
            (S::Rejected, A::Expire, S::Expired),
            (S::Cancelled, A::Expire, S::Expired),
            (S::New, A::ResendOtp, S::New),
        ];
        let mut checked = 0;
        for &status in S::VARIANTS {
            for &action in A::VARIANTS {
                let expected = allowed
                    .iter()
                    .find(|(s, a, _)| *s == status && *a == action)
                    .map(|(_, _, to)| *to);
                match (status.apply(action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{status} {action:?}"),
                    (Err(Error::Conflict(text)), None) => {
                        assert_eq!(
                            text,
                            Text::new(Key::InvalidTransition),
                            "{status} {action:?}"
                        );
                    }
                    (got, want) => panic!("{status} {action:?}: got {got:?}, want {want:?}"),
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 36);
    }

    #[test]
    fn statuses_travel_in_capitals() {
        use DeclarationRequestStatus as S;
        assert_eq!(
            S::codes(),
            [
                "NEW",
                "APPROVED",
                "SIGNED",
                "REJECTED",
                "CANCELLED",
                "EXPIRED"
            ]
        );
        for &s in S::VARIANTS {
            assert_eq!(S::from_code(s.as_str()), Some(s));
        }
        assert!(S::Signed.is_final() && S::Expired.is_final());
        assert!(!S::Rejected.is_final() && !S::New.is_final());
    }
}
