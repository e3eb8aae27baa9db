//! Connecting: the URL and its redaction, authentication, refused and odd upgrades, and
//! connect failures.

use super::*;

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
