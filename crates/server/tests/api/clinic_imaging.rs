//! Clinic imaging end to end, on both databases, with DCMTK as the modality: an appointment is
//! published on the worklist, `findscu -W` finds it, an image edited to its accession number is
//! sent by `storescu`, and the study is on the patient, the appointment `in_scan`, the thumbnail
//! drawn, the file downloaded, the study deleted with its files.

use std::path::Path;

use domain::identity::Audience;
use serde_json::{Value, json};
use store_diesel::testing::{TestDb, insert_staff};
use token::KeyRing;

pub(crate) use crate::clinic_patients::{call, ok, staff};
use crate::dcmtk::{self, file};
use crate::helpers::{TestApp, on_each_backend};
use crate::ws_client::open;

/// A server with its DICOM listener on a port of its own.
pub(crate) fn imaging_app(db: TestDb) -> TestApp {
    TestApp::spawn_configured(
        db,
        KeyRing::generate(),
        |c| c.dicom.bind_addr = Some("127.0.0.1:0".to_owned()),
        false,
    )
}

pub(crate) fn dicom_port(app: &TestApp) -> u16 {
    app.dicom
        .as_ref()
        .map(|l| l.local_addr().port())
        .expect("the DICOM listener is on")
}

/// A PNG's width and height, from its header.
pub(crate) fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let word = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    (word(16), word(20))
}

on_each_backend!(a_day_of_imaging, |db: TestDb| {
    let app = imaging_app(db);
    let s = staff(&app);
    let port = dicom_port(&app);
    let dir = tempfile::tempdir().unwrap();

    // The receptionist books the patient and checks them in.
    let patient = ok(
        &call(
            &app,
            "POST",
            "/api/patients",
            &s.reception,
            Some(json!({"name": "Layla Hassan", "birth_date": "1985-03-14", "sex": "female"})),
        ),
        201,
    )
    .clone();
    let (patient_id, mrn) = (
        patient["id"].as_str().unwrap().to_owned(),
        patient["mrn"].as_str().unwrap().to_owned(),
    );
    let appointment = ok(
        &call(
            &app,
            "POST",
            "/api/appointments",
            &s.reception,
            Some(
                json!({"patient_id": patient_id, "doctor": s.doctor_id, "date": "2026-12-01",
                         "time": "10:30", "department": "Ultrasound"}),
            ),
        ),
        201,
    )
    .clone();
    let appointment_id = appointment["id"].as_str().unwrap().to_owned();
    let accession = appointment["accession_number"].as_str().unwrap().to_owned();
    let waiting = call(
        &app,
        "PUT",
        &format!("/api/appointments/{appointment_id}/status"),
        &s.doctor,
        Some(json!({"status": "waiting"})),
    );
    ok(&waiting, 200);

    // Published on the worklist; the doctor may not, and twice keeps the study UID.
    let send =
        |token: &str, body: Value| call(&app, "POST", "/api/dicom/mwl/send", token, Some(body));
    let body = json!({"appointment_id": appointment_id, "station_ae_title": "US_ROOM_1"});
    assert_eq!(send(&s.doctor, body.clone()).status, 403);
    let entry = ok(&send(&s.reception, body.clone()), 200).clone();
    assert_eq!(entry["accession_number"], accession.as_str());
    assert_eq!(entry["patient_mrn"], mrn.as_str());
    assert_eq!(entry["modality"], "US");
    assert_eq!(entry["start_date"], "2026-12-01");
    let again = ok(&send(&s.technician, body), 200).clone();
    assert_eq!(again["study_instance_uid"], entry["study_instance_uid"]);
    let study_uid = entry["study_instance_uid"].as_str().unwrap().to_owned();

    // The modality asks for today's ultrasound steps, by patient and by a name wildcard.
    let by_station = dcmtk::query_file(
        dir.path(),
        "station",
        "(0008,0005) CS [ISO_IR 192]\n(0010,0010) PN []\n(0010,0020) LO []\n\
         (0008,0050) SH []\n(0020,000d) UI []\n(0040,0100) SQ\n(fffe,e000) -\n\
         (0008,0060) CS [US]\n(0040,0001) AE [US_ROOM_1]\n(0040,0002) DA [20261201]\n\
         (0040,0003) TM []\n(fffe,e00d) -\n(fffe,e0dd) -\n",
    );
    let found = dcmtk::worklist(port, dir.path(), &by_station);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(&accession) && found[0].contains(&study_uid),
        "{}",
        found[0]
    );
    assert!(found[0].contains("Layla Hassan"), "{}", found[0]);
    let by_name = dcmtk::query_file(
        dir.path(),
        "name",
        "(0010,0010) PN [layla*]\n(0010,0020) LO []\n(0008,0050) SH []\n",
    );
    assert_eq!(dcmtk::worklist(port, dir.path(), &by_name).len(), 1);
    let other_day = dcmtk::query_file(
        dir.path(),
        "other",
        "(0010,0020) LO []\n(0040,0100) SQ\n(fffe,e000) -\n(0040,0002) DA [20261202-]\n\
         (fffe,e00d) -\n(fffe,e0dd) -\n",
    );
    assert!(dcmtk::worklist(port, dir.path(), &other_day).is_empty());

    // The modality's image carries the worklist's keys.
    let image = dcmtk::modified(
        dir.path(),
        &file("examples_rgb_color.dcm"),
        "scan.dcm",
        &[
            format!("(0010,0020)={mrn}"),
            format!("(0008,0050)={accession}"),
            format!("(0020,000d)={study_uid}"),
        ],
        true,
    );
    let mut technician_socket = open(&app.base, Some(&s.technician)).unwrap();
    assert_eq!(technician_socket.next_json()["type"], "ready");
    let sent = dcmtk::storescu(port, "US_ROOM_1", &[], &[&image]);
    assert!(sent.contains("Success"), "{sent}");

    // Staff who view images hear of it as it arrives, then of the appointment it moved.
    let received = technician_socket.next_json();
    assert_eq!(received["type"], "dicom.received", "{received}");
    assert_eq!(received["patient_id"], patient_id.as_str());
    assert_eq!(received["data"]["appointment_id"], appointment_id.as_str());
    assert_eq!(received["data"]["study_instance_uid"], study_uid.as_str());
    let moved_event = technician_socket.next_json();
    assert_eq!(
        moved_event["type"], "appointment.status_changed",
        "{moved_event}"
    );
    assert_eq!(moved_event["data"]["to"], "in_scan");
    assert_eq!(moved_event["data"]["by"], "dicom");

    // The study is on the patient, linked to the appointment, which is now in scan.
    let studies = call(
        &app,
        "GET",
        &format!("/api/dicom/studies?patient_id={patient_id}"),
        &s.doctor,
        None,
    );
    let list = ok(&studies, 200).as_array().unwrap().clone();
    assert_eq!(list.len(), 1, "{}", studies.text);
    assert_eq!(studies.json["pagination"]["total"], 1);
    let study = &list[0];
    assert_eq!(study["study_instance_uid"], study_uid.as_str());
    assert_eq!(study["appointment_id"], appointment_id.as_str());
    assert_eq!(study["modalities"], json!(["US"]));
    assert_eq!(study["image_count"], 1);
    let study_id = study["id"].as_str().unwrap().to_owned();
    let moved = call(
        &app,
        "GET",
        &format!("/api/appointments/{appointment_id}"),
        &s.reception,
        None,
    );
    let moved = ok(&moved, 200);
    assert_eq!(moved["status"], "in_scan");
    let history = moved["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["by"], "dicom", "{history:?}");
    assert_eq!(
        call(&app, "GET", "/api/dicom/studies", &s.reception, None).status,
        403
    );

    // Its series and image; the image's tags; the thumbnail; the download.
    let details = call(
        &app,
        "GET",
        &format!("/api/dicom/studies/{study_id}"),
        &s.technician,
        None,
    );
    assert_eq!(ok(&details, 200)["series"].as_array().unwrap().len(), 1);
    let images = call(
        &app,
        "GET",
        &format!("/api/dicom/studies/{study_id}/images"),
        &s.doctor,
        None,
    );
    let image_id = ok(&images, 200)[0]["id"].as_str().unwrap().to_owned();
    let meta = call(
        &app,
        "GET",
        &format!("/api/dicom/images/{image_id}"),
        &s.doctor,
        None,
    );
    let meta = ok(&meta, 200);
    assert_eq!(meta["rows"], 240);
    assert_eq!(meta["columns"], 320);
    let tags = meta["tags"].as_array().unwrap();
    assert!(
        tags.iter()
            .any(|t| t["keyword"] == "PatientID" && t["value"] == mrn.as_str()),
        "{tags:?}"
    );
    assert!(
        !tags
            .iter()
            .any(|t| t["keyword"] == "PixelData" && t["value"].as_str().unwrap_or("").len() > 200)
    );
    let auth = [("authorization", s.doctor.as_str())];
    let (status, headers, png) = app.send_bytes(
        "GET",
        &format!("/api/dicom/images/{image_id}/thumbnail"),
        &auth,
    );
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(png_size(&png), (256, 192));
    let (_, _, cached) = app.send_bytes(
        "GET",
        &format!("/api/dicom/images/{image_id}/thumbnail"),
        &auth,
    );
    assert_eq!(cached, png, "the second answer comes from the cache");
    let (_, _, small) = app.send_bytes(
        "GET",
        &format!("/api/dicom/images/{image_id}/thumbnail?size=64"),
        &auth,
    );
    assert_eq!(png_size(&small), (64, 48));
    let tech = [("authorization", s.technician.as_str())];
    let download = format!("/api/dicom/images/{image_id}/download");
    assert_eq!(app.send_bytes("GET", &download, &tech).0, 403);
    let (status, _, bytes) = app.send_bytes("GET", &download, &auth);
    assert_eq!(status, 200);
    assert_eq!(&bytes[128..132], b"DICM");
    let downloaded = dir.path().join("downloaded.dcm");
    std::fs::write(&downloaded, &bytes).unwrap();
    let dump = dcmtk::said(&dcmtk::run("dcmdump", &[&downloaded.display().to_string()]));
    assert!(dump.contains(&accession), "{dump}");

    // The audit log names the modality.
    let admin_id = insert_staff(&app.platform.store, "boss", &["admin"]);
    let admin = app.token(Audience::Clinic, &admin_id, &["admin"]);
    let audit = call(&app, "GET", "/api/audit?action=image.receive", &admin, None);
    let entries = ok(&audit, 200).as_array().unwrap().clone();
    assert_eq!(entries.len(), 1, "{}", audit.text);
    assert_eq!(entries[0]["actor_id"], "dicom:US_ROOM_1");

    // Deleted with its files; the appointment's worklist entry is gone once it is in review.
    let files_before = count_files(app._files.path());
    assert!(files_before >= 2, "the image and its thumbnails");
    assert_eq!(
        call(
            &app,
            "DELETE",
            &format!("/api/dicom/studies/{study_id}"),
            &s.reception,
            None
        )
        .status,
        403
    );
    let deleted = call(
        &app,
        "DELETE",
        &format!("/api/dicom/studies/{study_id}"),
        &s.technician,
        None,
    );
    ok(&deleted, 200);
    assert_eq!(
        call(
            &app,
            "GET",
            &format!("/api/dicom/studies/{study_id}"),
            &s.doctor,
            None
        )
        .status,
        404
    );
    assert_eq!(count_files(&app._files.path().join("objects")), 0);
    let review = call(
        &app,
        "PUT",
        &format!("/api/appointments/{appointment_id}/status"),
        &s.doctor,
        Some(json!({"status": "review"})),
    );
    ok(&review, 200);
    assert!(dcmtk::worklist(port, dir.path(), &by_name).is_empty());
});

/// Files under `dir`, at any depth.
pub(crate) fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let path = e.path();
            if path.is_dir() { count_files(&path) } else { 1 }
        })
        .sum()
}
