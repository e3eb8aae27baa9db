//! The control task of a session: it owns the writing half of the connection, sends what the
//! handles queue, the pings and the answers the reader owes (pongs, the close answer),
//! watches the deadlines, and decides what happens when a connection ends (reconnect, or end
//! the session).
//!
//! It never reads: [`WsSession::recv`](super::WsSession::recv) reads the socket in the
//! caller's task. The two meet in a [`Link`] per connection (what the reader has seen, and
//! how the connection ended on its side) and in the hand-over queue, through which the
//! control task gives the reader lifecycle events and new connections.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::SinkExt;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::time::{Instant, sleep, sleep_until};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};

use super::config::{Reconnect, WsConfig, random_u64};
use super::error::WsError;
use super::frame::{Event, Frame};
use super::transport::{FrameReader, Socket, Target, WriteSide};
use crate::clock::millis;

pub(super) type Item = Result<Event<Frame>, WsError>;

pub(super) enum Command {
    Send(Message),
    Close(oneshot::Sender<Result<(), WsError>>),
}

/// State shared by the handles, the reader and the control task.
pub(super) struct Shared {
    /// Set once the session takes no more messages (closed by the client, or ended).
    pub(super) closing: AtomicBool,
    /// Set when the [`WsSession`](super::WsSession) is dropped.
    pub(super) dropped: AtomicBool,
    /// Wakes the control task when `closing` or `dropped` is set.
    pub(super) wake: Notify,
    /// How many items the control task has put in the hand-over queue: the reader compares
    /// it with its own count to learn, without polling the queue, that it must stop reading.
    pub(super) handed_over: AtomicU64,
}

impl Shared {
    pub(super) fn new() -> Self {
        Self {
            closing: AtomicBool::new(false),
            dropped: AtomicBool::new(false),
            wake: Notify::new(),
            handed_over: AtomicU64::new(0),
        }
    }
}

/// What the control task gives the reader. Every item means: the connection being read is
/// over.
pub(super) enum Handover {
    /// An event to deliver (`Reconnecting`, an error, `Closed`).
    Event(Item),
    /// A new connection to read; deliver `Reconnected`.
    Reconnected(Box<Reading>),
}

/// The reading half of one connection.
pub(super) struct Reading {
    pub(super) stream: FrameReader,
    pub(super) link: Arc<Link>,
}

/// What the reader and the control task share about one connection.
pub(super) struct Link {
    /// Frames read (any kind), then data frames read: counters that only the reader writes,
    /// so that it pays no clock reading per frame. The control task compares them at each
    /// wake-up.
    pub(super) frames: AtomicU64,
    pub(super) data: AtomicU64,
    /// The reader is waiting on the socket. While it is not, a silence is ours (nobody is
    /// reading), not the peer's.
    pub(super) reading: AtomicBool,
    /// The peer's close frame arrived: the reader is finishing the close handshake, and a
    /// failing write is no news.
    pub(super) peer_closed: AtomicBool,
    /// Our close frame went out: the peer's close frame is the answer.
    pub(super) we_closed: AtomicBool,
    /// What the reader owes the peer and the writer sends (the reader's tungstenite context
    /// cannot write), with `owed` to wake the writer.
    answers: Mutex<Answers>,
    owed: Notify,
    /// How the connection ended, as the reader saw it.
    end: Mutex<Option<End>>,
    ended: Notify,
}

impl Link {
    pub(super) fn new() -> Self {
        Self {
            frames: AtomicU64::new(0),
            data: AtomicU64::new(0),
            reading: AtomicBool::new(false),
            peer_closed: AtomicBool::new(false),
            we_closed: AtomicBool::new(false),
            answers: Mutex::new(Answers::default()),
            owed: Notify::new(),
            end: Mutex::new(None),
            ended: Notify::new(),
        }
    }

    /// The reader read a ping: the writer answers it. Only the last ping needs an answer
    /// (RFC 6455, section 5.5.3).
    pub(super) fn owe_pong(&self, payload: Bytes) {
        if let Ok(mut answers) = self.answers.lock() {
            answers.pong = Some(payload);
        }
        self.owed.notify_one();
    }

    /// The reader read the peer's close frame: the writer answers it with the same code,
    /// unless our own close frame went out first.
    pub(super) fn owe_close(&self, code: Option<u16>) {
        if let Ok(mut answers) = self.answers.lock() {
            answers.close = Some(code);
        }
        self.owed.notify_one();
    }

    fn take_answers(&self) -> Answers {
        self.answers
            .lock()
            .map(|mut answers| std::mem::take(&mut *answers))
            .unwrap_or_default()
    }

    /// The reader reports the end of the connection.
    pub(super) fn end(&self, end: End) {
        if let Ok(mut slot) = self.end.lock() {
            slot.get_or_insert(end);
        }
        self.ended.notify_one();
    }

    async fn wait_end(&self) -> End {
        loop {
            if let Some(end) = self.end.lock().ok().and_then(|mut slot| slot.take()) {
                return end;
            }
            self.ended.notified().await;
        }
    }
}

/// Frames the writer owes the peer.
#[derive(Default)]
struct Answers {
    pong: Option<Bytes>,
    /// The code of the peer's close frame, to echo.
    close: Option<Option<u16>>,
}

/// How one connection ended.
pub(super) enum End {
    /// A close handshake: the server's close frame (an answer to ours, or its own).
    Closed { code: Option<u16>, reason: String },
    /// The client closed and the server did not answer in time.
    CloseUnanswered,
    /// The connection was lost or must be given up.
    Failed(WsError),
    /// The session was dropped: nobody is listening.
    Gone,
}

/// The control task.
pub(super) struct Control {
    pub(super) channel: &'static str,
    /// How to reconnect; `None` for sessions built on a given stream (tests).
    pub(super) target: Option<Target>,
    pub(super) config: WsConfig,
    pub(super) commands: mpsc::Receiver<Command>,
    pub(super) handover: mpsc::UnboundedSender<Handover>,
    pub(super) shared: Arc<Shared>,
}

impl Control {
    /// Runs the session's connections, starting with the one whose reading half the session
    /// already has.
    pub(super) async fn run(mut self, mut sink: WebSocketStream<WriteSide>, mut link: Arc<Link>) {
        loop {
            let end = self.connection(sink, &link).await;
            let error = match end {
                End::Gone => return,
                End::Closed { code, reason } => {
                    let transient = matches!(code, Some(1001 | 1011 | 1012 | 1013));
                    if !(transient && self.may_reconnect()) {
                        return self.finish(None, code, reason);
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
                    return self.finish(None, None, reason);
                }
                End::Failed(error @ WsError::Idle { .. }) => {
                    return self.finish(Some(error), None, String::new());
                }
                End::Failed(error) if !self.may_reconnect() => {
                    return self.finish(Some(error), None, String::new());
                }
                End::Failed(error) => error,
            };
            match self.reconnect(error).await {
                Ok(socket) => {
                    link = Arc::new(Link::new());
                    sink = socket.writer;
                    let reading = Reading {
                        stream: socket.reader,
                        link: Arc::clone(&link),
                    };
                    if !self.hand_over(Handover::Reconnected(Box::new(reading))) {
                        return;
                    }
                }
                Err(Some(error)) => return self.finish(Some(error), None, String::new()),
                Err(None) if self.shared.dropped.load(Ordering::SeqCst) => return,
                Err(None) => {
                    let reason = "closed by the client while reconnecting".to_owned();
                    return self.finish(None, None, reason);
                }
            }
        }
    }

    /// Gives the reader an item; `false` when the session is gone.
    fn hand_over(&self, item: Handover) -> bool {
        let sent = self.handover.send(item).is_ok();
        self.shared.handed_over.fetch_add(1, Ordering::Release);
        sent
    }

    fn may_reconnect(&self) -> bool {
        self.target.is_some()
            && self.config.reconnect.is_some()
            && !self.shared.closing.load(Ordering::SeqCst)
    }

    /// Ends the session: stops taking messages, reports `error` if any, then `Closed`.
    fn finish(mut self, error: Option<WsError>, code: Option<u16>, reason: String) {
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
            // The server's reason may quote what it refused.
            _ => match &self.target {
                Some(target) => target.scrub(&reason),
                None => reason,
            },
        };
        if let Some(error) = error {
            self.hand_over(Handover::Event(Err(error)));
        }
        self.hand_over(Handover::Event(Ok(Event::Closed { code, reason })));
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
            if !self.hand_over(Handover::Event(Ok(event))) {
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
                Ok(socket) => return Ok(socket),
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

    /// Runs one connection until it ends, on the writer's side or the reader's.
    async fn connection(&mut self, sink: WebSocketStream<WriteSide>, link: &Link) -> End {
        let writer = Writer {
            channel: self.channel,
            sink,
            config: &self.config,
            clock: Clock::new(),
            link,
            shared: &self.shared,
        }
        .run(&mut self.commands);
        tokio::select! {
            end = writer => end,
            end = link.wait_end() => end,
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

/// Milliseconds since the connection started, and what the reader had seen at the last look.
struct Clock {
    start: Instant,
    /// The reader's frame count at the last look, and when the count last moved (or the
    /// reader was not waiting on the socket).
    frames: u64,
    last_received: u64,
    /// The same for data frames.
    data: u64,
    last_data: u64,
}

impl Clock {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            frames: 0,
            last_received: 0,
            data: 0,
            last_data: 0,
        }
    }

    fn now(&self) -> u64 {
        millis(self.start.elapsed())
    }

    fn at(&self, ms: u64) -> Instant {
        self.start + Duration::from_millis(ms)
    }

    /// Takes in what the reader has seen since the last look.
    fn look(&mut self, link: &Link) {
        let now = self.now();
        let frames = link.frames.load(Ordering::Relaxed);
        if frames != self.frames || !link.reading.load(Ordering::Relaxed) {
            self.frames = frames;
            self.last_received = now;
        }
        let data = link.data.load(Ordering::Relaxed);
        if data != self.data {
            self.data = data;
            self.last_data = now;
        }
    }
}

pub(super) fn transport_error(channel: &'static str, error: tungstenite::Error) -> WsError {
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
    sink: WebSocketStream<WriteSide>,
    config: &'a WsConfig,
    clock: Clock,
    link: &'a Link,
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
        let link = self.link;
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
                                self.link.we_closed.store(true, Ordering::SeqCst);
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
                () = link.owed.notified() => {
                    let answers = link.take_answers();
                    if let Some(code) = answers.close {
                        if close_sent.is_none() {
                            let reply = Message::Close(code.map(|code| CloseFrame {
                                code: CloseCode::from(code),
                                reason: "".into(),
                            }));
                            // A failure here is no news: the reader reports the end.
                            let _ = self.write(reply, true).await;
                        }
                    } else if let Some(payload) = answers.pong
                        && close_sent.is_none()
                        && let Err(end) = self.write(Message::Pong(payload), true).await
                    {
                        return end;
                    }
                }
            }
            if link.peer_closed.load(Ordering::SeqCst) {
                // The reader finishes the close handshake and reports the end.
                return std::future::pending().await;
            }
            // Deadlines, checked after every wake-up (cheap: a few atomic loads).
            self.clock.look(self.link);
            let now = self.clock.now();
            if let Some(sent) = close_sent {
                // The answer may be waiting unread while nobody reads.
                let deadline = sent
                    .max(self.clock.last_received)
                    .saturating_add(pong_within);
                if now >= deadline {
                    return End::CloseUnanswered;
                }
                timer.as_mut().reset(self.clock.at(deadline));
                continue;
            }
            if let Some(sent) = unanswered {
                if self.clock.last_received >= sent {
                    unanswered = None;
                } else if now >= sent.saturating_add(pong_within) {
                    return End::Failed(WsError::DeadPeer {
                        channel: self.channel,
                        timeout: config.pong_timeout,
                    });
                }
            }
            let data = self.clock.last_data.max(last_sent_data);
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
                // Frames counted from here on answer this ping.
                self.clock.look(self.link);
                last_ping = self.clock.now().max(self.clock.last_received + 1);
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
        let link = self.link;
        let patience = self.config.pong_timeout;
        let sink = &mut self.sink;
        let write = async move {
            if flush {
                sink.send(message).await
            } else {
                sink.feed(message).await
            }
        };
        let result = stall_guard(write, link, patience, channel).await?;
        self.check(result).await
    }

    /// A write error ends the connection, unless the peer is closing it: the reader then
    /// reports the close.
    async fn check(&self, result: Result<(), tungstenite::Error>) -> Result<(), End> {
        match result {
            Ok(()) => Ok(()),
            Err(_) if self.link.peer_closed.load(Ordering::SeqCst) => std::future::pending().await,
            Err(error) => Err(End::Failed(transport_error(self.channel, error))),
        }
    }

    async fn flush(&mut self) -> Result<(), End> {
        let channel = self.channel;
        let link = self.link;
        let patience = self.config.pong_timeout;
        let result = stall_guard(self.sink.flush(), link, patience, channel).await?;
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

/// Runs `write`; if it is still pending after `patience` while the reader waits on the
/// socket and receives nothing, the peer is dead. The timer is only armed when the write
/// does not finish at once.
async fn stall_guard<F: Future>(
    write: F,
    link: &Link,
    patience: Duration,
    channel: &'static str,
) -> Result<F::Output, End> {
    let mut write = pin!(write);
    if let Poll::Ready(output) = poll_fn(|cx| Poll::Ready(write.as_mut().poll(cx))).await {
        return Ok(output);
    }
    let mut frames = link.frames.load(Ordering::Relaxed);
    loop {
        tokio::select! {
            output = write.as_mut() => return Ok(output),
            () = sleep(patience) => {
                let now = link.frames.load(Ordering::Relaxed);
                if now == frames && link.reading.load(Ordering::Relaxed) {
                    return Err(End::Failed(WsError::DeadPeer { channel, timeout: patience }));
                }
                frames = now;
            }
        }
    }
}
