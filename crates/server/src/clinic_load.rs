//! `seed-load --patients N --appointments M`: bulk clinic data for load tests, so that patient
//! search and the appointment lists run against realistic volume. Patients carry mixed Latin and
//! Arabic names (a few hundred names combined), most a phone and many a national id; their
//! appointments are spread over the demo doctors `doctor` and `doctor2` and about two years of days
//! (18 months back, 6 ahead): past days mostly completed, today's under way, future ones
//! scheduled. The doctors' time is not checked: at this volume two doctors' days overlap.
//!
//! What it wrote is summed up in [`Facts`], counted while generating (a search's matches by the
//! domain's own rule), so a benchmark can check that the server answers the same totals.

use std::time::Duration;

use domain::clinic::search::{matches, terms};
use domain::clinic::{
    Appointment, AppointmentId, AppointmentStatus, HistoryEntry, Patient, PatientDetails,
    PatientId, Slot, StaffId, StaffRepository,
};
use domain::kernel::code::Code;
use domain::kernel::ids::ActorId;
use store_diesel::Store;
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

mod names;

/// Patients written per transaction.
const PATIENT_BATCH: usize = 10_000;
/// Appointments written per transaction.
const APPOINTMENT_BATCH: usize = 50_000;
/// Days the appointments cover, and how many of them are before today.
const DAYS: i64 = 730;
const DAYS_BACK: i64 = 547;
/// Five-minute slots from 08:00 to 17:55.
const SLOTS: i64 = 120;
/// The demo doctors (`seed-demo`'s staff), who take the appointments in turn.
const DOCTORS: [&str; 2] = ["doctor", "doctor2"];
/// The fragment whose matches [`Facts`] counts.
pub const SEARCH: &str = "hadd";
/// The status whose appointments [`Facts`] counts.
const COUNTED_STATUS: AppointmentStatus = AppointmentStatus::Cancelled;

/// What `seed-load` writes for the clinic.
#[derive(Debug, Clone, Copy)]
pub struct ClinicPlan {
    pub patients: usize,
    pub appointments: usize,
}

/// Totals of what was written, for checking answers against: patients matching [`SEARCH`],
/// today's appointments, those of the 43rd patient, of the first doctor today, and in
/// [`COUNTED_STATUS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub patients: usize,
    pub appointments: usize,
    pub search: usize,
    pub today: Date,
    pub on_today: usize,
    pub patient: Option<PatientId>,
    pub of_patient: usize,
    pub doctor: StaffId,
    pub doctor_today: usize,
    pub in_status: usize,
}

impl std::fmt::Display for Facts {
    /// One line of `key=value` pairs a benchmark reads.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let patient = self.patient.map(|p| p.to_string()).unwrap_or_default();
        write!(
            f,
            "clinic facts: patients={} appointments={} search={SEARCH}:{} day={}:{} patient={patient}:{} doctor={}:{} status={}:{}",
            self.patients,
            self.appointments,
            self.search,
            self.today,
            self.on_today,
            self.of_patient,
            self.doctor,
            self.doctor_today,
            COUNTED_STATUS.as_str(),
            self.in_status,
        )
    }
}

/// A well-mixed number from `i` and `salt`, so that names and details do not repeat in step.
fn mix(i: usize, salt: u64) -> usize {
    let x = (i as u64 ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((x ^ (x >> 29)) >> 16) as usize
}

fn patient(j: usize, mrn: i64, created_at: OffsetDateTime, by: &ActorId) -> Patient {
    let (name, name_ar, sex) = names::name(j, |salt| mix(j, salt));
    let phone = (mix(j, 3) % 100 < 85).then(|| {
        let n = j * 7_919 % 10_000_000;
        format!("+962 7{} {:03} {:04}", 7 + j % 3, n / 10_000, n % 10_000)
    });
    let national_id =
        (mix(j, 4) % 100 < 60).then(|| format!("9{:09}", j * 104_729 % 1_000_000_000));
    let birth_date = Date::from_calendar_date(1940, time::Month::January, 1)
        .ok()
        .map(|d| d + time::Duration::days((mix(j, 5) % 30_000) as i64));
    Patient {
        id: PatientId::from_uuid(Uuid::now_v7()),
        mrn: Patient::mrn_for(mrn),
        details: PatientDetails {
            name,
            name_ar,
            birth_date,
            sex: Some(sex),
            phone,
            national_id,
            address: mix(j, 6)
                .is_multiple_of(2)
                .then(|| "Amman, Jordan".to_owned()),
        },
        created_at,
        created_by: by.clone(),
        updated_at: created_at,
        updated_by: by.clone(),
        deleted_at: None,
    }
}

/// The status of an appointment `offset` days from today (negative: past), from `roll` in 0..100.
fn status(offset: i64, roll: usize) -> AppointmentStatus {
    use AppointmentStatus::*;
    match offset {
        ..0 if roll < 85 => Completed,
        ..0 if roll < 93 => Cancelled,
        ..0 => NoShow,
        0 => [
            Completed, Review, InScan, InRoom, Waiting, Scheduled, Scheduled,
        ][roll % 7],
        _ if roll < 95 => Scheduled,
        _ => Cancelled,
    }
}

/// The step that led to `status` (`None` for `scheduled`): the history keeps the creation and
/// that last step, not every step between.
fn last_step(status: AppointmentStatus) -> Option<AppointmentStatus> {
    use AppointmentStatus::*;
    match status {
        Scheduled => None,
        Waiting | Cancelled | NoShow => Some(Scheduled),
        InRoom => Some(Waiting),
        InScan => Some(InRoom),
        Review => Some(InScan),
        Completed => Some(Review),
    }
}

/// Writes the plan's patients, then its appointments, in batches; the demo staff must exist.
pub fn seed_clinic(store: &Store, plan: &ClinicPlan) -> anyhow::Result<Facts> {
    anyhow::ensure!(
        plan.appointments == 0 || plan.patients > 0,
        "--appointments needs --patients"
    );
    let doctors = DOCTORS
        .iter()
        .map(|name| {
            StaffRepository::find_by_username_key(store, name)?
                .map(|(account, _)| account.id)
                .ok_or_else(|| domain::Error::internal(format!("no staff account {name}")))
        })
        .collect::<domain::Result<Vec<StaffId>>>()
        .map_err(|e| anyhow::anyhow!("the demo doctors: {e}"))?;
    let by = ActorId::parse("load")?;
    let now = OffsetDateTime::now_utc();
    let today = now.date();
    let first_mrn = store.clinic_counter("mrn")? + 1;
    let first_accession = store.clinic_counter("accession")? + 1;
    let search = terms(SEARCH);
    let mut facts = Facts {
        patients: 0,
        appointments: 0,
        search: 0,
        today,
        on_today: 0,
        patient: None,
        of_patient: 0,
        doctor: doctors[0],
        doctor_today: 0,
        in_status: 0,
    };

    // Created over the last two years, oldest first, so MRNs follow creation.
    let step = 63_072_000 / plan.patients.max(1) as u64;
    let mut ids = Vec::with_capacity(plan.patients);
    let mut batch = Vec::with_capacity(PATIENT_BATCH);
    for j in 0..plan.patients {
        let created = now - Duration::from_secs(step * (plan.patients - j) as u64);
        let p = patient(j, first_mrn + j as i64, created, &by);
        if matches(&p.search_terms(), &search) {
            facts.search += 1;
        }
        ids.push(p.id);
        batch.push(p);
        if batch.len() == PATIENT_BATCH || j + 1 == plan.patients {
            facts.patients += store.insert_patients_bulk(&batch)?;
            batch.clear();
        }
    }
    facts.patient = ids.get(42).copied();

    let first_day = today - time::Duration::days(DAYS_BACK);
    let mut batch = Vec::with_capacity(APPOINTMENT_BATCH);
    for i in 0..plan.appointments {
        let offset = i as i64 % DAYS - DAYS_BACK;
        let day = first_day + time::Duration::days(i as i64 % DAYS);
        let slot = (i as i64 / DAYS) % SLOTS;
        let doctor = doctors[(i / DAYS as usize) % doctors.len()];
        // 7,919 is prime to any count of 2s and 5s: each patient gets its equal share.
        let patient = ids[i * 7_919 % ids.len()];
        let status = status(offset, mix(i, 7) % 100);
        let booked_at = OffsetDateTime::new_utc(day, Time::MIDNIGHT) - time::Duration::days(14);
        let created_at = booked_at.min(now);
        let mut history = vec![HistoryEntry {
            seq: 1,
            from: None,
            to: AppointmentStatus::Scheduled,
            by: by.as_str().to_owned(),
            at: created_at,
        }];
        if let Some(from) = last_step(status) {
            let at = OffsetDateTime::new_utc(day, Time::from_hms(18, 0, 0)?).min(now);
            history.push(HistoryEntry {
                seq: 2,
                from: Some(from),
                to: status,
                by: doctor.to_string(),
                at: at.max(created_at),
            });
        }
        let updated_at = history.last().map_or(created_at, |h| h.at);
        if day == today {
            facts.on_today += 1;
            if doctor == facts.doctor {
                facts.doctor_today += 1;
            }
        }
        if Some(patient) == facts.patient {
            facts.of_patient += 1;
        }
        if status == COUNTED_STATUS {
            facts.in_status += 1;
        }
        let appointment = Appointment {
            id: AppointmentId::from_uuid(Uuid::now_v7()),
            patient_id: patient,
            doctor_id: doctor,
            slot: Slot {
                date: day,
                time: Time::from_hms((8 + slot / 12) as u8, (slot % 12 * 5) as u8, 0)?,
                duration_minutes: if i.is_multiple_of(3) { 30 } else { 15 },
            },
            department: Some(
                if i.is_multiple_of(4) {
                    "Ultrasound"
                } else {
                    "Radiology"
                }
                .to_owned(),
            ),
            notes: None,
            status,
            accession_number: Appointment::accession_for(first_accession + i as i64),
            version: history.len() as i64,
            created_at,
            created_by: by.clone(),
            updated_at,
            updated_by: by.clone(),
        };
        batch.push((appointment, history));
        if batch.len() == APPOINTMENT_BATCH || i + 1 == plan.appointments {
            facts.appointments += store.insert_appointments_bulk(&batch)?;
            batch.clear();
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_calendar() {
        assert_eq!(status(-3, 10), AppointmentStatus::Completed);
        assert_eq!(status(-3, 90), AppointmentStatus::Cancelled);
        assert_eq!(status(5, 10), AppointmentStatus::Scheduled);
        for roll in 0..100 {
            let s = status(0, roll);
            // Every status reached today has a step that led to it, or is the first.
            assert!(s == AppointmentStatus::Scheduled || last_step(s).is_some());
        }
    }

    #[test]
    fn patients_carry_mixed_names_and_details() {
        let by = ActorId::parse("load").unwrap();
        let now = OffsetDateTime::now_utc();
        let ps: Vec<Patient> = (0..1_000)
            .map(|j| patient(j, j as i64 + 1, now, &by))
            .collect();
        let arabic = ps.iter().filter(|p| p.details.name_ar.is_some()).count();
        assert!((300..700).contains(&arabic), "{arabic}");
        assert!(
            ps.iter()
                .any(|p| p.details.name.contains('é') || p.details.name.contains('ü'))
        );
        let phones = ps.iter().filter(|p| p.details.phone.is_some()).count();
        assert!((750..950).contains(&phones), "{phones}");
        for p in &ps {
            let phone = p.details.phone.as_deref().unwrap_or("+962 79 123 4567");
            assert!(domain::clinic::patient::is_phone(phone), "{phone}");
        }
    }
}
