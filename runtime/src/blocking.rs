//! A synchronous client, for callers without an async runtime (cargo feature `blocking`).
//!
//! [`HttpClient`] wraps an async [`crate::HttpClient`] and a current-thread tokio runtime of
//! its own, and exposes the same `send_*` calls synchronously: the same requests, retries,
//! timeouts, rate limiter, hooks and tracing. Calls may come from several threads at once.
//!
//! Do not call it, or drop the last clone of it, from inside an async runtime (tokio panics
//! there); async code uses [`crate::HttpClient`] directly.
//!
//! ```no_run
//! use autessa_runtime::blocking::HttpClient;
//! use autessa_runtime::{Method, RetryPolicy};
//!
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let http = HttpClient::builder("https://api.autessa.com")
//!     .api_key("my key")
//!     .retry(RetryPolicy::default())
//!     .build_blocking()?;
//! let request = http
//!     .request(Method::POST, "getData", "/clients/autessadb/get-data")
//!     .query("resourceId", &7)
//!     .json(&serde_json::json!({"tableId": 7}))
//!     .idempotent();
//! let data = http.send_json::<serde_json::Value, serde_json::Value, ()>(request)?;
//! println!("{}", data.body);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;

use bytes::{Buf, Bytes};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::runtime::Runtime;
use url::Url;

use crate::auth::AuthScheme;
use crate::flavour::Flavour;
use crate::http::builder::HttpClientBuilder;
use crate::http::config::config_error::ConfigError;
use crate::http::config::error::Error;
use crate::http::config::options::RequestOptions;
use crate::http::config::rate_limit::RateLimit;
use crate::http::request::RequestBuilder;
use crate::http::response::ApiResponse;
use crate::http::send::stream::ByteStream;
use crate::http::send::upload::{Upload, UploadError};

/// A synchronous client; see the [module documentation](self). Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    client: crate::http::client::HttpClient,
    runtime: Arc<Runtime>,
}

impl HttpClient {
    /// Wraps an async client, starting the runtime the calls run on.
    pub fn new(client: crate::http::client::HttpClient) -> Result<Self, ConfigError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ConfigError::Runtime)?;
        Ok(Self {
            client,
            runtime: Arc::new(runtime),
        })
    }

    /// Starts configuring a client; finish with
    /// [`HttpClientBuilder::build_blocking`].
    pub fn builder(base_url: impl AsRef<str>) -> HttpClientBuilder {
        crate::http::client::HttpClient::builder(base_url)
    }

    /// As [`crate::HttpClient::from_env`].
    pub fn from_env(
        key_var: &str,
        base_url_var: &str,
        default_base_url: &str,
        auth: AuthScheme,
    ) -> Result<Self, ConfigError> {
        Self::new(crate::http::client::HttpClient::from_env(
            key_var,
            base_url_var,
            default_base_url,
            auth,
        )?)
    }

    /// The async client underneath.
    pub fn async_client(&self) -> &crate::http::client::HttpClient {
        &self.client
    }

    /// The base URL every request path is appended to.
    pub fn base_url(&self) -> &Url {
        self.client.base_url()
    }

    /// As [`crate::HttpClient::with_options`]; the clone shares the runtime.
    pub fn with_options(&self, options: RequestOptions) -> Self {
        Self {
            client: self.client.with_options(options),
            runtime: self.runtime.clone(),
        }
    }

    /// As [`crate::HttpClient::request`].
    pub fn request(
        &self,
        method: Method,
        operation: &'static str,
        path: impl Into<std::borrow::Cow<'static, str>>,
    ) -> RequestBuilder {
        self.client.request(method, operation, path)
    }

    /// As [`crate::HttpClient::send_json`].
    pub fn send_json<T: DeserializeOwned, E: DeserializeOwned, H>(
        &self,
        request: RequestBuilder,
    ) -> Result<ApiResponse<T, H>, Error<E>> {
        self.runtime.block_on(self.client.send_json(request))
    }

    /// As [`crate::HttpClient::send_bytes`].
    pub fn send_bytes<E: DeserializeOwned, H>(
        &self,
        request: RequestBuilder,
    ) -> Result<ApiResponse<Bytes, H>, Error<E>> {
        self.runtime.block_on(self.client.send_bytes(request))
    }

    /// As [`crate::HttpClient::send_empty`].
    pub fn send_empty<E: DeserializeOwned, H>(
        &self,
        request: RequestBuilder,
    ) -> Result<ApiResponse<(), H>, Error<E>> {
        self.runtime.block_on(self.client.send_empty(request))
    }

    /// As [`crate::HttpClient::send_streaming`]; the body is read with an iterator or
    /// [`io::Read`].
    pub fn send_streaming<E: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<StreamingResponse<E>, Error<E>> {
        let response = self.runtime.block_on(self.client.send_streaming(request))?;
        Ok(Blocking::streaming(self, response))
    }

    /// As [`crate::HttpClient::put_upload`].
    pub fn put_upload(
        &self,
        url: &str,
        upload: Upload,
    ) -> Result<ApiResponse<Bytes>, Error<Bytes>> {
        self.runtime.block_on(self.client.put_upload(url, upload))
    }

    /// As [`crate::HttpClient::upload_file`], with synchronous steps (typically calls of a
    /// blocking generated client).
    pub fn upload_file<E, Ticket, T>(
        &self,
        upload: Upload,
        link: impl FnOnce() -> Result<(String, Ticket), Error<E>>,
        index: impl FnOnce(Ticket) -> Result<T, Error<E>>,
    ) -> Result<T, UploadError<E>> {
        let (url, ticket) = link().map_err(UploadError::Link)?;
        self.put_upload(&url, upload).map_err(UploadError::Put)?;
        index(ticket).map_err(UploadError::Index)
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::HttpClient")
            .field(&self.client)
            .finish()
    }
}

/// A successful (2xx) response whose body has not been read yet; see
/// [`HttpClient::send_streaming`].
#[derive(Debug)]
#[non_exhaustive]
pub struct StreamingResponse<E> {
    /// The response status.
    pub status: StatusCode,
    /// All response headers.
    pub headers: HeaderMap,
    /// The request budget the response reported (see [`Quota`](crate::Quota)).
    pub rate_limit: RateLimit,
    /// The body.
    pub body: BodyReader<E>,
}

/// The body of a blocking [`StreamingResponse`]: an iterator of chunks, and an [`io::Read`].
pub struct BodyReader<E> {
    stream: ByteStream<E>,
    runtime: Arc<Runtime>,
    pending: Bytes,
}

impl<E> BodyReader<E> {
    /// Reads the rest of the body into one buffer.
    pub fn collect(self) -> Result<Bytes, Error<E>> {
        let Self {
            stream,
            runtime,
            pending,
        } = self;
        let rest = runtime.block_on(stream.collect())?;
        if pending.is_empty() {
            return Ok(rest);
        }
        let mut all = Vec::with_capacity(pending.len() + rest.len());
        all.extend_from_slice(&pending);
        all.extend_from_slice(&rest);
        Ok(all.into())
    }
}

impl<E> Iterator for BodyReader<E> {
    type Item = Result<Bytes, Error<E>>;

    fn next(&mut self) -> Option<Self::Item> {
        if !self.pending.is_empty() {
            return Some(Ok(std::mem::take(&mut self.pending)));
        }
        self.runtime.block_on(self.stream.next_chunk())
    }
}

impl<E: fmt::Debug + Send + Sync + 'static> io::Read for BodyReader<E> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pending.is_empty() {
            match self.runtime.block_on(self.stream.next_chunk()) {
                Some(Ok(chunk)) => self.pending = chunk,
                Some(Err(error)) => return Err(io::Error::other(error)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.advance(n);
        Ok(n)
    }
}

impl<E> fmt::Debug for BodyReader<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyReader")
            .field("stream", &self.stream)
            .field("pending", &self.pending.len())
            .finish()
    }
}

/// The blocking flavour of a generated client (`blocking::Client`): a call's `send` blocks
/// the calling thread until the response is in, on the runtime of its [`HttpClient`]. See
/// [`Flavour`].
#[derive(Clone, Copy, Debug)]
pub enum Blocking {}

impl crate::flavour::private::Sealed for Blocking {}

impl Flavour for Blocking {
    type Http = HttpClient;
    type Wait<Fut: Future> = Fut::Output;
    type Streaming<E> = StreamingResponse<E>;

    fn from_async(http: crate::http::client::HttpClient) -> Result<HttpClient, ConfigError> {
        HttpClient::new(http)
    }

    fn async_client(http: &HttpClient) -> &crate::http::client::HttpClient {
        &http.client
    }

    fn with_options(http: &HttpClient, options: RequestOptions) -> HttpClient {
        http.with_options(options)
    }

    fn wait<Fut: Future>(http: &HttpClient, future: Fut) -> Fut::Output {
        http.runtime.block_on(future)
    }

    fn streaming<E>(
        http: &HttpClient,
        response: crate::http::send::stream::StreamingResponse<E>,
    ) -> StreamingResponse<E> {
        StreamingResponse {
            status: response.status,
            headers: response.headers,
            rate_limit: response.rate_limit,
            body: BodyReader {
                stream: response.body,
                runtime: http.runtime.clone(),
                pending: Bytes::new(),
            },
        }
    }
}

impl HttpClientBuilder {
    /// Builds a [blocking client](HttpClient) (feature `blocking`).
    pub fn build_blocking(self) -> Result<HttpClient, ConfigError> {
        HttpClient::new(self.build()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flavour::Async;
    use reqwest::Method;

    fn assert_send<T: Send>(_: &T) {}

    /// The async flavour hands the future back untouched (still `Send`, for spawned tasks);
    /// the blocking one runs it to its end on its client's runtime.
    #[test]
    fn each_flavour_finishes_a_future_its_own_way() {
        let http = Async::build(crate::http::client::HttpClient::builder(
            "http://127.0.0.1:9",
        ))
        .unwrap();
        let future = Async::wait(&http, async { 7 });
        assert_send(&future);
        let streaming =
            Async::send_streaming::<serde_json::Value>(&http, http.request(Method::GET, "op", "/"));
        assert_send(&streaming);
        drop(streaming);
        let blocking = Blocking::build(crate::http::client::HttpClient::builder(
            "http://127.0.0.1:9",
        ))
        .unwrap();
        assert_eq!(Blocking::wait(&blocking, future), 7);
        let other = Blocking::with_options(&blocking, RequestOptions::new().no_retries());
        assert_eq!(
            Blocking::async_client(&other).base_url().as_str(),
            "http://127.0.0.1:9/"
        );
    }
}
