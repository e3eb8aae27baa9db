//! Unit tests: URL building and redaction, and the session over in-memory streams with
//! paused time (the heartbeat, the idle limit and backpressure without real waiting).

use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::TcpListener;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

use super::transport::socket::Socket;
use super::*;

const KEY: &str = "sk-live-ws-0123456789";

type Server = WebSocketStream<DuplexStream>;

/// A session on one end of an in-memory pipe, and a raw server socket on the other.
async fn pair(config: WsConfig) -> (WsSession, Server) {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let client = Socket::over(client, Vec::new()).await;
    let server = WebSocketStream::from_raw_socket(server, Role::Server, None).await;
    (WsSession::start(client, "test", None, config), server)
}

fn quiet() -> WsConfig {
    WsConfig::default()
        .ping_interval(Duration::from_secs(20))
        .pong_timeout(Duration::from_secs(10))
}

async fn next_message(session: &mut WsSession) -> Frame {
    match session.recv().await {
        Some(Ok(Event::Message(frame))) => frame,
        other => panic!("expected a message, got {other:?}"),
    }
}

async fn expect_closed(session: &mut WsSession) -> (Option<u16>, String) {
    match session.recv().await {
        Some(Ok(Event::Closed { code, reason })) => {
            assert!(session.recv().await.is_none(), "nothing after Closed");
            (code, reason)
        }
        other => panic!("expected Closed, got {other:?}"),
    }
}

/// Reads the server side until a data or close frame (pings are answered by tungstenite).
async fn server_next(server: &mut Server) -> Message {
    loop {
        match server.next().await {
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(message)) => return message,
            other => panic!("server: {other:?}"),
        }
    }
}

fn client(base: &str, auth: AuthScheme) -> HttpClient {
    HttpClient::builder(base)
        .api_key(KEY)
        .auth(auth)
        .build()
        .unwrap()
}

const QUERY: AuthScheme = AuthScheme::Query {
    name: "authorization",
};

#[test]
fn url_keeps_the_prefix_switches_the_scheme_and_redacts_the_key() {
    let http = client("http://127.0.0.1:9/api", AuthScheme::default());
    let request = http
        .websocket("agentExecute", "/ws/clients/agents/execute")
        .query("resourceId", &42)
        .query("versionState", &Some("DRAFT"))
        .query("versionNumber", &None::<i32>)
        .query("voiceModeEnabled", &true)
        .auth(QUERY);
    let target = request.target().unwrap();
    assert_eq!(
        target.url.as_str(),
        format!(
            "ws://127.0.0.1:9/api/ws/clients/agents/execute?resourceId=42&versionState=DRAFT\
             &voiceModeEnabled=true&authorization={KEY}"
        )
    );
    let shown = "ws://127.0.0.1:9/api/ws/clients/agents/execute?resourceId=42&versionState=DRAFT\
                 &voiceModeEnabled=true&authorization=<redacted>";
    assert_eq!(target.shown, shown);
    assert_eq!(request.url().unwrap(), shown);
    assert!(target.header.is_none());
    let debug = format!("{request:?} {target:?}");
    assert!(!debug.contains(KEY), "{debug}");
    assert!(debug.contains("authorization=<redacted>"), "{debug}");

    let https = client("https://api.autessa.com", QUERY);
    let target = https.websocket("toolExecute", "/ws/t").target().unwrap();
    assert_eq!(
        target.url.as_str(),
        format!("wss://api.autessa.com/ws/t?authorization={KEY}")
    );
    assert_eq!(
        target.shown,
        "wss://api.autessa.com/ws/t?authorization=<redacted>"
    );
}

#[test]
fn auth_choices() {
    // Without `auth`, the key goes where the client sends it for REST.
    let http = client("http://h", AuthScheme::default());
    let target = http.websocket("c", "/x").target().unwrap();
    let (name, value) = target.header.unwrap();
    assert_eq!(name, "authorization");
    assert_eq!(value, KEY);
    assert!(value.is_sensitive());
    assert_eq!(target.url.as_str(), "ws://h/x");

    // A header scheme for the channel, with a prefix.
    let scheme = AuthScheme::Header {
        name: "X-Key",
        prefix: "Key ",
    };
    let target = http.websocket("c", "/x").auth(scheme).target().unwrap();
    let (name, value) = target.header.unwrap();
    assert_eq!(name, "x-key");
    assert_eq!(value, format!("Key {KEY}").as_str());

    // A query-key client keeps its parameter name.
    let query_client = client("http://h", AuthScheme::Query { name: "key" });
    let target = query_client.websocket("c", "/x").target().unwrap();
    assert_eq!(target.url.as_str(), format!("ws://h/x?key={KEY}"));
    assert_eq!(target.shown, "ws://h/x?key=<redacted>");

    // No key at all.
    let target = http.websocket("c", "/x").without_auth().target().unwrap();
    assert!(target.header.is_none());
    assert_eq!(target.url.as_str(), "ws://h/x");
    let anonymous = HttpClient::builder("http://h").build().unwrap();
    let target = anonymous.websocket("c", "/x").auth(QUERY).target().unwrap();
    assert_eq!(target.url.as_str(), "ws://h/x");
}

#[tokio::test]
async fn bad_requests_are_encode_errors() {
    let http = client("http://h", QUERY);
    let error = http.websocket("c", "/a/../b").connect().await.unwrap_err();
    assert!(
        matches!(error, WsError::Encode { channel: "c", .. }),
        "{error:?}"
    );
    let mut map = std::collections::HashMap::new();
    map.insert(vec![1_u8], 1);
    let error = http
        .websocket("c", "/x")
        .query("bad", &map)
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, WsError::Encode { .. }), "{error:?}");
}

#[tokio::test]
async fn refused_upgrades_keep_the_status_and_never_the_key() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = vec![0; 4096];
        let read = stream.read(&mut request).await.unwrap();
        let request = String::from_utf8_lossy(&request[..read]).into_owned();
        // A careless server that echoes the request line, key included.
        let line = request.lines().next().unwrap_or_default().to_owned();
        let body = format!("{{\"errors\": [\"Invalid API key in {line}\"]}}");
        let response = format!(
            "HTTP/1.1 401 Unauthorized\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(response.as_bytes()).await.unwrap();
    });
    let http = client(&format!("http://{address}"), AuthScheme::default());
    let error = http
        .websocket("agentExecute", "/ws")
        .query("resourceId", &1)
        .auth(QUERY)
        .connect()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    let WsError::Rejected { body, url, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(body.contains("authorization=<redacted>"), "{body}");
    assert!(
        url.ends_with("?resourceId=1&authorization=<redacted>"),
        "{url}"
    );
    let text = format!("{error} {error:?}");
    assert!(!text.contains(KEY), "{text}");
}

/// A hand-written server: reads the upgrade request, answers with `answer(key)` in one write.
async fn raw_server(
    answer: fn(&str) -> Vec<u8>,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        while !request.ends_with(b"\r\n\r\n") {
            let mut byte = [0_u8; 1];
            stream.read_exact(&mut byte).await.unwrap();
            request.push(byte[0]);
        }
        let request = String::from_utf8(request).unwrap();
        let key = request
            .lines()
            .find_map(|line| line.strip_prefix("Sec-WebSocket-Key: "))
            .unwrap()
            .to_owned();
        stream.write_all(&answer(&key)).await.unwrap();
        // Keep the connection open while the client reads.
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest).await;
        request
    });
    (address, task)
}

#[tokio::test]
async fn frames_right_behind_the_upgrade_answer_are_kept() {
    let (address, server) = raw_server(|key| {
        let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
        let mut answer = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
             Connection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        )
        .into_bytes();
        // An unmasked text frame, in the same write as the answer.
        answer.extend_from_slice(&[0x81, 5]);
        answer.extend_from_slice(b"hello");
        answer
    })
    .await;
    let http = HttpClient::builder(format!("http://{address}/prefix"))
        .api_key(KEY)
        .user_agent("ws-test/1")
        .build()
        .unwrap();
    let mut session = http
        .websocket("c", "/ws")
        .query("resourceId", &3)
        .auth(QUERY)
        .connect()
        .await
        .unwrap();
    assert_eq!(
        next_message(&mut session).await,
        Frame::Text("hello".into())
    );
    drop(session);
    let request = server.await.unwrap();
    let lines: Vec<&str> = request.lines().collect();
    assert_eq!(
        lines[0],
        format!("GET /prefix/ws?resourceId=3&authorization={KEY} HTTP/1.1")
    );
    assert!(
        lines.contains(&format!("Host: {address}").as_str()),
        "{request}"
    );
    assert!(lines.contains(&"Upgrade: websocket"), "{request}");
    assert!(lines.contains(&"Sec-WebSocket-Version: 13"), "{request}");
    assert!(lines.contains(&"user-agent: ws-test/1"), "{request}");
}

#[tokio::test]
async fn a_101_without_the_right_accept_key_is_refused() {
    let (address, _server) = raw_server(|_| {
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Accept: bogus\r\n\r\n"
            .to_vec()
    })
    .await;
    let http = client(&format!("http://{address}"), QUERY);
    let error = http.websocket("c", "/ws").connect().await.unwrap_err();
    let WsError::Connect { reason, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(
        reason.contains("without a valid WebSocket upgrade"),
        "{reason}"
    );
}

#[tokio::test]
async fn header_authentication_reaches_the_server() {
    let (address, server) =
        raw_server(|_| b"HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno".to_vec()).await;
    let http = client(&format!("http://{address}"), AuthScheme::default());
    let scheme = AuthScheme::Header {
        name: "X-Api-Key",
        prefix: "",
    };
    let error = http
        .websocket("c", "/ws")
        .auth(scheme)
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, WsError::Rejected { status: 403, body, .. } if body == "no"),
        "{error:?}"
    );
    let request = server.await.unwrap();
    assert!(
        request.contains(&format!("x-api-key: {KEY}\r\n")),
        "{request}"
    );
    assert!(request.starts_with("GET /ws HTTP/1.1\r\n"), "{request}");
}

#[tokio::test]
async fn connect_failures_name_the_redacted_url() {
    // A port nothing listens on.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let http = client(&format!("http://{address}"), QUERY);
    let error = http.websocket("c", "/ws").connect().await.unwrap_err();
    assert!(matches!(error, WsError::Connect { .. }), "{error:?}");
    let text = format!("{error} {error:?}");
    assert!(
        text.contains("authorization=<redacted>") && !text.contains(KEY),
        "{text}"
    );

    // TLS to a server that does not speak it.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let http = client(&format!("https://localhost:{}", address.port()), QUERY);
    let error = http.websocket("c", "/ws").connect().await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(matches!(error, WsError::Connect { .. }), "{text}");
    assert!(text.contains("wss://") && !text.contains(KEY), "{text}");
}

#[tokio::test]
async fn connect_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let http = client(&format!("http://{address}"), QUERY);
    let config = WsConfig::default().connect_timeout(Duration::from_millis(200));
    let error = http
        .websocket("c", "/ws")
        .config(config)
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(error, WsError::ConnectTimeout { timeout, .. } if timeout == Duration::from_millis(200)),
        "{error:?}"
    );
    assert!(!format!("{error} {error:?}").contains(KEY));
    drop(listener);
}

#[tokio::test(start_paused = true)]
async fn messages_flow_both_ways_in_order() {
    let (mut session, mut server) = pair(quiet()).await;
    session
        .send_json(&serde_json::json!({"n": 1}))
        .await
        .unwrap();
    session.send_binary(vec![1_u8, 2, 3]).await.unwrap();
    let sender = session.sender();
    tokio::spawn(async move { sender.send_json("from a task").await.unwrap() })
        .await
        .unwrap();
    assert_eq!(server_next(&mut server).await, Message::text(r#"{"n":1}"#));
    assert_eq!(
        server_next(&mut server).await,
        Message::binary(vec![1, 2, 3])
    );
    assert_eq!(
        server_next(&mut server).await,
        Message::text(r#""from a task""#)
    );

    server.send(Message::text("one")).await.unwrap();
    server.send(Message::binary(vec![9_u8])).await.unwrap();
    assert_eq!(next_message(&mut session).await, Frame::Text("one".into()));
    assert_eq!(
        next_message(&mut session).await,
        Frame::Binary(Bytes::from_static(&[9]))
    );
    assert_eq!(session.channel(), "test");
}

#[tokio::test(start_paused = true)]
async fn answers_pings_and_sends_its_own() {
    let config = quiet().ping_interval(Duration::from_secs(5));
    let (mut session, mut server) = pair(config).await;
    // The server's ping is read, and so answered, while the application waits in `recv`.
    tokio::spawn(async move { while session.recv().await.is_some() {} });
    server
        .send(Message::Ping(Bytes::from_static(b"hi")))
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let mut pong = false;
    let mut pings = 0;
    while !(pong && pings >= 3) {
        match server.next().await.unwrap().unwrap() {
            Message::Pong(data) => {
                assert_eq!(data, "hi");
                pong = true;
            }
            Message::Ping(_) => pings += 1,
            other => panic!("{other:?}"),
        }
    }
    // Three pings, five seconds apart.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(15) && elapsed < Duration::from_secs(16),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_live_peer_is_never_presumed_dead() {
    let config = quiet()
        .ping_interval(Duration::from_secs(1))
        .pong_timeout(Duration::from_millis(500));
    let (mut session, mut server) = pair(config).await;
    // The server reads (and so answers pings) but says nothing.
    tokio::spawn(async move { while server.next().await.is_some() {} });
    let waited = tokio::time::timeout(Duration::from_secs(300), session.recv()).await;
    assert!(waited.is_err(), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_silent_peer_is_found_dead() {
    let config = quiet()
        .ping_interval(Duration::from_secs(20))
        .pong_timeout(Duration::from_secs(10));
    let (mut session, _server) = pair(config).await;
    let started = tokio::time::Instant::now();
    let error = session.recv().await.unwrap().unwrap_err();
    assert!(
        matches!(error, WsError::DeadPeer { timeout, .. } if timeout == Duration::from_secs(10)),
        "{error:?}"
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(30) && elapsed < Duration::from_secs(31),
        "{elapsed:?}"
    );
    let (code, reason) = expect_closed(&mut session).await;
    assert_eq!(code, None);
    assert!(reason.contains("presumed dead"), "{reason}");
    let error = session.send_json("late").await.unwrap_err();
    assert!(matches!(error, WsError::Closed { .. }), "{error:?}");
}

#[tokio::test(start_paused = true)]
async fn a_slow_consumer_is_not_a_dead_peer() {
    let config = quiet()
        .ping_interval(Duration::from_secs(1))
        .pong_timeout(Duration::from_millis(500))
        .buffer(1);
    let (mut session, mut server) = pair(config).await;
    for n in 0..10 {
        server.send(Message::text(n.to_string())).await.unwrap();
    }
    tokio::spawn(async move { while server.next().await.is_some() {} });
    // Nobody reads for a long while: the pongs wait in the socket, unread.
    tokio::time::sleep(Duration::from_secs(120)).await;
    for n in 0..10 {
        assert_eq!(
            next_message(&mut session).await,
            Frame::Text(n.to_string().into())
        );
    }
    let waited = tokio::time::timeout(Duration::from_secs(10), session.recv()).await;
    assert!(waited.is_err(), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn the_idle_limit_closes_the_session() {
    let config = quiet().idle_timeout(Duration::from_secs(30 * 60));
    let (mut session, mut server) = pair(config).await;
    let server = tokio::spawn(async move {
        // Pings keep coming and are answered, but they do not count as activity.
        loop {
            match server.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => {}
                other => panic!("{other:?}"),
            }
        }
    });
    session.send_json("hello").await.unwrap();
    let started = tokio::time::Instant::now();
    let error = session.recv().await.unwrap().unwrap_err();
    assert!(
        matches!(error, WsError::Idle { after, .. } if after == Duration::from_secs(1800)),
        "{error:?}"
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(1799) && elapsed <= Duration::from_secs(1801),
        "{elapsed:?}"
    );
    expect_closed(&mut session).await;
    let frame = server.await.unwrap().unwrap();
    assert_eq!(frame.code, CloseCode::Normal);
}

#[tokio::test(start_paused = true)]
async fn close_keeps_everything_received() {
    let (mut session, mut server) = pair(quiet()).await;
    for n in 0..3 {
        server.send(Message::text(format!("m{n}"))).await.unwrap();
    }
    // Let the messages reach the session before it closes.
    tokio::time::sleep(Duration::from_millis(10)).await;
    session.close().await.unwrap();
    session.close().await.unwrap();
    let error = session.send_json("after close").await.unwrap_err();
    assert!(matches!(error, WsError::Closed { .. }));
    let Message::Close(Some(frame)) = server_next(&mut server).await else {
        panic!("expected a close frame");
    };
    assert_eq!(frame.code, CloseCode::Normal);
    // tungstenite answers the close on the next read.
    assert!(server.next().await.is_none());
    for n in 0..3 {
        assert_eq!(
            next_message(&mut session).await,
            Frame::Text(format!("m{n}").into())
        );
    }
    let (code, _) = expect_closed(&mut session).await;
    assert_eq!(code, Some(1000));
}

#[tokio::test(start_paused = true)]
async fn a_server_close_mid_stream_delivers_what_came_before() {
    let (mut session, mut server) = pair(quiet()).await;
    server.send(Message::text("a")).await.unwrap();
    server.send(Message::text("b")).await.unwrap();
    server
        .close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        }))
        .await
        .unwrap();
    assert_eq!(next_message(&mut session).await, Frame::Text("a".into()));
    assert_eq!(next_message(&mut session).await, Frame::Text("b".into()));
    assert_eq!(
        expect_closed(&mut session).await,
        (Some(1000), "bye".to_owned())
    );
    // The server's close frame was answered with its code.
    match server.next().await {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::Normal),
        other => panic!("expected the close answer, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_is_an_error_then_closed() {
    let (mut session, mut server) = pair(quiet()).await;
    server.send(Message::text("last words")).await.unwrap();
    drop(server);
    assert_eq!(
        next_message(&mut session).await,
        Frame::Text("last words".into())
    );
    let error = session.recv().await.unwrap().unwrap_err();
    assert!(matches!(error, WsError::Transport { .. }), "{error:?}");
    let (code, _) = expect_closed(&mut session).await;
    assert_eq!(code, None);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_session_sends_a_close_frame() {
    let (session, mut server) = pair(quiet()).await;
    let sender = session.sender();
    drop(session);
    let Message::Close(Some(frame)) = server_next(&mut server).await else {
        panic!("expected a close frame");
    };
    assert_eq!(frame.code, CloseCode::Away);
    assert!(sender.is_closing());
    assert!(sender.send_binary(vec![1_u8]).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn receiving_is_bounded_by_the_socket() {
    let (mut session, mut server) = pair(quiet().buffer(2)).await;
    let chunk = "x".repeat(4096);
    let writer = tokio::spawn(async move {
        for n in 0..200 {
            server
                .send(Message::text(format!("{n}:{chunk}")))
                .await
                .unwrap();
        }
        server
    });
    tokio::time::sleep(Duration::from_secs(5)).await;
    // Nothing reads ahead of `recv`: 800 KiB do not fit in the pipe (64 KiB), so the
    // server waits.
    assert!(!writer.is_finished());
    for n in 0..200 {
        let Frame::Text(text) = next_message(&mut session).await else {
            panic!("text expected");
        };
        assert!(text.starts_with(&format!("{n}:")), "{n}");
    }
    let _server = writer.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn sends_wait_for_room_in_the_queue() {
    let (session, mut server) = pair(quiet().buffer(1)).await;
    let sender = session.sender();
    let big = vec![0_u8; 16 * 1024];
    let writer = tokio::spawn(async move {
        for _ in 0..64 {
            sender.send_binary(big.clone()).await.unwrap();
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    // The server reads nothing: 1 MiB cannot all be queued.
    assert!(!writer.is_finished());
    let mut received = 0;
    while received < 64 {
        if let Message::Binary(data) = server_next(&mut server).await {
            assert_eq!(data.len(), 16 * 1024);
            received += 1;
        }
    }
    writer.await.unwrap();
    drop(session);
}

#[tokio::test(start_paused = true)]
async fn a_write_the_peer_never_takes_means_a_dead_peer() {
    let config = quiet()
        .ping_interval(Duration::from_secs(3600))
        .pong_timeout(Duration::from_secs(10));
    let (mut session, _server) = pair(config).await;
    let sender = session.sender();
    tokio::spawn(async move {
        let big = vec![0_u8; 256 * 1024];
        while sender.send_binary(big.clone()).await.is_ok() {}
    });
    let error = session.recv().await.unwrap().unwrap_err();
    assert!(matches!(error, WsError::DeadPeer { .. }), "{error:?}");
    expect_closed(&mut session).await;
}

#[tokio::test]
async fn decode_errors_keep_the_raw_text() {
    let frame = Frame::Text("{not json".into());
    let error = frame.decode_json::<serde_json::Value>("c").unwrap_err();
    assert_eq!(error.raw(), Some("{not json"));
    let frame = Frame::Binary(Bytes::from_static(&[1, 2]));
    let error = frame.decode_json::<serde_json::Value>("c").unwrap_err();
    assert_eq!(error.raw(), Some("<binary frame of 2 bytes>"));
    let value: serde_json::Value = Frame::Text("[1]".into()).decode_json("c").unwrap();
    assert_eq!(value, serde_json::json!([1]));
}

#[test]
fn events_map() {
    let event: Event<u8> = Event::Message(2);
    assert_eq!(event.map(u16::from), Event::Message(2_u16));
    let event: Event<u8> = Event::Reconnecting {
        attempt: 1,
        delay: Duration::from_millis(5),
    };
    assert_eq!(
        event.map(u16::from),
        Event::Reconnecting {
            attempt: 1,
            delay: Duration::from_millis(5)
        }
    );
}

#[tokio::test(start_paused = true)]
async fn pcm_is_sent_in_frames_of_the_given_size() {
    let (session, mut server) = pair(quiet()).await;
    let pcm: Vec<u8> = (0..=255).collect();
    let sent = session.send_pcm_reader(&pcm[..], 100).await.unwrap();
    assert_eq!(sent, 256);
    let chunks = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(vec![1_u8; 30]),
        Ok(vec![2_u8; 50]),
        Ok(vec![3_u8; 5]),
    ]);
    let sent = session.send_pcm_stream(chunks, 40).await.unwrap();
    assert_eq!(sent, 85);
    let mut sizes = Vec::new();
    let mut bytes = Vec::new();
    while sizes.len() < 6 {
        if let Message::Binary(data) = server_next(&mut server).await {
            sizes.push(data.len());
            bytes.extend_from_slice(&data);
        }
    }
    assert_eq!(sizes, [100, 100, 56, 40, 40, 5]);
    assert_eq!(&bytes[..256], &pcm[..]);

    let failing = futures_util::stream::iter(vec![
        Ok(vec![0_u8; 4]),
        Err(std::io::Error::other("microphone unplugged")),
    ]);
    let error = session.send_pcm_stream(failing, 2).await.unwrap_err();
    assert!(matches!(error, WsError::Source { .. }), "{error:?}");
}

fn assert_send_sync<T: Send + Sync>(_: &T) {}

#[tokio::test]
async fn handles_and_futures_are_send() {
    let (session, _server) = pair(quiet()).await;
    assert_send_sync(&session);
    assert_send_sync(&session.sender());
    let http = client("http://h", QUERY);
    let request = http.websocket("c", "/x");
    assert_send_sync(&request);
    fn assert_send<T: Send>(_: T) {}
    assert_send(request.connect());
    assert_send(session.send_json("x"));
    assert_send_sync(&WsError::Closed { channel: "c" });
}

#[tokio::test(start_paused = true)]
async fn recv_is_cancel_safe_and_the_session_is_a_stream() {
    let (mut session, mut server) = pair(quiet()).await;
    // `recv` futures dropped while waiting lose nothing.
    for _ in 0..3 {
        let waited = tokio::time::timeout(Duration::from_millis(5), session.recv()).await;
        assert!(waited.is_err(), "{waited:?}");
    }
    for n in 0..3 {
        server.send(Message::text(format!("s{n}"))).await.unwrap();
    }
    server.close(None).await.unwrap();
    let mut texts = Vec::new();
    while let Some(event) = session.next().await {
        match event.unwrap() {
            Event::Message(Frame::Text(text)) => texts.push(text.to_string()),
            Event::Closed { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(texts, ["s0", "s1", "s2"]);
    assert!(session.recv().await.is_none());
}
