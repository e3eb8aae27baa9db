//! The project's mock servers as one process, for programs outside the workspace (the
//! downstream crate in `tests/downstream`, run by `cargo xtask downstream`).
//!
//! ```text
//! autessa-mock --api-key KEY [--schema DIR]
//! ```
//!
//! Starts on 127.0.0.1: the REST mock (every request validated against
//! `schema/openapi.yaml`, answered with the schema's examples; `generateUploadLink` points
//! at the storage server), the WebSocket mock (the agent channel echoes text turns in
//! three chunks and voice turns audio frame by audio frame, a silent frame ending the turn;
//! the tool channel streams debug lines, then the result) and a storage server for
//! pre-signed uploads. Prints one line of JSON on stdout, the environment a client needs:
//!
//! ```text
//! {"AUTESSA_API_KEY":"…","AUTESSA_BASE_URL":"http://127.0.0.1:…","AUTESSA_WS_BASE_URL":"…","AUTESSA_STORAGE_URL":"…"}
//! ```
//!
//! (`AUTESSA_STORAGE_URL` is where the storage keeps the uploaded file: `GET` it to read
//! it back). Serves until stdin closes, then prints a second line, the report
//! `{"violations":[…],"restRequests":N,"wsMessages":N,"uploads":N}`, and exits with 1 when
//! any request broke the schema (or the mock's own checks), else 0.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};

use autessa_tests::mock::storage::StorageServer;
use autessa_tests::mock::ws::{
    Action, ClientFrame, Turn, agent_echo, execution_result, streamed_audio, tool_debug,
    tool_result,
};
use base64::Engine;
use serde_json::{Value, json};

const USAGE: &str = "usage: autessa-mock --api-key KEY [--schema DIR]";

/// Where the storage keeps the one uploaded file.
const OBJECT_PATH: &str = "/bucket/upload";

/// The `tempPath` the upload link names (and `indexRecord` must then be given).
const TEMP_PATH: &str = "tmp/downstream/upload";

/// How many chunks a text turn is streamed in.
const TEXT_CHUNKS: usize = 3;

/// The sample rate the audio chunks declare.
const SAMPLE_RATE: u32 = 16_000;

struct Args {
    api_key: String,
    schema: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut api_key = None;
    let mut schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--api-key" => api_key = Some(value()?),
            "--schema" => schema = PathBuf::from(value()?),
            _ => return Err(format!("unknown argument {arg}\n{USAGE}")),
        }
    }
    let api_key = api_key.ok_or_else(|| USAGE.to_owned())?;
    Ok(Args { api_key, schema })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let rest =
        autessa_tests::mock::start_rest(&args.schema.join("openapi.yaml"), &args.api_key).await;
    let ws = autessa_tests::mock::start_ws(&args.schema, &args.api_key).await;
    let storage = StorageServer::start(&args.api_key).await;
    rest.respond_to_operation(
        "generateUploadLink",
        200,
        json!({
            "errors": [],
            "uploadUrl": storage.signed_url(OBJECT_PATH),
            "tempPath": TEMP_PATH,
            "expiresAt": "2030-01-01T00:00:00Z",
        }),
    );
    ws.script(script());

    let environment = json!({
        "AUTESSA_API_KEY": args.api_key,
        "AUTESSA_BASE_URL": rest.base_url(),
        "AUTESSA_WS_BASE_URL": ws.base_url(),
        "AUTESSA_STORAGE_URL": format!("{}{OBJECT_PATH}", storage.base_url()),
    });
    println!("{environment}");

    // Serve until whoever started us closes our stdin.
    let _ =
        tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink()))
            .await;

    let mut violations = rest.violations();
    violations.extend(ws.violations());
    violations.extend(storage.violations());
    let report = json!({
        "violations": violations,
        "restRequests": rest.requests().len(),
        "wsMessages": ws.messages().len(),
        "uploads": storage.uploads().len(),
    });
    println!("{report}");
    for violation in &violations {
        eprintln!("autessa-mock: violation: {violation}");
    }
    if violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The answers of both channels.
fn script() -> impl Fn(&Turn) -> Vec<Action> + Send + Sync + 'static {
    let echo = agent_echo(TEXT_CHUNKS);
    // Bytes of speech heard so far, per connection.
    let heard = Mutex::new(HashMap::<usize, usize>::new());
    move |turn| match (turn.channel.as_str(), &turn.frame) {
        ("agentExecute", ClientFrame::Binary(pcm)) => {
            let mut heard = heard.lock().unwrap_or_else(PoisonError::into_inner);
            voice(pcm, heard.entry(turn.connection).or_default())
        }
        ("agentExecute", _) => echo(turn),
        ("toolExecute", frame) if frame.message_type() == Some("EXECUTE") => {
            tool(frame.json().unwrap_or(&Value::Null))
        }
        _ => Vec::new(),
    }
}

/// A voice turn: every audio frame comes back as an audio chunk; a silent frame (all zero
/// samples) ends the turn: its chunk is the final one, then the result says how many bytes
/// of speech were heard.
fn voice(pcm: &[u8], heard: &mut usize) -> Vec<Action> {
    let audio = base64::engine::general_purpose::STANDARD.encode(pcm);
    let silent = pcm.iter().all(|byte| *byte == 0);
    if !silent {
        *heard += pcm.len();
        return vec![Action::Send(streamed_audio(&audio, SAMPLE_RATE, "", false))];
    }
    let said = format!("heard {} bytes", std::mem::take(heard));
    vec![
        Action::Send(streamed_audio(&audio, SAMPLE_RATE, &said, true)),
        Action::Send(execution_result(None, &said)),
    ]
}

/// A tool run: three debug lines, then a result that echoes the variables sent.
fn tool(message: &Value) -> Vec<Action> {
    let tool_id = message.get("toolId").and_then(Value::as_i64).unwrap_or(0);
    let lines: Vec<String> = (1..=3)
        .map(|n| format!("tool {tool_id}: step {n}"))
        .collect();
    let mut actions: Vec<Action> = lines
        .iter()
        .map(|line| Action::Send(tool_debug(line)))
        .collect();
    let variables = message.get("variables").cloned().unwrap_or(json!({}));
    actions.push(Action::Send(tool_result(
        &format!("tool-{tool_id}"),
        json!({ "variables": variables }),
        &lines,
    )));
    actions
}
