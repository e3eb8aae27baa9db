//! The writing half of a connection, driven by the control task: queued messages, pings, the
//! answers the reader owes (pongs, the close answer), the deadlines, and stalled writes.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::SinkExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, Sleep, sleep, sleep_until};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};

use super::config::WsConfig;
use super::error::WsError;
use super::link::{Command, End, Link, Shared, transport_error};
use super::transport::socket::WriteSide;
use crate::clock::millis;

/// Milliseconds since the connection started, and what the reader had seen at the last look.
pub(super) struct Clock {
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
    pub(super) fn new() -> Self {
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

/// Writes queued messages, pings and the close frame, and watches the deadlines.
pub(super) struct Writer<'a> {
    pub(super) channel: &'static str,
    pub(super) sink: WebSocketStream<WriteSide>,
    pub(super) config: &'a WsConfig,
    pub(super) clock: Clock,
    pub(super) link: &'a Link,
    pub(super) shared: &'a Shared,
}

/// What the writer keeps between wake-ups, in milliseconds since the connection started.
#[derive(Default)]
struct Marks {
    last_ping: u64,
    last_sent_data: u64,
    /// When a ping went out that nothing has answered yet.
    unanswered: Option<u64>,
    /// When our close frame went out.
    close_sent: Option<u64>,
}

/// The most queued messages written before one flush.
const BATCH: usize = 64;

impl Writer<'_> {
    pub(super) async fn run(mut self, commands: &mut mpsc::Receiver<Command>) -> End {
        let mut marks = Marks::default();
        let timer = sleep_until(self.clock.at(millis(self.config.ping_interval)));
        let mut timer = pin!(timer);
        let link = self.link;
        loop {
            let wake = self.shared.wake.notified();
            let step = tokio::select! {
                command = commands.recv(), if marks.close_sent.is_none() => {
                    let Some(command) = command else { return End::Gone };
                    self.commands(command, commands, &mut marks).await
                }
                () = wake => self.woken().await,
                () = &mut timer => Ok(()),
                () = link.owed.notified() => self.answer(marks.close_sent).await,
            };
            if let Err(end) = step {
                return end;
            }
            if link.peer_closed.load(Ordering::SeqCst) {
                // The reader finishes the close handshake and reports the end.
                return std::future::pending().await;
            }
            if let Err(end) = self.keep_time(&mut marks, timer.as_mut()).await {
                return end;
            }
        }
    }

    /// Writes `first` and the commands queued behind it (up to a batch), then flushes.
    async fn commands(
        &mut self,
        first: Command,
        commands: &mut mpsc::Receiver<Command>,
        marks: &mut Marks,
    ) -> Result<(), End> {
        let mut next = Some(first);
        let mut fed = 0;
        while let Some(command) = next.take() {
            match command {
                Command::Send(message) => {
                    self.write(message, false).await?;
                    marks.last_sent_data = self.clock.now();
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
                        _ => WsError::Closed {
                            channel: self.channel,
                        },
                    }));
                    if failed {
                        return Err(End::CloseUnanswered);
                    }
                    marks.close_sent = Some(self.clock.now());
                }
            }
        }
        if marks.close_sent.is_none() {
            self.flush().await?;
        }
        Ok(())
    }

    /// The session woke the writer: when it was dropped, a last close frame and the end.
    async fn woken(&mut self) -> Result<(), End> {
        if self.shared.dropped.load(Ordering::SeqCst) {
            let _ = tokio::time::timeout(
                self.config.pong_timeout,
                self.sink
                    .send(close_message(CloseCode::Away, "client dropped the session")),
            )
            .await;
            return Err(End::Gone);
        }
        Ok(())
    }

    /// Writes what the reader owes the peer: the answer to its close, or a pong.
    async fn answer(&mut self, close_sent: Option<u64>) -> Result<(), End> {
        let answers = self.link.take_answers();
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
        {
            self.write(Message::Pong(payload), true).await?;
        }
        Ok(())
    }

    /// The deadlines, checked after every wake-up (cheap: a few atomic loads): the close
    /// answer, the pong, idleness, and the next ping; `timer` is set to the next of them.
    async fn keep_time(
        &mut self,
        marks: &mut Marks,
        mut timer: Pin<&mut Sleep>,
    ) -> Result<(), End> {
        let config = self.config;
        let ping_every = millis(config.ping_interval);
        let pong_within = millis(config.pong_timeout);
        let idle_after = millis(config.idle_timeout);
        self.clock.look(self.link);
        let now = self.clock.now();
        if let Some(sent) = marks.close_sent {
            // The answer may be waiting unread while nobody reads.
            let deadline = sent
                .max(self.clock.last_received)
                .saturating_add(pong_within);
            if now >= deadline {
                return Err(End::CloseUnanswered);
            }
            timer.as_mut().reset(self.clock.at(deadline));
            return Ok(());
        }
        if let Some(sent) = marks.unanswered {
            if self.clock.last_received >= sent {
                marks.unanswered = None;
            } else if now >= sent.saturating_add(pong_within) {
                return Err(End::Failed(WsError::DeadPeer {
                    channel: self.channel,
                    timeout: config.pong_timeout,
                }));
            }
        }
        let data = self.clock.last_data.max(marks.last_sent_data);
        if now >= data.saturating_add(idle_after) {
            let _ = tokio::time::timeout(
                config.pong_timeout,
                self.sink.send(close_message(CloseCode::Normal, "idle")),
            )
            .await;
            return Err(End::Failed(WsError::Idle {
                channel: self.channel,
                after: config.idle_timeout,
            }));
        }
        if now >= marks.last_ping.saturating_add(ping_every) {
            let payload = Bytes::copy_from_slice(&now.to_be_bytes());
            self.write(Message::Ping(payload), true).await?;
            // Frames counted from here on answer this ping.
            self.clock.look(self.link);
            marks.last_ping = self.clock.now().max(self.clock.last_received + 1);
            marks.unanswered.get_or_insert(marks.last_ping);
        }
        let mut next = marks.last_ping.saturating_add(ping_every);
        next = next.min(data.saturating_add(idle_after));
        if let Some(sent) = marks.unanswered {
            next = next.min(sent.saturating_add(pong_within));
        }
        if timer.deadline() != self.clock.at(next) {
            timer.as_mut().reset(self.clock.at(next));
        }
        Ok(())
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
