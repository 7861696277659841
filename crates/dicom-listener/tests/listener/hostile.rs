//! Peers that break the protocol: the association ends, the listener carries on.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use dicom_ul::ClientAssociationOptions;
use dicom_ul::pdu::{PDataValue, PDataValueType, Pdu};

use crate::support::*;

#[test]
fn garbage_bytes_end_the_connection_and_the_listener_answers_after() {
    let listener = start(config());
    for garbage in [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        vec![0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3],
        (0..=255u8).cycle().take(70_000).collect(),
    ] {
        let mut peer = TcpStream::connect(listener.handle.local_addr()).unwrap();
        peer.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let _ = peer.write_all(&garbage);
        let mut answer = Vec::new();
        let _ = peer.read_to_end(&mut answer);
        // Nothing, or an A-ABORT / A-ASSOCIATE-RJ PDU: never an association.
        assert!(
            answer.is_empty() || answer[0] == 0x07 || answer[0] == 0x03,
            "{answer:?}"
        );
    }
    let out = echoscu(&listener.port(), MODALITY_AE, AE);
    assert!(out.status.success(), "{}", text(&out));
}

fn associate(listener: &Running) -> dicom_ul::ClientAssociation<TcpStream> {
    ClientAssociationOptions::new()
        .calling_ae_title(MODALITY_AE)
        .called_ae_title(AE)
        .with_abstract_syntax("1.2.840.10008.1.1")
        .read_timeout(Duration::from_secs(10))
        .establish(listener.handle.local_addr())
        .unwrap()
}

fn pdv(context: u8, value_type: PDataValueType, is_last: bool, data: Vec<u8>) -> Pdu {
    Pdu::PData {
        data: vec![PDataValue {
            presentation_context_id: context,
            value_type,
            is_last,
            data,
        }],
    }
}

#[test]
fn protocol_errors_inside_an_association_abort_it() {
    let listener = start(config());
    let context = |a: &dicom_ul::ClientAssociation<TcpStream>| a.presentation_contexts()[0].id;
    let cases: Vec<Box<dyn Fn(u8) -> Pdu>> = vec![
        // A data set before any command.
        Box::new(|c| pdv(c, PDataValueType::Data, true, vec![1, 2, 3, 4])),
        // A command on a presentation context never proposed.
        Box::new(|_| pdv(99, PDataValueType::Command, true, vec![0; 8])),
        // A command set whose element claims 4 GB.
        Box::new(|c| {
            pdv(
                c,
                PDataValueType::Command,
                true,
                vec![0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2],
            )
        }),
        // A command without a command field.
        Box::new(|c| {
            pdv(
                c,
                PDataValueType::Command,
                true,
                vec![0, 0, 0x10, 0x01, 2, 0, 0, 0, 1, 0],
            )
        }),
    ];
    for case in cases {
        let mut assoc = associate(&listener);
        let c = context(&assoc);
        assoc.send(&case(c)).unwrap();
        let answer = assoc.receive();
        assert!(
            matches!(answer, Ok(Pdu::AbortRQ { .. }) | Err(_)),
            "{answer:?}"
        );
    }
    let out = echoscu(&listener.port(), MODALITY_AE, AE);
    assert!(out.status.success(), "{}", text(&out));
}

/// C-ECHO split over several PDUs, one byte per PDV: the listener stitches them.
#[test]
fn a_command_in_many_fragments_is_stitched() {
    let listener = start(config());
    let mut assoc = associate(&listener);
    let c = assoc.presentation_contexts()[0].id;
    // C-ECHO-RQ, message id 0x0102, implicit VR little endian.
    let mut command = Vec::new();
    let mut put = |element: u16, value: &[u8]| {
        command.extend_from_slice(&[0, 0]);
        command.extend_from_slice(&element.to_le_bytes());
        command.extend_from_slice(&(value.len() as u32).to_le_bytes());
        command.extend_from_slice(value);
    };
    put(0x0002, b"1.2.840.10008.1.1\0");
    put(0x0100, &0x0030u16.to_le_bytes());
    put(0x0110, &0x0102u16.to_le_bytes());
    put(0x0800, &0x0101u16.to_le_bytes());
    let n = command.len();
    for (i, byte) in command.iter().enumerate() {
        assoc
            .send(&pdv(c, PDataValueType::Command, i + 1 == n, vec![*byte]))
            .unwrap();
    }
    let Ok(Pdu::PData { data }) = assoc.receive() else {
        panic!("no response")
    };
    let response = &data[0].data;
    assert!(data[0].is_last);
    // (0000,0120) message id being responded to, then (0000,0900) status 0.
    let find = |element: u16| {
        let mut at = 0;
        while at + 8 <= response.len() {
            let e = u16::from_le_bytes([response[at + 2], response[at + 3]]);
            let len = u32::from_le_bytes(response[at + 4..at + 8].try_into().unwrap()) as usize;
            if e == element {
                return response[at + 8..at + 8 + len].to_vec();
            }
            at += 8 + len;
        }
        panic!("no (0000,{element:04X})")
    };
    assert_eq!(find(0x0100), 0x8030u16.to_le_bytes());
    assert_eq!(find(0x0120), 0x0102u16.to_le_bytes());
    assert_eq!(find(0x0900), [0, 0]);
    assoc.release().unwrap();
}
