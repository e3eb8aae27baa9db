//! Successful responses, and sorting a received response into success or error.

use std::marker::PhantomData;
use std::ops::Deref;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::http::config::error::{ApiError, DecodeError, Error, messages_of};
use crate::http::config::headers::FromHeaders;
use crate::http::config::rate_limit::{RateLimit, RetryAfter};

/// A successful (2xx) response with its decoded body.
///
/// Derefs to the body, so `response.field` works; [`into_body`](Self::into_body) takes it.
/// `H` is the type of the headers the API documents for the response, which
/// [`typed_headers`](Self::typed_headers) reads.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiResponse<T, H = ()> {
    /// The response status.
    pub status: StatusCode,
    /// All response headers.
    pub headers: HeaderMap,
    /// The decoded body.
    pub body: T,
    documented: PhantomData<fn() -> H>,
}

impl<T, H> ApiResponse<T, H> {
    /// Builds a response (useful for test doubles).
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Self {
            status,
            headers,
            body,
            documented: PhantomData,
        }
    }

    /// Takes the body, dropping status and headers.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Transforms the body, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U, H> {
        ApiResponse::new(self.status, self.headers, f(self.body))
    }

    /// The headers the API documents for this response, typed. Each is `None` when the
    /// server left it out or sent a value that does not read as its type; every header, as
    /// received, stays in [`headers`](Self::headers).
    pub fn typed_headers(&self) -> H
    where
        H: FromHeaders,
    {
        H::from_headers(&self.headers)
    }
}

impl<T, H> Deref for ApiResponse<T, H> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

/// Turns a fully read response into the call's result: 2xx goes through `decode`, anything
/// else is decoded as the error body `E`. A 2xx body that is not the expected type but is an
/// error body with messages is an [`Error::Api`] too: some servers report failures with 200.
/// Independent of how the response was received.
pub(crate) fn finish<T, H, E: DeserializeOwned>(
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    decode: impl FnOnce(&Bytes) -> Result<T, serde_json::Error>,
) -> Result<ApiResponse<T, H>, Error<E>> {
    if !status.is_success() {
        return Err(error_response(operation, status, headers, body));
    }
    match decode(&body) {
        Ok(body) => Ok(ApiResponse::new(status, headers, body)),
        Err(source) => match serde_json::from_slice::<E>(&body) {
            Ok(error_body) => {
                let messages = messages_of(&body);
                if messages.is_empty() {
                    return Err(decode_error(operation, status, headers, body, source));
                }
                Err(api_error(operation, status, headers, error_body, messages))
            }
            Err(_) => Err(decode_error(operation, status, headers, body, source)),
        },
    }
}

fn api_error<E>(
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: E,
    messages: Vec<String>,
) -> Error<E> {
    Error::Api(Box::new(ApiError {
        operation,
        status,
        body,
        messages,
        rate_limit: RateLimit::default(),
        retry_after: RetryAfter::from_headers(&headers),
        headers,
    }))
}

/// A non-success response as an error: [`Error::Api`] when the body decodes as `E`, else
/// [`Error::Decode`].
pub(crate) fn error_response<E: DeserializeOwned>(
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
) -> Error<E> {
    match serde_json::from_slice::<E>(&body) {
        Ok(error_body) => {
            let messages = messages_of(&body);
            api_error(operation, status, headers, error_body, messages)
        }
        Err(source) => decode_error(operation, status, headers, body, source),
    }
}

/// A non-success response as an [`Error::Api`] whose body is the raw bytes (for servers that
/// are not the API, such as the storage behind a pre-signed upload URL).
pub(crate) fn raw_error_response(
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
) -> Error<Bytes> {
    api_error(operation, status, headers, body, Vec::new())
}

fn decode_error<E>(
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    source: serde_json::Error,
) -> Error<E> {
    Error::Decode(Box::new(DecodeError {
        operation,
        status,
        source,
        body,
        rate_limit: RateLimit::default(),
        headers,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Pet {
        name: String,
    }

    #[derive(Debug, serde::Deserialize)]
    struct ErrorBody {
        errors: Vec<String>,
    }

    fn json<T: DeserializeOwned>(body: &Bytes) -> Result<T, serde_json::Error> {
        serde_json::from_slice(body)
    }

    #[test]
    fn success_decodes_the_body() {
        let headers = HeaderMap::new();
        let body = Bytes::from_static(br#"{"name":"Rex","extra":1}"#);
        let response =
            finish::<Pet, (), ErrorBody>("getPet", StatusCode::OK, headers, body, json).unwrap();
        assert_eq!(response.name, "Rex");
        let response = response.map(|pet| pet.name.len());
        assert_eq!(*response, 3);
        assert_eq!(response.into_body(), 3);
    }

    #[test]
    fn success_with_a_bad_body_keeps_the_raw_body() {
        let body = Bytes::from_static(b"not json");
        let error =
            finish::<Pet, (), ErrorBody>("getPet", StatusCode::OK, HeaderMap::new(), body, json)
                .unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::OK));
        assert_eq!(error.raw_body().unwrap().as_ref(), b"not json");
    }

    #[test]
    fn error_status_decodes_the_error_body() {
        let body = Bytes::from_static(br#"{"errors":["Resource not found"]}"#);
        let error = finish::<Pet, (), ErrorBody>(
            "getPet",
            StatusCode::NOT_FOUND,
            HeaderMap::new(),
            body,
            json,
        )
        .unwrap_err();
        assert_eq!(error.api_body().unwrap().errors, ["Resource not found"]);
        assert_eq!(error.retry_after(), None);
    }

    #[test]
    fn an_error_body_in_a_success_status_is_an_api_error_with_its_messages() {
        let body = Bytes::from_static(br#"{"errors":["Agent not found"]}"#);
        let error =
            finish::<Pet, (), ErrorBody>("getPet", StatusCode::OK, HeaderMap::new(), body, json)
                .unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::OK));
        assert_eq!(error.api_body().unwrap().errors, ["Agent not found"]);
        assert_eq!(error.messages(), ["Agent not found"]);
        assert_eq!(
            error.to_string(),
            "operation `getPet` failed: HTTP 200 OK with an error body: Agent not found"
        );
    }

    #[test]
    fn a_success_body_of_the_wrong_shape_without_messages_stays_a_decode_error() {
        let body = Bytes::from_static(br#"{"errors":[]}"#);
        let error =
            finish::<Pet, (), ErrorBody>("getPet", StatusCode::OK, HeaderMap::new(), body, json)
                .unwrap_err();
        assert!(matches!(error, Error::Decode(_)));
        assert!(error.messages().is_empty());
    }

    #[test]
    fn messages_are_found_in_the_usual_places() {
        let cases: [(&[u8], &[&str]); 7] = [
            (br#"{"errors":["a","b"]}"#, &["a", "b"]),
            (br#"{"errors":[],"message":"m"}"#, &["m"]),
            (br#"{"error":{"message":"nested"}}"#, &["nested"]),
            (
                br#"{"errors":[{"message":"x","code":1},{"code":2}]}"#,
                &["x"],
            ),
            (br#""plain text""#, &["plain text"]),
            (br#"{"detail":"d","title":"t"}"#, &["d"]),
            (b"<html>", &[]),
        ];
        for (body, expected) in cases {
            assert_eq!(
                messages_of(body),
                expected,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn empty_and_bytes_responses() {
        let body = Bytes::from_static(b"anything");
        let response = finish::<(), (), ErrorBody>(
            "op",
            StatusCode::NO_CONTENT,
            HeaderMap::new(),
            body,
            |_| Ok(()),
        )
        .unwrap();
        assert_eq!(response.status, StatusCode::NO_CONTENT);
        let body = Bytes::from_static(b"\x00\x01");
        let response =
            finish::<Bytes, (), ErrorBody>("op", StatusCode::OK, HeaderMap::new(), body, |b| {
                Ok(b.clone())
            })
            .unwrap();
        assert_eq!(response.body.as_ref(), b"\x00\x01");
    }
}
