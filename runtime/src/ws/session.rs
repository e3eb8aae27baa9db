//! The session: the handles, and the reader that runs in the caller's task.
//!
//! ```text
//!  WsSession::recv ◀── reads the socket ───────────┐ (one connection: a Link of counters
//!        ▲                                          │  and how it ended)
//!        └── hand-over: events, new connections ── control task: writer, heartbeat,
//!  WsSession/WsSender::send_* ── commands (bounded) ─▶   close handshake, reconnects
//! ```
//!
//! `recv` reads frames straight from the socket, so a received message costs no hand-off
//! between tasks, and an application that stops reading stops the socket being read: the
//! backpressure reaches the server through TCP. The control task never reads; it writes what
//! the handles queue, sends the pings and judges the deadlines from the reader's counters,
//! so a slow consumer never stops pings or sends, and a blocked write never stops reading.
//! The two directions of the socket are apart (each with its own WebSocket context), so the
//! reader takes no lock per message; the answers it owes the server (pongs, the close
//! answer) go through the Link to the control task, which writes them.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Sleep;
use tokio_tungstenite::tungstenite::Message;

use super::config::WsConfig;
use super::control::Control;
use super::error::WsError;
use super::frame::{Event, Frame};
use super::link::{Command, End, Handover, Item, Link, Reading, Shared, transport_error};
use super::transport::Target;
use super::transport::socket::{FrameReader, Socket};

/// A connected WebSocket session on one channel.
///
/// Receive with [`recv`](Self::recv) (or as a [`Stream`]); send with
/// [`send_json`](Self::send_json) and [`send_binary`](Self::send_binary), or from other
/// tasks through a [`sender`](Self::sender). `recv` reads the socket itself; a control task
/// writes, sends pings, notices a dead peer and the idle limit, and reconnects if
/// [`WsConfig::reconnect`] allows.
///
/// # What `recv` delivers
///
/// Every session ends with exactly one [`Event::Closed`], after which `recv` gives `None`.
/// Before it:
///
/// - [`Event::Message`] for every text and binary frame, in order. Nothing that was received
///   is dropped: after [`close`](Self::close), or when the server closes, the messages that
///   arrived before the close are still delivered, then `Closed`.
/// - `Err(error)` says why the session is ending when it is not a clean close: a transport
///   failure ([`WsError::Transport`]), a dead peer ([`WsError::DeadPeer`]), the idle limit
///   ([`WsError::Idle`]), or a failed reconnect ([`WsError::ReconnectExhausted`]). `Closed`
///   follows it. (A message that does not decode is a [`WsError::Decode`] made by the caller
///   from one `Message` event; the session goes on.)
/// - With reconnects on, a lost connection (no close frame, a dead peer, or a close frame
///   with code 1001, 1011, 1012 or 1013) gives [`Event::Reconnecting`] before each attempt
///   and [`Event::Reconnected`] once a new connection is open. Messages sent meanwhile wait
///   in the queue and go to the new connection; a message in flight when the connection
///   dropped may be lost (nothing is replayed).
///
/// The socket is read only while `recv` is waiting: between calls, the server's messages,
/// its pings and its answers to ours wait in the socket (its pings are answered when `recv`
/// reads them), and a silence is not taken for a dead peer. A program that keeps a
/// connection open should keep a `recv` pending, as the streamed replies do. `recv` is
/// cancel safe: a `recv` future dropped before it completes loses nothing.
///
/// Dropping the session stops its control task (with a close frame when the connection is
/// still up).
pub struct WsSession {
    state: State,
    handover: mpsc::UnboundedReceiver<Handover>,
    /// Hand-over items taken so far, against `Shared::handed_over`.
    taken: u64,
    /// How long to read on after the server's close frame, for the handshake to finish.
    close_timeout: Duration,
    reply_grace: Duration,
    sender: WsSender,
    url: String,
}

enum State {
    /// Reading a connection.
    Reading(Reader),
    /// The server's close frame arrived: reading on until the connection ends, while the
    /// control task sends the answer.
    Draining {
        reader: Reader,
        until: Pin<Box<Sleep>>,
        code: Option<u16>,
        reason: String,
    },
    /// The connection is over; what comes next is in the hand-over queue.
    Waiting,
    /// Everything was delivered.
    Done,
}

/// The reading half of a connection, with the counters the control task looks at.
struct Reader {
    stream: FrameReader,
    link: Arc<Link>,
    frames: u64,
    data: u64,
    /// Whether `link.reading` is set (kept here to spare an atomic write per frame).
    waiting: bool,
}

impl Reader {
    fn new(reading: Reading) -> Self {
        Self {
            stream: reading.stream,
            link: reading.link,
            frames: 0,
            data: 0,
            waiting: false,
        }
    }

    fn set_waiting(&mut self, waiting: bool) {
        if self.waiting != waiting {
            self.waiting = waiting;
            self.link.reading.store(waiting, Ordering::Relaxed);
        }
    }

    fn count(&mut self, data: bool) {
        self.frames += 1;
        self.link.frames.store(self.frames, Ordering::Relaxed);
        if data {
            self.data += 1;
            self.link.data.store(self.data, Ordering::Relaxed);
        }
    }
}

/// What one poll of the socket gave.
enum Read {
    Deliver(Frame),
    /// A control frame: read on.
    Skip,
    /// The server's close frame.
    Close(Option<u16>, String),
    Ended(End),
}

/// Sends messages on a session from any task. Cheap to clone.
///
/// `send_*` return once the message is queued for the socket (waiting while the queue is
/// full); a write failure that follows is reported by the session's `recv`.
#[derive(Clone)]
pub struct WsSender {
    channel: &'static str,
    commands: mpsc::Sender<Command>,
    shared: Arc<Shared>,
}

impl WsSession {
    /// Starts the control task on an open connection.
    pub(crate) fn start(
        socket: Socket,
        channel: &'static str,
        target: Option<Target>,
        config: WsConfig,
    ) -> Self {
        let config = config.sanitized();
        let url = target
            .as_ref()
            .map(|target| target.shown.clone())
            .unwrap_or_default();
        let (handover_tx, handover) = mpsc::unbounded_channel();
        let (commands_tx, commands) = mpsc::channel(config.buffer);
        let shared = Arc::new(Shared::new());
        let close_timeout = config.pong_timeout;
        let reply_grace = config.reply_grace;
        let Socket { reader, writer } = socket;
        let link = Arc::new(Link::new());
        let control = Control {
            channel,
            target,
            config,
            commands,
            handover: handover_tx,
            shared: Arc::clone(&shared),
        };
        tokio::spawn(control.run(writer, Arc::clone(&link)));
        Self {
            state: State::Reading(Reader::new(Reading {
                stream: reader,
                link,
            })),
            handover,
            taken: 0,
            close_timeout,
            reply_grace,
            sender: WsSender {
                channel,
                commands: commands_tx,
                shared,
            },
            url,
        }
    }

    /// The channel id.
    pub fn channel(&self) -> &'static str {
        self.sender.channel
    }

    /// The connection URL with the key redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How long a streamed reply that ended on its last chunk waits for its final message
    /// ([`WsConfig::reply_grace`]).
    pub fn reply_grace(&self) -> Duration {
        self.reply_grace
    }

    /// The next event; `None` once the session is over and everything was delivered. See
    /// the type's documentation for the order of events.
    #[inline]
    pub async fn recv(&mut self) -> Option<Result<Event<Frame>, WsError>> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next event, as [`recv`](Self::recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        loop {
            match &mut self.state {
                State::Reading(reader) => {
                    // The control task ended this connection (a dead peer, the idle limit,
                    // an unanswered close): stop reading it.
                    if self.sender.shared.handed_over.load(Ordering::Acquire) != self.taken {
                        self.state = State::Waiting;
                        continue;
                    }
                    let read = match reader.stream.poll_next(cx) {
                        Poll::Ready(next) => read(self.sender.channel, reader, next),
                        Poll::Pending => {
                            reader.set_waiting(true);
                            // Woken by the socket or by the control task, whichever first.
                            return self.poll_handover(cx);
                        }
                    };
                    match read {
                        Read::Deliver(frame) => {
                            reader.set_waiting(false);
                            return Poll::Ready(Some(Ok(Event::Message(frame))));
                        }
                        Read::Skip => {}
                        Read::Close(code, reason) => {
                            reader.link.peer_closed.store(true, Ordering::SeqCst);
                            reader.link.owe_close(code);
                            let State::Reading(reader) =
                                std::mem::replace(&mut self.state, State::Waiting)
                            else {
                                unreachable!("the state is Reading")
                            };
                            if reader.link.we_closed.load(Ordering::SeqCst) {
                                reader.link.end(End::Closed { code, reason });
                            } else {
                                self.state = State::Draining {
                                    reader,
                                    until: Box::pin(tokio::time::sleep(self.close_timeout)),
                                    code,
                                    reason,
                                };
                            }
                        }
                        Read::Ended(end) => {
                            reader.link.end(end);
                            self.state = State::Waiting;
                        }
                    }
                }
                State::Draining {
                    reader,
                    until,
                    code,
                    reason,
                } => {
                    let over = loop {
                        match reader.stream.poll_next(cx) {
                            Poll::Ready(Some(Ok(_))) => {}
                            Poll::Ready(_) => break true,
                            Poll::Pending => break until.as_mut().poll(cx).is_ready(),
                        }
                    };
                    if !over {
                        return self.poll_handover(cx);
                    }
                    reader.link.end(End::Closed {
                        code: *code,
                        reason: std::mem::take(reason),
                    });
                    self.state = State::Waiting;
                }
                State::Waiting => return self.poll_handover(cx),
                State::Done => return Poll::Ready(None),
            }
        }
    }

    /// Takes the next hand-over item, which ends the connection being read: the event to
    /// deliver, or `None` once the control task is gone and everything was delivered.
    fn poll_handover(&mut self, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        let Some(handover) = ready!(self.handover.poll_recv(cx)) else {
            self.state = State::Done;
            return Poll::Ready(None);
        };
        self.taken += 1;
        Poll::Ready(Some(match handover {
            Handover::Event(item) => {
                self.state = State::Waiting;
                item
            }
            Handover::Reconnected(reading) => {
                self.state = State::Reading(Reader::new(*reading));
                Ok(Event::Reconnected)
            }
        }))
    }

    /// Serializes `message` as JSON and sends it as a text frame.
    pub async fn send_json<T: Serialize + ?Sized>(&self, message: &T) -> Result<(), WsError> {
        self.sender.send_json(message).await
    }

    /// Sends a binary frame.
    pub async fn send_binary(&self, data: impl Into<Bytes>) -> Result<(), WsError> {
        self.sender.send_binary(data).await
    }

    /// Closes the session: messages queued before are sent, then a close frame (code 1000).
    /// Returns once the close frame is written (or the connection is already gone); keep
    /// calling [`recv`](Self::recv) to get the messages that were received before the
    /// server's answer, then [`Event::Closed`]. Calling it again does nothing.
    pub async fn close(&mut self) -> Result<(), WsError> {
        self.sender.close().await
    }

    /// A handle to send from other tasks.
    pub fn sender(&self) -> WsSender {
        self.sender.clone()
    }
}

/// Sorts out one poll result of the socket.
#[inline]
fn read(
    channel: &'static str,
    reader: &mut Reader,
    next: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
) -> Read {
    match next {
        Some(Ok(Message::Text(text))) => {
            reader.count(true);
            Read::Deliver(Frame::Text(text.into()))
        }
        Some(Ok(Message::Binary(data))) => {
            reader.count(true);
            Read::Deliver(Frame::Binary(data))
        }
        Some(Ok(Message::Ping(payload))) => {
            reader.count(false);
            reader.link.owe_pong(payload);
            Read::Skip
        }
        Some(Ok(Message::Pong(_) | Message::Frame(_))) => {
            reader.count(false);
            Read::Skip
        }
        Some(Ok(Message::Close(frame))) => {
            reader.count(false);
            match frame {
                Some(frame) => Read::Close(Some(u16::from(frame.code)), frame.reason.to_string()),
                None => Read::Close(None, String::new()),
            }
        }
        Some(Err(error)) => Read::Ended(End::Failed(transport_error(channel, error))),
        None => Read::Ended(End::Failed(WsError::Transport {
            channel,
            reason: "the server went away without a close frame".into(),
            source: None,
        })),
    }
}

impl Stream for WsSession {
    type Item = Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        self.get_mut().poll_recv(cx)
    }
}

impl Drop for WsSession {
    fn drop(&mut self) {
        self.sender.shared.dropped.store(true, Ordering::SeqCst);
        self.sender.shared.closing.store(true, Ordering::SeqCst);
        self.sender.shared.wake.notify_one();
    }
}

impl fmt::Debug for WsSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsSession")
            .field("channel", &self.sender.channel)
            .field("url", &self.url)
            .field("closing", &self.sender.is_closing())
            .finish_non_exhaustive()
    }
}

impl WsSender {
    /// Serializes `message` as JSON and sends it as a text frame.
    pub async fn send_json<T: Serialize + ?Sized>(&self, message: &T) -> Result<(), WsError> {
        let text = serde_json::to_string(message).map_err(|source| WsError::Encode {
            channel: self.channel,
            source,
        })?;
        self.send(Message::text(text)).await
    }

    /// Sends a binary frame.
    pub async fn send_binary(&self, data: impl Into<Bytes>) -> Result<(), WsError> {
        self.send(Message::Binary(data.into())).await
    }

    /// The channel id.
    pub fn channel(&self) -> &'static str {
        self.channel
    }

    /// Whether the session has stopped taking messages.
    pub fn is_closing(&self) -> bool {
        self.shared.closing.load(Ordering::SeqCst)
    }

    async fn send(&self, message: Message) -> Result<(), WsError> {
        if self.is_closing() {
            return Err(self.closed());
        }
        self.commands
            .send(Command::Send(message))
            .await
            .map_err(|_| self.closed())
    }

    /// Closes the session (see [`WsSession::close`]).
    pub async fn close(&self) -> Result<(), WsError> {
        if self.shared.closing.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        self.shared.wake.notify_one();
        let (done, wait) = oneshot::channel();
        if self.commands.send(Command::Close(done)).await.is_err() {
            return Ok(());
        }
        wait.await.unwrap_or(Ok(()))
    }

    fn closed(&self) -> WsError {
        WsError::Closed {
            channel: self.channel,
        }
    }
}

impl fmt::Debug for WsSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsSender")
            .field("channel", &self.channel)
            .field("closing", &self.is_closing())
            .finish()
    }
}
