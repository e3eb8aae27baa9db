//! WebSocket sessions for the channels of an AsyncAPI description.
//!
//! Generated channel clients start a connection with [`HttpClient::websocket`], add the
//! channel's query parameters and authentication, and [`connect`](WsRequest::connect). The
//! resulting [`WsSession`] carries raw [`Frame`]s; the generated layer turns them into typed
//! messages.
//!
//! - The base URL of the [`HttpClient`] is reused: `http` becomes `ws`, `https` becomes `wss`,
//!   and a path prefix is kept (`http://127.0.0.1:8080/api` + `/ws/x` →
//!   `ws://127.0.0.1:8080/api/ws/x`). TLS is the one the cargo features choose, as for
//!   REST: `native-tls` if on, else `rustls` (with the platform's certificate verifier);
//!   with neither, `wss` is refused.
//! - The API key travels as the channel says ([`WsRequest::auth`]); with query
//!   authentication the URL carries it, so every URL shown anywhere (errors, `Debug`,
//!   [`WsSession::url`]) is redacted: `authorization=<redacted>`.
//! - The session answers pings, sends its own, notices a dead peer and the idle limit, closes
//!   cleanly without losing received messages, and can reconnect with jittered exponential
//!   backoff ([`WsConfig`], [`Reconnect`]). See [`WsSession`] for the order of events.
//! - [`audio`] has the PCM and WAV helpers of voice channels.
//!
//! ```no_run
//! use autessa_runtime::ws::{Event, Frame, WsConfig};
//! use autessa_runtime::{AuthScheme, HttpClient};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let http = HttpClient::builder("https://api.autessa.com").api_key("my key").build()?;
//! let mut session = http
//!     .websocket("agentExecute", "/ws/clients/agents/execute")
//!     .query("resourceId", &42)
//!     .auth(AuthScheme::Query { name: "authorization" })
//!     .config(WsConfig::default())
//!     .connect()
//!     .await?;
//! session
//!     .send_json(&serde_json::json!({
//!         "messageType": "EXECUTE",
//!         "agentId": 42,
//!         "input": [{"inputType": "TEXT", "content": "Hello"}],
//!     }))
//!     .await?;
//! while let Some(event) = session.recv().await {
//!     match event? {
//!         Event::Message(Frame::Text(text)) => println!("{text}"),
//!         Event::Closed { .. } => break,
//!         _ => {}
//!     }
//! }
//! # Ok(())
//! # }
//! ```

pub mod audio;
mod config;
mod connection;
mod control;
mod error;
mod frame;
mod link;
mod recognise;
mod reply;
mod session;
mod transport;
mod writer;

use std::fmt;

use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Serialize;
use url::Url;

pub use config::{Reconnect, WsConfig};
pub use connection::{ChannelMessage, Connection, Received};
pub use error::WsError;
pub use frame::{Event, Frame, Text};
/// Stream combinators, for the streamed replies of generated connections.
pub use futures_util::stream;
pub use recognise::{Matcher, recognise};
pub use reply::{ReplyPart, ReplyRole, within};
pub use session::{WsSender, WsSession};

use crate::auth::{ApiKey, AuthScheme};
use crate::http::client::{Credentials, HttpClient};
use crate::http::request::RequestBuilder;
use transport::Target;

impl HttpClient {
    /// Starts a WebSocket connection to channel `channel` (its AsyncAPI id, used in errors)
    /// at `path`, appended to the base URL's path as for REST requests (already encoded; see
    /// [`path_segment`](crate::path_segment)).
    ///
    /// Without [`WsRequest::auth`], the key goes where the client sends it for REST.
    pub fn websocket(&self, channel: &'static str, path: &str) -> WsRequest {
        WsRequest {
            client: self.clone(),
            channel,
            request: RequestBuilder::new(Method::GET, channel, path.to_owned().into()),
            auth: Auth::Client,
            config: WsConfig::default(),
        }
    }
}

/// One WebSocket connection request, built by value; finish with
/// [`connect`](Self::connect).
///
/// A query value that fails to encode does not stop the chain: the first failure is returned
/// by `connect` as [`WsError::Encode`].
#[must_use]
pub struct WsRequest {
    client: HttpClient,
    channel: &'static str,
    /// The path and query (the method is not used).
    request: RequestBuilder,
    auth: Auth,
    config: WsConfig,
}

#[derive(Clone, Copy, Debug)]
enum Auth {
    /// As the client sends the key for REST.
    Client,
    /// As this channel says.
    Scheme(AuthScheme),
    /// No key.
    None,
}

impl WsRequest {
    /// Adds a query parameter, encoded as by [`RequestBuilder::query`]: strings raw, numbers
    /// and booleans as their JSON text, arrays as one pair per item, objects as compact JSON;
    /// `null`/`None` adds nothing.
    pub fn query<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.request = self.request.query(name, value);
        self
    }

    /// Sends the client's API key as this channel's `scheme` says (for Autessa:
    /// `AuthScheme::Query { name: "authorization" }`).
    ///
    /// The key is the one the client was built with. A client that sends it in a header
    /// with a prefix (`Bearer `) gives its whole header value: the prefix is not known here.
    pub fn auth(mut self, scheme: AuthScheme) -> Self {
        self.auth = Auth::Scheme(scheme);
        self
    }

    /// Connects without the API key.
    pub fn without_auth(mut self) -> Self {
        self.auth = Auth::None;
        self
    }

    /// The session's heartbeat, idle limit, buffers and reconnects.
    pub fn config(mut self, config: WsConfig) -> Self {
        self.config = config;
        self
    }

    /// The channel id.
    pub fn channel(&self) -> &'static str {
        self.channel
    }

    /// The connection URL with the key redacted.
    pub fn url(&self) -> Result<String, WsError> {
        self.target().map(|target| target.shown)
    }

    /// Connects (TCP, TLS, upgrade, within [`WsConfig::connect_timeout`]) and starts the
    /// session.
    pub async fn connect(mut self) -> Result<WsSession, WsError> {
        if let Some(source) = self.request.take_error() {
            return Err(WsError::Encode {
                channel: self.channel,
                source,
            });
        }
        let config = self.config.clone().sanitized();
        let mut target = self.target()?;
        target.connect_timeout = config.connect_timeout;
        let socket = target.connect().await?;
        Ok(WsSession::start(socket, self.channel, Some(target), config))
    }

    fn target(&self) -> Result<Target, WsError> {
        let inner = &self.client.inner;
        let key = match &inner.auth {
            Some(Credentials::Query { key, .. }) => Some(key.clone()),
            Some(Credentials::Header { key, .. }) => Some(key.clone()),
            None => None,
        };
        let mut header = None;
        let mut query_key = None;
        match (self.auth, &inner.auth) {
            (Auth::None, _) | (_, None) => {}
            (Auth::Client, Some(Credentials::Header { name, value, .. })) => {
                header = Some((name.clone(), value.clone()));
            }
            (Auth::Client, Some(Credentials::Query { name, .. })) => query_key = Some(*name),
            (Auth::Scheme(AuthScheme::Query { name }), Some(_)) => query_key = Some(name),
            (Auth::Scheme(AuthScheme::Header { name, prefix }), Some(_)) => {
                let secret = key.as_ref().map(ApiKey::expose_secret).unwrap_or_default();
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| self.encode_error(format!("invalid header name `{name}`")))?;
                let mut value = HeaderValue::from_str(&format!("{prefix}{secret}"))
                    .map_err(|_| self.encode_error("the API key is not a valid header value"))?;
                value.set_sensitive(true);
                header = Some((name, value));
            }
        }
        let base = &inner.base_url;
        let secret = key.as_ref().map(ApiKey::expose_secret).unwrap_or_default();
        let query_auth = query_key.map(|name| (name, secret));
        let url = websocket_url(self.request.url(base, query_auth))
            .map_err(|reason| self.encode_error(reason))?;
        let mut shown = websocket_url(self.request.url(base, None))
            .map_err(|reason| self.encode_error(reason))?
            .to_string();
        if let Some(name) = query_key {
            let separator = if shown.contains('?') { '&' } else { '?' };
            let name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
            shown = format!("{shown}{separator}{name}=<redacted>");
        }
        Ok(Target {
            channel: self.channel,
            url,
            shown,
            header,
            user_agent: inner.user_agent.clone(),
            key,
            connect_timeout: self.config.connect_timeout,
        })
    }

    fn encode_error(&self, message: impl fmt::Display) -> WsError {
        WsError::Encode {
            channel: self.channel,
            source: <serde_json::Error as serde::ser::Error>::custom(message),
        }
    }
}

/// `http` → `ws`, `https` → `wss`.
fn websocket_url(mut url: Url) -> Result<Url, String> {
    let scheme = match url.scheme() {
        "http" | "ws" => "ws",
        "https" | "wss" => "wss",
        other => return Err(format!("cannot open a WebSocket over `{other}`")),
    };
    url.set_scheme(scheme)
        .map_err(|()| format!("cannot turn `{}` into a WebSocket URL", url.scheme()))?;
    Ok(url)
}

impl fmt::Debug for WsRequest {
    /// The channel, the redacted URL and the settings; never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.target().map(|target| target.shown).ok();
        f.debug_struct("WsRequest")
            .field("channel", &self.channel)
            .field("url", &url)
            .field("auth", &self.auth)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
