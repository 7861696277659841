//! The S3 client is asynchronous and the [`BlobStore`](domain::kernel::blob::BlobStore) port is
//! not: callers are blocking threads (actix's `web::block`, listener threads), sometimes threads
//! that belong to some other tokio runtime, where `Runtime::block_on` would panic. So the store
//! owns a small runtime of its own, spawns each operation on it and waits on a plain channel,
//! which works from any thread.

use std::future::Future;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc;

use bytes::Bytes;
use domain::{Error, Result};
use futures_core::Stream;
use tokio::runtime::{Handle, Runtime};

/// Worker threads of the store's runtime: requests wait on the network, not on the CPU.
const WORKERS: usize = 2;

/// Owns the runtime; shuts it down without waiting, because dropping a runtime waits for its
/// tasks and panics when that happens inside another runtime (a test's, actix's).
#[derive(Debug)]
struct Owner(Option<Runtime>);

impl Drop for Owner {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A handle on the store's runtime; clones share it, and it stops when the last one goes.
#[derive(Debug, Clone)]
pub(crate) struct Bridge {
    handle: Handle,
    _owner: Arc<Owner>,
}

/// The outcome of an operation spawned on the runtime, to wait for later.
#[derive(Debug)]
pub(crate) struct Pending<T>(mpsc::Receiver<T>);

impl<T> Pending<T> {
    pub(crate) fn wait(self) -> Result<T> {
        // The sender goes away without sending only when the task was dropped: the runtime is
        // shutting down or the operation panicked.
        self.0
            .recv()
            .map_err(|_| Error::internal("the S3 client's runtime stopped"))
    }
}

impl Bridge {
    pub(crate) fn new() -> Result<Bridge> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .thread_name("blob-s3")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::Internal(domain::Cause::with_source(
                    "cannot start the S3 client's runtime",
                    e,
                ))
            })?;
        Ok(Bridge {
            handle: runtime.handle().clone(),
            _owner: Arc::new(Owner(Some(runtime))),
        })
    }

    /// Starts `operation` on the runtime; the caller goes on and waits when it needs the result.
    pub(crate) fn spawn<T, F>(&self, operation: F) -> Pending<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(1);
        self.handle.spawn(async move {
            // The waiter may have given up (its thread unwound); nobody is left to tell.
            let _ = tx.send(operation.await);
        });
        Pending(rx)
    }

    /// Runs `operation` on the runtime and waits for it.
    pub(crate) fn run<T, F>(&self, operation: F) -> Result<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.spawn(operation).wait()
    }
}

/// An object's bytes as the client streams them.
pub(crate) type ByteStream = Pin<Box<dyn Stream<Item = object_store::Result<Bytes>> + Send>>;

/// Reads an object's byte stream chunk by chunk, each chunk fetched through the runtime, so that
/// only one chunk of the object is ever in memory.
pub(crate) struct StreamReader {
    bridge: Bridge,
    /// `None` once the stream ended.
    stream: Option<ByteStream>,
    chunk: Bytes,
}

impl StreamReader {
    pub(crate) fn new(bridge: Bridge, stream: Option<ByteStream>) -> StreamReader {
        StreamReader {
            bridge,
            stream,
            chunk: Bytes::new(),
        }
    }

    /// The stream's next chunk; `None` at its end.
    fn next_chunk(&mut self) -> io::Result<Option<Bytes>> {
        let Some(mut stream) = self.stream.take() else {
            return Ok(None);
        };
        let (stream, next) = self
            .bridge
            .run(async move {
                let next = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await;
                (stream, next)
            })
            .map_err(|e| io::Error::other(e.chain()))?;
        match next {
            None => Ok(None),
            Some(Ok(chunk)) => {
                self.stream = Some(stream);
                Ok(Some(chunk))
            }
            Some(Err(e)) => Err(io::Error::other(e)),
        }
    }
}

impl Read for StreamReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.chunk.is_empty() {
            match self.next_chunk()? {
                Some(chunk) => self.chunk = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}
