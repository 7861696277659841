//! Who may associate, how many at once, and how long.

use std::io::Read;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use dicom_ul::ClientAssociationOptions;
use dicom_ul::pdu::Pdu;

use crate::support::*;

#[test]
fn a_wrong_called_ae_title_is_rejected() {
    let listener = start(config());
    let out = echoscu(&listener.port(), MODALITY_AE, "SOMEONE_ELSE");
    let log = text(&out);
    assert!(!out.status.success());
    assert!(log.contains("Called AE Title Not Recognized"), "{log}");
}

#[test]
fn a_calling_ae_title_not_allowed_is_rejected() {
    let mut config = config();
    config.allowed_aes = Some(vec![MODALITY_AE.to_owned()]);
    let listener = start(config);
    let out = echoscu(&listener.port(), "INTRUDER", AE);
    let log = text(&out);
    assert!(!out.status.success());
    assert!(log.contains("Calling AE Title Not Recognized"), "{log}");
    let out = echoscu(&listener.port(), MODALITY_AE, AE);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn two_associations_at_once() {
    let listener = start(config());
    let port = listener.port();
    let send = |name: &'static str| {
        let port = port.clone();
        thread::spawn(move || {
            run(dcmtk("storescu")
                .args(["-aet", MODALITY_AE, "-aec", AE, "127.0.0.1", &port])
                .arg(testdata(name))
                .arg(testdata("CT_small.dcm")))
        })
    };
    let a = send("examples_rgb_color.dcm");
    let b = send("MR_small.dcm");
    for out in [a.join().unwrap(), b.join().unwrap()] {
        assert!(out.status.success(), "{}", text(&out));
    }
    // CT_small.dcm went twice: the second copy is a duplicate, not a second instance.
    assert_eq!(listener.stored().len(), 3);
}

#[test]
fn beyond_the_limit_an_association_is_rejected_for_now() {
    let mut config = config();
    config.max_associations = 1;
    let listener = start(config);
    let held = ClientAssociationOptions::new()
        .calling_ae_title(MODALITY_AE)
        .called_ae_title(AE)
        .with_abstract_syntax("1.2.840.10008.1.1")
        .establish(listener.handle.local_addr())
        .unwrap();
    let out = echoscu(&listener.port(), MODALITY_AE, AE);
    let log = text(&out);
    assert!(!out.status.success());
    assert!(log.contains("Local Limit Exceeded"), "{log}");
    held.release().unwrap();
    // The slot comes back once the first association is over.
    let deadline = Instant::now() + Duration::from_secs(5);
    while listener.handle.active_associations() > 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    let out = echoscu(&listener.port(), MODALITY_AE, AE);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_silent_peer_is_dropped_after_the_read_timeout() {
    let mut config = config();
    config.read_timeout = Duration::from_millis(300);
    let listener = start(config);
    let mut silent = TcpStream::connect(listener.handle.local_addr()).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    // The listener closes the connection: end of stream (or a reset).
    let read = silent.read(&mut buf);
    let waited = started.elapsed();
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert!(echoscu(&listener.port(), MODALITY_AE, AE).status.success());
}

#[test]
fn an_association_past_its_deadline_is_aborted() {
    let mut config = config();
    config.read_timeout = Duration::from_secs(10);
    config.association_timeout = Duration::from_millis(500);
    let listener = start(config);
    let mut assoc = ClientAssociationOptions::new()
        .calling_ae_title(MODALITY_AE)
        .called_ae_title(AE)
        .with_abstract_syntax("1.2.840.10008.1.1")
        .read_timeout(Duration::from_secs(10))
        .establish(listener.handle.local_addr())
        .unwrap();
    let started = Instant::now();
    // Whatever comes (an abort, or the end of the stream), it comes at the deadline, not at
    // the read timeout.
    let _ = assoc.receive();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn stopping_the_listener_ends_its_associations() {
    let listener = start(config());
    let addr = listener.handle.local_addr();
    let mut assoc = ClientAssociationOptions::new()
        .calling_ae_title(MODALITY_AE)
        .called_ae_title(AE)
        .with_abstract_syntax("1.2.840.10008.1.1")
        .read_timeout(Duration::from_secs(10))
        .establish(addr)
        .unwrap();
    let started = Instant::now();
    listener.handle.shutdown();
    assert!(started.elapsed() < Duration::from_secs(5));
    // An A-ABORT if the association saw the stop before its socket was closed, else the end of
    // the stream.
    let answer = assoc.receive();
    assert!(
        matches!(answer, Ok(Pdu::AbortRQ { .. }) | Err(_)),
        "{answer:?}"
    );
}
