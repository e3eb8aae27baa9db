//! The REST and the WebSocket mock on one port, as a generated client expects them: one base
//! URL for both (`http://…` for REST, `ws://…` for the channels).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::http::{MockServer, bind, serve_http};
use super::schema::{SchemaError, SchemaValidator};
use super::ws::WsMockServer;
use super::ws_script::Shared as WsShared;
use super::ws_session::connection;
use super::ws_spec::WsMockError;

/// The longest request head read to tell a WebSocket upgrade from a REST request.
const HEAD_LIMIT: usize = 16 * 1024;

/// A REST mock and, when the API has channels, a WebSocket mock, on one port of
/// `127.0.0.1`. Dropping it stops both.
#[derive(Debug)]
pub struct ApiMock {
    rest: MockServer,
    ws: Option<WsMockServer>,
}

/// Why a mock could not start from its documents.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// A document is not JSON.
    #[error("the {document} document is not JSON: {source}")]
    Json {
        /// `OpenAPI` or `AsyncAPI`.
        document: &'static str,
        /// The parser's complaint.
        source: serde_json::Error,
    },
    /// The OpenAPI document's schemas could not be loaded.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The AsyncAPI document could not be followed.
    #[error(transparent)]
    Channels(#[from] WsMockError),
}

/// The URI the embedded OpenAPI document is known by (references from the AsyncAPI one
/// resolve against it), and the folder of the files it refers to.
const EMBEDDED_URI: &str = "file:///api/openapi.json";
const EMBEDDED_DIR: &str = "file:///api/";

impl ApiMock {
    /// Starts the mock of the documents as JSON text (generated crates embed theirs):
    /// `openapi`, `asyncapi` when the API has channels, and the other files the OpenAPI
    /// document refers to (`files`: each path relative to its folder, and the JSON); both
    /// expect `api_key`. A
    /// response the documents give no example of is made from its schema
    /// ([`MockServer::invent_missing_examples`]).
    pub async fn from_documents(
        openapi: &str,
        asyncapi: Option<&str>,
        files: &[(&str, &str)],
        api_key: &str,
    ) -> Result<ApiMock, MockError> {
        let parse = |document, text: &str| {
            serde_json::from_str::<Value>(text)
                .map_err(|source| MockError::Json { document, source })
        };
        let others = files
            .iter()
            .map(|(path, text)| Ok((format!("{EMBEDDED_DIR}{path}"), parse("referenced", text)?)))
            .collect::<Result<Vec<_>, MockError>>()?;
        let openapi = parse("OpenAPI", openapi)?;
        let openapi = SchemaValidator::from_openapi_with_files(openapi, EMBEDDED_URI, others)?;
        let asyncapi = asyncapi.map(|text| parse("AsyncAPI", text)).transpose()?;
        let mock = Self::start(Arc::new(openapi), asyncapi.as_ref(), api_key).await?;
        mock.rest.invent_missing_examples(true);
        Ok(mock)
    }

    /// Starts the mock of an OpenAPI document (`openapi`, already loaded) and, if given, of
    /// an AsyncAPI document whose payloads are schemas of the OpenAPI one; both expect
    /// `api_key`.
    pub async fn start(
        openapi: Arc<SchemaValidator>,
        asyncapi: Option<&Value>,
        api_key: &str,
    ) -> Result<ApiMock, WsMockError> {
        let listener = bind().await;
        let ws = match asyncapi {
            Some(document) => Some(WsMockServer::unstarted(
                &openapi, document, api_key, &listener,
            )?),
            None => None,
        };
        let (mut rest, router) = MockServer::unstarted(openapi, api_key, &listener);
        let ws_shared = ws.as_ref().map(|server| Arc::clone(server.shared()));
        rest.set_task(tokio::spawn(serve(listener, router, ws_shared)));
        Ok(ApiMock { rest, ws })
    }

    /// `http://127.0.0.1:PORT`: the base URL of a client (REST and WebSocket).
    pub fn base_url(&self) -> String {
        self.rest.base_url()
    }

    /// The REST side.
    pub fn rest(&self) -> &MockServer {
        &self.rest
    }

    /// The WebSocket side, when the API has channels.
    pub fn ws(&self) -> Option<&WsMockServer> {
        self.ws.as_ref()
    }

    /// Every failed check so far: REST requests, then upgrades and messages.
    pub fn violations(&self) -> Vec<String> {
        let mut violations = self.rest.violations();
        if let Some(ws) = &self.ws {
            violations.extend(ws.violations());
        }
        violations
    }
}

/// Accepts connections until aborted; each is served as HTTP or, when its request asks for
/// a WebSocket upgrade and there are channels, as a WebSocket connection.
async fn serve(listener: TcpListener, router: Router, ws: Option<Arc<WsShared>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let (router, ws) = (router.clone(), ws.clone());
                connections.spawn(async move {
                    match ws {
                        Some(ws) if is_upgrade(&stream).await => connection(stream, ws).await,
                        _ => serve_http(stream, router).await,
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Whether the request head waiting on `stream` asks for a WebSocket upgrade; reads
/// nothing (it peeks until the head is complete).
async fn is_upgrade(stream: &TcpStream) -> bool {
    let mut buffer = vec![0; HEAD_LIMIT];
    let mut seen = 0;
    loop {
        let Ok(read) = stream.peek(&mut buffer).await else {
            return false;
        };
        let head = &buffer[..read];
        if read == 0 || read == buffer.len() || head.windows(4).any(|w| w == b"\r\n\r\n") {
            let text = String::from_utf8_lossy(head).to_ascii_lowercase();
            return text
                .lines()
                .any(|line| line.starts_with("upgrade:") && line.contains("websocket"));
        }
        if read == seen {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        seen = read;
    }
}
