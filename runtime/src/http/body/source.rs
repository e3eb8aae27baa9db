//! Data sent from outside memory: bytes, files and streams as chunks, opened again for each
//! attempt where they can be. Used by pre-signed uploads and by multipart file parts.

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
use tokio::io::{AsyncRead, ReadBuf};

/// The size of the chunks a file or an in-memory body is sent in (and progress reported by).
pub(crate) const CHUNK: usize = 64 * 1024;

/// A stream of chunks to upload.
pub type ByteSource = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send + 'static>>;

/// Where an upload body puts the error of the file or stream it reads.
pub(crate) type SourceSlot = Arc<Mutex<Option<io::Error>>>;

/// How far an upload has got, reported to the callback of
/// [`Upload::on_progress`](crate::Upload::on_progress).
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

pub(crate) type ProgressFn = dyn Fn(UploadProgress) + Send + Sync;
type Factory = dyn Fn() -> ByteSource + Send + Sync;

/// Where the data comes from.
pub(crate) enum Source {
    Bytes(Bytes),
    File(PathBuf),
    Factory {
        make: Box<Factory>,
        length: Option<u64>,
    },
    Once {
        /// In a mutex only to be `Sync`; it is never locked (`get_mut`).
        stream: Mutex<Option<ByteSource>>,
        length: Option<u64>,
    },
}

impl Source {
    pub(crate) fn factory<F, S>(make: F, length: Option<u64>) -> Self
    where
        F: Fn() -> S + Send + Sync + 'static,
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        let make = move || -> ByteSource { Box::pin(make()) };
        Self::Factory {
            make: Box::new(make),
            length,
        }
    }

    pub(crate) fn once<S>(stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        Self::Once {
            stream: Mutex::new(Some(Box::pin(stream))),
            length,
        }
    }

    /// Whether the data can be read only once (a request carrying it is never repeated).
    pub(crate) fn is_once(&self) -> bool {
        matches!(self, Self::Once { .. })
    }

    /// The length in bytes, when known; a file's is read from its metadata.
    pub(crate) async fn length(&self) -> io::Result<Option<u64>> {
        Ok(match self {
            Self::Bytes(bytes) => Some(bytes.len() as u64),
            Self::File(path) => Some(tokio::fs::metadata(path).await?.len()),
            Self::Factory { length, .. } | Self::Once { length, .. } => *length,
        })
    }

    /// The stream for one attempt.
    pub(crate) fn open(&mut self) -> io::Result<ByteSource> {
        Ok(match self {
            Self::Bytes(bytes) => Box::pin(BytesChunks(bytes.clone())),
            Self::File(path) => Box::pin(FileChunks::new(path.clone())),
            Self::Factory { make, .. } => make(),
            Self::Once { stream, .. } => stream
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .ok_or_else(|| {
                    io::Error::other("a one-shot stream cannot be uploaded a second time")
                })?,
        })
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "bytes ({} bytes)", bytes.len()),
            Self::File(path) => write!(f, "file {}", path.display()),
            Self::Factory { length, .. } => write!(f, "stream factory (length {length:?})"),
            Self::Once { length, .. } => write!(f, "one-shot stream (length {length:?})"),
        }
    }
}

/// The body of one attempt: the chunks of a source, counted for progress. A read error is
/// put in `slot`, so that the attempt fails with it rather than with a transport error.
pub(crate) struct SourceBody {
    /// In a mutex only to be `Sync`; it is never locked (`get_mut`).
    chunks: Mutex<ByteSource>,
    attempt: u32,
    sent: u64,
    total: Option<u64>,
    progress: Option<Arc<ProgressFn>>,
    slot: SourceSlot,
}

impl SourceBody {
    pub(crate) fn new(chunks: ByteSource, total: Option<u64>, slot: SourceSlot) -> Self {
        Self {
            chunks: Mutex::new(chunks),
            attempt: 0,
            sent: 0,
            total,
            progress: None,
            slot,
        }
    }

    /// Reports progress to `progress` as attempt `attempt`.
    pub(crate) fn with_progress(mut self, attempt: u32, progress: Option<Arc<ProgressFn>>) -> Self {
        self.attempt = attempt;
        self.progress = progress;
        self
    }
}

impl http_body::Body for SourceBody {
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
pub(crate) struct BytesChunks(pub(crate) Bytes);

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

    pub(crate) async fn drain(mut stream: ByteSource) -> io::Result<Vec<usize>> {
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

        let path = std::env::temp_dir().join(format!("autessa-source-{}.bin", std::process::id()));
        std::fs::write(&path, &data).unwrap();
        let mut source = Source::File(path.clone());
        assert_eq!(source.length().await.unwrap(), Some(data.len() as u64));
        for _ in 0..2 {
            let total: usize = drain(source.open().unwrap()).await.unwrap().iter().sum();
            assert_eq!(total, data.len());
        }
        std::fs::remove_file(&path).unwrap();
        let error = drain(source.open().unwrap()).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(source.length().await.is_err());
    }

    #[tokio::test]
    async fn one_shot_streams_open_once() {
        let mut source = Source::once(BytesChunks(Bytes::from_static(b"abcdef")), None);
        assert!(source.is_once());
        assert!(source.open().is_ok());
        assert!(source.open().is_err());
        let mut source = Source::factory(|| BytesChunks(Bytes::from_static(b"ab")), Some(2));
        assert!(!source.is_once());
        for _ in 0..2 {
            assert_eq!(drain(source.open().unwrap()).await.unwrap(), [2]);
        }
    }
}
