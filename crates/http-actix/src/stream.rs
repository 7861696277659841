//! Bridges between actix's async bodies and the blob store's blocking reads and writes.
//!
//! A request body (or one multipart part) is handed chunk by chunk over a bounded channel to a
//! blocking thread that reads it as a [`Read`]; a stored blob is read on a blocking thread and
//! handed chunk by chunk to the response. Neither holds a whole file in memory.

use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::web::Bytes;
use futures_core::Stream;
use tokio::sync::mpsc;

/// Chunks in flight between the HTTP side and a blocking reader or writer.
pub(crate) const CHUNKS_IN_FLIGHT: usize = 8;
/// Bytes read from a blob per chunk of a response.
const READ_CHUNK: usize = 64 * 1024;

/// A body as a blocking reader sees it: chunks handed over from the HTTP side.
pub(crate) struct ChannelReader {
    chunks: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    current: Bytes,
}

impl ChannelReader {
    /// A reader and the sender the HTTP side feeds it through; dropping the sender ends the body.
    pub(crate) fn channel() -> (mpsc::Sender<Result<Bytes, std::io::Error>>, ChannelReader) {
        let (sender, chunks) = mpsc::channel(CHUNKS_IN_FLIGHT);
        (
            sender,
            ChannelReader {
                chunks,
                current: Bytes::new(),
            },
        )
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// A blob read on a blocking thread, as a response body.
pub(crate) struct ReaderStream {
    chunks: mpsc::Receiver<Result<Bytes, std::io::Error>>,
}

impl ReaderStream {
    /// Starts reading `reader` on a blocking thread; reading stops when the client goes away.
    pub(crate) fn new(mut reader: Box<dyn Read + Send>) -> Self {
        let (sender, chunks) = mpsc::channel(CHUNKS_IN_FLIGHT);
        actix_web::rt::task::spawn_blocking(move || {
            let mut buf = vec![0u8; READ_CHUNK];
            loop {
                let item = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => Ok(Bytes::copy_from_slice(&buf[..n])),
                    Err(e) => Err(e),
                };
                let failed = item.is_err();
                if sender.blocking_send(item).is_err() || failed {
                    break;
                }
            }
        });
        Self { chunks }
    }
}

impl Stream for ReaderStream {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.chunks.poll_recv(cx)
    }
}
