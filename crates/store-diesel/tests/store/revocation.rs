//! [`RevocationRepository`]: revoked token ids until the tokens expire.

use domain::identity::RevocationRepository;
use domain::kernel::ids::TokenId;
use domain::testing::uuid;

use crate::support::*;

fn jti(n: u128) -> TokenId {
    TokenId::from_uuid(uuid(n))
}

on_each_backend!(revoking_is_idempotent_and_visible, |db| {
    let store = &db.store;
    assert!(!store.is_revoked(jti(1)).unwrap());
    store.revoke(jti(1), 2_000_000_000, T0).unwrap();
    store.revoke(jti(1), 2_000_000_000, at(1)).unwrap();
    store.revoke(jti(1), 1, at(2)).unwrap();
    assert!(store.is_revoked(jti(1)).unwrap());
    assert!(!store.is_revoked(jti(2)).unwrap());
    // The first record stays: the later, earlier-expiring revocation did not replace it.
    assert_eq!(store.purge_expired_revocations(1_000).unwrap(), 0);
    assert!(store.is_revoked(jti(1)).unwrap());

    // Another store on the same database (another server instance) sees it.
    let other = Store::connect(&db.url, 1).unwrap();
    assert!(other.is_revoked(jti(1)).unwrap());
});

on_each_backend!(concurrent_revocations_of_one_token_all_succeed, |db| {
    let raced = jti(0x4ace);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| db.store.revoke(raced, 2_000_000_000, T0)))
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
    });
    assert!(db.store.is_revoked(raced).unwrap());
});

on_each_backend!(purge_forgets_only_expired_revocations, |db| {
    let store = &db.store;
    let (expired, at_now, later) = (jti(1), jti(2), jti(3));
    store.revoke(expired, 1_000, T0).unwrap();
    store.revoke(at_now, 2_000, T0).unwrap();
    store.revoke(later, 3_000, T0).unwrap();
    assert_eq!(store.purge_expired_revocations(2_000).unwrap(), 1);
    assert!(!store.is_revoked(expired).unwrap());
    assert!(store.is_revoked(at_now).unwrap());
    assert!(store.is_revoked(later).unwrap());
    assert_eq!(store.purge_expired_revocations(2_000).unwrap(), 0);
});
