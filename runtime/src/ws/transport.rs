//! Opening a connection: TCP, TLS and the WebSocket upgrade.
//!
//! TLS is what the cargo features choose, as for reqwest: `native-tls` (the platform's
//! library) when it is on, else `rustls` (aws-lc-rs, with the platform's certificate
//! verifier); with neither, `wss` URLs are refused.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue, USER_AGENT};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketContext};
use tokio_tungstenite::tungstenite::{self, Message};
use url::{Host, Position, Url};

use super::error::{WsError, scrub};
use crate::auth::ApiKey;

/// The byte stream under a WebSocket: plain TCP, TLS, or (in tests) anything else.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Sync + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Sync + Unpin + 'static> Io for T {}

/// The reading direction of a connection's byte stream.
type ReadHalf = Box<dyn AsyncRead + Send + Sync + Unpin>;
/// The writing direction.
type WriteHalf = Box<dyn AsyncWrite + Send + Sync + Unpin>;

/// The reading direction of a connection, with a tungstenite context of its own, so that
/// reading takes no lock and no waker hand-off per message: the caller's waker goes straight
/// to the socket.
pub(crate) struct FrameReader {
    context: WebSocketContext,
    io: ReadHalf,
    ended: bool,
}

impl FrameReader {
    /// The next message; `None` once the connection is over (an error ends it too).
    #[inline]
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Message, tungstenite::Error>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let mut io = Blocking {
            io: &mut *self.io,
            cx,
        };
        match self.context.read(&mut io) {
            Ok(message) => Poll::Ready(Some(Ok(message))),
            Err(tungstenite::Error::Io(error)) if error.kind() == io::ErrorKind::WouldBlock => {
                Poll::Pending
            }
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                self.ended = true;
                Poll::Ready(None)
            }
            Err(error) => {
                self.ended = true;
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

/// The socket as tungstenite's blocking interface wants it, for one poll: `WouldBlock`
/// when no bytes are ready. What tungstenite would write back while reading (its automatic
/// answers to pings and close frames) is dropped: the control task writes those.
struct Blocking<'a, 'b> {
    io: &'a mut (dyn AsyncRead + Send + Sync + Unpin),
    cx: &'a mut Context<'b>,
}

impl io::Read for Blocking<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut buf = ReadBuf::new(buf);
        match Pin::new(&mut *self.io).poll_read(self.cx, &mut buf) {
            Poll::Ready(Ok(())) => Ok(buf.filled().len()),
            Poll::Ready(Err(error)) => Err(error),
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl io::Write for Blocking<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The writing direction, with a tungstenite context of its own; it is never read.
pub(crate) struct WriteSide(WriteHalf);

/// An open WebSocket, as its two directions.
pub(crate) struct Socket {
    pub(crate) reader: FrameReader,
    pub(crate) writer: WebSocketStream<WriteSide>,
}

impl Socket {
    /// A WebSocket over two directions of a stream whose upgrade is done; `rest` holds the
    /// bytes read past the upgrade answer.
    pub(crate) async fn new(read: ReadHalf, write: WriteHalf, rest: Vec<u8>) -> Self {
        Self {
            reader: FrameReader {
                context: WebSocketContext::from_partially_read(rest, Role::Client, None),
                io: read,
                ended: false,
            },
            writer: WebSocketStream::from_raw_socket(WriteSide(write), Role::Client, None).await,
        }
    }

    /// A WebSocket over any stream (TLS, or an in-memory pipe in tests): its directions
    /// share a lock, taken once per read or write of the stream rather than per message.
    pub(crate) async fn over(stream: impl Io, rest: Vec<u8>) -> Self {
        let (read, write) = tokio::io::split(stream);
        Self::new(Box::new(read), Box::new(write), rest).await
    }
}

impl AsyncRead for WriteSide {
    /// Never called (writing reads nothing); the end of the stream if it were.
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for WriteSide {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

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

/// TLS over rustls (cargo feature `rustls`, without `native-tls`).
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
mod tls {
    use std::io;
    use std::net::IpAddr;
    use std::sync::{Arc, OnceLock};

    use tokio::net::TcpStream;
    use tokio_rustls::TlsConnector;
    use tokio_rustls::client::TlsStream;
    use tokio_rustls::rustls::pki_types::ServerName;
    use tokio_rustls::rustls::{self, ClientConfig};
    use url::Host;

    /// The TLS handshake with `host`; on failure the reason and the I/O error.
    pub(super) async fn connect(
        host: Host<&str>,
        tcp: TcpStream,
    ) -> Result<TlsStream<TcpStream>, (String, Option<io::Error>)> {
        let server_name = match host {
            Host::Domain(domain) => ServerName::try_from(domain.to_owned())
                .map_err(|error| (error.to_string(), None))?,
            Host::Ipv4(ip) => ServerName::from(IpAddr::V4(ip)),
            Host::Ipv6(ip) => ServerName::from(IpAddr::V6(ip)),
        };
        let config = config().map_err(|reason| (reason, None))?;
        TlsConnector::from(config)
            .connect(server_name, tcp)
            .await
            .map_err(|error| (format!("TLS: {error}"), Some(error)))
    }

    /// The TLS settings, built once: the process's default crypto provider if one is
    /// installed, else aws-lc-rs, and the platform's certificate verifier (what reqwest uses
    /// too).
    pub(super) fn config() -> Result<Arc<ClientConfig>, String> {
        static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
        CONFIG
            .get_or_init(|| {
                let provider = rustls::crypto::CryptoProvider::get_default()
                    .cloned()
                    .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
                let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
                    .map_err(|error| format!("TLS verifier: {error}"))?;
                let mut config = ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|error| format!("TLS settings: {error}"))?
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
                    .with_no_client_auth();
                config.alpn_protocols = vec![b"http/1.1".to_vec()];
                Ok(Arc::new(config))
            })
            .clone()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn config_builds() {
            let config = super::config().unwrap();
            assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
        }
    }
}

/// TLS through the platform's library (cargo feature `native-tls`; chosen over `rustls`
/// when both are on, as reqwest does).
#[cfg(feature = "native-tls")]
mod tls {
    use std::io;
    use std::sync::OnceLock;

    use tokio::net::TcpStream;
    use tokio_native_tls::{TlsConnector, TlsStream};
    use url::Host;

    /// The TLS handshake with `host`; on failure the reason and the I/O error.
    pub(super) async fn connect(
        host: Host<&str>,
        tcp: TcpStream,
    ) -> Result<TlsStream<TcpStream>, (String, Option<io::Error>)> {
        // An IP address is checked against the certificate's IP names, without brackets.
        let domain = match host {
            Host::Domain(domain) => domain.to_owned(),
            Host::Ipv4(ip) => ip.to_string(),
            Host::Ipv6(ip) => ip.to_string(),
        };
        connector()
            .map_err(|reason| (reason, None))?
            .connect(&domain, tcp)
            .await
            .map_err(|error| (format!("TLS: {error}"), Some(io::Error::other(error))))
    }

    /// The connector, built once: the platform's trust store, HTTP/1.1 offered by ALPN.
    pub(super) fn connector() -> Result<&'static TlsConnector, String> {
        static CONNECTOR: OnceLock<Result<TlsConnector, String>> = OnceLock::new();
        CONNECTOR
            .get_or_init(|| {
                native_tls::TlsConnector::builder()
                    .request_alpns(&["http/1.1"])
                    .build()
                    .map(TlsConnector::from)
                    .map_err(|error| format!("TLS settings: {error}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn connector_builds() {
            super::connector().unwrap();
        }
    }
}

/// No TLS in this build (neither cargo feature `rustls` nor `native-tls`): `wss` is refused.
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
mod tls {
    use std::io;

    use tokio::net::TcpStream;
    use url::Host;

    /// Always the reason there is no TLS.
    pub(super) async fn connect(
        _host: Host<&str>,
        _tcp: TcpStream,
    ) -> Result<TcpStream, (String, Option<io::Error>)> {
        Err((
            "this build has no TLS: `wss` needs the cargo feature `rustls` or `native-tls`".into(),
            None,
        ))
    }
}
