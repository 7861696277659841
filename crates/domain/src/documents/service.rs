//! Uploading, linking and reading documents: the one path both surfaces take.
//!
//! An upload streams into a staged object (counted, hashed, refused past the limit), its type is
//! decided from its first bytes, and only then is it committed under a fresh key reserved on the
//! trash list, and its row inserted in the transaction that takes the key off the list. Bytes the
//! owner already has are not stored again: the staged object is dropped and the earlier document
//! answered. Whatever fails, nothing is left readable and nothing stays behind but a trash entry
//! the sweeper clears.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::content::ContentType;
use super::document::{
    Document, DocumentId, DocumentKind, DocumentRepository, KEY_PREFIX, Owner, Saved, display_text,
    document_not_found,
};
use super::link::{FILES_PATH, FileLinks};
use crate::Result;
use crate::clinic::AuditEntry;
use crate::kernel::blob::{BlobKey, BlobReader, BlobStore, ByteSource, StagedBlob};
use crate::kernel::ids::{ActorId, IdGenerator};
use crate::kernel::time::Clock;
use crate::second_opinion::MedicalDocument;

/// How long a reserved key may wait for its row before the sweeper deletes its bytes.
pub const RESERVATION: Duration = Duration::from_secs(6 * 3600);
/// Hidden documents purged per round of the retention job.
const PURGE_BATCH: u32 = 500;

/// What the operator sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentSettings {
    pub max_upload_bytes: u64,
    pub link_ttl: Duration,
    /// How long a hidden clinic document's bytes are kept.
    pub retention: Duration,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self {
            max_upload_bytes: super::DEFAULT_MAX_UPLOAD_BYTES,
            link_ttl: Duration::from_secs(u64::from(super::DEFAULT_LINK_TTL_SECONDS)),
            retention: Duration::from_secs(u64::from(super::DEFAULT_RETENTION_DAYS) * 24 * 3600),
        }
    }
}

/// What the document services need.
#[derive(Clone)]
pub struct DocumentPorts {
    pub repository: Arc<dyn DocumentRepository>,
    pub blobs: Arc<dyn BlobStore>,
    pub links: Arc<dyn FileLinks>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl fmt::Debug for DocumentPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentPorts").finish_non_exhaustive()
    }
}

/// An upload whose bytes were staged and whose type is known, not yet anyone's document. Give it to
/// a save, or to [`DocumentService::discard`].
#[derive(Debug)]
pub struct Upload {
    staged: StagedBlob,
    pub content_type: ContentType,
}

impl Upload {
    pub fn size(&self) -> u64 {
        self.staged.size
    }
}

/// What a new document is filed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing {
    pub owner: Owner,
    pub name: String,
    pub title: Option<String>,
    pub kind: Option<DocumentKind>,
    pub by: ActorId,
}

/// A document with a link to read it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub document: Document,
    pub url: String,
    /// False when the owner already had these bytes and this is that earlier document.
    pub created: bool,
}

/// What one run of the retention job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    /// Hidden documents past retention removed.
    pub documents: usize,
    /// Of their files, those that could not be deleted now (left to the sweeper).
    pub failed: usize,
}

/// Documents: uploads, links, reads through links, retention.
#[derive(Clone)]
pub struct DocumentService {
    ports: DocumentPorts,
    settings: DocumentSettings,
}

impl fmt::Debug for DocumentService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentService")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl DocumentService {
    pub fn new(ports: DocumentPorts, settings: DocumentSettings) -> Self {
        Self { ports, settings }
    }

    pub fn settings(&self) -> DocumentSettings {
        self.settings
    }

    pub(super) fn ports(&self) -> &DocumentPorts {
        &self.ports
    }

    /// Streams `body` into the store (refused past the upload limit without reading further) and
    /// decides its type from its first bytes; bytes of no accepted type are dropped at once.
    pub fn stage(&self, body: &mut dyn ByteSource) -> Result<Upload> {
        let staged = self
            .ports
            .blobs
            .stage(body, self.settings.max_upload_bytes)?;
        match ContentType::of_staged(&staged) {
            Ok(content_type) => Ok(Upload {
                staged,
                content_type,
            }),
            Err(refusal) => {
                self.ports.blobs.discard(staged)?;
                Err(refusal)
            }
        }
    }

    /// Drops an upload that will not be saved.
    pub fn discard(&self, upload: Upload) -> Result<()> {
        self.ports.blobs.discard(upload.staged)
    }

    /// Saves an upload as the owner's document, or answers the owner's earlier document with the same
    /// bytes (dropping the upload). `audit` is written with the row.
    pub(super) fn save(
        &self,
        upload: Upload,
        filing: Filing,
        audit: Option<AuditEntry>,
    ) -> Result<Saved> {
        let p = &self.ports;
        let existing = match p
            .repository
            .find_by_hash(&filing.owner, &upload.staged.sha256)
        {
            Ok(found) => found,
            Err(e) => {
                self.discard(upload)?;
                return Err(e);
            }
        };
        if let Some(document) = existing {
            self.discard(upload)?;
            return Ok(Saved::Existing(document));
        }
        let id = DocumentId::generate(p.ids.as_ref());
        let key = Document::key_for(id)?;
        let now = p.clock.now();
        if let Err(e) = p.repository.reserve_blob(&key, now + RESERVATION) {
            self.discard(upload)?;
            return Err(e);
        }
        let Upload {
            staged,
            content_type,
        } = upload;
        let blob = match p.blobs.commit(staged, &key) {
            Ok(blob) => blob,
            Err(e) => {
                p.repository.forget_trash(std::slice::from_ref(&key))?;
                return Err(e);
            }
        };
        let document = Document {
            id,
            owner: filing.owner,
            key: key.clone(),
            name: filing.name,
            title: filing.title,
            kind: filing.kind,
            content_type,
            size: blob.size,
            sha256: blob.sha256,
            uploaded_by: filing.by,
            created_at: now,
            deleted_at: None,
        };
        // The entry names the document, whose id is known only now.
        let audit = audit.map(|mut entry| {
            entry.object_id = Some(id.to_string());
            entry
        });
        let saved = p.repository.insert(&document, audit.as_ref());
        if !matches!(saved, Ok(Saved::Created(_))) {
            // No row names these bytes: they go now, or with the sweeper.
            self.delete_trashed(vec![key])?;
        }
        saved
    }

    /// A patient's upload on the mobile app, with a link to read it. `name` is the display name the
    /// client gave (else the part's file name, else "document").
    pub fn upload_for_user(
        &self,
        user: &ActorId,
        upload: Upload,
        name: Option<&str>,
    ) -> Result<Linked> {
        let name = match name.map(|n| display_text("name", n)).transpose() {
            Ok(name) => name.unwrap_or_else(|| "document".to_owned()),
            Err(e) => {
                self.discard(upload)?;
                return Err(e);
            }
        };
        let filing = Filing {
            owner: Owner::AppUser(user.clone()),
            name,
            title: None,
            kind: None,
            by: user.clone(),
        };
        let saved = self.save(upload, filing, None)?;
        self.linked(saved)
    }

    pub(super) fn linked(&self, saved: Saved) -> Result<Linked> {
        let created = matches!(saved, Saved::Created(_));
        let document = saved.into_document();
        let url = self.link(&document.key)?;
        Ok(Linked {
            document,
            url,
            created,
        })
    }

    /// A fresh signed link to a stored key, valid for the configured time.
    pub fn link(&self, key: &BlobKey) -> Result<String> {
        let expires = self.ports.clock.now() + self.settings.link_ttl;
        self.ports.links.link(key, expires)
    }

    /// Checks the documents a patient puts on a case: each whose key names an upload must be one of
    /// the patient's own live uploads (404 "Document not found" otherwise, whoever else's it is);
    /// its `url` is then kept as the server's own path, since signed links expire. Documents stored
    /// elsewhere (keys outside the upload prefix) pass as they are.
    pub fn claim(
        &self,
        user: &ActorId,
        docs: Vec<MedicalDocument>,
    ) -> Result<Vec<MedicalDocument>> {
        let uploaded: Vec<BlobKey> = docs
            .iter()
            .filter(|d| d.key.starts_with(KEY_PREFIX))
            .map(|d| BlobKey::parse(&d.key).map_err(|_| document_not_found()))
            .collect::<Result<_>>()?;
        if uploaded.is_empty() {
            return Ok(docs);
        }
        let owner = Owner::AppUser(user.clone());
        let found = self.ports.repository.find_by_keys(&uploaded)?;
        let mine = |key: &str| {
            found
                .iter()
                .any(|d| d.key.as_str() == key && d.owner == owner)
        };
        docs.into_iter()
            .map(|mut d| {
                if d.key.starts_with(KEY_PREFIX) {
                    if !mine(&d.key) {
                        return Err(document_not_found());
                    }
                    d.url = format!("{FILES_PATH}{}", d.key);
                }
                Ok(d)
            })
            .collect()
    }

    /// Gives each uploaded document of a case a fresh link (documents stored elsewhere keep theirs).
    pub fn refresh_links(&self, docs: &mut [MedicalDocument]) -> Result<()> {
        for doc in docs.iter_mut().filter(|d| d.key.starts_with(KEY_PREFIX)) {
            if let Ok(key) = BlobKey::parse(&doc.key) {
                doc.url = self.link(&key)?;
            }
        }
        Ok(())
    }

    /// The document a signed link names: 403 for a link that does not verify or has expired, 404
    /// for a document since hidden.
    pub fn check_link(&self, key: &BlobKey, expires: i64, signature: &str) -> Result<Document> {
        let p = &self.ports;
        p.links.check(key, expires, signature, p.clock.now())?;
        p.repository
            .find_by_keys(std::slice::from_ref(key))?
            .into_iter()
            .next()
            .ok_or_else(document_not_found)
    }

    /// A document's bytes from `offset` (read it only after the caller was allowed to); a row
    /// whose bytes are gone is a fault of the store.
    pub fn open(&self, document: &Document, offset: u64) -> Result<BlobReader> {
        self.ports
            .blobs
            .open(&document.key, offset)?
            .ok_or_else(|| {
                crate::Error::Internal(crate::Cause::new(format!(
                    "the bytes of document {} are missing from the blob store",
                    document.id
                )))
            })
    }

    /// Removes hidden documents past retention: their rows, then their bytes (the trash list keeps
    /// what cannot be deleted now for the sweeper). Runs until none is left.
    pub fn purge(&self) -> Result<Purged> {
        let p = &self.ports;
        let now = p.clock.now();
        let before = now - self.settings.retention;
        let mut purged = Purged::default();
        loop {
            let keys = p.repository.purge_hidden(before, now, PURGE_BATCH)?;
            let batch = keys.len();
            purged.documents += batch;
            purged.failed += self.delete_trashed(keys)?;
            if batch < PURGE_BATCH as usize {
                return Ok(purged);
            }
        }
    }

    /// Deletes the bytes of trashed keys and takes those deleted off the list; answers how many
    /// could not be deleted now.
    fn delete_trashed(&self, keys: Vec<BlobKey>) -> Result<usize> {
        let total = keys.len();
        let gone: Vec<BlobKey> = keys
            .into_iter()
            .filter(|key| self.ports.blobs.delete(key).is_ok())
            .collect();
        if !gone.is_empty() {
            self.ports.repository.forget_trash(&gone)?;
        }
        Ok(total - gone.len())
    }
}
