//! Sending requests, the top of the REST layers: attempts, retries, timeouts, the rate
//! limiter, hooks and tracing. [`attempt`] holds the parts of one call below this pipeline;
//! [`stream`] (responses read as they arrive) and [`upload`] (PUT uploads with progress) are
//! built on it; `retry` decides whether, and after how long, a call goes on after an
//! attempt.

pub(crate) mod attempt;
mod retry;
pub(crate) mod stream;
pub(crate) mod upload;

use std::future::Future;
use std::ops::ControlFlow;
use std::pin::pin;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use serde::de::DeserializeOwned;
use tracing::field::Empty;

use crate::clock::millis;
use crate::http::body::multipart::Multipart;
use crate::http::client::{Credentials, HttpClient};
use crate::http::config::error::{Error, TimeoutKind};
use crate::http::config::hooks::{AttemptInfo, ResponseHead};
use crate::http::config::rate_limit::{RateLimit, RetryAfter};
use crate::http::request::RequestBuilder;
use crate::http::response::{ApiResponse, finish};
use crate::http::send::retry::Budget;
use crate::http::send::stream::StreamingResponse;

use crate::http::body::source::SourceSlot;
use crate::http::send::attempt::{
    Attempt, Call, Failure, Settled, StreamHead, Timer, Wire, http_body_of, in_span, prepared,
    race, read_body,
};

const JSON: HeaderValue = HeaderValue::from_static("application/json");

impl HttpClient {
    /// Sends the request and decodes a 2xx JSON body as `T`; any other status is decoded as
    /// the error body `E` ([`Error::Api`]). Sets `Accept: application/json` unless the request
    /// has an `Accept` header already.
    ///
    /// The body is decoded straight from the bytes received: a body that arrived in one piece
    /// is not copied at all, one that arrived in several pieces is copied once into a buffer
    /// sized from `Content-Length`.
    ///
    /// `H` is the type of the headers the API documents for the response (`()` for none).
    pub async fn send_json<T: DeserializeOwned, E: DeserializeOwned, H>(
        &self,
        request: RequestBuilder,
    ) -> Result<ApiResponse<T, H>, Error<E>> {
        self.send(request, Some(JSON), |body| serde_json::from_slice(body))
            .await
    }

    /// Sends the request and returns a 2xx body as raw bytes; any other status is decoded as
    /// the error body `E`.
    pub async fn send_bytes<E: DeserializeOwned, H>(
        &self,
        request: RequestBuilder,
    ) -> Result<ApiResponse<Bytes, H>, Error<E>> {
        self.send(request, None, |body| Ok(body.clone())).await
    }

    /// Sends the request and ignores a 2xx body; any other status is decoded as the error
    /// body `E`. Sets `Accept: application/json` (for the error body) unless the request has
    /// an `Accept` header already.
    pub async fn send_empty<E: DeserializeOwned, H>(
        &self,
        request: RequestBuilder,
    ) -> Result<ApiResponse<(), H>, Error<E>> {
        self.send(request, Some(JSON), |_| Ok(())).await
    }

    /// Sends the request and returns a 2xx response as soon as its head arrives, with its
    /// body as a stream of chunks (for large bodies: nothing is buffered). Any other status is
    /// read whole and decoded as the error body `E`.
    ///
    /// Retries happen only before a 2xx head arrives; the per-attempt timeout and the deadline
    /// go on covering the body stream. Sets no `Accept` header (reqwest's `*/*`) unless the
    /// request has one.
    pub async fn send_streaming<E: DeserializeOwned>(
        &self,
        mut request: RequestBuilder,
    ) -> Result<StreamingResponse<E>, Error<E>> {
        let operation = request.operation();
        if let Some(source) = request.take_error() {
            return Err(Error::Encode { operation, source });
        }
        let mut multipart = prepared(&mut request).await?;
        let once = multipart.as_ref().is_some_and(Multipart::is_once);
        let call = Call::of(&request);
        let build = |_| self.wire(&request, None, multipart.as_mut());
        let settled = self.execute(&call, true, once, build).await?;
        match settled {
            Settled::Streaming(head) => Ok(StreamingResponse::new(operation, head)),
            other => Err(self.masked(other.into_error(operation))),
        }
    }

    async fn send<T, H, E: DeserializeOwned>(
        &self,
        mut request: RequestBuilder,
        accept: Option<HeaderValue>,
        decode: impl FnOnce(&Bytes) -> Result<T, serde_json::Error>,
    ) -> Result<ApiResponse<T, H>, Error<E>> {
        let operation = request.operation();
        if let Some(source) = request.take_error() {
            return Err(Error::Encode { operation, source });
        }
        let mut multipart = prepared(&mut request).await?;
        let once = multipart.as_ref().is_some_and(Multipart::is_once);
        let call = Call::of(&request);
        let build = |_| self.wire(&request, accept.clone(), multipart.as_mut());
        let settled = self.execute(&call, false, once, build).await?;
        match settled {
            Settled::Full {
                status,
                headers,
                body,
            } => finish(operation, status, headers, body, decode).map_err(|e| self.masked(e)),
            other => Err(self.masked(other.into_error(operation))),
        }
    }

    /// The error with this client's key masked in the server's messages and the budget read
    /// from the headers this client's quota names.
    fn masked<E>(&self, error: Error<E>) -> Error<E> {
        let mut error = error.mask(self.inner.auth.as_ref().map(Credentials::key));
        error.read_rate_limit(self.inner.quota.as_ref());
        error
    }

    /// The wire request of one attempt, with the multipart body encoded anew (files read again
    /// from the start).
    fn wire<E>(
        &self,
        request: &RequestBuilder,
        accept: Option<HeaderValue>,
        multipart: Option<&mut Multipart>,
    ) -> Result<Wire, Error<E>> {
        let mut wire = self.wire_request(request, accept);
        let Some(multipart) = multipart else {
            return Ok(Wire::new(wire));
        };
        // The boundary is part of the type: no other may be sent beside it.
        wire.headers_mut().remove(CONTENT_TYPE);
        let operation = request.operation();
        let slot = SourceSlot::default();
        let form = multipart
            .form(&slot)
            .map_err(|source| Error::Upload { operation, source })?;
        // reqwest sets the boundary's `Content-Type` and, when every part's length is known,
        // the `Content-Length`.
        let wire = reqwest::RequestBuilder::from_parts(self.inner.client.clone(), wire)
            .multipart(form)
            .build()
            .map_err(|error| Error::Transport {
                operation,
                source: error.without_url(),
            })?;
        Ok(Wire {
            request: wire,
            source: Some(slot),
        })
    }

    /// Turns the builder into a wire request; called again for each attempt.
    fn wire_request(
        &self,
        request: &RequestBuilder,
        accept: Option<HeaderValue>,
    ) -> reqwest::Request {
        let inner = &self.inner;
        let auth = inner.auth.as_ref().filter(|_| request.is_authenticated());
        let query_auth = match auth {
            Some(Credentials::Query { name, key }) => Some((*name, key.expose_secret())),
            _ => None,
        };
        let url = request.url(&inner.base_url, query_auth);
        // The request's own headers win over the defaults added here; the credentials go
        // last. One map, allocated once.
        let explicit = request.headers();
        let mut headers = HeaderMap::with_capacity(explicit.len() + 4);
        if let Some(content_type) = request.content_type() {
            headers.insert(CONTENT_TYPE, content_type.clone());
        }
        if let Some(accept) = accept.filter(|_| !explicit.contains_key(ACCEPT)) {
            headers.insert(ACCEPT, accept);
        }
        if let Some(agent) = inner
            .user_agent
            .as_ref()
            .filter(|_| !explicit.contains_key(USER_AGENT))
        {
            headers.insert(USER_AGENT, agent.clone());
        }
        for (name, value) in explicit {
            headers.append(name.clone(), value.clone());
        }
        if let Some(Credentials::Header { name, value, .. }) = auth {
            headers.insert(name.clone(), value.clone());
        }
        let mut wire = reqwest::Request::new(request.method().clone(), url);
        *wire.headers_mut() = headers;
        *wire.body_mut() = request.body().cloned().map(reqwest::Body::from);
        wire
    }

    /// Runs the attempts of one call: the rate limiter, each attempt under its timer, and the
    /// decision to retry. `stream` returns a 2xx response at its head; `once` allows a single
    /// attempt (a body that cannot be made again). `build` makes attempt `n`'s wire request.
    pub(crate) async fn execute<E>(
        &self,
        call: &Call<'_>,
        stream: bool,
        once: bool,
        mut build: impl FnMut(u32) -> Result<Wire, Error<E>>,
    ) -> Result<Settled, Error<E>> {
        let clock = &*self.inner.clock;
        let policy = &self.settings.retry;
        let max_attempts = if once { 1 } else { policy.max_attempts };
        let may_repeat = call.idempotent || policy.non_idempotent;
        let span = call.span();
        // The clock is read only when something uses the time.
        let start = (self.settings.deadline.is_some() || !span.is_disabled()).then(|| clock.now());
        let deadline = self
            .settings
            .deadline
            .zip(start)
            .map(|(limit, start)| (start + limit, limit));
        let budget = Budget {
            max_attempts,
            may_repeat,
            deadline,
        };
        let mut attempt = 0;
        let mut last_status = None;
        let outcome = async {
            loop {
                attempt += 1;
                match self.limiter_wait(call, deadline) {
                    Ok(Some(wait)) => clock.sleep(wait).await,
                    Ok(None) => {}
                    Err(error) => break Err(error),
                }
                let wire = match build(attempt) {
                    Ok(wire) => wire,
                    Err(error) => break Err(error),
                };
                let delay = match self.attempt(call, attempt, wire, stream, deadline).await {
                    Attempt::Done(settled) => {
                        last_status = settled.status();
                        break Ok(settled);
                    }
                    Attempt::Failed(failure) => {
                        last_status = None;
                        match self.retry_failure(call, budget, attempt, failure) {
                            ControlFlow::Continue(delay) => delay,
                            ControlFlow::Break(error) => break Err(error),
                        }
                    }
                    Attempt::Status {
                        status,
                        headers,
                        body,
                    } => {
                        last_status = Some(status);
                        match self.retry_status(budget, attempt, status, headers, body) {
                            ControlFlow::Continue(delay) => delay,
                            ControlFlow::Break(settled) => break Ok(settled),
                        }
                    }
                };
                tracing::debug!(attempt, delay_ms = millis(delay), "retrying");
                clock.sleep(delay).await;
            }
        };
        let outcome = in_span(span.clone(), outcome).await;
        span.record("attempts", attempt);
        if let Some(status) = last_status {
            span.record("status", status.as_u16());
        }
        if let Some(start) = start {
            span.record("latency_ms", millis(clock.now() - start));
        }
        outcome
    }

    /// One attempt: hooks, sending under the timer, the head, and (unless streaming a 2xx)
    /// the whole body.
    ///
    /// Not an `async fn`: the hooks run and the request starts right away, and the future
    /// returned holds only what the rest of the attempt needs. It is not boxed: the
    /// allocation cost more than moving it (see the `overhead` benchmark).
    fn attempt<'a>(
        &'a self,
        call: &'a Call<'a>,
        attempt: u32,
        wire: Wire,
        stream: bool,
        deadline: Option<(Instant, Duration)>,
    ) -> impl Future<Output = Attempt> + Send + 'a {
        let inner = &*self.inner;
        let clock = &*inner.clock;
        let Wire {
            mut request,
            source,
        } = wire;
        for hook in &inner.hooks {
            hook.on_request(&call.info(attempt), &mut request);
        }
        let span = tracing::debug_span!(
            "autessa.attempt",
            attempt,
            status = Empty,
            latency_ms = Empty
        );
        // The clock is read only when something uses the time.
        let timed = !inner.hooks.is_empty()
            || inner.limiter.is_some()
            || !span.is_disabled()
            || self.settings.timeout.is_some()
            || deadline.is_some();
        let sent = timed.then(|| clock.now());
        let mut timer = sent.and_then(|sent| self.timer(sent, deadline));
        let recorder = span.clone();
        let pending = inner.client.execute(request);
        let attempt = async move {
            let mut response = match race(pin!(pending), &mut timer).await {
                Ok(Ok(response)) => response,
                Ok(Err(error)) => {
                    return self.failed(&call.info(attempt), Failure::transport(error, &source));
                }
                Err(timeout) => return self.failed(&call.info(attempt), Failure::Timeout(timeout)),
            };
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            // `timed` whenever the hooks or the limiter below need these.
            let now = sent.map(|_| clock.now());
            let latency = now
                .zip(sent)
                .map_or(Duration::ZERO, |(now, sent)| now - sent);
            recorder.record("status", status.as_u16());
            recorder.record("latency_ms", millis(latency));
            // Read here for the hooks and the limiter, and again for the result: not holding
            // it while the body arrives keeps this future small.
            if !inner.hooks.is_empty() || inner.limiter.is_some() {
                self.observe_head(call, attempt, status, &headers, latency, now);
            }
            if stream && status.is_success() {
                let body = http_body_of(response);
                return Attempt::Done(Settled::Streaming(StreamHead {
                    status,
                    rate_limit: RateLimit::read(&headers, inner.quota.as_ref()),
                    headers,
                    body,
                    timer,
                }));
            }
            match race(pin!(read_body(response)), &mut timer).await {
                Ok(Ok(body)) if status.is_success() => Attempt::Done(Settled::Full {
                    status,
                    headers,
                    body,
                }),
                Ok(Ok(body)) => Attempt::Status {
                    status,
                    headers,
                    body,
                },
                Ok(Err(error)) => {
                    self.failed(&call.info(attempt), Failure::transport(error, &source))
                }
                Err(timeout) => self.failed(&call.info(attempt), Failure::Timeout(timeout)),
            }
        };
        in_span(span, attempt)
    }

    /// Shows a response's head to the hooks and the rate limiter; `now` is when it arrived,
    /// if the clock was read.
    fn observe_head(
        &self,
        call: &Call<'_>,
        attempt: u32,
        status: StatusCode,
        headers: &HeaderMap,
        latency: Duration,
        now: Option<Instant>,
    ) {
        let inner = &*self.inner;
        let clock = &*inner.clock;
        let rate_limit = RateLimit::read(headers, inner.quota.as_ref());
        let head = ResponseHead {
            status,
            headers,
            rate_limit,
            latency,
        };
        for hook in &inner.hooks {
            hook.on_response(&call.info(attempt), &head);
        }
        if let Some(limiter) = &inner.limiter {
            let retry_after = RetryAfter::from_headers(headers)
                .map(|retry_after| retry_after.delay_from(clock.system_time()));
            let now = now.unwrap_or_else(|| clock.now());
            limiter.observe(now, status, rate_limit, retry_after);
        }
    }

    /// Reports a failed attempt to the hooks and to tracing.
    fn failed(&self, info: &AttemptInfo<'_>, failure: Failure) -> Attempt {
        failure.with_error(info.operation, |error| {
            tracing::debug!(error = %error, "attempt failed");
            for hook in &self.inner.hooks {
                hook.on_error(info, error);
            }
        });
        Attempt::Failed(failure)
    }

    /// The timer of an attempt sent at `sent`: the sooner of the per-attempt timeout and the
    /// deadline.
    fn timer(&self, sent: Instant, deadline: Option<(Instant, Duration)>) -> Option<Timer> {
        let timeout = self
            .settings
            .timeout
            .map(|limit| (sent + limit, TimeoutKind::Attempt, limit));
        let deadline = deadline.map(|(at, limit)| (at, TimeoutKind::Deadline, limit));
        let (at, kind, limit) = match (timeout, deadline) {
            (Some(timeout), Some(deadline)) if deadline.0 <= timeout.0 => deadline,
            (Some(timeout), _) => timeout,
            (None, deadline) => deadline?,
        };
        Some(Timer {
            sleep: self.inner.clock.timer(at),
            kind,
            limit,
        })
    }
}
