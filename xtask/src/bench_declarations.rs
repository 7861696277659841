//! The declarations part of `cargo xtask bench`: declaration requests created and approved per
//! second for one doctor who already holds 100,000 declarations, so that the doctor's limit is
//! counted over a large index range on every approval.
//!
//! The registry comes in through `server registry import` (the demo registry's legal entity,
//! division and therapist, 100,000 persons with an active declaration each with that therapist, and
//! a pool of persons without one who take turns asking). Clients run a closed loop, each on its own
//! persons: create a request, then approve it (`NA` persons need no code, so the loop measures the
//! server's work, not a code's delivery).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::Result;

/// The demo registry's legal entity, division and therapist (`seed-demo` loads them).
pub const LEGAL_ENTITY: &str = "0193a1c0-0000-7000-8000-00000000e001";
const DIVISION: &str = "0193a1c0-0000-7000-8000-00000000e101";
const THERAPIST: &str = "0193a1c0-0000-7000-8000-00000000e201";

/// Declarations the therapist holds before the loop starts.
pub const HELD: usize = 100_000;
/// Persons without a declaration, shared out among the clients.
const ASKING: usize = 40_000;
/// Clients of the closed loop.
const CLIENTS: usize = 8;

/// Limits high enough that the therapist's 100,000 declarations leave room for more.
pub const LIMITS: &str = "THERAPIST=1000000,PEDIATRICIAN=1000000,FAMILY_DOCTOR=1000000";

/// The scopes the loop's token needs.
pub const SCOPES: &str = "declaration_request:write declaration_request:approve";

fn person_id(n: usize) -> String {
    format!("0193a1c0-0001-7000-8000-{n:012x}")
}

fn declaration_id(n: usize) -> String {
    format!("0193a1c0-0002-7000-8000-{n:012x}")
}

/// Writes the registry file `server registry import` takes.
pub fn write_registry(path: &Path) -> Result {
    let mut persons = String::with_capacity((HELD + ASKING) * 260);
    for n in 0..HELD + ASKING {
        if n > 0 {
            persons.push(',');
        }
        persons.push_str(&format!(
            r#"{{"id":"{}","first_name":"Load","last_name":"Person {n}","second_name":null,"birth_date":"1980-01-01","tax_id":null,"phone_number":null,"verification_status":"VERIFIED","authentication_methods":[{{"type":"NA"}}]}}"#,
            person_id(n)
        ));
    }
    let mut declarations = String::with_capacity(HELD * 330);
    for n in 0..HELD {
        if n > 0 {
            declarations.push(',');
        }
        declarations.push_str(&format!(
            r#"{{"id":"{}","declaration_number":"0000-{:04}-{:04}","person_id":"{}","employee_id":"{THERAPIST}","legal_entity_id":"{LEGAL_ENTITY}","division_id":"{DIVISION}","status":"active","reason":null,"start_date":"2025-01-15","declaration_request_id":null}}"#,
            declaration_id(n),
            n / 10_000,
            n % 10_000,
            person_id(n)
        ));
    }
    let file = format!(
        r#"{{"legal_entities":[],"divisions":[],"employees":[],"persons":[{persons}],"declarations":[{declarations}]}}"#
    );
    std::fs::write(path, file).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// What the closed loop did.
pub struct LoopResult {
    pub pairs_per_second: f64,
    pub requests_per_second: f64,
    pub refusals: u64,
}

/// Runs the create-and-approve loop against the server on `port` for `duration`.
pub fn run_loop(port: u16, token: &str, duration: Duration) -> Result<LoopResult> {
    let pairs = Arc::new(AtomicU64::new(0));
    let refusals = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let per_client = ASKING / CLIENTS;
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (pairs, refusals, stop) = (pairs.clone(), refusals.clone(), stop.clone());
            let token = token.to_owned();
            std::thread::spawn(move || -> Result {
                let first = HELD + c * per_client;
                for n in first..first + per_client {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let body = format!(
                        r#"{{"declaration_request":{{"person_id":"{}","employee_id":"{THERAPIST}","division_id":"{DIVISION}"}}}}"#,
                        person_id(n)
                    );
                    let (status, answer) = request(
                        port,
                        "POST",
                        "/api/v3/declaration_requests",
                        &token,
                        &body,
                    )?;
                    if status != 201 {
                        refusals.fetch_add(1, Ordering::Relaxed);
                        return Err(format!("create answered {status}: {answer}"));
                    }
                    let id = request_id(&answer)
                        .ok_or_else(|| format!("no request id in {answer}"))?;
                    let path = format!("/api/v3/declaration_requests/{id}/actions/approve");
                    let (status, answer) = request(port, "PATCH", &path, &token, "{}")?;
                    if status != 201 {
                        refusals.fetch_add(1, Ordering::Relaxed);
                        return Err(format!("approve answered {status}: {answer}"));
                    }
                    pairs.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            })
        })
        .collect();
    while started.elapsed() < duration && clients.iter().any(|c| !c.is_finished()) {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let done = pairs.load(Ordering::Relaxed);
    for client in clients {
        client
            .join()
            .map_err(|_| "a bench client panicked".to_owned())??;
    }
    Ok(LoopResult {
        pairs_per_second: done as f64 / elapsed,
        requests_per_second: 2.0 * done as f64 / elapsed,
        refusals: refusals.load(Ordering::Relaxed),
    })
}

/// The `data.id` of an envelope C answer.
fn request_id(answer: &str) -> Option<&str> {
    let data = answer.find(r#""data":"#)?;
    let rest = &answer[data..];
    let start = rest.find(r#""id":""#)? + 6;
    let end = rest[start..].find('"')? + start;
    Some(&rest[start..end])
}

/// One HTTP/1.1 request on its own connection: status and body.
fn request(port: u16, method: &str, path: &str, token: &str, body: &str) -> Result<(u16, String)> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("cannot connect: {e}"))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|e| format!("cannot send: {e}"))?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {answer}"))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    Ok((status, body))
}
