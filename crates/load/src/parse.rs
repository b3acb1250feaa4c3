//! The minimal HTTP/1.1 response parser: the head with `httparse`, the body framed by
//! `Content-Length`, chunked transfer coding, or the end of the connection.

/// How many header lines a response may have.
const MAX_HEADERS: usize = 64;

/// A malformed response; the message says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub &'static str);

/// How the body of a response is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body (HEAD, 1xx, 204, 304).
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
    /// Everything until the server closes the connection.
    UntilClose,
}

/// A parsed response head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    /// Status code.
    pub status: u16,
    /// How the body is delimited.
    pub framing: Framing,
    /// Whether the connection must be closed after this response.
    pub close: bool,
    /// Length of the head in bytes, including the blank line.
    pub len: usize,
}

impl Head {
    /// A 1xx response other than 101: another head follows.
    pub fn is_interim(&self) -> bool {
        (100..200).contains(&self.status) && self.status != 101
    }
}

/// Parses a response head from the start of `buf`; `None` when more bytes are needed.
pub(crate) fn parse_head(buf: &[u8], head_request: bool) -> Result<Option<Head>, Malformed> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(Malformed("too many header lines")),
        Err(_) => return Err(Malformed("invalid response head")),
    };
    let status = response.code.ok_or(Malformed("no status code"))?;
    let http10 = response.version == Some(0);
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut close = http10;
    for header in response.headers.iter() {
        let name = header.name;
        if name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or(Malformed("invalid Content-Length"))?;
            if length.is_some_and(|l| l != value) {
                return Err(Malformed("conflicting Content-Length headers"));
            }
            length = Some(value);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // The last coding decides; anything else than chunked last means "until close".
            chunked = header
                .value
                .split(|b| *b == b',')
                .next_back()
                .is_some_and(|c| c.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            if !chunked {
                length = None;
                close = true;
            }
        } else if name.eq_ignore_ascii_case("connection") {
            for token in header.value.split(|b| *b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") && http10 {
                    close = false;
                }
            }
        }
    }
    let framing = if head_request || (100..200).contains(&status) || status == 204 || status == 304
    {
        Framing::Empty
    } else if chunked {
        // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3).
        Framing::Chunked
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        close = true;
        Framing::UntilClose
    };
    Ok(Some(Head {
        status,
        framing,
        close,
        len,
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    /// Reading the hex size; `ext` once past it (extensions or whitespace).
    Size { value: u64, digits: u8, ext: bool },
    /// After the size line's CR.
    SizeLf { value: u64 },
    /// Inside chunk data.
    Data(u64),
    /// After chunk data, expecting CR.
    DataCr,
    /// After chunk data, expecting LF.
    DataLf,
    /// In the trailer section; `line_start` when at the start of a line.
    Trailer { line_start: bool },
    /// After a CR in the trailer section.
    TrailerLf { line_start: bool },
    /// The final CRLF was read.
    Done,
}

/// An incremental decoder of the chunked transfer coding.
#[derive(Debug, Clone)]
pub(crate) struct ChunkedDecoder {
    state: ChunkState,
}

impl ChunkedDecoder {
    const START: ChunkState = ChunkState::Size {
        value: 0,
        digits: 0,
        ext: false,
    };

    /// A decoder at the start of a body.
    pub fn new() -> Self {
        Self { state: Self::START }
    }

    /// Whether the whole body, trailers included, was read.
    pub fn is_done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Consumes bytes from `input`, appending decoded data to `out` when given. Returns
    /// how many bytes were consumed: all of `input`, or fewer when the body ended.
    pub fn feed(
        &mut self,
        input: &[u8],
        mut out: Option<&mut Vec<u8>>,
    ) -> Result<usize, Malformed> {
        let mut i = 0;
        while i < input.len() && !self.is_done() {
            if let ChunkState::Data(remaining) = self.state {
                let n = usize::try_from(remaining)
                    .unwrap_or(usize::MAX)
                    .min(input.len() - i);
                if let Some(out) = out.as_deref_mut() {
                    out.extend_from_slice(&input[i..i + n]);
                }
                i += n;
                let left = remaining - n as u64;
                self.state = if left == 0 {
                    ChunkState::DataCr
                } else {
                    ChunkState::Data(left)
                };
                continue;
            }
            let b = input[i];
            i += 1;
            self.state = match self.state {
                ChunkState::Size { value, digits, ext } => match b {
                    b'\r' if digits == 0 => return Err(Malformed("empty chunk size")),
                    b'\r' => ChunkState::SizeLf { value },
                    _ if ext => ChunkState::Size { value, digits, ext },
                    b';' | b' ' | b'\t' if digits > 0 => ChunkState::Size {
                        value,
                        digits,
                        ext: true,
                    },
                    _ => {
                        let d = (b as char)
                            .to_digit(16)
                            .ok_or(Malformed("invalid chunk size"))?;
                        if digits >= 15 {
                            return Err(Malformed("chunk size too large"));
                        }
                        ChunkState::Size {
                            value: value * 16 + u64::from(d),
                            digits: digits + 1,
                            ext: false,
                        }
                    }
                },
                ChunkState::SizeLf { value } => {
                    if b != b'\n' {
                        return Err(Malformed("chunk size line not ended by CRLF"));
                    }
                    if value == 0 {
                        ChunkState::Trailer { line_start: true }
                    } else {
                        ChunkState::Data(value)
                    }
                }
                ChunkState::DataCr if b == b'\r' => ChunkState::DataLf,
                ChunkState::DataLf if b == b'\n' => Self::START,
                ChunkState::DataCr | ChunkState::DataLf => {
                    return Err(Malformed("chunk data not followed by CRLF"));
                }
                ChunkState::Trailer { line_start } => {
                    if b == b'\r' {
                        ChunkState::TrailerLf { line_start }
                    } else {
                        ChunkState::Trailer { line_start: false }
                    }
                }
                ChunkState::TrailerLf { line_start } => {
                    if b != b'\n' {
                        return Err(Malformed("trailer line not ended by CRLF"));
                    }
                    if line_start {
                        ChunkState::Done
                    } else {
                        ChunkState::Trailer { line_start: true }
                    }
                }
                ChunkState::Data(_) | ChunkState::Done => unreachable!("handled above"),
            };
        }
        Ok(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &str) -> Head {
        parse_head(raw.as_bytes(), false).unwrap().unwrap()
    }

    #[test]
    fn content_length_and_keep_alive() {
        let raw = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong";
        let h = head(raw);
        assert_eq!(h.status, 200);
        assert_eq!(h.framing, Framing::Length(4));
        assert!(!h.close);
        assert_eq!(&raw[h.len..], "pong");
    }

    #[test]
    fn partial_heads_need_more_bytes() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n";
        for end in 0..raw.len() {
            assert_eq!(parse_head(&raw[..end], false), Ok(None), "at {end}");
        }
    }

    #[test]
    fn chunked_wins_over_content_length() {
        let h = head(
            "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n",
        );
        assert_eq!(h.framing, Framing::Chunked);
        assert!(!h.close);
    }

    #[test]
    fn connection_close_and_http10() {
        assert!(head("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").close);
        assert!(head("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").close);
        assert!(
            !head("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").close
        );
    }

    #[test]
    fn no_length_means_until_close() {
        let h = head("HTTP/1.1 200 OK\r\n\r\nbody");
        assert_eq!(h.framing, Framing::UntilClose);
        assert!(h.close);
    }

    #[test]
    fn bodiless_responses() {
        assert_eq!(
            head("HTTP/1.1 204 No Content\r\n\r\n").framing,
            Framing::Empty
        );
        assert_eq!(
            head("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").framing,
            Framing::Empty
        );
        let h = head("HTTP/1.1 100 Continue\r\n\r\n");
        assert!(h.is_interim());
        let for_head = parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true);
        assert_eq!(for_head.unwrap().unwrap().framing, Framing::Empty);
    }

    #[test]
    fn malformed_heads() {
        for raw in [
            "HTTX/1.1 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        ] {
            assert!(parse_head(raw.as_bytes(), false).is_err(), "{raw:?}");
        }
    }

    const CHUNKED: &[u8] = b"4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n\r\nNEXT";

    #[test]
    fn chunked_body_in_one_piece() {
        let mut d = ChunkedDecoder::new();
        let mut out = Vec::new();
        let used = d.feed(CHUNKED, Some(&mut out)).unwrap();
        assert!(d.is_done());
        assert_eq!(out, b"Wikipedia in\r\n\r\nchunks.");
        assert_eq!(&CHUNKED[used..], b"NEXT");
    }

    #[test]
    fn chunked_body_byte_by_byte() {
        let mut d = ChunkedDecoder::new();
        let mut out = Vec::new();
        let mut used = 0;
        while !d.is_done() {
            used += d.feed(&CHUNKED[used..used + 1], Some(&mut out)).unwrap();
        }
        assert_eq!(out, b"Wikipedia in\r\n\r\nchunks.");
        assert_eq!(&CHUNKED[used..], b"NEXT");
    }

    #[test]
    fn chunked_body_at_every_split_point() {
        let body_len = CHUNKED.len() - b"NEXT".len();
        for split in 0..=body_len {
            let mut d = ChunkedDecoder::new();
            let mut out = Vec::new();
            let first = d.feed(&CHUNKED[..split], Some(&mut out)).unwrap();
            assert_eq!(first, split);
            let second = d.feed(&CHUNKED[split..], Some(&mut out)).unwrap();
            assert!(d.is_done(), "split at {split}");
            assert_eq!(out, b"Wikipedia in\r\n\r\nchunks.", "split at {split}");
            assert_eq!(&CHUNKED[split + second..], b"NEXT");
        }
    }

    #[test]
    fn empty_chunked_body_without_collecting() {
        let mut d = ChunkedDecoder::new();
        assert_eq!(d.feed(b"0\r\n\r\n", None), Ok(5));
        assert!(d.is_done());
    }

    #[test]
    fn malformed_chunked_bodies() {
        for raw in [
            &b"x\r\n"[..],
            b"\r\n",
            b"4\r\nWikiX\r\n",
            b"4\nWiki",
            b"1111111111111111\r\n",
            b"0\r\n\rX",
        ] {
            let mut d = ChunkedDecoder::new();
            assert!(
                d.feed(raw, None).is_err(),
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
    }
}
