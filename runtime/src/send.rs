//! Sending requests and reading responses.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, USER_AGENT};
use serde::de::DeserializeOwned;

use crate::client::{Credentials, HttpClient};
use crate::error::Error;
use crate::request::RequestBuilder;
use crate::response::{ApiResponse, finish};

const JSON: HeaderValue = HeaderValue::from_static("application/json");

impl HttpClient {
    /// Sends the request and decodes a 2xx JSON body as `T`; any other status is decoded as
    /// the error body `E` ([`Error::Api`]). Sets `Accept: application/json` unless the request
    /// has an `Accept` header already.
    pub async fn send_json<T: DeserializeOwned, E: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<ApiResponse<T>, Error<E>> {
        self.send(request, Some(JSON), |body| serde_json::from_slice(body))
            .await
    }

    /// Sends the request and returns a 2xx body as raw bytes; any other status is decoded as
    /// the error body `E`.
    pub async fn send_bytes<E: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<ApiResponse<Bytes>, Error<E>> {
        self.send(request, None, |body| Ok(body.clone())).await
    }

    /// Sends the request and ignores a 2xx body; any other status is decoded as the error
    /// body `E`. Sets `Accept: application/json` (for the error body) unless the request has
    /// an `Accept` header already.
    pub async fn send_empty<E: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<ApiResponse<()>, Error<E>> {
        self.send(request, Some(JSON), |_| Ok(())).await
    }

    async fn send<T, E: DeserializeOwned>(
        &self,
        mut request: RequestBuilder,
        accept: Option<HeaderValue>,
        decode: impl FnOnce(&Bytes) -> Result<T, serde_json::Error>,
    ) -> Result<ApiResponse<T>, Error<E>> {
        let operation = request.operation();
        if let Some(source) = request.take_error() {
            return Err(Error::Encode { operation, source });
        }
        let wire = self.wire_request(&request, accept);
        let (status, headers, body) = self.execute(wire).await.map_err(|source| {
            // With query authentication the URL holds the key: never keep it in an error.
            Error::Transport {
                operation,
                source: source.without_url(),
            }
        })?;
        finish(operation, status, headers, body, decode)
    }

    async fn execute(
        &self,
        request: reqwest::Request,
    ) -> Result<(StatusCode, HeaderMap, Bytes), reqwest::Error> {
        let mut response = self.inner.client.execute(request).await?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await?;
        Ok((status, headers, body))
    }

    /// Turns the builder into a wire request; can be called again for a retry.
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
        let mut wire = reqwest::Request::new(request.method().clone(), url);
        let headers = wire.headers_mut();
        headers.clone_from(request.headers());
        if let Some(accept) = accept {
            headers.entry(ACCEPT).or_insert(accept);
        }
        if let Some(agent) = &inner.user_agent {
            headers.entry(USER_AGENT).or_insert_with(|| agent.clone());
        }
        if let Some(Credentials::Header { name, value }) = auth {
            headers.insert(name.clone(), value.clone());
        }
        *wire.body_mut() = request.body().cloned().map(reqwest::Body::from);
        *wire.timeout_mut() = inner.timeout;
        wire
    }
}
