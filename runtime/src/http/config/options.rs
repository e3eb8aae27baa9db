//! Settings that can differ between clones of one client: timeouts and retries.

use std::time::Duration;

use crate::http::config::retry::RetryPolicy;

/// The per-call settings of a client.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    /// A limit on each attempt, from connecting until the body is read.
    pub(crate) timeout: Option<Duration>,
    /// A limit on the whole call, across attempts and the waits between them.
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: RetryPolicy,
}

impl Settings {
    pub(crate) fn new(
        timeout: Option<Duration>,
        deadline: Option<Duration>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            timeout,
            deadline,
            retry,
        }
    }

    pub(crate) fn with(&self, options: &RequestOptions) -> Self {
        let mut settings = self.clone();
        if let Some(timeout) = options.timeout {
            settings.timeout = timeout;
        }
        if let Some(deadline) = options.deadline {
            settings.deadline = deadline;
        }
        if let Some(retry) = &options.retry {
            settings.retry = retry.clone();
        }
        if let Some(attempts) = options.max_attempts {
            settings.retry = settings.retry.max_attempts(attempts);
        }
        if let Some(retry) = options.retry_non_idempotent {
            settings.retry = settings.retry.retry_non_idempotent(retry);
        }
        settings
    }
}

/// Overrides for the calls made through one clone of a client; see
/// [`HttpClient::with_options`](crate::HttpClient::with_options).
///
/// Every setting left alone keeps the client's value.
///
/// ```
/// use std::time::Duration;
/// use autessa_runtime::{HttpClient, RequestOptions, RetryPolicy};
///
/// let http = HttpClient::builder("https://api.autessa.com")
///     .retry(RetryPolicy::default())
///     .build()?;
/// // A slow report: more time, more attempts, and retried although it is a POST.
/// let patient = http.with_options(
///     RequestOptions::new()
///         .timeout(Duration::from_secs(120))
///         .deadline(Duration::from_secs(600))
///         .max_attempts(5)
///         .retry_non_idempotent(true),
/// );
/// # let _ = patient;
/// # Ok::<(), autessa_runtime::ConfigError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct RequestOptions {
    timeout: Option<Option<Duration>>,
    deadline: Option<Option<Duration>>,
    retry: Option<RetryPolicy>,
    max_attempts: Option<u32>,
    retry_non_idempotent: Option<bool>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// A limit on each attempt, from connecting until the response body is read.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// No limit on each attempt.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// A limit on the whole call: all attempts and the waits between them.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(Some(deadline));
        self
    }

    /// No limit on the whole call.
    pub fn no_deadline(mut self) -> Self {
        self.deadline = Some(None);
        self
    }

    /// Replaces the retry policy. [`max_attempts`](Self::max_attempts) and
    /// [`retry_non_idempotent`](Self::retry_non_idempotent) apply on top of it.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The most attempts per call (`1`: no retries).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// No retries: one attempt per call.
    pub fn no_retries(self) -> Self {
        self.max_attempts(1)
    }

    /// Whether requests not marked idempotent are retried after they may have reached the
    /// server.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = Some(retry);
        self
    }
}
