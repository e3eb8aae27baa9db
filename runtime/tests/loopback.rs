//! The runtime against a tiny HTTP/1.1 server on 127.0.0.1 that answers with canned
//! responses and hands back the raw request it received.

use std::time::Duration;

use autessa_runtime::reqwest::header::HeaderMap;
use autessa_runtime::{
    ApiResponse, AuthScheme, Bytes, Error, FromHeaders, HttpClient, Method, Quota, RetryAfter,
    header,
};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const KEY: &str = "sk-test-9f8e7d6c5b4a";

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Created {
    errors: Vec<String>,
    conversation_id: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
struct ErrorBody {
    errors: Vec<String>,
}

#[derive(Serialize)]
struct CreateBody<'a> {
    message: &'a str,
}

/// Serves one connection: reads one request, answers `response`, returns the raw request.
async fn serve_once(response: String) -> (String, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/api", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let raw = read_request(&mut socket).await;
        socket.write_all(response.as_bytes()).await.unwrap();
        socket.shutdown().await.unwrap();
        raw
    });
    (base_url, handle)
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut raw = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |value| value.trim().parse::<usize>().unwrap());
            if raw.len() >= end + 4 + length {
                return String::from_utf8(raw).unwrap();
            }
        }
        let read = socket.read(&mut chunk).await.unwrap();
        assert!(read > 0, "connection closed mid-request");
        raw.extend_from_slice(&chunk[..read]);
    }
}

fn response(status: &str, headers: &[&str], body: &str) -> String {
    let mut text = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}

/// The documented rate-limit headers, as the generator writes them.
#[derive(Debug, PartialEq)]
struct Limits {
    limit_minute: Option<u64>,
    remaining_minute: Option<u64>,
    limit_day: Option<u64>,
    remaining_day: Option<u64>,
}

impl FromHeaders for Limits {
    fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            limit_minute: header(headers, "x-ratelimit-limit-minute"),
            remaining_minute: header(headers, "x-ratelimit-remaining-minute"),
            limit_day: header(headers, "x-ratelimit-limit-day"),
            remaining_day: header(headers, "x-ratelimit-remaining-day"),
        }
    }
}

fn client(base_url: &str, auth: AuthScheme) -> HttpClient {
    HttpClient::builder(base_url)
        .api_key(KEY)
        .auth(auth)
        .quota(Quota::new(
            "x-ratelimit-remaining-minute",
            Some("x-ratelimit-limit-minute"),
            Duration::from_secs(60),
        ))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn create(http: &HttpClient) -> autessa_runtime::RequestBuilder {
    http.request(
        Method::POST,
        "createConversation",
        "/clients/agents/execute-create",
    )
    .query("resourceId", &42)
    .header("X-Trace", "trace-1")
    .json(&CreateBody { message: "hi" })
}

/// Asserts that no text reachable from the error mentions the key.
fn assert_redacted<E: std::fmt::Debug>(error: &Error<E>) {
    let mut texts = vec![
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        texts.push(format!("{cause} {cause:?}"));
        source = cause.source();
    }
    for text in texts {
        assert!(!text.contains(KEY), "key leaked: {text}");
        assert!(!text.contains("authorization="), "URL leaked: {text}");
    }
}

#[tokio::test]
async fn raw_key_in_authorization_and_json_decoded() {
    let body = r#"{"errors":[],"conversationId":7,"sessionToken":"t"}"#;
    let headers = [
        "Content-Type: application/json",
        "X-RateLimit-Limit-Minute: 60",
        "X-RateLimit-Remaining-Minute: 59",
        "X-RateLimit-Limit-Day: 1000",
        "X-RateLimit-Remaining-Day: nope",
    ];
    let (base_url, server) = serve_once(response("200 OK", &headers, body)).await;
    let http = client(&base_url, AuthScheme::default());

    let created: ApiResponse<Created, Limits> = http
        .send_json::<_, ErrorBody, _>(create(&http))
        .await
        .unwrap();

    let raw = server.await.unwrap();
    assert!(
        raw.starts_with("POST /api/clients/agents/execute-create?resourceId=42 HTTP/1.1\r\n"),
        "{raw}"
    );
    let lower = raw.to_ascii_lowercase();
    assert!(lower.contains(&format!(
        "\r\nauthorization: {}\r\n",
        KEY.to_ascii_lowercase()
    )));
    assert!(!lower.contains("bearer"), "{raw}");
    assert!(
        lower.contains("\r\ncontent-type: application/json\r\n"),
        "{raw}"
    );
    assert!(lower.contains("\r\naccept: application/json\r\n"), "{raw}");
    assert!(lower.contains("\r\nx-trace: trace-1\r\n"), "{raw}");
    assert!(lower.contains("\r\nuser-agent: autessa-runtime/"), "{raw}");
    assert!(raw.ends_with("\r\n\r\n{\"message\":\"hi\"}"), "{raw}");

    assert_eq!(created.status, autessa_runtime::reqwest::StatusCode::OK);
    assert_eq!(created.conversation_id, 7);
    assert_eq!(
        created.typed_headers(),
        Limits {
            limit_minute: Some(60),
            remaining_minute: Some(59),
            limit_day: Some(1000),
            remaining_day: None,
        }
    );
    assert_eq!(created.headers["content-type"], "application/json");
}

#[tokio::test]
async fn bearer_prefix_when_configured() {
    let (base_url, server) = serve_once(response("204 No Content", &[], "")).await;
    let auth = AuthScheme::Header {
        name: "Authorization",
        prefix: "Bearer ",
    };
    let http = client(&base_url, auth);
    let request = http.request(Method::DELETE, "deletePet", "/pets/1");
    http.send_empty::<ErrorBody, ()>(request).await.unwrap();
    let raw = server.await.unwrap();
    assert!(
        raw.contains(&format!("\r\nauthorization: Bearer {KEY}\r\n")),
        "{raw}"
    );
}

#[tokio::test]
async fn query_auth_puts_the_key_in_the_query_only() {
    let (base_url, server) = serve_once(response("200 OK", &[], "ignored")).await;
    let http = client(
        &base_url,
        AuthScheme::Query {
            name: "authorization",
        },
    );
    let request = http
        .request(Method::POST, "upload", "/files")
        .query("resourceId", &42)
        .query("tag", &["a", "b c"])
        .bytes("application/octet-stream", Bytes::from_static(b"\x00\x01"));
    http.send_empty::<ErrorBody, ()>(request).await.unwrap();
    let raw = server.await.unwrap();
    let expected = format!("POST /api/files?resourceId=42&tag=a&tag=b+c&authorization={KEY} ");
    assert!(raw.starts_with(&expected), "{raw}");
    let lower = raw.to_ascii_lowercase();
    assert!(!lower.contains("\r\nauthorization:"), "{raw}");
    assert!(lower.contains("\r\ncontent-type: application/octet-stream\r\n"));
    assert!(raw.ends_with("\r\n\r\n\x00\x01"), "{raw:?}");
}

#[tokio::test]
async fn bytes_response_is_returned_raw() {
    let (base_url, server) = serve_once(response("200 OK", &[], "%PDF-1.7")).await;
    let http = client(&base_url, AuthScheme::default());
    let request = http.request(Method::GET, "download", "/files/1");
    let file = http.send_bytes::<ErrorBody, ()>(request).await.unwrap();
    assert_eq!(file.body, Bytes::from_static(b"%PDF-1.7"));
    let raw = server.await.unwrap();
    // No JSON preference for a raw body: reqwest's default `*/*` goes out.
    assert!(raw.contains("\r\naccept: */*\r\n"), "{raw}");
}

#[tokio::test]
async fn rate_limited_429_is_an_api_error_with_retry_after() {
    let headers = [
        "Content-Type: application/json",
        "Retry-After: 7",
        "X-RateLimit-Limit-Minute: 60",
        "X-RateLimit-Remaining-Minute: 0",
    ];
    let body = r#"{"errors":["Rate limit exceeded"]}"#;
    let (base_url, server) = serve_once(response("429 Too Many Requests", &headers, body)).await;
    let http = client(
        &base_url,
        AuthScheme::Query {
            name: "authorization",
        },
    );

    let error = http
        .send_json::<Created, ErrorBody, ()>(create(&http))
        .await
        .unwrap_err();
    server.await.unwrap();

    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}");
    };
    assert_eq!(api.status.as_u16(), 429);
    assert_eq!(api.body.errors, ["Rate limit exceeded"]);
    assert_eq!(
        api.retry_after,
        Some(RetryAfter::Delay(Duration::from_secs(7)))
    );
    assert_eq!(api.rate_limit.remaining, Some(0));
    assert_eq!(error.retry_after(), api.retry_after);
    assert_eq!(error.rate_limit().unwrap().limit, Some(60));
    assert_eq!(
        error.to_string(),
        "operation `createConversation` failed with HTTP 429 Too Many Requests: Rate limit exceeded"
    );
    assert_redacted(&error);
}

#[tokio::test]
async fn non_json_500_is_a_decode_error_keeping_the_body() {
    let body = "<html>upstream exploded</html>";
    let headers = ["Content-Type: text/html"];
    let (base_url, server) =
        serve_once(response("500 Internal Server Error", &headers, body)).await;
    let http = client(
        &base_url,
        AuthScheme::Query {
            name: "authorization",
        },
    );

    let error = http
        .send_json::<Created, ErrorBody, ()>(create(&http))
        .await
        .unwrap_err();
    server.await.unwrap();

    let Error::Decode(decode) = &error else {
        panic!("expected Error::Decode, got {error:?}");
    };
    assert_eq!(decode.status.as_u16(), 500);
    assert_eq!(decode.body, Bytes::from_static(body.as_bytes()));
    assert_eq!(error.raw_body().unwrap().as_ref(), body.as_bytes());
    assert_eq!(error.status().unwrap().as_u16(), 500);
    assert!(error.to_string().contains("createConversation"));
    assert_redacted(&error);
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error_without_the_key() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/api", listener.local_addr().unwrap());
    drop(listener);
    for auth in [
        AuthScheme::default(),
        AuthScheme::Query {
            name: "authorization",
        },
    ] {
        let http = client(&base_url, auth);
        let error = http
            .send_json::<Created, ErrorBody, ()>(create(&http))
            .await
            .unwrap_err();
        let Error::Transport { source, .. } = &error else {
            panic!("expected Error::Transport, got {error:?}");
        };
        assert!(source.url().is_none());
        assert_eq!(
            error.to_string(),
            "operation `createConversation`: could not connect to the server"
        );
        assert_eq!(error.status(), None);
        assert_redacted(&error);
    }
}

#[tokio::test]
async fn slow_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        read_request(&mut socket).await;
        // Headers arrive, the body never does: the timeout must cover the body read.
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{";
        socket.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let http = HttpClient::builder(&base_url)
        .api_key(KEY)
        .auth(AuthScheme::Query {
            name: "authorization",
        })
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let request = http.request(Method::GET, "slow", "/slow");
    let error = http
        .send_json::<Created, ErrorBody, ()>(request)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Timeout {
                kind: autessa_runtime::TimeoutKind::Attempt,
                limit,
                ..
            } if *limit == Duration::from_millis(300)
        ),
        "{error:?}"
    );
    assert!(error.is_timeout());
    assert_eq!(
        error.to_string(),
        "operation `slow`: the request timed out (the 300ms per-attempt timeout passed)"
    );
    assert_redacted(&error);
    server.abort();
}

#[tokio::test]
async fn encode_errors_are_returned_before_sending() {
    // Nothing listens here; an encode error must come back without a connection attempt.
    let http = client(
        "http://127.0.0.1:9/",
        AuthScheme::Query {
            name: "authorization",
        },
    );
    let request = http
        .request(Method::POST, "createConversation", "/x")
        .header("X-Bad", "line\r\nbreak");
    let error = http
        .send_json::<Created, ErrorBody, ()>(request)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Encode { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "operation `createConversation`: could not encode the request"
    );
    assert_redacted(&error);
}
