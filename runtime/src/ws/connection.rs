//! A typed connection: a session whose frames arrive decoded as one channel's messages.
//! Generated connections wrap it with their typed sends and replies.

use std::fmt;
use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use serde::Serialize;

use super::error::WsError;
use super::frame::{Event, Frame, Text};
use super::session::{WsSender, WsSession};

/// The messages the server sends on one channel, as a generated enum decodes them.
pub trait ChannelMessage: Sized {
    /// The channel's id in the API description, named in errors.
    const CHANNEL: &'static str;

    /// Decodes a text frame.
    fn from_text(text: &str) -> Result<Self, serde_json::Error>;

    /// Wraps a binary frame.
    fn from_binary(data: Bytes) -> Self;

    /// Decodes a frame; a text frame that does not decode is a [`WsError::Decode`] with the
    /// text as received.
    #[inline]
    fn from_frame(frame: Frame) -> Result<Self, WsError> {
        match frame {
            Frame::Text(text) => Self::from_text(&text)
                .map_err(|source| WsError::decode(Self::CHANNEL, text, source)),
            Frame::Binary(data) => Ok(Self::from_binary(data)),
        }
    }
}

/// The item a connection yields: a message or lifecycle event, or an error.
pub type Received<M> = Option<Result<Event<M>, WsError>>;

/// An open connection whose messages arrive as `M`.
pub struct Connection<M> {
    session: WsSession,
    /// A message that arrived while waiting for the first one, kept for `recv`.
    early: Option<Event<M>>,
    /// Whether the last reply ended on a chunk marked as the last one, so that a final
    /// message arriving now is still that reply's.
    pub(super) after_last_chunk: bool,
}

impl<M: ChannelMessage> Connection<M> {
    /// Types the messages of `session`.
    pub fn new(session: WsSession) -> Self {
        Connection {
            session,
            early: None,
            after_last_chunk: false,
        }
    }

    /// Waits for the server's first message and hands it to `first`, which keeps it
    /// (`Break`) or lets it go on (`Continue`) to be the first one [`recv`](Self::recv)
    /// returns. A server that closes before it has refused the connection.
    pub async fn wait_for_first<T>(
        &mut self,
        first: impl FnOnce(M) -> ControlFlow<T, M>,
    ) -> Result<Option<T>, WsError> {
        match self.recv().await {
            Some(Ok(Event::Message(message))) => match first(message) {
                ControlFlow::Break(kept) => return Ok(Some(kept)),
                ControlFlow::Continue(message) => self.early = Some(Event::Message(message)),
            },
            Some(Ok(Event::Closed { code, reason })) => {
                return Err(WsError::closed_on_connect(M::CHANNEL, code, reason));
            }
            Some(Ok(other)) => self.early = Some(other),
            Some(Err(error)) => return Err(error),
            None => {}
        }
        Ok(None)
    }

    /// The next message or lifecycle event; `None` once the connection is closed and
    /// everything received before has been delivered. Cancel safe: a `recv` dropped before it
    /// completes loses nothing.
    pub fn recv(&mut self) -> impl Future<Output = Received<M>> + '_ {
        std::future::poll_fn(|cx| self.poll_recv(cx))
    }

    /// Polls for what [`recv`](Self::recv) waits for (for hand-written futures and streams;
    /// the connection is also a [`Stream`]).
    #[inline]
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Received<M>> {
        // Checked before taking: `take` would move the whole event on every call.
        if self.early.is_some() {
            return Poll::Ready(self.early.take().map(Ok));
        }
        match std::task::ready!(self.session.poll_recv(cx)) {
            // Text messages first: they are nearly all of the traffic.
            Some(Ok(Event::Message(Frame::Text(text)))) => Self::ready_text(text),
            Some(Ok(event)) => Poll::Ready(Some(event.try_map(M::from_frame))),
            Some(Err(error)) => Poll::Ready(Some(Err(error))),
            None => Poll::Ready(None),
        }
    }

    /// A text frame, decoded, as the answer of `poll_recv`. The answer is built here rather
    /// than around a returned message, so that the message is written once: where the caller
    /// receives it.
    #[inline]
    fn ready_text(text: Text) -> Poll<Received<M>> {
        let item = match M::from_text(&text) {
            Ok(message) => Ok(Event::Message(message)),
            Err(source) => Err(WsError::decode(M::CHANNEL, text, source)),
        };
        Poll::Ready(Some(item))
    }

    /// Closes the connection cleanly; messages already received stay available from
    /// [`recv`](Self::recv).
    pub async fn close(&mut self) -> Result<(), WsError> {
        self.session.close().await
    }

    /// Sends a JSON message (for generated connections' typed sends).
    pub async fn send_json<T: Serialize + ?Sized>(&self, message: &T) -> Result<(), WsError> {
        self.session.send_json(message).await
    }

    /// Sends a binary frame.
    pub async fn send_binary(&self, data: impl Into<Bytes>) -> Result<(), WsError> {
        self.session.send_binary(data).await
    }

    /// How long a streamed reply waits for its final message after a chunk marked as the last
    /// one ([`WsConfig::reply_grace`](crate::ws::WsConfig::reply_grace)).
    pub fn reply_grace(&self) -> Duration {
        self.session.reply_grace()
    }

    /// The untyped session underneath.
    pub fn session(&mut self) -> &mut WsSession {
        &mut self.session
    }

    /// A handle for sending from other tasks (for example while streaming audio).
    pub fn sender(&self) -> WsSender {
        self.session.sender()
    }
}

impl<M: ChannelMessage + Unpin> Stream for Connection<M> {
    type Item = Result<Event<M>, WsError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<M: fmt::Debug> fmt::Debug for Connection<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("session", &self.session)
            .field("early", &self.early)
            .finish()
    }
}
