//! C-ECHO and C-STORE from DCMTK.

use std::fs;
use std::time::Instant;

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::OpenFileOptions;

use crate::support::*;

#[test]
fn echoscu_is_answered() {
    let listener = start(config());
    let out = echoscu(&listener.port(), MODALITY_AE, AE);
    assert!(out.status.success(), "{}", text(&out));
}

/// Every test file storescu can send, each in its own transfer syntax (the option that makes
/// storescu propose it), arrives byte for byte.
#[test]
fn every_test_file_is_stored_as_sent() {
    let listener = start(config());
    let files: [(&str, &[&str]); 9] = [
        ("CT_small.dcm", &["-xe"]),
        ("MR_small.dcm", &["-xe"]),
        ("examples_rgb_color.dcm", &["-xe"]),
        ("ExplVR_BigEnd.dcm", &["-xb"]),
        ("MR_small_RLE.dcm", &["-xr"]),
        ("SC_rgb_jpeg_dcmtk.dcm", &["-xy"]),
        ("examples_ybr_color.dcm", &["-xy"]),
        ("JPEG2000.dcm", &["-xw"]),
        ("CT_small.dcm", &["-xe"]),
    ];
    for (name, options) in files {
        let out = run(dcmtk("storescu")
            .args(["-aet", MODALITY_AE, "-aec", AE])
            .args(options)
            .args(["127.0.0.1", &listener.port()])
            .arg(testdata(name)));
        assert!(out.status.success(), "{name}: {}", text(&out));
    }
    let stored = listener.stored();
    // CT_small.dcm a second time is a duplicate: success, nothing new.
    assert_eq!(stored.len(), 8);
    for ((name, _), received) in files.iter().zip(&stored) {
        let source = fs::read(testdata(name)).unwrap();
        let original = OpenFileOptions::new().from_reader(&source[128..]).unwrap();
        let copy = OpenFileOptions::new()
            .from_reader(&received.bytes[128..])
            .unwrap();
        assert_eq!(received.calling_ae, MODALITY_AE);
        assert_eq!(
            copy.meta().media_storage_sop_instance_uid(),
            original.meta().media_storage_sop_instance_uid(),
            "{name}"
        );
        assert_eq!(
            copy.element(tags::SOP_INSTANCE_UID)
                .unwrap()
                .to_str()
                .unwrap(),
            original
                .element(tags::SOP_INSTANCE_UID)
                .unwrap()
                .to_str()
                .unwrap()
        );
        assert_eq!(
            copy.meta().transfer_syntax(),
            original.meta().transfer_syntax(),
            "{name}"
        );
        assert_eq!(
            copy.meta()
                .source_application_entity_title
                .as_deref()
                .map(str::trim),
            Some(MODALITY_AE)
        );
        let pixels = |o: &dicom_object::DefaultDicomObject| {
            let value = o.element(tags::PIXEL_DATA).unwrap().value();
            match value.fragments() {
                Some(frames) => frames.to_vec(),
                None => vec![value.to_bytes().unwrap().into_owned()],
            }
        };
        assert!(pixels(&copy) == pixels(&original), "{name}: pixels differ");
        // storescu re-encodes some files (an empty value of length 2 becomes length 0 in
        // examples_ybr_color.dcm and JPEG2000.dcm) and leaves out a trailing (FFFC,FFFC) Data
        // Set Trailing Padding (CT_small.dcm); the others arrive byte for byte.
        // raw_data_sets_arrive_byte_for_byte sends every file's data set without DCMTK.
        if ["examples_ybr_color.dcm", "JPEG2000.dcm"].contains(name) {
            continue;
        }
        let (sent, original) = (data_set(&received.bytes), data_set(&source));
        let rest = original.strip_prefix(sent);
        assert!(
            rest.is_some_and(|r| r.is_empty() || r.starts_with(&[0xFC, 0xFF, 0xFC, 0xFF])),
            "{name}: the data set differs from the file's"
        );
    }
}

/// Many files in one association, and a deflated one.
#[test]
fn a_folder_in_one_association() {
    let listener = start(config());
    let images: Vec<_> = walk(&testdata("dicomdirtests"))
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = fs::read(p).unwrap();
            !name.starts_with("DICOMDIR") && bytes.get(128..132) == Some(b"DICM")
        })
        .collect();
    assert!(images.len() > 50);
    let out = run(dcmtk("storescu")
        .args([
            "-aet",
            MODALITY_AE,
            "-aec",
            AE,
            "127.0.0.1",
            &listener.port(),
        ])
        .args(&images));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(listener.stored().len(), images.len());

    let out = run(dcmtk("storescu")
        .args([
            "-xd",
            "-aet",
            MODALITY_AE,
            "-aec",
            AE,
            "127.0.0.1",
            &listener.port(),
        ])
        .arg(testdata("CT_small.dcm")));
    assert!(out.status.success(), "{}", text(&out));
    let stored = listener.stored();
    let last = stored.last().unwrap();
    let copy = OpenFileOptions::new()
        .from_reader(&last.bytes[128..])
        .unwrap();
    assert_eq!(
        copy.meta().transfer_syntax().trim_end_matches('\0'),
        "1.2.840.10008.1.2.1.99"
    );
    assert_eq!(
        copy.element(tags::PATIENT_NAME)
            .unwrap()
            .to_str()
            .unwrap()
            .trim(),
        "CompressedSamples^CT1"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn an_instance_over_the_limit_fails_with_out_of_resources() {
    let mut config = config();
    config.max_instance_bytes = 10_000;
    let listener = start(config);
    let out = run(dcmtk("storescu")
        .args([
            "-v",
            "--no-halt",
            "-aet",
            MODALITY_AE,
            "-aec",
            AE,
            "127.0.0.1",
            &listener.port(),
        ])
        .arg(testdata("examples_rgb_color.dcm"))
        .arg(testdata("MR_small.dcm")));
    let log = text(&out);
    // 0xA700, as storescu names it.
    assert!(log.contains("Refused: OutOfResources"), "{log}");
    // The association goes on: the small file after it is stored.
    let stored = listener.stored();
    assert_eq!(stored.len(), 1);
    assert!(
        OpenFileOptions::new()
            .from_reader(&stored[0].bytes[128..])
            .is_ok()
    );
}

/// Not a test of speed (the machine is shared): prints how fast 200 ultrasound images arrive
/// over one association from a default storescu.
#[test]
fn two_hundred_images_over_one_association() {
    let dir = tempfile::tempdir().unwrap();
    let source = OpenFileOptions::new()
        .open_file(testdata("examples_rgb_color.dcm"))
        .unwrap();
    for i in 0..200 {
        let mut copy = source.clone();
        let uid = format!("2.25.{}", 1_000_000 + i);
        copy.put(DataElement::new(
            tags::SOP_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from(uid.as_str()),
        ));
        copy.meta_mut().media_storage_sop_instance_uid = uid.clone();
        copy.write_to_file(dir.path().join(format!("{i:03}.dcm")))
            .unwrap();
    }
    let listener = start(config());
    let started = Instant::now();
    let out = run(dcmtk("storescu")
        .args([
            "+sd",
            "-aet",
            MODALITY_AE,
            "-aec",
            AE,
            "127.0.0.1",
            &listener.port(),
        ])
        .arg(dir.path()));
    let took = started.elapsed();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(listener.stored().len(), 200);
    println!(
        "200 ultrasound images (231 KB) over one association: {took:?}, {:.0}/s",
        200.0 / took.as_secs_f64()
    );
}

/// Each test file's data set sent exactly as the file holds it, without DCMTK, in small PDUs
/// (so over many PDVs), arrives byte for byte behind the listener's meta group.
#[test]
fn raw_data_sets_arrive_byte_for_byte() {
    use dicom_ul::ClientAssociationOptions;
    use dicom_ul::pdu::{PDataValue, PDataValueType, Pdu};
    use std::io::Write;

    let listener = start(config());
    let names = [
        "CT_small.dcm",
        "MR_small.dcm",
        "examples_rgb_color.dcm",
        "ExplVR_BigEnd.dcm",
        "MR_small_RLE.dcm",
        "SC_rgb_jpeg_dcmtk.dcm",
        "examples_ybr_color.dcm",
        "JPEG2000.dcm",
    ];
    for name in names {
        let source = fs::read(testdata(name)).unwrap();
        let file = OpenFileOptions::new().from_reader(&source[128..]).unwrap();
        let sop_class = file.meta().media_storage_sop_class_uid().to_owned();
        let sop_instance = file.meta().media_storage_sop_instance_uid().to_owned();
        let ts = file.meta().transfer_syntax().to_owned();
        let mut assoc = ClientAssociationOptions::new()
            .calling_ae_title(MODALITY_AE)
            .called_ae_title(AE)
            .with_presentation_context(sop_class.as_str(), vec![ts.as_str()])
            .max_pdu_length(16_384)
            .establish(listener.handle.local_addr())
            .unwrap();
        let pc = assoc.presentation_contexts()[0].id;
        let mut command = Vec::new();
        let mut put = |element: u16, value: &[u8]| {
            let mut value = value.to_vec();
            if value.len() % 2 == 1 {
                value.push(0);
            }
            command.extend_from_slice(&[0, 0]);
            command.extend_from_slice(&element.to_le_bytes());
            command.extend_from_slice(&(value.len() as u32).to_le_bytes());
            command.extend_from_slice(&value);
        };
        put(0x0002, sop_class.as_bytes());
        put(0x0100, &0x0001u16.to_le_bytes());
        put(0x0110, &7u16.to_le_bytes());
        put(0x0700, &0u16.to_le_bytes());
        put(0x0800, &0u16.to_le_bytes());
        put(0x1000, sop_instance.as_bytes());
        assoc
            .send(&Pdu::PData {
                data: vec![PDataValue {
                    presentation_context_id: pc,
                    value_type: PDataValueType::Command,
                    is_last: true,
                    data: command,
                }],
            })
            .unwrap();
        let mut writer = assoc.send_pdata(pc);
        writer.write_all(data_set(&source)).unwrap();
        writer.finish().unwrap();
        let Ok(Pdu::PData { data }) = assoc.receive() else {
            panic!("{name}: no response")
        };
        // Status (0000,0900) is the last element before (0000,1000) in our response: look it up.
        let response = &data[0].data;
        let status_at = response.windows(4).position(|w| w == [0, 0, 0, 9]).unwrap();
        assert_eq!(&response[status_at + 8..status_at + 10], &[0, 0], "{name}");
        assoc.release().unwrap();
        let stored = listener.stored();
        let received = stored.last().unwrap();
        assert!(data_set(&received.bytes) == data_set(&source), "{name}");
        let copy = OpenFileOptions::new()
            .from_reader(&received.bytes[128..])
            .unwrap();
        assert_eq!(copy.meta().transfer_syntax(), file.meta().transfer_syntax());
    }
    assert_eq!(listener.stored().len(), names.len());
}
