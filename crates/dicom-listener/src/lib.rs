//! The DICOM network listener: an upper-layer acceptor on `dicom-ul` (blocking, one thread per
//! association) that answers C-ECHO, C-STORE and modality worklist C-FIND.
//!
//! `dicom-ul` has no DIMSE layer, so the messages are this crate's own: command sets are read
//! and written by [`command`], a message's fragments (PDVs) are stitched over as many PDUs as
//! the peer sends, received instances are spooled to a bounded temporary file and handed to the
//! [`DicomHandler`] as whole Part 10 files, and worklist queries become the domain's
//! [`WorklistQuery`](domain::clinic::imaging::WorklistQuery).
//!
//! Decisions an operator should know (all of them in `docs/dicom-listener.md`):
//! - Beyond [`ListenerConfig::max_associations`] a new association is rejected with
//!   A-ASSOCIATE-RJ "transient, local limit exceeded" (a few at a time; past that the
//!   connection is simply closed).
//! - Every standard storage SOP class is accepted (retired ones too: old ultrasound machines
//!   still send them), with the transfer syntaxes of [`sop_classes::TRANSFER_SYNTAXES`];
//!   instances are stored as received, never decoded.
//! - A C-CANCEL that arrives while worklist responses are being sent ends them with status
//!   0xFE00 (Cancel).

mod accept;
mod association;
mod command;
mod find;
mod scan;
pub mod sop_classes;
mod store;

use std::io::Read;
use std::net::SocketAddr;
use std::time::Duration;

use domain::clinic::imaging::{WorklistEntry, WorklistQuery};

pub use accept::{Listener, ListenerHandle};

/// How the listener accepts associations.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    pub bind: SocketAddr,
    /// The called AE title peers must use.
    pub ae_title: String,
    /// Calling AE titles allowed to associate; `None` lets any peer in.
    pub allowed_aes: Option<Vec<String>>,
    /// Associations served at once; one more is rejected.
    pub max_associations: usize,
    /// How long the peer may stay silent in the middle of an association.
    pub read_timeout: Duration,
    /// How long one association may last in all.
    pub association_timeout: Duration,
    /// The largest PDU this listener accepts (announced in the A-ASSOCIATE-AC).
    pub max_pdu: u32,
    /// The largest data set one C-STORE may carry.
    pub max_instance_bytes: u64,
}

impl ListenerConfig {
    /// The defaults the clinic runs with: 32 associations, 30 s of silence, 10 minutes per
    /// association, 64 KiB PDUs (what DCMTK and most modalities propose), 1 GiB per instance.
    pub fn new(bind: SocketAddr, ae_title: impl Into<String>) -> ListenerConfig {
        ListenerConfig {
            bind,
            ae_title: ae_title.into(),
            allowed_aes: None,
            max_associations: 32,
            read_timeout: Duration::from_secs(30),
            association_timeout: Duration::from_secs(600),
            max_pdu: 65_536,
            max_instance_bytes: 1 << 30,
        }
    }
}

/// What the platform does with what modalities send.
pub trait DicomHandler: Send + Sync + 'static {
    /// An instance received by C-STORE, as a whole Part 10 file (preamble, `DICM`, meta group
    /// with the negotiated transfer syntax, then the data set bytes as received) readable from
    /// `file` (`size` bytes). Must store and index it before returning.
    fn store(&self, calling_ae: &str, file: &mut (dyn Read + Send), size: u64) -> StoreOutcome;

    /// The worklist entries matching `query` (the handler applies
    /// [`WorklistQuery::matches`]).
    fn worklist(
        &self,
        calling_ae: &str,
        query: &WorklistQuery,
    ) -> Result<Vec<WorklistEntry>, String>;
}

/// How a C-STORE ended, as the handler saw it. The listener answers:
///
/// | outcome | C-STORE-RSP status |
/// |---|---|
/// | `Stored`, `Duplicate` | 0x0000 Success (a second copy of a stored instance changes nothing) |
/// | `Refused { status, comment }` | `status` with `comment` as the Error Comment: 0xA900 "data set does not match SOP class", 0xC000 "cannot understand" for unreadable data |
/// | `Failed { comment }` | 0x0110 Processing failure with `comment` |
///
/// A data set larger than [`ListenerConfig::max_instance_bytes`] never reaches the handler: it
/// is answered 0xA700 Out of resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreOutcome {
    Stored,
    Duplicate,
    Refused { status: u16, comment: String },
    Failed { comment: String },
}

/// Why an association ended other than by a release; logged, never shown to the peer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("upper layer: {0}")]
    Ul(#[from] dicom_ul::association::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("protocol: {0}")]
    Protocol(String),
    #[error("the association outlived its deadline")]
    Deadline,
    #[error("the listener is stopping")]
    Stopping,
    #[error("the peer aborted the association")]
    PeerAborted,
}
