//! Settings that can differ between clones of one client: timeouts and retries.

use std::sync::Arc;
use std::time::Duration;

use crate::client::HttpClient;
use crate::retry::RetryPolicy;

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

    fn with(&self, options: &RequestOptions) -> Self {
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
/// [`HttpClient::with_options`].
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

impl HttpClient {
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
