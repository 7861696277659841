//! The folder store on a real temporary folder.
#![cfg(test)]

mod contract;

use std::io::Cursor;
use std::time::Duration;

use blob_store::FolderStore;
use domain::kernel::blob::BlobStore;

fn store() -> (tempfile::TempDir, FolderStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = FolderStore::open(dir.path()).unwrap();
    (dir, store)
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
    contract::staged_blobs_are_invisible_until_committed_then_readable_from_any_offset(&store);
}

#[test]
fn too_large_or_interrupted_bodies_leave_nothing_behind() {
    let (dir, store) = store();
    contract::too_large_or_interrupted_bodies_fail(&store, 1024);
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
}

#[test]
fn put_replaces_and_sweeping_removes_only_old_staged_files() {
    let (dir, store) = store();
    contract::put_replaces(&store);
    let _left = store.stage(&mut Cursor::new(b"x".to_vec()), 10).unwrap();
    assert_eq!(store.sweep_staging(Duration::from_secs(3600)).unwrap(), 0);
    assert_eq!(store.sweep_staging(Duration::ZERO).unwrap(), 1);
    assert_eq!(files(&dir.path().join("staging")).len(), 0);
}

#[test]
fn a_handle_that_is_not_ours_is_refused() {
    let (_dir, store) = store();
    contract::foreign_handles_are_refused(&store);
}
