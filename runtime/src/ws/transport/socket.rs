//! The byte stream of an open connection, split into a reading side that decodes frames
//! and a writing side, neither taking a lock.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketContext};
use tokio_tungstenite::tungstenite::{self, Message};

/// The byte stream under a WebSocket: plain TCP, TLS, or (in tests) anything else.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Sync + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Sync + Unpin + 'static> Io for T {}

/// The reading direction of a connection's byte stream.
type ReadHalf = Box<dyn AsyncRead + Send + Sync + Unpin>;
/// The writing direction.
type WriteHalf = Box<dyn AsyncWrite + Send + Sync + Unpin>;

/// The reading direction of a connection, with a tungstenite context of its own, so that
/// reading takes no lock and no waker hand-off per message: the caller's waker goes straight
/// to the socket.
pub(crate) struct FrameReader {
    context: WebSocketContext,
    io: ReadHalf,
    ended: bool,
}

impl FrameReader {
    /// The next message; `None` once the connection is over (an error ends it too).
    #[inline]
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Message, tungstenite::Error>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let mut io = Blocking {
            io: &mut *self.io,
            cx,
        };
        match self.context.read(&mut io) {
            Ok(message) => Poll::Ready(Some(Ok(message))),
            Err(tungstenite::Error::Io(error)) if error.kind() == io::ErrorKind::WouldBlock => {
                Poll::Pending
            }
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                self.ended = true;
                Poll::Ready(None)
            }
            Err(error) => {
                self.ended = true;
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

/// The socket as tungstenite's blocking interface wants it, for one poll: `WouldBlock`
/// when no bytes are ready. What tungstenite would write back while reading (its automatic
/// answers to pings and close frames) is dropped: the control task writes those.
struct Blocking<'a, 'b> {
    io: &'a mut (dyn AsyncRead + Send + Sync + Unpin),
    cx: &'a mut Context<'b>,
}

impl io::Read for Blocking<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut buf = ReadBuf::new(buf);
        match Pin::new(&mut *self.io).poll_read(self.cx, &mut buf) {
            Poll::Ready(Ok(())) => Ok(buf.filled().len()),
            Poll::Ready(Err(error)) => Err(error),
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl io::Write for Blocking<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The writing direction, with a tungstenite context of its own; it is never read.
pub(crate) struct WriteSide(WriteHalf);

/// An open WebSocket, as its two directions.
pub(crate) struct Socket {
    pub(crate) reader: FrameReader,
    pub(crate) writer: WebSocketStream<WriteSide>,
}

impl Socket {
    /// A WebSocket over two directions of a stream whose upgrade is done; `rest` holds the
    /// bytes read past the upgrade answer.
    pub(crate) async fn new(read: ReadHalf, write: WriteHalf, rest: Vec<u8>) -> Self {
        Self {
            reader: FrameReader {
                context: WebSocketContext::from_partially_read(rest, Role::Client, None),
                io: read,
                ended: false,
            },
            writer: WebSocketStream::from_raw_socket(WriteSide(write), Role::Client, None).await,
        }
    }

    /// A WebSocket over any stream (TLS, or an in-memory pipe in tests): its directions
    /// share a lock, taken once per read or write of the stream rather than per message.
    pub(crate) async fn over(stream: impl Io, rest: Vec<u8>) -> Self {
        let (read, write) = tokio::io::split(stream);
        Self::new(Box::new(read), Box::new(write), rest).await
    }
}

impl AsyncRead for WriteSide {
    /// Never called (writing reads nothing); the end of the stream if it were.
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for WriteSide {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}
