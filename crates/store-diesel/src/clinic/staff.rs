//! [`StaffRepository`]: staff accounts and the tokens they signed in for.
//!
//! Roles are stored sorted and comma-separated (`admin,doctor`); the rule that the last active
//! admin stays one is checked in the transaction that writes, over the active accounts' rows,
//! locked on PostgreSQL (`FOR UPDATE`) and behind SQLite's one write lock.

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::clinic::{
    IssuedToken, StaffAccount, StaffFilter, StaffName, StaffRepository, StaffWrite, Username,
};
use domain::identity::Role;
use domain::kernel::code::Code;
use domain::kernel::ids::{ActorId, TokenId};
use domain::kernel::paging::{Page, PageRequest};
use domain::kernel::text::Key;
use time::OffsetDateTime;

use crate::connection::{DbConnection, MultiBackend, Store, write_transaction};
use crate::error::StoreError;
use crate::schema::{staff_accounts, staff_tokens};
use crate::sql::{RowName, count, id_text, parse_id, parse_stored, parse_timestamp, timestamp};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = staff_accounts)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct StaffRow {
    staff_id: String,
    username: String,
    name: String,
    name_ar: Option<String>,
    roles: String,
    is_active: bool,
    provider_id: Option<String>,
    created_at: String,
    updated_at: String,
}

fn parse_roles(owner: &dyn std::fmt::Display, raw: &str) -> domain::Result<Vec<Role>> {
    raw.split(',')
        .filter(|r| !r.is_empty())
        .map(|r| parse_stored::<Role>("roles", owner, r))
        .collect()
}

fn roles_text(roles: &[Role]) -> String {
    let mut codes: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    codes.sort_unstable();
    codes.join(",")
}

fn holds_admin(roles: &str) -> bool {
    roles.split(',').any(|r| r == Role::Admin.as_str())
}

impl TryFrom<StaffRow> for StaffAccount {
    type Error = domain::Error;

    fn try_from(row: StaffRow) -> domain::Result<Self> {
        let owner = RowName("staff account", &row.staff_id);
        Ok(StaffAccount {
            id: parse_id(&row.staff_id)?,
            username: Username::from_stored(row.username),
            name: StaffName::from_stored(row.name),
            name_ar: row.name_ar.map(StaffName::from_stored),
            roles: parse_roles(&owner, &row.roles)?,
            is_active: row.is_active,
            provider_id: row.provider_id.map(ActorId::from_stored),
            created_at: parse_timestamp(&row.created_at)?,
            updated_at: parse_timestamp(&row.updated_at)?,
        })
    }
}

/// What an update writes: everything but the id, the username and the creation time.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = staff_accounts, treat_none_as_null = true)]
struct StaffChangeset {
    name: String,
    name_ar: Option<String>,
    roles: String,
    is_active: bool,
    provider_id: Option<String>,
    updated_at: String,
}

/// The accounts `filter` selects, unordered and unpaged, shared by the list and its total.
fn matching(filter: &StaffFilter) -> staff_accounts::BoxedQuery<'static, MultiBackend> {
    let mut query = staff_accounts::table.into_boxed();
    if let Some(role) = filter.role {
        // Stored roles are codes joined by commas, and no role's code holds `%`, `_` or `,`.
        let code = role.as_str();
        query = query.filter(
            staff_accounts::roles
                .eq(code)
                .or(staff_accounts::roles.like(format!("{code},%")))
                .or(staff_accounts::roles.like(format!("%,{code}")))
                .or(staff_accounts::roles.like(format!("%,{code},%"))),
        );
    }
    if let Some(active) = filter.is_active {
        query = query.filter(staff_accounts::is_active.eq(active));
    }
    if let Some(only) = filter.only {
        query = query.filter(staff_accounts::staff_id.eq(id_text(only)));
    }
    query
}

/// The active accounts' ids and roles, their rows locked until the transaction ends on PostgreSQL
/// (SQLite's immediate transaction already holds the whole database).
fn lock_active(conn: &mut DbConnection) -> Result<Vec<(String, String)>, StoreError> {
    let query = staff_accounts::table
        .filter(staff_accounts::is_active.eq(true))
        .select((staff_accounts::staff_id, staff_accounts::roles));
    let rows = match conn {
        DbConnection::Postgresql(pg) => query.for_update().load(pg)?,
        DbConnection::Sqlite(sqlite) => query.load(sqlite)?,
    };
    Ok(rows)
}

impl StaffRepository for Store {
    fn create(&self, account: &StaffAccount, password_hash: &str) -> domain::Result<()> {
        let values = (
            staff_accounts::staff_id.eq(id_text(account.id)),
            staff_accounts::username.eq(account.username.as_str().to_owned()),
            staff_accounts::username_key.eq(account.username.key()),
            staff_accounts::name.eq(account.name.as_str().to_owned()),
            staff_accounts::name_ar.eq(account.name_ar.as_ref().map(|n| n.as_str().to_owned())),
            staff_accounts::roles.eq(roles_text(&account.roles)),
            staff_accounts::is_active.eq(account.is_active),
            staff_accounts::provider_id
                .eq(account.provider_id.as_ref().map(|p| p.as_str().to_owned())),
            staff_accounts::password_hash.eq(password_hash.to_owned()),
            staff_accounts::created_at.eq(timestamp(account.created_at)),
            staff_accounts::updated_at.eq(timestamp(account.updated_at)),
        );
        self.with_conn(|conn| {
            diesel::insert_into(staff_accounts::table)
                .values(values)
                .execute(conn)?;
            Ok(())
        })
        .map_err(|e| e.into_domain(Key::UsernameTaken))
    }

    fn find(&self, id: domain::clinic::StaffId) -> domain::Result<Option<StaffAccount>> {
        let row = self.with_conn(|conn| {
            Ok(staff_accounts::table
                .find(id_text(id))
                .select(StaffRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(StaffAccount::try_from).transpose()
    }

    fn credentials(&self, id: domain::clinic::StaffId) -> domain::Result<Option<String>> {
        Ok(self.with_conn(|conn| {
            Ok(staff_accounts::table
                .find(id_text(id))
                .select(staff_accounts::password_hash)
                .get_result(conn)
                .optional()?)
        })?)
    }

    fn find_by_username_key(&self, key: &str) -> domain::Result<Option<(StaffAccount, String)>> {
        let row = self.with_conn(|conn| {
            Ok(staff_accounts::table
                .filter(staff_accounts::username_key.eq(key))
                .select((StaffRow::as_select(), staff_accounts::password_hash))
                .get_result::<(StaffRow, String)>(conn)
                .optional()?)
        })?;
        row.map(|(row, hash)| Ok((StaffAccount::try_from(row)?, hash)))
            .transpose()
    }

    fn list(&self, filter: &StaffFilter, page: PageRequest) -> domain::Result<Page<StaffAccount>> {
        let (rows, total) = self.with_conn(|conn| {
            let rows = matching(filter)
                .order((
                    staff_accounts::created_at.desc(),
                    staff_accounts::staff_id.desc(),
                ))
                .limit(page.limit())
                .offset(page.offset())
                .select(StaffRow::as_select())
                .load(conn)?;
            let total = matching(filter)
                .select(count_star())
                .get_result::<i64>(conn)?;
            Ok((rows, total))
        })?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(StaffAccount::try_from)
                .collect::<domain::Result<_>>()?,
            total: count(total),
            request: page,
        })
    }

    fn update(&self, account: &StaffAccount) -> domain::Result<StaffWrite> {
        let id = id_text(account.id);
        let changes = StaffChangeset {
            name: account.name.as_str().to_owned(),
            name_ar: account.name_ar.as_ref().map(|n| n.as_str().to_owned()),
            roles: roles_text(&account.roles),
            is_active: account.is_active,
            provider_id: account.provider_id.as_ref().map(|p| p.as_str().to_owned()),
            updated_at: timestamp(account.updated_at),
        };
        let stays_admin = account.is_active_admin();
        let written = self.with_conn(|db| {
            write_transaction(db, |conn| {
                let active = lock_active(conn)?;
                let was_admin = active.iter().any(|(s, r)| *s == id && holds_admin(r));
                let others = active
                    .iter()
                    .filter(|(s, r)| *s != id && holds_admin(r))
                    .count();
                if was_admin && !stays_admin && others == 0 {
                    return Ok(StaffWrite::LastAdmin);
                }
                let updated = diesel::update(staff_accounts::table.find(&id))
                    .set(&changes)
                    .execute(conn)?;
                Ok::<_, StoreError>(if updated == 0 {
                    StaffWrite::Missing
                } else {
                    StaffWrite::Written
                })
            })
        })?;
        Ok(written)
    }

    fn set_password(
        &self,
        id: domain::clinic::StaffId,
        hash: &str,
        at: OffsetDateTime,
    ) -> domain::Result<bool> {
        let updated = self.with_conn(|conn| {
            Ok(diesel::update(staff_accounts::table.find(id_text(id)))
                .set((
                    staff_accounts::password_hash.eq(hash),
                    staff_accounts::updated_at.eq(timestamp(at)),
                ))
                .execute(conn)?)
        })?;
        Ok(updated > 0)
    }

    fn count_active_admins(&self) -> domain::Result<u64> {
        let filter = StaffFilter {
            role: Some(Role::Admin),
            is_active: Some(true),
            only: None,
        };
        let total = self.with_conn(|conn| {
            Ok(matching(&filter)
                .select(count_star())
                .get_result::<i64>(conn)?)
        })?;
        Ok(count(total))
    }

    fn record_token(
        &self,
        id: domain::clinic::StaffId,
        token: IssuedToken,
        at: OffsetDateTime,
    ) -> domain::Result<()> {
        self.with_conn(|conn| {
            // The account's expired tokens are forgotten as it signs in again, so the table holds
            // about one row per live session.
            diesel::delete(
                staff_tokens::table
                    .filter(staff_tokens::staff_id.eq(id_text(id)))
                    .filter(staff_tokens::expires_at.le(at.unix_timestamp())),
            )
            .execute(conn)?;
            diesel::insert_into(staff_tokens::table)
                .values((
                    staff_tokens::jti.eq(id_text(token.jti)),
                    staff_tokens::staff_id.eq(id_text(id)),
                    staff_tokens::expires_at.eq(token.expires_at),
                    staff_tokens::issued_at.eq(timestamp(at)),
                ))
                .execute(conn)?;
            Ok(())
        })?;
        Ok(())
    }

    fn live_tokens(
        &self,
        id: domain::clinic::StaffId,
        now_unix: i64,
    ) -> domain::Result<Vec<IssuedToken>> {
        let rows: Vec<(String, i64)> = self.with_conn(|conn| {
            Ok(staff_tokens::table
                .filter(staff_tokens::staff_id.eq(id_text(id)))
                .filter(staff_tokens::expires_at.gt(now_unix))
                .order(staff_tokens::expires_at)
                .select((staff_tokens::jti, staff_tokens::expires_at))
                .load(conn)?)
        })?;
        rows.into_iter()
            .map(|(jti, expires_at)| {
                Ok(IssuedToken {
                    jti: parse_id::<TokenId>(&jti)?,
                    expires_at,
                })
            })
            .collect()
    }
}
