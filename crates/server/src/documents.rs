//! Documents' wiring: the services over the store, the blob store and the signed links; the daily
//! retention job.

use std::sync::Arc;

use anyhow::Context;
use blob_store::SignedFileLinks;
use domain::documents::{DocumentPorts, DocumentService, DocumentSettings, PatientDocumentService};
use domain::kernel::blob::BlobStore;
use domain::kernel::ids::IdGenerator;
use domain::kernel::time::Clock;
use store_diesel::Store;

use crate::config::Config;
use crate::keys;

/// The document services: the one both surfaces upload through, and the clinic's.
#[derive(Clone, Debug)]
pub struct Documents {
    pub documents: DocumentService,
    pub patients: PatientDocumentService,
}

pub fn wire(
    config: &Config,
    repo: &Arc<Store>,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
) -> anyhow::Result<Documents> {
    let links = SignedFileLinks::new(&config.public_base_url(), &keys::file_link_secret(config)?)
        .context("the document link settings (FILE_LINK_SECRET) are wrong")?;
    let settings = DocumentSettings {
        max_upload_bytes: config.documents.max_upload_bytes,
        link_ttl: config.documents.link_ttl,
        retention: config.documents.retention,
    };
    let documents = DocumentService::new(
        DocumentPorts {
            repository: repo.clone(),
            blobs,
            links: Arc::new(links),
            clock,
            ids,
        },
        settings,
    );
    let patients = PatientDocumentService::new(documents.clone(), repo.clone(), repo.clone());
    Ok(Documents {
        documents,
        patients,
    })
}
