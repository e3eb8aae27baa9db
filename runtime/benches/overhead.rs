//! Per-request overhead of the runtime, called as generated code calls it, against a
//! hand-written reqwest call of the same request, both to one keep-alive server on 127.0.0.1.
//!
//! `cargo bench -p autessa-runtime --bench overhead`
//!
//! The server runs on its own thread; the clients run on one current-thread runtime and reuse
//! their connections. Each iteration is one whole call: build the request, send it, read and
//! decode the JSON answer. The criterion medians are in
//! `target/criterion/overhead/*/new/estimates.json`; an interleaved pass at the end prints the
//! median ratios to the hand-written call.

use std::hint::black_box;
use std::time::{Duration, Instant};

use autessa_runtime::reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT,
};
use autessa_runtime::{Bytes, HttpClient, Method, RetryPolicy};
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

    // The runtime as the generated `Client::new` sets it up (retries on, the default policy),
    // and as generated code calls it.
    let plain = HttpClient::builder(&base_url)
        .api_key(KEY)
        .user_agent(AGENT)
        .retry(RetryPolicy::default())
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
            http.send_json::<Data, ErrorBody, ()>(request)
                .await
                .unwrap()
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

    // By hand again, but with the URL and headers built the way the runtime builds them: the
    // difference from `by_hand` is the shape of the request, the rest is the runtime.
    let base = autessa_runtime::reqwest::Url::parse(&base_url).unwrap();
    let by_hand_like_runtime = || {
        let reqwest = reqwest.clone();
        let mut url = base.clone();
        async move {
            url.set_path("/clients/autessadb/get-data");
            url.query_pairs_mut().append_pair("resourceId", "42");
            let mut request = autessa_runtime::reqwest::Request::new(Method::POST, url);
            let headers = request.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            headers.insert(USER_AGENT, HeaderValue::from_static(AGENT));
            let mut key = HeaderValue::from_static(KEY);
            key.set_sensitive(true);
            headers.insert(AUTHORIZATION, key);
            let body = Bytes::from(serde_json::to_vec(&body()).unwrap());
            *request.body_mut() = Some(body.into());
            let mut response = reqwest.execute(request).await.unwrap();
            assert!(response.status().is_success());
            let _headers = std::mem::take(response.headers_mut());
            let bytes = response.bytes().await.unwrap();
            serde_json::from_slice::<Data>(&bytes).unwrap()
        }
    };

    let variants: [(&str, &dyn Fn()); 4] = [
        ("reqwest_by_hand", &|| {
            drop(black_box(runtime.block_on(by_hand())))
        }),
        ("by_hand_like_runtime", &|| {
            drop(black_box(runtime.block_on(by_hand_like_runtime())))
        }),
        ("runtime_generated", &|| {
            drop(black_box(runtime.block_on(generated(&plain))))
        }),
        ("runtime_retries_timeouts_hook", &|| {
            drop(black_box(runtime.block_on(generated(&armed))))
        }),
    ];
    for (_, variant) in &variants {
        variant();
    }

    // `OVERHEAD_ONLY=<variant>` runs `OVERHEAD_CALLS` (20 000) calls of one variant and nothing
    // else, for profilers.
    if let Ok(only) = std::env::var("OVERHEAD_ONLY") {
        let calls: u32 = std::env::var("OVERHEAD_CALLS").map_or(20_000, |n| n.parse().unwrap());
        let (name, variant) = variants.iter().find(|(name, _)| *name == only).unwrap();
        let start = Instant::now();
        for _ in 0..calls {
            variant();
        }
        println!("{name}: {:?} per call", start.elapsed() / calls);
        return;
    }

    let mut group = c.benchmark_group("overhead");
    for (name, variant) in &variants {
        group.bench_function(*name, |b| b.iter(variant));
    }
    group.finish();

    // Criterion measures one variant after the other, so a load change on a shared machine
    // shows up as a difference between them. This pass interleaves them: each round times a
    // short burst of every variant, in an order that rotates from round to round, and the
    // ratios to `reqwest_by_hand` are taken per round.
    let rounds = 200;
    let burst = 50;
    let mut ratios = vec![Vec::with_capacity(rounds); variants.len()];
    let mut hand_times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mut times = [Duration::ZERO; 4];
        for step in 0..variants.len() {
            let index = (round + step) % variants.len();
            let start = Instant::now();
            for _ in 0..burst {
                (variants[index].1)();
            }
            times[index] = start.elapsed() / burst;
        }
        hand_times.push(times[0]);
        for (ratios, time) in ratios.iter_mut().zip(times) {
            ratios.push(time.as_secs_f64() / times[0].as_secs_f64());
        }
    }
    hand_times.sort();
    println!(
        "interleaved, {rounds} rounds of {burst} calls each; reqwest_by_hand median {:?}",
        hand_times[rounds / 2]
    );
    for ((name, _), ratios) in variants.iter().zip(&mut ratios).skip(1) {
        ratios.sort_by(f64::total_cmp);
        println!(
            "  {name} / reqwest_by_hand: median ratio {:.3}",
            ratios[rounds / 2]
        );
    }
}

criterion_group!(benches, overhead);
criterion_main!(benches);
