use domain::clinic::imaging::{DicomRefusal, Uid};
use time::macros::date;

use crate::support::{all_files, dcmdump, file, inspect, inspect_bytes};

#[test]
fn ct_small_gives_every_field() {
    let meta = inspect(&file("CT_small.dcm")).unwrap();
    assert_eq!(meta.sop_class_uid, Uid::parse("1.2.840.10008.5.1.4.1.1.2"));
    assert_eq!(
        meta.sop_instance_uid,
        Uid::parse("1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322")
    );
    assert_eq!(
        meta.study_instance_uid,
        Uid::parse("1.3.6.1.4.1.5962.1.2.1.20040119072730.12322")
    );
    assert_eq!(meta.transfer_syntax_uid, Uid::parse("1.2.840.10008.1.2.1"));
    assert_eq!(meta.patient_name.as_deref(), Some("CompressedSamples^CT1"));
    assert_eq!(meta.patient_id.as_deref(), Some("1CT1"));
    assert_eq!(meta.modality.as_deref(), Some("CT"));
    assert_eq!(meta.study_date, Some(date!(2004 - 01 - 19)));
    assert_eq!((meta.rows, meta.columns), (Some(128), Some(128)));
    assert_eq!(meta.frames, Some(1));
    assert!(meta.has_pixels);
    assert_eq!(
        meta.photometric_interpretation.as_deref(),
        Some("MONOCHROME2")
    );
    assert!(meta.identity().is_ok());
}

#[test]
fn the_ultrasound_clip_has_thirty_frames() {
    let meta = inspect(&file("examples_ybr_color.dcm")).unwrap();
    assert_eq!(meta.frames, Some(30));
    assert_eq!(meta.modality.as_deref(), Some("US"));
    assert_eq!(
        meta.transfer_syntax_uid,
        Uid::parse("1.2.840.10008.1.2.4.50")
    );
    let rgb = inspect(&file("examples_rgb_color.dcm")).unwrap();
    assert_eq!(rgb.patient_id.as_deref(), Some("13US1"));
    assert_eq!((rgb.columns, rgb.rows), (Some(320), Some(240)));
}

#[test]
fn big_endian_and_compressed_files_are_read() {
    let big = inspect(&file("ExplVR_BigEnd.dcm")).unwrap();
    assert_eq!((big.columns, big.rows), (Some(80), Some(60)));
    assert_eq!(big.transfer_syntax_uid, Uid::parse("1.2.840.10008.1.2.2"));
    // The same image in two syntaxes shares its SOP Instance UID.
    let plain = inspect(&file("MR_small.dcm")).unwrap();
    let rle = inspect(&file("MR_small_RLE.dcm")).unwrap();
    assert_eq!(plain.sop_instance_uid, rle.sop_instance_uid);
    assert_ne!(plain.transfer_syntax_uid, rle.transfer_syntax_uid);
    assert!(inspect(&file("JPEG2000.dcm")).unwrap().has_pixels);
}

/// UIDs, patient, modality and dimensions agree with DCMTK on every file it reads.
#[test]
fn every_file_agrees_with_dcmdump() {
    let mut compared = 0;
    for path in all_files() {
        // dcmdump's search also finds the UIDs inside a DICOMDIR's records.
        if path.to_string_lossy().contains("DICOMDIR") {
            continue;
        }
        let Ok(meta) = inspect(&path) else { continue };
        let text = |tag| dcmdump(&path, tag);
        let uid = |u: &Option<Uid>| u.as_ref().map(|u| u.as_str().to_owned());
        assert_eq!(uid(&meta.sop_instance_uid), text("0008,0018"), "{path:?}");
        assert_eq!(uid(&meta.study_instance_uid), text("0020,000d"), "{path:?}");
        assert_eq!(
            uid(&meta.series_instance_uid),
            text("0020,000e"),
            "{path:?}"
        );
        assert_eq!(
            meta.patient_name,
            text("0010,0010").filter(|s| !s.is_empty()),
            "{path:?}"
        );
        assert_eq!(
            meta.patient_id,
            text("0010,0020").filter(|s| !s.is_empty()),
            "{path:?}"
        );
        assert_eq!(
            meta.modality,
            text("0008,0060").filter(|s| !s.is_empty()),
            "{path:?}"
        );
        assert_eq!(
            meta.rows.map(|r| r.to_string()),
            text("0028,0010"),
            "{path:?}"
        );
        assert_eq!(
            meta.columns.map(|c| c.to_string()),
            text("0028,0011"),
            "{path:?}"
        );
        compared += 1;
    }
    assert!(compared > 35, "only {compared} files compared");
}

/// DICOMDIR-nooffset had elements removed without its items' lengths being fixed: dicom-rs
/// cannot read it either (dcmdump reads on past the lengths).
#[test]
fn dicomdir_files_have_no_pixels() {
    assert!(matches!(
        inspect(&file("dicomdirtests/DICOMDIR-nooffset")),
        Err(DicomRefusal::Truncated { .. })
    ));
    for name in [
        "DICOMDIR",
        "DICOMDIR-bigEnd",
        "DICOMDIR-implicit",
        "DICOMDIR-reordered",
    ] {
        let meta = inspect(&file(&format!("dicomdirtests/{name}"))).unwrap();
        assert!(!meta.has_pixels, "{name}");
        assert_eq!(meta.frames, None, "{name}");
        assert_eq!(meta.identity(), Err("SOPClassUID"), "{name}");
    }
}

#[test]
fn bad_files_are_refused_by_kind() {
    assert_eq!(inspect(&file("no_meta.dcm")), Err(DicomRefusal::NoMeta));
    assert_eq!(inspect(&file("README.md")), Err(DicomRefusal::NotDicom));
    assert_eq!(inspect_bytes(b""), Err(DicomRefusal::NotDicom));
    assert_eq!(inspect_bytes(b"DICM"), Err(DicomRefusal::NotDicom));
    let mut magic_only = vec![0u8; 128];
    magic_only.extend_from_slice(b"DICM");
    assert!(matches!(
        inspect_bytes(&magic_only),
        Err(DicomRefusal::NoMeta)
    ));
    magic_only.extend_from_slice(b"garbage that is no meta group");
    assert_eq!(inspect_bytes(&magic_only), Err(DicomRefusal::NoMeta));
}

/// The file's pixel data declares more bytes than it holds: refused, so that the index never
/// takes an image that cannot be shown.
#[test]
fn mr_truncated_is_truncated() {
    match inspect(&file("MR_truncated.dcm")) {
        Err(DicomRefusal::Truncated { detail }) => {
            assert!(detail.contains("(7FE0,0010)"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
}
