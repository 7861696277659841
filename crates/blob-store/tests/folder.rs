//! The folder store on a real temporary folder.
#![cfg(test)]

use std::io::{Cursor, Read};
use std::time::Duration;

use blob_store::{FolderStore, read_to_vec};
use domain::Error;
use domain::kernel::blob::{self, BlobKey, BlobStore, HEAD_BYTES};

fn store() -> (tempfile::TempDir, FolderStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = FolderStore::open(dir.path()).unwrap();
    (dir, store)
}

fn key(raw: &str) -> BlobKey {
    BlobKey::parse(raw).unwrap()
}

/// Files under a folder, recursively.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_staged_blob_is_invisible_until_committed_then_readable_from_any_offset() {
    let (_dir, store) = store();
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let staged = store
        .stage(&mut Cursor::new(bytes.clone()), 1 << 20)
        .unwrap();
    assert_eq!(staged.size, 200_000);
    assert_eq!(staged.head.len(), HEAD_BYTES);
    assert_eq!(staged.head[..], bytes[..HEAD_BYTES]);
    // sha256 of the bytes, computed independently.
    let expected = {
        use sha2::Digest;
        hex_of(&sha2::Sha256::digest(&bytes))
    };
    assert_eq!(staged.sha256.hex(), expected);

    let k = key("documents/2026/11/report.pdf");
    assert!(store.open(&k, 0).unwrap().is_none());
    let info = store.commit(staged, &k).unwrap();
    assert_eq!((info.size, info.sha256.hex()), (200_000, expected));

    let mut whole = store.open(&k, 0).unwrap().unwrap();
    assert_eq!(whole.size, 200_000);
    assert_eq!(read_to_vec(&mut whole.reader).unwrap(), bytes);
    let mut tail = store.open(&k, 199_990).unwrap().unwrap();
    assert_eq!(
        tail.size, 200_000,
        "the size is the blob's, whatever the offset"
    );
    assert_eq!(read_to_vec(&mut tail.reader).unwrap(), bytes[199_990..]);
    let mut past = store.open(&k, 10_000_000).unwrap().unwrap();
    assert!(read_to_vec(&mut past.reader).unwrap().is_empty());

    assert!(store.delete(&k).unwrap());
    assert!(!store.delete(&k).unwrap());
    assert!(store.open(&k, 0).unwrap().is_none());
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A reader that fails on purpose after some bytes, as a dropped connection does.
struct Broken(usize);

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

#[test]
fn too_large_or_interrupted_bodies_leave_nothing_behind() {
    let (dir, store) = store();
    let refused = store
        .stage(&mut Cursor::new(vec![1u8; 1025]), 1024)
        .unwrap_err();
    assert!(matches!(refused, Error::TooLarge(_)), "{refused:?}");
    let exact = store
        .stage(&mut Cursor::new(vec![1u8; 1024]), 1024)
        .unwrap();
    store.discard(exact.clone()).unwrap();
    store.discard(exact).unwrap();
    let broken = store.stage(&mut Broken(100_000), 1 << 20).unwrap_err();
    assert!(matches!(broken, Error::Internal(_)), "{broken:?}");
    assert!(broken.chain().contains("peer went away"));
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
}

#[test]
fn put_replaces_and_sweeping_removes_only_old_staged_files() {
    let (dir, store) = store();
    let k = key("reports/a.pdf");
    blob::put(&store, &k, &mut Cursor::new(b"first".to_vec()), 100).unwrap();
    blob::put(&store, &k, &mut Cursor::new(b"second".to_vec()), 100).unwrap();
    assert_eq!(
        blob::read_all(&store, &k).unwrap().unwrap(),
        b"second".to_vec()
    );
    let _left = store.stage(&mut Cursor::new(b"x".to_vec()), 10).unwrap();
    assert_eq!(store.sweep_staging(Duration::from_secs(3600)).unwrap(), 0);
    assert_eq!(store.sweep_staging(Duration::ZERO).unwrap(), 1);
    assert_eq!(files(&dir.path().join("staging")).len(), 0);
}

#[test]
fn a_handle_that_is_not_ours_is_refused() {
    let (_dir, store) = store();
    let mut staged = store.stage(&mut Cursor::new(b"x".to_vec()), 10).unwrap();
    staged.handle = "../objects/evil".into();
    assert!(store.commit(staged, &key("k")).is_err());
}
