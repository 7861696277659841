//! Slowing down password guessing: failed sign-ins are counted per account and per client address
//! over a sliding window, and once either count reaches its limit, sign-in is refused (429) until
//! the oldest failure leaves the window.
//!
//! [`MemoryThrottle`] counts in this instance's memory: with several instances behind a load
//! balancer each counts the failures it saw, so an attacker spread over `n` instances gets up to
//! `n` times the limit. That is still a hard ceiling on guessing; a shared counter (in the store)
//! would make it exact.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use crate::kernel::time::Clock;

/// Counts failed sign-ins.
///
/// Contract: `blocked` answers, without changing anything, in how many seconds (at least 1)
/// another attempt for `account` (a lowercase username) from `address` may be made, or `None` when
/// one may be made now. `failed` counts one failure against both; `succeeded` forgets the
/// account's failures (not the address's).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait LoginThrottle: Send + Sync {
    fn blocked(&self, account: &str, address: Option<String>) -> Option<u64>;
    fn failed(&self, account: &str, address: Option<String>);
    fn succeeded(&self, account: &str);
}

/// How many failures are allowed in which window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimits {
    pub window: Duration,
    pub per_account: usize,
    pub per_address: usize,
}

impl Default for ThrottleLimits {
    /// 5 failures per account and 20 per address in 15 minutes.
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15 * 60),
            per_account: 5,
            per_address: 20,
        }
    }
}

/// Keys kept at most: past this, keys with no failure in the window are dropped first.
const MAX_KEYS: usize = 100_000;

/// [`LoginThrottle`] in memory, per instance (see the module's note).
pub struct MemoryThrottle {
    clock: Arc<dyn Clock>,
    limits: ThrottleLimits,
    failures: Mutex<HashMap<String, VecDeque<OffsetDateTime>>>,
}

impl std::fmt::Debug for MemoryThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryThrottle")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

fn account_key(account: &str) -> String {
    format!("u:{account}")
}

fn address_key(address: &str) -> String {
    format!("a:{address}")
}

impl MemoryThrottle {
    pub fn new(clock: Arc<dyn Clock>, limits: ThrottleLimits) -> Self {
        Self {
            clock,
            limits,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn window(&self) -> time::Duration {
        time::Duration::try_from(self.limits.window).unwrap_or(time::Duration::MAX)
    }

    /// Seconds until `key` may try again, when it has `limit` failures in the window.
    fn wait(
        &self,
        failures: &mut HashMap<String, VecDeque<OffsetDateTime>>,
        key: &str,
        limit: usize,
        now: OffsetDateTime,
    ) -> Option<u64> {
        let window = self.window();
        let times = failures.get_mut(key)?;
        while times.front().is_some_and(|t| *t + window <= now) {
            times.pop_front();
        }
        if times.len() < limit {
            return None;
        }
        // The failure that has to leave the window for the count to drop below the limit.
        let index = times.len() - limit;
        let until = times.get(index).map(|t| *t + window)?;
        let seconds = (until - now).whole_seconds().max(0);
        // Rounded up: a client that waits what it was told always finds the way open.
        let rounded = if (until - now).subsec_nanoseconds() > 0 {
            seconds + 1
        } else {
            seconds
        };
        Some(u64::try_from(rounded.max(1)).unwrap_or(1))
    }

    fn prune(&self, failures: &mut HashMap<String, VecDeque<OffsetDateTime>>, now: OffsetDateTime) {
        let window = self.window();
        failures.retain(|_, times| times.back().is_some_and(|t| *t + window > now));
    }
}

impl LoginThrottle for MemoryThrottle {
    fn blocked(&self, account: &str, address: Option<String>) -> Option<u64> {
        let now = self.clock.now();
        // A poisoned lock only means another thread panicked while counting; the counts are
        // still usable.
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let by_account = self.wait(
            &mut failures,
            &account_key(account),
            self.limits.per_account,
            now,
        );
        let by_address = address.and_then(|a| {
            self.wait(
                &mut failures,
                &address_key(&a),
                self.limits.per_address,
                now,
            )
        });
        by_account.max(by_address)
    }

    fn failed(&self, account: &str, address: Option<String>) {
        let now = self.clock.now();
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() >= MAX_KEYS {
            self.prune(&mut failures, now);
        }
        let keys = std::iter::once(account_key(account)).chain(address.map(|a| address_key(&a)));
        for key in keys {
            failures.entry(key).or_default().push_back(now);
        }
    }

    fn succeeded(&self, account: &str) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.remove(&account_key(account));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use time::macros::datetime;

    use super::*;

    /// A clock the test moves by hand.
    struct Manual(StdMutex<OffsetDateTime>);

    impl Clock for Manual {
        fn now(&self) -> OffsetDateTime {
            *self.0.lock().unwrap()
        }
    }

    impl Manual {
        fn advance(&self, seconds: i64) {
            *self.0.lock().unwrap() += time::Duration::seconds(seconds);
        }
    }

    fn throttle() -> (Arc<Manual>, MemoryThrottle) {
        let clock = Arc::new(Manual(StdMutex::new(datetime!(2026-11-30 09:00 UTC))));
        let throttle = MemoryThrottle::new(clock.clone(), ThrottleLimits::default());
        (clock, throttle)
    }

    #[test]
    fn five_failures_block_the_account_until_the_first_leaves_the_window() {
        let (clock, throttle) = throttle();
        let addr = || Some("10.0.0.1".to_owned());
        for _ in 0..4 {
            throttle.failed("lina", addr());
            clock.advance(60);
        }
        assert_eq!(throttle.blocked("lina", addr()), None);
        throttle.failed("lina", addr());
        // The first failure was 4 minutes ago: 11 minutes to go.
        assert_eq!(throttle.blocked("lina", addr()), Some(11 * 60));
        assert_eq!(throttle.blocked("LINA-other", addr()), None);
        clock.advance(11 * 60 - 1);
        assert_eq!(throttle.blocked("lina", addr()), Some(1));
        clock.advance(1);
        assert_eq!(throttle.blocked("lina", addr()), None);
    }

    #[test]
    fn twenty_failures_block_the_address_for_every_account() {
        let (clock, throttle) = throttle();
        for n in 0..20 {
            throttle.failed(&format!("user{n}"), Some("10.0.0.9".to_owned()));
        }
        assert_eq!(
            throttle.blocked("someone", Some("10.0.0.9".to_owned())),
            Some(900)
        );
        assert_eq!(
            throttle.blocked("someone", Some("10.0.0.8".to_owned())),
            None
        );
        assert_eq!(throttle.blocked("someone", None), None);
        clock.advance(900);
        assert_eq!(
            throttle.blocked("someone", Some("10.0.0.9".to_owned())),
            None
        );
    }

    #[test]
    fn a_success_forgets_the_accounts_failures() {
        let (_, throttle) = throttle();
        for _ in 0..4 {
            throttle.failed("lina", None);
        }
        throttle.succeeded("lina");
        throttle.failed("lina", None);
        assert_eq!(throttle.blocked("lina", None), None);
    }
}
