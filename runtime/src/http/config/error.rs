//! Errors returned by requests (a client that cannot be built: [`ConfigError`](crate::ConfigError)).
//!
//! No message here contains the API key or a request URL: transport errors have their URL
//! stripped, because with query authentication the URL carries the key.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::http::config::rate_limit::{Quota, RateLimit, RetryAfter};

/// The error of one API call. `E` is the operation's error body type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E> {
    /// The request could not be encoded (a query, header or body value failed to serialize
    /// or is not allowed where it goes). Nothing was sent.
    #[error("operation `{operation}`: could not encode the request")]
    Encode {
        /// The operation id.
        operation: &'static str,
        /// What went wrong.
        #[source]
        source: serde_json::Error,
    },
    /// The request could not be sent or the response could not be read (connection refused,
    /// timeout, TLS, broken connection, ...).
    #[error("operation `{operation}`: {}", transport_summary(source))]
    Transport {
        /// The operation id.
        operation: &'static str,
        /// The underlying error, with its URL removed.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with a non-success status and an error body of type `E`.
    #[error(transparent)]
    Api(Box<ApiError<E>>),
    /// The response body could not be decoded: a success body that is not the expected type,
    /// or an error body that is not `E`. The raw body is kept.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// An attempt did not finish in time (connecting, sending, waiting for the response or
    /// reading its body): the per-attempt timeout or the deadline across attempts passed.
    #[error("operation `{operation}`: the request timed out ({})", kind.describe(*limit))]
    Timeout {
        /// The operation id.
        operation: &'static str,
        /// Which limit passed.
        kind: TimeoutKind,
        /// Its length.
        limit: Duration,
    },
    /// The server asked to wait longer than the retry policy's
    /// [`max_retry_after`](crate::RetryPolicy::max_retry_after) before trying again, so the
    /// call gave up instead of stalling. The response that asked is kept.
    #[error(transparent)]
    RetryAfterTooLong(Box<RetryAfterTooLong<E>>),
    /// The client-side [rate limiter](crate::RateLimiter) would have to wait longer than
    /// allowed (the `Retry-After` cap or what is left of the deadline) before sending, so
    /// nothing was sent.
    #[error(
        "operation `{operation}`: not sent: the server's rate limit asks to wait {wait:?}, \
         longer than the {allowed:?} this call may wait"
    )]
    Throttled {
        /// The operation id.
        operation: &'static str,
        /// How long the limiter would wait.
        wait: Duration,
        /// The longest wait allowed.
        allowed: Duration,
        /// The rate limit of the response the limiter last saw.
        rate_limit: RateLimit,
    },
    /// The data to upload (a file or a stream) could not be read.
    #[error("operation `{operation}`: could not read the data to upload")]
    Upload {
        /// The operation id.
        operation: &'static str,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
}

/// Which time limit an [`Error::Timeout`] hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// The limit on one attempt ([`HttpClientBuilder::timeout`](crate::HttpClientBuilder::timeout)).
    Attempt,
    /// The limit on the whole call
    /// ([`HttpClientBuilder::deadline`](crate::HttpClientBuilder::deadline)).
    Deadline,
}

impl TimeoutKind {
    fn describe(self, limit: Duration) -> String {
        match self {
            Self::Attempt => format!("the {limit:?} per-attempt timeout passed"),
            Self::Deadline => format!("the {limit:?} deadline passed"),
        }
    }
}

/// A `Retry-After` longer than the client waits; see [`Error::RetryAfterTooLong`].
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryAfterTooLong<E> {
    /// The operation id.
    pub operation: &'static str,
    /// The `Retry-After` header as the server sent it.
    pub retry_after: RetryAfter,
    /// How long that was from when the response arrived.
    pub wait: Duration,
    /// The longest wait the retry policy allows.
    pub cap: Duration,
    /// How many attempts were made.
    pub attempts: u32,
    /// The response that asked to wait ([`Error::Api`] or [`Error::Decode`]).
    pub response: Error<E>,
}

impl<E> fmt::Display for RetryAfterTooLong<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "operation `{}`: the server asked to wait {:?} before retrying (Retry-After",
            self.operation, self.wait
        )?;
        if let Some(status) = self.response.status() {
            write!(f, " on HTTP {status}")?;
        }
        write!(
            f,
            "), longer than the {:?} cap; gave up after {} attempt{}",
            self.cap,
            self.attempts,
            if self.attempts == 1 { "" } else { "s" }
        )
    }
}

impl<E: fmt::Debug> std::error::Error for RetryAfterTooLong<E> {}

fn transport_summary(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "the request timed out"
    } else if error.is_connect() {
        "could not connect to the server"
    } else if error.is_redirect() {
        "could not follow a redirect"
    } else if error.is_body() || error.is_decode() {
        "could not read the response"
    } else {
        "could not send the request"
    }
}

/// A response that reports a failure, with its body decoded as the operation's error type:
/// a non-success status, or a success status whose body is not the expected result but an
/// error body with messages (`{"errors": ["Invalid input"]}` answered with 200). The two are
/// told apart by [`status`](Self::status) (`status.is_success()` for the second); a call that
/// returns `Ok` always carries the expected body.
///
/// `Display` gives the operation, the status and the server's [`messages`](Self::messages).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub struct ApiError<E> {
    /// The operation id.
    pub operation: &'static str,
    /// The response status.
    pub status: StatusCode,
    /// The decoded error body.
    pub body: E,
    /// The server's own reasons as found in the body (a string body, or the `errors`,
    /// `error`, `message`, `messages`, `detail`, `title` or `error_description` member of an
    /// object body, as text or a list), with the API key masked should the server repeat it.
    pub messages: Vec<String>,
    /// The request budget the response reported (see [`Quota`](crate::Quota)).
    pub rate_limit: RateLimit,
    /// The `Retry-After` header of the response, if present and valid.
    pub retry_after: Option<RetryAfter>,
    /// All response headers.
    pub headers: HeaderMap,
}

impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (operation, status) = (self.operation, self.status);
        if status.is_success() {
            write!(
                f,
                "operation `{operation}` failed: HTTP {status} with an error body"
            )?;
        } else {
            write!(f, "operation `{operation}` failed with HTTP {status}")?;
        }
        for (i, message) in self.messages.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            f.write_str(message)?;
        }
        Ok(())
    }
}

/// The server's reasons in an error body: a JSON string, or the first of the usual members
/// of an object (text, a list of texts, or a list of objects with a `message`).
pub(crate) fn messages_of(body: &[u8]) -> Vec<String> {
    const MEMBERS: [&str; 7] = [
        "errors",
        "error",
        "message",
        "messages",
        "detail",
        "title",
        "error_description",
    ];
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let found = match &value {
        serde_json::Value::Object(object) => MEMBERS.iter().find_map(|name| {
            let texts = texts_of(object.get(*name)?);
            (!texts.is_empty()).then_some(texts)
        }),
        other => Some(texts_of(other)),
    };
    found.unwrap_or_default()
}

fn texts_of(value: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let text = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Object(object) => match object.get("message") {
            Some(Value::String(text)) => Some(text.clone()),
            _ => None,
        },
        _ => None,
    };
    match value {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        one => text(one).into_iter().collect(),
    }
}

/// A response whose body could not be decoded as the expected type.
#[derive(Debug, thiserror::Error)]
#[error("operation `{operation}`: could not decode the body of the HTTP {status} response")]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation id.
    pub operation: &'static str,
    /// The response status.
    pub status: StatusCode,
    /// Why decoding failed.
    #[source]
    pub source: serde_json::Error,
    /// The raw response body.
    pub body: Bytes,
    /// The request budget the response reported (see [`Quota`](crate::Quota)).
    pub rate_limit: RateLimit,
    /// All response headers.
    pub headers: HeaderMap,
}

impl<E> Error<E> {
    /// The operation id of the failed call.
    pub fn operation(&self) -> &'static str {
        match self {
            Self::Encode { operation, .. }
            | Self::Transport { operation, .. }
            | Self::Timeout { operation, .. }
            | Self::Throttled { operation, .. }
            | Self::Upload { operation, .. } => operation,
            Self::Api(error) => error.operation,
            Self::Decode(error) => error.operation,
            Self::RetryAfterTooLong(error) => error.operation,
        }
    }

    /// The response status, when a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Encode { .. }
            | Self::Timeout { .. }
            | Self::Throttled { .. }
            | Self::Upload { .. } => None,
            Self::Transport { source, .. } => source.status(),
            Self::Api(error) => Some(error.status),
            Self::Decode(error) => Some(error.status),
            Self::RetryAfterTooLong(error) => error.response.status(),
        }
    }

    /// The request budget, when a response was received (for [`Error::Throttled`], that of
    /// the last response the rate limiter saw).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        match self {
            Self::Api(error) => Some(error.rate_limit),
            Self::Decode(error) => Some(error.rate_limit),
            Self::RetryAfterTooLong(error) => error.response.rate_limit(),
            Self::Throttled { rate_limit, .. } => Some(*rate_limit),
            Self::Encode { .. }
            | Self::Transport { .. }
            | Self::Timeout { .. }
            | Self::Upload { .. } => None,
        }
    }

    /// The `Retry-After` header, when a response carried a valid one (also for a response
    /// whose body could not be decoded, e.g. a 429 from a proxy).
    pub fn retry_after(&self) -> Option<RetryAfter> {
        match self {
            Self::Api(error) => error.retry_after,
            Self::Decode(error) => RetryAfter::from_headers(&error.headers),
            Self::RetryAfterTooLong(error) => Some(error.retry_after),
            Self::Encode { .. }
            | Self::Transport { .. }
            | Self::Timeout { .. }
            | Self::Throttled { .. }
            | Self::Upload { .. } => None,
        }
    }

    /// The decoded error body of an [`Error::Api`] (also inside
    /// [`Error::RetryAfterTooLong`]).
    pub fn api_body(&self) -> Option<&E> {
        match self {
            Self::Api(error) => Some(&error.body),
            Self::RetryAfterTooLong(error) => error.response.api_body(),
            _ => None,
        }
    }

    /// The raw body of an [`Error::Decode`] (also inside [`Error::RetryAfterTooLong`]).
    pub fn raw_body(&self) -> Option<&Bytes> {
        match self {
            Self::Decode(error) => Some(&error.body),
            Self::RetryAfterTooLong(error) => error.response.raw_body(),
            _ => None,
        }
    }

    /// The server's own reasons of an [`Error::Api`] (also inside
    /// [`Error::RetryAfterTooLong`]); empty for other errors.
    pub fn messages(&self) -> &[String] {
        match self {
            Self::Api(error) => &error.messages,
            Self::RetryAfterTooLong(error) => error.response.messages(),
            _ => &[],
        }
    }

    /// Masks `secret` in the server's messages (a server may quote what it refused).
    pub(crate) fn mask(mut self, secret: Option<&str>) -> Self {
        if let Some(secret) = secret.filter(|secret| !secret.is_empty())
            && let Some(messages) = self.messages_mut()
        {
            for message in messages.iter_mut().filter(|m| m.contains(secret)) {
                *message = message.replace(secret, "<redacted>");
            }
        }
        self
    }

    /// Reads the budget from the headers of the response the error carries, with the
    /// headers `quota` names.
    pub(crate) fn read_rate_limit(&mut self, quota: Option<&Quota>) {
        match self {
            Self::Api(error) => error.rate_limit = RateLimit::read(&error.headers, quota),
            Self::Decode(error) => error.rate_limit = RateLimit::read(&error.headers, quota),
            Self::RetryAfterTooLong(error) => error.response.read_rate_limit(quota),
            _ => {}
        }
    }

    fn messages_mut(&mut self) -> Option<&mut Vec<String>> {
        match self {
            Self::Api(error) => Some(&mut error.messages),
            Self::RetryAfterTooLong(error) => error.response.messages_mut(),
            _ => None,
        }
    }

    /// Whether the call timed out ([`Error::Timeout`], or a connect timeout of the transport).
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Timeout { .. } => true,
            Self::Transport { source, .. } => source.is_timeout(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn json_error() -> serde_json::Error {
        serde_json::from_slice::<u32>(b"<html>").unwrap_err()
    }

    fn api(status: StatusCode) -> Error<Vec<String>> {
        Error::Api(Box::new(ApiError {
            operation: "getPet",
            status,
            body: vec!["Invalid API key".to_owned()],
            messages: vec![
                "Invalid API key".to_owned(),
                "Resource not found".to_owned(),
            ],
            rate_limit: RateLimit {
                remaining: Some(0),
                ..RateLimit::default()
            },
            retry_after: Some(RetryAfter::Delay(Duration::from_secs(3))),
            headers: HeaderMap::new(),
        }))
    }

    #[test]
    fn api_error_display_and_accessors() {
        let error = api(StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            error.to_string(),
            "operation `getPet` failed with HTTP 429 Too Many Requests: Invalid API key; \
             Resource not found"
        );
        assert_eq!(error.messages().len(), 2);
        assert_eq!(error.operation(), "getPet");
        assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(error.rate_limit().unwrap().remaining, Some(0));
        assert_eq!(
            error.retry_after(),
            Some(RetryAfter::Delay(Duration::from_secs(3)))
        );
        assert_eq!(error.api_body().unwrap()[0], "Invalid API key");
        assert!(error.raw_body().is_none());
        assert!(std::error::Error::source(&error).is_none());
    }

    #[test]
    fn the_key_is_masked_in_the_messages() {
        let error = api(StatusCode::UNAUTHORIZED);
        let Error::Api(mut inner) = error else {
            unreachable!()
        };
        inner.messages = vec!["key sk-secret-1 is not valid".to_owned()];
        let error = Error::Api(inner).mask(Some("sk-secret-1"));
        assert_eq!(error.messages(), ["key <redacted> is not valid"]);
        assert!(!error.to_string().contains("sk-secret-1"));
    }

    #[test]
    fn decode_error_display_source_and_accessors() {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "5".parse().unwrap());
        let error: Error<()> = Error::Decode(Box::new(DecodeError {
            operation: "getPet",
            status: StatusCode::INTERNAL_SERVER_ERROR,
            source: json_error(),
            body: Bytes::from_static(b"<html>"),
            rate_limit: RateLimit::default(),
            headers,
        }));
        assert_eq!(
            error.to_string(),
            "operation `getPet`: could not decode the body of the HTTP 500 Internal Server Error response"
        );
        assert!(std::error::Error::source(&error).is_some());
        assert_eq!(error.raw_body().unwrap().as_ref(), b"<html>");
        assert_eq!(
            error.retry_after(),
            Some(RetryAfter::Delay(Duration::from_secs(5)))
        );
        assert!(error.api_body().is_none());
    }

    #[test]
    fn encode_error_display() {
        let error: Error<()> = Error::Encode {
            operation: "createPet",
            source: json_error(),
        };
        assert_eq!(
            error.to_string(),
            "operation `createPet`: could not encode the request"
        );
        assert_eq!(error.status(), None);
        assert_eq!(error.rate_limit(), None);
    }
}
