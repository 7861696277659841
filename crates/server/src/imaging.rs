//! Imaging's wiring: the services over the store, the blob store and the DICOM codec; the DICOM
//! listener, whose C-STORE and C-FIND go to the same services as the HTTP routes; the sweeper of
//! the blob trash list.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use dicom_listener::{DicomHandler, Listener, ListenerConfig, ListenerHandle, StoreOutcome};
use domain::Error;
use domain::clinic::AppointmentService;
use domain::clinic::imaging::dicomweb::DicomwebService;
use domain::clinic::imaging::{
    Arrival, ImagingPorts, IngestService, StudyService, WorklistEntry, WorklistQuery,
    WorklistService, dicom_who,
};
use domain::kernel::blob::BlobStore;
use domain::kernel::ids::IdGenerator;
use domain::kernel::text::Translator;
use domain::kernel::time::Clock;
use http_actix::viewer::ViewerFiles;
use store_diesel::Store;

use crate::config::{Config, DicomConfig};

/// The imaging services.
#[derive(Clone, Debug)]
pub struct Imaging {
    pub dicomweb: DicomwebService,
    pub ingest: IngestService,
    pub studies: StudyService,
    pub worklist: WorklistService,
}

pub fn wire(
    repo: &Arc<Store>,
    blobs: Arc<dyn BlobStore>,
    appointments: AppointmentService,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
) -> Imaging {
    let ports = ImagingPorts {
        repository: repo.clone(),
        audit: repo.clone(),
        blobs,
        codec: Arc::new(dicom_codec::DicomRsCodec::new()),
        appointments,
        clock: clock.clone(),
        ids: ids.clone(),
    };
    Imaging {
        dicomweb: DicomwebService::new(ports.clone(), Arc::new(dicom_codec::DicomRsCodec::new())),
        ingest: IngestService::new(ports.clone()),
        studies: StudyService::new(ports),
        worklist: WorklistService::new(repo.clone(), repo.clone(), repo.clone(), clock, ids),
    }
}

/// What the listener calls: the services, in the calling modality's name.
struct Bridge {
    imaging: Imaging,
    max_bytes: u64,
    translator: Arc<dyn Translator>,
}

/// DIMSE statuses for a refused C-STORE (PS3.4 B.2.3 and PS3.7 C.4.2).
const OUT_OF_RESOURCES: u16 = 0xA700;
const CANNOT_UNDERSTAND: u16 = 0xC000;

impl DicomHandler for Bridge {
    fn store(
        &self,
        calling_ae: &str,
        mut file: &mut (dyn std::io::Read + Send),
        _size: u64,
    ) -> StoreOutcome {
        let who = match dicom_who(calling_ae) {
            Ok(who) => who,
            Err(e) => {
                return StoreOutcome::Refused {
                    status: CANNOT_UNDERSTAND,
                    comment: crate::wiring::describe(self.translator.as_ref(), &e),
                };
            }
        };
        match self
            .imaging
            .ingest
            .ingest(&who, Arrival::Dicom, &mut file, self.max_bytes)
        {
            Ok(done) if done.duplicate => StoreOutcome::Duplicate,
            Ok(_) => StoreOutcome::Stored,
            Err(e @ Error::TooLarge(_)) => StoreOutcome::Refused {
                status: OUT_OF_RESOURCES,
                comment: crate::wiring::describe(self.translator.as_ref(), &e),
            },
            Err(e @ (Error::Validation(_) | Error::Unsupported(_))) => StoreOutcome::Refused {
                status: CANNOT_UNDERSTAND,
                comment: crate::wiring::describe(self.translator.as_ref(), &e),
            },
            Err(e) => {
                tracing::error!(calling_ae, error = %e.chain(), "a C-STORE could not be stored");
                StoreOutcome::Failed {
                    comment: "the instance could not be stored".to_owned(),
                }
            }
        }
    }

    fn worklist(
        &self,
        calling_ae: &str,
        query: &WorklistQuery,
    ) -> Result<Vec<WorklistEntry>, String> {
        self.imaging.worklist.find(query).map_err(|e| {
            tracing::error!(calling_ae, error = %e.chain(), "a worklist query failed");
            "the worklist cannot be read".to_owned()
        })
    }
}

/// Starts the DICOM listener when one is configured.
pub fn listen(
    imaging: &Imaging,
    translator: Arc<dyn Translator>,
    config: &DicomConfig,
) -> anyhow::Result<Option<ListenerHandle>> {
    let Some(bind) = &config.bind_addr else {
        return Ok(None);
    };
    let bind = bind
        .parse()
        .with_context(|| format!("DICOM_BIND_ADDR must be host:port, got {bind:?}"))?;
    let settings = ListenerConfig {
        bind,
        ae_title: config.ae_title.clone(),
        allowed_aes: config.allowed_aes.clone(),
        max_associations: config.max_associations,
        read_timeout: Duration::from_secs(30),
        association_timeout: Duration::from_secs(3600),
        max_pdu: 65_536,
        max_instance_bytes: config.max_instance_bytes,
    };
    let handler = Arc::new(Bridge {
        imaging: imaging.clone(),
        max_bytes: config.max_instance_bytes,
        translator,
    });
    let listener = Listener::bind(settings, handler)
        .and_then(Listener::spawn)
        .with_context(|| format!("cannot listen for DICOM on {bind}"))?;
    tracing::info!(addr = %listener.local_addr(), ae_title = %config.ae_title, "DICOM listener started");
    Ok(Some(listener))
}

/// The web viewer `VIEWER_DIR` names, checked to hold one.
pub(crate) fn viewer_files(config: &Config) -> anyhow::Result<Option<ViewerFiles>> {
    let Some(dir) = &config.dicom.viewer_dir else {
        return Ok(None);
    };
    let secure = config.public_base_url().starts_with("https://");
    ViewerFiles::open(dir, secure, &config.clinic_name)
        .map(Some)
        .with_context(|| {
            format!(
                "VIEWER_DIR={} holds no viewer (index.html): `cargo xtask viewer` installs one in target/viewer",
                dir.display()
            )
        })
}
