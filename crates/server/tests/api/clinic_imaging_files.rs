//! Every test file through both doors: `storescu` (with the transfer syntax each needs proposed)
//! and `POST /api/dicom/receive`; second copies, bad files, thumbnails that cannot be drawn.

use std::path::PathBuf;

use serde_json::Value;

use crate::clinic_imaging::{call, dicom_port, imaging_app, ok, png_size, staff};
use crate::dcmtk::{self, file, testdata};
use crate::helpers::{Response, TestApp, on_each_backend};

/// A multipart body of `files` (name, bytes) as parts named `file`.
fn multipart(files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "medcare-test-boundary-7d2f";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: application/dicom\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) fn receive(app: &TestApp, token: &str, files: &[(&str, Vec<u8>)]) -> Response {
    let (content_type, body) = multipart(files);
    app.send(
        "POST",
        "/api/dicom/receive",
        &[("authorization", token)],
        Some((content_type.as_str(), body)),
    )
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(file(name)).unwrap()
}

/// The small images of the DICOMDIR set (not the DICOMDIRs, not the READMEs).
fn dicomdir_images() -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if !path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("DICOMDIR") || n.starts_with("README"))
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&testdata().join("dicomdirtests"), &mut out);
    out.sort();
    out
}

on_each_backend!(storescu_sends_every_test_file, |db: TestDb| {
    let app = imaging_app(db);
    let s = staff(&app);
    let port = dicom_port(&app);
    let echo = dcmtk::run(
        "echoscu",
        &["-v", "-aec", "MEDCARE", "127.0.0.1", &port.to_string()],
    );
    assert!(echo.status.success(), "{}", dcmtk::said(&echo));

    // Each file with the syntax it is encoded in proposed, as DICOM-NOTES says storescu needs.
    for (name, options) in [
        ("examples_rgb_color.dcm", &[][..]),
        ("CT_small.dcm", &[][..]),
        ("MR_small.dcm", &[][..]),
        ("ExplVR_BigEnd.dcm", &["-xb"][..]),
        ("MR_small_RLE.dcm", &["-xr"][..]),
        ("SC_rgb_jpeg_dcmtk.dcm", &["-xy"][..]),
        ("examples_ybr_color.dcm", &["-xy"][..]),
        ("JPEG2000.dcm", &["-xw"][..]),
    ] {
        let said = dcmtk::storescu(port, "MODALITY", options, &[&file(name)]);
        assert!(said.contains("Success"), "{name}: {said}");
    }
    // The DICOMDIR set in one association.
    let images = dicomdir_images();
    let refs: Vec<&std::path::Path> = images.iter().map(PathBuf::as_path).collect();
    let said = dcmtk::storescu(port, "MODALITY", &[], &refs);
    assert_eq!(said.matches("Success").count(), images.len(), "{said}");

    // MR_small and MR_small_RLE are one instance in two syntaxes: the second copy changed
    // nothing. Every other file is one image.
    let listed = call(&app, "GET", "/api/dicom/studies?limit=100", &s.doctor, None);
    let studies = ok(&listed, 200).as_array().unwrap().clone();
    let images_indexed: u64 = studies
        .iter()
        .map(|s| s["image_count"].as_u64().unwrap())
        .sum();
    assert_eq!(images_indexed as usize, 7 + images.len(), "{}", listed.text);

    // Thumbnails of every kind; JPEG 2000 cannot be drawn here and says so.
    let auth = [("authorization", s.doctor.as_str())];
    for study in &studies {
        let id = study["id"].as_str().unwrap();
        let images = call(
            &app,
            "GET",
            &format!("/api/dicom/studies/{id}/images?limit=100"),
            &s.doctor,
            None,
        );
        for image in ok(&images, 200).as_array().unwrap() {
            let image_id = image["id"].as_str().unwrap();
            let (status, _, body) = app.send_bytes(
                "GET",
                &format!("/api/dicom/images/{image_id}/thumbnail?size=128"),
                &auth,
            );
            if image["has_pixels"] == false {
                assert_eq!(status, 415);
                let error: Value = serde_json::from_slice(&body).unwrap();
                assert!(
                    error["error"].as_str().unwrap().contains("no pixel data"),
                    "{error}"
                );
            } else if image["transfer_syntax_uid"] == "1.2.840.10008.1.2.4.91" {
                assert_eq!(status, 415);
                let error: Value = serde_json::from_slice(&body).unwrap();
                assert!(
                    error["error"].as_str().unwrap().contains("JPEG 2000"),
                    "{error}"
                );
            } else {
                assert_eq!(status, 200, "{image}: {}", String::from_utf8_lossy(&body));
                let (w, h) = png_size(&body);
                assert!(w.max(h) <= 128 && w > 0 && h > 0, "{image}: {w}x{h}");
            }
        }
    }
});

on_each_backend!(uploads_take_good_files_and_refuse_bad_ones, |db: TestDb| {
    let app = imaging_app(db);
    let s = staff(&app);

    // Only technicians send images; a client needs a token.
    let one = [("scan.dcm", read("CT_small.dcm"))];
    assert_eq!(receive(&app, &s.doctor, &one).status, 403);
    let (content_type, body) = multipart(&one);
    let anonymous = app.send(
        "POST",
        "/api/dicom/receive",
        &[],
        Some((content_type.as_str(), body)),
    );
    assert_eq!(anonymous.status, 401);

    // A good file, then the same again.
    let first = receive(&app, &s.technician, &one);
    let data = ok(&first, 200);
    assert_eq!(data["files"][0]["status"], "stored", "{}", first.text);
    assert_eq!(data["files"][0]["file_name"], "scan.dcm");
    let again = receive(&app, &s.technician, &one);
    assert_eq!(ok(&again, 200)["files"][0]["status"], "duplicate");

    // Bad files alone: 400 naming each; nothing is kept.
    let bad = [
        ("no-meta.dcm", read("no_meta.dcm")),
        ("notes.txt", b"not a DICOM file at all".to_vec()),
        ("empty.dcm", Vec::new()),
    ];
    let refused = receive(&app, &s.technician, &bad);
    assert_eq!(refused.status, 400, "{}", refused.text);
    let message = refused.json["error"].as_str().unwrap();
    for name in ["no-meta.dcm", "notes.txt", "empty.dcm"] {
        assert!(message.contains(name), "{message}");
    }
    assert!(message.contains("meta"), "{message}");

    // Mixed: a result per file.
    let mixed = [
        ("truncated.dcm", read("MR_truncated.dcm")),
        ("mr.dcm", read("MR_small.dcm")),
    ];
    let answer = receive(&app, &s.technician, &mixed);
    let data = ok(&answer, 200);
    assert_eq!(data["files"][1]["status"], "stored", "{}", answer.text);
    assert!(
        matches!(
            data["files"][0]["status"].as_str(),
            Some("refused" | "stored")
        ),
        "{}",
        answer.text
    );
    let listed = call(&app, "GET", "/api/dicom/studies", &s.doctor, None);
    let total = ok(&listed, 200)
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["image_count"].as_u64().unwrap())
        .sum::<u64>();
    let truncated_kept = u64::from(data["files"][0]["status"] == "stored");
    assert_eq!(total, 2 + truncated_kept);
    let kept_files = crate::clinic_imaging::count_files(&app._files.path().join("objects"));
    assert_eq!(
        kept_files as u64,
        2 + truncated_kept,
        "no file of a refused upload is kept"
    );

    // Not multipart at all; a thumbnail size out of range.
    let json = call(
        &app,
        "POST",
        "/api/dicom/receive",
        &s.technician,
        Some(serde_json::json!({})),
    );
    assert_eq!(json.status, 400, "{}", json.text);
    let study = &ok(&listed, 200)[0];
    let id = study["id"].as_str().unwrap();
    let images = call(
        &app,
        "GET",
        &format!("/api/dicom/studies/{id}/images"),
        &s.doctor,
        None,
    );
    let image_id = ok(&images, 200)[0]["id"].as_str().unwrap().to_owned();
    let auth = [("authorization", s.doctor.as_str())];
    for size in ["8", "2000", "big"] {
        let (status, _, _) = app.send_bytes(
            "GET",
            &format!("/api/dicom/images/{image_id}/thumbnail?size={size}"),
            &auth,
        );
        assert_eq!(status, 400, "size={size}");
    }
    // Ids that name nothing.
    for path in [
        "/api/dicom/studies/not-a-uuid".to_owned(),
        format!("/api/dicom/studies/{}", uuid::Uuid::nil()),
        format!("/api/dicom/images/{}/thumbnail", uuid::Uuid::nil()),
    ] {
        assert_eq!(app.send_bytes("GET", &path, &auth).0, 404, "{path}");
    }
});
