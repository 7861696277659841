//! A stored document and what its store keeps of it.

use std::fmt;

use time::OffsetDateTime;
use uuid::Uuid;

use super::content::ContentType;
use crate::clinic::{AuditEntry, PatientId};
use crate::kernel::blob::{BlobKey, Sha256};
use crate::kernel::ids::{ActorId, IdGenerator, parse_uuid, uuid_id};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

uuid_id!(
    /// A stored document, whoever uploaded it.
    DocumentId
);

/// The blob keys of uploaded documents start with this; a case document whose key does not is one
/// stored elsewhere (an outside `url`), as before the server kept files.
pub const KEY_PREFIX: &str = "documents/";

/// The most characters of a display name, a title.
pub const MAX_NAME_CHARS: usize = 255;

/// Whose a document is: it is stored once per owner and read only through them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A patient of the mobile app (the token's subject), for their second-opinion cases.
    AppUser(ActorId),
    /// A patient of the clinic.
    Patient(PatientId),
}

impl Owner {
    /// How the store keeps the owner: a kind and an id.
    pub fn kind(&self) -> &'static str {
        match self {
            Owner::AppUser(_) => "app_user",
            Owner::Patient(_) => "patient",
        }
    }

    pub fn id(&self) -> String {
        match self {
            Owner::AppUser(user) => user.as_str().to_owned(),
            Owner::Patient(patient) => patient.to_string(),
        }
    }

    /// The owner the store's two columns name; `None` for a kind this code never wrote.
    pub fn from_stored(kind: &str, id: &str) -> Option<Owner> {
        match kind {
            "app_user" => Some(Owner::AppUser(ActorId::from_stored(id.to_owned()))),
            "patient" => parse_uuid("owner_id", id)
                .ok()
                .map(|u| Owner::Patient(PatientId::from_uuid(u))),
            _ => None,
        }
    }
}

/// What a clinic document is, as the uploader files it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DocumentKind {
    Referral,
    Lab,
    Imaging,
    Consent,
    Other,
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: DocumentId,
    pub owner: Owner,
    pub key: BlobKey,
    /// The file name the client gave, as text only (never a path): shown and offered on download.
    pub name: String,
    /// A clinic document's title and kind; `None` for a patient's upload on the mobile app.
    pub title: Option<String>,
    pub kind: Option<DocumentKind>,
    pub content_type: ContentType,
    pub size: u64,
    pub sha256: Sha256,
    pub uploaded_by: ActorId,
    pub created_at: OffsetDateTime,
    /// Hidden at this time (a clinic delete); its bytes go after the retention period.
    pub deleted_at: Option<OffsetDateTime>,
}

impl Document {
    /// The blob key a new document's bytes are stored under.
    pub fn key_for(id: DocumentId) -> Result<BlobKey> {
        BlobKey::parse(&format!("{KEY_PREFIX}{}", id.as_uuid()))
    }
}

/// What saving an upload came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// A new document.
    Created(Document),
    /// The owner already had these bytes: that document, unchanged.
    Existing(Document),
}

impl Saved {
    pub fn document(&self) -> &Document {
        match self {
            Saved::Created(d) | Saved::Existing(d) => d,
        }
    }

    pub fn into_document(self) -> Document {
        match self {
            Saved::Created(d) | Saved::Existing(d) => d,
        }
    }
}

/// Keeps documents. Files and rows stay consistent through the blob trash list the imaging store
/// also uses: a key is put on it before its bytes are written and taken off in the transaction that
/// inserts the row; whatever a crash leaves on it, the sweeper deletes.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait DocumentRepository: Send + Sync {
    /// Puts `key` on the trash list, due at `due`, before its bytes are written.
    fn reserve_blob(&self, key: &BlobKey, due: OffsetDateTime) -> Result<()>;
    /// Takes keys off the trash list.
    fn forget_trash(&self, keys: &[BlobKey]) -> Result<()>;
    /// The owner's live (not hidden) document with these bytes.
    fn find_by_hash(&self, owner: &Owner, sha256: &Sha256) -> Result<Option<Document>>;
    /// In one transaction: the row inserted, its key taken off the trash list, the audit entry
    /// written. When the owner already has a live document with the same bytes (a concurrent
    /// upload), nothing is written and that one is answered as [`Saved::Existing`].
    // The lifetime is named for mockall, which cannot mock an elided one inside an `Option`.
    #[expect(clippy::needless_lifetimes)]
    fn insert<'a>(&self, document: &Document, audit: Option<&'a AuditEntry>) -> Result<Saved>;
    /// A document by id, hidden or not.
    fn find(&self, id: DocumentId) -> Result<Option<Document>>;
    /// Live documents by blob key (keys not found are left out).
    fn find_by_keys(&self, keys: &[BlobKey]) -> Result<Vec<Document>>;
    /// A patient's live documents, newest first.
    fn list_for_patient(&self, patient: PatientId, page: PageRequest) -> Result<Page<Document>>;
    /// Hides a live document, with its audit entry, in one transaction; false when it was not live.
    fn hide(&self, id: DocumentId, at: OffsetDateTime, audit: &AuditEntry) -> Result<bool>;
    /// In one transaction: at most `limit` documents hidden before `before` removed and their keys
    /// put on the trash list due at `due`. Answers the keys.
    fn purge_hidden(
        &self,
        before: OffsetDateTime,
        due: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<BlobKey>>;
}

/// The 404 of a document the caller may not see, or that is not there.
pub fn document_not_found() -> Error {
    Error::not_found(Key::DocumentNotFound)
}

/// A display name or title: trimmed, 1 to 255 characters, no control characters (a line break in
/// a `Content-Disposition` header would split it).
pub fn display_text(field: &str, raw: &str) -> Result<String> {
    let text: String = raw.trim().chars().filter(|c| !c.is_control()).collect();
    let count = text.chars().count();
    if count == 0 || count > MAX_NAME_CHARS {
        return Err(Error::field(FieldError::new(
            field,
            "length",
            Text::new(Key::InvalidTextLength)
                .field("field", field)
                .with("min", 1i64)
                .with("max", MAX_NAME_CHARS as i64),
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_read_back() {
        let user = Owner::AppUser(ActorId::from_stored("user-1".to_owned()));
        let patient = Owner::Patient(PatientId::from_uuid(uuid::Uuid::from_u128(7)));
        for owner in [user, patient] {
            assert_eq!(
                Owner::from_stored(owner.kind(), &owner.id()),
                Some(owner.clone())
            );
        }
        assert_eq!(Owner::from_stored("robot", "x"), None);
    }

    #[test]
    fn names_are_text_never_paths() {
        assert_eq!(
            display_text("name", " ../../etc/passwd ").unwrap(),
            "../../etc/passwd"
        );
        assert_eq!(
            display_text("name", "report\r\n.pdf").unwrap(),
            "report.pdf"
        );
        assert_eq!(
            display_text("name", "تقرير الأشعة.pdf").unwrap(),
            "تقرير الأشعة.pdf"
        );
        assert!(display_text("name", " \n ").is_err());
        assert!(display_text("name", &"x".repeat(256)).is_err());
    }

    #[test]
    fn new_keys_are_under_the_prefix() {
        let id = DocumentId::from_uuid(uuid::Uuid::from_u128(1));
        let key = Document::key_for(id).unwrap();
        assert!(key.as_str().starts_with(KEY_PREFIX));
    }
}
