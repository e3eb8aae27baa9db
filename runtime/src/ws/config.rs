//! Session settings: heartbeat, idle limit, buffers, reconnects.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// How a [`WsSession`](super::WsSession) keeps its connection healthy.
///
/// Build one with [`WsConfig::default`] and the setters, or with struct update syntax
/// (`WsConfig { buffer: 8, ..WsConfig::default() }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsConfig {
    /// How often the session sends a ping. Default: 20 s.
    pub ping_interval: Duration,
    /// How long the peer has to answer: a ping without any frame received in this time, or a
    /// write the peer does not take in this time, ends the connection as a dead peer
    /// ([`WsError::DeadPeer`](super::WsError::DeadPeer)). Also the time allowed for the close
    /// handshake. Default: 10 s.
    pub pong_timeout: Duration,
    /// How long the session may go without sending or receiving a message (pings do not
    /// count) before it closes the connection ([`WsError::Idle`](super::WsError::Idle)).
    /// Default: 30 minutes, the server's own limit.
    pub idle_timeout: Duration,
    /// The capacity, in messages, of the queue of sent messages waiting for the socket. A
    /// full queue applies backpressure: `send_*` waits. (Received messages are not queued:
    /// `recv` reads the socket, and messages not yet asked for wait in it, which holds the
    /// server back through TCP.) At least 1. Default: 64.
    pub buffer: usize,
    /// Whether and how to reconnect after the connection is lost. Default: `None` (a lost
    /// connection ends the session).
    pub reconnect: Option<Reconnect>,
    /// The limit on establishing a connection: TCP, TLS and the upgrade. Default: 30 s.
    pub connect_timeout: Duration,
    /// How long a streamed reply that ended on a chunk marked as the last one waits for the
    /// final message a server may send after it (which then belongs to that reply); one
    /// that comes later is handed over with the next reply. Default: 250 ms.
    pub reply_grace: Duration,
}

impl Default for WsConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(20),
            pong_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30 * 60),
            buffer: 64,
            reconnect: None,
            connect_timeout: Duration::from_secs(30),
            reply_grace: Duration::from_millis(250),
        }
    }
}

impl WsConfig {
    /// Sets [`ping_interval`](Self::ping_interval).
    #[must_use]
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.ping_interval = interval;
        self
    }

    /// Sets [`pong_timeout`](Self::pong_timeout).
    #[must_use]
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.pong_timeout = timeout;
        self
    }

    /// Sets [`idle_timeout`](Self::idle_timeout).
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Sets [`buffer`](Self::buffer).
    #[must_use]
    pub fn buffer(mut self, messages: usize) -> Self {
        self.buffer = messages;
        self
    }

    /// Sets [`reconnect`](Self::reconnect).
    #[must_use]
    pub fn reconnect(mut self, reconnect: impl Into<Option<Reconnect>>) -> Self {
        self.reconnect = reconnect.into();
        self
    }

    /// Sets [`connect_timeout`](Self::connect_timeout).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`reply_grace`](Self::reply_grace).
    #[must_use]
    pub fn reply_grace(mut self, grace: Duration) -> Self {
        self.reply_grace = grace;
        self
    }

    /// Zero durations would spin; they are raised to one millisecond.
    pub(crate) fn sanitized(mut self) -> Self {
        const MIN: Duration = Duration::from_millis(1);
        self.ping_interval = self.ping_interval.max(MIN);
        self.pong_timeout = self.pong_timeout.max(MIN);
        self.idle_timeout = self.idle_timeout.max(MIN);
        self.connect_timeout = self.connect_timeout.max(MIN);
        self.buffer = self.buffer.max(1);
        self
    }
}

/// Reconnecting after a lost connection, with jittered exponential backoff.
///
/// Attempt `n` (from 1) waits a random delay between half and all of
/// `min(max_delay, base_delay * 2^(n-1))`, then connects. The session gives up
/// ([`WsError::ReconnectExhausted`](super::WsError::ReconnectExhausted)) after `max_attempts`
/// failed attempts, or when the next delay would end past `budget` (counted from the moment
/// the connection was lost).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reconnect {
    /// The most connection attempts per loss. Default: 5.
    pub max_attempts: u32,
    /// The delay before the first attempt, before jitter. Default: 250 ms.
    pub base_delay: Duration,
    /// The longest delay between attempts, before jitter. Default: 10 s.
    pub max_delay: Duration,
    /// The total time allowed for reconnecting after one loss. Default: 60 s.
    pub budget: Duration,
}

impl Default for Reconnect {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            budget: Duration::from_secs(60),
        }
    }
}

impl Reconnect {
    /// Sets [`max_attempts`](Self::max_attempts).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets [`base_delay`](Self::base_delay).
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets [`max_delay`](Self::max_delay).
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets [`budget`](Self::budget).
    #[must_use]
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The delay before attempt `attempt` (from 1), jittered with `random` (any `u64`).
    pub(crate) fn delay(&self, attempt: u32, random: u64) -> Duration {
        let ceiling = 1_u32
            .checked_shl(attempt.saturating_sub(1))
            .and_then(|factor| self.base_delay.checked_mul(factor))
            .unwrap_or(Duration::MAX)
            .min(self.max_delay);
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_nanos()).unwrap_or(u64::MAX);
        let jitter = if spread == 0 {
            0
        } else {
            random % spread.saturating_add(1)
        };
        half + Duration::from_nanos(jitter)
    }
}

/// A random `u64` from the standard library's randomly seeded hasher (no extra dependency;
/// jitter needs no cryptographic quality).
pub(crate) fn random_u64() -> u64 {
    RandomState::new().hash_one(std::time::SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let reconnect = Reconnect::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(1000));
        for (attempt, ceiling) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (40, 1000),
        ] {
            let ceiling = Duration::from_millis(ceiling);
            assert_eq!(
                reconnect.delay(attempt, 0),
                ceiling / 2,
                "attempt {attempt}"
            );
            let spread = u64::try_from((ceiling - ceiling / 2).as_nanos()).unwrap();
            assert_eq!(reconnect.delay(attempt, spread), ceiling);
            for _ in 0..100 {
                let delay = reconnect.delay(attempt, random_u64());
                assert!(delay >= ceiling / 2 && delay <= ceiling, "{delay:?}");
            }
        }
        assert_eq!(
            Reconnect::default().base_delay(Duration::ZERO).delay(3, 7),
            Duration::ZERO
        );
        let huge = Reconnect::default()
            .base_delay(Duration::MAX)
            .max_delay(Duration::MAX);
        assert!(huge.delay(60, 1) >= Duration::MAX / 2);
    }

    #[test]
    fn jitter_varies() {
        let reconnect = Reconnect::default();
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| reconnect.delay(3, random_u64())).collect();
        assert!(delays.len() > 1);
    }

    #[test]
    fn sanitized_raises_zero_settings() {
        let config = WsConfig::default()
            .buffer(0)
            .ping_interval(Duration::ZERO)
            .sanitized();
        assert_eq!(config.buffer, 1);
        assert_eq!(config.ping_interval, Duration::from_millis(1));
        assert_eq!(WsConfig::default().idle_timeout, Duration::from_secs(1800));
    }
}
