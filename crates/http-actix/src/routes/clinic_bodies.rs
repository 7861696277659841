//! What the clinic's patient and appointment routes read: bodies (unknown fields refused) and query
//! strings, turned into the domain's inputs.
//!
//! Text is checked as sent against the lengths the document states and stored trimmed. On `PUT`,
//! a field left out keeps its value and `null` clears an optional one (a partial update).

use domain::clinic as c;
use domain::kernel::code::Code;
use domain::kernel::paging::PageRequest;
use domain::kernel::text::{Key, Text};
use domain::{Error, FieldError};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::wire::whole_opt;

use super::clinic_params::codes;

/// The patient's sex.
#[derive(Debug)]
pub struct SexCode;

impl utoipa::PartialSchema for SexCode {
    fn schema() -> RefOr<Schema> {
        codes("The patient's sex.", c::Sex::codes())
    }
}

impl ToSchema for SexCode {}

/// A status an appointment may be moved to: a code (`in_room`) or [003]'s name (`In-Room`); any
/// case is read.
#[derive(Debug)]
pub struct StatusInput;

impl utoipa::PartialSchema for StatusInput {
    fn schema() -> RefOr<Schema> {
        codes(
            "An appointment status: its code or its display name, in any case.",
            c::AppointmentStatus::inputs(),
        )
    }
}

impl ToSchema for StatusInput {}

/// What a patient list is ordered by.
#[derive(Debug)]
pub struct PatientSortParam;

impl utoipa::PartialSchema for PatientSortParam {
    fn schema() -> RefOr<Schema> {
        codes(
            "What the list is ordered by (default created_at).",
            c::PatientSort::codes(),
        )
    }
}

impl ToSchema for PatientSortParam {}

/// Which way a list runs.
#[derive(Debug)]
pub struct OrderParam;

impl utoipa::PartialSchema for OrderParam {
    fn schema() -> RefOr<Schema> {
        codes("Which way the list runs.", c::SortOrder::codes())
    }
}

impl ToSchema for OrderParam {}

/// What an appointment list is ordered by: its date, then its time.
#[derive(Debug)]
pub struct AppointmentSortParam;

impl utoipa::PartialSchema for AppointmentSortParam {
    fn schema() -> RefOr<Schema> {
        codes("By date, then time: the only order.", vec!["date"])
    }
}

impl ToSchema for AppointmentSortParam {}

/// `Some(None)` for `null`, `Some(Some(v))` for a value; a field left out stays `None` (with
/// `#[serde(default)]`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A new patient. `birth_date` must not be in the future (400).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientBody {
    /// The name as written in Latin letters (or however the clinic writes it).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub name: String,
    /// The name in Arabic.
    #[schema(max_length = 200, pattern = r"^[^\u0000]*$")]
    pub name_ar: Option<String>,
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub birth_date: Option<String>,
    #[schema(value_type = Option<SexCode>)]
    pub sex: Option<String>,
    /// Digits, spaces, `+` and `-`.
    #[schema(min_length = 6, max_length = 20, pattern = r"^[ +-]*[0-9][0-9 +-]*$")]
    pub phone: Option<String>,
    #[schema(max_length = 32, pattern = r"^[^\u0000]*$")]
    pub national_id: Option<String>,
    #[schema(max_length = 500, pattern = r"^[^\u0000]*$")]
    pub address: Option<String>,
}

impl PatientBody {
    pub(super) fn input(self) -> c::PatientInput {
        c::PatientInput {
            name: self.name,
            name_ar: self.name_ar,
            birth_date: self.birth_date,
            sex: self.sex,
            phone: self.phone,
            national_id: self.national_id,
            address: self.address,
        }
    }
}

/// A partial update: only the fields sent change; `null` clears an optional field (`name` cannot
/// be cleared: `null` leaves it). The same rules as creating apply to what is sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientUpdateBody {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\u0000]*$")]
    pub name_ar: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub birth_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<SexCode>)]
    pub sex: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, min_length = 6, max_length = 20, pattern = r"^[ +-]*[0-9][0-9 +-]*$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 32, pattern = r"^[^\u0000]*$")]
    pub national_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 500, pattern = r"^[^\u0000]*$")]
    pub address: Option<Option<String>>,
}

impl PatientUpdateBody {
    pub(super) fn patch(self) -> c::PatientPatch {
        c::PatientPatch {
            name: self.name,
            name_ar: self.name_ar,
            birth_date: self.birth_date,
            sex: self.sex,
            phone: self.phone,
            national_id: self.national_id,
            address: self.address,
        }
    }
}

/// An appointment to book. The patient must exist (422 naming `patient_id`), the doctor must be an
/// active staff account with the doctor role (422 naming `doctor`), and the doctor must be free
/// (409 naming the other appointment's time). It must end by midnight (400).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentBody {
    #[schema(format = Uuid)]
    pub patient_id: String,
    /// The doctor's staff id.
    #[schema(format = Uuid)]
    pub doctor: String,
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub date: String,
    /// `HH:MM`, 24-hour clock.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub time: String,
    /// Default 30.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 5, maximum = 480)]
    pub duration_minutes: Option<i64>,
    #[schema(max_length = 100, pattern = r"^[^\u0000]*$")]
    pub department: Option<String>,
    #[schema(max_length = 2000, pattern = r"^[^\u0000]*$")]
    pub notes: Option<String>,
}

impl AppointmentBody {
    pub(super) fn input(self) -> c::BookingInput {
        c::BookingInput {
            patient_id: self.patient_id,
            doctor: self.doctor,
            date: self.date,
            time: self.time,
            duration_minutes: self.duration_minutes,
            department: self.department,
            notes: self.notes,
        }
    }
}

/// A partial edit: only the fields sent change; `null` clears `department` or `notes`. The
/// patient cannot change. The doctor must be free at the new time (409).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentUpdateBody {
    #[schema(format = Uuid)]
    pub doctor: Option<String>,
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<String>,
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub time: Option<String>,
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 5, maximum = 480)]
    pub duration_minutes: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100, pattern = r"^[^\u0000]*$")]
    pub department: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = r"^[^\u0000]*$")]
    pub notes: Option<Option<String>>,
}

impl AppointmentUpdateBody {
    pub(super) fn patch(self) -> c::AppointmentPatch {
        c::AppointmentPatch {
            doctor: self.doctor,
            date: self.date,
            time: self.time,
            duration_minutes: self.duration_minutes,
            department: self.department,
            notes: self.notes,
        }
    }
}

/// The next status. Allowed: `scheduled → waiting → in_room → in_scan → review → completed`, one
/// step at a time, and `cancelled` or `no_show` from `scheduled` or `waiting`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    #[schema(value_type = StatusInput)]
    pub status: String,
}

/// Appointments to book together, all or none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    #[schema(min_items = 1, max_items = 100)]
    pub appointments: Vec<AppointmentBody>,
}

// ---------------------------------------------------------------------------------------------
// Query strings

/// A patient list's query, as sent.
#[derive(Debug, Default, Deserialize)]
pub struct PatientListQuery {
    pub search: Option<String>,
    pub q: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
    pub sort: Option<String>,
    pub order: Option<String>,
}

/// An appointment list's query, as sent.
#[derive(Debug, Default, Deserialize)]
pub struct AppointmentListQuery {
    pub date: Option<String>,
    pub patient_id: Option<String>,
    pub doctor: Option<String>,
    pub status: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
    pub sort: Option<String>,
    pub order: Option<String>,
}

/// `DELETE /api/patients/{id}`'s query.
#[derive(Debug, Default, Deserialize)]
pub struct DeleteQuery {
    pub hard: Option<String>,
}

pub(super) use super::clinic_params::query;

pub(super) use super::clinic_params::page;

/// A query value as sent, trimmed: a blank one is a value (refused by its parser), not an absent
/// one, as the document's schemas say. Only `search` treats blank as no filter.
fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim)
}

impl PatientListQuery {
    pub(super) fn parse(&self) -> domain::Result<(c::PatientQuery, PageRequest)> {
        let query = c::PatientQuery::from_client(
            self.search.as_deref(),
            given(self.sort.as_deref()),
            given(self.order.as_deref()),
        )?;
        Ok((query, page(self.page.as_deref(), self.limit.as_deref())?))
    }
}

impl AppointmentListQuery {
    /// The filter: by date then time, ascending for one day (`date` set: the day in clock order),
    /// newest first otherwise, unless `order` says which.
    pub(super) fn parse(&self) -> domain::Result<(c::AppointmentFilter, PageRequest)> {
        if let Some(sort) = given(self.sort.as_deref())
            && sort != "date"
        {
            return Err(domain::kernel::code::choice_error_of("sort", &["date"]));
        }
        let date = given(self.date.as_deref())
            .map(|d| c::patient::parse_date("date", d))
            .transpose()?;
        let descending = match given(self.order.as_deref()) {
            Some(o) => c::SortOrder::parse_field("order", o)? == c::SortOrder::Desc,
            None => date.is_none(),
        };
        let filter = c::AppointmentFilter {
            date,
            patient_id: given(self.patient_id.as_deref())
                .map(|p| c::PatientId::parse("patient_id", p))
                .transpose()?,
            doctor_id: given(self.doctor.as_deref())
                .map(|d| c::StaffId::parse("doctor", d))
                .transpose()?,
            status: given(self.status.as_deref())
                .map(|s| c::AppointmentStatus::parse_input("status", s))
                .transpose()?,
            descending,
        };
        Ok((filter, page(self.page.as_deref(), self.limit.as_deref())?))
    }
}

impl DeleteQuery {
    /// `hard=true` removes the record; absent or `false` is a soft delete.
    pub(super) fn hard(&self) -> domain::Result<bool> {
        match self.hard.as_deref().map(str::trim) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(Error::field(FieldError::new(
                "hard",
                "one_of",
                Text::new(Key::ClinicInvalidBoolean).field("field", "hard"),
            ))),
        }
    }
}
