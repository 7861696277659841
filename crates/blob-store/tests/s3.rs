//! The S3 store against a real S3-compatible server (moto in CI), on a fresh bucket per test.
//! `TEST_S3_ENDPOINT` (e.g. `http://127.0.0.1:5055`) says where; unset, S3 is not tested.
#![cfg(test)]

mod contract;

use std::io::Cursor;
use std::time::Duration;

use blob_store::{S3Store, read_to_vec};
use domain::Error;
use domain::kernel::blob::BlobStore;

/// A bucket of its own on the test server.
struct Bucket {
    endpoint: String,
    name: String,
}

impl Bucket {
    /// A fresh bucket, or `None` (having said so) when no S3 server is configured.
    fn create() -> Option<Bucket> {
        let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
            eprintln!("TEST_S3_ENDPOINT unset: S3 not tested");
            return None;
        };
        let name = format!("medcare-test-{}", uuid::Uuid::new_v4().simple());
        // The test server takes an unsigned request; object_store cannot create buckets.
        ureq::put(&format!("{endpoint}/{name}"))
            .send_empty()
            .unwrap();
        Some(Bucket { endpoint, name })
    }

    fn settings(&self) -> [(&str, &str); 5] {
        [
            ("aws_endpoint_url", self.endpoint.as_str()),
            ("aws_allow_http", "true"),
            ("aws_region", "us-east-1"),
            ("aws_access_key_id", "test"),
            ("aws_secret_access_key", "test"),
        ]
    }

    fn store(&self, prefix: &str) -> S3Store {
        S3Store::connect(&format!("s3://{}/{prefix}", self.name), &self.settings()).unwrap()
    }

    /// The raw listing (ListObjectsV2, or the multipart uploads with `?uploads`).
    fn listing(&self, query: &str) -> String {
        ureq::get(&format!("{}/{}?{query}", self.endpoint, self.name))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap()
    }

    /// Every object key in the bucket.
    fn keys(&self) -> Vec<String> {
        elements(&self.listing("list-type=2"), "Key")
    }

    /// Multipart uploads started and neither completed nor aborted.
    fn open_uploads(&self) -> Vec<String> {
        elements(&self.listing("uploads"), "UploadId")
    }
}

/// The texts of the XML elements named `name`.
fn elements(xml: &str, name: &str) -> Vec<String> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(text, _)| text.to_owned()))
        .collect()
}

#[test]
fn a_staged_blob_is_invisible_until_committed_then_readable_from_any_offset() {
    let Some(bucket) = Bucket::create() else {
        return;
    };
    let store = bucket.store("blobs");
    contract::staged_blobs_are_invisible_until_committed_then_readable_from_any_offset(&store);
    assert_eq!(bucket.keys(), Vec::<String>::new());
}

#[test]
fn a_large_body_goes_up_in_parts_and_reads_back_from_any_offset() {
    let Some(bucket) = Bucket::create() else {
        return;
    };
    let store = bucket.store("blobs");
    let bytes = contract::pattern(20 * 1024 * 1024 + 12_345);
    let staged = store
        .stage(&mut Cursor::new(bytes.clone()), bytes.len() as u64)
        .unwrap();
    // A multipart object's ETag ends in the number of its parts: 8 MiB, 8 MiB, the rest.
    let listing = bucket.listing("list-type=2");
    let etags = contract_etags(&listing);
    assert_eq!(etags.len(), 1, "{listing}");
    assert!(etags[0].ends_with("-3"), "{listing}");
    store.discard(staged).unwrap();

    contract::round_trip(&store, "dicom/1.2.3/4.5.6", &bytes);
    let k = contract::key("dicom/1.2.3/4.5.6");
    let mut middle = store.open(&k, 9 * 1024 * 1024).unwrap().unwrap();
    assert_eq!(middle.size, bytes.len() as u64);
    assert!(read_to_vec(&mut middle.reader).unwrap() == bytes[9 * 1024 * 1024..]);
    assert_eq!(bucket.keys(), vec!["blobs/objects/dicom/1.2.3/4.5.6"]);
    assert_eq!(bucket.open_uploads(), Vec::<String>::new());
}

/// The ETags in a listing, without their quotes.
fn contract_etags(listing: &str) -> Vec<String> {
    elements(listing, "ETag")
        .into_iter()
        .map(|tag| {
            tag.replace("&#34;", "")
                .replace("&quot;", "")
                .replace('"', "")
        })
        .collect()
}

#[test]
fn too_large_or_interrupted_bodies_leave_nothing_in_the_bucket() {
    let Some(bucket) = Bucket::create() else {
        return;
    };
    let store = bucket.store("blobs");
    // Small enough for one request each.
    contract::too_large_or_interrupted_bodies_fail(&store, 1024);
    assert_eq!(bucket.keys(), Vec::<String>::new());
    // Past the first part, so that a multipart upload was under way and has to be aborted.
    contract::too_large_or_interrupted_bodies_fail(&store, 9 * 1024 * 1024);
    assert_eq!(bucket.keys(), Vec::<String>::new());
    assert_eq!(bucket.open_uploads(), Vec::<String>::new());
}

#[test]
fn put_replaces_and_sweeping_removes_only_old_staged_objects() {
    let Some(bucket) = Bucket::create() else {
        return;
    };
    // No prefix: the store's folders sit at the bucket's root.
    let store = S3Store::connect(&format!("s3://{}", bucket.name), &bucket.settings()).unwrap();
    contract::put_replaces(&store);
    assert_eq!(bucket.keys(), vec!["objects/reports/a.pdf"]);
    let _left = store.stage(&mut Cursor::new(b"x".to_vec()), 10).unwrap();
    assert_eq!(store.sweep_staging(Duration::from_secs(3600)).unwrap(), 0);
    // S3 keeps modification times to the second.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(store.sweep_staging(Duration::ZERO).unwrap(), 1);
    assert_eq!(bucket.keys(), vec!["objects/reports/a.pdf"]);
}

#[test]
fn a_handle_that_is_not_ours_is_refused() {
    let Some(bucket) = Bucket::create() else {
        return;
    };
    contract::foreign_handles_are_refused(&bucket.store("p"));
}

#[test]
fn a_missing_bucket_or_a_bad_url_fails_at_connect() {
    let Some(bucket) = Bucket::create() else {
        return;
    };
    let missing = format!("s3://{}-missing", bucket.name);
    let e = S3Store::connect(&missing, &bucket.settings()).unwrap_err();
    assert!(matches!(e, Error::Unavailable(_)), "{e:?}");
    assert!(
        e.chain().contains("cannot list the bucket"),
        "{}",
        e.chain()
    );
    for bad in ["/var/lib/blobs", "s3://", "s3://b"] {
        assert!(S3Store::connect(bad, &bucket.settings()).is_err(), "{bad}");
    }
    let unknown = S3Store::connect(&format!("s3://{}", bucket.name), &[("no_such", "x")]);
    assert!(unknown.is_err());
}

#[test]
fn a_store_works_from_inside_another_runtime() {
    let Some(bucket) = Bucket::create() else {
        return;
    };
    let store = bucket.store("rt");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // The port is synchronous; a caller on a runtime's own thread must not make it panic, and
    // dropping the store there must not either.
    let read = runtime.block_on(async move {
        let k = contract::key("a/b");
        domain::kernel::blob::put(&store, &k, &mut Cursor::new(b"hello".to_vec()), 10).unwrap();
        let bytes = domain::kernel::blob::read_all(&store, &k).unwrap();
        drop(store);
        bytes
    });
    assert_eq!(read.unwrap(), b"hello".to_vec());
}
