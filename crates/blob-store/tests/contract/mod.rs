//! The port's contract, checked the same way on every store: each check takes a store that holds
//! nothing yet, and the caller then looks at the store's own medium (a folder, a bucket) to see
//! that nothing was left behind.

use std::io::{Cursor, Read};

use blob_store::read_to_vec;
use domain::Error;
use domain::kernel::blob::{self, BlobKey, BlobStore, HEAD_BYTES};
use sha2::Digest;

pub fn key(raw: &str) -> BlobKey {
    BlobKey::parse(raw).unwrap()
}

pub fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `len` bytes that differ from one position to the next.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Stages `bytes`, checks what staging reports, commits under `raw_key` and reads the blob back
/// whole and from near its end.
pub fn round_trip(store: &dyn BlobStore, raw_key: &str, bytes: &[u8]) {
    let staged = store
        .stage(&mut Cursor::new(bytes.to_vec()), bytes.len() as u64)
        .unwrap();
    assert_eq!(staged.size, bytes.len() as u64);
    assert_eq!(staged.head.len(), HEAD_BYTES.min(bytes.len()));
    assert_eq!(staged.head[..], bytes[..staged.head.len()]);
    let expected = hex_of(&sha2::Sha256::digest(bytes));
    assert_eq!(staged.sha256.hex(), expected);

    let k = key(raw_key);
    assert!(
        store.open(&k, 0).unwrap().is_none(),
        "staged is not visible"
    );
    let info = store.commit(staged, &k).unwrap();
    assert_eq!(
        (info.size, info.sha256.hex()),
        (bytes.len() as u64, expected)
    );

    let mut whole = store.open(&k, 0).unwrap().unwrap();
    assert_eq!(whole.size, bytes.len() as u64);
    let read = read_to_vec(&mut whole.reader).unwrap();
    assert!(read == bytes, "the blob reads back as it was written");
    let near_end = bytes.len() as u64 - 10;
    let mut tail = store.open(&k, near_end).unwrap().unwrap();
    assert_eq!(
        tail.size,
        bytes.len() as u64,
        "the size is the blob's, whatever the offset"
    );
    assert_eq!(
        read_to_vec(&mut tail.reader).unwrap(),
        bytes[bytes.len() - 10..]
    );
}

/// A blob is readable from any offset, the size is the whole blob's, an offset past the end
/// reads nothing, and deleting answers whether there was something to delete.
pub fn staged_blobs_are_invisible_until_committed_then_readable_from_any_offset(
    store: &dyn BlobStore,
) {
    let bytes = pattern(200_000);
    let k = "documents/2026/11/report.pdf";
    round_trip(store, k, &bytes);
    let k = key(k);
    let mut past = store.open(&k, 10_000_000).unwrap().unwrap();
    assert_eq!(past.size, 200_000);
    assert!(read_to_vec(&mut past.reader).unwrap().is_empty());
    let mut at_end = store.open(&k, 200_000).unwrap().unwrap();
    assert!(read_to_vec(&mut at_end.reader).unwrap().is_empty());

    assert!(store.delete(&k).unwrap());
    assert!(!store.delete(&k).unwrap());
    assert!(store.open(&k, 0).unwrap().is_none());
    assert!(store.open(&k, 5).unwrap().is_none());
}

/// A reader that fails on purpose after some bytes, as a dropped connection does.
pub struct Broken(pub usize);

impl Read for Broken {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "peer went away",
            ));
        }
        let n = buf.len().min(self.0);
        buf[..n].fill(7);
        self.0 -= n;
        Ok(n)
    }
}

/// Counts what is read from a body, to see that staging stops reading past the limit.
pub struct Counted<R> {
    pub inner: R,
    pub read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Refuses a body one byte over `limit` (reading no further than the chunk that crossed it),
/// accepts one of exactly `limit`, discards twice, and fails on a body that breaks after `limit`
/// bytes; the caller checks that nothing is left.
pub fn too_large_or_interrupted_bodies_fail(store: &dyn BlobStore, limit: u64) {
    let mut over = Counted {
        inner: Cursor::new(vec![1u8; limit as usize + 1 + 1_000_000]),
        read: 0,
    };
    let refused = store.stage(&mut over, limit).unwrap_err();
    assert!(matches!(refused, Error::TooLarge(_)), "{refused:?}");
    assert!(
        over.read <= limit + 1024 * 1024,
        "read {} bytes for a limit of {limit}",
        over.read
    );
    let exact = store
        .stage(&mut Cursor::new(vec![1u8; limit as usize]), limit)
        .unwrap();
    assert_eq!(exact.size, limit);
    store.discard(exact.clone()).unwrap();
    store.discard(exact).unwrap();
    let broken = store
        .stage(&mut Broken(limit as usize), limit * 2)
        .unwrap_err();
    assert!(matches!(broken, Error::Internal(_)), "{broken:?}");
    assert!(broken.chain().contains("peer went away"));
}

/// Putting twice under one key keeps the second.
pub fn put_replaces(store: &dyn BlobStore) {
    let k = key("reports/a.pdf");
    blob::put(store, &k, &mut Cursor::new(b"first".to_vec()), 100).unwrap();
    blob::put(store, &k, &mut Cursor::new(b"second".to_vec()), 100).unwrap();
    assert_eq!(
        blob::read_all(store, &k).unwrap().unwrap(),
        b"second".to_vec()
    );
}

/// A staging handle that `stage` did not make is refused, and nothing escapes the staging area.
pub fn foreign_handles_are_refused(store: &dyn BlobStore) {
    let mut staged = store.stage(&mut Cursor::new(b"x".to_vec()), 10).unwrap();
    staged.handle = "../objects/evil".into();
    assert!(store.commit(staged.clone(), &key("k")).is_err());
    assert!(store.discard(staged).is_err());
    assert!(store.open(&key("k"), 0).unwrap().is_none());
}
