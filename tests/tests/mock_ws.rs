//! The generated `autessa::mock::Mock` on the WebSocket side: typed scripts per channel
//! (server messages in order, pauses, binary frames, a close with code and reason), the
//! decoded client messages recorded, and a wrong key refused as the server refuses it.

use std::time::Duration;

use autessa::channels::{
    AgentExecuteParams, AgentExecuteReply, ToolExecuteParams, ToolExecuteReply,
};
use autessa::mock::{AgentExecuteClientMessage, Mock, ToolExecuteClientMessage};
use autessa::runtime::Bytes;
use autessa::runtime::mock::Step;
use autessa::types::{
    AgentInput, AgentOutput, AudioFormat, ExecuteMessage, ExecuteToolMessage, ExecutionResult,
    OutputType, StreamedOutput, StreamedOutputMessage, TextInput, ToolDebugMessage,
    ToolResultMessage, VoiceSetupMessage,
};
use autessa::ws::stream::StreamExt;
use autessa::ws::{Event, WsError};

use autessa::channels::AgentExecuteMessage as Server;
use autessa::channels::ToolExecuteMessage as ToolServer;

fn chunk(text: &str, last: bool) -> Server {
    let output = StreamedOutput::new(OutputType::Text, last).with_transcription(text);
    Server::StreamedOutputMessage(StreamedOutputMessage::new(output))
}

fn result(text: &str) -> Server {
    let output = AgentOutput::new(OutputType::Text).with_content(text);
    Server::ExecutionResult(ExecutionResult::new(vec![output], vec![]))
}

#[tokio::test]
async fn a_scripted_text_turn_streams_its_chunks_then_the_result() {
    let mock = Mock::start().await.unwrap();
    mock.on_agent_execute().script(|turn| match &turn.message {
        AgentExecuteClientMessage::ExecuteMessage(message) => {
            let asked = match &message.input[..] {
                [AgentInput::Text(text)] => text.content.clone(),
                _ => String::new(),
            };
            vec![
                Step::Send(chunk("Hel", false)),
                Step::Sleep(Duration::from_millis(20)),
                Step::Send(chunk("lo, ", false)),
                Step::Send(chunk(&asked, true)),
                Step::Send(result(&format!("Hello, {asked}"))),
            ]
        }
        _ => vec![],
    });
    let client = mock.client().unwrap();
    let mut connection = client
        .connect_agent_execute(&AgentExecuteParams::new(123))
        .await
        .unwrap();
    let input = vec![AgentInput::Text(TextInput::new("Ada"))];
    let reply = connection
        .request_execute_message(&ExecuteMessage::new(123, input))
        .await
        .unwrap();
    let parts: Vec<AgentExecuteReply> = reply.map(Result::unwrap).collect().await;
    let text: Vec<String> = parts
        .iter()
        .map(|part| match part {
            AgentExecuteReply::StreamedOutputMessage(m) => {
                m.streamed_output.transcription.clone().unwrap_or_default()
            }
            AgentExecuteReply::ExecutionResult(r) => format!("= {:?}", r.output[0].content),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(text, ["Hel", "lo, ", "Ada", "= Some(\"Hello, Ada\")"]);

    let received = mock.on_agent_execute().messages();
    assert_eq!(received.len(), 1);
    assert!(
        matches!(&received[0].message, AgentExecuteClientMessage::ExecuteMessage(m) if m.agent_id == 123)
    );
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_voice_turn_records_audio_frames_and_answers_with_binary_and_a_close() {
    let mock = Mock::start().await.unwrap();
    mock.on_agent_execute().script(|turn| match &turn.message {
        AgentExecuteClientMessage::AudioFrame(pcm) => {
            vec![Step::Binary(pcm.clone()), Step::close(4000, "turn over")]
        }
        _ => vec![],
    });
    let client = mock.client().unwrap();
    let params = AgentExecuteParams::new(42).with_voice_mode_enabled(true);
    let mut connection = client.connect_agent_execute(&params).await.unwrap();
    let format = AudioFormat::new(16_000, 16, 1, true, false);
    let setup = VoiceSetupMessage::new(
        OutputType::Audio,
        42,
        format,
        Default::default(),
        Default::default(),
    );
    connection.send_voice_setup_message(&setup).await.unwrap();
    connection
        .send_audio_frame(Bytes::from_static(&[1, 0, 2, 0]))
        .await
        .unwrap();

    let echoed = connection.recv().await.unwrap().unwrap();
    assert!(
        matches!(echoed, Event::Message(Server::UnknownBinary(ref data)) if data[..] == [1, 0, 2, 0]),
        "{echoed:?}"
    );
    match connection.recv().await {
        Some(Ok(Event::Closed { code, reason })) => {
            assert_eq!((code, reason.as_str()), (Some(4000), "turn over"));
        }
        other => panic!("expected the close, got {other:?}"),
    }
    let received: Vec<_> = mock
        .on_agent_execute()
        .messages()
        .into_iter()
        .map(|m| m.message)
        .collect();
    assert!(matches!(
        received[0],
        AgentExecuteClientMessage::VoiceSetupMessage(_)
    ));
    assert!(matches!(&received[1], AgentExecuteClientMessage::AudioFrame(pcm) if pcm.len() == 4));
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_tool_run_streams_debug_lines_and_an_unknown_message_passes() {
    let mock = Mock::start().await.unwrap();
    mock.on_tool_execute().script(|turn| match &turn.message {
        ToolExecuteClientMessage::ExecuteToolMessage(run) => vec![
            Step::Send(ToolServer::ToolDebugMessage(ToolDebugMessage::new(
                "step 1",
            ))),
            Step::Send(ToolServer::Unknown(
                serde_json::json!({"messageType": "NEWS"}),
            )),
            Step::Send(ToolServer::ToolResultMessage(ToolResultMessage::new(
                vec![],
                format!("tool-{}", run.tool_id),
                serde_json::json!({"ok": true}),
            ))),
        ],
        _ => vec![],
    });
    let client = mock.client().unwrap();
    let mut connection = client
        .connect_tool_execute(&ToolExecuteParams::new(456))
        .await
        .unwrap();
    let reply = connection
        .request_execute_tool_message(&ExecuteToolMessage::new(456))
        .await
        .unwrap();
    let parts: Vec<ToolExecuteReply> = reply.map(Result::unwrap).collect().await;
    assert!(
        matches!(parts.first(), Some(ToolExecuteReply::ToolDebugMessage(d)) if d.line == "step 1"),
        "{parts:?}"
    );
    assert!(
        matches!(parts.last(), Some(ToolExecuteReply::ToolResultMessage(r)) if r.tool_name == "tool-456"),
        "{parts:?}"
    );
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_wrong_key_is_refused_at_the_upgrade() {
    let mock = Mock::start().await.unwrap();
    let stranger = autessa::Client::new(&mock.base_url(), "not-the-key").unwrap();
    let refused = stranger
        .connect_agent_execute(&AgentExecuteParams::new(1))
        .await
        .unwrap_err();
    assert!(
        !matches!(refused, WsError::ClosedOnConnect { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("401"), "{refused}");
    assert_eq!(mock.violations().len(), 1);
}

#[tokio::test]
async fn a_channel_greets_as_the_test_says() {
    use autessa::types::{ConnectionState, ConnectionStatus};
    let mock = Mock::start().await.unwrap();
    // By default the mock makes the initial message from its schema (no example is given).
    let client = mock.client().unwrap();
    let plain = client
        .connect_agent_execute(&AgentExecuteParams::new(1))
        .await
        .unwrap();
    assert_eq!(
        plain.connection_status().map(|s| s.status.clone()),
        Some(ConnectionState::Connected)
    );
    mock.on_agent_execute().greet(|connected| {
        let status = ConnectionStatus::new(ConnectionState::Connected)
            .with_connection_id(format!("conn-{}", connected.connection));
        vec![Step::Send(Server::ConnectionStatus(status))]
    });
    let greeted = client
        .connect_agent_execute(&AgentExecuteParams::new(1))
        .await
        .unwrap();
    let id = greeted
        .connection_status()
        .and_then(|s| s.connection_id.clone());
    assert_eq!(id.as_deref(), Some("conn-1"));
    assert_eq!(mock.violations(), Vec::<String>::new());
}
