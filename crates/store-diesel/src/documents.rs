//! [`DocumentRepository`]: uploaded documents. An insert takes its blob key off the trash list and
//! writes its audit entry in the same transaction; the unique index on (owner, bytes) among live
//! documents makes a concurrent second upload of the same bytes find the first instead.

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::clinic::{AuditEntry, PatientId};
use domain::documents::{ContentType, Document, DocumentId, DocumentRepository, Owner, Saved};
use domain::kernel::blob::{BlobKey, Sha256};
use domain::kernel::ids::ActorId;
use domain::kernel::paging::{Page, PageRequest};
use time::OffsetDateTime;

use crate::clinic::insert_audit;
use crate::connection::{Store, write_transaction};
use crate::error::StoreError;
use crate::schema::documents;
use crate::sql::{
    count, id_text, parse_hex, parse_id, parse_optional_timestamp, parse_stored, parse_timestamp,
    timestamp,
};
use crate::trash::{KEY_CHUNK, blob_keys, trash, untrash};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct DocumentRow {
    document_id: String,
    owner_kind: String,
    owner_id: String,
    patient_id: Option<String>,
    blob_key: String,
    name: String,
    title: Option<String>,
    kind: Option<String>,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_by: String,
    created_at: String,
    deleted_at: Option<String>,
}

impl From<&Document> for DocumentRow {
    fn from(d: &Document) -> Self {
        Self {
            document_id: id_text(d.id),
            owner_kind: d.owner.kind().to_owned(),
            owner_id: d.owner.id(),
            patient_id: match &d.owner {
                Owner::Patient(p) => Some(id_text(*p)),
                Owner::AppUser(_) => None,
            },
            blob_key: d.key.as_str().to_owned(),
            name: d.name.clone(),
            title: d.title.clone(),
            kind: d.kind.map(|k| <&'static str>::from(k).to_owned()),
            content_type: d.content_type.mime().to_owned(),
            size_bytes: i64::try_from(d.size).unwrap_or(i64::MAX),
            sha256: d.sha256.hex(),
            uploaded_by: d.uploaded_by.as_str().to_owned(),
            created_at: timestamp(d.created_at),
            deleted_at: d.deleted_at.map(timestamp),
        }
    }
}

impl TryFrom<DocumentRow> for Document {
    type Error = domain::Error;

    fn try_from(row: DocumentRow) -> domain::Result<Self> {
        let owner_name = format!("document {}", row.document_id);
        let owner = Owner::from_stored(&row.owner_kind, &row.owner_id)
            .ok_or_else(|| domain::Error::internal(format!("stored owner of {owner_name}")))?;
        let content_type = ContentType::from_mime(&row.content_type)
            .ok_or_else(|| domain::Error::internal(format!("stored type of {owner_name}")))?;
        let digest: [u8; 32] = parse_hex("sha256", &row.sha256)?
            .try_into()
            .map_err(|_| domain::Error::internal(format!("stored sha256 of {owner_name}")))?;
        Ok(Document {
            id: parse_id(&row.document_id)?,
            owner,
            key: BlobKey::parse(&row.blob_key)?,
            name: row.name,
            title: row.title,
            kind: row
                .kind
                .as_deref()
                .map(|k| parse_stored("kind", &owner_name, k))
                .transpose()?,
            content_type,
            size: u64::try_from(row.size_bytes).unwrap_or_default(),
            sha256: Sha256(digest),
            uploaded_by: ActorId::from_stored(row.uploaded_by),
            created_at: parse_timestamp(&row.created_at)?,
            deleted_at: parse_optional_timestamp(row.deleted_at.as_deref())?,
        })
    }
}

fn documents_of(rows: Vec<DocumentRow>) -> domain::Result<Vec<Document>> {
    rows.into_iter().map(Document::try_from).collect()
}

fn live_by_hash(
    conn: &mut crate::connection::DbConnection,
    owner: &Owner,
    sha256: &str,
) -> Result<Option<DocumentRow>, StoreError> {
    Ok(documents::table
        .filter(documents::owner_kind.eq(owner.kind()))
        .filter(documents::owner_id.eq(owner.id()))
        .filter(documents::sha256.eq(sha256))
        .filter(documents::deleted_at.is_null())
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?)
}

impl DocumentRepository for Store {
    fn reserve_blob(&self, key: &BlobKey, due: OffsetDateTime) -> domain::Result<()> {
        let key = key.as_str().to_owned();
        let due = timestamp(due);
        Ok(self.with_conn(|db| write_transaction(db, |conn| trash(conn, &[key], &due)))?)
    }

    fn forget_trash(&self, keys: &[BlobKey]) -> domain::Result<()> {
        let keys: Vec<&str> = keys.iter().map(BlobKey::as_str).collect();
        Ok(self.with_conn(|db| write_transaction(db, |conn| untrash(conn, &keys)))?)
    }

    fn find_by_hash(&self, owner: &Owner, sha256: &Sha256) -> domain::Result<Option<Document>> {
        let hex = sha256.hex();
        let row = self.with_conn(|conn| live_by_hash(conn, owner, &hex))?;
        row.map(Document::try_from).transpose()
    }

    fn insert(&self, document: &Document, audit: Option<&AuditEntry>) -> domain::Result<Saved> {
        let row = DocumentRow::from(document);
        let inserted = self.with_conn(|db| {
            write_transaction(db, |conn| {
                diesel::insert_into(documents::table)
                    .values(&row)
                    .execute(conn)?;
                untrash(conn, &[row.blob_key.as_str()])?;
                if let Some(entry) = audit {
                    insert_audit(conn, entry)?;
                }
                Ok::<_, StoreError>(())
            })
        });
        match inserted {
            Ok(()) => Ok(Saved::Created(document.clone())),
            // Another upload of the same bytes by the same owner committed first.
            Err(e) if e.is_unique_violation() => {
                let existing =
                    self.with_conn(|conn| live_by_hash(conn, &document.owner, &row.sha256))?;
                match existing {
                    Some(found) => Ok(Saved::Existing(Document::try_from(found)?)),
                    None => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    fn find(&self, id: DocumentId) -> domain::Result<Option<Document>> {
        let id = id_text(id);
        let row = self.with_conn(|conn| {
            Ok(documents::table
                .find(&id)
                .select(DocumentRow::as_select())
                .first(conn)
                .optional()?)
        })?;
        row.map(Document::try_from).transpose()
    }

    fn find_by_keys(&self, keys: &[BlobKey]) -> domain::Result<Vec<Document>> {
        let keys: Vec<&str> = keys.iter().map(BlobKey::as_str).collect();
        let rows = self.with_conn(|conn| {
            let mut rows = Vec::new();
            for chunk in keys.chunks(KEY_CHUNK) {
                rows.extend(
                    documents::table
                        .filter(documents::blob_key.eq_any(chunk))
                        .filter(documents::deleted_at.is_null())
                        .select(DocumentRow::as_select())
                        .load(conn)?,
                );
            }
            Ok(rows)
        })?;
        documents_of(rows)
    }

    fn list_for_patient(
        &self,
        patient: PatientId,
        page: PageRequest,
    ) -> domain::Result<Page<Document>> {
        let patient = id_text(patient);
        let (rows, total) = self.with_conn(|conn| {
            let live = || {
                documents::table
                    .filter(documents::patient_id.eq(patient.clone()))
                    .filter(documents::deleted_at.is_null())
            };
            let rows = live()
                .order((documents::created_at.desc(), documents::document_id.desc()))
                .limit(page.limit())
                .offset(page.offset())
                .select(DocumentRow::as_select())
                .load(conn)?;
            let total: i64 = live().select(count_star()).get_result(conn)?;
            Ok((rows, total))
        })?;
        Ok(Page {
            items: documents_of(rows)?,
            total: count(total),
            request: page,
        })
    }

    fn hide(&self, id: DocumentId, at: OffsetDateTime, audit: &AuditEntry) -> domain::Result<bool> {
        let id = id_text(id);
        let at = timestamp(at);
        Ok(self.with_conn(|db| {
            write_transaction(db, |conn| {
                let hidden = diesel::update(
                    documents::table
                        .find(&id)
                        .filter(documents::deleted_at.is_null()),
                )
                .set(documents::deleted_at.eq(&at))
                .execute(conn)?;
                if hidden == 0 {
                    return Ok::<_, StoreError>(false);
                }
                insert_audit(conn, audit)?;
                Ok(true)
            })
        })?)
    }

    fn purge_hidden(
        &self,
        before: OffsetDateTime,
        due: OffsetDateTime,
        limit: u32,
    ) -> domain::Result<Vec<BlobKey>> {
        let before = timestamp(before);
        let due = timestamp(due);
        let keys = self.with_conn(|db| {
            write_transaction(db, |conn| {
                let found: Vec<(String, String)> = documents::table
                    .filter(documents::deleted_at.le(&before))
                    .order(documents::deleted_at)
                    .limit(i64::from(limit))
                    .select((documents::document_id, documents::blob_key))
                    .load(conn)?;
                let (ids, keys): (Vec<String>, Vec<String>) = found.into_iter().unzip();
                for chunk in ids.chunks(KEY_CHUNK) {
                    diesel::delete(documents::table.filter(documents::document_id.eq_any(chunk)))
                        .execute(conn)?;
                }
                trash(conn, &keys, &due)?;
                Ok::<_, StoreError>(keys)
            })
        })?;
        blob_keys(keys)
    }
}
