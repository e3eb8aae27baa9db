//! The control task of a session: it owns the writing half of the connection and, through its
//! [`Writer`], sends what the handles queue, the pings and the answers the reader owes (pongs,
//! the close answer), watches the deadlines, and decides what happens when a connection ends
//! (reconnect, or end the session).
//!
//! It never reads: [`WsSession::recv`](super::WsSession::recv) reads the socket in the
//! caller's task. The two meet in a [`Link`] per connection (what the reader has seen, and
//! how the connection ended on its side) and in the hand-over queue, through which the
//! control task gives the reader lifecycle events and new connections.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};
use tokio_tungstenite::WebSocketStream;

use super::config::{Reconnect, WsConfig, random_u64};
use super::error::WsError;
use super::frame::Event;
use super::link::{Command, End, Handover, Link, Reading, Shared};
use super::transport::Target;
use super::transport::socket::{Socket, WriteSide};
use super::writer::{Clock, Writer};

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
