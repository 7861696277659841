//! What the store keeps in memory so that the hot path does not ask the database: revoked token
//! ids, and the active catalogue the patient pickers show.
//!
//! Memory may answer only while it is known to be fresh:
//! - on SQLite (one server process per database file), from the first load on: every change goes
//!   through this process, which updates its memory as it commits;
//! - on PostgreSQL, while this instance's listener (`listen.rs`) is connected: every change sends a
//!   `NOTIFY` in its transaction, delivered to every instance at commit. When the listener loses
//!   its connection, memory stops answering (the database answers instead) until the listener is
//!   back and has reloaded everything it might have missed.
//!
//! The catalogue cache is guarded by a generation counter: a load that raced with a change is not
//! kept, so a change shows at once on the instance that made it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use domain::clinic::{ClinicEvent, ClinicEventSink};
use domain::kernel::ids::TokenId;
use domain::second_opinion::{DiseaseCategory, ReviewType};

/// Revoked token ids, with the instant (Unix seconds) after which each may be forgotten.
#[derive(Debug, Default)]
pub(crate) struct RevocationCache {
    revoked: RwLock<HashMap<TokenId, i64>>,
}

impl RevocationCache {
    pub(crate) fn contains(&self, jti: TokenId) -> bool {
        self.revoked
            .read()
            .map(|set| set.contains_key(&jti))
            // A poisoned lock means a writer panicked mid-update: do not trust the set.
            .unwrap_or(true)
    }

    pub(crate) fn insert(&self, jti: TokenId, expires_at: i64) {
        if let Ok(mut set) = self.revoked.write() {
            set.insert(jti, expires_at);
        }
    }

    pub(crate) fn replace(&self, all: HashMap<TokenId, i64>) {
        if let Ok(mut set) = self.revoked.write() {
            *set = all;
        }
    }

    pub(crate) fn forget_expired(&self, now_unix: i64) {
        if let Ok(mut set) = self.revoked.write() {
            set.retain(|_, expires| *expires >= now_unix);
        }
    }
}

/// One cached list, with the generation it was loaded under.
type Cached<T> = RwLock<Option<(u64, Arc<Vec<T>>)>>;

/// The active review types and disease categories, newest first, as the pickers want them.
#[derive(Debug, Default)]
pub(crate) struct CatalogueCache {
    generation: AtomicU64,
    review_types: Cached<ReviewType>,
    disease_categories: Cached<DiseaseCategory>,
}

impl CatalogueCache {
    /// The generation a load starts under; pass it back to `keep_*`.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Forgets both lists; a load under an older generation will not be kept.
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut slot) = self.review_types.write() {
            *slot = None;
        }
        if let Ok(mut slot) = self.disease_categories.write() {
            *slot = None;
        }
    }

    fn get<T>(&self, slot: &Cached<T>) -> Option<Arc<Vec<T>>> {
        let current = self.generation();
        match slot.read() {
            Ok(guard) => guard
                .as_ref()
                .filter(|(generation, _)| *generation == current)
                .map(|(_, rows)| rows.clone()),
            Err(_) => None,
        }
    }

    fn keep<T>(&self, slot: &Cached<T>, generation: u64, rows: Arc<Vec<T>>) {
        if let Ok(mut guard) = slot.write()
            && self.generation() == generation
        {
            *guard = Some((generation, rows));
        }
    }

    pub(crate) fn review_types(&self) -> Option<Arc<Vec<ReviewType>>> {
        self.get(&self.review_types)
    }

    pub(crate) fn keep_review_types(&self, generation: u64, rows: Arc<Vec<ReviewType>>) {
        self.keep(&self.review_types, generation, rows);
    }

    pub(crate) fn disease_categories(&self) -> Option<Arc<Vec<DiseaseCategory>>> {
        self.get(&self.disease_categories)
    }

    pub(crate) fn keep_disease_categories(&self, generation: u64, rows: Arc<Vec<DiseaseCategory>>) {
        self.keep(&self.disease_categories, generation, rows);
    }
}

/// Everything the store keeps in memory, shared by every clone of a [`crate::Store`].
#[derive(Debug, Default)]
pub(crate) struct Caches {
    /// Whether memory may answer (see the module's documentation).
    fresh: AtomicBool,
    pub(crate) revocations: RevocationCache,
    pub(crate) catalogue: CatalogueCache,
    /// Where the listener hands the clinic's events it hears of.
    pub(crate) clinic_events: ClinicEventTarget,
}

/// The sink clinic events go to once heard of, when one was given.
#[derive(Default)]
pub(crate) struct ClinicEventTarget(RwLock<Option<Arc<dyn ClinicEventSink>>>);

impl std::fmt::Debug for ClinicEventTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClinicEventTarget")
    }
}

impl ClinicEventTarget {
    pub(crate) fn set(&self, sink: Arc<dyn ClinicEventSink>) {
        if let Ok(mut target) = self.0.write() {
            *target = Some(sink);
        }
    }

    pub(crate) fn deliver(&self, event: &ClinicEvent) {
        let sink = self.0.read().ok().and_then(|target| target.clone());
        if let Some(sink) = sink {
            sink.deliver(event);
        }
    }
}

impl Caches {
    pub(crate) fn fresh(&self) -> bool {
        self.fresh.load(Ordering::SeqCst)
    }

    pub(crate) fn set_fresh(&self, fresh: bool) {
        if !fresh {
            // What was cached may miss changes from now on.
            self.catalogue.invalidate();
        }
        self.fresh.store(fresh, Ordering::SeqCst);
    }
}
