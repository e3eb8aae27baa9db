//! The configured HTTP client.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use crate::auth::ApiKey;
use crate::clock::Clock;
use crate::http::config::hooks::{HookCount, Hooks};
use crate::http::config::limiter::LimiterState;
use crate::http::config::options::{RequestOptions, Settings};
use crate::http::config::rate_limit::Quota;
use crate::http::config::retry::RetryPolicy;
use crate::http::request::RequestBuilder;

/// A configured client: base URL, credentials, transport, timeouts, retries, hooks and the
/// optional rate limiter. Cheap to clone (the configuration is shared behind an `Arc`).
///
/// Build one with [`HttpClient::builder`] or [`HttpClient::from_env`]; start requests with
/// [`HttpClient::request`] and send them with `send_json`, `send_bytes`, `send_empty` or
/// `send_streaming`. [`HttpClient::with_options`] gives a clone with other timeouts or retries.
#[derive(Clone)]
pub struct HttpClient {
    pub(crate) inner: Arc<Inner>,
    pub(crate) settings: Arc<Settings>,
}

pub(crate) struct Inner {
    pub(crate) base_url: Url,
    pub(crate) client: reqwest::Client,
    pub(crate) auth: Option<Credentials>,
    pub(crate) user_agent: Option<HeaderValue>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) hooks: Vec<Arc<dyn Hooks>>,
    pub(crate) limiter: Option<LimiterState>,
    pub(crate) quota: Option<Quota>,
}

/// The key, ready to attach: a sensitive header value or a query pair.
pub(crate) enum Credentials {
    Header {
        name: HeaderName,
        value: HeaderValue,
        key: ApiKey,
    },
    Query {
        name: &'static str,
        key: ApiKey,
    },
}

impl Credentials {
    /// The key alone (without a header prefix), to mask it where a server may quote it.
    pub(crate) fn key(&self) -> &str {
        match self {
            Self::Header { key, .. } | Self::Query { key, .. } => key.expose_secret(),
        }
    }
}

impl HttpClient {
    /// The base URL every request path is appended to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// Starts a request. `operation` is the operation id, used in errors; `path` is appended
    /// to the base URL's path and must already be encoded (see [`path_segment`]).
    ///
    /// [`path_segment`]: crate::path_segment
    pub fn request(
        &self,
        method: Method,
        operation: &'static str,
        path: impl Into<Cow<'static, str>>,
    ) -> RequestBuilder {
        RequestBuilder::new(method, operation, path.into())
    }

    /// A clone of this client whose calls use `options` on top of its settings. Cheap: the
    /// connection pool, credentials, hooks and rate-limiter state are shared.
    ///
    /// A generated client is re-wrapped around it:
    /// `Client::from_http(client.http().with_options(options))`.
    pub fn with_options(&self, options: RequestOptions) -> HttpClient {
        HttpClient {
            inner: self.inner.clone(),
            settings: Arc::new(self.settings.with(&options)),
        }
    }

    /// The per-attempt timeout of this client's calls.
    pub fn timeout(&self) -> Option<Duration> {
        self.settings.timeout
    }

    /// The deadline across attempts of this client's calls.
    pub fn deadline(&self) -> Option<Duration> {
        self.settings.deadline
    }

    /// The retry policy of this client's calls.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.settings.retry
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let auth = match &inner.auth {
            Some(Credentials::Header { name, .. }) => Some(name.as_str()),
            Some(Credentials::Query { name, .. }) => Some(*name),
            None => None,
        };
        let api_key = Redacted(inner.auth.is_some());
        f.debug_struct("HttpClient")
            .field("base_url", &inner.base_url.as_str())
            .field("auth", &auth)
            .field("api_key", &api_key)
            .field("timeout", &self.settings.timeout)
            .field("deadline", &self.settings.deadline)
            .field("retry", &self.settings.retry)
            .field("rate_limiter", &inner.limiter.is_some())
            .field("hooks", &HookCount(inner.hooks.len()))
            .finish_non_exhaustive()
    }
}

/// Prints as `<redacted>` (no quotes) when a key is set, `<none>` otherwise.
pub(crate) struct Redacted(pub(crate) bool);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "<redacted>" } else { "<none>" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_on_top_and_leave_the_original_alone() {
        let http = HttpClient::builder("http://127.0.0.1:1")
            .timeout(Duration::from_secs(5))
            .retry(RetryPolicy::default())
            .build()
            .unwrap();
        let patient = http.with_options(
            RequestOptions::new()
                .deadline(Duration::from_secs(60))
                .max_attempts(7)
                .retry_non_idempotent(true),
        );
        assert_eq!(patient.timeout(), Some(Duration::from_secs(5)));
        assert_eq!(patient.deadline(), Some(Duration::from_secs(60)));
        assert_eq!(patient.retry_policy().attempts(), 7);
        assert!(patient.retry_policy().non_idempotent);
        assert_eq!(http.deadline(), None);
        assert_eq!(http.retry_policy().attempts(), 3);
        assert!(!http.retry_policy().non_idempotent);

        let bare = patient.with_options(
            RequestOptions::new()
                .no_timeout()
                .no_deadline()
                .no_retries(),
        );
        assert_eq!(bare.timeout(), None);
        assert_eq!(bare.deadline(), None);
        assert_eq!(bare.retry_policy().attempts(), 1);

        let replaced = http.with_options(
            RequestOptions::new()
                .retry(RetryPolicy::disabled())
                .max_attempts(2),
        );
        assert_eq!(replaced.retry_policy().attempts(), 2);
        assert!(std::sync::Arc::ptr_eq(&replaced.inner, &http.inner));
    }
}
