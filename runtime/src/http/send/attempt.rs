//! One call's parts below the pipeline: what the call is about, the wire request of an
//! attempt, how an attempt ended and how the call settled, the timer that bounds an attempt
//! (and then a streamed body), and the reading of a body.

use std::error::Error as StdError;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use futures_util::future::Either;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;
use tracing::field::Empty;
use tracing::instrument::Instrumented;

use crate::clock::Sleep;
use crate::http::body::multipart::Multipart;
use crate::http::config::error::{Error, RetryAfterTooLong, TimeoutKind};
use crate::http::config::hooks::AttemptInfo;
use crate::http::config::rate_limit::{RateLimit, RetryAfter};
use crate::http::request::RequestBuilder;
use crate::http::response::error_response;

use crate::http::body::source::SourceSlot;
use crate::http::config::retry::RetryPolicy;
/// The query parameter whose value is reported as the resource id in tracing and hooks.
const RESOURCE_ID: &str = "resourceId";

/// The largest buffer reserved up front from a response's `Content-Length` (the body can still
/// grow past it): a lying header must not make the client allocate gigabytes.
const MAX_PREALLOCATION: u64 = 16 * 1024 * 1024;

/// What a call is about, for attempts, hooks and tracing.
pub(crate) struct Call<'a> {
    pub(crate) operation: &'static str,
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) resource_id: Option<&'a str>,
    pub(crate) idempotent: bool,
    pub(crate) authenticated: bool,
}

impl<'a> Call<'a> {
    pub(crate) fn of(request: &'a RequestBuilder) -> Self {
        Self {
            operation: request.operation(),
            method: request.method(),
            path: request.path(),
            resource_id: request.query_value(RESOURCE_ID),
            idempotent: request.is_idempotent(),
            authenticated: request.is_authenticated(),
        }
    }

    pub(crate) fn info(&self, attempt: u32) -> AttemptInfo<'a> {
        AttemptInfo {
            operation: self.operation,
            attempt,
            method: self.method,
            path: self.path,
            resource_id: self.resource_id,
            authenticated: self.authenticated,
        }
    }

    /// The span of the whole call. It never holds a URL, a query or a header value: the key
    /// cannot reach it.
    pub(crate) fn span(&self) -> tracing::Span {
        tracing::info_span!(
            "autessa.request",
            operation = self.operation,
            method = %self.method,
            path = self.path,
            resource_id = self.resource_id,
            attempts = Empty,
            status = Empty,
            latency_ms = Empty,
        )
    }
}

/// The wire request of one attempt and, for an upload, where its body reports a read error.
pub(crate) struct Wire {
    pub(crate) request: reqwest::Request,
    pub(crate) source: Option<SourceSlot>,
}

impl Wire {
    pub(crate) fn new(request: reqwest::Request) -> Self {
        Self {
            request,
            source: None,
        }
    }
}

/// The request's multipart body, with the lengths of its files read; a file that cannot be
/// read fails the call before anything is sent.
pub(crate) async fn prepared<E>(
    request: &mut RequestBuilder,
) -> Result<Option<Multipart>, Error<E>> {
    let Some(mut multipart) = request.take_multipart() else {
        return Ok(None);
    };
    multipart.prepare().await.map_err(|source| Error::Upload {
        operation: request.operation(),
        source,
    })?;
    Ok(Some(multipart))
}

/// How a call ended, before its body is decoded.
pub(crate) enum Settled {
    /// A whole response: a success, or an error status that is not retried.
    Full {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    /// A 2xx head whose body is left to stream.
    Streaming(StreamHead),
    /// An error status whose `Retry-After` is longer than the cap.
    TooLong {
        full: Box<Settled>,
        retry_after: RetryAfter,
        wait: Duration,
        cap: Duration,
        attempts: u32,
    },
}

/// A 2xx head, its body and the timer that goes on covering it.
pub(crate) struct StreamHead {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) rate_limit: RateLimit,
    pub(crate) body: reqwest::Body,
    pub(crate) timer: Option<Timer>,
}

impl Settled {
    pub(crate) fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Full { status, .. } => Some(*status),
            Self::Streaming(head) => Some(head.status),
            Self::TooLong { full, .. } => full.status(),
        }
    }

    /// The error for an outcome that is not what the caller reads as success: an error status
    /// decoded as `E`, or [`Error::RetryAfterTooLong`] around it.
    pub(crate) fn into_error<E: DeserializeOwned>(self, operation: &'static str) -> Error<E> {
        self.into_error_with(operation, error_response)
    }

    /// [`into_error`](Self::into_error) with the error status turned into an error by `make`.
    pub(crate) fn into_error_with<E>(
        self,
        operation: &'static str,
        make: impl FnOnce(&'static str, StatusCode, HeaderMap, Bytes) -> Error<E>,
    ) -> Error<E> {
        match self {
            Self::Full {
                status,
                headers,
                body,
                ..
            } => make(operation, status, headers, body),
            Self::Streaming(head) => make(operation, head.status, head.headers, Bytes::new()),
            Self::TooLong {
                full,
                retry_after,
                wait,
                cap,
                attempts,
            } => Error::RetryAfterTooLong(Box::new(RetryAfterTooLong {
                operation,
                retry_after,
                wait,
                cap,
                attempts,
                response: full.into_error_with(operation, make),
            })),
        }
    }
}

/// What one attempt gave.
pub(crate) enum Attempt {
    /// Something the call ends with, unless the caller decides otherwise.
    Done(Settled),
    /// A complete response with an error status: maybe retried.
    Status {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    /// No complete response: maybe retried.
    Failed(Failure),
}

/// Why an attempt gave no complete response.
pub(crate) enum Failure {
    /// The transport failed (its URL removed).
    Transport(reqwest::Error),
    /// The attempt's timer fired.
    Timeout((TimeoutKind, Duration)),
    /// The data to upload could not be read.
    Source(io::Error),
}

impl Failure {
    pub(crate) fn transport(error: reqwest::Error, source: &Option<SourceSlot>) -> Self {
        let read_error = source
            .as_ref()
            .and_then(|slot| slot.lock().unwrap_or_else(|p| p.into_inner()).take());
        match read_error {
            Some(error) => Self::Source(error),
            // With query authentication the URL holds the key: never keep it in an error.
            None => Self::Transport(error.without_url()),
        }
    }

    /// Whether trying again may help and is safe.
    pub(crate) fn retryable(&self, policy: &RetryPolicy, may_repeat: bool) -> bool {
        match self {
            Self::Transport(error) if error.is_builder() || error.is_redirect() => false,
            // The connection was never made: nothing reached the server.
            Self::Transport(error) if error.is_connect() => policy.connection_errors,
            // The request may have reached the server.
            Self::Transport(_) | Self::Timeout((TimeoutKind::Attempt, _)) => {
                policy.connection_errors && may_repeat
            }
            Self::Timeout(_) | Self::Source(_) => false,
        }
    }

    /// Runs `f` with the error this failure becomes, without giving it up.
    pub(crate) fn with_error(
        &self,
        operation: &'static str,
        f: impl FnOnce(&(dyn StdError + 'static)),
    ) {
        match self {
            Self::Transport(error) => f(error),
            Self::Timeout((kind, limit)) => f(&Error::<()>::Timeout {
                operation,
                kind: *kind,
                limit: *limit,
            }),
            Self::Source(error) => f(error),
        }
    }

    pub(crate) fn into_error<E>(self, operation: &'static str) -> Error<E> {
        match self {
            Self::Transport(source) => Error::Transport { operation, source },
            Self::Timeout((kind, limit)) => Error::Timeout {
                operation,
                kind,
                limit,
            },
            Self::Source(source) => Error::Upload { operation, source },
        }
    }
}

/// A timer bounding an attempt (and then the body stream of a streaming response).
pub(crate) struct Timer {
    pub(crate) sleep: Sleep,
    pub(crate) kind: TimeoutKind,
    pub(crate) limit: Duration,
}

/// Runs `future` until it completes or `timer` fires. A future that is ready wins over a timer
/// that fired at the same moment.
///
/// The future is taken pinned by the caller, so that its state is stored once (in the caller's
/// future) rather than twice.
pub(crate) fn race<'a, F: Future>(
    mut future: Pin<&'a mut F>,
    timer: &'a mut Option<Timer>,
) -> impl Future<Output = Result<F::Output, (TimeoutKind, Duration)>> + 'a {
    poll_fn(move |cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if let Some(timer) = timer
            && timer.sleep.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err((timer.kind, timer.limit)));
        }
        Poll::Pending
    })
}

/// Reads a whole body. One chunk is returned as it is; several are copied once into a buffer
/// reserved from `Content-Length`.
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Bytes, reqwest::Error> {
    let Some(first) = response.chunk().await? else {
        return Ok(Bytes::new());
    };
    let Some(second) = response.chunk().await? else {
        return Ok(first);
    };
    let expected = response
        .content_length()
        .unwrap_or(0)
        .min(MAX_PREALLOCATION);
    let capacity = usize::try_from(expected)
        .unwrap_or(0)
        .max(first.len() + second.len());
    let mut buffer = BytesMut::with_capacity(capacity);
    buffer.extend_from_slice(&first);
    buffer.extend_from_slice(&second);
    while let Some(chunk) = response.chunk().await? {
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

/// The body of a response, to be polled frame by frame.
pub(crate) fn http_body_of(response: reqwest::Response) -> reqwest::Body {
    reqwest::Body::from(response)
}

/// Runs `future` inside `span`, or bare when no subscriber wants the span (entering a disabled
/// span on every poll costs time for nothing).
pub(crate) fn in_span<F: Future>(span: tracing::Span, future: F) -> Either<F, Instrumented<F>> {
    if span.is_disabled() {
        Either::Left(future)
    } else {
        Either::Right(future.instrument(span))
    }
}

/// Whether a wait of `delay` from `now` ends before the deadline.
pub(crate) fn fits(deadline: Option<(Instant, Duration)>, now: Instant, delay: Duration) -> bool {
    deadline.is_none_or(|(at, _)| now + delay < at)
}
