//! One keep-alive HTTP/1.1 connection: write the pre-rendered request (or a pipelined
//! batch of them), read the responses one by one.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::parse::{ChunkedDecoder, Framing, Malformed, parse_head};

/// Initial read buffer size.
const INITIAL_BUF: usize = 16 * 1024;
/// The buffer grows only to hold a response head; past this the response is rejected.
const MAX_BUF: usize = 1024 * 1024;

/// Why an exchange failed after the connection was open.
#[derive(Debug)]
pub(crate) enum ExchangeError {
    /// Reading or writing failed (reset, broken pipe…).
    Io,
    /// The server closed the connection before the response was complete.
    Closed,
    /// The response could not be parsed.
    Malformed,
}

impl From<io::Error> for ExchangeError {
    fn from(_: io::Error) -> Self {
        Self::Io
    }
}

impl From<Malformed> for ExchangeError {
    fn from(_: Malformed) -> Self {
        Self::Malformed
    }
}

/// A complete response.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Response {
    /// Status code.
    pub status: u16,
    /// The connection cannot be reused.
    pub close: bool,
}

/// An open connection and its read buffer (`buf[start..end]` is unread data).
#[derive(Debug)]
pub(crate) struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    bytes: u64,
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: vec![0; INITIAL_BUF],
            start: 0,
            end: 0,
            bytes: 0,
        })
    }

    /// Bytes read since the last call.
    pub fn take_bytes(&mut self) -> u64 {
        std::mem::take(&mut self.bytes)
    }

    /// Reads more bytes into the buffer; `Closed` at end of stream.
    async fn fill(&mut self) -> Result<(), ExchangeError> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else if self.buf.len() >= MAX_BUF {
                return Err(Malformed("response head larger than 1 MiB").into());
            } else {
                self.buf.resize(self.buf.len() * 2, 0);
            }
        }
        let n = self.stream.read(&mut self.buf[self.end..]).await?;
        if n == 0 {
            return Err(ExchangeError::Closed);
        }
        self.end += n;
        self.bytes += n as u64;
        Ok(())
    }

    /// Takes up to `max` buffered bytes, appending them to `body` when given.
    fn consume(&mut self, max: u64, body: Option<&mut Vec<u8>>) -> u64 {
        let avail = (self.end - self.start) as u64;
        let take = avail.min(max) as usize;
        if let Some(body) = body {
            body.extend_from_slice(&self.buf[self.start..self.start + take]);
        }
        self.start += take;
        take as u64
    }

    /// Sends `request` and reads one complete response; the body is appended to `body`
    /// when given (decoded, for chunked responses) and skipped otherwise.
    pub async fn exchange(
        &mut self,
        request: &[u8],
        head_request: bool,
        body: Option<&mut Vec<u8>>,
    ) -> Result<Response, ExchangeError> {
        self.write(request).await?;
        self.read_response(head_request, body, true).await
    }

    /// Sends `requests` (one request, or several back to back when pipelining) in one
    /// write.
    pub async fn write(&mut self, requests: &[u8]) -> Result<(), ExchangeError> {
        // The socket's send buffer almost always has room: write at once, without the
        // readiness and budget bookkeeping of `write_all`, which takes over only for
        // what is left when it had not.
        let written = match self.stream.try_write(requests) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                0
            }
            Err(e) => return Err(e.into()),
        };
        if written < requests.len() {
            self.stream.write_all(&requests[written..]).await?;
        }
        Ok(())
    }

    /// Reads one complete response without writing anything; the body is appended to
    /// `body` when given (decoded, for chunked responses) and skipped otherwise.
    ///
    /// With `last`, no further response is awaited on this connection for now: bytes
    /// already buffered beyond this response were not asked for, so the connection's
    /// state is unknown and the response is marked `close`. Without it (more pipelined
    /// responses are due), such bytes are the start of the next response.
    pub async fn read_response(
        &mut self,
        head_request: bool,
        mut body: Option<&mut Vec<u8>>,
        last: bool,
    ) -> Result<Response, ExchangeError> {
        let head = loop {
            // Nothing buffered (the usual case right after a write): there is nothing to
            // parse yet, so read first.
            if self.start == self.end {
                self.fill().await?;
            }
            match parse_head(&self.buf[self.start..self.end], head_request)? {
                Some(head) => {
                    self.start += head.len;
                    if !head.is_interim() {
                        break head;
                    }
                }
                None => self.fill().await?,
            }
        };
        let mut close = head.close;
        match head.framing {
            Framing::Empty => {}
            Framing::Length(mut left) => loop {
                left -= self.consume(left, body.as_deref_mut());
                if left == 0 {
                    break;
                }
                self.fill().await?;
            },
            Framing::Chunked => {
                let mut decoder = ChunkedDecoder::new();
                loop {
                    let used =
                        decoder.feed(&self.buf[self.start..self.end], body.as_deref_mut())?;
                    self.start += used;
                    if decoder.is_done() {
                        break;
                    }
                    self.fill().await?;
                }
            }
            Framing::UntilClose => loop {
                self.consume(u64::MAX, body.as_deref_mut());
                match self.fill().await {
                    Ok(()) => {}
                    Err(ExchangeError::Closed) => break,
                    Err(e) => return Err(e),
                }
            },
        }
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if last {
            // Bytes nobody asked for: the connection's state is unknown, start afresh.
            close = true;
        }
        Ok(Response {
            status: head.status,
            close,
        })
    }
}
