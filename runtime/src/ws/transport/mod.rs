//! Opening a connection: TCP, TLS and the WebSocket upgrade.
//!
//! TLS is what the cargo features choose, as for reqwest: `native-tls` (the platform's
//! library) when it is on, else `rustls` (aws-lc-rs, with the platform's certificate
//! verifier); with neither, `wss` URLs are refused.
//!
//! The open connection's byte stream is in `socket`; this module opens it, and the
//! `tls_*` module the cargo features choose does the TLS handshake.

pub(super) mod socket;
#[cfg(feature = "native-tls")]
mod tls_native;
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
mod tls_none;
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
mod tls_rustls;

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue, USER_AGENT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use url::{Host, Position, Url};

use self::socket::{Io, Socket};
#[cfg(feature = "native-tls")]
use self::tls_native as tls;
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
use self::tls_none as tls;
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
use self::tls_rustls as tls;
use super::error::{WsError, scrub};
use crate::auth::ApiKey;

/// The most bytes of an upgrade response head, and of a refusal's body, that are read.
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 64 * 1024;

/// Reads what is available into the end of `buffer`; `Ok(0)` at the end of the stream.
async fn read_some(stream: &mut impl Io, buffer: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0_u8; 4096];
    let read = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(&chunk[..read]);
    Ok(read)
}

/// Everything needed to (re)open one channel's connection.
pub(crate) struct Target {
    pub(crate) channel: &'static str,
    /// The connection URL. With query authentication it carries the key: never shown.
    pub(crate) url: Url,
    /// The URL as it may be shown: the key replaced by `<redacted>`.
    pub(crate) shown: String,
    /// Header authentication (a sensitive value), if the channel uses it.
    pub(crate) header: Option<(HeaderName, HeaderValue)>,
    pub(crate) user_agent: Option<HeaderValue>,
    /// The key, only to scrub it out of text received from elsewhere.
    pub(crate) key: Option<ApiKey>,
    pub(crate) connect_timeout: Duration,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("channel", &self.channel)
            .field("url", &self.shown)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// Opens the connection within the connect timeout.
    pub(crate) async fn connect(&self) -> Result<Socket, WsError> {
        match tokio::time::timeout(self.connect_timeout, self.open()).await {
            Ok(result) => result,
            Err(_) => Err(WsError::ConnectTimeout {
                channel: self.channel,
                url: self.shown.clone(),
                timeout: self.connect_timeout,
            }),
        }
    }

    async fn open(&self) -> Result<Socket, WsError> {
        let host = self
            .url
            .host()
            .ok_or_else(|| self.connect_error("the URL has no host".into(), None))?;
        let port = self
            .url
            .port_or_known_default()
            .ok_or_else(|| self.connect_error("the URL has no port".into(), None))?;
        let mut tcp = match host {
            Host::Domain(domain) => TcpStream::connect((domain, port)).await,
            Host::Ipv4(ip) => TcpStream::connect(SocketAddr::new(IpAddr::V4(ip), port)).await,
            Host::Ipv6(ip) => TcpStream::connect(SocketAddr::new(IpAddr::V6(ip), port)).await,
        }
        .map_err(|error| self.connect_error(error.to_string(), Some(error)))?;
        // Small frames (audio, chat turns) should leave at once.
        let _ = tcp.set_nodelay(true);
        if self.url.scheme() == "wss" {
            let mut tls = tls::connect(host, tcp)
                .await
                .map_err(|(reason, source)| self.connect_error(reason, source))?;
            let rest = self.handshake(&mut tls).await?;
            return Ok(Socket::over(tls, rest).await);
        }
        let rest = self.handshake(&mut tcp).await?;
        // Plain TCP splits without a lock.
        let (read, write) = tcp.into_split();
        Ok(Socket::new(Box::new(read), Box::new(write), rest).await)
    }

    /// The upgrade request and the checks of the answer (RFC 6455, section 4.1), done here
    /// rather than by tungstenite, whose client handshake logs the request line (the URL, so
    /// the key) at trace level.
    async fn handshake(&self, stream: &mut impl Io) -> Result<Vec<u8>, WsError> {
        let key = generate_key();
        stream
            .write_all(&self.handshake_request(&key))
            .await
            .map_err(|error| self.connect_error(error.to_string(), Some(error)))?;
        let mut buffer = Vec::with_capacity(1024);
        let (head_len, status, headers) = loop {
            let read = read_some(stream, &mut buffer)
                .await
                .map_err(|error| self.connect_error(error.to_string(), Some(error)))?;
            let mut slots = [httparse::EMPTY_HEADER; 64];
            let mut response = httparse::Response::new(&mut slots);
            match response.parse(&buffer) {
                Ok(httparse::Status::Complete(len)) => {
                    let headers: Vec<(String, Vec<u8>)> = response
                        .headers
                        .iter()
                        .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
                        .collect();
                    break (len, response.code.unwrap_or_default(), headers);
                }
                Ok(httparse::Status::Partial) if read > 0 && buffer.len() <= MAX_HEAD => {}
                Ok(httparse::Status::Partial) => {
                    let reason = if read == 0 {
                        "the server closed the connection during the upgrade"
                    } else {
                        "the upgrade response is too large"
                    };
                    return Err(self.connect_error(reason.into(), None));
                }
                Err(error) => {
                    let reason = format!("malformed upgrade response: {error}");
                    return Err(self.connect_error(reason, None));
                }
            }
        };
        let header = |name: &str| {
            headers
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
        };
        if status != 101 {
            let mut body = buffer.split_off(head_len);
            let wanted = header("content-length")
                .and_then(|len| len.trim().parse::<usize>().ok())
                .unwrap_or(MAX_BODY)
                .min(MAX_BODY);
            while body.len() < wanted {
                match read_some(stream, &mut body).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            body.truncate(wanted);
            return Err(WsError::Rejected {
                channel: self.channel,
                url: self.shown.clone(),
                status,
                body: self.scrub(&String::from_utf8_lossy(&body)),
            });
        }
        let upgrade = header("upgrade").is_some_and(|v| v.trim().eq_ignore_ascii_case("websocket"));
        let connection = header("connection").is_some_and(|value| {
            value
                .split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("upgrade"))
        });
        let accepted = header("sec-websocket-accept")
            .is_some_and(|value| value.trim() == derive_accept_key(key.as_bytes()));
        if !(upgrade && connection && accepted) {
            let reason = "the server answered 101 without a valid WebSocket upgrade";
            return Err(self.connect_error(reason.into(), None));
        }
        // Frames the server sent right behind its answer are already in the buffer.
        Ok(buffer.split_off(head_len))
    }

    /// `GET <path>?<query> HTTP/1.1` with the upgrade headers, the user agent and header
    /// authentication. The bytes hold the key: they go to the socket and nowhere else.
    fn handshake_request(&self, key: &str) -> Vec<u8> {
        let url = &self.url;
        let target = &url[Position::BeforePath..Position::AfterQuery];
        let host = &url[Position::BeforeHost..Position::AfterPort];
        let mut request = format!(
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\n\
             Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n"
        )
        .into_bytes();
        let headers = [
            self.user_agent.as_ref().map(|agent| (&USER_AGENT, agent)),
            self.header.as_ref().map(|(name, value)| (name, value)),
        ];
        for (name, value) in headers.into_iter().flatten() {
            request.extend_from_slice(name.as_str().as_bytes());
            request.extend_from_slice(b": ");
            request.extend_from_slice(value.as_bytes());
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"\r\n");
        request
    }

    pub(crate) fn scrub(&self, text: &str) -> String {
        scrub(text, self.key.as_ref().map(ApiKey::expose_secret))
    }

    fn connect_error(&self, reason: String, source: Option<io::Error>) -> WsError {
        WsError::Connect {
            channel: self.channel,
            url: self.shown.clone(),
            reason: self.scrub(&reason),
            source,
        }
    }
}
