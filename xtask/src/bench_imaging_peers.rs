//! The two DICOM servers the imaging benchmark compares, started fresh in a folder of their own,
//! and DCMTK's `storescu` sending to them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;
use crate::bench::request;

pub const ORTHANC: &str = "/usr/sbin/Orthanc";
pub const OUR_AE: &str = "MEDCARE";
pub const ORTHANC_AE: &str = "ORTHANC";

/// How the DICOM senders (and Orthanc, whose DCMTK reads the same variable) treat Nagle's
/// algorithm: DCMTK leaves it on unless its process has `TCP_NODELAY=1`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// As a modality sends: Nagle on.
    Default,
    /// `TCP_NODELAY=1` in `storescu`'s environment (and Orthanc's).
    NoDelay,
}

impl Sender {
    pub fn describe(self) -> &'static str {
        match self {
            Sender::Default => "storescu default (Nagle on)",
            Sender::NoDelay => "TCP_NODELAY=1",
        }
    }

    fn apply(self, cmd: &mut Command) -> &mut Command {
        match self {
            Sender::Default => cmd.env_remove("TCP_NODELAY"),
            Sender::NoDelay => cmd.env("TCP_NODELAY", "1"),
        }
    }
}

/// A server the bench started. Dropping it stops it, on errors too: SIGTERM so that it closes its
/// database, then SIGKILL if it has not exited within 10 s.
pub struct Daemon {
    pub name: &'static str,
    pub ae: &'static str,
    pub http_port: u16,
    pub dicom_port: u16,
    log: PathBuf,
    child: Child,
}

impl Daemon {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// An error naming the log when the server has exited.
    fn alive(&mut self) -> Result {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!(
                "{} exited ({status}); its log: {}",
                self.name,
                self.log.display()
            )),
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    /// Waits until `ready` holds, failing as soon as the server exits or after 30 s.
    fn wait_for(&mut self, what: &str, mut ready: impl FnMut(&Self) -> bool) -> Result {
        let started = Instant::now();
        loop {
            self.alive()?;
            if ready(self) {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!(
                    "{} did not answer {what} within 30 s; its log: {}",
                    self.name,
                    self.log.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Resident memory, from `/proc/<pid>/status`, in KiB.
    pub fn rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .map_err(|e| format!("{}: {e}", self.name))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("{}: no VmRSS in /proc", self.name))
    }

    /// User and system CPU time used so far, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))
            .map_err(|e| format!("{}: {e}", self.name))?;
        cpu_of_stat(&stat, clock_ticks())
            .ok_or_else(|| format!("{}: unreadable /proc stat", self.name))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free at the time of asking.
pub fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// Our release server on the SQLite `DATA_DIR` `data` (fresh, or holding only what the CLI wrote),
/// with its DICOM listener on a port of its own, ready once `/healthz` and a C-ECHO answer.
pub fn start_ours(bin: &Path, data: &Path) -> Result<Daemon> {
    let (http_port, dicom_port) = (free_port()?, free_port()?);
    let log = data.join("server.log");
    let child = Command::new(bin)
        .arg("serve")
        .env("DATA_DIR", data)
        .env("BIND_ADDR", format!("127.0.0.1:{http_port}"))
        .env("DICOM_BIND_ADDR", format!("127.0.0.1:{dicom_port}"))
        .env("DICOM_AE_TITLE", OUR_AE)
        .stdout(Stdio::null())
        .stderr(log_file(&log)?)
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let mut daemon = Daemon {
        name: "medcare",
        ae: OUR_AE,
        http_port,
        dicom_port,
        log,
        child,
    };
    daemon.wait_for("/healthz", |d| {
        request(d.http_port, "GET", "/healthz", None, "").is_ok_and(|a| status_ok(&a))
    })?;
    daemon.wait_for("C-ECHO", echo)?;
    Ok(daemon)
}

/// Orthanc with a configuration of the bench's own in `dir`: its storage and index there, no
/// plugins, no compression, 4 DICOM threads, HTTP on the loopback without authentication. With
/// [`Sender::NoDelay`] its DCMTK gets `TCP_NODELAY=1` as the sender does.
pub fn start_orthanc(dir: &Path, sender: Sender) -> Result<Daemon> {
    start_orthanc_with(dir, sender, None)
}

/// [`start_orthanc`] with one plugin loaded (its DICOMweb plugin, under `/dicom-web`).
pub fn start_orthanc_with(dir: &Path, sender: Sender, plugin: Option<&str>) -> Result<Daemon> {
    let plugins = plugin.map_or(String::new(), |p| {
        format!("\"{}\"", p.replace('\\', "\\\\").replace('"', "\\\""))
    });
    let (http_port, dicom_port) = (free_port()?, free_port()?);
    let config = dir.join("orthanc.json");
    let path = |name: &str| {
        let p = dir.join(name);
        std::fs::create_dir_all(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok::<_, String>(
            p.display()
                .to_string()
                .replace('\\', "\\\\")
                .replace('"', "\\\""),
        )
    };
    let json = format!(
        r#"{{
  "Name": "medcare-bench",
  "StorageDirectory": "{}",
  "IndexDirectory": "{}",
  "DicomAet": "{ORTHANC_AE}",
  "DicomPort": {dicom_port},
  "HttpPort": {http_port},
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "DicomThreadsCount": 4,
  "StorageCompression": false,
  "Plugins": [{plugins}]
}}
"#,
        path("storage")?,
        path("index")?
    );
    std::fs::write(&config, json).map_err(|e| format!("{}: {e}", config.display()))?;
    let log = dir.join("orthanc.log");
    let mut cmd = Command::new(ORTHANC);
    sender.apply(&mut cmd);
    let child = cmd
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(log_file(&log)?)
        .spawn()
        .map_err(|e| format!("cannot start Orthanc: {e}"))?;
    let mut daemon = Daemon {
        name: "Orthanc",
        ae: ORTHANC_AE,
        http_port,
        dicom_port,
        log,
        child,
    };
    daemon.wait_for("/system", |d| {
        request(d.http_port, "GET", "/system", None, "").is_ok_and(|a| status_ok(&a))
    })?;
    daemon.wait_for("C-ECHO", echo)?;
    Ok(daemon)
}

fn log_file(path: &Path) -> Result<std::fs::File> {
    std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn echo(d: &Daemon) -> bool {
    Command::new("echoscu")
        .args(["-aec", d.ae, "127.0.0.1", &d.dicom_port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether an HTTP answer's status is 200.
pub fn status_ok(answer: &str) -> bool {
    answer
        .lines()
        .next()
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("200"))
}

/// One `storescu` sending.
pub struct Sent {
    pub seconds: f64,
    pub successes: usize,
    pub server_cpu_seconds: f64,
}

/// Sends every file over one association (`storescu -v -aec AE 127.0.0.1 PORT files…`), timed
/// from start to exit, and counts the Success responses.
pub fn send(to: &Daemon, files: &[PathBuf], sender: Sender) -> Result<Sent> {
    let cpu_before = to.cpu_seconds()?;
    let mut cmd = Command::new("storescu");
    sender.apply(&mut cmd);
    let started = Instant::now();
    let out = cmd
        .args(["-v", "-aec", to.ae, "127.0.0.1", &to.dicom_port.to_string()])
        .args(files)
        .output()
        .map_err(|e| format!("cannot run storescu: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let server_cpu_seconds = to.cpu_seconds()? - cpu_before;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let successes = log
        .lines()
        .filter(|l| l.contains("Received Store Response (Success)"))
        .count();
    if !out.status.success() || successes != files.len() {
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        return Err(format!(
            "storescu to {} ({}): {successes} of {} stored, exit {}; last lines:\n{}",
            to.name,
            sender.describe(),
            files.len(),
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    Ok(Sent {
        seconds,
        successes,
        server_cpu_seconds,
    })
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`), 100 when it cannot be asked.
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// `utime + stime` of a `/proc/<pid>/stat` line, in seconds. The command name may hold spaces and
/// parentheses, so the fields are counted from its last `)`.
fn cpu_of_stat(stat: &str, ticks: f64) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3 of the line, utime 14 and stime 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / ticks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_past_the_command_name() {
        let stat =
            "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 9 0 100 1000 200";
        assert_eq!(cpu_of_stat(stat, 100.0), Some(3.0));
        assert_eq!(cpu_of_stat("4242 (x) S 1", 100.0), None);
        let own = std::fs::read_to_string("/proc/self/stat").unwrap();
        assert!(cpu_of_stat(&own, clock_ticks()).is_some());
    }

    #[test]
    fn status_line() {
        assert!(status_ok("HTTP/1.1 200 OK\r\n\r\n{}"));
        assert!(!status_ok("HTTP/1.1 401 Unauthorized\r\n"));
        assert!(!status_ok(""));
    }
}
