//! Uploading a file or a byte stream to a pre-signed URL, and the link → PUT → index flow.

use std::fmt;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http_body::{Frame, SizeHint};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use tokio::io::{AsyncRead, ReadBuf};
use url::Url;

use crate::client::HttpClient;
use crate::error::Error;
use crate::request::encode_error;
use crate::response::{ApiResponse, raw_error_response};
use crate::send::{Call, Settled, SourceSlot, Wire};

/// The operation id of a pre-signed upload, in errors, hooks and tracing.
pub const UPLOAD_OPERATION: &str = "upload";

/// The size of the chunks a file or an in-memory body is sent in (and progress reported by).
const CHUNK: usize = 64 * 1024;

/// A stream of chunks to upload.
pub type ByteSource = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send + 'static>>;

type ProgressFn = dyn Fn(UploadProgress) + Send + Sync;
type Factory = dyn Fn() -> ByteSource + Send + Sync;

/// What to upload with [`HttpClient::put_upload`]: bytes, a file or a stream, with an optional
/// content type and progress callback.
///
/// A PUT that fails is retried under the client's [`RetryPolicy`](crate::RetryPolicy) (a PUT
/// is idempotent) only if its body can be sent again: bytes and files can; a stream can if it
/// is given as a factory ([`Upload::stream`]) or buffered ([`Upload::buffer`]); a one-shot
/// stream ([`Upload::stream_once`]) is sent once.
#[must_use]
pub struct Upload {
    source: Source,
    content_type: Option<String>,
    progress: Option<Arc<ProgressFn>>,
}

enum Source {
    Bytes(Bytes),
    File(PathBuf),
    Factory {
        make: Box<Factory>,
        length: Option<u64>,
    },
    Once {
        stream: Option<ByteSource>,
        length: Option<u64>,
    },
}

/// How far an upload has got, reported to the callback of [`Upload::on_progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// The attempt, from 1; a retry starts again from `sent: 0`.
    pub attempt: u32,
    /// Bytes handed to the connection so far in this attempt.
    pub sent: u64,
    /// The total, when known.
    pub total: Option<u64>,
}

impl Upload {
    /// Uploads bytes held in memory (sent in chunks without copying them).
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        Self::from_source(Source::Bytes(data.into()))
    }

    /// Uploads a file, read in chunks; a retry reads it again from the start. Its length,
    /// taken when the upload starts, is sent as `Content-Length`.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self::from_source(Source::File(path.into()))
    }

    /// Uploads a stream made by `make`, called again for each attempt. With a `length` it is
    /// sent with `Content-Length` (and must be exactly that long); without one it is sent
    /// chunked, which some storage services refuse for pre-signed URLs.
    pub fn stream<F, S>(make: F, length: Option<u64>) -> Self
    where
        F: Fn() -> S + Send + Sync + 'static,
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        let make = move || -> ByteSource { Box::pin(make()) };
        Self::from_source(Source::Factory {
            make: Box::new(make),
            length,
        })
    }

    /// Uploads a stream that can be read only once: the PUT is never retried. See
    /// [`stream`](Self::stream) for `length`.
    pub fn stream_once<S>(stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        Self::from_source(Source::Once {
            stream: Some(Box::pin(stream)),
            length,
        })
    }

    /// Reads a one-shot stream into memory, so that the PUT can be retried. Fails with
    /// [`io::ErrorKind::FileTooLarge`] when the stream is longer than `limit` bytes (nothing is
    /// kept), or with the stream's own error.
    pub async fn buffer<S>(stream: S, limit: usize) -> io::Result<Self>
    where
        S: Stream<Item = io::Result<Bytes>> + Send,
    {
        let mut stream = std::pin::pin!(stream);
        let mut buffer = BytesMut::new();
        while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            let chunk = chunk?;
            if buffer.len() + chunk.len() > limit {
                return Err(io::Error::new(
                    io::ErrorKind::FileTooLarge,
                    format!("the stream to upload is longer than the {limit}-byte buffer limit"),
                ));
            }
            buffer.extend_from_slice(&chunk);
        }
        Ok(Self::bytes(buffer.freeze()))
    }

    /// The `Content-Type` header of the PUT (none by default). Pre-signed URLs are often
    /// signed for one content type: use the one the link was made for.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Calls `progress` when each attempt starts (`sent: 0`) and after each chunk is handed to
    /// the connection. It runs inline: keep it quick (e.g. send to a channel).
    pub fn on_progress(
        mut self,
        progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    fn from_source(source: Source) -> Self {
        Self {
            source,
            content_type: None,
            progress: None,
        }
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Bytes(bytes) => format!("bytes ({} bytes)", bytes.len()),
            Source::File(path) => format!("file {}", path.display()),
            Source::Factory { length, .. } => format!("stream factory (length {length:?})"),
            Source::Once { length, .. } => format!("one-shot stream (length {length:?})"),
        };
        f.debug_struct("Upload")
            .field("source", &source)
            .field("content_type", &self.content_type)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl Source {
    /// The stream for one attempt.
    fn open(&mut self) -> io::Result<ByteSource> {
        Ok(match self {
            Self::Bytes(bytes) => Box::pin(BytesChunks(bytes.clone())),
            Self::File(path) => Box::pin(FileChunks::new(path.clone())),
            Self::Factory { make, .. } => make(),
            Self::Once { stream, .. } => stream.take().ok_or_else(|| {
                io::Error::other("a one-shot stream cannot be uploaded a second time")
            })?,
        })
    }
}

/// The error of [`HttpClient::upload_file`]: which step failed, and why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError<E> {
    /// Getting the upload link failed; nothing was uploaded.
    #[error("could not get an upload link")]
    Link(#[source] Error<E>),
    /// The PUT to the pre-signed URL failed (after its retries). Its error body is the raw
    /// body the storage service sent.
    #[error("could not upload the data to the pre-signed URL")]
    Put(#[source] Error<Bytes>),
    /// The data was uploaded but indexing it failed; indexing can be asked for again with the
    /// same link.
    #[error("the data was uploaded but could not be indexed")]
    Index(#[source] Error<E>),
}

impl HttpClient {
    /// PUTs `upload` to a pre-signed `url`, **without** the API key (the URL carries its own
    /// authorization), with this client's retry policy, timeouts, hooks and tracing. The URL
    /// is never shown in errors or traces (its query is a credential).
    ///
    /// A 2xx answer gives its raw body; any other status is an [`Error::Api`] whose body is
    /// the raw bytes (storage services answer in XML or text). A file or stream that cannot be
    /// read gives [`Error::Upload`].
    pub async fn put_upload(
        &self,
        url: &str,
        upload: Upload,
    ) -> Result<ApiResponse<Bytes>, Error<Bytes>> {
        let operation = UPLOAD_OPERATION;
        let encode = |reason: &str| Error::Encode {
            operation,
            source: encode_error(reason.to_owned()),
        };
        let url = Url::parse(url)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| encode("the upload URL is not an http or https URL"))?;
        let content_type = upload
            .content_type
            .as_deref()
            .map(HeaderValue::from_str)
            .transpose()
            .map_err(|_| encode("the upload content type is not a valid header value"))?;
        let Upload {
            mut source,
            progress,
            ..
        } = upload;
        let total = match &source {
            Source::Bytes(bytes) => Some(bytes.len() as u64),
            Source::File(path) => Some(
                tokio::fs::metadata(path)
                    .await
                    .map_err(|source| Error::Upload { operation, source })?
                    .len(),
            ),
            Source::Factory { length, .. } | Source::Once { length, .. } => *length,
        };
        let once = matches!(source, Source::Once { .. });
        let method = Method::PUT;
        let call = Call {
            operation,
            method: &method,
            path: url.path(),
            resource_id: None,
            idempotent: true,
            authenticated: false,
        };
        let build = |attempt| {
            let chunks = source
                .open()
                .map_err(|source| Error::Upload { operation, source })?;
            let slot = SourceSlot::default();
            if let Some(progress) = &progress {
                progress(UploadProgress {
                    attempt,
                    sent: 0,
                    total,
                });
            }
            let body = UploadBody {
                chunks: Mutex::new(chunks),
                attempt,
                sent: 0,
                total,
                progress: progress.clone(),
                slot: slot.clone(),
            };
            let mut request = reqwest::Request::new(Method::PUT, url.clone());
            let headers = request.headers_mut();
            if let Some(agent) = &self.inner.user_agent {
                headers.insert(USER_AGENT, agent.clone());
            }
            if let Some(content_type) = &content_type {
                headers.insert(CONTENT_TYPE, content_type.clone());
            }
            *request.body_mut() = Some(reqwest::Body::wrap(body));
            Ok(Wire {
                request,
                source: Some(slot),
            })
        };
        let settled = self.execute(&call, false, once, build).await?;
        match settled {
            Settled::Full {
                status,
                headers,
                body,
            } if status.is_success() => Ok(ApiResponse::new(status, headers, body)),
            other => Err(other.into_error_with(operation, raw_error_response)),
        }
    }

    /// The whole pre-signed upload flow in one call: `link` gets the upload URL and a ticket
    /// (e.g. AutessaDB's `generateUploadLink`, giving `uploadUrl` and `tempPath`),
    /// [`put_upload`](Self::put_upload) sends the data there, and `index` turns the ticket
    /// into the final result (e.g. `indexRecord` with the `tempPath`).
    ///
    /// `link` and `index` are usually calls of a generated client, with its own retry rules;
    /// the error says which step failed.
    ///
    /// ```no_run
    /// # use autessa_runtime::{Error, HttpClient, Upload};
    /// # async fn link() -> Result<(String, String), Error<()>> { todo!() }
    /// # async fn index(temp_path: String) -> Result<u64, Error<()>> { todo!() }
    /// # async fn run(http: HttpClient) -> Result<(), Box<dyn std::error::Error>> {
    /// let rows = http
    ///     .upload_file(
    ///         Upload::file("rows.csv").content_type("text/csv"),
    ///         || link(),
    ///         |temp_path| index(temp_path),
    ///     )
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upload_file<E, Ticket, T, LinkFuture, IndexFuture>(
        &self,
        upload: Upload,
        link: impl FnOnce() -> LinkFuture,
        index: impl FnOnce(Ticket) -> IndexFuture,
    ) -> Result<T, UploadError<E>>
    where
        LinkFuture: Future<Output = Result<(String, Ticket), Error<E>>>,
        IndexFuture: Future<Output = Result<T, Error<E>>>,
    {
        let (url, ticket) = link().await.map_err(UploadError::Link)?;
        self.put_upload(&url, upload)
            .await
            .map_err(UploadError::Put)?;
        index(ticket).await.map_err(UploadError::Index)
    }
}

/// The body of one PUT attempt: the chunks of the source, counted for progress.
struct UploadBody {
    /// In a mutex only to be `Sync`; it is never locked (`get_mut`).
    chunks: Mutex<ByteSource>,
    attempt: u32,
    sent: u64,
    total: Option<u64>,
    progress: Option<Arc<ProgressFn>>,
    slot: SourceSlot,
}

impl http_body::Body for UploadBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        let chunks = this
            .chunks
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        match chunks.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.sent += chunk.len() as u64;
                if let Some(progress) = &this.progress {
                    progress(UploadProgress {
                        attempt: this.attempt,
                        sent: this.sent,
                        total: this.total,
                    });
                }
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Poll::Ready(Some(Err(error))) => {
                let kind = error.kind();
                *this.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(error);
                Poll::Ready(Some(Err(io::Error::new(
                    kind,
                    "the data to upload could not be read",
                ))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self.total {
            Some(total) => SizeHint::with_exact(total.saturating_sub(self.sent)),
            None => SizeHint::default(),
        }
    }
}

/// In-memory bytes as chunks, without copying.
struct BytesChunks(Bytes);

impl Stream for BytesChunks {
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let rest = &mut self.get_mut().0;
        if rest.is_empty() {
            return Poll::Ready(None);
        }
        let chunk = rest.split_to(rest.len().min(CHUNK));
        Poll::Ready(Some(Ok(chunk)))
    }
}

type Opening = Pin<Box<dyn Future<Output = io::Result<tokio::fs::File>> + Send>>;

/// A file as chunks, opened on the first poll.
enum FileChunks {
    Opening(Opening),
    Reading(tokio::fs::File),
    Done,
}

impl FileChunks {
    fn new(path: PathBuf) -> Self {
        Self::Opening(Box::pin(tokio::fs::File::open(path)))
    }
}

impl Stream for FileChunks {
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match this {
                Self::Opening(opening) => match opening.as_mut().poll(cx) {
                    Poll::Ready(Ok(file)) => *this = Self::Reading(file),
                    Poll::Ready(Err(error)) => {
                        *this = Self::Done;
                        return Poll::Ready(Some(Err(error)));
                    }
                    Poll::Pending => return Poll::Pending,
                },
                Self::Reading(file) => {
                    let mut buffer = BytesMut::zeroed(CHUNK);
                    let mut read = ReadBuf::new(&mut buffer);
                    return match Pin::new(file).poll_read(cx, &mut read) {
                        Poll::Ready(Ok(())) => {
                            let filled = read.filled().len();
                            if filled == 0 {
                                *this = Self::Done;
                                return Poll::Ready(None);
                            }
                            buffer.truncate(filled);
                            Poll::Ready(Some(Ok(buffer.freeze())))
                        }
                        Poll::Ready(Err(error)) => {
                            *this = Self::Done;
                            Poll::Ready(Some(Err(error)))
                        }
                        Poll::Pending => Poll::Pending,
                    };
                }
                Self::Done => return Poll::Ready(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;

    async fn drain(mut stream: ByteSource) -> io::Result<Vec<usize>> {
        let mut sizes = Vec::new();
        while let Some(chunk) = poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            sizes.push(chunk?.len());
        }
        Ok(sizes)
    }

    #[tokio::test]
    async fn bytes_and_files_are_chunked_and_can_be_read_again() {
        let data = Bytes::from(vec![7_u8; CHUNK * 2 + 10]);
        let mut source = Source::Bytes(data.clone());
        for _ in 0..2 {
            let sizes = drain(source.open().unwrap()).await.unwrap();
            assert_eq!(sizes, [CHUNK, CHUNK, 10]);
        }

        let path = std::env::temp_dir().join(format!("autessa-upload-{}.bin", std::process::id()));
        std::fs::write(&path, &data).unwrap();
        let mut source = Source::File(path.clone());
        for _ in 0..2 {
            let total: usize = drain(source.open().unwrap()).await.unwrap().iter().sum();
            assert_eq!(total, data.len());
        }
        std::fs::remove_file(&path).unwrap();
        let error = drain(source.open().unwrap()).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }

    #[tokio::test]
    async fn one_shot_streams_open_once_and_buffering_has_a_limit() {
        let chunks = || BytesChunks(Bytes::from_static(b"abcdef"));
        let mut source = Source::Once {
            stream: Some(Box::pin(chunks())),
            length: None,
        };
        assert!(source.open().is_ok());
        assert!(source.open().is_err());

        let upload = Upload::buffer(chunks(), 6).await.unwrap();
        assert!(matches!(upload.source, Source::Bytes(ref b) if b.as_ref() == b"abcdef"));
        let error = Upload::buffer(chunks(), 5).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert!(error.to_string().contains("5-byte"), "{error}");
    }
}
