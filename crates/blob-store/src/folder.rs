//! [`FolderStore`] keeps blobs as files under one folder (by default `DATA_DIR/blobs`):
//! `objects/<key>` for committed blobs, `staging/<random>` for bodies being received. A staged
//! file becomes readable only by an atomic rename into `objects/`, after it was written and
//! synced, so a reader never sees half a file and a crash leaves at most a staged file, which
//! [`FolderStore::sweep_staging`] removes at the next start.

use std::fs::{self, File};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use domain::kernel::blob::{
    BlobInfo, BlobKey, BlobReader, BlobStore, ByteSource, HEAD_BYTES, Sha256, StagedBlob,
};
use domain::kernel::text::{Key, Text};
use domain::{Cause, Error, Result};
use sha2::Digest;

/// Bytes read and written per step while staging.
const CHUNK: usize = 64 * 1024;

/// Blobs as files in a folder.
#[derive(Debug, Clone)]
pub struct FolderStore {
    objects: PathBuf,
    staging: PathBuf,
}

fn io_error(what: String, e: io::Error) -> Error {
    Error::Internal(Cause::with_source(what, e))
}

impl FolderStore {
    /// Opens (creating them if needed) the folders under `root`.
    pub fn open(root: &Path) -> Result<FolderStore> {
        let store = FolderStore {
            objects: root.join("objects"),
            staging: root.join("staging"),
        };
        for dir in [&store.objects, &store.staging] {
            fs::create_dir_all(dir)
                .map_err(|e| io_error(format!("cannot create {}", dir.display()), e))?;
        }
        Ok(store)
    }

    fn object_path(&self, key: &BlobKey) -> PathBuf {
        key.segments()
            .fold(self.objects.clone(), |path, segment| path.join(segment))
    }

    fn staged_path(&self, handle: &str) -> Result<PathBuf> {
        // Handles are ours (a UUID); anything else did not come from `stage`.
        if handle.is_empty() || !handle.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            return Err(Error::internal(format!(
                "{handle:?} is not a staging handle"
            )));
        }
        Ok(self.staging.join(handle))
    }

    /// Removes staged files older than `age`: what uploads interrupted by a crash left behind.
    /// Returns how many were removed.
    pub fn sweep_staging(&self, age: Duration) -> Result<usize> {
        let cutoff = SystemTime::now()
            .checked_sub(age)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let entries = fs::read_dir(&self.staging)
            .map_err(|e| io_error(format!("cannot list {}", self.staging.display()), e))?;
        let mut removed = 0;
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified < cutoff);
            if old && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Writes `body` to `file`, hashing and counting; `Ok(None)` once more than `max_bytes` arrive.
fn copy_limited(
    body: &mut dyn ByteSource,
    file: &mut File,
    max_bytes: u64,
) -> io::Result<Option<(u64, Sha256, Vec<u8>)>> {
    let mut hasher = sha2::Sha256::new();
    let mut head = Vec::new();
    let mut size: u64 = 0;
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let n = match body.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        size += n as u64;
        if size > max_bytes {
            return Ok(None);
        }
        let chunk = &buffer[..n];
        if head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - head.len()).min(n);
            head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(chunk);
        file.write_all(chunk)?;
    }
    file.sync_all()?;
    Ok(Some((size, Sha256(hasher.finalize().into()), head)))
}

/// Makes a rename into `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

impl BlobStore for FolderStore {
    fn stage(&self, body: &mut dyn ByteSource, max_bytes: u64) -> Result<StagedBlob> {
        let handle = uuid::Uuid::new_v4().to_string();
        let path = self.staging.join(&handle);
        let mut file = File::create(&path)
            .map_err(|e| io_error(format!("cannot create {}", path.display()), e))?;
        let outcome = copy_limited(body, &mut file, max_bytes);
        drop(file);
        match outcome {
            Ok(Some((size, sha256, head))) => Ok(StagedBlob {
                handle,
                size,
                sha256,
                head,
            }),
            Ok(None) => {
                let _ = fs::remove_file(&path);
                let kib = i64::try_from(max_bytes / 1024).unwrap_or(i64::MAX);
                Err(Error::TooLarge(
                    Text::new(Key::BodyTooLarge).with("kib", kib),
                ))
            }
            Err(e) => {
                let _ = fs::remove_file(&path);
                Err(io_error("cannot receive a file".to_owned(), e))
            }
        }
    }

    fn commit(&self, staged: StagedBlob, key: &BlobKey) -> Result<BlobInfo> {
        let from = self.staged_path(&staged.handle)?;
        let to = self.object_path(key);
        let dir = to.parent().unwrap_or(&self.objects);
        fs::create_dir_all(dir)
            .map_err(|e| io_error(format!("cannot create {}", dir.display()), e))?;
        fs::rename(&from, &to).map_err(|e| io_error(format!("cannot store blob {key}"), e))?;
        sync_dir(dir).map_err(|e| io_error(format!("cannot sync {}", dir.display()), e))?;
        Ok(BlobInfo {
            key: key.clone(),
            size: staged.size,
            sha256: staged.sha256,
        })
    }

    fn discard(&self, staged: StagedBlob) -> Result<()> {
        match fs::remove_file(self.staged_path(&staged.handle)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("cannot discard a staged file".to_owned(), e)),
        }
    }

    fn open(&self, key: &BlobKey, offset: u64) -> Result<Option<BlobReader>> {
        let path = self.object_path(key);
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(format!("cannot open blob {key}"), e)),
        };
        let size = file
            .metadata()
            .map_err(|e| io_error(format!("cannot read blob {key}"), e))?
            .len();
        file.seek(SeekFrom::Start(offset.min(size)))
            .map_err(|e| io_error(format!("cannot read blob {key}"), e))?;
        Ok(Some(BlobReader {
            size,
            reader: Box::new(file),
        }))
    }

    fn delete(&self, key: &BlobKey) -> Result<bool> {
        match fs::remove_file(self.object_path(key)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_error(format!("cannot delete blob {key}"), e)),
        }
    }
}
