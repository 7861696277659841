//! Configuration, read once from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATA_DIR` | `./data` | where the embedded database and the generated key ring live |
//! | `DATABASE_URL` | `sqlite://$DATA_DIR/medcare.db` | `postgres://…` for PostgreSQL |
//! | `DATABASE_POOL_SIZE` | 8 | connections per server process |
//! | `BIND_ADDR` | `127.0.0.1:8080` | where `serve` listens |
//! | `HTTP_WORKERS` | one per core | actix worker threads |
//! | `TOKEN_KEYS` | a key ring file in `DATA_DIR` | `ID:ENC_HEX:SIG_HEX,…`, first is current |
//! | `LOG_FORMAT` | `text` | `json` for one JSON object per line |
//! | `RUST_LOG` | `info` | log filter |

use std::fmt;
use std::path::PathBuf;

use anyhow::{Context, bail};

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

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: Secret,
    pub pool_size: u32,
    pub bind_addr: String,
    pub http_workers: usize,
    pub token_keys: Option<Secret>,
    pub log_json: bool,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
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
        Ok(Self {
            data_dir,
            database_url: Secret(database_url),
            pool_size,
            bind_addr: var("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            http_workers: number("HTTP_WORKERS", 0usize)?,
            token_keys: var("TOKEN_KEYS").map(Secret),
            log_json,
        })
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
}
