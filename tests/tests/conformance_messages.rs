//! Independent conformance of the WebSocket messages: the JSON Schemas of
//! `schema/asyncapi.yaml` judge what the generated `autessa::channels` decode and send.
//!
//! The messages are read from the AsyncAPI document (channels, and the `send`/`receive`
//! operations that say who sends what: the document describes the server, so its `send` is
//! what a client receives), with their payload schemas in `openapi.yaml`, converted to JSON
//! Schema by [`SchemaValidator`].
//!
//! - Every message a client receives: random instances generated from its JSON Schema
//!   (`support/schema_gen.rs`, with unknown extra properties in open objects) are valid for the
//!   schema, decode with the channel's `*Message::from_text` into that message's variant, and
//!   lose nothing the schema declares. A batch of them also goes over a real WebSocket (the
//!   mock server of `autessa_tests::mock::ws`) into the connection's `recv`.
//! - Every message a client sends: random values of its generated payload type
//!   (`support/strategies.rs`) serialize to JSON that is valid for the schema; random instances
//!   of the schema decode into the type and serialize back unchanged; a batch of them is sent
//!   through a real connection and checked as received, frame by frame (the binary audio frame
//!   too).
//!
//! A message the document gains without a decoder or a strategy here fails the suite, naming
//! it. Failures print the seed (`AUTESSA_CONFORMANCE_SEED`) and the smallest failing message.
//!
//! [`SchemaValidator`]: autessa_tests::mock::SchemaValidator

#[allow(
    dead_code,
    reason = "shared by several test binaries, each using a part of it"
)]
mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use autessa::Client;
use autessa::channels::{
    AgentExecuteMessage, AgentExecuteParams, ToolExecuteMessage, ToolExecuteParams,
};
use autessa::types::*;
use autessa_runtime::ws::{Event, WsConfig};
use autessa_tests::mock::ws::{Action, ClientFrame};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use support::schema_gen::SchemaGen;
use support::{check, differences, pretty, rerun, strategies};

const KEY: &str = "sk-messages-conformance-91d3";
const TEST: &str = "conformance_messages";

/// Random instances checked per message and property.
const CASES: u32 = 512;
/// Messages sent over a real connection per message.
const OVER_THE_WIRE: usize = 24;

// ------------------------------------------------------------------------------------------
// The messages of the AsyncAPI document
// ------------------------------------------------------------------------------------------

/// Who sends a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    /// The server sends it (an AsyncAPI `send` operation): the client decodes it.
    ToClient,
    /// The client sends it (an AsyncAPI `receive` operation).
    ToServer,
}

#[derive(Clone, Debug)]
struct MessageSpec {
    channel: String,
    /// The message's `name` (`ConnectionStatus`, `ExecuteMessage`, ...).
    name: String,
    direction: Direction,
    /// The payload schema in the converted OpenAPI document; `None` for a binary payload.
    pointer: Option<String>,
}

impl MessageSpec {
    fn label(&self) -> String {
        format!("{}/{}", self.channel, self.name)
    }

    fn pointer(&self) -> &str {
        self.pointer.as_deref().expect("a JSON message")
    }
}

/// Follows a local `$ref` in the AsyncAPI document.
fn follow(value: &Value) -> &Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("asyncapi: not a local reference: {reference}"));
            follow(
                support::asyncapi()
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("asyncapi: dangling reference {reference}")),
            )
        }
        None => value,
    }
}

/// Every message of every channel, with its direction and payload schema.
fn messages() -> Vec<MessageSpec> {
    let document = support::asyncapi();
    let mut specs = Vec::new();
    for (id, operation) in document["operations"]
        .as_object()
        .expect("asyncapi: operations")
    {
        let direction = match operation["action"].as_str() {
            Some("send") => Direction::ToClient,
            Some("receive") => Direction::ToServer,
            other => panic!("asyncapi: operation {id} has action {other:?}"),
        };
        let channel = operation["channel"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/channels/"))
            .unwrap_or_else(|| panic!("asyncapi: operation {id} names no channel"))
            .to_owned();
        for reference in operation["messages"].as_array().into_iter().flatten() {
            let message = follow(reference);
            let name = message["name"]
                .as_str()
                .unwrap_or_else(|| panic!("asyncapi: a message of {id} has no name"))
                .to_owned();
            let payload = &message["payload"];
            let pointer = match payload.pointer("/schema/$ref").and_then(Value::as_str) {
                Some(reference) => {
                    let (file, pointer) = reference
                        .split_once('#')
                        .unwrap_or_else(|| panic!("asyncapi: {name}: odd reference {reference}"));
                    assert!(
                        file.ends_with("openapi.yaml"),
                        "asyncapi: {name}: the payload is not in openapi.yaml: {reference}"
                    );
                    Some(format!("#{pointer}"))
                }
                None => {
                    assert_eq!(
                        payload.get("format").and_then(Value::as_str),
                        Some("binary"),
                        "asyncapi: {name}: a payload that is neither a $ref into openapi.yaml nor binary"
                    );
                    None
                }
            };
            specs.push(MessageSpec {
                channel: channel.clone(),
                name,
                direction,
                pointer,
            });
        }
    }
    assert!(!specs.is_empty(), "asyncapi: no messages");
    specs
}

fn generator() -> SchemaGen {
    SchemaGen::new(support::validator().json_schema_document()).extra_properties(true)
}

// ------------------------------------------------------------------------------------------
// Decoding what a client receives
// ------------------------------------------------------------------------------------------

fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("a decoded message serializes")
}

/// The variant an agent-channel message decoded into, and its payload as JSON.
fn agent_variant(message: AgentExecuteMessage) -> (&'static str, Value) {
    match message {
        AgentExecuteMessage::ConnectionStatus(m) => ("ConnectionStatus", to_json(&m)),
        AgentExecuteMessage::StreamedOutputMessage(m) => ("StreamedOutputMessage", to_json(&m)),
        AgentExecuteMessage::ExecutionResult(m) => ("ExecutionResult", to_json(&m)),
        AgentExecuteMessage::ErrorMessage(m) => ("ErrorMessage", to_json(&m)),
        AgentExecuteMessage::UnknownBinary(bytes) => ("UnknownBinary", Value::from(bytes.len())),
        AgentExecuteMessage::Unknown(value) => ("Unknown", value),
        other => panic!("a message kind this test does not know: {other:?}"),
    }
}

/// The variant a tool-channel message decoded into, and its payload as JSON.
fn tool_variant(message: ToolExecuteMessage) -> (&'static str, Value) {
    match message {
        ToolExecuteMessage::ConnectionStatus(m) => ("ConnectionStatus", to_json(&m)),
        ToolExecuteMessage::ToolDebugMessage(m) => ("ToolDebugMessage", to_json(&m)),
        ToolExecuteMessage::ToolResultMessage(m) => ("ToolResultMessage", to_json(&m)),
        ToolExecuteMessage::ErrorMessage(m) => ("ErrorMessage", to_json(&m)),
        ToolExecuteMessage::UnknownBinary(bytes) => ("UnknownBinary", Value::from(bytes.len())),
        ToolExecuteMessage::Unknown(value) => ("Unknown", value),
        other => panic!("a message kind this test does not know: {other:?}"),
    }
}

/// Decodes a text frame of `channel` with the generated `from_text`.
fn from_text(channel: &str, text: &str) -> Result<(&'static str, Value), String> {
    match channel {
        "agentExecute" => AgentExecuteMessage::from_text(text)
            .map(agent_variant)
            .map_err(|e| e.to_string()),
        "toolExecute" => ToolExecuteMessage::from_text(text)
            .map(tool_variant)
            .map_err(|e| e.to_string()),
        other => panic!("no decoder for channel {other}: add one to {TEST}.rs"),
    }
}

/// What is wrong with how the client decoded `instance` of `spec` (as `decoded`).
fn decoding_problems(
    spec: &MessageSpec,
    instance: &Value,
    decoded: Result<(&'static str, Value), String>,
) -> Vec<String> {
    match decoded {
        Err(error) => vec![format!("the client could not decode it: {error}")],
        Ok((variant, payload)) if variant != spec.name => vec![format!(
            "the client decoded it as {variant}, not {}: {}",
            spec.name,
            pretty(&payload)
        )],
        Ok((_, payload)) => {
            let mut problems: Vec<String> = differences(instance, &payload)
                .into_iter()
                .map(|d| format!("decoding changed it: {d}"))
                .collect();
            if let Err(errors) = check(spec.pointer(), &payload) {
                problems.push(format!(
                    "decoded and serialized again, it is not valid for the schema: {errors:?}"
                ));
            }
            problems
        }
    }
}

fn report(spec: &MessageSpec, instance: &Value, problems: &[String]) -> String {
    format!(
        "{} ({}, schema {}), {}\nproblems:\n  - {}\nthe message:\n{}",
        spec.name,
        spec.channel,
        spec.pointer(),
        rerun(TEST),
        problems.join("\n  - "),
        pretty(instance)
    )
}

#[test]
fn the_tests_know_every_message_and_channel() {
    let specs = messages();
    let channels: BTreeSet<&str> = specs.iter().map(|s| s.channel.as_str()).collect();
    assert_eq!(
        channels,
        BTreeSet::from(["agentExecute", "toolExecute"]),
        "the channels changed: add decoders and connections for them"
    );
    for spec in &specs {
        match (spec.direction, &spec.pointer) {
            (Direction::ToServer, Some(_)) => {
                // Panics if there is no strategy for the message.
                let _ = client_message_strategy(&spec.name);
            }
            (Direction::ToServer, None) => assert_eq!(spec.name, "AudioFrame", "{spec:?}"),
            (Direction::ToClient, Some(_)) => {}
            (Direction::ToClient, None) => {
                panic!("{spec:?}: a binary message to the client, which this suite does not check")
            }
        }
    }
}

#[test]
fn random_server_messages_decode_into_their_variant() {
    let generator = generator();
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for spec in messages()
        .into_iter()
        .filter(|s| s.direction == Direction::ToClient)
    {
        let strategy = generator.strategy(spec.pointer());
        let mut runner = support::runner(&format!("decode/{}", spec.label()), CASES);
        let result = runner.run(&strategy, |instance| {
            if let Err(errors) = check(spec.pointer(), &instance) {
                return Err(TestCaseError::fail(format!(
                    "the test's generator made an invalid instance (a bug in schema_gen.rs): {errors:?}\n{}",
                    pretty(&instance)
                )));
            }
            let text = instance.to_string();
            let problems = decoding_problems(&spec, &instance, from_text(&spec.channel, &text));
            if problems.is_empty() {
                Ok(())
            } else {
                Err(TestCaseError::fail(report(&spec, &instance, &problems)))
            }
        });
        counts.push(format!(
            "  {:<36} {CASES} random instances decoded",
            spec.label()
        ));
        if let Err(error) = result {
            failures.push(format!("{}: {error}", spec.label()));
        }
    }
    println!("messages a client receives:\n{}", counts.join("\n"));
    assert!(
        failures.is_empty(),
        "{} messages failed ({}):\n\n{}",
        failures.len(),
        rerun(TEST),
        failures.join("\n\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_server_messages_arrive_through_a_connection() {
    let generator = generator();
    let specs: Vec<MessageSpec> = messages()
        .into_iter()
        .filter(|s| s.direction == Direction::ToClient)
        .collect();
    // Per channel, the messages the server sends after the connection status, in order.
    let mut plan: Vec<(MessageSpec, Value)> = Vec::new();
    for spec in &specs {
        let label = format!("wire/{}", spec.label());
        for instance in support::sample(&label, &generator.strategy(spec.pointer()), OVER_THE_WIRE)
        {
            plan.push((spec.clone(), instance));
        }
    }
    let server = autessa_tests::mock::start_ws(&support::schema_dir(), KEY).await;
    let sends = plan.clone();
    server.on_connect(move |connected| {
        sends
            .iter()
            .filter(|(spec, _)| spec.channel == connected.channel)
            .map(|(_, instance)| Action::Send(instance.clone()))
            .collect()
    });
    let client = Client::new(&server.base_url(), KEY).expect("a client for the mock");
    let config = WsConfig::default().connect_timeout(Duration::from_secs(10));
    let mut failures = Vec::new();
    for channel in ["agentExecute", "toolExecute"] {
        let expected: Vec<&(MessageSpec, Value)> = plan
            .iter()
            .filter(|(spec, _)| spec.channel == channel)
            .collect();
        let mut received = Vec::new();
        match channel {
            "agentExecute" => {
                let mut connection = client
                    .connect_agent_execute_with(&AgentExecuteParams::new(42), config.clone())
                    .await
                    .expect("the agent channel connects");
                for _ in &expected {
                    received.push(next(connection.recv()).await.map(|m| m.map(agent_variant)));
                }
                let _ = connection.close().await;
            }
            _ => {
                let mut connection = client
                    .connect_tool_execute_with(&ToolExecuteParams::new(7), config.clone())
                    .await
                    .expect("the tool channel connects");
                for _ in &expected {
                    received.push(next(connection.recv()).await.map(|m| m.map(tool_variant)));
                }
                let _ = connection.close().await;
            }
        }
        for ((spec, instance), got) in expected.into_iter().zip(received) {
            let problems = match got {
                Ok(decoded) => decoding_problems(spec, instance, decoded),
                Err(error) => vec![error],
            };
            if !problems.is_empty() {
                failures.push(report(spec, instance, &problems));
            }
        }
    }
    println!(
        "messages a client receives, over a connection: {} ({OVER_THE_WIRE} of each of {} messages)",
        plan.len(),
        specs.len()
    );
    assert_eq!(
        server.violations(),
        Vec::<String>::new(),
        "the mock saw violations"
    );
    assert!(
        failures.is_empty(),
        "{} messages failed over the wire:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The next message event of a connection (`Err` for anything else, or nothing in 10 s).
async fn next<M: std::fmt::Debug>(
    recv: impl std::future::Future<Output = Option<Result<Event<M>, autessa_runtime::ws::WsError>>>,
) -> Result<Result<M, String>, String> {
    match tokio::time::timeout(Duration::from_secs(10), recv).await {
        Err(_) => Err("no message within 10 s".into()),
        Ok(None) => Err("the connection ended".into()),
        Ok(Some(Err(error))) => Ok(Err(format!("the client could not decode it: {error}"))),
        Ok(Some(Ok(Event::Message(message)))) => Ok(Ok(message)),
        Ok(Some(Ok(other))) => Err(format!("expected a message, got {other:?}")),
    }
}

// ------------------------------------------------------------------------------------------
// What a client sends
// ------------------------------------------------------------------------------------------

/// A message a client can build, as the generated type.
#[derive(Clone, Debug)]
enum ClientMessage {
    Execute(ExecuteMessage),
    VoiceSetup(VoiceSetupMessage),
    CloseConversation(CloseConversationMessage),
    ExecuteTool(ExecuteToolMessage),
}

impl ClientMessage {
    /// The message for the agent and tool of the connections: a message that repeats a
    /// connection's id (`x-param-from-body`) with another value is refused before sending.
    fn for_connections(mut self, agent_id: i64, tool_id: i64) -> Self {
        match &mut self {
            Self::Execute(m) => m.agent_id = agent_id,
            Self::VoiceSetup(m) => m.agent_id = agent_id,
            Self::ExecuteTool(m) => m.tool_id = tool_id,
            Self::CloseConversation(_) => {}
        }
        self
    }

    fn json(&self) -> Value {
        match self {
            Self::Execute(m) => to_json(m),
            Self::VoiceSetup(m) => to_json(m),
            Self::CloseConversation(m) => to_json(m),
            Self::ExecuteTool(m) => to_json(m),
        }
    }
}

/// Random values of the generated type of client message `name`.
fn client_message_strategy(name: &str) -> BoxedStrategy<ClientMessage> {
    match name {
        "ExecuteMessage" => strategies::execute_message()
            .prop_map(ClientMessage::Execute)
            .boxed(),
        "VoiceSetupMessage" => strategies::voice_setup_message()
            .prop_map(ClientMessage::VoiceSetup)
            .boxed(),
        "CloseConversationMessage" => strategies::close_conversation_message()
            .prop_map(ClientMessage::CloseConversation)
            .boxed(),
        "ExecuteToolMessage" => strategies::execute_tool_message()
            .prop_map(ClientMessage::ExecuteTool)
            .boxed(),
        other => panic!(
            "no strategy for the client message {other}: add one to support/strategies.rs and {TEST}.rs"
        ),
    }
}

/// Decodes `instance` as the generated type of client message `name` and serializes it again.
fn client_round_trip(name: &str, instance: &Value) -> Result<Value, String> {
    fn trip<T: DeserializeOwned + Serialize>(instance: &Value) -> Result<Value, String> {
        serde_json::from_value::<T>(instance.clone())
            .map(|decoded| to_json(&decoded))
            .map_err(|e| format!("it does not decode into the generated type: {e}"))
    }
    match name {
        "ExecuteMessage" => trip::<ExecuteMessage>(instance),
        "VoiceSetupMessage" => trip::<VoiceSetupMessage>(instance),
        "CloseConversationMessage" => trip::<CloseConversationMessage>(instance),
        "ExecuteToolMessage" => trip::<ExecuteToolMessage>(instance),
        other => panic!("no type for the client message {other}"),
    }
}

fn client_messages() -> Vec<MessageSpec> {
    messages()
        .into_iter()
        .filter(|s| s.direction == Direction::ToServer && s.pointer.is_some())
        .collect()
}

#[test]
fn every_client_message_the_client_builds_is_valid() {
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for spec in client_messages() {
        let mut runner = support::runner(&format!("build/{}", spec.label()), CASES);
        let result = runner.run(&client_message_strategy(&spec.name), |message| {
            let json = message.json();
            match check(spec.pointer(), &json) {
                Ok(()) => Ok(()),
                Err(errors) => Err(TestCaseError::fail(report(
                    &spec,
                    &json,
                    &[format!(
                        "the serialized message is not valid for the schema: {errors:?}"
                    )],
                ))),
            }
        });
        counts.push(format!(
            "  {:<36} {CASES} random values validated",
            spec.label()
        ));
        if let Err(error) = result {
            failures.push(format!("{}: {error}", spec.label()));
        }
    }
    println!("messages a client sends:\n{}", counts.join("\n"));
    assert!(
        failures.is_empty(),
        "{} client messages failed ({}):\n\n{}",
        failures.len(),
        rerun(TEST),
        failures.join("\n\n")
    );
}

#[test]
fn every_valid_client_message_round_trips_through_its_type() {
    let generator = generator();
    let mut failures = Vec::new();
    for spec in client_messages() {
        let mut runner = support::runner(&format!("round-trip/{}", spec.label()), CASES);
        let result = runner.run(&generator.strategy(spec.pointer()), |instance| {
            if let Err(errors) = check(spec.pointer(), &instance) {
                return Err(TestCaseError::fail(format!(
                    "the test's generator made an invalid instance (a bug in schema_gen.rs): {errors:?}\n{}",
                    pretty(&instance)
                )));
            }
            let problems = match client_round_trip(&spec.name, &instance) {
                Err(error) => vec![error],
                Ok(again) => {
                    let mut problems: Vec<String> = differences(&instance, &again)
                        .into_iter()
                        .map(|d| format!("decoding and serializing changed it: {d}"))
                        .collect();
                    if let Err(errors) = check(spec.pointer(), &again) {
                        problems.push(format!("serialized again it is not valid: {errors:?}"));
                    }
                    problems
                }
            };
            if problems.is_empty() {
                Ok(())
            } else {
                Err(TestCaseError::fail(report(&spec, &instance, &problems)))
            }
        });
        if let Err(error) = result {
            failures.push(format!("{}: {error}", spec.label()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} client messages failed ({}):\n\n{}",
        failures.len(),
        rerun(TEST),
        failures.join("\n\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_messages_cross_a_connection_as_built() {
    let server = autessa_tests::mock::start_ws(&support::schema_dir(), KEY).await;
    let client = Client::new(&server.base_url(), KEY).expect("a client for the mock");
    let config = WsConfig::default().connect_timeout(Duration::from_secs(10));
    let mut agent = client
        .connect_agent_execute_with(&AgentExecuteParams::new(42), config.clone())
        .await
        .expect("the agent channel connects");
    let mut tool = client
        .connect_tool_execute_with(&ToolExecuteParams::new(7), config)
        .await
        .expect("the tool channel connects");
    // What was sent, in order, per channel: (message name, JSON or audio bytes).
    let mut sent: Vec<(String, String, ClientFrame)> = Vec::new();
    for spec in client_messages() {
        let label = format!("send/{}", spec.label());
        for message in support::sample(&label, &client_message_strategy(&spec.name), OVER_THE_WIRE)
        {
            let message = message.for_connections(42, 7);
            let result = match (&message, spec.channel.as_str()) {
                (ClientMessage::Execute(m), "agentExecute") => agent.send_execute_message(m).await,
                (ClientMessage::VoiceSetup(m), "agentExecute") => {
                    agent.send_voice_setup_message(m).await
                }
                (ClientMessage::CloseConversation(m), "agentExecute") => {
                    agent.send_close_conversation_message(m).await
                }
                (ClientMessage::ExecuteTool(m), "toolExecute") => {
                    tool.send_execute_tool_message(m).await
                }
                (message, channel) => panic!("{message:?} cannot be sent on {channel}"),
            };
            result.unwrap_or_else(|e| panic!("{}: sending failed: {e}", spec.label()));
            sent.push((
                spec.channel.clone(),
                spec.name.clone(),
                ClientFrame::Json(message.json()),
            ));
        }
    }
    let audio = support::sample(
        "send/agentExecute/AudioFrame",
        &proptest::collection::vec(any::<u8>(), 0..2048),
        OVER_THE_WIRE,
    );
    for bytes in audio {
        agent
            .send_audio_frame(bytes.clone())
            .await
            .expect("an audio frame is sent");
        sent.push((
            "agentExecute".into(),
            "AudioFrame".into(),
            ClientFrame::Binary(bytes),
        ));
    }
    let received = server.wait_for_messages(sent.len()).await;
    let _ = agent.close().await;
    let _ = tool.close().await;

    let mut failures = Vec::new();
    for channel in ["agentExecute", "toolExecute"] {
        let ours: Vec<_> = sent.iter().filter(|(c, _, _)| c == channel).collect();
        let theirs: Vec<_> = received.iter().filter(|m| m.channel == channel).collect();
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{channel}: frames sent and received"
        );
        for ((_, name, frame), got) in ours.into_iter().zip(theirs) {
            let mut problems = Vec::new();
            if &got.frame != frame {
                problems.push(format!("the frame received is {:?}", got.frame));
            }
            if got.message.as_deref() != Some(name.as_str()) {
                problems.push(format!("the mock took it for {:?}", got.message));
            }
            problems.extend(got.violations.iter().map(|v| format!("the mock: {v}")));
            if let ClientFrame::Json(json) = &got.frame
                && let Some(spec) = client_messages().into_iter().find(|s| &s.name == name)
                && let Err(errors) = check(spec.pointer(), json)
            {
                problems.push(format!("not valid for the schema: {errors:?}"));
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{channel}/{name} ({}):\n  - {}\nsent: {frame:?}",
                    rerun(TEST),
                    problems.join("\n  - ")
                ));
            }
        }
    }
    println!(
        "messages a client sends, over a connection: {} frames",
        sent.len()
    );
    assert_eq!(
        server.violations(),
        Vec::<String>::new(),
        "the mock saw violations"
    );
    assert!(
        failures.is_empty(),
        "{} frames failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
