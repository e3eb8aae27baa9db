//! The configured HTTP client.

use std::borrow::Cow;
use std::ffi::OsString;
use std::fmt;
use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use crate::auth::{ApiKey, AuthScheme};
use crate::builder::HttpClientBuilder;
use crate::clock::Clock;
use crate::error::ConfigError;
use crate::hooks::{HookCount, Hooks};
use crate::limiter::LimiterState;
use crate::options::Settings;
use crate::request::RequestBuilder;

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
    /// Starts configuring a client for `base_url` (which may carry a path prefix such as
    /// `http://127.0.0.1:8080/api`).
    pub fn builder(base_url: impl AsRef<str>) -> HttpClientBuilder {
        HttpClientBuilder::new(base_url.as_ref())
    }

    /// Builds a client from the environment: the API key from `key_var` (required), the base
    /// URL from `base_url_var` when it is set and not empty, else `default_base_url`.
    pub fn from_env(
        key_var: &str,
        base_url_var: &str,
        default_base_url: &str,
        auth: AuthScheme,
    ) -> Result<Self, ConfigError> {
        Self::from_vars(key_var, base_url_var, default_base_url, auth, |name| {
            std::env::var_os(name)
        })
    }

    /// [`from_env`](Self::from_env) with the variables looked up by `lookup`.
    fn from_vars(
        key_var: &str,
        base_url_var: &str,
        default_base_url: &str,
        auth: AuthScheme,
        lookup: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Self, ConfigError> {
        let key = env_text(key_var, &lookup)?.ok_or_else(|| ConfigError::MissingEnv {
            name: key_var.to_owned(),
        })?;
        let base_url = env_text(base_url_var, &lookup)?;
        Self::builder(base_url.as_deref().unwrap_or(default_base_url))
            .api_key(key)
            .auth(auth)
            .build()
    }

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

/// A variable's text; `None` when it is unset or empty.
fn env_text(
    name: &str,
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<String>, ConfigError> {
    match lookup(name).map(OsString::into_string) {
        None => Ok(None),
        Some(Ok(text)) => Ok(Some(text).filter(|text| !text.is_empty())),
        Some(Err(_)) => Err(ConfigError::EnvNotUnicode {
            name: name.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-live-0123456789";

    #[test]
    fn from_env_requires_the_key() {
        let key_var = "AUTESSA_RUNTIME_TEST_KEY_THAT_IS_NEVER_SET";
        let error = HttpClient::from_env(key_var, "UNSET_TOO", "http://h", AuthScheme::default())
            .unwrap_err();
        assert!(error.to_string().contains(key_var), "{error}");
    }

    #[test]
    fn from_vars_reads_key_and_optional_base_url() {
        let vars = |url: &'static str| {
            move |name: &str| match name {
                "KEY" => Some(OsString::from(KEY)),
                "EMPTY" => Some(OsString::new()),
                "URL" => Some(OsString::from(url)),
                _ => None,
            }
        };
        let auth = AuthScheme::default();
        let client =
            HttpClient::from_vars("KEY", "URL", "http://d", auth, vars("http://h:9/p")).unwrap();
        assert_eq!(client.base_url().as_str(), "http://h:9/p");
        let client = HttpClient::from_vars("KEY", "NONE", "http://d", auth, vars("")).unwrap();
        assert_eq!(client.base_url().as_str(), "http://d/");
        let client = HttpClient::from_vars("KEY", "URL", "http://d", auth, vars("")).unwrap();
        assert_eq!(client.base_url().as_str(), "http://d/");
        let error = HttpClient::from_vars("EMPTY", "URL", "http://d", auth, vars("")).unwrap_err();
        assert!(matches!(error, ConfigError::MissingEnv { ref name } if name == "EMPTY"));
        let error = HttpClient::from_vars("KEY", "URL", "http://d", auth, vars("bad")).unwrap_err();
        assert!(error.to_string().contains("`bad`"), "{error}");
    }
}
