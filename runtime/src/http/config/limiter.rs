//! The optional client-side rate limiter.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::http::config::rate_limit::RateLimit;

/// A client-side rate limiter: waits before sending while the server's last word is that no
/// requests are left. Off unless set with
/// [`HttpClientBuilder::rate_limiter`](crate::HttpClientBuilder::rate_limiter); shared by all
/// clones of a client.
///
/// After a response whose budget (the [`Quota`](crate::Quota) the API names) has no
/// requests left, requests wait for the quota's window to pass (the headers do not say when
/// it started, so the limiter assumes it just did). After an error response with a
/// `Retry-After` (a 429 or 503), requests wait until then. A response with budget left lifts
/// the wait. Without a quota, only `Retry-After` is heeded.
///
/// A wait longer than the retry policy's
/// [`max_retry_after`](crate::RetryPolicy::max_retry_after), or than what is left of the
/// call's deadline, is not waited for: the call fails with
/// [`Error::Throttled`](crate::Error::Throttled) without sending anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct RateLimiter {
    window: Option<Duration>,
}

impl RateLimiter {
    /// A limiter that waits out the quota's window.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long to hold requests after the budget ran out, instead of the quota's window.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = Some(window);
        self
    }
}

/// A limiter and what it has seen.
#[derive(Debug)]
pub(crate) struct LimiterState {
    /// How long a spent budget holds requests.
    window: Duration,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    blocked_until: Option<Instant>,
    last: RateLimit,
}

impl LimiterState {
    /// The state of `config` for a client whose budget comes back over `quota_window`.
    pub(crate) fn new(config: RateLimiter, quota_window: Option<Duration>) -> Self {
        Self {
            window: config.window.or(quota_window).unwrap_or(Duration::ZERO),
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Records a response: its status, rate-limit headers and `Retry-After` delay.
    pub(crate) fn observe(
        &self,
        now: Instant,
        status: StatusCode,
        rate_limit: RateLimit,
        retry_after: Option<Duration>,
    ) {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        seen.last = rate_limit;
        let until = match (retry_after, rate_limit.remaining) {
            (Some(delay), _) if !status.is_success() => Some(now + delay),
            (_, Some(0)) => Some(now + self.window),
            (_, Some(_)) => {
                seen.blocked_until = None;
                None
            }
            (_, None) => None,
        };
        if let Some(until) = until {
            seen.blocked_until = Some(seen.blocked_until.map_or(until, |old| old.max(until)));
        }
    }

    /// How long a request must wait before it is sent, and the rate limit last seen.
    pub(crate) fn wait(&self, now: Instant) -> Option<(Duration, RateLimit)> {
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let until = seen.blocked_until?;
        (until > now).then(|| (until - now, seen.last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remaining(n: u64) -> RateLimit {
        RateLimit {
            remaining: Some(n),
            ..RateLimit::default()
        }
    }

    #[test]
    fn zero_budget_blocks_for_the_window_and_budget_lifts_it() {
        let limiter = LimiterState::new(
            RateLimiter::new().window(Duration::from_secs(30)),
            Some(Duration::from_secs(60)),
        );
        let t0 = Instant::now();
        assert_eq!(limiter.wait(t0), None);
        limiter.observe(t0, StatusCode::OK, remaining(0), None);
        let (wait, last) = limiter.wait(t0 + Duration::from_secs(10)).unwrap();
        assert_eq!(wait, Duration::from_secs(20));
        assert_eq!(last, remaining(0));
        assert_eq!(limiter.wait(t0 + Duration::from_secs(30)), None);
        limiter.observe(t0, StatusCode::OK, remaining(0), None);
        limiter.observe(t0, StatusCode::OK, remaining(5), None);
        assert_eq!(limiter.wait(t0), None);
    }

    #[test]
    fn retry_after_of_an_error_blocks_until_then() {
        let limiter = LimiterState::new(RateLimiter::new(), Some(Duration::from_secs(60)));
        let t0 = Instant::now();
        let delay = Some(Duration::from_secs(90));
        limiter.observe(
            t0,
            StatusCode::TOO_MANY_REQUESTS,
            RateLimit::default(),
            delay,
        );
        assert_eq!(limiter.wait(t0).unwrap().0, Duration::from_secs(90));
        // A shorter block does not shorten a longer one.
        limiter.observe(t0, StatusCode::OK, remaining(0), None);
        assert_eq!(limiter.wait(t0).unwrap().0, Duration::from_secs(90));
        // Missing headers change nothing.
        limiter.observe(t0, StatusCode::OK, RateLimit::default(), None);
        assert_eq!(limiter.wait(t0).unwrap().0, Duration::from_secs(90));
    }

    #[test]
    fn without_a_window_of_its_own_the_limiter_waits_out_the_quotas() {
        let limiter = LimiterState::new(RateLimiter::new(), Some(Duration::from_secs(60)));
        let t0 = Instant::now();
        limiter.observe(t0, StatusCode::OK, remaining(0), None);
        assert_eq!(limiter.wait(t0).unwrap().0, Duration::from_secs(60));
    }
}
