//! Throughput and latency of the generated WebSocket client against raw tokio-tungstenite,
//! on the same loopback server. Run with `cargo bench -p autessa-tests --bench ws_throughput`.
//!
//! - throughput: the server streams `MESSAGES` `StreamedOutputMessage`s after one request.
//!   The raw client reads the frames with tokio-tungstenite and decodes each into the type it
//!   knows to expect; every client hands each decoded chunk to the consumer (`black_box`).
//!   Three more clients split the difference: the runtime session alone
//!   (`WsSession::recv`, then the same decode), the session with the generated `from_text`
//!   (telling the channel's messages apart, then decoding), and the generated connection.
//!   Each round runs the clients in an order that rotates from round to round; the ratios to
//!   raw are taken per round, and their median is reported.
//! - latency: one request, one reply, `ROUNDS` times per client, in blocks that alternate
//!   between the clients; the median and 99th percentile.
//! - decode only: the generated message dispatch against one typed decode, without sockets.
//!
//! The server has a thread and runtime of its own; the clients share a single-threaded one.
//! `WS_BENCH_ONLY=raw|session|recognised|generated` runs one client only (for profiling).

use std::hint::black_box;
use std::time::{Duration, Instant};

use autessa::channels::{AgentExecuteConnection, AgentExecuteMessage, AgentExecuteParams};
use autessa::types::{ExecuteMessage, StreamedOutputMessage};
use autessa_runtime::ws::{Event, Frame};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const MESSAGES: usize = 200_000;
const ROUNDS: usize = 5_000;
const RUNS: usize = 31;

const STATUS: &str = r#"{"messageType":"STATUS","status":"CONNECTED","connectionId":"bench"}"#;
const CHUNK: &str = r#"{"streamedOutput":{"outputType":"TEXT","transcription":"a chunk of streamed text","isFinalChunk":false}}"#;

/// A server that greets, then answers `stream` with `MESSAGES` chunks and anything else
/// with one chunk.
async fn server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(socket).await.unwrap();
                ws.send(Message::text(STATUS)).await.unwrap();
                while let Some(Ok(message)) = ws.next().await {
                    let Message::Text(text) = message else {
                        continue;
                    };
                    if text.contains("stream") {
                        for _ in 0..MESSAGES {
                            ws.feed(Message::text(CHUNK)).await.unwrap();
                        }
                        ws.flush().await.unwrap();
                    } else {
                        ws.send(Message::text(CHUNK)).await.unwrap();
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

type RawSocket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// A plain tokio-tungstenite connection, past the greeting.
async fn raw_connect(base: &str) -> RawSocket {
    let address = base.trim_start_matches("http://");
    let url =
        format!("ws://{address}/ws/clients/agents/execute?resourceId=1&authorization=bench-key");
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(url, stream).await.unwrap();
    ws.next().await.unwrap().unwrap();
    ws
}

fn request(text: &str) -> ExecuteMessage {
    let input = vec![autessa::types::AgentInput::Text(
        autessa::types::TextInput::new(text),
    )];
    ExecuteMessage::new(1, input)
}

async fn generated_throughput(base: &str) -> Duration {
    let client = autessa::Client::new(base, "bench-key").unwrap();
    let mut connection = client
        .connect_agent_execute(&AgentExecuteParams::new(1))
        .await
        .unwrap();
    let start = Instant::now();
    connection
        .send_execute_message(&request("stream"))
        .await
        .unwrap();
    for _ in 0..MESSAGES {
        match connection.recv().await {
            Some(Ok(Event::Message(AgentExecuteMessage::StreamedOutputMessage(chunk)))) => {
                black_box(chunk);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    start.elapsed()
}

/// The runtime session alone: frames from `WsSession::recv`, decoded as the raw client does,
/// or (`recognise`) with the generated `from_text`, which first tells the channel's messages
/// apart.
async fn session_throughput(base: &str, recognise: bool) -> Duration {
    let client = autessa::Client::new(base, "bench-key").unwrap();
    let mut session = client
        .http()
        .websocket("agentExecute", "/ws/clients/agents/execute")
        .query("resourceId", &1)
        .connect()
        .await
        .unwrap();
    session.recv().await.unwrap().unwrap();
    let start = Instant::now();
    session.send_json(&request("stream")).await.unwrap();
    for _ in 0..MESSAGES {
        let Some(Ok(Event::Message(Frame::Text(text)))) = session.recv().await else {
            panic!("not text")
        };
        if recognise {
            match AgentExecuteMessage::from_text(&text) {
                Ok(AgentExecuteMessage::StreamedOutputMessage(chunk)) => black_box(chunk),
                other => panic!("unexpected {other:?}"),
            };
        } else {
            black_box(serde_json::from_str::<StreamedOutputMessage>(&text).unwrap());
        }
    }
    start.elapsed()
}

async fn raw_throughput(base: &str) -> Duration {
    let mut ws = raw_connect(base).await;
    let start = Instant::now();
    ws.send(Message::text(
        serde_json::to_string(&request("stream")).unwrap(),
    ))
    .await
    .unwrap();
    for _ in 0..MESSAGES {
        let Message::Text(text) = ws.next().await.unwrap().unwrap() else {
            panic!("not text")
        };
        black_box(serde_json::from_str::<StreamedOutputMessage>(&text).unwrap());
    }
    start.elapsed()
}

/// `n` request/reply rounds on a generated connection, each one's time added to `samples`.
async fn generated_pings(
    connection: &mut AgentExecuteConnection,
    n: usize,
    samples: &mut Vec<Duration>,
) {
    let ping = request("ping");
    for _ in 0..n {
        let start = Instant::now();
        connection.send_execute_message(&ping).await.unwrap();
        connection.recv().await.unwrap().unwrap();
        samples.push(start.elapsed());
    }
}

/// The same on a raw socket.
async fn raw_pings(ws: &mut RawSocket, n: usize, samples: &mut Vec<Duration>) {
    let ping = serde_json::to_string(&request("ping")).unwrap();
    for _ in 0..n {
        let start = Instant::now();
        ws.send(Message::text(ping.clone())).await.unwrap();
        let Message::Text(text) = ws.next().await.unwrap().unwrap() else {
            panic!("not text")
        };
        black_box(serde_json::from_str::<StreamedOutputMessage>(&text).unwrap());
        samples.push(start.elapsed());
    }
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p) as usize]
}

/// Decoding alone, without sockets: the generated `from_text` (which message, then its
/// typed decode) against one typed decode.
fn decode_only() {
    const N: usize = 1_000_000;
    let start = Instant::now();
    for _ in 0..N {
        let _: StreamedOutputMessage = serde_json::from_str(std::hint::black_box(CHUNK)).unwrap();
    }
    let direct = start.elapsed();
    let start = Instant::now();
    for _ in 0..N {
        let message = AgentExecuteMessage::from_text(std::hint::black_box(CHUNK)).unwrap();
        assert!(matches!(
            message,
            AgentExecuteMessage::StreamedOutputMessage(_)
        ));
    }
    let generated = start.elapsed();
    let per = |d: Duration| d.as_secs_f64() * 1e9 / N as f64;
    println!("decode only ({N} messages)");
    println!("  serde_json::from_str: {:>6.0} ns/message", per(direct));
    println!("  generated from_text:  {:>6.0} ns/message", per(generated));
}

/// The server runs on its own thread and runtime, so that it never competes with the client
/// for a worker (the client side is a single-threaded runtime, as many clients are).
fn start_server() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            tx.send(server().await).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let only = std::env::var("WS_BENCH_ONLY").unwrap_or_default();
    let runs = |name: &str| only.is_empty() || only == name;
    if only.is_empty() {
        decode_only();
    }
    let base = start_server();
    // Each round runs the clients one after the other, in an order that rotates from round
    // to round; the ratios to raw are taken per round, so that a change in the machine's load
    // between rounds does not count.
    let clients = [
        ("raw", "raw tokio-tungstenite + serde"),
        ("session", "runtime session + serde"),
        ("recognised", "runtime session + from_text"),
        ("generated", "generated autessa client"),
    ];
    let mut times: [Vec<Duration>; 4] = Default::default();
    for round in 0..RUNS {
        for step in 0..clients.len() {
            let client = (round + step) % clients.len();
            if !runs(clients[client].0) {
                continue;
            }
            let time = match client {
                0 => raw_throughput(&base).await,
                1 => session_throughput(&base, false).await,
                2 => session_throughput(&base, true).await,
                _ => generated_throughput(&base).await,
            };
            times[client].push(time);
        }
    }
    let rate = |d: &Duration| MESSAGES as f64 / d.as_secs_f64();
    println!("throughput ({MESSAGES} messages, {RUNS} rounds)");
    for (client, (_, label)) in clients.iter().enumerate() {
        if times[client].is_empty() {
            continue;
        }
        let mut sorted = times[client].clone();
        let (median, best) = (rate(&percentile(&mut sorted, 0.5)), rate(&sorted[0]));
        let ratio = if client > 0 && !times[0].is_empty() {
            let mut ratios: Vec<f64> = times[0]
                .iter()
                .zip(&times[client])
                .map(|(raw, this)| raw.as_secs_f64() / this.as_secs_f64())
                .collect();
            ratios.sort_by(f64::total_cmp);
            format!(
                ", {:.3} of raw (median of the rounds)",
                ratios[ratios.len() / 2]
            )
        } else {
            String::new()
        };
        println!("  {label:<30} median {median:>9.0} msg/s, best {best:>9.0} msg/s{ratio}");
    }
    if !only.is_empty() {
        return;
    }
    // Latency in blocks that alternate between the two clients, as for throughput.
    let client = autessa::Client::new(&base, "bench-key").unwrap();
    let mut connection = client
        .connect_agent_execute(&AgentExecuteParams::new(1))
        .await
        .unwrap();
    let mut ws = raw_connect(&base).await;
    let (mut raw, mut generated) = (Vec::new(), Vec::new());
    let block = ROUNDS / 10;
    for round in 0..10 {
        if round % 2 == 0 {
            raw_pings(&mut ws, block, &mut raw).await;
            generated_pings(&mut connection, block, &mut generated).await;
        } else {
            generated_pings(&mut connection, block, &mut generated).await;
            raw_pings(&mut ws, block, &mut raw).await;
        }
    }
    println!("latency ({ROUNDS} request/reply rounds)");
    for (name, samples) in [("raw", &mut raw), ("generated", &mut generated)] {
        println!(
            "  {name:<9}: median {:>8.1} µs, p99 {:>8.1} µs",
            percentile(samples, 0.5).as_secs_f64() * 1e6,
            percentile(samples, 0.99).as_secs_f64() * 1e6
        );
    }
}
