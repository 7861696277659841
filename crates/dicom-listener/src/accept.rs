//! The accept loop: one thread per association, at most `max_associations` at once, and a
//! handle that stops everything.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use dicom_ul::association::server::{AccessControl, DefaultNegotiation, ServerAssociationOptions};
use dicom_ul::pdu::{
    AssociationRJ, AssociationRJResult, AssociationRJServiceProviderPresentationReason,
    AssociationRJServiceUserReason, AssociationRJSource, Pdu, UserIdentity,
};
use tracing::{debug, error, info, warn};

use crate::{DicomHandler, ListenerConfig, association, sop_classes};

/// Connections turned away at once with an A-ASSOCIATE-RJ; past these they are just closed.
const MAX_REJECTING: usize = 8;
/// How long a turned-away peer has to send its A-ASSOCIATE-RQ.
const REJECT_WAIT: Duration = Duration::from_secs(5);

/// What every association thread shares.
pub(crate) struct Shared {
    pub config: ListenerConfig,
    pub handler: Arc<dyn DicomHandler>,
    pub options: ServerAssociationOptions<'static, AeAccess, DefaultNegotiation>,
    stopping: AtomicBool,
    active: AtomicUsize,
    rejecting: AtomicUsize,
    /// A handle on every open connection, so that stopping can close them.
    open: Mutex<HashMap<u64, TcpStream>>,
    next_id: AtomicU64,
}

impl Shared {
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

/// The called AE title must be ours; the calling one must be allowed, when a list is set.
#[derive(Debug, Clone)]
pub(crate) struct AeAccess {
    allowed: Option<Vec<String>>,
}

impl AccessControl for AeAccess {
    fn check_access(
        &self,
        this_ae_title: &str,
        calling_ae_title: &str,
        called_ae_title: &str,
        _user_identity: Option<&UserIdentity>,
    ) -> Result<(), AssociationRJServiceUserReason> {
        if called_ae_title.trim() != this_ae_title.trim() {
            return Err(AssociationRJServiceUserReason::CalledAETitleNotRecognized);
        }
        let calling = calling_ae_title.trim();
        match &self.allowed {
            Some(allowed) if !allowed.iter().any(|a| a.trim() == calling) => {
                Err(AssociationRJServiceUserReason::CallingAETitleNotRecognized)
            }
            _ => Ok(()),
        }
    }
}

/// A bound listener, not yet accepting.
pub struct Listener {
    socket: TcpListener,
    shared: Arc<Shared>,
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("socket", &self.socket)
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Listener {
    /// Binds `config.bind`; nothing is accepted before [`run`](Self::run) or
    /// [`spawn`](Self::spawn).
    pub fn bind(config: ListenerConfig, handler: Arc<dyn DicomHandler>) -> io::Result<Listener> {
        if config.max_associations == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "max_associations must be at least 1",
            ));
        }
        let mut options = ServerAssociationOptions::new()
            .ae_access_control(AeAccess {
                allowed: config.allowed_aes.clone(),
            })
            .ae_title(config.ae_title.clone())
            .max_pdu_length(config.max_pdu)
            .read_timeout(config.read_timeout)
            .write_timeout(config.read_timeout)
            .with_abstract_syntax(sop_classes::VERIFICATION)
            .with_abstract_syntax(sop_classes::MODALITY_WORKLIST_FIND);
        for uid in sop_classes::STORAGE {
            options = options.with_abstract_syntax(*uid);
        }
        for uid in sop_classes::TRANSFER_SYNTAXES {
            options = options.with_transfer_syntax(*uid);
        }
        let socket = TcpListener::bind(config.bind)?;
        Ok(Listener {
            socket,
            shared: Arc::new(Shared {
                config,
                handler,
                options,
                stopping: AtomicBool::new(false),
                active: AtomicUsize::new(0),
                rejecting: AtomicUsize::new(0),
                open: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
            }),
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Accepts associations on this thread, for ever.
    pub fn run(self) {
        accept_loop(&self.socket, &self.shared);
    }

    /// Accepts associations on a thread of its own, until the handle is shut down or dropped.
    pub fn spawn(self) -> io::Result<ListenerHandle> {
        let addr = self.socket.local_addr()?;
        let shared = Arc::clone(&self.shared);
        let thread = thread::Builder::new()
            .name("dicom-accept".into())
            .spawn(move || accept_loop(&self.socket, &self.shared))?;
        info!(%addr, ae_title = %shared.config.ae_title, "DICOM listener started");
        Ok(ListenerHandle {
            addr,
            shared,
            thread: Some(thread),
        })
    }
}

/// A running listener; stopping it (or dropping it) closes every open association and waits
/// for their threads.
pub struct ListenerHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for ListenerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListenerHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ListenerHandle {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Associations being served now.
    pub fn active_associations(&self) -> usize {
        self.shared.active.load(Ordering::Acquire)
    }

    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::Release);
        // The accept loop blocks in accept(): a connection of our own wakes it.
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        match TcpStream::connect_timeout(&SocketAddr::new(ip, self.addr.port()), REJECT_WAIT) {
            Ok(_) => {
                if thread.join().is_err() {
                    error!("the accept thread panicked");
                }
            }
            Err(e) => warn!(error = %e, "cannot wake the accept loop; leaving it behind"),
        }
        info!(addr = %self.addr, "DICOM listener stopped");
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Takes back an association's slot and its entry in the open connections.
struct Slot {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
        self.shared.active.fetch_sub(1, Ordering::AcqRel);
    }
}

fn accept_loop(socket: &TcpListener, shared: &Arc<Shared>) {
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    loop {
        let accepted = socket.accept();
        if shared.is_stopping() {
            break;
        }
        workers.retain(|w| !w.is_finished());
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors and the like: wait a little rather than spin.
                warn!(error = %e, "accept");
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let active = shared.active.fetch_add(1, Ordering::AcqRel);
        if active >= shared.config.max_associations {
            shared.active.fetch_sub(1, Ordering::AcqRel);
            turn_away(stream, shared);
            continue;
        }
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        let slot = Slot {
            shared: Arc::clone(shared),
            id,
        };
        match stream.try_clone() {
            Ok(clone) => {
                shared
                    .open
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(id, clone);
            }
            Err(e) => {
                warn!(error = %e, "cannot keep a handle on a connection");
                continue;
            }
        }
        let spawned = thread::Builder::new()
            .name("dicom-association".into())
            .spawn(move || {
                let slot = slot;
                association::serve(stream, &slot.shared);
            });
        match spawned {
            Ok(worker) => workers.push(worker),
            Err(e) => error!(error = %e, "cannot start an association thread"),
        }
    }
    let open: Vec<TcpStream> = shared
        .open
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .drain()
        .map(|(_, s)| s)
        .collect();
    for stream in open {
        let _ = stream.shutdown(Shutdown::Both);
    }
    for worker in workers {
        if worker.join().is_err() {
            error!("an association thread panicked");
        }
    }
}

/// Answers an association over the limit with A-ASSOCIATE-RJ "transient, local limit
/// exceeded", on a short-lived thread; when too many are being turned away already, the
/// connection is closed instead.
fn turn_away(stream: TcpStream, shared: &Arc<Shared>) {
    if shared.rejecting.fetch_add(1, Ordering::AcqRel) >= MAX_REJECTING {
        shared.rejecting.fetch_sub(1, Ordering::AcqRel);
        debug!("over the association limit: connection closed");
        return;
    }
    let shared_for_thread = Arc::clone(shared);
    let spawned = thread::Builder::new()
        .name("dicom-reject".into())
        .spawn(move || {
            if let Err(e) = reject(stream) {
                debug!(error = %e, "rejection not delivered");
            }
            shared_for_thread.rejecting.fetch_sub(1, Ordering::AcqRel);
        });
    match spawned {
        Ok(_) => info!("over the association limit: rejected"),
        Err(e) => {
            shared.rejecting.fetch_sub(1, Ordering::AcqRel);
            warn!(error = %e, "cannot start a rejecting thread");
        }
    }
}

fn reject(mut stream: TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(REJECT_WAIT))?;
    stream.set_write_timeout(Some(REJECT_WAIT))?;
    // Read the A-ASSOCIATE-RQ first: closing with it unread would reset the connection and
    // the peer might never see the rejection.
    let mut header = [0u8; 6];
    stream.read_exact(&mut header)?;
    let len = u32::from_be_bytes([header[2], header[3], header[4], header[5]]);
    io::copy(
        &mut (&mut stream).take(u64::from(len.min(64 * 1024))),
        &mut io::sink(),
    )?;
    let mut pdu = Vec::with_capacity(10);
    let rj = Pdu::AssociationRJ(AssociationRJ {
        result: AssociationRJResult::Transient,
        source: AssociationRJSource::ServiceProviderPresentation(
            AssociationRJServiceProviderPresentationReason::LocalLimitExceeded,
        ),
    });
    dicom_ul::write_pdu(&mut pdu, &rj).map_err(io::Error::other)?;
    stream.write_all(&pdu)?;
    stream.shutdown(Shutdown::Write)?;
    // Wait for the peer to close so that our last bytes are not lost to a reset.
    io::copy(&mut (&mut stream).take(64 * 1024), &mut io::sink())?;
    Ok(())
}
