//! A program that uses `autessa` as a downstream crate does: everything it names is reached
//! through `autessa` (plus tokio for the runtime). `cargo xtask downstream` builds it against
//! the packaged crates and runs it against the project's mock servers (`autessa-mock`), which
//! validate every request against the schema.
//!
//! It reads `AUTESSA_API_KEY`, `AUTESSA_BASE_URL` (REST), `AUTESSA_WS_BASE_URL` (WebSocket)
//! and `AUTESSA_STORAGE_URL` (where the mock storage keeps the uploaded file), runs every
//! check, prints one line per check and exits with 1 if any failed.

#![deny(warnings)]

use std::error::Error;
use std::fmt::Debug;
use std::process::ExitCode;
use std::time::Duration;

use autessa::channels::{
    AgentExecuteConnection, AgentExecuteParams, AgentExecuteReply, ToolExecuteParams,
    ToolExecuteReply,
};
use autessa::runtime::serde_json::{self, json};
use autessa::types::{
    AgentInput, AudioFormat, ComputationStatus, CreateConversationHeaders,
    CreateConversationRequest, CreateConversationResponse, CustomVersion, ExecuteMessage,
    ExecuteToolMessage, FileType, GenerateUploadLinkRequest, GetDataHeaders, GetDataRequest,
    GetDataResponse, IndexRecordRequest, OutputType, Pagination, TextInput, VersionState,
    VoiceSetupMessage,
};
use autessa::ws::audio::{pcm16_from_le_bytes, pcm16_to_le_bytes};
use autessa::ws::stream::{Stream, StreamExt};
use autessa::ws::{WsError, within};
use autessa::{ApiResponse, Client, Upload};

type Outcome = Result<(), Box<dyn Error>>;

/// The `conversationId` of `createConversation`'s example in `schema/openapi.yaml`, which
/// the mock answers with.
const CONVERSATION_ID: &str = "conv_abc123";
/// `recordsImpacted` and `computationStatus` of `indexRecord`'s example.
const RECORDS_IMPACTED: i64 = 250;
/// The `tempPath` the mock's upload link names.
const TEMP_PATH: &str = "tmp/downstream/upload";
/// The agent, tool and table the program works with.
const AGENT: i64 = 123;
const TOOL: i64 = 456;
const TABLE: i64 = 789;
/// A safety net against a mock that never answers; no check depends on timing.
const PATIENCE: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let mut failed = 0;
    let mut report = |name: &str, outcome: Outcome| match outcome {
        Ok(()) => println!("ok      {name}"),
        Err(error) => {
            failed += 1;
            println!("FAILED  {name}: {error}");
        }
    };
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(async {
            report("REST: create a conversation", create_conversation().await);
            report("REST: a streamed read", streamed_read().await);
            report("REST: an upload", upload().await);
            report("WebSocket: a text turn", text_turn().await);
            report("WebSocket: a voice turn", voice_turn().await);
            report("WebSocket: a tool run", tool_run().await);
        }),
        Err(error) => report("a tokio runtime", Err(error.into())),
    }
    // The blocking client runs outside any async runtime, as in a synchronous program.
    report("blocking client", blocking());
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        println!("{failed} check(s) failed");
        ExitCode::FAILURE
    }
}

/// Fails with both values shown when they differ.
fn same<T: PartialEq + Debug>(what: &str, got: T, want: T) -> Outcome {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}").into())
    }
}

fn env(name: &str) -> Result<String, Box<dyn Error>> {
    std::env::var(name).map_err(|error| format!("{name}: {error}").into())
}

/// The REST client, from `AUTESSA_BASE_URL` and `AUTESSA_API_KEY`.
fn rest() -> Result<Client, Box<dyn Error>> {
    Ok(Client::from_env()?)
}

/// The WebSocket client: the same key, the WebSocket mock's address.
fn websocket() -> Result<Client, Box<dyn Error>> {
    Ok(Client::new(
        &env("AUTESSA_WS_BASE_URL")?,
        env("AUTESSA_API_KEY")?,
    )?)
}

fn conversation_request() -> CreateConversationRequest {
    CreateConversationRequest::new(AGENT)
        .with_version(CustomVersion::new().with_version_state(VersionState::Draft))
}

fn page_request() -> GetDataRequest {
    GetDataRequest::new(TABLE).with_pagination(Pagination::new(0, 100))
}

async fn create_conversation() -> Outcome {
    let created = rest()?.create_conversation(&conversation_request()).await?;
    same("status", created.status.as_u16(), 200)?;
    same(
        "conversation id",
        created.conversation_id.as_str(),
        CONVERSATION_ID,
    )?;
    same("errors", created.errors.len(), 0)?;
    same(
        "rate limit left this minute",
        created.typed_headers().x_rate_limit_remaining_minute,
        Some(59),
    )
}

async fn streamed_read() -> Outcome {
    let client = rest()?;
    let mut streamed = client.get_data_streaming(&page_request()).await?;
    same("status", streamed.status.as_u16(), 200)?;
    let mut body = Vec::new();
    while let Some(chunk) = streamed.body.next_chunk().await {
        body.extend_from_slice(&chunk?);
    }
    let from_stream: GetDataResponse = serde_json::from_slice(&body)?;
    let decoded = client.get_data(&page_request()).await?.into_body();
    if decoded.rows.is_empty() {
        return Err("the page has no rows: nothing was compared".into());
    }
    same("the streamed page", &from_stream, &decoded)
}

async fn upload() -> Outcome {
    let data = b"id,name\n1,Ada\n2,Grace\n".to_vec();
    let link = GenerateUploadLinkRequest::new(TABLE, "people.csv", FileType::Csv);
    let mut ticket = None;
    let indexed = rest()?
        .upload_file(&link, Upload::bytes(data.clone()), |temp_path| {
            ticket = Some(temp_path.clone());
            IndexRecordRequest::new(TABLE, temp_path)
        })
        .await?;
    same("indexRecord's tempPath", ticket.as_deref(), Some(TEMP_PATH))?;
    same(
        "records impacted",
        indexed.records_impacted,
        RECORDS_IMPACTED,
    )?;
    same(
        "computation status",
        &indexed.computation_status,
        &ComputationStatus::Computing,
    )?;
    // What the storage received is what was uploaded.
    let stored = autessa::runtime::reqwest::get(env("AUTESSA_STORAGE_URL")?)
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    same("the stored file", stored.as_ref(), data.as_slice())
}

/// Every part of a reply, or an error when one failed or the reply never ended.
async fn reply_parts<T: Debug>(
    reply: impl Stream<Item = Result<T, WsError>>,
) -> Result<Vec<T>, Box<dyn Error>> {
    let parts = within(PATIENCE, reply.collect::<Vec<_>>())
        .await
        .ok_or("the reply did not end")?;
    Ok(parts.into_iter().collect::<Result<Vec<T>, WsError>>()?)
}

async fn agent(params: &AgentExecuteParams) -> Result<AgentExecuteConnection, Box<dyn Error>> {
    let connection = websocket()?.connect_agent_execute(params).await?;
    if connection.connection_status().is_none() {
        return Err("no connection status on connecting".into());
    }
    Ok(connection)
}

async fn text_turn() -> Outcome {
    let mut connection =
        agent(&AgentExecuteParams::new(AGENT).with_version_state(VersionState::Draft)).await?;
    let message = ExecuteMessage::new(AGENT, vec![AgentInput::Text(TextInput::new("hello"))])
        .with_conversation_id(CONVERSATION_ID);
    let parts = reply_parts(connection.request_execute_message(&message).await?).await?;
    let Some((AgentExecuteReply::ExecutionResult(result), chunks)) = parts.split_last() else {
        return Err(format!("the reply does not end in a result: {parts:?}").into());
    };
    let mut streamed = String::new();
    for chunk in chunks {
        let AgentExecuteReply::StreamedOutputMessage(chunk) = chunk else {
            return Err(format!("expected a text chunk, got {chunk:?}").into());
        };
        streamed.push_str(chunk.streamed_output.transcription.as_deref().unwrap_or(""));
    }
    same("chunks", chunks.len(), 3)?;
    same("streamed text", streamed.as_str(), "echo: hello")?;
    same(
        "result",
        result.output.first().and_then(|o| o.content.as_deref()),
        Some("echo: hello"),
    )?;
    same(
        "conversation",
        result.conversation_id.as_deref(),
        Some(CONVERSATION_ID),
    )?;
    connection.close().await?;
    Ok(())
}

async fn voice_turn() -> Outcome {
    let mut connection =
        agent(&AgentExecuteParams::new(AGENT).with_voice_mode_enabled(true)).await?;
    let setup = VoiceSetupMessage::new(
        OutputType::Audio,
        AGENT,
        AudioFormat::new(16_000, 16, 1, true, false),
        Default::default(),
        [("customerName".to_owned(), "Ada".to_owned())].into(),
    );
    connection.send_voice_setup_message(&setup).await?;
    // Speech (never a silent frame), then a frame of silence, which ends the mock's turn.
    let speech: Vec<i16> = (0..1280).map(|n| (n * 25 - 16_000) as i16).collect();
    let pcm = pcm16_to_le_bytes(&speech);
    let silence = vec![0_u8; 640];
    let sender = connection.sender();
    same(
        "speech bytes sent",
        sender.send_pcm_reader(&pcm[..], 640).await?,
        2560,
    )?;
    same(
        "silence bytes sent",
        sender.send_pcm_reader(&silence[..], 640).await?,
        640,
    )?;
    let parts = reply_parts(connection.reply()).await?;
    let Some((AgentExecuteReply::ExecutionResult(result), chunks)) = parts.split_last() else {
        return Err(format!("the reply does not end in a result: {parts:?}").into());
    };
    let mut heard = Vec::new();
    for chunk in chunks {
        let AgentExecuteReply::StreamedOutputMessage(chunk) = chunk else {
            return Err(format!("expected an audio chunk, got {chunk:?}").into());
        };
        same(
            "output type",
            &chunk.streamed_output.output_type,
            &OutputType::Audio,
        )?;
        let audio = chunk
            .streamed_output
            .base64_audio
            .as_ref()
            .ok_or("an audio chunk without audio")?;
        heard.extend(pcm16_from_le_bytes(audio.as_bytes())?);
    }
    same("audio chunks (one per frame)", chunks.len(), 5)?;
    let last = chunks.last().map(|c| match c {
        AgentExecuteReply::StreamedOutputMessage(m) => m.streamed_output.is_final_chunk,
        _ => false,
    });
    same("the last chunk is final", last, Some(true))?;
    let mut sent = speech;
    sent.extend(pcm16_from_le_bytes(&silence)?);
    same("the audio echoed back", heard, sent)?;
    same(
        "result",
        result.output.first().and_then(|o| o.content.as_deref()),
        Some("heard 2560 bytes"),
    )?;
    connection.close().await?;
    Ok(())
}

async fn tool_run() -> Outcome {
    let mut connection = websocket()?
        .connect_tool_execute(&ToolExecuteParams::new(TOOL))
        .await?;
    let variables = [("city".to_owned(), json!("Paris"))].into();
    let request = ExecuteToolMessage::new(TOOL)
        .with_debug(true)
        .with_variables(variables);
    let parts = reply_parts(connection.request_execute_tool_message(&request).await?).await?;
    let Some((ToolExecuteReply::ToolResultMessage(result), debug)) = parts.split_last() else {
        return Err(format!("the run does not end in a result: {parts:?}").into());
    };
    let lines: Vec<&str> = debug
        .iter()
        .map(|part| match part {
            ToolExecuteReply::ToolDebugMessage(line) => Ok(line.line.as_str()),
            other => Err(format!("expected a debug line, got {other:?}")),
        })
        .collect::<Result<_, _>>()?;
    let want = ["tool 456: step 1", "tool 456: step 2", "tool 456: step 3"];
    same("debug lines", lines.as_slice(), want.as_slice())?;
    same("tool name", result.tool_name.as_str(), "tool-456")?;
    same(
        "response",
        &result.response,
        &json!({"variables": {"city": "Paris"}}),
    )?;
    connection.close().await?;
    Ok(())
}

/// The blocking client's calls (on the main thread, no async runtime).
fn blocking_calls() -> Result<
    (
        ApiResponse<CreateConversationResponse, CreateConversationHeaders>,
        ApiResponse<GetDataResponse, GetDataHeaders>,
    ),
    Box<dyn Error>,
> {
    let client = autessa::blocking::Client::from_env()?;
    let created = client.create_conversation(&conversation_request()).send()?;
    let page = client.get_data(&page_request()).send()?;
    Ok((created, page))
}

fn blocking() -> Outcome {
    let (created, page) = blocking_calls()?;
    same(
        "conversation id",
        created.conversation_id.as_str(),
        CONVERSATION_ID,
    )?;
    same("status", page.status.as_u16(), 200)?;
    if page.rows.is_empty() {
        return Err("the page has no rows".into());
    }
    same(
        "total records at least the rows",
        page.total_records >= page.rows.len() as i64,
        true,
    )
}
