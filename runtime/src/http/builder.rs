//! Configuring and building an [`HttpClient`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use crate::auth::{ApiKey, AuthScheme};
use crate::clock::{Clock, ClockName, TokioClock};
use crate::http::client::{Credentials, HttpClient, Inner, Redacted};
use crate::http::config::config_error::ConfigError;
use crate::http::config::hooks::{AttemptInfo, FnHook, HookCount, Hooks, ResponseHead};
use crate::http::config::limiter::{LimiterState, RateLimiter};
use crate::http::config::options::Settings;
use crate::http::config::rate_limit::Quota;
use crate::http::config::retry::RetryPolicy;

/// The user agent sent when the runtime builds the `reqwest::Client` itself.
const DEFAULT_USER_AGENT: &str = concat!("autessa-runtime/", env!("CARGO_PKG_VERSION"));

/// The default limit on each attempt: long enough for an agent's slowest answers, short
/// enough that a hung request ends.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The default limit on establishing a connection (applied to clients the runtime builds).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Configures an [`HttpClient`]; finish with [`build`](Self::build).
#[derive(Clone)]
#[must_use]
pub struct HttpClientBuilder {
    base_url: String,
    api_key: Option<ApiKey>,
    auth: AuthScheme,
    client: Option<reqwest::Client>,
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    /// `None`: the default, applied only to a client the runtime builds.
    connect_timeout: Option<Option<Duration>>,
    user_agent: Option<String>,
    retry: RetryPolicy,
    limiter: Option<RateLimiter>,
    quota: Option<Quota>,
    hooks: Vec<Arc<dyn Hooks>>,
    clock: Option<Arc<dyn Clock>>,
}

impl HttpClientBuilder {
    pub(crate) fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            api_key: None,
            auth: AuthScheme::default(),
            client: None,
            timeout: Some(DEFAULT_TIMEOUT),
            deadline: None,
            connect_timeout: None,
            user_agent: None,
            retry: RetryPolicy::disabled(),
            limiter: None,
            quota: None,
            hooks: Vec::new(),
            clock: None,
        }
    }

    /// The API key, attached to every request as [`auth`](Self::auth) says.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Where the key goes. Defaults to [`AuthScheme::default`], the raw key in the
    /// `Authorization` header.
    pub fn auth(mut self, auth: AuthScheme) -> Self {
        self.auth = auth;
        self
    }

    /// Uses this `reqwest::Client` (its pool, proxy and TLS settings) instead of building one.
    /// [`connect_timeout`](Self::connect_timeout) cannot be combined with it.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// A limit on each attempt, from connecting until the response body is read (for
    /// `send_streaming`, until the body stream ends). Past it the attempt fails with
    /// [`Error::Timeout`](crate::Error::Timeout); an idempotent request may then be retried.
    /// Default: [`DEFAULT_TIMEOUT`] (10 minutes); per call, see
    /// [`RequestOptions::timeout`](crate::RequestOptions::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No limit on each attempt (calls can then wait forever on a server that hangs).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// A limit on each whole call: every attempt and the waits between them. A retry whose wait
    /// would end past it is not made (the last failure is returned), and an attempt still
    /// running when it passes fails with [`Error::Timeout`](crate::Error::Timeout).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// When failed attempts are tried again. Without it every request is sent once;
    /// [`RetryPolicy::default`] is the recommended policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Turns on the client-side rate limiter (off by default).
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Where the server reports its request budget: read into every
    /// [`RateLimit`](crate::RateLimit) and heeded by the [rate limiter](Self::rate_limiter).
    /// A generated client sets the quota its API describes.
    pub fn quota(mut self, quota: Quota) -> Self {
        self.quota = Some(quota);
        self
    }

    /// Adds hooks run around every attempt. Several can be added; they run in order.
    pub fn hooks(mut self, hooks: impl Hooks) -> Self {
        self.hooks.push(Arc::new(hooks));
        self
    }

    /// Adds a closure run before every attempt is sent (see [`Hooks::on_request`]).
    pub fn on_request(
        self,
        hook: impl Fn(&AttemptInfo<'_>, &mut reqwest::Request) + Send + Sync + 'static,
    ) -> Self {
        self.hooks(FnHook::Request(Box::new(hook)))
    }

    /// Adds a closure run when the head of every response arrives (see
    /// [`Hooks::on_response`]).
    pub fn on_response(
        self,
        hook: impl Fn(&AttemptInfo<'_>, &ResponseHead<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.hooks(FnHook::Response(Box::new(hook)))
    }

    /// The source of time (default [`TokioClock`]); tests use it to check delays without
    /// waiting.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// A limit on establishing each connection. Default: [`DEFAULT_CONNECT_TIMEOUT`]
    /// (10 s) for a client the runtime builds; a caller-supplied `reqwest::Client` keeps its
    /// own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(Some(timeout));
        self
    }

    /// No limit on establishing a connection.
    pub fn no_connect_timeout(mut self) -> Self {
        self.connect_timeout = Some(None);
        self
    }

    /// Another base URL than the one the builder was started with.
    pub(crate) fn base_url(mut self, base_url: String) -> Self {
        self.base_url = base_url;
        self
    }

    /// The `User-Agent` header. Without it, a client built by the runtime sends
    /// `autessa-runtime/<version>`, and a caller-supplied client keeps its own.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<HttpClient, ConfigError> {
        let base_url = parse_base_url(&self.base_url)?;
        let auth = self
            .api_key
            .map(|key| credentials(self.auth, key))
            .transpose()?;
        let user_agent = match (&self.user_agent, &self.client) {
            (Some(agent), _) => {
                Some(HeaderValue::from_str(agent).map_err(|_| ConfigError::InvalidUserAgent)?)
            }
            (None, None) => Some(HeaderValue::from_static(DEFAULT_USER_AGENT)),
            (None, Some(_)) => None,
        };
        let client = match (self.client, self.connect_timeout) {
            (Some(_), Some(Some(_))) => {
                return Err(ConfigError::Conflict {
                    reason: "connect_timeout cannot be applied to a caller-supplied reqwest::Client; \
                             set it on that client instead",
                });
            }
            (Some(client), _) => client,
            (None, connect_timeout) => {
                let mut builder = reqwest::Client::builder();
                if let Some(timeout) = connect_timeout.unwrap_or(Some(DEFAULT_CONNECT_TIMEOUT)) {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(ConfigError::Http)?
            }
        };
        Ok(HttpClient {
            inner: Arc::new(Inner {
                base_url,
                client,
                auth,
                user_agent,
                clock: self.clock.unwrap_or_else(|| Arc::new(TokioClock)),
                hooks: self.hooks,
                limiter: self.limiter.map(|limiter| {
                    LimiterState::new(limiter, self.quota.as_ref().map(Quota::window))
                }),
                quota: self.quota,
            }),
            settings: Arc::new(Settings::new(self.timeout, self.deadline, self.retry)),
        })
    }
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("api_key", &Redacted(self.api_key.is_some()))
            .field("reqwest_client", &self.client.as_ref().map(|_| "custom"))
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("rate_limiter", &self.limiter)
            .field("quota", &self.quota)
            .field("hooks", &HookCount(self.hooks.len()))
            .field("clock", &self.clock.as_ref().map(|_| ClockName))
            .finish()
    }
}

fn parse_base_url(text: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidBaseUrl {
        url: text.to_owned(),
        reason,
    };
    let url = Url::parse(text).map_err(|error| invalid(error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "the scheme must be http or https, not `{}`",
            url.scheme()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "a base URL cannot have a query or a fragment".into(),
        ));
    }
    Ok(url)
}

fn credentials(scheme: AuthScheme, key: ApiKey) -> Result<Credentials, ConfigError> {
    if key.expose_secret().is_empty() {
        return Err(ConfigError::InvalidAuth {
            reason: "the API key is empty",
        });
    }
    match scheme {
        AuthScheme::Header { name, prefix } => {
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| ConfigError::InvalidAuth {
                    reason: "the authentication header name is not a valid HTTP header name",
                })?;
            let mut value = HeaderValue::from_str(&format!("{prefix}{}", key.expose_secret()))
                .map_err(|_| ConfigError::InvalidAuth {
                    reason: "the API key (with its prefix) is not a valid HTTP header value",
                })?;
            value.set_sensitive(true);
            Ok(Credentials::Header { name, value, key })
        }
        AuthScheme::Query { name: "" } => Err(ConfigError::InvalidAuth {
            reason: "the authentication query parameter name is empty",
        }),
        AuthScheme::Query { name } => Ok(Credentials::Query { name, key }),
    }
}

impl HttpClient {
    /// Starts configuring a client for `base_url` (which may carry a path prefix such as
    /// `http://127.0.0.1:8080/api`).
    pub fn builder(base_url: impl AsRef<str>) -> HttpClientBuilder {
        HttpClientBuilder::new(base_url.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-live-0123456789";

    #[test]
    fn debug_output_never_shows_the_key() {
        for auth in [
            AuthScheme::default(),
            AuthScheme::Header {
                name: "Authorization",
                prefix: "Bearer ",
            },
            AuthScheme::Query {
                name: "authorization",
            },
        ] {
            let builder = HttpClient::builder("http://127.0.0.1:1/api")
                .api_key(KEY)
                .auth(auth);
            let debug = format!("{builder:?} {builder:#?}");
            assert!(!debug.contains(KEY), "{debug}");
            assert!(debug.contains("<redacted>"), "{debug}");

            let client = builder.build().unwrap();
            let debug = format!("{client:?} {client:#?}");
            assert!(!debug.contains(KEY), "{debug}");
            assert!(debug.contains("api_key: <redacted>"), "{debug}");
            assert!(debug.contains("http://127.0.0.1:1/api"), "{debug}");
        }
    }

    #[test]
    fn base_url_is_validated() {
        for (url, reason) in [
            ("not a url", "relative URL without a base"),
            ("ftp://example.com", "http or https"),
            ("http://example.com/api?x=1", "query"),
            ("http://example.com/#top", "fragment"),
        ] {
            let error = HttpClient::builder(url).build().unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains(url) && message.contains(reason),
                "{message}"
            );
        }
        let client = HttpClient::builder("https://api.autessa.com")
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), "https://api.autessa.com/");
        assert!(format!("{client:?}").contains("api_key: <none>"));
    }

    #[test]
    fn bad_auth_settings_are_rejected_without_the_key() {
        let error = HttpClient::builder("http://h")
            .api_key("")
            .build()
            .unwrap_err();
        assert!(matches!(error, ConfigError::InvalidAuth { .. }));
        let error = HttpClient::builder("http://h")
            .api_key("secret\nkey")
            .build()
            .unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
        let error = HttpClient::builder("http://h")
            .api_key(KEY)
            .auth(AuthScheme::Header {
                name: "bad name",
                prefix: "",
            })
            .build()
            .unwrap_err();
        assert!(matches!(error, ConfigError::InvalidAuth { .. }));
    }

    #[test]
    fn connect_timeout_conflicts_with_a_custom_client() {
        let error = HttpClient::builder("http://h")
            .reqwest_client(reqwest::Client::new())
            .connect_timeout(Duration::from_secs(1))
            .build()
            .unwrap_err();
        assert!(matches!(error, ConfigError::Conflict { .. }));
        HttpClient::builder("http://h")
            .reqwest_client(reqwest::Client::new())
            .timeout(Duration::from_secs(1))
            .user_agent("mine/1")
            .build()
            .unwrap();
    }

    #[test]
    fn requests_have_a_default_timeout_that_can_be_changed_or_lifted() {
        let client = HttpClient::builder("http://h").build().unwrap();
        assert_eq!(client.settings.timeout, Some(DEFAULT_TIMEOUT));
        let client = HttpClient::builder("http://h")
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        assert_eq!(client.settings.timeout, Some(Duration::from_secs(5)));
        let per_call =
            client.with_options(crate::http::config::options::RequestOptions::new().no_timeout());
        assert_eq!(per_call.settings.timeout, None);
        let client = HttpClient::builder("http://h")
            .no_timeout()
            .build()
            .unwrap();
        assert_eq!(client.settings.timeout, None);
        // The default connect timeout does not conflict with a caller's own client.
        HttpClient::builder("http://h")
            .reqwest_client(reqwest::Client::new())
            .build()
            .unwrap();
        HttpClient::builder("http://h")
            .no_connect_timeout()
            .build()
            .unwrap();
    }
}
