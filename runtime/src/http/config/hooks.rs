//! Request and response hooks.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::http::config::rate_limit::RateLimit;

/// What an attempt is: passed to every [`Hooks`] method.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct AttemptInfo<'a> {
    /// The operation id (`"upload"` for a pre-signed upload).
    pub operation: &'static str,
    /// The attempt number, from 1.
    pub attempt: u32,
    /// The HTTP method.
    pub method: &'a Method,
    /// The request path, without the base URL or the query.
    pub path: &'a str,
    /// The `resourceId` query parameter, if the request has one.
    pub resource_id: Option<&'a str>,
    /// Whether the request carries the API key. Pre-signed uploads do not, and go to another
    /// host: a hook must not add secrets to them.
    pub authenticated: bool,
}

/// The head of a response, as seen by [`Hooks::on_response`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ResponseHead<'a> {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The request budget, read from the headers the client's [`Quota`](crate::Quota) names.
    pub rate_limit: RateLimit,
    /// The time from sending until the head arrived.
    pub latency: Duration,
}

/// Code run around every attempt of every request of a client (retries included).
///
/// Set with [`HttpClientBuilder::hooks`](crate::HttpClientBuilder::hooks), or with the closure
/// shortcuts [`on_request`](crate::HttpClientBuilder::on_request) and
/// [`on_response`](crate::HttpClientBuilder::on_response). Every method has an empty default.
/// Hooks run inline: keep them quick.
pub trait Hooks: Send + Sync + 'static {
    /// Before an attempt is sent. The request can be changed (e.g. a tracing header added).
    /// It carries the credentials: never log its headers or its URL.
    fn on_request(&self, info: &AttemptInfo<'_>, request: &mut reqwest::Request) {
        let _ = (info, request);
    }

    /// When the head of a response arrives (before its body is read).
    fn on_response(&self, info: &AttemptInfo<'_>, head: &ResponseHead<'_>) {
        let _ = (info, head);
    }

    /// When an attempt fails without a complete response: it could not connect, broke off,
    /// timed out, or the data to upload could not be read. The error has no URL in it.
    fn on_error(&self, info: &AttemptInfo<'_>, error: &(dyn StdError + 'static)) {
        let _ = (info, error);
    }
}

type RequestFn = dyn Fn(&AttemptInfo<'_>, &mut reqwest::Request) + Send + Sync;
type ResponseFn = dyn Fn(&AttemptInfo<'_>, &ResponseHead<'_>) + Send + Sync;

/// A closure given to `on_request` or `on_response`.
pub(crate) enum FnHook {
    Request(Box<RequestFn>),
    Response(Box<ResponseFn>),
}

impl Hooks for FnHook {
    fn on_request(&self, info: &AttemptInfo<'_>, request: &mut reqwest::Request) {
        if let Self::Request(hook) = self {
            hook(info, request);
        }
    }

    fn on_response(&self, info: &AttemptInfo<'_>, head: &ResponseHead<'_>) {
        if let Self::Response(hook) = self {
            hook(info, head);
        }
    }
}

/// Prints how many hooks there are.
pub(crate) struct HookCount(pub(crate) usize);

impl fmt::Debug for HookCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
