//! [`Store::import_registry`]: `server registry import FILE.json` — the registry's five arrays
//! upserted all or nothing, in one transaction.
//!
//! Each array is compared with what is stored before anything is written: an object absent is
//! inserted, one that differs is updated, one already as imported is left alone. Importing the same
//! file twice therefore writes nothing the second time, and its counts say so.

use std::collections::HashMap;

use diesel::prelude::*;
use domain::Cause;
use domain::declarations::{Declaration, Division, Employee, LegalEntity, Person};
use time::OffsetDateTime;

use super::TxError;
use super::registry::{
    DeclarationRow, DeclarationValues, DivisionRow, DivisionValues, EmployeeRow, EmployeeValues,
    LegalEntityRow, LegalEntityValues, PersonRow, PersonValues,
};
use crate::connection::{DbConnection, Store, on_backend, write_transaction};
use crate::schema::{declarations, divisions, employees, legal_entities, persons};
use crate::sql::id_text;

/// Rows per statement: ids read per `IN (…)`, and rows per multi-row insert (500 rows of at most
/// 12 columns are 6,000 bind parameters, well under both backends' limits).
const CHUNK: usize = 500;

/// The registry file's five arrays, as domain objects, in the order they are written (each refers
/// only to the ones before it).
#[derive(Debug, Clone, Copy, Default)]
pub struct RegistryImport<'a> {
    pub legal_entities: &'a [LegalEntity],
    pub divisions: &'a [Division],
    pub employees: &'a [Employee],
    pub persons: &'a [Person],
    pub declarations: &'a [Declaration],
}

/// What an import did to one array: objects it created, and objects it changed. The rest were
/// stored as imported already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Upserted {
    pub created: u64,
    pub updated: u64,
}

/// What an import did, per array.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegistryImported {
    pub legal_entities: Upserted,
    pub divisions: Upserted,
    pub employees: Upserted,
    pub persons: Upserted,
    pub declarations: Upserted,
}

impl RegistryImported {
    fn all(&self) -> [Upserted; 5] {
        [
            self.legal_entities,
            self.divisions,
            self.employees,
            self.persons,
            self.declarations,
        ]
    }

    /// Objects created, over all arrays.
    pub fn created(&self) -> u64 {
        self.all().iter().map(|u| u.created).sum()
    }

    /// Objects changed, over all arrays.
    pub fn updated(&self) -> u64 {
        self.all().iter().map(|u| u.updated).sum()
    }
}

/// One array's upsert: which of `items` are new or changed, compared with the stored objects of the
/// same ids, then the inserts (several rows per statement) and the updates (one per object).
struct Upsert<'i, T> {
    /// The array's name, for the error.
    what: &'static str,
    items: &'i [T],
    id: fn(&T) -> String,
}

impl<'i, T: PartialEq> Upsert<'i, T> {
    fn run(
        self,
        conn: &mut DbConnection,
        load: impl Fn(&mut DbConnection, &[String]) -> Result<Vec<T>, TxError>,
        insert: impl Fn(&mut DbConnection, &[&'i T]) -> Result<(), TxError>,
        update: impl Fn(&mut DbConnection, &'i T) -> Result<(), TxError>,
    ) -> Result<Upserted, TxError> {
        let what = self.what;
        let ids: Vec<String> = self.items.iter().map(self.id).collect();
        let mut stored: HashMap<String, T> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            for object in load(conn, chunk).map_err(|e| named(what, e))? {
                stored.insert((self.id)(&object), object);
            }
        }
        let mut new = Vec::new();
        let mut changed = Vec::new();
        for (item, id) in self.items.iter().zip(&ids) {
            match stored.get(id) {
                None => new.push(item),
                Some(old) if old != item => changed.push(item),
                Some(_) => {}
            }
        }
        for chunk in new.chunks(CHUNK) {
            insert(conn, chunk).map_err(|e| named(what, e))?;
        }
        for item in &changed {
            update(conn, item).map_err(|e| named(what, e))?;
        }
        Ok(Upserted {
            created: new.len() as u64,
            updated: changed.len() as u64,
        })
    }
}

/// A failed write of the array `what` (a reference to nothing, a duplicate id or number), named in
/// the error; an unreachable database stays unavailable.
fn named(what: &'static str, e: TxError) -> TxError {
    match e {
        TxError::Store(e) if !e.is_unavailable() => TxError::Domain(domain::Error::Internal(
            Cause::with_source(format!("cannot import the registry's {what}"), e),
        )),
        other => other,
    }
}

impl Store {
    /// Upserts the registry, all or nothing: in one transaction, legal entities, divisions,
    /// employees, persons, then declarations. `at` is the import's time: the `inserted_at` of new
    /// rows and the `updated_at` of changed ones. Declarations keep their place in the chain; a
    /// change to a sealed one shows in [`Store::verify_declaration_chain`].
    ///
    /// A bad object anywhere (a reference to an object neither stored nor imported, the same id
    /// twice in one array, a declaration number already taken) fails the whole import and leaves
    /// the database as it was; the error names the array. Importing what is stored already changes
    /// nothing, and counts nothing.
    pub fn import_registry(
        &self,
        registry: RegistryImport<'_>,
        at: OffsetDateTime,
    ) -> domain::Result<RegistryImported> {
        let imported = self
            .with_conn(|db| Ok(write_transaction(db, |conn| write(conn, registry, at))))?
            .map_err(domain::Error::from)?;
        Ok(imported)
    }
}

fn write(
    conn: &mut DbConnection,
    r: RegistryImport<'_>,
    at: OffsetDateTime,
) -> Result<RegistryImported, TxError> {
    let legal_entities = Upsert {
        what: "legal_entities",
        items: r.legal_entities,
        id: |e: &LegalEntity| id_text(e.id),
    }
    .run(
        conn,
        |conn, ids| {
            let rows = legal_entities::table
                .filter(legal_entities::legal_entity_id.eq_any(ids))
                .select(LegalEntityRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(LegalEntity::try_from)
                .collect::<domain::Result<_>>()?)
        },
        |conn, items| {
            let values: Vec<_> = items
                .iter()
                .map(|e| LegalEntityValues::new(e, at))
                .collect();
            let insert = diesel::insert_into(legal_entities::table).values(&values);
            on_backend!(conn, |c| insert.execute(c))?;
            Ok(())
        },
        |conn, item| {
            let values = LegalEntityValues::new(item, at);
            diesel::update(legal_entities::table.find(&values.legal_entity_id))
                .set(&values)
                .execute(conn)?;
            Ok(())
        },
    )?;

    let divisions = Upsert {
        what: "divisions",
        items: r.divisions,
        id: |d: &Division| id_text(d.id),
    }
    .run(
        conn,
        |conn, ids| {
            let rows = divisions::table
                .filter(divisions::division_id.eq_any(ids))
                .select(DivisionRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(Division::try_from)
                .collect::<domain::Result<_>>()?)
        },
        |conn, items| {
            let values: Vec<_> = items.iter().map(|d| DivisionValues::new(d, at)).collect();
            let insert = diesel::insert_into(divisions::table).values(&values);
            on_backend!(conn, |c| insert.execute(c))?;
            Ok(())
        },
        |conn, item| {
            let values = DivisionValues::new(item, at);
            diesel::update(divisions::table.find(&values.division_id))
                .set(&values)
                .execute(conn)?;
            Ok(())
        },
    )?;

    let employees = Upsert {
        what: "employees",
        items: r.employees,
        id: |e: &Employee| id_text(e.id),
    }
    .run(
        conn,
        |conn, ids| {
            let rows = employees::table
                .filter(employees::employee_id.eq_any(ids))
                .select(EmployeeRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(Employee::try_from)
                .collect::<domain::Result<_>>()?)
        },
        |conn, items| {
            let values: Vec<_> = items.iter().map(|e| EmployeeValues::new(e, at)).collect();
            let insert = diesel::insert_into(employees::table).values(&values);
            on_backend!(conn, |c| insert.execute(c))?;
            Ok(())
        },
        |conn, item| {
            let values = EmployeeValues::new(item, at);
            diesel::update(employees::table.find(&values.employee_id))
                .set(&values)
                .execute(conn)?;
            Ok(())
        },
    )?;

    let persons = Upsert {
        what: "persons",
        items: r.persons,
        id: |p: &Person| id_text(p.id),
    }
    .run(
        conn,
        |conn, ids| {
            let rows = persons::table
                .filter(persons::person_id.eq_any(ids))
                .select(PersonRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(Person::try_from)
                .collect::<domain::Result<_>>()?)
        },
        |conn, items| {
            let values = items
                .iter()
                .map(|p| PersonValues::new(p, at))
                .collect::<domain::Result<Vec<_>>>()?;
            let insert = diesel::insert_into(persons::table).values(&values);
            on_backend!(conn, |c| insert.execute(c))?;
            Ok(())
        },
        |conn, item| {
            let values = PersonValues::new(item, at)?;
            diesel::update(persons::table.find(&values.person_id))
                .set(&values)
                .execute(conn)?;
            Ok(())
        },
    )?;

    let declarations = Upsert {
        what: "declarations",
        items: r.declarations,
        id: |d: &Declaration| id_text(d.id),
    }
    .run(
        conn,
        |conn, ids| {
            let rows = declarations::table
                .filter(declarations::declaration_id.eq_any(ids))
                .select(DeclarationRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(Declaration::try_from)
                .collect::<domain::Result<_>>()?)
        },
        |conn, items| {
            let values: Vec<_> = items
                .iter()
                .map(|d| DeclarationValues::new(d, at))
                .collect();
            let insert = diesel::insert_into(declarations::table).values(&values);
            on_backend!(conn, |c| insert.execute(c))?;
            Ok(())
        },
        |conn, item| {
            let values = DeclarationValues::new(item, at);
            diesel::update(declarations::table.find(&values.declaration_id))
                .set(&values)
                .execute(conn)?;
            Ok(())
        },
    )?;

    Ok(RegistryImported {
        legal_entities,
        divisions,
        employees,
        persons,
        declarations,
    })
}
