//! The WebSocket mock server: the Autessa channels of `schema/asyncapi.yaml` on `127.0.0.1`.
//!
//! [`WsMockServer`] reads the AsyncAPI document to learn each channel's address, its query
//! parameters (the WebSocket binding's `query` schema), the messages a client may send (the
//! `receive` operations: the document describes the server) and the messages it may receive
//! (the `send` operations). Message payloads are `$ref`s into `openapi.yaml`; they are judged
//! with the same [`SchemaValidator`] as the REST mock, against an independent JSON Schema
//! validator.
//!
//! On every upgrade request the mock checks the path, the `authorization` key (a wrong or
//! missing key is answered `401`, like the real server) and the query (`resourceId` and the
//! other parameters, against the binding's schema; a bad query is answered `400`). Once
//! connected it sends a `ConnectionStatus` first, runs the test's
//! [`on_connect`](WsMockServer::on_connect) actions, then answers every client message with
//! the actions of the test's [`script`](WsMockServer::script). Every client text frame is
//! validated against the client messages of its channel, every binary frame is checked to be
//! allowed on its channel (audio on the agent channel), and every [`Action::Send`] of the
//! script against the server messages: failures are violations.
//!
//! The knobs a test needs are actions: [`Action::SendUnchecked`] (an unknown message),
//! [`Action::SendRaw`] (malformed JSON), [`Action::Close`] (a close mid-stream),
//! [`Action::GoSilent`] (no more reading, so pings go unanswered: a dead peer) and
//! [`Action::Drop`] (the TCP connection dropped without a close frame; scripts see the
//! connection number, so "drop once" is `if turn.connection == 0`).
//!
//! Dropping the server stops it: the accept loop and every connection task are aborted.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use super::openapi::resolve;
use super::record::Journal;
use super::schema::{SchemaError, SchemaValidator};

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
    Close { code: u16, reason: String },
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
    pub frame: ClientFrame,
}

/// A new connection as [`WsMockServer::on_connect`] sees it.
#[derive(Clone, Debug)]
pub struct Connected {
    pub channel: String,
    pub connection: usize,
    pub query: Vec<(String, String)>,
}

/// One upgrade request.
#[derive(Clone, Debug)]
pub struct RecordedConnection {
    /// The connection number (also for refused ones), from 0.
    pub connection: usize,
    /// The channel the path matched, if any.
    pub channel: Option<String>,
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
    pub connection: usize,
    pub channel: String,
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

struct Shared {
    validator: SchemaValidator,
    channels: Vec<ChannelSpec>,
    api_key: String,
    behaviour: Mutex<Behaviour>,
    connections: Journal<RecordedConnection>,
    messages: Journal<RecordedMessage>,
    /// Pings received from clients.
    pings: Mutex<usize>,
    next_connection: Mutex<usize>,
}

struct Behaviour {
    script: Script,
    on_connect: OnConnect,
    /// Whether a wrong key is refused after the upgrade rather than at it.
    close_wrong_key: bool,
}

/// What the AsyncAPI document says about one channel.
#[derive(Clone, Debug)]
struct ChannelSpec {
    id: String,
    address: String,
    /// The pointer of the binding's query schema in the validator's document.
    query_schema: Option<String>,
    /// The declared query parameters and their JSON types.
    query_types: Vec<(String, String)>,
    /// Messages a client may send, and those it may receive.
    client: Vec<MessageSpec>,
    server: Vec<MessageSpec>,
}

#[derive(Clone, Debug)]
struct MessageSpec {
    name: String,
    /// The payload schema in the validator's document; `None` for a binary payload.
    schema: Option<String>,
}

impl ChannelSpec {
    fn binary_message(&self, messages: &[MessageSpec]) -> Option<String> {
        messages
            .iter()
            .find(|message| message.schema.is_none())
            .map(|message| message.name.clone())
    }
}

/// Why the AsyncAPI document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WsMockError {
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error("{0}")]
    AsyncApi(String),
}

impl WsMockServer {
    /// Loads `asyncapi.yaml` and `openapi.yaml` from `schema_dir` and starts a server that
    /// expects `api_key`.
    ///
    /// # Panics
    ///
    /// If the documents cannot be loaded or no local port can be bound (this is a test helper).
    pub async fn start(schema_dir: &Path, api_key: &str) -> WsMockServer {
        let openapi = SchemaValidator::from_file(&schema_dir.join("openapi.yaml"))
            .unwrap_or_else(|error| panic!("ws mock: {error}"));
        let asyncapi = std::fs::read_to_string(schema_dir.join("asyncapi.yaml"))
            .unwrap_or_else(|error| panic!("ws mock: cannot read asyncapi.yaml: {error}"));
        let asyncapi: Value = serde_yaml::from_str(&asyncapi)
            .unwrap_or_else(|error| panic!("ws mock: asyncapi.yaml is not YAML: {error}"));
        Self::start_with(&openapi, &asyncapi, api_key)
            .await
            .unwrap_or_else(|error| panic!("ws mock: {error}"))
    }

    /// Starts a server from parsed documents: `openapi` for the payload schemas (its
    /// document, with the channels' query schemas added, is loaded into a new validator),
    /// `asyncapi` for the channels.
    pub async fn start_with(
        openapi: &SchemaValidator,
        asyncapi: &Value,
        api_key: &str,
    ) -> Result<WsMockServer, WsMockError> {
        let (document, channels) = read_asyncapi(openapi.document(), asyncapi)?;
        let validator = SchemaValidator::from_openapi(document, openapi.uri())?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|error| panic!("ws mock: cannot bind 127.0.0.1:0: {error}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("ws mock: no local address: {error}"));
        let shared = Arc::new(Shared {
            validator,
            channels,
            api_key: api_key.to_owned(),
            behaviour: Mutex::new(Behaviour {
                script: Arc::new(|_| Vec::new()),
                on_connect: Arc::new(|_| Vec::new()),
                close_wrong_key: false,
            }),
            connections: Journal::default(),
            messages: Journal::default(),
            pings: Mutex::new(0),
            next_connection: Mutex::new(0),
        });
        let task = tokio::spawn(serve(listener, Arc::clone(&shared)));
        Ok(WsMockServer {
            address,
            shared,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`, to give to the client as its base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The channel ids the document declares.
    pub fn channels(&self) -> Vec<String> {
        self.shared.channels.iter().map(|c| c.id.clone()).collect()
    }

    /// Answers every following client message with what `script` returns.
    pub fn script(&self, script: impl Fn(&Turn) -> Vec<Action> + Send + Sync + 'static) {
        self.behaviour().script = Arc::new(script);
    }

    /// Runs `actions` on every following connection, right after its `ConnectionStatus`.
    pub fn on_connect(&self, actions: impl Fn(&Connected) -> Vec<Action> + Send + Sync + 'static) {
        self.behaviour().on_connect = Arc::new(actions);
    }

    /// Refuses a wrong key the way the Autessa server does after the upgrade: the connection
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
        self.shared
            .behaviour
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for WsMockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `ConnectionStatus` (`CONNECTED`).
pub fn connection_status(connection_id: &str) -> Value {
    json!({"messageType": "STATUS", "status": "CONNECTED", "connectionId": connection_id})
}

/// `StreamedOutputMessage` with a text chunk.
pub fn streamed_text(text: &str, is_final: bool) -> Value {
    json!({"streamedOutput": {"outputType": "TEXT", "transcription": text, "isFinalChunk": is_final}})
}

/// `StreamedOutputMessage` with an audio chunk (`base64_audio`: base64 PCM).
pub fn streamed_audio(
    base64_audio: &str,
    sample_rate: u32,
    transcription: &str,
    is_final: bool,
) -> Value {
    json!({"streamedOutput": {
        "outputType": "AUDIO",
        "base64Audio": base64_audio,
        "sampleRate": sample_rate,
        "transcription": transcription,
        "isFinalChunk": is_final,
    }})
}

/// `ExecutionResult` with one text output.
pub fn execution_result(conversation_id: Option<&str>, text: &str) -> Value {
    let mut result = json!({
        "messageType": "RESULT",
        "output": [{"outputType": "TEXT", "content": text}],
        "errors": [],
    });
    if let Some(id) = conversation_id {
        result["conversationId"] = json!(id);
    }
    result
}

/// `ErrorMessage`.
pub fn error_message(errors: &[&str]) -> Value {
    json!({"messageType": "ERROR", "errors": errors})
}

/// `ToolDebugMessage`.
pub fn tool_debug(line: &str) -> Value {
    json!({"messageType": "DEBUG", "line": line})
}

/// `ToolResultMessage`.
pub fn tool_result(tool_name: &str, response: Value, debug_output: &[String]) -> Value {
    json!({
        "messageType": "RESULT",
        "errors": [],
        "responseType": "EXECUTE_TOOL",
        "toolName": tool_name,
        "response": response,
        "debugOutput": debug_output,
    })
}

/// A script for the agent channel: on every `EXECUTE`, streams the text of its first input
/// back in `chunks` `StreamedOutputMessage`s (the last one final), then an `ExecutionResult`
/// with the whole text, prefixed with `echo: `, and the conversation id of the request.
pub fn agent_echo(chunks: usize) -> impl Fn(&Turn) -> Vec<Action> + Send + Sync + 'static {
    move |turn| {
        if turn.frame.message_type() != Some("EXECUTE") {
            return Vec::new();
        }
        let message = turn.frame.json().cloned().unwrap_or_default();
        let text = message
            .pointer("/input/0/content")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let reply = format!("echo: {text}");
        let mut actions: Vec<Action> = split(&reply, chunks.max(1))
            .iter()
            .enumerate()
            .map(|(n, piece)| Action::Send(streamed_text(piece, n + 1 == chunks.max(1))))
            .collect();
        let conversation = message.get("conversationId").and_then(Value::as_str);
        actions.push(Action::Send(execution_result(conversation, &reply)));
        actions
    }
}

/// Splits `text` into `parts` pieces of about equal length (on character boundaries).
fn split(text: &str, parts: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(parts).max(1);
    let mut pieces: Vec<String> = chars.chunks(size).map(|c| c.iter().collect()).collect();
    pieces.resize(parts, String::new());
    pieces
}

/// Reads the channels of the AsyncAPI document; returns the OpenAPI document with the
/// channels' query schemas added as components (`WsQuery_<channel>`), and the channels.
fn read_asyncapi(
    openapi: &Value,
    asyncapi: &Value,
) -> Result<(Value, Vec<ChannelSpec>), WsMockError> {
    let bad = |message: String| WsMockError::AsyncApi(message);
    let mut document = openapi.clone();
    let channels = asyncapi
        .get("channels")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("asyncapi: no channels".into()))?;
    let operations = asyncapi
        .get("operations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut specs = Vec::new();
    for (id, channel) in channels {
        let address = channel
            .get("address")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("asyncapi: channel {id} has no address")))?
            .to_owned();
        let mut spec = ChannelSpec {
            id: id.clone(),
            address,
            query_schema: None,
            query_types: Vec::new(),
            client: Vec::new(),
            server: Vec::new(),
        };
        if let Some(query) = channel.pointer("/bindings/ws/query") {
            let name = format!("WsQuery_{id}");
            let schema = rewrite_refs(query);
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (property, definition) in properties {
                    let kind = definition
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("string");
                    spec.query_types.push((property.clone(), kind.to_owned()));
                }
            }
            let schemas = document
                .pointer_mut("/components/schemas")
                .and_then(Value::as_object_mut)
                .ok_or_else(|| bad("openapi: no components/schemas".into()))?;
            schemas.insert(name.clone(), schema);
            spec.query_schema = Some(format!("#/components/schemas/{name}"));
        }
        let own = format!("#/channels/{id}");
        for (op_id, operation) in &operations {
            let channel_ref = operation.pointer("/channel/$ref").and_then(Value::as_str);
            if channel_ref != Some(own.as_str()) {
                continue;
            }
            let action = operation.get("action").and_then(Value::as_str);
            let messages = operation
                .get("messages")
                .and_then(Value::as_array)
                .ok_or_else(|| bad(format!("asyncapi: operation {op_id} lists no messages")))?;
            for reference in messages {
                let message = message_spec(asyncapi, reference)
                    .map_err(|why| bad(format!("asyncapi: operation {op_id}: {why}")))?;
                // The document describes the server: what it receives, clients send.
                match action {
                    Some("receive") => spec.client.push(message),
                    Some("send") => spec.server.push(message),
                    other => {
                        return Err(bad(format!(
                            "asyncapi: operation {op_id}: action {other:?}"
                        )));
                    }
                }
            }
        }
        specs.push(spec);
    }
    Ok((document, specs))
}

fn message_spec(asyncapi: &Value, reference: &Value) -> Result<MessageSpec, String> {
    let (message, pointer) = resolve(asyncapi, reference, "");
    if message.get("$ref").is_some() {
        return Err(format!("cannot resolve {reference}"));
    }
    let name = message
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| pointer.rsplit('/').next().unwrap_or_default().to_owned());
    let content_type = message
        .get("contentType")
        .and_then(Value::as_str)
        .or_else(|| asyncapi.get("defaultContentType").and_then(Value::as_str))
        .unwrap_or("application/json");
    if content_type == "application/octet-stream" {
        return Ok(MessageSpec { name, schema: None });
    }
    let payload = message
        .get("payload")
        .ok_or_else(|| format!("message {name} has no payload"))?;
    let schema = payload.get("schema").unwrap_or(payload);
    let target = schema
        .get("$ref")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("message {name}: the payload is not a $ref into openapi.yaml"))?;
    let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
    if !(file.is_empty() || file.ends_with("openapi.yaml")) {
        return Err(format!(
            "message {name}: payload in {file}, not openapi.yaml"
        ));
    }
    Ok(MessageSpec {
        name,
        schema: Some(format!("#{fragment}")),
    })
}

/// Turns `./openapi.yaml#/x` references into `#/x` (the schema is moved into that document).
fn rewrite_refs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    let item = match (key.as_str(), item.as_str()) {
                        ("$ref", Some(target)) => {
                            let fragment = target.split_once('#').map_or(target, |(_, f)| f);
                            Value::String(format!("#{fragment}"))
                        }
                        _ => rewrite_refs(item),
                    };
                    (key.clone(), item)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(rewrite_refs).collect()),
        other => other.clone(),
    }
}

/// Accepts connections until aborted; connection tasks live in a `JoinSet` owned by this
/// future, so aborting it aborts them too.
async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                connections.spawn(connection(stream, Arc::clone(&shared)));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// What the upgrade request said, as judged.
struct Upgrade {
    channel: Option<usize>,
    query: Vec<(String, String)>,
    path: String,
    violations: Vec<String>,
    refusal: Option<(StatusCode, String)>,
    /// A wrong key, to refuse with a close frame after the upgrade.
    wrong_key: bool,
}

fn judge_upgrade(shared: &Shared, request: &Request) -> Upgrade {
    let path = request.uri().path().to_owned();
    let pairs: Vec<(String, String)> = request
        .uri()
        .query()
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let mut upgrade = Upgrade {
        channel: shared.channels.iter().position(|c| c.address == path),
        query: pairs
            .iter()
            .map(|(name, value)| {
                let value = if name == "authorization" {
                    "<key>".into()
                } else {
                    value.clone()
                };
                (name.clone(), value)
            })
            .collect(),
        path: path.clone(),
        violations: Vec::new(),
        refusal: None,
        wrong_key: false,
    };
    let Some(index) = upgrade.channel else {
        upgrade
            .violations
            .push(format!("GET {path}: no channel has this address"));
        upgrade.refusal = Some((StatusCode::NOT_FOUND, "Unknown channel".into()));
        return upgrade;
    };
    let channel = &shared.channels[index];
    let keys: Vec<&str> = pairs
        .iter()
        .filter(|(name, _)| name == "authorization")
        .map(|(_, value)| value.as_str())
        .collect();
    if keys != [shared.api_key.as_str()] {
        let why = match keys.len() {
            0 => "no `authorization` query parameter",
            1 => "the `authorization` query parameter is not the API key",
            _ => "more than one `authorization` query parameter",
        };
        upgrade.violations.push(format!("{}: {why}", channel.id));
        upgrade.wrong_key = true;
        let close_instead = shared
            .behaviour
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .close_wrong_key;
        if !close_instead {
            upgrade.refusal = Some((StatusCode::UNAUTHORIZED, "Invalid API key".into()));
        }
        return upgrade;
    }
    let mut instance = Map::new();
    for (name, value) in pairs.iter().filter(|(name, _)| name != "authorization") {
        if instance.contains_key(name) {
            upgrade.violations.push(format!(
                "{}: query parameter `{name}` is repeated",
                channel.id
            ));
            continue;
        }
        let Some((_, kind)) = channel.query_types.iter().find(|(known, _)| known == name) else {
            upgrade.violations.push(format!(
                "{}: query parameter `{name}` is not declared by the channel binding",
                channel.id
            ));
            continue;
        };
        let typed = match kind.as_str() {
            "integer" => value.parse::<i64>().map(Value::from).ok(),
            "number" => value.parse::<f64>().ok().map(Value::from),
            "boolean" => value.parse::<bool>().map(Value::from).ok(),
            _ => None,
        };
        instance.insert(
            name.clone(),
            typed.unwrap_or_else(|| Value::String(value.clone())),
        );
    }
    if let Some(pointer) = &channel.query_schema
        && let Err(errors) = shared.validator.validate(pointer, &Value::Object(instance))
    {
        upgrade.violations.extend(
            errors
                .into_iter()
                .map(|error| format!("{}: query: {error}", channel.id)),
        );
    }
    if !upgrade.violations.is_empty() {
        upgrade.refusal = Some((StatusCode::BAD_REQUEST, upgrade.violations.join("; ")));
    }
    upgrade
}

#[expect(
    clippy::result_large_err,
    reason = "tungstenite's handshake callback returns its own `ErrorResponse`"
)]
async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let number = {
        let mut next = shared
            .next_connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *next += 1;
        *next - 1
    };
    let mut judged = None;
    let callback = |request: &Request, response: Response| {
        let upgrade = judge_upgrade(&shared, request);
        let refusal = upgrade.refusal.clone();
        judged = Some(upgrade);
        match refusal {
            None => Ok(response),
            Some((status, error)) => {
                let mut refusal = ErrorResponse::new(Some(json!({"errors": [error]}).to_string()));
                *refusal.status_mut() = status;
                Err(refusal)
            }
        }
    };
    let accepted = tokio_tungstenite::accept_hdr_async(stream, callback).await;
    let Some(upgrade) = judged else {
        return; // not even an HTTP request
    };
    let status = match (&accepted, &upgrade.refusal) {
        (_, Some((status, _))) => status.as_u16(),
        (Ok(_), None) => 101,
        (Err(_), None) => 400,
    };
    shared.connections.record(
        RecordedConnection {
            connection: number,
            channel: upgrade.channel.map(|i| shared.channels[i].id.clone()),
            path: upgrade.path.clone(),
            query: upgrade.query.clone(),
            status,
            violations: upgrade.violations.clone(),
        },
        &upgrade.violations,
    );
    let (Ok(socket), Some(index)) = (accepted, upgrade.channel) else {
        return;
    };
    let query = upgrade.query;
    let channel = shared.channels[index].clone();
    let mut session = Session {
        socket,
        shared: &shared,
        channel: &channel,
    };
    let (script, on_connect) = {
        let behaviour = shared
            .behaviour
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (
            Arc::clone(&behaviour.script),
            Arc::clone(&behaviour.on_connect),
        )
    };
    if upgrade.wrong_key {
        let close = Action::Close {
            code: 4001,
            reason: "Invalid API key".into(),
        };
        let _ = session.run(vec![close]).await;
        return;
    }
    let status = connection_status(&format!("conn-{number}"));
    let connected = Connected {
        channel: channel.id.clone(),
        connection: number,
        query: query.clone(),
    };
    let mut greeting = vec![Action::Send(status)];
    greeting.extend(on_connect(&connected));
    if session.run(greeting).await.is_break() {
        return;
    }
    let mut index = 0;
    while let Some(message) = session.socket.next().await {
        let frame = match message {
            Ok(Message::Text(text)) => match serde_json::from_str(text.as_str()) {
                Ok(value) => ClientFrame::Json(value),
                Err(_) => ClientFrame::Text(text.as_str().to_owned()),
            },
            Ok(Message::Binary(data)) => ClientFrame::Binary(data.to_vec()),
            Ok(Message::Ping(_)) => {
                *shared.pings.lock().unwrap_or_else(PoisonError::into_inner) += 1;
                continue;
            }
            Ok(Message::Pong(_) | Message::Frame(_)) => continue,
            // tungstenite answers the close; the loop ends when the connection does.
            Ok(Message::Close(_)) => continue,
            Err(_) => return,
        };
        let (message, violations) = judge_message(&shared, &channel, &frame);
        shared.messages.record(
            RecordedMessage {
                connection: number,
                channel: channel.id.clone(),
                frame: frame.clone(),
                message,
                violations: violations.clone(),
            },
            &violations,
        );
        let turn = Turn {
            channel: channel.id.clone(),
            connection: number,
            index,
            query: query.clone(),
            frame,
        };
        index += 1;
        if session.run(script(&turn)).await.is_break() {
            return;
        }
    }
}

/// Judges a client frame: the name of the message it matched, and the violations.
fn judge_message(
    shared: &Shared,
    channel: &ChannelSpec,
    frame: &ClientFrame,
) -> (Option<String>, Vec<String>) {
    let id = &channel.id;
    match frame {
        ClientFrame::Binary(_) => match channel.binary_message(&channel.client) {
            Some(name) => (Some(name), Vec::new()),
            None => (
                None,
                vec![format!(
                    "{id}: clients may not send binary frames on this channel"
                )],
            ),
        },
        ClientFrame::Text(_) => (None, vec![format!("{id}: a text frame that is not JSON")]),
        ClientFrame::Json(value) => {
            match match_message(&shared.validator, &channel.client, value) {
                Ok(name) => (Some(name), Vec::new()),
                Err(failures) => (
                    None,
                    vec![format!(
                        "{id}: the message is none of the client messages of the channel: {}",
                        failures.join(" | ")
                    )],
                ),
            }
        }
    }
}

/// The first message whose schema `value` matches, or why each one failed.
fn match_message(
    validator: &SchemaValidator,
    messages: &[MessageSpec],
    value: &Value,
) -> Result<String, Vec<String>> {
    let mut failures = Vec::new();
    for message in messages {
        let Some(schema) = &message.schema else {
            continue;
        };
        match validator.validate(schema, value) {
            Ok(()) => return Ok(message.name.clone()),
            Err(errors) => {
                let shown: Vec<String> = errors.into_iter().take(3).collect();
                failures.push(format!("{}: {}", message.name, shown.join("; ")));
            }
        }
    }
    Err(failures)
}

struct Session<'a> {
    socket: WebSocketStream<TcpStream>,
    shared: &'a Shared,
    channel: &'a ChannelSpec,
}

impl Session<'_> {
    /// Runs actions; `Break` when the connection is over.
    async fn run(&mut self, actions: Vec<Action>) -> std::ops::ControlFlow<()> {
        use std::ops::ControlFlow::{Break, Continue};
        for action in actions {
            let sent = match action {
                Action::Send(value) => {
                    if let Err(failures) =
                        match_message(&self.shared.validator, &self.channel.server, &value)
                    {
                        self.shared.messages.violation(format!(
                            "{}: the mock's script sent a message that is none of the server \
                             messages: {value}: {}",
                            self.channel.id,
                            failures.join(" | ")
                        ));
                    }
                    self.socket.send(Message::text(value.to_string())).await
                }
                Action::SendUnchecked(value) => {
                    self.socket.send(Message::text(value.to_string())).await
                }
                Action::SendRaw(text) => self.socket.send(Message::text(text)).await,
                Action::SendBinary(data) => {
                    self.socket.send(Message::Binary(Bytes::from(data))).await
                }
                Action::Sleep(duration) => {
                    tokio::time::sleep(duration).await;
                    Ok(())
                }
                Action::Close { code, reason } => {
                    let frame = CloseFrame {
                        code: CloseCode::from(code),
                        reason: reason.into(),
                    };
                    let _ = self.socket.close(Some(frame)).await;
                    let drain = async { while self.socket.next().await.is_some() {} };
                    let _ = tokio::time::timeout(Duration::from_secs(5), drain).await;
                    return Break(());
                }
                Action::Drop => return Break(()),
                Action::GoSilent => std::future::pending().await,
            };
            if sent.is_err() {
                return Break(());
            }
        }
        Continue(())
    }
}
