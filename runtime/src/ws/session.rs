//! The session: a socket task that owns the connection, and the handles that talk to it.
//!
//! ```text
//!  WsSession::recv  ◀── events (bounded) ──┐
//!                                           ├── socket task: reader ∥ writer, heartbeat,
//!  WsSession/WsSender::send_* ── commands ──┘    close handshake, reconnects
//!                                (bounded)
//! ```
//!
//! The reader hands every text and binary frame to the events queue and waits when it is full
//! (the socket is then not read: backpressure reaches the server through TCP). The writer
//! takes messages from the commands queue, sends the pings and checks the deadlines. Both run
//! in one task, concurrently, so a slow consumer never stops pings or sends, and a blocked
//! write never stops reading.

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::time::{Instant, sleep, sleep_until};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};

use super::config::{Reconnect, WsConfig, random_u64};
use super::error::WsError;
use super::transport::{Socket, Target};

/// One received data frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A text frame (JSON messages).
    Text(String),
    /// A binary frame (audio).
    Binary(Bytes),
}

impl Frame {
    /// Decodes a text frame as JSON of type `T`. A binary frame, or text that is not a `T`,
    /// gives [`WsError::Decode`] with the raw text (for a binary frame, a note of its length).
    pub fn decode_json<T: DeserializeOwned>(&self, channel: &'static str) -> Result<T, WsError> {
        match self {
            Self::Text(text) => WsError::decode_json(channel, text),
            Self::Binary(data) => Err(WsError::Decode {
                channel,
                source: <serde_json::Error as serde::de::Error>::custom(
                    "expected a JSON text frame, got a binary frame",
                ),
                raw: format!("<binary frame of {} bytes>", data.len()),
            }),
        }
    }
}

/// What a session delivers, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<T> {
    /// A message from the server.
    Message(T),
    /// The connection was lost; attempt `attempt` starts after `delay`.
    Reconnecting {
        /// The attempt number, from 1.
        attempt: u32,
        /// The jittered delay before the attempt.
        delay: Duration,
    },
    /// A new connection is open (the server greets it like a first one).
    Reconnected,
    /// The session is over; `recv` gives `None` from now on.
    Closed {
        /// The close code the server sent, if it sent a close frame.
        code: Option<u16>,
        /// The reason the server gave, or why the session ended.
        reason: String,
    },
}

impl<T> Event<T> {
    /// Converts the message of a [`Event::Message`] with a conversion that may fail; other
    /// events are kept.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Event<U>, E> {
        match self {
            Self::Message(message) => f(message).map(Event::Message),
            Self::Reconnecting { attempt, delay } => Ok(Event::Reconnecting { attempt, delay }),
            Self::Reconnected => Ok(Event::Reconnected),
            Self::Closed { code, reason } => Ok(Event::Closed { code, reason }),
        }
    }

    /// Converts the message of a [`Event::Message`]; other events are kept.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Event<U> {
        match self {
            Self::Message(message) => Event::Message(f(message)),
            Self::Reconnecting { attempt, delay } => Event::Reconnecting { attempt, delay },
            Self::Reconnected => Event::Reconnected,
            Self::Closed { code, reason } => Event::Closed { code, reason },
        }
    }
}

type Item = Result<Event<Frame>, WsError>;

/// The most events `recv` takes from the queue at once.
const RECV_BATCH: usize = 64;

enum Command {
    Send(Message),
    Close(oneshot::Sender<Result<(), WsError>>),
}

/// State shared by the handles and the socket task.
struct Shared {
    /// Set once the session takes no more messages (closed by the client, or ended).
    closing: AtomicBool,
    /// Set when the [`WsSession`] is dropped.
    dropped: AtomicBool,
    /// Wakes the socket task when `closing` or `dropped` is set.
    wake: Notify,
}

/// A connected WebSocket session on one channel.
///
/// Receive with [`recv`](Self::recv); send with [`send_json`](Self::send_json) and
/// [`send_binary`](Self::send_binary), or from other tasks through a [`sender`](Self::sender).
/// A socket task owns the connection: it answers the server's pings, sends its own, notices a
/// dead peer and the idle limit, and reconnects if [`WsConfig::reconnect`] allows.
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
/// Dropping the session stops its socket task (with a close frame when the connection is
/// still up).
pub struct WsSession {
    events: mpsc::Receiver<Item>,
    /// Events taken from the queue in one go and not yet returned: draining in batches
    /// means one wake-up per burst of messages rather than one per message.
    ready: VecDeque<Item>,
    sender: WsSender,
    url: String,
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
    /// Starts the socket task on an open connection.
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
        let (events_tx, events) = mpsc::channel(config.buffer);
        let (commands_tx, commands) = mpsc::channel(config.buffer);
        let shared = Arc::new(Shared {
            closing: AtomicBool::new(false),
            dropped: AtomicBool::new(false),
            wake: Notify::new(),
        });
        let task = Task {
            channel,
            target,
            config,
            commands,
            events: events_tx,
            shared: Arc::clone(&shared),
        };
        tokio::spawn(task.run(socket));
        Self {
            events,
            ready: VecDeque::new(),
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

    /// The next event; `None` once the session is over and everything was delivered. See
    /// the type's documentation for the order of events.
    pub async fn recv(&mut self) -> Option<Result<Event<Frame>, WsError>> {
        if self.ready.is_empty() {
            let mut batch = Vec::new();
            if self.events.recv_many(&mut batch, RECV_BATCH).await == 0 {
                return None;
            }
            self.ready.extend(batch);
        }
        self.ready.pop_front()
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

/// How one connection ended.
enum End {
    /// A close handshake: the server's close frame (an answer to ours, or its own).
    Closed { code: Option<u16>, reason: String },
    /// The client closed and the server did not answer in time.
    CloseUnanswered,
    /// The connection was lost or must be given up.
    Failed(WsError),
    /// The session was dropped: nobody is listening.
    Gone,
}

/// The socket task.
struct Task {
    channel: &'static str,
    /// How to reconnect; `None` for sessions built on a given stream (tests).
    target: Option<Target>,
    config: WsConfig,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<Item>,
    shared: Arc<Shared>,
}

impl Task {
    async fn run(mut self, mut socket: Socket) {
        loop {
            let end = self.connection(socket).await;
            let error = match end {
                End::Gone => return,
                End::Closed { code, reason } => {
                    let transient = matches!(code, Some(1001 | 1011 | 1012 | 1013));
                    if !(transient && self.may_reconnect()) {
                        return self.finish(None, code, reason).await;
                    }
                    WsError::Transport {
                        channel: self.channel,
                        reason: format!(
                            "the server closed the connection with code {}",
                            code.unwrap_or_default()
                        ),
                        source: None,
                    }
                }
                End::CloseUnanswered => {
                    let reason = "closed by the client; the server did not answer".to_owned();
                    return self.finish(None, None, reason).await;
                }
                End::Failed(error @ WsError::Idle { .. }) => {
                    return self.finish(Some(error), None, String::new()).await;
                }
                End::Failed(error) if !self.may_reconnect() => {
                    return self.finish(Some(error), None, String::new()).await;
                }
                End::Failed(error) => error,
            };
            match self.reconnect(error).await {
                Ok(new_socket) => socket = new_socket,
                Err(Some(error)) => return self.finish(Some(error), None, String::new()).await,
                Err(None) if self.shared.dropped.load(Ordering::SeqCst) => return,
                Err(None) => {
                    let reason = "closed by the client while reconnecting".to_owned();
                    return self.finish(None, None, reason).await;
                }
            }
        }
    }

    fn may_reconnect(&self) -> bool {
        self.target.is_some()
            && self.config.reconnect.is_some()
            && !self.shared.closing.load(Ordering::SeqCst)
    }

    /// Ends the session: stops taking messages, reports `error` if any, then `Closed`.
    async fn finish(mut self, error: Option<WsError>, code: Option<u16>, reason: String) {
        self.shared.closing.store(true, Ordering::SeqCst);
        // Fail waiting `close` calls at once rather than when the queue is dropped.
        self.commands.close();
        while let Ok(command) = self.commands.try_recv() {
            if let Command::Close(done) = command {
                let _ = done.send(Ok(()));
            }
        }
        let reason = match (&error, reason.is_empty()) {
            (Some(error), true) => error.to_string(),
            _ => reason,
        };
        if let Some(error) = error {
            let _ = self.events.send(Err(error)).await;
        }
        let _ = self.events.send(Ok(Event::Closed { code, reason })).await;
    }

    /// Reconnects with backoff. `Err(None)`: the session was closed or dropped meanwhile.
    async fn reconnect(&mut self, lost: WsError) -> Result<Socket, Option<WsError>> {
        let (Some(target), Some(policy)) = (&self.target, self.config.reconnect) else {
            return Err(Some(lost));
        };
        let started = Instant::now();
        let mut last = lost;
        let mut attempts = 0;
        while attempts < policy.max_attempts {
            let delay = Reconnect::delay(&policy, attempts + 1, random_u64());
            if started.elapsed().saturating_add(delay) > policy.budget {
                break;
            }
            attempts += 1;
            let event = Event::Reconnecting {
                attempt: attempts,
                delay,
            };
            if self.events.send(Ok(event)).await.is_err() {
                return Err(None);
            }
            let attempt = async {
                sleep(delay).await;
                target.connect().await
            };
            let result = tokio::select! {
                result = attempt => result,
                () = wait_closing(&self.shared) => return Err(None),
            };
            match result {
                Ok(socket) => {
                    if self.events.send(Ok(Event::Reconnected)).await.is_err() {
                        return Err(None);
                    }
                    return Ok(socket);
                }
                Err(error) => last = error,
            }
        }
        Err(Some(WsError::ReconnectExhausted {
            channel: self.channel,
            attempts,
            elapsed: started.elapsed(),
            last: Box::new(last),
        }))
    }

    /// Runs one connection until it ends.
    async fn connection(&mut self, socket: Socket) -> End {
        let (sink, stream) = socket.split();
        let clock = Clock::new();
        let reader = read(
            self.channel,
            stream,
            &self.events,
            &clock,
            self.config.pong_timeout,
        );
        let writer = Writer {
            channel: self.channel,
            sink,
            config: &self.config,
            clock: &clock,
            shared: &self.shared,
        }
        .run(&mut self.commands);
        tokio::select! {
            end = reader => end,
            end = writer => end,
        }
    }
}

/// Waits until the session is closed by the client or dropped.
async fn wait_closing(shared: &Shared) {
    loop {
        let notified = shared.wake.notified();
        if shared.closing.load(Ordering::SeqCst) {
            return;
        }
        notified.await;
    }
}

/// Times of the last activity, shared by the reader and the writer of one connection, in
/// milliseconds since the connection started.
struct Clock {
    start: Instant,
    /// Any frame received.
    received: AtomicU64,
    /// A text or binary frame, either way.
    data: AtomicU64,
    /// The reader is waiting to hand a message to the application: a silence is then ours,
    /// not the peer's.
    delivering: AtomicBool,
    /// The peer's close frame arrived: the reader is finishing the close handshake, and a
    /// failing write is no news.
    peer_closed: AtomicBool,
    /// Our close frame went out: the peer's close frame is the answer.
    we_closed: AtomicBool,
}

impl Clock {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            received: AtomicU64::new(0),
            data: AtomicU64::new(0),
            delivering: AtomicBool::new(false),
            peer_closed: AtomicBool::new(false),
            we_closed: AtomicBool::new(false),
        }
    }

    fn now(&self) -> u64 {
        millis(self.start.elapsed())
    }

    fn at(&self, ms: u64) -> Instant {
        self.start + Duration::from_millis(ms)
    }

    fn mark_received(&self) {
        self.received.fetch_max(self.now(), Ordering::Relaxed);
    }

    /// The last time the peer showed signs of life (now while we are the ones not reading).
    fn last_received(&self) -> u64 {
        if self.delivering.load(Ordering::Relaxed) {
            self.now()
        } else {
            self.received.load(Ordering::Relaxed)
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Reads frames and delivers them until the connection ends.
async fn read(
    channel: &'static str,
    mut stream: futures_util::stream::SplitStream<Socket>,
    events: &mpsc::Sender<Item>,
    clock: &Clock,
    close_timeout: Duration,
) -> End {
    loop {
        let item = stream.next().await;
        let now = clock.now();
        clock.received.fetch_max(now, Ordering::Relaxed);
        let frame = match item {
            Some(Ok(Message::Text(text))) => Frame::Text(text.as_str().to_owned()),
            Some(Ok(Message::Binary(data))) => Frame::Binary(data),
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            Some(Ok(Message::Close(frame))) => {
                clock.peer_closed.store(true, Ordering::SeqCst);
                if !clock.we_closed.load(Ordering::SeqCst) {
                    // Let tungstenite send its answer (it goes out on the next read) and see
                    // the connection end.
                    let drain = async { while stream.next().await.is_some() {} };
                    let _ = tokio::time::timeout(close_timeout, drain).await;
                }
                let (code, reason) = match frame {
                    Some(frame) => (Some(u16::from(frame.code)), frame.reason.to_string()),
                    None => (None, String::new()),
                };
                return End::Closed { code, reason };
            }
            Some(Err(error)) => return End::Failed(transport_error(channel, error)),
            None => {
                return End::Failed(WsError::Transport {
                    channel,
                    reason: "the server went away without a close frame".into(),
                    source: None,
                });
            }
        };
        clock.data.fetch_max(now, Ordering::Relaxed);
        let event = Ok(Event::Message(frame));
        match events.try_send(event) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Closed(_)) => return End::Gone,
            Err(mpsc::error::TrySendError::Full(event)) => {
                clock.delivering.store(true, Ordering::Relaxed);
                let sent = events.send(event).await;
                clock.mark_received();
                clock.delivering.store(false, Ordering::Relaxed);
                if sent.is_err() {
                    return End::Gone;
                }
            }
        }
    }
}

fn transport_error(channel: &'static str, error: tungstenite::Error) -> WsError {
    match error {
        tungstenite::Error::Io(source) => WsError::Transport {
            channel,
            reason: source.to_string(),
            source: Some(source),
        },
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            WsError::Transport {
                channel,
                reason: "the connection is closed".into(),
                source: None,
            }
        }
        // Protocol, capacity and UTF-8 errors name no URL and carry no secret.
        other => WsError::Transport {
            channel,
            reason: other.to_string(),
            source: None,
        },
    }
}

/// Writes queued messages, pings and the close frame, and watches the deadlines.
struct Writer<'a> {
    channel: &'static str,
    sink: futures_util::stream::SplitSink<Socket, Message>,
    config: &'a WsConfig,
    clock: &'a Clock,
    shared: &'a Shared,
}

/// The most queued messages written before one flush.
const BATCH: usize = 64;

impl Writer<'_> {
    async fn run(mut self, commands: &mut mpsc::Receiver<Command>) -> End {
        let config = self.config;
        let ping_every = millis(config.ping_interval);
        let pong_within = millis(config.pong_timeout);
        let idle_after = millis(config.idle_timeout);
        let mut last_ping = 0_u64;
        let mut last_sent_data = 0_u64;
        // When a ping went out that nothing has answered yet.
        let mut unanswered: Option<u64> = None;
        // When our close frame went out.
        let mut close_sent: Option<u64> = None;
        let timer = sleep_until(self.clock.at(ping_every));
        let mut timer = pin!(timer);
        loop {
            let wake = self.shared.wake.notified();
            tokio::select! {
                command = commands.recv(), if close_sent.is_none() => {
                    let Some(command) = command else { return End::Gone };
                    let mut next = Some(command);
                    let mut fed = 0;
                    while let Some(command) = next.take() {
                        match command {
                            Command::Send(message) => {
                                if let Err(end) = self.write(message, false).await {
                                    return end;
                                }
                                last_sent_data = self.clock.now();
                                fed += 1;
                                if fed < BATCH {
                                    next = commands.try_recv().ok();
                                }
                            }
                            Command::Close(done) => {
                                self.clock.we_closed.store(true, Ordering::SeqCst);
                                let result = self.close_frame(CloseCode::Normal, "").await;
                                let failed = result.is_err();
                                let _ = done.send(result.map_err(|end| match end {
                                    End::Failed(error) => error,
                                    _ => WsError::Closed { channel: self.channel },
                                }));
                                if failed {
                                    return End::CloseUnanswered;
                                }
                                close_sent = Some(self.clock.now());
                            }
                        }
                    }
                    if close_sent.is_none()
                        && let Err(end) = self.flush().await
                    {
                        return end;
                    }
                }
                () = wake => {
                    if self.shared.dropped.load(Ordering::SeqCst) {
                        let _ = tokio::time::timeout(
                            config.pong_timeout,
                            self.sink.send(close_message(CloseCode::Away, "client dropped the session")),
                        )
                        .await;
                        return End::Gone;
                    }
                }
                () = &mut timer => {}
            }
            if self.clock.peer_closed.load(Ordering::SeqCst) {
                // The reader finishes the close handshake and ends the connection.
                return std::future::pending().await;
            }
            // Deadlines, checked after every wake-up (cheap: a few atomic loads).
            let now = self.clock.now();
            if let Some(sent) = close_sent {
                if now >= sent.saturating_add(pong_within) {
                    return End::CloseUnanswered;
                }
                timer
                    .as_mut()
                    .reset(self.clock.at(sent.saturating_add(pong_within)));
                continue;
            }
            let received = self.clock.last_received();
            if let Some(sent) = unanswered {
                if received >= sent {
                    unanswered = None;
                } else if now >= sent.saturating_add(pong_within) {
                    return End::Failed(WsError::DeadPeer {
                        channel: self.channel,
                        timeout: config.pong_timeout,
                    });
                }
            }
            let data = self.clock.data.load(Ordering::Relaxed).max(last_sent_data);
            if now >= data.saturating_add(idle_after) {
                let _ = tokio::time::timeout(
                    config.pong_timeout,
                    self.sink.send(close_message(CloseCode::Normal, "idle")),
                )
                .await;
                return End::Failed(WsError::Idle {
                    channel: self.channel,
                    after: config.idle_timeout,
                });
            }
            if now >= last_ping.saturating_add(ping_every) {
                let payload = Bytes::copy_from_slice(&now.to_be_bytes());
                if let Err(end) = self.write(Message::Ping(payload), true).await {
                    return end;
                }
                last_ping = self.clock.now();
                unanswered.get_or_insert(last_ping);
            }
            let mut next = last_ping.saturating_add(ping_every);
            next = next.min(data.saturating_add(idle_after));
            if let Some(sent) = unanswered {
                next = next.min(sent.saturating_add(pong_within));
            }
            if timer.deadline() != self.clock.at(next) {
                timer.as_mut().reset(self.clock.at(next));
            }
        }
    }

    /// Writes one message (and flushes if `flush`). A write the peer does not take within
    /// the pong timeout, while nothing is received either, means a dead peer.
    async fn write(&mut self, message: Message, flush: bool) -> Result<(), End> {
        let channel = self.channel;
        let clock = self.clock;
        let patience = self.config.pong_timeout;
        let sink = &mut self.sink;
        let write = async move {
            if flush {
                sink.send(message).await
            } else {
                sink.feed(message).await
            }
        };
        let result = stall_guard(write, clock, patience, channel).await?;
        self.check(result).await
    }

    /// A write error ends the connection, unless the peer is closing it: the reader then
    /// reports the close.
    async fn check(&self, result: Result<(), tungstenite::Error>) -> Result<(), End> {
        match result {
            Ok(()) => Ok(()),
            Err(_) if self.clock.peer_closed.load(Ordering::SeqCst) => std::future::pending().await,
            Err(error) => Err(End::Failed(transport_error(self.channel, error))),
        }
    }

    async fn flush(&mut self) -> Result<(), End> {
        let channel = self.channel;
        let clock = self.clock;
        let patience = self.config.pong_timeout;
        let result = stall_guard(self.sink.flush(), clock, patience, channel).await?;
        self.check(result).await
    }

    async fn close_frame(&mut self, code: CloseCode, reason: &'static str) -> Result<(), End> {
        self.write(close_message(code, reason), true).await
    }
}

fn close_message(code: CloseCode, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// Runs `write`; if it is still pending after `patience` with nothing received meanwhile,
/// the peer is dead. The timer is only armed when the write does not finish at once.
async fn stall_guard<F: Future>(
    write: F,
    clock: &Clock,
    patience: Duration,
    channel: &'static str,
) -> Result<F::Output, End> {
    let mut write = pin!(write);
    if let Poll::Ready(output) = poll_fn(|cx| Poll::Ready(write.as_mut().poll(cx))).await {
        return Ok(output);
    }
    let mut since = clock.now();
    loop {
        tokio::select! {
            output = write.as_mut() => return Ok(output),
            () = sleep(patience) => {
                let received = clock.last_received();
                if received <= since {
                    return Err(End::Failed(WsError::DeadPeer { channel, timeout: patience }));
                }
                since = received;
            }
        }
    }
}
