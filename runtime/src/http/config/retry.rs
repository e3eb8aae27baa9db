//! When and how often a request is tried again.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// When a failed attempt is tried again, and how long the client waits in between.
///
/// Clients send every request once unless given a policy: [`RetryPolicy::default`] is the
/// recommended one. A request is tried again when:
///
/// - the connection could not be made (nothing was sent, so every request qualifies), or
/// - the server answered 429 Too Many Requests and 429 is in the retry set (it was not
///   processed, so every request qualifies), or
/// - the request may have reached the server (a status in the retry set, by default 408, 429
///   and 5xx; a broken connection or a timeout after sending) **and** the request is
///   idempotent ([`RequestBuilder::idempotent`](crate::RequestBuilder::idempotent)) or the
///   policy opts in with [`retry_non_idempotent`](Self::retry_non_idempotent);
///
/// and attempts are left and the wait ends before the deadline
/// ([`HttpClientBuilder::deadline`](crate::HttpClientBuilder::deadline)), if any.
///
/// The wait is the response's `Retry-After` when it has one, else exponential backoff with
/// full jitter: a uniformly random delay between zero and `initial × 2^(retry - 1)`, capped
/// at `max`. A `Retry-After` longer than [`max_retry_after`](Self::max_retry_after) is not
/// waited for: the call fails with [`Error::RetryAfterTooLong`](crate::Error::RetryAfterTooLong),
/// which says what the server asked for.
#[derive(Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) jitter: Jitter,
    pub(crate) statuses: StatusSet,
    pub(crate) connection_errors: bool,
    pub(crate) max_retry_after: Duration,
    pub(crate) non_idempotent: bool,
}

/// How a backoff delay is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Jitter {
    /// A uniformly random delay between zero and the backoff ceiling (the default): clients
    /// that failed together do not come back together.
    Full,
    /// Exactly the backoff ceiling (deterministic; for tests and special cases).
    None,
}

impl Default for RetryPolicy {
    /// Three attempts in all; backoff from 500 ms up to 8 s with full jitter; retries on
    /// connection errors, 408, 429 and 5xx; `Retry-After` honoured up to 60 s; apart from a
    /// 429, idempotent requests only once they may have reached the server.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            jitter: Jitter::Full,
            statuses: StatusSet::DEFAULT,
            connection_errors: true,
            max_retry_after: Duration::from_secs(60),
            non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// The recommended policy, [`RetryPolicy::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// One attempt only (what a client does unless given a policy). The `Retry-After` cap
    /// still applies to the client-side rate limiter.
    pub fn disabled() -> Self {
        Self::default().max_attempts(1)
    }

    /// The most attempts per call, the first included (`1` disables retries; `0` counts as 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff ceiling of the first retry, doubled for each later one up to `max`.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// How backoff delays are drawn (default [`Jitter::Full`]).
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Replaces the statuses that are retried (default 408, 429 and 500–599). Codes outside
    /// 100–999 are ignored.
    pub fn retry_statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.statuses = StatusSet::EMPTY;
        for status in statuses {
            self.statuses.insert(status);
        }
        self
    }

    /// Whether transport failures are retried: connection errors, broken connections and
    /// attempt timeouts (default `true`; the last two only for idempotent requests).
    pub fn retry_connection_errors(mut self, retry: bool) -> Self {
        self.connection_errors = retry;
        self
    }

    /// The longest `Retry-After` the client waits for (default 60 s). A longer one fails the
    /// call with [`Error::RetryAfterTooLong`](crate::Error::RetryAfterTooLong); the
    /// client-side rate limiter waits no longer than this either.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Also retry requests that are not marked idempotent after they may have reached the
    /// server (default `false`: a repeated insert or execution may repeat its effect). A 429
    /// is retried either way: the server did not process the request.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.non_idempotent = retry;
        self
    }

    /// The most attempts per call.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether a response with this status is retried (for requests that may be retried).
    pub fn retries_status(&self, status: StatusCode) -> bool {
        self.statuses.contains(status.as_u16())
    }

    /// The longest `Retry-After` the client waits for.
    pub fn retry_after_cap(&self) -> Duration {
        self.max_retry_after
    }

    /// The backoff ceiling before retry number `retry` (1 for the first retry):
    /// `initial × 2^(retry - 1)`, at most `max`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1_u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The delay before retry number `retry`, with this policy's jitter.
    pub(crate) fn backoff_delay(&self, retry: u32) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        match self.jitter {
            Jitter::None => ceiling,
            Jitter::Full => {
                let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(fastrand::u64(..=nanos))
            }
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("jitter", &self.jitter)
            .field("statuses", &self.statuses)
            .field("connection_errors", &self.connection_errors)
            .field("max_retry_after", &self.max_retry_after)
            .field("non_idempotent", &self.non_idempotent)
            .finish()
    }
}

/// A set of HTTP status codes (100–999) as a bit set.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatusSet([u64; 16]);

impl StatusSet {
    const EMPTY: Self = Self([0; 16]);

    /// 408, 429 and 500–599.
    const DEFAULT: Self = {
        let mut set = Self::EMPTY;
        set.0[408 / 64] |= 1 << (408 % 64);
        set.0[429 / 64] |= 1 << (429 % 64);
        let mut code = 500;
        while code < 600 {
            set.0[code / 64] |= 1 << (code % 64);
            code += 1;
        }
        set
    };

    fn insert(&mut self, code: u16) {
        if (100..1000).contains(&code) {
            self.0[usize::from(code / 64)] |= 1 << (code % 64);
        }
    }

    fn contains(&self, code: u16) -> bool {
        code < 1024 && self.0[usize::from(code / 64)] & (1 << (code % 64)) != 0
    }
}

impl fmt::Debug for StatusSet {
    /// Lists the codes as ranges: `[408, 429, 500..=599]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        let mut code = 100_u16;
        while code < 1000 {
            if !self.contains(code) {
                code += 1;
                continue;
            }
            let start = code;
            while code + 1 < 1000 && self.contains(code + 1) {
                code += 1;
            }
            if start == code {
                list.entry(&start);
            } else {
                list.entry(&format_args!("{start}..={code}"));
            }
            code += 1;
        }
        list.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_statuses_are_408_429_and_5xx() {
        let policy = RetryPolicy::default();
        for code in [408, 429, 500, 502, 503, 504, 599] {
            assert!(
                policy.retries_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        for code in [200, 400, 401, 404, 409, 600, 999] {
            assert!(
                !policy.retries_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        assert_eq!(format!("{:?}", policy.statuses), "[408, 429, 500..=599]");
    }

    #[test]
    fn statuses_can_be_replaced() {
        let policy = RetryPolicy::default().retry_statuses([503, 999, 42, 5000]);
        assert!(policy.retries_status(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!policy.retries_status(StatusCode::TOO_MANY_REQUESTS));
        assert!(policy.retries_status(StatusCode::from_u16(999).unwrap()));
        assert_eq!(format!("{:?}", policy.statuses), "[503, 999]");
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let policy = RetryPolicy::default()
            .backoff(Duration::from_millis(100), Duration::from_secs(1))
            .jitter(Jitter::None);
        let delays: Vec<_> = (1..=6).map(|n| policy.backoff_delay(n)).collect();
        let ms = |n| Duration::from_millis(n);
        assert_eq!(
            delays,
            [ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000)]
        );
        assert_eq!(policy.backoff_ceiling(200), Duration::from_secs(1));
        assert_eq!(policy.backoff_ceiling(0), ms(100));
    }

    #[test]
    fn full_jitter_stays_within_the_ceiling() {
        let policy = RetryPolicy::default().backoff(Duration::from_secs(1), Duration::from_secs(8));
        let mut distinct = std::collections::HashSet::new();
        for _ in 0..200 {
            let delay = policy.backoff_delay(3);
            assert!(delay <= Duration::from_secs(4), "{delay:?}");
            distinct.insert(delay);
        }
        assert!(distinct.len() > 100, "the delays are not random");
    }

    #[test]
    fn settings_are_clamped() {
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
        assert_eq!(RetryPolicy::disabled().attempts(), 1);
        let policy = RetryPolicy::new().backoff(Duration::from_secs(5), Duration::from_secs(1));
        assert_eq!(policy.backoff_ceiling(4), Duration::from_secs(5));
    }
}
