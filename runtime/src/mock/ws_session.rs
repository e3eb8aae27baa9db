//! One WebSocket connection of the mock: the upgrade judged, the greeting, then every
//! client frame recorded, judged and answered with the channel's script.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use super::schema::SchemaValidator;
use super::ws_script::{
    Action, ClientFrame, Connected, RecordedConnection, RecordedMessage, Shared, Turn,
};
use super::ws_spec::{ChannelSpec, KeyPlace, MessageSpec};

/// Accepts connections until aborted; connection tasks live in a `JoinSet` owned by this
/// future, so aborting it aborts them too.
pub(super) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
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
    let key_name = match &shared.key_place {
        Some(KeyPlace::Query(name)) => Some(name),
        _ => None,
    };
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
                let value = if Some(name) == key_name {
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
    if let Some(why) = key_problem(shared, request, &pairs) {
        upgrade.violations.push(format!("{}: {why}", channel.id));
        upgrade.wrong_key = true;
        if !shared.behaviour().close_wrong_key {
            upgrade.refusal = Some((StatusCode::UNAUTHORIZED, "Invalid API key".into()));
        }
        return upgrade;
    }
    let query: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(name, _)| Some(name) != key_name)
        .collect();
    upgrade.violations = judge_query(shared, channel, &query);
    if !upgrade.violations.is_empty() {
        upgrade.refusal = Some((StatusCode::BAD_REQUEST, upgrade.violations.join("; ")));
    }
    upgrade
}

/// Why the key the upgrade carries (in `pairs`, its query, or in a header) is not the one
/// expected, if it is not.
fn key_problem(shared: &Shared, request: &Request, pairs: &[(String, String)]) -> Option<String> {
    let (what, keys): (String, Vec<Option<&str>>) = match shared.key_place.as_ref()? {
        KeyPlace::Query(name) => (
            format!("`{name}` query parameter"),
            pairs
                .iter()
                .filter(|(key, _)| key == name)
                .map(|(_, value)| Some(value.as_str()))
                .collect(),
        ),
        KeyPlace::Header { name, prefix } => (
            format!("`{name}` header"),
            request
                .headers()
                .get_all(name.as_str())
                .iter()
                .map(|value| {
                    let value = value.to_str().ok()?;
                    let head = value.get(..prefix.len())?;
                    head.eq_ignore_ascii_case(prefix)
                        .then(|| &value[prefix.len()..])
                })
                .collect(),
        ),
    };
    match keys.as_slice() {
        [Some(key)] if *key == shared.api_key => None,
        [] => Some(format!("no {what}")),
        [_] => Some(format!("the {what} is not the API key")),
        _ => Some(format!("more than one {what}")),
    }
}

/// The query (the key left out) against the channel binding's schema.
fn judge_query(shared: &Shared, channel: &ChannelSpec, pairs: &[(String, String)]) -> Vec<String> {
    let mut violations = Vec::new();
    let mut instance = Map::new();
    for (name, value) in pairs {
        if instance.contains_key(name) {
            violations.push(format!(
                "{}: query parameter `{name}` is repeated",
                channel.id
            ));
            continue;
        }
        let Some((_, kind)) = channel.query_types.iter().find(|(known, _)| known == name) else {
            violations.push(format!(
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
        violations.extend(
            errors
                .into_iter()
                .map(|error| format!("{}: query: {error}", channel.id)),
        );
    }
    violations
}

#[expect(
    clippy::result_large_err,
    reason = "tungstenite's handshake callback returns its own `ErrorResponse`"
)]
pub(super) async fn connection(stream: TcpStream, shared: Arc<Shared>) {
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
    let channel = shared.channels[index].clone();
    let mut session = Session {
        socket,
        shared: &shared,
        channel: &channel,
    };
    if upgrade.wrong_key {
        let close = Action::Close {
            code: 4001,
            reason: "Invalid API key".into(),
        };
        let _ = session.run(vec![close]).await;
        return;
    }
    let connected = Connected {
        channel: channel.id.clone(),
        connection: number,
        query: upgrade.query,
    };
    session.converse(connected).await;
}

impl Session<'_> {
    /// The greeting, then every client frame recorded, judged and answered.
    async fn converse(&mut self, connected: Connected) {
        let (script, greeting, on_connect) = {
            let behaviour = self.shared.behaviour();
            let script = behaviour
                .channel_scripts
                .iter()
                .find(|(id, _)| *id == connected.channel)
                .map_or(&behaviour.script, |(_, script)| script);
            let greeting = behaviour
                .channel_greetings
                .iter()
                .find(|(id, _)| *id == connected.channel)
                .map(|(_, greeting)| Arc::clone(greeting))
                .or_else(|| behaviour.greeting.clone());
            (
                Arc::clone(script),
                greeting,
                Arc::clone(&behaviour.on_connect),
            )
        };
        let mut first = match greeting {
            Some(greeting) => greeting(&connected),
            None => self
                .channel
                .initial
                .clone()
                .map(Action::Send)
                .into_iter()
                .collect(),
        };
        first.extend(on_connect(&connected));
        if self.run(first).await.is_break() {
            return;
        }
        let mut index = 0;
        while let Some(frame) = self.next_frame().await {
            let (message, violations) = judge_message(self.shared, self.channel, &frame);
            self.shared.messages.record(
                RecordedMessage {
                    connection: connected.connection,
                    channel: connected.channel.clone(),
                    frame: frame.clone(),
                    message: message.clone(),
                    violations: violations.clone(),
                },
                &violations,
            );
            let turn = Turn {
                channel: connected.channel.clone(),
                connection: connected.connection,
                index,
                query: connected.query.clone(),
                frame,
                message,
            };
            index += 1;
            if self.run(script(&turn)).await.is_break() {
                return;
            }
        }
    }

    /// The next text or binary frame; `None` when the connection is over.
    async fn next_frame(&mut self) -> Option<ClientFrame> {
        loop {
            let frame = match self.socket.next().await? {
                Ok(Message::Text(text)) => match serde_json::from_str(text.as_str()) {
                    Ok(value) => ClientFrame::Json(value),
                    Err(_) => ClientFrame::Text(text.as_str().to_owned()),
                },
                Ok(Message::Binary(data)) => ClientFrame::Binary(data.to_vec()),
                Ok(Message::Ping(_)) => {
                    *self
                        .shared
                        .pings
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) += 1;
                    continue;
                }
                // tungstenite answers a close; the stream ends when the connection does.
                Ok(Message::Pong(_) | Message::Frame(_) | Message::Close(_)) => continue,
                Err(_) => return None,
            };
            return Some(frame);
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
