//! The sans-IO, incremental decoder of `Content-Encoding: aws-chunked` request bodies.
//!
//! Owns the framing (`<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` ... final 0-size
//! chunk, optional trailer lines and an empty line) and the checks of the signature chain.
//! A signed chunk is buffered whole and verified before its data is emitted; sizes above
//! `max_chunk_size` are refused before any allocation. Unsigned chunks stream through.
//! Input may be split at any byte; after an error the decoder keeps returning it.
//!
//! Leniency, as real SDKs need: line ends `\n` or `\r\n`; a blank line directly after the
//! final chunk in trailer modes; trailers without the closing empty line (accepted by
//! [`ChunkedDecoder::finish`]); extra CR/LF after the end.

use bytes::Bytes;

use crate::crypto::signatures_equal;
use crate::{canonical_trailers, sha256_hex, ChunkError, ChunkSigner, STREAMING_PAYLOAD};
use crate::{STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_PAYLOAD_TRAILER};

/// Longest chunk-header or trailer line accepted (bytes).
const MAX_LINE: usize = 4096;
/// Most bytes reserved up front for a signed chunk; the buffer grows beyond as data arrives.
const RESERVE_CAP: u64 = 1 << 20;
/// Most trailer lines accepted.
const MAX_TRAILERS: usize = 64;

/// Which `aws-chunked` variant the body uses (from `x-amz-content-sha256`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailer.
    Signed,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer.
    SignedWithTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned chunks and an unsigned trailer.
    UnsignedWithTrailer,
}

impl ChunkMode {
    /// The mode named by an `x-amz-content-sha256` value, if it names one.
    pub fn from_content_sha256(value: &str) -> Option<Self> {
        match value {
            STREAMING_PAYLOAD => Some(Self::Signed),
            STREAMING_PAYLOAD_TRAILER => Some(Self::SignedWithTrailer),
            STREAMING_UNSIGNED_PAYLOAD_TRAILER => Some(Self::UnsignedWithTrailer),
            _ => None,
        }
    }

    fn signed(self) -> bool {
        self != Self::UnsignedWithTrailer
    }

    fn has_trailer(self) -> bool {
        self != Self::Signed
    }
}

/// What the decoder produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkEvent {
    /// Decoded (and, in signed modes, verified) body bytes.
    Data(Bytes),
    /// The trailer headers, names lowercased, values trimmed, in order (signature line
    /// excluded). Emitted once, in trailer modes only, after its signature verified.
    Trailers(Vec<(String, String)>),
    /// The body is complete.
    End,
}

#[derive(Debug)]
enum State {
    /// Reading a chunk-size line into `line`.
    Header,
    /// Reading `remaining` data bytes of a chunk.
    Data { remaining: u64 },
    /// Expecting the CR (or bare LF) after a chunk's data.
    DataCr,
    /// Expecting the LF after a CR.
    DataLf,
    /// Reading trailer lines into `line`.
    Trailers,
    /// Complete; only CR/LF may follow.
    Done,
    /// Failed; the error repeats.
    Failed(ChunkError),
}

/// Incremental `aws-chunked` decoder. Feed with [`push`](Self::push), end with
/// [`finish`](Self::finish).
#[derive(Debug)]
pub struct ChunkedDecoder {
    mode: ChunkMode,
    signer: Option<ChunkSigner>,
    max_chunk_size: u64,
    state: State,
    line: Vec<u8>,
    chunk: Vec<u8>,
    chunk_signature: String,
    previous_signature: String,
    last_chunk: bool,
    trailers: Vec<(String, String)>,
    trailer_signature: Option<String>,
    blank_after_last: bool,
}

fn malformed(message: &str) -> ChunkError {
    ChunkError::Malformed {
        message: message.to_owned(),
    }
}

impl ChunkedDecoder {
    /// A decoder for `mode`. Signed modes need the request's `signer` (from
    /// [`crate::Verified::chunk_signer`]); `max_chunk_size` bounds the bytes buffered for one
    /// signed chunk.
    pub fn new(
        mode: ChunkMode,
        signer: Option<ChunkSigner>,
        max_chunk_size: u64,
    ) -> Result<Self, ChunkError> {
        let previous_signature = match (&signer, mode.signed()) {
            (Some(s), true) => s.seed_signature.clone(),
            (None, true) => return Err(ChunkError::SignerRequired),
            (_, false) => String::new(),
        };
        Ok(Self {
            mode,
            signer,
            max_chunk_size,
            state: State::Header,
            line: Vec::new(),
            chunk: Vec::new(),
            chunk_signature: String::new(),
            previous_signature,
            last_chunk: false,
            trailers: Vec::new(),
            trailer_signature: None,
            blank_after_last: false,
        })
    }

    /// Feeds more bytes; returns the events they complete. Works with input split at any
    /// byte boundary.
    pub fn push(&mut self, input: &[u8]) -> Result<Vec<ChunkEvent>, ChunkError> {
        let mut events = Vec::new();
        self.guarded(|d| d.push_inner(input, &mut events))?;
        Ok(events)
    }

    /// Ends the body. Errors if the stream stopped before the final chunk (and trailers);
    /// returns the events that only the end of input completes (lenient endings).
    pub fn finish(&mut self) -> Result<Vec<ChunkEvent>, ChunkError> {
        let mut events = Vec::new();
        self.guarded(|d| d.finish_inner(&mut events))?;
        Ok(events)
    }

    fn guarded(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<(), ChunkError>,
    ) -> Result<(), ChunkError> {
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        f(self).inspect_err(|e| self.state = State::Failed(e.clone()))
    }

    fn push_inner(&mut self, input: &[u8], events: &mut Vec<ChunkEvent>) -> Result<(), ChunkError> {
        let mut rest = input;
        while let Some((&byte, after)) = rest.split_first() {
            match self.state {
                State::Header | State::Trailers => {
                    let (line_part, tail, complete) = match rest.iter().position(|&b| b == b'\n') {
                        Some(p) => (rest.get(..p).unwrap_or_default(), rest.get(p + 1..), true),
                        None => (rest, None, false),
                    };
                    if self.line.len() + line_part.len() > MAX_LINE {
                        return Err(malformed("line too long"));
                    }
                    self.line.extend_from_slice(line_part);
                    rest = tail.unwrap_or_default();
                    if complete {
                        let mut line = std::mem::take(&mut self.line);
                        if line.last() == Some(&b'\r') {
                            line.pop();
                        }
                        if matches!(self.state, State::Header) {
                            self.on_header_line(&line, events)?;
                        } else {
                            self.on_trailer_line(&line, events)?;
                        }
                    }
                }
                State::Data { remaining } => {
                    let available = u64::try_from(rest.len()).unwrap_or(u64::MAX);
                    let take = usize::try_from(remaining.min(available)).unwrap_or(rest.len());
                    let (data, tail) = rest.split_at_checked(take).unwrap_or((rest, &[]));
                    if self.mode.signed() {
                        self.chunk.extend_from_slice(data);
                    } else if !data.is_empty() {
                        events.push(ChunkEvent::Data(Bytes::copy_from_slice(data)));
                    }
                    rest = tail;
                    let remaining = remaining.saturating_sub(u64::try_from(take).unwrap_or(0));
                    self.state = State::Data { remaining };
                    if remaining == 0 {
                        self.end_of_data(events)?;
                    }
                }
                State::DataCr | State::DataLf => {
                    rest = after;
                    match (byte, matches!(self.state, State::DataCr)) {
                        (b'\r', true) => self.state = State::DataLf,
                        (b'\n', _) => self.after_chunk(events),
                        _ => return Err(malformed("expected CRLF after chunk data")),
                    }
                }
                State::Done => {
                    if byte != b'\r' && byte != b'\n' {
                        return Err(malformed("data after the end of the body"));
                    }
                    rest = after;
                }
                State::Failed(ref e) => return Err(e.clone()),
            }
        }
        Ok(())
    }

    fn on_header_line(
        &mut self,
        line: &[u8],
        events: &mut Vec<ChunkEvent>,
    ) -> Result<(), ChunkError> {
        let line = std::str::from_utf8(line).map_err(|_| malformed("chunk header is not UTF-8"))?;
        let mut parts = line.split(';');
        let size_hex = parts.next().unwrap_or_default().trim();
        if size_hex.is_empty()
            || size_hex.len() > 16
            || !size_hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(malformed("invalid chunk size"));
        }
        let size =
            u64::from_str_radix(size_hex, 16).map_err(|_| malformed("invalid chunk size"))?;
        let signature = parts
            .filter_map(|ext| ext.trim().split_once('='))
            .find(|(k, _)| k.trim() == "chunk-signature")
            .map(|(_, v)| v.trim().to_owned());
        if self.mode.signed() {
            self.chunk_signature = signature.ok_or_else(|| malformed("missing chunk-signature"))?;
            if size > self.max_chunk_size {
                return Err(ChunkError::TooLarge {
                    size,
                    max: self.max_chunk_size,
                });
            }
            self.chunk.clear();
            // Grow with the data actually received, never trusting the size up front.
            self.chunk
                .reserve(usize::try_from(size.min(RESERVE_CAP)).unwrap_or(0));
        }
        self.last_chunk = size == 0;
        self.state = State::Data { remaining: size };
        if size == 0 {
            self.end_of_data(events)?;
        }
        Ok(())
    }

    /// All data of the current chunk is in: verify and emit it (signed modes), then move on.
    fn end_of_data(&mut self, events: &mut Vec<ChunkEvent>) -> Result<(), ChunkError> {
        if let (Some(signer), true) = (&self.signer, self.mode.signed()) {
            let sts =
                signer.chunk_string_to_sign(&self.previous_signature, &sha256_hex(&self.chunk));
            if !signatures_equal(&signer.sign(&sts), &self.chunk_signature) {
                return Err(ChunkError::SignatureDoesNotMatch {
                    string_to_sign: sts,
                });
            }
            self.previous_signature = std::mem::take(&mut self.chunk_signature);
            if !self.chunk.is_empty() {
                events.push(ChunkEvent::Data(Bytes::from(std::mem::take(
                    &mut self.chunk,
                ))));
            }
        }
        self.state = if self.last_chunk && self.mode.has_trailer() {
            State::Trailers
        } else {
            State::DataCr
        };
        Ok(())
    }

    /// The CRLF after a chunk's data was read.
    fn after_chunk(&mut self, events: &mut Vec<ChunkEvent>) {
        if self.last_chunk {
            events.push(ChunkEvent::End);
            self.state = State::Done;
        } else {
            self.state = State::Header;
        }
    }

    fn on_trailer_line(
        &mut self,
        line: &[u8],
        events: &mut Vec<ChunkEvent>,
    ) -> Result<(), ChunkError> {
        if line.is_empty() {
            let nothing_yet = self.trailers.is_empty() && self.trailer_signature.is_none();
            if nothing_yet && !self.blank_after_last {
                // Either "no trailers" or a stray blank line before them: decided by what
                // follows, or by `finish`.
                self.blank_after_last = true;
                return Ok(());
            }
            return self.complete_trailers(events);
        }
        let line = std::str::from_utf8(line).map_err(|_| malformed("trailer is not UTF-8"))?;
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| malformed("trailer without ':'"))?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_owned());
        if name.is_empty() {
            return Err(malformed("empty trailer name"));
        }
        if name == "x-amz-trailer-signature" {
            if self.trailer_signature.replace(value).is_some() {
                return Err(malformed("x-amz-trailer-signature appears twice"));
            }
        } else if self.trailer_signature.is_some() && self.mode.signed() {
            return Err(malformed("trailer after x-amz-trailer-signature"));
        } else if self.trailers.len() >= MAX_TRAILERS {
            return Err(malformed("too many trailers"));
        } else {
            self.trailers.push((name, value));
        }
        Ok(())
    }

    fn complete_trailers(&mut self, events: &mut Vec<ChunkEvent>) -> Result<(), ChunkError> {
        if let (Some(signer), true) = (&self.signer, self.mode.signed()) {
            match &self.trailer_signature {
                Some(provided) => {
                    let sts = signer.trailer_string_to_sign(
                        &self.previous_signature,
                        &canonical_trailers(&self.trailers),
                    );
                    if !signatures_equal(&signer.sign(&sts), provided) {
                        return Err(ChunkError::SignatureDoesNotMatch {
                            string_to_sign: sts,
                        });
                    }
                }
                None if self.trailers.is_empty() => {}
                None => return Err(malformed("missing x-amz-trailer-signature")),
            }
        }
        events.push(ChunkEvent::Trailers(std::mem::take(&mut self.trailers)));
        events.push(ChunkEvent::End);
        self.state = State::Done;
        Ok(())
    }

    fn finish_inner(&mut self, events: &mut Vec<ChunkEvent>) -> Result<(), ChunkError> {
        match self.state {
            State::Done => Ok(()),
            State::Trailers => {
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if !line.is_empty() {
                    self.on_trailer_line(&line, events)?;
                }
                if matches!(self.state, State::Trailers) {
                    self.complete_trailers(events)?;
                }
                Ok(())
            }
            // Final chunk read but its closing CRLF missing: the content is complete.
            State::DataCr | State::DataLf if self.last_chunk => {
                self.after_chunk(events);
                Ok(())
            }
            _ => Err(ChunkError::Incomplete),
        }
    }
}
