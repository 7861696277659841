//! A listener on a free port with a handler that keeps everything in memory, and the DCMTK
//! tools, which must be installed (Debian's `dcmtk` package).

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dicom_listener::{DicomHandler, Listener, ListenerConfig, ListenerHandle, StoreOutcome};
use domain::clinic::ids::{PatientId, WorklistId};
use domain::clinic::imaging::{Uid, WorklistEntry, WorklistQuery};
use domain::kernel::ids::ActorId;
use time::macros::{date, datetime, time};
use uuid::Uuid;

pub const AE: &str = "MEDCARE";
pub const MODALITY_AE: &str = "US_ROOM_1";

pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/dicom")
        .join(name)
}

/// A stored instance as the handler received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub calling_ae: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct MemoryHandler {
    pub stored: Mutex<Vec<Received>>,
    pub seen: Mutex<HashSet<String>>,
    pub entries: Vec<WorklistEntry>,
    pub queries: Mutex<Vec<WorklistQuery>>,
}

impl DicomHandler for MemoryHandler {
    fn store(&self, calling_ae: &str, file: &mut (dyn Read + Send), size: u64) -> StoreOutcome {
        let mut bytes = Vec::new();
        if let Err(e) = file.read_to_end(&mut bytes) {
            return StoreOutcome::Failed {
                comment: e.to_string(),
            };
        }
        assert_eq!(bytes.len() as u64, size, "size announced is the size read");
        let obj = match dicom_object::OpenFileOptions::new().from_reader(&bytes[128..]) {
            Ok(obj) => obj,
            Err(e) => {
                return StoreOutcome::Refused {
                    status: 0xC000,
                    comment: e.to_string(),
                };
            }
        };
        // MR_small.dcm and MR_small_RLE.dcm share a SOP instance UID: in these tests, the
        // same instance in another transfer syntax is another file.
        let key = format!(
            "{} {}",
            obj.meta().media_storage_sop_instance_uid(),
            obj.meta().transfer_syntax()
        );
        if !self.seen.lock().unwrap().insert(key) {
            return StoreOutcome::Duplicate;
        }
        self.stored.lock().unwrap().push(Received {
            calling_ae: calling_ae.to_owned(),
            bytes,
        });
        StoreOutcome::Stored
    }

    fn worklist(
        &self,
        _calling_ae: &str,
        query: &WorklistQuery,
    ) -> Result<Vec<WorklistEntry>, String> {
        self.queries.lock().unwrap().push(query.clone());
        Ok(self
            .entries
            .iter()
            .filter(|e| query.matches(e))
            .cloned()
            .collect())
    }
}

pub struct Running {
    pub handle: ListenerHandle,
    pub handler: Arc<MemoryHandler>,
}

impl Running {
    pub fn port(&self) -> String {
        self.handle.local_addr().port().to_string()
    }

    pub fn stored(&self) -> Vec<Received> {
        self.handler.stored.lock().unwrap().clone()
    }
}

pub fn config() -> ListenerConfig {
    let mut config = ListenerConfig::new("127.0.0.1:0".parse().unwrap(), AE);
    config.read_timeout = Duration::from_secs(10);
    config.association_timeout = Duration::from_secs(120);
    config
}

pub fn start(config: ListenerConfig) -> Running {
    start_with(config, MemoryHandler::default())
}

pub fn start_with(config: ListenerConfig, handler: MemoryHandler) -> Running {
    let handler = Arc::new(handler);
    let handle = Listener::bind(config, handler.clone())
        .unwrap()
        .spawn()
        .unwrap();
    Running { handle, handler }
}

/// A DCMTK tool; fails loudly when DCMTK is missing.
pub fn dcmtk(tool: &str) -> Command {
    let probe = Command::new(tool).arg("--version").output();
    if let Err(e) = probe {
        panic!("DCMTK's `{tool}` cannot run ({e}): install the `dcmtk` package");
    }
    Command::new(tool)
}

pub fn run(command: &mut Command) -> Output {
    command.output().unwrap()
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn echoscu(port: &str, calling: &str, called: &str) -> Output {
    run(dcmtk("echoscu").args(["-aet", calling, "-aec", called, "127.0.0.1", port]))
}

/// The data set's bytes of a Part 10 file: what follows the meta group.
pub fn data_set(file: &[u8]) -> &[u8] {
    assert_eq!(&file[128..132], b"DICM");
    // (0002,0000) UL, explicit VR little endian: 8 bytes of header, then the group's length.
    let group_len = u32::from_le_bytes(file[140..144].try_into().unwrap()) as usize;
    &file[144 + group_len..]
}

fn entry(
    n: u128,
    name: &str,
    mrn: &str,
    modality: &str,
    station: &str,
    day: time::Date,
) -> WorklistEntry {
    WorklistEntry {
        id: WorklistId::from_uuid(Uuid::from_u128(n)),
        appointment_id: None,
        patient_id: PatientId::from_uuid(Uuid::from_u128(n)),
        patient_name: name.to_owned(),
        patient_mrn: mrn.to_owned(),
        patient_birth_date: Some(date!(1980 - 02 - 29)),
        patient_sex: Some("M".to_owned()),
        accession_number: format!("ACC{n:010}"),
        requested_procedure_id: format!("RP{n:010}"),
        requested_procedure_description: Some("Abdominal ultrasound".to_owned()),
        study_instance_uid: Uid::from_uuid(Uuid::from_u128(1000 + n)),
        scheduled_step_id: format!("SPS{n:010}"),
        modality: modality.to_owned(),
        station_ae_title: Some(station.to_owned()),
        start_date: day,
        start_time: time!(10:30),
        step_description: Some("Liver and gallbladder".to_owned()),
        performing_physician: Some("Khoury^Layla".to_owned()),
        created_at: datetime!(2026-11-30 10:00 UTC),
        created_by: ActorId::system(),
    }
}

/// The clinic's worklist: two Haddads on ultrasound in room 1, one on the 1st of December with
/// an Arabic name, others that a query by name, modality, station or day leaves out.
pub fn worklist() -> Vec<WorklistEntry> {
    vec![
        entry(
            1,
            "Haddad^Omar=حداد^عمر",
            "MRN0001",
            "US",
            MODALITY_AE,
            date!(2026 - 12 - 01),
        ),
        entry(
            2,
            "Haddad^Sara",
            "MRN0002",
            "US",
            MODALITY_AE,
            date!(2026 - 12 - 02),
        ),
        entry(
            3,
            "Haddad^Omar",
            "MRN0003",
            "CT",
            "CT_ROOM",
            date!(2026 - 12 - 01),
        ),
        entry(
            4,
            "Nasser^Rami",
            "MRN0004",
            "US",
            MODALITY_AE,
            date!(2026 - 12 - 01),
        ),
        entry(
            5,
            "Haddad^Ali",
            "MRN0005",
            "US",
            "US_ROOM_2",
            date!(2026 - 12 - 01),
        ),
        entry(
            6,
            "Haddad^Omar",
            "MRN0006",
            "US",
            MODALITY_AE,
            date!(2027 - 01 - 15),
        ),
    ]
}
