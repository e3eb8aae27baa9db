//! Whether a call goes on after an attempt, and after how long: the rate limiter's wait
//! before sending, and the retry decisions after a failure and after an error status.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::clock::millis;
use crate::http::client::HttpClient;
use crate::http::config::error::Error;
use crate::http::config::rate_limit::RetryAfter;
use crate::http::send::attempt::{Call, Failure, Settled, fits};

/// How many attempts a call may make, and until when.
#[derive(Clone, Copy)]
pub(super) struct Budget {
    pub(super) max_attempts: u32,
    /// Whether the request may be sent again (idempotent, or retried anyway).
    pub(super) may_repeat: bool,
    /// When the call must end, and the deadline's length.
    pub(super) deadline: Option<(Instant, Duration)>,
}

impl HttpClient {
    /// The wait the rate limiter asks for before the next attempt, if any; an error when it
    /// is longer than the call may wait.
    pub(super) fn limiter_wait<E>(
        &self,
        call: &Call<'_>,
        deadline: Option<(Instant, Duration)>,
    ) -> Result<Option<Duration>, Error<E>> {
        let clock = &*self.inner.clock;
        let policy = &self.settings.retry;
        let Some(limiter) = &self.inner.limiter else {
            return Ok(None);
        };
        let Some((wait, rate_limit)) = limiter.wait(clock.now()) else {
            return Ok(None);
        };
        let left = deadline.map(|(at, _)| at.saturating_duration_since(clock.now()));
        let allowed = left.map_or(policy.max_retry_after, |left| {
            left.min(policy.max_retry_after)
        });
        if wait > allowed {
            tracing::debug!(wait_ms = millis(wait), "rate limiter: not sending");
            return Err(Error::Throttled {
                operation: call.operation,
                wait,
                allowed,
                rate_limit,
            });
        }
        tracing::debug!(
            wait_ms = millis(wait),
            "rate limiter: waiting before sending"
        );
        Ok(Some(wait))
    }

    /// After a failed attempt: the delay before the next one, or the call's error.
    pub(super) fn retry_failure<E>(
        &self,
        call: &Call<'_>,
        budget: Budget,
        attempt: u32,
        failure: Failure,
    ) -> ControlFlow<Error<E>, Duration> {
        let policy = &self.settings.retry;
        if attempt >= budget.max_attempts || !failure.retryable(policy, budget.may_repeat) {
            return ControlFlow::Break(failure.into_error(call.operation));
        }
        let delay = policy.backoff_delay(attempt);
        if !fits(budget.deadline, self.inner.clock.now(), delay) {
            tracing::debug!("giving up: the next attempt would start past the deadline");
            return ControlFlow::Break(failure.into_error(call.operation));
        }
        ControlFlow::Continue(delay)
    }

    /// After a response with an error status: the delay before the next attempt (from
    /// `Retry-After` or the backoff), or what the call settles with.
    pub(super) fn retry_status(
        &self,
        budget: Budget,
        attempt: u32,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) -> ControlFlow<Settled, Duration> {
        let clock = &*self.inner.clock;
        let policy = &self.settings.retry;
        // A 429 says the request was not processed: repeating it is safe whatever the
        // operation does.
        let retryable = attempt < budget.max_attempts
            && (budget.may_repeat || status == StatusCode::TOO_MANY_REQUESTS)
            && !status.is_success()
            && policy.retries_status(status);
        let retry_after = RetryAfter::from_headers(&headers);
        let full = Settled::Full {
            status,
            headers,
            body,
        };
        if !retryable {
            return ControlFlow::Break(full);
        }
        let delay = match retry_after {
            Some(retry_after) => {
                let wait = retry_after.delay_from(clock.system_time());
                if wait > policy.max_retry_after {
                    tracing::debug!(
                        retry_after_ms = millis(wait),
                        "giving up: Retry-After is longer than the cap"
                    );
                    return ControlFlow::Break(Settled::TooLong {
                        full: Box::new(full),
                        retry_after,
                        wait,
                        cap: policy.max_retry_after,
                        attempts: attempt,
                    });
                }
                wait
            }
            None => policy.backoff_delay(attempt),
        };
        if !fits(budget.deadline, clock.now(), delay) {
            tracing::debug!("giving up: the next attempt would start past the deadline");
            return ControlFlow::Break(full);
        }
        ControlFlow::Continue(delay)
    }
}
