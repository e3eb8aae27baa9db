//! Responses whose body is read as a stream.

use std::fmt;
use std::future::poll_fn;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http_body::Body as _;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::http::config::error::Error;
use crate::http::config::rate_limit::RateLimit;
use crate::http::send::attempt::{StreamHead, Timer};

/// A successful (2xx) response whose body has not been read yet; see
/// [`HttpClient::send_streaming`](crate::HttpClient::send_streaming).
#[derive(Debug)]
#[non_exhaustive]
pub struct StreamingResponse<E> {
    /// The response status.
    pub status: StatusCode,
    /// All response headers.
    pub headers: HeaderMap,
    /// The request budget the response reported (see [`Quota`](crate::Quota)).
    pub rate_limit: RateLimit,
    /// The body, chunk by chunk.
    pub body: ByteStream<E>,
}

impl<E> StreamingResponse<E> {
    pub(crate) fn new(operation: &'static str, head: StreamHead) -> Self {
        Self {
            status: head.status,
            headers: head.headers,
            rate_limit: head.rate_limit,
            body: ByteStream {
                operation,
                body: head.body,
                timer: head.timer,
                done: false,
                error: PhantomData,
            },
        }
    }
}

/// The body of a [`StreamingResponse`]: a [`Stream`] of chunks as they arrive.
///
/// A broken connection gives one [`Error::Transport`] item, and the per-attempt timeout or
/// the deadline passing gives one [`Error::Timeout`] item; the stream ends after either.
pub struct ByteStream<E> {
    operation: &'static str,
    body: reqwest::Body,
    timer: Option<Timer>,
    done: bool,
    error: PhantomData<fn() -> E>,
}

impl<E> ByteStream<E> {
    /// The next chunk; `None` at the end of the body.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, Error<E>>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Reads the rest of the body into one buffer.
    pub async fn collect(mut self) -> Result<Bytes, Error<E>> {
        let mut buffer = BytesMut::new();
        while let Some(chunk) = self.next_chunk().await {
            buffer.extend_from_slice(&chunk?);
        }
        Ok(buffer.freeze())
    }
}

impl<E> Stream for ByteStream<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) if !data.is_empty() => return Poll::Ready(Some(Ok(data))),
                    // Trailers and empty frames carry no body bytes.
                    _ => continue,
                },
                Poll::Ready(Some(Err(error))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Transport {
                        operation: this.operation,
                        source: error.without_url(),
                    })));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Poll::Pending => break,
            }
        }
        if let Some(timer) = &mut this.timer
            && timer.sleep.as_mut().poll(cx).is_ready()
        {
            this.done = true;
            return Poll::Ready(Some(Err(Error::Timeout {
                operation: this.operation,
                kind: timer.kind,
                limit: timer.limit,
            })));
        }
        Poll::Pending
    }
}

impl<E> fmt::Debug for ByteStream<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("operation", &self.operation)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
