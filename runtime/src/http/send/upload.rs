//! Uploading a file or a byte stream to a pre-signed URL, and the link → PUT → index flow.

use std::fmt;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use url::Url;

use crate::http::body::encode::encode_error;
use crate::http::body::source::{ProgressFn, Source, SourceBody, SourceSlot, UploadProgress};
use crate::http::client::HttpClient;
use crate::http::config::error::Error;
use crate::http::response::{ApiResponse, raw_error_response};
use crate::http::send::attempt::{Call, Settled, Wire};

/// The operation id of a pre-signed upload, in errors, hooks and tracing.
pub const UPLOAD_OPERATION: &str = "upload";

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
        Self::from_source(Source::factory(make, length))
    }

    /// Uploads a stream that can be read only once: the PUT is never retried. See
    /// [`stream`](Self::stream) for `length`.
    pub fn stream_once<S>(stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        Self::from_source(Source::once(stream, length))
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
        f.debug_struct("Upload")
            .field("source", &self.source)
            .field("content_type", &self.content_type)
            .field("progress", &self.progress.is_some())
            .finish()
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
        let total = source
            .length()
            .await
            .map_err(|source| Error::Upload { operation, source })?;
        let once = source.is_once();
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
            let body = SourceBody::new(chunks, total, slot.clone())
                .with_progress(attempt, progress.clone());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::body::source::BytesChunks;

    #[tokio::test]
    async fn buffering_has_a_limit() {
        let chunks = || BytesChunks(Bytes::from_static(b"abcdef"));
        let upload = Upload::buffer(chunks(), 6).await.unwrap();
        assert!(matches!(upload.source, Source::Bytes(ref b) if b.as_ref() == b"abcdef"));
        let error = Upload::buffer(chunks(), 5).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert!(error.to_string().contains("5-byte"), "{error}");
    }
}
