//! Configuration, read once from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATA_DIR` | `./data` | where the embedded database and the generated key ring live |
//! | `DATABASE_URL` | `sqlite://$DATA_DIR/medcare.db` | `postgres://…` for PostgreSQL |
//! | `DATABASE_POOL_SIZE` | 8 | connections per server process |
//! | `BIND_ADDR` | `127.0.0.1:8080` | where `serve` listens |
//! | `HTTP_WORKERS` | one per core | actix worker threads |
//! | `HTTP_BLOCKING_THREADS` | pool size ÷ workers | threads per worker that run database work |
//! | `TOKEN_KEYS` | a key ring file in `DATA_DIR` | `ID:ENC_HEX:SIG_HEX,…`, first is current |
//! | `LOG_FORMAT` | `text` | `json` for one JSON object per line |
//! | `DRAFT_REMINDER_INTERVAL_SECONDS` | 900 | how often draft reminders run; 0 turns the schedule off |
//! | `NOTIFY_CHANNELS` | `log` | delivery channels, any of `log`, `webhook`, `email`, `sms` |
//! | `SMS_GATEWAY_URL`, `SMS_GATEWAY_SECRET` | | the SMS gateway verification codes are posted to, and its key |
//! | `NOTIFY_WEBHOOK_URL`, `NOTIFY_WEBHOOK_SECRET` | | the signed webhook's receiver and key |
//! | `SMTP_URL`, `SMTP_FROM` | | the mail server (`smtp://…`, `smtps://…`) and sender |
//! | `NOTIFY_MAX_ATTEMPTS` | 8 | attempts before a notification is marked failed |
//! | `NOTIFY_RETRY_BASE_SECONDS` | 30 | the first retry's delay; each next one doubles, up to an hour |
//! | `NOTIFY_POLL_SECONDS` | 5 | how often the dispatcher looks for due notifications |
//! | `PAYMENT_LINK_BASE` | `https://pay.example.org/checkout/` | the payment page's address, before the payment id |
//! | `PAYMENT_WEBHOOK_SECRET` | a file in `DATA_DIR` | the key the payment provider signs its webhooks with (≥ 32 bytes) |
//! | `REPORT_ISSUER_EN`, `REPORT_ISSUER_AR` | the platform's name | who issues the second opinion reports |
//! | `METRICS_BIND_ADDR` | unset | serve `GET /metrics` on this address instead of the main one |
//! | `BLOB_DIR` | `$DATA_DIR/blobs` | where files (documents, reports, images) are kept |
//! | `BLOB_STORE_URL` | unset | `s3://bucket[/prefix]` keeps files in an S3-compatible bucket instead; a plain path is a folder, as `BLOB_DIR` |
//! | `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT`), `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP` | AWS itself | with an `s3://` store: the service (`http://` needs `AWS_ALLOW_HTTP=true`), its region and credentials; read by the S3 client |
//! | `OTP_TTL_SECONDS` | 900 | how long a declaration request's verification code is valid |
//! | `OTP_MAX_ATTEMPTS` | 3 | wrong codes before a code is dead |
//! | `DECLARATION_LIMITS` | `THERAPIST=2000,PEDIATRICIAN=900,FAMILY_DOCTOR=1800` | declarations a doctor may hold, per speciality |
//! | `DECLARATION_REQUEST_TTL_HOURS` | 24 | after this, a request nobody signed expires |
//! | `DECLARATION_JOBS_INTERVAL_SECONDS` | 3600 | how often requests expire and a block of the declarations chain closes; 0 turns the schedule off |
//! | `PUBLIC_BASE_URL` | `http://$BIND_ADDR` | this server as clients reach it, for document upload links |
//! | `UPLOAD_LINK_SECRET` | a file in `DATA_DIR` | the key upload links are signed with (≥ 32 bytes) |
//! | `DICOM_BIND_ADDR` | `127.0.0.1:11112` | where the DICOM listener (C-ECHO, C-STORE, worklist C-FIND) listens; `off` turns it off |
//! | `DICOM_AE_TITLE` | `MEDCARE` | the listener's AE title (modalities must call it by this name) |
//! | `DICOM_ALLOWED_AES` | any | calling AE titles the listener accepts, comma-separated |
//! | `DICOM_MAX_ASSOCIATIONS` | 32 | associations served at once (more are rejected as a transient limit) |
//! | `DICOM_MAX_INSTANCE_BYTES` | 1073741824 | the largest DICOM file taken, by the listener and by upload |
//! | `VIEWER_DIR` | unset | the web viewer's files (`cargo xtask viewer` puts them in `target/viewer`), served under `/viewer` |
//! | `DICOMWEB_CORS_ORIGINS` | none | origins allowed to call `/dicomweb` from a browser, comma-separated (`https://viewer.example.org`) |
//! | `MAX_UPLOAD_BYTES` | 26214400 (25 MiB) | the largest document uploaded (`/app/upload-medical-document`, clinic patient documents) |
//! | `FILE_LINK_SECRET` | a file in `DATA_DIR` | the key document links (`/files/…`) are signed with (≥ 32 bytes); the same on every instance |
//! | `FILE_LINK_TTL_SECONDS` | 900 | how long a document link works |
//! | `DOCUMENT_RETENTION_DAYS` | 30 | how long a deleted clinic document's bytes are kept before the daily job removes them |
//! | `RUST_LOG` | `info` | log filter |

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use domain::declarations::DeclarationLimits;

mod dicom;
pub use dicom::DicomConfig;

/// A value that must never reach a log.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The clinic's name when `CLINIC_NAME` is not set.
pub const DEFAULT_CLINIC_NAME: &str = "MedCare Clinic";

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: Secret,
    pub pool_size: u32,
    pub bind_addr: String,
    pub http_workers: usize,
    /// 0: derived from the pool size and the workers.
    pub http_blocking_threads: usize,
    pub token_keys: Option<Secret>,
    pub log_json: bool,
    pub draft_reminder_interval: Duration,
    pub notify: NotifyConfig,
    /// `None`: `/metrics` on the main listener.
    pub metrics_bind_addr: Option<String>,
    /// `None`: `DATA_DIR/blobs`.
    pub blob_dir: Option<PathBuf>,
    /// `Some`: files go to this bucket instead of the folder.
    pub blob_s3: Option<S3Config>,
    pub payments: PaymentConfig,
    pub declarations: DeclarationConfig,
    /// The clinic's name, at the head of its printed reports (`CLINIC_NAME`).
    pub clinic_name: String,
    /// Its name on reports printed in Arabic (`CLINIC_NAME_AR`); `None`: `clinic_name`.
    pub clinic_name_ar: Option<String>,
    /// The DICOM listener and the limits of DICOM files.
    pub dicom: DicomConfig,
    /// Uploaded documents and their links.
    pub documents: DocumentConfig,
}

/// Uploaded documents: the upload limit, the links' key and lifetime, retention of deleted ones.
#[derive(Debug, Clone)]
pub struct DocumentConfig {
    pub max_upload_bytes: u64,
    /// `None`: a file in `DATA_DIR`, created on first start.
    pub link_secret: Option<Secret>,
    pub link_ttl: Duration,
    pub retention: Duration,
}

impl Default for DocumentConfig {
    fn default() -> Self {
        use domain::documents as d;
        Self {
            max_upload_bytes: d::DEFAULT_MAX_UPLOAD_BYTES,
            link_secret: None,
            link_ttl: Duration::from_secs(u64::from(d::DEFAULT_LINK_TTL_SECONDS)),
            retention: Duration::from_secs(u64::from(d::DEFAULT_RETENTION_DAYS) * 86_400),
        }
    }
}

impl DocumentConfig {
    fn from_env() -> anyhow::Result<Self> {
        let d = Self::default();
        let max_upload_bytes = number("MAX_UPLOAD_BYTES", d.max_upload_bytes)?;
        // Refusals state the limit in KiB: a smaller limit would read "0 KiB".
        if max_upload_bytes < 1024 {
            bail!("MAX_UPLOAD_BYTES must be at least 1024 (1 KiB)");
        }
        let ttl = number("FILE_LINK_TTL_SECONDS", d.link_ttl.as_secs())?;
        if ttl == 0 {
            bail!("FILE_LINK_TTL_SECONDS must be at least 1");
        }
        let days: u64 = number("DOCUMENT_RETENTION_DAYS", d.retention.as_secs() / 86_400)?;
        Ok(Self {
            max_upload_bytes,
            link_secret: var("FILE_LINK_SECRET").map(Secret),
            link_ttl: Duration::from_secs(ttl),
            retention: Duration::from_secs(days.saturating_mul(86_400)),
        })
    }
}

/// Files in an S3-compatible bucket (`BLOB_STORE_URL=s3://…`).
#[derive(Debug, Clone, Default)]
pub struct S3Config {
    /// `s3://bucket[/prefix]`.
    pub url: String,
    /// Settings over the `AWS_*` variables (which the S3 client reads itself), by the client's
    /// names in lower case (`aws_endpoint_url`, …): for a caller that holds them elsewhere, as
    /// tests do. None from the environment.
    pub settings: Vec<(String, Secret)>,
}

/// `BLOB_STORE_URL` and `BLOB_DIR`: a bucket, or the folder (`None`: `DATA_DIR/blobs`).
pub fn blob_location(
    blob_dir: Option<String>,
    url: Option<String>,
) -> anyhow::Result<(Option<PathBuf>, Option<S3Config>)> {
    let blob_dir = blob_dir.map(PathBuf::from);
    let Some(url) = url else {
        return Ok((blob_dir, None));
    };
    if url.starts_with("s3://") {
        let s3 = S3Config {
            url,
            settings: Vec::new(),
        };
        return Ok((blob_dir, Some(s3)));
    }
    if url.contains("://") {
        bail!("BLOB_STORE_URL must be s3://bucket[/prefix] or a folder, got {url:?}");
    }
    let folder = PathBuf::from(url);
    match blob_dir {
        Some(dir) if dir != folder => bail!(
            "BLOB_STORE_URL ({}) and BLOB_DIR ({}) name two different folders",
            folder.display(),
            dir.display()
        ),
        _ => Ok((Some(folder), None)),
    }
}

/// The eHealth declaration requests.
#[derive(Debug, Clone)]
pub struct DeclarationConfig {
    pub otp_ttl: Duration,
    pub otp_max_attempts: u32,
    pub limits: DeclarationLimits,
    pub request_ttl_hours: u64,
    /// 0: no schedule (expiry and chain blocks then only happen when an operator runs them).
    pub jobs_interval: Duration,
    /// `None`: `http://` and the bind address.
    pub public_base_url: Option<String>,
    /// `None`: a file in `DATA_DIR`.
    pub upload_secret: Option<Secret>,
}

impl Default for DeclarationConfig {
    fn default() -> Self {
        Self {
            otp_ttl: Duration::from_secs(900),
            otp_max_attempts: 3,
            limits: DeclarationLimits::default(),
            request_ttl_hours: 24,
            jobs_interval: Duration::from_secs(3600),
            public_base_url: None,
            upload_secret: None,
        }
    }
}

/// `THERAPIST=2000,PEDIATRICIAN=900,FAMILY_DOCTOR=1800`; a speciality left out keeps its default.
pub fn parse_limits(raw: &str) -> anyhow::Result<DeclarationLimits> {
    let mut limits = DeclarationLimits::default();
    for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, value) = item
            .split_once('=')
            .with_context(|| format!("DECLARATION_LIMITS: {item:?} is not SPECIALITY=N"))?;
        let value: u64 = value
            .trim()
            .parse()
            .with_context(|| format!("DECLARATION_LIMITS: {item:?} must give a whole number"))?;
        match name.trim() {
            "THERAPIST" => limits.therapist = value,
            "PEDIATRICIAN" => limits.pediatrician = value,
            "FAMILY_DOCTOR" => limits.family_doctor = value,
            other => bail!(
                "DECLARATION_LIMITS: unknown speciality {other:?} (THERAPIST, PEDIATRICIAN, FAMILY_DOCTOR)"
            ),
        }
    }
    Ok(limits)
}

impl DeclarationConfig {
    fn from_env() -> anyhow::Result<Self> {
        let d = Self::default();
        let otp_ttl = number("OTP_TTL_SECONDS", 900u64)?;
        if otp_ttl == 0 {
            bail!("OTP_TTL_SECONDS must be at least 1");
        }
        let otp_max_attempts = number("OTP_MAX_ATTEMPTS", d.otp_max_attempts)?;
        if otp_max_attempts == 0 {
            bail!("OTP_MAX_ATTEMPTS must be at least 1");
        }
        let request_ttl_hours = number("DECLARATION_REQUEST_TTL_HOURS", d.request_ttl_hours)?;
        if request_ttl_hours == 0 {
            bail!("DECLARATION_REQUEST_TTL_HOURS must be at least 1");
        }
        Ok(Self {
            otp_ttl: Duration::from_secs(otp_ttl),
            otp_max_attempts,
            limits: match var("DECLARATION_LIMITS") {
                Some(raw) => parse_limits(&raw)?,
                None => d.limits,
            },
            request_ttl_hours,
            jobs_interval: Duration::from_secs(number(
                "DECLARATION_JOBS_INTERVAL_SECONDS",
                3600u64,
            )?),
            public_base_url: var("PUBLIC_BASE_URL"),
            upload_secret: var("UPLOAD_LINK_SECRET").map(Secret),
        })
    }
}

/// The payment provider and the reports' issuer.
#[derive(Debug, Clone)]
pub struct PaymentConfig {
    pub link_base: String,
    /// `None`: a file in `DATA_DIR`.
    pub webhook_secret: Option<Secret>,
    pub issuer_en: String,
    pub issuer_ar: String,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        Self {
            link_base: "https://pay.example.org/checkout/".to_owned(),
            webhook_secret: None,
            issuer_en: "Medical Second Opinion".to_owned(),
            issuer_ar: "الرأي الطبي الثاني".to_owned(),
        }
    }
}

/// Notification delivery settings.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    pub channels: Vec<String>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<Secret>,
    pub smtp_url: Option<Secret>,
    pub smtp_from: Option<String>,
    pub sms_gateway_url: Option<String>,
    pub sms_gateway_secret: Option<Secret>,
    pub max_attempts: u32,
    pub retry_base: Duration,
    pub poll: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            channels: vec!["log".to_owned()],
            webhook_url: None,
            webhook_secret: None,
            smtp_url: None,
            smtp_from: None,
            sms_gateway_url: None,
            sms_gateway_secret: None,
            max_attempts: 8,
            retry_base: Duration::from_secs(30),
            poll: Duration::from_secs(5),
        }
    }
}

impl NotifyConfig {
    fn from_env() -> anyhow::Result<Self> {
        let defaults = Self::default();
        let channels = match var("NOTIFY_CHANNELS") {
            None => defaults.channels,
            Some(list) => list
                .split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect(),
        };
        let max_attempts = number("NOTIFY_MAX_ATTEMPTS", defaults.max_attempts)?;
        if max_attempts == 0 {
            bail!("NOTIFY_MAX_ATTEMPTS must be at least 1");
        }
        let poll = number("NOTIFY_POLL_SECONDS", 5u64)?;
        if poll == 0 {
            bail!("NOTIFY_POLL_SECONDS must be at least 1");
        }
        Ok(Self {
            channels,
            webhook_url: var("NOTIFY_WEBHOOK_URL"),
            webhook_secret: var("NOTIFY_WEBHOOK_SECRET").map(Secret),
            smtp_url: var("SMTP_URL").map(Secret),
            smtp_from: var("SMTP_FROM"),
            sms_gateway_url: var("SMS_GATEWAY_URL"),
            sms_gateway_secret: var("SMS_GATEWAY_SECRET").map(Secret),
            max_attempts,
            retry_base: Duration::from_secs(number("NOTIFY_RETRY_BASE_SECONDS", 30u64)?.max(1)),
            poll: Duration::from_secs(poll),
        })
    }
}

pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

pub(crate) fn number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .ok()
            .with_context(|| format!("{name} must be a whole number, got {v:?}")),
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "./data".to_owned()));
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("medcare.db").display()));
        let pool_size = number("DATABASE_POOL_SIZE", 8u32)?;
        if pool_size == 0 {
            bail!("DATABASE_POOL_SIZE must be at least 1");
        }
        let log_json = match var("LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => bail!("LOG_FORMAT must be text or json, got {other:?}"),
        };
        let (blob_dir, blob_s3) = blob_location(var("BLOB_DIR"), var("BLOB_STORE_URL"))?;
        Ok(Self {
            data_dir,
            database_url: Secret(database_url),
            pool_size,
            bind_addr: var("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            http_workers: number("HTTP_WORKERS", 0usize)?,
            http_blocking_threads: number("HTTP_BLOCKING_THREADS", 0usize)?,
            token_keys: var("TOKEN_KEYS").map(Secret),
            log_json,
            draft_reminder_interval: Duration::from_secs(number(
                "DRAFT_REMINDER_INTERVAL_SECONDS",
                900u64,
            )?),
            notify: NotifyConfig::from_env()?,
            metrics_bind_addr: var("METRICS_BIND_ADDR"),
            blob_dir,
            blob_s3,
            payments: {
                let d = PaymentConfig::default();
                PaymentConfig {
                    link_base: var("PAYMENT_LINK_BASE").unwrap_or(d.link_base),
                    webhook_secret: var("PAYMENT_WEBHOOK_SECRET").map(Secret),
                    issuer_en: var("REPORT_ISSUER_EN").unwrap_or(d.issuer_en),
                    issuer_ar: var("REPORT_ISSUER_AR").unwrap_or(d.issuer_ar),
                }
            },
            declarations: DeclarationConfig::from_env()?,
            clinic_name: var("CLINIC_NAME").unwrap_or_else(|| DEFAULT_CLINIC_NAME.to_owned()),
            clinic_name_ar: var("CLINIC_NAME_AR"),
            dicom: DicomConfig::from_env()?,
            documents: DocumentConfig::from_env()?,
        })
    }

    /// Where blobs are kept.
    pub fn blob_dir(&self) -> PathBuf {
        self.blob_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("blobs"))
    }

    /// Blocking threads per HTTP worker. Database work runs on them, one pooled connection each, so
    /// more threads than connections only queue on the pool's lock; measured on 2 cores, actix's
    /// default (hundreds) made authenticated reads 2.4 times slower than one thread per connection.
    pub fn blocking_threads(&self) -> usize {
        if self.http_blocking_threads > 0 {
            return self.http_blocking_threads;
        }
        let workers = match self.http_workers {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        (self.pool_size as usize).div_ceil(workers).max(1)
    }

    /// This server as clients reach it: `PUBLIC_BASE_URL`, or `http://` and the bind address.
    pub fn public_base_url(&self) -> String {
        self.declarations
            .public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind_addr))
    }

    /// The database URL with any password replaced, for logs.
    pub fn database_for_log(&self) -> String {
        redact_url(self.database_url.expose())
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:p4ss@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://./data/x.db"), "sqlite://./data/x.db");
        assert_eq!(format!("{:?}", Secret("k".into())), "[redacted]");
    }

    #[test]
    fn declaration_limits_read_by_speciality() {
        let limits = parse_limits("THERAPIST=5, FAMILY_DOCTOR=7").unwrap();
        assert_eq!(
            (limits.therapist, limits.pediatrician, limits.family_doctor),
            (5, 900, 7)
        );
        assert!(parse_limits("SURGEON=1").is_err());
        assert!(parse_limits("THERAPIST=x").is_err());
    }

    #[test]
    fn blob_store_url_picks_a_bucket_or_a_folder() {
        let some = |s: &str| Some(s.to_owned());
        let (dir, s3) = blob_location(None, None).unwrap();
        assert!(dir.is_none() && s3.is_none());
        let (dir, s3) = blob_location(some("/srv/blobs"), some("s3://files/prod")).unwrap();
        assert_eq!(dir, Some(PathBuf::from("/srv/blobs")));
        assert_eq!(s3.unwrap().url, "s3://files/prod");
        let (dir, s3) = blob_location(None, some("/srv/files")).unwrap();
        assert_eq!(
            (dir, s3.is_none()),
            (Some(PathBuf::from("/srv/files")), true)
        );
        assert!(blob_location(some("/a"), some("/b")).is_err());
        assert!(blob_location(None, some("gs://files")).is_err());
    }
}
