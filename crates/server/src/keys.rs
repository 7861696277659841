//! The token key ring: from `TOKEN_KEYS`, or from a file in `DATA_DIR` created on first start.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use token::KeyRing;

use crate::config::Config;

pub const FILE_NAME: &str = "token-keys";

pub fn file_path(config: &Config) -> PathBuf {
    config.data_dir.join(FILE_NAME)
}

/// Loads the key ring, creating the file ring if neither source exists yet.
pub fn load(config: &Config) -> anyhow::Result<KeyRing> {
    if let Some(keys) = &config.token_keys {
        return KeyRing::parse(keys.expose()).context("TOKEN_KEYS is not a valid key ring");
    }
    let path = file_path(config);
    if path.exists() {
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return KeyRing::parse(&text)
            .with_context(|| format!("{} is not a valid key ring", path.display()));
    }
    let ring = KeyRing::generate();
    write_private(&path, &ring.to_text())?;
    tracing::warn!(
        path = %path.display(),
        "no TOKEN_KEYS configured: created a new token key ring; keep this file private and back it up"
    );
    Ok(ring)
}

/// Adds a new current key to the file ring; tokens sealed by the older keys stay valid.
pub fn rotate(config: &Config) -> anyhow::Result<KeyRing> {
    anyhow::ensure!(
        config.token_keys.is_none(),
        "keys come from TOKEN_KEYS: rotate by putting a new ID:ENC_HEX:SIG_HEX entry first and keeping the old ones"
    );
    let ring = load(config)?.rotate();
    write_private(&file_path(config), &ring.to_text())?;
    Ok(ring)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    // Rename is atomic: a crash leaves the old ring or the new one, never half of one.
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The file holding the upload link secret when `UPLOAD_LINK_SECRET` is not set.
pub const UPLOAD_SECRET_FILE: &str = "upload-link-secret";

/// The key document upload links are signed with: from the configuration, or from a file in
/// `DATA_DIR` created on first start (hex of 32 random bytes), like the payment webhook's.
pub fn upload_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    let (secret, created) = secret_or_file(
        config
            .declarations
            .upload_secret
            .as_ref()
            .map(|s| s.expose()),
        &config.data_dir.join(UPLOAD_SECRET_FILE),
    )?;
    if let Some(path) = created {
        tracing::info!(path = %path.display(), "no UPLOAD_LINK_SECRET configured: created one");
    }
    Ok(secret)
}

/// The file holding the document link secret when `FILE_LINK_SECRET` is not set.
pub const FILE_LINK_SECRET_FILE: &str = "file-link-secret";

/// The key document links are signed with: from the configuration, or from a file in `DATA_DIR`
/// created on first start. Instances sharing a database must share it too.
pub fn file_link_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    let (secret, created) = secret_or_file(
        config.documents.link_secret.as_ref().map(|s| s.expose()),
        &config.data_dir.join(FILE_LINK_SECRET_FILE),
    )?;
    if let Some(path) = created {
        tracing::info!(path = %path.display(), "no FILE_LINK_SECRET configured: created one");
    }
    Ok(secret)
}

/// The file holding the payment webhook secret when `PAYMENT_WEBHOOK_SECRET` is not set.
pub const WEBHOOK_SECRET_FILE: &str = "payment-webhook-secret";

/// The payment webhook secret: from the configuration, or from a file in `DATA_DIR` created on
/// first start (hex of 32 random bytes), so that a development install works out of the box.
pub fn webhook_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    let (secret, created) = secret_or_file(
        config.payments.webhook_secret.as_ref().map(|s| s.expose()),
        &config.data_dir.join(WEBHOOK_SECRET_FILE),
    )?;
    if let Some(path) = created {
        tracing::warn!(
            path = %path.display(),
            "no PAYMENT_WEBHOOK_SECRET configured: created one; give it to the payment provider"
        );
    }
    Ok(secret)
}

/// The configured secret, else the one kept in `path`, else a new one (hex of 32 random bytes)
/// written there; the path comes back when the secret was just created, for the caller to say so.
fn secret_or_file(
    configured: Option<&str>,
    path: &Path,
) -> anyhow::Result<(Vec<u8>, Option<PathBuf>)> {
    if let Some(secret) = configured {
        return Ok((secret.as_bytes().to_vec(), None));
    }
    if path.exists() {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        return Ok((text.trim().as_bytes().to_vec(), None));
    }
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let secret = hex::encode(bytes);
    write_private(path, &secret)?;
    Ok((secret.into_bytes(), Some(path.to_path_buf())))
}
