//! The runtime's WebSocket session (`autessa_runtime::ws`) against the WebSocket mock, over
//! real sockets on 127.0.0.1.
//!
//! The mock validates every client message against the message schemas of its channel
//! (`schema/asyncapi.yaml` payloads, judged with the JSON Schema validator of the REST mock)
//! and sends only schema-valid server messages unless a test asks otherwise; every test ends
//! by asserting that it saw no violation.
//!
//! Outcome documented here for malformed JSON from the server: the session delivers the text
//! frame as it came; decoding it gives `WsError::Decode` with the raw text, and the session
//! goes on with the next message.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use autessa_runtime::ws::audio::{decode_base64_pcm16, pcm16_to_le_bytes, save_wav};
use autessa_runtime::ws::{Event, Frame, Reconnect, WsConfig, WsError, WsSession};
use autessa_runtime::{AuthScheme, Base64, HttpClient};
use autessa_tests::mock::ws::{
    Action, ClientFrame, WsMockServer, agent_echo, execution_result, streamed_audio, streamed_text,
    tool_debug, tool_result,
};
use serde_json::{Value, json};

const KEY: &str = "sk-ws-secret-7c1e93";
const AGENT: &str = "/ws/clients/agents/execute";
const TOOL: &str = "/ws/clients/tools/execute";
const QUERY_AUTH: AuthScheme = AuthScheme::Query {
    name: "authorization",
};

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema")
}

async fn mock() -> WsMockServer {
    autessa_tests::mock::start_ws(&schema_dir(), KEY).await
}

/// A REST-style client (raw key in the `Authorization` header), as the generated client
/// builds it; channels ask for the query key themselves.
fn http(base_url: &str) -> HttpClient {
    HttpClient::builder(base_url).api_key(KEY).build().unwrap()
}

fn config() -> WsConfig {
    WsConfig::default()
        .ping_interval(Duration::from_secs(5))
        .pong_timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(5))
}

async fn connect_agent(server: &WsMockServer, config: WsConfig, voice: bool) -> WsSession {
    let mut request = http(&server.base_url())
        .websocket("agentExecute", AGENT)
        .query("resourceId", &42)
        .query("versionState", "DRAFT")
        .auth(QUERY_AUTH)
        .config(config);
    if voice {
        request = request.query("voiceModeEnabled", &true);
    }
    request.connect().await.unwrap()
}

/// The next event, failing the test after ten seconds.
async fn next(session: &mut WsSession) -> Option<Result<Event<Frame>, WsError>> {
    tokio::time::timeout(Duration::from_secs(10), session.recv())
        .await
        .expect("no event within 10 s")
}

/// The next event, which must be a JSON text message.
async fn next_json(session: &mut WsSession) -> Value {
    match next(session).await {
        Some(Ok(Event::Message(frame))) => frame.decode_json(session.channel()).unwrap(),
        other => panic!("expected a message, got {other:?}"),
    }
}

async fn expect_status(session: &mut WsSession) {
    let status = next_json(session).await;
    assert_eq!(status["messageType"], "STATUS", "{status}");
    assert_eq!(status["status"], "CONNECTED");
}

async fn expect_closed(session: &mut WsSession) -> (Option<u16>, String) {
    match next(session).await {
        Some(Ok(Event::Closed { code, reason })) => {
            assert!(next(session).await.is_none(), "nothing after Closed");
            (code, reason)
        }
        other => panic!("expected Closed, got {other:?}"),
    }
}

fn execute(text: &str, conversation: Option<&str>) -> Value {
    let mut message = json!({
        "messageType": "EXECUTE",
        "agentId": 42,
        "input": [{"inputType": "TEXT", "content": text}],
        "outputType": "TEXT",
    });
    if let Some(id) = conversation {
        message["conversationId"] = json!(id);
    }
    message
}

/// Receives one streamed turn: the chunks' text, then the `ExecutionResult`.
async fn read_turn(session: &mut WsSession) -> (Vec<String>, Value) {
    let mut chunks = Vec::new();
    loop {
        let message = next_json(session).await;
        if let Some(chunk) = message.get("streamedOutput") {
            chunks.push(chunk["transcription"].as_str().unwrap().to_owned());
            continue;
        }
        return (chunks, message);
    }
}

fn names(server: &WsMockServer) -> Vec<String> {
    server
        .messages()
        .into_iter()
        .map(|message| message.message.unwrap_or_else(|| "?".into()))
        .collect()
}

#[tokio::test]
async fn a_text_conversation_over_several_turns() {
    let server = mock().await;
    server.script(agent_echo(3));
    let mut session = connect_agent(&server, config(), false).await;
    expect_status(&mut session).await;

    for turn in 1..=3 {
        let text = format!("question number {turn}");
        session
            .send_json(&execute(&text, Some("conv-1")))
            .await
            .unwrap();
        let (chunks, result) = read_turn(&mut session).await;
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks.concat(), format!("echo: {text}"));
        assert_eq!(result["messageType"], "RESULT");
        assert_eq!(result["conversationId"], "conv-1");
        assert_eq!(result["output"][0]["content"], format!("echo: {text}"));
    }
    session
        .send_json(&json!({"messageType": "CLOSE_CONVERSATION", "conversationId": "conv-1"}))
        .await
        .unwrap();
    server.wait_for_messages(4).await;
    session.close().await.unwrap();
    assert_eq!(expect_closed(&mut session).await.0, Some(1000));

    assert_eq!(server.violations(), Vec::<String>::new());
    assert_eq!(
        names(&server),
        [
            "ExecuteMessage",
            "ExecuteMessage",
            "ExecuteMessage",
            "CloseConversationMessage"
        ]
    );
    let connection = &server.connections()[0];
    assert_eq!(connection.status, 101);
    assert_eq!(connection.channel.as_deref(), Some("agentExecute"));
    let query: Vec<(&str, &str)> = connection
        .query
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    assert_eq!(
        query,
        [
            ("resourceId", "42"),
            ("versionState", "DRAFT"),
            ("authorization", "<key>")
        ]
    );
}

#[tokio::test]
async fn voice_mode_sends_and_receives_binary_frames() {
    let server = mock().await;
    // The mock collects the audio; after the fourth frame it answers with the audio as a
    // base64 chunk (the schema's way), the same bytes as one binary frame, and a result.
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
            Action::SendBinary(heard.clone()),
            Action::Send(execution_result(None, "you said")),
        ]
    });
    let mut session = connect_agent(&server, config(), true).await;
    expect_status(&mut session).await;
    session
        .send_json(&json!({
            "messageType": "VOICE",
            "outputType": "AUDIO",
            "agentId": 42,
            "audioFormat": {"sampleRate": 16000, "sampleSizeInBits": 16, "channels": 1,
                            "signed": true, "bigEndian": false},
            "environmentVariables": {},
            "promptTemplateVariables": {"name": "Ada"},
        }))
        .await
        .unwrap();
    // 80 ms of a 16 kHz ramp, sent as four 20 ms frames of 640 bytes.
    let samples: Vec<i16> = (0..1280).map(|n| (n * 25 - 16_000) as i16).collect();
    let pcm = pcm16_to_le_bytes(&samples);
    let sent = session.send_pcm_reader(&pcm[..], 640).await.unwrap();
    assert_eq!(sent, 2560);

    let chunk = next_json(&mut session).await;
    let output = &chunk["streamedOutput"];
    assert_eq!(output["outputType"], "AUDIO");
    assert_eq!(output["sampleRate"], 16_000);
    let decoded = decode_base64_pcm16(output["base64Audio"].as_str().unwrap()).unwrap();
    assert_eq!(decoded, samples);
    match next(&mut session).await {
        Some(Ok(Event::Message(Frame::Binary(data)))) => assert_eq!(data, pcm),
        other => panic!("expected a binary frame, got {other:?}"),
    }
    assert_eq!(next_json(&mut session).await["messageType"], "RESULT");

    let wav = std::env::temp_dir().join(format!("autessa-voice-{}.wav", std::process::id()));
    save_wav(&wav, &decoded, 16_000).unwrap();
    let file = std::fs::read(&wav).unwrap();
    std::fs::remove_file(&wav).unwrap();
    assert_eq!(file.len(), 44 + pcm.len());
    assert_eq!(&file[44..], &pcm[..]);

    session.close().await.unwrap();
    expect_closed(&mut session).await;
    assert_eq!(server.violations(), Vec::<String>::new());
    let messages = server.messages();
    assert_eq!(
        names(&server),
        [
            "VoiceSetupMessage",
            "AudioFrame",
            "AudioFrame",
            "AudioFrame",
            "AudioFrame"
        ]
    );
    let frames: Vec<u8> = messages
        .iter()
        .filter_map(|message| match &message.frame {
            ClientFrame::Binary(data) => {
                assert_eq!(data.len(), 640);
                Some(data.clone())
            }
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(frames, pcm);
    let query = &server.connections()[0].query;
    assert!(
        query.contains(&("voiceModeEnabled".into(), "true".into())),
        "{query:?}"
    );
}

#[tokio::test]
async fn tool_streaming_gives_debug_lines_then_the_result() {
    let server = mock().await;
    server.script(|turn| {
        if turn.frame.message_type() != Some("EXECUTE") {
            return Vec::new();
        }
        let lines: Vec<String> = (1..=3).map(|n| format!("step {n} done")).collect();
        let mut actions: Vec<Action> = lines
            .iter()
            .map(|line| Action::Send(tool_debug(line)))
            .collect();
        let variables = turn.frame.json().unwrap()["variables"].clone();
        actions.push(Action::Send(tool_result(
            "weather",
            json!({"echo": variables}),
            &lines,
        )));
        actions
    });
    let mut session = http(&server.base_url())
        .websocket("toolExecute", TOOL)
        .query("resourceId", &7)
        .auth(QUERY_AUTH)
        .config(config())
        .connect()
        .await
        .unwrap();
    expect_status(&mut session).await;
    session
        .send_json(&json!({
            "messageType": "EXECUTE",
            "toolId": 7,
            "variables": {"city": "Oslo"},
            "privateVariables": {"token": "t"},
            "debug": true,
        }))
        .await
        .unwrap();
    let mut lines = Vec::new();
    let result = loop {
        let message = next_json(&mut session).await;
        match message["messageType"].as_str() {
            Some("DEBUG") => lines.push(message["line"].as_str().unwrap().to_owned()),
            _ => break message,
        }
    };
    assert_eq!(lines, ["step 1 done", "step 2 done", "step 3 done"]);
    assert_eq!(result["messageType"], "RESULT");
    assert_eq!(result["toolName"], "weather");
    assert_eq!(result["response"], json!({"echo": {"city": "Oslo"}}));
    session.close().await.unwrap();
    expect_closed(&mut session).await;
    assert_eq!(server.violations(), Vec::<String>::new());
    assert_eq!(names(&server), ["ExecuteToolMessage"]);
}

#[tokio::test]
async fn an_unknown_server_message_is_delivered_as_it_came() {
    let server = mock().await;
    let unknown = json!({"messageType": "PROGRESS", "percent": 50, "note": "from a newer server"});
    let sent = unknown.clone();
    server.script(move |_| {
        vec![
            Action::SendUnchecked(sent.clone()),
            Action::Send(execution_result(None, "done")),
        ]
    });
    let mut session = connect_agent(&server, config(), false).await;
    expect_status(&mut session).await;
    session.send_json(&execute("hi", None)).await.unwrap();
    // The runtime passes every text frame on; the typed layer keeps unknown ones as raw JSON.
    assert_eq!(next_json(&mut session).await, unknown);
    assert_eq!(next_json(&mut session).await["messageType"], "RESULT");
    session.close().await.unwrap();
    expect_closed(&mut session).await;
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_and_the_session_goes_on() {
    let server = mock().await;
    let garbage = r#"{"messageType": "RESULT", "output": [oops"#;
    server.script(move |turn| match turn.index {
        0 => vec![
            Action::SendRaw(garbage.to_owned()),
            Action::Send(execution_result(None, "after the garbage")),
        ],
        _ => vec![Action::Send(execution_result(None, "second turn"))],
    });
    let mut session = connect_agent(&server, config(), false).await;
    expect_status(&mut session).await;
    session.send_json(&execute("one", None)).await.unwrap();

    let frame = match next(&mut session).await {
        Some(Ok(Event::Message(frame))) => frame,
        other => panic!("expected a message, got {other:?}"),
    };
    let error = frame.decode_json::<Value>(session.channel()).unwrap_err();
    assert!(matches!(error, WsError::Decode { .. }), "{error:?}");
    assert_eq!(error.raw(), Some(garbage));
    assert_eq!(
        error.to_string(),
        "channel `agentExecute`: could not decode a received message"
    );
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(source.contains("line 1"), "{source}");

    // The session goes on: the next message, and a whole new turn.
    assert_eq!(
        next_json(&mut session).await["output"][0]["content"],
        "after the garbage"
    );
    session.send_json(&execute("two", None)).await.unwrap();
    assert_eq!(
        next_json(&mut session).await["output"][0]["content"],
        "second turn"
    );
    session.close().await.unwrap();
    expect_closed(&mut session).await;
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_server_close_mid_stream_delivers_everything_before_it() {
    let server = mock().await;
    server.script(|_| {
        vec![
            Action::Send(streamed_text("first half, ", false)),
            Action::Send(streamed_text("second half", false)),
            Action::Close {
                code: 1000,
                reason: "server shutting down".into(),
            },
        ]
    });
    let mut session = connect_agent(&server, config(), false).await;
    expect_status(&mut session).await;
    session
        .send_json(&execute("long answer", None))
        .await
        .unwrap();
    let first = next_json(&mut session).await;
    assert_eq!(first["streamedOutput"]["transcription"], "first half, ");
    let second = next_json(&mut session).await;
    assert_eq!(second["streamedOutput"]["transcription"], "second half");
    assert_eq!(
        expect_closed(&mut session).await,
        (Some(1000), "server shutting down".to_owned())
    );
    let error = session
        .send_json(&execute("too late", None))
        .await
        .unwrap_err();
    assert!(matches!(error, WsError::Closed { .. }), "{error:?}");
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_client_close_still_delivers_what_the_server_sent_before() {
    let server = mock().await;
    server.script(agent_echo(5));
    let mut session = connect_agent(&server, config(), false).await;
    expect_status(&mut session).await;
    session
        .send_json(&execute("abcdefghij", None))
        .await
        .unwrap();
    let first = next_json(&mut session).await;
    assert!(first.get("streamedOutput").is_some(), "{first}");
    session.close().await.unwrap();
    let (chunks, result) = read_turn(&mut session).await;
    assert_eq!(chunks.len(), 4);
    assert_eq!(result["output"][0]["content"], "echo: abcdefghij");
    assert_eq!(expect_closed(&mut session).await.0, Some(1000));
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn the_heartbeat_keeps_a_live_connection_and_finds_a_dead_peer() {
    // A live server answers the pings (tungstenite does): nothing happens.
    let server = mock().await;
    let fast = config()
        .ping_interval(Duration::from_millis(50))
        .pong_timeout(Duration::from_millis(300));
    // A generous pong timeout here: a loaded machine must not make the live server look dead.
    let live = fast.clone().pong_timeout(Duration::from_secs(3));
    let mut session = connect_agent(&server, live, false).await;
    expect_status(&mut session).await;
    let quiet = tokio::time::timeout(Duration::from_millis(600), session.recv()).await;
    assert!(quiet.is_err(), "{quiet:?}");
    assert!(server.pings() >= 3, "{} pings", server.pings());
    session.close().await.unwrap();
    expect_closed(&mut session).await;

    // A server that stops reading after its greeting never answers.
    let server = mock().await;
    server.on_connect(|_| vec![Action::GoSilent]);
    let mut session = connect_agent(&server, fast, false).await;
    expect_status(&mut session).await;
    let error = match next(&mut session).await {
        Some(Err(error)) => error,
        other => panic!("expected an error, got {other:?}"),
    };
    assert!(
        matches!(error, WsError::DeadPeer { timeout, .. } if timeout == Duration::from_millis(300)),
        "{error:?}"
    );
    let (code, reason) = expect_closed(&mut session).await;
    assert_eq!(code, None);
    assert!(reason.contains("presumed dead"), "{reason}");
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_dropped_connection_is_reconnected() {
    let server = mock().await;
    let echo = agent_echo(2);
    // The first connection drops in the middle of its first answer.
    server.script(move |turn| {
        if turn.connection == 0 {
            vec![
                Action::Send(streamed_text("half an ans", false)),
                Action::Drop,
            ]
        } else {
            echo(turn)
        }
    });
    let reconnect = Reconnect::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(100))
        .budget(Duration::from_secs(5));
    let mut session = connect_agent(&server, config().reconnect(reconnect), false).await;
    expect_status(&mut session).await;
    session.send_json(&execute("hello", None)).await.unwrap();
    let partial = next_json(&mut session).await;
    assert_eq!(partial["streamedOutput"]["transcription"], "half an ans");
    match next(&mut session).await {
        Some(Ok(Event::Reconnecting { attempt: 1, delay })) => {
            assert!(
                delay >= Duration::from_millis(10) && delay <= Duration::from_millis(20),
                "{delay:?}"
            );
        }
        other => panic!("expected Reconnecting, got {other:?}"),
    }
    assert!(matches!(
        next(&mut session).await,
        Some(Ok(Event::Reconnected))
    ));
    // The new connection greets like the first; the turn is asked again.
    expect_status(&mut session).await;
    session.send_json(&execute("hello", None)).await.unwrap();
    let (chunks, result) = read_turn(&mut session).await;
    assert_eq!(chunks.concat(), "echo: hello");
    assert_eq!(result["messageType"], "RESULT");
    session.close().await.unwrap();
    expect_closed(&mut session).await;

    let connections = server.connections();
    assert_eq!(connections.len(), 2);
    assert!(connections.iter().all(|c| c.status == 101));
    assert_eq!(connections[0].query, connections[1].query);
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn reconnecting_gives_up_when_the_server_is_gone() {
    let server = mock().await;
    let reconnect = Reconnect::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(40))
        .budget(Duration::from_secs(5));
    let mut session = connect_agent(&server, config().reconnect(reconnect), false).await;
    expect_status(&mut session).await;
    drop(server);
    for attempt in 1..=3 {
        match next(&mut session).await {
            Some(Ok(Event::Reconnecting { attempt: n, .. })) => assert_eq!(n, attempt),
            other => panic!("expected Reconnecting, got {other:?}"),
        }
    }
    let error = match next(&mut session).await {
        Some(Err(error)) => error,
        other => panic!("expected an error, got {other:?}"),
    };
    let WsError::ReconnectExhausted { attempts, last, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*attempts, 3);
    assert!(matches!(**last, WsError::Connect { .. }), "{last:?}");
    expect_closed(&mut session).await;
    let text = format!("{error} {error:?} {}", chain(&error));
    assert!(!text.contains(KEY), "{text}");
    assert!(text.contains("authorization=<redacted>"), "{text}");
}

#[tokio::test]
async fn the_mock_judges_what_clients_send() {
    let server = mock().await;
    // A wrong key: refused like the real server would, and recorded.
    let stranger = HttpClient::builder(server.base_url())
        .api_key("not-the-key")
        .build()
        .unwrap();
    let error = stranger
        .websocket("agentExecute", AGENT)
        .query("resourceId", &1)
        .auth(QUERY_AUTH)
        .connect()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401), "{error:?}");
    // No resourceId: 400.
    let error = http(&server.base_url())
        .websocket("agentExecute", AGENT)
        .auth(QUERY_AUTH)
        .connect()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400), "{error:?}");
    let violations = server.violations();
    assert_eq!(violations.len(), 2, "{violations:?}");
    assert!(violations[0].contains("not the API key"), "{violations:?}");
    assert!(violations[1].contains("resourceId"), "{violations:?}");

    // Messages that break the schema, and audio where none is allowed.
    let server = mock().await;
    let mut session = http(&server.base_url())
        .websocket("toolExecute", TOOL)
        .query("resourceId", &7)
        .auth(QUERY_AUTH)
        .connect()
        .await
        .unwrap();
    expect_status(&mut session).await;
    session
        .send_json(&json!({"messageType": "EXECUTE"}))
        .await
        .unwrap();
    session.send_binary(vec![0_u8; 4]).await.unwrap();
    session
        .send_json(&json!({"messageType": "EXECUTE", "toolId": 7}))
        .await
        .unwrap();
    let messages = server.wait_for_messages(3).await;
    assert_eq!(messages[0].message, None);
    assert!(messages[0].violations[0].contains("toolId"), "{messages:?}");
    assert!(messages[1].violations[0].contains("binary"), "{messages:?}");
    assert_eq!(messages[2].message.as_deref(), Some("ExecuteToolMessage"));
    assert_eq!(server.violations().len(), 2);
    session.close().await.unwrap();
    expect_closed(&mut session).await;
}

/// Every error in the chain, as text.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = String::new();
    let mut current = Some(error);
    while let Some(error) = current {
        text.push_str(&format!("{error} / {error:?}\n"));
        current = error.source();
    }
    text
}

#[tokio::test]
async fn the_api_key_is_in_no_error_or_debug_output() {
    let mut shown = Vec::new();
    let server = mock().await;
    let client = http(&server.base_url());
    shown.push(format!("{client:?}"));

    // A refused upgrade (wrong key), a refused connection, a timeout.
    let wrong = HttpClient::builder(server.base_url())
        .api_key(format!("{KEY}-but-wrong"))
        .build()
        .unwrap();
    let error = wrong
        .websocket("agentExecute", AGENT)
        .query("resourceId", &1)
        .auth(QUERY_AUTH)
        .connect()
        .await
        .unwrap_err();
    shown.push(chain(&error));
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let nowhere = http(&format!("http://{closed_port}"));
    let error = nowhere
        .websocket("agentExecute", AGENT)
        .auth(QUERY_AUTH)
        .connect()
        .await
        .unwrap_err();
    shown.push(chain(&error));
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = http(&format!("http://{}", silent.local_addr().unwrap()))
        .websocket("agentExecute", AGENT)
        .auth(QUERY_AUTH)
        .config(config().connect_timeout(Duration::from_millis(100)))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, WsError::ConnectTimeout { .. }), "{error:?}");
    shown.push(chain(&error));

    // A request, a session, its sender and its URL; a dead peer's error and the events.
    let request = client
        .websocket("agentExecute", AGENT)
        .query("resourceId", &42)
        .auth(QUERY_AUTH)
        .config(
            config()
                .ping_interval(Duration::from_millis(50))
                .pong_timeout(Duration::from_millis(200)),
        );
    shown.push(format!("{request:?} {:?}", request.url()));
    server.on_connect(|_| vec![Action::GoSilent]);
    let mut session = request.connect().await.unwrap();
    shown.push(format!(
        "{session:?} {:?} {}",
        session.sender(),
        session.url()
    ));
    assert!(
        session.url().ends_with("&authorization=<redacted>"),
        "{}",
        session.url()
    );
    while let Some(event) = next(&mut session).await {
        match event {
            Ok(event) => shown.push(format!("{event:?}")),
            Err(error) => shown.push(chain(&error)),
        }
    }
    let error = session.send_json("late").await.unwrap_err();
    shown.push(chain(&error));

    let everything = shown.join("\n");
    assert!(!everything.contains(KEY), "{everything}");
    assert!(
        everything.contains("authorization=<redacted>"),
        "{everything}"
    );
    assert!(everything.contains("presumed dead"), "{everything}");
    assert!(everything.contains("HTTP 401"), "{everything}");
}
