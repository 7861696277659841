//! What the imaging and worklist tests share: patients and appointments to link to, instances as
//! the receiver would index them, audit entries, events, and row counts read straight from SQL.

use domain::clinic::imaging::{Arrival, InstanceIdentity, InstanceMeta, NewInstance, Uid};
use domain::clinic::{
    AppointmentId, AppointmentRepository, AuditAction, AuditEntry, Booked, BookingInput,
    ClinicEvent, ClinicEventKind, ImageId, NewAppointment, NewPatient, Patient, PatientId,
    PatientInput, PatientRepository, SeriesId, StudyId, Who,
};
use domain::kernel::blob::{BlobInfo, BlobKey, Sha256};
use domain::kernel::ids::UuidV7;

use crate::support::*;

pub fn who() -> Who {
    Who {
        actor: actor("staff-1"),
        roles: vec![],
        request_id: Some("req-1".into()),
    }
}

pub fn audit(action: AuditAction, patient: Option<PatientId>) -> AuditEntry {
    who().audit(&UuidV7, T0, action, patient, None)
}

pub fn create_patient(store: &Store, name: &str) -> Patient {
    let new = NewPatient {
        id: PatientId::from_uuid(Uuid::now_v7()),
        details: PatientInput {
            name: name.into(),
            ..PatientInput::default()
        }
        .validate(T0.date())
        .unwrap(),
        at: T0,
        by: actor("staff-1"),
    };
    PatientRepository::create(
        store,
        &new,
        &audit(AuditAction::PatientCreate, Some(new.id)),
    )
    .unwrap()
}

/// Books an appointment of `patient` with `doctor` (a staff id) on 2026-12-01 at `time`.
pub fn book(
    store: &Store,
    patient: PatientId,
    doctor: &str,
    time: &str,
) -> domain::clinic::Appointment {
    let booking = BookingInput {
        patient_id: patient.to_string(),
        doctor: doctor.into(),
        date: "2026-12-01".into(),
        time: time.into(),
        duration_minutes: Some(30),
        ..BookingInput::default()
    }
    .validate("")
    .unwrap();
    let item = NewAppointment {
        id: AppointmentId::from_uuid(Uuid::now_v7()),
        booking,
        at: T0,
        by: actor("staff-1"),
    };
    let audits = [audit(AuditAction::AppointmentCreate, Some(patient))];
    match AppointmentRepository::create(store, &[item], &audits).unwrap() {
        Booked::All(mut booked) => booked.remove(0),
        Booked::Refused(r) => panic!("refused: {r:?}"),
    }
}

pub fn uid(raw: &str) -> Uid {
    Uid::parse(raw).unwrap()
}

pub fn key(raw: &str) -> BlobKey {
    BlobKey::parse(raw).unwrap()
}

/// An instance of study `study`, series `series`, SOP instance `sop`, of `modality`, `size` bytes,
/// stored under `dicom/<sop>.dcm`, with fresh ids.
pub fn instance(study: &str, series: &str, sop: &str, modality: &str, size: u64) -> NewInstance {
    let identity = InstanceIdentity {
        sop_class_uid: uid("1.2.840.10008.5.1.4.1.1.6.1"),
        sop_instance_uid: uid(sop),
        study_instance_uid: uid(study),
        series_instance_uid: uid(series),
        transfer_syntax_uid: uid("1.2.840.10008.1.2.1"),
    };
    let meta = InstanceMeta {
        sop_class_uid: Some(identity.sop_class_uid.clone()),
        sop_instance_uid: Some(identity.sop_instance_uid.clone()),
        study_instance_uid: Some(identity.study_instance_uid.clone()),
        series_instance_uid: Some(identity.series_instance_uid.clone()),
        transfer_syntax_uid: Some(identity.transfer_syntax_uid.clone()),
        patient_name: Some("Haddad^Omar".into()),
        modality: Some(modality.into()),
        series_number: Some(1),
        instance_number: Some(1),
        rows: Some(480),
        columns: Some(640),
        frames: Some(1),
        has_pixels: true,
        photometric_interpretation: Some("RGB".into()),
        ..InstanceMeta::default()
    };
    NewInstance {
        id: ImageId::from_uuid(Uuid::now_v7()),
        study_id: StudyId::from_uuid(Uuid::now_v7()),
        series_id: SeriesId::from_uuid(Uuid::now_v7()),
        identity,
        meta,
        patient_id: None,
        appointment_id: None,
        blob: BlobInfo {
            key: key(&format!("dicom/{sop}.dcm")),
            size,
            sha256: Sha256([0xab; 32]),
        },
        arrival: Arrival::Dicom,
        received_by: "US_ROOM_1".into(),
        received_at: T0,
    }
}

pub fn received(new: &NewInstance) -> ClinicEvent {
    ClinicEvent {
        kind: ClinicEventKind::DicomReceived,
        id: new.id.to_string(),
        patient_id: new.patient_id,
        at: new.received_at,
        data: serde_json::json!({"study_instance_uid": new.identity.study_instance_uid.as_str()}),
    }
}

/// A single number from `sql` (a `COUNT(*) AS n`), through a connection of its own.
pub fn count_of(db: &TestDb, sql: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<N> = match db.backend() {
        Backend::Sqlite => diesel::sql_query(sql)
            .load(&mut SqliteConnection::establish(sqlite_path(db)).unwrap())
            .unwrap(),
        Backend::Postgres => diesel::sql_query(sql)
            .load(&mut PgConnection::establish(&db.url).unwrap())
            .unwrap(),
    };
    rows[0].n
}

/// Rows of `table`.
pub fn rows(db: &TestDb, table: &str) -> i64 {
    count_of(db, &format!("SELECT COUNT(*) AS n FROM {table}"))
}

pub fn audit_rows(db: &TestDb, action: &str) -> i64 {
    count_of(
        db,
        &format!("SELECT COUNT(*) AS n FROM audit_log WHERE action = '{action}'"),
    )
}

pub fn clinic_events(db: &TestDb) -> i64 {
    count_of(
        db,
        "SELECT COUNT(*) AS n FROM store_events WHERE payload LIKE 'clinic %'",
    )
}
