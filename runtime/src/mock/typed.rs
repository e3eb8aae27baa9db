//! The typed layer of the REST mock: one [`OperationMock`] per operation, whose handlers see
//! the decoded request body and answer with the operation's response or error type.

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::forms::{Parts, parse_multipart};
use super::http::MockServer;
use super::record::RecordedRequest;
use super::reply::{Fault, MockReply};

/// How an operation's success body goes on the wire; chosen by the generator from the
/// operation's media types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseEncoding {
    /// The body as JSON.
    Json,
    /// No body.
    Empty,
    /// The body as text (the operation's success body is not JSON).
    Text,
}

/// A request as a handler sees it: the decoded body and everything received.
#[derive(Clone, Debug)]
pub struct MockRequest<Req> {
    /// The body, decoded; `None` when there was none, or it is not of this type (the
    /// violation is in the mock's record).
    pub body: Option<Req>,
    /// The request as received.
    pub raw: RecordedRequest,
}

impl<Req: MockBody> MockRequest<Req> {
    fn decode(raw: &RecordedRequest) -> Self {
        MockRequest {
            body: Req::from_request(raw),
            raw: raw.clone(),
        }
    }
}

/// A request body as an operation's handlers see it: a JSON or form body decoded into the
/// operation's type, a multipart body as its [`Parts`].
pub trait MockBody: Sized {
    /// The body of `raw`, if it has one of this type.
    fn from_request(raw: &RecordedRequest) -> Option<Self>;
}

impl<T: DeserializeOwned> MockBody for T {
    fn from_request(raw: &RecordedRequest) -> Option<Self> {
        serde_json::from_value(raw.body_value.clone()?).ok()
    }
}

impl MockBody for Parts {
    fn from_request(raw: &RecordedRequest) -> Option<Self> {
        parse_multipart(raw.header("content-type")?, &raw.body).ok()
    }
}

impl<Req> MockRequest<Req> {
    /// The first value of a query parameter.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.raw.query_param(name)
    }

    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.raw.header(name)
    }
}

/// A typed answer to one request: the operation's response, its error, the document's
/// example, or a fault; with extra headers.
#[derive(Clone, Debug)]
pub struct Reply<Res, Err> {
    kind: Kind<Res, Err>,
    /// `None`: the operation's documented success status.
    status: Option<u16>,
    headers: Vec<(String, String)>,
    fault: Option<Fault>,
}

#[derive(Clone, Debug)]
enum Kind<Res, Err> {
    Ok(Res),
    Error(Err),
    Example,
}

impl<Res, Err> Reply<Res, Err> {
    /// The operation's documented success status (its first `2XX`; `200` when it declares
    /// none) with `body`.
    pub fn ok(body: Res) -> Self {
        Self::new(Kind::Ok(body), None)
    }

    /// An error status with the operation's error body.
    pub fn error(status: u16, body: Err) -> Self {
        Self::new(Kind::Error(body), Some(status))
    }

    /// `status` with the document's example for it.
    pub fn example(status: u16) -> Self {
        Self::new(Kind::Example, Some(status))
    }

    /// `429 Too Many Requests` (the document's example) with `Retry-After` in seconds.
    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        Self::example(429).header("Retry-After", &retry_after_seconds.to_string())
    }

    /// The document's example of the operation's success, spoiled by `fault` (a reset, a
    /// stall, a slow body).
    pub fn fault(fault: Fault) -> Self {
        Self::new(Kind::Example, None).with_fault(fault)
    }

    fn new(kind: Kind<Res, Err>, status: Option<u16>) -> Self {
        Reply {
            kind,
            status,
            headers: Vec::new(),
            fault: None,
        }
    }

    /// Another status (`201` for a success, say).
    #[must_use]
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Adds a response header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Plays `fault` while answering.
    #[must_use]
    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }
}

impl<Res: Serialize, Err: Serialize> Reply<Res, Err> {
    fn into_mock(self, encoding: ResponseEncoding) -> MockReply {
        let status = self.status.unwrap_or(200);
        let json = |value: serde_json::Result<serde_json::Value>| match value {
            Ok(value) => MockReply::json(status, value),
            Err(error) => MockReply::bytes(500, "text/plain", Bytes::from(error.to_string())),
        };
        let mut reply = match (&self.kind, encoding) {
            (Kind::Ok(_), ResponseEncoding::Empty) => MockReply::empty(status),
            (Kind::Ok(body), ResponseEncoding::Json) => json(serde_json::to_value(body)),
            (Kind::Ok(body), ResponseEncoding::Text) => match serde_json::to_value(body) {
                Ok(serde_json::Value::String(text)) => {
                    MockReply::bytes(status, "text/plain", Bytes::from(text))
                }
                other => json(other),
            },
            (Kind::Error(body), _) => json(serde_json::to_value(body)),
            (Kind::Example, _) => MockReply::example(status),
        };
        if self.status.is_none() {
            reply = reply.at_documented_success();
        }
        for (name, value) in &self.headers {
            reply = reply.header(name, value);
        }
        match self.fault {
            Some(fault) => reply.fault(fault),
            None => reply,
        }
    }
}

/// The mock of one REST operation: `Req` is its request body type (`()` without one), `Res`
/// its success body and `Err` its error body.
pub struct OperationMock<'a, Req, Res, Err> {
    server: &'a MockServer,
    operation_id: &'static str,
    encoding: ResponseEncoding,
    types: PhantomData<fn(Req) -> (Res, Err)>,
}

impl<Req, Res, Err> std::fmt::Debug for OperationMock<'_, Req, Res, Err> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperationMock")
            .field("operation_id", &self.operation_id)
            .finish_non_exhaustive()
    }
}

impl<'a, Req, Res, Err> OperationMock<'a, Req, Res, Err>
where
    Req: MockBody + 'static,
    Res: Serialize + Clone + Send + Sync + 'static,
    Err: Serialize + Clone + Send + Sync + 'static,
{
    /// The mock of `operation` (its id, or its method and path template) on `server`
    /// (generated code calls this).
    pub fn new(
        server: &'a MockServer,
        operation_id: &'static str,
        encoding: ResponseEncoding,
    ) -> Self {
        OperationMock {
            server,
            operation_id,
            encoding,
            types: PhantomData,
        }
    }

    /// Answers every following valid request with `reply`.
    pub fn respond(&self, reply: Reply<Res, Err>) -> &Self {
        let encoding = self.encoding;
        self.server.handle(self.operation_id, move |_| {
            Some(reply.clone().into_mock(encoding))
        });
        self
    }

    /// Answers the next valid request with `reply`, once; later ones get the earlier
    /// replies.
    pub fn respond_once(&self, reply: Reply<Res, Err>) -> &Self {
        let encoding = self.encoding;
        let used = AtomicBool::new(false);
        self.server.handle(self.operation_id, move |_| {
            let first = !used.swap(true, Ordering::SeqCst);
            first.then(|| reply.clone().into_mock(encoding))
        });
        self
    }

    /// Answers every following valid request with what `handler` returns for it.
    pub fn respond_with(
        &self,
        handler: impl Fn(&MockRequest<Req>) -> Reply<Res, Err> + Send + Sync + 'static,
    ) -> &Self {
        self.respond_when(|_| true, handler)
    }

    /// Answers the following valid requests that `matches` accepts with what `handler`
    /// returns; the others get the earlier replies.
    pub fn respond_when(
        &self,
        matches: impl Fn(&MockRequest<Req>) -> bool + Send + Sync + 'static,
        handler: impl Fn(&MockRequest<Req>) -> Reply<Res, Err> + Send + Sync + 'static,
    ) -> &Self {
        let encoding = self.encoding;
        let handler = Arc::new(handler);
        self.server.handle(self.operation_id, move |raw| {
            let request = MockRequest::decode(raw);
            matches(&request).then(|| handler(&request).into_mock(encoding))
        });
        self
    }

    /// Every request of this operation received so far, in order, decoded.
    pub fn requests(&self) -> Vec<MockRequest<Req>> {
        self.server
            .requests()
            .iter()
            .filter(|raw| {
                raw.operation_id.as_deref() == Some(self.operation_id)
                    || raw.route.as_deref() == Some(self.operation_id)
            })
            .map(MockRequest::decode)
            .collect()
    }
}
