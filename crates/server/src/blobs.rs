//! Opens the configured blob store: the folder, or an S3-compatible bucket.

use std::sync::Arc;
use std::time::Duration;

use blob_store::{FolderStore, S3Store};
use domain::kernel::blob::BlobStore;

use crate::config::Config;

/// What an upload interrupted by a crash left behind is older than this; an hour is longer than
/// any upload takes.
const STAGING_AGE: Duration = Duration::from_secs(3600);

/// The store `BLOB_STORE_URL` (or `BLOB_DIR`) names, checked to answer, with the staged leftovers
/// of interrupted uploads swept away.
pub fn open(config: &Config) -> anyhow::Result<Arc<dyn BlobStore>> {
    let (store, swept): (Arc<dyn BlobStore>, _) = match &config.blob_s3 {
        Some(s3) => {
            let settings: Vec<(&str, &str)> = s3
                .settings
                .iter()
                .map(|(name, value)| (name.as_str(), value.expose()))
                .collect();
            let store = S3Store::connect(&s3.url, &settings)
                .map_err(|e| anyhow::anyhow!("cannot use {} for files: {}", s3.url, e.chain()))?;
            let swept = store.sweep_staging(STAGING_AGE);
            (Arc::new(store), swept)
        }
        None => {
            let dir = config.blob_dir();
            let store = FolderStore::open(&dir).map_err(|e| {
                anyhow::anyhow!("cannot use {} for files: {}", dir.display(), e.chain())
            })?;
            let swept = store.sweep_staging(STAGING_AGE);
            (Arc::new(store), swept)
        }
    };
    match swept {
        Ok(0) => {}
        Ok(removed) => tracing::info!(removed, "interrupted uploads cleaned up"),
        Err(e) => tracing::warn!(error = %e.chain(), "cannot clean up interrupted uploads"),
    }
    Ok(store)
}
