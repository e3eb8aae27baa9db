//! How a generated client's calls are sent: as futures to `.await` ([`Async`]) or as blocking
//! calls (`blocking::Blocking`, cargo feature `blocking`).
//!
//! A generated client is written once, generic over its flavour: `Client<F = Async>`, its
//! call types `CreateThing<'a, F = Async>`, their setters and the request each one builds.
//! What differs is only how the request's future is finished, and that is this trait's
//! [`Flavour::wait`]: for [`Async`] it hands the future back, for `Blocking` it runs it to
//! completion on the blocking client's runtime. A call's `send` is therefore one function
//! for both flavours:
//!
//! ```ignore
//! pub fn send(self) -> F::Wait<impl Future<Output = Result<ApiResponse<Thing>, Error<Problem>>>> {
//!     let http = &self.client.http;
//!     let request = F::async_client(http).request(Method::GET, "getThing", "/thing");
//!     F::wait(http, F::async_client(http).send_json(request))
//! }
//! ```
//!
//! With `F = Async` its result is the future (and the call also implements `IntoFuture`);
//! with `F = Blocking` it is the `Result` itself.

use std::fmt;
use std::future::Future;

use serde::de::DeserializeOwned;

use crate::http::builder::HttpClientBuilder;
use crate::http::client::HttpClient;
use crate::http::config::config_error::ConfigError;
use crate::http::config::error::Error;
use crate::http::config::options::RequestOptions;
use crate::http::request::RequestBuilder;
use crate::http::send::stream::StreamingResponse;

/// How a generated client sends its calls: [`Async`] or `blocking::Blocking` (cargo feature
/// `blocking`). Sealed: these are the only two.
pub trait Flavour: private::Sealed + Clone + fmt::Debug + Send + Sync + 'static {
    /// The HTTP client a client of this flavour holds: [`HttpClient`], or
    /// `blocking::HttpClient`.
    type Http: Clone + fmt::Debug + Send + Sync + 'static;

    /// What sending gives for the request's future `Fut`: `Fut` itself (async), or its
    /// output (blocking).
    type Wait<Fut: Future>;

    /// A 2xx response whose body is read as it arrives: [`StreamingResponse`] (a
    /// [`Stream`](futures_core::Stream) of chunks), or `blocking::StreamingResponse` (an
    /// [`io::Read`](std::io::Read) and an iterator of chunks).
    type Streaming<E>;

    /// Makes this flavour's HTTP client from an async one.
    fn from_async(http: HttpClient) -> Result<Self::Http, ConfigError>;

    /// Builds this flavour's HTTP client.
    fn build(builder: HttpClientBuilder) -> Result<Self::Http, ConfigError> {
        builder.build().and_then(Self::from_async)
    }

    /// The async client underneath, which builds and sends the requests.
    fn async_client(http: &Self::Http) -> &HttpClient;

    /// A copy of `http` whose calls use other settings.
    fn with_options(http: &Self::Http, options: RequestOptions) -> Self::Http;

    /// Finishes a call: hands `future` back (async) or runs it to its end (blocking).
    fn wait<Fut: Future>(http: &Self::Http, future: Fut) -> Self::Wait<Fut>;

    /// A streaming response as this flavour reads it.
    fn streaming<E>(http: &Self::Http, response: StreamingResponse<E>) -> Self::Streaming<E>;

    /// As [`HttpClient::send_streaming`], with the response as this flavour reads it.
    fn send_streaming<'a, E: DeserializeOwned + Send + 'a>(
        http: &'a Self::Http,
        request: RequestBuilder,
    ) -> Self::Wait<impl Future<Output = Result<Self::Streaming<E>, Error<E>>> + Send + 'a> {
        Self::wait(http, async move {
            let response = Self::async_client(http).send_streaming(request).await?;
            Ok(Self::streaming(http, response))
        })
    }
}

/// The async flavour, the default: a call is a future to `.await`.
#[derive(Clone, Copy, Debug)]
pub enum Async {}

impl Flavour for Async {
    type Http = HttpClient;
    type Wait<Fut: Future> = Fut;
    type Streaming<E> = StreamingResponse<E>;

    fn from_async(http: HttpClient) -> Result<HttpClient, ConfigError> {
        Ok(http)
    }

    fn async_client(http: &HttpClient) -> &HttpClient {
        http
    }

    fn with_options(http: &HttpClient, options: RequestOptions) -> HttpClient {
        http.with_options(options)
    }

    fn wait<Fut: Future>(_: &HttpClient, future: Fut) -> Fut {
        future
    }

    fn streaming<E>(_: &HttpClient, response: StreamingResponse<E>) -> StreamingResponse<E> {
        response
    }
}

pub(crate) mod private {
    /// Keeps [`Flavour`](super::Flavour) to the runtime's flavours.
    pub trait Sealed {}

    impl Sealed for super::Async {}
}
