//! The generated WebSocket layer of `autessa` (typed parameters, sends, received messages and
//! streamed replies) against the channels of the generated `autessa::mock::Mock` on 127.0.0.1. The mock validates every client
//! message against its AsyncAPI/OpenAPI schema; every test ends by checking it saw nothing
//! wrong.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use autessa::Client;
use autessa::channels::{
    AgentExecuteConnection, AgentExecuteMessage, AgentExecuteParams, AgentExecuteReply,
    ToolExecuteParams, ToolExecuteReply,
};
use autessa::mock::Mock;
use autessa::types::{
    AgentInput, AudioFormat, ConnectionState, ExecuteMessage, ExecuteToolMessage, OutputType,
    TextInput, VersionState, VoiceSetupMessage,
};
use autessa_runtime::Base64;
use autessa_runtime::ws::audio::{pcm16_from_le_bytes, pcm16_to_le_bytes, save_wav};
use autessa_runtime::ws::stream::StreamExt;
use autessa_runtime::ws::{Event, WsConfig, WsError};
use autessa_tests::mock::ws::{
    Action, ClientFrame, WsMockServer, agent_echo, execution_result, streamed_audio, streamed_text,
    tool_debug, tool_result,
};
use serde_json::json;

mod autessa_mock;

const KEY: &str = "sk-typed-ws-5d2f1a";

async fn setup() -> (Mock, Client) {
    let mock = autessa_mock::start(KEY).await;
    let client = Client::new(&mock.base_url(), KEY).unwrap();
    (mock, client)
}

/// The mock's channels, whose scripts and records the tests use.
fn channels(mock: &Mock) -> &WsMockServer {
    mock.engine()
        .ws()
        .expect("the mock plays the AsyncAPI channels")
}

fn quick() -> WsConfig {
    WsConfig::default().connect_timeout(Duration::from_secs(5))
}

async fn agent(client: &Client) -> AgentExecuteConnection {
    let mut params = AgentExecuteParams::new(42);
    params.version_state = Some(VersionState::Draft);
    let connection = client
        .connect_agent_execute_with(&params, quick())
        .await
        .unwrap();
    // Connecting waits for the server's first message, the connection status.
    let status = connection
        .connection_status()
        .expect("the connection status arrived first");
    assert_eq!(status.status, ConnectionState::Connected);
    connection
}

async fn next(connection: &mut AgentExecuteConnection) -> AgentExecuteMessage {
    match tokio::time::timeout(Duration::from_secs(10), connection.recv())
        .await
        .expect("no event within 10 s")
    {
        Some(Ok(Event::Message(message))) => message,
        other => panic!("expected a message, got {other:?}"),
    }
}

fn say(text: &str, conversation: Option<String>) -> ExecuteMessage {
    let input = vec![AgentInput::Text(TextInput::new(text))];
    let mut execute_message = ExecuteMessage::new(42, input);
    execute_message.conversation_id = conversation;
    execute_message
}

fn assert_clean(server: &WsMockServer) {
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_text_conversation_streams_each_turn_and_ends_in_the_typed_result() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.script(agent_echo(3));
    let mut connection = agent(&client).await;
    let mut conversation = Some("conv-1".to_owned());
    for text in ["hello", "how are you?", "bye"] {
        let reply = connection
            .request_execute_message(&say(text, conversation.clone()))
            .await
            .unwrap();
        let parts: Vec<AgentExecuteReply> = reply.map(Result::unwrap).collect().await;
        let (chunks, last) = parts.split_at(parts.len() - 1);
        let streamed: String = chunks
            .iter()
            .map(|part| match part {
                AgentExecuteReply::StreamedOutputMessage(m) => {
                    m.streamed_output.transcription.clone().unwrap_or_default()
                }
                other => panic!("expected a chunk, got {other:?}"),
            })
            .collect();
        assert_eq!(chunks.len(), 3);
        assert_eq!(streamed, format!("echo: {text}"));
        let AgentExecuteReply::ExecutionResult(result) = &last[0] else {
            panic!("{last:?}")
        };
        assert_eq!(
            result.output[0].content.as_deref(),
            Some(format!("echo: {text}").as_str())
        );
        assert!(last[0].is_end());
        conversation = result.conversation_id.clone();
        assert_eq!(conversation.as_deref(), Some("conv-1"));
    }
    let sent = server.messages();
    assert_eq!(sent.len(), 3);
    assert!(
        sent.iter()
            .all(|m| m.message.as_deref() == Some("ExecuteMessage")),
        "{sent:?}"
    );
    let query = &server.connections()[0].query;
    assert!(
        query.contains(&("resourceId".into(), "42".into()))
            && query.contains(&("versionState".into(), "DRAFT".into())),
        "{query:?}"
    );
    assert_clean(server);
}

#[tokio::test]
async fn tool_streaming_gives_debug_lines_then_the_result() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.script(|turn| {
        if turn.frame.message_type() != Some("EXECUTE") {
            return Vec::new();
        }
        let lines: Vec<String> = (1..=3).map(|n| format!("step {n}")).collect();
        let mut actions: Vec<Action> = lines.iter().map(|l| Action::Send(tool_debug(l))).collect();
        actions.push(Action::Send(tool_result(
            "weather",
            json!({"temp": 21}),
            &lines,
        )));
        actions
    });
    let mut connection = client
        .connect_tool_execute_with(&ToolExecuteParams::new(7), quick())
        .await
        .unwrap();
    let request = ExecuteToolMessage::new(7).with_debug(true);
    let parts: Vec<ToolExecuteReply> = connection
        .request_execute_tool_message(&request)
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    let lines: Vec<&str> = parts
        .iter()
        .filter_map(|p| match p {
            ToolExecuteReply::ToolDebugMessage(d) => Some(d.line.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(lines, ["step 1", "step 2", "step 3"]);
    let ToolExecuteReply::ToolResultMessage(result) = parts.last().unwrap() else {
        panic!("{parts:?}")
    };
    assert_eq!(result.response, json!({"temp": 21}));
    assert_eq!(result.tool_name, "weather");
    assert_eq!(parts.len(), 4, "{parts:?}");
    assert!(connection.connection_status().is_some());
    assert_clean(server);
}

#[tokio::test]
async fn voice_mode_streams_pcm_up_and_decodes_audio_chunks_down() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    let heard = Arc::new(Mutex::new(Vec::<u8>::new()));
    let collected = Arc::clone(&heard);
    server.script(move |turn| {
        let ClientFrame::Binary(data) = &turn.frame else {
            return Vec::new();
        };
        let mut heard = collected.lock().unwrap();
        heard.extend_from_slice(data);
        if turn.index < 4 {
            return Vec::new();
        }
        let audio = serde_json::to_value(Base64(heard.clone())).unwrap();
        vec![
            Action::Send(streamed_audio(
                audio.as_str().unwrap(),
                16_000,
                "you said",
                true,
            )),
            Action::Send(execution_result(None, "you said")),
        ]
    });
    let mut params = AgentExecuteParams::new(42);
    params.voice_mode_enabled = Some(true);
    let mut connection = client
        .connect_agent_execute_with(&params, quick())
        .await
        .unwrap();
    assert!(connection.connection_status().is_some());
    let setup = VoiceSetupMessage::new(
        OutputType::Audio,
        42,
        AudioFormat::new(16_000, 16, 1, true, false),
        Default::default(),
        [("name".to_owned(), "Ada".to_owned())].into(),
    );
    connection.send_voice_setup_message(&setup).await.unwrap();
    let samples: Vec<i16> = (0..1280).map(|n| (n * 25 - 16_000) as i16).collect();
    let pcm = pcm16_to_le_bytes(&samples);
    assert_eq!(
        connection
            .sender()
            .send_pcm_reader(&pcm[..], 640)
            .await
            .unwrap(),
        2560
    );
    let AgentExecuteMessage::StreamedOutputMessage(chunk) = next(&mut connection).await else {
        panic!("expected audio")
    };
    let audio = chunk.streamed_output.base64_audio.expect("an audio chunk");
    let decoded = pcm16_from_le_bytes(audio.as_bytes()).unwrap();
    assert_eq!(decoded, samples);
    let wav = std::env::temp_dir().join(format!("autessa-typed-voice-{}.wav", std::process::id()));
    save_wav(&wav, &decoded, 16_000).unwrap();
    assert_eq!(std::fs::metadata(&wav).unwrap().len(), 44 + 2560);
    std::fs::remove_file(wav).unwrap();
    assert!(matches!(
        next(&mut connection).await,
        AgentExecuteMessage::ExecutionResult(_)
    ));
    let kinds: Vec<Option<String>> = server.messages().into_iter().map(|m| m.message).collect();
    assert_eq!(kinds[0].as_deref(), Some("VoiceSetupMessage"));
    assert!(
        kinds[1..]
            .iter()
            .all(|k| k.as_deref() == Some("AudioFrame")),
        "{kinds:?}"
    );
    assert_clean(server);
}

#[tokio::test]
async fn unknown_and_malformed_messages_do_not_end_the_reply() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.script(|turn| {
        if turn.frame.message_type() != Some("EXECUTE") {
            return Vec::new();
        }
        vec![
            Action::SendUnchecked(json!({"messageType": "TELEMETRY", "cpu": 0.5})),
            Action::SendRaw("{not json".into()),
            Action::SendUnchecked(json!(["an", "array"])),
            Action::Send(execution_result(None, "done")),
        ]
    });
    let mut connection = agent(&client).await;
    let parts: Vec<Result<AgentExecuteReply, WsError>> = connection
        .request_execute_message(&say("go", None))
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(parts.len(), 4, "{parts:?}");
    match &parts[0] {
        Ok(AgentExecuteReply::Other(Event::Message(AgentExecuteMessage::Unknown(raw)))) => {
            assert_eq!(raw, &json!({"messageType": "TELEMETRY", "cpu": 0.5}));
        }
        other => panic!("expected the unknown message kept whole, got {other:?}"),
    }
    match &parts[1] {
        Err(error @ WsError::Decode { .. }) => assert_eq!(error.raw(), Some("{not json")),
        other => panic!("expected a decode error with the raw text, got {other:?}"),
    }
    match &parts[2] {
        Ok(AgentExecuteReply::Other(Event::Message(AgentExecuteMessage::Unknown(raw)))) => {
            assert_eq!(raw, &json!(["an", "array"]));
        }
        other => panic!("a JSON array is an unknown message, got {other:?}"),
    }
    assert!(matches!(
        parts[3],
        Ok(AgentExecuteReply::ExecutionResult(_))
    ));

    assert_clean(server);
}

#[tokio::test]
async fn the_connection_is_a_stream_of_what_recv_gives() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.script(|turn| {
        if turn.frame.message_type() != Some("EXECUTE") {
            return Vec::new();
        }
        vec![
            Action::SendUnchecked(json!({"messageType": "TELEMETRY"})),
            Action::SendRaw("{not json".into()),
            Action::Send(execution_result(None, "done")),
        ]
    });
    let mut connection = agent(&client).await;
    connection
        .send_execute_message(&say("go", None))
        .await
        .unwrap();
    let events: Vec<_> = tokio::time::timeout(
        Duration::from_secs(10),
        (&mut connection).take(3).collect::<Vec<_>>(),
    )
    .await
    .expect("three events within 10 s");
    assert!(
        matches!(&events[0], Ok(Event::Message(AgentExecuteMessage::Unknown(raw))) if raw["messageType"] == "TELEMETRY"),
        "{events:?}"
    );
    assert!(
        matches!(&events[1], Err(WsError::Decode { .. })),
        "{events:?}"
    );
    assert!(
        matches!(
            &events[2],
            Ok(Event::Message(AgentExecuteMessage::ExecutionResult(_)))
        ),
        "{events:?}"
    );
    // The stream and `recv` read the same connection: it goes on after the stream is
    // dropped, here in another task (the connection and its futures are `Send`).
    let closed = tokio::spawn(async move {
        connection.close().await.unwrap();
        connection.recv().await
    })
    .await
    .unwrap();
    assert!(
        matches!(closed, Some(Ok(Event::Closed { .. }))),
        "{closed:?}"
    );
    assert_clean(server);
}

#[tokio::test]
async fn a_wrong_key_is_refused_without_showing_the_key() {
    let (mock, _) = setup().await;
    let server = channels(&mock);
    let client = Client::new(&server.base_url(), "sk-wrong-key-0000").unwrap();
    let error = client
        .connect_agent_execute_with(&AgentExecuteParams::new(1), quick())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("sk-wrong-key-0000") && !shown.contains(KEY),
        "{shown}"
    );
    assert!(
        shown.contains("authorization=<redacted>") || !shown.contains("authorization="),
        "{shown}"
    );
}

#[tokio::test]
async fn the_connection_shows_no_key_in_debug_output() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.script(agent_echo(1));
    let mut connection = agent(&client).await;
    let shown = format!("{connection:?} {:?}", connection.sender());
    assert!(!shown.contains(KEY), "{shown}");
    connection.close().await.unwrap();
    loop {
        match connection.recv().await {
            None => break,
            Some(Ok(Event::Closed { .. })) => {}
            Some(other) => assert!(!format!("{other:?}").contains(KEY)),
        }
    }
    assert_clean(server);
}

#[tokio::test]
async fn a_different_first_message_is_kept_for_recv() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.on_connect(|_| vec![Action::Send(tool_debug("warming up"))]);
    // The mock greets with the connection status first: prove that the greeting is consumed
    // by connecting and that what follows is still delivered, in order.
    let mut connection = client
        .connect_tool_execute_with(&ToolExecuteParams::new(7), quick())
        .await
        .unwrap();
    assert!(connection.connection_status().is_some());
    match tokio::time::timeout(Duration::from_secs(10), connection.recv())
        .await
        .unwrap()
    {
        Some(Ok(Event::Message(autessa::channels::ToolExecuteMessage::ToolDebugMessage(d)))) => {
            assert_eq!(d.line, "warming up")
        }
        other => panic!("expected the debug line, got {other:?}"),
    }
    assert_clean(server);
}

#[tokio::test]
async fn a_connection_the_server_closes_before_its_status_fails_with_the_close_code() {
    let (mock, _) = setup().await;
    let server = channels(&mock);
    server.close_wrong_key_after_upgrade();
    let wrong = "sk-not-the-key-31c9";
    let client = Client::new(&server.base_url(), wrong).unwrap();
    let error = client
        .connect_agent_execute_with(&AgentExecuteParams::new(42), quick())
        .await
        .expect_err("the server closed before its first message");
    match &error {
        WsError::ClosedOnConnect {
            channel,
            code,
            reason,
            ..
        } => {
            assert_eq!(*channel, "agentExecute");
            assert_eq!(*code, Some(4001));
            assert_eq!(reason, "Invalid API key");
        }
        other => panic!("expected ClosedOnConnect, got {other:?}"),
    }
    assert_eq!(error.close_code(), Some(4001));
    let shown = error.to_string();
    assert!(shown.contains("4001: Invalid API key"), "{shown}");
    assert!(!shown.contains(wrong) && !format!("{error:?}").contains(wrong));
    // The upgrade was made (and judged) once; nothing was sent.
    let connections = server.connections();
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].status, 101);
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn a_close_reason_that_quotes_the_key_is_redacted() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.on_connect(|_| {
        vec![Action::Close {
            code: 4003,
            reason: format!("key {KEY} revoked"),
        }]
    });
    let mut connection = agent(&client).await;
    match tokio::time::timeout(Duration::from_secs(10), connection.recv())
        .await
        .expect("no event within 10 s")
    {
        Some(Ok(Event::Closed { code, reason })) => {
            assert_eq!(code, Some(4003));
            assert_eq!(reason, "key <redacted> revoked");
        }
        other => panic!("expected the close, got {other:?}"),
    }
}

/// The text of each part of a reply: a chunk's transcription, `RESULT:<content>` for a
/// result, `PREVIOUS:<...>` for the previous reply's result.
fn describe(part: &AgentExecuteReply) -> String {
    match part {
        AgentExecuteReply::StreamedOutputMessage(m) => {
            m.streamed_output.transcription.clone().unwrap_or_default()
        }
        AgentExecuteReply::ExecutionResult(r) => {
            format!("RESULT:{}", r.output[0].content.clone().unwrap_or_default())
        }
        AgentExecuteReply::Previous(previous) => format!("PREVIOUS:{}", describe(previous)),
        other => format!("{other:?}"),
    }
}

async fn turn(connection: &mut AgentExecuteConnection, text: &str) -> Vec<String> {
    let reply = connection
        .request_execute_message(&say(text, None))
        .await
        .unwrap();
    let parts = tokio::time::timeout(Duration::from_secs(10), reply.collect::<Vec<_>>())
        .await
        .expect("the reply ends without waiting for the idle timeout");
    parts
        .iter()
        .map(|p| describe(p.as_ref().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_turn_ends_on_the_final_chunk_when_no_result_follows() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.script(|turn| {
        let text = turn.frame.json().unwrap()["input"][0]["content"]
            .as_str()
            .unwrap()
            .to_owned();
        vec![
            Action::Send(streamed_text(&format!("{text}-1"), false)),
            Action::Send(streamed_text(&format!("{text}-2"), true)),
        ]
    });
    let mut connection = agent(&client).await;
    for text in ["a", "b", "c"] {
        assert_eq!(
            turn(&mut connection, text).await,
            [format!("{text}-1"), format!("{text}-2")]
        );
    }
    assert_clean(server);
}

#[tokio::test]
async fn a_result_right_after_the_final_chunk_belongs_to_its_turn() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.script(agent_echo(2));
    let mut connection = agent(&client).await;
    for text in ["one", "two"] {
        let parts = turn(&mut connection, text).await;
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert_eq!(parts[2], format!("RESULT:echo: {text}"));
    }
    assert_clean(server);
}

#[tokio::test]
async fn a_result_later_than_the_grace_opens_the_next_turn_as_previous() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.script(|turn| {
        let text = turn.frame.json().unwrap()["input"][0]["content"]
            .as_str()
            .unwrap()
            .to_owned();
        vec![
            Action::Send(streamed_text(&text, true)),
            Action::Sleep(Duration::from_millis(300)),
            Action::Send(execution_result(None, &format!("done {text}"))),
        ]
    });
    let mut params = AgentExecuteParams::new(42);
    params.version_state = Some(VersionState::Draft);
    let config = quick().reply_grace(Duration::from_millis(20));
    let mut connection = client
        .connect_agent_execute_with(&params, config)
        .await
        .unwrap();
    assert_eq!(turn(&mut connection, "first").await, ["first"]);
    // The first result comes while the second turn is under way: it is handed over first,
    // as the previous turn's, and the second turn still ends with its own.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        turn(&mut connection, "second").await,
        ["PREVIOUS:RESULT:done first", "second"]
    );
    assert_eq!(
        turn(&mut connection, "third").await,
        ["PREVIOUS:RESULT:done second", "third"]
    );
    assert_clean(server);
}

#[tokio::test]
async fn a_message_for_another_agent_than_the_connection_is_refused_before_sending() {
    let (mock, client) = setup().await;
    let server = channels(&mock);
    server.script(agent_echo(1));
    let mut connection = agent(&client).await;
    let input = vec![AgentInput::Text(TextInput::new("hi"))];
    let error = connection
        .send_execute_message(&ExecuteMessage::new(7, input))
        .await
        .expect_err("agent 7 on a connection for agent 42");
    match &error {
        WsError::Mismatch {
            member,
            param,
            expected,
            found,
            ..
        } => {
            assert_eq!((*member, *param), ("agentId", "resourceId"));
            assert_eq!((expected.as_str(), found.as_str()), ("42", "7"));
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    assert!(error.to_string().contains("not sent"), "{error}");
    // The connection is still good, and the matching message goes out.
    let parts = turn(&mut connection, "hello").await;
    assert_eq!(parts.last().map(String::as_str), Some("RESULT:echo: hello"));
    assert_eq!(
        server.messages().len(),
        1,
        "only the matching message was sent"
    );
    assert_clean(server);
}
