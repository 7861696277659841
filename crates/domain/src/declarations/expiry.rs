//! Expiring requests nobody signed: after the request TTL (24 hours by default) a request that is
//! neither `SIGNED` nor already `EXPIRED` becomes `EXPIRED`, and the personal data it carries (the
//! document to sign, the printout, the phone number of its authentication method, the list of
//! documents) is wiped, as the reference's scheduler does.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::ports::DeclarationRequestRepository;
use super::request::{DeclarationRequest, StatusReason};
use super::status::RequestAction;
use crate::Result;
use crate::kernel::ids::ActorId;
use crate::kernel::time::Clock;

pub const DEFAULT_REQUEST_TTL_HOURS: u64 = 24;
/// Requests expired per round of [`ExpiryService::run`].
const BATCH: i64 = 500;

/// How long a request may wait for its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTtl(Duration);

impl RequestTtl {
    pub fn hours(hours: u64) -> Self {
        Self(Duration::from_secs(hours.saturating_mul(3600)))
    }

    pub fn as_duration(self) -> Duration {
        self.0
    }
}

impl Default for RequestTtl {
    fn default() -> Self {
        Self::hours(DEFAULT_REQUEST_TTL_HOURS)
    }
}

/// Whether `request` expires at `now`: its status may still expire and it was inserted more than
/// the TTL before `now`.
pub fn is_due(request: &DeclarationRequest, now: OffsetDateTime, ttl: RequestTtl) -> bool {
    request.status.allows(RequestAction::Expire) && request.inserted_at + ttl.0 < now
}

/// `request` expired at `now` by `by`, its personal data wiped; `None` when it is not due.
pub fn expire(
    request: &DeclarationRequest,
    now: OffsetDateTime,
    ttl: RequestTtl,
    by: &ActorId,
) -> Option<DeclarationRequest> {
    if !is_due(request, now, ttl) {
        return None;
    }
    let status = request.status.apply(RequestAction::Expire).ok()?;
    Some(DeclarationRequest {
        status,
        status_reason: Some(StatusReason::AutoExpired),
        data_to_be_signed: None,
        authentication_method_current: None,
        printout_content: None,
        documents: Vec::new(),
        updated_at: now,
        updated_by: by.clone(),
        ..request.clone()
    })
}

/// The scheduler's job: expires every due request.
#[derive(Clone)]
pub struct ExpiryService {
    requests: Arc<dyn DeclarationRequestRepository>,
    clock: Arc<dyn Clock>,
    ttl: RequestTtl,
}

impl fmt::Debug for ExpiryService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpiryService")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl ExpiryService {
    pub fn new(
        requests: Arc<dyn DeclarationRequestRepository>,
        clock: Arc<dyn Clock>,
        ttl: RequestTtl,
    ) -> Self {
        Self {
            requests,
            clock,
            ttl,
        }
    }

    /// Expires due requests in batches until none is left; returns how many this run expired (a
    /// request another instance moved first is skipped).
    pub fn run(&self) -> Result<u64> {
        let now = self.clock.now();
        let system = ActorId::system();
        let mut expired = 0;
        loop {
            let batch = self.requests.expirable(now - self.ttl.0, BATCH)?;
            let mut wrote = 0;
            for request in &batch {
                let Some(next) = expire(request, now, self.ttl, &system) else {
                    continue;
                };
                if self.requests.save_transition(&next, request.status)? {
                    wrote += 1;
                }
            }
            expired += wrote;
            // A short batch was the last; a full one that changed nothing would repeat forever.
            if batch.len() < BATCH as usize || wrote == 0 {
                return Ok(expired);
            }
        }
    }
}
