//! One association, from the A-ASSOCIATE-AC to the release or the abort: PDVs stitched into
//! messages, each message answered.

use std::io::ErrorKind;
use std::net::TcpStream;
use std::os::linux::net::TcpStreamExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use dicom_ul::association::{Association, ServerAssociation};
use dicom_ul::pdu::{PDataValue, PDataValueType, Pdu, PresentationContextResultReason};
use tracing::{debug, info, warn};

use crate::accept::Shared;
use crate::command::{self, Command, Response, field, status};
use crate::find::{self, Refusal};
use crate::sop_classes;
use crate::store::{Spool, Spooled};
use crate::{Error, StoreOutcome};

/// A command set is a few hundred bytes; more is not a command.
const MAX_COMMAND: usize = 64 * 1024;
/// Bytes of a PDV item's header inside a P-DATA-TF PDU (length, context id, control).
const PDV_HEADER: usize = 6;

/// Serves one accepted connection until it ends; never returns an error (it is logged).
pub(crate) fn serve(stream: TcpStream, shared: &Shared) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "unknown".to_owned(), |a| a.to_string());
    let started = Instant::now();
    // Quick acknowledgements from the first read: a sender with Nagle on (DCMTK by default)
    // otherwise waits ~40 ms on each delayed ACK.
    if let Err(e) = stream
        .set_nodelay(true)
        .and_then(|()| stream.set_quickack(true))
    {
        debug!(%peer, error = %e, "socket options");
    }
    let assoc = match shared.options.establish(stream) {
        Ok(assoc) => assoc,
        Err(e) => {
            info!(%peer, error = %e, "association not established");
            return;
        }
    };
    let calling_ae = assoc.peer_ae_title().to_owned();
    let contexts = assoc
        .presentation_contexts()
        .iter()
        .filter(|pc| pc.reason == PresentationContextResultReason::Acceptance)
        .map(|pc| Context {
            id: pc.id,
            abstract_syntax: pc.abstract_syntax.clone(),
            transfer_syntax: pc.transfer_syntax.clone(),
        })
        .collect();
    info!(%peer, calling_ae = %calling_ae, "association established");
    let mut session = Session {
        assoc,
        shared,
        calling_ae,
        contexts,
        deadline: started + shared.config.association_timeout,
        timeout_set: None,
        state: State::idle(),
        stored: 0,
    };
    match session.run() {
        Ok(end) => {
            info!(%peer, calling_ae = %session.calling_ae, stored = session.stored, ?end, "association ended")
        }
        Err(Error::PeerAborted) => {
            info!(%peer, calling_ae = %session.calling_ae, "association aborted by the peer");
        }
        Err(e) => {
            warn!(%peer, calling_ae = %session.calling_ae, error = %e, "aborting association");
            if let Err(e) = session.assoc.abort() {
                debug!(%peer, error = %e, "abort not delivered");
            }
        }
    }
}

/// An accepted presentation context.
#[derive(Debug)]
struct Context {
    id: u8,
    abstract_syntax: String,
    transfer_syntax: String,
}

/// How an association ended without error.
#[derive(Debug)]
enum End {
    Released,
}

/// Where the next PDV goes.
#[derive(Debug)]
enum State {
    /// Between messages, or inside a command set.
    Command { context: Option<u8>, bytes: Vec<u8> },
    /// Inside a message's data set.
    Data {
        context: u8,
        command: Command,
        sink: Sink,
    },
}

impl State {
    fn idle() -> State {
        State::Command {
            context: None,
            bytes: Vec::new(),
        }
    }
}

/// What a data set is received into.
#[derive(Debug)]
enum Sink {
    Store(Spool),
    Find {
        bytes: Vec<u8>,
        too_large: bool,
    },
    /// A data set the listener will not use; the answer is already decided.
    Discard {
        status: u16,
        comment: String,
    },
}

struct Session<'a> {
    assoc: ServerAssociation<TcpStream>,
    shared: &'a Shared,
    calling_ae: String,
    contexts: Vec<Context>,
    deadline: Instant,
    timeout_set: Option<Duration>,
    state: State,
    stored: u64,
}

impl Session<'_> {
    fn run(&mut self) -> Result<End, Error> {
        loop {
            match self.receive()? {
                Pdu::PData { data } => {
                    for pdv in data {
                        self.on_pdv(pdv)?;
                    }
                }
                Pdu::ReleaseRQ => {
                    if !matches!(&self.state, State::Command { bytes, .. } if bytes.is_empty()) {
                        return Err(Error::Protocol("release requested inside a message".into()));
                    }
                    self.assoc.send(&Pdu::ReleaseRP)?;
                    return Ok(End::Released);
                }
                Pdu::AbortRQ { .. } => return Err(Error::PeerAborted),
                other => {
                    return Err(Error::Protocol(format!(
                        "unexpected {}",
                        other.short_description()
                    )));
                }
            }
        }
    }

    /// The next PDU, within the silence allowed and the association's deadline.
    fn receive(&mut self) -> Result<Pdu, Error> {
        if self.shared.is_stopping() {
            return Err(Error::Stopping);
        }
        let left = self
            .deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or(Error::Deadline)?;
        let wait = left.min(self.shared.config.read_timeout);
        let stream = self.assoc.inner_stream();
        if self.timeout_set != Some(wait) {
            stream.set_read_timeout(Some(wait))?;
            self.timeout_set = Some(wait);
        }
        // The kernel turns quick acknowledgements off again by itself: ask before each read.
        if let Err(e) = stream.set_quickack(true) {
            debug!(error = %e, "quickack");
        }
        self.assoc.receive().map_err(|e| {
            if Instant::now() >= self.deadline {
                Error::Deadline
            } else {
                Error::Ul(e)
            }
        })
    }

    fn context(&self, id: u8) -> Result<&Context, Error> {
        self.contexts
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::Protocol(format!("presentation context {id} not accepted")))
    }

    fn on_pdv(&mut self, pdv: PDataValue) -> Result<(), Error> {
        let id = pdv.presentation_context_id;
        self.context(id)?;
        match (&mut self.state, pdv.value_type) {
            (State::Command { context, bytes }, PDataValueType::Command) => {
                if context.is_some_and(|c| c != id) {
                    return Err(Error::Protocol("command fragments on two contexts".into()));
                }
                if bytes.len() + pdv.data.len() > MAX_COMMAND {
                    return Err(Error::Protocol("command set too large".into()));
                }
                *context = Some(id);
                bytes.extend_from_slice(&pdv.data);
                if pdv.is_last {
                    let bytes = std::mem::take(bytes);
                    self.state = State::idle();
                    self.on_command(id, &bytes)?;
                }
                Ok(())
            }
            (State::Data { context, sink, .. }, PDataValueType::Data) => {
                if *context != id {
                    return Err(Error::Protocol("data fragments on two contexts".into()));
                }
                match sink {
                    Sink::Store(spool) => spool.push(&pdv.data)?,
                    Sink::Find { bytes, too_large } => {
                        if bytes.len() + pdv.data.len() > find::MAX_IDENTIFIER {
                            *too_large = true;
                            *bytes = Vec::new();
                        } else if !*too_large {
                            bytes.extend_from_slice(&pdv.data);
                        }
                    }
                    Sink::Discard { .. } => {}
                }
                if pdv.is_last
                    && let State::Data {
                        context,
                        command,
                        sink,
                    } = std::mem::replace(&mut self.state, State::idle())
                {
                    self.on_message(context, &command, sink)?;
                }
                Ok(())
            }
            (State::Command { .. }, PDataValueType::Data) => Err(Error::Protocol(
                "data set fragment without a command".into(),
            )),
            (State::Data { .. }, PDataValueType::Command) => {
                Err(Error::Protocol("command fragment inside a data set".into()))
            }
        }
    }

    fn on_command(&mut self, context_id: u8, bytes: &[u8]) -> Result<(), Error> {
        let command = command::parse(bytes).map_err(Error::Protocol)?;
        debug!(field = command.field, message_id = ?command.message_id, "command");
        if command.field == field::C_CANCEL_RQ {
            // Nothing is in progress between messages: the cancel came too late to matter.
            return Ok(());
        }
        let context = self.context(context_id)?;
        let abstract_syntax = context.abstract_syntax.as_str();
        if !command.has_data_set {
            let (status, comment) = match command.field {
                field::C_ECHO_RQ if abstract_syntax == sop_classes::VERIFICATION => {
                    (status::SUCCESS, None)
                }
                field::C_STORE_RQ | field::C_FIND_RQ => (
                    status::CANNOT_UNDERSTAND,
                    Some("the request has no data set"),
                ),
                _ => (
                    status::UNRECOGNIZED_OPERATION,
                    Some("operation not supported on this presentation context"),
                ),
            };
            return self.respond(context_id, &command, status, comment, None);
        }
        let sink = match command.field {
            field::C_STORE_RQ if sop_classes::STORAGE.contains(&abstract_syntax) => {
                if command.sop_class != abstract_syntax {
                    Sink::Discard {
                        status: 0x0122,
                        comment: "SOP class differs from the presentation context's".into(),
                    }
                } else {
                    match Spool::start(
                        &command.sop_class,
                        &command.sop_instance,
                        &context.transfer_syntax,
                        &self.calling_ae,
                        self.shared.config.max_instance_bytes,
                    ) {
                        Ok(spool) => Sink::Store(spool),
                        Err(e) => {
                            warn!(error = %e, "cannot start a spool");
                            Sink::Discard {
                                status: status::OUT_OF_RESOURCES,
                                comment: "cannot buffer the instance".into(),
                            }
                        }
                    }
                }
            }
            field::C_FIND_RQ if abstract_syntax == sop_classes::MODALITY_WORKLIST_FIND => {
                Sink::Find {
                    bytes: Vec::new(),
                    too_large: false,
                }
            }
            _ => Sink::Discard {
                status: status::UNRECOGNIZED_OPERATION,
                comment: "operation not supported on this presentation context".into(),
            },
        };
        self.state = State::Data {
            context: context_id,
            command,
            sink,
        };
        Ok(())
    }

    fn on_message(&mut self, context: u8, command: &Command, sink: Sink) -> Result<(), Error> {
        match sink {
            Sink::Discard { status, comment } => {
                self.respond(context, command, status, Some(&comment), None)
            }
            Sink::Find {
                too_large: true, ..
            } => self.respond(
                context,
                command,
                status::OUT_OF_RESOURCES,
                Some("identifier too large"),
                None,
            ),
            Sink::Find { bytes, .. } => self.find(context, command, &bytes),
            Sink::Store(spool) => self.store(context, command, spool),
        }
    }

    fn store(&mut self, context: u8, command: &Command, spool: Spool) -> Result<(), Error> {
        let limit = self.shared.config.max_instance_bytes;
        let (mut file, size) = match spool.finish()? {
            Spooled::File { file, size } => (file, size),
            Spooled::TooLarge { received } => {
                warn!(sop_instance = %command.sop_instance, received, limit, "instance over the limit");
                let comment = format!("data set of {received} bytes over the limit of {limit}");
                return self.respond(
                    context,
                    command,
                    status::OUT_OF_RESOURCES,
                    Some(&comment),
                    None,
                );
            }
        };
        let handler = &self.shared.handler;
        let calling_ae = self.calling_ae.as_str();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            handler.store(calling_ae, &mut file, size)
        }))
        .unwrap_or_else(|_| StoreOutcome::Failed {
            comment: "the store failed".into(),
        });
        debug!(sop_instance = %command.sop_instance, size, ?outcome, "C-STORE");
        let (status, comment) = match outcome {
            StoreOutcome::Stored | StoreOutcome::Duplicate => {
                self.stored += 1;
                (status::SUCCESS, None)
            }
            StoreOutcome::Refused { status, comment } => (status, Some(comment)),
            StoreOutcome::Failed { comment } => (status::PROCESSING_FAILURE, Some(comment)),
        };
        self.respond(context, command, status, comment.as_deref(), None)
    }

    fn find(&mut self, context_id: u8, command: &Command, bytes: &[u8]) -> Result<(), Error> {
        let transfer_syntax = self.context(context_id)?.transfer_syntax.clone();
        let refused = |refusal: Refusal| match refusal {
            Refusal::Unreadable(c) => (status::CANNOT_UNDERSTAND, c),
            Refusal::BadKey(c) => (status::IDENTIFIER_DOES_NOT_MATCH, c),
        };
        let identifier = match find::read_identifier(bytes, &transfer_syntax) {
            Ok(identifier) => identifier,
            Err(refusal) => {
                let (status, comment) = refused(refusal);
                return self.respond(context_id, command, status, Some(&comment), None);
            }
        };
        let query = match find::query(&identifier) {
            Ok(query) => query,
            Err(refusal) => {
                let (status, comment) = refused(refusal);
                return self.respond(context_id, command, status, Some(&comment), None);
            }
        };
        let handler = &self.shared.handler;
        let calling_ae = self.calling_ae.as_str();
        let entries = catch_unwind(AssertUnwindSafe(|| handler.worklist(calling_ae, &query)))
            .unwrap_or_else(|_| Err("the worklist failed".into()));
        let entries = match entries {
            Ok(entries) => entries,
            Err(comment) => {
                warn!(error = %comment, "worklist");
                return self.respond(
                    context_id,
                    command,
                    status::PROCESSING_FAILURE,
                    Some(&comment),
                    None,
                );
            }
        };
        debug!(?query, matches = entries.len(), "C-FIND");
        for entry in &entries {
            if self.cancel_requested()? {
                return self.respond(context_id, command, status::CANCEL, None, None);
            }
            let answer = find::encode(&find::answer(&identifier, entry), &transfer_syntax);
            match answer {
                Ok(data) => {
                    self.respond(context_id, command, status::PENDING, None, Some(&data))?;
                }
                Err(e) => {
                    warn!(error = %e, "cannot encode a worklist answer");
                    return self.respond(
                        context_id,
                        command,
                        status::PROCESSING_FAILURE,
                        Some("cannot encode the answer"),
                        None,
                    );
                }
            }
        }
        self.respond(context_id, command, status::SUCCESS, None, None)
    }

    /// Whether the peer sent a C-CANCEL while answers were going out; anything else it may
    /// have sent then is a protocol error.
    fn cancel_requested(&mut self) -> Result<bool, Error> {
        let stream = self.assoc.inner_stream();
        stream.set_nonblocking(true)?;
        let probe = stream.peek(&mut [0u8; 1]);
        stream.set_nonblocking(false)?;
        match probe {
            Ok(0) => return Err(Error::Protocol("connection closed during a C-FIND".into())),
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let mut bytes = Vec::new();
        loop {
            let data = match self.receive()? {
                Pdu::PData { data } => data,
                Pdu::AbortRQ { .. } => return Err(Error::PeerAborted),
                other => {
                    return Err(Error::Protocol(format!(
                        "{} during a C-FIND",
                        other.short_description()
                    )));
                }
            };
            for pdv in data {
                if pdv.value_type != PDataValueType::Command || bytes.len() > MAX_COMMAND {
                    return Err(Error::Protocol(
                        "a message other than C-CANCEL during a C-FIND".into(),
                    ));
                }
                bytes.extend_from_slice(&pdv.data);
                if pdv.is_last {
                    let command = command::parse(&bytes).map_err(Error::Protocol)?;
                    if command.field != field::C_CANCEL_RQ {
                        return Err(Error::Protocol(
                            "a message other than C-CANCEL during a C-FIND".into(),
                        ));
                    }
                    return Ok(true);
                }
            }
        }
    }

    fn respond(
        &mut self,
        context: u8,
        request: &Command,
        status: u16,
        comment: Option<&str>,
        data: Option<&[u8]>,
    ) -> Result<(), Error> {
        let command = Response {
            request,
            status,
            has_data_set: data.is_some(),
            comment,
        }
        .encode();
        self.send(context, PDataValueType::Command, &command)?;
        if let Some(data) = data {
            self.send(context, PDataValueType::Data, data)?;
        }
        Ok(())
    }

    /// Sends a command or data set as PDVs no larger than the peer takes, each of an even
    /// length (DCMTK refuses odd fragments).
    fn send(&mut self, context: u8, value_type: PDataValueType, bytes: &[u8]) -> Result<(), Error> {
        let room =
            ((self.assoc.peer_max_pdu_length() as usize).saturating_sub(PDV_HEADER) & !1).max(2);
        let mut chunks = bytes.chunks(room).peekable();
        if chunks.peek().is_none() {
            return self.send_pdv(context, value_type, true, Vec::new());
        }
        while let Some(chunk) = chunks.next() {
            let is_last = chunks.peek().is_none();
            self.send_pdv(context, value_type.clone(), is_last, chunk.to_vec())?;
        }
        Ok(())
    }

    fn send_pdv(
        &mut self,
        context: u8,
        value_type: PDataValueType,
        is_last: bool,
        data: Vec<u8>,
    ) -> Result<(), Error> {
        let pdv = PDataValue {
            presentation_context_id: context,
            value_type,
            is_last,
            data,
        };
        self.assoc.send(&Pdu::PData { data: vec![pdv] })?;
        Ok(())
    }
}
