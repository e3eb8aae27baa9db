//! What the REST mock answers: a status, a body, headers, and the faults a client is built
//! to survive.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures_util::stream;
use serde_json::Value;

/// One answer of the REST mock: a status, a body and extra headers, or a fault.
///
/// ```
/// # use autessa_runtime::mock::{Fault, MockReply};
/// # use std::time::Duration;
/// let limited = MockReply::example(429).header("Retry-After", "2");
/// let broken = MockReply::json(503, serde_json::json!({"errors": ["try later"]}));
/// let slow = MockReply::example(200).fault(Fault::SlowBody { chunk: 16, delay: Duration::from_millis(5) });
/// # let _ = (limited, broken, slow);
/// ```
#[derive(Clone, Debug)]
pub struct MockReply {
    pub(super) status: StatusCode,
    pub(super) body: ReplyBody,
    pub(super) headers: Vec<(String, String)>,
    pub(super) fault: Option<Fault>,
    /// Answer with the operation's documented success status in place of `status`.
    pub(super) documented_success: bool,
}

#[derive(Clone, Debug)]
pub(super) enum ReplyBody {
    /// The document's example for the status.
    Example,
    Json(Value),
    Raw {
        content_type: String,
        bytes: Bytes,
    },
    Empty,
}

/// A failure of the server or the network, played instead of (or while) answering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The connection is dropped after the status line and headers, before the body ends:
    /// the client sees a reset mid-response.
    Reset,
    /// No answer at all: the request waits until the client gives up (its timeout).
    Stall,
    /// The answer comes after a pause.
    Delay(Duration),
    /// The body is sent `chunk` bytes at a time, `delay` apart.
    SlowBody {
        /// Bytes per write.
        chunk: usize,
        /// The pause before each write.
        delay: Duration,
    },
}

impl MockReply {
    /// `status` with the document's example for it (for an error status: the example of that
    /// response, else of its range, else of `default`).
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code (a mistake in the test).
    pub fn example(status: u16) -> Self {
        Self::new(status, ReplyBody::Example)
    }

    /// The operation's documented success (its first `2XX` response, `200` when it
    /// declares none) with the document's example, or no body where the response has none:
    /// what the mock answers until told otherwise.
    pub fn documented() -> Self {
        Self::example(200).at_documented_success()
    }

    /// This reply with the operation's documented success status in place of its own.
    pub(super) fn at_documented_success(mut self) -> Self {
        self.documented_success = true;
        self
    }

    /// `status` with `body` as JSON (for bodies the document does not describe too, such as
    /// unknown enum values).
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn json(status: u16, body: Value) -> Self {
        Self::new(status, ReplyBody::Json(body))
    }

    /// `status` with raw bytes of the given media type.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn bytes(status: u16, content_type: &str, bytes: impl Into<Bytes>) -> Self {
        let content_type = content_type.to_owned();
        Self::new(
            status,
            ReplyBody::Raw {
                content_type,
                bytes: bytes.into(),
            },
        )
    }

    /// `status` without a body.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn empty(status: u16) -> Self {
        Self::new(status, ReplyBody::Empty)
    }

    fn new(status: u16, body: ReplyBody) -> Self {
        let status = StatusCode::from_u16(status)
            .unwrap_or_else(|_| panic!("mock server: {status} is not an HTTP status code"));
        MockReply {
            status,
            body,
            headers: Vec::new(),
            fault: None,
            documented_success: false,
        }
    }

    /// Adds a response header (after the server's default headers, replacing one of the
    /// same name).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Plays `fault` while answering.
    #[must_use]
    pub fn fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// The status this reply answers with.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }
}

/// Builds the HTTP response: `content` is the body and its media type; `headers` the
/// server's defaults then the reply's own.
pub(super) async fn render(
    status: StatusCode,
    content: Option<(String, Bytes)>,
    headers: &[(String, String)],
    fault: Option<Fault>,
) -> Response {
    match fault {
        Some(Fault::Stall) => std::future::pending::<()>().await,
        Some(Fault::Delay(pause)) => tokio::time::sleep(pause).await,
        _ => {}
    }
    let (content_type, bytes) = content.unzip();
    let body = match fault {
        Some(Fault::Reset) => {
            let failing = stream::iter([Err::<Bytes, _>(std::io::Error::other("reset"))]);
            Body::from_stream(failing)
        }
        Some(Fault::SlowBody { chunk, delay }) => {
            slow_body(bytes.unwrap_or_default(), chunk, delay)
        }
        _ => Body::from(bytes.unwrap_or_default()),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let response_headers = response.headers_mut();
    if let Some(content_type) = content_type
        && let Ok(value) = HeaderValue::from_str(&content_type)
    {
        response_headers.insert(header::CONTENT_TYPE, value);
    }
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response_headers.insert(name, value);
        }
    }
    response
}

fn slow_body(bytes: Bytes, chunk: usize, delay: Duration) -> Body {
    let pieces: Vec<Bytes> = bytes
        .chunks(chunk.max(1))
        .map(Bytes::copy_from_slice)
        .collect();
    let paced = futures_util::StreamExt::then(stream::iter(pieces), move |piece| async move {
        tokio::time::sleep(delay).await;
        Ok::<_, Infallible>(piece)
    });
    Body::from_stream(paced)
}
