//! Where the reader of a session and its control task meet: the state they share, the
//! commands of the handles, the hand-over queue, the [`Link`] of one connection and how a
//! connection ended.

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::{Notify, oneshot};
use tokio_tungstenite::tungstenite::{self, Message};

use super::error::WsError;
use super::frame::{Event, Frame};
use super::transport::socket::FrameReader;

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
    pub(super) owed: Notify,
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

    pub(super) fn take_answers(&self) -> Answers {
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

    pub(super) async fn wait_end(&self) -> End {
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
pub(super) struct Answers {
    pub(super) pong: Option<Bytes>,
    /// The code of the peer's close frame, to echo.
    pub(super) close: Option<Option<u16>>,
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
