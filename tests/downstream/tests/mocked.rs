//! The downstream crate's code tested against `autessa::mock::Mock` (the `mock` feature of
//! `autessa`, a dev-dependency): typed replies and scripts, faults, and the mock's check that
//! every request followed the API's documents.

use std::time::Duration;

use autessa::channels::AgentExecuteMessage as Server;
use autessa::mock::{AgentExecuteClientMessage, Mock};
use autessa::runtime::mock::{Fault, Reply, Step};
use autessa::types::{
    AgentInput, AgentOutput, ComputationStatus, ExecutionResult, InsertRowResponse, OutputType,
    Row, StreamedOutput, StreamedOutputMessage,
};
use autessa_downstream::{Answer, ask, save_note, speak};

fn chunk(text: &str, last: bool) -> Step<Server> {
    let output = StreamedOutput::new(OutputType::Text, last).with_transcription(text);
    Step::Send(Server::StreamedOutputMessage(StreamedOutputMessage::new(
        output,
    )))
}

#[tokio::test]
async fn a_streamed_agent_turn_is_gathered() {
    let mock = Mock::start().await.unwrap();
    mock.on_agent_execute().script(|turn| match &turn.message {
        AgentExecuteClientMessage::ExecuteMessage(message) => {
            let Some(AgentInput::Text(question)) = message.input.first() else {
                return vec![];
            };
            let answer = format!("You said: {}", question.content);
            let result = ExecutionResult::new(
                vec![AgentOutput::new(OutputType::Text).with_content(answer.as_str())],
                vec![],
            );
            vec![
                chunk("You ", false),
                Step::Sleep(Duration::from_millis(10)),
                chunk("said: ", false),
                chunk(&question.content, true),
                Step::Send(Server::ExecutionResult(result)),
            ]
        }
        _ => vec![],
    });
    let answer = ask(&mock.client().unwrap(), 123, "hi").await.unwrap();
    let expected = Answer {
        chunks: vec!["You ".into(), "said: ".into(), "hi".into()],
        result: Some("You said: hi".into()),
    };
    assert_eq!(answer, expected);
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_voice_turn_hears_the_audio_back() {
    let mock = Mock::start().await.unwrap();
    mock.on_agent_execute().script(|turn| match &turn.message {
        AgentExecuteClientMessage::AudioFrame(pcm) => {
            vec![Step::Binary(pcm.clone()), Step::close(1000, "turn over")]
        }
        _ => vec![],
    });
    let audio = speak(&mock.client().unwrap(), 123, &[1, 0, 2, 0])
        .await
        .unwrap();
    assert_eq!(audio.len(), 1);
    assert_eq!(audio[0][..], [1, 0, 2, 0]);
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_rate_limited_write_is_retried_and_lands_once() {
    let mock = Mock::start().await.unwrap();
    let inserts = mock.on_insert_row();
    inserts.respond(Reply::ok(InsertRowResponse::new(
        vec![],
        77,
        Row::new(77, Default::default()),
        ComputationStatus::Complete,
    )));
    inserts.respond_once(Reply::rate_limited(1));
    let id = save_note(&mock.client().unwrap(), 9, "call Ada")
        .await
        .unwrap();
    assert_eq!(id, 77);
    let sent = inserts.requests();
    assert_eq!(sent.len(), 2, "the 429, then the retry");
    let note = &sent[1].body.as_ref().unwrap().values["note"].value;
    assert_eq!(note, "call Ada");
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_server_error_reaches_the_caller_typed() {
    let mock = Mock::start().await.unwrap();
    mock.on_insert_row().respond(Reply::example(500));
    let client = mock.client().unwrap();
    let error = save_note(&client, 9, "lost").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn a_connection_reset_and_a_stalled_server_are_errors_not_hangs() {
    let mock = Mock::start().await.unwrap();
    let inserts = mock.on_insert_row();
    inserts.respond_once(Reply::fault(Fault::Reset));
    let client = mock.client().unwrap();
    let reset = save_note(&client, 9, "lost").await.unwrap_err();
    assert!(reset.status().is_none(), "no HTTP answer: {reset}");

    inserts.respond_once(Reply::fault(Fault::Stall));
    let impatient =
        client.with_options(autessa::RequestOptions::new().timeout(Duration::from_millis(200)));
    let stalled = save_note(&impatient, 9, "late").await.unwrap_err();
    assert!(stalled.status().is_none(), "a timeout: {stalled}");
}
