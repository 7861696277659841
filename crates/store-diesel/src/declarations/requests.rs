//! [`DeclarationRequestRepository`]: declaration requests, each visible to its legal entity only.
//! A new request cancels the person's earlier open ones for the same employee in its own
//! transaction; every later change is a conditional write on the status it was read in.

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::declarations::{
    AuthenticationMethod, DataToBeSigned, Declaration, DeclarationId, DeclarationRequest,
    DeclarationRequestId, DeclarationRequestRepository, DeclarationRequestStatus,
    DeclarationStatus, DocumentType, LegalEntityId, RequestAction, RequestFilter, StatusReason,
};
use domain::kernel::code::Code;
use domain::kernel::ids::ActorId;
use domain::kernel::paging::{Page, PageRequest};
use time::OffsetDateTime;

use super::TxError;
use super::registry::DeclarationValues;
use crate::connection::{DbConnection, MultiBackend, Store, on_backend, write_transaction};
use crate::schema::{declaration_requests, declarations};
use crate::sql::{
    RowName, count, date_text, id_text, parse_date, parse_id, parse_json, parse_stored,
    parse_timestamp, timestamp, to_json,
};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = declaration_requests)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct RequestRow {
    declaration_request_id: String,
    person_id: String,
    employee_id: String,
    division_id: String,
    legal_entity_id: String,
    start_date: String,
    parent_declaration_id: Option<String>,
    status: String,
    status_reason: Option<String>,
    authentication_method_current: Option<String>,
    declaration_number: String,
    declaration_id: String,
    data_to_be_signed: Option<String>,
    printout_content: Option<String>,
    seed: Option<String>,
    is_shareable: bool,
    documents: String,
    inserted_at: String,
    inserted_by: String,
    updated_at: String,
    updated_by: String,
}

impl TryFrom<RequestRow> for DeclarationRequest {
    type Error = domain::Error;

    fn try_from(row: RequestRow) -> domain::Result<Self> {
        let owner = RowName("declaration request", &row.declaration_request_id);
        let method: Option<AuthenticationMethod> = row
            .authentication_method_current
            .as_deref()
            .map(|raw| parse_json(&format!("authentication_method_current of {owner}"), raw))
            .transpose()?;
        let data: Option<DataToBeSigned> = row
            .data_to_be_signed
            .as_deref()
            .map(|raw| parse_json(&format!("data_to_be_signed of {owner}"), raw))
            .transpose()?;
        let documents: Vec<DocumentType> =
            parse_json(&format!("documents of {owner}"), &row.documents)?;
        Ok(DeclarationRequest {
            id: parse_id(&row.declaration_request_id)?,
            person_id: parse_id(&row.person_id)?,
            employee_id: parse_id(&row.employee_id)?,
            division_id: parse_id(&row.division_id)?,
            legal_entity_id: parse_id(&row.legal_entity_id)?,
            start_date: parse_date(&format!("start_date of {owner}"), &row.start_date)?,
            parent_declaration_id: row
                .parent_declaration_id
                .as_deref()
                .map(parse_id)
                .transpose()?,
            status: parse_stored("status", &owner, &row.status)?,
            status_reason: row
                .status_reason
                .as_deref()
                .map(|raw| parse_stored("status_reason", &owner, raw))
                .transpose()?,
            authentication_method_current: method,
            declaration_number: row.declaration_number,
            declaration_id: parse_id(&row.declaration_id)?,
            data_to_be_signed: data,
            printout_content: row.printout_content,
            seed: row.seed,
            is_shareable: row.is_shareable,
            documents,
            inserted_at: parse_timestamp(&row.inserted_at)?,
            inserted_by: ActorId::from_stored(row.inserted_by),
            updated_at: parse_timestamp(&row.updated_at)?,
            updated_by: ActorId::from_stored(row.updated_by),
        })
    }
}

/// A request as written. A transition rewrites every column but the id and who inserted it when,
/// and clears the optional ones that are `None` (an expired request's wiped data).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = declaration_requests,
    primary_key(declaration_request_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct RequestValues<'a> {
    declaration_request_id: String,
    person_id: String,
    employee_id: String,
    division_id: String,
    legal_entity_id: String,
    start_date: String,
    parent_declaration_id: Option<String>,
    status: &'static str,
    status_reason: Option<&'static str>,
    authentication_method_current: Option<String>,
    declaration_number: &'a str,
    declaration_id: String,
    data_to_be_signed: Option<String>,
    printout_content: Option<&'a str>,
    seed: Option<&'a str>,
    is_shareable: bool,
    documents: String,
    #[diesel(skip_update)]
    inserted_at: String,
    #[diesel(skip_update)]
    inserted_by: &'a str,
    updated_at: String,
    updated_by: &'a str,
}

impl<'a> RequestValues<'a> {
    fn new(r: &'a DeclarationRequest) -> domain::Result<Self> {
        Ok(RequestValues {
            declaration_request_id: id_text(r.id),
            person_id: id_text(r.person_id),
            employee_id: id_text(r.employee_id),
            division_id: id_text(r.division_id),
            legal_entity_id: id_text(r.legal_entity_id),
            start_date: date_text(r.start_date),
            parent_declaration_id: r.parent_declaration_id.map(id_text),
            status: r.status.as_str(),
            status_reason: r.status_reason.map(Code::as_str),
            authentication_method_current: r
                .authentication_method_current
                .as_ref()
                .map(|m| to_json("authentication_method_current", m))
                .transpose()?,
            declaration_number: &r.declaration_number,
            declaration_id: id_text(r.declaration_id),
            data_to_be_signed: r
                .data_to_be_signed
                .as_ref()
                .map(|d| to_json("data_to_be_signed", d))
                .transpose()?,
            printout_content: r.printout_content.as_deref(),
            seed: r.seed.as_deref(),
            is_shareable: r.is_shareable,
            documents: to_json("documents", &r.documents)?,
            inserted_at: timestamp(r.inserted_at),
            inserted_by: r.inserted_by.as_str(),
            updated_at: timestamp(r.updated_at),
            updated_by: r.updated_by.as_str(),
        })
    }
}

/// The statuses whose requests an action may still move on: `Cancel` for `create`, `Expire` for
/// `expirable`. Taken from the domain's transition table, so that the two cannot disagree.
fn statuses_allowing(action: RequestAction) -> Vec<&'static str> {
    DeclarationRequestStatus::codes()
        .into_iter()
        .filter(|code| DeclarationRequestStatus::from_code(code).is_some_and(|s| s.allows(action)))
        .collect()
}

/// Why a parent declaration is terminated when a child's own declaration is signed.
const REORGANIZATION: &str = "auto_reorganization";

/// Writes `values` over the stored request only if it is still in status `from`, on `conn`;
/// returns whether it did.
///
/// The status is the claim: PostgreSQL makes a concurrent transition of the row wait, then
/// re-checks the status against the committed row and finds it moved; SQLite runs one write at a
/// time.
fn transition(
    conn: &mut DbConnection,
    values: &RequestValues<'_>,
    from: DeclarationRequestStatus,
) -> QueryResult<bool> {
    let updated = diesel::update(
        declaration_requests::table
            .filter(declaration_requests::declaration_request_id.eq(&values.declaration_request_id))
            .filter(declaration_requests::status.eq(from.as_str())),
    )
    .set(values)
    .execute(conn)?;
    Ok(updated > 0)
}

/// `legal_entity`'s requests that `filter` selects, unordered and unpaged, shared by the list and
/// its total.
fn requests_matching(
    legal_entity: &str,
    filter: &RequestFilter,
) -> declaration_requests::BoxedQuery<'static, MultiBackend> {
    let mut query = declaration_requests::table
        .filter(declaration_requests::legal_entity_id.eq(legal_entity.to_owned()))
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(declaration_requests::status.eq(status.as_str()));
    }
    if let Some(person) = filter.person_id {
        query = query.filter(declaration_requests::person_id.eq(id_text(person)));
    }
    if let Some(employee) = filter.employee_id {
        query = query.filter(declaration_requests::employee_id.eq(id_text(employee)));
    }
    query
}

impl DeclarationRequestRepository for Store {
    fn create(&self, request: &DeclarationRequest) -> domain::Result<Vec<DeclarationRequestId>> {
        let values = RequestValues::new(request)?;
        let open = statuses_allowing(RequestAction::Cancel);
        let cancelled: Vec<String> = self
            .with_conn(|db| {
                Ok(write_transaction(db, |conn| {
                    // The earlier requests first, so that the person never has two open requests
                    // for one employee, even for an instant.
                    let cancel = diesel::update(
                        declaration_requests::table
                            .filter(declaration_requests::person_id.eq(&values.person_id))
                            .filter(declaration_requests::employee_id.eq(&values.employee_id))
                            .filter(declaration_requests::status.eq_any(&open))
                            .filter(
                                declaration_requests::declaration_request_id
                                    .ne(&values.declaration_request_id),
                            ),
                    )
                    .set((
                        declaration_requests::status
                            .eq(DeclarationRequestStatus::Cancelled.as_str()),
                        declaration_requests::status_reason
                            .eq(Some(StatusReason::NewRequestCreated.as_str())),
                        declaration_requests::updated_at.eq(&values.updated_at),
                        declaration_requests::updated_by.eq(values.updated_by),
                    ))
                    .returning(declaration_requests::declaration_request_id);
                    let ids: Vec<String> = on_backend!(conn, |c| cancel.get_results(c))?;
                    diesel::insert_into(declaration_requests::table)
                        .values(&values)
                        .execute(conn)?;
                    Ok::<_, TxError>(ids)
                }))
            })?
            .map_err(domain::Error::from)?;
        let mut ids = cancelled
            .iter()
            .map(|id| parse_id(id))
            .collect::<domain::Result<Vec<DeclarationRequestId>>>()?;
        ids.sort();
        Ok(ids)
    }

    fn find(
        &self,
        id: DeclarationRequestId,
        legal_entity: LegalEntityId,
    ) -> domain::Result<Option<DeclarationRequest>> {
        // The primary key finds the row; the legal entity decides whether the caller sees it.
        let row = self.with_conn(|conn| {
            Ok(declaration_requests::table
                .filter(declaration_requests::declaration_request_id.eq(id_text(id)))
                .filter(declaration_requests::legal_entity_id.eq(id_text(legal_entity)))
                .select(RequestRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(DeclarationRequest::try_from).transpose()
    }

    fn list(
        &self,
        legal_entity: LegalEntityId,
        filter: &RequestFilter,
        page: PageRequest,
    ) -> domain::Result<Page<DeclarationRequest>> {
        let entity = id_text(legal_entity);
        // Newest first: `declaration_requests_entity_created` (or `…_entity_status_created` for
        // one status) walked backwards.
        let (rows, total) = self.with_conn(|conn| {
            let rows = requests_matching(&entity, filter)
                .order((
                    declaration_requests::inserted_at.desc(),
                    declaration_requests::declaration_request_id.desc(),
                ))
                .limit(page.limit())
                .offset(page.offset())
                .select(RequestRow::as_select())
                .load(conn)?;
            let total = requests_matching(&entity, filter)
                .select(count_star())
                .get_result::<i64>(conn)?;
            Ok((rows, total))
        })?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(DeclarationRequest::try_from)
                .collect::<domain::Result<_>>()?,
            total: count(total),
            request: page,
        })
    }

    fn save_transition(
        &self,
        request: &DeclarationRequest,
        from: DeclarationRequestStatus,
    ) -> domain::Result<bool> {
        let values = RequestValues::new(request)?;
        Ok(self.with_conn(|conn| Ok(transition(conn, &values, from)?))?)
    }

    fn expirable(
        &self,
        inserted_before: OffsetDateTime,
        limit: i64,
    ) -> domain::Result<Vec<DeclarationRequest>> {
        let may_expire = statuses_allowing(RequestAction::Expire);
        // One range of `declaration_requests_status_inserted` per status that may expire.
        let rows = self.with_conn(|conn| {
            Ok(declaration_requests::table
                .filter(declaration_requests::status.eq_any(&may_expire))
                .filter(declaration_requests::inserted_at.lt(timestamp(inserted_before)))
                .order((
                    declaration_requests::inserted_at,
                    declaration_requests::declaration_request_id,
                ))
                .limit(limit)
                .select(RequestRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(DeclarationRequest::try_from).collect()
    }

    fn sign(
        &self,
        request: &DeclarationRequest,
        from: DeclarationRequestStatus,
        declaration: &Declaration,
        terminate_parent: Option<DeclarationId>,
    ) -> domain::Result<bool> {
        let values = RequestValues::new(request)?;
        let signed = DeclarationValues::signed(declaration, request.updated_at);
        let parent = terminate_parent.map(id_text);
        let wrote = self
            .with_conn(|db| {
                Ok(write_transaction(db, |conn| {
                    // The request's transition first: when another action moved it, nothing at
                    // all is written.
                    if !transition(conn, &values, from)? {
                        return Ok::<_, TxError>(false);
                    }
                    diesel::insert_into(declarations::table)
                        .values(&signed)
                        .execute(conn)?;
                    if let Some(parent) = &parent {
                        diesel::update(
                            declarations::table
                                .filter(declarations::declaration_id.eq(parent))
                                .filter(
                                    declarations::status.eq(DeclarationStatus::Active.as_str()),
                                ),
                        )
                        .set((
                            declarations::status.eq(DeclarationStatus::Terminated.as_str()),
                            declarations::reason.eq(Some(REORGANIZATION)),
                            declarations::updated_at.eq(&values.updated_at),
                        ))
                        .execute(conn)?;
                    }
                    Ok(true)
                }))
            })?
            .map_err(domain::Error::from)?;
        Ok(wrote)
    }
}
