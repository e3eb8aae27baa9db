//! Per-request overhead of the runtime, called as generated code calls it, against a
//! hand-written reqwest call of the same request, both to one keep-alive server on 127.0.0.1.
//!
//! `cargo bench -p autessa-runtime --bench overhead`
//!
//! The server runs on its own thread; both clients run on one current-thread runtime and reuse
//! their connection. Each iteration is one whole call: build the request, send it, read and
//! decode the JSON answer. The medians are in `target/criterion/overhead/*/new/estimates.json`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use autessa_runtime::reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use autessa_runtime::{HttpClient, Method, RetryPolicy};
use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "sk-bench-0123456789";
const AGENT: &str = "autessa-bench/1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetData {
    table_id: u64,
    pagination: Pagination,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    current_page: u32,
    total_records_per_page: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Data {
    errors: Vec<String>,
    rows: Vec<Row>,
    total_records: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Row {
    row_id: u64,
    values: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ErrorBody {
    errors: Vec<String>,
}

fn body() -> GetData {
    GetData {
        table_id: 42,
        pagination: Pagination {
            current_page: 0,
            total_records_per_page: 2,
        },
    }
}

const RESPONSE_BODY: &str = r#"{"errors":[],"rows":[{"rowId":1,"values":{"name":{"columnType":"STRING","value":"a"}}},{"rowId":2,"values":{"name":{"columnType":"STRING","value":"b"}}}],"totalRecords":2}"#;

/// Starts a keep-alive HTTP/1.1 server on its own thread; returns its base URL.
fn start_server() -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                socket.set_nodelay(true).unwrap();
                tokio::spawn(serve(socket));
            }
        });
    });
    format!("http://{}", receiver.recv().unwrap())
}

async fn serve(mut socket: TcpStream) {
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         X-RateLimit-Limit-Minute: 600\r\nX-RateLimit-Remaining-Minute: 599\r\n\
         X-RateLimit-Limit-Day: 100000\r\nX-RateLimit-Remaining-Day: 99999\r\n\r\n{RESPONSE_BODY}",
        RESPONSE_BODY.len()
    );
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0_u8; 4096];
    loop {
        // One request: the head, then `Content-Length` bytes.
        let request_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&buffer[..end])
                    .unwrap()
                    .to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .map_or(0, |value| value.trim().parse::<usize>().unwrap());
                if buffer.len() >= end + 4 + length {
                    break end + 4 + length;
                }
            }
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        buffer.drain(..request_end);
        if socket.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn overhead(c: &mut Criterion) {
    let base_url = start_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // The runtime as `Client::new` sets it up, and as generated code calls it.
    let plain = HttpClient::builder(&base_url)
        .api_key(KEY)
        .user_agent(AGENT)
        .build()
        .unwrap();
    // With retries, a timeout and a deadline armed on every call, and a hook.
    let armed = HttpClient::builder(&base_url)
        .api_key(KEY)
        .user_agent(AGENT)
        .retry(RetryPolicy::default())
        .timeout(Duration::from_secs(30))
        .deadline(Duration::from_secs(60))
        .on_response(|_, head| {
            black_box(head.status);
        })
        .build()
        .unwrap();
    let generated = |http: &HttpClient| {
        let http = http.clone();
        async move {
            let body = body();
            let request = http
                .request(Method::POST, "getData", "/clients/autessadb/get-data")
                .query("resourceId", &42_i64)
                .json(&body)
                .idempotent();
            http.send_json::<Data, ErrorBody>(request).await.unwrap()
        }
    };

    // The same request by hand: same headers, same body, same decoding.
    let reqwest = autessa_runtime::reqwest::Client::new();
    let url = format!("{base_url}/clients/autessadb/get-data?resourceId=42");
    let by_hand = || {
        let reqwest = reqwest.clone();
        let url = url.clone();
        async move {
            let body = serde_json::to_vec(&body()).unwrap();
            let response = reqwest
                .post(&url)
                .header(AUTHORIZATION, KEY)
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, AGENT)
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
            let bytes = response.bytes().await.unwrap();
            serde_json::from_slice::<Data>(&bytes).unwrap()
        }
    };

    // Warm both connections.
    runtime.block_on(generated(&plain));
    runtime.block_on(generated(&armed));
    runtime.block_on(by_hand());

    let mut group = c.benchmark_group("overhead");
    group.bench_function("reqwest_by_hand", |b| {
        b.iter(|| black_box(runtime.block_on(by_hand())))
    });
    group.bench_function("runtime_generated", |b| {
        b.iter(|| black_box(runtime.block_on(generated(&plain))))
    });
    group.bench_function("runtime_retries_timeouts_hook", |b| {
        b.iter(|| black_box(runtime.block_on(generated(&armed))))
    });
    group.finish();

    // Criterion measures one variant after the other, so a load change on a shared machine
    // shows up as a difference between them. This pass interleaves them: each round times a
    // short burst of every variant, and the ratios are taken per round.
    let rounds = 200;
    let burst = 50;
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..burst {
            f();
        }
        start.elapsed() / burst
    };
    let mut ratios_plain = Vec::with_capacity(rounds);
    let mut ratios_armed = Vec::with_capacity(rounds);
    let mut hand_times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let hand = time(&|| {
            black_box(runtime.block_on(by_hand()));
        });
        let plain_time = time(&|| {
            black_box(runtime.block_on(generated(&plain)));
        });
        let armed_time = time(&|| {
            black_box(runtime.block_on(generated(&armed)));
        });
        hand_times.push(hand);
        ratios_plain.push(plain_time.as_secs_f64() / hand.as_secs_f64());
        ratios_armed.push(armed_time.as_secs_f64() / hand.as_secs_f64());
    }
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    hand_times.sort();
    println!(
        "interleaved, {rounds} rounds of {burst} calls each: reqwest by hand median {:?}; \
         median ratio runtime_generated / by hand = {:.3}, \
         runtime_retries_timeouts_hook / by hand = {:.3}",
        hand_times[rounds / 2],
        median(&mut ratios_plain),
        median(&mut ratios_armed),
    );
}

criterion_group!(benches, overhead);
criterion_main!(benches);
