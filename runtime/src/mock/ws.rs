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
use super::schema::SchemaValidator;
use super::ws_script::{Behaviour, Shared};
use super::ws_session::serve;
use super::ws_spec::read_asyncapi;

pub use super::ws_script::{
    Action, ClientFrame, Connected, OnConnect, RecordedConnection, RecordedMessage, Script, Turn,
};
pub use super::ws_spec::WsMockError;

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
