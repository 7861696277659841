//! The published worklist in storage: a re-publication replaces an entry in place and keeps what a
//! modality may hold, the active list follows the appointments, accession numbers come from the
//! appointments' counter, and a patient's hard delete takes its entries along.

use domain::clinic::imaging::{WorklistEntry, WorklistRepository};
use domain::clinic::{
    AppointmentRepository, AppointmentStatus, AuditAction, ClinicEvent, ClinicEventKind,
    HardDelete, PatientId, PatientRepository, StatusChange, WorklistId,
};
use store_diesel::testing::insert_staff;
use time::macros::{date, time};

use crate::imaging_fixtures::*;
use crate::support::*;

fn entry(
    patient: &domain::clinic::Patient,
    appointment: Option<&domain::clinic::Appointment>,
    n: u32,
) -> WorklistEntry {
    let accession =
        appointment.map_or_else(|| format!("ACC{n:010}"), |a| a.accession_number.clone());
    WorklistEntry {
        id: WorklistId::from_uuid(Uuid::now_v7()),
        appointment_id: appointment.map(|a| a.id),
        patient_id: patient.id,
        patient_name: "Haddad^Omar".into(),
        patient_mrn: patient.mrn.clone(),
        patient_birth_date: Some(date!(1980 - 02 - 29)),
        patient_sex: Some("M".into()),
        accession_number: accession.clone(),
        requested_procedure_id: format!("RP{n}"),
        requested_procedure_description: Some("Abdominal ultrasound".into()),
        study_instance_uid: uid(&format!("2.25.{n}")),
        scheduled_step_id: format!("SPS{n}"),
        modality: "US".into(),
        station_ae_title: Some("US_ROOM_1".into()),
        start_date: date!(2026 - 12 - 01),
        start_time: time!(09:00:30),
        step_description: None,
        performing_physician: Some("Haddad^Omar".into()),
        created_at: T0,
        created_by: actor("staff-1"),
    }
}

fn publish(store: &Store, e: &WorklistEntry) -> WorklistEntry {
    WorklistRepository::publish(
        store,
        e,
        &audit(AuditAction::WorklistSend, Some(e.patient_id)),
    )
    .unwrap()
}

fn set_status(store: &Store, a: &domain::clinic::Appointment, to: AppointmentStatus) {
    let current = AppointmentRepository::find(store, a.id)
        .unwrap()
        .unwrap()
        .appointment;
    let change = StatusChange {
        id: a.id,
        version: current.version,
        from: current.status,
        to,
        by: "staff-1".into(),
        at: at(5),
    };
    let event = ClinicEvent {
        kind: ClinicEventKind::AppointmentStatusChanged,
        id: a.id.to_string(),
        patient_id: None,
        at: at(5),
        data: serde_json::json!({}),
    };
    assert!(
        AppointmentRepository::change_status(
            store,
            &change,
            &audit(AuditAction::AppointmentStatus, None),
            &event
        )
        .unwrap()
    );
}

on_each_backend!(
    a_republication_replaces_the_entry_and_keeps_its_study_uid,
    |db| {
        let store = &db.store;
        let doctor = insert_staff(store, "haddad", &["doctor"]);
        let patient = create_patient(store, "Omar Haddad");
        let appointment = book(store, patient.id, &doctor, "09:00");
        let first = entry(&patient, Some(&appointment), 1);
        let stored = publish(store, &first);
        assert_eq!(stored, first, "every field round trips");
        assert_eq!(
            WorklistRepository::for_appointment(store, appointment.id).unwrap(),
            Some(first.clone())
        );
        // Published again (moved to the afternoon, another room) with fresh ids: the entry keeps its
        // id, Study Instance UID, step id and first publication, and takes the rest.
        let mut again = entry(&patient, Some(&appointment), 2);
        again.start_time = time!(14:00);
        again.station_ae_title = Some("US_ROOM_2".into());
        again.created_at = at(10);
        again.created_by = actor("staff-2");
        let stored = publish(store, &again);
        assert_eq!(stored.id, first.id);
        assert_eq!(stored.study_instance_uid, first.study_instance_uid);
        assert_eq!(stored.scheduled_step_id, first.scheduled_step_id);
        assert_eq!(
            (stored.created_at, &stored.created_by),
            (T0, &first.created_by)
        );
        assert_eq!(stored.start_time, time!(14:00));
        assert_eq!(stored.station_ae_title.as_deref(), Some("US_ROOM_2"));
        assert_eq!(stored.requested_procedure_id, "RP2");
        assert_eq!(rows(&db, "dicom_worklist"), 1);
        assert_eq!(audit_rows(&db, "worklist.send"), 2);
        assert_eq!(
            WorklistRepository::for_appointment(store, appointment.id).unwrap(),
            Some(stored)
        );
    }
);

on_each_backend!(the_active_list_follows_the_appointments, |db| {
    use AppointmentStatus::*;
    let store = &db.store;
    let doctor = insert_staff(store, "haddad", &["doctor"]);
    let patient = create_patient(store, "Omar Haddad");
    let done = book(store, patient.id, &doctor, "08:00");
    let cancelled = book(store, patient.id, &doctor, "09:00");
    let waiting = book(store, patient.id, &doctor, "10:00");
    let mut later = entry(&patient, Some(&waiting), 3);
    later.start_time = time!(10:00);
    let mut past_alone = entry(&patient, None, 4);
    past_alone.start_date = date!(2026 - 11 - 30);
    let mut today_alone = entry(&patient, None, 5);
    today_alone.start_time = time!(07:00);
    let mut e_done = entry(&patient, Some(&done), 1);
    e_done.start_time = time!(08:00);
    let mut e_cancelled = entry(&patient, Some(&cancelled), 2);
    e_cancelled.start_time = time!(09:00);
    for e in [&later, &past_alone, &today_alone, &e_done, &e_cancelled] {
        publish(store, e);
    }
    let active = |today| -> Vec<WorklistId> {
        WorklistRepository::active(store, today)
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    let today = date!(2026 - 12 - 01);
    assert_eq!(
        active(today),
        [today_alone.id, e_done.id, e_cancelled.id, later.id]
    );
    for step in [Waiting, InRoom, InScan, Review, Completed] {
        set_status(store, &done, step);
    }
    set_status(store, &cancelled, Cancelled);
    set_status(store, &waiting, Waiting);
    assert_eq!(active(today), [today_alone.id, later.id]);
    // The day before, the past entry published for the patient alone was still active.
    assert_eq!(
        active(date!(2026 - 11 - 30)),
        [past_alone.id, today_alone.id, later.id]
    );
});

on_each_backend!(accession_numbers_share_the_appointments_counter, |db| {
    let store = &db.store;
    let doctor = insert_staff(store, "haddad", &["doctor"]);
    let patient = create_patient(store, "Omar Haddad");
    let first = book(store, patient.id, &doctor, "08:00");
    assert_eq!(first.accession_number, "ACC0000000001");
    assert_eq!(
        WorklistRepository::next_accession(store).unwrap(),
        "ACC0000000002"
    );
    assert_eq!(
        book(store, patient.id, &doctor, "09:00").accession_number,
        "ACC0000000003"
    );
});

on_each_backend!(a_hard_delete_takes_the_patients_own_entries_along, |db| {
    let store = &db.store;
    let patient = create_patient(store, "Omar Haddad");
    let other = create_patient(store, "Kept");
    publish(store, &entry(&patient, None, 1));
    let kept = publish(store, &entry(&other, None, 2));
    let hard = |id: PatientId| {
        PatientRepository::hard_delete(store, id, &audit(AuditAction::PatientHardDelete, Some(id)))
            .unwrap()
    };
    assert_eq!(hard(patient.id), HardDelete::Deleted);
    assert_eq!(rows(&db, "dicom_worklist"), 1);
    let active = WorklistRepository::active(store, date!(2026 - 12 - 01)).unwrap();
    assert_eq!(active, [kept]);
});
