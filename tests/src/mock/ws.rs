//! The WebSocket mock (`autessa_runtime::mock::ws`) and builders of the Autessa messages its
//! scripts send.

pub use autessa_runtime::mock::ws::{
    Action, ClientFrame, Connected, OnConnect, RecordedConnection, RecordedMessage, Script, Turn,
    WsMockError, WsMockServer,
};
use serde_json::{Value, json};

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
