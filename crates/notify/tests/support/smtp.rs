//! A minimal SMTP server: greets, accepts EHLO/MAIL/RCPT/DATA/QUIT, records each message.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The DATA, dot-unstuffed, without the final `.` line.
    pub data: String,
}

#[derive(Debug)]
pub struct SmtpServer {
    pub url: String,
    mails: Arc<Mutex<Vec<Mail>>>,
    connections: Arc<AtomicUsize>,
}

impl SmtpServer {
    pub fn accepting() -> Self {
        Self::rejecting_first(0, "")
    }

    /// Answers `reply` to `RCPT TO` on the first `connections` connections, `250` after.
    pub fn rejecting_first(connections: usize, reply: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let mails = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let (recorded, counted) = (mails.clone(), count.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let index = counted.fetch_add(1, Ordering::SeqCst);
                let rcpt_reply = if index < connections {
                    reply
                } else {
                    "250 2.1.5 OK"
                };
                session(stream, rcpt_reply, &recorded);
            }
        });
        Self {
            url,
            mails,
            connections: count,
        }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn session(stream: TcpStream, rcpt_reply: &str, mails: &Mutex<Vec<Mail>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let reply =
        |out: &mut TcpStream, text: &str| out.write_all(format!("{text}\r\n").as_bytes()).is_ok();
    reply(&mut out, "220 mail.test ESMTP ready");
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end_matches(['\r', '\n']).to_owned();
        let upper = command.to_ascii_uppercase();
        let ok = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            reply(&mut out, "250-mail.test greets you\r\n250 8BITMIME")
        } else if upper.starts_with("MAIL FROM:") {
            mail_from = command["MAIL FROM:".len()..].trim().to_owned();
            reply(&mut out, "250 2.1.0 OK")
        } else if upper.starts_with("RCPT TO:") {
            if rcpt_reply.starts_with('2') {
                rcpt_to.push(command["RCPT TO:".len()..].trim().to_owned());
            }
            reply(&mut out, rcpt_reply)
        } else if upper == "DATA" {
            if !reply(&mut out, "354 End data with <CR><LF>.<CR><LF>") {
                return;
            }
            let mut data = String::new();
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            mails.lock().unwrap().push(Mail {
                mail_from: std::mem::take(&mut mail_from),
                rcpt_to: std::mem::take(&mut rcpt_to),
                data,
            });
            reply(&mut out, "250 2.0.0 queued")
        } else if upper == "RSET" || upper == "NOOP" {
            mail_from.clear();
            rcpt_to.clear();
            reply(&mut out, "250 2.0.0 OK")
        } else if upper == "QUIT" {
            reply(&mut out, "221 2.0.0 bye");
            return;
        } else {
            reply(&mut out, "502 5.5.2 command not implemented")
        };
        if !ok {
            return;
        }
    }
}
