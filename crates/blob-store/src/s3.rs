//! [`S3Store`] keeps blobs as objects in an S3-compatible bucket, under an optional prefix:
//! `<prefix>/objects/<key>` for committed blobs, `<prefix>/staging/<uuid>` for bodies being
//! received. A body streams into its staging object in parts (a multipart upload; one plain PUT
//! when it is small); a commit is a server-side copy into `objects/`, which S3 makes visible whole
//! or not at all, followed by the staging object's removal. An interrupted upload leaves at most a
//! staging object (or an aborted multipart upload), which [`S3Store::sweep_staging`] removes.

mod bridge;

use std::io::{self, Read};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use domain::kernel::blob::{
    BlobInfo, BlobKey, BlobReader, BlobStore, ByteSource, HEAD_BYTES, Sha256, StagedBlob,
};
use domain::kernel::text::{Key, Text};
use domain::{Cause, Error, Result};
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{
    GetOptions, GetRange, MultipartUpload, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
};
use sha2::Digest;

use bridge::{Bridge, StreamReader};

/// The size of each part of a multipart upload (S3 wants at least 5 MiB but for the last one).
/// A body smaller than one part is sent in a single PUT.
const PART_BYTES: usize = 8 * 1024 * 1024;

/// Bytes read from a body per step while staging.
const READ_BYTES: usize = 64 * 1024;

/// Blobs as objects in an S3-compatible bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    bridge: Bridge,
    client: Arc<AmazonS3>,
    objects: Path,
    staging: Path,
}

/// What a failed request to the storage service becomes: the service is unavailable to us.
fn storage(what: impl Into<String>) -> impl FnOnce(object_store::Error) -> Error {
    move |e| Error::Unavailable(Cause::with_source(what, e))
}

fn too_large(max_bytes: u64) -> Error {
    let kib = i64::try_from(max_bytes / 1024).unwrap_or(i64::MAX);
    Error::TooLarge(Text::new(Key::BodyTooLarge).with("kib", kib))
}

/// `s3://bucket[/prefix]` split into the bucket and the prefix's path (empty for none).
fn parse_url(url: &str) -> Result<(String, Path)> {
    let bad = |why: &str| Error::internal(format!("the blob store URL {url:?} {why}"));
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| bad("does not start with s3://"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'));
    if !bucket_ok {
        return Err(bad(
            "does not name a bucket (3 to 63 of a-z, 0-9, '-', '.')",
        ));
    }
    let prefix = prefix.trim_end_matches('/');
    let prefix = if prefix.is_empty() {
        Path::default()
    } else {
        Path::parse(prefix).map_err(|_| bad("has a prefix that is not a plain path"))?
    };
    Ok((bucket.to_owned(), prefix))
}

impl S3Store {
    /// Connects to the bucket of `url` (`s3://bucket[/prefix]`) and checks with one request that
    /// it answers. Endpoint, region and credentials come from the standard `AWS_*` variables
    /// (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_ALLOW_HTTP`, …); `settings` are applied over them, by the same names in lower case
    /// (`aws_endpoint_url`, …), for a caller that holds them elsewhere.
    pub fn connect(url: &str, settings: &[(&str, &str)]) -> Result<S3Store> {
        let (bucket, prefix) = parse_url(url)?;
        let mut builder = AmazonS3Builder::from_env().with_url(format!("s3://{bucket}"));
        for (name, value) in settings {
            let key: AmazonS3ConfigKey = name
                .to_ascii_lowercase()
                .parse()
                .map_err(|_| Error::internal(format!("{name:?} is not an S3 setting")))?;
            builder = builder.with_config(key, *value);
        }
        // The default retries for three minutes; a server that cannot reach its storage should
        // say so sooner.
        let retry = RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(30),
            ..RetryConfig::default()
        };
        let client = builder.with_retry(retry).build().map_err(|e| {
            Error::Internal(Cause::with_source(
                format!("cannot set up S3 access for {url}"),
                e,
            ))
        })?;
        let store = S3Store {
            bridge: Bridge::new()?,
            client: Arc::new(client),
            objects: prefix.clone().join("objects"),
            staging: prefix.join("staging"),
        };
        let client = store.client.clone();
        let staging = store.staging.clone();
        store.call(format!("cannot list the bucket of {url}"), async move {
            client.list_with_delimiter(Some(&staging)).await
        })?;
        Ok(store)
    }

    /// Runs a request on the store's runtime.
    fn call<T, F>(&self, what: impl Into<String>, request: F) -> Result<T>
    where
        F: Future<Output = object_store::Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.bridge.run(request)?.map_err(storage(what))
    }

    fn object_location(&self, key: &BlobKey) -> Result<Path> {
        // A key's segments are already safe path segments, so this never fails in practice.
        Path::parse(format!("{}/{key}", self.objects))
            .map_err(|e| Error::Internal(Cause::with_source(format!("bad blob key {key}"), e)))
    }

    fn staged_location(&self, handle: &str) -> Result<Path> {
        // Handles are ours (a UUID); anything else did not come from `stage`.
        if handle.is_empty() || !handle.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            return Err(Error::internal(format!(
                "{handle:?} is not a staging handle"
            )));
        }
        Ok(self.staging.clone().join(handle))
    }

    /// Removes staging objects older than `age`: what uploads interrupted by a crash left behind.
    /// Returns how many were removed.
    pub fn sweep_staging(&self, age: Duration) -> Result<usize> {
        let cutoff = SystemTime::now()
            .checked_sub(age)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let client = self.client.clone();
        let staging = self.staging.clone();
        self.call("cannot clean up the staging area", async move {
            let mut listing = client.list(Some(&staging));
            let mut removed = 0;
            while let Some(meta) = std::future::poll_fn(|cx| listing.as_mut().poll_next(cx)).await {
                let meta = meta?;
                if SystemTime::from(meta.last_modified) < cutoff {
                    match client.delete(&meta.location).await {
                        Ok(()) => removed += 1,
                        Err(object_store::Error::NotFound { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok(removed)
        })
    }

    /// Sends a body that did not fit in one part: a multipart upload, one part in flight while
    /// the next is read, aborted on any failure so that no part is left behind.
    fn stage_in_parts(
        &self,
        body: &mut dyn ByteSource,
        max_bytes: u64,
        location: Path,
        first: Vec<u8>,
        tally: &mut Tally,
    ) -> Result<()> {
        let client = self.client.clone();
        let at = location.clone();
        let mut upload = self.call("cannot start an upload", async move {
            client.put_multipart(&at).await
        })?;
        match self.send_parts(upload.as_mut(), body, max_bytes, first, tally) {
            Ok(()) => self.call("cannot finish an upload", async move {
                match upload.complete().await {
                    Ok(_) => Ok(()),
                    Err(e) => {
                        let _ = upload.abort().await;
                        Err(e)
                    }
                }
            }),
            Err(e) => {
                let aborted = self.call(
                    "cannot abort an upload",
                    async move { upload.abort().await },
                );
                if let Err(abort) = aborted {
                    tracing::warn!(location = %location, error = %abort.chain(), "an upload's parts were left behind");
                }
                Err(e)
            }
        }
    }

    fn send_parts(
        &self,
        upload: &mut dyn MultipartUpload,
        body: &mut dyn ByteSource,
        max_bytes: u64,
        first: Vec<u8>,
        tally: &mut Tally,
    ) -> Result<()> {
        let mut in_flight = self.bridge.spawn(upload.put_part(PutPayload::from(first)));
        loop {
            let mut next = Vec::new();
            let read = fill(body, &mut next, tally, max_bytes);
            // The part in flight settles before anything else happens, so that an abort never
            // races an upload still running.
            let sent = in_flight.wait()?.map_err(storage("cannot upload a part"));
            let ended = read?;
            sent?;
            if next.is_empty() {
                return Ok(());
            }
            in_flight = self.bridge.spawn(upload.put_part(PutPayload::from(next)));
            if ended {
                return in_flight.wait()?.map_err(storage("cannot upload a part"));
            }
        }
    }
}

/// The running size, digest and first bytes of a body.
struct Tally {
    hasher: sha2::Sha256,
    head: Vec<u8>,
    size: u64,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            hasher: sha2::Sha256::new(),
            head: Vec::new(),
            size: 0,
        }
    }

    /// Counts `chunk`; refuses it when it takes the body past `max_bytes`.
    fn add(&mut self, chunk: &[u8], max_bytes: u64) -> Result<()> {
        self.size += chunk.len() as u64;
        if self.size > max_bytes {
            return Err(too_large(max_bytes));
        }
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        Ok(())
    }

    fn finish(self, handle: String) -> StagedBlob {
        StagedBlob {
            handle,
            size: self.size,
            sha256: Sha256(self.hasher.finalize().into()),
            head: self.head,
        }
    }
}

/// Reads `body` into `part` until the part is full or the body ends; `Ok(true)` when it ended.
fn fill(
    body: &mut dyn ByteSource,
    part: &mut Vec<u8>,
    tally: &mut Tally,
    max_bytes: u64,
) -> Result<bool> {
    while part.len() < PART_BYTES {
        let start = part.len();
        part.resize(start + READ_BYTES.min(PART_BYTES - start), 0);
        let n = loop {
            match body.read(&mut part[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::Internal(Cause::with_source(
                        "cannot receive a file",
                        e,
                    )));
                }
            }
        };
        part.truncate(start + n);
        if n == 0 {
            return Ok(true);
        }
        tally.add(&part[start..], max_bytes)?;
    }
    Ok(false)
}

impl BlobStore for S3Store {
    fn stage(&self, body: &mut dyn ByteSource, max_bytes: u64) -> Result<StagedBlob> {
        let handle = uuid::Uuid::new_v4().to_string();
        let location = self.staged_location(&handle)?;
        let mut tally = Tally::new();
        let mut first = Vec::new();
        // Nothing is sent before the first part is full, so a failure here leaves nothing.
        if fill(body, &mut first, &mut tally, max_bytes)? {
            let client = self.client.clone();
            self.call("cannot store a file", async move {
                client.put(&location, PutPayload::from(first)).await
            })?;
        } else {
            self.stage_in_parts(body, max_bytes, location, first, &mut tally)?;
        }
        Ok(tally.finish(handle))
    }

    fn commit(&self, staged: StagedBlob, key: &BlobKey) -> Result<BlobInfo> {
        let from = self.staged_location(&staged.handle)?;
        let to = self.object_location(key)?;
        let client = self.client.clone();
        let staging = from.clone();
        self.call(format!("cannot store blob {key}"), async move {
            client.copy(&from, &to).await
        })?;
        // The blob is published; a staging object left here is only litter for the sweep.
        let client = self.client.clone();
        let removed = self.call("cannot remove a staged file", async move {
            client.delete(&staging).await
        });
        if let Err(e) = removed {
            tracing::warn!(error = %e.chain(), "a committed blob's staged copy was left behind");
        }
        Ok(BlobInfo {
            key: key.clone(),
            size: staged.size,
            sha256: staged.sha256,
        })
    }

    fn discard(&self, staged: StagedBlob) -> Result<()> {
        let location = self.staged_location(&staged.handle)?;
        let client = self.client.clone();
        self.call("cannot discard a staged file", async move {
            match client.delete(&location).await {
                Err(object_store::Error::NotFound { .. }) => Ok(()),
                other => other,
            }
        })
    }

    fn open(&self, key: &BlobKey, offset: u64) -> Result<Option<BlobReader>> {
        let location = self.object_location(key)?;
        let client = self.client.clone();
        let found = self.call(format!("cannot open blob {key}"), async move {
            let options = GetOptions {
                range: (offset > 0).then_some(GetRange::Offset(offset)),
                ..GetOptions::default()
            };
            match client.get_opts(&location, options).await {
                Ok(got) => Ok(Some((got.meta.size, Some(got.into_stream())))),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                // S3 refuses a range that starts at or past the end; the contract clamps the
                // offset to the size, which is then an empty read.
                Err(refused) if offset > 0 => match client.head(&location).await {
                    Ok(meta) if meta.size <= offset => Ok(Some((meta.size, None))),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    _ => Err(refused),
                },
                Err(e) => Err(e),
            }
        })?;
        Ok(found.map(|(size, stream)| {
            let reader: Box<dyn Read + Send> =
                Box::new(StreamReader::new(self.bridge.clone(), stream));
            BlobReader { size, reader }
        }))
    }

    fn delete(&self, key: &BlobKey) -> Result<bool> {
        let location = self.object_location(key)?;
        let client = self.client.clone();
        self.call(format!("cannot delete blob {key}"), async move {
            match client.head(&location).await {
                Ok(_) => client.delete(&location).await.map(|()| true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(e),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_bucket_and_an_optional_prefix() {
        let (bucket, prefix) = parse_url("s3://medcare-files").unwrap();
        assert_eq!((bucket.as_str(), prefix.as_ref()), ("medcare-files", ""));
        let (bucket, prefix) = parse_url("s3://medcare-files/prod/blobs/").unwrap();
        assert_eq!(
            (bucket.as_str(), prefix.as_ref()),
            ("medcare-files", "prod/blobs")
        );
        for bad in [
            "medcare-files",
            "https://medcare-files",
            "s3://",
            "s3://ab",
            "s3://Upper",
            "s3://bucket/a//b",
            "s3://bucket/../x",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
