//! A file part of a `multipart/form-data` body: bytes, a file read from disk, or a stream.

use std::fmt;
use std::io;
use std::path::PathBuf;

use bytes::Bytes;
use futures_core::Stream;

use crate::http::body::source::Source;

/// The file name of a file part given none, as browsers name a `Blob` in a form: servers tell
/// files from text fields by the presence of a file name.
pub(super) const DEFAULT_FILE_NAME: &str = "blob";

/// A file sent as a part of a `multipart/form-data` body: bytes, a file read from disk, or a
/// stream, with the file name and content type the server sees.
///
/// A request is retried under the client's policy only if every file part can be read again:
/// bytes, files and stream factories can, a one-shot stream ([`stream_once`](Self::stream_once))
/// cannot, so a request carrying one is sent once.
#[must_use]
pub struct FilePart {
    pub(super) source: Source,
    pub(super) file_name: Option<String>,
    pub(super) content_type: Option<String>,
}

impl FilePart {
    /// A part holding bytes from memory.
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        Self::from_source(Source::Bytes(data.into()))
    }

    /// A part read from the file at `path`, in chunks (again from the start on a retry), with
    /// the file's name as its file name. Its length is taken when the request is sent.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        Self {
            file_name,
            ..Self::from_source(Source::File(path))
        }
    }

    /// A part streamed from what `make` returns, called again for each attempt. With a
    /// `length` (which the stream must match exactly) the request has a `Content-Length`;
    /// without one it is sent chunked.
    pub fn stream<F, S>(make: F, length: Option<u64>) -> Self
    where
        F: Fn() -> S + Send + Sync + 'static,
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        Self::from_source(Source::factory(make, length))
    }

    /// A part streamed from a stream that can be read only once: the request is never
    /// retried. See [`stream`](Self::stream) for `length`.
    pub fn stream_once<S>(stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        Self::from_source(Source::once(stream, length))
    }

    /// The file name sent with the part (a file's own name by default, else `blob`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's `Content-Type` (by default the one the API description gives, else
    /// `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    fn from_source(source: Source) -> Self {
        Self {
            source,
            file_name: None,
            content_type: None,
        }
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("source", &self.source)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}
