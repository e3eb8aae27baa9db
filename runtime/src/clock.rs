//! Time as the runtime sees it: waits between attempts, attempt timers, latencies and the
//! wall clock that `Retry-After` dates are read against.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

/// A future that completes once a wait or a timer is over.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + Sync + 'static>>;

/// The source of time for an [`HttpClient`](crate::HttpClient).
///
/// The default, [`TokioClock`], uses tokio's timers (so `tokio::time::pause` applies to it) and
/// the system clock. Tests can plug in a clock of their own with
/// [`HttpClientBuilder::clock`](crate::HttpClientBuilder::clock) to check delays without
/// waiting for them. The runtime uses the two kinds of timers differently:
///
/// - [`sleep`](Self::sleep) is a wait the client decides on (backoff between attempts, a
///   `Retry-After` delay, the rate limiter). A test clock may complete it at once by moving
///   its time forward.
/// - [`timer`](Self::timer) bounds an attempt (the per-attempt timeout and the deadline
///   across attempts). It must complete only when the clock's time reaches `deadline`, because
///   the attempt is racing it.
pub trait Clock: Send + Sync + 'static {
    /// The current monotonic time.
    fn now(&self) -> Instant;

    /// The current wall-clock time, used to turn a `Retry-After` HTTP date into a delay.
    fn system_time(&self) -> SystemTime;

    /// Completes after `duration`.
    fn sleep(&self, duration: Duration) -> Sleep;

    /// Completes when [`now`](Self::now) reaches `deadline`.
    fn timer(&self, deadline: Instant) -> Sleep;
}

/// The default [`Clock`]: tokio's timers and the system clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn system_time(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }

    fn timer(&self, deadline: Instant) -> Sleep {
        Box::pin(tokio::time::sleep_until(deadline.into()))
    }
}

/// Shows a shared clock in `Debug` output without requiring `Debug` of it.
/// A duration in whole milliseconds (saturating), for tracing fields and deadline arithmetic.
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

pub(crate) struct ClockName;

impl fmt::Debug for ClockName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<clock>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn tokio_clock_follows_paused_time() {
        let clock = TokioClock;
        let start = clock.now();
        clock.sleep(Duration::from_secs(5)).await;
        assert_eq!(clock.now() - start, Duration::from_secs(5));
        clock.timer(start + Duration::from_secs(7)).await;
        assert_eq!(clock.now() - start, Duration::from_secs(7));
        // A timer in the past completes at once.
        clock.timer(start).await;
        assert_eq!(clock.now() - start, Duration::from_secs(7));
    }
}
