//! A WebSocket client just large enough for the tests (RFC 6455: the handshake, masked frames out,
//! text, ping, pong and close in), so that the tests need no client library of their own.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// What the server sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    Text(String),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    /// The close code, if any.
    Close(Option<u16>),
}

/// An open WebSocket.
pub struct Socket {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

/// A refused handshake: the HTTP status and body.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub body: String,
}

/// Opens `/api/ws` on `base` (`http://host:port`), with `authorization` as the header if given.
pub fn open(base: &str, authorization: Option<&str>) -> Result<Socket, Refused> {
    let address = base.trim_start_matches("http://");
    let stream = TcpStream::connect(address).expect("server reachable");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout set");
    let mut writer = stream.try_clone().expect("stream clones");
    let mut request = format!(
        "GET /api/ws HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    );
    if let Some(value) = authorization {
        request.push_str(&format!("Authorization: {value}\r\n"));
    }
    request.push_str("\r\n");
    writer
        .write_all(request.as_bytes())
        .expect("handshake sent");
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).expect("status line");
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    if status != 101 {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("body");
        return Err(Refused {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    }
    Ok(Socket { reader, writer })
}

impl Socket {
    fn send_frame(&mut self, opcode: u8, payload: &[u8]) {
        // Clients mask every frame; the key need not be secret in a test.
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        let mut frame = vec![0x80 | opcode];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.writer.write_all(&frame).expect("frame sent");
    }

    pub fn send_text(&mut self, text: &str) {
        self.send_frame(0x1, text.as_bytes());
    }

    pub fn ping(&mut self, payload: &[u8]) {
        self.send_frame(0x9, payload);
    }

    pub fn close(&mut self) {
        self.send_frame(0x8, &1000u16.to_be_bytes());
    }

    /// The next frame from the server.
    pub fn read(&mut self) -> Frame {
        let mut head = [0u8; 2];
        self.reader.read_exact(&mut head).expect("frame head");
        let opcode = head[0] & 0x0f;
        let mut length = u64::from(head[1] & 0x7f);
        if length == 126 {
            let mut bytes = [0u8; 2];
            self.reader.read_exact(&mut bytes).expect("length");
            length = u64::from(u16::from_be_bytes(bytes));
        } else if length == 127 {
            let mut bytes = [0u8; 8];
            self.reader.read_exact(&mut bytes).expect("length");
            length = u64::from_be_bytes(bytes);
        }
        let mut payload = vec![0; length as usize];
        self.reader.read_exact(&mut payload).expect("payload");
        match opcode {
            0x1 => Frame::Text(String::from_utf8(payload).expect("UTF-8 text")),
            0x8 => Frame::Close(
                (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]])),
            ),
            0x9 => Frame::Ping(payload),
            0xa => Frame::Pong(payload),
            other => panic!("unexpected opcode {other}"),
        }
    }

    /// The next text message as JSON, skipping pings and pongs.
    pub fn next_json(&mut self) -> Value {
        loop {
            match self.read() {
                Frame::Text(text) => return serde_json::from_str(&text).expect("JSON"),
                Frame::Ping(_) | Frame::Pong(_) => continue,
                Frame::Close(code) => panic!("closed ({code:?}) while waiting for a message"),
            }
        }
    }
}
