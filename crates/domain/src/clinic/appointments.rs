//! The appointment use cases: book one, schedule a batch (all or nothing), read, list, edit, move
//! the status (one step at a time), cancel, and the move images cause. Every one records its audit
//! entry; every status change publishes its event in the writing transaction.

use std::fmt;
use std::sync::Arc;

use serde_json::json;

use super::appointment::{
    AppointmentFilter, AppointmentPatch, AppointmentRecord, BookingInput, CHANGED_BY_IMAGES,
    appointment_not_found,
};
use super::appointment_status::AppointmentStatus;
use super::audit::{AuditAction, AuditRepository, Who};
use super::events::{ClinicEvent, ClinicEventKind};
use super::ids::AppointmentId;
use super::patient_ports::{
    AppointmentEdit, AppointmentRepository, Booked, Edited, NewAppointment, StatusChange,
};
use crate::kernel::code::Code;
use crate::kernel::ids::IdGenerator;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// The most appointments one schedule request books.
pub const SCHEDULE_MAX: usize = 100;

/// The clinic's appointments.
#[derive(Clone)]
pub struct AppointmentService {
    appointments: Arc<dyn AppointmentRepository>,
    audit: Arc<dyn AuditRepository>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
}

impl fmt::Debug for AppointmentService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppointmentService").finish_non_exhaustive()
    }
}

fn changed() -> Error {
    Error::conflict(Key::ClinicAppointmentChanged)
}

impl AppointmentService {
    pub fn new(
        appointments: Arc<dyn AppointmentRepository>,
        audit: Arc<dyn AuditRepository>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
    ) -> Self {
        Self {
            appointments,
            audit,
            clock,
            ids,
        }
    }

    fn find(&self, id: AppointmentId) -> Result<AppointmentRecord> {
        self.appointments
            .find(id)?
            .ok_or_else(appointment_not_found)
    }

    /// Books one appointment: 400 for a bad field, 422 naming `patient_id` or `doctor` when they
    /// name no (live) patient or no active doctor, 409 naming the other appointment's time when the
    /// doctor is taken.
    pub fn create(&self, who: &Who, input: &BookingInput) -> Result<AppointmentRecord> {
        let booking = input.validate("").map_err(Error::Validation)?;
        match self.book(who, vec![booking])? {
            Booked::All(booked) => {
                let id = booked
                    .first()
                    .map(|a| a.id)
                    .ok_or_else(appointment_not_found)?;
                self.find(id)
            }
            Booked::Refused(mut refusals) => Err(refusals
                .pop()
                .map_or_else(appointment_not_found, |(_, r)| r.into_error())),
        }
    }

    /// Books 1 to 100 appointments in one transaction, all or none. Any refusal (a bad field, a
    /// missing patient or doctor, a taken time against the database or within the batch) is a
    /// validation error naming each item's field (`appointments[2].time`), and nothing is written.
    pub fn schedule(&self, who: &Who, inputs: &[BookingInput]) -> Result<Vec<AppointmentRecord>> {
        if inputs.is_empty() || inputs.len() > SCHEDULE_MAX {
            return Err(Error::field(FieldError::new(
                "appointments",
                "length",
                Text::new(Key::InvalidItemCount)
                    .field("field", "appointments")
                    .with("min", 1i64)
                    .with("max", SCHEDULE_MAX),
            )));
        }
        let mut bookings = Vec::with_capacity(inputs.len());
        let mut invalid = Vec::new();
        for (i, input) in inputs.iter().enumerate() {
            match input.validate(&format!("appointments[{i}]")) {
                Ok(b) => bookings.push(b),
                Err(errors) => invalid.extend(errors),
            }
        }
        if !invalid.is_empty() {
            return Err(Error::Validation(invalid));
        }
        match self.book(who, bookings)? {
            Booked::All(booked) => booked.iter().map(|a| self.find(a.id)).collect(),
            Booked::Refused(refusals) => Err(Error::Validation(
                refusals
                    .iter()
                    .map(|(i, r)| r.field_error(&format!("appointments[{i}]")))
                    .collect(),
            )),
        }
    }

    fn book(&self, who: &Who, bookings: Vec<super::appointment::Booking>) -> Result<Booked> {
        let now = self.clock.now();
        let mut items = Vec::with_capacity(bookings.len());
        let mut audits = Vec::with_capacity(bookings.len());
        for booking in bookings {
            let id = AppointmentId::generate(self.ids.as_ref());
            audits.push(who.audit(
                self.ids.as_ref(),
                now,
                AuditAction::AppointmentCreate,
                Some(booking.patient_id),
                Some(id.to_string()),
            ));
            items.push(NewAppointment {
                id,
                booking,
                at: now,
                by: who.actor.clone(),
            });
        }
        self.appointments.create(&items, &audits)
    }

    /// One appointment, with its patient, doctor and history.
    pub fn read(&self, who: &Who, id: AppointmentId) -> Result<AppointmentRecord> {
        let record = self.find(id)?;
        let entry = who.audit(
            self.ids.as_ref(),
            self.clock.now(),
            AuditAction::AppointmentRead,
            Some(record.appointment.patient_id),
            Some(id.to_string()),
        );
        self.audit.record(&entry)?;
        Ok(record)
    }

    /// A page of appointments matching `filter`.
    pub fn list(
        &self,
        who: &Who,
        filter: &AppointmentFilter,
        page: PageRequest,
    ) -> Result<Page<AppointmentRecord>> {
        let found = self.appointments.list(filter, page)?;
        let entry = who.audit(
            self.ids.as_ref(),
            self.clock.now(),
            AuditAction::AppointmentList,
            filter.patient_id,
            None,
        );
        self.audit.record(&entry)?;
        Ok(found)
    }

    /// Changes the doctor, day, time, duration, department or notes of an appointment that is
    /// still `scheduled` or `waiting` (409 otherwise); the doctor must be free, as when booking.
    pub fn update(
        &self,
        who: &Who,
        id: AppointmentId,
        patch: &AppointmentPatch,
    ) -> Result<AppointmentRecord> {
        let record = self.find(id)?;
        let current = &record.appointment;
        if !current.status.editable() {
            return Err(Error::conflict(
                Text::new(Key::ClinicAppointmentNotEditable).with("status", current.status.label()),
            ));
        }
        let booking = patch.apply(&current.booking())?;
        let now = self.clock.now();
        let entry = who.audit(
            self.ids.as_ref(),
            now,
            AuditAction::AppointmentUpdate,
            Some(current.patient_id),
            Some(id.to_string()),
        );
        let edit = AppointmentEdit {
            id,
            version: current.version,
            booking,
            at: now,
            by: who.actor.clone(),
        };
        match self.appointments.edit(&edit, &entry)? {
            Edited::Saved => self.find(id),
            Edited::Stale => Err(changed()),
            Edited::Refused(refusal) => Err(refusal.into_error()),
        }
    }

    /// Moves the status one step (`status` a code or a label): 409 naming the current status and
    /// what may follow for anything else.
    pub fn change_status(
        &self,
        who: &Who,
        id: AppointmentId,
        status: &str,
    ) -> Result<AppointmentRecord> {
        let to = AppointmentStatus::parse_input("status", status)?;
        self.transition(
            who,
            id,
            AuditAction::AppointmentStatus,
            who.actor.as_str(),
            |from| from.change_to(to),
        )
    }

    /// Cancels an appointment that is `scheduled` or `waiting` (409 otherwise); it stays listed.
    pub fn cancel(&self, who: &Who, id: AppointmentId) -> Result<AppointmentRecord> {
        self.transition(
            who,
            id,
            AuditAction::AppointmentCancel,
            who.actor.as_str(),
            |from| from.change_to(AppointmentStatus::Cancelled),
        )
    }

    /// The first image of an appointment arrived: `waiting` or `in_room` moves to `in_scan`,
    /// recorded as done by `dicom`. Any other status stays; the answer says whether it moved.
    pub fn advance_by_images(&self, who: &Who, id: AppointmentId) -> Result<bool> {
        let moved = self.transition(
            who,
            id,
            AuditAction::AppointmentStatus,
            CHANGED_BY_IMAGES,
            |from| {
                from.advance_by_images()
                    .ok_or_else(|| Error::conflict(from.refusal()))
            },
        );
        match moved {
            Ok(_) => Ok(true),
            Err(Error::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn transition(
        &self,
        who: &Who,
        id: AppointmentId,
        action: AuditAction,
        by: &str,
        next: impl Fn(AppointmentStatus) -> Result<AppointmentStatus>,
    ) -> Result<AppointmentRecord> {
        let record = self.find(id)?;
        let current = &record.appointment;
        let to = next(current.status)?;
        let now = self.clock.now();
        let change = StatusChange {
            id,
            version: current.version,
            from: current.status,
            to,
            by: by.to_owned(),
            at: now,
        };
        let entry = who.audit(
            self.ids.as_ref(),
            now,
            action,
            Some(current.patient_id),
            Some(id.to_string()),
        );
        let event = ClinicEvent {
            kind: ClinicEventKind::AppointmentStatusChanged,
            id: id.to_string(),
            patient_id: Some(current.patient_id),
            at: now,
            data: json!({"from": change.from.as_str(), "to": to.as_str(), "by": by}),
        };
        if !self.appointments.change_status(&change, &entry, &event)? {
            return Err(changed());
        }
        self.find(id)
    }
}
