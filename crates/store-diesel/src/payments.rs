//! [`PaymentRepository`]: each case's payment and the webhook events already applied. Payments are
//! written only through a case's commit (see `commit`), which is where the writes below are called
//! from.

use diesel::prelude::*;
use domain::Cause;
use domain::kernel::code::Code;
use domain::kernel::ids::{ActorId, CaseId, PaymentId};
use domain::kernel::money::{Currency, Money};
use domain::second_opinion::{
    PaidBy, Payment, PaymentConfirmation, PaymentRepository, PaymentStatus,
};

use crate::connection::{DbConnection, Store};
use crate::error::StoreError;
use crate::schema::{payment_events, payments};
use crate::sql::{
    RowName, id_text, parse_id, parse_optional_timestamp, parse_stored, parse_timestamp, timestamp,
};

/// How `paid_by` is stored: `admin:<actor id>` or `provider:<webhook event id>`.
const BY_ADMIN: &str = "admin:";
const BY_PROVIDER: &str = "provider:";

fn paid_by_text(by: &PaidBy) -> String {
    match by {
        PaidBy::Admin(admin) => format!("{BY_ADMIN}{admin}"),
        PaidBy::Provider { event_id } => format!("{BY_PROVIDER}{event_id}"),
    }
}

fn parse_paid_by(owner: &dyn std::fmt::Display, raw: &str) -> domain::Result<PaidBy> {
    if let Some(admin) = raw.strip_prefix(BY_ADMIN) {
        Ok(PaidBy::Admin(ActorId::from_stored(admin.to_owned())))
    } else if let Some(event_id) = raw.strip_prefix(BY_PROVIDER) {
        Ok(PaidBy::Provider {
            event_id: event_id.to_owned(),
        })
    } else {
        Err(domain::Error::Internal(Cause::new(format!(
            "stored paid_by {raw:?} of {owner} is neither admin:… nor provider:…"
        ))))
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = payments)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct PaymentRow {
    payment_id: String,
    case_id: String,
    amount_minor: i64,
    currency: String,
    status: String,
    url: String,
    created_date: String,
    paid_date: Option<String>,
    paid_by: Option<String>,
}

impl TryFrom<PaymentRow> for Payment {
    type Error = domain::Error;

    fn try_from(row: PaymentRow) -> domain::Result<Self> {
        let owner = RowName("payment", &row.payment_id);
        let currency = Currency::parse(&row.currency).ok_or_else(|| {
            domain::Error::Internal(Cause::new(format!(
                "stored currency {:?} of {owner} is not an ISO 4217 code",
                row.currency
            )))
        })?;
        Ok(Payment {
            id: parse_id(&row.payment_id)?,
            case_id: parse_id(&row.case_id)?,
            amount: Money::from_minor(row.amount_minor, currency),
            status: parse_stored::<PaymentStatus>("status", &owner, &row.status)?,
            url: row.url,
            created_date: parse_timestamp(&row.created_date)?,
            paid_date: parse_optional_timestamp(row.paid_date.as_deref())?,
            paid_by: row
                .paid_by
                .as_deref()
                .map(|raw| parse_paid_by(&owner, raw))
                .transpose()?,
        })
    }
}

/// A new payment, as written.
#[derive(Debug, Insertable)]
#[diesel(table_name = payments, treat_none_as_default_value = false)]
pub(crate) struct PaymentValues<'a> {
    payment_id: String,
    case_id: String,
    amount_minor: i64,
    currency: String,
    status: &'static str,
    url: &'a str,
    created_date: String,
    paid_date: Option<String>,
    paid_by: Option<String>,
}

impl<'a> From<&'a Payment> for PaymentValues<'a> {
    fn from(p: &'a Payment) -> Self {
        PaymentValues {
            payment_id: id_text(p.id),
            case_id: id_text(p.case_id),
            amount_minor: p.amount.minor(),
            currency: p.amount.currency().to_string(),
            status: p.status.as_str(),
            url: &p.url,
            created_date: timestamp(p.created_date),
            paid_date: p.paid_date.map(timestamp),
            paid_by: p.paid_by.as_ref().map(paid_by_text),
        }
    }
}

/// A payment confirmation, as written: the payment's new columns, and the webhook event that
/// confirmed it, if one did.
#[derive(Debug)]
pub(crate) struct ConfirmationValues<'a> {
    payment_id: String,
    paid_date: String,
    paid_by: String,
    event_id: Option<&'a str>,
}

impl<'a> From<&'a PaymentConfirmation> for ConfirmationValues<'a> {
    fn from(c: &'a PaymentConfirmation) -> Self {
        ConfirmationValues {
            payment_id: id_text(c.payment_id),
            paid_date: timestamp(c.at),
            paid_by: paid_by_text(&c.by),
            event_id: match &c.by {
                PaidBy::Provider { event_id } => Some(event_id),
                PaidBy::Admin(_) => None,
            },
        }
    }
}

/// Inserts a case's payment on `conn`, inside the caller's transaction.
pub(crate) fn insert_payment(
    conn: &mut DbConnection,
    payment: &PaymentValues<'_>,
) -> Result<(), StoreError> {
    diesel::insert_into(payments::table)
        .values(payment)
        .execute(conn)?;
    Ok(())
}

/// Marks the pending payment of case `case_id` paid, and records the webhook event that paid it,
/// inside the caller's transaction. Returns whether the payment was there and pending; an event
/// already recorded fails on its primary key.
pub(crate) fn confirm_payment(
    conn: &mut DbConnection,
    case_id: &str,
    paid: &ConfirmationValues<'_>,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        payments::table
            .filter(payments::payment_id.eq(&paid.payment_id))
            .filter(payments::case_id.eq(case_id))
            .filter(payments::status.eq(PaymentStatus::Pending.as_str())),
    )
    .set((
        payments::status.eq(PaymentStatus::Paid.as_str()),
        payments::paid_date.eq(&paid.paid_date),
        payments::paid_by.eq(&paid.paid_by),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    if let Some(event_id) = paid.event_id {
        diesel::insert_into(payment_events::table)
            .values((
                payment_events::event_id.eq(event_id),
                payment_events::payment_id.eq(&paid.payment_id),
                payment_events::received_date.eq(&paid.paid_date),
            ))
            .execute(conn)?;
    }
    Ok(true)
}

impl PaymentRepository for Store {
    fn payment_for_case(&self, case_id: CaseId) -> domain::Result<Option<Payment>> {
        let row = self.with_conn(|conn| {
            Ok(payments::table
                .filter(payments::case_id.eq(id_text(case_id)))
                .select(PaymentRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(Payment::try_from).transpose()
    }

    fn payment(&self, id: PaymentId) -> domain::Result<Option<Payment>> {
        let row = self.with_conn(|conn| {
            Ok(payments::table
                .find(id_text(id))
                .select(PaymentRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(Payment::try_from).transpose()
    }

    fn event_seen(&self, event_id: &str) -> domain::Result<bool> {
        let seen = self.with_conn(|conn| {
            Ok(payment_events::table
                .find(event_id)
                .select(payment_events::event_id)
                .get_result::<String>(conn)
                .optional()?)
        })?;
        Ok(seen.is_some())
    }
}
