use crate::support::{all_files, dump, file};

#[test]
fn dump_lists_the_meta_group_the_data_set_and_a_pixel_summary() {
    let entries = dump(&file("CT_small.dcm")).unwrap();
    assert_eq!(entries[0].tag, "(0002,0000)");
    let name = entries.iter().find(|e| e.tag == "(0010,0010)").unwrap();
    assert_eq!(name.keyword.as_deref(), Some("PatientName"));
    assert_eq!(name.vr, "PN");
    assert_eq!(name.value, "CompressedSamples^CT1");
    assert_eq!(name.depth, 0);
    let ts = entries.iter().find(|e| e.tag == "(0002,0010)").unwrap();
    assert_eq!(ts.keyword.as_deref(), Some("TransferSyntaxUID"));
    let pixels = entries.last().unwrap();
    assert_eq!(pixels.tag, "(7FE0,0010)");
    assert_eq!(pixels.value, "<pixel data 32768 bytes>");
    let rows = entries
        .iter()
        .find(|e| e.keyword.as_deref() == Some("Rows"))
        .unwrap();
    assert_eq!(rows.value, "128");
    // A private tag has no keyword.
    assert!(
        entries
            .iter()
            .any(|e| e.tag.starts_with("(0043,") && e.keyword.is_none())
    );
}

#[test]
fn encapsulated_pixel_data_is_summarised_by_fragments() {
    let entries = dump(&file("examples_ybr_color.dcm")).unwrap();
    let pixels = entries.last().unwrap();
    assert_eq!(pixels.keyword.as_deref(), Some("PixelData"));
    assert!(
        pixels
            .value
            .starts_with("<encapsulated pixel data: 30 fragments"),
        "{}",
        pixels.value
    );
}

#[test]
fn sequences_are_flattened_with_depth() {
    let entries = dump(&file("dicomdirtests/DICOMDIR")).unwrap();
    let seq = entries
        .iter()
        .find(|e| e.keyword.as_deref() == Some("DirectoryRecordSequence"))
        .unwrap();
    assert_eq!(seq.vr, "SQ");
    assert_eq!(seq.depth, 0);
    let inner = entries.iter().filter(|e| e.depth == 1).count();
    assert!(inner > 100, "{inner}");
    assert!(
        entries
            .iter()
            .any(|e| e.depth == 1 && e.keyword.as_deref() == Some("PatientName"))
    );
}

#[test]
fn every_readable_file_dumps_and_long_values_are_cut() {
    for path in all_files() {
        if let Ok(entries) = dump(&path) {
            assert!(!entries.is_empty(), "{path:?}");
            for e in &entries {
                assert!(e.value.chars().count() <= 257, "{path:?} {e:?}");
            }
        }
    }
}
