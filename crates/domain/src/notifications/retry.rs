use std::time::Duration;

use crate::kernel::ids::NotificationId;

/// Exponential back-off: `base × 2^(attempt − 1)`, capped, with up to ±20 % jitter so that messages
/// failing together do not retry together. The jitter is derived from the message id, so a schedule
/// is reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; after the last one fails the message is `Failed`.
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    /// Whether another attempt may follow `attempts` failed ones.
    pub fn may_retry(&self, attempts: u32) -> bool {
        attempts < self.max_attempts
    }

    /// How long to wait after the `attempts`-th failed attempt (1-based).
    pub fn delay(&self, attempts: u32, id: NotificationId) -> Duration {
        let exponent = attempts.saturating_sub(1).min(30);
        let raw = self.base.saturating_mul(1u32 << exponent).min(self.cap);
        // A value in [0, 1) from the id's last bytes, mapped to a factor in [0.8, 1.2).
        let id = id.as_uuid();
        let bytes = id.as_bytes();
        let sample = f64::from(u16::from_be_bytes([bytes[14], bytes[15]])) / 65_536.0;
        raw.mul_f64(0.8 + 0.4 * sample)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_bounded_jitter() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base: Duration::from_secs(10),
            cap: Duration::from_secs(60),
        };
        let id = NotificationId::from_uuid(uuid::Uuid::from_u128(0x8000));
        let delays: Vec<u64> = (1..=5).map(|a| policy.delay(a, id).as_secs()).collect();
        for (delay, nominal) in delays.iter().zip([10u64, 20, 40, 60, 60]) {
            assert!(
                (nominal * 8 / 10..=nominal * 12 / 10).contains(delay),
                "{delays:?}"
            );
        }
        assert!(policy.may_retry(4));
        assert!(!policy.may_retry(5));
        assert_eq!(policy.delay(3, id), policy.delay(3, id), "reproducible");
    }
}
