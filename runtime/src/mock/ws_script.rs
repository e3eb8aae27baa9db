//! What a WebSocket mock plays and records: the actions of its scripts, the turns and
//! connections they answer, what it records, and the state its connections share. Public
//! through [`mock::ws`](crate::mock::ws).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;

use super::record::Journal;
use super::schema::SchemaValidator;
use super::ws_spec::{ChannelSpec, KeyPlace};

/// What the mock does, one step at a time.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Sends a server message as a text frame. It is checked against the server messages of
    /// the channel: the mock must only send what the schema allows (a failure is a violation).
    Send(Value),
    /// Sends JSON without checking it (an unknown message, a message from a newer server).
    SendUnchecked(Value),
    /// Sends a text frame as it is (for example malformed JSON).
    SendRaw(String),
    /// Sends a binary frame.
    SendBinary(Vec<u8>),
    /// Waits before the next action.
    Sleep(Duration),
    /// Sends a close frame, finishes the close handshake and ends the connection.
    Close {
        /// The close code (1000 for a normal close).
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// Drops the connection without a close frame.
    Drop,
    /// Stops reading and writing: pings go unanswered and messages are not read. The
    /// connection stays open until the client gives up or the mock is dropped.
    GoSilent,
}

/// A frame a client sent.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientFrame {
    /// A text frame that is JSON.
    Json(Value),
    /// A text frame that is not JSON.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

impl ClientFrame {
    /// The JSON of a text frame.
    pub fn json(&self) -> Option<&Value> {
        match self {
            Self::Json(value) => Some(value),
            _ => None,
        }
    }

    /// The bytes of a binary frame.
    pub fn binary(&self) -> Option<&[u8]> {
        match self {
            Self::Binary(data) => Some(data),
            _ => None,
        }
    }

    /// The `messageType` of a JSON message.
    pub fn message_type(&self) -> Option<&str> {
        self.json()?.get("messageType")?.as_str()
    }
}

/// A client message as the script sees it.
#[derive(Clone, Debug)]
pub struct Turn {
    /// The channel id (`agentExecute`, `toolExecute`).
    pub channel: String,
    /// The connection number, from 0, counted over the server's life.
    pub connection: usize,
    /// The message number within the connection, from 0.
    pub index: usize,
    /// The connection's query pairs (the key left out).
    pub query: Vec<(String, String)>,
    /// The frame the client sent.
    pub frame: ClientFrame,
    /// The document's name of the client message it matched (`ExecuteMessage`), if any.
    pub message: Option<String>,
}

/// A new connection as [`WsMockServer::on_connect`](crate::mock::WsMockServer::on_connect) sees it.
#[derive(Clone, Debug)]
pub struct Connected {
    /// The channel id.
    pub channel: String,
    /// The connection number, from 0.
    pub connection: usize,
    /// The connection's query pairs (the key left out).
    pub query: Vec<(String, String)>,
}

/// One upgrade request.
#[derive(Clone, Debug)]
pub struct RecordedConnection {
    /// The connection number (also for refused ones), from 0.
    pub connection: usize,
    /// The channel the path matched, if any.
    pub channel: Option<String>,
    /// The path of the upgrade request.
    pub path: String,
    /// The query pairs, decoded, the key's value replaced by `<key>`.
    pub query: Vec<(String, String)>,
    /// `101` when upgraded, else the refusal's status.
    pub status: u16,
    /// The checks the request failed.
    pub violations: Vec<String>,
}

/// One client frame.
#[derive(Clone, Debug)]
pub struct RecordedMessage {
    /// The connection number, from 0.
    pub connection: usize,
    /// The channel id.
    pub channel: String,
    /// The frame as received.
    pub frame: ClientFrame,
    /// The AsyncAPI message it matched (`ExecuteMessage`, `AudioFrame`, ...).
    pub message: Option<String>,
    /// The checks it failed.
    pub violations: Vec<String>,
}

/// Answers one client message with actions.
pub type Script = Arc<dyn Fn(&Turn) -> Vec<Action> + Send + Sync>;
/// Actions after the `ConnectionStatus` of a new connection.
pub type OnConnect = Arc<dyn Fn(&Connected) -> Vec<Action> + Send + Sync>;

pub(super) struct Shared {
    pub(super) validator: SchemaValidator,
    pub(super) channels: Vec<ChannelSpec>,
    /// Where connections carry the key, when the document says.
    pub(super) key_place: Option<KeyPlace>,
    pub(super) api_key: String,
    pub(super) behaviour: Mutex<Behaviour>,
    pub(super) connections: Journal<RecordedConnection>,
    pub(super) messages: Journal<RecordedMessage>,
    /// Pings received from clients.
    pub(super) pings: Mutex<usize>,
    pub(super) next_connection: Mutex<usize>,
}

pub(super) struct Behaviour {
    /// The script of every channel without one of its own.
    pub(super) script: Script,
    /// Scripts by channel id.
    pub(super) channel_scripts: Vec<(String, Script)>,
    /// What a new connection is sent first.
    pub(super) greeting: Option<OnConnect>,
    /// What a new connection is sent first, by channel id.
    pub(super) channel_greetings: Vec<(String, OnConnect)>,
    pub(super) on_connect: OnConnect,
    /// Whether a wrong key is refused after the upgrade rather than at it.
    pub(super) close_wrong_key: bool,
}

impl Shared {
    pub(super) fn behaviour(&self) -> std::sync::MutexGuard<'_, Behaviour> {
        self.behaviour
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
