//! The WebSocket mock server: the channels of an AsyncAPI 3.0 document on `127.0.0.1`.
//!
//! [`WsMockServer`] reads the AsyncAPI document to learn each channel's address, its query
//! parameters (the WebSocket binding's `query` schema), the messages a client may send (the
//! `receive` operations: the document describes the server) and the messages it may receive
//! (the `send` operations). Message payloads are `$ref`s into the OpenAPI document; they are
//! judged with the same [`SchemaValidator`] as the REST mock.
//!
//! On every upgrade request the mock checks the path, the key (the query parameter of the
//! document's `httpApiKey` scheme; a wrong or missing key is answered `401`, or closed with
//! `4001` after the upgrade) and the query (against the binding's schema; a bad query is
//! answered `400`). Once connected it runs the greeting (by default the example of the
//! channel's `x-initial-message`), the test's [`on_connect`](WsMockServer::on_connect)
//! actions, then answers every client message with the actions of the channel's
//! [`script`](WsMockServer::script_channel). Every client text frame is validated against the
//! client messages of its channel, every binary frame is checked to be allowed on its channel,
//! and every [`Action::Send`] of a script against the server messages: failures are
//! violations.
//!
//! Dropping the server stops it: the accept loop and every connection task are aborted.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::record::Journal;
use super::schema::{SchemaError, SchemaValidator};
use super::ws_session::serve;
use super::ws_spec::{ChannelSpec, KeyPlace, read_asyncapi};

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

/// A new connection as [`WsMockServer::on_connect`] sees it.
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

/// A local WebSocket server for the channels of an AsyncAPI document (see the module docs).
pub struct WsMockServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for WsMockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsMockServer")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

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

/// Why the AsyncAPI document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WsMockError {
    /// The payload schemas could not be loaded.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The AsyncAPI document says something the mock cannot follow.
    #[error("{0}")]
    AsyncApi(String),
}

impl WsMockServer {
    /// Starts a server from parsed documents: `openapi` for the payload schemas (its
    /// document, with the channels' query schemas added, is loaded into a new validator),
    /// `asyncapi` for the channels.
    pub async fn start_with(
        openapi: &SchemaValidator,
        asyncapi: &Value,
        api_key: &str,
    ) -> Result<WsMockServer, WsMockError> {
        let listener = super::http::bind().await;
        let mut server = Self::unstarted(openapi, asyncapi, api_key, &listener)?;
        server.task = tokio::spawn(serve(listener, Arc::clone(&server.shared)));
        Ok(server)
    }

    /// A server for `listener` whose connections someone else accepts (its task does
    /// nothing).
    pub(super) fn unstarted(
        openapi: &SchemaValidator,
        asyncapi: &Value,
        api_key: &str,
        listener: &TcpListener,
    ) -> Result<WsMockServer, WsMockError> {
        let (document, channels, key_place) = read_asyncapi(openapi.document(), asyncapi)?;
        let validator = SchemaValidator::from_openapi_with_files(
            document,
            openapi.uri(),
            openapi.files().to_vec(),
        )?;
        let address = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("ws mock: no local address: {error}"));
        let shared = Arc::new(Shared {
            validator,
            channels,
            key_place,
            api_key: api_key.to_owned(),
            behaviour: Mutex::new(Behaviour {
                script: Arc::new(|_| Vec::new()),
                channel_scripts: Vec::new(),
                greeting: None,
                channel_greetings: Vec::new(),
                on_connect: Arc::new(|_| Vec::new()),
                close_wrong_key: false,
            }),
            connections: Journal::default(),
            messages: Journal::default(),
            pings: Mutex::new(0),
            next_connection: Mutex::new(0),
        });
        Ok(WsMockServer {
            address,
            shared,
            task: tokio::spawn(async {}),
        })
    }

    pub(super) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// `http://127.0.0.1:PORT`, to give to the client as its base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The channel ids the document declares.
    pub fn channels(&self) -> Vec<String> {
        self.shared.channels.iter().map(|c| c.id.clone()).collect()
    }

    /// Answers every following client message with what `script` returns (on channels
    /// without a script of their own).
    pub fn script(&self, script: impl Fn(&Turn) -> Vec<Action> + Send + Sync + 'static) {
        self.behaviour().script = Arc::new(script);
    }

    /// Answers every following client message on `channel` with what `script` returns.
    pub fn script_channel(
        &self,
        channel: &str,
        script: impl Fn(&Turn) -> Vec<Action> + Send + Sync + 'static,
    ) {
        let mut behaviour = self.behaviour();
        behaviour.channel_scripts.retain(|(id, _)| id != channel);
        behaviour
            .channel_scripts
            .push((channel.to_owned(), Arc::new(script)));
    }

    /// Replaces what every new connection is sent first (by default the example of the
    /// channel's `x-initial-message`, if it declares one).
    pub fn greeting(&self, actions: impl Fn(&Connected) -> Vec<Action> + Send + Sync + 'static) {
        self.behaviour().greeting = Some(Arc::new(actions));
    }

    /// Replaces what every new connection on `channel` is sent first.
    pub fn greeting_channel(
        &self,
        channel: &str,
        actions: impl Fn(&Connected) -> Vec<Action> + Send + Sync + 'static,
    ) {
        let mut behaviour = self.behaviour();
        behaviour.channel_greetings.retain(|(id, _)| id != channel);
        behaviour
            .channel_greetings
            .push((channel.to_owned(), Arc::new(actions)));
    }

    /// Runs `actions` on every following connection, right after its greeting.
    pub fn on_connect(&self, actions: impl Fn(&Connected) -> Vec<Action> + Send + Sync + 'static) {
        self.behaviour().on_connect = Arc::new(actions);
    }

    /// Refuses a wrong key after the upgrade, as some servers do: the connection
    /// is accepted, then closed with `4001 Invalid API key` before any message (by default
    /// the upgrade itself is refused with HTTP 401). The upgrade is still recorded with its
    /// violation.
    pub fn close_wrong_key_after_upgrade(&self) {
        self.behaviour().close_wrong_key = true;
    }

    /// Every upgrade request so far, in order.
    pub fn connections(&self) -> Vec<RecordedConnection> {
        self.shared.connections.items()
    }

    /// Every client frame so far, in order.
    pub fn messages(&self) -> Vec<RecordedMessage> {
        self.shared.messages.items()
    }

    /// How many pings clients sent.
    pub fn pings(&self) -> usize {
        *self
            .shared
            .pings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Every failed check so far: upgrade requests, then messages.
    pub fn violations(&self) -> Vec<String> {
        let mut violations = self.shared.connections.violations();
        violations.extend(self.shared.messages.violations());
        violations
    }

    /// Waits until at least `count` client frames were received.
    ///
    /// # Panics
    ///
    /// After ten seconds without them.
    pub async fn wait_for_messages(&self, count: usize) -> Vec<RecordedMessage> {
        for _ in 0..2000 {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!(
            "ws mock: expected {count} messages, got {:?}",
            self.messages()
        );
    }

    fn behaviour(&self) -> std::sync::MutexGuard<'_, Behaviour> {
        self.shared.behaviour()
    }
}

impl Drop for WsMockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
