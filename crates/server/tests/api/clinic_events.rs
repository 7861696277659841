//! `/api/ws`: the clinic's event stream, as a browser or a desk application opens it.

use domain::identity::Audience;
use serde_json::Value;

use crate::helpers::{TestApp, on_each_backend};
use crate::ws_client::{Frame, open};

/// A clinic token for a staff member holding `roles`.
pub fn staff_token(app: &TestApp, roles: &[&str]) -> String {
    app.token(Audience::Clinic, &uuid::Uuid::now_v7().to_string(), roles)
}

on_each_backend!(
    the_event_stream_takes_its_token_by_header_or_as_first_message,
    |app| {
        let token = staff_token(&app, &["receptionist"]);

        let mut by_header = open(&app.base, Some(&format!("Bearer {token}"))).unwrap();
        let ready = by_header.next_json();
        assert_eq!(ready["type"], "ready");
        assert_eq!(ready["data"]["roles"], serde_json::json!(["receptionist"]));

        // A browser cannot set headers on a WebSocket: it sends the token first.
        let mut browser = open(&app.base, None).unwrap();
        browser.send_text(&format!("Bearer {token}"));
        assert_eq!(browser.next_json()["type"], "ready");

        // Pings are answered with pongs carrying the same bytes (RFC 6455).
        browser.ping(b"are you there");
        let pong = loop {
            match browser.read() {
                Frame::Pong(bytes) => break bytes,
                Frame::Ping(_) => continue,
                other => panic!("expected a pong, got {other:?}"),
            }
        };
        assert_eq!(pong, b"are you there");
        browser.close();
    }
);

on_each_backend!(a_bad_token_is_refused_before_or_after_the_upgrade, |app| {
    // In the header: refused before the upgrade, in envelope B.
    let refused = open(&app.base, Some("Bearer 00ff")).err().unwrap();
    assert_eq!(refused.status, 401);
    let body: Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["code"], 401);
    // A token for another surface is refused too.
    let patient = app.user();
    assert_eq!(open(&app.base, Some(&patient)).err().unwrap().status, 401);

    // As the first message: the stream says why, then closes with 1008 (policy violation).
    let mut socket = open(&app.base, None).unwrap();
    socket.send_text("not a token");
    let error = socket.next_json();
    assert_eq!(error["type"], "error");
    assert!(!error["error"].as_str().unwrap().is_empty());
    let close = loop {
        match socket.read() {
            Frame::Close(code) => break code,
            _ => continue,
        }
    };
    assert_eq!(close, Some(1008), "policy violation");

    // A plain GET (no upgrade, no token) is 401; with a token, 400 naming the protocol.
    let plain = app.send("GET", "/api/ws", &[], None);
    assert_eq!(plain.status, 401);
    let token = staff_token(&app, &["doctor"]);
    let plain = app.send("GET", "/api/ws", &[("authorization", &token)], None);
    assert_eq!(plain.status, 400, "{}", plain.text);
    assert_eq!(plain.json["success"], false);
    assert!(plain.json["error"].as_str().unwrap().contains("WebSocket"));
});
