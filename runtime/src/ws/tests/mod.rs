//! Unit tests: URL building and redaction, and the session over in-memory streams with
//! paused time (the heartbeat, the idle limit and backpressure without real waiting).
//!
//! `connect` covers URLs, authentication and the upgrade, `session` the running session
//! (messages, heartbeat, deadlines, closing and backpressure), `surface` what callers see
//! besides (decoding, events, audio frames, `Send` and cancel safety); the helpers they
//! share are here.

mod connect;
mod session;
mod surface;

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
