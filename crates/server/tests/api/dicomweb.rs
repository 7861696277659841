//! DICOMweb end to end on both databases: two real files received, then searched (QIDO-RS with
//! wildcards, URL-encoded values, dates, levels), their metadata, frames as stored and decoded,
//! rendered images, whole instances as multipart, and the refusals (404, 406, roles).

use serde_json::Value;

use crate::clinic_imaging::{imaging_app, png_size, staff};
use crate::clinic_imaging_files::receive;
use crate::dcmtk::file;
use crate::helpers::{TestApp, on_each_backend};

const CT_STUDY: &str = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
const CT_SERIES: &str = "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322";
const CT_SOP: &str = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";
const US_STUDY: &str = "1.2.840.114340.3.8251017118051.1.20160503.120850.2171";
const US_SERIES: &str = "1.2.840.114340.3.8251017118051.2.20160503.120850.2171";
const US_SOP: &str = "1.2.840.114340.3.8251017118051.3.20160503.121539.16117.4";

fn get(app: &TestApp, path: &str, token: &str, accept: Option<&str>) -> (u16, String, Vec<u8>) {
    let bearer = format!("Bearer {token}");
    let mut headers = vec![("authorization", bearer.as_str())];
    if let Some(accept) = accept {
        headers.push(("accept", accept));
    }
    let (status, headers, body) = app.send_bytes("GET", path, &headers);
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, body)
}

fn json(app: &TestApp, path: &str, token: &str) -> Value {
    let (status, content_type, body) = get(app, path, token, None);
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    assert_eq!(content_type, "application/dicom+json", "{path}");
    serde_json::from_slice(&body).unwrap()
}

fn uids(list: &Value, tag: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| o[tag]["Value"][0].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The parts of a `multipart/related` body: each part's headers and bytes.
fn parts(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a boundary")
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let head_end = find(rest, b"\r\n\r\n").expect("part headers");
        let head = String::from_utf8_lossy(&rest[2..head_end]).into_owned();
        let body_start = head_end + 4;
        let next = find(&rest[body_start..], delimiter.as_bytes()).expect("a next delimiter");
        out.push((head, rest[body_start..body_start + next - 2].to_vec()));
        rest = &rest[body_start..];
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

on_each_backend!(dicomweb_searches_and_retrieves, |db: TestDb| {
    let app = imaging_app(db);
    let s = staff(&app);
    let files = ["CT_small.dcm", "examples_ybr_color.dcm"]
        .map(|name| (name, std::fs::read(file(name)).unwrap()));
    let received = receive(&app, &s.technician, &files);
    assert_eq!(received.status, 200, "{}", received.text);
    let viewer = &s.technician;

    // QIDO-RS: every study, then by wildcard name (URL-encoded `*`), by modality, by date range.
    let all = json(&app, "/dicomweb/studies", viewer);
    assert_eq!(all.as_array().unwrap().len(), 2);
    let ct = json(&app, "/dicomweb/studies?PatientName=Compressed%2A", viewer);
    assert_eq!(uids(&ct, "0020000D"), [CT_STUDY]);
    assert_eq!(
        ct[0]["00100010"]["Value"][0]["Alphabetic"],
        "CompressedSamples^CT1"
    );
    assert_eq!(ct[0]["00201206"]["Value"][0], 1);
    assert!(
        ct[0]["00081190"]["Value"][0]
            .as_str()
            .unwrap()
            .ends_with(&format!("/dicomweb/studies/{CT_STUDY}"))
    );
    assert_eq!(
        uids(
            &json(&app, "/dicomweb/studies?ModalitiesInStudy=US", viewer),
            "0020000D"
        ),
        [US_STUDY]
    );
    assert_eq!(
        uids(
            &json(&app, "/dicomweb/studies?00100010=pla", viewer),
            "0020000D"
        ),
        [US_STUDY]
    );
    assert!(
        json(
            &app,
            "/dicomweb/studies?StudyDate=19000101-19000102",
            viewer
        )
        .as_array()
        .unwrap()
        .is_empty()
    );
    let series = json(
        &app,
        &format!("/dicomweb/studies/{US_STUDY}/series"),
        viewer,
    );
    assert_eq!(uids(&series, "0020000E"), [US_SERIES]);
    let instances = json(
        &app,
        &format!("/dicomweb/studies/{US_STUDY}/series/{US_SERIES}/instances"),
        viewer,
    );
    assert_eq!(uids(&instances, "00080018"), [US_SOP]);
    assert_eq!(instances[0]["00280008"]["Value"][0], 30);
    assert_eq!(
        json(&app, "/dicomweb/instances?limit=1&offset=1", viewer)
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (status, _, body) = get(&app, "/dicomweb/studies?Colour=red", viewer, None);
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));

    // WADO-RS metadata: the data set, pixel data as a bulk data reference.
    let meta = json(
        &app,
        &format!("/dicomweb/studies/{CT_STUDY}/series/{CT_SERIES}/metadata"),
        viewer,
    );
    assert_eq!(meta[0]["00080018"]["Value"][0], CT_SOP);
    assert!(
        meta[0]["7FE00010"]["BulkDataURI"].is_string(),
        "{}",
        meta[0]["7FE00010"]
    );

    // Frames: the JPEG clip's frame as stored when any syntax is accepted, decoded otherwise.
    let frame_path =
        format!("/dicomweb/studies/{US_STUDY}/series/{US_SERIES}/instances/{US_SOP}/frames/30");
    let any = "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*";
    let (status, content_type, body) = get(&app, &frame_path, viewer, Some(any));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let stored = parts(&content_type, &body);
    assert!(stored[0].0.contains("image/jpeg"), "{}", stored[0].0);
    assert_eq!(&stored[0].1[..2], [0xFF, 0xD8]);
    let (status, content_type, body) = get(
        &app,
        &frame_path,
        viewer,
        Some("multipart/related; type=\"application/octet-stream\""),
    );
    assert_eq!(status, 200);
    let decoded = parts(&content_type, &body);
    assert!(
        decoded[0].0.contains("transfer-syntax=1.2.840.10008.1.2.1"),
        "{}",
        decoded[0].0
    );
    let (rows, columns) = (
        instances[0]["00280010"]["Value"][0].as_u64().unwrap() as usize,
        instances[0]["00280011"]["Value"][0].as_u64().unwrap() as usize,
    );
    assert_eq!(decoded[0].1.len(), rows * columns * 3);
    let (status, _, _) = get(
        &app,
        &frame_path.replace("/frames/30", "/frames/31"),
        viewer,
        Some(any),
    );
    assert_eq!(status, 404);
    let (status, _, _) = get(
        &app,
        &frame_path,
        viewer,
        Some("multipart/related; type=\"image/jp2\""),
    );
    assert_eq!(status, 406);

    // Rendered: PNG fitted in the viewport; JPEG by default.
    let rendered =
        format!("/dicomweb/studies/{CT_STUDY}/series/{CT_SERIES}/instances/{CT_SOP}/rendered");
    let (status, content_type, png) = get(
        &app,
        &format!("{rendered}?viewport=64,64"),
        viewer,
        Some("image/png"),
    );
    assert_eq!((status, content_type.as_str()), (200, "image/png"));
    assert_eq!(png_size(&png), (64, 64));
    let (status, content_type, jpeg) = get(&app, &rendered, viewer, None);
    assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
    assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
    let (status, _, _) = get(&app, &format!("{rendered}?window=abc"), viewer, None);
    assert_eq!(status, 400);

    // Whole instances: doctors only; the file byte for byte.
    let instance = format!("/dicomweb/studies/{CT_STUDY}/series/{CT_SERIES}/instances/{CT_SOP}");
    let (status, _, _) = get(&app, &instance, viewer, None);
    assert_eq!(status, 403, "technicians view but do not download");
    let (status, content_type, body) = get(
        &app,
        &instance,
        &s.doctor,
        Some("multipart/related; type=\"application/dicom\""),
    );
    assert_eq!(status, 200);
    let files_back = parts(&content_type, &body);
    assert_eq!(files_back.len(), 1);
    assert!(files_back[0].1 == files[0].1, "the stored file, unchanged");
    let (status, _, body) = get(
        &app,
        &format!("/dicomweb/studies/{US_STUDY}"),
        &s.doctor,
        None,
    );
    assert_eq!(status, 200);
    assert!(find(&body, &files[1].1[..200]).is_some());

    // Unknown UIDs, malformed UIDs, other roles, no token.
    for path in [
        "/dicomweb/studies/1.2.3/metadata".to_owned(),
        "/dicomweb/studies/x.y/series".to_owned(),
    ] {
        assert_eq!(get(&app, &path, viewer, None).0, 404, "{path}");
    }
    assert_eq!(get(&app, "/dicomweb/studies", &s.reception, None).0, 403);
    assert_eq!(app.send_bytes("GET", "/dicomweb/studies", &[]).0, 401);
});

/// A `multipart/related; type="application/dicom"` body of `parts` (media type, bytes).
fn related(parts: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "stow-test-7d2f";
    let mut body = Vec::new();
    for (media, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Type: {media}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (
        format!("multipart/related; type=\"application/dicom\"; boundary={boundary}"),
        body,
    )
}

on_each_backend!(stow_stores_what_it_can_and_says_why_not, |db: TestDb| {
    let app = imaging_app(db);
    let s = staff(&app);
    let ct = std::fs::read(file("CT_small.dcm")).unwrap();
    let cut = &ct[..ct.len() / 2];
    let (content_type, body) = related(&[
        ("application/dicom", &ct),
        ("application/dicom", b"not a DICOM file at all"),
        ("application/dicom", cut),
    ]);
    let bearer = |t: &str| format!("Bearer {t}");
    let store = |token: &str, content_type: &str, body: Vec<u8>| {
        app.send(
            "POST",
            "/dicomweb/studies",
            &[("authorization", bearer(token).as_str())],
            Some((content_type, body)),
        )
    };
    let r = store(&s.technician, &content_type, body.clone());
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(
        r.json["00081199"]["Value"][0]["00081155"]["Value"][0], CT_SOP,
        "{}",
        r.text
    );
    let failed = r.json["00081198"]["Value"].as_array().unwrap();
    assert_eq!(failed.len(), 2, "{}", r.text);
    assert!(failed.iter().all(|f| f["00081197"]["Value"][0] == 0xC000));
    // Stored once, searchable at once; sending it again stores nothing new.
    let found = json(&app, "/dicomweb/instances", &s.technician);
    assert_eq!(uids(&found, "00080018"), [CT_SOP]);
    let (content_type, only_ct) = related(&[("application/dicom", &ct)]);
    assert_eq!(store(&s.technician, &content_type, only_ct).status, 200);
    assert_eq!(
        json(&app, "/dicomweb/instances", &s.technician)
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Into a named study: its own instance stored, another study's refused (A900) and not stored.
    let us = std::fs::read(file("examples_ybr_color.dcm")).unwrap();
    let (content_type, mixed) = related(&[("application/dicom", &ct), ("application/dicom", &us)]);
    let into_ct = app.send(
        "POST",
        &format!("/dicomweb/studies/{CT_STUDY}"),
        &[("authorization", bearer(&s.technician).as_str())],
        Some((&content_type, mixed)),
    );
    assert_eq!(into_ct.status, 202, "{}", into_ct.text);
    // The refused item names the instance: its class and UID were read before it was refused.
    let refused = &into_ct.json["00081198"]["Value"][0];
    assert_eq!(refused["00081197"]["Value"][0], 0xA900);
    assert_eq!(refused["00081155"]["Value"][0], US_SOP, "{}", into_ct.text);
    assert_eq!(
        refused["00081150"]["Value"][0], "1.2.840.10008.5.1.4.1.1.3.1",
        "{}",
        into_ct.text
    );
    assert_eq!(
        uids(
            &json(&app, "/dicomweb/instances", &s.technician),
            "00080018"
        ),
        [CT_SOP]
    );

    // Nothing storable: 409; not multipart/related: 415; not a technician: 403.
    let (content_type, junk) = related(&[("application/dicom", b"junk")]);
    let r = store(&s.technician, &content_type, junk);
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(
        store(&s.technician, "application/json", b"{}".to_vec()).status,
        415
    );
    assert_eq!(store(&s.doctor, &content_type, body).status, 403);
});

on_each_backend!(bulk_data_is_where_the_metadata_points, |db: TestDb| {
    let app = imaging_app(db);
    let s = staff(&app);
    let ct = std::fs::read(file("CT_small.dcm")).unwrap();
    assert_eq!(
        receive(&app, &s.technician, &[("CT_small.dcm", ct)]).status,
        200
    );
    let path =
        format!("/dicomweb/studies/{CT_STUDY}/series/{CT_SERIES}/instances/{CT_SOP}/metadata");
    let metadata = json(&app, &path, &s.doctor);
    let uri = metadata[0]["7FE00010"]["BulkDataURI"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = &uri[uri.find("/dicomweb/").unwrap()..];
    let (status, content_type, body) = get(&app, path, &s.doctor, None);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let found = parts(&content_type, &body);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].0.contains("application/octet-stream"),
        "{}",
        found[0].0
    );
    // 128 × 128 pixels of 16 bits.
    assert_eq!(found[0].1.len(), 128 * 128 * 2);
    // Only the pixel data is given by reference.
    let other = path.replace("7FE00010", "00100010");
    assert_eq!(get(&app, &other, &s.doctor, None).0, 404);
});
