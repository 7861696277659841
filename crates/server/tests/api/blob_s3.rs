//! The server with its files in an S3-compatible bucket (`BLOB_STORE_URL=s3://…`): a document
//! uploaded through the API lands in the bucket whole, and a bucket that does not answer stops the
//! server at start. `TEST_S3_ENDPOINT` says where the S3 server is; unset, S3 is not tested.

use blob_store::S3Store;
use domain::kernel::blob::{self, BlobKey};
use server::config::{S3Config, Secret};
use store_diesel::testing::TestDb;
use token::KeyRing;

use crate::declarations::{
    ALL_SCOPES, FAMILY_DOCTOR, LE, PERSON_OFFLINE, create, create_body, ehealth_token,
    seed_registry,
};
use crate::helpers::{TestApp, config_for};

/// A fresh bucket on the test server, or `None` (having said so) when there is none.
fn bucket() -> Option<(String, String)> {
    let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
        eprintln!("TEST_S3_ENDPOINT unset: S3 not tested");
        return None;
    };
    let name = format!("medcare-e2e-{}", uuid::Uuid::new_v4().simple());
    ureq::put(&format!("{endpoint}/{name}"))
        .send_empty()
        .expect("bucket created");
    Some((endpoint, name))
}

/// The test server's address and dummy credentials, as S3 settings.
fn config_settings(endpoint: &str) -> [(&'static str, String); 5] {
    [
        ("aws_endpoint_url", endpoint.to_owned()),
        ("aws_allow_http", "true".to_owned()),
        ("aws_region", "us-east-1".to_owned()),
        ("aws_access_key_id", "test".to_owned()),
        ("aws_secret_access_key", "test".to_owned()),
    ]
}

fn s3_config(endpoint: &str, url: String) -> S3Config {
    S3Config {
        url,
        settings: config_settings(endpoint)
            .into_iter()
            .map(|(name, value)| (name.to_owned(), Secret::new(value)))
            .collect(),
    }
}

fn get_bytes(url: &str) -> Vec<u8> {
    ureq::get(url)
        .call()
        .expect("S3 answers")
        .body_mut()
        .read_to_vec()
        .expect("body")
}

#[test]
fn an_uploaded_document_lands_in_the_bucket() {
    let Some((endpoint, bucket)) = bucket() else {
        return;
    };
    let url = format!("s3://{bucket}/files");
    let config = s3_config(&endpoint, url);
    let app = TestApp::spawn_configured(
        TestDb::sqlite(),
        KeyRing::generate(),
        |c| c.blob_s3 = Some(config),
        false,
    );
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (_, created) = create(&app, &token, create_body(PERSON_OFFLINE, FAMILY_DOCTOR));
    let link = created.json["urgent"]["documents"][1]["url"]
        .as_str()
        .expect("an upload link")
        .to_owned();
    let scan: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let stored = app.send(
        "PUT",
        link.strip_prefix(&app.base).expect("a link to this server"),
        &[],
        Some(("application/octet-stream", scan.clone())),
    );
    assert_eq!(stored.status, 200, "{}", stored.text);
    assert_eq!(stored.json["data"]["size"], 300_000);
    let key = stored.json["data"]["key"]
        .as_str()
        .expect("a key")
        .to_owned();

    // The bucket's listing (S3's HTTP API): the object, nothing left in staging.
    let listing =
        String::from_utf8(get_bytes(&format!("{endpoint}/{bucket}?list-type=2"))).expect("XML");
    let keys: Vec<&str> = listing
        .split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</Key>").map(|(k, _)| k))
        .collect();
    assert_eq!(keys, [format!("files/objects/{key}")], "{listing}");
    // The object's bytes, through a client of the bucket's own (a signed GET) and through the
    // server's store, as its services read it.
    let key = BlobKey::parse(&key).expect("a blob key");
    let owned = config_settings(&endpoint);
    let settings: Vec<(&str, &str)> = owned
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let own = S3Store::connect(&format!("s3://{bucket}/files"), &settings).expect("connects");
    let object = blob::read_all(&own, &key).expect("readable");
    assert!(
        object.as_deref() == Some(&scan[..]),
        "the bucket holds the bytes sent"
    );
    let through_server = blob::read_all(app.platform.state.blobs.as_ref(), &key).expect("readable");
    assert!(through_server == Some(scan));
}

#[test]
fn a_bucket_that_does_not_answer_stops_the_server_at_start() {
    let Some((endpoint, bucket)) = bucket() else {
        return;
    };
    let db = TestDb::sqlite();
    let files = tempfile::tempdir().expect("a folder");
    let mut config = config_for(&db.url, &KeyRing::generate(), files.path());
    let url = format!("s3://{bucket}-missing");
    config.blob_s3 = Some(s3_config(&endpoint, url.clone()));
    let refused = server::open(&config).expect_err("a missing bucket is refused");
    let message = format!("{refused:#}");
    assert!(
        message.contains(&format!("cannot use {url} for files")),
        "{message}"
    );
}

/// The keys in `bucket` (S3's listing, unsigned as the test server allows).
fn listed(endpoint: &str, bucket: &str) -> Vec<String> {
    let listing =
        String::from_utf8(get_bytes(&format!("{endpoint}/{bucket}?list-type=2"))).expect("XML");
    listing
        .split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</Key>").map(|(k, _)| k.to_owned()))
        .collect()
}

#[test]
fn images_live_in_the_bucket_and_leave_it_with_their_study() {
    let Some((endpoint, bucket)) = bucket() else {
        return;
    };
    let config = s3_config(&endpoint, format!("s3://{bucket}"));
    let app = TestApp::spawn_configured(
        TestDb::sqlite(),
        KeyRing::generate(),
        |c| c.blob_s3 = Some(config),
        false,
    );
    let s = crate::clinic_imaging::staff(&app);
    let original = std::fs::read(crate::dcmtk::file("examples_ybr_color.dcm")).expect("test file");
    let received = crate::clinic_imaging_files::receive(
        &app,
        &s.technician,
        &[("clip.dcm", original.clone())],
    );
    assert_eq!(received.status, 200, "{}", received.text);
    let image = &received.json["data"]["files"][0]["image"];
    let (image_id, study_id) = (
        image["id"].as_str().expect("an image").to_owned(),
        image["study_id"].as_str().expect("a study").to_owned(),
    );
    assert_eq!(image["frames"], 30);

    // The multi-frame clip's first frame drawn, its file read back whole, both from the bucket.
    let auth = [("authorization", s.doctor.as_str())];
    let (status, _, png) = app.send_bytes(
        "GET",
        &format!("/api/dicom/images/{image_id}/thumbnail"),
        &auth,
    );
    assert_eq!(status, 200);
    assert_eq!(&png[1..4], b"PNG");
    let (status, _, file) = app.send_bytes(
        "GET",
        &format!("/api/dicom/images/{image_id}/download"),
        &auth,
    );
    assert_eq!(status, 200);
    assert_eq!(file.len(), original.len());
    let keys = listed(&endpoint, &bucket);
    assert_eq!(keys.len(), 2, "the instance and its thumbnail: {keys:?}");
    assert!(
        keys.iter().all(|k| k.starts_with("objects/dicom/")),
        "{keys:?}"
    );

    let deleted = app.send(
        "DELETE",
        &format!("/api/dicom/studies/{study_id}"),
        &[("authorization", s.technician.as_str())],
        None,
    );
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert!(listed(&endpoint, &bucket).is_empty());
}

#[test]
fn documents_live_in_the_bucket_and_are_read_through_their_links() {
    let Some((endpoint, bucket)) = bucket() else {
        return;
    };
    let config = s3_config(&endpoint, format!("s3://{bucket}"));
    let app = TestApp::spawn_configured(
        TestDb::postgres().unwrap_or_else(TestDb::sqlite),
        KeyRing::generate(),
        |c| c.blob_s3 = Some(config),
        false,
    );
    let patient = app.user();
    // Large enough to cross the store's multipart threshold: 6 MB of varied bytes after a PDF head.
    let mut pdf = crate::documents::PDF.to_vec();
    pdf.extend((0..6_000_000u32).map(|i| (i % 251) as u8));
    let up = crate::documents::upload(&app, &patient, &pdf, "تحليل.pdf");
    assert_eq!(up.status, 200, "{}", up.text);
    let key = up.json["data"]["key"].as_str().expect("a key").to_owned();
    assert_eq!(listed(&endpoint, &bucket), [format!("objects/{key}")]);
    // Stored once.
    let again = crate::documents::upload(&app, &patient, &pdf, "again.pdf");
    assert_eq!(again.json["data"]["key"], key.as_str());
    assert_eq!(listed(&endpoint, &bucket).len(), 1);

    let url = up.json["data"]["url"].as_str().expect("a link");
    let link = url.strip_prefix(&app.base).expect("a link to this server");
    let (status, _, whole) = app.send_bytes("GET", link, &[]);
    assert_eq!(status, 200);
    assert!(whole == pdf, "the bytes come back whole");
    let (status, headers, part) =
        app.send_bytes("GET", link, &[("range", "bytes=5000000-5000099")]);
    assert_eq!(status, 206);
    assert_eq!(
        headers["content-range"],
        format!("bytes 5000000-5000099/{}", pdf.len())
    );
    assert!(part == pdf[5_000_000..5_000_100], "the range is the file's");
}
