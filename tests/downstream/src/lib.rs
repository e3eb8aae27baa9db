//! The downstream crate's own code, as an application built on `autessa` has it: a helper
//! that asks an agent and gathers its streamed answer, one that speaks to it in voice mode,
//! and one that writes a note to a table. `tests/mocked.rs` tests them against
//! `autessa::mock::Mock`, without the network.

#![deny(warnings)]

use std::collections::BTreeMap;
use std::error::Error;

use autessa::channels::{AgentExecuteMessage, AgentExecuteParams, AgentExecuteReply};
use autessa::runtime::serde_json::json;
use autessa::types::{
    AgentInput, AudioFormat, AutessaDbColumnValue, ColumnType, ErrorResponse, ExecuteMessage,
    InsertRowRequest, OutputType, TextInput, VoiceSetupMessage,
};
use autessa::ws::Event;
use autessa::ws::stream::StreamExt;
use autessa::{Bytes, Client};

/// What the agent answered: the text as streamed, and the result's text.
#[derive(Debug, Default, PartialEq)]
pub struct Answer {
    /// The chunks, in order.
    pub chunks: Vec<String>,
    /// The first text output of the result.
    pub result: Option<String>,
}

/// Asks `agent` `question` and gathers the streamed answer.
pub async fn ask(client: &Client, agent: i64, question: &str) -> Result<Answer, Box<dyn Error>> {
    let mut connection = client
        .connect_agent_execute(&AgentExecuteParams::new(agent))
        .await?;
    let input = vec![AgentInput::Text(TextInput::new(question))];
    let mut answer = Answer::default();
    {
        let reply = connection
            .request_execute_message(&ExecuteMessage::new(agent, input))
            .await?;
        let mut reply = Box::pin(reply);
        while let Some(part) = reply.next().await {
            match part? {
                AgentExecuteReply::StreamedOutputMessage(chunk) => answer
                    .chunks
                    .push(chunk.streamed_output.transcription.unwrap_or_default()),
                AgentExecuteReply::ExecutionResult(result) => {
                    answer.result = result.output.into_iter().find_map(|o| o.content);
                }
                AgentExecuteReply::ErrorMessage(error) => {
                    return Err(error.errors.join("; ").into());
                }
                _ => {}
            }
        }
    }
    connection.close().await?;
    Ok(answer)
}

/// Speaks `pcm` (16-bit little-endian mono at 16 kHz) to `agent` in voice mode and returns
/// the audio it answers with, frame by frame, until the server closes the turn.
pub async fn speak(client: &Client, agent: i64, pcm: &[u8]) -> Result<Vec<Bytes>, Box<dyn Error>> {
    let params = AgentExecuteParams::new(agent).with_voice_mode_enabled(true);
    let mut connection = client.connect_agent_execute(&params).await?;
    let format = AudioFormat::new(16_000, 16, 1, true, false);
    let setup = VoiceSetupMessage::new(
        OutputType::Audio,
        agent,
        format,
        BTreeMap::new(),
        BTreeMap::new(),
    );
    connection.send_voice_setup_message(&setup).await?;
    connection
        .send_audio_frame(Bytes::copy_from_slice(pcm))
        .await?;
    let mut audio = Vec::new();
    while let Some(event) = connection.recv().await {
        match event? {
            Event::Message(AgentExecuteMessage::UnknownBinary(frame)) => audio.push(frame),
            Event::Closed { .. } => break,
            _ => {}
        }
    }
    Ok(audio)
}

/// Writes `note` to `table` (its `note` column) and returns the new row's id. A rate-limited
/// write is retried by the client, as its retry policy says.
pub async fn save_note(
    client: &Client,
    table: i64,
    note: &str,
) -> Result<i64, autessa::Error<ErrorResponse>> {
    let value = AutessaDbColumnValue::new(ColumnType::String, json!(note));
    let row = BTreeMap::from([("note".to_owned(), value)]);
    let saved = client
        .insert_row(&InsertRowRequest::new(table, row))
        .await?;
    Ok(saved.inserted_id)
}
