use dicom_core::value::DataSetSequence;

use super::*;

fn identifier(date: &str) -> InMemDicomObject {
    let mut step = InMemDicomObject::new_empty();
    step.put(DataElement::new(
        tags::MODALITY,
        VR::CS,
        PrimitiveValue::from("US"),
    ));
    step.put(DataElement::new(
        tags::SCHEDULED_PROCEDURE_STEP_START_DATE,
        VR::DA,
        PrimitiveValue::from(date),
    ));
    step.put(DataElement::new(
        tags::SCHEDULED_PROCEDURE_STEP_ID,
        VR::SH,
        PrimitiveValue::Empty,
    ));
    let mut obj = InMemDicomObject::new_empty();
    obj.put(DataElement::new(
        tags::PATIENT_NAME,
        VR::PN,
        PrimitiveValue::from("Had*"),
    ));
    obj.put(DataElement::new(
        tags::STUDY_INSTANCE_UID,
        VR::UI,
        PrimitiveValue::Strs(["1.2.3".to_owned(), "4.5.6".to_owned()].into()),
    ));
    obj.put(DataElement::new(
        tags::SCHEDULED_PROCEDURE_STEP_SEQUENCE,
        VR::SQ,
        DataSetSequence::from(vec![step]),
    ));
    obj
}

#[test]
fn identifiers_become_queries() {
    let q = query(&identifier("20261201-")).unwrap();
    assert_eq!(q.patient_name.as_deref(), Some("Had*"));
    assert_eq!(q.study_instance_uids, ["1.2.3", "4.5.6"]);
    assert_eq!(q.modality.as_deref(), Some("US"));
    assert!(q.start_date.is_some_and(|r| r.to.is_none()));
    assert!(q.patient_id.is_none() && q.station_ae_title.is_none());
    assert!(matches!(
        query(&identifier("2026-13")),
        Err(Refusal::BadKey(_))
    ));
}

#[test]
fn identifiers_read_back_in_every_syntax() {
    let obj = identifier("20261201");
    for ts in [
        uids::IMPLICIT_VR_LITTLE_ENDIAN,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
        uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
    ] {
        let bytes = encode(&obj, ts).unwrap();
        assert_eq!(bytes.len() % 2, 0, "{ts}");
        let back = read_identifier(&bytes, ts).unwrap();
        assert_eq!(query(&back).unwrap(), query(&obj).unwrap(), "{ts}");
    }
}

#[test]
fn hostile_identifiers_are_refused() {
    // (0010,0010) PN claiming 60 KB in 12 bytes, and a deflate bomb cut at the cap.
    let lying = [
        0x10, 0, 0x10, 0, b'P', b'N', 0x60, 0xEA, b'H', b'a', b'd', b'*',
    ];
    assert!(matches!(
        read_identifier(&lying, uids::EXPLICIT_VR_LITTLE_ENDIAN),
        Err(Refusal::Unreadable(_))
    ));
    let mut bomb = DeflateEncoder::new(Vec::new(), Compression::best());
    bomb.write_all(&vec![0u8; MAX_IDENTIFIER + 10]).unwrap();
    let bomb = bomb.finish().unwrap();
    assert!(matches!(
        read_identifier(&bomb, uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN),
        Err(Refusal::Unreadable(_))
    ));
    assert!(read_identifier(b"garbage!", "1.2.3.4").is_err());
}
