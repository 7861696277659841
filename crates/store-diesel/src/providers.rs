//! [`ProviderRepository`]: the doctors who coordinate cases and give opinions, and the disease
//! categories each may take (`case_coordinators`, `sop_doctors`).

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::kernel::code::Code;
use domain::kernel::ids::{ActorId, DiseaseCategoryId};
use domain::kernel::text::Key;
use domain::second_opinion::{Eligibility, Provider, ProviderFilter, ProviderRepository};

use crate::connection::{DbConnection, MultiBackend, Store, on_backend, write_transaction};
use crate::error::StoreError;
use crate::schema::{disease_categories, providers};
use crate::sql::{
    LIKE_ESCAPE, RowName, contains_pattern, count, id_text, lower, parse_id, parse_stored,
    parse_timestamp, timestamp,
};

/// Runs `$body` with `$t` naming the grants table of `$as_` (`case_coordinators` or
/// `sop_doctors`): the two tables have the same columns, so one query serves both.
macro_rules! grants_table {
    ($as_:expr, |$t:ident| $body:expr) => {
        match $as_ {
            Eligibility::Coordinator => {
                use crate::schema::case_coordinators as $t;
                $body
            }
            Eligibility::Specialist => {
                use crate::schema::sop_doctors as $t;
                $body
            }
        }
    };
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = providers)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct ProviderRow {
    provider_id: String,
    name_en: String,
    name_ar: String,
    speciality_en: String,
    speciality_ar: String,
    email: Option<String>,
    phone: Option<String>,
    lang: String,
    active: bool,
    created_date: String,
    updated_date: String,
}

impl TryFrom<ProviderRow> for Provider {
    type Error = domain::Error;

    fn try_from(row: ProviderRow) -> domain::Result<Self> {
        let owner = RowName("provider", &row.provider_id);
        Ok(Provider {
            lang: parse_stored("lang", &owner, &row.lang)?,
            name_en: row.name_en,
            name_ar: row.name_ar,
            speciality_en: row.speciality_en,
            speciality_ar: row.speciality_ar,
            email: row.email,
            phone: row.phone,
            active: row.active,
            created_date: parse_timestamp(&row.created_date)?,
            updated_date: parse_timestamp(&row.updated_date)?,
            id: ActorId::from_stored(row.provider_id),
        })
    }
}

/// A provider as written. An upsert of an existing one sets every column but the id and
/// `created_date`, and clears the contact details that are `None`.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = providers,
    primary_key(provider_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct ProviderValues<'a> {
    provider_id: &'a str,
    name_en: &'a str,
    name_ar: &'a str,
    speciality_en: &'a str,
    speciality_ar: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    lang: &'static str,
    active: bool,
    #[diesel(skip_update)]
    created_date: String,
    updated_date: String,
}

impl<'a> From<&'a Provider> for ProviderValues<'a> {
    fn from(p: &'a Provider) -> Self {
        ProviderValues {
            provider_id: p.id.as_str(),
            name_en: &p.name_en,
            name_ar: &p.name_ar,
            speciality_en: &p.speciality_en,
            speciality_ar: &p.speciality_ar,
            email: p.email.as_deref(),
            phone: p.phone.as_deref(),
            lang: p.lang.as_str(),
            active: p.active,
            created_date: timestamp(p.created_date),
            updated_date: timestamp(p.updated_date),
        }
    }
}

/// The providers `filter` selects, unordered and unpaged, shared by the list and the count.
fn providers_matching(filter: &ProviderFilter) -> providers::BoxedQuery<'static, MultiBackend> {
    let mut query = providers::table.into_boxed();
    if let Some(active) = filter.active {
        query = query.filter(providers::active.eq(active));
    }
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(providers::provider_id)
                .like(lower(pattern.clone()))
                .escape(LIKE_ESCAPE)
                .or(lower(providers::name_en)
                    .like(lower(pattern.clone()))
                    .escape(LIKE_ESCAPE))
                .or(lower(providers::name_ar)
                    .like(lower(pattern))
                    .escape(LIKE_ESCAPE)),
        );
    }
    query
}

/// Whether `provider` exists, on `conn`.
fn provider_exists(conn: &mut DbConnection, provider: &str) -> Result<bool, StoreError> {
    Ok(providers::table
        .find(provider)
        .select(providers::provider_id)
        .get_result::<String>(conn)
        .optional()?
        .is_some())
}

/// Whether the disease category `dc_id` exists, on `conn`.
fn category_exists(conn: &mut DbConnection, dc_id: &str) -> Result<bool, StoreError> {
    Ok(disease_categories::table
        .find(dc_id)
        .select(disease_categories::dc_id)
        .get_result::<String>(conn)
        .optional()?
        .is_some())
}

/// Why a grant was refused.
enum Grant {
    Granted,
    NoProvider,
    NoCategory,
}

impl ProviderRepository for Store {
    fn upsert_all(&self, providers: &[Provider]) -> domain::Result<()> {
        let values: Vec<ProviderValues<'_>> = providers.iter().map(ProviderValues::from).collect();
        self.with_conn(|db| {
            write_transaction(db, |conn| {
                for v in &values {
                    let upsert = diesel::insert_into(providers::table)
                        .values(v)
                        .on_conflict(providers::provider_id)
                        .do_update()
                        .set(v);
                    on_backend!(conn, |c| upsert.execute(c))?;
                }
                Ok(())
            })
        })?;
        Ok(())
    }

    fn find_provider(&self, id: &ActorId) -> domain::Result<Option<Provider>> {
        let row = self.with_conn(|conn| {
            Ok(providers::table
                .find(id.as_str())
                .select(ProviderRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(Provider::try_from).transpose()
    }

    fn find_providers(&self, ids: &[ActorId]) -> domain::Result<Vec<Provider>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = ids.iter().map(ActorId::as_str).collect();
        let rows = self.with_conn(|conn| {
            Ok(providers::table
                .filter(providers::provider_id.eq_any(&ids))
                .order(providers::provider_id)
                .select(ProviderRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(Provider::try_from).collect()
    }

    fn list_providers(
        &self,
        filter: &ProviderFilter,
        limit: i64,
        offset: i64,
    ) -> domain::Result<Vec<Provider>> {
        let rows = self.with_conn(|conn| {
            Ok(providers_matching(filter)
                .order(providers::provider_id)
                .limit(limit)
                .offset(offset)
                .select(ProviderRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(Provider::try_from).collect()
    }

    fn count_providers(&self, filter: &ProviderFilter) -> domain::Result<u64> {
        let n = self.with_conn(|conn| {
            Ok(providers_matching(filter)
                .select(count_star())
                .get_result::<i64>(conn)?)
        })?;
        Ok(count(n))
    }

    fn grant(
        &self,
        provider: &ActorId,
        dc_id: DiseaseCategoryId,
        as_: Eligibility,
    ) -> domain::Result<()> {
        let dc = id_text(dc_id);
        let outcome = self.with_conn(|db| {
            write_transaction(db, |conn| {
                if !provider_exists(conn, provider.as_str())? {
                    return Ok(Grant::NoProvider);
                }
                if !category_exists(conn, &dc)? {
                    return Ok(Grant::NoCategory);
                }
                grants_table!(as_, |t| {
                    let insert = diesel::insert_into(t::table)
                        .values((t::provider_id.eq(provider.as_str()), t::dc_id.eq(&dc)))
                        .on_conflict((t::provider_id, t::dc_id))
                        .do_nothing();
                    on_backend!(conn, |c| insert.execute(c))
                })?;
                Ok(Grant::Granted)
            })
        })?;
        match outcome {
            Grant::Granted => Ok(()),
            Grant::NoProvider => Err(domain::Error::not_found(Key::ProviderNotFound)),
            Grant::NoCategory => Err(domain::Error::not_found(Key::DiseaseCategoryNotFound)),
        }
    }

    fn revoke_grant(
        &self,
        provider: &ActorId,
        dc_id: DiseaseCategoryId,
        as_: Eligibility,
    ) -> domain::Result<bool> {
        let dc = id_text(dc_id);
        let deleted = self.with_conn(|conn| {
            Ok(grants_table!(as_, |t| diesel::delete(
                t::table
                    .filter(t::provider_id.eq(provider.as_str()))
                    .filter(t::dc_id.eq(&dc))
            )
            .execute(conn))?)
        })?;
        Ok(deleted > 0)
    }

    fn grants(
        &self,
        provider: &ActorId,
        as_: Eligibility,
    ) -> domain::Result<Vec<DiseaseCategoryId>> {
        let ids = self.with_conn(|conn| {
            Ok(grants_table!(as_, |t| t::table
                .filter(t::provider_id.eq(provider.as_str()))
                .order(t::dc_id)
                .select(t::dc_id)
                .load::<String>(conn))?)
        })?;
        ids.iter().map(|id| parse_id(id)).collect()
    }

    fn eligible(
        &self,
        dc_id: DiseaseCategoryId,
        as_: Eligibility,
    ) -> domain::Result<Vec<Provider>> {
        let dc = id_text(dc_id);
        let rows = self.with_conn(|conn| {
            Ok(grants_table!(as_, |t| providers::table
                .inner_join(t::table)
                .filter(t::dc_id.eq(&dc))
                .filter(providers::active.eq(true))
                .order(providers::provider_id)
                .select(ProviderRow::as_select())
                .load(conn))?)
        })?;
        rows.into_iter().map(Provider::try_from).collect()
    }
}
