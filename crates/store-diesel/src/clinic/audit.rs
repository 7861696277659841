//! [`AuditRepository`]: the audit log, only ever inserted into.

use diesel::prelude::*;
use domain::clinic::{AuditAction, AuditEntry, AuditFilter, AuditRepository};
use domain::kernel::ids::ActorId;
use domain::kernel::paging::{Page, PageRequest};

use crate::connection::{DbConnection, MultiBackend, Store};
use crate::error::StoreError;
use crate::schema::audit_log;
use crate::sql::{id_text, parse_id, parse_timestamp, timestamp};

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
struct AuditValues {
    audit_id: String,
    at: String,
    actor_id: String,
    action: &'static str,
    patient_id: Option<String>,
    object_type: &'static str,
    object_id: Option<String>,
    request_id: Option<String>,
}

impl From<&AuditEntry> for AuditValues {
    fn from(entry: &AuditEntry) -> Self {
        Self {
            audit_id: id_text(entry.id),
            at: timestamp(entry.at),
            actor_id: entry.actor.as_str().to_owned(),
            action: entry.action.as_str(),
            patient_id: entry.patient.map(id_text),
            object_type: entry.action.object().into(),
            object_id: entry.object_id.clone(),
            request_id: entry.request_id.clone(),
        }
    }
}

/// Adds `entry` inside the caller's transaction (a write records its entry with the change).
pub(crate) fn insert_audit(conn: &mut DbConnection, entry: &AuditEntry) -> Result<(), StoreError> {
    diesel::insert_into(audit_log::table)
        .values(AuditValues::from(entry))
        .execute(conn)?;
    Ok(())
}

type AuditRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn entry(row: AuditRow) -> domain::Result<AuditEntry> {
    let (id, at, actor, action, patient, object_id, request_id) = row;
    Ok(AuditEntry {
        id: parse_id(&id)?,
        at: parse_timestamp(&at)?,
        actor: ActorId::parse(&actor)?,
        action: AuditAction::parse(&action).ok_or_else(|| {
            domain::Error::internal(format!("stored audit action {action:?} is unknown"))
        })?,
        patient: patient.as_deref().map(parse_id).transpose()?,
        object_id,
        request_id,
    })
}

impl AuditRepository for Store {
    fn record(&self, entry: &AuditEntry) -> domain::Result<()> {
        self.with_conn(|conn| insert_audit(conn, entry))
            .map_err(domain::Error::from)
    }

    fn list(&self, filter: &AuditFilter, page: PageRequest) -> domain::Result<Page<AuditEntry>> {
        let query = || -> audit_log::BoxedQuery<'static, MultiBackend> {
            let mut q = audit_log::table.into_boxed();
            if let Some(actor) = &filter.actor {
                q = q.filter(audit_log::actor_id.eq(actor.as_str().to_owned()));
            }
            if let Some(patient) = filter.patient {
                q = q.filter(audit_log::patient_id.eq(id_text(patient)));
            }
            if let Some(action) = filter.action {
                q = q.filter(audit_log::action.eq(action.as_str()));
            }
            if let Some(object) = filter.object {
                let kind: &'static str = object.into();
                q = q.filter(audit_log::object_type.eq(kind));
            }
            if let Some(from) = filter.from {
                q = q.filter(audit_log::at.ge(timestamp(from)));
            }
            if let Some(to) = filter.to {
                q = q.filter(audit_log::at.lt(timestamp(to)));
            }
            q
        };
        let (total, rows) = self
            .with_conn(|conn| {
                let total: i64 = query().count().get_result(conn)?;
                let rows: Vec<AuditRow> = query()
                    .order((audit_log::at.desc(), audit_log::audit_id.desc()))
                    .select((
                        audit_log::audit_id,
                        audit_log::at,
                        audit_log::actor_id,
                        audit_log::action,
                        audit_log::patient_id,
                        audit_log::object_id,
                        audit_log::request_id,
                    ))
                    .limit(page.limit())
                    .offset(page.offset())
                    .load(conn)?;
                Ok((total, rows))
            })
            .map_err(domain::Error::from)?;
        Ok(Page {
            items: rows.into_iter().map(entry).collect::<domain::Result<_>>()?,
            total: u64::try_from(total).unwrap_or_default(),
            request: page,
        })
    }
}
